import type { ColumnType, Generated } from 'kysely';

/**
 * Kysely types for migration 0024_family_network.sql: family network meetings' lifecycle and support
 * packages, and practical help as requests with a decision (welfare-rights referrals among them).
 * The columns added to family_network_meetings and practical_help are merged with their types
 * (protection.table.ts, help.table.ts) by the Database type.
 */

/** ISO date (YYYY-MM-DD). */
type IsoDate = string;
/** A nullable column that may be left out on insert. */
type Opt<T> = ColumnType<T | null, T | null | undefined, T | null>;
type TextList = ColumnType<string[], string[] | undefined, string[]>;

export type FamilyNetworkMeetingAdditions = {
  coordinator_name: Opt<string>;
  coordinator_organisation: Opt<string>;
  coordinator_assigned_on: Opt<IsoDate>;
  network_contacted: TextList;
  private_time_agreed: Opt<boolean>;
  planned_on: Opt<IsoDate>;
  venue: Opt<string>;
  attended: TextList;
  plan_recorded_on: Opt<IsoDate>;
  plan_agreed: Opt<boolean>;
  plan_not_agreed_reason: Opt<string>;
};

export type FamilyNetworkPlanReviewTable = {
  id: Generated<string>;
  meeting_id: string;
  reviewed_on: IsoDate;
  working: string;
  not_working: Opt<string>;
  recorded_by: Opt<string>;
  created_at: Generated<Date>;
};

export type SupportProviderKind = 'network' | 'service';

export type FamilyNetworkSupportItemTable = {
  id: Generated<string>;
  meeting_id: string;
  what: string;
  provider_kind: SupportProviderKind;
  provider: string;
  cost_pence: Opt<number>;
  from_on: IsoDate;
  to_on: Opt<IsoDate>;
  recorded_by: Opt<string>;
  created_at: Generated<Date>;
};

export type PracticalHelpStatus = 'requested' | 'granted' | 'refused' | 'given';
export type PracticalHelpCategory = 'section17' | 'in_kind' | 'welfare_rights';
export type WelfareOutcome = 'income_gained' | 'no_entitlement' | 'not_taken_up' | 'ongoing';

export type PracticalHelpAdditions = {
  status: ColumnType<PracticalHelpStatus, PracticalHelpStatus | undefined, PracticalHelpStatus>;
  category: ColumnType<PracticalHelpCategory, PracticalHelpCategory | undefined, PracticalHelpCategory>;
  requested_on: Opt<IsoDate>;
  decided_on: Opt<IsoDate>;
  decided_by: Opt<string>;
  refusal_reason: Opt<string>;
  income_gained_pence: Opt<number>;
  welfare_outcome: Opt<WelfareOutcome>;
  updated_at: Generated<Date>;
  version: Generated<number>;
};

export type FamilyNetworkTables = {
  family_network_meetings: FamilyNetworkMeetingAdditions;
  family_network_plan_reviews: FamilyNetworkPlanReviewTable;
  family_network_support_items: FamilyNetworkSupportItemTable;
  practical_help: PracticalHelpAdditions;
};
