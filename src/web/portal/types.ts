import type { FamilyActor } from '../../modules/portal/family-actor.ts';
import type { FamilySession } from '../../modules/portal/sessions.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The portal session (routes under /family only), if the family cookie names a live one. */
    familySession: FamilySession | undefined;
    /** The signed-in parent, young person or supporter (routes under /family only), loaded afresh. */
    familyActor: FamilyActor | undefined;
  }
  interface FastifyReply {
    /** Renders a portal page (src/web/views/portal/) with the portal layout's context. */
    portalView(template: string, context?: Record<string, unknown>): FastifyReply;
  }
}
