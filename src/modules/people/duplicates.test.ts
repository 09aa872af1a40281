import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../db/connect.ts';
import { loadActor } from '../access/access.repository.ts';
import type { Actor } from '../access/actor.ts';
import type { Deps } from '../../platform/deps.ts';
import { ForbiddenError, NotFoundError } from '../../platform/errors.ts';
import { openTestDb } from '../../../test/support/db.ts';
import { makeWorld, testClock, testDeps } from '../../../test/support/world.ts';
import { duplicateReport, findLikelyDuplicates, markNotDuplicates, scanForDuplicates } from './duplicates.ts';
import { mergePeople } from './merge.ts';

let handle: DbHandle;
let deps: Deps;
let world: Awaited<ReturnType<typeof makeWorld>>;

beforeAll(async () => {
  handle = await openTestDb();
  deps = testDeps(handle, { clock: testClock(new Date('2026-11-25T10:00:00Z')) });
  world = await makeWorld(deps);
});
afterAll(async () => {
  await handle.close();
});

async function actorFor(roles: string[], teamIds: string[] = []): Promise<Actor> {
  const user = await world.user({ roles, teamIds });
  const actor = await loadActor(deps.db, user.id);
  if (!actor) throw new Error('no actor');
  return actor;
}

/** A person in the test council, allocated to a team or not. */
async function person(values: {
  given: string;
  family: string;
  dob?: string | null;
  nhs?: string | null;
  teamId?: string;
  organisationId?: string;
}): Promise<string> {
  const row = await deps.db
    .insertInto('people')
    .values({
      organisation_id: values.organisationId ?? world.organisationId,
      given_name: values.given,
      family_name: values.family,
      date_of_birth: values.dob === undefined ? '2012-03-04' : values.dob,
      nhs_number: values.nhs ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (values.teamId)
    await deps.db
      .insertInto('allocations')
      .values({ person_id: row.id, team_id: values.teamId, worker_user_id: null })
      .execute();
  return row.id;
}

describe('findLikelyDuplicates', () => {
  it('offers “John Smith” born the same day for “Jon Smyth”, across teams, but not different people', async () => {
    const worker = await actorFor(['practitioner'], [world.teamA]);
    const sameDay = await person({ given: 'John', family: 'Smith', teamId: world.teamB });
    const otherDay = await person({ given: 'Priya', family: 'Nair', dob: '2013-07-08', teamId: world.teamA });
    const sameNameOtherDay = await person({
      given: 'Jon',
      family: 'Smyth',
      dob: '1990-01-01',
      teamId: world.teamA,
    });
    const found = await findLikelyDuplicates(deps, worker, {
      givenName: 'Jon',
      familyName: 'Smyth',
      dateOfBirth: '2012-03-04',
      nhsNumber: null,
    });
    const ids = found.map((c) => c.id);
    expect(ids).toContain(sameDay);
    expect(ids).not.toContain(otherDay);
    expect(ids).not.toContain(sameNameOtherDay);
    const john = found.find((c) => c.id === sameDay);
    // Another team's child: seen by the check, but not openable by this practitioner.
    expect(john).toMatchObject({
      givenName: 'John',
      familyName: 'Smith',
      dateOfBirth: '2012-03-04',
      canOpen: false,
      restricted: false,
    });
    expect(john?.reasons).toEqual(
      expect.arrayContaining(['date_of_birth', 'family_name_sound', 'given_name_sound', 'similar_name']),
    );
    expect(Object.keys(john ?? {}).sort()).toEqual([
      'canOpen',
      'dateOfBirth',
      'familyName',
      'givenName',
      'id',
      'reasons',
      'restricted',
      'score',
    ]);

    // Different date of birth and a different name: not offered.
    const none = await findLikelyDuplicates(deps, worker, {
      givenName: 'Oluwaseun',
      familyName: 'Adeyemi',
      dateOfBirth: '2012-03-05',
    });
    expect(none.map((c) => c.id)).not.toContain(sameDay);
  });

  it('finds the same NHS number whatever the name, a sound-alike born the same year, and a matching previous name', async () => {
    const manager = await actorFor(['team_manager'], [world.teamA]);
    const nhsMatch = await person({
      given: 'Completely',
      family: 'Different',
      dob: '2001-01-01',
      nhs: '9434765919',
      teamId: world.teamA,
    });
    const byNhs = await findLikelyDuplicates(deps, manager, {
      givenName: 'Amy',
      familyName: 'Jones',
      dateOfBirth: null,
      nhsNumber: '943 476 5919',
    });
    expect(byNhs[0]).toMatchObject({ id: nhsMatch, canOpen: true });
    expect(byNhs[0]?.reasons).toContain('nhs_number');

    const sameYear = await person({
      given: 'Catherine',
      family: 'Philips',
      dob: '2010-11-30',
      teamId: world.teamA,
    });
    const year = await findLikelyDuplicates(deps, manager, {
      givenName: 'Katharine',
      familyName: 'Phillips',
      dateOfBirth: '2010-02-01',
    });
    expect(year.find((c) => c.id === sameYear)?.reasons).toContain('birth_year');

    const renamed = await person({ given: 'Mia', family: 'Okonkwo', dob: '2011-05-06', teamId: world.teamA });
    await deps.db
      .insertInto('person_names')
      .values({
        person_id: renamed,
        kind: 'previous',
        given_name: 'Mia',
        family_name: 'Tanaka',
        used_until: null,
      })
      .execute();
    const previous = await findLikelyDuplicates(deps, manager, {
      givenName: 'Mia',
      familyName: 'Tanaka',
      dateOfBirth: '2011-05-06',
    });
    expect(previous.find((c) => c.id === renamed)?.reasons).toContain('other_name');
  });

  it('gives a restricted record by name only, and never a merged record or another council’s', async () => {
    const manager = await actorFor(['team_manager', 'administrator'], [world.teamA]);
    const restricted = await person({
      given: 'Harriet',
      family: 'Quill',
      dob: '2014-04-04',
      teamId: world.teamA,
    });
    const restriction = await deps.db
      .insertInto('person_restrictions')
      .values({
        person_id: restricted,
        category: 'high_profile',
        reason: 'Test',
        approved_by: null,
        review_on: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const [found] = await findLikelyDuplicates(deps, manager, {
      givenName: 'Harriet',
      familyName: 'Quill',
      dateOfBirth: '2014-04-04',
    });
    expect(found).toEqual({
      id: restricted,
      givenName: 'Harriet',
      familyName: 'Quill',
      dateOfBirth: null,
      canOpen: false,
      restricted: true,
      score: expect.any(Number) as number,
      reasons: [],
    });
    // Named on the restriction: seen in full.
    await deps.db
      .insertInto('person_restriction_users')
      .values({ restriction_id: restriction.id, user_id: manager.userId })
      .execute();
    const [listed] = await findLikelyDuplicates(deps, manager, {
      givenName: 'Harriet',
      familyName: 'Quill',
      dateOfBirth: '2014-04-04',
    });
    expect(listed).toMatchObject({ dateOfBirth: '2014-04-04', canOpen: true, restricted: false });

    const keep = await person({
      given: 'Bartholomew',
      family: 'Ilunga',
      dob: '2015-02-02',
      teamId: world.teamA,
    });
    const merged = await person({
      given: 'Bartholomew',
      family: 'Ilunga',
      dob: '2015-02-02',
      teamId: world.teamA,
    });
    await mergePeople(deps, manager, {
      keepId: keep,
      mergeId: merged,
      expectedVersions: { keep: 1, merge: 1 },
    });
    const afterMerge = await findLikelyDuplicates(deps, manager, {
      givenName: 'Bartholomew',
      familyName: 'Ilunga',
      dateOfBirth: '2015-02-02',
    });
    expect(afterMerge.map((c) => c.id)).toEqual([keep]);

    const elsewhere = await deps.db
      .insertInto('organisations')
      .values({ name: 'Another Council', kind: 'local_authority', la_code: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const outside = await person({
      given: 'Bartholomew',
      family: 'Ilunga',
      dob: '2015-02-02',
      organisationId: elsewhere.id,
    });
    const again = await findLikelyDuplicates(deps, manager, {
      givenName: 'Bartholomew',
      familyName: 'Ilunga',
      dateOfBirth: '2015-02-02',
    });
    expect(again.map((c) => c.id)).not.toContain(outside);
  });

  it('is refused to staff with no access to people at all, and is audited without personal data', async () => {
    const nobody = await actorFor([]);
    await expect(
      findLikelyDuplicates(deps, nobody, {
        givenName: 'Jon',
        familyName: 'Smyth',
        dateOfBirth: '2012-03-04',
      }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    const worker = await actorFor(['practitioner'], [world.teamA]);
    await findLikelyDuplicates(
      deps,
      worker,
      { givenName: 'Jon', familyName: 'Smyth', dateOfBirth: '2012-03-04' },
      { requestId: 'req-dup' },
    );
    const audit = await deps.db
      .selectFrom('audit_log')
      .select(['action', 'detail'])
      .where('request_id', '=', 'req-dup')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['person.duplicate_check']);
    expect(JSON.stringify(audit[0]?.detail)).not.toMatch(/Jon|Smyth|2012/);
  });
});

describe('the duplicate report', () => {
  it('pairs likely duplicates across the council, leaves out merged records and pairs marked as different people', async () => {
    const admin = await actorFor(['administrator']);
    const a = await person({
      given: 'Rowan',
      family: 'Featherstonehaugh',
      dob: '2009-09-09',
      teamId: world.teamA,
    });
    const b = await person({
      given: 'Rowen',
      family: 'Fetherstonhaugh',
      dob: '2009-09-09',
      teamId: world.teamB,
    });
    const c = await person({ given: 'Rowan', family: 'Featherstonehaugh', dob: '2009-12-25' });
    const unrelated = await person({ given: 'Zebedee', family: 'Quartermaine', dob: '2009-09-09' });
    const copy = await person({ given: 'Rowan', family: 'Featherstonehaugh', dob: '2009-09-09' });
    const empty = await duplicateReport(deps, admin);
    expect(empty.scannedAt).toBeNull();

    const scan = await scanForDuplicates(deps, admin, 'req-scan');
    expect(scan.pairs).toBeGreaterThan(0);
    const report = await duplicateReport(deps, admin);
    expect(report.scannedAt).not.toBeNull();
    const key = (x: string, y: string) => [x, y].sort().join(' ');
    const pairs = new Map(report.pairs.map((p) => [key(p.first.id, p.second.id), p]));
    expect(pairs.get(key(a, b))?.reasons.map((r) => r.code)).toEqual(
      expect.arrayContaining(['date_of_birth', 'family_name_sound']),
    );
    expect(pairs.get(key(a, c))?.reasons.map((r) => r.code)).toEqual(
      expect.arrayContaining(['birth_year', 'given_name_sound']),
    );
    expect(pairs.has(key(a, unrelated))).toBe(false);
    // Best first.
    const scores = report.pairs.map((p) => p.score);
    expect(scores).toEqual([...scores].sort((x, y) => y - x));

    // A team manager sees pairs with a record in their team (a in team A), not pairs wholly elsewhere.
    const managerB = await actorFor(['team_manager'], [world.teamB]);
    const bOnly = await duplicateReport(deps, managerB);
    expect(bOnly.pairs.some((p) => key(p.first.id, p.second.id) === key(a, b))).toBe(true);
    const managerNone = await actorFor(['team_manager'], []);
    const seen = await duplicateReport(deps, managerNone);
    expect(seen.pairs.some((p) => key(p.first.id, p.second.id) === key(a, b))).toBe(false);

    await markNotDuplicates(deps, admin, { personA: b, personB: a, requestId: 'req-not' });
    const afterDecision = await duplicateReport(deps, admin);
    expect(afterDecision.pairs.some((p) => key(p.first.id, p.second.id) === key(a, b))).toBe(false);
    const decision = await deps.db
      .selectFrom('person_not_duplicates')
      .selectAll()
      .where('decided_by', '=', admin.userId)
      .execute();
    expect(decision).toHaveLength(1);
    expect(decision[0]?.person_a).toBe([a, b].sort()[0]);

    expect(pairs.has(key(a, copy))).toBe(true);
    await mergePeople(deps, admin, { keepId: a, mergeId: copy, expectedVersions: { keep: 1, merge: 1 } });
    const afterMerge = await duplicateReport(deps, admin);
    expect(afterMerge.pairs.some((p) => p.first.id === copy || p.second.id === copy)).toBe(false);
    expect(afterMerge.recentMerges.find((m) => m.keptPersonId === a)).toMatchObject({
      mergedName: 'Rowan Featherstonehaugh',
      undoneAt: null,
    });
  });

  it('pages through a long report, fifty pairs at a time', async () => {
    const council = await makeWorld(deps);
    const user = await council.user({ roles: ['administrator'] });
    const admin = await loadActor(deps.db, user.id);
    if (!admin) throw new Error('no actor');
    // Eleven records of the same child: 55 pairs.
    for (let i = 0; i < 11; i += 1) {
      await person({
        given: 'Tobias',
        family: 'Wren',
        dob: '2016-08-08',
        organisationId: council.organisationId,
      });
    }
    await scanForDuplicates(deps, admin);
    const first = await duplicateReport(deps, admin);
    expect(first).toMatchObject({ pairsFound: 55, page: 1, hasNext: true });
    expect(first.pairs).toHaveLength(50);
    const second = await duplicateReport(deps, admin, { page: 2 });
    expect(second).toMatchObject({ page: 2, hasNext: false });
    expect(second.pairs).toHaveLength(5);
    const seen = new Set([...first.pairs, ...second.pairs].map((p) => `${p.first.id} ${p.second.id}`));
    expect(seen.size).toBe(55);
  });

  it('is for staff who may merge records only', async () => {
    const worker = await actorFor(['practitioner'], [world.teamA]);
    await expect(duplicateReport(deps, worker)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(scanForDuplicates(deps, worker)).rejects.toBeInstanceOf(ForbiddenError);
    const manager = await actorFor(['team_manager'], [world.teamA]);
    const other = await person({ given: 'Elsewhere', family: 'Person', teamId: world.teamB });
    const another = await person({ given: 'Elsewhere', family: 'Persson', teamId: world.teamB });
    // Neither record is in the manager's area.
    await expect(
      markNotDuplicates(deps, manager, { personA: other, personB: another }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});
