// GET /v1/deployments/:id/targets/:target/events/:event/log: one lifecycle event's output as text/plain, from a
// given seq on. With follow=true the answer stays open and streams new chunks until the event ends: the deployment's
// pub/sub channel (the one the event stream uses, through the process's shared subscription) says when there is
// something new to read from the database, and a slow poll covers a lost message.
import { LOG_NEXT_SEQ_HEADER, type DeploymentNoticeWire, type LifecycleEventStatus } from '@drover/contracts';
import { isTerminalEventStatus } from '@drover/domain';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ChannelHub } from './stream-hub';

/** Without a notice, read again this often anyway (a message lost between processes only delays). */
const FOLLOW_FALLBACK_MS = 5_000;
/** Notices in a burst are read together. */
const FOLLOW_COALESCE_MS = 100;

interface LogChunk {
  seq: number;
  data: string;
}

/** Reads the event's status and its chunks from a seq on. */
type ReadEventLog = (fromSeq: number) => Promise<{ status: LifecycleEventStatus; chunks: LogChunk[] }>;

/** The seq after the last chunk, or `fallback` when there is none. */
const nextSeq = (chunks: LogChunk[], fallback: number) =>
  chunks.length ? chunks[chunks.length - 1]!.seq + 1 : fallback;

export async function sendEventLog(
  req: FastifyRequest,
  reply: FastifyReply,
  opts: {
    fromSeq: number;
    follow: boolean;
    read: ReadEventLog;
    /** The deployment's channel on the shared subscription, and which target and event this log is. */
    notices: { hub: ChannelHub; channel: string; targetId: string; eventName: string };
  },
) {
  const first = await opts.read(opts.fromSeq);
  reply.header(LOG_NEXT_SEQ_HEADER, String(nextSeq(first.chunks, opts.fromSeq)));
  if (!opts.follow || isTerminalEventStatus(first.status)) {
    return reply
      .code(200)
      .type('text/plain; charset=utf-8')
      .send(first.chunks.map((c) => c.data).join(''));
  }
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-cache',
    'x-request-id': req.id,
  });
  let next = opts.fromSeq;
  const write = (chunks: LogChunk[]) => {
    for (const c of chunks) if (c.seq >= next) res.write(c.data);
    next = nextSeq(chunks, next);
  };
  write(first.chunks);
  let closed = false;
  let wake: () => void = () => undefined;
  const { hub, channel, targetId, eventName } = opts.notices;
  const unsubscribe = await hub.subscribe(channel, (message) => {
    const n = JSON.parse(message) as DeploymentNoticeWire;
    // Output of this event, or a change of its host's state (the event may have ended).
    if ((n.t === 'log' && n.targetId === targetId && n.eventName === eventName) || n.t !== 'log') wake();
  });
  req.raw.once('close', () => {
    closed = true;
    wake();
  });
  try {
    while (!closed) {
      await new Promise<void>((resolve) => {
        const fallback = setTimeout(resolve, FOLLOW_FALLBACK_MS);
        wake = () => {
          clearTimeout(fallback);
          setTimeout(resolve, FOLLOW_COALESCE_MS);
        };
      });
      if (closed) break;
      const more = await opts.read(next);
      write(more.chunks);
      if (isTerminalEventStatus(more.status)) break;
    }
  } finally {
    unsubscribe();
    res.end();
  }
}
