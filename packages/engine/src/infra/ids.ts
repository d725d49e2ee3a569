import { randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Deployment ids look like CodeDeploy's: d-XXXXXXXXX. */
export function newDeploymentId(): string {
  let s = 'd-';
  for (let i = 0; i < 9; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}
