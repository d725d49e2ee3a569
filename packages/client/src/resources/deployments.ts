// /v1/deployments: create, plan preview, list/get, targets, logs, stop/rollback/continue, and the live event stream.
import {
  AlarmCheckList,
  DeploymentInfo,
  DeploymentPage,
  PlanResponse,
  StopDeploymentResponse,
  StreamLog,
  TargetInfo,
  TargetPage,
  TrafficShiftList,
  type CreateDeploymentRequest,
  type DeploymentStatus,
  type LifecycleEventName,
  type ListDeploymentsQuery,
  type ListTargetsQuery,
  type PlanRequest,
} from '@drover/contracts';
import type { z } from 'zod';
import { checkShape, encode, type Transport } from '../http';
import { readSse } from '../sse';

/** One message of GET /v1/deployments/:id/events, checked against the contracts. */
export type DeploymentStreamEvent =
  | { type: 'deployment'; deployment: DeploymentInfo }
  | { type: 'target'; target: TargetInfo }
  | { type: 'log'; log: StreamLog };

export type ListDeploymentsParams = Partial<Omit<z.input<typeof ListDeploymentsQuery>, 'status'>> & {
  /** Only these statuses (a list, or the API's comma-separated form). */
  status?: DeploymentStatus[] | string | undefined;
};

export interface LogRead {
  text: string;
  /** Pass as fromSeq to read only what comes after. */
  nextSeq: number;
}

export function deploymentsApi(t: Transport) {
  const one = (id: string) => `/v1/deployments/${encode(id)}`;
  const logPath = (id: string, target: string, event: LifecycleEventName) =>
    `${one(id)}/targets/${encode(target)}/events/${encode(event)}/log`;
  const eventsPath = (id: string) => `${one(id)}/events`;

  return {
    create: (body: z.input<typeof CreateDeploymentRequest>) =>
      t.json('POST', '/v1/deployments', DeploymentInfo, { json: body }),
    /** What a deployment would do now: hosts, batches, the minimum healthy hosts, and whether it can succeed. */
    plan: (body: z.input<typeof PlanRequest>, signal?: AbortSignal) =>
      t.json('POST', '/v1/deployments/plan', PlanResponse, { json: body, signal }),
    list: (params: ListDeploymentsParams = {}, signal?: AbortSignal) =>
      t.json('GET', '/v1/deployments', DeploymentPage, {
        query: { ...params, status: Array.isArray(params.status) ? params.status.join(',') : params.status },
        signal,
      }),
    get: (id: string, signal?: AbortSignal) => t.json('GET', one(id), DeploymentInfo, { signal }),
    targets: (id: string, query: Partial<z.input<typeof ListTargetsQuery>> = {}, signal?: AbortSignal) =>
      t.json('GET', `${one(id)}/targets`, TargetPage, { query, signal }),
    target: (id: string, targetId: string, signal?: AbortSignal) =>
      t.json('GET', `${one(id)}/targets/${encode(targetId)}`, TargetInfo, { signal }),

    /** Stops a running deployment; `rollback` also redeploys the group's last good revision to the hosts it touched. */
    /** `now`: end hooks running now (their agents kill the scripts) instead of letting them finish. */
    stop: (id: string, opts: { rollback?: boolean; now?: boolean } = {}) =>
      t.json('POST', `${one(id)}/stop`, StopDeploymentResponse, {
        json: { autoRollbackEnabled: opts.rollback ?? false, ...(opts.now ? { now: true } : {}) },
      }),
    /** Rolls a finished deployment back: a new deployment of the group's previous good revision. */
    rollback: (id: string) => t.json('POST', `${one(id)}/rollback`, DeploymentInfo),
    continue: (id: string, deploymentWaitType: 'READY_WAIT' | 'TERMINATION_WAIT' = 'READY_WAIT') =>
      t.json('POST', `${one(id)}/continue`, DeploymentInfo, { json: { deploymentWaitType } }),
    /** Canary/linear: skip the remaining traffic steps (and the bake); all traffic to the replacement now. */
    promote: (id: string) => t.json('POST', `${one(id)}/promote`, DeploymentInfo, { json: {} }),
    trafficShifts: (id: string, signal?: AbortSignal) =>
      t.json('GET', `${one(id)}/traffic-shifts`, TrafficShiftList, { signal }),
    alarmChecks: (id: string, signal?: AbortSignal) =>
      t.json('GET', `${one(id)}/alarm-checks`, AlarmCheckList, { signal }),

    /** The output of one lifecycle event on one host, from `fromSeq` on. */
    async log(
      id: string,
      target: string,
      event: LifecycleEventName,
      opts: { fromSeq?: number; signal?: AbortSignal } = {},
    ) {
      const res = await t.send('GET', logPath(id, target, event), {
        query: { fromSeq: opts.fromSeq },
        headers: { accept: 'text/plain' },
        signal: opts.signal,
      });
      const text = await res.text();
      const next = Number(res.headers.get('x-drover-next-seq'));
      return { text, nextSeq: Number.isInteger(next) ? next : (opts.fromSeq ?? 0) } satisfies LogRead;
    },

    /** Streams one event's output as it is written, until the event finishes. */
    async *followLog(
      id: string,
      target: string,
      event: LifecycleEventName,
      opts: { fromSeq?: number; signal?: AbortSignal } = {},
    ): AsyncGenerator<string> {
      const res = await t.send('GET', logPath(id, target, event), {
        query: { fromSeq: opts.fromSeq, follow: 'true' },
        headers: { accept: 'text/plain' },
        signal: opts.signal,
        noTimeout: true,
      });
      if (!res.body) return;
      const decoder = new TextDecoder();
      // A reader rather than `for await` over the body: browsers without async-iterable streams (Safari) read it too.
      const reader = res.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          const text = decoder.decode(value, { stream: true });
          if (text) yield text;
        }
      } finally {
        await reader.cancel().catch(() => undefined);
        reader.releaseLock();
      }
      const rest = decoder.decode();
      if (rest) yield rest;
    },

    /** The live stream's URL, for a browser's EventSource (which holds the connection and reconnects itself). */
    eventsUrl: (id: string) => t.url(eventsPath(id)),

    /** The live stream, message by message; it ends after the deployment finishes (or when `signal` aborts). The
     *  first message is the deployment as it is now. Targets appear only when they change: read them once with
     *  targets() (watchDeployment does both). */
    async *events(id: string, opts: { signal?: AbortSignal } = {}): AsyncGenerator<DeploymentStreamEvent> {
      const path = eventsPath(id);
      const res = await t.send('GET', path, {
        headers: { accept: 'text/event-stream' },
        signal: opts.signal,
        noTimeout: true,
      });
      if (!res.body) return;
      for await (const msg of readSse(res.body)) {
        const data = parseJson(msg.data);
        const what = `GET ${path} (${msg.event})`;
        if (msg.event === 'deployment')
          yield { type: 'deployment', deployment: checkShape(DeploymentInfo, data, what, res) };
        else if (msg.event === 'target') yield { type: 'target', target: checkShape(TargetInfo, data, what, res) };
        else if (msg.event === 'log') yield { type: 'log', log: checkShape(StreamLog, data, what, res) };
        // Other event names are newer than this client: ignored, as EventSource listeners would.
      }
    },
  };
}

export type DeploymentsApi = ReturnType<typeof deploymentsApi>;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
