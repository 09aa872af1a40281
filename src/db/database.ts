import type {
  BreakGlassGrantTable,
  LocalityTable,
  OrganisationTable,
  RolePermissionTable,
  RoleTable,
  TeamMembershipTable,
  TeamTable,
  UserRoleTable,
  UserTable,
} from '../modules/access/access.table.ts';
import type { AllocationTable, PersonTable } from '../modules/people/people.table.ts';
import type { AuditLogTable } from '../platform/audit/audit.table.ts';
import type { LoginThrottleTable, SessionTable } from '../platform/auth/auth.table.ts';

/** Every table, as Kysely sees it. Each module owns its *.table.ts. */
export type Database = {
  organisations: OrganisationTable;
  localities: LocalityTable;
  teams: TeamTable;
  users: UserTable;
  team_memberships: TeamMembershipTable;
  roles: RoleTable;
  role_permissions: RolePermissionTable;
  user_roles: UserRoleTable;
  sessions: SessionTable;
  login_throttle: LoginThrottleTable;
  people: PersonTable;
  allocations: AllocationTable;
  break_glass_grants: BreakGlassGrantTable;
  audit_log: AuditLogTable;
};
