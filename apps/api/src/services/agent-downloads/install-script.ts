// GET /install.sh: the installer (install.sh beside this file, a POSIX sh script) with this server's public URL
// written in, so `curl -fsSL <url>/install.sh | sudo sh -s -- --token …` needs no other argument.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TEMPLATE = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'install.sh'), 'utf8');
const PLACEHOLDER = /@@SERVER_URL@@/g;

/**
 * The URL agents reach this server at: PUBLIC_URL when set, else the scheme and host the request came in on
 * (X-Forwarded-Proto/Host behind a proxy). Only URL characters go into the script: no quote can end its strings.
 */
export function serverUrlFor(publicUrl: string | undefined, req: { protocol: string; host: string }): string {
  const url = new URL(publicUrl ?? `${req.protocol}://${req.host}`);
  const text = `${url.origin}${url.pathname}`.replace(/\/+$/, '');
  if (!/^https?:\/\/[A-Za-z0-9._~:/%[\]@!$&()*+,;=-]+$/.test(text) || /['\\`"]/.test(text)) {
    throw new Error(`cannot put ${JSON.stringify(text)} into the install script`);
  }
  return text;
}

export function renderInstallScript(serverUrl: string): string {
  return TEMPLATE.replace(PLACEHOLDER, serverUrl);
}

/** The one line users run (the console and `GET /agent/download` show it with the token filled in). */
export function installCommand(serverUrl: string): string {
  return `curl -fsSL ${serverUrl}/install.sh | sudo sh -s --`;
}
