import type { FastifyInstance } from 'fastify';
import { can } from '../../../modules/access/actor.ts';
import { listPeopleInScope } from '../../../modules/people/people.service.ts';
import type { Deps } from '../../../platform/deps.ts';
import { actorOf } from '../guard.ts';

export async function homeRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;
  app.get('/', async (request, reply) => {
    const actor = actorOf(request);
    const children = can(actor, 'person', 'read') ? await listPeopleInScope(deps, actor, 20) : [];
    return reply.view('pages/home.njk', { children });
  });
}
