// Applications: the named container of deployment groups, revisions and deployments (CodeDeploy ApplicationInfo).
import { z } from 'zod';
import { ResourceName, Timestamp } from './common';

export const ComputePlatform = z.enum(['Server']);
export type ComputePlatform = z.infer<typeof ComputePlatform>;

export const ApplicationInfo = z.object({
  applicationId: z.string(),
  applicationName: z.string(),
  computePlatform: ComputePlatform,
  createTime: Timestamp,
  updateTime: Timestamp,
});
export type ApplicationInfo = z.infer<typeof ApplicationInfo>;

export const CreateApplicationRequest = z.object({
  applicationName: ResourceName,
  computePlatform: ComputePlatform.default('Server'),
});
export type CreateApplicationRequest = z.infer<typeof CreateApplicationRequest>;

/** Rename (the only thing CodeDeploy's UpdateApplication changes). */
export const UpdateApplicationRequest = z.object({ newApplicationName: ResourceName });
export type UpdateApplicationRequest = z.infer<typeof UpdateApplicationRequest>;

export const ApplicationParams = z.object({ applicationName: ResourceName });
export type ApplicationParams = z.infer<typeof ApplicationParams>;

export const ListApplicationsQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListApplicationsQuery = z.infer<typeof ListApplicationsQuery>;
export const ApplicationPage = z.object({ items: z.array(ApplicationInfo), nextCursor: z.string().nullable() });
export type ApplicationPage = z.infer<typeof ApplicationPage>;
