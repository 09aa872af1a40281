import type { Selectable, Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Deps } from '../../platform/deps.ts';
import {
  ConflictError,
  InvalidInputError,
  NotFoundError,
  VersionConflictError,
  differingFields,
} from '../../platform/errors.ts';
import { can, type Actor } from '../access/actor.ts';
import { referralsForPlan, type ReferralView } from '../directory/referrals.ts';
import { ErrorList, parseDate, partsFromIso, type DateParts } from '../people/person-form.ts';
import {
  UUID,
  auditChildView,
  childInHelpScope,
  londonDate,
  requireHelpPermission,
  type Executor,
} from './access.ts';
import { labelOf } from './assessment-codes.ts';
import { childRef, type ChildRef } from './assessment-common.ts';
import { addCalendarDays, longDate } from './dates.ts';
import { addAutomaticEntry } from './chronology.ts';
import { STATUS_LABELS, currentEpisode, leadAllocation, moveEpisode, openEpisodeOf } from './episodes.ts';
import type {
  EpisodeStatus,
  GoalProgress,
  HelpEpisodeTable,
  PlanGoalTable,
  PlanKind,
  PlanStatus,
  PlanTable,
  ReviewDecision,
} from './help.table.ts';
import {
  CREATABLE_PLAN_KINDS,
  GOAL_PROGRESS,
  PLAN_KINDS,
  PLAN_STATUSES,
  PRIMARY_NEEDS,
  REFERRAL_SOURCES,
  REVIEW_DECISIONS,
} from './plan-codes.ts';
import {
  GOAL_LABELS,
  GOAL_TEXT_MAX,
  MAX_REVIEW_DAYS,
  MIN_REVIEW_DAYS,
  PLAN_TEXT_MAX,
  PLAN_WORDS_LABELS,
  type EndValues,
  type GoalValues,
  type PlanWordsValues,
  type ReviewValues,
  type StartValues,
} from './plan-form.ts';
import { TIMESCALES, completeTasksFor, openTask } from './tasks.ts';

/**
 * Plans written with the family: a family help plan or a child in need plan, with goals in the
 * family's words (who does what, by when), the family's and the child's words about the plan, and
 * reviews at which the family's view is always recorded. Starting a child in need plan moves the
 * child's one episode of help to child in need; it never opens another.
 */

type Context = { readonly requestId?: string | null | undefined; readonly route?: string };

const SOURCE = 'plan';

type PlanRow = Selectable<PlanTable>;
type GoalRow = Selectable<PlanGoalTable>;
type EpisodeRow = Selectable<HelpEpisodeTable>;

/** Statuses from which starting a child in need plan moves the episode to child in need. */
const STEPS_INTO_CHILD_IN_NEED: ReadonlySet<EpisodeStatus> = new Set<EpisodeStatus>([
  'assessment',
  'family_help',
]);

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

export type PlanSummary = {
  readonly id: string;
  readonly kind: PlanKind;
  readonly kindLabel: string;
  readonly status: PlanStatus;
  readonly statusLabel: string;
  readonly startedOn: string | null;
  readonly endedOn: string | null;
  readonly nextReviewOn: string | null;
  readonly reviewOverdue: boolean;
};

function summaryOf(row: PlanRow, today: string): PlanSummary {
  return {
    id: row.id,
    kind: row.kind,
    kindLabel: PLAN_KINDS[row.kind],
    status: row.status,
    statusLabel: PLAN_STATUSES[row.status],
    startedOn: row.started_on,
    endedOn: row.ended_on,
    nextReviewOn: row.next_review_on,
    reviewOverdue: row.status === 'active' && row.next_review_on !== null && row.next_review_on < today,
  };
}

type EpisodeRef = { readonly id: string; readonly status: EpisodeStatus; readonly statusLabel: string };

function episodeRef(episode: { id: string; status: EpisodeStatus }): EpisodeRef {
  return { id: episode.id, status: episode.status, statusLabel: STATUS_LABELS[episode.status] };
}

async function mayWrite(db: Executor, deps: Deps, actor: Actor, personId: string): Promise<boolean> {
  if (!can(actor, 'help', 'write')) return false;
  try {
    await childInHelpScope(db, actor, deps.clock, personId, 'write');
    return true;
  } catch (error) {
    if (error instanceof NotFoundError) return false;
    throw error;
  }
}

/** The child's plans, newest first (audited as a view of the child). */
export async function listPlans(
  deps: Deps,
  actor: Actor,
  input: { personId: string } & Context,
): Promise<{ child: ChildRef; episode: EpisodeRef | null; plans: PlanSummary[]; canWrite: boolean }> {
  requireHelpPermission(actor, 'read');
  const child = await childInHelpScope(deps.db, actor, deps.clock, input.personId, 'read');
  const [episode, rows, canWrite] = await Promise.all([
    currentEpisode(deps.db, child.id),
    deps.db
      .selectFrom('plans')
      .selectAll()
      .where('person_id', '=', child.id)
      .orderBy('created_at', 'desc')
      .execute(),
    mayWrite(deps.db, deps, actor, child.id),
  ]);
  await auditChildView(deps.db, actor, {
    personId: child.id,
    requestId: input.requestId,
    route: input.route ?? '/children/:id/plans',
    purpose: 'plans',
  });
  const today = londonDate(deps.clock.now());
  return {
    child: childRef(child),
    episode: episode ? episodeRef(episode) : null,
    plans: rows.map((row) => summaryOf(row, today)),
    canWrite,
  };
}

export type GoalView = {
  readonly id: string;
  readonly position: number;
  readonly goal: string;
  readonly who: string;
  readonly byWhen: string | null;
  readonly progress: GoalProgress | null;
  readonly progressLabel: string;
  readonly version: number;
};

export type ReviewView = {
  readonly id: string;
  readonly reviewedOn: string;
  readonly familyView: string;
  readonly childView: string | null;
  readonly progressSummary: string | null;
  readonly decision: ReviewDecision;
  readonly decisionLabel: string;
  readonly nextReviewOn: string | null;
  readonly recordedBy: string | null;
};

export type PlanDetail = PlanSummary & {
  readonly child: ChildRef;
  readonly version: number;
  readonly familyWords: string | null;
  readonly childWords: string | null;
  readonly reviewIntervalDays: number;
  readonly endReason: string | null;
  readonly goals: readonly GoalView[];
  readonly reviews: readonly ReviewView[];
  readonly episode: EpisodeRef & { readonly open: boolean; readonly statusSince: string };
  /** Starting this plan moves the episode to child in need. */
  readonly startMovesEpisode: boolean;
  /** Starting it also needs the CIN census referral source and primary need (coming from family help). */
  readonly startNeedsReferral: boolean;
  readonly canWrite: boolean;
  readonly editable: boolean;
  /** Referrals to local services made from this plan, with what came back (0023_directory.sql). */
  readonly referrals: readonly ReferralView[];
};

async function loadPlan(db: Executor, personId: string, planId: string): Promise<PlanRow> {
  if (!UUID.test(planId)) throw new NotFoundError();
  const row = await db
    .selectFrom('plans')
    .selectAll()
    .where('id', '=', planId)
    .where('person_id', '=', personId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  return row;
}

function goalViewOf(row: GoalRow): GoalView {
  return {
    id: row.id,
    position: row.position,
    goal: row.goal,
    who: row.who,
    byWhen: row.by_when,
    progress: row.progress,
    progressLabel: labelOf(GOAL_PROGRESS, row.progress),
    version: row.version,
  };
}

/** One plan with its goals and reviews (audited as a view of the child). */
export async function planPage(
  deps: Deps,
  actor: Actor,
  input: { personId: string; planId: string } & Context,
): Promise<PlanDetail> {
  requireHelpPermission(actor, 'read');
  const child = await childInHelpScope(deps.db, actor, deps.clock, input.personId, 'read');
  const plan = await loadPlan(deps.db, child.id, input.planId);
  const [goals, reviews, episode, canWrite, referrals] = await Promise.all([
    deps.db.selectFrom('plan_goals').selectAll().where('plan_id', '=', plan.id).orderBy('position').execute(),
    deps.db
      .selectFrom('plan_reviews')
      .leftJoin('users', 'users.id', 'plan_reviews.recorded_by')
      .selectAll('plan_reviews')
      .select('users.display_name')
      .where('plan_reviews.plan_id', '=', plan.id)
      .orderBy('plan_reviews.reviewed_on', 'desc')
      .orderBy('plan_reviews.created_at', 'desc')
      .execute(),
    deps.db
      .selectFrom('help_episodes')
      .selectAll()
      .where('id', '=', plan.episode_id)
      .executeTakeFirstOrThrow(),
    mayWrite(deps.db, deps, actor, child.id),
    referralsForPlan(deps.db, plan.id),
  ]);
  await auditChildView(deps.db, actor, {
    personId: child.id,
    requestId: input.requestId,
    route: input.route ?? '/children/:id/plans/:pid',
    purpose: 'plan',
  });
  const moves = plan.kind === 'child_in_need' && STEPS_INTO_CHILD_IN_NEED.has(episode.status);
  return {
    ...summaryOf(plan, londonDate(deps.clock.now())),
    child: childRef(child),
    version: plan.version,
    familyWords: plan.family_words,
    childWords: plan.child_words,
    reviewIntervalDays: plan.review_interval_days ?? TIMESCALES.planReviewDays,
    endReason: plan.end_reason,
    goals: goals.map(goalViewOf),
    reviews: reviews.map((r) => ({
      id: r.id,
      reviewedOn: r.reviewed_on,
      familyView: r.family_view,
      childView: r.child_view,
      progressSummary: r.progress_summary,
      decision: r.decision,
      decisionLabel: REVIEW_DECISIONS[r.decision],
      nextReviewOn: r.next_review_on,
      recordedBy: r.display_name,
    })),
    episode: {
      ...episodeRef(episode),
      open: episode.closed_on === null,
      statusSince: episode.status_since,
    },
    startMovesEpisode: moves,
    startNeedsReferral: moves && episode.status === 'family_help',
    canWrite,
    editable: canWrite && plan.status !== 'ended' && episode.closed_on === null,
    referrals,
  };
}

/** What the "new plan" page needs (audited as a view of the child). */
export async function newPlanPage(
  deps: Deps,
  actor: Actor,
  input: { personId: string } & Context,
): Promise<{ child: ChildRef; episode: EpisodeRef | null }> {
  requireHelpPermission(actor, 'write');
  const child = await childInHelpScope(deps.db, actor, deps.clock, input.personId, 'write');
  const episode = await currentEpisode(deps.db, child.id);
  await auditChildView(deps.db, actor, {
    personId: child.id,
    requestId: input.requestId,
    route: input.route ?? '/children/:id/plans/new',
    purpose: 'plan',
  });
  return { child: childRef(child), episode: episode ? episodeRef(episode) : null };
}

// ---------------------------------------------------------------------------------------------
// Writing: shared checks
// ---------------------------------------------------------------------------------------------

type Writable = { child: { id: string }; plan: PlanRow; episode: EpisodeRow };

/** The child (write scope), the plan, and its episode, which must still be open. */
async function writablePlan(
  trx: Transaction<Database>,
  deps: Deps,
  actor: Actor,
  personId: string,
  planId: string,
): Promise<Writable> {
  const child = await childInHelpScope(trx, actor, deps.clock, personId, 'write');
  const plan = await loadPlan(trx, child.id, planId);
  const episode = await trx
    .selectFrom('help_episodes')
    .selectAll()
    .where('id', '=', plan.episode_id)
    .forUpdate()
    .executeTakeFirstOrThrow();
  if (episode.closed_on !== null) {
    throw new ConflictError('The child’s help has ended, so this plan can no longer be changed');
  }
  return { child, plan, episode };
}

function text(errors: ErrorList, field: string, label: string, value: string, max: number): string | null {
  const trimmed = value.trim();
  if (trimmed.length > max)
    errors.add(field, `${label} must be ${max.toLocaleString('en-GB')} characters or fewer`);
  return trimmed === '' ? null : trimmed;
}

function pastDate(
  errors: ErrorList,
  field: string,
  label: string,
  parts: DateParts,
  required: string,
  today: string,
): string | undefined {
  const iso = parseDate(errors, field, label, parts, { required }) ?? undefined;
  if (iso && iso > today)
    errors.addDate(field, `${label} must be today or in the past`, ['day', 'month', 'year']);
  return iso;
}

function planPath(personId: string, planId: string): string {
  return `/children/${personId}/plans/${planId}`;
}

async function bumpPlan(
  trx: Transaction<Database>,
  plan: PlanRow,
  version: number,
  changes: Partial<Omit<PlanRow, 'id' | 'version'>>,
  now: Date,
  yours: Readonly<Record<string, unknown>> | null,
  back: string,
): Promise<number> {
  const updated = await trx
    .updateTable('plans')
    .set((eb) => ({ ...changes, updated_at: now, version: eb('version', '+', 1) }))
    .where('id', '=', plan.id)
    .where('version', '=', version)
    .returning('version')
    .executeTakeFirst();
  if (!updated) {
    const saved = await trx
      .selectFrom('plans')
      .selectAll()
      .where('id', '=', plan.id)
      .executeTakeFirstOrThrow();
    throw planConflict(saved, yours, back);
  }
  return updated.version;
}

function planWordsOf(row: PlanRow): Record<string, unknown> {
  return {
    familyWords: row.family_words,
    childWords: row.child_words,
    reviewIntervalDays: row.review_interval_days,
  };
}

function planConflict(
  saved: PlanRow,
  yours: Readonly<Record<string, unknown>> | null,
  back: string,
): VersionConflictError {
  return new VersionConflictError(
    yours ? differingFields(PLAN_WORDS_LABELS, planWordsOf(saved), yours) : [],
    back,
  );
}

function audit(
  trx: Executor,
  actor: Actor,
  action: string,
  planId: string,
  detail: Record<string, unknown>,
  requestId: string | null | undefined,
) {
  return recordAudit(trx, {
    actorUserId: actor.userId,
    action,
    entityType: SOURCE,
    entityId: planId,
    detail,
    requestId: requestId ?? null,
  });
}

// ---------------------------------------------------------------------------------------------
// Creating and changing a plan
// ---------------------------------------------------------------------------------------------

/** A draft plan in the child's open episode. */
export async function createPlan(
  deps: Deps,
  actor: Actor,
  input: { personId: string; kind: string } & Context,
): Promise<string> {
  requireHelpPermission(actor, 'write');
  if (!Object.hasOwn(CREATABLE_PLAN_KINDS, input.kind)) {
    throw new InvalidInputError([{ field: 'kind', message: 'Select the kind of plan' }]);
  }
  const kind = input.kind as keyof typeof CREATABLE_PLAN_KINDS;
  return deps.db.transaction().execute(async (trx) => {
    const child = await childInHelpScope(trx, actor, deps.clock, input.personId, 'write');
    const episode = await openEpisodeOf(trx, child.id);
    if (!episode) {
      throw new InvalidInputError([
        {
          field: 'kind',
          message: 'This child has no open episode of help: help starts with a request at the front door',
        },
      ]);
    }
    const existing = await trx
      .selectFrom('plans')
      .select('id')
      .where('episode_id', '=', episode.id)
      .where('kind', '=', kind)
      .where('status', 'in', ['draft', 'active'])
      .executeTakeFirst();
    if (existing) {
      throw new InvalidInputError([
        {
          field: 'kind',
          message: `This child already has a ${PLAN_KINDS[kind].toLowerCase()}: change that one`,
        },
      ]);
    }
    const row = await trx
      .insertInto('plans')
      .values({
        episode_id: episode.id,
        person_id: child.id,
        kind,
        review_interval_days: TIMESCALES.planReviewDays,
        created_by: actor.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(
      trx,
      actor,
      'plan.create',
      row.id,
      { personId: child.id, episodeId: episode.id, kind },
      input.requestId,
    );
    return row.id;
  });
}

/** The family's and the child's words about the plan, and how often it is reviewed. */
export async function updatePlan(
  deps: Deps,
  actor: Actor,
  input: { personId: string; planId: string; version: number; values: PlanWordsValues } & Context,
): Promise<void> {
  requireHelpPermission(actor, 'write');
  const v = input.values;
  const errors = new ErrorList();
  const familyWords = text(errors, 'familyWords', 'What the family say', v.familyWords, PLAN_TEXT_MAX);
  const childWords = text(errors, 'childWords', 'What the child says', v.childWords, PLAN_TEXT_MAX);
  const interval = v.reviewIntervalDays.trim();
  const days = /^\d{1,4}$/.test(interval) ? Number(interval) : NaN;
  if (interval === '') errors.add('reviewIntervalDays', 'Enter how many days there will be between reviews');
  else if (!Number.isInteger(days) || days < MIN_REVIEW_DAYS || days > MAX_REVIEW_DAYS) {
    errors.add(
      'reviewIntervalDays',
      `Days between reviews must be a whole number from ${MIN_REVIEW_DAYS} to ${MAX_REVIEW_DAYS}`,
    );
  }
  errors.throwIfAny();
  const yours = { familyWords, childWords, reviewIntervalDays: days };
  await deps.db.transaction().execute(async (trx) => {
    const { child, plan } = await writablePlan(trx, deps, actor, input.personId, input.planId);
    const back = `${planPath(child.id, plan.id)}/edit`;
    if (plan.version !== input.version) throw planConflict(plan, yours, back);
    if (plan.status === 'ended')
      throw new ConflictError('The plan has ended, so it can no longer be changed');
    const version = await bumpPlan(
      trx,
      plan,
      input.version,
      { family_words: familyWords, child_words: childWords, review_interval_days: days },
      deps.clock.now(),
      yours,
      back,
    );
    await audit(trx, actor, 'plan.update', plan.id, { personId: child.id, version }, input.requestId);
  });
}

// ---------------------------------------------------------------------------------------------
// Goals, one at a time
// ---------------------------------------------------------------------------------------------

/** Checks a goal (or a shared plan action, 0022_partners.sql) as typed. */
export function checkGoal(values: GoalValues): {
  goal: string;
  who: string;
  byWhen: string | null;
  progress: GoalProgress;
} {
  const errors = new ErrorList();
  const goal = values.goal.trim();
  const who = values.who.trim();
  if (goal === '') errors.add('goal', 'Enter the goal, in the family’s words');
  else if (goal.length > GOAL_TEXT_MAX)
    errors.add('goal', `The goal must be ${GOAL_TEXT_MAX} characters or fewer`);
  if (who === '') errors.add('who', 'Enter who will do what');
  else if (who.length > GOAL_TEXT_MAX)
    errors.add('who', `Who will do what must be ${GOAL_TEXT_MAX} characters or fewer`);
  const byWhen = parseDate(errors, 'byWhen', 'By when', values.byWhen) ?? null;
  let progress: GoalProgress = 'not_started';
  if (values.progress !== '') {
    if (Object.hasOwn(GOAL_PROGRESS, values.progress)) progress = values.progress as GoalProgress;
    else errors.add('progress', 'Select how the goal is going');
  }
  errors.throwIfAny();
  return { goal, who, byWhen, progress };
}

function goalDisplay(goal: { goal: string; who: string; by_when: string | null; progress: string | null }) {
  return {
    goal: goal.goal,
    who: goal.who,
    byWhen: goal.by_when ? longDate(goal.by_when) : null,
    progress: labelOf(GOAL_PROGRESS, goal.progress),
  };
}

async function loadGoal(db: Executor, planId: string, goalId: string): Promise<GoalRow> {
  if (!UUID.test(goalId)) throw new NotFoundError();
  const goal = await db
    .selectFrom('plan_goals')
    .selectAll()
    .where('id', '=', goalId)
    .where('plan_id', '=', planId)
    .executeTakeFirst();
  if (!goal) throw new NotFoundError();
  return goal;
}

function refuseIfEnded(plan: PlanRow): void {
  if (plan.status === 'ended')
    throw new ConflictError('The plan has ended, so its goals can no longer be changed');
}

/** Adds a goal to the end of the plan. */
export async function addGoal(
  deps: Deps,
  actor: Actor,
  input: { personId: string; planId: string; values: GoalValues } & Context,
): Promise<string> {
  requireHelpPermission(actor, 'write');
  const goal = checkGoal(input.values);
  return deps.db.transaction().execute(async (trx) => {
    const { child, plan } = await writablePlan(trx, deps, actor, input.personId, input.planId);
    refuseIfEnded(plan);
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
    await audit(
      trx,
      actor,
      'plan.goal_add',
      plan.id,
      { personId: child.id, goalId: row.id },
      input.requestId,
    );
    return row.id;
  });
}

/** Changes one goal, if nobody else has changed it since the form was opened. */
export async function updateGoal(
  deps: Deps,
  actor: Actor,
  input: { personId: string; planId: string; goalId: string; version: number; values: GoalValues } & Context,
): Promise<void> {
  requireHelpPermission(actor, 'write');
  const goal = checkGoal(input.values);
  await deps.db.transaction().execute(async (trx) => {
    const { child, plan } = await writablePlan(trx, deps, actor, input.personId, input.planId);
    const saved = await loadGoal(trx, plan.id, input.goalId);
    const back = `${planPath(child.id, plan.id)}/goals/${saved.id}/edit`;
    const yours = goalDisplay({
      goal: goal.goal,
      who: goal.who,
      by_when: goal.byWhen,
      progress: goal.progress,
    });
    if (saved.version !== input.version) {
      throw new VersionConflictError(differingFields(GOAL_LABELS, goalDisplay(saved), yours), back);
    }
    refuseIfEnded(plan);
    const updated = await trx
      .updateTable('plan_goals')
      .set((eb) => ({
        goal: goal.goal,
        who: goal.who,
        by_when: goal.byWhen,
        progress: goal.progress,
        updated_at: deps.clock.now(),
        version: eb('version', '+', 1),
      }))
      .where('id', '=', saved.id)
      .where('version', '=', input.version)
      .returning('version')
      .executeTakeFirst();
    if (!updated) {
      const latest = await loadGoal(trx, plan.id, saved.id);
      throw new VersionConflictError(differingFields(GOAL_LABELS, goalDisplay(latest), yours), back);
    }
    await audit(
      trx,
      actor,
      'plan.goal_update',
      plan.id,
      { personId: child.id, goalId: saved.id },
      input.requestId,
    );
  });
}

/** Removes one goal, if nobody else has changed it since the page was opened. */
export async function removeGoal(
  deps: Deps,
  actor: Actor,
  input: { personId: string; planId: string; goalId: string; version: number } & Context,
): Promise<void> {
  requireHelpPermission(actor, 'write');
  await deps.db.transaction().execute(async (trx) => {
    const { child, plan } = await writablePlan(trx, deps, actor, input.personId, input.planId);
    const saved = await loadGoal(trx, plan.id, input.goalId);
    if (saved.version !== input.version) {
      throw new VersionConflictError([], `${planPath(child.id, plan.id)}/goals/${saved.id}/remove`);
    }
    refuseIfEnded(plan);
    const removed = await trx
      .deleteFrom('plan_goals')
      .where('id', '=', saved.id)
      .where('version', '=', input.version)
      .executeTakeFirst();
    if (Number(removed.numDeletedRows) === 0) throw new VersionConflictError([], planPath(child.id, plan.id));
    await audit(
      trx,
      actor,
      'plan.goal_remove',
      plan.id,
      { personId: child.id, goalId: saved.id },
      input.requestId,
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Starting, reviewing and ending
// ---------------------------------------------------------------------------------------------

/**
 * Starts a draft plan: the plan becomes active, the first review is set and a review task opened.
 * A child in need plan started while the child is being assessed or has family help moves the
 * episode to child in need (a CIN census referral is started when coming from family help, so the
 * referral source and primary need are asked for then).
 */
export async function startPlan(
  deps: Deps,
  actor: Actor,
  input: { personId: string; planId: string; version: number; values: StartValues } & Context,
): Promise<{ movedEpisode: boolean }> {
  requireHelpPermission(actor, 'write');
  const today = londonDate(deps.clock.now());
  const errors = new ErrorList();
  const startedOn = pastDate(
    errors,
    'startedOn',
    'The start date',
    input.values.startedOn,
    'Enter the date the plan started',
    today,
  );
  return deps.db.transaction().execute(async (trx) => {
    const { child, plan } = await writablePlan(trx, deps, actor, input.personId, input.planId);
    const back = planPath(child.id, plan.id);
    if (plan.version !== input.version) throw planConflict(plan, null, back);
    if (plan.status !== 'draft') throw new ConflictError('The plan has already started');
    const episode = await openEpisodeOf(trx, child.id);
    if (episode?.id !== plan.episode_id) throw new ConflictError('The child’s help has ended');
    const moves = plan.kind === 'child_in_need' && STEPS_INTO_CHILD_IN_NEED.has(episode.status);
    const needsReferral = moves && episode.status === 'family_help';
    if (plan.kind === 'child_in_need' && !moves && episode.status !== 'child_in_need') {
      errors.add(
        'startedOn',
        `A child in need plan cannot start while the child’s help is ${STATUS_LABELS[episode.status].toLowerCase()}: step down first`,
      );
    }
    const goals = await trx
      .selectFrom('plan_goals')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('plan_id', '=', plan.id)
      .executeTakeFirstOrThrow();
    if (Number(goals.n) === 0) errors.add('goals', 'Add at least one goal before the plan starts');
    if (!plan.family_words)
      errors.add('familyWords', 'Record what the family say about the plan before it starts');
    if (needsReferral) {
      if (!Object.hasOwn(REFERRAL_SOURCES, input.values.referralSource))
        errors.add('referralSource', 'Select who the referral came from');
      if (!Object.hasOwn(PRIMARY_NEEDS, input.values.primaryNeed))
        errors.add('primaryNeed', 'Select the child’s main need');
    }
    const referral = await trx
      .selectFrom('cin_referrals')
      .select(['id', 'referral_date'])
      .where('episode_id', '=', episode.id)
      .where('closed_on', 'is', null)
      .executeTakeFirst();
    if (startedOn) {
      const floor = moves
        ? episode.status_since
        : plan.kind === 'child_in_need' && referral
          ? referral.referral_date
          : episode.started_on;
      if (startedOn < floor) {
        errors.addDate('startedOn', `The start date must be on or after ${longDate(floor)}`, [
          'day',
          'month',
          'year',
        ]);
      }
    }
    errors.throwIfAny();
    const on = startedOn as string;
    let cinReferralId: string | null = plan.kind === 'child_in_need' ? (referral?.id ?? null) : null;
    if (moves) {
      const moved = await moveEpisode(trx, {
        episode,
        to: 'child_in_need',
        on,
        reason: 'A child in need plan started.',
        actorUserId: actor.userId,
        ...(needsReferral
          ? { referral: { source: input.values.referralSource, primaryNeed: input.values.primaryNeed } }
          : {}),
        at: deps.clock.now(),
      });
      cinReferralId = moved.cinReferralId;
    }
    const interval = plan.review_interval_days ?? TIMESCALES.planReviewDays;
    const nextReviewOn = addCalendarDays(on, interval);
    await bumpPlan(
      trx,
      plan,
      input.version,
      { status: 'active', started_on: on, next_review_on: nextReviewOn, cin_referral_id: cinReferralId },
      deps.clock.now(),
      null,
      back,
    );
    await openReviewTask(trx, actor, plan, child.id, nextReviewOn);
    const kindLabel = PLAN_KINDS[plan.kind];
    await addAutomaticEntry(trx, {
      personId: child.id,
      episodeId: plan.episode_id,
      occurredOn: on,
      event: 'plan.started',
      summary: `Your ${kindLabel.toLowerCase()} started, with ${Number(goals.n)} ${
        Number(goals.n) === 1 ? 'goal' : 'goals'
      } agreed with your family. First review by ${longDate(nextReviewOn)}.`,
      sourceType: SOURCE,
      sourceId: plan.id,
      actorUserId: actor.userId,
    });
    await audit(
      trx,
      actor,
      'plan.start',
      plan.id,
      { personId: child.id, kind: plan.kind, movedEpisode: moves, cinReferralId },
      input.requestId,
    );
    return { movedEpisode: moves };
  });
}

async function openReviewTask(
  trx: Transaction<Database>,
  actor: Actor,
  plan: PlanRow,
  personId: string,
  dueOn: string,
): Promise<void> {
  const lead = await leadAllocation(trx, personId);
  await openTask(trx, {
    organisationId: actor.organisationId,
    personId,
    episodeId: plan.episode_id,
    kind: 'plan_review_due',
    title: `Review the ${PLAN_KINDS[plan.kind].toLowerCase()} with the family`,
    dueOn,
    assignedUserId: lead?.workerUserId ?? null,
    assignedTeamId: lead?.teamId ?? null,
    sourceType: SOURCE,
    sourceId: plan.id,
  });
}

/** The suggested date of the next review: the plan's interval after today. */
export function suggestedNextReview(deps: Deps, intervalDays: number): DateParts {
  return partsFromIso(addCalendarDays(londonDate(deps.clock.now()), intervalDays));
}

/**
 * Records a review with the family's view, the child's view, progress and a decision. The review
 * task is done and the next one opened; deciding to end the plan ends it on the review date.
 */
export async function recordReview(
  deps: Deps,
  actor: Actor,
  input: { personId: string; planId: string; version: number; values: ReviewValues } & Context,
): Promise<{ reviewId: string; decision: ReviewDecision }> {
  requireHelpPermission(actor, 'write');
  const v = input.values;
  const today = londonDate(deps.clock.now());
  const errors = new ErrorList();
  const reviewedOn = pastDate(
    errors,
    'reviewedOn',
    'The review date',
    v.reviewedOn,
    'Enter the date of the review',
    today,
  );
  const familyView = v.familyView.trim();
  if (familyView === '') errors.add('familyView', 'Enter what the family said at the review');
  else if (familyView.length > PLAN_TEXT_MAX)
    errors.add(
      'familyView',
      `What the family said must be ${PLAN_TEXT_MAX.toLocaleString('en-GB')} characters or fewer`,
    );
  const childView = text(errors, 'childView', 'What the child said', v.childView, PLAN_TEXT_MAX);
  const progress = text(errors, 'progressSummary', 'How the plan is going', v.progressSummary, PLAN_TEXT_MAX);
  const decision = Object.hasOwn(REVIEW_DECISIONS, v.decision) ? (v.decision as ReviewDecision) : null;
  if (!decision) errors.add('decision', 'Select what was decided at the review');
  let nextReviewOn: string | null = null;
  if (decision !== 'end_plan') {
    nextReviewOn =
      parseDate(errors, 'nextReviewOn', 'The next review date', v.nextReviewOn, {
        required: 'Enter the date of the next review',
      }) ?? null;
    if (nextReviewOn && reviewedOn && nextReviewOn <= reviewedOn) {
      errors.addDate('nextReviewOn', 'The next review must be after this review', ['day', 'month', 'year']);
    }
  }
  return deps.db.transaction().execute(async (trx) => {
    const { child, plan } = await writablePlan(trx, deps, actor, input.personId, input.planId);
    const back = `${planPath(child.id, plan.id)}/reviews/new`;
    if (plan.version !== input.version) throw planConflict(plan, null, back);
    if (plan.status !== 'active') throw new ConflictError('Only a plan that has started can be reviewed');
    if (reviewedOn && plan.started_on && reviewedOn < plan.started_on) {
      errors.addDate(
        'reviewedOn',
        `The review date must be on or after ${longDate(plan.started_on)}, when the plan started`,
        ['day', 'month', 'year'],
      );
    }
    errors.throwIfAny();
    const on = reviewedOn as string;
    const chosen = decision as ReviewDecision;
    const now = deps.clock.now();
    const review = await trx
      .insertInto('plan_reviews')
      .values({
        plan_id: plan.id,
        reviewed_on: on,
        family_view: familyView,
        child_view: childView,
        progress_summary: progress,
        decision: chosen,
        next_review_on: nextReviewOn,
        recorded_by: actor.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const ends = chosen === 'end_plan';
    await bumpPlan(
      trx,
      plan,
      input.version,
      ends
        ? {
            status: 'ended',
            ended_on: on,
            end_reason: `Ended at the review on ${longDate(on)}.`,
            next_review_on: null,
          }
        : { next_review_on: nextReviewOn },
      now,
      null,
      back,
    );
    await completeTasksFor(trx, {
      sourceType: SOURCE,
      sourceId: plan.id,
      kind: 'plan_review_due',
      byUserId: actor.userId,
      at: now,
    });
    if (nextReviewOn) await openReviewTask(trx, actor, plan, child.id, nextReviewOn);
    const kindLabel = PLAN_KINDS[plan.kind].toLowerCase();
    await addAutomaticEntry(trx, {
      personId: child.id,
      episodeId: plan.episode_id,
      occurredOn: on,
      event: 'plan.reviewed',
      summary: `Your ${kindLabel} was reviewed with your family. Decision: ${REVIEW_DECISIONS[chosen].toLowerCase()}.${
        nextReviewOn ? ` Next review by ${longDate(nextReviewOn)}.` : ''
      }`,
      sourceType: SOURCE,
      sourceId: plan.id,
      actorUserId: actor.userId,
    });
    if (ends) {
      await addAutomaticEntry(trx, {
        personId: child.id,
        episodeId: plan.episode_id,
        occurredOn: on,
        event: 'plan.ended',
        summary: `Your ${kindLabel} ended at its review.`,
        sourceType: SOURCE,
        sourceId: plan.id,
        actorUserId: actor.userId,
      });
    }
    await audit(
      trx,
      actor,
      'plan.review',
      plan.id,
      { personId: child.id, reviewId: review.id, decision: chosen },
      input.requestId,
    );
    return { reviewId: review.id, decision: chosen };
  });
}

/** Ends an active plan with a date and a reason. The episode itself carries on (closure is separate). */
export async function endPlan(
  deps: Deps,
  actor: Actor,
  input: { personId: string; planId: string; version: number; values: EndValues } & Context,
): Promise<void> {
  requireHelpPermission(actor, 'write');
  const today = londonDate(deps.clock.now());
  const errors = new ErrorList();
  const endedOn = pastDate(
    errors,
    'endedOn',
    'The end date',
    input.values.endedOn,
    'Enter the date the plan ended',
    today,
  );
  const reason = input.values.reason.trim();
  if (reason === '') errors.add('reason', 'Enter why the plan is ending');
  else if (reason.length > GOAL_TEXT_MAX)
    errors.add('reason', `Why the plan is ending must be ${GOAL_TEXT_MAX} characters or fewer`);
  await deps.db.transaction().execute(async (trx) => {
    const { child, plan } = await writablePlan(trx, deps, actor, input.personId, input.planId);
    const back = `${planPath(child.id, plan.id)}/end`;
    if (plan.version !== input.version) throw planConflict(plan, null, back);
    if (plan.status !== 'active') throw new ConflictError('Only a plan that has started can be ended');
    if (endedOn && plan.started_on && endedOn < plan.started_on) {
      errors.addDate(
        'endedOn',
        `The end date must be on or after ${longDate(plan.started_on)}, when the plan started`,
        ['day', 'month', 'year'],
      );
    }
    errors.throwIfAny();
    const on = endedOn as string;
    const now = deps.clock.now();
    await bumpPlan(
      trx,
      plan,
      input.version,
      { status: 'ended', ended_on: on, end_reason: reason, next_review_on: null },
      now,
      null,
      back,
    );
    await completeTasksFor(trx, {
      sourceType: SOURCE,
      sourceId: plan.id,
      kind: 'plan_review_due',
      byUserId: actor.userId,
      at: now,
    });
    await addAutomaticEntry(trx, {
      personId: child.id,
      episodeId: plan.episode_id,
      occurredOn: on,
      event: 'plan.ended',
      summary: `Your ${PLAN_KINDS[plan.kind].toLowerCase()} ended. ${reason}`,
      sourceType: SOURCE,
      sourceId: plan.id,
      actorUserId: actor.userId,
    });
    await audit(trx, actor, 'plan.end', plan.id, { personId: child.id }, input.requestId);
  });
}
