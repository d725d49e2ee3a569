// The import arrows (import-arrows.js) hold: they form no cycle, every package.json asks only for what its arrows
// allow, and the lint rule built from them refuses an import against an arrow or past an entry point.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { arrows, parts } from '../../import-arrows.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
type Part = Extract<keyof typeof parts, string>;
const workspaceParts = (Object.keys(parts) as Part[]).filter((p) => /^(apps|packages)\//.test(parts[p]));

function cycleFrom(start: Part): Part[] | null {
  const path: Part[] = [];
  const visit = (p: Part): Part[] | null => {
    if (path.includes(p)) return [...path.slice(path.indexOf(p)), p];
    path.push(p);
    for (const next of arrows[p] as Part[]) {
      const found = visit(next);
      if (found) return found;
    }
    path.pop();
    return null;
  };
  return visit(start);
}

describe('import arrows', () => {
  it('form no cycle', () => {
    for (const part of Object.keys(arrows) as Part[]) expect(cycleFrom(part), part).toBeNull();
  });

  it('let no app import another app', () => {
    const apps = workspaceParts.filter((p) => parts[p].startsWith('apps/'));
    for (const app of apps)
      expect(
        (arrows[app] as Part[]).filter((to) => apps.includes(to)),
        app,
      ).toEqual([]);
  });

  it('cover every workspace dependency in package.json', () => {
    const byName = new Map<string, Part>();
    for (const part of workspaceParts) {
      const pkg = JSON.parse(readFileSync(path.join(ROOT, parts[part], 'package.json'), 'utf8')) as { name: string };
      byName.set(pkg.name, part);
    }
    for (const part of workspaceParts) {
      const pkg = JSON.parse(readFileSync(path.join(ROOT, parts[part], 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
      const internal = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((d) => byName.has(d));
      const used = internal.map((d) => byName.get(d)!);
      expect(
        used.filter((to) => !(arrows[part] as Part[]).includes(to)),
        `${parts[part]}/package.json`,
      ).toEqual([]);
    }
  });
});

describe('the lint rule', () => {
  const eslint = new ESLint({ cwd: ROOT });
  async function boundaryErrors(file: string, code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
    return result!.messages.filter((m) => m.ruleId === 'boundaries/dependencies').map((m) => m.message);
  }

  it('refuses an import against an arrow', async () => {
    const code = "import { createEngine } from '@drover/engine';\nexport const e = createEngine;\n";
    expect(await boundaryErrors('packages/domain/src/wrong.ts', code)).toEqual([
      expect.stringContaining('from elements of type "domain" to elements of type "engine"'),
    ]);
    expect(await boundaryErrors('apps/api/src/right.ts', code)).toEqual([]);
  });

  it('refuses one app importing another', async () => {
    const code = "import { startWorker } from '@drover/worker';\nexport const w = startWorker;\n";
    expect(await boundaryErrors('apps/api/src/wrong.ts', code)).toEqual([
      expect.stringContaining('from elements of type "api" to elements of type "worker"'),
    ]);
  });

  it('refuses an import past a package entry point', async () => {
    const deep = "import { startWorker } from '../../apps/worker/src/worker';\nexport const w = startWorker;\n";
    expect(await boundaryErrors('tests/support/wrong.ts', deep)).toHaveLength(1);
    const entry = "import { startWorker } from '@drover/worker';\nexport const w = startWorker;\n";
    expect(await boundaryErrors('tests/support/right.ts', entry)).toEqual([]);
  });
});
