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
