/**
 * Insight view 3: inequalities. How much likelier are children in the most deprived neighbourhoods,
 * and children of each ethnic group, to be referred, investigated, put on a child protection plan or
 * taken into care? Rates per 10,000 children with 95% confidence intervals (src/modules/insight/
 * stats.ts), the deprivation gradient, and a decile × locality grid.
 *
 * The measures are SQL views in migration 0015_insight_inequalities.sql (insight_stage_events,
 * insight_council_neighbourhoods, insight_neighbourhood_localities); definitions are in
 * docs/insight/inequalities.md. Numerators are children (each counted once per stage, at their first
 * event of that stage in the period), placed in the neighbourhood of their home address on the day.
 */
import { sql } from 'kysely';
import { applyFilters, inPeriod } from '../filters.ts';
import { decileGradient, rate, rateRatio, type Estimate } from '../stats.ts';
import type { Column, EthnicGroup, Figure, InsightContext, InsightView, Row } from '../types.ts';
import { isSnapshot, relation } from '../snapshot.ts';
import { childrenAmong } from './children.ts';

export const STAGES = [
  { key: 'referral', label: 'Referred to social care', short: 'referred' },
  { key: 's47', label: 'Section 47 enquiry', short: 'with a section 47 enquiry' },
  { key: 'cp_plan', label: 'Child protection plan started', short: 'starting a child protection plan' },
  { key: 'care', label: 'Entered care', short: 'entering care' },
] as const;
export type Stage = (typeof STAGES)[number]['key'];

type ShareGroup = 'white' | 'mixed' | 'asian' | 'black' | 'other';
const SHARE_OF: Readonly<Record<EthnicGroup, ShareGroup | undefined>> = {
  White: 'white',
  Mixed: 'mixed',
  Asian: 'asian',
  Black: 'black',
  Other: 'other',
  Unknown: undefined,
};
const GROUPS: readonly EthnicGroup[] = ['White', 'Mixed', 'Asian', 'Black', 'Other', 'Unknown'];

/** Children (scaled for a synthetic authority) in a decile and locality, in all and by ethnic group. */
type Population = {
  readonly decile: number;
  readonly localityId: string | null;
  readonly children: number;
} & Readonly<Record<ShareGroup, number>>;

/** Children with a stage's event in the period, by where they lived and their ethnic group. */
type EventGroup = {
  readonly stage: Stage;
  readonly decile: number | null;
  readonly localityId: string | null;
  readonly ethnicGroup: EthnicGroup;
  readonly children: number;
};

export type InequalityData = {
  readonly populations: readonly Population[];
  readonly events: readonly EventGroup[];
  readonly localities: ReadonlyMap<string, string>;
};

/** Reads the populations and the event counts for the view (two set-based queries). */
export async function inequalityData(ctx: InsightContext): Promise<InequalityData> {
  const { db, organisationId, filters } = ctx;
  // Only the period and the ethnic group filter the children; locality and decile are those of the
  // neighbourhood (below), so that numerators and populations agree.
  const childFilters = {
    organisationId,
    filters: {
      from: filters.from,
      to: filters.to,
      ...(filters.ethnicGroup === undefined ? {} : { ethnicGroup: filters.ethnicGroup }),
    },
  };
  // One statement, so that the locality of each neighbourhood (which reads every child's latest home
  // and team: insight_neighbourhood_localities, through a function that keeps it off parallel
  // workers, see migration 0027) is worked out once for both the populations and the events. The events of the period
  // come first, then the children they are about (see childrenAmong), not every child. From a snapshot
  // (ADR 11) the localities are stored: read, not worked out.
  const localitiesOf = isSnapshot(ctx.source)
    ? sql`SELECT lsoa21_code, locality_id FROM ${relation(ctx.source, 'insight_neighbourhood_localities')}
          WHERE organisation_id = ${organisationId}::uuid`
    : sql`SELECT lsoa21_code, locality_id FROM insight_neighbourhood_localities_of(${organisationId}::uuid)`;
  const result = await sql<{
    part: 'population' | 'events';
    stage: Stage | null;
    decile: number | null;
    locality_id: string | null;
    ethnic_group: EthnicGroup | null;
    children: number;
    white: number;
    mixed: number;
    asian: number;
    black: number;
    other: number;
  }>`
    WITH loc AS MATERIALIZED (
      ${localitiesOf}
    ),
    ev AS MATERIALIZED (
      SELECT ev.person_id, ev.stage, ev.event_on, ev.lsoa21_code FROM ${relation(ctx.source, 'insight_stage_events')} ev
      WHERE ev.organisation_id = ${organisationId}::uuid AND ${inPeriod(filters, 'ev.event_on')}
    ),
    c AS MATERIALIZED (
      ${childrenAmong(childFilters.filters, sql`SELECT person_id FROM ev`, { baseView: true, source: ctx.source })}
    ),
    firsts AS (
      SELECT DISTINCT ON (ev.person_id, ev.stage) ev.stage, ev.lsoa21_code, c.ethnic_group
      FROM ev
      JOIN c ON c.person_id = ev.person_id
      WHERE ${applyFilters(childFilters, { child: 'c', event: 'ev.event_on' })}
      ORDER BY ev.person_id, ev.stage, ev.event_on
    ),
    populations AS (
      SELECT n.imd_decile::int AS decile, loc.locality_id,
        sum(n.children)::float8 AS children,
        coalesce(sum(n.children * n.share_white), 0)::float8 AS white,
        coalesce(sum(n.children * n.share_mixed), 0)::float8 AS mixed,
        coalesce(sum(n.children * n.share_asian), 0)::float8 AS asian,
        coalesce(sum(n.children * n.share_black), 0)::float8 AS black,
        coalesce(sum(n.children * n.share_other), 0)::float8 AS other
      FROM insight_council_neighbourhoods n
      LEFT JOIN loc ON loc.lsoa21_code = n.lsoa21_code
      WHERE n.organisation_id = ${organisationId}::uuid
      GROUP BY 1, 2
    ),
    events AS (
      SELECT f.stage, n.imd_decile::int AS decile, loc.locality_id, f.ethnic_group, count(*)::int AS children
      FROM firsts f
      LEFT JOIN insight_council_neighbourhoods n
        ON n.organisation_id = ${organisationId}::uuid AND n.lsoa21_code = f.lsoa21_code
      LEFT JOIN loc ON loc.lsoa21_code = f.lsoa21_code
      GROUP BY 1, 2, 3, 4
    )
    SELECT 'population' AS part, NULL AS stage, decile, locality_id, NULL AS ethnic_group, children,
      white, mixed, asian, black, other
    FROM populations
    UNION ALL
    SELECT 'events', stage, decile, locality_id, ethnic_group, children::float8, 0, 0, 0, 0, 0
    FROM events`.execute(db);

  const localities = await db
    .selectFrom('localities')
    .select(['id', 'name'])
    .where('organisation_id', '=', organisationId)
    .orderBy('name')
    .execute();

  return {
    populations: result.rows
      .filter((r) => r.part === 'population')
      .map((r) => ({
        decile: r.decile as number,
        localityId: r.locality_id,
        children: r.children,
        white: r.white,
        mixed: r.mixed,
        asian: r.asian,
        black: r.black,
        other: r.other,
      })),
    events: result.rows
      .filter((r) => r.part === 'events')
      .map((r) => ({
        stage: r.stage as Stage,
        decile: r.decile,
        localityId: r.locality_id,
        ethnicGroup: r.ethnic_group as EthnicGroup,
        children: r.children,
      })),
    localities: new Map(localities.map((l) => [l.id, l.name])),
  };
}

/** The neighbourhood filters (locality and decile), applied to populations and events alike. */
function inArea(ctx: InsightContext, decile: number | null, localityId: string | null): boolean {
  const { localityId: wanted, decile: wantedDecile } = ctx.filters;
  if (wanted !== undefined && localityId !== wanted) return false;
  if (wantedDecile !== undefined && decile !== wantedDecile) return false;
  return true;
}

/** The children in these populations, in all or of one ethnic group (undefined: not known for the group). */
function populationOf(pops: readonly Population[], group?: EthnicGroup): number | undefined {
  if (group === undefined) return pops.reduce((s, p) => s + p.children, 0);
  const share = SHARE_OF[group];
  return share === undefined ? undefined : pops.reduce((s, p) => s + p[share], 0);
}

function round(value: number | undefined, places = 1): number | null {
  if (value === undefined || !Number.isFinite(value)) return null;
  const f = 10 ** places;
  return Math.round(value * f) / f;
}

function rateCells(
  prefix: string,
  count: number,
  population: number | undefined,
): Record<string, number | null> {
  const r: Estimate | undefined = population === undefined ? undefined : rate(count, population);
  return {
    [`${prefix}_rate`]: round(r?.value),
    [`${prefix}_lower`]: round(r?.lower),
    [`${prefix}_upper`]: round(r?.upper),
  };
}

function rateColumns(prefix: string, label: string): Column[] {
  return [
    { key: `${prefix}_children`, label: `Children ${label}`, kind: 'count' },
    { key: `${prefix}_rate`, label: 'Per 10,000 children', kind: 'rate', from: [`${prefix}_children`] },
    { key: `${prefix}_lower`, label: 'Lower 95% limit', kind: 'rate', from: [`${prefix}_children`] },
    { key: `${prefix}_upper`, label: 'Upper 95% limit', kind: 'rate', from: [`${prefix}_children`] },
  ];
}

const COMMON_NOTES = [
  'Children are counted once for each stage, at their first event of that stage in the period; the period is not annualised.',
  "A child's neighbourhood is that of their home address on the day (never a placement address).",
  "Child populations are the ONS estimates of children aged 0 to 17 for the council's neighbourhoods (LSOA 2021); deprivation deciles are IMD 2025 (1 = most deprived).",
  'Intervals are 95% exact Poisson intervals for the count of children.',
];

/** Builds the figures from the data (pure: the tests check it on hand-built data too). */
export function inequalityFigures(ctx: InsightContext, data: InequalityData): Figure[] {
  const pops = data.populations.filter((p) => inArea(ctx, p.decile, p.localityId));
  const group = ctx.filters.ethnicGroup;
  const events = data.events.filter((e) => e.decile === null || inArea(ctx, e.decile, e.localityId));
  const areaChosen = ctx.filters.localityId !== undefined || ctx.filters.decile !== undefined;
  const count = (stage: Stage, keep: (e: EventGroup) => boolean) =>
    events.filter((e) => e.stage === stage && keep(e)).reduce((s, e) => s + e.children, 0);
  const figures: Figure[] = [];
  const whose = group === undefined ? 'children' : `${group} children`;

  // By deprivation decile, one figure per stage.
  for (const stage of STAGES) {
    const rows: Row[] = [];
    for (let decile = 1; decile <= 10; decile += 1) {
      const here = pops.filter((p) => p.decile === decile);
      if (here.length === 0) continue;
      const population = populationOf(here, group);
      const n = count(stage.key, (e) => e.decile === decile);
      rows.push({
        decile: String(decile),
        population: round(population, 0),
        children: n,
        ...rateCells('s', n, population),
      });
    }
    const unplaced = areaChosen ? 0 : count(stage.key, (e) => e.decile === null);
    rows.push({
      decile: 'Not known or outside the council',
      population: null,
      children: unplaced,
      s_rate: null,
      s_lower: null,
      s_upper: null,
    });
    const total = count(stage.key, (e) => e.decile !== null) + unplaced;
    const totalPopulation = populationOf(pops, group);
    rows.push({
      decile: 'All',
      population: round(totalPopulation, 0),
      children: total,
      ...rateCells('s', total, totalPopulation),
    });
    figures.push({
      id: `decile-${stage.key.replace('_', '-')}`,
      title: `${stage.label}: ${whose} per 10,000 by deprivation decile`,
      description: `Children ${stage.short} in the period per 10,000 ${whose} living in each tenth of neighbourhoods by deprivation, from the most deprived (1) to the least (10), with 95% confidence intervals.`,
      columns: [
        { key: 'decile', label: 'Deprivation decile (1 = most deprived)', kind: 'text' },
        { key: 'population', label: 'Children living there', kind: 'count' },
        { key: 'children', label: `Children ${stage.short}`, kind: 'count' },
        { key: 's_rate', label: 'Per 10,000 children', kind: 'rate', from: ['children'] },
        { key: 's_lower', label: 'Lower 95% limit', kind: 'rate', from: ['children'] },
        { key: 's_upper', label: 'Upper 95% limit', kind: 'rate', from: ['children'] },
      ],
      rows,
      chart: { kind: 'bar', x: 'decile', y: ['s_rate'], interval: { lower: 's_lower', upper: 's_upper' } },
      notes: [
        ...COMMON_NOTES,
        ...(group === undefined
          ? []
          : [
              `${group} children's populations are the neighbourhood's ${group} share of all residents (Census 2021) times its children: shares of children are not published for neighbourhoods.`,
            ]),
      ],
    });
  }

  // The gradient: decile 1 ÷ decile 10, observed and fitted across all ten deciles.
  const gradientRows: Row[] = STAGES.map((stage) => {
    const byDecile = Array.from({ length: 10 }, (_, i) => {
      const here = pops.filter((p) => p.decile === i + 1);
      return {
        decile: i + 1,
        events: count(stage.key, (e) => e.decile === i + 1),
        population: here.length === 0 ? 0 : (populationOf(here, group) ?? 0),
      };
    });
    const d1 = byDecile[0] ?? { events: 0, population: 0 };
    const d10 = byDecile[9] ?? { events: 0, population: 0 };
    const observed = rateRatio(d1.events, d1.population, d10.events, d10.population);
    const fitted = decileGradient(byDecile);
    return {
      stage: stage.label,
      d1_children: d1.events,
      d1_rate: round(rate(d1.events, d1.population)?.value),
      d10_children: d10.events,
      d10_rate: round(rate(d10.events, d10.population)?.value),
      ratio: round(observed?.value, 2),
      ratio_lower: round(observed?.lower, 2),
      ratio_upper: round(observed?.upper, 2),
      fitted: round(fitted?.ratio.value, 2),
      fitted_lower: round(fitted?.ratio.lower, 2),
      fitted_upper: round(fitted?.ratio.upper, 2),
    };
  });
  figures.push({
    id: 'gradient',
    title: 'The deprivation gradient: decile 1 ÷ decile 10',
    description: `How many times likelier ${whose} in the most deprived tenth of neighbourhoods were than those in the least deprived tenth to reach each stage in the period, with 95% confidence intervals.`,
    columns: [
      { key: 'stage', label: 'Stage', kind: 'text' },
      { key: 'd1_children', label: 'Children, decile 1', kind: 'count' },
      { key: 'd1_rate', label: 'Per 10,000, decile 1', kind: 'rate', from: ['d1_children'] },
      { key: 'd10_children', label: 'Children, decile 10', kind: 'count' },
      { key: 'd10_rate', label: 'Per 10,000, decile 10', kind: 'rate', from: ['d10_children'] },
      { key: 'ratio', label: 'Decile 1 ÷ decile 10', kind: 'rate', from: ['d1_children', 'd10_children'] },
      { key: 'ratio_lower', label: 'Lower 95% limit', kind: 'rate', from: ['d1_children', 'd10_children'] },
      { key: 'ratio_upper', label: 'Upper 95% limit', kind: 'rate', from: ['d1_children', 'd10_children'] },
      { key: 'fitted', label: 'Fitted across all deciles', kind: 'rate' },
      { key: 'fitted_lower', label: 'Lower 95% limit (fitted)', kind: 'rate' },
      { key: 'fitted_upper', label: 'Upper 95% limit (fitted)', kind: 'rate' },
    ],
    rows: gradientRows,
    chart: {
      kind: 'bar',
      x: 'stage',
      y: ['fitted'],
      interval: { lower: 'fitted_lower', upper: 'fitted_upper' },
      horizontal: true,
    },
    notes: [
      'Decile 1 ÷ decile 10 is the ratio of the two rates; its interval is the log method (the standard error of the log ratio is the square root of 1/a + 1/b for the two counts).',
      "The fitted ratio comes from a Poisson regression of the rate on the decile across all ten deciles (the rate's factor per decile, to the ninth power): steadier where decile 1 or decile 10 has few children, and given where the council has none.",
      'The chart shows the fitted ratio. Nationally, children in the most deprived tenth are about ten times likelier to be in care than those in the least deprived tenth (Bywaters et al., Child Welfare Inequalities Project).',
    ],
  });

  // By ethnic group.
  const ethnicRows: Row[] = [];
  const keepArea = (e: EventGroup) => !areaChosen || e.decile !== null;
  for (const g of group === undefined ? GROUPS : [group]) {
    const population = populationOf(pops, g);
    const row: Record<string, string | number | null> = {
      group: g,
      population: round(population, 0),
    };
    for (const stage of STAGES) {
      const n = count(stage.key, (e) => e.ethnicGroup === g && keepArea(e));
      row[`${stage.key}_children`] = n;
      Object.assign(row, rateCells(stage.key, n, population));
    }
    ethnicRows.push(row);
  }
  if (group === undefined) {
    const population = populationOf(pops);
    const row: Record<string, string | number | null> = { group: 'All', population: round(population, 0) };
    for (const stage of STAGES) {
      const n = count(stage.key, keepArea);
      row[`${stage.key}_children`] = n;
      Object.assign(row, rateCells(stage.key, n, population));
    }
    ethnicRows.push(row);
  }
  figures.push({
    id: 'ethnicity',
    title: 'Each stage per 10,000 children, by ethnic group',
    description:
      'Children referred, with a section 47 enquiry, starting a child protection plan and entering care in the period per 10,000 children of each ethnic group living in the council, with 95% confidence intervals.',
    columns: [
      { key: 'group', label: 'Ethnic group', kind: 'text' },
      { key: 'population', label: 'Children living in the council (estimated)', kind: 'count' },
      ...STAGES.flatMap((s) => rateColumns(s.key, s.short)),
    ],
    rows: ethnicRows,
    chart: { kind: 'bar', x: 'group', y: STAGES.map((s) => `${s.key}_rate`) },
    notes: [
      "Ethnic group is the child's recorded ethnicity, in the DfE major groups; there is no population for children whose ethnicity is not known, so no rate.",
      "Populations of each group are the group's share of ALL residents of each neighbourhood (Census 2021) times the neighbourhood's children, summed: ethnic shares of children are not published for neighbourhoods, and groups with younger populations (for example Mixed) are under-estimated, so their rates are over-stated.",
      areaChosen
        ? 'With a locality or decile chosen, only children whose home was in the chosen neighbourhoods are counted.'
        : 'Every child of the council with the event is counted, wherever their home (or with none recorded).',
      ...COMMON_NOTES.slice(0, 1),
    ],
  });

  // The decile × locality grid.
  const gridRows: Row[] = [];
  const localityIds = [...data.localities.keys()];
  const hasUnassigned = pops.some((p) => p.localityId === null);
  for (const localityId of [...localityIds, ...(hasUnassigned ? [null] : [])]) {
    for (let decile = 1; decile <= 10; decile += 1) {
      const here = pops.filter((p) => p.decile === decile && p.localityId === localityId);
      if (here.length === 0) continue;
      const population = populationOf(here, group);
      const row: Record<string, string | number | null> = {
        locality: localityId === null ? 'No locality' : (data.localities.get(localityId) ?? 'No locality'),
        decile: String(decile),
        population: round(population, 0),
      };
      for (const stage of STAGES) {
        const n = count(stage.key, (e) => e.decile === decile && e.localityId === localityId);
        row[`${stage.key}_children`] = n;
        Object.assign(row, rateCells(stage.key, n, population));
      }
      gridRows.push(row);
    }
  }
  figures.push({
    id: 'grid',
    title: 'Referrals per 10,000 children by locality and deprivation decile',
    description:
      "Children referred in the period per 10,000 children living in each locality's neighbourhoods of each deprivation decile; the table gives every stage.",
    columns: [
      { key: 'locality', label: 'Locality', kind: 'text' },
      { key: 'decile', label: 'Deprivation decile (1 = most deprived)', kind: 'text' },
      { key: 'population', label: 'Children living there', kind: 'count' },
      ...STAGES.flatMap((s) => rateColumns(s.key, s.short)),
    ],
    rows: gridRows,
    chart: { kind: 'grid', x: 'decile', y: 'locality', value: 'referral_rate' },
    notes: [
      "A neighbourhood's locality is the locality that most of the children living there belong to through their latest team; neighbourhoods where no child with a team lives are under 'No locality'.",
      ...COMMON_NOTES.slice(0, 2),
    ],
  });
  return figures;
}

export const INEQUALITIES: InsightView = {
  slug: 'inequalities',
  title: 'Inequalities',
  question:
    'How much likelier are children in the poorest neighbourhoods, and children of each ethnic group, to be referred, investigated, put on a child protection plan or taken into care?',
  doc: 'inequalities',
  filters: ['from', 'to', 'localityId', 'ethnicGroup', 'decile'],
  figures: async (ctx) => inequalityFigures(ctx, await inequalityData(ctx)),
};
