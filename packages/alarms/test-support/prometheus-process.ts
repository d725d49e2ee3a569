// A real Prometheus (Debian's /usr/bin/prometheus) for alarm tests: scrapes the given loopback targets every
// scrapeIntervalSeconds, evaluates the given alerting rules, and sends alerts to an Alertmanager when given one. The
// config is JSON (which is YAML), written to a temp dir with the TSDB.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runDaemon, sparePort } from './run-daemon';

export interface AlertRule {
  alert: string;
  expr: string;
  /** Prometheus duration, e.g. "0s", "2s". */
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface StartPrometheusOptions {
  /** `127.0.0.1:<port>` targets of one scrape job named `job` (default "app"). */
  scrapeTargets: string[];
  job?: string;
  metricsPath?: string;
  scrapeIntervalSeconds?: number;
  evaluationIntervalSeconds?: number;
  rules?: AlertRule[];
  /** `127.0.0.1:<port>` of an Alertmanager to send alerts to. */
  alertmanager?: string;
}

export interface PrometheusProcess {
  /** The HTTP API base, http://127.0.0.1:<port>: what a prometheus alarm's url takes. */
  url: string;
  port: number;
  configText: string;
  /** An instant query's data.result (throws on an error answer). */
  query(expr: string): Promise<unknown>;
  /** Waits until every target of the job is up (scraped at least once). */
  waitForTargets(timeoutMs?: number): Promise<void>;
  /** Waits until Prometheus lists the Alertmanager (alerts fired before then are dropped for a minute). */
  waitForAlertmanager(timeoutMs?: number): Promise<void>;
  output(): string;
  running(): boolean;
  stop(): Promise<void>;
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`Prometheus: ${what} not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function startPrometheus(opts: StartPrometheusOptions): Promise<PrometheusProcess> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'drover-prometheus-'));
  const port = await sparePort();
  const job = opts.job ?? 'app';
  const config = {
    global: {
      scrape_interval: `${opts.scrapeIntervalSeconds ?? 1}s`,
      evaluation_interval: `${opts.evaluationIntervalSeconds ?? 1}s`,
    },
    ...(opts.rules?.length ? { rule_files: [path.join(dir, 'rules.yml')] } : {}),
    ...(opts.alertmanager
      ? { alerting: { alertmanagers: [{ static_configs: [{ targets: [opts.alertmanager] }] }] } }
      : {}),
    scrape_configs: [
      {
        job_name: job,
        ...(opts.metricsPath ? { metrics_path: opts.metricsPath } : {}),
        scrape_timeout: `${opts.scrapeIntervalSeconds ?? 1}s`,
        static_configs: [{ targets: opts.scrapeTargets }],
      },
    ],
  };
  const configText = JSON.stringify(config, null, 2);
  await writeFile(path.join(dir, 'prometheus.yml'), configText);
  if (opts.rules?.length) {
    await writeFile(
      path.join(dir, 'rules.yml'),
      JSON.stringify({ groups: [{ name: 'drover-test', rules: opts.rules }] }),
    );
  }
  const daemon = await runDaemon({
    binary: process.env.PROMETHEUS_BIN ?? 'prometheus',
    args: [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
      // An alert that fires before the Alertmanager is discovered is resent this soon instead of after a minute.
      '--rules.alert.resend-delay=1s',
    ],
    port,
    dir,
  });
  const api = async (p: string) => {
    const res = await fetch(`${daemon.url}${p}`, { signal: AbortSignal.timeout(5_000) });
    return (await res.json()) as {
      status: string;
      data: Record<string, unknown> & { result?: unknown };
      error?: string;
    };
  };
  return {
    url: daemon.url,
    port,
    configText,
    async query(expr) {
      const a = await api(`/api/v1/query?query=${encodeURIComponent(expr)}`);
      if (a.status !== 'success') throw new Error(`query ${expr} failed: ${a.error}`);
      return a.data.result;
    },
    waitForTargets: (timeoutMs = 15_000) =>
      until('every target up', timeoutMs, async () => {
        const a = await api('/api/v1/targets');
        const targets = (a.data.activeTargets ?? []) as Array<{ health: string }>;
        return targets.length === opts.scrapeTargets.length && targets.every((t) => t.health === 'up');
      }),
    waitForAlertmanager: (timeoutMs = 15_000) =>
      until('the Alertmanager discovered', timeoutMs, async () => {
        const a = await api('/api/v1/alertmanagers');
        return ((a.data.activeAlertmanagers ?? []) as unknown[]).length > 0;
      }),
    output: daemon.output,
    running: daemon.running,
    stop: daemon.stop,
  };
}
