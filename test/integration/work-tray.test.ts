import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { openTask, type TaskKind } from '../../src/modules/help/tasks.ts';
import { myWorkTray, teamWorkTray } from '../../src/modules/help/work-tray.ts';
import { loadActor } from '../../src/modules/access/access.repository.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { addWorkingDays } from '../../src/platform/working-days.ts';
import { count, expectGovukErrorPage, signedInAs } from '../support/app-helpers.ts';
import { openTestDb } from '../support/db.ts';
import { csrfFrom, testApp } from '../support/web.ts';
import { makeWorld, testClock, testDeps, type TestClock, type TestUser } from '../support/world.ts';

/**
 * Work trays: ordering, overdue flags (due before today in England) and working-day counts, with a
 * test clock moved across the summer bank holiday (Monday 31 August 2026); the team view's counts;
 * marking an 'other' task done; scope.
 */

let handle: DbHandle;
let app: FastifyInstance;
let deps: Deps;
let clock: TestClock;
let world: Awaited<ReturnType<typeof makeWorld>>;
let manager: TestUser;
let worker: TestUser;
let colleague: TestUser;
let outsider: TestUser;
let childA1: string;
let childA2: string;
let childB: string;
const ids: Record<string, string> = {};

async function task(
  name: string,
  options: { kind: TaskKind; dueOn: string; personId: string; userId: string | null; teamId: string },
) {
  ids[name] = await openTask(deps.db, {
    organisationId: world.organisationId,
    personId: options.personId,
    episodeId: null,
    kind: options.kind,
    title: `Task ${name}`,
    dueOn: options.dueOn,
    assignedUserId: options.userId,
    assignedTeamId: options.teamId,
    sourceType: 'test',
    sourceId: options.personId,
  });
}

beforeAll(async () => {
  handle = await openTestDb();
  // The summer bank holiday, Monday 31 August 2026, 11am in London.
  clock = testClock(new Date('2026-08-31T10:00:00Z'));
  deps = testDeps(handle, { clock });
  world = await makeWorld(deps);
  manager = await world.user({ roles: ['team_manager'], teamIds: [world.teamA] });
  worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
  colleague = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
  outsider = await world.user({ roles: ['practitioner'], teamIds: [world.teamB] });
  childA1 = await world.child({
    teamId: world.teamA,
    workerId: worker.id,
    given: 'Ada',
    family: 'Northfield',
  });
  childA2 = await world.child({
    teamId: world.teamA,
    workerId: colleague.id,
    given: 'Bea',
    family: 'Northfield',
  });
  childB = await world.child({
    teamId: world.teamB,
    workerId: outsider.id,
    given: 'Cal',
    family: 'Southgate',
  });

  // Due dates set in working days, across the bank holiday.
  await task('friday', {
    kind: 'visit_due',
    dueOn: addWorkingDays('2026-08-27', 1),
    personId: childA1,
    userId: worker.id,
    teamId: world.teamA,
  });
  await task('tuesday', {
    kind: 'other',
    dueOn: addWorkingDays('2026-08-28', 1),
    personId: childA1,
    userId: worker.id,
    teamId: world.teamA,
  });
  await task('teamUnassigned', {
    kind: 'allocate_worker',
    dueOn: '2026-09-03',
    personId: childA2,
    userId: null,
    teamId: world.teamA,
  });
  await task('colleagues', {
    kind: 'plan_review_due',
    dueOn: '2026-08-20',
    personId: childA2,
    userId: colleague.id,
    teamId: world.teamA,
  });
  await task('otherTeam', {
    kind: 'other',
    dueOn: '2026-08-25',
    personId: childB,
    userId: outsider.id,
    teamId: world.teamB,
  });
  // Given to the worker, about a child outside their scope: the task shows, the child's name does not.
  await task('outOfScopeChild', {
    kind: 'other',
    dueOn: '2026-09-10',
    personId: childB,
    userId: worker.id,
    teamId: world.teamB,
  });
  await task('done', {
    kind: 'other',
    dueOn: '2026-08-01',
    personId: childA1,
    userId: worker.id,
    teamId: world.teamA,
  });
  await deps.db
    .updateTable('tasks')
    .set({ completed_at: new Date('2026-08-02T10:00:00Z'), completed_by: worker.id })
    .where('id', '=', ids['done'] ?? '')
    .execute();
  app = await testApp(deps);
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

async function actor(user: TestUser) {
  const loaded = await loadActor(deps.db, user.id);
  if (!loaded) throw new Error('no actor');
  return loaded;
}

/** The task ids in the order the page lists them. */
function rowOrder(body: string): string[] {
  return [...body.matchAll(/data-task-id="([^"]+)"/g)].map((m) => m[1] ?? '');
}

function name(id: string | undefined): string {
  return Object.entries(ids).find(([, value]) => value === id)?.[0] ?? `unknown ${id ?? ''}`;
}

describe('my work tray', () => {
  it('sets working-day due dates across the bank holiday', () => {
    // Thursday + 1 working day = Friday; Friday + 1 working day skips the weekend and the bank holiday.
    expect(addWorkingDays('2026-08-27', 1)).toBe('2026-08-28');
    expect(addWorkingDays('2026-08-28', 1)).toBe('2026-09-01');
  });

  it('lists my tasks and my team’s unassigned ones, soonest first, on the bank holiday', async () => {
    clock.set(new Date('2026-08-31T10:00:00Z'));
    const tray = await myWorkTray(deps, await actor(worker));
    expect(tray.today).toBe('2026-08-31');
    expect(tray.tasks.map((t) => name(t.id))).toEqual([
      'friday',
      'tuesday',
      'teamUnassigned',
      'outOfScopeChild',
    ]);
    const [friday, tuesday, unassigned, outOfScope] = tray.tasks;
    // Due last Friday: overdue, but no working day has passed since (the weekend, then the bank holiday).
    expect(friday).toMatchObject({ overdue: true, dueToday: false, workingDaysLate: 0 });
    expect(tuesday).toMatchObject({ overdue: false, dueToday: false, workingDaysLeft: 1, canMarkDone: true });
    expect(unassigned).toMatchObject({
      overdue: false,
      workingDaysLeft: 3,
      child: { id: childA2, name: 'Bea Northfield' },
    });
    expect(outOfScope).toMatchObject({ child: null, href: null });
    expect(tray.overdue).toBe(1);
  });

  it('moves the flags with the clock: due today late on Tuesday, overdue after midnight in London', async () => {
    // 11.30pm on Tuesday 1 September in London (BST): still due today.
    clock.set(new Date('2026-09-01T22:30:00Z'));
    let tray = await myWorkTray(deps, await actor(worker));
    let byName = Object.fromEntries(tray.tasks.map((t) => [name(t.id), t]));
    expect(byName['tuesday']).toMatchObject({ overdue: false, dueToday: true, workingDaysLeft: 0 });
    expect(byName['friday']).toMatchObject({ overdue: true, workingDaysLate: 1 });

    // 12.30am on Wednesday 2 September in London, though still 1 September in UTC.
    clock.set(new Date('2026-09-01T23:30:00Z'));
    tray = await myWorkTray(deps, await actor(worker));
    byName = Object.fromEntries(tray.tasks.map((t) => [name(t.id), t]));
    expect(tray.today).toBe('2026-09-02');
    expect(byName['tuesday']).toMatchObject({ overdue: true, dueToday: false, workingDaysLate: 1 });
    expect(byName['friday']).toMatchObject({ overdue: true, workingDaysLate: 2 });
    expect(tray.overdue).toBe(2);
  });

  it('renders the page in due order with overdue flags, linked names and the navigation entry', async () => {
    clock.set(new Date('2026-08-31T10:00:00Z'));
    const browser = await signedInAs(app, deps, worker.id);
    const page = await browser.get('/work-tray');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('href="/work-tray"');
    expect(rowOrder(page.body).map(name)).toEqual(['friday', 'tuesday', 'teamUnassigned', 'outOfScopeChild']);
    expect(page.body.match(/govuk-tag--red">\s*Overdue/g)).toHaveLength(1);
    expect(page.body).toContain('1 task is overdue.');
    expect(page.body).toContain(`<a class="govuk-link" href="/children/${childA1}">Ada Northfield</a>`);
    expect(page.body).toContain(`href="/children/${childA1}/visits/new"`);
    expect(page.body).not.toContain('Cal Southgate');
    expect(page.body).not.toContain('Task colleagues');
    expect(page.body).not.toContain('Task otherTeam');
    expect(page.body).not.toContain('Task done');
    // A practitioner does not see the team view.
    expect(page.body).not.toContain('href="/work-tray/team"');
    expectGovukErrorPage(await browser.get('/work-tray/team'), 403);
  });
});

describe('the team work tray', () => {
  it('shows every open task of the team’s children and members, with open and overdue counts per worker', async () => {
    clock.set(new Date('2026-08-31T10:00:00Z'));
    const tray = await teamWorkTray(deps, await actor(manager), {});
    expect(tray.team.id).toBe(world.teamA);
    expect(tray.tasks.map((t) => name(t.id))).toEqual([
      'colleagues',
      'friday',
      'tuesday',
      'teamUnassigned',
      'outOfScopeChild',
    ]);
    const counts = Object.fromEntries(
      tray.byWorker.map((w) => [w.userId ?? w.name, { open: w.open, overdue: w.overdue }]),
    );
    expect(counts).toEqual({
      [worker.id]: { open: 3, overdue: 1 },
      [colleague.id]: { open: 1, overdue: 1 },
      [manager.id]: { open: 0, overdue: 0 },
      'Not given to anyone yet': { open: 1, overdue: 0 },
    });
    expect(tray.overdue).toBe(2);

    const browser = await signedInAs(app, deps, manager.id);
    const page = await browser.get('/work-tray/team');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Open tasks (2 overdue)');
    expect(page.body).toContain('Bea Northfield');
    expect(page.body).not.toContain('Cal Southgate');
    const mine = await browser.get('/work-tray');
    expect(mine.body).toContain('href="/work-tray/team"');
    // Another team is not the manager's to see.
    expectGovukErrorPage(await browser.get(`/work-tray/team?team=${world.teamB}`), 404);
  });
});

describe('marking a task done', () => {
  it('completes an ‘other’ task and refuses the kinds that complete themselves', async () => {
    clock.set(new Date('2026-08-31T10:00:00Z'));
    const browser = await signedInAs(app, deps, worker.id);
    const page = await browser.get('/work-tray');
    const csrf = csrfFrom(page.body);
    expect(page.body).toContain(`action="/work-tray/tasks/${ids['tuesday'] ?? ''}/done"`);
    expect(page.body).not.toContain(`action="/work-tray/tasks/${ids['friday'] ?? ''}/done"`);

    const visit = await browser.post(`/work-tray/tasks/${ids['friday'] ?? ''}/done`, {}, { csrf });
    expectGovukErrorPage(visit, 400);
    const elsewhere = await browser.post(`/work-tray/tasks/${ids['otherTeam'] ?? ''}/done`, {}, { csrf });
    expectGovukErrorPage(elsewhere, 404);
    // A colleague's task is theirs to mark done (or their manager's), not mine.
    await task('colleaguesOther', {
      kind: 'other',
      dueOn: '2026-09-04',
      personId: childA2,
      userId: colleague.id,
      teamId: world.teamA,
    });
    const colleagues = await browser.post(
      `/work-tray/tasks/${ids['colleaguesOther'] ?? ''}/done`,
      {},
      { csrf },
    );
    expectGovukErrorPage(colleagues, 404);
    const managerBrowser = await signedInAs(app, deps, manager.id);
    const managerPage = await managerBrowser.get('/work-tray/team');
    const byManager = await managerBrowser.post(
      `/work-tray/tasks/${ids['colleaguesOther'] ?? ''}/done`,
      { back: 'team', team: world.teamA },
      { csrf: csrfFrom(managerPage.body) },
    );
    expect(byManager.statusCode).toBe(303);
    expect(byManager.headers.location).toBe(`/work-tray/team?team=${world.teamA}`);
    expectGovukErrorPage(await browser.post('/work-tray/tasks/not-a-task/done', {}, { csrf }), 404);

    const done = await browser.post(
      `/work-tray/tasks/${ids['tuesday'] ?? ''}/done`,
      { back: 'mine' },
      { csrf },
    );
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/work-tray');
    const row = await deps.db
      .selectFrom('tasks')
      .select(['completed_at', 'completed_by'])
      .where('id', '=', ids['tuesday'] ?? '')
      .executeTakeFirstOrThrow();
    expect(row.completed_by).toBe(worker.id);
    expect(row.completed_at?.toISOString()).toBe('2026-08-31T10:00:00.000Z');
    expect(
      await count(handle, 'audit_log', { action: 'task.completed', entity_id: ids['tuesday'] ?? '' }),
    ).toBe(1);
    expect(rowOrder((await browser.get('/work-tray')).body).map(name)).toEqual([
      'friday',
      'teamUnassigned',
      'outOfScopeChild',
    ]);
    const friday = await deps.db
      .selectFrom('tasks')
      .select('completed_at')
      .where('id', '=', ids['friday'] ?? '')
      .executeTakeFirstOrThrow();
    expect(friday.completed_at).toBeNull();
  });
});
