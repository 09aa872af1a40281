import { describe, expect, it } from 'vitest';
import {
  addWorkingDays,
  bankHolidaysEnglandAndWales,
  isWorkingDay,
  workingDaysBetween,
} from './working-days.ts';

/**
 * The England and Wales division of https://www.gov.uk/bank-holidays.json, written out by hand
 * (2012 is the first year that file lists). Substitute days are the dates GOV.UK gives, not the
 * weekend dates they replace.
 */
const GOV_UK_ENGLAND_AND_WALES: Record<number, readonly string[]> = {
  2012: [
    '2012-01-02',
    '2012-04-06',
    '2012-04-09',
    '2012-05-07',
    '2012-06-04',
    '2012-06-05',
    '2012-08-27',
    '2012-12-25',
    '2012-12-26',
  ],
  2013: [
    '2013-01-01',
    '2013-03-29',
    '2013-04-01',
    '2013-05-06',
    '2013-05-27',
    '2013-08-26',
    '2013-12-25',
    '2013-12-26',
  ],
  2014: [
    '2014-01-01',
    '2014-04-18',
    '2014-04-21',
    '2014-05-05',
    '2014-05-26',
    '2014-08-25',
    '2014-12-25',
    '2014-12-26',
  ],
  2015: [
    '2015-01-01',
    '2015-04-03',
    '2015-04-06',
    '2015-05-04',
    '2015-05-25',
    '2015-08-31',
    '2015-12-25',
    '2015-12-28',
  ],
  2016: [
    '2016-01-01',
    '2016-03-25',
    '2016-03-28',
    '2016-05-02',
    '2016-05-30',
    '2016-08-29',
    '2016-12-26',
    '2016-12-27',
  ],
  2017: [
    '2017-01-02',
    '2017-04-14',
    '2017-04-17',
    '2017-05-01',
    '2017-05-29',
    '2017-08-28',
    '2017-12-25',
    '2017-12-26',
  ],
  2018: [
    '2018-01-01',
    '2018-03-30',
    '2018-04-02',
    '2018-05-07',
    '2018-05-28',
    '2018-08-27',
    '2018-12-25',
    '2018-12-26',
  ],
  2019: [
    '2019-01-01',
    '2019-04-19',
    '2019-04-22',
    '2019-05-06',
    '2019-05-27',
    '2019-08-26',
    '2019-12-25',
    '2019-12-26',
  ],
  2020: [
    '2020-01-01',
    '2020-04-10',
    '2020-04-13',
    '2020-05-08',
    '2020-05-25',
    '2020-08-31',
    '2020-12-25',
    '2020-12-28',
  ],
  2021: [
    '2021-01-01',
    '2021-04-02',
    '2021-04-05',
    '2021-05-03',
    '2021-05-31',
    '2021-08-30',
    '2021-12-27',
    '2021-12-28',
  ],
  2022: [
    '2022-01-03',
    '2022-04-15',
    '2022-04-18',
    '2022-05-02',
    '2022-06-02',
    '2022-06-03',
    '2022-08-29',
    '2022-09-19',
    '2022-12-26',
    '2022-12-27',
  ],
  2023: [
    '2023-01-02',
    '2023-04-07',
    '2023-04-10',
    '2023-05-01',
    '2023-05-08',
    '2023-05-29',
    '2023-08-28',
    '2023-12-25',
    '2023-12-26',
  ],
  2024: [
    '2024-01-01',
    '2024-03-29',
    '2024-04-01',
    '2024-05-06',
    '2024-05-27',
    '2024-08-26',
    '2024-12-25',
    '2024-12-26',
  ],
  2025: [
    '2025-01-01',
    '2025-04-18',
    '2025-04-21',
    '2025-05-05',
    '2025-05-26',
    '2025-08-25',
    '2025-12-25',
    '2025-12-26',
  ],
  2026: [
    '2026-01-01',
    '2026-04-03',
    '2026-04-06',
    '2026-05-04',
    '2026-05-25',
    '2026-08-31',
    '2026-12-25',
    '2026-12-28',
  ],
  2027: [
    '2027-01-01',
    '2027-03-26',
    '2027-03-29',
    '2027-05-03',
    '2027-05-31',
    '2027-08-30',
    '2027-12-27',
    '2027-12-28',
  ],
};

const DAY_MS = 86_400_000;

/** An independent oracle: the calendar walked one day at a time with Date in UTC. */
function nextDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

function naiveAddWorkingDays(start: string, n: number): string {
  let date = start;
  if (n === 0) {
    while (!isWorkingDay(date)) date = nextDay(date);
    return date;
  }
  for (let counted = 0; counted < n;) {
    date = nextDay(date);
    if (isWorkingDay(date)) counted++;
  }
  return date;
}

function everyDay(from: string, to: string): string[] {
  const days: string[] = [];
  for (let date = from; date <= to; date = nextDay(date)) days.push(date);
  return days;
}

function isWeekendDate(date: string): boolean {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day === 0 || day === 6;
}

describe('bankHolidaysEnglandAndWales', () => {
  it.each(Object.entries(GOV_UK_ENGLAND_AND_WALES))('matches the GOV.UK list for %s', (year, expected) => {
    expect(bankHolidaysEnglandAndWales(Number(year)).map((holiday) => holiday.date)).toEqual(expected);
  });

  it('gets the one-off changes and the tricky substitute days right, with their names', () => {
    const named = (year: number) =>
      Object.fromEntries(bankHolidaysEnglandAndWales(year).map((holiday) => [holiday.date, holiday.name]));
    expect(named(2020)).toMatchObject({ '2020-05-08': 'Early May bank holiday (VE day)' });
    expect(named(2020)).not.toHaveProperty('2020-05-04');
    expect(named(2022)).toMatchObject({
      '2022-06-02': 'Spring bank holiday',
      '2022-06-03': 'Platinum Jubilee bank holiday',
      '2022-09-19': 'Bank Holiday for the State Funeral of Queen Elizabeth II',
      '2022-12-26': 'Boxing Day',
      '2022-12-27': 'Christmas Day (substitute day)',
    });
    expect(named(2022)).not.toHaveProperty('2022-05-30');
    expect(named(2023)).toMatchObject({
      '2023-05-08': 'Bank holiday for the coronation of King Charles III',
    });
    expect(named(2021)).toMatchObject({
      '2021-12-27': 'Christmas Day (substitute day)',
      '2021-12-28': 'Boxing Day (substitute day)',
    });
    expect(named(2026)).toMatchObject({
      '2026-12-25': 'Christmas Day',
      '2026-12-28': 'Boxing Day (substitute day)',
    });
    expect(named(2027)).toMatchObject({
      '2027-12-27': 'Christmas Day (substitute day)',
      '2027-12-28': 'Boxing Day (substitute day)',
    });
    expect(named(2022)).toMatchObject({ '2022-01-03': 'New Year’s Day (substitute day)' });
    expect(named(2012)).toMatchObject({
      '2012-06-04': 'Spring bank holiday',
      '2012-06-05': 'Queen’s Diamond Jubilee',
    });
  });

  it('includes the earlier one-off changes', () => {
    const dates = (year: number) => bankHolidaysEnglandAndWales(year).map((holiday) => holiday.date);
    expect(dates(1995)).toContain('1995-05-08');
    expect(dates(1995)).not.toContain('1995-05-01');
    expect(dates(1999)).toEqual(expect.arrayContaining(['1999-12-27', '1999-12-28', '1999-12-31']));
    expect(dates(2000)[0]).toBe('2000-01-03');
    expect(dates(2002)).toEqual(expect.arrayContaining(['2002-06-03', '2002-06-04']));
    expect(dates(2002)).not.toContain('2002-05-27');
    expect(dates(2011)).toContain('2011-04-29');
  });

  it('computes Easter for years outside the table, including its earliest and latest dates', () => {
    const dates = (year: number) => bankHolidaysEnglandAndWales(year).map((holiday) => holiday.date);
    // Easter Sunday 22 March 2285 (the earliest possible) and 25 April 2038 (the latest).
    expect(dates(2285)).toEqual(expect.arrayContaining(['2285-03-20', '2285-03-23']));
    expect(dates(2038)).toEqual(expect.arrayContaining(['2038-04-23', '2038-04-26']));
    // Easter Sunday 16 April 2028; New Year's Day 2028 is a Saturday.
    expect(dates(2028)).toEqual([
      '2028-01-03',
      '2028-04-14',
      '2028-04-17',
      '2028-05-01',
      '2028-05-29',
      '2028-08-28',
      '2028-12-25',
      '2028-12-26',
    ]);
  });

  it('lists only weekdays, sorted and without duplicates, for many years', () => {
    for (let year = 1978; year <= 2100; year++) {
      const dates = bankHolidaysEnglandAndWales(year).map((holiday) => holiday.date);
      expect(dates.length, String(year)).toBeGreaterThanOrEqual(8);
      expect([...dates].sort(), String(year)).toEqual(dates);
      expect(new Set(dates).size, String(year)).toBe(dates.length);
      for (const date of dates) {
        expect(isWeekendDate(date), date).toBe(false);
        expect(date.startsWith(String(year)), date).toBe(true);
      }
    }
  });

  it('hands out copies, so a caller cannot change the cached list', () => {
    const first = bankHolidaysEnglandAndWales(2025);
    first.pop();
    const holiday = first[0];
    if (holiday) (holiday as { date: string }).date = '2025-01-02';
    expect(bankHolidaysEnglandAndWales(2025)).toHaveLength(8);
    expect(bankHolidaysEnglandAndWales(2025)[0]?.date).toBe('2025-01-01');
    expect(isWorkingDay('2025-01-02')).toBe(true);
  });

  it('refuses a year that is not a whole number in range', () => {
    for (const year of [2025.5, Number.NaN, 0, 10_000, -1]) {
      expect(() => bankHolidaysEnglandAndWales(year)).toThrow(RangeError);
    }
  });
});

describe('isWorkingDay', () => {
  it('is false at weekends and on bank holidays, true on other weekdays', () => {
    expect(isWorkingDay('2025-12-24')).toBe(true); // Wednesday
    expect(isWorkingDay('2025-12-25')).toBe(false);
    expect(isWorkingDay('2025-12-26')).toBe(false);
    expect(isWorkingDay('2025-12-27')).toBe(false); // Saturday
    expect(isWorkingDay('2025-12-28')).toBe(false); // Sunday
    expect(isWorkingDay('2025-12-29')).toBe(true);
    expect(isWorkingDay('2020-05-04')).toBe(true); // the early May holiday moved to VE Day
    expect(isWorkingDay('2020-05-08')).toBe(false);
    expect(isWorkingDay('2022-05-30')).toBe(true); // the spring holiday moved for the Platinum Jubilee
    expect(isWorkingDay('2022-09-19')).toBe(false);
    expect(isWorkingDay('2028-02-29')).toBe(true); // a Tuesday in a leap year
  });

  it('agrees with the GOV.UK list for every day from 2012 to 2027', () => {
    const holidays = new Set(Object.values(GOV_UK_ENGLAND_AND_WALES).flat());
    for (const date of everyDay('2012-01-01', '2027-12-31')) {
      expect(isWorkingDay(date), date).toBe(!isWeekendDate(date) && !holidays.has(date));
    }
  });
});

describe('addWorkingDays', () => {
  it('counts from the day after the start, across Christmas and New Year', () => {
    expect(addWorkingDays('2025-12-24', 1)).toBe('2025-12-29');
    expect(addWorkingDays('2025-12-23', 1)).toBe('2025-12-24');
    expect(addWorkingDays('2025-12-31', 1)).toBe('2026-01-02');
    // Christmas Day 2027 is a Saturday: 27 and 28 December are the substitute days.
    expect(addWorkingDays('2027-12-24', 1)).toBe('2027-12-29');
    // New Year's Day 2028 is a Saturday: Monday 3 January is the substitute day.
    expect(addWorkingDays('2027-12-31', 1)).toBe('2028-01-04');
  });

  it('counts 45 working days from Monday 3 November 2025 to Thursday 8 January 2026', () => {
    // Worked by hand: 4 to 7 Nov (4), then full weeks to 19 Dec (34), 22 to 24 Dec (37),
    // 29 to 31 Dec (40), 2 Jan (41), 5 to 8 Jan (45); 25 and 26 Dec and 1 Jan are bank holidays.
    expect(addWorkingDays('2025-11-03', 45)).toBe('2026-01-08');
    expect(workingDaysBetween('2025-11-03', '2026-01-08')).toBe(45);
    expect(addWorkingDays('2025-11-03', 44)).toBe('2026-01-07');
  });

  it('steps over Easter and the other Monday holidays', () => {
    expect(addWorkingDays('2026-04-02', 1)).toBe('2026-04-07'); // Good Friday 3, Easter Monday 6 April
    expect(addWorkingDays('2025-04-17', 2)).toBe('2025-04-23');
    expect(addWorkingDays('2022-06-01', 1)).toBe('2022-06-06'); // Platinum Jubilee 2 and 3 June
    expect(addWorkingDays('2020-05-07', 1)).toBe('2020-05-11'); // VE Day, Friday 8 May
  });

  it('handles weekends and leap days', () => {
    expect(addWorkingDays('2025-06-06', 1)).toBe('2025-06-09'); // Friday to Monday
    expect(addWorkingDays('2025-06-07', 1)).toBe('2025-06-09'); // Saturday start is not counted
    expect(addWorkingDays('2025-06-08', 5)).toBe('2025-06-13');
    expect(addWorkingDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addWorkingDays('2028-02-29', 1)).toBe('2028-03-01');
    expect(addWorkingDays('2028-02-25', 3)).toBe('2028-03-01');
    expect(addWorkingDays('2027-02-26', 1)).toBe('2027-03-01');
  });

  it('returns the start for 0 working days if it is a working day, otherwise the next working day', () => {
    expect(addWorkingDays('2025-12-24', 0)).toBe('2025-12-24');
    expect(addWorkingDays('2025-12-25', 0)).toBe('2025-12-29');
    expect(addWorkingDays('2025-12-27', 0)).toBe('2025-12-29');
    expect(addWorkingDays('2027-12-25', 0)).toBe('2027-12-29');
  });

  it('agrees with walking the calendar a day at a time, for every start day over two years', () => {
    const counts = [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 15, 20, 35, 45, 65, 130];
    for (const start of everyDay('2025-01-01', '2026-12-31')) {
      for (const n of counts) {
        expect(addWorkingDays(start, n), `${start} + ${n}`).toBe(naiveAddWorkingDays(start, n));
      }
    }
  });

  it('agrees with walking the calendar over long ranges', () => {
    expect(addWorkingDays('2019-12-20', 2000)).toBe(naiveAddWorkingDays('2019-12-20', 2000));
    expect(addWorkingDays('1999-12-30', 1)).toBe('2000-01-04'); // Millennium bank holiday, then 3 January
    expect(addWorkingDays('2011-01-01', 253 * 10)).toBe(naiveAddWorkingDays('2011-01-01', 253 * 10));
  });

  it('refuses negative, fractional and non-numeric counts', () => {
    for (const n of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => addWorkingDays('2025-01-06', n)).toThrow(RangeError);
    }
    expect(() => addWorkingDays('2025-01-06', -1)).toThrow(/whole number of 0 or more/);
    expect(() => addWorkingDays('9999-12-30', 5)).toThrow(RangeError);
  });
});

describe('workingDaysBetween', () => {
  it('counts working days after the first date up to and including the second', () => {
    expect(workingDaysBetween('2025-12-24', '2025-12-29')).toBe(1);
    expect(workingDaysBetween('2025-12-24', '2025-12-28')).toBe(0);
    expect(workingDaysBetween('2025-06-06', '2025-06-09')).toBe(1);
    expect(workingDaysBetween('2028-02-25', '2028-03-01')).toBe(3);
    expect(workingDaysBetween('2024-12-31', '2025-12-31')).toBe(253); // 261 weekdays less 8 bank holidays
    expect(workingDaysBetween('2021-12-31', '2022-12-31')).toBe(250); // 260 weekdays less 10 bank holidays
  });

  it('is 0 when the second date is on or before the first', () => {
    expect(workingDaysBetween('2025-06-09', '2025-06-09')).toBe(0);
    expect(workingDaysBetween('2025-06-09', '2025-06-02')).toBe(0);
    expect(workingDaysBetween('2026-01-01', '2025-01-01')).toBe(0);
  });

  it('undoes addWorkingDays for every day over two years', () => {
    const counts = [0, 1, 2, 5, 8, 10, 20, 45, 100, 300];
    for (const start of everyDay('2026-01-01', '2027-12-31')) {
      for (const n of counts) {
        const end = addWorkingDays(start, n);
        expect(isWorkingDay(end), `${start} + ${n}`).toBe(true);
        // For n = 0 from a non-working day the answer is the next working day, one working day on.
        const expected = n === 0 && !isWorkingDay(start) ? 1 : n;
        expect(workingDaysBetween(start, end), `${start} + ${n}`).toBe(expected);
      }
    }
  });

  it('agrees with counting day by day', () => {
    const days = everyDay('2025-11-20', '2026-01-15');
    for (const from of days) {
      let count = 0;
      for (const to of days) {
        if (to > from && isWorkingDay(to)) count++;
        expect(workingDaysBetween(from, to), `${from} to ${to}`).toBe(count);
      }
    }
  });
});

describe('invalid dates', () => {
  const invalid = [
    '2025-02-30',
    '2025-02-29',
    '2100-02-29',
    '2025-13-01',
    '2025-00-10',
    '2025-04-31',
    'yesterday',
    '',
    '2025-1-5',
    '2025-01-05T00:00:00Z',
    ' 2025-01-05',
    '0000-01-01',
  ];

  it.each(invalid)('refuses %j with a clear RangeError', (date) => {
    expect(() => isWorkingDay(date)).toThrow(RangeError);
    expect(() => isWorkingDay(date)).toThrow(/expected a real calendar date written YYYY-MM-DD/);
    expect(() => addWorkingDays(date, 1)).toThrow(/Invalid start date/);
    expect(() => workingDaysBetween(date, '2025-01-06')).toThrow(/Invalid from date/);
    expect(() => workingDaysBetween('2025-01-06', date)).toThrow(/Invalid to date/);
  });

  it('accepts real leap days', () => {
    expect(isWorkingDay('2000-02-29')).toBe(true);
    expect(isWorkingDay('2024-02-29')).toBe(true);
  });

  it('refuses values that are not strings at all', () => {
    expect(() => isWorkingDay(undefined as unknown as string)).toThrow(RangeError);
    expect(() => isWorkingDay(new Date() as unknown as string)).toThrow(RangeError);
  });
});
