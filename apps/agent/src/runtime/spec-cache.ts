// Deployment specs by deployment id. A spec does not change during a deployment, and it is read before every
// event: fetching it once per deployment instead of once per event saves a round trip on six events of seven.
// Kept small: an agent works on one deployment at a time, and a handful covers rollbacks and retries.
import type { DeploymentSpec } from '@drover/contracts';

const MAX_SPECS = 8;

export class SpecCache {
  private readonly specs = new Map<string, DeploymentSpec>();

  constructor(private readonly max = MAX_SPECS) {}

  async get(deploymentId: string, fetch: () => Promise<DeploymentSpec>): Promise<DeploymentSpec> {
    const hit = this.specs.get(deploymentId);
    if (hit) {
      // Most recently used last, so the oldest is the first key.
      this.specs.delete(deploymentId);
      this.specs.set(deploymentId, hit);
      return hit;
    }
    const spec = await fetch();
    this.specs.set(deploymentId, spec);
    if (this.specs.size > this.max) this.specs.delete(this.specs.keys().next().value as string);
    return spec;
  }
}
