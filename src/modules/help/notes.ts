import type { Selectable } from 'kysely';
import { recordAudit, type AuditEntry } from '../../platform/audit/audit.ts';
import type { Deps } from '../../platform/deps.ts';
import {
  ForbiddenError,
  NotFoundError,
  VersionConflictError,
  differingFields,
} from '../../platform/errors.ts';
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
import { addCuratedEntryFrom, updateEntriesFrom } from './chronology.ts';
import type { PracticeNoteKind, PracticeNoteTable } from './help.table.ts';
import { longDate } from './dates.ts';
import { currentEpisode } from './episodes.ts';
import { mayWriteHelp, requireOpenEpisode, type Child } from './visits.ts';

/**
 * Notes of practice: conversations, meetings, calls, messages, observations and management
 * oversight (which only managers, who hold help 'authorise', may write). Notes are not in the
 * chronology unless the practitioner chooses to add one; that entry then follows the note.
 */

export const NOTE_KINDS: Readonly<Record<PracticeNoteKind, string>> = {
  conversation: 'Conversation',
  meeting: 'Meeting',
  phone_call: 'Phone call',
  message: 'Message (email, text or letter)',
  observation: 'Observation',
  management_oversight: 'Management oversight',
  other: 'Something else',
};

/** Whether this member of staff may write management oversight. */
export function canWriteOversight(actor: Actor): boolean {
  return can(actor, 'help', 'authorise');
}

// London wall-clock time ----------------------------------------------------------------------

const LONDON_PARTS = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

function londonWallClock(at: Date): { date: string; hour: number; minute: number; offsetMinutes: number } {
  const parts = LONDON_PARTS.formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? '0');
  const [year, month, day, hour, minute] = [
    get('year'),
    get('month'),
    get('day'),
    get('hour'),
    get('minute'),
  ];
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  const whole = Math.floor(at.getTime() / 60_000) * 60_000;
  const date = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  return { date, hour, minute, offsetMinutes: Math.round((asUtc - whole) / 60_000) };
}

/** The instant a London date and time names (in the autumn's repeated hour, the first of the two). */
export function londonInstant(date: string, hour: number, minute: number): Date {
  const [y = 0, m = 1, d = 1] = date.split('-').map(Number);
  const wall = Date.UTC(y, m - 1, d, hour, minute);
  const first = londonWallClock(new Date(wall)).offsetMinutes;
  const candidate = wall - first * 60_000;
  const second = londonWallClock(new Date(candidate)).offsetMinutes;
  return new Date(second === first ? candidate : wall - second * 60_000);
}

/** "14:30", "2:30pm", "2pm", "9.05am", "midday", "midnight" → hour and minute; otherwise undefined. */
export function parseTime(value: string): { hour: number; minute: number } | undefined {
  const text = value.trim().toLowerCase().replace(/\s+/g, '');
  if (text === 'midday' || text === 'noon' || text === '12noon') return { hour: 12, minute: 0 };
  if (text === 'midnight') return { hour: 0, minute: 0 };
  const match = /^(\d{1,2})(?:[:.](\d{2}))?(am|pm)?$/.exec(text);
  if (!match) return undefined;
  let hour = Number(match[1]);
  const minute = match[2] === undefined ? 0 : Number(match[2]);
  const period = match[3];
  if (minute > 59) return undefined;
  if (period) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (period === 'pm' ? 12 : 0);
  } else if (match[2] === undefined || hour > 23) {
    return undefined;
  }
  return { hour, minute };
}

function timeText(hour: number, minute: number): string {
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

// The form --------------------------------------------------------------------------------------

export type NoteFormValues = {
  readonly kind: string;
  readonly occurredOn: DateParts;
  readonly occurredTime: string;
  readonly title: string;
  readonly body: string;
  readonly addToChronology: string;
};

export const EMPTY_NOTE_FORM: NoteFormValues = {
  kind: '',
  occurredOn: EMPTY_DATE,
  occurredTime: '',
  title: '',
  body: '',
  addToChronology: '',
};

export function readNoteForm(source: FormSource): NoteFormValues {
  return {
    kind: source.get('kind'),
    occurredOn: readDateParts(source, 'occurredOn'),
    occurredTime: source.get('occurredTime').slice(0, 20),
    title: source.get('title'),
    body: source.get('body'),
    addToChronology: source.get('addToChronology') === 'yes' ? 'yes' : '',
  };
}

type NoteRow = Selectable<PracticeNoteTable>;

export function formFromNote(row: NoteRow): NoteFormValues {
  const when = londonWallClock(new Date(row.occurred_at));
  return {
    kind: row.kind,
    occurredOn: partsFromIso(when.date),
    occurredTime: timeText(when.hour, when.minute),
    title: row.title,
    body: row.body,
    addToChronology: '',
  };
}

type CheckedNote = {
  kind: PracticeNoteKind;
  occurredOn: string;
  occurredAt: Date;
  title: string;
  body: string;
  addToChronology: boolean;
};

const FIELD_ORDER = ['kind', 'occurredOn', 'occurredTime', 'title', 'body'];

function isNoteKind(value: string): value is PracticeNoteKind {
  return Object.hasOwn(NOTE_KINDS, value);
}

export function checkNoteForm(values: NoteFormValues, now: Date, mayWriteOversight: boolean): CheckedNote {
  const errors = new ErrorList();
  if (!isNoteKind(values.kind)) errors.add('kind', 'Select what kind of note this is');
  else if (values.kind === 'management_oversight' && !mayWriteOversight) {
    errors.add('kind', 'Only a manager can record management oversight: select another kind of note');
  }
  const occurredOn = parseDate(errors, 'occurredOn', 'Date', values.occurredOn, {
    required: 'Enter the date it happened',
  });
  const today = londonDate(now);
  if (occurredOn && occurredOn > today) {
    errors.addDate('occurredOn', 'Date must be today or in the past', ['day', 'month', 'year']);
  }
  const time = parseTime(values.occurredTime);
  if (values.occurredTime.trim() === '') {
    errors.add('occurredTime', 'Enter the time it happened, for example 9:30am or 14:30');
  } else if (!time) {
    errors.add('occurredTime', 'Enter a real time, for example 9:30am or 14:30');
  }
  const occurredAt = occurredOn && time ? londonInstant(occurredOn, time.hour, time.minute) : undefined;
  if (occurredAt && occurredOn === today && occurredAt.getTime() > now.getTime()) {
    errors.add('occurredTime', 'Time must be now or in the past');
  }
  const title = values.title.trim();
  if (title === '') errors.add('title', 'Enter a title for the note');
  else if (title.length > 200) errors.add('title', 'Title must be 200 characters or fewer');
  const body = values.body.trim();
  if (body === '') errors.add('body', 'Enter the note');
  else if (body.length > 20_000) errors.add('body', 'The note must be 20,000 characters or fewer');
  if (!errors.empty) {
    errors.errors.sort((a, b) => FIELD_ORDER.indexOf(a.field) - FIELD_ORDER.indexOf(b.field));
  }
  errors.throwIfAny();
  return {
    kind: values.kind as PracticeNoteKind,
    occurredOn: occurredOn ?? '',
    occurredAt: occurredAt ?? now,
    title,
    body,
    addToChronology: values.addToChronology === 'yes',
  };
}

/** The chronology's words for a note a practitioner chose to add. */
export function noteSummary(note: { kind: PracticeNoteKind; title: string }): string {
  return `${NOTE_KINDS[note.kind]}: ${note.title}`;
}

const CONFLICT_LABELS = { kind: 'Kind of note', when: 'Date and time', title: 'Title', body: 'Note' };

function noteInWords(note: { kind: PracticeNoteKind; occurredAt: Date; title: string; body: string }) {
  const when = londonWallClock(note.occurredAt);
  return {
    kind: NOTE_KINDS[note.kind],
    when: `${longDate(when.date)} at ${timeText(when.hour, when.minute)}`,
    title: note.title,
    body: note.body,
  };
}

// Services --------------------------------------------------------------------------------------

export type NoteListItem = {
  readonly id: string;
  readonly occurredAt: Date;
  readonly kind: PracticeNoteKind;
  readonly kindLabel: string;
  readonly title: string;
  readonly body: string;
  readonly recordedBy: string | null;
  readonly inChronology: boolean;
  readonly mayEdit: boolean;
};

/** The child's notes, newest first (a view of the child: audited). */
export async function listNotes(
  deps: Deps,
  actor: Actor,
  input: { personId: string; requestId?: string | null },
): Promise<{ child: Child; hasOpenEpisode: boolean; notes: NoteListItem[]; mayWrite: boolean }> {
  const child = await childInHelpScope(deps.db, actor, deps.clock, input.personId, 'read');
  const [episode, rows, mayWrite] = await Promise.all([
    currentEpisode(deps.db, child.id),
    deps.db
      .selectFrom('practice_notes')
      .leftJoin('users', 'users.id', 'practice_notes.recorded_by')
      .selectAll('practice_notes')
      .select('users.display_name')
      .select((eb) =>
        eb
          .exists(
            eb
              .selectFrom('chronology_entries')
              .select('chronology_entries.id')
              .where('chronology_entries.source_type', '=', 'practice_note')
              .whereRef('chronology_entries.source_id', '=', 'practice_notes.id'),
          )
          .as('in_chronology'),
      )
      .where('practice_notes.person_id', '=', child.id)
      .orderBy('practice_notes.occurred_at', 'desc')
      .orderBy('practice_notes.created_at', 'desc')
      .execute(),
    mayWriteHelp(deps, actor, child.id),
  ]);
  await auditChildView(deps.db, actor, {
    personId: child.id,
    route: '/children/:id/notes',
    purpose: 'notes',
    requestId: input.requestId ?? null,
  });
  const oversight = canWriteOversight(actor);
  return {
    child,
    hasOpenEpisode: episode !== undefined,
    mayWrite,
    notes: rows.map((r) => ({
      id: r.id,
      occurredAt: new Date(r.occurred_at),
      kind: r.kind,
      kindLabel: NOTE_KINDS[r.kind],
      title: r.title,
      body: r.body,
      recordedBy: r.display_name,
      inChronology: Boolean(r.in_chronology),
      mayEdit: mayWrite && (r.kind !== 'management_oversight' || oversight),
    })),
  };
}

/** The child, for the note forms (and the note, when editing, so a wrong id is "not found"). */
export async function childForNoteForm(
  deps: Deps,
  actor: Actor,
  input: { personId: string; noteId?: string },
): Promise<{ child: Child; hasOpenEpisode: boolean; mayWriteOversight: boolean }> {
  requireHelpPermission(actor, 'write');
  const child = await childInHelpScope(deps.db, actor, deps.clock, input.personId, 'write');
  if (input.noteId !== undefined) await noteOfChild(deps.db, child.id, input.noteId);
  const episode = await currentEpisode(deps.db, child.id);
  return { child, hasOpenEpisode: episode !== undefined, mayWriteOversight: canWriteOversight(actor) };
}

async function noteOfChild(db: Executor, personId: string, noteId: string): Promise<NoteRow> {
  if (!UUID.test(noteId)) throw new NotFoundError();
  const row = await db
    .selectFrom('practice_notes')
    .selectAll()
    .where('id', '=', noteId)
    .where('person_id', '=', personId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  return row;
}

async function inChronology(db: Executor, noteId: string): Promise<boolean> {
  const row = await db
    .selectFrom('chronology_entries')
    .select('id')
    .where('source_type', '=', 'practice_note')
    .where('source_id', '=', noteId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Writes a note in the child's open episode, and a chronology entry if the practitioner chose one. */
export async function createNote(
  deps: Deps,
  actor: Actor,
  input: { personId: string; values: NoteFormValues; requestId?: string | null },
): Promise<string> {
  requireHelpPermission(actor, 'write');
  const now = deps.clock.now();
  const checked = checkNoteForm(input.values, now, canWriteOversight(actor));
  return deps.db.transaction().execute(async (trx) => {
    const child = await childInHelpScope(trx, actor, deps.clock, input.personId, 'write');
    const episode = await requireOpenEpisode(trx, child.id);
    const note = await trx
      .insertInto('practice_notes')
      .values({
        episode_id: episode.id,
        person_id: child.id,
        occurred_at: checked.occurredAt,
        kind: checked.kind,
        title: checked.title,
        body: checked.body,
        recorded_by: actor.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const audits: AuditEntry[] = [
      {
        actorUserId: actor.userId,
        action: 'note.create',
        entityType: 'practice_note',
        entityId: note.id,
        detail: { personId: child.id, episodeId: episode.id, kind: checked.kind },
        requestId: input.requestId ?? null,
      },
    ];
    if (checked.addToChronology) {
      const entryId = await addCuratedEntryFrom(trx, {
        personId: child.id,
        episodeId: episode.id,
        occurredOn: checked.occurredOn,
        event: 'note.added',
        summary: noteSummary(checked),
        sourceType: 'practice_note',
        sourceId: note.id,
        actorUserId: actor.userId,
      });
      audits.push({
        actorUserId: actor.userId,
        action: 'chronology.add',
        entityType: 'person',
        entityId: child.id,
        detail: { entryId, noteId: note.id },
        requestId: input.requestId ?? null,
      });
    }
    await recordAudit(trx, ...audits);
    return note.id;
  });
}

/** The note as it stands, for its edit form (a view of the child: audited). */
export async function getNoteForEdit(
  deps: Deps,
  actor: Actor,
  input: { personId: string; noteId: string; requestId?: string | null },
): Promise<{
  child: Child;
  values: NoteFormValues;
  version: number;
  inChronology: boolean;
  mayWriteOversight: boolean;
}> {
  requireHelpPermission(actor, 'write');
  const child = await childInHelpScope(deps.db, actor, deps.clock, input.personId, 'write');
  const row = await noteOfChild(deps.db, child.id, input.noteId);
  if (row.kind === 'management_oversight' && !canWriteOversight(actor)) throw new ForbiddenError();
  const inChronologyNow = await inChronology(deps.db, row.id);
  await auditChildView(deps.db, actor, {
    personId: child.id,
    route: '/children/:id/notes/:nid/edit',
    purpose: 'note',
    requestId: input.requestId ?? null,
  });
  return {
    child,
    values: formFromNote(row),
    version: row.version,
    inChronology: inChronologyNow,
    mayWriteOversight: canWriteOversight(actor),
  };
}

/**
 * Corrects a note if nobody else saved it since the form was opened (otherwise VersionConflictError
 * with both versions). Its chronology entry, if it has one, follows; ticking "add to chronology"
 * adds one if it has none.
 */
export async function updateNote(
  deps: Deps,
  actor: Actor,
  input: {
    personId: string;
    noteId: string;
    values: NoteFormValues;
    version: number;
    requestId?: string | null;
  },
): Promise<void> {
  requireHelpPermission(actor, 'write');
  const now = deps.clock.now();
  const mayWriteOversight = canWriteOversight(actor);
  const checked = checkNoteForm(input.values, now, mayWriteOversight);
  await deps.db.transaction().execute(async (trx) => {
    const child = await childInHelpScope(trx, actor, deps.clock, input.personId, 'write');
    const saved = await noteOfChild(trx, child.id, input.noteId);
    if (saved.kind === 'management_oversight' && !mayWriteOversight) throw new ForbiddenError();
    const result = await trx
      .updateTable('practice_notes')
      .set((eb) => ({
        kind: checked.kind,
        occurred_at: checked.occurredAt,
        title: checked.title,
        body: checked.body,
        updated_at: now,
        version: eb('version', '+', 1),
      }))
      .where('id', '=', saved.id)
      .where('version', '=', input.version)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) {
      throw new VersionConflictError(
        differingFields(
          CONFLICT_LABELS,
          noteInWords({ ...saved, occurredAt: new Date(saved.occurred_at) }),
          noteInWords(checked),
        ),
        `/children/${child.id}/notes/${saved.id}/edit`,
      );
    }
    const source = { sourceType: 'practice_note', sourceId: saved.id };
    const audits: AuditEntry[] = [
      {
        actorUserId: actor.userId,
        action: 'note.update',
        entityType: 'practice_note',
        entityId: saved.id,
        detail: { personId: child.id, version: input.version + 1 },
        requestId: input.requestId ?? null,
      },
    ];
    if (await inChronology(trx, saved.id)) {
      await updateEntriesFrom(trx, source, { occurredOn: checked.occurredOn, summary: noteSummary(checked) });
    } else if (checked.addToChronology) {
      const entryId = await addCuratedEntryFrom(trx, {
        personId: child.id,
        episodeId: saved.episode_id,
        occurredOn: checked.occurredOn,
        event: 'note.added',
        summary: noteSummary(checked),
        ...source,
        actorUserId: actor.userId,
      });
      audits.push({
        actorUserId: actor.userId,
        action: 'chronology.add',
        entityType: 'person',
        entityId: child.id,
        detail: { entryId, noteId: saved.id },
        requestId: input.requestId ?? null,
      });
    }
    await recordAudit(trx, ...audits);
  });
}
