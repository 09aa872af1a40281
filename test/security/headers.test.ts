import { connect as connectSocket, type AddressInfo } from 'node:net';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { openTestDb } from '../support/db.ts';
import { Browser, testApp } from '../support/web.ts';
import { makeWorld, testClock, testDeps } from '../support/world.ts';
import { expectGovukErrorPage, expectNoInternals, signedInAs } from '../support/app-helpers.ts';

let handle: DbHandle;
let app: FastifyInstance;
let deps: Deps;
let world: Awaited<ReturnType<typeof makeWorld>>;

const SECRET_MESSAGE = 'kaboom-internal-detail';

beforeAll(async () => {
  handle = await openTestDb();
  deps = testDeps(handle, { clock: testClock(new Date('2026-11-25T10:00:00Z')) });
  world = await makeWorld(deps);
  app = await testApp(deps, (instance) => {
    instance.get('/test-only/throws', { config: { access: 'public' } }, async () => {
      throw new TypeError(`${SECRET_MESSAGE}: cannot read properties of undefined (reading 'password_hash')`);
    });
    instance.get('/test-only/bad-sql', { config: { access: 'public' } }, async () => {
      await sql`SELECT password_hash FROM no_such_table_for_tests WHERE email = ${'someone@example.gov.uk'}`.execute(
        deps.db,
      );
      return 'unreachable';
    });
  });
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

function cspOf(response: LightMyRequestResponse): string {
  const header = response.headers['content-security-policy'];
  expect(typeof header, 'Content-Security-Policy header').toBe('string');
  return String(header);
}

function scriptNonce(response: LightMyRequestResponse): string {
  const nonce = /script-src [^;]*'nonce-([A-Za-z0-9+/=_-]+)'/.exec(cspOf(response))?.[1];
  expect(nonce, 'a script nonce in the CSP').toBeTruthy();
  return nonce ?? '';
}

/** The headers every response must carry, whatever it is. */
function expectSecurityHeaders(response: LightMyRequestResponse, what: string): void {
  const csp = cspOf(response);
  const directives = new Map(
    csp.split(';').map((d) => {
      const [name = '', ...values] = d.trim().split(/\s+/);
      return [name, values] as const;
    }),
  );
  expect(directives.get('default-src'), `${what}: default-src`).toEqual(["'self'"]);
  expect(directives.get('frame-ancestors'), `${what}: frame-ancestors`).toEqual(["'none'"]);
  expect(directives.get('object-src'), `${what}: object-src`).toEqual(["'none'"]);
  expect(directives.get('base-uri'), `${what}: base-uri`).toEqual(["'none'"]);
  expect(directives.get('form-action'), `${what}: form-action`).toEqual(["'self'"]);
  const scriptSrc = directives.get('script-src') ?? [];
  expect(scriptSrc, `${what}: script-src`).toContain("'self'");
  expect(scriptSrc.join(' '), `${what}: script-src`).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:/);
  expect(csp, `${what}: no other origins`).not.toMatch(/https?:\/\//);
  expect(response.headers['x-content-type-options'], `${what}: X-Content-Type-Options`).toBe('nosniff');
  expect(response.headers['referrer-policy'], `${what}: Referrer-Policy`).toBe('no-referrer');
  expect(response.headers['x-frame-options'], `${what}: X-Frame-Options`).toBe('DENY');
  const permissions = String(response.headers['permissions-policy'] ?? '');
  for (const feature of ['camera=()', 'microphone=()', 'geolocation=()'])
    expect(permissions, `${what}: Permissions-Policy`).toContain(feature);
  expect(response.headers['x-powered-by'], `${what}: X-Powered-By`).toBeUndefined();
  expect(response.headers['server'], `${what}: Server`).toBeUndefined();
}

describe('security headers', () => {
  it('are on a page, with a fresh script nonce each time that matches every script on the page', async () => {
    const browser = new Browser(app);
    const nonces = new Set<string>();
    for (let i = 0; i < 3; i += 1) {
      const page = await browser.get('/sign-in');
      expect(page.statusCode).toBe(200);
      expectSecurityHeaders(page, 'sign-in page');
      const nonce = scriptNonce(page);
      nonces.add(nonce);
      const scripts = [...page.body.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1] ?? '');
      expect(scripts.length).toBeGreaterThanOrEqual(2);
      const inline = [...page.body.matchAll(/<script\b(?![^>]*\bsrc=)([^>]*)>/g)];
      expect(inline.length, 'the page has an inline script').toBeGreaterThanOrEqual(1);
      for (const attributes of scripts) expect(attributes).toContain(`nonce="${nonce}"`);
      expect(page.body).not.toMatch(/\son[a-z]+="/);
    }
    expect(nonces.size).toBe(3);
  });

  it('are on the 404 page, the CSRF 403 page and the 500 page', async () => {
    const browser = new Browser(app);
    const notFound = await browser.get('/no-such-page');
    expectGovukErrorPage(notFound, 404, 'Page not found');
    expectSecurityHeaders(notFound, '404 page');
    expect(notFound.body).toContain(`nonce="${scriptNonce(notFound)}"`);

    const forged = await browser.post(
      '/sign-in',
      { email: 'someone@example.gov.uk', password: 'whatever it is' },
      { csrf: null },
    );
    expectGovukErrorPage(forged, 403, 'This page has expired');
    expectSecurityHeaders(forged, 'CSRF page');
    expect(forged.headers['cache-control']).toBe('no-store');

    const failed = await browser.get('/test-only/throws');
    expectGovukErrorPage(failed, 500, 'Sorry, there is a problem with the service');
    expectSecurityHeaders(failed, '500 page');
    expect(failed.headers['cache-control']).toBe('no-store');
  });

  it('are on static files and /health', async () => {
    for (const url of [
      '/govuk/govuk-frontend.min.css',
      '/govuk/govuk-frontend.min.js',
      '/assets/images/favicon.ico',
      '/public/app.css',
      '/health',
    ]) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expectSecurityHeaders(response, url);
    }
    const css = await app.inject({ method: 'GET', url: '/govuk/govuk-frontend.min.css' });
    expect(css.headers['content-type']).toMatch(/^text\/css/);
  });

  it('include Cache-Control: no-store on every signed-in page', async () => {
    const admin = await world.user({
      roles: ['administrator', 'team_manager', 'practitioner'],
      teamIds: [world.teamA],
    });
    const child = await world.child({ teamId: world.teamA });
    const browser = await signedInAs(app, deps, admin.id);
    for (const url of [
      '/',
      '/children',
      `/children/${child}`,
      `/children/${child}/who-has-looked`,
      '/admin/users',
      `/admin/users/${admin.id}`,
      '/admin/users/new',
      '/manage/break-glass',
    ]) {
      const response = await browser.get(url);
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['cache-control'], url).toBe('no-store');
      expectSecurityHeaders(response, url);
    }
  });
});

describe('error pages', () => {
  it('show no stack trace, error message or SQL when something fails', async () => {
    for (const url of ['/test-only/throws', '/test-only/bad-sql']) {
      const response = await app.inject({ method: 'GET', url });
      expectGovukErrorPage(response, 500, 'Sorry, there is a problem with the service');
      expect(response.body).not.toContain(SECRET_MESSAGE);
      expect(response.body).not.toContain('password_hash');
      expect(response.body).not.toContain('no_such_table_for_tests');
      expect(response.body).not.toContain('someone@example.gov.uk');
      expect(response.body).not.toMatch(/TypeError|does not exist|stack/i);
      expectNoInternals(response.body);
    }
  });

  it('answer TRACE and other unexpected methods without a 500', async () => {
    for (const method of [
      'TRACE',
      'OPTIONS',
      'PUT',
      'DELETE',
      'PATCH',
      'PROPFIND',
      'SEARCH',
      'CONNECT',
    ] as const) {
      for (const url of ['/', '/sign-in', '/no-such-page']) {
        const response = await app.inject({ method: method as 'GET', url });
        expect(response.statusCode, `${method} ${url}`).toBeGreaterThanOrEqual(400);
        expect(response.statusCode, `${method} ${url}`).toBeLessThan(500);
        expect(response.headers['content-type'], `${method} ${url}`).toMatch(/^text\/html/);
        expectSecurityHeaders(response, `${method} ${url}`);
        expectNoInternals(response.body);
      }
    }
    // A method no one has heard of never reaches Fastify's router, so it is tried over a real socket.
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const statusLine = await new Promise<string>((resolve, reject) => {
      const socket = connectSocket(port, '127.0.0.1', () =>
        socket.write('FOOBAR / HTTP/1.1\r\nHost: localhost\r\n\r\n'),
      );
      let data = '';
      socket.on('data', (chunk: Buffer) => {
        data += chunk.toString('latin1');
        if (data.includes('\r\n')) socket.destroy();
      });
      socket.on('close', () => resolve(data.split('\r\n')[0] ?? ''));
      socket.on('error', reject);
    });
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
    expect(status, statusLine).toBeGreaterThanOrEqual(400);
    expect(status, statusLine).toBeLessThan(500);
  });

  it('never serve files outside the public folders', async () => {
    for (const url of [
      '/.git/HEAD',
      '/.env',
      '/.git/config',
      '/package.json',
      '/govuk/package.json',
      '/govuk/../../package.json',
      '/public/../../../.env',
      '/public/%2e%2e/%2e%2e/%2e%2e/package.json',
      '/assets/..%2f..%2f..%2f..%2fpackage.json',
      '/src/platform/config.ts',
    ]) {
      const response = await app.inject({ method: 'GET', url });
      expectGovukErrorPage(response, 404, 'Page not found');
      expectSecurityHeaders(response, url);
      expect(response.body).not.toContain('"name": "hearth"');
      expect(response.body).not.toContain('refs/heads');
    }
  });
});
