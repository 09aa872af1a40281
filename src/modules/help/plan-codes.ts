import type { GoalProgress, PlanKind, PlanStatus, ReviewDecision } from './help.table.ts';

/** Code lists for plans written with families, with the words people see. */

export const PLAN_KINDS: Readonly<Record<PlanKind, string>> = {
  family_help: 'Family help plan',
  child_in_need: 'Child in need plan',
  child_protection: 'Child protection plan',
  care: 'Care plan',
  pathway: 'Pathway plan',
};

/** The kinds of plan these pages create (child protection, care and pathway plans come later). */
export const CREATABLE_PLAN_KINDS = {
  family_help: 'Family help plan',
  child_in_need: 'Child in need plan',
} as const satisfies Partial<Record<PlanKind, string>>;

export const PLAN_KIND_HINTS: Readonly<Record<keyof typeof CREATABLE_PLAN_KINDS, string>> = {
  family_help: 'Help the family asked for, without children’s social care.',
  child_in_need:
    'Section 17 of the Children Act 1989. Starting it moves the child’s help to child in need, in the same episode.',
};

export const PLAN_STATUSES: Readonly<Record<PlanStatus, string>> = {
  draft: 'Draft',
  active: 'Active',
  ended: 'Ended',
};

export const GOAL_PROGRESS: Readonly<Record<GoalProgress, string>> = {
  not_started: 'Not started',
  in_progress: 'Under way',
  achieved: 'Done',
  stopped: 'Stopped',
};

export const REVIEW_DECISIONS: Readonly<Record<ReviewDecision, string>> = {
  continue: 'Carry on with the plan',
  change_plan: 'Change the plan',
  step_up: 'Step up: more help is needed',
  step_down: 'Step down: less help is needed',
  end_plan: 'End the plan',
};

// The CIN census lists live in codes.ts (plan pages look codes up and list them).
export { PRIMARY_NEEDS, REFERRAL_SOURCES } from './codes.ts';
