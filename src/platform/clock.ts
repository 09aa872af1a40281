/** Injectable time, so tests can move the clock. */
export type Clock = { now(): Date };
export const systemClock: Clock = { now: () => new Date() };

const LONDON_DAY = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The date in England (Europe/London) at an instant, as YYYY-MM-DD. One formatter, made once. */
export function londonDate(at: Date): string {
  return LONDON_DAY.format(at);
}
