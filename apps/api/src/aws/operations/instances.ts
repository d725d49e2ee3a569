// On-premises instances: every Drover host. Hosts register themselves with a registration token (the agent), so
// RegisterOnPremisesInstance, which binds an IAM identity, is refused with what to do instead.
import { InstanceName } from '@drover/contracts';
import type { ListInstancesQuery } from '@drover/contracts';
import { AppError } from '@drover/engine';
import { z } from 'zod';
import { awsError } from '../aws-error';
import { toAwsInstanceInfo } from '../mapping/resources';
import { type AwsCall, op, PAGE } from '../operation';

const TagInput = z.object({ Key: z.string().min(1).max(128), Value: z.string().max(256).optional() });

async function instance(call: AwsCall, name: string) {
  try {
    return await call.s.instances.get(name);
  } catch (err) {
    if (err instanceof AppError && err.code === 'InstanceDoesNotExist') {
      throw awsError('InstanceNotRegisteredException', `instance ${name} is not registered`);
    }
    throw err;
  }
}

export const instanceOperations = {
  RegisterOnPremisesInstance: op({
    role: 'admin',
    input: z.object({
      instanceName: InstanceName,
      iamSessionArn: z.string().optional(),
      iamUserArn: z.string().optional(),
    }),
    async run() {
      throw awsError(
        'InvalidOperationException',
        'Drover hosts register themselves: create a registration token (drover registration-token create, or POST ' +
          '/v1/registration-tokens) and start drover-agent with it; the host then appears under its instance name',
      );
    },
  }),

  DeregisterOnPremisesInstance: op({
    role: 'admin',
    input: z.object({ instanceName: InstanceName }),
    async run(i, call) {
      await instance(call, i.instanceName);
      await call.s.instances.deregister(i.instanceName, call.actor);
      return undefined;
    },
  }),

  GetOnPremisesInstance: op({
    role: 'viewer',
    input: z.object({ instanceName: InstanceName }),
    async run(i, call) {
      return { instanceInfo: toAwsInstanceInfo(await instance(call, i.instanceName)) };
    },
  }),

  BatchGetOnPremisesInstances: op({
    role: 'viewer',
    input: z.object({ instanceNames: z.array(InstanceName).min(1) }),
    async run(i, call) {
      if (i.instanceNames.length > 25) throw awsError('BatchLimitExceededException', 'at most 25 instances per call');
      const out = [];
      for (const name of new Set(i.instanceNames)) {
        try {
          out.push(toAwsInstanceInfo(await call.s.instances.get(name)));
        } catch (err) {
          if (!(err instanceof AppError && err.code === 'InstanceDoesNotExist')) throw err;
        }
      }
      return { instanceInfos: out };
    },
  }),

  ListOnPremisesInstances: op({
    role: 'viewer',
    input: z.object({
      registrationStatus: z.enum(['Registered', 'Deregistered']).optional(),
      tagFilters: z
        .array(z.object({ Key: z.string().optional(), Value: z.string().optional(), Type: z.string().optional() }))
        .max(20)
        .optional(),
      nextToken: z.string().max(400).optional(),
    }),
    async run(i, call) {
      // Tag filters narrow together (AND), as repeated ?tag= does on the REST API.
      const tag = (i.tagFilters ?? []).map((f) => {
        if (f.Type === 'KEY_AND_VALUE' && f.Key) return `${f.Key}=${f.Value ?? ''}`;
        if (f.Type === 'KEY_ONLY' && f.Key) return f.Key;
        throw awsError('InvalidTagFilterException', 'tagFilters: use KEY_AND_VALUE or KEY_ONLY with a Key');
      });
      const q: ListInstancesQuery = {
        tag,
        ...(i.registrationStatus ? { registrationStatus: i.registrationStatus } : {}),
        cursor: i.nextToken,
        limit: PAGE,
      };
      const p = await call.s.instances.list(q);
      return { instanceNames: p.items.map((x) => x.instanceName), nextToken: p.nextCursor ?? undefined };
    },
  }),

  AddTagsToOnPremisesInstances: op({
    role: 'deployer',
    input: z.object({ tags: z.array(TagInput).min(1).max(10), instanceNames: z.array(InstanceName).min(1) }),
    async run(i, call) {
      // Every name must exist before any host changes.
      for (const name of i.instanceNames) await instance(call, name);
      const tags = i.tags.map((t) => ({ key: t.Key, value: t.Value ?? '' }));
      for (const name of i.instanceNames) await call.s.instances.addTags(name, { tags }, call.actor);
      return undefined;
    },
  }),

  RemoveTagsFromOnPremisesInstances: op({
    role: 'deployer',
    input: z.object({ tags: z.array(TagInput).min(1).max(10), instanceNames: z.array(InstanceName).min(1) }),
    async run(i, call) {
      const hosts = [];
      for (const name of i.instanceNames) hosts.push(await instance(call, name));
      for (const h of hosts) {
        // A tag is removed when its key matches and, if a Value is given, its value too (CodeDeploy's rule).
        const keys = i.tags
          .filter((t) => h.tags.some((ht) => ht.key === t.Key && (t.Value === undefined || ht.value === t.Value)))
          .map((t) => t.Key);
        if (keys.length) await call.s.instances.removeTags(h.instanceName, keys, call.actor);
      }
      return undefined;
    },
  }),
};
