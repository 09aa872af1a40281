/**
 * `npm run bench:duplicates` (`node bench/duplicate-scan.ts`): how long does the duplicate scan take
 * over a large council's records, and does it find the near-duplicates planted in them?
 *
 * For each engine: a fresh database (PGlite in a temporary folder; a new database on the PostgreSQL
 * server named by BENCH_DATABASE_URL, dropped afterwards), migrated with the real migrations, filled
 * by the same generator as the search benchmark (bench/people-data.ts: N people with skewed common
 * names, so many unrelated people share a name, each allocated to a team), 70 % of them with an NHS
 * number. Then a share of them is copied as a new contact would record them again: the same date of
 * birth and sex, no NHS number, not allocated, and one name mistyped (two letters swapped, a letter
 * dropped or changed in the surname, or a letter changed in the first name). The real
 * `runDuplicateScan` then runs in its own transaction, as `scanForDuplicates` runs it, and the
 * wall time, the pairs stored and how many planted pairs are among them are reported.
 *
 * Settings (environment):
 *   BENCH_PEOPLE              people to generate before planting          (default 1000000)
 *   BENCH_PLANTED_PER_THOUSAND near-duplicates planted per 1,000 people    (default 10)
 *   BENCH_NHS_PERCENT         share of generated people with an NHS number (default 70)
 *   BENCH_ROUNDS              scans timed one after another               (default 2)
 *   BENCH_DATABASE_URL        a PostgreSQL server to run on as well (a database is created and dropped)
 *   BENCH_ENGINES             pglite, postgres or both (default pglite, plus postgres when
 *                             BENCH_DATABASE_URL is set)
 *   BENCH_KEEP_DATABASE       1 to keep the PostgreSQL database afterwards (its name is printed)
 */
import { sql } from 'kysely';
import type { DbHandle } from '../src/db/connect.ts';
import { runDuplicateScan } from '../src/modules/people/duplicates.ts';
import {
  benchDatabase,
  benchLog,
  enginesFromEnv,
  fmtInt,
  generatePeople,
  intSetting,
  machine,
  timed,
  type Engine,
} from './people-data.ts';

const settings = {
  people: intSetting('BENCH_PEOPLE', 1_000_000, 1_000, 20_000_000),
  plantedPerThousand: intSetting('BENCH_PLANTED_PER_THOUSAND', 10, 0, 500),
  nhsPercent: intSetting('BENCH_NHS_PERCENT', 70, 0, 100),
  rounds: intSetting('BENCH_ROUNDS', 2, 1, 20),
  databaseUrl: process.env['BENCH_DATABASE_URL'] ?? '',
};
const engines = enginesFromEnv(settings.databaseUrl);
const log = benchLog('duplicates');

/**
 * Plants near-duplicates: copies of a random share of people (seeded, so every run plants the same
 * ones for the same N), each with one name mistyped. Returns how many were planted.
 */
async function plantNearDuplicates(handle: DbHandle, organisationId: string): Promise<number> {
  return handle.db.transaction().execute(async (trx) => {
    await sql`SELECT setseed(0.25)`.execute(trx);
    // The random numbers are drawn once per planted row and stored, so each copy's typo is fixed.
    await sql`
      CREATE TABLE bench_planted AS
      SELECT p.id AS original, gen_random_uuid() AS copy, p.given_name, p.family_name, p.date_of_birth,
        p.sex, floor(random() * 4)::int AS kind, random() AS at, random() AS letter
      FROM people p
      WHERE p.organisation_id = ${organisationId} AND random() < ${settings.plantedPerThousand / 1000}::float8`.execute(
      trx,
    );
    // kind 0: two letters of the surname swapped; 1: a letter changed; 2: a letter dropped; 3: a letter
    // of the first name changed. Never the first letter; a name under four letters gains an "e".
    const result = await sql`
      INSERT INTO people (id, organisation_id, given_name, family_name, date_of_birth, sex)
      SELECT t.copy, ${organisationId}::uuid,
        CASE WHEN t.kind = 3 THEN t.typo ELSE t.given_name END,
        CASE WHEN t.kind = 3 THEN t.family_name ELSE t.typo END,
        t.date_of_birth, t.sex
      FROM (
        SELECT w.*, CASE
          WHEN length(w.word) < 4 THEN w.word || 'e'
          WHEN w.kind = 0 THEN substr(w.word, 1, w.k - 1) || substr(w.word, w.k + 1, 1) || substr(w.word, w.k, 1) || substr(w.word, w.k + 2)
          WHEN w.kind = 2 THEN substr(w.word, 1, w.k - 1) || substr(w.word, w.k + 1)
          ELSE overlay(w.word PLACING chr(97 + floor(w.letter * 26)::int) FROM w.k FOR 1)
        END AS typo
        FROM (
          SELECT pl.*, CASE WHEN pl.kind = 3 THEN pl.given_name ELSE pl.family_name END AS word,
            2 + floor(pl.at * greatest(length(CASE WHEN pl.kind = 3 THEN pl.given_name ELSE pl.family_name END) - 2, 1))::int AS k
          FROM bench_planted pl
        ) w
      ) t`.execute(trx);
    return Number(result.numAffectedRows ?? 0);
  });
}

type EngineReport = { engine: string; lines: string[] };

async function benchEngine(engine: Engine): Promise<EngineReport> {
  const { handle, version, cleanUp } = await benchDatabase(engine, {
    databaseUrl: settings.databaseUrl,
    prefix: 'hearth_duplicate_bench',
    log,
  });
  try {
    const { organisationId } = await generatePeople(handle, settings.people, {
      log,
      nhsShare: settings.nhsPercent / 100,
    });
    const planted = await timed(log, 'near-duplicates planted', () =>
      plantNearDuplicates(handle, organisationId),
    );
    await timed(log, 'ANALYZE people', () => sql`ANALYZE people`.execute(handle.db));
    const total = settings.people + planted;

    const seconds: number[] = [];
    let pairs = 0;
    for (let round = 1; round <= settings.rounds; round += 1) {
      const t0 = performance.now();
      pairs = await handle.db.transaction().execute((trx) => runDuplicateScan(trx, organisationId));
      seconds.push((performance.now() - t0) / 1000);
      log(
        `  ${engine}: scan ${round} of ${settings.rounds}: ${seconds.at(-1)?.toFixed(1)} s, ${fmtInt(pairs)} pairs`,
      );
    }
    const found = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM bench_planted pl JOIN duplicate_pairs d
        ON d.person_a = least(pl.original, pl.copy) AND d.person_b = greatest(pl.original, pl.copy)`.execute(
      handle.db,
    );
    const foundByKind = await sql<{ kind: number; planted: number; found: number }>`
      SELECT pl.kind, count(*)::int AS planted, count(d.person_a)::int AS found
      FROM bench_planted pl LEFT JOIN duplicate_pairs d
        ON d.person_a = least(pl.original, pl.copy) AND d.person_b = greatest(pl.original, pl.copy)
      GROUP BY pl.kind ORDER BY pl.kind`.execute(handle.db);
    const reasons = await sql<{ reason: string; n: number }>`
      SELECT r AS reason, count(*)::int AS n FROM duplicate_pairs, unnest(reasons) AS r
      GROUP BY r ORDER BY count(*) DESC`.execute(handle.db);
    const kinds = [
      'surname letters swapped',
      'surname letter changed',
      'surname letter dropped',
      'first name letter changed',
    ];
    const foundPlanted = found.rows[0]?.n ?? 0;
    const lines = [
      `${engine} (PostgreSQL ${version}): ${fmtInt(total)} people (${fmtInt(settings.people)} generated, ${settings.nhsPercent} % with an NHS number, ${fmtInt(planted)} near-duplicates planted)`,
      '',
      '| Scan | Wall time | Pairs stored |',
      '|---|--:|--:|',
      ...seconds.map((s, i) => `| ${i + 1} | ${s.toFixed(1)} s | ${fmtInt(pairs)} |`),
      '',
      `Planted pairs found: ${fmtInt(foundPlanted)} of ${fmtInt(planted)} (${
        planted > 0 ? ((100 * foundPlanted) / planted).toFixed(1) : '-'
      } %): ${foundByKind.rows
        .map((r) => `${kinds[r.kind] ?? String(r.kind)} ${fmtInt(r.found)}/${fmtInt(r.planted)}`)
        .join('; ')}.`,
      `Reasons among the pairs stored (a pair can have several): ${reasons.rows
        .map((r) => `${r.reason} ${fmtInt(r.n)}`)
        .join(', ')}.`,
    ];
    return { engine, lines };
  } finally {
    await cleanUp();
  }
}

log(`${fmtInt(settings.people)} people; engines: ${engines.join(', ')}; ${machine()}`);
const reports: EngineReport[] = [];
for (const engine of engines) reports.push(await benchEngine(engine));
console.log(`\nDuplicate scan, ${new Date().toISOString().slice(0, 10)}, ${machine()}\n`);
for (const report of reports) console.log(`${report.lines.join('\n')}\n`);
