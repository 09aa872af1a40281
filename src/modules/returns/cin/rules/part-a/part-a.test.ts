/**
 * Part A helpers and whole-return behaviour the per-rule fixtures do not show: the UPN check
 * letter, the code lists read from the DfE file, and return-level rules reporting each child.
 */
import { describe, expect, it } from 'vitest';
import { baselineCinChild, cinContext, type CinChild } from '../../model.ts';
import { cinRuleSet } from '../index.ts';
import { cinCodeList, day } from './helpers.ts';
import { upnCheckLetter } from './identifiers.ts';

describe('UPN check letter', () => {
  it('matches the check letter of valid permanent UPNs', () => {
    expect(upnCheckLetter('E938611200101')).toBe('E');
    // 9·2 + 5·3 + 1·8 + 7·9 + 8·10 + 3·11 + 1·13 = 230 = 10·23 → remainder 0 → A
    expect(upnCheckLetter('A950000178301')).toBe('A');
    expect(upnCheckLetter('H243278544154')).toBe('H');
  });
  it('counts a temporary UPN’s final letter by its place in the check alphabet', () => {
    expect(upnCheckLetter('Q93861120010A')).toBe('Q');
    // B = 1 adds 13 to the A sum: 129 + 13 = 142 → E
    expect(upnCheckLetter('E93861120010B')).toBe('E');
  });
  it('gives no letter for UPNs of the wrong shape', () => {
    expect(upnCheckLetter('E93861120010')).toBeUndefined();
    expect(upnCheckLetter('E93861120X101')).toBeUndefined();
  });
});

describe('code lists', () => {
  it('takes the latest year’s list for a rule', () => {
    expect([...cinCodeList('4180', 'valid_sex_codes')].sort()).toEqual(['F', 'M', 'U']);
    expect(cinCodeList('4220', 'eth_list').size).toBe(20);
  });
  it('refuses a list that does not exist', () => {
    expect(() => cinCodeList('4180', 'nonsense')).toThrow(/no code list/);
  });
});

describe('dates', () => {
  it('parses ISO dates once and returns null for invalid ones', () => {
    expect(day('2026-03-31')).toBe(day('2026-03-31'));
    expect(day('2026-02-30')).toBeNull();
    expect(day(undefined)).toBeNull();
  });
});

describe('return-level rules over a whole census', () => {
  function run(children: CinChild[]) {
    const set = cinRuleSet('2025-26');
    const v = set.run(cinContext(2026), (c) => c.identifiers.LAchildID);
    const perChild = children.flatMap((c) => v.child(c));
    return [...perChild, ...v.finish()];
  }

  it('names every child sharing an LA child ID, and no one else', () => {
    const children = ['A1', 'A2', 'A1', 'A1'].map((id, i) => {
      const c = baselineCinChild();
      c.identifiers.LAchildID = id;
      c.identifiers.UPN = undefined;
      c.identifiers.line = 10 * (i + 1);
      return c;
    });
    const found = run(children).filter((i) => i.rule === '8510');
    expect(found.map((i) => [i.child, i.row])).toEqual([
      ['A1', 10],
      ['A1', 30],
      ['A1', 40],
    ]);
    expect(found[0]?.severity).toBe('error');
  });

  it('raises the sex query once for the return, with no child', () => {
    const children = Array.from({ length: 10 }, (_, i) => {
      const c = baselineCinChild();
      c.identifiers.LAchildID = `C${i}`;
      c.identifiers.UPN = undefined;
      if (i === 0) c.identifiers.Sex = 'U';
      return c;
    });
    const found = run(children).filter((i) => i.rule === '2886Q');
    expect(found).toHaveLength(1);
    expect(found[0]?.child).toBeUndefined();
    expect(found[0]?.severity).toBe('query');
  });
});
