import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { createFamilySession } from '../../src/modules/portal/sessions.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { appWithRouteTable, fillRoute, signedInAs, type RouteInfo } from '../support/app-helpers.ts';
import { openTestDb } from '../support/db.ts';
import { makeFamily } from '../support/portal-family.ts';
import { Browser, csrfFrom } from '../support/web.ts';
import { makeWorld, testClock, testDeps } from '../support/world.ts';

/**
 * Every route under /family, whoever adds it, is tried with another family's ids and with our own,
 * while data that must never reach a family is planted around both families: if any byte of it
 * appears in a response (body or headers), the test fails.
 */
let handle: DbHandle;
let app: FastifyInstance;
let routes: RouteInfo[];
let deps: Deps;
let world: Awaited<ReturnType<typeof makeWorld>>;
let ours: Awaited<ReturnType<typeof makeFamily>>;
let theirs: Awaited<ReturnType<typeof makeFamily>>;
let siblingId: string;

/** Strings that must never appear in any portal response to family A. */
const PLANTED = [
  // Family A's child's placement: address, postcode and carers' name, hidden from the family.
  'Xylocarp Lane',
  'QX9 8ZZ',
  'Zanzibarfoster',
  // The child's own address kept from the family, and the parent's partner's hidden address.
  'Secretwood Road',
  'Hiddenmoor Close',
  // A restricted brother or sister.
  'Persephone',
  'Restrictedsib',
  // Family B: the child, the parent and their address.
  'Octavius',
  'Berenice',
  'Farawayson',
  'Otherfam Street',
];

beforeAll(async () => {
  handle = await openTestDb();
  deps = testDeps(handle, { clock: testClock(new Date('2026-11-25T10:00:00Z')) });
  world = await makeWorld(deps);
  ({ app, routes } = await appWithRouteTable(deps));
  const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
  ours = await makeFamily(deps, world, { teamId: world.teamA, workerId: worker.id, familyName: 'Ourfamily' });
  theirs = await makeFamily(deps, world, {
    teamId: world.teamA,
    workerId: worker.id,
    childGiven: 'Octavius',
    parentGiven: 'Berenice',
    familyName: 'Farawayson',
  });
  const org = world.organisationId;

  // A placement for our child with its address hidden from the family (the default).
  const episode = await deps.db
    .insertInto('help_episodes')
    .values({
      organisation_id: org,
      person_id: ours.childId,
      started_on: '2026-01-05',
      status: 'looked_after',
      status_since: '2026-02-01',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const period = await deps.db
    .insertInto('care_periods')
    .values({
      episode_id: episode.id,
      person_id: ours.childId,
      started_on: '2026-02-01',
      category_of_need: 'N1',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await deps.db
    .insertInto('placements')
    .values({
      care_period_id: period.id,
      placement_type: 'U1',
      provider: 'PR1',
      provider_name: 'Zanzibarfoster Fostering',
      carer_name: 'The Zanzibarfoster family',
      address: '12 Xylocarp Lane, Hightown',
      postcode: 'QX9 8ZZ',
      started_on: '2026-02-01',
    })
    .execute();
  await deps.db
    .insertInto('person_addresses')
    .values({
      person_id: ours.childId,
      line1: '3 Secretwood Road',
      postcode: 'QX1 1AA',
      started_on: '2026-02-01',
      hidden_from_family: true,
    })
    .execute();
  // The parent's partner, with a hidden address (another family member's information).
  const partner = await deps.db
    .insertInto('people')
    .values({ organisation_id: org, given_name: 'Quill', family_name: 'Ourfamily', is_child: false })
    .returning('id')
    .executeTakeFirstOrThrow();
  await deps.db
    .insertInto('relationships')
    .values({ person_id: ours.parentId, related_person_id: partner.id, kind: 'partner' })
    .execute();
  await deps.db
    .insertInto('relationships')
    .values({ person_id: ours.childId, related_person_id: partner.id, kind: "parent's partner" })
    .execute();
  await deps.db
    .insertInto('person_addresses')
    .values({
      person_id: partner.id,
      line1: '9 Hiddenmoor Close',
      postcode: 'QX2 2BB',
      started_on: '2025-01-01',
      hidden_from_family: true,
    })
    .execute();
  // A restricted sister, allocated to the same team, with a link to our family.
  siblingId = await world.child({
    teamId: world.teamA,
    workerId: worker.id,
    given: 'Persephone',
    family: 'Restrictedsib',
  });
  await deps.db
    .insertInto('relationships')
    .values({ person_id: ours.childId, related_person_id: siblingId, kind: 'sibling' })
    .execute();
  await deps.db
    .insertInto('person_restrictions')
    .values({ person_id: siblingId, category: 'adoption', reason: 'Adopted' })
    .execute();
  // Our parent is (wrongly, as a test of the last line of defence) also linked to the restricted sister.
  await deps.db
    .insertInto('family_account_children')
    .values({ account_id: ours.accountId, child_id: siblingId })
    .execute();
  await deps.db
    .insertInto('person_addresses')
    .values({
      person_id: theirs.childId,
      line1: '1 Otherfam Street',
      postcode: 'QX3 3CC',
      started_on: '2025-01-01',
    })
    .execute();
  // Staff look at both children, so "who has looked" has rows to show.
  const staff = await signedInAs(app, deps, worker.id);
  for (const id of [ours.childId, theirs.childId, siblingId]) await staff.get(`/children/${id}`);
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

function expectNothingPlanted(response: LightMyRequestResponse, what: string): void {
  const text = `${JSON.stringify(response.headers)}\n${response.body}`.toLowerCase();
  for (const planted of PLANTED)
    expect(text.includes(planted.toLowerCase()), `${what} shows "${planted}"`).toBe(false);
}

async function signedIn(): Promise<{ browser: Browser; token: string }> {
  const browser = new Browser(app);
  browser.cookies.set('hearth-family', await createFamilySession(deps, ours.accountId));
  const token = csrfFrom((await browser.get('/family')).body);
  return { browser, token };
}

describe('nothing kept from a family reaches the portal', () => {
  it('plants data the family must never see (the check below has something to find)', async () => {
    const staff = await signedInAs(
      app,
      deps,
      (
        await deps.db
          .selectFrom('allocations')
          .select('worker_user_id')
          .where('person_id', '=', ours.childId)
          .executeTakeFirstOrThrow()
      ).worker_user_id ?? '',
    );
    const page = await staff.get(`/children/${ours.childId}`);
    expect(page.statusCode).toBe(200);
    // Staff see what the family must not.
    expect(page.body).toContain('Secretwood Road');
    expect(
      await deps.db
        .selectFrom('placements')
        .select('address')
        .where('postcode', '=', 'QX9 8ZZ')
        .executeTakeFirst(),
    ).toBeDefined();
  });

  it('every portal route, with another family’s ids and with our own, shows none of it', async () => {
    const portalRoutes = routes.filter(
      (r) => r.url.startsWith('/family') && r.url !== '/family/portal.css' && r.method !== 'HEAD',
    );
    expect(portalRoutes.length).toBeGreaterThanOrEqual(10);
    const candidates = [
      theirs.childId,
      theirs.accountId,
      theirs.parentId,
      ours.childId,
      ours.accountId,
      siblingId,
      'not-an-id',
    ];
    let ok = 0;
    for (const route of portalRoutes) {
      const hasParams = /[:*]/.test(route.url);
      for (const id of hasParams ? candidates : ['']) {
        const url = hasParams ? fillRoute(route.url, {}, id) : route.url;
        const { browser, token } = await signedIn();
        const what = `${route.method} ${url}`;
        let response: LightMyRequestResponse;
        if (route.method === 'GET') {
          response = await browser.get(url);
        } else {
          response = await browser.post(
            url,
            {
              childId: theirs.childId,
              children: [theirs.childId, siblingId],
              sections: ['plan', 'seen'],
              who: theirs.parentId,
              givenName: 'Tester',
              familyName: 'Person',
              email: `tester.${String(ok)}@example.com`,
              reason: 'Testing',
              text: 'Testing',
              body: 'Testing',
              contact: 'tester@example.com',
            },
            { csrf: token },
          );
        }
        expect(response.statusCode, what).toBeLessThan(500);
        expectNothingPlanted(response, what);
        if (response.statusCode === 200) ok += 1;
      }
    }
    // Our own child's pages did open (so the hidden data had a chance to leak and did not).
    expect(ok).toBeGreaterThan(0);
  });

  it('another family’s child is "not found" on every page about a child', async () => {
    const childRoutes = routes.filter(
      (r) => r.url.startsWith('/family/') && r.method === 'GET' && r.url.includes(':'),
    );
    for (const route of childRoutes) {
      const { browser } = await signedIn();
      for (const id of [theirs.childId, siblingId]) {
        const response = await browser.get(fillRoute(route.url, {}, id));
        expect(response.statusCode, `${route.url} with ${id}`).toBe(404);
      }
    }
  });

  it('our own child’s "who has looked" page opens, and the restricted sister is nowhere', async () => {
    const { browser } = await signedIn();
    const page = await browser.get(`/family/children/${ours.childId}/who-has-looked`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Practitioner');
    const home = await browser.get('/family');
    expect(home.body).toContain('Robin Ourfamily');
    expectNothingPlanted(home, 'home');
  });
});
