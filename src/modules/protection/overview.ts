import type { Deps } from '../../platform/deps.ts';
import { ConflictError, NotFoundError } from '../../platform/errors.ts';
import type { Actor } from '../access/actor.ts';
import { ErrorList } from '../people/person-form.ts';
import { UUID, londonDate, type Executor } from '../help/access.ts';
import { addAutomaticEntry } from '../help/chronology.ts';
import { longDate } from '../help/dates.ts';
import { STATUS_LABELS, currentEpisode, openEpisodeOf } from '../help/episodes.ts';
import type { EpisodeStatus } from '../help/help.table.ts';
import { GOAL_PROGRESS } from '../help/plan-codes.ts';
import { ABUSE_CATEGORIES, PROTECTION_TIMESCALES, STRATEGY_DECISIONS } from './codes.ts';
import {
  audit,
  checkedDate,
  mayWrite,
  viewChildPage,
  text,
  writeChild,
  type ChildRef,
  type Context,
} from './common.ts';
import { conferenceView, participantsOf, type ConferenceView, type ParticipantView } from './conferences.ts';
import { familyMeetingView, type FamilyMeetingView } from './family-meetings.ts';
import { SHORT_MAX, TEXT_MAX, type CoreGroupValues } from './forms.ts';
import { enquiryView, type EnquiryView } from './section47.ts';

/**
 * The child's protection record as pages: the overview (strategy discussions, enquiries, conferences,
 * the plan, visits within timescale, family meetings, and the prompts for what is due), the child
 * protection plan with its actions and core groups.
 */

export type VisitsDue = {
  readonly lastVisitOn: string | null;
  readonly nextDueOn: string | null;
  readonly overdue: boolean;
  readonly intervalWorkingDays: number;
};

export type ProtectionOverview = {
  readonly child: ChildRef;
  readonly today: string;
  readonly episode: {
    readonly id: string;
    readonly status: EpisodeStatus;
    readonly statusLabel: string;
  } | null;
  readonly canWrite: boolean;
  readonly strategyDiscussions: readonly {
    id: string;
    heldOn: string;
    decisionLabel: string;
    agencies: number;
  }[];
  readonly enquiries: readonly (EnquiryView & {
    readonly icpcOverdue: boolean;
    readonly conferenceHeldOn: string | null;
  })[];
  readonly conferences: readonly ConferenceView[];
  readonly plans: readonly PlanLine[];
  readonly activePlan: PlanLine | null;
  readonly visits: VisitsDue;
  readonly familyMeetings: readonly FamilyMeetingView[];
  /** Initial conferences (and pre-proceedings) with no family group conference offered yet. */
  readonly familyMeetingPrompts: readonly {
    readonly conferenceId: string | null;
    readonly preProceedingsId: string | null;
    readonly what: string;
  }[];
  readonly canArrangeInitial: boolean;
  readonly canArrangeReview: boolean;
};

export type PlanLine = {
  readonly id: string;
  readonly status: 'draft' | 'active' | 'ended';
  readonly startedOn: string | null;
  readonly endedOn: string | null;
  readonly endReason: string | null;
  readonly initialCategory: string | null;
  readonly latestCategory: string | null;
  readonly nextReviewOn: string | null;
  readonly reviewOverdue: boolean;
};

function categoryLabel(code: string | null): string | null {
  return code ? (ABUSE_CATEGORIES[code] ?? code) : null;
}

async function visitsDue(
  trx: Executor,
  personId: string,
  episodeId: string | null,
  today: string,
): Promise<VisitsDue> {
  const last = await trx
    .selectFrom('visits')
    .select((eb) => eb.fn.max('visited_on').as('on'))
    .where('person_id', '=', personId)
    .executeTakeFirst();
  const next = episodeId
    ? await trx
        .selectFrom('tasks')
        .select('due_on')
        .where('episode_id', '=', episodeId)
        .where('kind', '=', 'visit_due')
        .where('completed_at', 'is', null)
        .orderBy('due_on')
        .executeTakeFirst()
    : undefined;
  return {
    lastVisitOn: (last?.on as string | null | undefined) ?? null,
    nextDueOn: next?.due_on ?? null,
    overdue: next !== undefined && next.due_on < today,
    intervalWorkingDays: PROTECTION_TIMESCALES.visitWorkingDays,
  };
}

/** The protection overview for a child (audited as a view of the child). */
export async function protectionOverview(
  deps: Deps,
  actor: Actor,
  input: { personId: string } & Context,
): Promise<ProtectionOverview> {
  return viewChildPage(
    deps,
    actor,
    input.personId,
    { ...input, route: input.route ?? '/children/:id/protection', purpose: 'protection' },
    async (child) => {
      const today = londonDate(deps.clock.now());
      const episode = await currentEpisode(deps.db, child.id);
      const [strategies, enquiries, conferenceRows, planRows, meetings, pre] = await Promise.all([
        deps.db
          .selectFrom('strategy_discussions')
          .selectAll()
          .where('person_id', '=', child.id)
          .orderBy('held_on', 'desc')
          .orderBy('created_at', 'desc')
          .execute(),
        deps.db
          .selectFrom('section47_enquiries')
          .selectAll()
          .where('person_id', '=', child.id)
          .orderBy('started_on', 'desc')
          .orderBy('created_at', 'desc')
          .execute(),
        deps.db
          .selectFrom('conferences')
          .selectAll()
          .where('person_id', '=', child.id)
          .orderBy('held_on', 'desc')
          .orderBy('created_at', 'desc')
          .execute(),
        deps.db
          .selectFrom('plans')
          .selectAll()
          .where('person_id', '=', child.id)
          .where('kind', '=', 'child_protection')
          .orderBy('started_on', 'desc')
          .execute(),
        deps.db
          .selectFrom('family_network_meetings')
          .innerJoin('help_episodes', 'help_episodes.id', 'family_network_meetings.episode_id')
          .selectAll('family_network_meetings')
          .where('help_episodes.person_id', '=', child.id)
          .orderBy('family_network_meetings.offered_on', 'desc')
          .execute(),
        episode
          ? deps.db.selectFrom('pre_proceedings').selectAll().where('episode_id', '=', episode.id).execute()
          : Promise.resolve([]),
      ]);
      const conferences: ConferenceView[] = [];
      for (const row of conferenceRows)
        conferences.push(conferenceView(row, await participantsOf(deps.db, { conferenceId: row.id }), today));
      const plans: PlanLine[] = planRows.map((p) => ({
        id: p.id,
        status: p.status,
        startedOn: p.started_on,
        endedOn: p.ended_on,
        endReason: p.end_reason,
        initialCategory: categoryLabel(p.initial_category),
        latestCategory: categoryLabel(p.latest_category),
        nextReviewOn: p.next_review_on,
        reviewOverdue: p.status === 'active' && p.next_review_on !== null && p.next_review_on < today,
      }));
      const open = episode && episode.closed_on === null ? episode : null;
      const activePlan = plans.find((p) => p.status === 'active') ?? null;
      const offeredFor = new Set(
        meetings.map((m) => m.conference_id).filter((id): id is string => id !== null),
      );
      const offeredInEpisode = open ? meetings.some((m) => m.episode_id === open.id) : false;
      const prompts: { conferenceId: string | null; preProceedingsId: string | null; what: string }[] = [];
      if (open && !offeredInEpisode) {
        for (const c of conferences) {
          if (
            c.kind === 'initial' &&
            conferenceRows.find((r) => r.id === c.id)?.episode_id === open.id &&
            !offeredFor.has(c.id)
          )
            prompts.push({
              conferenceId: c.id,
              preProceedingsId: null,
              what: `the initial conference on ${longDate(c.heldOn)}`,
            });
        }
      }
      if (open) {
        for (const p of pre) {
          if (!meetings.some((m) => m.pre_proceedings_id === p.id) && !p.family_meeting_offered)
            prompts.push({
              conferenceId: null,
              preProceedingsId: p.id,
              what: `pre-proceedings started on ${longDate(p.started_on)}, before any court application`,
            });
        }
      }
      const canWrite = (await mayWrite(deps.db, deps, actor, child.id)) && open !== null;
      const held = new Map(
        conferenceRows
          .filter((r) => r.kind === 'initial' && r.section47_id)
          .map((r) => [r.section47_id, r] as const),
      );
      return {
        child,
        today,
        episode: episode
          ? { id: episode.id, status: episode.status, statusLabel: STATUS_LABELS[episode.status] }
          : null,
        canWrite,
        strategyDiscussions: strategies.map((s) => ({
          id: s.id,
          heldOn: s.held_on,
          decisionLabel: STRATEGY_DECISIONS[s.decision],
          agencies: s.agencies.length,
        })),
        enquiries: enquiries.map((e) => {
          const conference = held.get(e.id);
          const conferenceHeldOn = conference?.status === 'held' ? conference.held_on : null;
          const waiting =
            e.outcome === null || (e.outcome === 'initial_conference' && conferenceHeldOn === null);
          return {
            ...enquiryView(e),
            conferenceHeldOn,
            icpcOverdue:
              waiting && e.icpc_target_on !== null && e.icpc_target_on < today && open?.id === e.episode_id,
          };
        }),
        conferences,
        plans,
        activePlan,
        visits: await visitsDue(deps.db, child.id, open?.id ?? null, today),
        familyMeetings: meetings.map(familyMeetingView),
        familyMeetingPrompts: prompts,
        canArrangeInitial:
          canWrite &&
          enquiries.some(
            (e) => e.episode_id === open?.id && e.outcome === 'initial_conference' && !held.has(e.id),
          ),
        canArrangeReview:
          canWrite &&
          activePlan !== null &&
          !conferenceRows.some((r) => r.plan_id === activePlan.id && r.status === 'planned'),
      };
    },
  );
}

// ---------------------------------------------------------------------------------------------
// The child protection plan: actions (who does what by when), core groups, visits
// ---------------------------------------------------------------------------------------------

export type CoreGroupView = {
  readonly id: string;
  readonly heldOn: string;
  readonly familyView: string;
  readonly progress: string | null;
  readonly nextMeetingOn: string | null;
  readonly came: readonly ParticipantView[];
};

export type ProtectionPlanPage = {
  readonly child: ChildRef;
  readonly plan: PlanLine & { readonly familyWords: string | null; readonly childWords: string | null };
  readonly actions: readonly {
    id: string;
    goal: string;
    who: string;
    byWhen: string | null;
    progressLabel: string;
  }[];
  readonly conferences: readonly ConferenceView[];
  readonly coreGroups: readonly CoreGroupView[];
  readonly visits: VisitsDue;
  readonly canWrite: boolean;
  readonly editable: boolean;
};

async function loadProtectionPlan(trx: Executor, personId: string, planId: string) {
  if (!UUID.test(planId)) throw new NotFoundError();
  const plan = await trx
    .selectFrom('plans')
    .selectAll()
    .where('id', '=', planId)
    .where('person_id', '=', personId)
    .where('kind', '=', 'child_protection')
    .executeTakeFirst();
  if (!plan) throw new NotFoundError();
  return plan;
}

/** The child protection plan (audited as a view of the child). */
export async function protectionPlanPage(
  deps: Deps,
  actor: Actor,
  input: { personId: string; planId: string } & Context,
): Promise<ProtectionPlanPage> {
  return viewChildPage(
    deps,
    actor,
    input.personId,
    { ...input, route: input.route ?? '/children/:id/protection/plans/:pid', purpose: 'protection.plan' },
    async (child) => {
      const plan = await loadProtectionPlan(deps.db, child.id, input.planId);
      const today = londonDate(deps.clock.now());
      const [goals, conferenceRows, coreRows, episode] = await Promise.all([
        deps.db
          .selectFrom('plan_goals')
          .selectAll()
          .where('plan_id', '=', plan.id)
          .orderBy('position')
          .execute(),
        deps.db
          .selectFrom('conferences')
          .selectAll()
          .where('plan_id', '=', plan.id)
          .orderBy('held_on', 'desc')
          .execute(),
        deps.db
          .selectFrom('core_group_meetings')
          .selectAll()
          .where('plan_id', '=', plan.id)
          .orderBy('held_on', 'desc')
          .execute(),
        currentEpisode(deps.db, child.id),
      ]);
      const conferences: ConferenceView[] = [];
      for (const row of conferenceRows)
        conferences.push(conferenceView(row, await participantsOf(deps.db, { conferenceId: row.id }), today));
      const coreGroups: CoreGroupView[] = [];
      for (const row of coreRows)
        coreGroups.push({
          id: row.id,
          heldOn: row.held_on,
          familyView: row.family_view,
          progress: row.progress,
          nextMeetingOn: row.next_meeting_on,
          came: await participantsOf(deps.db, { coreGroupId: row.id }),
        });
      const canWrite = await mayWrite(deps.db, deps, actor, child.id);
      return {
        child,
        plan: {
          id: plan.id,
          status: plan.status,
          startedOn: plan.started_on,
          endedOn: plan.ended_on,
          endReason: plan.end_reason,
          initialCategory: categoryLabel(plan.initial_category),
          latestCategory: categoryLabel(plan.latest_category),
          nextReviewOn: plan.next_review_on,
          reviewOverdue:
            plan.status === 'active' && plan.next_review_on !== null && plan.next_review_on < today,
          familyWords: plan.family_words,
          childWords: plan.child_words,
        },
        actions: goals.map((g) => ({
          id: g.id,
          goal: g.goal,
          who: g.who,
          byWhen: g.by_when,
          progressLabel: g.progress ? GOAL_PROGRESS[g.progress] : GOAL_PROGRESS.not_started,
        })),
        conferences,
        coreGroups,
        visits: await visitsDue(deps.db, child.id, plan.status === 'active' ? plan.episode_id : null, today),
        canWrite,
        editable: canWrite && plan.status === 'active' && episode?.id === plan.episode_id,
      };
    },
  );
}

/** Records a core group meeting against an active child protection plan. */
export async function recordCoreGroup(
  deps: Deps,
  actor: Actor,
  input: { personId: string; planId: string; values: CoreGroupValues } & Context,
): Promise<string> {
  const v = input.values;
  const today = londonDate(deps.clock.now());
  return deps.db.transaction().execute(async (trx) => {
    const child = await writeChild(trx, deps, actor, input.personId);
    const plan = await loadProtectionPlan(trx, child.id, input.planId);
    const episode = await openEpisodeOf(trx, child.id);
    if (plan.status !== 'active' || episode?.id !== plan.episode_id || !plan.started_on)
      throw new ConflictError('Core groups are held while a child protection plan is active');
    const errors = new ErrorList();
    const heldOn = checkedDate(errors, 'heldOn', 'The date of the meeting', v.heldOn, {
      required: 'Enter the date of the core group meeting',
      notAfter: today,
      notBefore: { on: plan.started_on, why: 'when the plan started' },
    });
    const came: {
      name: string;
      role: string;
      kind: 'parent' | 'child' | 'family' | 'supporter' | 'professional';
    }[] = [];
    v.came.forEach((row, i) => {
      const n = String(i);
      if ([row.name, row.role].every((s) => s.trim() === '')) return;
      const name = text(errors, `inviteName-${n}`, 'The name', row.name, {
        max: SHORT_MAX,
        required: `Enter the name of person ${String(i + 1)}`,
      });
      const role = text(errors, `inviteRole-${n}`, 'Who they are', row.role, {
        max: SHORT_MAX,
        required: `Enter who person ${String(i + 1)} is, for example ‘Dad’ or ‘Class teacher’`,
      });
      const kind = ['parent', 'child', 'family', 'supporter', 'professional'].includes(row.kind)
        ? (row.kind as 'parent')
        : null;
      if (!kind)
        errors.add(`inviteKind-${n}`, `Choose whether person ${String(i + 1)} is family or a professional`);
      if (name && role && kind) came.push({ name, role, kind });
    });
    if (came.length === 0 && errors.empty) errors.add('inviteName-0', 'Enter who came to the meeting');
    const familyView = text(errors, 'familyView', 'What the family said', v.familyView, {
      max: TEXT_MAX,
      required: 'Enter what the family said at the meeting, in their words',
    });
    const progress = text(errors, 'progress', 'How the plan is going', v.progress, { max: TEXT_MAX });
    const nextMeetingOn = checkedDate(
      errors,
      'nextMeetingOn',
      'The date of the next meeting',
      v.nextMeetingOn,
      {},
    );
    if (nextMeetingOn && heldOn && nextMeetingOn <= heldOn)
      errors.addDate('nextMeetingOn', 'The next meeting must be after this one', ['day', 'month', 'year']);
    errors.throwIfAny();
    if (!heldOn || !familyView) throw new Error('unreachable: validated above');
    const row = await trx
      .insertInto('core_group_meetings')
      .values({
        plan_id: plan.id,
        episode_id: plan.episode_id,
        held_on: heldOn,
        family_view: familyView,
        progress,
        next_meeting_on: nextMeetingOn ?? null,
        recorded_by: actor.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('meeting_participants')
      .values(
        came.map((p, i) => ({
          core_group_id: row.id,
          position: i + 1,
          name: p.name,
          role: p.role,
          kind: p.kind,
          attended: true,
        })),
      )
      .execute();
    await addAutomaticEntry(trx, {
      personId: child.id,
      episodeId: plan.episode_id,
      occurredOn: heldOn,
      event: 'core_group.held',
      summary: `A core group meeting checked how your child protection plan is going${
        came.some((p) => p.kind === 'parent') ? ', with your parents there' : ''
      }.${nextMeetingOn ? ` The next one is on ${longDate(nextMeetingOn)}.` : ''}`,
      sourceType: 'core_group',
      sourceId: row.id,
      actorUserId: actor.userId,
    });
    await audit(trx, actor, {
      action: 'protection.core_group',
      entityType: 'core_group',
      entityId: row.id,
      detail: { personId: child.id, planId: plan.id, came: came.length },
      requestId: input.requestId,
    });
    return row.id;
  });
}

/** The child's name and the plan, for the forms that add to it (help 'write'; audited). */
export async function planFormPage(
  deps: Deps,
  actor: Actor,
  input: { personId: string; planId: string } & Context,
): Promise<{ child: ChildRef; planId: string; startedOn: string }> {
  await writeChild(deps.db, deps, actor, input.personId);
  return viewChildPage(
    deps,
    actor,
    input.personId,
    { ...input, route: input.route ?? '/children/:id/protection/plans/:pid', purpose: 'protection.plan' },
    async (child) => {
      const plan = await loadProtectionPlan(deps.db, child.id, input.planId);
      const episode = await currentEpisode(deps.db, child.id);
      if (plan.status !== 'active' || episode?.id !== plan.episode_id || !plan.started_on)
        throw new ConflictError('This child protection plan has ended');
      return { child, planId: plan.id, startedOn: plan.started_on };
    },
  );
}
