// What every command gets: the terminal, the global options (--url, --token, --profile, --output), the resolved
// settings and a client built from them, and one way to print a result as text or as JSON.
import { createDroverClient, type DroverClient } from '@drover/client';
import type { Command } from 'commander';
import { configPath, readConfig, type ConfigFile } from './config/store';
import { resolveSettings, type Settings } from './config/settings';
import { UsageError } from './errors';
import { nodeStreamUpload } from './http/node-upload';
import { line, type Io } from './io';
import { VERSION } from './version';

export type OutputFormat = 'text' | 'json';

export interface GlobalOptions {
  url?: string;
  token?: string;
  profile?: string;
  output: OutputFormat;
}

export class Context {
  private loaded: { config: ConfigFile; settings: Settings } | undefined;

  constructor(
    readonly io: Io,
    readonly global: GlobalOptions,
  ) {}

  get json(): boolean {
    return this.global.output === 'json';
  }

  get configFile(): string {
    return configPath(this.io.env);
  }

  async config(): Promise<ConfigFile> {
    return (await this.load()).config;
  }

  async settings(): Promise<Settings> {
    return (await this.load()).settings;
  }

  private async load() {
    if (!this.loaded) {
      const config = await readConfig(this.configFile);
      const settings = resolveSettings({ flags: this.global, env: this.io.env, config });
      this.loaded = { config, settings };
    }
    return this.loaded;
  }

  /** A client for the configured server and token; a usage error (exit 2) when either is missing. */
  async client(): Promise<DroverClient> {
    const s = await this.settings();
    if (!s.url) {
      throw new UsageError(
        'no Drover server configured',
        'pass --url, set DROVER_URL, or run `drover login --url <server>`',
      );
    }
    if (!s.token) throw new UsageError(`no API token for ${s.url}`, 'run `drover login`, or set DROVER_TOKEN');
    return clientFor(s.url, s.token);
  }

  /** Prints a result: the value as JSON with --output json (nothing else on stdout), the text form otherwise. */
  emit(value: unknown, text: () => string | string[] | void): void {
    if (this.json) {
      line(this.io.stdout, JSON.stringify(value, null, 2));
      return;
    }
    const t = text();
    if (t === undefined) return;
    for (const l of Array.isArray(t) ? t : [t]) line(this.io.stdout, l);
  }

  /** A message for the person at the terminal (stderr, so stdout stays machine-readable). */
  note(text: string): void {
    line(this.io.stderr, text);
  }
}

export function clientFor(url: string, token?: string): DroverClient {
  try {
    return createDroverClient({
      baseUrl: url,
      token,
      userAgent: `drover-cli/${VERSION}`,
      streamUpload: nodeStreamUpload,
    });
  } catch (err) {
    throw new UsageError(
      `${url} is not a valid server URL (${(err as Error).message})`,
      'use e.g. https://drover.example.com',
    );
  }
}

export function contextOf(io: Io, cmd: Command): Context {
  return new Context(io, cmd.optsWithGlobals<GlobalOptions>());
}
