import { ErrorList, type FormSource } from '../people/person-form.ts';
import {
  ASSESSMENT_OUTCOMES,
  CIRCUMSTANCE_AREAS,
  CIRCUMSTANCE_ORDER,
  FACTORS,
  NO_FACTORS,
  OFFERED_FACTORS,
  labelOf,
} from './assessment-codes.ts';
import type { AssessmentOutcome, CircumstanceArea } from './help.table.ts';

/**
 * The assessment form, as typed: pure functions that read it, check a draft (anything may still be
 * blank) and check a finished assessment before it goes for authorisation.
 */

export type YesNo = '' | 'yes' | 'no';

export type CircumstanceValues = { readonly need: YesNo; readonly detail: string };

export type AssessmentFormValues = {
  readonly familyAccount: string;
  readonly professionalAnalysis: string;
  readonly childViews: string;
  readonly childSeen: YesNo;
  readonly factors: readonly string[];
  readonly circumstances: Readonly<Record<CircumstanceArea, CircumstanceValues>>;
  readonly outcome: string;
  readonly outcomeNote: string;
};

export const LONG_TEXT_MAX = 20_000;
export const SHORT_TEXT_MAX = 2_000;

function yesNo(value: string): YesNo {
  return value === 'yes' || value === 'no' ? value : '';
}

export function emptyCircumstances(): Record<CircumstanceArea, CircumstanceValues> {
  return {
    income: { need: '', detail: '' },
    debt: { need: '', detail: '' },
    housing: { need: '', detail: '' },
    food: { need: '', detail: '' },
    fuel: { need: '', detail: '' },
    digital: { need: '', detail: '' },
  };
}

export function readAssessmentForm(source: FormSource): AssessmentFormValues {
  const circumstances = emptyCircumstances();
  for (const area of CIRCUMSTANCE_ORDER) {
    circumstances[area] = { need: yesNo(source.get(`need-${area}`)), detail: source.get(`detail-${area}`) };
  }
  return {
    familyAccount: source.get('familyAccount'),
    professionalAnalysis: source.get('professionalAnalysis'),
    childViews: source.get('childViews'),
    childSeen: yesNo(source.get('childSeen')),
    factors: [...new Set(source.list('factors'))],
    circumstances,
    outcome: source.get('outcome'),
    outcomeNote: source.get('outcomeNote'),
  };
}

/** The saved columns, tidied: blanks become null. Field errors for anything that cannot be saved. */
export type AssessmentDraft = {
  readonly familyAccount: string | null;
  readonly professionalAnalysis: string | null;
  readonly childViews: string | null;
  readonly childSeen: boolean | null;
  readonly factors: readonly string[];
  readonly circumstances: readonly { area: CircumstanceArea; need: boolean; detail: string | null }[];
  readonly outcome: AssessmentOutcome | null;
  readonly outcomeNote: string | null;
};

function text(errors: ErrorList, field: string, label: string, value: string, max: number): string | null {
  const trimmed = value.trim();
  if (trimmed.length > max)
    errors.add(field, `${label} must be ${max.toLocaleString('en-GB')} characters or fewer`);
  return trimmed === '' ? null : trimmed;
}

/** Checks what can be saved as a draft ("Save and come back later"): nothing is required yet. */
export function checkAssessmentDraft(values: AssessmentFormValues, errors: ErrorList): AssessmentDraft {
  const familyAccount = text(
    errors,
    'familyAccount',
    'The family’s account',
    values.familyAccount,
    LONG_TEXT_MAX,
  );
  const professionalAnalysis = text(
    errors,
    'professionalAnalysis',
    'The professional analysis',
    values.professionalAnalysis,
    LONG_TEXT_MAX,
  );
  const childViews = text(errors, 'childViews', 'The child’s views', values.childViews, LONG_TEXT_MAX);
  const factors = values.factors.filter((code) => Object.hasOwn(FACTORS, code));
  if (factors.length !== values.factors.length || factors.some((code) => !OFFERED_FACTORS.has(code))) {
    errors.add('factors', 'Select factors from the list');
  } else if (factors.includes(NO_FACTORS) && factors.length > 1) {
    errors.add('factors', 'Select the factors identified, or select ‘No factors identified’ on its own');
  }
  const circumstances: { area: CircumstanceArea; need: boolean; detail: string | null }[] = [];
  for (const area of CIRCUMSTANCE_ORDER) {
    const answer = values.circumstances[area];
    const detail = text(
      errors,
      `detail-${area}`,
      `What would help with ${CIRCUMSTANCE_AREAS[area].label.toLowerCase()}`,
      answer.detail,
      SHORT_TEXT_MAX,
    );
    if (answer.need !== '') circumstances.push({ area, need: answer.need === 'yes', detail });
    else if (detail !== null) {
      errors.add(
        `need-${area}`,
        `Select whether there is a need around ${CIRCUMSTANCE_AREAS[area].label.toLowerCase()}`,
      );
    }
  }
  let outcome: AssessmentOutcome | null = null;
  if (values.outcome !== '') {
    if (Object.hasOwn(ASSESSMENT_OUTCOMES, values.outcome)) outcome = values.outcome as AssessmentOutcome;
    else errors.add('outcome', 'Select the outcome of the assessment');
  }
  const outcomeNote = text(
    errors,
    'outcomeNote',
    'The note about the outcome',
    values.outcomeNote,
    SHORT_TEXT_MAX,
  );
  return {
    familyAccount,
    professionalAnalysis,
    childViews,
    childSeen: values.childSeen === '' ? null : values.childSeen === 'yes',
    factors,
    circumstances,
    outcome,
    outcomeNote,
  };
}

/** What must be there before the assessment goes to a manager for authorisation. */
export function checkAssessmentComplete(values: AssessmentFormValues, errors: ErrorList): void {
  if (values.familyAccount.trim() === '')
    errors.add('familyAccount', 'Enter the family’s own account, or why they have not given one');
  if (values.professionalAnalysis.trim() === '')
    errors.add('professionalAnalysis', 'Enter your professional analysis');
  if (values.childSeen === '')
    errors.add('childSeen', 'Select yes if the child was seen during the assessment');
  if (values.factors.length === 0)
    errors.add('factors', 'Select the factors identified, or select ‘No factors identified’');
  for (const area of CIRCUMSTANCE_ORDER) {
    const answer = values.circumstances[area];
    if (answer.need === 'yes' && answer.detail.trim() === '')
      errors.add(
        `detail-${area}`,
        `Describe what would help with ${CIRCUMSTANCE_AREAS[area].label.toLowerCase()}`,
      );
  }
  if (values.outcome === '') errors.add('outcome', 'Select the outcome of the assessment');
}

/** The order fields appear on the page, for the error summary. */
export const ASSESSMENT_FIELD_ORDER: readonly string[] = [
  'familyAccount',
  'professionalAnalysis',
  'childViews',
  'childSeen',
  'factors',
  ...CIRCUMSTANCE_ORDER.flatMap((area) => [`need-${area}`, `detail-${area}`]),
  'outcome',
  'outcomeNote',
];

/** Labels for the conflict page, keyed as in conflictView. */
export const ASSESSMENT_LABELS: Readonly<Record<string, string>> = {
  familyAccount: 'The family’s own account',
  professionalAnalysis: 'Professional analysis',
  childViews: 'The child’s views',
  childSeen: 'Was the child seen?',
  factors: 'Factors identified',
  ...Object.fromEntries(
    CIRCUMSTANCE_ORDER.map((area) => [`circumstance-${area}`, CIRCUMSTANCE_AREAS[area].label]),
  ),
  outcome: 'Outcome',
  outcomeNote: 'About the outcome',
};

/** The form's answers as text, for showing two versions side by side. */
export function conflictView(values: AssessmentFormValues): Record<string, string> {
  const view: Record<string, string> = {
    familyAccount: values.familyAccount.trim(),
    professionalAnalysis: values.professionalAnalysis.trim(),
    childViews: values.childViews.trim(),
    childSeen: values.childSeen === '' ? '' : values.childSeen === 'yes' ? 'Yes' : 'No',
    factors: [...values.factors]
      .sort()
      .map((code) => `${code} ${labelOf(FACTORS, code)}`)
      .join('\n'),
    outcome: labelOf(ASSESSMENT_OUTCOMES, values.outcome),
    outcomeNote: values.outcomeNote.trim(),
  };
  for (const area of CIRCUMSTANCE_ORDER) {
    const answer = values.circumstances[area];
    const need = answer.need === '' ? '' : answer.need === 'yes' ? 'Need: yes' : 'Need: no';
    view[`circumstance-${area}`] = [need, answer.detail.trim()].filter((part) => part !== '').join('\n');
  }
  return view;
}
