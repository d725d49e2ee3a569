// `drover-agent register`: register this host with the API once, save the credential (0600) under the agent's
// root directory and write the configuration file (0600) the service then runs with. Re-running it on a
// registered host keeps the credential (an installer's upgrade must not re-register the host) unless --force.
import { mkdir, readFile } from 'node:fs/promises';
import { hostname, platform, release } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { InstanceName } from '@drover/contracts';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { ApiClient } from '../api/client';
import { CredentialStore } from '../api/credential-store';
import { withRetry } from '../api/retry';
import { AgentConfig, ConfigError, agentConfig, parseTagList } from '../config';
import type { Logger } from '../logs/logger';
import { writeTextAtomic } from '../state/atomic-json';
import { AGENT_VERSION } from '../version';
import { DEFAULT_CONFIG, UsageError } from './usage';

const DEFAULTS = AgentConfig.parse({ serverUrl: 'http://default', instanceName: 'default' });

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        server: { type: 'string' },
        token: { type: 'string' },
        name: { type: 'string' },
        tag: { type: 'string', multiple: true },
        root: { type: 'string' },
        'log-dir': { type: 'string' },
        config: { type: 'string' },
        force: { type: 'boolean' },
      },
    }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new UsageError(`cannot read ${path}: ${(err as Error).message}`);
  }
  const parsed: unknown = parseYaml(text);
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`${path}: must be a YAML mapping`);
  return parsed as Record<string, unknown>;
}

/** The config file as register writes it: its own keys first, the operator's other settings kept, no token. */
export function renderConfig(config: AgentConfig, kept: Record<string, unknown>): string {
  const values: Record<string, unknown> = {
    serverUrl: config.serverUrl,
    instanceName: config.instanceName,
    tags: Object.fromEntries(config.tags.map((t) => [t.key, t.value])),
  };
  if (config.rootDir !== DEFAULTS.rootDir) values.rootDir = config.rootDir;
  if (config.logDir !== DEFAULTS.logDir) values.logDir = config.logDir;
  for (const [key, value] of Object.entries(kept)) {
    // The registration token is spent once the credential exists: it does not stay on disk.
    if (!(key in values) && key !== 'registrationToken' && key !== 'rootDir' && key !== 'logDir') {
      values[key] = value;
    }
  }
  return `# drover-agent configuration, written by \`drover-agent register\` (docs/agent.md).\n${stringifyYaml(values)}`;
}

const quietLogger = (io: CliIo): Logger => ({
  debug: () => undefined,
  info: () => undefined,
  warn: (message) => io.err(`drover-agent: ${message}\n`),
  error: (message) => io.err(`drover-agent: ${message}\n`),
  close: () => undefined,
});

export async function registerCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parse(argv);
  const configPath = args.config ?? DEFAULT_CONFIG;
  const existing = await readConfigFile(configPath);
  let tags: Array<{ key: string; value: string }> | undefined;
  try {
    tags = args.tag?.flatMap((t) => parseTagList(t));
  } catch (err) {
    throw new UsageError(`--tag: ${(err as Error).message.replace(/^DROVER_TAGS: /, '')}`);
  }
  const host = hostname();
  const input: Record<string, unknown> = {
    ...existing,
    serverUrl: args.server ?? existing.serverUrl,
    instanceName: args.name ?? existing.instanceName ?? (InstanceName.safeParse(host).success ? host : undefined),
    ...(tags ? { tags } : {}),
    ...(args.root ? { rootDir: args.root } : {}),
    ...(args['log-dir'] ? { logDir: args['log-dir'] } : {}),
  };
  if (input.tags && !Array.isArray(input.tags) && typeof input.tags === 'object') {
    input.tags = Object.entries(input.tags as Record<string, unknown>).map(([key, value]) => ({
      key,
      value: String(value ?? ''),
    }));
  }
  if (input.serverUrl === undefined) throw new UsageError('--server is required (the Drover URL, https://…)');
  if (input.instanceName === undefined) {
    throw new UsageError(`--name is required: this host's name ${JSON.stringify(host)} is not a valid instance name`);
  }
  const flagOf: Record<string, string> = {
    serverUrl: '--server',
    instanceName: '--name',
    tags: '--tag',
    rootDir: '--root',
    logDir: '--log-dir',
  };
  let config: AgentConfig;
  try {
    config = agentConfig(input, new Map(Object.entries(flagOf)));
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }

  const credentials = new CredentialStore(config.rootDir);
  const current = await credentials.load().catch((err: Error) => {
    throw new UsageError(`${err.message}; delete it or run with --force`);
  });
  if (current && !args.force) {
    if (current.serverUrl !== config.serverUrl) {
      io.err(
        `drover-agent: this host is registered with ${current.serverUrl} as ${current.instanceName}; ` +
          `to register it with ${config.serverUrl} instead, run again with --force\n`,
      );
      return 1;
    }
    await writeConfig(configPath, config, existing);
    io.out(
      `already registered as ${current.instanceName} (${current.instanceId}) with ${current.serverUrl}; ` +
        `credential kept (${credentials.path}), config ${configPath} updated. --force registers again.\n`,
    );
    return 0;
  }

  const token = args.token ?? (typeof existing.registrationToken === 'string' ? existing.registrationToken : undefined);
  if (!token) throw new UsageError('--token is required to register (a drr_… token from the console or the API)');
  const api = new ApiClient({ serverUrl: config.serverUrl, agentVersion: AGENT_VERSION, credential: () => null });
  const stop = new AbortController();
  let response;
  try {
    response = await withRetry(
      'register',
      () =>
        api.register(
          {
            registrationToken: token,
            name: config.instanceName,
            tags: config.tags,
            hostname: host.slice(0, 255),
            platform: `${platform()} ${release()}`.slice(0, 100),
            agentVersion: AGENT_VERSION,
          },
          stop.signal,
        ),
      {
        policy: { baseMs: 500, capMs: 4000 },
        logger: quietLogger(io),
        signal: stop.signal,
        maxAttempts: 4,
        onUnauthorized: async (e) => {
          throw e;
        },
      },
    );
  } catch (err) {
    io.err(`drover-agent: registration failed: ${(err as Error).message}\n`);
    return 1;
  }
  await mkdir(config.rootDir, { recursive: true, mode: 0o711 });
  await credentials.save({
    instanceId: response.instanceId,
    instanceName: response.instanceName,
    credential: response.credential,
    serverUrl: config.serverUrl,
    registeredAt: new Date().toISOString(),
  });
  await writeConfig(configPath, { ...config, instanceName: response.instanceName }, existing);
  io.out(
    `registered as ${response.instanceName} (${response.instanceId}) with ${config.serverUrl}\n` +
      `  credential: ${credentials.path} (0600)\n` +
      `  config:     ${configPath} (0600)\n`,
  );
  return 0;
}

async function writeConfig(path: string, config: AgentConfig, existing: Record<string, unknown>): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  await writeTextAtomic(path, renderConfig(config, existing), 0o600);
}
