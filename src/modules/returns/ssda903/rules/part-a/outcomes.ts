/**
 * SSDA903 part A: outcomes for children looked after for 12 months (OC2: SDQ, health, substance
 * misuse) and care leavers (OC3): rules 131-133, 153, 157-159, 180-193, 196-198, 215.
 */
import { addYears } from '../../../validation/dates.ts';
import type { Finding } from '../../../validation/rule.ts';
import type { Child903, Row, Ssda903Context } from '../../model.ts';
import type { Ssda903Rule } from '../index.ts';
import {
  AD1_ITEMS,
  ACCOM_CODES,
  ACTIV_CODES,
  addOc2,
  addRow,
  at,
  badCode,
  continuouslyLookedAfter,
  dobOf,
  flag,
  headerOf,
  IN_TOUCH_CODES,
  inYear,
  makeLongTerm,
  OC2_ITEMS,
  OC3_ITEMS,
  present,
  SDQ_REASONS,
  turnsInYear,
  val,
  ZERO_ONE,
} from './helpers.ts';

function oc3(c: Child903, values: Record<string, string | undefined>): Row {
  return addRow(c, 'OC3', { DOB: val(headerOf(c), 'DOB'), ...values });
}

const rule131: Ssda903Rule = {
  code: '131',
  check: (c) => flag('OC3', ['IN_TOUCH'], c.tables.OC3, (r) => badCode(r, 'IN_TOUCH', IN_TOUCH_CODES)),
  fixtures: {
    fail: [(c) => void oc3(c, { IN_TOUCH: 'MAYBE', ACTIV: 'F2', ACCOM: 'B1' })],
    pass: [(c) => void oc3(c, { IN_TOUCH: 'RHOM', ACTIV: 'F2', ACCOM: 'B1' })],
  },
};

const rule132: Ssda903Rule = {
  code: '132',
  check: (c) => flag('OC3', ['ACTIV'], c.tables.OC3, (r) => badCode(r, 'ACTIV', ACTIV_CODES)),
  fixtures: {
    fail: [(c) => void oc3(c, { IN_TOUCH: 'YES', ACTIV: 'F3', ACCOM: 'B1' })],
    pass: [(c) => void oc3(c, { IN_TOUCH: 'YES', ACTIV: 'G6', ACCOM: 'B1' })],
  },
};

const rule133: Ssda903Rule = {
  code: '133',
  check: (c) => flag('OC3', ['ACCOM'], c.tables.OC3, (r) => badCode(r, 'ACCOM', ACCOM_CODES)),
  fixtures: {
    fail: [(c) => void oc3(c, { IN_TOUCH: 'YES', ACTIV: 'F2', ACCOM: 'S1' })],
    pass: [(c) => void oc3(c, { IN_TOUCH: 'YES', ACTIV: 'F2', ACCOM: 'S2' })],
  },
};

const rule153: Ssda903Rule = {
  code: '153',
  check: (c) =>
    flag('OC3', OC3_ITEMS, c.tables.OC3, (r) => {
      const n = OC3_ITEMS.filter((f) => present(r, f)).length;
      return n > 0 && n < OC3_ITEMS.length;
    }),
  fixtures: {
    fail: [(c) => void oc3(c, { IN_TOUCH: 'YES', ACTIV: 'F2' }), (c) => void oc3(c, { ACCOM: 'B1' })],
    pass: [(c) => void oc3(c, { IN_TOUCH: 'YES', ACTIV: 'F2', ACCOM: 'B1' }), (c) => void oc3(c, {})],
  },
};

/** Ages that matter for the SDQ, from the child's date of birth. */
function sdqAges(c: Child903, ctx: Ssda903Context, r: Row) {
  const dob = dobOf(c, r);
  if (dob === null) return undefined;
  return {
    fourByStart: addYears(dob, 4) <= ctx.periodStart,
    underFourAtEnd: addYears(dob, 4) > ctx.periodEnd,
    sixteenOrUnderAtEnd: addYears(dob, 16) >= ctx.periodEnd,
    underSeventeenAtEnd: addYears(dob, 17) > ctx.periodEnd,
    seventeenByStart: addYears(dob, 17) <= ctx.periodStart,
    turnsFourInYear: addYears(dob, 4) >= ctx.periodStart && addYears(dob, 4) <= ctx.periodEnd,
    turnsSeventeenInYear: addYears(dob, 17) >= ctx.periodStart && addYears(dob, 17) <= ctx.periodEnd,
  };
}

/** OC2 rows of a child looked after continuously for 12 months (or not), where `bad` holds. */
function oc2Where(
  c: Child903,
  ctx: Ssda903Context,
  cla: boolean,
  fields: readonly string[],
  bad: (r: Row) => boolean,
): Finding[] {
  if (c.tables.OC2.length === 0 || continuouslyLookedAfter(c, ctx) !== cla) return [];
  return flag('OC2', fields, c.tables.OC2, bad);
}

/** SDQ1 (under 4 or over 17) given for a child aged 4-16 throughout the year. */
const rule157: Ssda903Rule = {
  code: '157',
  check: (c, ctx) =>
    oc2Where(c, ctx, true, ['SDQ_REASON', 'DOB'], (r) => {
      const a = sdqAges(c, ctx, r);
      return (
        !!a &&
        a.fourByStart &&
        a.sixteenOrUnderAtEnd &&
        !present(r, 'SDQ_SCORE') &&
        val(r, 'SDQ_REASON') === 'SDQ1'
      );
    }),
  fixtures: {
    fail: [
      (c, x) => {
        makeLongTerm(c, x);
        addOc2(c, { SDQ_SCORE: undefined, SDQ_REASON: 'SDQ1' });
      },
    ],
    pass: [
      (c, x) => {
        makeLongTerm(c, x);
        addOc2(c, { SDQ_SCORE: undefined, SDQ_REASON: 'SDQ2' });
      },
      (c, x) => {
        makeLongTerm(c, x);
        turnsInYear(c, x, 17);
        addOc2(c, { SDQ_SCORE: undefined, SDQ_REASON: 'SDQ1' });
      },
    ],
  },
};

const rule158: Ssda903Rule = {
  code: '158',
  check: (c) =>
    flag(
      'OC2',
      ['INTERVENTION_RECEIVED', 'INTERVENTION_OFFERED'],
      c.tables.OC2,
      (r) => val(r, 'INTERVENTION_RECEIVED') === '1' && present(r, 'INTERVENTION_OFFERED'),
    ),
  fixtures: {
    fail: [
      (c) => void addOc2(c, { SUBSTANCE_MISUSE: '1', INTERVENTION_RECEIVED: '1', INTERVENTION_OFFERED: '1' }),
    ],
    pass: [(c) => void addOc2(c, { SUBSTANCE_MISUSE: '1', INTERVENTION_RECEIVED: '1' })],
  },
};

const rule159: Ssda903Rule = {
  code: '159',
  check: (c) =>
    flag(
      'OC2',
      ['SUBSTANCE_MISUSE', 'INTERVENTION_RECEIVED', 'INTERVENTION_OFFERED'],
      c.tables.OC2,
      (r) =>
        val(r, 'SUBSTANCE_MISUSE') === '1' &&
        val(r, 'INTERVENTION_RECEIVED') === '0' &&
        !present(r, 'INTERVENTION_OFFERED'),
    ),
  fixtures: {
    fail: [(c) => void addOc2(c, { SUBSTANCE_MISUSE: '1', INTERVENTION_RECEIVED: '0' })],
    pass: [
      (c) => void addOc2(c, { SUBSTANCE_MISUSE: '1', INTERVENTION_RECEIVED: '0', INTERVENTION_OFFERED: '0' }),
    ],
  },
};

const SDQ_SCORE = /^\d{1,2}$/;

const rule180: Ssda903Rule = {
  code: '180',
  check: (c) =>
    flag('OC2', ['SDQ_SCORE'], c.tables.OC2, (r) => {
      const v = val(r, 'SDQ_SCORE');
      return v !== undefined && !(SDQ_SCORE.test(v.trim()) && Number(v) <= 40);
    }),
  fixtures: {
    fail: [(c) => void addOc2(c, { SDQ_SCORE: '41' }), (c) => void addOc2(c, { SDQ_SCORE: '12.5' })],
    pass: [(c) => void addOc2(c, { SDQ_SCORE: '40' }), (c) => void addOc2(c, { SDQ_SCORE: '0' })],
  },
};

const rule181: Ssda903Rule = {
  code: '181',
  check: (c) => {
    const out: Finding[] = [];
    for (const r of c.tables.OC2) {
      const bad = OC2_ITEMS.filter((f) => badCode(r, f, ZERO_ONE));
      if (bad.length > 0) out.push(at('OC2', bad, r));
    }
    return out;
  },
  fixtures: {
    fail: [(c) => void addOc2(c, { CONVICTED: 'Y' }), (c) => void addOc2(c, { TEETH_CHECK: '2' })],
    pass: [(c) => void addOc2(c)],
  },
};

const CORE_HEALTH = ['IMMUNISATIONS', 'TEETH_CHECK', 'HEALTH_ASSESSMENT', 'SUBSTANCE_MISUSE'] as const;
const OTHER_OC2 = ['CONVICTED', 'HEALTH_CHECK', 'INTERVENTION_RECEIVED', 'INTERVENTION_OFFERED'] as const;

/** Either all OC2 items are blank, or the four core health items are all answered. */
const rule182: Ssda903Rule = {
  code: '182',
  check: (c) =>
    flag(
      'OC2',
      CORE_HEALTH,
      c.tables.OC2,
      (r) => CORE_HEALTH.some((f) => !present(r, f)) && OTHER_OC2.some((f) => present(r, f)),
    ),
  fixtures: {
    fail: [(c) => void addOc2(c, { IMMUNISATIONS: undefined })],
    pass: [
      (c) => void addOc2(c),
      (c) =>
        void addOc2(c, {
          CONVICTED: undefined,
          HEALTH_CHECK: undefined,
          IMMUNISATIONS: undefined,
          TEETH_CHECK: undefined,
          HEALTH_ASSESSMENT: undefined,
          SUBSTANCE_MISUSE: undefined,
        }),
    ],
  },
};

const rule185: Ssda903Rule = {
  code: '185',
  check: (c, ctx) => oc2Where(c, ctx, false, ['SDQ_SCORE'], (r) => present(r, 'SDQ_SCORE')),
  fixtures: {
    fail: [(c) => void addOc2(c)],
    pass: [
      (c, x) => {
        makeLongTerm(c, x);
        addOc2(c);
      },
      (c) => void addOc2(c, { SDQ_SCORE: undefined }),
    ],
  },
};

const rule186: Ssda903Rule = {
  code: '186',
  check: (c, ctx) =>
    oc2Where(c, ctx, true, ['SDQ_SCORE'], (r) => {
      const a = sdqAges(c, ctx, r);
      return (
        !!a && a.fourByStart && a.underSeventeenAtEnd && !present(r, 'SDQ_SCORE') && !present(r, 'SDQ_REASON')
      );
    }),
  fixtures: {
    fail: [
      (c, x) => {
        makeLongTerm(c, x);
        addOc2(c, { SDQ_SCORE: undefined });
      },
    ],
    pass: [
      (c, x) => {
        makeLongTerm(c, x);
        addOc2(c);
      },
      (c, x) => {
        makeLongTerm(c, x);
        addOc2(c, { SDQ_SCORE: undefined, SDQ_REASON: 'SDQ5' });
      },
    ],
  },
};

/** Looked after for 12 months, yet reported as adopted (AD1) or as a care leaver (OC3). */
function check187(c: Child903, ctx: Ssda903Context): Finding[] {
  if (!continuouslyLookedAfter(c, ctx)) return [];
  return [
    ...flag('AD1', AD1_ITEMS, c.tables.AD1, (r) => AD1_ITEMS.some((f) => present(r, f))),
    ...flag('OC3', OC3_ITEMS, c.tables.OC3, (r) => OC3_ITEMS.some((f) => present(r, f))),
  ];
}

const rule187: Ssda903Rule = {
  code: '187',
  check: check187,
  fixtures: {
    fail: [
      (c, x) => {
        makeLongTerm(c, x);
        oc3(c, { IN_TOUCH: 'YES', ACTIV: 'F2', ACCOM: 'B1' });
      },
      (c, x) => {
        makeLongTerm(c, x);
        addRow(c, 'AD1', { DATE_INT: inYear(x, 1, 6) });
      },
    ],
    pass: [(c) => void oc3(c, { IN_TOUCH: 'YES', ACTIV: 'F2', ACCOM: 'B1' })],
  },
};

const rule188: Ssda903Rule = {
  code: '188',
  check: (c, ctx) =>
    flag('OC2', ['SDQ_SCORE', 'SDQ_REASON'], c.tables.OC2, (r) => {
      const a = sdqAges(c, ctx, r);
      return !!a && a.underFourAtEnd && (present(r, 'SDQ_SCORE') || present(r, 'SDQ_REASON'));
    }),
  fixtures: {
    fail: [
      (c, x) => {
        turnsInYear(c, x, 3);
        addOc2(c, { SDQ_SCORE: undefined, SDQ_REASON: 'SDQ1' });
      },
    ],
    pass: [
      (c, x) => {
        turnsInYear(c, x, 4);
        addOc2(c, { SDQ_SCORE: undefined, SDQ_REASON: 'SDQ1' });
      },
      (c, x) => {
        turnsInYear(c, x, 3);
        addOc2(c, { SDQ_SCORE: undefined });
      },
    ],
  },
};

const rule189: Ssda903Rule = {
  code: '189',
  check: (c, ctx) =>
    flag('OC2', ['SDQ_SCORE', 'SDQ_REASON'], c.tables.OC2, (r) => {
      const a = sdqAges(c, ctx, r);
      return !!a && a.seventeenByStart && (present(r, 'SDQ_SCORE') || present(r, 'SDQ_REASON'));
    }),
  fixtures: {
    fail: [
      (c, x) => {
        turnsInYear(c, x, 18);
        addOc2(c);
      },
    ],
    pass: [
      (c, x) => {
        turnsInYear(c, x, 17);
        addOc2(c);
      },
    ],
  },
};

const rule190: Ssda903Rule = {
  code: '190',
  check: (c, ctx) => oc2Where(c, ctx, false, OC2_ITEMS, (r) => OC2_ITEMS.some((f) => present(r, f))),
  fixtures: {
    fail: [(c) => void addOc2(c, { SDQ_SCORE: undefined })],
    pass: [
      (c, x) => {
        makeLongTerm(c, x);
        addOc2(c);
      },
    ],
  },
};

/** Looked after for 12 months: an OC2 row with the four core health items answered. */
function check191(c: Child903, ctx: Ssda903Context): Finding[] {
  if (!continuouslyLookedAfter(c, ctx)) return [];
  if (c.tables.OC2.length === 0) {
    const first = c.tables.Episodes[0];
    return first ? [at('Episodes', ['CHILD'], first)] : [];
  }
  return flag('OC2', CORE_HEALTH, c.tables.OC2, (r) => CORE_HEALTH.some((f) => !present(r, f)));
}

const rule191: Ssda903Rule = {
  code: '191',
  check: check191,
  fixtures: {
    fail: [
      (c, x) => makeLongTerm(c, x),
      (c, x) => {
        makeLongTerm(c, x);
        addOc2(c, { SUBSTANCE_MISUSE: undefined });
      },
    ],
    pass: [
      (c, x) => {
        makeLongTerm(c, x);
        addOc2(c);
      },
    ],
  },
};

const rule192: Ssda903Rule = {
  code: '192',
  check: (c) =>
    flag(
      'OC2',
      ['SUBSTANCE_MISUSE', 'INTERVENTION_RECEIVED'],
      c.tables.OC2,
      (r) => val(r, 'SUBSTANCE_MISUSE') === '1' && !present(r, 'INTERVENTION_RECEIVED'),
    ),
  fixtures: {
    fail: [(c) => void addOc2(c, { SUBSTANCE_MISUSE: '1' })],
    pass: [(c) => void addOc2(c, { SUBSTANCE_MISUSE: '1', INTERVENTION_RECEIVED: '1' })],
  },
};

const rule193: Ssda903Rule = {
  code: '193',
  check: (c) =>
    flag(
      'OC2',
      ['SUBSTANCE_MISUSE', 'INTERVENTION_RECEIVED', 'INTERVENTION_OFFERED'],
      c.tables.OC2,
      (r) =>
        val(r, 'SUBSTANCE_MISUSE') !== '1' &&
        (present(r, 'INTERVENTION_RECEIVED') || present(r, 'INTERVENTION_OFFERED')),
    ),
  fixtures: {
    fail: [
      (c) => void addOc2(c, { SUBSTANCE_MISUSE: '0', INTERVENTION_RECEIVED: '0' }),
      (c) => void addOc2(c, { SUBSTANCE_MISUSE: undefined, INTERVENTION_OFFERED: '1' }),
    ],
    pass: [
      (c) => void addOc2(c, { SUBSTANCE_MISUSE: '1', INTERVENTION_RECEIVED: '0', INTERVENTION_OFFERED: '1' }),
    ],
  },
};

const rule196: Ssda903Rule = {
  code: '196',
  check: (c) => flag('OC2', ['SDQ_REASON'], c.tables.OC2, (r) => badCode(r, 'SDQ_REASON', SDQ_REASONS)),
  fixtures: {
    fail: [(c) => void addOc2(c, { SDQ_SCORE: undefined, SDQ_REASON: 'SDQ6' })],
    pass: [(c) => void addOc2(c, { SDQ_SCORE: undefined, SDQ_REASON: 'SDQ4' })],
  },
};

/** Turning 4 or 17 in the year and looked after for 12 months: a score or a reason for none. */
const rule197B: Ssda903Rule = {
  code: '197B',
  check: (c, ctx) =>
    oc2Where(c, ctx, true, ['SDQ_SCORE', 'SDQ_REASON', 'DOB'], (r) => {
      const a = sdqAges(c, ctx, r);
      return (
        !!a &&
        (a.turnsFourInYear || a.turnsSeventeenInYear) &&
        !present(r, 'SDQ_SCORE') &&
        !present(r, 'SDQ_REASON')
      );
    }),
  fixtures: {
    fail: [
      (c, x) => {
        makeLongTerm(c, x);
        turnsInYear(c, x, 17);
        addOc2(c, { SDQ_SCORE: undefined });
      },
      (c, x) => {
        makeLongTerm(c, x);
        turnsInYear(c, x, 4);
        addOc2(c, { SDQ_SCORE: undefined });
      },
    ],
    pass: [
      (c, x) => {
        makeLongTerm(c, x);
        turnsInYear(c, x, 17);
        addOc2(c, { SDQ_SCORE: undefined, SDQ_REASON: 'SDQ1' });
      },
      (c, x) => {
        makeLongTerm(c, x);
        turnsInYear(c, x, 4);
        addOc2(c);
      },
    ],
  },
};

const rule197a: Ssda903Rule = {
  code: '197a',
  check: (c) =>
    flag(
      'OC2',
      ['SDQ_SCORE', 'SDQ_REASON'],
      c.tables.OC2,
      (r) => present(r, 'SDQ_SCORE') && present(r, 'SDQ_REASON'),
    ),
  fixtures: {
    fail: [(c) => void addOc2(c, { SDQ_REASON: 'SDQ4' })],
    pass: [(c) => void addOc2(c), (c) => void addOc2(c, { SDQ_SCORE: undefined, SDQ_REASON: 'SDQ4' })],
  },
};

const rule198: Ssda903Rule = {
  code: '198',
  check: (c, ctx) => oc2Where(c, ctx, false, ['SDQ_REASON'], (r) => present(r, 'SDQ_REASON')),
  fixtures: {
    fail: [(c) => void addOc2(c, { SDQ_SCORE: undefined, SDQ_REASON: 'SDQ2' })],
    pass: [
      (c, x) => {
        makeLongTerm(c, x);
        addOc2(c, { SDQ_SCORE: undefined, SDQ_REASON: 'SDQ2' });
      },
    ],
  },
};

/** A care leaver (OC3 answered) has none of the 12-month items (OC2) answered. */
function check215(c: Child903): Finding[] {
  const leaver = c.tables.OC3.filter((r) => OC3_ITEMS.some((f) => present(r, f)));
  if (leaver.length === 0) return [];
  const oc2 = flag('OC2', OC2_ITEMS, c.tables.OC2, (r) => OC2_ITEMS.some((f) => present(r, f)));
  if (oc2.length === 0) return [];
  return [...leaver.map((r) => at('OC3', OC3_ITEMS, r)), ...oc2];
}

const rule215: Ssda903Rule = {
  code: '215',
  check: check215,
  fixtures: {
    fail: [
      (c) => {
        oc3(c, { IN_TOUCH: 'YES', ACTIV: 'F2', ACCOM: 'B1' });
        addOc2(c);
      },
    ],
    pass: [
      (c) => {
        oc3(c, { IN_TOUCH: 'YES', ACTIV: 'F2', ACCOM: 'B1' });
        addOc2(c, {
          CONVICTED: undefined,
          HEALTH_CHECK: undefined,
          IMMUNISATIONS: undefined,
          TEETH_CHECK: undefined,
          HEALTH_ASSESSMENT: undefined,
          SUBSTANCE_MISUSE: undefined,
        });
      },
    ],
  },
};

export const OUTCOME_RULES: readonly Ssda903Rule[] = [
  rule131,
  rule132,
  rule133,
  rule153,
  rule157,
  rule158,
  rule159,
  rule180,
  rule181,
  rule182,
  rule185,
  rule186,
  rule187,
  rule188,
  rule189,
  rule190,
  rule191,
  rule192,
  rule193,
  rule196,
  rule197B,
  rule197a,
  rule198,
  rule215,
];
