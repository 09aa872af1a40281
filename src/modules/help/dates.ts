/** Dates in the words the help record's pages and sentences use. Pure functions. */

const LONG_DATE = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/** "2 March 2026" for an ISO date (or the date part of a timestamp); '' for none. */
export function longDate(iso: string | null | undefined): string {
  if (!iso) return '';
  return LONG_DATE.format(new Date(`${iso.slice(0, 10)}T12:00:00Z`));
}

/** The ISO date `days` calendar days after another. */
export function addCalendarDays(iso: string, days: number): string {
  const date = new Date(`${iso}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** The latest of two ISO dates. */
export function laterOf(a: string, b: string): string {
  return a > b ? a : b;
}
