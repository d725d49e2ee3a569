// Which balancer server stands for which host: a server named like the instance (the default), or the server whose
// address is the instance's traffic address. Pure; the views and the traffic steps share it.
import type { ServerView } from '@drover/traffic';
import type { TrafficBinding } from './balancers';

export interface MappableHost {
  instanceName: string;
  trafficAddress: string | null;
}

export type ServerMatch = { server: ServerView; problem: null } | { server: null; problem: string };

export function matchServer(binding: TrafficBinding, host: MappableHost, servers: readonly ServerView[]): ServerMatch {
  const inBackend = servers.filter((s) => s.backend === binding.backend);
  const known = inBackend.map((s) => s.server).join(', ') || 'none';
  if (binding.serverMapping === 'address') {
    if (!host.trafficAddress) {
      return {
        server: null,
        problem: `${host.instanceName} has no traffic address, and ${binding.loadBalancerName} maps hosts by address; set it with PATCH /v1/instances/${host.instanceName}`,
      };
    }
    const found = inBackend.find((s) => s.address === host.trafficAddress);
    return found
      ? { server: found, problem: null }
      : {
          server: null,
          problem: `no server in ${binding.loadBalancerName}/${binding.backend} has address ${host.trafficAddress} (servers: ${known})`,
        };
  }
  const found = inBackend.find((s) => s.server === host.instanceName);
  return found
    ? { server: found, problem: null }
    : {
        server: null,
        problem: `${binding.loadBalancerName}/${binding.backend} has no server named ${host.instanceName} (servers: ${known})`,
      };
}
