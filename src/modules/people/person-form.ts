import { londonDate } from '../../platform/clock.ts';
import { InvalidInputError, type FieldError } from '../../platform/errors.ts';
import {
  UPN_UNKNOWN_REASONS,
  nhsNumberIsValid,
  normaliseNhsNumber,
  normaliseUpn,
  upnIsValid,
} from './identifiers.ts';
import type { Sex } from './people.table.ts';

/**
 * The person form: code lists with plain-English labels, GOV.UK date inputs, and the checks that
 * turn what was typed into a person's details. Pure functions: no database, no HTTP.
 */

/** DfE ethnicity codes (CIN census and SSDA903), in the order of the DfE list. */
export const ETHNICITIES = {
  WBRI: 'White British',
  WIRI: 'White Irish',
  WIRT: 'Traveller of Irish heritage',
  WROM: 'Gypsy or Roma',
  WOTH: 'Any other White background',
  MWBC: 'White and Black Caribbean',
  MWBA: 'White and Black African',
  MWAS: 'White and Asian',
  MOTH: 'Any other mixed or multiple ethnic background',
  AIND: 'Indian',
  APKN: 'Pakistani',
  ABAN: 'Bangladeshi',
  AOTH: 'Any other Asian background',
  BCRB: 'Black Caribbean',
  BAFR: 'Black African',
  BOTH: 'Any other Black background',
  CHNE: 'Chinese',
  OOTH: 'Any other ethnic group',
  REFU: 'Refused to say',
  NOBT: 'Not yet obtained',
} as const;

/** CIN census disability codes. NONE excludes every other code. */
export const DISABILITIES = {
  NONE: 'No disability',
  MOB: 'Mobility (getting about)',
  HAND: 'Hand function',
  PC: 'Personal care, such as eating, washing or dressing',
  INC: 'Incontinence or bowel control',
  COMM: 'Communication',
  LD: 'Learning',
  HEAR: 'Hearing',
  VIS: 'Vision',
  BEH: 'Behaviour',
  CON: 'Consciousness, such as seizures',
  AUT: 'Autism or Asperger syndrome',
  DDA: 'Another disability',
} as const;

export const SEXES = { F: 'Female', M: 'Male', U: 'Not known' } as const satisfies Record<Sex, string>;

export const PERSON_TYPES = {
  child: 'A child or young person',
  unborn: 'An unborn child',
  adult: 'An adult',
} as const;

export type PersonType = keyof typeof PERSON_TYPES;

export const IMMIGRATION_STATUSES = {
  british_or_irish: 'British or Irish citizen',
  settled: 'Settled status or indefinite leave to remain',
  pre_settled: 'Pre-settled status',
  limited_leave: 'Limited leave to remain',
  refugee: 'Refugee or humanitarian protection',
  asylum_seeker: 'Asylum seeker (claim not yet decided)',
  no_recourse: 'No recourse to public funds',
  undocumented: 'No immigration status (undocumented)',
  not_known: 'Not known',
} as const;

export const CONSISTENT_ID_MISSING_REASONS = {
  not_issued: 'Not issued yet',
  unborn: 'Not born yet',
  not_known: 'Not known',
  newly_arrived: 'Newly arrived in England',
} as const;

export { UPN_UNKNOWN_REASONS };

export function isKey<T extends object>(list: T, value: string): value is Extract<keyof T, string> {
  return Object.hasOwn(list, value);
}

// ---------------------------------------------------------------------------------------------
// GOV.UK date inputs
// ---------------------------------------------------------------------------------------------

export type DatePart = 'day' | 'month' | 'year';
export type DateParts = { readonly day: string; readonly month: string; readonly year: string };

export const EMPTY_DATE: DateParts = { day: '', month: '', year: '' };

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** Form errors that also say which parts of which date inputs to highlight. */
export class FormInputError extends InvalidInputError {
  readonly dateParts: Readonly<Record<string, readonly DatePart[]>>;
  constructor(errors: readonly FieldError[], dateParts: Readonly<Record<string, readonly DatePart[]>> = {}) {
    super(errors);
    this.dateParts = dateParts;
  }
}

/** Collects field errors (first one per field wins) and the date parts to highlight. */
export class ErrorList {
  readonly errors: FieldError[] = [];
  readonly dateParts: Record<string, DatePart[]> = {};

  add(field: string, message: string): void {
    if (this.errors.some((e) => e.field === field)) return;
    this.errors.push({ field, message });
  }

  addDate(field: string, message: string, parts: readonly DatePart[]): void {
    if (this.errors.some((e) => e.field === field)) return;
    this.errors.push({ field, message });
    this.dateParts[field] = [...parts];
  }

  has(field: string): boolean {
    return this.errors.some((e) => e.field === field);
  }

  get empty(): boolean {
    return this.errors.length === 0;
  }

  throwIfAny(): void {
    if (this.errors.length > 0) throw new FormInputError(this.errors, this.dateParts);
  }
}

function monthNumber(value: string): number | undefined {
  if (/^\d{1,2}$/.test(value)) return Number(value);
  const index = MONTHS.indexOf(value.slice(0, 3).toLowerCase());
  if (index === -1 || value.length < 3) return undefined;
  return index + 1;
}

/** "2026-02-28" if the three parts make a real date, otherwise undefined. */
export function isoFromParts(day: number, month: number, year: number): string | undefined {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return undefined;
  return date.toISOString().slice(0, 10);
}

export function partsFromIso(value: string | null | undefined): DateParts {
  if (!value) return EMPTY_DATE;
  const [year = '', month = '', day = ''] = value.slice(0, 10).split('-');
  return { day: String(Number(day)), month: String(Number(month)), year };
}

/**
 * Reads a GOV.UK date input into an ISO date, in the Design System's words: "Date of birth must
 * include a month", "Date of birth must be a real date", "Year must include 4 numbers".
 * `label` is the question as it appears in a sentence, with a capital ("Date of birth").
 */
export function parseDate(
  errors: ErrorList,
  field: string,
  label: string,
  parts: DateParts,
  options: { required?: string } = {},
): string | null | undefined {
  const day = parts.day.trim();
  const month = parts.month.trim();
  const year = parts.year.trim();
  if (day === '' && month === '' && year === '') {
    if (options.required) errors.addDate(field, options.required, ['day', 'month', 'year']);
    return options.required ? undefined : null;
  }
  const missing: DatePart[] = [];
  if (day === '') missing.push('day');
  if (month === '') missing.push('month');
  if (year === '') missing.push('year');
  if (missing.length > 0) {
    errors.addDate(field, `${label} must include a ${missing.join(' and ')}`, missing);
    return undefined;
  }
  if (!/^\d{4}$/.test(year)) {
    errors.addDate(field, 'Year must include 4 numbers', ['year']);
    return undefined;
  }
  const m = monthNumber(month);
  const iso =
    /^\d{1,2}$/.test(day) && m !== undefined ? isoFromParts(Number(day), m, Number(year)) : undefined;
  if (iso === undefined || Number(year) < 1900) {
    errors.addDate(field, `${label} must be a real date`, ['day', 'month', 'year']);
    return undefined;
  }
  return iso;
}

/** Today's date in England, as an ISO date. */
export function isoToday(now: Date): string {
  return londonDate(now);
}

/** The ISO date `days` days after (or before) another. */
export function addDays(iso: string, days: number): string {
  const date = new Date(`${iso}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** Reads a form field; `get` trims to a sensible length. */
export type FormSource = { get(name: string): string; list(name: string): string[] };

export function readDateParts(source: FormSource, name: string): DateParts {
  return {
    day: source.get(`${name}-day`),
    month: source.get(`${name}-month`),
    year: source.get(`${name}-year`),
  };
}

/** Optional free text: trimmed, empty becomes null, too long is a field error. */
export function optionalText(
  errors: ErrorList,
  field: string,
  label: string,
  value: string,
  max = 200,
): string | null {
  const trimmed = value.trim();
  if (trimmed.length > max) errors.add(field, `${label} must be ${max} characters or fewer`);
  return trimmed === '' ? null : trimmed;
}

export function requiredText(
  errors: ErrorList,
  field: string,
  label: string,
  missing: string,
  value: string,
  max = 100,
): string {
  const trimmed = value.trim();
  if (trimmed === '') errors.add(field, missing);
  else if (trimmed.length > max) errors.add(field, `${label} must be ${max} characters or fewer`);
  return trimmed;
}

// ---------------------------------------------------------------------------------------------
// The person's details
// ---------------------------------------------------------------------------------------------

/** What was typed, kept as typed so the form can be shown again. */
export type PersonFormValues = {
  readonly personType: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly preferredName: string;
  readonly dateOfBirth: DateParts;
  readonly expectedDateOfBirth: DateParts;
  readonly sex: string;
  readonly genderIdentity: string;
  readonly pronouns: string;
  readonly ethnicity: string;
  readonly firstLanguage: string;
  readonly interpreterNeeded: string;
  readonly religion: string;
  readonly disabilities: readonly string[];
  readonly immigrationStatus: string;
  readonly uasc: string;
  readonly dateOfDeath: DateParts;
  readonly nhsNumber: string;
  readonly upn: string;
  readonly upnUnknownReason: string;
  readonly consistentChildId: string;
  readonly consistentChildIdMissingReason: string;
  readonly councilPersonId: string;
};

/** A person's details, checked. Field names follow the `people` columns. */
export type PersonDetails = {
  readonly is_child: boolean;
  readonly given_name: string;
  readonly family_name: string;
  readonly preferred_name: string | null;
  readonly date_of_birth: string | null;
  readonly expected_date_of_birth: string | null;
  readonly sex: Sex | null;
  readonly gender_identity: string | null;
  readonly pronouns: string | null;
  readonly ethnicity: string | null;
  readonly first_language: string | null;
  readonly interpreter_needed: boolean;
  readonly religion: string | null;
  readonly disabilities: string[];
  readonly immigration_status: string | null;
  readonly uasc: boolean;
  readonly date_of_death: string | null;
  readonly nhs_number: string | null;
  readonly upn: string | null;
  readonly upn_unknown_reason: string | null;
  readonly consistent_child_id: string | null;
  readonly consistent_child_id_missing_reason: string | null;
  readonly council_person_id: string | null;
};

export const EMPTY_PERSON_FORM: PersonFormValues = {
  personType: '',
  givenName: '',
  familyName: '',
  preferredName: '',
  dateOfBirth: EMPTY_DATE,
  expectedDateOfBirth: EMPTY_DATE,
  sex: '',
  genderIdentity: '',
  pronouns: '',
  ethnicity: '',
  firstLanguage: '',
  interpreterNeeded: '',
  religion: '',
  disabilities: [],
  immigrationStatus: '',
  uasc: '',
  dateOfDeath: EMPTY_DATE,
  nhsNumber: '',
  upn: '',
  upnUnknownReason: '',
  consistentChildId: '',
  consistentChildIdMissingReason: '',
  councilPersonId: '',
};

export function readPersonForm(source: FormSource): PersonFormValues {
  return {
    personType: source.get('personType'),
    givenName: source.get('givenName'),
    familyName: source.get('familyName'),
    preferredName: source.get('preferredName'),
    dateOfBirth: readDateParts(source, 'dateOfBirth'),
    expectedDateOfBirth: readDateParts(source, 'expectedDateOfBirth'),
    sex: source.get('sex'),
    genderIdentity: source.get('genderIdentity'),
    pronouns: source.get('pronouns'),
    ethnicity: source.get('ethnicity'),
    firstLanguage: source.get('firstLanguage'),
    interpreterNeeded: source.get('interpreterNeeded'),
    religion: source.get('religion'),
    disabilities: source.list('disabilities'),
    immigrationStatus: source.get('immigrationStatus'),
    uasc: source.get('uasc'),
    dateOfDeath: readDateParts(source, 'dateOfDeath'),
    nhsNumber: source.get('nhsNumber'),
    upn: source.get('upn'),
    upnUnknownReason: source.get('upnUnknownReason'),
    consistentChildId: source.get('consistentChildId'),
    consistentChildIdMissingReason: source.get('consistentChildIdMissingReason'),
    councilPersonId: source.get('councilPersonId'),
  };
}

/** The form as it should look for a stored person (the edit page). */
export function formFromPerson(row: PersonDetails): PersonFormValues {
  const personType: PersonType = !row.is_child
    ? 'adult'
    : row.expected_date_of_birth && !row.date_of_birth
      ? 'unborn'
      : 'child';
  const yesNo = (value: boolean) => (value ? 'yes' : 'no');
  return {
    personType,
    givenName: row.given_name,
    familyName: row.family_name,
    preferredName: row.preferred_name ?? '',
    dateOfBirth: partsFromIso(row.date_of_birth),
    expectedDateOfBirth: partsFromIso(row.expected_date_of_birth),
    sex: row.sex ?? '',
    genderIdentity: row.gender_identity ?? '',
    pronouns: row.pronouns ?? '',
    ethnicity: row.ethnicity ?? '',
    firstLanguage: row.first_language ?? '',
    interpreterNeeded: yesNo(row.interpreter_needed),
    religion: row.religion ?? '',
    disabilities: row.disabilities,
    immigrationStatus: row.immigration_status ?? '',
    uasc: yesNo(row.uasc),
    dateOfDeath: partsFromIso(row.date_of_death),
    nhsNumber: row.nhs_number ?? '',
    upn: row.upn ?? '',
    upnUnknownReason: row.upn_unknown_reason ?? '',
    consistentChildId: row.consistent_child_id ?? '',
    consistentChildIdMissingReason: row.consistent_child_id_missing_reason ?? '',
    councilPersonId: row.council_person_id ?? '',
  };
}

/**
 * Checks the form. Every problem is reported at once, against its field; nothing is returned unless
 * everything is right. `today` is an ISO date in England.
 */
export function checkPersonForm(
  values: PersonFormValues,
  today: string,
): { details: PersonDetails } | { errors: ErrorList } {
  const errors = new ErrorList();
  const personType = values.personType;
  if (!isKey(PERSON_TYPES, personType))
    errors.add('personType', 'Select whether this is a child, an unborn child or an adult');
  const unborn = personType === 'unborn';

  let givenName = values.givenName.trim();
  if (unborn && givenName === '') givenName = 'Baby';
  requiredText(errors, 'givenName', 'First name', 'Enter their first name', givenName);
  const familyName = requiredText(
    errors,
    'familyName',
    'Last name',
    'Enter their last name',
    values.familyName,
  );
  const preferredName = optionalText(errors, 'preferredName', 'Preferred name', values.preferredName, 100);

  let dateOfBirth: string | null | undefined = null;
  let expected: string | null | undefined = null;
  if (unborn) {
    expected = parseDate(
      errors,
      'expectedDateOfBirth',
      'Expected date of birth',
      values.expectedDateOfBirth,
      {
        required: 'Enter the expected date of birth',
      },
    );
    const born = values.dateOfBirth;
    if (born.day.trim() || born.month.trim() || born.year.trim()) {
      errors.addDate(
        'dateOfBirth',
        'An unborn child has no date of birth: leave it blank, or select ‘a child or young person’',
        ['day', 'month', 'year'],
      );
    }
  } else {
    dateOfBirth = parseDate(errors, 'dateOfBirth', 'Date of birth', values.dateOfBirth, {
      ...(personType === 'child' ? { required: 'Enter their date of birth' } : {}),
    });
    if (dateOfBirth && dateOfBirth > today)
      errors.addDate('dateOfBirth', 'Date of birth must be today or in the past', ['day', 'month', 'year']);
  }

  const dateOfDeath = parseDate(errors, 'dateOfDeath', 'Date of death', values.dateOfDeath);
  if (dateOfDeath) {
    if (dateOfDeath > today)
      errors.addDate('dateOfDeath', 'Date of death must be today or in the past', ['day', 'month', 'year']);
    else if (dateOfBirth && dateOfDeath < dateOfBirth) {
      errors.addDate('dateOfDeath', 'Date of death must be the same as or after the date of birth', [
        'day',
        'month',
        'year',
      ]);
    }
  }

  let sex: Sex | null = null;
  if (values.sex !== '') {
    if (isKey(SEXES, values.sex)) sex = values.sex;
    else errors.add('sex', 'Select their sex');
  } else if (unborn) sex = 'U';

  let ethnicity: string | null = null;
  if (values.ethnicity !== '') {
    if (isKey(ETHNICITIES, values.ethnicity)) ethnicity = values.ethnicity;
    else errors.add('ethnicity', 'Select their ethnicity from the list');
  }

  const disabilities = [...new Set(values.disabilities)];
  if (disabilities.some((code) => !isKey(DISABILITIES, code)))
    errors.add('disabilities', 'Select disabilities from the list');
  else if (disabilities.includes('NONE') && disabilities.length > 1) {
    errors.add('disabilities', 'Select ‘No disability’ or the disabilities they have, not both');
  }

  let immigrationStatus: string | null = null;
  if (values.immigrationStatus !== '') {
    if (isKey(IMMIGRATION_STATUSES, values.immigrationStatus)) immigrationStatus = values.immigrationStatus;
    else errors.add('immigrationStatus', 'Select their immigration status from the list');
  }

  const yesNo = (field: string, value: string, message: string): boolean => {
    if (value === '' || value === 'no') return false;
    if (value === 'yes') return true;
    errors.add(field, message);
    return false;
  };
  const interpreterNeeded = yesNo(
    'interpreterNeeded',
    values.interpreterNeeded,
    'Select whether they need an interpreter',
  );
  const uasc = yesNo('uasc', values.uasc, 'Select whether they are an unaccompanied asylum-seeking child');
  if (uasc && personType === 'adult')
    errors.add('uasc', 'Only a child can be an unaccompanied asylum-seeking child');

  let nhsNumber: string | null = null;
  if (values.nhsNumber.trim() !== '') {
    const digits = normaliseNhsNumber(values.nhsNumber.trim());
    if (!/^\d{10}$/.test(digits)) errors.add('nhsNumber', 'NHS number must be 10 digits, like 485 777 3456');
    else if (!nhsNumberIsValid(digits))
      errors.add('nhsNumber', 'Enter a real NHS number: the last digit does not match the others');
    else nhsNumber = digits;
  }

  let upn: string | null = null;
  if (values.upn.trim() !== '') {
    const normalised = normaliseUpn(values.upn);
    if (!/^[A-Z]\d{11}[0-9A-Z]$/.test(normalised)) {
      errors.add(
        'upn',
        'Unique pupil number must be 13 characters: a letter, 11 numbers, then a number or letter',
      );
    } else if (!upnIsValid(normalised))
      errors.add('upn', 'Enter a real unique pupil number: the first letter does not match the rest');
    else upn = normalised;
  }
  let upnUnknownReason: string | null = null;
  if (values.upnUnknownReason !== '') {
    if (!isKey(UPN_UNKNOWN_REASONS, values.upnUnknownReason))
      errors.add('upnUnknownReason', 'Select why the unique pupil number is not known');
    else if (values.upn.trim() !== '')
      errors.add('upnUnknownReason', 'Enter a unique pupil number or why it is not known, not both');
    else upnUnknownReason = values.upnUnknownReason;
  }

  const consistentChildId = optionalText(
    errors,
    'consistentChildId',
    'Consistent child identifier',
    values.consistentChildId.replace(/\s/g, ''),
    20,
  );
  if (consistentChildId && !/^[A-Za-z0-9]+$/.test(consistentChildId)) {
    errors.add('consistentChildId', 'Consistent child identifier must only include letters and numbers');
  }
  let consistentMissing: string | null = null;
  if (values.consistentChildIdMissingReason !== '') {
    if (!isKey(CONSISTENT_ID_MISSING_REASONS, values.consistentChildIdMissingReason)) {
      errors.add('consistentChildIdMissingReason', 'Select why the consistent child identifier is missing');
    } else if (consistentChildId) {
      errors.add(
        'consistentChildIdMissingReason',
        'Enter a consistent child identifier or why it is missing, not both',
      );
    } else consistentMissing = values.consistentChildIdMissingReason;
  }
  const councilPersonId = optionalText(
    errors,
    'councilPersonId',
    'Council reference',
    values.councilPersonId,
    50,
  );

  const details: PersonDetails = {
    is_child: personType !== 'adult',
    given_name: givenName,
    family_name: familyName,
    preferred_name: preferredName,
    date_of_birth: dateOfBirth ?? null,
    expected_date_of_birth: expected ?? null,
    sex,
    gender_identity: optionalText(errors, 'genderIdentity', 'Gender identity', values.genderIdentity, 100),
    pronouns: optionalText(errors, 'pronouns', 'Pronouns', values.pronouns, 50),
    ethnicity,
    first_language: optionalText(errors, 'firstLanguage', 'First language', values.firstLanguage, 100),
    interpreter_needed: interpreterNeeded,
    religion: optionalText(errors, 'religion', 'Religion', values.religion, 100),
    disabilities,
    immigration_status: immigrationStatus,
    uasc,
    date_of_death: dateOfDeath ?? null,
    nhs_number: nhsNumber,
    upn,
    upn_unknown_reason: upnUnknownReason,
    consistent_child_id: consistentChildId,
    consistent_child_id_missing_reason: consistentMissing,
    council_person_id: councilPersonId,
  };
  if (!errors.empty) return { errors };
  return { details };
}

/** The order fields appear on the form, so the error summary follows the page. */
export const PERSON_FIELD_ORDER = [
  'personType',
  'givenName',
  'familyName',
  'preferredName',
  'dateOfBirth',
  'expectedDateOfBirth',
  'sex',
  'genderIdentity',
  'pronouns',
  'ethnicity',
  'firstLanguage',
  'interpreterNeeded',
  'religion',
  'disabilities',
  'immigrationStatus',
  'uasc',
  'dateOfDeath',
  'nhsNumber',
  'upn',
  'upnUnknownReason',
  'consistentChildId',
  'consistentChildIdMissingReason',
  'councilPersonId',
] as const;

export function sortErrors(errors: ErrorList, order: readonly string[]): FormInputError {
  const rank = (field: string) => {
    const i = order.indexOf(field);
    return i === -1 ? order.length : i;
  };
  const sorted = [...errors.errors].sort((a, b) => rank(a.field) - rank(b.field));
  return new FormInputError(sorted, errors.dateParts);
}
