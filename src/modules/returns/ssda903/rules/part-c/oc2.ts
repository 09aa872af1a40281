/** Part C OC2 rules: convictions and health promotion, by age at 31 March and 12 months in care. */
import { ageOn, ukDay } from '../../../validation/dates.ts';
import type { ChildRule, Finding } from '../../../validation/rule.ts';
import type { Child903, Row, Ssda903Context } from '../../model.ts';
import type { Ssda903Rule } from '../index.ts';
import { addRow, ep, head, inYear } from './fixtures.ts';
import { at, continuouslyLookedAfter, dobOf, val } from './helpers.ts';

const HEALTH_FIELDS = ['IMMUNISATIONS', 'TEETH_CHECK', 'HEALTH_ASSESSMENT', 'SUBSTANCE_MISUSE'] as const;

/** Age at 31 March from the OC2 row's DOB, or the Header's. */
function ageAtYearEnd(child: Child903, r: Row, ctx: Ssda903Context): number | null {
  const dob = ukDay(val(r, 'DOB')) ?? dobOf(child);
  return dob === null ? null : ageOn(dob, ctx.periodEnd);
}

function oc2Rule(
  code: string,
  fields: readonly string[],
  bad: (r: Row, child: Child903, ctx: Ssda903Context) => boolean,
  fixtures: ChildRule<Child903, Ssda903Context>['fixtures'],
): ChildRule<Child903, Ssda903Context> {
  return {
    code,
    check: (child, ctx) =>
      child.tables.OC2.flatMap((r): Finding[] => (bad(r, child, ctx) ? [at('OC2', fields, r)] : [])),
    fixtures,
  };
}

/** Looked after since 1 February before the year, with an OC2 row holding `values`. */
function inCareAllYear(
  c: Child903,
  ctx: Ssda903Context,
  values: Record<string, string | undefined>,
  born?: string,
): void {
  ep(c).values.DECOM = inYear(ctx, '01/02');
  if (born !== undefined) head(c).values.DOB = born;
  addRow(c, 'OC2', { DOB: head(c).values.DOB, ...values });
}

const COMPLETE = { IMMUNISATIONS: '1', TEETH_CHECK: '1', HEALTH_ASSESSMENT: '1', SUBSTANCE_MISUSE: '0' };

/** A date of birth giving age `age` on 31 March (born on 31 March, so the boundary day). */
function bornAged(ctx: Ssda903Context, age: number): string {
  return `31/03/${String(Number(inYear(ctx, '31/03', true).slice(6)) - age)}`;
}

const rule542 = oc2Rule(
  '542',
  ['DOB', 'CONVICTED'],
  (r, child, ctx) => {
    const age = ageAtYearEnd(child, r, ctx);
    return age !== null && age < 10 && val(r, 'CONVICTED') !== undefined;
  },
  {
    fail: [(c, ctx) => inCareAllYear(c, ctx, { CONVICTED: '0', ...COMPLETE }, bornAged(ctx, 9))],
    pass: [(c, ctx) => inCareAllYear(c, ctx, { CONVICTED: '0', ...COMPLETE }, bornAged(ctx, 10))],
  },
);

const rule543 = oc2Rule(
  '543',
  ['DOB', 'CONVICTED'],
  (r, child, ctx) => {
    const age = ageAtYearEnd(child, r, ctx);
    return (
      age !== null && age >= 10 && val(r, 'CONVICTED') === undefined && continuouslyLookedAfter(child, ctx)
    );
  },
  {
    fail: [(c, ctx) => inCareAllYear(c, ctx, COMPLETE, bornAged(ctx, 10))],
    pass: [
      (c, ctx) => inCareAllYear(c, ctx, { CONVICTED: '0', ...COMPLETE }, bornAged(ctx, 10)),
      (c, ctx) => inCareAllYear(c, ctx, COMPLETE, bornAged(ctx, 9)),
      (c, ctx) => {
        // started to be looked after during the year: not 12 months in care
        inCareAllYear(c, ctx, COMPLETE, bornAged(ctx, 12));
        ep(c).values.DECOM = inYear(ctx, '02/04');
      },
    ],
  },
);

function healthIncomplete(r: Row): boolean {
  return HEALTH_FIELDS.some((f) => val(r, f) === undefined);
}

const rule544 = oc2Rule(
  '544',
  ['CONVICTED', ...HEALTH_FIELDS],
  (r) => val(r, 'CONVICTED') !== undefined && healthIncomplete(r),
  {
    fail: [(c, ctx) => inCareAllYear(c, ctx, { CONVICTED: '1', ...COMPLETE, TEETH_CHECK: undefined })],
    pass: [(c, ctx) => inCareAllYear(c, ctx, { CONVICTED: '1', ...COMPLETE })],
  },
);

const rule545 = oc2Rule(
  '545',
  ['DOB', 'HEALTH_CHECK'],
  (r, child, ctx) => {
    const age = ageAtYearEnd(child, r, ctx);
    return (
      age !== null && age < 5 && val(r, 'HEALTH_CHECK') === undefined && continuouslyLookedAfter(child, ctx)
    );
  },
  {
    fail: [(c, ctx) => inCareAllYear(c, ctx, COMPLETE, bornAged(ctx, 4))],
    pass: [
      (c, ctx) => inCareAllYear(c, ctx, { HEALTH_CHECK: '1', ...COMPLETE }, bornAged(ctx, 4)),
      (c, ctx) => inCareAllYear(c, ctx, COMPLETE, bornAged(ctx, 5)),
    ],
  },
);

const rule546 = oc2Rule(
  '546',
  ['DOB', 'HEALTH_CHECK'],
  (r, child, ctx) => {
    const age = ageAtYearEnd(child, r, ctx);
    return age !== null && age >= 5 && val(r, 'HEALTH_CHECK') !== undefined;
  },
  {
    fail: [(c, ctx) => inCareAllYear(c, ctx, { HEALTH_CHECK: '1', ...COMPLETE }, bornAged(ctx, 5))],
    pass: [(c, ctx) => inCareAllYear(c, ctx, { HEALTH_CHECK: '1', ...COMPLETE }, bornAged(ctx, 4))],
  },
);

const rule547 = oc2Rule(
  '547',
  ['HEALTH_CHECK', ...HEALTH_FIELDS],
  (r) => val(r, 'HEALTH_CHECK') !== undefined && healthIncomplete(r),
  {
    fail: [
      (c, ctx) =>
        inCareAllYear(c, ctx, { HEALTH_CHECK: '1', ...COMPLETE, IMMUNISATIONS: undefined }, bornAged(ctx, 3)),
    ],
    pass: [(c, ctx) => inCareAllYear(c, ctx, { HEALTH_CHECK: '1', ...COMPLETE }, bornAged(ctx, 3))],
  },
);

export const OC2_RULES: readonly Ssda903Rule[] = [rule542, rule543, rule544, rule545, rule546, rule547];
