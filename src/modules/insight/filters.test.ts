import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, MEMORY, type DbHandle } from '../../db/connect.ts';
import {
  addMonths,
  ageBandSql,
  applyFilters,
  defaultFilters,
  describeFilters,
  filtersQuery,
  inPeriod,
  parseFilters,
} from './filters.ts';
import type { InsightFilters } from './types.ts';

const TODAY = '2025-03-15';
const TEAM = '11111111-1111-4111-8111-111111111111';
const LOCALITY = '22222222-2222-4222-8222-222222222222';
const ORG = '33333333-3333-4333-8333-333333333333';
const OTHER_ORG = '44444444-4444-4444-8444-444444444444';

describe('parsing the filters', () => {
  it('defaults to the last 12 months up to today', () => {
    expect(defaultFilters(TODAY)).toEqual({ from: '2024-03-16', to: '2025-03-15' });
    expect(defaultFilters('2024-02-29')).toEqual({ from: '2023-03-01', to: '2024-02-29' });
    const parsed = parseFilters({}, { today: TODAY });
    expect(parsed).toEqual({
      ok: true,
      filters: { from: '2024-03-16', to: '2025-03-15' },
      values: expect.objectContaining({
        fromDay: '16',
        fromMonth: '3',
        fromYear: '2024',
        toDay: '15',
      }) as unknown,
    });
  });

  it('adds months keeping to the end of a shorter month', () => {
    expect(addMonths('2025-03-31', -1)).toBe('2025-02-28');
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2025-01-15', -12)).toBe('2024-01-15');
  });

  it('reads dates as day, month and year, or as ISO dates from a link, and every choice', () => {
    const parsed = parseFilters(
      {
        'from-day': '1',
        'from-month': '4',
        'from-year': '2024',
        to: '2024-09-30',
        teamId: TEAM.toUpperCase(),
        localityId: LOCALITY,
        ageBand: '10-15',
        sex: 'F',
        ethnicGroup: 'Black',
        disability: 'yes',
        decile: '10',
      },
      { today: TODAY },
    );
    expect(parsed.ok && parsed.filters).toEqual({
      from: '2024-04-01',
      to: '2024-09-30',
      teamId: TEAM,
      localityId: LOCALITY,
      ageBand: '10-15',
      sex: 'F',
      ethnicGroup: 'Black',
      disability: 'yes',
      decile: 10,
    });
  });

  it('ignores filters the view does not honour, and blank choices', () => {
    const parsed = parseFilters(
      { sex: 'nonsense', decile: '', ageBand: '5-9' },
      { today: TODAY, honoured: ['from', 'to', 'ageBand', 'decile'] },
    );
    expect(parsed.ok && parsed.filters).toEqual({ from: '2024-03-16', to: '2025-03-15', ageBand: '5-9' });
  });

  it('gives a clear error for each bad value, keeping what was typed', () => {
    const parsed = parseFilters(
      {
        'from-day': '31',
        'from-month': '2',
        'from-year': '2024',
        'to-day': '',
        'to-month': '6',
        'to-year': '2024',
        teamId: "x' OR 1=1",
        decile: '11',
        sex: 'X',
        ageBand: ['0-4', '5-9'],
      },
      { today: TODAY },
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors).toEqual([
      { field: 'from', message: 'Date from must be a real date' },
      { field: 'to-day', message: 'Date to must include a day' },
      { field: 'teamId', message: 'Choose a team from the list' },
      { field: 'sex', message: 'Choose a sex from the list' },
      { field: 'decile', message: 'Deprivation decile must be a whole number from 1 to 10' },
    ]);
    expect(parsed.values).toMatchObject({
      fromDay: '31',
      fromMonth: '2',
      toDay: '',
      teamId: "x' OR 1=1",
      decile: '11',
      ageBand: '0-4',
    });
  });

  it('refuses a period that ends before it starts, and a nonsense ISO date', () => {
    const backwards = parseFilters({ from: '2024-05-01', to: '2024-04-30' }, { today: TODAY });
    expect(backwards.ok ? [] : backwards.errors).toEqual([
      { field: 'to', message: 'Date to must be the same as or after date from' },
    ]);
    const nonsense = parseFilters({ from: '2024-13-01' }, { today: TODAY });
    expect(nonsense.ok ? [] : nonsense.errors).toEqual([
      { field: 'from', message: 'Date from must be a real date' },
    ]);
    const ancient = parseFilters(
      { 'from-day': '1', 'from-month': '1', 'from-year': '1066' },
      { today: TODAY },
    );
    expect(ancient.ok ? [] : ancient.errors).toEqual([
      { field: 'from', message: 'Date from must be between 1990 and 2100' },
    ]);
  });

  it('writes the filters back as a query string that reads to the same filters', () => {
    const filters: InsightFilters = {
      from: '2024-04-01',
      to: '2025-03-31',
      teamId: TEAM,
      decile: 3,
      sex: 'M',
    };
    const query = filtersQuery(filters);
    expect(query).toBe(`from=2024-04-01&to=2025-03-31&teamId=${TEAM}&sex=M&decile=3`);
    const again = parseFilters(Object.fromEntries(new URLSearchParams(query)), { today: TODAY });
    expect(again.ok && again.filters).toEqual(filters);
    expect(describeFilters(filters, { teams: new Map([[TEAM, 'Team A']]) })).toEqual([
      'From 2024-04-01 to 2025-03-31',
      'Team: Team A',
      'Sex: Male',
      'Deprivation decile: 3',
    ]);
  });
});

describe('the filters as SQL', () => {
  let handle: DbHandle;

  beforeAll(async () => {
    handle = await connect({ kind: 'pglite', dataDir: MEMORY });
    // The columns of insight_children that the filters read, and events of two kinds of date.
    await sql`SET TIME ZONE 'UTC'`.execute(handle.db);
    await sql`CREATE TEMP TABLE kids (
      person_id text PRIMARY KEY, organisation_id uuid, sex text, ethnic_group text, disabled boolean,
      date_of_birth date, imd_decile int, team_id uuid, locality_id uuid)`.execute(handle.db);
    await sql`CREATE TEMP TABLE events (id text PRIMARY KEY, person_id text, on_day date, at_time timestamptz)`.execute(
      handle.db,
    );
    await sql`INSERT INTO kids VALUES
      ('ann', ${ORG}, 'F', 'White', true, '2015-06-01', 1, ${TEAM}, ${LOCALITY}),
      ('bob', ${ORG}, 'M', 'Black', false, '2008-04-02', 10, null, null),
      ('cat', ${ORG}, 'F', 'Asian', null, '2019-04-01', 5, ${TEAM}, ${LOCALITY}),
      ('dan', ${OTHER_ORG}, 'M', 'White', true, '2015-06-01', 1, ${TEAM}, ${LOCALITY})`.execute(handle.db);
    // Times in UTC: 23:30 UTC on 31 March 2024 is 00:30 on 1 April in England (summer time).
    await sql`INSERT INTO events VALUES
      ('e1', 'ann', '2024-04-01', '2024-03-31T23:30:00Z'),
      ('e2', 'bob', '2024-04-01', '2024-04-01T12:00:00Z'),
      ('e3', 'cat', '2024-03-31', '2024-03-31T22:30:00Z'),
      ('e4', 'cat', '2025-03-31', '2025-03-31T22:59:00Z'),
      ('e5', 'dan', '2024-06-01', '2024-06-01T10:00:00Z'),
      ('e6', 'bob', '2026-04-02', '2026-04-02T10:00:00Z')`.execute(handle.db);
  });

  afterAll(async () => {
    await handle.close();
  });

  async function events(
    filters: InsightFilters,
    options: Parameters<typeof applyFilters>[1],
  ): Promise<string[]> {
    const { rows } = await sql<{
      id: string;
    }>`SELECT e.id FROM events e JOIN kids c ON c.person_id = e.person_id
      WHERE ${applyFilters({ filters, organisationId: ORG }, options)} ORDER BY e.id`.execute(handle.db);
    return rows.map((r) => r.id);
  }

  const YEAR = { from: '2024-04-01', to: '2025-03-31' };

  it('keeps the organisation and the period, both ends included', async () => {
    expect(await events(YEAR, { event: 'e.on_day' })).toEqual(['e1', 'e2', 'e4']);
    expect(await events(YEAR, {})).toEqual(['e1', 'e2', 'e3', 'e4', 'e6']);
    expect(await events(YEAR, { event: 'e.on_day', noOrganisation: true })).toEqual(['e1', 'e2', 'e4', 'e5']);
  });

  it('reads a timestamp as the date in England', async () => {
    expect(await events(YEAR, { event: { column: 'e.at_time', timestamp: true } })).toEqual([
      'e1',
      'e2',
      'e4',
    ]);
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM events e
      WHERE ${inPeriod({ from: '2024-03-31', to: '2024-03-31' }, { column: 'e.at_time', timestamp: true })}`.execute(
      handle.db,
    );
    expect(rows[0]?.n).toBe(1);
  });

  it('applies each choice', async () => {
    const on = { event: 'e.on_day' };
    expect(await events({ ...YEAR, sex: 'F' }, on)).toEqual(['e1', 'e4']);
    expect(await events({ ...YEAR, teamId: TEAM }, on)).toEqual(['e1', 'e4']);
    expect(await events({ ...YEAR, localityId: LOCALITY, ethnicGroup: 'Asian' }, on)).toEqual(['e4']);
    expect(await events({ ...YEAR, disability: 'yes' }, on)).toEqual(['e1']);
    // "No": recorded as none, or nothing recorded.
    expect(await events({ ...YEAR, disability: 'no' }, on)).toEqual(['e2', 'e4']);
    expect(await events({ ...YEAR, decile: 10 }, on)).toEqual(['e2']);
  });

  it('takes the age band at the date of the event, or on the last day of the period', async () => {
    const on = { event: 'e.on_day' };
    // Bob turned 16 on 2 April 2024: 15 on 1 April 2024, so 10-15 at e2; 18 on 2 April 2026 (e6).
    expect(await events({ ...YEAR, ageBand: '10-15' }, on)).toEqual(['e2']);
    expect(await events({ from: '2020-01-01', to: '2026-12-31', ageBand: '18+' }, on)).toEqual(['e6']);
    // Cat turned 5 on 1 April 2024 (e3 the day before: 0-4) and was 5 at e4.
    expect(await events({ from: '2024-01-01', to: '2025-12-31', ageBand: '0-4' }, on)).toEqual(['e3']);
    expect(await events({ from: '2024-01-01', to: '2025-12-31', ageBand: '5-9' }, on)).toEqual(['e1', 'e4']);
    // No event: the age on `to` (31 March 2025): Bob 16, so 16-17.
    expect(await events({ ...YEAR, ageBand: '16-17' }, {})).toEqual(['e2', 'e6']);
  });

  it('gives the age band for breakdowns', async () => {
    const { rows } = await sql<{ id: string; band: string | null }>`SELECT e.id,
      ${ageBandSql(sql.ref('c.date_of_birth'), sql.ref('e.on_day'))} AS band
      FROM events e JOIN kids c ON c.person_id = e.person_id ORDER BY e.id`.execute(handle.db);
    expect(rows.map((r) => [r.id, r.band])).toEqual([
      ['e1', '5-9'],
      ['e2', '10-15'],
      ['e3', '0-4'],
      ['e4', '5-9'],
      ['e5', '5-9'],
      ['e6', '18+'],
    ]);
  });

  it('refuses a column name that is not a plain reference', () => {
    expect(() =>
      applyFilters({ filters: YEAR, organisationId: ORG }, { event: 'e.on_day; DROP TABLE kids' }),
    ).toThrow(/not a column reference/);
  });
});
