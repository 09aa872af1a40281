import type { ColumnType, Generated } from 'kysely';

/**
 * Kysely types for migration 0022_partners.sql: partner practitioners, teams around the family,
 * information sharing and consent. Columns added to existing tables (teams, team_memberships,
 * plan_goals) are merged with their own types by the Database type.
 */

/** ISO date (YYYY-MM-DD). */
type IsoDate = string;
/** A nullable column that may be left out on insert. */
type Opt<T> = ColumnType<T | null, T | null | undefined, T | null>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type Agency = 'childrens_social_care' | 'police' | 'health' | 'education' | 'other';
export type ConsentGiverRole = 'parent' | 'young_person' | 'other';
export type ConsentHowGiven = 'written' | 'verbal' | 'portal';
export type MembershipBasis = 'consent' | 'safeguarding_duty';
export type SharingDecision = 'share' | 'not_share';
export type LawfulBasis = 'consent' | 'safeguarding_duty' | 'legal_obligation' | 'other';
export type GoalProgressCode = 'not_started' | 'in_progress' | 'achieved' | 'stopped';

/** Identifiers and a version for partner organisations (0026_partners_admin.sql). */
export type OrganisationAdditions = {
  urn: Opt<string>;
  ods_code: Opt<string>;
  version: Generated<number>;
  updated_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
};

export type TeamAdditions = { multi_agency: ColumnType<boolean, boolean | undefined, boolean> };
export type TeamMembershipAdditions = { agency: Opt<Agency> };
export type PlanGoalAdditions = { added_by: Opt<string>; added_by_organisation_id: Opt<string> };

export type ConsentTable = {
  id: Generated<string>;
  organisation_id: string;
  child_id: string;
  given_by_person_id: string;
  given_by_role: ConsentGiverRole;
  purpose: string;
  other_recipients: Opt<string>;
  valid_from: IsoDate;
  valid_until: Opt<IsoDate>;
  how_given: ConsentHowGiven;
  recorded_by: string;
  recorded_at: Timestamp;
  withdrawn_on: Opt<IsoDate>;
  withdrawn_recorded_by: Opt<string>;
  withdrawn_recorded_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  withdrawn_note: Opt<string>;
  version: Generated<number>;
};

export type ConsentOrganisationTable = { consent_id: string; organisation_id: string };

export type TeamAroundFamilyMemberTable = {
  id: Generated<string>;
  child_id: string;
  episode_id: Opt<string>;
  user_id: string;
  organisation_id: string;
  team_role: string;
  is_lead: ColumnType<boolean, boolean | undefined, boolean>;
  legal_basis: Opt<MembershipBasis>;
  consent_id: Opt<string>;
  basis_note: Opt<string>;
  from_on: IsoDate;
  added_by: string;
  added_at: Timestamp;
  ended_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  ended_by: Opt<string>;
  end_reason: Opt<string>;
};

export type InformationSharingDecisionTable = {
  id: Generated<string>;
  organisation_id: string;
  child_id: string;
  decision: SharingDecision;
  recipient_organisation_id: Opt<string>;
  recipient_name: string;
  what: string;
  why: string;
  lawful_basis: Opt<LawfulBasis>;
  basis_detail: Opt<string>;
  consent_id: Opt<string>;
  reason_not_shared: Opt<string>;
  decided_by: string;
  decided_on: IsoDate;
  recorded_at: Timestamp;
};

export type PlanGoalUpdateTable = {
  id: Generated<string>;
  plan_id: string;
  goal_id: string;
  progress: Opt<GoalProgressCode>;
  note: string;
  recorded_by: string;
  organisation_id: string;
  recorded_at: Timestamp;
};

export type Section47AgencyContributionTable = {
  id: Generated<string>;
  section47_id: string;
  agency: Agency;
  organisation_id: string;
  contributed_by: string;
  contributed_on: IsoDate;
  enquiries_made: string;
  findings: string;
  recorded_at: Timestamp;
};

export type PartnerTables = {
  organisations: OrganisationAdditions;
  teams: TeamAdditions;
  team_memberships: TeamMembershipAdditions;
  plan_goals: PlanGoalAdditions;
  consents: ConsentTable;
  consent_organisations: ConsentOrganisationTable;
  team_around_family_members: TeamAroundFamilyMemberTable;
  information_sharing_decisions: InformationSharingDecisionTable;
  plan_goal_updates: PlanGoalUpdateTable;
  section47_agency_contributions: Section47AgencyContributionTable;
};
