import { z } from 'zod';
import { recordAudit } from '../../platform/audit/audit.ts';
import { hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../platform/auth/passwords.ts';
import { endSessionsForUser } from '../../platform/auth/sessions.ts';
import type { Deps } from '../../platform/deps.ts';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '../../platform/errors.ts';
import { can, type Actor } from './actor.ts';

/** Who is doing it: a signed-in administrator, or the command line (`system`). */
export type AdminActor = Actor | 'system';

/** A well-formed UUID: anything else is "not found" before it reaches the database (a uuid column). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function requireAdmin(actor: AdminActor): string | null {
  if (actor === 'system') return null;
  if (!can(actor, 'user', 'admin')) throw new ForbiddenError();
  return actor.userId;
}

export const newUserSchema = z.object({
  email: z
    .string()
    .trim()
    .min(1, 'Enter an email address')
    .max(254, 'Email address must be 254 characters or fewer')
    .pipe(z.email('Enter an email address in the correct format, like name@example.gov.uk')),
  displayName: z.string().trim().min(1, 'Enter their full name').max(200, 'Full name must be 200 characters or fewer'),
  password: z
    .string()
    .min(PASSWORD_MIN_LENGTH, `Password must be ${PASSWORD_MIN_LENGTH} characters or more`)
    .max(PASSWORD_MAX_LENGTH, `Password must be ${PASSWORD_MAX_LENGTH} characters or fewer`)
    .optional(),
  roleIds: z.array(z.string()).default([]),
  teamIds: z.array(z.string()).default([]),
});

export type NewUser = z.input<typeof newUserSchema>;

export function issuesToErrors(issues: readonly z.core.$ZodIssue[]): { field: string; message: string }[] {
  return issues.map((issue) => ({ field: String(issue.path[0] ?? 'form'), message: issue.message }));
}

export async function createUser(
  deps: Deps,
  actor: AdminActor,
  organisationId: string,
  input: NewUser,
  requestId: string | null = null,
): Promise<string> {
  const actorUserId = requireAdmin(actor);
  if (actor !== 'system' && actor.organisationId !== organisationId) throw new ForbiddenError();
  const parsed = newUserSchema.safeParse(input);
  if (!parsed.success) throw new InvalidInputError(issuesToErrors(parsed.error.issues));
  const data = parsed.data;
  const existing = await deps.db
    .selectFrom('users')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['email']), '=', data.email.toLowerCase()))
    .executeTakeFirst();
  if (existing) throw new InvalidInputError([{ field: 'email', message: 'A user with that email address already exists' }]);
  await checkRolesAndTeams(deps, organisationId, data.roleIds, data.teamIds);
  const passwordHash = data.password ? await hashPassword(data.password) : null;
  return deps.db.transaction().execute(async (trx) => {
    const user = await trx
      .insertInto('users')
      .values({ organisation_id: organisationId, email: data.email, display_name: data.displayName, password_hash: passwordHash })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (data.roleIds.length > 0) {
      await trx.insertInto('user_roles').values(data.roleIds.map((role_id) => ({ user_id: user.id, role_id }))).execute();
    }
    if (data.teamIds.length > 0) {
      await trx.insertInto('team_memberships').values(data.teamIds.map((team_id) => ({ user_id: user.id, team_id }))).execute();
    }
    await recordAudit(trx, {
      actorUserId,
      action: 'user.created',
      entityType: 'user',
      entityId: user.id,
      detail: { roles: data.roleIds, teams: data.teamIds.length },
      requestId,
    });
    return user.id;
  });
}

async function checkRolesAndTeams(deps: Deps, organisationId: string, roleIds: readonly string[], teamIds: readonly string[]) {
  const errors = [];
  if (roleIds.length > 0) {
    const roles = await deps.db.selectFrom('roles').select('id').where('id', 'in', roleIds).execute();
    if (roles.length !== new Set(roleIds).size) errors.push({ field: 'roleIds', message: 'Select roles from the list' });
  }
  if (teamIds.length > 0) {
    const valid = teamIds.every((id) => UUID.test(id));
    const teams = valid
      ? await deps.db.selectFrom('teams').select('id').where('id', 'in', teamIds).where('organisation_id', '=', organisationId).execute()
      : [];
    if (teams.length !== new Set(teamIds).size) errors.push({ field: 'teamIds', message: 'Select teams from the list' });
  }
  if (errors.length > 0) throw new InvalidInputError(errors);
}

export type UserListing = {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly disabled: boolean;
  readonly secondFactor: boolean;
  readonly roles: string[];
  readonly teams: string[];
  readonly version: number;
};

export async function listUsers(deps: Deps, actor: Actor): Promise<UserListing[]> {
  requireAdmin(actor);
  const users = await deps.db
    .selectFrom('users')
    .select(['id', 'email', 'display_name', 'disabled_at', 'totp_secret', 'version'])
    .where('organisation_id', '=', actor.organisationId)
    .orderBy('display_name')
    .execute();
  const ids = users.map((u) => u.id);
  const [roles, teams] = ids.length
    ? await Promise.all([
        deps.db.selectFrom('user_roles').innerJoin('roles', 'roles.id', 'user_roles.role_id').select(['user_id', 'roles.name']).where('user_id', 'in', ids).execute(),
        deps.db.selectFrom('team_memberships').innerJoin('teams', 'teams.id', 'team_memberships.team_id').select(['user_id', 'teams.name']).where('user_id', 'in', ids).execute(),
      ])
    : [[], []];
  return users.map((u) => ({
    id: u.id,
    email: u.email,
    displayName: u.display_name,
    disabled: u.disabled_at !== null,
    secondFactor: u.totp_secret !== null,
    roles: roles.filter((r) => r.user_id === u.id).map((r) => r.name),
    teams: teams.filter((t) => t.user_id === u.id).map((t) => t.name),
    version: u.version,
  }));
}

export async function getUserForAdmin(deps: Deps, actor: Actor, userId: string) {
  requireAdmin(actor);
  if (!UUID.test(userId)) throw new NotFoundError();
  const user = await deps.db
    .selectFrom('users')
    .select(['id', 'email', 'display_name', 'disabled_at', 'totp_secret', 'version'])
    .where('id', '=', userId)
    .where('organisation_id', '=', actor.organisationId)
    .executeTakeFirst();
  if (!user) throw new NotFoundError();
  const [roles, teams] = await Promise.all([
    deps.db.selectFrom('user_roles').select('role_id').where('user_id', '=', userId).execute(),
    deps.db.selectFrom('team_memberships').select('team_id').where('user_id', '=', userId).execute(),
  ]);
  return {
    id: user.id,
    email: user.email,
    displayName: user.display_name,
    disabled: user.disabled_at !== null,
    secondFactor: user.totp_secret !== null,
    version: user.version,
    roleIds: roles.map((r) => r.role_id),
    teamIds: teams.map((t) => t.team_id),
  };
}

/** Bumps the version if it still matches what the editor saw; otherwise the edit is a conflict. */
async function claimVersion(trx: Deps['db'], userId: string, organisationId: string, version: number): Promise<void> {
  const result = await trx
    .updateTable('users')
    .set((eb) => ({ version: eb('version', '+', 1), updated_at: new Date() }))
    .where('id', '=', userId)
    .where('organisation_id', '=', organisationId)
    .where('version', '=', version)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) {
    const exists = await trx.selectFrom('users').select('id').where('id', '=', userId).where('organisation_id', '=', organisationId).executeTakeFirst();
    if (!exists) throw new NotFoundError();
    throw new ConflictError('Someone else changed this account while you were editing it');
  }
}

export async function updateUserAccess(
  deps: Deps,
  actor: Actor,
  userId: string,
  input: { roleIds: string[]; teamIds: string[]; version: number; requestId: string },
): Promise<void> {
  requireAdmin(actor);
  await getUserForAdmin(deps, actor, userId);
  await checkRolesAndTeams(deps, actor.organisationId, input.roleIds, input.teamIds);
  await deps.db.transaction().execute(async (trx) => {
    await claimVersion(trx, userId, actor.organisationId, input.version);
    await trx.deleteFrom('user_roles').where('user_id', '=', userId).execute();
    await trx.deleteFrom('team_memberships').where('user_id', '=', userId).execute();
    if (input.roleIds.length > 0) {
      await trx.insertInto('user_roles').values(input.roleIds.map((role_id) => ({ user_id: userId, role_id }))).execute();
    }
    if (input.teamIds.length > 0) {
      await trx.insertInto('team_memberships').values(input.teamIds.map((team_id) => ({ user_id: userId, team_id }))).execute();
    }
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'user.access_changed',
      entityType: 'user',
      entityId: userId,
      detail: { roles: input.roleIds, teams: input.teamIds.length },
      requestId: input.requestId,
    });
  });
}

/** Disabling an account ends all its sessions at once. */
export async function setUserDisabled(
  deps: Deps,
  actor: AdminActor,
  userId: string,
  disabled: boolean,
  input: { version?: number; requestId: string | null },
): Promise<void> {
  const actorUserId = requireAdmin(actor);
  if (actor !== 'system' && actor.userId === userId && disabled) {
    throw new InvalidInputError([{ field: 'disabled', message: 'You cannot disable your own account' }]);
  }
  if (!UUID.test(userId)) throw new NotFoundError();
  await deps.db.transaction().execute(async (trx) => {
    const user = await trx.selectFrom('users').select(['id', 'organisation_id', 'version']).where('id', '=', userId).executeTakeFirst();
    if (!user || (actor !== 'system' && user.organisation_id !== actor.organisationId)) throw new NotFoundError();
    await claimVersion(trx, userId, user.organisation_id, input.version ?? user.version);
    await trx.updateTable('users').set({ disabled_at: disabled ? deps.clock.now() : null }).where('id', '=', userId).execute();
    if (disabled) await endSessionsForUser({ ...deps, db: trx }, userId);
    await recordAudit(trx, {
      actorUserId,
      action: disabled ? 'user.disabled' : 'user.enabled',
      entityType: 'user',
      entityId: userId,
      requestId: input.requestId,
    });
  });
}

/** Clears the second factor: the user enrols a new authenticator at their next sign-in. */
export async function resetSecondFactor(
  deps: Deps,
  actor: AdminActor,
  userId: string,
  input: { version?: number; requestId: string | null },
): Promise<void> {
  const actorUserId = requireAdmin(actor);
  if (!UUID.test(userId)) throw new NotFoundError();
  await deps.db.transaction().execute(async (trx) => {
    const user = await trx.selectFrom('users').select(['id', 'organisation_id', 'version']).where('id', '=', userId).executeTakeFirst();
    if (!user || (actor !== 'system' && user.organisation_id !== actor.organisationId)) throw new NotFoundError();
    await claimVersion(trx, userId, user.organisation_id, input.version ?? user.version);
    await trx
      .updateTable('users')
      .set({ totp_secret: null, totp_enrolled_at: null, totp_last_step: null })
      .where('id', '=', userId)
      .execute();
    await endSessionsForUser({ ...deps, db: trx }, userId);
    await recordAudit(trx, {
      actorUserId,
      action: 'user.second_factor_reset',
      entityType: 'user',
      entityId: userId,
      requestId: input.requestId,
    });
  });
}

export async function listRolesAndTeams(deps: Deps, organisationId: string) {
  const [roles, teams] = await Promise.all([
    deps.db.selectFrom('roles').select(['id', 'name', 'description']).orderBy('name').execute(),
    deps.db.selectFrom('teams').select(['id', 'name']).where('organisation_id', '=', organisationId).orderBy('name').execute(),
  ]);
  return { roles, teams };
}
