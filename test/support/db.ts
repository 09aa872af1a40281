import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { connect, MEMORY, type DbHandle } from '../../src/db/connect.ts';
import { migrate } from '../../src/db/migrate.ts';

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or a new database on
 * the PostgreSQL server named by HEARTH_TEST_DATABASE_URL (CI runs the suites on both).
 */
export type TestDb = DbHandle & { readonly url: string | undefined };

/** Creates an empty database on the test server and returns its URL (PostgreSQL runs only). */
export async function createServerDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `hearth_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

export async function openTestDb(): Promise<TestDb> {
  const serverUrl = process.env['HEARTH_TEST_DATABASE_URL'];
  if (!serverUrl) {
    const handle = await connect({ kind: 'pglite', dataDir: MEMORY });
    await migrate(handle);
    return { ...handle, url: undefined };
  }
  const database = await createServerDatabase(serverUrl);
  const handle = await connect({ kind: 'postgres', url: database.url });
  await migrate(handle);
  return {
    ...handle,
    url: database.url,
    async close() {
      await handle.close();
      await database.drop();
    },
  };
}

/** Which engine the suite is running on, for test names. */
export const engine = process.env['HEARTH_TEST_DATABASE_URL'] ? 'postgres' : 'pglite';

/** Direct SQL for tests that must reach under the services (e.g. to tamper with the audit log). */
export async function rawSql(handle: DbHandle, text: string): Promise<void> {
  await sql.raw(text).execute(handle.db);
}
