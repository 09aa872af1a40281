import type { Selectable } from 'kysely';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Deps } from '../../platform/deps.ts';
import { InvalidInputError, NotFoundError } from '../../platform/errors.ts';
import type { Actor } from '../access/actor.ts';
import { UUID, type Executor } from '../help/access.ts';
import { GOAL_PROGRESS, PLAN_KINDS } from '../help/plan-codes.ts';
import type { GoalValues } from '../help/plan-form.ts';
import { checkGoal } from '../help/plans.ts';
import type { PlanTable } from '../help/help.table.ts';
import { ErrorList } from '../people/person-form.ts';
import { childInScope, isPartner, viewChild, type ChildRow } from './access.ts';
import type { GoalProgressCode } from './partners.table.ts';

/**
 * The one shared plan of a child's team around the family: the child's active plan. Every member
 * (local authority staff and partner practitioners) sees it and adds their own actions and progress
 * updates, each attributed to them and their organisation.
 */

type Context = { readonly requestId?: string | null | undefined };

export type SharedUpdate = {
  readonly note: string;
  readonly progressLabel: string;
  readonly by: string;
  readonly organisation: string;
  readonly at: Date;
};

export type SharedAction = {
  readonly id: string;
  readonly goal: string;
  readonly who: string;
  readonly byWhen: string | null;
  readonly progressLabel: string;
  readonly addedBy: string | null;
  readonly addedByOrganisation: string | null;
  readonly updates: readonly SharedUpdate[];
};

export type SharedPlan = {
  readonly id: string;
  readonly kindLabel: string;
  readonly startedOn: string | null;
  readonly nextReviewOn: string | null;
  readonly familyWords: string | null;
  readonly childWords: string | null;
  readonly actions: readonly SharedAction[];
};

/** The child's shared plan: their newest active plan, if any. */
export async function currentPlanOf(
  db: Executor,
  childId: string,
): Promise<Selectable<PlanTable> | undefined> {
  return db
    .selectFrom('plans')
    .selectAll()
    .where('person_id', '=', childId)
    .where('status', '=', 'active')
    .orderBy('started_on', 'desc')
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export type ActionAttribution = {
  readonly addedBy: string | null;
  readonly addedByOrganisation: string | null;
  readonly updates: readonly SharedUpdate[];
};

/**
 * Who added each action of a plan and for which organisation, and every progress update with who
 * wrote it, for which organisation and when: keyed by the action's id. Shown on the staff plan page
 * and the partner's view alike (the caller has checked scope and audited the view).
 */
export async function planAttributionOf(
  db: Executor,
  planId: string,
): Promise<Record<string, ActionAttribution>> {
  const [goals, updates] = await Promise.all([
    db
      .selectFrom('plan_goals')
      .leftJoin('users', 'users.id', 'plan_goals.added_by')
      .leftJoin('organisations', 'organisations.id', 'plan_goals.added_by_organisation_id')
      .select(['plan_goals.id', 'users.display_name', 'organisations.name as organisation_name'])
      .where('plan_goals.plan_id', '=', planId)
      .execute(),
    db
      .selectFrom('plan_goal_updates as u')
      .innerJoin('users', 'users.id', 'u.recorded_by')
      .innerJoin('organisations', 'organisations.id', 'u.organisation_id')
      .select([
        'u.goal_id',
        'u.note',
        'u.progress',
        'u.recorded_at',
        'users.display_name',
        'organisations.name as organisation_name',
      ])
      .where('u.plan_id', '=', planId)
      .orderBy('u.recorded_at')
      .orderBy('u.id')
      .execute(),
  ]);
  const byGoal: Record<string, ActionAttribution> = {};
  for (const g of goals)
    byGoal[g.id] = {
      addedBy: g.display_name,
      addedByOrganisation: g.organisation_name,
      updates: updates
        .filter((u) => u.goal_id === g.id)
        .map((u) => ({
          note: u.note,
          progressLabel: u.progress ? GOAL_PROGRESS[u.progress] : '',
          by: u.display_name,
          organisation: u.organisation_name,
          at: u.recorded_at,
        })),
    };
  return byGoal;
}

/** The shared plan as its members see it (the caller has checked scope and audited the view). */
export async function sharedPlanOf(db: Executor, childId: string): Promise<SharedPlan | null> {
  const plan = await currentPlanOf(db, childId);
  if (!plan) return null;
  const [goals, attribution] = await Promise.all([
    db
      .selectFrom('plan_goals')
      .select(['id', 'goal', 'who', 'by_when', 'progress'])
      .where('plan_id', '=', plan.id)
      .orderBy('position')
      .execute(),
    planAttributionOf(db, plan.id),
  ]);
  return {
    id: plan.id,
    kindLabel: PLAN_KINDS[plan.kind],
    startedOn: plan.started_on,
    nextReviewOn: plan.next_review_on,
    familyWords: plan.family_words,
    childWords: plan.child_words,
    actions: goals.map((g) => ({
      id: g.id,
      goal: g.goal,
      who: g.who,
      byWhen: g.by_when,
      progressLabel: g.progress ? GOAL_PROGRESS[g.progress] : '',
      addedBy: attribution[g.id]?.addedBy ?? null,
      addedByOrganisation: attribution[g.id]?.addedByOrganisation ?? null,
      updates: attribution[g.id]?.updates ?? [],
    })),
  };
}

/** The child, if the actor may add to their shared plan: a partner in scope, or staff who may write help. */
export async function childForPlanWrite(
  db: Executor,
  deps: Deps,
  actor: Actor,
  childId: string,
): Promise<ChildRow> {
  return isPartner(actor)
    ? childInScope(db, actor, deps.clock, childId, 'partner_plan', 'write')
    : childInScope(db, actor, deps.clock, childId, 'help', 'write');
}

/** As childForPlanWrite, for a form about the child: the view (or refusal) is audited. */
export async function viewChildForPlanWrite(
  deps: Deps,
  actor: Actor,
  input: { childId: string; route: string } & Context,
): Promise<ChildRow> {
  const partner = isPartner(actor);
  return viewChild(deps.db, actor, deps.clock, {
    childId: input.childId,
    resource: partner ? 'partner_plan' : 'help',
    action: 'write',
    route: input.route,
    purpose: 'shared_plan',
    requestId: input.requestId,
  });
}

async function writablePlan(db: Executor, deps: Deps, actor: Actor, childId: string) {
  const child = await childForPlanWrite(db, deps, actor, childId);
  const plan = await currentPlanOf(db, child.id);
  if (!plan) throw new NotFoundError();
  return { child, plan };
}

/** Adds an action to the shared plan, attributed to the actor and their organisation. */
export async function addSharedAction(
  deps: Deps,
  actor: Actor,
  input: { childId: string; values: GoalValues } & Context,
): Promise<string> {
  return deps.db.transaction().execute(async (trx) => {
    const { child, plan } = await writablePlan(trx, deps, actor, input.childId);
    const goal = checkGoal(input.values);
    const last = await trx
      .selectFrom('plan_goals')
      .select((eb) => eb.fn.max<number | null>('position').as('position'))
      .where('plan_id', '=', plan.id)
      .executeTakeFirst();
    const row = await trx
      .insertInto('plan_goals')
      .values({
        plan_id: plan.id,
        position: (last?.position ?? 0) + 1,
        goal: goal.goal,
        who: goal.who,
        by_when: goal.byWhen,
        progress: goal.progress,
        added_by: actor.userId,
        added_by_organisation_id: actor.organisationId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'plan.goal_add',
      entityType: 'plan',
      entityId: plan.id,
      detail: { personId: child.id, goalId: row.id, via: 'shared_plan' },
      requestId: input.requestId ?? null,
    });
    return row.id;
  });
}

export type UpdateValues = { readonly note: string; readonly progress: string };

/** The action, for the update form. */
export async function sharedActionFor(
  deps: Deps,
  actor: Actor,
  input: { childId: string; goalId: string; route: string } & Context,
): Promise<{ child: ChildRow; action: { id: string; goal: string; who: string } }> {
  const child = await viewChildForPlanWrite(deps, actor, input);
  const plan = await currentPlanOf(deps.db, child.id);
  if (!plan) throw new NotFoundError();
  if (!UUID.test(input.goalId)) throw new NotFoundError();
  const goal = await deps.db
    .selectFrom('plan_goals')
    .select(['id', 'goal', 'who'])
    .where('id', '=', input.goalId)
    .where('plan_id', '=', plan.id)
    .executeTakeFirst();
  if (!goal) throw new NotFoundError();
  return { child, action: goal };
}

/** Adds a progress update to an action of the shared plan (and moves its progress, when given). */
export async function addProgressUpdate(
  deps: Deps,
  actor: Actor,
  input: { childId: string; goalId: string; values: UpdateValues } & Context,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const { child, plan } = await writablePlan(trx, deps, actor, input.childId);
    if (!UUID.test(input.goalId)) throw new NotFoundError();
    const goal = await trx
      .selectFrom('plan_goals')
      .select(['id', 'version'])
      .where('id', '=', input.goalId)
      .where('plan_id', '=', plan.id)
      .forUpdate()
      .executeTakeFirst();
    if (!goal) throw new NotFoundError();
    const errors = new ErrorList();
    const note = input.values.note.trim();
    if (note === '') errors.add('note', 'Enter what has happened');
    else if (note.length > 3000) errors.add('note', 'What has happened must be 3000 characters or fewer');
    let progress: GoalProgressCode | null = null;
    if (input.values.progress !== '') {
      if (Object.hasOwn(GOAL_PROGRESS, input.values.progress))
        progress = input.values.progress as GoalProgressCode;
      else errors.add('progress', 'Select how the action is going');
    }
    errors.throwIfAny();
    if (note === '') throw new InvalidInputError([]);
    await trx
      .insertInto('plan_goal_updates')
      .values({
        plan_id: plan.id,
        goal_id: goal.id,
        progress,
        note,
        recorded_by: actor.userId,
        organisation_id: actor.organisationId,
        recorded_at: deps.clock.now(),
      })
      .execute();
    if (progress)
      await trx
        .updateTable('plan_goals')
        .set({ progress, version: goal.version + 1, updated_at: deps.clock.now() })
        .where('id', '=', goal.id)
        .execute();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'plan.goal_update',
      entityType: 'plan',
      entityId: plan.id,
      detail: { personId: child.id, goalId: goal.id, via: 'shared_plan' },
      requestId: input.requestId ?? null,
    });
  });
}
