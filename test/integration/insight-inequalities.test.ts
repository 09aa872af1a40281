import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { chartSvg } from '../../src/modules/insight/charts.ts';
import { poissonExact, decileGradient } from '../../src/modules/insight/stats.ts';
import { suppressFigure } from '../../src/modules/insight/suppress.ts';
import type { Figure, InsightFilters, Row } from '../../src/modules/insight/types.ts';
import { INEQUALITIES } from '../../src/modules/insight/views/inequalities.ts';
import { generateAuthority } from '../../src/modules/synthetic/authority.ts';
import { openTestDb, type TestDb } from '../support/db.ts';
import { loadTestGeography } from '../support/geography.ts';
import { makeWorld, testDeps } from '../support/world.ts';

/**
 * Insight view 3 (inequalities) on a hand-built council with known answers, and on a small
 * generated authority whose deprivation gradient must come out as the generator was calibrated.
 */
vi.setConfig({ testTimeout: 600_000 });

const LA = 'E99000001';
const OTHER_LA = 'E99000002';
const PERIOD: InsightFilters = { from: '2024-04-01', to: '2025-03-31' };

type Lsoa = {
  code: string;
  la: string;
  decile: number;
  children: number;
  shares: { white: number; mixed: number; asian: number; black: number; other: number };
};

/** Four neighbourhoods of the council (8,000 children) and one of a neighbouring council. */
const LSOAS: Lsoa[] = [
  {
    code: 'E99L00001',
    la: LA,
    decile: 1,
    children: 1000,
    shares: { white: 0.5, mixed: 0.05, asian: 0.3, black: 0.1, other: 0.05 },
  },
  {
    code: 'E99L00002',
    la: LA,
    decile: 1,
    children: 1000,
    shares: { white: 1, mixed: 0, asian: 0, black: 0, other: 0 },
  },
  {
    code: 'E99L00005',
    la: LA,
    decile: 5,
    children: 2000,
    shares: { white: 0.8, mixed: 0, asian: 0, black: 0.2, other: 0 },
  },
  {
    code: 'E99L00010',
    la: LA,
    decile: 10,
    children: 4000,
    shares: { white: 0.9, mixed: 0, asian: 0.1, black: 0, other: 0 },
  },
  {
    code: 'E99L00099',
    la: OTHER_LA,
    decile: 1,
    children: 1500,
    shares: { white: 1, mixed: 0, asian: 0, black: 0, other: 0 },
  },
];

function row(figure: Figure | undefined, key: string, value: string): Row {
  const found = figure?.rows.find((r) => r[key] === value);
  if (!found) throw new Error(`no row ${key} = ${value} in ${figure?.id ?? 'missing figure'}`);
  return found;
}

function figure(figures: Figure[], id: string): Figure {
  const found = figures.find((f) => f.id === id);
  if (!found) throw new Error(`no figure ${id}`);
  return found;
}

/** The exact Poisson interval of `count` as a rate per 10,000 of `population`, to one decimal place. */
function limits(count: number, population: number): [number, number] {
  const ci = poissonExact(count);
  return [
    Math.round((ci.lower * 100_000) / population) / 10,
    Math.round((ci.upper * 100_000) / population) / 10,
  ];
}

describe('inequalities on a hand-built council', () => {
  let handle: TestDb;
  let organisationId: string;
  let north: string;
  const today = '2025-04-15';

  beforeAll(async () => {
    handle = await openTestDb();
    const db = handle.db;
    for (const l of LSOAS) {
      await db
        .insertInto('lsoa21')
        .values({
          code: l.code,
          name: `Test ${l.code}`,
          la_code: l.la,
          la_name: l.la === LA ? 'Testshire' : 'Elsewhere',
          ltla_code: l.la,
          ltla_name: l.la === LA ? 'Testshire' : 'Elsewhere',
          imd_decile: l.decile,
          imd_rank: l.decile * 3000,
          imd_score: 50 - l.decile * 4,
          income_decile: l.decile,
          children_0_17: l.children,
          eth_share_white: l.shares.white,
          eth_share_mixed: l.shares.mixed,
          eth_share_asian: l.shares.asian,
          eth_share_black: l.shares.black,
          eth_share_other: l.shares.other,
        })
        .execute();
    }
    const world = await makeWorld(testDeps(handle));
    organisationId = world.organisationId;
    north = world.localityIds.north;
    await db.updateTable('organisations').set({ la_code: LA }).where('id', '=', organisationId).execute();

    async function child(options: {
      team: string;
      ethnicity: string | null;
      addresses: { lsoa: string; from: string; hidden?: boolean }[];
    }): Promise<{ personId: string; episodeId: string }> {
      const personId = await world.child({ teamId: options.team });
      await db
        .updateTable('people')
        .set({ ethnicity: options.ethnicity, sex: 'F', date_of_birth: '2014-03-01' })
        .where('id', '=', personId)
        .execute();
      for (const a of options.addresses) {
        await db
          .insertInto('person_addresses')
          .values({
            person_id: personId,
            line1: '1 Test Street',
            postcode: 'ZZ1 1ZZ',
            lsoa21_code: a.lsoa,
            started_on: a.from,
            hidden_from_family: a.hidden ?? false,
          })
          .execute();
      }
      const episode = await db
        .insertInto('help_episodes')
        .values({
          organisation_id: organisationId,
          person_id: personId,
          started_on: '2023-01-01',
          status: 'child_in_need',
          status_since: '2023-01-01',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { personId, episodeId: episode.id };
    }
    async function referral(c: { episodeId: string }, on: string) {
      await db
        .insertInto('cin_referrals')
        .values({
          episode_id: c.episodeId,
          referral_date: on,
          referral_source: '5A',
          primary_need: 'N1',
          closed_on: on,
          closure_reason: 'RC8',
        })
        .execute();
    }
    async function s47(c: { personId: string; episodeId: string }, on: string) {
      await db
        .insertInto('section47_enquiries')
        .values({ episode_id: c.episodeId, person_id: c.personId, started_on: on })
        .execute();
    }
    async function cpPlan(c: { personId: string; episodeId: string }, on: string) {
      await db
        .insertInto('plans')
        .values({
          episode_id: c.episodeId,
          person_id: c.personId,
          kind: 'child_protection',
          status: 'active',
          started_on: on,
          initial_category: 'NEG',
        })
        .execute();
    }
    async function care(c: { personId: string; episodeId: string }, on: string) {
      await db
        .insertInto('care_periods')
        .values({ episode_id: c.episodeId, person_id: c.personId, started_on: on, category_of_need: 'N1' })
        .execute();
    }

    // C1: decile 1 (North), White; every stage in the period, and two referrals (counted once).
    const c1 = await child({
      team: world.teamA,
      ethnicity: 'WBRI',
      addresses: [{ lsoa: 'E99L00001', from: '2015-01-01' }],
    });
    await referral(c1, '2024-05-01');
    await referral(c1, '2024-09-01');
    await s47(c1, '2024-05-10');
    await cpPlan(c1, '2024-06-01');
    await care(c1, '2024-12-01');
    // C2: decile 1 (North), Asian; referred.
    const c2 = await child({
      team: world.teamA,
      ethnicity: 'AIND',
      addresses: [{ lsoa: 'E99L00001', from: '2015-01-01' }],
    });
    await referral(c2, '2024-07-01');
    // C3: lived in decile 10 when referred, moved to decile 1 before entering care; the placement
    // address (hidden from the family, decile 5) is never their neighbourhood.
    const c3 = await child({
      team: world.teamA,
      ethnicity: 'WBRI',
      addresses: [
        { lsoa: 'E99L00010', from: '2016-01-01' },
        { lsoa: 'E99L00002', from: '2024-10-02' },
        { lsoa: 'E99L00005', from: '2025-01-10', hidden: true },
      ],
    });
    await referral(c3, '2024-08-01');
    await care(c3, '2025-01-10');
    // C4: decile 10 (South), Black African; referred and a section 47 enquiry.
    const c4 = await child({
      team: world.teamB,
      ethnicity: 'BAFR',
      addresses: [{ lsoa: 'E99L00010', from: '2010-01-01' }],
    });
    await referral(c4, '2024-04-15');
    await s47(c4, '2024-04-20');
    // C5: decile 5 (South): referred before the period (not counted).
    const c5 = await child({
      team: world.teamB,
      ethnicity: 'WBRI',
      addresses: [{ lsoa: 'E99L00005', from: '2010-01-01' }],
    });
    await referral(c5, '2023-12-01');
    // C6: lives in the neighbouring council; Mixed.
    const c6 = await child({
      team: world.teamB,
      ethnicity: 'MWBC',
      addresses: [{ lsoa: 'E99L00099', from: '2010-01-01' }],
    });
    await referral(c6, '2024-06-01');
    // C7: no address, ethnicity not recorded.
    const c7 = await child({ team: world.teamA, ethnicity: null, addresses: [] });
    await referral(c7, '2024-11-01');

    // Another council's child in the same neighbourhood: never counted here.
    const other = await makeWorld(testDeps(handle));
    const stranger = await other.child({ teamId: other.teamA });
    await db
      .insertInto('person_addresses')
      .values({
        person_id: stranger,
        line1: '2 Test Street',
        postcode: 'ZZ1 1ZZ',
        lsoa21_code: 'E99L00001',
        started_on: '2015-01-01',
      })
      .execute();
    const ep = await db
      .insertInto('help_episodes')
      .values({
        organisation_id: other.organisationId,
        person_id: stranger,
        started_on: '2024-01-01',
        status: 'child_in_need',
        status_since: '2024-01-01',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await referral({ episodeId: ep.id }, '2024-06-01');
  });
  afterAll(async () => handle.close());

  const run = (filters: InsightFilters = PERIOD) =>
    INEQUALITIES.figures({ db: handle.db, organisationId, filters, today });

  it('gives each stage per 10,000 children by the decile of the home on the day, with exact intervals', async () => {
    const figures = await run();
    const referrals = figure(figures, 'decile-referral');
    expect(referrals.rows.map((r) => r['decile'])).toEqual([
      '1',
      '5',
      '10',
      'Not known or outside the council',
      'All',
    ]);
    const [d1lower, d1upper] = limits(2, 2000);
    // Decile 1: C1 and C2 (C1's second referral is not counted again; C3 lived in decile 10 then).
    expect(row(referrals, 'decile', '1')).toEqual({
      decile: '1',
      population: 2000,
      children: 2,
      s_rate: 10,
      s_lower: d1lower,
      s_upper: d1upper,
    });
    expect(d1lower).toBe(1.2);
    expect(d1upper).toBe(36.1);
    expect(row(referrals, 'decile', '5')).toMatchObject({
      population: 2000,
      children: 0,
      s_rate: 0,
      s_lower: 0,
      s_upper: 18.4,
    });
    expect(row(referrals, 'decile', '10')).toMatchObject({ population: 4000, children: 2, s_rate: 5 });
    // C6 lives elsewhere and C7 has no address; the other council's child is not counted.
    expect(row(referrals, 'decile', 'Not known or outside the council')).toMatchObject({
      children: 2,
      s_rate: null,
    });
    expect(row(referrals, 'decile', 'All')).toMatchObject({ population: 8000, children: 6, s_rate: 7.5 });

    // Care: C1 and C3, both in decile 1 on the day (C3's placement address is not their home).
    const care = figure(figures, 'decile-care');
    expect(row(care, 'decile', '1')).toMatchObject({ children: 2, s_rate: 10 });
    expect(row(care, 'decile', '5')).toMatchObject({ children: 0 });
    expect(row(care, 'decile', '10')).toMatchObject({ children: 0, s_rate: 0 });
    const s47 = figure(figures, 'decile-s47');
    expect(row(s47, 'decile', '1')).toMatchObject({ children: 1, s_rate: 5 });
    expect(row(s47, 'decile', '10')).toMatchObject({ children: 1, s_rate: 2.5 });
    expect(row(figure(figures, 'decile-cp-plan'), 'decile', '1')).toMatchObject({ children: 1, s_rate: 5 });
  });

  it('gives the gradient decile 1 ÷ decile 10 with the log-method interval, and the fitted gradient', async () => {
    const figures = await run();
    const gradient = figure(figures, 'gradient');
    // Referrals: (2/2,000) ÷ (2/4,000) = 2; SE(ln) = √(1/2 + 1/2) = 1.
    const referrals = row(gradient, 'stage', 'Referred to social care');
    expect(referrals).toMatchObject({ d1_children: 2, d1_rate: 10, d10_children: 2, d10_rate: 5, ratio: 2 });
    expect(referrals['ratio_lower']).toBe(Math.round(200 * Math.exp(-1.959963984540054)) / 100);
    expect(referrals['ratio_lower']).toBe(0.28);
    expect(referrals['ratio_upper']).toBe(14.2);
    const fitted = decileGradient([
      { decile: 1, events: 2, population: 2000 },
      { decile: 5, events: 0, population: 2000 },
      { decile: 10, events: 2, population: 4000 },
    ]);
    expect(referrals['fitted']).toBe(Math.round((fitted?.ratio.value ?? NaN) * 100) / 100);
    // Section 47: (1/2,000) ÷ (1/4,000) = 2, SE(ln) = √2.
    const s47 = row(gradient, 'stage', 'Section 47 enquiry');
    expect(s47).toMatchObject({ ratio: 2, ratio_lower: 0.13, ratio_upper: 31.98 });
    // Care: nobody in decile 10, so no observed ratio.
    expect(row(gradient, 'stage', 'Entered care')).toMatchObject({
      d1_children: 2,
      d10_children: 0,
      ratio: null,
    });
  });

  it('gives rates by ethnic group with populations from the shares of all residents', async () => {
    const ethnicity = figure(await run(), 'ethnicity');
    // White: C1 and C3; 500 + 1,000 + 3,600 + 1,600 = 6,700 White children.
    expect(row(ethnicity, 'group', 'White')).toMatchObject({
      population: 6700,
      referral_children: 2,
      referral_rate: 3,
      care_children: 2,
      care_rate: 3,
    });
    expect(row(ethnicity, 'group', 'Asian')).toMatchObject({
      population: 700,
      referral_children: 1,
      referral_rate: 14.3,
    });
    expect(row(ethnicity, 'group', 'Black')).toMatchObject({
      population: 500,
      referral_children: 1,
      referral_rate: 20,
      s47_children: 1,
      s47_rate: 20,
    });
    // C6 lives outside the council but is its child: counted.
    expect(row(ethnicity, 'group', 'Mixed')).toMatchObject({
      population: 50,
      referral_children: 1,
      referral_rate: 200,
    });
    expect(row(ethnicity, 'group', 'Other')).toMatchObject({
      population: 50,
      referral_children: 0,
      referral_rate: 0,
    });
    expect(row(ethnicity, 'group', 'Unknown')).toMatchObject({
      population: null,
      referral_children: 1,
      referral_rate: null,
    });
    expect(row(ethnicity, 'group', 'All')).toMatchObject({
      population: 8000,
      referral_children: 6,
      referral_rate: 7.5,
    });
    const [lower, upper] = limits(1, 700);
    expect(row(ethnicity, 'group', 'Asian')).toMatchObject({ referral_lower: lower, referral_upper: upper });
  });

  it('draws the decile × locality grid, each neighbourhood in the locality most of its children belong to', async () => {
    const grid = figure(await run(), 'grid');
    expect(grid.chart).toEqual({ kind: 'grid', x: 'decile', y: 'locality', value: 'referral_rate' });
    expect(
      grid.rows.map((r) => [r['locality'], r['decile'], r['population'], r['referral_children']]),
    ).toEqual([
      ['North', '1', 2000, 2],
      ['South', '5', 2000, 0],
      ['South', '10', 4000, 2],
    ]);
  });

  it('filters by locality, decile and ethnic group on numerators and populations alike', async () => {
    const northOnly = await run({ ...PERIOD, localityId: north });
    const referrals = figure(northOnly, 'decile-referral');
    expect(referrals.rows.map((r) => [r['decile'], r['children']])).toEqual([
      ['1', 2],
      ['Not known or outside the council', 0],
      ['All', 2],
    ]);
    expect(row(referrals, 'decile', 'All')).toMatchObject({ population: 2000, s_rate: 10 });
    // White children in North's neighbourhoods: C1 only (C3 lived in the South's decile 10 then).
    expect(row(figure(northOnly, 'ethnicity'), 'group', 'White')).toMatchObject({
      population: 1500,
      referral_children: 1,
      referral_rate: 6.7,
    });

    const white = await run({ ...PERIOD, ethnicGroup: 'White' });
    const whiteReferrals = figure(white, 'decile-referral');
    expect(row(whiteReferrals, 'decile', '1')).toMatchObject({ population: 1500, children: 1, s_rate: 6.7 });
    expect(row(whiteReferrals, 'decile', '10')).toMatchObject({ population: 3600, children: 1, s_rate: 2.8 });
    expect(figure(white, 'ethnicity').rows.map((r) => r['group'])).toEqual(['White']);

    const decile10 = await run({ ...PERIOD, decile: 10 });
    expect(row(figure(decile10, 'ethnicity'), 'group', 'All')).toMatchObject({
      population: 4000,
      referral_children: 2,
      referral_rate: 5,
    });
  });

  it('goes through the framework: small counts and the rates worked out from them are hidden, charts draw', async () => {
    for (const f of await run()) {
      const suppressed = suppressFigure(f);
      const svg = await chartSvg(suppressed, { idPrefix: f.id });
      if (svg !== undefined) expect(svg).toContain('<svg');
      if (f.id === 'decile-referral') {
        const d1 = suppressed.rows[0];
        expect(d1).toMatchObject({
          decile: '1',
          population: 2000,
          children: null,
          s_rate: null,
          s_lower: null,
        });
        expect(suppressed.hidden[0]).toMatchObject({ children: 'small', s_rate: 'derived' });
      }
    }
  });

  it('finds a council with no la_code through its synthetic run, with populations scaled', async () => {
    await handle.db
      .updateTable('organisations')
      .set({ la_code: null })
      .where('id', '=', organisationId)
      .execute();
    await sql`INSERT INTO synthetic_runs (organisation_id, la_code, run_number, seed, scale, years, reference_date, variation, household_offset, status)
      VALUES (${organisationId}, ${LA}, 1, 'test', 0.5, 10, '2025-03-31', 'national', 0, 'complete')`.execute(
      handle.db,
    );
    try {
      const referrals = figure(await run(), 'decile-referral');
      expect(row(referrals, 'decile', '1')).toMatchObject({ population: 1000, children: 2, s_rate: 20 });
    } finally {
      await sql`DELETE FROM synthetic_runs WHERE organisation_id = ${organisationId}`.execute(handle.db);
      await handle.db
        .updateTable('organisations')
        .set({ la_code: LA })
        .where('id', '=', organisationId)
        .execute();
    }
  });
});

/**
 * The generator (src/modules/synthetic) gives each child a risk that rises by the same factor with
 * each decile towards the most deprived, 11 from decile 10 to decile 1 (RISK_BY_DECILE), and children
 * enter care in proportion to that risk; the calibration target (../shared/reference/calibration.md,
 * target 25) is a decile 1 ÷ decile 10 ratio of about 11, accepted from 8 to 14. Milton Keynes at a
 * tenth of its size has neighbourhoods in every decile and about 6,000 children, and ten years give
 * a few hundred children entering care: the fitted ratio's standard error is then about 0.2 on the
 * log scale, so — as the calibration check itself does — the range 8 to 14 is widened by 3 standard
 * errors of the fit (a wrong gradient, e.g. none or the wrong way, still fails by far).
 */
describe('inequalities on a small generated authority', () => {
  let handle: TestDb;
  let organisationId: string;
  const AUTHORITY = 'E06000042';

  beforeAll(async () => {
    handle = await openTestDb();
    await loadTestGeography(handle, [AUTHORITY]);
    const summary = await generateAuthority(handle.db, {
      authority: AUTHORITY,
      scale: 0.1,
      seed: 'insight-inequalities',
      referenceDate: '2026-03-31',
      pglite: handle.pglite,
    });
    const org = await handle.db
      .selectFrom('organisations')
      .select('id')
      .where('la_code', '=', summary.laCode)
      .executeTakeFirstOrThrow();
    organisationId = org.id;
  }, 600_000);
  afterAll(async () => handle.close());

  it('finds the deprivation gradient of entering care as the generator was calibrated', async () => {
    const figures = await INEQUALITIES.figures({
      db: handle.db,
      organisationId,
      filters: { from: '2016-04-01', to: '2026-03-31' },
      today: '2026-03-31',
    });
    const gradient = figure(figures, 'gradient');
    const care = row(gradient, 'stage', 'Entered care');
    const fitted = Number(care['fitted']);
    const upper = Number(care['fitted_upper']);
    const lower = Number(care['fitted_lower']);
    const se = Math.log(upper / lower) / (2 * 1.959963984540054);
    const summary = `fitted ${fitted} (${lower} to ${upper}), observed ${String(care['ratio'])}`;
    expect(se, summary).toBeLessThan(0.35);
    expect(fitted, summary).toBeGreaterThanOrEqual(8 * Math.exp(-3 * se));
    expect(fitted, summary).toBeLessThanOrEqual(14 * Math.exp(3 * se));
    expect(lower, summary).toBeGreaterThan(3);

    // Rates fall from the most deprived deciles to the least: deciles 1-2 above 9-10 by far.
    const byDecile = figure(figures, 'decile-care');
    const pair = (a: string, b: string) => {
      const ra = row(byDecile, 'decile', a);
      const rb = row(byDecile, 'decile', b);
      return (
        (Number(ra['children']) + Number(rb['children'])) /
        (Number(ra['population']) + Number(rb['population']))
      );
    };
    expect(pair('1', '2')).toBeGreaterThan(4 * pair('9', '10'));

    // Referrals rise less steeply than entering care (contacts rise with the square root of the
    // risk, and the severity of what follows with the rest), but still clearly.
    const referral = row(gradient, 'stage', 'Referred to social care');
    expect(Number(referral['fitted_lower'])).toBeGreaterThan(1.5);
    expect(Number(referral['fitted'])).toBeLessThan(fitted);
  });
});
