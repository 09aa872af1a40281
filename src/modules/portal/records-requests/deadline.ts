/**
 * The statutory deadline for a request for records (UK GDPR article 12(3)): one calendar month from
 * the day the request is received, i.e. the same day of the next month, or the last day of the next
 * month when that day does not exist (received 31 January: due 28 February, or 29 in a leap year).
 */
export function recordsRequestDueOn(receivedOn: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(receivedOn);
  if (!match) throw new RangeError('Expected an ISO date (YYYY-MM-DD)');
  const year = Number(match[1]);
  const month = Number(match[2]); // 1-12
  const day = Number(match[3]);
  const nextYear = month === 12 ? year + 1 : year;
  const nextMonth = month === 12 ? 1 : month + 1;
  // Day 0 of the month after next is the last day of the next month.
  const lastDay = new Date(Date.UTC(nextYear, nextMonth, 0)).getUTCDate();
  const dueDay = Math.min(day, lastDay);
  return `${String(nextYear).padStart(4, '0')}-${String(nextMonth).padStart(2, '0')}-${String(dueDay).padStart(2, '0')}`;
}

/** Whole calendar days from `today` to `dueOn`: negative once the deadline has passed. */
export function daysLeft(today: string, dueOn: string): number {
  const ms = Date.parse(`${dueOn}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`);
  return Math.round(ms / 86_400_000);
}
