/**
 * Helpers shared by the part D rules (DoLo, 1000s, integrity checks, social worker episodes):
 * reading a row's cells and dates, ordering episodes, and the few facts several rules ask about a
 * child (date of birth, whether looked after on 31 March, whether care leaver data is present).
 */
import { addYears, ageOn, ukDay } from '../../../validation/dates.ts';
import type { Finding } from '../../../validation/rule.ts';
import type { Child903, Row, Ssda903Context, Ssda903Table } from '../../model.ts';

/** A cell's value, trimmed; undefined when blank. */
export function cell(r: Row, field: string): string | undefined {
  const v = r.values[field]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

/** Parsed dates by their text: a return repeats the same few thousand dates across many rules. */
const parsed = new Map<string, number | null>();
const PARSED_MAX = 50_000;

/** A 903 date cell as a day number; null when blank or not a real `dd/mm/YYYY` date. */
export function day(r: Row, field: string): number | null {
  const text = r.values[field];
  if (text === undefined) return null;
  const known = parsed.get(text);
  if (known !== undefined) return known;
  const d = ukDay(text);
  if (parsed.size >= PARSED_MAX) parsed.clear();
  parsed.set(text, d);
  return d;
}

/** True when the cell holds something that is not a real `dd/mm/YYYY` date. */
export function invalidDate(r: Row, field: string): boolean {
  return cell(r, field) !== undefined && day(r, field) === null;
}

export function finding(table: Ssda903Table, fields: readonly string[], r?: Row): Finding {
  return { table, fields, row: r?.row };
}

/** Rows ordered by a date column (rows whose date is blank or invalid are left out). */
export function byDate(rows: readonly Row[], field: string): { r: Row; at: number }[] {
  const out: { r: Row; at: number }[] = [];
  for (const r of rows) {
    const at = day(r, field);
    if (at !== null) out.push({ r, at });
  }
  return out.sort((a, b) => a.at - b.at);
}

/** The child's date of birth from the Header, or failing that from another file's DOB column. */
export function dateOfBirth(child: Child903, ...fallback: readonly Row[]): number | null {
  for (const r of [...child.tables.Header, ...fallback]) {
    const d = day(r, 'DOB');
    if (d !== null) return d;
  }
  return null;
}

/** The latest episode by start date (its DEC tells whether the child left care). */
export function lastEpisode(episodes: readonly Row[]): Row | undefined {
  return byDate(episodes, 'DECOM').at(-1)?.r;
}

/** Episodes open on 31 March of the collection year (started by then, not ended before). */
export function openAtYearEnd(child: Child903, ctx: Ssda903Context): Row[] {
  return child.tables.Episodes.filter((e) => {
    const start = day(e, 'DECOM');
    if (start === null || start > ctx.periodEnd) return false;
    const end = day(e, 'DEC');
    return cell(e, 'DEC') === undefined || (end !== null && end > ctx.periodEnd);
  });
}

/** Whether the child is looked after on 31 March other than under short-break legal statuses. */
export function lookedAfterAtYearEnd(child: Child903, ctx: Ssda903Context): boolean {
  return openAtYearEnd(child, ctx).some((e) => !SHORT_BREAKS.has(cell(e, 'LS') ?? ''));
}

export const SHORT_BREAKS: ReadonlySet<string> = new Set(['V3', 'V4']);

export const CARE_LEAVER_FIELDS = ['IN_TOUCH', 'ACTIV', 'ACCOM'] as const;

/** An OC3 row that carries any care leaver information. */
export function hasCareLeaverData(r: Row): boolean {
  return CARE_LEAVER_FIELDS.some((f) => cell(r, f) !== undefined);
}

/** Whether any of the child's episodes overlaps the collection year. */
export function hasEpisodeInYear(child: Child903, ctx: Ssda903Context): boolean {
  return child.tables.Episodes.some((e) => {
    const start = day(e, 'DECOM');
    if (start === null || start > ctx.periodEnd) return false;
    const end = day(e, 'DEC');
    return end === null || end >= ctx.periodStart;
  });
}

/** The child's age on 31 March, and the birthday on which they reached it (within the collection year). */
export function lastBirthday(dob: number, ctx: Ssda903Context): { age: number; on: number } {
  const age = ageOn(dob, ctx.periodEnd);
  return { age, on: addYears(dob, age) };
}

/** Fixtures: the cells of a table's first row (the baseline child has one); throws when there is none. */
export function values(rows: readonly Row[]): Row['values'] {
  const r = rows[0];
  if (!r) throw new Error('fixture: the table has no first row');
  return r.values;
}

/** Consecutive pairs of a list: [a, b], [b, c], … */
export function pairs<T>(items: readonly T[]): [T, T][] {
  const out: [T, T][] = [];
  for (let i = 1; i < items.length; i++) {
    const prev = items[i - 1];
    const cur = items[i];
    if (prev !== undefined && cur !== undefined) out.push([prev, cur]);
  }
  return out;
}
