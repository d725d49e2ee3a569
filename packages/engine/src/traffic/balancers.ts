// From stored load balancers to live providers, and from a group's loadBalancerInfo to the (balancer, backend)
// pairs a deployment drives. A name in loadBalancerInfo is `<balancer>/<backend>`, or just `<balancer>` when that
// balancer has one backend; CodeDeploy's elbInfoList and targetGroupInfoList are both accepted.
import type { LoadBalancerInfo } from '@drover/contracts';
import type { LoadBalancer, Prisma } from '@drover/db';
import { createHaproxyProvider, createWebhookProvider, type TrafficProvider } from '@drover/traffic';
import { invalid } from '../infra/errors';
import { openSecret } from './secret-box';

/** One backend a deployment drives, with the balancer's timing, as snapshotted on the deployment. */
export interface TrafficBinding {
  loadBalancerId: string;
  loadBalancerName: string;
  backend: string;
  serverMapping: 'instanceName' | 'address';
  drainTimeoutSeconds: number;
  healthTimeoutSeconds: number;
  killSessionsOnDrainTimeout: boolean;
}

/** A live provider for a stored balancer; `context` tells a webhook receiver which deployment and host ask. */
export function providerFor(
  lb: LoadBalancer,
  secretKey: string | undefined,
  context?: { deploymentId: string; lifecycleEvent: string; instanceName: string },
): TrafficProvider {
  if (lb.provider === 'haproxy') {
    if (!lb.haproxySocket) throw new Error(`load balancer ${lb.name} has no HAProxy socket`);
    return createHaproxyProvider({ socket: lb.haproxySocket });
  }
  if (!lb.webhookUrl || !lb.webhookSecretEnc) throw new Error(`load balancer ${lb.name} has no webhook settings`);
  const provider = createWebhookProvider({
    url: lb.webhookUrl,
    secret: openSecret(secretKey, lb.webhookSecretEnc),
    userAgent: 'drover/0.1.0',
  });
  return context ? provider.withContext(context) : provider;
}

/** The names a group's loadBalancerInfo gives, in order, without repeats. */
export function balancerNames(info: LoadBalancerInfo | null | undefined): string[] {
  if (!info) return [];
  const names = [...(info.targetGroupInfoList ?? []), ...(info.elbInfoList ?? [])].map((n) => n.name);
  return [...new Set(names)];
}

/**
 * Resolves loadBalancerInfo against the stored balancers. An unknown balancer or backend is a 400 naming the field,
 * so a typo fails when the group is saved, not when a deployment reaches BlockTraffic.
 */
export async function resolveTrafficBindings(
  tx: Pick<Prisma.TransactionClient, 'loadBalancer'>,
  info: LoadBalancerInfo | null | undefined,
  field = 'body.loadBalancerInfo',
): Promise<TrafficBinding[]> {
  const names = balancerNames(info);
  if (info?.targetGroupPairInfoList?.length) {
    throw invalid(
      'InvalidLoadBalancerInfo',
      `${field}.targetGroupPairInfoList: target group pairs are for ECS; use targetGroupInfoList with <balancer>/<backend> names`,
    );
  }
  const lbs = await tx.loadBalancer.findMany({ where: { name: { in: names.map((n) => n.split('/')[0] ?? n) } } });
  const byName = new Map(lbs.map((l) => [l.name, l]));
  return names.map((name) => {
    const [lbName = name, backend] = name.split('/', 2);
    const lb = byName.get(lbName);
    if (!lb) {
      throw invalid(
        'LoadBalancerDoesNotExist',
        `${field}: no load balancer named ${lbName}; create it first (POST /v1/load-balancers)`,
      );
    }
    const chosen = backend ?? (lb.backends.length === 1 ? lb.backends[0] : undefined);
    if (!chosen) {
      throw invalid(
        'InvalidLoadBalancerInfo',
        `${field}: ${lbName} has several backends (${lb.backends.join(', ')}); name one as ${lbName}/<backend>`,
      );
    }
    if (!lb.backends.includes(chosen)) {
      throw invalid(
        'InvalidLoadBalancerInfo',
        `${field}: ${lbName} has no backend ${chosen} (it has ${lb.backends.join(', ')})`,
      );
    }
    return {
      loadBalancerId: lb.id,
      loadBalancerName: lb.name,
      backend: chosen,
      serverMapping: lb.serverMapping === 'address' ? 'address' : 'instanceName',
      drainTimeoutSeconds: lb.drainTimeoutSeconds,
      healthTimeoutSeconds: lb.healthTimeoutSeconds,
      killSessionsOnDrainTimeout: lb.killSessionsOnDrainTimeout,
    };
  });
}
