import { readDateParts, type DateParts, type FormSource } from '../people/person-form.ts';

/** The care forms, as typed (kept as typed so a form with errors is shown again unchanged). */

export type PlacementValues = {
  readonly placementType: string;
  readonly provider: string;
  readonly providerName: string;
  readonly carerName: string;
  readonly address: string;
  readonly postcode: string;
  readonly urn: string;
  readonly weeklyCost: string;
  readonly withSiblings: string;
  /** 'yes' (the default) or 'no'. */
  readonly addressHidden: string;
};

export type StartCareValues = PlacementValues & {
  readonly startedOn: DateParts;
  readonly legalStatus: string;
  readonly categoryOfNeed: string;
  readonly homePostcode: string;
  readonly reason: string;
};

export type LegalStatusValues = { readonly changedOn: DateParts; readonly legalStatus: string };

export type MoveValues = PlacementValues & {
  readonly movedOn: DateParts;
  readonly changeReason: string;
  readonly changeNote: string;
  /** 'yes' when the carer stays the same and only the arrangement changes (SSDA903 RNE U or B). */
  readonly sameCarer: string;
};

export type EndCareValues = {
  readonly endedOn: DateParts;
  readonly reasonCeased: string;
  readonly next: string;
  readonly note: string;
  readonly eligibility: string;
};

export type ReviewValues = {
  readonly reviewedOn: DateParts;
  readonly participation: string;
  readonly familyView: string;
  readonly childView: string;
  readonly progressSummary: string;
  readonly decision: string;
  readonly returnHomeConsidered: string;
  readonly returnHomeSteps: string;
  readonly returnHomeFamilyView: string;
};

export type HealthValues = { readonly kind: string; readonly onDate: DateParts; readonly sdqScore: string };
export type PepValues = { readonly heldOn: DateParts; readonly note: string };
export type MissingValues = {
  readonly kind: string;
  readonly startedOn: DateParts;
  readonly endedOn: DateParts;
  readonly interviewOffered: string;
  readonly interviewAccepted: string;
};
export type PermanenceValues = {
  readonly permanencePlan: string;
  readonly decisionOn: DateParts;
  readonly placementOrderOn: DateParts;
  readonly matchedOn: DateParts;
  readonly placedOn: DateParts;
};
export type ContactValues = {
  readonly contactedOn: DateParts;
  readonly inTouch: string;
  readonly activity: string;
  readonly accommodation: string;
  readonly suitable: string;
};
export type StayingPutValues = { readonly from: DateParts; readonly until: DateParts };

export const EMPTY_PLACEMENT: PlacementValues = {
  placementType: '',
  provider: '',
  providerName: '',
  carerName: '',
  address: '',
  postcode: '',
  urn: '',
  weeklyCost: '',
  withSiblings: '',
  addressHidden: 'yes',
};

export function readPlacement(source: FormSource): PlacementValues {
  return {
    placementType: source.get('placementType'),
    provider: source.get('provider'),
    providerName: source.get('providerName'),
    carerName: source.get('carerName'),
    address: source.get('address'),
    postcode: source.get('postcode'),
    urn: source.get('urn'),
    weeklyCost: source.get('weeklyCost'),
    withSiblings: source.get('withSiblings'),
    addressHidden: source.get('addressHidden'),
  };
}

export function readStartCare(source: FormSource): StartCareValues {
  return {
    ...readPlacement(source),
    startedOn: readDateParts(source, 'startedOn'),
    legalStatus: source.get('legalStatus'),
    categoryOfNeed: source.get('categoryOfNeed'),
    homePostcode: source.get('homePostcode'),
    reason: source.get('reason'),
  };
}

export function readLegalStatus(source: FormSource): LegalStatusValues {
  return { changedOn: readDateParts(source, 'changedOn'), legalStatus: source.get('legalStatus') };
}

export function readMove(source: FormSource): MoveValues {
  return {
    ...readPlacement(source),
    movedOn: readDateParts(source, 'movedOn'),
    changeReason: source.get('changeReason'),
    changeNote: source.get('changeNote'),
    sameCarer: source.get('sameCarer'),
  };
}

export function readEndCare(source: FormSource): EndCareValues {
  return {
    endedOn: readDateParts(source, 'endedOn'),
    reasonCeased: source.get('reasonCeased'),
    next: source.get('next'),
    note: source.get('note'),
    eligibility: source.get('eligibility'),
  };
}

export function readReview(source: FormSource): ReviewValues {
  return {
    reviewedOn: readDateParts(source, 'reviewedOn'),
    participation: source.get('participation'),
    familyView: source.get('familyView'),
    childView: source.get('childView'),
    progressSummary: source.get('progressSummary'),
    decision: source.get('decision'),
    returnHomeConsidered: source.get('returnHomeConsidered'),
    returnHomeSteps: source.get('returnHomeSteps'),
    returnHomeFamilyView: source.get('returnHomeFamilyView'),
  };
}

export function readHealth(source: FormSource): HealthValues {
  return {
    kind: source.get('kind'),
    onDate: readDateParts(source, 'onDate'),
    sdqScore: source.get('sdqScore'),
  };
}

export function readPep(source: FormSource): PepValues {
  return { heldOn: readDateParts(source, 'heldOn'), note: source.get('note') };
}

export function readMissing(source: FormSource): MissingValues {
  return {
    kind: source.get('kind'),
    startedOn: readDateParts(source, 'startedOn'),
    endedOn: readDateParts(source, 'endedOn'),
    interviewOffered: source.get('interviewOffered'),
    interviewAccepted: source.get('interviewAccepted'),
  };
}

export function readPermanence(source: FormSource): PermanenceValues {
  return {
    permanencePlan: source.get('permanencePlan'),
    decisionOn: readDateParts(source, 'decisionOn'),
    placementOrderOn: readDateParts(source, 'placementOrderOn'),
    matchedOn: readDateParts(source, 'matchedOn'),
    placedOn: readDateParts(source, 'placedOn'),
  };
}

export function readContact(source: FormSource): ContactValues {
  return {
    contactedOn: readDateParts(source, 'contactedOn'),
    inTouch: source.get('inTouch'),
    activity: source.get('activity'),
    accommodation: source.get('accommodation'),
    suitable: source.get('suitable'),
  };
}

export function readStayingPut(source: FormSource): StayingPutValues {
  return { from: readDateParts(source, 'from'), until: readDateParts(source, 'until') };
}

/** Labels for the conflict page (both versions side by side). */
export const MOVE_LABELS: Readonly<Record<string, string>> = {
  placementType: 'Placement',
  startedOn: 'Since',
  legalStatus: 'Legal status',
};

export const SIBLINGS: Readonly<Record<string, string>> = {
  all: 'Yes, with all their brothers and sisters in care',
  some: 'With some of their brothers and sisters in care',
  none: 'No, apart from their brothers and sisters in care',
  not_applicable: 'No brothers or sisters in care',
};

export const NEXT_AFTER_CARE: Readonly<Record<string, string>> = {
  child_in_need: 'Help carries on as child in need (for example after returning home)',
  family_help: 'Help carries on as family help',
  care_leaver: 'The young person is leaving care and becomes a care leaver',
  closed: 'The help ends (the child’s record of help closes)',
};

export const HEALTH_KINDS: Readonly<Record<string, string>> = {
  health_assessment: 'Health assessment',
  dental_check: 'Dental check',
  immunisations_up_to_date: 'Immunisations up to date',
  sdq: 'Strengths and difficulties questionnaire (SDQ)',
};

export const MISSING_KINDS: Readonly<Record<string, string>> = {
  M: 'Missing: the child’s whereabouts were not known',
  A: 'Away from placement without permission: whereabouts known',
};

export const LAC_REVIEW_DECISIONS: Readonly<Record<string, string>> = {
  continue: 'Carry on with the care plan',
  change_plan: 'Change the care plan',
};

export const TEXT_MAX = 10_000;
