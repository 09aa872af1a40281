/** Fixture helpers for the part C rules: dates in the collection year, last year's return. */
import { dayToUk } from '../../../validation/dates.ts';
import {
  emptyTables,
  row,
  type Child903,
  type Row,
  type Ssda903Context,
  type Ssda903Tables,
} from '../../model.ts';

/** `dd/mm/` + the calendar year of 1 April of the collection year (`y`) or of 31 March (`y + 1`). */
export function inYear(ctx: Ssda903Context, dayMonth: string, next = false): string {
  const start = Number(dayToUk(ctx.periodStart).slice(6));
  return `${dayMonth}/${String(next ? start + 1 : start)}`;
}

/** The first row of a table (fixtures only: throws when there is none). */
export function firstOf(rows: readonly Row[]): Row {
  const r = rows[0];
  if (!r) throw new Error('no rows');
  return r;
}

/** The child's first (baseline) episode. */
export function ep(c: Child903, i = 0): Row {
  const r = c.tables.Episodes[i];
  if (!r) throw new Error(`no episode ${String(i)}`);
  return r;
}

/** The child's Header row. */
export function head(c: Child903): Row {
  const r = c.tables.Header[0];
  if (!r) throw new Error('no header');
  return r;
}

/** Give the child last year's return, built by `build`. */
export function lastYear(
  c: Child903,
  ctx: Ssda903Context,
  build: (prev: Ssda903Tables) => void,
): Ssda903Tables {
  ctx.hasPrevious = true;
  const prev = emptyTables();
  prev.Header.push(row({ ...head(c).values }, 1));
  build(prev);
  c.previous = prev;
  return prev;
}

/**
 * The child has been looked after since 1 February before the year: this year's first episode
 * starts then, and last year's return ends with the same episode still open.
 */
export function continuing(c: Child903, ctx: Ssda903Context): Ssda903Tables {
  ep(c).values.DECOM = inYear(ctx, '01/02');
  return lastYear(c, ctx, (prev) => {
    prev.Episodes.push(row({ ...ep(c).values }, 1));
  });
}

/** Add an episode row to this year's Episodes. */
export function addEpisode(c: Child903, values: Record<string, string | undefined>): Row {
  const r = row({ CHILD: c.id, ...values }, c.tables.Episodes.length + 1);
  c.tables.Episodes.push(r);
  return r;
}

/** Add a row to one of this year's tables. */
export function addRow(
  c: Child903,
  table: keyof Ssda903Tables,
  values: Record<string, string | undefined>,
): Row {
  const r = row({ CHILD: c.id, ...values }, c.tables[table].length + 1);
  c.tables[table].push(r);
  return r;
}

/**
 * The child was adopted this year: placed for adoption under a placement order from the start of
 * the episode (10 May), matched on 1 September, adopted on 1 December; the decision that they
 * should be placed for adoption (and that adoption was in their best interests) was on 1 May.
 */
export function adoptedThisYear(c: Child903, ctx: Ssda903Context): { ad1: Row; placed: Row } {
  const e = ep(c);
  e.values.LS = 'E1';
  e.values.PLACE = 'A5';
  e.values.DEC = inYear(ctx, '01/12');
  e.values.REC = 'E11';
  const dob = head(c).values.DOB;
  const ad1 = addRow(c, 'AD1', {
    DOB: dob,
    DATE_INT: inYear(ctx, '01/05'),
    DATE_MATCH: inYear(ctx, '01/09'),
    FOSTER_CARE: '0',
    NB_ADOPTR: '2',
    SEX_ADOPTR: 'MF',
    LS_ADOPTR: 'L11',
  });
  const placed = addRow(c, 'PlacedAdoption', { DOB: dob, DATE_PLACED: inYear(ctx, '01/05') });
  return { ad1, placed };
}

/** AD1 row with the adopter fields given (the rest of the adoption left as in `adoptedThisYear`). */
export function adopters(c: Child903, ctx: Ssda903Context, values: Record<string, string | undefined>): Row {
  const { ad1 } = adoptedThisYear(c, ctx);
  ad1.values = Object.fromEntries(
    Object.entries({ ...ad1.values, ...values }).filter(([, v]) => v !== undefined),
  );
  return ad1;
}
