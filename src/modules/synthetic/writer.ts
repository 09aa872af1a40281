import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';

/**
 * Set-based writing of generated rows: one INSERT … SELECT FROM json_populate_recordset per table
 * and chunk (a single JSON parameter carries thousands of rows), the same on PGlite and PostgreSQL.
 * Only the listed columns are written; every other column takes its default. Timestamps that would
 * default to now() are always listed and given fixed values, so the same seed gives the same bytes.
 */

export type Row = Record<string, unknown>;

/** Tables in the order their rows must be inserted (foreign keys point backwards only). */
export const TABLE_COLUMNS = {
  people: [
    'id',
    'organisation_id',
    'given_name',
    'family_name',
    'date_of_birth',
    'sex',
    'ethnicity',
    'first_language',
    'interpreter_needed',
    'religion',
    'disabilities',
    'uasc',
    'uasc_ceased_on',
    'nhs_number',
    'upn',
    'upn_unknown_reason',
    'council_person_id',
    'is_child',
    'created_at',
    'updated_at',
  ],
  person_names: ['id', 'person_id', 'kind', 'given_name', 'family_name', 'used_until', 'created_at'],
  person_addresses: [
    'id',
    'person_id',
    'line1',
    'town',
    'postcode',
    'lsoa21_code',
    'started_on',
    'ended_on',
    'hidden_from_family',
    'created_at',
  ],
  relationships: [
    'id',
    'person_id',
    'related_person_id',
    'kind',
    'parental_responsibility',
    'in_family_network',
    'network_note',
    'started_on',
    'ended_on',
    'created_at',
  ],
  help_episodes: [
    'id',
    'organisation_id',
    'person_id',
    'started_on',
    'status',
    'status_since',
    'closed_on',
    'closure_reason',
    'closure_note',
    'created_by',
    'created_at',
    'updated_at',
  ],
  episode_status_changes: [
    'id',
    'episode_id',
    'from_status',
    'to_status',
    'changed_on',
    'reason',
    'changed_by',
    'created_at',
  ],
  help_requests: [
    'id',
    'organisation_id',
    'person_id',
    'episode_id',
    'status',
    'received_at',
    'requester_kind',
    'requester_name',
    'requester_role',
    'requester_organisation',
    'referral_source',
    'worry',
    'family_view',
    'already_tried',
    'will_keep_doing',
    'family_knows',
    'family_consents',
    'primary_need',
    'decision',
    'decision_service',
    'decision_reason',
    'decision_threshold_id',
    'decision_help_offered_instead',
    'decided_by',
    'decided_at',
    'feedback_to_requester',
    'feedback_given_at',
    'team_id',
    'created_by',
    'created_at',
    'updated_at',
  ],
  cin_referrals: [
    'id',
    'episode_id',
    'request_id',
    'referral_date',
    'referral_source',
    'primary_need',
    'referral_nfa',
    'closed_on',
    'closure_reason',
    'created_at',
  ],
  allocations: [
    'id',
    'person_id',
    'team_id',
    'worker_user_id',
    'started_at',
    'ended_at',
    'episode_id',
    'is_lead',
    'practitioner_role',
    'change_reason',
    'change_note',
    'allocated_by',
  ],
  assessments: [
    'id',
    'episode_id',
    'person_id',
    'cin_referral_id',
    'kind',
    'status',
    'started_on',
    'due_on',
    'completed_on',
    'authorised_on',
    'authorised_by',
    'child_seen',
    'family_account',
    'child_views',
    'professional_analysis',
    'outcome',
    'created_by',
    'created_at',
    'updated_at',
  ],
  assessment_factors: ['assessment_id', 'factor'],
  assessment_circumstances: ['assessment_id', 'area', 'need_identified', 'detail'],
  strategy_discussions: [
    'id',
    'episode_id',
    'person_id',
    'held_on',
    'agencies',
    'decision',
    'reason',
    'recorded_by',
    'created_at',
  ],
  strategy_discussion_contributions: [
    'id',
    'strategy_discussion_id',
    'position',
    'agency',
    'organisation',
    'person_name',
    'person_role',
    'said',
    'created_at',
  ],
  section47_enquiries: [
    'id',
    'episode_id',
    'person_id',
    'cin_referral_id',
    'strategy_discussion_id',
    'started_on',
    'completed_on',
    'icpc_target_on',
    'icpc_not_required',
    'outcome',
    'findings',
    'continue_with',
    'outcome_recorded_by',
    'created_at',
    'updated_at',
  ],
  plans: [
    'id',
    'episode_id',
    'person_id',
    'cin_referral_id',
    'kind',
    'status',
    'started_on',
    'ended_on',
    'end_reason',
    'review_interval_days',
    'next_review_on',
    'family_words',
    'child_words',
    'initial_category',
    'latest_category',
    'created_by',
    'created_at',
    'updated_at',
  ],
  plan_goals: ['id', 'plan_id', 'position', 'goal', 'who', 'by_when', 'progress', 'created_at', 'updated_at'],
  plan_reviews: [
    'id',
    'plan_id',
    'reviewed_on',
    'family_view',
    'child_view',
    'progress_summary',
    'decision',
    'next_review_on',
    'participation',
    'recorded_by',
    'created_at',
  ],
  conferences: [
    'id',
    'episode_id',
    'person_id',
    'section47_id',
    'plan_id',
    'kind',
    'held_on',
    'quorate',
    'outcome_plan',
    'category',
    'family_view',
    'participation',
    'report_shared_on',
    'report_shared_how',
    'report_shared_note',
    'advocate_offered',
    'advocate_taken_up',
    'advocate_note',
    'child_view',
    'decision_reason',
    'next_review_on',
    'others_attending',
    'recorded_by',
    'created_at',
  ],
  core_group_meetings: [
    'id',
    'plan_id',
    'episode_id',
    'held_on',
    'family_view',
    'progress',
    'next_meeting_on',
    'others_attending',
    'recorded_by',
    'created_at',
  ],
  meeting_participants: [
    'id',
    'conference_id',
    'core_group_id',
    'position',
    'name',
    'role',
    'kind',
    'invited',
    'attended',
    'created_at',
  ],
  family_network_meetings: [
    'id',
    'episode_id',
    'conference_id',
    'offered_on',
    'response',
    'declined_reason',
    'held_on',
    'family_plan',
    'recorded_by',
    'created_at',
    'updated_at',
  ],
  care_periods: [
    'id',
    'episode_id',
    'person_id',
    'started_on',
    'ended_on',
    'category_of_need',
    'reason_ceased',
    'home_postcode',
    'previous_permanence',
    'permanence_plan',
    'care_plan_id',
    'created_at',
    'updated_at',
  ],
  legal_statuses: ['id', 'care_period_id', 'code', 'started_on', 'ended_on'],
  placements: [
    'id',
    'care_period_id',
    'placement_type',
    'provider',
    'provider_name',
    'carer_person_id',
    'postcode',
    'urn',
    'address_hidden_from_family',
    'started_on',
    'ended_on',
    'change_reason',
    'same_carer_as_previous',
    'address',
    'carer_name',
    'weekly_cost_pence',
    'with_siblings',
    'change_note',
    'recorded_by',
    'created_at',
  ],
  care_reviews: [
    'plan_review_id',
    'care_period_id',
    'sequence',
    'due_on',
    'return_home_considered',
    'return_home_steps',
    'return_home_family_view',
    'created_at',
  ],
  personal_education_plans: [
    'id',
    'person_id',
    'care_period_id',
    'held_on',
    'note',
    'recorded_by',
    'created_at',
  ],
  missing_episodes: [
    'id',
    'person_id',
    'care_period_id',
    'kind',
    'started_on',
    'ended_on',
    'return_interview_offered',
    'return_interview_accepted',
    'created_at',
  ],
  health_checks: ['id', 'person_id', 'kind', 'on_date', 'sdq_score', 'sdq_reason', 'created_at'],
  permanence_decisions: [
    'id',
    'person_id',
    'care_period_id',
    'decision_on',
    'placement_order_on',
    'matched_on',
    'placed_on',
    'order_on',
    'adopted_by_foster_carer',
    'number_of_adopters',
    'adopter_sex',
    'adopter_legal_status',
    'created_at',
  ],
  care_leavers: [
    'id',
    'person_id',
    'episode_id',
    'eligibility',
    'personal_adviser_user_id',
    'pathway_plan_reviewed_on',
    'staying_put_from',
    'staying_put_until',
    'created_at',
    'updated_at',
  ],
  care_leaver_contacts: [
    'id',
    'person_id',
    'contacted_on',
    'in_touch',
    'activity',
    'accommodation',
    'created_at',
  ],
  chronology_entries: [
    'id',
    'person_id',
    'episode_id',
    'occurred_on',
    'kind',
    'event',
    'summary',
    'source_type',
    'source_id',
    'added_by',
    'created_at',
  ],
  tasks: [
    'id',
    'organisation_id',
    'person_id',
    'episode_id',
    'kind',
    'title',
    'due_on',
    'assigned_user_id',
    'assigned_team_id',
    'source_type',
    'source_id',
    'completed_at',
    'completed_by',
    'created_at',
  ],
} as const;

export type TableName = keyof typeof TABLE_COLUMNS;
export const TABLES = Object.keys(TABLE_COLUMNS) as TableName[];

export type Batch = Record<TableName, Row[]>;

export function emptyBatch(): Batch {
  const batch = {} as Batch;
  for (const table of TABLES) batch[table] = [];
  return batch;
}

export function batchRows(batch: Batch): number {
  let rows = 0;
  for (const table of TABLES) rows += batch[table].length;
  return rows;
}

/** Moves every row of `from` to the end of `into`. */
export function appendBatch(into: Batch, from: Batch): void {
  for (const table of TABLES) {
    const source = from[table];
    if (source.length === 0) continue;
    const target = into[table];
    for (const row of source) target.push(row);
  }
}

/** Rows per statement: big enough to amortise the round trip, small enough to keep each JSON text modest. */
const CHUNK = 4000;

/**
 * How to write to this database: each table's column types (for json_to_recordset, which parses
 * faster than json_populate_recordset), and which tables may skip per-row trigger work.
 *
 * Bulk loads are dominated by foreign-key checks, one per row and key. A superuser (PGlite always;
 * PostgreSQL when the role is one) may set session_replication_role = replica for the statement,
 * as pg_restore --disable-triggers does: the generator writes every row after the rows it refers
 * to, in the same transaction, and the integration test checks every foreign key afterwards. Only
 * tables with no triggers of their own are written that way (people keeps its search-key trigger),
 * so a trigger added by a later migration is never skipped.
 */
export type WriterPlan = {
  readonly types: ReadonlyMap<string, ReadonlyMap<string, string>>;
  readonly skipChecks: ReadonlySet<string>;
};

export async function planWriter(
  db: Db,
  tables: readonly string[],
  checkEveryRow = false,
): Promise<WriterPlan> {
  const columns = await sql<{ table: string; column: string; type: string }>`
    SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
      AND c.relname IN (${sql.join(tables)})`.execute(db);
  const types = new Map<string, Map<string, string>>();
  for (const row of columns.rows) {
    let table = types.get(row.table);
    if (!table) types.set(row.table, (table = new Map<string, string>()));
    table.set(row.column, row.type);
  }
  const superuser = await sql<{ on: string }>`SELECT current_setting('is_superuser') AS on`.execute(db);
  const skipChecks = new Set<string>();
  if (superuser.rows[0]?.on === 'on' && !checkEveryRow) {
    const triggered = await sql<{ table: string }>`
      SELECT DISTINCT c.relname AS table FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND NOT t.tgisinternal`.execute(
      db,
    );
    const withTriggers = new Set(triggered.rows.map((r) => r.table));
    for (const table of tables) if (!withTriggers.has(table)) skipChecks.add(table);
  }
  return { types, skipChecks };
}

/** Inserts rows into a table (any column list) in chunks, in the caller's transaction. */
export async function insertRows(
  db: Db,
  table: string,
  columns: readonly string[],
  rows: readonly Row[],
  plan?: WriterPlan,
): Promise<void> {
  if (rows.length === 0) return;
  const list = columns.join(', ');
  const types = plan?.types.get(table);
  const definition = types ? columns.map((c) => `${c} ${types.get(c) ?? 'text'}`).join(', ') : undefined;
  const skip = plan?.skipChecks.has(table) ?? false;
  if (skip) await sql`SET LOCAL session_replication_role = replica`.execute(db);
  for (let start = 0; start < rows.length; start += CHUNK) {
    const json = JSON.stringify(rows.slice(start, start + CHUNK));
    const source = definition
      ? sql`json_to_recordset(${json}::json) AS x(${sql.raw(definition)})`
      : sql`json_populate_recordset(NULL::${sql.raw(table)}, ${json}::json)`;
    await sql`INSERT INTO ${sql.raw(table)} (${sql.raw(list)}) SELECT ${sql.raw(list)} FROM ${source}`.execute(
      db,
    );
  }
  if (skip) await sql`SET LOCAL session_replication_role = origin`.execute(db);
}

/** Writes a whole batch, table by table in foreign-key order. */
export async function writeBatch(
  db: Db,
  batch: Batch,
  plan?: WriterPlan,
  tables: readonly TableName[] = TABLES,
): Promise<void> {
  for (const table of tables) await insertRows(db, table, TABLE_COLUMNS[table], batch[table], plan);
}

/**
 * Tables whose triggers keep shared counters (people's names feed `search_names`): two
 * transactions writing them at once can deadlock on those counters, so with several writers they
 * are written first, one batch at a time, in a short transaction of their own.
 */
export const SHARED_COUNTER_TABLES: readonly TableName[] = ['people', 'person_names'];

function csvText(text: string): string {
  return text === '' || /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One value in PostgreSQL's CSV format: empty for NULL, t/f, text arrays as {"a","b"}. */
function csvValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) {
    return csvText(
      `{${value.map((item) => `"${String(item).replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`,
    );
  }
  return csvText(typeof value === 'string' ? value : JSON.stringify(value));
}

/**
 * PGlite only: the same batch written with COPY FROM a blob in one PGlite transaction, which on
 * the embedded engine is several times faster than INSERT … SELECT FROM json.
 */
export async function writeBatchCopy(pglite: PGlite, batch: Batch, plan?: WriterPlan): Promise<void> {
  await pglite.transaction(async (tx) => {
    for (const table of TABLES) {
      const rows = batch[table];
      if (rows.length === 0) continue;
      const columns = TABLE_COLUMNS[table];
      const skip = plan?.skipChecks.has(table) ?? false;
      if (skip) await tx.query('SET LOCAL session_replication_role = replica');
      const csv = rows.map((row) => columns.map((column) => csvValue(row[column])).join(',')).join('\n');
      await tx.query(`COPY ${table} (${columns.join(', ')}) FROM '/dev/blob' WITH (FORMAT csv)`, [], {
        blob: new Blob([csv]),
      });
      if (skip) await tx.query('SET LOCAL session_replication_role = origin');
    }
  });
}
