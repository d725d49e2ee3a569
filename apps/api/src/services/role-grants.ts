// Role grants at rest (role_grants): reading them as RoleGrantInfo and replacing a user's or token's set.
import type { RoleGrantInfo } from '@drover/contracts';
import type { Prisma } from '@drover/db';
import { invalidField } from './service-support';

export type GrantRow = {
  deploymentGroupName: string | null;
  role: RoleGrantInfo['role'];
  application: { name: string };
};

/** Include this in a user or token query to read its grants with their applications' names. */
export const grantsInclude = {
  grants: {
    include: { application: { select: { name: true } } },
    // By application, then group (the application's own grant first): stable whatever order they were made in.
    orderBy: [{ application: { name: 'asc' } }, { deploymentGroupName: { sort: 'asc', nulls: 'first' } }],
  },
} as const satisfies { grants: Prisma.User$grantsArgs };

export const toGrantInfo = (g: GrantRow): RoleGrantInfo => ({
  applicationName: g.application.name,
  deploymentGroupName: g.deploymentGroupName,
  role: g.role,
});

/** Replaces the grants of one user or token; an application that does not exist is a 400 naming the entry. */
export async function replaceGrants(
  tx: Prisma.TransactionClient,
  holder: { userId: string } | { apiTokenId: string },
  grants: RoleGrantInfo[],
  field: string,
): Promise<void> {
  const names = [...new Set(grants.map((g) => g.applicationName))];
  const apps = names.length
    ? await tx.application.findMany({ where: { name: { in: names } }, select: { id: true, name: true } })
    : [];
  const idOf = new Map(apps.map((a) => [a.name, a.id]));
  grants.forEach((g, i) => {
    if (!idOf.has(g.applicationName)) {
      throw invalidField(
        'ApplicationDoesNotExist',
        `${field}.${i}.applicationName`,
        `no application ${g.applicationName}`,
      );
    }
  });
  await tx.roleGrant.deleteMany({ where: holder });
  if (grants.length) {
    await tx.roleGrant.createMany({
      data: grants.map((g) => ({
        ...holder,
        applicationId: idOf.get(g.applicationName)!,
        deploymentGroupName: g.deploymentGroupName,
        role: g.role,
      })),
    });
  }
}
