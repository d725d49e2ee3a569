// Bearer secrets: random, prefixed by kind so a leaked one is recognisable, stored only as a SHA-256 hash
// (they carry 256 bits of entropy, so a slow password hash adds nothing).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type SecretKind = 'drv' | 'dra' | 'drr' | 'drs';

export function newSecret(kind: SecretKind): { secret: string; hash: string; prefix: string } {
  const secret = `${kind}_${randomBytes(32).toString('base64url')}`;
  return { secret, hash: hashSecret(secret), prefix: secret.slice(0, 10) };
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
