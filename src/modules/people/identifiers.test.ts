import { describe, expect, it } from 'vitest';
import {
  isTestRangeNhsNumber,
  nhsCheckDigit,
  nhsNumberIsValid,
  normalisePostcode,
  upnCheckLetter,
  upnIsValid,
} from './identifiers.ts';

describe('NHS numbers', () => {
  it('accepts numbers whose modulus 11 check digit is right', () => {
    // Published examples of valid NHS numbers (NHS Digital's data dictionary and test data).
    for (const good of ['9434765919', '943 476 5919', '4010232137', '9990000018']) expect(nhsNumberIsValid(good), good).toBe(true);
  });
  it('refuses wrong check digits, wrong lengths, letters, and numbers whose check value would be 10', () => {
    for (const bad of ['9434765918', '943476591', '94347659190', '94347659A9', '', '1000000010']) {
      expect(nhsNumberIsValid(bad), bad).toBe(false);
    }
    expect(nhsCheckDigit('100000001')).toBeUndefined();
  });
  it('computes the check digit', () => {
    expect(nhsCheckDigit('943476591')).toBe(9);
    expect(nhsCheckDigit('999000001')).toBe(8);
  });
  it('knows the reserved test range', () => {
    expect(isTestRangeNhsNumber('999 000 0018')).toBe(true);
    expect(isTestRangeNhsNumber('9434765919')).toBe(false);
  });
});

describe('Unique Pupil Numbers', () => {
  it('accepts a UPN with the right check letter, including temporary UPNs ending in a letter', () => {
    const rest = '20112345601';
    const permanent = `${upnCheckLetter(`${rest}5`) ?? ''}${rest}5`;
    const temporary = `${upnCheckLetter(`${rest}A`) ?? ''}${rest}A`;
    expect(upnIsValid(permanent)).toBe(true);
    expect(upnIsValid(temporary)).toBe(true);
    expect(upnIsValid(permanent.toLowerCase())).toBe(true);
  });
  it('computes the check letter from the weighted sum modulo 23', () => {
    // 2..13 weights over 0,0,0,0,0,0,0,0,0,0,0,1 → 13 → remainder 13 → P (I, O and S are never used).
    expect(upnCheckLetter('000000000001')).toBe('P');
    expect(upnCheckLetter('000000000000')).toBe('A');
    // 2×1 = 2 → C
    expect(upnCheckLetter('100000000000')).toBe('C');
  });
  it('refuses a wrong check letter, bad shapes and letters outside the alphabet', () => {
    const rest = '201123456015';
    const right = upnCheckLetter(rest) ?? 'A';
    const wrong = right === 'A' ? 'B' : 'A';
    expect(upnIsValid(`${wrong}${rest}`)).toBe(false);
    expect(upnIsValid('A12345678901')).toBe(false);
    expect(upnIsValid(`${right}20112345601I`)).toBe(false);
    expect(upnIsValid('')).toBe(false);
  });
});

describe('postcodes', () => {
  it('normalises spacing and case', () => {
    expect(normalisePostcode('al11aa')).toBe('AL1 1AA');
    expect(normalisePostcode(' SW1A   2AA ')).toBe('SW1A 2AA');
    expect(normalisePostcode('B1 1AA')).toBe('B1 1AA');
  });
  it('refuses things that are not postcodes', () => {
    expect(normalisePostcode('12345')).toBeUndefined();
    expect(normalisePostcode('')).toBeUndefined();
  });
});
