// Everything a route needs, built once per process in server.ts (or per test) and handed to buildApp.
import type { Env } from '@drover/config';
import type { Database } from '@drover/db';
import type { Engine, Redis } from '@drover/engine';
import type { AuthService } from './services/auth-service';
import type { PollWaiters } from './services/poll-waiters';
import type { BundleStorage } from './storage/bundle-storage';

export interface ApiContext {
  env: Env;
  db: Database;
  redis: Redis;
  /** A second connection in subscriber mode (long-poll wake-ups, live streams). */
  subscriber: Redis;
  auth: AuthService;
  storage: BundleStorage;
  engine: Engine;
  waiters: PollWaiters;
}
