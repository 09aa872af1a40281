import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { loadActor } from '../../src/modules/access/access.repository.ts';
import type { Actor } from '../../src/modules/access/actor.ts';
import { seedDemo } from '../../src/modules/demo/demo-seed.ts';
import { frontDoorDashboard } from '../../src/modules/help/front-door.ts';
import { myWorkTray, teamWorkTray } from '../../src/modules/help/work-tray.ts';
import { verifyAuditChain } from '../../src/platform/audit/audit.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { openTestDb } from '../support/db.ts';
import { testClock, testDeps } from '../support/world.ts';

/**
 * The demo children's help, written through the help services with the clock set back: each child
 * has one open episode in the status the story leaves them in, the records behind it, tasks in the
 * work trays, a request waiting at the front door, and an intact audit chain.
 */

let handle: DbHandle;
let deps: Deps;
let child: (given: string) => Promise<string>;
let actor: (email: string) => Promise<Actor>;
// Thursday 12 March 2026, midday in London.
const NOW = new Date('2026-03-12T12:00:00Z');

beforeAll(async () => {
  handle = await openTestDb();
  deps = testDeps(handle, { clock: testClock(NOW) });
  expect(await seedDemo(deps)).toEqual({ created: true });
  child = async (given) =>
    (
      await deps.db
        .selectFrom('people')
        .select('id')
        .where('given_name', '=', given)
        .where('is_child', '=', true)
        .executeTakeFirstOrThrow()
    ).id;
  actor = async (email) => {
    const user = await deps.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    const loaded = await loadActor(deps.db, user.id);
    if (!loaded) throw new Error('no actor');
    return loaded;
  };
});

afterAll(async () => {
  await handle.close();
});

async function openEpisode(personId: string) {
  return deps.db
    .selectFrom('help_episodes')
    .selectAll()
    .where('person_id', '=', personId)
    .where('closed_on', 'is', null)
    .execute();
}

describe('the demo children’s help', () => {
  it('leaves each child with one open episode in the status of their story', async () => {
    const expected: [string, string][] = [
      ['Amara', 'child_in_need'],
      ['Leo', 'family_help'],
      ['Maisie', 'family_help'],
      ['Tyler', 'assessment'],
    ];
    for (const [given, status] of expected) {
      const episodes = await openEpisode(await child(given));
      expect(episodes, given).toHaveLength(1);
      expect(episodes[0]?.status, given).toBe(status);
      expect((episodes[0]?.started_on ?? '9999') < '2026-03-12', given).toBe(true);
    }
    // Zara's request waits for a decision: no help has started yet.
    expect(await openEpisode(await child('Zara'))).toHaveLength(0);
    const all = await deps.db.selectFrom('help_episodes').select('id').execute();
    expect(all).toHaveLength(4);
  });

  it('gives Amara a CIN referral, an authorised assessment, an active plan with goals, visits and a review', async () => {
    const amara = await child('Amara');
    const [episode] = await openEpisode(amara);
    const referrals = await deps.db
      .selectFrom('cin_referrals')
      .selectAll()
      .where('episode_id', '=', episode?.id ?? '')
      .execute();
    expect(referrals).toHaveLength(1);
    expect(referrals[0]).toMatchObject({ referral_source: '2A', primary_need: 'N4', closed_on: null });
    // About four months ago.
    expect(referrals[0]?.referral_date).toBe('2025-11-13');

    const assessment = await deps.db
      .selectFrom('assessments')
      .selectAll()
      .where('person_id', '=', amara)
      .executeTakeFirstOrThrow();
    expect(assessment).toMatchObject({
      status: 'authorised',
      outcome: 'child_in_need_plan',
      child_seen: true,
    });
    expect(assessment.family_account).toContain('Jade says');
    const manager = await actor('manager@demo.hearth.invalid');
    expect(assessment.authorised_by).toBe(manager.userId);
    const needs = await deps.db
      .selectFrom('assessment_circumstances')
      .select(['area', 'need_identified'])
      .where('assessment_id', '=', assessment.id)
      .where('need_identified', '=', true)
      .orderBy('area')
      .execute();
    expect(needs.map((n) => n.area)).toEqual(['debt', 'food', 'fuel', 'income']);
    const factors = await deps.db
      .selectFrom('assessment_factors')
      .select('factor')
      .where('assessment_id', '=', assessment.id)
      .execute();
    expect(factors.map((f) => f.factor).sort()).toEqual(['20', '4B']);

    const plan = await deps.db
      .selectFrom('plans')
      .selectAll()
      .where('person_id', '=', amara)
      .executeTakeFirstOrThrow();
    expect(plan).toMatchObject({ kind: 'child_in_need', status: 'active' });
    expect(plan.family_words).toContain('warm home');
    expect(plan.next_review_on && plan.next_review_on > '2026-03-12').toBe(true);
    const goals = await deps.db
      .selectFrom('plan_goals')
      .select('goal')
      .where('plan_id', '=', plan.id)
      .where('added_by_organisation_id', '=', (await actor('practitioner@demo.hearth.invalid')).organisationId)
      .execute();
    // The council's three goals (the school's safeguarding lead adds a fourth: demo-partners.ts).
    expect(goals).toHaveLength(3);
    const reviews = await deps.db
      .selectFrom('plan_reviews')
      .selectAll()
      .where('plan_id', '=', plan.id)
      .execute();
    expect(reviews).toHaveLength(1);
    expect(reviews[0]?.family_view).toContain('under control');

    const visits = await deps.db
      .selectFrom('visits')
      .select(['visited_on', 'child_seen_alone', 'childs_words'])
      .where('person_id', '=', amara)
      .orderBy('visited_on')
      .execute();
    expect(visits).toHaveLength(4);
    expect(visits.every((v) => v.child_seen_alone && (v.childs_words ?? '') !== '')).toBe(true);
    expect(visits.at(-1)?.visited_on).toBe('2026-02-16');

    // The chronology tells the story in order, from the request to the review.
    const events = await deps.db
      .selectFrom('chronology_entries')
      .select(['event', 'occurred_on'])
      .where('person_id', '=', amara)
      .orderBy('occurred_on')
      .execute();
    const names = events.map((e) => e.event);
    for (const event of [
      'request.received',
      'request.decided',
      'assessment.authorised',
      'plan.started',
      'visit.recorded',
      'plan.reviewed',
    ]) {
      expect(names).toContain(event);
    }
    expect(names.indexOf('request.received')).toBeLessThan(names.indexOf('plan.started'));
    expect(events.every((e) => e.occurred_on <= '2026-03-12')).toBe(true);
    // The allocation history: the worker named with a role.
    const lead = await deps.db
      .selectFrom('allocations')
      .select(['worker_user_id', 'practitioner_role'])
      .where('person_id', '=', amara)
      .where('ended_at', 'is', null)
      .executeTakeFirstOrThrow();
    const sam = await actor('practitioner@demo.hearth.invalid');
    expect(lead).toEqual({ worker_user_id: sam.userId, practitioner_role: 'social_worker' });
  });

  it('puts work in the trays and a request waiting at the front door', async () => {
    const sam = await actor('practitioner@demo.hearth.invalid');
    const priya = await actor('manager@demo.hearth.invalid');
    const alex = await actor('south.practitioner@demo.hearth.invalid');
    const kinds = (tasks: readonly { kind: string; child: { name: string } | null }[]) =>
      tasks.map((t) => `${t.kind} ${t.child?.name ?? ''}`);

    const samTray = kinds((await myWorkTray(deps, sam)).tasks);
    expect(samTray).toContain('visit_due Amara Bennett');
    expect(samTray).toContain('plan_review_due Amara Bennett');
    expect(samTray).toContain('visit_due Leo Bennett');
    expect(samTray).toContain('allocate_worker Maisie Clarke');
    // The front door is the North team; Zara's record is the South team's, so her name is not shown.
    expect(samTray.filter((t) => t.startsWith('decide_request'))).toHaveLength(1);

    const alexTray = kinds((await myWorkTray(deps, alex)).tasks);
    expect(alexTray).toContain('complete_assessment Tyler Dawson');

    const team = await teamWorkTray(deps, priya, {});
    expect(team.tasks.length).toBeGreaterThanOrEqual(5);

    const dashboard = await frontDoorDashboard(deps, priya);
    expect(dashboard.waiting.map((w) => w.childName)).toEqual(['Zara Hussain']);
    expect(dashboard.decisions.total).toBeGreaterThanOrEqual(2);
    const waiting = await deps.db
      .selectFrom('help_requests')
      .selectAll()
      .where('status', '=', 'awaiting_decision')
      .execute();
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatchObject({ referral_source: '3B', requester_role: 'Health visitor' });

    // Maisie is waiting for a lead practitioner; Tyler's assessment is partly written.
    const maisie = await deps.db
      .selectFrom('allocations')
      .select('worker_user_id')
      .where('person_id', '=', await child('Maisie'))
      .where('ended_at', 'is', null)
      .executeTakeFirstOrThrow();
    expect(maisie.worker_user_id).toBeNull();
    const tyler = await deps.db
      .selectFrom('assessments')
      .select(['status', 'family_account', 'professional_analysis'])
      .where('person_id', '=', await child('Tyler'))
      .executeTakeFirstOrThrow();
    expect(tyler.status).toBe('in_progress');
    expect(tyler.family_account).toContain('Nicole');
    expect(tyler.professional_analysis).toBeNull();
  });

  it('keeps the audit chain intact and seeds only once', async () => {
    expect(await verifyAuditChain(deps.db)).toMatchObject({ ok: true });
    expect(await seedDemo(deps)).toEqual({ created: false });
    const thresholds = await deps.db.selectFrom('threshold_guidance_versions').selectAll().execute();
    expect(thresholds).toHaveLength(1);
    expect(thresholds[0]).toMatchObject({ version: '2025.1', published_on: '2025-04-01' });
  });
});
