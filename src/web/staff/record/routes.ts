import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  BEDROOM_SEEN,
  EMPTY_VISIT_FORM,
  NoOpenEpisodeError,
  VISIT_KINDS,
  YES_NO,
  childForVisitForm,
  getVisitForEdit,
  listVisits,
  newVisitContext,
  readVisitForm,
  recordVisit,
  updateVisit,
  type VisitFormValues,
} from '../../../modules/help/visits.ts';
import { STATUS_LABELS } from '../../../modules/help/episodes.ts';
import type { Deps } from '../../../platform/deps.ts';
import { InvalidInputError } from '../../../platform/errors.ts';
import { actorOf } from '../guard.ts';
import { mergedRecordRedirect } from '../people/merged-redirect.ts';
import { choices, formSource, pageErrors, postedVersion, type PageErrors } from '../people/helpers.ts';
import { chronologyRoutes } from './chronology-routes.ts';
import { documentRoutes } from './documents-routes.ts';
import { noteRoutes } from './notes-routes.ts';
import { practicalHelpRoutes } from './practical-help-routes.ts';
import { childView, renderNoOpenEpisode, type ChildParams } from './shared.ts';

type VisitParams = { Params: { id: string; vid: string } };

/** The choices on the visit form, with what was chosen marked. */
function visitFormLists(values: VisitFormValues) {
  return {
    kinds: choices(VISIT_KINDS, values.kind),
    statutoryItems: choices(YES_NO, values.statutory),
    childSeenNo: { value: 'no', text: 'No', checked: values.childSeen === 'no' },
    childSeenYes: values.childSeen === 'yes',
    seenAloneItems: choices(YES_NO, values.childSeenAlone),
    bedroomItems: choices(BEDROOM_SEEN, values.bedroomSeen),
  };
}

/**
 * The child's help record, day to day: visits, notes, the chronology, documents and practical help
 * (/children/:id/visits, /notes, /chronology, /documents, /practical-help).
 */
export async function recordRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;
  // A merged record's pages lead to the kept record's.
  app.addHook('preHandler', mergedRecordRedirect(deps));

  app.get<ChildParams>('/children/:id/visits', async (request, reply) => {
    const result = await listVisits(deps, actorOf(request), {
      personId: request.params.id,
      requestId: request.id,
    });
    return reply.view('pages/record/visits.njk', {
      child: childView(result.child),
      visits: result.visits,
      nextDue: result.nextDue,
      hasOpenEpisode: result.episode !== undefined,
      status: result.episode ? STATUS_LABELS[result.episode.status] : undefined,
      mayWrite: result.mayWrite,
    });
  });

  async function renderVisitForm(
    request: FastifyRequest<ChildParams>,
    reply: FastifyReply,
    values: VisitFormValues,
    errors?: PageErrors,
  ) {
    const context = await newVisitContext(deps, actorOf(request), { personId: request.params.id });
    if (!context.episode) {
      return renderNoOpenEpisode(reply, context.child, 'record a visit', errors ? 409 : 200);
    }
    if (errors) reply.code(400);
    return reply.view('pages/record/visit-form.njk', {
      child: childView(context.child),
      values,
      errors,
      action: `/children/${context.child.id}/visits`,
      title: 'Record a visit',
      interval: context.intervalWorkingDays,
      status: STATUS_LABELS[context.episode.status].toLowerCase(),
      ...visitFormLists(values),
    });
  }

  app.get<ChildParams>('/children/:id/visits/new', async (request, reply) =>
    renderVisitForm(request, reply, EMPTY_VISIT_FORM),
  );

  app.post<ChildParams>('/children/:id/visits', async (request, reply) => {
    const values = readVisitForm(formSource(request));
    try {
      await recordVisit(deps, actorOf(request), {
        personId: request.params.id,
        values,
        requestId: request.id,
      });
      return await reply.redirect(`/children/${request.params.id}/visits`, 303);
    } catch (error) {
      if (error instanceof NoOpenEpisodeError) {
        const child = await childForVisitForm(deps, actorOf(request), { personId: request.params.id });
        return renderNoOpenEpisode(reply, child, 'record a visit', 409);
      }
      if (!(error instanceof InvalidInputError)) throw error;
      return renderVisitForm(request, reply, values, pageErrors(error));
    }
  });

  async function renderEdit(
    request: FastifyRequest<VisitParams>,
    reply: FastifyReply,
    form?: { values: VisitFormValues; version: number; errors: PageErrors },
  ) {
    const actor = actorOf(request);
    const { id, vid } = request.params;
    let page: { child: ReturnType<typeof childView>; values: VisitFormValues; version: number };
    if (form) {
      const child = await childForVisitForm(deps, actor, { personId: id, visitId: vid });
      reply.code(400);
      page = { child: childView(child), values: form.values, version: form.version };
    } else {
      const loaded = await getVisitForEdit(deps, actor, {
        personId: id,
        visitId: vid,
        requestId: request.id,
      });
      page = { child: childView(loaded.child), values: loaded.values, version: loaded.version };
    }
    return reply.view('pages/record/visit-form.njk', {
      ...page,
      errors: form?.errors,
      action: `/children/${page.child.id}/visits/${vid}/edit`,
      title: 'Change a visit',
      editing: true,
      ...visitFormLists(page.values),
    });
  }

  app.get<VisitParams>('/children/:id/visits/:vid/edit', async (request, reply) =>
    renderEdit(request, reply),
  );

  app.post<VisitParams>('/children/:id/visits/:vid/edit', async (request, reply) => {
    const values = readVisitForm(formSource(request));
    const version = postedVersion(request);
    try {
      await updateVisit(deps, actorOf(request), {
        personId: request.params.id,
        visitId: request.params.vid,
        values,
        version,
        requestId: request.id,
      });
      return await reply.redirect(`/children/${request.params.id}/visits`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderEdit(request, reply, { values, version, errors: pageErrors(error) });
    }
  });

  await app.register(noteRoutes, { deps });
  await app.register(chronologyRoutes, { deps });
  await app.register(documentRoutes, { deps });
  await app.register(practicalHelpRoutes, { deps });
}
