import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { partsFromIso } from '../../../modules/people/person-form.ts';
import {
  EMPTY_PLAN_REVIEW,
  EMPTY_SUPPORT_ITEM,
  PROVIDER_KINDS,
  STEP_TITLES,
  addPlanReview,
  addSupportItem,
  familyNetworkBase,
  familyNetworkFormPage,
  familyNetworkPage,
  isFamilyNetworkStep,
  readFamilyNetworkForm,
  readPlanReview,
  readSupportItem,
  saveFamilyNetworkStep,
  type FamilyNetworkStep,
  type FamilyNetworkValues,
  type PlanReviewValues,
  type SupportItemValues,
} from '../../../modules/protection/family-network.ts';
import { FAMILY_REPORTS } from '../../../modules/protection/family-network-report.ts';
import type { Deps } from '../../../platform/deps.ts';
import { InvalidInputError, NotFoundError } from '../../../platform/errors.ts';
import { field, fieldList } from '../../forms.ts';
import { actorOf } from '../guard.ts';
import { insightRoutes } from '../insight/routes.ts';
import { choices, formSource, pageErrors, postedVersion, type PageErrors } from '../people/helpers.ts';
import { practicalHelpRequestRoutes } from './practical-help.ts';

type MeetingParams = { Params: { id: string; meeting: string } };
type StepParams = { Params: { id: string; meeting: string; step: string } };

/** Where the family network and practical help reports live (the insight pages, on their own list). */
export const FAMILY_REPORTS_BASE = '/reports/family';

const DONE: Readonly<Record<string, string>> = {
  answer: 'The family’s answer has been saved.',
  coordinator: 'The coordinator has been saved.',
  preparation: 'The preparation has been saved.',
  meeting: 'The meeting has been recorded.',
  plan: 'The family’s plan has been saved.',
  support: 'The support has been added to the package.',
  review: 'The review of the plan has been recorded.',
};

/** The posted form with room for the family's plan in their own words. */
function longForm(request: FastifyRequest) {
  return {
    get: (name: string) => field(request.body, name, 20_000),
    list: (name: string) => fieldList(request.body, name),
  };
}

function yesNo(selected: string, yes = 'Yes', no = 'No') {
  return [
    { value: 'yes', text: yes, checked: selected === 'yes' },
    { value: 'no', text: no, checked: selected === 'no' },
  ];
}

/** Staff: family network meetings from offer to the family's plan and review; support packages; the report. */
export async function familyNetworkRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;

  await app.register(insightRoutes, { deps, views: FAMILY_REPORTS, base: FAMILY_REPORTS_BASE });
  await app.register(practicalHelpRequestRoutes, { deps });

  app.get<MeetingParams>('/children/:id/family-network/:meeting', async (request, reply) => {
    const page = await familyNetworkPage(deps, actorOf(request), {
      personId: request.params.id,
      meetingId: request.params.meeting,
      requestId: request.id,
      route: '/children/:id/family-network/:meeting',
    });
    return reply.view('pages/family-network/meeting.njk', {
      ...page,
      base: familyNetworkBase(page.child.id, page.meeting.id),
      protectionBase: `/children/${page.child.id}/protection`,
      done: DONE[field(request.query, 'done', 20)] ?? '',
    });
  });

  // The steps ----------------------------------------------------------------------------------------

  async function renderStep(
    request: FastifyRequest<StepParams>,
    reply: FastifyReply,
    step: FamilyNetworkStep,
    posted?: { values: FamilyNetworkValues; version: number; errors: PageErrors },
  ) {
    const page = await familyNetworkFormPage(deps, actorOf(request), {
      personId: request.params.id,
      meetingId: request.params.meeting,
      step,
      requestId: request.id,
      route: '/children/:id/family-network/:meeting/:step',
    });
    const values = posted?.values ?? page.values;
    if (posted) reply.code(400);
    return reply.view('pages/family-network/step.njk', {
      ...page,
      step,
      title: STEP_TITLES[step],
      base: familyNetworkBase(page.child.id, page.meeting.id),
      values,
      version: posted?.version ?? page.version,
      errors: posted?.errors,
      responses: [
        { value: 'accepted', text: 'They said yes', checked: values.response === 'accepted' },
        { value: 'declined', text: 'They said no', checked: values.response === 'declined' },
      ],
      privateTime: yesNo(values.privateTime),
      planAgreed: yesNo(values.planAgreed, 'Yes, the local authority agrees the plan', 'No'),
    });
  }

  function stepOf(request: FastifyRequest<StepParams>): FamilyNetworkStep {
    const step = request.params.step;
    if (!isFamilyNetworkStep(step)) throw new NotFoundError();
    return step;
  }

  app.get<StepParams>('/children/:id/family-network/:meeting/:step', async (request, reply) =>
    renderStep(request, reply, stepOf(request)),
  );

  app.post<StepParams>('/children/:id/family-network/:meeting/:step', async (request, reply) => {
    const step = stepOf(request);
    const values = readFamilyNetworkForm(longForm(request));
    const version = postedVersion(request);
    try {
      await saveFamilyNetworkStep(deps, actorOf(request), {
        personId: request.params.id,
        meetingId: request.params.meeting,
        step,
        version,
        values,
        requestId: request.id,
      });
      return await reply.redirect(
        `${familyNetworkBase(request.params.id, request.params.meeting)}?done=${step}`,
        303,
      );
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderStep(request, reply, step, { values, version, errors: pageErrors(error) });
    }
  });

  // The support package and reviews ----------------------------------------------------------------

  async function renderSupport(
    request: FastifyRequest<MeetingParams>,
    reply: FastifyReply,
    values: SupportItemValues,
    errors?: PageErrors,
  ) {
    const page = await familyNetworkFormPage(deps, actorOf(request), {
      personId: request.params.id,
      meetingId: request.params.meeting,
      step: 'support',
      requestId: request.id,
      route: '/children/:id/family-network/:meeting/support/new',
    });
    if (errors) reply.code(400);
    return reply.view('pages/family-network/support-form.njk', {
      ...page,
      base: familyNetworkBase(page.child.id, page.meeting.id),
      values,
      errors,
      providerKinds: choices(PROVIDER_KINDS, values.providerKind),
    });
  }

  app.get<MeetingParams>('/children/:id/family-network/:meeting/support/new', async (request, reply) =>
    renderSupport(request, reply, {
      ...EMPTY_SUPPORT_ITEM,
      fromOn: partsFromIso(null),
    }),
  );

  app.post<MeetingParams>('/children/:id/family-network/:meeting/support', async (request, reply) => {
    const values = readSupportItem(formSource(request));
    try {
      await addSupportItem(deps, actorOf(request), {
        personId: request.params.id,
        meetingId: request.params.meeting,
        values,
        requestId: request.id,
      });
      return await reply.redirect(
        `${familyNetworkBase(request.params.id, request.params.meeting)}?done=support#support`,
        303,
      );
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderSupport(request, reply, values, pageErrors(error));
    }
  });

  async function renderReview(
    request: FastifyRequest<MeetingParams>,
    reply: FastifyReply,
    values: PlanReviewValues,
    errors?: PageErrors,
  ) {
    const page = await familyNetworkFormPage(deps, actorOf(request), {
      personId: request.params.id,
      meetingId: request.params.meeting,
      step: 'review',
      requestId: request.id,
      route: '/children/:id/family-network/:meeting/reviews/new',
    });
    if (errors) reply.code(400);
    return reply.view('pages/family-network/review-form.njk', {
      ...page,
      base: familyNetworkBase(page.child.id, page.meeting.id),
      values,
      errors,
    });
  }

  app.get<MeetingParams>('/children/:id/family-network/:meeting/reviews/new', async (request, reply) =>
    renderReview(request, reply, EMPTY_PLAN_REVIEW),
  );

  app.post<MeetingParams>('/children/:id/family-network/:meeting/reviews', async (request, reply) => {
    const values = readPlanReview(longForm(request));
    try {
      await addPlanReview(deps, actorOf(request), {
        personId: request.params.id,
        meetingId: request.params.meeting,
        values,
        requestId: request.id,
      });
      return await reply.redirect(
        `${familyNetworkBase(request.params.id, request.params.meeting)}?done=review#reviews`,
        303,
      );
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderReview(request, reply, values, pageErrors(error));
    }
  });
}
