// Building blocks shared by REST schemas.
import { z } from 'zod';

/** Application, deployment group and deployment config names (CodeDeploy's rule). */
export const ResourceName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._+=,@-]+$/, 'use letters, digits and ._+=,@- only')
  // In a URL path . and .. are the directory itself and its parent: such a resource could never be addressed.
  .refine((n) => n !== '.' && n !== '..', 'the names . and .. are reserved');

export const Timestamp = z.string().describe('ISO 8601 date-time');
export const NullableTimestamp = Timestamp.nullable();

export const Uuid = z.string().uuid();
/** The largest value a PostgreSQL integer column holds: counts and sequence numbers stored as such stay below it. */
export const MAX_INT4 = 2_147_483_647;
export const DeploymentId = z.string().regex(/^d-[A-Z0-9]{9}$/, 'a deployment id looks like d-XXXXXXXXX');

export const Limit = z.coerce.number().int().min(1).max(500).default(50);
export const Cursor = z.string().max(200).optional();

export const pageOf = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const IdParams = z.object({ id: z.string().min(1).max(200) });
export const NameParams = z.object({ name: ResourceName });
