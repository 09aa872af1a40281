/**
 * CIN census rules on child in need plans (CINPlanDates): their dates, their nesting in the
 * episode, and their overlap with each other and with child protection plans.
 */
import type { CinChild, CinContext, CinPlanDates } from '../../model.ts';
import { withProtection } from '../../model.ts';
import type { Finding } from '../../../validation/rule.ts';
import type { CinRule } from '../index.ts';
import { copyEpisode, day, episode, isTrue, plan } from './helpers.ts';

const noop = (): void => undefined;
const TABLE = 'CINplanDates';

function planFinding(p: CinPlanDates, fields: readonly string[]): Finding {
  return { table: TABLE, fields, row: p.line };
}

/** Fixture: the baseline's CIN plan. */
function cinPlan(child: CinChild, index = 0): CinPlanDates {
  const p = episode(child).cinPlanDates[index];
  if (!p) throw new Error('fixture child has no CIN plan');
  return p;
}

/** Every CIN plan of the child, with its parsed dates. */
function plansOf(child: CinChild): { p: CinPlanDates; start: number | null; end: number | null }[] {
  const out: { p: CinPlanDates; start: number | null; end: number | null }[] = [];
  for (const d of child.cinDetails) {
    for (const p of d.cinPlanDates)
      out.push({ p, start: day(p.CINPlanStartDate), end: day(p.CINPlanEndDate) });
  }
  return out;
}

function blank(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}

const rule4000: CinRule = {
  code: '4000',
  check: (child) =>
    child.cinDetails.flatMap((d) =>
      isTrue(d.ReferralNFA) ? d.cinPlanDates.map((p) => planFinding(p, ['CINPlanStartDate'])) : [],
    ),
  fixtures: {
    fail: [(c) => void (episode(c).ReferralNFA = 'true'), (c) => void (episode(c).ReferralNFA = '1')],
    pass: [
      noop,
      (c) => {
        episode(c).ReferralNFA = 'true';
        episode(c).cinPlanDates = [];
      },
    ],
  },
};

/** 4001: within an episode, an open child protection plan and an open CIN plan cannot both be present. */
const rule4001: CinRule = {
  code: '4001',
  check: (child) =>
    child.cinDetails.flatMap((d) =>
      d.childProtectionPlans.some((p) => blank(p.CPPendDate))
        ? d.cinPlanDates.filter((p) => blank(p.CINPlanEndDate)).map((p) => planFinding(p, ['CINPlanEndDate']))
        : [],
    ),
  fixtures: {
    fail: [
      (c) => {
        withProtection(c);
        episode(c).cinPlanDates = [{ line: 0, CINPlanStartDate: '2025-06-10' }];
      },
    ],
    pass: [
      noop,
      (c) => void withProtection(c),
      (c) => {
        withProtection(c);
        episode(c).cinPlanDates = [{ line: 0, CINPlanStartDate: '2025-06-10', CINPlanEndDate: '2025-06-20' }];
      },
      (c) => {
        withProtection(c);
        plan(c).CPPendDate = '2025-12-01';
        episode(c).cinPlanDates = [{ line: 0, CINPlanStartDate: '2025-12-01' }];
      },
    ],
  },
};

/**
 * 4003: within an episode, no child protection review falls while a CIN plan is open (from its start
 * up to, not including, its end; an open plan runs to the reference date), unless the review is the
 * day the protection plan ended.
 */
const rule4003: CinRule = {
  code: '4003',
  check: (child, ctx) => {
    const out: Finding[] = [];
    for (const d of child.cinDetails) {
      if (d.cinPlanDates.length === 0) continue;
      const open = d.cinPlanDates.flatMap((p) => {
        const start = day(p.CINPlanStartDate);
        return start === null ? [] : [{ start, end: day(p.CINPlanEndDate) }];
      });
      for (const cpp of d.childProtectionPlans) {
        const ended = day(cpp.CPPendDate);
        for (const r of cpp.reviews) {
          const held = day(r.CPPreviewDate);
          if (held === null || held === ended) continue;
          const during = open.some(
            ({ start, end }) => held >= start && (end === null ? held <= ctx.referenceDate : held < end),
          );
          if (during) out.push({ table: 'Reviews', fields: ['CPPreviewDate'], row: r.line });
        }
      }
    }
    return out;
  },
  fixtures: {
    fail: [
      (c) => {
        withProtection(c);
        episode(c).cinPlanDates = [{ line: 0, CINPlanStartDate: '2025-09-01', CINPlanEndDate: '2025-10-01' }];
      },
      (c) => {
        withProtection(c);
        episode(c).cinPlanDates = [{ line: 0, CINPlanStartDate: '2025-09-15' }];
      },
    ],
    pass: [
      noop,
      (c) => void withProtection(c),
      // the plan ends on the review day
      (c) => {
        withProtection(c);
        episode(c).cinPlanDates = [{ line: 0, CINPlanStartDate: '2025-06-03', CINPlanEndDate: '2025-09-15' }];
      },
      // the review that ended the protection plan, the day a CIN plan started
      (c) => {
        withProtection(c);
        plan(c).CPPendDate = '2025-09-15';
        episode(c).cinPlanDates = [{ line: 0, CINPlanStartDate: '2025-09-15' }];
      },
    ],
  },
};

/** 4004: an episode has at most one CIN plan with no end date. */
const rule4004: CinRule = {
  code: '4004',
  check: (child) =>
    child.cinDetails.flatMap((d) => {
      const open = d.cinPlanDates.filter((p) => blank(p.CINPlanEndDate));
      return open.length > 1 ? open.map((p) => planFinding(p, ['CINPlanEndDate'])) : [];
    }),
  fixtures: {
    fail: [(c) => void episode(c).cinPlanDates.push({ line: 0, CINPlanStartDate: '2025-08-01' })],
    pass: [
      noop,
      (c) => {
        cinPlan(c).CINPlanEndDate = '2025-07-31';
        episode(c).cinPlanDates.push({ line: 0, CINPlanStartDate: '2025-08-01' });
      },
      // one open plan on each of two episodes
      (c) => void c.cinDetails.push(copyEpisode(c)),
    ],
  },
};

function deathDay(child: CinChild): number | null {
  return day(child.identifiers.PersonDeathDate);
}

const rule4008: CinRule = {
  code: '4008',
  check: (child) => {
    const died = deathDay(child);
    if (died === null) return [];
    return plansOf(child)
      .filter(({ start }) => start !== null && start > died)
      .map(({ p }) => planFinding(p, ['CINPlanStartDate']));
  },
  fixtures: {
    fail: [(c) => void (c.identifiers.PersonDeathDate = '2025-06-30')],
    pass: [noop, (c) => void (c.identifiers.PersonDeathDate = '2025-07-01')],
  },
};

const rule4009Q: CinRule = {
  code: '4009Q',
  check: (child) => {
    const died = deathDay(child);
    if (died === null) return [];
    return plansOf(child)
      .filter(({ end }) => end !== null && end > died)
      .map(({ p }) => planFinding(p, ['CINPlanEndDate']));
  },
  fixtures: {
    fail: [
      (c) => {
        c.identifiers.PersonDeathDate = '2025-10-01';
        cinPlan(c).CINPlanEndDate = '2025-10-02';
      },
    ],
    pass: [
      noop,
      (c) => {
        c.identifiers.PersonDeathDate = '2025-10-01';
        cinPlan(c).CINPlanEndDate = '2025-10-01';
      },
    ],
  },
};

/** 4010: a CIN plan has a start date, on or before the reference date. */
const rule4010: CinRule = {
  code: '4010',
  check: (child, ctx) =>
    plansOf(child)
      .filter(({ start }) => start === null || start > ctx.referenceDate)
      .map(({ p }) => planFinding(p, ['CINPlanStartDate'])),
  fixtures: {
    fail: [
      (c) => void (cinPlan(c).CINPlanStartDate = undefined),
      (c) => void (cinPlan(c).CINPlanStartDate = '2026-04-01'),
    ],
    pass: [noop, (c) => void (cinPlan(c).CINPlanStartDate = '2026-03-31')],
  },
};

const rule4011: CinRule = {
  code: '4011',
  check: (child) =>
    plansOf(child)
      .filter(({ start, end }) => start !== null && end !== null && end < start)
      .map(({ p }) => planFinding(p, ['CINPlanStartDate', 'CINPlanEndDate'])),
  fixtures: {
    fail: [(c) => void (cinPlan(c).CINPlanEndDate = '2025-06-30')],
    pass: [noop, (c) => void (cinPlan(c).CINPlanEndDate = '2025-07-01')],
  },
};

const rule4012Q: CinRule = {
  code: '4012Q',
  check: (child) =>
    plansOf(child)
      .filter(({ start, end }) => start !== null && start === end)
      .map(({ p }) => planFinding(p, ['CINPlanStartDate', 'CINPlanEndDate'])),
  fixtures: {
    fail: [(c) => void (cinPlan(c).CINPlanEndDate = '2025-07-01')],
    pass: [noop, (c) => void (cinPlan(c).CINPlanEndDate = '2025-07-02')],
  },
};

/** 4013: a CIN plan end date falls within the census year (inclusive). */
const rule4013: CinRule = {
  code: '4013',
  check: (child, ctx) =>
    plansOf(child)
      .filter(({ end }) => end !== null && (end < ctx.periodStart || end > ctx.referenceDate))
      .map(({ p }) => planFinding(p, ['CINPlanEndDate'])),
  fixtures: {
    fail: [
      (c) => void (cinPlan(c).CINPlanEndDate = '2026-04-01'),
      (c) => {
        episode(c).CINreferralDate = '2025-01-06';
        cinPlan(c).CINPlanStartDate = '2025-02-01';
        cinPlan(c).CINPlanEndDate = '2025-03-31';
      },
    ],
    pass: [
      noop,
      (c) => void (cinPlan(c).CINPlanEndDate = '2026-03-31'),
      (c) => {
        episode(c).CINreferralDate = '2025-01-06';
        cinPlan(c).CINPlanStartDate = '2025-02-01';
        cinPlan(c).CINPlanEndDate = '2025-04-01';
      },
    ],
  },
};

/**
 * 4014: no CIN plan of the child starts within another of its plans (from that plan's start to its
 * end inclusive, or to the reference date when it is open).
 */
const rule4014: CinRule = {
  code: '4014',
  check: (child, ctx) => {
    const plans = plansOf(child);
    if (plans.length < 2) return [];
    const out: Finding[] = [];
    for (const [i, a] of plans.entries()) {
      if (a.start === null) continue;
      const aStart = a.start;
      const inside = plans.some(
        (b, j) => j !== i && b.start !== null && aStart >= b.start && aStart <= (b.end ?? ctx.referenceDate),
      );
      if (inside) out.push(planFinding(a.p, ['CINPlanStartDate']));
    }
    return out;
  },
  fixtures: {
    fail: [
      (c) => {
        cinPlan(c).CINPlanEndDate = '2025-09-01';
        episode(c).cinPlanDates.push({ line: 0, CINPlanStartDate: '2025-09-01' });
      },
      (c) => {
        const second = copyEpisode(c);
        second.CINreferralDate = '2025-08-01';
        const p = second.cinPlanDates[0];
        if (p) p.CINPlanStartDate = '2025-08-15';
        c.cinDetails.push(second);
      },
    ],
    pass: [
      noop,
      (c) => {
        cinPlan(c).CINPlanEndDate = '2025-08-31';
        episode(c).cinPlanDates.push({ line: 0, CINPlanStartDate: '2025-09-01' });
      },
    ],
  },
};

/** 4015: a CIN plan does not start before its episode's referral. */
const rule4015: CinRule = {
  code: '4015',
  check: (child) =>
    child.cinDetails.flatMap((d) => {
      const referral = day(d.CINreferralDate);
      if (referral === null) return [];
      return d.cinPlanDates.flatMap((p) => {
        const start = day(p.CINPlanStartDate);
        return start !== null && start < referral ? [planFinding(p, ['CINPlanStartDate'])] : [];
      });
    }),
  fixtures: {
    fail: [(c) => void (cinPlan(c).CINPlanStartDate = '2025-06-01')],
    pass: [noop, (c) => void (cinPlan(c).CINPlanStartDate = '2025-06-02')],
  },
};

type Span = { start: number; end: number | null };

/** Whether `on` falls in the span: from its start up to, not including, its end; an open span runs to the reference date. */
function within(on: number, span: Span, ctx: CinContext): boolean {
  return on >= span.start && (span.end === null ? on <= ctx.referenceDate : on < span.end);
}

function protectionSpans(child: CinChild): Span[] {
  const out: Span[] = [];
  for (const d of child.cinDetails) {
    for (const p of d.childProtectionPlans) {
      const start = day(p.CPPstartDate);
      if (start !== null) out.push({ start, end: day(p.CPPendDate) });
    }
  }
  return out;
}

/** 4016: no CIN plan starts while a child protection plan of the child is open (its end day is allowed). */
const rule4016: CinRule = {
  code: '4016',
  check: (child, ctx) => {
    const plans = plansOf(child);
    if (plans.length === 0) return [];
    const spans = protectionSpans(child);
    if (spans.length === 0) return [];
    return plans
      .filter(({ start }) => start !== null && spans.some((s) => within(start, s, ctx)))
      .map(({ p }) => planFinding(p, ['CINPlanStartDate']));
  },
  fixtures: {
    fail: [
      (c) => {
        withProtection(c);
        episode(c).cinPlanDates = [{ line: 0, CINPlanStartDate: '2025-07-01', CINPlanEndDate: '2025-08-01' }];
      },
      (c) => {
        withProtection(c);
        episode(c).cinPlanDates = [{ line: 0, CINPlanStartDate: '2025-06-20', CINPlanEndDate: '2025-08-01' }];
      },
    ],
    pass: [
      noop,
      (c) => void withProtection(c),
      (c) => {
        withProtection(c);
        plan(c).CPPendDate = '2025-10-01';
        episode(c).cinPlanDates = [{ line: 0, CINPlanStartDate: '2025-10-01' }];
      },
    ],
  },
};

/** 4017: no child protection plan starts while a CIN plan of the child is open (its end day is allowed). */
const rule4017: CinRule = {
  code: '4017',
  check: (child, ctx) => {
    const plans = plansOf(child).flatMap(({ start, end }) => (start === null ? [] : [{ start, end }]));
    if (plans.length === 0) return [];
    const out: Finding[] = [];
    for (const d of child.cinDetails) {
      for (const p of d.childProtectionPlans) {
        const start = day(p.CPPstartDate);
        if (start !== null && plans.some((s) => within(start, s, ctx))) {
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
        episode(c).cinPlanDates = [{ line: 0, CINPlanStartDate: '2025-06-10' }];
      },
      (c) => {
        withProtection(c);
        episode(c).cinPlanDates = [{ line: 0, CINPlanStartDate: '2025-06-20', CINPlanEndDate: '2025-06-21' }];
      },
    ],
    pass: [
      noop,
      (c) => void withProtection(c),
      (c) => {
        withProtection(c);
        episode(c).cinPlanDates = [{ line: 0, CINPlanStartDate: '2025-06-10', CINPlanEndDate: '2025-06-20' }];
      },
    ],
  },
};

export const PLAN_RULES: readonly CinRule[] = [
  rule4000,
  rule4001,
  rule4003,
  rule4004,
  rule4008,
  rule4009Q,
  rule4010,
  rule4011,
  rule4012Q,
  rule4013,
  rule4014,
  rule4015,
  rule4016,
  rule4017,
];
