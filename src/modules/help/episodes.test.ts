import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../db/connect.ts';
import type { Deps } from '../../platform/deps.ts';
import { openTestDb } from '../../../test/support/db.ts';
import { makeWorld, testClock, testDeps } from '../../../test/support/world.ts';
import {
  allocate,
  moveEpisode,
  openEpisodeOf,
  openOrContinueEpisode,
  workersInLast12Months,
} from './episodes.ts';
import { openTask } from './tasks.ts';

/** The rules of one continuous episode of help (episodes.ts), against a real database. */

let handle: DbHandle;
let deps: Deps;
let world: Awaited<ReturnType<typeof makeWorld>>;
let worker: { id: string };

beforeAll(async () => {
  handle = await openTestDb();
  deps = testDeps(handle, { clock: testClock(new Date('2026-03-10T10:00:00Z')) });
  world = await makeWorld(deps);
  worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
});
afterAll(async () => {
  await handle.close();
});

const REFERRAL = { source: '2A', primaryNeed: 'N4' } as const;

async function open(
  personId: string,
  status: 'family_help' | 'assessment' | 'child_in_need',
  on: string,
  referral?: { source: string; primaryNeed: string },
) {
  return deps.db.transaction().execute((trx) =>
    openOrContinueEpisode(trx, {
      organisationId: world.organisationId,
      personId,
      status,
      on,
      reason: 'The school asked for help',
      actorUserId: worker.id,
      ...(referral ? { referral } : {}),
    }),
  );
}

async function move(
  personId: string,
  to: 'family_help' | 'assessment' | 'child_in_need' | 'child_protection' | 'closed',
  on: string,
  extra: { referral?: { source: string; primaryNeed: string }; closureReason?: string; at?: Date } = {},
) {
  return deps.db.transaction().execute(async (trx) => {
    const episode = await openEpisodeOf(trx, personId);
    if (!episode) throw new Error('no open episode');
    return moveEpisode(trx, { episode, to, on, reason: 'Things changed', actorUserId: worker.id, ...extra });
  });
}

async function referralsOf(episodeId: string) {
  return deps.db
    .selectFrom('cin_referrals')
    .select(['referral_date', 'referral_source', 'primary_need', 'closed_on', 'closure_reason'])
    .where('episode_id', '=', episodeId)
    .orderBy('referral_date')
    .orderBy('created_at')
    .execute();
}

async function episodeRow(id: string) {
  return deps.db.selectFrom('help_episodes').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

describe('opening an episode', () => {
  it('opens one in family help with a first status change and a chronology entry, and no CIN referral', async () => {
    const child = await world.child({ teamId: world.teamA });
    const opened = await open(child, 'family_help', '2026-03-02');
    expect(opened.continued).toBe(false);
    expect(opened.cinReferralId).toBeNull();
    const row = await episodeRow(opened.episodeId);
    expect(row).toMatchObject({
      status: 'family_help',
      started_on: '2026-03-02',
      status_since: '2026-03-02',
    });
    const changes = await deps.db
      .selectFrom('episode_status_changes')
      .select(['from_status', 'to_status', 'changed_on'])
      .where('episode_id', '=', opened.episodeId)
      .execute();
    expect(changes).toEqual([{ from_status: null, to_status: 'family_help', changed_on: '2026-03-02' }]);
    const chronology = await deps.db
      .selectFrom('chronology_entries')
      .select(['event', 'summary'])
      .where('person_id', '=', child)
      .execute();
    expect(chronology).toEqual([
      { event: 'episode.opened', summary: 'Help started: family help. The school asked for help' },
    ]);
    expect(await referralsOf(opened.episodeId)).toEqual([]);
  });

  it('opens straight into an assessment with a CIN referral, and refuses to without the referral facts', async () => {
    const child = await world.child({ teamId: world.teamA });
    const opened = await open(child, 'assessment', '2026-03-02', REFERRAL);
    expect(opened.cinReferralId).not.toBeNull();
    expect(await referralsOf(opened.episodeId)).toEqual([
      {
        referral_date: '2026-03-02',
        referral_source: '2A',
        primary_need: 'N4',
        closed_on: null,
        closure_reason: null,
      },
    ]);

    const other = await world.child({ teamId: world.teamA });
    await expect(open(other, 'assessment', '2026-03-02')).rejects.toThrow(/referral source and primary need/);
    // Nothing of the refused opening was kept.
    expect(
      await deps.db.selectFrom('help_episodes').select('id').where('person_id', '=', other).execute(),
    ).toEqual([]);
  });
});

describe('continuing an episode', () => {
  it('continues the open episode instead of opening a second one', async () => {
    const child = await world.child({ teamId: world.teamA });
    const first = await open(child, 'family_help', '2026-03-02');
    const second = await open(child, 'assessment', '2026-03-05', REFERRAL);
    expect(second).toMatchObject({ episodeId: first.episodeId, continued: true });
    expect(second.cinReferralId).not.toBeNull();
    const episodes = await deps.db
      .selectFrom('help_episodes')
      .select(['id', 'status', 'status_since', 'started_on', 'version'])
      .where('person_id', '=', child)
      .execute();
    expect(episodes).toEqual([
      {
        id: first.episodeId,
        status: 'assessment',
        status_since: '2026-03-05',
        started_on: '2026-03-02',
        version: 2,
      },
    ]);
    // The same status again changes nothing.
    const third = await open(child, 'assessment', '2026-03-06');
    expect(third).toMatchObject({
      episodeId: first.episodeId,
      continued: true,
      cinReferralId: second.cinReferralId,
    });
    expect((await episodeRow(first.episodeId)).version).toBe(2);
  });

  it('cannot hold two open episodes for one child (the database refuses)', async () => {
    const child = await world.child({ teamId: world.teamA });
    await open(child, 'family_help', '2026-03-02');
    await expect(
      deps.db
        .insertInto('help_episodes')
        .values({
          organisation_id: world.organisationId,
          person_id: child,
          started_on: '2026-03-03',
          status: 'family_help',
          status_since: '2026-03-03',
        })
        .execute(),
    ).rejects.toThrow();
  });
});

describe('stepping up and down', () => {
  it('a statutory step up from family help opens a CIN referral; a step down after an assessment closes it with RC9', async () => {
    const child = await world.child({ teamId: world.teamA });
    const { episodeId } = await open(child, 'family_help', '2026-03-02');
    await expect(move(child, 'assessment', '2026-03-03')).rejects.toThrow(/referral source/);

    const up = await move(child, 'assessment', '2026-03-03', { referral: REFERRAL });
    expect(up.cinReferralId).not.toBeNull();
    const down = await move(child, 'family_help', '2026-03-09');
    expect(down.cinReferralId).toBeNull();
    expect(await referralsOf(episodeId)).toEqual([
      {
        referral_date: '2026-03-03',
        referral_source: '2A',
        primary_need: 'N4',
        closed_on: '2026-03-09',
        closure_reason: 'RC9',
      },
    ]);
    expect(await episodeRow(episodeId)).toMatchObject({
      status: 'family_help',
      status_since: '2026-03-09',
      closed_on: null,
    });
    const changes = await deps.db
      .selectFrom('episode_status_changes')
      .select(['from_status', 'to_status'])
      .where('episode_id', '=', episodeId)
      .orderBy('changed_on')
      .orderBy('created_at')
      .execute();
    expect(changes).toEqual([
      { from_status: null, to_status: 'family_help' },
      { from_status: 'family_help', to_status: 'assessment' },
      { from_status: 'assessment', to_status: 'family_help' },
    ]);
  });

  it('moving within children’s social care keeps the referral; stepping down after a plan closes it with RC7', async () => {
    const child = await world.child({ teamId: world.teamA });
    const { episodeId } = await open(child, 'assessment', '2026-03-02', REFERRAL);
    const cin = await move(child, 'child_in_need', '2026-03-04');
    const cp = await move(child, 'child_protection', '2026-03-05');
    expect(cp.cinReferralId).toBe(cin.cinReferralId);
    await move(child, 'family_help', '2026-03-09');
    const referrals = await referralsOf(episodeId);
    expect(referrals).toHaveLength(1);
    expect(referrals[0]).toMatchObject({ closed_on: '2026-03-09', closure_reason: 'RC7' });

    // A second step up in the same episode opens a second referral.
    await move(child, 'child_in_need', '2026-03-10', { referral: { source: '6', primaryNeed: 'N1' } });
    const after = await referralsOf(episodeId);
    expect(after).toHaveLength(2);
    expect(after[1]).toMatchObject({ referral_source: '6', primary_need: 'N1', closed_on: null });
  });
});

describe('closing', () => {
  it('needs a closure reason', async () => {
    const child = await world.child({ teamId: world.teamA });
    const { episodeId } = await open(child, 'child_in_need', '2026-03-02', REFERRAL);
    await expect(move(child, 'closed', '2026-03-09')).rejects.toThrow(/closure reason/);
    expect((await episodeRow(episodeId)).closed_on).toBeNull();
  });

  it('closes the episode and its referral with the reason, completes every task waiting on it and ends its plans', async () => {
    const child = await world.child({ teamId: world.teamA });
    const { episodeId } = await open(child, 'child_in_need', '2026-03-02', REFERRAL);
    const kinds = [
      'visit_due',
      'plan_review_due',
      'complete_assessment',
      'authorise_assessment',
      'allocate_worker',
      'decide_request',
      'other',
    ] as const;
    for (const kind of kinds) {
      await openTask(deps.db, {
        organisationId: world.organisationId,
        personId: child,
        episodeId,
        kind,
        title: `Task ${kind}`,
        dueOn: '2026-03-20',
        assignedUserId: worker.id,
        assignedTeamId: world.teamA,
        sourceType: 'help_episode',
        sourceId: episodeId,
      });
    }
    const plan = await deps.db
      .insertInto('plans')
      .values({
        episode_id: episodeId,
        person_id: child,
        kind: 'child_in_need',
        status: 'active',
        started_on: '2026-03-03',
        next_review_on: '2026-06-02',
      })
      .returning('id')
      .executeTakeFirstOrThrow();

    const closedAt = new Date('2026-03-09T15:30:00Z');
    await move(child, 'closed', '2026-03-09', { closureReason: 'RC7', at: closedAt });

    expect(await episodeRow(episodeId)).toMatchObject({
      status: 'closed',
      closed_on: '2026-03-09',
      closure_reason: 'RC7',
      version: 2,
    });
    expect(await referralsOf(episodeId)).toEqual([
      expect.objectContaining({ closed_on: '2026-03-09', closure_reason: 'RC7' }),
    ]);
    const tasks = await deps.db
      .selectFrom('tasks')
      .select(['kind', 'completed_at', 'completed_by'])
      .where('episode_id', '=', episodeId)
      .execute();
    expect(tasks.map((t) => t.kind).sort()).toEqual([...kinds].sort());
    for (const task of tasks) {
      // Stamped with the caller's clock, not the machine's.
      expect(task.completed_at, task.kind).toEqual(closedAt);
      expect(task.completed_by, task.kind).toBe(worker.id);
    }
    expect(
      await deps.db
        .selectFrom('plans')
        .select(['status', 'ended_on', 'version'])
        .where('id', '=', plan.id)
        .executeTakeFirstOrThrow(),
    ).toEqual({ status: 'ended', ended_on: '2026-03-09', version: 2 });
    const last = await deps.db
      .selectFrom('chronology_entries')
      .select(['event', 'summary'])
      .where('person_id', '=', child)
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    expect(last).toEqual({ event: 'episode.closed', summary: 'Help ended. Things changed' });

    expect((await episodeRow(episodeId)).updated_at).toEqual(closedAt);

    // Help for the same child later is a new episode.
    const again = await open(child, 'family_help', '2026-03-10');
    expect(again.continued).toBe(false);
    expect(again.episodeId).not.toBe(episodeId);
  });

  it('leaves the decision on a request for help still waiting for one in the front door’s tray', async () => {
    const child = await world.child({ teamId: world.teamA });
    const { episodeId } = await open(child, 'family_help', '2026-03-02');
    const request = await deps.db
      .insertInto('help_requests')
      .values({
        organisation_id: world.organisationId,
        person_id: child,
        episode_id: episodeId,
        status: 'awaiting_decision',
        received_at: new Date('2026-03-05T09:00:00Z'),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const decide = await openTask(deps.db, {
      organisationId: world.organisationId,
      personId: child,
      episodeId,
      kind: 'decide_request',
      title: 'Decide on a request for help',
      dueOn: '2026-03-06',
      assignedUserId: null,
      assignedTeamId: world.teamA,
      sourceType: 'help_request',
      sourceId: request.id,
    });
    await move(child, 'closed', '2026-03-09', { closureReason: 'RC7' });
    const task = await deps.db
      .selectFrom('tasks')
      .select('completed_at')
      .where('id', '=', decide)
      .executeTakeFirstOrThrow();
    expect(task.completed_at).toBeNull();
  });
});

describe('stepping down to family help', () => {
  it('ends the active child in need and child protection plans on the step date, and keeps the family help plan', async () => {
    const child = await world.child({ teamId: world.teamA });
    const { episodeId } = await open(child, 'child_in_need', '2026-03-02', REFERRAL);
    await move(child, 'child_protection', '2026-03-04');
    const planOf = async (kind: 'family_help' | 'child_in_need' | 'child_protection', startedOn: string) =>
      (
        await deps.db
          .insertInto('plans')
          .values({
            episode_id: episodeId,
            person_id: child,
            kind,
            status: 'active',
            started_on: startedOn,
            next_review_on: '2026-06-02',
            ...(kind === 'child_protection' ? { initial_category: 'NEG' as const } : {}),
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const cin = await planOf('child_in_need', '2026-03-02');
    const cp = await planOf('child_protection', '2026-03-04');
    const familyHelp = await planOf('family_help', '2026-03-02');
    const steppedAt = new Date('2026-03-09T11:00:00Z');

    await move(child, 'family_help', '2026-03-09', { at: steppedAt });

    const plans = await deps.db
      .selectFrom('plans')
      .select(['id', 'status', 'ended_on', 'end_reason', 'updated_at'])
      .where('episode_id', '=', episodeId)
      .execute();
    const byId = new Map(plans.map((p) => [p.id, p]));
    for (const id of [cin, cp]) {
      expect(byId.get(id)).toMatchObject({
        status: 'ended',
        ended_on: '2026-03-09',
        end_reason: 'The help stepped down to family help',
        updated_at: steppedAt,
      });
    }
    expect(byId.get(familyHelp)).toMatchObject({ status: 'active', ended_on: null });
    expect(await episodeRow(episodeId)).toMatchObject({ status: 'family_help', closed_on: null });
  });

  it('does not end plans on a step up', async () => {
    const child = await world.child({ teamId: world.teamA });
    const { episodeId } = await open(child, 'child_in_need', '2026-03-02', REFERRAL);
    const plan = await deps.db
      .insertInto('plans')
      .values({
        episode_id: episodeId,
        person_id: child,
        kind: 'child_in_need',
        status: 'active',
        started_on: '2026-03-02',
        next_review_on: '2026-06-02',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await move(child, 'child_protection', '2026-03-09');
    const row = await deps.db
      .selectFrom('plans')
      .select('status')
      .where('id', '=', plan.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('active');
  });
});

describe('workers in the last 12 months', () => {
  it('counts the different workers allocated at any time in the 12 months before now', async () => {
    const child = await world.child({ teamId: world.teamA });
    const others = await Promise.all(
      [1, 2, 3].map(() => world.user({ roles: ['practitioner'], teamIds: [world.teamA] })),
    );
    const [w1, w2, w3] = others.map((o) => o.id);
    if (!w1 || !w2 || !w3) throw new Error('users');
    const at = (iso: string) => new Date(`${iso}T09:00:00Z`);
    // Worker 1 until before the window, worker 2 into it, worker 3 now, then worker 2 again.
    await deps.db
      .updateTable('allocations')
      .set({ ended_at: at('2024-12-31') })
      .where('person_id', '=', child)
      .execute();
    await deps.db.transaction().execute(async (trx) => {
      for (const [workerUserId, on] of [
        [w1, '2025-01-01'],
        [w2, '2025-02-01'],
        [w3, '2025-06-01'],
        [w2, '2026-01-15'],
      ] as const) {
        await allocate(trx, {
          personId: child,
          episodeId: null,
          teamId: world.teamA,
          workerUserId,
          role: 'social_worker',
          changeReason: 'MANAGE',
          changeNote: null,
          byUserId: worker.id,
          at: at(on),
        });
      }
    });
    // 10 March 2026: worker 1 ended 1 February 2025 (outside); worker 2 ended 1 June 2025 (inside).
    expect(await workersInLast12Months(deps.db, child, at('2026-03-10'))).toBe(2);
    expect(await workersInLast12Months(deps.db, child, at('2025-12-01'))).toBe(3);
    const active = await deps.db
      .selectFrom('allocations')
      .select('worker_user_id')
      .where('person_id', '=', child)
      .where('ended_at', 'is', null)
      .execute();
    expect(active).toEqual([{ worker_user_id: w2 }]);
  });
});
