import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import type { InsightFilters, Row } from '../../src/modules/insight/types.ts';
import { FRONT_DOOR, monthsBetween } from '../../src/modules/insight/views/front-door.ts';
import { bankHolidaysEnglandAndWales, workingDaysBetween } from '../../src/platform/working-days.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { openTestDb } from '../support/db.ts';
import { makeWorld, testClock, testDeps } from '../support/world.ts';

/**
 * Insight view 1, who comes to the front door, on hand-built requests with known answers. The
 * period is the year 1 April 2025 to 31 March 2026 (dates in England: a request received at 00:30
 * on 1 April 2025 in London, 23:30 on 31 March in UTC, is inside it; one at the same time a year
 * later is not).
 */

let handle: DbHandle;
let deps: Deps;
let world: Awaited<ReturnType<typeof makeWorld>>;
const PERIOD = { from: '2025-04-01', to: '2026-03-31' } as const;
const TODAY = '2026-04-15';
const HELP_HUB = 'Information about the local family hub.';

type Request = {
  person: string | null;
  received: string;
  kind: 'professional' | 'parent' | 'young_person' | 'relative' | 'neighbour' | 'anonymous' | 'other';
  source: string;
  status?: 'draft' | 'awaiting_decision' | 'decided' | 'withdrawn';
  decision?:
    'information_advice' | 'community_service' | 'family_help' | 'assessment' | 'strategy_discussion';
  decided?: string;
  service?: string;
  instead?: string;
};

const ids: Record<string, string> = {};

beforeAll(async () => {
  handle = await openTestDb();
  deps = testDeps(handle, { clock: testClock(new Date(`${TODAY}T10:00:00Z`)) });
  world = await makeWorld(deps);
  const manager = await world.user({ roles: ['team_manager'], teamIds: [world.teamA] });
  const threshold = await deps.db
    .insertInto('threshold_guidance_versions')
    .values({
      organisation_id: world.organisationId,
      version: 'v1',
      title: 'Help for families: our threshold guidance',
      published_on: '2024-04-01',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const child = async (name: string, teamId: string, sex: 'M' | 'F', dob: string) => {
    const id = await world.child({ teamId, given: name, family: 'Fixture' });
    await deps.db.updateTable('people').set({ sex, date_of_birth: dob }).where('id', '=', id).execute();
    ids[name] = id;
    return id;
  };
  const a = await child('Amara', world.teamA, 'F', '2015-06-01');
  const b = await child('Ben', world.teamB, 'M', '2015-06-01');
  const c = await child('Cal', world.teamA, 'M', '2015-06-01');
  const d = await child('Dev', world.teamB, 'M', '2015-06-01');
  const e = await child('Esme', world.teamA, 'F', '2022-01-01');
  const requests: Request[] = [
    // Before the period: makes Amara's requests in it repeats.
    {
      person: a,
      received: '2024-12-01T10:00:00Z',
      kind: 'professional',
      source: '2A',
      decision: 'information_advice',
      decided: '2024-12-01T15:00:00Z',
    },
    // 00:30 on 1 April 2025 in London: inside the period, decided the same day.
    {
      person: d,
      received: '2025-03-31T23:30:00Z',
      kind: 'relative',
      source: '1A',
      decision: 'information_advice',
      decided: '2025-04-01T09:00:00Z',
      instead: 'Advice given to the family',
    },
    {
      person: a,
      received: '2025-05-06T09:00:00Z',
      kind: 'professional',
      source: '2A',
      decision: 'assessment',
      decided: '2025-05-06T15:00:00Z',
    },
    // Monday to Thursday: 3 working days.
    {
      person: a,
      received: '2025-06-02T09:00:00Z',
      kind: 'professional',
      source: '6',
      decision: 'strategy_discussion',
      decided: '2025-06-05T10:00:00Z',
    },
    // No child recorded: counted only when no child filter is chosen.
    {
      person: null,
      received: '2025-07-01T09:00:00Z',
      kind: 'other',
      source: '10',
      decision: 'information_advice',
      decided: '2025-07-01T12:00:00Z',
    },
    // Friday to Tuesday over the summer bank holiday (Monday 25 August 2025): 1 working day.
    {
      person: b,
      received: '2025-08-22T09:00:00Z',
      kind: 'parent',
      source: '1A',
      decision: 'community_service',
      decided: '2025-08-26T09:00:00Z',
      service: 'Parenting programme',
      instead: 'Referral to a community service agreed with the family.',
    },
    ...['2025-09-01', '2025-10-01', '2025-11-03', '2025-12-01', '2026-01-05'].map((day): Request => ({
      person: e,
      received: `${day}T10:00:00Z`,
      kind: 'professional',
      source: '3A',
      decision: 'information_advice',
      decided: `${day}T14:00:00Z`,
      instead: HELP_HUB,
    })),
    {
      person: c,
      received: '2025-12-23T10:00:00Z',
      kind: 'anonymous',
      source: '9',
      status: 'awaiting_decision',
    },
    // Saturday to Monday: 1 working day.
    {
      person: b,
      received: '2026-01-10T11:00:00Z',
      kind: 'young_person',
      source: '1C',
      decision: 'family_help',
      decided: '2026-01-12T09:00:00Z',
      instead: 'Family help from the family hub',
    },
    { person: c, received: '2026-02-02T10:00:00Z', kind: 'neighbour', source: '1B', status: 'withdrawn' },
    // 00:30 on 1 April 2026 in London: after the period.
    {
      person: d,
      received: '2026-03-31T23:30:00Z',
      kind: 'professional',
      source: '2A',
      decision: 'assessment',
      decided: '2026-04-01T10:00:00Z',
    },
  ];
  for (const r of requests) {
    const status = r.status ?? 'decided';
    await deps.db
      .insertInto('help_requests')
      .values({
        organisation_id: world.organisationId,
        person_id: r.person,
        status,
        received_at: r.received,
        requester_kind: r.kind,
        referral_source: r.source,
        worry: 'A worry about the child.',
        decision: r.decision ?? null,
        decision_service: r.service ?? null,
        decision_reason: r.decision ? 'The reason for the decision.' : null,
        decision_threshold_id: r.decision ? threshold.id : null,
        decision_help_offered_instead: r.instead ?? null,
        decided_by: r.decision ? manager.id : null,
        decided_at: r.decided ?? null,
      })
      .execute();
  }
  // A draft is not a request that reached the council.
  await deps.db
    .insertInto('help_requests')
    .values({ organisation_id: world.organisationId, person_id: c, status: 'draft', worry: 'Not sent yet.' })
    .execute();
});
afterAll(async () => handle.close());

async function figures(filters: Partial<InsightFilters> = {}) {
  const list = await FRONT_DOOR.figures({
    db: deps.db,
    organisationId: world.organisationId,
    filters: { ...PERIOD, ...filters },
    today: TODAY,
  });
  return new Map(list.map((f) => [f.id, f]));
}

/** The rows of a figure as { label: value } for one column. */
function column(rows: readonly Row[] | undefined, label: string, value: string): Record<string, unknown> {
  return Object.fromEntries((rows ?? []).map((r) => [String(r[label]), r[value]]));
}

describe('who comes to the front door', () => {
  it('counts requests by source and by who asked', async () => {
    const f = await figures();
    const sources = column(f.get('requests-by-source')?.rows, 'code', 'requests');
    expect(sources).toMatchObject({
      '1A': 2,
      '1B': 1,
      '1C': 1,
      '2A': 1,
      '3A': 5,
      '6': 1,
      '9': 1,
      '10': 1,
      '2B': 0,
      '': 0,
    });
    expect(Object.values(sources).reduce((s: number, n) => s + Number(n), 0)).toBe(13);
    const share = column(f.get('requests-by-source')?.rows, 'code', 'share');
    expect(share['3A']).toBeCloseTo((100 * 5) / 13, 10);

    expect(column(f.get('requests-by-requester')?.rows, 'requester', 'requests')).toEqual({
      'A professional': 7,
      'A parent or carer': 1,
      'The child or young person': 1,
      'A relative or family friend': 1,
      'A neighbour or someone else who knows the family': 1,
      'Someone who did not give their name': 1,
      'Someone else': 1,
      'Not recorded': 0,
    });
  });

  it('counts decisions, including requests awaiting a decision or withdrawn', async () => {
    const f = await figures();
    expect(column(f.get('decisions')?.rows, 'decision', 'requests')).toEqual({
      'Information and advice': 7,
      'A community or universal service': 1,
      'Family help': 1,
      'Child and family assessment': 1,
      'Strategy discussion': 1,
      'Awaiting a decision': 1,
      'Withdrawn before a decision': 1,
    });
  });

  it('shows the help offered instead of statutory work, pooling descriptions recorded fewer than 5 times', async () => {
    const f = await figures();
    const rows = f.get('help-offered-instead')?.rows ?? [];
    const other = 'Other (each described for fewer than 5 requests)';
    expect(rows.map((r) => [r['decision'], r['service'], r['help'], r['requests']])).toEqual([
      ['Information and advice', 'Not recorded', HELP_HUB, 5],
      ['Information and advice', 'Not recorded', 'Not recorded', 1],
      ['Information and advice', 'Not recorded', other, 1],
      ['A community or universal service', other, other, 1],
      ['Family help', 'Not recorded', other, 1],
    ]);
    // Nothing written about one family appears.
    expect(JSON.stringify(rows)).not.toContain('Advice given to the family');
    expect(JSON.stringify(rows)).not.toContain('Parenting programme');
  });

  it('counts working days from request to decision, skipping weekends and bank holidays', async () => {
    const f = await figures();
    expect(column(f.get('time-to-decision')?.rows, 'band', 'requests')).toEqual({
      'The same day': 8,
      '1 working day': 2,
      '2 working days': 0,
      '3 to 5 working days': 1,
      '6 to 10 working days': 0,
      'More than 10 working days': 0,
    });
    const rows = await sql<{
      request_id: string;
      working_days_to_decision: number | null;
      received_on: string;
    }>`
      SELECT request_id, working_days_to_decision, received_on::text AS received_on
      FROM insight_front_door_requests WHERE organisation_id = ${world.organisationId}::uuid ORDER BY received_at`.execute(
      deps.db,
    );
    expect(rows.rows.map((r) => r.working_days_to_decision)).toEqual([
      0,
      0,
      0,
      3,
      0,
      1,
      0,
      0,
      0,
      0,
      null,
      0,
      1,
      null,
      0,
    ]);
    expect(rows.rows[1]?.received_on).toBe('2025-04-01');
  });

  it('counts repeat requests for the same child within 12 months, including requests before the period', async () => {
    const f = await figures();
    expect(column(f.get('repeat-requests')?.rows, 'kind', 'requests')).toEqual({
      'The first for the child in 12 months': 5,
      'A repeat within 12 months': 8,
    });
  });

  it('gives the trend by month, every month of the period', async () => {
    const f = await figures();
    const rows = f.get('requests-by-month')?.rows ?? [];
    expect(rows.map((r) => r['month'])).toEqual(monthsBetween(PERIOD.from, PERIOD.to));
    expect(rows.map((r) => r['requests'])).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 1, 0]);
    expect(rows.map((r) => r['repeats'])).toEqual([0, 1, 1, 0, 0, 0, 1, 1, 1, 2, 1, 0]);
    expect(rows.map((r) => r['statutory'])).toEqual([0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(monthsBetween('2025-11-15', '2026-02-01')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
  });

  it('applies the filters: sex, team, and age at the request', async () => {
    const total = async (filters: Partial<InsightFilters>) =>
      (await figures(filters)).get('repeat-requests')?.rows.reduce((s, r) => s + Number(r['requests']), 0);
    expect(await total({ sex: 'F' })).toBe(7);
    expect(await total({ teamId: world.teamB })).toBe(3);
    expect(await total({ localityId: world.localityIds.south })).toBe(3);
    expect(await total({ ageBand: '0-4' })).toBe(5);
    // Amara was 9 at her May request and 10 at her June one.
    expect(await total({ ageBand: '5-9' })).toBe(2);
    expect(await total({ ageBand: '10-15' })).toBe(5);
    expect(await total({ from: '2025-04-02' })).toBe(12);
    expect(await total({ to: '2025-03-31' })).toBe(0);
  });

  it('counts only the council’s own requests', async () => {
    const list = await FRONT_DOOR.figures({
      db: deps.db,
      organisationId: '00000000-0000-4000-8000-000000000000',
      filters: PERIOD,
      today: TODAY,
    });
    expect(
      list.flatMap((f) => f.rows).some((r) => Object.values(r).some((v) => typeof v === 'number' && v > 0)),
    ).toBe(false);
  });
});

describe('working days in SQL', () => {
  it('holds the same bank holidays as src/platform/working-days.ts for 2000 to 2050', async () => {
    const rows = await sql<{
      day: string;
    }>`SELECT day::text AS day FROM insight_bank_holidays ORDER BY day`.execute(deps.db);
    const expected: string[] = [];
    for (let year = 2000; year <= 2050; year += 1)
      expected.push(...bankHolidaysEnglandAndWales(year).map((h) => h.date));
    expect(rows.rows.map((r) => r.day)).toEqual(expected);
  });

  it('counts working days as workingDaysBetween does', async () => {
    const pairs: [string, string][] = [];
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed;
    };
    const base = Date.UTC(2019, 0, 1);
    for (let i = 0; i < 300; i += 1) {
      const from = new Date(base + (next() % 2900) * 86_400_000).toISOString().slice(0, 10);
      const to = new Date(Date.parse(from) + ((next() % 60) - 5) * 86_400_000).toISOString().slice(0, 10);
      pairs.push([from, to]);
    }
    pairs.push(['2025-12-24', '2026-01-02'], ['2020-05-07', '2020-05-11'], ['2025-08-22', '2025-08-26']);
    const values = sql.join(pairs.map(([a, b]) => sql`(${a}::date, ${b}::date)`));
    const rows = await sql<{ a: string; b: string; n: number }>`
      SELECT a::text AS a, b::text AS b, insight_working_days(a, b) AS n FROM (VALUES ${values}) v(a, b)`.execute(
      deps.db,
    );
    for (const r of rows.rows) expect([r.a, r.b, r.n]).toEqual([r.a, r.b, workingDaysBetween(r.a, r.b)]);
    // Christmas Day, Boxing Day and New Year's Day 2026 fall inside the first of these.
    expect(rows.rows.at(-3)?.n).toBe(4);
  });
});
