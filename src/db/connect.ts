import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { fuzzystrmatch } from '@electric-sql/pglite/contrib/fuzzystrmatch';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Config } from '../platform/config.ts';
import type { Database } from './database.ts';

export type Db = Kysely<Database>;

/** Dates stay ISO strings (no time-zone drift); 64-bit counts become numbers. Same on both engines. */
const DATE_OID = 1082;
const INT8_OID = 20;
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export type DbHandle = {
  readonly db: Db;
  readonly kind: 'pglite' | 'postgres';
  /** The PGlite instance, when embedded (used for folder backups). */
  readonly pglite: PGlite | undefined;
  /** Runs a script of several statements (migrations, restores). */
  execScript(script: string): Promise<void>;
  close(): Promise<void>;
};

const LOCK_FILE = 'hearth.lock';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite takes no lock of its own, and two processes on one data folder corrupt it. Hearth takes one:
 * a lock file naming the owning process, refused while that process is alive.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isFinite(owner) && owner !== process.pid && processAlive(owner)) {
        // eslint-disable-next-line preserve-caught-error -- the cause is another process, not this error
        throw new Error(
          `The data folder ${dataDir} is in use by another Hearth process (pid ${owner}). ` +
            'Stop it first: the embedded database must never be used by two processes at once.',
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new Error(`Could not lock the data folder ${dataDir}`);
}

/** A PGlite "folder" that lives in memory only (tests). */
export const MEMORY = 'memory://';

export async function openPglite(dataDir: string): Promise<PGlite> {
  return PGlite.create(dataDir, {
    extensions: { pg_trgm, fuzzystrmatch },
    parsers: { [DATE_OID]: (value: string) => value, [INT8_OID]: (value: string) => Number(value) },
  });
}

export async function connect(database: Config['database']): Promise<DbHandle> {
  if (database.kind === 'pglite') {
    const unlock = database.dataDir === MEMORY ? () => undefined : lockDataDir(database.dataDir);
    let pglite: PGlite;
    try {
      pglite = await openPglite(database.dataDir);
    } catch (error) {
      unlock();
      throw error;
    }
    const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
    return {
      db,
      kind: 'pglite',
      pglite,
      async execScript(script) {
        await pglite.exec(script);
      },
      async close() {
        await db.destroy();
        if (!pglite.closed) await pglite.close();
        unlock();
      },
    };
  }
  const pool = new pg.Pool({ connectionString: database.url, max: 10 });
  pool.on('connect', preparedStatements);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: 'postgres',
    pglite: undefined,
    async execScript(script) {
      await pool.query(script);
    },
    async close() {
      await db.destroy();
    },
  };
}

/** Prepared statements kept per connection, at most (a query beyond them is planned each time). */
const PREPARED_PER_CONNECTION = 2000;

/**
 * Each parameterised query is sent as a named prepared statement (named by the hash of its text), so a
 * connection parses and plans it once rather than on every request; PostgreSQL re-plans by itself when
 * the schema changes. Scripts without parameters (migrations) keep the simple protocol.
 */
function preparedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const named = new Set<string>();
  const patched = (...args: unknown[]): unknown => {
    const [text, values, ...rest] = args;
    if (typeof text !== 'string' || !Array.isArray(values) || values.length === 0) return query(...args);
    const name = `h${createHash('sha1').update(text).digest('hex')}`;
    if (!named.has(name)) {
      if (named.size >= PREPARED_PER_CONNECTION) return query(...args);
      named.add(name);
    }
    return query({ name, text, values }, ...rest);
  };
  Object.assign(client, { query: patched });
}
