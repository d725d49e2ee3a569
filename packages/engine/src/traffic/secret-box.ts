// Secrets Drover must use again later (a traffic webhook's signing secret) are kept encrypted at rest with
// AES-256-GCM under a key derived from SECRET_KEY; the database alone does not reveal them.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { invalid } from '../infra/errors';

const keyOf = (secretKey: string) => createHash('sha256').update(`drover-secret-box:${secretKey}`).digest();

function requireKey(secretKey: string | undefined): string {
  if (!secretKey) {
    throw invalid(
      'SecretKeyMissing',
      'SECRET_KEY is not set: the server cannot store or use secrets (docs/configuration.md)',
    );
  }
  return secretKey;
}

export function sealSecret(secretKey: string | undefined, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(requireKey(secretKey)), iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
}

export function openSecret(secretKey: string | undefined, sealed: string): string {
  const [iv, tag, body] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
  if (!iv || !tag || !body) throw new Error('sealed secret is malformed');
  const decipher = createDecipheriv('aes-256-gcm', keyOf(requireKey(secretKey)), iv);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('a stored secret cannot be decrypted: SECRET_KEY changed since it was stored; rotate the secret');
  }
}

/** A new Standard Webhooks secret: whsec_ and 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
