import type { FastifyInstance, FastifyReply } from 'fastify';
import { can } from '../../../modules/access/actor.ts';
import { helpSectionForChildPage } from '../../../modules/help/episode.service.ts';
import { listPeopleInScope, recordAccessLog } from '../../../modules/people/people.service.ts';
import { canCreatePeople } from '../../../modules/people/person-write.ts';
import type { Deps } from '../../../platform/deps.ts';
import { ForbiddenError } from '../../../platform/errors.ts';
import { actorOf } from '../guard.ts';
import { mergedRecordRedirect } from '../people/merged-redirect.ts';
import { showPersonPage } from '../people/person-page.ts';
import { peopleRoutes } from '../people/routes.ts';

type IdParams = { Params: { id: string } };

export async function childrenRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;
  // A merged record's pages lead to the kept record's (this plugin's routes and peopleRoutes below).
  app.addHook('preHandler', mergedRecordRedirect(deps));

  app.get('/children', async (request, reply) => {
    const actor = actorOf(request);
    if (!can(actor, 'person', 'read')) throw new ForbiddenError();
    const children = await listPeopleInScope(deps, actor, 200, { who: 'children' });
    return reply.view('pages/children.njk', {
      children,
      canAdd: canCreatePeople(actor),
      canExport: can(actor, 'person', 'read'),
    });
  });

  // The person page: one handler for children (/children/:id) and adults (/people/:id). A child's page
  // adds the "Help" section (pages/child.njk); the page stays one view, audited once by viewPerson.
  app.get<IdParams>('/children/:id', async (request, reply) => {
    const help = await helpSectionForChildPage(deps, actorOf(request), request.params.id);
    return showPersonPage(deps, request, withHelpSection(reply, help), '/children/:id');
  });

  for (const path of ['/children/:id/who-has-looked', '/people/:id/who-has-looked']) {
    app.get<IdParams>(path, async (request, reply) => {
      const { person, entries } = await recordAccessLog(deps, actorOf(request), request.params.id, {
        requestId: request.id,
        route: path,
      });
      return reply.view('pages/child-access-log.njk', { child: person, entries });
    });
  }

  // Adding and changing people, their addresses, relationships and professionals.
  await app.register(peopleRoutes, { deps });
}

/** The reply, rendering the person page as the child's page (pages/child.njk) with the help section. */
function withHelpSection(reply: FastifyReply, help: unknown): FastifyReply {
  return new Proxy(reply, {
    get(target, property) {
      if (property === 'view') {
        return (template: string, context: Record<string, unknown> = {}) =>
          target.view(template === 'pages/people/person.njk' ? 'pages/child.njk' : template, {
            ...context,
            help,
          });
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
