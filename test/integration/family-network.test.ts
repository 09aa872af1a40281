import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { openOrContinueEpisode } from '../../src/modules/help/episodes.ts';
import { suppressFigure } from '../../src/modules/insight/suppress.ts';
import {
  familyNetworkFigures,
  financialQuarter,
} from '../../src/modules/protection/family-network-report.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { appWithRouteTable, expectGovukErrorPage, snapshot } from '../support/app-helpers.ts';
import { openTestDb } from '../support/db.ts';
import { makeWorld, testClock, testDeps, type TestClock, type TestUser } from '../support/world.ts';
import { dateFields, staffPages, versionOf } from '../support/staff-pages.ts';

/**
 * A family network meeting from the offer to the review of the family's plan, through the pages
 * (app.inject): the answer (a "no" needs the reason), the independent coordinator, the preparation,
 * the meeting, the family's plan (not agreed needs the reason), the support package and a review;
 * each step audited and in the chronology, stale forms refused, other teams kept out. Then the
 * report: its figures from meetings inserted here, suppressed on the page and in the CSV.
 */

let handle: DbHandle;
let app: FastifyInstance;
let deps: Deps;
let clock: TestClock;
let world: Awaited<ReturnType<typeof makeWorld>>;
let worker: TestUser;
let outsider: TestUser;
let analyst: TestUser;

beforeAll(async () => {
  handle = await openTestDb();
  clock = testClock(new Date('2026-12-01T10:00:00Z'));
  deps = testDeps(handle, { clock });
  world = await makeWorld(deps);
  ({ app } = await appWithRouteTable(deps));
  worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
  outsider = await world.user({ roles: ['practitioner'], teamIds: [world.teamB] });
  analyst = await world.user({ roles: ['performance_analyst'] });
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

const pages = staffPages(() => ({ app, deps }));
const { as, get, send } = pages;

async function childWithHelp(teamId: string, given: string, workerId?: string): Promise<string> {
  const childId = await world.child({ teamId, given, family: 'Network', ...(workerId ? { workerId } : {}) });
  await deps.db.transaction().execute((trx) =>
    openOrContinueEpisode(trx, {
      organisationId: world.organisationId,
      personId: childId,
      status: 'child_in_need',
      on: '2026-09-01',
      reason: 'Front door decision: assessment',
      actorUserId: null,
      referral: { source: '6', primaryNeed: 'N1' },
    }),
  );
  return childId;
}

/** The page's text, tags squashed, for reading what it says. */
function words(body: string): string {
  return body
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&rsquo;/g, '’')
    .replace(/\s+/g, ' ');
}

describe('a family network meeting from offer to review', () => {
  it('records every step, audited, in the chronology, with the rules each step keeps', async () => {
    const childId = await childWithHelp(world.teamA, 'Kai', worker.id);
    const offered = await send(worker, `/children/${childId}/protection/family-meetings`, {
      ...dateFields('offeredOn', '2026-11-02'),
      response: 'waiting',
      declinedReason: '',
      ...dateFields('heldOn', ''),
      familyPlan: '',
    });
    expect(offered.statusCode, offered.body.slice(0, 400)).toBe(303);
    const { id: meetingId } = await deps.db
      .selectFrom('family_network_meetings')
      .innerJoin('help_episodes', 'help_episodes.id', 'family_network_meetings.episode_id')
      .select('family_network_meetings.id')
      .where('help_episodes.person_id', '=', childId)
      .executeTakeFirstOrThrow();
    const base = `/children/${childId}/family-network/${meetingId}`;

    // The protection page links to the meeting's own page; the task list says what can be done next.
    const overview = await get(worker, `/children/${childId}/protection`);
    expect(overview.body).toContain(`href="${base}"`);
    let page = await get(worker, base);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('govuk-task-list');
    expect(words(page.body)).toMatch(/The family’s answer Waiting for their answer Not yet started/);
    expect(words(page.body)).toMatch(
      /Independent coordinator Once the family have said yes Cannot start yet/,
    );
    expect(page.body).toContain(`href="${base}/answer"`);
    expect(page.body).not.toContain(`href="${base}/coordinator"`);
    expectGovukErrorPage(await get(worker, `${base}/coordinator`), 409);

    // A "no" needs the reason; then the family say yes.
    let form = await get(worker, `${base}/answer`);
    let version = versionOf(form.body);
    const noReason = await send(worker, `${base}/answer`, {
      version,
      response: 'declined',
      declinedReason: ' ',
    });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('href="#declinedReason"');
    expect(noReason.body).toContain('Enter why the family said no');
    expect(await send(worker, `${base}/answer`, { version, response: 'accepted' })).toMatchObject({
      statusCode: 303,
    });

    // A stale form (the version the answer form was opened at) gets the conflict page.
    const stale = await send(worker, `${base}/coordinator`, {
      version,
      coordinatorName: 'Ruth Adeyemi',
      coordinatorOrganisation: 'Family Group Conference Service',
      ...dateFields('coordinatorAssignedOn', '2026-11-05'),
    });
    expect(stale.statusCode).toBe(409);

    form = await get(worker, `${base}/coordinator`);
    version = versionOf(form.body);
    const early = await send(worker, `${base}/coordinator`, {
      version,
      coordinatorName: 'Ruth Adeyemi',
      coordinatorOrganisation: 'Family Group Conference Service',
      ...dateFields('coordinatorAssignedOn', '2026-10-01'),
    });
    expect(early.statusCode).toBe(400);
    expect(early.body).toContain('must be on or after 2 November 2026');
    expect(
      (
        await send(worker, `${base}/coordinator`, {
          version,
          coordinatorName: 'Ruth Adeyemi',
          coordinatorOrganisation: 'Family Group Conference Service',
          ...dateFields('coordinatorAssignedOn', '2026-11-05'),
        })
      ).statusCode,
    ).toBe(303);

    // Now the family cannot be recorded as saying no.
    form = await get(worker, `${base}/answer`);
    const takeBack = await send(worker, `${base}/answer`, {
      version: versionOf(form.body),
      response: 'declined',
      declinedReason: 'Changed their mind',
    });
    expect(takeBack.statusCode).toBe(400);
    expect(takeBack.body).toContain('so the family’s yes stands');

    form = await get(worker, `${base}/preparation`);
    const noNames = await send(worker, `${base}/preparation`, {
      version: versionOf(form.body),
      networkContacted: '\n  \n',
      privateTime: '',
      ...dateFields('plannedOn', '2026-11-20'),
      venue: 'Oak Road Family Hub',
    });
    expect(noNames.statusCode).toBe(400);
    expect(noNames.body).toContain('Enter who in the family network was contacted');
    expect(noNames.body).toContain('Choose whether private family time was agreed');
    expect(
      (
        await send(worker, `${base}/preparation`, {
          version: versionOf(form.body),
          networkContacted: 'Nan (Sharon)\r\nUncle Dev\n\nMum’s friend Tasha',
          privateTime: 'yes',
          ...dateFields('plannedOn', '2026-11-20'),
          venue: 'Oak Road Family Hub',
        })
      ).statusCode,
    ).toBe(303);

    form = await get(worker, `${base}/meeting`);
    expect(
      (
        await send(worker, `${base}/meeting`, {
          version: versionOf(form.body),
          ...dateFields('heldOn', '2026-11-20'),
          attended: 'Mum\nNan (Sharon)\nUncle Dev\nKai',
        })
      ).statusCode,
    ).toBe(303);

    // Not agreed needs the reason; the plan is kept in the family's words.
    form = await get(worker, `${base}/plan`);
    version = versionOf(form.body);
    const plan = 'Nan has Kai every Tuesday and Thursday after school.\nUncle Dev takes him to football.';
    const noWhy = await send(worker, `${base}/plan`, {
      version,
      familyPlan: plan,
      ...dateFields('planRecordedOn', '2026-11-20'),
      planAgreed: 'no',
      planNotAgreedReason: '',
    });
    expect(noWhy.statusCode).toBe(400);
    expect(noWhy.body).toContain('Enter why the local authority did not agree the plan');
    expect(noWhy.body).toContain('Uncle Dev takes him to football.');
    expect(
      (
        await send(worker, `${base}/plan`, {
          version,
          familyPlan: plan,
          ...dateFields('planRecordedOn', '2026-11-20'),
          planAgreed: 'yes',
          planNotAgreedReason: '',
        })
      ).statusCode,
    ).toBe(303);

    // The support package and a review.
    const badItem = await send(worker, `${base}/support`, {
      what: 'After-school care',
      providerKind: '',
      provider: 'Nan (Sharon)',
      cost: '£12.505',
      ...dateFields('fromOn', '2026-11-24'),
      ...dateFields('toOn', ''),
    });
    expect(badItem.statusCode).toBe(400);
    expect(badItem.body).toContain('href="#providerKind"');
    expect(badItem.body).toContain('Enter the cost in pounds and pence');
    for (const item of [
      {
        what: 'After-school care two days a week',
        providerKind: 'network',
        provider: 'Nan (Sharon)',
        cost: '',
      },
      { what: 'Bus passes for Nan', providerKind: 'service', provider: 'Travel support', cost: '£45.50' },
      { what: 'Football club fees', providerKind: 'service', provider: 'Oak Road Juniors', cost: '120' },
    ]) {
      const added = await send(worker, `${base}/support`, {
        ...item,
        ...dateFields('fromOn', '2026-11-24'),
        ...dateFields('toOn', '2027-03-31'),
      });
      expect(added.statusCode, added.body.slice(0, 300)).toBe(303);
    }
    const review = await send(worker, `${base}/reviews`, {
      ...dateFields('reviewedOn', '2026-11-30'),
      working: 'Kai likes Tuesdays at Nan’s.',
      notWorking: '',
    });
    expect(review.statusCode).toBe(303);

    page = await get(worker, base);
    const text = words(page.body);
    for (const line of [
      'The family’s answer They said yes Completed',
      'Independent coordinator Ruth Adeyemi, Family Group Conference Service, from 5 November 2026 Completed',
      '3 in the network contacted; meeting planned for 20 November 2026 at Oak Road Family Hub Completed',
      'Held on 20 November 2026; 4 came Completed',
      'Agreed by the local authority Completed',
      'Support package 3 items Completed',
      'Review of the plan Reviewed 1 time Completed',
      'Total £165.50',
    ]) {
      expect(text).toContain(line);
    }
    expect(text).toContain('Nan (Sharon), Uncle Dev, Mum’s friend Tasha');
    expect(text).toContain('Mum, Nan (Sharon), Uncle Dev, Kai');

    const saved = await deps.db
      .selectFrom('family_network_meetings')
      .selectAll()
      .where('id', '=', meetingId)
      .executeTakeFirstOrThrow();
    expect(saved).toMatchObject({
      response: 'accepted',
      coordinator_name: 'Ruth Adeyemi',
      network_contacted: ['Nan (Sharon)', 'Uncle Dev', 'Mum’s friend Tasha'],
      private_time_agreed: true,
      held_on: '2026-11-20',
      attended: ['Mum', 'Nan (Sharon)', 'Uncle Dev', 'Kai'],
      family_plan: plan,
      plan_agreed: true,
      plan_not_agreed_reason: null,
      version: 6,
    });

    const audits = await deps.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_id', 'in', [meetingId])
      .where('action', 'like', 'family_network.%')
      .orderBy('seq')
      .execute();
    expect(audits.map((a) => a.action)).toEqual([
      'family_network.answer',
      'family_network.coordinator',
      'family_network.preparation',
      'family_network.meeting',
      'family_network.plan',
    ]);
    const added = await deps.db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('action', 'in', ['family_network.support_added', 'family_network.review_added'])
      .where('actor_user_id', '=', worker.id)
      .executeTakeFirstOrThrow();
    expect(added.n).toBe(4);
    const events = await deps.db
      .selectFrom('chronology_entries')
      .select('event')
      .where('person_id', '=', childId)
      .where('event', 'like', 'family_network.%')
      .execute();
    expect(events.map((e) => e.event).sort()).toEqual(
      [
        'family_network.answer',
        'family_network.coordinator',
        'family_network.meeting',
        'family_network.plan',
        'family_network.preparation',
        'family_network.review',
        'family_network.support',
        'family_network.support',
        'family_network.support',
      ].sort(),
    );

    // The protection page's own form may not take the meeting away from under its plan.
    const edit = await get(worker, `/children/${childId}/protection/family-meetings/${meetingId}/edit`);
    const cleared = await send(worker, `/children/${childId}/protection/family-meetings/${meetingId}/edit`, {
      version: versionOf(edit.body),
      ...dateFields('offeredOn', '2026-11-02'),
      response: 'accepted',
      declinedReason: '',
      ...dateFields('heldOn', ''),
      familyPlan: '',
    });
    expect(cleared.statusCode).toBe(400);

    // Another team's worker is told the meeting is not found, and nothing changes.
    await as(outsider);
    const before = await snapshot(handle);
    for (const url of [
      base,
      `${base}/answer`,
      `${base}/plan`,
      `${base}/support/new`,
      `${base}/reviews/new`,
    ]) {
      expectGovukErrorPage(await get(outsider, url), 404, 'Page not found');
    }
    expectGovukErrorPage(
      await send(outsider, `${base}/reviews`, { ...dateFields('reviewedOn', '2026-11-30'), working: 'x' }),
      404,
      'Page not found',
    );
    expect(await snapshot(handle)).toEqual(before);
  });

  it('a "no" needs the reason, and the later steps are then not needed', async () => {
    const childId = await childWithHelp(world.teamA, 'Lola', worker.id);
    expect(
      (
        await send(worker, `/children/${childId}/protection/family-meetings`, {
          ...dateFields('offeredOn', '2026-11-10'),
          response: 'waiting',
          declinedReason: '',
          ...dateFields('heldOn', ''),
          familyPlan: '',
        })
      ).statusCode,
    ).toBe(303);
    const { id } = await deps.db
      .selectFrom('family_network_meetings')
      .innerJoin('help_episodes', 'help_episodes.id', 'family_network_meetings.episode_id')
      .select('family_network_meetings.id')
      .where('help_episodes.person_id', '=', childId)
      .executeTakeFirstOrThrow();
    const base = `/children/${childId}/family-network/${id}`;
    const form = await get(worker, `${base}/answer`);
    const declined = await send(worker, `${base}/answer`, {
      version: versionOf(form.body),
      response: 'declined',
      declinedReason: 'Mum does not want her family to know.',
    });
    expect(declined.statusCode).toBe(303);
    const page = await get(worker, base);
    expect(words(page.body)).toContain('Independent coordinator Not needed: the family said no Not needed');
    expect((await get(worker, `${base}/meeting`)).statusCode).toBe(409);
  });
});

describe('the family network meetings report', () => {
  it('counts offers, answers, meetings and agreed plans by month, quarter and team', async () => {
    // Team B: 6 offered in October (5 accepted, 1 declined; 5 held; 3 plans agreed, 1 not agreed).
    // Team A: 2 offered in November (1 held without a plan yet, 1 waiting for the answer).
    const rows: {
      team: string;
      on: string;
      response: 'accepted' | 'declined' | null;
      held: boolean;
      agreed: boolean | null;
    }[] = [
      ...Array.from({ length: 5 }, (_, i) => ({
        team: world.teamB,
        on: `2026-10-0${String(i + 1)}`,
        response: 'accepted' as const,
        held: true,
        agreed: i < 3 ? true : i === 3 ? false : null,
      })),
      { team: world.teamB, on: '2026-10-20', response: 'declined', held: false, agreed: null },
      { team: world.teamA, on: '2026-11-03', response: 'accepted', held: true, agreed: null },
      { team: world.teamA, on: '2026-11-04', response: null, held: false, agreed: null },
      // Outside the period: not counted.
      { team: world.teamA, on: '2026-08-30', response: 'accepted', held: true, agreed: true },
    ];
    const report = await makeWorld(deps);
    const teams = new Map([
      [world.teamA, report.teamA],
      [world.teamB, report.teamB],
    ]);
    for (const [i, r] of rows.entries()) {
      const childId = await report.child({ teamId: teams.get(r.team) ?? '', given: `Report${String(i)}` });
      const opened = await deps.db.transaction().execute((trx) =>
        openOrContinueEpisode(trx, {
          organisationId: report.organisationId,
          personId: childId,
          status: 'child_in_need',
          on: '2026-08-01',
          reason: 'Assessment',
          actorUserId: null,
          referral: { source: '6', primaryNeed: 'N1' },
        }),
      );
      await deps.db
        .insertInto('family_network_meetings')
        .values({
          episode_id: opened.episodeId,
          offered_on: r.on,
          response: r.response,
          declined_reason: r.response === 'declined' ? 'No' : null,
          held_on: r.held ? r.on : null,
          family_plan: r.agreed === null ? null : 'Our plan',
          plan_agreed: r.agreed,
          plan_not_agreed_reason: r.agreed === false ? 'Not safe enough yet' : null,
        })
        .execute();
    }
    const figures = await familyNetworkFigures({
      db: deps.db,
      organisationId: report.organisationId,
      filters: { from: '2026-09-01', to: '2026-12-31' },
      today: '2026-12-01',
    });
    const byId = new Map(figures.map((f) => [f.id, f]));
    expect(byId.get('by-month')?.rows).toEqual([
      { label: 'September 2026', offered: 0, accepted: 0, declined: 0, held: 0, agreed: 0, rate: null },
      {
        label: 'October 2026',
        offered: 6,
        accepted: 5,
        declined: 1,
        held: 5,
        agreed: 3,
        rate: (100 * 5) / 6,
      },
      { label: 'November 2026', offered: 2, accepted: 1, declined: 0, held: 1, agreed: 0, rate: 50 },
      { label: 'December 2026', offered: 0, accepted: 0, declined: 0, held: 0, agreed: 0, rate: null },
      { label: 'Total', offered: 8, accepted: 6, declined: 1, held: 6, agreed: 3, rate: 75 },
    ]);
    expect(byId.get('by-quarter')?.rows.map((r) => [r['label'], r['offered'], r['held']])).toEqual([
      ['2026-27 Q2', 0, 0],
      ['2026-27 Q3', 8, 6],
      ['Total', 8, 6],
    ]);
    expect(byId.get('by-team')?.rows).toEqual([
      { label: 'Team A', offered: 2, accepted: 1, declined: 0, held: 1, agreed: 0, rate: 50 },
      { label: 'Team B', offered: 6, accepted: 5, declined: 1, held: 5, agreed: 3, rate: (100 * 5) / 6 },
      { label: 'Total', offered: 8, accepted: 6, declined: 1, held: 6, agreed: 3, rate: 75 },
    ]);
    // The team filter.
    const teamB = await familyNetworkFigures({
      db: deps.db,
      organisationId: report.organisationId,
      filters: { from: '2026-09-01', to: '2026-12-31', teamId: report.teamB },
      today: '2026-12-01',
    });
    expect(teamB.find((f) => f.id === 'by-team')?.rows.map((r) => r['label'])).toEqual(['Team B', 'Total']);

    // Suppressed as insight suppresses: Team A's 2 offers are "fewer than 5".
    const byTeam = byId.get('by-team');
    if (!byTeam) throw new Error('no by-team figure');
    const team = suppressFigure(byTeam);
    expect(team.hidden[0]?.['offered']).toBe('small');
    expect(team.hidden[0]?.['rate']).toBe('derived');
    expect(financialQuarter('2027-03-31')).toBe('2026-27 Q4');
    expect(financialQuarter('2027-04-01')).toBe('2027-28 Q1');
  });

  it('shows the report as a chart beside its table, with a CSV download, to those who read insight', async () => {
    const analystOfReport = analyst;
    const page = await get(
      analystOfReport,
      '/reports/family/family-network-meetings?from-day=1&from-month=9&from-year=2026&to-day=31&to-month=12&to-year=2026',
    );
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<svg');
    expect(page.body).toContain('role="img"');
    expect(page.body).toContain('Held per 100 offered');
    const csv = await get(
      analystOfReport,
      '/reports/family/family-network-meetings/by-team.csv?from=2026-09-01&to=2026-12-31',
    );
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\n')[0]).toBe(
      'Team,Offered,Accepted,Declined,Held,Plans agreed,Held per 100 offered',
    );
    const downloads = await deps.db
      .selectFrom('audit_log')
      .select('entity_id')
      .where('action', '=', 'insight.download')
      .where('actor_user_id', '=', analyst.id)
      .execute();
    expect(downloads.map((d) => d.entity_id)).toContain('family-network-meetings/by-team');
    // A practitioner does not read reports.
    expectGovukErrorPage(await get(worker, '/reports/family/family-network-meetings'), 404, 'Page not found');
  });
});
