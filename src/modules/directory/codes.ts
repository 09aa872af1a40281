import type { ReferralOutcome, ReferralStatus } from './directory.table.ts';

/** Hearth's own taxonomy of local service categories (fixed ids, so every directory publishes the same). */
export const CATEGORY_TAXONOMY = {
  id: '3f0c2a5e-6b1d-4c8e-9a47-1d2e3f4a5b60',
  name: 'Hearth local service categories',
  description: 'Categories of local services for children and families used by Hearth directories.',
} as const;

export type CategoryCode =
  'family_hub' | 'food_bank' | 'debt_welfare_advice' | 'parenting_group' | 'youth_service' | 'domestic_abuse';

export const CATEGORIES: Readonly<
  Record<CategoryCode, { readonly id: string; readonly name: string; readonly description: string }>
> = {
  family_hub: {
    id: '3f0c2a5e-6b1d-4c8e-9a47-1d2e3f4a5b61',
    name: 'Family hubs',
    description: 'A place to get help for families with children and young people aged 0 to 19.',
  },
  food_bank: {
    id: '3f0c2a5e-6b1d-4c8e-9a47-1d2e3f4a5b62',
    name: 'Food banks',
    description: 'Emergency food and essentials for families who cannot afford them.',
  },
  debt_welfare_advice: {
    id: '3f0c2a5e-6b1d-4c8e-9a47-1d2e3f4a5b63',
    name: 'Debt and welfare-rights advice',
    description: 'Advice on debt, benefits and money, and help to claim what a family is entitled to.',
  },
  parenting_group: {
    id: '3f0c2a5e-6b1d-4c8e-9a47-1d2e3f4a5b64',
    name: 'Parenting groups',
    description: 'Groups and courses for parents and carers.',
  },
  youth_service: {
    id: '3f0c2a5e-6b1d-4c8e-9a47-1d2e3f4a5b65',
    name: 'Youth services',
    description: 'Youth clubs, youth work and activities for young people.',
  },
  domestic_abuse: {
    id: '3f0c2a5e-6b1d-4c8e-9a47-1d2e3f4a5b66',
    name: 'Domestic abuse services',
    description: 'Support for adults and children affected by domestic abuse.',
  },
};

/** RFC 5545 BYDAY codes, Monday first, with their names. */
export const DAYS = {
  MO: 'Monday',
  TU: 'Tuesday',
  WE: 'Wednesday',
  TH: 'Thursday',
  FR: 'Friday',
  SA: 'Saturday',
  SU: 'Sunday',
} as const;
export type DayCode = keyof typeof DAYS;

/** "MO", "mon", "Monday" → "MO"; undefined otherwise. */
export function dayCode(value: string): DayCode | undefined {
  const v = value.trim().toLowerCase();
  if (v.length < 2) return undefined;
  for (const [code, name] of Object.entries(DAYS) as [DayCode, string][]) {
    if (code.toLowerCase() === v || name.toLowerCase().startsWith(v)) return code;
  }
  return undefined;
}

/** Languages offered in the search (ISO 639-1). A service may list others. */
export const LANGUAGES: Readonly<Record<string, string>> = {
  en: 'English',
  ar: 'Arabic',
  bn: 'Bengali',
  pl: 'Polish',
  pa: 'Punjabi',
  ro: 'Romanian',
  so: 'Somali',
  tr: 'Turkish',
  uk: 'Ukrainian',
  ur: 'Urdu',
};

export const REFERRAL_STATUSES: Readonly<Record<ReferralStatus, string>> = {
  sent: 'Sent, waiting for the service',
  accepted: 'Accepted by the service',
  declined: 'Declined by the service',
  attended: 'The family attended',
  helped: 'The family were helped',
};

export const REFERRAL_OUTCOMES: Readonly<Record<ReferralOutcome, string>> = {
  accepted: 'Accepted by the service',
  declined: 'Declined by the service',
  attended: 'The family attended',
  helped: 'The family were helped',
};

/** Referrals in these states are still waiting for an outcome. */
export const OPEN_REFERRAL_STATUSES: readonly ReferralStatus[] = ['sent', 'accepted', 'attended'];

/** Which outcome may follow which state. */
export const NEXT_OUTCOMES: Readonly<Record<ReferralStatus, readonly ReferralOutcome[]>> = {
  sent: ['accepted', 'declined'],
  accepted: ['attended', 'declined'],
  attended: ['helped'],
  declined: [],
  helped: [],
};
