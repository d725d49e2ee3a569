// Standard Webhooks 1.0 signing for the traffic webhook, both sides: Drover signs each request, and a receiver (a
// user's service, or a test) verifies it. Both go through the standardwebhooks library so the two sides cannot drift
// apart from the spec or from each other.
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { DroverWebhookRequest } from './webhook-provider';

export { WebhookVerificationError };

const SECRET_PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Check a `whsec_<base64>` secret and return why it is unusable, or null when it is fine. The spec asks for 24 to 64
 * random bytes; fewer is too easy to guess, and a typo'd secret should fail at configuration, not at the first deploy.
 */
export function secretProblem(secret: string): string | null {
  if (!secret.startsWith(SECRET_PREFIX))
    return 'the webhook secret must start with "whsec_" (Standard Webhooks format)';
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (!BASE64.test(encoded) || encoded.length % 4 !== 0) {
    return 'the webhook secret must be "whsec_" followed by base64 (A–Z, a–z, 0–9, +, /, = padding)';
  }
  const bytes = Buffer.from(encoded, 'base64').length;
  if (bytes < 24 || bytes > 64) return `the webhook secret must encode 24 to 64 bytes; it encodes ${bytes}`;
  return null;
}

/** The three Standard Webhooks headers of one delivery attempt. */
export type SignatureHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/** Sign a body as one delivery attempt at `at` (a retry signs again with its own timestamp, same id). */
export function signDroverWebhook(secret: string, id: string, at: Date, body: string): SignatureHeaders {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}

type HeaderBag = Headers | Record<string, string | string[] | undefined>;

function plainHeaders(headers: HeaderBag): Record<string, string> {
  const out: Record<string, string> = {};
  const entries = headers instanceof Headers ? [...headers.entries()] : Object.entries(headers);
  for (const [key, value] of entries) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[key.toLowerCase()] = first;
  }
  return out;
}

/**
 * For a receiver: check a request's Standard Webhooks signature with the shared secret and return its body. Throws
 * WebhookVerificationError on missing headers, a signature that does not match, or a timestamp more than 5 minutes
 * away from now (a replay). Pass the body exactly as received, before any JSON parsing.
 */
export function verifyDroverWebhook(
  secret: string,
  headers: HeaderBag,
  rawBody: string | Buffer,
): DroverWebhookRequest {
  return new Webhook(secret).verify(rawBody, plainHeaders(headers)) as DroverWebhookRequest;
}
