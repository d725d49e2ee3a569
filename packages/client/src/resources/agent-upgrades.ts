// /v1/agent-upgrades: upgrading hosts' agents to the server's build, and following it.
import {
  AgentUpgradeInfo,
  AgentUpgradePage,
  CreateAgentUpgradeRequest,
  CreateAgentUpgradeResponse,
  ListAgentUpgradesQuery,
} from '@drover/contracts';
import type { z } from 'zod';
import type { Transport } from '../http';

export function agentUpgradesApi(t: Transport) {
  return {
    create: (body: z.input<typeof CreateAgentUpgradeRequest>) =>
      t.json('POST', '/v1/agent-upgrades', CreateAgentUpgradeResponse, { json: body }),
    get: (upgradeId: string, signal?: AbortSignal) =>
      t.json('GET', `/v1/agent-upgrades/${encodeURIComponent(upgradeId)}`, AgentUpgradeInfo, { signal }),
    list: (query: Partial<z.input<typeof ListAgentUpgradesQuery>> = {}, signal?: AbortSignal) =>
      t.json('GET', '/v1/agent-upgrades', AgentUpgradePage, { query, signal }),
  };
}
