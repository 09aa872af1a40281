import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyServerOptions, type RouteOptions } from 'fastify';
import type { DestinationStream } from 'pino';
import { DomainError, InvalidInputError, VersionConflictError } from '../platform/errors.ts';
import type { Deps } from '../platform/deps.ts';
import { loggerOptions } from '../platform/logging.ts';
import { registerSecurityHeaders } from './plugins/security.ts';
import { registerSessions } from './plugins/session.ts';
import { registerStaticFiles } from './plugins/static-files.ts';
import { healthRoutes } from './health.ts';
import { staffApp } from './staff/index.ts';
import { portalApp } from './portal/index.ts';
import { openReferralRoutes } from './openreferral/routes.ts';
import { navigationFor } from './staff/navigation.ts';
import { mayAskForBreakGlass } from '../modules/access/break-glass.service.ts';
import { makeViews } from './views.ts';
import type { DbHandle } from '../db/connect.ts';
import './types.ts';

export type AppOptions = {
  readonly deps: Deps;
  readonly handle: Pick<DbHandle, 'kind'>;
  /** Pino options, or false for silence (tests). */
  readonly logger?: FastifyServerOptions['logger'];
  /** Where the app's own logger writes (tests capture it); the app's redaction rules still apply. */
  readonly logStream?: DestinationStream;
  /** Extra routes for tests (e.g. a route that throws). */
  readonly extraRoutes?: (app: FastifyInstance) => void;
  /** Called for every route as it is registered (tests enumerate the route table). */
  readonly onRoute?: (route: RouteOptions) => void;
};

const PAGE_TITLES: Record<number, string> = {
  400: 'Sorry, there is a problem with the information you sent',
  403: 'You do not have permission to see this page',
  404: 'Page not found',
  405: 'Page not found',
  409: 'Someone else changed this record',
  413: 'The information you sent was too large',
  429: 'Too many attempts',
  500: 'Sorry, there is a problem with the service',
  503: 'Sorry, the service is unavailable',
};

/** Builds the whole web application without listening, so tests can use app.inject(). */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { deps } = options;
  const views = makeViews({ watch: deps.config.reloadTemplates });
  const app: FastifyInstance = Fastify({
    logger: options.logger ?? {
      ...loggerOptions(deps.config.logLevel),
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    trustProxy: false,
    bodyLimit: 1_048_576,
    routerOptions: { maxParamLength: 200 },
    // A malformed or over-long URL is answered by the ordinary "Page not found" page, with the usual
    // security headers, rather than Fastify's bare JSON reply.
    frameworkErrors: (_error, request, reply) => {
      request.raw.url = '/page-not-found';
      app.routing(request.raw, reply.raw);
    },
  });
  if (options.onRoute) app.addHook('onRoute', options.onRoute);
  // Staff pages post HTML forms only: a JSON or plain-text body is refused (415, shown as a 400 page).
  app.removeContentTypeParser(['application/json', 'text/plain']);

  app.decorateReply(
    'view',
    function view(this: import('fastify').FastifyReply, template: string, context = {}) {
      const request = this.request;
      const html = views.render(template, {
        cspNonce: this.cspNonce.script,
        csrfToken: request.csrfToken,
        actor: request.actor,
        navigation: navigationFor(request.actor, request.url),
        requestId: request.id,
        currentPath: request.url.split('?')[0],
        ...context,
      });
      return this.type('text/html; charset=utf-8').send(html);
    },
  );

  await registerSecurityHeaders(app, { hsts: deps.config.cookieSecure });
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 1_048_576 });
  await app.register(rateLimit, { global: false });
  await registerStaticFiles(app);
  await registerSessions(app, deps);

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).view('errors/error.njk', { status: 404, title: PAGE_TITLES[404] });
  });

  app.setErrorHandler((error, request, reply) => {
    let status = 500;
    if (error instanceof DomainError) status = error.status;
    else if (typeof (error as { statusCode?: unknown }).statusCode === 'number') {
      status = (error as { statusCode: number }).statusCode;
    }
    if (status >= 500)
      request.log.error(
        {
          err: {
            type: (error as Error).name,
            message: (error as Error).message,
            stack: (error as Error).stack,
          },
        },
        'request failed',
      );
    else request.log.info({ code: (error as { code?: string }).code, status }, 'request refused');
    if (error instanceof VersionConflictError) {
      const back = error.backLink ?? request.url.split('?')[0] ?? '/';
      return reply.code(409).view('errors/conflict.njk', { backLink: back, fields: error.fields });
    }
    if (error instanceof InvalidInputError) status = 400;
    if (status === 405) status = 404;
    if (!PAGE_TITLES[status]) status = status >= 500 ? 500 : 400;
    const child = /^\/(children|people)\/([0-9a-f-]{36})(\/|$|\?)/i.exec(request.url);
    const breakGlassHref =
      status === 404 && child && request.actor && mayAskForBreakGlass(request.actor)
        ? `/${child[1]}/${child[2]}/break-glass`
        : undefined;
    reply.code(status).view('errors/error.njk', { status, title: PAGE_TITLES[status], breakGlassHref });
  });

  await app.register(healthRoutes, { deps, handle: options.handle });
  await app.register(staffApp, { deps });
  await app.register(portalApp, { deps, prefix: '/family' });
  await app.register(openReferralRoutes, { deps, prefix: '/openreferral' });
  options.extraRoutes?.(app);
  return app;
}
