import type { FastifyInstance } from 'fastify';
import { viewPerson } from '../../../modules/people/people.service.ts';
import {
  RESTRICTION_CATEGORIES,
  liftRestriction,
  listRestrictions,
  restrictPerson,
} from '../../../modules/people/restrictions.ts';
import { can } from '../../../modules/access/actor.ts';
import type { Deps } from '../../../platform/deps.ts';
import { ForbiddenError, InvalidInputError } from '../../../platform/errors.ts';
import { field, fieldList, formErrors } from '../../forms.ts';
import { actorOf } from '../guard.ts';

type IdParams = { Params: { id: string } };

/** Restricting a record: who may see more than the name, and why. */
export async function restrictionRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;
  const route = '/children/:id/restrictions';

  async function page(
    request: import('fastify').FastifyRequest<IdParams>,
    extra: Record<string, unknown> = {},
  ) {
    const actor = actorOf(request);
    if (!can(actor, 'person', 'restrict')) throw new ForbiddenError();
    const child = await viewPerson(deps, actor, request.params.id, { requestId: request.id, route });
    const [restrictions, staff] = await Promise.all([
      listRestrictions(deps, child.id),
      deps.db
        .selectFrom('users')
        .select(['id', 'display_name'])
        .where('organisation_id', '=', actor.organisationId)
        .where('disabled_at', 'is', null)
        .where('id', '!=', actor.userId)
        .orderBy('display_name')
        .execute(),
    ]);
    const values =
      (extra['values'] as { category?: string; reason?: string; allowedUserIds?: string[] } | undefined) ??
      {};
    return {
      child,
      restrictions,
      categoryLabels: RESTRICTION_CATEGORIES,
      categories: Object.entries(RESTRICTION_CATEGORIES).map(([value, text]) => ({
        value,
        text,
        checked: values.category === value,
      })),
      staff: staff.map((s) => ({
        value: s.id,
        text: s.display_name,
        checked: values.allowedUserIds?.includes(s.id) ?? false,
      })),
      ...extra,
    };
  }

  app.get<IdParams>(route, async (request, reply) =>
    reply.view('pages/restrictions/manage.njk', await page(request)),
  );

  app.post<IdParams>(route, async (request, reply) => {
    const values = {
      category: field(request.body, 'category', 50),
      reason: field(request.body, 'reason', 3000),
      allowedUserIds: fieldList(request.body, 'allowedUserIds'),
    };
    try {
      await restrictPerson(deps, actorOf(request), request.params.id, {
        ...values,
        reviewOn: null,
        requestId: request.id,
      });
      return await reply.redirect(`/children/${request.params.id}/restrictions`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      reply.code(400);
      return reply.view(
        'pages/restrictions/manage.njk',
        await page(request, { values, errors: formErrors(error.errors, { category: 'category' }) }),
      );
    }
  });

  app.post<{ Params: { id: string; restrictionId: string } }>(
    `${route}/:restrictionId/lift`,
    async (request, reply) => {
      await liftRestriction(
        deps,
        actorOf(request),
        request.params.id,
        request.params.restrictionId,
        request.id,
      );
      return reply.redirect(`/children/${request.params.id}/restrictions`, 303);
    },
  );
}
