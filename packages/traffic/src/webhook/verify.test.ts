// Signing and verifying: Drover's signature verifies on the receiver's side, and anything altered, unsigned, signed
// with another secret or too old does not.
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { secretProblem, signDroverWebhook, verifyDroverWebhook, WebhookVerificationError } from './verify';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const body = JSON.stringify({ version: 1, action: 'block', requestId: 'r-1', backend: 'web', servers: [] });

describe('secretProblem', () => {
  it('accepts whsec_ with 24 to 64 bytes of base64', () => {
    expect(secretProblem(secret)).toBeNull();
    expect(secretProblem(`whsec_${randomBytes(24).toString('base64')}`)).toBeNull();
    expect(secretProblem(`whsec_${randomBytes(64).toString('base64')}`)).toBeNull();
  });

  it('says what is wrong with anything else', () => {
    expect(secretProblem(randomBytes(32).toString('base64'))).toMatch(/must start with "whsec_"/);
    expect(secretProblem('whsec_not base64!')).toMatch(/followed by base64/);
    expect(secretProblem(`whsec_${randomBytes(16).toString('base64')}`)).toBe(
      'the webhook secret must encode 24 to 64 bytes; it encodes 16',
    );
    expect(secretProblem(`whsec_${randomBytes(66).toString('base64')}`)).toMatch(/it encodes 66/);
  });
});

describe('signDroverWebhook and verifyDroverWebhook', () => {
  it('sign HMAC-SHA256 of id.timestamp.body with the decoded secret, as Standard Webhooks says', () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    const headers = signDroverWebhook(secret, 'r-1', at, body);
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update(`r-1.${headers['webhook-timestamp']}.${body}`).digest('base64');
    expect(headers).toEqual({
      'webhook-id': 'r-1',
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': `v1,${expected}`,
    });
  });

  it('reproduce the worked example of docs/traffic-webhook-provider.md', () => {
    const docsSecret = 'whsec_YW4gZXhhbXBsZSBzZWNyZXQsIG5ldmVyIHVzZSBpdCE=';
    const id = '3f1c2a8e-5b7d-4c0e-9a61-2d4e8f7b6c15';
    const request = {
      version: 1,
      action: 'block',
      requestId: id,
      backend: 'web',
      servers: [{ server: 'app-1', address: '10.0.1.11:8080' }],
      drainTimeoutSeconds: 30,
      context: { deploymentId: 'd-4KX9Q2M7B', lifecycleEvent: 'BlockTraffic', instanceName: 'app-1' },
    };
    const sign = (r: object, at: number) =>
      signDroverWebhook(docsSecret, id, new Date(at * 1000), JSON.stringify(r))['webhook-signature'];
    expect(Buffer.from(docsSecret.slice(6), 'base64').toString()).toBe('an example secret, never use it!');
    expect(sign(request, 1767323045)).toBe('v1,eZgXf0mxmEFy/WZ2sw/lbG8Jz+POpUoueZe4cHfva8E=');
    expect(sign({ ...request, action: 'status' }, 1767323047)).toBe('v1,hk5hHCioMEjMLNKgIUQllxfsTa4/u3aObDi/eRj13aY=');
  });

  it('verify a fresh signature and return the body, whatever the header case or container', () => {
    const headers = signDroverWebhook(secret, 'r-1', new Date(), body);
    expect(verifyDroverWebhook(secret, headers, body)).toEqual(JSON.parse(body));
    expect(verifyDroverWebhook(secret, new Headers(headers), Buffer.from(body))).toEqual(JSON.parse(body));
    const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), [v]]));
    expect(verifyDroverWebhook(secret, upper, body)).toEqual(JSON.parse(body));
  });

  it('refuse a changed body, another secret, missing headers and a replay older than 5 minutes', () => {
    const headers = signDroverWebhook(secret, 'r-1', new Date(), body);
    const other = `whsec_${randomBytes(32).toString('base64')}`;
    expect(() => verifyDroverWebhook(secret, headers, body.replace('block', 'allow'))).toThrow(
      WebhookVerificationError,
    );
    expect(() => verifyDroverWebhook(other, headers, body)).toThrow('No matching signature found');
    expect(() => verifyDroverWebhook(secret, { 'webhook-id': 'r-1' }, body)).toThrow('Missing required headers');
    const old = signDroverWebhook(secret, 'r-1', new Date(Date.now() - 6 * 60_000), body);
    expect(() => verifyDroverWebhook(secret, old, body)).toThrow('Message timestamp too old');
    const future = signDroverWebhook(secret, 'r-1', new Date(Date.now() + 6 * 60_000), body);
    expect(() => verifyDroverWebhook(secret, future, body)).toThrow('Message timestamp too new');
  });
});
