import { connect, type DbHandle } from '../db/connect.ts';
import { migrate } from '../db/migrate.ts';
import { makeSecrets } from './auth/secrets.ts';
import { systemClock } from './clock.ts';
import type { Config } from './config.ts';
import type { Deps } from './deps.ts';

/** Opens the database, applies migrations and assembles the service dependencies. */
export async function bootstrap(config: Config): Promise<{ handle: DbHandle; deps: Deps; migrated: string[] }> {
  const handle = await connect(config.database);
  try {
    const migrated = await migrate(handle);
    const deps: Deps = { db: handle.db, clock: systemClock, config, secrets: makeSecrets(config.secret) };
    return { handle, deps, migrated };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
