import { sql } from 'kysely';
import type { Deps } from '../../platform/deps.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { familyCanSee, type FamilyActor } from './family-actor.ts';
import { portalChild, type PortalChild } from './home.ts';
import { auditFamilyView } from './portal-audit.ts';

export type LookedEntry = {
  readonly when: Date;
  /** Role names, e.g. "Practitioner". */
  readonly role: string;
  /** The teams the member of staff works in now. */
  readonly team: string;
  /** Only when the council allows it (HEARTH_PORTAL_SHOW_STAFF_NAMES). */
  readonly name: string | null;
  readonly breakGlass: boolean;
};

/**
 * "Who has looked at my record": the staff views of a child's record from the audit log, newest
 * first, by role and team; names of individual staff only when the council chooses to show them.
 * The family's own views are not listed. Needs the 'seen' section.
 */
export async function whoHasLooked(
  deps: Deps,
  actor: FamilyActor,
  childId: string,
  context: { route: string; requestId: string },
): Promise<{ child: PortalChild; entries: LookedEntry[] }> {
  if (!familyCanSee(actor, childId, 'seen')) throw new NotFoundError();
  const child = await portalChild(deps, actor, childId);
  if (!child) throw new NotFoundError();
  await auditFamilyView(deps, actor, {
    childId,
    route: context.route,
    section: 'seen',
    requestId: context.requestId,
  });
  const rows = await deps.db
    .selectFrom('audit_log')
    .innerJoin('users', 'users.id', 'audit_log.actor_user_id')
    .select((eb) => [
      'audit_log.occurred_at',
      'audit_log.action',
      'audit_log.detail',
      'users.display_name',
      eb
        .selectFrom('user_roles')
        .innerJoin('roles', 'roles.id', 'user_roles.role_id')
        .select(sql<string>`string_agg(roles.name, ', ' ORDER BY roles.name)`.as('names'))
        .whereRef('user_roles.user_id', '=', 'users.id')
        .as('roles'),
      eb
        .selectFrom('team_memberships')
        .innerJoin('teams', 'teams.id', 'team_memberships.team_id')
        .select(sql<string>`string_agg(teams.name, ', ' ORDER BY teams.name)`.as('names'))
        .whereRef('team_memberships.user_id', '=', 'users.id')
        .as('teams'),
    ])
    .where('audit_log.entity_type', '=', 'person')
    .where('audit_log.entity_id', '=', childId)
    .where('audit_log.action', 'in', ['person.view', 'break_glass.granted'])
    .where('users.organisation_id', '=', actor.organisationId)
    .orderBy('audit_log.seq', 'desc')
    .limit(200)
    .execute();
  const showNames = deps.config.portal.showStaffNames;
  const entries = rows.map((r) => ({
    when: r.occurred_at,
    role: r.roles ?? 'Member of staff',
    team: r.teams ?? 'No team',
    name: showNames ? r.display_name : null,
    breakGlass: r.action === 'break_glass.granted' || r.detail['basis'] === 'break_glass',
  }));
  return { child, entries };
}
