import type { FastifyReply, FastifyRequest } from 'fastify';
import { mergedRecordTarget } from '../../../modules/people/merge.ts';
import { personPath } from '../../../modules/people/person-write.ts';
import type { Deps } from '../../../platform/deps.ts';
import { actorOf } from '../guard.ts';

/** The person pages themselves: a merged record's id leads to the kept record's page, with a banner. */
const PERSON_PAGES = new Set(['/children/:id', '/people/:id']);

/**
 * A preHandler for the person pages and their sub-pages (GET only): when the id in the address is a
 * record that was merged into another, and the actor may see the kept record, redirect (303) to the
 * same page of the kept record. The person page itself gets `?merged=<old id>` for its banner (an
 * id, never a name). When the kept record is outside the actor's scope, the service says "not found".
 */
export function mergedRecordRedirect(deps: Deps) {
  return async function redirectMerged(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'HEAD') return;
    const route = request.routeOptions.url ?? '';
    if (!/^\/(children|people)\/:id(\/|$)/.test(route)) return;
    const params = request.params as Record<string, string | undefined>;
    const id = params['id'];
    if (!id) return;
    const kept = await mergedRecordTarget(deps, actorOf(request), id, { requestId: request.id, route });
    if (!kept) return;
    if (PERSON_PAGES.has(route)) {
      return reply.redirect(`${personPath(kept)}?merged=${encodeURIComponent(id)}`, 303);
    }
    const target = route.replace(/:(\w+)/g, (_match, name: string) =>
      encodeURIComponent(name === 'id' ? kept.id : (params[name] ?? '')),
    );
    return reply.redirect(target, 303);
  };
}
