/**
 * A demand forecast for children in care by age band and placement group: a Markov stock-and-flow
 * model of daily transitions estimated from the council's own periods of care and placements over
 * the chosen period, projected 24 months from its last day. Definitions in docs/insight/forecast.md.
 */
import { AGE_STATES, GROUPS, S, SLOT, bandOf, groupOf } from '../forecast/model.ts';
import { runForecast, type ForecastResult } from '../forecast/forecast.ts';
import type { Column, Figure, InsightView, Row } from '../types.ts';

export const GROUP_LABELS: Readonly<Record<(typeof GROUPS)[number], string>> = {
  fostering: 'Foster care',
  residential: 'Children’s homes and other residential',
  supported: 'Supported accommodation',
  parents: 'Placed with parents',
  adoption: 'Placed for adoption',
  other: 'Other placements',
};

const MODEL_NOTE =
  'Projected numbers are a model’s expectation, not counts of children: rates of entering care, moving placement, growing into the next age band and leaving care, estimated from the chosen period, applied day by day to the children in care on its last day.';
const BAND_NOTE =
  'The range is the 10th to 90th percentile of 200 projections, each from rates re-estimated on the children resampled with replacement (a fixed seed: the same record always gives the same range).';

const groupKey = (g: string): string => `group_${g}`;
const ageKey = (a: string): string => `age_${a.replace('-', '_')}`;

function totalFigure(result: ForecastResult): Figure {
  const recorded: Row[] = result.recorded.map((r) => ({
    month: r.end,
    recorded: r.total,
    projected: null,
    lower: null,
    upper: null,
  }));
  const projected: Row[] = result.months.map((m) => ({
    month: m.end,
    recorded: null,
    projected: m.total,
    lower: m.lower,
    upper: m.upper,
  }));
  return {
    id: 'total',
    title: 'Children in care: recorded and projected',
    description: `Children in care at the end of each month: recorded for the 12 months to ${result.windowTo}, then projected for ${String(result.months.length)} months with a 10th to 90th percentile range.`,
    columns: [
      { key: 'month', label: 'Month ending', kind: 'text' },
      { key: 'recorded', label: 'Recorded', kind: 'count' },
      { key: 'projected', label: 'Projected', kind: 'mean' },
      { key: 'lower', label: 'Projected, 10th percentile', kind: 'mean' },
      { key: 'upper', label: 'Projected, 90th percentile', kind: 'mean' },
    ],
    rows: [...recorded, ...projected],
    chart: { kind: 'line', x: 'month', y: ['projected'], interval: { lower: 'lower', upper: 'upper' } },
    notes: [
      `Rates estimated from ${String(result.windowDays)} days (${result.windowFrom} to ${result.windowTo}) of care of ${String(result.children)} children.`,
      MODEL_NOTE,
      BAND_NOTE,
    ],
  };
}

function byAgeFigure(result: ForecastResult): Figure {
  return {
    id: 'by-age',
    title: 'Projected children in care by age',
    description: 'The central projection of children in care at the end of each month, by age band.',
    columns: [
      { key: 'month', label: 'Month ending', kind: 'text' },
      ...AGE_STATES.map((a): Column => ({ key: ageKey(a), label: `Aged ${a}`, kind: 'mean' })),
    ],
    rows: result.months.map((m) => ({
      month: m.end,
      ...Object.fromEntries(AGE_STATES.map((a, i) => [ageKey(a), m.byAge[i] ?? 0])),
    })),
    chart: { kind: 'stacked', x: 'month', y: AGE_STATES.map(ageKey) },
    notes: [MODEL_NOTE],
  };
}

function byGroupFigure(result: ForecastResult): Figure {
  return {
    id: 'by-placement',
    title: 'Projected children in care by placement',
    description: 'The central projection of children in care at the end of each month, by kind of placement.',
    columns: [
      { key: 'month', label: 'Month ending', kind: 'text' },
      ...GROUPS.map((g): Column => ({ key: groupKey(g), label: GROUP_LABELS[g], kind: 'mean' })),
    ],
    rows: result.months.map((m) => ({
      month: m.end,
      ...Object.fromEntries(GROUPS.map((g, i) => [groupKey(g), m.byGroup[i] ?? 0])),
    })),
    chart: { kind: 'stacked', x: 'month', y: GROUPS.map(groupKey) },
    notes: [MODEL_NOTE],
  };
}

function costFigure(result: ForecastResult): Figure {
  const missing = GROUPS.filter((_, i) => result.weeklyCost[i] === null).map((g) => GROUP_LABELS[g]);
  return {
    id: 'cost',
    title: 'Projected cost of placements each month',
    description:
      'Projected days in care in each month by kind of placement, times the mean weekly cost of that kind of placement in the chosen period, divided by seven.',
    columns: [
      { key: 'month', label: 'Month ending', kind: 'text' },
      { key: 'cost', label: 'Projected cost (£)', kind: 'money' },
      { key: 'lower', label: '10th percentile (£)', kind: 'money' },
      { key: 'upper', label: '90th percentile (£)', kind: 'money' },
    ],
    rows: result.months.map((m) => ({ month: m.end, cost: m.cost, lower: m.costLower, upper: m.costUpper })),
    chart: { kind: 'line', x: 'month', y: ['cost'], interval: { lower: 'lower', upper: 'upper' } },
    notes: [
      'The mean weekly cost of each kind of placement is weighted by the days each placement with a recorded cost was open in the chosen period; the range holds the costs fixed and varies the days.',
      ...(missing.length === 0
        ? []
        : [`No weekly cost is recorded for: ${missing.join(', ')}. Their days are left out of the cost.`]),
    ],
  };
}

/** The rates behind the projection, by state: what the model learned from the record. */
function ratesFigure(result: ForecastResult): Figure {
  const rows: Row[] = [];
  for (let s = 0; s < S; s += 1) {
    const days = result.counts[SLOT.days(s)] ?? 0;
    const entries = result.counts[SLOT.entry(s)] ?? 0;
    const start = result.start[s] ?? 0;
    if (days === 0 && entries === 0 && start === 0) continue;
    const group = GROUPS[groupOf(s)] ?? 'other';
    const exits = result.counts[SLOT.exit(s)] ?? 0;
    let moves = 0;
    for (let j = 0; j < S; j += 1) moves += result.counts[SLOT.move(s, j)] ?? 0;
    rows.push({
      age: AGE_STATES[bandOf(s)] ?? '',
      placement: GROUP_LABELS[group],
      start,
      entries,
      entriesPerYear: (entries / result.windowDays) * 365.25,
      exits,
      moves,
      days,
      meanStayDays: exits + moves > 0 ? days / (exits + moves) : null,
    });
  }
  // A total row: the framework then hides a second cell wherever one alone is hidden, so that no
  // hidden count can be worked out from the total (the start total is the recorded total figure).
  const sum = (key: string): number => rows.reduce((n, row) => n + Number(row[key] ?? 0), 0);
  const total = {
    start: sum('start'),
    entries: sum('entries'),
    exits: sum('exits'),
    moves: sum('moves'),
    days: sum('days'),
  };
  rows.push({
    age: 'Total',
    placement: 'All',
    ...total,
    entriesPerYear: (total.entries / result.windowDays) * 365.25,
    meanStayDays: total.exits + total.moves > 0 ? total.days / (total.exits + total.moves) : null,
  });
  return {
    id: 'rates',
    title: 'What the forecast learned from the record',
    description:
      'For each age band and kind of placement: children in care on the start date, entries to care, leaving care and moves out of the state in the chosen period, and the days children spent in it.',
    columns: [
      { key: 'age', label: 'Age', kind: 'text' },
      { key: 'placement', label: 'Placement', kind: 'text' },
      { key: 'start', label: `In care on ${result.windowTo}`, kind: 'count' },
      { key: 'entries', label: 'Entered care', kind: 'count' },
      { key: 'entriesPerYear', label: 'Entries a year', kind: 'rate', from: ['entries'] },
      { key: 'exits', label: 'Left care', kind: 'count' },
      { key: 'moves', label: 'Moved on (placement or age band)', kind: 'count' },
      { key: 'days', label: 'Days in care', kind: 'count' },
      {
        key: 'meanStayDays',
        label: 'Mean days before leaving or moving on',
        kind: 'days',
        from: ['exits', 'moves'],
      },
    ],
    rows,
    notes: [
      'A daily rate is the number of times something happened divided by the days children spent in the state.',
    ],
  };
}

export const FORECAST: InsightView = {
  slug: 'forecast',
  title: 'A demand forecast',
  question:
    'How many children are likely to be in care over the next two years, of what ages, in which kinds of placement, and at what cost?',
  doc: 'forecast',
  filters: ['from', 'to'],
  figures: async (ctx) => {
    const result = await runForecast(ctx.db, ctx.organisationId, ctx.filters);
    return [
      totalFigure(result),
      byAgeFigure(result),
      byGroupFigure(result),
      costFigure(result),
      ratesFigure(result),
    ];
  },
};
