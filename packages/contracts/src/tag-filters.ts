// Tag filters choose hosts: a deployment group's targets, and a blue/green deployment's replacement hosts.
import { z } from 'zod';

export const TagFilterType = z.enum(['KEY_ONLY', 'VALUE_ONLY', 'KEY_AND_VALUE']);
export type TagFilterType = z.infer<typeof TagFilterType>;

/** KEY_ONLY: the host has a tag with this key. VALUE_ONLY: some tag has this value. KEY_AND_VALUE: key=value. */
export const TagFilter = z
  .object({
    key: z.string().max(128).default(''),
    value: z.string().max(256).default(''),
    type: TagFilterType,
  })
  .superRefine((f, ctx) => {
    if (f.type !== 'VALUE_ONLY' && f.key === '') {
      ctx.addIssue({ code: 'custom', path: ['key'], message: `required for ${f.type}` });
    }
    if (f.type === 'VALUE_ONLY' && f.value === '') {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'required for VALUE_ONLY' });
    }
  });
export type TagFilter = z.infer<typeof TagFilter>;

/** Groups of filters (at most 3, each at most 10): a host must match at least one filter in every group. */
export const TagSet = z.array(z.array(TagFilter).min(1, 'a tag set group needs at least one filter'));
export type TagSet = z.infer<typeof TagSet>;
