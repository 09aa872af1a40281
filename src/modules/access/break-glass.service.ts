import { sql } from 'kysely';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Deps } from '../../platform/deps.ts';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../../platform/errors.ts';
import { scopeFor, type Actor } from './actor.ts';

export const BREAK_GLASS_MINUTES = 60;

export const BREAK_GLASS_REASONS = {
  urgent_safeguarding: 'Urgent safeguarding concern',
  out_of_hours: 'Out of hours or emergency duty',
  covering_colleague: 'Covering for an absent colleague',
  other: 'Another reason',
} as const;

export type BreakGlassReasonCode = keyof typeof BREAK_GLASS_REASONS;

export function isBreakGlassReason(value: string): value is BreakGlassReasonCode {
  return Object.hasOwn(BREAK_GLASS_REASONS, value);
}

/** Only staff who may read people at all may ask for break-glass access (never a partner practitioner). */
export function mayAskForBreakGlass(actor: Actor): boolean {
  return scopeFor(actor, 'person', 'read') !== undefined;
}

/**
 * Grants time-limited read access to one person outside the actor's usual scope, for a stated reason.
 * Only staff who may read people at all can ask; the grant is audited and shown to managers.
 */
export async function breakGlass(
  deps: Deps,
  actor: Actor,
  input: { personId: string; reasonCode: string; reason: string; requestId: string },
): Promise<{ expiresAt: Date }> {
  if (!mayAskForBreakGlass(actor)) throw new ForbiddenError();
  const errors = [];
  if (!isBreakGlassReason(input.reasonCode)) errors.push({ field: 'reasonCode', message: 'Select why you need to see this record' });
  const reason = input.reason.trim();
  if (reason.length < 10) errors.push({ field: 'reason', message: 'Explain why you need to see this record, in 10 characters or more' });
  if (reason.length > 1000) errors.push({ field: 'reason', message: 'Explanation must be 1000 characters or fewer' });
  if (errors.length > 0) throw new InvalidInputError(errors);
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + BREAK_GLASS_MINUTES * 60_000);
  await deps.db.transaction().execute(async (trx) => {
    const person = await trx
      .selectFrom('people')
      .select('id')
      .where('id', '=', input.personId)
      .where('organisation_id', '=', actor.organisationId)
      .executeTakeFirst();
    if (!person) throw new NotFoundError();
    await trx
      .insertInto('break_glass_grants')
      .values({
        user_id: actor.userId,
        person_id: person.id,
        reason_code: input.reasonCode,
        reason,
        granted_at: now,
        expires_at: expiresAt,
      })
      .execute();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'break_glass.granted',
      entityType: 'person',
      entityId: person.id,
      detail: { reasonCode: input.reasonCode, minutes: BREAK_GLASS_MINUTES },
      requestId: input.requestId,
    });
  });
  return { expiresAt };
}

export type BreakGlassRow = {
  readonly id: string;
  readonly who: string;
  readonly personId: string;
  readonly reasonCode: string;
  readonly reason: string;
  readonly grantedAt: Date;
  readonly expiresAt: Date;
  readonly reviewedAt: Date | null;
};

/** Break-glass grants a manager should see: by their team's members, their locality's, or everyone's. */
export async function listBreakGlass(deps: Deps, actor: Actor): Promise<BreakGlassRow[]> {
  const scope = scopeFor(actor, 'break_glass', 'review');
  if (scope === undefined) throw new ForbiddenError();
  let query = deps.db
    .selectFrom('break_glass_grants')
    .innerJoin('users', 'users.id', 'break_glass_grants.user_id')
    .select([
      'break_glass_grants.id',
      'users.display_name',
      'break_glass_grants.person_id',
      'break_glass_grants.reason_code',
      'break_glass_grants.reason',
      'break_glass_grants.granted_at',
      'break_glass_grants.expires_at',
      'break_glass_grants.reviewed_at',
    ])
    .where('users.organisation_id', '=', actor.organisationId);
  if (scope === 'team' || scope === 'own') {
    const teams = actor.teamIds.length > 0 ? actor.teamIds : ['00000000-0000-0000-0000-000000000000'];
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('team_memberships')
          .select(sql.lit(1).as('one'))
          .whereRef('team_memberships.user_id', '=', 'users.id')
          .where('team_memberships.team_id', 'in', teams),
      ),
    );
  } else if (scope === 'locality') {
    const localities = actor.localityIds.length > 0 ? actor.localityIds : ['00000000-0000-0000-0000-000000000000'];
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('team_memberships')
          .innerJoin('teams', 'teams.id', 'team_memberships.team_id')
          .select(sql.lit(1).as('one'))
          .whereRef('team_memberships.user_id', '=', 'users.id')
          .where('teams.locality_id', 'in', localities),
      ),
    );
  }
  const rows = await query.orderBy('break_glass_grants.granted_at', 'desc').limit(200).execute();
  return rows.map((r) => ({
    id: r.id,
    who: r.display_name,
    personId: r.person_id,
    reasonCode: r.reason_code,
    reason: r.reason,
    grantedAt: r.granted_at,
    expiresAt: r.expires_at,
    reviewedAt: r.reviewed_at,
  }));
}

export async function markBreakGlassReviewed(deps: Deps, actor: Actor, grantId: string, requestId: string): Promise<void> {
  const visible = await listBreakGlass(deps, actor);
  if (!visible.some((row) => row.id === grantId)) throw new NotFoundError();
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('break_glass_grants')
      .set({ reviewed_by: actor.userId, reviewed_at: deps.clock.now() })
      .where('id', '=', grantId)
      .where('reviewed_at', 'is', null)
      .execute();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'break_glass.reviewed',
      entityType: 'break_glass_grant',
      entityId: grantId,
      requestId,
    });
  });
}
