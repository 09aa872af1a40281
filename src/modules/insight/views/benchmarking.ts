/**
 * Benchmarking: the council's published children's social care statistics beside its statistical
 * neighbours and England (the DfE tables shipped in reference-data/dfe/), and its own live figures
 * from the record beside its last published ones. Definitions in docs/insight/benchmarking.md.
 */
import type { Column, Figure, InsightView, Row } from '../types.ts';
import { liveFigures, LIVE_MEASURES, type LiveFigures } from '../benchmarks/live.ts';
import {
  compare,
  ENGLAND,
  MEASURES,
  shippedBenchmarks,
  type Benchmarks,
  type Comparison,
} from '../benchmarks/measures.ts';

const SOURCE_NOTE =
  'Published figures: Department for Education, Children’s social care statistics (Explore Education Statistics), Open Government Licence v3.0. Years are the year to 31 March (the workforce: to 30 September).';
const NEIGHBOUR_NOTE =
  'Statistical neighbours: the DfE’s 2025 statistical neighbour model (each authority’s ten most similar authorities). Their figure is the simple mean of the neighbours that published one that year.';

const COMPARISON_COLUMNS: readonly Column[] = [
  { key: 'authority', label: 'This council', kind: 'rate' },
  { key: 'neighbours', label: 'Statistical neighbours (mean)', kind: 'rate' },
  { key: 'england', label: 'England', kind: 'rate' },
];

function latest(rows: readonly Comparison[]): Comparison | undefined {
  return [...rows].reverse().find((r) => r.authority !== null) ?? rows[rows.length - 1];
}

function summaryFigure(benchmarks: Benchmarks, laCode: string, name: string): Figure {
  const rows: Row[] = MEASURES.flatMap((measure) => {
    const last = latest(compare(benchmarks, measure.key, laCode));
    if (last === undefined) return [];
    return [
      {
        measure: measure.label,
        unit: measure.unit,
        year: String(last.year),
        authority: last.authority,
        neighbours: last.neighbours,
        england: last.england,
      },
    ];
  });
  return {
    id: 'latest',
    title: `${name} beside its statistical neighbours and England: the latest published year`,
    description: `The latest published figure of each measure for ${name}, the mean of its ten statistical neighbours and England.`,
    columns: [
      { key: 'measure', label: 'Measure', kind: 'text' },
      { key: 'unit', label: 'Unit', kind: 'text' },
      { key: 'year', label: 'Year', kind: 'text' },
      ...COMPARISON_COLUMNS,
    ],
    rows,
    notes: [
      SOURCE_NOTE,
      NEIGHBOUR_NOTE,
      'A blank is a figure the DfE did not publish (suppressed or not collected).',
    ],
  };
}

function neighboursFigure(benchmarks: Benchmarks, laCode: string, name: string): Figure {
  const list = benchmarks.neighbours.get(laCode) ?? [];
  return {
    id: 'neighbours',
    title: `${name}’s statistical neighbours`,
    description: `The ten authorities most similar to ${name} in the DfE’s 2025 statistical neighbour model, closest first.`,
    columns: [
      { key: 'rank', label: 'Order', kind: 'text' },
      { key: 'authority', label: 'Authority', kind: 'text' },
      { key: 'closeness', label: 'How close', kind: 'text' },
    ],
    rows: list.map((n, i) => ({ rank: String(i + 1), authority: n.name, closeness: n.closeness })),
    notes: [NEIGHBOUR_NOTE],
  };
}

function trendFigures(benchmarks: Benchmarks, laCode: string, name: string): Figure[] {
  return MEASURES.map((measure) => {
    const rows = compare(benchmarks, measure.key, laCode);
    return {
      id: `trend-${measure.key.replaceAll('_', '-')}`,
      title: `${measure.label} (${measure.unit}), by year`,
      description: `${measure.label} for ${name}, its statistical neighbours and England in each published year.`,
      columns: [
        { key: 'year', label: 'Year', kind: 'text' },
        ...COMPARISON_COLUMNS.map((c): Column => ({
          key: c.key,
          label: c.label,
          kind: measure.unit === 'per cent' ? 'percent' : 'rate',
        })),
      ],
      rows: rows.map((r) => ({
        year: String(r.year),
        authority: r.authority,
        neighbours: r.neighbours,
        england: r.england,
      })),
      chart: { kind: 'line', x: 'year', y: ['authority', 'neighbours', 'england'] },
      notes: [measure.definition, SOURCE_NOTE],
    };
  });
}

function liveFigure(day: string, live: LiveFigures, benchmarks: Benchmarks, laCode: string): Figure {
  const rows: Row[] = LIVE_MEASURES.map(({ kind, measure }) => {
    const definition = MEASURES.find((m) => m.key === measure);
    const last = latest(compare(benchmarks, measure, laCode));
    const children = live.counts[kind];
    return {
      measure: definition?.label.replace(' at 31 March', '') ?? measure,
      publishedYear: last === undefined ? null : `31 March ${String(last.year)}`,
      published: last?.authority ?? null,
      children,
      population: live.population,
      live: live.population > 0 ? (children / live.population) * 10_000 : null,
    };
  });
  return {
    id: 'live',
    title: `Now and when last published: children per 10,000 on ${day}`,
    description: `Children in need, on child protection plans and looked after per 10,000 children, from the record at the end of ${day}, beside the council’s last published figures.`,
    columns: [
      { key: 'measure', label: 'Measure', kind: 'text' },
      { key: 'publishedYear', label: 'Last published', kind: 'text' },
      { key: 'published', label: 'Published rate per 10,000', kind: 'rate' },
      { key: 'children', label: `Children on ${day}`, kind: 'count' },
      { key: 'population', label: 'Children aged 0 to 17 in the area', kind: 'count' },
      { key: 'live', label: `Rate per 10,000 on ${day}`, kind: 'rate', from: ['children'] },
    ],
    rows,
    chart: { kind: 'bar', x: 'measure', y: ['published', 'live'] },
    notes: [
      'From the record: children with a CIN referral, a child protection plan or a period of care (short breaks left out) open at the end of the day, counted as the DfE counts them at 31 March.',
      'Children aged 0 to 17: ONS small-area estimates for the council’s neighbourhoods (mid-2020), so the rate can differ a little from the published one, which uses the latest mid-year estimate.',
      SOURCE_NOTE,
    ],
  };
}

export const BENCHMARKING: InsightView = {
  slug: 'benchmarking',
  title: 'Benchmarking',
  question:
    'How do we compare with authorities like us and with England, and how do our figures today compare with what we last published?',
  doc: 'benchmarking',
  filters: ['from', 'to'],
  figures: async (ctx) => {
    const benchmarks = shippedBenchmarks();
    const live = await liveFigures(ctx.db, ctx.organisationId, ctx.filters.to);
    const laCode = live.laCode;
    if (laCode === null || laCode === ENGLAND || !benchmarks.names.has(laCode)) {
      return [
        {
          id: 'latest',
          title: 'Published figures',
          description:
            'This council has no local authority code the DfE tables know, so there is nothing to compare.',
          columns: [{ key: 'measure', label: 'Measure', kind: 'text' }],
          rows: [],
          notes: [
            'Set the council’s ONS local authority code (for example E10000015) in its organisation record to compare it.',
          ],
        },
      ];
    }
    const name = benchmarks.names.get(laCode) ?? laCode;
    return [
      summaryFigure(benchmarks, laCode, name),
      liveFigure(ctx.filters.to, live, benchmarks, laCode),
      ...trendFigures(benchmarks, laCode, name),
      neighboursFigure(benchmarks, laCode, name),
    ];
  },
};
