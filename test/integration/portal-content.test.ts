import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { openOrContinueEpisode } from '../../src/modules/help/episodes.ts';
import { createFamilySession } from '../../src/modules/portal/sessions.ts';
import type { PortalSection } from '../../src/modules/portal/family-actor.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { appWithRouteTable, fillRoute, signedInAs, type RouteInfo } from '../support/app-helpers.ts';
import { openTestDb } from '../support/db.ts';
import { readability, visibleText } from '../support/readability.ts';
import { Browser, csrfFrom } from '../support/web.ts';
import {
  makeWorld,
  testClock,
  testConfig,
  testDeps,
  type TestClock,
  type TestUser,
} from '../support/world.ts';

/**
 * The portal's content pages and the staff pages that answer them, through the real app: the plan,
 * meetings, reports with read receipts, the family's views beside the professional text, corrections
 * the worker must answer, and messages. Every content route is tried with another family's ids, and
 * no page may carry a byte of the hidden placement address.
 */

let handle: DbHandle;
let deps: Deps;
let clock: TestClock;
let app: FastifyInstance;
let routes: RouteInfo[];
let world: Awaited<ReturnType<typeof makeWorld>>;
let worker: TestUser;
let outsider: TestUser;
let staff: Browser;
let outsiderBrowser: Browser;

const HIDDEN_ADDRESS = '41 Larkspur Close';
const HIDDEN_POSTCODE = 'QQ1 2QQ';
const HIDDEN_CARER = 'Brightwater Carers';
const OUT_OF_HOURS = '0300 555 0199';

type Family = Awaited<ReturnType<typeof makeFamily>>;
let family: Family;
let other: Family;

async function makeFamily(given: string, sections: PortalSection[] | null = null) {
  const childId = await world.child({ teamId: world.teamA, workerId: worker.id, given, family: 'Webb' });
  const episode = await deps.db.transaction().execute((trx) =>
    openOrContinueEpisode(trx, {
      organisationId: world.organisationId,
      personId: childId,
      status: 'child_protection',
      on: '2026-10-01',
      reason: 'Conference decision',
      actorUserId: worker.id,
      referral: { source: '2A', primaryNeed: 'N1' },
    }),
  );
  const plan = await deps.db
    .insertInto('plans')
    .values({
      episode_id: episode.episodeId,
      person_id: childId,
      kind: 'child_protection',
      status: 'active',
      started_on: '2026-10-15',
      next_review_on: '2027-01-15',
      initial_category: 'EMO',
      latest_category: 'EMO',
      family_words: `We want ${given} home for Christmas`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await deps.db
    .insertInto('plan_goals')
    .values([
      {
        plan_id: plan.id,
        position: 1,
        goal: `${given} goes to football on Fridays`,
        who: 'Dad',
        progress: 'achieved',
      },
      {
        plan_id: plan.id,
        position: 2,
        goal: `Visits at ${HIDDEN_ADDRESS} (${HIDDEN_POSTCODE})`,
        who: HIDDEN_CARER,
      },
    ])
    .execute();
  const review = await deps.db
    .insertInto('plan_reviews')
    .values({ plan_id: plan.id, reviewed_on: '2026-11-20', family_view: 'Going well', decision: 'continue' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const assessment = await deps.db
    .insertInto('assessments')
    .values({
      episode_id: episode.episodeId,
      person_id: childId,
      kind: 'child_and_family',
      status: 'authorised',
      started_on: '2026-09-01',
      due_on: '2026-11-01',
      completed_on: '2026-10-01',
      authorised_on: '2026-10-02',
      authorised_by: worker.id,
      professional_analysis: 'The worker’s analysis',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const conference = await deps.db
    .insertInto('conferences')
    .values({
      episode_id: episode.episodeId,
      person_id: childId,
      plan_id: plan.id,
      kind: 'review',
      held_on: '2027-01-15',
      status: 'planned',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const period = await deps.db
    .insertInto('care_periods')
    .values({
      episode_id: episode.episodeId,
      person_id: childId,
      started_on: '2026-10-01',
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
      postcode: HIDDEN_POSTCODE,
      address: HIDDEN_ADDRESS,
      carer_name: HIDDEN_CARER,
      started_on: '2026-10-01',
    })
    .execute();
  const document = await deps.db
    .insertInto('documents')
    .values({
      person_id: childId,
      episode_id: episode.episodeId,
      title: `Conference report for ${given}`,
      filename: 'report "final".txt',
      content_type: 'text/html',
      size_bytes: 30,
      sha256: '0'.repeat(64),
      content: new TextEncoder().encode(`<p>Report about ${given}</p>`),
      uploaded_by: worker.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const parent = await deps.db
    .insertInto('people')
    .values({ organisation_id: world.organisationId, given_name: 'Jo', family_name: `${given}-Parent` })
    .returning('id')
    .executeTakeFirstOrThrow();
  const account = await deps.db
    .insertInto('family_accounts')
    .values({
      organisation_id: world.organisationId,
      person_id: parent.id,
      kind: 'parent',
      email: `${given.toLowerCase()}@example.org`,
      status: 'active',
      invited_by: worker.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await deps.db
    .insertInto('family_account_children')
    .values({
      account_id: account.id,
      child_id: childId,
      sections,
      limited_reason: sections ? 'Agreed at the conference' : null,
      granted_by: worker.id,
    })
    .execute();
  const browser = new Browser(app);
  browser.cookies.set('hearth-family', await createFamilySession(deps, account.id));
  return {
    given,
    childId,
    planId: plan.id,
    reviewId: review.id,
    assessmentId: assessment.id,
    conferenceId: conference.id,
    documentId: document.id,
    accountId: account.id,
    browser,
    ids: { shareId: '', viewId: '', correctionId: '', threadId: '' },
  };
}

beforeAll(async () => {
  handle = await openTestDb();
  clock = testClock(new Date('2026-12-07T10:00:00Z'));
  deps = testDeps(handle, {
    clock,
    config: testConfig({ HEARTH_PORTAL_OUT_OF_HOURS_PHONE: OUT_OF_HOURS }),
  });
  world = await makeWorld(deps);
  ({ app, routes } = await appWithRouteTable(deps));
  worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
  outsider = await world.user({ roles: ['practitioner'], teamIds: [world.teamB] });
  staff = await signedInAs(app, deps, worker.id);
  outsiderBrowser = await signedInAs(app, deps, outsider.id);
  family = await makeFamily('Robin');
  other = await makeFamily('Sky');
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

function expectNoHidden(response: LightMyRequestResponse): void {
  const body = response.body.toLowerCase();
  for (const secret of [HIDDEN_ADDRESS, HIDDEN_POSTCODE, HIDDEN_POSTCODE.replace(' ', ''), HIDDEN_CARER])
    expect(body).not.toContain(secret.toLowerCase());
}

async function familyPost(who: Family, url: string, form: Record<string, string | string[]>, page?: string) {
  const token = csrfFrom((await who.browser.get(page ?? url)).body);
  return who.browser.post(url, form, { csrf: token });
}

async function staffPost(
  browser: Browser,
  url: string,
  form: Record<string, string | string[]>,
  page: string,
) {
  const token = csrfFrom((await browser.get(page)).body);
  return browser.post(url, form, { csrf: token });
}

const base = (f: Family) => `/family/children/${f.childId}`;
const staffBase = (f: Family) => `/children/${f.childId}/family-portal`;

describe('the plan and meetings', () => {
  it('shows the plan in plain words, with the hidden placement withheld', async () => {
    const response = await family.browser.get(`${base(family)}/plan`);
    expect(response.statusCode, response.body.slice(0, 500)).toBe(200);
    expect(response.body).toContain('Child protection plan');
    expect(response.body).toContain('Robin goes to football on Fridays');
    expect(response.body).toContain('We want Robin home for Christmas');
    expect(response.body).toContain('15 January 2027');
    expect(response.body).toContain('[withheld]');
    expect(response.body).not.toContain('EMO');
    expectNoHidden(response);
    expect(response.body).not.toMatch(/<script/i);
  });

  it('lists the meetings coming up', async () => {
    const response = await family.browser.get(`${base(family)}/meetings`);
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Child protection review conference');
    expect(response.body).toContain('Not shared yet');
    expectNoHidden(response);
  });

  it('the home page links to each content section', async () => {
    const home = await family.browser.get('/family');
    for (const section of ['plan', 'meetings', 'reports', 'views', 'messages'])
      expect(home.body).toContain(`${base(family)}/${section}`);
  });
});

describe('reports shared before a meeting', () => {
  it('a worker shares a report; the parent downloads it; the worker sees the read receipt', async () => {
    const page = `${staffBase(family)}/contributions`;
    const shared = await staffPost(
      staff,
      `${staffBase(family)}/shares`,
      { documentId: family.documentId, accountIds: [family.accountId], conferenceId: family.conferenceId },
      page,
    );
    expect(shared.statusCode, shared.body.slice(0, 500)).toBe(303);
    const list = await family.browser.get(`${base(family)}/reports`);
    expect(list.body).toContain('Conference report for Robin');
    const match = new RegExp(`${base(family)}/reports/([0-9a-f-]{36})`).exec(list.body);
    family.ids.shareId = match?.[1] ?? '';
    expect(family.ids.shareId).not.toBe('');
    expect((await family.browser.get(`${base(family)}/meetings`)).body).toContain('Read the report');

    const before = await staff.get(page);
    expect(before.body).toContain('Not opened yet');
    const download = await family.browser.get(`${base(family)}/reports/${family.ids.shareId}`);
    expect(download.statusCode).toBe(200);
    expect(download.body).toBe('<p>Report about Robin</p>');
    // Never rendered as a page of the portal: always a download, with a safe name.
    expect(download.headers['content-type']).toBe('application/octet-stream');
    expect(download.headers['content-disposition']).toBe('attachment; filename="report-final-.txt"');
    const after = await staff.get(page);
    expect(after.body).toContain('First opened 7 December 2026');
  });

  it('a worker out of scope cannot share or see the receipts', async () => {
    expect((await outsiderBrowser.get(`${staffBase(family)}/contributions`)).statusCode).toBe(404);
  });
});

describe('the family’s own view and corrections', () => {
  it('the parent adds a view on the plan; the worker sees it beside the plan', async () => {
    const url = `${base(family)}/views/plan/${family.planId}`;
    const empty = await familyPost(family, url, { body: '   ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Write your view');
    const saved = await familyPost(family, url, { body: 'We think football should be on Saturdays too.' });
    expect(saved.statusCode, saved.body.slice(0, 500)).toBe(303);
    const page = await family.browser.get(`${url}?done=view`);
    expect(page.body).toContain('Your view has been saved');
    expect(page.body).toContain('We think football should be on Saturdays too.');
    family.ids.viewId = /action="[^"]*\/views\/([0-9a-f-]{36})"/.exec(page.body)?.[1] ?? '';
    expect(family.ids.viewId).not.toBe('');

    const staffPage = await staff.get(`${staffBase(family)}/contributions`);
    expect(staffPage.body).toContain('We think football should be on Saturdays too.');
    expect(staffPage.body).toContain('Jo Robin-Parent');
    const planPage = await staff.get(`/children/${family.childId}/plans/${family.planId}`);
    expect(planPage.statusCode).toBe(200);
    expect(planPage.body).toContain('We think football should be on Saturdays too.');
  });

  it('a stale edit shows both texts and loses nothing', async () => {
    const url = `${base(family)}/views/plan/${family.planId}/views/${family.ids.viewId}`;
    const page = `${base(family)}/views/plan/${family.planId}`;
    expect((await familyPost(family, url, { body: 'First change', version: '1' }, page)).statusCode).toBe(
      303,
    );
    const stale = await familyPost(family, url, { body: 'Second change', version: '1' }, page);
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('First change');
    expect(stale.body).toContain('Second change');
  });

  it('the parent flags an error; the worker answers; the parent sees the answer', async () => {
    const url = `${base(family)}/views/assessment/${family.assessmentId}`;
    const raised = await familyPost(
      family,
      `${url}/corrections`,
      { whatIsWrong: 'Dad did not go to the meeting', comment: 'Dad was at the meeting on 3 October.' },
      url,
    );
    expect(raised.statusCode, raised.body.slice(0, 500)).toBe(303);
    const staffPage = await staff.get(`${staffBase(family)}/contributions`);
    expect(staffPage.body).toContain('Dad was at the meeting on 3 October.');
    expect(staffPage.body).toContain('1 to answer');
    family.ids.correctionId = /id="correction-([0-9a-f-]{36})"/.exec(staffPage.body)?.[1] ?? '';
    const tray = await staff.get('/work-tray');
    expect(tray.body).toContain('Answer a correction from the family');

    const answerUrl = `${staffBase(family)}/corrections/${family.ids.correctionId}`;
    const missing = await staffPost(
      staff,
      answerUrl,
      { outcome: 'not_agreed', answer: '', version: '1' },
      `${staffBase(family)}/contributions`,
    );
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('Give the reason you do not agree');
    const answered = await staffPost(
      staff,
      answerUrl,
      { outcome: 'agreed', answer: 'You are right. I have corrected the assessment.', version: '1' },
      `${staffBase(family)}/contributions`,
    );
    expect(answered.statusCode, answered.body.slice(0, 500)).toBe(303);
    const seen = await family.browser.get(url);
    expect(seen.body).toContain('Agreed and corrected');
    expect(seen.body).toContain('You are right. I have corrected the assessment.');
  });
});

describe('messages', () => {
  it('the page says it is not for emergencies and who to call out of hours', async () => {
    const page = await family.browser.get(`${base(family)}/messages`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('not for emergencies');
    expect(page.body).toContain(OUT_OF_HOURS);
  });

  it('the parent writes; the worker reads and replies; the parent sees the reply', async () => {
    const sent = await familyPost(family, `${base(family)}/messages`, {
      subject: 'Football kit',
      body: 'Who pays for the football kit?',
    });
    expect(sent.statusCode, sent.body.slice(0, 500)).toBe(303);
    family.ids.threadId = /messages\/([0-9a-f-]{36})/.exec(sent.headers.location ?? '')?.[1] ?? '';
    const list = await staff.get(`${staffBase(family)}/messages`);
    expect(list.body).toContain('Football kit');
    expect(list.body).toContain('1 unread');
    const threadUrl = `${staffBase(family)}/messages/${family.ids.threadId}`;
    const thread = await staff.get(threadUrl);
    expect(thread.body).toContain('Who pays for the football kit?');
    clock.advance(60_000);
    const reply = await staffPost(staff, threadUrl, { body: 'We will pay for it.' }, threadUrl);
    expect(reply.statusCode, reply.body.slice(0, 500)).toBe(303);
    const familyThread = await family.browser.get(`${base(family)}/messages/${family.ids.threadId}`);
    expect(familyThread.body).toContain('We will pay for it.');
    expect(familyThread.body).toContain('Read on');
  });
});

describe('walls', () => {
  /** Fills every content route of the portal with `params`. */
  function contentRoutes(): RouteInfo[] {
    return routes.filter((r) =>
      /^\/family\/children\/:childId\/(plan|meetings|reports|views|messages)/.test(r.url),
    );
  }

  it('covers every content route', () => {
    const urls = contentRoutes().map((r) => `${r.method} ${r.url}`);
    expect(urls).toEqual(
      expect.arrayContaining([
        'GET /family/children/:childId/plan',
        'GET /family/children/:childId/reports/:shareId',
        'POST /family/children/:childId/views/:type/:itemId/corrections',
        'POST /family/children/:childId/messages/:threadId',
      ]),
    );
  });

  it('another family’s ids give "not found" on every content route, and nothing is written', async () => {
    // The other family's own things, so their ids are real.
    await familyPost(other, `${base(other)}/messages`, { subject: 'Hello', body: 'Hello' });
    other.ids.threadId =
      (
        await deps.db
          .selectFrom('family_message_threads')
          .select('id')
          .where('account_id', '=', other.accountId)
          .executeTakeFirst()
      )?.id ?? '';
    // The other family's parent tries this family's ids.
    const mixes: Record<string, string>[] = [
      // This family's child, with anything else.
      {
        childId: family.childId,
        shareId: family.ids.shareId,
        type: 'plan',
        itemId: family.planId,
        viewId: family.ids.viewId,
        threadId: family.ids.threadId,
      },
      // Their own child, with this family's things (URL editing).
      {
        childId: other.childId,
        shareId: family.ids.shareId,
        type: 'plan',
        itemId: family.planId,
        viewId: family.ids.viewId,
        threadId: family.ids.threadId,
      },
    ];
    const before = await deps.db.selectFrom('family_contributions').select('id').execute();
    let tried = 0;
    for (const params of mixes) {
      for (const route of contentRoutes()) {
        const url = fillRoute(route.url, params, 'x');
        // Routes naming only their own child are their own pages.
        if (params.childId === other.childId && !/:(itemId|threadId|shareId)/.test(route.url)) continue;
        const response =
          route.method === 'GET'
            ? await other.browser.get(url)
            : await other.browser.post(
                url,
                { body: 'Sneaky', subject: 'Sneaky', comment: 'Sneaky', version: '1' },
                { csrf: csrfFrom((await other.browser.get('/family')).body) },
              );
        expect(response.statusCode, `${route.method} ${url}`).toBe(404);
        expectNoHidden(response);
        expect(response.body).not.toContain('Robin');
        tried += 1;
      }
    }
    expect(tried).toBeGreaterThan(10);
    expect(await deps.db.selectFrom('family_contributions').select('id').execute()).toEqual(before);
  });

  it('a family account without a section gets "not found" for it', async () => {
    const limited = await makeFamily('Ash', ['messages']);
    for (const section of ['plan', 'meetings', 'reports', 'views'])
      expect((await limited.browser.get(`${base(limited)}/${section}`)).statusCode).toBe(404);
    expect((await limited.browser.get(`${base(limited)}/messages`)).statusCode).toBe(200);
  });

  it('no portal page shows the hidden placement', async () => {
    for (const path of [
      '/plan',
      '/meetings',
      '/reports',
      '/views',
      `/views/plan/${family.planId}`,
      `/views/plan_review/${family.reviewId}`,
      `/views/assessment/${family.assessmentId}`,
      `/views/conference/${family.conferenceId}`,
      '/messages',
      `/messages/${family.ids.threadId}`,
    ]) {
      const response = await family.browser.get(`${base(family)}${path}`);
      expect(response.statusCode, path).toBe(200);
      expectNoHidden(response);
    }
  });

  it('staff out of scope get "not found" on the staff pages', async () => {
    for (const path of ['/contributions', '/messages', `/messages/${family.ids.threadId}`])
      expect((await outsiderBrowser.get(`${staffBase(family)}${path}`)).statusCode, path).toBe(404);
  });
});

describe('plain English', () => {
  it('every content page of the portal reads easily: short sentences, everyday words', async () => {
    const pages: Record<string, string> = {
      plan: '/plan',
      meetings: '/meetings',
      reports: '/reports',
      views: '/views',
      'view on the plan': `/views/plan/${family.planId}`,
      'view on an assessment': `/views/assessment/${family.assessmentId}`,
      messages: '/messages',
      'a message thread': `/messages/${family.ids.threadId}`,
    };
    for (const [name, path] of Object.entries(pages)) {
      const response = await family.browser.get(`${base(family)}${path}`);
      expect(response.statusCode, name).toBe(200);
      const score = readability(visibleText(response.body));
      expect(score.fleschReadingEase, `${name}: ${JSON.stringify(score)}`).toBeGreaterThanOrEqual(70);
      expect(score.averageSentenceWords, name).toBeLessThanOrEqual(15);
      expect(score.longestSentenceWords, name).toBeLessThanOrEqual(25);
    }
  });
});
