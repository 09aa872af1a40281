import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { openOrContinueEpisode } from '../../src/modules/help/episodes.ts';
import { openTask } from '../../src/modules/help/tasks.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { count, expectGovukErrorPage, signedInAs } from '../support/app-helpers.ts';
import { openTestDb } from '../support/db.ts';
import { csrfFrom, testApp } from '../support/web.ts';
import { makeWorld, testClock, testDeps, type TestClock, type TestUser } from '../support/world.ts';

/**
 * The child's episode of help through the pages: the summary, step up and down, closing, allocation
 * with its warning, record scope (404 outside it) and the conflict page when the episode moved on.
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
let outsideManager: TestUser;

beforeAll(async () => {
  handle = await openTestDb();
  // Tuesday 10 March 2026, 10am in London.
  clock = testClock(new Date('2026-03-10T10:00:00Z'));
  deps = testDeps(handle, { clock });
  world = await makeWorld(deps);
  manager = await world.user({ roles: ['team_manager'], teamIds: [world.teamA] });
  worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
  colleague = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
  outsider = await world.user({ roles: ['practitioner'], teamIds: [world.teamB] });
  outsideManager = await world.user({ roles: ['team_manager'], teamIds: [world.teamB] });
  app = await testApp(deps);
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

async function childWithHelp(options: {
  status?: 'family_help' | 'child_in_need';
  on?: string;
  given?: string;
  workerId?: string | null;
}) {
  const child = await world.child({
    teamId: world.teamA,
    ...(options.workerId === null ? {} : { workerId: options.workerId ?? worker.id }),
    given: options.given ?? 'Robin',
    family: 'Helpchild',
  });
  // world.child allocates at the database's now(); this suite's clock says 10 March 2026.
  await deps.db
    .updateTable('allocations')
    .set({ started_at: new Date('2026-02-01T09:00:00Z') })
    .where('person_id', '=', child)
    .execute();
  const status = options.status ?? 'family_help';
  const { episodeId } = await deps.db.transaction().execute((trx) =>
    openOrContinueEpisode(trx, {
      organisationId: world.organisationId,
      personId: child,
      status,
      on: options.on ?? '2026-02-02',
      reason: 'The family asked for help with money and school',
      actorUserId: worker.id,
      ...(status === 'child_in_need' ? { referral: { source: '2A', primaryNeed: 'N4' } } : {}),
    }),
  );
  return { child, episodeId };
}

function hidden(body: string, name: string): string {
  return new RegExp(`name="${name}" value="([^"]*)"`).exec(body)?.[1] ?? '';
}

async function episode(id: string) {
  return deps.db.selectFrom('help_episodes').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function personViews(userId: string, personId: string): Promise<number> {
  return deps.db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('action', '=', 'person.view')
    .where('actor_user_id', '=', userId)
    .where('entity_id', '=', personId)
    .executeTakeFirstOrThrow()
    .then((r) => Number(r.n));
}

/** The error summary's links, in order. */
function summaryLinks(body: string): string[] {
  const summary = /govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(body)?.[1] ?? '';
  return [...summary.matchAll(/href="(#[^"]+)"/g)].map((m) => m[1] ?? '');
}

function expectPage(response: LightMyRequestResponse, status = 200) {
  expect(response.statusCode, response.body.slice(0, 500)).toBe(status);
  expect(response.headers['content-type']).toMatch(/^text\/html/);
}

describe('the episode page', () => {
  it('shows the status, lead practitioner, history, plans, tasks and visits, audited as one view', async () => {
    const { child, episodeId } = await childWithHelp({ status: 'child_in_need' });
    await openTask(deps.db, {
      organisationId: world.organisationId,
      personId: child,
      episodeId,
      kind: 'visit_due',
      title: 'Visit Robin at home',
      dueOn: '2026-03-09',
      assignedUserId: worker.id,
      assignedTeamId: world.teamA,
      sourceType: 'help_episode',
      sourceId: episodeId,
    });
    await deps.db
      .insertInto('visits')
      .values({
        episode_id: episodeId,
        person_id: child,
        visited_on: '2026-02-20',
        kind: 'home',
        child_seen: true,
        what_happened: 'Talked about school',
      })
      .execute();
    await deps.db
      .insertInto('practical_help')
      .values([
        {
          episode_id: episodeId,
          person_id: child,
          given_on: '2026-02-21',
          kind: 'food',
          description: 'Food bank voucher',
        },
        {
          episode_id: episodeId,
          person_id: child,
          given_on: '2026-02-22',
          kind: 'fuel',
          description: 'Fuel top-up',
        },
      ])
      .execute();
    await deps.db
      .insertInto('plans')
      .values({
        episode_id: episodeId,
        person_id: child,
        kind: 'child_in_need',
        status: 'active',
        started_on: '2026-02-10',
        next_review_on: '2026-03-01',
      })
      .execute();

    const browser = await signedInAs(app, deps, worker.id);
    const before = await personViews(worker.id, child);
    const page = await browser.get(`/children/${child}/help`);
    expectPage(page);
    expect(page.body).toContain('Child in need');
    expect(page.body).toContain('2 February 2026');
    expect(page.body).toContain('A school. Main need: The family is in acute stress');
    expect(page.body).toContain('Staff Member'); // the lead practitioner's name
    expect(page.body).toContain('Child in need plan');
    expect(page.body).toContain('Visit Robin at home');
    expect(page.body).toMatch(/9 March 2026\s*<strong class="govuk-tag govuk-tag--red">\s*Overdue/);
    expect(page.body).toContain('20 February 2026'); // latest visit
    expect(page.body).toContain('2 times'); // practical help
    expect(page.body).toContain('The family asked for help with money and school'); // status history
    expect(page.body).toContain(`href="/children/${child}/help/step"`);
    expect(page.body).toContain(`href="/children/${child}/chronology"`);
    expect(page.body).toContain(`href="/front-door/requests/new?child=${child}"`);
    // A practitioner does not allocate: no link to change the allocation.
    expect(page.body).not.toContain(`href="/children/${child}/allocation"`);
    expect(await personViews(worker.id, child)).toBe(before + 1);

    const managerPage = await (await signedInAs(app, deps, manager.id)).get(`/children/${child}/help`);
    expect(managerPage.body).toContain(`href="/children/${child}/allocation"`);
  });

  it('adds a Help section to the child’s page, which stays one audited view', async () => {
    const { child } = await childWithHelp({ given: 'Sky' });
    const browser = await signedInAs(app, deps, worker.id);
    const before = await personViews(worker.id, child);
    const page = await browser.get(`/children/${child}`);
    expectPage(page);
    expect(page.body).toContain('id="help"');
    expect(page.body).toContain('Family help since 2 February 2026');
    for (const path of [
      'help',
      'chronology',
      'visits/new',
      'notes/new',
      'assessments',
      'plans',
      'documents',
      'practical-help',
    ]) {
      expect(page.body, path).toContain(`href="/children/${child}/${path}"`);
    }
    expect(page.body).toContain(`href="/front-door/requests/new?child=${child}"`);
    expect(await personViews(worker.id, child)).toBe(before + 1);
  });

  it('is not found for a worker in another team, on every page and form of the help record', async () => {
    const { child, episodeId } = await childWithHelp({});
    const browser = await signedInAs(app, deps, outsider.id);
    for (const url of [
      `/children/${child}/help`,
      `/children/${child}/help/step`,
      `/children/${child}/help/close`,
      `/children/${child}/allocation`,
    ]) {
      expectGovukErrorPage(await browser.get(url), 404, 'Page not found');
    }
    const home = await browser.get('/work-tray');
    const csrf = csrfFrom(home.body);
    const posts: [string, Record<string, string>][] = [
      [`/children/${child}/help/step`, { episodeId, version: '1', to: 'assessment', reason: 'x' }],
      [`/children/${child}/help/close`, { episodeId, version: '1', closureReason: 'RC7', note: 'x' }],
      [`/children/${child}/allocation`, { step: 'team', teamId: world.teamB }],
      [
        `/children/${child}/allocation`,
        { step: 'confirm', teamId: world.teamB, workerId: outsider.id, role: 'social_worker' },
      ],
    ];
    for (const [url, form] of posts) {
      expectGovukErrorPage(await browser.post(url, form, { csrf }), 404, 'Page not found');
    }
    // The manager of the other team cannot allocate the child either.
    const otherManager = await signedInAs(app, deps, outsideManager.id);
    expectGovukErrorPage(await otherManager.get(`/children/${child}/allocation`), 404);
    expect((await episode(episodeId)).version).toBe(1);
    // The child's page shows no Help section to someone without the help record in scope.
    const page = await browser.get(`/children/${child}`);
    expect(page.body).not.toContain('id="help"');
  });
});

describe('stepping up and down', () => {
  it('checks the form, then steps up into child in need with a CIN referral, chronology and audit', async () => {
    const { child, episodeId } = await childWithHelp({});
    const browser = await signedInAs(app, deps, worker.id);
    const form = await browser.get(`/children/${child}/help/step`);
    expectPage(form);
    expect(form.body).toContain('name="referralSource"');
    expect(form.body).not.toContain('value="care_leaver"'); // only a looked-after child becomes a care leaver
    // The census's order of referral sources (1A … 3F, 4, 5A …), not the object key order.
    expect(form.body.indexOf('value="1A"')).toBeLessThan(form.body.indexOf('value="4"'));
    expect(form.body.indexOf('value="4"')).toBeLessThan(form.body.indexOf('value="5A"'));
    const csrf = csrfFrom(form.body);
    const base = { episodeId: hidden(form.body, 'episodeId'), version: hidden(form.body, 'version') };

    const empty = await browser.post(`/children/${child}/help/step`, base, { csrf });
    expectPage(empty, 400);
    expect(summaryLinks(empty.body)).toEqual(['#to', '#changedOn-day', '#reason']);

    const future = await browser.post(
      `/children/${child}/help/step`,
      {
        ...base,
        to: 'child_in_need',
        'changedOn-day': '11',
        'changedOn-month': '3',
        'changedOn-year': '2026',
        reason: 'An assessment found Robin needs more help',
      },
      { csrf },
    );
    expectPage(future, 400);
    expect(future.body).toContain('The date of the change must be today or in the past');
    expect(future.body).toContain('Choose who the referral came from');
    expect(future.body).toContain('Choose the child’s main need');
    expect(summaryLinks(future.body)).toEqual(['#changedOn-day', '#referralSource', '#primaryNeed']);
    // What was typed is kept.
    expect(future.body).toContain('An assessment found Robin needs more help');
    expect(future.body).toMatch(/value="child_in_need" checked/);

    const early = await browser.post(
      `/children/${child}/help/step`,
      {
        ...base,
        to: 'child_in_need',
        'changedOn-day': '1',
        'changedOn-month': '2',
        'changedOn-year': '2026',
        reason: 'x',
        referralSource: '2A',
        primaryNeed: 'N4',
      },
      { csrf },
    );
    expectPage(early, 400);
    expect(early.body).toContain('must be on or after 2 February 2026');

    const done = await browser.post(
      `/children/${child}/help/step`,
      {
        ...base,
        to: 'child_in_need',
        'changedOn-day': '10',
        'changedOn-month': '3',
        'changedOn-year': '2026',
        reason: 'An assessment found Robin needs more help',
        referralSource: '2A',
        primaryNeed: 'N1',
      },
      { csrf },
    );
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/children/${child}/help`);
    expect(await episode(episodeId)).toMatchObject({
      status: 'child_in_need',
      status_since: '2026-03-10',
      version: 2,
    });
    const referral = await deps.db
      .selectFrom('cin_referrals')
      .selectAll()
      .where('episode_id', '=', episodeId)
      .executeTakeFirstOrThrow();
    expect(referral).toMatchObject({
      referral_date: '2026-03-10',
      referral_source: '2A',
      primary_need: 'N1',
      closed_on: null,
    });
    expect(await count(handle, 'chronology_entries', { person_id: child, event: 'status.changed' })).toBe(1);
    const audit = await deps.db
      .selectFrom('audit_log')
      .select(['detail'])
      .where('action', '=', 'help.status_changed')
      .where('entity_id', '=', episodeId)
      .executeTakeFirstOrThrow();
    expect(audit.detail).toMatchObject({
      from: 'family_help',
      to: 'child_in_need',
      cinReferralId: referral.id,
    });
    const page = await browser.get(`/children/${child}/help`);
    expect(page.body).toContain('Family help to Child in need');

    // Stepping down closes the referral (RC7: after a plan, not straight after an assessment).
    const downForm = await browser.get(`/children/${child}/help/step`);
    expect(downForm.body).not.toContain('name="referralSource"');
    expect(downForm.body).toContain('(RC7)');
    const down = await browser.post(
      `/children/${child}/help/step`,
      {
        episodeId: hidden(downForm.body, 'episodeId'),
        version: hidden(downForm.body, 'version'),
        to: 'family_help',
        'changedOn-day': '10',
        'changedOn-month': '3',
        'changedOn-year': '2026',
        reason: 'Things are better at home; family help continues',
      },
      { csrf: csrfFrom(downForm.body) },
    );
    expect(down.statusCode).toBe(303);
    expect(
      await deps.db
        .selectFrom('cin_referrals')
        .select(['closed_on', 'closure_reason'])
        .where('id', '=', referral.id)
        .executeTakeFirstOrThrow(),
    ).toEqual({ closed_on: '2026-03-10', closure_reason: 'RC7' });
    expect((await episode(episodeId)).status).toBe('family_help');
  });

  it('shows the conflict page, with both versions, when the episode moved on since the form was opened', async () => {
    const { child, episodeId } = await childWithHelp({ status: 'child_in_need' });
    const first = await signedInAs(app, deps, worker.id);
    const second = await signedInAs(app, deps, colleague.id);
    const formA = await first.get(`/children/${child}/help/step`);
    const formB = await second.get(`/children/${child}/help/step`);
    const date = { 'changedOn-day': '10', 'changedOn-month': '3', 'changedOn-year': '2026' };
    const saved = await first.post(
      `/children/${child}/help/step`,
      {
        episodeId,
        version: hidden(formA.body, 'version'),
        to: 'child_protection',
        ...date,
        reason: 'A strategy discussion decided on a plan',
      },
      { csrf: csrfFrom(formA.body) },
    );
    expect(saved.statusCode).toBe(303);
    const late = await second.post(
      `/children/${child}/help/step`,
      {
        episodeId,
        version: hidden(formB.body, 'version'),
        to: 'family_help',
        ...date,
        reason: 'Stepping down to family help',
      },
      { csrf: csrfFrom(formB.body) },
    );
    expectGovukErrorPage(late, 409, 'Someone else changed this record');
    expect(late.body).toContain('Child protection'); // saved by the first
    expect(late.body).toContain('Family help'); // yours
    expect(late.body).toContain('A strategy discussion decided on a plan');
    expect(late.body).toContain('Stepping down to family help');
    expect(late.body).toContain(`href="/children/${child}/help"`);
    // The first save is intact.
    expect(await episode(episodeId)).toMatchObject({ status: 'child_protection', version: 2 });
  });
});

describe('closing', () => {
  it('needs a reason, a note and a date; RC8 needs an assessment; closing completes tasks and writes the audit', async () => {
    const { child, episodeId } = await childWithHelp({ status: 'child_in_need' });
    const task = await openTask(deps.db, {
      organisationId: world.organisationId,
      personId: child,
      episodeId,
      kind: 'visit_due',
      title: 'Visit',
      dueOn: '2026-03-20',
      assignedUserId: worker.id,
      assignedTeamId: world.teamA,
      sourceType: 'help_episode',
      sourceId: episodeId,
    });
    const browser = await signedInAs(app, deps, worker.id);
    const form = await browser.get(`/children/${child}/help/close`);
    expectPage(form);
    expect(form.body).toContain('Closed after assessment: no further action (RC8)');
    expect(form.body).toContain('Closing will complete 1 open task');
    const csrf = csrfFrom(form.body);
    const base = { episodeId, version: hidden(form.body, 'version') };

    const empty = await browser.post(`/children/${child}/help/close`, base, { csrf });
    expectPage(empty, 400);
    expect(summaryLinks(empty.body)).toEqual(['#closureReason', '#closedOn-day', '#note']);

    const date = { 'closedOn-day': '9', 'closedOn-month': '3', 'closedOn-year': '2026' };
    const rc8 = await browser.post(
      `/children/${child}/help/close`,
      { ...base, closureReason: 'RC8', note: 'No further help needed', ...date },
      { csrf },
    );
    expectPage(rc8, 400);
    expect(rc8.body).toContain('needs an assessment in this help');

    const closed = await browser.post(
      `/children/${child}/help/close`,
      { ...base, closureReason: 'RC7', note: 'Robin and the family no longer need help from us', ...date },
      { csrf },
    );
    expect(closed.statusCode).toBe(303);
    expect(await episode(episodeId)).toMatchObject({
      status: 'closed',
      closed_on: '2026-03-09',
      closure_reason: 'RC7',
      closure_note: 'Robin and the family no longer need help from us',
    });
    const taskRow = await deps.db
      .selectFrom('tasks')
      .select(['completed_at'])
      .where('id', '=', task)
      .executeTakeFirstOrThrow();
    expect(taskRow.completed_at).not.toBeNull();
    expect(await count(handle, 'audit_log', { action: 'help.closed', entity_id: episodeId })).toBe(1);
    const page = await browser.get(`/children/${child}/help`);
    expect(page.body).toContain('Help ended for any other reason, including no longer in need (RC7)');
    expect(page.body).not.toContain(`href="/children/${child}/help/step"`);
    // No open episode: nothing to step up, down or close, and the way to ask for help again.
    for (const path of ['close', 'step']) {
      const none = await browser.get(`/children/${child}/help/${path}`);
      expectPage(none);
      expect(none.body).toContain('Robin has no open help');
      expect(none.body).toContain(`href="/front-door/requests/new?child=${child}"`);
      expect(none.body).not.toContain('name="episodeId"');
    }
  });

  it('shows the conflict page when the help was closed by someone else first', async () => {
    const { child, episodeId } = await childWithHelp({});
    const first = await signedInAs(app, deps, worker.id);
    const second = await signedInAs(app, deps, colleague.id);
    const formA = await first.get(`/children/${child}/help/close`);
    const formB = await second.get(`/children/${child}/help/close`);
    const date = { 'closedOn-day': '10', 'closedOn-month': '3', 'closedOn-year': '2026' };
    expect(
      (
        await first.post(
          `/children/${child}/help/close`,
          {
            episodeId,
            version: hidden(formA.body, 'version'),
            closureReason: 'RC7',
            note: 'First closing note',
            ...date,
          },
          { csrf: csrfFrom(formA.body) },
        )
      ).statusCode,
    ).toBe(303);
    const late = await second.post(
      `/children/${child}/help/close`,
      {
        episodeId,
        version: hidden(formB.body, 'version'),
        closureReason: 'RC5',
        note: 'Second closing note',
        ...date,
      },
      { csrf: csrfFrom(formB.body) },
    );
    expectGovukErrorPage(late, 409);
    expect(late.body).toContain('First closing note');
    expect(late.body).toContain('Second closing note');
    expect(await episode(episodeId)).toMatchObject({
      closure_reason: 'RC7',
      closure_note: 'First closing note',
    });
  });
});

describe('allocation', () => {
  it('warns how many workers the child has had, then records the change with its reason', async () => {
    const { child, episodeId } = await childWithHelp({});
    const allocateTask = await openTask(deps.db, {
      organisationId: world.organisationId,
      personId: child,
      episodeId,
      kind: 'allocate_worker',
      title: 'Choose a lead practitioner',
      dueOn: '2026-03-12',
      assignedUserId: null,
      assignedTeamId: world.teamA,
      sourceType: 'help_episode',
      sourceId: episodeId,
    });
    const visitTask = await openTask(deps.db, {
      organisationId: world.organisationId,
      personId: child,
      episodeId,
      kind: 'visit_due',
      title: 'Visit',
      dueOn: '2026-03-20',
      assignedUserId: worker.id,
      assignedTeamId: world.teamA,
      sourceType: 'help_episode',
      sourceId: episodeId,
    });
    const browser = await signedInAs(app, deps, manager.id);
    const first = await browser.get(`/children/${child}/allocation`);
    expectPage(first);
    expect(first.body).toContain('Team A');
    expect(first.body).toContain('Team B');
    const csrf = csrfFrom(first.body);
    const currentAllocationId = hidden(first.body, 'currentAllocationId');
    expect(currentAllocationId).not.toBe('');

    const noTeam = await browser.post(
      `/children/${child}/allocation`,
      { step: 'team', currentAllocationId },
      { csrf },
    );
    expectPage(noTeam, 400);
    expect(summaryLinks(noTeam.body)).toEqual(['#teamId']);

    const details = await browser.post(
      `/children/${child}/allocation`,
      { step: 'team', currentAllocationId, teamId: world.teamA },
      { csrf },
    );
    expectPage(details);
    expect(details.body).toContain(`value="${colleague.id}"`);
    expect(details.body).not.toContain(`value="${outsider.id}"`); // not a member of Team A
    expect(details.body).toContain('name="changeReason"');

    const form = {
      step: 'details',
      currentAllocationId,
      teamId: world.teamA,
      workerId: colleague.id,
      role: 'family_help_worker',
    };
    const noReason = await browser.post(`/children/${child}/allocation`, form, { csrf });
    expectPage(noReason, 400);
    expect(summaryLinks(noReason.body)).toEqual(['#changeReason', '#changeNote']);

    const notMember = await browser.post(
      `/children/${child}/allocation`,
      { ...form, workerId: outsider.id, changeReason: 'MANAGE', changeNote: 'x' },
      { csrf },
    );
    expectPage(notMember, 400);
    expect(notMember.body).toContain('Choose the lead practitioner from Team A');

    const withReason = { ...form, changeReason: 'LEFTRL', changeNote: 'Your worker has moved to a new job.' };
    const confirm = await browser.post(`/children/${child}/allocation`, withReason, { csrf });
    expectPage(confirm);
    expect(confirm.body).toContain('Robin Helpchild has had 1 worker in the last 12 months.');
    expect(confirm.body).toContain('The worker left their role');
    // Nothing is saved until the change is confirmed.
    expect(await count(handle, 'allocations', { person_id: child })).toBe(1);

    const saved = await browser.post(
      `/children/${child}/allocation`,
      { ...withReason, step: 'confirm', currentAllocationId: hidden(confirm.body, 'currentAllocationId') },
      { csrf: csrfFrom(confirm.body) },
    );
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`/children/${child}/help`);

    const active = await deps.db
      .selectFrom('allocations')
      .selectAll()
      .where('person_id', '=', child)
      .where('ended_at', 'is', null)
      .execute();
    expect(active).toHaveLength(1);
    expect(active[0]).toMatchObject({
      team_id: world.teamA,
      worker_user_id: colleague.id,
      practitioner_role: 'family_help_worker',
      change_reason: 'LEFTRL',
      change_note: 'Your worker has moved to a new job.',
      allocated_by: manager.id,
      episode_id: episodeId,
    });
    const tasks = await deps.db
      .selectFrom('tasks')
      .select(['id', 'completed_at', 'assigned_user_id'])
      .where('id', 'in', [allocateTask, visitTask])
      .execute();
    expect(tasks.find((t) => t.id === allocateTask)?.completed_at).not.toBeNull();
    // The old worker's visit goes to the new worker.
    expect(tasks.find((t) => t.id === visitTask)).toMatchObject({
      completed_at: null,
      assigned_user_id: colleague.id,
    });
    const entry = await deps.db
      .selectFrom('chronology_entries')
      .select('summary')
      .where('person_id', '=', child)
      .where('event', '=', 'allocation.changed')
      .executeTakeFirstOrThrow();
    expect(entry.summary).toMatch(
      /^Your new worker is Staff Member \d+ \(family help worker\), in Team A\.$/,
    );
    expect(await count(handle, 'audit_log', { action: 'help.allocated', entity_id: child })).toBe(1);

    // The episode page shows the history with the reason; the next change warns of 2 workers.
    const page = await browser.get(`/children/${child}/help`);
    expect(page.body).toContain('The worker left their role');
    expect(page.body).toContain('Your worker has moved to a new job.');
    const again = await browser.get(`/children/${child}/allocation`);
    const next = await browser.post(
      `/children/${child}/allocation`,
      {
        step: 'details',
        currentAllocationId: hidden(again.body, 'currentAllocationId'),
        teamId: world.teamA,
        workerId: worker.id,
        role: 'social_worker',
        changeReason: 'PCCHAN',
        changeNote: 'Your mum asked for a change.',
      },
      { csrf: csrfFrom(again.body) },
    );
    expect(next.body).toContain('has had 2 workers in the last 12 months.');
  });

  it('moving the child to another team without a worker opens a task for that team and leaves the manager’s scope', async () => {
    const { child } = await childWithHelp({ workerId: null });
    const browser = await signedInAs(app, deps, manager.id);
    const first = await browser.get(`/children/${child}/allocation`);
    const saved = await browser.post(
      `/children/${child}/allocation`,
      {
        step: 'details',
        currentAllocationId: hidden(first.body, 'currentAllocationId'),
        teamId: world.teamB,
        workerId: 'none',
      },
      { csrf: csrfFrom(first.body) },
    );
    // No worker was replaced, so no warning step: saved at once.
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/work-tray/team');
    const task = await deps.db
      .selectFrom('tasks')
      .select(['kind', 'assigned_team_id', 'assigned_user_id', 'due_on', 'completed_at'])
      .where('person_id', '=', child)
      .executeTakeFirstOrThrow();
    // 2 working days after Tuesday 10 March 2026 (TIMESCALES.allocateWorkerWorkingDays).
    expect(task).toEqual({
      kind: 'allocate_worker',
      assigned_team_id: world.teamB,
      assigned_user_id: null,
      due_on: '2026-03-12',
      completed_at: null,
    });
    expectGovukErrorPage(await browser.get(`/children/${child}/help`), 404);
    // Team B's manager now allocates the child.
    const theirs = await signedInAs(app, deps, outsideManager.id);
    expectPage(await theirs.get(`/children/${child}/allocation`));
  });

  it('is refused to practitioners, and shows the conflict page when someone else changed the allocation first', async () => {
    const { child } = await childWithHelp({});
    expectGovukErrorPage(
      await (await signedInAs(app, deps, worker.id)).get(`/children/${child}/allocation`),
      404,
    );

    const secondManager = await world.user({ roles: ['team_manager'], teamIds: [world.teamA] });
    const a = await signedInAs(app, deps, manager.id);
    const b = await signedInAs(app, deps, secondManager.id);
    const formA = await a.get(`/children/${child}/allocation`);
    const formB = await b.get(`/children/${child}/allocation`);
    const change = {
      step: 'confirm',
      teamId: world.teamA,
      role: 'social_worker',
      changeReason: 'MANAGE',
      changeNote: 'Balancing the team’s work',
    };
    const first = await a.post(
      `/children/${child}/allocation`,
      { ...change, workerId: colleague.id, currentAllocationId: hidden(formA.body, 'currentAllocationId') },
      { csrf: csrfFrom(formA.body) },
    );
    expect(first.statusCode).toBe(303);
    const late = await b.post(
      `/children/${child}/allocation`,
      {
        ...change,
        workerId: secondManager.id,
        currentAllocationId: hidden(formB.body, 'currentAllocationId'),
      },
      { csrf: csrfFrom(formB.body) },
    );
    expectGovukErrorPage(late, 409);
    const current = await deps.db
      .selectFrom('allocations')
      .select('worker_user_id')
      .where('person_id', '=', child)
      .where('ended_at', 'is', null)
      .execute();
    expect(current).toEqual([{ worker_user_id: colleague.id }]);
  });
});
