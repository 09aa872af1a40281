/** Part B rules on the child: identifiers, dates of birth and death, disabilities. */
import { addYears, dayOf } from '../../../validation/dates.ts';
import type { CinChild, CinContext } from '../../model.ts';
import type { CinRule } from '../index.ts';
import {
  addMonths,
  DISABILITIES,
  inCensusYear,
  isFalse,
  present,
  UPN_UNKNOWN_REASONS,
  ep,
  day,
  yearsBeforeDay,
} from './helpers.ts';

const IDS = 'ChildIdentifiers';

function unborn(c: CinChild): void {
  c.identifiers.PersonBirthDate = undefined;
  c.identifiers.ExpectedPersonBirthDate = '2026-06-15';
  c.identifiers.Sex = 'U';
  c.identifiers.UPN = undefined;
  ep(c).CINreferralDate = '2026-01-10';
}

/** Expected date of birth between the reference date minus 30 days and plus 9 months. */
const rule8530Q: CinRule = {
  code: '8530Q',
  check: (child, ctx) => {
    const due = day(child.identifiers.ExpectedPersonBirthDate);
    if (due === null) return [];
    const earliest = ctx.referenceDate - 30;
    const latest = addMonths(ctx.referenceDate, 9);
    return due < earliest || due > latest
      ? [{ table: IDS, fields: ['ExpectedPersonBirthDate'], row: child.identifiers.line }]
      : [];
  },
  fixtures: {
    fail: [
      (c) => {
        unborn(c);
        c.identifiers.ExpectedPersonBirthDate = '2027-01-01';
      },
      (c) => {
        unborn(c);
        c.identifiers.ExpectedPersonBirthDate = '2026-02-28';
      },
    ],
    pass: [
      unborn,
      (c) => {
        unborn(c);
        c.identifiers.ExpectedPersonBirthDate = '2026-12-31';
      },
      (c) => {
        unborn(c);
        c.identifiers.ExpectedPersonBirthDate = '2026-03-01';
      },
    ],
  },
};

const rule8535Q: CinRule = {
  code: '8535Q',
  check: (child) => {
    const born = day(child.identifiers.PersonBirthDate);
    const died = day(child.identifiers.PersonDeathDate);
    return born !== null && died !== null && died < born
      ? [{ table: IDS, fields: ['PersonDeathDate', 'PersonBirthDate'], row: child.identifiers.line }]
      : [];
  },
  fixtures: {
    fail: [(c) => void (c.identifiers.PersonDeathDate = '2015-05-09')],
    pass: [(c) => void (c.identifiers.PersonDeathDate = '2015-05-10')],
  },
};

const rule8545Q: CinRule = {
  code: '8545Q',
  check: (child, ctx) => {
    const value = child.identifiers.PersonDeathDate;
    if (!present(value)) return [];
    const died = day(value);
    return died === null || !inCensusYear(died, ctx)
      ? [{ table: IDS, fields: ['PersonDeathDate'], row: child.identifiers.line }]
      : [];
  },
  fixtures: {
    fail: [
      (c) => void (c.identifiers.PersonDeathDate = '2025-03-31'),
      (c) => void (c.identifiers.PersonDeathDate = '2026-04-01'),
    ],
    pass: [
      (c) => void (c.identifiers.PersonDeathDate = '2025-04-01'),
      (c) => void (c.identifiers.PersonDeathDate = '2026-03-31'),
    ],
  },
};

const rule8555Q: CinRule = {
  code: '8555Q',
  check: (child) => {
    const died = day(child.identifiers.PersonDeathDate);
    if (died === null) return [];
    return child.cinDetails.flatMap((d) => {
      const referred = day(d.CINreferralDate);
      return referred !== null && referred > died
        ? [{ table: 'CINdetails', fields: ['CINreferralDate'], row: d.line }]
        : [];
    });
  },
  fixtures: {
    fail: [(c) => void (c.identifiers.PersonDeathDate = '2025-06-01')],
    pass: [(c) => void (c.identifiers.PersonDeathDate = '2025-06-02')],
  },
};

const rule8585Q: CinRule = {
  code: '8585Q',
  check: (child) =>
    present(child.identifiers.PersonDeathDate)
      ? []
      : child.cinDetails.flatMap((d) =>
          d.ReasonForClosure?.trim() === 'RC2'
            ? [{ table: 'CINdetails', fields: ['ReasonForClosure'], row: d.line }]
            : [],
        ),
  fixtures: {
    fail: [
      (c) => {
        ep(c).CINclosureDate = '2026-02-01';
        ep(c).ReasonForClosure = 'RC2';
      },
    ],
    pass: [
      (c) => {
        ep(c).CINclosureDate = '2026-02-01';
        ep(c).ReasonForClosure = 'RC2';
        c.identifiers.PersonDeathDate = '2026-02-01';
      },
    ],
  },
};

const rule8590: CinRule = {
  code: '8590',
  check: (child) =>
    child.cinDetails.length === 0
      ? [{ table: 'CINdetails', fields: ['CINreferralDate'], row: child.line }]
      : [],
  fixtures: {
    fail: [(c) => void (c.cinDetails = [])],
    pass: [() => undefined],
  },
};

/** 40 weeks: the referral may come while the child is expected, not earlier. */
const rule8606: CinRule = {
  code: '8606',
  check: (child) => {
    const born = day(child.identifiers.PersonBirthDate);
    const due = day(child.identifiers.ExpectedPersonBirthDate);
    if (born === null && due === null) return [];
    const limit = Math.max(born ?? -Infinity, due ?? -Infinity) - 280;
    return child.cinDetails.flatMap((d) => {
      const referred = day(d.CINreferralDate);
      return referred !== null && referred < limit
        ? [{ table: 'CINdetails', fields: ['CINreferralDate'], row: d.line }]
        : [];
    });
  },
  fixtures: {
    fail: [
      (c) => {
        unborn(c);
        c.identifiers.ExpectedPersonBirthDate = '2026-06-15';
        ep(c).CINreferralDate = '2025-09-07';
      },
      (c) => {
        c.identifiers.PersonBirthDate = '2026-03-01';
        ep(c).CINreferralDate = '2025-05-24';
      },
    ],
    pass: [
      (c) => {
        unborn(c);
        ep(c).CINreferralDate = '2025-09-08';
      },
    ],
  },
};

const rule8750: CinRule = {
  code: '8750',
  check: (child) =>
    present(child.identifiers.ExpectedPersonBirthDate) && child.identifiers.Sex?.trim() !== 'U'
      ? [{ table: IDS, fields: ['Sex', 'ExpectedPersonBirthDate'], row: child.identifiers.line }]
      : [],
  fixtures: {
    fail: [
      (c) => {
        unborn(c);
        c.identifiers.Sex = 'F';
      },
    ],
    pass: [unborn],
  },
};

/**
 * School age here (as in the Data to Insight reading of the DfE rule): born on or before
 * 31 August four years before the census year, so starting school by the coming September.
 */
function schoolAgeCutoff(ctx: CinContext): number {
  return dayOf(new Date(ctx.referenceDate * 86_400_000).getUTCFullYear() - 4, 8, 31);
}

const rule8770Q: CinRule = {
  code: '8770Q',
  check: (child, ctx) => {
    const ids = child.identifiers;
    if (present(ids.UPN)) return [];
    const born = day(ids.PersonBirthDate);
    if (born === null || born > schoolAgeCutoff(ctx)) return [];
    if (!child.cinDetails.some((d) => isFalse(d.ReferralNFA))) return [];
    const reason = ids.UPNunknown?.trim().toUpperCase();
    return reason !== undefined && UPN_UNKNOWN_REASONS.has(reason)
      ? []
      : [{ table: IDS, fields: ['UPN', 'UPNunknown'], row: ids.line }];
  },
  fixtures: {
    fail: [
      (c) => void (c.identifiers.UPN = undefined),
      (c) => {
        c.identifiers.UPN = undefined;
        c.identifiers.UPNunknown = 'UN1';
      },
      (c) => {
        c.identifiers.UPN = undefined;
        c.identifiers.PersonBirthDate = '2022-08-31';
      },
    ],
    pass: [
      (c) => {
        c.identifiers.UPN = undefined;
        c.identifiers.UPNunknown = 'UN3';
      },
      (c) => {
        c.identifiers.UPN = undefined;
        c.identifiers.PersonBirthDate = '2022-09-01';
      },
    ],
  },
};

const rule8772: CinRule = {
  code: '8772',
  check: (child) =>
    child.identifiers.UPNunknown?.trim().toUpperCase() === 'UN7' &&
    child.cinDetails.some((d) => isFalse(d.ReferralNFA))
      ? [{ table: IDS, fields: ['UPNunknown'], row: child.identifiers.line }]
      : [],
  fixtures: {
    fail: [
      (c) => {
        c.identifiers.UPN = undefined;
        c.identifiers.UPNunknown = 'UN7';
      },
    ],
    pass: [
      (c) => {
        c.identifiers.UPN = undefined;
        c.identifiers.UPNunknown = 'UN7';
        const d = ep(c);
        d.ReferralNFA = 'true';
        d.assessments = [];
        d.cinPlanDates = [];
      },
    ],
  },
};

/** Born more than 25 years before the reference date and still open (or closed after 25). */
const rule8775Q: CinRule = {
  code: '8775Q',
  check: (child, ctx) => {
    const born = day(child.identifiers.PersonBirthDate);
    if (born === null || born >= yearsBeforeDay(ctx.referenceDate, 25)) return [];
    const turned25 = addYears(born, 25);
    const still = child.cinDetails.some((d) => {
      const closed = day(d.CINclosureDate);
      return closed === null || closed > turned25;
    });
    return still ? [{ table: IDS, fields: ['PersonBirthDate'], row: child.identifiers.line }] : [];
  },
  fixtures: {
    fail: [(c) => void (c.identifiers.PersonBirthDate = '2001-03-30')],
    pass: [
      (c) => void (c.identifiers.PersonBirthDate = '2001-03-31'),
      (c) => {
        c.identifiers.PersonBirthDate = '2000-05-01';
        ep(c).CINclosureDate = '2025-04-30';
      },
    ],
  },
};

const DIS = 'Disabilities';

const rule8540: CinRule = {
  code: '8540',
  check: (child) => {
    const codes = child.characteristics.disabilities;
    const bad = codes.length === 0 || codes.some((code) => !DISABILITIES.has(code.trim()));
    return bad ? [{ table: DIS, fields: ['Disability'], row: child.characteristics.line }] : [];
  },
  fixtures: {
    fail: [
      (c) => void (c.characteristics.disabilities = []),
      (c) => void (c.characteristics.disabilities = ['XYZ']),
    ],
    pass: [(c) => void (c.characteristics.disabilities = ['AUT', 'LD'])],
  },
};

const rule8790: CinRule = {
  code: '8790',
  check: (child) => {
    const codes = child.characteristics.disabilities.map((code) => code.trim());
    return codes.includes('NONE') && codes.some((code) => code !== 'NONE')
      ? [{ table: DIS, fields: ['Disability'], row: child.characteristics.line }]
      : [];
  },
  fixtures: {
    fail: [(c) => void (c.characteristics.disabilities = ['NONE', 'HEAR'])],
    pass: [(c) => void (c.characteristics.disabilities = ['HEAR', 'VIS'])],
  },
};

const rule8794: CinRule = {
  code: '8794',
  check: (child) => {
    const codes = child.characteristics.disabilities.map((code) => code.trim());
    return new Set(codes).size !== codes.length
      ? [{ table: DIS, fields: ['Disability'], row: child.characteristics.line }]
      : [];
  },
  fixtures: {
    fail: [(c) => void (c.characteristics.disabilities = ['HEAR', 'VIS', 'HEAR'])],
    pass: [(c) => void (c.characteristics.disabilities = ['HEAR', 'VIS'])],
  },
};

export const CHILD_RULES: readonly CinRule[] = [
  rule8530Q,
  rule8535Q,
  rule8540,
  rule8545Q,
  rule8555Q,
  rule8585Q,
  rule8590,
  rule8606,
  rule8750,
  rule8770Q,
  rule8772,
  rule8775Q,
  rule8790,
  rule8794,
];
