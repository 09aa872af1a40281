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
import type { Lsoa21Table, PostcodeTable, ReferenceDataLoadTable } from '../modules/geography/geography.table.ts';
import type {
  AllocationTable,
  PersonAddressTable,
  PersonMergeTable,
  PersonNameTable,
  PersonNotDuplicateTable,
  PersonRestrictionTable,
  PersonRestrictionUserTable,
  PersonTable,
  ProfessionalInvolvedTable,
  RelationshipTable,
} from '../modules/people/people.table.ts';
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
  lsoa21: Lsoa21Table;
  postcodes: PostcodeTable;
  reference_data_loads: ReferenceDataLoadTable;
  person_names: PersonNameTable;
  person_addresses: PersonAddressTable;
  relationships: RelationshipTable;
  professionals_involved: ProfessionalInvolvedTable;
  person_restrictions: PersonRestrictionTable;
  person_restriction_users: PersonRestrictionUserTable;
  person_merges: PersonMergeTable;
  person_not_duplicates: PersonNotDuplicateTable;
};
