import type { GoalProgress, PlanKind, ReviewDecision } from '../../help/help.table.ts';
import type { ContributionAbout, CorrectionStatus } from '../content.table.ts';

/** The portal's words for things in the record: plain English, short. */

export const FAMILY_PLAN_KINDS: Readonly<Record<PlanKind, string>> = {
  family_help: 'Family help plan',
  child_in_need: 'Child in need plan',
  child_protection: 'Child protection plan',
  care: 'Care plan',
  pathway: 'Pathway plan',
};

export const FAMILY_GOAL_PROGRESS: Readonly<Record<GoalProgress, string>> = {
  not_started: 'Not started yet',
  in_progress: 'Under way',
  achieved: 'Done',
  stopped: 'Stopped',
};

export const FAMILY_REVIEW_DECISIONS: Readonly<Record<ReviewDecision, string>> = {
  continue: 'Carry on with the plan',
  change_plan: 'Change the plan',
  step_up: 'More help is needed',
  step_down: 'Less help is needed',
  end_plan: 'End the plan',
};

export const FAMILY_ASSESSMENT_KINDS = {
  child_and_family: 'Child and family assessment',
  family_help: 'Family help assessment',
} as const;

export const FAMILY_ASSESSMENT_STATUSES = {
  in_progress: 'Being written',
  submitted: 'Written, waiting to be checked',
  authorised: 'Finished',
} as const;

export const MEETING_KINDS = {
  initial_conference: 'Child protection conference (the first one)',
  review_conference: 'Child protection review conference',
  transfer_in_conference: 'Child protection conference (moving from another council)',
  core_group: 'Core group meeting',
  care_review: 'Review of the care plan',
  plan_review: 'Review of the plan',
  family_network: 'Family network meeting',
} as const;
export type MeetingKind = keyof typeof MEETING_KINDS;

export const ABOUT_LABELS: Readonly<Record<ContributionAbout, string>> = {
  plan: 'Plan',
  assessment: 'Assessment',
  plan_review: 'Review',
  conference: 'Conference',
};

export const CORRECTION_STATUSES: Readonly<Record<CorrectionStatus, string>> = {
  open: 'Waiting for an answer',
  agreed: 'Agreed and corrected',
  not_agreed: 'Not agreed',
};

export function isAbout(value: string): value is ContributionAbout {
  return Object.hasOwn(ABOUT_LABELS, value);
}
