import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** ISO date (YYYY-MM-DD). */
type IsoDate = string;

export type Sex = 'M' | 'F' | 'U';

export type PersonTable = {
  id: Generated<string>;
  organisation_id: string;
  given_name: string;
  family_name: string;
  preferred_name: ColumnType<string | null, string | null | undefined, string | null>;
  date_of_birth: IsoDate | null;
  expected_date_of_birth: ColumnType<IsoDate | null, IsoDate | null | undefined, IsoDate | null>;
  sex: ColumnType<Sex | null, Sex | null | undefined, Sex | null>;
  gender_identity: ColumnType<string | null, string | null | undefined, string | null>;
  pronouns: ColumnType<string | null, string | null | undefined, string | null>;
  /** DfE ethnicity code (WBRI, MWBC, …). */
  ethnicity: ColumnType<string | null, string | null | undefined, string | null>;
  first_language: ColumnType<string | null, string | null | undefined, string | null>;
  interpreter_needed: Generated<boolean>;
  religion: ColumnType<string | null, string | null | undefined, string | null>;
  /** CIN census disability codes (NONE, MOB, HAND, …). */
  disabilities: ColumnType<string[], string[] | undefined, string[]>;
  immigration_status: ColumnType<string | null, string | null | undefined, string | null>;
  uasc: Generated<boolean>;
  date_of_death: ColumnType<IsoDate | null, IsoDate | null | undefined, IsoDate | null>;
  nhs_number: ColumnType<string | null, string | null | undefined, string | null>;
  upn: ColumnType<string | null, string | null | undefined, string | null>;
  upn_unknown_reason: ColumnType<string | null, string | null | undefined, string | null>;
  consistent_child_id: ColumnType<string | null, string | null | undefined, string | null>;
  consistent_child_id_missing_reason: ColumnType<string | null, string | null | undefined, string | null>;
  council_person_id: ColumnType<string | null, string | null | undefined, string | null>;
  is_child: Generated<boolean>;
  merged_into: ColumnType<string | null, string | null | undefined, string | null>;
  /** SSDA903 DUC: the date UASC status ceased. */
  uasc_ceased_on: ColumnType<string | null, string | null | undefined, string | null>;
  /** Kept by trigger: double-metaphone keys and the lower-case name searched by trigram. */
  given_name_key: ColumnType<string | null, never, never>;
  family_name_key: ColumnType<string | null, never, never>;
  search_name: ColumnType<string | null, never, never>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  version: Generated<number>;
};

export type AllocationTable = {
  id: Generated<string>;
  person_id: string;
  team_id: string;
  worker_user_id: string | null;
  started_at: ColumnType<Date, Date | string | undefined, Date | string>;
  ended_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** The episode of help this allocation serves (null for allocations made before episodes existed). */
  episode_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** The lead practitioner for the child (one per child where possible). */
  is_lead: ColumnType<boolean, boolean | undefined, boolean>;
  practitioner_role: ColumnType<
    'social_worker' | 'family_help_worker' | 'personal_adviser' | 'other' | null,
    'social_worker' | 'family_help_worker' | 'personal_adviser' | 'other' | null | undefined,
    'social_worker' | 'family_help_worker' | 'personal_adviser' | 'other' | null
  >;
  /** Why the previous allocation changed (SSDA903 SW_REASON codes). */
  change_reason: ColumnType<string | null, string | null | undefined, string | null>;
  change_note: ColumnType<string | null, string | null | undefined, string | null>;
  allocated_by: ColumnType<string | null, string | null | undefined, string | null>;
};

export type PersonNameTable = {
  id: Generated<string>;
  person_id: string;
  kind: 'previous' | 'birth' | 'alias';
  given_name: string;
  family_name: string;
  used_until: IsoDate | null;
  search_name: ColumnType<string, never, never>;
  created_at: Generated<Date>;
};

export type PersonAddressTable = {
  id: Generated<string>;
  person_id: string;
  line1: string;
  line2: string | null;
  town: string | null;
  postcode: string;
  lsoa21_code: string | null;
  started_on: IsoDate;
  ended_on: IsoDate | null;
  hidden_from_family: Generated<boolean>;
  created_at: Generated<Date>;
};

export type RelationshipTable = {
  id: Generated<string>;
  person_id: string;
  related_person_id: string;
  kind: string;
  parental_responsibility: Generated<boolean>;
  in_family_network: Generated<boolean>;
  network_note: string | null;
  started_on: IsoDate | null;
  ended_on: IsoDate | null;
  created_at: Generated<Date>;
};

export type ProfessionalInvolvedTable = {
  id: Generated<string>;
  person_id: string;
  role: string;
  name: string;
  organisation: string | null;
  phone: string | null;
  email: string | null;
  started_on: IsoDate | null;
  ended_on: IsoDate | null;
  created_at: Generated<Date>;
};

export type PersonRestrictionTable = {
  id: Generated<string>;
  person_id: string;
  category: 'adoption' | 'staff' | 'staff_relative' | 'high_profile' | 'domestic_abuse_risk';
  reason: string;
  approved_by: string | null;
  review_on: IsoDate | null;
  created_at: Generated<Date>;
  ended_at: Timestamp | null;
};

export type PersonRestrictionUserTable = { restriction_id: string; user_id: string };

export type PersonMergeTable = {
  id: Generated<string>;
  kept_person_id: string;
  merged_person_id: string;
  /** Table → column → ids of the rows moved from the merged person to the kept one. */
  moved: ColumnType<Record<string, Record<string, string[]>>, string, string>;
  merged_by: string;
  merged_at: Timestamp;
  undone_by: string | null;
  undone_at: Timestamp | null;
};

export type PersonNotDuplicateTable = {
  person_a: string;
  person_b: string;
  decided_by: string;
  decided_at: Generated<Date>;
};

/** The distinct names in use, kept by trigger (migration 0006): how a one-word search finds spellings. */
export type SearchNameTable = {
  /** Lower case, as typed into the record. */
  name: string;
  part: 'given' | 'preferred' | 'family';
  name_key: string | null;
  /** How many rows of people and person_names use it (merged records included). */
  people: number;
};
