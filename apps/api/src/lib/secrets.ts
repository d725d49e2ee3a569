// Bearer secrets: random, prefixed by kind so a leaked one is recognisable, stored only as a SHA-256 hash
// (they carry 256 bits of entropy, so a slow password hash adds nothing).
import { createHash, randomBytes } from 'node:crypto';

type SecretKind = 'drv' | 'dra' | 'drr' | 'drs' | 'drw';

export function newSecret(kind: SecretKind): { secret: string; hash: string; prefix: string } {
  const secret = `${kind}_${randomBytes(32).toString('base64url')}`;
  return { secret, hash: hashSecret(secret), prefix: secret.slice(0, 10) };
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
