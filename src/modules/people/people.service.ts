import { recordAudit } from '../../platform/audit/audit.ts';
import type { Deps } from '../../platform/deps.ts';
import { NotFoundError } from '../../platform/errors.ts';
import type { Actor } from '../access/actor.ts';
import { personInScope } from '../access/person-scope.ts';

export type PersonSummary = {
  readonly id: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly dateOfBirth: string | null;
};

export type PersonRecord = PersonSummary & {
  readonly teamName: string | null;
  readonly workerName: string | null;
  readonly viaBreakGlass: boolean;
};

export type ViewContext = { readonly requestId: string; readonly route: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The children and adults this actor may see, in name order. */
export async function listPeopleInScope(deps: Deps, actor: Actor, limit = 100): Promise<PersonSummary[]> {
  const rows = await deps.db
    .selectFrom('people')
    .select(['id', 'given_name', 'family_name', 'date_of_birth'])
    .where(personInScope(actor, 'read', deps.clock))
    .orderBy('family_name')
    .orderBy('given_name')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, givenName: r.given_name, familyName: r.family_name, dateOfBirth: r.date_of_birth }));
}

/**
 * Opens a person's record for viewing. Outside the actor's scope it is "not found", exactly as for a
 * missing record, and the refusal is audited; every successful view writes an access entry in the same
 * transaction as the read.
 */
export async function viewPerson(deps: Deps, actor: Actor, personId: string, context: ViewContext): Promise<PersonRecord> {
  if (!UUID.test(personId)) throw new NotFoundError();
  // The refusal is audited inside the transaction, so it must commit: the error is thrown after it.
  const record = await deps.db.transaction().execute(async (trx): Promise<PersonRecord | undefined> => {
    const row = await trx
      .selectFrom('people')
      .leftJoin('allocations', (join) =>
        join.onRef('allocations.person_id', '=', 'people.id').on('allocations.ended_at', 'is', null),
      )
      .leftJoin('teams', 'teams.id', 'allocations.team_id')
      .leftJoin('users as worker', 'worker.id', 'allocations.worker_user_id')
      .select([
        'people.id',
        'people.given_name',
        'people.family_name',
        'people.date_of_birth',
        'teams.name as team_name',
        'worker.display_name as worker_name',
      ])
      .where('people.id', '=', personId)
      .where(personInScope(actor, 'read', deps.clock))
      .executeTakeFirst();
    if (!row) {
      await recordAudit(trx, {
        actorUserId: actor.userId,
        action: 'access.denied',
        entityType: 'person',
        entityId: personId,
        detail: { route: context.route },
        requestId: context.requestId,
      });
      return undefined;
    }
    const viaBreakGlass = !(await isInOrdinaryScope(trx, actor, personId));
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'person.view',
      entityType: 'person',
      entityId: personId,
      detail: { route: context.route, ...(viaBreakGlass ? { basis: 'break_glass' } : {}) },
      requestId: context.requestId,
    });
    return {
      id: row.id,
      givenName: row.given_name,
      familyName: row.family_name,
      dateOfBirth: row.date_of_birth,
      teamName: row.team_name,
      workerName: row.worker_name,
      viaBreakGlass,
    };
  });
  if (!record) throw new NotFoundError();
  return record;
}

/** Reads in the caller's transaction: on PGlite (one connection) a read outside it would wait forever. */
async function isInOrdinaryScope(db: Deps['db'], actor: Actor, personId: string): Promise<boolean> {
  // Every grant has expired by the end of time, so this asks for ordinary scope alone.
  const endOfTime = { now: () => new Date('9999-12-31T00:00:00Z') };
  const row = await db
    .selectFrom('people')
    .select('id')
    .where('id', '=', personId)
    .where(personInScope(actor, 'read', endOfTime))
    .executeTakeFirst();
  return row !== undefined;
}

export type AccessEntry = { readonly when: Date; readonly who: string; readonly action: string; readonly route: string | null };

/** Who has looked at this record: for the person's own page ("who has viewed this record"). */
export async function recordAccessLog(
  deps: Deps,
  actor: Actor,
  personId: string,
  context: ViewContext,
): Promise<{ person: PersonRecord; entries: AccessEntry[] }> {
  const person = await viewPerson(deps, actor, personId, context);
  const rows = await deps.db
    .selectFrom('audit_log')
    .leftJoin('users', 'users.id', 'audit_log.actor_user_id')
    .select(['audit_log.occurred_at', 'users.display_name', 'audit_log.action', 'audit_log.detail'])
    .where('audit_log.entity_type', '=', 'person')
    .where('audit_log.entity_id', '=', personId)
    .where('audit_log.action', 'in', ['person.view', 'break_glass.granted'])
    .orderBy('audit_log.seq', 'desc')
    .limit(200)
    .execute();
  const entries = rows.map((r) => ({
    when: r.occurred_at,
    who: r.display_name ?? 'Unknown',
    action: r.action,
    route: typeof r.detail['route'] === 'string' ? r.detail['route'] : null,
  }));
  return { person, entries };
}
