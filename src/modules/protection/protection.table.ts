import type { ColumnType, Generated } from 'kysely';

/**
 * Kysely types for migration 0008_protection.sql: new tables, and the columns it adds to
 * section47_enquiries and conferences (merged with their types in help.table.ts by the Database type).
 */

/** ISO date (YYYY-MM-DD). */
type IsoDate = string;
/** A nullable column that may be left out on insert. */
type Opt<T> = ColumnType<T | null, T | null | undefined, T | null>;

export type StrategyAgency = 'police' | 'health' | 'education' | 'childrens_social_care' | 'other';

export type StrategyContributionTable = {
  id: Generated<string>;
  strategy_discussion_id: string;
  position: number;
  agency: StrategyAgency;
  organisation: Opt<string>;
  person_name: string;
  person_role: Opt<string>;
  said: string;
  created_at: Generated<Date>;
};

export type Section47Additions = {
  findings: Opt<string>;
  continue_with: Opt<'family_help' | 'child_in_need'>;
  outcome_recorded_by: Opt<string>;
};

export type ConferenceStatus = 'planned' | 'held';
export type ReportSharedHow = 'in_person' | 'email' | 'post' | 'phone' | 'other';

export type ConferenceAdditions = {
  status: ColumnType<ConferenceStatus, ConferenceStatus | undefined, ConferenceStatus>;
  report_shared_on: Opt<IsoDate>;
  report_shared_how: Opt<ReportSharedHow>;
  report_shared_note: Opt<string>;
  advocate_offered: Opt<boolean>;
  advocate_taken_up: Opt<boolean>;
  advocate_note: Opt<string>;
  child_view: Opt<string>;
  decision_reason: Opt<string>;
  next_review_on: Opt<IsoDate>;
  others_attending: Opt<string>;
  recorded_by: Opt<string>;
  updated_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  version: Generated<number>;
};

export type CoreGroupMeetingTable = {
  id: Generated<string>;
  plan_id: string;
  episode_id: string;
  held_on: IsoDate;
  family_view: string;
  progress: Opt<string>;
  next_meeting_on: Opt<IsoDate>;
  others_attending: Opt<string>;
  recorded_by: Opt<string>;
  created_at: Generated<Date>;
};

export type ParticipantKind = 'parent' | 'child' | 'family' | 'supporter' | 'professional';

export type MeetingParticipantTable = {
  id: Generated<string>;
  conference_id: Opt<string>;
  core_group_id: Opt<string>;
  position: number;
  name: string;
  role: string;
  kind: ParticipantKind;
  invited: Generated<boolean>;
  attended: Opt<boolean>;
  created_at: Generated<Date>;
};

export type FamilyNetworkMeetingTable = {
  id: Generated<string>;
  episode_id: string;
  conference_id: Opt<string>;
  pre_proceedings_id: Opt<string>;
  offered_on: IsoDate;
  response: Opt<'accepted' | 'declined'>;
  declined_reason: Opt<string>;
  held_on: Opt<IsoDate>;
  family_plan: Opt<string>;
  recorded_by: Opt<string>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  version: Generated<number>;
};

/** The protection tables and additions, merged into the Database type (src/db/database.ts). */
export type ProtectionTables = {
  strategy_discussion_contributions: StrategyContributionTable;
  core_group_meetings: CoreGroupMeetingTable;
  meeting_participants: MeetingParticipantTable;
  family_network_meetings: FamilyNetworkMeetingTable;
  section47_enquiries: Section47Additions;
  conferences: ConferenceAdditions;
};
