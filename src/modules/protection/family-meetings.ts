import type { Selectable } from 'kysely';
import type { Deps } from '../../platform/deps.ts';
import {
  ConflictError,
  NotFoundError,
  VersionConflictError,
  differingFields,
} from '../../platform/errors.ts';
import type { Actor } from '../access/actor.ts';
import { ErrorList } from '../people/person-form.ts';
import { UUID, londonDate, type Executor } from '../help/access.ts';
import { addAutomaticEntry } from '../help/chronology.ts';
import { longDate } from '../help/dates.ts';
import { currentEpisode, openEpisodeOf } from '../help/episodes.ts';
import { FAMILY_MEETING_RESPONSES } from './codes.ts';
import {
  audit,
  checkedDate,
  viewChildPage,
  text,
  writeChild,
  type ChildRef,
  type Context,
  type Trx,
} from './common.ts';
import { TEXT_MAX, type FamilyMeetingValues } from './forms.ts';
import type { FamilyNetworkMeetingAdditions } from './family-network.table.ts';
import type { FamilyNetworkMeetingTable } from './protection.table.ts';

/**
 * Family group conferences and family network meetings: at every initial child protection conference
 * and before any court application (pre-proceedings) the family is offered one; the offer, their
 * answer, the meeting and the family's own plan are recorded. Offers linked to pre-proceedings keep
 * the CIN census 2026-27 fields on pre_proceedings (family meeting offered, held) true to them.
 */

type MeetingRow = Selectable<FamilyNetworkMeetingTable & FamilyNetworkMeetingAdditions>;

export type FamilyMeetingView = {
  readonly id: string;
  readonly offeredOn: string;
  readonly response: 'accepted' | 'declined' | null;
  readonly responseLabel: string;
  readonly declinedReason: string | null;
  readonly heldOn: string | null;
  readonly familyPlan: string | null;
  readonly conferenceId: string | null;
  readonly preProceedingsId: string | null;
  readonly version: number;
};

export function familyMeetingView(row: MeetingRow): FamilyMeetingView {
  return {
    id: row.id,
    offeredOn: row.offered_on,
    response: row.response,
    responseLabel: row.response ? FAMILY_MEETING_RESPONSES[row.response] : 'Waiting for their answer',
    declinedReason: row.declined_reason,
    heldOn: row.held_on,
    familyPlan: row.family_plan,
    conferenceId: row.conference_id,
    preProceedingsId: row.pre_proceedings_id,
    version: row.version,
  };
}

async function loadMeeting(trx: Executor, personId: string, id: string): Promise<MeetingRow> {
  if (!UUID.test(id)) throw new NotFoundError();
  const row = await trx
    .selectFrom('family_network_meetings')
    .innerJoin('help_episodes', 'help_episodes.id', 'family_network_meetings.episode_id')
    .selectAll('family_network_meetings')
    .where('family_network_meetings.id', '=', id)
    .where('help_episodes.person_id', '=', personId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  return row;
}

/** A conference or pre-proceedings record of the child's open episode that an offer is linked to. */
async function linkOf(
  trx: Executor,
  episodeId: string,
  link: { conferenceId?: string | undefined; preProceedingsId?: string | undefined },
): Promise<{ conferenceId: string | null; preProceedingsId: string | null }> {
  let conferenceId: string | null = null;
  let preProceedingsId: string | null = null;
  if (link.conferenceId && UUID.test(link.conferenceId)) {
    const row = await trx
      .selectFrom('conferences')
      .select('id')
      .where('id', '=', link.conferenceId)
      .where('episode_id', '=', episodeId)
      .executeTakeFirst();
    conferenceId = row?.id ?? null;
  }
  if (link.preProceedingsId && UUID.test(link.preProceedingsId)) {
    const row = await trx
      .selectFrom('pre_proceedings')
      .select('id')
      .where('id', '=', link.preProceedingsId)
      .where('episode_id', '=', episodeId)
      .executeTakeFirst();
    preProceedingsId = row?.id ?? null;
  }
  return { conferenceId, preProceedingsId };
}

export type FamilyMeetingPage = {
  readonly child: ChildRef;
  readonly meeting: FamilyMeetingView | null;
  readonly conferenceId: string | null;
  readonly preProceedingsId: string | null;
};

/** The form to record an offer (or update one). Audited as a view of the child. */
export async function familyMeetingPage(
  deps: Deps,
  actor: Actor,
  input: { personId: string; meetingId?: string; conferenceId?: string; preProceedingsId?: string } & Context,
): Promise<FamilyMeetingPage> {
  await writeChild(deps.db, deps, actor, input.personId);
  return viewChildPage(
    deps,
    actor,
    input.personId,
    {
      ...input,
      route: input.route ?? '/children/:id/protection/family-meetings/new',
      purpose: 'protection.family_meeting',
    },
    async (child) => {
      // A meeting that does not exist is not found, whatever state the help is in.
      if (input.meetingId !== undefined) {
        const row = await loadMeeting(deps.db, child.id, input.meetingId);
        return {
          child,
          meeting: familyMeetingView(row),
          conferenceId: row.conference_id,
          preProceedingsId: row.pre_proceedings_id,
        };
      }
      const episode = await currentEpisode(deps.db, child.id);
      if (!episode) throw new ConflictError('This child has no open help');
      const link = await linkOf(deps.db, episode.id, input);
      return { child, meeting: null, ...link };
    },
  );
}

type Checked = {
  offeredOn: string;
  response: 'accepted' | 'declined' | null;
  declinedReason: string | null;
  heldOn: string | null;
  familyPlan: string | null;
};

function check(v: FamilyMeetingValues, today: string, notBefore: string): Checked {
  const errors = new ErrorList();
  const offeredOn = checkedDate(errors, 'offeredOn', 'The date it was offered', v.offeredOn, {
    required: 'Enter the date the family were offered a family group conference or network meeting',
    notAfter: today,
    notBefore: { on: notBefore, why: 'when the help started' },
  });
  let response: 'accepted' | 'declined' | null = null;
  if (v.response === 'accepted' || v.response === 'declined') response = v.response;
  else if (v.response !== '' && v.response !== 'waiting')
    errors.add('response', 'Choose the family’s answer');
  const declinedReason =
    response === 'declined'
      ? text(errors, 'declinedReason', 'Why they said no', v.declinedReason, { max: TEXT_MAX })
      : null;
  let heldOn: string | null = null;
  if (response === 'accepted') {
    heldOn =
      checkedDate(errors, 'heldOn', 'The date of the meeting', v.heldOn, {
        notAfter: today,
        ...(offeredOn ? { notBefore: { on: offeredOn, why: 'when it was offered' } } : {}),
      }) ?? null;
  } else if ([v.heldOn.day, v.heldOn.month, v.heldOn.year].some((s) => s.trim() !== '')) {
    errors.addDate('heldOn', 'A meeting can only be held once the family have accepted it', [
      'day',
      'month',
      'year',
    ]);
  }
  const familyPlan = text(errors, 'familyPlan', 'The family’s plan', v.familyPlan, { max: TEXT_MAX });
  if (familyPlan && !heldOn && !errors.has('heldOn'))
    errors.addDate('heldOn', 'Enter the date of the meeting that made the family’s plan', [
      'day',
      'month',
      'year',
    ]);
  errors.throwIfAny();
  if (!offeredOn) throw new Error('unreachable: validated above');
  return { offeredOn, response, declinedReason, heldOn, familyPlan };
}

/** Keeps the CIN census fields on a linked pre-proceedings record true to the meeting. */
export async function keepPreProceedings(trx: Trx, preProceedingsId: string | null, heldOn: string | null) {
  if (!preProceedingsId) return;
  await trx
    .updateTable('pre_proceedings')
    .set({ family_meeting_offered: true, family_meeting_held: heldOn !== null })
    .where('id', '=', preProceedingsId)
    .execute();
}

function summary(c: Checked): string {
  let s = `Your family were offered a family group conference, a meeting where your family and friends make a plan together (offered ${longDate(c.offeredOn)}).`;
  if (c.response === 'accepted') s += ' Your family said yes.';
  if (c.response === 'declined') s += ' Your family said no.';
  if (c.heldOn)
    s += ` It was held on ${longDate(c.heldOn)}${c.familyPlan ? ' and your family made their own plan' : ''}.`;
  return s;
}

/** Records an offer of a family group conference or network meeting (and what came of it). */
export async function offerFamilyMeeting(
  deps: Deps,
  actor: Actor,
  input: {
    personId: string;
    conferenceId?: string;
    preProceedingsId?: string;
    values: FamilyMeetingValues;
  } & Context,
): Promise<string> {
  const today = londonDate(deps.clock.now());
  return deps.db.transaction().execute(async (trx) => {
    const child = await writeChild(trx, deps, actor, input.personId);
    const episode = await openEpisodeOf(trx, child.id);
    if (!episode) throw new ConflictError('This child has no open help');
    const link = await linkOf(trx, episode.id, input);
    const c = check(input.values, today, episode.started_on);
    const row = await trx
      .insertInto('family_network_meetings')
      .values({
        episode_id: episode.id,
        conference_id: link.conferenceId,
        pre_proceedings_id: link.preProceedingsId,
        offered_on: c.offeredOn,
        response: c.response,
        declined_reason: c.declinedReason,
        held_on: c.heldOn,
        family_plan: c.familyPlan,
        recorded_by: actor.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await keepPreProceedings(trx, link.preProceedingsId, c.heldOn);
    await addAutomaticEntry(trx, {
      personId: child.id,
      episodeId: episode.id,
      occurredOn: c.offeredOn,
      event: 'family_meeting.offered',
      summary: summary(c),
      sourceType: 'family_network_meeting',
      sourceId: row.id,
      actorUserId: actor.userId,
    });
    await audit(trx, actor, {
      action: 'protection.family_meeting_offered',
      entityType: 'family_network_meeting',
      entityId: row.id,
      detail: { personId: child.id, response: c.response, held: c.heldOn !== null, ...link },
      requestId: input.requestId,
    });
    return row.id;
  });
}

const LABELS = {
  offeredOn: 'Offered on',
  response: 'The family’s answer',
  heldOn: 'Held on',
  familyPlan: 'The family’s plan',
} as const;

function display(x: {
  offeredOn: string | null;
  response: string | null;
  heldOn: string | null;
  familyPlan: string | null;
}) {
  return {
    offeredOn: x.offeredOn ? longDate(x.offeredOn) : null,
    response:
      x.response === 'accepted' || x.response === 'declined'
        ? FAMILY_MEETING_RESPONSES[x.response]
        : 'Waiting for their answer',
    heldOn: x.heldOn ? longDate(x.heldOn) : null,
    familyPlan: x.familyPlan,
  };
}

/**
 * The steps recorded on the meeting's own page (family-network.ts) stand on the answer, the meeting
 * and the plan: this form may not take them away from under those steps.
 */
function keepsLaterSteps(row: MeetingRow, c: Checked): void {
  const errors = new ErrorList();
  if (row.coordinator_name !== null && c.response !== 'accepted')
    errors.add('response', 'A coordinator has been assigned, so the family’s yes stands');
  if (row.plan_agreed !== null && c.heldOn === null)
    errors.addDate('heldOn', 'The family’s plan has been recorded, so enter the date of the meeting', [
      'day',
      'month',
      'year',
    ]);
  if (row.plan_agreed !== null && c.familyPlan === null)
    errors.add(
      'familyPlan',
      'The local authority’s decision on the plan has been recorded, so keep the family’s plan',
    );
  errors.throwIfAny();
}

/** Updates an offer: the family's answer, the meeting, their plan. A stale form gets the conflict page. */
export async function updateFamilyMeeting(
  deps: Deps,
  actor: Actor,
  input: { personId: string; meetingId: string; version: number; values: FamilyMeetingValues } & Context,
): Promise<void> {
  const today = londonDate(deps.clock.now());
  const v = input.values;
  await deps.db.transaction().execute(async (trx) => {
    const child = await writeChild(trx, deps, actor, input.personId);
    const row = await loadMeeting(trx, child.id, input.meetingId);
    const back = `/children/${child.id}/protection/family-meetings/${row.id}/edit`;
    if (row.version !== input.version) {
      const typed = (p: { day: string; month: string; year: string }) =>
        [p.day, p.month, p.year].join(' ').trim();
      throw new VersionConflictError(
        differingFields(
          LABELS,
          display({
            offeredOn: row.offered_on,
            response: row.response,
            heldOn: row.held_on,
            familyPlan: row.family_plan,
          }),
          {
            ...display({
              offeredOn: null,
              response: v.response,
              heldOn: null,
              familyPlan: v.familyPlan.trim(),
            }),
            offeredOn: typed(v.offeredOn),
            heldOn: typed(v.heldOn),
          },
        ),
        back,
      );
    }
    const episode = await openEpisodeOf(trx, child.id);
    if (episode?.id !== row.episode_id) throw new ConflictError('The child’s help has ended');
    const c = check(v, today, episode.started_on);
    keepsLaterSteps(row, c);
    const now = deps.clock.now();
    const updated = await trx
      .updateTable('family_network_meetings')
      .set((eb) => ({
        offered_on: c.offeredOn,
        response: c.response,
        declined_reason: c.declinedReason,
        held_on: c.heldOn,
        family_plan: c.familyPlan,
        updated_at: now,
        version: eb('version', '+', 1),
      }))
      .where('id', '=', row.id)
      .where('version', '=', input.version)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) throw new VersionConflictError([], back);
    await keepPreProceedings(trx, row.pre_proceedings_id, c.heldOn);
    if (c.response !== row.response || c.heldOn !== row.held_on || c.familyPlan !== row.family_plan) {
      await addAutomaticEntry(trx, {
        personId: child.id,
        episodeId: episode.id,
        occurredOn: c.heldOn ?? today,
        event: c.heldOn && !row.held_on ? 'family_meeting.held' : 'family_meeting.updated',
        summary: summary(c),
        sourceType: 'family_network_meeting',
        sourceId: row.id,
        actorUserId: actor.userId,
      });
    }
    await audit(trx, actor, {
      action: 'protection.family_meeting_updated',
      entityType: 'family_network_meeting',
      entityId: row.id,
      detail: { personId: child.id, response: c.response, held: c.heldOn !== null },
      requestId: input.requestId,
    });
  });
}
