// The agent builds this server hands out (GET /agent/download/…): the plain .mjs bundle for hosts with Node and one
// self-contained executable per platform, from the agent's dist directory (`pnpm build`, `pnpm --filter
// @drover/agent build:sea`). Each file's checksum is the one its build wrote beside it (<file>.sha256); the server
// never recomputes it, so a file altered after the build no longer matches and the install script refuses it.
import { createReadStream, type ReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentArtefact } from '@drover/contracts';
import { notFound } from '@drover/engine';

const DEFAULT_AGENT_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../agent/dist');

/** What can be downloaded, whether or not it has been built here. */
export const ARTEFACTS = [
  { file: 'drover-agent.mjs', platform: 'node', kind: 'bundle' },
  { file: 'drover-agent-linux-x64', platform: 'linux-x64', kind: 'executable' },
  { file: 'drover-agent-linux-arm64', platform: 'linux-arm64', kind: 'executable' },
] as const;
type Known = (typeof ARTEFACTS)[number];

export const DOWNLOAD_PREFIX = '/agent/download';

export interface AgentArtefacts {
  dir: string;
  list(): Promise<AgentArtefact[]>;
  /** The version of the builds (version.json, written by the agent's build), or null. */
  version(): Promise<string | null>;
  /** `<hex>  <file>\n`, as sha256sum prints and `sha256sum -c` reads. */
  checksum(file: string): Promise<string>;
  open(file: string): Promise<{ stream: ReadStream; size: number; sha256: string }>;
}

function known(file: string): Known {
  const found = ARTEFACTS.find((a) => a.file === file);
  if (!found) {
    throw notFound(
      'AgentArtefactNotFound',
      `no agent file ${JSON.stringify(file)}; the files are ${ARTEFACTS.map((a) => a.file).join(', ')} (GET ${DOWNLOAD_PREFIX} lists what this server has)`,
    );
  }
  return found;
}

function notBuilt(a: Known): Error {
  const how =
    a.kind === 'bundle'
      ? 'pnpm --filter @drover/agent build'
      : `pnpm --filter @drover/agent build:sea --platform ${a.platform}`;
  return notFound('AgentArtefactNotBuilt', `${a.file} is not built on this server (the operator runs: ${how})`);
}

export function createAgentArtefacts(dir: string | undefined): AgentArtefacts {
  const root = dir ?? DEFAULT_AGENT_DIST;

  async function digest(a: Known): Promise<string | null> {
    const text = await readFile(path.join(root, `${a.file}.sha256`), 'utf8').catch(() => null);
    const hex = text?.trim().split(/\s+/)[0]?.toLowerCase();
    return hex && /^[0-9a-f]{64}$/.test(hex) ? hex : null;
  }

  async function sizeOf(a: Known): Promise<number | null> {
    const s = await stat(path.join(root, a.file)).catch(() => null);
    return s?.isFile() ? s.size : null;
  }

  return {
    dir: root,
    async list() {
      const found = await Promise.all(
        ARTEFACTS.map(async (a) => {
          const [size, sha256] = await Promise.all([sizeOf(a), digest(a)]);
          if (size === null || sha256 === null) return null;
          return {
            file: a.file,
            platform: a.platform,
            kind: a.kind,
            size,
            sha256,
            url: `${DOWNLOAD_PREFIX}/${a.file}`,
            sha256Url: `${DOWNLOAD_PREFIX}/${a.file}.sha256`,
          };
        }),
      );
      return found.filter((a): a is NonNullable<typeof a> => a !== null);
    },
    async version() {
      const text = await readFile(path.join(root, 'version.json'), 'utf8').catch(() => null);
      try {
        const v = (JSON.parse(text ?? 'null') as { version?: unknown } | null)?.version;
        return typeof v === 'string' && v.length <= 100 ? v : null;
      } catch {
        return null;
      }
    },
    async checksum(file) {
      const a = known(file);
      const [size, sha256] = await Promise.all([sizeOf(a), digest(a)]);
      if (size === null || sha256 === null) throw notBuilt(a);
      return `${sha256}  ${a.file}\n`;
    },
    async open(file) {
      const a = known(file);
      const [size, sha256] = await Promise.all([sizeOf(a), digest(a)]);
      if (size === null || sha256 === null) throw notBuilt(a);
      return { stream: createReadStream(path.join(root, a.file)), size, sha256 };
    },
  };
}
