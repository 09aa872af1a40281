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

describe('partner organisations, their practitioners and multi-agency teams', () => {
  /** The page's form token and the version of the organisation it shows. */
  async function openOrganisation(id: string) {
    const page = await adminBrowser.get(`/admin/partners/${id}`);
    expect(page.statusCode).toBe(200);
    return {
      body: page.body,
      version: /name="version" value="(\d+)"/.exec(page.body)?.[1] ?? '',
      csrf: csrfFrom(page.body),
    };
  }

  async function addOrganisation(values: Record<string, string>): Promise<string> {
    const created = await adminBrowser.post('/admin/partners', values, { tokenFrom: '/admin/partners/new' });
    expect(created.statusCode, created.body.slice(0, 300)).toBe(303);
    const id = /^\/admin\/partners\/([0-9a-f-]{36})$/.exec(created.headers.location ?? '')?.[1] ?? '';
    expect(id).not.toBe('');
    return id;
  }

  it('adds and changes a partner organisation with its URN or ODS code, keeping what was typed when it is wrong', async () => {
    const suffix = Math.random().toString(36).slice(2, 8);
    const refused = await adminBrowser.post(
      '/admin/partners',
      { name: '', kind: 'local_authority', urn: '12345', odsCode: '' },
      { tokenFrom: '/admin/partners/new' },
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('govuk-error-summary');
    expect(refused.body).toContain('Enter the organisation’s name');
    expect(refused.body).toContain('Select what kind of organisation it is');
    expect(refused.body).toContain('URN must be 6 digits');
    expect(refused.body).toContain('value="12345"');
    expect(refused.body).toContain('href="#urn"');

    const urn = String(100000 + Math.floor(Math.random() * 899999));
    const schoolId = await addOrganisation({
      name: `Brook Lane Primary ${suffix}`,
      kind: 'school',
      urn,
      odsCode: '',
    });
    const stored = await deps.db
      .selectFrom('organisations')
      .select(['name', 'kind', 'urn', 'ods_code', 'version'])
      .where('id', '=', schoolId)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({
      name: `Brook Lane Primary ${suffix}`,
      kind: 'school',
      urn,
      ods_code: null,
      version: 1,
    });
    expect((await adminBrowser.get('/admin/partners')).body).toContain(`URN ${urn}`);
    expect(
      await count(handle, 'audit_log', { action: 'partner_organisation.created', entity_id: schoolId }),
    ).toBe(1);

    // A second school may not take the same URN; a health organisation has no URN.
    const duplicate = await adminBrowser.post(
      '/admin/partners',
      { name: `Another school ${suffix}`, kind: 'school', urn, odsCode: '' },
      { tokenFrom: '/admin/partners/new' },
    );
    expect(duplicate.statusCode).toBe(400);
    expect(duplicate.body).toContain('Another partner organisation already has this URN');
    expect(duplicate.body).toContain(`value="Another school ${suffix}"`);
    const healthNoUrn = await adminBrowser.post(
      '/admin/partners',
      { name: `Clinic ${suffix}`, kind: 'health', urn: '123456', odsCode: 'rwh' },
      { tokenFrom: '/admin/partners/new' },
    );
    expect(healthNoUrn.statusCode).toBe(400);
    expect(healthNoUrn.body).toContain('Only a school has a URN');

    // Changing it: a stale version is a conflict, and nothing is lost.
    const page = await openOrganisation(schoolId);
    expect(page.body).toContain(`value="${urn}"`);
    const saved = await adminBrowser.post(
      `/admin/partners/${schoolId}`,
      { version: page.version, name: `Brook Lane Academy ${suffix}`, kind: 'school', urn, odsCode: '' },
      { csrf: page.csrf },
    );
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`/admin/partners/${schoolId}?done=saved`);
    expect((await adminBrowser.get(saved.headers.location ?? '')).body).toContain(
      'Your changes have been saved',
    );
    const stale = await adminBrowser.post(
      `/admin/partners/${schoolId}`,
      { version: page.version, name: 'Overwritten', kind: 'school', urn, odsCode: '' },
      { csrf: page.csrf },
    );
    expectGovukErrorPage(stale, 409, 'Someone else changed this record');
    const badEdit = await adminBrowser.post(
      `/admin/partners/${schoolId}`,
      {
        version: String(Number(page.version) + 1),
        name: 'Brook Lane',
        kind: 'police',
        urn,
        odsCode: 'not valid!',
      },
      { csrf: page.csrf },
    );
    expect(badEdit.statusCode).toBe(400);
    expect(badEdit.body).toContain('Only a school has a URN');
    expect(badEdit.body).toContain('ODS code must be 3 to 10 letters and numbers');
    expect(badEdit.body).toContain('value="not valid!"');
    const after = await deps.db
      .selectFrom('organisations')
      .select(['name', 'kind', 'version'])
      .where('id', '=', schoolId)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ name: `Brook Lane Academy ${suffix}`, kind: 'school', version: 2 });
    expect(
      await count(handle, 'audit_log', { action: 'partner_organisation.updated', entity_id: schoolId }),
    ).toBe(1);

    // A council is not a partner organisation: not found here.
    expectGovukErrorPage(await adminBrowser.get(`/admin/partners/${world.organisationId}`), 404);
  });

  it('adds a partner practitioner who holds partner roles only and signs in to see their children', async () => {
    const suffix = Math.random().toString(36).slice(2, 8);
    const healthId = await addOrganisation({
      name: `Community Health ${suffix}`,
      kind: 'health',
      urn: '',
      odsCode: 'rwh' + suffix.slice(0, 3),
    });
    const form = `/admin/partners/${healthId}/practitioners/new`;
    const email = `visitor.${suffix}@health.example.org`;

    const wrong = await adminBrowser.post(
      `/admin/partners/${healthId}/practitioners`,
      { displayName: 'Hana Visitor', email: 'not an email', password: 'short', roleIds: [] },
      { tokenFrom: form },
    );
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('Enter an email address in the correct format');
    expect(wrong.body).toContain('Password must be 12 characters or more');
    expect(wrong.body).toContain('Select at least one partner role');
    expect(wrong.body).toContain('value="Hana Visitor"');
    expect(wrong.body).not.toContain('value="short"');
    // A council role cannot be given to a partner practitioner, even by a hand-made form.
    const council = await adminBrowser.post(
      `/admin/partners/${healthId}/practitioners`,
      { displayName: 'Hana Visitor', email, password: '', roleIds: ['administrator'] },
      { tokenFrom: form },
    );
    expect(council.statusCode).toBe(400);
    expect(council.body).toContain('Select partner roles from the list');
    expect(await count(handle, 'users', { email })).toBe(0);

    const password = 'a temporary password for Hana';
    const created = await adminBrowser.post(
      `/admin/partners/${healthId}/practitioners`,
      { displayName: 'Hana Visitor', email, password, roleIds: 'partner_practitioner' },
      { tokenFrom: form },
    );
    expect(created.statusCode).toBe(303);
    const user = await deps.db
      .selectFrom('users')
      .select(['id', 'organisation_id', 'password_hash'])
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    expect(user.organisation_id).toBe(healthId);
    expect(user.password_hash).toMatch(/^\$argon2id\$/);
    expect(await roleIdsOf(user.id)).toEqual(['partner_practitioner']);
    expect(
      await count(handle, 'audit_log', {
        action: 'user.created',
        entity_id: user.id,
        actor_user_id: admin.id,
      }),
    ).toBe(1);
    const page = await openOrganisation(healthId);
    expect(page.body).toContain('Hana Visitor');
    expect(page.body).toMatch(/value="partner_practitioner" checked/);

    // Giving the existing practitioner a second partner role.
    const roles = await adminBrowser.post(
      `/admin/partners/${healthId}/practitioners/${user.id}/roles`,
      { roleIds: ['partner_practitioner', 'multi_agency_practitioner'] },
      { csrf: page.csrf },
    );
    expect(roles.statusCode).toBe(303);
    expect(await roleIdsOf(user.id)).toEqual(['multi_agency_practitioner', 'partner_practitioner']);
    expect(await count(handle, 'audit_log', { action: 'user.access_changed', entity_id: user.id })).toBe(1);
    const tampered = await adminBrowser.post(
      `/admin/partners/${healthId}/practitioners/${user.id}/roles`,
      { roleIds: ['partner_practitioner', 'administrator'] },
      { csrf: page.csrf },
    );
    expect(tampered.statusCode).toBe(400);
    expect(tampered.body).toContain('govuk-error-summary');
    expect(tampered.body).toContain(`href="#roleIds-${user.id}"`);
    expect(await roleIdsOf(user.id)).toEqual(['multi_agency_practitioner', 'partner_practitioner']);
    // A council account is not a partner practitioner: "not found" through a partner organisation.
    const councilUser = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const notHere = await adminBrowser.post(
      `/admin/partners/${healthId}/practitioners/${councilUser.id}/roles`,
      { roleIds: 'partner_practitioner' },
      { csrf: page.csrf },
    );
    expect(notHere.statusCode).toBe(404);
    expect(await roleIdsOf(councilUser.id)).toEqual(['practitioner']);

    // They sign in with the password, set up an authenticator, and land on their own pages.
    const { browser, response } = await passwordStep(email, password);
    expect(response.headers.location).toBe('/sign-in/second-factor');
    const enrol = await browser.get('/sign-in/second-factor');
    const secret = /data-qa="totp-secret">([A-Z2-7 ]+)</.exec(enrol.body)?.[1]?.replace(/ /g, '') ?? '';
    clock.advance(30_000);
    const done = await browser.post(
      '/sign-in/second-factor',
      { code: totpCode(secret, clock.now()) },
      { tokenFrom: '/sign-in/second-factor' },
    );
    expect(done.headers.location).toBe('/');
    expect((await browser.get('/partner/children')).statusCode).toBe(200);
    expect((await browser.get('/children')).statusCode).toBe(403);
    expect((await browser.get('/admin/partners')).statusCode).toBe(403);
  });

  it('marks a team multi-agency and adds a police officer, who then sees the team’s children until removed', async () => {
    const suffix = Math.random().toString(36).slice(2, 8);
    const team = await deps.db
      .insertInto('teams')
      .values({
        organisation_id: world.organisationId,
        locality_id: world.localityIds.north,
        name: `MACPT ${suffix}`,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const child = await world.child({ teamId: team.id, given: 'Morwenna', family: `Teamed${suffix}` });
    const policeId = await addOrganisation({
      name: `Constabulary ${suffix}`,
      kind: 'police',
      urn: '',
      odsCode: '',
    });
    const email = `officer.${suffix}@police.example.org`;
    expect(
      (
        await adminBrowser.post(
          `/admin/partners/${policeId}/practitioners`,
          { displayName: `Officer ${suffix}`, email, password: '', roleIds: 'multi_agency_practitioner' },
          { tokenFrom: `/admin/partners/${policeId}/practitioners/new` },
        )
      ).statusCode,
    ).toBe(303);
    const officer = await deps.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    const officerBrowser = await signedInAs(app, deps, officer.id);
    expect((await officerBrowser.get('/partner/children')).body).not.toContain('Morwenna');

    const teamPage = `/admin/teams/${team.id}`;
    expect((await adminBrowser.get('/admin/teams')).body).toContain(`MACPT ${suffix}`);
    // Not multi-agency yet: no partner may join.
    const early = await adminBrowser.post(
      `${teamPage}/members`,
      { userId: officer.id, agency: 'police' },
      { tokenFrom: teamPage },
    );
    expect(early.statusCode).toBe(400);
    expect(early.body).toContain('Mark the team as multi-agency before adding partner members');

    expect(
      (await adminBrowser.post(`${teamPage}/multi-agency`, { multiAgency: 'yes' }, { tokenFrom: teamPage }))
        .statusCode,
    ).toBe(303);
    const form = await adminBrowser.get(teamPage);
    expect(form.body).toContain(`Officer ${suffix} (Constabulary ${suffix})`);
    const noAgency = await adminBrowser.post(
      `${teamPage}/members`,
      { userId: officer.id, agency: '' },
      { csrf: csrfFrom(form.body) },
    );
    expect(noAgency.statusCode).toBe(400);
    expect(noAgency.body).toContain('Select the agency they speak for in the team');
    expect(noAgency.body).toMatch(new RegExp(`value="${officer.id}" selected`));
    const added = await adminBrowser.post(
      `${teamPage}/members`,
      { userId: officer.id, agency: 'police' },
      { csrf: csrfFrom(form.body) },
    );
    expect(added.statusCode).toBe(303);
    const membership = await deps.db
      .selectFrom('team_memberships')
      .select('agency')
      .where('team_id', '=', team.id)
      .where('user_id', '=', officer.id)
      .executeTakeFirstOrThrow();
    expect(membership.agency).toBe('police');
    const shown = await adminBrowser.get(teamPage);
    expect(shown.body).toContain(`Constabulary ${suffix}`);
    expect(shown.body).toContain('Police');
    expect(await count(handle, 'audit_log', { action: 'team.multi_agency_on', entity_id: team.id })).toBe(1);
    expect(
      await count(handle, 'audit_log', { action: 'team.partner_member_added', entity_id: team.id }),
    ).toBe(1);

    // The officer now reaches the team's child, through the partner scope.
    expect((await officerBrowser.get('/partner/children')).body).toContain('Morwenna');
    expect((await officerBrowser.get(`/partner/children/${child}`)).statusCode).toBe(200);

    // The team cannot stop being multi-agency while the officer is in it.
    const off = await adminBrowser.post(
      `${teamPage}/multi-agency`,
      { multiAgency: 'no' },
      { tokenFrom: teamPage },
    );
    expect(off.statusCode).toBe(400);
    expect(off.body).toContain(
      'Remove the members from partner organisations before the team stops being multi-agency',
    );
    expect(
      (
        await deps.db
          .selectFrom('teams')
          .select('multi_agency')
          .where('id', '=', team.id)
          .executeTakeFirstOrThrow()
      ).multi_agency,
    ).toBe(true);

    const removed = await adminBrowser.post(
      `${teamPage}/members/${officer.id}/remove`,
      {},
      { tokenFrom: teamPage },
    );
    expect(removed.statusCode).toBe(303);
    expect((await officerBrowser.get('/partner/children')).body).not.toContain('Morwenna');
    expect((await officerBrowser.get(`/partner/children/${child}`)).statusCode).toBe(404);
    // Council staff are not taken out of a team here.
    const member = await world.user({ roles: ['practitioner'], teamIds: [team.id] });
    expect(
      (await adminBrowser.post(`${teamPage}/members/${member.id}/remove`, {}, { tokenFrom: teamPage }))
        .statusCode,
    ).toBe(404);
    expect(await teamIdsOf(member.id)).toEqual([team.id]);
    expect(
      (await adminBrowser.post(`${teamPage}/multi-agency`, { multiAgency: 'no' }, { tokenFrom: teamPage }))
        .statusCode,
    ).toBe(303);
    expect(
      await count(handle, 'audit_log', { action: 'team.partner_member_removed', entity_id: team.id }),
    ).toBe(1);
  });

  it('refuses every partner and team page to anyone but an administrator, changing nothing', async () => {
    const suffix = Math.random().toString(36).slice(2, 8);
    const orgId = await addOrganisation({
      name: `Youth Project ${suffix}`,
      kind: 'community',
      urn: '',
      odsCode: '',
    });
    const manager = await world.user({
      roles: ['practitioner', 'team_manager', 'senior_leader'],
      teamIds: [world.teamA],
    });
    const browser = await signedInAs(app, deps, manager.id);
    for (const url of [
      '/admin/partners',
      '/admin/partners/new',
      `/admin/partners/${orgId}`,
      `/admin/partners/${orgId}/practitioners/new`,
      '/admin/teams',
      `/admin/teams/${world.teamA}`,
    ]) {
      expectGovukErrorPage(await browser.get(url), 403, 'You do not have permission to see this page');
    }
    expect((await browser.get('/')).body).not.toContain('href="/admin/partners"');
    const csrf = csrfFrom((await browser.get('/')).body);
    const before = await snapshot(handle);
    const attempts = [
      browser.post('/admin/partners', { name: 'Sneaky', kind: 'school', urn: '', odsCode: '' }, { csrf }),
      browser.post(
        `/admin/partners/${orgId}`,
        { version: '1', name: 'Sneaky', kind: 'school', urn: '', odsCode: '' },
        { csrf },
      ),
      browser.post(
        `/admin/partners/${orgId}/practitioners`,
        {
          displayName: 'Sneaky',
          email: `sneaky.${suffix}@example.org`,
          password: '',
          roleIds: 'partner_practitioner',
        },
        { csrf },
      ),
      browser.post(
        `/admin/partners/${orgId}/practitioners/${manager.id}/roles`,
        { roleIds: 'partner_practitioner' },
        { csrf },
      ),
      browser.post(`/admin/teams/${world.teamA}/multi-agency`, { multiAgency: 'yes' }, { csrf }),
      browser.post(`/admin/teams/${world.teamA}/members`, { userId: manager.id, agency: 'police' }, { csrf }),
      browser.post(`/admin/teams/${world.teamA}/members/${manager.id}/remove`, {}, { csrf }),
    ];
    for (const attempt of attempts)
      expectGovukErrorPage(await attempt, 403, 'You do not have permission to see this page');
    expect(await snapshot(handle)).toEqual(before);
  });
});
