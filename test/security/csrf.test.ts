import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { openTestDb } from '../support/db.ts';
import { Browser, csrfFrom } from '../support/web.ts';
import {
  makeWorld,
  testClock,
  testConfig,
  testDeps,
  type TestClock,
  type TestUser,
} from '../support/world.ts';
import { appWithRouteTable, fillRoute, signedInAs, snapshot, type RouteInfo } from '../support/app-helpers.ts';

let handle: DbHandle;
let app: FastifyInstance;
let routes: RouteInfo[];
let deps: Deps;
let clock: TestClock;
let world: Awaited<ReturnType<typeof makeWorld>>;

beforeAll(async () => {
  handle = await openTestDb();
  clock = testClock(new Date('2026-11-25T10:00:00Z'));
  // With sign-in through the council's identity provider configured, so its routes are walked too.
  const config = testConfig({
    HEARTH_OIDC_ISSUER: 'https://idp.example.invalid',
    HEARTH_OIDC_CLIENT_ID: 'hearth',
    HEARTH_OIDC_CLIENT_SECRET: 'hearth-test-secret',
    HEARTH_OIDC_REDIRECT_URL: 'http://localhost:3000/sign-in/oidc/callback',
  });
  deps = testDeps(handle, { clock, config });
  world = await makeWorld(deps);
  ({ app, routes } = await appWithRouteTable(deps));
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

const CSRF_PAGE = 'This page has expired';

/** Every state-changing route in the app, straight from the route table. */
function unsafeRoutes(): RouteInfo[] {
  const seen = new Set<string>();
  return routes.filter((r) => {
    const key = `${r.method} ${r.url}`;
    if (r.method === 'GET' || r.method === 'HEAD' || seen.has(key)) return false;
    // The family portal has its own tokens (a staff token is refused there by design): its routes are
    // walked the same way in test/integration/portal-isolation.test.ts.
    if (r.url.startsWith('/family')) return false;
    seen.add(key);
    return true;
  });
}

async function post(
  browser: Browser | undefined,
  method: string,
  url: string,
  form: Record<string, string | string[]>,
  token: string | undefined,
) {
  const body = new URLSearchParams();
  if (token !== undefined) body.append('_csrf', token);
  for (const [key, value] of Object.entries(form)) for (const v of [value].flat()) body.append(key, v);
  return app.inject({
    method: method as 'POST',
    url,
    headers: { cookie: browser?.cookieHeader() ?? '', 'content-type': 'application/x-www-form-urlencoded' },
    payload: body.toString(),
  });
}

describe('anti-forgery tokens', () => {
  it('finds the state-changing routes in the route table', () => {
    const keys = unsafeRoutes().map((r) => `${r.method} ${r.url}`);
    for (const expected of [
      'POST /sign-in',
      'POST /sign-in/second-factor',
      'POST /sign-out',
      'POST /admin/users',
      'POST /admin/users/:id/access',
      'POST /admin/users/:id/disable',
      'POST /admin/users/:id/enable',
      'POST /admin/users/:id/reset-second-factor',
      'POST /children/:id/break-glass',
      'POST /manage/break-glass/:id/reviewed',
    ]) {
      expect(keys).toContain(expected);
    }
  });

  it('refuses every state-changing route from a signed-in session, with no token or another session’s token, and changes nothing', async () => {
    // Someone who could do everything, so a missing check would show as a change.
    const admin = await world.user({
      roles: ['administrator', 'team_manager', 'practitioner'],
      teamIds: [world.teamA],
    });
    const other = await world.user({ roles: ['administrator', 'practitioner'], teamIds: [world.teamA] });
    const target = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const disabled = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    await deps.db
      .updateTable('users')
      .set({ disabled_at: clock.now() })
      .where('id', '=', disabled.id)
      .execute();
    const colleague = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const childB = await world.child({ teamId: world.teamB });
    const grant = await deps.db
      .insertInto('break_glass_grants')
      .values({
        user_id: colleague.id,
        person_id: childB,
        reason_code: 'out_of_hours',
        reason: 'Emergency duty call about this child',
        granted_at: clock.now(),
        expires_at: new Date(clock.now().getTime() + 3_600_000),
      })
      .returning('id')
      .executeTakeFirstOrThrow();

    const versionOf = async (user: TestUser) =>
      String(
        (
          await deps.db
            .selectFrom('users')
            .select('version')
            .where('id', '=', user.id)
            .executeTakeFirstOrThrow()
        ).version,
      );

    /** What each known route needs to do real work; anything new gets a random id and an empty form. */
    const requests: Record<
      string,
      () => Promise<{
        params: Record<string, string>;
        form: Record<string, string | string[]>;
        changes: boolean;
      }>
    > = {
      'POST /sign-in': async () => ({
        params: {},
        form: { email: target.email, password: target.password },
        changes: true,
      }),
      // A full session is sent away from the second-factor step, so even with a token nothing happens.
      'POST /sign-in/second-factor': async () => ({ params: {}, form: { code: '123456' }, changes: false }),
      'POST /sign-out': async () => ({ params: {}, form: {}, changes: true }),
      'POST /admin/users': async () => ({
        params: {},
        form: {
          email: 'forged.account@example.gov.uk',
          displayName: 'Forged Account',
          password: 'a long enough password',
          roleIds: 'senior_leader',
        },
        changes: true,
      }),
      'POST /admin/users/:id/access': async () => ({
        params: { id: target.id },
        form: { version: await versionOf(target), roleIds: ['senior_leader', 'administrator'] },
        changes: true,
      }),
      'POST /admin/users/:id/disable': async () => ({
        params: { id: target.id },
        form: { version: await versionOf(target) },
        changes: true,
      }),
      'POST /admin/users/:id/enable': async () => ({
        params: { id: disabled.id },
        form: { version: await versionOf(disabled) },
        changes: true,
      }),
      'POST /admin/users/:id/reset-second-factor': async () => ({
        params: { id: target.id },
        form: { version: await versionOf(target) },
        changes: true,
      }),
      'POST /children/:id/break-glass': async () => ({
        params: { id: childB },
        form: { reasonCode: 'urgent_safeguarding', reason: 'A forged request for emergency access' },
        changes: true,
      }),
      'POST /manage/break-glass/:id/reviewed': async () => ({
        params: { id: grant.id },
        form: {},
        changes: true,
      }),
    };

    const attacker = await signedInAs(app, deps, other.id);
    const foreignToken = csrfFrom((await attacker.get('/')).body);
    const tested: string[] = [];

    for (const route of unsafeRoutes()) {
      const key = `${route.method} ${route.url}`;
      const spec = (await requests[key]?.()) ?? { params: {}, form: {}, changes: false };
      const url = fillRoute(route.url, spec.params, '6f1c1d5e-0000-4000-8000-000000000000');
      // A fresh full session for each route, since some of them (sign-out, sign-in) replace it.
      const browser = await signedInAs(app, deps, admin.id);
      const ownToken = csrfFrom((await browser.get('/')).body);
      expect(ownToken, key).not.toBe(foreignToken);

      const before = await snapshot(handle);
      const missing = await post(browser, route.method, url, spec.form, undefined);
      expect(missing.statusCode, `${key} with no token`).toBe(403);
      expect(missing.body, `${key} with no token`).toContain(CSRF_PAGE);
      expect(missing.headers['set-cookie'], `${key} with no token`).toBeUndefined();
      const foreign = await post(browser, route.method, url, spec.form, foreignToken);
      expect(foreign.statusCode, `${key} with another session's token`).toBe(403);
      expect(foreign.body, `${key} with another session's token`).toContain(CSRF_PAGE);
      const damaged = `${ownToken.slice(0, 63)}${ownToken.endsWith('0') ? '1' : '0'}`;
      const malformed = await post(browser, route.method, url, spec.form, damaged);
      expect(malformed.statusCode, `${key} with a damaged token`).toBe(403);
      expect(await snapshot(handle), `${key}: nothing may change without the session's own token`).toEqual(
        before,
      );

      // The same request with the session's own token does its work, so the refusals above were the token's doing.
      const genuine = await post(browser, route.method, url, spec.form, ownToken);
      expect(genuine.statusCode, `${key} with its own token`).not.toBe(403);
      if (spec.changes)
        expect(await snapshot(handle), `${key} with its own token should change something`).not.toEqual(
          before,
        );
      tested.push(key);
    }
    expect(tested.length).toBeGreaterThanOrEqual(Object.keys(requests).length);
    // Every state-changing route, three requests and a database snapshot each: longer than one test's
    // default on a loaded machine.
  }, 180_000);

  it('accepts the token in the X-CSRF-Token header only from its own session', async () => {
    const user = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const other = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const childB = await world.child({ teamId: world.teamB });
    const browser = await signedInAs(app, deps, user.id);
    const foreign = csrfFrom((await (await signedInAs(app, deps, other.id)).get('/')).body);
    const form = new URLSearchParams({
      reasonCode: 'urgent_safeguarding',
      reason: 'Header token test reason',
    }).toString();
    const before = await snapshot(handle);
    const refused = await app.inject({
      method: 'POST',
      url: `/children/${childB}/break-glass`,
      headers: {
        cookie: browser.cookieHeader(),
        'content-type': 'application/x-www-form-urlencoded',
        'x-csrf-token': foreign,
      },
      payload: form,
    });
    expect(refused.statusCode).toBe(403);
    expect(await snapshot(handle)).toEqual(before);
  });

  it('ties the pre-sign-in form token to its own pre-session cookie', async () => {
    const user = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const a = new Browser(app);
    const b = new Browser(app);
    const tokenA = csrfFrom((await a.get('/sign-in')).body);
    const tokenB = csrfFrom((await b.get('/sign-in')).body);
    expect(a.cookies.get('hearth-pre')).toBeTruthy();
    expect(a.cookies.get('hearth-pre')).not.toBe(b.cookies.get('hearth-pre'));
    expect(tokenA).not.toBe(tokenB);
    const credentials = { email: user.email, password: user.password };
    const sessions = async () =>
      (await deps.db.selectFrom('sessions').select('id_hash').where('user_id', '=', user.id).execute())
        .length;

    // A's token in B's browser, and with no pre-session cookie at all: refused, no session started.
    const crossed = await b.post('/sign-in', credentials, { csrf: tokenA });
    expect(crossed.statusCode).toBe(403);
    expect(crossed.body).toContain(CSRF_PAGE);
    const cookieless = await post(undefined, 'POST', '/sign-in', credentials, tokenA);
    expect(cookieless.statusCode).toBe(403);
    const forgedCookie = new Browser(app);
    forgedCookie.cookies.set('hearth-pre', 'an-attacker-chosen-pre-session-value');
    expect((await forgedCookie.post('/sign-in', credentials, { csrf: tokenA })).statusCode).toBe(403);
    expect(await sessions()).toBe(0);

    // A's own token with A's own cookie works.
    const own = await a.post('/sign-in', credentials, { csrf: tokenA });
    expect(own.statusCode).toBe(303);
    expect(own.headers.location).toBe('/sign-in/second-factor');
    expect(await sessions()).toBe(1);

    // Once A has a session, the pre-session token no longer counts, even with the pre cookie still sent.
    expect(a.cookies.get('hearth-pre')).toBeTruthy();
    expect(a.cookies.get('hearth-session')).toBeTruthy();
    const stale = await a.post('/sign-in/second-factor', { code: '000000' }, { csrf: tokenA });
    expect(stale.statusCode).toBe(403);
    expect(stale.body).toContain(CSRF_PAGE);
  });
});
