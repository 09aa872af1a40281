import type {
  Agency,
  ConsentGiverRole,
  ConsentHowGiven,
  LawfulBasis,
  MembershipBasis,
  SharingDecision,
} from './partners.table.ts';

/** Code lists for partner work and information sharing, in the words practitioners use. */

export const AGENCIES: Readonly<Record<Agency, string>> = {
  childrens_social_care: 'Children’s social care',
  police: 'Police',
  health: 'Health',
  education: 'Education',
  other: 'Other agency',
};

/** The agency an organisation speaks for, from its kind. */
export function agencyOfOrganisation(kind: string): Agency {
  if (kind === 'local_authority') return 'childrens_social_care';
  if (kind === 'police') return 'police';
  if (kind === 'health') return 'health';
  if (kind === 'school') return 'education';
  return 'other';
}

export const ORGANISATION_KINDS: Readonly<Record<string, string>> = {
  local_authority: 'Local authority',
  school: 'School or college',
  health: 'Health',
  police: 'Police',
  community: 'Community or voluntary service',
  other: 'Other',
};

export const MEMBERSHIP_BASES: Readonly<Record<MembershipBasis, string>> = {
  consent: 'The family’s consent',
  safeguarding_duty: 'A safeguarding duty (no consent needed)',
};

export const CONSENT_GIVERS: Readonly<Record<ConsentGiverRole, string>> = {
  parent: 'Parent or carer with parental responsibility',
  young_person: 'The young person',
  other: 'Someone else with authority to consent',
};

export const CONSENT_HOW: Readonly<Record<ConsentHowGiven, string>> = {
  written: 'In writing',
  verbal: 'Verbally, and recorded',
  portal: 'Through the family portal',
};

export const SHARING_DECISIONS: Readonly<Record<SharingDecision, string>> = {
  share: 'Share the information',
  not_share: 'Do not share the information',
};

export const LAWFUL_BASES: Readonly<Record<LawfulBasis, string>> = {
  consent: 'Consent',
  safeguarding_duty: 'Safeguarding duty (for example Children Act 1989 section 47, Working Together)',
  legal_obligation: 'Legal obligation (for example a court order)',
  other: 'Other lawful basis',
};

export function label<T extends string>(
  list: Readonly<Record<T, string>>,
  code: T | null | undefined,
): string {
  return code ? list[code] : '';
}

export function isCode<T extends string>(list: Readonly<Record<T, string>>, value: string): value is T {
  return Object.hasOwn(list, value);
}
