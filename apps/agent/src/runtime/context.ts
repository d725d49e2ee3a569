// Everything a running agent shares between its parts; built once by startAgent.
import type { ApiClient } from '../api/client';
import type { AgentConfig } from '../config';
import type { Logger } from '../logs/logger';
import type { RevisionStore } from '../revisions/revision-store';
import type { Journal } from '../state/journal';
import type { SpecCache } from './spec-cache';

export interface AgentContext {
  config: AgentConfig;
  logger: Logger;
  api: ApiClient;
  journal: Journal;
  revisions: RevisionStore;
  /** Deployment specs already fetched (a spec is fixed for the life of its deployment). */
  specs: SpecCache;
  /** Aborted when stop() is called. */
  stopSignal: AbortSignal;
  /** withRetry bound to the agent's policy, stop signal and 401 handling. */
  retry<T>(what: string, fn: () => Promise<T>, options?: { maxAttempts?: number }): Promise<T>;
}
