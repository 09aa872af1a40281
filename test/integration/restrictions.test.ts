import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { loadActor } from '../../src/modules/access/access.repository.ts';
import type { Actor } from '../../src/modules/access/actor.ts';
import { breakGlass } from '../../src/modules/access/break-glass.service.ts';
import { liftRestriction, listRestrictions, restrictionFor, restrictPerson } from '../../src/modules/people/restrictions.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { ForbiddenError, InvalidInputError } from '../../src/platform/errors.ts';
import { openTestDb } from '../support/db.ts';
import { makeWorld, testClock, testDeps, type TestClock } from '../support/world.ts';

let handle: DbHandle;
let deps: Deps;
let clock: TestClock;
let world: Awaited<ReturnType<typeof makeWorld>>;

beforeAll(async () => {
  handle = await openTestDb();
  clock = testClock(new Date('2026-11-25T10:00:00Z'));
  deps = testDeps(handle, { clock });
  world = await makeWorld(deps);
});
afterAll(async () => {
  await handle.close();
});

async function actor(userId: string): Promise<Actor> {
  const loaded = await loadActor(deps.db, userId);
  if (!loaded) throw new Error('no actor');
  return loaded;
}

describe('restricted records', () => {
  it('show only the name to staff not on the list, in full to those on it', async () => {
    const manager = await actor((await world.user({ roles: ['team_manager'], teamIds: [world.teamA] })).id);
    const listed = await actor((await world.user({ roles: ['practitioner'], teamIds: [world.teamA] })).id);
    const unlisted = await actor((await world.user({ roles: ['practitioner'], teamIds: [world.teamA] })).id);
    const child = await world.child({ teamId: world.teamA });
    expect(await restrictionFor(deps, unlisted, child)).toEqual({ restricted: false });

    await restrictPerson(deps, manager, child, {
      category: 'staff_relative',
      reason: 'The child’s aunt works in the North team',
      allowedUserIds: [listed.userId],
      reviewOn: '2027-02-25',
      requestId: 'test',
    });
    expect(await restrictionFor(deps, unlisted, child)).toEqual({ restricted: true, category: 'staff_relative' });
    expect(await restrictionFor(deps, listed, child)).toEqual({ restricted: false });
    expect(await restrictionFor(deps, manager, child)).toEqual({ restricted: false });
    const [restriction] = await listRestrictions(deps, child);
    expect(restriction?.allowed.map((a) => a.id).sort()).toEqual([listed.userId, manager.userId].sort());
    const audit = await deps.db.selectFrom('audit_log').select('action').where('entity_id', '=', child).execute();
    expect(audit.map((a) => a.action)).toContain('person.restricted');

    await liftRestriction(deps, manager, child, restriction?.id ?? '', 'test');
    expect(await restrictionFor(deps, unlisted, child)).toEqual({ restricted: false });
  });

  it('opens for break-glass, except an adoption record', async () => {
    const manager = await actor((await world.user({ roles: ['team_manager'], teamIds: [world.teamA] })).id);
    const worker = await actor((await world.user({ roles: ['practitioner'], teamIds: [world.teamA] })).id);
    const highProfile = await world.child({ teamId: world.teamA });
    const adopted = await world.child({ teamId: world.teamA });
    for (const [child, category] of [
      [highProfile, 'high_profile'],
      [adopted, 'adoption'],
    ] as const) {
      await restrictPerson(deps, manager, child, { category, reason: 'Restricted for the test', allowedUserIds: [], reviewOn: null, requestId: 'test' });
      await breakGlass(deps, worker, { personId: child, reasonCode: 'urgent_safeguarding', reason: 'A call from the police about this child', requestId: 'test' });
    }
    expect(await restrictionFor(deps, worker, highProfile)).toEqual({ restricted: false });
    expect(await restrictionFor(deps, worker, adopted)).toEqual({ restricted: true, category: 'adoption' });
    clock.advance(61 * 60_000);
    expect(await restrictionFor(deps, worker, highProfile)).toEqual({ restricted: true, category: 'high_profile' });
  });

  it('can be set only by staff with the permission, with a category and a reason', async () => {
    const worker = await actor((await world.user({ roles: ['practitioner'], teamIds: [world.teamA] })).id);
    const manager = await actor((await world.user({ roles: ['team_manager'], teamIds: [world.teamA] })).id);
    const child = await world.child({ teamId: world.teamA });
    await expect(
      restrictPerson(deps, worker, child, { category: 'adoption', reason: 'x', allowedUserIds: [], reviewOn: null, requestId: 't' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    const error = await restrictPerson(deps, manager, child, { category: 'nonsense', reason: ' ', allowedUserIds: ['not-a-user'], reviewOn: null, requestId: 't' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).errors.map((e) => e.field)).toEqual(['category', 'reason', 'allowedUserIds']);
    expect(await listRestrictions(deps, child)).toEqual([]);
  });
});
