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
import type {
  AssessmentCircumstanceTable,
  AssessmentFactorTable,
  AssessmentTable,
  CareLeaverContactTable,
  CareLeaverTable,
  CarePeriodTable,
  ChronologyEntryTable,
  CinReferralTable,
  ConferenceTable,
  DocumentTable,
  EpisodeStatusChangeTable,
  HealthCheckTable,
  HelpEpisodeTable,
  HelpRequestTable,
  LegalStatusTable,
  LibertyOrderTable,
  MissingEpisodeTable,
  PermanenceDecisionTable,
  PlacementTable,
  PlanGoalTable,
  PlanReviewTable,
  PlanTable,
  PracticalHelpTable,
  PracticeNoteTable,
  PreProceedingsTable,
  Section47EnquiryTable,
  StrategyDiscussionTable,
  TaskTable,
  ThresholdGuidanceVersionTable,
  VisitTable,
} from '../modules/help/help.table.ts';
import type {
  Lsoa21Table,
  PostcodeTable,
  ReferenceDataLoadTable,
} from '../modules/geography/geography.table.ts';
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
  SearchNameTable,
} from '../modules/people/people.table.ts';
import type { ProtectionTables } from '../modules/protection/protection.table.ts';
import type { CareTables } from '../modules/care/care.table.ts';
import type { ReturnTables } from '../modules/returns/returns.table.ts';
import type { PortalTables } from '../modules/portal/portal.table.ts';
import type { PortalContentTables } from '../modules/portal/content.table.ts';
import type { RecordsRequestTables } from '../modules/portal/records-requests.table.ts';
import type { PartnerTables } from '../modules/partners/partners.table.ts';
import type { DirectoryTables } from '../modules/directory/directory.table.ts';
import type { FamilyNetworkTables } from '../modules/protection/family-network.table.ts';
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
  search_names: SearchNameTable;
  threshold_guidance_versions: ThresholdGuidanceVersionTable;
  help_episodes: HelpEpisodeTable;
  episode_status_changes: EpisodeStatusChangeTable;
  help_requests: HelpRequestTable;
  cin_referrals: CinReferralTable;
  assessments: AssessmentTable;
  assessment_factors: AssessmentFactorTable;
  assessment_circumstances: AssessmentCircumstanceTable;
  plans: PlanTable;
  plan_goals: PlanGoalTable;
  plan_reviews: PlanReviewTable;
  visits: VisitTable;
  practice_notes: PracticeNoteTable;
  chronology_entries: ChronologyEntryTable;
  documents: DocumentTable;
  tasks: TaskTable;
  practical_help: PracticalHelpTable;
  strategy_discussions: StrategyDiscussionTable;
  section47_enquiries: Section47EnquiryTable;
  conferences: ConferenceTable;
  pre_proceedings: PreProceedingsTable;
  care_periods: CarePeriodTable;
  legal_statuses: LegalStatusTable;
  placements: PlacementTable;
  missing_episodes: MissingEpisodeTable;
  health_checks: HealthCheckTable;
  permanence_decisions: PermanenceDecisionTable;
  care_leavers: CareLeaverTable;
  care_leaver_contacts: CareLeaverContactTable;
  liberty_orders: LibertyOrderTable;
} & ProtectionTables &
  CareTables &
  ReturnTables &
  PortalTables &
  PortalContentTables &
  RecordsRequestTables &
  PartnerTables &
  DirectoryTables &
  FamilyNetworkTables;
