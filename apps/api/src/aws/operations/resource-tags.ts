// Tags on applications, deployment groups and deployment configs, kept by resource id (resource_tags) so a rename
// keeps them. CodeDeploy allows 50 tags per resource.
import type { Prisma, PrismaClient } from '@drover/db';
import { z } from 'zod';
import { awsError } from '../aws-error';

export type TaggedType = 'application' | 'deploymentGroup' | 'deploymentConfig';
export const MAX_TAGS = 50;

export const AwsTagInput = z.object({ Key: z.string().min(1).max(128), Value: z.string().max(256).optional() });
export type AwsTagInput = z.infer<typeof AwsTagInput>;

type Db = PrismaClient | Prisma.TransactionClient;

export async function putTags(db: Db, type: TaggedType, id: string, tags: AwsTagInput[]): Promise<void> {
  for (const t of tags) {
    await db.resourceTag.upsert({
      where: { resourceType_resourceId_key: { resourceType: type, resourceId: id, key: t.Key } },
      create: { resourceType: type, resourceId: id, key: t.Key, value: t.Value ?? '' },
      update: { value: t.Value ?? '' },
    });
  }
  const count = await db.resourceTag.count({ where: { resourceType: type, resourceId: id } });
  if (count > MAX_TAGS) {
    throw awsError(
      'TagLimitExceededException',
      `a resource has at most ${MAX_TAGS} tags; this one would have ${count}`,
    );
  }
}

export async function removeTags(db: Db, type: TaggedType, id: string, keys: string[]): Promise<void> {
  await db.resourceTag.deleteMany({ where: { resourceType: type, resourceId: id, key: { in: keys } } });
}

export async function listTags(db: Db, type: TaggedType, id: string) {
  const rows = await db.resourceTag.findMany({
    where: { resourceType: type, resourceId: id },
    orderBy: { key: 'asc' },
  });
  return rows.map((r) => ({ Key: r.key, Value: r.value }));
}

export async function dropTags(db: Db, type: TaggedType, id: string): Promise<void> {
  await db.resourceTag.deleteMany({ where: { resourceType: type, resourceId: id } });
}
