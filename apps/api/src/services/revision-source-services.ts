// Wires the revision-source services (source secrets, Git and S3 registration jobs, Git push triggers) over the
// core services they build on: revisions store the bundles, deployments deploy what a push trigger registered.
import type { ApiContext } from '../context';
import type { DeploymentService } from './deployment-service';
import { createGitTriggerService } from './git-trigger-service';
import { createRevisionSourceService } from './revision-source-service';
import type { RevisionService } from './revision-service';
import { createSourceSecretService } from './source-secret-service';

export function createRevisionSourceServices(
  ctx: ApiContext,
  core: { revisions: RevisionService; deployments: DeploymentService },
) {
  const prisma = ctx.db.prisma;
  const sourceSecrets = createSourceSecretService({ prisma, secretKey: ctx.env.SECRET_KEY });
  const revisionSources = createRevisionSourceService({
    prisma,
    revisions: core.revisions,
    secrets: sourceSecrets,
    deployments: core.deployments,
    dataDir: ctx.env.DATA_DIR,
    maxBundleMb: ctx.env.MAX_BUNDLE_MB,
  });
  const gitTriggers = createGitTriggerService({ prisma, secretKey: ctx.env.SECRET_KEY, sources: revisionSources });
  return { sourceSecrets, revisionSources, gitTriggers };
}
