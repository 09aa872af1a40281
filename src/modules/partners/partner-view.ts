import { sql } from 'kysely';
import { recordAudit } from '../../platform/audit/audit.ts';
import { londonDate } from '../../platform/clock.ts';
import type { Deps } from '../../platform/deps.ts';
import { ForbiddenError } from '../../platform/errors.ts';
import { can, type Actor } from '../access/actor.ts';
import { personInScopeFor } from '../access/person-scope.ts';
import { isRestrictedFor, viewChild, type ChildRow } from './access.ts';
import { contributionsOf, type ContributionView } from './section47.ts';
import { sharedPlanOf, type SharedPlan } from './shared-plan.ts';
import { membersOf, type MemberView } from './team-around-family.ts';

/**
 * What partner practitioners see: their children (through the team around the family or a
 * multi-agency team) and, for each, only the allow-listed parts (see PARTNER_ALLOW_LIST).
 */

type Context = { readonly requestId?: string | null | undefined; readonly route?: string };

const CONFERENCE_KINDS: Readonly<Record<string, string>> = {
  initial: 'Initial child protection conference',
  review: 'Review child protection conference',
  transfer_in: 'Transfer-in child protection conference',
};

export type PartnerChildSummary = {
  readonly id: string;
  readonly name: string;
  readonly dateOfBirth: string | null;
  readonly through: string;
  readonly isLead: boolean;
};

/** The children a partner works with, and how they reach each (audited as a list view). */
export async function partnerChildren(
  deps: Deps,
  actor: Actor,
  input: Context = {},
): Promise<PartnerChildSummary[]> {
  if (!can(actor, 'partner_record', 'read')) throw new ForbiddenError();
  const rows = await deps.db
    .selectFrom('people')
    .select((eb) => [
      'people.id',
      'people.given_name',
      'people.family_name',
      'people.date_of_birth',
      eb
        .selectFrom('team_around_family_members as m')
        .select('m.team_role')
        .whereRef('m.child_id', '=', 'people.id')
        .where('m.user_id', '=', actor.userId)
        .where('m.ended_at', 'is', null)
        .limit(1)
        .as('team_role'),
      eb
        .selectFrom('team_around_family_members as m')
        .select('m.is_lead')
        .whereRef('m.child_id', '=', 'people.id')
        .where('m.user_id', '=', actor.userId)
        .where('m.ended_at', 'is', null)
        .limit(1)
        .as('is_lead'),
      eb
        .selectFrom('allocations')
        .innerJoin('teams', 'teams.id', 'allocations.team_id')
        .select('teams.name')
        .whereRef('allocations.person_id', '=', 'people.id')
        .where('allocations.ended_at', 'is', null)
        .where('teams.multi_agency', '=', true)
        .where('allocations.team_id', 'in', actor.teamIds.length > 0 ? actor.teamIds : [sql<string>`NULL`])
        .limit(1)
        .as('team_name'),
    ])
    .where('people.merged_into', 'is', null)
    .where(personInScopeFor(actor, 'partner_record', 'read', deps.clock))
    .orderBy('people.family_name')
    .orderBy('people.given_name')
    .execute();
  await recordAudit(deps.db, {
    actorUserId: actor.userId,
    action: 'partner.children_list',
    entityType: 'user',
    entityId: actor.userId,
    detail: { route: input.route ?? '/partner/children', count: rows.length },
    requestId: input.requestId ?? null,
  });
  return rows.map((r) => ({
    id: r.id,
    name: `${r.given_name} ${r.family_name}`,
    dateOfBirth: r.date_of_birth,
    through:
      r.team_role !== null
        ? `Team around the family: ${r.team_role}`
        : `Multi-agency team: ${r.team_name ?? ''}`,
    isLead: r.is_lead === true,
  }));
}

export type PartnerMeeting = { readonly kind: string; readonly on: string; readonly status: string };

export type PartnerEnquiry = {
  readonly id: string;
  readonly startedOn: string;
  readonly open: boolean;
  readonly contributions: readonly ContributionView[];
};

export type PartnerChildPage = {
  readonly child: { readonly id: string; readonly name: string; readonly dateOfBirth: string | null };
  readonly restricted: boolean;
  readonly members: readonly MemberView[];
  readonly plan: SharedPlan | null;
  readonly meetings: readonly PartnerMeeting[];
  readonly enquiries: readonly PartnerEnquiry[];
  readonly canContributeToSection47: boolean;
};

/** One child as a partner sees them: the allow-listed parts only (audited, basis 'partner'). */
export async function partnerChildPage(
  deps: Deps,
  actor: Actor,
  input: { childId: string } & Context,
): Promise<PartnerChildPage> {
  const child: ChildRow = await viewChild(deps.db, actor, deps.clock, {
    childId: input.childId,
    resource: 'partner_record',
    action: 'read',
    route: input.route ?? '/partner/children/:id',
    purpose: 'partner_view',
    requestId: input.requestId,
  });
  const name = `${child.given_name} ${child.family_name}`;
  if (await isRestrictedFor(deps.db, actor, child.id))
    return {
      child: { id: child.id, name, dateOfBirth: null },
      restricted: true,
      members: [],
      plan: null,
      meetings: [],
      enquiries: [],
      canContributeToSection47: false,
    };
  const today = londonDate(deps.clock.now());
  const canContribute = can(actor, 'section47_contribution', 'write');
  const [members, plan, conferences, enquiries] = await Promise.all([
    membersOf(deps.db, child, today),
    sharedPlanOf(deps.db, child.id),
    deps.db
      .selectFrom('conferences')
      .select(['kind', 'held_on', 'status'])
      .where('person_id', '=', child.id)
      .orderBy('held_on', 'desc')
      .execute(),
    canContribute
      ? deps.db
          .selectFrom('section47_enquiries')
          .select(['id', 'started_on', 'completed_on'])
          .where('person_id', '=', child.id)
          .orderBy('started_on', 'desc')
          .execute()
      : Promise.resolve([]),
  ]);
  const coreGroups = plan
    ? await deps.db
        .selectFrom('core_group_meetings')
        .select(['held_on', 'next_meeting_on'])
        .where('plan_id', '=', plan.id)
        .orderBy('held_on', 'desc')
        .execute()
    : [];
  const meetings: PartnerMeeting[] = [
    ...conferences.map((c) => ({
      kind: CONFERENCE_KINDS[c.kind] ?? 'Child protection conference',
      on: c.held_on,
      status: c.status === 'planned' ? 'Arranged' : 'Held',
    })),
    ...coreGroups.map((g) => ({ kind: 'Core group meeting', on: g.held_on, status: 'Held' })),
    ...coreGroups
      .filter((g) => g.next_meeting_on !== null && g.next_meeting_on >= today)
      .slice(0, 1)
      .map((g) => ({ kind: 'Core group meeting', on: g.next_meeting_on ?? '', status: 'Next meeting' })),
  ].sort((a, b) => b.on.localeCompare(a.on));
  const contributions = await Promise.all(enquiries.map((e) => contributionsOf(deps.db, e.id)));
  return {
    child: { id: child.id, name, dateOfBirth: child.date_of_birth },
    restricted: false,
    members: members.filter((m) => m.endedAt === null).map((m) => ({ ...m, basisNote: null })),
    plan,
    meetings,
    enquiries: enquiries.map((e, i) => ({
      id: e.id,
      startedOn: e.started_on,
      open: e.completed_on === null,
      contributions: contributions[i] ?? [],
    })),
    canContributeToSection47: canContribute,
  };
}
