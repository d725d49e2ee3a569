// /v1/agent-upgrades: upgrading the agents of chosen hosts to this server's build (admin), and following it (viewer).
import {
  AgentUpgradeInfo,
  AgentUpgradePage,
  AgentUpgradeParams,
  CreateAgentUpgradeRequest,
  CreateAgentUpgradeResponse,
  ListAgentUpgradesQuery,
} from '@drover/contracts';
import type { ZodApp } from '../../lib/zod-app';
import type { Services } from '../../services';
import { actor, authErrors, conflictError, notFoundError } from './route-support';

const tags = ['agent upgrades'];

export function registerAgentUpgradeRoutes(app: ZodApp, s: Services) {
  app.post(
    '/agent-upgrades',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'createAgentUpgrade',
        description:
          "Upgrades the agents of the named hosts (or, with allOutdated, of every registered host not on this server's " +
          'build) to the build GET /agent/download offers. Each agent takes it on its next idle poll, checks the ' +
          'sha256, replaces itself and restarts; a host has upgraded when it polls with the new version. Hosts running ' +
          'a lifecycle event are refused (409 InstancesBusy); hosts already on the version are left out (alreadyCurrent).',
        tags,
        body: CreateAgentUpgradeRequest,
        response: { 201: CreateAgentUpgradeResponse, ...authErrors, ...notFoundError, ...conflictError },
      },
    },
    async (req, reply) => reply.code(201).send(await s.agentUpgrades.create(req.body, actor(req))),
  );

  app.get(
    '/agent-upgrades',
    {
      config: { auth: 'viewer' },
      schema: {
        operationId: 'listAgentUpgrades',
        description: 'Newest first.',
        tags,
        querystring: ListAgentUpgradesQuery,
        response: { 200: AgentUpgradePage, ...authErrors },
      },
    },
    async (req) => s.agentUpgrades.list(req.query),
  );

  app.get(
    '/agent-upgrades/:upgradeId',
    {
      config: { auth: 'viewer' },
      schema: {
        operationId: 'getAgentUpgrade',
        tags,
        params: AgentUpgradeParams,
        response: { 200: AgentUpgradeInfo, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.agentUpgrades.get(req.params.upgradeId),
  );
}
