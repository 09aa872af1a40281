/**
 * Insight view 6: placements and the care market. The placements children lived in during the period
 * by type and provider, what they cost each week and in the period, how far from home and whether
 * outside the council's area, whether brothers and sisters live together, and how often children
 * move.
 *
 * The measures are the SQL views `insight_placements` and `insight_care_periods` and the function
 * `insight_placement_group` (migration 0016_insight_care_market.sql); definitions in
 * docs/insight/placements.md. The distance from home is the care module's (distanceKm). Counts and
 * sums only: the framework suppresses small numbers.
 */
import { sql } from 'kysely';
import { distanceKm } from '../../care/rules.ts';
import { PLACEMENT_CHANGE_REASONS } from '../../help/codes.ts';
import { addDays, addMonths, applyFilters } from '../filters.ts';
import type { Figure, InsightContext, InsightView, Row } from '../types.ts';
import { childrenAmong } from './children.ts';

/** The groups of insight_placement_group, in the order the pages list them. */
export const PLACEMENT_GROUPS: readonly { readonly key: string; readonly label: string }[] = [
  { key: 'foster_own', label: 'Foster care: the council’s own carers' },
  { key: 'foster_agency', label: 'Foster care: agency carers (private or voluntary)' },
  { key: 'foster_other', label: 'Foster care: another council’s or public carers, or not recorded' },
  { key: 'kinship', label: 'Foster care with a relative or friend (kinship)' },
  { key: 'home_own', label: 'Children’s home: the council’s own' },
  { key: 'home_private', label: 'Children’s home: private' },
  { key: 'home_other', label: 'Children’s home: another provider or not recorded' },
  { key: 'supported', label: 'Supported accommodation' },
  { key: 'adoption', label: 'Placed for adoption' },
  { key: 'parents', label: 'Placed with parents' },
  { key: 'other', label: 'Other placements' },
];

/** SSDA903 PLACE_PROVIDER as the care-market pages name them. */
export const PROVIDER_LABELS: readonly { readonly key: string | null; readonly label: string }[] = [
  { key: 'PR1', label: 'Own authority' },
  { key: 'PR2', label: 'Other local authority' },
  { key: 'PR3', label: 'Other public provider' },
  { key: 'PR4', label: 'Private' },
  { key: 'PR5', label: 'Voluntary or third sector' },
  { key: 'PR0', label: 'Parents or others with parental responsibility' },
  { key: null, label: 'Not recorded' },
];

/** Distance bands, lowest first: a distance falls in the first band whose `below` it is under. */
export const DISTANCE_BANDS: readonly { readonly label: string; readonly below: number }[] = [
  { label: 'Under 5 km', below: 5 },
  { label: '5 km to under 10 km', below: 10 },
  { label: '10 km to under 20 km', below: 20 },
  { label: '20 km to 20 miles (32.2 km)', below: 32.2 },
  { label: 'More than 20 miles (32.2 km or more)', below: Number.POSITIVE_INFINITY },
];

export const SIBLING_LABELS: readonly { readonly key: string | null; readonly label: string }[] = [
  { key: 'all', label: 'With all their brothers and sisters in care' },
  { key: 'some', label: 'With some of them' },
  { key: 'none', label: 'Apart from all of them' },
  { key: 'not_applicable', label: 'No brothers or sisters in care' },
  { key: null, label: 'Not recorded' },
];

type Tally = {
  figure: string;
  k1: string | null;
  k2: string | null;
  n: number;
  costed: number;
  /** Sum of the weekly costs (pence) of the placements with a cost. */
  weekly: number;
  /** Spend in the period (pence, not rounded). */
  spend: number;
  nights: number;
};

const percent = (part: number, whole: number): number | null => (whole > 0 ? (100 * part) / whole : null);
const pounds = (pence: number): number => Math.round(pence) / 100;

function pick(rows: readonly Tally[], figure: string, match: (t: Tally) => boolean = () => true): Tally {
  const out: Tally = { figure, k1: null, k2: null, n: 0, costed: 0, weekly: 0, spend: 0, nights: 0 };
  for (const t of rows) {
    if (t.figure !== figure || !match(t)) continue;
    out.n += t.n;
    out.costed += t.costed;
    out.weekly += t.weekly;
    out.spend += t.spend;
    out.nights += t.nights;
  }
  return out;
}

/** The band of a distance in kilometres (as distanceKm gives it). */
export function distanceBand(km: number): string {
  const band = DISTANCE_BANDS.find((b) => km < b.below) ?? DISTANCE_BANDS[DISTANCE_BANDS.length - 1];
  return band?.label ?? '';
}

/** Every count and sum the view needs, in one statement. */
async function tallies(ctx: InsightContext): Promise<Tally[]> {
  const { from, to } = ctx.filters;
  const nextDay = addDays(to, 1);
  // Open placements are counted up to and including today (spend is not forecast).
  const spendEnd = ctx.today < to ? addDays(ctx.today, 1) : nextDay;
  const windowFrom = addDays(addMonths(to, -12), 1);
  // Placements lived in during the period: the age band is the age on the later of the placement's
  // start and the period's first day.
  const placementWhere = applyFilters(ctx, { child: 'c', event: 'x.age_on', noPeriod: true });
  const periodWhere = applyFilters(ctx, { child: 'c', event: 'y.age_on', noPeriod: true });
  const moveWhere = applyFilters(ctx, { child: 'c', event: 'p.started_on' });
  const onLastDayWhere = applyFilters(ctx, { child: 'c' });
  // The children of the period's placements and periods of care, read once each (not every child
  // of the council: see childrenAmong).
  const result = await sql<Tally>`
    WITH pl AS MATERIALIZED (
      SELECT p.*, greatest(p.started_on, ${from}::date) AS age_on,
        (p.ends_on IS NULL OR p.ends_on > ${from}::date) AS lived_in
      FROM insight_placements p
      WHERE p.organisation_id = ${ctx.organisationId}::uuid AND p.started_on <= ${to}::date
        AND (p.ends_on IS NULL OR p.ends_on > ${from}::date OR p.started_on >= ${from}::date)
    ),
    cps AS MATERIALIZED (
      SELECT cp.*, greatest(cp.started_on, ${from}::date) AS age_on
      FROM insight_care_periods cp
      WHERE cp.organisation_id = ${ctx.organisationId}::uuid
        AND cp.started_on <= ${to}::date AND (cp.ended_on IS NULL OR cp.ended_on > ${from}::date)
    ),
    c AS MATERIALIZED (
      ${childrenAmong(ctx.filters, sql`SELECT person_id FROM pl UNION SELECT person_id FROM cps`, { source: ctx.source })}
    ),
    f AS MATERIALIZED (
      SELECT x.*,
        greatest(0, least(coalesce(x.ends_on, ${spendEnd}::date), ${nextDay}::date)
          - greatest(x.started_on, ${from}::date)) AS nights
      FROM pl x
      JOIN c ON c.person_id = x.person_id
      WHERE x.lived_in AND ${placementWhere}
    ),
    periods AS (
      SELECT y.care_period_id,
        (SELECT count(*)::int FROM insight_placements q
          WHERE q.care_period_id = y.care_period_id AND q.counts_as_placement AND q.started_on <= ${to}::date) AS placements
      FROM cps y
      JOIN c ON c.person_id = y.person_id
      WHERE ${periodWhere}
    ),
    in_care AS (
      SELECT DISTINCT cp.person_id
      FROM cps cp
      JOIN c ON c.person_id = cp.person_id
      WHERE (cp.ended_on IS NULL OR cp.ended_on > ${to}::date)
        AND ${onLastDayWhere}
    ),
    stability AS (
      SELECT i.person_id,
        (SELECT count(*)::int FROM insight_placements q
          WHERE q.person_id = i.person_id AND q.organisation_id = ${ctx.organisationId}::uuid
            AND q.counts_as_placement
            AND q.started_on <= ${to}::date AND (q.ends_on IS NULL OR q.ends_on > ${windowFrom}::date)) AS placements
      FROM in_care i
    ),
    moves AS (
      SELECT p.previous_change_reason
      FROM pl p
      JOIN c ON c.person_id = p.person_id
      WHERE p.is_move AND ${moveWhere}
    )
    SELECT 'type' AS figure, placement_group AS k1, NULL AS k2, count(*)::int AS n,
      count(weekly_cost_pence)::int AS costed,
      coalesce(sum(weekly_cost_pence), 0)::float8 AS weekly,
      coalesce(sum(weekly_cost_pence::numeric * nights / 7), 0)::float8 AS spend,
      sum(nights)::int AS nights
      FROM f GROUP BY placement_group
    UNION ALL
    SELECT 'provider', provider, NULL, count(*)::int, count(weekly_cost_pence)::int,
      coalesce(sum(weekly_cost_pence), 0)::float8,
      coalesce(sum(weekly_cost_pence::numeric * nights / 7), 0)::float8, sum(nights)::int
      FROM f GROUP BY provider
    UNION ALL
    SELECT 'outside', outside_authority::text, NULL, count(*)::int, 0, 0, 0, 0 FROM f GROUP BY 2
    UNION ALL
    SELECT 'siblings', with_siblings, NULL, count(*)::int, 0, 0, 0, 0 FROM f GROUP BY 2
    UNION ALL
    SELECT 'distance',
      CASE WHEN home_easting IS NULL OR home_northing IS NULL THEN NULL
        ELSE home_easting::text || ' ' || home_northing::text END,
      CASE WHEN placement_easting IS NULL OR placement_northing IS NULL THEN NULL
        ELSE placement_easting::text || ' ' || placement_northing::text END,
      count(*)::int, 0, 0, 0, 0
      FROM f GROUP BY 2, 3
    UNION ALL
    SELECT 'per_period', least(placements, 5)::text, NULL, count(*)::int, 0, 0, 0, 0 FROM periods GROUP BY 2
    UNION ALL
    SELECT 'stability', least(placements, 3)::text, NULL, count(*)::int, 0, 0, 0, 0 FROM stability GROUP BY 2
    UNION ALL
    SELECT 'moves', previous_change_reason, NULL, count(*)::int, 0, 0, 0, 0 FROM moves GROUP BY 2`.execute(
    ctx.db,
  );
  return result.rows;
}

function typeFigure(rows: readonly Tally[]): Figure {
  const total = pick(rows, 'type');
  return {
    id: 'placements-by-type',
    title: 'Placements by type',
    description: 'Placements children lived in at any time in the period, by type of placement and provider.',
    columns: [
      { key: 'type', label: 'Type of placement', kind: 'text' },
      { key: 'placements', label: 'Placements', kind: 'count' },
      { key: 'share', label: 'Share of placements (%)', kind: 'percent', from: ['placements'] },
      { key: 'days', label: 'Days in the period', kind: 'days', from: ['placements'] },
    ],
    rows: [
      ...PLACEMENT_GROUPS.map((g) => {
        const t = pick(rows, 'type', (r) => r.k1 === g.key);
        return { type: g.label, placements: t.n, share: percent(t.n, total.n), days: t.nights };
      }),
      { type: 'Total', placements: total.n, share: total.n > 0 ? 100 : null, days: total.nights },
    ],
    chart: { kind: 'bar', x: 'type', y: ['placements'], horizontal: true },
    notes: [
      'A placement counts when the child lived there on at least one day of the period; the day a child moved out is a day in the next placement.',
      'Foster care is split by provider: the council’s own carers (PR1), agency carers (private PR4 or voluntary PR5), and others. Children’s homes include secure children’s homes.',
    ],
  };
}

function costFigure(rows: readonly Tally[]): Figure {
  const line = (label: string, t: Tally): Row => ({
    type: label,
    placements: t.n,
    costed: t.costed,
    meanWeekly: t.costed > 0 ? pounds(t.weekly / t.costed) : null,
    spend: pounds(t.spend),
  });
  return {
    id: 'cost-by-type',
    title: 'Weekly cost and spend by type of placement',
    description:
      'For placements lived in during the period: the average weekly cost of those with a cost recorded, and the spend in the period (the weekly cost for each day in the period).',
    columns: [
      { key: 'type', label: 'Type of placement', kind: 'text' },
      { key: 'placements', label: 'Placements', kind: 'count' },
      { key: 'costed', label: 'Placements with a weekly cost', kind: 'count' },
      { key: 'meanWeekly', label: 'Average weekly cost (£)', kind: 'money', from: ['costed'] },
      { key: 'spend', label: 'Spend in the period (£)', kind: 'money', from: ['costed'] },
    ],
    rows: [
      ...PLACEMENT_GROUPS.map((g) =>
        line(
          g.label,
          pick(rows, 'type', (r) => r.k1 === g.key),
        ),
      ),
      line('Total', pick(rows, 'type')),
    ],
    chart: { kind: 'bar', x: 'type', y: ['spend'], horizontal: true },
    notes: [
      'Spend is the weekly cost × days in the placement within the period ÷ 7, counting open placements up to today. Placements with no cost recorded add nothing.',
      'The average weekly cost is the mean of the placements’ weekly costs (each placement once, however long it lasted).',
    ],
  };
}

function providerFigure(rows: readonly Tally[]): Figure {
  const total = pick(rows, 'provider');
  return {
    id: 'placements-by-provider',
    title: 'Placements by provider',
    description:
      'Placements children lived in at any time in the period, by who provides them, with the spend in the period.',
    columns: [
      { key: 'provider', label: 'Provider', kind: 'text' },
      { key: 'placements', label: 'Placements', kind: 'count' },
      { key: 'share', label: 'Share of placements (%)', kind: 'percent', from: ['placements'] },
      { key: 'costed', label: 'Placements with a weekly cost', kind: 'count' },
      { key: 'spend', label: 'Spend in the period (£)', kind: 'money', from: ['costed'] },
    ],
    rows: [
      ...PROVIDER_LABELS.map((p) => {
        const t = pick(rows, 'provider', (r) => r.k1 === p.key);
        return {
          provider: p.label,
          placements: t.n,
          share: percent(t.n, total.n),
          costed: t.costed,
          spend: pounds(t.spend),
        };
      }),
      {
        provider: 'Total',
        placements: total.n,
        share: total.n > 0 ? 100 : null,
        costed: total.costed,
        spend: pounds(total.spend),
      },
    ],
    chart: { kind: 'bar', x: 'provider', y: ['placements'], horizontal: true },
    notes: [
      'The SSDA903 placement provider: own authority PR1, other local authority PR2, other public PR3, private PR4, voluntary PR5, parents PR0. Temporary and “other” placements have none.',
    ],
  };
}

function gridRef(text: string | null): { easting: number; northing: number } | undefined {
  if (text === null) return undefined;
  const [e, n] = text.split(' ').map(Number);
  return e === undefined || n === undefined || !Number.isFinite(e) || !Number.isFinite(n)
    ? undefined
    : { easting: e, northing: n };
}

function distanceFigure(rows: readonly Tally[]): Figure {
  const counts = new Map<string, number>();
  let unknown = 0;
  let total = 0;
  for (const t of rows) {
    if (t.figure !== 'distance') continue;
    total += t.n;
    const home = gridRef(t.k1);
    const there = gridRef(t.k2);
    if (!home || !there) {
      unknown += t.n;
      continue;
    }
    const band = distanceBand(distanceKm(home, there));
    counts.set(band, (counts.get(band) ?? 0) + t.n);
  }
  return {
    id: 'distance-from-home',
    title: 'Distance from home',
    description:
      'Placements children lived in at any time in the period, by the straight-line distance from the child’s home postcode to the placement’s postcode.',
    columns: [
      { key: 'distance', label: 'Distance from home', kind: 'text' },
      { key: 'placements', label: 'Placements', kind: 'count' },
      {
        key: 'share',
        label: 'Share of placements with a known distance (%)',
        kind: 'percent',
        from: ['placements'],
      },
    ],
    rows: [
      ...DISTANCE_BANDS.map((b) => {
        const n = counts.get(b.label) ?? 0;
        return { distance: b.label, placements: n, share: percent(n, total - unknown) };
      }),
      { distance: 'Not known', placements: unknown, share: null },
      { distance: 'Total', placements: total, share: null },
    ],
    chart: { kind: 'bar', x: 'distance', y: ['placements'] },
    notes: [
      'The distance is the straight line between the two postcodes’ grid references, to the nearest 0.1 km, as the child’s care record shows it. It is not known when either postcode is missing or not found.',
    ],
  };
}

function outsideFigure(rows: readonly Tally[]): Figure {
  const total = pick(rows, 'outside').n;
  const inside = pick(rows, 'outside', (t) => t.k1 === 'false').n;
  const outside = pick(rows, 'outside', (t) => t.k1 === 'true').n;
  const unknown = pick(rows, 'outside', (t) => t.k1 === null).n;
  return {
    id: 'outside-the-authority',
    title: 'Placements inside and outside the council’s area',
    description:
      'Placements children lived in at any time in the period, by whether the placement’s postcode is in the council’s own area.',
    columns: [
      { key: 'where', label: 'Where', kind: 'text' },
      { key: 'placements', label: 'Placements', kind: 'count' },
      { key: 'share', label: 'Share of placements where known (%)', kind: 'percent', from: ['placements'] },
    ],
    rows: [
      { where: 'Inside the council’s area', placements: inside, share: percent(inside, inside + outside) },
      { where: 'Outside the council’s area', placements: outside, share: percent(outside, inside + outside) },
      { where: 'Not known', placements: unknown, share: null },
      { where: 'Total', placements: total, share: null },
    ],
    chart: { kind: 'bar', x: 'where', y: ['placements'] },
    notes: [
      'Outside means the placement postcode’s neighbourhood (LSOA 2021) belongs to another local authority. Not known: no placement postcode, a postcode not found, or the council’s own local authority code not set.',
    ],
  };
}

function siblingsFigure(rows: readonly Tally[]): Figure {
  const total = pick(rows, 'siblings').n;
  return {
    id: 'siblings-together',
    title: 'Brothers and sisters placed together',
    description:
      'Placements children lived in at any time in the period, by whether the child lived there with their brothers and sisters who are also in care.',
    columns: [
      { key: 'siblings', label: 'Brothers and sisters', kind: 'text' },
      { key: 'placements', label: 'Placements', kind: 'count' },
      { key: 'share', label: 'Share of placements (%)', kind: 'percent', from: ['placements'] },
    ],
    rows: [
      ...SIBLING_LABELS.map((s) => {
        const n = pick(rows, 'siblings', (t) => t.k1 === s.key).n;
        return { siblings: s.label, placements: n, share: percent(n, total) };
      }),
      { siblings: 'Total', placements: total, share: total > 0 ? 100 : null },
    ],
    chart: { kind: 'bar', x: 'siblings', y: ['placements'], horizontal: true },
  };
}

function stabilityFigure(rows: readonly Tally[], to: string): Figure {
  const total = pick(rows, 'stability').n;
  const bands = [
    { key: '0', label: 'No placement recorded' },
    { key: '1', label: '1 placement' },
    { key: '2', label: '2 placements' },
    { key: '3', label: '3 or more placements' },
  ];
  return {
    id: 'placements-in-12-months',
    title: `Children in care on ${to} by placements in the 12 months before`,
    description: `Children in care on ${to}, by how many placements they lived in during the 12 months up to that day.`,
    columns: [
      { key: 'placements', label: 'Placements in 12 months', kind: 'text' },
      { key: 'children', label: 'Children', kind: 'count' },
      { key: 'share', label: 'Share of children (%)', kind: 'percent', from: ['children'] },
    ],
    rows: [
      ...bands.map((b) => {
        const n = pick(rows, 'stability', (t) => t.k1 === b.key).n;
        return { placements: b.label, children: n, share: percent(n, total) };
      }),
      { placements: 'Total', children: total, share: total > 0 ? 100 : null },
    ],
    chart: { kind: 'bar', x: 'placements', y: ['children'] },
    notes: [
      'Three or more placements in 12 months is the Department for Education’s measure of placement instability. Temporary placements (T0–T4) and a change of arrangement with the same carer are not counted as placements.',
      'The age band is the child’s age on the last day of the period.',
    ],
  };
}

function perPeriodFigure(rows: readonly Tally[]): Figure {
  const total = pick(rows, 'per_period').n;
  const bands = [
    { key: '0', label: 'No placement recorded' },
    { key: '1', label: '1 placement' },
    { key: '2', label: '2 placements' },
    { key: '3', label: '3 placements' },
    { key: '4', label: '4 placements' },
    { key: '5', label: '5 or more placements' },
  ];
  return {
    id: 'placements-per-period-of-care',
    title: 'Placements per period of care',
    description:
      'Periods of care that lasted into the period, by how many placements the child had lived in during that period of care up to the end of the period.',
    columns: [
      { key: 'placements', label: 'Placements in the period of care', kind: 'text' },
      { key: 'periods', label: 'Periods of care', kind: 'count' },
      { key: 'share', label: 'Share of periods of care (%)', kind: 'percent', from: ['periods'] },
    ],
    rows: [
      ...bands.map((b) => {
        const n = pick(rows, 'per_period', (t) => t.k1 === b.key).n;
        return { placements: b.label, periods: n, share: percent(n, total) };
      }),
      { placements: 'Total', periods: total, share: total > 0 ? 100 : null },
    ],
    chart: { kind: 'bar', x: 'placements', y: ['periods'] },
    notes: ['Temporary placements and a change of arrangement with the same carer are not counted.'],
  };
}

function movesFigure(rows: readonly Tally[]): Figure {
  const total = pick(rows, 'moves').n;
  const keys: (string | null)[] = [...Object.keys(PLACEMENT_CHANGE_REASONS), null];
  return {
    id: 'moves-by-reason',
    title: 'Moves by reason',
    description:
      'Moves from one placement to another within a period of care, made in the period, by the reason the child left the placement before.',
    columns: [
      { key: 'reason', label: 'Why the child moved', kind: 'text' },
      { key: 'moves', label: 'Moves', kind: 'count' },
      { key: 'share', label: 'Share of moves (%)', kind: 'percent', from: ['moves'] },
    ],
    rows: [
      ...keys.map((key) => {
        const n = pick(rows, 'moves', (t) => t.k1 === key).n;
        return {
          reason: key === null ? 'Not recorded' : (PLACEMENT_CHANGE_REASONS[key] ?? key),
          moves: n,
          share: percent(n, total),
        };
      }),
      { reason: 'Total', moves: total, share: total > 0 ? 100 : null },
    ],
    chart: { kind: 'bar', x: 'reason', y: ['moves'], horizontal: true },
    notes: [
      'A move is a placement that started in the period after an earlier placement of the same period of care; temporary placements and a change of arrangement with the same carer are not moves. The age band is the age on the day of the move.',
    ],
  };
}

export const PLACEMENTS: InsightView = {
  slug: 'placements',
  title: 'Placements and the care market',
  question:
    'Where do children in care live, who provides it and at what cost, how far from home, with their brothers and sisters or not, and how often do they move?',
  doc: 'placements',
  filters: ['from', 'to', 'localityId', 'teamId', 'ageBand', 'sex', 'ethnicGroup', 'disability', 'decile'],
  figures: async (ctx) => {
    const rows = await tallies(ctx);
    return [
      typeFigure(rows),
      costFigure(rows),
      providerFigure(rows),
      distanceFigure(rows),
      outsideFigure(rows),
      siblingsFigure(rows),
      stabilityFigure(rows, ctx.filters.to),
      perPeriodFigure(rows),
      movesFigure(rows),
    ];
  },
};
