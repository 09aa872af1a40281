import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  EMPTY_HELP_DECISION,
  HELP_CATEGORIES,
  PRACTICAL_HELP_KINDS,
  WELFARE_OUTCOMES,
  practicalHelpItemPage,
  progressPracticalHelp,
  readHelpDecision,
  readHelpRequest,
  requestPracticalHelp,
  listPracticalHelp,
  EMPTY_PRACTICAL_HELP_FORM,
  type HelpDecisionValues,
  type HelpRequestValues,
} from '../../../modules/help/practical-help.ts';
import { NoOpenEpisodeError } from '../../../modules/help/visits.ts';
import type { Deps } from '../../../platform/deps.ts';
import { InvalidInputError } from '../../../platform/errors.ts';
import { actorOf } from '../guard.ts';
import { choices, formSource, pageErrors, postedVersion, type PageErrors } from '../people/helpers.ts';
import { childView, renderNoOpenEpisode, type ChildParams } from '../record/shared.ts';

type HelpParams = { Params: { id: string; help: string } };

/**
 * Practical and financial help as requests: a request (or welfare-rights referral) recorded from the
 * child's practical help page, then each request's page with its next step (a manager's decision,
 * the payment, the referral's outcome). The list and the "help given" form stay in the record routes.
 */
export async function practicalHelpRequestRoutes(
  app: FastifyInstance,
  options: { deps: Deps },
): Promise<void> {
  const { deps } = options;

  async function renderList(
    request: FastifyRequest<ChildParams>,
    reply: FastifyReply,
    requestValues: HelpRequestValues,
    errors: PageErrors,
  ) {
    const result = await listPracticalHelp(deps, actorOf(request), {
      personId: request.params.id,
      requestId: request.id,
    });
    reply.code(400);
    return reply.view('pages/record/practical-help.njk', {
      ...result,
      child: childView(result.child),
      values: EMPTY_PRACTICAL_HELP_FORM,
      kinds: choices(PRACTICAL_HELP_KINDS, ''),
      requestValues,
      requestErrors: errors,
      errors,
      requestKinds: choices(PRACTICAL_HELP_KINDS, requestValues.kind, 'selected'),
      categories: choices(HELP_CATEGORIES, requestValues.category),
    });
  }

  app.post<ChildParams>('/children/:id/practical-help/requests', async (request, reply) => {
    const values = readHelpRequest(formSource(request));
    try {
      const id = await requestPracticalHelp(deps, actorOf(request), {
        personId: request.params.id,
        values,
        requestId: request.id,
      });
      return await reply.redirect(`/children/${request.params.id}/practical-help/${id}`, 303);
    } catch (error) {
      if (error instanceof NoOpenEpisodeError) {
        const list = await listPracticalHelp(deps, actorOf(request), { personId: request.params.id });
        return renderNoOpenEpisode(reply, list.child, 'record a request for help', 409);
      }
      if (!(error instanceof InvalidInputError)) throw error;
      return renderList(request, reply, values, pageErrors(error));
    }
  });

  async function renderItem(
    request: FastifyRequest<HelpParams>,
    reply: FastifyReply,
    posted?: { values: HelpDecisionValues; version: number; errors: PageErrors },
  ) {
    const page = await practicalHelpItemPage(deps, actorOf(request), {
      personId: request.params.id,
      helpId: request.params.help,
      requestId: request.id,
    });
    const values = posted?.values ?? EMPTY_HELP_DECISION;
    if (posted) reply.code(400);
    return reply.view('pages/family-network/help-item.njk', {
      ...page,
      child: childView(page.child),
      values,
      version: posted?.version ?? page.version,
      errors: posted?.errors,
      decisions: [
        { value: 'granted', text: 'Granted', checked: values.decision === 'granted' },
        { value: 'refused', text: 'Refused', checked: values.decision === 'refused' },
      ],
      outcomes: choices(WELFARE_OUTCOMES, values.outcome),
    });
  }

  app.get<HelpParams>('/children/:id/practical-help/:help', async (request, reply) =>
    renderItem(request, reply),
  );

  app.post<HelpParams>('/children/:id/practical-help/:help', async (request, reply) => {
    const values = readHelpDecision(formSource(request));
    const version = postedVersion(request);
    try {
      await progressPracticalHelp(deps, actorOf(request), {
        personId: request.params.id,
        helpId: request.params.help,
        version,
        values,
        requestId: request.id,
      });
      return await reply.redirect(
        `/children/${request.params.id}/practical-help/${request.params.help}`,
        303,
      );
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderItem(request, reply, { values, version, errors: pageErrors(error) });
    }
  });
}
