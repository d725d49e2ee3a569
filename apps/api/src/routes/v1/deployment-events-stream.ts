// GET /v1/deployments/:id/events: the live stream of one deployment as server-sent events. The first message is the
// deployment as it is now; then the deployment's Redis channel says what changed, and the changed rows are re-read
// from PostgreSQL (so a lost message only delays). The stream ends once the deployment has finished.
import {
  isTerminalDeploymentStatus,
  type DeploymentInfo,
  type DeploymentNoticeWire,
  type TargetInfo,
} from '@drover/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ChannelHub } from './stream-hub';

/** Coalesce bursts of changes into at most a few stream messages a second per client. */
const STREAM_FLUSH_MS = 250;
/** A comment line now and then, so proxies and browsers keep an idle stream open. */
const KEEP_ALIVE_MS = 15_000;

interface DeploymentEventsSource {
  get(id: string): Promise<DeploymentInfo>;
  targetsById(deploymentId: string, ids: string[]): Promise<TargetInfo[]>;
  /** The process's one subscription to deployment channels (stream-hub.ts). */
  hub: ChannelHub;
  /** The deployment's pub/sub channel. */
  channel: string;
}

export async function streamDeploymentEvents(
  req: FastifyRequest,
  reply: FastifyReply,
  id: string,
  src: DeploymentEventsSource,
): Promise<void> {
  const initial = await src.get(id);
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  send('deployment', initial);
  let unsubscribe: () => void = () => undefined;
  const pendingTargets = new Set<string>();
  let depDirty = false;
  let closed = false;
  const flush = async () => {
    if (closed) return;
    const ids = [...pendingTargets];
    pendingTargets.clear();
    if (ids.length) for (const t of await src.targetsById(id, ids)) send('target', t);
    if (depDirty) {
      depDirty = false;
      const d = await src.get(id);
      send('deployment', d);
      if (isTerminalDeploymentStatus(d.status)) close();
    }
  };
  const timer = setInterval(() => void flush().catch(() => undefined), STREAM_FLUSH_MS);
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(timer);
    clearInterval(keepAlive);
    unsubscribe();
    res.end();
  };
  unsubscribe = await src.hub.subscribe(src.channel, (message: string) => {
    if (closed) return;
    const n = JSON.parse(message) as DeploymentNoticeWire;
    if (n.t === 'log') send('log', { targetId: n.targetId, eventName: n.eventName, seq: n.seq, data: n.data });
    else if (n.t === 'tgt') for (const t of n.ids) pendingTargets.add(t);
    depDirty = true;
  });
  if (closed) return;
  req.raw.once('close', close);
  if (isTerminalDeploymentStatus(initial.status)) return close();
  // A change between the first read and the subscription was published before this stream listened: read once more,
  // and send the deployment again only if it changed meanwhile.
  const current = await src.get(id);
  if (JSON.stringify(current) !== JSON.stringify(initial)) depDirty = true;
}
