import { PRIMARY_NEEDS, REFERRAL_SOURCES, isCode } from './codes.ts';
import type { FrontDoorDecision, HelpRequestStatus, RequesterKind } from './help.table.ts';
import {
  EMPTY_DATE,
  ErrorList,
  parseDate,
  readDateParts,
  type DateParts,
  type FormSource,
} from '../people/person-form.ts';

/**
 * The front door's forms: the request for help and the decision on it. Code lists with
 * plain-English labels, what was typed kept as typed, and the checks that turn it into a row. Pure
 * functions: no database, no HTTP.
 */

export const REQUESTER_KINDS: Readonly<Record<RequesterKind, string>> = {
  professional: 'A professional, such as a teacher, health visitor or police officer',
  parent: 'A parent or carer, asking for help for their own family',
  young_person: 'The child or young person',
  relative: 'A relative or family friend',
  neighbour: 'A neighbour or someone else who knows the family',
  anonymous: 'Someone who did not want to give their name',
  other: 'Someone else',
};

/** Who asked, in a sentence ("from a parent"), for the chronology and the pages. */
export const REQUESTER_IN_A_SENTENCE: Readonly<Record<RequesterKind, string>> = {
  professional: 'a professional',
  parent: 'a parent or carer',
  young_person: 'the child or young person',
  relative: 'a relative or family friend',
  neighbour: 'a neighbour',
  anonymous: 'someone who did not give their name',
  other: 'someone else',
};

// The CIN census lists live in codes.ts; the front door's pages list them in the census's order.
export {
  PRIMARY_NEED_LIST as PRIMARY_NEEDS,
  REFERRAL_SOURCE_LIST as REFERRAL_SOURCES,
  primaryNeedLabel,
  referralSourceLabel,
} from './codes.ts';

export const DECISIONS: Readonly<Record<FrontDoorDecision, string>> = {
  information_advice: 'Information and advice',
  community_service: 'A community or universal service',
  family_help: 'Family help',
  assessment: 'Child and family assessment',
  strategy_discussion: 'Strategy discussion',
};

/** Decisions that lead to help from the council's own teams (and so to an episode of help). */
export const DECISIONS_WITH_EPISODE: ReadonlySet<FrontDoorDecision> = new Set<FrontDoorDecision>([
  'family_help',
  'assessment',
  'strategy_discussion',
]);

/** Decisions that decline help from the council's teams: what was offered instead is required. */
export const DECISIONS_DECLINING: ReadonlySet<FrontDoorDecision> = new Set<FrontDoorDecision>([
  'information_advice',
  'community_service',
]);

export const REQUEST_STATUSES: Readonly<Record<HelpRequestStatus, string>> = {
  draft: 'Draft',
  awaiting_decision: 'Waiting for a decision',
  decided: 'Decided',
  withdrawn: 'Withdrawn',
};

function isIn<T extends string>(list: Readonly<Record<T, string>>, value: string): value is T {
  return Object.hasOwn(list, value);
}

/**
 * The referral source that fits who is asking, offered when the person leaves it to us: a school is
 * 2A, a GP 3A, the police 6. For a professional it is worked out from where they work (and their
 * role); undefined when nothing fits, so the person must choose.
 */
export function defaultReferralSource(kind: string, organisation: string, role = ''): string | undefined {
  switch (kind) {
    case 'parent':
    case 'relative':
      return '1A';
    case 'neighbour':
      return '1B';
    case 'young_person':
      return '1C';
    case 'other':
      return '1D';
    case 'anonymous':
      return '9';
    case 'professional':
      return professionalSource(`${organisation} ${role}`.toLowerCase());
    default:
      return undefined;
  }
}

const PROFESSIONAL_SOURCES: readonly (readonly [RegExp, string])[] = [
  [/school nurse/, '3C'],
  [/health visit/, '3B'],
  [/\b(gp|surgery|medical (centre|center|practice)|general practi)/, '3A'],
  [/\b(a ?& ?e|a and e|emergency department)\b/, '3E'],
  [/\b(police|constabulary)\b/, '6'],
  [/\b(probation|court|cafcass|prison|immigration)\b/, '7'],
  [/\b(early help|family hub)\b/, '5D'],
  [/\byouth (offending|justice)\b/, '5B'],
  [/\badult (social care|services)\b/, '5A'],
  [/\b(school|academy|college)\b/, '2A'],
  [/\b(nursery|education)\b/, '2B'],
  [/\b(hospital|nhs|health|midwi|camhs|clinic)/, '3F'],
  [/\b(housing|homes)\b/, '4'],
  [/\b(children'?s cent(re|er)|charity|voluntary|foodbank|food bank)\b/, '8'],
];

function professionalSource(text: string): string | undefined {
  return PROFESSIONAL_SOURCES.find(([pattern]) => pattern.test(text))?.[1];
}

// ---------------------------------------------------------------------------------------------
// The request form
// ---------------------------------------------------------------------------------------------

/** What was typed, kept as typed so the form can be shown again. */
export type RequestFormValues = {
  /** The child, once chosen (arriving from their page, a saved draft, or a likely duplicate picked). */
  readonly childId: string;
  /** A new child: name and date of birth, checked against the people already known. */
  readonly childGivenName: string;
  readonly childFamilyName: string;
  readonly childDateOfBirth: DateParts;
  readonly requesterKind: string;
  readonly requesterName: string;
  readonly requesterRole: string;
  readonly requesterOrganisation: string;
  readonly requesterContact: string;
  readonly referralSource: string;
  readonly worry: string;
  readonly familyView: string;
  readonly alreadyTried: string;
  readonly willKeepDoing: string;
  /** 'yes', 'no' or ''. */
  readonly familyKnows: string;
  readonly familyConsents: string;
  readonly primaryNeed: string;
};

export const EMPTY_REQUEST_FORM: RequestFormValues = {
  childId: '',
  childGivenName: '',
  childFamilyName: '',
  childDateOfBirth: EMPTY_DATE,
  requesterKind: '',
  requesterName: '',
  requesterRole: '',
  requesterOrganisation: '',
  requesterContact: '',
  referralSource: '',
  worry: '',
  familyView: '',
  alreadyTried: '',
  willKeepDoing: '',
  familyKnows: '',
  familyConsents: '',
  primaryNeed: '',
};

/** The fields of the form, in page order: the error summary follows it. */
export const REQUEST_TEXT_FIELDS = [
  'childId',
  'childGivenName',
  'childFamilyName',
  'requesterKind',
  'requesterName',
  'requesterRole',
  'requesterOrganisation',
  'requesterContact',
  'referralSource',
  'worry',
  'familyView',
  'alreadyTried',
  'willKeepDoing',
  'familyKnows',
  'familyConsents',
  'primaryNeed',
] as const;

/** Page order of every field, date included, for the error summary. */
export const REQUEST_FIELD_ORDER: readonly string[] = [
  ...REQUEST_TEXT_FIELDS.slice(0, 3),
  'childDateOfBirth',
  ...REQUEST_TEXT_FIELDS.slice(3),
];

export function readRequestForm(source: FormSource): RequestFormValues {
  const values: Record<string, string | DateParts> = {};
  for (const name of REQUEST_TEXT_FIELDS) values[name] = source.get(name);
  values['childDateOfBirth'] = readDateParts(source, 'childDateOfBirth');
  return values as RequestFormValues;
}

/** The columns of help_requests the form fills. */
export type RequestDetails = {
  readonly requester_kind: RequesterKind | null;
  readonly requester_name: string | null;
  readonly requester_role: string | null;
  readonly requester_organisation: string | null;
  readonly requester_contact: string | null;
  readonly referral_source: string | null;
  readonly worry: string | null;
  readonly family_view: string | null;
  readonly already_tried: string | null;
  readonly will_keep_doing: string | null;
  readonly family_knows: boolean | null;
  readonly family_consents: boolean | null;
  readonly primary_need: string | null;
};

export type NewChild = {
  readonly givenName: string;
  readonly familyName: string;
  readonly dateOfBirth: string;
};

/** The form as a saved draft or request shows it again. */
export function formFromRequest(
  row: RequestDetails & { readonly person_id: string | null },
): RequestFormValues {
  const yesNo = (value: boolean | null) => (value === null ? '' : value ? 'yes' : 'no');
  return {
    ...EMPTY_REQUEST_FORM,
    childId: row.person_id ?? '',
    requesterKind: row.requester_kind ?? '',
    requesterName: row.requester_name ?? '',
    requesterRole: row.requester_role ?? '',
    requesterOrganisation: row.requester_organisation ?? '',
    requesterContact: row.requester_contact ?? '',
    referralSource: row.referral_source ?? '',
    worry: row.worry ?? '',
    familyView: row.family_view ?? '',
    alreadyTried: row.already_tried ?? '',
    willKeepDoing: row.will_keep_doing ?? '',
    familyKnows: yesNo(row.family_knows),
    familyConsents: yesNo(row.family_consents),
    primaryNeed: row.primary_need ?? '',
  };
}

const SHORT = 200;
const LONG = 5000;

function text(errors: ErrorList, field: string, label: string, value: string, max: number): string | null {
  const trimmed = value.trim();
  if (trimmed.length > max) errors.add(field, `${label} must be ${max} characters or fewer`);
  return trimmed === '' ? null : trimmed;
}

function required(errors: ErrorList, field: string, message: string, value: string | null): void {
  if (value === null) errors.add(field, message);
}

function yesNo(value: string): boolean | null {
  if (value === 'yes') return true;
  if (value === 'no') return false;
  return null;
}

/**
 * Checks the request form. A draft needs nothing but sensible lengths (and, for a new child, enough
 * to make their record: name and date of birth); sending needs every answer. Sending with no
 * referral source chosen uses the one that fits who is asking (a school is 2A), if any fits.
 */
export function checkRequestForm(
  values: RequestFormValues,
  intent: 'draft' | 'send',
  today: string,
): { details: RequestDetails; newChild: NewChild | null; errors: ErrorList } {
  const errors = new ErrorList();
  const send = intent === 'send';

  // The child.
  let newChild: NewChild | null = null;
  if (values.childId === '') {
    const given = values.childGivenName.trim();
    const family = values.childFamilyName.trim();
    const dob = values.childDateOfBirth;
    const typed = given !== '' || family !== '' || dob.day + dob.month + dob.year !== '';
    if (send || typed) {
      if (given === '') errors.add('childGivenName', 'Enter the child’s first name');
      else if (given.length > 100) errors.add('childGivenName', 'First name must be 100 characters or fewer');
      if (family === '') errors.add('childFamilyName', 'Enter the child’s last name');
      else if (family.length > 100)
        errors.add('childFamilyName', 'Last name must be 100 characters or fewer');
      const iso = parseDate(errors, 'childDateOfBirth', 'Date of birth', dob, {
        required: 'Enter the child’s date of birth',
      });
      if (iso && iso > today)
        errors.addDate('childDateOfBirth', 'Date of birth must be in the past', ['day', 'month', 'year']);
      if (iso && given !== '' && family !== '')
        newChild = { givenName: given, familyName: family, dateOfBirth: iso };
    }
  }

  // Who is asking.
  let kind: RequesterKind | null = null;
  if (values.requesterKind !== '') {
    if (isIn(REQUESTER_KINDS, values.requesterKind)) kind = values.requesterKind;
    else errors.add('requesterKind', 'Select who is asking for help');
  } else if (send) errors.add('requesterKind', 'Select who is asking for help');
  const professional = kind === 'professional';
  const name = text(errors, 'requesterName', 'Their name', values.requesterName, SHORT);
  const role = text(errors, 'requesterRole', 'Their role', values.requesterRole, SHORT);
  const organisation = text(
    errors,
    'requesterOrganisation',
    'Where they work',
    values.requesterOrganisation,
    SHORT,
  );
  const contact = text(errors, 'requesterContact', 'How to contact them', values.requesterContact, SHORT);
  if (send && kind !== null && kind !== 'anonymous')
    required(errors, 'requesterName', 'Enter the name of the person asking', name);
  if (send && professional) {
    required(errors, 'requesterRole', 'Enter the role of the professional asking', role);
    required(errors, 'requesterOrganisation', 'Enter where the professional asking works', organisation);
    required(errors, 'requesterContact', 'Enter how to contact the professional asking', contact);
  }

  let source: string | null = null;
  if (values.referralSource !== '') {
    if (isCode(REFERRAL_SOURCES, values.referralSource)) source = values.referralSource;
    else errors.add('referralSource', 'Select where the request came from');
  } else if (send && kind !== null) {
    source = defaultReferralSource(kind, organisation ?? '', role ?? '') ?? null;
    if (source === null) errors.add('referralSource', 'Select where the request came from');
  } else if (send) {
    errors.add('referralSource', 'Select where the request came from');
  }

  // The worry.
  const worry = text(errors, 'worry', 'What the worry is', values.worry, LONG);
  const familyView = text(errors, 'familyView', 'What the family thinks', values.familyView, LONG);
  const alreadyTried = text(errors, 'alreadyTried', 'What has already been tried', values.alreadyTried, LONG);
  const willKeepDoing = text(
    errors,
    'willKeepDoing',
    'What they will keep doing',
    values.willKeepDoing,
    LONG,
  );
  if (send) {
    required(errors, 'worry', 'Enter what the worry is', worry);
    required(
      errors,
      'familyView',
      'Enter what the family thinks, or that they have not been asked and why',
      familyView,
    );
    if (professional) {
      required(errors, 'alreadyTried', 'Enter what the professional asking has already tried', alreadyTried);
      required(
        errors,
        'willKeepDoing',
        'Enter what the professional asking will keep doing to help the family',
        willKeepDoing,
      );
    }
  }

  const knows = yesNo(values.familyKnows);
  if (values.familyKnows !== '' && knows === null)
    errors.add('familyKnows', 'Select whether the family knows about this request');
  if (send && knows === null) errors.add('familyKnows', 'Select whether the family knows about this request');
  let consents = yesNo(values.familyConsents);
  if (values.familyConsents !== '' && consents === null)
    errors.add('familyConsents', 'Select whether the family agrees to the request');
  if (knows === false) consents = null;
  else if (send && knows === true && consents === null)
    errors.add('familyConsents', 'Select whether the family agrees to the request');

  let need: string | null = null;
  if (values.primaryNeed !== '') {
    if (isCode(PRIMARY_NEEDS, values.primaryNeed)) need = values.primaryNeed;
    else errors.add('primaryNeed', 'Select the main need');
  } else if (send) errors.add('primaryNeed', 'Select the main need');

  return {
    details: {
      requester_kind: kind,
      requester_name: name,
      requester_role: role,
      requester_organisation: organisation,
      requester_contact: contact,
      referral_source: source,
      worry,
      family_view: familyView,
      already_tried: alreadyTried,
      will_keep_doing: willKeepDoing,
      family_knows: knows,
      family_consents: consents,
      primary_need: need,
    },
    newChild,
    errors,
  };
}

/** Labels of the request's fields, for the conflict page. */
export const REQUEST_LABELS: Readonly<Record<string, string>> = {
  requesterKind: 'Who is asking',
  requesterName: 'Their name',
  requesterRole: 'Their role',
  requesterOrganisation: 'Where they work',
  requesterContact: 'How to contact them',
  referralSource: 'Where the request came from',
  worry: 'What the worry is',
  familyView: 'What the family thinks',
  alreadyTried: 'What has already been tried',
  willKeepDoing: 'What they will keep doing',
  familyKnows: 'Does the family know',
  familyConsents: 'Does the family agree',
  primaryNeed: 'Main need',
};

// ---------------------------------------------------------------------------------------------
// The decision form
// ---------------------------------------------------------------------------------------------

export type DecisionFormValues = {
  readonly decision: string;
  readonly decisionService: string;
  readonly teamId: string;
  readonly reason: string;
  readonly thresholdId: string;
  readonly helpOfferedInstead: string;
  readonly feedback: string;
};

export const EMPTY_DECISION_FORM: DecisionFormValues = {
  decision: '',
  decisionService: '',
  teamId: '',
  reason: '',
  thresholdId: '',
  helpOfferedInstead: '',
  feedback: '',
};

export function readDecisionForm(source: FormSource): DecisionFormValues {
  return {
    decision: source.get('decision'),
    decisionService: source.get('decisionService'),
    teamId: source.get('teamId'),
    reason: source.get('reason'),
    thresholdId: source.get('thresholdId'),
    helpOfferedInstead: source.get('helpOfferedInstead'),
    feedback: source.get('feedback'),
  };
}

export type CheckedDecision = {
  readonly decision: FrontDoorDecision;
  readonly service: string | null;
  readonly teamId: string | null;
  readonly reason: string;
  readonly thresholdId: string;
  readonly helpOfferedInstead: string | null;
  readonly feedback: string | null;
};

/**
 * Checks the decision form. `teams` and `thresholds` are the council's (ids); feedback is required
 * unless the person asking did not give their name (there is no one to tell).
 */
export function checkDecisionForm(
  values: DecisionFormValues,
  options: { teams: readonly string[]; thresholds: readonly string[]; feedbackRequired: boolean },
): { checked: CheckedDecision | null; errors: ErrorList } {
  const errors = new ErrorList();
  const decision = isIn(DECISIONS, values.decision) ? values.decision : null;
  if (decision === null) errors.add('decision', 'Select the decision');
  const service = text(errors, 'decisionService', 'The service', values.decisionService, SHORT);
  if (decision === 'community_service' && service === null)
    errors.add('decisionService', 'Enter the name of the community or universal service');
  let teamId: string | null = null;
  if (decision !== null && DECISIONS_WITH_EPISODE.has(decision)) {
    if (values.teamId === '') errors.add('teamId', 'Select the team that will help the family');
    else if (!options.teams.includes(values.teamId))
      errors.add('teamId', 'Select the team that will help the family');
    else teamId = values.teamId;
  }
  const reason = text(errors, 'reason', 'The reason', values.reason, LONG);
  required(errors, 'reason', 'Enter the reason for the decision, in plain English', reason);
  let thresholdId: string | null = null;
  if (options.thresholds.includes(values.thresholdId)) thresholdId = values.thresholdId;
  else errors.add('thresholdId', 'Select the threshold guidance you applied');
  const instead = text(
    errors,
    'helpOfferedInstead',
    'The help offered instead',
    values.helpOfferedInstead,
    LONG,
  );
  if (decision !== null && DECISIONS_DECLINING.has(decision))
    required(errors, 'helpOfferedInstead', 'Enter what help was offered instead', instead);
  const feedback = text(errors, 'feedback', 'The feedback', values.feedback, LONG);
  if (options.feedbackRequired)
    required(errors, 'feedback', 'Enter the feedback given to the person who asked', feedback);
  if (!errors.empty || decision === null || reason === null || thresholdId === null)
    return { checked: null, errors };
  return {
    checked: {
      decision,
      service: decision === 'community_service' ? service : null,
      teamId,
      reason,
      thresholdId,
      helpOfferedInstead: DECISIONS_DECLINING.has(decision) ? instead : null,
      feedback,
    },
    errors,
  };
}

export const DECISION_LABELS: Readonly<Record<string, string>> = {
  decision: 'Decision',
  decisionService: 'The service',
  reason: 'Reason',
  threshold: 'Threshold guidance applied',
  helpOfferedInstead: 'Help offered instead',
  feedback: 'Feedback to the person who asked',
};
