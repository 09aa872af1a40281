/**
 * Insight view 5, continuity: every measure on a hand-built council with known answers (workers per
 * child, hand-offs between teams, changes of lead worker by reason, agency and permanent workers),
 * including allocations that end or start either side of midnight in England at the period's ends;
 * and, on a generated authority (whose generator engages some social workers through agencies), the
 * agency figures against a direct count of allocations and staff.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTINUITY } from '../../src/modules/insight/views/continuity.ts';
import type { Figure, InsightFilters, Row } from '../../src/modules/insight/types.ts';
import { generateAuthority } from '../../src/modules/synthetic/authority.ts';
import { openTestDb, type TestDb } from '../support/db.ts';
import { loadTestGeography } from '../support/geography.ts';
import { makeWorld, testDeps } from '../support/world.ts';

const PERIOD = { from: '2024-04-01', to: '2025-03-31' } as const;
const TODAY = '2025-03-31';

let handle: TestDb;
let organisationId: string;
let teamA: string;
let teamB: string;
let north: string;

function byId(figures: readonly Figure[], id: string): Figure {
  const figure = figures.find((f) => f.id === id);
  if (!figure) throw new Error(`no figure ${id}`);
  return figure;
}

/** The rows as label → selected columns, for exact comparison. */
function table(
  figure: Figure,
  label: string,
  keys: readonly string[],
): Record<string, (string | number | null)[]> {
  return Object.fromEntries(
    figure.rows.map((row: Row) => [String(row[label]), keys.map((k) => row[k] ?? null)]),
  );
}

async function figures(filters: Partial<InsightFilters> = {}): Promise<Figure[]> {
  return CONTINUITY.figures({
    db: handle.db,
    organisationId,
    filters: { ...PERIOD, ...filters },
    today: TODAY,
  });
}

beforeAll(async () => {
  handle = await openTestDb();
  const deps = testDeps(handle);
  const world = await makeWorld(deps);
  organisationId = world.organisationId;
  teamA = world.teamA;
  teamB = world.teamB;
  north = world.localityIds.north;
  const w1 = (await world.user({ roles: ['practitioner'] })).id;
  const w2 = (await world.user({ roles: ['practitioner'] })).id;
  const w3 = (await world.user({ roles: ['practitioner'] })).id;
  const agency = (await world.user({ roles: ['practitioner'] })).id;
  await handle.db.updateTable('users').set({ employment: 'agency' }).where('id', '=', agency).execute();

  const child = async (sex: 'M' | 'F', dob: string): Promise<string> =>
    (
      await handle.db
        .insertInto('people')
        .values({
          organisation_id: organisationId,
          given_name: 'Alex',
          family_name: 'Fixture',
          date_of_birth: dob,
          sex,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const allocate = async (
    personId: string,
    teamId: string,
    workerId: string | null,
    startedAt: string,
    endedAt: string | null,
    extra: { isLead?: boolean; reason?: string } = {},
  ) => {
    await handle.db
      .insertInto('allocations')
      .values({
        person_id: personId,
        team_id: teamId,
        worker_user_id: workerId,
        started_at: startedAt,
        ended_at: endedAt,
        is_lead: extra.isLead ?? true,
        change_reason: extra.reason ?? null,
      })
      .execute();
  };

  // 1. One permanent worker throughout.
  const c1 = await child('F', '2015-01-01');
  await allocate(c1, teamA, w1, '2023-01-01T09:00:00Z', null);
  // 2. Handed from team A to team B in June (a new worker), with a supporting worker for two months.
  const c2 = await child('M', '2012-05-05');
  await allocate(c2, teamA, w1, '2024-01-01T09:00:00Z', '2024-06-01T09:00:00Z');
  await allocate(c2, teamB, w2, '2024-06-01T09:00:00Z', null, { reason: 'TSPROC' });
  await allocate(c2, teamB, w3, '2024-07-01T09:00:00Z', '2024-09-01T09:00:00Z', { isLead: false });
  // 3. Four lead workers, the first from an agency; A → B in November and back to A in January.
  const c3 = await child('F', '2010-03-03');
  await allocate(c3, teamA, agency, '2024-05-01T09:00:00Z', '2024-08-01T09:00:00Z');
  await allocate(c3, teamA, w1, '2024-08-01T09:00:00Z', '2024-11-01T09:00:00Z', { reason: 'LEFTRL' });
  await allocate(c3, teamB, w2, '2024-11-01T09:00:00Z', '2025-01-15T09:00:00Z', { reason: 'TSPROC' });
  await allocate(c3, teamA, w3, '2025-01-15T09:00:00Z', null, { reason: 'MANAGE' });
  // 4. Allocated to team B with no named worker yet.
  const c4 = await child('M', '2020-06-01');
  await allocate(c4, teamB, null, '2024-10-01T09:00:00Z', null);
  // 5. Ended at 23:30 in England on 31 March 2024 (22:30 GMT, summer time): before the period.
  const c5 = await child('F', '2008-08-08');
  await allocate(c5, teamA, w1, '2022-01-01T09:00:00Z', '2024-03-31T22:30:00Z');
  // 6. Ended at 00:30 in England on 1 April 2024: in the period for half an hour, an agency worker.
  const c6 = await child('M', '2016-02-02');
  await allocate(c6, teamB, agency, '2023-06-01T09:00:00Z', '2024-03-31T23:30:00Z');
  // 7. Handed from B to A in February 2024, before the period.
  const c7 = await child('F', '2014-04-04');
  await allocate(c7, teamB, w2, '2023-01-01T09:00:00Z', '2024-02-01T09:00:00Z');
  await allocate(c7, teamA, w1, '2024-02-01T09:00:00Z', null, { reason: 'TSPROC' });
  // 8. An agency worker in team A; handed to B at 00:30 in England on 1 April 2025, after the period.
  const c8 = await child('M', '2011-11-11');
  await allocate(c8, teamA, agency, '2024-01-01T09:00:00Z', '2025-03-31T23:30:00Z');
  await allocate(c8, teamB, w2, '2025-03-31T23:30:00Z', null, { reason: 'TSPROC' });

  // Another council's child, handed off in the period: never counted here.
  const other = await makeWorld(deps);
  const stranger = (
    await handle.db
      .insertInto('people')
      .values({
        organisation_id: other.organisationId,
        given_name: 'Sam',
        family_name: 'Elsewhere',
        date_of_birth: '2013-01-01',
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
  await allocate(stranger, other.teamA, null, '2024-05-01T09:00:00Z', '2024-07-01T09:00:00Z');
  await allocate(stranger, other.teamB, null, '2024-07-01T09:00:00Z', null, { reason: 'TSPROC' });
});

afterAll(async () => handle.close());

describe('continuity', () => {
  it('counts different workers per child in the period, every worker and lead workers only', async () => {
    const figure = byId(await figures(), 'workers-per-child');
    expect(table(figure, 'workers', ['children', 'leadChildren'])).toEqual({
      'No named worker': [1, 1],
      '1 worker': [4, 4],
      '2 workers': [0, 1],
      '3 workers': [1, 0],
      '4 or more workers': [1, 1],
      Total: [7, 7],
    });
    expect(figure.rows.find((r) => r['workers'] === '1 worker')?.['share']).toBeCloseTo((100 * 4) / 7, 10);
  });

  it('counts hand-offs between teams in the period, per child and by pair of teams', async () => {
    const all = await figures();
    expect(table(byId(all, 'hand-offs-per-child'), 'handoffs', ['children'])).toEqual({
      'No hand-off': [5],
      '1 hand-off': [1],
      '2 hand-offs': [1],
      '3 or more hand-offs': [0],
      Total: [7],
    });
    expect(byId(all, 'hand-offs-between-teams').rows).toEqual([
      { fromTeam: 'Team A', toTeam: 'Team B', handoffs: 2 },
      { fromTeam: 'Team B', toTeam: 'Team A', handoffs: 1 },
    ]);
  });

  it('counts changes of lead worker by the reason recorded', async () => {
    const figure = byId(await figures(), 'worker-changes-by-reason');
    const counts = Object.fromEntries(figure.rows.map((r) => [String(r['reason']), r['changes']]));
    expect(counts['The worker left their role']).toBe(1);
    expect(counts['A manager decided to change the worker']).toBe(1);
    expect(
      counts[
        'The child moved team under the council’s procedures (for example from assessment to long-term help)'
      ],
    ).toBe(2);
    expect(counts['Not recorded']).toBe(0);
    expect(counts['Total']).toBe(4);
  });

  it('counts children with an agency worker in the period and lead workers by team on the last day', async () => {
    const all = await figures();
    expect(table(byId(all, 'agency-workers-in-period'), 'workers', ['children'])).toEqual({
      'At least one agency worker': [3],
      'Permanent workers only': [3],
      'No named worker': [1],
      Total: [7],
    });
    expect(
      table(byId(all, 'lead-worker-employment-by-team'), 'team', [
        'permanent',
        'agency',
        'none',
        'total',
        'agencyShare',
      ]),
    ).toEqual({
      'Team A': [3, 1, 0, 4, 25],
      'Team B': [1, 0, 1, 2, 0],
      Total: [4, 1, 1, 6, 20],
    });
  });

  it('applies the filters: sex, the child’s latest team and locality, and age on the last day', async () => {
    const total = async (filters: Partial<InsightFilters>) =>
      byId(await figures(filters), 'workers-per-child').rows.find((r) => r['workers'] === 'Total')?.[
        'children'
      ];
    expect(await total({ sex: 'F' })).toBe(3);
    // Child 8's latest allocation is the open one in team B (from 1 April 2025), so it is team B's.
    expect(await total({ teamId: teamB })).toBe(4);
    expect(await total({ teamId: teamA })).toBe(3);
    expect(await total({ localityId: north })).toBe(3);
    expect(await total({ ageBand: '0-4' })).toBe(1);
    // Hand-offs are filtered by age on the day of the hand-off: child 3 was 14 in November 2024.
    const pairs = byId(await figures({ ageBand: '10-15' }), 'hand-offs-between-teams').rows;
    expect(pairs).toEqual([
      { fromTeam: 'Team A', toTeam: 'Team B', handoffs: 2 },
      { fromTeam: 'Team B', toTeam: 'Team A', handoffs: 1 },
    ]);
    const none = byId(await figures({ ageBand: '16-17' }), 'hand-offs-between-teams').rows;
    expect(none).toEqual([]);
  });

  it('a shorter period counts only what happened in it', async () => {
    const all = await figures({ from: '2024-11-01', to: '2024-12-31' });
    expect(byId(all, 'hand-offs-between-teams').rows).toEqual([
      { fromTeam: 'Team A', toTeam: 'Team B', handoffs: 1 },
    ]);
    // In November and December: c1, c2 (w2), c3 (w1 until 1 November, then w2), c4, c7, c8.
    expect(table(byId(all, 'workers-per-child'), 'workers', ['children'])).toEqual({
      'No named worker': [1],
      '1 worker': [4],
      '2 workers': [1],
      '3 workers': [0],
      '4 or more workers': [0],
      Total: [6],
    });
  });
});

describe('continuity on a generated authority', () => {
  /** Rutland at a third of its size: about 2,500 children with ten years of help, in seconds. */
  const RUTLAND = 'E06000017';
  const YEAR = { from: '2025-04-01', to: '2026-03-31' } as const;
  let generated: TestDb;
  let council: string;

  beforeAll(async () => {
    generated = await openTestDb();
    await loadTestGeography(generated, [RUTLAND]);
    const summary = await generateAuthority(generated.db, {
      authority: RUTLAND,
      scale: 0.3,
      seed: 'continuity',
      pglite: generated.pglite,
    });
    council = summary.organisationId;
  }, 300_000);
  afterAll(async () => generated.close());

  it('counts the agency workers the generator engaged, as allocations joined to staff find them', async () => {
    const all = await CONTINUITY.figures({
      db: generated.db,
      organisationId: council,
      filters: YEAR,
      today: YEAR.to,
    });
    // Directly: the council's children with an allocation in the year (from midnight in England on
    // its first day to midnight after its last), and the employment of each allocation's worker.
    const direct = await sql<{ agency: number; permanent: number; none: number; total: number }>`
      WITH per_child AS (
        SELECT a.person_id, bool_or(u.employment = 'agency') AS agency, count(u.id) AS named
        FROM allocations a
        JOIN people p ON p.id = a.person_id AND p.organisation_id = ${council} AND p.is_child AND p.merged_into IS NULL
        LEFT JOIN users u ON u.id = a.worker_user_id
        WHERE a.started_at < timestamptz '2026-04-01 00:00 Europe/London'
          AND (a.ended_at IS NULL OR a.ended_at >= timestamptz '2025-04-01 00:00 Europe/London')
        GROUP BY a.person_id)
      SELECT count(*) FILTER (WHERE agency)::int AS agency,
        count(*) FILTER (WHERE named > 0 AND NOT agency)::int AS permanent,
        count(*) FILTER (WHERE named = 0)::int AS none, count(*)::int AS total
      FROM per_child`.execute(generated.db);
    const d = direct.rows[0];
    expect(d?.agency).toBeGreaterThan(0);
    expect(table(byId(all, 'agency-workers-in-period'), 'workers', ['children'])).toEqual({
      'At least one agency worker': [d?.agency],
      'Permanent workers only': [d?.permanent],
      'No named worker': [d?.none],
      Total: [d?.total],
    });

    // Lead workers at the end of the year, by team: each child's latest lead allocation still open.
    const leads = await sql<{ team: string; permanent: number; agency: number; none: number }>`
      WITH open_lead AS (
        SELECT DISTINCT ON (a.person_id) a.person_id, a.team_id, a.worker_user_id
        FROM allocations a
        JOIN people p ON p.id = a.person_id AND p.organisation_id = ${council} AND p.is_child AND p.merged_into IS NULL
        WHERE a.is_lead AND a.started_at < timestamptz '2026-04-01 00:00 Europe/London'
          AND (a.ended_at IS NULL OR a.ended_at >= timestamptz '2026-04-01 00:00 Europe/London')
        ORDER BY a.person_id, a.started_at DESC, a.id DESC)
      SELECT t.name AS team,
        count(*) FILTER (WHERE u.employment = 'permanent')::int AS permanent,
        count(*) FILTER (WHERE u.employment = 'agency')::int AS agency,
        count(*) FILTER (WHERE u.id IS NULL)::int AS none
      FROM open_lead o JOIN teams t ON t.id = o.team_id LEFT JOIN users u ON u.id = o.worker_user_id
      GROUP BY t.name ORDER BY t.name`.execute(generated.db);
    const expected: Record<string, (number | null)[]> = {};
    for (const row of leads.rows) expected[row.team] = [row.permanent, row.agency, row.none];
    const sum = (key: 'permanent' | 'agency' | 'none') => leads.rows.reduce((n, row) => n + row[key], 0);
    expected['Total'] = [sum('permanent'), sum('agency'), sum('none')];
    expect(sum('agency')).toBeGreaterThan(0);
    const figure = byId(all, 'lead-worker-employment-by-team');
    expect(table(figure, 'team', ['permanent', 'agency', 'none'])).toEqual(expected);
    const total = figure.rows.find((r) => r['team'] === 'Total');
    expect(total?.['agencyShare']).toBeCloseTo(
      (100 * sum('agency')) / (sum('agency') + sum('permanent')),
      10,
    );
  });
});
