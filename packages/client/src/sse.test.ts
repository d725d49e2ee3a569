import { describe, expect, it } from 'vitest';
import { SseParser, readSse } from './sse';

const collect = (chunks: string[]) => {
  const p = new SseParser();
  return chunks.flatMap((c) => p.push(c));
};

describe('SseParser', () => {
  it('reads named events, joins multi-line data and ignores comments', () => {
    const msgs = collect([
      ': keep-alive\n\nevent: deployment\ndata: {"a":1}\n\nevent: log\ndata: line 1\ndata: line 2\nid: 7\n\n',
    ]);
    expect(msgs).toEqual([
      { event: 'deployment', data: '{"a":1}', id: undefined },
      { event: 'log', data: 'line 1\nline 2', id: '7' },
    ]);
  });

  it('gives the same messages whatever the chunk boundaries, with LF, CRLF or CR line ends', () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      const text = `event: target${eol}data: {"x": "é"}${eol}${eol}data: plain${eol}${eol}`;
      const whole = collect([text]);
      expect(whole).toEqual([
        { event: 'target', data: '{"x": "é"}', id: undefined },
        { event: 'message', data: 'plain', id: undefined },
      ]);
      for (let cut = 1; cut < text.length; cut++) expect(collect([text.slice(0, cut), text.slice(cut)])).toEqual(whole);
      expect(collect(text.split(''))).toEqual(whole);
    }
  });

  it('keeps the value after "data:" without a space, and a field with no colon as empty', () => {
    expect(collect(['data:x\ndata\n\n'])).toEqual([{ event: 'message', data: 'x\n', id: undefined }]);
  });

  it('dispatches nothing for an event name without data, and resets the name after a blank line', () => {
    expect(collect(['event: lonely\n\ndata: y\n\n'])).toEqual([{ event: 'message', data: 'y', id: undefined }]);
  });
});

describe('readSse', () => {
  it('decodes a UTF-8 character split across chunks and drops an unterminated last message', async () => {
    const bytes = new TextEncoder().encode('event: log\ndata: héllo\n\ndata: cut off');
    const split = bytes.indexOf(0xc3) + 1; // inside the two-byte é
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes.subarray(0, split));
        c.enqueue(bytes.subarray(split));
        c.close();
      },
    });
    const out = [];
    for await (const m of readSse(body)) out.push(m);
    expect(out).toEqual([{ event: 'log', data: 'héllo', id: undefined }]);
  });

  it('cancels the underlying stream when the reader stops early', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(new TextEncoder().encode('data: tick\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const m of readSse(body)) {
      expect(m.data).toBe('tick');
      break;
    }
    expect(cancelled).toBe(true);
  });
});
