import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb } from '../../../test/support/db.ts';
import { makeWorld, testClock, testDeps } from '../../../test/support/world.ts';
import type { DbHandle } from '../../db/connect.ts';
import type { Deps } from '../../platform/deps.ts';
import { loadActor } from '../access/access.repository.ts';
import type { Actor } from '../access/actor.ts';
import { mergePeople, undoMerge } from './merge.ts';
import { restrictPerson } from './restrictions.ts';
import { searchPeople, SEARCH_LIMIT, type FullResult, type SearchOutcome } from './search.ts';

/**
 * The names table behind one-word searches (migration 0006) and the one-word search itself: the
 * table must always equal what a count of people's and previous names gives, whatever changes them
 * (inserts, renames, deletes, merges and their undoing), and the search must find what it did.
 */

let handle: DbHandle;
let deps: Deps;
let world: Awaited<ReturnType<typeof makeWorld>>;
let worker: Actor;
let senior: Actor;

async function actorFor(roles: string[], teamIds: string[] = []): Promise<Actor> {
  const user = await world.user({ roles, teamIds });
  const loaded = await loadActor(deps.db, user.id);
  if (!loaded) throw new Error('no actor');
  return loaded;
}

async function person(given: string, family: string, options: { preferred?: string; teamId?: string } = {}) {
  const row = await deps.db
    .insertInto('people')
    .values({
      organisation_id: world.organisationId,
      given_name: given,
      family_name: family,
      preferred_name: options.preferred ?? null,
      date_of_birth: '2015-06-01',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await deps.db
    .insertInto('allocations')
    .values({ person_id: row.id, team_id: options.teamId ?? world.teamA, worker_user_id: null })
    .execute();
  return row.id;
}

type Count = { name: string; part: string; people: number };

/** The table as kept by the triggers. */
async function kept(): Promise<Count[]> {
  const rows = await deps.db
    .selectFrom('search_names')
    .select(['name', 'part', 'people'])
    .orderBy('name')
    .orderBy('part')
    .execute();
  return rows.map((r) => ({ name: r.name, part: r.part, people: r.people }));
}

/** The table as it should be: counted afresh from people and person_names. */
async function counted(): Promise<Count[]> {
  const result = await sql<Count>`
    SELECT v.name, v.part, count(*)::int AS people FROM (
      SELECT lower(given_name) AS name, 'given' AS part FROM people
      UNION ALL SELECT lower(preferred_name), 'preferred' FROM people WHERE preferred_name IS NOT NULL
      UNION ALL SELECT lower(family_name), 'family' FROM people
      UNION ALL SELECT lower(given_name), 'given' FROM person_names
      UNION ALL SELECT lower(family_name), 'family' FROM person_names
    ) v GROUP BY v.name, v.part ORDER BY v.name, v.part`.execute(deps.db);
  return result.rows.map((r) => ({ name: r.name, part: r.part, people: r.people }));
}

async function expectConsistent(): Promise<void> {
  expect(await kept()).toEqual(await counted());
}

async function countOf(name: string, part: string): Promise<number> {
  return (await kept()).find((r) => r.name === name && r.part === part)?.people ?? 0;
}

async function version(id: string): Promise<number> {
  const row = await deps.db
    .selectFrom('people')
    .select('version')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return row.version;
}

function ids(outcome: SearchOutcome): string[] {
  return outcome.results.flatMap((r) => (r.restricted ? [] : [r.id]));
}

function full(outcome: SearchOutcome, id: string): FullResult | undefined {
  return outcome.results.find((r): r is FullResult => !r.restricted && r.id === id);
}

const search = (who: Actor, name: string) => searchPeople(deps, who, { name, requestId: 'test' });

beforeAll(async () => {
  handle = await openTestDb();
  deps = testDeps(handle, { clock: testClock(new Date('2026-11-25T10:00:00Z')) });
  world = await makeWorld(deps);
  worker = await actorFor(['practitioner'], [world.teamA]);
  senior = await actorFor(['senior_leader']);
});
afterAll(async () => {
  await handle.close();
});

describe('the names table', () => {
  it('counts names as people are added, renamed and removed, one statement or many rows at a time', async () => {
    await expectConsistent();
    const a = await person('Tobias', 'Quennell');
    await person('Tobias', 'Quennell', { preferred: 'Toby' });
    expect(await countOf('tobias', 'given')).toBe(2);
    expect(await countOf('quennell', 'family')).toBe(2);
    expect(await countOf('toby', 'preferred')).toBe(1);

    // Several rows in one statement.
    await deps.db
      .insertInto('people')
      .values(
        ['Quennell', 'Quennel', 'quennell'].map((family) => ({
          organisation_id: world.organisationId,
          given_name: 'Ada',
          family_name: family,
          date_of_birth: null,
        })),
      )
      .execute();
    expect(await countOf('quennell', 'family')).toBe(4);
    expect(await countOf('quennel', 'family')).toBe(1);
    await expectConsistent();

    // A rename moves the count; an update that leaves the name alone changes nothing.
    await deps.db.updateTable('people').set({ family_name: 'Marchetti' }).where('id', '=', a).execute();
    expect(await countOf('quennell', 'family')).toBe(3);
    expect(await countOf('marchetti', 'family')).toBe(1);
    await deps.db.updateTable('people').set({ pronouns: 'he/him' }).where('id', '=', a).execute();
    await deps.db.updateTable('people').set({ preferred_name: 'Tobi' }).where('id', '=', a).execute();
    await expectConsistent();

    // A name nobody uses any more leaves the table.
    await deps.db.deleteFrom('people').where('family_name', '=', 'Quennel').execute();
    expect(await countOf('quennel', 'family')).toBe(0);
    await deps.db.updateTable('people').set({ family_name: 'Gillingham' }).where('id', '=', a).execute();
    expect(await countOf('marchetti', 'family')).toBe(0);
    await expectConsistent();
  });

  it('counts previous names as they are added, changed and removed', async () => {
    const p = await person('Imogen', 'Castellane');
    const row = await deps.db
      .insertInto('person_names')
      .values({ person_id: p, kind: 'previous', given_name: 'Imogen', family_name: 'Pettigrew' })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(await countOf('pettigrew', 'family')).toBe(1);
    expect(await countOf('imogen', 'given')).toBe(2);
    await deps.db
      .updateTable('person_names')
      .set({ family_name: 'Pettigrue' })
      .where('id', '=', row.id)
      .execute();
    expect(await countOf('pettigrew', 'family')).toBe(0);
    expect(await countOf('pettigrue', 'family')).toBe(1);
    await expectConsistent();
    await deps.db.deleteFrom('person_names').where('id', '=', row.id).execute();
    expect(await countOf('pettigrue', 'family')).toBe(0);
    await expectConsistent();
  });

  it('stays right through a merge and its undoing, and the search follows', async () => {
    const admin = await actorFor(['administrator']);
    const keep = await person('Wilhelmina', 'Thistlewood');
    const merged = await person('Wilhelmina', 'Thistlewode');
    await deps.db
      .insertInto('person_names')
      .values({ person_id: merged, kind: 'previous', given_name: 'Mina', family_name: 'Oakhampton' })
      .execute();
    const before = await kept();

    const { mergeId } = await mergePeople(deps, admin, {
      keepId: keep,
      mergeId: merged,
      expectedVersions: { keep: await version(keep), merge: await version(merged) },
      requestId: 'test',
    });
    await expectConsistent();
    // The merged record is never shown; the kept one is found by the merged record's names.
    expect(ids(await search(senior, 'Thistlewood'))).toEqual([keep]);
    expect(ids(await search(senior, 'Oakhampton'))).toEqual([keep]);
    expect(full(await search(senior, 'Oakhampton'), keep)?.matchedPreviousName).toBe(true);

    await undoMerge(deps, admin, mergeId, 'test');
    await expectConsistent();
    expect(await kept()).toEqual(before);
    expect(ids(await search(senior, 'Oakhampton'))).toEqual([merged]);
    expect(ids(await search(senior, 'Thistlewode'))).toEqual([merged, keep]);
  });
});

describe('searching by one word', () => {
  it('finds a renamed person by the new name and no longer by the old one', async () => {
    const p = await person('Perpetua', 'Wimbourne');
    expect(ids(await search(worker, 'Wimbourne'))).toEqual([p]);
    await deps.db.updateTable('people').set({ family_name: 'Ashdown' }).where('id', '=', p).execute();
    expect(ids(await search(worker, 'Wimbourne'))).toEqual([]);
    expect(ids(await search(worker, 'Ashdwon'))).toEqual([p]);
  });

  it('orders by tier, then the closeness of the name found, then family and given name', async () => {
    const exactFamily = await person('Zebedee', 'Farrowdale');
    const exactGiven = await person('Farrowdale', 'Abbot');
    const preferred = await person('Anne', 'Yeo', { preferred: 'Farrowdale' });
    const soundsLike = await person('Ann', 'Pharowdale');
    const similar = await person('Ann', 'Farrowdane');
    const lessSimilar = await person('Ann', 'Farrowdanes');
    const outcome = await search(worker, 'Farrowdale');
    // Exact: the family name first, then given and preferred names by family name (Abbot, Yeo).
    expect(ids(outcome)).toEqual([exactFamily, exactGiven, preferred, soundsLike, similar, lessSimilar]);
    expect(outcome.results.map((r) => (r.restricted ? 'restricted' : r.nameMatch))).toEqual([
      'exact',
      'exact',
      'exact',
      'sounds-like',
      'similar',
      'similar',
    ]);
  });

  it('respects scope, and shows a restricted person by the current name only', async () => {
    const mine = await person('Octavia', 'Ravenscroft');
    const theirs = await person('Octavia', 'Ravenscroft', { teamId: world.teamB });
    expect(ids(await search(worker, 'Ravenscrotf'))).toEqual([mine]);
    expect(ids(await search(senior, 'Ravenscrotf')).sort()).toEqual([mine, theirs].sort());

    const manager = await actorFor(['team_manager'], [world.teamA]);
    const hidden = await person('Cressida', 'Umberleigh');
    await deps.db
      .insertInto('person_names')
      .values({ person_id: hidden, kind: 'birth', given_name: 'Cressida', family_name: 'Vantongeren' })
      .execute();
    await restrictPerson(deps, manager, hidden, {
      category: 'adoption',
      reason: 'Placed for adoption',
      allowedUserIds: [],
      reviewOn: null,
      requestId: 'test',
    });
    expect((await search(worker, 'Umberleigh')).results).toEqual([
      { restricted: true, givenName: 'Cressida', familyName: 'Umberleigh' },
    ]);
    expect((await search(worker, 'Vantongeren')).results).toEqual([]);
    expect((await search(worker, 'Vantongeren')).more).toBe(false);
  });

  it(`shows the best ${SEARCH_LIMIT} of many and says there are more`, async () => {
    await deps.db
      .insertInto('people')
      .values(
        Array.from({ length: SEARCH_LIMIT + 10 }, (_, i) => ({
          organisation_id: world.organisationId,
          given_name: `Given${String(100 + i)}`,
          family_name: 'Lamplugh',
          date_of_birth: null,
        })),
      )
      .execute();
    const exact = await person('Aaron', 'Lamplugh');
    const typo = await search(senior, 'Lamplguh');
    expect(typo.results).toHaveLength(SEARCH_LIMIT);
    expect(typo.more).toBe(true);
    // Family name, then given name: Aaron first, then Given100… in order.
    expect(ids(typo)[0]).toBe(exact);
    expect(typo.results.slice(1, 4).map((r) => r.givenName)).toEqual(['Given100', 'Given101', 'Given102']);
  });
});
