// /v1/instances: hosts running drover-agent, their tags and traffic address.
import {
  InstanceDetail,
  InstanceInfo,
  InstancePage,
  type ListInstancesQuery,
  type Tag,
  type UpdateInstanceRequest,
} from '@drover/contracts';
import type { z } from 'zod';
import { encode, type Transport } from '../http';

export function instancesApi(t: Transport) {
  const one = (name: string) => `/v1/instances/${encode(name)}`;
  return {
    /** Filters combine with AND; `tag` is `key=value` or `key`, one string or several. */
    list: (query: Partial<z.input<typeof ListInstancesQuery>> = {}, signal?: AbortSignal) =>
      t.json('GET', '/v1/instances', InstancePage, { query, signal }),
    get: (name: string, signal?: AbortSignal) => t.json('GET', one(name), InstanceDetail, { signal }),
    /** Only the fields given change: `trafficAddress` is `host:port`, or null to clear it. */
    update: (name: string, body: z.input<typeof UpdateInstanceRequest>) =>
      t.json('PATCH', one(name), InstanceDetail, { json: body }),
    /** Adds tags, replacing the value of keys the host already has. */
    addTags: (name: string, tags: Tag[]) => t.json('PUT', `${one(name)}/tags`, InstanceInfo, { json: { tags } }),
    removeTags: (name: string, keys: string[]) =>
      t.json('DELETE', `${one(name)}/tags`, InstanceInfo, { query: { key: keys } }),
    /** Admin: takes the host out of every group; its agent credential stops working. */
    deregister: (name: string) => t.json('POST', `${one(name)}/deregister`, InstanceInfo),
  };
}
