/**
 * CIN census rules on the Header, the child's identifiers (LA child ID, UPN, former UPN, dates of
 * birth, sex) and characteristics (ethnicity, disabilities), including the return-level ones.
 */
import type { CinChild } from '../../model.ts';
import type { Finding } from '../../../validation/rule.ts';
import type { CinRule } from '../index.ts';
import { cinCodeList, day } from './helpers.ts';

const IDS = 'ChildIdentifiers';

function ids(child: CinChild, fields: readonly string[]): Finding[] {
  return [{ table: IDS, fields, row: child.identifiers.line }];
}

const noop = (): void => undefined;

/** 100: the Header's ReferenceDate must be 31 March of the Header's Year. */
const rule100: CinRule = {
  code: '100',
  scope: 'return',
  start: () => ({
    add: noop,
    finish: (ctx) => {
      const { Year: year, ReferenceDate: ref } = ctx.header;
      const ok = year !== undefined && /^\d{4}$/.test(year.trim()) && ref?.trim() === `${year.trim()}-03-31`;
      return ok ? [] : [{ table: 'Header', fields: ['ReferenceDate'] }];
    },
  }),
  fixtures: {
    fail: [
      [(_c, ctx) => void (ctx.header.ReferenceDate = '2026-03-30')],
      [(_c, ctx) => void (ctx.header.ReferenceDate = undefined)],
      [(_c, ctx) => void (ctx.header.ReferenceDate = '2025-03-31')],
    ],
    pass: [[noop], [noop, noop]],
  },
};

// --- UPN ------------------------------------------------------------------------------------

/** The DfE check-letter alphabet: a remainder of 0–22 maps to these letters (no I, O or S). */
const CHECK_LETTERS = 'ABCDEFGHJKLMNPQRTUVWXYZ';
const UPN_CHAR_13 = cinCodeList('1550', 'valid');

/**
 * The check letter a 13-character UPN should start with: characters 2–13 weighted 2–13, summed,
 * modulo 23. A temporary UPN ends in a letter, which counts as its position in the check-letter
 * alphabet. Undefined when the UPN is not in a shape the check can be computed for (other rules
 * report those).
 */
export function upnCheckLetter(upn: string): string | undefined {
  if (upn.length !== 13 || !/^\d{11}[0-9A-Z]$/.test(upn.slice(1))) return undefined;
  let sum = 0;
  for (let i = 1; i < 13; i++) {
    const ch = upn.charAt(i);
    const value = ch >= '0' && ch <= '9' ? Number(ch) : CHECK_LETTERS.indexOf(ch);
    if (value < 0) return undefined;
    sum += value * (i + 1);
  }
  return CHECK_LETTERS.charAt(sum % 23);
}

function upnOf(child: CinChild): string | undefined {
  const upn = child.identifiers.UPN?.trim();
  return upn === undefined || upn === '' ? undefined : upn;
}

const rule1510: CinRule = {
  code: '1510',
  check: (child) => {
    const upn = upnOf(child);
    if (upn === undefined) return [];
    const expected = upnCheckLetter(upn);
    return expected !== undefined && upn.charAt(0) !== expected ? ids(child, ['UPN']) : [];
  },
  fixtures: {
    fail: [
      (c) => void (c.identifiers.UPN = 'A938611200101'),
      // a temporary UPN (letter at 13) with the wrong check letter
      (c) => void (c.identifiers.UPN = 'A93861120010A'),
    ],
    pass: [
      noop,
      (c) => void (c.identifiers.UPN = undefined),
      // 938611200100 + A: weights give 142 - 13 + 0 = 129, 129 mod 23 = 14 → Q
      (c) => void (c.identifiers.UPN = 'Q93861120010A'),
    ],
  },
};

/**
 * A return-level accumulator that reports every child whose `key` an earlier child already had,
 * and that first child once. Memory: one entry per distinct key.
 */
function duplicates(
  key: (child: CinChild) => string | undefined,
  field: string,
): () => {
  add: (child: CinChild) => void;
  finish: () => Finding[];
} {
  return () => {
    const first = new Map<string, { line: number; child: string | undefined; reported: boolean }>();
    const out: Finding[] = [];
    return {
      add: (child) => {
        const k = key(child);
        if (k === undefined) return;
        const id = child.identifiers.LAchildID;
        const earlier = first.get(k);
        if (!earlier) {
          first.set(k, { line: child.identifiers.line, child: id, reported: false });
          return;
        }
        if (!earlier.reported) {
          out.push({ table: IDS, fields: [field], row: earlier.line, child: earlier.child });
          earlier.reported = true;
        }
        out.push({ table: IDS, fields: [field], row: child.identifiers.line, child: id });
      },
      finish: () => out,
    };
  };
}

const rule1520: CinRule = {
  code: '1520',
  scope: 'return',
  start: duplicates(upnOf, 'UPN'),
  fixtures: {
    fail: [[(c) => void (c.identifiers.LAchildID = 'A1'), (c) => void (c.identifiers.LAchildID = 'A2')]],
    pass: [
      [noop],
      [noop, (c) => void (c.identifiers.UPN = 'Q93861120010A')],
      [(c) => void (c.identifiers.UPN = undefined), (c) => void (c.identifiers.UPN = undefined)],
    ],
  },
};

/** Post-April-1998 LA codes and pseudo-LA codes a UPN's characters 2–4 may hold (2023-24 list). */
const LA_CODES: ReadonlySet<string> = (() => {
  const ranges: [number, number][] = [
    [1, 5],
    [201, 213],
    [301, 320],
    [330, 336],
    [340, 344],
    [350, 359],
    [370, 373],
    [380, 384],
    [390, 394],
    [420, 420],
    [660, 681],
    [701, 708],
    [800, 803],
    [805, 808],
    [810, 813],
    [815, 816],
    [820, 823],
    [825, 826],
    [830, 831],
    [835, 841],
    [845, 846],
    [850, 852],
    [855, 857],
    [860, 861],
    [865, 896],
    [908, 909],
    [916, 916],
    [919, 919],
    [921, 921],
    [925, 926],
    [928, 929],
    [931, 931],
    [933, 933],
    [935, 938],
    [940, 943],
  ];
  const codes = new Set<string>();
  for (const [from, to] of ranges) {
    for (let n = from; n <= to; n++) codes.add(String(n).padStart(3, '0'));
  }
  return codes;
})();

const rule1530: CinRule = {
  code: '1530',
  check: (child) => {
    const upn = upnOf(child);
    return upn !== undefined && !LA_CODES.has(upn.slice(1, 4)) ? ids(child, ['UPN']) : [];
  },
  fixtures: {
    fail: [
      (c) => void (c.identifiers.UPN = 'E421611200101'),
      (c) => void (c.identifiers.UPN = 'E939611200101'),
    ],
    pass: [
      noop,
      (c) => void (c.identifiers.UPN = 'E943611200101'),
      (c) => void (c.identifiers.UPN = 'E001611200101'),
    ],
  },
};

const rule1540: CinRule = {
  code: '1540',
  check: (child) => {
    const upn = upnOf(child);
    return upn !== undefined && !/^\d{8}$/.test(upn.slice(4, 12)) ? ids(child, ['UPN']) : [];
  },
  fixtures: {
    fail: [(c) => void (c.identifiers.UPN = 'E9386112O0101'), (c) => void (c.identifiers.UPN = 'E93861')],
    pass: [noop, (c) => void (c.identifiers.UPN = 'Q93861120010A')],
  },
};

const rule1550: CinRule = {
  code: '1550',
  check: (child) => {
    const upn = upnOf(child);
    return upn !== undefined && (upn.length !== 13 || !UPN_CHAR_13.has(upn.charAt(12)))
      ? ids(child, ['UPN'])
      : [];
  },
  fixtures: {
    fail: [
      (c) => void (c.identifiers.UPN = 'E93861120010I'),
      (c) => void (c.identifiers.UPN = 'E93861120010'),
    ],
    pass: [noop, (c) => void (c.identifiers.UPN = 'Q93861120010A')],
  },
};

/** 1560Q: a former UPN has the UPN's shape: a letter, eleven digits, then a digit or a letter. */
const rule1560Q: CinRule = {
  code: '1560Q',
  check: (child) => {
    const former = child.identifiers.FormerUPN?.trim();
    return former !== undefined && former !== '' && !/^[A-Z]\d{11}[0-9A-Z]$/.test(former)
      ? ids(child, ['FormerUPN'])
      : [];
  },
  fixtures: {
    fail: [
      (c) => void (c.identifiers.FormerUPN = 'X98721238'),
      (c) => void (c.identifiers.FormerUPN = 'X0000y0000007'),
      (c) => void (c.identifiers.FormerUPN = '9987654321231'),
    ],
    pass: [
      noop,
      (c) => void (c.identifiers.FormerUPN = 'X987654321231'),
      (c) => void (c.identifiers.FormerUPN = 'Q93861120010A'),
    ],
  },
};

// --- LA child ID ----------------------------------------------------------------------------

const rule1570: CinRule = {
  code: '1570',
  check: (child) => {
    const id = child.identifiers.LAchildID;
    return id !== undefined && id.length > 20 ? ids(child, ['LAchildID']) : [];
  },
  fixtures: {
    fail: [(c) => void (c.identifiers.LAchildID = 'A'.repeat(21))],
    pass: [noop, (c) => void (c.identifiers.LAchildID = 'A'.repeat(20))],
  },
};

const rule1580: CinRule = {
  code: '1580',
  check: (child) => {
    const id = child.identifiers.LAchildID;
    return id !== undefined && id !== '' && !/^[A-Za-z0-9]+$/.test(id) ? ids(child, ['LAchildID']) : [];
  },
  fixtures: {
    fail: [
      (c) => void (c.identifiers.LAchildID = 'HRT-0001'),
      (c) => void (c.identifiers.LAchildID = 'HRT 0001'),
    ],
    pass: [noop, (c) => void (c.identifiers.LAchildID = 'hrt0001')],
  },
};

const rule8500: CinRule = {
  code: '8500',
  check: (child) => {
    const id = child.identifiers.LAchildID;
    return id === undefined || id.trim() === '' ? ids(child, ['LAchildID']) : [];
  },
  fixtures: {
    fail: [(c) => void (c.identifiers.LAchildID = undefined), (c) => void (c.identifiers.LAchildID = '  ')],
    pass: [noop],
  },
};

/** 8510: return-level; every child whose LA child ID an earlier child already had, and that first child. */
const rule8510: CinRule = {
  code: '8510',
  scope: 'return',
  start: duplicates((child) => {
    const id = child.identifiers.LAchildID?.trim();
    return id === '' ? undefined : id;
  }, 'LAchildID'),
  fixtures: {
    fail: [[noop, (c) => void (c.identifiers.UPN = 'Q93861120010A')]],
    pass: [
      [noop],
      [noop, (c) => void (c.identifiers.LAchildID = 'HRT0000002')],
      [(c) => void (c.identifiers.LAchildID = undefined), (c) => void (c.identifiers.LAchildID = undefined)],
    ],
  },
};

// --- Dates of birth, sex, ethnicity ---------------------------------------------------------------

const rule8520: CinRule = {
  code: '8520',
  check: (child, ctx) => {
    const born = day(child.identifiers.PersonBirthDate);
    return born !== null && born > ctx.referenceDate ? ids(child, ['PersonBirthDate']) : [];
  },
  fixtures: {
    fail: [(c) => void (c.identifiers.PersonBirthDate = '2026-04-01')],
    pass: [noop, (c) => void (c.identifiers.PersonBirthDate = '2026-03-31')],
  },
};

function present(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== '';
}

const rule8525Q: CinRule = {
  code: '8525Q',
  check: (child) =>
    present(child.identifiers.PersonBirthDate) === present(child.identifiers.ExpectedPersonBirthDate)
      ? ids(child, ['PersonBirthDate', 'ExpectedPersonBirthDate'])
      : [],
  fixtures: {
    fail: [
      (c) => void (c.identifiers.ExpectedPersonBirthDate = '2015-05-12'),
      (c) => void (c.identifiers.PersonBirthDate = undefined),
    ],
    pass: [
      noop,
      (c) => {
        c.identifiers.PersonBirthDate = undefined;
        c.identifiers.ExpectedPersonBirthDate = '2026-06-01';
      },
    ],
  },
};

const SEX_CODES = cinCodeList('4180', 'valid_sex_codes');

const rule4180: CinRule = {
  code: '4180',
  check: (child) => {
    const sex = child.identifiers.Sex;
    return sex === undefined || !SEX_CODES.has(sex.trim()) ? ids(child, ['Sex']) : [];
  },
  fixtures: {
    fail: [
      (c) => void (c.identifiers.Sex = undefined),
      (c) => void (c.identifiers.Sex = '2'),
      (c) => void (c.identifiers.Sex = 'f'),
    ],
    pass: [noop, (c) => void (c.identifiers.Sex = 'M'), (c) => void (c.identifiers.Sex = 'U')],
  },
};

const ETHNICITIES = cinCodeList('4220', 'eth_list');

const rule4220: CinRule = {
  code: '4220',
  check: (child) => {
    const eth = child.characteristics.Ethnicity;
    return eth === undefined || !ETHNICITIES.has(eth.trim())
      ? [{ table: 'ChildCharacteristics', fields: ['Ethnicity'], row: child.characteristics.line }]
      : [];
  },
  fixtures: {
    fail: [
      (c) => void (c.characteristics.Ethnicity = undefined),
      (c) => void (c.characteristics.Ethnicity = 'WBR'),
    ],
    pass: [
      noop,
      (c) => void (c.characteristics.Ethnicity = 'REFU'),
      (c) => void (c.characteristics.Ethnicity = 'NOBT'),
    ],
  },
};

// --- Return-level queries -----------------------------------------------------------------------

/**
 * 2886Q: children with no sex recorded (blank or U) who are not unborn (no expected date of
 * birth), as a share of all children, must not exceed 2%.
 */
const rule2886Q: CinRule = {
  code: '2886Q',
  scope: 'return',
  start: () => {
    let children = 0;
    let noSex = 0;
    return {
      add: (child) => {
        children += 1;
        const sex = child.identifiers.Sex?.trim();
        const unknown = sex === undefined || sex === '' || sex === 'U';
        if (unknown && !present(child.identifiers.ExpectedPersonBirthDate)) noSex += 1;
      },
      finish: () => (children > 0 && noSex / children > 0.02 ? [{ table: IDS, fields: ['Sex'] }] : []),
    };
  },
  fixtures: {
    fail: [
      [(c) => void (c.identifiers.Sex = undefined)],
      // 2 of 50 is 4%
      [
        ...Array.from({ length: 48 }, () => noop),
        (c: CinChild) => void (c.identifiers.Sex = 'U'),
        (c: CinChild) => void (c.identifiers.Sex = undefined),
      ],
    ],
    pass: [
      [noop],
      // 1 of 50 is exactly 2%
      [...Array.from({ length: 49 }, () => noop), (c: CinChild) => void (c.identifiers.Sex = undefined)],
      // an unborn child with sex U is not counted
      [
        (c) => {
          c.identifiers.PersonBirthDate = undefined;
          c.identifiers.ExpectedPersonBirthDate = '2026-06-01';
          c.identifiers.Sex = 'U';
        },
      ],
    ],
  },
};

/** 2887Q: the return should use more than 7 different disability codes, NONE not counted. */
const rule2887Q: CinRule = {
  code: '2887Q',
  scope: 'return',
  start: () => {
    const used = new Set<string>();
    return {
      add: (child) => {
        for (const code of child.characteristics.disabilities) {
          const c = code.trim();
          if (c !== '' && c !== 'NONE') used.add(c);
        }
      },
      finish: () => (used.size <= 7 ? [{ table: 'Disabilities', fields: ['Disability'] }] : []),
    };
  },
  fixtures: {
    fail: [
      [(c) => void (c.characteristics.disabilities = ['NONE'])],
      [
        (c) => void (c.characteristics.disabilities = ['MOB', 'HAND', 'PC', 'INC']),
        (c) => void (c.characteristics.disabilities = ['MOB', 'COMM', 'LD', 'HEAR']),
      ],
    ],
    pass: [
      [noop],
      [
        (c) => void (c.characteristics.disabilities = ['MOB', 'HAND', 'PC', 'INC']),
        (c) => void (c.characteristics.disabilities = ['COMM', 'LD', 'HEAR', 'AUT']),
        (c) => void (c.characteristics.disabilities = ['NONE']),
      ],
    ],
  },
};

/**
 * 2888Q: when children in the return have disabilities recorded, at least one of them should have
 * more than one. (A return where no child has a disability is left to 2887Q.)
 */
const rule2888Q: CinRule = {
  code: '2888Q',
  scope: 'return',
  start: () => {
    let disabled = 0;
    let multiple = false;
    return {
      add: (child) => {
        let count = 0;
        for (const code of child.characteristics.disabilities) {
          const c = code.trim();
          if (c !== '' && c !== 'NONE') count += 1;
        }
        if (count > 0) disabled += 1;
        if (count > 1) multiple = true;
      },
      finish: () => (disabled > 0 && !multiple ? [{ table: 'Disabilities', fields: ['Disability'] }] : []),
    };
  },
  fixtures: {
    fail: [
      [
        (c) => void (c.characteristics.disabilities = ['MOB']),
        (c) => void (c.characteristics.disabilities = ['AUT']),
        (c) => void (c.characteristics.disabilities = ['NONE']),
      ],
    ],
    pass: [
      [noop],
      [
        (c) => void (c.characteristics.disabilities = ['NONE']),
        (c) => void (c.characteristics.disabilities = ['NONE']),
      ],
      [
        (c) => void (c.characteristics.disabilities = ['MOB']),
        (c) => void (c.characteristics.disabilities = ['AUT', 'LD']),
      ],
    ],
  },
};

export const IDENTIFIER_RULES: readonly CinRule[] = [
  rule100,
  rule1510,
  rule1520,
  rule1530,
  rule1540,
  rule1550,
  rule1560Q,
  rule1570,
  rule1580,
  rule2886Q,
  rule2887Q,
  rule2888Q,
  rule4180,
  rule4220,
  rule8500,
  rule8510,
  rule8520,
  rule8525Q,
];
