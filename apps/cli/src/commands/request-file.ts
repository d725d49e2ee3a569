// `--from-file`: a request body written as JSON or YAML (`-` reads stdin), merged with flags and checked against
// the contract before anything is sent, so a mistake is reported by field without a round trip.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { UsageError } from '../errors';
import type { Io } from '../io';
import { readStdin } from './prompt';

export async function readRequestFile(io: Io, file: string | undefined): Promise<Record<string, unknown>> {
  if (!file) return {};
  let text: string;
  try {
    text = file === '-' ? await readStdin(io) : await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = parseYaml(text); // YAML is a superset of JSON
  } catch (err) {
    throw new UsageError(`${file} is neither JSON nor YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new UsageError(`${file} must hold an object`);
  return data as Record<string, unknown>;
}

/** Checks a request body against its contract; the first bad field becomes a usage error. */
export function checkRequest<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`);
  throw new UsageError(`invalid ${what}: ${lines.join('; ')}`);
}

/** Drops undefined values, so flags that were not given do not override the file. */
export function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
