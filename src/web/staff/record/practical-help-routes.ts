import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  EMPTY_HELP_REQUEST,
  EMPTY_PRACTICAL_HELP_FORM,
  HELP_CATEGORIES,
  PRACTICAL_HELP_KINDS,
  childForPracticalHelpForm,
  listPracticalHelp,
  readPracticalHelpForm,
  recordPracticalHelp,
  type PracticalHelpFormValues,
} from '../../../modules/help/practical-help.ts';
import { NoOpenEpisodeError } from '../../../modules/help/visits.ts';
import type { Deps } from '../../../platform/deps.ts';
import { InvalidInputError } from '../../../platform/errors.ts';
import { actorOf } from '../guard.ts';
import { choices, formSource, pageErrors, type PageErrors } from '../people/helpers.ts';
import { childView, renderNoOpenEpisode, type ChildParams } from './shared.ts';

/** Practical and financial help: what was given or arranged, with totals per kind. */
export async function practicalHelpRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;

  async function render(
    request: FastifyRequest<ChildParams>,
    reply: FastifyReply,
    values: PracticalHelpFormValues,
    errors?: PageErrors,
  ) {
    const result = await listPracticalHelp(deps, actorOf(request), {
      personId: request.params.id,
      requestId: request.id,
    });
    if (errors) reply.code(400);
    return reply.view('pages/record/practical-help.njk', {
      ...result,
      child: childView(result.child),
      values,
      errors,
      kinds: choices(PRACTICAL_HELP_KINDS, values.kind),
      requestValues: EMPTY_HELP_REQUEST,
      requestKinds: choices(PRACTICAL_HELP_KINDS, '', 'selected'),
      categories: choices(HELP_CATEGORIES, ''),
    });
  }

  app.get<ChildParams>('/children/:id/practical-help', async (request, reply) =>
    render(request, reply, EMPTY_PRACTICAL_HELP_FORM),
  );

  app.post<ChildParams>('/children/:id/practical-help', async (request, reply) => {
    const values = readPracticalHelpForm(formSource(request));
    try {
      await recordPracticalHelp(deps, actorOf(request), {
        personId: request.params.id,
        values,
        requestId: request.id,
      });
      return await reply.redirect(`/children/${request.params.id}/practical-help`, 303);
    } catch (error) {
      if (error instanceof NoOpenEpisodeError) {
        const child = await childForPracticalHelpForm(deps, actorOf(request), request.params.id);
        return renderNoOpenEpisode(reply, child, 'record practical help', 409);
      }
      if (!(error instanceof InvalidInputError)) throw error;
      return render(request, reply, values, pageErrors(error));
    }
  });
}
