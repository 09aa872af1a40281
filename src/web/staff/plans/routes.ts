import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { EMPTY_DATE, isoToday, partsFromIso } from '../../../modules/people/person-form.ts';
import {
  CREATABLE_PLAN_KINDS,
  GOAL_PROGRESS,
  PLAN_KIND_HINTS,
  PRIMARY_NEEDS,
  REFERRAL_SOURCES,
  REVIEW_DECISIONS,
} from '../../../modules/help/plan-codes.ts';
import {
  readEnd,
  readGoal,
  readPlanWords,
  readReview,
  readStart,
  type EndValues,
  type GoalValues,
  type PlanWordsValues,
  type ReviewValues,
  type StartValues,
} from '../../../modules/help/plan-form.ts';
import {
  addGoal,
  createPlan,
  endPlan,
  listPlans,
  newPlanPage,
  planPage,
  recordReview,
  removeGoal,
  startPlan,
  suggestedNextReview,
  updateGoal,
  updatePlan,
  type PlanDetail,
} from '../../../modules/help/plans.ts';
import { familyViewsByKey } from '../../../modules/portal/content/views.ts';
import { planAttributionOf } from '../../../modules/partners/shared-plan.ts';
import type { Deps } from '../../../platform/deps.ts';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../../../platform/errors.ts';
import { field, fieldList } from '../../forms.ts';
import { actorOf } from '../guard.ts';
import { choices, pageErrors, postedVersion, type PageErrors } from '../people/helpers.ts';

type ChildParams = { Params: { id: string } };
type PlanParams = { Params: { id: string; pid: string } };
type GoalParams = { Params: { id: string; pid: string; gid: string } };

function form(request: FastifyRequest) {
  return {
    get: (name: string) => field(request.body, name, 20_000),
    list: (name: string) => fieldList(request.body, name),
  };
}

function plansPath(personId: string): string {
  return `/children/${personId}/plans`;
}

function planPath(personId: string, planId: string): string {
  return `${plansPath(personId)}/${planId}`;
}

const DONE_MESSAGES: Readonly<Record<string, string>> = {
  created: 'The plan has been created as a draft. Add the goals and the family’s words, then start it.',
  saved: 'Your changes have been saved.',
  goal: 'The goal has been saved.',
  removed: 'The goal has been removed.',
  started: 'The plan has started.',
  moved: 'The plan has started, and the child’s help is now child in need.',
  reviewed: 'The review has been recorded.',
  ended: 'The plan has ended.',
};

function selectItems(list: Readonly<Record<string, string>>, selected: string, prompt: string) {
  return [
    { value: '', text: prompt, selected: selected === '' },
    ...Object.entries(list).map(([value, text]) => ({ value, text, selected: value === selected })),
  ];
}

/** Plans written with the family: create, goals one at a time, start, review, end. */
export async function planRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;

  app.get<ChildParams>('/children/:id/plans', async (request, reply) => {
    const page = await listPlans(deps, actorOf(request), {
      personId: request.params.id,
      requestId: request.id,
      route: '/children/:id/plans',
    });
    return reply.view('pages/plans/list.njk', { ...page, base: plansPath(page.child.id) });
  });

  async function renderNew(
    request: FastifyRequest<ChildParams>,
    reply: FastifyReply,
    kind: string,
    errors?: PageErrors,
  ) {
    const page = await newPlanPage(deps, actorOf(request), {
      personId: request.params.id,
      requestId: request.id,
      route: '/children/:id/plans/new',
    });
    if (errors) reply.code(400);
    return reply.view('pages/plans/new.njk', {
      ...page,
      base: plansPath(page.child.id),
      kinds: Object.entries(CREATABLE_PLAN_KINDS).map(([value, text]) => ({
        value,
        text,
        hint: { text: PLAN_KIND_HINTS[value as keyof typeof CREATABLE_PLAN_KINDS] },
        checked: value === kind,
      })),
      errors,
    });
  }

  app.get<ChildParams>('/children/:id/plans/new', async (request, reply) =>
    renderNew(request, reply, field(request.query, 'kind', 20)),
  );

  app.post<ChildParams>('/children/:id/plans', async (request, reply) => {
    const kind = field(request.body, 'kind', 20);
    try {
      const id = await createPlan(deps, actorOf(request), {
        personId: request.params.id,
        kind,
        requestId: request.id,
      });
      return await reply.redirect(`${planPath(request.params.id, id)}?done=created`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderNew(request, reply, kind, pageErrors(error));
    }
  });

  function load(request: FastifyRequest<PlanParams>, route: string): Promise<PlanDetail> {
    return planPage(deps, actorOf(request), {
      personId: request.params.id,
      planId: request.params.pid,
      requestId: request.id,
      route,
    });
  }

  /** A plan for a form that changes it: the actor must be able to write, and the plan still open. */
  async function loadForChange(
    request: FastifyRequest<PlanParams>,
    reply: FastifyReply,
    route: string,
    allowed: (plan: PlanDetail) => boolean = (plan) => plan.editable,
  ): Promise<PlanDetail | undefined> {
    const plan = await load(request, route);
    if (!plan.canWrite) throw new ForbiddenError();
    if (!allowed(plan)) {
      await reply.redirect(planPath(plan.child.id, plan.id), 303);
      return undefined;
    }
    return plan;
  }

  app.get<PlanParams>('/children/:id/plans/:pid', async (request, reply) => {
    const plan = await load(request, '/children/:id/plans/:pid');
    const done = DONE_MESSAGES[field(request.query, 'done', 20)] ?? '';
    // The family's own views from the portal, beside the plan and each review.
    const familyViews = await familyViewsByKey(deps.db, [
      { type: 'plan', id: plan.id },
      ...plan.reviews.map((r) => ({ type: 'plan_review' as const, id: r.id })),
    ]);
    // Who added each goal and each progress update, and for which organisation (the shared plan).
    const attribution = await planAttributionOf(deps.db, plan.id);
    return reply.view('pages/plans/view.njk', {
      plan,
      base: planPath(plan.child.id, plan.id),
      done,
      familyViews,
      attribution,
    });
  });

  // The family's and the child's words, and how often it is reviewed ---------------------------

  async function renderEdit(
    request: FastifyRequest<PlanParams>,
    reply: FastifyReply,
    posted?: { values: PlanWordsValues; version: number; errors: PageErrors },
  ) {
    const plan = await loadForChange(request, reply, '/children/:id/plans/:pid/edit');
    if (!plan) return reply;
    if (posted) reply.code(400);
    return reply.view('pages/plans/edit.njk', {
      plan,
      base: planPath(plan.child.id, plan.id),
      values: posted?.values ?? {
        familyWords: plan.familyWords ?? '',
        childWords: plan.childWords ?? '',
        reviewIntervalDays: String(plan.reviewIntervalDays),
      },
      version: posted?.version ?? plan.version,
      errors: posted?.errors,
    });
  }

  app.get<PlanParams>('/children/:id/plans/:pid/edit', async (request, reply) => renderEdit(request, reply));

  app.post<PlanParams>('/children/:id/plans/:pid/edit', async (request, reply) => {
    const values = readPlanWords(form(request));
    const version = postedVersion(request);
    try {
      await updatePlan(deps, actorOf(request), {
        personId: request.params.id,
        planId: request.params.pid,
        version,
        values,
        requestId: request.id,
      });
      return await reply.redirect(`${planPath(request.params.id, request.params.pid)}?done=saved`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderEdit(request, reply, { values, version, errors: pageErrors(error) });
    }
  });

  // Goals, one at a time ------------------------------------------------------------------------

  async function renderGoal(
    request: FastifyRequest<PlanParams & { Params: { gid?: string } }>,
    reply: FastifyReply,
    posted?: { values: GoalValues; version: number; errors: PageErrors },
  ) {
    const plan = await loadForChange(
      request,
      reply,
      request.routeOptions.url ?? '/children/:id/plans/:pid/goals',
    );
    if (!plan) return reply;
    const goalId = request.params.gid;
    const goal = goalId === undefined ? undefined : plan.goals.find((g) => g.id === goalId);
    if (goalId !== undefined && !goal) throw new NotFoundError();
    const values: GoalValues = posted?.values ?? {
      goal: goal?.goal ?? '',
      who: goal?.who ?? '',
      byWhen: goal ? partsFromIso(goal.byWhen) : EMPTY_DATE,
      progress: goal?.progress ?? '',
    };
    if (posted) reply.code(400);
    return reply.view('pages/plans/goal.njk', {
      plan,
      goal,
      base: planPath(plan.child.id, plan.id),
      values,
      progress: choices(GOAL_PROGRESS, values.progress),
      version: posted?.version ?? goal?.version ?? 0,
      errors: posted?.errors,
    });
  }

  app.get<PlanParams>('/children/:id/plans/:pid/goals/new', async (request, reply) =>
    renderGoal(request, reply),
  );

  app.post<PlanParams>('/children/:id/plans/:pid/goals', async (request, reply) => {
    const values = readGoal(form(request));
    try {
      await addGoal(deps, actorOf(request), {
        personId: request.params.id,
        planId: request.params.pid,
        values,
        requestId: request.id,
      });
      return await reply.redirect(`${planPath(request.params.id, request.params.pid)}?done=goal#goals`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderGoal(request, reply, { values, version: 0, errors: pageErrors(error) });
    }
  });

  app.get<GoalParams>('/children/:id/plans/:pid/goals/:gid/edit', async (request, reply) =>
    renderGoal(request, reply),
  );

  app.post<GoalParams>('/children/:id/plans/:pid/goals/:gid/edit', async (request, reply) => {
    const values = readGoal(form(request));
    const version = postedVersion(request);
    try {
      await updateGoal(deps, actorOf(request), {
        personId: request.params.id,
        planId: request.params.pid,
        goalId: request.params.gid,
        version,
        values,
        requestId: request.id,
      });
      return await reply.redirect(`${planPath(request.params.id, request.params.pid)}?done=goal#goals`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderGoal(request, reply, { values, version, errors: pageErrors(error) });
    }
  });

  app.get<GoalParams>('/children/:id/plans/:pid/goals/:gid/remove', async (request, reply) => {
    const plan = await loadForChange(request, reply, '/children/:id/plans/:pid/goals/:gid/remove');
    if (!plan) return reply;
    const goal = plan.goals.find((g) => g.id === request.params.gid);
    if (!goal) throw new NotFoundError();
    return reply.view('pages/plans/goal-remove.njk', { plan, goal, base: planPath(plan.child.id, plan.id) });
  });

  app.post<GoalParams>('/children/:id/plans/:pid/goals/:gid/remove', async (request, reply) => {
    await removeGoal(deps, actorOf(request), {
      personId: request.params.id,
      planId: request.params.pid,
      goalId: request.params.gid,
      version: postedVersion(request),
      requestId: request.id,
    });
    return reply.redirect(`${planPath(request.params.id, request.params.pid)}?done=removed#goals`, 303);
  });

  // Starting ------------------------------------------------------------------------------------

  async function renderStart(
    request: FastifyRequest<PlanParams>,
    reply: FastifyReply,
    posted?: { values: StartValues; version: number; errors: PageErrors },
  ) {
    const plan = await loadForChange(
      request,
      reply,
      '/children/:id/plans/:pid/start',
      (p) => p.editable && p.status === 'draft',
    );
    if (!plan) return reply;
    const values: StartValues = posted?.values ?? {
      startedOn: partsFromIso(isoToday(deps.clock.now())),
      referralSource: '',
      primaryNeed: '',
    };
    if (posted) reply.code(400);
    return reply.view('pages/plans/start.njk', {
      plan,
      base: planPath(plan.child.id, plan.id),
      values,
      referralSources: selectItems(
        REFERRAL_SOURCES,
        values.referralSource,
        'Select who the referral came from',
      ),
      primaryNeeds: selectItems(PRIMARY_NEEDS, values.primaryNeed, 'Select the main need'),
      version: posted?.version ?? plan.version,
      errors: posted?.errors,
    });
  }

  app.get<PlanParams>('/children/:id/plans/:pid/start', async (request, reply) =>
    renderStart(request, reply),
  );

  app.post<PlanParams>('/children/:id/plans/:pid/start', async (request, reply) => {
    const values = readStart(form(request));
    const version = postedVersion(request);
    try {
      const result = await startPlan(deps, actorOf(request), {
        personId: request.params.id,
        planId: request.params.pid,
        version,
        values,
        requestId: request.id,
      });
      const done = result.movedEpisode ? 'moved' : 'started';
      return await reply.redirect(`${planPath(request.params.id, request.params.pid)}?done=${done}`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderStart(request, reply, { values, version, errors: pageErrors(error) });
    }
  });

  // Reviews -------------------------------------------------------------------------------------

  async function renderReview(
    request: FastifyRequest<PlanParams>,
    reply: FastifyReply,
    posted?: { values: ReviewValues; version: number; errors: PageErrors },
  ) {
    const plan = await loadForChange(
      request,
      reply,
      '/children/:id/plans/:pid/reviews/new',
      (p) => p.editable && p.status === 'active',
    );
    if (!plan) return reply;
    const values: ReviewValues = posted?.values ?? {
      reviewedOn: EMPTY_DATE,
      familyView: '',
      childView: '',
      progressSummary: '',
      decision: '',
      nextReviewOn: suggestedNextReview(deps, plan.reviewIntervalDays),
    };
    if (posted) reply.code(400);
    return reply.view('pages/plans/review.njk', {
      plan,
      base: planPath(plan.child.id, plan.id),
      values,
      decisions: choices(REVIEW_DECISIONS, values.decision),
      version: posted?.version ?? plan.version,
      errors: posted?.errors,
    });
  }

  app.get<PlanParams>('/children/:id/plans/:pid/reviews/new', async (request, reply) =>
    renderReview(request, reply),
  );

  app.post<PlanParams>('/children/:id/plans/:pid/reviews', async (request, reply) => {
    const values = readReview(form(request));
    const version = postedVersion(request);
    try {
      await recordReview(deps, actorOf(request), {
        personId: request.params.id,
        planId: request.params.pid,
        version,
        values,
        requestId: request.id,
      });
      return await reply.redirect(
        `${planPath(request.params.id, request.params.pid)}?done=reviewed#reviews`,
        303,
      );
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderReview(request, reply, { values, version, errors: pageErrors(error) });
    }
  });

  // Ending --------------------------------------------------------------------------------------

  async function renderEnd(
    request: FastifyRequest<PlanParams>,
    reply: FastifyReply,
    posted?: { values: EndValues; version: number; errors: PageErrors },
  ) {
    const plan = await loadForChange(
      request,
      reply,
      '/children/:id/plans/:pid/end',
      (p) => p.editable && p.status === 'active',
    );
    if (!plan) return reply;
    if (posted) reply.code(400);
    const values: EndValues = posted?.values ?? { endedOn: EMPTY_DATE, reason: '' };
    return reply.view('pages/plans/end.njk', {
      plan,
      base: planPath(plan.child.id, plan.id),
      values,
      version: posted?.version ?? plan.version,
      errors: posted?.errors,
    });
  }

  app.get<PlanParams>('/children/:id/plans/:pid/end', async (request, reply) => renderEnd(request, reply));

  app.post<PlanParams>('/children/:id/plans/:pid/end', async (request, reply) => {
    const values = readEnd(form(request));
    const version = postedVersion(request);
    try {
      await endPlan(deps, actorOf(request), {
        personId: request.params.id,
        planId: request.params.pid,
        version,
        values,
        requestId: request.id,
      });
      return await reply.redirect(`${planPath(request.params.id, request.params.pid)}?done=ended`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderEnd(request, reply, { values, version, errors: pageErrors(error) });
    }
  });
}
