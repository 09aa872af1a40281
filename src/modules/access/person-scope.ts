import { sql, type AliasableExpression, type ExpressionBuilder, type Expression, type SqlBool } from 'kysely';
import type { Database } from '../../db/database.ts';
import { londonDate, type Clock } from '../../platform/clock.ts';
import { scopeFor, type Actor } from './actor.ts';

/**
 * The record scope of a person for an actor, as a SQL condition on `people`: used both to filter
 * lists and to fetch one record, so a record outside scope is simply not found.
 *
 * can(actor, action, person) = the role allows the action at some scope
 *   ∧ (the person is within that scope ∨ an unexpired break-glass grant covers them, for reading).
 * The 'partner' scope (partner agencies' practitioners) is the exception: see partnerRoute.
 */
export function personInScope(
  actor: Actor,
  action: 'read' | 'write',
  clock: Clock,
): (eb: ExpressionBuilder<Database, 'people'>) => Expression<SqlBool> {
  return personInScopeFor(actor, 'person', action, clock);
}

/**
 * `personInScopeFor` as a true/false column, for a page that reads whether the actor may also change
 * (or allocate) the record in the same query as the record itself.
 */
export function personInScopeFlag(
  actor: Actor,
  resource: string,
  action: string,
  clock: Clock,
): (eb: ExpressionBuilder<Database, 'people'>) => AliasableExpression<boolean> {
  const inScope = personInScopeFor(actor, resource, action, clock);
  return (eb) => eb.case().when(inScope(eb)).then(true).else(false).end();
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
    if (scope === 'partner') return partnerRoute(eb, actor, clock);
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

/**
 * The partner scope: an active membership of the child's team around the family whose lawful basis
 * holds today (a safeguarding duty, or a consent that covers the member's organisation, has started,
 * has not expired and has not been withdrawn), or membership of a multi-agency team of the child's
 * authority to which the child is allocated. Never the authority at large, never break-glass.
 */
function partnerRoute(
  eb: ExpressionBuilder<Database, 'people'>,
  actor: Actor,
  clock: Clock,
): Expression<SqlBool> {
  const today = londonDate(clock.now());
  const membership = eb.exists(
    eb
      .selectFrom('team_around_family_members as m')
      .select(sql.lit(1).as('one'))
      .whereRef('m.child_id', '=', 'people.id')
      .where('m.user_id', '=', actor.userId)
      .where('m.organisation_id', '=', actor.organisationId)
      .where('m.ended_at', 'is', null)
      .where('m.from_on', '<=', today)
      .where((inner) =>
        inner.or([
          inner('m.legal_basis', '=', 'safeguarding_duty'),
          inner.exists(
            inner
              .selectFrom('consents as c')
              .innerJoin('consent_organisations as co', 'co.consent_id', 'c.id')
              .select(sql.lit(1).as('one'))
              .whereRef('c.id', '=', 'm.consent_id')
              .whereRef('c.child_id', '=', 'm.child_id')
              .whereRef('co.organisation_id', '=', 'm.organisation_id')
              .where('c.valid_from', '<=', today)
              .where((c) => c.or([c('c.valid_until', 'is', null), c('c.valid_until', '>=', today)]))
              .where((c) => c.or([c('c.withdrawn_on', 'is', null), c('c.withdrawn_on', '>', today)])),
          ),
        ]),
      ),
  );
  if (actor.teamIds.length === 0) return membership;
  const multiAgency = eb.exists(
    eb
      .selectFrom('allocations')
      .innerJoin('teams', 'teams.id', 'allocations.team_id')
      .select(sql.lit(1).as('one'))
      .whereRef('allocations.person_id', '=', 'people.id')
      .whereRef('teams.organisation_id', '=', 'people.organisation_id')
      .where('allocations.ended_at', 'is', null)
      .where('teams.multi_agency', '=', true)
      .where('allocations.team_id', 'in', actor.teamIds),
  );
  return eb.or([membership, multiAgency]);
}
