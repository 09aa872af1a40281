import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { openTestDb } from '../support/db.ts';
import { Browser, csrfFrom, testApp } from '../support/web.ts';
import { makeWorld, testClock, testDeps, type TestUser } from '../support/world.ts';
import { count, expectGovukErrorPage, expectNoInternals, signedInAs, snapshot } from '../support/app-helpers.ts';

let handle: DbHandle;
let app: FastifyInstance;
let deps: Deps;
let world: Awaited<ReturnType<typeof makeWorld>>;
let admin: TestUser;
let adminBrowser: Browser;
let token: string;
let childA: string;
let childB: string;

beforeAll(async () => {
  handle = await openTestDb();
  deps = testDeps(handle, { clock: testClock(new Date('2026-11-25T10:00:00Z')) });
  world = await makeWorld(deps);
  app = await testApp(deps);
  // An administrator who is also a practitioner, so every form below is one they may use.
  admin = await world.user({ roles: ['administrator', 'practitioner'], teamIds: [world.teamA] });
  childA = await world.child({ teamId: world.teamA });
  childB = await world.child({ teamId: world.teamB });
  adminBrowser = await signedInAs(app, deps, admin.id);
  token = csrfFrom((await adminBrowser.get('/admin/users/new')).body);
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

/** Sends a raw body as the signed-in administrator. */
function send(url: string, payload: string | Buffer, contentType: string, method: 'POST' | 'GET' = 'POST') {
  return app.inject({
    method,
    url,
    headers: { cookie: adminBrowser.cookieHeader(), 'content-type': contentType },
    payload,
  });
}

const FORM = 'application/x-www-form-urlencoded';
const BAD_REQUEST = 'Sorry, there is a problem with the information you sent';
const NOT_FOUND = 'Page not found';

/** Runs a request and checks that the database is exactly as it was. */
async function writesNothing(
  request: () => Promise<LightMyRequestResponse>,
): Promise<LightMyRequestResponse> {
  const before = await snapshot(handle);
  const response = await request();
  expect(await snapshot(handle), 'nothing may be written').toEqual(before);
  return response;
}

describe('bad input', () => {
  it('answers a malformed urlencoded body with the form and its errors, writing nothing', async () => {
    const body = `_csrf=${token}&email=%E0%A4%A&displayName=%%%&password=%zz&&&==&roleIds=%ZZ&teamIds[]=%`;
    const response = await writesNothing(() => send('/admin/users', body, FORM));
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('govuk-error-summary');
    expectNoInternals(response.body);

    const garbage = await writesNothing(() => send('/admin/users', '%%%&&==&\u0000\u00ff', FORM));
    expectGovukErrorPage(garbage, 403, 'This page has expired');
  });

  it('refuses a JSON body (or plain text) to a form route, even with a good token and good values', async () => {
    const valid = {
      _csrf: token,
      email: 'json.person@example.gov.uk',
      displayName: 'Json Person',
      password: 'a long enough password',
      roleIds: ['practitioner'],
    };
    const json = await writesNothing(() => send('/admin/users', JSON.stringify(valid), 'application/json'));
    expectGovukErrorPage(json, 400, BAD_REQUEST);
    const broken = await writesNothing(() => send('/admin/users', '{"_csrf": "', 'application/json'));
    expectGovukErrorPage(broken, 400, BAD_REQUEST);
    const text = await writesNothing(() =>
      app.inject({
        method: 'POST',
        url: '/admin/users',
        headers: { cookie: adminBrowser.cookieHeader(), 'content-type': 'text/plain', 'x-csrf-token': token },
        payload: 'email=text.person@example.gov.uk',
      }),
    );
    expectGovukErrorPage(text, 400, BAD_REQUEST);
    const multipart = await writesNothing(() =>
      send(
        '/admin/users',
        '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\nm@example.gov.uk\r\n--x--',
        'multipart/form-data; boundary=x',
      ),
    );
    expectGovukErrorPage(multipart, 400, BAD_REQUEST);
    expect(await count(handle, 'users', { email: 'json.person@example.gov.uk' })).toBe(0);
  });

  it('answers a body over 1 MB with "too large", writing nothing', async () => {
    const huge = `_csrf=${token}&email=big@example.gov.uk&displayName=Big&password=a+long+enough+password&roleIds=practitioner&padding=${'x'.repeat(1_100_000)}`;
    const response = await writesNothing(() => send('/admin/users', huge, FORM));
    expectGovukErrorPage(response, 413, 'The information you sent was too large');
    const signIn = await writesNothing(() => send('/sign-in', `email=${'a'.repeat(1_100_000)}`, FORM));
    expectGovukErrorPage(signIn, 413, 'The information you sent was too large');
  });

  it('refuses over-long fields with a field error, and over-long ids with "Page not found"', async () => {
    const long = await writesNothing(() =>
      adminBrowser.post(
        '/admin/users',
        {
          email: `${'e'.repeat(400)}@example.gov.uk`,
          displayName: 'N'.repeat(5000),
          password: 'p'.repeat(5000),
        },
        { csrf: token },
      ),
    );
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain('Full name must be 200 characters or fewer');
    expect(long.body).toContain('href="#displayName"');
    expect(long.body).toContain('href="#email"');
    expect(long.body).toContain('href="#password"');
    expect(long.body).not.toContain('p'.repeat(200));
    expectNoInternals(long.body);

    const reason = await writesNothing(() =>
      adminBrowser.post(
        `/children/${childB}/break-glass`,
        { reasonCode: 'other', reason: 'r'.repeat(50_000) },
        { csrf: token },
      ),
    );
    expect(reason.statusCode).toBe(400);
    expect(reason.body).toContain('Explanation must be 1000 characters or fewer');

    for (const url of [
      `/children/${'a'.repeat(300)}`,
      `/children/${childA}${'0'.repeat(300)}/who-has-looked`,
      `/admin/users/${'f'.repeat(5000)}`,
    ]) {
      const response = await writesNothing(() => adminBrowser.get(url));
      expectGovukErrorPage(response, 404, NOT_FOUND);
    }
    const longPost = await writesNothing(() =>
      adminBrowser.post(`/admin/users/${'f'.repeat(300)}/disable`, { version: '1' }, { csrf: token }),
    );
    expectGovukErrorPage(longPost, 404, NOT_FOUND);
  });

  it('answers unknown routes and malformed URLs with "Page not found"', async () => {
    for (const url of [
      '/no/such/page',
      '/children/',
      '/admin',
      '/children/%E0%A4%A',
      '/%zz',
      '/children/%00',
    ]) {
      const response = await writesNothing(() => adminBrowser.get(url));
      expectGovukErrorPage(response, 404, NOT_FOUND);
      expect(response.headers['content-security-policy']).toBeTruthy();
    }
    const post = await writesNothing(() =>
      adminBrowser.post('/no/such/page', { anything: 'at all' }, { csrf: token }),
    );
    expectGovukErrorPage(post, 404, NOT_FOUND);
  });

  it('answers a child or user id that is not a UUID with "Page not found", never a database error', async () => {
    const notIds = [
      'not-a-uuid',
      '123',
      "1' OR '1'='1",
      '------------------------------------',
      'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
      '%20',
    ];
    for (const id of notIds) {
      const encoded = encodeURIComponent(id);
      for (const url of [
        `/children/${encoded}`,
        `/children/${encoded}/who-has-looked`,
        `/children/${encoded}/break-glass`,
        `/admin/users/${encoded}`,
      ]) {
        expectGovukErrorPage(await writesNothing(() => adminBrowser.get(url)), 404, NOT_FOUND);
      }
      for (const [url, form] of [
        [`/children/${encoded}/break-glass`, { reasonCode: 'other', reason: 'A perfectly good reason' }],
        [`/admin/users/${encoded}/access`, { version: '1', roleIds: 'practitioner' }],
        [`/admin/users/${encoded}/disable`, { version: '1' }],
        [`/admin/users/${encoded}/enable`, { version: '1' }],
        [`/admin/users/${encoded}/reset-second-factor`, { version: '1' }],
        [`/manage/break-glass/${encoded}/reviewed`, {}],
      ] as const) {
        const response = await writesNothing(() => adminBrowser.post(url, form, { csrf: token }));
        expectGovukErrorPage(response, 404, NOT_FOUND);
      }
    }
  });

  it('ignores __proto__ and constructor fields: no pollution, a normal error page, nothing written', async () => {
    const polluting =
      `_csrf=${token}&__proto__=x&__proto__[polluted]=yes&constructor[prototype][polluted]=yes&__proto__.polluted=yes` +
      `&email=proto.person@example.gov.uk&displayName=Proto+Person&password=a+long+enough+password&roleIds=__proto__&teamIds=constructor`;
    const response = await writesNothing(() => send('/admin/users', polluting, FORM));
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('govuk-error-summary');
    expect(response.body).toContain('href="#roleIds"');
    expectNoInternals(response.body);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');

    for (const reasonCode of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const bad = await writesNothing(() =>
        adminBrowser.post(
          `/children/${childB}/break-glass`,
          { reasonCode, reason: 'A perfectly good reason' },
          { csrf: token },
        ),
      );
      expect(bad.statusCode, reasonCode).toBe(400);
      expect(bad.body).toContain('href="#reasonCode"');
    }
    const json = await writesNothing(() =>
      send('/admin/users', `{"_csrf":"${token}","__proto__":{"polluted":"yes"}}`, 'application/json'),
    );
    expectGovukErrorPage(json, 400, BAD_REQUEST);
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});

describe('the "add a member of staff" form', () => {
  it('re-renders with an error summary linking to each field, keeping what was typed but not the password', async () => {
    const typedPassword = 'short-pw';
    const response = await writesNothing(() =>
      adminBrowser.post(
        '/admin/users',
        {
          email: 'not-an-email',
          displayName: '',
          password: typedPassword,
          roleIds: ['practitioner', 'team_manager'],
          teamIds: [world.teamB],
        },
        { tokenFrom: '/admin/users/new' },
      ),
    );
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatch(/<title>Error: /);
    const summary = /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(response.body)?.[0] ?? '';
    expect(summary).toContain('href="#email"');
    expect(summary).toContain('href="#displayName"');
    expect(summary).toContain('href="#password"');
    expect(summary).toContain('Enter an email address in the correct format');
    expect(summary).toContain('Enter their full name');
    expect(summary).toContain('Password must be 12 characters or more');
    // Each link points at a real field.
    for (const id of ['email', 'displayName', 'password']) expect(response.body).toContain(`id="${id}"`);
    expect(response.body).toMatch(/id="email"[^>]*value="not-an-email"|value="not-an-email"[^>]*id="email"/);
    expect(response.body).toMatch(/value="practitioner" checked/);
    expect(response.body).toMatch(/value="team_manager" checked/);
    expect(response.body).toMatch(new RegExp(`value="${world.teamB}" checked`));
    expect(response.body).not.toMatch(/value="administrator" checked/);
    expect(response.body).not.toContain(typedPassword);

    const second = await writesNothing(() =>
      adminBrowser.post(
        '/admin/users',
        {
          email: 'fine.person@example.gov.uk',
          displayName: 'Fine Person',
          password: 'a long enough password',
          roleIds: ['no_such_role'],
          teamIds: ['------------------------------------'],
        },
        { tokenFrom: '/admin/users/new' },
      ),
    );
    expect(second.statusCode).toBe(400);
    expect(second.body).toContain('href="#roleIds"');
    expect(second.body).toContain('href="#teamIds"');
    expect(second.body).toContain('id="roleIds"');
    expect(second.body).toContain('id="teamIds"');
    expect(second.body).toContain('value="fine.person@example.gov.uk"');
    expect(second.body).toContain('value="Fine Person"');
    expect(second.body).not.toContain('a long enough password');
    expectNoInternals(second.body);
  });
});
