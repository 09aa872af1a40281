import {
  expressionBuilder,
  sql,
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type SqlBool,
  type Transaction,
} from 'kysely';
import type { Database } from '../../db/database.ts';
import { recordAudit, recordView } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Deps } from '../../platform/deps.ts';
import { ConflictError, DomainError, ForbiddenError, NotFoundError } from '../../platform/errors.ts';
import { scopeFor, type Actor } from '../access/actor.ts';
import { personInScope } from '../access/person-scope.ts';

/**
 * Merging two records of the same person, reversibly.
 *
 * The merge is generic: every column in the database with a foreign key to people(id) is found in the
 * catalog when the merge runs, and each row pointing at the merged record is re-pointed at the kept
 * one. `person_merges.moved` records exactly which rows moved (by primary key), what the merge added
 * and which identifiers it copied, so `undoMerge` can put everything back. A table added by later
 * work is therefore moved, recorded and undone without any change here.
 *
 * `moved` (table → column → keys, as typed in people.table.ts):
 *   "<table>":       { "<column>": [key, …] }   rows re-pointed from the merged to the kept record; a
 *                    key is the primary key as text, or for a composite key a JSON array of its
 *                    columns as text, as the row is AFTER the move
 *   "+<table>":      { "key": [key, …] }        rows the merge inserted (undo deletes them)
 *   "=people":       { "copied": [column, …] }  identifiers copied onto the kept record
 *   "~people":       { "<personId>": [version before, updated_at before, version after] }
 */

type Executor = Kysely<Database> | Transaction<Database>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ---------------------------------------------------------------------------------------------------
// Who may merge which records

/**
 * SQL: the person may be merged by this actor. Authority scope reaches every record of the
 * organisation; a narrower scope reaches records allocated within it and records not allocated to
 * any team (a new contact's record duplicating a child already known is the usual duplicate).
 * Break-glass never widens it.
 */
export function personInMergeScope(
  actor: Actor,
  clock: Clock,
): (eb: ExpressionBuilder<Database, 'people'>) => Expression<SqlBool> {
  const scope = scopeFor(actor, 'person', 'merge');
  return (eb) => {
    if (scope === undefined) return sql<SqlBool>`false`;
    const sameAuthority = eb('people.organisation_id', '=', actor.organisationId);
    if (scope === 'authority') return sameAuthority;
    const asWriter: Actor = { ...actor, permissions: [{ resource: 'person', action: 'write', scope }] };
    const unallocated = eb.not(
      eb.exists(
        eb
          .selectFrom('allocations')
          .select(sql.lit(1).as('one'))
          .whereRef('allocations.person_id', '=', 'people.id')
          .where('allocations.ended_at', 'is', null),
      ),
    );
    return eb.and([sameAuthority, eb.or([unallocated, personInScope(asWriter, 'write', clock)(eb)])]);
  };
}

/** The merge-scope condition as raw SQL over a table aliased `people` (for hand-written queries). */
export function mergeScopeSql(actor: Actor, clock: Clock): Expression<SqlBool> {
  return personInMergeScope(actor, clock)(expressionBuilder<Database, 'people'>());
}

export function requireMergePermission(actor: Actor): void {
  if (scopeFor(actor, 'person', 'merge') === undefined) throw new ForbiddenError();
}

// ---------------------------------------------------------------------------------------------------
// The catalog: every column that references people(id)

export type PersonReference = {
  readonly table: string;
  readonly column: string;
  /** The table's primary key columns, in key order; empty when it has none. */
  readonly primaryKey: readonly string[];
};

/**
 * Every column in the current schema with a foreign key to people(id), read from pg_catalog when
 * called, so tables added by later migrations are included. Multi-column foreign keys to people
 * cannot exist (its key is one column) and are refused if they ever do.
 */
export async function personReferences(db: Executor): Promise<PersonReference[]> {
  const result = await sql<{
    table_name: string;
    column_name: string;
    key_columns: number;
    primary_key: string[] | null;
  }>`
    SELECT cl.relname::text AS table_name,
      a.attname::text AS column_name,
      array_length(c.conkey, 1) AS key_columns,
      (SELECT json_agg(pa.attname::text ORDER BY k.ord)
         FROM pg_constraint pk
         CROSS JOIN LATERAL unnest(pk.conkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute pa ON pa.attrelid = pk.conrelid AND pa.attnum = k.attnum
        WHERE pk.conrelid = c.conrelid AND pk.contype = 'p') AS primary_key
    FROM pg_constraint c
    JOIN pg_class cl ON cl.oid = c.conrelid
    JOIN pg_namespace n ON n.oid = cl.relnamespace
    JOIN pg_class target ON target.oid = c.confrelid
    JOIN pg_namespace tn ON tn.oid = target.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    WHERE c.contype = 'f' AND target.relname = 'people'
      AND tn.nspname = current_schema() AND n.nspname = current_schema()
    ORDER BY 1, 2`.execute(db);
  return result.rows.map((row) => {
    if (row.key_columns !== 1) {
      throw new Error(
        `Table ${row.table_name} has a multi-column foreign key to people; merging does not support it`,
      );
    }
    return { table: row.table_name, column: row.column_name, primaryKey: row.primary_key ?? [] };
  });
}

/**
 * What a merge does with each referencing column. `move` (the default) re-points the row at the kept
 * record; `leave` keeps it with the merged record; a table with its own handler is dealt with below.
 */
export const LEFT_WITH_MERGED_RECORD: readonly { table: string; column?: string; why: string }[] = [
  { table: 'people', column: 'merged_into', why: 'the link from the merged record to the kept one' },
  { table: 'person_merges', why: 'the history of merges, which must keep naming both records' },
  {
    table: 'person_not_duplicates',
    why: 'decisions about the merged record stay with it; the merge copies each onto the kept record instead (undo removes the copies)',
  },
];

function leftAlone(reference: PersonReference): boolean {
  return LEFT_WITH_MERGED_RECORD.some(
    (entry) =>
      entry.table === reference.table && (entry.column === undefined || entry.column === reference.column),
  );
}

/** Plain-English names for the tables a person's rows live in (others are shown by table name). */
export const TABLE_LABELS: Readonly<Record<string, string>> = {
  allocations: 'Allocations to teams and workers',
  relationships: 'Relationships and family network',
  person_names: 'Previous names and aliases',
  person_addresses: 'Addresses',
  professionals_involved: 'Professionals involved',
  person_restrictions: 'Restrictions',
  break_glass_grants: 'Emergency access grants',
  person_not_duplicates: 'Decisions that records are different people',
  family_accounts: 'Family portal accounts',
  family_account_children: 'Family portal access',
  family_contributions: 'The family’s views',
  family_corrections: 'The family’s corrections',
  family_document_shares: 'Reports shared with the family',
  family_message_threads: 'Messages with the family',
  records_requests: 'Requests for records',
  consents: 'Consents to share information',
  information_sharing_decisions: 'Decisions to share information',
  team_around_family_members: 'Team around the family',
  service_referrals: 'Referrals to local services',
};

/**
 * Rows left with the merged record because the kept record already has its own, by table and column.
 * A family portal account sees a child through one grant (keyed by account and child): where the
 * account also has a grant for the kept record, that grant carries on as it is and the account's
 * ended grant for the merged record stays with it as history (a live one blocks the merge: see the
 * 'portal-access' rule). Undefined: every row moves.
 */
function leftWhereKeptHasOne(reference: PersonReference, keepId: string) {
  if (reference.table === 'family_account_children' && reference.column === 'child_id') {
    return sql`AND NOT EXISTS (SELECT 1 FROM family_account_children kept
      WHERE kept.account_id = family_account_children.account_id AND kept.child_id = ${keepId})`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Facts about each record, and the rules that block unsafe merges

export type PersonFacts = {
  readonly id: string;
  readonly organisationId: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly preferredName: string | null;
  readonly dateOfBirth: string | null;
  readonly expectedDateOfBirth: string | null;
  readonly sex: string | null;
  readonly nhsNumber: string | null;
  readonly upn: string | null;
  readonly consistentChildId: string | null;
  readonly councilPersonId: string | null;
  readonly mergedInto: string | null;
  readonly version: number;
  readonly createdAt: Date;
  readonly teams: readonly { id: string; name: string }[];
  readonly workers: readonly string[];
  /** Categories of the active restrictions, sorted, without repeats. */
  readonly restrictionCategories: readonly string[];
  /** An active restriction does not name this actor: they see the name only. */
  readonly restrictedFromActor: boolean;
  readonly inMergeScope: boolean;
};

async function loadFacts(
  db: Executor,
  actor: Actor,
  clock: Clock,
  ids: readonly string[],
  lock: boolean,
): Promise<Map<string, PersonFacts>> {
  let query = db
    .selectFrom('people')
    .select((eb) => [
      'people.id',
      'people.organisation_id',
      'people.given_name',
      'people.family_name',
      'people.preferred_name',
      'people.date_of_birth',
      'people.expected_date_of_birth',
      'people.sex',
      'people.nhs_number',
      'people.upn',
      'people.consistent_child_id',
      'people.council_person_id',
      'people.merged_into',
      'people.version',
      'people.created_at',
      eb.case().when(personInMergeScope(actor, clock)(eb)).then(true).else(false).end().as('in_merge_scope'),
    ])
    .where('people.id', 'in', ids)
    .where('people.organisation_id', '=', actor.organisationId);
  if (lock) query = query.forUpdate();
  const people = await query.execute();
  if (people.length === 0) return new Map();
  const found = people.map((p) => p.id);
  // One query at a time: on PGlite a transaction has one connection.
  const allocations = await db
    .selectFrom('allocations')
    .innerJoin('teams', 'teams.id', 'allocations.team_id')
    .leftJoin('users', 'users.id', 'allocations.worker_user_id')
    .select(['allocations.person_id', 'teams.id as team_id', 'teams.name as team_name', 'users.display_name'])
    .where('allocations.person_id', 'in', found)
    .where('allocations.ended_at', 'is', null)
    .orderBy('teams.name')
    .execute();
  const restrictions = await db
    .selectFrom('person_restrictions as r')
    .select((eb) => [
      'r.person_id',
      'r.category',
      eb
        .exists(
          eb
            .selectFrom('person_restriction_users as u')
            .select(sql.lit(1).as('one'))
            .whereRef('u.restriction_id', '=', 'r.id')
            .where('u.user_id', '=', actor.userId),
        )
        .as('lists_actor'),
    ])
    .where('r.person_id', 'in', found)
    .where('r.ended_at', 'is', null)
    .execute();
  const facts = new Map<string, PersonFacts>();
  for (const p of people) {
    const mine = allocations.filter((a) => a.person_id === p.id);
    const teams = [...new Map(mine.map((a) => [a.team_id, { id: a.team_id, name: a.team_name }])).values()];
    const restricted = restrictions.filter((r) => r.person_id === p.id);
    facts.set(p.id, {
      id: p.id,
      organisationId: p.organisation_id,
      givenName: p.given_name,
      familyName: p.family_name,
      preferredName: p.preferred_name,
      dateOfBirth: p.date_of_birth,
      expectedDateOfBirth: p.expected_date_of_birth,
      sex: p.sex,
      nhsNumber: p.nhs_number,
      upn: p.upn,
      consistentChildId: p.consistent_child_id,
      councilPersonId: p.council_person_id,
      mergedInto: p.merged_into,
      version: p.version,
      createdAt: p.created_at,
      teams,
      workers: [...new Set(mine.flatMap((a) => (a.display_name ? [a.display_name] : [])))],
      restrictionCategories: [...new Set(restricted.map((r) => r.category))].sort(),
      restrictedFromActor: restricted.some((r) => !r.lists_actor),
      inMergeScope: p.in_merge_scope,
    });
  }
  return facts;
}

export type MergeRuleContext = {
  readonly db: Executor;
  readonly actor: Actor;
  readonly clock: Clock;
  /** The record that stays. */
  readonly keep: PersonFacts;
  /** The record merged into it. */
  readonly merge: PersonFacts;
};

/**
 * One safety check. `check` returns the reason the merge is refused, in words for the page, or
 * undefined when the merge is safe on this count. Rules must only read.
 */
export type MergeRule = {
  readonly name: string;
  /** What the rule checks, for the list of checks on the merge page. */
  readonly description: string;
  readonly check: (context: MergeRuleContext) => Promise<string | undefined> | string | undefined;
};

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x) => b.includes(x));

/**
 * The rules that block an unsafe merge, checked on the merge page and again inside the merge's
 * transaction. To add one, add an entry here.
 */
export const MERGE_RULES: readonly MergeRule[] = [
  {
    name: 'different-records',
    description: 'They are two different records',
    check: ({ keep, merge }) => (keep.id === merge.id ? 'A record cannot be merged with itself.' : undefined),
  },
  {
    name: 'not-already-merged',
    description: 'Neither record has already been merged',
    check: ({ keep, merge }) => {
      if (merge.mergedInto) return 'The record to merge has already been merged into another record.';
      if (keep.mergedInto)
        return 'The record to keep has already been merged into another record. Merge into the record it was merged into instead.';
      return undefined;
    },
  },
  {
    name: 'in-your-area',
    description: 'You can merge both records',
    check: ({ keep, merge }) =>
      keep.inMergeScope && merge.inMergeScope
        ? undefined
        : 'At least one record is allocated to a team you do not manage. Ask that team’s manager or an administrator to merge them.',
  },
  {
    name: 'restricted-from-you',
    description: 'Neither record is restricted from you',
    check: ({ keep, merge }) =>
      keep.restrictedFromActor || merge.restrictedFromActor
        ? 'At least one record is restricted and you are not one of the staff named on the restriction. Only they can merge it.'
        : undefined,
  },
  {
    name: 'nhs-number',
    description: 'The NHS numbers match, or one record has none',
    check: ({ keep, merge }) =>
      keep.nhsNumber && merge.nhsNumber && keep.nhsNumber !== merge.nhsNumber
        ? 'The records have different NHS numbers, so they are likely to be different people. If one is wrong, correct it first.'
        : undefined,
  },
  {
    name: 'date-of-birth',
    description: 'The dates of birth match, or one record has none',
    check: ({ keep, merge }) =>
      keep.dateOfBirth && merge.dateOfBirth && keep.dateOfBirth !== merge.dateOfBirth
        ? 'The records have different dates of birth. If one is wrong, correct it first.'
        : undefined,
  },
  {
    name: 'restrictions',
    description: 'Both records have the same restrictions',
    check: ({ keep, merge }) => {
      if (sameSet(keep.restrictionCategories, merge.restrictionCategories)) return undefined;
      if (keep.restrictionCategories.length === 0 || merge.restrictionCategories.length === 0) {
        return 'One record is restricted and the other is not. Restrict both in the same way, or lift the restriction, first.';
      }
      return 'The records are restricted for different reasons. Make their restrictions the same first.';
    },
  },
  {
    name: 'allocated-teams',
    description: 'The records are not allocated to different teams',
    check: ({ actor, keep, merge }) => {
      if (keep.teams.length === 0 || merge.teams.length === 0) return undefined;
      const keepTeams = keep.teams.map((t) => t.id);
      const mergeTeams = merge.teams.map((t) => t.id);
      if (sameSet(keepTeams, mergeTeams) || scopeFor(actor, 'person', 'merge') === 'authority')
        return undefined;
      return 'The records are allocated to different teams. Agree which team keeps the child and end the other allocation, or ask an administrator to merge them.';
    },
  },
  {
    name: 'not-marked-different',
    description: 'Nobody has recorded that they are different people',
    check: async ({ db, keep, merge }) => {
      const [a, b] = keep.id < merge.id ? [keep.id, merge.id] : [merge.id, keep.id];
      const decision = await db
        .selectFrom('person_not_duplicates')
        .innerJoin('users', 'users.id', 'person_not_duplicates.decided_by')
        .select(['users.display_name'])
        .where('person_a', '=', a)
        .where('person_b', '=', b)
        .executeTakeFirst();
      return decision
        ? `${decision.display_name} recorded that these records are different people.`
        : undefined;
    },
  },
  {
    name: 'not-linked',
    description: 'The records are not linked to each other (for example, as relatives)',
    check: async ({ db, keep, merge }) => {
      const linked = await linkingTables(db, keep.id, merge.id);
      return linked.length > 0
        ? `The records are linked to each other (${linked.map((t) => TABLE_LABELS[t] ?? t).join(', ')}). Remove the link first.`
        : undefined;
    },
  },
  {
    // A family portal account sees a child through one grant, with the sections a worker chose: two
    // grants cannot become one without choosing what it sees, so access to the merged record must be
    // withdrawn first. An ended grant for it then stays with it (leftWhereKeptHasOne).
    name: 'portal-access',
    description: 'No family portal account has access to both records',
    check: async ({ db, keep, merge }) => {
      const both = await db
        .selectFrom('family_account_children as m')
        .innerJoin('family_account_children as k', 'k.account_id', 'm.account_id')
        .select('m.account_id')
        .where('m.child_id', '=', merge.id)
        .where('m.ended_at', 'is', null)
        .where('k.child_id', '=', keep.id)
        .executeTakeFirst();
      return both
        ? 'A family portal account has been given access to both records. Withdraw its access to the record to merge first (its access to the record to keep stays as it is), then merge the records.'
        : undefined;
    },
  },
  {
    // A child has one open episode of help at a time (a unique index): two open episodes cannot
    // become one child's, and which help carries on is a practice decision, not the merge's.
    name: 'one-open-help',
    description: 'Only one of the records has open help',
    check: async ({ db, keep, merge }) => {
      const open = await db
        .selectFrom('help_episodes')
        .select('person_id')
        .distinct()
        .where('person_id', 'in', [keep.id, merge.id])
        .where('closed_on', 'is', null)
        .execute();
      return open.length === 2
        ? 'Both records have open help. Close one episode first, recording why, then merge the records.'
        : undefined;
    },
  },
  {
    // One child cannot be on two child protection plans at once; merged, the record would say so.
    name: 'child-protection-plans',
    description: 'The records’ child protection plans do not overlap',
    check: async ({ db, keep, merge }) => {
      const overlap = await db
        .selectFrom('plans as k')
        .innerJoin('plans as m', (join) =>
          join
            .on('m.person_id', '=', merge.id)
            .on('m.kind', '=', 'child_protection')
            .on('m.status', '<>', 'draft')
            // Each starts before the other ends (an end date is the day the plan stopped).
            .on((eb) => eb('m.started_on', '<', eb.fn.coalesce('k.ended_on', sql<string>`'infinity'::date`)))
            .on((eb) => eb('k.started_on', '<', eb.fn.coalesce('m.ended_on', sql<string>`'infinity'::date`))),
        )
        .select('k.id')
        .where('k.person_id', '=', keep.id)
        .where('k.kind', '=', 'child_protection')
        .where('k.status', '<>', 'draft')
        .executeTakeFirst();
      return overlap
        ? 'Both records have a child protection plan covering the same dates. Correct the plans first, so that only one is in force at a time, then merge the records.'
        : undefined;
    },
  },
];

/** Tables with a row naming one record in one column and the other record in another (a relationship between them). */
async function linkingTables(db: Executor, keepId: string, mergeId: string): Promise<string[]> {
  const references = (await personReferences(db)).filter((r) => !leftAlone(r));
  const byTable = new Map<string, string[]>();
  for (const r of references) byTable.set(r.table, [...(byTable.get(r.table) ?? []), r.column]);
  const linked: string[] = [];
  for (const [table, columns] of byTable) {
    if (columns.length < 2) continue;
    const pairs = columns.flatMap((x) =>
      columns
        .filter((y) => y !== x)
        .map((y) => sql`(${sql.ref(x)} = ${mergeId} AND ${sql.ref(y)} = ${keepId})`),
    );
    const found = await sql<{
      one: number;
    }>`SELECT 1 AS one FROM ${sql.id(table)} WHERE ${sql.join(pairs, sql` OR `)} LIMIT 1`.execute(db);
    if (found.rows.length > 0) linked.push(table);
  }
  return linked;
}

export type MergeCheck = {
  readonly rule: string;
  readonly description: string;
  readonly passed: boolean;
  readonly reason: string | undefined;
};

async function runRules(context: MergeRuleContext, rules: readonly MergeRule[]): Promise<MergeCheck[]> {
  const checks: MergeCheck[] = [];
  for (const rule of rules) {
    const reason = await rule.check(context);
    checks.push({ rule: rule.name, description: rule.description, passed: reason === undefined, reason });
  }
  return checks;
}

/** A merge refused by one or more rules; the reasons are for the page. */
export class MergeBlockedError extends DomainError {
  readonly reasons: readonly { rule: string; reason: string }[];
  constructor(reasons: readonly { rule: string; reason: string }[]) {
    super('merge_blocked', 409, `Merge refused: ${reasons.map((r) => r.rule).join(', ')}`);
    this.reasons = reasons;
  }
}

/** An undo refused because the rows the merge moved have changed since; the reasons are for the page. */
export class UndoBlockedError extends DomainError {
  readonly reasons: readonly string[];
  constructor(reasons: readonly string[]) {
    super('undo_blocked', 409, `Undo refused: ${reasons.length} problem(s)`);
    this.reasons = reasons;
  }
}

// ---------------------------------------------------------------------------------------------------
// Preview: what the merge page shows

export type MergeRecordView = {
  readonly id: string;
  /** False when the actor sees only the name (restricted from them, or outside their area). */
  readonly shownInFull: boolean;
  readonly givenName: string;
  readonly familyName: string;
  readonly preferredName: string | null;
  readonly dateOfBirth: string | null;
  readonly sex: string | null;
  readonly nhsNumber: string | null;
  readonly upn: string | null;
  readonly teams: readonly string[];
  readonly workers: readonly string[];
  readonly restrictionCategories: readonly string[];
  readonly version: number;
  readonly createdAt: Date | null;
  readonly mergedInto: string | null;
  /** Rows pointing at this record, by table (label) – what would move. */
  readonly linked: readonly { label: string; count: number }[];
};

export type MergePreview = {
  readonly keep: MergeRecordView;
  readonly merge: MergeRecordView;
  readonly checks: readonly MergeCheck[];
  readonly canMerge: boolean;
};

async function linkedCounts(db: Executor, personId: string): Promise<{ label: string; count: number }[]> {
  const references = (await personReferences(db)).filter(
    (r) => !leftAlone(r) || r.table === 'person_not_duplicates',
  );
  const counts = new Map<string, number>();
  for (const r of references) {
    const result = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM ${sql.id(r.table)} WHERE ${sql.ref(r.column)} = ${personId}`.execute(
      db,
    );
    const n = result.rows[0]?.n ?? 0;
    const label = TABLE_LABELS[r.table] ?? r.table.replace(/_/g, ' ');
    counts.set(label, (counts.get(label) ?? 0) + n);
  }
  return [...counts].filter(([, n]) => n > 0).map(([label, count]) => ({ label, count }));
}

function viewOf(
  facts: PersonFacts,
  full: boolean,
  linked: { label: string; count: number }[],
): MergeRecordView {
  return {
    id: facts.id,
    shownInFull: full,
    givenName: facts.givenName,
    familyName: facts.familyName,
    preferredName: full ? facts.preferredName : null,
    dateOfBirth: facts.restrictedFromActor ? null : facts.dateOfBirth,
    sex: full ? facts.sex : null,
    nhsNumber: full ? facts.nhsNumber : null,
    upn: full ? facts.upn : null,
    teams: full ? facts.teams.map((t) => t.name) : [],
    workers: full ? facts.workers : [],
    restrictionCategories: full ? facts.restrictionCategories : [],
    version: facts.version,
    createdAt: full ? facts.createdAt : null,
    mergedInto: full ? facts.mergedInto : null,
    linked: full ? linked : [],
  };
}

/**
 * The two records side by side with the result of every safety check. A record is shown in full
 * only when the actor could merge it (in their area and not restricted from them); showing it is a
 * view of the record, so it is audited (committed before the preview is returned).
 */
export async function previewMerge(
  deps: Deps,
  actor: Actor,
  input: { keepId: string; mergeId: string; requestId: string; route: string },
): Promise<MergePreview> {
  requireMergePermission(actor);
  if (!UUID.test(input.keepId) || !UUID.test(input.mergeId)) throw new NotFoundError();
  const { preview, shown } = await deps.db.transaction().execute(async (trx) => {
    const facts = await loadFacts(trx, actor, deps.clock, [input.keepId, input.mergeId], false);
    const keep = facts.get(input.keepId);
    const merge = facts.get(input.mergeId);
    if (!keep || !merge) throw new NotFoundError();
    const checks = await runRules({ db: trx, actor, clock: deps.clock, keep, merge }, MERGE_RULES);
    const views: MergeRecordView[] = [];
    const fullyShown: string[] = [];
    for (const person of [keep, merge]) {
      const full = person.inMergeScope && !person.restrictedFromActor;
      views.push(viewOf(person, full, full ? await linkedCounts(trx, person.id) : []));
      if (full) fullyShown.push(person.id);
    }
    const [keepView, mergeView] = views as [MergeRecordView, MergeRecordView];
    return {
      preview: { keep: keepView, merge: mergeView, checks, canMerge: checks.every((c) => c.passed) },
      shown: fullyShown,
    };
  });
  // Each record shown in full is a view, committed (see recordView) before the preview is shown.
  await Promise.all(
    shown.map((personId) =>
      recordView(deps.db, {
        actorUserId: actor.userId,
        action: 'person.view',
        entityType: 'person',
        entityId: personId,
        detail: { route: input.route, purpose: 'merge' },
        requestId: input.requestId,
      }),
    ),
  );
  return preview;
}

// ---------------------------------------------------------------------------------------------------
// The merge

export type MergeInput = {
  readonly keepId: string;
  readonly mergeId: string;
  /** The versions of both records the actor saw; a change since then is a conflict. */
  readonly expectedVersions: { readonly keep: number; readonly merge: number };
  readonly requestId?: string;
};

export type Moved = Record<string, Record<string, string[]>>;

/** Identifiers copied from the merged record onto the kept one when the kept one lacks them. */
const COPIED_IF_MISSING = [
  'nhs_number',
  'upn',
  'consistent_child_id',
  'council_person_id',
  'date_of_birth',
] as const;

type PgError = { code?: unknown; table?: unknown; constraint?: unknown };

function databaseErrorCode(error: unknown): string | undefined {
  const code = (error as PgError | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Text keys of rows, as returned by `RETURNING pk::text …`. */
function keysOf(rows: readonly Record<string, string>[], primaryKey: readonly string[]): string[] {
  return rows.map((row) =>
    primaryKey.length === 1
      ? String(row['k0'])
      : JSON.stringify(primaryKey.map((_, i) => String(row[`k${i}`]))),
  );
}

function returningKey(primaryKey: readonly string[]) {
  return sql.join(primaryKey.map((column, i) => sql`${sql.ref(column)}::text AS ${sql.id(`k${i}`)}`));
}

/** `(pk) IN ((…), …)` for recorded keys; parameters are untyped, so the database reads them as the key's types. */
function keyMatches(primaryKey: readonly string[], keys: readonly string[]) {
  if (primaryKey.length === 1)
    return sql`${sql.ref(primaryKey[0] ?? '')} IN (${sql.join(keys.map((k) => sql`${k}`))})`;
  const columns = sql.join(primaryKey.map((c) => sql.ref(c)));
  const tuples = keys.map((k) => {
    const values = JSON.parse(k) as string[];
    return sql`(${sql.join(values.map((v) => sql`${v}`))})`;
  });
  return sql`(${columns}) IN (${sql.join(tuples)})`;
}

function chunks<T>(list: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/**
 * Merges one person's record into another's in one transaction: every row referencing the merged
 * record moves to the kept one (recorded for undo), identifiers the kept record lacks are copied,
 * the merged record's name is kept as an alias, the merged record points at the kept one, and the
 * merge is audited. Refused with MergeBlockedError when any rule fails, ConflictError when either
 * record changed since the actor looked.
 */
export async function mergePeople(deps: Deps, actor: Actor, input: MergeInput): Promise<{ mergeId: string }> {
  requireMergePermission(actor);
  if (!UUID.test(input.keepId) || !UUID.test(input.mergeId)) throw new NotFoundError();
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    // Lock both records in a fixed order, so two merges of the same pair cannot interleave.
    const facts = await loadFacts(trx, actor, deps.clock, [input.keepId, input.mergeId].sort(), true);
    const keep = facts.get(input.keepId);
    const merge = facts.get(input.mergeId);
    if (!keep || !merge) throw new NotFoundError();
    if (keep.version !== input.expectedVersions.keep || merge.version !== input.expectedVersions.merge) {
      throw new ConflictError('One of the records was changed while you were comparing them');
    }
    const failed = (await runRules({ db: trx, actor, clock: deps.clock, keep, merge }, MERGE_RULES)).filter(
      (c) => !c.passed,
    );
    if (failed.length > 0)
      throw new MergeBlockedError(failed.map((c) => ({ rule: c.rule, reason: c.reason ?? c.description })));

    const references = await personReferences(trx);
    const unkeyed = references.filter((r) => !leftAlone(r) && r.primaryKey.length === 0);
    if (unkeyed.length > 0) {
      throw new MergeBlockedError(
        unkeyed.map((r) => ({
          rule: 'schema',
          reason: `Records cannot be merged while table "${r.table}" has no primary key: the rows moved could not be recorded, so the merge could not be undone.`,
        })),
      );
    }

    const moved: Moved = {};
    const before = await sql<{ id: string; version: number; updated_at: string }>`
      SELECT id::text AS id, version, updated_at::text AS updated_at FROM people WHERE id IN (${keep.id}, ${merge.id})`.execute(
      trx,
    );

    // The merged record first: once it points at the kept one it no longer holds its NHS number
    // against the unique index, so the kept record can take it.
    await trx
      .updateTable('people')
      .set((eb) => ({ merged_into: keep.id, version: eb('version', '+', 1), updated_at: now }))
      .where('id', '=', merge.id)
      .execute();

    for (const reference of references) {
      if (leftAlone(reference)) continue;
      const { table, column, primaryKey } = reference;
      try {
        const result = await sql<Record<string, string>>`
          UPDATE ${sql.id(table)} SET ${sql.ref(column)} = ${keep.id} WHERE ${sql.ref(column)} = ${merge.id}
          ${leftWhereKeptHasOne(reference, keep.id) ?? sql``}
          RETURNING ${returningKey(primaryKey)}`.execute(trx);
        if (result.rows.length > 0) (moved[table] ??= {})[column] = keysOf(result.rows, primaryKey);
      } catch (error) {
        const code = databaseErrorCode(error);
        if (code === '23505' || code === '23514') {
          throw new MergeBlockedError([
            {
              rule: 'rows-conflict',
              reason: `Both records have an entry in “${TABLE_LABELS[table] ?? table}” that cannot be combined. Remove one of them first.`,
            },
          ]);
        }
        throw error;
      }
    }

    // Decisions that the merged record is a different person from someone else now hold for the kept record too.
    const decisions = await sql<{ person_a: string; person_b: string }>`
      INSERT INTO person_not_duplicates (person_a, person_b, decided_by, decided_at)
      SELECT least(${keep.id}::uuid, other), greatest(${keep.id}::uuid, other), decided_by, decided_at
      FROM (SELECT CASE WHEN person_a = ${merge.id} THEN person_b ELSE person_a END AS other, decided_by, decided_at
            FROM person_not_duplicates WHERE person_a = ${merge.id} OR person_b = ${merge.id}) d
      WHERE other <> ${keep.id}
      ON CONFLICT DO NOTHING
      RETURNING person_a::text AS person_a, person_b::text AS person_b`.execute(trx);
    if (decisions.rows.length > 0) {
      moved['+person_not_duplicates'] = {
        key: decisions.rows.map((r) => JSON.stringify([r.person_a, r.person_b])),
      };
    }

    // Identifiers the kept record lacks.
    const copied = COPIED_IF_MISSING.filter((column) => {
      if (column === 'date_of_birth')
        return keep.dateOfBirth === null && keep.expectedDateOfBirth === null && merge.dateOfBirth !== null;
      const key = {
        nhs_number: 'nhsNumber',
        upn: 'upn',
        consistent_child_id: 'consistentChildId',
        council_person_id: 'councilPersonId',
      } as const;
      return keep[key[column]] === null && merge[key[column]] !== null;
    });
    const copies = Object.fromEntries(copied.map((column) => [column, sql.ref(`merged.${column}`)]));
    await sql`
      UPDATE people SET version = people.version + 1, updated_at = ${now}
        ${copied.length > 0 ? sql`, ${sql.join(Object.entries(copies).map(([c, v]) => sql`${sql.id(c)} = ${v}`))}` : sql``}
      FROM people AS merged WHERE people.id = ${keep.id} AND merged.id = ${merge.id}`.execute(trx);
    if (copied.length > 0) moved['=people'] = { copied: [...copied] };

    // The merged record's name, as an alias of the kept person, unless they already have it.
    const sameName = (g: string, f: string) =>
      g.trim().toLowerCase() === merge.givenName.trim().toLowerCase() &&
      f.trim().toLowerCase() === merge.familyName.trim().toLowerCase();
    const names = await trx
      .selectFrom('person_names')
      .select(['given_name', 'family_name'])
      .where('person_id', '=', keep.id)
      .execute();
    if (
      !sameName(keep.givenName, keep.familyName) &&
      !names.some((n) => sameName(n.given_name, n.family_name))
    ) {
      const alias = await trx
        .insertInto('person_names')
        .values({
          person_id: keep.id,
          kind: 'alias',
          given_name: merge.givenName,
          family_name: merge.familyName,
          used_until: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      moved['+person_names'] = { key: [alias.id] };
    }

    const versions: Record<string, string[]> = {};
    for (const row of before.rows)
      versions[row.id] = [String(row.version), row.updated_at, String(row.version + 1)];
    moved['~people'] = versions;

    const record = await trx
      .insertInto('person_merges')
      .values({
        kept_person_id: keep.id,
        merged_person_id: merge.id,
        moved: JSON.stringify(moved),
        merged_by: actor.userId,
        merged_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();

    const counts = Object.fromEntries(
      Object.entries(moved)
        .filter(([table]) => !table.startsWith('~'))
        .map(([table, columns]) => [table, Object.values(columns).reduce((n, keys) => n + keys.length, 0)]),
    );
    await recordAudit(
      trx,
      {
        actorUserId: actor.userId,
        action: 'person.merged',
        entityType: 'person',
        entityId: keep.id,
        detail: { mergeId: record.id, keptPersonId: keep.id, mergedPersonId: merge.id, rows: counts },
        requestId: input.requestId ?? null,
      },
      {
        actorUserId: actor.userId,
        action: 'person.merged_away',
        entityType: 'person',
        entityId: merge.id,
        detail: { mergeId: record.id, keptPersonId: keep.id, mergedPersonId: merge.id },
        requestId: input.requestId ?? null,
      },
    );
    return { mergeId: record.id };
  });
}

// ---------------------------------------------------------------------------------------------------
// Undo

/**
 * Undoes a merge exactly: the recorded rows move back, what the merge added is removed, copied
 * identifiers are cleared, the merged record stands alone again and, when nobody has changed either
 * record since, both get back their versions and update times.
 *
 * Refused (UndoBlockedError, nothing changed) when undoing would be unsafe, detected as:
 * - the merge is already undone, or the kept record has since been merged into another record;
 * - the merged record no longer points at the kept record;
 * - any recorded row no longer exists or no longer points at the kept record (deleted, re-pointed,
 *   or carried on by a later merge): moving the others alone would split the history;
 * - an identifier the merge copied onto the kept record has been changed since, so clearing it
 *   would lose someone's correction;
 * - moving a row back breaks a rule of the database (for example a unique key taken since).
 */
export async function undoMerge(
  deps: Deps,
  actor: Actor,
  mergeId: string,
  requestId?: string,
): Promise<{ keptPersonId: string; mergedPersonId: string }> {
  requireMergePermission(actor);
  if (!UUID.test(mergeId)) throw new NotFoundError();
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const merge = await trx
      .selectFrom('person_merges')
      .innerJoin('people', 'people.id', 'person_merges.kept_person_id')
      .select(['person_merges.id', 'kept_person_id', 'merged_person_id', 'moved', 'undone_at'])
      .where('person_merges.id', '=', mergeId)
      .where('people.organisation_id', '=', actor.organisationId)
      .forUpdate()
      .executeTakeFirst();
    if (!merge) throw new NotFoundError();
    const facts = await loadFacts(
      trx,
      actor,
      deps.clock,
      [merge.kept_person_id, merge.merged_person_id].sort(),
      true,
    );
    const kept = facts.get(merge.kept_person_id);
    const merged = facts.get(merge.merged_person_id);
    if (!kept || !merged || !kept.inMergeScope) throw new NotFoundError();
    const moved = (typeof merge.moved === 'string' ? JSON.parse(merge.moved) : merge.moved) as Moved;

    const problems: string[] = [];
    if (merge.undone_at) problems.push('This merge has already been undone.');
    if (kept.mergedInto)
      problems.push('The kept record has since been merged into another record. Undo that merge first.');
    if (merged.mergedInto !== kept.id)
      problems.push('The merged record no longer points at the kept record.');
    if (kept.restrictedFromActor || merged.restrictedFromActor) {
      problems.push(
        'One of the records is restricted and you are not one of the staff named on the restriction.',
      );
    }
    if (problems.length > 0) throw new UndoBlockedError(problems);

    const references = await personReferences(trx);
    const keyOf = new Map(references.map((r) => [`${r.table}.${r.column}`, r.primaryKey]));

    // 1. Copied identifiers must still be what the merge copied; then clear them (before the merged
    //    record takes its NHS number back under the unique index).
    const copied = moved['=people']?.['copied'] ?? [];
    for (const column of copied) {
      if (!(COPIED_IF_MISSING as readonly string[]).includes(column))
        throw new Error(`Unexpected copied column ${column}`);
      const same = await sql<{ same: boolean }>`
        SELECT k.${sql.id(column)} IS NOT DISTINCT FROM m.${sql.id(column)} AS same
        FROM people k, people m WHERE k.id = ${kept.id} AND m.id = ${merged.id}`.execute(trx);
      if (!same.rows[0]?.same)
        problems.push(`The kept record’s ${column.replace(/_/g, ' ')} has been changed since the merge.`);
    }

    // 2. Every moved row must still exist and still point at the kept record.
    const moves: { table: string; column: string; primaryKey: readonly string[]; keys: string[] }[] = [];
    for (const [table, columns] of Object.entries(moved)) {
      if (/^[+=~]/.test(table)) continue;
      for (const [column, keys] of Object.entries(columns)) {
        const primaryKey = keyOf.get(`${table}.${column}`);
        if (!primaryKey || primaryKey.length === 0) {
          problems.push(`The table “${table}” has changed shape since the merge.`);
          continue;
        }
        let present = 0;
        for (const chunk of chunks(keys)) {
          const found = await sql<{ n: number }>`
            SELECT count(*)::int AS n FROM ${sql.id(table)} WHERE ${sql.ref(column)} = ${kept.id} AND ${keyMatches(primaryKey, chunk)}`.execute(
            trx,
          );
          present += found.rows[0]?.n ?? 0;
        }
        if (present !== keys.length) {
          problems.push(
            `${keys.length - present} of the ${keys.length} entries moved in “${TABLE_LABELS[table] ?? table}” have been removed or moved to another record since the merge.`,
          );
        }
        moves.push({ table, column, primaryKey, keys });
      }
    }
    if (problems.length > 0) throw new UndoBlockedError(problems);

    // 3. Remove what the merge added.
    for (const [entry, columns] of Object.entries(moved)) {
      if (!entry.startsWith('+')) continue;
      const table = entry.slice(1);
      const keys = columns['key'] ?? [];
      const primaryKey = table === 'person_not_duplicates' ? ['person_a', 'person_b'] : ['id'];
      for (const chunk of chunks(keys)) {
        await sql`DELETE FROM ${sql.id(table)} WHERE ${keyMatches(primaryKey, chunk)}`.execute(trx);
      }
    }
    if (copied.length > 0) {
      await sql`UPDATE people SET ${sql.join(copied.map((c) => sql`${sql.id(c)} = NULL`))} WHERE id = ${kept.id}`.execute(
        trx,
      );
    }

    // 4. The merged record stands alone again.
    await trx.updateTable('people').set({ merged_into: null }).where('id', '=', merged.id).execute();

    // 5. Move the recorded rows back.
    for (const { table, column, primaryKey, keys } of moves) {
      for (const chunk of chunks(keys)) {
        try {
          await sql`UPDATE ${sql.id(table)} SET ${sql.ref(column)} = ${merged.id}
            WHERE ${sql.ref(column)} = ${kept.id} AND ${keyMatches(primaryKey, chunk)}`.execute(trx);
        } catch (error) {
          const code = databaseErrorCode(error);
          if (code === '23505' || code === '23514') {
            throw new UndoBlockedError([
              `An entry in “${TABLE_LABELS[table] ?? table}” cannot be moved back without clashing with one added since the merge.`,
            ]);
          }
          throw error;
        }
      }
    }

    // 6. Versions: exactly as before when nobody has changed the record since the merge, else one more.
    for (const [personId, [versionBefore, updatedBefore, versionAfter]] of Object.entries(
      moved['~people'] ?? {},
    )) {
      const current = personId === kept.id ? kept.version : merged.version;
      if (String(current) === versionAfter && versionBefore !== undefined && updatedBefore !== undefined) {
        await sql`UPDATE people SET version = ${Number(versionBefore)}, updated_at = ${updatedBefore}::timestamptz WHERE id = ${personId}`.execute(
          trx,
        );
      } else {
        await sql`UPDATE people SET version = version + 1, updated_at = ${now} WHERE id = ${personId}`.execute(
          trx,
        );
      }
    }

    await trx
      .updateTable('person_merges')
      .set({ undone_by: actor.userId, undone_at: now })
      .where('id', '=', merge.id)
      .execute();
    await recordAudit(
      trx,
      {
        actorUserId: actor.userId,
        action: 'person.merge_undone',
        entityType: 'person',
        entityId: kept.id,
        detail: { mergeId: merge.id, keptPersonId: kept.id, mergedPersonId: merged.id },
        requestId: requestId ?? null,
      },
      {
        actorUserId: actor.userId,
        action: 'person.merge_undone',
        entityType: 'person',
        entityId: merged.id,
        detail: { mergeId: merge.id, keptPersonId: kept.id, mergedPersonId: merged.id },
        requestId: requestId ?? null,
      },
    );
    return { keptPersonId: kept.id, mergedPersonId: merged.id };
  });
}

// ---------------------------------------------------------------------------------------------------
// History, and where a merged record's old id leads

export type MergeHistoryEntry = {
  readonly id: string;
  readonly keptPersonId: string;
  readonly mergedPersonId: string;
  /** The merged record's name (the actor can merge the kept record, so may see it). */
  readonly mergedName: string;
  readonly mergedBy: string;
  readonly mergedAt: Date;
  readonly undoneBy: string | null;
  readonly undoneAt: Date | null;
  /** Rows moved or added, by table label. */
  readonly rows: readonly { label: string; count: number }[];
};

/** The merges into a record, newest first, for someone who may merge it. */
export async function mergeHistory(
  deps: Deps,
  actor: Actor,
  personId: string,
): Promise<{
  person: { id: string; givenName: string; familyName: string; mergedInto: string | null };
  merges: MergeHistoryEntry[];
}> {
  requireMergePermission(actor);
  if (!UUID.test(personId)) throw new NotFoundError();
  const person = (await loadFacts(deps.db, actor, deps.clock, [personId], false)).get(personId);
  // Outside the actor's area, or restricted from them: as if it did not exist.
  if (!person?.inMergeScope || person.restrictedFromActor) throw new NotFoundError();
  const rows = await deps.db
    .selectFrom('person_merges as m')
    .innerJoin('people as merged', 'merged.id', 'm.merged_person_id')
    .innerJoin('users as by', 'by.id', 'm.merged_by')
    .leftJoin('users as undoer', 'undoer.id', 'm.undone_by')
    .select([
      'm.id',
      'm.kept_person_id',
      'm.merged_person_id',
      'm.moved',
      'm.merged_at',
      'm.undone_at',
      'merged.given_name',
      'merged.family_name',
      'by.display_name as merged_by',
      'undoer.display_name as undone_by',
    ])
    .where('m.kept_person_id', '=', personId)
    .orderBy('m.merged_at', 'desc')
    .execute();
  return {
    person: {
      id: person.id,
      givenName: person.givenName,
      familyName: person.familyName,
      mergedInto: person.mergedInto,
    },
    merges: rows.map((r) => {
      const moved = (typeof r.moved === 'string' ? JSON.parse(r.moved) : r.moved) as Moved;
      const counts = new Map<string, number>();
      for (const [entry, columns] of Object.entries(moved)) {
        if (/^[=~]/.test(entry)) continue;
        const table = entry.replace(/^\+/, '');
        const label = TABLE_LABELS[table] ?? table.replace(/_/g, ' ');
        counts.set(
          label,
          (counts.get(label) ?? 0) + Object.values(columns).reduce((n, keys) => n + keys.length, 0),
        );
      }
      return {
        id: r.id,
        keptPersonId: r.kept_person_id,
        mergedPersonId: r.merged_person_id,
        mergedName: `${r.given_name} ${r.family_name}`,
        mergedBy: r.merged_by,
        mergedAt: r.merged_at,
        undoneBy: r.undone_by,
        undoneAt: r.undone_at,
        rows: [...counts].map(([label, count]) => ({ label, count })),
      };
    }),
  };
}

/**
 * Where a record's id leads: the id of the live record it was (perhaps in several steps) merged into,
 * or undefined when it was not merged or does not exist. For `/children/<mergedId>` to redirect (303)
 * to the kept record; the kept record's own page then applies the usual scope.
 */
export async function resolveMerged(db: Executor, id: string): Promise<string | undefined> {
  if (!UUID.test(id)) return undefined;
  const result = await sql<{ id: string }>`
    WITH RECURSIVE chain (id, merged_into, depth) AS (
      SELECT id, merged_into, 0 FROM people WHERE id = ${id}
      UNION ALL
      SELECT p.id, p.merged_into, c.depth + 1 FROM people p JOIN chain c ON p.id = c.merged_into WHERE c.depth < 50
    )
    SELECT id::text AS id FROM chain WHERE merged_into IS NULL AND depth > 0 LIMIT 1`.execute(db);
  return result.rows[0]?.id;
}

/**
 * For the person pages: where a merged-away record's id leads for this actor. Undefined when the id
 * is not a record of the actor's council that was merged (the page then behaves as usual). When it
 * was merged and the kept record is in the actor's read scope, the kept record (to redirect to);
 * when the kept record is outside their scope, "not found" like any other record they cannot see,
 * and the refusal is audited as viewPerson audits one.
 */
export async function mergedRecordTarget(
  deps: Deps,
  actor: Actor,
  personId: string,
  context: { readonly requestId: string; readonly route: string },
): Promise<{ id: string; isChild: boolean } | undefined> {
  if (!UUID.test(personId)) return undefined;
  const record = await deps.db
    .selectFrom('people')
    .select('merged_into')
    .where('id', '=', personId)
    .where('organisation_id', '=', actor.organisationId)
    .executeTakeFirst();
  if (!record?.merged_into) return undefined;
  const keptId = await resolveMerged(deps.db, personId);
  const kept = keptId
    ? await deps.db
        .selectFrom('people')
        .select(['id', 'is_child'])
        .where('id', '=', keptId)
        .where(personInScope(actor, 'read', deps.clock))
        .executeTakeFirst()
    : undefined;
  if (kept) return { id: kept.id, isChild: kept.is_child };
  await recordView(deps.db, {
    actorUserId: actor.userId,
    action: 'access.denied',
    entityType: 'person',
    entityId: personId,
    detail: { route: context.route, merged: true },
    requestId: context.requestId,
  });
  throw new NotFoundError();
}

/** Whether `mergedId` was merged (perhaps in several steps) into `keptId`: for the page's banner. */
export async function wasMergedInto(db: Executor, mergedId: string, keptId: string): Promise<boolean> {
  return UUID.test(mergedId) && UUID.test(keptId) && (await resolveMerged(db, mergedId)) === keptId;
}
