/**
 * The CIN census and SSDA903 code lists the help record uses, each once: the codes with the plain
 * words people see. Forms, services and pages import them from here.
 *
 * Lists whose codes look like numbers are kept in order as arrays of [code, label] pairs: in an
 * object JavaScript puts keys such as '4' and '10' before '1A'. The `…_LIST` arrays give the order;
 * the records beside them are for looking a code up.
 */

export type CodeList = readonly (readonly [code: string, label: string])[];

/** CIN census ReferralSource, in the census's order. */
export const REFERRAL_SOURCE_LIST: CodeList = [
  ['1A', 'A family member, relative or carer'],
  ['1B', 'An acquaintance, such as a neighbour or friend'],
  ['1C', 'The child or young person themselves'],
  ['1D', 'Another individual'],
  ['2A', 'A school'],
  ['2B', 'Education services'],
  ['3A', 'A GP'],
  ['3B', 'A health visitor'],
  ['3C', 'A school nurse'],
  ['3D', 'Other primary health services'],
  ['3E', 'A hospital accident and emergency department'],
  ['3F', 'Other health services'],
  ['4', 'Housing (the council or a housing association)'],
  ['5A', 'The council’s social care, for example adult services'],
  ['5B', 'Another council department, for example youth justice'],
  ['5C', 'Another council or an external agency'],
  ['5D', 'Family help (early help)'],
  ['6', 'Police'],
  ['7', 'Another legal agency, for example courts, probation or Cafcass'],
  ['8', 'Other, for example a children’s centre or voluntary organisation'],
  ['9', 'Anonymous'],
  ['10', 'Not known'],
];

/** CIN census ReferralSource, for looking a code up (not for listing: see REFERRAL_SOURCE_LIST). */
export const REFERRAL_SOURCES: Readonly<Record<string, string>> = Object.fromEntries(REFERRAL_SOURCE_LIST);

/** CIN census PrimaryNeedCode, in the census's order (N0, not stated, last). */
export const PRIMARY_NEED_LIST: CodeList = [
  ['N1', 'Abuse or neglect'],
  ['N2', 'The child’s disability or illness'],
  ['N3', 'A parent’s disability or illness'],
  ['N4', 'The family is in acute stress'],
  ['N5', 'Family dysfunction'],
  ['N6', 'Socially unacceptable behaviour'],
  ['N7', 'Low income'],
  ['N8', 'Absent parenting'],
  ['N9', 'Not a child in need (services for other reasons)'],
  ['N0', 'Not stated'],
];

/** CIN census PrimaryNeedCode, for looking a code up. */
export const PRIMARY_NEEDS: Readonly<Record<string, string>> = Object.fromEntries(PRIMARY_NEED_LIST);

/** CIN census ReasonForClosure (RC1–RC9). */
export const CLOSURE_REASONS: Readonly<Record<string, string>> = {
  RC1: 'Adopted',
  RC2: 'Died',
  RC3: 'Child arrangements order',
  RC4: 'Special guardianship order',
  RC5: 'Moved to another council',
  RC6: 'Moved to adult social care',
  RC7: 'Help ended for any other reason, including no longer in need',
  RC8: 'Closed after assessment: no further action',
  RC9: 'Closed after assessment: referred to family help (early help)',
};

/** SSDA903 SW_REASON: why the lead practitioner changed. */
export const CHANGE_REASONS: Readonly<Record<string, string>> = {
  MANAGE: 'A manager decided to change the worker',
  FCONTA: 'The worker’s fixed-term or agency contract ended',
  LEFTRL: 'The worker left their role',
  ORGRST: 'The service was restructured',
  TSPROC:
    'The child moved team under the council’s procedures (for example from assessment to long-term help)',
  ABSENC: 'The worker is absent (for example long-term sickness or parental leave)',
  CHCHAN: 'The child asked for a different worker',
  PCCHAN: 'A parent or carer asked for a different worker',
  SWDIED: 'The worker died',
  OTHERS: 'Another reason',
};

/** Whether `code` is one of the list's codes. */
export function isCode(list: Readonly<Record<string, string>>, code: string): boolean {
  return Object.hasOwn(list, code);
}

/** "2A: A school": the code and its words, or '' for no code (an unknown code stands alone). */
export function codeLabel(list: Readonly<Record<string, string>>, code: string | null): string {
  if (!code) return '';
  return isCode(list, code) ? `${code}: ${list[code] ?? code}` : code;
}

export function referralSourceLabel(code: string | null): string {
  return codeLabel(REFERRAL_SOURCES, code);
}

export function primaryNeedLabel(code: string | null): string {
  return codeLabel(PRIMARY_NEEDS, code);
}

/** CIN census CategoryOfAbuse (child protection plans: initial and latest category). */
export const ABUSE_CATEGORIES: Readonly<Record<string, string>> = {
  NEG: 'Neglect',
  PHY: 'Physical abuse',
  SAB: 'Sexual abuse',
  EMO: 'Emotional abuse',
  MUL: 'Multiple categories',
};

// ---------------------------------------------------------------------------------------------
// Children in care and leaving care (SSDA903)

/** SSDA903 LS: the legal status under which the child is looked after. */
export const LEGAL_STATUSES: Readonly<Record<string, string>> = {
  C1: 'Interim care order',
  C2: 'Full care order',
  D1: 'Freeing order granted',
  E1: 'Placement order granted',
  V2: 'Accommodated with the parents’ agreement (section 20), single period',
  V3: 'Accommodated under an agreed series of short-term breaks, when individual episodes are recorded',
  V4: 'Accommodated under an agreed series of short-term breaks, when agreements are recorded',
  L1: 'Under police protection and in local authority accommodation',
  L2: 'Emergency protection order',
  L3: 'Child assessment order, away from home',
  J1: 'Remanded to local authority accommodation or youth detention accommodation',
  J2: 'Placed in local authority accommodation under PACE, including secure accommodation',
  J3: 'Sentenced to a youth rehabilitation order with residence or intensive fostering',
};

/** SSDA903 CIN: the category of need at the start of a period of care (N1–N8). */
export const CARE_NEED_LIST: CodeList = PRIMARY_NEED_LIST.filter(([code]) => /^N[1-8]$/.test(code));
export const CARE_NEEDS: Readonly<Record<string, string>> = Object.fromEntries(CARE_NEED_LIST);

/** SSDA903 PLACE: where and with whom the child lives. */
export const PLACEMENT_TYPES: Readonly<Record<string, string>> = {
  U1: 'Foster care with a relative or friend (kinship), long term',
  U2: 'Foster care with a relative or friend (kinship), not long term or FFA',
  U3: 'Foster care with a relative or friend (kinship), fostering for adoption or concurrent planning',
  U4: 'Foster care with another foster carer, long term',
  U5: 'Foster care with another foster carer, not long term or FFA',
  U6: 'Foster care with another foster carer, fostering for adoption or concurrent planning',
  A3: 'Placed for adoption with a placement order, with the former foster carer',
  A4: 'Placed for adoption with a placement order, not with the former foster carer',
  A5: 'Placed for adoption with parental consent, with the former foster carer',
  A6: 'Placed for adoption with parental consent, not with the former foster carer',
  P1: 'Placed with parents or other people with parental responsibility',
  P3: 'Independent living, for example in a flat or lodgings',
  K1: 'Secure children’s home',
  K2: 'Children’s home',
  R1: 'Residential care home',
  R2: 'NHS or health trust establishment giving medical or nursing care',
  R3: 'Family centre or mother and baby unit',
  R5: 'Young offender institution or prison',
  S1: 'All residential schools, except where dual-registered as a school and children’s home',
  T0: 'Temporary: all types of temporary move (see guidance)',
  T1: 'Temporary periods in hospital',
  T2: 'Temporary: a holiday',
  T3: 'Temporary accommodation while the normal foster carer is away',
  T4: 'Temporary: other',
  Z11: 'Other placement',
  Z12: 'Supported accommodation, semi-independent living',
  Z13: 'Supported accommodation, other',
  Z14: 'Supported accommodation for young people 16 and over (registered)',
};

/** The placement types a practitioner chooses between first, in the order they think of them. */
export const PLACEMENT_TYPE_GROUPS: readonly { readonly label: string; readonly codes: readonly string[] }[] =
  [
    { label: 'With family or friends (kinship)', codes: ['U1', 'U2', 'U3'] },
    { label: 'With foster carers', codes: ['U4', 'U5', 'U6'] },
    { label: 'In a children’s home', codes: ['K2', 'K1', 'R1', 'S1'] },
    { label: 'In supported accommodation or living independently', codes: ['Z12', 'Z13', 'Z14', 'P3'] },
    { label: 'With parents', codes: ['P1'] },
    { label: 'Placed for adoption', codes: ['A3', 'A4', 'A5', 'A6'] },
    { label: 'Other', codes: ['R2', 'R3', 'R5', 'T0', 'T1', 'T2', 'T3', 'T4', 'Z11'] },
  ];

/** SSDA903 PLACE_PROVIDER. */
export const PLACEMENT_PROVIDERS: Readonly<Record<string, string>> = {
  PR0: 'Parents or other people with parental responsibility',
  PR1: 'This council (our own provision)',
  PR2: 'Another council',
  PR3: 'Another public provider, for example the NHS',
  PR4: 'A private provider',
  PR5: 'A voluntary or third-sector provider',
};

/** SSDA903 REASON_PLACE_CHANGE: why the child moved. */
export const PLACEMENT_CHANGE_REASONS: Readonly<Record<string, string>> = {
  CARPL: 'A change to or the end of the care plan, for example moving to a long-term home',
  CLOSE: 'The home or the carers’ registration closed or ended',
  ALLEG: 'An allegation against the carers (section 47 enquiry)',
  STAND: 'The placement did not meet the required standards',
  APPRR: 'The carers’ approval changed or ended',
  CREQB: 'The carers asked for the child to move because of the child’s behaviour',
  CREQO: 'The carers asked for the child to move for another reason',
  CHILD: 'The child asked to move',
  LAREQ: 'The council asked for the move (resources or a change of provider)',
  PLACE: 'The placement ended as planned (for example a short-term or emergency placement)',
  CUSTOD: 'The child went into custody',
  OTHER: 'Another reason',
};

/** SSDA903 RNE: why a new 903 episode started. */
export const NEW_EPISODE_REASONS: Readonly<Record<string, string>> = {
  S: 'Started to be looked after',
  L: 'Change of legal status only',
  P: 'Change of placement and carer only',
  T: 'Change of both legal status and placement and carer at the same time',
  B: 'Change of legal status and placement status at the same time, carer stayed the same',
  U: 'Change of placement status only, carer stayed the same',
};

/** SSDA903 REC: why a 903 episode (and, for all but X1, the period of care) ended. */
export const EPISODE_END_REASONS: Readonly<Record<string, string>> = {
  X1: 'Episode ended and the child is still looked after',
  E11: 'Adopted: the adoption application was not opposed',
  E12: 'Adopted: the court dispensed with consent',
  E13: 'Left care to live with parents, relatives or other people without parental responsibility',
  E14: 'Accommodation on remand ended',
  E15: 'An age assessment found the young person is 18 or over',
  E16: 'Moved abroad',
  E17: 'Aged 18 or over and stayed with their carers (including staying put)',
  E2: 'Died',
  E3: 'Care taken over by another council in the UK',
  E41: 'A child arrangements order (or residence order) was made',
  E45: 'Special guardianship order to former foster carers who are relatives or friends',
  E46: 'Special guardianship order to former foster carers who are not relatives or friends',
  E47: 'Special guardianship order to other carers who are relatives or friends',
  E48: 'Special guardianship order to other carers who are not relatives or friends',
  E4A: 'Returned home to parents or others with parental responsibility, as part of the care plan',
  E4B: 'Returned home to parents or others with parental responsibility, not as part of the care plan',
  E5: 'Moved to independent living with formal support (for example supported lodgings or a foyer)',
  E6: 'Moved to independent living without formal support (for example their own flat)',
  E7: 'Moved to residential care funded by adult social care',
  E8: 'Stopped being looked after for another reason',
  E9: 'Sentenced to custody',
};

/** The CIN census closure reason that follows from the reason a period of care ended (if help closes). */
export function closureReasonForCareEnd(rec: string): string {
  if (rec === 'E11' || rec === 'E12') return 'RC1';
  if (rec === 'E2') return 'RC2';
  if (rec === 'E41') return 'RC3';
  if (rec === 'E45' || rec === 'E46' || rec === 'E47' || rec === 'E48') return 'RC4';
  if (rec === 'E3') return 'RC5';
  if (rec === 'E7') return 'RC6';
  return 'RC7';
}

/** SSDA903 REVIEW_CODE: how the child took part in their review. */
export const REVIEW_PARTICIPATION: Readonly<Record<string, string>> = {
  PN0: 'The child was under 4 at the time of the review',
  PN1: 'The child spoke for themselves at the review',
  PN2: 'An advocate spoke for the child at the review',
  PN3: 'The child gave their views by some other means (for example a text or a tape)',
  PN4: 'The child gave their views through an advocate, not at the review',
  PN5: 'The child went to the review but did not speak',
  PN6: 'The child did not go to the review and their views were not given',
  PN7: 'The child was not able to take part, for example because of a disability',
};

/** SSDA903 OC3 IN_TOUCH: whether the council is in touch with the care leaver. */
export const CARE_LEAVER_IN_TOUCH: Readonly<Record<string, string>> = {
  YES: 'Yes, in touch',
  NO: 'No, not in touch',
  DIED: 'The young person has died',
  REFU: 'The young person does not want contact',
  NREQ: 'No longer needs services (for example living with their own parents)',
  RHOM: 'Returned home to their parents for a continuous period of 6 months or more',
};

/** SSDA903 OC3 ACTIV: the care leaver's main activity. */
export const CARE_LEAVER_ACTIVITY: Readonly<Record<string, string>> = {
  F1: 'Full-time higher education (for example university)',
  P1: 'Part-time higher education',
  F2: 'Full-time education other than higher education',
  P2: 'Part-time education other than higher education',
  F4: 'Full-time training or employment, including apprenticeships',
  P4: 'Part-time training or employment',
  F5: 'Full-time volunteering',
  P5: 'Part-time volunteering',
  G4: 'Not in education, employment or training because of illness or disability',
  G5: 'Not in education, employment or training for another reason',
  G6: 'Not in education, employment or training because of pregnancy or parenting',
  '0': 'Not known',
};

/** SSDA903 OC3 ACCOM: the care leaver's accommodation (suffix 1 suitable, 2 not suitable). */
export const CARE_LEAVER_ACCOMMODATION: Readonly<Record<string, string>> = {
  B: 'With parents or relatives',
  C: 'Community home or other form of residential care',
  D: 'Semi-independent, transitional accommodation',
  E: 'Supported lodgings',
  G: 'Gone abroad',
  H: 'Deported',
  K: 'Ordinary lodgings, without formal support',
  R: 'Residence not known',
  S: 'No fixed abode or homeless',
  T: 'Foyers and similar supported accommodation',
  U: 'Independent living, for example a flat or tenancy',
  V: 'Emergency accommodation, for example a night shelter or B&B',
  W: 'Bed and breakfast',
  X: 'In custody',
  Y: 'Other accommodation',
  Z: 'With former foster carers (staying put)',
};

/** Care leaver eligibility (Children (Leaving Care) Act 2000 categories). */
export const CARE_LEAVER_ELIGIBILITY: Readonly<Record<string, string>> = {
  eligible: 'Eligible: 16 or 17 and still looked after',
  relevant: 'Relevant: 16 or 17 and has left care',
  former_relevant: 'Former relevant: 18 to 25 and was eligible or relevant',
  qualifying: 'Qualifying: left care after 16 without being eligible',
};

/** Care period permanence plans. */
export const PERMANENCE_PLANS: Readonly<Record<string, string>> = {
  return_to_family: 'Return to the family',
  adoption: 'Adoption',
  sgo_cao: 'Special guardianship or a child arrangements order',
  long_term_fostering: 'Long-term fostering',
  long_term_residential: 'Long-term residential care',
  supported_living: 'Supported living in adulthood',
  other: 'Other',
};
