import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoServices, seedDemoDirectory } from '../../src/modules/directory/demo.ts';
import { openOrContinueEpisode } from '../../src/modules/help/episodes.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { appWithRouteTable, signedInAs } from '../support/app-helpers.ts';
import { openTestDb, type TestDb } from '../support/db.ts';
import { loadTestGeography } from '../support/geography.ts';
import { csrfFrom, type Browser } from '../support/web.ts';
import { makeWorld, testClock, testDeps, type TestUser } from '../support/world.ts';

let handle: TestDb;
let app: FastifyInstance;
let deps: Deps;
let world: Awaited<ReturnType<typeof makeWorld>>;
let worker: TestUser;
let manager: TestUser;
let outsider: TestUser;
const services = demoServices();

beforeAll(async () => {
  handle = await openTestDb();
  deps = testDeps(handle, { clock: testClock(new Date('2026-12-01T10:00:00Z')) });
  await loadTestGeography(handle);
  await seedDemoDirectory(deps.db);
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

const browsers = new Map<string, { browser: Browser; token: string }>();

async function as(user: TestUser): Promise<{ browser: Browser; token: string }> {
  let entry = browsers.get(user.id);
  if (!entry) {
    const browser = await signedInAs(app, deps, user.id);
    entry = { browser, token: csrfFrom((await browser.get('/')).body) };
    browsers.set(user.id, entry);
  }
  return entry;
}

async function send(
  user: TestUser,
  url: string,
  form: Record<string, string>,
): Promise<LightMyRequestResponse> {
  const { browser, token } = await as(user);
  return browser.post(url, form, { csrf: token });
}

async function get(user: TestUser, url: string): Promise<LightMyRequestResponse> {
  return (await as(user)).browser.get(url);
}

/** A child of team A with an open episode of family help and a plan with one goal. */
async function childWithPlan(given: string): Promise<{ childId: string; planId: string; goalId: string }> {
  const childId = await world.child({ teamId: world.teamA, workerId: worker.id, given, family: 'Referred' });
  await deps.db.transaction().execute((trx) =>
    openOrContinueEpisode(trx, {
      organisationId: world.organisationId,
      personId: childId,
      status: 'family_help',
      on: '2026-11-02',
      reason: 'Front door decision',
      actorUserId: manager.id,
    }),
  );
  const created = await send(worker, `/children/${childId}/plans`, { kind: 'family_help' });
  expect(created.statusCode, created.body.slice(0, 300)).toBe(303);
  const planId = /\/plans\/([0-9a-f-]{36})/.exec(created.headers.location ?? '')?.[1] ?? '';
  const goal = await send(worker, `/children/${childId}/plans/${planId}/goals`, {
    goal: 'The family have enough food every week',
    who: 'Mum will go to the food bank; the worker will refer',
    'byWhen-day': '',
    'byWhen-month': '',
    'byWhen-year': '',
    progress: '',
  });
  expect(goal.statusCode, goal.body.slice(0, 300)).toBe(303);
  const row = await deps.db
    .selectFrom('plan_goals')
    .select('id')
    .where('plan_id', '=', planId)
    .executeTakeFirstOrThrow();
  return { childId, planId, goalId: row.id };
}

function serviceNamed(name: string) {
  const service = services.find((s) => s.name === name);
  if (!service) throw new Error(`No demo service ${name}`);
  return service;
}

const CONSENT = {
  consent: 'yes',
  consentGivenBy: 'Alex Referred (mother)',
  'consentGivenOn-day': '30',
  'consentGivenOn-month': '11',
  'consentGivenOn-year': '2026',
};

function resultNames(body: string): string[] {
  return [...body.matchAll(/<h3 class="govuk-summary-card__title">\s*([^<]+?)\s*<\/h3>/g)].map((m) =>
    (m[1] ?? '').replace(/&rsquo;|&#39;|’/g, '’'),
  );
}

describe('the staff search of local services', () => {
  it('shows an empty form, then results filtered by age, category, day, time and language, with distances nearest first', async () => {
    const empty = await get(worker, '/directory');
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain('Find a local service');
    const all = await send(worker, '/directory', { postcode: 'SG1 1LQ' });
    expect(all.statusCode).toBe(200);
    expect(all.body).toContain(`${services.length} services found`);
    const distances = [...all.body.matchAll(/(\d+\.\d) km\s*<\/dd>/g)].map((m) => Number(m[1]));
    expect(distances.length).toBe(services.length);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    expect(distances[0]).toBe(0);

    const parenting = '3f0c2a5e-6b1d-4c8e-9a47-1d2e3f4a5b64';
    const forEight = await send(worker, '/directory', { category: parenting, age: '8' });
    expect(resultNames(forEight.body)).toEqual(
      services
        .filter(
          (s) =>
            s.attributes.some((a) => a.taxonomy_term_id === parenting) &&
            (s.minimum_age ?? 0) <= 8 &&
            (s.maximum_age ?? 99) >= 8,
        )
        .map((s) => s.name)
        .sort(),
    );
    expect(resultNames(forEight.body)).toEqual(['Parenting together group']);

    const thursdayEvening = await send(worker, '/directory', { day: 'TH', time: '19:00' });
    expect(resultNames(thursdayEvening.body).sort()).toEqual(
      services
        .filter((s) =>
          s.schedules.some((x) => x.byday.includes('TH') && x.opens_at <= '19:00' && x.closes_at > '19:00'),
        )
        .map((s) => s.name)
        .sort(),
    );
    const polish = await send(worker, '/directory', { language: 'pl' });
    expect(resultNames(polish.body).sort()).toEqual(
      services
        .filter((s) => s.languages.some((l) => l.code === 'pl'))
        .map((s) => s.name)
        .sort(),
    );
    const near = await send(worker, '/directory', { postcode: 'WD6 4AE', distance: '2' });
    expect(resultNames(near.body).sort()).toEqual([
      'Borehamwood detached youth work',
      'Borehamwood family hub',
    ]);
  });

  it('says what is wrong with a search, in the error summary', async () => {
    const bad = await send(worker, '/directory', { postcode: 'ZZ99 9ZZ', age: 'ten', time: '25:00' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('There is a problem');
    expect(bad.body).toContain('href="#postcode"');
    expect(bad.body).toContain('href="#age"');
    expect(bad.body).toContain('href="#time"');
  });
});

describe('closed-loop referrals from a plan', () => {
  it('are refused without the family’s consent, and nothing is written', async () => {
    const { childId, planId, goalId } = await childWithPlan('Nora');
    const food = serviceNamed('Shephall food bank');
    const base = { serviceId: food.id, planId, goalId, reason: 'Help with food while benefits are sorted' };
    for (const [form, message] of [
      [{ ...base, consent: 'no' }, 'A family cannot be referred to a service without their consent'],
      [{ ...base, consent: '' }, 'Select whether the family agreed to the referral'],
      [{ ...base, consent: 'yes', consentGivenBy: '' }, 'Enter who in the family gave consent'],
      [
        {
          ...base,
          ...CONSENT,
          'consentGivenOn-day': '',
          'consentGivenOn-month': '',
          'consentGivenOn-year': '',
        },
        'Enter the date the family gave consent',
      ],
      [
        { ...base, ...CONSENT, 'consentGivenOn-day': '2', 'consentGivenOn-month': '12' },
        'must be today or in the past',
      ],
    ] as const) {
      const refused = await send(worker, `/children/${childId}/referrals`, form);
      expect(refused.statusCode, message).toBe(400);
      expect(refused.body).toContain(message);
    }
    const rows = await deps.db
      .selectFrom('service_referrals')
      .selectAll()
      .where('person_id', '=', childId)
      .execute();
    expect(rows).toEqual([]);
  });

  it('record the consent, bring the outcome back into the plan, and leave the open list when done', async () => {
    const { childId, planId, goalId } = await childWithPlan('Ivy');
    const plan = await get(worker, `/children/${childId}/plans/${planId}`);
    expect(plan.body).toContain(`/children/${childId}/referrals/new?plan=${planId}&amp;goal=${goalId}`);
    const form = await get(worker, `/children/${childId}/referrals/new?plan=${planId}&goal=${goalId}`);
    expect(form.statusCode).toBe(200);
    const food = serviceNamed('Shephall food bank');
    const made = await send(worker, `/children/${childId}/referrals`, {
      serviceId: food.id,
      planId,
      goalId,
      reason: 'Help with food while benefits are sorted',
      ...CONSENT,
    });
    expect(made.statusCode, made.body.slice(0, 500)).toBe(303);
    const referralId = /\/referrals\/([0-9a-f-]{36})/.exec(made.headers.location ?? '')?.[1] ?? '';
    const row = await deps.db
      .selectFrom('service_referrals')
      .selectAll()
      .where('id', '=', referralId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      person_id: childId,
      plan_id: planId,
      plan_goal_id: goalId,
      service_id: food.id,
      consent_given: true,
      consent_given_by: 'Alex Referred (mother)',
      consent_given_on: '2026-11-30',
      referred_on: '2026-12-01',
      referred_by: worker.id,
      status: 'sent',
    });
    const audit = await deps.db
      .selectFrom('audit_log')
      .select(['action', 'actor_user_id'])
      .where('entity_id', '=', referralId)
      .execute();
    expect(audit).toEqual([{ action: 'service_referral.create', actor_user_id: worker.id }]);

    // Waiting for the service: on the open list of the worker, not of a worker in another team.
    expect((await get(worker, '/referrals')).body).toContain(`/children/${childId}/referrals/${referralId}`);
    expect((await get(outsider, '/referrals')).body).not.toContain(referralId);
    expect((await get(outsider, `/children/${childId}/referrals/${referralId}`)).statusCode).toBe(404);

    const page = await get(worker, `/children/${childId}/referrals/${referralId}`);
    const version = /name="version" value="(\d+)"/.exec(page.body)?.[1] ?? '';
    // Straight to "helped" is not a step that can follow "sent".
    const skipped = await send(worker, `/children/${childId}/referrals/${referralId}/outcomes`, {
      version,
      outcome: 'helped',
      note: 'Too soon',
      'occurredOn-day': '1',
      'occurredOn-month': '12',
      'occurredOn-year': '2026',
    });
    expect(skipped.statusCode).toBe(400);
    expect(skipped.body).toContain('Select what happened');

    const steps = [
      ['accepted', 'The food bank will see Mum on Friday'],
      ['attended', 'Mum went with the children and came home with three days of food'],
      ['helped', 'The family now go every week and the goal is met'],
    ] as const;
    let v = Number(version);
    for (const [outcome, note] of steps) {
      const recorded = await send(worker, `/children/${childId}/referrals/${referralId}/outcomes`, {
        version: String(v),
        outcome,
        note,
        'occurredOn-day': '1',
        'occurredOn-month': '12',
        'occurredOn-year': '2026',
      });
      expect(recorded.statusCode, recorded.body.slice(0, 500)).toBe(303);
      v += 1;
      const planPage = await get(worker, `/children/${childId}/plans/${planId}`);
      expect(planPage.body).toContain('Shephall food bank');
      expect(planPage.body).toContain(note);
    }
    const planPage = await get(worker, `/children/${childId}/plans/${planId}`);
    expect(planPage.body).toContain('The family were helped');
    expect(planPage.body).toContain('Accepted by the service');
    expect(planPage.body).toContain('The family attended');
    expect((await get(worker, '/referrals')).body).not.toContain(referralId);
    const outcomes = await deps.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_id', '=', referralId)
      .where('action', '=', 'service_referral.outcome')
      .execute();
    expect(outcomes.length).toBe(3);

    // A stale form (the version it was opened at) is refused as a conflict.
    const stale = await send(worker, `/children/${childId}/referrals/${referralId}/outcomes`, {
      version,
      outcome: 'accepted',
      note: 'Old form',
      'occurredOn-day': '1',
      'occurredOn-month': '12',
      'occurredOn-year': '2026',
    });
    expect(stale.statusCode).toBe(409);
  });

  it('can start from a directory search, or be made outside any plan', async () => {
    const { childId, planId, goalId } = await childWithPlan('Sid');
    const youth = serviceNamed('Fairlands youth club');
    const started = await get(worker, `/directory?child=${childId}&plan=${planId}&goal=${goalId}`);
    expect(started.statusCode).toBe(200);
    const results = await send(worker, '/directory', {
      child: childId,
      plan: planId,
      goal: goalId,
      age: '12',
    });
    expect(results.body).toContain(
      `/children/${childId}/referrals/new?service=${youth.id}&amp;plan=${planId}&amp;goal=${goalId}`,
    );
    const form = await get(worker, `/children/${childId}/referrals/new`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Is this part of a plan?');
    const made = await send(worker, `/children/${childId}/referrals`, {
      serviceId: youth.id,
      planId: '',
      goalId: '',
      reason: 'Somewhere to go after school',
      ...CONSENT,
    });
    expect(made.statusCode, made.body.slice(0, 500)).toBe(303);
    const page = await get(worker, made.headers.location ?? '');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('The family has been referred to the service.');
    expect(page.body).toContain('Given by Alex Referred (mother) on 30 November 2026');
    const row = await deps.db
      .selectFrom('service_referrals')
      .select(['plan_id', 'plan_goal_id'])
      .where('person_id', '=', childId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ plan_id: null, plan_goal_id: null });
  });

  it('cannot be made by a worker outside the child’s team', async () => {
    const { childId, planId } = await childWithPlan('Otto');
    const refused = await send(outsider, `/children/${childId}/referrals`, {
      serviceId: serviceNamed('Fairlands youth club').id,
      planId,
      goalId: '',
      reason: 'Somewhere to go after school',
      ...CONSENT,
    });
    expect(refused.statusCode).toBe(404);
    expect(
      await deps.db.selectFrom('service_referrals').select('id').where('person_id', '=', childId).execute(),
    ).toEqual([]);
  });
});
