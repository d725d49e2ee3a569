// The agent protocol (docs/agent-protocol.md). Authenticated by the instance credential.
import type { ApiContext } from '../../context';
import type { ZodApp } from '../../lib/zod-app';

export function registerAgentRoutes(app: ZodApp, ctx: ApiContext) {
  void app;
  void ctx;
}
