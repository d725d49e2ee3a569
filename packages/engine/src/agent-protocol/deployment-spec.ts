// The deployment as one host sees it (GET /agent/v1/deployments/:id/spec). Every host of a deployment asks for it
// as its first event starts — 10,000 at once in an AllAtOnce deployment — so requests arriving together are answered
// by one shared statement (shared-statement.ts). It is one query on the pool rather than Prisma's nested includes
// (several round trips and much more CPU per call), and named, so each pooled connection prepares it once (planning
// these joins costs several times more than running them).
import { AGENT_API_PREFIX, type DeploymentSpec, type RevisionRef } from '@drover/contracts';
import type pg from 'pg';
import { notFound } from '../infra/errors';
import { createAgentStatement } from './shared-statement';

/** Spec statements in flight at once (each holds a connection). */
export const SPEC_STATEMENTS = 1;

interface WireRevision {
  id: string;
  bundleType: RevisionRef['bundleType'];
  sha256: string;
  size: string;
  url: string | null;
  appspecFilename: string;
  revisionType: 'Upload' | 'Url';
}

interface SpecRow {
  id: string;
  applicationName: string;
  deploymentGroupId: string;
  deploymentGroupName: string;
  creator: DeploymentSpec['deploymentCreator'];
  deploymentType: DeploymentSpec['deploymentType'];
  fileExistsBehavior: DeploymentSpec['fileExistsBehavior'];
  ignoreApplicationStopFailures: boolean;
  revision: WireRevision;
  previous: WireRevision | null;
}

// `previous` is the revision the host last installed for the group, unless that install was this very deployment's.
const SPEC_SQL = `
  SELECT t."instanceId", d.id, a.name AS "applicationName", d."deploymentGroupId", g.name AS "deploymentGroupName", d.creator,
         d."deploymentType", d."fileExistsBehavior", d."ignoreApplicationStopFailures",
         json_build_object('id', r.id, 'bundleType', r."bundleType", 'sha256', r.sha256, 'size', r.size::text,
                           'url', r.url, 'appspecFilename', r."appspecFilename", 'revisionType', r."revisionType") AS revision,
         CASE WHEN pr.id IS NULL THEN NULL ELSE
           json_build_object('id', pr.id, 'bundleType', pr."bundleType", 'sha256', pr.sha256, 'size', pr.size::text,
                             'url', pr.url, 'appspecFilename', pr."appspecFilename", 'revisionType', pr."revisionType")
         END AS previous
    FROM unnest($1::text[], $2::uuid[]) AS i("deploymentId", "instanceId")
    JOIN deployment_targets t ON t."deploymentId" = i."deploymentId" AND t."instanceId" = i."instanceId"
    JOIN deployments d ON d.id = t."deploymentId"
    JOIN applications a ON a.id = d."applicationId"
    JOIN deployment_groups g ON g.id = d."deploymentGroupId"
    JOIN revisions r ON r.id = d."revisionId"
    LEFT JOIN installed_revisions ir
      ON ir."instanceId" = t."instanceId" AND ir."deploymentGroupId" = d."deploymentGroupId" AND ir."deploymentId" <> d.id
    LEFT JOIN revisions pr ON pr.id = ir."revisionId"`;

/** A revision as the agent downloads it: its own URL, or the bundle this API stores. */
function revisionRef(r: WireRevision): RevisionRef {
  return {
    revisionId: r.id,
    bundleType: r.bundleType,
    sha256: r.sha256,
    size: Number(BigInt(r.size)),
    downloadUrl: r.revisionType === 'Url' && r.url ? r.url : `${AGENT_API_PREFIX}/revisions/${r.id}/bundle`,
    appspecFilename: r.appspecFilename,
  };
}

const specKey = (k: { deploymentId: string; instanceId: string }) => `${k.deploymentId}/${k.instanceId}`;

export function createSpecReader(pool: pg.Pool) {
  const statement = createAgentStatement<{ deploymentId: string; instanceId: string }, SpecRow>({
    maxInFlight: SPEC_STATEMENTS,
    maxItems: 128,
    key: specKey,
    async write(items) {
      const { rows } = await pool.query<SpecRow & { instanceId: string }>({
        name: 'drover_agent_spec',
        text: SPEC_SQL,
        values: [items.map((i) => i.deploymentId), items.map((i) => i.instanceId)],
      });
      return new Map(rows.map((r) => [specKey({ deploymentId: r.id, instanceId: r.instanceId }), r]));
    },
  });
  return {
    /** The spec of a deployment that has a target on this instance. */
    async spec(instanceId: string, deploymentId: string): Promise<DeploymentSpec> {
      const d = await statement.submit({ deploymentId, instanceId });
      if (!d) throw notFound('DeploymentDoesNotExist', `deployment ${deploymentId} has no target on this instance`);
      const revision = revisionRef(d.revision);
      return {
        deploymentId: d.id,
        applicationName: d.applicationName,
        deploymentGroupId: d.deploymentGroupId,
        deploymentGroupName: d.deploymentGroupName,
        deploymentCreator: d.creator,
        deploymentType: d.deploymentType,
        revision,
        // The stop scripts come from what this host installed before this deployment.
        previousRevision: d.previous ? revisionRef(d.previous) : null,
        fileExistsBehavior: d.fileExistsBehavior,
        ignoreApplicationStopFailures: d.ignoreApplicationStopFailures,
        environment: {
          DEPLOYMENT_ID: d.id,
          APPLICATION_NAME: d.applicationName,
          DEPLOYMENT_GROUP_NAME: d.deploymentGroupName,
          DEPLOYMENT_GROUP_ID: d.deploymentGroupId,
          DEPLOYMENT_CREATOR: d.creator,
          REVISION_ID: revision.revisionId,
          BUNDLE_SHA256: revision.sha256,
        },
      };
    },
  };
}
