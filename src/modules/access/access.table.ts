import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export type OrganisationTable = {
  id: Generated<string>;
  name: string;
  kind: 'local_authority' | 'school' | 'health' | 'police' | 'community' | 'other';
  la_code: string | null;
  created_at: Generated<Date>;
};

export type LocalityTable = { id: Generated<string>; organisation_id: string; name: string };

export type TeamTable = {
  id: Generated<string>;
  organisation_id: string;
  locality_id: string | null;
  name: string;
};

export type UserTable = {
  id: Generated<string>;
  organisation_id: string;
  email: string;
  display_name: string;
  password_hash: string | null;
  totp_secret: string | null;
  totp_enrolled_at: Timestamp | null;
  totp_last_step: number | null;
  oidc_subject: string | null;
  disabled_at: Timestamp | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  version: Generated<number>;
  /** Employed by the council or engaged through an agency (0016_insight_care_market.sql). */
  employment: Generated<'permanent' | 'agency'>;
};

export type TeamMembershipTable = { user_id: string; team_id: string };

export type RoleTable = { id: string; name: string; description: string };

export type RolePermissionTable = { role_id: string; resource: string; action: string; scope: Scope };

export type UserRoleTable = { user_id: string; role_id: string };

export type BreakGlassGrantTable = {
  id: Generated<string>;
  user_id: string;
  person_id: string;
  reason_code: string;
  reason: string;
  granted_at: Timestamp;
  expires_at: Timestamp;
  reviewed_by: string | null;
  reviewed_at: Timestamp | null;
};

/**
 * 'partner' (0022_partners.sql) reaches a child only through the partner's active membership of the
 * child's team around the family on a lawful basis, or a multi-agency team the child is allocated to.
 */
export type Scope = 'own' | 'team' | 'locality' | 'authority' | 'partner';
