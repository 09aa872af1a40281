import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { verifyAuditChain } from '../../src/platform/audit/audit.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { count, expectGovukErrorPage, signedInAs } from '../support/app-helpers.ts';
import { openTestDb } from '../support/db.ts';
import { testApp } from '../support/web.ts';
import { makeWorld, testClock, testDeps } from '../support/world.ts';

// Read-only pages audit their view outside the read's transaction (recordView batches concurrent
// views into one short transaction). Every view must still leave exactly one row, committed before
// the page is answered, and the chain must stay whole.

let handle: DbHandle;
let deps: Deps;
let app: FastifyInstance;
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

/** The person.view rows of a child, by the request that wrote them. */
async function viewsByRequest(personId: string): Promise<Map<string, { n: number; routes: string[] }>> {
  const rows = await sql<{ request_id: string | null; route: string | null }>`
    SELECT request_id, detail->>'route' AS route FROM audit_log
    WHERE action = 'person.view' AND entity_id = ${personId}`.execute(handle.db);
  const result = new Map<string, { n: number; routes: string[] }>();
  for (const row of rows.rows) {
    const key = row.request_id ?? 'none';
    const entry = result.get(key) ?? { n: 0, routes: [] };
    entry.n += 1;
    entry.routes.push(row.route ?? '');
    result.set(key, entry);
  }
  return result;
}

function cookieOf(browser: Awaited<ReturnType<typeof signedInAs>>): string {
  return [...browser.cookies.entries()].map(([name, value]) => `${name}=${value}`).join('; ');
}

describe('auditing views outside the read’s transaction', () => {
  it('leaves exactly one person.view row for each of 20 concurrent views of a child’s page, and the chain verifies', async () => {
    const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const childId = await world.child({ teamId: world.teamA, workerId: worker.id, given: 'Concurrent' });
    const cookie = cookieOf(await signedInAs(app, deps, worker.id));
    const before = await count(handle, 'audit_log', { action: 'person.view', entity_id: childId });
    expect(before).toBe(0);

    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        app.inject({ method: 'GET', url: `/children/${childId}`, headers: { cookie } }),
      ),
    );
    for (const response of responses) {
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('Concurrent');
    }

    // Each page's row was committed before the page was answered: all 20 are there now, one each.
    const views = await viewsByRequest(childId);
    expect(views.size).toBe(20);
    for (const [requestId, entry] of views) {
      expect(requestId).not.toBe('none');
      expect(entry.n).toBe(1);
      expect(entry.routes).toEqual(['/children/:id']);
    }
    const verification = await verifyAuditChain(handle.db);
    expect(verification.ok).toBe(true);
  });

  it('audits each page of the child’s help, protection and care once, even all at once', async () => {
    const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const childId = await world.child({ teamId: world.teamA, workerId: worker.id, given: 'Pages' });
    const cookie = cookieOf(await signedInAs(app, deps, worker.id));
    const pages = [
      'help',
      'chronology',
      'visits',
      'notes',
      'plans',
      'assessments',
      'documents',
      'practical-help',
      'protection',
      'care',
    ].map((page) => `/children/${childId}/${page}`);
    const urls = [...pages, ...pages];

    const responses = await Promise.all(
      urls.map((url) => app.inject({ method: 'GET', url, headers: { cookie } })),
    );
    responses.forEach((response, i) => {
      expect(response.statusCode, urls[i]).toBe(200);
    });

    const views = await viewsByRequest(childId);
    expect(views.size).toBe(urls.length);
    for (const entry of views.values()) expect(entry.n).toBe(1);
    expect((await verifyAuditChain(handle.db)).ok).toBe(true);
  });

  it('answers 404 and writes access.denied (no view) for a child of another team', async () => {
    const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const elsewhere = await world.child({ teamId: world.teamB, given: 'Elsewhere' });
    const browser = await signedInAs(app, deps, worker.id);

    const response = await browser.get(`/children/${elsewhere}`);
    expectGovukErrorPage(response, 404, 'Page not found');
    expect(response.body).not.toContain('Elsewhere');
    expect(await count(handle, 'audit_log', { action: 'access.denied', entity_id: elsewhere })).toBe(1);
    expect(await count(handle, 'audit_log', { action: 'person.view', entity_id: elsewhere })).toBe(0);

    // The help pages of that child are not found either, and are not views of them.
    for (const page of ['visits', 'notes', 'plans', 'chronology', 'protection', 'care']) {
      expectGovukErrorPage(await browser.get(`/children/${elsewhere}/${page}`), 404, 'Page not found');
    }
    expect(await count(handle, 'audit_log', { action: 'person.view', entity_id: elsewhere })).toBe(0);
    expect((await verifyAuditChain(handle.db)).ok).toBe(true);
  });

  it('writes no view when the page’s record is not found (the audit follows the reads)', async () => {
    const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const childId = await world.child({ teamId: world.teamA, workerId: worker.id });
    const browser = await signedInAs(app, deps, worker.id);
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const url of [
      `/children/${childId}/plans/${missing}`,
      `/children/${childId}/assessments/${missing}`,
      `/children/${childId}/protection/conferences/${missing}`,
    ]) {
      expectGovukErrorPage(await browser.get(url), 404, 'Page not found');
    }
    expect(await count(handle, 'audit_log', { action: 'person.view', entity_id: childId })).toBe(0);
  });
});
