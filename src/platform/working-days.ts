/**
 * Working days in England and Wales, for statutory timescales ("assessment within 45 working days",
 * "decision within 1 working day").
 *
 * A working day is Monday to Friday and not a bank holiday in England and Wales. Dates are ISO date
 * strings, 'YYYY-MM-DD', with no time and no time zone: internally each date is a whole number of
 * days since 1970-01-01 in the proleptic Gregorian calendar, so summer time and the server's zone
 * cannot move a date.
 *
 * Bank holidays are computed from the rules (Banking and Financial Dealings Act 1971 and the royal
 * proclamations made under it) plus a small table of the one-off changes. The rules below are the
 * pattern in force since 1978, when the early May bank holiday began; they are applied to every
 * year, so dates before 1978 are not historically accurate. Nothing is fetched at runtime: when
 * GOV.UK announces a new one-off change (https://www.gov.uk/bank-holidays), add it to
 * EXCEPTIONAL_CHANGES and to the test.
 */

export type BankHoliday = { readonly date: string; readonly name: string };

const SUNDAY = 0;
const MONDAY = 1;
const SATURDAY = 6;
const SUBSTITUTE = ' (substitute day)';

// ---------------------------------------------------------------------------------------------
// Date-only arithmetic on day numbers (days since 1970-01-01), independent of Date and time zones.
// ---------------------------------------------------------------------------------------------

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Day number of a calendar date (Howard Hinnant's days_from_civil). */
function dayNumber(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** Calendar date of a day number (Howard Hinnant's civil_from_days). */
function civil(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
function weekday(days: number): number {
  return (((days + 4) % 7) + 7) % 7;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function isoOf(days: number): string {
  const { year, month, day } = civil(days);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MIN_YEAR = 1;
const MAX_YEAR = 9999;
const LAST_DAY = dayNumber(MAX_YEAR, 12, 31);

/** Day number of an ISO date string; RangeError for anything that is not a real calendar date. */
function parse(date: string, label = 'date'): number {
  const match = typeof date === 'string' ? ISO_DATE.exec(date) : null;
  if (match) {
    const year = Number(match[1]);
    const month = Number(match[2]);
    const day = Number(match[3]);
    if (year >= MIN_YEAR && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)) {
      return dayNumber(year, month, day);
    }
  }
  const shown = typeof date === 'string' ? JSON.stringify(date.slice(0, 40)) : typeof date;
  throw new RangeError(`Invalid ${label} ${shown}: expected a real calendar date written YYYY-MM-DD`);
}

function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
    throw new RangeError(
      `Invalid year ${String(year)}: expected a whole number from ${MIN_YEAR} to ${MAX_YEAR}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Bank holidays
// ---------------------------------------------------------------------------------------------

/** Easter Sunday's day number: the anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return dayNumber(year, month, day);
}

function firstMonday(year: number, month: number): number {
  const first = dayNumber(year, month, 1);
  return first + ((MONDAY - weekday(first) + 7) % 7);
}

function lastMonday(year: number, month: number): number {
  const last = dayNumber(year, month, daysInMonth(year, month));
  return last - ((weekday(last) - MONDAY + 7) % 7);
}

/** The regular holidays whose date a one-off change may move. */
type Movable = 'earlyMay' | 'spring' | 'summer';

type ExceptionalChange = {
  /** Regular holidays moved to another date (the name is kept, as GOV.UK does). */
  readonly moved?: Partial<Record<Movable, { readonly date: string; readonly name?: string }>>;
  /** Extra one-off bank holidays. */
  readonly extra?: readonly BankHoliday[];
};

/**
 * One-off changes made by royal proclamation.
 *
 * 2012 to 2023: as published by GOV.UK in https://www.gov.uk/bank-holidays.json (the
 * england-and-wales division; the file lists 2012 onwards), names as GOV.UK gives them.
 * 1995 to 2011: from the proclamations of those years (GOV.UK's file does not go back that far);
 * the dates agree across independent calendars (QuantLib's UnitedKingdom, workalendar, pandas
 * market calendars).
 */
const EXCEPTIONAL_CHANGES: ReadonlyMap<number, ExceptionalChange> = new Map<number, ExceptionalChange>([
  // 50th anniversary of VE Day: the early May bank holiday moved from Monday 1 May.
  [1995, { moved: { earlyMay: { date: '1995-05-08', name: 'Early May bank holiday (VE day)' } } }],
  [1999, { extra: [{ date: '1999-12-31', name: 'Millennium bank holiday' }] }],
  // Golden Jubilee: the spring bank holiday moved from Monday 27 May to Tuesday 4 June.
  [
    2002,
    {
      moved: { spring: { date: '2002-06-04' } },
      extra: [{ date: '2002-06-03', name: 'Queen’s Golden Jubilee' }],
    },
  ],
  [2011, { extra: [{ date: '2011-04-29', name: 'Royal wedding' }] }],
  // Diamond Jubilee: the spring bank holiday moved from Monday 28 May to Monday 4 June.
  [
    2012,
    {
      moved: { spring: { date: '2012-06-04' } },
      extra: [{ date: '2012-06-05', name: 'Queen’s Diamond Jubilee' }],
    },
  ],
  // 75th anniversary of VE Day: the early May bank holiday moved from Monday 4 May to Friday 8 May.
  [2020, { moved: { earlyMay: { date: '2020-05-08', name: 'Early May bank holiday (VE day)' } } }],
  // Platinum Jubilee: the spring bank holiday moved from Monday 30 May to Thursday 2 June.
  [
    2022,
    {
      moved: { spring: { date: '2022-06-02' } },
      extra: [
        { date: '2022-06-03', name: 'Platinum Jubilee bank holiday' },
        { date: '2022-09-19', name: 'Bank Holiday for the State Funeral of Queen Elizabeth II' },
      ],
    },
  ],
  [2023, { extra: [{ date: '2023-05-08', name: 'Bank holiday for the coronation of King Charles III' }] }],
]);

type YearHolidays = {
  /** Sorted by date, frozen: handed out as copies. */
  readonly list: readonly BankHoliday[];
  /** Day numbers, for isWorkingDay. */
  readonly days: ReadonlySet<number>;
  /** Sorted day numbers of the holidays that fall on a weekday, for counting across ranges. */
  readonly weekdayDays: readonly number[];
};

const cache = new Map<number, YearHolidays>();

function computeYear(year: number): YearHolidays {
  const entries: { day: number; name: string }[] = [];
  const add = (day: number, name: string) => entries.push({ day, name });
  const change = EXCEPTIONAL_CHANGES.get(year);

  // New Year's Day; on a weekend, the following Monday.
  const newYear = dayNumber(year, 1, 1);
  const newYearWeekday = weekday(newYear);
  if (newYearWeekday === SATURDAY) add(newYear + 2, `New Year’s Day${SUBSTITUTE}`);
  else if (newYearWeekday === SUNDAY) add(newYear + 1, `New Year’s Day${SUBSTITUTE}`);
  else add(newYear, 'New Year’s Day');

  const easter = easterSunday(year);
  add(easter - 2, 'Good Friday');
  add(easter + 1, 'Easter Monday');

  const movable: Record<Movable, { day: number; name: string }> = {
    earlyMay: { day: firstMonday(year, 5), name: 'Early May bank holiday' },
    spring: { day: lastMonday(year, 5), name: 'Spring bank holiday' },
    summer: { day: lastMonday(year, 8), name: 'Summer bank holiday' },
  };
  for (const key of ['earlyMay', 'spring', 'summer'] as const) {
    const moved = change?.moved?.[key];
    const regular = movable[key];
    if (moved) add(parse(moved.date, 'exceptional bank holiday'), moved.name ?? regular.name);
    else add(regular.day, regular.name);
  }

  // Christmas Day and Boxing Day, with substitute days when either falls at a weekend.
  const christmas = dayNumber(year, 12, 25);
  switch (weekday(christmas)) {
    case SATURDAY: // Boxing Day is Sunday: Monday 27 and Tuesday 28.
      add(christmas + 2, `Christmas Day${SUBSTITUTE}`);
      add(christmas + 3, `Boxing Day${SUBSTITUTE}`);
      break;
    case SUNDAY: // Boxing Day is Monday 26; Christmas moves to Tuesday 27.
      add(christmas + 1, 'Boxing Day');
      add(christmas + 2, `Christmas Day${SUBSTITUTE}`);
      break;
    case 5: // Friday: Boxing Day is Saturday, substitute Monday 28.
      add(christmas, 'Christmas Day');
      add(christmas + 3, `Boxing Day${SUBSTITUTE}`);
      break;
    default:
      add(christmas, 'Christmas Day');
      add(christmas + 1, 'Boxing Day');
  }

  for (const extra of change?.extra ?? []) add(parse(extra.date, 'exceptional bank holiday'), extra.name);

  entries.sort((x, y) => x.day - y.day);
  const unique = entries.filter((entry, index) => index === 0 || entries[index - 1]?.day !== entry.day);
  const list = Object.freeze(unique.map(({ day, name }) => Object.freeze({ date: isoOf(day), name })));
  const days = new Set(unique.map(({ day }) => day));
  const weekdayDays = unique.map(({ day }) => day).filter((day) => !isWeekend(day));
  return { list, days, weekdayDays };
}

function holidaysOf(year: number): YearHolidays {
  let found = cache.get(year);
  if (!found) {
    found = computeYear(year);
    cache.set(year, found);
  }
  return found;
}

/**
 * The bank holidays in England and Wales in a year, sorted by date: the days off, so a substitute
 * day is listed instead of a holiday that falls at a weekend.
 */
export function bankHolidaysEnglandAndWales(year: number): BankHoliday[] {
  checkYear(year);
  return holidaysOf(year).list.map((holiday) => ({ ...holiday }));
}

// ---------------------------------------------------------------------------------------------
// Working days
// ---------------------------------------------------------------------------------------------

function isWeekend(days: number): boolean {
  const day = weekday(days);
  return day === SATURDAY || day === SUNDAY;
}

function isWorkingDayNumber(days: number): boolean {
  return !isWeekend(days) && !holidaysOf(civil(days).year).days.has(days);
}

/** True on Monday to Friday unless it is a bank holiday in England and Wales. */
export function isWorkingDay(date: string): boolean {
  return isWorkingDayNumber(parse(date));
}

/** Day number of a Monday (1970-01-05), the origin for counting weekdays. */
const MONDAY_ORIGIN = 4;

/** Weekdays from MONDAY_ORIGIN up to and including `days` (negative before it): a step function. */
function weekdaysUpTo(days: number): number {
  const offset = days - MONDAY_ORIGIN;
  const weeks = Math.floor(offset / 7);
  return weeks * 5 + Math.min(offset - weeks * 7 + 1, 5);
}

/** The weekday whose weekdaysUpTo is `count` (the inverse of weekdaysUpTo on weekdays). */
function weekdayNumbered(count: number): number {
  const weeks = Math.floor((count - 1) / 5);
  return MONDAY_ORIGIN + weeks * 7 + (count - 1 - weeks * 5);
}

/** Index of the first element of a sorted array that is greater than `value`. */
function upperBound(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] ?? Infinity) <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Bank holidays falling on weekdays after `from` up to and including `to` (from < to). */
function weekdayHolidaysBetween(from: number, to: number): number {
  const firstYear = civil(from).year;
  const lastYear = civil(to).year;
  let count = 0;
  for (let year = firstYear; year <= lastYear; year++) {
    const days = holidaysOf(year).weekdayDays;
    count += upperBound(days, to) - upperBound(days, from);
  }
  return count;
}

function workingDaysBetweenNumbers(from: number, to: number): number {
  if (to <= from) return 0;
  return weekdaysUpTo(to) - weekdaysUpTo(from) - weekdayHolidaysBetween(from, to);
}

/**
 * The date `n` working days after `start`. The start day itself is never counted, whatever it is:
 * 1 working day after a Wednesday request is Thursday (if Thursday is a working day). With n = 0 the
 * answer is `start` when it is a working day, otherwise the next working day (the day a timescale
 * "starting" on a Saturday or bank holiday effectively starts).
 *
 * Computed without walking the calendar: find the weekday that is n + h weekdays after the start,
 * where h is the number of weekday bank holidays up to it, repeating until h stops changing. h only
 * grows and never passes its final value, so this settles on the answer after a few rounds.
 */
export function addWorkingDays(start: string, n: number): string {
  const from = parse(start, 'start date');
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`Invalid number of working days ${String(n)}: expected a whole number of 0 or more`);
  }
  if (n === 0 && isWorkingDayNumber(from)) return start;
  const target = Math.max(n, 1);
  const base = weekdaysUpTo(from);
  let holidays = 0;
  for (;;) {
    const candidate = weekdayNumbered(base + target + holidays);
    if (candidate > LAST_DAY) {
      throw new RangeError(`${String(n)} working days after ${start} is beyond the year ${MAX_YEAR}`);
    }
    const found = weekdayHolidaysBetween(from, candidate);
    if (found === holidays) return isoOf(candidate);
    holidays = found;
  }
}

/**
 * The number of working days after `from` up to and including `to`; 0 when `to` is on or before
 * `from`. So workingDaysBetween(d, addWorkingDays(d, n)) === n for n ≥ 1, and for n = 0 when d is
 * a working day.
 */
export function workingDaysBetween(from: string, to: string): number {
  return workingDaysBetweenNumbers(parse(from, 'from date'), parse(to, 'to date'));
}
