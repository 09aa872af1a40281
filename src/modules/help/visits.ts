import type { Selectable, Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Deps } from '../../platform/deps.ts';
import { DomainError, NotFoundError, VersionConflictError, differingFields } from '../../platform/errors.ts';
import { addWorkingDays } from '../../platform/working-days.ts';
import { can, type Actor } from '../access/actor.ts';
import {
  EMPTY_DATE,
  ErrorList,
  parseDate,
  partsFromIso,
  readDateParts,
  type DateParts,
  type FormSource,
} from '../people/person-form.ts';
import {
  auditChildView,
  childInHelpScope,
  londonDate,
  requireHelpPermission,
  UUID,
  type Executor,
} from './access.ts';
import { longDate } from './dates.ts';
import { addAutomaticEntry, updateEntriesFrom } from './chronology.ts';
import { currentEpisode, leadAllocation, openEpisodeOf } from './episodes.ts';
import type { EpisodeStatus, HelpEpisodeTable, VisitKind, VisitTable } from './help.table.ts';
import { completeEpisodeTasks, openTask, TIMESCALES } from './tasks.ts';

/**
 * Visits to the child: where, whether the child was seen (and seen alone), what they said in their
 * own words, what happened, and when the next visit is due. Recording a visit completes the visit
 * that was due and opens the next one, at the interval the child's status sets, in working days.
 */

export type Child = { id: string; given_name: string; family_name: string };
type Episode = Selectable<HelpEpisodeTable>;

/** The child has no open episode of help, so there is nothing to record visits, notes or help against. */
export class NoOpenEpisodeError extends DomainError {
  constructor() {
    super('no_open_episode', 409, 'The child has no open episode of help');
  }
}

/** The open episode, locked for the rest of the transaction, or NoOpenEpisodeError. */
export async function requireOpenEpisode(trx: Transaction<Database>, personId: string): Promise<Episode> {
  const episode = await openEpisodeOf(trx, personId);
  if (!episode) throw new NoOpenEpisodeError();
  return episode;
}

/** Whether the actor may write to the child's help record (for showing or hiding forms and links). */
export async function mayWriteHelp(
  deps: Deps,
  actor: Actor,
  personId: string,
  db: Executor = deps.db,
): Promise<boolean> {
  if (!can(actor, 'help', 'write')) return false;
  try {
    await childInHelpScope(db, actor, deps.clock, personId, 'write');
    return true;
  } catch (error) {
    if (error instanceof NotFoundError) return false;
    throw error;
  }
}

export const VISIT_KINDS: Readonly<Record<VisitKind, string>> = {
  home: 'At home',
  school: 'At school or nursery',
  office: 'At the office',
  placement: 'Where the child is placed',
  other: 'Somewhere else',
};

/** Where the child was seen, as a chronology entry written to the child would put it. */
const SEEN_WHERE: Readonly<Record<VisitKind, string>> = {
  home: 'at home',
  school: 'at school',
  office: 'at the office',
  placement: 'where you live',
  other: 'on a visit',
};

export const YES_NO = { yes: 'Yes', no: 'No' } as const;
export const BEDROOM_SEEN = { yes: 'Yes', no: 'No', not_applicable: 'Not applicable' } as const;

/** The working-day interval to the next visit, by the child's status (local procedures). */
export function visitIntervalWorkingDays(status: EpisodeStatus): number {
  if (status === 'child_protection') return TIMESCALES.childProtectionVisitWorkingDays;
  if (status === 'family_help') return TIMESCALES.familyHelpVisitWorkingDays;
  return TIMESCALES.childInNeedVisitWorkingDays;
}

/** The next visit due, by default: the interval for the child's status, in working days after this visit. */
export function defaultNextVisitDue(status: EpisodeStatus, visitedOn: string): string {
  return addWorkingDays(visitedOn, visitIntervalWorkingDays(status));
}

// The form --------------------------------------------------------------------------------------

/** What was typed, kept as typed so the form can be shown again. */
export type VisitFormValues = {
  readonly visitedOn: DateParts;
  readonly kind: string;
  readonly statutory: string;
  readonly childSeen: string;
  readonly childSeenAlone: string;
  readonly bedroomSeen: string;
  readonly childsWords: string;
  readonly whatHappened: string;
  readonly nextVisitDue: DateParts;
};

export const EMPTY_VISIT_FORM: VisitFormValues = {
  visitedOn: EMPTY_DATE,
  kind: '',
  statutory: '',
  childSeen: '',
  childSeenAlone: '',
  bedroomSeen: '',
  childsWords: '',
  whatHappened: '',
  nextVisitDue: EMPTY_DATE,
};

export function readVisitForm(source: FormSource): VisitFormValues {
  return {
    visitedOn: readDateParts(source, 'visitedOn'),
    kind: source.get('kind'),
    statutory: source.get('statutory'),
    childSeen: source.get('childSeen'),
    childSeenAlone: source.get('childSeenAlone'),
    bedroomSeen: source.get('bedroomSeen'),
    childsWords: source.get('childsWords'),
    whatHappened: source.get('whatHappened'),
    nextVisitDue: readDateParts(source, 'nextVisitDue'),
  };
}

type VisitRow = Selectable<VisitTable>;

function yesNo(value: boolean | null): string {
  return value === null ? '' : value ? 'yes' : 'no';
}

export function formFromVisit(row: VisitRow): VisitFormValues {
  return {
    visitedOn: partsFromIso(row.visited_on),
    kind: row.kind,
    statutory: yesNo(row.statutory),
    childSeen: yesNo(row.child_seen),
    childSeenAlone: row.child_seen ? yesNo(row.child_seen_alone) : '',
    bedroomSeen: row.bedroom_seen === null ? 'not_applicable' : yesNo(row.bedroom_seen),
    childsWords: row.childs_words ?? '',
    whatHappened: row.what_happened,
    nextVisitDue: partsFromIso(row.next_visit_due_on),
  };
}

/** The form's fields in page order, so the error summary follows the page. */
const FIELD_ORDER = [
  'visitedOn',
  'kind',
  'statutory',
  'childSeen',
  'childSeenAlone',
  'bedroomSeen',
  'childsWords',
  'whatHappened',
  'nextVisitDue',
];

type CheckedVisit = {
  visitedOn: string;
  kind: VisitKind;
  statutory: boolean;
  childSeen: boolean;
  childSeenAlone: boolean;
  bedroomSeen: boolean | null;
  childsWords: string | null;
  whatHappened: string;
  nextVisitDue: string | null;
};

function isVisitKind(value: string): value is VisitKind {
  return Object.hasOwn(VISIT_KINDS, value);
}

/** Checks the form; throws a FormInputError (with the date parts to highlight) listing every problem. */
export function checkVisitForm(values: VisitFormValues, today: string): CheckedVisit {
  const errors = new ErrorList();
  const visitedOn = parseDate(errors, 'visitedOn', 'Date of the visit', values.visitedOn, {
    required: 'Enter the date of the visit',
  });
  if (visitedOn && visitedOn > today) {
    errors.addDate('visitedOn', 'Date of the visit must be today or in the past', ['day', 'month', 'year']);
  }
  if (!isVisitKind(values.kind)) errors.add('kind', 'Select where the visit took place');
  if (values.statutory !== 'yes' && values.statutory !== 'no') {
    errors.add('statutory', 'Select yes if this was a statutory visit');
  }
  if (values.childSeen !== 'yes' && values.childSeen !== 'no') {
    errors.add('childSeen', 'Select yes if the child was seen');
  }
  if (values.childSeen === 'yes' && values.childSeenAlone !== 'yes' && values.childSeenAlone !== 'no') {
    errors.add('childSeenAlone', 'Select yes if the child was seen alone');
  }
  if (values.childSeen === 'no' && values.childSeenAlone === 'yes') {
    errors.add('childSeenAlone', 'The child can only have been seen alone if they were seen');
  }
  if (values.childSeenAlone !== '' && values.childSeenAlone !== 'yes' && values.childSeenAlone !== 'no') {
    errors.add('childSeenAlone', 'Select yes if the child was seen alone');
  }
  if (values.bedroomSeen !== '' && !Object.hasOwn(BEDROOM_SEEN, values.bedroomSeen)) {
    errors.add('bedroomSeen', 'Select yes if the child’s bedroom was seen');
  }
  const childsWords = values.childsWords.trim();
  if (childsWords.length > 10_000) {
    errors.add('childsWords', 'What the child said must be 10,000 characters or fewer');
  }
  const whatHappened = values.whatHappened.trim();
  if (whatHappened === '') errors.add('whatHappened', 'Enter what happened on the visit');
  else if (whatHappened.length > 20_000) {
    errors.add('whatHappened', 'What happened must be 20,000 characters or fewer');
  }
  const nextVisitDue = parseDate(errors, 'nextVisitDue', 'Next visit due', values.nextVisitDue);
  if (nextVisitDue && visitedOn && nextVisitDue <= visitedOn) {
    errors.addDate('nextVisitDue', 'Next visit due must be after the date of the visit', [
      'day',
      'month',
      'year',
    ]);
  }
  if (!errors.empty) {
    errors.errors.sort((a, b) => FIELD_ORDER.indexOf(a.field) - FIELD_ORDER.indexOf(b.field));
  }
  errors.throwIfAny();
  const seen = values.childSeen === 'yes';
  return {
    visitedOn: visitedOn ?? '',
    kind: values.kind as VisitKind,
    statutory: values.statutory === 'yes',
    childSeen: seen,
    childSeenAlone: seen && values.childSeenAlone === 'yes',
    bedroomSeen: values.bedroomSeen === 'yes' ? true : values.bedroomSeen === 'no' ? false : null,
    childsWords: childsWords === '' ? null : childsWords,
    whatHappened,
    nextVisitDue: nextVisitDue ?? null,
  };
}

/** The chronology's words for a visit, written to the child when they were seen. */
export function visitSummary(visit: {
  kind: VisitKind;
  childSeen: boolean;
  childSeenAlone: boolean;
  statutory: boolean;
}): string {
  const statutory = visit.statutory ? ' (statutory visit)' : '';
  if (!visit.childSeen)
    return `Visit: child not seen (${VISIT_KINDS[visit.kind].toLowerCase()})${statutory}.`;
  const alone = visit.childSeenAlone ? ', and you talked with your worker on your own' : '';
  return `You were seen ${SEEN_WHERE[visit.kind]}${alone}${statutory}.`;
}

/** What differs, for the conflict page: both versions in words. */
const CONFLICT_LABELS = {
  visitedOn: 'Date of the visit',
  kind: 'Where the visit took place',
  statutory: 'Statutory visit',
  childSeen: 'Child seen',
  childSeenAlone: 'Child seen alone',
  bedroomSeen: 'Child’s bedroom seen',
  childsWords: 'What the child said',
  whatHappened: 'What happened',
  nextVisitDue: 'Next visit due',
};

function visitInWords(v: CheckedVisit): Record<keyof typeof CONFLICT_LABELS, string> {
  return {
    visitedOn: longDate(v.visitedOn),
    kind: VISIT_KINDS[v.kind],
    statutory: v.statutory ? 'Yes' : 'No',
    childSeen: v.childSeen ? 'Yes' : 'No',
    childSeenAlone: v.childSeenAlone ? 'Yes' : 'No',
    bedroomSeen: v.bedroomSeen === null ? 'Not applicable' : v.bedroomSeen ? 'Yes' : 'No',
    childsWords: v.childsWords ?? '',
    whatHappened: v.whatHappened,
    nextVisitDue: longDate(v.nextVisitDue),
  };
}

function checkedFromRow(row: VisitRow): CheckedVisit {
  return {
    visitedOn: row.visited_on,
    kind: row.kind,
    statutory: row.statutory,
    childSeen: row.child_seen,
    childSeenAlone: row.child_seen_alone,
    bedroomSeen: row.bedroom_seen,
    childsWords: row.childs_words,
    whatHappened: row.what_happened,
    nextVisitDue: row.next_visit_due_on,
  };
}

// Services --------------------------------------------------------------------------------------

export type VisitListItem = {
  readonly id: string;
  readonly visitedOn: string;
  readonly kind: VisitKind;
  readonly kindLabel: string;
  readonly statutory: boolean;
  readonly childSeen: boolean;
  readonly childSeenAlone: boolean;
  readonly bedroomSeen: boolean | null;
  readonly childsWords: string | null;
  readonly whatHappened: string;
  readonly nextVisitDueOn: string | null;
  readonly recordedBy: string | null;
};

/** The child's visits, newest first, and the visit due next. Viewing them is a view of the child (audited). */
export async function listVisits(
  deps: Deps,
  actor: Actor,
  input: { personId: string; requestId?: string | null },
): Promise<{
  child: Child;
  episode: Episode | undefined;
  visits: VisitListItem[];
  nextDue: { dueOn: string; overdue: boolean } | undefined;
  mayWrite: boolean;
}> {
  const child = await childInHelpScope(deps.db, actor, deps.clock, input.personId, 'read');
  const [episode, rows, mayWrite] = await Promise.all([
    currentEpisode(deps.db, child.id),
    deps.db
      .selectFrom('visits')
      .leftJoin('users', 'users.id', 'visits.recorded_by')
      .selectAll('visits')
      .select('users.display_name')
      .where('visits.person_id', '=', child.id)
      .orderBy('visits.visited_on', 'desc')
      .orderBy('visits.created_at', 'desc')
      .execute(),
    mayWriteHelp(deps, actor, child.id),
  ]);
  const task = episode
    ? await deps.db
        .selectFrom('tasks')
        .select('due_on')
        .where('episode_id', '=', episode.id)
        .where('kind', '=', 'visit_due')
        .where('completed_at', 'is', null)
        .orderBy('due_on')
        .executeTakeFirst()
    : undefined;
  await auditChildView(deps.db, actor, {
    personId: child.id,
    route: '/children/:id/visits',
    purpose: 'visits',
    requestId: input.requestId ?? null,
  });
  const today = londonDate(deps.clock.now());
  return {
    child,
    episode,
    mayWrite,
    visits: rows.map((r) => ({
      id: r.id,
      visitedOn: r.visited_on,
      kind: r.kind,
      kindLabel: VISIT_KINDS[r.kind],
      statutory: r.statutory,
      childSeen: r.child_seen,
      childSeenAlone: r.child_seen_alone,
      bedroomSeen: r.bedroom_seen,
      childsWords: r.childs_words,
      whatHappened: r.what_happened,
      nextVisitDueOn: r.next_visit_due_on,
      recordedBy: r.display_name,
    })),
    nextDue: task ? { dueOn: task.due_on, overdue: task.due_on < today } : undefined,
  };
}

/** For the "record a visit" page: the child and the default next-visit interval. */
export async function newVisitContext(
  deps: Deps,
  actor: Actor,
  input: { personId: string },
): Promise<{ child: Child; episode: Episode | undefined; intervalWorkingDays: number | undefined }> {
  requireHelpPermission(actor, 'write');
  const child = await childInHelpScope(deps.db, actor, deps.clock, input.personId, 'write');
  const episode = await currentEpisode(deps.db, child.id);
  return {
    child,
    episode,
    intervalWorkingDays: episode ? visitIntervalWorkingDays(episode.status) : undefined,
  };
}

/**
 * Records a visit in the child's open episode. If it is the latest visit, the visit that was due is
 * done and the next one is due on the date given, or by default after the interval for the child's
 * status in working days; the task goes to the lead practitioner (and their team), or to the team.
 */
export async function recordVisit(
  deps: Deps,
  actor: Actor,
  input: { personId: string; values: VisitFormValues; requestId?: string | null },
): Promise<{ visitId: string; nextVisitDueOn: string }> {
  requireHelpPermission(actor, 'write');
  const now = deps.clock.now();
  const checked = checkVisitForm(input.values, londonDate(now));
  return deps.db.transaction().execute(async (trx) => {
    const child = await childInHelpScope(trx, actor, deps.clock, input.personId, 'write');
    const episode = await requireOpenEpisode(trx, child.id);
    const nextDue = checked.nextVisitDue ?? defaultNextVisitDue(episode.status, checked.visitedOn);
    const visit = await trx
      .insertInto('visits')
      .values({
        episode_id: episode.id,
        person_id: child.id,
        visited_on: checked.visitedOn,
        kind: checked.kind,
        statutory: checked.statutory,
        child_seen: checked.childSeen,
        child_seen_alone: checked.childSeenAlone,
        bedroom_seen: checked.bedroomSeen,
        childs_words: checked.childsWords,
        what_happened: checked.whatHappened,
        next_visit_due_on: nextDue,
        recorded_by: actor.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    // A visit recorded late, older than one already recorded, leaves the visit due as it is.
    const later = await trx
      .selectFrom('visits')
      .select('id')
      .where('episode_id', '=', episode.id)
      .where('id', '!=', visit.id)
      .where('visited_on', '>', checked.visitedOn)
      .executeTakeFirst();
    if (!later) {
      await completeEpisodeTasks(trx, {
        episodeId: episode.id,
        kind: 'visit_due',
        byUserId: actor.userId,
        at: now,
      });
      const lead = await leadAllocation(trx, child.id);
      await openTask(trx, {
        organisationId: episode.organisation_id,
        personId: child.id,
        episodeId: episode.id,
        kind: 'visit_due',
        title: 'Visit due',
        dueOn: nextDue,
        assignedUserId: lead?.workerUserId ?? null,
        assignedTeamId: lead?.teamId ?? null,
        sourceType: 'visit',
        sourceId: visit.id,
      });
    }
    await addAutomaticEntry(trx, {
      personId: child.id,
      episodeId: episode.id,
      occurredOn: checked.visitedOn,
      event: 'visit.recorded',
      summary: visitSummary(checked),
      sourceType: 'visit',
      sourceId: visit.id,
      actorUserId: actor.userId,
    });
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'visit.record',
      entityType: 'visit',
      entityId: visit.id,
      detail: { personId: child.id, episodeId: episode.id },
      requestId: input.requestId ?? null,
    });
    return { visitId: visit.id, nextVisitDueOn: nextDue };
  });
}

async function visitOfChild(db: Executor, personId: string, visitId: string): Promise<VisitRow> {
  if (!UUID.test(visitId)) throw new NotFoundError();
  const row = await db
    .selectFrom('visits')
    .selectAll()
    .where('id', '=', visitId)
    .where('person_id', '=', personId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  return row;
}

/** The visit as it stands, for its edit form (a view of the child: audited). */
export async function getVisitForEdit(
  deps: Deps,
  actor: Actor,
  input: { personId: string; visitId: string; requestId?: string | null },
): Promise<{ child: Child; values: VisitFormValues; version: number }> {
  requireHelpPermission(actor, 'write');
  const child = await childInHelpScope(deps.db, actor, deps.clock, input.personId, 'write');
  const row = await visitOfChild(deps.db, child.id, input.visitId);
  await auditChildView(deps.db, actor, {
    personId: child.id,
    route: '/children/:id/visits/:vid/edit',
    purpose: 'visit',
    requestId: input.requestId ?? null,
  });
  return { child, values: formFromVisit(row), version: row.version };
}

/** The child, for showing the edit form again with errors (no new audit row: nothing new is shown). */
export async function childForVisitForm(
  deps: Deps,
  actor: Actor,
  input: { personId: string; visitId?: string },
): Promise<Child> {
  requireHelpPermission(actor, 'write');
  const child = await childInHelpScope(deps.db, actor, deps.clock, input.personId, 'write');
  if (input.visitId !== undefined) await visitOfChild(deps.db, child.id, input.visitId);
  return child;
}

/**
 * Corrects a visit, if nobody else has saved it since the form was opened (optimistic concurrency:
 * otherwise VersionConflictError with both versions). The visit due it set, if still open, and its
 * chronology entry follow the correction.
 */
export async function updateVisit(
  deps: Deps,
  actor: Actor,
  input: {
    personId: string;
    visitId: string;
    values: VisitFormValues;
    version: number;
    requestId?: string | null;
  },
): Promise<void> {
  requireHelpPermission(actor, 'write');
  const checked = checkVisitForm(input.values, londonDate(deps.clock.now()));
  const backLink = `/children/${input.personId}/visits/${input.visitId}/edit`;
  await deps.db.transaction().execute(async (trx) => {
    const child = await childInHelpScope(trx, actor, deps.clock, input.personId, 'write');
    const saved = await visitOfChild(trx, child.id, input.visitId);
    const episode = await trx
      .selectFrom('help_episodes')
      .selectAll()
      .where('id', '=', saved.episode_id)
      .executeTakeFirstOrThrow();
    const nextDue =
      checked.nextVisitDue ??
      (episode.closed_on === null ? defaultNextVisitDue(episode.status, checked.visitedOn) : null);
    const result = await trx
      .updateTable('visits')
      .set((eb) => ({
        visited_on: checked.visitedOn,
        kind: checked.kind,
        statutory: checked.statutory,
        child_seen: checked.childSeen,
        child_seen_alone: checked.childSeenAlone,
        bedroom_seen: checked.bedroomSeen,
        childs_words: checked.childsWords,
        what_happened: checked.whatHappened,
        next_visit_due_on: nextDue,
        updated_at: deps.clock.now(),
        version: eb('version', '+', 1),
      }))
      .where('id', '=', saved.id)
      .where('version', '=', input.version)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) {
      throw new VersionConflictError(
        differingFields(CONFLICT_LABELS, visitInWords(checkedFromRow(saved)), visitInWords(checked)),
        backLink,
      );
    }
    if (nextDue !== null) {
      await trx
        .updateTable('tasks')
        .set({ due_on: nextDue })
        .where('source_type', '=', 'visit')
        .where('source_id', '=', saved.id)
        .where('kind', '=', 'visit_due')
        .where('completed_at', 'is', null)
        .execute();
    }
    await updateEntriesFrom(
      trx,
      { sourceType: 'visit', sourceId: saved.id },
      { occurredOn: checked.visitedOn, summary: visitSummary(checked) },
    );
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'visit.update',
      entityType: 'visit',
      entityId: saved.id,
      detail: { personId: child.id, version: input.version + 1 },
      requestId: input.requestId ?? null,
    });
  });
}
