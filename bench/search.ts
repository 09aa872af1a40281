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
 * the same (only the speed may differ). "Found" counts searches whose results include someone with
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
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { connect, type DbHandle } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { loadActor } from '../src/modules/access/access.repository.ts';
import type { Actor } from '../src/modules/access/actor.ts';
import { givenNameVariants } from '../src/modules/people/nicknames.ts';
import { SEARCH_LIMIT, searchPeople } from '../src/modules/people/search.ts';
import { makeSecrets } from '../src/platform/auth/secrets.ts';
import { systemClock } from '../src/platform/clock.ts';
import { loadConfig } from '../src/platform/config.ts';
import type { Deps } from '../src/platform/deps.ts';
import { percentileOfSorted } from './stats.ts';

function intSetting(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max} (got ${raw})`);
  }
  return value;
}

const settings = {
  people: intSetting('BENCH_PEOPLE', 1_000_000, 1_000, 20_000_000),
  queries: intSetting('BENCH_QUERIES', 60, 6, 10_000),
  rounds: intSetting('BENCH_ROUNDS', 5, 1, 100),
  databaseUrl: process.env['BENCH_DATABASE_URL'] ?? '',
};
const engines = (process.env['BENCH_ENGINES'] ?? (settings.databaseUrl ? 'pglite,postgres' : 'pglite'))
  .split(',')
  .map((e) => e.trim())
  .filter((e) => e !== '');
for (const engine of engines) {
  if (engine !== 'pglite' && engine !== 'postgres')
    throw new Error(`BENCH_ENGINES: unknown engine ${engine}`);
  if (engine === 'postgres' && !settings.databaseUrl)
    throw new Error('BENCH_ENGINES=postgres needs BENCH_DATABASE_URL');
}

const startedAt = Date.now();
const log = (message: string) =>
  console.error(`[search ${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)} s] ${message}`);

/** Common first names in England, roughly most common first (the generator favours the front). */
const GIVEN =
  `Oliver George Harry Jack Noah Leo Arthur Muhammad Oscar Charlie Jacob Thomas Henry William Alfie
Joshua Freddie Archie Theo James Isaac Lucas Alexander Max Ethan Mohammed Joseph Samuel Daniel Logan Adam Edward
Finley Sebastian Harrison Dylan Reuben Toby Louis Ryan Benjamin Elijah Mason Tommy Riley Jaxon Albie Teddy Ronnie
Rory Liam Tyler Callum Connor Kyle Jordan Lewis Luke Matthew Michael David John Christopher Andrew Robert Richard
Paul Mark Steven Peter Anthony Kevin Jason Lee Craig Darren Wayne Gary Stephen Ian Neil Simon Martin Jonathan
Nathan Aaron Kieran Bradley Jake Ben Sam Alex Jamie Ali Omar Ibrahim Yusuf Hassan Kacper Jakub Filip Szymon
Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Freya Willow Florence Emily Ella Poppy Evie Elsie
Charlotte Evelyn Sienna Sofia Daisy Phoebe Sophie Alice Harper Matilda Ruby Emilia Maya Millie Isabelle Esme
Hannah Chloe Jessica Lucy Holly Katie Megan Lauren Bethany Amy Rebecca Laura Emma Sarah Rachel Nicola Claire
Lisa Michelle Kelly Joanne Louise Gemma Samantha Stacey Kayleigh Chelsea Courtney Shannon Jade Natalie Danielle
Leanne Zoe Abigail Elizabeth Katherine Catherine Margaret Susan Karen Julie Helen Amira Aisha Fatima Maryam Zara
Zainab Maja Zuzanna Julia`.split(/\s+/);

/** Common surnames in England, roughly most common first. */
const FAMILY =
  `Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson Thompson Wright
Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson Wood Turner Martin Cooper Hill Ward Morris
Moore Clark Lee King Baker Harrison Morgan Allen James Scott Phillips Watson Davis Parker Price Bennett Young
Griffiths Mitchell Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan Marshall
Anderson Simpson Ellis Adams Singh Begum Wilkinson Foster Chapman Powell Webb Rogers Gray Mason Ali Hunt Hussain
Campbell Matthews Owen Palmer Holmes Mills Barnes Knight Lloyd Butler Russell Barker Fisher Stevens Jenkins Murray
Dixon Harvey Graham Pearson Ahmed Fletcher Walsh Kaur Gibson Howard Andrews Stewart Elliott Reynolds Saunders
Payne Fox Ford Pearce Day Brooks West Lawrence Cole Atkinson Bradley Spencer Gill Dawson Ball Burton O'Brien Watts
Rose Booth Perry Ryan Grant Wells Armstrong Francis Rees Hayes Hart Hudson Newman Barrett Webster Hunter Gregory
Carr Lowe Page Marsh Riley Dunn Woods Parsons Berry Stone Reid Holland Hawkins Harding Porter Robertson Newton
Oliver Reed Kennedy Williamson Bird Gardner Shah Dean Lane Cooke Bates Henderson Parry Burgess Bishop Walton Burns
Nicholson Shepherd Ross Cross Long Freeman Warren Nicholls Hamilton Byrne Sutton McDonald Yates Hodgson Robson
Curtis Hopkins O'Connor Coleman Watkins Moss McCarthy Chambers O'Neill Griffin Sharp Hardy Wheeler Potter Osborne
Johnston Gordon Doyle Wallace George Jordan Hutchinson Rahman Miah Islam Kowalski Nowak Okafor Adeyemi Mensah
Nguyen Chen Smyth Thomson Mohamed Hamid Iqbal Akhtar Begam Choudhury`.split(/\s+/);

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
const fmtInt = (n: number) => Math.round(n).toLocaleString('en-GB');

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const result = await work();
  log(`${label}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return result;
}

const list = (values: readonly string[]) => sql`ARRAY[${sql.join(values)}]::text[]`;

/** Fills the database: one council, 20 teams, a senior leader, N people, allocations, previous names. */
async function generate(handle: DbHandle, people: number): Promise<{ actor: Actor; deps: Deps }> {
  const config = loadConfig({ NODE_ENV: 'test', HEARTH_DEMO_DATA: 'false', LOG_LEVEL: 'silent' });
  const deps: Deps = { db: handle.db, clock: systemClock, config, secrets: makeSecrets(config.secret) };
  const db = handle.db;
  const org = await db
    .insertInto('organisations')
    .values({ name: 'Benchmark Council', kind: 'local_authority', la_code: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const teamIds: string[] = [];
  for (let i = 1; i <= 20; i += 1) {
    const team = await db
      .insertInto('teams')
      .values({ organisation_id: org.id, locality_id: null, name: `Team ${String(i)}` })
      .returning('id')
      .executeTakeFirstOrThrow();
    teamIds.push(team.id);
  }
  const user = await db
    .insertInto('users')
    .values({ organisation_id: org.id, email: 'bench.leader@example.gov.uk', display_name: 'Bench Leader' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('user_roles').values({ user_id: user.id, role_id: 'senior_leader' }).execute();

  // Loading is faster with the name indexes built once at the end, as a restore would do.
  const indexNames = [
    'people_search_name_trgm',
    'people_given_key_family_initial',
    'people_family_key_given_initial',
    'people_dob',
  ];
  const definitions = await sql<{ indexdef: string }>`
    SELECT indexdef FROM pg_indexes WHERE indexname IN (${sql.join(indexNames)})`.execute(db);
  if (definitions.rows.length !== indexNames.length)
    throw new Error('The people indexes are not as migrations 0002 and 0003 made them');
  for (const name of indexNames) await sql`DROP INDEX ${sql.ref(name)}`.execute(db);

  const batch = 100_000;
  await timed(`${fmtInt(people)} people`, async () => {
    for (let done = 0; done < people; done += batch) {
      const size = Math.min(batch, people - done);
      await db.transaction().execute(async (trx) => {
        await sql`SELECT setseed(${(done / people) * 0.9})`.execute(trx);
        await sql`
          INSERT INTO people (organisation_id, given_name, family_name, date_of_birth, sex)
          SELECT ${org.id}::uuid,
            n.g[1 + floor(array_length(n.g, 1) * power(random(), 1.3))::int],
            n.f[1 + floor(array_length(n.f, 1) * power(random(), 1.5))::int],
            date '1975-01-01' + floor(random() * 18000)::int,
            (ARRAY['M', 'F'])[1 + floor(random() * 2)::int]
          FROM generate_series(1, ${size}::int), (SELECT ${list(GIVEN)} AS g, ${list(FAMILY)} AS f) n`.execute(
          trx,
        );
      });
      log(`  ${fmtInt(done + size)} people`);
    }
  });
  await timed('allocations and previous names', async () => {
    await sql`
      INSERT INTO allocations (person_id, team_id)
      SELECT p.id, (${sql`ARRAY[${sql.join(teamIds)}]::uuid[]`})[1 + floor(random() * 20)::int] FROM people p`.execute(
      db,
    );
    await sql`
      INSERT INTO person_names (person_id, kind, given_name, family_name)
      SELECT p.id, 'previous', p.given_name, n.f[1 + floor(array_length(n.f, 1) * random())::int]
      FROM people p, (SELECT ${list(FAMILY)} AS f) n WHERE random() < 0.05`.execute(db);
  });
  await timed('name indexes built', async () => {
    await db.transaction().execute(async (trx) => {
      await sql`SET LOCAL maintenance_work_mem = '512MB'`.execute(trx);
      for (const row of definitions.rows) await sql.raw(row.indexdef).execute(trx);
    });
  });
  await timed('ANALYZE', () => sql`ANALYZE`.execute(db));
  const actor = await loadActor(db, user.id);
  if (!actor) throw new Error('The benchmark user could not be loaded');
  return { actor, deps };
}

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

async function benchEngine(engine: 'pglite' | 'postgres'): Promise<EngineReport> {
  let handle: DbHandle;
  let cleanUp: () => Promise<void>;
  if (engine === 'pglite') {
    const dir = mkdtempSync(join(os.tmpdir(), 'hearth-search-bench-'));
    handle = await connect({ kind: 'pglite', dataDir: dir });
    cleanUp = async () => {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    };
  } else {
    const name = `hearth_search_bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: settings.databaseUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(settings.databaseUrl);
    url.pathname = `/${name}`;
    handle = await connect({ kind: 'postgres', url: url.toString() });
    cleanUp = async () => {
      await handle.close();
      if (process.env['BENCH_KEEP_DATABASE'] === '1') {
        log(`kept the database ${name}`);
        return;
      }
      const drop = new pg.Client({ connectionString: settings.databaseUrl });
      await drop.connect();
      await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await drop.end();
    };
  }
  try {
    log(`${engine}: migrating a fresh database`);
    await migrate(handle);
    const version = await sql<{ v: string }>`SELECT current_setting('server_version') AS v`.execute(
      handle.db,
    );
    const { actor, deps } = await generate(handle, settings.people);

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
      `${engine} (PostgreSQL ${version.rows[0]?.v ?? '?'}), ${fmtInt(settings.people)} people, ${queries.length} typo'd names, one search at a time:`,
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

const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
log(
  `${fmtInt(settings.people)} people; engines: ${engines.join(', ')}; ${os.cpus().length} × ${cpu}, Node ${process.version}`,
);
const reports: EngineReport[] = [];
for (const engine of engines) reports.push(await benchEngine(engine as 'pglite' | 'postgres'));
console.log(
  `\nPerson search, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} × ${cpu}, Node ${process.version}\n`,
);
for (const report of reports) console.log(`${report.lines.join('\n')}\n`);
