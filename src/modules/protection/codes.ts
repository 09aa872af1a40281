import { addWorkingDays, workingDaysBetween } from '../../platform/working-days.ts';
import type { ParticipantKind, ReportSharedHow, StrategyAgency } from './protection.table.ts';

/**
 * Child protection's words and timescales, in one place. The CIN census code lists (categories of
 * abuse, closure reasons) live in help/codes.ts.
 */

export { ABUSE_CATEGORIES, CLOSURE_REASONS, PRIMARY_NEEDS, REFERRAL_SOURCES } from '../help/codes.ts';

export const AGENCIES: Readonly<Record<StrategyAgency, string>> = {
  police: 'Police',
  health: 'Health',
  education: 'Education',
  childrens_social_care: 'Children’s social care',
  other: 'Another agency',
};

/** The rows of the strategy discussion form: one for each agency usually there, and two more. */
export const CONTRIBUTION_ROWS: readonly StrategyAgency[] = [
  'police',
  'health',
  'education',
  'childrens_social_care',
  'other',
  'other',
];

export const STRATEGY_DECISIONS = {
  section47: 'Start a section 47 enquiry',
  no_section47: 'Do not start a section 47 enquiry',
} as const;

/** What a section 47 enquiry can end in (the form's choices). */
export const S47_OUTCOMES = {
  no_further_action: 'No further action',
  family_help: 'Family help continues',
  child_in_need: 'Help continues as a child in need',
  initial_conference: 'An initial child protection conference',
} as const;
export type S47Outcome = keyof typeof S47_OUTCOMES;

export const CONFERENCE_KINDS = {
  initial: 'Initial child protection conference',
  review: 'Review child protection conference',
  transfer_in: 'Transfer-in child protection conference',
} as const;

export const REPORT_SHARED_HOW: Readonly<Record<ReportSharedHow, string>> = {
  in_person: 'Read through with them in person',
  email: 'By email',
  post: 'By post',
  phone: 'Read to them over the phone',
  other: 'Another way',
};

export const PARTICIPANT_KINDS: Readonly<Record<ParticipantKind, string>> = {
  parent: 'Parent or carer',
  child: 'The child or young person',
  family: 'Other family or friend',
  supporter: 'Advocate or supporter',
  professional: 'Professional',
};

export const INITIAL_DECISIONS = {
  plan: 'A child protection plan is needed',
  no_plan: 'A child protection plan is not needed',
} as const;

export const REVIEW_DECISIONS = {
  continue: 'The child protection plan continues',
  end: 'The child protection plan ends',
} as const;

/** Where the help goes when a conference decides on no plan, or a plan ends. */
export const STEP_TO = {
  child_in_need: 'Help continues as a child in need',
  family_help: 'Family help continues',
  closed: 'The help ends',
} as const;
export type StepTo = keyof typeof STEP_TO;

export const FAMILY_MEETING_RESPONSES = {
  accepted: 'Accepted',
  declined: 'Declined',
} as const;

/** Timescales (statutory guidance and local procedure). */
export const PROTECTION_TIMESCALES = {
  /** An initial child protection conference within 15 working days of the strategy discussion. */
  initialConferenceWorkingDays: 15,
  /** The social worker's report is shared with the parents at least this many working days before. */
  reportSharedWorkingDaysBefore: 3,
  /** The first review conference, in months after the initial conference. */
  firstReviewMonths: 3,
  /** Later review conferences, in months after the last. */
  laterReviewMonths: 6,
  /** Visits to a child on a child protection plan, in working days. */
  visitWorkingDays: 10,
} as const;

/** The target date of the initial conference: 15 working days after the strategy discussion. */
export function icpcTargetOn(strategyDiscussionOn: string): string {
  return addWorkingDays(strategyDiscussionOn, PROTECTION_TIMESCALES.initialConferenceWorkingDays);
}

/**
 * The last day the report can be shared with the parents: the latest date with at least the set
 * number of working days after it up to and including the conference day.
 */
export function reportDueBy(conferenceOn: string): string {
  const needed = PROTECTION_TIMESCALES.reportSharedWorkingDaysBefore;
  let day = addCalendarDays(conferenceOn, -1);
  while (workingDaysBetween(day, conferenceOn) < needed) day = addCalendarDays(day, -1);
  return day;
}

/** Whether the report was (or, not yet shared by `today`, will be) shared late. */
export function reportLate(conferenceOn: string, sharedOn: string | null, today: string): boolean {
  const due = reportDueBy(conferenceOn);
  return sharedOn === null ? today > due : sharedOn > due;
}

/** `months` calendar months after an ISO date; the last day of a shorter month when needed. */
export function addMonths(iso: string, months: number): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, last));
  return target.toISOString().slice(0, 10);
}

/** The next review conference: 3 months after the initial conference, then every 6 months. */
export function nextReviewOn(kind: 'initial' | 'review' | 'transfer_in', heldOn: string): string {
  return addMonths(
    heldOn,
    kind === 'review' ? PROTECTION_TIMESCALES.laterReviewMonths : PROTECTION_TIMESCALES.firstReviewMonths,
  );
}

function addCalendarDays(iso: string, days: number): string {
  const date = new Date(`${iso}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}
