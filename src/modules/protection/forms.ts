import { readDateParts, type DateParts, type FormSource } from '../people/person-form.ts';
import { CONTRIBUTION_ROWS } from './codes.ts';

/** The protection forms, as typed (kept as typed so a form with errors is shown again unchanged). */

export const TEXT_MAX = 10_000;
export const SHORT_MAX = 200;
/** Rows for invitations on the conference form (without JavaScript, a fixed number). */
export const INVITATION_ROWS = 8;
/** Rows for who came to a core group meeting. */
export const CORE_GROUP_ROWS = 8;

export type ContributionValues = {
  readonly agency: string;
  readonly organisation: string;
  readonly name: string;
  readonly role: string;
  readonly said: string;
};

export type StrategyValues = {
  readonly heldOn: DateParts;
  readonly contributions: readonly ContributionValues[];
  readonly decision: string;
  readonly reason: string;
  readonly referralSource: string;
  readonly primaryNeed: string;
};

export function readStrategy(source: FormSource): StrategyValues {
  return {
    heldOn: readDateParts(source, 'heldOn'),
    contributions: CONTRIBUTION_ROWS.map((agency, i) => ({
      agency,
      organisation: source.get(`organisation-${String(i)}`),
      name: source.get(`name-${String(i)}`),
      role: source.get(`role-${String(i)}`),
      said: source.get(`said-${String(i)}`),
    })),
    decision: source.get('decision'),
    reason: source.get('reason'),
    referralSource: source.get('referralSource'),
    primaryNeed: source.get('primaryNeed'),
  };
}

export function emptyStrategy(heldOn: DateParts): StrategyValues {
  return {
    heldOn,
    contributions: CONTRIBUTION_ROWS.map((agency) => ({
      agency,
      organisation: '',
      name: '',
      role: '',
      said: '',
    })),
    decision: '',
    reason: '',
    referralSource: '',
    primaryNeed: '',
  };
}

export type OutcomeValues = {
  readonly completedOn: DateParts;
  readonly outcome: string;
  readonly findings: string;
};

export function readOutcome(source: FormSource): OutcomeValues {
  return {
    completedOn: readDateParts(source, 'completedOn'),
    outcome: source.get('outcome'),
    findings: source.get('findings'),
  };
}

export type PersonRow = { readonly name: string; readonly role: string; readonly kind: string };

export type ArrangeValues = {
  readonly heldOn: DateParts;
  readonly invited: readonly PersonRow[];
  readonly reportSharedOn: DateParts;
  readonly reportSharedHow: string;
  readonly reportSharedNote: string;
  readonly advocateOffered: string;
  readonly advocateTakenUp: string;
  readonly advocateNote: string;
};

function rows(source: FormSource, count: number): PersonRow[] {
  return Array.from({ length: count }, (_, i) => ({
    name: source.get(`inviteName-${String(i)}`),
    role: source.get(`inviteRole-${String(i)}`),
    kind: source.get(`inviteKind-${String(i)}`),
  }));
}

export function readArrange(source: FormSource): ArrangeValues {
  return {
    heldOn: readDateParts(source, 'heldOn'),
    invited: rows(source, INVITATION_ROWS),
    reportSharedOn: readDateParts(source, 'reportSharedOn'),
    reportSharedHow: source.get('reportSharedHow'),
    reportSharedNote: source.get('reportSharedNote'),
    advocateOffered: source.get('advocateOffered'),
    advocateTakenUp: source.get('advocateTakenUp'),
    advocateNote: source.get('advocateNote'),
  };
}

export function padRows(list: readonly PersonRow[], count: number): PersonRow[] {
  const padded = [...list];
  while (padded.length < count) padded.push({ name: '', role: '', kind: '' });
  return padded;
}

export type ConferenceOutcomeValues = {
  readonly heldOn: DateParts;
  readonly attended: readonly string[];
  readonly othersAttending: string;
  readonly familyView: string;
  readonly childView: string;
  readonly decision: string;
  readonly category: string;
  readonly decisionReason: string;
  readonly stepTo: string;
  readonly closureReason: string;
};

export function readConferenceOutcome(source: FormSource): ConferenceOutcomeValues {
  return {
    heldOn: readDateParts(source, 'heldOn'),
    attended: source.list('attended'),
    othersAttending: source.get('othersAttending'),
    familyView: source.get('familyView'),
    childView: source.get('childView'),
    decision: source.get('decision'),
    category: source.get('category'),
    decisionReason: source.get('decisionReason'),
    stepTo: source.get('stepTo'),
    closureReason: source.get('closureReason'),
  };
}

export type FamilyMeetingValues = {
  readonly offeredOn: DateParts;
  readonly response: string;
  readonly declinedReason: string;
  readonly heldOn: DateParts;
  readonly familyPlan: string;
};

export function readFamilyMeeting(source: FormSource): FamilyMeetingValues {
  return {
    offeredOn: readDateParts(source, 'offeredOn'),
    response: source.get('response'),
    declinedReason: source.get('declinedReason'),
    heldOn: readDateParts(source, 'heldOn'),
    familyPlan: source.get('familyPlan'),
  };
}

export type CoreGroupValues = {
  readonly heldOn: DateParts;
  readonly came: readonly PersonRow[];
  readonly familyView: string;
  readonly progress: string;
  readonly nextMeetingOn: DateParts;
};

export function readCoreGroup(source: FormSource): CoreGroupValues {
  return {
    heldOn: readDateParts(source, 'heldOn'),
    came: rows(source, CORE_GROUP_ROWS),
    familyView: source.get('familyView'),
    progress: source.get('progress'),
    nextMeetingOn: readDateParts(source, 'nextMeetingOn'),
  };
}
