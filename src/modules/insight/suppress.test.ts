import { describe, expect, it } from 'vitest';
import { suppressFigure, suppressionNotes, totalRowIndex } from './suppress.ts';
import type { Column, Figure, Row } from './types.ts';

function figure(columns: Column[], rows: Row[]): Figure {
  return { id: 'f', title: 'T', description: 'D', columns, rows };
}

const SOURCE: Column[] = [
  { key: 'source', label: 'Source', kind: 'text' },
  { key: 'requests', label: 'Requests', kind: 'count' },
  { key: 'percent', label: 'Percentage', kind: 'percent', from: ['requests'] },
];

describe('suppression', () => {
  it('hides counts from 1 to 4 and keeps 0, 5 and up, with what is worked out from them', () => {
    const result = suppressFigure(
      figure(SOURCE, [
        { source: 'Police', requests: 0, percent: 0 },
        { source: 'School', requests: 1, percent: 10 },
        { source: 'Health', requests: 4, percent: 40 },
        { source: 'Family', requests: 5, percent: 50 },
      ]),
    );
    expect(result.rows).toEqual([
      { source: 'Police', requests: 0, percent: 0 },
      { source: 'School', requests: null, percent: null },
      { source: 'Health', requests: null, percent: null },
      { source: 'Family', requests: 5, percent: 50 },
    ]);
    expect(result.hidden).toEqual([
      {},
      { requests: 'small', percent: 'derived' },
      { requests: 'small', percent: 'derived' },
      {},
    ]);
    expect([...result.suppressions].sort()).toEqual(['derived', 'small']);
    expect(suppressionNotes(result)).toHaveLength(2);
  });

  it('with a total row, hides the next smallest count of a column where one alone is hidden', () => {
    const result = suppressFigure(
      figure(SOURCE, [
        { source: 'Police', requests: 20, percent: 50 },
        { source: 'School', requests: 3, percent: 7.5 },
        { source: 'Health', requests: 0, percent: 0 },
        { source: 'Family', requests: 9, percent: 22.5 },
        { source: 'Other', requests: 8, percent: 20 },
        { source: 'Total', requests: 40, percent: 100 },
      ]),
    );
    // 3 is small; the next smallest non-zero (8) is hidden too so 3 cannot be worked out from 40.
    expect(result.rows.map((r) => r['requests'])).toEqual([20, null, 0, 9, null, 40]);
    expect(result.hidden[1]).toEqual({ requests: 'small', percent: 'derived' });
    expect(result.hidden[4]).toEqual({ requests: 'secondary', percent: 'derived' });
    expect(result.rows[4]?.['percent']).toBeNull();
  });

  it('finds a total row that adds up even when it is not labelled, and not one that does not', () => {
    const columns: Column[] = [
      { key: 'month', label: 'Month', kind: 'text' },
      { key: 'n', label: 'Children', kind: 'count' },
    ];
    expect(
      totalRowIndex(columns, [
        { month: 'A', n: 10 },
        { month: 'B', n: 2 },
        { month: 'C', n: 12 },
      ]),
    ).toBe(2);
    expect(
      totalRowIndex(columns, [
        { month: 'A', n: 10 },
        { month: 'B', n: 2 },
        { month: 'C', n: 13 },
      ]),
    ).toBeUndefined();
    expect(
      totalRowIndex(columns, [
        { month: 'All', n: 1 },
        { month: 'A', n: 10 },
        { month: 'B', n: 2 },
      ]),
    ).toBe(0);
    const hidden = suppressFigure(
      figure(columns, [
        { month: 'A', n: 10 },
        { month: 'B', n: 2 },
        { month: 'C', n: 12 },
      ]),
    );
    expect(hidden.rows.map((r) => r['n'])).toEqual([null, null, 12]);
    const alone = suppressFigure(
      figure(columns, [
        { month: 'A', n: 10 },
        { month: 'B', n: 2 },
        { month: 'C', n: 13 },
      ]),
    );
    expect(alone.rows.map((r) => r['n'])).toEqual([10, null, 13]);
  });

  it('with a total column, hides the next smallest non-zero count of the row', () => {
    const columns: Column[] = [
      { key: 'decile', label: 'Decile', kind: 'text' },
      { key: 'boys', label: 'Boys', kind: 'count' },
      { key: 'girls', label: 'Girls', kind: 'count' },
      { key: 'unknown', label: 'Not known', kind: 'count' },
      { key: 'all', label: 'All', kind: 'count', total: true },
      { key: 'rate', label: 'Rate per 10,000', kind: 'rate', from: ['all'] },
    ];
    const result = suppressFigure(
      figure(columns, [
        { decile: '1', boys: 30, girls: 12, unknown: 2, all: 44, rate: 80 },
        { decile: '2', boys: 30, girls: 0, unknown: 2, all: 32, rate: 60 },
        { decile: '3', boys: 7, girls: 6, unknown: 0, all: 13, rate: 20 },
      ]),
    );
    expect(result.rows).toEqual([
      { decile: '1', boys: 30, girls: null, unknown: null, all: 44, rate: 80 },
      // Zero is skipped (a zero hides nothing): the 30 is hidden; the total and its rate stay.
      { decile: '2', boys: null, girls: 0, unknown: null, all: 32, rate: 60 },
      { decile: '3', boys: 7, girls: 6, unknown: 0, all: 13, rate: 20 },
    ]);
    expect(result.hidden[1]).toEqual({ unknown: 'small', boys: 'secondary' });
  });

  it('repeats until no row or column of a table with both totals has a single hidden cell', () => {
    const columns: Column[] = [
      { key: 'team', label: 'Team', kind: 'text' },
      { key: 'a', label: 'A', kind: 'count' },
      { key: 'b', label: 'B', kind: 'count' },
      { key: 'total', label: 'Total', kind: 'count', total: true },
    ];
    const rows: Row[] = [
      { team: 'North', a: 2, b: 20, total: 22 },
      { team: 'South', a: 10, b: 30, total: 40 },
      { team: 'East', a: 15, b: 6, total: 21 },
      { team: 'Total', a: 27, b: 56, total: 83 },
    ];
    const result = suppressFigure(figure(columns, rows));
    // North's 2 → its row hides b (20); column a then hides South's 10 and column b East's 6; so
    // South's row hides its b (30) and East's its a (15): every team's split is hidden, totals shown.
    expect(result.rows.map((r) => [r['a'], r['b'], r['total']])).toEqual([
      [null, null, 22],
      [null, null, 40],
      [null, null, 21],
      [27, 56, 83],
    ]);
    expect(result.hidden[0]).toEqual({ a: 'small', b: 'secondary' });
    // Whatever is shown, no hidden cell is alone in its row or column.
    const hiddenAt = (r: number, k: string) => result.hidden[r]?.[k] !== undefined;
    for (let r = 0; r < rows.length; r++) {
      const n = ['a', 'b', 'total'].filter((k) => hiddenAt(r, k)).length;
      expect(n === 0 || n >= 2).toBe(true);
    }
    for (const k of ['a', 'b', 'total']) {
      const n = rows.filter((_, r) => hiddenAt(r, k)).length;
      expect(n === 0 || n >= 2).toBe(true);
    }
  });

  it('leaves a figure without small numbers untouched', () => {
    const rows: Row[] = [
      { source: 'Police', requests: 12, percent: 60 },
      { source: 'School', requests: 8, percent: 40 },
    ];
    const result = suppressFigure(figure(SOURCE, rows));
    expect(result.rows).toEqual(rows);
    expect(result.suppressions.size).toBe(0);
    expect(suppressionNotes(result)).toEqual([]);
  });
});
