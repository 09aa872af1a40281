import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { loadActor } from '../../src/modules/access/access.repository.ts';
import { restrictPerson } from '../../src/modules/people/restrictions.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { count, expectNoInternals, signedInAs, snapshot } from '../support/app-helpers.ts';
import { openTestDb } from '../support/db.ts';
import { Browser, testApp } from '../support/web.ts';
import { makeWorld, testClock, testDeps, type TestUser } from '../support/world.ts';

let handle: DbHandle;
let app: FastifyInstance;
let deps: Deps;
let world: Awaited<ReturnType<typeof makeWorld>>;
let worker: TestUser;
let browser: Browser;
let johnSmith: string;
let teamBChild: string;
let restricted: string;
let listedUser: TestUser;

async function person(options: {
  given: string;
  family: string;
  teamId: string;
  dob: string;
  nhs?: string;
  postcode?: string;
}) {
  const row = await deps.db
    .insertInto('people')
    .values({
      organisation_id: world.organisationId,
      given_name: options.given,
      family_name: options.family,
      date_of_birth: options.dob,
      nhs_number: options.nhs ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await deps.db.insertInto('allocations').values({ person_id: row.id, team_id: options.teamId }).execute();
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

/** The search form's fields, all empty unless given. */
function form(fields: Record<string, string>): Record<string, string> {
  return {
    name: '',
    'dateOfBirth-day': '',
    'dateOfBirth-month': '',
    'dateOfBirth-year': '',
    identifier: '',
    postcode: '',
    ...fields,
  };
}

/** The results table's body rows, as text cells. */
function resultRows(html: string): string[][] {
  const body = /<tbody class="govuk-table__body">([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr class="govuk-table__row">([\s\S]*?)<\/tr>/g)].map((row) =>
    [...(row[1] ?? '').matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) =>
      (cell[1] ?? '')
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
    ),
  );
}

beforeAll(async () => {
  handle = await openTestDb();
  deps = testDeps(handle, { clock: testClock(new Date('2026-11-25T10:00:00Z')) });
  world = await makeWorld(deps);
  app = await testApp(deps);
  worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
  listedUser = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
  const manager = await world.user({ roles: ['team_manager'], teamIds: [world.teamA] });
  johnSmith = await person({
    given: 'John',
    family: 'Smith',
    teamId: world.teamA,
    dob: '2014-03-09',
    nhs: '9434765919',
    postcode: 'AL1 1AA',
  });
  teamBChild = await person({ given: 'John', family: 'Smith', teamId: world.teamB, dob: '2014-03-09' });
  restricted = await person({
    given: 'Isla',
    family: 'Fairweather',
    teamId: world.teamA,
    dob: '2017-05-05',
    postcode: 'HP1 1AA',
  });
  const managerActor = await loadActor(deps.db, manager.id);
  if (!managerActor) throw new Error('no manager');
  await restrictPerson(deps, managerActor, restricted, {
    category: 'staff_relative',
    reason: 'A relative of a member of staff',
    allowedUserIds: [listedUser.id],
    reviewOn: null,
    requestId: 'test',
  });
  browser = await signedInAs(app, deps, worker.id);
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

describe('the search page', () => {
  it('is one GOV.UK form that posts, with its CSRF token, reached from the navigation', async () => {
    const page = await browser.get('/search');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(
      '<a class="govuk-service-navigation__link" href="/search" aria-current="true">',
    );
    const forms = [...page.body.matchAll(/<form [^>]*>/g)]
      .map((m) => m[0])
      .filter((f) => !f.includes('/sign-out'));
    expect(forms).toEqual(['<form method="post" action="/search" novalidate>']);
    expect(page.body).toMatch(/<input type="hidden" name="_csrf" value="[0-9a-f]{64}">/);
    for (const id of [
      'name',
      'dateOfBirth-day',
      'dateOfBirth-month',
      'dateOfBirth-year',
      'identifier',
      'postcode',
    ]) {
      expect(page.body).toContain(`id="${id}"`);
    }
  });

  it('finds "John Smith" from "Jon Smyth": name, date of birth, postcode area and team, with a link by id', async () => {
    const response = await browser.post('/search', form({ name: 'Jon Smyth' }), { tokenFrom: '/search' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('1 person found');
    expect(resultRows(response.body)).toEqual([['John Smith', '9 March 2014', 'AL1', 'Team A']]);
    expect(response.body).toContain(`href="/children/${johnSmith}"`);
    expect(response.body).not.toContain('AL1 1AA');
    // What was typed is kept in the form.
    expect(response.body).toMatch(/id="name" name="name" type="text"[^>]*value="Jon Smyth"/);
    expectNoInternals(response.body);
  });

  it('finds by NHS number with spaces, by date of birth and by postcode', async () => {
    for (const fields of [
      { identifier: '943 476 5919' },
      { 'dateOfBirth-day': '9', 'dateOfBirth-month': '3', 'dateOfBirth-year': '2015' },
      { postcode: 'al1 1aa' },
    ]) {
      const response = await browser.post('/search', form(fields), { tokenFrom: '/search' });
      expect(resultRows(response.body), JSON.stringify(fields)).toEqual([
        ['John Smith', '9 March 2014', 'AL1', 'Team A'],
      ]);
    }
  });

  it('never finds a child outside the searcher’s scope', async () => {
    const response = await browser.post('/search', form({ name: 'John Smith' }), { tokenFrom: '/search' });
    expect(resultRows(response.body)).toHaveLength(1);
    expect(response.body).not.toContain(teamBChild);
    const teamB = await signedInAs(
      app,
      deps,
      (await world.user({ roles: ['practitioner'], teamIds: [world.teamB] })).id,
    );
    const theirs = await teamB.post('/search', form({ name: 'John Smith' }), { tokenFrom: '/search' });
    expect(theirs.body).toContain(`href="/children/${teamBChild}"`);
    expect(theirs.body).not.toContain(johnSmith);
  });

  it('shows a restricted record by name only to staff not on its list, and in full to those on it', async () => {
    const response = await browser.post('/search', form({ name: 'Isla Fairweather' }), {
      tokenFrom: '/search',
    });
    expect(resultRows(response.body)).toEqual([['Isla Fairweather Restricted record', '', '', '']]);
    expect(response.body).not.toContain('2017');
    expect(response.body).not.toContain('HP1');
    expect(response.body).not.toContain(restricted);
    expect(response.body).not.toMatch(/<a class="govuk-link" href="\/children\//);

    const listed = await signedInAs(app, deps, listedUser.id);
    const full = await listed.post('/search', form({ name: 'Isla Fairweather' }), { tokenFrom: '/search' });
    expect(resultRows(full.body)).toEqual([['Isla Fairweather', '5 May 2017', 'HP1', 'Team A']]);
    expect(full.body).toContain(`href="/children/${restricted}"`);
    expect(full.body).not.toContain('Restricted record');
  });
});

describe('search terms', () => {
  it('never travel in a URL: a GET with terms in its query string searches nothing and audits nothing', async () => {
    const before = await count(handle, 'audit_log', { action: 'person.search' });
    const response = await browser.get('/search?name=John+Smith&identifier=9434765919&postcode=AL1+1AA');
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain(johnSmith);
    expect(response.body).not.toContain('people found');
    expect(response.body).not.toContain('value="John Smith"');
    expect(await count(handle, 'audit_log', { action: 'person.search' })).toBe(before);

    // A search answers in place: no redirect that could carry the terms, and nothing but the audit log written.
    const tables = await snapshot(handle);
    const post = await browser.post('/search', form({ name: 'John Smith', postcode: 'AL1 1AA' }), {
      tokenFrom: '/search',
    });
    expect(post.statusCode).toBe(200);
    expect(post.headers.location).toBeUndefined();
    const after = await snapshot(handle);
    for (const table of Object.keys(tables)) {
      if (table === 'audit_log' || table === 'sessions') continue;
      expect(after[table], table).toBe(tables[table]);
    }
    expect(await count(handle, 'audit_log', { action: 'person.search' })).toBe(before + 1);
    const audit = await deps.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'person.search')
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    expect(audit.detail).toEqual({ fields: ['name', 'postcode'], results: 1, more: false });
  });

  it('need a CSRF token', async () => {
    const response = await browser.post('/search', form({ name: 'John Smith' }), { csrf: null });
    expect(response.statusCode).toBe(403);
    expect(response.body).not.toContain(johnSmith);
  });
});

describe('bad input', () => {
  it('with nothing entered, re-renders the form with an error summary linking to the name field', async () => {
    const response = await browser.post('/search', form({}), { tokenFrom: '/search' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatch(/<title>Error: /);
    const summary = /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(response.body)?.[0] ?? '';
    expect(summary).toContain('href="#name"');
    expect(summary).toContain('Enter a name, date of birth, identifier or postcode to search for');
    expect(response.body).toContain('govuk-form-group--error');
    expect(response.body).not.toContain('people found');
  });

  it('keeps what was typed and links each problem to its field', async () => {
    const response = await browser.post(
      '/search',
      form({
        name: 'John 5mith',
        'dateOfBirth-day': '31',
        'dateOfBirth-month': '2',
        'dateOfBirth-year': '2015',
        postcode: 'not a postcode',
      }),
      { tokenFrom: '/search' },
    );
    expect(response.statusCode).toBe(400);
    const summary = /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(response.body)?.[0] ?? '';
    expect(summary).toContain('href="#name"');
    expect(summary).toContain('href="#dateOfBirth-day"');
    expect(summary).toContain('href="#postcode"');
    expect(summary).toContain('Date of birth must be a real date');
    expect(response.body).toContain('value="John 5mith"');
    expect(response.body).toContain('value="31"');
    expect(response.body).toContain('value="not a postcode"');
    expect(response.body).toMatch(
      /id="dateOfBirth-day"[^>]*govuk-input--error|govuk-input--error[^>]*id="dateOfBirth-day"/,
    );

    const noYear = await browser.post('/search', form({ 'dateOfBirth-day': '3', 'dateOfBirth-month': '4' }), {
      tokenFrom: '/search',
    });
    expect(noYear.statusCode).toBe(400);
    expect(noYear.body).toContain('href="#dateOfBirth-year"');
    expectNoInternals(noYear.body);
  });

  it('refuses staff who may not read people’s records', async () => {
    const admin = await signedInAs(app, deps, (await world.user({ roles: ['administrator'] })).id);
    expect((await admin.get('/search')).statusCode).toBe(403);
    const page = await admin.get('/');
    expect(page.body).not.toContain('href="/search"');
  });
});
