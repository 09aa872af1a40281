/**
 * Small-number suppression, applied by the framework to every figure before it is shown, drawn or
 * downloaded (views never suppress).
 *
 * 1. Primary: a count from 1 to 4 is shown as "fewer than 5" (0 stays 0: nobody can be recognised
 *    from a zero).
 * 2. Secondary: where cells add up to a total that is shown, hiding a single one of them would be
 *    undone by subtraction. So in every group of cells with a total, if exactly one cell of the group
 *    (the total included) is hidden, the smallest other non-zero count of the group is hidden too
 *    ("hidden"), and this is repeated until no group has exactly one hidden cell. Groups are:
 *    - a row's count columns with its `total: true` column (the total of the row's other counts);
 *    - a column's cells with the table's total row: a row labelled "Total" or "All", or a row whose
 *      every count equals the sum of the other rows' counts (checked, not assumed).
 * 3. Derived: a rate, percentage, mean or other value worked out from counts (its column's `from`)
 *    is hidden when any of those counts is, so it cannot be used to work them out.
 */
import type { Cell, Column, Figure, Row } from './types.ts';

export type Suppression = 'small' | 'secondary' | 'derived';

/** The words shown (and written in the CSV) instead of a hidden value. */
export const SUPPRESSION_TEXT: Readonly<Record<Suppression, string>> = {
  small: 'fewer than 5',
  secondary: 'hidden',
  derived: 'hidden',
};

export const SUPPRESSION_NOTES: Readonly<Record<'small' | 'hidden', string>> = {
  small: '“Fewer than 5”: a count from 1 to 4, not shown so that no child or family can be recognised.',
  hidden:
    '“Hidden”: not shown so that a count of fewer than 5 cannot be worked out from the others (or a value worked out from such a count).',
};

/** A figure after suppression: the hidden values are null in `rows`, and `hidden` says why. */
export type SuppressedFigure = Figure & {
  /** The same rows with every hidden value set to null. */
  readonly rows: readonly Row[];
  /** For each row, the columns hidden and why. */
  readonly hidden: readonly Readonly<Record<string, Suppression>>[];
  /** Which kinds of suppression occur (for the notes under the table and chart). */
  readonly suppressions: ReadonlySet<Suppression>;
};

/** The smallest count that is shown as it is. */
export const SMALLEST_SHOWN = 5;

const isCount = (column: Column): boolean => column.kind === 'count';
const TOTAL_LABEL = /^(total|all)$/i;

function num(cell: Cell | undefined): number | undefined {
  return typeof cell === 'number' && Number.isFinite(cell) ? cell : undefined;
}

/** The index of the table's total row, when one is labelled or adds up; otherwise undefined. */
export function totalRowIndex(columns: readonly Column[], rows: readonly Row[]): number | undefined {
  const counts = columns.filter(isCount).map((c) => c.key);
  if (counts.length === 0 || rows.length < 3) return undefined;
  const label = columns.find((c) => c.kind === 'text')?.key;
  if (label !== undefined) {
    const labelled = rows.findIndex((row) => {
      const value = row[label];
      return typeof value === 'string' && TOTAL_LABEL.test(value.trim());
    });
    if (labelled >= 0) return labelled;
  }
  const sums = counts.map((key) => rows.reduce((sum, row) => sum + (num(row[key]) ?? 0), 0));
  // A total row holds half of every column's sum over all rows (itself plus the others).
  for (let index = rows.length - 1; index >= 0; index--) {
    const row = rows[index];
    if (!row) continue;
    let adds = true;
    let anyValue = false;
    counts.forEach((key, k) => {
      const value = num(row[key]);
      if (value === undefined) return;
      anyValue = true;
      if (value * 2 !== sums[k]) adds = false;
    });
    if (adds && anyValue) return index;
  }
  return undefined;
}

/** Suppresses a figure's small numbers and whatever would let them be worked out. */
export function suppressFigure(figure: Figure): SuppressedFigure {
  const { columns, rows } = figure;
  const hidden: Record<string, Suppression>[] = rows.map(() => ({}));
  const countKeys = columns.filter(isCount).map((c) => c.key);
  const totalKeys = columns.filter((c) => c.kind === 'count' && c.total === true).map((c) => c.key);
  const partKeys = countKeys.filter((k) => !totalKeys.includes(k));

  // 1. Primary.
  rows.forEach((row, r) => {
    for (const key of countKeys) {
      const value = num(row[key]);
      if (value !== undefined && value > 0 && value < SMALLEST_SHOWN) (hidden[r] ?? {})[key] = 'small';
    }
  });

  // 2. Secondary, over groups of [row index, column key] cells with a total.
  type Place = readonly [number, string];
  const groups: { readonly parts: readonly Place[]; readonly totals: readonly Place[] }[] = [];
  if (totalKeys.length > 0) {
    rows.forEach((_, r) => {
      groups.push({
        parts: partKeys.map((k) => [r, k] as const),
        totals: totalKeys.map((k) => [r, k] as const),
      });
    });
  }
  const totalRow = totalRowIndex(columns, rows);
  if (totalRow !== undefined) {
    for (const key of countKeys) {
      const parts = rows.map((_, r) => [r, key] as const).filter(([r]) => r !== totalRow);
      groups.push({ parts, totals: [[totalRow, key]] });
    }
  }
  const isHidden = ([r, k]: Place) => hidden[r]?.[k] !== undefined;
  const valueAt = ([r, k]: Place) => num(rows[r]?.[k]);
  let changed = groups.length > 0;
  while (changed) {
    changed = false;
    for (const group of groups) {
      const all = [...group.parts, ...group.totals];
      if (all.filter(isHidden).length !== 1) continue;
      const pick =
        smallest(
          group.parts.filter((p) => !isHidden(p)),
          valueAt,
        ) ??
        smallest(
          group.totals.filter((p) => !isHidden(p)),
          valueAt,
        );
      if (pick === undefined) continue;
      const [r, k] = pick;
      (hidden[r] ?? {})[k] = 'secondary';
      changed = true;
    }
  }

  // 3. Derived values.
  rows.forEach((_, r) => {
    const marks = hidden[r] ?? {};
    for (const column of columns) {
      if (column.kind === 'text' || column.kind === 'count' || !column.from) continue;
      if (marks[column.key] === undefined && column.from.some((k) => marks[k] !== undefined)) {
        marks[column.key] = 'derived';
      }
    }
  });

  const suppressions = new Set<Suppression>();
  const shown = rows.map((row, r) => {
    const marks = hidden[r] ?? {};
    const keys = Object.keys(marks);
    if (keys.length === 0) return row;
    const copy: Record<string, Cell> = { ...row };
    for (const key of keys) {
      copy[key] = null;
      const why = marks[key];
      if (why) suppressions.add(why);
    }
    return copy;
  });
  return { ...figure, rows: shown, hidden, suppressions };
}

/** The smallest non-zero value among the places (the first of equals), or undefined. */
function smallest<P>(places: readonly P[], valueAt: (p: P) => number | undefined): P | undefined {
  let best: P | undefined;
  let bestValue = Infinity;
  for (const place of places) {
    const value = valueAt(place);
    if (value === undefined || value === 0) continue;
    if (value < bestValue) {
      best = place;
      bestValue = value;
    }
  }
  return best;
}

/** The notes a suppressed figure needs under its table. */
export function suppressionNotes(figure: SuppressedFigure): string[] {
  const notes: string[] = [];
  if (figure.suppressions.has('small')) notes.push(SUPPRESSION_NOTES.small);
  if (figure.suppressions.has('secondary') || figure.suppressions.has('derived'))
    notes.push(SUPPRESSION_NOTES.hidden);
  return notes;
}
