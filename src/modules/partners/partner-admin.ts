import { z } from 'zod';
import { recordAudit } from '../../platform/audit/audit.ts';
import { hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../platform/auth/passwords.ts';
import type { Deps } from '../../platform/deps.ts';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '../../platform/errors.ts';
import { can, type Actor } from '../access/actor.ts';
import { issuesToErrors } from '../access/users.service.ts';
import { UUID } from '../help/access.ts';
import { AGENCIES, agencyOfOrganisation, ORGANISATION_KINDS } from './codes.ts';
import type { Agency } from './partners.table.ts';

/**
 * The council's administrators manage the partner side of Hearth (ADR 9):
 *   - partner organisations (a school, a health organisation, a police force, a community or
 *     voluntary service) with the identifiers that name them elsewhere (a school's URN, a health
 *     organisation's ODS code);
 *   - partner practitioners: accounts in a partner organisation holding only partner roles;
 *   - multi-agency teams: the council's own teams marked multi-agency, with members from partner
 *     organisations, each with the agency they speak for.
 * Partner organisations are shared by every council of the installation (a police force works with
 * several), as the team around the family already treats them. Only administrators (`user`/`admin`)
 * may do any of this; every change is audited.
 */

type Context = { readonly requestId?: string | null | undefined };

/** The roles a partner practitioner may hold: never a council role (ADR 9). */
export const PARTNER_ROLES = ['partner_practitioner', 'multi_agency_practitioner'] as const;
export type PartnerRole = (typeof PARTNER_ROLES)[number];

/** The kinds of partner organisation (every kind but a local authority). */
export const PARTNER_KINDS = ['school', 'health', 'police', 'community', 'other'] as const;
export type PartnerKind = (typeof PARTNER_KINDS)[number];

/** The agencies a partner member of a multi-agency team may speak for. */
export const PARTNER_AGENCIES = ['police', 'health', 'education', 'other'] as const;

function requireAdmin(actor: Actor): void {
  if (!can(actor, 'user', 'admin')) throw new ForbiddenError();
}

const optionalText = (max: number, tooLong: string) =>
  z
    .string()
    .trim()
    .max(max, tooLong)
    .transform((v) => (v === '' ? null : v));

export const organisationSchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, 'Enter the organisation’s name')
      .max(200, 'Name must be 200 characters or fewer'),
    kind: z.enum(PARTNER_KINDS, { error: 'Select what kind of organisation it is' }),
    urn: optionalText(20, 'URN must be 6 digits, like 117123').refine(
      (v) => v === null || /^\d{6}$/.test(v),
      {
        message: 'URN must be 6 digits, like 117123',
      },
    ),
    odsCode: optionalText(20, 'ODS code must be 3 to 10 letters and numbers, like RWH or Y02501')
      .transform((v) => (v === null ? null : v.toUpperCase()))
      .refine((v) => v === null || /^[A-Z0-9]{3,10}$/.test(v), {
        message: 'ODS code must be 3 to 10 letters and numbers, like RWH or Y02501',
      }),
  })
  .superRefine((value, ctx) => {
    if (value.urn !== null && value.kind !== 'school')
      ctx.addIssue({ code: 'custom', path: ['urn'], message: 'Only a school has a URN: leave it blank' });
  });

export type OrganisationValues = { name: string; kind: string; urn: string; odsCode: string };

export type PartnerOrganisation = {
  readonly id: string;
  readonly name: string;
  readonly kind: PartnerKind;
  readonly kindLabel: string;
  readonly urn: string | null;
  readonly odsCode: string | null;
  readonly version: number;
  readonly practitioners: number;
};

function kindOf(kind: string): PartnerKind {
  return (PARTNER_KINDS as readonly string[]).includes(kind) ? (kind as PartnerKind) : 'other';
}

/** Every partner organisation, by name, with how many practitioners it has in Hearth. */
export async function listPartnerOrganisations(deps: Deps, actor: Actor): Promise<PartnerOrganisation[]> {
  requireAdmin(actor);
  const rows = await deps.db
    .selectFrom('organisations')
    .select((eb) => [
      'organisations.id',
      'organisations.name',
      'organisations.kind',
      'organisations.urn',
      'organisations.ods_code',
      'organisations.version',
      eb
        .selectFrom('users')
        .select((c) => c.fn.countAll<string>().as('n'))
        .whereRef('users.organisation_id', '=', 'organisations.id')
        .as('practitioners'),
    ])
    .where('organisations.kind', '!=', 'local_authority')
    .orderBy('organisations.name')
    .orderBy('organisations.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    kind: kindOf(r.kind),
    kindLabel: ORGANISATION_KINDS[r.kind] ?? r.kind,
    urn: r.urn,
    odsCode: r.ods_code,
    version: r.version,
    practitioners: Number(r.practitioners ?? 0),
  }));
}

async function checkIdentifiersFree(
  deps: Deps,
  data: { urn: string | null; odsCode: string | null },
  exceptId: string | null,
): Promise<void> {
  const errors = [];
  for (const [column, value, fieldName, message] of [
    ['urn', data.urn, 'urn', 'Another partner organisation already has this URN'],
    ['ods_code', data.odsCode, 'odsCode', 'Another partner organisation already has this ODS code'],
  ] as const) {
    if (value === null) continue;
    let query = deps.db.selectFrom('organisations').select('id').where(column, '=', value);
    if (exceptId) query = query.where('id', '!=', exceptId);
    if (await query.executeTakeFirst()) errors.push({ field: fieldName, message });
  }
  if (errors.length > 0) throw new InvalidInputError(errors);
}

function parseOrganisation(values: OrganisationValues) {
  const parsed = organisationSchema.safeParse(values);
  if (!parsed.success) throw new InvalidInputError(issuesToErrors(parsed.error.issues));
  return parsed.data;
}

/** Adds a partner organisation. */
export async function createPartnerOrganisation(
  deps: Deps,
  actor: Actor,
  input: { values: OrganisationValues } & Context,
): Promise<string> {
  requireAdmin(actor);
  const data = parseOrganisation(input.values);
  await checkIdentifiersFree(deps, data, null);
  return deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('organisations')
      .values({ name: data.name, kind: data.kind, la_code: null, urn: data.urn, ods_code: data.odsCode })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'partner_organisation.created',
      entityType: 'organisation',
      entityId: row.id,
      detail: { kind: data.kind },
      requestId: input.requestId ?? null,
    });
    return row.id;
  });
}

export type PartnerPractitioner = {
  readonly id: string;
  readonly displayName: string;
  readonly email: string;
  readonly disabled: boolean;
  readonly roleIds: readonly string[];
  readonly roles: readonly string[];
};

/** One partner organisation with its practitioners (never a local authority: that is "not found"). */
export async function getPartnerOrganisation(
  deps: Deps,
  actor: Actor,
  organisationId: string,
): Promise<PartnerOrganisation & { practitionerList: PartnerPractitioner[] }> {
  requireAdmin(actor);
  if (!UUID.test(organisationId)) throw new NotFoundError();
  const row = await deps.db
    .selectFrom('organisations')
    .select(['id', 'name', 'kind', 'urn', 'ods_code', 'version'])
    .where('id', '=', organisationId)
    .where('kind', '!=', 'local_authority')
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  const users = await deps.db
    .selectFrom('users')
    .select(['id', 'display_name', 'email', 'disabled_at'])
    .where('organisation_id', '=', row.id)
    .orderBy('display_name')
    .execute();
  const roles = users.length
    ? await deps.db
        .selectFrom('user_roles')
        .innerJoin('roles', 'roles.id', 'user_roles.role_id')
        .select(['user_roles.user_id', 'roles.id', 'roles.name'])
        .where(
          'user_roles.user_id',
          'in',
          users.map((u) => u.id),
        )
        .orderBy('roles.name')
        .execute()
    : [];
  return {
    id: row.id,
    name: row.name,
    kind: kindOf(row.kind),
    kindLabel: ORGANISATION_KINDS[row.kind] ?? row.kind,
    urn: row.urn,
    odsCode: row.ods_code,
    version: row.version,
    practitioners: users.length,
    practitionerList: users.map((u) => ({
      id: u.id,
      displayName: u.display_name,
      email: u.email,
      disabled: u.disabled_at !== null,
      roleIds: roles.filter((r) => r.user_id === u.id).map((r) => r.id),
      roles: roles.filter((r) => r.user_id === u.id).map((r) => r.name),
    })),
  };
}

/** Changes a partner organisation, if nobody else has since the form was loaded. */
export async function updatePartnerOrganisation(
  deps: Deps,
  actor: Actor,
  input: { organisationId: string; values: OrganisationValues; version: number } & Context,
): Promise<void> {
  requireAdmin(actor);
  const before = await getPartnerOrganisation(deps, actor, input.organisationId);
  const data = parseOrganisation(input.values);
  await checkIdentifiersFree(deps, data, before.id);
  await deps.db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('organisations')
      .set((eb) => ({
        name: data.name,
        kind: data.kind,
        urn: data.urn,
        ods_code: data.odsCode,
        version: eb('version', '+', 1),
        updated_at: deps.clock.now(),
      }))
      .where('id', '=', before.id)
      .where('kind', '!=', 'local_authority')
      .where('version', '=', input.version)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0)
      throw new ConflictError('Someone else changed this organisation while you were editing it');
    const changed = (
      [
        ['name', before.name !== data.name],
        ['kind', before.kind !== data.kind],
        ['urn', before.urn !== data.urn],
        ['odsCode', before.odsCode !== data.odsCode],
      ] as const
    )
      .filter(([, differs]) => differs)
      .map(([name]) => name);
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'partner_organisation.updated',
      entityType: 'organisation',
      entityId: before.id,
      detail: { changed },
      requestId: input.requestId ?? null,
    });
  });
}

// Partner practitioners ------------------------------------------------------------------------

export const practitionerSchema = z.object({
  displayName: z
    .string()
    .trim()
    .min(1, 'Enter their full name')
    .max(200, 'Full name must be 200 characters or fewer'),
  email: z
    .string()
    .trim()
    .min(1, 'Enter an email address')
    .max(254, 'Email address must be 254 characters or fewer')
    .pipe(z.email('Enter an email address in the correct format, like name@school.example.org')),
  password: z
    .string()
    .max(PASSWORD_MAX_LENGTH, `Password must be ${PASSWORD_MAX_LENGTH} characters or fewer`)
    .refine((v) => v === '' || v.length >= PASSWORD_MIN_LENGTH, {
      message: `Password must be ${PASSWORD_MIN_LENGTH} characters or more`,
    }),
  roleIds: z
    .array(z.enum(PARTNER_ROLES, { error: 'Select partner roles from the list' }))
    .min(1, 'Select at least one partner role'),
});

export type PractitionerValues = {
  displayName: string;
  email: string;
  password: string;
  roleIds: string[];
};

/** Adds a practitioner account in a partner organisation, holding partner roles only. */
export async function createPartnerPractitioner(
  deps: Deps,
  actor: Actor,
  input: { organisationId: string; values: PractitionerValues } & Context,
): Promise<string> {
  requireAdmin(actor);
  const organisation = await getPartnerOrganisation(deps, actor, input.organisationId);
  const parsed = practitionerSchema.safeParse(input.values);
  if (!parsed.success) throw new InvalidInputError(issuesToErrors(parsed.error.issues));
  const data = parsed.data;
  const existing = await deps.db
    .selectFrom('users')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['email']), '=', data.email.toLowerCase()))
    .executeTakeFirst();
  if (existing)
    throw new InvalidInputError([
      { field: 'email', message: 'A user with that email address already exists' },
    ]);
  const passwordHash = data.password === '' ? null : await hashPassword(data.password);
  const roleIds = [...new Set(data.roleIds)];
  return deps.db.transaction().execute(async (trx) => {
    const user = await trx
      .insertInto('users')
      .values({
        organisation_id: organisation.id,
        email: data.email,
        display_name: data.displayName,
        password_hash: passwordHash,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('user_roles')
      .values(roleIds.map((role_id) => ({ user_id: user.id, role_id })))
      .execute();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'user.created',
      entityType: 'user',
      entityId: user.id,
      detail: { roles: roleIds, teams: 0, organisationId: organisation.id, partner: true },
      requestId: input.requestId ?? null,
    });
    return user.id;
  });
}

/**
 * Sets the partner roles of an existing account in a partner organisation (giving a partner role,
 * or taking one away). A council account is "not found" here: council staff do not hold partner roles.
 */
export async function setPartnerRoles(
  deps: Deps,
  actor: Actor,
  input: { organisationId: string; userId: string; roleIds: string[] } & Context,
): Promise<void> {
  requireAdmin(actor);
  const organisation = await getPartnerOrganisation(deps, actor, input.organisationId);
  const user = organisation.practitionerList.find((p) => p.id === input.userId);
  if (!user) throw new NotFoundError();
  const parsed = z
    .array(z.enum(PARTNER_ROLES, { error: 'Select partner roles from the list' }))
    .safeParse(input.roleIds);
  if (!parsed.success)
    throw new InvalidInputError(
      parsed.error.issues.map((issue) => ({ field: 'roleIds', message: issue.message })),
    );
  const roleIds = [...new Set(parsed.data)];
  await deps.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('user_roles').where('user_id', '=', user.id).execute();
    if (roleIds.length > 0)
      await trx
        .insertInto('user_roles')
        .values(roleIds.map((role_id) => ({ user_id: user.id, role_id })))
        .execute();
    // Without a partner role they can no longer be a member of a multi-agency team.
    if (roleIds.length === 0)
      await trx.deleteFrom('team_memberships').where('user_id', '=', user.id).execute();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'user.access_changed',
      entityType: 'user',
      entityId: user.id,
      detail: { roles: roleIds, partner: true },
      requestId: input.requestId ?? null,
    });
  });
}

// Multi-agency teams ---------------------------------------------------------------------------

export type TeamListing = {
  readonly id: string;
  readonly name: string;
  readonly multiAgency: boolean;
  readonly members: number;
  readonly partnerMembers: number;
};

/** The council's teams, with whether each is multi-agency and how many members come from partners. */
export async function listTeamsForAdmin(deps: Deps, actor: Actor): Promise<TeamListing[]> {
  requireAdmin(actor);
  const teams = await deps.db
    .selectFrom('teams')
    .select(['id', 'name', 'multi_agency'])
    .where('organisation_id', '=', actor.organisationId)
    .orderBy('name')
    .execute();
  const members = teams.length
    ? await deps.db
        .selectFrom('team_memberships')
        .innerJoin('users', 'users.id', 'team_memberships.user_id')
        .select(['team_memberships.team_id', 'users.organisation_id'])
        .where(
          'team_memberships.team_id',
          'in',
          teams.map((t) => t.id),
        )
        .execute()
    : [];
  return teams.map((t) => {
    const mine = members.filter((m) => m.team_id === t.id);
    return {
      id: t.id,
      name: t.name,
      multiAgency: t.multi_agency,
      members: mine.length,
      partnerMembers: mine.filter((m) => m.organisation_id !== actor.organisationId).length,
    };
  });
}

export type TeamMember = {
  readonly userId: string;
  readonly name: string;
  readonly organisation: string;
  readonly partner: boolean;
  readonly agency: string;
};

export type PartnerChoice = {
  readonly id: string;
  readonly name: string;
  readonly organisation: string;
  readonly agency: Agency;
};

export type TeamForAdmin = {
  readonly id: string;
  readonly name: string;
  readonly multiAgency: boolean;
  readonly members: readonly TeamMember[];
  /** Partner practitioners who may be added (enabled, holding a partner role, not yet members). */
  readonly choices: readonly PartnerChoice[];
};

/** One of the council's teams, its members and who from partner organisations could join it. */
export async function getTeamForAdmin(deps: Deps, actor: Actor, teamId: string): Promise<TeamForAdmin> {
  requireAdmin(actor);
  if (!UUID.test(teamId)) throw new NotFoundError();
  const team = await deps.db
    .selectFrom('teams')
    .select(['id', 'name', 'multi_agency'])
    .where('id', '=', teamId)
    .where('organisation_id', '=', actor.organisationId)
    .executeTakeFirst();
  if (!team) throw new NotFoundError();
  const [members, partners] = await Promise.all([
    deps.db
      .selectFrom('team_memberships')
      .innerJoin('users', 'users.id', 'team_memberships.user_id')
      .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
      .select([
        'users.id',
        'users.display_name',
        'users.organisation_id',
        'organisations.name as organisation_name',
        'organisations.kind',
        'team_memberships.agency',
      ])
      .where('team_memberships.team_id', '=', team.id)
      .orderBy('organisations.name')
      .orderBy('users.display_name')
      .execute(),
    deps.db
      .selectFrom('users')
      .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
      .select([
        'users.id',
        'users.display_name',
        'organisations.name as organisation_name',
        'organisations.kind',
      ])
      .where('organisations.kind', '!=', 'local_authority')
      .where('users.disabled_at', 'is', null)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('user_roles')
            .select('user_roles.role_id')
            .whereRef('user_roles.user_id', '=', 'users.id')
            .where('user_roles.role_id', 'in', [...PARTNER_ROLES]),
        ),
      )
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('team_memberships as tm')
              .select('tm.user_id')
              .whereRef('tm.user_id', '=', 'users.id')
              .where('tm.team_id', '=', team.id),
          ),
        ),
      )
      .orderBy('organisations.name')
      .orderBy('users.display_name')
      .execute(),
  ]);
  return {
    id: team.id,
    name: team.name,
    multiAgency: team.multi_agency,
    members: members.map((m) => {
      const partner = m.organisation_id !== actor.organisationId;
      const agency = m.agency ?? (partner ? agencyOfOrganisation(m.kind) : 'childrens_social_care');
      return {
        userId: m.id,
        name: m.display_name,
        organisation: m.organisation_name,
        partner,
        agency: AGENCIES[agency],
      };
    }),
    choices: partners.map((p) => ({
      id: p.id,
      name: p.display_name,
      organisation: p.organisation_name,
      agency: agencyOfOrganisation(p.kind),
    })),
  };
}

/**
 * Marks a team multi-agency, or not. A team cannot stop being multi-agency while members from
 * partner organisations remain in it: they would keep a membership that gives them nothing.
 */
export async function setTeamMultiAgency(
  deps: Deps,
  actor: Actor,
  input: { teamId: string; multiAgency: string } & Context,
): Promise<void> {
  requireAdmin(actor);
  const team = await getTeamForAdmin(deps, actor, input.teamId);
  if (input.multiAgency !== 'yes' && input.multiAgency !== 'no')
    throw new InvalidInputError([
      { field: 'multiAgency', message: 'Select whether the team is multi-agency' },
    ]);
  const multiAgency = input.multiAgency === 'yes';
  if (!multiAgency && team.members.some((m) => m.partner))
    throw new InvalidInputError([
      {
        field: 'multiAgency',
        message: 'Remove the members from partner organisations before the team stops being multi-agency',
      },
    ]);
  if (multiAgency === team.multiAgency) return;
  await deps.db.transaction().execute(async (trx) => {
    await trx.updateTable('teams').set({ multi_agency: multiAgency }).where('id', '=', team.id).execute();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: multiAgency ? 'team.multi_agency_on' : 'team.multi_agency_off',
      entityType: 'team',
      entityId: team.id,
      requestId: input.requestId ?? null,
    });
  });
}

/** Adds a partner practitioner to a multi-agency team, for the agency they speak for. */
export async function addPartnerTeamMember(
  deps: Deps,
  actor: Actor,
  input: { teamId: string; userId: string; agency: string } & Context,
): Promise<void> {
  requireAdmin(actor);
  const team = await getTeamForAdmin(deps, actor, input.teamId);
  const errors = [];
  if (!team.multiAgency)
    errors.push({ field: 'userId', message: 'Mark the team as multi-agency before adding partner members' });
  const choice = team.choices.find((c) => c.id === input.userId);
  if (!choice) errors.push({ field: 'userId', message: 'Select a practitioner from a partner organisation' });
  if (!(PARTNER_AGENCIES as readonly string[]).includes(input.agency))
    errors.push({ field: 'agency', message: 'Select the agency they speak for in the team' });
  if (errors.length > 0 || !choice) throw new InvalidInputError(errors);
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('team_memberships')
      .values({ user_id: choice.id, team_id: team.id, agency: input.agency as Agency })
      .execute();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'team.partner_member_added',
      entityType: 'team',
      entityId: team.id,
      detail: { userId: choice.id, agency: input.agency },
      requestId: input.requestId ?? null,
    });
  });
}

/** Takes a partner practitioner out of a team (council staff are managed on their own account page). */
export async function removePartnerTeamMember(
  deps: Deps,
  actor: Actor,
  input: { teamId: string; userId: string } & Context,
): Promise<void> {
  requireAdmin(actor);
  const team = await getTeamForAdmin(deps, actor, input.teamId);
  const member = team.members.find((m) => m.userId === input.userId && m.partner);
  if (!member) throw new NotFoundError();
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('team_memberships')
      .where('team_id', '=', team.id)
      .where('user_id', '=', member.userId)
      .execute();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'team.partner_member_removed',
      entityType: 'team',
      entityId: team.id,
      detail: { userId: member.userId },
      requestId: input.requestId ?? null,
    });
  });
}
