import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { loadActor } from '../../modules/access/access.repository.ts';
import { findSession } from '../../platform/auth/sessions.ts';
import { randomToken } from '../../platform/auth/secrets.ts';
import type { Deps } from '../../platform/deps.ts';

export type CookieNames = { readonly session: string; readonly pre: string; readonly oidc: string };

export function cookieNames(secure: boolean): CookieNames {
  const prefix = secure ? '__Host-' : '';
  return { session: `${prefix}hearth-session`, pre: `${prefix}hearth-pre`, oidc: `${prefix}hearth-oidc` };
}

const STATIC_PREFIXES = ['/assets/', '/govuk/', '/public/'];
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function isStatic(url: string): boolean {
  return STATIC_PREFIXES.some((prefix) => url.startsWith(prefix));
}

/**
 * The family portal (/family) has its own cookie, sessions and anti-forgery tokens (src/web/portal):
 * decided by the route that matched (the URL only when none did, for the portal's "not found" page).
 */
export function isPortal(request: FastifyRequest): boolean {
  const path = request.routeOptions.url ?? request.url;
  return /^\/family(\/|\?|$)/.test(path);
}

/**
 * Loads the session and actor for each request, and guards every state-changing request with a
 * synchroniser token: HMAC of the session's own secret (or, before sign-in, of a random pre-session
 * cookie). A token from another session, or none, is refused with 403.
 */
export async function registerSessions(app: FastifyInstance, deps: Deps): Promise<CookieNames> {
  const names = cookieNames(deps.config.cookieSecure);
  const cookieOptions = {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: deps.config.cookieSecure,
  } as const;

  app.decorateRequest('session', undefined);
  app.decorateRequest('actor', undefined);
  app.decorateRequest('csrfToken', '');

  app.addHook('onRequest', async (request, reply) => {
    if (isStatic(request.url) || isPortal(request)) return;
    const session = await findSession(deps, request.cookies[names.session]);
    if (session) {
      request.session = session;
      request.csrfToken = deps.secrets.sign(`session:${session.csrfSecret}`);
      if (session.stage === 'full') request.actor = await loadActor(deps.db, session.userId);
      return;
    }
    if (request.cookies[names.session]) reply.clearCookie(names.session, cookieOptions);
    let pre = request.cookies[names.pre];
    if (!pre || pre.length > 100) {
      pre = randomToken();
      reply.setCookie(names.pre, pre, cookieOptions);
    }
    request.csrfToken = deps.secrets.sign(`pre:${pre}`);
  });

  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (SAFE_METHODS.has(request.method) || isPortal(request)) return;
    const body: unknown = request.body;
    const fromBody: unknown =
      typeof body === 'object' && body !== null ? Reflect.get(body, '_csrf') : undefined;
    const given = typeof fromBody === 'string' ? fromBody : request.headers['x-csrf-token'];
    const ok =
      typeof given === 'string' &&
      /^[0-9a-f]{64}$/.test(given) &&
      request.csrfToken.length === given.length &&
      timingSafeEqual(Buffer.from(given), Buffer.from(request.csrfToken));
    if (!ok) {
      reply.code(403);
      return reply.view('errors/csrf.njk');
    }
  });

  return names;
}

export function setSessionCookie(
  reply: FastifyReply,
  names: CookieNames,
  secure: boolean,
  token: string,
): void {
  reply.setCookie(names.session, token, { path: '/', httpOnly: true, sameSite: 'lax', secure });
}

export function clearSessionCookie(reply: FastifyReply, names: CookieNames, secure: boolean): void {
  reply.clearCookie(names.session, { path: '/', httpOnly: true, sameSite: 'lax', secure });
}
