/**
 * What the people benchmarks share (bench/search.ts, bench/duplicate-scan.ts): settings, a fresh
 * database per engine, and the generator of synthetic people, made set-based in SQL.
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
import { makeSecrets } from '../src/platform/auth/secrets.ts';
import { systemClock } from '../src/platform/clock.ts';
import { loadConfig } from '../src/platform/config.ts';
import type { Deps } from '../src/platform/deps.ts';

export type Engine = 'pglite' | 'postgres';
export type Log = (message: string) => void;

export function intSetting(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max} (got ${raw})`);
  }
  return value;
}

/** BENCH_ENGINES, or PGlite plus PostgreSQL when BENCH_DATABASE_URL is set. */
export function enginesFromEnv(databaseUrl: string): Engine[] {
  const engines = (process.env['BENCH_ENGINES'] ?? (databaseUrl ? 'pglite,postgres' : 'pglite'))
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  for (const engine of engines) {
    if (engine !== 'pglite' && engine !== 'postgres')
      throw new Error(`BENCH_ENGINES: unknown engine ${engine}`);
    if (engine === 'postgres' && !databaseUrl)
      throw new Error('BENCH_ENGINES=postgres needs BENCH_DATABASE_URL');
  }
  return engines as Engine[];
}

/** A logger to stderr with the seconds since the benchmark started, so stdout keeps the results. */
export function benchLog(name: string): Log {
  const startedAt = Date.now();
  return (message) =>
    console.error(`[${name} ${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)} s] ${message}`);
}

export const fmtInt = (n: number) => Math.round(n).toLocaleString('en-GB');

export async function timed<T>(log: Log, label: string, work: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const result = await work();
  log(`${label}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return result;
}

/** The machine, for the report's heading. */
export function machine(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/**
 * A fresh, migrated database: PGlite in a temporary folder, or a new database on the PostgreSQL
 * server at `databaseUrl` (dropped by `cleanUp` unless BENCH_KEEP_DATABASE=1, when its name is logged).
 */
export async function benchDatabase(
  engine: Engine,
  options: { databaseUrl: string; prefix: string; log: Log },
): Promise<{ handle: DbHandle; version: string; cleanUp: () => Promise<void> }> {
  let handle: DbHandle;
  let cleanUp: () => Promise<void>;
  if (engine === 'pglite') {
    const dir = mkdtempSync(join(os.tmpdir(), `${options.prefix.replace(/_/g, '-')}-`));
    handle = await connect({ kind: 'pglite', dataDir: dir });
    cleanUp = async () => {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    };
  } else {
    const name = `${options.prefix}_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: options.databaseUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(options.databaseUrl);
    url.pathname = `/${name}`;
    handle = await connect({ kind: 'postgres', url: url.toString() });
    cleanUp = async () => {
      await handle.close();
      if (process.env['BENCH_KEEP_DATABASE'] === '1') {
        options.log(`kept the database ${name}`);
        return;
      }
      const drop = new pg.Client({ connectionString: options.databaseUrl });
      await drop.connect();
      await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await drop.end();
    };
  }
  try {
    options.log(`${engine}: migrating a fresh database`);
    await migrate(handle);
    const version = await sql<{ v: string }>`SELECT current_setting('server_version') AS v`.execute(
      handle.db,
    );
    return { handle, version: version.rows[0]?.v ?? '?', cleanUp };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/** Common first names in England, roughly most common first (the generator favours the front). */
export const GIVEN =
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
export const FAMILY =
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

const list = (values: readonly string[]) => sql`ARRAY[${sql.join(values)}]::text[]`;

/** The indexes on people's names and dates of birth, dropped while loading and built once at the end. */
const LOAD_INDEXES = [
  'people_search_name_trgm',
  'people_given_key_family_initial',
  'people_family_key_given_initial',
  'people_family_key_given_key',
  'people_family_lower_given_key',
  'people_given_lower_family_key',
  'people_dob',
];

export type GeneratedPeople = {
  readonly actor: Actor;
  readonly deps: Deps;
  readonly organisationId: string;
};

/**
 * Fills the database: one council, 20 teams, a senior leader (authority-wide scope), N people with
 * skewed common names (Smith and Oliver are common) and dates of birth over 50 years, each allocated
 * to one of the teams, 5 % with a previous name; then the name indexes and ANALYZE. Deterministic for
 * a given N (setseed per batch). `nhsShare` gives that share of people a distinct 10-digit NHS number.
 */
export async function generatePeople(
  handle: DbHandle,
  people: number,
  options: { readonly log: Log; readonly nhsShare?: number },
): Promise<GeneratedPeople> {
  const { log } = options;
  const nhsShare = options.nhsShare ?? 0;
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
  const definitions = await sql<{ indexdef: string }>`
    SELECT indexdef FROM pg_indexes WHERE indexname IN (${sql.join(LOAD_INDEXES)})`.execute(db);
  if (definitions.rows.length !== LOAD_INDEXES.length)
    throw new Error('The people indexes are not as migrations 0002, 0003, 0005 and 0028 made them');
  for (const name of LOAD_INDEXES) await sql`DROP INDEX ${sql.ref(name)}`.execute(db);

  const batch = 100_000;
  // Without NHS numbers no extra random() is drawn, so the names are those the search figures used.
  const nhsFor = (done: number) =>
    nhsShare > 0
      ? sql`CASE WHEN random() < ${nhsShare}::float8 THEN '9' || lpad((${done}::int + i)::text, 9, '0') END`
      : sql`NULL`;
  await timed(log, `${fmtInt(people)} people`, async () => {
    for (let done = 0; done < people; done += batch) {
      const size = Math.min(batch, people - done);
      await db.transaction().execute(async (trx) => {
        await sql`SELECT setseed(${(done / people) * 0.9})`.execute(trx);
        const nhs = nhsFor(done);
        await sql`
          INSERT INTO people (organisation_id, given_name, family_name, date_of_birth, sex, nhs_number)
          SELECT ${org.id}::uuid,
            n.g[1 + floor(array_length(n.g, 1) * power(random(), 1.3))::int],
            n.f[1 + floor(array_length(n.f, 1) * power(random(), 1.5))::int],
            date '1975-01-01' + floor(random() * 18000)::int,
            (ARRAY['M', 'F'])[1 + floor(random() * 2)::int],
            ${nhs}
          FROM generate_series(1, ${size}::int) AS i, (SELECT ${list(GIVEN)} AS g, ${list(FAMILY)} AS f) n`.execute(
          trx,
        );
      });
      log(`  ${fmtInt(done + size)} people`);
    }
  });
  await timed(log, 'allocations and previous names', async () => {
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
  await timed(log, 'name indexes built', async () => {
    await db.transaction().execute(async (trx) => {
      await sql`SET LOCAL maintenance_work_mem = '512MB'`.execute(trx);
      for (const row of definitions.rows) await sql.raw(row.indexdef).execute(trx);
    });
  });
  await timed(log, 'ANALYZE', () => sql`ANALYZE`.execute(db));
  const actor = await loadActor(db, user.id);
  if (!actor) throw new Error('The benchmark user could not be loaded');
  return { actor, deps, organisationId: org.id };
}
