import type { AssessmentKind, AssessmentOutcome, CircumstanceArea } from './help.table.ts';

/**
 * Code lists for assessments, with the words practitioners and families see. Factor codes are the
 * CIN census FactorsIdentifiedAtAssessment codes (see docs and the DfE CIN census specification).
 */

export const ASSESSMENT_KINDS: Readonly<Record<AssessmentKind, string>> = {
  child_and_family: 'Child and family assessment',
  family_help: 'Family help assessment',
};

export const ASSESSMENT_STATUSES = {
  in_progress: 'In progress',
  submitted: 'Waiting for authorisation',
  authorised: 'Authorised',
} as const;

/** CIN census factors, with plain-English labels. 18A and 19A are old codes: shown, never offered. */
export const FACTORS: Readonly<Record<string, string>> = {
  '1A': 'Alcohol misuse: concerns about the child',
  '1B': 'Alcohol misuse: concerns about a parent or carer',
  '1C': 'Alcohol misuse: concerns about another person living in the household',
  '2A': 'Drug misuse: concerns about the child',
  '2B': 'Drug misuse: concerns about a parent or carer',
  '2C': 'Drug misuse: concerns about another person living in the household',
  '3A': 'Domestic abuse: concerns about the child being the subject of domestic abuse',
  '3B': 'Domestic abuse: concerns about a parent or carer being the subject of domestic abuse',
  '3C': 'Domestic abuse: concerns about another person in the household being the subject',
  '4A': 'Mental health: concerns about the child',
  '4B': 'Mental health: concerns about a parent or carer',
  '4C': 'Mental health: concerns about another person in the household',
  '5A': 'Learning disability: concerns about the child',
  '5B': 'Learning disability: concerns about a parent or carer',
  '5C': 'Learning disability: concerns about another person in the household',
  '6A': 'Physical disability or illness: concerns about the child',
  '6B': 'Physical disability or illness: concerns about a parent or carer',
  '6C': 'Physical disability or illness: concerns about another person in the household',
  '7A': 'Young carer',
  '8B': 'Privately fostered: a child from overseas who intends to return home',
  '8C': 'Privately fostered: a child from overseas who intends to stay',
  '8D': 'Privately fostered: a child from the UK in an educational placement',
  '8E': 'Privately fostered: a child from the UK in a family arrangement',
  '8F': 'Privately fostered: another arrangement',
  '9A': 'Unaccompanied asylum-seeking child',
  '10A': 'Going or being missing',
  '11A': 'Child sexual exploitation',
  '12A': 'Trafficking',
  '13A': 'Gangs',
  '14A': 'Socially unacceptable behaviour',
  '15A': 'Self-harm',
  '16A': 'Neglect',
  '17A': 'Emotional abuse',
  '18A': 'Physical abuse (older code)',
  '18B': 'Physical abuse: child on child',
  '18C': 'Physical abuse: adult on child',
  '19A': 'Sexual abuse (older code)',
  '19B': 'Sexual abuse: child on child',
  '19C': 'Sexual abuse: adult on child',
  '20': 'Other',
  '21': 'No factors identified',
  '22A': 'Female genital mutilation',
  '23A': 'Abuse linked to faith or belief',
  '24A': 'Child criminal exploitation',
};

export const NO_FACTORS = '21';

/** The factors offered on the form, grouped as practitioners think of them. */
export const FACTOR_GROUPS: readonly {
  readonly id: string;
  readonly heading: string;
  readonly codes: readonly string[];
}[] = [
  { id: 'substances', heading: 'Alcohol and drugs', codes: ['1A', '1B', '1C', '2A', '2B', '2C'] },
  { id: 'domestic', heading: 'Domestic abuse', codes: ['3A', '3B', '3C'] },
  {
    id: 'health',
    heading: 'Mental health, disability and illness, caring',
    codes: ['4A', '4B', '4C', '5A', '5B', '5C', '6A', '6B', '6C', '7A'],
  },
  {
    id: 'abuse',
    heading: 'Abuse and neglect',
    codes: ['16A', '17A', '18B', '18C', '19B', '19C', '22A', '23A'],
  },
  {
    id: 'outside',
    heading: 'Harm outside the home and going missing',
    codes: ['10A', '11A', '24A', '12A', '13A'],
  },
  { id: 'behaviour', heading: 'The child’s behaviour and wellbeing', codes: ['14A', '15A'] },
  {
    id: 'arrangements',
    heading: 'Private fostering and unaccompanied children',
    codes: ['8B', '8C', '8D', '8E', '8F', '9A'],
  },
  { id: 'other', heading: 'Something else', codes: ['20'] },
];

/** Codes a form may send (the old 18A and 19A are kept only if already saved). */
export const OFFERED_FACTORS: ReadonlySet<string> = new Set([
  ...FACTOR_GROUPS.flatMap((group) => group.codes),
  NO_FACTORS,
]);

/** Poverty and resources: circumstances and needs, never risk. */
export const CIRCUMSTANCE_AREAS: Readonly<
  Record<CircumstanceArea, { readonly label: string; readonly question: string; readonly hint: string }>
> = {
  income: {
    label: 'Income',
    question: 'Is there a need around income?',
    hint: 'Wages, benefits and other money coming in, and whether the family get everything they are entitled to.',
  },
  debt: {
    label: 'Debt',
    question: 'Is there a need around debt?',
    hint: 'Arrears, loans and money owed, and any advice the family already have.',
  },
  housing: {
    label: 'Housing',
    question: 'Is there a need around housing?',
    hint: 'Space, repair, damp, security of the tenancy, or somewhere to live.',
  },
  food: {
    label: 'Food',
    question: 'Is there a need around food?',
    hint: 'Having enough food, and the means to store and cook it.',
  },
  fuel: {
    label: 'Fuel and energy',
    question: 'Is there a need around fuel and energy?',
    hint: 'Heating, electricity, hot water and prepayment meters.',
  },
  digital: {
    label: 'Digital access',
    question: 'Is there a need around digital access?',
    hint: 'A phone, a computer or tablet, data or broadband, for school, work and services.',
  },
};

export const CIRCUMSTANCE_ORDER: readonly CircumstanceArea[] = [
  'income',
  'debt',
  'housing',
  'food',
  'fuel',
  'digital',
];

export const ASSESSMENT_OUTCOMES: Readonly<Record<AssessmentOutcome, string>> = {
  no_further_action: 'No further action',
  family_help: 'Family help',
  child_in_need_plan: 'Child in need plan',
  strategy_discussion: 'Strategy discussion',
  looked_after: 'Looked after',
  other_service: 'Another service',
};

/** The title of the management oversight note written when a manager returns an assessment. */
export const RETURN_NOTE_TITLE = 'Assessment returned for more work';

export function labelOf(list: Readonly<Record<string, string>>, code: string | null | undefined): string {
  if (code === null || code === undefined || code === '') return '';
  return Object.hasOwn(list, code) ? (list[code] ?? code) : code;
}
