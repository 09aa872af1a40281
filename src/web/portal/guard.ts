import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FamilyActor } from '../../modules/portal/family-actor.ts';

/**
 * Every portal route needs a signed-in family member unless its config says `access: 'public'`
 * (sign-in pages, help and advice). Without one, the browser goes to the portal's sign-in page. An
 * address with no page gets the portal's "not found" page either way.
 */
export async function familyGuard(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.routeOptions.config.access === 'public' || request.is404) return;
  if (!request.familyActor) return reply.redirect('/family/sign-in', 303);
}

/** The family actor for a route behind the guard. */
export function familyActorOf(request: FastifyRequest): FamilyActor {
  if (!request.familyActor) throw new Error('Portal route reached without a signed-in family member');
  return request.familyActor;
}
