import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import type { Actor } from '../../src/modules/access/actor.ts';
import { frontDoorDashboard } from '../../src/modules/help/front-door.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { expectGovukErrorPage, signedInAs } from '../support/app-helpers.ts';
import { openTestDb } from '../support/db.ts';
import type { Browser } from '../support/web.ts';
import { testApp } from '../support/web.ts';
import { makeWorld, testClock, testDeps, type TestClock } from '../support/world.ts';

/**
 * The front door: requests for help from anyone, drafts kept in the database, decisions with their
 * reasons and their effects on the child's one episode of help, and the front door's figures.
 * The clock stands at Wednesday 25 November 2026, 10:00 in London.
 */
let handle: DbHandle;
let deps: Deps;
let clock: TestClock;
let app: FastifyInstance;

const NOW = new Date('2026-11-25T10:00:00Z');

beforeAll(async () => {
  handle = await openTestDb();
  clock = testClock(NOW);
  deps = testDeps(handle, { clock });
  app = await testApp(deps);
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

/** A council with a front door team (A) and a locality team (B), their staff and threshold guidance. */
async function frontDoorWorld() {
  clock.set(NOW);
  const world = await makeWorld(deps);
  const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
  const manager = await world.user({ roles: ['team_manager'], teamIds: [world.teamA] });
  const secondManager = await world.user({ roles: ['team_manager'], teamIds: [world.teamA] });
  const otherWorker = await world.user({ roles: ['practitioner'], teamIds: [world.teamB] });
  const otherManager = await world.user({ roles: ['team_manager'], teamIds: [world.teamB] });
  const threshold = await deps.db
    .insertInto('threshold_guidance_versions')
    .values({
      organisation_id: world.organisationId,
      version: '3.1',
      title: 'Help for families in Testshire',
      published_on: '2026-04-01',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { world, worker, manager, secondManager, otherWorker, otherManager, thresholdId: threshold.id };
}

/** A school's request, every answer given; the referral source left to be worked out (2A). */
function schoolRequest(extra: Record<string, string> = {}): Record<string, string> {
  return {
    requesterKind: 'professional',
    requesterName: 'Amina Shah',
    requesterRole: 'Designated safeguarding lead',
    requesterOrganisation: 'Sunnyside Primary School',
    requesterContact: '01632 960123',
    referralSource: '',
    worry: 'Often arrives hungry and has missed eleven days this term.',
    familyView: 'Mum says money is very tight since the benefit change and she wants help.',
    alreadyTried: 'Breakfast club and a uniform grant.',
    willKeepDoing: 'Breakfast club every day and a weekly check-in with the learning mentor.',
    familyKnows: 'yes',
    familyConsents: 'yes',
    primaryNeed: 'N7',
    intent: 'send',
    ...extra,
  };
}

function decisionForm(
  thresholdId: string,
  version: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    decision: 'assessment',
    decisionService: '',
    teamId: '',
    reason: 'The school’s worries have gone on for a term and need a fuller picture.',
    thresholdId,
    helpOfferedInstead: '',
    feedback: 'Rang Ms Shah: an assessment will start this week.',
    version,
    ...extra,
  };
}

function idFromLocation(response: LightMyRequestResponse): string {
  const match = /^\/front-door\/requests\/([0-9a-f-]{36})\?done=/.exec(String(response.headers.location));
  if (!match?.[1])
    throw new Error(
      `unexpected redirect ${String(response.headers.location)}: ${response.body.slice(0, 300)}`,
    );
  return match[1];
}

function versionOn(html: string): string {
  const match = /name="version" value="(\d+)"/.exec(html);
  if (!match?.[1]) throw new Error('No version on the page');
  return match[1];
}

function testId(html: string, id: string): string {
  const match = new RegExp(`data-testid="${id}"[^>]*>([^<]*)<`).exec(html);
  return match?.[1]?.trim() ?? '';
}

/** Sends a request for a child already known (arriving from their page). */
async function sendFor(
  browser: Browser,
  childId: string,
  extra: Record<string, string> = {},
): Promise<string> {
  const response = await browser.post('/front-door/requests/new', schoolRequest({ childId, ...extra }), {
    tokenFrom: `/front-door/requests/new?child=${childId}`,
  });
  expect(response.statusCode, response.body.slice(0, 500)).toBe(303);
  return idFromLocation(response);
}

async function decide(
  browser: Browser,
  requestId: string,
  thresholdId: string,
  extra: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  const form = await browser.get(`/front-door/requests/${requestId}/decision`);
  expect(form.statusCode, form.body.slice(0, 300)).toBe(200);
  return browser.post(
    `/front-door/requests/${requestId}/decision`,
    decisionForm(thresholdId, versionOn(form.body), extra),
    {
      tokenFrom: `/front-door/requests/${requestId}/decision`,
    },
  );
}

async function auditActions(entityId: string): Promise<string[]> {
  const rows = await deps.db
    .selectFrom('audit_log')
    .select('action')
    .where('entity_id', '=', entityId)
    .orderBy('seq')
    .execute();
  return rows.map((r) => r.action);
}

async function activeAllocations(personId: string) {
  return deps.db
    .selectFrom('allocations')
    .select(['team_id', 'episode_id', 'worker_user_id'])
    .where('person_id', '=', personId)
    .where('ended_at', 'is', null)
    .execute();
}

describe('a school asks for help', () => {
  it('is drafted, resumed, sent and decided: an assessment in one episode with a CIN referral from 2A', async () => {
    const { world, worker, manager, thresholdId } = await frontDoorWorld();
    const browser = await signedInAs(app, deps, worker.id);

    // The worker starts the request while on the phone to the school, and saves a draft.
    const blank = await browser.get('/front-door/requests/new');
    expect(blank.statusCode).toBe(200);
    expect(blank.body).toContain('Request help for a child');
    const drafted = await browser.post(
      '/front-door/requests/new',
      {
        childGivenName: 'Kestrel',
        childFamilyName: 'Front-Doorington',
        'childDateOfBirth-day': '3',
        'childDateOfBirth-month': '5',
        'childDateOfBirth-year': '2017',
        requesterKind: 'professional',
        requesterOrganisation: 'Sunnyside Primary School',
        worry: 'Often arrives hungry.',
        intent: 'draft',
      },
      { tokenFrom: '/front-door/requests/new' },
    );
    expect(drafted.statusCode, drafted.body.slice(0, 500)).toBe(303);
    const requestId = idFromLocation(drafted);
    const draftRow = await deps.db
      .selectFrom('help_requests')
      .selectAll()
      .where('id', '=', requestId)
      .executeTakeFirstOrThrow();
    expect(draftRow.status).toBe('draft');
    expect(draftRow.received_at).toBeNull();
    expect(draftRow.worry).toBe('Often arrives hungry.');
    expect(draftRow.created_by).toBe(worker.id);
    const childId = draftRow.person_id;
    if (childId === null) throw new Error('the draft has its child');
    const child = await deps.db
      .selectFrom('people')
      .selectAll()
      .where('id', '=', childId)
      .executeTakeFirstOrThrow();
    expect(child).toMatchObject({
      given_name: 'Kestrel',
      family_name: 'Front-Doorington',
      date_of_birth: '2017-05-03',
      is_child: true,
    });

    // The draft is kept in the database and resumed from the front door page.
    const dashboard = await browser.get('/front-door');
    expect(dashboard.statusCode).toBe(200);
    expect(dashboard.body).toContain(`href="/front-door/requests/${requestId}"`);
    expect(dashboard.body).toContain('Kestrel Front-Doorington');
    const resumed = await browser.get(`/front-door/requests/${requestId}`);
    expect(resumed.statusCode).toBe(200);
    expect(resumed.body).toContain('Continue a request for help');
    expect(resumed.body).toContain('Often arrives hungry.');
    expect(resumed.body).toContain(`name="childId" value="${childId}"`);
    // Someone else cannot see another person's draft.
    const managerBrowser = await signedInAs(app, deps, manager.id);
    expectGovukErrorPage(await managerBrowser.get(`/front-door/requests/${requestId}`), 404);

    // Sent, with the referral source left to be worked out from who is asking: a school is 2A.
    const sent = await browser.post(
      `/front-door/requests/${requestId}`,
      schoolRequest({ childId, version: versionOn(resumed.body) }),
      { tokenFrom: `/front-door/requests/${requestId}` },
    );
    expect(sent.statusCode, sent.body.slice(0, 500)).toBe(303);
    expect(sent.headers.location).toBe(`/front-door/requests/${requestId}?done=sent`);
    const sentRow = await deps.db
      .selectFrom('help_requests')
      .selectAll()
      .where('id', '=', requestId)
      .executeTakeFirstOrThrow();
    expect(sentRow).toMatchObject({
      status: 'awaiting_decision',
      referral_source: '2A',
      primary_need: 'N7',
      team_id: world.teamA,
      family_knows: true,
      family_consents: true,
      will_keep_doing: 'Breakfast club every day and a weekly check-in with the learning mentor.',
    });
    expect(sentRow.received_at?.toISOString()).toBe(NOW.toISOString());
    const decideTask = await deps.db
      .selectFrom('tasks')
      .selectAll()
      .where('source_id', '=', requestId)
      .where('kind', '=', 'decide_request')
      .executeTakeFirstOrThrow();
    expect(decideTask).toMatchObject({
      due_on: '2026-11-26',
      assigned_team_id: world.teamA,
      completed_at: null,
    });
    expect((await activeAllocations(childId)).map((a) => a.team_id)).toEqual([world.teamA]);
    const sentPage = await browser.get(`/front-door/requests/${requestId}?done=sent`);
    expect(sentPage.body).toContain('The request has been sent to the front door.');
    expect(sentPage.body).toContain('2A: A school');

    // The manager sees it waiting, and decides: a child and family assessment by team B.
    const waiting = await managerBrowser.get('/front-door');
    expect(waiting.body).toContain(`href="/front-door/requests/${requestId}"`);
    expect(testId(waiting.body, 'waiting-count')).toBe('1');
    const decided = await decide(managerBrowser, requestId, thresholdId, { teamId: world.teamB });
    expect(decided.statusCode, decided.body.slice(0, 800)).toBe(303);
    expect(decided.headers.location).toBe(`/front-door/requests/${requestId}?done=decided`);

    const decidedRow = await deps.db
      .selectFrom('help_requests')
      .selectAll()
      .where('id', '=', requestId)
      .executeTakeFirstOrThrow();
    expect(decidedRow).toMatchObject({
      status: 'decided',
      decision: 'assessment',
      decided_by: manager.id,
      decision_threshold_id: thresholdId,
      feedback_to_requester: 'Rang Ms Shah: an assessment will start this week.',
    });
    expect(decidedRow.feedback_given_at?.toISOString()).toBe(NOW.toISOString());
    const episode = await deps.db
      .selectFrom('help_episodes')
      .selectAll()
      .where('person_id', '=', childId)
      .executeTakeFirstOrThrow();
    expect(decidedRow.episode_id).toBe(episode.id);
    expect(episode).toMatchObject({ status: 'assessment', started_on: '2026-11-25', closed_on: null });
    const referral = await deps.db
      .selectFrom('cin_referrals')
      .selectAll()
      .where('episode_id', '=', episode.id)
      .executeTakeFirstOrThrow();
    expect(referral).toMatchObject({
      referral_source: '2A',
      primary_need: 'N7',
      request_id: requestId,
      referral_date: '2026-11-25',
      closed_on: null,
    });
    const assessment = await deps.db
      .selectFrom('assessments')
      .selectAll()
      .where('episode_id', '=', episode.id)
      .executeTakeFirstOrThrow();
    // 45 working days from Wednesday 25 November 2026, past Christmas, the Boxing Day substitute
    // (Monday 28 December) and New Year's Day.
    expect(assessment).toMatchObject({
      kind: 'child_and_family',
      status: 'in_progress',
      started_on: '2026-11-25',
      due_on: '2027-02-01',
      cin_referral_id: referral.id,
    });
    const tasks = await deps.db
      .selectFrom('tasks')
      .select(['kind', 'due_on', 'assigned_team_id', 'completed_at', 'completed_by'])
      .where('person_id', '=', childId)
      .orderBy('kind')
      .execute();
    expect(tasks).toEqual([
      {
        kind: 'complete_assessment',
        due_on: '2027-02-01',
        assigned_team_id: world.teamB,
        completed_at: null,
        completed_by: null,
      },
      {
        kind: 'decide_request',
        due_on: '2026-11-26',
        assigned_team_id: world.teamA,
        completed_at: NOW,
        completed_by: manager.id,
      },
    ]);
    // The child now belongs to team B, for this episode.
    expect(await activeAllocations(childId)).toEqual([
      { team_id: world.teamB, episode_id: episode.id, worker_user_id: null },
    ]);

    const chronology = await deps.db
      .selectFrom('chronology_entries')
      .select(['event', 'summary', 'occurred_on'])
      .where('person_id', '=', childId)
      .orderBy('created_at')
      .execute();
    // (The episode and the decision are written in one transaction, so share a created_at.)
    expect(chronology.map((c) => c.event).sort()).toEqual([
      'episode.opened',
      'request.decided',
      'request.received',
    ]);
    expect(chronology.every((c) => c.occurred_on === '2026-11-25')).toBe(true);
    expect(chronology.find((c) => c.event === 'request.received')?.summary).toContain(
      'Designated safeguarding lead at Sunnyside Primary School',
    );
    expect(chronology.find((c) => c.event === 'request.decided')?.summary).toContain(
      'child and family assessment',
    );

    expect(await auditActions(requestId)).toEqual([
      'help_request.draft_saved',
      'help_request.sent',
      'help_request.decided',
    ]);
    const decidedAudit = await deps.db
      .selectFrom('audit_log')
      .select(['actor_user_id', 'detail'])
      .where('entity_id', '=', requestId)
      .where('action', '=', 'help_request.decided')
      .executeTakeFirstOrThrow();
    expect(decidedAudit.actor_user_id).toBe(manager.id);
    expect(decidedAudit.detail).toMatchObject({
      decision: 'assessment',
      episodeId: episode.id,
      assessmentId: assessment.id,
    });
    expect(JSON.stringify(decidedAudit.detail)).not.toContain('Kestrel');
    expect(await auditActions(childId)).toContain('person.created');

    // The request shows the decision; the decision page is not offered again.
    const page = await managerBrowser.get(`/front-door/requests/${requestId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Child and family assessment');
    expect(page.body).toContain('Help for families in Testshire (version 3.1');
    expect(page.body).not.toContain('Decide on this request');
    const again = await managerBrowser.get(`/front-door/requests/${requestId}/decision`);
    expect(again.statusCode).toBe(303);
  });

  it('offers a child already known before making a new record', async () => {
    const { world, worker } = await frontDoorWorld();
    const known = await deps.db
      .insertInto('people')
      .values({
        organisation_id: world.organisationId,
        given_name: 'Wren',
        family_name: 'Alreadyknown',
        date_of_birth: '2016-02-14',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await deps.db.insertInto('allocations').values({ person_id: known.id, team_id: world.teamB }).execute();
    const browser = await signedInAs(app, deps, worker.id);
    const form = schoolRequest({
      childGivenName: 'Wren',
      childFamilyName: 'Alreadyknown',
      'childDateOfBirth-day': '14',
      'childDateOfBirth-month': '2',
      'childDateOfBirth-year': '2016',
    });
    const people = await deps.db.selectFrom('people').select('id').execute();
    const offered = await browser.post('/front-door/requests/new', form, {
      tokenFrom: '/front-door/requests/new',
    });
    expect(offered.statusCode).toBe(200);
    expect(offered.body).toContain('Is this one of these children?');
    expect(offered.body).toContain(`value="${known.id}"`);
    // The answers so far are carried through the question.
    expect(offered.body).toContain('value="Often arrives hungry and has missed eleven days this term."');
    expect(
      await deps.db
        .selectFrom('help_requests')
        .select('id')
        .where('organisation_id', '=', world.organisationId)
        .execute(),
    ).toEqual([]);

    const unanswered = await browser.post(
      '/front-door/requests/new',
      { ...form, duplicatesShown: 'yes' },
      { tokenFrom: '/front-door/requests/new' },
    );
    expect(unanswered.statusCode).toBe(400);
    expect(unanswered.body).toContain('href="#duplicateChoice"');

    const chosen = await browser.post(
      '/front-door/requests/new',
      { ...form, duplicatesShown: 'yes', duplicateChoice: known.id },
      { tokenFrom: '/front-door/requests/new' },
    );
    expect(chosen.statusCode, chosen.body.slice(0, 500)).toBe(303);
    const requestId = idFromLocation(chosen);
    const row = await deps.db
      .selectFrom('help_requests')
      .selectAll()
      .where('id', '=', requestId)
      .executeTakeFirstOrThrow();
    expect(row.person_id).toBe(known.id);
    expect(row.status).toBe('awaiting_decision');
    // No new record; the child keeps their team (B): the front door does not take them over.
    expect((await deps.db.selectFrom('people').select('id').execute()).length).toBe(people.length);
    expect((await activeAllocations(known.id)).map((a) => a.team_id)).toEqual([world.teamB]);
  });
});

describe('the request form', () => {
  it('shows every problem, linked to its field, and keeps what was typed', async () => {
    const { worker } = await frontDoorWorld();
    const browser = await signedInAs(app, deps, worker.id);
    const response = await browser.post(
      '/front-door/requests/new',
      {
        childGivenName: 'Sparrow',
        childFamilyName: '',
        'childDateOfBirth-day': '12',
        'childDateOfBirth-month': '',
        'childDateOfBirth-year': '2018',
        requesterKind: 'professional',
        requesterName: 'Sam Patel',
        requesterOrganisation: 'Riverside Surgery',
        worry: 'Bruise on the arm, explained as a fall. Second time this month.',
        familyView: '',
        alreadyTried: 'Talked to dad.',
        willKeepDoing: '',
        familyKnows: 'no',
        primaryNeed: '',
        intent: 'send',
      },
      { tokenFrom: '/front-door/requests/new' },
    );
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('govuk-error-summary');
    const links = [...response.body.matchAll(/<a href="(#[A-Za-z-]+)">/g)].map((m) => m[1]);
    expect(links).toEqual([
      '#childFamilyName',
      '#childDateOfBirth-month',
      '#requesterRole',
      '#requesterContact',
      '#familyView',
      '#willKeepDoing',
      '#primaryNeed',
    ]);
    expect(response.body).toContain('Enter what the professional asking will keep doing to help the family');
    expect(response.body).toContain('Date of birth must include a month');
    // What was typed is all still there.
    expect(response.body).toContain('value="Sparrow"');
    expect(response.body).toContain('value="Riverside Surgery"');
    expect(response.body).toContain('Bruise on the arm, explained as a fall. Second time this month.');
    expect(response.body).toContain('Talked to dad.');
    expect(response.body).toMatch(/name="familyKnows" type="radio" value="no" checked/);
    expect(response.body).toMatch(/value="professional" checked/);
    // Nothing was saved, no record made.
    expect(
      await deps.db.selectFrom('people').select('id').where('given_name', '=', 'Sparrow').execute(),
    ).toEqual([]);

    // A draft needs much less, but a new child needs a name and a real date of birth to be recorded.
    const draft = await browser.post(
      '/front-door/requests/new',
      {
        childGivenName: 'Sparrow',
        childFamilyName: 'Nest',
        'childDateOfBirth-day': '31',
        'childDateOfBirth-month': '2',
        'childDateOfBirth-year': '2018',
        intent: 'draft',
      },
      { tokenFrom: '/front-door/requests/new' },
    );
    expect(draft.statusCode).toBe(400);
    expect(draft.body).toContain('Date of birth must be a real date');
    expect(draft.body).toContain('value="Nest"');
  });
});

describe('deciding', () => {
  it('a community service needs the service named and the help offered instead, and leaves no episode', async () => {
    const { world, worker, manager, thresholdId } = await frontDoorWorld();
    const child = await deps.db
      .insertInto('people')
      .values({
        organisation_id: world.organisationId,
        given_name: 'Linnet',
        family_name: 'Communityfield',
        date_of_birth: '2019-09-09',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const requestId = await sendFor(await signedInAs(app, deps, worker.id), child.id);
    // The child had no team: the front door holds them while the request waits.
    expect(await activeAllocations(child.id)).toEqual([
      { team_id: world.teamA, episode_id: null, worker_user_id: null },
    ]);

    const browser = await signedInAs(app, deps, manager.id);
    const refused = await decide(browser, requestId, thresholdId, {
      decision: 'community_service',
      reason: 'A parenting group will help more than a social worker.',
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('href="#decisionService"');
    expect(refused.body).toContain('Enter the name of the community or universal service');
    expect(refused.body).toContain('href="#helpOfferedInstead"');
    expect(refused.body).toContain('Enter what help was offered instead');
    expect(refused.body).toContain('A parenting group will help more than a social worker.');
    expect(refused.body).toMatch(/value="community_service" checked/);
    expect(
      (
        await deps.db
          .selectFrom('help_requests')
          .select('status')
          .where('id', '=', requestId)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('awaiting_decision');

    const decided = await decide(browser, requestId, thresholdId, {
      decision: 'community_service',
      decisionService: 'Family hub parenting group (Tuesdays)',
      reason: 'A parenting group will help more than a social worker.',
      helpOfferedInstead: 'A place at the parenting group and a food bank voucher.',
    });
    expect(decided.statusCode, decided.body.slice(0, 500)).toBe(303);
    const row = await deps.db
      .selectFrom('help_requests')
      .selectAll()
      .where('id', '=', requestId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: 'decided',
      decision: 'community_service',
      decision_service: 'Family hub parenting group (Tuesdays)',
      decision_help_offered_instead: 'A place at the parenting group and a food bank voucher.',
      episode_id: null,
    });
    expect(
      await deps.db.selectFrom('help_episodes').select('id').where('person_id', '=', child.id).execute(),
    ).toEqual([]);
    // The front door's holding allocation ends: no team works with the child now.
    expect(await activeAllocations(child.id)).toEqual([]);
    const chronology = await deps.db
      .selectFrom('chronology_entries')
      .select('event')
      .where('person_id', '=', child.id)
      .orderBy('created_at')
      .execute();
    expect(chronology.map((c) => c.event)).toEqual(['request.received', 'request.decided']);
    // The request is still there for the front door team to read.
    const page = await browser.get(`/front-door/requests/${requestId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Family hub parenting group (Tuesdays)');
  });

  it('is refused to staff of another team (not found), who change nothing', async () => {
    const { world, worker, otherWorker, otherManager, thresholdId } = await frontDoorWorld();
    const childId = await world.child({ teamId: world.teamA, given: 'Dunnock' });
    const requestId = await sendFor(await signedInAs(app, deps, worker.id), childId);
    const before = await deps.db
      .selectFrom('help_requests')
      .selectAll()
      .where('id', '=', requestId)
      .executeTakeFirstOrThrow();

    const outsider = await signedInAs(app, deps, otherWorker.id);
    expectGovukErrorPage(await outsider.get(`/front-door/requests/${requestId}`), 404);
    const otherTeamManager = await signedInAs(app, deps, otherManager.id);
    expectGovukErrorPage(await otherTeamManager.get(`/front-door/requests/${requestId}`), 404);
    expectGovukErrorPage(await otherTeamManager.get(`/front-door/requests/${requestId}/decision`), 404);
    const posted = await otherTeamManager.post(
      `/front-door/requests/${requestId}/decision`,
      decisionForm(thresholdId, String(before.version), { teamId: world.teamB }),
      { tokenFrom: '/front-door' },
    );
    expectGovukErrorPage(posted, 404);
    // Their dashboard does not list it.
    const dashboard = await otherTeamManager.get('/front-door');
    expect(dashboard.body).not.toContain(requestId);
    expect(testId(dashboard.body, 'waiting-count')).toBe('0');
    // A practitioner of the front door team may read it, but not decide.
    const teamWorker = await signedInAs(
      app,
      deps,
      (await world.user({ roles: ['practitioner'], teamIds: [world.teamA] })).id,
    );
    const readable = await teamWorker.get(`/front-door/requests/${requestId}`);
    expect(readable.statusCode).toBe(200);
    expect(readable.body).not.toContain('Decide on this request');
    expectGovukErrorPage(await teamWorker.get(`/front-door/requests/${requestId}/decision`), 403);

    const after = await deps.db
      .selectFrom('help_requests')
      .selectAll()
      .where('id', '=', requestId)
      .executeTakeFirstOrThrow();
    expect(after).toEqual(before);
    expect(
      await deps.db.selectFrom('help_episodes').select('id').where('person_id', '=', childId).execute(),
    ).toEqual([]);
  });

  it('about a restricted child shows staff not named on the restriction the name only, and lets only named staff decide', async () => {
    const { world, worker, manager, secondManager, thresholdId } = await frontDoorWorld();
    const childId = await world.child({ teamId: world.teamA, given: 'Wryneck', family: 'Quail' });
    await deps.db
      .updateTable('people')
      .set({ date_of_birth: '2015-07-14' })
      .where('id', '=', childId)
      .execute();
    const requestId = await sendFor(await signedInAs(app, deps, worker.id), childId);
    const restriction = await deps.db
      .insertInto('person_restrictions')
      .values({
        person_id: childId,
        category: 'staff',
        reason: 'For the test',
        approved_by: null,
        review_on: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await deps.db
      .insertInto('person_restriction_users')
      .values({ restriction_id: restriction.id, user_id: secondManager.id })
      .execute();
    const before = await deps.db
      .selectFrom('help_requests')
      .selectAll()
      .where('id', '=', requestId)
      .executeTakeFirstOrThrow();

    // A manager of the front door team, not named: the name, and nothing else about the child.
    const notNamed = await signedInAs(app, deps, manager.id);
    const page = await notNamed.get(`/front-door/requests/${requestId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Wryneck Quail');
    expect(page.body).toContain('This child’s record is restricted');
    expect(page.body).not.toContain(`/children/${childId}`);
    expect(page.body).not.toContain('14 July 2015');
    expect(page.body).not.toContain('Often arrives hungry');
    expect(page.body).not.toContain('Sunnyside Primary School');
    expect(page.body).not.toContain('Decide on this request');
    expectGovukErrorPage(await notNamed.get(`/front-door/requests/${requestId}/decision`), 404);
    const posted = await notNamed.post(
      `/front-door/requests/${requestId}/decision`,
      decisionForm(thresholdId, String(before.version)),
      { tokenFrom: '/front-door' },
    );
    expectGovukErrorPage(posted, 404);
    expect(
      await deps.db
        .selectFrom('help_requests')
        .selectAll()
        .where('id', '=', requestId)
        .executeTakeFirstOrThrow(),
    ).toEqual(before);

    // The manager named on the restriction sees it all and decides.
    const named = await signedInAs(app, deps, secondManager.id);
    const full = await named.get(`/front-door/requests/${requestId}`);
    expect(full.body).toContain(`/children/${childId}`);
    expect(full.body).toContain('14 July 2015');
    expect(full.body).toContain('Often arrives hungry');
    expect(full.body).toContain('Decide on this request');
    expect((await decide(named, requestId, thresholdId, { teamId: world.teamA })).statusCode).toBe(303);
  });

  it('shows the second of two managers deciding at once both decisions, and keeps the first', async () => {
    const { world, worker, manager, secondManager, thresholdId } = await frontDoorWorld();
    const childId = await world.child({ teamId: world.teamA, given: 'Siskin' });
    const requestId = await sendFor(await signedInAs(app, deps, worker.id), childId);
    const first = await signedInAs(app, deps, manager.id);
    const second = await signedInAs(app, deps, secondManager.id);
    const firstForm = await first.get(`/front-door/requests/${requestId}/decision`);
    const secondForm = await second.get(`/front-door/requests/${requestId}/decision`);

    const saved = await first.post(
      `/front-door/requests/${requestId}/decision`,
      decisionForm(thresholdId, versionOn(firstForm.body), {
        decision: 'family_help',
        teamId: world.teamB,
        reason: 'The family asked for help with routines; family help fits.',
      }),
      { tokenFrom: '/front-door' },
    );
    expect(saved.statusCode, saved.body.slice(0, 500)).toBe(303);
    const conflict = await second.post(
      `/front-door/requests/${requestId}/decision`,
      decisionForm(thresholdId, versionOn(secondForm.body), {
        decision: 'information_advice',
        reason: 'Advice on routines is enough.',
        helpOfferedInstead: 'A leaflet about the family hub.',
      }),
      { tokenFrom: '/front-door' },
    );
    expect(conflict.statusCode).toBe(409);
    expect(conflict.body).toContain('Someone else changed this record');
    expect(conflict.body).toContain('data-testid="conflict-versions"');
    expect(conflict.body).toContain('Family help');
    expect(conflict.body).toContain('The family asked for help with routines; family help fits.');
    expect(conflict.body).toContain('Information and advice');
    expect(conflict.body).toContain('Advice on routines is enough.');
    expect(conflict.body).toContain(`href="/front-door/requests/${requestId}"`);

    const row = await deps.db
      .selectFrom('help_requests')
      .selectAll()
      .where('id', '=', requestId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      decision: 'family_help',
      decided_by: manager.id,
      decision_help_offered_instead: null,
    });
    const episodes = await deps.db
      .selectFrom('help_episodes')
      .selectAll()
      .where('person_id', '=', childId)
      .execute();
    expect(episodes.map((e) => e.status)).toEqual(['family_help']);
    // Family help: allocated to team B with no worker yet, and a task to allocate one.
    expect(await activeAllocations(childId)).toEqual([
      { team_id: world.teamB, episode_id: episodes[0]?.id, worker_user_id: null },
    ]);
    const allocateTask = await deps.db
      .selectFrom('tasks')
      .select(['assigned_team_id', 'due_on', 'completed_at'])
      .where('person_id', '=', childId)
      .where('kind', '=', 'allocate_worker')
      .execute();
    expect(allocateTask).toEqual([
      { assigned_team_id: world.teamB, due_on: '2026-11-27', completed_at: null },
    ]);
    expect((await auditActions(requestId)).filter((a) => a === 'help_request.decided')).toHaveLength(1);
  });

  it('continues the open episode when another request comes for the same child', async () => {
    const { world, worker, manager, thresholdId } = await frontDoorWorld();
    const childId = await world.child({ teamId: world.teamA, given: 'Plover' });
    const requester = await signedInAs(app, deps, worker.id);
    const decider = await signedInAs(app, deps, manager.id);
    const firstRequest = await sendFor(requester, childId);
    expect(
      (await decide(decider, firstRequest, thresholdId, { decision: 'family_help', teamId: world.teamA }))
        .statusCode,
    ).toBe(303);
    const [episode] = await deps.db
      .selectFrom('help_episodes')
      .selectAll()
      .where('person_id', '=', childId)
      .execute();
    expect(episode?.status).toBe('family_help');
    expect(
      await deps.db
        .selectFrom('cin_referrals')
        .select('id')
        .where('episode_id', '=', episode?.id ?? '')
        .execute(),
    ).toEqual([]);

    // A week later, the health visitor asks again: this time the front door decides on an assessment.
    clock.set(new Date('2026-12-02T11:00:00Z'));
    // (Sessions time out: both sign in again.)
    const requesterAgain = await signedInAs(app, deps, worker.id);
    const deciderAgain = await signedInAs(app, deps, manager.id);
    const secondRequest = await sendFor(requesterAgain, childId, {
      requesterRole: 'Health visitor',
      requesterOrganisation: 'Testshire Community Health',
      referralSource: '3B',
      primaryNeed: 'N4',
    });
    const form = await deciderAgain.get(`/front-door/requests/${secondRequest}/decision`);
    expect(form.body).toContain('This child already has help: Family help since 25 November 2026');
    expect(form.body).toMatch(
      /Other requests in the 12 months before\s*<\/dt>\s*<dd class="govuk-summary-list__value">\s*1\s*</,
    );
    expect((await decide(deciderAgain, secondRequest, thresholdId, { teamId: world.teamB })).statusCode).toBe(
      303,
    );

    const episodes = await deps.db
      .selectFrom('help_episodes')
      .selectAll()
      .where('person_id', '=', childId)
      .execute();
    expect(episodes).toHaveLength(1);
    expect(episodes[0]).toMatchObject({
      id: episode?.id,
      status: 'assessment',
      started_on: '2026-11-25',
      status_since: '2026-12-02',
    });
    const requests = await deps.db
      .selectFrom('help_requests')
      .select(['id', 'episode_id'])
      .where('person_id', '=', childId)
      .orderBy('received_at')
      .execute();
    expect(requests).toEqual([
      { id: firstRequest, episode_id: episode?.id },
      { id: secondRequest, episode_id: episode?.id },
    ]);
    // Stepping into children's social care starts the CIN referral, from the second request's source.
    const referrals = await deps.db
      .selectFrom('cin_referrals')
      .selectAll()
      .where('episode_id', '=', episode?.id ?? '')
      .execute();
    expect(referrals).toHaveLength(1);
    expect(referrals[0]).toMatchObject({
      referral_source: '3B',
      primary_need: 'N4',
      request_id: secondRequest,
      referral_date: '2026-12-02',
    });
    const changes = await deps.db
      .selectFrom('episode_status_changes')
      .select(['from_status', 'to_status'])
      .where('episode_id', '=', episode?.id ?? '')
      .orderBy('created_at')
      .execute();
    expect(changes).toEqual([
      { from_status: null, to_status: 'family_help' },
      { from_status: 'family_help', to_status: 'assessment' },
    ]);
    clock.set(NOW);
  });
});

describe('the front door page', () => {
  it('counts the requests waiting, the decisions made within 1 working day and the repeat requests', async () => {
    const { world, worker, manager, thresholdId } = await frontDoorWorld();
    const org = world.organisationId;
    const child = async (given: string) =>
      (
        await deps.db
          .insertInto('people')
          .values({
            organisation_id: org,
            given_name: given,
            family_name: 'Figures',
            date_of_birth: '2015-01-01',
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const request = async (
      personId: string,
      receivedAt: string,
      options: { decidedAt?: string; teamId?: string; status?: 'draft' | 'withdrawn' } = {},
    ) => {
      const decided = options.decidedAt !== undefined;
      const status = options.status ?? (decided ? 'decided' : 'awaiting_decision');
      await deps.db
        .insertInto('help_requests')
        .values({
          organisation_id: org,
          person_id: personId,
          status,
          received_at: status === 'draft' ? null : receivedAt,
          requester_kind: 'professional',
          requester_organisation: 'Sunnyside Primary School',
          referral_source: '2A',
          primary_need: 'N7',
          worry: 'A worry',
          team_id: options.teamId ?? world.teamA,
          created_by: worker.id,
          ...(decided
            ? {
                decision: 'information_advice' as const,
                decision_reason: 'Advice given',
                decision_threshold_id: thresholdId,
                decided_by: manager.id,
                decided_at: options.decidedAt,
              }
            : {}),
        })
        .execute();
    };
    const [oldest, newer, quick, slow, sameDay, old, otherTeam, repeatChild, notRepeat, twice] =
      await Promise.all(
        [
          'Oldest',
          'Newer',
          'Quick',
          'Slow',
          'Sameday',
          'Old',
          'Otherteam',
          'Repeat',
          'Notrepeat',
          'Twice',
        ].map(child),
      );
    if (
      !oldest ||
      !newer ||
      !quick ||
      !slow ||
      !sameDay ||
      !old ||
      !otherTeam ||
      !repeatChild ||
      !notRepeat ||
      !twice
    )
      throw new Error('children');
    // Waiting: received Friday 20 November (3 working days ago) and Tuesday 24 November (1).
    await request(newer, '2026-11-24T09:00:00Z');
    await request(oldest, '2026-11-20T16:00:00Z');
    // Decided in the last 28 days: Monday → Tuesday (1 working day), Friday → Tuesday (2), same day (0).
    await request(quick, '2026-11-16T09:00:00Z', { decidedAt: '2026-11-17T15:00:00Z' });
    await request(slow, '2026-11-13T09:00:00Z', { decidedAt: '2026-11-17T15:00:00Z' });
    await request(sameDay, '2026-11-19T09:00:00Z', { decidedAt: '2026-11-19T13:00:00Z' });
    // Not counted: decided more than 28 days ago; decided by another team.
    await request(old, '2026-10-01T09:00:00Z', { decidedAt: '2026-10-02T09:00:00Z' });
    await request(otherTeam, '2026-11-18T09:00:00Z', {
      decidedAt: '2026-11-23T09:00:00Z',
      teamId: world.teamB,
    });
    // Repeats: an earlier request in March 2026 (within 12 months of this month's); one in
    // October 2025 is more than 12 months before; a draft or withdrawn request does not count;
    // two requests this month count the child once.
    await request(repeatChild, '2026-03-02T09:00:00Z', { decidedAt: '2026-03-03T09:00:00Z' });
    await request(repeatChild, '2026-11-23T09:00:00Z', { decidedAt: '2026-11-23T12:00:00Z' });
    await request(notRepeat, '2025-10-01T09:00:00Z', { decidedAt: '2025-10-01T12:00:00Z' });
    await request(notRepeat, '2026-11-02T09:00:00Z', { status: 'draft' });
    await request(notRepeat, '2026-11-03T09:00:00Z', { status: 'withdrawn' });
    await request(notRepeat, '2026-11-24T10:00:00Z', { decidedAt: '2026-11-24T12:00:00Z' });
    await request(twice, '2026-11-12T09:00:00Z', { decidedAt: '2026-11-12T12:00:00Z' });
    await request(twice, '2026-11-18T09:00:00Z', { decidedAt: '2026-11-18T12:00:00Z' });

    const managerRow = await deps.db
      .selectFrom('users')
      .select('display_name')
      .where('id', '=', manager.id)
      .executeTakeFirstOrThrow();
    const actor: Actor = {
      userId: manager.id,
      organisationId: org,
      displayName: managerRow.display_name,
      teamIds: [world.teamA],
      localityIds: [world.localityIds.north],
      roleIds: ['team_manager'],
      permissions: [
        { resource: 'help', action: 'decide', scope: 'team' },
        { resource: 'help', action: 'read', scope: 'team' },
        { resource: 'help', action: 'request', scope: 'authority' },
      ],
    };
    const figures = await frontDoorDashboard(deps, actor);
    expect(figures.waiting.map((w) => [w.childName, w.workingDaysWaiting, w.overdue])).toEqual([
      ['Oldest Figures', 3, true],
      ['Newer Figures', 1, false],
    ]);
    expect(figures.waitingByDays.map((b) => b.count)).toEqual([0, 1, 0, 1]);
    // Quick, slow, same day, repeat (Nov 23), not-repeat (Nov 24), twice (Nov 12, Nov 18): 7, of which 6 within.
    expect(figures.decisions).toEqual({ total: 7, withinTimescale: 6, percent: 86 });
    expect(figures.repeats.count).toBe(2);
    expect(figures.repeats.children.map((c) => [c.childName, c.earlierRequests])).toEqual([
      ['Repeat Figures', 1],
      ['Twice Figures', 1],
    ]);

    const page = await (await signedInAs(app, deps, manager.id)).get('/front-door');
    expect(page.statusCode).toBe(200);
    expect(testId(page.body, 'waiting-count')).toBe('2');
    expect(testId(page.body, 'within-percent')).toBe('86%');
    expect(testId(page.body, 'within-count')).toBe('6 of 7 decisions');
    expect(testId(page.body, 'repeat-count')).toBe('2');
    expect(page.body.indexOf('Oldest Figures')).toBeLessThan(page.body.indexOf('Newer Figures'));
    expect(page.body).toContain('Overdue');
    expect(page.body).toContain('<svg');
    // The navigation offers the front door.
    expect(page.body).toContain('href="/front-door"');
  });
});
