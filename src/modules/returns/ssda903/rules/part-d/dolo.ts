/**
 * Deprivation of liberty orders (DoLo file, from 2026-27): rules 700–710. Fixtures run on the
 * 2026-27 baseline (year 1 April 2026 to 31 March 2027; child in foster care from 10 May 2026).
 */
import { row, type Child903, type Row } from '../../model.ts';
import type { Ssda903Rule } from '../index.ts';
import {
  byDate,
  cell,
  dateOfBirth,
  day,
  finding,
  invalidDate,
  lastEpisode,
  pairs,
  values,
} from './helpers.ts';

function addDolo(c: Child903, start?: string, end?: string): Row {
  const r = row(
    { CHILD: c.id, DOB: c.tables.Header[0]?.values.DOB, DOLO_START: start, DOLO_END: end },
    c.tables.DoLo.length + 1,
  );
  c.tables.DoLo.push(r);
  return r;
}

function place(c: Child903, code: string): void {
  values(c.tables.Episodes).PLACE = code;
}

const rule700: Ssda903Rule = {
  code: '700',
  check: (child) =>
    child.tables.DoLo.filter((r) => day(r, 'DOLO_START') === null).map((r) =>
      finding('DoLo', ['DOLO_START'], r),
    ),
  fixtures: {
    fail: [(c) => addDolo(c, '31/06/2026'), (c) => addDolo(c, undefined, '01/07/2026')],
    pass: [(c) => addDolo(c, '30/06/2026')],
  },
};

const rule701: Ssda903Rule = {
  code: '701',
  check: (child) =>
    child.tables.DoLo.filter((r) => invalidDate(r, 'DOLO_END')).map((r) => finding('DoLo', ['DOLO_END'], r)),
  fixtures: {
    fail: [(c) => addDolo(c, '01/06/2026', '2026-07-01')],
    pass: [(c) => addDolo(c, '01/06/2026', '01/07/2026'), (c) => addDolo(c, '01/06/2026')],
  },
};

const rule702: Ssda903Rule = {
  code: '702',
  check: (child) =>
    child.tables.DoLo.filter((r) => {
      const start = day(r, 'DOLO_START');
      const end = day(r, 'DOLO_END');
      return start !== null && end !== null && end < start;
    }).map((r) => finding('DoLo', ['DOLO_START', 'DOLO_END'], r)),
  fixtures: {
    fail: [(c) => addDolo(c, '02/06/2026', '01/06/2026')],
    pass: [(c) => addDolo(c, '02/06/2026', '02/06/2026')],
  },
};

const rule703: Ssda903Rule = {
  code: '703',
  check: (child, ctx) =>
    child.tables.DoLo.filter((r) => {
      const start = day(r, 'DOLO_START');
      return start !== null && start > ctx.periodEnd;
    }).map((r) => finding('DoLo', ['DOLO_START'], r)),
  fixtures: {
    fail: [(c) => addDolo(c, '01/04/2027')],
    pass: [(c) => addDolo(c, '31/03/2027')],
  },
};

const rule704: Ssda903Rule = {
  code: '704',
  check: (child, ctx) =>
    child.tables.DoLo.filter((r) => {
      const end = day(r, 'DOLO_END');
      return end !== null && (end < ctx.periodStart || end > ctx.periodEnd);
    }).map((r) => finding('DoLo', ['DOLO_END'], r)),
  fixtures: {
    fail: [(c) => addDolo(c, '01/02/2026', '31/03/2026'), (c) => addDolo(c, '01/02/2027', '01/04/2027')],
    pass: [(c) => addDolo(c, '01/02/2026', '01/04/2026'), (c) => addDolo(c, '01/02/2027', '31/03/2027')],
  },
};

/** Each DoLo (by start date) must start no earlier than the end of the one before it. */
const rule705: Ssda903Rule = {
  code: '705',
  check: (child) =>
    pairs(byDate(child.tables.DoLo, 'DOLO_START'))
      .filter(([prev, cur]) => {
        const prevEnd = day(prev.r, 'DOLO_END');
        return prevEnd === null || prevEnd > cur.at;
      })
      .map(([, cur]) => finding('DoLo', ['DOLO_START', 'DOLO_END'], cur.r)),
  fixtures: {
    fail: [
      (c) => {
        addDolo(c, '01/06/2026');
        addDolo(c, '01/09/2026', '01/10/2026');
      },
      (c) => {
        addDolo(c, '01/09/2026', '01/10/2026');
        addDolo(c, '01/06/2026', '02/09/2026');
      },
    ],
    pass: [
      (c) => {
        addDolo(c, '01/09/2026');
        addDolo(c, '01/06/2026', '01/09/2026');
      },
    ],
  },
};

/** Last year's open DoLo must carry on this year with the same start date. */
const rule706: Ssda903Rule = {
  code: '706',
  check: (child, ctx) => {
    if (!ctx.hasPrevious || !child.previous) return [];
    const starts = new Set(child.tables.DoLo.map((r) => day(r, 'DOLO_START')).filter((d) => d !== null));
    const first = byDate(child.tables.DoLo, 'DOLO_START')[0]?.r;
    return child.previous.DoLo.filter((r) => {
      const start = day(r, 'DOLO_START');
      return start !== null && cell(r, 'DOLO_END') === undefined && !starts.has(start);
    }).map(() => finding('DoLo', ['DOLO_START'], first));
  },
  fixtures: {
    fail: [
      (c, ctx) => {
        ctx.hasPrevious = true;
        c.previous = prevWithDolo(c, '01/02/2026');
      },
      (c, ctx) => {
        ctx.hasPrevious = true;
        c.previous = prevWithDolo(c, '01/02/2026');
        addDolo(c, '02/02/2026');
      },
    ],
    pass: [
      (c, ctx) => {
        ctx.hasPrevious = true;
        c.previous = prevWithDolo(c, '01/02/2026');
        addDolo(c, '01/02/2026', '01/05/2026');
      },
      (c, ctx) => {
        ctx.hasPrevious = true;
        c.previous = prevWithDolo(c, '01/02/2026', '20/03/2026');
      },
    ],
  },
};

function prevWithDolo(c: Child903, start: string, end?: string): Child903['tables'] {
  const prev = structuredClone(c.tables);
  prev.DoLo = [row({ CHILD: c.id, DOLO_START: start, DOLO_END: end }, 1)];
  return prev;
}

/** The child's latest episode ended without a new one following: they left care. */
function leftCare(child: Child903): boolean {
  const last = lastEpisode(child.tables.Episodes);
  return last !== undefined && day(last, 'DEC') !== null && cell(last, 'REC') !== 'X1';
}

const rule707: Ssda903Rule = {
  code: '707',
  check: (child) =>
    leftCare(child)
      ? child.tables.DoLo.filter(
          (r) => cell(r, 'DOLO_START') !== undefined && cell(r, 'DOLO_END') === undefined,
        ).map((r) => finding('DoLo', ['DOLO_END'], r))
      : [],
  fixtures: {
    fail: [
      (c) => {
        Object.assign(values(c.tables.Episodes), { DEC: '01/12/2026', REC: 'E4A' });
        addDolo(c, '01/06/2026');
      },
    ],
    pass: [
      (c) => {
        Object.assign(values(c.tables.Episodes), { DEC: '01/12/2026', REC: 'E4A' });
        addDolo(c, '01/06/2026', '01/12/2026');
      },
      (c) => addDolo(c, '01/06/2026'),
    ],
  },
};

const rule708: Ssda903Rule = {
  code: '708',
  check: (child) =>
    child.tables.DoLo.filter((r) => {
      const dob = dateOfBirth(child, r);
      if (dob === null) return false;
      const start = day(r, 'DOLO_START');
      const end = day(r, 'DOLO_END');
      return (start !== null && start <= dob) || (end !== null && end <= dob);
    }).map((r) => finding('DoLo', ['DOLO_START', 'DOLO_END'], r)),
  fixtures: {
    fail: [(c) => addDolo(c, '15/07/2013'), (c) => addDolo(c, '01/01/2010', '14/07/2013')],
    pass: [(c) => addDolo(c, '16/07/2013', '01/06/2026')],
  },
};

/** Expected placements while a DoLo is in force: children's home and two of the other placements. */
const DOLO_EXPECTED: ReadonlySet<string> = new Set(['K2', 'Z12', 'Z13']);
/** Placements a child under a DoLo must never be in (rule 710). */
const DOLO_BARRED: ReadonlySet<string> = new Set(['K1', 'P1', 'R5', 'K3']);

/** Pairs of (DoLo, episode) whose dates overlap; a blank end runs on indefinitely. */
function overlaps(child: Child903): { dolo: Row; episode: Row }[] {
  const out = [];
  for (const dolo of child.tables.DoLo) {
    const ds = day(dolo, 'DOLO_START');
    if (ds === null) continue;
    const de = cell(dolo, 'DOLO_END') === undefined ? Infinity : day(dolo, 'DOLO_END');
    if (de === null) continue;
    for (const episode of child.tables.Episodes) {
      const es = day(episode, 'DECOM');
      if (es === null) continue;
      const ee = cell(episode, 'DEC') === undefined ? Infinity : day(episode, 'DEC');
      if (ee === null) continue;
      if (ds <= ee && es <= de) out.push({ dolo, episode });
    }
  }
  return out;
}

/** Unexpected (but not barred: that is rule 710) placements during a DoLo. */
const rule709: Ssda903Rule = {
  code: '709',
  check: (child) =>
    overlaps(child)
      .filter(({ episode }) => {
        const p = cell(episode, 'PLACE');
        return p !== undefined && !DOLO_EXPECTED.has(p) && !DOLO_BARRED.has(p);
      })
      .map(({ dolo }) => finding('DoLo', ['DOLO_START'], dolo)),
  fixtures: {
    fail: [(c) => addDolo(c, '01/06/2026', '01/09/2026')],
    pass: [
      (c) => {
        place(c, 'K2');
        addDolo(c, '01/06/2026', '01/09/2026');
      },
      (c) => {
        place(c, 'Z13');
        addDolo(c, '01/06/2026');
      },
      (c) => addDolo(c, '01/04/2026', '09/05/2026'),
    ],
  },
};

const rule710: Ssda903Rule = {
  code: '710',
  check: (child) =>
    overlaps(child)
      .filter(({ episode }) => DOLO_BARRED.has(cell(episode, 'PLACE') ?? ''))
      .map(({ episode }) => finding('Episodes', ['PLACE'], episode)),
  fixtures: {
    fail: [
      (c) => {
        place(c, 'K1');
        addDolo(c, '01/06/2026', '01/09/2026');
      },
      (c) => {
        place(c, 'P1');
        addDolo(c, '10/05/2026');
      },
    ],
    pass: [
      (c) => {
        place(c, 'K2');
        addDolo(c, '01/06/2026', '01/09/2026');
      },
      (c) => {
        place(c, 'K1');
        addDolo(c, '01/04/2026', '09/05/2026');
      },
    ],
  },
};

export const DOLO_RULES: readonly Ssda903Rule[] = [
  rule700,
  rule701,
  rule702,
  rule703,
  rule704,
  rule705,
  rule706,
  rule707,
  rule708,
  rule709,
  rule710,
];
