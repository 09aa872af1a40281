import { addWorkingDays } from '../../platform/working-days.ts';

/**
 * Dates inside the generator are whole day numbers (days since 1970-01-01), with no time or zone;
 * they become ISO dates ('YYYY-MM-DD') only when rows are written.
 */
export type Day = number;

const MS_PER_DAY = 86_400_000;
export const DAYS_PER_YEAR = 365.25;

export function dayOf(iso: string): Day {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!match) throw new RangeError(`Not an ISO date: ${iso}`);
  const value = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  const day = value / MS_PER_DAY;
  if (isoDay(day) !== iso) throw new RangeError(`Not a real date: ${iso}`);
  return day;
}

const cache = new Map<Day, string>();

export function isoDay(day: Day): string {
  let iso = cache.get(day);
  if (iso === undefined) {
    iso = new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
    if (cache.size < 100_000) cache.set(day, iso);
  }
  return iso;
}

/** A timestamp on that day (UTC), at the given minute of the day, for timestamptz columns. */
export function isoTime(day: Day, minuteOfDay: number): string {
  const minute = Math.max(0, Math.min(1439, Math.floor(minuteOfDay)));
  const hh = String(Math.floor(minute / 60)).padStart(2, '0');
  const mm = String(minute % 60).padStart(2, '0');
  return `${isoDay(day)}T${hh}:${mm}:00Z`;
}

/** Whole years of age on a day. */
export function ageOn(dateOfBirth: Day, on: Day): number {
  const birth = new Date(dateOfBirth * MS_PER_DAY);
  const at = new Date(on * MS_PER_DAY);
  let age = at.getUTCFullYear() - birth.getUTCFullYear();
  const monthDiff = at.getUTCMonth() - birth.getUTCMonth();
  if (monthDiff < 0 || (monthDiff === 0 && at.getUTCDate() < birth.getUTCDate())) age -= 1;
  return age;
}

/** The day someone reaches an age (the anniversary of birth; 29 February becomes 1 March). */
export function birthday(dateOfBirth: Day, years: number): Day {
  const birth = new Date(dateOfBirth * MS_PER_DAY);
  return Date.UTC(birth.getUTCFullYear() + years, birth.getUTCMonth(), birth.getUTCDate()) / MS_PER_DAY;
}

/** The same calendar day `years` earlier or later. */
export function addYears(day: Day, years: number): Day {
  return birthday(day, years);
}

const workingCache = new Map<string, Day>();

/** `n` working days (England and Wales) after a day. */
export function plusWorkingDays(day: Day, n: number): Day {
  const key = `${day}:${n}`;
  let result = workingCache.get(key);
  if (result === undefined) {
    result = dayOf(addWorkingDays(isoDay(day), n));
    if (workingCache.size < 200_000) workingCache.set(key, result);
  }
  return result;
}
