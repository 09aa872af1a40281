import type { Selectable } from 'kysely';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Deps } from '../../platform/deps.ts';
import {
  ConflictError,
  InvalidInputError,
  NotFoundError,
  VersionConflictError,
  differingFields,
} from '../../platform/errors.ts';
import { addWorkingDays } from '../../platform/working-days.ts';
import { can, type Actor } from '../access/actor.ts';
import {
  ErrorList,
  isoToday,
  parseDate,
  partsFromIso,
  sortErrors,
  type DateParts,
} from '../people/person-form.ts';
import {
  UUID,
  auditChildView,
  childInHelpScope,
  londonDate,
  requireHelpPermission,
  type Executor,
} from './access.ts';
import {
  ASSESSMENT_KINDS,
  ASSESSMENT_OUTCOMES,
  ASSESSMENT_STATUSES,
  CIRCUMSTANCE_AREAS,
  CIRCUMSTANCE_ORDER,
  FACTORS,
  RETURN_NOTE_TITLE,
  labelOf,
} from './assessment-codes.ts';
import { childRef, type ChildRef } from './assessment-common.ts';
import { laterOf, longDate } from './dates.ts';
import {
  ASSESSMENT_FIELD_ORDER,
  ASSESSMENT_LABELS,
  SHORT_TEXT_MAX,
  checkAssessmentComplete,
  checkAssessmentDraft,
  conflictView,
  emptyCircumstances,
  type AssessmentFormValues,
} from './assessment-form.ts';
import { addAutomaticEntry } from './chronology.ts';
import {
  STATUS_LABELS,
  STATUTORY_STATUSES,
  currentEpisode,
  leadAllocation,
  openEpisodeOf,
} from './episodes.ts';
import type {
  AssessmentKind,
  AssessmentStatus,
  AssessmentTable,
  AssessmentCircumstanceTable,
  EpisodeStatus,
} from './help.table.ts';
import { TIMESCALES, completeEpisodeTasks, completeTasksFor, openTask } from './tasks.ts';

/**
 * Assessments: a child and family assessment (children's social care, within 45 working days) or a
 * family help assessment. The family's own account sits beside the professional analysis; factors
 * are the CIN census codes; poverty and resources are recorded as circumstances and needs. Drafts are
 * saved in the database as the practitioner goes; a manager who did not write it authorises it.
 */

type Context = { readonly requestId?: string | null | undefined; readonly route?: string };

const SOURCE = 'assessment';

export const SELF_AUTHORISE_MESSAGE =
  'You cannot authorise or return an assessment you wrote or sent for authorisation. Another manager must do it.';

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

export type AssessmentSummary = {
  readonly id: string;
  readonly kind: AssessmentKind;
  readonly kindLabel: string;
  readonly status: AssessmentStatus;
  readonly statusLabel: string;
  readonly startedOn: string;
  readonly dueOn: string;
  readonly completedOn: string | null;
  readonly authorisedOn: string | null;
  readonly outcomeLabel: string;
  readonly overdue: boolean;
};

type AssessmentRow = Selectable<AssessmentTable>;

function summaryOf(row: AssessmentRow, today: string): AssessmentSummary {
  return {
    id: row.id,
    kind: row.kind,
    kindLabel: ASSESSMENT_KINDS[row.kind],
    status: row.status,
    statusLabel: ASSESSMENT_STATUSES[row.status],
    startedOn: row.started_on,
    dueOn: row.due_on,
    completedOn: row.completed_on,
    authorisedOn: row.authorised_on,
    outcomeLabel: labelOf(ASSESSMENT_OUTCOMES, row.outcome),
    overdue: row.status !== 'authorised' && row.due_on < today,
  };
}

export type EpisodeRef = {
  readonly id: string;
  readonly status: EpisodeStatus;
  readonly statusLabel: string;
};

/** The child's assessments, newest first (audited as a view of the child). */
export async function listAssessments(
  deps: Deps,
  actor: Actor,
  input: { personId: string } & Context,
): Promise<{
  child: ChildRef;
  episode: EpisodeRef | null;
  assessments: AssessmentSummary[];
  canWrite: boolean;
}> {
  requireHelpPermission(actor, 'read');
  const child = await childInHelpScope(deps.db, actor, deps.clock, input.personId, 'read');
  const [episode, rows, canWrite] = await Promise.all([
    currentEpisode(deps.db, child.id),
    deps.db
      .selectFrom('assessments')
      .selectAll()
      .where('person_id', '=', child.id)
      .orderBy('started_on', 'desc')
      .orderBy('created_at', 'desc')
      .execute(),
    inScope(deps.db, deps, actor, child.id, 'write'),
  ]);
  await auditChildView(deps.db, actor, {
    personId: child.id,
    requestId: input.requestId,
    route: input.route ?? '/children/:id/assessments',
    purpose: 'assessments',
  });
  const today = londonDate(deps.clock.now());
  return {
    child: childRef(child),
    episode: episode ? episodeRef(episode) : null,
    assessments: rows.map((row) => summaryOf(row, today)),
    canWrite,
  };
}

function episodeRef(episode: { id: string; status: EpisodeStatus }): EpisodeRef {
  return { id: episode.id, status: episode.status, statusLabel: STATUS_LABELS[episode.status] };
}

async function inScope(
  db: Executor,
  deps: Deps,
  actor: Actor,
  personId: string,
  action: 'write' | 'authorise',
): Promise<boolean> {
  if (!can(actor, 'help', action)) return false;
  try {
    await childInHelpScope(db, actor, deps.clock, personId, action);
    return true;
  } catch (error) {
    if (error instanceof NotFoundError) return false;
    throw error;
  }
}

type Saved = {
  readonly row: AssessmentRow;
  readonly factors: string[];
  readonly circumstances: Selectable<AssessmentCircumstanceTable>[];
};

async function loadAssessment(db: Executor, personId: string, assessmentId: string): Promise<Saved> {
  if (!UUID.test(assessmentId)) throw new NotFoundError();
  const row = await db
    .selectFrom('assessments')
    .selectAll()
    .where('id', '=', assessmentId)
    .where('person_id', '=', personId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  const factors = await db
    .selectFrom('assessment_factors')
    .select('factor')
    .where('assessment_id', '=', row.id)
    .orderBy('factor')
    .execute();
  const circumstances = await db
    .selectFrom('assessment_circumstances')
    .selectAll()
    .where('assessment_id', '=', row.id)
    .execute();
  return { row, factors: factors.map((f) => f.factor), circumstances };
}

/** The saved assessment as form answers. */
function valuesOf(saved: Saved): AssessmentFormValues {
  const circumstances = emptyCircumstances();
  for (const c of saved.circumstances) {
    circumstances[c.area] = { need: c.need_identified ? 'yes' : 'no', detail: c.detail ?? '' };
  }
  const r = saved.row;
  return {
    familyAccount: r.family_account ?? '',
    professionalAnalysis: r.professional_analysis ?? '',
    childViews: r.child_views ?? '',
    childSeen: r.child_seen === null ? '' : r.child_seen ? 'yes' : 'no',
    factors: saved.factors,
    circumstances,
    outcome: r.outcome ?? '',
    outcomeNote: r.outcome_note ?? '',
  };
}

/** Who wrote the assessment: everyone who saved it or sent it for authorisation (from the audit log). */
async function authorsOf(db: Executor, assessmentId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('audit_log')
    .select('actor_user_id')
    .distinct()
    .where('entity_type', '=', SOURCE)
    .where('entity_id', '=', assessmentId)
    .where('action', 'in', ['assessment.update', 'assessment.submit'])
    .execute();
  return new Set(rows.map((r) => r.actor_user_id).filter((id): id is string => id !== null));
}

export type AssessmentDetail = AssessmentSummary & {
  readonly child: ChildRef;
  readonly version: number;
  readonly values: AssessmentFormValues;
  readonly factors: readonly { code: string; label: string }[];
  readonly circumstances: readonly { area: string; label: string; need: boolean | null; detail: string }[];
  readonly outcome: string | null;
  readonly outcomeNote: string | null;
  readonly createdByName: string | null;
  readonly authorisedByName: string | null;
  readonly episode: EpisodeRef & { readonly open: boolean };
  readonly returns: readonly { at: Date; by: string | null; comment: string }[];
  readonly editable: boolean;
  readonly canWrite: boolean;
  readonly canAuthorise: boolean;
  /** The actor wrote or submitted it, so may not authorise it. */
  readonly selfAuthored: boolean;
};

/** One assessment, with everything its pages show (audited as a view of the child). */
export async function assessmentPage(
  deps: Deps,
  actor: Actor,
  input: { personId: string; assessmentId: string } & Context,
): Promise<AssessmentDetail> {
  requireHelpPermission(actor, 'read');
  const child = await childInHelpScope(deps.db, actor, deps.clock, input.personId, 'read');
  const saved = await loadAssessment(deps.db, child.id, input.assessmentId);
  const r = saved.row;
  const [people, episode, returns, authors, canWrite, canAuthorise] = await Promise.all([
    deps.db
      .selectFrom('users')
      .select(['id', 'display_name'])
      .where(
        'id',
        'in',
        [r.created_by, r.authorised_by].filter((id): id is string => id !== null).concat(actor.userId),
      )
      .execute(),
    deps.db
      .selectFrom('help_episodes')
      .select(['id', 'status', 'closed_on'])
      .where('id', '=', r.episode_id)
      .executeTakeFirstOrThrow(),
    deps.db
      .selectFrom('practice_notes')
      .leftJoin('users', 'users.id', 'practice_notes.recorded_by')
      .select(['practice_notes.occurred_at', 'practice_notes.body', 'users.display_name'])
      .where('practice_notes.episode_id', '=', r.episode_id)
      .where('practice_notes.kind', '=', 'management_oversight')
      .where('practice_notes.title', '=', RETURN_NOTE_TITLE)
      .where('practice_notes.created_at', '>=', r.created_at)
      .orderBy('practice_notes.occurred_at', 'desc')
      .execute(),
    authorsOf(deps.db, r.id),
    inScope(deps.db, deps, actor, child.id, 'write'),
    inScope(deps.db, deps, actor, child.id, 'authorise'),
  ]);
  const nameOf = (id: string | null) => people.find((p) => p.id === id)?.display_name ?? null;
  await auditChildView(deps.db, actor, {
    personId: child.id,
    requestId: input.requestId,
    route: input.route ?? '/children/:id/assessments/:aid',
    purpose: 'assessment',
  });
  const values = valuesOf(saved);
  return {
    ...summaryOf(r, londonDate(deps.clock.now())),
    child: childRef(child),
    version: r.version,
    values,
    factors: saved.factors.map((code) => ({ code, label: labelOf(FACTORS, code) })),
    circumstances: CIRCUMSTANCE_ORDER.map((area) => {
      const answer = saved.circumstances.find((c) => c.area === area);
      return {
        area,
        label: CIRCUMSTANCE_AREAS[area].label,
        need: answer ? answer.need_identified : null,
        detail: answer?.detail ?? '',
      };
    }),
    outcome: r.outcome,
    outcomeNote: r.outcome_note,
    createdByName: nameOf(r.created_by),
    authorisedByName: nameOf(r.authorised_by),
    episode: { ...episodeRef(episode), open: episode.closed_on === null },
    returns: returns.map((n) => ({ at: n.occurred_at, by: n.display_name, comment: n.body })),
    editable: canWrite && r.status === 'in_progress' && episode.closed_on === null,
    canWrite,
    canAuthorise,
    selfAuthored: authors.has(actor.userId),
  };
}

// ---------------------------------------------------------------------------------------------
// Starting
// ---------------------------------------------------------------------------------------------

export type NewAssessmentPage = {
  readonly child: ChildRef;
  readonly episode: EpisodeRef | null;
  /** An assessment already under way in the open episode, if any. */
  readonly current: AssessmentSummary | null;
  readonly kind: AssessmentKind | null;
  readonly kindLabel: string;
  readonly today: string;
  readonly workingDays: number;
};

function kindFor(status: EpisodeStatus): AssessmentKind {
  return STATUTORY_STATUSES.has(status) ? 'child_and_family' : 'family_help';
}

function workingDaysFor(kind: AssessmentKind): number {
  return kind === 'child_and_family'
    ? TIMESCALES.assessmentWorkingDays
    : TIMESCALES.familyHelpAssessmentWorkingDays;
}

async function currentAssessment(db: Executor, episodeId: string): Promise<AssessmentRow | undefined> {
  return db
    .selectFrom('assessments')
    .selectAll()
    .where('episode_id', '=', episodeId)
    .where('status', 'in', ['in_progress', 'submitted'])
    .orderBy('started_on', 'desc')
    .executeTakeFirst();
}

/** What the "start an assessment" page needs (audited as a view of the child). */
export async function newAssessmentPage(
  deps: Deps,
  actor: Actor,
  input: { personId: string } & Context,
): Promise<NewAssessmentPage> {
  requireHelpPermission(actor, 'write');
  const child = await childInHelpScope(deps.db, actor, deps.clock, input.personId, 'write');
  const episode = await currentEpisode(deps.db, child.id);
  const current = episode ? await currentAssessment(deps.db, episode.id) : undefined;
  await auditChildView(deps.db, actor, {
    personId: child.id,
    requestId: input.requestId,
    route: input.route ?? '/children/:id/assessments/new',
    purpose: 'assessment',
  });
  const today = londonDate(deps.clock.now());
  const kind = episode ? kindFor(episode.status) : null;
  return {
    child: childRef(child),
    episode: episode ? episodeRef(episode) : null,
    current: current ? summaryOf(current, today) : null,
    kind,
    kindLabel: kind ? ASSESSMENT_KINDS[kind] : '',
    today,
    workingDays: kind ? workingDaysFor(kind) : 0,
  };
}

/**
 * Starts an assessment in the child's open episode: a child and family assessment when the episode
 * is children's social care, otherwise a family help assessment; due in 45 working days; a task for
 * the lead practitioner and team.
 */
export async function startAssessment(
  deps: Deps,
  actor: Actor,
  input: { personId: string; startedOn: DateParts } & Context,
): Promise<string> {
  requireHelpPermission(actor, 'write');
  const errors = new ErrorList();
  const startedOn = parseDate(errors, 'startedOn', 'The start date', input.startedOn, {
    required: 'Enter the date the assessment started',
  });
  const today = isoToday(deps.clock.now());
  if (startedOn && startedOn > today)
    errors.addDate('startedOn', 'The start date must be today or in the past', ['day', 'month', 'year']);
  errors.throwIfAny();
  const on = startedOn as string;
  return deps.db.transaction().execute(async (trx) => {
    const child = await childInHelpScope(trx, actor, deps.clock, input.personId, 'write');
    const episode = await openEpisodeOf(trx, child.id);
    if (!episode) {
      throw new InvalidInputError([
        {
          field: 'startedOn',
          message: 'This child has no open episode of help: help starts with a request at the front door',
        },
      ]);
    }
    if (await currentAssessment(trx, episode.id)) {
      throw new InvalidInputError([
        { field: 'startedOn', message: 'There is already an assessment under way for this child' },
      ]);
    }
    const kind = kindFor(episode.status);
    const referral = await trx
      .selectFrom('cin_referrals')
      .select(['id', 'referral_date'])
      .where('episode_id', '=', episode.id)
      .where('closed_on', 'is', null)
      .executeTakeFirst();
    const earliest = kind === 'child_and_family' && referral ? referral.referral_date : episode.started_on;
    if (on < earliest) {
      errors.addDate(
        'startedOn',
        `The start date must be on or after ${longDate(earliest)}, when ${
          kind === 'child_and_family' && referral ? 'the referral was made' : 'help started'
        }`,
        ['day', 'month', 'year'],
      );
      errors.throwIfAny();
    }
    const dueOn = addWorkingDays(on, workingDaysFor(kind));
    const row = await trx
      .insertInto('assessments')
      .values({
        episode_id: episode.id,
        person_id: child.id,
        cin_referral_id: kind === 'child_and_family' ? (referral?.id ?? null) : null,
        kind,
        started_on: on,
        due_on: dueOn,
        created_by: actor.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const lead = await leadAllocation(trx, child.id);
    await openTask(trx, {
      organisationId: actor.organisationId,
      personId: child.id,
      episodeId: episode.id,
      kind: 'complete_assessment',
      title: `Complete the ${ASSESSMENT_KINDS[kind].toLowerCase()}`,
      dueOn,
      assignedUserId: lead?.workerUserId ?? null,
      assignedTeamId: lead?.teamId ?? null,
      sourceType: SOURCE,
      sourceId: row.id,
    });
    await addAutomaticEntry(trx, {
      personId: child.id,
      episodeId: episode.id,
      occurredOn: on,
      event: 'assessment.started',
      summary: `A ${ASSESSMENT_KINDS[kind].toLowerCase()} started, to be finished by ${longDate(dueOn)}.`,
      sourceType: SOURCE,
      sourceId: row.id,
      actorUserId: actor.userId,
    });
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'assessment.start',
      entityType: SOURCE,
      entityId: row.id,
      detail: { personId: child.id, episodeId: episode.id, kind },
      requestId: input.requestId ?? null,
    });
    return row.id;
  });
}

// ---------------------------------------------------------------------------------------------
// Saving a draft, sending for authorisation
// ---------------------------------------------------------------------------------------------

function editPath(personId: string, assessmentId: string): string {
  return `/children/${personId}/assessments/${assessmentId}/edit`;
}

function conflict(saved: Saved, yours: AssessmentFormValues | null, backLink: string): VersionConflictError {
  const fields = yours
    ? differingFields(ASSESSMENT_LABELS, conflictView(valuesOf(saved)), conflictView(yours))
    : [];
  return new VersionConflictError(fields, backLink);
}

/** Refuses changes to an assessment whose episode of help has been closed. */
async function requireOpenEpisode(db: Executor, episodeId: string): Promise<void> {
  const episode = await db
    .selectFrom('help_episodes')
    .select('closed_on')
    .where('id', '=', episodeId)
    .executeTakeFirstOrThrow();
  if (episode.closed_on !== null) {
    throw new ConflictError('The child’s help has ended, so this assessment can no longer be changed');
  }
}

/** Saves the answers so far ("Save and come back later"). Returns the new version. */
export async function saveAssessment(
  deps: Deps,
  actor: Actor,
  input: { personId: string; assessmentId: string; version: number; values: AssessmentFormValues } & Context,
): Promise<{ version: number }> {
  requireHelpPermission(actor, 'write');
  const errors = new ErrorList();
  const draft = checkAssessmentDraft(input.values, errors);
  if (!errors.empty) throw sortErrors(errors, ASSESSMENT_FIELD_ORDER);
  return deps.db.transaction().execute(async (trx) => {
    const child = await childInHelpScope(trx, actor, deps.clock, input.personId, 'write');
    const saved = await loadAssessment(trx, child.id, input.assessmentId);
    const back = editPath(child.id, saved.row.id);
    if (saved.row.version !== input.version) throw conflict(saved, input.values, back);
    if (saved.row.status !== 'in_progress') {
      throw new ConflictError('The assessment has been sent for authorisation and can no longer be changed');
    }
    await requireOpenEpisode(trx, saved.row.episode_id);
    const updated = await trx
      .updateTable('assessments')
      .set((eb) => ({
        family_account: draft.familyAccount,
        professional_analysis: draft.professionalAnalysis,
        child_views: draft.childViews,
        child_seen: draft.childSeen,
        outcome: draft.outcome,
        outcome_note: draft.outcomeNote,
        updated_at: deps.clock.now(),
        version: eb('version', '+', 1),
      }))
      .where('id', '=', saved.row.id)
      .where('version', '=', input.version)
      .returning('version')
      .executeTakeFirst();
    if (!updated) throw conflict(await loadAssessment(trx, child.id, saved.row.id), input.values, back);
    await trx.deleteFrom('assessment_factors').where('assessment_id', '=', saved.row.id).execute();
    if (draft.factors.length > 0) {
      await trx
        .insertInto('assessment_factors')
        .values(draft.factors.map((factor) => ({ assessment_id: saved.row.id, factor })))
        .execute();
    }
    await trx.deleteFrom('assessment_circumstances').where('assessment_id', '=', saved.row.id).execute();
    if (draft.circumstances.length > 0) {
      await trx
        .insertInto('assessment_circumstances')
        .values(
          draft.circumstances.map((c) => ({
            assessment_id: saved.row.id,
            area: c.area,
            need_identified: c.need,
            detail: c.detail,
          })),
        )
        .execute();
    }
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'assessment.update',
      entityType: SOURCE,
      entityId: saved.row.id,
      detail: { personId: child.id, version: updated.version },
      requestId: input.requestId ?? null,
    });
    return { version: updated.version };
  });
}

/**
 * Sends the saved assessment to the team's managers for authorisation, once it is complete: the
 * analysis, the family's account (or why there is none), whether the child was seen, the factors and
 * the outcome.
 */
export async function submitAssessment(
  deps: Deps,
  actor: Actor,
  input: { personId: string; assessmentId: string; version: number } & Context,
): Promise<void> {
  requireHelpPermission(actor, 'write');
  await deps.db.transaction().execute(async (trx) => {
    const child = await childInHelpScope(trx, actor, deps.clock, input.personId, 'write');
    const saved = await loadAssessment(trx, child.id, input.assessmentId);
    const r = saved.row;
    if (r.version !== input.version) throw conflict(saved, null, `/children/${child.id}/assessments/${r.id}`);
    if (r.status !== 'in_progress')
      throw new ConflictError('The assessment has already been sent for authorisation');
    await requireOpenEpisode(trx, r.episode_id);
    const errors = new ErrorList();
    checkAssessmentComplete(valuesOf(saved), errors);
    if (!errors.empty) throw sortErrors(errors, ASSESSMENT_FIELD_ORDER);
    const now = deps.clock.now();
    const today = londonDate(now);
    const completedOn = laterOf(today, r.started_on);
    const updated = await trx
      .updateTable('assessments')
      .set((eb) => ({
        status: 'submitted',
        completed_on: completedOn,
        updated_at: now,
        version: eb('version', '+', 1),
      }))
      .where('id', '=', r.id)
      .where('version', '=', input.version)
      .returning('version')
      .executeTakeFirst();
    if (!updated) throw conflict(saved, null, `/children/${child.id}/assessments/${r.id}`);
    await completeTasksFor(trx, { sourceType: SOURCE, sourceId: r.id, byUserId: actor.userId, at: now });
    await completeEpisodeTasks(trx, {
      episodeId: r.episode_id,
      kind: 'complete_assessment',
      byUserId: actor.userId,
      at: now,
    });
    const lead = await leadAllocation(trx, child.id);
    const soon = addWorkingDays(today, TIMESCALES.authoriseAssessmentWorkingDays);
    await openTask(trx, {
      organisationId: actor.organisationId,
      personId: child.id,
      episodeId: r.episode_id,
      kind: 'authorise_assessment',
      title: `Authorise the ${ASSESSMENT_KINDS[r.kind].toLowerCase()}`,
      dueOn: laterOf(today, r.due_on < soon ? r.due_on : soon),
      assignedUserId: null,
      assignedTeamId: lead?.teamId ?? null,
      sourceType: SOURCE,
      sourceId: r.id,
    });
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'assessment.submit',
      entityType: SOURCE,
      entityId: r.id,
      detail: { personId: child.id, version: updated.version },
      requestId: input.requestId ?? null,
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Authorising
// ---------------------------------------------------------------------------------------------

export type AuthoriseDecision = 'authorise' | 'return';

/**
 * A manager authorises the assessment, or returns it for more work with a comment (a management
 * oversight note). Nobody may authorise or return an assessment they wrote or sent. Authorising does
 * not change or close the episode: that is a separate step.
 */
export async function authoriseAssessment(
  deps: Deps,
  actor: Actor,
  input: {
    personId: string;
    assessmentId: string;
    version: number;
    decision: string;
    comment: string;
  } & Context,
): Promise<{ decision: AuthoriseDecision; outcome: string | null }> {
  requireHelpPermission(actor, 'authorise');
  return deps.db.transaction().execute(async (trx) => {
    const child = await childInHelpScope(trx, actor, deps.clock, input.personId, 'authorise');
    const saved = await loadAssessment(trx, child.id, input.assessmentId);
    const r = saved.row;
    const viewPath = `/children/${child.id}/assessments/${r.id}`;
    if (r.version !== input.version) throw conflict(saved, null, viewPath);
    if (r.status !== 'submitted') {
      throw new InvalidInputError([
        { field: 'decision', message: 'This assessment is not waiting for authorisation' },
      ]);
    }
    if ((await authorsOf(trx, r.id)).has(actor.userId)) {
      throw new InvalidInputError([{ field: 'decision', message: SELF_AUTHORISE_MESSAGE }]);
    }
    const errors = new ErrorList();
    const decision = input.decision === 'authorise' || input.decision === 'return' ? input.decision : null;
    if (!decision)
      errors.add('decision', 'Select whether you authorise the assessment or return it for more work');
    const comment = input.comment.trim();
    if (decision === 'return' && comment === '')
      errors.add('comment', 'Enter what needs to change before you can authorise the assessment');
    if (comment.length > SHORT_TEXT_MAX)
      errors.add('comment', `Your comment must be ${SHORT_TEXT_MAX} characters or fewer`);
    errors.throwIfAny();
    const chosen = decision as AuthoriseDecision;

    const now = deps.clock.now();
    const today = londonDate(now);
    const kindLabel = ASSESSMENT_KINDS[r.kind].toLowerCase();
    if (chosen === 'authorise') {
      const authorisedOn = laterOf(today, r.completed_on ?? r.started_on);
      const updated = await trx
        .updateTable('assessments')
        .set((eb) => ({
          status: 'authorised',
          authorised_on: authorisedOn,
          authorised_by: actor.userId,
          updated_at: now,
          version: eb('version', '+', 1),
        }))
        .where('id', '=', r.id)
        .where('version', '=', input.version)
        .returning('version')
        .executeTakeFirst();
      if (!updated) throw conflict(saved, null, viewPath);
      await addAutomaticEntry(trx, {
        personId: child.id,
        episodeId: r.episode_id,
        occurredOn: authorisedOn,
        event: 'assessment.authorised',
        summary: `The ${kindLabel} was finished and authorised by a manager. Outcome: ${labelOf(
          ASSESSMENT_OUTCOMES,
          r.outcome,
        ).toLowerCase()}.`,
        sourceType: SOURCE,
        sourceId: r.id,
        actorUserId: actor.userId,
      });
    } else {
      const updated = await trx
        .updateTable('assessments')
        .set((eb) => ({
          status: 'in_progress',
          completed_on: null,
          updated_at: now,
          version: eb('version', '+', 1),
        }))
        .where('id', '=', r.id)
        .where('version', '=', input.version)
        .returning('version')
        .executeTakeFirst();
      if (!updated) throw conflict(saved, null, viewPath);
      await trx
        .insertInto('practice_notes')
        .values({
          episode_id: r.episode_id,
          person_id: child.id,
          occurred_at: now,
          kind: 'management_oversight',
          title: RETURN_NOTE_TITLE,
          body: comment,
          recorded_by: actor.userId,
        })
        .execute();
      const lead = await leadAllocation(trx, child.id);
      await openTask(trx, {
        organisationId: actor.organisationId,
        personId: child.id,
        episodeId: r.episode_id,
        kind: 'complete_assessment',
        title: `Make the changes the manager asked for and send the ${kindLabel} again`,
        dueOn: laterOf(today, r.due_on),
        assignedUserId: lead?.workerUserId ?? null,
        assignedTeamId: lead?.teamId ?? null,
        sourceType: SOURCE,
        sourceId: r.id,
      });
      await addAutomaticEntry(trx, {
        personId: child.id,
        episodeId: r.episode_id,
        occurredOn: today,
        event: 'assessment.returned',
        summary: `A manager asked for more work on the ${kindLabel} before authorising it.`,
        sourceType: SOURCE,
        sourceId: r.id,
        actorUserId: actor.userId,
      });
    }
    await completeTasksFor(trx, {
      sourceType: SOURCE,
      sourceId: r.id,
      kind: 'authorise_assessment',
      byUserId: actor.userId,
      at: now,
    });
    await completeEpisodeTasks(trx, {
      episodeId: r.episode_id,
      kind: 'authorise_assessment',
      byUserId: actor.userId,
      at: now,
    });
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: chosen === 'authorise' ? 'assessment.authorise' : 'assessment.return',
      entityType: SOURCE,
      entityId: r.id,
      detail: { personId: child.id, outcome: r.outcome },
      requestId: input.requestId ?? null,
    });
    return { decision: chosen, outcome: r.outcome };
  });
}

/** The start date form's first answer: today. */
export function todayParts(deps: Deps): DateParts {
  return partsFromIso(isoToday(deps.clock.now()));
}
