import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  beginOidcSignIn,
  completeOidcSignIn,
  OIDC_FLOW_MINUTES,
  OidcUnavailableError,
} from '../../../platform/auth/oidc.ts';
import { endSession } from '../../../platform/auth/sessions.ts';
import type { Deps } from '../../../platform/deps.ts';
import { setSessionCookie, type CookieNames } from '../../plugins/session.ts';

export const OIDC_CALLBACK_PATH = '/sign-in/oidc/callback';

/**
 * Sign-in with the council's identity provider, when one is configured (HEARTH_OIDC_ISSUER). The flow's
 * state, nonce and PKCE verifier travel in a sealed, short-lived, HttpOnly, SameSite=Lax cookie; the
 * callback is the one GET that creates state (the session), as OpenID Connect requires.
 */
export async function oidcSignInRoutes(
  app: FastifyInstance,
  options: { deps: Deps; names: CookieNames },
): Promise<void> {
  const { deps, names } = options;
  const oidc = deps.config.oidc;
  if (!oidc) return;
  if (new URL(oidc.redirectUrl).pathname !== OIDC_CALLBACK_PATH) {
    throw new Error(`HEARTH_OIDC_REDIRECT_URL must end in ${OIDC_CALLBACK_PATH}`);
  }
  const flowCookie = {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: deps.config.cookieSecure,
  } as const;

  function problem(
    request: FastifyRequest,
    reply: FastifyReply,
    kind: 'refused' | 'failed' | 'unavailable',
    reason: string,
  ) {
    request.log.warn({ reason }, `oidc sign-in ${kind}`);
    reply.code(kind === 'refused' ? 403 : kind === 'failed' ? 400 : 503);
    return reply.view('pages/sign-in-oidc-problem.njk', { problem: kind });
  }

  app.get(
    '/sign-in/oidc',
    { config: { access: 'public', rateLimit: { max: 60, timeWindow: '1 minute' } } },
    async (request, reply) => {
      if (request.session?.stage === 'full') return reply.redirect('/', 303);
      try {
        const start = await beginOidcSignIn(deps, oidc);
        reply.setCookie(names.oidc, start.cookie, { ...flowCookie, maxAge: OIDC_FLOW_MINUTES * 60 });
        return await reply.redirect(start.url, 303);
      } catch (error) {
        if (error instanceof OidcUnavailableError)
          return problem(request, reply, 'unavailable', String(error.cause));
        throw error;
      }
    },
  );

  app.get(
    OIDC_CALLBACK_PATH,
    { config: { access: 'public', rateLimit: { max: 60, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const queryAt = request.url.indexOf('?');
      const query = queryAt === -1 ? '' : request.url.slice(queryAt);
      const cookie = request.cookies[names.oidc];
      // The flow cookie is single-use, whatever happens next.
      reply.clearCookie(names.oidc, flowCookie);
      let result;
      try {
        result = await completeOidcSignIn(deps, oidc, { query, cookie, requestId: request.id });
      } catch (error) {
        if (error instanceof OidcUnavailableError)
          return problem(request, reply, 'unavailable', String(error.cause));
        throw error;
      }
      if (result.kind !== 'signed-in') return problem(request, reply, result.kind, result.reason);
      if (request.session) await endSession(deps, request.session.idHash);
      setSessionCookie(reply, names, deps.config.cookieSecure, result.token);
      return reply.redirect('/', 303);
    },
  );
}
