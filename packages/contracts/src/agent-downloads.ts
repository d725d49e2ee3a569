// GET /agent/download: the agent builds a server offers to the install script (and to anyone installing by hand).
import { z } from 'zod';

export const AgentArtefact = z.object({
  file: z.string(),
  /** `node` for the .mjs bundle (needs Node ≥ 20.19 on the host); `linux-x64`/`linux-arm64` for executables. */
  platform: z.enum(['node', 'linux-x64', 'linux-arm64']),
  kind: z.enum(['bundle', 'executable']),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  url: z.string(),
  sha256Url: z.string(),
});
export type AgentArtefact = z.infer<typeof AgentArtefact>;

export const AgentDownloads = z.object({
  /** The agent version this server's builds are (null when not built): hosts reporting another one are outdated. */
  version: z.string().nullable(),
  /** The one-line install for this server; add `--token drr_…` and `--tag k=v`. */
  installCommand: z.string(),
  artefacts: z.array(AgentArtefact),
});
export type AgentDownloads = z.infer<typeof AgentDownloads>;

export const AgentDownloadParams = z.object({
  file: z
    .string()
    .max(64)
    .regex(/^[A-Za-z0-9._-]+$/, 'a file name (letters, digits, . _ -)'),
});
