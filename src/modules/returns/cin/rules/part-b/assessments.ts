/** Part B rules on assessments and the factors identified at assessment. */
import type { Finding } from '../../../validation/rule.ts';
import type { CinAssessment, CinChild, CinDetails } from '../../model.ts';
import type { CinRule } from '../index.ts';
import {
  inCensusYear,
  perEpisode,
  present,
  presentOutsideYear,
  startsInsideAnother,
  workingDaysBefore,
  ep,
  must,
  day,
} from './helpers.ts';

const ASS = 'Assessments';

function at(a: CinAssessment, fields: readonly string[]): Finding {
  return { table: ASS, fields, row: a.line };
}

function eachAssessment(
  child: CinChild,
  test: (a: CinAssessment, d: CinDetails) => boolean,
  fields: readonly string[],
): Finding[] {
  return perEpisode(child.cinDetails, (d) =>
    d.assessments.filter((a) => test(a, d)).map((a) => at(a, fields)),
  );
}

function first(c: CinChild): CinAssessment {
  return must(ep(c).assessments[0]);
}

/** The baseline assessment not yet authorised. */
function ongoing(c: CinChild): CinAssessment {
  const a = first(c);
  a.AssessmentAuthorisationDate = undefined;
  a.factors = [];
  return a;
}

function completed(a: CinAssessment): boolean {
  return present(a.AssessmentAuthorisationDate);
}

/** Closure of the baseline episode after its plan ended (for rules about closed episodes). */
function close(d: CinDetails, reason: string): void {
  d.cinPlanDates = [];
  d.CINclosureDate = '2026-01-31';
  d.ReasonForClosure = reason;
}

const rule8608: CinRule = {
  code: '8608',
  check: (child) =>
    eachAssessment(
      child,
      (a) => {
        const start = day(a.AssessmentActualStartDate);
        const end = day(a.AssessmentAuthorisationDate);
        return start !== null && end !== null && start > end;
      },
      ['AssessmentActualStartDate', 'AssessmentAuthorisationDate'],
    ),
  fixtures: {
    fail: [(c) => void (first(c).AssessmentAuthorisationDate = '2025-06-02')],
    pass: [(c) => void (first(c).AssessmentAuthorisationDate = '2025-06-03')],
  },
};

const rule8614: CinRule = {
  code: '8614',
  check: (child) =>
    eachAssessment(child, (a) => a.factors.length > 0 && !completed(a), [
      'AssessmentFactors',
      'AssessmentAuthorisationDate',
    ]),
  fixtures: {
    fail: [(c) => void (ongoing(c).factors = ['4B'])],
    pass: [(c) => void ongoing(c)],
  },
};

const rule8670Q: CinRule = {
  code: '8670Q',
  check: (child, ctx) => {
    const limit = workingDaysBefore(ctx.referenceDate, 45);
    return eachAssessment(
      child,
      (a) => {
        const start = day(a.AssessmentActualStartDate);
        return !completed(a) && start !== null && start < limit;
      },
      ['AssessmentActualStartDate', 'AssessmentAuthorisationDate'],
    );
  },
  fixtures: {
    // 45 working days before Tuesday 31 March 2026 is Tuesday 27 January 2026.
    fail: [(c) => void (ongoing(c).AssessmentActualStartDate = '2026-01-26')],
    pass: [(c) => void (ongoing(c).AssessmentActualStartDate = '2026-01-27')],
  },
};

const rule8696: CinRule = {
  code: '8696',
  check: (child, ctx) =>
    eachAssessment(child, (a) => presentOutsideYear(a.AssessmentAuthorisationDate, ctx), [
      'AssessmentAuthorisationDate',
    ]),
  fixtures: {
    fail: [
      (c) => {
        ep(c).CINreferralDate = '2025-03-01';
        first(c).AssessmentActualStartDate = '2025-03-02';
        first(c).AssessmentAuthorisationDate = '2025-03-31';
      },
    ],
    pass: [(c) => void (first(c).AssessmentAuthorisationDate = '2026-03-31')],
  },
};

const rule8736: CinRule = {
  code: '8736',
  check: (child, ctx) =>
    eachAssessment(
      child,
      (a) => {
        if (completed(a)) return false;
        const start = day(a.AssessmentActualStartDate);
        return start === null || !inCensusYear(start, ctx);
      },
      ['AssessmentActualStartDate'],
    ),
  fixtures: {
    fail: [
      (c) => {
        ep(c).CINreferralDate = '2025-03-01';
        ongoing(c).AssessmentActualStartDate = '2025-03-31';
      },
    ],
    pass: [(c) => void (ongoing(c).AssessmentActualStartDate = '2025-04-01')],
  },
};

/** An assessment may not start on or between another's start and authorisation (or the reference date). */
const rule8863Q: CinRule = {
  code: '8863Q',
  check: (child, ctx) =>
    perEpisode(child.cinDetails, (d) => {
      if (d.assessments.length < 2) return [];
      const periods = d.assessments.map((a) => ({
        start: day(a.AssessmentActualStartDate),
        end: day(a.AssessmentAuthorisationDate),
        open: true,
      }));
      return startsInsideAnother(periods, ctx.referenceDate).map((i) =>
        at(must(d.assessments[i]), ['AssessmentActualStartDate', 'AssessmentAuthorisationDate']),
      );
    }),
  fixtures: {
    fail: [
      (c) =>
        void ep(c).assessments.push({
          line: 0,
          AssessmentActualStartDate: '2025-06-27',
          AssessmentAuthorisationDate: '2025-07-20',
          factors: ['4B'],
        }),
    ],
    pass: [
      (c) =>
        void ep(c).assessments.push({
          line: 0,
          AssessmentActualStartDate: '2025-06-28',
          factors: [],
        }),
    ],
  },
};

const rule8867: CinRule = {
  code: '8867',
  check: (child) =>
    perEpisode(child.cinDetails, (d) =>
      present(d.CINclosureDate)
        ? d.assessments.filter((a) => !completed(a)).map((a) => at(a, ['AssessmentAuthorisationDate']))
        : [],
    ),
  fixtures: {
    fail: [
      (c) => {
        ongoing(c);
        close(ep(c), 'RC8');
      },
    ],
    pass: [
      (c) => {
        close(ep(c), 'RC8');
      },
    ],
  },
};

const rule8869: CinRule = {
  code: '8869',
  check: (child) =>
    eachAssessment(child, (a) => a.factors.some((f) => f.trim() === '21') && a.factors.length > 1, [
      'AssessmentFactors',
    ]),
  fixtures: {
    fail: [(c) => void (first(c).factors = ['21', '4B'])],
    pass: [(c) => void (first(c).factors = ['21'])],
  },
};

const rule8873Q: CinRule = {
  code: '8873Q',
  check: (child) =>
    perEpisode(child.cinDetails, (d) => {
      const only = d.assessments.length === 1 ? d.assessments[0] : undefined;
      if (!only || !completed(only) || !only.factors.some((f) => f.trim() === '21')) return [];
      const reason = d.ReasonForClosure?.trim();
      return reason === 'RC8' || reason === 'RC9'
        ? []
        : [
            at(only, ['AssessmentFactors']),
            { table: 'CINdetails', fields: ['ReasonForClosure'], row: d.line },
          ];
    }),
  fixtures: {
    fail: [
      (c) => {
        first(c).factors = ['21'];
        close(ep(c), 'RC7');
      },
    ],
    pass: [
      (c) => {
        first(c).factors = ['21'];
        close(ep(c), 'RC8');
      },
    ],
  },
};

const rule8896: CinRule = {
  code: '8896',
  check: (child) =>
    perEpisode(child.cinDetails, (d) => {
      const open = d.assessments.filter((a) => !completed(a));
      return open.length > 1 ? open.map((a) => at(a, ['AssessmentAuthorisationDate'])) : [];
    }),
  fixtures: {
    fail: [
      (c) => {
        ongoing(c);
        ep(c).assessments.push({ line: 0, AssessmentActualStartDate: '2025-09-01', factors: [] });
      },
    ],
    pass: [
      (c) =>
        void ep(c).assessments.push({
          line: 0,
          AssessmentActualStartDate: '2025-09-01',
          factors: [],
        }),
    ],
  },
};

const rule8897Q: CinRule = {
  code: '8897Q',
  check: (child) =>
    eachAssessment(child, (a) => completed(a) && a.factors.length === 0, ['AssessmentFactors']),
  fixtures: {
    fail: [(c) => void (first(c).factors = [])],
    pass: [(c) => void (first(c).factors = ['21'])],
  },
};

const rule8898: CinRule = {
  code: '8898',
  check: (child) =>
    eachAssessment(child, (a) => new Set(a.factors.map((f) => f.trim())).size !== a.factors.length, [
      'AssessmentFactors',
    ]),
  fixtures: {
    fail: [(c) => void (first(c).factors = ['4B', '16A', '4B'])],
    pass: [(c) => void (first(c).factors = ['4B', '4C'])],
  },
};

function factorQuery(code: string, factor: string, instead: string): CinRule {
  return {
    code,
    check: (child) =>
      eachAssessment(child, (a) => a.factors.some((f) => f.trim() === factor), ['AssessmentFactors']),
    fixtures: {
      fail: [(c) => void (first(c).factors = ['16A', factor])],
      pass: [(c) => void (first(c).factors = ['16A', instead])],
    },
  };
}

export const ASSESSMENT_RULES: readonly CinRule[] = [
  rule8608,
  rule8614,
  rule8670Q,
  rule8696,
  rule8736,
  rule8863Q,
  rule8867,
  rule8869,
  rule8873Q,
  rule8896,
  rule8897Q,
  rule8898,
  factorQuery('8945Q', '18A', '18C'),
  factorQuery('8950Q', '19A', '19B'),
];
