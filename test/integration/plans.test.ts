import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { openOrContinueEpisode } from '../../src/modules/help/episodes.ts';
import type { EpisodeStatus } from '../../src/modules/help/help.table.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { appWithRouteTable, expectGovukErrorPage } from '../support/app-helpers.ts';
import { openTestDb } from '../support/db.ts';
import { makeWorld, testClock, testDeps, type TestClock, type TestUser } from '../support/world.ts';
import { staffPages, versionOf } from '../support/staff-pages.ts';

let handle: DbHandle;
let app: FastifyInstance;
let deps: Deps;
let clock: TestClock;
let world: Awaited<ReturnType<typeof makeWorld>>;
let worker: TestUser;
let manager: TestUser;
let outsider: TestUser;
let leader: TestUser;

beforeAll(async () => {
  handle = await openTestDb();
  clock = testClock(new Date('2026-12-01T10:00:00Z'));
  deps = testDeps(handle, { clock });
  world = await makeWorld(deps);
  ({ app } = await appWithRouteTable(deps));
  worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
  manager = await world.user({ roles: ['team_manager'], teamIds: [world.teamA] });
  outsider = await world.user({ roles: ['practitioner'], teamIds: [world.teamB] });
  leader = await world.user({ roles: ['senior_leader'] });
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

const pages = staffPages(() => ({ app, deps }));
const { get, send } = pages;

function moveClock(at: string): void {
  clock.set(new Date(at));
  pages.forget();
}

async function childWithEpisode(status: Exclude<EpisodeStatus, 'closed'>, given: string) {
  const childId = await world.child({ teamId: world.teamA, workerId: worker.id, given, family: 'Planned' });
  const episode = await deps.db.transaction().execute((trx) =>
    openOrContinueEpisode(trx, {
      organisationId: world.organisationId,
      personId: childId,
      status,
      on: '2026-11-02',
      reason: 'Front door decision',
      actorUserId: manager.id,
      ...(status === 'family_help' ? {} : { referral: { source: '2A', primaryNeed: 'N4' } }),
    }),
  );
  return { childId, episodeId: episode.episodeId, cinReferralId: episode.cinReferralId };
}

async function planRow(id: string) {
  return deps.db.selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function episodeRow(id: string) {
  return deps.db.selectFrom('help_episodes').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function createPlan(childId: string, kind: string): Promise<string> {
  const created = await send(worker, `/children/${childId}/plans`, { kind });
  expect(created.statusCode, created.body.slice(0, 400)).toBe(303);
  const match = /\/plans\/([0-9a-f-]{36})\?done=created$/.exec(created.headers.location ?? '');
  if (!match?.[1]) throw new Error(`Unexpected redirect ${String(created.headers.location)}`);
  return match[1];
}

async function addGoal(childId: string, planId: string, goal: string, who: string): Promise<void> {
  const added = await send(worker, `/children/${childId}/plans/${planId}/goals`, {
    goal,
    who,
    'byWhen-day': '31',
    'byWhen-month': '3',
    'byWhen-year': '2027',
    progress: '',
  });
  expect(added.statusCode, added.body.slice(0, 400)).toBe(303);
}

async function writeWords(childId: string, planId: string, familyWords: string): Promise<void> {
  const edit = await get(worker, `/children/${childId}/plans/${planId}/edit`);
  expect(edit.body).toContain('value="91"');
  const saved = await send(worker, `/children/${childId}/plans/${planId}/edit`, {
    familyWords,
    childWords: 'I want my own bed.',
    reviewIntervalDays: '91',
    version: versionOf(edit.body),
  });
  expect(saved.statusCode, saved.body.slice(0, 400)).toBe(303);
}

async function goalsOf(planId: string) {
  return deps.db
    .selectFrom('plan_goals')
    .selectAll()
    .where('plan_id', '=', planId)
    .orderBy('position')
    .execute();
}

describe('a child in need plan written with the family', () => {
  it('has goals in the family’s words, starts (moving the same episode to child in need) and is reviewed', async () => {
    moveClock('2026-12-01T10:00:00Z');
    const { childId, episodeId, cinReferralId } = await childWithEpisode('assessment', 'Robin');
    const base = `/children/${childId}/plans`;
    expect((await get(worker, `${base}/new`)).statusCode).toBe(200);
    const noKind = await send(worker, base, { kind: '' });
    expect(noKind.statusCode).toBe(400);
    expect(noKind.body).toContain('href="#kind"');
    const planId = await createPlan(childId, 'child_in_need');
    expect(await planRow(planId)).toMatchObject({
      status: 'draft',
      kind: 'child_in_need',
      review_interval_days: 91,
    });

    // Starting needs goals and the family's words; the date typed is kept.
    const early = await send(worker, `${base}/${planId}/start`, {
      'startedOn-day': '1',
      'startedOn-month': '12',
      'startedOn-year': '2026',
      version: '1',
    });
    expect(early.statusCode).toBe(400);
    expect(early.body).toContain('href="#goals"');
    expect(early.body).toContain('Add at least one goal before the plan starts');
    expect(early.body).toContain('href="#familyWords"');
    expect(early.body).toMatch(/name="startedOn-year"[^>]*value="2026"/);
    expect((await episodeRow(episodeId)).status).toBe('assessment');

    // Goals one at a time: add, a refused one keeps what was typed, change, remove.
    const blank = await send(worker, `${base}/${planId}/goals`, {
      goal: 'The children get to school on time',
      who: '',
      'byWhen-day': '31',
      'byWhen-month': '13',
      'byWhen-year': '2027',
    });
    expect(blank.statusCode).toBe(400);
    expect(blank.body).toContain('href="#who"');
    expect(blank.body).toContain('By when must be a real date');
    expect(blank.body).toContain('The children get to school on time');
    await addGoal(
      childId,
      planId,
      'The children get to school on time every day',
      'Mum: alarm and packed bags. Worker: a bus pass.',
    );
    await addGoal(
      childId,
      planId,
      'The flat is warm this winter',
      'Worker: apply for the household support fund.',
    );
    await addGoal(childId, planId, 'A goal we agreed to drop', 'Nobody');
    let goals = await goalsOf(planId);
    expect(goals.map((g) => [g.position, g.goal, g.by_when, g.progress])).toEqual([
      [1, 'The children get to school on time every day', '2027-03-31', 'not_started'],
      [2, 'The flat is warm this winter', '2027-03-31', 'not_started'],
      [3, 'A goal we agreed to drop', '2027-03-31', 'not_started'],
    ]);
    const goalEdit = await get(worker, `${base}/${planId}/goals/${goals[1]?.id ?? ''}/edit`);
    expect(goalEdit.body).toContain('The flat is warm this winter');
    const changed = await send(worker, `${base}/${planId}/goals/${goals[1]?.id ?? ''}/edit`, {
      goal: 'The flat is warm this winter',
      who: 'Worker: apply for the household support fund. Mum: call the energy company.',
      'byWhen-day': '',
      'byWhen-month': '',
      'byWhen-year': '',
      progress: 'in_progress',
      version: versionOf(goalEdit.body),
    });
    expect(changed.statusCode).toBe(303);
    const removePage = await get(worker, `${base}/${planId}/goals/${goals[2]?.id ?? ''}/remove`);
    expect(removePage.body).toContain('A goal we agreed to drop');
    const removed = await send(worker, `${base}/${planId}/goals/${goals[2]?.id ?? ''}/remove`, {
      version: versionOf(removePage.body),
    });
    expect(removed.statusCode).toBe(303);
    goals = await goalsOf(planId);
    expect(goals).toHaveLength(2);
    expect(goals[1]).toMatchObject({ by_when: null, progress: 'in_progress', version: 2 });

    await writeWords(childId, planId, 'We want the mornings to be calmer and the flat to be warm.');
    const view = await get(worker, `${base}/${planId}`);
    expect(view.body).toContain('We want the mornings to be calmer and the flat to be warm.');
    expect(view.body).toContain('Goal 1: The children get to school on time every day');
    expect(view.body).not.toContain('A goal we agreed to drop');

    // Start: the one episode moves to child in need (no new episode), under the same CIN referral.
    const startPage = await get(worker, `${base}/${planId}/start`);
    expect(startPage.body).toContain('moves Robin Planned’s help from assessment to child in need');
    expect(startPage.body).not.toContain('name="referralSource"');
    const started = await send(worker, `${base}/${planId}/start`, {
      'startedOn-day': '1',
      'startedOn-month': '12',
      'startedOn-year': '2026',
      version: versionOf(startPage.body),
    });
    expect(started.statusCode, started.body.slice(0, 600)).toBe(303);
    expect(started.headers.location).toBe(`${base}/${planId}?done=moved`);
    expect(await planRow(planId)).toMatchObject({
      status: 'active',
      started_on: '2026-12-01',
      next_review_on: '2027-03-02',
      cin_referral_id: cinReferralId,
    });
    expect(await episodeRow(episodeId)).toMatchObject({
      status: 'child_in_need',
      status_since: '2026-12-01',
      closed_on: null,
    });
    const episodes = await deps.db
      .selectFrom('help_episodes')
      .select('id')
      .where('person_id', '=', childId)
      .execute();
    expect(episodes).toHaveLength(1);
    const referrals = await deps.db
      .selectFrom('cin_referrals')
      .select('id')
      .where('episode_id', '=', episodeId)
      .execute();
    expect(referrals).toHaveLength(1);
    const change = await deps.db
      .selectFrom('episode_status_changes')
      .selectAll()
      .where('episode_id', '=', episodeId)
      .where('to_status', '=', 'child_in_need')
      .executeTakeFirstOrThrow();
    expect(change).toMatchObject({
      from_status: 'assessment',
      changed_on: '2026-12-01',
      changed_by: worker.id,
    });
    const firstTask = await deps.db
      .selectFrom('tasks')
      .selectAll()
      .where('source_id', '=', planId)
      .where('kind', '=', 'plan_review_due')
      .executeTakeFirstOrThrow();
    expect(firstTask).toMatchObject({
      due_on: '2027-03-02',
      assigned_user_id: worker.id,
      assigned_team_id: world.teamA,
      completed_at: null,
    });

    // A review needs the family's view; what was typed is kept.
    moveClock('2027-02-25T10:00:00Z');
    const reviewPage = await get(worker, `${base}/${planId}/reviews/new`);
    expect(reviewPage.statusCode).toBe(200);
    const noFamily = await send(worker, `${base}/${planId}/reviews`, {
      'reviewedOn-day': '25',
      'reviewedOn-month': '2',
      'reviewedOn-year': '2027',
      familyView: '  ',
      childView: 'The flat is warmer now.',
      progressSummary: 'School every day this half term.',
      decision: 'continue',
      'nextReviewOn-day': '27',
      'nextReviewOn-month': '5',
      'nextReviewOn-year': '2027',
      version: versionOf(reviewPage.body),
    });
    expect(noFamily.statusCode).toBe(400);
    expect(noFamily.body).toContain('href="#familyView"');
    expect(noFamily.body).toContain('Enter what the family said at the review');
    expect(noFamily.body).toContain('School every day this half term.');
    const reviewed = await send(worker, `${base}/${planId}/reviews`, {
      'reviewedOn-day': '25',
      'reviewedOn-month': '2',
      'reviewedOn-year': '2027',
      familyView: 'Mum says mornings are calmer and she feels listened to.',
      childView: 'The flat is warmer now.',
      progressSummary: 'School every day this half term.',
      decision: 'continue',
      'nextReviewOn-day': '27',
      'nextReviewOn-month': '5',
      'nextReviewOn-year': '2027',
      version: versionOf(reviewPage.body),
    });
    expect(reviewed.statusCode, reviewed.body.slice(0, 600)).toBe(303);
    const review = await deps.db
      .selectFrom('plan_reviews')
      .selectAll()
      .where('plan_id', '=', planId)
      .executeTakeFirstOrThrow();
    expect(review).toMatchObject({
      reviewed_on: '2027-02-25',
      family_view: 'Mum says mornings are calmer and she feels listened to.',
      decision: 'continue',
      next_review_on: '2027-05-27',
      recorded_by: worker.id,
    });
    expect((await planRow(planId)).next_review_on).toBe('2027-05-27');
    const reviewTasks = await deps.db
      .selectFrom('tasks')
      .select(['due_on', 'completed_at'])
      .where('source_id', '=', planId)
      .where('kind', '=', 'plan_review_due')
      .orderBy('due_on')
      .execute();
    expect(reviewTasks.map((t) => [t.due_on, t.completed_at === null])).toEqual([
      ['2027-03-02', false],
      ['2027-05-27', true],
    ]);
    const shown = await get(worker, `${base}/${planId}`);
    expect(shown.body).toContain('Mum says mornings are calmer and she feels listened to.');

    // Ending it: the plan ends, the review task is done, the episode carries on.
    const endPage = await get(worker, `${base}/${planId}/end`);
    const ended = await send(worker, `${base}/${planId}/end`, {
      'endedOn-day': '25',
      'endedOn-month': '2',
      'endedOn-year': '2027',
      reason: 'The goals are met and the family want to carry on without us.',
      version: versionOf(endPage.body),
    });
    expect(ended.statusCode).toBe(303);
    expect(await planRow(planId)).toMatchObject({
      status: 'ended',
      ended_on: '2027-02-25',
      next_review_on: null,
    });
    expect(await episodeRow(episodeId)).toMatchObject({ status: 'child_in_need', closed_on: null });
    const open = await deps.db
      .selectFrom('tasks')
      .select('id')
      .where('source_id', '=', planId)
      .where('completed_at', 'is', null)
      .execute();
    expect(open).toHaveLength(0);

    const chronology = await deps.db
      .selectFrom('chronology_entries')
      .select('event')
      .where('source_id', '=', planId)
      .orderBy('created_at')
      .execute();
    expect(chronology.map((c) => c.event)).toEqual(['plan.started', 'plan.reviewed', 'plan.ended']);
    const audit = await deps.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_type', '=', 'plan')
      .where('entity_id', '=', planId)
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'plan.create',
      'plan.goal_add',
      'plan.goal_add',
      'plan.goal_add',
      'plan.goal_update',
      'plan.goal_remove',
      'plan.update',
      'plan.start',
      'plan.review',
      'plan.end',
    ]);
  });

  it('starting from family help asks for the referral and starts one; a family help plan never steps down', async () => {
    moveClock('2026-12-01T10:00:00Z');
    const fromFamilyHelp = await childWithEpisode('family_help', 'Sam');
    const base = `/children/${fromFamilyHelp.childId}/plans`;
    const planId = await createPlan(fromFamilyHelp.childId, 'child_in_need');
    await addGoal(
      fromFamilyHelp.childId,
      planId,
      'Sam has a safe place to sleep',
      'Worker: a bed from the furniture scheme.',
    );
    await writeWords(fromFamilyHelp.childId, planId, 'We need help now.');
    const startPage = await get(worker, `${base}/${planId}/start`);
    expect(startPage.body).toContain('name="referralSource"');
    const missing = await send(worker, `${base}/${planId}/start`, {
      'startedOn-day': '1',
      'startedOn-month': '12',
      'startedOn-year': '2026',
      referralSource: '',
      primaryNeed: 'N7',
      version: versionOf(startPage.body),
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('href="#referralSource"');
    expect(missing.body).toMatch(/value="N7" selected/);
    const started = await send(worker, `${base}/${planId}/start`, {
      'startedOn-day': '1',
      'startedOn-month': '12',
      'startedOn-year': '2026',
      referralSource: '5D',
      primaryNeed: 'N7',
      version: versionOf(startPage.body),
    });
    expect(started.statusCode).toBe(303);
    expect((await episodeRow(fromFamilyHelp.episodeId)).status).toBe('child_in_need');
    const referral = await deps.db
      .selectFrom('cin_referrals')
      .selectAll()
      .where('episode_id', '=', fromFamilyHelp.episodeId)
      .executeTakeFirstOrThrow();
    expect(referral).toMatchObject({
      referral_date: '2026-12-01',
      referral_source: '5D',
      primary_need: 'N7',
      closed_on: null,
    });
    expect((await planRow(planId)).cin_referral_id).toBe(referral.id);

    // A family help plan while the child is in children's social care: the status stays.
    const statutory = await childWithEpisode('child_in_need', 'Ash');
    const fhPlan = await createPlan(statutory.childId, 'family_help');
    await addGoal(statutory.childId, fhPlan, 'Mum gets to the parenting group', 'Mum');
    await writeWords(statutory.childId, fhPlan, 'The group helps.');
    const fhStart = await get(worker, `/children/${statutory.childId}/plans/${fhPlan}/start`);
    const fhStarted = await send(worker, `/children/${statutory.childId}/plans/${fhPlan}/start`, {
      'startedOn-day': '1',
      'startedOn-month': '12',
      'startedOn-year': '2026',
      version: versionOf(fhStart.body),
    });
    expect(fhStarted.statusCode).toBe(303);
    expect(fhStarted.headers.location).toContain('done=started');
    expect(await planRow(fhPlan)).toMatchObject({ status: 'active', cin_referral_id: null });
    expect((await episodeRow(statutory.episodeId)).status).toBe('child_in_need');
    // Only one plan of a kind at a time.
    const second = await send(worker, `/children/${statutory.childId}/plans`, { kind: 'family_help' });
    expect(second.statusCode).toBe(400);
    expect(second.body).toContain('already has a family help plan');
  });

  it('shows the second of two people changing the same plan both versions, and keeps the first', async () => {
    moveClock('2026-12-01T10:00:00Z');
    const { childId } = await childWithEpisode('child_in_need', 'Jo');
    const base = `/children/${childId}/plans`;
    const planId = await createPlan(childId, 'child_in_need');
    const mine = await get(worker, `${base}/${planId}/edit`);
    const theirs = await get(manager, `${base}/${planId}/edit`);
    const first = await send(worker, `${base}/${planId}/edit`, {
      familyWords: 'Dad says the plan is fair.',
      childWords: '',
      reviewIntervalDays: '91',
      version: versionOf(mine.body),
    });
    expect(first.statusCode).toBe(303);
    const second = await send(manager, `${base}/${planId}/edit`, {
      familyWords: 'Dad says he was not listened to.',
      childWords: '',
      reviewIntervalDays: '60',
      version: versionOf(theirs.body),
    });
    expectGovukErrorPage(second, 409, 'Someone else changed this record');
    expect(second.body).toContain('data-testid="conflict-versions"');
    expect(second.body).toContain('Dad says the plan is fair.');
    expect(second.body).toContain('Dad says he was not listened to.');
    expect(second.body).toContain('Days between reviews');
    expect(await planRow(planId)).toMatchObject({
      family_words: 'Dad says the plan is fair.',
      review_interval_days: 91,
    });

    // Goals too: two people changing the same goal.
    await addGoal(childId, planId, 'Dad comes to the school meeting', 'Dad');
    const [goal] = await goalsOf(planId);
    const goalUrl = `${base}/${planId}/goals/${goal?.id ?? ''}/edit`;
    const a = await get(worker, goalUrl);
    const b = await get(manager, goalUrl);
    const goalForm = { 'byWhen-day': '', 'byWhen-month': '', 'byWhen-year': '', progress: '' };
    expect(
      (
        await send(worker, goalUrl, {
          ...goalForm,
          goal: 'Dad comes to every school meeting',
          who: 'Dad',
          version: versionOf(a.body),
        })
      ).statusCode,
    ).toBe(303);
    const stale = await send(manager, goalUrl, {
      ...goalForm,
      goal: 'Dad phones the school',
      who: 'Dad',
      version: versionOf(b.body),
    });
    expectGovukErrorPage(stale, 409, 'Someone else changed this record');
    expect(stale.body).toContain('Dad comes to every school meeting');
    expect(stale.body).toContain('Dad phones the school');
  });

  it('is not found by a worker in another team on every page, and read-only staff cannot change it', async () => {
    moveClock('2026-12-01T10:00:00Z');
    const { childId } = await childWithEpisode('child_in_need', 'Hidden');
    const base = `/children/${childId}/plans`;
    const planId = await createPlan(childId, 'child_in_need');
    await addGoal(childId, planId, 'A goal', 'Someone');
    const [goal] = await goalsOf(planId);
    const gid = goal?.id ?? '';
    const pages = [
      base,
      `${base}/new`,
      `${base}/${planId}`,
      `${base}/${planId}/edit`,
      `${base}/${planId}/goals/new`,
      `${base}/${planId}/goals/${gid}/edit`,
      `${base}/${planId}/goals/${gid}/remove`,
      `${base}/${planId}/start`,
      `${base}/${planId}/reviews/new`,
      `${base}/${planId}/end`,
    ];
    for (const url of pages) expectGovukErrorPage(await get(outsider, url), 404);
    const posts: [string, Record<string, string>][] = [
      [base, { kind: 'family_help' }],
      [
        `${base}/${planId}/edit`,
        { familyWords: 'x', childWords: '', reviewIntervalDays: '91', version: '1' },
      ],
      [`${base}/${planId}/goals`, { goal: 'x', who: 'y' }],
      [`${base}/${planId}/goals/${gid}/remove`, { version: '1' }],
      [
        `${base}/${planId}/start`,
        { 'startedOn-day': '1', 'startedOn-month': '12', 'startedOn-year': '2026', version: '1' },
      ],
    ];
    for (const [url, form] of posts) expectGovukErrorPage(await send(outsider, url, form), 404);
    expect(await goalsOf(planId)).toHaveLength(1);
    expect((await planRow(planId)).status).toBe('draft');

    // A senior leader reads every child, but cannot write plans.
    expect((await get(leader, `${base}/${planId}`)).statusCode).toBe(200);
    expectGovukErrorPage(await get(leader, `${base}/${planId}/edit`), 403);
    expectGovukErrorPage(await send(leader, `${base}/${planId}/goals`, { goal: 'x', who: 'y' }), 403);
  });
});
