import { describe, expect, it } from 'vitest';
import { familyViewOfPlacement } from './family-view.ts';
import { addMonths, derive903Episodes, distanceKm, reviewDueOn, reviewTimetable, sdqBand } from './rules.ts';

const placement = (
  id: string,
  startedOn: string,
  type = 'U5',
  same = false,
  reason: string | null = null,
) => ({
  id,
  placementType: type,
  provider: 'PR1',
  postcode: null,
  startedOn,
  endedOn: null,
  sameCarerAsPrevious: same,
  changeReason: reason,
});

describe('SSDA903 episodes', () => {
  it('start with S and follow legal status and placement changes (L, P, T, U, B), ending X1 then the period reason', () => {
    const episodes = derive903Episodes(
      { startedOn: '2026-01-05', endedOn: '2026-09-01', reasonCeased: 'E13' },
      [
        { code: 'V2', startedOn: '2026-01-05', endedOn: '2026-02-01' },
        { code: 'C1', startedOn: '2026-02-01', endedOn: '2026-04-01' },
        { code: 'C2', startedOn: '2026-04-01', endedOn: '2026-06-01' },
        { code: 'E1', startedOn: '2026-06-01', endedOn: null },
      ],
      [
        placement('a', '2026-01-05', 'U5', false, 'CARPL'),
        placement('b', '2026-03-01', 'K2', false, 'OTHER'),
        placement('c', '2026-04-01', 'U4', false, 'CARPL'),
        placement('d', '2026-05-01', 'U4', true, 'CARPL'),
        placement('e', '2026-06-01', 'A4', true),
      ],
    );
    expect(
      episodes.map((e) => [
        e.startedOn,
        e.reasonNew,
        e.legalStatus,
        e.placementType,
        e.endedOn,
        e.reasonEnded,
      ]),
    ).toEqual([
      ['2026-01-05', 'S', 'V2', 'U5', '2026-02-01', 'X1'],
      ['2026-02-01', 'L', 'C1', 'U5', '2026-03-01', 'X1'],
      ['2026-03-01', 'P', 'C1', 'K2', '2026-04-01', 'X1'],
      ['2026-04-01', 'T', 'C2', 'U4', '2026-05-01', 'X1'],
      ['2026-05-01', 'U', 'C2', 'U4', '2026-06-01', 'X1'],
      ['2026-06-01', 'B', 'E1', 'A4', '2026-09-01', 'E13'],
    ]);
    // The reason for a move is the one recorded on the placement the child left.
    expect(episodes[2]?.placeChangeReason).toBe('CARPL');
    expect(episodes[3]?.placeChangeReason).toBe('OTHER');
  });

  it('leave the last episode open while the period lasts', () => {
    const [only] = derive903Episodes(
      { startedOn: '2026-01-05', endedOn: null, reasonCeased: null },
      [{ code: 'V2', startedOn: '2026-01-05', endedOn: null }],
      [placement('a', '2026-01-05')],
    );
    expect(only).toMatchObject({ reasonNew: 'S', endedOn: null, reasonEnded: null });
  });
});

describe('distance from home', () => {
  it('is the straight line between grid references in km, to one decimal place', () => {
    expect(distanceKm({ easting: 524372, northing: 224119 }, { easting: 514600, northing: 206900 })).toBe(
      19.8,
    );
    expect(distanceKm({ easting: 0, northing: 0 }, { easting: 3000, northing: 4000 })).toBe(5);
  });
});

describe('looked-after review timescales', () => {
  it('puts the first review within 20 working days, skipping weekends and bank holidays', () => {
    expect(reviewDueOn('2026-11-02', 1, null)).toBe('2026-11-30');
    // Christmas Day, the Boxing Day substitute (Monday 28th) and New Year's Day are not working days.
    expect(reviewDueOn('2026-12-14', 1, null)).toBe('2027-01-14');
  });

  it('puts the second 3 months after the first was held, then every 6 months', () => {
    expect(reviewDueOn('2026-11-02', 2, '2026-11-25')).toBe('2027-02-25');
    expect(reviewDueOn('2026-11-02', 3, '2027-02-20')).toBe('2027-08-20');
    expect(addMonths('2026-11-30', 3)).toBe('2027-02-28');
    expect(addMonths('2027-08-31', 6)).toBe('2028-02-29');
    const { held, next } = reviewTimetable('2026-11-02', ['2026-12-01', '2027-02-20'], false);
    expect(held.map((h) => [h.sequence, h.dueOn, h.late])).toEqual([
      [1, '2026-11-30', true],
      [2, '2027-03-01', false],
    ]);
    expect(next).toMatchObject({ sequence: 3, dueOn: '2027-08-20' });
    expect(reviewTimetable('2026-11-02', [], true).next).toBeNull();
  });
});

describe('SDQ bands', () => {
  it('are normal 0–13, borderline 14–16, concern 17–40', () => {
    expect([0, 13, 14, 16, 17, 40].map(sdqBand)).toEqual([
      'normal',
      'normal',
      'borderline',
      'borderline',
      'concern',
      'concern',
    ]);
    expect(() => sdqBand(41)).toThrow(RangeError);
    expect(() => sdqBand(-1)).toThrow(RangeError);
  });
});

describe('what the birth family may see of a placement', () => {
  const row = {
    placement_type: 'U5',
    provider: 'PR4',
    started_on: '2026-03-01',
    ended_on: null,
    address: '3 Secret Row, Borehamwood',
    postcode: 'WD6 4AE',
    carer_name: 'Grace Hidden',
    provider_name: 'Fostering Agency Ltd',
  };

  it('keeps the address, postcode and names out when the address is hidden', () => {
    const view = familyViewOfPlacement({ ...row, address_hidden_from_family: true });
    expect(view).toMatchObject({ withheld: true, address: null, postcode: null, carerName: null });
    expect(view.carerType).toBe('Foster carers from a fostering agency');
    expect(JSON.stringify(view)).not.toMatch(/Secret|WD6|Grace|Agency Ltd/);
  });

  it('shares them when the family may know', () => {
    const view = familyViewOfPlacement({ ...row, address_hidden_from_family: false });
    expect(view).toMatchObject({
      withheld: false,
      address: row.address,
      postcode: 'WD6 4AE',
      carerName: 'Grace Hidden',
    });
  });
});
