import ExcelJS from 'exceljs';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/database.ts';
import { cinContext, type CinChild } from '../../src/modules/returns/cin/model.ts';
import { cinChildren } from '../../src/modules/returns/cin/produce.ts';
import { cinRuleSet } from '../../src/modules/returns/cin/rules/index.ts';
import { returnsProduceCommand } from '../../src/modules/returns/produce.cli.ts';
import { ssda903Context, type Child903 } from '../../src/modules/returns/ssda903/model.ts';
import { ssda903Children } from '../../src/modules/returns/ssda903/produce.ts';
import { ssda903RuleSet } from '../../src/modules/returns/ssda903/rules/index.ts';
import { returnChildId, socialWorkerId } from '../../src/modules/returns/identifiers.ts';
import { generateAuthority } from '../../src/modules/synthetic/authority.ts';
import { openTestDb, type TestDb } from '../support/db.ts';
import { loadTestGeography } from '../support/geography.ts';
import { makeWorld, testDeps } from '../support/world.ts';

/**
 * The CIN census and SSDA903 produced from the records (issue 7): hand-built children with known
 * histories give exactly the expected return structures; a small generated authority gives returns
 * with no ERROR-severity issues.
 */
vi.setConfig({ testTimeout: 300_000 });

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('children with known histories', () => {
  let handle: TestDb;
  let db: Kysely<Database>;
  let org: string;
  let user: string;
  let team: string;
  const ids: Record<string, string> = {};

  async function person(name: string, values: Partial<Record<string, unknown>> = {}): Promise<string> {
    const row = await db
      .insertInto('people')
      .values({
        organisation_id: org,
        given_name: name,
        family_name: 'Testchild',
        date_of_birth: '2015-05-10',
        sex: 'F',
        ethnicity: 'WBRI',
        disabilities: ['NONE'],
        upn: null,
        upn_unknown_reason: null,
        ...values,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids[name] = row.id;
    return row.id;
  }

  async function episode(
    personId: string,
    startedOn: string,
    closedOn: string | null,
    status = 'child_in_need',
  ) {
    return (
      await db
        .insertInto('help_episodes')
        .values({
          organisation_id: org,
          person_id: personId,
          started_on: startedOn,
          status: closedOn ? 'closed' : (status as 'child_in_need'),
          status_since: closedOn ?? startedOn,
          closed_on: closedOn,
          closure_reason: closedOn ? 'RC7' : null,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  }

  async function referral(
    episodeId: string,
    date: string,
    closed: [string, string] | null,
    nfa = false,
  ): Promise<string> {
    return (
      await db
        .insertInto('cin_referrals')
        .values({
          episode_id: episodeId,
          referral_date: date,
          referral_source: '2A',
          primary_need: 'N4',
          referral_nfa: nfa,
          closed_on: closed?.[0] ?? null,
          closure_reason: closed?.[1] ?? null,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  }

  async function plan(
    personId: string,
    episodeId: string,
    referralId: string | null,
    kind: 'child_in_need' | 'child_protection' | 'care',
    startedOn: string,
    endedOn: string | null,
  ): Promise<string> {
    return (
      await db
        .insertInto('plans')
        .values({
          episode_id: episodeId,
          person_id: personId,
          cin_referral_id: referralId,
          kind,
          status: endedOn ? 'ended' : 'active',
          started_on: startedOn,
          ended_on: endedOn,
          initial_category: kind === 'child_protection' ? 'NEG' : null,
          latest_category: kind === 'child_protection' ? 'EMO' : null,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  }

  beforeAll(async () => {
    handle = await openTestDb();
    db = handle.db;
    const deps = testDeps(handle);
    const world = await makeWorld(deps);
    org = world.organisationId;
    team = world.teamA;
    user = (await world.user({ roles: ['practitioner'], teamIds: [team] })).id;

    // Ada: referred by a school, assessed (two factors), on a child in need plan still open.
    const ada = await person('Ada', { upn: 'E938611200101' });
    const adaEp = await episode(ada, '2025-06-02', null);
    const adaRef = await referral(adaEp, '2025-06-02', null);
    const assessment = await db
      .insertInto('assessments')
      .values({
        episode_id: adaEp,
        person_id: ada,
        cin_referral_id: adaRef,
        kind: 'child_and_family',
        status: 'authorised',
        started_on: '2025-06-03',
        due_on: '2025-08-05',
        completed_on: '2025-06-26',
        authorised_on: '2025-06-27',
        authorised_by: user,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('assessment_factors')
      .values([
        { assessment_id: assessment.id, factor: '4B' },
        { assessment_id: assessment.id, factor: '16A' },
      ])
      .execute();
    await plan(ada, adaEp, adaRef, 'child_in_need', '2025-07-01', null);

    // Bea: a child protection plan in 2022 (an earlier episode), then this year a section 47
    // enquiry, an initial conference that started a plan, and a review conference.
    const bea = await person('Bea', { sex: 'M', date_of_birth: '2012-01-20', upn_unknown_reason: 'UN5' });
    const oldEp = await episode(bea, '2021-11-01', '2022-10-01');
    const oldRef = await referral(oldEp, '2021-11-01', ['2022-10-01', 'RC7']);
    await plan(bea, oldEp, oldRef, 'child_protection', '2022-01-10', '2022-09-01');
    const beaEp = await episode(bea, '2025-05-01', null, 'child_protection');
    const beaRef = await referral(beaEp, '2025-05-01', null);
    const s47 = await db
      .insertInto('section47_enquiries')
      .values({
        episode_id: beaEp,
        person_id: bea,
        cin_referral_id: beaRef,
        started_on: '2025-05-02',
        completed_on: '2025-05-20',
        icpc_target_on: '2025-05-23',
        outcome: 'initial_conference',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const cpp = await plan(bea, beaEp, beaRef, 'child_protection', '2025-05-20', null);
    await db
      .insertInto('conferences')
      .values([
        {
          episode_id: beaEp,
          person_id: bea,
          section47_id: s47.id,
          plan_id: cpp,
          kind: 'initial',
          held_on: '2025-05-20',
        },
        { episode_id: beaEp, person_id: bea, plan_id: cpp, kind: 'review', held_on: '2025-08-20' },
        // Arranged, not yet held: not in the return.
        {
          episode_id: beaEp,
          person_id: bea,
          plan_id: cpp,
          kind: 'review',
          held_on: '2026-02-20',
          status: 'planned',
        },
      ])
      .execute();

    // Cal: a referral that led to no further action, closed the same day.
    const cal = await person('Cal', { council_person_id: 'CAL42', sex: 'M' });
    const calEp = await episode(cal, '2025-09-10', '2025-09-10');
    await referral(calEp, '2025-09-10', ['2025-09-10', 'RC8'], true);

    // Dee: family help only (no CIN episode). Eve: a referral closed before the year began.
    const dee = await person('Dee');
    await episode(dee, '2025-06-01', null, 'family_help');
    const eve = await person('Eve');
    const eveEp = await episode(eve, '2024-06-01', '2025-03-20');
    await referral(eveEp, '2024-06-01', ['2025-03-20', 'RC7']);

    // Fin: into care on 10 May 2025 under an interim care order with council foster carers; a full
    // care order on 1 September; a move to agency foster carers on 1 November.
    const fin = await person('Fin', { sex: 'M', date_of_birth: '2012-07-15', upn: 'E938611200101' });
    const finEp = await episode(fin, '2025-05-10', null, 'looked_after');
    await referral(finEp, '2025-05-10', null);
    const carePlan = await plan(fin, finEp, null, 'care', '2025-05-10', null);
    const period = await db
      .insertInto('care_periods')
      .values({
        episode_id: finEp,
        person_id: fin,
        started_on: '2025-05-10',
        category_of_need: 'N1',
        home_postcode: 'AL1 3JY',
        care_plan_id: carePlan,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('legal_statuses')
      .values([
        { care_period_id: period.id, code: 'C1', started_on: '2025-05-10', ended_on: '2025-09-01' },
        { care_period_id: period.id, code: 'C2', started_on: '2025-09-01' },
      ])
      .execute();
    await db
      .insertInto('placements')
      .values([
        {
          care_period_id: period.id,
          placement_type: 'U4',
          provider: 'PR1',
          postcode: 'AL3 5PQ',
          urn: 'XXXXXXX',
          started_on: '2025-05-10',
          ended_on: '2025-11-01',
          change_reason: 'CARPL',
        },
        {
          care_period_id: period.id,
          placement_type: 'U6',
          provider: 'PR4',
          postcode: 'SG1 1AB',
          urn: 'XXXXXXX',
          started_on: '2025-11-01',
        },
      ])
      .execute();
    const review = await db
      .insertInto('plan_reviews')
      .values({
        plan_id: carePlan,
        reviewed_on: '2025-06-06',
        family_view: 'We want Fin home.',
        decision: 'continue',
        participation: 'PN1',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(review.id).toBeTruthy();
    await db
      .insertInto('allocations')
      .values([
        {
          person_id: fin,
          team_id: team,
          worker_user_id: user,
          started_at: '2025-03-01T10:00:00Z',
          ended_at: '2025-10-01T10:00:00Z',
          practitioner_role: 'social_worker',
        },
        {
          person_id: fin,
          team_id: team,
          worker_user_id: user,
          started_at: '2025-10-01T10:00:00Z',
          practitioner_role: 'social_worker',
          change_reason: 'LEFTRL',
        },
        // Made and replaced the same day: not a social worker episode.
        {
          person_id: fin,
          team_id: team,
          worker_user_id: user,
          started_at: '2024-01-05T09:00:00Z',
          ended_at: '2024-01-05T15:00:00Z',
          practitioner_role: 'social_worker',
        },
      ])
      .execute();
  }, 120_000);
  afterAll(async () => handle.close());

  it('produce the CIN census children, exactly', async () => {
    const children = await collect(cinChildren(db, { censusYear: 2026, organisationId: org, batchSize: 2 }));
    const byId = new Map(children.map((c) => [c.identifiers.LAchildID, c]));
    const id = (name: string) => returnChildId(ids[name] ?? '', null);
    // Dee (family help only) and Eve (closed before 1 April) are not in the census; Fin is (referred).
    expect([...byId.keys()].sort()).toEqual([id('Ada'), id('Bea'), 'CAL42', id('Fin')].sort());
    expect(id('Ada')).toMatch(/^[0-9A-F]{20}$/);

    const ada: CinChild = {
      line: 0,
      identifiers: {
        line: 0,
        LAchildID: id('Ada'),
        UPN: 'E938611200101',
        UPNunknown: undefined,
        PersonBirthDate: '2015-05-10',
        ExpectedPersonBirthDate: undefined,
        Sex: 'F',
        PersonDeathDate: undefined,
      },
      characteristics: { line: 0, Ethnicity: 'WBRI', disabilities: ['NONE'] },
      cinDetails: [
        {
          line: 0,
          CINreferralDate: '2025-06-02',
          ReferralSource: '2A',
          PrimaryNeedCode: 'N4',
          CINclosureDate: undefined,
          ReasonForClosure: undefined,
          ReferralNFA: 'false',
          assessments: [
            {
              line: 0,
              AssessmentActualStartDate: '2025-06-03',
              AssessmentInternalReviewDate: undefined,
              AssessmentAuthorisationDate: '2025-06-27',
              factors: ['16A', '4B'],
            },
          ],
          cinPlanDates: [{ line: 0, CINPlanStartDate: '2025-07-01', CINPlanEndDate: undefined }],
          section47: [],
          childProtectionPlans: [],
        },
      ],
    };
    expect(byId.get(id('Ada'))).toEqual(ada);

    const bea = byId.get(id('Bea'));
    expect(bea?.identifiers).toMatchObject({ UPNunknown: 'UN5', Sex: 'M', PersonBirthDate: '2012-01-20' });
    expect(bea?.cinDetails).toEqual([
      {
        line: 0,
        CINreferralDate: '2025-05-01',
        ReferralSource: '2A',
        PrimaryNeedCode: 'N4',
        CINclosureDate: undefined,
        ReasonForClosure: undefined,
        DateOfInitialCPC: undefined,
        ReferralNFA: 'false',
        assessments: [],
        cinPlanDates: [],
        section47: [
          {
            line: 0,
            S47ActualStartDate: '2025-05-02',
            InitialCPCtarget: '2025-05-23',
            DateOfInitialCPC: '2025-05-20',
            ICPCnotRequired: 'false',
          },
        ],
        childProtectionPlans: [
          {
            line: 0,
            CPPstartDate: '2025-05-20',
            CPPendDate: undefined,
            InitialCategoryOfAbuse: 'NEG',
            LatestCategoryOfAbuse: 'EMO',
            NumberOfPreviousCPP: '1',
            reviews: [{ line: 0, CPPreviewDate: '2025-08-20' }],
          },
        ],
      },
    ]);

    const cal = byId.get('CAL42');
    expect(cal?.cinDetails).toHaveLength(1);
    expect(cal?.cinDetails[0]).toMatchObject({
      CINreferralDate: '2025-09-10',
      CINclosureDate: '2025-09-10',
      ReasonForClosure: 'RC8',
      ReferralNFA: 'true',
      assessments: [],
    });
  });

  it('produce the SSDA903 child, exactly, with episodes derived by the care module', async () => {
    const children = await collect(ssda903Children(db, { year: 2026, organisationId: org }));
    expect(children.map((c) => c.id)).toEqual([returnChildId(ids['Fin'] ?? '', null)]);
    const fin = children[0] as Child903;
    const v = (table: keyof Child903['tables']) => fin.tables[table].map((r) => r.values);
    const CHILD = fin.id;
    expect(v('Header')).toEqual([
      { CHILD, SEX: 'M', DOB: '15/07/2012', ETHNIC: 'WBRI', UPN: 'E938611200101' },
    ]);
    const common = { CHILD, CIN: 'N1', HOME_POST: 'AL1 3JY', URN: 'XXXXXXX' };
    expect(v('Episodes')).toEqual([
      {
        ...common,
        DECOM: '10/05/2025',
        RNE: 'S',
        LS: 'C1',
        PLACE: 'U4',
        PLACE_PROVIDER: 'PR1',
        DEC: '01/09/2025',
        REC: 'X1',
        PL_POST: 'AL3 5PQ',
      },
      {
        ...common,
        DECOM: '01/09/2025',
        RNE: 'L',
        LS: 'C2',
        PLACE: 'U4',
        PLACE_PROVIDER: 'PR1',
        DEC: '01/11/2025',
        REC: 'X1',
        // Why the child left this placement (the next episode is the move).
        REASON_PLACE_CHANGE: 'CARPL',
        PL_POST: 'AL3 5PQ',
      },
      {
        ...common,
        DECOM: '01/11/2025',
        RNE: 'P',
        LS: 'C2',
        PLACE: 'U6',
        PLACE_PROVIDER: 'PR4',
        PL_POST: 'SG1 1AB',
      },
    ]);
    expect(v('Reviews')).toEqual([{ CHILD, DOB: '15/07/2012', REVIEW: '06/06/2025', REVIEW_CODE: 'PN1' }]);
    const SW_ID = socialWorkerId(user);
    expect(v('SWEpisodes')).toEqual([
      { CHILD, DOB: '15/07/2012', SW_ID, SW_DECOM: '01/03/2025', SW_DEC: '01/10/2025' },
      { CHILD, DOB: '15/07/2012', SW_ID, SW_DECOM: '01/10/2025', SW_REASON: 'LEFTRL' },
    ]);
    // Not looked after for 12 months at 31 March, not adopted, not UASC, never missing.
    for (const table of ['OC2', 'OC3', 'AD1', 'PlacedAdoption', 'UASC', 'Missing', 'PrevPerm'] as const)
      expect(fin.tables[table]).toEqual([]);
  });

  it('writes both returns from the command line, with a summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-returns-'));
    let out = '';
    const io = { out: { write: (t: string) => (out += t) }, err: { write: () => true } };
    const open = <T>(work: (h: TestDb) => Promise<T>) => work(handle);
    const args = ['--year', '2026', '--organisation', org];
    expect(
      await returnsProduceCommand(['cin', ...args, '--lea', '919', '--out', join(dir, 'cin.xml')], open, io),
    ).toBe(0);
    const xml = readFileSync(join(dir, 'cin.xml'), 'utf8');
    expect(xml).toContain('<LEA>919</LEA>');
    expect(xml.match(/<Child>/g)).toHaveLength(4);
    expect(out).toContain('4 children written');
    expect(await returnsProduceCommand(['ssda903', ...args, '--out', join(dir, '903')], open, io)).toBe(0);
    expect(
      readFileSync(join(dir, '903', 'Episodes.csv'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(4);
    expect(
      await returnsProduceCommand(['annex-a', ...args, '--out', join(dir, 'annex-a.xlsx')], open, io),
    ).toBe(0);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(join(dir, 'annex-a.xlsx'));
    expect(workbook.worksheets.map((w) => w.name)).toContain('List 8 Children in Care');
    expect(out).toContain('Ofsted Annex A as at 31/03/2026');
    expect(await returnsProduceCommand(['cin', '--year', 'soon', '--out', 'x'], open, io)).toBe(2);
  });
});

describe('a small generated authority', () => {
  let handle: TestDb;
  beforeAll(async () => {
    handle = await openTestDb();
    await loadTestGeography(handle, ['E06000017']);
    await generateAuthority(handle.db, {
      authority: 'E06000017',
      scale: 0.3,
      seed: 'returns',
      pglite: handle.pglite,
    });
  }, 300_000);
  afterAll(async () => handle.close());

  it('produces a CIN census with no ERROR issues', async () => {
    const run = cinRuleSet('2025-26').run(cinContext(2026), (c) => c.identifiers.LAchildID);
    const errors: Record<string, number> = {};
    let n = 0;
    for await (const child of cinChildren(handle.db, { censusYear: 2026, batchSize: 250 })) {
      n += 1;
      for (const i of run.child(child))
        if (i.severity === 'error') errors[i.rule] = (errors[i.rule] ?? 0) + 1;
    }
    for (const i of run.finish()) if (i.severity === 'error') errors[i.rule] = (errors[i.rule] ?? 0) + 1;
    expect(n).toBeGreaterThan(50);
    expect(errors).toEqual({});
  });

  it('produces an SSDA903 return with no ERROR issues', async () => {
    const run = ssda903RuleSet('2025-26').run(ssda903Context(2026), (c) => c.id);
    const errors: Record<string, number> = {};
    let n = 0;
    for await (const child of ssda903Children(handle.db, { year: 2026, batchSize: 250 })) {
      n += 1;
      for (const i of run.child(child))
        if (i.severity === 'error') errors[i.rule] = (errors[i.rule] ?? 0) + 1;
    }
    for (const i of run.finish()) if (i.severity === 'error') errors[i.rule] = (errors[i.rule] ?? 0) + 1;
    expect(n).toBeGreaterThan(10);
    expect(errors).toEqual({});
  });
});
