/**
 * Social worker episodes (SWEpisodes): completeness, codes, dates and continuity. Fixtures run on
 * the 2025-26 baseline: one social worker allocated from 1 April 2025 and still allocated.
 */
import { addYears, dayOf } from '../../../validation/dates.ts';
import type { Finding } from '../../../validation/rule.ts';
import { row, type Child903, type Row, type Ssda903Context } from '../../model.ts';
import type { Ssda903Rule } from '../index.ts';
import {
  byDate,
  cell,
  day,
  finding,
  invalidDate,
  lookedAfterAtYearEnd,
  pairs,
  SHORT_BREAKS,
  values,
} from './helpers.ts';

/** Social worker episodes began to be collected from this date (reasons are expected from then). */
const SW_COLLECTION_START = dayOf(2023, 4, 1);

/** Tolerance, in days, for a new social worker starting before the previous one's end date. */
const HANDOVER_DAYS = 7;

const SW_REASONS: ReadonlySet<string> = new Set([
  'MANAGE',
  'FCONTA',
  'LEFTRL',
  'ORGRST',
  'TSPROC',
  'ABSENC',
  'CHCHAN',
  'PCCHAN',
  'SWDIED',
  'OTHERS',
]);

/** Fixture: add a social worker episode after the baseline's. */
function addSw(c: Child903, cells: Record<string, string | undefined>): Row {
  const r = row(
    { CHILD: c.id, DOB: c.tables.Header[0]?.values.DOB, SW_ID: 'SW7654321', SW_REASON: 'LEFTRL', ...cells },
    c.tables.SWEpisodes.length + 1,
  );
  c.tables.SWEpisodes.push(r);
  return r;
}

function firstSw(c: Child903): Row['values'] {
  return values(c.tables.SWEpisodes);
}

/**
 * The one episode whose reason for change may be blank: the social worker the child already had
 * on 1 April, or failing that the first one allocated during the year. There was no change to
 * give a reason for.
 */
function reasonMayBeBlank(child: Child903, ctx: Ssda903Context): Row | undefined {
  const sorted = byDate(child.tables.SWEpisodes, 'SW_DECOM');
  const before = sorted.filter((s) => s.at < ctx.periodStart).at(-1);
  if (before) {
    const end = day(before.r, 'SW_DEC');
    if (cell(before.r, 'SW_DEC') === undefined || (end !== null && end >= ctx.periodStart)) return before.r;
  }
  return sorted.find((s) => s.at >= ctx.periodStart)?.r;
}

const sw = (fields: readonly string[], r?: Row): Finding => finding('SWEpisodes', fields, r);

/** Episodes before social worker collection began: an ID and a start date. */
const ruleSW01a: Ssda903Rule = {
  code: 'SW01aSTG1',
  check: (child) =>
    child.tables.SWEpisodes.filter((r) => {
      const start = day(r, 'SW_DECOM');
      return start === null || (start < SW_COLLECTION_START && cell(r, 'SW_ID') === undefined);
    }).map((r) => sw(['SW_ID', 'SW_DECOM'], r)),
  fixtures: {
    fail: [
      (c) => {
        firstSw(c).SW_DECOM = '31/03/2023';
        delete firstSw(c).SW_ID;
      },
      (c) => delete firstSw(c).SW_DECOM,
    ],
    pass: [
      (c) => {
        firstSw(c).SW_DECOM = '01/04/2023';
        delete firstSw(c).SW_ID;
      },
    ],
  },
};

/** Episodes since social worker collection began: an ID, a start date and (after the first) a reason. */
const ruleSW01b: Ssda903Rule = {
  code: 'SW01bSTG1',
  check: (child, ctx) => {
    const exempt = reasonMayBeBlank(child, ctx);
    return child.tables.SWEpisodes.filter((r) => {
      const start = day(r, 'SW_DECOM');
      if (start === null) return true;
      if (start < SW_COLLECTION_START) return false;
      return cell(r, 'SW_ID') === undefined || (cell(r, 'SW_REASON') === undefined && r !== exempt);
    }).map((r) => sw(['SW_ID', 'SW_DECOM', 'SW_REASON'], r));
  },
  fixtures: {
    fail: [
      (c) => delete firstSw(c).SW_ID,
      (c) => {
        firstSw(c).SW_DEC = '01/09/2025';
        addSw(c, { SW_DECOM: '01/09/2025', SW_REASON: undefined });
      },
    ],
    pass: [
      (c) => {
        firstSw(c).SW_DEC = '01/09/2025';
        addSw(c, { SW_DECOM: '01/09/2025' });
      },
      (c) => {
        firstSw(c).SW_DECOM = '31/03/2023';
        firstSw(c).SW_DEC = '01/09/2025';
        addSw(c, { SW_DECOM: '01/09/2025', SW_REASON: 'ORGRST' });
      },
    ],
  },
};

const ruleSW02: Ssda903Rule = {
  code: 'SW02STG1',
  check: (child) =>
    child.tables.SWEpisodes.filter((r) => {
      const id = cell(r, 'SW_ID');
      return id !== undefined && (!/^(SW|XX)/.test(id) || id.length < 4);
    }).map((r) => sw(['SW_ID'], r)),
  fixtures: {
    fail: [(c) => (firstSw(c).SW_ID = 'sw1234567'), (c) => (firstSw(c).SW_ID = 'XX')],
    pass: [(c) => (firstSw(c).SW_ID = 'XX000001')],
  },
};

const ruleSW04: Ssda903Rule = {
  code: 'SW04STG1',
  check: (child) =>
    child.tables.SWEpisodes.filter((r) => day(r, 'SW_DECOM') === null).map((r) => sw(['SW_DECOM'], r)),
  fixtures: {
    fail: [(c) => (firstSw(c).SW_DECOM = '2025-04-01'), (c) => delete firstSw(c).SW_DECOM],
    pass: [(c) => (firstSw(c).SW_DECOM = '29/02/2024')],
  },
};

/** The end date, when given, is a real date (the rule text says "began"; the field is SW_DEC). */
const ruleSW05: Ssda903Rule = {
  code: 'SW05STG1',
  check: (child) =>
    child.tables.SWEpisodes.filter((r) => invalidDate(r, 'SW_DEC')).map((r) => sw(['SW_DEC'], r)),
  fixtures: {
    fail: [(c) => (firstSw(c).SW_DEC = '29/02/2025')],
    pass: [(c) => (firstSw(c).SW_DEC = '28/02/2026')],
  },
};

const ruleSW06: Ssda903Rule = {
  code: 'SW06STG2',
  check: (child, ctx) =>
    child.tables.SWEpisodes.filter((r) => {
      const start = day(r, 'SW_DECOM');
      return start !== null && start > ctx.periodEnd;
    }).map((r) => sw(['SW_DECOM'], r)),
  fixtures: {
    fail: [(c) => (firstSw(c).SW_DECOM = '01/04/2026')],
    pass: [(c) => (firstSw(c).SW_DECOM = '31/03/2026')],
  },
};

/** The social worker reporting period starts a year before the collection year (1 April 2024 for 2025-26). */
const ruleSW07: Ssda903Rule = {
  code: 'SW07STG2',
  check: (child, ctx) => {
    const from = addYears(ctx.periodStart, -1);
    return child.tables.SWEpisodes.filter((r) => {
      const end = day(r, 'SW_DEC');
      return end !== null && (end < from || end > ctx.periodEnd);
    }).map((r) => sw(['SW_DEC'], r));
  },
  fixtures: {
    fail: [
      (c) => (firstSw(c).SW_DEC = '01/04/2026'),
      (c) => {
        firstSw(c).SW_DECOM = '01/01/2024';
        firstSw(c).SW_DEC = '31/03/2024';
      },
    ],
    pass: [
      (c) => (firstSw(c).SW_DEC = '31/03/2026'),
      (c) => {
        firstSw(c).SW_DECOM = '01/01/2024';
        firstSw(c).SW_DEC = '01/04/2024';
      },
    ],
  },
};

/** Every episode but the latest has ended. */
const ruleSW08: Ssda903Rule = {
  code: 'SW08STG2',
  check: (child) =>
    byDate(child.tables.SWEpisodes, 'SW_DECOM')
      .slice(0, -1)
      .filter(({ r }) => cell(r, 'SW_DEC') === undefined)
      .map(({ r }) => sw(['SW_DEC'], r)),
  fixtures: {
    fail: [(c) => addSw(c, { SW_DECOM: '01/09/2025' })],
    pass: [
      (c) => {
        firstSw(c).SW_DEC = '01/09/2025';
        addSw(c, { SW_DECOM: '01/09/2025' });
      },
    ],
  },
};

/** Dates are whole days: an episode ending on (or before) the day it began lasted under a day. */
const ruleSW09: Ssda903Rule = {
  code: 'SW09STG2',
  check: (child) =>
    child.tables.SWEpisodes.filter((r) => {
      const start = day(r, 'SW_DECOM');
      const end = day(r, 'SW_DEC');
      return start !== null && end !== null && end <= start;
    }).map((r) => sw(['SW_DECOM', 'SW_DEC'], r)),
  fixtures: {
    fail: [(c) => (firstSw(c).SW_DEC = '01/04/2025')],
    pass: [(c) => (firstSw(c).SW_DEC = '02/04/2025')],
  },
};

/**
 * A new social worker starts no more than a week before the previous one's end date, unless the
 * reason for change is FCONTA.
 */
const ruleSW10: Ssda903Rule = {
  code: 'SW10STG2',
  check: (child) =>
    pairs(byDate(child.tables.SWEpisodes, 'SW_DECOM'))
      .filter(([prev, cur]) => {
        const prevEnd = day(prev.r, 'SW_DEC');
        if (prevEnd === null || cell(cur.r, 'SW_REASON') === 'FCONTA') return false;
        return cur.at < prevEnd - HANDOVER_DAYS;
      })
      .map(([, cur]) => sw(['SW_DECOM'], cur.r)),
  fixtures: {
    fail: [
      (c) => {
        firstSw(c).SW_DEC = '10/09/2025';
        addSw(c, { SW_DECOM: '02/09/2025' });
      },
    ],
    pass: [
      (c) => {
        firstSw(c).SW_DEC = '10/09/2025';
        addSw(c, { SW_DECOM: '03/09/2025' });
      },
      (c) => {
        firstSw(c).SW_DEC = '10/09/2025';
        addSw(c, { SW_DECOM: '02/09/2025', SW_REASON: 'FCONTA' });
      },
    ],
  },
};

/** A child still looked after on 31 March whose latest social worker left before then. */
const ruleSW11b: Ssda903Rule = {
  code: 'SW11bSTG2',
  check: (child, ctx) => {
    if (!lookedAfterAtYearEnd(child, ctx)) return [];
    const last = byDate(child.tables.SWEpisodes, 'SW_DECOM').at(-1)?.r;
    const end = last && day(last, 'SW_DEC');
    return last && end !== null && end !== undefined && end < ctx.periodEnd ? [sw(['SW_DEC'], last)] : [];
  },
  fixtures: {
    fail: [(c) => (firstSw(c).SW_DEC = '30/03/2026')],
    pass: [
      (c) => (firstSw(c).SW_DEC = '31/03/2026'),
      (c) => {
        firstSw(c).SW_DEC = '01/09/2025';
        addSw(c, { SW_DECOM: '01/09/2025' });
      },
      (c) => {
        firstSw(c).SW_DEC = '01/09/2025';
        Object.assign(values(c.tables.Episodes), { DEC: '01/09/2025', REC: 'E4A' });
      },
    ],
  },
};

/**
 * A child looked after on 31 March has every social worker of the year reported. The return
 * shows whether one was reported from the day the child was first looked after in the year (1
 * April for a child already in care then); earlier gaps cannot be seen.
 */
const ruleSW12: Ssda903Rule = {
  code: 'SW12STG2',
  check: (child, ctx) => {
    if (!lookedAfterAtYearEnd(child, ctx)) return [];
    const inYear = byDate(child.tables.Episodes, 'DECOM').filter(({ r }) => {
      if (SHORT_BREAKS.has(cell(r, 'LS') ?? '')) return false;
      const end = day(r, 'DEC');
      return end === null || end >= ctx.periodStart;
    });
    const first = inYear[0];
    if (!first) return [];
    const from = Math.max(first.at, ctx.periodStart);
    const covered = child.tables.SWEpisodes.some((r) => {
      const start = day(r, 'SW_DECOM');
      const end = day(r, 'SW_DEC');
      return (
        start !== null && start <= from && (cell(r, 'SW_DEC') === undefined || (end !== null && end >= from))
      );
    });
    if (covered) return [];
    const earliest = byDate(child.tables.SWEpisodes, 'SW_DECOM')[0]?.r;
    return [earliest ? sw(['SW_DECOM'], earliest) : finding('Episodes', ['DECOM'], first.r)];
  },
  fixtures: {
    fail: [
      (c) => (firstSw(c).SW_DECOM = '11/05/2025'),
      (c) => {
        values(c.tables.Episodes).DECOM = '01/01/2025';
        firstSw(c).SW_DECOM = '02/04/2025';
      },
      (c) => (c.tables.SWEpisodes = []),
    ],
    pass: [
      (c) => (firstSw(c).SW_DECOM = '10/05/2025'),
      (c) => {
        values(c.tables.Episodes).DECOM = '01/01/2025';
        firstSw(c).SW_DECOM = '01/01/2025';
      },
      (c) => {
        Object.assign(values(c.tables.Episodes), { DEC: '01/09/2025', REC: 'E4A' });
        c.tables.SWEpisodes = [];
      },
    ],
  },
};

const ruleSW13: Ssda903Rule = {
  code: 'SW13STG1',
  check: (child, ctx) => {
    const exempt = reasonMayBeBlank(child, ctx);
    return child.tables.SWEpisodes.filter((r) => {
      const reason = cell(r, 'SW_REASON');
      return reason === undefined ? r !== exempt : !SW_REASONS.has(reason);
    }).map((r) => sw(['SW_REASON'], r));
  },
  fixtures: {
    fail: [
      (c) => (firstSw(c).SW_REASON = 'LEFT'),
      (c) => {
        firstSw(c).SW_DEC = '01/09/2025';
        addSw(c, { SW_DECOM: '01/09/2025', SW_REASON: undefined });
      },
      (c) => {
        // Not the social worker on 1 April: that one ended the day before.
        firstSw(c).SW_DECOM = '01/01/2025';
        firstSw(c).SW_DEC = '31/03/2025';
        firstSw(c).SW_REASON = 'OTHERS';
        addSw(c, { SW_DECOM: '01/04/2025', SW_REASON: 'MANAGE' });
        addSw(c, { SW_DECOM: '01/06/2025', SW_REASON: undefined });
      },
    ],
    pass: [
      (c) => (firstSw(c).SW_REASON = 'SWDIED'),
      (c) => {
        firstSw(c).SW_DECOM = '01/01/2025';
        firstSw(c).SW_DEC = '01/09/2025';
        addSw(c, { SW_DECOM: '01/09/2025', SW_REASON: 'CHCHAN' });
      },
    ],
  },
};

/** A child looked after on 31 March has a social worker allocated on that day. */
const ruleSW17: Ssda903Rule = {
  code: 'SW17STG2',
  check: (child, ctx) => {
    if (!lookedAfterAtYearEnd(child, ctx)) return [];
    const open = child.tables.SWEpisodes.some((r) => {
      const start = day(r, 'SW_DECOM');
      const end = day(r, 'SW_DEC');
      return (
        start !== null &&
        start <= ctx.periodEnd &&
        (cell(r, 'SW_DEC') === undefined || (end !== null && end >= ctx.periodEnd))
      );
    });
    if (open) return [];
    const last = byDate(child.tables.SWEpisodes, 'SW_DECOM').at(-1)?.r;
    return [sw(['SW_DEC'], last)];
  },
  fixtures: {
    fail: [(c) => (firstSw(c).SW_DEC = '30/03/2026'), (c) => (c.tables.SWEpisodes = [])],
    pass: [
      (c) => (firstSw(c).SW_DEC = '31/03/2026'),
      (c) => {
        firstSw(c).SW_DEC = '30/03/2026';
        Object.assign(values(c.tables.Episodes), { DEC: '30/03/2026', REC: 'E4A' });
      },
    ],
  },
};

export const SOCIAL_WORKER_RULES: readonly Ssda903Rule[] = [
  ruleSW01a,
  ruleSW01b,
  ruleSW02,
  ruleSW04,
  ruleSW05,
  ruleSW06,
  ruleSW07,
  ruleSW08,
  ruleSW09,
  ruleSW10,
  ruleSW11b,
  ruleSW12,
  ruleSW13,
  ruleSW17,
];
