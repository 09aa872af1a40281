/** Part B rules on CIN episodes (CINdetails): referral, closure, no-further-action. */
import type { Finding } from '../../../validation/rule.ts';
import type { CinChild, CinDetails } from '../../model.ts';
import type { CinRule } from '../index.ts';
import {
  CLOSURE_REASONS,
  isFalse,
  isTrue,
  perEpisode,
  present,
  presentOutsideYear,
  PRIMARY_NEEDS,
  REFERRAL_SOURCES,
  startsInsideAnother,
  workingDaysBefore,
  ep,
  must,
  day,
} from './helpers.ts';

const CIN = 'CINdetails';

function episode(d: CinDetails, fields: readonly string[]): Finding {
  return { table: CIN, fields, row: d.line };
}

/** The baseline episode closed on 31 January 2026 after its plan ended. */
function closed(c: CinChild): CinDetails {
  const d = ep(c);
  must(d.cinPlanDates[0]).CINPlanEndDate = '2026-01-31';
  d.CINclosureDate = '2026-01-31';
  d.ReasonForClosure = 'RC7';
  return d;
}

/** A referral with no further action: nothing recorded after it. */
function noFurtherAction(c: CinChild): CinDetails {
  const d = ep(c);
  d.ReferralNFA = 'true';
  d.assessments = [];
  d.cinPlanDates = [];
  d.CINclosureDate = '2025-06-02';
  d.ReasonForClosure = 'RC7';
  return d;
}

/** A second episode for the child, listed first, going on to further action. */
function otherEpisode(c: CinChild, referral: string, closure: string | undefined): CinDetails {
  const d: CinDetails = {
    line: 0,
    CINreferralDate: referral,
    ReferralSource: '1A',
    PrimaryNeedCode: 'N5',
    CINclosureDate: closure,
    ReasonForClosure: closure === undefined ? undefined : 'RC7',
    ReferralNFA: 'false',
    assessments: [],
    cinPlanDates: [],
    section47: [],
    childProtectionPlans: [],
  };
  c.cinDetails.unshift(d);
  return d;
}

/** Nothing recorded in the episode may be dated after its closure. */
const rule8565: CinRule = {
  code: '8565',
  check: (child) =>
    perEpisode(child.cinDetails, (d) => {
      const closure = day(d.CINclosureDate);
      if (closure === null) return [];
      const after = (value: string | undefined): boolean => {
        const when = day(value);
        return when !== null && when > closure;
      };
      const out: Finding[] = [];
      if (after(d.DateOfInitialCPC)) out.push(episode(d, ['CINclosureDate', 'DateOfInitialCPC']));
      for (const a of d.assessments) {
        if (after(a.AssessmentActualStartDate) || after(a.AssessmentAuthorisationDate)) {
          out.push({
            table: 'Assessments',
            fields: ['AssessmentActualStartDate', 'AssessmentAuthorisationDate'],
            row: a.line,
          });
        }
      }
      for (const s of d.section47) {
        if (after(s.S47ActualStartDate) || after(s.DateOfInitialCPC)) {
          out.push({ table: 'Section47', fields: ['S47ActualStartDate', 'DateOfInitialCPC'], row: s.line });
        }
      }
      for (const p of d.childProtectionPlans) {
        if (after(p.CPPendDate))
          out.push({ table: 'ChildProtectionPlans', fields: ['CPPendDate'], row: p.line });
      }
      for (const p of d.cinPlanDates) {
        if (after(p.CINPlanStartDate) || after(p.CINPlanEndDate)) {
          out.push({ table: 'CINplanDates', fields: ['CINPlanStartDate', 'CINPlanEndDate'], row: p.line });
        }
      }
      return out;
    }),
  fixtures: {
    fail: [
      (c) => {
        must(closed(c).cinPlanDates[0]).CINPlanEndDate = '2026-02-01';
      },
      (c) => {
        must(closed(c).assessments[0]).AssessmentAuthorisationDate = '2026-02-02';
      },
    ],
    pass: [(c) => void closed(c)],
  },
};

const rule8568: CinRule = {
  code: '8568',
  check: (child) =>
    perEpisode(child.cinDetails, (d) =>
      isTrue(d.ReferralNFA) || isFalse(d.ReferralNFA) ? [] : [episode(d, ['ReferralNFA'])],
    ),
  fixtures: {
    fail: [(c) => void (ep(c).ReferralNFA = undefined), (c) => void (ep(c).ReferralNFA = 'no')],
    pass: [(c) => void (ep(c).ReferralNFA = '0')],
  },
};

/** Referred before the working day before 1 April: cannot be a referral with no further action. */
const rule8569Q: CinRule = {
  code: '8569Q',
  check: (child, ctx) => {
    const limit = workingDaysBefore(ctx.periodStart, 1);
    return perEpisode(child.cinDetails, (d) => {
      const referred = day(d.CINreferralDate);
      return referred !== null && referred < limit && !isFalse(d.ReferralNFA)
        ? [episode(d, ['CINreferralDate', 'ReferralNFA'])]
        : [];
    });
  },
  fixtures: {
    // 1 April 2025 is a Tuesday: one working day before is Monday 31 March 2025.
    fail: [(c) => void (noFurtherAction(c).CINreferralDate = '2025-03-28')],
    pass: [
      (c) => {
        const d = noFurtherAction(c);
        d.CINreferralDate = '2025-03-31';
        d.CINclosureDate = '2025-04-01';
      },
      (c) => void (ep(c).CINreferralDate = '2025-03-28'),
    ],
  },
};

const rule8600: CinRule = {
  code: '8600',
  check: (child, ctx) =>
    perEpisode(child.cinDetails, (d) => {
      const referred = day(d.CINreferralDate);
      return referred === null || referred > ctx.referenceDate ? [episode(d, ['CINreferralDate'])] : [];
    }),
  fixtures: {
    fail: [
      (c) => void (ep(c).CINreferralDate = undefined),
      (c) => void (ep(c).CINreferralDate = '2026-04-01'),
    ],
    pass: [(c) => void (ep(c).CINreferralDate = '2026-03-31')],
  },
};

const rule8610: CinRule = {
  code: '8610',
  check: (child) =>
    perEpisode(child.cinDetails, (d) =>
      isFalse(d.ReferralNFA) && !present(d.PrimaryNeedCode) ? [episode(d, ['PrimaryNeedCode'])] : [],
    ),
  fixtures: {
    fail: [(c) => void (ep(c).PrimaryNeedCode = undefined)],
    pass: [
      (c) => {
        noFurtherAction(c).PrimaryNeedCode = undefined;
      },
    ],
  },
};

const rule8620: CinRule = {
  code: '8620',
  check: (child, ctx) =>
    perEpisode(child.cinDetails, (d) =>
      presentOutsideYear(d.CINclosureDate, ctx) ? [episode(d, ['CINclosureDate'])] : [],
    ),
  fixtures: {
    fail: [
      (c) => void (closed(c).CINclosureDate = '2026-04-01'),
      (c) => void (closed(c).CINclosureDate = '2025-03-31'),
    ],
    pass: [
      (c) => void (closed(c).CINclosureDate = '2026-03-31'),
      (c) => void (closed(c).CINclosureDate = '2025-04-01'),
    ],
  },
};

const rule8630: CinRule = {
  code: '8630',
  check: (child) =>
    perEpisode(child.cinDetails, (d) => {
      const referred = day(d.CINreferralDate);
      const closure = day(d.CINclosureDate);
      return referred !== null && closure !== null && closure < referred
        ? [episode(d, ['CINclosureDate', 'CINreferralDate'])]
        : [];
    }),
  fixtures: {
    fail: [(c) => void (noFurtherAction(c).CINclosureDate = '2025-06-01')],
    pass: [(c) => void (noFurtherAction(c).CINclosureDate = '2025-06-02')],
  },
};

const rule8640: CinRule = {
  code: '8640',
  check: (child) =>
    perEpisode(child.cinDetails, (d) =>
      present(d.ReasonForClosure) && !CLOSURE_REASONS.has(d.ReasonForClosure.trim())
        ? [episode(d, ['ReasonForClosure'])]
        : [],
    ),
  fixtures: {
    fail: [(c) => void (closed(c).ReasonForClosure = 'RC0')],
    pass: [(c) => void (closed(c).ReasonForClosure = 'RC9')],
  },
};

const rule8650: CinRule = {
  code: '8650',
  check: (child) =>
    perEpisode(child.cinDetails, (d) =>
      present(d.PrimaryNeedCode) && !PRIMARY_NEEDS.has(d.PrimaryNeedCode.trim())
        ? [episode(d, ['PrimaryNeedCode'])]
        : [],
    ),
  fixtures: {
    fail: [(c) => void (ep(c).PrimaryNeedCode = 'N10')],
    pass: [(c) => void (ep(c).PrimaryNeedCode = 'N0')],
  },
};

const rule8805: CinRule = {
  code: '8805',
  check: (child) =>
    perEpisode(child.cinDetails, (d) =>
      present(d.CINclosureDate) && !present(d.ReasonForClosure)
        ? [episode(d, ['CINclosureDate', 'ReasonForClosure'])]
        : [],
    ),
  fixtures: {
    fail: [(c) => void (closed(c).ReasonForClosure = undefined)],
    pass: [(c) => void closed(c)],
  },
};

const rule8810: CinRule = {
  code: '8810',
  check: (child) =>
    perEpisode(child.cinDetails, (d) =>
      present(d.ReasonForClosure) && !present(d.CINclosureDate)
        ? [episode(d, ['ReasonForClosure', 'CINclosureDate'])]
        : [],
    ),
  fixtures: {
    fail: [(c) => void (closed(c).CINclosureDate = undefined)],
    pass: [(c) => void closed(c)],
  },
};

/** Open and going on to further action. */
function openEpisode(d: CinDetails): boolean {
  return !present(d.CINclosureDate) && isFalse(d.ReferralNFA);
}

const rule8815: CinRule = {
  code: '8815',
  check: (child) => {
    const open = child.cinDetails.filter(openEpisode);
    return open.length > 1 ? open.map((d) => episode(d, ['CINclosureDate', 'ReferralNFA'])) : [];
  },
  fixtures: {
    fail: [(c) => void otherEpisode(c, '2025-04-10', undefined)],
    pass: [(c) => void otherEpisode(c, '2025-04-10', '2025-05-20')],
  },
};

const rule8816: CinRule = {
  code: '8816',
  check: (child) => {
    let latest: number | null = null;
    for (const d of child.cinDetails) {
      const referred = day(d.CINreferralDate);
      if (referred !== null && (latest === null || referred > latest)) latest = referred;
    }
    if (latest === null) return [];
    return perEpisode(child.cinDetails, (d) => {
      const referred = day(d.CINreferralDate);
      return openEpisode(d) && referred !== null && referred < latest
        ? [episode(d, ['CINreferralDate', 'ReferralNFA'])]
        : [];
    });
  },
  fixtures: {
    fail: [
      // The open baseline episode, and a later referral that has since closed.
      (c) => void otherEpisode(c, '2025-12-01', '2026-01-15'),
    ],
    pass: [(c) => void otherEpisode(c, '2025-04-10', '2025-05-20')],
  },
};

/** No episode may start on or between another's referral and closure (or the reference date when open). */
const rule8820: CinRule = {
  code: '8820',
  check: (child, ctx) => {
    if (child.cinDetails.length < 2) return [];
    const periods = child.cinDetails.map((d) => ({
      start: day(d.CINreferralDate),
      end: day(d.CINclosureDate),
      open: isFalse(d.ReferralNFA),
    }));
    return startsInsideAnother(periods, ctx.referenceDate).map((i) =>
      episode(must(child.cinDetails[i]), ['CINreferralDate', 'CINclosureDate']),
    );
  },
  fixtures: {
    fail: [
      (c) => void otherEpisode(c, '2025-04-10', '2025-06-02'),
      (c) => void otherEpisode(c, '2025-04-10', undefined),
    ],
    pass: [(c) => void otherEpisode(c, '2025-04-10', '2025-06-01')],
  },
};

const rule8825Q: CinRule = {
  code: '8825Q',
  check: (child) =>
    perEpisode(child.cinDetails, (d) => {
      const reason = d.ReasonForClosure?.trim();
      return (reason === 'RC8' || reason === 'RC9') && d.assessments.length === 0
        ? [episode(d, ['ReasonForClosure'])]
        : [];
    }),
  fixtures: {
    fail: [
      (c) => {
        const d = closed(c);
        d.ReasonForClosure = 'RC8';
        d.assessments = [];
      },
    ],
    pass: [
      (c) => {
        const d = closed(c);
        d.ReasonForClosure = 'RC9';
        d.cinPlanDates = [];
      },
    ],
  },
};

/** A referral with no further action has no assessment, enquiry or conference. */
const rule8831: CinRule = {
  code: '8831',
  check: (child) =>
    perEpisode(child.cinDetails, (d) => {
      if (!isTrue(d.ReferralNFA)) return [];
      const out: Finding[] = [];
      if (present(d.DateOfInitialCPC)) out.push(episode(d, ['ReferralNFA', 'DateOfInitialCPC']));
      for (const a of d.assessments) {
        if (present(a.AssessmentActualStartDate) || present(a.AssessmentAuthorisationDate)) {
          out.push({
            table: 'Assessments',
            fields: ['AssessmentActualStartDate', 'AssessmentAuthorisationDate'],
            row: a.line,
          });
        }
      }
      for (const s of d.section47) {
        if (present(s.S47ActualStartDate) || present(s.DateOfInitialCPC)) {
          out.push({ table: 'Section47', fields: ['S47ActualStartDate', 'DateOfInitialCPC'], row: s.line });
        }
      }
      return out;
    }),
  fixtures: {
    fail: [
      (c) => {
        const d = noFurtherAction(c);
        d.assessments = [{ line: 0, AssessmentActualStartDate: '2025-06-02', factors: [] }];
      },
      (c) => void (noFurtherAction(c).DateOfInitialCPC = '2025-06-02'),
    ],
    pass: [(c) => void noFurtherAction(c)],
  },
};

const rule8832: CinRule = {
  code: '8832',
  check: (child) =>
    perEpisode(child.cinDetails, (d) =>
      isTrue(d.ReferralNFA)
        ? d.childProtectionPlans.map((p) => ({
            table: 'ChildProtectionPlans',
            fields: ['CPPstartDate'],
            row: p.line,
          }))
        : [],
    ),
  fixtures: {
    fail: [
      (c) => {
        const d = noFurtherAction(c);
        d.childProtectionPlans = [
          {
            line: 0,
            CPPstartDate: '2025-06-02',
            CPPendDate: '2025-06-02',
            NumberOfPreviousCPP: '0',
            reviews: [],
          },
        ];
      },
    ],
    pass: [(c) => void noFurtherAction(c)],
  },
};

const rule8866: CinRule = {
  code: '8866',
  check: (child) =>
    perEpisode(child.cinDetails, (d) =>
      present(d.ReferralSource) && REFERRAL_SOURCES.has(d.ReferralSource.trim())
        ? []
        : [episode(d, ['ReferralSource'])],
    ),
  fixtures: {
    fail: [(c) => void (ep(c).ReferralSource = undefined), (c) => void (ep(c).ReferralSource = '2C')],
    pass: [(c) => void (ep(c).ReferralSource = '10')],
  },
};

export const DETAILS_RULES: readonly CinRule[] = [
  rule8565,
  rule8568,
  rule8569Q,
  rule8600,
  rule8610,
  rule8620,
  rule8630,
  rule8640,
  rule8650,
  rule8805,
  rule8810,
  rule8815,
  rule8816,
  rule8820,
  rule8825Q,
  rule8831,
  rule8832,
  rule8866,
];
