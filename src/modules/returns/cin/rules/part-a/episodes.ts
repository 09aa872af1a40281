/**
 * CIN census rules on one referral episode (CINdetails) and what hangs off it: activity dated
 * before the referral, initial child protection conferences, and activity on a closed-at-assessment
 * episode.
 */
import type { CinChild, CinDetails } from '../../model.ts';
import { withProtection } from '../../model.ts';
import type { Finding } from '../../../validation/rule.ts';
import type { CinRule } from '../index.ts';
import { copyEpisode, day, episode, plan } from './helpers.ts';

const noop = (): void => undefined;

/** Findings from `visit` over every episode with a readable referral date. */
function referred(
  child: CinChild,
  visit: (d: CinDetails, referral: number, out: Finding[]) => void,
): Finding[] {
  const out: Finding[] = [];
  for (const d of child.cinDetails) {
    const referral = day(d.CINreferralDate);
    if (referral !== null) visit(d, referral, out);
  }
  return out;
}

function before(value: string | undefined, limit: number): boolean {
  const d = day(value);
  return d !== null && d < limit;
}

const rule1103: CinRule = {
  code: '1103',
  check: (child) =>
    referred(child, (d, referral, out) => {
      for (const a of d.assessments) {
        if (before(a.AssessmentActualStartDate, referral)) {
          out.push({ table: 'Assessments', fields: ['AssessmentActualStartDate'], row: a.line });
        }
      }
    }),
  fixtures: {
    fail: [
      (c) =>
        void (episode(c).assessments[0] = { line: 0, AssessmentActualStartDate: '2025-06-01', factors: [] }),
    ],
    pass: [
      noop,
      (c) =>
        void (episode(c).assessments[0] = { line: 0, AssessmentActualStartDate: '2025-06-02', factors: [] }),
    ],
  },
};

/** 1104: the conference date, at either level (CINdetails or Section47), is not before the referral. */
const rule1104: CinRule = {
  code: '1104',
  check: (child) =>
    referred(child, (d, referral, out) => {
      if (before(d.DateOfInitialCPC, referral)) {
        out.push({ table: 'CINdetails', fields: ['DateOfInitialCPC'], row: d.line });
      }
      for (const s of d.section47) {
        if (before(s.DateOfInitialCPC, referral)) {
          out.push({ table: 'Section47', fields: ['DateOfInitialCPC'], row: s.line });
        }
      }
    }),
  fixtures: {
    fail: [
      (c) => {
        withProtection(c);
        const s = episode(c).section47[0];
        if (s) s.DateOfInitialCPC = '2025-06-01';
      },
      (c) => {
        withProtection(c);
        episode(c).section47 = [];
        episode(c).DateOfInitialCPC = '2025-05-30';
      },
    ],
    pass: [
      noop,
      (c) => void withProtection(c),
      (c) => {
        withProtection(c);
        const s = episode(c).section47[0];
        if (s) s.DateOfInitialCPC = '2025-06-02';
      },
    ],
  },
};

const rule1105: CinRule = {
  code: '1105',
  check: (child) =>
    referred(child, (d, referral, out) => {
      for (const p of d.childProtectionPlans) {
        if (before(p.CPPstartDate, referral)) {
          out.push({ table: 'ChildProtectionPlans', fields: ['CPPstartDate'], row: p.line });
        }
      }
    }),
  fixtures: {
    fail: [
      (c) => {
        withProtection(c);
        plan(c).CPPstartDate = '2025-06-01';
      },
    ],
    pass: [
      (c) => void withProtection(c),
      (c) => {
        withProtection(c);
        plan(c).CPPstartDate = '2025-06-02';
      },
    ],
  },
};

const rule2889: CinRule = {
  code: '2889',
  check: (child) =>
    referred(child, (d, referral, out) => {
      for (const s of d.section47) {
        if (before(s.S47ActualStartDate, referral)) {
          out.push({ table: 'Section47', fields: ['S47ActualStartDate'], row: s.line });
        }
      }
    }),
  fixtures: {
    fail: [
      (c) => {
        withProtection(c);
        const s = episode(c).section47[0];
        if (s) s.S47ActualStartDate = '2025-06-01';
      },
    ],
    pass: [
      (c) => void withProtection(c),
      (c) => {
        withProtection(c);
        const s = episode(c).section47[0];
        if (s) s.S47ActualStartDate = '2025-06-02';
      },
    ],
  },
};

/**
 * 2883: return-level; child protection plans starting in the census year must not outnumber the
 * initial conferences held in it (CINdetails and Section47 conference dates counted together).
 */
const rule2883: CinRule = {
  code: '2883',
  scope: 'return',
  start: () => {
    let plans = 0;
    let conferences = 0;
    return {
      add: (child, ctx) => {
        const inYear = (value: string | undefined): boolean => {
          const d = day(value);
          return d !== null && d >= ctx.periodStart && d <= ctx.referenceDate;
        };
        for (const d of child.cinDetails) {
          if (inYear(d.DateOfInitialCPC)) conferences += 1;
          for (const s of d.section47) if (inYear(s.DateOfInitialCPC)) conferences += 1;
          for (const p of d.childProtectionPlans) if (inYear(p.CPPstartDate)) plans += 1;
        }
      },
      finish: () =>
        plans > conferences
          ? [{ table: 'ChildProtectionPlans', fields: ['CPPstartDate', 'DateOfInitialCPC'] }]
          : [],
    };
  },
  fixtures: {
    fail: [
      [
        (c) => {
          withProtection(c);
          const s = episode(c).section47[0];
          if (s) s.DateOfInitialCPC = undefined;
        },
      ],
      // a conference in the previous census year does not count
      [
        (c) => {
          withProtection(c);
          episode(c).section47 = [];
          episode(c).DateOfInitialCPC = '2025-03-31';
        },
      ],
    ],
    pass: [
      [noop],
      [(c) => void withProtection(c), noop],
      // the conference recorded on the episode when there is no Section 47 in the return
      [
        (c) => {
          withProtection(c);
          episode(c).section47 = [];
          episode(c).DateOfInitialCPC = '2025-06-20';
        },
      ],
      // a plan that started last census year is not counted
      [
        (c) => {
          withProtection(c);
          episode(c).section47 = [];
          plan(c).CPPstartDate = '2025-03-20';
          episode(c).CINreferralDate = '2025-03-01';
        },
      ],
    ],
  },
};

/**
 * 2884: the same initial conference is not recorded at both levels: a CINdetails conference date
 * must not equal a Section 47 conference date of the child.
 */
const rule2884: CinRule = {
  code: '2884',
  check: (child) => {
    const s47 = new Map<number, number[]>();
    for (const d of child.cinDetails) {
      for (const s of d.section47) {
        const held = day(s.DateOfInitialCPC);
        if (held !== null) s47.set(held, [...(s47.get(held) ?? []), s.line]);
      }
    }
    if (s47.size === 0) return [];
    const out: Finding[] = [];
    for (const d of child.cinDetails) {
      const held = day(d.DateOfInitialCPC);
      const lines = held === null ? undefined : s47.get(held);
      if (!lines) continue;
      out.push({ table: 'CINdetails', fields: ['DateOfInitialCPC'], row: d.line });
      for (const line of lines) out.push({ table: 'Section47', fields: ['DateOfInitialCPC'], row: line });
    }
    return out;
  },
  fixtures: {
    fail: [
      (c) => {
        withProtection(c);
        episode(c).DateOfInitialCPC = '2025-06-20';
      },
    ],
    pass: [
      noop,
      (c) => void withProtection(c),
      // an earlier conference recorded on a previous episode, not the same one
      (c) => {
        withProtection(c);
        episode(c).DateOfInitialCPC = '2025-06-19';
      },
    ],
  },
};

/**
 * 2885: a plan starting in the census year starts on the day of an initial conference of its
 * episode: a Section 47 conference date, or the episode's own when no Section 47 records it.
 */
const rule2885: CinRule = {
  code: '2885',
  check: (child, ctx) => {
    const out: Finding[] = [];
    for (const d of child.cinDetails) {
      let conferences: Set<number> | undefined;
      for (const p of d.childProtectionPlans) {
        const start = day(p.CPPstartDate);
        if (start === null || start < ctx.periodStart || start > ctx.referenceDate) continue;
        if (!conferences) {
          conferences = new Set<number>();
          const own = day(d.DateOfInitialCPC);
          if (own !== null) conferences.add(own);
          for (const s of d.section47) {
            const held = day(s.DateOfInitialCPC);
            if (held !== null) conferences.add(held);
          }
        }
        if (!conferences.has(start)) {
          out.push({ table: 'ChildProtectionPlans', fields: ['CPPstartDate'], row: p.line });
        }
      }
    }
    return out;
  },
  fixtures: {
    fail: [
      (c) => {
        withProtection(c);
        plan(c).CPPstartDate = '2025-06-21';
      },
      (c) => {
        withProtection(c);
        episode(c).section47 = [];
      },
    ],
    pass: [
      noop,
      (c) => void withProtection(c),
      (c) => {
        withProtection(c);
        episode(c).section47 = [];
        episode(c).DateOfInitialCPC = '2025-06-20';
      },
      // a plan that started before the census year is not checked
      (c) => {
        withProtection(c);
        episode(c).section47 = [];
        episode(c).CINreferralDate = '2025-01-06';
        plan(c).CPPstartDate = '2025-02-03';
      },
    ],
  },
};

const CLOSED_AFTER_ASSESSMENT: ReadonlySet<string> = new Set(['RC8', 'RC9']);

/**
 * 2990: an episode closed after assessment (RC8 no further action, RC9 referred to early help)
 * has no Section 47, child protection plan, initial conference or CIN plan.
 */
const rule2990: CinRule = {
  code: '2990',
  check: (child) =>
    child.cinDetails.flatMap((d) =>
      d.ReasonForClosure !== undefined &&
      CLOSED_AFTER_ASSESSMENT.has(d.ReasonForClosure.trim()) &&
      (d.section47.length > 0 ||
        d.childProtectionPlans.length > 0 ||
        (d.DateOfInitialCPC ?? '').trim() !== '' ||
        d.cinPlanDates.length > 0)
        ? [{ table: 'CINdetails', fields: ['ReasonForClosure'], row: d.line }]
        : [],
    ),
  fixtures: {
    fail: [
      (c) => {
        episode(c).ReasonForClosure = 'RC8';
        episode(c).CINclosureDate = '2025-12-01';
      },
      (c) => {
        withProtection(c);
        episode(c).ReasonForClosure = 'RC9';
        episode(c).CINclosureDate = '2025-12-01';
      },
      (c) => {
        const d = episode(c);
        d.cinPlanDates = [];
        d.DateOfInitialCPC = '2025-06-20';
        d.ReasonForClosure = 'RC8';
        d.CINclosureDate = '2025-07-01';
      },
    ],
    pass: [
      noop,
      (c) => {
        const d = episode(c);
        d.cinPlanDates = [];
        d.ReasonForClosure = 'RC8';
        d.CINclosureDate = '2025-07-01';
      },
      (c) => {
        const d = episode(c);
        d.cinPlanDates[0] = { line: 0, CINPlanStartDate: '2025-07-01', CINPlanEndDate: '2025-12-01' };
        d.ReasonForClosure = 'RC7';
        d.CINclosureDate = '2025-12-01';
      },
    ],
  },
};

/** 2991Q: an episode with a Section 47 enquiry should have an assessment. */
const rule2991Q: CinRule = {
  code: '2991Q',
  check: (child) =>
    child.cinDetails.flatMap((d) =>
      d.section47.length > 0 && d.assessments.length === 0
        ? d.section47.map((s) => ({ table: 'Section47', fields: ['S47ActualStartDate'], row: s.line }))
        : [],
    ),
  fixtures: {
    fail: [
      (c) => {
        withProtection(c);
        episode(c).assessments = [];
      },
    ],
    pass: [
      noop,
      (c) => void withProtection(c),
      // the assessment is on this episode; a second episode without either is fine
      (c) => {
        withProtection(c);
        const second = copyEpisode(c);
        second.section47 = [];
        second.childProtectionPlans = [];
        second.assessments = [];
        c.cinDetails.push(second);
      },
    ],
  },
};

export const EPISODE_RULES: readonly CinRule[] = [
  rule1103,
  rule1104,
  rule1105,
  rule2883,
  rule2884,
  rule2885,
  rule2889,
  rule2990,
  rule2991Q,
];
