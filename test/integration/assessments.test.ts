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
let otherManager: TestUser;
let outsider: TestUser;
let outsideManager: TestUser;

beforeAll(async () => {
  handle = await openTestDb();
  // Monday 16 November 2026: 45 working days later runs across Christmas and New Year.
  clock = testClock(new Date('2026-11-16T10:00:00Z'));
  deps = testDeps(handle, { clock });
  world = await makeWorld(deps);
  ({ app } = await appWithRouteTable(deps));
  worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
  manager = await world.user({ roles: ['team_manager'], teamIds: [world.teamA] });
  otherManager = await world.user({ roles: ['team_manager'], teamIds: [world.teamA] });
  outsider = await world.user({ roles: ['practitioner'], teamIds: [world.teamB] });
  outsideManager = await world.user({ roles: ['team_manager'], teamIds: [world.teamB] });
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

const pages = staffPages(() => ({ app, deps }));
const { get, send } = pages;

/** Moves the test clock; sessions idle out across days, so everyone signs in again. */
function moveClock(at: string): void {
  clock.set(new Date(at));
  pages.forget();
}

/** A child of team A with the worker as lead practitioner, and an open episode in `status`. */
async function childWithEpisode(status: Exclude<EpisodeStatus, 'closed'>, given = 'Robin') {
  const childId = await world.child({ teamId: world.teamA, workerId: worker.id, given, family: 'Assessed' });
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

async function assessmentRow(id: string) {
  return deps.db.selectFrom('assessments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function startOne(childId: string, date = { day: '16', month: '11', year: '2026' }): Promise<string> {
  const started = await send(worker, `/children/${childId}/assessments`, {
    'startedOn-day': date.day,
    'startedOn-month': date.month,
    'startedOn-year': date.year,
  });
  expect(started.statusCode, started.body.slice(0, 500)).toBe(303);
  const match = /\/assessments\/([0-9a-f-]{36})\/edit$/.exec(started.headers.location ?? '');
  if (!match?.[1]) throw new Error(`Unexpected redirect ${String(started.headers.location)}`);
  return match[1];
}

/** A complete set of answers, as the edit form posts them. */
function completeAnswers(
  overrides: Record<string, string | string[]> = {},
): Record<string, string | string[]> {
  return {
    familyAccount: 'Mum says the money ran out when her hours were cut, and she wants help with the rent.',
    professionalAnalysis:
      'Robin is loved and well cared for; the family are under strain from debt and cold housing.',
    childViews: 'Robin said the flat is cold and she likes her school.',
    childSeen: 'yes',
    factors: ['3B', '16A'],
    'need-income': 'yes',
    'detail-income': 'A benefits check: Mum may be entitled to more Universal Credit.',
    'need-debt': 'yes',
    'detail-debt': 'Debt advice for rent arrears.',
    'need-housing': 'no',
    'detail-housing': '',
    'need-food': 'yes',
    'detail-food': 'Food vouchers until the benefits are sorted.',
    'need-fuel': 'yes',
    'detail-fuel': 'Help to top up the prepayment meter this winter.',
    'need-digital': 'no',
    'detail-digital': '',
    outcome: 'child_in_need_plan',
    outcomeNote: 'A child in need plan with the family.',
    ...overrides,
  };
}

describe('a child and family assessment', () => {
  it('is started, written with the family, sent, refused to its own author and authorised by another manager', async () => {
    const { childId, episodeId, cinReferralId } = await childWithEpisode('assessment');
    const base = `/children/${childId}/assessments`;

    const newPage = await get(worker, `${base}/new`);
    expect(newPage.statusCode).toBe(200);
    expect(newPage.body).toContain('child and family assessment');
    expect(newPage.body).toContain('value="16"');

    // Start: due 45 working days later, counting neither Christmas Day, the Boxing Day substitute
    // (Monday 28 December) nor New Year's Day: Thursday 21 January 2027, not Monday 18 January.
    const id = await startOne(childId);
    const started = await assessmentRow(id);
    expect(started).toMatchObject({
      kind: 'child_and_family',
      status: 'in_progress',
      started_on: '2026-11-16',
      due_on: '2027-01-21',
      episode_id: episodeId,
      cin_referral_id: cinReferralId,
      created_by: worker.id,
    });
    const task = await deps.db
      .selectFrom('tasks')
      .selectAll()
      .where('source_id', '=', id)
      .where('kind', '=', 'complete_assessment')
      .executeTakeFirstOrThrow();
    expect(task).toMatchObject({
      assigned_user_id: worker.id,
      assigned_team_id: world.teamA,
      due_on: '2027-01-21',
      completed_at: null,
    });

    // A second one cannot start while this one is under way.
    const again = await get(worker, `${base}/new`);
    expect(again.body).toContain('There is already a child and family assessment under way');
    const refused = await send(worker, base, {
      'startedOn-day': '16',
      'startedOn-month': '11',
      'startedOn-year': '2026',
    });
    expect(refused.statusCode).toBe(400);

    // A draft that cannot be saved keeps everything typed.
    const bad = await send(worker, `${base}/${id}/edit`, {
      ...completeAnswers({
        factors: ['21', '3A'],
        'need-housing': '',
        'detail-housing': 'Damp in the bedroom',
      }),
      version: '1',
      action: 'save',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('href="#factors"');
    expect(bad.body).toContain('‘No factors identified’ on its own');
    expect(bad.body).toContain('href="#need-housing"');
    expect(bad.body).toContain('Mum says the money ran out when her hours were cut');
    expect(bad.body).toContain('Damp in the bedroom');
    expect(bad.body).toMatch(/value="3A" checked/);
    expect(bad.body).toMatch(/value="21" checked/);
    expect((await assessmentRow(id)).version).toBe(1);

    // Save and come back later: a partial draft (no outcome, child seen not answered).
    const draft = completeAnswers({ childSeen: '', outcome: '' });
    const saved = await send(worker, `${base}/${id}/edit`, { ...draft, version: '1', action: 'save' });
    expect(saved.statusCode, saved.body.slice(0, 800)).toBe(303);
    expect(saved.headers.location).toBe(`${base}/${id}?done=saved`);
    const afterSave = await assessmentRow(id);
    expect(afterSave.version).toBe(2);
    expect(afterSave.child_seen).toBeNull();
    const factors = await deps.db
      .selectFrom('assessment_factors')
      .select('factor')
      .where('assessment_id', '=', id)
      .execute();
    expect(factors.map((f) => f.factor).sort()).toEqual(['16A', '3B']);
    const circumstances = await deps.db
      .selectFrom('assessment_circumstances')
      .selectAll()
      .where('assessment_id', '=', id)
      .orderBy('area')
      .execute();
    expect(circumstances.map((c) => [c.area, c.need_identified, c.detail])).toEqual([
      ['debt', true, 'Debt advice for rent arrears.'],
      ['digital', false, null],
      ['food', true, 'Food vouchers until the benefits are sorted.'],
      ['fuel', true, 'Help to top up the prepayment meter this winter.'],
      ['housing', false, null],
      ['income', true, 'A benefits check: Mum may be entitled to more Universal Credit.'],
    ]);

    // The page shows the family's account beside the professional analysis, and the circumstances as needs.
    const view = await get(worker, `${base}/${id}`);
    expect(view.statusCode).toBe(200);
    const sideBySide = view.body.slice(view.body.indexOf('data-testid="side-by-side"'));
    expect(sideBySide).toMatch(
      /govuk-grid-column-one-half[\s\S]*family-account[\s\S]*govuk-grid-column-one-half[\s\S]*professional-analysis/,
    );
    expect(view.body).toContain('What would help: Food vouchers until the benefits are sorted.');
    expect(view.body).toContain(
      'Domestic abuse: concerns about a parent or carer being the subject of domestic abuse (3B)',
    );
    expect(view.body).not.toMatch(/\brisk of\b/i);
    const edit = await get(worker, `${base}/${id}/edit`);
    expect(edit.body).toContain('What would help with food?');

    // Sending it for authorisation needs everything: the missing answers are listed and linked.
    const incomplete = await send(worker, `${base}/${id}/edit`, { ...draft, version: '2', action: 'submit' });
    expect(incomplete.statusCode).toBe(400);
    expect(incomplete.body).toContain('href="#childSeen"');
    expect(incomplete.body).toContain('Select yes if the child was seen during the assessment');
    expect(incomplete.body).toContain('href="#outcome"');
    expect((await assessmentRow(id)).status).toBe('in_progress');
    const v3 = versionOf(incomplete.body);
    expect(v3).toBe('3');

    // The manager adds a line while it is still a draft: that makes them one of its authors.
    const managerEdit = await get(manager, `${base}/${id}/edit`);
    const managerSave = await send(manager, `${base}/${id}/edit`, {
      ...completeAnswers({ outcomeNote: 'Agreed with the family at the home visit.' }),
      version: versionOf(managerEdit.body),
      action: 'save',
    });
    expect(managerSave.statusCode).toBe(303);

    moveClock('2026-12-01T09:30:00Z');
    const checkPage = await get(worker, `${base}/${id}/submit`);
    expect(checkPage.statusCode).toBe(200);
    const sent = await send(worker, `${base}/${id}/submit`, { version: versionOf(checkPage.body) });
    expect(sent.statusCode).toBe(303);
    expect(sent.headers.location).toBe(`${base}/${id}?done=submitted`);
    expect(await assessmentRow(id)).toMatchObject({ status: 'submitted', completed_on: '2026-12-01' });
    const tasks = await deps.db
      .selectFrom('tasks')
      .selectAll()
      .where('source_id', '=', id)
      .orderBy('created_at')
      .execute();
    expect(tasks.find((t) => t.kind === 'complete_assessment')?.completed_by).toBe(worker.id);
    const authoriseTask = tasks.find((t) => t.kind === 'authorise_assessment');
    expect(authoriseTask).toMatchObject({
      assigned_team_id: world.teamA,
      assigned_user_id: null,
      completed_at: null,
      due_on: '2026-12-08',
    });
    // Nobody can change it while it waits.
    const locked = await get(worker, `${base}/${id}/edit`);
    expect(locked.statusCode).toBe(303);

    // A practitioner may not authorise.
    expectGovukErrorPage(await get(worker, `${base}/${id}/authorise`), 403);
    const workerTry = await send(worker, `${base}/${id}/authorise`, {
      version: '5',
      decision: 'authorise',
      comment: '',
    });
    expect(workerTry.statusCode).toBe(403);

    // The manager who wrote part of it is refused, with a clear message.
    const ownPage = await get(manager, `${base}/${id}/authorise`);
    expect(ownPage.statusCode).toBe(200);
    expect(ownPage.body).toContain(
      'You cannot authorise or return an assessment you wrote or sent for authorisation',
    );
    expect(ownPage.body).not.toContain('name="decision"');
    const own = await send(manager, `${base}/${id}/authorise`, {
      version: '5',
      decision: 'authorise',
      comment: '',
    });
    expect(own.statusCode).toBe(400);
    expect(own.body).toContain('href="#decision"');
    expect(own.body).toContain('Another manager must do it.');
    expect((await assessmentRow(id)).status).toBe('submitted');

    // Another manager in the team authorises it.
    const authorisePage = await get(otherManager, `${base}/${id}/authorise`);
    expect(authorisePage.body).toContain('name="decision"');
    const noChoice = await send(otherManager, `${base}/${id}/authorise`, {
      version: '5',
      decision: '',
      comment: '',
    });
    expect(noChoice.statusCode).toBe(400);
    expect(noChoice.body).toContain('Select whether you authorise the assessment or return it for more work');
    moveClock('2026-12-02T14:00:00Z');
    const authorised = await send(otherManager, `${base}/${id}/authorise`, {
      version: '5',
      decision: 'authorise',
      comment: '',
    });
    expect(authorised.statusCode).toBe(303);
    expect(authorised.headers.location).toBe(`${base}/${id}/authorised`);
    expect(await assessmentRow(id)).toMatchObject({
      status: 'authorised',
      authorised_on: '2026-12-02',
      authorised_by: otherManager.id,
    });
    const confirmation = await get(otherManager, `${base}/${id}/authorised`);
    expect(confirmation.body).toContain('Assessment authorised');
    expect(confirmation.body).toContain('Write a child in need plan');

    const chronology = await deps.db
      .selectFrom('chronology_entries')
      .select(['event', 'occurred_on', 'summary'])
      .where('source_id', '=', id)
      .orderBy('created_at')
      .execute();
    expect(chronology.map((c) => c.event)).toEqual(['assessment.started', 'assessment.authorised']);
    expect(chronology[1]?.occurred_on).toBe('2026-12-02');
    expect(chronology[1]?.summary).toContain('Outcome: child in need plan');
    const audit = await deps.db
      .selectFrom('audit_log')
      .select(['action', 'actor_user_id'])
      .where('entity_type', '=', 'assessment')
      .where('entity_id', '=', id)
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'assessment.start',
      'assessment.update',
      'assessment.update',
      'assessment.update',
      'assessment.submit',
      'assessment.authorise',
    ]);
    expect(audit.at(-1)?.actor_user_id).toBe(otherManager.id);
    const openAuthoriseTasks = await deps.db
      .selectFrom('tasks')
      .select('id')
      .where('source_id', '=', id)
      .where('completed_at', 'is', null)
      .execute();
    expect(openAuthoriseTasks).toHaveLength(0);

    // Reading it was a view of the child, audited.
    const views = await deps.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'person.view')
      .where('entity_id', '=', childId)
      .where('actor_user_id', '=', otherManager.id)
      .execute();
    expect(views.length).toBeGreaterThan(0);
  });

  it('is returned for more work with a comment, and authorising "no further action" leaves the help open', async () => {
    moveClock('2026-11-16T10:00:00Z');
    const { childId, episodeId } = await childWithEpisode('family_help', 'Sam');
    const base = `/children/${childId}/assessments`;
    const newPage = await get(worker, `${base}/new`);
    expect(newPage.body).toContain('family help assessment');
    const id = await startOne(childId);
    expect(await assessmentRow(id)).toMatchObject({
      kind: 'family_help',
      cin_referral_id: null,
      due_on: '2027-01-21',
    });

    const sent = await send(worker, `${base}/${id}/edit`, {
      ...completeAnswers({ factors: ['21'], outcome: 'no_further_action', childViews: '' }),
      version: '1',
      action: 'submit',
    });
    expect(sent.statusCode, sent.body.slice(0, 600)).toBe(303);
    expect((await assessmentRow(id)).status).toBe('submitted');

    const noComment = await send(manager, `${base}/${id}/authorise`, {
      version: '3',
      decision: 'return',
      comment: ' ',
    });
    expect(noComment.statusCode).toBe(400);
    expect(noComment.body).toContain('href="#comment"');
    const returned = await send(manager, `${base}/${id}/authorise`, {
      version: '3',
      decision: 'return',
      comment: 'Please add what Sam said about school.',
    });
    expect(returned.statusCode).toBe(303);
    expect(await assessmentRow(id)).toMatchObject({ status: 'in_progress', completed_on: null });
    const note = await deps.db
      .selectFrom('practice_notes')
      .selectAll()
      .where('person_id', '=', childId)
      .executeTakeFirstOrThrow();
    expect(note).toMatchObject({
      kind: 'management_oversight',
      body: 'Please add what Sam said about school.',
      recorded_by: manager.id,
    });
    const view = await get(worker, `${base}/${id}`);
    expect(view.body).toContain('Returned for more work');
    expect(view.body).toContain('Please add what Sam said about school.');
    const reopened = await deps.db
      .selectFrom('tasks')
      .selectAll()
      .where('source_id', '=', id)
      .where('kind', '=', 'complete_assessment')
      .where('completed_at', 'is', null)
      .executeTakeFirstOrThrow();
    expect(reopened.assigned_user_id).toBe(worker.id);

    const edit = await get(worker, `${base}/${id}/edit`);
    const resent = await send(worker, `${base}/${id}/edit`, {
      ...completeAnswers({ factors: ['21'], outcome: 'no_further_action', childViews: 'Sam likes school.' }),
      version: versionOf(edit.body),
      action: 'submit',
    });
    expect(resent.statusCode).toBe(303);
    const authorised = await send(manager, `${base}/${id}/authorise`, {
      version: '6',
      decision: 'authorise',
      comment: '',
    });
    expect(authorised.statusCode).toBe(303);
    const confirmation = await get(manager, `${base}/${id}/authorised`);
    expect(confirmation.body).toContain('has not closed');
    const episode = await deps.db
      .selectFrom('help_episodes')
      .selectAll()
      .where('id', '=', episodeId)
      .executeTakeFirstOrThrow();
    expect(episode).toMatchObject({ status: 'family_help', closed_on: null });
  });

  it('handles an assessment the front door created, and refuses a future start date keeping what was typed', async () => {
    const { childId, episodeId } = await childWithEpisode('assessment', 'Kit');
    const row = await deps.db
      .insertInto('assessments')
      .values({
        episode_id: episodeId,
        person_id: childId,
        kind: 'child_and_family',
        started_on: '2026-11-02',
        due_on: '2027-01-07',
        created_by: manager.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const base = `/children/${childId}/assessments`;
    const list = await get(worker, base);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(`${base}/${row.id}`);
    expect((await get(worker, `${base}/${row.id}`)).statusCode).toBe(200);
    expect((await get(worker, `${base}/${row.id}/edit`)).statusCode).toBe(200);

    const other = await childWithEpisode('assessment', 'Lee');
    const future = await send(worker, `/children/${other.childId}/assessments`, {
      'startedOn-day': '1',
      'startedOn-month': '12',
      'startedOn-year': '2027',
    });
    expect(future.statusCode).toBe(400);
    expect(future.body).toContain('href="#startedOn-day"');
    expect(future.body).toContain('The start date must be today or in the past');
    expect(future.body).toContain('value="2027"');
  });

  it('shows the second of two people saving the same draft both versions, and keeps the first', async () => {
    const { childId } = await childWithEpisode('assessment', 'Jo');
    const base = `/children/${childId}/assessments`;
    const id = await startOne(childId);
    const first = await get(worker, `${base}/${id}/edit`);
    const second = await get(manager, `${base}/${id}/edit`);
    const one = await send(worker, `${base}/${id}/edit`, {
      ...completeAnswers({ professionalAnalysis: 'The worker’s analysis.' }),
      version: versionOf(first.body),
      action: 'save',
    });
    expect(one.statusCode).toBe(303);
    const two = await send(manager, `${base}/${id}/edit`, {
      ...completeAnswers({ professionalAnalysis: 'The manager’s analysis.' }),
      version: versionOf(second.body),
      action: 'save',
    });
    expectGovukErrorPage(two, 409, 'Someone else changed this record');
    expect(two.body).toContain('data-testid="conflict-versions"');
    expect(two.body).toContain('The worker’s analysis.');
    expect(two.body).toContain('The manager’s analysis.');
    expect((await assessmentRow(id)).professional_analysis).toBe('The worker’s analysis.');
  });

  it('is not found by anyone outside the child’s team, on every page', async () => {
    const { childId } = await childWithEpisode('assessment', 'Hidden');
    const base = `/children/${childId}/assessments`;
    const id = await startOne(childId);
    const pages = [
      base,
      `${base}/new`,
      `${base}/${id}`,
      `${base}/${id}/edit`,
      `${base}/${id}/submit`,
      `${base}/${id}/authorise`,
      `${base}/${id}/authorised`,
    ];
    for (const user of [outsider, outsideManager]) {
      for (const url of pages) expectGovukErrorPage(await get(user, url), 404);
    }
    expectGovukErrorPage(
      await send(outsider, base, {
        'startedOn-day': '16',
        'startedOn-month': '11',
        'startedOn-year': '2026',
      }),
      404,
    );
    expectGovukErrorPage(
      await send(outsider, `${base}/${id}/edit`, { ...completeAnswers(), version: '1', action: 'save' }),
      404,
    );
    expectGovukErrorPage(
      await send(outsideManager, `${base}/${id}/authorise`, { version: '1', decision: 'authorise' }),
      404,
    );
    // Another child's assessment under this child's address is not found either.
    const other = await childWithEpisode('assessment', 'Other');
    expectGovukErrorPage(await get(worker, `/children/${other.childId}/assessments/${id}`), 404);
    expect((await assessmentRow(id)).version).toBe(1);
  });
});
