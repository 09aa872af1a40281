import type { ColumnType, Generated } from 'kysely';
import type { FamilyAccountKind } from './portal.table.ts';

/** Kysely types for migration 0020_portal_content.sql: family views, corrections, messages, shared reports. */

type Opt<T> = ColumnType<T | null, T | null | undefined, T | null>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type OptTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** What a family's view or correction is about. */
export type ContributionAbout = 'plan' | 'assessment' | 'plan_review' | 'conference';
export type CorrectionStatus = 'open' | 'agreed' | 'not_agreed';

export type FamilyContributionTable = {
  id: Generated<string>;
  organisation_id: string;
  child_id: string;
  account_id: string;
  author_kind: FamilyAccountKind;
  about_type: ContributionAbout;
  about_id: string;
  body: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  version: Generated<number>;
};

export type FamilyCorrectionTable = {
  id: Generated<string>;
  organisation_id: string;
  child_id: string;
  account_id: string;
  about_type: ContributionAbout;
  about_id: string;
  what_is_wrong: Opt<string>;
  comment: string;
  status: ColumnType<CorrectionStatus, CorrectionStatus | undefined, CorrectionStatus>;
  answer: Opt<string>;
  answered_by: Opt<string>;
  answered_at: OptTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  version: Generated<number>;
};

export type FamilyDocumentShareTable = {
  id: Generated<string>;
  document_id: string;
  child_id: string;
  account_id: string;
  conference_id: Opt<string>;
  shared_by: string;
  shared_at: Timestamp;
  first_read_at: OptTimestamp;
  last_read_at: OptTimestamp;
  times_read: Generated<number>;
  withdrawn_at: OptTimestamp;
  withdrawn_by: Opt<string>;
};

export type FamilyMessageThreadTable = {
  id: Generated<string>;
  organisation_id: string;
  child_id: string;
  account_id: string;
  subject: string;
  started_by: 'family' | 'staff';
  last_message_at: Timestamp;
  created_at: Timestamp;
};

export type FamilyMessageTable = {
  id: Generated<string>;
  thread_id: string;
  from_account_id: Opt<string>;
  from_user_id: Opt<string>;
  body: string;
  sent_at: Timestamp;
  read_at: OptTimestamp;
};

export type PortalContentTables = {
  family_contributions: FamilyContributionTable;
  family_corrections: FamilyCorrectionTable;
  family_document_shares: FamilyDocumentShareTable;
  family_message_threads: FamilyMessageThreadTable;
  family_messages: FamilyMessageTable;
};
