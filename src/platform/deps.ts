import type { Db } from '../db/connect.ts';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { Secrets } from './auth/secrets.ts';

/** What every service needs, passed as one object (no singletons, no container). */
export type Deps = {
  readonly db: Db;
  readonly clock: Clock;
  readonly config: Config;
  readonly secrets: Secrets;
};
