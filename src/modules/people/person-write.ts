import type { Expression, ExpressionBuilder, Kysely, SqlBool, Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Deps } from '../../platform/deps.ts';
import { ForbiddenError, NotFoundError } from '../../platform/errors.ts';
import { can, scopeFor, type Actor } from '../access/actor.ts';
import { personInScope } from '../access/person-scope.ts';
import { DUPLICATE_REASON_LABELS, findLikelyDuplicates } from './duplicates.ts';
import type { PersonDetails } from './person-form.ts';
import { restrictedFrom } from './restrictions.ts';

type Executor = Kysely<Database> | Transaction<Database>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** A SQL condition as a true/false column. */
export function asFlag<T extends keyof Database>(
  eb: ExpressionBuilder<Database, T>,
  condition: Expression<SqlBool>,
) {
  return eb.case().when(condition).then(true).else(false).end();
}

/** Where a person's page is: children at /children/:id, adults at /people/:id. */
export function personPath(person: { id: string; isChild: boolean }): string {
  return person.isChild ? `/children/${person.id}` : `/people/${person.id}`;
}

export type WritablePerson = {
  readonly id: string;
  readonly name: string;
  readonly isChild: boolean;
  readonly version: number;
};

/**
 * The person, if this actor may change their record. Outside read scope (or missing) it is "not
 * found"; readable but not writable is "forbidden". Reads in the caller's transaction when given one.
 */
export async function requireWritable(
  db: Executor,
  deps: Deps,
  actor: Actor,
  personId: string,
): Promise<WritablePerson> {
  if (!isUuid(personId)) throw new NotFoundError();
  const row = await db
    .selectFrom('people')
    .select(['id', 'given_name', 'family_name', 'is_child', 'version'])
    .select((eb) => [
      asFlag(eb, personInScope(actor, 'write', deps.clock)(eb)).as('writable'),
      asFlag(eb, restrictedFrom(actor, deps.clock)(eb)).as('restricted'),
    ])
    .where('id', '=', personId)
    .where('merged_into', 'is', null)
    .where(personInScope(actor, 'read', deps.clock))
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  // A restricted record shows only its name to those it does not name, so they cannot change it.
  if (!row.writable || row.restricted) throw new ForbiddenError();
  return {
    id: row.id,
    name: `${row.given_name} ${row.family_name}`,
    isChild: row.is_child,
    version: row.version,
  };
}

/** A person this actor may see (for going to a record the practitioner picked), or not found. */
export async function findVisiblePerson(
  deps: Deps,
  actor: Actor,
  personId: string,
): Promise<{ id: string; isChild: boolean }> {
  if (!isUuid(personId)) throw new NotFoundError();
  const row = await deps.db
    .selectFrom('people')
    .select(['id', 'is_child'])
    .where('id', '=', personId)
    .where('merged_into', 'is', null)
    .where(personInScope(actor, 'read', deps.clock))
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  return { id: row.id, isChild: row.is_child };
}

/** The team a new record is allocated to: the creator's first team. */
export function creatorTeam(actor: Actor): string | undefined {
  return actor.teamIds[0];
}

/** Whether this actor may add people, and has a team to allocate them to. */
export function canCreatePeople(actor: Actor): boolean {
  return can(actor, 'person', 'create') && creatorTeam(actor) !== undefined;
}

/**
 * Inserts a person and allocates them to the creator's team, so the creator can see the record. A
 * creator whose own write scope is "own" (a practitioner) becomes the allocated worker too, so they
 * can go on to add the person's addresses and relationships. Audited in the same transaction.
 */
export async function insertPerson(
  trx: Transaction<Database>,
  deps: Deps,
  actor: Actor,
  details: PersonDetails,
  requestId: string,
  how: 'form' | 'relationship',
): Promise<string> {
  const teamId = creatorTeam(actor);
  if (!can(actor, 'person', 'create') || teamId === undefined) throw new ForbiddenError();
  const person = await trx
    .insertInto('people')
    .values({ organisation_id: actor.organisationId, ...details })
    .returning('id')
    .executeTakeFirstOrThrow();
  const worker = scopeFor(actor, 'person', 'write') === 'own' ? actor.userId : null;
  await trx
    .insertInto('allocations')
    .values({ person_id: person.id, team_id: teamId, worker_user_id: worker, started_at: deps.clock.now() })
    .execute();
  await recordAudit(trx, {
    actorUserId: actor.userId,
    action: 'person.created',
    entityType: 'person',
    entityId: person.id,
    detail: { how, isChild: details.is_child, allocatedTeamId: teamId, allocatedWorker: worker !== null },
    requestId,
  });
  return person.id;
}

/** An adult added in passing (from the relationship form): just their name and date of birth. */
export function minimalAdult(
  givenName: string,
  familyName: string,
  dateOfBirth: string | null,
): PersonDetails {
  return {
    is_child: false,
    given_name: givenName,
    family_name: familyName,
    preferred_name: null,
    date_of_birth: dateOfBirth,
    expected_date_of_birth: null,
    sex: null,
    gender_identity: null,
    pronouns: null,
    ethnicity: null,
    first_language: null,
    interpreter_needed: false,
    religion: null,
    disabilities: [],
    immigration_status: null,
    uasc: false,
    date_of_death: null,
    nhs_number: null,
    upn: null,
    upn_unknown_reason: null,
    consistent_child_id: null,
    consistent_child_id_missing_reason: null,
    council_person_id: null,
  };
}

// ---------------------------------------------------------------------------------------------
// Likely duplicates, offered before a new record is made
// ---------------------------------------------------------------------------------------------

export type DuplicateCandidate = {
  readonly id: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly dateOfBirth: string | null;
  readonly isChild: boolean;
  /** Whether the actor may open the record; others are shown so the practitioner can ask. */
  readonly canOpen: boolean;
  /** Why each was offered, in words. */
  readonly reasons: readonly string[];
};

/**
 * People who may already be this one (duplicates.ts), across the whole council: the practitioner
 * picks one they can open, or is told to ask about one they cannot, before a new record is made.
 */
export async function likelyDuplicates(
  deps: Deps,
  actor: Actor,
  query: { givenName: string; familyName: string; dateOfBirth: string | null; nhsNumber: string | null },
  requestId: string,
): Promise<DuplicateCandidate[]> {
  const found = await findLikelyDuplicates(deps, actor, query, { requestId });
  if (found.length === 0) return [];
  const kinds = await deps.db
    .selectFrom('people')
    .select(['id', 'is_child'])
    .where(
      'id',
      'in',
      found.map((c) => c.id),
    )
    .execute();
  return found.map((c) => ({
    id: c.id,
    givenName: c.givenName,
    familyName: c.familyName,
    dateOfBirth: c.dateOfBirth,
    isChild: kinds.find((k) => k.id === c.id)?.is_child ?? true,
    canOpen: c.canOpen,
    reasons: c.reasons.map((r) => DUPLICATE_REASON_LABELS[r]),
  }));
}
