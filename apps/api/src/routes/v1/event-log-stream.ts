// GET /v1/deployments/:id/targets/:target/events/:event/log: one lifecycle event's output as text/plain, from a
// given seq on. With follow=true the answer stays open and streams new chunks until the event ends, polling the
// database gently: simple, and correct across API processes.
import { LOG_NEXT_SEQ_HEADER, type LifecycleEventStatus } from '@drover/contracts';
import { isTerminalEventStatus } from '@drover/domain';
import type { FastifyReply, FastifyRequest } from 'fastify';

const FOLLOW_POLL_MS = 500;

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
  opts: { fromSeq: number; follow: boolean; read: ReadEventLog },
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
  req.raw.once('close', () => (closed = true));
  while (!closed) {
    await new Promise((r) => setTimeout(r, FOLLOW_POLL_MS));
    const more = await opts.read(next);
    write(more.chunks);
    if (isTerminalEventStatus(more.status)) break;
  }
  res.end();
}
