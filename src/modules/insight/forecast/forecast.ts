/**
 * The demand forecast: transition counts from the council's own periods of care and placements (in
 * SQL, over the views of migration 0017), then the daily projection and bootstrap in TypeScript
 * (model.ts). Definitions in docs/insight/forecast.md.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../../db/database.ts';
import { addDays, addMonths } from '../filters.ts';
import { quantile } from '../stats.ts';
import {
  AGE_STATES,
  BANDS,
  G,
  GROUPS,
  S,
  SLOT,
  bootstrap,
  childCounts,
  estimate,
  project,
  state,
  totals,
  type Projection,
  type Rates,
} from './model.ts';

export type ForecastOptions = {
  /** Months ahead (default 24). */
  readonly months?: number;
  /** Bootstrap resamples (default 200); 0 for none. */
  readonly resamples?: number;
  readonly seed?: number;
  /** Lower and upper percentiles of the bands (default 10th and 90th). */
  readonly lower?: number;
  readonly upper?: number;
};

export type ForecastMonth = {
  /** The month's last day (ISO). */
  readonly end: string;
  readonly total: number;
  readonly lower: number | null;
  readonly upper: number | null;
  /** By age band (AGE_STATES order) and placement group (GROUPS order), children on the last day. */
  readonly byAge: readonly number[];
  readonly byGroup: readonly number[];
  /** Days in care in the month by placement group. */
  readonly daysByGroup: readonly number[];
  /** Pounds: days × mean weekly cost / 7, over the groups with a cost recorded. */
  readonly cost: number;
  readonly costLower: number | null;
  readonly costUpper: number | null;
};

export type ForecastResult = {
  readonly windowFrom: string;
  readonly windowTo: string;
  readonly windowDays: number;
  /** Children whose care in the window the rates come from. */
  readonly children: number;
  /** Children in care on the start date (`windowTo`), by state. */
  readonly start: readonly number[];
  /** Children in care at the end of each of the 12 months before the start (oldest first). */
  readonly recorded: readonly { readonly end: string; readonly total: number }[];
  readonly rates: Rates;
  /** The summed counts the rates come from (model.ts SLOT layout). */
  readonly counts: Float64Array;
  /** Mean weekly cost in pounds by placement group (null when none is recorded). */
  readonly weeklyCost: readonly (number | null)[];
  readonly months: readonly ForecastMonth[];
};

const DAY_MS = 86_400_000;
const dayNumber = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;

type CountRow = {
  person_id: string;
  band: number;
  grp: string;
  kind: 'days' | 'entry' | 'exit' | 'move';
  to_band: number | null;
  to_grp: string | null;
  n: string | number;
};

/**
 * Days and transitions per child in the window [from, to] (both included). Each placement segment is
 * cut at the birthdays that start the age bands; a piece ends in one of: a birthday (move up a band,
 * or leave care at 18), the end of care (exit), or a move to a different placement group.
 */
async function windowCounts(
  db: Kysely<Database>,
  organisationId: string,
  from: string,
  to: string,
): Promise<CountRow[]> {
  const end = addDays(to, 1);
  const result = await sql<CountRow>`
    WITH bands(band, lo, hi) AS (VALUES (0, 0, 5), (1, 5, 10), (2, 10, 16), (3, 16, 18)),
    seg AS (
      SELECT g.* FROM insight_care_segments g
      WHERE g.organisation_id = ${organisationId}::uuid
        AND g.date_of_birth IS NOT NULL
        AND g.started_on < ${end}::date
        AND (g.ended_on IS NULL OR g.ended_on > ${from}::date)
        AND (g.ended_on IS NULL OR g.ended_on > g.started_on)
    ),
    pieces AS (
      SELECT seg.person_id, b.band, seg.placement_group AS grp, seg.next_group, seg.is_first,
        seg.started_on AS seg_start, seg.ended_on AS seg_end, seg.period_started_on, seg.period_ended_on,
        be.band_end,
        greatest(seg.started_on, (seg.date_of_birth + make_interval(years => b.lo))::date) AS p_start,
        CASE WHEN seg.ended_on IS NULL THEN be.band_end ELSE least(seg.ended_on, be.band_end) END AS p_end
      FROM seg
      CROSS JOIN bands b
      CROSS JOIN LATERAL (SELECT (seg.date_of_birth + make_interval(years => b.hi))::date AS band_end) be
    ),
    live AS (SELECT * FROM pieces WHERE p_start < p_end),
    events AS (
      SELECT person_id, band, grp, 'days'::text AS kind, NULL::int AS to_band, NULL::text AS to_grp,
        (least(p_end, ${end}::date) - greatest(p_start, ${from}::date))::numeric AS n
      FROM live
      WHERE p_start < ${end}::date AND p_end > ${from}::date
      UNION ALL
      SELECT person_id, band, grp, 'entry', NULL, NULL, 1
      FROM live
      WHERE is_first AND p_start = seg_start
        AND period_started_on >= ${from}::date AND period_started_on < ${end}::date
      UNION ALL
      SELECT person_id, band, grp,
        CASE
          WHEN p_end = band_end AND (seg_end IS NULL OR seg_end > band_end) THEN
            CASE WHEN band = 3 THEN 'exit' ELSE 'move' END
          WHEN seg_end = period_ended_on THEN 'exit'
          WHEN next_group IS NOT NULL AND (next_group <> grp OR p_end = band_end) THEN
            CASE WHEN p_end = band_end AND band = 3 THEN 'exit' ELSE 'move' END
        END,
        CASE WHEN p_end = band_end THEN band + 1 ELSE band END,
        CASE
          WHEN p_end = band_end AND (seg_end IS NULL OR seg_end > band_end) THEN grp
          ELSE next_group
        END,
        1
      FROM live
      WHERE p_end > ${from}::date AND p_end <= ${end}::date
    )
    SELECT person_id, band, grp, kind, to_band, to_grp, sum(n) AS n
    FROM events
    WHERE kind IS NOT NULL AND (kind <> 'days' OR n > 0)
    GROUP BY person_id, band, grp, kind, to_band, to_grp`.execute(db);
  return result.rows;
}

/** Children in care at the end of `day` by age band (at that day) and group; 18 and over left out. */
async function stockOn(
  db: Kysely<Database>,
  organisationId: string,
  day: string,
): Promise<{ band: number; grp: string; n: number }[]> {
  const result = await sql<{ band: number; grp: string; n: string | number }>`
    SELECT CASE WHEN a.years < 5 THEN 0 WHEN a.years < 10 THEN 1 WHEN a.years < 16 THEN 2 ELSE 3 END AS band,
      g.placement_group AS grp, count(DISTINCT g.person_id) AS n
    FROM insight_care_segments g
    CROSS JOIN LATERAL (SELECT date_part('year', age(${day}::date, g.date_of_birth)) AS years) a
    WHERE g.organisation_id = ${organisationId}::uuid
      AND g.date_of_birth IS NOT NULL AND g.date_of_birth <= ${day}::date
      AND a.years < 18
      AND g.started_on <= ${day}::date AND (g.ended_on IS NULL OR g.ended_on > ${day}::date)
    GROUP BY 1, 2`.execute(db);
  return result.rows.map((r) => ({ band: r.band, grp: r.grp, n: Number(r.n) }));
}

/** Children in care (any placement) at the end of each of these days. */
async function recordedTotals(
  db: Kysely<Database>,
  organisationId: string,
  days: readonly string[],
): Promise<Map<string, number>> {
  const result = await sql<{ day: string; n: string | number }>`
    SELECT to_char(d.day, 'YYYY-MM-DD') AS day, count(DISTINCT g.person_id) AS n
    FROM unnest(${days}::date[]) AS d(day)
    JOIN insight_care_segments g
      ON g.started_on <= d.day AND (g.ended_on IS NULL OR g.ended_on > d.day)
      AND g.date_of_birth > (d.day - interval '18 years')::date
    WHERE g.organisation_id = ${organisationId}::uuid
    GROUP BY 1`.execute(db);
  return new Map(result.rows.map((r) => [r.day, Number(r.n)]));
}

/** Mean weekly cost (pounds) by group, weighted by the days of each placement in the window. */
async function weeklyCosts(
  db: Kysely<Database>,
  organisationId: string,
  from: string,
  to: string,
): Promise<(number | null)[]> {
  const end = addDays(to, 1);
  const result = await sql<{ grp: string; pence: string | number | null }>`
    SELECT g.placement_group AS grp,
      sum(g.weekly_cost_pence::numeric * d.days) / nullif(sum(d.days), 0) AS pence
    FROM insight_care_segments g
    CROSS JOIN LATERAL (
      SELECT (least(coalesce(g.ended_on, ${end}::date), ${end}::date) - greatest(g.started_on, ${from}::date)) AS days
    ) d
    WHERE g.organisation_id = ${organisationId}::uuid
      AND g.weekly_cost_pence IS NOT NULL AND d.days > 0
    GROUP BY 1`.execute(db);
  const byGroup = new Map(result.rows.map((r) => [r.grp, r.pence === null ? null : Number(r.pence) / 100]));
  return GROUPS.map((g) => byGroup.get(g) ?? null);
}

const groupIndex = (grp: string | null): number => {
  const i = GROUPS.indexOf((grp ?? 'other') as (typeof GROUPS)[number]);
  return i < 0 ? G - 1 : i;
};

function costOf(days: Float64Array, month: number, weeklyCost: readonly (number | null)[]): number {
  let cost = 0;
  for (let s = 0; s < S; s += 1) {
    const weekly = weeklyCost[s % G];
    if (weekly === null || weekly === undefined) continue;
    cost += ((days[month * S + s] ?? 0) * weekly) / 7;
  }
  return cost;
}

function monthTotal(stock: Float64Array, month: number): number {
  let total = 0;
  for (let s = 0; s < S; s += 1) total += stock[month * S + s] ?? 0;
  return total;
}

/**
 * Runs the forecast: rates from the window [from, to], the projection from the children in care on
 * `to`, `months` months ahead, with bootstrap bands.
 */
export async function runForecast(
  db: Kysely<Database>,
  organisationId: string,
  window: { readonly from: string; readonly to: string },
  options: ForecastOptions = {},
): Promise<ForecastResult> {
  const monthsAhead = options.months ?? 24;
  const resamples = options.resamples ?? 200;
  const lowerQ = options.lower ?? 0.1;
  const upperQ = options.upper ?? 0.9;
  const { from, to } = window;
  const windowDays = dayNumber(to) - dayNumber(from) + 1;
  const recordedDays = Array.from({ length: 12 }, (_, i) => addMonths(to, i - 11));

  const [rows, stockRows, recorded, weeklyCost] = await Promise.all([
    windowCounts(db, organisationId, from, to),
    stockOn(db, organisationId, to),
    recordedTotals(db, organisationId, recordedDays),
    weeklyCosts(db, organisationId, from, to),
  ]);

  const childIndex = new Map<string, number>();
  const triples: [number, number, number][] = [];
  for (const row of rows) {
    let child = childIndex.get(row.person_id);
    if (child === undefined) {
      child = childIndex.size;
      childIndex.set(row.person_id, child);
    }
    const from_ = state(row.band, groupIndex(row.grp));
    const n = Number(row.n);
    if (row.kind === 'days') triples.push([child, SLOT.days(from_), n]);
    else if (row.kind === 'entry') triples.push([child, SLOT.entry(from_), n]);
    else if (row.kind === 'exit') triples.push([child, SLOT.exit(from_), n]);
    else if (row.to_band !== null && row.to_band < BANDS) {
      const target = state(row.to_band, groupIndex(row.to_grp));
      if (target !== from_) triples.push([child, SLOT.move(from_, target), n]);
    }
  }
  const counts = childCounts(triples);
  const summed = totals(counts);
  const central = estimate(summed, windowDays);

  const start = new Float64Array(S);
  for (const r of stockRows) {
    const s = state(r.band, groupIndex(r.grp));
    start[s] = (start[s] ?? 0) + r.n;
  }

  const monthEndDates = Array.from({ length: monthsAhead }, (_, i) => addMonths(to, i + 1));
  const monthEnds = monthEndDates.map((d) => dayNumber(d) - dayNumber(to));
  const centralProjection = project(central, start, monthEnds);

  const sampleTotals: number[][] = monthEnds.map(() => []);
  const sampleCosts: number[][] = monthEnds.map(() => []);
  if (resamples > 0 && counts.children > 0) {
    bootstrap(
      counts,
      windowDays,
      start,
      monthEnds,
      central,
      { resamples, seed: options.seed ?? 8_2026 },
      (p: Projection) => {
        for (let m = 0; m < p.months; m += 1) {
          sampleTotals[m]?.push(monthTotal(p.stock, m));
          sampleCosts[m]?.push(costOf(p.days, m, weeklyCost));
        }
      },
    );
  }
  const band = (values: number[] | undefined, q: number): number | null => {
    if (values === undefined || values.length === 0) return null;
    return (
      quantile(
        [...values].sort((a, b) => a - b),
        q,
      ) ?? null
    );
  };

  const months: ForecastMonth[] = monthEndDates.map((end, m) => {
    const byAge = AGE_STATES.map((_, b) => {
      let n = 0;
      for (let g = 0; g < G; g += 1) n += centralProjection.stock[m * S + state(b, g)] ?? 0;
      return n;
    });
    const byGroup = GROUPS.map((_, g) => {
      let n = 0;
      for (let b = 0; b < BANDS; b += 1) n += centralProjection.stock[m * S + state(b, g)] ?? 0;
      return n;
    });
    const daysByGroup = GROUPS.map((_, g) => {
      let n = 0;
      for (let b = 0; b < BANDS; b += 1) n += centralProjection.days[m * S + state(b, g)] ?? 0;
      return n;
    });
    return {
      end,
      total: monthTotal(centralProjection.stock, m),
      lower: band(sampleTotals[m], lowerQ),
      upper: band(sampleTotals[m], upperQ),
      byAge,
      byGroup,
      daysByGroup,
      cost: costOf(centralProjection.days, m, weeklyCost),
      costLower: band(sampleCosts[m], lowerQ),
      costUpper: band(sampleCosts[m], upperQ),
    };
  });

  return {
    windowFrom: from,
    windowTo: to,
    windowDays,
    children: counts.children,
    start: Array.from(start),
    recorded: recordedDays.map((end) => ({ end, total: recorded.get(end) ?? 0 })),
    rates: central,
    counts: summed,
    weeklyCost,
    months,
  };
}
