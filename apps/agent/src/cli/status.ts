// `drover-agent status`: what this host's agent is, from local state only plus one request to the server's
// /healthz — registered as what, whether the server answers, the running agent's last poll and current command.
// Exit 0 when registered, running and the server answers; 1 otherwise, so scripts can check a host with it.
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { CredentialStore, type StoredCredential } from '../api/credential-store';
import { httpRequest, readText } from '../api/http';
import { ConfigError, loadConfig, type AgentConfig } from '../config';
import { readStatusFile, type AgentStatusRecord } from '../state/status-file';
import { AGENT_VERSION } from '../version';
import type { CliIo } from './register';
import { DEFAULT_CONFIG, UsageError } from './usage';

export interface StatusReport {
  version: string;
  config: string;
  serverUrl: string;
  registered: { instanceName: string; instanceId: string; serverUrl: string; registeredAt: string } | null;
  /** Why the credential could not be read (permissions), when it could not. */
  credentialError?: string;
  server: { reachable: boolean; detail: string };
  agent: {
    running: boolean;
    pid: number | null;
    version: string | null;
    startedAt: string | null;
    lastPollAt: string | null;
    lastPollError: { at: string; message: string } | null;
    currentCommand: AgentStatusRecord['currentCommand'];
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function probe(serverUrl: string): Promise<{ reachable: boolean; detail: string }> {
  const url = `${serverUrl.replace(/\/+$/, '')}/healthz`;
  const started = Date.now();
  try {
    const res = await httpRequest(url, { signal: AbortSignal.timeout(5000) });
    await readText(res.body).catch(() => '');
    const ms = Date.now() - started;
    // Any HTTP answer means the network path works; the status says whether the server is healthy too.
    return { reachable: true, detail: `${url} answered ${res.status} in ${ms} ms` };
  } catch (err) {
    return { reachable: false, detail: `${url}: ${(err as Error).message}` };
  }
}

export async function collectStatus(configPath: string | undefined): Promise<StatusReport> {
  const path = configPath ?? DEFAULT_CONFIG;
  let config: AgentConfig;
  try {
    config = loadConfig(configPath ?? (existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : undefined));
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(`invalid configuration: ${err.message}`);
    throw err;
  }
  const store = new CredentialStore(config.rootDir);
  let credential: StoredCredential | null = null;
  let credentialError: string | undefined;
  try {
    credential = await store.load();
  } catch (err) {
    credentialError = (err as Error).message;
  }
  const [server, record] = await Promise.all([probe(config.serverUrl), readStatusFile(config.rootDir)]);
  const running = record !== null && record.stoppedAt === null && alive(record.pid);
  return {
    version: AGENT_VERSION,
    config: path,
    serverUrl: config.serverUrl,
    registered: credential
      ? {
          instanceName: credential.instanceName,
          instanceId: credential.instanceId,
          serverUrl: credential.serverUrl,
          registeredAt: credential.registeredAt,
        }
      : null,
    ...(credentialError ? { credentialError } : {}),
    server,
    agent: {
      running,
      pid: running ? (record?.pid ?? null) : null,
      version: record?.version ?? null,
      startedAt: record?.startedAt ?? null,
      lastPollAt: record?.lastPollAt ?? null,
      lastPollError: record?.lastPollError ?? null,
      currentCommand: running ? (record?.currentCommand ?? null) : null,
    },
  };
}

function ago(iso: string | null, now: number): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  const text = s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`;
  return `${iso} (${text} ago)`;
}

export function formatStatus(r: StatusReport, now = Date.now()): string {
  const lines = [`drover-agent ${r.version}`, `config:       ${r.config}`];
  lines.push(
    r.registered
      ? `registered:   ${r.registered.instanceName} (${r.registered.instanceId}) with ${r.registered.serverUrl} since ${r.registered.registeredAt}`
      : `registered:   no${r.credentialError ? ` (${r.credentialError})` : ' (run drover-agent register)'}`,
  );
  lines.push(`server:       ${r.server.reachable ? 'reachable' : 'UNREACHABLE'}: ${r.server.detail}`);
  const a = r.agent;
  lines.push(
    a.running
      ? `agent:        running, pid ${a.pid}, version ${a.version}, since ${a.startedAt}`
      : `agent:        not running${a.startedAt ? ` (last ran ${a.version} from ${a.startedAt})` : ''}`,
  );
  lines.push(`last poll:    ${ago(a.lastPollAt, now)}`);
  if (a.lastPollError) lines.push(`poll error:   ${a.lastPollError.message} at ${a.lastPollError.at}`);
  const c = a.currentCommand;
  lines.push(
    c
      ? `running:      ${c.lifecycleEvent} of deployment ${c.deploymentId} (${c.applicationName}/${c.deploymentGroupName}) since ${c.startedAt}`
      : 'running:      nothing',
  );
  return `${lines.join('\n')}\n`;
}

export async function statusCommand(argv: string[], io: CliIo): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { config: { type: 'string' }, json: { type: 'boolean' } },
    }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const report = await collectStatus(values.config);
  io.out(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatStatus(report));
  return report.registered && report.server.reachable && report.agent.running ? 0 : 1;
}
