import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ETHNIC_GROUPS,
  type Figure,
  type InsightFilters,
  type Row,
} from '../../src/modules/insight/types.ts';
import { ESCALATOR } from '../../src/modules/insight/views/escalator.ts';
import { generateAuthority } from '../../src/modules/synthetic/authority.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { openTestDb, type TestDb } from '../support/db.ts';
import { loadTestGeography } from '../support/geography.ts';
import { makeWorld, testClock, testDeps } from '../support/world.ts';

/**
 * Insight view 2, the escalator: hand-built children with known histories give exact counts; a
 * generated authority gives the ratios the generator was calibrated to (the national figures for
 * England 2024-25).
 */
vi.setConfig({ testTimeout: 600_000 });

const PERIOD = { from: '2025-04-01', to: '2026-03-31' } as const;
const TODAY = '2026-04-15';

function byFigure(list: readonly Figure[]): Map<string, Figure> {
  return new Map(list.map((f) => [f.id, f]));
}

function column(rows: readonly Row[] | undefined, label: string, value: string): Record<string, unknown> {
  return Object.fromEntries((rows ?? []).map((r) => [String(r[label]), r[value]]));
}

describe('the escalator on children with known histories', () => {
  let handle: TestDb;
  let deps: Deps;
  let world: Awaited<ReturnType<typeof makeWorld>>;

  beforeAll(async () => {
    handle = await openTestDb();
    deps = testDeps(handle, { clock: testClock(new Date(`${TODAY}T10:00:00Z`)) });
    world = await makeWorld(deps);
    const db = deps.db;
    const org = world.organisationId;

    const mother = async (name: string) =>
      (
        await db
          .insertInto('people')
          .values({ organisation_id: org, given_name: name, family_name: 'Parent', is_child: false })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const child = async (name: string, sex: 'M' | 'F', teamId = world.teamA) => {
      const id = await world.child({ teamId, given: name, family: 'Fixture' });
      await db.updateTable('people').set({ sex }).where('id', '=', id).execute();
      const episode = await db
        .insertInto('help_episodes')
        .values({
          organisation_id: org,
          person_id: id,
          started_on: '2019-01-01',
          status: 'child_protection',
          status_since: '2019-01-01',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { id, episode: episode.id };
    };
    type Child = Awaited<ReturnType<typeof child>>;
    const request = (c: Child, on: string) =>
      db
        .insertInto('help_requests')
        .values({
          organisation_id: org,
          person_id: c.id,
          episode_id: c.episode,
          status: 'awaiting_decision',
          received_at: `${on}T10:00:00Z`,
          requester_kind: 'professional',
          referral_source: '2A',
        })
        .execute();
    const referral = (c: Child, on: string) =>
      db
        .insertInto('cin_referrals')
        .values({ episode_id: c.episode, referral_date: on, referral_source: '2A', primary_need: 'N1' })
        .execute();
    const assessment = (
      c: Child,
      on: string,
      kind: 'child_and_family' | 'family_help' = 'child_and_family',
    ) =>
      db
        .insertInto('assessments')
        .values({ episode_id: c.episode, person_id: c.id, kind, started_on: on, due_on: on })
        .execute();
    const s47 = async (
      c: Child,
      on: string,
      completed: string | null,
      outcome: 'no_further_action' | 'continue_child_in_need' | 'initial_conference' | 'other' | null,
    ) =>
      (
        await db
          .insertInto('section47_enquiries')
          .values({
            episode_id: c.episode,
            person_id: c.id,
            started_on: on,
            completed_on: completed,
            outcome,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const plan = async (c: Child, on: string, ended: string | null = null, status?: 'draft') =>
      (
        await db
          .insertInto('plans')
          .values({
            episode_id: c.episode,
            person_id: c.id,
            kind: 'child_protection',
            status: status ?? (ended ? 'ended' : 'active'),
            started_on: status === 'draft' ? null : on,
            ended_on: ended,
            initial_category: status === 'draft' ? null : 'NEG',
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const conference = (
      c: Child,
      on: string,
      links: { section47?: string; plan?: string; outcome: boolean; status?: 'planned' },
    ) =>
      db
        .insertInto('conferences')
        .values({
          episode_id: c.episode,
          person_id: c.id,
          section47_id: links.section47 ?? null,
          plan_id: links.plan ?? null,
          kind: 'initial',
          held_on: on,
          outcome_plan: links.status === 'planned' ? null : links.outcome,
          status: links.status ?? 'held',
        })
        .execute();
    const related = (person: string, relatedPerson: string, kind: string) =>
      db
        .insertInto('relationships')
        .values({ person_id: person, related_person_id: relatedPerson, kind })
        .execute();

    // P: the whole escalator in the period, a second plan, then care.
    const p = await child('Priya', 'F');
    await request(p, '2025-05-01');
    await referral(p, '2025-05-01');
    await assessment(p, '2025-05-02');
    const pS47 = await s47(p, '2025-05-02', '2025-05-16', 'initial_conference');
    await plan(p, '2023-01-10', '2024-01-01');
    const pPlan = await plan(p, '2025-05-20');
    await conference(p, '2025-05-20', { section47: pS47, plan: pPlan, outcome: true });
    await db
      .insertInto('care_periods')
      .values({ episode_id: p.episode, person_id: p.id, started_on: '2025-09-01', category_of_need: 'N1' })
      .execute();
    // Q and R: brother and sister (same mother, recorded as siblings), investigated, no plan.
    const q = await child('Quinn', 'M', world.teamB);
    await request(q, '2025-06-01');
    await referral(q, '2025-06-01');
    await assessment(q, '2025-06-03');
    await assessment(q, '2025-06-03', 'family_help');
    await s47(q, '2025-06-10', '2025-06-20', 'no_further_action');
    const r = await child('Rosa', 'F');
    await s47(r, '2025-06-10', '2025-06-25', 'continue_child_in_need');
    const qrMother = await mother('Mina');
    await related(q.id, qrMother, 'mother');
    await related(r.id, qrMother, 'mother');
    await related(r.id, q.id, 'sibling');
    // S and T share a mother (no sibling relationship recorded): one family.
    const s = await child('Sami', 'M');
    const sS47 = await s47(s, '2025-10-01', '2025-10-15', 'initial_conference');
    await conference(s, '2025-10-20', { section47: sS47, outcome: false });
    const t = await child('Tia', 'F');
    await s47(t, '2026-03-20', null, null);
    const stMother = await mother('Nell');
    await related(s.id, stMother, 'mother');
    await related(t.id, stMother, 'mother');
    // U: a plan 44 days after the enquiry, with no link recorded; his third plan.
    const u = await child('Umar', 'M');
    await plan(u, '2020-02-01', '2020-12-01');
    await plan(u, '2022-03-01', '2023-01-01');
    await s47(u, '2025-11-01', '2025-11-10', 'initial_conference');
    await conference(u, '2025-12-15', { outcome: true });
    await plan(u, '2025-12-15');
    // A conference only arranged, and a draft plan: neither counts.
    await conference(u, '2026-03-01', { outcome: false, status: 'planned' });
    await plan(u, '2026-03-01', null, 'draft');
    // V: enquiry before the period, her first plan in it.
    const v = await child('Vera', 'F');
    await s47(v, '2024-12-01', '2024-12-12', 'initial_conference');
    await plan(v, '2025-04-10');
    // W: an enquiry completed with another outcome.
    const w = await child('Wes', 'M');
    await s47(w, '2025-07-01', '2025-07-05', 'other');
    // Another council's child: never counted.
    const other = await db
      .insertInto('organisations')
      .values({ name: 'Elsewhere Council', kind: 'local_authority' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const x = await child('Xan', 'M');
    await db.updateTable('people').set({ organisation_id: other.id }).where('id', '=', x.id).execute();
    await s47(x, '2025-06-01', null, null);
  });
  afterAll(async () => handle.close());

  async function figures(filters: Partial<InsightFilters> = {}) {
    return byFigure(
      await ESCALATOR.figures({
        db: deps.db,
        organisationId: world.organisationId,
        filters: { ...PERIOD, ...filters },
        today: TODAY,
      }),
    );
  }

  it('counts each stage in the period, as events and as children, for the flow chart', async () => {
    const flow = (await figures()).get('escalator');
    expect(flow?.chart).toEqual({ kind: 'flow', stage: 'stage', value: 'events' });
    expect(column(flow?.rows, 'stage', 'events')).toEqual({
      'Requests for help': 2,
      Referrals: 2,
      'Child and family assessments': 2,
      'Section 47 enquiries': 7,
      'Initial child protection conferences': 3,
      'Child protection plans': 3,
      'Starting to be looked after': 1,
    });
    expect(column(flow?.rows, 'stage', 'children')).toMatchObject({
      'Section 47 enquiries': 7,
      'Child protection plans': 3,
    });
  });

  it('gives the conversion from each stage to the next', async () => {
    const rows = (await figures()).get('conversion')?.rows ?? [];
    expect(rows.map((r) => [r['before'], r['after']])).toEqual([
      [2, 2],
      [2, 2],
      [2, 7],
      [7, 3],
      [3, 3],
      [3, 1],
    ]);
    expect(rows[3]?.['rate']).toBeCloseTo((100 * 3) / 7, 10);
    expect(rows[5]?.['rate']).toBeCloseTo(100 / 3, 10);
  });

  it('shows the section 47 enquiries that ended without a plan, and why', async () => {
    const rows = (await figures()).get('section47-results')?.rows;
    expect(column(rows, 'result', 'enquiries')).toEqual({
      'Led to a child protection plan': 2,
      'Ended without a plan: no further action': 1,
      'Ended without a plan: help continued as a child in need or family help': 1,
      'Ended without a plan: an initial conference made no plan': 1,
      'Ended without a plan: another or no outcome recorded': 1,
      'Not yet ended': 1,
    });
    expect(column(rows, 'result', 'share')['Led to a child protection plan']).toBeCloseTo((100 * 2) / 7, 10);
  });

  it('counts second and later child protection plans', async () => {
    const rows = (await figures()).get('second-plans')?.rows;
    expect(column(rows, 'plan', 'plans')).toEqual({
      'A first plan': 1,
      'A second plan': 1,
      'A third or later plan': 1,
    });
  });

  it('counts enquiries, children and families investigated for each plan made', async () => {
    const f = await figures();
    const rows = f.get('investigated-per-plan')?.rows ?? [];
    expect(rows.map((r) => [r['measure'], r['investigated'], r['planned']])).toEqual([
      ['Enquiries and plans', 7, 3],
      ['Children', 7, 3],
      ['Families', 5, 3],
    ]);
    expect(rows[0]?.['per_plan']).toBeCloseTo(7 / 3, 10);
    expect(rows[2]?.['per_plan']).toBeCloseTo(5 / 3, 10);
    const families = f.get('children-per-family')?.rows ?? [];
    expect(families.map((r) => [r['children'], r['families'], r['per_family']])).toEqual([
      [7, 5, 1.4],
      [3, 3, 1],
    ]);
  });

  it('applies the filters', async () => {
    const investigated = async (filters: Partial<InsightFilters>) =>
      (await figures(filters))
        .get('investigated-per-plan')
        ?.rows.map((r) => [r['investigated'], r['planned']]);
    // Girls: Priya, Rosa and Tia investigated (three families); Priya and Vera with plans.
    expect(await investigated({ sex: 'F' })).toEqual([
      [3, 2],
      [3, 2],
      [3, 2],
    ]);
    expect(await investigated({ teamId: world.teamB })).toEqual([
      [1, 0],
      [1, 0],
      [1, 0],
    ]);
    // Every fixture child was born on 1 June 2015: aged 9 until June 2025, 10 after.
    const flow = (await figures({ ageBand: '5-9' })).get('escalator');
    expect(column(flow?.rows, 'stage', 'events')).toEqual({
      'Requests for help': 1,
      Referrals: 1,
      'Child and family assessments': 1,
      'Section 47 enquiries': 1,
      'Initial child protection conferences': 1,
      'Child protection plans': 2,
      'Starting to be looked after': 0,
    });
  });
});

/**
 * A generated authority (Rutland at full size, about 9,000 children and ten years of history)
 * against the national figures the generator is calibrated to (calibration reference, section
 * 1.2, England 2024-25): 230,590 section 47 enquiries, 72,100 initial conferences and 61,840 plans
 * started. Ratios are taken over nine years (April 2017 to March 2026; the first year of history
 * is left out because its children's earlier help was not generated).
 *
 * Tolerances: each share is compared with three standard errors of a binomial share, with the
 * variance doubled because repeated events cluster in the same children and families (as the
 * generator's own calibration checks do), and never narrower than the calibration's stated
 * tolerance (5 points). For enquiries per plan, plans are roughly a binomial thinning of enquiries
 * (a share q = plans ÷ enquiries), so the log of the ratio has variance (1 − q) ÷ plans, doubled in
 * the same way; the ratio must be within three of those standard errors of 3.73.
 */
describe('the escalator on a generated authority', () => {
  let handle: TestDb;
  let figures: Map<string, Figure>;
  let elapsed = 0;
  const NATIONAL = { s47: 230_590, icpc: 72_100, cpp: 61_840 };

  beforeAll(async () => {
    handle = await openTestDb();
    await loadTestGeography(handle, ['E06000017']);
    await generateAuthority(handle.db, {
      authority: 'E06000017',
      scale: 1,
      seed: 'escalator',
      pglite: handle.pglite,
    });
    const org = await sql<{ id: string }>`SELECT id FROM organisations WHERE la_code = 'E06000017'`.execute(
      handle.db,
    );
    const started = performance.now();
    figures = byFigure(
      await ESCALATOR.figures({
        db: handle.db,
        organisationId: org.rows[0]?.id ?? '',
        filters: { from: '2017-04-01', to: '2026-03-31' },
        today: '2026-03-31',
      }),
    );
    elapsed = performance.now() - started;
  }, 600_000);
  afterAll(async () => handle.close());

  const stage = (label: string) => Number(column(figures.get('escalator')?.rows, 'stage', 'events')[label]);

  function share(part: number, whole: number, target: number) {
    const p = target / 100;
    const tolerance = Math.max(5, 300 * Math.sqrt((2 * p * (1 - p)) / whole));
    return { value: (100 * part) / whole, target, tolerance };
  }

  it('gives about 3.7 section 47 enquiries for each child protection plan started', () => {
    const s47 = stage('Section 47 enquiries');
    const plans = stage('Child protection plans');
    expect(plans).toBeGreaterThan(200);
    const target = NATIONAL.s47 / NATIONAL.cpp;
    const q = plans / s47;
    const tolerance = 3 * Math.sqrt((2 * (1 - q)) / plans);
    const perPlan = Number(figures.get('investigated-per-plan')?.rows[0]?.['per_plan']);
    console.info(
      `${String(s47)} enquiries, ${String(plans)} plans: ${perPlan.toFixed(2)} per plan (target ${target.toFixed(2)}, log within ±${tolerance.toFixed(3)})`,
    );
    expect(perPlan).toBeCloseTo(s47 / plans, 10);
    expect(
      Math.abs(Math.log(perPlan / target)),
      `${perPlan.toFixed(2)} per plan, target ${target.toFixed(2)}`,
    ).toBeLessThanOrEqual(tolerance);
  });

  it('converts enquiries to conferences and conferences to plans as nationally', () => {
    const s47 = stage('Section 47 enquiries');
    const icpc = stage('Initial child protection conferences');
    const plans = stage('Child protection plans');
    const conferences = share(icpc, s47, (100 * NATIONAL.icpc) / NATIONAL.s47);
    expect(Math.abs(conferences.value - conferences.target), JSON.stringify(conferences)).toBeLessThanOrEqual(
      conferences.tolerance,
    );
    const made = share(plans, icpc, (100 * NATIONAL.cpp) / NATIONAL.icpc);
    expect(Math.abs(made.value - made.target), JSON.stringify(made)).toBeLessThanOrEqual(made.tolerance);
    // The conversion figure says the same.
    const rows = figures.get('conversion')?.rows ?? [];
    expect(rows[3]?.['rate']).toBeCloseTo(conferences.value, 10);
  });

  it('has about three in four section 47 enquiries ending without a plan', () => {
    const rows = figures.get('section47-results')?.rows ?? [];
    const n = (label: string) => Number(column(rows, 'result', 'enquiries')[label]);
    const total = rows.reduce((s, r) => s + Number(r['enquiries']), 0);
    expect(total).toBe(stage('Section 47 enquiries'));
    const ended = total - n('Not yet ended');
    const withoutPlan = ended - n('Led to a child protection plan');
    // England 2024-25: 168,750 of 230,590 enquiries (73.2%) were not followed by a plan starting.
    const check = share(withoutPlan, ended, (100 * (NATIONAL.s47 - NATIONAL.cpp)) / NATIONAL.s47);
    expect(Math.abs(check.value - check.target), JSON.stringify(check)).toBeLessThanOrEqual(check.tolerance);
  });

  it('counts families: no more families than children, and at least one child in each', () => {
    const rows = figures.get('children-per-family')?.rows ?? [];
    for (const r of rows) {
      expect(Number(r['families'])).toBeGreaterThan(0);
      expect(Number(r['families'])).toBeLessThanOrEqual(Number(r['children']));
      expect(Number(r['per_family'])).toBeGreaterThanOrEqual(1);
    }
    // Brothers and sisters are investigated together: some families have more than one child.
    expect(Number(rows[0]?.['per_family'])).toBeGreaterThan(1);
  });

  it('gives the same children whether filtered or not: the ethnic groups add up to the whole', async () => {
    const org = await sql<{ id: string }>`SELECT id FROM organisations WHERE la_code = 'E06000017'`.execute(
      handle.db,
    );
    const period = { from: '2025-04-01', to: '2026-03-31' };
    const flow = async (filters: Partial<InsightFilters>) =>
      byFigure(
        await ESCALATOR.figures({
          db: handle.db,
          organisationId: org.rows[0]?.id ?? '',
          filters: { ...period, ...filters },
          today: '2026-03-31',
        }),
      )
        .get('escalator')
        ?.rows.map((r) => Number(r['events'])) ?? [];
    const whole = await flow({});
    const parts = await Promise.all(ETHNIC_GROUPS.map((ethnicGroup) => flow({ ethnicGroup })));
    expect(whole[0]).toBeGreaterThan(100);
    expect(whole.map((_, i) => parts.reduce((s, p) => s + (p[i] ?? 0), 0))).toEqual(whole);
  });

  it('answers quickly', () => {
    console.info(`escalator figures for nine years of a generated authority: ${elapsed.toFixed(0)} ms`);
    expect(elapsed).toBeLessThan(20_000);
  });
});
