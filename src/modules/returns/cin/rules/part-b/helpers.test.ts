import { describe, expect, it } from 'vitest';
import { dayOf, dayToIso } from '../../../validation/dates.ts';
import {
  addMonths,
  day,
  isWeekend,
  startsInsideAnother,
  workingDaysBefore,
  yearsBeforeDay,
} from './helpers.ts';

describe('part B CIN helpers', () => {
  it('counts working days back over weekends and bank holidays', () => {
    // Tuesday 1 April 2025 → Monday 31 March 2025.
    expect(dayToIso(workingDaysBefore(dayOf(2025, 4, 1), 1))).toBe('2025-03-31');
    // Tuesday 8 April 2026, after Easter 2026 (Good Friday 3 April, Easter Monday 6 April).
    expect(dayToIso(workingDaysBefore(dayOf(2026, 4, 8), 2))).toBe('2026-04-02');
    expect(dayToIso(workingDaysBefore(dayOf(2026, 3, 31), 45))).toBe('2026-01-27');
  });

  it('adds months, keeping to the last day of a shorter month', () => {
    expect(dayToIso(addMonths(dayOf(2026, 3, 31), 9))).toBe('2026-12-31');
    expect(dayToIso(addMonths(dayOf(2026, 3, 31), 11))).toBe('2027-02-28');
    expect(dayToIso(addMonths(dayOf(2026, 1, 15), -2))).toBe('2025-11-15');
  });

  it('knows weekends', () => {
    expect(isWeekend(dayOf(2025, 6, 21))).toBe(true);
    expect(isWeekend(dayOf(2025, 6, 22))).toBe(true);
    expect(isWeekend(dayOf(2025, 6, 23))).toBe(false);
  });

  it('parses dates as isoDay does, remembering them', () => {
    expect(day('2026-02-29')).toBeNull();
    expect(day('2026-02-28')).toBe(dayOf(2026, 2, 28));
    expect(day('2026-02-28')).toBe(dayOf(2026, 2, 28));
    expect(day(undefined)).toBeNull();
    expect(dayToIso(yearsBeforeDay(dayOf(2026, 3, 31), 25))).toBe('2001-03-31');
  });

  it('finds periods starting on or inside another', () => {
    const ref = dayOf(2026, 3, 31);
    const p = (start: number, end: number | null, open = true) => ({ start, end, open });
    const a = dayOf(2025, 5, 1);
    const b = dayOf(2025, 6, 1);
    // Back to back on the same day counts as inside (on or between).
    expect(startsInsideAnother([p(a, b), p(b, null)], ref)).toEqual([1]);
    expect(startsInsideAnother([p(a, b - 1), p(b, null)], ref)).toEqual([]);
    // An open period runs to the reference date, unless it is not open (e.g. not required).
    expect(startsInsideAnother([p(a, null), p(b, null)], ref)).toEqual([1]);
    expect(startsInsideAnother([p(a, null, false), p(b, null)], ref)).toEqual([]);
  });
});
