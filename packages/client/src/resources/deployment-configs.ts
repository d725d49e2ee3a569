// /v1/deployment-configs
import {
  DeploymentConfigInfo,
  DeploymentConfigPage,
  type CreateDeploymentConfigRequest,
  type ListDeploymentConfigsQuery,
} from '@drover/contracts';
import type { z } from 'zod';
import { encode, type Transport } from '../http';

export function deploymentConfigsApi(t: Transport) {
  const one = (name: string) => `/v1/deployment-configs/${encode(name)}`;
  return {
    list: (query: Partial<z.input<typeof ListDeploymentConfigsQuery>> = {}, signal?: AbortSignal) =>
      t.json('GET', '/v1/deployment-configs', DeploymentConfigPage, { query, signal }),
    get: (name: string, signal?: AbortSignal) => t.json('GET', one(name), DeploymentConfigInfo, { signal }),
    create: (body: z.input<typeof CreateDeploymentConfigRequest>) =>
      t.json('POST', '/v1/deployment-configs', DeploymentConfigInfo, { json: body }),
    delete: (name: string) => t.empty('DELETE', one(name)),
  };
}
