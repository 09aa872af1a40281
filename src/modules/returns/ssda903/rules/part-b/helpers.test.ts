/** The part B helpers: postcode shape, episode order, and the kept parse never going stale. */
import { describe, expect, it } from 'vitest';
import { dayOf } from '../../../validation/dates.ts';
import { baseline903Child } from '../../model.ts';
import {
  addEpisode,
  datedEpisodes,
  dobOf,
  episodes,
  isPostcode,
  isUascOrFormer,
  normalisePostcode,
  setCells,
} from './helpers.ts';

describe('postcodes', () => {
  it('accepts full UK postcodes in any case and spacing', () => {
    for (const p of ['AL1 3JY', 'al13jy', 'SW1A 1AA', 'EC1A 1BB', 'DN55 1PT', 'GIR 0AA', ' M1 1AE ']) {
      expect(isPostcode(p), p).toBe(true);
    }
  });
  it('rejects partial or made-up ones', () => {
    for (const p of ['AL1', 'not known', 'BFPO 1234', 'QA1 1AA', 'AL1 3CY']) {
      expect(isPostcode(p), p).toBe(false);
    }
  });
  it('compares postcodes without case or spaces', () => {
    expect(normalisePostcode('al1 3jy')).toBe(normalisePostcode('AL13JY'));
  });
});

describe('episodes', () => {
  it('orders by start date and puts undated episodes last', () => {
    const c = baseline903Child(2026);
    addEpisode(c, { DECOM: 'bad', RNE: 'P' });
    addEpisode(c, { DECOM: '01/04/2025', RNE: 'S' });
    expect(episodes(c.tables).map((e) => e.row.row)).toEqual([3, 1, 2]);
    expect(datedEpisodes(c.tables).map((e) => e.decom)).toEqual([dayOf(2025, 4, 1), dayOf(2025, 5, 10)]);
  });

  it('parses again when a row changes or a row is added', () => {
    const c = baseline903Child(2026);
    expect(datedEpisodes(c.tables)[0]?.dec).toBeNull();
    setCells(c.tables.Episodes[0], { DEC: '01/06/2025', REC: 'X1' });
    expect(datedEpisodes(c.tables)[0]?.dec).toBe(dayOf(2025, 6, 1));
    addEpisode(c, { DECOM: '01/06/2025', RNE: 'P' });
    expect(datedEpisodes(c.tables)).toHaveLength(2);
  });

  it('reads the date of birth again when the Header changes', () => {
    const c = baseline903Child(2026);
    expect(dobOf(c)).toBe(dayOf(2012, 7, 15));
    setCells(c.tables.Header[0], { DOB: '01/01/2010' });
    expect(dobOf(c)).toBe(dayOf(2010, 1, 1));
  });
});

describe('UASC', () => {
  it('counts a child in this or last year’s UASC file', () => {
    const c = baseline903Child(2026);
    expect(isUascOrFormer(c)).toBe(false);
    c.previous = structuredClone(c.tables);
    c.previous.UASC.push({ row: 1, values: { CHILD: c.id, DUC: '01/01/2025' } });
    expect(isUascOrFormer(c)).toBe(true);
  });
});
