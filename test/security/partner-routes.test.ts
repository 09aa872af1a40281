import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { loadActor } from '../../src/modules/access/access.repository.ts';
import { addMember } from '../../src/modules/partners/team-around-family.ts';
import { breakGlass } from '../../src/modules/access/break-glass.service.ts';
import { listPeopleInScope } from '../../src/modules/people/people.service.ts';
import { ForbiddenError } from '../../src/platform/errors.ts';
import type { Deps } from '../../src/platform/deps.ts';
import {
  appWithRouteTable,
  fillRoute,
  signedInAs,
  snapshot,
  type RouteInfo,
} from '../support/app-helpers.ts';
import { openTestDb } from '../support/db.ts';
import { csrfFrom } from '../support/web.ts';
import { testClock, testDeps } from '../support/world.ts';
import { makePartnerWorld } from '../integration/partners-world.ts';

/**
 * A partner practitioner (a school's designated safeguarding lead) walks every staff route of the
 * real route table: for a child they do not work with, nothing but "not found" or "forbidden"; for
 * the child whose team around the family they belong to, only the allow-listed partner pages.
 */
let handle: DbHandle;
let app: FastifyInstance;
let routes: RouteInfo[];
let deps: Deps;
let world: Awaited<ReturnType<typeof makePartnerWorld>>;

beforeAll(async () => {
  handle = await openTestDb();
  deps = testDeps(handle, { clock: testClock(new Date('2026-11-25T10:00:00Z')) });
  world = await makePartnerWorld(deps);
  ({ app, routes } = await appWithRouteTable(deps));
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

/** Routes anyone may reach without a session, outside the staff application. */
const OPEN_ROUTES = [/^\/health$/, /^\/assets\//, /^\/govuk\//, /^\/public\//];

/** Pages about no child that any signed-in member of staff may open. */
const GENERAL_PAGES = new Set(['/', '/partner/children']);

/**
 * Council-only pages that once answered a partner 200 with nothing in them (the list of children,
 * the break-glass request form): they must now refuse, like every other council page. A page that
 * answers 200 with no child in it is not "safe enough": the partner should be told it is not theirs.
 */
const COUNCIL_ONLY = new Set(['/children', '/children/:id/break-glass', '/people/:id/break-glass']);

/** The family portal is another application with its own sign-in: staff sessions are sent there. */
const FAMILY_PORTAL = /^\/family(\/|$)/;

/** What a partner may open about a child they work with (see PARTNER_ALLOW_LIST). */
const CHILD_PAGES_ALLOWED = new Set([
  '/partner/children/:id',
  '/shared-plan/:id/actions/new',
  '/shared-plan/:id/actions/:sub/updates/new',
]);

/** What a partner may post about a child they work with. */
const CHILD_POSTS_ALLOWED = new Set(['/shared-plan/:id/actions', '/shared-plan/:id/actions/:sub/updates']);

function staffRoute(route: RouteInfo): boolean {
  return (
    route.access !== 'public' &&
    route.access !== 'second-factor' &&
    !OPEN_ROUTES.some((open) => open.test(route.url)) &&
    !route.url.includes('*')
  );
}

async function setUp() {
  const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
  const dsl = await world.partner({ organisationId: world.school });
  const mine = await world.child({
    teamId: world.teamA,
    workerId: worker.id,
    given: 'Partnered',
    family: 'Child',
  });
  const notMine = await world.child({
    teamId: world.teamA,
    workerId: worker.id,
    given: 'Unshared',
    family: 'Child',
  });
  const help = await world.helpFor(mine, worker.id);
  const other = await world.helpFor(notMine, worker.id);
  const actor = await loadActor(deps.db, worker.id);
  if (!actor) throw new Error('no actor');
  await addMember(deps, actor, {
    childId: mine,
    values: {
      userId: dsl.id,
      teamRole: 'Designated safeguarding lead',
      isLead: 'yes',
      legalBasis: 'safeguarding_duty',
      consentId: '',
      basisNote: 'Education Act 2002 section 175',
      fromOn: { day: '20', month: '11', year: '2026' },
    },
  });
  const goal = await deps.db
    .selectFrom('plan_goals')
    .select('id')
    .where('plan_id', '=', help.planId)
    .executeTakeFirstOrThrow();
  const otherGoal = await deps.db
    .selectFrom('plan_goals')
    .select('id')
    .where('plan_id', '=', other.planId)
    .executeTakeFirstOrThrow();
  return { dsl, mine, notMine, help, other, goalId: goal.id, otherGoalId: otherGoal.id };
}

describe('a partner practitioner on every staff route', () => {
  it('is refused every page of a child they do not work with, and sees only the allow-listed pages of their own', async () => {
    const s = await setUp();
    const browser = await signedInAs(app, deps, s.dsl.id);
    const gets = routes.filter((r) => r.method === 'GET' && staffRoute(r));
    expect(gets.length).toBeGreaterThan(50);
    const unexpected: string[] = [];
    for (const route of gets) {
      const aboutChild = route.url.includes(':');
      for (const target of aboutChild ? (['mine', 'notMine'] as const) : (['none'] as const)) {
        const child = target === 'notMine' ? s.notMine : s.mine;
        const sub = route.url.includes('section-47')
          ? target === 'notMine'
            ? s.other.section47Id
            : s.help.section47Id
          : target === 'notMine'
            ? s.otherGoalId
            : s.goalId;
        const params = {
          id: child,
          sub,
          pid: target === 'notMine' ? s.other.planId : s.help.planId,
          keepId: s.mine,
          mergeId: s.notMine,
        };
        const url = fillRoute(route.url, params, child);
        const response = await browser.get(url);
        if (FAMILY_PORTAL.test(route.url)) {
          if (response.statusCode !== 303 || !String(response.headers.location).startsWith('/family/sign-in'))
            unexpected.push(`${route.url}: ${response.statusCode} ${String(response.headers.location)}`);
          continue;
        }
        if (COUNCIL_ONLY.has(route.url)) {
          if (response.statusCode !== 403)
            unexpected.push(`${route.url} (${target}): ${response.statusCode}`);
          expect(response.body, url).not.toContain('Partnered');
          expect(response.body, url).not.toContain('Unshared');
          continue;
        }
        const allowed =
          target === 'none'
            ? GENERAL_PAGES.has(route.url)
            : target === 'mine' && CHILD_PAGES_ALLOWED.has(route.url);
        const ok = allowed ? response.statusCode === 200 : [403, 404].includes(response.statusCode);
        if (!ok) unexpected.push(`${route.url} (${target}): ${response.statusCode}`);
        if (target === 'notMine') expect(response.body, url).not.toContain('Unshared');
      }
    }
    expect(unexpected).toEqual([]);

    // What the partner sees of their own child is the allow-list, not the record.
    const page = await browser.get(`/partner/children/${s.mine}`);
    expect(page.body).toContain('Get to school on time');
    expect(page.body).not.toContain('Education Act 2002');
    const views = await deps.db
      .selectFrom('audit_log')
      .select(['action', 'detail'])
      .where('actor_user_id', '=', s.dsl.id)
      .where('entity_id', '=', s.notMine)
      .execute();
    expect(views.every((v) => v.action === 'access.denied')).toBe(true);
    expect(views.length).toBeGreaterThan(0);
  });

  it('can change nothing through any other route, for their child or another', async () => {
    const s = await setUp();
    const browser = await signedInAs(app, deps, s.dsl.id);
    const token = csrfFrom((await browser.get('/partner/children')).body);
    const posts = routes.filter(
      (r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) && staffRoute(r) && r.url !== '/sign-out',
    );
    expect(posts.length).toBeGreaterThan(20);
    const before = await snapshot(handle);
    const unexpected: string[] = [];
    for (const route of posts) {
      if (CHILD_POSTS_ALLOWED.has(route.url)) continue;
      for (const child of [s.mine, s.notMine]) {
        const sub = route.url.includes('section-47') ? s.help.section47Id : s.goalId;
        const url = fillRoute(
          route.url,
          { id: child, sub, pid: s.help.planId, keepId: s.mine, mergeId: s.notMine },
          child,
        );
        const response = await browser.post(
          url,
          {
            reason: 'A partner trying to reach this record',
            reasonCode: 'urgent_safeguarding',
            goal: 'x',
            who: 'y',
            note: 'z',
            decision: 'share',
          },
          { csrf: token },
        );
        // Refused before the form is read: a partner is never told what was wrong with what they sent.
        if (![403, 404].includes(response.statusCode))
          unexpected.push(`${route.method} ${route.url}: ${response.statusCode}`);
        expect(response.body, url).not.toContain('Unshared');
      }
    }
    expect(unexpected).toEqual([]);
    const after = await snapshot(handle);
    for (const table of Object.keys(before)) {
      if (table === 'audit_log' || table === 'sessions' || table === 'login_throttle') continue;
      expect(after[table], table).toBe(before[table]);
    }
  });

  it('is refused the children list and break-glass, in the route and in the service, and is not offered break-glass', async () => {
    const s = await setUp();
    const browser = await signedInAs(app, deps, s.dsl.id);
    const list = await browser.get('/children');
    expect(list.statusCode).toBe(403);
    expect(list.body).not.toContain('Partnered');
    const actor = await loadActor(deps.db, s.dsl.id);
    if (!actor) throw new Error('no actor');
    await expect(listPeopleInScope(deps, actor, 10)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      breakGlass(deps, actor, {
        personId: s.notMine,
        reasonCode: 'urgent_safeguarding',
        reason: 'A partner asking for emergency access',
        requestId: 'test',
      }),
    ).rejects.toBeInstanceOf(ForbiddenError);

    // The "not found" page of a record they cannot see offers them no emergency access.
    const notFound = await browser.get(`/children/${s.notMine}`);
    expect(notFound.statusCode).toBe(404);
    expect(notFound.body).not.toContain('break-glass');
    const token = csrfFrom((await browser.get('/partner/children')).body);
    const asked = await browser.post(
      `/children/${s.notMine}/break-glass`,
      { reasonCode: 'urgent_safeguarding', reason: 'A partner asking for emergency access' },
      { csrf: token },
    );
    expect(asked.statusCode).toBe(403);
    const grants = await deps.db
      .selectFrom('break_glass_grants')
      .select('id')
      .where('user_id', '=', s.dsl.id)
      .execute();
    expect(grants).toEqual([]);

    // Council staff who may read people still have the list and the break-glass offer.
    const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamB] });
    const staff = await signedInAs(app, deps, worker.id);
    expect((await staff.get('/children')).statusCode).toBe(200);
    const elsewhere = await staff.get(`/children/${s.notMine}`);
    expect(elsewhere.statusCode).toBe(404);
    expect(elsewhere.body).toContain(`/children/${s.notMine}/break-glass`);
    expect((await staff.get(`/children/${s.notMine}/break-glass`)).statusCode).toBe(200);
  });
});
