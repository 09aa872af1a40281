import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { openOrContinueEpisode } from '../../src/modules/help/episodes.ts';
import {
  addMonths,
  icpcTargetOn,
  nextReviewOn,
  reportDueBy,
  reportLate,
} from '../../src/modules/protection/codes.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { appWithRouteTable } from '../support/app-helpers.ts';
import { openTestDb } from '../support/db.ts';
import { makeWorld, testClock, testDeps, type TestClock, type TestUser } from '../support/world.ts';
import { dateFields, staffPages, versionOf } from '../support/staff-pages.ts';

/**
 * Child protection done with families, through the pages (app.inject): a strategy discussion with
 * each agency's words, a section 47 enquiry, an initial conference with the report shared with the
 * parents and a family group conference offered, the child protection plan with actions and a core
 * group, visits within timescale, review conferences (continue, then end with a step down), and the
 * step-down from the help pages ending the plan. Scope, conflicts, bad input, audit and chronology.
 */

let handle: DbHandle;
let app: FastifyInstance;
let deps: Deps;
let clock: TestClock;
let world: Awaited<ReturnType<typeof makeWorld>>;
let worker: TestUser;
let manager: TestUser;
let outsider: TestUser;

beforeAll(async () => {
  handle = await openTestDb();
  clock = testClock(new Date('2026-12-01T10:00:00Z'));
  deps = testDeps(handle, { clock });
  world = await makeWorld(deps);
  ({ app } = await appWithRouteTable(deps));
  worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
  manager = await world.user({ roles: ['team_manager'], teamIds: [world.teamA] });
  outsider = await world.user({ roles: ['practitioner'], teamIds: [world.teamB] });
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

function idFrom(location: string | undefined, what: string): string {
  const match = new RegExp(`/${what}/([0-9a-f-]{36})`).exec(location ?? '');
  if (!match?.[1]) throw new Error(`Unexpected redirect ${String(location)}`);
  return match[1];
}

async function childInAssessment(given: string) {
  const childId = await world.child({ teamId: world.teamA, workerId: worker.id, given, family: 'Protected' });
  const opened = await deps.db.transaction().execute((trx) =>
    openOrContinueEpisode(trx, {
      organisationId: world.organisationId,
      personId: childId,
      status: 'assessment',
      on: '2026-11-20',
      reason: 'Front door decision: strategy discussion',
      actorUserId: manager.id,
      referral: { source: '6', primaryNeed: 'N1' },
    }),
  );
  return { childId, episodeId: opened.episodeId };
}

async function episodeRow(id: string) {
  return deps.db.selectFrom('help_episodes').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function events(childId: string): Promise<string[]> {
  const rows = await deps.db
    .selectFrom('chronology_entries')
    .select('event')
    .where('person_id', '=', childId)
    .orderBy('created_at')
    .execute();
  return rows.map((r) => r.event);
}

async function auditActions(childId: string): Promise<string[]> {
  const rows = await deps.db
    .selectFrom('audit_log')
    .select(['action', 'detail'])
    .where('action', 'like', 'protection.%')
    .execute();
  return rows.filter((r) => JSON.stringify(r.detail).includes(childId)).map((r) => r.action);
}

async function openTasks(episodeId: string) {
  return deps.db
    .selectFrom('tasks')
    .select(['kind', 'title', 'due_on', 'source_type'])
    .where('episode_id', '=', episodeId)
    .where('completed_at', 'is', null)
    .orderBy('due_on')
    .execute();
}

const STRATEGY = {
  'name-0': 'DC Sam Okafor',
  'role-0': 'Child abuse investigation team',
  'said-0': 'Neighbours called us twice this month about shouting and a child crying late at night.',
  'name-1': 'Jo Reid',
  'role-1': 'Health visitor',
  'said-1': 'The baby has missed two checks; weight has dropped from the 50th to the 9th centile.',
  'name-4': 'Amir Khan',
  'organisation-4': 'Hope Street Housing',
  'said-4': 'The flat has damp in both bedrooms; repairs are booked.',
  decision: 'section47',
  reason: 'There is reasonable cause to suspect the children are likely to suffer significant harm.',
};

describe('timescales', () => {
  it('counts the initial conference target in working days, with bank holidays', () => {
    expect(icpcTargetOn('2026-12-01')).toBe('2026-12-22');
    // Christmas Day, the Boxing Day substitute (Monday 28th) and New Year’s Day are skipped.
    expect(icpcTargetOn('2026-12-18')).toBe('2027-01-13');
  });

  it('gives the last day to share the report: 3 working days before the conference', () => {
    expect(reportDueBy('2026-12-17')).toBe('2026-12-14');
    expect(reportDueBy('2027-01-05')).toBe('2026-12-30');
    expect(reportLate('2026-12-17', '2026-12-14', '2026-12-17')).toBe(false);
    expect(reportLate('2026-12-17', '2026-12-15', '2026-12-17')).toBe(true);
    expect(reportLate('2026-12-17', null, '2026-12-14')).toBe(false);
    expect(reportLate('2026-12-17', null, '2026-12-15')).toBe(true);
  });

  it('sets the first review 3 months after the initial conference, then every 6 months', () => {
    expect(nextReviewOn('initial', '2026-12-17')).toBe('2027-03-17');
    expect(nextReviewOn('initial', '2026-11-30')).toBe('2027-02-28');
    expect(nextReviewOn('review', '2027-03-10')).toBe('2027-09-10');
    expect(nextReviewOn('review', '2027-08-31')).toBe('2028-02-29');
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
  });
});

describe('child protection, with the family', () => {
  it('runs from strategy discussion to the end of the plan, keeping every record', async () => {
    moveClock('2026-12-01T10:00:00Z');
    const { childId, episodeId } = await childInAssessment('Ellie');
    const base = `/children/${childId}/protection`;

    // Scope: another team's worker cannot see any of it.
    expect((await get(worker, base)).statusCode).toBe(200);
    expect((await get(outsider, base)).statusCode).toBe(404);
    expect((await get(outsider, `${base}/strategy-discussions/new`)).statusCode).toBe(404);
    expect(
      (
        await send(outsider, `${base}/strategy-discussions`, {
          ...dateFields('heldOn', '2026-12-01'),
          ...STRATEGY,
        })
      ).statusCode,
    ).toBe(404);

    // A strategy discussion with mistakes is shown again with the summary and what was typed.
    const form = await get(worker, `${base}/strategy-discussions/new`);
    expect(form.statusCode).toBe(200);
    const bad = await send(worker, `${base}/strategy-discussions`, {
      ...dateFields('heldOn', '2026-12-02'),
      'name-0': 'DC Sam Okafor',
      'said-0': '',
      reason: 'Typed reason kept',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('There is a problem');
    expect(bad.body).toContain('href="#heldOn-day"');
    expect(bad.body).toContain('The date of the strategy discussion must be today or in the past');
    expect(bad.body).toContain('href="#said-0"');
    expect(bad.body).toContain('Enter what the person from police said');
    expect(bad.body).toContain('href="#decision"');
    expect(bad.body).toContain('value="DC Sam Okafor"');
    expect(bad.body).toContain('Typed reason kept');
    expect(
      await deps.db
        .selectFrom('strategy_discussions')
        .select('id')
        .where('person_id', '=', childId)
        .execute(),
    ).toEqual([]);

    const saved = await send(worker, `${base}/strategy-discussions`, {
      ...dateFields('heldOn', '2026-12-01'),
      ...STRATEGY,
    });
    expect(saved.statusCode, saved.body.slice(0, 500)).toBe(303);
    const strategyId = idFrom(saved.headers.location, 'strategy-discussions');
    const view = await get(worker, saved.headers.location ?? '');
    expect(view.statusCode).toBe(200);
    expect(view.body).toContain('DC Sam Okafor');
    expect(view.body).toContain('weight has dropped from the 50th to the 9th centile');
    expect(view.body).toContain('Hope Street Housing');
    const contributions = await deps.db
      .selectFrom('strategy_discussion_contributions')
      .select(['position', 'agency', 'person_name', 'organisation'])
      .where('strategy_discussion_id', '=', strategyId)
      .orderBy('position')
      .execute();
    expect(contributions).toEqual([
      { position: 1, agency: 'police', person_name: 'DC Sam Okafor', organisation: null },
      { position: 2, agency: 'health', person_name: 'Jo Reid', organisation: null },
      { position: 3, agency: 'other', person_name: 'Amir Khan', organisation: 'Hope Street Housing' },
    ]);
    const enquiry = await deps.db
      .selectFrom('section47_enquiries')
      .selectAll()
      .where('strategy_discussion_id', '=', strategyId)
      .executeTakeFirstOrThrow();
    expect(enquiry).toMatchObject({
      started_on: '2026-12-01',
      icpc_target_on: '2026-12-22',
      outcome: null,
      episode_id: episodeId,
    });
    expect(enquiry.cin_referral_id).not.toBeNull();
    expect((await episodeRow(episodeId)).status).toBe('assessment');

    // Two people open the outcome form; the second to save sees both versions.
    const first = await get(worker, `${base}/section-47/${enquiry.id}/outcome`);
    const second = await get(manager, `${base}/section-47/${enquiry.id}/outcome`);
    expect(first.statusCode).toBe(200);
    const outcome = await send(worker, `${base}/section-47/${enquiry.id}/outcome`, {
      ...dateFields('completedOn', '2026-12-01'),
      outcome: 'initial_conference',
      findings: 'The baby is not gaining weight and the home is unsafe at night.',
      version: versionOf(first.body),
    });
    expect(outcome.statusCode, outcome.body.slice(0, 500)).toBe(303);
    expect(outcome.headers.location).toBe(`${base}/conferences/new?kind=initial`);
    const late = await send(manager, `${base}/section-47/${enquiry.id}/outcome`, {
      ...dateFields('completedOn', '2026-12-01'),
      outcome: 'child_in_need',
      findings: 'Help as a child in need will do.',
      version: versionOf(second.body),
    });
    expect(late.statusCode).toBe(409);
    expect(late.body).toContain('data-testid="conflict-versions"');
    expect(late.body).toContain('An initial child protection conference');
    expect(late.body).toContain('Help continues as a child in need');
    expect(late.body).toContain('Help as a child in need will do.');
    const afterConflict = await deps.db
      .selectFrom('section47_enquiries')
      .selectAll()
      .where('id', '=', enquiry.id)
      .executeTakeFirstOrThrow();
    expect(afterConflict).toMatchObject({
      outcome: 'initial_conference',
      icpc_not_required: false,
      completed_on: '2026-12-01',
    });
    expect((await openTasks(episodeId)).map((t) => [t.title, t.due_on])).toContainEqual([
      'Hold the initial child protection conference',
      '2026-12-22',
    ]);

    // Arranging the initial conference: mistakes first, then the arrangements.
    const arrangeForm = await get(worker, `${base}/conferences/new?kind=initial`);
    expect(arrangeForm.statusCode).toBe(200);
    expect(arrangeForm.body).toContain('have not been offered a family group conference');
    const badArrange = await send(worker, `${base}/conferences`, {
      kind: 'initial',
      'inviteName-0': 'Kerry Protected',
      'inviteRole-0': '',
      version: '0',
    });
    expect(badArrange.statusCode).toBe(400);
    expect(badArrange.body).toContain('href="#heldOn-day"');
    expect(badArrange.body).toContain('href="#inviteRole-0"');
    expect(badArrange.body).toContain('href="#inviteKind-0"');
    expect(badArrange.body).toContain('href="#advocateOffered"');
    expect(badArrange.body).toContain('value="Kerry Protected"');
    const arranged = await send(worker, `${base}/conferences`, {
      kind: 'initial',
      ...dateFields('heldOn', '2026-12-17'),
      'inviteName-0': 'Kerry Protected',
      'inviteRole-0': 'Mum',
      'inviteKind-0': 'parent',
      'inviteName-1': 'Jo Reid',
      'inviteRole-1': 'Health visitor',
      'inviteKind-1': 'professional',
      advocateOffered: 'yes',
      advocateTakenUp: 'not_yet',
      version: '0',
    });
    expect(arranged.statusCode, arranged.body.slice(0, 600)).toBe(303);
    const conferenceId = idFrom(arranged.headers.location, 'conferences');
    let page = await get(worker, `${base}/conferences/${conferenceId}`);
    expect(page.body).toContain('14 December 2026');
    expect(page.body).toContain('none has been offered yet');
    expect(page.body).not.toContain('shared with the parents late');
    expect((await openTasks(episodeId)).map((t) => [t.title, t.due_on])).toContainEqual([
      'Share your conference report with the parents',
      '2026-12-14',
    ]);

    // Two days before, the report has still not been shared: late.
    moveClock('2026-12-15T10:00:00Z');
    page = await get(worker, `${base}/conferences/${conferenceId}`);
    expect(page.body).toContain('has not been shared with the parents and is late');
    const edit = await get(worker, `${base}/conferences/${conferenceId}/edit`);
    expect(edit.body).toContain('value="Kerry Protected"');
    const shared = await send(worker, `${base}/conferences/${conferenceId}/edit`, {
      ...dateFields('heldOn', '2026-12-17'),
      'inviteName-0': 'Kerry Protected',
      'inviteRole-0': 'Mum',
      'inviteKind-0': 'parent',
      'inviteName-1': 'Jo Reid',
      'inviteRole-1': 'Health visitor',
      'inviteKind-1': 'professional',
      'inviteName-2': 'Lee Protected',
      'inviteRole-2': 'Dad',
      'inviteKind-2': 'parent',
      ...dateFields('reportSharedOn', '2026-12-15'),
      reportSharedHow: 'in_person',
      advocateOffered: 'yes',
      advocateTakenUp: 'yes',
      advocateNote: 'Parents’ advocate from Family Rights Group',
      version: versionOf(edit.body),
    });
    expect(shared.statusCode, shared.body.slice(0, 600)).toBe(303);
    const conferenceRow = await deps.db
      .selectFrom('conferences')
      .selectAll()
      .where('id', '=', conferenceId)
      .executeTakeFirstOrThrow();
    expect(conferenceRow).toMatchObject({
      status: 'planned',
      report_shared_on: '2026-12-15',
      report_shared_how: 'in_person',
      advocate_offered: true,
      advocate_taken_up: true,
      version: 2,
    });
    page = await get(worker, `${base}/conferences/${conferenceId}`);
    expect(page.body).toContain('The report was shared with the parents late');
    expect((await openTasks(episodeId)).map((t) => t.title)).not.toContain(
      'Share your conference report with the parents',
    );

    // The family group conference offered: the prompt goes.
    const offered = await send(worker, `${base}/family-meetings`, {
      conferenceId,
      ...dateFields('offeredOn', '2026-12-15'),
      response: 'accepted',
    });
    expect(offered.statusCode, offered.body.slice(0, 600)).toBe(303);
    page = await get(worker, `${base}/conferences/${conferenceId}`);
    expect(page.body).not.toContain('none has been offered yet');

    // The initial conference decides on a plan.
    moveClock('2026-12-17T16:00:00Z');
    const outcomeForm = await get(worker, `${base}/conferences/${conferenceId}/outcome`);
    expect(outcomeForm.statusCode).toBe(200);
    const participants = await deps.db
      .selectFrom('meeting_participants')
      .select(['id', 'name'])
      .where('conference_id', '=', conferenceId)
      .orderBy('position')
      .execute();
    const mum = participants.find((p) => p.name === 'Kerry Protected')?.id ?? '';
    const badOutcome = await send(worker, `${base}/conferences/${conferenceId}/outcome`, {
      ...dateFields('heldOn', '2026-12-17'),
      attended: mum,
      familyView: 'We know the flat is not safe and we want help to get the baby well.',
      decision: 'plan',
      version: versionOf(outcomeForm.body),
    });
    expect(badOutcome.statusCode).toBe(400);
    expect(badOutcome.body).toContain('href="#category"');
    expect(badOutcome.body).toContain('href="#decisionReason"');
    expect(badOutcome.body).toContain('We know the flat is not safe');
    const held = await send(worker, `${base}/conferences/${conferenceId}/outcome`, {
      ...dateFields('heldOn', '2026-12-17'),
      attended: mum,
      familyView: 'We know the flat is not safe and we want help to get the baby well.',
      childView: '',
      decision: 'plan',
      category: 'NEG',
      decisionReason: 'The baby is not getting what she needs to grow, and home is not safe at night.',
      version: versionOf(outcomeForm.body),
    });
    expect(held.statusCode, held.body.slice(0, 600)).toBe(303);
    const planId = idFrom(held.headers.location, 'plans');
    const plan = await deps.db
      .selectFrom('plans')
      .selectAll()
      .where('id', '=', planId)
      .executeTakeFirstOrThrow();
    expect(plan).toMatchObject({
      kind: 'child_protection',
      status: 'active',
      started_on: '2026-12-17',
      initial_category: 'NEG',
      latest_category: 'NEG',
      next_review_on: '2027-03-17',
      episode_id: episodeId,
    });
    expect(await episodeRow(episodeId)).toMatchObject({
      status: 'child_protection',
      status_since: '2026-12-17',
    });
    const heldRow = await deps.db
      .selectFrom('conferences')
      .selectAll()
      .where('id', '=', conferenceId)
      .executeTakeFirstOrThrow();
    expect(heldRow).toMatchObject({
      status: 'held',
      outcome_plan: true,
      category: 'NEG',
      plan_id: planId,
      next_review_on: '2027-03-17',
    });
    const attendance = await deps.db
      .selectFrom('meeting_participants')
      .select(['name', 'attended'])
      .where('conference_id', '=', conferenceId)
      .orderBy('position')
      .execute();
    expect(attendance).toEqual([
      { name: 'Kerry Protected', attended: true },
      { name: 'Jo Reid', attended: false },
      { name: 'Lee Protected', attended: false },
    ]);
    const tasks = await openTasks(episodeId);
    expect(tasks.map((t) => [t.kind, t.due_on])).toEqual([
      ['visit_due', '2027-01-05'],
      ['plan_review_due', '2027-03-17'],
    ]);

    // The plan: an action in the family's words and a core group.
    const planPage = await get(worker, `${base}/plans/${planId}`);
    expect(planPage.statusCode).toBe(200);
    expect(planPage.body).toContain('17 March 2027');
    const action = await send(worker, `${base}/plans/${planId}/actions`, {
      goal: 'The baby gains weight',
      who: 'Mum: feeds every three hours. Health visitor: weekly weigh-in.',
      ...dateFields('byWhen', '2027-02-01'),
      progress: '',
    });
    expect(action.statusCode, action.body.slice(0, 400)).toBe(303);
    const badCore = await send(worker, `${base}/plans/${planId}/core-groups`, {
      ...dateFields('heldOn', '2026-12-17'),
    });
    expect(badCore.statusCode).toBe(400);
    expect(badCore.body).toContain('href="#inviteName-0"');
    expect(badCore.body).toContain('href="#familyView"');
    const core = await send(worker, `${base}/plans/${planId}/core-groups`, {
      ...dateFields('heldOn', '2026-12-17'),
      'inviteName-0': 'Kerry Protected',
      'inviteRole-0': 'Mum',
      'inviteKind-0': 'parent',
      familyView: 'The weigh-ins help. We need the damp fixed.',
      ...dateFields('nextMeetingOn', '2027-01-28'),
    });
    expect(core.statusCode, core.body.slice(0, 400)).toBe(303);
    const planAgain = await get(worker, `${base}/plans/${planId}`);
    expect(planAgain.body).toContain('The baby gains weight');
    expect(planAgain.body).toContain('The weigh-ins help. We need the damp fixed.');

    // Visits every 10 working days: overdue after 5 January.
    moveClock('2027-01-06T10:00:00Z');
    const overview = await get(worker, base);
    expect(overview.body).toContain('5 January 2027');
    expect(overview.body).toMatch(/Next visit due[\s\S]*?Overdue/);

    // The first review conference continues the plan, with a new category.
    moveClock('2027-03-04T10:00:00Z');
    const review = await send(worker, `${base}/conferences`, {
      kind: 'review',
      ...dateFields('heldOn', '2027-03-10'),
      'inviteName-0': 'Kerry Protected',
      'inviteRole-0': 'Mum',
      'inviteKind-0': 'parent',
      ...dateFields('reportSharedOn', '2027-03-04'),
      reportSharedHow: 'email',
      advocateOffered: 'no',
      version: '0',
    });
    expect(review.statusCode, review.body.slice(0, 600)).toBe(303);
    const reviewId = idFrom(review.headers.location, 'conferences');
    moveClock('2027-03-10T16:00:00Z');
    const reviewForm = await get(worker, `${base}/conferences/${reviewId}/outcome`);
    expect(reviewForm.body).not.toContain('shared with the parents late');
    const continued = await send(worker, `${base}/conferences/${reviewId}/outcome`, {
      ...dateFields('heldOn', '2027-03-10'),
      familyView: 'Things are better but there is still shouting at night.',
      decision: 'continue',
      category: 'EMO',
      decisionReason: 'The baby is growing well; the worry now is the arguments at home.',
      version: versionOf(reviewForm.body),
    });
    expect(continued.statusCode, continued.body.slice(0, 600)).toBe(303);
    expect(
      await deps.db.selectFrom('plans').selectAll().where('id', '=', planId).executeTakeFirstOrThrow(),
    ).toMatchObject({
      status: 'active',
      initial_category: 'NEG',
      latest_category: 'EMO',
      next_review_on: '2027-09-10',
    });
    expect(
      (await openTasks(episodeId)).filter((t) => t.kind === 'plan_review_due').map((t) => t.due_on),
    ).toEqual(['2027-09-10']);

    // The next review ends the plan: the help steps down to child in need.
    moveClock('2027-09-08T10:00:00Z');
    const last = await send(worker, `${base}/conferences`, {
      kind: 'review',
      ...dateFields('heldOn', '2027-09-08'),
      'inviteName-0': 'Kerry Protected',
      'inviteRole-0': 'Mum',
      'inviteKind-0': 'parent',
      advocateOffered: 'no',
      version: '0',
    });
    expect(last.statusCode).toBe(303);
    const lastId = idFrom(last.headers.location, 'conferences');
    const lastForm = await get(worker, `${base}/conferences/${lastId}/outcome`);
    const noStep = await send(worker, `${base}/conferences/${lastId}/outcome`, {
      ...dateFields('heldOn', '2027-09-08'),
      familyView: 'We are doing well now.',
      decision: 'end',
      decisionReason: 'The children are safe; the family have kept to the plan.',
      version: versionOf(lastForm.body),
    });
    expect(noStep.statusCode).toBe(400);
    expect(noStep.body).toContain('href="#stepTo"');
    const ended = await send(worker, `${base}/conferences/${lastId}/outcome`, {
      ...dateFields('heldOn', '2027-09-08'),
      familyView: 'We are doing well now.',
      decision: 'end',
      decisionReason: 'The children are safe; the family have kept to the plan.',
      stepTo: 'child_in_need',
      version: versionOf(lastForm.body),
    });
    expect(ended.statusCode, ended.body.slice(0, 600)).toBe(303);
    expect(
      await deps.db.selectFrom('plans').selectAll().where('id', '=', planId).executeTakeFirstOrThrow(),
    ).toMatchObject({
      status: 'ended',
      ended_on: '2027-09-08',
      end_reason: 'The children are safe; the family have kept to the plan.',
    });
    expect(await episodeRow(episodeId)).toMatchObject({
      status: 'child_in_need',
      status_since: '2027-09-08',
    });
    expect((await openTasks(episodeId)).map((t) => t.kind)).not.toContain('plan_review_due');

    // Everything significant is in the chronology and the audit log.
    expect(await events(childId)).toEqual(
      expect.arrayContaining([
        'strategy.held',
        's47.started',
        's47.completed',
        'conference.arranged',
        'conference.report_shared',
        'family_meeting.offered',
        'conference.initial',
        'plan.started',
        'core_group.held',
        'conference.review',
        'plan.ended',
      ]),
    );
    expect(await auditActions(childId)).toEqual(
      expect.arrayContaining([
        'protection.strategy_discussion',
        'protection.section47_outcome',
        'protection.conference_arranged',
        'protection.conference_changed',
        'protection.family_meeting_offered',
        'protection.conference_held',
        'protection.core_group',
      ]),
    );
    const views = await deps.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'person.view')
      .where('entity_id', '=', childId)
      .execute();
    expect(views.some((v) => JSON.stringify(v.detail).includes('/children/:id/protection'))).toBe(true);
  });
});

describe('stepping down from child protection on the help pages', () => {
  it('ends the child protection plan when the help steps down to child in need', async () => {
    moveClock('2026-12-01T10:00:00Z');
    const { childId, episodeId } = await childInAssessment('Noah');
    await deps.db.transaction().execute(async (trx) => {
      await openOrContinueEpisode(trx, {
        organisationId: world.organisationId,
        personId: childId,
        status: 'child_protection',
        on: '2026-11-25',
        reason: 'An initial conference decided on a plan.',
        actorUserId: manager.id,
      });
    });
    const plan = await deps.db
      .insertInto('plans')
      .values({
        episode_id: episodeId,
        person_id: childId,
        kind: 'child_protection',
        status: 'active',
        started_on: '2026-11-25',
        initial_category: 'PHY',
        latest_category: 'PHY',
        next_review_on: '2027-02-25',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const form = await get(worker, `/children/${childId}/help/step`);
    expect(form.statusCode).toBe(200);
    const stepped = await send(worker, `/children/${childId}/help/step`, {
      episodeId,
      version: versionOf(form.body),
      to: 'child_in_need',
      ...dateFields('changedOn', '2026-12-01'),
      reason: 'The plan has done its job; help continues as a child in need.',
    });
    expect(stepped.statusCode, stepped.body.slice(0, 600)).toBe(303);
    expect(await episodeRow(episodeId)).toMatchObject({ status: 'child_in_need' });
    expect(
      await deps.db.selectFrom('plans').selectAll().where('id', '=', plan.id).executeTakeFirstOrThrow(),
    ).toMatchObject({
      status: 'ended',
      ended_on: '2026-12-01',
      end_reason: 'The help stepped down from child protection to child in need',
    });
  });
});
