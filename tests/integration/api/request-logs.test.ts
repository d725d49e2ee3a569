// Request logging at LOG_LEVEL info: console and CLI requests are logged, the agent protocol's are not (a large
// fleet's polls would flood the log), yet the agent calls themselves still work.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../support/api';
import { AGENT_API_PREFIX } from '@drover/contracts';

const lines: Array<{ msg?: string; req?: { url?: string }; res?: { statusCode?: number } }> = [];
let api: TestApi;

beforeAll(async () => {
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  api = await startTestApi({}, { logger: { level: 'info', stream } });
});
afterAll(async () => {
  await api.close();
});

it('logs REST requests at info but not the agent protocol', async () => {
  const token = await api.app.inject({
    method: 'POST',
    url: '/v1/registration-tokens',
    headers: api.as('admin'),
    payload: { name: 'fleet' },
  });
  expect(token.statusCode, token.body).toBe(201);
  const registered = await api.app.inject({
    method: 'POST',
    url: `${AGENT_API_PREFIX}/register`,
    payload: { registrationToken: token.json().token, name: 'quiet-1', tags: [] },
  });
  expect(registered.statusCode, registered.body).toBe(201);
  const poll = await api.app.inject({
    method: 'POST',
    url: `${AGENT_API_PREFIX}/poll`,
    headers: { authorization: `Bearer ${registered.json().credential}` },
    payload: { waitSeconds: 0 },
  });
  expect(poll.statusCode, poll.body).toBe(200);
  expect(poll.json()).toEqual({ command: null });
  const unauthorized = await api.app.inject({
    method: 'POST',
    url: `${AGENT_API_PREFIX}/poll`,
    payload: { waitSeconds: 0 },
  });
  expect(unauthorized.statusCode).toBe(401);

  const urls = lines.map((l) => l.req?.url).filter((u): u is string => !!u);
  expect(urls).toContain('/v1/registration-tokens');
  expect(urls.filter((u) => u.startsWith('/agent/'))).toEqual([]);
});
