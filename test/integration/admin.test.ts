import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { totpCode } from '../../src/platform/auth/totp.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { openTestDb } from '../support/db.ts';
import { Browser, csrfFrom, testApp } from '../support/web.ts';
import { makeWorld, testClock, testDeps, type TestClock, type TestUser } from '../support/world.ts';
import { count, expectGovukErrorPage, signedInAs, snapshot } from '../support/app-helpers.ts';

let handle: DbHandle;
let app: FastifyInstance;
let deps: Deps;
let clock: TestClock;
let world: Awaited<ReturnType<typeof makeWorld>>;
let admin: TestUser;
let adminBrowser: Browser;

beforeAll(async () => {
  handle = await openTestDb();
  clock = testClock(new Date('2026-11-25T10:00:00Z'));
  deps = testDeps(handle, { clock });
  world = await makeWorld(deps);
  app = await testApp(deps);
  admin = await world.user({ roles: ['administrator'] });
  adminBrowser = new Browser(app);
  expect((await adminBrowser.signIn(admin, clock)).headers.location).toBe('/');
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

/** The account page, its version and its form token, as an administrator sees them. */
async function openAccount(browser: Browser, userId: string) {
  const page = await browser.get(`/admin/users/${userId}`);
  expect(page.statusCode).toBe(200);
  return {
    body: page.body,
    version: /name="version" value="(\d+)"/.exec(page.body)?.[1] ?? '',
    csrf: csrfFrom(page.body),
  };
}

async function roleIdsOf(userId: string): Promise<string[]> {
  const rows = await deps.db
    .selectFrom('user_roles')
    .select('role_id')
    .where('user_id', '=', userId)
    .orderBy('role_id')
    .execute();
  return rows.map((r) => r.role_id);
}

async function teamIdsOf(userId: string): Promise<string[]> {
  const rows = await deps.db
    .selectFrom('team_memberships')
    .select('team_id')
    .where('user_id', '=', userId)
    .execute();
  return rows.map((r) => r.team_id).sort();
}

/** Signs in with a password and returns the browser, now on the second-factor step. */
async function passwordStep(email: string, password: string) {
  const browser = new Browser(app);
  const response = await browser.post('/sign-in', { email, password });
  return { browser, response };
}

describe('staff accounts', () => {
  it('lets an administrator add a member of staff, who signs in with the password and is asked to set up an authenticator', async () => {
    const form = await adminBrowser.get('/admin/users/new');
    expect(form.statusCode).toBe(200);
    const password = 'a temporary password for Casey';
    const created = await adminBrowser.post(
      '/admin/users',
      {
        email: 'casey.new@example.gov.uk',
        displayName: 'Casey Newstarter',
        password,
        roleIds: 'practitioner',
        teamIds: world.teamA,
      },
      { csrf: csrfFrom(form.body) },
    );
    expect(created.statusCode).toBe(303);
    const id = /^\/admin\/users\/([0-9a-f-]{36})$/.exec(created.headers.location ?? '')?.[1] ?? '';
    expect(id).not.toBe('');
    const account = await openAccount(adminBrowser, id);
    expect(account.body).toContain('Casey Newstarter');
    expect(account.body).toContain('casey.new@example.gov.uk');
    expect(account.body).toContain('Not set up');
    expect((await adminBrowser.get('/admin/users')).body).toContain('Casey Newstarter');
    expect(await roleIdsOf(id)).toEqual(['practitioner']);
    expect(await teamIdsOf(id)).toEqual([world.teamA]);
    const stored = await deps.db
      .selectFrom('users')
      .select(['password_hash', 'totp_secret'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(stored.password_hash).toMatch(/^\$argon2id\$/);
    expect(stored.totp_secret).toBeNull();
    expect(
      await count(handle, 'audit_log', { action: 'user.created', entity_id: id, actor_user_id: admin.id }),
    ).toBe(1);

    const { browser, response } = await passwordStep('casey.new@example.gov.uk', password);
    expect(response.headers.location).toBe('/sign-in/second-factor');
    expect((await browser.get('/')).headers.location).toBe('/sign-in/second-factor');
    const enrol = await browser.get('/sign-in/second-factor');
    expect(enrol.body).toContain('Set up your authenticator app');
    const secret = /data-qa="totp-secret">([A-Z2-7 ]+)</.exec(enrol.body)?.[1]?.replace(/ /g, '') ?? '';
    expect(secret).not.toBe('');
    const done = await browser.post(
      '/sign-in/second-factor',
      { code: totpCode(secret, clock.now()) },
      { tokenFrom: '/sign-in/second-factor' },
    );
    expect(done.headers.location).toBe('/');
    const home = await browser.get('/');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Casey Newstarter');
  });

  it('changes roles and teams, and the change applies to the user’s very next request', async () => {
    const user = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const childA = await world.child({ teamId: world.teamA, given: 'Anwen', family: 'Northteam' });
    const childB = await world.child({ teamId: world.teamB, given: 'Bryn', family: 'Southteam' });
    const theirs = await signedInAs(app, deps, user.id);
    expect((await theirs.get(`/children/${childA}`)).statusCode).toBe(200);
    expect((await theirs.get(`/children/${childB}`)).statusCode).toBe(404);
    expect((await theirs.get('/admin/users')).statusCode).toBe(403);

    const account = await openAccount(adminBrowser, user.id);
    const saved = await adminBrowser.post(
      `/admin/users/${user.id}/access`,
      { version: account.version, roleIds: ['practitioner', 'administrator'], teamIds: [world.teamB] },
      { csrf: account.csrf },
    );
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`/admin/users/${user.id}`);
    expect(await roleIdsOf(user.id)).toEqual(['administrator', 'practitioner']);
    expect(await teamIdsOf(user.id)).toEqual([world.teamB]);
    const after = await openAccount(adminBrowser, user.id);
    expect(Number(after.version)).toBe(Number(account.version) + 1);
    expect(after.body).toMatch(/value="administrator" checked/);
    expect(after.body).toMatch(new RegExp(`value="${world.teamB}" checked`));
    expect(after.body).not.toMatch(new RegExp(`value="${world.teamA}" checked`));

    expect((await theirs.get(`/children/${childA}`)).statusCode).toBe(404);
    expect((await theirs.get(`/children/${childB}`)).statusCode).toBe(200);
    expect((await theirs.get('/admin/users')).statusCode).toBe(200);
    expect(await count(handle, 'audit_log', { action: 'user.access_changed', entity_id: user.id })).toBe(1);
  });

  it('disables an account (refusing sign-in as for a wrong password) and enables it again', async () => {
    const user = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const open = await signedInAs(app, deps, user.id);
    const account = await openAccount(adminBrowser, user.id);
    expect(account.body).toContain(`/admin/users/${user.id}/disable`);
    const disabled = await adminBrowser.post(
      `/admin/users/${user.id}/disable`,
      { version: account.version },
      { csrf: account.csrf },
    );
    expect(disabled.statusCode).toBe(303);
    const page = await openAccount(adminBrowser, user.id);
    expect(page.body).toContain('Disabled');
    expect(page.body).toContain(`/admin/users/${user.id}/enable`);
    expect((await open.get('/')).headers.location).toBe('/sign-in');
    const refused = await passwordStep(user.email, user.password);
    expect(refused.response.statusCode).toBe(400);
    expect(refused.response.body).toContain('Enter a correct email address and password');

    const enabled = await adminBrowser.post(
      `/admin/users/${user.id}/enable`,
      { version: page.version },
      { csrf: page.csrf },
    );
    expect(enabled.statusCode).toBe(303);
    expect((await openAccount(adminBrowser, user.id)).body).toContain('Active');
    clock.advance(30_000);
    const browser = new Browser(app);
    expect((await browser.signIn(user, clock)).headers.location).toBe('/');
    expect((await browser.get('/')).statusCode).toBe(200);
    expect(await count(handle, 'audit_log', { action: 'user.disabled', entity_id: user.id })).toBe(1);
    expect(await count(handle, 'audit_log', { action: 'user.enabled', entity_id: user.id })).toBe(1);
  });

  it('does not let an administrator disable their own account', async () => {
    const account = await openAccount(adminBrowser, admin.id);
    const response = await adminBrowser.post(
      `/admin/users/${admin.id}/disable`,
      { version: account.version },
      { csrf: account.csrf },
    );
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('You cannot disable your own account');
    expect((await adminBrowser.get('/admin/users')).statusCode).toBe(200);
  });

  it('resets the second factor: sessions end and the user must set up an authenticator again', async () => {
    const user = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    clock.advance(30_000);
    const theirs = new Browser(app);
    expect((await theirs.signIn(user, clock)).headers.location).toBe('/');

    const account = await openAccount(adminBrowser, user.id);
    expect(account.body).toContain('Set up');
    const reset = await adminBrowser.post(
      `/admin/users/${user.id}/reset-second-factor`,
      { version: account.version },
      { csrf: account.csrf },
    );
    expect(reset.statusCode).toBe(303);
    expect((await openAccount(adminBrowser, user.id)).body).toContain('Not set up');
    const stored = await deps.db
      .selectFrom('users')
      .select(['totp_secret', 'totp_enrolled_at'])
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(stored.totp_secret).toBeNull();
    expect(stored.totp_enrolled_at).toBeNull();
    expect((await theirs.get('/')).headers.location).toBe('/sign-in');

    // The old authenticator no longer works; a new one is set up.
    clock.advance(30_000);
    const { browser } = await passwordStep(user.email, user.password);
    const enrol = await browser.get('/sign-in/second-factor');
    expect(enrol.body).toContain('Set up your authenticator app');
    const oldCode = await browser.post(
      '/sign-in/second-factor',
      { code: totpCode(user.totpSecret, clock.now()) },
      { tokenFrom: '/sign-in/second-factor' },
    );
    expect(oldCode.statusCode).toBe(400);
    const secret = /data-qa="totp-secret">([A-Z2-7 ]+)</.exec(enrol.body)?.[1]?.replace(/ /g, '') ?? '';
    expect(secret).not.toBe(user.totpSecret);
    clock.advance(30_000);
    const done = await browser.post(
      '/sign-in/second-factor',
      { code: totpCode(secret, clock.now()) },
      { tokenFrom: '/sign-in/second-factor' },
    );
    expect(done.headers.location).toBe('/');
    expect(await count(handle, 'audit_log', { action: 'user.second_factor_reset', entity_id: user.id })).toBe(
      1,
    );
  });

  it('refuses the staff account pages to a practitioner with 403', async () => {
    const practitioner = await world.user({
      roles: ['practitioner', 'team_manager', 'senior_leader'],
      teamIds: [world.teamA],
    });
    const browser = await signedInAs(app, deps, practitioner.id);
    for (const url of ['/admin/users', '/admin/users/new', `/admin/users/${admin.id}`]) {
      expectGovukErrorPage(await browser.get(url), 403, 'You do not have permission to see this page');
    }
    expect((await browser.get('/')).body).not.toContain('href="/admin/users"');
    const csrf = csrfFrom((await browser.get('/')).body);
    const before = await snapshot(handle);
    const attempts = [
      browser.post(
        '/admin/users',
        {
          email: 'sneaky@example.gov.uk',
          displayName: 'Sneaky',
          password: 'a long enough password',
          roleIds: 'administrator',
        },
        { csrf },
      ),
      browser.post(
        `/admin/users/${practitioner.id}/access`,
        { version: '1', roleIds: 'administrator' },
        { csrf },
      ),
      browser.post(`/admin/users/${admin.id}/disable`, { version: '1' }, { csrf }),
      browser.post(`/admin/users/${admin.id}/reset-second-factor`, { version: '1' }, { csrf }),
    ];
    for (const attempt of attempts)
      expectGovukErrorPage(await attempt, 403, 'You do not have permission to see this page');
    expect(await snapshot(handle)).toEqual(before);
  });

  it('shows the second of two administrators saving the same account a conflict page, and keeps the first change', async () => {
    const secondAdmin = await world.user({ roles: ['administrator'] });
    const other = await signedInAs(app, deps, secondAdmin.id);
    const user = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const first = await openAccount(adminBrowser, user.id);
    const second = await openAccount(other, user.id);
    expect(second.version).toBe(first.version);

    const saved = await adminBrowser.post(
      `/admin/users/${user.id}/access`,
      { version: first.version, roleIds: ['team_manager'], teamIds: [world.teamA] },
      { csrf: first.csrf },
    );
    expect(saved.statusCode).toBe(303);

    const before = await snapshot(handle);
    const stale = await other.post(
      `/admin/users/${user.id}/access`,
      { version: second.version, roleIds: ['senior_leader'], teamIds: [world.teamB] },
      { csrf: second.csrf },
    );
    expectGovukErrorPage(stale, 409, 'Someone else changed this record');
    expect(stale.body).toContain(`href="/admin/users/${user.id}"`);
    for (const action of ['disable', 'reset-second-factor']) {
      const response = await other.post(
        `/admin/users/${user.id}/${action}`,
        { version: second.version },
        { csrf: second.csrf },
      );
      expectGovukErrorPage(response, 409, 'Someone else changed this record');
    }
    expect(await snapshot(handle)).toEqual(before);
    expect(await roleIdsOf(user.id)).toEqual(['team_manager']);
    expect(await teamIdsOf(user.id)).toEqual([world.teamA]);

    // Reloading gives the latest version, and then the second administrator's save goes through.
    const fresh = await openAccount(other, user.id);
    expect(fresh.body).toMatch(/value="team_manager" checked/);
    const retried = await other.post(
      `/admin/users/${user.id}/access`,
      { version: fresh.version, roleIds: ['senior_leader'] },
      { csrf: fresh.csrf },
    );
    expect(retried.statusCode).toBe(303);
    expect(await roleIdsOf(user.id)).toEqual(['senior_leader']);
  });
});
