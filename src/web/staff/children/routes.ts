import type { FastifyInstance } from 'fastify';
import { listPeopleInScope, recordAccessLog } from '../../../modules/people/people.service.ts';
import { canCreatePeople } from '../../../modules/people/person-write.ts';
import type { Deps } from '../../../platform/deps.ts';
import { actorOf } from '../guard.ts';
import { showPersonPage } from '../people/person-page.ts';
import { peopleRoutes } from '../people/routes.ts';

type IdParams = { Params: { id: string } };

export async function childrenRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;

  app.get('/children', async (request, reply) => {
    const actor = actorOf(request);
    const children = await listPeopleInScope(deps, actor, 200, { who: 'children' });
    return reply.view('pages/children.njk', { children, canAdd: canCreatePeople(actor) });
  });

  // The person page: one handler for children (/children/:id) and adults (/people/:id).
  app.get<IdParams>('/children/:id', async (request, reply) =>
    showPersonPage(deps, request, reply, '/children/:id'),
  );

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
