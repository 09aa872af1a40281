import { describe, expect, it } from 'vitest';
import {
  chartPng,
  chartSpec,
  chartSvg,
  formatValue,
  GOVUK_SERIES,
  HIDDEN_IN_CHART,
  sanitiseSvg,
} from './charts.ts';
import { suppressFigure } from './suppress.ts';
import type { Figure } from './types.ts';

const SOURCES: Figure = {
  id: 'sources',
  title: 'Requests by source',
  description: 'Requests for help in the period, by who made them.',
  columns: [
    { key: 'source', label: 'Source', kind: 'text' },
    { key: 'requests', label: 'Requests', kind: 'count' },
    { key: 'repeats', label: 'Repeat requests', kind: 'count' },
  ],
  rows: [
    { source: 'Police <script>', requests: 420, repeats: 80 },
    { source: 'School', requests: 310, repeats: 3 },
    { source: 'Health', requests: 120, repeats: 30 },
  ],
  chart: { kind: 'bar', x: 'source', y: ['requests', 'repeats'], horizontal: true },
};

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('charts', () => {
  it('draws accessible SVG: one image with a title and description, no script, no inline style', async () => {
    const svg = await chartSvg(suppressFigure(SOURCES), { idPrefix: 'sources' });
    expect(svg).toBeDefined();
    if (!svg) return;
    expect(svg).toMatch(
      /^<svg[^>]* class="app-chart" role="img" focusable="false" aria-labelledby="chart-sources-title" aria-describedby="chart-sources-desc">/,
    );
    expect(svg).toContain('<title id="chart-sources-title">Requests by source</title>');
    // The repeat requests from schools (3) are hidden: the description says values are left out.
    expect(svg).toContain(
      `<desc id="chart-sources-desc">Requests for help in the period, by who made them. ${HIDDEN_IN_CHART}</desc>`,
    );
    expect(svg).not.toMatch(/<script/i);
    expect(svg).not.toMatch(/\sstyle=/i);
    expect(svg).not.toMatch(/\son[a-z]+=/i);
    // Labels from the data are escaped, never markup.
    expect(svg).toContain('Police &lt;script&gt;');
    // Values are written on the bars (not colour alone), and the second series has a pattern.
    expect(svg).toContain('>420<');
    expect(svg).toContain('>310<');
    expect(svg).not.toContain('>3<');
    expect(svg).toContain('<pattern id="chart-sources-p1"');
    expect(svg).toContain('fill="url(#chart-sources-p1)"');
    expect(svg.toLowerCase()).toContain(`fill="${GOVUK_SERIES[0] ?? ''}"`);
  });

  it('leaves hidden values out of the data it draws, and keeps the row order', () => {
    const spec = chartSpec(suppressFigure(SOURCES)) as unknown as {
      data: { values: Record<string, unknown>[] };
    };
    expect(spec.data.values).toEqual([
      { x: 'Police <script>', series: 'Requests', value: 420 },
      { x: 'Police <script>', series: 'Repeat requests', value: 80 },
      { x: 'School', series: 'Requests', value: 310 },
      { x: 'Health', series: 'Requests', value: 120 },
      { x: 'Health', series: 'Repeat requests', value: 30 },
    ]);
  });

  it('draws every kind of chart, and nothing for a figure without one or with nothing to show', async () => {
    const base = { id: 'x', title: 'T', description: 'D' };
    const flow: Figure = {
      ...base,
      columns: [
        { key: 'stage', label: 'Stage', kind: 'text' },
        { key: 'n', label: 'Children', kind: 'count' },
      ],
      rows: [
        { stage: 'Requests', n: 500 },
        { stage: 'Referrals', n: 200 },
      ],
      chart: { kind: 'flow', stage: 'stage', value: 'n' },
    };
    const grid: Figure = {
      ...base,
      columns: [
        { key: 'd', label: 'Decile', kind: 'text' },
        { key: 'l', label: 'Locality', kind: 'text' },
        { key: 'r', label: 'Rate', kind: 'rate' },
      ],
      rows: [
        { d: '1', l: 'North', r: 310.5 },
        { d: '2', l: 'North', r: 150 },
      ],
      chart: { kind: 'grid', x: 'd', y: 'l', value: 'r' },
    };
    const line: Figure = {
      ...base,
      columns: [
        { key: 'm', label: 'Month', kind: 'text' },
        { key: 'r', label: 'Rate', kind: 'rate' },
        { key: 'lo', label: 'Lower', kind: 'rate' },
        { key: 'hi', label: 'Upper', kind: 'rate' },
      ],
      rows: [
        { m: '2024-04', r: 10, lo: 8, hi: 12 },
        { m: '2024-05', r: 11, lo: 9, hi: 13 },
      ],
      chart: { kind: 'line', x: 'm', y: ['r'], interval: { lower: 'lo', upper: 'hi' } },
    };
    for (const figure of [flow, grid, line]) {
      const svg = await chartSvg(suppressFigure(figure), { idPrefix: 'x' });
      expect(svg).toMatch(/^<svg[^>]*role="img"/);
    }
    expect(await chartSvg(suppressFigure({ ...flow, chart: undefined }), { idPrefix: 'x' })).toBeUndefined();
    const allHidden = { ...flow, rows: [{ stage: 'Requests', n: 2 }] };
    expect(await chartSvg(suppressFigure(allHidden), { idPrefix: 'x' })).toBeUndefined();
  });

  it('makes a PNG with the title drawn in', async () => {
    const png = await chartPng(suppressFigure(SOURCES), 'sources');
    expect(png?.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(png?.length ?? 0).toBeGreaterThan(5000);
  });

  it('removes anything that could run from SVG', () => {
    const dirty =
      '<svg><script>alert(1)</script><a href="javascript:alert(1)"><text onclick="x()" style="fill:red">A</text></a><foreignObject><div>x</div></foreignObject></svg>';
    expect(sanitiseSvg(dirty)).toBe('<svg><a><text>A</text></a></svg>');
  });

  it('writes values the same way in the table, CSV and chart labels', () => {
    expect(formatValue({ key: 'n', label: 'N', kind: 'count' }, 12345)).toBe('12,345');
    expect(formatValue({ key: 'p', label: 'P', kind: 'percent' }, 42)).toBe('42.0%');
    expect(formatValue({ key: 'r', label: 'R', kind: 'rate' }, 310.456)).toBe('310.5');
    expect(formatValue({ key: 'm', label: 'M', kind: 'money' }, 1234.5)).toBe('£1,235');
    expect(formatValue({ key: 'm', label: 'M', kind: 'money' }, null)).toBe('');
  });
});
