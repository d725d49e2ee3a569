// /v1/applications/:app/deployment-groups
import {
  DeploymentGroupDetail,
  DeploymentGroupInfo,
  DeploymentGroupPage,
  type CreateDeploymentGroupRequest,
  type ListDeploymentGroupsQuery,
  type UpdateDeploymentGroupRequest,
} from '@drover/contracts';
import type { z } from 'zod';
import { encode, type Transport } from '../http';

export function deploymentGroupsApi(t: Transport) {
  const all = (app: string) => `/v1/applications/${encode(app)}/deployment-groups`;
  const one = (app: string, group: string) => `${all(app)}/${encode(group)}`;
  return {
    list: (app: string, query: Partial<z.input<typeof ListDeploymentGroupsQuery>> = {}, signal?: AbortSignal) =>
      t.json('GET', all(app), DeploymentGroupPage, { query, signal }),
    /** With the hosts the group targets now and its last deployments. */
    get: (app: string, group: string, signal?: AbortSignal) =>
      t.json('GET', one(app, group), DeploymentGroupDetail, { signal }),
    create: (app: string, body: z.input<typeof CreateDeploymentGroupRequest>) =>
      t.json('POST', all(app), DeploymentGroupInfo, { json: body }),
    /** Only the fields given change; null clears the clearable ones. */
    update: (app: string, group: string, body: z.input<typeof UpdateDeploymentGroupRequest>) =>
      t.json('PATCH', one(app, group), DeploymentGroupInfo, { json: body }),
    delete: (app: string, group: string) => t.empty('DELETE', one(app, group)),
  };
}
