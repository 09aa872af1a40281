import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { createFamilySession } from '../../src/modules/portal/sessions.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { signedInAs } from '../support/app-helpers.ts';
import { openTestDb } from '../support/db.ts';
import { Browser, testApp } from '../support/web.ts';
import { makeWorld, testClock, testDeps, type TestClock } from '../support/world.ts';

let handle: DbHandle;
let deps: Deps;
let clock: TestClock;
let app: FastifyInstance;
let world: Awaited<ReturnType<typeof makeWorld>>;

const HIDDEN_ADDRESS = '27 Wren Hollow';
const HIDDEN_POSTCODE = 'BD7 1DP';
const SECRET_PASSAGE = 'the lodger Mr Quennell shouted at her';

beforeAll(async () => {
  handle = await openTestDb();
  clock = testClock(new Date('2026-01-31T10:00:00Z'));
  deps = testDeps(handle, { clock });
  world = await makeWorld(deps);
  app = await testApp(deps);
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

async function person(given: string, family: string): Promise<string> {
  const row = await deps.db
    .insertInto('people')
    .values({
      organisation_id: world.organisationId,
      given_name: given,
      family_name: family,
      date_of_birth: '1988-02-02',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A parent with a portal account that sees every section of the child's record, signed in. */
async function familyBrowser(
  childId: string,
  email: string,
): Promise<{ browser: Browser; accountId: string }> {
  const parent = await person('Sam', 'Parent');
  const account = await deps.db
    .insertInto('family_accounts')
    .values({
      organisation_id: world.organisationId,
      person_id: parent,
      kind: 'parent',
      email,
      status: 'active',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await deps.db
    .insertInto('family_account_children')
    .values({ account_id: account.id, child_id: childId })
    .execute();
  const browser = new Browser(app);
  browser.cookies.set('hearth-family', await createFamilySession(deps, account.id));
  return { browser, accountId: account.id };
}

async function childWithRecord(workerId: string): Promise<string> {
  const child = await world.child({ teamId: world.teamA, workerId, given: 'Kit', family: 'Marsh' });
  const episode = await deps.db
    .insertInto('help_episodes')
    .values({
      organisation_id: world.organisationId,
      person_id: child,
      started_on: '2025-06-01',
      status: 'looked_after',
      status_since: '2025-09-01',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await deps.db
    .insertInto('visits')
    .values({
      episode_id: episode.id,
      person_id: child,
      visited_on: '2025-10-05',
      kind: 'placement',
      child_seen: true,
      what_happened: `Saw Kit at ${HIDDEN_ADDRESS} ${HIDDEN_POSTCODE}. Kit said ${SECRET_PASSAGE}. Kit is doing well at school.`,
    })
    .execute();
  const period = await deps.db
    .insertInto('care_periods')
    .values({ episode_id: episode.id, person_id: child, started_on: '2025-09-01', category_of_need: 'N1' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await deps.db
    .insertInto('placements')
    .values({
      care_period_id: period.id,
      placement_type: 'U1',
      provider: 'PR1',
      started_on: '2025-09-01',
      address: HIDDEN_ADDRESS,
      postcode: HIDDEN_POSTCODE,
    })
    .execute();
  return child;
}

function expectNothingHidden(body: string): void {
  expect(body).not.toContain(SECRET_PASSAGE);
  expect(body).not.toContain('Quennell');
  expect(body).not.toContain(HIDDEN_ADDRESS);
  expect(body).not.toContain('Wren Hollow');
  expect(body.toUpperCase().replace(/\s/g, '')).not.toContain('BD71DP');
}

describe('records requests through the portal and the staff pages', () => {
  it('asks, prepares with reasons, releases with two people, and delivers only to the family that asked', async () => {
    const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const manager = await world.user({ roles: ['team_manager'], teamIds: [world.teamA] });
    const child = await childWithRecord(worker.id);
    const family = await familyBrowser(child, 'parent.one@example.com');
    const stranger = await familyBrowser(
      await world.child({ teamId: world.teamA }),
      'parent.two@example.com',
    );

    // The family finds the section from the portal's home page, and asks.
    expect((await family.browser.get('/family')).body).toContain(`/family/children/${child}/records`);
    const list = await family.browser.get(`/family/children/${child}/records`);
    expect(list.statusCode).toBe(200);
    const ask = `/family/children/${child}/records/ask`;
    const empty = await family.browser.post(ask, { whatWanted: '' }, { tokenFrom: ask });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Tell us what you want to see');
    const asked = await family.browser.post(
      ask,
      {
        whatWanted: 'Everything you have written about Kit',
        'dateFrom-day': '',
        'dateFrom-month': '',
        'dateFrom-year': '',
      },
      { tokenFrom: ask },
    );
    expect(asked.statusCode).toBe(303);
    const requestUrl = asked.headers.location ?? '';
    const id = /\/records\/([0-9a-f-]{36})$/.exec(requestUrl)?.[1] ?? '';
    expect(id).not.toBe('');
    const waiting = await family.browser.get(requestUrl);
    expect(waiting.statusCode).toBe(200);
    expect(waiting.body).toContain('We have your request');
    expect(waiting.body).toContain('28 February 2026');
    expect(waiting.body).not.toContain('download.html');
    expect((await family.browser.get(`${requestUrl}/download.html`)).statusCode).toBe(404);

    // Staff see it with the deadline.
    clock.set(new Date('2026-02-10T10:00:00Z'));
    const staff = await signedInAs(app, deps, worker.id);
    const staffList = await staff.get('/records-requests');
    expect(staffList.statusCode).toBe(200);
    expect(staffList.body).toContain('Kit Marsh');
    expect(staffList.body).toContain('18 days left');
    const page = `/records-requests/${id}`;
    expect((await staff.post(`${page}/assemble`, {}, { tokenFrom: page })).statusCode).toBe(303);
    const visitItem = await deps.db
      .selectFrom('records_request_items')
      .select('id')
      .where('request_id', '=', id)
      .where('source_type', '=', 'visit')
      .executeTakeFirstOrThrow();
    const prepared = await staff.get(page);
    expect(prepared.body).toContain(SECRET_PASSAGE);
    const missingReason = await staff.post(
      `${page}/redactions`,
      { itemId: visitItem.id, scope: 'passage', passage: SECRET_PASSAGE },
      { tokenFrom: page },
    );
    expect(missingReason.statusCode).toBe(400);
    expect(missingReason.body).toContain('Select the reason');
    expect(
      (
        await staff.post(
          `${page}/redactions`,
          { itemId: visitItem.id, scope: 'passage', passage: SECRET_PASSAGE, reason: 'third_party' },
          { tokenFrom: page },
        )
      ).statusCode,
    ).toBe(303);
    expect((await staff.post(`${page}/submit`, {}, { tokenFrom: page })).statusCode).toBe(303);
    // The practitioner cannot release; the manager can.
    expect((await staff.post(`${page}/approve`, {}, { tokenFrom: page })).statusCode).toBe(403);
    const checker = await signedInAs(app, deps, manager.id);
    const checking = await checker.get(page);
    expect(checking.body).toContain('Approve and send to the family');
    expect((await checker.post(`${page}/approve`, {}, { tokenFrom: page })).statusCode).toBe(303);
    const sent = await checker.get(page);
    expect(sent.statusCode).toBe(200);
    expect(sent.body).toContain('What the family received');
    expectNothingHidden(sent.body);
    expect((await checker.get('/records-requests?all=1')).body).toContain('Sent 10 February 2026');

    // The family reads and downloads it (signing in again: ten days have passed): the reason is there,
    // the removed words and hidden address are not.
    for (const f of [family, stranger])
      f.browser.cookies.set('hearth-family', await createFamilySession(deps, f.accountId));
    const released = await family.browser.get(requestUrl);
    expect(released.statusCode).toBe(200);
    expect(released.body).toContain('Your records are ready');
    expect(released.body).toContain('Kit is doing well at school');
    expect(released.body).toContain('Information about someone else');
    expectNothingHidden(released.body);
    for (const suffix of ['download.html', 'download.txt']) {
      const file = await family.browser.get(`${requestUrl}/${suffix}`);
      expect(file.statusCode).toBe(200);
      expect(file.headers['content-disposition']).toMatch(
        /^attachment; filename="records-2026-01-31\.(html|txt)"$/,
      );
      expect(file.body).toContain('Kit is doing well at school');
      expect(file.body).toContain('Information about someone else');
      expectNothingHidden(file.body);
    }
    const downloads = await deps.db
      .selectFrom('audit_log')
      .select(['actor_user_id', 'detail'])
      .where('action', '=', 'portal.records_request.download')
      .where('entity_id', '=', child)
      .execute();
    expect(downloads).toHaveLength(2);
    expect(
      downloads.every((d) => d.actor_user_id === null && d.detail['familyAccountId'] === family.accountId),
    ).toBe(true);

    // Another family: "not found" for this request by any route, with this child's id or their own.
    const strangerChild = (
      await deps.db
        .selectFrom('family_account_children')
        .select('child_id')
        .where('account_id', '=', stranger.accountId)
        .executeTakeFirstOrThrow()
    ).child_id;
    for (const url of [
      requestUrl,
      `${requestUrl}/download.html`,
      `${requestUrl}/download.txt`,
      `/family/children/${child}/records`,
      `/family/children/${child}/records/ask`,
      `/family/children/${strangerChild}/records/${id}`,
      `/family/children/${strangerChild}/records/${id}/download.html`,
      `/family/children/${strangerChild}/records/${id}/download.txt`,
    ]) {
      const response = await stranger.browser.get(url);
      expect(response.statusCode, url).toBe(404);
      expect(response.body).not.toContain('Kit is doing well');
    }
    const strangerAsk = await stranger.browser.post(
      ask,
      { whatWanted: 'x' },
      { tokenFrom: `/family/children/${strangerChild}/records/ask` },
    );
    expect(strangerAsk.statusCode).toBe(404);
    // Staff outside the child's team cannot open the request either.
    const outsider = await signedInAs(
      app,
      deps,
      (await world.user({ roles: ['team_manager'], teamIds: [world.teamB] })).id,
    );
    expect((await outsider.get(page)).statusCode).toBe(404);
  });

  it('stops the member of staff who prepared a bundle from releasing it', async () => {
    const manager = await world.user({ roles: ['team_manager'], teamIds: [world.teamA] });
    const child = await childWithRecord(manager.id);
    const staff = await signedInAs(app, deps, manager.id);
    const found = await staff.get('/records-requests/new?name=kit%20mar');
    expect(found.statusCode).toBe(200);
    expect(found.body).toContain(`/records-requests/new?childId=${child}`);
    const start = `/records-requests/new?childId=${child}`;
    const logged = await staff.post(
      start,
      {
        channel: 'letter',
        requesterDescription: 'Mother, by letter',
        whatWanted: 'Visit notes',
        'receivedOn-day': '31',
        'receivedOn-month': '1',
        'receivedOn-year': '2026',
        familyAccountId: '',
      },
      { tokenFrom: start },
    );
    expect(logged.statusCode).toBe(303);
    const page = logged.headers.location ?? '';
    const shown = await staff.get(page);
    expect(shown.body).toContain('28 February 2026');
    await staff.post(`${page}/assemble`, {}, { tokenFrom: page });
    await staff.post(`${page}/submit`, {}, { tokenFrom: page });
    const own = await staff.get(page);
    expect(own.body).not.toContain('Approve and send to the family');
    expect((await staff.post(`${page}/approve`, {}, { tokenFrom: page })).statusCode).toBe(403);
    const row = await deps.db
      .selectFrom('records_requests')
      .select(['status', 'released_html'])
      .where('id', '=', page.split('/').at(-1) ?? '')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'awaiting_approval', released_html: null });
  });
});
