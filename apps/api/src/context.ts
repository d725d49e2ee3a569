// Everything a route needs, built once per process in server.ts (or per test) and handed to buildApp.
import type { Env } from '@drover/config';
import type { Database } from '@drover/db';
import type { Redis } from '@drover/engine';
import type { AuthService } from './services/auth-service';
import type { BundleStorage } from './storage/bundle-storage';

export interface ApiContext {
  env: Env;
  db: Database;
  redis: Redis;
  auth: AuthService;
  storage: BundleStorage;
}
