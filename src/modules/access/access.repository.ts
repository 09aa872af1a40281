import type { Kysely, Transaction } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Database } from '../../db/database.ts';
import type { Actor } from './actor.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/**
 * Builds the actor for an enabled user, or undefined if the account is missing or disabled. Read on
 * every request, so the user, their teams, roles and permissions come back in one query.
 */
export async function loadActor(db: Executor, userId: string): Promise<Actor | undefined> {
  const user = await db
    .selectFrom('users')
    .select((eb) => [
      'users.id',
      'users.organisation_id',
      'users.display_name',
      jsonArrayFrom(
        eb
          .selectFrom('team_memberships')
          .innerJoin('teams', 'teams.id', 'team_memberships.team_id')
          .select(['teams.id', 'teams.locality_id'])
          .whereRef('team_memberships.user_id', '=', 'users.id'),
      ).as('teams'),
      jsonArrayFrom(
        eb
          .selectFrom('user_roles')
          .innerJoin('role_permissions', 'role_permissions.role_id', 'user_roles.role_id')
          .select(['role_permissions.resource', 'role_permissions.action', 'role_permissions.scope'])
          .whereRef('user_roles.user_id', '=', 'users.id'),
      ).as('permissions'),
      jsonArrayFrom(
        eb
          .selectFrom('user_roles')
          .select('user_roles.role_id')
          .whereRef('user_roles.user_id', '=', 'users.id'),
      ).as('roles'),
    ])
    .where('users.id', '=', userId)
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
  if (!user) return undefined;
  return {
    userId: user.id,
    organisationId: user.organisation_id,
    displayName: user.display_name,
    teamIds: user.teams.map((t) => t.id),
    localityIds: [...new Set(user.teams.flatMap((t) => (t.locality_id ? [t.locality_id] : [])))],
    roleIds: user.roles.map((r) => r.role_id),
    permissions: user.permissions,
  };
}
