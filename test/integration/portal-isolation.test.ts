import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { createSession } from '../../src/platform/auth/sessions.ts';
import { createFamilySession } from '../../src/modules/portal/sessions.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { appWithRouteTable, fillRoute, snapshot } from '../support/app-helpers.ts';
import { openTestDb } from '../support/db.ts';
import { familySignedIn, makeFamily } from '../support/portal-family.ts';
import { Browser, csrfFrom, testApp } from '../support/web.ts';
import { makeWorld, testClock, testDeps } from '../support/world.ts';

let handle: DbHandle;
let app: FastifyInstance;
let deps: Deps;
let world: Awaited<ReturnType<typeof makeWorld>>;

beforeAll(async () => {
  handle = await openTestDb();
  deps = testDeps(handle, { clock: testClock(new Date('2026-11-25T10:00:00Z')) });
  world = await makeWorld(deps);
  app = await testApp(deps);
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

describe('the portal is kept apart from the staff application', () => {
  it('a staff session never signs anyone in to the portal, under either cookie name', async () => {
    const user = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const token = await createSession(deps, user.id, 'full');
    const staff = new Browser(app);
    staff.cookies.set('hearth-session', token);
    expect((await staff.get('/')).statusCode).toBe(200);
    const portal = await staff.get('/family');
    expect(portal.statusCode).toBe(303);
    expect(portal.headers.location).toBe('/family/sign-in');

    const swapped = new Browser(app);
    swapped.cookies.set('hearth-family', token);
    const refused = await swapped.get('/family');
    expect(refused.headers.location).toBe('/family/sign-in');
    // The unknown portal cookie is cleared.
    expect(swapped.cookies.has('hearth-family')).toBe(false);
  });

  it('a portal session never signs anyone in to the staff application', async () => {
    const family = await makeFamily(deps, world, { teamId: world.teamA });
    const token = await createFamilySession(deps, family.accountId);
    const parent = new Browser(app);
    parent.cookies.set('hearth-family', token);
    expect((await parent.get('/family')).statusCode).toBe(200);
    const staffHome = await parent.get('/');
    expect(staffHome.statusCode).toBe(303);
    expect(staffHome.headers.location).toBe('/sign-in');
    expect((await parent.get(`/children/${family.childId}`)).headers.location).toBe('/sign-in');

    const swapped = new Browser(app);
    swapped.cookies.set('hearth-session', token);
    expect((await swapped.get('/')).headers.location).toBe('/sign-in');
  });

  it('has its own anti-forgery tokens: a staff token is refused by the portal and the other way round', async () => {
    const user = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const staff = new Browser(app);
    staff.cookies.set('hearth-session', await createSession(deps, user.id, 'full'));
    const staffToken = csrfFrom((await staff.get('/')).body);

    const family = await makeFamily(deps, world, { teamId: world.teamA });
    const parent = await familySignedIn(app, deps, family.accountId);
    const familyToken = csrfFrom((await parent.get('/family')).body);
    expect(familyToken).not.toBe(staffToken);

    // Both cookies in one browser: each side reads only its own.
    parent.cookies.set('hearth-session', staff.cookies.get('hearth-session') ?? '');
    const withStaffToken = await parent.post('/family/sign-out', {}, { csrf: staffToken });
    expect(withStaffToken.statusCode).toBe(403);
    expect(withStaffToken.body).toContain('The page you used was out of date');
    const withoutToken = await parent.post('/family/sign-out', {}, { csrf: null });
    expect(withoutToken.statusCode).toBe(403);
    expect((await parent.get('/family')).statusCode).toBe(200);

    const staffWithFamilyToken = await parent.post('/sign-out', {}, { csrf: familyToken });
    expect(staffWithFamilyToken.statusCode).toBe(403);
    expect((await parent.get('/')).statusCode).toBe(200);

    const signedOut = await parent.post('/family/sign-out', {}, { csrf: familyToken });
    expect(signedOut.statusCode).toBe(303);
    expect(signedOut.headers.location).toBe('/family/signed-out');
    expect((await parent.get('/family')).headers.location).toBe('/family/sign-in');
    // Signing out of the portal leaves the staff session alone.
    expect((await parent.get('/')).statusCode).toBe(200);
  });

  it('refuses every state-changing portal route without the session’s own token, and changes nothing', async () => {
    const { app: walked, routes } = await appWithRouteTable(deps);
    const unsafe = [
      ...new Set(
        routes
          .filter((r) => r.url.startsWith('/family') && r.method !== 'GET' && r.method !== 'HEAD')
          .map((r) => `${r.method} ${r.url}`),
      ),
    ];
    expect(unsafe).toEqual(expect.arrayContaining(['POST /family/sign-in', 'POST /family/sign-out']));
    const stranger = await makeFamily(deps, world, { teamId: world.teamA });
    const foreign = csrfFrom(
      (await (await familySignedIn(walked, deps, stranger.accountId)).get('/family')).body,
    );
    for (const key of unsafe) {
      const [method = 'POST', pattern = ''] = key.split(' ');
      const family = await makeFamily(deps, world, { teamId: world.teamA });
      const browser = await familySignedIn(walked, deps, family.accountId);
      const own = csrfFrom((await browser.get('/family')).body);
      const url = fillRoute(pattern, {}, family.childId);
      const send = (token: string | undefined) =>
        walked.inject({
          method: method as 'POST',
          url,
          headers: { cookie: browser.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams(token === undefined ? {} : { _csrf: token }).toString(),
        });
      const before = await snapshot(handle);
      const damaged = `${own.slice(0, 63)}${own.endsWith('0') ? '1' : '0'}`;
      for (const [what, token] of [
        ['no token', undefined],
        ['another session’s token', foreign],
        ['a damaged token', damaged],
      ] as const) {
        const refused = await send(token);
        expect(refused.statusCode, `${key} with ${what}`).toBe(403);
        expect(refused.body, `${key} with ${what}`).toContain('This page has expired');
        expect(refused.headers['set-cookie'], `${key} with ${what}`).toBeUndefined();
      }
      expect(await snapshot(handle), `${key}: nothing may change without the session's own token`).toEqual(
        before,
      );
      expect((await send(own)).statusCode, `${key} with its own token`).not.toBe(403);
    }
    await walked.close();
  });

  it('sends a stricter security policy than staff pages: no script at all', async () => {
    const family = await makeFamily(deps, world, { teamId: world.teamA });
    const parent = await familySignedIn(app, deps, family.accountId);
    const anonymous = new Browser(app);
    for (const url of ['/family', '/family/sign-in', '/family/help', '/family/no-such-page']) {
      const response = url === '/family/sign-in' ? await anonymous.get(url) : await parent.get(url);
      const csp = String(response.headers['content-security-policy']);
      expect(csp, url).toContain("default-src 'none'");
      expect(csp, url).not.toContain('script-src');
      expect(csp, url).toContain("frame-ancestors 'none'");
      expect(response.body, url).not.toMatch(/<script/i);
      expect(response.headers['cache-control'], url).toBe('no-store');
      expect(response.body, url).toContain('href="/family/help"');
      expect(response.body, url).toContain('call 999');
    }
    const staffPage = await new Browser(app).get('/sign-in');
    expect(String(staffPage.headers['content-security-policy'])).toContain('script-src');
  });

  it('answers an unknown portal address with the portal’s own "not found" page', async () => {
    const response = await new Browser(app).get('/family/no-such-page');
    expect(response.statusCode).toBe(404);
    expect(response.body).toContain('Family portal');
    expect(response.body).toContain('Page not found');
    expect(response.body).not.toContain('break-glass');
  });

  it('serves its stylesheet compressed and cacheable', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/family/portal.css',
      headers: { 'accept-encoding': 'gzip, deflate' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(response.rawPayload.length).toBeLessThan(40_000);
    expect(response.headers['cache-control']).toBe('public, max-age=86400');
    // A first visit (page and stylesheet, fonts aside) stays under 100 KB.
    const family = await makeFamily(deps, world, { teamId: world.teamA });
    const home = await (await familySignedIn(app, deps, family.accountId)).get('/family');
    expect(home.rawPayload.length + response.rawPayload.length).toBeLessThan(100_000);
    expect(home.body.match(/<link rel="stylesheet"[^>]*>/g)).toEqual([
      '<link rel="stylesheet" href="/family/portal.css">',
    ]);
    const plain = await app.inject({ method: 'GET', url: '/family/portal.css' });
    expect(plain.body).toContain('.govuk-template');
    expect(plain.body).toContain('.app-portal-emergency');
  });
});
