import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { beginOidcSignIn, OIDC_FLOW_MINUTES, OidcUnavailableError } from '../../../platform/auth/oidc.ts';
import type { Deps } from '../../../platform/deps.ts';
import { completeFamilyOidcSignIn } from '../../../modules/portal/oidc-sign-in.ts';
import { endFamilySession } from '../../../modules/portal/sessions.ts';
import {
  clearFamilyCookie,
  familyCookieOptions,
  setFamilyCookie,
  type FamilyCookieNames,
} from '../cookies.ts';

export const PORTAL_OIDC_CALLBACK_PATH = '/family/sign-in/oidc/callback';

/**
 * Families signing in with GOV.UK One Login or the council's provider, when configured
 * (HEARTH_PORTAL_OIDC_ISSUER). The same OpenID Connect client as staff sign-in, but its own flow cookie
 * (`hearth-family-oidc`) and the portal's own session: a staff session is never read or made here.
 * The callback is the one GET that signs someone in, as OpenID Connect requires.
 */
export async function portalOidcRoutes(
  app: FastifyInstance,
  options: { deps: Deps; names: FamilyCookieNames },
): Promise<void> {
  const { deps, names } = options;
  const oidc = deps.config.portal.oidc;
  if (!oidc) return;
  if (new URL(oidc.redirectUrl).pathname !== PORTAL_OIDC_CALLBACK_PATH) {
    throw new Error(`HEARTH_PORTAL_OIDC_REDIRECT_URL must end in ${PORTAL_OIDC_CALLBACK_PATH}`);
  }
  const secure = deps.config.cookieSecure;
  const limited = { access: 'public', rateLimit: { max: 60, timeWindow: '1 minute' } } as const;

  function problem(
    request: FastifyRequest,
    reply: FastifyReply,
    kind: 'no-invitation' | 'failed' | 'unavailable',
    reason: string,
  ) {
    request.log.warn({ reason }, `portal oidc sign-in ${kind}`);
    reply.code(kind === 'no-invitation' ? 403 : kind === 'failed' ? 400 : 503);
    return reply.portalView('portal/sign-in-oidc-problem.njk', { problem: kind, label: oidc?.label });
  }

  app.get('/sign-in/oidc', { config: limited }, async (request, reply) => {
    if (request.familyActor) return reply.redirect('/family', 303);
    try {
      const start = await beginOidcSignIn(deps, oidc);
      setFamilyCookie(reply, names.oidc, start.cookie, secure, OIDC_FLOW_MINUTES * 60);
      return await reply.redirect(start.url, 303);
    } catch (error) {
      if (error instanceof OidcUnavailableError)
        return problem(request, reply, 'unavailable', String(error.cause));
      throw error;
    }
  });

  app.get('/sign-in/oidc/callback', { config: limited }, async (request, reply) => {
    const queryAt = request.url.indexOf('?');
    const query = queryAt === -1 ? '' : request.url.slice(queryAt);
    const cookie = request.cookies[names.oidc];
    // The flow cookie is single-use, whatever happens next.
    reply.clearCookie(names.oidc, familyCookieOptions(secure));
    let result;
    try {
      result = await completeFamilyOidcSignIn(deps, oidc, { query, cookie, requestId: request.id });
    } catch (error) {
      if (error instanceof OidcUnavailableError)
        return problem(request, reply, 'unavailable', String(error.cause));
      throw error;
    }
    if (result.kind === 'no-invitation') return problem(request, reply, result.kind, 'no invitation');
    if (result.kind === 'failed') return problem(request, reply, result.kind, result.reason);
    if (request.familySession) await endFamilySession(deps, request.familySession.idHash);
    clearFamilyCookie(reply, names.pending, secure);
    setFamilyCookie(reply, names.session, result.token, secure);
    return reply.redirect('/family', 303);
  });
}
