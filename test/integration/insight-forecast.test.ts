import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/database.ts';
import { addDays, addMonths } from '../../src/modules/insight/filters.ts';
import { runForecast } from '../../src/modules/insight/forecast/forecast.ts';
import { SLOT, S, state } from '../../src/modules/insight/forecast/model.ts';
import { chartSvg } from '../../src/modules/insight/charts.ts';
import { suppressFigure } from '../../src/modules/insight/suppress.ts';
import { FORECAST } from '../../src/modules/insight/views/forecast.ts';
import { openTestDb, type TestDb } from '../support/db.ts';
import { makeWorld, testDeps } from '../support/world.ts';

type Placement = { type: string; start: string; end: string | null; weeklyPence?: number };
type Spell = { start: string; end: string | null; placements: Placement[]; legal?: string };

/** Children in care, inserted in a few statements: each with an episode, its periods and placements. */
async function careChildren(
  db: Kysely<Database>,
  organisationId: string,
  children: readonly { dob: string; spells: Spell[] }[],
): Promise<void> {
  const people = await db
    .insertInto('people')
    .values(
      children.map((c, i) => ({
        organisation_id: organisationId,
        given_name: `Child${String(i)}`,
        family_name: 'Forecast',
        date_of_birth: c.dob,
      })),
    )
    .returning('id')
    .execute();
  const episodes = await db
    .insertInto('help_episodes')
    .values(
      children.map((c, i) => ({
        organisation_id: organisationId,
        person_id: people[i]?.id ?? '',
        started_on: c.spells[0]?.start ?? '2020-01-01',
        status: 'looked_after',
        status_since: c.spells[0]?.start ?? '2020-01-01',
      })),
    )
    .returning(['id', 'person_id'])
    .execute();
  const spells = children.flatMap((c, i) =>
    c.spells.map((s) => ({ spell: s, personId: people[i]?.id ?? '', episodeId: episodes[i]?.id ?? '' })),
  );
  const periods = await db
    .insertInto('care_periods')
    .values(
      spells.map(({ spell, personId, episodeId }) => ({
        episode_id: episodeId,
        person_id: personId,
        started_on: spell.start,
        ended_on: spell.end,
        category_of_need: 'N1',
        reason_ceased: spell.end === null ? null : 'E11',
      })),
    )
    .returning('id')
    .execute();
  const placements = spells.flatMap(({ spell }, i) =>
    spell.placements.map((p) => ({
      care_period_id: periods[i]?.id ?? '',
      placement_type: p.type,
      started_on: p.start,
      ended_on: p.end,
      weekly_cost_pence: p.weeklyPence ?? null,
    })),
  );
  if (placements.length > 0) await db.insertInto('placements').values(placements).execute();
  const legal = spells.flatMap(({ spell }, i) =>
    spell.legal === undefined
      ? []
      : [{ care_period_id: periods[i]?.id ?? '', code: spell.legal, started_on: spell.start }],
  );
  if (legal.length > 0) await db.insertInto('legal_statuses').values(legal).execute();
}

const FOSTER = 0;
const RESIDENTIAL = 1;
const FOSTER_WEEKLY = 70_000; // £700 a week
const HOME_WEEKLY = 700_000; // £7,000 a week

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}

describe('insight: demand forecast', () => {
  let handle: TestDb;
  let steady: string;
  let single: string;

  // Window of 1,000 days. Every 10 days a child aged 11 to 14 enters foster care; after 50 days,
  // every other child moves to a children's home; each leaves care 100 days after entering. The
  // stock is then exactly 10 children every day (7.5 in foster care, 2.5 in children's homes on
  // average), entries are 0.1 a day, and the Markov steady state is the same 10.
  const FROM = '2024-01-01';
  const TO = addDays(FROM, 999);

  beforeAll(async () => {
    handle = await openTestDb();
    const deps = testDeps(handle);
    const world = await makeWorld(deps);
    steady = world.organisationId;
    const children: { dob: string; spells: Spell[] }[] = [];
    // From 200 days before the window (so it opens in the steady state) to its last day.
    for (let day = -200, i = 0; day <= 999; day += 10, i += 1) {
      const start = addDays(FROM, day);
      const middle = addDays(start, 50);
      const end = addDays(start, 100);
      const placements: Placement[] =
        i % 2 === 0
          ? [{ type: 'U4', start, end, weeklyPence: FOSTER_WEEKLY }]
          : [
              { type: 'U4', start, end: middle, weeklyPence: FOSTER_WEEKLY },
              { type: 'K2', start: middle, end, weeklyPence: HOME_WEEKLY },
            ];
      children.push({ dob: '2012-03-01', spells: [{ start, end, placements }] });
    }
    // Short breaks only (V3): never counted.
    children.push({
      dob: '2013-05-05',
      spells: [
        {
          start: '2024-06-01',
          end: null,
          placements: [{ type: 'U4', start: '2024-06-01', end: null }],
          legal: 'V3',
        },
      ],
    });
    await careChildren(handle.db, steady, children);

    // One child with every kind of event, in another council.
    const other = await makeWorld(deps);
    single = other.organisationId;
    await careChildren(handle.db, single, [
      {
        dob: '2014-07-01',
        spells: [
          {
            start: '2024-05-01',
            end: '2025-01-10',
            legal: 'C2',
            placements: [
              { type: 'U6', start: '2024-05-01', end: '2024-09-01', weeklyPence: 50_000 },
              { type: 'K2', start: '2024-09-01', end: '2025-01-10', weeklyPence: 500_000 },
            ],
          },
        ],
      },
    ]);
  });
  afterAll(async () => handle.close());

  it('counts days, entries, birthdays, moves and exits from the record', async () => {
    const result = await runForecast(
      handle.db,
      single,
      { from: '2024-01-01', to: '2024-12-31' },
      { resamples: 0 },
    );
    const fostering9 = state(1, FOSTER);
    const fostering10 = state(2, FOSTER);
    const home10 = state(2, RESIDENTIAL);
    expect(result.children).toBe(1);
    expect(result.counts[SLOT.entry(fostering9)]).toBe(1);
    expect(result.counts[SLOT.days(fostering9)]).toBe(61); // 1 May to 30 June
    expect(result.counts[SLOT.move(fostering9, fostering10)]).toBe(1); // tenth birthday
    expect(result.counts[SLOT.days(fostering10)]).toBe(62); // 1 July to 31 August
    expect(result.counts[SLOT.move(fostering10, home10)]).toBe(1);
    expect(result.counts[SLOT.days(home10)]).toBe(122); // 1 September to 31 December
    expect(result.counts[SLOT.exit(home10)]).toBe(0); // left care after the window
    const total = Array.from(result.counts).reduce((s, v) => s + v, 0);
    expect(total).toBe(1 + 61 + 1 + 62 + 1 + 122);
    expect(result.start[home10]).toBe(1);
    expect(result.weeklyCost[FOSTER]).toBe(500);
    expect(result.weeklyCost[RESIDENTIAL]).toBe(5000);
  });

  it('projects the analytic steady state from a history with known rates', async () => {
    const result = await runForecast(handle.db, steady, { from: FROM, to: TO });
    const foster = state(2, FOSTER);
    const home = state(2, RESIDENTIAL);
    // The rates the history was built with.
    expect(result.counts[SLOT.entry(foster)]).toBe(100);
    expect(result.counts[SLOT.days(foster)] ?? 0).toBe(7500);
    expect(result.counts[SLOT.days(home)] ?? 0).toBe(2500);
    expect(result.counts[SLOT.exit(foster)]).toBe(50);
    expect(result.counts[SLOT.exit(home)]).toBe(50);
    expect(result.counts[SLOT.move(foster, home)]).toBe(50);
    expect(result.rates.entry[foster]).toBeCloseTo(0.1, 12);
    expect(result.rates.exit[home]).toBeCloseTo(0.02, 12);
    // 10 in care on the last day; the short-break child is left out.
    expect(result.start.reduce((s, v) => s + v, 0)).toBe(10);
    expect(result.recorded.every((r) => r.total === 10)).toBe(true);

    // Steady state: F = λ / (a + e1) = 0.1 / (50/7500 + 50/7500) = 7.5, R = F·a / e2 = 2.5.
    expect(result.months).toHaveLength(24);
    for (const month of result.months.slice(12)) {
      expect(month.total).toBeCloseTo(10, 1);
      expect(month.byGroup[FOSTER]).toBeCloseTo(7.5, 1);
      expect(month.byGroup[RESIDENTIAL]).toBeCloseTo(2.5, 1);
      expect(month.byAge[2]).toBeCloseTo(10, 1);
      expect(month.lower).not.toBeNull();
      expect(month.lower ?? Infinity).toBeLessThanOrEqual(month.total);
      expect(month.upper ?? -Infinity).toBeGreaterThanOrEqual(month.total);
    }

    // Costs: days in the month × weekly cost / 7 for each kind of placement.
    const last = result.months[23];
    expect(last).toBeDefined();
    if (last !== undefined) {
      const expected =
        ((last.daysByGroup[FOSTER] ?? 0) * 700) / 7 + ((last.daysByGroup[RESIDENTIAL] ?? 0) * 7000) / 7;
      expect(last.cost).toBeCloseTo(expected, 6);
      const monthDays = (Date.parse(last.end) - Date.parse(addMonths(TO, 23))) / 86_400_000;
      // In the steady state: 7.5 × £100 + 2.5 × £1,000 = £3,250 a day.
      expect(last.cost).toBeCloseTo(3250 * monthDays, -1);
    }
  });

  it('is deterministic', async () => {
    const a = await runForecast(handle.db, steady, { from: FROM, to: TO }, { resamples: 50 });
    const b = await runForecast(handle.db, steady, { from: FROM, to: TO }, { resamples: 50 });
    expect(b.months).toEqual(a.months);
    const c = await runForecast(handle.db, steady, { from: FROM, to: TO }, { resamples: 50, seed: 1 });
    expect(c.months.map((m) => m.total)).toEqual(a.months.map((m) => m.total));
    expect(c.months.map((m) => m.lower)).not.toEqual(a.months.map((m) => m.lower));
  });

  it('gives the page its figures, with the recorded counts beside the projection', async () => {
    const figures = await FORECAST.figures({
      db: handle.db,
      organisationId: steady,
      filters: { from: FROM, to: TO },
      today: TO,
    });
    expect(figures.map((f) => f.id)).toEqual(['total', 'by-age', 'by-placement', 'cost', 'rates']);
    const total = figures[0];
    expect(total?.rows).toHaveLength(12 + 24);
    expect(total?.rows[11]?.['recorded']).toBe(10);
    const rates = figures[4];
    const fosterRow = rates?.rows.find((r) => r['placement'] === 'Foster care');
    expect(fosterRow).toMatchObject({
      age: '10-15',
      start: 8,
      entries: 100,
      exits: 50,
      moves: 50,
      days: 7500,
    });
    expect(fosterRow?.['meanStayDays']).toBe(75);
    // A total row, so the framework can protect small cells from subtraction.
    expect(rates?.rows.at(-1)).toMatchObject({
      age: 'Total',
      placement: 'All',
      start: 10,
      entries: 100,
      exits: 100,
      days: 10_000,
    });

    // Through the framework: the residential row's 2 children on the start date are fewer than 5,
    // and the foster row's 8 is hidden too (else 10 - 8 would give them away).
    const shown = suppressFigure(required(rates));
    expect(
      shown.rows.find((r) => r['placement'] === 'Children’s homes and other residential')?.['start'],
    ).toBeNull();
    expect(shown.rows.find((r) => r['placement'] === 'Foster care')?.['start']).toBeNull();
    for (const figure of figures) {
      const svg = await chartSvg(suppressFigure(figure), { idPrefix: figure.id });
      if (figure.chart === undefined) expect(svg).toBeUndefined();
      else expect(svg).toContain('role="img"');
    }
    expect(S).toBe(24);
  });
});
