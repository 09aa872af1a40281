/**
 * Care leaver (OC3) consistency with the episodes, and other 1000-series checks: 1000–1016 and 3001.
 * Fixtures run on the 2025-26 baseline (year 1 April 2025 to 31 March 2026).
 */
import { addYears } from '../../../validation/dates.ts';
import type { Finding } from '../../../validation/rule.ts';
import { row, type Child903, type Row, type Ssda903Context, type Ssda903Tables } from '../../model.ts';
import type { Ssda903Rule } from '../index.ts';
import {
  byDate,
  cell,
  dateOfBirth,
  day,
  finding,
  hasCareLeaverData,
  hasEpisodeInYear,
  lastBirthday,
  lastEpisode,
  SHORT_BREAKS,
  values,
} from './helpers.ts';

const OC3_FIELDS = ['IN_TOUCH', 'ACTIV', 'ACCOM'];

/** Fixture: make the baseline child a young person born on `dob` with a care leaver (OC3) row. */
function careLeaver(c: Child903, dob: string, cells: Record<string, string> = {}): Row {
  values(c.tables.Header).DOB = dob;
  const r = row({ CHILD: c.id, DOB: dob, IN_TOUCH: 'YES', ACTIV: 'F2', ACCOM: 'U1', ...cells }, 1);
  c.tables.OC3.push(r);
  return r;
}

function previousYear(c: Child903, episodes: Record<string, string | undefined>[]): Ssda903Tables {
  const prev = structuredClone(c.tables);
  prev.Episodes = episodes.map((v, i) =>
    row({ CHILD: c.id, RNE: 'S', LS: 'C2', CIN: 'N1', PLACE: 'U4', PLACE_PROVIDER: 'PR1', ...v }, i + 1),
  );
  prev.OC3 = [];
  return prev;
}

const oc3Findings = (rows: readonly Row[]): Finding[] => rows.map((r) => finding('OC3', OC3_FIELDS, r));

/** Died in care (REC E2) this year or, when given, last year. */
const rule1000: Ssda903Rule = {
  code: '1000',
  check: (child, ctx) => {
    if (child.tables.OC3.length === 0) return [];
    const died = (rows: readonly Row[]): boolean => rows.some((e) => cell(e, 'REC') === 'E2');
    const diedInCare =
      died(child.tables.Episodes) || (ctx.hasPrevious && died(child.previous?.Episodes ?? []));
    return diedInCare ? oc3Findings(child.tables.OC3) : [];
  },
  fixtures: {
    fail: [
      (c) => {
        careLeaver(c, '15/07/2008', { IN_TOUCH: 'DIED' });
        Object.assign(values(c.tables.Episodes), { DEC: '01/07/2025', REC: 'E2' });
      },
      (c, ctx) => {
        careLeaver(c, '15/07/2008', { IN_TOUCH: 'DIED' });
        c.tables.Episodes = [];
        ctx.hasPrevious = true;
        c.previous = previousYear(c, [{ DECOM: '01/05/2024', DEC: '01/03/2025', REC: 'E2' }]);
      },
    ],
    pass: [
      (c) => {
        careLeaver(c, '15/07/2008');
        Object.assign(values(c.tables.Episodes), { DEC: '01/07/2025', REC: 'E4A' });
      },
    ],
  },
};

/**
 * A relevant or former relevant child has been looked after for at least 13 weeks since their
 * 14th birthday, some of it after their 16th, and was not adopted at the end. Only this year's
 * and last year's episodes can be seen, so the rule runs only when last year's return is given.
 */
function relevantChild(child: Child903, ctx: Ssda903Context, dob: number): boolean {
  const at14 = addYears(dob, 14);
  const at16 = addYears(dob, 16);
  const seen = new Set<number>();
  const episodes: Row[] = [];
  for (const e of [...child.tables.Episodes, ...(child.previous?.Episodes ?? [])]) {
    const start = day(e, 'DECOM');
    if (start === null || seen.has(start)) continue;
    seen.add(start);
    episodes.push(e);
  }
  const sorted = byDate(episodes, 'DECOM');
  const last = sorted.at(-1);
  if (last && ['E11', 'E12'].includes(cell(last.r, 'REC') ?? '')) return false;
  let since14 = 0;
  let since16 = 0;
  for (const { r, at } of sorted) {
    if (SHORT_BREAKS.has(cell(r, 'LS') ?? '')) continue;
    const end = day(r, 'DEC') ?? (r === last?.r ? ctx.periodEnd : null);
    if (end === null) continue;
    since14 += Math.max(0, end - Math.max(at, at14));
    since16 += Math.max(0, end - Math.max(at, at16));
  }
  return since14 >= 91 && since16 >= 1;
}

const rule1001: Ssda903Rule = {
  code: '1001',
  check: (child, ctx) => {
    if (!ctx.hasPrevious || child.tables.OC3.length === 0) return [];
    const dob = dateOfBirth(child, ...child.tables.OC3);
    // Someone 20 or over at the year end had care too long ago for two years of episodes to show.
    if (dob === null || addYears(dob, 20) <= ctx.periodEnd) return [];
    return relevantChild(child, ctx, dob) ? [] : oc3Findings(child.tables.OC3);
  },
  fixtures: {
    fail: [
      (c, ctx) => {
        // Looked after for 60 days after the 16th birthday only.
        careLeaver(c, '01/05/2008');
        ctx.hasPrevious = true;
        c.previous = previousYear(c, [{ DECOM: '01/06/2024', DEC: '31/07/2024', REC: 'E4A' }]);
        c.tables.Episodes = [];
      },
      (c, ctx) => {
        // Long enough in care, but adopted at the end.
        careLeaver(c, '01/05/2008');
        ctx.hasPrevious = true;
        c.previous = previousYear(c, [{ DECOM: '01/06/2023', DEC: '31/07/2024', REC: 'E11' }]);
        c.tables.Episodes = [];
      },
    ],
    pass: [
      (c, ctx) => {
        // 91 days from the 16th birthday (01/05/2024) to 31/07/2024.
        careLeaver(c, '01/05/2008');
        ctx.hasPrevious = true;
        c.previous = previousYear(c, [{ DECOM: '01/05/2024', DEC: '31/07/2024', REC: 'E4A' }]);
        c.tables.Episodes = [];
      },
      (c, ctx) => {
        // In care this year from 10/05/2025 (aged 17), nothing last year.
        careLeaver(c, '01/05/2008');
        ctx.hasPrevious = true;
        c.previous = previousYear(c, []);
      },
    ],
  },
};

const rule1002: Ssda903Rule = {
  code: '1002',
  check: (child, ctx) =>
    ctx.hasPrevious &&
    child.tables.OC3.length > 0 &&
    child.tables.Episodes.length === 0 &&
    (child.previous?.Episodes.length ?? 0) === 0
      ? oc3Findings(child.tables.OC3)
      : [],
  fixtures: {
    fail: [
      (c, ctx) => {
        careLeaver(c, '01/05/2007');
        c.tables.Episodes = [];
        ctx.hasPrevious = true;
        c.previous = previousYear(c, []);
      },
    ],
    pass: [
      (c, ctx) => {
        careLeaver(c, '01/05/2007');
        c.tables.Episodes = [];
        ctx.hasPrevious = true;
        c.previous = previousYear(c, [{ DECOM: '01/05/2024', DEC: '31/07/2024', REC: 'E4A' }]);
      },
    ],
  },
};

/**
 * The decision to place for adoption cannot come before the child started to be looked after.
 * The start is known only when the child's first episode here began a period of care (RNE S).
 */
const rule1003: Ssda903Rule = {
  code: '1003',
  check: (child) => {
    const first = byDate(child.tables.Episodes, 'DECOM')[0];
    if (!first || cell(first.r, 'RNE') !== 'S') return [];
    return child.tables.PlacedAdoption.filter((r) => {
      const placed = day(r, 'DATE_PLACED');
      return placed !== null && placed < first.at;
    }).map((r) => finding('PlacedAdoption', ['DATE_PLACED'], r));
  },
  fixtures: {
    fail: [(c) => c.tables.PlacedAdoption.push(row({ CHILD: c.id, DATE_PLACED: '09/05/2025' }, 1))],
    pass: [(c) => c.tables.PlacedAdoption.push(row({ CHILD: c.id, DATE_PLACED: '10/05/2025' }, 1))],
  },
};

/** Still looked after on the 17th or 18th birthday that fell in the year. */
const rule1007: Ssda903Rule = {
  code: '1007',
  check: (child, ctx) => {
    const rows = child.tables.OC3.filter(hasCareLeaverData);
    if (rows.length === 0) return [];
    const dob = dateOfBirth(child, ...rows);
    if (dob === null) return [];
    const { age, on } = lastBirthday(dob, ctx);
    if (age !== 17 && age !== 18) return [];
    const inCare = child.tables.Episodes.some((e) => {
      const start = day(e, 'DECOM');
      const end = day(e, 'DEC');
      return start !== null && start <= on && (cell(e, 'DEC') === undefined || (end !== null && end > on));
    });
    return inCare ? oc3Findings(rows) : [];
  },
  fixtures: {
    fail: [(c) => careLeaver(c, '01/06/2008')],
    pass: [
      (c) => {
        careLeaver(c, '01/06/2008');
        Object.assign(values(c.tables.Episodes), { DEC: '01/06/2025', REC: 'E4A' });
      },
      (c) => careLeaver(c, '01/06/2008', { IN_TOUCH: '', ACTIV: '', ACCOM: '' }),
    ],
  },
};

/** Left care after the 17th or 18th birthday that fell in the year. */
const rule1016: Ssda903Rule = {
  code: '1016',
  check: (child, ctx) => {
    const rows = child.tables.OC3.filter(hasCareLeaverData);
    if (rows.length === 0) return [];
    const dob = dateOfBirth(child, ...rows);
    if (dob === null) return [];
    const { age, on } = lastBirthday(dob, ctx);
    if (age !== 17 && age !== 18) return [];
    const leftAfter = child.tables.Episodes.some((e) => {
      const end = day(e, 'DEC');
      return end !== null && end > on && cell(e, 'REC') !== 'X1';
    });
    return leftAfter ? oc3Findings(rows) : [];
  },
  fixtures: {
    fail: [
      (c) => {
        careLeaver(c, '01/06/2008');
        Object.assign(values(c.tables.Episodes), { DEC: '02/06/2025', REC: 'E4A' });
      },
    ],
    pass: [
      (c) => {
        careLeaver(c, '01/06/2008');
        Object.assign(values(c.tables.Episodes), { DEC: '01/06/2025', REC: 'E4A' });
      },
    ],
  },
};

const rule1010: Ssda903Rule = {
  code: '1010',
  check: (child, ctx) => {
    if (!ctx.hasPrevious || child.tables.OC3.length === 0 || child.tables.Episodes.length > 0) {
      return [];
    }
    const last = lastEpisode(child.previous?.Episodes ?? []);
    return last && cell(last, 'DEC') === undefined ? oc3Findings(child.tables.OC3) : [];
  },
  fixtures: {
    fail: [
      (c, ctx) => {
        careLeaver(c, '01/05/2007');
        c.tables.Episodes = [];
        ctx.hasPrevious = true;
        c.previous = previousYear(c, [
          { DECOM: '01/05/2023', DEC: '01/06/2024', REC: 'X1' },
          { DECOM: '01/06/2024', RNE: 'P' },
        ]);
      },
    ],
    pass: [
      (c, ctx) => {
        careLeaver(c, '01/05/2007');
        c.tables.Episodes = [];
        ctx.hasPrevious = true;
        c.previous = previousYear(c, [{ DECOM: '01/05/2023', DEC: '01/06/2024', REC: 'E4A' }]);
      },
    ],
  },
};

/** Final episode ended with care transferred to another local authority (E3). */
const rule1011: Ssda903Rule = {
  code: '1011',
  check: (child) => {
    const last = lastEpisode(child.tables.Episodes);
    return last && cell(last, 'REC') === 'E3' ? oc3Findings(child.tables.OC3.filter(hasCareLeaverData)) : [];
  },
  fixtures: {
    fail: [
      (c) => {
        careLeaver(c, '01/05/2007');
        Object.assign(values(c.tables.Episodes), { DEC: '01/06/2025', REC: 'E3' });
      },
    ],
    pass: [
      (c) => {
        careLeaver(c, '01/05/2007');
        Object.assign(values(c.tables.Episodes), { DEC: '01/06/2025', REC: 'X1' });
        c.tables.Episodes.push(
          row(
            { ...values(c.tables.Episodes), DECOM: '01/06/2025', DEC: '01/07/2025', REC: 'E4A', RNE: 'P' },
            2,
          ),
        );
      },
    ],
  },
};

const NOT_FOR_CARE_LEAVERS = ['PlacedAdoption', 'Missing', 'Reviews', 'AD1', 'PrevPerm', 'OC2'] as const;

/** A care leaver with no episodes this year should have nothing but their Header and OC3 rows. */
const rule1012: Ssda903Rule = {
  code: '1012',
  check: (child) => {
    if (child.tables.OC3.length === 0 || child.tables.Episodes.length > 0) return [];
    return NOT_FOR_CARE_LEAVERS.flatMap((t) => child.tables[t].map((r) => finding(t, ['CHILD'], r)));
  },
  fixtures: {
    fail: [
      (c) => {
        careLeaver(c, '01/05/2007');
        c.tables.Episodes = [];
      },
    ],
    pass: [
      (c) => {
        careLeaver(c, '01/05/2007');
        c.tables.Episodes = [];
        for (const t of NOT_FOR_CARE_LEAVERS) c.tables[t] = [];
      },
    ],
  },
};

const rule1014: Ssda903Rule = {
  code: '1014',
  check: (child, ctx) =>
    child.tables.UASC.length > 0 && child.tables.OC3.some(hasCareLeaverData) && !hasEpisodeInYear(child, ctx)
      ? child.tables.UASC.map((r) => finding('UASC', ['DUC'], r))
      : [],
  fixtures: {
    fail: [
      (c) => {
        careLeaver(c, '01/05/2007');
        c.tables.Episodes = [];
        c.tables.Reviews = [];
        c.tables.UASC.push(row({ CHILD: c.id, SEX: 'F', DOB: '01/05/2007', DUC: '01/05/2025' }, 1));
      },
    ],
    pass: [
      (c) => {
        careLeaver(c, '01/05/2007');
        Object.assign(values(c.tables.Episodes), { DECOM: '01/05/2024', DEC: '01/04/2025', REC: 'E4A' });
        c.tables.UASC.push(row({ CHILD: c.id, SEX: 'F', DOB: '01/05/2007', DUC: '01/05/2025' }, 1));
      },
    ],
  },
};

/** Accommodation with former foster carers (Z1, Z2) for a young person whose 17th birthday is in the year. */
const rule3001: Ssda903Rule = {
  code: '3001',
  check: (child, ctx) => {
    const rows = child.tables.OC3.filter((r) => ['Z1', 'Z2'].includes(cell(r, 'ACCOM') ?? ''));
    if (rows.length === 0) return [];
    const dob = dateOfBirth(child, ...rows);
    if (dob === null) return [];
    const at17 = addYears(dob, 17);
    return at17 >= ctx.periodStart && at17 <= ctx.periodEnd
      ? rows.map((r) => finding('OC3', ['ACCOM'], r))
      : [];
  },
  fixtures: {
    fail: [(c) => careLeaver(c, '31/03/2009', { ACCOM: 'Z1' })],
    pass: [
      (c) => careLeaver(c, '31/03/2008', { ACCOM: 'Z1' }),
      (c) => careLeaver(c, '31/03/2009', { ACCOM: 'U1' }),
    ],
  },
};

export const CARE_LEAVER_RULES: readonly Ssda903Rule[] = [
  rule1000,
  rule1001,
  rule1002,
  rule1003,
  rule1007,
  rule1010,
  rule1011,
  rule1012,
  rule1014,
  rule1016,
  rule3001,
];
