/**
 * Insight view 4: who enters care and what came before. For the children starting a period of care
 * in the period: the requests for help, front-door decisions and help (family help, assessments,
 * section 47 enquiries, child in need and child protection plans) in the 1, 2 and 5 years before;
 * the children with nothing recorded before; and the time from their first request for help to
 * entering care.
 *
 * The measures are SQL views in migration 0015_insight_inequalities.sql (insight_care_entries,
 * insight_prior_events); definitions in docs/insight/care-entry.md. "Before" means before the day
 * the child entered care; each child is counted once, at their first entry in the period.
 */
import { sql, type RawBuilder } from 'kysely';
import { ageBandSql, applyFilters, inPeriod } from '../filters.ts';
import { quantile, wilson } from '../stats.ts';
import type { AgeBand, Figure, InsightContext, InsightView, Row } from '../types.ts';
import { childrenAmong } from './children.ts';

export const PRIOR_KINDS = [
  { key: 'request', label: 'A request for help' },
  { key: 'decision', label: 'A front-door decision' },
  { key: 'family_help', label: 'Family help' },
  { key: 'assessment', label: 'A child and family assessment' },
  { key: 's47', label: 'A section 47 enquiry' },
  { key: 'cin_plan', label: 'A child in need plan' },
  { key: 'cp_plan', label: 'A child protection plan' },
] as const;
export type PriorKind = (typeof PRIOR_KINDS)[number]['key'];

export const DECISIONS = [
  { key: 'information_advice', label: 'Information and advice' },
  { key: 'community_service', label: 'A community service' },
  { key: 'family_help', label: 'Family help' },
  { key: 'assessment', label: 'An assessment by social care' },
  { key: 'strategy_discussion', label: 'A strategy discussion' },
] as const;

export const WINDOWS = [1, 2, 5] as const;

/** Time from the first request for help to entering care, in days (the upper bound of each band). */
export const TIME_BANDS = [
  { label: 'The same day', max: 0 },
  { label: '1 to 30 days', max: 30 },
  { label: '31 days to 6 months (182 days)', max: 182 },
  { label: '6 months to a year (365 days)', max: 365 },
  { label: '1 to 2 years (730 days)', max: 730 },
  { label: '2 to 5 years (1,826 days)', max: 1826 },
  { label: 'More than 5 years', max: Infinity },
] as const;

/** One child entering care: what was recorded before (no personal details). */
export type CareEntry = {
  readonly ageBand: AgeBand | null;
  /** `${kind}_${years}`: something of that kind in the `years` years before the day of entry. */
  readonly within: Readonly<Record<string, boolean>>;
  /** `${decision}`: a request decided that way in the 5 years before. */
  readonly decisions: Readonly<Record<string, boolean>>;
  /** Nothing at all recorded before the day of entry (no request, decision or help). */
  readonly nothingBefore: boolean;
  /** Days from the first request for help (on or before the day of entry) to entry; null with none. */
  readonly daysFromFirstRequest: number | null;
};

function windowStart(years: number): RawBuilder<string> {
  return sql<string>`(en.entered_on - make_interval(years => ${years}))::date`;
}

/** The children entering care in the period, one row each (one set-based query). */
export async function careEntries(ctx: InsightContext): Promise<CareEntry[]> {
  const flags: RawBuilder<unknown>[] = [];
  for (const kind of PRIOR_KINDS) {
    for (const years of WINDOWS) {
      flags.push(
        sql`coalesce(bool_or(pe.kind = ${kind.key} AND pe.happened_on < en.entered_on AND pe.happened_on >= ${windowStart(years)}), false) AS ${sql.ref(`${kind.key}_${String(years)}`)}`,
      );
    }
  }
  for (const decision of DECISIONS) {
    flags.push(
      sql`coalesce(bool_or(pe.kind = 'decision' AND pe.detail = ${decision.key} AND pe.happened_on < en.entered_on AND pe.happened_on >= ${windowStart(5)}), false) AS ${sql.ref(`decision_${decision.key}`)}`,
    );
  }
  // The entries of the period first, then their children (not every child of the council: see
  // childrenAmong), then each child's earlier events looked up by child (an index probe per kind).
  const result = await sql<Record<string, unknown>>`
    WITH ce AS MATERIALIZED (
      SELECT ce.person_id, ce.entered_on FROM insight_care_entries ce
      WHERE ce.organisation_id = ${ctx.organisationId}::uuid AND ${inPeriod(ctx.filters, 'ce.entered_on')}
    ),
    c AS MATERIALIZED (
      ${childrenAmong(ctx.filters, sql`SELECT person_id FROM ce`, { source: ctx.source })}
    ),
    entries AS MATERIALIZED (
      SELECT DISTINCT ON (ce.person_id) ce.person_id, ce.entered_on, c.date_of_birth
      FROM ce
      JOIN c ON c.person_id = ce.person_id
      WHERE ${applyFilters(ctx, { child: 'c', event: 'ce.entered_on' })}
      ORDER BY ce.person_id, ce.entered_on
    )
    SELECT ${ageBandSql(sql.ref('en.date_of_birth'), sql.ref('en.entered_on'))} AS age_band, x.*
    FROM entries en
    CROSS JOIN LATERAL (
      SELECT ${sql.join(flags, sql`, `)},
        NOT coalesce(bool_or(pe.happened_on < en.entered_on), false) AS nothing_before,
        (en.entered_on - min(pe.happened_on) FILTER (WHERE pe.kind = 'request'))::int AS days_from_first_request
      FROM insight_prior_events pe
      WHERE pe.person_id = en.person_id AND pe.happened_on <= en.entered_on
    ) x`.execute(ctx.db);
  return result.rows.map((row) => {
    const within: Record<string, boolean> = {};
    for (const kind of PRIOR_KINDS)
      for (const years of WINDOWS) {
        const key = `${kind.key}_${String(years)}`;
        within[key] = row[key] === true;
      }
    const decisions: Record<string, boolean> = {};
    for (const decision of DECISIONS) decisions[decision.key] = row[`decision_${decision.key}`] === true;
    const days = row['days_from_first_request'];
    return {
      ageBand: (row['age_band'] as AgeBand | null | undefined) ?? null,
      within,
      decisions,
      nothingBefore: row['nothing_before'] === true,
      daysFromFirstRequest: typeof days === 'number' ? days : null,
    };
  });
}

function percent(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((1000 * part) / whole) / 10 : null;
}

const BEFORE_NOTE =
  "'Before' means before the day the child entered care. Each child is counted once, at their first entry into care in the period.";

/** Builds the figures from the children entering care (pure: the tests check it on hand-built data). */
export function careEntryFigures(entries: readonly CareEntry[]): Figure[] {
  const entered = entries.length;
  const figures: Figure[] = [];

  // What came before, in the 1, 2 and 5 years before entry.
  const anyWithin = (e: CareEntry, years: number) =>
    PRIOR_KINDS.some((k) => e.within[`${k.key}_${String(years)}`] === true);
  const beforeRows: Row[] = [
    ...PRIOR_KINDS.map((kind) => {
      const row: Record<string, string | number | null> = { what: kind.label, entered };
      for (const years of WINDOWS) {
        const n = entries.filter((e) => e.within[`${kind.key}_${String(years)}`] === true).length;
        row[`y${String(years)}`] = n;
        row[`y${String(years)}_pct`] = percent(n, entered);
      }
      return row;
    }),
    (() => {
      const row: Record<string, string | number | null> = { what: 'Any of these', entered };
      for (const years of WINDOWS) {
        const n = entries.filter((e) => anyWithin(e, years)).length;
        row[`y${String(years)}`] = n;
        row[`y${String(years)}_pct`] = percent(n, entered);
      }
      return row;
    })(),
  ];
  figures.push({
    id: 'before',
    title: 'What came before: children entering care with each in the years before',
    description:
      'Of the children who entered care in the period, how many had a request for help, a front-door decision, family help, an assessment, a section 47 enquiry or a plan in the year, 2 years and 5 years before.',
    columns: [
      { key: 'what', label: 'In the years before entering care', kind: 'text' },
      { key: 'entered', label: 'Children entering care', kind: 'count' },
      ...WINDOWS.flatMap((years) => [
        {
          key: `y${String(years)}`,
          label: `Within ${years === 1 ? 'a year' : `${String(years)} years`}`,
          kind: 'count' as const,
        },
        {
          key: `y${String(years)}_pct`,
          label: `% within ${years === 1 ? 'a year' : `${String(years)} years`}`,
          kind: 'percent' as const,
          from: [`y${String(years)}`, 'entered'],
        },
      ]),
    ],
    rows: beforeRows,
    chart: { kind: 'bar', x: 'what', y: ['y1_pct', 'y2_pct', 'y5_pct'], horizontal: true },
    notes: [
      BEFORE_NOTE,
      'Family help: a family help assessment or plan starting, or the family help episode beginning. Plans count when they started in the window.',
    ],
  });

  // Front-door decisions in the 5 years before.
  figures.push({
    id: 'decisions',
    title: 'Front-door decisions in the 5 years before entering care',
    description:
      'Of the children who entered care in the period, how many had a request for help decided each way in the 5 years before.',
    columns: [
      { key: 'decision', label: 'A request decided as', kind: 'text' },
      { key: 'children', label: 'Children', kind: 'count' },
      { key: 'entered', label: 'Children entering care', kind: 'count' },
      { key: 'pct', label: '% of children entering care', kind: 'percent', from: ['children', 'entered'] },
    ],
    rows: DECISIONS.map((d) => {
      const n = entries.filter((e) => e.decisions[d.key] === true).length;
      return { decision: d.label, children: n, entered, pct: percent(n, entered) };
    }),
    chart: { kind: 'bar', x: 'decision', y: ['pct'], horizontal: true },
    notes: [BEFORE_NOTE, 'A child can have requests decided in more than one way, so the rows overlap.'],
  });

  // Children with nothing before, by age at entry.
  const bands: (AgeBand | 'All')[] = ['0-4', '5-9', '10-15', '16-17', 'All'];
  figures.push({
    id: 'nothing-before',
    title: 'Children entering care with no earlier request for help or help',
    description:
      'Children who entered care in the period with nothing recorded before: no request for help, front-door decision, family help, assessment, section 47 enquiry or plan, by age on entering care.',
    columns: [
      { key: 'age', label: 'Age on entering care', kind: 'text' },
      { key: 'entered', label: 'Children entering care', kind: 'count' },
      { key: 'nothing', label: 'With nothing before', kind: 'count' },
      { key: 'pct', label: '% with nothing before', kind: 'percent', from: ['nothing', 'entered'] },
      { key: 'lower', label: 'Lower 95% limit', kind: 'percent', from: ['nothing', 'entered'] },
      { key: 'upper', label: 'Upper 95% limit', kind: 'percent', from: ['nothing', 'entered'] },
    ],
    rows: bands
      .map((band) => {
        const here = band === 'All' ? entries : entries.filter((e) => e.ageBand === band);
        const nothing = here.filter((e) => e.nothingBefore).length;
        const w = wilson(nothing, here.length);
        return {
          age: band,
          entered: here.length,
          nothing,
          pct: percent(nothing, here.length),
          lower: w === undefined ? null : Math.round(w.lower * 1000) / 10,
          upper: w === undefined ? null : Math.round(w.upper * 1000) / 10,
        };
      })
      .filter((row) => row.age === 'All' || row.entered > 0),
    chart: { kind: 'bar', x: 'age', y: ['pct'], interval: { lower: 'lower', upper: 'upper' } },
    notes: [
      BEFORE_NOTE,
      'Intervals are 95% Wilson score intervals. Young people entering care at 18 or over (rare) are in the total only.',
      "Whatever happened on the day itself (a request and an emergency entry the same day) is not 'before'.",
    ],
  });

  // Time from the first request for help to entry.
  const days = entries
    .map((e) => e.daysFromFirstRequest)
    .filter((d): d is number => d !== null)
    .sort((a, b) => a - b);
  const timeRows: Row[] = TIME_BANDS.map((band, i) => {
    const low = i === 0 ? -Infinity : (TIME_BANDS[i - 1]?.max ?? -Infinity);
    const n = days.filter((d) => d > low && d <= band.max).length;
    return { time: band.label, children: n, pct: percent(n, entered) };
  });
  const none = entered - days.length;
  timeRows.push({ time: 'No request for help recorded', children: none, pct: percent(none, entered) });
  timeRows.push({ time: 'All', children: entered, pct: entered > 0 ? 100 : null });
  figures.push({
    id: 'time-to-entry',
    title: 'Time from the first request for help to entering care',
    description:
      'How long before entering care the first request for help about each child was received, for the children who entered care in the period.',
    columns: [
      { key: 'time', label: 'From the first request to entering care', kind: 'text' },
      { key: 'children', label: 'Children', kind: 'count' },
      { key: 'pct', label: '% of children entering care', kind: 'percent', from: ['children'] },
    ],
    rows: timeRows,
    chart: { kind: 'bar', x: 'time', y: ['pct'] },
    notes: [
      'The first request for help about the child ever recorded, received on or before the day of entry (a request on the day counts as the same day).',
    ],
  });

  figures.push({
    id: 'time-summary',
    title: 'Days from the first request for help to entering care',
    description:
      'The median and quartiles of the days from the first request for help to entering care, for children entering care in the period who had a request.',
    columns: [
      { key: 'group', label: 'Children', kind: 'text' },
      { key: 'children', label: 'Children with a request', kind: 'count' },
      { key: 'q1', label: 'Lower quartile (days)', kind: 'days', from: ['children'] },
      { key: 'median', label: 'Median (days)', kind: 'days', from: ['children'] },
      { key: 'q3', label: 'Upper quartile (days)', kind: 'days', from: ['children'] },
    ],
    rows: [
      {
        group: 'Entering care in the period',
        children: days.length,
        q1: quantile(days, 0.25) ?? null,
        median: quantile(days, 0.5) ?? null,
        q3: quantile(days, 0.75) ?? null,
      },
    ],
    notes: ['Quartiles interpolate between children (as PostgreSQL percentile_cont does).'],
  });
  return figures;
}

export const CARE_ENTRY: InsightView = {
  slug: 'care-entry',
  title: 'Who enters care and what came before',
  question:
    'What help, requests and decisions came before children entered care, which children entered care with nothing before, and how long after the first request for help?',
  doc: 'care-entry',
  filters: ['from', 'to', 'localityId', 'teamId', 'ageBand', 'sex', 'ethnicGroup', 'disability', 'decile'],
  figures: async (ctx) => careEntryFigures(await careEntries(ctx)),
};
