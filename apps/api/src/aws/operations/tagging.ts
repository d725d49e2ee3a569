// TagResource / UntagResource / ListTagsForResource on applications, deployment groups and deployment configs, named
// by CodeDeploy ARNs (any partition, region and account: arn:aws:codedeploy:us-east-1:111122223333:application:web).
import { writeAudit } from '@drover/engine';
import { z } from 'zod';
import { awsError } from '../aws-error';
import { type AwsCall, op } from '../operation';
import { AwsTagInput, listTags, MAX_TAGS, putTags, removeTags, type TaggedType } from './resource-tags';

const ARN = /^arn:[^:]+:codedeploy:[^:]*:[^:]*:(application|deploymentgroup|deploymentconfig):(.+)$/;

/** The tagged resource an ARN names, with the role writes need. */
async function resourceOf(call: AwsCall, arn: string): Promise<{ type: TaggedType; id: string }> {
  const m = ARN.exec(arn);
  if (!m) {
    throw awsError(
      'InvalidArnException',
      `ResourceArn ${arn}: use arn:aws:codedeploy:<region>:<account>:application:<name>, …:deploymentgroup:<application>/<group> or …:deploymentconfig:<name>`,
    );
  }
  const [, kind, name = ''] = m;
  if (kind === 'application') {
    return { type: 'application', id: (await call.s.applications.get(name)).applicationId };
  }
  if (kind === 'deploymentconfig') {
    const c = await call.s.deploymentConfigs.get(name);
    if (c.predefined) throw awsError('ArnNotSupportedException', `${name} is predefined: it cannot be tagged`);
    return { type: 'deploymentConfig', id: c.deploymentConfigId };
  }
  const slash = name.indexOf('/');
  if (slash < 1) throw awsError('InvalidArnException', `ResourceArn ${arn}: deploymentgroup:<application>/<group>`);
  const g = await call.s.deploymentGroups.get(name.slice(0, slash), name.slice(slash + 1));
  return { type: 'deploymentGroup', id: g.deploymentGroupId };
}

export const taggingOperations = {
  TagResource: op({
    role: 'deployer',
    input: z.object({ ResourceArn: z.string().min(1).max(1011), Tags: z.array(AwsTagInput).min(1).max(MAX_TAGS) }),
    async run(i, call) {
      const r = await resourceOf(call, i.ResourceArn);
      await call.ctx.db.prisma.$transaction(async (tx) => {
        await putTags(tx, r.type, r.id, i.Tags);
        await writeAudit(tx, call.actor, 'resource.tag', r.type, r.id, { tags: i.Tags });
      });
      return undefined;
    },
  }),

  UntagResource: op({
    role: 'deployer',
    input: z.object({ ResourceArn: z.string().min(1).max(1011), TagKeys: z.array(z.string().min(1).max(128)).min(1) }),
    async run(i, call) {
      const r = await resourceOf(call, i.ResourceArn);
      await call.ctx.db.prisma.$transaction(async (tx) => {
        await removeTags(tx, r.type, r.id, i.TagKeys);
        await writeAudit(tx, call.actor, 'resource.untag', r.type, r.id, { keys: i.TagKeys });
      });
      return undefined;
    },
  }),

  ListTagsForResource: op({
    role: 'viewer',
    input: z.object({ ResourceArn: z.string().min(1).max(1011), NextToken: z.string().optional() }),
    async run(i, call) {
      const r = await resourceOf(call, i.ResourceArn);
      // At most 50 tags: one page.
      return { Tags: await listTags(call.ctx.db.prisma, r.type, r.id) };
    },
  }),
};
