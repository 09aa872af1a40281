import type { ColumnType, Generated } from 'kysely';

/** Kysely types for the family portal (migration 0019_portal.sql and the portal's later migrations). */

type Opt<T> = ColumnType<T | null, T | null | undefined, T | null>;

export type FamilyAccountKind = 'parent' | 'young_person' | 'supporter';
export type FamilyAccountStatus = 'invited' | 'active' | 'withdrawn';

export type FamilyAccountTable = {
  id: Generated<string>;
  organisation_id: string;
  person_id: string;
  kind: FamilyAccountKind;
  email: Opt<string>;
  mobile: Opt<string>;
  nominated_by_account_id: Opt<string>;
  status: ColumnType<FamilyAccountStatus, FamilyAccountStatus | undefined, FamilyAccountStatus>;
  invited_by: Opt<string>;
  invited_at: Generated<Date>;
  first_signed_in_at: Opt<Date>;
  withdrawn_at: Opt<Date>;
  withdrawn_by: Opt<string>;
  withdrawn_reason: Opt<string>;
  oidc_subject: Opt<string>;
  competence_judgement: Opt<string>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  version: Generated<number>;
};

export type FamilyAccountChildTable = {
  account_id: string;
  child_id: string;
  sections: Opt<string[]>;
  limited_reason: Opt<string>;
  granted_by: Opt<string>;
  granted_at: Generated<Date>;
  ended_at: Opt<Date>;
  ended_reason: Opt<string>;
};

export type FamilySignInCodeTable = {
  id: Generated<string>;
  account_id: string;
  code_hash: string;
  channel: 'email' | 'sms';
  created_at: Date;
  expires_at: Date;
  attempts: Generated<number>;
  used_at: Opt<Date>;
};

export type FamilySessionTable = {
  id_hash: string;
  account_id: string;
  csrf_secret: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
};

export type PortalTables = {
  family_accounts: FamilyAccountTable;
  family_account_children: FamilyAccountChildTable;
  family_sign_in_codes: FamilySignInCodeTable;
  family_sessions: FamilySessionTable;
};
