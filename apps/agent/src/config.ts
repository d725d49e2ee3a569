// Agent configuration: a YAML file (--config) overlaid by DROVER_* environment variables, validated by zod.
// The result is the plain object startAgent() takes, so tests build one directly with agentConfig({...}).
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { InstanceName, Tag } from '@drover/contracts';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

const positiveInt = () =>
  z.coerce.number({ message: 'must be a number' }).int('must be a whole number').positive('must be positive');

export const ArchiveLimits = z.strictObject({
  /** Largest bundle the agent downloads, in bytes. */
  maxBundleBytes: positiveInt().default(4 * GiB),
  /** Largest total size of the extracted files, in bytes. */
  maxExtractedBytes: positiveInt().default(8 * GiB),
  maxEntries: positiveInt().default(200_000),
  /** Extracted bytes per archive byte beyond which the archive is treated as a bomb (checked past 1 MiB). */
  maxCompressionRatio: positiveInt().default(200),
});
export type ArchiveLimits = z.infer<typeof ArchiveLimits>;

export const AgentConfig = z.strictObject({
  serverUrl: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }),
  /** Needed only until the first successful registration; afterwards credential.json is used. */
  registrationToken: z.string().min(1).max(200).optional(),
  instanceName: InstanceName,
  tags: z.array(Tag).max(50).default([]),
  rootDir: z.string().startsWith('/', 'must be an absolute path').default('/var/lib/drover-agent'),
  logDir: z.string().startsWith('/', 'must be an absolute path').default('/var/log/drover-agent'),
  maxRevisions: positiveInt().max(1000).default(5),
  limits: ArchiveLimits.default(ArchiveLimits.parse({})),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** Also copy agent log lines to stderr (journald picks them up under systemd). */
  logToStderr: z.boolean().default(true),
  /** Long-poll hold the agent asks for; the server caps it at 25 s. */
  pollWaitSeconds: z.coerce.number().int().min(0).max(25).default(25),
  heartbeatIntervalSeconds: z.coerce.number().positive().default(15),
  /** Retry backoff (exponential, full jitter) for network errors and 5xx. */
  backoffBaseMs: positiveInt().default(1000),
  backoffCapMs: positiveInt().default(60_000),
  /** Wait after a 401 before trying again: the credential was revoked, nothing fast will fix it. */
  unauthorizedBackoffMs: positiveInt().default(300_000),
  /** Between SIGTERM and SIGKILL of a hook's process group when it times out. */
  hookKillGraceMs: positiveInt().default(5000),
  /** How long to keep reading a hook's stdout/stderr after its main process exited. */
  outputGraceMs: positiveInt().default(2000),
});
export type AgentConfig = z.infer<typeof AgentConfig>;
export type AgentConfigInput = z.input<typeof AgentConfig>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const ENV_KEYS: Record<string, string> = {
  DROVER_SERVER_URL: 'serverUrl',
  DROVER_REGISTRATION_TOKEN: 'registrationToken',
  DROVER_INSTANCE_NAME: 'instanceName',
  DROVER_ROOT_DIR: 'rootDir',
  DROVER_LOG_DIR: 'logDir',
  DROVER_MAX_REVISIONS: 'maxRevisions',
  DROVER_LOG_LEVEL: 'logLevel',
  DROVER_POLL_WAIT_SECONDS: 'pollWaitSeconds',
};
const ENV_LIMIT_KEYS: Record<string, keyof ArchiveLimits> = {
  DROVER_MAX_BUNDLE_BYTES: 'maxBundleBytes',
  DROVER_MAX_EXTRACTED_BYTES: 'maxExtractedBytes',
  DROVER_MAX_ARCHIVE_ENTRIES: 'maxEntries',
  DROVER_MAX_COMPRESSION_RATIO: 'maxCompressionRatio',
};

/** DROVER_TAGS="env=prod,role=web" → [{key:'env',value:'prod'},…]. */
export function parseTagList(text: string): Array<{ key: string; value: string }> {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      const key = (eq < 0 ? part : part.slice(0, eq)).trim();
      if (!key) throw new ConfigError(`DROVER_TAGS: "${part}" has no key (expected k=v,k2=v2)`);
      return { key, value: eq < 0 ? '' : part.slice(eq + 1).trim() };
    });
}

/** A config file may write tags as a mapping ({env: prod}) or as a list of {key, value}. */
function normaliseFileTags(tags: unknown): unknown {
  if (tags && typeof tags === 'object' && !Array.isArray(tags)) {
    return Object.entries(tags as Record<string, unknown>).map(([key, value]) => ({ key, value: String(value ?? '') }));
  }
  return tags;
}

/** Overlays environment variables (which win) on the file's values and validates the result. */
export function resolveConfig(fileValues: Record<string, unknown>, env: NodeJS.ProcessEnv): AgentConfig {
  const merged: Record<string, unknown> = { ...fileValues };
  // Remember which settings came from the environment, so an error names the variable the operator set.
  const sources = new Map<string, string>();
  if ('tags' in merged) merged.tags = normaliseFileTags(merged.tags);
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value !== undefined && value !== '') {
      merged[key] = value;
      sources.set(key, name);
    }
  }
  if (env.DROVER_TAGS !== undefined) {
    merged.tags = parseTagList(env.DROVER_TAGS);
    sources.set('tags', 'DROVER_TAGS');
  }
  const limits: Record<string, unknown> = { ...((merged.limits as Record<string, unknown> | undefined) ?? {}) };
  for (const [name, key] of Object.entries(ENV_LIMIT_KEYS)) {
    const value = env[name];
    if (value !== undefined && value !== '') {
      limits[key] = value;
      sources.set(`limits.${key}`, name);
    }
  }
  merged.limits = limits;
  // Default the instance name to the host name when it is a valid name; otherwise make the operator choose.
  if (merged.instanceName === undefined && InstanceName.safeParse(hostname()).success) merged.instanceName = hostname();
  return agentConfig(merged, sources);
}

/** Validates a config object, throwing a ConfigError whose message is one readable line. */
export function agentConfig(input: Record<string, unknown>, sources = new Map<string, string>()): AgentConfig {
  const result = AgentConfig.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.map(String) ?? [];
  const key = path.join('.') || 'config';
  // Tags errors point inside the list (tags.0.key); name the variable for the whole list.
  const envName = sources.get(key) ?? sources.get(path[0] ?? '');
  // zod does not echo the input in issues; look it up to tell "missing" from "wrong".
  const value = path.reduce<unknown>(
    (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
    input,
  );
  const message = issue?.code === 'invalid_type' && value === undefined ? 'is required' : issue?.message;
  throw new ConfigError(`${envName ? `${envName} (${key})` : key}: ${message ?? 'invalid'}`);
}

/** Reads the YAML file (if any) and the environment. Throws ConfigError for anything wrong. */
export function loadConfig(configPath: string | undefined, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  let fileValues: Record<string, unknown> = {};
  if (configPath) {
    let text: string;
    try {
      text = readFileSync(configPath, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read ${configPath}: ${(err as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(text);
    } catch (err) {
      throw new ConfigError(`${configPath}: ${(err as Error).message.split('\n')[0]}`);
    }
    if (parsed !== null && parsed !== undefined && (typeof parsed !== 'object' || Array.isArray(parsed))) {
      throw new ConfigError(`${configPath}: must be a YAML mapping`);
    }
    fileValues = (parsed as Record<string, unknown> | null) ?? {};
  }
  return resolveConfig(fileValues, env);
}
