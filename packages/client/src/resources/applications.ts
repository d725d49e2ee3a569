// /v1/applications
import {
  ApplicationInfo,
  ApplicationPage,
  type CreateApplicationRequest,
  type ListApplicationsQuery,
  type UpdateApplicationRequest,
} from '@drover/contracts';
import type { z } from 'zod';
import { encode, type Transport } from '../http';

export function applicationsApi(t: Transport) {
  const one = (name: string) => `/v1/applications/${encode(name)}`;
  return {
    list: (query: Partial<z.input<typeof ListApplicationsQuery>> = {}, signal?: AbortSignal) =>
      t.json('GET', '/v1/applications', ApplicationPage, { query, signal }),
    get: (name: string, signal?: AbortSignal) => t.json('GET', one(name), ApplicationInfo, { signal }),
    create: (body: z.input<typeof CreateApplicationRequest>) =>
      t.json('POST', '/v1/applications', ApplicationInfo, { json: body }),
    /** Renames (the only change CodeDeploy's UpdateApplication makes). */
    update: (name: string, body: z.input<typeof UpdateApplicationRequest>) =>
      t.json('PATCH', one(name), ApplicationInfo, { json: body }),
    delete: (name: string) => t.empty('DELETE', one(name)),
  };
}
