import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveFigures } from '../../src/modules/insight/benchmarks/live.ts';
import { chartSvg } from '../../src/modules/insight/charts.ts';
import { suppressFigure } from '../../src/modules/insight/suppress.ts';
import { BENCHMARKING } from '../../src/modules/insight/views/benchmarking.ts';
import { openTestDb, type TestDb } from '../support/db.ts';
import { loadTestGeography, TEST_AUTHORITY } from '../support/geography.ts';
import { makeWorld, testDeps } from '../support/world.ts';

const DAY = '2025-03-31';

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}

describe('insight: benchmarking', () => {
  let handle: TestDb;
  let council: string;
  let noCode: string;
  let population: number;

  beforeAll(async () => {
    handle = await openTestDb();
    await loadTestGeography(handle);
    const deps = testDeps(handle);
    const world = await makeWorld(deps);
    council = world.organisationId;
    noCode = (await makeWorld(deps)).organisationId;
    await handle.db
      .updateTable('organisations')
      .set({ la_code: TEST_AUTHORITY.laCode })
      .where('id', '=', council)
      .execute();
    const pop = await sql<{
      n: string;
    }>`SELECT sum(children_0_17) AS n FROM lsoa21 WHERE la_code = ${TEST_AUTHORITY.laCode}`.execute(
      handle.db,
    );
    population = Number(pop.rows[0]?.n);

    const db = handle.db;
    const child = async (name: string) => {
      const person = await db
        .insertInto('people')
        .values({
          organisation_id: council,
          given_name: name,
          family_name: 'Bench',
          date_of_birth: '2015-01-01',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const episode = await db
        .insertInto('help_episodes')
        .values({
          organisation_id: council,
          person_id: person.id,
          started_on: '2024-06-01',
          status: 'child_in_need',
          status_since: '2024-06-01',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { personId: person.id, episodeId: episode.id };
    };
    const referral = (episodeId: string, on: string, closedOn: string | null = null) =>
      db
        .insertInto('cin_referrals')
        .values({
          episode_id: episodeId,
          referral_date: on,
          referral_source: '2A',
          primary_need: 'N1',
          closed_on: closedOn,
          closure_reason: closedOn === null ? null : 'RC8',
        })
        .execute();
    const care = async (
      c: { personId: string; episodeId: string },
      start: string,
      end: string | null,
      legal: string,
    ) => {
      const period = await db
        .insertInto('care_periods')
        .values({
          episode_id: c.episodeId,
          person_id: c.personId,
          started_on: start,
          ended_on: end,
          category_of_need: 'N1',
          reason_ceased: end === null ? null : 'E11',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db
        .insertInto('legal_statuses')
        .values({ care_period_id: period.id, code: legal, started_on: start })
        .execute();
    };

    // In need at the end of 31 March: A (open referral) and B (open referral and a protection plan).
    const a = await child('A');
    await referral(a.episodeId, '2025-01-10');
    const b = await child('B');
    await referral(b.episodeId, '2025-01-15');
    await db
      .insertInto('plans')
      .values({
        episode_id: b.episodeId,
        person_id: b.personId,
        kind: 'child_protection',
        status: 'active',
        started_on: '2025-02-01',
        initial_category: 'NEG',
      })
      .execute();
    // Looked after: C (care order). D's care ended on 31 March, so D is not counted that day.
    await care(await child('C'), '2024-06-01', null, 'C2');
    await care(await child('D'), '2024-07-01', DAY, 'C2');
    // Short breaks only: not looked after in the published sense.
    await care(await child('E'), '2025-01-01', null, 'V3');
    // A referral closed before the day, and a draft protection plan: neither counts.
    const f = await child('F');
    await referral(f.episodeId, '2024-12-01', '2025-02-01');
    await db
      .insertInto('plans')
      .values({ episode_id: f.episodeId, person_id: f.personId, kind: 'child_protection', status: 'draft' })
      .execute();
  });
  afterAll(async () => handle.close());

  it('counts the council’s own children open at the end of the day, as the DfE counts them', async () => {
    const live = await liveFigures(handle.db, council, DAY);
    expect(live.laCode).toBe(TEST_AUTHORITY.laCode);
    expect(live.population).toBe(population);
    expect(population).toBeGreaterThan(200_000);
    expect(live.counts).toEqual({ cin: 2, cp_plan: 1, looked_after: 1 });
    // The day before D left care, D was looked after too.
    expect((await liveFigures(handle.db, council, '2025-03-30')).counts.looked_after).toBe(2);
  });

  it('shows published figures beside neighbours and England, and live ones beside the last published', async () => {
    const figures = await BENCHMARKING.figures({
      db: handle.db,
      organisationId: council,
      filters: { from: '2024-04-01', to: DAY },
      today: DAY,
    });
    const ids = figures.map((f) => f.id);
    expect(ids[0]).toBe('latest');
    expect(ids).toContain('live');
    expect(ids).toContain('neighbours');
    expect(ids.filter((id) => id.startsWith('trend-'))).toHaveLength(12);

    const latest = figures.find((f) => f.id === 'latest');
    expect(latest?.rows.find((r) => r['measure'] === 'Children looked after at 31 March')).toEqual({
      measure: 'Children looked after at 31 March',
      unit: 'per 10,000 children',
      year: '2025',
      authority: 36,
      neighbours: 51.5,
      england: 67,
    });

    const live = figures.find((f) => f.id === 'live');
    expect(live?.rows).toEqual([
      {
        measure: 'Children in need',
        publishedYear: '31 March 2025',
        published: 210.8,
        children: 2,
        population,
        live: (2 / population) * 10_000,
      },
      {
        measure: 'Child protection plans',
        publishedYear: '31 March 2025',
        published: 22.1,
        children: 1,
        population,
        live: (1 / population) * 10_000,
      },
      {
        measure: 'Children looked after',
        publishedYear: '31 March 2025',
        published: 36,
        children: 1,
        population,
        live: (1 / population) * 10_000,
      },
    ]);
    // The live rate is derived from the child count, so it is hidden with it.
    expect(live?.columns.find((c) => c.key === 'live')).toMatchObject({ kind: 'rate', from: ['children'] });

    const trend = figures.find((f) => f.id === 'trend-cla-rate');
    expect(trend?.rows.map((r) => r['year'])).toEqual(['2021', '2022', '2023', '2024', '2025']);
    expect(trend?.chart).toEqual({ kind: 'line', x: 'year', y: ['authority', 'neighbours', 'england'] });
    // Through the framework: the live counts (1 and 2) are fewer than 5, and their rates are hidden.
    const shown = suppressFigure(required(live));
    expect(shown.rows.map((r) => [r['children'], r['live'], r['published']])).toEqual([
      [null, null, 210.8],
      [null, null, 22.1],
      [null, null, 36],
    ]);
    for (const figure of figures) {
      const svg = await chartSvg(suppressFigure(figure), { idPrefix: figure.id });
      if (figure.chart === undefined) expect(svg).toBeUndefined();
      else expect(svg).toContain('role="img"');
    }
    expect(figures.find((f) => f.id === 'trend-rereferral-percent')?.columns[1]).toMatchObject({
      kind: 'percent',
    });
    expect(figures.find((f) => f.id === 'neighbours')?.rows[0]).toEqual({
      rank: '1',
      authority: 'Oxfordshire',
      closeness: 'Very close',
    });
  });

  it('says so when the council has no code the DfE tables know', async () => {
    const figures = await BENCHMARKING.figures({
      db: handle.db,
      organisationId: noCode,
      filters: { from: '2024-04-01', to: DAY },
      today: DAY,
    });
    expect(figures).toHaveLength(1);
    expect(figures[0]?.rows).toEqual([]);
    expect(figures[0]?.description).toContain('no local authority code');
  });
});
