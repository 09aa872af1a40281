import { recordAudit } from '../../platform/audit/audit.ts';
import type { Deps } from '../../platform/deps.ts';
import { ConflictError, NotFoundError, VersionConflictError } from '../../platform/errors.ts';
import { can, type Actor } from '../access/actor.ts';
import { personInScopeFor } from '../access/person-scope.ts';
import {
  UUID,
  auditChildView,
  childInHelpScope,
  londonDate,
  requireHelpPermission,
  type Executor,
} from '../help/access.ts';
import { childRef, type ChildRef } from '../help/assessment-common.ts';
import { PLAN_KINDS } from '../help/plan-codes.ts';
import { longDate } from '../help/dates.ts';
import { ErrorList, parseDate, type DateParts } from '../people/person-form.ts';
import { NEXT_OUTCOMES, OPEN_REFERRAL_STATUSES, REFERRAL_OUTCOMES, REFERRAL_STATUSES } from './codes.ts';
import type { ReferralOutcome, ReferralStatus } from './directory.table.ts';

/**
 * Closed-loop referrals: a child's family referred to a local service from the child's plan (one of
 * its goals) or record, only with the family's consent (who gave it and when); the service's answer
 * and what happened (accepted or declined, attended, helped, each with a note) come back and show in
 * the plan. Every change needs write access to the child's help record and is audited; reading one
 * is a view of the child.
 */

type Context = { readonly requestId?: string | null | undefined; readonly route?: string };

export const REASON_MAX = 2000;
export const NOTE_MAX = 2000;

export type ReferralValues = {
  readonly serviceId: string;
  readonly planId: string;
  readonly goalId: string;
  readonly reason: string;
  readonly consent: string;
  readonly consentGivenBy: string;
  readonly consentGivenOn: DateParts;
};

export type OutcomeValues = {
  readonly outcome: string;
  readonly note: string;
  readonly occurredOn: DateParts;
};

export type ServiceChoice = { readonly id: string; readonly name: string; readonly organization: string };

export type OutcomeView = {
  readonly outcome: ReferralOutcome;
  readonly outcomeLabel: string;
  readonly note: string;
  readonly occurredOn: string;
  readonly recordedBy: string | null;
};

export type ReferralView = {
  readonly id: string;
  readonly child: ChildRef;
  readonly serviceId: string;
  readonly serviceName: string;
  readonly organizationName: string;
  readonly planId: string | null;
  readonly goalId: string | null;
  readonly goal: string | null;
  readonly reason: string;
  readonly consentGivenBy: string;
  readonly consentGivenOn: string;
  readonly referredOn: string;
  readonly referredBy: string | null;
  readonly status: ReferralStatus;
  readonly statusLabel: string;
  readonly open: boolean;
  readonly version: number;
  readonly outcomes: readonly OutcomeView[];
  readonly nextOutcomes: readonly { value: ReferralOutcome; text: string }[];
};

function referralQuery(db: Executor) {
  return db
    .selectFrom('service_referrals as r')
    .innerJoin('directory_services as s', 's.id', 'r.service_id')
    .innerJoin('directory_organizations as o', 'o.id', 's.organization_id')
    .innerJoin('people', 'people.id', 'r.person_id')
    .leftJoin('plan_goals as g', 'g.id', 'r.plan_goal_id')
    .leftJoin('users as u', 'u.id', 'r.referred_by')
    .selectAll('r')
    .select([
      's.name as service_name',
      'o.name as organization_name',
      'g.goal as goal_text',
      'u.display_name as referred_by_name',
      'people.given_name',
      'people.family_name',
    ]);
}

type ReferralRow = Awaited<ReturnType<ReturnType<typeof referralQuery>['execute']>>[number];

async function outcomesOf(db: Executor, referralIds: readonly string[]): Promise<Map<string, OutcomeView[]>> {
  const map = new Map<string, OutcomeView[]>();
  if (referralIds.length === 0) return map;
  const rows = await db
    .selectFrom('service_referral_outcomes as x')
    .leftJoin('users as u', 'u.id', 'x.recorded_by')
    .select(['x.referral_id', 'x.outcome', 'x.note', 'x.occurred_on', 'u.display_name'])
    .where('x.referral_id', 'in', [...referralIds])
    .orderBy('x.occurred_on')
    .orderBy('x.recorded_at')
    .execute();
  for (const row of rows) {
    const list = map.get(row.referral_id) ?? [];
    list.push({
      outcome: row.outcome,
      outcomeLabel: REFERRAL_OUTCOMES[row.outcome],
      note: row.note,
      occurredOn: row.occurred_on,
      recordedBy: row.display_name,
    });
    map.set(row.referral_id, list);
  }
  return map;
}

function viewOf(row: ReferralRow, outcomes: readonly OutcomeView[]): ReferralView {
  return {
    id: row.id,
    child: childRef({ id: row.person_id, given_name: row.given_name, family_name: row.family_name }),
    serviceId: row.service_id,
    serviceName: row.service_name,
    organizationName: row.organization_name,
    planId: row.plan_id,
    goalId: row.plan_goal_id,
    goal: row.goal_text,
    reason: row.reason,
    consentGivenBy: row.consent_given_by,
    consentGivenOn: row.consent_given_on,
    referredOn: row.referred_on,
    referredBy: row.referred_by_name,
    status: row.status,
    statusLabel: REFERRAL_STATUSES[row.status],
    open: OPEN_REFERRAL_STATUSES.includes(row.status),
    version: row.version,
    outcomes,
    nextOutcomes: NEXT_OUTCOMES[row.status].map((value) => ({ value, text: REFERRAL_OUTCOMES[value] })),
  };
}

/** A plan's referrals with their outcomes (the caller has checked the child is in scope). */
export async function referralsForPlan(db: Executor, planId: string): Promise<ReferralView[]> {
  const rows = await referralQuery(db)
    .where('r.plan_id', '=', planId)
    .orderBy('r.referred_on', 'desc')
    .orderBy('r.created_at', 'desc')
    .execute();
  const outcomes = await outcomesOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((row) => viewOf(row, outcomes.get(row.id) ?? []));
}

/** The active services a family can be referred to, by name. */
export async function serviceChoices(db: Executor): Promise<ServiceChoice[]> {
  return db
    .selectFrom('directory_services as s')
    .innerJoin('directory_organizations as o', 'o.id', 's.organization_id')
    .select(['s.id', 's.name', 'o.name as organization'])
    .where('s.status', '=', 'active')
    .orderBy('s.name')
    .orderBy('s.id')
    .execute();
}

type PlanChoice = { id: string; kindLabel: string; goals: { id: string; goal: string }[] };

async function plansOf(db: Executor, personId: string): Promise<PlanChoice[]> {
  const plans = await db
    .selectFrom('plans')
    .select(['id', 'kind', 'status'])
    .where('person_id', '=', personId)
    .where('status', 'in', ['draft', 'active'])
    .orderBy('created_at', 'desc')
    .execute();
  if (plans.length === 0) return [];
  const goals = await db
    .selectFrom('plan_goals')
    .select(['id', 'plan_id', 'goal'])
    .where(
      'plan_id',
      'in',
      plans.map((p) => p.id),
    )
    .orderBy('position')
    .execute();
  return plans.map((p) => ({
    id: p.id,
    kindLabel: PLAN_KINDS[p.kind],
    goals: goals.filter((g) => g.plan_id === p.id).map((g) => ({ id: g.id, goal: g.goal })),
  }));
}

/** What the "refer to a service" page needs (audited as a view of the child). */
export async function newReferralPage(
  deps: Deps,
  actor: Actor,
  input: { personId: string } & Context,
): Promise<{ child: ChildRef; services: ServiceChoice[]; plans: PlanChoice[] }> {
  requireHelpPermission(actor, 'write');
  const child = await childInHelpScope(deps.db, actor, deps.clock, input.personId, 'write');
  const [services, plans] = await Promise.all([serviceChoices(deps.db), plansOf(deps.db, child.id)]);
  await auditChildView(deps.db, actor, {
    personId: child.id,
    requestId: input.requestId,
    route: input.route ?? '/children/:id/referrals/new',
    purpose: 'service_referral',
  });
  return { child: childRef(child), services, plans };
}

/**
 * Refers the child's family to a service. Refused without the family's consent (yes, who gave it
 * and when), for a service that is not active, or a plan or goal that is not the child's.
 */
export async function createReferral(
  deps: Deps,
  actor: Actor,
  input: { personId: string; values: ReferralValues } & Context,
): Promise<string> {
  requireHelpPermission(actor, 'write');
  const v = input.values;
  const today = londonDate(deps.clock.now());
  const errors = new ErrorList();
  if (!UUID.test(v.serviceId)) errors.add('serviceId', 'Select the service');
  const reason = v.reason.trim();
  if (reason === '') errors.add('reason', 'Enter why the family is being referred');
  else if (reason.length > REASON_MAX)
    errors.add('reason', `Why the family is being referred must be ${REASON_MAX} characters or fewer`);
  if (v.consent !== 'yes') {
    errors.add(
      'consent',
      v.consent === 'no'
        ? 'A family cannot be referred to a service without their consent'
        : 'Select whether the family agreed to the referral',
    );
  }
  const givenBy = v.consentGivenBy.trim();
  if (v.consent === 'yes') {
    if (givenBy === '') errors.add('consentGivenBy', 'Enter who in the family gave consent');
    else if (givenBy.length > 200)
      errors.add('consentGivenBy', 'Who gave consent must be 200 characters or fewer');
  }
  const givenOn =
    v.consent === 'yes'
      ? parseDate(errors, 'consentGivenOn', 'The date consent was given', v.consentGivenOn, {
          required: 'Enter the date the family gave consent',
        })
      : undefined;
  if (givenOn && givenOn > today)
    errors.addDate('consentGivenOn', 'The date consent was given must be today or in the past', [
      'day',
      'month',
      'year',
    ]);
  return deps.db.transaction().execute(async (trx) => {
    const child = await childInHelpScope(trx, actor, deps.clock, input.personId, 'write');
    let planId: string | null = null;
    let goalId: string | null = null;
    if (v.planId !== '') {
      const plan = UUID.test(v.planId)
        ? await trx
            .selectFrom('plans')
            .select(['id', 'status'])
            .where('id', '=', v.planId)
            .where('person_id', '=', child.id)
            .executeTakeFirst()
        : undefined;
      if (!plan) throw new NotFoundError();
      if (plan.status === 'ended')
        throw new ConflictError('The plan has ended, so no referral can be added to it');
      planId = plan.id;
      if (v.goalId !== '') {
        const goal = UUID.test(v.goalId)
          ? await trx
              .selectFrom('plan_goals')
              .select('id')
              .where('id', '=', v.goalId)
              .where('plan_id', '=', plan.id)
              .executeTakeFirst()
          : undefined;
        if (!goal) errors.add('goalId', 'Select one of the plan’s goals');
        else goalId = goal.id;
      }
    }
    if (UUID.test(v.serviceId)) {
      const service = await trx
        .selectFrom('directory_services')
        .select('status')
        .where('id', '=', v.serviceId)
        .executeTakeFirst();
      if (!service) errors.add('serviceId', 'Select the service');
      else if (service.status !== 'active')
        errors.add('serviceId', 'The service is not taking referrals now');
    }
    errors.throwIfAny();
    const row = await trx
      .insertInto('service_referrals')
      .values({
        organisation_id: actor.organisationId,
        person_id: child.id,
        plan_id: planId,
        plan_goal_id: goalId,
        service_id: v.serviceId,
        reason,
        consent_given: true,
        consent_given_by: givenBy,
        consent_given_on: givenOn as string,
        referred_on: today,
        referred_by: actor.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'service_referral.create',
      entityType: 'service_referral',
      entityId: row.id,
      detail: { personId: child.id, planId, goalId, serviceId: v.serviceId },
      requestId: input.requestId ?? null,
    });
    return row.id;
  });
}

async function loadReferral(
  db: Executor,
  personId: string,
  referralId: string,
): Promise<{ row: ReferralRow; view: ReferralView }> {
  if (!UUID.test(referralId)) throw new NotFoundError();
  const row = await referralQuery(db)
    .where('r.id', '=', referralId)
    .where('r.person_id', '=', personId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  const outcomes = await outcomesOf(db, [row.id]);
  return { row, view: viewOf(row, outcomes.get(row.id) ?? []) };
}

async function mayWrite(deps: Deps, actor: Actor, personId: string): Promise<boolean> {
  if (!can(actor, 'help', 'write')) return false;
  try {
    await childInHelpScope(deps.db, actor, deps.clock, personId, 'write');
    return true;
  } catch (error) {
    if (error instanceof NotFoundError) return false;
    throw error;
  }
}

/** One referral with its outcomes (audited as a view of the child). */
export async function referralPage(
  deps: Deps,
  actor: Actor,
  input: { personId: string; referralId: string } & Context,
): Promise<ReferralView & { canWrite: boolean }> {
  requireHelpPermission(actor, 'read');
  const child = await childInHelpScope(deps.db, actor, deps.clock, input.personId, 'read');
  const { view } = await loadReferral(deps.db, child.id, input.referralId);
  const canWrite = await mayWrite(deps, actor, child.id);
  await auditChildView(deps.db, actor, {
    personId: child.id,
    requestId: input.requestId,
    route: input.route ?? '/children/:id/referrals/:rid',
    purpose: 'service_referral',
  });
  return { ...view, canWrite };
}

/** Records what came back from the service; the referral moves to that state. */
export async function recordOutcome(
  deps: Deps,
  actor: Actor,
  input: { personId: string; referralId: string; version: number; values: OutcomeValues } & Context,
): Promise<ReferralOutcome> {
  requireHelpPermission(actor, 'write');
  const v = input.values;
  const today = londonDate(deps.clock.now());
  const errors = new ErrorList();
  const note = v.note.trim();
  if (note === '') errors.add('note', 'Enter a note about what the service said or what happened');
  else if (note.length > NOTE_MAX) errors.add('note', `The note must be ${NOTE_MAX} characters or fewer`);
  const occurredOn = parseDate(errors, 'occurredOn', 'The date', v.occurredOn, {
    required: 'Enter the date it happened',
  });
  if (occurredOn && occurredOn > today)
    errors.addDate('occurredOn', 'The date must be today or in the past', ['day', 'month', 'year']);
  return deps.db.transaction().execute(async (trx) => {
    const child = await childInHelpScope(trx, actor, deps.clock, input.personId, 'write');
    const { row } = await loadReferral(trx, child.id, input.referralId);
    const back = `/children/${child.id}/referrals/${row.id}`;
    if (row.version !== input.version) throw new VersionConflictError([], back);
    const allowed = NEXT_OUTCOMES[row.status];
    if (allowed.length === 0) throw new ConflictError('This referral is closed');
    const outcome = allowed.find((o) => o === v.outcome);
    if (!outcome) errors.add('outcome', 'Select what happened');
    if (occurredOn && occurredOn < row.referred_on)
      errors.addDate(
        'occurredOn',
        `The date must be on or after ${longDate(row.referred_on)}, when the family was referred`,
        ['day', 'month', 'year'],
      );
    errors.throwIfAny();
    const chosen = outcome as ReferralOutcome;
    const updated = await trx
      .updateTable('service_referrals')
      .set((eb) => ({ status: chosen, updated_at: deps.clock.now(), version: eb('version', '+', 1) }))
      .where('id', '=', row.id)
      .where('version', '=', input.version)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) throw new VersionConflictError([], back);
    await trx
      .insertInto('service_referral_outcomes')
      .values({
        referral_id: row.id,
        outcome: chosen,
        note,
        occurred_on: occurredOn as string,
        recorded_by: actor.userId,
      })
      .execute();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'service_referral.outcome',
      entityType: 'service_referral',
      entityId: row.id,
      detail: { personId: child.id, outcome: chosen },
      requestId: input.requestId ?? null,
    });
    return chosen;
  });
}

export type OpenReferralRow = {
  readonly id: string;
  readonly child: ChildRef;
  readonly serviceName: string;
  readonly organizationName: string;
  readonly referredOn: string;
  readonly status: ReferralStatus;
  readonly statusLabel: string;
  readonly daysWaiting: number;
};

/** Referrals still waiting for an outcome, of the children the actor may see, oldest first. */
export async function openReferrals(deps: Deps, actor: Actor): Promise<OpenReferralRow[]> {
  requireHelpPermission(actor, 'read');
  const rows = await referralQuery(deps.db)
    .where('r.status', 'in', [...OPEN_REFERRAL_STATUSES])
    .where('people.merged_into', 'is', null)
    .where(personInScopeFor(actor, 'help', 'read', deps.clock))
    .orderBy('r.referred_on')
    .orderBy('r.created_at')
    .limit(500)
    .execute();
  const today = Date.parse(londonDate(deps.clock.now()));
  return rows.map((row) => ({
    id: row.id,
    child: childRef({ id: row.person_id, given_name: row.given_name, family_name: row.family_name }),
    serviceName: row.service_name,
    organizationName: row.organization_name,
    referredOn: row.referred_on,
    status: row.status,
    statusLabel: REFERRAL_STATUSES[row.status],
    daysWaiting: Math.round((today - Date.parse(row.referred_on)) / 86_400_000),
  }));
}
