// /agent/download: the agent builds the server offers, their version and the install line (public).
import { AgentDownloads } from '@drover/contracts';
import type { Transport } from '../http';

export function agentDownloadsApi(t: Transport) {
  return {
    list: (signal?: AbortSignal) => t.json('GET', '/agent/download', AgentDownloads, { signal }),
  };
}
