/**
 * SSDA903 part A: the child's Header (sex, birth, ethnicity, UPN, motherhood), UASC status, reviews,
 * and agreement with last year's return (rules 101-105, 165-174, 202-210, 231, 232).
 */
import { addYears, dayOf, dayToUk, ukDay } from '../../../validation/dates.ts';
import type { Finding } from '../../../validation/rule.ts';
import type { Child903, Row, Ssda903Context, Ssda903Tables } from '../../model.ts';
import type { Ssda903Rule } from '../index.ts';
import {
  addRow,
  badDate,
  dobOf,
  episodeOf,
  episodes,
  ETHNIC_CODES,
  flag,
  givePrevious,
  headerOf,
  inYear,
  missingOrBadCode,
  present,
  previousPeriod,
  REVIEW_CODES,
  SEX_CODES,
  SHORT_BREAKS,
  turnsInYear,
  uascCeased,
  uascRow,
  UPN_UNKNOWN,
  val,
  ZERO_ONE,
} from './helpers.ts';

const rule101: Ssda903Rule = {
  code: '101',
  check: (c) => flag('Header', ['SEX'], c.tables.Header, (r) => missingOrBadCode(r, 'SEX', SEX_CODES)),
  fixtures: {
    fail: [(c) => void (headerOf(c).values.SEX = '2'), (c) => delete headerOf(c).values.SEX],
    pass: [(c) => void (headerOf(c).values.SEX = 'M'), (c) => void (headerOf(c).values.SEX = 'U')],
  },
};

const rule102: Ssda903Rule = {
  code: '102',
  check: (c) => flag('Header', ['DOB'], c.tables.Header, (r) => ukDay(val(r, 'DOB')) === null),
  fixtures: {
    fail: [(c) => void (headerOf(c).values.DOB = '31/02/2012'), (c) => delete headerOf(c).values.DOB],
    pass: [(c) => void (headerOf(c).values.DOB = '29/02/2012')],
  },
};

const rule103: Ssda903Rule = {
  code: '103',
  check: (c) =>
    flag('Header', ['ETHNIC'], c.tables.Header, (r) => missingOrBadCode(r, 'ETHNIC', ETHNIC_CODES)),
  fixtures: {
    fail: [(c) => void (headerOf(c).values.ETHNIC = 'WXYZ'), (c) => delete headerOf(c).values.ETHNIC],
    pass: [(c) => void (headerOf(c).values.ETHNIC = 'NOBT')],
  },
};

const rule104: Ssda903Rule = {
  code: '104',
  check: (c) => flag('UASC', ['DUC'], c.tables.UASC, (r) => badDate(r, 'DUC')),
  fixtures: {
    fail: [(c) => void addRow(c, 'UASC', { SEX: 'F', DOB: val(headerOf(c), 'DOB'), DUC: '2025-07-15' })],
    pass: [
      (c, x) => void addRow(c, 'UASC', { SEX: 'F', DOB: val(headerOf(c), 'DOB'), DUC: inYear(x, 15, 7) }),
    ],
  },
};

/** A UASC row must carry the child's status details: a row with no sex recorded is incomplete. */
const rule105: Ssda903Rule = {
  code: '105',
  check: (c) => flag('UASC', ['SEX'], c.tables.UASC, (r) => !present(r, 'SEX')),
  fixtures: {
    fail: [(c) => void addRow(c, 'UASC', { DOB: val(headerOf(c), 'DOB') })],
    pass: [(c) => void addRow(c, 'UASC', { SEX: 'F', DOB: val(headerOf(c), 'DOB') })],
  },
};

/** Looked after (not on short breaks) at some time in the year. */
function inCareThisYear(c: Child903, ctx: Ssda903Context): boolean {
  return episodes(c.tables).some(
    (e) =>
      !SHORT_BREAKS.has(val(e.row, 'LS') ?? '') &&
      e.decom !== null &&
      e.decom <= ctx.periodEnd &&
      (e.dec ?? ctx.periodEnd) >= ctx.periodStart,
  );
}

const OC3_FIELDS = ['IN_TOUCH', 'ACTIV', 'ACCOM'] as const;

/**
 * MOTHER, when given, is 0 or 1 and only for girls; every girl looked after in the year has it; a
 * care leaver reported only in OC3 (no care this year) has none.
 */
function check165(c: Child903, ctx: Ssda903Context): Finding[] {
  const inCare = inCareThisYear(c, ctx);
  const hasOc3 = c.tables.OC3.some((r) => OC3_FIELDS.some((f) => present(r, f)));
  return flag('Header', ['MOTHER', 'SEX'], c.tables.Header, (r) => {
    const mother = val(r, 'MOTHER');
    const sex = val(r, 'SEX');
    if (mother !== undefined && !ZERO_ONE.has(mother)) return true;
    if (mother !== undefined && sex === 'M') return true;
    if (sex === 'F' && mother === undefined && inCare) return true;
    return sex === 'F' && mother !== undefined && !inCare && hasOc3;
  });
}

const rule165: Ssda903Rule = {
  code: '165',
  check: check165,
  fixtures: {
    fail: [
      (c) => void (headerOf(c).values.MOTHER = '2'),
      (c) => delete headerOf(c).values.MOTHER,
      (c) => {
        headerOf(c).values.SEX = 'M';
        headerOf(c).values.MOTHER = '0';
      },
    ],
    pass: [
      (c) => void (headerOf(c).values.MOTHER = '1'),
      (c) => {
        headerOf(c).values.SEX = 'M';
        delete headerOf(c).values.MOTHER;
      },
      (c) => {
        delete headerOf(c).values.MOTHER;
        episodeOf(c).values.LS = 'V3';
      },
    ],
  },
};

const rule166: Ssda903Rule = {
  code: '166',
  check: (c) => flag('Reviews', ['REVIEW'], c.tables.Reviews, (r) => ukDay(val(r, 'REVIEW')) === null),
  fixtures: {
    fail: [
      (c) => delete c.tables.Reviews[0]?.values.REVIEW,
      (c) =>
        void addRow(c, 'Reviews', { DOB: val(headerOf(c), 'DOB'), REVIEW: '01/13/2025', REVIEW_CODE: 'PN1' }),
    ],
    pass: [
      (c, x) =>
        void addRow(c, 'Reviews', {
          DOB: val(headerOf(c), 'DOB'),
          REVIEW: inYear(x, 20, 3),
          REVIEW_CODE: 'PN1',
        }),
    ],
  },
};

const rule167: Ssda903Rule = {
  code: '167',
  check: (c) =>
    flag('Reviews', ['REVIEW_CODE'], c.tables.Reviews, (r) =>
      missingOrBadCode(r, 'REVIEW_CODE', REVIEW_CODES),
    ),
  fixtures: {
    fail: [
      (c) => delete c.tables.Reviews[1]?.values.REVIEW_CODE,
      (c) => {
        const r = c.tables.Reviews[2];
        if (r) r.values.REVIEW_CODE = 'PN8';
      },
    ],
    pass: [
      (c) => {
        const r = c.tables.Reviews[2];
        if (r) r.values.REVIEW_CODE = 'PN7';
      },
    ],
  },
};

/** A UPN: a letter other than I, O or S, then 12 digits or 11 digits and a letter; or UN1-UN5. */
const UPN = /^(?:[A-HJ-NP-RT-Z](?:\d{12}|\d{11}[A-Z])|UN[1-5])$/;

const rule168: Ssda903Rule = {
  code: '168',
  check: (c) =>
    flag('Header', ['UPN'], c.tables.Header, (r) => present(r, 'UPN') && !UPN.test(val(r, 'UPN') ?? '')),
  fixtures: {
    fail: [
      (c) => void (headerOf(c).values.UPN = 'UN6'),
      (c) => void (headerOf(c).values.UPN = 'I938611200101'),
      (c) => void (headerOf(c).values.UPN = 'E93861120010'),
    ],
    pass: [
      (c) => void (headerOf(c).values.UPN = 'UN5'),
      (c) => void (headerOf(c).values.UPN = 'E93861120010A'),
    ],
  },
};

const rule171: Ssda903Rule = {
  code: '171',
  check: (c) => flag('Header', ['MC_DOB'], c.tables.Header, (r) => badDate(r, 'MC_DOB')),
  fixtures: {
    fail: [
      (c) => {
        headerOf(c).values.MOTHER = '1';
        headerOf(c).values.MC_DOB = '2025-11-02';
      },
    ],
    pass: [
      (c, x) => {
        headerOf(c).values.MOTHER = '1';
        headerOf(c).values.MC_DOB = inYear(x, 2, 11);
      },
    ],
  },
};

const rule174: Ssda903Rule = {
  code: '174',
  check: (c) =>
    flag('Header', ['MC_DOB', 'SEX'], c.tables.Header, (r) => present(r, 'MC_DOB') && val(r, 'SEX') === 'M'),
  fixtures: {
    fail: [
      (c, x) => {
        headerOf(c).values.SEX = 'M';
        headerOf(c).values.MC_DOB = inYear(x, 2, 11);
      },
    ],
    pass: [
      (c, x) => {
        headerOf(c).values.MOTHER = '1';
        headerOf(c).values.MC_DOB = inYear(x, 2, 11);
      },
    ],
  },
};

/** This year's and last year's Header rows, when last year's return was given and has the child. */
function bothHeaders(c: Child903, ctx: Ssda903Context): { now: Row; last: Row } | undefined {
  if (!ctx.hasPrevious) return undefined;
  const now = c.tables.Header[0];
  const last = c.previous?.Header[0];
  return now && last ? { now, last } : undefined;
}

/** A Header field that was recorded last year and is recorded differently this year. */
function changedSinceLastYear(field: string, same: (a: string, b: string) => boolean = (a, b) => a === b) {
  return (c: Child903, ctx: Ssda903Context): Finding[] => {
    const both = bothHeaders(c, ctx);
    if (!both) return [];
    const now = val(both.now, field);
    const last = val(both.last, field);
    return now !== undefined && last !== undefined && !same(now, last)
      ? [{ table: 'Header', fields: [field], row: both.now.row }]
      : [];
  };
}

const rule202: Ssda903Rule = {
  code: '202',
  check: changedSinceLastYear('SEX'),
  fixtures: {
    fail: [
      (c, x) => {
        const prev = givePrevious(c, x);
        if (prev.Header[0]) prev.Header[0].values.SEX = 'M';
      },
    ],
    pass: [(c, x) => void givePrevious(c, x)],
  },
};

/** Dates compare as days (so `01/02/2012` and ` 01/02/2012` agree); unreadable ones as text. */
function sameDate(a: string, b: string): boolean {
  const da = ukDay(a);
  const db = ukDay(b);
  return da !== null && db !== null ? da === db : a.trim() === b.trim();
}

const rule203: Ssda903Rule = {
  code: '203',
  check: changedSinceLastYear('DOB', sameDate),
  fixtures: {
    fail: [
      (c, x) => {
        const prev = givePrevious(c, x);
        if (prev.Header[0]) prev.Header[0].values.DOB = '16/07/2012';
      },
    ],
    pass: [(c, x) => void givePrevious(c, x)],
  },
};

const rule204: Ssda903Rule = {
  code: '204',
  check: changedSinceLastYear('ETHNIC'),
  fixtures: {
    fail: [
      (c, x) => {
        const prev = givePrevious(c, x);
        if (prev.Header[0]) prev.Header[0].values.ETHNIC = 'WIRI';
      },
    ],
    pass: [(c, x) => void givePrevious(c, x)],
  },
};

/** The Header row to report UASC findings on, else the UASC row. */
function uascFinding(c: Child903, fields: readonly string[]): Finding[] {
  const h = c.tables.Header[0];
  if (h) return [{ table: 'Header', fields, row: h.row }];
  const u = c.tables.UASC[0];
  return u ? [{ table: 'UASC', fields, row: u.row }] : [];
}

function previousTables(c: Child903, ctx: Ssda903Context): Ssda903Tables | undefined {
  return ctx.hasPrevious ? c.previous : undefined;
}

/** UASC last year, not this year: last year's return must show the status ceasing in that year. */
function check205A(c: Child903, ctx: Ssda903Context): Finding[] {
  const prev = previousTables(c, ctx);
  if (!prev || !uascRow(prev) || uascRow(c.tables)) return [];
  const last = uascCeased(prev)?.day ?? null;
  const { start, end } = previousPeriod(ctx);
  const ceasedLastYear = last !== null && last >= start && last <= end;
  return ceasedLastYear && !uascCeased(c.tables) ? [] : uascFinding(c, ['DUC']);
}

/** UASC both years: last year's ceased date was the 18th birthday; this year's repeats it or falls in the year. */
function check205B(c: Child903, ctx: Ssda903Context): Finding[] {
  const prev = previousTables(c, ctx);
  if (!prev || !uascRow(prev) || !uascRow(c.tables)) return [];
  const dob = dobOf(c);
  const last = uascCeased(prev)?.day ?? null;
  const now = uascCeased(c.tables)?.day ?? null;
  const lastIs18th = dob !== null && last !== null && last === addYears(dob, 18);
  const nowFits = now !== null && ((now >= ctx.periodStart && now <= ctx.periodEnd) || now === last);
  return lastIs18th && nowFits ? [] : uascFinding(c, ['DUC']);
}

/** Not UASC in either year, yet a date UASC ceased is given. */
function check205C(c: Child903, ctx: Ssda903Context): Finding[] {
  const prev = previousTables(c, ctx);
  if (!prev || uascRow(prev) || uascRow(c.tables)) return [];
  const given = uascCeased(c.tables) ?? uascCeased(prev);
  return given ? [{ table: 'UASC', fields: ['DUC'], row: given.row.row }] : [];
}

/** UASC this year, in last year's return but not UASC there. */
function check205D(c: Child903, ctx: Ssda903Context): Finding[] {
  const prev = previousTables(c, ctx);
  if (!prev || prev.Header.length === 0 || !uascRow(c.tables) || uascRow(prev)) return [];
  return uascFinding(c, ['CHILD']);
}

/** Both years' UASC rows for a child turning 18 in the year: last year's and this year's DUC the 18th birthday. */
function uascBothYears(
  c: Child903,
  ctx: Ssda903Context,
  lastDuc: string | undefined,
  nowDuc: string | undefined,
): void {
  const prev = givePrevious(c, ctx);
  const dob = val(headerOf(c), 'DOB');
  prev.UASC.push({ row: 1, values: { CHILD: c.id, SEX: 'F', DOB: dob, DUC: lastDuc } });
  addRow(c, 'UASC', { SEX: 'F', DOB: dob, DUC: nowDuc });
}

const rule205A: Ssda903Rule = {
  code: '205A',
  check: check205A,
  fixtures: {
    fail: [
      (c, x) => {
        const prev = givePrevious(c, x);
        prev.UASC.push({ row: 1, values: { CHILD: c.id, SEX: 'F', DOB: val(headerOf(c), 'DOB') } });
      },
    ],
    pass: [
      (c, x) => {
        const prev = givePrevious(c, x);
        const duc = dayToUk(previousPeriod(x).end);
        prev.UASC.push({ row: 1, values: { CHILD: c.id, SEX: 'F', DOB: val(headerOf(c), 'DOB'), DUC: duc } });
      },
    ],
  },
};

const rule205B: Ssda903Rule = {
  code: '205B',
  check: check205B,
  fixtures: {
    fail: [
      (c, x) => {
        const birthday = turnsInYear(c, x, 18);
        uascBothYears(c, x, inYear(x, 1, 1), birthday);
      },
      (c, x) => {
        const birthday = turnsInYear(c, x, 18);
        uascBothYears(c, x, birthday, undefined);
      },
    ],
    pass: [
      (c, x) => {
        const birthday = turnsInYear(c, x, 18);
        uascBothYears(c, x, birthday, birthday);
      },
      (c, x) => {
        const birthday = turnsInYear(c, x, 18);
        uascBothYears(c, x, birthday, inYear(x, 1, 6));
      },
    ],
  },
};

const rule205C: Ssda903Rule = {
  code: '205C',
  check: check205C,
  fixtures: {
    fail: [
      (c, x) => {
        givePrevious(c, x);
        addRow(c, 'UASC', { DOB: val(headerOf(c), 'DOB'), DUC: inYear(x, 1, 6) });
      },
    ],
    pass: [(c, x) => void givePrevious(c, x)],
  },
};

const rule205D: Ssda903Rule = {
  code: '205D',
  check: check205D,
  fixtures: {
    fail: [
      (c, x) => {
        givePrevious(c, x);
        addRow(c, 'UASC', { SEX: 'F', DOB: val(headerOf(c), 'DOB') });
      },
    ],
    pass: [
      (c, x) => {
        const prev = givePrevious(c, x);
        prev.UASC.push({ row: 1, values: { CHILD: c.id, SEX: 'F', DOB: val(headerOf(c), 'DOB') } });
        addRow(c, 'UASC', { SEX: 'F', DOB: val(headerOf(c), 'DOB') });
      },
    ],
  },
};

/** Recorded as a mother last year, and now not, while still looked after this year. */
function check207(c: Child903, ctx: Ssda903Context): Finding[] {
  const both = bothHeaders(c, ctx);
  if (!both || c.tables.Episodes.length === 0) return [];
  return val(both.last, 'MOTHER') === '1' && val(both.now, 'MOTHER') !== '1'
    ? [{ table: 'Header', fields: ['MOTHER'], row: both.now.row }]
    : [];
}

const rule207: Ssda903Rule = {
  code: '207',
  check: check207,
  fixtures: {
    fail: [
      (c, x) => {
        const prev = givePrevious(c, x);
        if (prev.Header[0]) prev.Header[0].values.MOTHER = '1';
      },
    ],
    pass: [
      (c, x) => {
        headerOf(c).values.MOTHER = '1';
        givePrevious(c, x);
      },
      (c, x) => {
        givePrevious(c, x);
        headerOf(c).values.MOTHER = '1';
      },
    ],
  },
};

const UN2_TO_5 = new Set(['UN2', 'UN3', 'UN4', 'UN5']);

/**
 * The UPN may change only from unknown to known, from blank or UN1 to another unknown reason, or
 * from blank to UN1; any other change disagrees with last year.
 */
function check208(c: Child903, ctx: Ssda903Context): Finding[] {
  const both = bothHeaders(c, ctx);
  if (!both) return [];
  const now = val(both.now, 'UPN')?.toUpperCase();
  const last = val(both.last, 'UPN')?.toUpperCase();
  if (now === last) return [];
  const lastUnknown = last === undefined || UPN_UNKNOWN.has(last);
  const nowKnown = now !== undefined && !UPN_UNKNOWN.has(now);
  const allowed =
    (lastUnknown && nowKnown) ||
    ((last === undefined || last === 'UN1') && now !== undefined && UN2_TO_5.has(now)) ||
    (last === undefined && now === 'UN1');
  return allowed ? [] : [{ table: 'Header', fields: ['UPN'], row: both.now.row }];
}

const rule208: Ssda903Rule = {
  code: '208',
  check: check208,
  fixtures: {
    fail: [
      (c, x) => {
        const prev = givePrevious(c, x);
        if (prev.Header[0]) prev.Header[0].values.UPN = 'A938611200999';
      },
      (c, x) => {
        givePrevious(c, x);
        headerOf(c).values.UPN = 'UN3';
      },
    ],
    pass: [
      (c, x) => void givePrevious(c, x),
      (c, x) => {
        const prev = givePrevious(c, x);
        if (prev.Header[0]) prev.Header[0].values.UPN = 'UN3';
      },
      (c, x) => {
        const prev = givePrevious(c, x);
        if (prev.Header[0]) prev.Header[0].values.UPN = 'UN1';
        headerOf(c).values.UPN = 'UN2';
      },
    ],
  },
};

/** Of school age: 4 or older on 31 August before the previous collection year's start. */
function check209(c: Child903, ctx: Ssda903Context): Finding[] {
  const startYear = Number(ctx.year.slice(0, 4));
  const reference = dayOf(startYear - 1, 8, 31);
  return flag('Header', ['UPN', 'DOB'], c.tables.Header, (r) => {
    const dob = ukDay(val(r, 'DOB'));
    return val(r, 'UPN') === 'UN1' && dob !== null && addYears(dob, 4) <= reference;
  });
}

const rule209: Ssda903Rule = {
  code: '209',
  check: check209,
  fixtures: {
    fail: [(c) => void (headerOf(c).values.UPN = 'UN1')],
    pass: [
      (c) => void (headerOf(c).values.UPN = 'UN2'),
      (c, x) => {
        headerOf(c).values.UPN = 'UN1';
        // Four on 1 September of the year before the collection year starts: not yet of school age then.
        const startYear = Number(x.year.slice(0, 4));
        headerOf(c).values.DOB = `01/09/${startYear - 5}`;
      },
    ],
  },
};

/**
 * UN4 (UPN not yet obtained: the child has only just come into care) does not fit a child looked
 * after at 31 March whose period of care began before 24 March.
 */
function check210(c: Child903, ctx: Ssda903Context): Finding[] {
  const h = c.tables.Header[0];
  if (!h || val(h, 'UPN') !== 'UN4') return [];
  const eps = episodes(c.tables);
  const atEnd = eps.some(
    (e) => e.decom !== null && e.decom <= ctx.periodEnd && (e.dec === null || e.dec >= ctx.periodEnd),
  );
  if (!atEnd) return [];
  const starts = eps.filter((e) => val(e.row, 'RNE') === 'S' && e.decom !== null);
  const careBegan = (starts[starts.length - 1] ?? eps[0])?.decom ?? null;
  const ref = dayOf(Number(ctx.year.slice(0, 4)) + 1, 3, 24);
  return careBegan !== null && careBegan < ref ? [{ table: 'Header', fields: ['UPN'], row: h.row }] : [];
}

const rule210: Ssda903Rule = {
  code: '210',
  check: check210,
  fixtures: {
    fail: [(c) => void (headerOf(c).values.UPN = 'UN4')],
    pass: [
      (c, x) => {
        headerOf(c).values.UPN = 'UN4';
        episodeOf(c).values.DECOM = inYear(x, 24, 3);
      },
      (c, x) => {
        headerOf(c).values.UPN = 'UN4';
        episodeOf(c).values.DEC = inYear(x, 1, 3);
        episodeOf(c).values.REC = 'E4A';
      },
      (c) => void (headerOf(c).values.UPN = 'UN5'),
    ],
  },
};

/** A UASC child under 11 at 31 March. */
function check231(c: Child903, ctx: Ssda903Context): Finding[] {
  if (!uascRow(c.tables)) return [];
  const limit = addYears(ctx.periodEnd, -11);
  return flag('Header', ['DOB'], c.tables.Header, (r) => {
    const dob = ukDay(val(r, 'DOB'));
    return dob !== null && dob > limit;
  });
}

const rule231: Ssda903Rule = {
  code: '231',
  check: check231,
  fixtures: {
    fail: [
      (c, x) => {
        headerOf(c).values.DOB = dayToUk(addYears(x.periodEnd, -11) + 1);
        addRow(c, 'UASC', { SEX: 'F', DOB: val(headerOf(c), 'DOB') });
      },
    ],
    pass: [
      (c, x) => {
        headerOf(c).values.DOB = dayToUk(addYears(x.periodEnd, -11));
        addRow(c, 'UASC', { SEX: 'F', DOB: val(headerOf(c), 'DOB') });
      },
      (c, x) => void (headerOf(c).values.DOB = dayToUk(addYears(x.periodEnd, -5))),
    ],
  },
};

const rule232: Ssda903Rule = {
  code: '232',
  check: (c) => flag('Header', ['SEX'], c.tables.Header, (r) => val(r, 'SEX') === 'U'),
  fixtures: {
    fail: [(c) => void (headerOf(c).values.SEX = 'U')],
    pass: [(c) => void (headerOf(c).values.SEX = 'M')],
  },
};

export const HEADER_RULES: readonly Ssda903Rule[] = [
  rule101,
  rule102,
  rule103,
  rule104,
  rule105,
  rule165,
  rule166,
  rule167,
  rule168,
  rule171,
  rule174,
  rule202,
  rule203,
  rule204,
  rule205A,
  rule205B,
  rule205C,
  rule205D,
  rule207,
  rule208,
  rule209,
  rule210,
  rule231,
  rule232,
];
