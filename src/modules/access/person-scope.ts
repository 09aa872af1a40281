import { sql, type ExpressionBuilder, type Expression, type SqlBool } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import { scopeFor, type Actor } from './actor.ts';

/**
 * The record scope of a person for an actor, as a SQL condition on `people`: used both to filter
 * lists and to fetch one record, so a record outside scope is simply not found.
 *
 * can(actor, action, person) = the role allows the action at some scope
 *   ∧ (the person is within that scope ∨ an unexpired break-glass grant covers them, for reading).
 */
export function personInScope(
  actor: Actor,
  action: 'read' | 'write',
  clock: Clock,
): (eb: ExpressionBuilder<Database, 'people'>) => Expression<SqlBool> {
  return personInScopeFor(actor, 'person', action, clock);
}

/**
 * The same record scope for another resource held about a person (e.g. 'help' for episodes of help,
 * plans and visits): the scope comes from the actor's permission on that resource and action;
 * break-glass widens reading only.
 */
export function personInScopeFor(
  actor: Actor,
  resource: string,
  action: string,
  clock: Clock,
): (eb: ExpressionBuilder<Database, 'people'>) => Expression<SqlBool> {
  const scope = scopeFor(actor, resource, action);
  return (eb) => {
    const sameAuthority = eb('people.organisation_id', '=', actor.organisationId);
    const activeAllocation = eb
      .selectFrom('allocations')
      .innerJoin('teams', 'teams.id', 'allocations.team_id')
      .select(sql.lit(1).as('one'))
      .whereRef('allocations.person_id', '=', 'people.id')
      .where('allocations.ended_at', 'is', null);
    const routes: Expression<SqlBool>[] = [];
    if (scope === 'authority') routes.push(sameAuthority);
    if (scope === 'locality' && actor.localityIds.length > 0) {
      routes.push(eb.exists(activeAllocation.where('teams.locality_id', 'in', actor.localityIds)));
    }
    if (scope === 'team' && actor.teamIds.length > 0) {
      routes.push(eb.exists(activeAllocation.where('allocations.team_id', 'in', actor.teamIds)));
    }
    if (scope === 'own') {
      routes.push(eb.exists(activeAllocation.where('allocations.worker_user_id', '=', actor.userId)));
    }
    if (action === 'read' && scope !== undefined) {
      routes.push(
        eb.exists(
          eb
            .selectFrom('break_glass_grants')
            .select(sql.lit(1).as('one'))
            .whereRef('break_glass_grants.person_id', '=', 'people.id')
            .where('break_glass_grants.user_id', '=', actor.userId)
            .where('break_glass_grants.expires_at', '>', clock.now()),
        ),
      );
    }
    if (routes.length === 0) return sql<SqlBool>`false`;
    return eb.and([sameAuthority, eb.or(routes)]);
  };
}
