/**
 * Dates in returns as whole days since 1970-01-01 (UTC), so rules compare plain numbers.
 * CIN census dates are ISO `YYYY-MM-DD`; SSDA903 dates are `dd/mm/YYYY`. Anything that is not a
 * real calendar date in the expected form is `null` (never a guess).
 */
const DAY_MS = 86_400_000;

function fromParts(year: number, month: number, day: number): number | null {
  if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31) return null;
  const ms = Date.UTC(year, month - 1, day);
  const d = new Date(ms);
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) {
    return null;
  }
  return Math.round(ms / DAY_MS);
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;
const UK = /^(\d{2})\/(\d{2})\/(\d{4})$/;

/** `2026-03-31` → day number; null when blank or not a real date. */
export function isoDay(value: string | undefined): number | null {
  if (value === undefined) return null;
  const m = ISO.exec(value.trim());
  return m ? fromParts(Number(m[1]), Number(m[2]), Number(m[3])) : null;
}

/** `31/03/2026` → day number; null when blank or not a real date. */
export function ukDay(value: string | undefined): number | null {
  if (value === undefined) return null;
  const m = UK.exec(value.trim());
  return m ? fromParts(Number(m[3]), Number(m[2]), Number(m[1])) : null;
}

export function dayOf(year: number, month: number, day: number): number {
  const d = fromParts(year, month, day);
  if (d === null) throw new RangeError(`not a date: ${year}-${month}-${day}`);
  return d;
}

export function dayToIso(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function dayToUk(day: number): string {
  const iso = dayToIso(day);
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
}

/** The same calendar day `years` later (29 February → 28 February in a common year). */
export function addYears(day: number, years: number): number {
  const d = new Date(day * DAY_MS);
  const y = d.getUTCFullYear() + years;
  const m = d.getUTCMonth();
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Math.round(Date.UTC(y, m, Math.min(d.getUTCDate(), last)) / DAY_MS);
}

/** Age in whole years on `on` for someone born on `born`. */
export function ageOn(born: number, on: number): number {
  const b = new Date(born * DAY_MS);
  const o = new Date(on * DAY_MS);
  let age = o.getUTCFullYear() - b.getUTCFullYear();
  if (
    o.getUTCMonth() < b.getUTCMonth() ||
    (o.getUTCMonth() === b.getUTCMonth() && o.getUTCDate() < b.getUTCDate())
  ) {
    age -= 1;
  }
  return age;
}
