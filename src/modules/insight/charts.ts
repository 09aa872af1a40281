/**
 * Charts for insight figures: a figure's ChartSpec and its (already suppressed) rows become a
 * vega-lite spec, compiled to vega and rendered on the server to SVG (no script in the page), and
 * to PNG with resvg for download.
 *
 * Accessibility and print: the SVG has role="img" with a <title> and <desc> (the figure's title
 * and description, and a note when values are hidden); the data table is always beside it. Colour
 * never carries meaning alone: values are written on the bars, several series differ by pattern
 * (bars) or by dash and point shape (lines) as well as by colour, and the legend shows both. A
 * hidden (suppressed) value is left out of the chart, and the note says so.
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { SuppressedFigure } from './suppress.ts';
import type { Cell, ChartSpec, Column } from './types.ts';

/** GOV.UK colours (design system palette): blue, orange, turquoise, purple, pink, green, dark blue, brown. */
export const GOVUK_SERIES = [
  '#1d70b8',
  '#f47738',
  '#28a197',
  '#4c2c92',
  '#d53880',
  '#85994b',
  '#003078',
  '#b58840',
];
const TEXT = '#0b0c0c';
const GREY = '#505a5f';
const LINE_DASHES = [
  [1, 0],
  [8, 4],
  [2, 3],
  [12, 3, 3, 3],
  [4, 4],
  [1, 6],
];
const SHAPES = ['circle', 'square', 'triangle-up', 'diamond', 'cross', 'triangle-down'];
const WIDTH = 600;

export const HIDDEN_IN_CHART = 'Values that are hidden to protect privacy are left out of the chart.';

type Datum = Record<string, string | number | null>;

/** How a value of a column is written (the table, the CSV and the chart's labels agree). */
export function formatValue(column: Column | undefined, value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  const kind = column?.kind ?? 'text';
  const number = (digits: number) =>
    value.toLocaleString('en-GB', { minimumFractionDigits: 0, maximumFractionDigits: digits });
  switch (kind) {
    case 'count':
      return number(0);
    case 'percent':
      return `${value.toLocaleString('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`;
    case 'money':
      return `£${number(0)}`;
    case 'rate':
    case 'mean':
    case 'days':
      return number(1);
    case 'text':
      return String(value);
  }
}

/** A vega format string for a column kind (axis and value labels). */
function d3Format(column: Column | undefined): string {
  switch (column?.kind) {
    case 'percent':
      return '.1f';
    case 'money':
      return '$,.0f';
    case 'rate':
    case 'mean':
    case 'days':
      return ',.1~f';
    default:
      return ',.0f';
  }
}

const category = (value: Cell | undefined): string =>
  value === null || value === undefined ? '' : String(value);

/** The vega-lite spec for a figure's chart, or undefined when it has none (or nothing to draw). */
export function chartSpec(
  figure: SuppressedFigure,
  options: { standalone?: boolean | undefined } = {},
): TopLevelSpec | undefined {
  const chart = figure.chart;
  if (!chart) return undefined;
  const columns = new Map(figure.columns.map((c) => [c.key, c]));
  const label = (key: string) => columns.get(key)?.label ?? key;
  const hidden = figure.suppressions.size > 0;
  const base = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    padding: 8,
    ...(options.standalone
      ? {
          title: {
            text: figure.title,
            subtitle: hidden ? [figure.description, HIDDEN_IN_CHART] : [figure.description],
            anchor: 'start' as const,
            fontSize: 18,
            subtitleFontSize: 13,
            subtitleColor: TEXT,
            limit: WIDTH + 200,
          },
        }
      : {}),
    config: CONFIG,
  };
  const body = chartBody(chart, figure, label, columns);
  if (!body) return undefined;
  return { ...base, ...body } as TopLevelSpec;
}

const CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  view: { stroke: null },
  axis: {
    labelColor: TEXT,
    titleColor: TEXT,
    labelFontSize: 13,
    titleFontSize: 14,
    titleFontWeight: 'bold',
    domainColor: GREY,
    tickColor: GREY,
    gridColor: '#e5e6e7',
    labelLimit: 400,
  },
  legend: {
    labelColor: TEXT,
    titleColor: TEXT,
    labelFontSize: 13,
    titleFontSize: 14,
    symbolSize: 200,
    symbolStrokeColor: TEXT,
    orient: 'bottom',
    direction: 'vertical',
    labelLimit: 400,
  },
  text: { color: TEXT, fontSize: 12 },
};

function chartBody(
  chart: ChartSpec,
  figure: SuppressedFigure,
  label: (key: string) => string,
  columns: ReadonlyMap<string, Column>,
): Record<string, unknown> | undefined {
  switch (chart.kind) {
    case 'bar':
    case 'line':
    case 'stacked':
      return seriesChart(chart, figure, label, columns);
    case 'flow':
      return flowChart(chart, figure, label, columns);
    case 'grid':
      return gridChart(chart, figure, label, columns);
  }
}

/** Bars (grouped when several y), stacked bars, or lines, from wide rows made long. */
function seriesChart(
  chart: Extract<ChartSpec, { kind: 'bar' | 'line' | 'stacked' }>,
  figure: SuppressedFigure,
  label: (key: string) => string,
  columns: ReadonlyMap<string, Column>,
): Record<string, unknown> | undefined {
  const categories = figure.rows.map((row) => category(row[chart.x]));
  const seriesLabels = chart.y.map(label);
  const interval = chart.kind !== 'stacked' && chart.y.length === 1 ? chart.interval : undefined;
  const values: Datum[] = [];
  figure.rows.forEach((row, index) => {
    chart.y.forEach((key, s) => {
      const value = row[key];
      if (typeof value !== 'number') return;
      const datum: Datum = { x: categories[index] ?? '', series: seriesLabels[s] ?? key, value };
      if (interval) {
        const lower = row[interval.lower];
        const upper = row[interval.upper];
        datum['lower'] = typeof lower === 'number' ? lower : null;
        datum['upper'] = typeof upper === 'number' ? upper : null;
      }
      values.push(datum);
    });
  });
  if (values.length === 0) return undefined;
  const firstY = columns.get(chart.y[0] ?? '');
  const format = d3Format(firstY);
  const several = chart.y.length > 1;
  const horizontal = chart.kind !== 'line' && chart.horizontal === true;
  const catAxis = { field: 'x', type: 'ordinal', sort: unique(categories), title: label(chart.x) };
  const valueTitle = several ? (firstY?.kind === 'count' ? 'Number' : '') : label(chart.y[0] ?? '');
  const valAxis = {
    field: 'value',
    type: 'quantitative',
    title: valueTitle,
    axis: { format, labelOverlap: true },
    ...(chart.kind === 'stacked' ? { stack: 'zero' } : { stack: null }),
  };
  const cat = horizontal ? 'y' : 'x';
  const val = horizontal ? 'x' : 'y';
  const colour = {
    field: 'series',
    type: 'nominal',
    sort: seriesLabels,
    scale: { domain: seriesLabels, range: GOVUK_SERIES.slice(0, Math.max(1, seriesLabels.length)) },
    legend: several ? { title: null } : null,
  };
  const step = several && chart.kind === 'bar' ? 18 * chart.y.length + 8 : 28;

  if (chart.kind === 'line') {
    const layers: Record<string, unknown>[] = [
      {
        mark: { type: 'line', strokeWidth: 3, point: { size: 70, filled: true } },
        encoding: {
          x: { ...catAxis, axis: { labelOverlap: 'parity', labelAngle: -45 } },
          y: valAxis,
          color: colour,
          strokeDash: {
            field: 'series',
            type: 'nominal',
            sort: seriesLabels,
            scale: { domain: seriesLabels, range: LINE_DASHES.slice(0, seriesLabels.length) },
            legend: several ? { title: null } : null,
          },
          shape: {
            field: 'series',
            type: 'nominal',
            sort: seriesLabels,
            scale: { domain: seriesLabels, range: SHAPES.slice(0, seriesLabels.length) },
            legend: several ? { title: null } : null,
          },
        },
      },
    ];
    if (interval) layers.push(errorBars('x', 'y', unique(categories), valueTitle));
    return { width: WIDTH, height: 300, data: { values }, layer: layers };
  }

  const bars: Record<string, unknown> = {
    mark: { type: 'bar', stroke: TEXT, strokeWidth: 0.5 },
    encoding: {
      [cat]: {
        ...catAxis,
        axis: horizontal
          ? { labelLimit: 400 }
          : { labelAngle: categories.length * Math.max(...categories.map((c) => c.length)) > 60 ? -45 : 0 },
      },
      [val]: valAxis,
      color: colour,
      ...(several && chart.kind === 'bar'
        ? { [`${cat}Offset`]: { field: 'series', sort: seriesLabels } }
        : {}),
    },
  };
  const layers: Record<string, unknown>[] = [bars];
  if (chart.kind === 'bar' && !interval) {
    // The value written at the end of each bar: the chart can be read without colour.
    layers.push({
      mark: {
        type: 'text',
        ...(horizontal ? { align: 'left', dx: 4 } : { baseline: 'bottom', dy: -3 }),
        fontSize: several ? 10 : 12,
      },
      encoding: {
        [cat]: { field: 'x', type: 'ordinal', sort: unique(categories) },
        [val]: { field: 'value', type: 'quantitative' },
        ...(several ? { [`${cat}Offset`]: { field: 'series', sort: seriesLabels } } : {}),
        text: { field: 'value', type: 'quantitative', format },
      },
    });
  }
  if (interval) layers.push(errorBars(cat, val, unique(categories), valueTitle));
  const size = horizontal
    ? { width: WIDTH - 160, height: { step } }
    : {
        width: categories.length * (several && chart.kind === 'bar' ? step : 40) > WIDTH ? { step } : WIDTH,
        height: 300,
      };
  return { ...size, data: { values }, layer: layers };
}

/** Lower and upper limits drawn as a rule with caps (e.g. 95% confidence intervals). */
function errorBars(
  cat: string,
  val: string,
  sort: readonly string[],
  title: string,
): Record<string, unknown> {
  return {
    mark: { type: 'errorbar', ticks: { size: 10 }, color: TEXT, thickness: 1.5 },
    encoding: {
      [cat]: { field: 'x', type: 'ordinal', sort },
      [val]: { field: 'lower', type: 'quantitative', title },
      [`${val}2`]: { field: 'upper' },
    },
  };
}

/** A funnel: one bar per stage, in order, with its count written beside it. */
function flowChart(
  chart: Extract<ChartSpec, { kind: 'flow' }>,
  figure: SuppressedFigure,
  label: (key: string) => string,
  columns: ReadonlyMap<string, Column>,
): Record<string, unknown> | undefined {
  const stages = figure.rows.map((row) => category(row[chart.stage]));
  const values: Datum[] = [];
  figure.rows.forEach((row, index) => {
    const value = row[chart.value];
    if (typeof value === 'number') values.push({ x: stages[index] ?? '', value });
  });
  if (values.length === 0) return undefined;
  const format = d3Format(columns.get(chart.value));
  const y = { field: 'x', type: 'ordinal', sort: unique(stages), title: null, axis: { labelLimit: 400 } };
  return {
    width: WIDTH - 200,
    height: { step: 34 },
    data: { values },
    layer: [
      {
        mark: { type: 'bar', color: GOVUK_SERIES[0], stroke: TEXT, strokeWidth: 0.5 },
        encoding: {
          y,
          x: {
            field: 'value',
            type: 'quantitative',
            title: label(chart.value),
            axis: { format, labelOverlap: true },
          },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 13 },
        encoding: {
          y,
          x: { field: 'value', type: 'quantitative' },
          text: { field: 'value', type: 'quantitative', format },
        },
      },
    ],
  };
}

/** A grid (e.g. deprivation decile by locality): cells shaded by value, the value written in each. */
function gridChart(
  chart: Extract<ChartSpec, { kind: 'grid' }>,
  figure: SuppressedFigure,
  label: (key: string) => string,
  columns: ReadonlyMap<string, Column>,
): Record<string, unknown> | undefined {
  const xs = unique(figure.rows.map((row) => category(row[chart.x])));
  const ys = unique(figure.rows.map((row) => category(row[chart.y])));
  const values: Datum[] = [];
  for (const row of figure.rows) {
    const value = row[chart.value];
    if (typeof value === 'number')
      values.push({ x: category(row[chart.x]), y: category(row[chart.y]), value });
  }
  if (values.length === 0) return undefined;
  const max = Math.max(...values.map((v) => (typeof v['value'] === 'number' ? v['value'] : 0)));
  const format = d3Format(columns.get(chart.value));
  const x = { field: 'x', type: 'ordinal', sort: xs, title: label(chart.x), axis: { labelAngle: 0 } };
  const y = { field: 'y', type: 'ordinal', sort: ys, title: label(chart.y) };
  return {
    width: Math.min(WIDTH, Math.max(240, xs.length * 56)),
    height: { step: 36 },
    data: { values },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 2 },
        encoding: {
          x,
          y,
          color: {
            field: 'value',
            type: 'quantitative',
            title: label(chart.value),
            scale: { range: ['#f3f2f1', GOVUK_SERIES[6] ?? '#003078'], interpolate: 'rgb' },
            legend: { format, direction: 'horizontal', orient: 'bottom', gradientLength: 240 },
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 12 },
        encoding: {
          x,
          y,
          text: { field: 'value', type: 'quantitative', format },
          color: { condition: { test: `datum.value > ${String(max * 0.55)}`, value: 'white' }, value: TEXT },
        },
      },
    ],
  };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** Patterns laid over the colours of the second and later series, so bars differ without colour. */
function patternDefs(prefix: string, colours: readonly string[]): string {
  const shapes = [
    '',
    '<path d="M0,8 L8,0" stroke="#ffffff" stroke-width="2"/>',
    '<circle cx="4" cy="4" r="1.6" fill="#ffffff"/>',
    '<path d="M0,4 H8" stroke="#ffffff" stroke-width="2"/>',
    '<path d="M0,0 L8,8 M0,8 L8,0" stroke="#ffffff" stroke-width="1.5"/>',
    '<path d="M4,0 V8" stroke="#ffffff" stroke-width="2"/>',
    '<path d="M0,0 L8,8" stroke="#ffffff" stroke-width="2"/>',
    '<rect x="2" y="2" width="4" height="4" fill="#ffffff"/>',
  ];
  return colours
    .map((colour, i) =>
      i === 0
        ? ''
        : `<pattern id="${prefix}-p${String(i)}" patternUnits="userSpaceOnUse" width="8" height="8"><rect width="8" height="8" fill="${colour}"/>${shapes[i % shapes.length] ?? ''}</pattern>`,
    )
    .join('');
}

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Removes anything that could run or load: <script>, <foreignObject>, event handler attributes,
 * javascript: links, and style attributes (the CSP allows no inline style).
 */
export function sanitiseSvg(svg: string): string {
  return svg
    .replace(/<script[\s\S]*?<\/script\s*>/gi, '')
    .replace(/<script[^>]*\/>/gi, '')
    .replace(/<foreignObject[\s\S]*?<\/foreignObject\s*>/gi, '')
    .replace(/\son[a-z]+\s*=\s*("[^"]*"|'[^']*')/gi, '')
    .replace(/\s(?:xlink:)?href\s*=\s*("\s*javascript:[^"]*"|'\s*javascript:[^']*')/gi, '')
    .replace(/\sstyle\s*=\s*("[^"]*"|'[^']*')/gi, '');
}

export type SvgOptions = {
  /** Makes the ids unique on the page (e.g. the figure id). */
  readonly idPrefix: string;
  /** Draw the title and description inside the chart (for the PNG, which stands alone). */
  readonly standalone?: boolean | undefined;
};

/** The figure's chart as accessible SVG, or undefined when it has no chart or nothing to draw. */
export async function chartSvg(figure: SuppressedFigure, options: SvgOptions): Promise<string | undefined> {
  const spec = chartSpec(figure, { standalone: options.standalone });
  if (!spec) return undefined;
  const compiled = compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  let svg: string;
  try {
    svg = await view.toSVG();
  } finally {
    view.finalize();
  }
  const prefix = `chart-${options.idPrefix.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  const titleId = `${prefix}-title`;
  const descId = `${prefix}-desc`;
  const description =
    figure.suppressions.size > 0 ? `${figure.description} ${HIDDEN_IN_CHART}` : figure.description;
  const several =
    figure.chart && figure.chart.kind !== 'flow' && figure.chart.kind !== 'grid' && figure.chart.y.length > 1;
  const barLike = figure.chart && (figure.chart.kind === 'bar' || figure.chart.kind === 'stacked');
  const colours = several ? GOVUK_SERIES.slice(0, figure.chart.y.length) : [];

  svg = sanitiseSvg(svg)
    // Roles and labels vega gives its inner groups: the whole chart is one image.
    .replace(/\s(?:role|aria-roledescription|aria-label|aria-hidden)="[^"]*"/g, '');
  if (several && barLike) {
    colours.forEach((colour, i) => {
      if (i === 0) return;
      svg = svg.replace(new RegExp(`fill="${colour}"`, 'gi'), `fill="url(#${prefix}-p${String(i)})"`);
    });
  }
  const defs = several && barLike ? `<defs>${patternDefs(prefix, colours)}</defs>` : '';
  return svg.replace(
    /^<svg([^>]*)>/,
    (_match, attributes: string) =>
      `<svg${attributes.replace(/\sclass="[^"]*"/, '')} class="app-chart" role="img" focusable="false" aria-labelledby="${titleId}" aria-describedby="${descId}"><title id="${titleId}">${escapeXml(figure.title)}</title><desc id="${descId}">${escapeXml(description)}</desc>${defs}`,
  );
}

/** The figure's chart as a PNG (the chart with its title, description and note drawn in). */
export async function chartPng(figure: SuppressedFigure, idPrefix: string): Promise<Buffer | undefined> {
  const svg = await chartSvg(figure, { idPrefix, standalone: true });
  if (!svg) return undefined;
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: 2 },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}
