import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readMigrations, ROUTINES_FILE } from './migrate';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function migrations(files: Record<string, Record<string, string>>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'drover-migrations-'));
  dirs.push(dir);
  for (const [name, contents] of Object.entries(files)) {
    mkdirSync(path.join(dir, name));
    for (const [file, text] of Object.entries(contents)) writeFileSync(path.join(dir, name, file), text);
  }
  return dir;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('readMigrations', () => {
  it("applies routines.sql after migration.sql; the checksum stays Prisma's, of migration.sql alone", async () => {
    const dir = migrations({
      '2_second': { 'migration.sql': 'CREATE TABLE b ();', [ROUTINES_FILE]: 'CREATE FUNCTION f() …;' },
      '1_first': { 'migration.sql': 'CREATE TABLE a ();' },
    });
    const ms = await readMigrations(dir);
    expect(ms.map((m) => m.name)).toEqual(['1_first', '2_second']);
    expect(ms[0]).toEqual({ name: '1_first', sql: 'CREATE TABLE a ();', checksum: sha('CREATE TABLE a ();') });
    expect(ms[1]).toEqual({
      name: '2_second',
      sql: 'CREATE TABLE b ();\nCREATE FUNCTION f() …;',
      checksum: sha('CREATE TABLE b ();'),
    });
  });
});
