import { describe, expect, it } from 'vitest';
import { dayToUk } from '../../../validation/dates.ts';
import { baseline903Child, ssda903Context } from '../../model.ts';
import {
  continuouslyLookedAfter,
  episodeOf,
  isPostcode,
  makeLongTerm,
  uascCeased,
  uascRow,
} from './helpers.ts';

describe('looked after continuously for 12 months at 31 March', () => {
  const ctx = ssda903Context(2026);

  it('holds for a child in care since before the year with the episode still open', () => {
    const c = baseline903Child(2026);
    makeLongTerm(c, ctx);
    expect(continuouslyLookedAfter(c, ctx)).toBe(true);
  });

  it('holds for a child who started to be looked after on 1 April itself', () => {
    const c = baseline903Child(2026);
    episodeOf(c).values.DECOM = dayToUk(ctx.periodStart);
    expect(continuouslyLookedAfter(c, ctx)).toBe(true);
  });

  it('does not hold for a child who started to be looked after during the year', () => {
    expect(continuouslyLookedAfter(baseline903Child(2026), ctx)).toBe(false);
  });

  it('does not hold when care ended before 31 March, but does when the episode only changed (X1)', () => {
    const left = baseline903Child(2026);
    makeLongTerm(left, ctx);
    episodeOf(left).values.DEC = dayToUk(ctx.periodEnd - 1);
    episodeOf(left).values.REC = 'E4A';
    expect(continuouslyLookedAfter(left, ctx)).toBe(false);

    const moved = baseline903Child(2026);
    makeLongTerm(moved, ctx);
    episodeOf(moved).values.DEC = dayToUk(ctx.periodEnd - 1);
    episodeOf(moved).values.REC = 'X1';
    expect(continuouslyLookedAfter(moved, ctx)).toBe(true);
  });

  it('does not hold for short breaks (V3/V4) in the year, nor for a child with no episodes', () => {
    const c = baseline903Child(2026);
    makeLongTerm(c, ctx);
    episodeOf(c).values.LS = 'V4';
    expect(continuouslyLookedAfter(c, ctx)).toBe(false);
    const none = baseline903Child(2026);
    none.tables.Episodes.length = 0;
    expect(continuouslyLookedAfter(none, ctx)).toBe(false);
  });
});

describe('UASC status and postcodes', () => {
  it('identifies a UASC child by a UASC row carrying their details, and reads the date ceased', () => {
    const c = baseline903Child(2026);
    expect(uascRow(c.tables)).toBeUndefined();
    c.tables.UASC.push({ row: 1, values: { CHILD: c.id, DUC: '15/07/2025' } });
    expect(uascRow(c.tables)).toBeUndefined();
    expect(uascCeased(c.tables)?.day).not.toBeNull();
    c.tables.UASC.push({ row: 2, values: { CHILD: c.id, SEX: 'M' } });
    expect(uascRow(c.tables)?.row).toBe(2);
  });

  it('accepts real UK postcode shapes only', () => {
    for (const ok of ['AL1 3JY', 'SW1A 1AA', 'm1 1ae', 'EC1A1BB', 'B33 8TH'])
      expect(isPostcode(ok)).toBe(true);
    for (const bad of ['AL1', '123 456', 'ABROAD', '', undefined]) expect(isPostcode(bad)).toBe(false);
  });
});
