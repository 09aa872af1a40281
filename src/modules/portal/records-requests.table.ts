import type { ColumnType, Generated } from 'kysely';

/** Kysely types for migration 0021_records_requests.sql: requests for records, redactions, release. */

/** ISO date (YYYY-MM-DD). */
type IsoDate = string;
type Opt<T> = ColumnType<T | null, T | null | undefined, T | null>;
type OptTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type RecordsRequestChannel = 'portal' | 'letter' | 'phone' | 'email' | 'in_person';
export type RecordsRequestStatus = 'received' | 'preparing' | 'awaiting_approval' | 'released';
export type RecordsItemSource = 'plan' | 'assessment' | 'visit' | 'chronology';
export type RedactionReason = 'third_party' | 'serious_harm' | 'legal_privilege' | 'other';

export type RecordsRequestTable = {
  id: Generated<string>;
  organisation_id: string;
  child_id: string;
  family_account_id: Opt<string>;
  requester_description: Opt<string>;
  channel: RecordsRequestChannel;
  what_wanted: string;
  date_from: Opt<IsoDate>;
  date_to: Opt<IsoDate>;
  received_on: IsoDate;
  due_on: IsoDate;
  status: ColumnType<RecordsRequestStatus, RecordsRequestStatus | undefined, RecordsRequestStatus>;
  logged_by: Opt<string>;
  prepared_by: Opt<string>;
  assembled_at: OptTimestamp;
  submitted_by: Opt<string>;
  submitted_at: OptTimestamp;
  returned_note: Opt<string>;
  approved_by: Opt<string>;
  released_at: OptTimestamp;
  released_html: Opt<string>;
  released_text: Opt<string>;
  created_at: Generated<Date>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  version: Generated<number>;
};

export type RecordsRequestItemTable = {
  id: Generated<string>;
  request_id: string;
  position: number;
  source_type: RecordsItemSource;
  source_id: string;
  occurred_on: Opt<IsoDate>;
  heading: string;
  body: string;
};

export type RecordsRequestRedactionTable = {
  id: Generated<string>;
  request_id: string;
  item_id: string;
  scope: 'item' | 'passage';
  passage: Opt<string>;
  reason: RedactionReason;
  reason_text: Opt<string>;
  created_by: Opt<string>;
  created_at: Generated<Date>;
};

export type RecordsRequestTables = {
  records_requests: RecordsRequestTable;
  records_request_items: RecordsRequestItemTable;
  records_request_redactions: RecordsRequestRedactionTable;
};
