import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { loadActor } from '../../src/modules/access/access.repository.ts';
import { addMember } from '../../src/modules/partners/team-around-family.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { appWithRouteTable, signedInAs } from '../support/app-helpers.ts';
import { openTestDb } from '../support/db.ts';
import { testClock, testDeps, type TestClock } from '../support/world.ts';
import { makePartnerWorld } from './partners-world.ts';

/**
 * The shared plan says who added each action and each progress update, and for which organisation:
 * on the council's plan page and on the partner's view of the child alike.
 */
let handle: DbHandle;
let app: FastifyInstance;
let deps: Deps;
let clock: TestClock;
let world: Awaited<ReturnType<typeof makePartnerWorld>>;

beforeAll(async () => {
  handle = await openTestDb();
  clock = testClock(new Date('2026-11-25T10:00:00Z'));
  deps = testDeps(handle, { clock });
  world = await makePartnerWorld(deps);
  ({ app } = await appWithRouteTable(deps));
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

/** The text (without tags) of the summary card that starts with this goal's title. */
function cardOf(body: string, goal: string): string {
  const at = body.indexOf(goal);
  expect(at, goal).toBeGreaterThan(-1);
  const next = body.indexOf('govuk-summary-card__title', at + goal.length);
  return body
    .slice(at, next === -1 ? undefined : next)
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/ \(/g, ' (');
}

describe('attribution on the shared plan', () => {
  it('shows who added each action and update, and their organisation, to staff and to the partner', async () => {
    const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const workerName = (
      await deps.db
        .selectFrom('users')
        .select('display_name')
        .where('id', '=', worker.id)
        .executeTakeFirstOrThrow()
    ).display_name;
    const council = (
      await deps.db
        .selectFrom('organisations')
        .select('name')
        .where('id', '=', world.organisationId)
        .executeTakeFirstOrThrow()
    ).name;
    const school = (
      await deps.db
        .selectFrom('organisations')
        .select('name')
        .where('id', '=', world.school)
        .executeTakeFirstOrThrow()
    ).name;
    const nurse = await world.partner({ organisationId: world.health, name: 'Harriet Visitor' });
    const child = await world.child({
      teamId: world.teamA,
      workerId: worker.id,
      given: 'Wren',
      family: 'Attributed',
    });
    const help = await world.helpFor(child, worker.id);
    const workerActor = await loadActor(deps.db, worker.id);
    if (!workerActor) throw new Error('no actor');
    await addMember(deps, workerActor, {
      childId: child,
      values: {
        userId: nurse.id,
        teamRole: 'Health visitor',
        isLead: 'no',
        legalBasis: 'safeguarding_duty',
        consentId: '',
        basisNote: 'Children Act 2004 section 11',
        fromOn: { day: '20', month: '11', year: '2026' },
      },
    });
    const dsl = await world.partner({ organisationId: world.school, name: 'Dana Lead' });
    await addMember(deps, workerActor, {
      childId: child,
      values: {
        userId: dsl.id,
        teamRole: 'Designated safeguarding lead',
        isLead: 'yes',
        legalBasis: 'safeguarding_duty',
        consentId: '',
        basisNote: 'Education Act 2002 section 175',
        fromOn: { day: '20', month: '11', year: '2026' },
      },
    });

    // The council's worker adds a goal on the plan page; the school adds an action; the health
    // visitor writes an update on the school's action; the worker writes one on their own goal.
    const staff = await signedInAs(app, deps, worker.id);
    const planPath = `/children/${child}/plans/${help.planId}`;
    const staffGoal = await staff.post(
      `${planPath}/goals`,
      { goal: 'Weekly visit by the worker', who: 'Social worker', progress: 'not_started' },
      { tokenFrom: `${planPath}/goals/new` },
    );
    expect(staffGoal.statusCode, staffGoal.body.slice(0, 300)).toBe(303);
    const schoolBrowser = await signedInAs(app, deps, dsl.id);
    const schoolAction = await schoolBrowser.post(
      `/shared-plan/${child}/actions`,
      { goal: 'Breakfast club on school days', who: 'School', progress: '' },
      { tokenFrom: `/shared-plan/${child}/actions/new` },
    );
    expect(schoolAction.statusCode).toBe(303);
    const goals = await deps.db
      .selectFrom('plan_goals')
      .select(['id', 'goal'])
      .where('plan_id', '=', help.planId)
      .execute();
    const idOf = (goal: string) => goals.find((g) => g.goal === goal)?.id ?? '';
    clock.advance(60_000);
    const nurseBrowser = await signedInAs(app, deps, nurse.id);
    const nurseUpdate = await nurseBrowser.post(
      `/shared-plan/${child}/actions/${idOf('Breakfast club on school days')}/updates`,
      { note: 'Eating well at the clinic check', progress: 'in_progress' },
      { tokenFrom: `/shared-plan/${child}/actions/${idOf('Breakfast club on school days')}/updates/new` },
    );
    expect(nurseUpdate.statusCode).toBe(303);
    const staffUpdate = await staff.post(
      `/shared-plan/${child}/actions/${idOf('Weekly visit by the worker')}/updates`,
      { note: 'First visit done', progress: '' },
      { tokenFrom: `/shared-plan/${child}/actions/${idOf('Weekly visit by the worker')}/updates/new` },
    );
    expect(staffUpdate.statusCode).toBe(303);

    // The council's plan page.
    const planPage = await staff.get(planPath);
    expect(planPage.statusCode).toBe(200);
    const staffCard = cardOf(planPage.body, 'Weekly visit by the worker');
    expect(staffCard).toContain(`${workerName} (${council})`);
    expect(staffCard).toContain('First visit done');
    expect(staffCard).toContain(`${workerName}, ${council}`);
    const schoolCard = cardOf(planPage.body, 'Breakfast club on school days');
    expect(schoolCard).toContain(`Dana Lead (${school})`);
    expect(schoolCard).toContain('Eating well at the clinic check (Under way)');
    expect(schoolCard).toMatch(/Harriet Visitor, Community Health \w+/);
    // The goal the plan started with was written before attribution: no "Added by" is invented.
    expect(cardOf(planPage.body, 'Get to school on time')).not.toContain('Added by');

    // The partner's view: the same attribution.
    const partnerPage = await nurseBrowser.get(`/partner/children/${child}`);
    expect(partnerPage.statusCode).toBe(200);
    expect(cardOf(partnerPage.body, 'Weekly visit by the worker')).toContain(`${workerName} (${council})`);
    const seen = cardOf(partnerPage.body, 'Breakfast club on school days');
    expect(seen).toContain(`Dana Lead (${school})`);
    expect(seen).toMatch(/Harriet Visitor, Community Health \w+/);
    expect(cardOf(partnerPage.body, 'Weekly visit by the worker')).toContain(`${workerName}, ${council}`);
  });
});
