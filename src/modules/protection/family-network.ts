import type { Selectable } from 'kysely';
import type { Deps } from '../../platform/deps.ts';
import {
  ConflictError,
  NotFoundError,
  VersionConflictError,
  differingFields,
} from '../../platform/errors.ts';
import type { Actor } from '../access/actor.ts';
import { UUID, londonDate, type Executor } from '../help/access.ts';
import { addAutomaticEntry } from '../help/chronology.ts';
import { longDate } from '../help/dates.ts';
import { parsePounds, poundsLabel } from '../help/practical-help.ts';
import {
  EMPTY_DATE,
  ErrorList,
  partsFromIso,
  readDateParts,
  type DateParts,
  type FormSource,
} from '../people/person-form.ts';
import { FAMILY_MEETING_RESPONSES } from './codes.ts';
import {
  audit,
  checkedDate,
  mayWrite,
  text,
  viewChildPage,
  writeChild,
  type ChildRef,
  type Context,
} from './common.ts';
import { keepPreProceedings } from './family-meetings.ts';
import type { SupportProviderKind } from './family-network.table.ts';
import { SHORT_MAX, TEXT_MAX } from './forms.ts';
import type { FamilyNetworkMeetingTable } from './protection.table.ts';
import type { FamilyNetworkMeetingAdditions } from './family-network.table.ts';

/**
 * A family network meeting (family group conference) from the offer to the review of the family's
 * own plan: the family's answer, the independent coordinator, the preparation (who in the network
 * was contacted, private family time, when and where), the meeting and who came, the family's plan
 * in their words and whether the local authority agreed it, its reviews, and the family network
 * support package (what, who provides it, what it costs). Each step is its own form, saved against
 * the meeting's version (a stale form gets the conflict page), audited and put in the chronology.
 */

type MeetingRow = Selectable<FamilyNetworkMeetingTable & FamilyNetworkMeetingAdditions>;

export const FAMILY_NETWORK_STEPS = ['answer', 'coordinator', 'preparation', 'meeting', 'plan'] as const;
export type FamilyNetworkStep = (typeof FAMILY_NETWORK_STEPS)[number];

export function isFamilyNetworkStep(value: string): value is FamilyNetworkStep {
  return (FAMILY_NETWORK_STEPS as readonly string[]).includes(value);
}

export const STEP_TITLES: Readonly<Record<FamilyNetworkStep, string>> = {
  answer: 'The family’s answer',
  coordinator: 'Independent coordinator',
  preparation: 'Preparation',
  meeting: 'The meeting',
  plan: 'The family’s plan',
};

export const PROVIDER_KINDS: Readonly<Record<SupportProviderKind, string>> = {
  network: 'Someone in the family network',
  service: 'A service',
};

/** Names typed one a line (who was contacted, who came): at most this many. */
export const MAX_NAMES = 40;

export type FamilyNetworkValues = {
  readonly response: string;
  readonly declinedReason: string;
  readonly coordinatorName: string;
  readonly coordinatorOrganisation: string;
  readonly coordinatorAssignedOn: DateParts;
  readonly networkContacted: string;
  readonly privateTime: string;
  readonly plannedOn: DateParts;
  readonly venue: string;
  readonly heldOn: DateParts;
  readonly attended: string;
  readonly familyPlan: string;
  readonly planRecordedOn: DateParts;
  readonly planAgreed: string;
  readonly planNotAgreedReason: string;
};

export function readFamilyNetworkForm(source: FormSource): FamilyNetworkValues {
  return {
    response: source.get('response'),
    declinedReason: source.get('declinedReason'),
    coordinatorName: source.get('coordinatorName'),
    coordinatorOrganisation: source.get('coordinatorOrganisation'),
    coordinatorAssignedOn: readDateParts(source, 'coordinatorAssignedOn'),
    networkContacted: source.get('networkContacted'),
    privateTime: source.get('privateTime'),
    plannedOn: readDateParts(source, 'plannedOn'),
    venue: source.get('venue'),
    heldOn: readDateParts(source, 'heldOn'),
    attended: source.get('attended'),
    familyPlan: source.get('familyPlan'),
    planRecordedOn: readDateParts(source, 'planRecordedOn'),
    planAgreed: source.get('planAgreed'),
    planNotAgreedReason: source.get('planNotAgreedReason'),
  };
}

const yesNoText = (value: boolean | null): string => (value === null ? '' : value ? 'yes' : 'no');

/** The saved meeting as the step forms show it. */
export function familyNetworkValues(row: MeetingRow): FamilyNetworkValues {
  return {
    response: row.response ?? '',
    declinedReason: row.declined_reason ?? '',
    coordinatorName: row.coordinator_name ?? '',
    coordinatorOrganisation: row.coordinator_organisation ?? '',
    coordinatorAssignedOn: partsFromIso(row.coordinator_assigned_on),
    networkContacted: row.network_contacted.join('\n'),
    privateTime: yesNoText(row.private_time_agreed),
    plannedOn: partsFromIso(row.planned_on),
    venue: row.venue ?? '',
    heldOn: partsFromIso(row.held_on),
    attended: row.attended.join('\n'),
    familyPlan: row.family_plan ?? '',
    planRecordedOn: partsFromIso(row.plan_recorded_on),
    planAgreed: yesNoText(row.plan_agreed),
    planNotAgreedReason: row.plan_not_agreed_reason ?? '',
  };
}

async function loadMeeting(db: Executor, personId: string, id: string): Promise<MeetingRow> {
  if (!UUID.test(id)) throw new NotFoundError();
  const row = await db
    .selectFrom('family_network_meetings')
    .innerJoin('help_episodes', 'help_episodes.id', 'family_network_meetings.episode_id')
    .selectAll('family_network_meetings')
    .where('family_network_meetings.id', '=', id)
    .where('help_episodes.person_id', '=', personId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  return row;
}

// The task list --------------------------------------------------------------------------------------

export type TaskStatus = 'completed' | 'todo' | 'cannot_start' | 'not_needed';

export type FamilyNetworkTask = {
  readonly key: FamilyNetworkStep | 'offer' | 'support' | 'review';
  readonly title: string;
  readonly status: TaskStatus;
  /** A line saying what was recorded (or why the step waits). */
  readonly hint: string;
  /** Where to record or change it (when the step can be done and the actor may write). */
  readonly href: string | null;
};

export type SupportItemView = {
  readonly id: string;
  readonly what: string;
  readonly providerKind: string;
  readonly provider: string;
  readonly cost: string | null;
  readonly fromOn: string;
  readonly toOn: string | null;
};

export type PlanReviewView = {
  readonly id: string;
  readonly reviewedOn: string;
  readonly working: string;
  readonly notWorking: string | null;
};

export type FamilyNetworkMeetingView = {
  readonly id: string;
  readonly offeredOn: string;
  readonly responseLabel: string;
  readonly declinedReason: string | null;
  readonly coordinator: string | null;
  readonly coordinatorAssignedOn: string | null;
  readonly networkContacted: readonly string[];
  readonly privateTimeAgreed: boolean | null;
  readonly plannedOn: string | null;
  readonly venue: string | null;
  readonly heldOn: string | null;
  readonly attended: readonly string[];
  readonly familyPlan: string | null;
  readonly planRecordedOn: string | null;
  readonly planAgreed: boolean | null;
  readonly planNotAgreedReason: string | null;
  readonly version: number;
};

function meetingView(row: MeetingRow): FamilyNetworkMeetingView {
  return {
    id: row.id,
    offeredOn: row.offered_on,
    responseLabel: row.response ? FAMILY_MEETING_RESPONSES[row.response] : 'Waiting for their answer',
    declinedReason: row.declined_reason,
    coordinator: row.coordinator_name
      ? `${row.coordinator_name}${row.coordinator_organisation ? `, ${row.coordinator_organisation}` : ''}`
      : null,
    coordinatorAssignedOn: row.coordinator_assigned_on,
    networkContacted: row.network_contacted,
    privateTimeAgreed: row.private_time_agreed,
    plannedOn: row.planned_on,
    venue: row.venue,
    heldOn: row.held_on,
    attended: row.attended,
    familyPlan: row.family_plan,
    planRecordedOn: row.plan_recorded_on,
    planAgreed: row.plan_agreed,
    planNotAgreedReason: row.plan_not_agreed_reason,
    version: row.version,
  };
}

/** Why a step cannot be recorded yet, or undefined when it can. */
function blocked(row: MeetingRow, step: FamilyNetworkStep | 'support' | 'review'): string | undefined {
  switch (step) {
    case 'answer':
      return undefined;
    case 'coordinator':
    case 'meeting':
      return row.response === 'accepted' ? undefined : 'Once the family have said yes';
    case 'preparation':
      if (row.response !== 'accepted') return 'Once the family have said yes';
      return row.coordinator_name ? undefined : 'Once a coordinator is assigned';
    case 'plan':
      return row.held_on ? undefined : 'Once the meeting has been held';
    case 'support':
    case 'review':
      return row.family_plan ? undefined : 'Once the family have made their plan';
  }
}

function tasksOf(
  row: MeetingRow,
  counts: { support: number; reviews: number },
  base: string,
  writable: boolean,
): FamilyNetworkTask[] {
  const declined = row.response === 'declined';
  const task = (
    key: FamilyNetworkStep | 'support' | 'review',
    done: boolean,
    summary: string,
    href: string,
  ): FamilyNetworkTask => {
    const title =
      key === 'support' ? 'Support package' : key === 'review' ? 'Review of the plan' : STEP_TITLES[key];
    const why = blocked(row, key);
    if (declined && key !== 'answer')
      return { key, title, status: 'not_needed', hint: 'Not needed: the family said no', href: null };
    if (why !== undefined) return { key, title, status: 'cannot_start', hint: why, href: null };
    return { key, title, status: done ? 'completed' : 'todo', hint: summary, href: writable ? href : null };
  };
  const answer =
    row.response === 'declined'
      ? `They said no: ${row.declined_reason ?? ''}`.trim()
      : row.response === 'accepted'
        ? 'They said yes'
        : 'Waiting for their answer';
  return [
    {
      key: 'offer',
      title: 'Offer',
      status: 'completed',
      hint: `Offered on ${longDate(row.offered_on)}`,
      href: null,
    },
    task('answer', row.response !== null, answer, `${base}/answer`),
    task(
      'coordinator',
      row.coordinator_name !== null,
      row.coordinator_name
        ? `${row.coordinator_name}, ${row.coordinator_organisation ?? ''}, from ${longDate(row.coordinator_assigned_on ?? row.offered_on)}`
        : 'No coordinator yet',
      `${base}/coordinator`,
    ),
    task(
      'preparation',
      row.planned_on !== null,
      row.planned_on
        ? `${String(row.network_contacted.length)} in the network contacted; meeting planned for ${longDate(row.planned_on)} at ${row.venue ?? ''}`
        : 'Not prepared yet',
      `${base}/preparation`,
    ),
    task(
      'meeting',
      row.held_on !== null,
      row.held_on ? `Held on ${longDate(row.held_on)}; ${String(row.attended.length)} came` : 'Not held yet',
      `${base}/meeting`,
    ),
    task(
      'plan',
      row.family_plan !== null && row.plan_agreed !== null,
      row.plan_agreed === null
        ? 'Not recorded yet'
        : row.plan_agreed
          ? 'Agreed by the local authority'
          : 'Not agreed by the local authority',
      `${base}/plan`,
    ),
    task(
      'support',
      counts.support > 0,
      counts.support > 0
        ? `${String(counts.support)} item${counts.support === 1 ? '' : 's'}`
        : 'No support recorded',
      `${base}/support/new`,
    ),
    task(
      'review',
      counts.reviews > 0,
      counts.reviews > 0
        ? `Reviewed ${String(counts.reviews)} time${counts.reviews === 1 ? '' : 's'}`
        : 'Not reviewed yet',
      `${base}/reviews/new`,
    ),
  ];
}

export type FamilyNetworkPage = {
  readonly child: ChildRef;
  readonly meeting: FamilyNetworkMeetingView;
  readonly tasks: readonly FamilyNetworkTask[];
  readonly support: readonly SupportItemView[];
  readonly supportTotal: string;
  readonly reviews: readonly PlanReviewView[];
  readonly mayWrite: boolean;
};

export function familyNetworkBase(personId: string, meetingId: string): string {
  return `/children/${personId}/family-network/${meetingId}`;
}

/** The meeting's record: its steps as a task list, the support package and the reviews (an audited view). */
export async function familyNetworkPage(
  deps: Deps,
  actor: Actor,
  input: { personId: string; meetingId: string } & Context,
): Promise<FamilyNetworkPage> {
  return viewChildPage(
    deps,
    actor,
    input.personId,
    {
      ...input,
      route: input.route ?? '/children/:id/family-network/:meeting',
      purpose: 'protection.family_network',
    },
    async (child) => {
      const row = await loadMeeting(deps.db, child.id, input.meetingId);
      const [items, reviews, writable] = await Promise.all([
        deps.db
          .selectFrom('family_network_support_items')
          .selectAll()
          .where('meeting_id', '=', row.id)
          .orderBy('from_on')
          .orderBy('created_at')
          .execute(),
        deps.db
          .selectFrom('family_network_plan_reviews')
          .selectAll()
          .where('meeting_id', '=', row.id)
          .orderBy('reviewed_on', 'desc')
          .orderBy('created_at', 'desc')
          .execute(),
        mayWrite(deps.db, deps, actor, child.id),
      ]);
      const total = items.reduce((sum, i) => sum + (i.cost_pence ?? 0), 0);
      return {
        child,
        meeting: meetingView(row),
        tasks: tasksOf(
          row,
          { support: items.length, reviews: reviews.length },
          familyNetworkBase(child.id, row.id),
          writable,
        ),
        support: items.map((i) => ({
          id: i.id,
          what: i.what,
          providerKind: PROVIDER_KINDS[i.provider_kind],
          provider: i.provider,
          cost: i.cost_pence === null ? null : poundsLabel(i.cost_pence),
          fromOn: i.from_on,
          toOn: i.to_on,
        })),
        supportTotal: poundsLabel(total),
        reviews: reviews.map((r) => ({
          id: r.id,
          reviewedOn: r.reviewed_on,
          working: r.working,
          notWorking: r.not_working,
        })),
        mayWrite: writable,
      };
    },
  );
}

export type StepFormPage = {
  readonly child: ChildRef;
  readonly meeting: FamilyNetworkMeetingView;
  readonly values: FamilyNetworkValues;
  readonly version: number;
};

/** The form for one step (or for a support item or review, `step` then null): writable children only. */
export async function familyNetworkFormPage(
  deps: Deps,
  actor: Actor,
  input: { personId: string; meetingId: string; step: FamilyNetworkStep | 'support' | 'review' } & Context,
): Promise<StepFormPage> {
  await writeChild(deps.db, deps, actor, input.personId);
  return viewChildPage(
    deps,
    actor,
    input.personId,
    {
      ...input,
      route: input.route ?? '/children/:id/family-network/:meeting/:step',
      purpose: 'protection.family_network',
    },
    async (child) => {
      const row = await loadMeeting(deps.db, child.id, input.meetingId);
      const why =
        row.response === 'declined' && input.step !== 'answer'
          ? 'The family said no'
          : blocked(row, input.step);
      if (why !== undefined) throw new ConflictError(`${why}.`);
      return { child, meeting: meetingView(row), values: familyNetworkValues(row), version: row.version };
    },
  );
}

// Checking and saving a step -------------------------------------------------------------------------

function names(errors: ErrorList, field: string, value: string, required: string): string[] {
  const list = value
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (list.length === 0) errors.add(field, required);
  else if (list.length > MAX_NAMES) errors.add(field, `Enter ${String(MAX_NAMES)} people or fewer`);
  else if (list.some((line) => line.length > SHORT_MAX))
    errors.add(field, `Each line must be ${String(SHORT_MAX)} characters or fewer`);
  return list;
}

function yesNoChoice(errors: ErrorList, field: string, value: string, message: string): boolean | null {
  if (value === 'yes') return true;
  if (value === 'no') return false;
  errors.add(field, message);
  return null;
}

type Change = Partial<{
  response: 'accepted' | 'declined';
  declined_reason: string | null;
  coordinator_name: string;
  coordinator_organisation: string;
  coordinator_assigned_on: string;
  network_contacted: string[];
  private_time_agreed: boolean;
  planned_on: string;
  venue: string;
  held_on: string;
  attended: string[];
  family_plan: string;
  plan_recorded_on: string;
  plan_agreed: boolean;
  plan_not_agreed_reason: string | null;
}>;

/** The step's fields checked against the saved meeting; throws the form's errors. */
export function checkStep(
  step: FamilyNetworkStep,
  v: FamilyNetworkValues,
  row: Pick<
    MeetingRow,
    'offered_on' | 'response' | 'coordinator_name' | 'held_on' | 'planned_on' | 'family_plan'
  >,
  today: string,
): { change: Change; summary: string; occurredOn: string } {
  const errors = new ErrorList();
  const required = (field: string, label: string, value: string, message: string, max = SHORT_MAX) =>
    text(errors, field, label, value, { required: message, max }) ?? '';
  let change: Change = {};
  let summary = '';
  let occurredOn = today;
  switch (step) {
    case 'answer': {
      let response: 'accepted' | 'declined' | undefined;
      if (v.response === 'accepted' || v.response === 'declined') response = v.response;
      else errors.add('response', 'Choose whether the family said yes or no');
      if (response === 'declined' && (row.coordinator_name !== null || row.held_on !== null))
        errors.add(
          'response',
          'The meeting is already being prepared or has been held, so the family’s yes stands',
        );
      const reason =
        response === 'declined'
          ? required(
              'declinedReason',
              'Why they said no',
              v.declinedReason,
              'Enter why the family said no',
              TEXT_MAX,
            )
          : null;
      if (response) change = { response, declined_reason: reason };
      summary =
        response === 'declined'
          ? 'The family said no to a family network meeting.'
          : 'The family said yes to a family network meeting.';
      break;
    }
    case 'coordinator': {
      const name = required('coordinatorName', 'Name', v.coordinatorName, 'Enter the coordinator’s name');
      const organisation = required(
        'coordinatorOrganisation',
        'Organisation',
        v.coordinatorOrganisation,
        'Enter the coordinator’s organisation',
      );
      const on = checkedDate(
        errors,
        'coordinatorAssignedOn',
        'The date they were assigned',
        v.coordinatorAssignedOn,
        {
          required: 'Enter the date the coordinator was assigned',
          notAfter: today,
          notBefore: { on: row.offered_on, why: 'when the meeting was offered' },
        },
      );
      if (on) {
        change = {
          coordinator_name: name,
          coordinator_organisation: organisation,
          coordinator_assigned_on: on,
        };
        occurredOn = on;
      }
      summary = `An independent coordinator from ${organisation} was assigned to prepare the family network meeting.`;
      break;
    }
    case 'preparation': {
      const contacted = names(
        errors,
        'networkContacted',
        v.networkContacted,
        'Enter who in the family network was contacted',
      );
      const privateTime = yesNoChoice(
        errors,
        'privateTime',
        v.privateTime,
        'Choose whether private family time was agreed',
      );
      const planned = checkedDate(errors, 'plannedOn', 'The date of the meeting', v.plannedOn, {
        required: 'Enter the date the meeting is planned for',
        notBefore: { on: row.offered_on, why: 'when the meeting was offered' },
      });
      const venue = required('venue', 'Venue', v.venue, 'Enter where the meeting will be held');
      if (planned && privateTime !== null)
        change = {
          network_contacted: contacted,
          private_time_agreed: privateTime,
          planned_on: planned,
          venue,
        };
      summary = planned
        ? `The family network meeting was prepared: ${String(contacted.length)} people in the family network were contacted; it is planned for ${longDate(planned)}.`
        : '';
      break;
    }
    case 'meeting': {
      const held = checkedDate(errors, 'heldOn', 'The date of the meeting', v.heldOn, {
        required: 'Enter the date the meeting was held',
        notAfter: today,
        notBefore: { on: row.offered_on, why: 'when the meeting was offered' },
      });
      const attended = names(errors, 'attended', v.attended, 'Enter who came to the meeting');
      if (held) {
        change = { held_on: held, attended };
        occurredOn = held;
      }
      summary = held
        ? `The family network meeting was held on ${longDate(held)}; ${String(attended.length)} people came.`
        : '';
      break;
    }
    case 'plan': {
      const plan = required(
        'familyPlan',
        'The family’s plan',
        v.familyPlan,
        'Enter the family’s plan, in their words',
        TEXT_MAX,
      );
      const on = checkedDate(errors, 'planRecordedOn', 'The date of the plan', v.planRecordedOn, {
        required: 'Enter the date the family made their plan',
        notAfter: today,
        ...(row.held_on ? { notBefore: { on: row.held_on, why: 'when the meeting was held' } } : {}),
      });
      const agreed = yesNoChoice(
        errors,
        'planAgreed',
        v.planAgreed,
        'Choose whether the local authority agreed the plan',
      );
      const why =
        agreed === false
          ? required(
              'planNotAgreedReason',
              'Why it was not agreed',
              v.planNotAgreedReason,
              'Enter why the local authority did not agree the plan',
              TEXT_MAX,
            )
          : null;
      if (on && agreed !== null) {
        change = {
          family_plan: plan,
          plan_recorded_on: on,
          plan_agreed: agreed,
          plan_not_agreed_reason: why,
        };
        occurredOn = on;
      }
      summary = agreed
        ? 'The family made their own plan, and the local authority agreed it.'
        : 'The family made their own plan; the local authority did not agree it.';
      break;
    }
  }
  errors.throwIfAny();
  return { change, summary, occurredOn };
}

const CONFLICT_LABELS: Readonly<Record<FamilyNetworkStep, Readonly<Record<string, string>>>> = {
  answer: { response: 'The family’s answer', declinedReason: 'Why they said no' },
  coordinator: { coordinatorName: 'Coordinator', coordinatorOrganisation: 'Organisation' },
  preparation: { networkContacted: 'Who was contacted', venue: 'Venue' },
  meeting: { attended: 'Who came' },
  plan: { familyPlan: 'The family’s plan', planAgreed: 'Agreed by the local authority' },
};

/** Saves one step of the meeting, against the version the form was opened at. */
export async function saveFamilyNetworkStep(
  deps: Deps,
  actor: Actor,
  input: {
    personId: string;
    meetingId: string;
    step: FamilyNetworkStep;
    version: number;
    values: FamilyNetworkValues;
  } & Context,
): Promise<void> {
  const today = londonDate(deps.clock.now());
  await deps.db.transaction().execute(async (trx) => {
    const child = await writeChild(trx, deps, actor, input.personId);
    const row = await loadMeeting(trx, child.id, input.meetingId);
    const back = `${familyNetworkBase(child.id, row.id)}/${input.step}`;
    if (row.version !== input.version) {
      const labels = CONFLICT_LABELS[input.step];
      const saved = familyNetworkValues(row);
      const pick = (values: FamilyNetworkValues) =>
        Object.fromEntries(Object.keys(labels).map((k) => [k, values[k as keyof FamilyNetworkValues]]));
      throw new VersionConflictError(differingFields(labels, pick(saved), pick(input.values)), back);
    }
    const why =
      row.response === 'declined' && input.step !== 'answer'
        ? 'The family said no'
        : blocked(row, input.step);
    if (why !== undefined) throw new ConflictError(`${why}.`);
    const checked = checkStep(input.step, input.values, row, today);
    const updated = await trx
      .updateTable('family_network_meetings')
      .set((eb) => ({ ...checked.change, updated_at: deps.clock.now(), version: eb('version', '+', 1) }))
      .where('id', '=', row.id)
      .where('version', '=', input.version)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) throw new VersionConflictError([], back);
    if (input.step === 'meeting')
      await keepPreProceedings(trx, row.pre_proceedings_id, checked.change.held_on ?? null);
    await addAutomaticEntry(trx, {
      personId: child.id,
      episodeId: row.episode_id,
      occurredOn: checked.occurredOn,
      event: `family_network.${input.step}`,
      summary: checked.summary,
      sourceType: 'family_network_meeting',
      sourceId: row.id,
      actorUserId: actor.userId,
    });
    await audit(trx, actor, {
      action: `family_network.${input.step}`,
      entityType: 'family_network_meeting',
      entityId: row.id,
      detail: { personId: child.id, fields: Object.keys(checked.change) },
      requestId: input.requestId,
    });
  });
}

// Support items and reviews --------------------------------------------------------------------------

export type SupportItemValues = {
  readonly what: string;
  readonly providerKind: string;
  readonly provider: string;
  readonly cost: string;
  readonly fromOn: DateParts;
  readonly toOn: DateParts;
};

export const EMPTY_SUPPORT_ITEM: SupportItemValues = {
  what: '',
  providerKind: '',
  provider: '',
  cost: '',
  fromOn: EMPTY_DATE,
  toOn: EMPTY_DATE,
};

export function readSupportItem(source: FormSource): SupportItemValues {
  return {
    what: source.get('what'),
    providerKind: source.get('providerKind'),
    provider: source.get('provider'),
    cost: source.get('cost').slice(0, 40),
    fromOn: readDateParts(source, 'fromOn'),
    toOn: readDateParts(source, 'toOn'),
  };
}

export type PlanReviewValues = {
  readonly reviewedOn: DateParts;
  readonly working: string;
  readonly notWorking: string;
};

export const EMPTY_PLAN_REVIEW: PlanReviewValues = { reviewedOn: EMPTY_DATE, working: '', notWorking: '' };

export function readPlanReview(source: FormSource): PlanReviewValues {
  return {
    reviewedOn: readDateParts(source, 'reviewedOn'),
    working: source.get('working'),
    notWorking: source.get('notWorking'),
  };
}

const MAX_COST_PENCE = 100_000_00;

/** Adds an item to the family network support package (once the family have made their plan). */
export async function addSupportItem(
  deps: Deps,
  actor: Actor,
  input: { personId: string; meetingId: string; values: SupportItemValues } & Context,
): Promise<string> {
  const v = input.values;
  return deps.db.transaction().execute(async (trx) => {
    const child = await writeChild(trx, deps, actor, input.personId);
    const row = await loadMeeting(trx, child.id, input.meetingId);
    const why = blocked(row, 'support');
    if (why !== undefined) throw new ConflictError(`${why}.`);
    const errors = new ErrorList();
    const what = text(errors, 'what', 'What the support is', v.what, {
      required: 'Enter what the support is',
      max: 2000,
    });
    let kind: SupportProviderKind | null = null;
    if (v.providerKind === 'network' || v.providerKind === 'service') kind = v.providerKind;
    else errors.add('providerKind', 'Choose who provides it: someone in the family network or a service');
    const provider = text(errors, 'provider', 'Who provides it', v.provider, {
      required: 'Enter who provides it',
      max: SHORT_MAX,
    });
    let cost: number | null = null;
    if (v.cost.trim() !== '') {
      const pence = parsePounds(v.cost);
      if (pence === undefined) errors.add('cost', 'Enter the cost in pounds and pence, like £30.50');
      else if (pence > MAX_COST_PENCE) errors.add('cost', 'Cost must be £100,000 or less');
      else cost = pence;
    }
    const fromOn = checkedDate(errors, 'fromOn', 'The start date', v.fromOn, {
      required: 'Enter the date the support starts',
      ...(row.held_on ? { notBefore: { on: row.held_on, why: 'when the meeting was held' } } : {}),
    });
    const toOn = checkedDate(errors, 'toOn', 'The end date', v.toOn, {
      ...(fromOn ? { notBefore: { on: fromOn, why: 'when it starts' } } : {}),
    });
    errors.throwIfAny();
    if (!what || !kind || !provider || !fromOn) throw new Error('unreachable: validated above');
    const item = await trx
      .insertInto('family_network_support_items')
      .values({
        meeting_id: row.id,
        what,
        provider_kind: kind,
        provider,
        cost_pence: cost,
        from_on: fromOn,
        to_on: toOn ?? null,
        recorded_by: actor.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await addAutomaticEntry(trx, {
      personId: child.id,
      episodeId: row.episode_id,
      occurredOn: fromOn,
      event: 'family_network.support',
      summary: `Family network support: ${what.length > 150 ? `${what.slice(0, 149)}…` : what} (${PROVIDER_KINDS[kind].toLowerCase()}).`,
      sourceType: 'family_network_support_item',
      sourceId: item.id,
      actorUserId: actor.userId,
    });
    await audit(trx, actor, {
      action: 'family_network.support_added',
      entityType: 'family_network_support_item',
      entityId: item.id,
      detail: { personId: child.id, meetingId: row.id, providerKind: kind, costPence: cost },
      requestId: input.requestId,
    });
    return item.id;
  });
}

/** Records a review of the family's plan: the date and what is working (and what is not). */
export async function addPlanReview(
  deps: Deps,
  actor: Actor,
  input: { personId: string; meetingId: string; values: PlanReviewValues } & Context,
): Promise<string> {
  const today = londonDate(deps.clock.now());
  const v = input.values;
  return deps.db.transaction().execute(async (trx) => {
    const child = await writeChild(trx, deps, actor, input.personId);
    const row = await loadMeeting(trx, child.id, input.meetingId);
    const why = blocked(row, 'review');
    if (why !== undefined) throw new ConflictError(`${why}.`);
    const errors = new ErrorList();
    const since = row.plan_recorded_on ?? row.held_on;
    const reviewedOn = checkedDate(errors, 'reviewedOn', 'The date of the review', v.reviewedOn, {
      required: 'Enter the date of the review',
      notAfter: today,
      ...(since ? { notBefore: { on: since, why: 'when the family made their plan' } } : {}),
    });
    const working = text(errors, 'working', 'What is working', v.working, {
      required: 'Enter what is working',
      max: TEXT_MAX,
    });
    const notWorking = text(errors, 'notWorking', 'What is not working', v.notWorking, { max: TEXT_MAX });
    errors.throwIfAny();
    if (!reviewedOn || !working) throw new Error('unreachable: validated above');
    const review = await trx
      .insertInto('family_network_plan_reviews')
      .values({
        meeting_id: row.id,
        reviewed_on: reviewedOn,
        working,
        not_working: notWorking,
        recorded_by: actor.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await addAutomaticEntry(trx, {
      personId: child.id,
      episodeId: row.episode_id,
      occurredOn: reviewedOn,
      event: 'family_network.review',
      summary: 'The family’s plan from their family network meeting was reviewed.',
      sourceType: 'family_network_plan_review',
      sourceId: review.id,
      actorUserId: actor.userId,
    });
    await audit(trx, actor, {
      action: 'family_network.review_added',
      entityType: 'family_network_plan_review',
      entityId: review.id,
      detail: { personId: child.id, meetingId: row.id },
      requestId: input.requestId,
    });
    return review.id;
  });
}
