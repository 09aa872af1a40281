/**
 * `node bench/search.ts`: how fast is finding a person by a mistyped name, with and without the
 * trigram indexes, at the size of a large council's records?
 *
 * For each engine: a fresh database (PGlite in a temporary folder; a new database on the PostgreSQL
 * server named by BENCH_DATABASE_URL, dropped afterwards), migrated with the real migrations; N
 * synthetic people made set-based in SQL (generate_series over arrays of common first names and
 * surnames, skewed so Smith and Oliver are common), each allocated to one of 20 teams, 5 % with a
 * previous name. Then a set of typo'd names (letters swapped, dropped or changed, nicknames,
 * sound-alike spellings, surname only) taken from real rows is searched through the real
 * `searchPeople` (transaction, phonetic keys, record scope, restriction check and audit row
 * included), one search at a time, as a senior leader (authority-wide scope: the most candidates).
 * Measured WITH the trigram indexes, then again after dropping them; the results of both must be
 * the same (only the speed may differ). Only the trigram indexes on people's and previous names are
 * dropped: one-word searches look the word up in the small `search_names` table (migration 0006)
 * and keep its trigram index, so without the others they stay fast. "Found" counts searches whose results include someone with
 * the name the typo was made from.
 *
 * Settings (environment):
 *   BENCH_PEOPLE         people to generate                     (default 1000000)
 *   BENCH_QUERIES        distinct typo'd names                  (default 60)
 *   BENCH_ROUNDS         timed passes over them, with the index (default 5; 1 pass without it)
 *   BENCH_DATABASE_URL   a PostgreSQL server to run on as well (a database is created and dropped)
 *   BENCH_ENGINES        which to run: pglite, postgres or both (default pglite, plus postgres when
 *                        BENCH_DATABASE_URL is set)
 *   BENCH_KEEP_DATABASE  1 to keep the PostgreSQL database afterwards (its name is printed), to look
 *                        at plans; the trigram indexes are then missing (they are dropped to measure)
 */
import { sql } from 'kysely';
import type { DbHandle } from '../src/db/connect.ts';
import type { Actor } from '../src/modules/access/actor.ts';
import { givenNameVariants } from '../src/modules/people/nicknames.ts';
import { SEARCH_LIMIT, searchPeople } from '../src/modules/people/search.ts';
import type { Deps } from '../src/platform/deps.ts';
import {
  benchDatabase,
  benchLog,
  enginesFromEnv,
  fmtInt,
  generatePeople,
  intSetting,
  machine,
  type Engine,
} from './people-data.ts';
import { percentileOfSorted } from './stats.ts';

const settings = {
  people: intSetting('BENCH_PEOPLE', 1_000_000, 1_000, 20_000_000),
  queries: intSetting('BENCH_QUERIES', 60, 6, 10_000),
  rounds: intSetting('BENCH_ROUNDS', 5, 1, 100),
  databaseUrl: process.env['BENCH_DATABASE_URL'] ?? '',
};
const engines = enginesFromEnv(settings.databaseUrl);
const log = benchLog('search');

/** A small seeded generator (mulberry32), so every run mistypes the same names the same way. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KINDS = [
  'swapped letters',
  'changed letter',
  'dropped letter',
  'nickname',
  'sound-alike spelling',
  'surname only, mistyped',
] as const;
type Kind = (typeof KINDS)[number];

type Query = { readonly kind: Kind; readonly text: string; readonly given: string; readonly family: string };

function mistype(word: string, kind: 'swap' | 'change' | 'drop', random: () => number): string {
  if (word.length < 4) return word;
  // Never the first letter: people rarely get that wrong, and neither do the tests of it.
  const at = 1 + Math.floor(random() * (word.length - 2));
  if (kind === 'swap')
    return word.slice(0, at) + (word[at + 1] ?? '') + (word[at] ?? '') + word.slice(at + 2);
  if (kind === 'drop') return word.slice(0, at) + word.slice(at + 1);
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  let replacement = word[at] ?? 'a';
  while (replacement === word[at]) replacement = letters[Math.floor(random() * letters.length)] ?? 'e';
  return word.slice(0, at) + replacement + word.slice(at + 1);
}

/** Respells a name the way it sounds: Smith → Smyth, Phillips → Fillips, Clarke → Klarke… */
function soundAlike(word: string, random: () => number): string {
  const rules: [RegExp, string][] = [
    [/ith/, 'yth'],
    [/ph/, 'f'],
    [/ck/, 'k'],
    [/^c(?=[aou])/i, 'K'],
    [/ee/, 'ea'],
    [/y$/, 'ie'],
    [/ie$/, 'y'],
    [/(.)\1/, '$1'],
    [/s$/, 'z'],
    [/son$/, 'sen'],
    [/ai/, 'ay'],
    [/ou/, 'ow'],
  ];
  for (const [pattern, replacement] of rules) {
    if (pattern.test(word)) return word.replace(pattern, replacement);
  }
  return mistype(word, 'change', random);
}

function makeQueries(samples: readonly { given_name: string; family_name: string }[]): Query[] {
  const random = prng(20261125);
  return samples.map((s, i) => {
    const kind = KINDS[i % KINDS.length] ?? 'changed letter';
    const { given_name: given, family_name: family } = s;
    let text: string;
    if (kind === 'swapped letters') text = `${given} ${mistype(family, 'swap', random)}`;
    else if (kind === 'changed letter') text = `${mistype(given, 'change', random)} ${family}`;
    else if (kind === 'dropped letter') text = `${given} ${mistype(family, 'drop', random)}`;
    else if (kind === 'nickname') {
      const others = givenNameVariants(given).filter((v) => v !== given.toLowerCase());
      const nickname = others[Math.floor(random() * others.length)] ?? mistype(given, 'swap', random);
      text = `${nickname} ${family}`;
    } else if (kind === 'sound-alike spelling') text = `${given} ${soundAlike(family, random)}`;
    else text = mistype(family, 'swap', random);
    return { kind, text, given, family };
  });
}

type Sample = { readonly ms: number; readonly found: boolean; readonly ids: string };

type Phase = {
  readonly label: string;
  readonly samples: readonly Sample[];
  readonly seconds: number;
  readonly results: ReadonlyMap<string, string>;
};

async function runSearches(
  deps: Deps,
  actor: Actor,
  queries: readonly Query[],
  rounds: number,
  label: string,
  warmUp: boolean,
): Promise<Phase> {
  // One untimed pass, so caches are warm before anything is timed (needed once per database: the
  // run without the index follows the run with it, on the same warm tables).
  if (warmUp)
    for (const q of queries) await searchPeople(deps, actor, { name: q.text, requestId: 'bench-warm-up' });
  const samples: Sample[] = [];
  const results = new Map<string, string>();
  const began = performance.now();
  for (let round = 0; round < rounds; round += 1) {
    for (const q of queries) {
      const t0 = performance.now();
      const outcome = await searchPeople(deps, actor, { name: q.text, requestId: 'bench' });
      const ms = performance.now() - t0;
      // A surname alone is found when people with that surname are; a full name, when that name is.
      const found = outcome.results.some(
        (r) =>
          r.familyName.toLowerCase() === q.family.toLowerCase() &&
          (q.kind === 'surname only, mistyped' || r.givenName.toLowerCase() === q.given.toLowerCase()),
      );
      const ids = outcome.results.map((r) => (r.restricted ? 'restricted' : r.id)).join(',');
      samples.push({ ms, found, ids });
      results.set(q.text, ids);
    }
    log(`  ${label}: pass ${round + 1} of ${rounds} done`);
  }
  return { label, samples, seconds: (performance.now() - began) / 1000, results };
}

function summarise(phase: Phase) {
  const sorted = Float64Array.from(phase.samples.map((s) => s.ms)).sort();
  return {
    searches: phase.samples.length,
    p50: percentileOfSorted(sorted, 50),
    p95: percentileOfSorted(sorted, 95),
    perSecond: phase.samples.length / phase.seconds,
  };
}

const fmtMs = (n: number) => (n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0));
/** The plan's scan of people for a trigram-only name query: shows whether the index is used. */
async function trigramPlan(db: DbHandle['db'], text: string): Promise<string> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT set_config('pg_trgm.word_similarity_threshold', '0.5', true)`.execute(trx);
    const plan = await sql<{
      'QUERY PLAN': string;
    }>`EXPLAIN SELECT id FROM people WHERE ${text} <% search_name`.execute(trx);
    const scan = plan.rows.map((r) => r['QUERY PLAN'].trim()).find((line) => /Scan/.test(line)) ?? '?';
    return scan.replace(/^->\s*/, '').replace(/\s+\(cost=.*$/, '');
  });
}

type EngineReport = { engine: string; lines: string[] };

async function benchEngine(engine: Engine): Promise<EngineReport> {
  const { handle, version, cleanUp } = await benchDatabase(engine, {
    databaseUrl: settings.databaseUrl,
    prefix: 'hearth_search_bench',
    log,
  });
  try {
    const { actor, deps } = await generatePeople(handle, settings.people, { log });

    const samples = await handle.db.transaction().execute(async (trx) => {
      await sql`SELECT setseed(0.5)`.execute(trx);
      return (
        await sql<{ given_name: string; family_name: string }>`
          SELECT given_name, family_name FROM people ORDER BY random() LIMIT ${settings.queries}`.execute(trx)
      ).rows;
    });
    const queries = makeQueries(samples);
    const planWith = await trigramPlan(handle.db, queries[0]?.text ?? 'jon smyth');
    const withIndex = await runSearches(
      deps,
      actor,
      queries,
      settings.rounds,
      `${engine} with trigram indexes`,
      true,
    );

    await sql`DROP INDEX people_search_name_trgm`.execute(handle.db);
    await sql`DROP INDEX person_names_search_trgm`.execute(handle.db);
    const planWithout = await trigramPlan(handle.db, queries[0]?.text ?? 'jon smyth');
    const withoutIndex = await runSearches(
      deps,
      actor,
      queries,
      1,
      `${engine} without trigram indexes`,
      false,
    );

    const a = summarise(withIndex);
    const b = summarise(withoutIndex);
    const same = [...withIndex.results].every(([text, ids]) => withoutIndex.results.get(text) === ids);
    const foundByKind = KINDS.map((kind) => {
      const mine = queries.map((q, i) => ({ q, s: withIndex.samples[i] })).filter((x) => x.q.kind === kind);
      return `${kind} ${mine.filter((x) => x.s?.found).length}/${mine.length}`;
    });
    /** p50 and p95 of each kind of mistake, with and without the index. */
    const byKind = KINDS.map((kind) => {
      const pick = (phase: Phase) =>
        Float64Array.from(
          phase.samples.filter((_, i) => queries[i % queries.length]?.kind === kind).map((x) => x.ms),
        ).sort();
      const w = pick(withIndex);
      const wo = pick(withoutIndex);
      return `| ${kind} | ${fmtMs(percentileOfSorted(w, 50))} | ${fmtMs(percentileOfSorted(w, 95))} | ${fmtMs(percentileOfSorted(wo, 50))} | ${fmtMs(percentileOfSorted(wo, 95))} |`;
    });
    const found = withIndex.samples.slice(0, queries.length).filter((s) => s.found).length;
    const lines = [
      `${engine} (PostgreSQL ${version}), ${fmtInt(settings.people)} people, ${queries.length} typo'd names, one search at a time:`,
      '',
      '| Trigram indexes | Searches | p50 ms | p95 ms | Searches/s |',
      '|---|--:|--:|--:|--:|',
      `| With | ${a.searches} | ${fmtMs(a.p50)} | ${fmtMs(a.p95)} | ${a.perSecond.toFixed(1)} |`,
      `| Without (dropped) | ${b.searches} | ${fmtMs(b.p50)} | ${fmtMs(b.p95)} | ${b.perSecond.toFixed(1)} |`,
      `| Ratio without ÷ with | | ${(b.p50 / a.p50).toFixed(1)}× | ${(b.p95 / a.p95).toFixed(1)}× | ${(b.perSecond / a.perSecond).toFixed(3)}× |`,
      '',
      '| Kind of mistake | p50 ms with | p95 ms with | p50 ms without | p95 ms without |',
      '|---|--:|--:|--:|--:|',
      ...byKind,
      '',
      `Found the intended name: ${found}/${queries.length} (${foundByKind.join('; ')}).`,
      `Not found (synthetic names; a common name can fill all ${SEARCH_LIMIT} places with better matches): ${
        queries
          .filter((_, i) => withIndex.samples[i]?.found === false)
          .map((q) => `"${q.text}" for ${q.given} ${q.family}`)
          .join(', ') || 'none'
      }.`,
      `Same results with and without the index: ${same ? 'yes' : 'NO'}.`,
      `Trigram scan of people: with the index "${planWith}"; without "${planWithout}".`,
    ];
    return { engine, lines };
  } finally {
    await cleanUp();
  }
}

log(`${fmtInt(settings.people)} people; engines: ${engines.join(', ')}; ${machine()}`);
const reports: EngineReport[] = [];
for (const engine of engines) reports.push(await benchEngine(engine));
console.log(`\nPerson search, ${new Date().toISOString().slice(0, 10)}, ${machine()}\n`);
for (const report of reports) console.log(`${report.lines.join('\n')}\n`);
