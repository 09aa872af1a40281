import { recordAudit } from '../../platform/audit/audit.ts';
import { londonDate } from '../../platform/clock.ts';
import type { Deps } from '../../platform/deps.ts';
import { InvalidInputError, NotFoundError } from '../../platform/errors.ts';
import { can, type Actor } from '../access/actor.ts';
import { UUID, type Executor } from '../help/access.ts';
import { ErrorList, parseDate, type DateParts } from '../people/person-form.ts';
import { childInScope, viewChild, type ChildRow } from './access.ts';
import { MEMBERSHIP_BASES, ORGANISATION_KINDS, isCode } from './codes.ts';
import { consentIsLive, consentState, consentsOf, type ConsentView } from './consent.ts';
import type { MembershipBasis } from './partners.table.ts';
import { sharedPlanOf, type SharedPlan } from './shared-plan.ts';

/**
 * The team around the family: the local authority staff and partner practitioners working with a
 * child, one of whom may be the lead practitioner (a partner can be). A partner's membership states
 * the lawful basis of their access: the family's consent (which must cover their organisation and be
 * in force) or a safeguarding duty (with the duty named). Ending a membership, or the consent it
 * relies on being withdrawn or expiring, ends the partner's access at once.
 */

type Context = { readonly requestId?: string | null | undefined; readonly route?: string };

export type MemberView = {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly organisation: string;
  readonly organisationKind: string;
  readonly partner: boolean;
  readonly teamRole: string;
  readonly isLead: boolean;
  readonly basis: string;
  readonly basisNote: string | null;
  /** For partners: whether the basis holds today (consent in force). */
  readonly accessHolds: boolean;
  readonly fromOn: string;
  readonly addedBy: string;
  readonly endedAt: Date | null;
  readonly endReason: string | null;
};

/** The members of the child's team around the family (current first), as everyone in it sees them. */
export async function membersOf(
  db: Executor,
  child: { id: string; organisation_id: string },
  today: string,
): Promise<MemberView[]> {
  const rows = await db
    .selectFrom('team_around_family_members as m')
    .innerJoin('users', 'users.id', 'm.user_id')
    .innerJoin('organisations', 'organisations.id', 'm.organisation_id')
    .innerJoin('users as adder', 'adder.id', 'm.added_by')
    .leftJoin('consents', 'consents.id', 'm.consent_id')
    .select([
      'm.id',
      'm.user_id',
      'm.team_role',
      'm.is_lead',
      'm.legal_basis',
      'm.basis_note',
      'm.from_on',
      'm.ended_at',
      'm.end_reason',
      'users.display_name',
      'organisations.name as organisation_name',
      'organisations.kind as organisation_kind',
      'adder.display_name as adder_name',
      'consents.valid_from',
      'consents.valid_until',
      'consents.withdrawn_on',
    ])
    .where('m.child_id', '=', child.id)
    .orderBy('m.ended_at', (ob) => ob.desc().nullsFirst())
    .orderBy('m.is_lead', 'desc')
    .orderBy('m.from_on')
    .execute();
  return rows.map((r) => {
    const partner = r.organisation_kind !== 'local_authority';
    const consentHolds =
      r.valid_from !== null &&
      consentState(
        { valid_from: r.valid_from, valid_until: r.valid_until, withdrawn_on: r.withdrawn_on },
        today,
      ) === 'live';
    return {
      id: r.id,
      userId: r.user_id,
      name: r.display_name,
      organisation: r.organisation_name,
      organisationKind: ORGANISATION_KINDS[r.organisation_kind] ?? r.organisation_kind,
      partner,
      teamRole: r.team_role,
      isLead: r.is_lead,
      basis: r.legal_basis ? MEMBERSHIP_BASES[r.legal_basis] : 'Local authority',
      basisNote: r.basis_note,
      accessHolds:
        r.ended_at === null &&
        r.from_on <= today &&
        (!partner || r.legal_basis === 'safeguarding_duty' || consentHolds),
      fromOn: r.from_on,
      addedBy: r.adder_name,
      endedAt: r.ended_at,
      endReason: r.end_reason,
    };
  });
}

export type TeamAroundFamilyPage = {
  readonly child: ChildRow;
  readonly members: readonly MemberView[];
  readonly plan: SharedPlan | null;
  readonly canManage: boolean;
  readonly canWritePlan: boolean;
};

/** The child's team around the family and their shared plan, for local authority staff (audited). */
export async function teamAroundFamilyPage(
  deps: Deps,
  actor: Actor,
  input: { childId: string } & Context,
): Promise<TeamAroundFamilyPage> {
  const child = await viewChild(deps.db, actor, deps.clock, {
    childId: input.childId,
    resource: 'help',
    action: 'read',
    route: input.route ?? '/children/:id/team-around-the-family',
    purpose: 'team_around_family',
    requestId: input.requestId,
  });
  const today = londonDate(deps.clock.now());
  const [members, plan, canManage, canWritePlan] = await Promise.all([
    membersOf(deps.db, child, today),
    sharedPlanOf(deps.db, child.id),
    inScope(deps, actor, child.id, 'team_around_family', 'manage'),
    inScope(deps, actor, child.id, 'help', 'write'),
  ]);
  return { child, members, plan, canManage, canWritePlan };
}

async function inScope(deps: Deps, actor: Actor, childId: string, resource: string, action: string) {
  if (!can(actor, resource, action)) return false;
  try {
    await childInScope(deps.db, actor, deps.clock, childId, resource, action);
    return true;
  } catch {
    return false;
  }
}

export type StaffChoice = { readonly id: string; readonly name: string; readonly organisation: string };

/** Who may be added: enabled staff of the authority and of partner organisations holding a partner role. */
export async function addMemberChoices(
  deps: Deps,
  actor: Actor,
  input: { childId: string } & Context,
): Promise<{ child: ChildRow; staff: StaffChoice[]; consents: ConsentView[] }> {
  const child = await viewChild(deps.db, actor, deps.clock, {
    childId: input.childId,
    resource: 'team_around_family',
    action: 'manage',
    route: input.route ?? '/children/:id/team-around-the-family/add',
    purpose: 'team_around_family',
    requestId: input.requestId,
  });
  const [staff, consents] = await Promise.all([
    candidates(deps.db, child.organisation_id).execute(),
    consentsOf(deps.db, child.id, londonDate(deps.clock.now())),
  ]);
  return {
    child,
    staff: staff.map((s) => ({ id: s.id, name: s.display_name, organisation: s.organisation_name })),
    consents: consents.filter((c) => c.state === 'live'),
  };
}

function candidates(db: Executor, authorityId: string) {
  return db
    .selectFrom('users')
    .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
    .select([
      'users.id',
      'users.display_name',
      'users.organisation_id',
      'organisations.name as organisation_name',
    ])
    .where('users.disabled_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb('users.organisation_id', '=', authorityId),
        eb.and([
          eb('organisations.kind', '!=', 'local_authority'),
          eb.exists(
            eb
              .selectFrom('user_roles')
              .select('user_roles.role_id')
              .whereRef('user_roles.user_id', '=', 'users.id')
              .where('user_roles.role_id', 'in', ['partner_practitioner', 'multi_agency_practitioner']),
          ),
        ]),
      ]),
    )
    .orderBy('organisations.name')
    .orderBy('users.display_name');
}

export type MemberValues = {
  readonly userId: string;
  readonly teamRole: string;
  readonly isLead: string;
  readonly legalBasis: string;
  readonly consentId: string;
  readonly basisNote: string;
  readonly fromOn: DateParts;
};

/** Adds someone to the child's team around the family. */
export async function addMember(
  deps: Deps,
  actor: Actor,
  input: { childId: string; values: MemberValues } & Context,
): Promise<string> {
  return deps.db.transaction().execute(async (trx) => {
    const child = await childInScope(trx, actor, deps.clock, input.childId, 'team_around_family', 'manage');
    const v = input.values;
    const errors = new ErrorList();
    const user = UUID.test(v.userId)
      ? await candidates(trx, child.organisation_id).where('users.id', '=', v.userId).executeTakeFirst()
      : undefined;
    if (v.userId === '') errors.add('userId', 'Select who is joining the team around the family');
    else if (!user) errors.add('userId', 'Select someone from the list');
    const teamRole = v.teamRole.trim();
    if (teamRole === '')
      errors.add('teamRole', 'Enter their role in the team, for example designated safeguarding lead');
    else if (teamRole.length > 200) errors.add('teamRole', 'Their role must be 200 characters or fewer');
    const fromOn = parseDate(errors, 'fromOn', 'Date they joined', v.fromOn, {
      required: 'Enter the date they joined the team',
    });
    const today = londonDate(deps.clock.now());
    const partner = user !== undefined && user.organisation_id !== child.organisation_id;
    let basis: MembershipBasis | null = null;
    let consentId: string | null = null;
    const note = v.basisNote.trim();
    if (partner) {
      if (!isCode(MEMBERSHIP_BASES, v.legalBasis))
        errors.add('legalBasis', 'Select the lawful basis for this partner seeing the child’s record');
      else basis = v.legalBasis;
      if (basis === 'consent') {
        if (v.consentId === '') errors.add('consentId', 'Select the consent their access relies on');
        else if (
          !(await consentIsLive(trx, {
            consentId: v.consentId,
            childId: child.id,
            day: today,
            organisationId: user.organisation_id,
          }))
        )
          errors.add(
            'consentId',
            'That consent is not in force or does not cover their organisation: record a new consent first',
          );
        else consentId = v.consentId;
      }
      if (basis === 'safeguarding_duty' && note === '')
        errors.add('basisNote', 'Enter the safeguarding duty, for example Children Act 1989 section 47');
    }
    if (note.length > 1000) errors.add('basisNote', 'The lawful basis must be 1000 characters or fewer');
    if (user) {
      const existing = await trx
        .selectFrom('team_around_family_members')
        .select('id')
        .where('child_id', '=', child.id)
        .where('user_id', '=', user.id)
        .where('ended_at', 'is', null)
        .executeTakeFirst();
      if (existing) errors.add('userId', `${user.display_name} is already in the team around the family`);
    }
    errors.throwIfAny();
    if (!user || !fromOn) throw new InvalidInputError([]);
    const isLead = v.isLead === 'yes';
    if (isLead)
      await trx
        .updateTable('team_around_family_members')
        .set({ is_lead: false })
        .where('child_id', '=', child.id)
        .where('ended_at', 'is', null)
        .execute();
    const episode = await trx
      .selectFrom('help_episodes')
      .select('id')
      .where('person_id', '=', child.id)
      .where('closed_on', 'is', null)
      .executeTakeFirst();
    const row = await trx
      .insertInto('team_around_family_members')
      .values({
        child_id: child.id,
        episode_id: episode?.id ?? null,
        user_id: user.id,
        organisation_id: user.organisation_id,
        team_role: teamRole,
        is_lead: isLead,
        legal_basis: partner ? basis : null,
        consent_id: partner ? consentId : null,
        basis_note: note === '' ? null : note,
        from_on: fromOn,
        added_by: actor.userId,
        added_at: deps.clock.now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'team_around_family.add',
      entityType: 'team_around_family_member',
      entityId: row.id,
      detail: { personId: child.id, userId: user.id, partner, basis, lead: isLead },
      requestId: input.requestId ?? null,
    });
    return row.id;
  });
}

async function activeMember(trx: Executor, childId: string, memberId: string) {
  if (!UUID.test(memberId)) throw new NotFoundError();
  const row = await trx
    .selectFrom('team_around_family_members')
    .select(['id', 'user_id'])
    .where('id', '=', memberId)
    .where('child_id', '=', childId)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  return row;
}

/** Ends someone's membership (and so, for a partner, their access to the child). */
export async function endMember(
  deps: Deps,
  actor: Actor,
  input: { childId: string; memberId: string; reason: string } & Context,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const child = await childInScope(trx, actor, deps.clock, input.childId, 'team_around_family', 'manage');
    const member = await activeMember(trx, child.id, input.memberId);
    const reason = input.reason.trim();
    if (reason === '')
      throw new InvalidInputError([{ field: 'reason', message: 'Enter why they are leaving the team' }]);
    if (reason.length > 1000)
      throw new InvalidInputError([
        { field: 'reason', message: 'The reason must be 1000 characters or fewer' },
      ]);
    await trx
      .updateTable('team_around_family_members')
      .set({ ended_at: deps.clock.now(), ended_by: actor.userId, end_reason: reason, is_lead: false })
      .where('id', '=', member.id)
      .execute();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'team_around_family.end',
      entityType: 'team_around_family_member',
      entityId: member.id,
      detail: { personId: child.id, userId: member.user_id },
      requestId: input.requestId ?? null,
    });
  });
}

/** Makes a current member the lead practitioner (a partner practitioner may lead family help). */
export async function makeLead(
  deps: Deps,
  actor: Actor,
  input: { childId: string; memberId: string } & Context,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const child = await childInScope(trx, actor, deps.clock, input.childId, 'team_around_family', 'manage');
    const member = await activeMember(trx, child.id, input.memberId);
    await trx
      .updateTable('team_around_family_members')
      .set({ is_lead: false })
      .where('child_id', '=', child.id)
      .where('ended_at', 'is', null)
      .execute();
    await trx
      .updateTable('team_around_family_members')
      .set({ is_lead: true })
      .where('id', '=', member.id)
      .execute();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'team_around_family.lead',
      entityType: 'team_around_family_member',
      entityId: member.id,
      detail: { personId: child.id, userId: member.user_id },
      requestId: input.requestId ?? null,
    });
  });
}
