import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Database } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Deps } from '../../platform/deps.ts';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../../platform/errors.ts';
import { can, type Actor } from '../access/actor.ts';
import { personInScope } from '../access/person-scope.ts';

/**
 * Restricted records (adoption, staff and their relatives, high-profile people, people at risk from
 * domestic abuse): only the named users see more than the name. Break-glass opens a restricted record
 * for its hour, except an adoption record, which has no override.
 */
export const RESTRICTION_CATEGORIES = {
  adoption: 'Adoption',
  staff: 'A member of staff',
  staff_relative: 'A relative of a member of staff',
  high_profile: 'High profile',
  domestic_abuse_risk: 'At risk from domestic abuse',
} as const;

export type RestrictionCategory = keyof typeof RESTRICTION_CATEGORIES;

export function isRestrictionCategory(value: string): value is RestrictionCategory {
  return Object.hasOwn(RESTRICTION_CATEGORIES, value);
}

/**
 * SQL: true when `people` has an active restriction that does not name this actor (and, outside
 * adoption, no unexpired break-glass grant of theirs covers the person).
 */
export function restrictedFrom(
  actor: Actor,
  clock: Clock,
): (eb: ExpressionBuilder<Database, 'people'>) => Expression<SqlBool> {
  return (eb) =>
    eb.exists(
      eb
        .selectFrom('person_restrictions as r')
        .select(sql.lit(1).as('one'))
        .whereRef('r.person_id', '=', 'people.id')
        .where('r.ended_at', 'is', null)
        .where((inner) =>
          inner.not(
            inner.exists(
              inner
                .selectFrom('person_restriction_users as u')
                .select(sql.lit(1).as('one'))
                .whereRef('u.restriction_id', '=', 'r.id')
                .where('u.user_id', '=', actor.userId),
            ),
          ),
        )
        .where((inner) =>
          inner.or([
            inner('r.category', '=', 'adoption'),
            inner.not(
              inner.exists(
                inner
                  .selectFrom('break_glass_grants as g')
                  .select(sql.lit(1).as('one'))
                  .whereRef('g.person_id', '=', 'people.id')
                  .where('g.user_id', '=', actor.userId)
                  .where('g.expires_at', '>', clock.now()),
              ),
            ),
          ]),
        ),
    );
}

/**
 * SQL: true when `people` has an active restriction that does not name this actor, whatever
 * break-glass they hold. Stricter than restrictedFrom: for views that gather many people at once
 * (the family map, duplicate candidates), where one break-glass grant must not open relatives.
 */
export function restrictedFromViewer(
  actor: Actor,
): (eb: ExpressionBuilder<Database, 'people'>) => Expression<SqlBool> {
  return (eb) =>
    eb.exists(
      eb
        .selectFrom('person_restrictions as r')
        .select(sql.lit(1).as('one'))
        .whereRef('r.person_id', '=', 'people.id')
        .where('r.ended_at', 'is', null)
        .where((inner) =>
          inner.not(
            inner.exists(
              inner
                .selectFrom('person_restriction_users as u')
                .select(sql.lit(1).as('one'))
                .whereRef('u.restriction_id', '=', 'r.id')
                .where('u.user_id', '=', actor.userId),
            ),
          ),
        ),
    );
}

/** Whether this actor sees only the name of this person, and why. */
export async function restrictionFor(
  deps: Deps,
  actor: Actor,
  personId: string,
): Promise<{ restricted: false } | { restricted: true; category: RestrictionCategory }> {
  const row = await deps.db
    .selectFrom('people')
    .select((eb) => [
      eb.case().when(restrictedFrom(actor, deps.clock)(eb)).then(true).else(false).end().as('restricted'),
      eb
        .selectFrom('person_restrictions as r')
        .select('r.category')
        .whereRef('r.person_id', '=', 'people.id')
        .where('r.ended_at', 'is', null)
        .orderBy('r.created_at')
        .limit(1)
        .as('category'),
    ])
    .where('people.id', '=', personId)
    .executeTakeFirst();
  if (!row?.restricted) return { restricted: false };
  return { restricted: true, category: row.category ?? 'high_profile' };
}

export type RestrictionView = {
  readonly id: string;
  readonly category: RestrictionCategory;
  readonly reason: string;
  readonly reviewOn: string | null;
  readonly allowed: readonly { id: string; name: string }[];
};

async function requirePersonInScope(deps: Deps, actor: Actor, personId: string): Promise<void> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(personId))
    throw new NotFoundError();
  const found = await deps.db
    .selectFrom('people')
    .select('id')
    .where('id', '=', personId)
    .where(personInScope(actor, 'read', deps.clock))
    .executeTakeFirst();
  if (!found) throw new NotFoundError();
}

/** Restricts a record. The person restricting it is always on its list, so nobody locks themselves out. */
export async function restrictPerson(
  deps: Deps,
  actor: Actor,
  personId: string,
  input: {
    category: string;
    reason: string;
    allowedUserIds: readonly string[];
    reviewOn: string | null;
    requestId: string;
  },
): Promise<string> {
  if (!can(actor, 'person', 'restrict')) throw new ForbiddenError();
  await requirePersonInScope(deps, actor, personId);
  const errors = [];
  if (!isRestrictionCategory(input.category))
    errors.push({ field: 'category', message: 'Select why this record is restricted' });
  const reason = input.reason.trim();
  if (reason.length === 0)
    errors.push({ field: 'reason', message: 'Enter the reason for restricting this record' });
  if (reason.length > 2000)
    errors.push({ field: 'reason', message: 'Reason must be 2000 characters or fewer' });
  const allowed = [...new Set([actor.userId, ...input.allowedUserIds])];
  const valid = allowed.every((id) => /^[0-9a-f-]{36}$/i.test(id));
  const users = valid
    ? await deps.db
        .selectFrom('users')
        .select('id')
        .where('id', 'in', allowed)
        .where('organisation_id', '=', actor.organisationId)
        .execute()
    : [];
  if (users.length !== allowed.length)
    errors.push({ field: 'allowedUserIds', message: 'Select staff from the list' });
  if (errors.length > 0) throw new InvalidInputError(errors);
  return deps.db.transaction().execute(async (trx) => {
    const restriction = await trx
      .insertInto('person_restrictions')
      .values({
        person_id: personId,
        category: input.category as RestrictionCategory,
        reason,
        approved_by: actor.userId,
        review_on: input.reviewOn,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('person_restriction_users')
      .values(allowed.map((user_id) => ({ restriction_id: restriction.id, user_id })))
      .execute();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'person.restricted',
      entityType: 'person',
      entityId: personId,
      detail: { category: input.category, allowedUsers: allowed.length },
      requestId: input.requestId,
    });
    return restriction.id;
  });
}

export async function liftRestriction(
  deps: Deps,
  actor: Actor,
  personId: string,
  restrictionId: string,
  requestId: string,
): Promise<void> {
  if (!can(actor, 'person', 'restrict')) throw new ForbiddenError();
  await requirePersonInScope(deps, actor, personId);
  await deps.db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('person_restrictions')
      .set({ ended_at: deps.clock.now() })
      .where('id', '=', restrictionId)
      .where('person_id', '=', personId)
      .where('ended_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw new NotFoundError();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'person.restriction_lifted',
      entityType: 'person',
      entityId: personId,
      requestId,
    });
  });
}

/** The active restrictions on a record, for someone who may see it in full. */
export async function listRestrictions(deps: Deps, personId: string): Promise<RestrictionView[]> {
  const rows = await deps.db
    .selectFrom('person_restrictions')
    .select(['id', 'category', 'reason', 'review_on'])
    .where('person_id', '=', personId)
    .where('ended_at', 'is', null)
    .orderBy('created_at')
    .execute();
  if (rows.length === 0) return [];
  const allowed = await deps.db
    .selectFrom('person_restriction_users')
    .innerJoin('users', 'users.id', 'person_restriction_users.user_id')
    .select(['person_restriction_users.restriction_id', 'users.id', 'users.display_name'])
    .where(
      'person_restriction_users.restriction_id',
      'in',
      rows.map((r) => r.id),
    )
    .execute();
  return rows.map((r) => ({
    id: r.id,
    category: r.category,
    reason: r.reason,
    reviewOn: r.review_on,
    allowed: allowed
      .filter((a) => a.restriction_id === r.id)
      .map((a) => ({ id: a.id, name: a.display_name })),
  }));
}
