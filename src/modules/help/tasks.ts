import type { Executor } from './access.ts';

/**
 * Timescales in working days (England and Wales bank holidays) or calendar days, as the statutory
 * guidance and the council's local procedures set them. One place, so the work tray, the tasks and
 * the returns agree.
 */
export const TIMESCALES = {
  /** A decision on a request for help: within 1 working day of receipt. */
  requestDecisionWorkingDays: 1,
  /** A child and family assessment: completed within 45 working days of its start. */
  assessmentWorkingDays: 45,
  /** A family help assessment has no statutory timescale; the council uses the same 45 working days. */
  familyHelpAssessmentWorkingDays: 45,
  /** A submitted assessment is authorised within 5 working days (never later than it is due). */
  authoriseAssessmentWorkingDays: 5,
  /**
   * A child allocated to a team without a lead practitioner (after a front-door decision, or a move
   * of team) gets one within 2 working days (local procedure).
   */
  allocateWorkerWorkingDays: 2,
  /** A strategy discussion: held within 1 working day of the decision to hold one. */
  strategyDiscussionWorkingDays: 1,
  /** An initial child protection conference: within 15 working days of the strategy discussion. */
  initialConferenceWorkingDays: 15,
  /** Visits to a child in need (local procedure): every 20 working days. */
  childInNeedVisitWorkingDays: 20,
  /** Visits to a child on a child protection plan (local procedure): every 10 working days. */
  childProtectionVisitWorkingDays: 10,
  /** Family help visits (local procedure): every 20 working days. */
  familyHelpVisitWorkingDays: 20,
  /** Plan reviews, calendar days: child in need and family help plans every 3 months. */
  planReviewDays: 91,
} as const;

export type TaskKind =
  | 'decide_request'
  | 'complete_assessment'
  | 'authorise_assessment'
  | 'visit_due'
  | 'plan_review_due'
  | 'allocate_worker'
  | 'other';

export type NewTask = {
  readonly organisationId: string;
  readonly personId: string | null;
  readonly episodeId: string | null;
  readonly kind: TaskKind;
  readonly title: string;
  readonly dueOn: string;
  readonly assignedUserId: string | null;
  readonly assignedTeamId: string | null;
  readonly sourceType: string;
  readonly sourceId: string;
};

/** Opens a task, in the caller's transaction. */
export async function openTask(db: Executor, task: NewTask): Promise<string> {
  const row = await db
    .insertInto('tasks')
    .values({
      organisation_id: task.organisationId,
      person_id: task.personId,
      episode_id: task.episodeId,
      kind: task.kind,
      title: task.title,
      due_on: task.dueOn,
      assigned_user_id: task.assignedUserId,
      assigned_team_id: task.assignedTeamId,
      source_type: task.sourceType,
      source_id: task.sourceId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Completes the open tasks raised by a record (optionally only those of one kind). Returns how many. */
export async function completeTasksFor(
  db: Executor,
  input: { sourceType: string; sourceId: string; kind?: TaskKind; byUserId: string | null; at: Date },
): Promise<number> {
  let query = db
    .updateTable('tasks')
    .set({ completed_at: input.at, completed_by: input.byUserId })
    .where('source_type', '=', input.sourceType)
    .where('source_id', '=', input.sourceId)
    .where('completed_at', 'is', null);
  if (input.kind) query = query.where('kind', '=', input.kind);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Completes the open tasks of a kind for an episode (e.g. the visit due, when a visit is recorded). */
export async function completeEpisodeTasks(
  db: Executor,
  input: { episodeId: string; kind: TaskKind; byUserId: string | null; at: Date },
): Promise<number> {
  const result = await db
    .updateTable('tasks')
    .set({ completed_at: input.at, completed_by: input.byUserId })
    .where('episode_id', '=', input.episodeId)
    .where('kind', '=', input.kind)
    .where('completed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
