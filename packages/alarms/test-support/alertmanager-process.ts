// A real Alertmanager (Debian's prometheus-alertmanager) for alarm tests: one route to one webhook receiver (Drover's,
// with a bearer token as http_config.authorization), short group timings so notifications come within a second or
// two, and no cluster gossip port. fireAlert/resolveAlert post alerts straight to its API (POST /api/v2/alerts), so
// tests need no Prometheus rules to make it notify.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runDaemon, sparePort } from './run-daemon';

export interface StartAlertmanagerOptions {
  /** Where Alertmanager POSTs its notifications (Drover's /v1/alarms/alertmanager/webhook). */
  webhookUrl: string;
  /** Sent as "Authorization: Bearer <token>". */
  bearerToken?: string;
  groupWaitSeconds?: number;
  groupIntervalSeconds?: number;
  repeatIntervalSeconds?: number;
  groupBy?: string[];
}

export interface AlertmanagerProcess {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  /** `127.0.0.1:<port>`, for Prometheus' alerting config. */
  hostPort: string;
  configText: string;
  /** Posts a firing alert (labels must hold alertname). */
  fireAlert(labels: Record<string, string>, annotations?: Record<string, string>): Promise<void>;
  /** Posts the same alert with endsAt now: Alertmanager resolves it and sends the resolved notice. */
  resolveAlert(labels: Record<string, string>): Promise<void>;
  output(): string;
  running(): boolean;
  stop(): Promise<void>;
}

export async function startAlertmanager(opts: StartAlertmanagerOptions): Promise<AlertmanagerProcess> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'drover-alertmanager-'));
  const port = await sparePort();
  const config = {
    route: {
      receiver: 'drover',
      group_by: opts.groupBy ?? ['alertname'],
      group_wait: `${opts.groupWaitSeconds ?? 0}s`,
      group_interval: `${opts.groupIntervalSeconds ?? 1}s`,
      repeat_interval: `${opts.repeatIntervalSeconds ?? 3600}s`,
    },
    receivers: [
      {
        name: 'drover',
        webhook_configs: [
          {
            url: opts.webhookUrl,
            send_resolved: true,
            ...(opts.bearerToken
              ? { http_config: { authorization: { type: 'Bearer', credentials: opts.bearerToken } } }
              : {}),
          },
        ],
      },
    ],
  };
  const configText = JSON.stringify(config, null, 2);
  await writeFile(path.join(dir, 'alertmanager.yml'), configText);
  const daemon = await runDaemon({
    binary: process.env.ALERTMANAGER_BIN ?? 'prometheus-alertmanager',
    args: [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // Empty: no HA gossip (it would bind 0.0.0.0:9094).
      '--cluster.listen-address=',
    ],
    port,
    dir,
  });
  const post = async (alerts: unknown[]) => {
    const res = await fetch(`${daemon.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
      signal: AbortSignal.timeout(5_000),
    });
    if (res.status !== 200) throw new Error(`Alertmanager refused the alert: HTTP ${res.status} ${await res.text()}`);
    await res.body?.cancel();
  };
  return {
    url: daemon.url,
    port,
    hostPort: `127.0.0.1:${port}`,
    configText,
    fireAlert: (labels, annotations = {}) =>
      post([{ labels, annotations, startsAt: new Date().toISOString(), generatorURL: 'http://127.0.0.1/drover-test' }]),
    resolveAlert: (labels) =>
      post([{ labels, startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date().toISOString() }]),
    output: daemon.output,
    running: daemon.running,
    stop: daemon.stop,
  };
}
