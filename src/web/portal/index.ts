import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomToken } from '../../platform/auth/secrets.ts';
import type { Deps } from '../../platform/deps.ts';
import { DomainError, InvalidInputError } from '../../platform/errors.ts';
import { makeNotifier } from '../../platform/notify/index.ts';
import { loadFamilyActor } from '../../modules/portal/load-family-actor.ts';
import { findFamilySession } from '../../modules/portal/sessions.ts';
import { makeViews } from '../views.ts';
import { accountRoutes } from './account/routes.ts';
import { portalOidcRoutes } from './account/oidc.ts';
import { signInRoutes } from './account/sign-in.ts';
import { portalContentRoutes } from './content/routes.ts';
import { familyCookieNames, clearFamilyCookie, setFamilyCookie } from './cookies.ts';
import { familyGuard } from './guard.ts';
import { portalStyles } from './styles.ts';
import { portalRecordsRoutes } from './records/routes.ts';
import './types.ts';

/**
 * The family portal's security policy: stricter than staff pages. No script of any kind, no frames,
 * nothing from another origin; styles, fonts and images from Hearth only.
 */
export const PORTAL_CSP = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const STYLES_PATH = '/family/portal.css';

const PAGE_TITLES: Record<number, string> = {
  400: 'Sorry, there is a problem with what you sent',
  403: 'Sorry, you cannot do that',
  404: 'Page not found',
  429: 'You have tried too many times',
  500: 'Sorry, there is a problem with the service',
  503: 'Sorry, the service is not working right now',
};

/**
 * The family portal, mounted at /family: its own cookie, sessions, anti-forgery tokens, security
 * policy, layout, error pages and sign-in, isolated from the staff application (whose session hook
 * ignores /family, so a staff cookie never signs anyone in here, nor a portal cookie there).
 *
 * For every route registered inside: `request.familyActor`, a guard (signed in unless the route's
 * config says `access: 'public'`), `request.csrfToken` for forms (field `_csrf`), and
 * `reply.portalView(template, context)`.
 */
export async function portalApp(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;
  const secure = deps.config.cookieSecure;
  const names = familyCookieNames(secure);
  const views = makeViews({ watch: deps.config.reloadTemplates });
  const notifier = makeNotifier(deps.config.notify);
  const styles = portalStyles();

  app.decorateRequest('familySession', undefined);
  app.decorateRequest('familyActor', undefined);
  app.decorateReply(
    'portalView',
    function portalView(this: FastifyReply, template: string, context: Record<string, unknown> = {}) {
      const request = this.request;
      const actor = request.familyActor;
      const html = views.render(template, {
        csrfToken: request.csrfToken,
        family: actor
          ? {
              displayName: actor.displayName,
              kind: actor.kind,
              mayNameSupporter: actor.kind !== 'supporter',
            }
          : undefined,
        outOfHoursPhone: deps.config.portal.outOfHoursPhone,
        currentPath: request.url.split('?')[0],
        requestId: request.id,
        ...context,
      });
      return this.type('text/html; charset=utf-8').send(html);
    },
  );

  app.addHook('onRequest', async (request, reply) => {
    if (request.url === STYLES_PATH) return;
    const token = request.cookies[names.session];
    const session = await findFamilySession(deps, token);
    if (session) {
      request.familySession = session;
      request.familyActor = await loadFamilyActor(deps.db, session.accountId);
      request.csrfToken = deps.secrets.sign(`family-session:${session.csrfSecret}`);
      return;
    }
    if (token) clearFamilyCookie(reply, names.session, secure);
    let pre = request.cookies[names.pre];
    // A form needs a page first: a pre-sign-in cookie is given with pages, never with a refused post.
    if ((!pre || pre.length > 100) && SAFE_METHODS.has(request.method)) {
      pre = randomToken();
      setFamilyCookie(reply, names.pre, pre, secure);
    }
    request.csrfToken = pre && pre.length <= 100 ? deps.secrets.sign(`family-pre:${pre}`) : '';
  });

  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (SAFE_METHODS.has(request.method)) return;
    const body: unknown = request.body;
    const given: unknown = typeof body === 'object' && body !== null ? Reflect.get(body, '_csrf') : undefined;
    const ok =
      typeof given === 'string' &&
      /^[0-9a-f]{64}$/.test(given) &&
      request.csrfToken.length === given.length &&
      timingSafeEqual(Buffer.from(given), Buffer.from(request.csrfToken));
    if (!ok) {
      reply.code(403);
      return reply.portalView('portal/error.njk', {
        status: 403,
        title: 'This page has expired',
        csrf: true,
      });
    }
  });
  app.addHook('preHandler', familyGuard);

  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('Content-Security-Policy', PORTAL_CSP);
    reply.header('X-Robots-Tag', 'noindex, nofollow');
    if (request.url === STYLES_PATH && reply.statusCode === 200) {
      reply.header('Cache-Control', 'public, max-age=86400');
    }
    return payload;
  });

  app.setNotFoundHandler((_request, reply) => {
    reply.code(404).portalView('portal/error.njk', { status: 404, title: PAGE_TITLES[404] });
  });

  app.setErrorHandler((error, request, reply) => {
    let status = 500;
    if (error instanceof DomainError) status = error.status;
    else if (typeof (error as { statusCode?: unknown }).statusCode === 'number') {
      status = (error as { statusCode: number }).statusCode;
    }
    if (error instanceof InvalidInputError) status = 400;
    if (status >= 500) {
      const { name, message, stack } = error as Error;
      request.log.error({ err: { type: name, message, stack } }, 'portal request failed');
    } else {
      request.log.info({ code: (error as { code?: string }).code, status }, 'portal request refused');
    }
    if (status === 403 || status === 405) status = 404;
    if (!PAGE_TITLES[status]) status = status >= 500 ? 500 : 400;
    reply.code(status).portalView('portal/error.njk', { status, title: PAGE_TITLES[status] });
  });

  app.get('/portal.css', { config: { access: 'public' } }, async (request, reply) => {
    reply.type('text/css; charset=utf-8').header('Vary', 'Accept-Encoding');
    const accepts = request.headers['accept-encoding'] ?? '';
    if (/\bgzip\b/.test(accepts)) return reply.header('Content-Encoding', 'gzip').send(styles.gzip);
    return reply.send(styles.plain);
  });

  await app.register(signInRoutes, { deps, names, notifier });
  await app.register(portalOidcRoutes, { deps, names });
  await app.register(accountRoutes, { deps, notifier });
  await app.register(portalContentRoutes, { deps });
  await app.register(portalRecordsRoutes, { deps });
}
