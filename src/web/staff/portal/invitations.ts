import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  SECTION_LABELS,
  familyPortalPage,
  inviteToPortal,
  limitPortalAccess,
  withdrawPortalAccess,
} from '../../../modules/portal/accounts.ts';
import { PORTAL_SECTIONS } from '../../../modules/portal/family-actor.ts';
import type { Deps } from '../../../platform/deps.ts';
import { InvalidInputError } from '../../../platform/errors.ts';
import { makeNotifier } from '../../../platform/notify/index.ts';
import { field, fieldList, formErrors } from '../../forms.ts';
import { actorOf } from '../guard.ts';

type IdParams = { Params: { id: string } };
type AccountParams = { Params: { id: string; accountId: string } };

const ROUTE = '/children/:id/family-portal';

/**
 * Staff: inviting a parent or young person to the family portal, limiting or withdrawing access.
 * The page lives on the child's record; the service checks write scope and audits every change.
 */
export async function staffPortalAccountRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;
  const notifier = makeNotifier(deps.config.notify);

  async function show(
    request: FastifyRequest<IdParams>,
    reply: FastifyReply,
    extra: Record<string, unknown> = {},
  ) {
    const page = await familyPortalPage(deps, actorOf(request), request.params.id, {
      route: ROUTE,
      requestId: request.id,
    });
    return reply.view('portal/staff/family-portal.njk', {
      ...page,
      sectionLabels: SECTION_LABELS,
      sections: PORTAL_SECTIONS.map((value) => ({ value, text: SECTION_LABELS[value] })),
      values: {},
      invited: (request.query as Record<string, unknown>)['invited'] === '1',
      ...extra,
    });
  }

  app.get<IdParams>(ROUTE, async (request, reply) => show(request, reply));

  app.post<IdParams>(`${ROUTE}/invite`, async (request, reply) => {
    const values = {
      who: field(request.body, 'who', 50),
      email: field(request.body, 'email', 254),
      mobile: field(request.body, 'mobile', 40),
      competenceJudgement: field(request.body, 'competenceJudgement', 3000),
    };
    try {
      const invited = await inviteToPortal(deps, actorOf(request), {
        childId: request.params.id,
        ...values,
        requestId: request.id,
      });
      const link = `${deps.config.publicUrl ?? ''}/family/sign-in`;
      const to = invited.email ?? invited.mobile;
      if (to !== null && (invited.email !== null || notifier.canText)) {
        notifier
          .send({
            to,
            kind: invited.email !== null ? 'email' : 'sms',
            subject: 'You are invited to the family portal',
            body:
              invited.email !== null
                ? [
                    'Your worker has invited you to the family portal.',
                    '',
                    'There you can see what is written about your family and have your say.',
                    '',
                    `To sign in, go to ${link} and enter this email address. We will send you a code.`,
                  ].join('\n')
                : `Your worker has invited you to the family portal. Go to ${link} and enter this number to get a code.`,
          })
          .catch((error: unknown) => {
            request.log.warn(
              { reason: error instanceof Error ? error.message : 'unknown' },
              'portal invitation not sent',
            );
          });
      }
      return await reply.redirect(`/children/${request.params.id}/family-portal?invited=1`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      reply.code(400);
      return show(request, reply, {
        values,
        errors: formErrors(error.errors, { who: 'who', competenceJudgement: 'competenceJudgement' }),
      });
    }
  });

  app.post<AccountParams>(`${ROUTE}/:accountId/limit`, async (request, reply) => {
    try {
      await limitPortalAccess(deps, actorOf(request), {
        childId: request.params.id,
        accountId: request.params.accountId,
        sections: fieldList(request.body, 'sections'),
        reason: field(request.body, 'reason', 3000),
        requestId: request.id,
      });
      return await reply.redirect(`/children/${request.params.id}/family-portal`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      reply.code(400);
      return show(request, reply, {
        errors: formErrors(error.errors.map((e) => ({ ...e, field: `reason-${request.params.accountId}` }))),
      });
    }
  });

  app.post<AccountParams>(`${ROUTE}/:accountId/withdraw`, async (request, reply) => {
    try {
      await withdrawPortalAccess(deps, actorOf(request), {
        childId: request.params.id,
        accountId: request.params.accountId,
        reason: field(request.body, 'reason', 3000),
        requestId: request.id,
      });
      return await reply.redirect(`/children/${request.params.id}/family-portal`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      reply.code(400);
      return show(request, reply, {
        errors: formErrors(
          error.errors.map((e) => ({ ...e, field: `withdraw-${request.params.accountId}` })),
        ),
      });
    }
  });
}
