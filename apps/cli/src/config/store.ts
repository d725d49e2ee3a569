// The config file `drover login` writes: server URL and API token per profile, in
// $XDG_CONFIG_HOME/drover/config.json (~/.config/drover/config.json by default). It holds a secret, so the file is
// 0600 inside a 0700 directory, written atomically (temp file + rename) so a crash never leaves half a file.
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { CliError } from '../errors';

export const DEFAULT_PROFILE = 'default';

export const Profile = z.object({
  url: z.string().optional(),
  token: z.string().optional(),
  /** The token's id on the server, so `drover logout` can revoke it. */
  tokenId: z.string().optional(),
  /** Who logged in (shown by `drover whoami` when offline is not an option; informational). */
  email: z.string().optional(),
});
export type Profile = z.infer<typeof Profile>;

export const ConfigFile = z.object({
  currentProfile: z.string().default(DEFAULT_PROFILE),
  profiles: z.record(z.string(), Profile).default({}),
});
export type ConfigFile = z.infer<typeof ConfigFile>;

export function configDir(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME || homedir(), '.config');
  return path.join(base, 'drover');
}

export function configPath(env: NodeJS.ProcessEnv): string {
  return env.DROVER_CONFIG || path.join(configDir(env), 'config.json');
}

export async function readConfig(file: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return ConfigFile.parse({});
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new CliError(`${file} is not valid JSON`, { hint: 'fix it, or delete it and run `drover login` again' });
  }
  const parsed = ConfigFile.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliError(`${file}: ${issue?.path.join('.') || 'file'}: ${issue?.message ?? 'invalid'}`, {
      hint: 'fix it, or delete it and run `drover login` again',
    });
  }
  return parsed.data;
}

export async function writeConfig(file: string, config: ConfigFile): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  // The mode given to writeFile is masked by the umask; say it again explicitly.
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}
