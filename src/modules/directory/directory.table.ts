import type { ColumnType, Generated } from 'kysely';

/** Kysely types for migration 0023_directory.sql: the local services directory and referrals to services. */

/** ISO date (YYYY-MM-DD). */
type IsoDate = string;
/** A nullable column that may be left out on insert. */
type Opt<T> = ColumnType<T | null, T | null | undefined, T | null>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export type ServiceStatus = 'active' | 'inactive' | 'defunct' | 'temporarily closed';
export type ReferralStatus = 'sent' | 'accepted' | 'declined' | 'attended' | 'helped';
export type ReferralOutcome = 'accepted' | 'declined' | 'attended' | 'helped';

export type DirectoryTaxonomyTable = {
  id: string;
  name: string;
  description: string;
  uri: Opt<string>;
  version: Opt<string>;
  source: Opt<string>;
};

export type DirectoryTaxonomyTermTable = {
  id: string;
  taxonomy_id: string;
  code: string;
  name: string;
  description: string;
};

export type DirectoryOrganizationTable = {
  id: string;
  name: string;
  description: string;
  email: Opt<string>;
  website: Opt<string>;
  source: Opt<string>;
};

export type DirectoryServiceTable = {
  id: string;
  organization_id: string;
  name: string;
  description: string;
  url: Opt<string>;
  email: Opt<string>;
  status: ServiceStatus;
  minimum_age: Opt<number>;
  maximum_age: Opt<number>;
  last_modified: Timestamp;
  source: Opt<string>;
};

export type DirectoryLocationTable = {
  id: string;
  name: Opt<string>;
  address_1: string;
  city: string;
  postal_code: string;
  latitude: Opt<number>;
  longitude: Opt<number>;
  easting: Opt<number>;
  northing: Opt<number>;
};

export type DirectoryServiceAtLocationTable = { id: string; service_id: string; location_id: string };

export type DirectoryScheduleTable = {
  id: string;
  service_id: string;
  freq: ColumnType<'WEEKLY' | 'MONTHLY', 'WEEKLY' | 'MONTHLY' | undefined, 'WEEKLY' | 'MONTHLY'>;
  byday: string;
  opens_at: string;
  closes_at: string;
  description: Opt<string>;
};

export type DirectoryServiceLanguageTable = { id: string; service_id: string; name: string; code: string };

export type DirectoryServiceTermTable = { id: string; service_id: string; taxonomy_term_id: string };

export type ServiceReferralTable = {
  id: Generated<string>;
  organisation_id: string;
  person_id: string;
  plan_id: Opt<string>;
  plan_goal_id: Opt<string>;
  service_id: string;
  reason: string;
  consent_given: boolean;
  consent_given_by: string;
  consent_given_on: IsoDate;
  referred_on: IsoDate;
  referred_by: string;
  status: ColumnType<ReferralStatus, ReferralStatus | undefined, ReferralStatus>;
  created_at: Timestamp;
  updated_at: Timestamp;
  version: Generated<number>;
};

export type ServiceReferralOutcomeTable = {
  id: Generated<string>;
  referral_id: string;
  outcome: ReferralOutcome;
  note: string;
  occurred_on: IsoDate;
  recorded_by: string;
  recorded_at: Timestamp;
};

export type DirectoryTables = {
  directory_taxonomies: DirectoryTaxonomyTable;
  directory_taxonomy_terms: DirectoryTaxonomyTermTable;
  directory_organizations: DirectoryOrganizationTable;
  directory_services: DirectoryServiceTable;
  directory_locations: DirectoryLocationTable;
  directory_service_at_locations: DirectoryServiceAtLocationTable;
  directory_schedules: DirectoryScheduleTable;
  directory_service_languages: DirectoryServiceLanguageTable;
  directory_service_terms: DirectoryServiceTermTable;
  service_referrals: ServiceReferralTable;
  service_referral_outcomes: ServiceReferralOutcomeTable;
};
