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

/** CIN census ReferralSource. */
export const REFERRAL_SOURCES: Readonly<Record<string, string>> = {
  '1A': 'A family member, relative or carer',
  '1B': 'An acquaintance, such as a neighbour or friend',
  '1C': 'The child or young person',
  '1D': 'Another individual',
  '2A': 'A school',
  '2B': 'Education services',
  '3A': 'A GP',
  '3B': 'A health visitor',
  '3C': 'A school nurse',
  '3D': 'Other primary health services',
  '3E': 'An A&E department',
  '3F': 'Other health services',
  '4': 'Housing',
  '5A': 'Council social care, such as adults’ services',
  '5B': 'Another council department, such as the youth justice service',
  '5C': 'Another council or an external agency',
  '5D': 'Early help or family help',
  '6': 'The police',
  '7': 'Another legal agency, such as a court, probation or Cafcass',
  '8': 'Another source, such as a children’s centre or a voluntary organisation',
  '9': 'Anonymous',
  '10': 'Not known',
};

/** CIN census PrimaryNeedCode. */
export const PRIMARY_NEEDS: Readonly<Record<string, string>> = {
  N1: 'Abuse or neglect',
  N2: 'The child’s disability or illness',
  N3: 'A parent’s disability or illness',
  N4: 'Family in acute stress',
  N5: 'Family dysfunction',
  N6: 'Socially unacceptable behaviour',
  N7: 'Low income',
  N8: 'Absent parenting',
  N9: 'Cases other than children in need',
  N0: 'Not stated',
};
