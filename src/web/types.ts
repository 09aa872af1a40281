import type { Actor } from '../modules/access/actor.ts';
import type { Session } from '../platform/auth/sessions.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The staff session, if the cookie names a live one. */
    session: Session | undefined;
    /** The signed-in member of staff (full sessions only), loaded afresh on each request. */
    actor: Actor | undefined;
    /** The anti-forgery token for forms on this page. */
    csrfToken: string;
  }
  interface FastifyReply {
    /** Renders a Nunjucks page with the common page context. */
    view(template: string, context?: Record<string, unknown>): FastifyReply;
  }
}
