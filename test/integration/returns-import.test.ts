import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import type { Actor } from '../../src/modules/access/actor.ts';
import { personInScope } from '../../src/modules/access/person-scope.ts';
import {
  baselineCinChild,
  cinContext,
  withProtection,
  type CinChild,
} from '../../src/modules/returns/cin/model.ts';
import { cinChildren } from '../../src/modules/returns/cin/produce.ts';
import { openCin } from '../../src/modules/returns/cin/read.ts';
import { childXml, writeCin } from '../../src/modules/returns/cin/write.ts';
import { planImport, runImport, type ImportRequest } from '../../src/modules/returns/import/import.ts';
import { totals, type ImportReport } from '../../src/modules/returns/import/model.ts';
import { importCommand } from '../../src/modules/returns/import/import.cli.ts';
import {
  baseline903Child,
  row,
  SSDA903_COLUMNS,
  type Child903,
  type Ssda903Table,
} from '../../src/modules/returns/ssda903/model.ts';
import { ssda903Children } from '../../src/modules/returns/ssda903/produce.ts';
import { readSsda903 } from '../../src/modules/returns/ssda903/read.ts';
import { write903 } from '../../src/modules/returns/ssda903/write.ts';
import { openTestDb, type TestDb } from '../support/db.ts';
import { makeWorld, testClock, testDeps } from '../support/world.ts';

/**
 * Importing past returns (issue 7, the on-ramp): the dry run writes nothing; the import creates the
 * expected rows; a second import changes nothing; a file with bad rows is refused whole with every
 * problem listed; two years of one child make one person; and importing a return then producing the
 * same year again gives the same return, apart from the normalisations in docs/returns/import.md.
 */
vi.setConfig({ testTimeout: 120_000 });

const FIXTURES = join(import.meta.dirname, '../fixtures/returns');
const CIN_FILE = join(FIXTURES, 'cin-2026-valid.xml');
const DIR_903 = join(FIXTURES, 'ssda903-2026-valid');

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Row counts of every table the import writes. */
const TABLES = [
  'people',
  'help_episodes',
  'cin_referrals',
  'assessments',
  'assessment_factors',
  'plans',
  'plan_reviews',
  'section47_enquiries',
  'conferences',
  'care_periods',
  'legal_statuses',
  'placements',
  'missing_episodes',
  'health_checks',
  'permanence_decisions',
  'care_leavers',
  'care_leaver_contacts',
  'liberty_orders',
  'allocations',
  'audit_log',
] as const;

async function snapshot(db: Kysely<Database>): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    const rows = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)}`.execute(db);
    out[table] = rows.rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'hearth-import-'));
}

async function writeCinFile(path: string, year: number, children: CinChild[]): Promise<void> {
  const { createWriteStream } = await import('node:fs');
  const { finished } = await import('node:stream/promises');
  const stream = createWriteStream(path, { encoding: 'utf8' });
  await writeCin(cinContext(year).header, children, stream);
  stream.end();
  await finished(stream);
}

function created(report: ImportReport, table: string): number {
  return totals(report)[table]?.created ?? 0;
}

describe('importing past returns', () => {
  let handle: TestDb;
  let db: Kysely<Database>;
  let world: Awaited<ReturnType<typeof makeWorld>>;

  beforeAll(async () => {
    handle = await openTestDb();
    db = handle.db;
    world = await makeWorld(testDeps(handle));
  });
  afterAll(async () => {
    await handle.close();
  });

  async function newCouncil(): Promise<string> {
    const org = await db
      .insertInto('organisations')
      .values({
        name: `Council ${Math.random().toString(36).slice(2, 8)}`,
        kind: 'local_authority',
        la_code: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return org.id;
  }

  it('a dry run reports what would be created and writes nothing', async () => {
    const before = await snapshot(db);
    const report = await planImport(db, {
      organisationId: world.organisationId,
      cin: [CIN_FILE],
      ssda903: [{ dir: DIR_903, year: 2026 }],
    });
    expect(report.problems).toEqual([]);
    expect(report.applied).toBe(false);
    expect(created(report, 'people')).toBe(5);
    expect(created(report, 'cin_referrals')).toBe(3);
    expect(created(report, 'care_periods')).toBe(2);
    expect(await snapshot(db)).toEqual(before);
  });

  it('imports the CIN census and SSDA903 fixtures into the expected rows, and a second import changes nothing', async () => {
    const request: ImportRequest = {
      organisationId: world.organisationId,
      cin: [CIN_FILE],
      ssda903: [{ dir: DIR_903, year: 2026 }],
    };
    const first = await runImport(db, request);
    expect(first.problems).toEqual([]);
    expect(first.applied).toBe(true);

    const child = await db
      .selectFrom('people')
      .selectAll()
      .where('organisation_id', '=', world.organisationId)
      .where('council_person_id', '=', 'HRT0000001')
      .executeTakeFirstOrThrow();
    expect(child).toMatchObject({
      upn: 'E938611200101',
      date_of_birth: '2015-05-10',
      sex: 'F',
      ethnicity: 'WBRI',
      disabilities: ['MOB', 'HAND', 'PC', 'INC', 'COMM', 'LD', 'HEAR', 'VIS'],
      given_name: 'Child',
      family_name: 'HRT0000001',
    });
    const referral = await db
      .selectFrom('cin_referrals as r')
      .innerJoin('help_episodes as e', 'e.id', 'r.episode_id')
      .select([
        'r.referral_date',
        'r.referral_source',
        'r.primary_need',
        'r.referral_nfa',
        'r.closed_on',
        'e.status',
        'e.organisation_id',
      ])
      .where('e.person_id', '=', child.id)
      .executeTakeFirstOrThrow();
    expect(referral).toEqual({
      referral_date: '2025-06-02',
      referral_source: '2A',
      primary_need: 'N1',
      referral_nfa: false,
      closed_on: null,
      status: 'child_protection',
      organisation_id: world.organisationId,
    });
    const plan = await db
      .selectFrom('plans')
      .select(['kind', 'status', 'started_on', 'initial_category', 'latest_category'])
      .where('person_id', '=', child.id)
      .executeTakeFirstOrThrow();
    expect(plan).toEqual({
      kind: 'child_protection',
      status: 'active',
      started_on: '2025-06-20',
      initial_category: 'NEG',
      latest_category: 'NEG',
    });
    const conferences = await db
      .selectFrom('conferences')
      .select(['kind', 'held_on'])
      .where('person_id', '=', child.id)
      .orderBy('held_on')
      .execute();
    expect(conferences).toEqual([
      { kind: 'initial', held_on: '2025-06-20' },
      { kind: 'review', held_on: '2025-09-15' },
    ]);

    const looked = await db
      .selectFrom('people')
      .select('id')
      .where('organisation_id', '=', world.organisationId)
      .where('council_person_id', '=', 'C1002')
      .executeTakeFirstOrThrow();
    const period = await db
      .selectFrom('care_periods')
      .select([
        'started_on',
        'ended_on',
        'reason_ceased',
        'category_of_need',
        'home_postcode',
        'previous_permanence',
      ])
      .where('person_id', '=', looked.id)
      .executeTakeFirstOrThrow();
    expect(period).toEqual({
      started_on: '2025-06-20',
      ended_on: '2025-12-12',
      reason_ceased: 'E4A',
      category_of_need: 'N1',
      home_postcode: 'AL1 3JY',
      previous_permanence: 'Z1',
    });
    const statuses = await db
      .selectFrom('legal_statuses as s')
      .innerJoin('care_periods as c', 'c.id', 's.care_period_id')
      .select(['s.code', 's.started_on', 's.ended_on'])
      .where('c.person_id', '=', looked.id)
      .execute();
    expect(statuses).toEqual([{ code: 'V2', started_on: '2025-06-20', ended_on: '2025-12-12' }]);

    // Imported children have no live work: no allocation, yet the whole authority's roles see them.
    const allocations = await db
      .selectFrom('allocations')
      .select('id')
      .where('person_id', '=', looked.id)
      .execute();
    expect(allocations).toEqual([]);
    const clock = testClock();
    const senior: Actor = {
      userId: (await world.user({ roles: ['senior_leader'] })).id,
      organisationId: world.organisationId,
      displayName: 'Senior leader',
      roleIds: ['senior_leader'],
      permissions: [{ resource: 'person', action: 'read', scope: 'authority' }],
      teamIds: [],
      localityIds: [],
    };
    const seen = await db
      .selectFrom('people')
      .select('id')
      .where('council_person_id', 'in', ['HRT0000001', 'C1002'])
      .where(personInScope(senior, 'read', clock))
      .execute();
    expect(seen).toHaveLength(2);

    const audit = await db
      .selectFrom('audit_log')
      .select(['action', 'detail'])
      .where('action', '=', 'returns.import')
      .execute();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0]?.detail)).not.toContain('HRT0000001');

    // The same files again: nothing changes.
    const after = await snapshot(db);
    const again = await runImport(db, request);
    expect(again.problems).toEqual([]);
    const sum = totals(again);
    expect(Object.values(sum).every((c) => c.created === 0 && c.updated === 0)).toBe(true);
    const now = await snapshot(db);
    const rowCounts = (snap: Record<string, unknown[]>) =>
      Object.fromEntries(Object.entries(snap).map(([t, rows]) => [t, rows.length]));
    expect({ ...rowCounts(now), audit_log: 0 }).toEqual({ ...rowCounts(after), audit_log: 0 });
    // Only the second audit entry is new.
    expect((now['audit_log'] ?? []).length).toBe((after['audit_log'] ?? []).length + 1);
    expect({ ...now, audit_log: [] }).toEqual({ ...after, audit_log: [] });
  });

  it('a file with bad rows is refused whole, with every problem by file, row and field', async () => {
    const dir = tmp();
    const good = baselineCinChild();
    const bad = baselineCinChild();
    bad.identifiers.LAchildID = 'A'.repeat(21);
    const badDate = baselineCinChild();
    badDate.identifiers.LAchildID = 'HRTBAD2';
    const details = badDate.cinDetails[0];
    if (!details) throw new Error('no details');
    details.CINreferralDate = '2025-02-30';
    details.ReferralSource = 'ZZ';
    const file = join(dir, 'bad.xml');
    await writeCinFile(file, 2026, [good, bad, badDate]);

    const c903 = baseline903Child();
    c903.id = 'C9001';
    for (const table of Object.keys(c903.tables) as Ssda903Table[])
      for (const r of c903.tables[table]) r.values['CHILD'] = 'C9001';
    const episode = c903.tables.Episodes[0];
    if (!episode) throw new Error('no episode');
    episode.values['PLACE'] = 'Q9';
    episode.values['DEC'] = '31/13/2025';
    const dir903 = join(dir, '903');
    await write903(dir903, [c903], 2026);

    const before = await snapshot(db);
    const report = await runImport(db, {
      organisationId: world.organisationId,
      cin: [file],
      ssda903: [{ dir: dir903, year: 2026 }],
    });
    expect(report.applied).toBe(false);
    const found = report.problems.map((p) => ({ file: p.file, row: p.row, field: p.field }));
    const lines = (await import('node:fs')).readFileSync(file, 'utf8').split('\n');
    const lineOf = (text: string) => lines.findIndex((l) => l.includes(text)) + 1;
    expect(found).toEqual(
      expect.arrayContaining([
        { file, row: lineOf('A'.repeat(21)) - 1, field: 'LAchildID' },
        { file, row: lineOf('2025-02-30') - 1, field: 'CINreferralDate' },
        { file, row: lineOf('<ReferralSource>ZZ') - 2, field: 'ReferralSource' },
        { file: 'Episodes.csv', row: 1, field: 'PLACE' },
        { file: 'Episodes.csv', row: 1, field: 'DEC' },
      ]),
    );
    expect(report.problems).toHaveLength(5);
    expect(report.problems.find((p) => p.field === 'LAchildID')?.message).toMatch(/21 characters/);
    expect(await snapshot(db)).toEqual(before);

    // The dry run lists the same problems, and the counts of the good child.
    const dry = await planImport(db, { organisationId: world.organisationId, cin: [file] });
    expect(dry.problems).toHaveLength(3);
    expect(await snapshot(db)).toEqual(before);
  });

  it('two years of CIN census files for one child make one person with one history', async () => {
    const organisationId = await newCouncil();
    const dir = tmp();
    // 2024-25: referred in January 2025, a child in need plan still open at 31 March 2025.
    const earlier = baselineCinChild();
    earlier.identifiers.LAchildID = 'TWOYEARS1';
    const d1 = earlier.cinDetails[0];
    if (!d1) throw new Error('no details');
    Object.assign(d1, { CINreferralDate: '2025-01-06' });
    d1.assessments = [
      {
        line: 0,
        AssessmentActualStartDate: '2025-01-07',
        AssessmentAuthorisationDate: '2025-02-10',
        factors: ['4B'],
      },
    ];
    d1.cinPlanDates = [{ line: 0, CINPlanStartDate: '2025-02-12' }];
    // 2025-26: the same referral, its plan ended and the episode closed in the year.
    const later = structuredClone(earlier);
    const d2 = later.cinDetails[0];
    if (!d2) throw new Error('no details');
    Object.assign(d2, { CINclosureDate: '2025-09-30', ReasonForClosure: 'RC7' });
    d2.assessments = [];
    d2.cinPlanDates = [{ line: 0, CINPlanStartDate: '2025-02-12', CINPlanEndDate: '2025-09-30' }];
    const f2025 = join(dir, 'cin-2025.xml');
    const f2026 = join(dir, 'cin-2026.xml');
    await writeCinFile(f2025, 2025, [earlier]);
    await writeCinFile(f2026, 2026, [later]);

    // Given newest first: applied oldest first all the same.
    const report = await runImport(db, { organisationId, cin: [f2026, f2025] });
    expect(report.problems).toEqual([]);
    expect(report.files.map((f) => f.year)).toEqual([2025, 2026]);
    const people = await db
      .selectFrom('people')
      .select('id')
      .where('organisation_id', '=', organisationId)
      .execute();
    expect(people).toHaveLength(1);
    const personId = people[0]?.id ?? '';
    const episodes = await db
      .selectFrom('help_episodes')
      .select(['started_on', 'status', 'closed_on', 'closure_reason'])
      .where('person_id', '=', personId)
      .execute();
    expect(episodes).toEqual([
      { started_on: '2025-01-06', status: 'closed', closed_on: '2025-09-30', closure_reason: 'RC7' },
    ]);
    const referrals = await db
      .selectFrom('cin_referrals as r')
      .innerJoin('help_episodes as e', 'e.id', 'r.episode_id')
      .select(['r.referral_date', 'r.closed_on'])
      .where('e.person_id', '=', personId)
      .execute();
    expect(referrals).toEqual([{ referral_date: '2025-01-06', closed_on: '2025-09-30' }]);
    const plans = await db
      .selectFrom('plans')
      .select(['kind', 'started_on', 'ended_on', 'status'])
      .where('person_id', '=', personId)
      .execute();
    expect(plans).toEqual([
      { kind: 'child_in_need', started_on: '2025-02-12', ended_on: '2025-09-30', status: 'ended' },
    ]);
    // The assessment authorised in 2024-25 is kept, with its factor.
    const assessments = await db
      .selectFrom('assessments')
      .select(['started_on', 'authorised_on', 'status'])
      .where('person_id', '=', personId)
      .execute();
    expect(assessments).toEqual([
      { started_on: '2025-01-07', authorised_on: '2025-02-10', status: 'authorised' },
    ]);

    // Importing the later year on its own afterwards changes nothing.
    const again = await runImport(db, { organisationId, cin: [f2026] });
    expect(Object.values(totals(again)).every((c) => c.created === 0 && c.updated === 0)).toBe(true);
  });

  it('round trip: the CIN census fixture comes back out the same', async () => {
    const organisationId = await newCouncil();
    const report = await runImport(db, { organisationId, cin: [CIN_FILE] });
    expect(report.problems).toEqual([]);
    const input = await openCin(CIN_FILE);
    // Normalisation: assessment factors come back in code order.
    const normalised = (c: CinChild) => {
      for (const d of c.cinDetails) for (const a of d.assessments) a.factors.sort();
      return childXml(c);
    };
    const given = (await collect(input.children)).map(normalised);
    const produced = (await collect(cinChildren(db, { censusYear: 2026, organisationId }))).map(normalised);
    expect(given).toHaveLength(3);
    expect(produced.sort()).toEqual(given.sort());
  });

  it('round trip: the SSDA903 fixture comes back out the same (social worker episodes aside)', async () => {
    const organisationId = await newCouncil();
    const report = await runImport(db, { organisationId, ssda903: [{ dir: DIR_903, year: 2026 }] });
    expect(report.problems).toEqual([]);
    expect(report.files[0]?.skipped).toEqual({ SWEpisodes: 2 });
    const input = await readSsda903(DIR_903, 2026);
    const produced = await collect(ssda903Children(db, { year: 2026, organisationId }));
    const rows = (children: Child903[], table: Ssda903Table) =>
      children
        .flatMap((c) => c.tables[table])
        .map((r) => SSDA903_COLUMNS[table].map((col) => r.values[col] ?? '').join(','))
        .sort();
    for (const table of Object.keys(SSDA903_COLUMNS) as Ssda903Table[]) {
      if (table === 'SWEpisodes' || table === 'DoLo') continue;
      expect({ table, rows: rows(produced, table) }).toEqual({ table, rows: rows(input.children, table) });
    }
  });

  it('two years of SSDA903 files: periods of care continue across years, and the later year comes back out the same', async () => {
    const organisationId = await newCouncil();
    const dir = tmp();
    const child = (
      id: string,
      sex: string,
      dob: string,
      rows: Partial<Record<Ssda903Table, Record<string, string>[]>>,
    ): Child903 => {
      const c = baseline903Child();
      for (const table of Object.keys(c.tables) as Ssda903Table[]) c.tables[table] = [];
      c.id = id;
      c.tables.Header.push(
        row({ CHILD: id, SEX: sex, DOB: dob, ETHNIC: 'WBRI', UPN: 'UN1', MOTHER: sex === 'F' ? '0' : '' }, 1),
      );
      for (const [table, values] of Object.entries(rows) as [Ssda903Table, Record<string, string>[]][])
        c.tables[table] = values.map((v, i) => row({ CHILD: id, ...v }, i + 1));
      return c;
    };
    const ep = (v: Record<string, string>) => ({
      CIN: 'N2',
      PLACE_PROVIDER: 'PR1',
      HOME_POST: 'AL1 3JY',
      PL_POST: 'AL3 5PQ',
      ...v,
    });
    const year2025 = [
      child('C2002', 'M', '03/02/2012', {
        Episodes: [ep({ DECOM: '01/02/2025', RNE: 'S', LS: 'C1', PLACE: 'U4' })],
      }),
      child('C2003', 'F', '15/09/2006', {
        Episodes: [
          ep({ DECOM: '01/01/2023', RNE: 'S', LS: 'C2', PLACE: 'U1', DEC: '15/09/2024', REC: 'E8' }),
        ],
      }),
    ];
    const year2026 = [
      child('C2001', 'F', '20/05/2014', {
        Episodes: [
          ep({
            DECOM: '10/05/2025',
            RNE: 'S',
            LS: 'C2',
            PLACE: 'U1',
            DEC: '01/08/2025',
            REC: 'X1',
            REASON_PLACE_CHANGE: 'CARPL',
          }),
          ep({
            DECOM: '01/08/2025',
            RNE: 'P',
            LS: 'C2',
            PLACE: 'U3',
            PL_POST: 'AL4 0AA',
            DEC: '01/10/2025',
            REC: 'X1',
          }),
          ep({ DECOM: '01/10/2025', RNE: 'L', LS: 'C1', PLACE: 'U3', PL_POST: 'AL4 0AA' }),
        ],
        Reviews: [
          { DOB: '20/05/2014', REVIEW: '06/06/2025', REVIEW_CODE: 'PN1' },
          { DOB: '20/05/2014', REVIEW: '05/09/2025', REVIEW_CODE: 'PN3' },
        ],
        Missing: [{ DOB: '20/05/2014', MISSING: 'M', MIS_START: '05/09/2025', MIS_END: '06/09/2025' }],
        PrevPerm: [{ DOB: '20/05/2014', PREV_PERM: 'Z1' }],
      }),
      child('C2002', 'M', '03/02/2012', {
        Episodes: [
          ep({
            DECOM: '01/02/2025',
            RNE: 'S',
            LS: 'C1',
            PLACE: 'U4',
            DEC: '01/06/2025',
            REC: 'X1',
            REASON_PLACE_CHANGE: 'CHILD',
          }),
          ep({ DECOM: '01/06/2025', RNE: 'P', LS: 'C1', PLACE: 'U5', DEC: '20/12/2025', REC: 'E4A' }),
        ],
      }),
      child('C2003', 'F', '15/09/2006', {
        OC3: [{ DOB: '15/09/2006', IN_TOUCH: 'YES', ACTIV: 'F2', ACCOM: 'S2' }],
      }),
    ];
    // The 2026 Header of a care leaver has no MOTHER (she is not looked after in the year).
    const leaverHeader = year2026[2]?.tables.Header[0];
    if (leaverHeader) delete leaverHeader.values['MOTHER'];
    await write903(join(dir, '2025'), year2025, 2025);
    await write903(join(dir, '2026'), year2026, 2026);

    const report = await runImport(db, {
      organisationId,
      ssda903: [
        { dir: join(dir, '2026'), year: 2026 },
        { dir: join(dir, '2025'), year: 2025 },
      ],
    });
    expect(report.problems).toEqual([]);
    const periodsOf = (id: string) =>
      db
        .selectFrom('care_periods as c')
        .innerJoin('people as p', 'p.id', 'c.person_id')
        .select(['c.id', 'c.started_on', 'c.ended_on', 'c.reason_ceased'])
        .where('p.organisation_id', '=', organisationId)
        .where('p.council_person_id', '=', id)
        .execute();
    const c2002 = await periodsOf('C2002');
    expect(
      c2002.map(({ started_on, ended_on, reason_ceased }) => ({ started_on, ended_on, reason_ceased })),
    ).toEqual([{ started_on: '2025-02-01', ended_on: '2025-12-20', reason_ceased: 'E4A' }]);
    const placements = await db
      .selectFrom('placements')
      .select(['placement_type', 'started_on', 'ended_on', 'change_reason'])
      .where('care_period_id', '=', c2002[0]?.id ?? '')
      .orderBy('started_on')
      .execute();
    expect(placements).toEqual([
      { placement_type: 'U4', started_on: '2025-02-01', ended_on: '2025-06-01', change_reason: 'CHILD' },
      { placement_type: 'U5', started_on: '2025-06-01', ended_on: '2025-12-20', change_reason: null },
    ]);

    const input = await readSsda903(join(dir, '2026'), 2026);
    const produced = await collect(ssda903Children(db, { year: 2026, organisationId }));
    const rows = (children: Child903[], table: Ssda903Table) =>
      children
        .flatMap((c) => c.tables[table])
        .map((r) => SSDA903_COLUMNS[table].map((col) => r.values[col] ?? '').join(','))
        .sort();
    for (const table of Object.keys(SSDA903_COLUMNS) as Ssda903Table[]) {
      if (table === 'SWEpisodes' || table === 'DoLo') continue;
      expect({ table, rows: rows(produced, table) }).toEqual({ table, rows: rows(input.children, table) });
    }

    // Both years again together, then each year again on its own: nothing changes.
    const settled = await snapshot(db);
    const both = await runImport(db, {
      organisationId,
      ssda903: [2025, 2026].map((year) => ({ dir: join(dir, String(year)), year })),
    });
    expect(Object.entries(totals(both)).filter(([, c]) => c.created + c.updated > 0)).toEqual([]);
    expect({ ...(await snapshot(db)), audit_log: [] }).toEqual({ ...settled, audit_log: [] });
    for (const year of [2025, 2026]) {
      const again = await runImport(db, {
        organisationId,
        ssda903: [{ dir: join(dir, String(year)), year }],
      });
      expect(again.problems).toEqual([]);
      expect(Object.entries(totals(again)).filter(([, c]) => c.created + c.updated > 0)).toEqual([]);
    }
  });

  it('the command line prints the report and exits 1 on problems, 0 on a clean import', async () => {
    const organisationId = await newCouncil();
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: { write: (t: string) => out.push(t) }, err: { write: (t: string) => err.push(t) } };
    const open = <T>(work: (h: TestDb) => Promise<T>) => work(handle);
    const dry = await importCommand(
      ['cin', CIN_FILE, '--dry-run', '--organisation', organisationId],
      open,
      io,
    );
    expect(dry).toBe(0);
    expect(out.join('')).toMatch(/people\s+3\s+0\s+0/);
    expect(out.join('')).toContain('Dry run');
    expect(
      await db.selectFrom('people').select('id').where('organisation_id', '=', organisationId).execute(),
    ).toEqual([]);

    const dir = tmp();
    const bad = baselineCinChild();
    bad.identifiers.PersonBirthDate = '2015-13-01';
    await writeCinFile(join(dir, 'bad.xml'), 2026, [withProtection(bad)]);
    out.length = 0;
    const refused = await importCommand(
      ['cin', join(dir, 'bad.xml'), '--organisation', organisationId],
      open,
      io,
    );
    expect(refused).toBe(1);
    expect(out.join('')).toMatch(/bad\.xml row \d+ child HRT0000001: PersonBirthDate .*not a real date/);
    expect(out.join('')).toContain('nothing was written');

    expect(await importCommand(['ssda903', DIR_903], open, io)).toBe(2);
    expect(err.join('')).toContain('--year');

    out.length = 0;
    expect(
      await importCommand(['ssda903', '--year', '2026', DIR_903, '--organisation', organisationId], open, io),
    ).toBe(0);
    expect(out.join('')).toContain('not imported: 2 SWEpisodes rows');
  });
});
