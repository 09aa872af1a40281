import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../modules/access/actor.ts';

/** Route access levels: `public` (anyone), `second-factor` (password done), or staff (the default). */
export type Access = 'public' | 'second-factor' | 'staff';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
}

/**
 * Every staff route needs a full session (password and second factor) unless it says otherwise.
 * A half-signed-in session is sent to the second-factor page; no session goes to sign-in.
 */
export async function staffGuard(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const access = request.routeOptions.config.access ?? 'staff';
  if (access === 'public') return;
  const session = request.session;
  if (access === 'second-factor') {
    if (!session || session.stage !== 'password') return reply.redirect('/sign-in', 303);
    return;
  }
  if (!session) return reply.redirect('/sign-in', 303);
  if (session.stage !== 'full') return reply.redirect('/sign-in/second-factor', 303);
  if (!request.actor) return reply.redirect('/sign-in', 303);
}

/** The actor for a route behind the guard. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new Error('Route reached without a signed-in actor');
  return request.actor;
}
