import { readDateParts, type DateParts, type FormSource } from '../people/person-form.ts';

/** The plan forms, as typed (kept as typed so a form with errors is shown again unchanged). */

export type PlanWordsValues = {
  readonly familyWords: string;
  readonly childWords: string;
  readonly reviewIntervalDays: string;
};

export type GoalValues = {
  readonly goal: string;
  readonly who: string;
  readonly byWhen: DateParts;
  readonly progress: string;
};

export type StartValues = {
  readonly startedOn: DateParts;
  readonly referralSource: string;
  readonly primaryNeed: string;
};

export type ReviewValues = {
  readonly reviewedOn: DateParts;
  readonly familyView: string;
  readonly childView: string;
  readonly progressSummary: string;
  readonly decision: string;
  readonly nextReviewOn: DateParts;
};

export type EndValues = { readonly endedOn: DateParts; readonly reason: string };

export function readPlanWords(source: FormSource): PlanWordsValues {
  return {
    familyWords: source.get('familyWords'),
    childWords: source.get('childWords'),
    reviewIntervalDays: source.get('reviewIntervalDays'),
  };
}

export function readGoal(source: FormSource): GoalValues {
  return {
    goal: source.get('goal'),
    who: source.get('who'),
    byWhen: readDateParts(source, 'byWhen'),
    progress: source.get('progress'),
  };
}

export function readStart(source: FormSource): StartValues {
  return {
    startedOn: readDateParts(source, 'startedOn'),
    referralSource: source.get('referralSource'),
    primaryNeed: source.get('primaryNeed'),
  };
}

export function readReview(source: FormSource): ReviewValues {
  return {
    reviewedOn: readDateParts(source, 'reviewedOn'),
    familyView: source.get('familyView'),
    childView: source.get('childView'),
    progressSummary: source.get('progressSummary'),
    decision: source.get('decision'),
    nextReviewOn: readDateParts(source, 'nextReviewOn'),
  };
}

export function readEnd(source: FormSource): EndValues {
  return { endedOn: readDateParts(source, 'endedOn'), reason: source.get('reason') };
}

export const PLAN_WORDS_LABELS: Readonly<Record<string, string>> = {
  familyWords: 'What the family say about the plan',
  childWords: 'What the child says about the plan',
  reviewIntervalDays: 'Days between reviews',
};

export const GOAL_LABELS: Readonly<Record<string, string>> = {
  goal: 'The goal, in the family’s words',
  who: 'Who will do what',
  byWhen: 'By when',
  progress: 'Progress',
};

export const PLAN_TEXT_MAX = 10_000;
export const GOAL_TEXT_MAX = 2_000;
export const MIN_REVIEW_DAYS = 7;
export const MAX_REVIEW_DAYS = 365;
