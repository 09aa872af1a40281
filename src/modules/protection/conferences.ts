import { sql, type Selectable } from 'kysely';
import type { Deps } from '../../platform/deps.ts';
import {
  ConflictError,
  NotFoundError,
  VersionConflictError,
  differingFields,
} from '../../platform/errors.ts';
import { addWorkingDays } from '../../platform/working-days.ts';
import type { Actor } from '../access/actor.ts';
import { ErrorList } from '../people/person-form.ts';
import { UUID, londonDate, type Executor } from '../help/access.ts';
import { addAutomaticEntry } from '../help/chronology.ts';
import { longDate } from '../help/dates.ts';
import { currentEpisode, leadAllocation, moveEpisode, openEpisodeOf } from '../help/episodes.ts';
import type { ConferenceTable, HelpEpisodeTable, PlanTable } from '../help/help.table.ts';
import { completeTasksFor, openTask } from '../help/tasks.ts';
import {
  ABUSE_CATEGORIES,
  CLOSURE_REASONS,
  CONFERENCE_KINDS,
  INITIAL_DECISIONS,
  PARTICIPANT_KINDS,
  PROTECTION_TIMESCALES,
  REPORT_SHARED_HOW,
  REVIEW_DECISIONS,
  STEP_TO,
  nextReviewOn,
  reportDueBy,
  reportLate,
  type StepTo,
} from './codes.ts';
import {
  audit,
  checkedDate,
  mayWrite,
  viewChildPage,
  text,
  writeChild,
  yesNo,
  type ChildRef,
  type Context,
  type Trx,
} from './common.ts';
import {
  SHORT_MAX,
  TEXT_MAX,
  type ArrangeValues,
  type ConferenceOutcomeValues,
  type PersonRow,
} from './forms.ts';
import type { ConferenceAdditions, ParticipantKind, ReportSharedHow } from './protection.table.ts';

/**
 * Child protection conferences, arranged with the family and then held: who is invited, the social
 * worker's report shared with the parents a set number of working days before (when and how; late
 * is shown), a parent advocate or supporter offered and whether taken up, who came, the family's
 * view in their words, the decision and category of abuse, and the next review (3 months after the
 * initial conference, then every 6 months) with a task for it. An initial conference deciding on a
 * plan starts the child protection plan and moves the child's one episode of help to child
 * protection; a review continues the plan or ends it, stepping the help down (moveEpisode).
 */

export type ConferenceKind = 'initial' | 'review';
type ConferenceRow = Selectable<ConferenceTable> & Selectable<ConferenceAdditions>;
type EpisodeRow = Selectable<HelpEpisodeTable>;
type PlanRow = Selectable<PlanTable>;

const SOURCE = 'conference';

/** Closure reasons that need an assessment in the episode (CIN census query 8825Q). */
const AFTER_ASSESSMENT = new Set(['RC8', 'RC9']);

export type ParticipantView = {
  readonly id: string;
  readonly name: string;
  readonly role: string;
  readonly kind: ParticipantKind;
  readonly kindLabel: string;
  readonly attended: boolean | null;
};

export type ConferenceView = {
  readonly id: string;
  readonly kind: ConferenceRow['kind'];
  readonly kindLabel: string;
  readonly status: 'planned' | 'held';
  readonly heldOn: string;
  readonly version: number;
  readonly participants: readonly ParticipantView[];
  readonly parentInvited: boolean;
  readonly report: {
    readonly dueBy: string;
    readonly sharedOn: string | null;
    readonly how: string | null;
    readonly howLabel: string | null;
    readonly note: string | null;
    readonly late: boolean;
  };
  readonly advocateOffered: boolean | null;
  readonly advocateTakenUp: boolean | null;
  readonly advocateNote: string | null;
  readonly othersAttending: string | null;
  readonly familyView: string | null;
  readonly childView: string | null;
  readonly outcomePlan: boolean | null;
  readonly decisionLabel: string | null;
  readonly decisionReason: string | null;
  readonly category: string | null;
  readonly categoryLabel: string | null;
  readonly nextReviewOn: string | null;
  readonly planId: string | null;
  readonly section47Id: string | null;
};

export async function participantsOf(
  db: Executor,
  by: { conferenceId: string } | { coreGroupId: string },
): Promise<ParticipantView[]> {
  let query = db.selectFrom('meeting_participants').selectAll().orderBy('position');
  query =
    'conferenceId' in by
      ? query.where('conference_id', '=', by.conferenceId)
      : query.where('core_group_id', '=', by.coreGroupId);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    role: r.role,
    kind: r.kind,
    kindLabel: PARTICIPANT_KINDS[r.kind],
    attended: r.attended,
  }));
}

function decisionLabel(row: ConferenceRow): string | null {
  if (row.status !== 'held' || row.outcome_plan === null) return null;
  if (row.kind === 'review') return row.outcome_plan ? REVIEW_DECISIONS.continue : REVIEW_DECISIONS.end;
  return row.outcome_plan ? INITIAL_DECISIONS.plan : INITIAL_DECISIONS.no_plan;
}

export function conferenceView(
  row: ConferenceRow,
  participants: ParticipantView[],
  today: string,
): ConferenceView {
  const due = reportDueBy(row.held_on);
  return {
    id: row.id,
    kind: row.kind,
    kindLabel: CONFERENCE_KINDS[row.kind],
    status: row.status,
    heldOn: row.held_on,
    version: row.version,
    participants,
    parentInvited: participants.some((p) => p.kind === 'parent'),
    report: {
      dueBy: due,
      sharedOn: row.report_shared_on,
      how: row.report_shared_how,
      howLabel: row.report_shared_how ? REPORT_SHARED_HOW[row.report_shared_how] : null,
      note: row.report_shared_note,
      // A conference held before this record began (no sharing recorded, no planning) is not flagged.
      late:
        row.status === 'planned' || row.report_shared_on !== null
          ? reportLate(row.held_on, row.report_shared_on, today)
          : false,
    },
    advocateOffered: row.advocate_offered,
    advocateTakenUp: row.advocate_taken_up,
    advocateNote: row.advocate_note,
    othersAttending: row.others_attending,
    familyView: row.family_view,
    childView: row.child_view,
    outcomePlan: row.outcome_plan,
    decisionLabel: decisionLabel(row),
    decisionReason: row.decision_reason,
    category: row.category,
    categoryLabel: row.category ? (ABUSE_CATEGORIES[row.category] ?? row.category) : null,
    nextReviewOn: row.next_review_on,
    planId: row.plan_id,
    section47Id: row.section47_id,
  };
}

async function loadConference(db: Executor, personId: string, id: string): Promise<ConferenceRow> {
  if (!UUID.test(id)) throw new NotFoundError();
  const row = await db
    .selectFrom('conferences')
    .selectAll()
    .where('id', '=', id)
    .where('person_id', '=', personId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  return row;
}

/** The enquiry waiting for its initial conference, in the child's open episode. */
async function enquiryAwaitingConference(db: Executor, episodeId: string) {
  return db
    .selectFrom('section47_enquiries')
    .selectAll()
    .where('episode_id', '=', episodeId)
    .where('outcome', '=', 'initial_conference')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('conferences')
            .select('conferences.id')
            .whereRef('conferences.section47_id', '=', 'section47_enquiries.id')
            .where('conferences.kind', '=', 'initial'),
        ),
      ),
    )
    .orderBy('started_on', 'desc')
    .executeTakeFirst();
}

export async function activeProtectionPlan(db: Executor, episodeId: string): Promise<PlanRow | undefined> {
  return db
    .selectFrom('plans')
    .selectAll()
    .where('episode_id', '=', episodeId)
    .where('kind', '=', 'child_protection')
    .where('status', '=', 'active')
    .orderBy('started_on', 'desc')
    .executeTakeFirst();
}

async function familyMeetingOffered(db: Executor, episodeId: string): Promise<boolean> {
  const row = await db
    .selectFrom('family_network_meetings')
    .select('id')
    .where('episode_id', '=', episodeId)
    .executeTakeFirst();
  return row !== undefined;
}

// ---------------------------------------------------------------------------------------------
// Arranging a conference: date, invitations, the report shared with the parents, an advocate
// ---------------------------------------------------------------------------------------------

export type ArrangePage = {
  readonly child: ChildRef;
  readonly kind: ConferenceKind;
  readonly kindLabel: string;
  readonly conference: ConferenceView | null;
  /** What the conference follows: the section 47 enquiry's start or the plan's. */
  readonly after: { readonly on: string; readonly what: string } | null;
  readonly planId: string | null;
  readonly familyMeetingOffered: boolean;
  readonly reportWorkingDays: number;
};

/** The form to arrange a conference (or change one not yet held). Audited as a view of the child. */
export async function arrangePage(
  deps: Deps,
  actor: Actor,
  input: { personId: string; kind?: string; conferenceId?: string } & Context,
): Promise<ArrangePage> {
  await writeChild(deps.db, deps, actor, input.personId);
  return viewChildPage(
    deps,
    actor,
    input.personId,
    {
      ...input,
      route: input.route ?? '/children/:id/protection/conferences/new',
      purpose: 'protection.conference',
    },
    async (child) => {
      const today = londonDate(deps.clock.now());
      // A conference that does not exist is not found, whatever state the help is in.
      const saved =
        input.conferenceId === undefined
          ? undefined
          : await loadConference(deps.db, child.id, input.conferenceId);
      const episode = await currentEpisode(deps.db, child.id);
      if (!episode) throw new ConflictError('This child has no open help');
      let conference: ConferenceView | null = null;
      let kind: ConferenceKind;
      if (saved) {
        const row = saved;
        if (row.status !== 'planned' || row.episode_id !== episode.id || row.kind === 'transfer_in')
          throw new ConflictError('This conference has been held: its arrangements can no longer change');
        conference = conferenceView(row, await participantsOf(deps.db, { conferenceId: row.id }), today);
        kind = row.kind;
      } else {
        kind = input.kind === 'review' ? 'review' : 'initial';
      }
      const target = await conferenceTarget(deps.db, episode, kind);
      return {
        child,
        kind,
        kindLabel: CONFERENCE_KINDS[kind],
        conference,
        after: target.after,
        planId: target.planId,
        familyMeetingOffered: await familyMeetingOffered(deps.db, episode.id),
        reportWorkingDays: PROTECTION_TIMESCALES.reportSharedWorkingDaysBefore,
      };
    },
  );
}

/** What a new conference of this kind follows; a ConflictError when there is nothing to hold. */
async function conferenceTarget(
  trx: Executor,
  episode: EpisodeRow,
  kind: ConferenceKind,
): Promise<{ after: { on: string; what: string }; planId: string | null; section47Id: string | null }> {
  if (kind === 'initial') {
    const enquiry = await enquiryAwaitingConference(trx, episode.id);
    if (!enquiry) {
      const planned = await trx
        .selectFrom('conferences')
        .innerJoin('section47_enquiries', 'section47_enquiries.id', 'conferences.section47_id')
        .select(['section47_enquiries.id', 'section47_enquiries.started_on'])
        .where('conferences.episode_id', '=', episode.id)
        .where('conferences.kind', '=', 'initial')
        .where('conferences.status', '=', 'planned')
        .executeTakeFirst();
      if (planned)
        return {
          after: { on: planned.started_on, what: 'when the section 47 enquiry started' },
          planId: null,
          section47Id: planned.id,
        };
      throw new ConflictError('No section 47 enquiry is waiting for an initial child protection conference');
    }
    return {
      after: { on: enquiry.started_on, what: 'when the section 47 enquiry started' },
      planId: null,
      section47Id: enquiry.id,
    };
  }
  const plan = await activeProtectionPlan(trx, episode.id);
  if (!plan?.started_on) throw new ConflictError('There is no child protection plan to review');
  return {
    after: { on: plan.started_on, what: 'when the child protection plan started' },
    planId: plan.id,
    section47Id: null,
  };
}

type CheckedArrangement = {
  heldOn: string;
  invited: { name: string; role: string; kind: ParticipantKind }[];
  reportSharedOn: string | null;
  reportSharedHow: ReportSharedHow | null;
  reportSharedNote: string | null;
  advocateOffered: boolean;
  advocateTakenUp: boolean | null;
  advocateNote: string | null;
};

function checkInvitations(errors: ErrorList, rows: readonly PersonRow[], prefix: string, what: string) {
  const list: { name: string; role: string; kind: ParticipantKind }[] = [];
  rows.forEach((row, i) => {
    const n = String(i);
    if ([row.name, row.role].every((s) => s.trim() === '')) return;
    const name = text(errors, `${prefix}Name-${n}`, 'The name', row.name, {
      max: SHORT_MAX,
      required: `Enter the name of person ${String(i + 1)}`,
    });
    const role = text(errors, `${prefix}Role-${n}`, 'Who they are', row.role, {
      max: SHORT_MAX,
      required: `Enter who person ${String(i + 1)} is, for example ‘Mum’ or ‘Health visitor’`,
    });
    const kind = Object.hasOwn(PARTICIPANT_KINDS, row.kind) ? (row.kind as ParticipantKind) : null;
    if (!kind)
      errors.add(`${prefix}Kind-${n}`, `Choose whether person ${String(i + 1)} is family or a professional`);
    if (name && role && kind) list.push({ name, role, kind });
  });
  if (list.length === 0 && errors.empty) errors.add(`${prefix}Name-0`, `Enter who ${what}`);
  return list;
}

function checkArrangement(
  values: ArrangeValues,
  today: string,
  after: { on: string; what: string },
): CheckedArrangement {
  const errors = new ErrorList();
  const heldOn = checkedDate(errors, 'heldOn', 'The date of the conference', values.heldOn, {
    required: 'Enter the date of the conference',
    notBefore: { on: after.on, why: after.what },
  });
  const invited = checkInvitations(errors, values.invited, 'invite', 'is invited');
  const reportSharedOn = checkedDate(
    errors,
    'reportSharedOn',
    'The date the report was shared',
    values.reportSharedOn,
    {
      notAfter: today,
    },
  );
  let reportSharedHow: ReportSharedHow | null = null;
  if (Object.hasOwn(REPORT_SHARED_HOW, values.reportSharedHow))
    reportSharedHow = values.reportSharedHow as ReportSharedHow;
  else if (values.reportSharedHow !== '') errors.add('reportSharedHow', 'Choose how the report was shared');
  if (reportSharedOn && !reportSharedHow)
    errors.add('reportSharedHow', 'Choose how the report was shared with the parents');
  if (!reportSharedOn && reportSharedHow && !errors.has('reportSharedOn'))
    errors.addDate('reportSharedOn', 'Enter the date the report was shared', ['day', 'month', 'year']);
  if (reportSharedOn && heldOn && reportSharedOn > heldOn)
    errors.addDate('reportSharedOn', 'The report must be shared on or before the day of the conference', [
      'day',
      'month',
      'year',
    ]);
  const reportSharedNote = text(
    errors,
    'reportSharedNote',
    'The note about sharing the report',
    values.reportSharedNote,
    {
      max: TEXT_MAX,
    },
  );
  const advocateOffered = yesNo(values.advocateOffered);
  if (advocateOffered === null)
    errors.add('advocateOffered', 'Choose whether the parents were offered an advocate or supporter');
  let advocateTakenUp: boolean | null = null;
  if (advocateOffered) {
    advocateTakenUp = yesNo(values.advocateTakenUp);
    if (values.advocateTakenUp !== '' && values.advocateTakenUp !== 'not_yet' && advocateTakenUp === null)
      errors.add('advocateTakenUp', 'Choose whether they took up the offer');
  }
  const advocateNote = text(errors, 'advocateNote', 'The note about an advocate', values.advocateNote, {
    max: TEXT_MAX,
  });
  errors.throwIfAny();
  if (!heldOn || advocateOffered === null) throw new Error('unreachable: validated above');
  return {
    heldOn,
    invited,
    reportSharedOn: reportSharedOn ?? null,
    reportSharedHow,
    reportSharedNote,
    advocateOffered,
    advocateTakenUp,
    advocateNote,
  };
}

async function writeParticipants(
  trx: Trx,
  conferenceId: string,
  invited: readonly { name: string; role: string; kind: ParticipantKind }[],
): Promise<void> {
  await trx.deleteFrom('meeting_participants').where('conference_id', '=', conferenceId).execute();
  if (invited.length === 0) return;
  await trx
    .insertInto('meeting_participants')
    .values(
      invited.map((p, i) => ({
        conference_id: conferenceId,
        position: i + 1,
        name: p.name,
        role: p.role,
        kind: p.kind,
      })),
    )
    .execute();
}

async function openReportTask(
  trx: Trx,
  episode: EpisodeRow,
  personId: string,
  conferenceId: string,
  heldOn: string,
) {
  const lead = await leadAllocation(trx, personId);
  await openTask(trx, {
    organisationId: episode.organisation_id,
    personId,
    episodeId: episode.id,
    kind: 'other',
    title: 'Share your conference report with the parents',
    dueOn: reportDueBy(heldOn),
    assignedUserId: lead?.workerUserId ?? null,
    assignedTeamId: lead?.teamId ?? null,
    sourceType: SOURCE,
    sourceId: conferenceId,
  });
}

async function reportSharedEntry(
  trx: Trx,
  actor: Actor,
  input: {
    personId: string;
    episodeId: string;
    conferenceId: string;
    kindLabel: string;
    heldOn: string;
    sharedOn: string;
    how: ReportSharedHow;
  },
) {
  const late = reportLate(input.heldOn, input.sharedOn, input.sharedOn);
  await addAutomaticEntry(trx, {
    personId: input.personId,
    episodeId: input.episodeId,
    occurredOn: input.sharedOn,
    event: 'conference.report_shared',
    summary: `The social worker’s report for the ${input.kindLabel.toLowerCase()} on ${longDate(input.heldOn)} was shared with your parents (${REPORT_SHARED_HOW[input.how].toLowerCase()})${
      late ? `, later than it should have been (by ${longDate(reportDueBy(input.heldOn))})` : ''
    }.`,
    sourceType: SOURCE,
    sourceId: input.conferenceId,
    actorUserId: actor.userId,
  });
}

/** Arranges a conference: its date, who is invited, the report and the advocate offered. */
export async function arrangeConference(
  deps: Deps,
  actor: Actor,
  input: { personId: string; kind: string; values: ArrangeValues } & Context,
): Promise<string> {
  const today = londonDate(deps.clock.now());
  const kind: ConferenceKind = input.kind === 'review' ? 'review' : 'initial';
  return deps.db.transaction().execute(async (trx) => {
    const child = await writeChild(trx, deps, actor, input.personId);
    const episode = await openEpisodeOf(trx, child.id);
    if (!episode) throw new ConflictError('This child has no open help');
    const target = await conferenceTarget(trx, episode, kind);
    if (kind === 'review') {
      const planned = await trx
        .selectFrom('conferences')
        .select('id')
        .where('plan_id', '=', target.planId)
        .where('status', '=', 'planned')
        .executeTakeFirst();
      if (planned) throw new ConflictError('A review conference is already arranged for this plan');
    } else {
      const planned = await trx
        .selectFrom('conferences')
        .select('id')
        .where('section47_id', '=', target.section47Id)
        .executeTakeFirst();
      if (planned) throw new ConflictError('An initial conference is already arranged');
    }
    const a = checkArrangement(input.values, today, target.after);
    const row = await trx
      .insertInto('conferences')
      .values({
        episode_id: episode.id,
        person_id: child.id,
        section47_id: target.section47Id,
        plan_id: target.planId,
        kind,
        held_on: a.heldOn,
        status: 'planned',
        report_shared_on: a.reportSharedOn,
        report_shared_how: a.reportSharedHow,
        report_shared_note: a.reportSharedNote,
        advocate_offered: a.advocateOffered,
        advocate_taken_up: a.advocateTakenUp,
        advocate_note: a.advocateNote,
        recorded_by: actor.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await writeParticipants(trx, row.id, a.invited);
    if (!a.reportSharedOn) await openReportTask(trx, episode, child.id, row.id, a.heldOn);
    const kindLabel = CONFERENCE_KINDS[kind];
    await addAutomaticEntry(trx, {
      personId: child.id,
      episodeId: episode.id,
      occurredOn: today,
      event: 'conference.arranged',
      summary: `A ${kindLabel.toLowerCase()} was arranged for ${longDate(a.heldOn)}. ${String(a.invited.length)} ${
        a.invited.length === 1 ? 'person was' : 'people were'
      } invited${a.invited.some((p) => p.kind === 'parent') ? ', your parents among them' : ''}.${
        a.advocateOffered ? ' Your parents were offered an advocate or supporter.' : ''
      }`,
      sourceType: SOURCE,
      sourceId: row.id,
      actorUserId: actor.userId,
    });
    if (a.reportSharedOn && a.reportSharedHow) {
      await reportSharedEntry(trx, actor, {
        personId: child.id,
        episodeId: episode.id,
        conferenceId: row.id,
        kindLabel,
        heldOn: a.heldOn,
        sharedOn: a.reportSharedOn,
        how: a.reportSharedHow,
      });
    }
    await audit(trx, actor, {
      action: 'protection.conference_arranged',
      entityType: SOURCE,
      entityId: row.id,
      detail: {
        personId: child.id,
        kind,
        invited: a.invited.length,
        reportShared: a.reportSharedOn !== null,
      },
      requestId: input.requestId,
    });
    return row.id;
  });
}

const ARRANGE_LABELS = {
  heldOn: 'Date of the conference',
  invited: 'Who is invited',
  reportSharedOn: 'Report shared with the parents on',
  reportSharedHow: 'How the report was shared',
  advocateOffered: 'Advocate or supporter offered',
  advocateTakenUp: 'Advocate or supporter taken up',
} as const;

function arrangementDisplay(a: {
  heldOn: string | null;
  invited: readonly { name: string; role: string }[];
  reportSharedOn: string | null;
  reportSharedHow: ReportSharedHow | null;
  advocateOffered: boolean | null;
  advocateTakenUp: boolean | null;
}): Record<string, unknown> {
  return {
    heldOn: a.heldOn ? longDate(a.heldOn) : null,
    invited: a.invited.map((p) => `${p.name} (${p.role})`).join(', '),
    reportSharedOn: a.reportSharedOn ? longDate(a.reportSharedOn) : null,
    reportSharedHow: a.reportSharedHow ? REPORT_SHARED_HOW[a.reportSharedHow] : null,
    advocateOffered: a.advocateOffered,
    advocateTakenUp: a.advocateTakenUp === null ? 'Not yet known' : a.advocateTakenUp,
  };
}

/** Changes the arrangements of a conference not yet held; a stale form gets the conflict page. */
export async function changeArrangements(
  deps: Deps,
  actor: Actor,
  input: { personId: string; conferenceId: string; version: number; values: ArrangeValues } & Context,
): Promise<void> {
  const today = londonDate(deps.clock.now());
  await deps.db.transaction().execute(async (trx) => {
    const child = await writeChild(trx, deps, actor, input.personId);
    const row = await loadConference(trx, child.id, input.conferenceId);
    const back = `/children/${child.id}/protection/conferences/${row.id}/edit`;
    if (row.version !== input.version) {
      const saved = arrangementDisplay({
        heldOn: row.held_on,
        invited: await participantsOf(trx, { conferenceId: row.id }),
        reportSharedOn: row.report_shared_on,
        reportSharedHow: row.report_shared_how,
        advocateOffered: row.advocate_offered,
        advocateTakenUp: row.advocate_taken_up,
      });
      const v = input.values;
      const yours = {
        heldOn: [v.heldOn.day, v.heldOn.month, v.heldOn.year].join(' ').trim(),
        invited: v.invited
          .filter((p) => p.name.trim() !== '')
          .map((p) => `${p.name.trim()} (${p.role.trim()})`)
          .join(', '),
        reportSharedOn: [v.reportSharedOn.day, v.reportSharedOn.month, v.reportSharedOn.year]
          .join(' ')
          .trim(),
        reportSharedHow: REPORT_SHARED_HOW[v.reportSharedHow as ReportSharedHow] ?? null,
        advocateOffered: yesNo(v.advocateOffered),
        advocateTakenUp: yesNo(v.advocateTakenUp) ?? 'Not yet known',
      };
      throw new VersionConflictError(differingFields(ARRANGE_LABELS, saved, yours), back);
    }
    const episode = await openEpisodeOf(trx, child.id);
    if (row.status !== 'planned' || episode?.id !== row.episode_id)
      throw new ConflictError('This conference has been held: its arrangements can no longer change');
    const kind: ConferenceKind = row.kind === 'review' ? 'review' : 'initial';
    const target = await conferenceTarget(trx, episode, kind);
    const a = checkArrangement(input.values, today, target.after);
    const now = deps.clock.now();
    const updated = await trx
      .updateTable('conferences')
      .set((eb) => ({
        held_on: a.heldOn,
        report_shared_on: a.reportSharedOn,
        report_shared_how: a.reportSharedHow,
        report_shared_note: a.reportSharedNote,
        advocate_offered: a.advocateOffered,
        advocate_taken_up: a.advocateTakenUp,
        advocate_note: a.advocateNote,
        updated_at: now,
        version: eb('version', '+', 1),
      }))
      .where('id', '=', row.id)
      .where('version', '=', input.version)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) throw new VersionConflictError([], back);
    await writeParticipants(trx, row.id, a.invited);
    // The report task follows the date, and is done once the report is shared.
    await completeTasksFor(trx, {
      sourceType: SOURCE,
      sourceId: row.id,
      kind: 'other',
      byUserId: actor.userId,
      at: now,
    });
    if (!a.reportSharedOn) await openReportTask(trx, episode, child.id, row.id, a.heldOn);
    if (a.reportSharedOn && a.reportSharedHow && row.report_shared_on === null) {
      await reportSharedEntry(trx, actor, {
        personId: child.id,
        episodeId: episode.id,
        conferenceId: row.id,
        kindLabel: CONFERENCE_KINDS[kind],
        heldOn: a.heldOn,
        sharedOn: a.reportSharedOn,
        how: a.reportSharedHow,
      });
    }
    if (a.heldOn !== row.held_on) {
      await addAutomaticEntry(trx, {
        personId: child.id,
        episodeId: episode.id,
        occurredOn: today,
        event: 'conference.moved',
        summary: `The ${CONFERENCE_KINDS[kind].toLowerCase()} moved from ${longDate(row.held_on)} to ${longDate(a.heldOn)}.`,
        sourceType: SOURCE,
        sourceId: row.id,
        actorUserId: actor.userId,
      });
    }
    await audit(trx, actor, {
      action: 'protection.conference_changed',
      entityType: SOURCE,
      entityId: row.id,
      detail: { personId: child.id, invited: a.invited.length, reportShared: a.reportSharedOn !== null },
      requestId: input.requestId,
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Viewing a conference and recording what it decided
// ---------------------------------------------------------------------------------------------

export type ConferencePage = {
  readonly child: ChildRef;
  readonly conference: ConferenceView;
  readonly canWrite: boolean;
  readonly editable: boolean;
  readonly familyMeetingOffered: boolean;
  readonly plan: { readonly id: string; readonly latestCategory: string | null } | null;
  readonly reportWorkingDays: number;
  readonly today: string;
};

/** One conference (audited as a view of the child). */
export async function conferencePage(
  deps: Deps,
  actor: Actor,
  input: { personId: string; conferenceId: string } & Context,
): Promise<ConferencePage> {
  return viewChildPage(
    deps,
    actor,
    input.personId,
    {
      ...input,
      route: input.route ?? '/children/:id/protection/conferences/:cid',
      purpose: 'protection.conference',
    },
    async (child) => {
      const row = await loadConference(deps.db, child.id, input.conferenceId);
      const today = londonDate(deps.clock.now());
      const episode = await currentEpisode(deps.db, child.id);
      const canWrite = await mayWrite(deps.db, deps, actor, child.id);
      const plan = row.plan_id
        ? await deps.db
            .selectFrom('plans')
            .select(['id', 'latest_category'])
            .where('id', '=', row.plan_id)
            .executeTakeFirst()
        : undefined;
      return {
        child,
        conference: conferenceView(row, await participantsOf(deps.db, { conferenceId: row.id }), today),
        canWrite,
        editable: canWrite && row.status === 'planned' && episode?.id === row.episode_id,
        familyMeetingOffered: await familyMeetingOffered(deps.db, row.episode_id),
        plan: plan ? { id: plan.id, latestCategory: plan.latest_category } : null,
        reportWorkingDays: PROTECTION_TIMESCALES.reportSharedWorkingDaysBefore,
        today,
      };
    },
  );
}

const OUTCOME_LABELS = {
  heldOn: 'Date held',
  familyView: 'What the family said',
  decision: 'Decision',
  category: 'Category of abuse',
  decisionReason: 'Reasons',
} as const;

type CheckedOutcome = {
  heldOn: string;
  attended: Set<string>;
  othersAttending: string | null;
  familyView: string;
  childView: string | null;
  plan: boolean;
  category: string | null;
  decisionReason: string;
  stepTo: StepTo | null;
  closureReason: string | null;
};

/**
 * Records what a conference decided. Initial: a plan starts (the episode moves to child protection;
 * a child in need plan gives way to it) or the help goes where the conference said. Review: the
 * plan continues (the category may change) or ends with its reason, stepping the help down.
 */
export async function recordConferenceOutcome(
  deps: Deps,
  actor: Actor,
  input: {
    personId: string;
    conferenceId: string;
    version: number;
    values: ConferenceOutcomeValues;
  } & Context,
): Promise<{ planId: string | null; nextReviewOn: string | null }> {
  const v = input.values;
  const today = londonDate(deps.clock.now());
  return deps.db.transaction().execute(async (trx) => {
    const child = await writeChild(trx, deps, actor, input.personId);
    const row = await loadConference(trx, child.id, input.conferenceId);
    const back = `/children/${child.id}/protection/conferences/${row.id}/outcome`;
    const kind: ConferenceKind = row.kind === 'review' ? 'review' : 'initial';
    const decisions: Readonly<Record<string, string>> =
      kind === 'review' ? REVIEW_DECISIONS : INITIAL_DECISIONS;
    if (row.version !== input.version) {
      throw new VersionConflictError(
        differingFields(
          OUTCOME_LABELS,
          {
            heldOn: longDate(row.held_on),
            familyView: row.family_view,
            decision: decisionLabel(row),
            category: row.category ? ABUSE_CATEGORIES[row.category] : null,
            decisionReason: row.decision_reason,
          },
          {
            heldOn: [v.heldOn.day, v.heldOn.month, v.heldOn.year].join(' ').trim(),
            familyView: v.familyView.trim(),
            decision: decisions[v.decision] ?? null,
            category: ABUSE_CATEGORIES[v.category] ?? null,
            decisionReason: v.decisionReason.trim(),
          },
        ),
        back,
      );
    }
    const episode = await openEpisodeOf(trx, child.id);
    if (row.status !== 'planned' || episode?.id !== row.episode_id)
      throw new ConflictError('What this conference decided has already been recorded');
    const target = await conferenceTarget(trx, episode, kind);
    const participants = await participantsOf(trx, { conferenceId: row.id });
    const checked = await checkOutcome(trx, v, { today, after: target.after, kind, participants, episode });
    const now = deps.clock.now();
    const kindLabel = CONFERENCE_KINDS[kind];

    let planId: string | null = row.plan_id;
    let next: string | null = null;
    if (kind === 'initial' && checked.plan) {
      next = nextReviewOn('initial', checked.heldOn);
      planId = await startProtectionPlan(trx, actor, {
        episode,
        childId: child.id,
        checked,
        nextReview: next,
        now,
      });
    } else if (kind === 'review' && checked.plan && planId) {
      next = nextReviewOn('review', checked.heldOn);
      await trx
        .updateTable('plans')
        .set((eb) => ({
          latest_category: checked.category,
          next_review_on: next,
          updated_at: now,
          version: eb('version', '+', 1),
        }))
        .where('id', '=', planId)
        .execute();
      await completeTasksFor(trx, {
        sourceType: 'plan',
        sourceId: planId,
        kind: 'plan_review_due',
        byUserId: actor.userId,
        at: now,
      });
      await openReviewTask(trx, episode, child.id, planId, next);
    } else if (kind === 'review' && planId) {
      await trx
        .updateTable('plans')
        .set((eb) => ({
          status: 'ended',
          ended_on: sql<string>`GREATEST(${eb.ref('started_on')}, ${checked.heldOn}::date)`,
          end_reason: checked.decisionReason,
          next_review_on: null,
          updated_at: now,
          version: eb('version', '+', 1),
        }))
        .where('id', '=', planId)
        .execute();
      await completeTasksFor(trx, { sourceType: 'plan', sourceId: planId, byUserId: actor.userId, at: now });
    }

    await trx
      .updateTable('conferences')
      .set((eb) => ({
        status: 'held',
        held_on: checked.heldOn,
        outcome_plan: checked.plan,
        category: checked.category,
        family_view: checked.familyView,
        child_view: checked.childView,
        decision_reason: checked.decisionReason,
        others_attending: checked.othersAttending,
        next_review_on: next,
        plan_id: planId,
        recorded_by: actor.userId,
        updated_at: now,
        version: eb('version', '+', 1),
      }))
      .where('id', '=', row.id)
      .execute();
    for (const p of participants) {
      await trx
        .updateTable('meeting_participants')
        .set({ attended: checked.attended.has(p.id) })
        .where('id', '=', p.id)
        .execute();
    }
    await completeTasksFor(trx, { sourceType: SOURCE, sourceId: row.id, byUserId: actor.userId, at: now });
    if (row.section47_id)
      await completeTasksFor(trx, {
        sourceType: 'section47',
        sourceId: row.section47_id,
        byUserId: actor.userId,
        at: now,
      });

    const came = participants.filter((p) => checked.attended.has(p.id));
    await addAutomaticEntry(trx, {
      personId: child.id,
      episodeId: episode.id,
      occurredOn: checked.heldOn,
      event: kind === 'initial' ? 'conference.initial' : 'conference.review',
      summary: `A ${kindLabel.toLowerCase()} was held${
        came.some((p) => p.kind === 'parent') ? ' and your parents took part' : ''
      }. ${decisions[checked.plan ? (kind === 'review' ? 'continue' : 'plan') : kind === 'review' ? 'end' : 'no_plan'] ?? ''}${
        checked.category ? ` (${(ABUSE_CATEGORIES[checked.category] ?? checked.category).toLowerCase()})` : ''
      }.${next ? ` The next review conference will be by ${longDate(next)}.` : ''}`,
      sourceType: SOURCE,
      sourceId: row.id,
      actorUserId: actor.userId,
    });
    if (kind === 'review' && !checked.plan && planId) {
      await addAutomaticEntry(trx, {
        personId: child.id,
        episodeId: episode.id,
        occurredOn: checked.heldOn,
        event: 'plan.ended',
        summary: `Your child protection plan ended. ${checked.decisionReason}`,
        sourceType: 'plan',
        sourceId: planId,
        actorUserId: actor.userId,
      });
    }
    if (!checked.plan && checked.stepTo) {
      const fresh = await openEpisodeOf(trx, child.id);
      if (fresh) await stepDown(trx, actor, { episode: fresh, checked, now, kindLabel });
    }
    await audit(trx, actor, {
      action: 'protection.conference_held',
      entityType: SOURCE,
      entityId: row.id,
      detail: {
        personId: child.id,
        kind,
        plan: checked.plan,
        category: checked.category,
        planId,
        attended: came.length,
        stepTo: checked.stepTo,
      },
      requestId: input.requestId,
    });
    return { planId, nextReviewOn: next };
  });
}

async function checkOutcome(
  trx: Trx,
  v: ConferenceOutcomeValues,
  ctx: {
    today: string;
    after: { on: string; what: string };
    kind: ConferenceKind;
    participants: readonly ParticipantView[];
    episode: EpisodeRow;
  },
): Promise<CheckedOutcome> {
  const errors = new ErrorList();
  const heldOn = checkedDate(errors, 'heldOn', 'The date of the conference', v.heldOn, {
    required: 'Enter the date the conference was held',
    notAfter: ctx.today,
    notBefore: { on: ctx.after.on, why: ctx.after.what },
  });
  const known = new Set(ctx.participants.map((p) => p.id));
  const attended = new Set(v.attended.filter((id) => known.has(id)));
  const othersAttending = text(errors, 'othersAttending', 'Anyone else who came', v.othersAttending, {
    max: TEXT_MAX,
  });
  const familyView = text(errors, 'familyView', 'What the family said', v.familyView, {
    max: TEXT_MAX,
    required: 'Enter what the family said at the conference, in their words',
  });
  const childView = text(errors, 'childView', 'What the child said', v.childView, { max: TEXT_MAX });
  let plan: boolean | null = null;
  if (ctx.kind === 'initial') {
    if (v.decision === 'plan') plan = true;
    else if (v.decision === 'no_plan') plan = false;
  } else if (v.decision === 'continue') plan = true;
  else if (v.decision === 'end') plan = false;
  if (plan === null) errors.add('decision', 'Choose what the conference decided');
  let category: string | null = null;
  if (plan) {
    if (Object.hasOwn(ABUSE_CATEGORIES, v.category)) category = v.category;
    else errors.add('category', 'Choose the category of abuse');
  }
  const decisionReason = text(errors, 'decisionReason', 'The reasons', v.decisionReason, {
    max: TEXT_MAX,
    required: 'Explain the reasons for the decision, in words the family would understand',
  });
  let stepTo: StepTo | null = null;
  let closureReason: string | null = null;
  if (plan === false) {
    if (Object.hasOwn(STEP_TO, v.stepTo)) stepTo = v.stepTo as StepTo;
    else errors.add('stepTo', 'Choose what help the child and family will have now');
    if (stepTo === 'closed') {
      if (Object.hasOwn(CLOSURE_REASONS, v.closureReason)) closureReason = v.closureReason;
      else errors.add('closureReason', 'Choose why the help is ending');
      if (closureReason && AFTER_ASSESSMENT.has(closureReason)) {
        const assessed = await trx
          .selectFrom('assessments')
          .select('id')
          .where('episode_id', '=', ctx.episode.id)
          .executeTakeFirst();
        if (!assessed)
          errors.add(
            'closureReason',
            'Choose another reason: ‘closed after assessment’ needs an assessment in this help',
          );
      }
    }
    if (heldOn && stepTo && heldOn < ctx.episode.status_since) {
      errors.addDate(
        'heldOn',
        `The date of the conference must be on or after ${longDate(ctx.episode.status_since)}, when the current status began`,
        ['day', 'month', 'year'],
      );
    }
  }
  if (plan && ctx.kind === 'initial' && heldOn && heldOn < ctx.episode.status_since) {
    errors.addDate(
      'heldOn',
      `The date of the conference must be on or after ${longDate(ctx.episode.status_since)}, when the current status began`,
      ['day', 'month', 'year'],
    );
  }
  if (plan && ctx.kind === 'initial') {
    const referral = await trx
      .selectFrom('cin_referrals')
      .select('id')
      .where('episode_id', '=', ctx.episode.id)
      .where('closed_on', 'is', null)
      .executeTakeFirst();
    if (!referral)
      errors.add(
        'decision',
        'The child’s help is family help: step it up to children’s social care before a plan can start',
      );
  }
  errors.throwIfAny();
  if (!heldOn || plan === null || !familyView || !decisionReason)
    throw new Error('unreachable: validated above');
  return {
    heldOn,
    attended,
    othersAttending,
    familyView,
    childView,
    plan,
    category,
    decisionReason,
    stepTo,
    closureReason,
  };
}

async function openReviewTask(
  trx: Trx,
  episode: EpisodeRow,
  personId: string,
  planId: string,
  dueOn: string,
) {
  const lead = await leadAllocation(trx, personId);
  await openTask(trx, {
    organisationId: episode.organisation_id,
    personId,
    episodeId: episode.id,
    kind: 'plan_review_due',
    title: 'Hold the review child protection conference',
    dueOn,
    assignedUserId: lead?.workerUserId ?? null,
    assignedTeamId: lead?.teamId ?? null,
    sourceType: 'plan',
    sourceId: planId,
  });
}

async function startProtectionPlan(
  trx: Trx,
  actor: Actor,
  input: { episode: EpisodeRow; childId: string; checked: CheckedOutcome; nextReview: string; now: Date },
): Promise<string> {
  const { episode, childId, checked, now } = input;
  const referral = await trx
    .selectFrom('cin_referrals')
    .select('id')
    .where('episode_id', '=', episode.id)
    .where('closed_on', 'is', null)
    .executeTakeFirst();
  const plan = await trx
    .insertInto('plans')
    .values({
      episode_id: episode.id,
      person_id: childId,
      cin_referral_id: referral?.id ?? null,
      kind: 'child_protection',
      status: 'active',
      started_on: checked.heldOn,
      next_review_on: input.nextReview,
      review_interval_days: 182,
      initial_category: checked.category,
      latest_category: checked.category,
      created_by: actor.userId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  // A child in need plan gives way to the child protection plan.
  await trx
    .updateTable('plans')
    .set((eb) => ({
      status: 'ended',
      ended_on: sql<string>`GREATEST(${eb.ref('started_on')}, ${checked.heldOn}::date)`,
      end_reason: 'A child protection plan replaced it',
      next_review_on: null,
      updated_at: now,
      version: eb('version', '+', 1),
    }))
    .where('episode_id', '=', episode.id)
    .where('kind', '=', 'child_in_need')
    .where('status', '=', 'active')
    .execute();
  if (episode.status !== 'child_protection') {
    await moveEpisode(trx, {
      episode,
      to: 'child_protection',
      on: checked.heldOn,
      reason: 'An initial child protection conference decided on a child protection plan.',
      actorUserId: actor.userId,
      at: now,
    });
  }
  await openReviewTask(trx, episode, childId, plan.id, input.nextReview);
  // Statutory visits every 10 working days while the plan lasts: the first within 10 of the conference.
  const firstVisit = addWorkingDays(checked.heldOn, PROTECTION_TIMESCALES.visitWorkingDays);
  const due = await trx
    .selectFrom('tasks')
    .select(['id', 'due_on'])
    .where('episode_id', '=', episode.id)
    .where('kind', '=', 'visit_due')
    .where('completed_at', 'is', null)
    .orderBy('due_on')
    .executeTakeFirst();
  if (!due || due.due_on > firstVisit) {
    if (due) {
      await trx
        .updateTable('tasks')
        .set({ completed_at: now, completed_by: actor.userId })
        .where('episode_id', '=', episode.id)
        .where('kind', '=', 'visit_due')
        .where('completed_at', 'is', null)
        .execute();
    }
    const lead = await leadAllocation(trx, childId);
    await openTask(trx, {
      organisationId: episode.organisation_id,
      personId: childId,
      episodeId: episode.id,
      kind: 'visit_due',
      title: 'Visit due (child protection plan)',
      dueOn: firstVisit,
      assignedUserId: lead?.workerUserId ?? null,
      assignedTeamId: lead?.teamId ?? null,
      sourceType: 'plan',
      sourceId: plan.id,
    });
  }
  await addAutomaticEntry(trx, {
    personId: childId,
    episodeId: episode.id,
    occurredOn: checked.heldOn,
    event: 'plan.started',
    summary: `Your child protection plan started. The first review conference will be by ${longDate(input.nextReview)}.`,
    sourceType: 'plan',
    sourceId: plan.id,
    actorUserId: actor.userId,
  });
  return plan.id;
}

async function stepDown(
  trx: Trx,
  actor: Actor,
  input: { episode: EpisodeRow; checked: CheckedOutcome; now: Date; kindLabel: string },
): Promise<void> {
  const { episode, checked } = input;
  const to = checked.stepTo;
  if (!to || episode.status === to) return;
  const reason = `The ${input.kindLabel.toLowerCase()} decided: ${STEP_TO[to].toLowerCase()}. ${checked.decisionReason}`;
  if (to === 'closed') {
    await moveEpisode(trx, {
      episode,
      to: 'closed',
      on: checked.heldOn,
      reason,
      actorUserId: actor.userId,
      closureReason: checked.closureReason ?? 'RC7',
      closureNote: checked.decisionReason,
      at: input.now,
    });
    return;
  }
  await moveEpisode(trx, {
    episode,
    to,
    on: checked.heldOn,
    reason,
    actorUserId: actor.userId,
    at: input.now,
  });
}
