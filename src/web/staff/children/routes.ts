import type { FastifyInstance } from 'fastify';
import { listPeopleInScope, recordAccessLog, viewPerson } from '../../../modules/people/people.service.ts';
import type { Deps } from '../../../platform/deps.ts';
import { actorOf } from '../guard.ts';

type IdParams = { Params: { id: string } };

export async function childrenRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;

  app.get('/children', async (request, reply) => {
    const children = await listPeopleInScope(deps, actorOf(request), 200);
    return reply.view('pages/children.njk', { children });
  });

  app.get<IdParams>('/children/:id', async (request, reply) => {
    const child = await viewPerson(deps, actorOf(request), request.params.id, {
      requestId: request.id,
      route: '/children/:id',
    });
    return reply.view('pages/child.njk', { child });
  });

  app.get<IdParams>('/children/:id/who-has-looked', async (request, reply) => {
    const { person, entries } = await recordAccessLog(deps, actorOf(request), request.params.id, {
      requestId: request.id,
      route: '/children/:id/who-has-looked',
    });
    return reply.view('pages/child-access-log.njk', { child: person, entries });
  });
}
