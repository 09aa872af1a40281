import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { sql } from 'kysely';
import type { DbHandle } from './connect.ts';

/**
 * Plain SQL migrations in src/db/migrations, applied in name order, each in its own transaction.
 * They are frozen: the checksum of every applied file is stored and checked on each start.
 */
const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

export type Migration = { readonly name: string; readonly script: string; readonly checksum: string };

let cached: Migration[] | undefined;

/** The migration files, read once per process (they are frozen while it runs). */
export function listMigrations(): Migration[] {
  cached ??= readMigrations();
  return cached;
}

function readMigrations(): Migration[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => {
      const script = readFileSync(new URL(file, MIGRATIONS_DIR), 'utf8');
      return { name: file.replace(/\.sql$/, ''), script, checksum: createHash('sha256').update(script).digest('hex') };
    });
}

type MigrationDb = Pick<DbHandle, 'db' | 'execScript'>;

async function ensureTable(handle: MigrationDb): Promise<void> {
  const exists = await sql<{ found: string | null }>`SELECT to_regclass('schema_migrations')::text AS found`.execute(handle.db);
  if (exists.rows[0]?.found) return;
  await handle.execScript(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
}

async function applied(handle: MigrationDb): Promise<Map<string, string>> {
  const rows = await sql<{ name: string; checksum: string }>`SELECT name, checksum FROM schema_migrations`.execute(
    handle.db,
  );
  return new Map(rows.rows.map((row) => [row.name, row.checksum]));
}

export type MigrationStatus = { readonly pending: string[]; readonly changed: string[] };

export async function migrationStatus(handle: MigrationDb): Promise<MigrationStatus> {
  await ensureTable(handle);
  const done = await applied(handle);
  const all = listMigrations();
  return {
    pending: all.filter((m) => !done.has(m.name)).map((m) => m.name),
    changed: all.filter((m) => done.has(m.name) && done.get(m.name) !== m.checksum).map((m) => m.name),
  };
}

/** Applies pending migrations; refuses to run if an applied migration file has been edited. */
export async function migrate(handle: MigrationDb): Promise<string[]> {
  await ensureTable(handle);
  const done = await applied(handle);
  const ran: string[] = [];
  for (const migration of listMigrations()) {
    const previous = done.get(migration.name);
    if (previous !== undefined) {
      if (previous !== migration.checksum) {
        throw new Error(`Migration ${migration.name} has been edited after it was applied; migrations are frozen`);
      }
      continue;
    }
    const record = `INSERT INTO schema_migrations (name, checksum) VALUES ('${migration.name.replace(/'/g, "''")}', '${migration.checksum}');`;
    try {
      await handle.execScript(`BEGIN;\n${migration.script}\n${record}\nCOMMIT;`);
    } catch (error) {
      await handle.execScript('ROLLBACK;').catch(() => undefined);
      throw new Error(`Migration ${migration.name} failed`, { cause: error });
    }
    ran.push(migration.name);
  }
  return ran;
}
