import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { appWithRouteTable, fillRoute, signedInAs, snapshot, type RouteInfo } from '../support/app-helpers.ts';
import { openTestDb } from '../support/db.ts';
import { makeWorld, testClock, testDeps } from '../support/world.ts';

/**
 * ASVS 3.5.3: no state change on GET. Every GET route, visited by every kind of staff member, leaves
 * every table as it was, apart from the audit log (reads are audited by design) and the session's
 * last-seen time.
 */
let handle: DbHandle;
let app: FastifyInstance;
let routes: RouteInfo[];
let deps: Deps;

beforeAll(async () => {
  handle = await openTestDb();
  deps = testDeps(handle, { clock: testClock(new Date('2026-11-25T10:00:00Z')) });
  ({ app, routes } = await appWithRouteTable(deps));
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

/** GET routes whose purpose is to change state: OIDC's callback completes a sign-in. */
const STATEFUL_BY_DESIGN = new Set(['/sign-in/oidc/callback']);

describe('GET requests', () => {
  it('change nothing, for any route and any role', async () => {
    const world = await makeWorld(deps);
    const admin = await world.user({ roles: ['administrator'] });
    const manager = await world.user({ roles: ['team_manager'], teamIds: [world.teamA] });
    const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const child = await world.child({ teamId: world.teamA, workerId: worker.id });
    const grant = await deps.db
      .insertInto('break_glass_grants')
      .values({
        user_id: worker.id,
        person_id: child,
        reason_code: 'other',
        reason: 'A reason long enough',
        granted_at: deps.clock.now(),
        expires_at: deps.clock.now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const params = { id: child, userId: admin.id, grantId: grant.id };
    const gets = routes.filter((r) => r.method === 'GET' && !STATEFUL_BY_DESIGN.has(r.url) && !r.url.includes('*'));
    expect(gets.length).toBeGreaterThan(8);

    for (const user of [admin, manager, worker]) {
      const browser = await signedInAs(app, deps, user.id);
      const before = await snapshot(handle);
      const statuses: string[] = [];
      for (const route of gets) {
        const url = fillRoute(route.url.replace('/admin/users/:id', `/admin/users/${admin.id}`), params, child);
        const response = await browser.get(url);
        statuses.push(`${url} ${response.statusCode}`);
        expect(response.statusCode, url).toBeLessThan(500);
      }
      const after = await snapshot(handle);
      for (const table of Object.keys(before)) {
        if (table === 'audit_log' || table === 'sessions') continue;
        expect(after[table], `${table} changed after: ${statuses.join(', ')}`).toBe(before[table]);
      }
    }
  });
});
