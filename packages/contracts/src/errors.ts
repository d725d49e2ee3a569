// One error shape for every non-2xx answer: { error: { code, message, details } }. Codes are stable; where CodeDeploy
// has an exception name for the case, the code is that name without the "Exception" suffix.
import { z } from 'zod';

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
    requestId: z.string().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** A field-level problem in a 400 answer. */
export const FieldIssue = z.object({ field: z.string(), reason: z.string() });
export type FieldIssue = z.infer<typeof FieldIssue>;

export const ERROR_STATUS = {
  InvalidInput: 400,
  Unauthenticated: 401,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  TooManyRequests: 429,
  InternalError: 500,
  ServiceUnavailable: 503,
} as const;
