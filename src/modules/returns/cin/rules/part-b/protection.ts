/** Part B rules on section 47 enquiries, initial conferences and child protection plans. */
import type { Finding } from '../../../validation/rule.ts';
import { withProtection, type CinChild, type CinProtectionPlan, type CinSection47 } from '../../model.ts';
import type { CinRule } from '../index.ts';
import {
  ABUSE_CATEGORIES,
  inCensusYear,
  isFalse,
  isWeekend,
  perEpisode,
  present,
  presentOutsideYear,
  s47Open,
  startsInsideAnother,
  workingDaysBefore,
  ep,
  must,
  day,
} from './helpers.ts';

const S47 = 'Section47';
const CPP = 'ChildProtectionPlans';

function s47(c: CinChild): CinSection47 {
  return must(ep(withProtection(c)).section47[0]);
}

function plan(c: CinChild): CinProtectionPlan {
  return must(ep(withProtection(c)).childProtectionPlans[0]);
}

/** The baseline enquiry still waiting for its conference at the reference date. */
function awaitingConference(c: CinChild): CinSection47 {
  const s = s47(c);
  const d = ep(c);
  d.DateOfInitialCPC = undefined;
  d.childProtectionPlans = [];
  s.DateOfInitialCPC = undefined;
  return s;
}

function eachS47(child: CinChild, test: (s: CinSection47) => boolean, fields: readonly string[]): Finding[] {
  return perEpisode(child.cinDetails, (d) =>
    d.section47.filter(test).map((s) => ({ table: S47, fields, row: s.line })),
  );
}

function eachPlan(
  child: CinChild,
  test: (p: CinProtectionPlan) => boolean,
  fields: readonly string[],
): Finding[] {
  return perEpisode(child.cinDetails, (d) =>
    d.childProtectionPlans.filter(test).map((p) => ({ table: CPP, fields, row: p.line })),
  );
}

const rule8615: CinRule = {
  code: '8615',
  check: (child) =>
    eachS47(
      child,
      (s) => {
        const conference = day(s.DateOfInitialCPC);
        if (conference === null) return false;
        const start = day(s.S47ActualStartDate);
        return start === null || start > conference;
      },
      ['S47ActualStartDate', 'DateOfInitialCPC'],
    ),
  fixtures: {
    fail: [
      (c) => void (s47(c).S47ActualStartDate = undefined),
      (c) => void (s47(c).S47ActualStartDate = '2025-06-21'),
    ],
    pass: [(c) => void (s47(c).S47ActualStartDate = '2025-06-20')],
  },
};

const rule8675Q: CinRule = {
  code: '8675Q',
  check: (child, ctx) => {
    const limit = workingDaysBefore(ctx.referenceDate, 15);
    return eachS47(
      child,
      (s) => {
        const start = day(s.S47ActualStartDate);
        return !present(s.DateOfInitialCPC) && isFalse(s.ICPCnotRequired) && start !== null && start < limit;
      },
      ['S47ActualStartDate', 'DateOfInitialCPC'],
    );
  },
  fixtures: {
    // 15 working days before Tuesday 31 March 2026 is Tuesday 10 March 2026.
    fail: [(c) => void (awaitingConference(c).S47ActualStartDate = '2026-03-09')],
    pass: [
      (c) => void (awaitingConference(c).S47ActualStartDate = '2026-03-10'),
      (c) => void (awaitingConference(c).ICPCnotRequired = 'true'),
    ],
  },
};

/** The conference date, in the enquiry or on the episode, must fall within the census year. */
const rule8715: CinRule = {
  code: '8715',
  check: (child, ctx) =>
    perEpisode(child.cinDetails, (d) => {
      const out: Finding[] = [];
      if (presentOutsideYear(d.DateOfInitialCPC, ctx)) {
        out.push({ table: 'CINdetails', fields: ['DateOfInitialCPC'], row: d.line });
      }
      for (const s of d.section47) {
        if (presentOutsideYear(s.DateOfInitialCPC, ctx))
          out.push({ table: S47, fields: ['DateOfInitialCPC'], row: s.line });
      }
      return out;
    }),
  fixtures: {
    fail: [
      (c) => void (s47(c).DateOfInitialCPC = '2026-04-01'),
      (c) => void (s47(c).DateOfInitialCPC = '2025-03-31'),
    ],
    pass: [
      (c) => {
        s47(c).DateOfInitialCPC = '2025-04-01';
        ep(c).DateOfInitialCPC = '2026-03-31';
      },
    ],
  },
};

const rule8740: CinRule = {
  code: '8740',
  check: (child, ctx) =>
    eachS47(
      child,
      (s) => {
        if (present(s.DateOfInitialCPC) || !isFalse(s.ICPCnotRequired)) return false;
        const start = day(s.S47ActualStartDate);
        return start !== null && !inCensusYear(start, ctx);
      },
      ['S47ActualStartDate', 'DateOfInitialCPC', 'ICPCnotRequired'],
    ),
  fixtures: {
    fail: [
      (c) => {
        ep(c).CINreferralDate = '2025-03-01';
        awaitingConference(c).S47ActualStartDate = '2025-03-31';
      },
    ],
    pass: [
      (c) => void (awaitingConference(c).S47ActualStartDate = '2025-04-01'),
      (c) => {
        ep(c).CINreferralDate = '2025-03-01';
        const s = awaitingConference(c);
        s.S47ActualStartDate = '2025-03-31';
        s.ICPCnotRequired = 'true';
      },
    ],
  },
};

const rule8839: CinRule = {
  code: '8839',
  check: (child) =>
    perEpisode(child.cinDetails, (d) => {
      const open = d.section47.filter(s47Open);
      return open.length > 1
        ? open.map((s) => ({ table: S47, fields: ['DateOfInitialCPC'], row: s.line }))
        : [];
    }),
  fixtures: {
    fail: [
      (c) => {
        awaitingConference(c);
        ep(c).section47.push({
          line: 0,
          S47ActualStartDate: '2025-09-01',
          ICPCnotRequired: 'false',
        });
      },
    ],
    pass: [
      (c) => {
        awaitingConference(c).ICPCnotRequired = 'true';
        ep(c).section47.push({
          line: 0,
          S47ActualStartDate: '2025-09-01',
          ICPCnotRequired: 'false',
        });
      },
    ],
  },
};

const rule8868: CinRule = {
  code: '8868',
  check: (child) =>
    perEpisode(child.cinDetails, (d) =>
      present(d.CINclosureDate)
        ? d.section47
            .filter(s47Open)
            .map((s) => ({ table: S47, fields: ['DateOfInitialCPC', 'ICPCnotRequired'], row: s.line }))
        : [],
    ),
  fixtures: {
    fail: [
      (c) => {
        awaitingConference(c);
        ep(c).CINclosureDate = '2026-03-20';
        ep(c).ReasonForClosure = 'RC7';
      },
    ],
    pass: [
      (c) => {
        awaitingConference(c).ICPCnotRequired = 'true';
        ep(c).CINclosureDate = '2026-03-20';
        ep(c).ReasonForClosure = 'RC7';
      },
    ],
  },
};

const rule8870Q: CinRule = {
  code: '8870Q',
  check: (child) =>
    eachS47(
      child,
      (s) => {
        const target = day(s.InitialCPCtarget);
        return target !== null && isWeekend(target);
      },
      ['InitialCPCtarget'],
    ),
  fixtures: {
    fail: [
      (c) => void (s47(c).InitialCPCtarget = '2025-06-21'),
      (c) => void (s47(c).InitialCPCtarget = '2025-06-22'),
    ],
    pass: [(c) => void (s47(c).InitialCPCtarget = '2025-06-23')],
  },
};

const rule8875: CinRule = {
  code: '8875',
  check: (child) =>
    perEpisode(child.cinDetails, (d) => {
      const weekend = (value: string | undefined): boolean => {
        const when = day(value);
        return when !== null && isWeekend(when);
      };
      const out: Finding[] = [];
      if (weekend(d.DateOfInitialCPC))
        out.push({ table: 'CINdetails', fields: ['DateOfInitialCPC'], row: d.line });
      for (const s of d.section47) {
        if (weekend(s.DateOfInitialCPC)) out.push({ table: S47, fields: ['DateOfInitialCPC'], row: s.line });
      }
      return out;
    }),
  fixtures: {
    fail: [
      (c) => void (s47(c).DateOfInitialCPC = '2025-06-21'),
      (c) => void (ep(withProtection(c)).DateOfInitialCPC = '2025-06-22'),
    ],
    pass: [(c) => void (s47(c).DateOfInitialCPC = '2025-06-23')],
  },
};

/** Within one episode, an enquiry may not start while another is ongoing. */
const rule8890: CinRule = {
  code: '8890',
  check: (child, ctx) =>
    perEpisode(child.cinDetails, (d) => {
      if (d.section47.length < 2) return [];
      const periods = d.section47.map((s) => ({
        start: day(s.S47ActualStartDate),
        end: day(s.DateOfInitialCPC),
        open: s47Open(s),
      }));
      return startsInsideAnother(periods, ctx.referenceDate).map((i) => ({
        table: S47,
        fields: ['S47ActualStartDate'],
        row: must(d.section47[i]).line,
      }));
    }),
  fixtures: {
    fail: [
      (c) => {
        s47(c);
        ep(c).section47.push({
          line: 0,
          S47ActualStartDate: '2025-06-20',
          ICPCnotRequired: 'true',
        });
      },
      (c) => {
        awaitingConference(c);
        ep(c).section47.push({
          line: 0,
          S47ActualStartDate: '2026-01-10',
          ICPCnotRequired: 'true',
        });
      },
    ],
    pass: [
      (c) => {
        s47(c);
        ep(c).section47.push({
          line: 0,
          S47ActualStartDate: '2025-06-21',
          ICPCnotRequired: 'true',
        });
      },
    ],
  },
};

const rule8720: CinRule = {
  code: '8720',
  check: (child, ctx) =>
    eachPlan(
      child,
      (p) => {
        const start = day(p.CPPstartDate);
        return start === null || start > ctx.referenceDate;
      },
      ['CPPstartDate'],
    ),
  fixtures: {
    fail: [(c) => void (plan(c).CPPstartDate = undefined), (c) => void (plan(c).CPPstartDate = '2026-04-01')],
    pass: [(c) => void plan(c)],
  },
};

const rule8730: CinRule = {
  code: '8730',
  check: (child) => eachPlan(child, (p) => !present(p.NumberOfPreviousCPP), ['NumberOfPreviousCPP']),
  fixtures: {
    fail: [(c) => void (plan(c).NumberOfPreviousCPP = undefined)],
    pass: [(c) => void (plan(c).NumberOfPreviousCPP = '2')],
  },
};

const rule8840: CinRule = {
  code: '8840',
  check: (child) =>
    eachPlan(
      child,
      (p) => {
        const start = day(p.CPPstartDate);
        return start !== null && start === day(p.CPPendDate);
      },
      ['CPPstartDate', 'CPPendDate'],
    ),
  fixtures: {
    fail: [(c) => void (plan(c).CPPendDate = '2025-06-20')],
    pass: [(c) => void (plan(c).CPPendDate = '2025-06-21')],
  },
};

const rule8841: CinRule = {
  code: '8841',
  check: (child) =>
    perEpisode(child.cinDetails, (d) =>
      d.childProtectionPlans.flatMap((p) => {
        const start = day(p.CPPstartDate);
        if (start === null) return [];
        return p.reviews
          .filter((r) => {
            const review = day(r.CPPreviewDate);
            return review !== null && review <= start;
          })
          .map((r) => ({ table: 'Reviews', fields: ['CPPreviewDate'], row: r.line }));
      }),
    ),
  fixtures: {
    fail: [(c) => void (must(plan(c).reviews[0]).CPPreviewDate = '2025-06-20')],
    pass: [(c) => void (must(plan(c).reviews[0]).CPPreviewDate = '2025-06-21')],
  },
};

const rule8842Q: CinRule = {
  code: '8842Q',
  check: (child) =>
    perEpisode(child.cinDetails, (d) =>
      d.childProtectionPlans.flatMap((p) =>
        p.reviews
          .filter((r) => !present(r.CPPreviewDate))
          .map((r) => ({ table: 'Reviews', fields: ['CPPreviewDate'], row: r.line })),
      ),
    ),
  fixtures: {
    fail: [(c) => void (must(plan(c).reviews[0]).CPPreviewDate = undefined)],
    pass: [(c) => void (plan(c).reviews = [])],
  },
};

function categoryRule(code: string, field: 'InitialCategoryOfAbuse' | 'LatestCategoryOfAbuse'): CinRule {
  return {
    code,
    check: (child) =>
      eachPlan(
        child,
        (p) => {
          const value = p[field];
          return !present(value) || !ABUSE_CATEGORIES.has(value.trim());
        },
        [field],
      ),
    fixtures: {
      fail: [(c) => void (plan(c)[field] = undefined), (c) => void (plan(c)[field] = 'NEGL')],
      pass: [(c) => void (plan(c)[field] = 'MUL')],
    },
  };
}

function deathRule(code: string, field: 'CPPstartDate' | 'CPPendDate'): CinRule {
  return {
    code,
    check: (child) => {
      const died = day(child.identifiers.PersonDeathDate);
      if (died === null) return [];
      return eachPlan(
        child,
        (p) => {
          const when = day(p[field]);
          return when !== null && when > died;
        },
        [field],
      );
    },
    fixtures: {
      fail: [
        (c) => {
          const p = plan(c);
          p.CPPendDate = '2025-10-01';
          c.identifiers.PersonDeathDate = field === 'CPPstartDate' ? '2025-06-19' : '2025-09-30';
        },
      ],
      pass: [
        (c) => {
          const p = plan(c);
          p.CPPendDate = '2025-10-01';
          c.identifiers.PersonDeathDate = '2025-10-01';
        },
      ],
    },
  };
}

const rule8925: CinRule = {
  code: '8925',
  check: (child) =>
    eachPlan(
      child,
      (p) => {
        const start = day(p.CPPstartDate);
        const end = day(p.CPPendDate);
        return start !== null && end !== null && end < start;
      },
      ['CPPstartDate', 'CPPendDate'],
    ),
  fixtures: {
    fail: [(c) => void (plan(c).CPPendDate = '2025-06-19')],
    pass: [(c) => void (plan(c).CPPendDate = '2025-06-20')],
  },
};

const rule8930: CinRule = {
  code: '8930',
  check: (child, ctx) => eachPlan(child, (p) => presentOutsideYear(p.CPPendDate, ctx), ['CPPendDate']),
  fixtures: {
    fail: [(c) => void (plan(c).CPPendDate = '2026-04-01')],
    pass: [(c) => void (plan(c).CPPendDate = '2026-03-31')],
  },
};

function allPlans(child: CinChild): CinProtectionPlan[] {
  return child.cinDetails.flatMap((d) => d.childProtectionPlans);
}

function secondPlan(c: CinChild, start: string, end: string | undefined): CinProtectionPlan {
  plan(c);
  const second: CinProtectionPlan = {
    line: 0,
    CPPstartDate: start,
    CPPendDate: end,
    InitialCategoryOfAbuse: 'EMO',
    LatestCategoryOfAbuse: 'EMO',
    NumberOfPreviousCPP: '1',
    reviews: [],
  };
  ep(c).childProtectionPlans.push(second);
  return second;
}

const rule8935: CinRule = {
  code: '8935',
  check: (child) => {
    const open = allPlans(child).filter((p) => !present(p.CPPendDate));
    return open.length > 1 ? open.map((p) => ({ table: CPP, fields: ['CPPendDate'], row: p.line })) : [];
  },
  fixtures: {
    fail: [(c) => void secondPlan(c, '2026-01-10', undefined)],
    pass: [(c) => void secondPlan(c, '2025-04-10', '2025-05-20')],
  },
};

const rule8940: CinRule = {
  code: '8940',
  check: (child, ctx) => {
    const plans = allPlans(child);
    if (plans.length < 2) return [];
    const periods = plans.map((p) => ({
      start: day(p.CPPstartDate),
      end: day(p.CPPendDate),
      open: true,
    }));
    return startsInsideAnother(periods, ctx.referenceDate).map((i) => ({
      table: CPP,
      fields: ['CPPstartDate', 'CPPendDate'],
      row: must(plans[i]).line,
    }));
  },
  fixtures: {
    fail: [
      (c) => void secondPlan(c, '2026-01-10', undefined),
      (c) => void secondPlan(c, '2025-04-10', '2025-06-20'),
    ],
    pass: [(c) => void secondPlan(c, '2025-04-10', '2025-06-19')],
  },
};

export const PROTECTION_RULES: readonly CinRule[] = [
  rule8615,
  rule8675Q,
  rule8715,
  rule8720,
  rule8730,
  rule8740,
  rule8839,
  rule8840,
  rule8841,
  rule8842Q,
  rule8868,
  rule8870Q,
  rule8875,
  rule8890,
  categoryRule('8905', 'InitialCategoryOfAbuse'),
  categoryRule('8910', 'LatestCategoryOfAbuse'),
  deathRule('8915', 'CPPstartDate'),
  deathRule('8920', 'CPPendDate'),
  rule8925,
  rule8930,
  rule8935,
  rule8940,
];
