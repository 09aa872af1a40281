import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type SessionTable = {
  id_hash: string;
  user_id: string;
  stage: 'password' | 'full';
  csrf_secret: string;
  pending_totp_secret: string | null;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
};

export type LoginThrottleTable = { key: string; window_started_at: Timestamp; failures: number };
