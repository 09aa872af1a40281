import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres';
import type { Deps } from '../../platform/deps.ts';
import { ConflictError, VersionConflictError } from '../../platform/errors.ts';
import type { Actor } from '../access/actor.ts';
import { ErrorList, parseDate } from '../people/person-form.ts';
import { auditChildView, requireHelpPermission, type Executor } from '../help/access.ts';
import { addAutomaticEntry } from '../help/chronology.ts';
import {
  CARE_LEAVER_ACCOMMODATION,
  CARE_LEAVER_ACTIVITY,
  CARE_LEAVER_ELIGIBILITY,
  CARE_LEAVER_IN_TOUCH,
  PERMANENCE_PLANS,
  REVIEW_PARTICIPATION,
} from '../help/codes.ts';
import { longDate } from '../help/dates.ts';
import { currentEpisode, leadAllocation } from '../help/episodes.ts';
import type { HealthCheckKind } from '../help/help.table.ts';
import { completeTasksFor, openTask } from '../help/tasks.ts';
import {
  audit,
  bumpPeriod,
  careChild,
  carePath,
  childRefOf,
  code,
  notBefore,
  optionalPastDate,
  optionalText,
  pastDate,
  readableCareChild,
  requiredText,
  today,
  writablePeriod,
  type CareReader,
  type ChildRef,
  type Context,
} from './common.ts';
import {
  HEALTH_KINDS,
  LAC_REVIEW_DECISIONS,
  MISSING_KINDS,
  TEXT_MAX,
  type ContactValues,
  type HealthValues,
  type MissingValues,
  type PepValues,
  type PermanenceValues,
  type ReviewValues,
  type StayingPutValues,
} from './form.ts';
import { SDQ_BAND_LABELS, reviewTimetable, sdqBand, type SdqBand } from './rules.ts';

/**
 * The looked-after child's record beside the placements: reviews (with the plan for returning home
 * considered at each, and the child's participation), health assessments and SDQ scores, personal
 * education plans, missing and away-from-placement episodes with return interviews, UASC status,
 * permanence (adoption steps), and leaving care (contacts at 17–21, staying put).
 */

// ---------------------------------------------------------------------------------------------
// Looked-after reviews
// ---------------------------------------------------------------------------------------------

/**
 * Records looked-after review number n of the open period: the child's participation, the family's
 * and the child's views, and the plan for returning home (considered or not, what needs to happen,
 * what the family think). The review task is done and the next opened: 3 months after the first, then
 * every 6 months.
 */
export async function recordCareReview(
  deps: Deps,
  actor: Actor,
  input: { personId: string; version: number; values: ReviewValues } & Context,
): Promise<{ sequence: number; nextDueOn: string }> {
  requireHelpPermission(actor, 'write');
  const v = input.values;
  const todayIso = today(deps);
  const errors = new ErrorList();
  const reviewedOn = pastDate(
    errors,
    'reviewedOn',
    'The review date',
    v.reviewedOn,
    'Enter the date of the review',
    todayIso,
  );
  const participation = code(REVIEW_PARTICIPATION, v.participation);
  if (!participation) errors.add('participation', 'Select how the child took part in their review');
  const familyView = requiredText(
    errors,
    'familyView',
    'What the family said',
    v.familyView,
    TEXT_MAX,
    'Enter what the family said at the review',
  );
  const childView = optionalText(errors, 'childView', 'What the child said', v.childView, TEXT_MAX);
  const progress = optionalText(
    errors,
    'progressSummary',
    'How things are going',
    v.progressSummary,
    TEXT_MAX,
  );
  const decision = code(LAC_REVIEW_DECISIONS, v.decision) as 'continue' | 'change_plan' | null;
  if (!decision) errors.add('decision', 'Select what was decided about the care plan');
  if (v.returnHomeConsidered !== 'yes' && v.returnHomeConsidered !== 'no')
    errors.add('returnHomeConsidered', 'Select whether returning home is being considered');
  const steps = requiredText(
    errors,
    'returnHomeSteps',
    'What needs to happen',
    v.returnHomeSteps,
    TEXT_MAX,
    v.returnHomeConsidered === 'no'
      ? 'Enter why returning home is not being considered now, and what would need to change'
      : 'Enter what needs to happen for the child to return home',
  );
  const returnView = requiredText(
    errors,
    'returnHomeFamilyView',
    'What the family think',
    v.returnHomeFamilyView,
    TEXT_MAX,
    'Enter what the family think about the child returning home',
  );
  return deps.db.transaction().execute(async (trx) => {
    const { child, period } = await writablePeriod(trx, deps, actor, input.personId);
    const back = `${carePath(child.id)}/reviews/new`;
    if (period.version !== input.version) throw new VersionConflictError([], back);
    if (!period.care_plan_id) throw new ConflictError('This period of care has no care plan to review');
    notBefore(
      errors,
      'reviewedOn',
      'The review date',
      reviewedOn,
      period.started_on,
      'when the child came into care',
    );
    const held = await trx
      .selectFrom('care_reviews')
      .innerJoin('plan_reviews', 'plan_reviews.id', 'care_reviews.plan_review_id')
      .select('plan_reviews.reviewed_on')
      .where('care_reviews.care_period_id', '=', period.id)
      .orderBy('care_reviews.sequence')
      .execute();
    const last = held.at(-1)?.reviewed_on;
    if (last) notBefore(errors, 'reviewedOn', 'The review date', reviewedOn, last, 'the last review');
    errors.throwIfAny();
    const on = reviewedOn as string;
    const before = reviewTimetable(
      period.started_on,
      held.map((h) => h.reviewed_on),
      false,
    );
    const sequence = held.length + 1;
    const dueOn = before.next?.dueOn ?? on;
    const after = reviewTimetable(period.started_on, [...held.map((h) => h.reviewed_on), on], false);
    const nextDueOn = after.next?.dueOn ?? on;
    const now = deps.clock.now();
    if (!(await bumpPeriod(trx, period.id, input.version, now))) throw new VersionConflictError([], back);
    const review = await trx
      .insertInto('plan_reviews')
      .values({
        plan_id: period.care_plan_id,
        reviewed_on: on,
        family_view: familyView,
        child_view: childView,
        progress_summary: progress,
        decision: decision as 'continue',
        next_review_on: nextDueOn,
        participation,
        recorded_by: actor.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('care_reviews')
      .values({
        plan_review_id: review.id,
        care_period_id: period.id,
        sequence,
        due_on: dueOn,
        return_home_considered: v.returnHomeConsidered === 'yes',
        return_home_steps: steps,
        return_home_family_view: returnView,
      })
      .execute();
    await trx
      .updateTable('plans')
      .set((eb) => ({ next_review_on: nextDueOn, updated_at: now, version: eb('version', '+', 1) }))
      .where('id', '=', period.care_plan_id)
      .execute();
    await completeTasksFor(trx, {
      sourceType: 'plan',
      sourceId: period.care_plan_id,
      kind: 'plan_review_due',
      byUserId: actor.userId,
      at: now,
    });
    const lead = await leadAllocation(trx, child.id);
    await openTask(trx, {
      organisationId: actor.organisationId,
      personId: child.id,
      episodeId: period.episode_id,
      kind: 'plan_review_due',
      title: `Hold looked-after review ${sequence + 1}`,
      dueOn: nextDueOn,
      assignedUserId: lead?.workerUserId ?? null,
      assignedTeamId: lead?.teamId ?? null,
      sourceType: 'plan',
      sourceId: period.care_plan_id,
    });
    await addAutomaticEntry(trx, {
      personId: child.id,
      episodeId: period.episode_id,
      occurredOn: on,
      event: 'care.reviewed',
      summary: `Your care was reviewed (review ${sequence}). Going home was ${
        v.returnHomeConsidered === 'yes' ? '' : 'not '
      }being considered. Next review by ${longDate(nextDueOn)}.`,
      sourceType: 'plan',
      sourceId: period.care_plan_id,
      actorUserId: actor.userId,
    });
    await audit(
      trx,
      actor,
      'care.review',
      period.id,
      { personId: child.id, reviewId: review.id, sequence, participation },
      input.requestId,
    );
    return { sequence, nextDueOn };
  });
}

// ---------------------------------------------------------------------------------------------
// Health, education, missing
// ---------------------------------------------------------------------------------------------

export type HealthLine = {
  readonly id: string;
  readonly kind: string;
  readonly kindLabel: string;
  readonly onDate: string;
  readonly sdqScore: number | null;
  readonly sdqBand: SdqBand | null;
  readonly sdqBandLabel: string;
};

export type WellbeingRecord = {
  readonly child: ChildRef;
  readonly canWrite: boolean;
  readonly inCare: boolean;
  readonly health: readonly HealthLine[];
  readonly peps: readonly { id: string; heldOn: string; note: string | null }[];
  readonly missing: readonly {
    id: string;
    kind: string;
    kindLabel: string;
    startedOn: string;
    endedOn: string | null;
    interviewOffered: boolean | null;
    interviewAccepted: boolean | null;
  }[];
  readonly uasc: boolean;
  readonly uascCeasedOn: string | null;
  readonly permanence: readonly {
    id: string;
    decisionOn: string;
    placementOrderOn: string | null;
    matchedOn: string | null;
    placedOn: string | null;
  }[];
  readonly careLeaver: {
    readonly eligibilityLabel: string;
    readonly version: number;
    readonly stayingPutFrom: string | null;
    readonly stayingPutUntil: string | null;
  } | null;
  readonly contacts: readonly {
    id: string;
    contactedOn: string;
    inTouch: string;
    activity: string;
    accommodation: string;
  }[];
  readonly pathwayPlans: readonly { id: string; status: string; startedOn: string | null }[];
};

/** Everything beside the placements, for the care page (the caller has audited the view). */
export async function wellbeingRecord(
  deps: Deps,
  actor: Actor,
  input: { personId: string } & Context,
): Promise<WellbeingRecord> {
  requireHelpPermission(actor, 'read');
  return wellbeingOf(deps.db, await readableCareChild(deps.db, deps, actor, input.personId));
}

/** The care page's record beside the placements, of a child the caller has found in scope. */
export async function wellbeingOf(db: Executor, reader: CareReader): Promise<WellbeingRecord> {
  const { child } = reader;
  // One query: each list as JSON (dates stay ISO strings, as the pg and PGlite drivers give them).
  const row = await db
    .selectFrom('people')
    .select((eb) => [
      'people.uasc',
      'people.uasc_ceased_on',
      jsonArrayFrom(
        eb
          .selectFrom('health_checks')
          .select(['id', 'kind', 'on_date', 'sdq_score'])
          .where('person_id', '=', child.id)
          .where('kind', 'in', Object.keys(HEALTH_KINDS) as HealthCheckKind[])
          .orderBy('on_date', 'desc'),
      ).as('health'),
      jsonArrayFrom(
        eb
          .selectFrom('personal_education_plans')
          .select(['id', 'held_on', 'note'])
          .where('person_id', '=', child.id)
          .orderBy('held_on', 'desc'),
      ).as('peps'),
      jsonArrayFrom(
        eb
          .selectFrom('missing_episodes')
          .select([
            'id',
            'kind',
            'started_on',
            'ended_on',
            'return_interview_offered',
            'return_interview_accepted',
          ])
          .where('person_id', '=', child.id)
          .orderBy('started_on', 'desc'),
      ).as('missing'),
      jsonArrayFrom(
        eb
          .selectFrom('permanence_decisions')
          .select(['id', 'decision_on', 'placement_order_on', 'matched_on', 'placed_on'])
          .where('person_id', '=', child.id)
          .orderBy('decision_on', 'desc'),
      ).as('permanence'),
      jsonObjectFrom(
        eb
          .selectFrom('care_leavers')
          .select(['eligibility', 'version', 'staying_put_from', 'staying_put_until'])
          .where('person_id', '=', child.id),
      ).as('leaver'),
      jsonArrayFrom(
        eb
          .selectFrom('care_leaver_contacts')
          .select(['id', 'contacted_on', 'in_touch', 'activity', 'accommodation'])
          .where('person_id', '=', child.id)
          .orderBy('contacted_on', 'desc'),
      ).as('contacts'),
      jsonArrayFrom(
        eb
          .selectFrom('plans')
          .select(['id', 'status', 'started_on'])
          .where('person_id', '=', child.id)
          .where('kind', '=', 'pathway')
          .orderBy('created_at', 'desc'),
      ).as('pathway'),
      eb
        .case()
        .when(
          eb.exists(
            eb
              .selectFrom('care_periods')
              .select('id')
              .where('person_id', '=', child.id)
              .where('ended_on', 'is', null),
          ),
        )
        .then(true)
        .else(false)
        .end()
        .as('in_care'),
    ])
    .where('people.id', '=', child.id)
    .executeTakeFirstOrThrow();
  const { health, peps, missing, permanence, leaver, contacts, pathway } = row;
  const person = { uasc: row.uasc, uasc_ceased_on: row.uasc_ceased_on };
  const accommodationLabel = (value: string | null): string => {
    if (!value) return '';
    if (value === '0') return 'Not known';
    const label = CARE_LEAVER_ACCOMMODATION[value.charAt(0)] ?? value;
    return `${label} (${value.endsWith('1') ? 'suitable' : 'not suitable'})`;
  };
  return {
    child: reader.ref,
    canWrite: reader.canWrite,
    inCare: row.in_care,
    health: health.map((h) => {
      const band = h.sdq_score === null ? null : sdqBand(h.sdq_score);
      return {
        id: h.id,
        kind: h.kind,
        kindLabel: HEALTH_KINDS[h.kind] ?? h.kind,
        onDate: h.on_date,
        sdqScore: h.sdq_score,
        sdqBand: band,
        sdqBandLabel: band ? SDQ_BAND_LABELS[band] : '',
      };
    }),
    peps: peps.map((p) => ({ id: p.id, heldOn: p.held_on, note: p.note })),
    missing: missing.map((m) => ({
      id: m.id,
      kind: m.kind,
      kindLabel: MISSING_KINDS[m.kind] ?? m.kind,
      startedOn: m.started_on,
      endedOn: m.ended_on,
      interviewOffered: m.return_interview_offered,
      interviewAccepted: m.return_interview_accepted,
    })),
    uasc: person.uasc,
    uascCeasedOn: person.uasc_ceased_on,
    permanence: permanence.map((p) => ({
      id: p.id,
      decisionOn: p.decision_on,
      placementOrderOn: p.placement_order_on,
      matchedOn: p.matched_on,
      placedOn: p.placed_on,
    })),
    careLeaver: leaver
      ? {
          eligibilityLabel: CARE_LEAVER_ELIGIBILITY[leaver.eligibility] ?? leaver.eligibility,
          version: leaver.version,
          stayingPutFrom: leaver.staying_put_from,
          stayingPutUntil: leaver.staying_put_until,
        }
      : null,
    contacts: contacts.map((c) => ({
      id: c.id,
      contactedOn: c.contacted_on,
      inTouch: CARE_LEAVER_IN_TOUCH[c.in_touch] ?? c.in_touch,
      activity: c.activity ? (CARE_LEAVER_ACTIVITY[c.activity] ?? c.activity) : '',
      accommodation: accommodationLabel(c.accommodation),
    })),
    pathwayPlans: pathway.map((p) => ({ id: p.id, status: p.status, startedOn: p.started_on })),
  };
}

/** A health assessment, dental check, immunisations or an SDQ score (banded when shown). */
export async function recordHealth(
  deps: Deps,
  actor: Actor,
  input: { personId: string; values: HealthValues } & Context,
): Promise<void> {
  requireHelpPermission(actor, 'write');
  const v = input.values;
  const errors = new ErrorList();
  const kind = code(HEALTH_KINDS, v.kind) as HealthCheckKind | null;
  if (!kind) errors.add('kind', 'Select what is being recorded');
  const onDate = pastDate(errors, 'onDate', 'The date', v.onDate, 'Enter the date', today(deps));
  let score: number | null = null;
  if (kind === 'sdq') {
    const typed = v.sdqScore.trim();
    if (!/^\d{1,2}$/.test(typed) || Number(typed) > 40)
      errors.add('sdqScore', 'Enter the SDQ total difficulties score, a whole number from 0 to 40');
    else score = Number(typed);
  }
  await deps.db.transaction().execute(async (trx) => {
    const { child, period } = await writablePeriod(trx, deps, actor, input.personId);
    errors.throwIfAny();
    const row = await trx
      .insertInto('health_checks')
      .values({
        person_id: child.id,
        kind: kind as HealthCheckKind,
        on_date: onDate as string,
        sdq_score: score,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await addAutomaticEntry(trx, {
      personId: child.id,
      episodeId: period.episode_id,
      occurredOn: onDate as string,
      event: 'care.health',
      summary:
        score === null
          ? `${HEALTH_KINDS[kind as string] ?? ''} recorded.`
          : `Your strengths and difficulties questionnaire score was ${score}: ${SDQ_BAND_LABELS[sdqBand(score)].toLowerCase()}.`,
      sourceType: 'health_check',
      sourceId: row.id,
      actorUserId: actor.userId,
    });
    await audit(
      trx,
      actor,
      'care.health',
      period.id,
      { personId: child.id, healthCheckId: row.id, kind },
      input.requestId,
    );
  });
}

/** A personal education plan meeting. */
export async function recordPep(
  deps: Deps,
  actor: Actor,
  input: { personId: string; values: PepValues } & Context,
): Promise<void> {
  requireHelpPermission(actor, 'write');
  const errors = new ErrorList();
  const heldOn = pastDate(
    errors,
    'heldOn',
    'The date',
    input.values.heldOn,
    'Enter the date of the personal education plan meeting',
    today(deps),
  );
  const note = optionalText(errors, 'note', 'The note', input.values.note, TEXT_MAX);
  await deps.db.transaction().execute(async (trx) => {
    const { child, period } = await writablePeriod(trx, deps, actor, input.personId);
    notBefore(errors, 'heldOn', 'The date', heldOn, period.started_on, 'when the child came into care');
    errors.throwIfAny();
    const row = await trx
      .insertInto('personal_education_plans')
      .values({
        person_id: child.id,
        care_period_id: period.id,
        held_on: heldOn as string,
        note,
        recorded_by: actor.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await addAutomaticEntry(trx, {
      personId: child.id,
      episodeId: period.episode_id,
      occurredOn: heldOn as string,
      event: 'care.pep',
      summary: 'Your personal education plan was reviewed with your school.',
      sourceType: 'personal_education_plan',
      sourceId: row.id,
      actorUserId: actor.userId,
    });
    await audit(trx, actor, 'care.pep', period.id, { personId: child.id, pepId: row.id }, input.requestId);
  });
}

function yesNo(
  errors: ErrorList,
  field: string,
  value: string,
  message: string,
  required: boolean,
): boolean | null {
  if (value === 'yes') return true;
  if (value === 'no') return false;
  if (required) errors.add(field, message);
  return null;
}

/** A missing or away-from-placement episode, with the return interview offered and accepted. */
export async function recordMissing(
  deps: Deps,
  actor: Actor,
  input: { personId: string; values: MissingValues } & Context,
): Promise<void> {
  requireHelpPermission(actor, 'write');
  const v = input.values;
  const todayIso = today(deps);
  const errors = new ErrorList();
  const kind = code(MISSING_KINDS, v.kind) as 'M' | 'A' | null;
  if (!kind) errors.add('kind', 'Select whether the child was missing or away from placement');
  const startedOn = pastDate(
    errors,
    'startedOn',
    'The date they went missing',
    v.startedOn,
    'Enter the date the child went missing',
    todayIso,
  );
  const endedOn = optionalPastDate(errors, 'endedOn', 'The date they came back', v.endedOn, todayIso);
  if (startedOn && endedOn && endedOn < startedOn)
    errors.addDate('endedOn', 'The date they came back must be on or after the date they went missing', [
      'day',
      'month',
      'year',
    ]);
  const offered = yesNo(
    errors,
    'interviewOffered',
    v.interviewOffered,
    'Select whether a return interview was offered',
    endedOn !== null && endedOn !== undefined,
  );
  const accepted = offered
    ? yesNo(
        errors,
        'interviewAccepted',
        v.interviewAccepted,
        'Select whether the child accepted the return interview',
        true,
      )
    : null;
  await deps.db.transaction().execute(async (trx) => {
    const { child, period } = await writablePeriod(trx, deps, actor, input.personId);
    errors.throwIfAny();
    const row = await trx
      .insertInto('missing_episodes')
      .values({
        person_id: child.id,
        care_period_id: period.id,
        kind: kind as 'M',
        started_on: startedOn as string,
        ended_on: endedOn ?? null,
        return_interview_offered: offered,
        return_interview_accepted: accepted,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await addAutomaticEntry(trx, {
      personId: child.id,
      episodeId: period.episode_id,
      occurredOn: startedOn as string,
      event: 'care.missing',
      summary: `${kind === 'M' ? 'You went missing' : 'You were away from where you live without agreement'}${
        endedOn ? ` and came back on ${longDate(endedOn)}` : ''
      }.${offered === null ? '' : offered ? ' You were offered a return interview.' : ''}`,
      sourceType: 'missing_episode',
      sourceId: row.id,
      actorUserId: actor.userId,
    });
    await audit(
      trx,
      actor,
      'care.missing',
      period.id,
      { personId: child.id, missingId: row.id, kind },
      input.requestId,
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Permanence
// ---------------------------------------------------------------------------------------------

/**
 * The permanence plan of the open period and, for adoption, the SSDA903 dates: the decision that the
 * child should be placed for adoption, the placement order, the match, and when they were placed.
 */
export async function recordPermanence(
  deps: Deps,
  actor: Actor,
  input: { personId: string; version: number; values: PermanenceValues } & Context,
): Promise<void> {
  requireHelpPermission(actor, 'write');
  const v = input.values;
  const todayIso = today(deps);
  const errors = new ErrorList();
  const plan = code(PERMANENCE_PLANS, v.permanencePlan);
  if (!plan) errors.add('permanencePlan', 'Select the plan for permanence');
  const decisionOn = optionalPastDate(
    errors,
    'decisionOn',
    'The date of the decision',
    v.decisionOn,
    todayIso,
  );
  const orderOn = optionalPastDate(
    errors,
    'placementOrderOn',
    'The date of the placement order',
    v.placementOrderOn,
    todayIso,
  );
  const matchedOn = optionalPastDate(errors, 'matchedOn', 'The date of the match', v.matchedOn, todayIso);
  const placedOn = optionalPastDate(errors, 'placedOn', 'The date placed', v.placedOn, todayIso);
  if (plan === 'adoption' && !decisionOn && (orderOn || matchedOn || placedOn))
    errors.addDate(
      'decisionOn',
      'Enter the date of the decision that the child should be placed for adoption',
      ['day', 'month', 'year'],
    );
  if (decisionOn && matchedOn && matchedOn < decisionOn)
    errors.addDate('matchedOn', 'The date of the match must be on or after the decision', [
      'day',
      'month',
      'year',
    ]);
  if (matchedOn && placedOn && placedOn < matchedOn)
    errors.addDate('placedOn', 'The date placed must be on or after the match', ['day', 'month', 'year']);
  await deps.db.transaction().execute(async (trx) => {
    const { child, period } = await writablePeriod(trx, deps, actor, input.personId);
    const back = `${carePath(child.id)}/permanence`;
    if (period.version !== input.version) throw new VersionConflictError([], back);
    errors.throwIfAny();
    const now = deps.clock.now();
    if (!(await bumpPeriod(trx, period.id, input.version, now, { permanence_plan: plan })))
      throw new VersionConflictError([], back);
    if (decisionOn) {
      const existing = await trx
        .selectFrom('permanence_decisions')
        .select('id')
        .where('care_period_id', '=', period.id)
        .executeTakeFirst();
      const values = {
        decision_on: decisionOn,
        placement_order_on: orderOn ?? null,
        matched_on: matchedOn ?? null,
        placed_on: placedOn ?? null,
      };
      if (existing)
        await trx.updateTable('permanence_decisions').set(values).where('id', '=', existing.id).execute();
      else
        await trx
          .insertInto('permanence_decisions')
          .values({ ...values, person_id: child.id, care_period_id: period.id })
          .execute();
    }
    await addAutomaticEntry(trx, {
      personId: child.id,
      episodeId: period.episode_id,
      occurredOn: todayIso,
      event: 'care.permanence',
      summary: `The plan for where you will grow up: ${(PERMANENCE_PLANS[plan as string] ?? '').toLowerCase()}.`,
      sourceType: 'care_period',
      sourceId: period.id,
      actorUserId: actor.userId,
    });
    await audit(trx, actor, 'care.permanence', period.id, { personId: child.id, plan }, input.requestId);
  });
}

// ---------------------------------------------------------------------------------------------
// UASC
// ---------------------------------------------------------------------------------------------

/** Whether the child is an unaccompanied asylum-seeking child, and when that status ended. */
export async function saveUasc(
  deps: Deps,
  actor: Actor,
  input: { personId: string; uasc: string; ceasedOn: { day: string; month: string; year: string } } & Context,
): Promise<void> {
  requireHelpPermission(actor, 'write');
  const errors = new ErrorList();
  if (input.uasc !== 'yes' && input.uasc !== 'no')
    errors.add('uasc', 'Select whether the child is an unaccompanied asylum-seeking child');
  const ceasedOn =
    input.uasc === 'yes'
      ? optionalPastDate(errors, 'ceasedOn', 'The date UASC status ended', input.ceasedOn, today(deps))
      : null;
  await deps.db.transaction().execute(async (trx) => {
    const child = await careChild(trx, deps, actor, input.personId, 'write');
    errors.throwIfAny();
    await trx
      .updateTable('people')
      .set({ uasc: input.uasc === 'yes', uasc_ceased_on: ceasedOn ?? null })
      .where('id', '=', child.id)
      .execute();
    await audit(
      trx,
      actor,
      'care.uasc',
      child.id,
      { personId: child.id, uasc: input.uasc === 'yes' },
      input.requestId,
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Leaving care
// ---------------------------------------------------------------------------------------------

async function careLeaverOf(trx: Parameters<typeof careChild>[0], personId: string) {
  const row = await trx
    .selectFrom('care_leavers')
    .selectAll()
    .where('person_id', '=', personId)
    .executeTakeFirst();
  if (!row) throw new ConflictError('The young person is not recorded as a care leaver');
  return row;
}

/** A contact with a care leaver at 17 to 21: in touch, activity and accommodation (SSDA903 OC3). */
export async function recordContact(
  deps: Deps,
  actor: Actor,
  input: { personId: string; values: ContactValues } & Context,
): Promise<void> {
  requireHelpPermission(actor, 'write');
  const v = input.values;
  const errors = new ErrorList();
  const contactedOn = pastDate(
    errors,
    'contactedOn',
    'The date',
    v.contactedOn,
    'Enter the date of the contact',
    today(deps),
  );
  const inTouch = code(CARE_LEAVER_IN_TOUCH, v.inTouch);
  if (!inTouch) errors.add('inTouch', 'Select whether the council is in touch with the young person');
  let activity: string | null = null;
  let accommodation: string | null = null;
  if (inTouch === 'YES') {
    activity = code(CARE_LEAVER_ACTIVITY, v.activity);
    if (!activity) errors.add('activity', 'Select the young person’s main activity');
    const place = code(CARE_LEAVER_ACCOMMODATION, v.accommodation);
    if (!place) errors.add('accommodation', 'Select where the young person lives');
    if (v.suitable !== 'yes' && v.suitable !== 'no')
      errors.add('suitable', 'Select whether the accommodation is suitable');
    else if (place) {
      accommodation = `${place}${v.suitable === 'yes' ? '1' : '2'}`;
      if (!/^([BCDEGHKRTUVWYZ][12]|S2|X2)$/.test(accommodation))
        errors.add('suitable', 'This kind of accommodation is always recorded as not suitable');
    }
  }
  await deps.db.transaction().execute(async (trx) => {
    const child = await careChild(trx, deps, actor, input.personId, 'write');
    await careLeaverOf(trx, child.id);
    errors.throwIfAny();
    const episode = await currentEpisode(trx, child.id);
    const row = await trx
      .insertInto('care_leaver_contacts')
      .values({
        person_id: child.id,
        contacted_on: contactedOn as string,
        in_touch: inTouch as string,
        activity,
        accommodation,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await addAutomaticEntry(trx, {
      personId: child.id,
      episodeId: episode?.id ?? null,
      occurredOn: contactedOn as string,
      event: 'care_leaver.contact',
      summary: `Keeping in touch: ${(CARE_LEAVER_IN_TOUCH[inTouch as string] ?? '').toLowerCase()}.`,
      sourceType: 'care_leaver_contact',
      sourceId: row.id,
      actorUserId: actor.userId,
    });
    await audit(
      trx,
      actor,
      'care_leaver.contact',
      child.id,
      { personId: child.id, contactId: row.id, inTouch },
      input.requestId,
    );
  });
}

/** Staying put: the care leaver stays with their former foster carers after 18. */
export async function saveStayingPut(
  deps: Deps,
  actor: Actor,
  input: { personId: string; version: number; values: StayingPutValues } & Context,
): Promise<void> {
  requireHelpPermission(actor, 'write');
  const errors = new ErrorList();
  const from = parseDate(errors, 'from', 'The date staying put started', input.values.from, {
    required: 'Enter the date staying put started',
  });
  const until = parseDate(errors, 'until', 'The date staying put ended', input.values.until);
  if (from && until && until < from)
    errors.addDate('until', 'The date staying put ended must be on or after the date it started', [
      'day',
      'month',
      'year',
    ]);
  await deps.db.transaction().execute(async (trx) => {
    const child = await careChild(trx, deps, actor, input.personId, 'write');
    const leaver = await careLeaverOf(trx, child.id);
    const back = `${carePath(child.id)}/leaving-care/staying-put`;
    if (leaver.version !== input.version) throw new VersionConflictError([], back);
    errors.throwIfAny();
    const updated = await trx
      .updateTable('care_leavers')
      .set((eb) => ({
        staying_put_from: from ?? null,
        staying_put_until: until ?? null,
        updated_at: deps.clock.now(),
        version: eb('version', '+', 1),
      }))
      .where('id', '=', leaver.id)
      .where('version', '=', input.version)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) throw new VersionConflictError([], back);
    const episode = await currentEpisode(trx, child.id);
    await addAutomaticEntry(trx, {
      personId: child.id,
      episodeId: episode?.id ?? null,
      occurredOn: from as string,
      event: 'care_leaver.staying_put',
      summary: `You are staying put with your former foster carers from ${longDate(from)}${until ? ` until ${longDate(until)}` : ''}.`,
      sourceType: 'care_leaver',
      sourceId: leaver.id,
      actorUserId: actor.userId,
    });
    await audit(trx, actor, 'care_leaver.staying_put', child.id, { personId: child.id }, input.requestId);
  });
}

/** A view of the child for a form that is not about the open period (audited). */
export async function auditCareForm(
  deps: Deps,
  actor: Actor,
  input: { personId: string; purpose: string } & Context,
): Promise<ChildRef> {
  requireHelpPermission(actor, 'write');
  const child = await careChild(deps.db, deps, actor, input.personId, 'write');
  const childRef = await childRefOf(deps.db, child);
  await auditChildView(deps.db, actor, {
    personId: child.id,
    requestId: input.requestId,
    route: input.route ?? '/children/:id/care',
    purpose: input.purpose,
  });
  return childRef;
}
