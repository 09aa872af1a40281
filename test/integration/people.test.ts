import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { seedDemo } from '../../src/modules/demo/demo-seed.ts';
import type { Deps } from '../../src/platform/deps.ts';
import {
  appWithRouteTable,
  expectGovukErrorPage,
  signedInAs,
  snapshot,
  UUID_PATTERN,
} from '../support/app-helpers.ts';
import { openTestDb } from '../support/db.ts';
import { loadTestGeography, POSTCODE_ELSEWHERE, TEST_POSTCODES } from '../support/geography.ts';
import { csrfFrom, type Browser } from '../support/web.ts';
import { makeWorld, testClock, testDeps, type TestClock, type TestUser } from '../support/world.ts';

let handle: DbHandle;
let app: FastifyInstance;
let deps: Deps;
let clock: TestClock;
let world: Awaited<ReturnType<typeof makeWorld>>;
let worker: TestUser;
let browser: Browser;

beforeAll(async () => {
  handle = await openTestDb();
  clock = testClock(new Date('2026-11-25T10:00:00Z'));
  deps = testDeps(handle, { clock });
  world = await makeWorld(deps);
  ({ app } = await appWithRouteTable(deps));
  worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
  browser = await signedInAs(app, deps, worker.id);
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

const tokens = new WeakMap<Browser, string>();

/** Posts a form with the session's anti-forgery token (read once from the home page, so no record is viewed). */
async function send(
  from: Browser,
  url: string,
  form: Record<string, string | string[]>,
): Promise<LightMyRequestResponse> {
  let token = tokens.get(from);
  if (token === undefined) {
    token = csrfFrom((await from.get('/')).body);
    tokens.set(from, token);
  }
  return from.post(url, form, { csrf: token });
}

/** A valid child, as the form posts it; tests override fields. */
function childForm(overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    personType: 'child',
    givenName: 'Robin',
    familyName: 'Ashdown',
    'dateOfBirth-day': '9',
    'dateOfBirth-month': '3',
    'dateOfBirth-year': '2014',
    sex: 'F',
    ethnicity: 'MWBC',
    interpreterNeeded: 'no',
    uasc: 'no',
    ...overrides,
  };
}

/** The GOV.UK error summary: each message with the field it links to. */
function errorSummary(body: string): [string, string][] {
  const summary = /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(body)?.[0] ?? '';
  return [...summary.matchAll(/<a href="([^"]+)"[^>]*>\s*([^<]+?)\s*<\/a>/g)].map((m) => [
    decode(m[2] ?? ''),
    m[1] ?? '',
  ]);
}

function decode(text: string): string {
  return text
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

/** Every table but sessions (whose last-seen time moves on each request). */
async function state(): Promise<Record<string, string>> {
  const all = await snapshot(handle);
  delete all['sessions'];
  return all;
}

async function addChild(overrides: Record<string, string | string[]> = {}): Promise<string> {
  const response = await send(browser, '/people', { ...childForm(overrides), duplicateChoice: 'new' });
  expect(response.statusCode, response.body.slice(0, 500)).toBe(303);
  const id = /^\/(?:children|people)\/([0-9a-f-]{36})$/.exec(response.headers.location ?? '')?.[1];
  expect(id).toMatch(UUID_PATTERN);
  return id ?? '';
}

async function auditActions(personId: string): Promise<string[]> {
  const rows = await deps.db
    .selectFrom('audit_log')
    .select('action')
    .where('entity_id', '=', personId)
    .orderBy('seq')
    .execute();
  return rows.map((r) => r.action);
}

function text(body: string): string {
  return decode(body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' '));
}

describe('adding a person', () => {
  it('creates a child allocated to the creator’s team, audited, and shows the record', async () => {
    const form = await browser.get('/people/new');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('name="_csrf"');
    const id = await addChild({
      nhsNumber: '943 476 5919',
      upn: 'A123456789012',
      preferredName: 'Bobbi',
      disabilities: ['COMM', 'LD'],
      firstLanguage: 'Polish',
      interpreterNeeded: 'yes',
    });
    const row = await deps.db.selectFrom('people').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      given_name: 'Robin',
      preferred_name: 'Bobbi',
      date_of_birth: '2014-03-09',
      sex: 'F',
      ethnicity: 'MWBC',
      nhs_number: '9434765919',
      upn: 'A123456789012',
      disabilities: ['COMM', 'LD'],
      interpreter_needed: true,
      is_child: true,
      version: 1,
    });
    const allocation = await deps.db
      .selectFrom('allocations')
      .selectAll()
      .where('person_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(allocation).toMatchObject({ team_id: world.teamA, worker_user_id: worker.id, ended_at: null });
    expect(await auditActions(id)).toEqual(['person.created']);

    const page = await browser.get(`/children/${id}`);
    expect(page.statusCode).toBe(200);
    const shown = text(page.body);
    expect(shown).toContain('Robin Ashdown');
    expect(shown).toContain('9 March 2014 (age 12)');
    expect(shown).toContain('White and Black Caribbean');
    expect(shown).toContain('943 476 5919');
    expect(shown).toContain('Polish (needs an interpreter)');
    expect(shown).toContain('Communication, Learning');
    expect(await auditActions(id)).toEqual(['person.created', 'person.view']);
  });

  it('adds an unborn child with an expected date of birth, and an adult at /people/:id', async () => {
    const unborn = await send(browser, '/people', {
      personType: 'unborn',
      givenName: '',
      familyName: 'Ashdown',
      'expectedDateOfBirth-day': '1',
      'expectedDateOfBirth-month': 'Feb',
      'expectedDateOfBirth-year': '2027',
      duplicateChoice: 'new',
    });
    expect(unborn.statusCode, unborn.body.slice(0, 300)).toBe(303);
    const unbornId = unborn.headers.location?.split('/')[2] ?? '';
    const baby = await deps.db
      .selectFrom('people')
      .selectAll()
      .where('id', '=', unbornId)
      .executeTakeFirstOrThrow();
    expect(baby).toMatchObject({
      given_name: 'Baby',
      expected_date_of_birth: '2027-02-01',
      date_of_birth: null,
      sex: 'U',
      is_child: true,
    });
    expect(text((await browser.get(`/children/${unbornId}`)).body)).toContain(
      'Expected date of birth 1 February 2027',
    );

    const adult = await send(browser, '/people', {
      personType: 'adult',
      givenName: 'Sandra',
      familyName: 'Ashdown',
      duplicateChoice: 'new',
    });
    expect(adult.statusCode).toBe(303);
    expect(adult.headers.location).toMatch(/^\/people\/[0-9a-f-]{36}$/);
    const page = await browser.get(adult.headers.location ?? '');
    expect(page.statusCode).toBe(200);
    expect(text(page.body)).toContain('Adult Sandra Ashdown');
  });

  const cases: { name: string; form: Record<string, string | string[]>; expected: [string, string][] }[] = [
    {
      name: 'nothing filled in',
      form: { personType: '', givenName: '', familyName: '' },
      expected: [
        ['Select whether this is a child, an unborn child or an adult', '#personType'],
        ['Enter their first name', '#givenName'],
        ['Enter their last name', '#familyName'],
      ],
    },
    {
      name: 'an NHS number with a wrong check digit',
      form: { nhsNumber: '943 476 5918' },
      expected: [['Enter a real NHS number: the last digit does not match the others', '#nhsNumber']],
    },
    {
      name: 'an NHS number too short',
      form: { nhsNumber: '94347659' },
      expected: [['NHS number must be 10 digits, like 485 777 3456', '#nhsNumber']],
    },
    {
      name: 'a UPN with a wrong check letter',
      form: { upn: 'B123456789012' },
      expected: [['Enter a real unique pupil number: the first letter does not match the rest', '#upn']],
    },
    {
      name: 'a UPN and a reason it is unknown',
      form: { upn: 'A123456789012', upnUnknownReason: 'UN1' },
      expected: [['Enter a unique pupil number or why it is not known, not both', '#upnUnknownReason']],
    },
    {
      name: 'a date of birth in the future',
      form: { 'dateOfBirth-day': '26', 'dateOfBirth-month': '11', 'dateOfBirth-year': '2026' },
      expected: [['Date of birth must be today or in the past', '#dateOfBirth-day']],
    },
    {
      name: 'an impossible date of birth',
      form: { 'dateOfBirth-day': '30', 'dateOfBirth-month': '2', 'dateOfBirth-year': '2015' },
      expected: [['Date of birth must be a real date', '#dateOfBirth-day']],
    },
    {
      name: 'a date of birth without a month',
      form: { 'dateOfBirth-month': '' },
      expected: [['Date of birth must include a month', '#dateOfBirth-month']],
    },
    {
      name: 'a two-digit year',
      form: { 'dateOfBirth-year': '14' },
      expected: [['Year must include 4 numbers', '#dateOfBirth-year']],
    },
    {
      name: 'a death before the birth (born after death)',
      form: { 'dateOfDeath-day': '1', 'dateOfDeath-month': '1', 'dateOfDeath-year': '2013' },
      expected: [['Date of death must be the same as or after the date of birth', '#dateOfDeath-day']],
    },
    {
      name: 'a death in the future',
      form: { 'dateOfDeath-day': '1', 'dateOfDeath-month': '1', 'dateOfDeath-year': '2027' },
      expected: [['Date of death must be today or in the past', '#dateOfDeath-day']],
    },
    {
      name: 'an unborn child with no expected date',
      form: { personType: 'unborn', 'dateOfBirth-day': '', 'dateOfBirth-month': '', 'dateOfBirth-year': '' },
      expected: [['Enter the expected date of birth', '#expectedDateOfBirth-day']],
    },
    {
      name: '“no disability” with a disability',
      form: { disabilities: ['NONE', 'VIS'] },
      expected: [['Select ‘No disability’ or the disabilities they have, not both', '#disabilities']],
    },
    {
      name: 'several problems at once, in page order',
      form: { givenName: '', nhsNumber: '123', 'dateOfBirth-day': '32' },
      expected: [
        ['Enter their first name', '#givenName'],
        ['Date of birth must be a real date', '#dateOfBirth-day'],
        ['NHS number must be 10 digits, like 485 777 3456', '#nhsNumber'],
      ],
    },
  ];

  for (const testCase of cases) {
    it(`refuses ${testCase.name} with field errors, keeps the answers, and saves nothing`, async () => {
      const before = await state();
      const response = await send(browser, '/people', {
        ...childForm(testCase.form),
        duplicateChoice: 'new',
      });
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain('<title>Error: Add a person – Hearth</title>');
      expect(errorSummary(response.body)).toEqual(testCase.expected);
      // Each message also appears at its field.
      for (const [message] of testCase.expected)
        expect(decode(response.body)).toContain(
          `<span class="govuk-visually-hidden">Error:</span> ${message}`,
        );
      // What was typed is still there.
      expect(response.body).toMatch(/<option value="MWBC" selected>/);
      expect(await state()).toEqual(before);
    });
  }

  it('refuses an NHS number already on another person’s record', async () => {
    const first = await addChild({ nhsNumber: '4010232137', givenName: 'Kit', familyName: 'Number' });
    expect(first).toMatch(UUID_PATTERN);
    const before = await state();
    const response = await send(browser, '/people', {
      ...childForm({ nhsNumber: '401 023 2137' }),
      duplicateChoice: 'new',
    });
    expect(response.statusCode).toBe(400);
    expect(errorSummary(response.body)).toEqual([
      [
        'Another person’s record already has this NHS number. Check the number, or search for that person',
        '#nhsNumber',
      ],
    ]);
    expect(await state()).toEqual(before);
  });

  it('is only for staff who may create people: an administrator is refused', async () => {
    const admin = await world.user({ roles: ['administrator'] });
    const theirs = await signedInAs(app, deps, admin.id);
    expectGovukErrorPage(await theirs.get('/people/new'), 403);
    const before = await state();
    expectGovukErrorPage(await send(theirs, '/people', { ...childForm(), duplicateChoice: 'new' }), 403);
    expect(await state()).toEqual(before);
  });
});

describe('likely duplicates, offered before a new record is made', () => {
  const peopleCount = async () => (await deps.db.selectFrom('people').select('id').execute()).length;

  it('asks “Is this one of these people?”, and going to the existing record adds nothing', async () => {
    const existing = await addChild({ givenName: 'Amelia', familyName: 'Stone', 'dateOfBirth-year': '2015' });
    const south = await world.child({ teamId: world.teamB, given: 'Amelie', family: 'Stone' });
    await deps.db
      .updateTable('people')
      .set({ date_of_birth: '2015-03-09' })
      .where('id', '=', south)
      .execute();
    const before = await peopleCount();

    const offered = await send(
      browser,
      '/people',
      childForm({ givenName: 'Amelia', familyName: 'Stone', 'dateOfBirth-year': '2015' }),
    );
    expect(offered.statusCode).toBe(200);
    expect(offered.body).toContain('<h1 class="govuk-heading-l">Is this one of these people?</h1>');
    // The record the practitioner can open is a choice; the other team's is named, to ask about.
    expect(offered.body).toContain(`value="${existing}"`);
    expect(offered.body).not.toContain(`value="${south}"`);
    expect(text(offered.body)).toContain('you cannot open it');
    expect(text(offered.body)).toContain('Amelie Stone (Born 9 March 2015');
    // What was typed travels on in hidden fields (the body of a POST, never the URL).
    expect(offered.body).toContain('<input type="hidden" name="dateOfBirth-year" value="2015">');
    expect(await peopleCount()).toBe(before);

    const unanswered = await send(browser, '/people', {
      ...childForm({ givenName: 'Amelia', familyName: 'Stone', 'dateOfBirth-year': '2015' }),
      duplicatesShown: 'yes',
    });
    expect(unanswered.statusCode).toBe(400);
    expect(errorSummary(unanswered.body)).toEqual([
      ['Select one of these people, or ‘None of these’', '#duplicateChoice'],
    ]);

    const chosen = await send(browser, '/people', {
      ...childForm({ givenName: 'Amelia', familyName: 'Stone', 'dateOfBirth-year': '2015' }),
      duplicatesShown: 'yes',
      duplicateChoice: existing,
    });
    expect(chosen.statusCode).toBe(303);
    expect(chosen.headers.location).toBe(`/children/${existing}`);
    // A record outside scope cannot be chosen by editing the form.
    const tampered = await send(browser, '/people', {
      ...childForm(),
      duplicatesShown: 'yes',
      duplicateChoice: south,
    });
    expectGovukErrorPage(tampered, 404);
    expect(await peopleCount()).toBe(before);

    const added = await send(browser, '/people', {
      ...childForm({ givenName: 'Amelia', familyName: 'Stone', 'dateOfBirth-year': '2015' }),
      duplicatesShown: 'yes',
      duplicateChoice: 'new',
    });
    expect(added.statusCode).toBe(303);
    expect(await peopleCount()).toBe(before + 1);
  });

  it('offers duplicates for someone new added from the relationship form, and links the existing person instead', async () => {
    const child = await addChild({ givenName: 'Otto', familyName: 'Finch' });
    const adult = await send(browser, '/people', {
      personType: 'adult',
      givenName: 'Greta',
      familyName: 'Finch',
      'dateOfBirth-day': '2',
      'dateOfBirth-month': '2',
      'dateOfBirth-year': '1988',
      duplicateChoice: 'new',
    });
    const greta = adult.headers.location?.split('/')[2] ?? '';
    const before = await peopleCount();
    const form = {
      relatedPersonId: 'new',
      newGivenName: 'Greta',
      newFamilyName: 'Finch',
      'newDateOfBirth-day': '2',
      'newDateOfBirth-month': '2',
      'newDateOfBirth-year': '1988',
      choice: 'mother',
    };
    const offered = await send(browser, `/people/${child}/relationships`, form);
    expect(offered.statusCode).toBe(200);
    expect(offered.body).toContain('Is Greta Finch one of these people?');
    expect(offered.body).toContain(`value="${greta}"`);
    const linked = await send(browser, `/people/${child}/relationships`, {
      ...form,
      duplicatesShown: 'yes',
      duplicateChoice: greta,
    });
    expect(linked.statusCode).toBe(303);
    expect(await peopleCount()).toBe(before);
    expect(
      await deps.db
        .selectFrom('relationships')
        .select(['related_person_id', 'kind'])
        .where('person_id', '=', child)
        .execute(),
    ).toEqual([{ related_person_id: greta, kind: 'mother' }]);
  });
});

describe('changing a person’s details', () => {
  it('saves a change against the current version, keeps the old name, and audits the fields changed', async () => {
    const id = await addChild({ givenName: 'Jo', familyName: 'Marsh' });
    const form = await browser.get(`/people/${id}/edit`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('name="version" value="1"');
    expect(form.body).toContain('value="Marsh"');
    const response = await send(browser, `/people/${id}/edit`, {
      ...childForm({ givenName: 'Jo', familyName: 'Marsh-Kaye', pronouns: 'they/them' }),
      version: '1',
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/children/${id}`);
    const row = await deps.db.selectFrom('people').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ family_name: 'Marsh-Kaye', pronouns: 'they/them', version: 2 });
    const names = await deps.db.selectFrom('person_names').selectAll().where('person_id', '=', id).execute();
    expect(names.map((n) => [n.kind, n.given_name, n.family_name, n.used_until])).toEqual([
      ['previous', 'Jo', 'Marsh', '2026-11-25'],
    ]);
    const audit = await deps.db
      .selectFrom('audit_log')
      .select(['action', 'detail', 'actor_user_id'])
      .where('entity_id', '=', id)
      .where('action', '=', 'person.updated')
      .executeTakeFirstOrThrow();
    expect(audit.actor_user_id).toBe(worker.id);
    expect(audit.detail).toEqual({ fields: ['family_name', 'pronouns'], version: 2 });
    // The audit says which fields changed, never what they now say.
    expect(JSON.stringify(audit.detail)).not.toContain('Marsh');
    expect(text((await browser.get(`/children/${id}`)).body)).toContain('Jo Marsh Previous name');
  });

  it('refuses a stale edit with the conflict page and overwrites nothing', async () => {
    const id = await addChild({ givenName: 'Sam', familyName: 'Stale' });
    const colleague = await signedInAs(app, deps, worker.id);
    // Someone else saves first (version 1 → 2).
    const first = await send(colleague, `/people/${id}/edit`, {
      ...childForm({ givenName: 'Sam', familyName: 'Stale', religion: 'Quaker' }),
      version: '1',
    });
    expect(first.statusCode).toBe(303);
    const before = await state();
    const stale = await send(browser, `/people/${id}/edit`, {
      ...childForm({ givenName: 'Samuel', familyName: 'Stale' }),
      version: '1',
    });
    expectGovukErrorPage(stale, 409, 'Someone else changed this record');
    expect(stale.body).toContain(`href="/people/${id}/edit"`);
    expect(await state()).toEqual(before);
    const row = await deps.db
      .selectFrom('people')
      .select(['given_name', 'religion', 'version'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ given_name: 'Sam', religion: 'Quaker', version: 2 });
  });

  it('shows field errors on the edit form and saves nothing', async () => {
    const id = await addChild({ givenName: 'Eve', familyName: 'Edit' });
    const before = await state();
    const response = await send(browser, `/people/${id}/edit`, {
      ...childForm({
        givenName: 'Eve',
        familyName: 'Edit',
        'dateOfDeath-day': '1',
        'dateOfDeath-month': '1',
        'dateOfDeath-year': '2010',
      }),
      version: '1',
    });
    expect(response.statusCode).toBe(400);
    expect(errorSummary(response.body)).toEqual([
      ['Date of death must be the same as or after the date of birth', '#dateOfDeath-day'],
    ]);
    expect(response.body).toContain('name="version" value="1"');
    expect(await state()).toEqual(before);
  });

  it('is refused outside write scope: another team cannot find the record; a colleague who is not the worker cannot change it', async () => {
    const id = await addChild({ givenName: 'Pat', familyName: 'Private' });
    const south = await world.user({ roles: ['practitioner'], teamIds: [world.teamB] });
    const southBrowser = await signedInAs(app, deps, south.id);
    expectGovukErrorPage(await southBrowser.get(`/people/${id}/edit`), 404);
    expectGovukErrorPage(await southBrowser.get(`/children/${id}`), 404);
    const colleague = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const colleagueBrowser = await signedInAs(app, deps, colleague.id);
    const page = await colleagueBrowser.get(`/children/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain(`/people/${id}/edit`);
    const before = await state();
    expectGovukErrorPage(
      await send(colleagueBrowser, `/people/${id}/edit`, {
        ...childForm({ givenName: 'Hacked' }),
        version: '1',
      }),
      403,
    );
    expect(await state()).toEqual(before);
  });
});

describe('relationships', () => {
  async function relate(personId: string, form: Record<string, string>): Promise<LightMyRequestResponse> {
    return send(browser, `/people/${personId}/relationships`, form);
  }

  it('adds a new adult as mother; each side shows the relationship from its own end', async () => {
    const child = await addChild({ givenName: 'Mia', familyName: 'Okoro' });
    const before = await deps.db.selectFrom('people').select('id').execute();
    const response = await relate(child, {
      relatedPersonId: 'new',
      newGivenName: 'Grace',
      newFamilyName: 'Okoro',
      'newDateOfBirth-day': '4',
      'newDateOfBirth-month': '5',
      'newDateOfBirth-year': '1990',
      duplicateChoice: 'new',
      choice: 'mother',
      parentalResponsibility: 'yes',
      inFamilyNetwork: 'yes',
      networkNote: 'Can collect from school on Fridays',
    });
    expect(response.statusCode, response.body.slice(0, 400)).toBe(303);
    expect(response.headers.location).toBe(`/children/${child}#relationships`);
    const after = await deps.db.selectFrom('people').select(['id', 'given_name', 'is_child']).execute();
    const mother = after.find((p) => !before.some((b) => b.id === p.id));
    expect(mother).toMatchObject({ given_name: 'Grace', is_child: false });
    const motherId = mother?.id ?? '';
    const stored = await deps.db
      .selectFrom('relationships')
      .selectAll()
      .where('person_id', '=', child)
      .execute();
    expect(stored).toMatchObject([
      { related_person_id: motherId, kind: 'mother', parental_responsibility: true, in_family_network: true },
    ]);
    // The new adult is allocated to the creator's team, so the creator can see them.
    expect(
      await deps.db
        .selectFrom('allocations')
        .select('team_id')
        .where('person_id', '=', motherId)
        .executeTakeFirst(),
    ).toEqual({ team_id: world.teamA });

    const childPage = text((await browser.get(`/children/${child}`)).body);
    expect(childPage).toContain(
      'Grace Okoro Born 4 May 1990 Mother Grace Okoro has parental responsibility Part of the family network',
    );
    expect(childPage).toContain('Grace Okoro (mother): Can collect from school on Fridays');
    const motherPage = await browser.get(`/people/${motherId}`);
    expect(motherPage.statusCode).toBe(200);
    expect(text(motherPage.body)).toContain(
      'Mia Okoro Born 9 March 2014 Child Grace Okoro has parental responsibility for them',
    );

    // Audited on both records.
    expect(await auditActions(child)).toContain('relationship.added');
    expect(await auditActions(motherId)).toEqual(
      expect.arrayContaining(['person.created', 'relationship.added']),
    );
  });

  it('turns a relationship round: from the adult’s page, the child is added as their grandchild', async () => {
    const child = await addChild({ givenName: 'Noah', familyName: 'Reed' });
    const adult = await send(browser, '/people', {
      personType: 'adult',
      givenName: 'Ruth',
      familyName: 'Reed',
      duplicateChoice: 'new',
    });
    const grandparent = adult.headers.location?.split('/')[2] ?? '';
    const response = await relate(grandparent, {
      relatedPersonId: child,
      choice: 'of:grandparent',
    });
    expect(response.statusCode, response.body.slice(0, 400)).toBe(303);
    const stored = await deps.db
      .selectFrom('relationships')
      .selectAll()
      .where('related_person_id', '=', grandparent)
      .execute();
    expect(stored).toMatchObject([{ person_id: child, kind: 'grandparent' }]);
    expect(text((await browser.get(`/children/${child}`)).body)).toContain('Ruth Reed Grandparent');
    expect(text((await browser.get(`/people/${grandparent}`)).body)).toContain(
      'Noah Reed Born 9 March 2014 Grandchild',
    );
  });

  it('refuses someone as their own parent, a parent who is also the child, and a second birth mother, saving nothing', async () => {
    const child = await addChild({ givenName: 'Ivy', familyName: 'Lane' });
    const mum = await addChild({ givenName: 'Rose', familyName: 'Lane', 'dateOfBirth-year': '1998' });
    const other = await addChild({ givenName: 'Fern', familyName: 'Lane', 'dateOfBirth-year': '1996' });
    expect((await relate(child, { relatedPersonId: mum, choice: 'mother' })).statusCode).toBe(303);

    const attempts: [string, Record<string, string>, [string, string][]][] = [
      [
        child,
        { relatedPersonId: child, choice: 'mother' },
        [['A person cannot be their own mother', '#relatedPersonId']],
      ],
      [
        mum,
        { relatedPersonId: child, choice: 'father' },
        [
          [
            'Ivy Lane cannot be both a parent and a child of Rose Lane: Rose Lane is already recorded as their mother',
            '#choice',
          ],
        ],
      ],
      [
        child,
        { relatedPersonId: other, choice: 'mother' },
        [
          [
            'Ivy Lane already has a birth mother recorded. Choose ‘Step-parent’, ‘Parent’s partner’ or ‘Other’',
            '#choice',
          ],
        ],
      ],
      [
        child,
        { relatedPersonId: mum, choice: 'mother' },
        [['This relationship between Rose Lane and Ivy Lane is already recorded', '#choice']],
      ],
      [
        child,
        { relatedPersonId: '', choice: '' },
        [
          ['Select who they are related to', '#relatedPersonId'],
          ['Select how they are related', '#choice'],
        ],
      ],
    ];
    for (const [personId, form, expected] of attempts) {
      const before = await state();
      const response = await relate(personId, form);
      expect(response.statusCode, JSON.stringify(form)).toBe(400);
      expect(errorSummary(response.body)).toEqual(expected);
      expect(await state()).toEqual(before);
    }
    // The other way round is refused too: the child's page adding "Rose is Ivy's child".
    const reversed = await relate(child, {
      relatedPersonId: mum,
      choice: 'of:mother',
    });
    expect(reversed.statusCode).toBe(400);
    expect(errorSummary(reversed.body)[0]?.[0]).toContain('cannot be both a parent and a child');
  });

  it('changes and removes a relationship, audited on both people', async () => {
    const child = await addChild({ givenName: 'Ada', familyName: 'Vale' });
    const sibling = await addChild({ givenName: 'Ben', familyName: 'Vale' });
    expect((await relate(child, { relatedPersonId: sibling, choice: 'sibling' })).statusCode).toBe(303);
    // Siblings read the same both ways, so adding it from the other side is a duplicate.
    expect((await relate(sibling, { relatedPersonId: child, choice: 'sibling' })).statusCode).toBe(400);
    const relationship = await deps.db
      .selectFrom('relationships')
      .select('id')
      .where('person_id', '=', child)
      .executeTakeFirstOrThrow();
    const path = `/people/${sibling}/relationships/${relationship.id}`;
    expect((await browser.get(path)).statusCode).toBe(200);
    const changed = await send(browser, path, {
      'startedOn-day': '1',
      'startedOn-month': '1',
      'startedOn-year': '2020',
      inFamilyNetwork: 'yes',
    });
    expect(changed.statusCode).toBe(303);
    expect(
      await deps.db
        .selectFrom('relationships')
        .select(['started_on', 'in_family_network'])
        .where('id', '=', relationship.id)
        .executeTakeFirst(),
    ).toEqual({
      started_on: '2020-01-01',
      in_family_network: true,
    });
    const removed = await send(browser, `${path}/remove`, {});
    expect(removed.statusCode).toBe(303);
    expect(
      await deps.db
        .selectFrom('relationships')
        .select('id')
        .where('id', '=', relationship.id)
        .executeTakeFirst(),
    ).toBeUndefined();
    for (const person of [child, sibling]) {
      expect((await auditActions(person)).filter((a) => a.startsWith('relationship.'))).toEqual([
        'relationship.added',
        'relationship.updated',
        'relationship.removed',
      ]);
    }
  });
});

describe('addresses and the household', () => {
  it('accepts any well-formed postcode while no postcodes are loaded, keeping no neighbourhood', async () => {
    expect(await deps.db.selectFrom('postcodes').select('postcode').executeTakeFirst()).toBeUndefined();
    const child = await addChild({ givenName: 'Early', familyName: 'Bird' });
    const response = await send(browser, `/people/${child}/addresses`, {
      line1: '1 Any Street',
      postcode: 'ls99 9zz',
      'startedOn-day': '1',
      'startedOn-month': '1',
      'startedOn-year': '2020',
    });
    expect(response.statusCode).toBe(303);
    const address = await deps.db
      .selectFrom('person_addresses')
      .selectAll()
      .where('person_id', '=', child)
      .executeTakeFirstOrThrow();
    expect(address).toMatchObject({ postcode: 'LS99 9ZZ', lsoa21_code: null });
    expect(text((await browser.get(`/children/${child}`)).body)).toContain('Neighbourhood not known');
  });

  it('looks up the neighbourhood from the postcode and shows its deprivation; an unknown postcode is a field error', async () => {
    // The real shipped neighbourhoods and postcodes of one authority (Hertfordshire).
    await loadTestGeography(handle);
    const { mostDeprived, leastDeprived } = TEST_POSTCODES;

    const child = await addChild({ givenName: 'Lily', familyName: 'Moss' });
    const path = `/people/${child}/addresses`;
    const before = await state();
    const unknown = await send(browser, path, {
      line1: '1 Nowhere Road',
      postcode: POSTCODE_ELSEWHERE,
      'startedOn-day': '1',
      'startedOn-month': '1',
      'startedOn-year': '2020',
    });
    expect(unknown.statusCode).toBe(400);
    expect(errorSummary(unknown.body)).toEqual([['Enter a real postcode', '#postcode']]);
    expect(unknown.body).toContain('value="1 Nowhere Road"');
    const badDates = await send(browser, path, {
      line1: '',
      postcode: 'not a postcode',
      'startedOn-day': '1',
      'startedOn-month': '1',
      'startedOn-year': '2020',
      'endedOn-day': '1',
      'endedOn-month': '1',
      'endedOn-year': '2019',
    });
    expect(errorSummary(badDates.body)).toEqual([
      ['Enter address line 1, typically the building and street', '#line1'],
      ['Enter a full UK postcode, like AL1 1AA', '#postcode'],
      ['Date they stopped living here must be the same as or after the date they started', '#endedOn-day'],
    ]);
    expect(await state()).toEqual(before);

    const first = await send(browser, path, {
      line1: '14 Station Road',
      town: 'Borehamwood',
      // Typed in lower case without a space: stored in canonical form.
      postcode: mostDeprived.postcode.toLowerCase().replace(' ', ''),
      'startedOn-day': '1',
      'startedOn-month': '6',
      'startedOn-year': '2019',
    });
    expect(first.statusCode).toBe(303);
    expect(text((await browser.get(`/children/${child}`)).body)).toContain(
      `Neighbourhood: Most deprived 10% of neighbourhoods in England (index of multiple deprivation 2025, decile 1; ${mostDeprived.lsoaName})`,
    );

    // Moving: the new address ends the old one the day before.
    const moved = await send(browser, path, {
      line1: '3 Westfield Road',
      postcode: leastDeprived.postcode,
      'startedOn-day': '10',
      'startedOn-month': '9',
      'startedOn-year': '2025',
      endCurrent: 'yes',
      hiddenFromFamily: 'yes',
    });
    expect(moved.statusCode).toBe(303);
    const addresses = await deps.db
      .selectFrom('person_addresses')
      .select(['postcode', 'lsoa21_code', 'started_on', 'ended_on', 'hidden_from_family'])
      .where('person_id', '=', child)
      .orderBy('started_on')
      .execute();
    expect(addresses).toEqual([
      {
        postcode: mostDeprived.postcode,
        lsoa21_code: mostDeprived.lsoa21Code,
        started_on: '2019-06-01',
        ended_on: '2025-09-09',
        hidden_from_family: false,
      },
      {
        postcode: leastDeprived.postcode,
        lsoa21_code: leastDeprived.lsoa21Code,
        started_on: '2025-09-10',
        ended_on: null,
        hidden_from_family: true,
      },
    ]);
    const page = text((await browser.get(`/children/${child}`)).body);
    expect(page).toContain('3 Westfield Road Current Never show to the birth family');
    expect(page).toContain('Least deprived 10% of neighbourhoods in England');
    expect((await auditActions(child)).filter((a) => a.startsWith('person.address'))).toEqual([
      'person.address_added',
      'person.address_added',
    ]);
  });

  it('shows the household: people whose current address is the same', async () => {
    const a = await addChild({ givenName: 'Hana', familyName: 'Home' });
    const b = await addChild({ givenName: 'Hugo', familyName: 'Home' });
    const c = await addChild({ givenName: 'Hal', familyName: 'Away' });
    const address = (line1: string, year: string, ended?: string) => ({
      line1,
      postcode: TEST_POSTCODES.deprived.postcode,
      'startedOn-day': '1',
      'startedOn-month': '1',
      'startedOn-year': year,
      ...(ended ? { 'endedOn-day': '1', 'endedOn-month': '1', 'endedOn-year': ended } : {}),
    });
    for (const [id, form] of [
      [a, address('7 Ash Grove', '2020')],
      [b, address('7  ash grove', '2021')],
      [c, address('7 Ash Grove', '2018', '2019')],
    ] as const) {
      expect((await send(browser, `/people/${id}/addresses`, form)).statusCode).toBe(303);
    }
    const household = (body: string) => /id="household"[\s\S]*?<\/div>\s*<\/div>/.exec(body)?.[0] ?? '';
    const pageA = household((await browser.get(`/children/${a}`)).body);
    expect(pageA).toContain(`href="/children/${b}"`);
    expect(pageA).not.toContain(c);
    expect(household((await browser.get(`/children/${b}`)).body)).toContain(`href="/children/${a}"`);
  });
});

describe('professionals involved', () => {
  it('adds, changes and removes a professional, with field errors and audit', async () => {
    const child = await addChild({ givenName: 'Pia', familyName: 'Prof' });
    const path = `/people/${child}/professionals`;
    const before = await state();
    const bad = await send(browser, path, { role: '', name: '', email: 'not-an-email' });
    expect(bad.statusCode).toBe(400);
    expect(errorSummary(bad.body)).toEqual([
      ['Select their role', '#role'],
      ['Enter their name, or the name of the service', '#name'],
      ['Enter an email address in the correct format, like name@example.com', '#email'],
    ]);
    expect(await state()).toEqual(before);
    const added = await send(browser, path, {
      role: 'school',
      name: 'Ms Patel',
      organisation: 'Harehills Primary School',
      phone: '0113 496 0000',
      email: 'dsl@school.example',
      'startedOn-day': '1',
      'startedOn-month': '9',
      'startedOn-year': '2022',
    });
    expect(added.statusCode).toBe(303);
    expect(text((await browser.get(`/children/${child}`)).body)).toContain(
      'School Ms Patel Harehills Primary School From 1 September 2022 0113 496 0000 dsl@school.example',
    );
    const row = await deps.db
      .selectFrom('professionals_involved')
      .select('id')
      .where('person_id', '=', child)
      .executeTakeFirstOrThrow();
    const changed = await send(browser, `${path}/${row.id}`, {
      role: 'school',
      name: 'Ms Patel',
      'endedOn-day': '1',
      'endedOn-month': '7',
      'endedOn-year': '2026',
    });
    expect(changed.statusCode).toBe(303);
    expect(text((await browser.get(`/children/${child}`)).body)).toContain('School (ended) Ms Patel');
    expect((await send(browser, `${path}/${row.id}/remove`, {})).statusCode).toBe(303);
    expect((await auditActions(child)).filter((a) => a.startsWith('person.professional'))).toEqual([
      'person.professional_added',
      'person.professional_updated',
      'person.professional_removed',
    ]);
  });
});

describe('the person page', () => {
  it('writes exactly one person.view audit row per view, for children and adults', async () => {
    const child = await addChild({ givenName: 'Vic', familyName: 'View' });
    const count = async () =>
      (
        await deps.db
          .selectFrom('audit_log')
          .select('seq')
          .where('entity_id', '=', child)
          .where('action', '=', 'person.view')
          .execute()
      ).length;
    const start = await count();
    await browser.get(`/children/${child}`);
    expect(await count()).toBe(start + 1);
    await browser.get(`/people/${child}`);
    expect(await count()).toBe(start + 2);
    const log = await browser.get(`/people/${child}/who-has-looked`);
    expect(log.statusCode).toBe(200);
    expect(await count()).toBe(start + 3);
  });

  it('still works through break-glass, read only', async () => {
    const child = await addChild({ givenName: 'Bea', familyName: 'Glass' });
    const south = await world.user({ roles: ['practitioner'], teamIds: [world.teamB] });
    const theirs = await signedInAs(app, deps, south.id);
    expectGovukErrorPage(await theirs.get(`/children/${child}`), 404);
    const granted = await send(theirs, `/children/${child}/break-glass`, {
      reasonCode: 'out_of_hours',
      reason: 'Police called the duty team overnight',
    });
    expect(granted.statusCode).toBe(303);
    const page = await theirs.get(`/children/${child}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('You are seeing this record through break-glass access');
    expect(text(page.body)).toContain('Bea Glass');
    expect(page.body).not.toContain(`/people/${child}/edit`);
    expectGovukErrorPage(await theirs.get(`/people/${child}/edit`), 403);
  });
});

describe('a restricted record', () => {
  it('shows only the name to someone the restriction does not name', async () => {
    const child = await addChild({ givenName: 'Rhea', familyName: 'Hidden', nhsNumber: '9990000069' });
    const sibling = await addChild({ givenName: 'Remy', familyName: 'Hidden' });
    expect(
      (
        await send(browser, `/people/${sibling}/relationships`, {
          relatedPersonId: child,
          choice: 'sibling',
        })
      ).statusCode,
    ).toBe(303);
    const manager = await world.user({ roles: ['team_manager'], teamIds: [world.teamA] });
    const restriction = await deps.db
      .insertInto('person_restrictions')
      .values({
        person_id: child,
        category: 'high_profile',
        reason: 'Parent is a public figure',
        approved_by: manager.id,
        review_on: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await deps.db
      .insertInto('person_restriction_users')
      .values({ restriction_id: restriction.id, user_id: manager.id })
      .execute();
    const page = await browser.get(`/children/${child}`);
    expect(page.statusCode).toBe(200);
    expect(text(page.body)).toContain('Rhea Hidden');
    expect(text(page.body)).toContain('This record is restricted (High profile)');
    expect(page.body).not.toContain('999 000 0069');
    expect(page.body).not.toContain('Personal details');
    // Nor can they change it, though they are its allocated worker.
    expectGovukErrorPage(await browser.get(`/people/${child}/edit`), 403);
    expectGovukErrorPage(
      await send(browser, `/people/${child}/edit`, { ...childForm({ givenName: 'Changed' }), version: '1' }),
      403,
    );
    // Elsewhere too, only the name: on the sibling's page and in the list of children.
    const siblingPage = text((await browser.get(`/children/${sibling}`)).body);
    expect(siblingPage).toContain('Rhea Hidden Sibling');
    expect(siblingPage).not.toContain('9 March 2012');
    expect(text((await browser.get('/children')).body)).not.toContain('9 March 2012');
    const named = await signedInAs(app, deps, manager.id);
    expect(text((await named.get(`/children/${child}`)).body)).toContain('999 000 0069');
  });
});

describe('the demo families', () => {
  it('give the demo children parents, siblings and a grandparent, real postcodes and professionals', async () => {
    if ((await deps.db.selectFrom('postcodes').select('postcode').executeTakeFirst()) === undefined)
      await loadTestGeography(handle);
    expect(await seedDemo(deps)).toEqual({ created: true });
    const org = await deps.db
      .selectFrom('organisations')
      .select('id')
      .where('name', '=', 'Demo Borough Council')
      .executeTakeFirstOrThrow();
    // Every demo address is at a real postcode, and its stored neighbourhood is the postcode's.
    const addresses = await deps.db
      .selectFrom('person_addresses as a')
      .innerJoin('people as p', 'p.id', 'a.person_id')
      .leftJoin('postcodes as pc', 'pc.postcode', 'a.postcode')
      .select(['a.postcode', 'a.lsoa21_code', 'pc.lsoa21_code as actual'])
      .where('p.organisation_id', '=', org.id)
      .execute();
    expect(addresses.length).toBeGreaterThan(10);
    for (const address of addresses) expect(address.actual, address.postcode).toBe(address.lsoa21_code);

    const practitioner = await deps.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'practitioner@demo.hearth.invalid')
      .executeTakeFirstOrThrow();
    const theirs = await signedInAs(app, deps, practitioner.id);
    const children = text((await theirs.get('/children')).body);
    // Adults are not listed as children.
    expect(children).toContain('Amara Bennett');
    expect(children).not.toContain('Jade Bennett');
    const amara = await deps.db
      .selectFrom('people')
      .select('id')
      .where('organisation_id', '=', org.id)
      .where('given_name', '=', 'Amara')
      .executeTakeFirstOrThrow();
    const page = await theirs.get(`/children/${amara.id}`);
    expect(page.statusCode).toBe(200);
    const shown = text(page.body);
    for (const expected of [
      'Jade Bennett Born 14 August 1992 Mother Jade Bennett has parental responsibility',
      'Marcus Bennett Born 3 February 1989 Father',
      'Leo Bennett Born 21 July 2017 Sibling',
      'Pauline Bennett Born 22 November 1964 Grandparent',
      'Pauline Bennett (grandparent): Collects both children from school',
      'Most deprived 20% of neighbourhoods in England',
      'Shephall Green Primary School',
    ]) {
      expect(shown).toContain(expected);
    }
    const household = /id="household"[\s\S]*?<\/ul>/.exec(page.body)?.[0] ?? '';
    expect(text(household)).toContain('Leo Bennett');
    expect(text(household)).toContain('Jade Bennett');
  });
});
