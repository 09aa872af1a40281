import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../platform/deps.ts';
import { InvalidInputError } from '../../../platform/errors.ts';
import type { Notifier } from '../../../platform/notify/index.ts';
import {
  PORTAL_SECTIONS,
  type FamilyActor,
  type PortalSection,
} from '../../../modules/portal/family-actor.ts';
import { portalChildren } from '../../../modules/portal/home.ts';
import { endSupporter, listSupporters, nominateSupporter } from '../../../modules/portal/supporters.ts';
import { whoHasLooked } from '../../../modules/portal/who-has-looked.ts';
import { field, fieldList, formErrors } from '../../forms.ts';
import { familyActorOf } from '../guard.ts';
import { SECTION_PAGES, SECTION_TITLES } from './sections.ts';

type ChildParams = { Params: { childId: string } };

/** The portal's own pages: home, who has looked at my record, help and advice, my supporter. */
export async function accountRoutes(
  app: FastifyInstance,
  options: { deps: Deps; notifier: Notifier },
): Promise<void> {
  const { deps, notifier } = options;

  app.get('/', async (request, reply) => {
    const actor = familyActorOf(request);
    const children = await portalChildren(deps, actor);
    // A section is linked once its page exists (the content and records pages are added separately).
    const links = children.map((child) => ({
      id: child.id,
      name: child.name,
      sections: child.sections.flatMap((section) => {
        const pattern = SECTION_PAGES[section];
        if (!app.hasRoute({ method: 'GET', url: pattern })) return [];
        return [{ title: SECTION_TITLES[section], href: pattern.replace(':childId', child.id) }];
      }),
    }));
    return reply.portalView('portal/home.njk', { children: links });
  });

  app.get<ChildParams>('/children/:childId/who-has-looked', async (request, reply) => {
    const { child, entries } = await whoHasLooked(deps, familyActorOf(request), request.params.childId, {
      route: '/family/children/:childId/who-has-looked',
      requestId: request.id,
    });
    return reply.portalView('portal/who-has-looked.njk', {
      child,
      entries,
      showNames: deps.config.portal.showStaffNames,
    });
  });

  app.get('/help', { config: { access: 'public' } }, async (_request, reply) =>
    reply.portalView('portal/help.njk'),
  );

  /** The "My supporter" page: the account's children, its supporters, and the form to name one. */
  async function supporterPage(actor: FamilyActor, extra: Record<string, unknown> = {}) {
    const children = await portalChildren(deps, actor);
    const supporters = await listSupporters(deps, actor);
    const names = new Map(children.map((c) => [c.id, c.name]));
    return {
      children,
      sections: sectionChoices(children.flatMap((c) => c.sections)),
      supporters: supporters.map((s) => ({
        ...s,
        children: s.children.map((c) => ({
          name: names.get(c.childId) ?? '',
          sections: c.sections.map((x) => SECTION_TITLES[x]),
        })),
      })),
      values: {},
      ...extra,
    };
  }

  app.get('/supporter', async (request, reply) => {
    const actor = familyActorOf(request);
    if (actor.kind === 'supporter') return reply.callNotFound();
    return reply.portalView('portal/supporter.njk', await supporterPage(actor));
  });

  app.post('/supporter', async (request, reply) => {
    const actor = familyActorOf(request);
    if (actor.kind === 'supporter') return reply.callNotFound();
    const values = {
      givenName: field(request.body, 'givenName', 100),
      familyName: field(request.body, 'familyName', 100),
      email: field(request.body, 'email', 254),
      children: fieldList(request.body, 'children'),
      sections: fieldList(request.body, 'sections'),
    };
    try {
      const named = await nominateSupporter(deps, actor, {
        givenName: values.givenName,
        familyName: values.familyName,
        email: values.email,
        childIds: values.children,
        sections: values.sections,
        requestId: request.id,
      });
      notifier
        .send({
          to: named.email,
          kind: 'email',
          subject: 'You have been asked to be a supporter',
          body: [
            'Someone has asked you to support them with their family’s record.',
            '',
            'To see what they have shared with you, go to the family portal and sign in with this email address.',
            `${deps.config.publicUrl ?? ''}/family/sign-in`,
          ].join('\n'),
        })
        .catch((error: unknown) => {
          request.log.warn(
            { reason: error instanceof Error ? error.message : 'unknown' },
            'supporter invitation not sent',
          );
        });
      return await reply.redirect('/family/supporter', 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      reply.code(400);
      return reply.portalView(
        'portal/supporter.njk',
        await supporterPage(actor, { values, errors: formErrors(error.errors) }),
      );
    }
  });

  app.post<{ Params: { supporterId: string } }>('/supporter/:supporterId/end', async (request, reply) => {
    await endSupporter(deps, familyActorOf(request), {
      supporterId: request.params.supporterId,
      requestId: request.id,
    });
    return reply.redirect('/family/supporter', 303);
  });
}

function sectionChoices(allowed: readonly PortalSection[]) {
  return PORTAL_SECTIONS.filter((s) => allowed.includes(s)).map((s) => ({
    value: s,
    text: SECTION_TITLES[s],
  }));
}
