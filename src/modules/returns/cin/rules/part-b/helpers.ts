/** Helpers shared by the part B CIN census rules: code lists, flags, census-year arithmetic. */
import { isWorkingDay } from '../../../../../platform/working-days.ts';
import { addYears, dayToIso, isoDay } from '../../../validation/dates.ts';
import type { Finding } from '../../../validation/rule.ts';
import type { CinChild, CinContext, CinDetails, CinSection47 } from '../../model.ts';

/** Code lists from ../../reference/cin-census-codes.tsv (latest year's list for each rule). */
export const DISABILITIES: ReadonlySet<string> = new Set(
  'NONE,MOB,HAND,PC,INC,COMM,LD,HEAR,VIS,BEH,CON,AUT,DDA'.split(','),
);
export const CLOSURE_REASONS: ReadonlySet<string> = new Set('RC1,RC2,RC3,RC4,RC5,RC6,RC7,RC8,RC9'.split(','));
export const PRIMARY_NEEDS: ReadonlySet<string> = new Set('N0,N1,N2,N3,N4,N5,N6,N7,N8,N9'.split(','));
export const UPN_UNKNOWN_REASONS: ReadonlySet<string> = new Set('UN2,UN3,UN4,UN5,UN6,UN7'.split(','));
export const REFERRAL_SOURCES: ReadonlySet<string> = new Set(
  '1A,1B,1C,1D,2A,2B,3A,3B,3C,3D,3E,3F,4,5A,5B,5C,5D,6,7,8,9,10'.split(','),
);
export const ABUSE_CATEGORIES: ReadonlySet<string> = new Set('NEG,PHY,SAB,EMO,MUL'.split(','));

/** `true`/`1` (any case). */
export function isTrue(value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = value.trim().toLowerCase();
  return v === 'true' || v === '1';
}

/** `false`/`0` (any case). */
export function isFalse(value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = value.trim().toLowerCase();
  return v === 'false' || v === '0';
}

export function present(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}

const parsed = new Map<string, number | null>();

/**
 * `isoDay` remembered: a census repeats the same few thousand dates across tens of thousands of
 * children, so a lookup beats parsing each one again. The memory is bounded.
 */
export function day(value: string | undefined): number | null {
  if (value === undefined) return null;
  let found = parsed.get(value);
  if (found === undefined) {
    found = isoDay(value);
    if (parsed.size < 50_000) parsed.set(value, found);
  }
  return found;
}

const yearsBefore = new Map<number, number>();

/** The same calendar day `years` earlier than `ref` (remembered: one reference date per return). */
export function yearsBeforeDay(ref: number, years: number): number {
  const key = ref * 128 + years;
  let found = yearsBefore.get(key);
  if (found === undefined) {
    found = addYears(ref, -years);
    yearsBefore.set(key, found);
  }
  return found;
}

/** A day within the census year (1 April to the reference date, both included). */
export function inCensusYear(day: number, ctx: CinContext): boolean {
  return day >= ctx.periodStart && day <= ctx.referenceDate;
}

/** A date that is present but not a real date inside the census year (blank: false). */
export function presentOutsideYear(value: string | undefined, ctx: CinContext): boolean {
  if (!present(value)) return false;
  const d = day(value);
  return d === null || !inCensusYear(d, ctx);
}

/** Saturday or Sunday (day numbers count from Thursday 1 January 1970). */
export function isWeekend(day: number): boolean {
  const weekday = (((day + 4) % 7) + 7) % 7;
  return weekday === 0 || weekday === 6;
}

/** Same calendar day `months` later (the 31st → last day of a shorter month). */
export function addMonths(day: number, months: number): number {
  const d = new Date(day * 86_400_000);
  const total = d.getUTCMonth() + months;
  const y = d.getUTCFullYear() + Math.floor(total / 12);
  const m = ((total % 12) + 12) % 12;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Math.round(Date.UTC(y, m, Math.min(d.getUTCDate(), last)) / 86_400_000);
}

const workingBefore = new Map<number, number>();

/** The day `n` working days (England and Wales) before `day`; the day itself is not counted. */
export function workingDaysBefore(day: number, n: number): number {
  const key = day * 1024 + n;
  let found = workingBefore.get(key);
  if (found === undefined) {
    let d = day;
    let left = n;
    while (left > 0) {
      d -= 1;
      if (isWorkingDay(dayToIso(d))) left -= 1;
    }
    found = d;
    workingBefore.set(key, found);
  }
  return found;
}

/** Open: no date of initial conference and the conference not marked as not required. */
export function s47Open(s: CinSection47): boolean {
  return !present(s.DateOfInitialCPC) && !isTrue(s.ICPCnotRequired);
}

/** One finding per CINdetails element (for rules that run over every episode). */
export function perEpisode(
  details: readonly CinDetails[],
  test: (d: CinDetails) => readonly Finding[],
): Finding[] {
  const out: Finding[] = [];
  for (const d of details) out.push(...test(d));
  return out;
}

/**
 * Pairs of periods where one starts on or between the other's start and end (or the reference
 * date when the other has no end): the shape of the DfE "overlapping dates" rules. Returns the
 * indexes of the periods that start inside another.
 */
export function startsInsideAnother(
  periods: readonly { start: number | null; end: number | null; open: boolean }[],
  referenceDate: number,
): number[] {
  const hits: number[] = [];
  periods.forEach((a, i) => {
    if (a.start === null) return;
    const inside = periods.some((b, j) => {
      if (j === i || b.start === null || a.start === null) return false;
      if (a.start < b.start) return false;
      if (b.end !== null) return a.start <= b.end;
      return b.open && a.start <= referenceDate;
    });
    if (inside) hits.push(i);
  });
  return hits;
}

/** A value the caller knows is there (an index just found, a fixture's baseline element). */
export function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected element is missing');
  return value;
}

/** The first CIN episode of a child (every fixture's baseline has one). */
export function ep(child: CinChild): CinDetails {
  return must(child.cinDetails[0]);
}
