import { spawnSync } from 'node:child_process';
import { DFE_LA_NUMBERS } from '../../src/modules/geography/la-numbers.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { nhsNumberIsValid, upnIsValid } from '../../src/modules/people/identifiers.ts';
import { generateAuthority } from '../../src/modules/synthetic/authority.ts';
import {
  AGENCY_SHARE_TARGET,
  formatReport,
  runCalibration,
} from '../../src/modules/synthetic/calibration.ts';
import { calibrationCommand, seedCommand, type Io } from '../../src/modules/synthetic/synthetic.cli.ts';
import { TABLES } from '../../src/modules/synthetic/writer.ts';
import { openTestDb, type TestDb } from '../support/db.ts';
import { loadTestGeography } from '../support/geography.ts';

/**
 * The synthetic authority (src/modules/synthetic): generated on the real geography, calibrated to
 * the national figures, deterministic, and refusing bad input without changing anything.
 */
vi.setConfig({ testTimeout: 300_000 });

/** Milton Keynes, with two neighbours so that some placements are out of the authority. */
const AUTHORITY = 'E06000042';
const NEIGHBOURS = ['E06000055', 'E06000060'];
/** Rutland: the smallest authority but two, for the quick runs. */
const SMALL = 'E06000017';

function captureIo(): Io & { text(): string } {
  let text = '';
  const output = { write: (chunk: string) => (text += chunk), isTTY: false };
  return { out: output, err: output, text: () => text };
}

const opener =
  (handle: DbHandle) =>
  <T>(work: (h: DbHandle) => Promise<T>) =>
    work(handle);

async function counts(handle: DbHandle): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const table of ['organisations', 'people', 'help_episodes', 'users', 'teams', 'synthetic_runs']) {
    const row = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(
      handle.db,
    );
    result[table] = row.rows[0]?.n ?? 0;
  }
  return result;
}

/** md5 of every row of every table the generator writes (run records and load times aside). */
async function tableHashes(handle: DbHandle): Promise<Record<string, string>> {
  const tables = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
      AND table_name NOT IN ('synthetic_runs', 'schema_migrations', 'reference_data_loads', 'audit_log', 'sessions')
    ORDER BY table_name`.execute(handle.db);
  const result: Record<string, string> = {};
  for (const { name } of tables.rows) {
    const row = await sql<{ hash: string | null; n: number }>`
      SELECT md5(string_agg(t::text, E'\\n' ORDER BY t::text)) AS hash, count(*)::int AS n FROM ${sql.table(name)} t`.execute(
      handle.db,
    );
    result[name] = `${row.rows[0]?.n ?? 0}:${row.rows[0]?.hash ?? ''}`;
  }
  return result;
}

/** Rows whose foreign key points at nothing, per key (the generator may skip per-row checks). */
async function orphans(handle: DbHandle): Promise<string[]> {
  const keys = await sql<{ child: string; column: string; parent: string; parent_column: string }>`
    SELECT cl.relname AS child, att.attname AS column, pcl.relname AS parent, patt.attname AS parent_column
    FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_class pcl ON pcl.oid = c.confrelid
    JOIN pg_namespace ns ON ns.oid = cl.relnamespace
    JOIN pg_attribute att ON att.attrelid = c.conrelid AND att.attnum = c.conkey[1]
    JOIN pg_attribute patt ON patt.attrelid = c.confrelid AND patt.attnum = c.confkey[1]
    WHERE c.contype = 'f' AND array_length(c.conkey, 1) = 1 AND ns.nspname = current_schema()`.execute(
    handle.db,
  );
  const found: string[] = [];
  for (const key of keys.rows) {
    const row = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(key.child)} c
      WHERE c.${sql.ref(key.column)} IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM ${sql.table(key.parent)} p WHERE p.${sql.ref(key.parent_column)} = c.${sql.ref(key.column)})`.execute(
      handle.db,
    );
    if ((row.rows[0]?.n ?? 0) > 0)
      found.push(`${key.child}.${key.column} → ${key.parent}: ${row.rows[0]?.n ?? 0}`);
  }
  return found;
}

describe('a synthetic authority calibrated to the national figures', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
    await loadTestGeography(db, [AUTHORITY, ...NEIGHBOURS]);
  }, 300_000);
  afterAll(async () => {
    await db.close();
  });

  it('generates Milton Keynes at a tenth of its size and meets every calibration target it can assess', async () => {
    const summary = await generateAuthority(db.db, {
      authority: 'Milton Keynes',
      scale: 0.1,
      seed: 'calibration',
      pglite: db.pglite,
    });
    expect(summary.laCode).toBe(AUTHORITY);
    expect(summary.childrenUnder18).toBeGreaterThan(5500);

    const report = await runCalibration(db.db, { laCode: AUTHORITY });
    const failures = report.checks.filter((c) => c.result === 'FAIL');
    expect(failures, formatReport(report)).toEqual([]);
    // Most checks must be assessable at this size: the test is not passing by skipping.
    expect(report.passed).toBeGreaterThanOrEqual(60);
    expect(report.referenceDate).toBe('2026-03-31');

    // The calibration command prints the same and exits 0.
    const io = captureIo();
    expect(await calibrationCommand(['--la', AUTHORITY], opener(db), io)).toBe(0);
    expect(io.text()).toContain('0 failed');
  });

  it('engages about one social worker in six through an agency, as in England, and only social workers', async () => {
    // Each member of staff, with the practitioner role of the allocations they held (one per team function).
    const staff = await sql<{ role: string; held: string | null; employment: string; n: number }>`
      SELECT ur.role_id AS role,
        (SELECT min(a.practitioner_role) FROM allocations a WHERE a.worker_user_id = u.id) AS held,
        u.employment, count(*)::int AS n
      FROM users u JOIN user_roles ur ON ur.user_id = u.id
      JOIN organisations o ON o.id = u.organisation_id AND o.la_code = ${AUTHORITY}
      GROUP BY 1, 2, 3`.execute(db.db);
    const count = (test: (row: (typeof staff.rows)[number]) => boolean) =>
      staff.rows.reduce((total, row) => (test(row) ? total + row.n : total), 0);
    const socialWorkers = count((r) => r.role === 'practitioner' && r.held === 'social_worker');
    const agency = count(
      (r) => r.role === 'practitioner' && r.held === 'social_worker' && r.employment === 'agency',
    );
    // Managers, front door and family help workers and personal advisers stay permanent.
    expect(count((r) => r.employment === 'agency')).toBe(agency);
    expect(count((r) => r.held === 'family_help_worker')).toBeGreaterThan(0);
    expect(socialWorkers).toBeGreaterThanOrEqual(20);
    // DfE children's social work workforce, September 2024: 16.2% of child and family social workers.
    // The generator marks a whole number of them, so the share is the target give or take one worker.
    const share = (100 * agency) / socialWorkers;
    expect(Math.abs(share - AGENCY_SHARE_TARGET)).toBeLessThanOrEqual(100 / socialWorkers);
    expect(agency).toBeGreaterThan(0);

    // The calibration report counts the same and passes it.
    const report = await runCalibration(db.db, { laCode: AUTHORITY });
    const check = report.checks.find((c) => c.number === 30);
    expect(check).toMatchObject({ result: 'PASS', target: AGENCY_SHARE_TARGET });
    expect(check?.value).toBeCloseTo(share, 10);
  });

  it('builds households on the real geography with valid, reserved identifiers and one open episode per child', async () => {
    const people = await sql<{
      nhs: number;
      nhs_valid: number;
      upn: number;
      outside: number;
      children: number;
    }>`
      SELECT count(*) FILTER (WHERE nhs_number IS NOT NULL)::int AS nhs,
        count(*) FILTER (WHERE nhs_number LIKE '999%')::int AS nhs_valid,
        count(*) FILTER (WHERE upn IS NOT NULL)::int AS upn,
        count(*) FILTER (WHERE upn IS NOT NULL
          AND (substr(upn, 5, 2) <> '00' OR substr(upn, 2, 3) <> ${DFE_LA_NUMBERS[AUTHORITY] ?? ''}))::int AS outside,
        count(*) FILTER (WHERE is_child)::int AS children
      FROM people`.execute(db.db);
    const p = people.rows[0];
    expect(p?.nhs).toBeGreaterThan(1000);
    expect(p?.nhs_valid).toBe(p?.nhs);
    expect(p?.outside).toBe(0);
    const sample = await sql<{ nhs_number: string | null; upn: string | null }>`
      SELECT nhs_number, upn FROM people WHERE nhs_number IS NOT NULL OR upn IS NOT NULL ORDER BY id LIMIT 500`.execute(
      db.db,
    );
    for (const row of sample.rows) {
      if (row.nhs_number) expect(nhsNumberIsValid(row.nhs_number), row.nhs_number).toBe(true);
      if (row.upn) expect(upnIsValid(row.upn), row.upn).toBe(true);
    }
    // Every address is a real postcode of the authority's neighbourhoods (wider family may live anywhere in it).
    const addresses = await sql<{ total: number; matched: number }>`
      SELECT count(*)::int AS total,
        count(*) FILTER (WHERE EXISTS (SELECT 1 FROM postcodes pc JOIN lsoa21 l ON l.code = pc.lsoa21_code
          WHERE pc.postcode = a.postcode AND pc.lsoa21_code = a.lsoa21_code AND l.la_code = ${AUTHORITY}))::int AS matched
      FROM person_addresses a`.execute(db.db);
    expect(addresses.rows[0]?.matched).toBe(addresses.rows[0]?.total);
    // Families: mothers, fathers, siblings and wider family, as relationships.
    const kinds = await sql<{ kind: string }>`SELECT DISTINCT kind FROM relationships ORDER BY kind`.execute(
      db.db,
    );
    expect(kinds.rows.map((k) => k.kind)).toEqual(
      expect.arrayContaining([
        'mother',
        'father',
        'sibling',
        'half-sibling',
        'grandparent',
        'aunt or uncle',
        'friend of the family',
      ]),
    );
    // One continuous episode: never two open at once, status changes inside it, CIN referrals closed on step-down.
    const open = await sql<{ n: number }>`SELECT count(*)::int AS n FROM (
      SELECT person_id FROM help_episodes WHERE closed_on IS NULL GROUP BY person_id HAVING count(*) > 1) x`.execute(
      db.db,
    );
    expect(open.rows[0]?.n).toBe(0);
    const journeys = await sql<{
      n: number;
    }>`SELECT count(DISTINCT episode_id)::int AS n FROM episode_status_changes
      WHERE from_status = 'child_protection' AND to_status = 'looked_after'`.execute(db.db);
    expect(journeys.rows[0]?.n).toBeGreaterThan(0);
    const stray = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM cin_referrals r JOIN help_episodes e ON e.id = r.episode_id
      WHERE r.closed_on IS NULL AND e.status IN ('family_help', 'closed')`.execute(db.db);
    expect(stray.rows[0]?.n).toBe(0);
    expect(await orphans(db)).toEqual([]);
  });

  it('fills every table it writes, with child protection and care records shaped as the services make them', async () => {
    const one = async <T>(query: ReturnType<typeof sql<T>>): Promise<T> => {
      const row = (await query.execute(db.db)).rows[0];
      if (!row) throw new Error('no row');
      return row;
    };
    const empty: string[] = [];
    for (const table of TABLES) {
      const row = await one(sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`);
      if (row.n === 0) empty.push(table);
    }
    expect(empty).toEqual([]);

    // Strategy discussions: one contribution per agency there, in order.
    const strategy = await one(sql<{ bad: number }>`
      SELECT count(*)::int AS bad FROM strategy_discussions s
      WHERE cardinality(s.agencies) <> (SELECT count(*) FROM strategy_discussion_contributions c
        WHERE c.strategy_discussion_id = s.id)`);
    expect(strategy.bad).toBe(0);

    // Conferences: the report shared with the parents (mostly in time, some late), an advocate
    // offered, who was invited, and the next review whenever the plan goes on.
    const conf = await one(sql<{
      n: number;
      shared: number;
      early: number;
      late: number;
      advocate: number;
      no_parent: number;
      review_wrong: number;
    }>`
      SELECT count(*)::int AS n, count(report_shared_on)::int AS shared,
        count(*) FILTER (WHERE report_shared_on <= held_on - 3)::int AS early,
        count(*) FILTER (WHERE report_shared_on > held_on - 3)::int AS late,
        count(*) FILTER (WHERE advocate_offered)::int AS advocate,
        count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM meeting_participants p
          WHERE p.conference_id = c.id AND p.kind = 'parent'))::int AS no_parent,
        count(*) FILTER (WHERE (next_review_on IS NOT NULL) <> outcome_plan
          OR report_shared_on > held_on)::int AS review_wrong
      FROM conferences c`);
    expect(conf.shared / conf.n).toBeGreaterThan(0.9);
    expect(conf.early / conf.shared).toBeGreaterThan(0.7);
    expect(conf.late).toBeGreaterThan(0);
    expect(conf.advocate / conf.n).toBeGreaterThan(0.75);
    expect(conf.no_parent).toBe(0);
    expect(conf.review_wrong).toBe(0);

    // Core groups about every six weeks while a child protection plan is active, with who came.
    const core = await one(sql<{ plans: number; with_core: number; outside: number; nobody: number }>`
      SELECT (SELECT count(*)::int FROM plans WHERE kind = 'child_protection'
          AND coalesce(ended_on, '2026-03-31') - started_on >= 21) AS plans,
        (SELECT count(DISTINCT g.plan_id)::int FROM core_group_meetings g) AS with_core,
        (SELECT count(*)::int FROM core_group_meetings g JOIN plans p ON p.id = g.plan_id
          WHERE p.kind <> 'child_protection' OR g.held_on < p.started_on
            OR g.held_on > coalesce(p.ended_on, '2026-03-31')) AS outside,
        (SELECT count(*)::int FROM core_group_meetings g WHERE NOT EXISTS (
          SELECT 1 FROM meeting_participants p WHERE p.core_group_id = g.id AND p.attended)) AS nobody`);
    expect(core.with_core / core.plans).toBeGreaterThan(0.9);
    expect(core.outside).toBe(0);
    expect(core.nobody).toBe(0);

    // Family network meetings offered at most initial conferences (and before court), answered, held.
    const family = await one(sql<{
      initial: number;
      offered: number;
      accepted: number;
      declined: number;
      held: number;
    }>`
      SELECT (SELECT count(*)::int FROM conferences WHERE kind = 'initial') AS initial,
        count(conference_id)::int AS offered,
        count(*) FILTER (WHERE response = 'accepted')::int AS accepted,
        count(*) FILTER (WHERE response = 'declined')::int AS declined,
        count(held_on)::int AS held
      FROM family_network_meetings`);
    expect(family.offered / family.initial).toBeGreaterThan(0.75);
    expect(family.accepted).toBeGreaterThan(0);
    expect(family.declined).toBeGreaterThan(0);
    expect(family.held).toBeGreaterThan(0);

    // Care: each period has its care plan; each looked-after review its care review, numbered 1, 2, 3…
    const care = await one(sql<{
      no_plan: number;
      reviews: number;
      care_reviews: number;
      misnumbered: number;
    }>`
      SELECT (SELECT count(*)::int FROM care_periods c LEFT JOIN plans p ON p.id = c.care_plan_id
          WHERE p.id IS NULL OR p.kind <> 'care' OR p.person_id <> c.person_id) AS no_plan,
        (SELECT count(*)::int FROM plan_reviews r JOIN plans p ON p.id = r.plan_id WHERE p.kind = 'care') AS reviews,
        (SELECT count(*)::int FROM care_reviews) AS care_reviews,
        (SELECT count(*)::int FROM (SELECT care_period_id FROM care_reviews GROUP BY care_period_id
          HAVING max(sequence) <> count(*) OR min(sequence) <> 1) x) AS misnumbered`);
    expect(care.no_plan).toBe(0);
    expect(care.care_reviews).toBe(care.reviews);
    expect(care.misnumbered).toBe(0);

    // Personal education plans only for children of school age, while in care.
    const pep = await one(sql<{ n: number; wrong: number }>`
      SELECT count(*)::int AS n, count(*) FILTER (WHERE e.held_on < p.date_of_birth + interval '4 years'
        OR e.held_on < c.started_on OR e.held_on > coalesce(c.ended_on, '2026-03-31'))::int AS wrong
      FROM personal_education_plans e JOIN people p ON p.id = e.person_id JOIN care_periods c ON c.id = e.care_period_id`);
    expect(pep.n).toBeGreaterThan(0);
    expect(pep.wrong).toBe(0);

    // Placements: weekly costs by type near today's prices; hidden addresses recorded; staying put.
    const costs = await sql<{ kind: string; pounds: number }>`
      SELECT CASE WHEN placement_type IN ('U1', 'U2', 'U3') THEN 'kinship'
          WHEN placement_type IN ('U4', 'U5', 'U6') AND provider = 'PR1' THEN 'in-house foster'
          WHEN placement_type IN ('U4', 'U5', 'U6') THEN 'agency foster'
          WHEN placement_type = 'K2' AND provider = 'PR4' THEN 'private home' END AS kind,
        (avg(weekly_cost_pence) / 100)::float AS pounds
      FROM placements WHERE started_on > '2023-03-31' GROUP BY 1`.execute(db.db);
    const cost = Object.fromEntries(costs.rows.map((r) => [r.kind, r.pounds]));
    expect(cost['kinship']).toBeGreaterThan(190);
    expect(cost['kinship']).toBeLessThan(300);
    expect(cost['in-house foster']).toBeGreaterThan(350);
    expect(cost['in-house foster']).toBeLessThan(550);
    expect(cost['agency foster']).toBeGreaterThan(700);
    expect(cost['agency foster']).toBeLessThan(1050);
    expect(cost['private home']).toBeGreaterThan(4300);
    expect(cost['private home']).toBeLessThan(6500);
    const placed = await one(sql<{
      hidden_no_address: number;
      siblings: number;
      stay: number;
      stay_wrong: number;
    }>`
      SELECT (SELECT count(*)::int FROM placements WHERE address_hidden_from_family AND address IS NULL) AS hidden_no_address,
        (SELECT count(*)::int FROM placements WHERE with_siblings IN ('all', 'some')) AS siblings,
        (SELECT count(*)::int FROM care_leavers WHERE staying_put_from IS NOT NULL) AS stay,
        (SELECT count(*)::int FROM care_leavers l JOIN people p ON p.id = l.person_id
          WHERE l.staying_put_from <> p.date_of_birth + interval '18 years'
            OR l.staying_put_until >= p.date_of_birth + interval '21 years') AS stay_wrong`);
    expect(placed.hidden_no_address).toBe(0);
    expect(placed.siblings).toBeGreaterThan(0);
    expect(placed.stay).toBeGreaterThan(0);
    expect(placed.stay_wrong).toBe(0);
  });

  it('refuses to seed an authority that already has people, unless appending, and changes nothing', async () => {
    const before = await counts(db);
    const io = captureIo();
    expect(await seedCommand(['--la', AUTHORITY, '--scale', '0.01'], opener(db), io)).toBe(2);
    expect(io.text()).toContain('already has');
    expect(io.text()).toContain('--append');
    expect(await counts(db)).toEqual(before);

    const appended = captureIo();
    expect(
      await seedCommand(
        ['--la', AUTHORITY, '--scale', '0.005', '--seed', 'more', '--append'],
        opener(db),
        appended,
      ),
    ).toBe(0);
    expect(appended.text()).toContain('run 2');
    const after = await counts(db);
    expect(after['people']).toBeGreaterThan(before['people'] ?? 0);
    expect(after['teams']).toBe(before['teams']);
    expect(after['organisations']).toBe(before['organisations']);
  });
});

describe('determinism and bad input', () => {
  let first: TestDb;
  let second: TestDb;
  beforeAll(async () => {
    [first, second] = await Promise.all([openTestDb(), openTestDb()]);
    await loadTestGeography(first, [SMALL]);
    await loadTestGeography(second, [SMALL]);
  }, 300_000);
  afterAll(async () => {
    await first.close();
    await second.close();
  });

  it('gives byte-identical rows for the same seed, whatever the batch size or checking, and again after --replace', async () => {
    await generateAuthority(first.db, { authority: SMALL, scale: 0.3, seed: 7, years: 10 });
    await generateAuthority(second.db, {
      authority: 'rutland',
      scale: 0.3,
      seed: '7',
      batchRows: 2_000,
      checkEveryRow: true,
      pglite: second.pglite,
    });
    const hashes = await tableHashes(first);
    expect(await tableHashes(second)).toEqual(hashes);
    expect(Number(hashes['help_episodes']?.split(':')[0])).toBeGreaterThan(100);

    const io = captureIo();
    expect(
      await seedCommand(['--la', SMALL, '--scale', '0.3', '--seed', '7', '--replace'], opener(second), io),
    ).toBe(0);
    expect(await tableHashes(second)).toEqual(hashes);
    expect(await orphans(second)).toEqual([]);

    // Another seed gives other people.
    await generateAuthority(first.db, { authority: SMALL, scale: 0.3, seed: 8, mode: 'replace' });
    expect((await tableHashes(first))['people']).not.toBe(hashes['people']);
  });

  it('refuses unknown authorities, scales of zero or less, and bad dates with exit code 2, changing nothing', async () => {
    const before = await counts(second);
    const cases: [string[], string][] = [
      [['--la', 'E99999999'], 'Unknown authority'],
      [['--la', 'Atlantis'], 'Unknown authority'],
      [['--la', SMALL, '--scale', '-1'], 'greater than 0'],
      [['--la', SMALL, '--scale', '0'], 'greater than 0'],
      [['--la', SMALL, '--scale', 'lots'], 'must be a number'],
      [['--la', SMALL, '--years', '0'], 'whole number'],
      [['--la', SMALL, '--reference-date', '2026-02-30'], 'real date'],
      [['--la', SMALL, '--append', '--replace'], 'not both'],
      [[], 'Give either'],
    ];
    for (const [args, message] of cases) {
      const io = captureIo();
      let opened = false;
      const code = await seedCommand(
        args,
        (work) => {
          opened = true;
          return work(second);
        },
        io,
      );
      expect(code, args.join(' ')).toBe(2);
      expect(io.text(), args.join(' ')).toContain(message);
      expect(opened, args.join(' ')).toBe(false);
    }
    // The real command line exits with code 2 too (nothing is opened, so no database is needed).
    for (const args of [
      ['--la', 'E99999999'],
      ['--la', SMALL, '--scale', '-0.5'],
    ]) {
      const result = spawnSync(process.execPath, ['bin/hearth.js', 'seed', ...args], {
        env: {
          PATH: process.env['PATH'] ?? '',
          NODE_ENV: 'development',
          HEARTH_DATA_DIR: join(tmpdir(), 'hearth-never-opened'),
        },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(result.status, result.stderr).toBe(2);
    }
    const unknown = captureIo();
    expect(await calibrationCommand(['--la', 'Nowhere'], opener(second), unknown)).toBe(2);
    expect(await counts(second)).toEqual(before);
  });
});
