/**
 * Insight view 6, placements and the care market: every measure on a hand-built council with known
 * answers: placements by type and provider, weekly cost and spend (days within the period, both ends
 * and "today"), distance from home, outside the council's area, brothers and sisters together,
 * placements in 12 months, placements per period of care and moves by reason.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WithSiblings } from '../../src/modules/care/care.table.ts';
import { PLACEMENTS } from '../../src/modules/insight/views/placements.ts';
import type { Figure, InsightFilters, Row } from '../../src/modules/insight/types.ts';
import { openTestDb, type TestDb } from '../support/db.ts';
import { makeWorld, testDeps } from '../support/world.ts';

const PERIOD = { from: '2024-04-01', to: '2025-03-31' } as const;
const LA = 'E10000015';

let handle: TestDb;
let organisationId: string;

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

async function figures(filters: Partial<InsightFilters> = {}, today = '2025-03-31'): Promise<Figure[]> {
  return PLACEMENTS.figures({ db: handle.db, organisationId, filters: { ...PERIOD, ...filters }, today });
}

type Placement = {
  type: string;
  provider?: string | null;
  from: string;
  to?: string | null;
  postcode?: string | null;
  cost?: number | null;
  siblings?: WithSiblings | null;
  reason?: string | null;
  sameCarer?: boolean;
};

async function childInCare(
  org: string,
  child: { sex: 'M' | 'F'; dob: string; home: string | null; from: string; to?: string },
  placements: readonly Placement[],
): Promise<string> {
  const person = await handle.db
    .insertInto('people')
    .values({
      organisation_id: org,
      given_name: 'Jo',
      family_name: 'Fixture',
      date_of_birth: child.dob,
      sex: child.sex,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const closed = child.to !== undefined;
  const episode = await handle.db
    .insertInto('help_episodes')
    .values({
      organisation_id: org,
      person_id: person.id,
      started_on: child.from,
      status: closed ? 'closed' : 'looked_after',
      status_since: child.to ?? child.from,
      closed_on: child.to ?? null,
      closure_reason: closed ? 'RC7' : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const period = await handle.db
    .insertInto('care_periods')
    .values({
      episode_id: episode.id,
      person_id: person.id,
      started_on: child.from,
      ended_on: child.to ?? null,
      reason_ceased: closed ? 'E11' : null,
      category_of_need: 'N1',
      home_postcode: child.home,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const [index, p] of placements.entries()) {
    await handle.db
      .insertInto('placements')
      .values({
        care_period_id: period.id,
        placement_type: p.type,
        provider: p.provider ?? null,
        started_on: p.from,
        ended_on: p.to ?? null,
        postcode: p.postcode ?? null,
        weekly_cost_pence: p.cost ?? null,
        with_siblings: p.siblings ?? null,
        change_reason: p.reason ?? null,
        same_carer_as_previous: p.sameCarer ?? false,
        // Rows are written in order, as the care pages write them.
        created_at: new Date(Date.UTC(2020, 0, 1, 0, 0, index)),
      })
      .execute();
  }
  return person.id;
}

beforeAll(async () => {
  handle = await openTestDb();
  const deps = testDeps(handle);
  const world = await makeWorld(deps);
  organisationId = world.organisationId;
  await handle.db
    .updateTable('organisations')
    .set({ la_code: LA })
    .where('id', '=', organisationId)
    .execute();

  // Three neighbourhoods (two of this council's, one elsewhere) and five postcodes with grid references.
  await sql`INSERT INTO lsoa21 (code, name, la_code, la_name, ltla_code, ltla_name, imd_decile, imd_rank, imd_score,
      income_decile, children_0_17, eth_share_asian, eth_share_black, eth_share_mixed, eth_share_other, eth_share_white)
    VALUES
      ('E01999991', 'Fixture 001A', ${LA}, 'Fixtureshire', 'E07999991', 'Fixture', 5, 16000, 20, 5, 300, 0.1, 0.1, 0.1, 0.1, 0.6),
      ('E01999992', 'Fixture 002A', ${LA}, 'Fixtureshire', 'E07999991', 'Fixture', 3, 9000, 30, 3, 250, 0.1, 0.1, 0.1, 0.1, 0.6),
      ('E01999993', 'Elsewhere 001A', 'E08999999', 'Elsewhere', 'E08999999', 'Elsewhere', 1, 100, 60, 1, 400, 0.1, 0.1, 0.1, 0.1, 0.6)`.execute(
    handle.db,
  );
  await sql`INSERT INTO postcodes (postcode, lsoa21_code, easting, northing) VALUES
      ('ZZ1 1AA', 'E01999991', 515000, 207000),
      ('ZZ1 2BB', 'E01999992', 518000, 211000),
      ('ZZ1 3CC', 'E01999991', 515000, 208000),
      ('ZZ1 4DD', 'E01999992', 527000, 207000),
      ('ZZ9 9ZZ', 'E01999993', 401000, 285000)`.execute(handle.db);

  // 1. In care since June 2023: own foster carers 5 km away, then (a move the carers asked for
  //    because of behaviour) a private children's home outside the area, open.
  await childInCare(organisationId, { sex: 'F', dob: '2012-01-01', home: 'ZZ1 1AA', from: '2023-06-01' }, [
    {
      type: 'U4',
      provider: 'PR1',
      from: '2023-06-01',
      to: '2024-06-01',
      postcode: 'ZZ1 2BB',
      cost: 70000,
      siblings: 'all',
      reason: 'CREQB',
    },
    { type: 'K2', provider: 'PR4', from: '2024-06-01', postcode: 'ZZ9 9ZZ', cost: 350000, siblings: 'none' },
  ]);
  // 2. Kinship care 1 km away from March to 15 October 2024 (the placement ends with the period of care).
  await childInCare(
    organisationId,
    { sex: 'M', dob: '2019-05-05', home: 'ZZ1 1AA', from: '2024-03-01', to: '2024-10-15' },
    [
      {
        type: 'U1',
        provider: 'PR1',
        from: '2024-03-01',
        postcode: 'ZZ1 3CC',
        cost: 10000,
        siblings: 'not_applicable',
      },
    ],
  );
  // 3. From December 2024, no home postcode: agency foster care, hospital (temporary), agency foster
  //    care again, then the same carers under a new arrangement (not a move).
  await childInCare(organisationId, { sex: 'F', dob: '2008-02-02', home: null, from: '2024-12-01' }, [
    {
      type: 'U5',
      provider: 'PR4',
      from: '2024-12-01',
      to: '2025-01-10',
      postcode: 'ZZ1 2BB',
      cost: 140000,
      siblings: 'some',
      reason: 'ALLEG',
    },
    { type: 'T1', from: '2025-01-10', to: '2025-01-20' },
    { type: 'U4', provider: 'PR5', from: '2025-01-20', to: '2025-03-01', postcode: 'ZZ1 2BB' },
    { type: 'U4', provider: 'PR5', from: '2025-03-01', postcode: 'ZZ1 2BB', cost: 140000, sameCarer: true },
  ]);
  // 4. Left care on 1 April 2024, the period's first day: not in the period.
  await childInCare(
    organisationId,
    { sex: 'M', dob: '2010-07-07', home: 'ZZ1 1AA', from: '2022-01-01', to: '2024-04-01' },
    [{ type: 'U6', provider: 'PR2', from: '2022-01-01', to: '2024-04-01', postcode: 'ZZ1 2BB', cost: 50000 }],
  );
  // 5. In care since 2023: two own foster placements, the council's own children's home 12 km away
  //    (the child asked to move), then a voluntary children's home with no postcode (standards).
  await childInCare(organisationId, { sex: 'F', dob: '2013-03-03', home: 'ZZ1 1AA', from: '2023-01-01' }, [
    {
      type: 'U4',
      provider: 'PR1',
      from: '2023-01-01',
      to: '2023-09-01',
      postcode: 'ZZ1 3CC',
      reason: 'CARPL',
    },
    {
      type: 'U4',
      provider: 'PR1',
      from: '2023-09-01',
      to: '2024-05-01',
      postcode: 'ZZ1 3CC',
      reason: 'CHILD',
    },
    {
      type: 'K2',
      provider: 'PR1',
      from: '2024-05-01',
      to: '2024-12-01',
      postcode: 'ZZ1 4DD',
      reason: 'STAND',
    },
    { type: 'K2', provider: 'PR5', from: '2024-12-01', cost: 420000, siblings: 'all' },
  ]);

  // Another council's child in care in the period: never counted here.
  const other = await makeWorld(deps);
  await childInCare(
    other.organisationId,
    { sex: 'F', dob: '2012-01-01', home: 'ZZ1 1AA', from: '2024-01-01' },
    [{ type: 'K2', provider: 'PR4', from: '2024-01-01', postcode: 'ZZ1 2BB', cost: 500000 }],
  );
});

afterAll(async () => handle.close());

describe('placements and the care market', () => {
  it('counts placements lived in during the period by type, with days in the period', async () => {
    const figure = byId(await figures(), 'placements-by-type');
    expect(table(figure, 'type', ['placements', 'days'])).toEqual({
      'Foster care: the council’s own carers': [2, 91],
      'Foster care: agency carers (private or voluntary)': [3, 111],
      'Foster care: another council’s or public carers, or not recorded': [0, 0],
      'Foster care with a relative or friend (kinship)': [1, 197],
      'Children’s home: the council’s own': [1, 214],
      'Children’s home: private': [1, 304],
      'Children’s home: another provider or not recorded': [1, 121],
      'Supported accommodation': [0, 0],
      'Placed for adoption': [0, 0],
      'Placed with parents': [0, 0],
      'Other placements': [1, 10],
      Total: [10, 1048],
    });
  });

  it('works out average weekly cost and spend in the period (cost × days ÷ 7, open placements to today)', async () => {
    const figure = byId(await figures(), 'cost-by-type');
    expect(table(figure, 'type', ['costed', 'meanWeekly', 'spend'])).toEqual({
      // 70000p × 61 days (1 April to 1 June) ÷ 7 = £6,100; the second placement has no cost.
      'Foster care: the council’s own carers': [1, 700, 6100],
      // 140000p × 40 days ÷ 7 + 140000p × 31 days ÷ 7 = £8,000 + £6,200.
      'Foster care: agency carers (private or voluntary)': [2, 1400, 14200],
      'Foster care: another council’s or public carers, or not recorded': [0, null, 0],
      // 10000p × 197 days (1 April to 15 October) ÷ 7 = £2,814.285… → £2,814.29.
      'Foster care with a relative or friend (kinship)': [1, 100, 2814.29],
      'Children’s home: the council’s own': [0, null, 0],
      // 350000p × 304 days (1 June 2024 to 31 March 2025, inclusive) ÷ 7 = £152,000.
      'Children’s home: private': [1, 3500, 152000],
      // 420000p × 121 days ÷ 7 = £72,600.
      'Children’s home: another provider or not recorded': [1, 4200, 72600],
      'Supported accommodation': [0, null, 0],
      'Placed for adoption': [0, null, 0],
      'Placed with parents': [0, null, 0],
      'Other placements': [0, null, 0],
      Total: [6, 1883.33, 247714.29],
    });
  });

  it('counts open placements only up to today when the period runs past it', async () => {
    const figure = byId(await figures({}, '2024-12-31'), 'cost-by-type');
    // 350000p × 214 days (1 June to 31 December 2024) ÷ 7 = £107,000.
    expect(figure.rows.find((r) => r['type'] === 'Children’s home: private')?.['spend']).toBe(107000);
  });

  it('counts only the days inside a short period at both ends', async () => {
    const figure = byId(await figures({ from: '2024-05-15', to: '2024-05-31' }), 'cost-by-type');
    const spend = table(figure, 'type', ['spend']);
    // 17 days each: 70000p × 17 ÷ 7 = £1,700; 10000p × 17 ÷ 7 = £242.857… → £242.86.
    expect(spend['Foster care: the council’s own carers']).toEqual([1700]);
    expect(spend['Foster care with a relative or friend (kinship)']).toEqual([242.86]);
    expect(spend['Children’s home: private']).toEqual([0]);
    expect(spend['Total']).toEqual([1942.86]);
  });

  it('counts placements and spend by provider', async () => {
    const figure = byId(await figures(), 'placements-by-provider');
    expect(table(figure, 'provider', ['placements', 'costed', 'spend'])).toEqual({
      'Own authority': [4, 2, 8914.29],
      'Other local authority': [0, 0, 0],
      'Other public provider': [0, 0, 0],
      Private: [2, 2, 160000],
      'Voluntary or third sector': [3, 2, 78800],
      'Parents or others with parental responsibility': [0, 0, 0],
      'Not recorded': [1, 0, 0],
      Total: [10, 6, 247714.29],
    });
  });

  it('bands the distance from home with the care module’s distance', async () => {
    const figure = byId(await figures(), 'distance-from-home');
    expect(table(figure, 'distance', ['placements', 'share'])).toEqual({
      'Under 5 km': [2, 40],
      '5 km to under 10 km': [1, 20],
      '10 km to under 20 km': [1, 20],
      '20 km to 20 miles (32.2 km)': [0, 0],
      'More than 20 miles (32.2 km or more)': [1, 20],
      'Not known': [5, null],
      Total: [10, null],
    });
  });

  it('counts placements outside the council’s area and brothers and sisters together', async () => {
    const all = await figures();
    expect(table(byId(all, 'outside-the-authority'), 'where', ['placements', 'share'])).toEqual({
      'Inside the council’s area': [7, 87.5],
      'Outside the council’s area': [1, 12.5],
      'Not known': [2, null],
      Total: [10, null],
    });
    expect(table(byId(all, 'siblings-together'), 'siblings', ['placements'])).toEqual({
      'With all their brothers and sisters in care': [2],
      'With some of them': [1],
      'Apart from all of them': [1],
      'No brothers or sisters in care': [1],
      'Not recorded': [5],
      Total: [10],
    });
  });

  it('counts moves: placements in 12 months, per period of care, and by reason', async () => {
    const all = await figures();
    expect(table(byId(all, 'placements-in-12-months'), 'placements', ['children'])).toEqual({
      'No placement recorded': [0],
      '1 placement': [0],
      '2 placements': [2],
      '3 or more placements': [1],
      Total: [3],
    });
    expect(table(byId(all, 'placements-per-period-of-care'), 'placements', ['periods'])).toEqual({
      'No placement recorded': [0],
      '1 placement': [1],
      '2 placements': [2],
      '3 placements': [0],
      '4 placements': [1],
      '5 or more placements': [0],
      Total: [4],
    });
    const moves = Object.fromEntries(
      byId(all, 'moves-by-reason').rows.map((r) => [String(r['reason']), r['moves']]),
    );
    expect(moves['The carers asked for the child to move because of the child’s behaviour']).toBe(1);
    expect(moves['The child asked to move']).toBe(1);
    expect(moves['The placement did not meet the required standards']).toBe(1);
    expect(moves['Not recorded']).toBe(1);
    expect(moves['A change to or the end of the care plan, for example moving to a long-term home']).toBe(0);
    expect(moves['Total']).toBe(4);
  });

  it('applies the filters: sex, and the age on the later of the placement’s start and the period’s', async () => {
    const total = async (filters: Partial<InsightFilters>) =>
      byId(await figures(filters), 'placements-by-type').rows.find((r) => r['type'] === 'Total')?.[
        'placements'
      ];
    expect(await total({ sex: 'F' })).toBe(9);
    expect(await total({ ageBand: '16-17' })).toBe(4);
    expect(await total({ ageBand: '0-4' })).toBe(1);
    expect(await total({ ageBand: '5-9' })).toBe(0);
  });
});
