import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can } from '../../../modules/access/actor.ts';
import {
  ASSESSMENT_OUTCOMES,
  CIRCUMSTANCE_AREAS,
  CIRCUMSTANCE_ORDER,
  FACTORS,
  FACTOR_GROUPS,
  NO_FACTORS,
} from '../../../modules/help/assessment-codes.ts';
import { readAssessmentForm, type AssessmentFormValues } from '../../../modules/help/assessment-form.ts';
import {
  assessmentPage,
  authoriseAssessment,
  listAssessments,
  newAssessmentPage,
  saveAssessment,
  startAssessment,
  submitAssessment,
  todayParts,
  type AssessmentDetail,
} from '../../../modules/help/assessments.ts';
import { readDateParts, type DateParts } from '../../../modules/people/person-form.ts';
import { familyViewsByKey } from '../../../modules/portal/content/views.ts';
import type { Deps } from '../../../platform/deps.ts';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../../../platform/errors.ts';
import { field, fieldList } from '../../forms.ts';
import { actorOf } from '../guard.ts';
import { choices, pageErrors, postedVersion, type PageErrors } from '../people/helpers.ts';

type ChildParams = { Params: { id: string } };
type AssessmentParams = { Params: { id: string; aid: string } };

/** Long answers (the analysis, the family's account) are read in full; the services check lengths. */
function longForm(request: FastifyRequest) {
  return {
    get: (name: string) => field(request.body, name, 50_000),
    list: (name: string) => fieldList(request.body, name),
  };
}

function basePath(personId: string): string {
  return `/children/${personId}/assessments`;
}

/** The checkbox groups, radios and circumstance questions for the form, with the answers marked. */
function formLists(values: AssessmentFormValues, errors: PageErrors | undefined) {
  const factorItems = (codes: readonly string[]) =>
    codes.map((code) => ({
      value: code,
      text: FACTORS[code] ?? code,
      hint: { text: `Census code ${code}` },
      checked: values.factors.includes(code),
    }));
  return {
    factorGroups: FACTOR_GROUPS.map((group, index) => ({
      id: index === 0 ? 'factors' : `factors-${group.id}`,
      heading: group.heading,
      items: factorItems(group.codes),
    })),
    noFactors: {
      value: NO_FACTORS,
      text: FACTORS[NO_FACTORS] ?? 'No factors identified',
      checked: values.factors.includes(NO_FACTORS),
    },
    areas: CIRCUMSTANCE_ORDER.map((area) => ({
      area,
      ...CIRCUMSTANCE_AREAS[area],
      need: values.circumstances[area].need,
      detail: values.circumstances[area].detail,
      needError: errors?.byField[`need-${area}`],
      detailError: errors?.byField[`detail-${area}`],
    })),
    outcomes: choices(ASSESSMENT_OUTCOMES, values.outcome),
  };
}

/** Assessments: start, write (drafts saved as you go), send for authorisation, authorise or return. */
export async function assessmentRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;

  app.get<ChildParams>('/children/:id/assessments', async (request, reply) => {
    const page = await listAssessments(deps, actorOf(request), {
      personId: request.params.id,
      requestId: request.id,
      route: '/children/:id/assessments',
    });
    return reply.view('pages/assessments/list.njk', { ...page, base: basePath(page.child.id) });
  });

  async function renderNew(
    request: FastifyRequest<ChildParams>,
    reply: FastifyReply,
    startedOn: DateParts,
    errors?: PageErrors,
  ) {
    const page = await newAssessmentPage(deps, actorOf(request), {
      personId: request.params.id,
      requestId: request.id,
      route: '/children/:id/assessments/new',
    });
    if (errors) reply.code(400);
    return reply.view('pages/assessments/new.njk', {
      ...page,
      base: basePath(page.child.id),
      startedOn,
      errors,
    });
  }

  app.get<ChildParams>('/children/:id/assessments/new', async (request, reply) =>
    renderNew(request, reply, todayParts(deps)),
  );

  app.post<ChildParams>('/children/:id/assessments', async (request, reply) => {
    const startedOn = readDateParts(longForm(request), 'startedOn');
    try {
      const id = await startAssessment(deps, actorOf(request), {
        personId: request.params.id,
        startedOn,
        requestId: request.id,
      });
      return await reply.redirect(`${basePath(request.params.id)}/${id}/edit`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderNew(request, reply, startedOn, pageErrors(error));
    }
  });

  function load(request: FastifyRequest<AssessmentParams>, route: string): Promise<AssessmentDetail> {
    return assessmentPage(deps, actorOf(request), {
      personId: request.params.id,
      assessmentId: request.params.aid,
      requestId: request.id,
      route,
    });
  }

  app.get<AssessmentParams>('/children/:id/assessments/:aid', async (request, reply) => {
    const a = await load(request, '/children/:id/assessments/:aid');
    const done = field(request.query, 'done', 20);
    return reply.view('pages/assessments/view.njk', {
      a,
      base: basePath(a.child.id),
      done: ['saved', 'submitted', 'returned'].includes(done) ? done : '',
      // The family's own views from the portal, beside the professional analysis.
      familyViews: await familyViewsByKey(deps.db, [{ type: 'assessment', id: a.id }]),
    });
  });

  async function renderEdit(
    request: FastifyRequest<AssessmentParams>,
    reply: FastifyReply,
    form?: { values: AssessmentFormValues; version: number; errors: PageErrors },
  ) {
    const a = await load(request, '/children/:id/assessments/:aid/edit');
    if (!a.canWrite) throw new ForbiddenError();
    if (!form && !a.editable) return reply.redirect(`${basePath(a.child.id)}/${a.id}`, 303);
    const values = form?.values ?? a.values;
    if (form) reply.code(400);
    return reply.view('pages/assessments/edit.njk', {
      a,
      base: basePath(a.child.id),
      values,
      version: form?.version ?? a.version,
      errors: form?.errors,
      ...formLists(values, form?.errors),
    });
  }

  app.get<AssessmentParams>('/children/:id/assessments/:aid/edit', async (request, reply) =>
    renderEdit(request, reply),
  );

  app.post<AssessmentParams>('/children/:id/assessments/:aid/edit', async (request, reply) => {
    const actor = actorOf(request);
    const values = readAssessmentForm(longForm(request));
    let version = postedVersion(request);
    const target = { personId: request.params.id, assessmentId: request.params.aid, requestId: request.id };
    try {
      ({ version } = await saveAssessment(deps, actor, { ...target, version, values }));
      if (field(request.body, 'action', 20) === 'submit') {
        await submitAssessment(deps, actor, { ...target, version });
        return await reply.redirect(
          `${basePath(request.params.id)}/${request.params.aid}?done=submitted`,
          303,
        );
      }
      return await reply.redirect(`${basePath(request.params.id)}/${request.params.aid}?done=saved`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderEdit(request, reply, { values, version, errors: pageErrors(error) });
    }
  });

  app.get<AssessmentParams>('/children/:id/assessments/:aid/submit', async (request, reply) => {
    const a = await load(request, '/children/:id/assessments/:aid/submit');
    if (!a.canWrite) throw new ForbiddenError();
    if (!a.editable) return reply.redirect(`${basePath(a.child.id)}/${a.id}`, 303);
    return reply.view('pages/assessments/submit.njk', { a, base: basePath(a.child.id) });
  });

  app.post<AssessmentParams>('/children/:id/assessments/:aid/submit', async (request, reply) => {
    const version = postedVersion(request);
    try {
      await submitAssessment(deps, actorOf(request), {
        personId: request.params.id,
        assessmentId: request.params.aid,
        version,
        requestId: request.id,
      });
      return await reply.redirect(`${basePath(request.params.id)}/${request.params.aid}?done=submitted`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      // What is missing is shown on the form itself, so each message links to its question.
      const a = await load(request, '/children/:id/assessments/:aid/edit');
      return renderEdit(request, reply, { values: a.values, version: a.version, errors: pageErrors(error) });
    }
  });

  async function renderAuthorise(
    request: FastifyRequest<AssessmentParams>,
    reply: FastifyReply,
    form?: { decision: string; comment: string; version: number; errors: PageErrors },
  ) {
    const a = await load(request, '/children/:id/assessments/:aid/authorise');
    if (!can(actorOf(request), 'help', 'authorise')) throw new ForbiddenError();
    if (!a.canAuthorise) throw new NotFoundError();
    if (form) reply.code(400);
    const decision = form?.decision ?? '';
    return reply.view('pages/assessments/authorise.njk', {
      a,
      base: basePath(a.child.id),
      decision,
      comment: form?.comment ?? '',
      version: form?.version ?? a.version,
      errors: form?.errors,
    });
  }

  app.get<AssessmentParams>('/children/:id/assessments/:aid/authorise', async (request, reply) =>
    renderAuthorise(request, reply),
  );

  app.post<AssessmentParams>('/children/:id/assessments/:aid/authorise', async (request, reply) => {
    const decision = field(request.body, 'decision', 20);
    const comment = field(request.body, 'comment', 10_000);
    const version = postedVersion(request);
    try {
      const result = await authoriseAssessment(deps, actorOf(request), {
        personId: request.params.id,
        assessmentId: request.params.aid,
        version,
        decision,
        comment,
        requestId: request.id,
      });
      const path = `${basePath(request.params.id)}/${request.params.aid}`;
      return await reply.redirect(
        result.decision === 'authorise' ? `${path}/authorised` : `${path}?done=returned`,
        303,
      );
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderAuthorise(request, reply, { decision, comment, version, errors: pageErrors(error) });
    }
  });

  app.get<AssessmentParams>('/children/:id/assessments/:aid/authorised', async (request, reply) => {
    const a = await load(request, '/children/:id/assessments/:aid/authorised');
    if (a.status !== 'authorised') return reply.redirect(`${basePath(a.child.id)}/${a.id}`, 303);
    return reply.view('pages/assessments/authorised.njk', { a, base: basePath(a.child.id) });
  });
}
