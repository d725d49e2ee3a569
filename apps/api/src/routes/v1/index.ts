// Every /v1 resource. Each module registers its own routes with full zod schemas and an operationId.
import type { ApiContext } from '../../context';
import type { ZodApp } from '../../lib/zod-app';

export function registerV1Routes(app: ZodApp, ctx: ApiContext) {
  void app;
  void ctx;
}
