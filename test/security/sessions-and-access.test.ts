import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { openTestDb } from '../support/db.ts';
import { Browser, csrfFrom } from '../support/web.ts';
import { makeWorld, testClock, testConfig, testDeps, type TestClock } from '../support/world.ts';
import {
  appWithRouteTable,
  count,
  expectGovukErrorPage,
  fillRoute,
  signedInAs,
  type RouteInfo,
} from '../support/app-helpers.ts';

let handle: DbHandle;
let app: FastifyInstance;
let routes: RouteInfo[];
let deps: Deps;
let clock: TestClock;
let world: Awaited<ReturnType<typeof makeWorld>>;

beforeAll(async () => {
  handle = await openTestDb();
  clock = testClock(new Date('2026-11-25T10:00:00Z'));
  // Sessions stay open for two idle hours here, so that break-glass expiry is seen on a live session.
  const config = testConfig({
    HEARTH_SESSION_IDLE_MINUTES: '120',
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

/** Routes anyone may reach without a session, outside the staff application. */
// The family portal (/family) has its own sign-in and sessions: test/integration/portal-isolation.test.ts.
const OPEN_ROUTES = [/^\/health$/, /^\/assets\//, /^\/govuk\//, /^\/public\//, /^\/family(\/|$)/];

const NOT_FOUND = 'Page not found';
const BREAK_GLASS_WARNING = 'You are seeing this record through break-glass access';

function heading(body: string): string | undefined {
  return /<h1 class="govuk-heading-l">([^<]*)<\/h1>/.exec(body)?.[1]?.trim();
}

async function auditRows(action: string, actorUserId: string, entityId: string) {
  return deps.db
    .selectFrom('audit_log')
    .select(['action', 'detail', 'request_id'])
    .where('action', '=', action)
    .where('actor_user_id', '=', actorUserId)
    .where('entity_id', '=', entityId)
    .orderBy('seq')
    .execute();
}

describe('a half-signed-in session (password only)', () => {
  it('reaches no staff page: every guarded GET route sends it to the second-factor step', async () => {
    const user = await world.user({
      roles: ['administrator', 'team_manager', 'practitioner', 'senior_leader'],
      teamIds: [world.teamA],
    });
    const child = await world.child({ teamId: world.teamA, given: 'Halfway', family: 'Hidden' });
    const browser = new Browser(app);
    const first = await browser.post('/sign-in', { email: user.email, password: user.password });
    expect(first.headers.location).toBe('/sign-in/second-factor');

    const guarded = routes.filter(
      (r) =>
        r.method === 'GET' &&
        r.access !== 'public' &&
        r.access !== 'second-factor' &&
        !OPEN_ROUTES.some((open) => open.test(r.url)),
    );
    const urls = [
      ...new Set(
        guarded.map((r) => fillRoute(r.url, { id: r.url.startsWith('/admin/') ? user.id : child }, child)),
      ),
    ];
    expect(urls).toEqual(
      expect.arrayContaining([
        '/',
        '/children',
        `/children/${child}`,
        `/children/${child}/who-has-looked`,
        '/admin/users',
        '/manage/break-glass',
      ]),
    );
    for (const url of urls) {
      const response = await browser.get(url);
      expect(response.statusCode, url).toBe(303);
      expect(response.headers.location, url).toBe('/sign-in/second-factor');
      expect(response.body, url).not.toContain('Halfway');
    }
    expect(await count(handle, 'audit_log', { action: 'person.view', entity_id: child })).toBe(0);

    // The same pages open once the second factor is done: the redirects above were the guard's doing.
    clock.advance(30_000);
    await browser.signIn(user, clock);
    for (const url of urls) {
      const response = await browser.get(url);
      expect(response.headers.location ?? '', url).not.toBe('/sign-in/second-factor');
      // Routes for one part of a record (an address, a relationship), or for another kind of record
      // (a request for help, a task), answer 404 for the child's id.
      const nested = (url.match(/[0-9a-f]{8}-[0-9a-f]{4}-/g) ?? []).length > 1;
      // (A partner organisation's or a team's admin page is another kind of record too.)
      const otherRecord =
        (!/^\/(children|people|admin)\//.test(url) || /^\/admin\/(partners|teams)\//.test(url)) &&
        /[0-9a-f]{8}-[0-9a-f]{4}-/.test(url);
      // Pages for partner practitioners only are "forbidden" to the council's own staff.
      const partnerOnly = url.startsWith('/partner/');
      expect(response.statusCode, url).toBeLessThan(nested || otherRecord ? 405 : partnerOnly ? 404 : 400);
    }
  });
});

describe('disabling an account', () => {
  it('ends the user’s open sessions on their next request', async () => {
    const admin = await world.user({ roles: ['administrator'] });
    const user = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    clock.advance(30_000);
    const theirs = new Browser(app);
    expect((await theirs.signIn(user, clock)).headers.location).toBe('/');
    const second = await signedInAs(app, deps, user.id);
    expect((await theirs.get('/')).statusCode).toBe(200);

    const adminBrowser = await signedInAs(app, deps, admin.id);
    const page = await adminBrowser.get(`/admin/users/${user.id}`);
    const version = /name="version" value="(\d+)"/.exec(page.body)?.[1] ?? '';
    const done = await adminBrowser.post(
      `/admin/users/${user.id}/disable`,
      { version },
      { csrf: csrfFrom(page.body) },
    );
    expect(done.statusCode).toBe(303);

    for (const browser of [theirs, second]) {
      const next = await browser.get('/children');
      expect(next.statusCode).toBe(303);
      expect(next.headers.location).toBe('/sign-in');
    }
    expect(await count(handle, 'sessions', { user_id: user.id })).toBe(0);
    expect(await auditRows('user.disabled', admin.id, user.id)).toHaveLength(1);
  });
});

describe('record scope', () => {
  it('gives a team A practitioner "Page not found" for a team B child, whatever the URL, and audits the refusal', async () => {
    const practitioner = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const childB = await world.child({ teamId: world.teamB, given: 'Southside', family: 'Unseen' });
    const browser = await signedInAs(app, deps, practitioner.id);
    for (const path of [`/children/${childB}`, `/children/${childB}/who-has-looked`]) {
      const response = await browser.get(path);
      expectGovukErrorPage(response, 404, NOT_FOUND);
      expect(response.body).not.toContain('Southside');
      expect(response.body).not.toContain('Unseen');
    }
    const denied = await auditRows('access.denied', practitioner.id, childB);
    expect(denied.map((r) => r.detail['route'])).toEqual(['/children/:id', '/children/:id/who-has-looked']);
    expect(await auditRows('person.view', practitioner.id, childB)).toHaveLength(0);
    // A missing record looks exactly the same.
    const missing = await browser.get('/children/00000000-0000-4000-8000-000000000000');
    expectGovukErrorPage(missing, 404, NOT_FOUND);
    expect((await browser.get('/children')).body).not.toContain('Southside');
  });

  it('shows a team A practitioner a team A child, writing a person.view audit row for each view', async () => {
    const practitioner = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const childA = await world.child({ teamId: world.teamA, given: 'Northwood', family: 'Visible' });
    const browser = await signedInAs(app, deps, practitioner.id);
    expect((await browser.get('/children')).body).toContain('Northwood Visible');
    for (let i = 0; i < 2; i += 1) {
      const page = await browser.get(`/children/${childA}`);
      expect(page.statusCode).toBe(200);
      expect(heading(page.body)).toBe('Northwood Visible');
      expect(page.body).not.toContain(BREAK_GLASS_WARNING);
    }
    const log = await browser.get(`/children/${childA}/who-has-looked`);
    expect(log.statusCode).toBe(200);
    const views = await auditRows('person.view', practitioner.id, childA);
    expect(views.map((r) => r.detail['route'])).toEqual([
      '/children/:id',
      '/children/:id',
      '/children/:id/who-has-looked',
    ]);
    expect(new Set(views.map((r) => r.request_id)).size).toBe(3);
    expect(views.every((r) => r.detail['basis'] === undefined)).toBe(true);
  });

  it('lets a service manager see the children of every team in their locality, and no other', async () => {
    const teamC = await deps.db
      .insertInto('teams')
      .values({
        organisation_id: world.organisationId,
        locality_id: world.localityIds.north,
        name: 'Team C (north)',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const manager = await world.user({ roles: ['service_manager'], teamIds: [world.teamA] });
    const childA = await world.child({ teamId: world.teamA, given: 'Localia', family: 'Teama' });
    const childC = await world.child({ teamId: teamC.id, given: 'Localia', family: 'Teamc' });
    const childB = await world.child({ teamId: world.teamB, given: 'Farsouth', family: 'Teamb' });
    const browser = await signedInAs(app, deps, manager.id);
    const list = (await browser.get('/children')).body;
    expect(list).toContain('Localia Teama');
    expect(list).toContain('Localia Teamc');
    expect(list).not.toContain('Farsouth');
    expect((await browser.get(`/children/${childA}`)).statusCode).toBe(200);
    expect((await browser.get(`/children/${childC}`)).statusCode).toBe(200);
    expectGovukErrorPage(await browser.get(`/children/${childB}`), 404, NOT_FOUND);
    expect(await auditRows('access.denied', manager.id, childB)).toHaveLength(1);
  });

  it('lets a senior leader see every child in their own organisation and none in another', async () => {
    const leader = await world.user({ roles: ['senior_leader'] });
    const childA = await world.child({ teamId: world.teamA, given: 'Wideview', family: 'Northteam' });
    const childB = await world.child({ teamId: world.teamB, given: 'Wideview', family: 'Southteam' });
    const elsewhere = await makeWorld(deps);
    const foreign = await elsewhere.child({
      teamId: elsewhere.teamA,
      given: 'Otherborough',
      family: 'Child',
    });
    const browser = await signedInAs(app, deps, leader.id);
    const list = (await browser.get('/children')).body;
    expect(list).toContain('Wideview Northteam');
    expect(list).toContain('Wideview Southteam');
    expect(list).not.toContain('Otherborough');
    expect((await browser.get(`/children/${childA}`)).statusCode).toBe(200);
    expect((await browser.get(`/children/${childB}`)).statusCode).toBe(200);
    expectGovukErrorPage(await browser.get(`/children/${foreign}`), 404, NOT_FOUND);
    expectGovukErrorPage(await browser.get(`/children/${foreign}/who-has-looked`), 404, NOT_FOUND);
    // Break-glass cannot reach across authorities either.
    const grant = await browser.post(
      `/children/${foreign}/break-glass`,
      { reasonCode: 'urgent_safeguarding', reason: 'Trying to reach another council' },
      { tokenFrom: '/' },
    );
    expectGovukErrorPage(grant, 404, NOT_FOUND);
    expect(await count(handle, 'break_glass_grants', { person_id: foreign })).toBe(0);
  });
});

describe('break-glass access', () => {
  it('opens a team B child for an hour after a stated reason, shows it to the team manager for review, then closes', async () => {
    const practitioner = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const manager = await world.user({ roles: ['team_manager'], teamIds: [world.teamA] });
    const otherManager = await world.user({ roles: ['team_manager'], teamIds: [world.teamB] });
    const childB = await world.child({ teamId: world.teamB, given: 'Emergencia', family: 'Southteam' });
    const browser = await signedInAs(app, deps, practitioner.id);

    const before = await browser.get(`/children/${childB}`);
    expectGovukErrorPage(before, 404, NOT_FOUND);
    expect(before.body).toContain(`href="/children/${childB}/break-glass"`);

    const form = await browser.get(`/children/${childB}/break-glass`);
    expect(form.statusCode).toBe(200);
    const reason = 'Police called out of hours about this child';
    const granted = await browser.post(
      `/children/${childB}/break-glass`,
      { reasonCode: 'out_of_hours', reason },
      { csrf: csrfFrom(form.body) },
    );
    expect(granted.statusCode).toBe(303);
    expect(granted.headers.location).toBe(`/children/${childB}`);

    const open = await browser.get(`/children/${childB}`);
    expect(open.statusCode).toBe(200);
    expect(heading(open.body)).toBe('Emergencia Southteam');
    expect(open.body).toContain(BREAK_GLASS_WARNING);
    const views = await auditRows('person.view', practitioner.id, childB);
    expect(views.at(-1)?.detail['basis']).toBe('break_glass');
    expect(await auditRows('break_glass.granted', practitioner.id, childB)).toHaveLength(1);
    // Only that child: the list of the practitioner's own children is unchanged but for it.
    const grantRow = await deps.db
      .selectFrom('break_glass_grants')
      .selectAll()
      .where('person_id', '=', childB)
      .executeTakeFirstOrThrow();
    expect(grantRow.user_id).toBe(practitioner.id);
    expect(grantRow.reason).toBe(reason);

    // The practitioner's team manager sees it and marks it reviewed; another team's manager does not see it.
    const elsewhere = await signedInAs(app, deps, otherManager.id);
    expect((await elsewhere.get('/manage/break-glass')).body).not.toContain(reason);
    const refused = await elsewhere.post(
      `/manage/break-glass/${grantRow.id}/reviewed`,
      {},
      { tokenFrom: '/manage/break-glass' },
    );
    expectGovukErrorPage(refused, 404, NOT_FOUND);

    const managerBrowser = await signedInAs(app, deps, manager.id);
    const review = await managerBrowser.get('/manage/break-glass');
    expect(review.statusCode).toBe(200);
    expect(review.body).toContain(reason);
    expect(review.body).toContain(`/manage/break-glass/${grantRow.id}/reviewed`);
    const marked = await managerBrowser.post(
      `/manage/break-glass/${grantRow.id}/reviewed`,
      {},
      { csrf: csrfFrom(review.body) },
    );
    expect(marked.statusCode).toBe(303);
    expect(marked.headers.location).toBe('/manage/break-glass');
    const reviewed = await deps.db
      .selectFrom('break_glass_grants')
      .selectAll()
      .where('id', '=', grantRow.id)
      .executeTakeFirstOrThrow();
    expect(reviewed.reviewed_by).toBe(manager.id);
    expect(reviewed.reviewed_at).not.toBeNull();
    const after = await managerBrowser.get('/manage/break-glass');
    expect(after.body).not.toContain(`/manage/break-glass/${grantRow.id}/reviewed`);
    expect(after.body).toContain('Reviewed');
    expect(await auditRows('break_glass.reviewed', manager.id, grantRow.id)).toHaveLength(1);

    // Still open at 59 minutes; closed at 61, on the same live session.
    clock.advance(59 * 60_000);
    expect((await browser.get(`/children/${childB}`)).statusCode).toBe(200);
    clock.advance(2 * 60_000);
    const expired = await browser.get(`/children/${childB}`);
    expectGovukErrorPage(expired, 404, NOT_FOUND);
    expect(expired.body).not.toContain('Emergencia');
    expect((await browser.get('/children')).body).not.toContain('Emergencia');
  });

  it('re-renders the form with a GOV.UK error summary when no reason is given, keeping what was typed', async () => {
    const practitioner = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const childB = await world.child({ teamId: world.teamB });
    const browser = await signedInAs(app, deps, practitioner.id);
    const url = `/children/${childB}/break-glass`;

    const empty = await browser.post(url, {}, { tokenFrom: url });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('govuk-error-summary');
    expect(empty.body).toContain('href="#reasonCode"');
    expect(empty.body).toContain('href="#reason"');
    expect(empty.body).toContain('Select why you need to see this record');
    expect(/<title>Error: /.test(empty.body)).toBe(true);

    const partial = await browser.post(
      url,
      { reasonCode: 'covering_colleague', reason: 'Too short' },
      { tokenFrom: url },
    );
    expect(partial.statusCode).toBe(400);
    expect(partial.body).toContain('href="#reason"');
    expect(partial.body).not.toContain('href="#reasonCode"');
    expect(partial.body).toMatch(/value="covering_colleague" checked/);
    expect(partial.body).toMatch(/>Too short<\/textarea>/);

    expect(await count(handle, 'break_glass_grants', { person_id: childB })).toBe(0);
    expectGovukErrorPage(await browser.get(`/children/${childB}`), 404, NOT_FOUND);
  });
});
