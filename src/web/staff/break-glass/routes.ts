import type { FastifyInstance } from 'fastify';
import {
  BREAK_GLASS_MINUTES,
  BREAK_GLASS_REASONS,
  breakGlass,
  listBreakGlass,
  markBreakGlassReviewed,
  mayAskForBreakGlass,
} from '../../../modules/access/break-glass.service.ts';
import type { Deps } from '../../../platform/deps.ts';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../../../platform/errors.ts';
import { field, formErrors } from '../../forms.ts';
import { actorOf } from '../guard.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function reasonItems(selected: string) {
  return Object.entries(BREAK_GLASS_REASONS).map(([value, text]) => ({
    value,
    text,
    checked: value === selected,
  }));
}

export async function breakGlassRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;

  // Offered on the "not found" page of a child's or a person's record (see app.ts), under either address.
  for (const base of ['/children', '/people'] as const) {
    const title =
      base === '/children'
        ? "Ask for emergency access to a child's record"
        : "Ask for emergency access to a person's record";
    const page = (personId: string) => ({ personId, title, action: `${base}/${personId}/break-glass` });

    app.get<{ Params: { id: string } }>(`${base}/:id/break-glass`, async (request, reply) => {
      if (!mayAskForBreakGlass(actorOf(request))) throw new ForbiddenError();
      if (!UUID.test(request.params.id)) throw new NotFoundError();
      return reply.view('pages/break-glass.njk', {
        ...page(request.params.id),
        reasons: reasonItems(''),
        values: {},
        minutes: BREAK_GLASS_MINUTES,
      });
    });

    app.post<{ Params: { id: string } }>(`${base}/:id/break-glass`, async (request, reply) => {
      if (!mayAskForBreakGlass(actorOf(request))) throw new ForbiddenError();
      if (!UUID.test(request.params.id)) throw new NotFoundError();
      const values = {
        reasonCode: field(request.body, 'reasonCode', 50),
        reason: field(request.body, 'reason', 2000),
      };
      try {
        await breakGlass(deps, actorOf(request), {
          personId: request.params.id,
          ...values,
          requestId: request.id,
        });
        return await reply.redirect(`${base}/${request.params.id}`, 303);
      } catch (error) {
        if (!(error instanceof InvalidInputError)) throw error;
        reply.code(400);
        return reply.view('pages/break-glass.njk', {
          ...page(request.params.id),
          reasons: reasonItems(values.reasonCode),
          values,
          minutes: BREAK_GLASS_MINUTES,
          errors: formErrors(error.errors, { reasonCode: 'reasonCode' }),
        });
      }
    });
  }

  app.get('/manage/break-glass', async (request, reply) => {
    const grants = await listBreakGlass(deps, actorOf(request));
    return reply.view('pages/break-glass-review.njk', {
      grants,
      reasons: BREAK_GLASS_REASONS,
      now: deps.clock.now(),
    });
  });

  app.post<{ Params: { id: string } }>('/manage/break-glass/:id/reviewed', async (request, reply) => {
    if (!UUID.test(request.params.id)) throw new NotFoundError();
    await markBreakGlassReviewed(deps, actorOf(request), request.params.id, request.id);
    return reply.redirect('/manage/break-glass', 303);
  });
}
