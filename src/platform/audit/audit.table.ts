import type { ColumnType } from 'kysely';

/** seq, prev_hash, row_hash and occurred_at are set by the chaining trigger. */
export type AuditLogTable = {
  seq: ColumnType<number, never, never>;
  occurred_at: ColumnType<Date, Date | string | undefined, never>;
  actor_user_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  detail: ColumnType<Record<string, unknown>, string, never>;
  request_id: string | null;
  prev_hash: ColumnType<string, never, never>;
  row_hash: ColumnType<string, never, never>;
};
