import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import { recordView } from '../../platform/audit/audit.ts';
import { ForbiddenError, NotFoundError } from '../../platform/errors.ts';
import { can, type Actor } from '../access/actor.ts';
import { personInScopeFor } from '../access/person-scope.ts';
import type { HelpEpisodeTable } from './help.table.ts';
import type { Selectable } from 'kysely';

export type Executor = Kysely<Database> | Transaction<Database>;

/**
 * What an actor may do with a child's help record. Every action is held at a scope (own, team,
 * locality, authority) and checked against the child's record in SQL, so a child outside scope is
 * simply not found.
 *   read      see the episode, plans, visits, chronology
 *   write     record visits, notes, assessments, plans; step up or down; close
 *   request   make a request for help about any child of the council
 *   decide    decide requests at the front door (the request's team)
 *   authorise authorise assessments
 *   allocate  allocate a team and lead practitioner
 */
export type HelpAction = 'read' | 'write' | 'request' | 'decide' | 'authorise' | 'allocate';

export function requireHelpPermission(actor: Actor, action: HelpAction): void {
  if (!can(actor, 'help', action)) throw new ForbiddenError();
}

/** The child, if the actor may do `action` on their help record; otherwise NotFoundError. */
export async function childInHelpScope(
  db: Executor,
  actor: Actor,
  clock: Clock,
  personId: string,
  action: HelpAction,
): Promise<{ id: string; given_name: string; family_name: string; date_of_birth: string | null }> {
  if (!UUID.test(personId)) throw new NotFoundError();
  const row = await db
    .selectFrom('people')
    .select(['people.id', 'people.given_name', 'people.family_name', 'people.date_of_birth'])
    .where('people.id', '=', personId)
    .where('people.merged_into', 'is', null)
    .where(personInScopeFor(actor, 'help', action === 'read' ? 'read' : action, clock))
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  return row;
}

/** The episode, if the actor may do `action` on the child's help record; otherwise NotFoundError. */
export async function episodeInScope(
  db: Executor,
  actor: Actor,
  clock: Clock,
  episodeId: string,
  action: HelpAction,
): Promise<Selectable<HelpEpisodeTable>> {
  if (!UUID.test(episodeId)) throw new NotFoundError();
  const row = await db
    .selectFrom('help_episodes')
    .innerJoin('people', 'people.id', 'help_episodes.person_id')
    .selectAll('help_episodes')
    .where('help_episodes.id', '=', episodeId)
    .where('help_episodes.organisation_id', '=', actor.organisationId)
    .where(personInScopeFor(actor, 'help', action, clock))
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  return row;
}

/** Locks the episode row for the rest of the transaction (status changes are serialised per child). */
export async function lockEpisode(trx: Transaction<Database>, episodeId: string): Promise<void> {
  await sql`SELECT 1 FROM help_episodes WHERE id = ${episodeId} FOR UPDATE`.execute(trx);
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Today's date in England (Europe/London), as YYYY-MM-DD. */
export { londonDate } from '../../platform/clock.ts';

/**
 * Reading any part of a child's help record (the episode, a request about them, assessments, plans,
 * visits, notes, documents, the chronology) is a view of the child: one 'person.view' audit row, in
 * the read's transaction when given one, otherwise committed with other views (recordView) before
 * anything is shown. Ids, routes and codes only.
 */
export async function auditChildView(
  db: Executor,
  actor: Actor,
  input: {
    personId: string;
    route: string;
    purpose: string;
    requestId?: string | null | undefined;
    helpRequestId?: string;
  },
): Promise<void> {
  await recordView(db, {
    actorUserId: actor.userId,
    action: 'person.view',
    entityType: 'person',
    entityId: input.personId,
    detail: {
      route: input.route,
      purpose: input.purpose,
      ...(input.helpRequestId ? { helpRequestId: input.helpRequestId } : {}),
    },
    requestId: input.requestId ?? null,
  });
}
