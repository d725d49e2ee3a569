// Before a traffic-controlled deployment starts (and in the plan preview): does every host have a server in every
// balancer backend the group drives? Each balancer is asked once for its backends' servers. Unknown servers and
// unreachable balancers come back as plain sentences; the caller decides whether they refuse the deployment.
import type { TrafficMapping } from '@drover/contracts';
import type { PrismaClient } from '@drover/db';
import { TrafficError, type ServerView } from '@drover/traffic';
import { providerFor, type TrafficBinding } from './balancers';
import { matchServer, type MappableHost } from './server-mapping';

export interface TrafficPreflight {
  mappings: TrafficMapping[];
  /** Hosts without a server, one sentence each. */
  unmapped: string[];
  /** Balancers that could not be asked, one sentence each. */
  unreachable: string[];
}

export async function trafficPreflight(
  prisma: Pick<PrismaClient, 'loadBalancer'>,
  bindings: readonly TrafficBinding[],
  hosts: readonly MappableHost[],
  secretKey: string | undefined,
): Promise<TrafficPreflight> {
  const out: TrafficPreflight = { mappings: [], unmapped: [], unreachable: [] };
  const byBalancer = new Map<string, TrafficBinding[]>();
  for (const b of bindings) byBalancer.set(b.loadBalancerId, [...(byBalancer.get(b.loadBalancerId) ?? []), b]);
  for (const [id, bs] of byBalancer) {
    const lb = await prisma.loadBalancer.findUnique({ where: { id } });
    const name = bs[0]?.loadBalancerName ?? id;
    let servers: ServerView[] | null = null;
    if (!lb) {
      out.unreachable.push(`load balancer ${name} no longer exists`);
    } else {
      try {
        const provider = providerFor(lb, secretKey);
        try {
          servers = await provider.list(bs.map((b) => b.backend));
        } finally {
          await provider.close().catch(() => undefined);
        }
      } catch (err) {
        const why = err instanceof TrafficError ? err.message : (err as Error).message;
        out.unreachable.push(`cannot read ${name}: ${why}`);
      }
    }
    for (const b of bs) {
      for (const h of hosts) {
        const m = servers ? matchServer(b, h, servers) : null;
        out.mappings.push({
          instanceName: h.instanceName,
          loadBalancerName: b.loadBalancerName,
          backend: b.backend,
          server: m?.server?.server ?? null,
          problem: m ? m.problem : 'the balancer could not be read',
        });
        if (m?.problem) out.unmapped.push(m.problem);
      }
    }
  }
  return out;
}
