import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { EXPORT_COLUMNS, csvCell } from '../../src/modules/people/export.ts';
import { nhsCheckDigit } from '../../src/modules/people/identifiers.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { expectGovukErrorPage, signedInAs } from '../support/app-helpers.ts';
import { openTestDb } from '../support/db.ts';
import { testApp } from '../support/web.ts';
import { makeWorld, testClock, testDeps, type TestClock } from '../support/world.ts';

let handle: DbHandle;
let deps: Deps;
let clock: TestClock;
let world: Awaited<ReturnType<typeof makeWorld>>;
let app: FastifyInstance;

beforeAll(async () => {
  handle = await openTestDb();
  clock = testClock(new Date('2026-11-25T10:00:00Z'));
  deps = testDeps(handle, { clock });
  world = await makeWorld(deps);
  app = await testApp(deps);
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

let nhsCounter = 0;
function nhs(): string {
  for (;;) {
    nhsCounter += 1;
    const nine = `999${String(700000 + nhsCounter).padStart(6, '0')}`;
    const check = nhsCheckDigit(nine);
    if (check !== undefined) return `${nine}${check}`;
  }
}

async function person(values: {
  given: string;
  family: string;
  dob?: string;
  nhs?: string;
  isChild?: boolean;
  teamId?: string;
  workerId?: string;
  organisationId?: string;
}): Promise<string> {
  const row = await deps.db
    .insertInto('people')
    .values({
      organisation_id: values.organisationId ?? world.organisationId,
      given_name: values.given,
      family_name: values.family,
      date_of_birth: values.dob ?? null,
      nhs_number: values.nhs ?? null,
      is_child: values.isChild ?? true,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (values.teamId) {
    await deps.db
      .insertInto('allocations')
      .values({ person_id: row.id, team_id: values.teamId, worker_user_id: values.workerId ?? null })
      .execute();
  }
  return row.id;
}

async function address(personId: string, line1: string, postcode: string, startedOn = '2020-01-01') {
  await deps.db
    .insertInto('person_addresses')
    .values({ person_id: personId, line1, line2: null, town: 'Testtown', postcode, started_on: startedOn })
    .execute();
}

async function restrict(personId: string, category: 'high_profile' | 'adoption', listed: string[]) {
  const row = await deps.db
    .insertInto('person_restrictions')
    .values({ person_id: personId, category, reason: 'For the test', approved_by: null, review_on: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (listed.length > 0) {
    await deps.db
      .insertInto('person_restriction_users')
      .values(listed.map((user_id) => ({ restriction_id: row.id, user_id })))
      .execute();
  }
}

/** The CSV as rows of cells (every cell is quoted; no cell here holds a line break). */
function parseCsv(body: string): string[][] {
  expect(body.startsWith('\uFEFF')).toBe(true);
  const lines = body.slice(1).split('\r\n');
  expect(lines.pop()).toBe('');
  return lines.map((line) =>
    [...line.matchAll(/"((?:[^"]|"")*)"(?:,|$)/g)].map((m) => (m[1] ?? '').replace(/""/g, '"')),
  );
}

describe('break-glass on a "not found" page', () => {
  it('is offered under /people/ as under /children/, and opens the record for the hour', async () => {
    const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const browser = await signedInAs(app, deps, worker.id);
    const adult = await person({
      given: 'Glass',
      family: 'Adultperson',
      isChild: false,
      teamId: world.teamB,
    });
    const child = await person({
      given: 'Glass',
      family: 'Childperson',
      dob: '2016-04-04',
      teamId: world.teamB,
    });

    const refused = await browser.get(`/people/${adult}`);
    expectGovukErrorPage(refused, 404);
    expect(refused.body).toContain(`href="/people/${adult}/break-glass"`);
    const refusedChild = await browser.get(`/children/${child}`);
    expectGovukErrorPage(refusedChild, 404);
    expect(refusedChild.body).toContain(`href="/children/${child}/break-glass"`);
    // A sub-page and a page with a query string are offered it too; other pages are not.
    expect((await browser.get(`/people/${adult}/edit`)).body).toContain(
      `href="/people/${adult}/break-glass"`,
    );
    expect((await browser.get('/no-such-page')).body).not.toContain('break-glass');

    const form = await browser.get(`/people/${adult}/break-glass`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Ask for emergency access to a person');
    expect(form.body).toContain(`action="/people/${adult}/break-glass"`);
    const incomplete = await browser.post(
      `/people/${adult}/break-glass`,
      { reasonCode: '', reason: '' },
      { tokenFrom: `/people/${adult}/break-glass` },
    );
    expect(incomplete.statusCode).toBe(400);
    expect(incomplete.body).toContain('href="#reasonCode"');
    expect(incomplete.body).toContain(`action="/people/${adult}/break-glass"`);
    const granted = await browser.post(
      `/people/${adult}/break-glass`,
      { reasonCode: 'out_of_hours', reason: 'Police at the door out of hours' },
      { tokenFrom: `/people/${adult}/break-glass` },
    );
    expect(granted.statusCode).toBe(303);
    expect(granted.headers.location).toBe(`/people/${adult}`);
    const page = await browser.get(`/people/${adult}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('through break-glass access');
    const audit = await deps.db
      .selectFrom('audit_log')
      .select('entity_id')
      .where('action', '=', 'break_glass.granted')
      .where('actor_user_id', '=', worker.id)
      .execute();
    expect(audit.map((a) => a.entity_id)).toEqual([adult]);
  });
});

describe('the people export', () => {
  it('gives a restricted person’s name only to staff not named on the restriction, and everything to those named', async () => {
    // A council of its own, so the export holds only these people and the staff are numbered from 1.
    const council = await makeWorld(deps);
    const manager = await council.user({ roles: ['team_manager'], teamIds: [council.teamA] });
    const listed = await council.user({ roles: ['practitioner'], teamIds: [council.teamA] });
    const unlisted = await council.user({ roles: ['practitioner'], teamIds: [council.teamA] });

    const RESTRICTED_NHS = nhs();
    const OPEN_NHS = nhs();
    const restricted = await person({
      given: 'Hidden',
      family: 'Exportchild',
      dob: '2011-02-03',
      nhs: RESTRICTED_NHS,
      teamId: council.teamA,
      organisationId: council.organisationId,
      workerId: listed.id,
    });
    await address(restricted, '7 Secretive Row', 'ZZ9 9ZZ');
    await restrict(restricted, 'high_profile', [listed.id]);
    const open = await person({
      given: 'Shown',
      family: 'Exportchild',
      dob: '2012-12-12',
      nhs: OPEN_NHS,
      teamId: council.teamA,
      organisationId: council.organisationId,
      workerId: listed.id,
    });
    await address(open, '1 Old Road', 'AA1 1AA', '2015-01-01');
    await deps.db
      .updateTable('person_addresses')
      .set({ ended_on: '2019-12-31' })
      .where('person_id', '=', open)
      .execute();
    await address(open, '2 New Road', 'BB2 2BB');
    const formula = await person({
      given: '=HYPERLINK("http://x")',
      family: '@SUM(A1)',
      teamId: council.teamA,
      organisationId: council.organisationId,
    });
    const elsewhere = await person({
      given: 'Other',
      family: 'Teamchild',
      dob: '2010-10-10',
      teamId: council.teamB,
      organisationId: council.organisationId,
    });

    // Not named on the restriction: the name, and nothing else, anywhere in the file.
    const unlistedBrowser = await signedInAs(app, deps, unlisted.id);
    const response = await unlistedBrowser.get('/people/export.csv');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe('attachment; filename="people-2026-11-25.csv"');
    expect(response.headers['cache-control']).toBe('no-store');
    const rows = parseCsv(response.body);
    expect(rows[0]).toEqual([...EXPORT_COLUMNS]);
    expect(rows.find((r) => r[0] === 'Hidden')).toEqual([
      'Hidden',
      'Exportchild',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
    ]);
    for (const secret of [RESTRICTED_NHS, '2011-02-03', 'Secretive', 'ZZ9 9ZZ']) {
      expect(response.body).not.toContain(secret);
    }
    expect(rows.find((r) => r[0] === 'Shown')).toEqual([
      'Shown',
      'Exportchild',
      'Child',
      '2012-12-12',
      OPEN_NHS,
      '',
      '2 New Road, Testtown',
      'BB2 2BB',
      'Team A',
      'Staff Member 2',
    ]);
    // Formulas stay text.
    expect(response.body).toContain(csvCell('=HYPERLINK("http://x")'));
    expect(csvCell('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(rows.find((r) => r[1] === "'@SUM(A1)")?.[0]).toBe('\'=HYPERLINK("http://x")');
    expect(csvCell('-1')).toBe('"\'-1"');
    expect(csvCell('+44')).toBe('"\'+44"');
    expect(csvCell('plain')).toBe('"plain"');
    // Only records in scope.
    expect(response.body).not.toContain('Teamchild');
    expect(rows).toHaveLength(4);

    // Break-glass opens one record in an emergency, never a bulk download.
    await unlistedBrowser.post(
      `/children/${elsewhere}/break-glass`,
      { reasonCode: 'urgent_safeguarding', reason: 'A call from the police about this child' },
      { tokenFrom: '/' },
    );
    await unlistedBrowser.post(
      `/children/${restricted}/break-glass`,
      { reasonCode: 'urgent_safeguarding', reason: 'A call from the police about this child' },
      { tokenFrom: '/' },
    );
    expect((await unlistedBrowser.get(`/children/${elsewhere}`)).statusCode).toBe(200);
    const afterGlass = await unlistedBrowser.get('/people/export.csv');
    expect(afterGlass.body).not.toContain('Teamchild');
    expect(afterGlass.body).not.toContain(RESTRICTED_NHS);

    // Named on the restriction: everything.
    const listedResponse = await (await signedInAs(app, deps, listed.id)).get('/people/export.csv');
    const listedRows = parseCsv(listedResponse.body);
    expect(listedRows.find((r) => r[0] === 'Hidden')).toEqual([
      'Hidden',
      'Exportchild',
      'Child',
      '2011-02-03',
      RESTRICTED_NHS,
      '',
      '7 Secretive Row, Testtown',
      'ZZ9 9ZZ',
      'Team A',
      'Staff Member 2',
    ]);

    // One audit row per download, with the count; no names in it.
    const audit = await deps.db
      .selectFrom('audit_log')
      .select(['actor_user_id', 'detail'])
      .where('action', '=', 'people.export')
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => [a.actor_user_id, a.detail['count']])).toEqual([
      [unlisted.id, 3],
      [unlisted.id, 3],
      [listed.id, 3],
    ]);
    expect(JSON.stringify(audit)).not.toContain('Exportchild');

    // Linked from the children page; refused to staff who may not see people.
    expect((await unlistedBrowser.get('/children')).body).toContain('href="/people/export.csv"');
    const admin = await council.user({ roles: ['administrator'] });
    const adminBrowser = await signedInAs(app, deps, admin.id);
    expectGovukErrorPage(await adminBrowser.get('/people/export.csv'), 403);
    expect((await adminBrowser.get('/children')).body).not.toContain('/people/export.csv');
    expect(manager.id).toBeTruthy();
    expect(formula).toBeTruthy();
  });
});
