import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { chartSvg } from '../../src/modules/insight/charts.ts';
import { wilson } from '../../src/modules/insight/stats.ts';
import { suppressFigure } from '../../src/modules/insight/suppress.ts';
import type { Figure, InsightFilters, Row } from '../../src/modules/insight/types.ts';
import { CARE_ENTRY } from '../../src/modules/insight/views/care-entry.ts';
import { openTestDb, type TestDb } from '../support/db.ts';
import { makeWorld, testDeps } from '../support/world.ts';

/**
 * Insight view 4 (who enters care and what came before) on hand-built children with known answers.
 */
vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

const PERIOD: InsightFilters = { from: '2024-04-01', to: '2025-03-31' };

function figure(figures: Figure[], id: string): Figure {
  const found = figures.find((f) => f.id === id);
  if (!found) throw new Error(`no figure ${id}`);
  return found;
}

function row(f: Figure, key: string, value: string): Row {
  const found = f.rows.find((r) => r[key] === value);
  if (!found) throw new Error(`no row ${key} = ${value} in ${f.id}`);
  return found;
}

describe('who enters care and what came before', () => {
  let handle: TestDb;
  let organisationId: string;
  let teamA: string;

  beforeAll(async () => {
    handle = await openTestDb();
    const db = handle.db;
    const deps = testDeps(handle);
    const world = await makeWorld(deps);
    organisationId = world.organisationId;
    teamA = world.teamA;
    const manager = await world.user({ roles: ['team_manager'], teamIds: [world.teamA] });
    const threshold = await db
      .insertInto('threshold_guidance_versions')
      .values({
        organisation_id: organisationId,
        version: '1.0',
        title: 'Continuum of need',
        published_on: '2015-01-01',
      })
      .returning('id')
      .executeTakeFirstOrThrow();

    async function child(team: string, dob: string) {
      const personId = await world.child({ teamId: team });
      await db
        .updateTable('people')
        .set({ date_of_birth: dob, sex: 'M', ethnicity: 'WBRI' })
        .where('id', '=', personId)
        .execute();
      const episode = await db
        .insertInto('help_episodes')
        .values({
          organisation_id: organisationId,
          person_id: personId,
          started_on: '2015-01-01',
          status: 'looked_after',
          status_since: '2015-01-01',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { personId, episodeId: episode.id };
    }
    type Child = Awaited<ReturnType<typeof child>>;
    async function request(
      c: Child,
      receivedAt: string,
      decision?: {
        at: string;
        decision:
          'information_advice' | 'community_service' | 'family_help' | 'assessment' | 'strategy_discussion';
      },
      draft = false,
    ) {
      await db
        .insertInto('help_requests')
        .values({
          organisation_id: organisationId,
          person_id: c.personId,
          episode_id: c.episodeId,
          status: draft ? 'draft' : decision ? 'decided' : 'awaiting_decision',
          received_at: draft ? null : receivedAt,
          requester_kind: 'professional',
          referral_source: '3A',
          worry: 'A worry about the family',
          ...(decision
            ? {
                decision: decision.decision,
                decision_reason: 'Threshold met for this response',
                decision_threshold_id: threshold.id,
                decided_by: manager.id,
                decided_at: decision.at,
              }
            : {}),
        })
        .execute();
    }
    async function assessment(c: Child, kind: 'child_and_family' | 'family_help', on: string) {
      await db
        .insertInto('assessments')
        .values({ episode_id: c.episodeId, person_id: c.personId, kind, started_on: on, due_on: on })
        .execute();
    }
    async function plan(c: Child, kind: 'family_help' | 'child_in_need' | 'child_protection', on: string) {
      await db
        .insertInto('plans')
        .values({
          episode_id: c.episodeId,
          person_id: c.personId,
          kind,
          status: 'active',
          started_on: on,
          ...(kind === 'child_protection' ? { initial_category: 'NEG' as const } : {}),
        })
        .execute();
    }
    async function care(c: Child, on: string, ended?: string) {
      await db
        .insertInto('care_periods')
        .values({
          episode_id: c.episodeId,
          person_id: c.personId,
          started_on: on,
          category_of_need: 'N1',
          ...(ended ? { ended_on: ended, reason_ceased: 'E13' as const } : {}),
        })
        .execute();
    }

    // A: aged 4 on entering care (1 October 2024), after years of requests and help.
    const a = await child(world.teamA, '2020-01-01');
    await request(a, '2021-06-01T10:00:00+01:00', {
      at: '2021-06-02T10:00:00+01:00',
      decision: 'information_advice',
    });
    await request(a, '2023-02-01T10:00:00Z', { at: '2023-02-03T10:00:00Z', decision: 'family_help' });
    await plan(a, 'family_help', '2023-03-01');
    await assessment(a, 'child_and_family', '2024-02-01');
    await plan(a, 'child_in_need', '2024-03-01');
    await db
      .insertInto('section47_enquiries')
      .values({ episode_id: a.episodeId, person_id: a.personId, started_on: '2024-08-01' })
      .execute();
    await plan(a, 'child_protection', '2024-09-01');
    await care(a, '2024-10-01');

    // B: aged 14; the first request and an emergency entry on the same day (15 January 2025).
    const b = await child(world.teamB, '2010-05-01');
    await request(b, '2025-01-15T09:00:00Z', { at: '2025-01-15T11:00:00Z', decision: 'strategy_discussion' });
    await care(b, '2025-01-15');

    // C: aged 16, nothing recorded before; entered care twice in the period (counted once).
    const c = await child(world.teamB, '2008-06-01');
    await care(c, '2024-06-10', '2024-08-01');
    await care(c, '2024-12-01');

    // D: entered care before the period.
    const d = await child(world.teamB, '2012-01-01');
    await request(d, '2023-01-01T10:00:00Z');
    await care(d, '2023-05-01');

    // F: aged 10 on 1 March 2025; a request 90 days before (and a draft, which is not a request),
    // an assessment, and the episode stepping to family help.
    const f = await child(world.teamB, '2015-01-01');
    await request(f, '2024-11-01T10:00:00Z', undefined, true);
    await request(f, '2024-12-01T10:00:00Z', { at: '2024-12-02T10:00:00Z', decision: 'assessment' });
    await assessment(f, 'child_and_family', '2024-12-05');
    await db
      .insertInto('episode_status_changes')
      .values({
        episode_id: f.episodeId,
        from_status: 'assessment',
        to_status: 'family_help',
        changed_on: '2024-12-20',
        reason: 'Stepped down',
      })
      .execute();
    await care(f, '2025-03-01');

    // Another council's child entering care: never counted here.
    const other = await makeWorld(deps);
    const strangerId = await other.child({ teamId: other.teamA });
    const ep = await db
      .insertInto('help_episodes')
      .values({
        organisation_id: other.organisationId,
        person_id: strangerId,
        started_on: '2024-01-01',
        status: 'looked_after',
        status_since: '2024-01-01',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await care({ personId: strangerId, episodeId: ep.id }, '2024-07-01');
  });
  afterAll(async () => handle.close());

  const run = (filters: InsightFilters = PERIOD) =>
    CARE_ENTRY.figures({ db: handle.db, organisationId, filters, today: '2025-04-15' });

  it('counts what came before in the 1, 2 and 5 years before entering care', async () => {
    const before = figure(await run(), 'before');
    const counts = (what: string) => {
      const r = row(before, 'what', what);
      return [r['entered'], r['y1'], r['y2'], r['y5']];
    };
    // Four children entered care in the period: A, B, C and F.
    expect(counts('A request for help')).toEqual([4, 1, 2, 2]);
    expect(counts('A front-door decision')).toEqual([4, 1, 2, 2]);
    expect(counts('Family help')).toEqual([4, 1, 2, 2]);
    expect(counts('A child and family assessment')).toEqual([4, 2, 2, 2]);
    expect(counts('A section 47 enquiry')).toEqual([4, 1, 1, 1]);
    expect(counts('A child in need plan')).toEqual([4, 1, 1, 1]);
    expect(counts('A child protection plan')).toEqual([4, 1, 1, 1]);
    expect(counts('Any of these')).toEqual([4, 2, 2, 2]);
    expect(row(before, 'what', 'A request for help')).toMatchObject({ y1_pct: 25, y2_pct: 50, y5_pct: 50 });
  });

  it('counts front-door decisions in the 5 years before (not those on the day of entry)', async () => {
    const decisions = figure(await run(), 'decisions');
    expect(decisions.rows.map((r) => [r['decision'], r['children']])).toEqual([
      ['Information and advice', 1],
      ['A community service', 0],
      ['Family help', 1],
      ['An assessment by social care', 1],
      ['A strategy discussion', 0],
    ]);
    expect(row(decisions, 'decision', 'Family help')).toMatchObject({ entered: 4, pct: 25 });
  });

  it('finds the children with nothing before, by age on entering care, with Wilson intervals', async () => {
    const nothing = figure(await run(), 'nothing-before');
    expect(nothing.rows.map((r) => [r['age'], r['entered'], r['nothing'], r['pct']])).toEqual([
      ['0-4', 1, 0, 0],
      ['10-15', 2, 1, 50],
      ['16-17', 1, 1, 100],
      ['All', 4, 2, 50],
    ]);
    const w = wilson(2, 4);
    expect(row(nothing, 'age', 'All')).toMatchObject({
      lower: Math.round((w?.lower ?? NaN) * 1000) / 10,
      upper: Math.round((w?.upper ?? NaN) * 1000) / 10,
    });
    expect(row(nothing, 'age', 'All')['lower']).toBe(15);
    expect(row(nothing, 'age', 'All')['upper']).toBe(85);
  });

  it('gives the time from the first request to entry: its distribution, median and quartiles', async () => {
    const figures = await run();
    const time = figure(figures, 'time-to-entry');
    expect(time.rows.map((r) => [r['time'], r['children']])).toEqual([
      ['The same day', 1],
      ['1 to 30 days', 0],
      ['31 days to 6 months (182 days)', 1],
      ['6 months to a year (365 days)', 0],
      ['1 to 2 years (730 days)', 0],
      ['2 to 5 years (1,826 days)', 1],
      ['More than 5 years', 0],
      ['No request for help recorded', 1],
      ['All', 4],
    ]);
    // B 0 days, F 90 days, A 1,218 days (1 June 2021 to 1 October 2024).
    expect(figure(figures, 'time-summary').rows).toEqual([
      { group: 'Entering care in the period', children: 3, q1: 45, median: 90, q3: 654 },
    ]);
  });

  it('goes through the framework: counts of 1 to 4 and what is worked out from them are hidden', async () => {
    for (const f of await run()) {
      const suppressed = suppressFigure(f);
      const svg = await chartSvg(suppressed, { idPrefix: f.id });
      if (svg !== undefined) expect(svg).toContain('<svg');
      if (f.id === 'time-summary') {
        expect(suppressed.rows[0]).toMatchObject({ children: null, median: null });
      }
    }
  });

  it('applies the filters: age on entering care, team, and the period', async () => {
    const teen = figure(await run({ ...PERIOD, ageBand: '10-15' }), 'before');
    expect(row(teen, 'what', 'Any of these')).toMatchObject({ entered: 2, y1: 1 });
    const team = figure(await run({ ...PERIOD, teamId: teamA }), 'before');
    expect(row(team, 'what', 'A child protection plan')).toMatchObject({ entered: 1, y1: 1 });
    // From 1 January 2025: B and F (C's second entry in December is before it too).
    const later = figure(await run({ from: '2025-01-01', to: '2025-03-31' }), 'nothing-before');
    expect(row(later, 'age', 'All')).toMatchObject({ entered: 2, nothing: 1 });
  });
});
