// Readers for the API's streaming answers over real HTTP: server-sent events and followed (chunked) text.

export interface SseEvent {
  event: string;
  data: unknown;
}

/** Opens a stream and collects what arrives; `until` resolves once the server ends the response. */
export async function openStream(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  let text = '';
  const waiters: { test: (t: string) => boolean; resolve: () => void; reject: (err: unknown) => void }[] = [];
  /** Tells each waiter what it is waiting for now: met, or a check that threw (reported, never swallowed). */
  const check = () => {
    for (const w of [...waiters]) {
      let met: boolean;
      try {
        met = w.test(text);
      } catch (err) {
        waiters.splice(waiters.indexOf(w), 1);
        w.reject(err);
        continue;
      }
      if (met) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  let failure: Error | null = null;
  const ended = (async () => {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
        check();
      }
    } catch (err) {
      if (controller.signal.aborted) return; // close()
      failure = new Error(`stream: reading failed: ${(err as Error).message}; received ${text.slice(-500)}`);
      for (const w of waiters.splice(0)) w.reject(failure);
    }
  })();
  return {
    res,
    get text() {
      return text;
    },
    /** Resolves once the received text satisfies test, or rejects after ms. */
    waitFor(test: (t: string) => boolean, ms = 15_000): Promise<void> {
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`stream: timed out; received ${text.slice(-500)}`)), ms);
        waiters.push({
          test,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
          reject: (err) => {
            clearTimeout(timer);
            reject(err);
          },
        });
        check();
      });
    },
    /** Resolves when the server ends the response, or rejects after ms. */
    async ended(ms = 15_000): Promise<void> {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`stream: not ended after ${ms} ms`)), ms);
      });
      try {
        await Promise.race([ended, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    close() {
      controller.abort();
    },
  };
}

/** Parses text/event-stream text into events (comments such as keep-alives are dropped). */
export function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.includes('data:'))
    .map((block) => {
      const lines = block.split('\n');
      const event =
        lines
          .find((l) => l.startsWith('event:'))
          ?.slice(6)
          .trim() ?? 'message';
      const data = lines
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      return { event, data: JSON.parse(data) as unknown };
    });
}
