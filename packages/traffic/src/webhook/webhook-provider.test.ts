// The provider's pure rules: configuration checks, back-off and poll timing, redaction, and filling in a receiver's
// server view. The HTTP exchange itself is tested against a real receiver in tests/integration/traffic.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createWebhookProvider, pollDelayMs, redactUrl, retryDelayMs, toServerView } from './webhook-provider';

const secret = `whsec_${randomBytes(32).toString('base64')}`;

describe('createWebhookProvider', () => {
  it('describes the receiver without its query (it may carry a token)', () => {
    const provider = createWebhookProvider({ url: 'https://lb.example:8443/drover?token=t', secret });
    expect(provider.description).toBe('webhook at https://lb.example:8443/drover?…');
  });

  it('refuses a url that is not http(s), a bad secret and a bad timeout at creation', () => {
    expect(() => createWebhookProvider({ url: 'lb.example/hook', secret })).toThrow(
      'traffic webhook: the url "lb.example/hook" is not a valid absolute URL',
    );
    expect(() => createWebhookProvider({ url: 'ftp://lb.example/hook', secret })).toThrow(
      'traffic webhook: the url must be http:// or https://, not ftp://',
    );
    expect(() => createWebhookProvider({ url: 'https://u:p@lb.example/hook', secret })).toThrow(
      'the url must not carry a user or password',
    );
    expect(() => createWebhookProvider({ url: 'http://lb.example/', secret: 'hunter2' })).toThrow(
      'traffic webhook: the webhook secret must start with "whsec_"',
    );
    expect(() => createWebhookProvider({ url: 'http://lb.example/', secret, timeoutMs: 0 })).toThrow(
      'timeoutMs must be a number of milliseconds > 0',
    );
  });
});

describe('retryDelayMs', () => {
  it('doubles from 0.5 s up to 8 s, within ±25 %', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((a) => retryDelayMs(a, () => 0.5))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000, 8000,
    ]);
    expect(retryDelayMs(0, () => 0)).toBe(375);
    expect(retryDelayMs(1, () => 0.999_999)).toBe(1250);
  });
});

describe('pollDelayMs', () => {
  it('defaults to 1 s and keeps the receiver within 0.2–30 s', () => {
    expect(pollDelayMs(undefined)).toBe(1000);
    expect(pollDelayMs(2.5)).toBe(2500);
    expect(pollDelayMs(0)).toBe(200);
    expect(pollDelayMs(3600)).toBe(30_000);
    expect(pollDelayMs(Number.NaN)).toBe(1000);
  });
});

describe('redactUrl', () => {
  it('drops user, password and query', () => {
    expect(redactUrl(new URL('http://a:b@127.0.0.1:9000/x/y?k=v#f'))).toBe('http://127.0.0.1:9000/x/y?…');
    expect(redactUrl(new URL('https://lb.example/'))).toBe('https://lb.example/');
  });
});

describe('toServerView', () => {
  it('fills in what the receiver left out', () => {
    expect(toServerView('web', { server: 'a', status: 'UP', adminState: 'ready', health: 'up' })).toEqual({
      backend: 'web',
      server: 'a',
      status: 'UP',
      adminState: 'ready',
      health: 'up',
      checkStatus: null,
      sessions: 0,
      queued: 0,
      weight: 1,
      address: null,
    });
  });
});
