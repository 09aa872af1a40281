import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb } from '../../../test/support/db.ts';
import { makeWorld, testClock, testDeps, type TestClock } from '../../../test/support/world.ts';
import type { DbHandle } from '../../db/connect.ts';
import { loadActor } from '../access/access.repository.ts';
import type { Actor } from '../access/actor.ts';
import type { Deps } from '../../platform/deps.ts';
import { ForbiddenError, InvalidInputError } from '../../platform/errors.ts';
import { givenNameVariants, knownGivenNames } from './nicknames.ts';
import { restrictPerson } from './restrictions.ts';
import {
  parseDateOfBirth,
  parseIdentifier,
  parseName,
  parsePostcode,
  searchPeople,
  SEARCH_LIMIT,
  type FullResult,
  type SearchInput,
  type SearchOutcome,
} from './search.ts';

const TODAY = new Date('2026-11-25T10:00:00Z');

describe('nicknames', () => {
  it('expand a typed given name through every group it belongs to', () => {
    expect(givenNameVariants('Kayley')).toEqual(expect.arrayContaining(['kayleigh', 'kaylee', 'caley']));
    expect(givenNameVariants('Jon')).toEqual(expect.arrayContaining(['john', 'jonathan', 'johnny']));
    expect(givenNameVariants('jack')).toEqual(expect.arrayContaining(['john', 'jackson', 'jake']));
    expect(givenNameVariants('Bill')).toContain('william');
    expect(givenNameVariants('Liam')).toContain('william');
    expect(givenNameVariants('Peggy')).toContain('margaret');
    expect(givenNameVariants('Muhammad')).toEqual(
      expect.arrayContaining(['mohammed', 'mohamed', 'mohammad']),
    );
    expect(givenNameVariants('Kate')).toEqual(
      expect.arrayContaining(['katherine', 'catherine', 'katie', 'kathy']),
    );
    expect(givenNameVariants('Beth')).toEqual(expect.arrayContaining(['elizabeth', 'bethany', 'liz']));
    expect(givenNameVariants('Bob')).toContain('robert');
    expect(givenNameVariants('Zebedee')).toEqual(['zebedee']);
    expect(givenNameVariants('  ')).toEqual([]);
    expect(knownGivenNames()).toBeGreaterThan(400);
  });
});

describe('parsing what was typed', () => {
  it('reads a name as given name first and family name last, in lower case', () => {
    expect(parseName('  Jon   SMYTH ')).toMatchObject({
      text: 'jon smyth',
      given: 'jon',
      family: 'smyth',
      single: false,
      initial: false,
    });
    expect(parseName('Mary Ann Smith')).toMatchObject({
      given: 'mary',
      givenAll: 'mary ann',
      family: 'smith',
    });
    expect(parseName('J Smith')).toMatchObject({ initial: true, given: 'j' });
    expect(parseName('O’Brien')).toMatchObject({ text: "o'brien", single: true });
    expect(parseName('')).toBeUndefined();
    expect(parseName('943 476 5919')).toEqual({
      field: 'name',
      message: expect.stringContaining('letters') as string,
    });
    expect(parseName('x'.repeat(101))).toMatchObject({ field: 'name' });
  });

  it('reads a full date of birth as that date, with a year either side and the day and month swapped', () => {
    expect(parseDateOfBirth({ day: '4', month: '11', year: '2015' }, TODAY)).toEqual({
      exact: { from: '2015-11-04', to: '2015-11-04' },
      near: ['2014-04-11', '2014-11-04', '2015-04-11', '2016-04-11', '2016-11-04'].map((d) => ({
        from: d,
        to: d,
      })),
    });
    // 29 February has no anniversary a year either side; 25/12 cannot be swapped.
    expect(parseDateOfBirth({ day: '29', month: '2', year: '2016' }, TODAY)).toEqual({
      exact: { from: '2016-02-29', to: '2016-02-29' },
      near: [],
    });
    expect(parseDateOfBirth({ day: '', month: '', year: '2015' }, TODAY)).toEqual({
      exact: { from: '2015-01-01', to: '2015-12-31' },
      near: [
        { from: '2014-01-01', to: '2014-12-31' },
        { from: '2016-01-01', to: '2016-12-31' },
      ],
    });
    expect(parseDateOfBirth({ month: '2', year: '2015' }, TODAY)).toMatchObject({
      exact: { from: '2015-02-01', to: '2015-02-28' },
    });
    expect(parseDateOfBirth({}, TODAY)).toBeUndefined();
  });

  it('refuses dates that are not real, not whole or in the future, naming the part to fix', () => {
    expect(parseDateOfBirth({ day: '31', month: '2', year: '2015' }, TODAY)).toMatchObject({
      field: 'dateOfBirth',
    });
    expect(parseDateOfBirth({ day: '3', month: '4' }, TODAY)).toMatchObject({ field: 'dateOfBirth-year' });
    expect(parseDateOfBirth({ day: '3', year: '2015' }, TODAY)).toMatchObject({ field: 'dateOfBirth-month' });
    expect(parseDateOfBirth({ day: 'x', month: '4', year: '2015' }, TODAY)).toMatchObject({
      field: 'dateOfBirth',
    });
    expect(parseDateOfBirth({ month: '13', year: '2015' }, TODAY)).toMatchObject({
      field: 'dateOfBirth-month',
    });
    expect(parseDateOfBirth({ year: '15' }, TODAY)).toMatchObject({
      field: 'dateOfBirth-year',
      message: 'Year must include 4 numbers',
    });
    expect(parseDateOfBirth({ day: '1', month: '1', year: '2027' }, TODAY)).toMatchObject({
      message: 'Date of birth must be in the past',
    });
  });

  it('reads identifiers with or without spaces, and postcodes in any case and spacing', () => {
    expect(parseIdentifier(' 943 476 5919 ')).toMatchObject({ nhsNumber: '9434765919' });
    expect(parseIdentifier('943-476-5919')).toMatchObject({ nhsNumber: '9434765919' });
    expect(parseIdentifier('h801 2000 0100 1')).toMatchObject({ upn: 'H801200001001', nhsNumber: undefined });
    expect(parseIdentifier('CP-001234')).toEqual({
      nhsNumber: undefined,
      upn: undefined,
      councilIds: ['CP-001234'],
    });
    expect(parsePostcode(' al11aa ')).toEqual({ canonical: 'AL1 1AA', compact: 'AL11AA' });
    expect(parsePostcode('not a postcode')).toMatchObject({ field: 'postcode' });
  });
});

let handle: DbHandle;
let deps: Deps;
let clock: TestClock;
let world: Awaited<ReturnType<typeof makeWorld>>;
let worker: Actor;
let workerB: Actor;

async function actor(userId: string): Promise<Actor> {
  const loaded = await loadActor(deps.db, userId);
  if (!loaded) throw new Error('no actor');
  return loaded;
}

type PersonOptions = {
  given: string;
  family: string;
  teamId?: string;
  dob?: string | null;
  preferred?: string;
  nhs?: string;
  upn?: string;
  councilId?: string;
  postcode?: string;
};

async function person(options: PersonOptions): Promise<string> {
  const row = await deps.db
    .insertInto('people')
    .values({
      organisation_id: world.organisationId,
      given_name: options.given,
      family_name: options.family,
      preferred_name: options.preferred ?? null,
      date_of_birth: options.dob === undefined ? '2015-06-01' : options.dob,
      nhs_number: options.nhs ?? null,
      upn: options.upn ?? null,
      council_person_id: options.councilId ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await deps.db
    .insertInto('allocations')
    .values({ person_id: row.id, team_id: options.teamId ?? world.teamA, worker_user_id: null })
    .execute();
  if (options.postcode) {
    await deps.db
      .insertInto('person_addresses')
      .values({
        person_id: row.id,
        line1: '1 Test Street',
        postcode: options.postcode,
        started_on: '2020-01-01',
      })
      .execute();
  }
  return row.id;
}

function ids(outcome: SearchOutcome): string[] {
  return outcome.results.flatMap((r) => (r.restricted ? [] : [r.id]));
}

function full(outcome: SearchOutcome, id: string): FullResult | undefined {
  return outcome.results.find((r): r is FullResult => !r.restricted && r.id === id);
}

const search = (who: Actor, input: SearchInput) => searchPeople(deps, who, { requestId: 'test', ...input });

let johnSmith: string;
let jonathanSmith: string;
let kayleigh: string;
let mohammed: string;
let teamBChild: string;

beforeAll(async () => {
  handle = await openTestDb();
  clock = testClock(TODAY);
  deps = testDeps(handle, { clock });
  world = await makeWorld(deps);
  worker = await actor((await world.user({ roles: ['practitioner'], teamIds: [world.teamA] })).id);
  workerB = await actor((await world.user({ roles: ['practitioner'], teamIds: [world.teamB] })).id);
  johnSmith = await person({ given: 'John', family: 'Smith', dob: '2014-03-09', postcode: 'AL1 1AA' });
  jonathanSmith = await person({ given: 'Jonathan', family: 'Smith', dob: '2012-07-21' });
  kayleigh = await person({
    given: 'Kayleigh',
    family: 'Brown',
    dob: '2016-11-04',
    nhs: '9434765919',
    upn: 'H801200001001',
    councilId: 'CP-001234',
  });
  mohammed = await person({ given: 'Mohammed', family: 'Khan', dob: '2013-01-15' });
  teamBChild = await person({ given: 'John', family: 'Smith', teamId: world.teamB, dob: '2014-03-09' });
  // People who must not turn up for the searches below.
  await person({ given: 'Olivia', family: 'Jones' });
  await person({ given: 'Harry', family: 'Patel', dob: '2014-03-10' });
});
afterAll(async () => {
  await handle.close();
});

describe('searching by name', () => {
  it('finds "John Smith" from "Jon Smyth" (nickname and sound-alike), and ranks exact matches first', async () => {
    const typo = await search(worker, { name: 'Jon Smyth' });
    expect(ids(typo)).toContain(johnSmith);
    expect(full(typo, johnSmith)?.nameMatch).toBe('sounds-like');
    expect(ids(typo)).not.toContain(teamBChild);

    const exact = await search(worker, { name: 'john smith' });
    expect(ids(exact)[0]).toBe(johnSmith);
    expect(full(exact, johnSmith)?.nameMatch).toBe('exact');
    // Jonathan Smith: John's group holds Jonathan, so he follows as a nickname match.
    expect(ids(exact)).toContain(jonathanSmith);
    expect(full(exact, jonathanSmith)?.nameMatch).toBe('nickname');
    expect(ids(exact).indexOf(jonathanSmith)).toBeGreaterThan(ids(exact).indexOf(johnSmith));
  });

  it('ranks exact, then nickname, then sound-alike, then similar spelling', async () => {
    const similar = await person({ given: 'Robert', family: 'Walkden' });
    const soundsLike = await person({ given: 'Robbie', family: 'Wolker' });
    const nickname = await person({ given: 'Bob', family: 'Walker' });
    const exact = await person({ given: 'Robert', family: 'Walker' });
    const outcome = await search(worker, { name: 'Robert Walker' });
    expect(ids(outcome)).toEqual([exact, nickname, soundsLike, similar]);
    expect(outcome.results.map((r) => (r.restricted ? 'restricted' : r.nameMatch))).toEqual([
      'exact',
      'nickname',
      'sounds-like',
      'similar',
    ]);
  });

  it('finds "Kayleigh" from "Kayley", and Mohammed from Muhammad', async () => {
    const outcome = await search(worker, { name: 'Kayley' });
    expect(ids(outcome)).toEqual([kayleigh]);
    expect(full(outcome, kayleigh)?.nameMatch).toBe('nickname');
    expect(ids(await search(worker, { name: 'Muhammad Khan' }))).toEqual([mohammed]);
    expect(ids(await search(worker, { name: 'Kaylee Brown' }))).toEqual([kayleigh]);
  });

  it('finds a nickname: "Bill" finds William, "Peggy" finds Margaret', async () => {
    const william = await person({ given: 'William', family: 'Turner' });
    const margaret = await person({ given: 'Margaret', family: 'Ojo' });
    const bill = await search(worker, { name: 'Bill Turner' });
    expect(ids(bill)).toEqual([william]);
    expect(full(bill, william)?.nameMatch).toBe('nickname');
    expect(ids(await search(worker, { name: 'peggy ojo' }))).toEqual([margaret]);
  });

  it('finds typing mistakes the sound-alike keys miss: "Jhon Smiht", "Smiht"', async () => {
    expect(ids(await search(worker, { name: 'Jhon Smiht' }))).toContain(johnSmith);
    const bySurname = await search(worker, { name: 'Smiht' });
    expect(ids(bySurname)).toEqual(expect.arrayContaining([johnSmith, jonathanSmith]));
    expect(full(bySurname, johnSmith)?.nameMatch).toBe('similar');
    expect(ids(await search(worker, { name: 'Kayleihg Brwon' }))).toEqual([kayleigh]);
  });

  it('finds a preferred name and an initial', async () => {
    const preferred = await person({ given: 'Alexandra', family: 'Nowak', preferred: 'Sasha' });
    expect(ids(await search(worker, { name: 'Sasha Nowak' }))).toEqual([preferred]);
    expect(ids(await search(worker, { name: 'J Smith' }))).toEqual(
      expect.arrayContaining([johnSmith, jonathanSmith]),
    );
  });

  it('finds someone by a previous name, exactly or by a sound-alike, and says so', async () => {
    const renamed = await person({ given: 'Amelia', family: 'Hartley' });
    await deps.db
      .insertInto('person_names')
      .values({ person_id: renamed, kind: 'previous', given_name: 'Amelia', family_name: 'Thompson' })
      .execute();
    const outcome = await search(worker, { name: 'Amelia Thompson' });
    expect(ids(outcome)).toEqual([renamed]);
    expect(full(outcome, renamed)).toMatchObject({
      matchedPreviousName: true,
      nameMatch: 'exact',
      familyName: 'Hartley',
    });
    expect(ids(await search(worker, { name: 'Amy Tomson' }))).toEqual([renamed]);
    expect(full(await search(worker, { name: 'Amelia Hartley' }), renamed)?.matchedPreviousName).toBe(false);
  });

  it('never shows a merged record', async () => {
    const kept = await person({ given: 'Florence', family: 'Adeyemi' });
    const merged = await person({ given: 'Florence', family: 'Adeyemi' });
    await deps.db.updateTable('people').set({ merged_into: kept }).where('id', '=', merged).execute();
    expect(ids(await search(worker, { name: 'Florence Adeyemi' }))).toEqual([kept]);
  });
});

describe('searching by date of birth, identifier and postcode', () => {
  it('finds an exact date first, then a year out or the day and month swapped', async () => {
    const outcome = await search(worker, { dateOfBirth: { day: '9', month: '3', year: '2014' } });
    expect(ids(outcome)).toEqual([johnSmith]);
    const yearOut = await search(worker, { dateOfBirth: { day: '9', month: '3', year: '2015' } });
    expect(ids(yearOut)).toEqual([johnSmith]);
    const swapped = await search(worker, { dateOfBirth: { day: '11', month: '4', year: '2016' } });
    expect(ids(swapped)).toEqual([kayleigh]);
    const byYear = await search(worker, { dateOfBirth: { year: '2013' } });
    expect(ids(byYear)[0]).toBe(mohammed);
    expect(ids(byYear)).toEqual(expect.arrayContaining([mohammed, johnSmith, jonathanSmith]));
    // Both name and date must match.
    expect(
      ids(await search(worker, { name: 'John Smith', dateOfBirth: { day: '1', month: '1', year: '2001' } })),
    ).toEqual([]);
    const both = await search(worker, {
      name: 'Smith',
      dateOfBirth: { day: '21', month: '7', year: '2012' },
    });
    expect(ids(both)).toEqual([jonathanSmith]);
  });

  it('finds an NHS number typed with spaces, a UPN and a council person ID', async () => {
    expect(ids(await search(worker, { identifier: '943 476 5919' }))).toEqual([kayleigh]);
    expect(ids(await search(worker, { identifier: '9434765919' }))).toEqual([kayleigh]);
    expect(ids(await search(worker, { identifier: 'h801200001001' }))).toEqual([kayleigh]);
    expect(ids(await search(worker, { identifier: 'CP-001234' }))).toEqual([kayleigh]);
    expect(ids(await search(worker, { identifier: '943 476 5918' }))).toEqual([]);
  });

  it('finds a current or past address by postcode, in any spacing, and shows only its first half', async () => {
    const outcome = await search(worker, { postcode: 'al11aa' });
    expect(ids(outcome)).toEqual([johnSmith]);
    expect(full(outcome, johnSmith)).toMatchObject({ postcodeArea: 'AL1', teamName: 'Team A' });
    const moved = await person({ given: 'Poppy', family: 'Evans', postcode: 'SG5 2BB' });
    await deps.db
      .updateTable('person_addresses')
      .set({ ended_on: '2024-01-01' })
      .where('person_id', '=', moved)
      .execute();
    await deps.db
      .insertInto('person_addresses')
      .values({ person_id: moved, line1: '2 New Road', postcode: 'LU1 3CC', started_on: '2024-01-02' })
      .execute();
    const past = await search(worker, { postcode: 'SG5 2BB' });
    expect(ids(past)).toEqual([moved]);
    expect(full(past, moved)?.postcodeArea).toBe('LU1');
  });
});

describe('who sees what', () => {
  it('finds only people in the searcher’s scope: a team B child is not found by a team A practitioner', async () => {
    expect(ids(await search(worker, { name: 'John Smith' }))).not.toContain(teamBChild);
    expect(ids(await search(worker, { dateOfBirth: { day: '9', month: '3', year: '2014' } }))).not.toContain(
      teamBChild,
    );
    expect(ids(await search(workerB, { name: 'John Smith' }))).toEqual([teamBChild]);
  });

  it('shows a restricted record by its current name only, to staff not on its list', async () => {
    const manager = await actor((await world.user({ roles: ['team_manager'], teamIds: [world.teamA] })).id);
    const listed = await actor((await world.user({ roles: ['practitioner'], teamIds: [world.teamA] })).id);
    const child = await person({
      given: 'Isla',
      family: 'Fairweather',
      dob: '2017-05-05',
      nhs: '4010232137',
      postcode: 'HP1 1AA',
    });
    await deps.db
      .insertInto('person_names')
      .values({ person_id: child, kind: 'birth', given_name: 'Isla', family_name: 'Birthname' })
      .execute();
    await restrictPerson(deps, manager, child, {
      category: 'adoption',
      reason: 'Placed for adoption',
      allowedUserIds: [listed.userId],
      reviewOn: null,
      requestId: 'test',
    });

    const unlisted = await search(worker, { name: 'Isla Fairweather' });
    expect(unlisted.results).toEqual([{ restricted: true, givenName: 'Isla', familyName: 'Fairweather' }]);
    expect(JSON.stringify(unlisted)).not.toContain('2017-05-05');
    expect(JSON.stringify(unlisted)).not.toContain(child);
    // Nothing but the current name finds them: not the birth name, date of birth, NHS number or postcode.
    for (const input of [
      { name: 'Isla Birthname' },
      { dateOfBirth: { day: '5', month: '5', year: '2017' } },
      { identifier: '401 023 2137' },
      { postcode: 'HP1 1AA' },
    ]) {
      expect((await search(worker, input)).results, JSON.stringify(input)).toEqual([]);
    }
    // Nor does a date of birth narrow the name search (which would confirm the date).
    const withWrongDate = await search(worker, { name: 'Isla Fairweather', dateOfBirth: { year: '2001' } });
    expect(withWrongDate.results).toEqual([
      { restricted: true, givenName: 'Isla', familyName: 'Fairweather' },
    ]);

    const seen = await search(listed, { name: 'Isla Fairweather' });
    expect(full(seen, child)).toMatchObject({
      restricted: false,
      dateOfBirth: '2017-05-05',
      postcodeArea: 'HP1',
    });
    expect(ids(await search(listed, { identifier: '4010232137' }))).toEqual([child]);
    expect(ids(await search(listed, { name: 'Isla Birthname' }))).toEqual([child]);
  });

  it('refuses staff who cannot read people’s records at all', async () => {
    const admin = await actor((await world.user({ roles: ['administrator'] })).id);
    await expect(search(admin, { name: 'John Smith' })).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('the search itself', () => {
  it('is audited with the fields used and the number found, never the terms', async () => {
    const before = await deps.db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirstOrThrow();
    await search(worker, { name: 'Kayley Brown', identifier: '943 476 5919', postcode: 'AL1 1AA' });
    await search(worker, { name: 'Kayley Brown', dateOfBirth: { day: '4', month: '11', year: '2016' } });
    const rows = await deps.db
      .selectFrom('audit_log')
      .select(['action', 'actor_user_id', 'detail', 'entity_id', 'request_id'])
      .where('seq', '>', before.seq ?? 0)
      .orderBy('seq')
      .execute();
    expect(rows).toEqual([
      {
        action: 'person.search',
        actor_user_id: worker.userId,
        entity_id: null,
        request_id: 'test',
        detail: { fields: ['name', 'identifier', 'postcode'], results: 0, more: false },
      },
      {
        action: 'person.search',
        actor_user_id: worker.userId,
        entity_id: null,
        request_id: 'test',
        detail: { fields: ['name', 'dateOfBirth'], results: 1, more: false },
      },
    ]);
    const text = JSON.stringify(rows).toLowerCase();
    for (const term of ['kayley', 'brown', '943', '9434765919', 'al1', '2016'])
      expect(text).not.toContain(term);
  });

  it('needs at least one field, and rejects bad ones with every problem at once', async () => {
    const nothing = await search(worker, { name: ' ', identifier: '' }).catch((e: unknown) => e);
    expect(nothing).toBeInstanceOf(InvalidInputError);
    expect((nothing as InvalidInputError).errors).toEqual([
      { field: 'name', message: expect.stringContaining('Enter a name') as string },
    ]);
    const bad = await search(worker, {
      name: '123',
      dateOfBirth: { day: '31', month: '2', year: '2015' },
      postcode: 'nowhere',
    }).catch((e: unknown) => e);
    expect((bad as InvalidInputError).errors.map((e) => e.field)).toEqual([
      'name',
      'dateOfBirth',
      'postcode',
    ]);
  });

  it(`shows at most ${SEARCH_LIMIT} people and says there are more`, async () => {
    await deps.db
      .insertInto('people')
      .values(
        Array.from({ length: SEARCH_LIMIT + 5 }, (_, i) => ({
          organisation_id: world.organisationId,
          given_name: `Ruby`,
          family_name: `Many${String(i)}`,
          date_of_birth: '2019-02-02',
        })),
      )
      .execute();
    const senior = await actor((await world.user({ roles: ['senior_leader'] })).id);
    const outcome = await search(senior, { dateOfBirth: { year: '2019' } });
    expect(outcome.results).toHaveLength(SEARCH_LIMIT);
    expect(outcome.more).toBe(true);
  });
});
