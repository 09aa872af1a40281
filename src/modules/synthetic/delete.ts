import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';

/**
 * Deleting a generated authority's data for `seed --replace`: its people and everything that refers
 * to them, its staff, teams and localities, its threshold guidance and run records; the
 * organisation row itself is kept. The tables that refer to these are found from the database's
 * own foreign keys, so tables added by later migrations are covered too. The rows to delete are
 * collected table by table into temporary tables (parents before children), then deleted children
 * first, in one transaction: all or nothing.
 */

type ForeignKey = { child: string; column: string; parent: string; parentColumn: string };

async function foreignKeys(db: Db): Promise<ForeignKey[]> {
  const result = await sql<ForeignKey>`
    SELECT cl.relname AS child, att.attname AS column, pcl.relname AS parent, patt.attname AS "parentColumn"
    FROM pg_constraint c
    JOIN pg_class cl ON cl.oid = c.conrelid
    JOIN pg_namespace ns ON ns.oid = cl.relnamespace
    JOIN pg_class pcl ON pcl.oid = c.confrelid
    JOIN pg_attribute att ON att.attrelid = c.conrelid AND att.attnum = c.conkey[1]
    JOIN pg_attribute patt ON patt.attrelid = c.confrelid AND patt.attnum = c.confkey[1]
    WHERE c.contype = 'f' AND array_length(c.conkey, 1) = 1 AND ns.nspname = current_schema()
    ORDER BY cl.relname, att.attname`.execute(db);
  return result.rows;
}

async function tablesWithId(db: Db): Promise<Set<string>> {
  const result = await sql<{ table: string }>`
    SELECT c.relname AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'id' AND NOT a.attisdropped
    WHERE c.relkind = 'r' AND n.nspname = current_schema()`.execute(db);
  return new Set(result.rows.map((r) => r.table));
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

function ident(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`unexpected identifier ${name}`);
  return name;
}

/** Tables ordered so that every table comes after the tables it refers to (self references aside). */
function topologicalOrder(tables: Iterable<string>, keys: readonly ForeignKey[]): string[] {
  const all = new Set(tables);
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (table: string) => {
    if (state.get(table) === 'done') return;
    if (state.get(table) === 'visiting') throw new Error(`foreign keys form a cycle through ${table}`);
    state.set(table, 'visiting');
    for (const fk of keys)
      if (fk.child === table && fk.parent !== table && all.has(fk.parent)) visit(fk.parent);
    state.set(table, 'done');
    order.push(table);
  };
  for (const table of [...all].sort()) visit(table);
  return order;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Tables whose rows belong to the organisation directly. */
const OWNED = [
  'people',
  'help_episodes',
  'help_requests',
  'tasks',
  'threshold_guidance_versions',
  'users',
  'teams',
  'localities',
];

/** Foreign keys whose referencing column leads no index: each check of them reads the whole table. */
async function unindexed(db: Db): Promise<Set<string>> {
  const result = await sql<{ key: string }>`
    SELECT cl.relname || '.' || att.attname AS key
    FROM pg_constraint c
    JOIN pg_class cl ON cl.oid = c.conrelid
    JOIN pg_namespace ns ON ns.oid = cl.relnamespace
    JOIN pg_attribute att ON att.attrelid = c.conrelid AND att.attnum = c.conkey[1]
    WHERE c.contype = 'f' AND array_length(c.conkey, 1) = 1 AND ns.nspname = current_schema()
      AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])`.execute(
    db,
  );
  return new Set(result.rows.map((r) => r.key));
}

async function withTriggers(db: Db): Promise<Set<string>> {
  const result = await sql<{ table: string }>`
    SELECT DISTINCT c.relname AS table FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND NOT t.tgisinternal`.execute(
    db,
  );
  return new Set(result.rows.map((r) => r.table));
}

export async function deleteAuthorityData(db: Db, organisationId: string): Promise<void> {
  if (!UUID.test(organisationId)) throw new Error('not an organisation id');
  await db.transaction().execute(async (trx) => {
    // Every row that refers to a deleted row is deleted too (the closure below follows every
    // foreign key), so a superuser may skip the per-row foreign key checks (replica mode), as
    // pg_restore --disable-triggers does. Tables with triggers of their own (people keeps a count
    // of names for searching) are always deleted with their triggers: for those, any foreign key
    // without an index gets a temporary one, so its checks do not each read a whole table.
    const superuser = await sql<{ on: string }>`SELECT current_setting('is_superuser') AS on`.execute(trx);
    const replica = superuser.rows[0]?.on === 'on';
    const keys = await foreignKeys(trx);
    const withId = await tablesWithId(trx);
    const triggered = await withTriggers(trx);
    const slowKeys = await unindexed(trx);
    const temporary: string[] = [];
    let mode: 'origin' | 'replica' = 'origin';
    const setMode = async (wanted: 'origin' | 'replica') => {
      if (!replica || mode === wanted) return;
      await sql.raw(`SET LOCAL session_replication_role = ${wanted}`).execute(trx);
      mode = wanted;
    };
    const checked = async (table: string) => {
      if (replica && !triggered.has(table)) return setMode('replica');
      await setMode('origin');
      for (const fk of keys) {
        const key = `${fk.child}.${fk.column}`;
        if (fk.parent !== table || !slowKeys.has(key)) continue;
        const name = `synthetic_delete_${temporary.length}`;
        await sql.raw(`CREATE INDEX ${name} ON ${ident(fk.child)} (${ident(fk.column)})`).execute(trx);
        temporary.push(name);
        slowKeys.delete(key);
      }
    };
    // Every table reachable from the owned tables by foreign keys.
    const reached = new Set(OWNED);
    for (let grew = true; grew;) {
      grew = false;
      for (const fk of keys) {
        if (reached.has(fk.parent) && !reached.has(fk.child)) {
          reached.add(fk.child);
          grew = true;
        }
      }
    }
    const order = topologicalOrder(reached, keys);
    const doomed = (table: string) => `doomed_${ident(table)}`;
    const collected = new Set<string>();
    for (const table of order) {
      if (!withId.has(table)) continue;
      const sources: string[] = [];
      if (OWNED.includes(table))
        sources.push(`SELECT id FROM ${ident(table)} WHERE organisation_id = '${organisationId}'`);
      for (const fk of keys) {
        if (
          fk.child !== table ||
          fk.parent === table ||
          !collected.has(fk.parent) ||
          fk.parentColumn !== 'id'
        )
          continue;
        sources.push(
          `SELECT id FROM ${ident(table)} WHERE ${ident(fk.column)} IN (SELECT id FROM ${doomed(fk.parent)})`,
        );
      }
      if (sources.length === 0) continue;
      await sql
        .raw(`CREATE TEMP TABLE ${doomed(table)} ON COMMIT DROP AS ${sources.join(' UNION ')}`)
        .execute(trx);
      await sql.raw(`CREATE INDEX ON ${doomed(table)} (id)`).execute(trx);
      collected.add(table);
    }
    for (const table of [...order].reverse()) {
      // Rows of tables without an id (link tables such as assessment_factors) go with their parents.
      if (!withId.has(table)) {
        for (const fk of keys) {
          if (fk.child === table && collected.has(fk.parent) && fk.parentColumn === 'id') {
            await checked(table);
            await sql
              .raw(
                `DELETE FROM ${ident(table)} WHERE ${ident(fk.column)} IN (SELECT id FROM ${doomed(fk.parent)})`,
              )
              .execute(trx);
          }
        }
        continue;
      }
      if (!collected.has(table)) continue;
      await checked(table);
      for (const fk of keys) {
        if (fk.child === table && fk.parent === table) {
          await sql
            .raw(
              `UPDATE ${ident(table)} SET ${ident(fk.column)} = NULL WHERE id IN (SELECT id FROM ${doomed(table)}) AND ${ident(fk.column)} IS NOT NULL`,
            )
            .execute(trx);
        }
      }
      await sql.raw(`DELETE FROM ${ident(table)} WHERE id IN (SELECT id FROM ${doomed(table)})`).execute(trx);
    }
    await setMode('origin');
    for (const name of temporary) await sql.raw(`DROP INDEX ${name}`).execute(trx);
    await sql`DELETE FROM duplicate_pairs WHERE organisation_id = ${organisationId}`.execute(trx);
    await sql`DELETE FROM duplicate_scans WHERE organisation_id = ${organisationId}`.execute(trx);
    await sql`DELETE FROM synthetic_runs WHERE organisation_id = ${organisationId}`.execute(trx);
  });
}
