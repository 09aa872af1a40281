import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { Actor } from './actor.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/** Builds the actor for an enabled user, or undefined if the account is missing or disabled. */
export async function loadActor(db: Executor, userId: string): Promise<Actor | undefined> {
  const user = await db
    .selectFrom('users')
    .select(['id', 'organisation_id', 'display_name'])
    .where('id', '=', userId)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  if (!user) return undefined;
  const [teams, permissions, roles] = await Promise.all([
    db
      .selectFrom('team_memberships')
      .innerJoin('teams', 'teams.id', 'team_memberships.team_id')
      .select(['teams.id', 'teams.locality_id'])
      .where('team_memberships.user_id', '=', userId)
      .execute(),
    db
      .selectFrom('user_roles')
      .innerJoin('role_permissions', 'role_permissions.role_id', 'user_roles.role_id')
      .select(['role_permissions.resource', 'role_permissions.action', 'role_permissions.scope'])
      .where('user_roles.user_id', '=', userId)
      .execute(),
    db.selectFrom('user_roles').select('role_id').where('user_id', '=', userId).execute(),
  ]);
  return {
    userId: user.id,
    organisationId: user.organisation_id,
    displayName: user.display_name,
    teamIds: teams.map((t) => t.id),
    localityIds: [...new Set(teams.flatMap((t) => (t.locality_id ? [t.locality_id] : [])))],
    roleIds: roles.map((r) => r.role_id),
    permissions,
  };
}
