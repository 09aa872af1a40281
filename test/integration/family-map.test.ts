import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { loadActor } from '../../src/modules/access/access.repository.ts';
import { readFamilyMap } from '../../src/modules/people/family-map.repository.ts';
import { viewPerson } from '../../src/modules/people/people.service.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { count, expectGovukErrorPage, signedInAs } from '../support/app-helpers.ts';
import { openTestDb } from '../support/db.ts';
import { testApp } from '../support/web.ts';
import { makeWorld, testClock, testDeps, type TestClock } from '../support/world.ts';

let handle: DbHandle;
let deps: Deps;
let clock: TestClock;
let app: FastifyInstance;
let world: Awaited<ReturnType<typeof makeWorld>>;

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

const SCRIPT_NAME = '<script>alert(1)</script> & "Bob"';

async function person(
  given: string,
  family: string,
  options: { sex?: 'M' | 'F' | 'U'; born?: string; died?: string } = {},
): Promise<string> {
  const row = await deps.db
    .insertInto('people')
    .values({
      organisation_id: world.organisationId,
      given_name: given,
      family_name: family,
      sex: options.sex ?? null,
      date_of_birth: options.born ?? null,
      date_of_death: options.died ?? null,
      is_child: false,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function relate(
  personId: string,
  relatedPersonId: string,
  kind: string,
  options: { pr?: boolean; network?: boolean; endedOn?: string } = {},
): Promise<void> {
  await deps.db
    .insertInto('relationships')
    .values({
      person_id: personId,
      related_person_id: relatedPersonId,
      kind,
      parental_responsibility: options.pr ?? false,
      in_family_network: options.network ?? false,
      network_note: null,
      started_on: null,
      ended_on: options.endedOn ?? null,
    })
    .execute();
}

async function livesAt(personId: string, line1: string, postcode: string): Promise<void> {
  await deps.db
    .insertInto('person_addresses')
    .values({
      person_id: personId,
      line1,
      line2: null,
      town: null,
      postcode,
      lsoa21_code: null,
      started_on: '2020-01-01',
      ended_on: null,
    })
    .execute();
}

function decode(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The rows of the "People in the genogram" table, as text cells. */
function tableRows(body: string): string[][] {
  const table = /<table class="govuk-table">([\s\S]*?)<\/table>/.exec(body)?.[1] ?? '';
  const tbody = /<tbody[^>]*>([\s\S]*?)<\/tbody>/.exec(table)?.[1] ?? '';
  return [...tbody.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...(row[1] ?? '').matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => decode(cell[1] ?? '')),
  );
}

/** The genogram and the ecomap (the page's other SVGs are GOV.UK's logo and icons). */
function svgs(body: string): string[] {
  return [...body.matchAll(/<svg[^>]*class="app-(?:genogram|ecomap)"[\s\S]*?<\/svg>/g)].map((m) => m[0]);
}

/** A family: mother and father (separated), a sister, a half-brother, a grandmother, a friend, a GP. */
async function family() {
  const child = await world.child({ teamId: world.teamA, given: 'Robin', family: 'Mapchild' });
  await deps.db.updateTable('people').set({ sex: 'F' }).where('id', '=', child).execute();
  const mother = await person('Alice', 'Mapchild', { sex: 'F', born: '1988-04-12' });
  const father = await person('Brian', 'Oldfield', { sex: 'M', born: '1986-09-30' });
  const stepfather = await person('Carl', 'Newton', { sex: 'M', born: '1984-01-15' });
  const sister = await person('Erin', 'Mapchild', { sex: 'F', born: '2012-02-02' });
  const halfBrother = await person('Dan', 'Newton', { sex: 'M', born: '2020-07-07' });
  const grandmother = await person('Gwen', 'Mapchild', { sex: 'F', born: '1961-03-03', died: '2024-12-01' });
  const friend = await person(SCRIPT_NAME, 'Smith');
  await relate(child, mother, 'mother', { pr: true, network: true });
  await relate(child, father, 'father', { pr: true });
  await relate(mother, father, 'partner', { endedOn: '2019-05-01' });
  await relate(sister, mother, 'mother');
  await relate(sister, father, 'father');
  await relate(child, sister, 'sibling', { network: true });
  await relate(halfBrother, mother, 'mother');
  await relate(halfBrother, stepfather, 'father');
  await relate(child, halfBrother, 'half-sibling');
  await relate(child, stepfather, 'step-parent');
  await relate(mother, grandmother, 'mother');
  await relate(child, friend, 'friend of the family', { network: true });
  for (const id of [child, mother, sister, halfBrother, stepfather])
    await livesAt(id, '1 Hearth Lane', 'AL1 1AA');
  await deps.db
    .insertInto('professionals_involved')
    .values({
      person_id: child,
      role: 'GP',
      name: 'Dr Priya Patel',
      organisation: 'Hillside Surgery',
      phone: null,
      email: null,
      started_on: null,
      ended_on: null,
    })
    .execute();
  await deps.db
    .insertInto('professionals_involved')
    .values({
      person_id: child,
      role: 'school',
      name: 'Mr Long Gone',
      organisation: 'Old School',
      phone: null,
      email: null,
      started_on: null,
      ended_on: '2025-07-20',
    })
    .execute();
  return { child, mother, father, stepfather, sister, halfBrother, grandmother, friend };
}

describe('the family map page', () => {
  it('draws the genogram and ecomap as SVG with a table of every person and a list of connections', async () => {
    const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const f = await family();
    const browser = await signedInAs(app, deps, worker.id);
    const response = await browser.get(`/children/${f.child}/family-map`);
    expect(response.statusCode, response.body.slice(0, 500)).toBe(200);
    const body = response.body;
    expect(/<h1 class="govuk-heading-l">([^<]*)<\/h1>/.exec(body)?.[1]).toBe('Family map');

    const [genogram, ecomap] = svgs(body);
    for (const [svg, prefix] of [
      [genogram, 'genogram'],
      [ecomap, 'ecomap'],
    ] as const) {
      expect(svg).toBeDefined();
      expect(svg).toContain('role="img"');
      expect(svg).toContain(`aria-labelledby="${prefix}-title ${prefix}-desc"`);
      expect(svg).toMatch(new RegExp(`<title id="${prefix}-title">[^<]+</title>`));
      // The CSP allows no inline styles: presentation attributes only.
      expect(svg).not.toMatch(/style=|<style/);
    }
    // Every person is drawn, once, in the genogram.
    for (const id of Object.values(f)) expect(genogram?.split(`data-person-id="${id}"`).length, id).toBe(2);
    expect(genogram).toContain('app-genogram__household');

    // The name with markup in it is text, never markup.
    expect(body).not.toContain('<script>alert(1)</script>');
    expect(genogram).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Bob&quot;');

    expect(tableRows(body)).toEqual([
      [
        'Robin Mapchild',
        'The child',
        'Born 1 June 2015',
        'Not applicable',
        'Not applicable',
        'Household 1 (the child’s home)',
      ],
      ['Alice Mapchild', 'Mother', 'Born 12 April 1988', 'Yes', 'Yes', 'Household 1 (the child’s home)'],
      ['Brian Oldfield', 'Father', 'Born 30 September 1986', 'Yes', 'No', 'None recorded'],
      ['Carl Newton', 'Stepfather', 'Born 15 January 1984', 'No', 'No', 'Household 1 (the child’s home)'],
      ['Erin Mapchild', 'Sister', 'Born 2 February 2012', 'No', 'Yes', 'Household 1 (the child’s home)'],
      ['Dan Newton', 'Half-brother', 'Born 7 July 2020', 'No', 'No', 'Household 1 (the child’s home)'],
      [`${SCRIPT_NAME} Smith`, 'Friend of the family', 'Not known', 'No', 'Yes', 'None recorded'],
      [
        'Gwen Mapchild',
        'Mother’s mother',
        'Born 3 March 1961, died 1 December 2024',
        'No',
        'No',
        'None recorded',
      ],
    ]);

    const lists = [...body.matchAll(/<ul class="govuk-list govuk-list--bullet">([\s\S]*?)<\/ul>/g)].map((m) =>
      [...(m[1] ?? '').matchAll(/<li>([\s\S]*?)<\/li>/g)].map((li) => decode(li[1] ?? '')),
    );
    // The key, then the family network, then the professionals (current ones only).
    expect(lists.slice(1)).toEqual([
      ['Alice Mapchild: Mother', 'Erin Mapchild: Sister', `${SCRIPT_NAME} Smith: Friend of the family`],
      ['GP: Dr Priya Patel, Hillside Surgery'],
    ]);
    expect(body).not.toContain('Mr Long Gone');
  });

  it('writes a person.view audit row for the child, on this route', async () => {
    const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const child = await world.child({ teamId: world.teamA });
    const browser = await signedInAs(app, deps, worker.id);
    expect(await count(handle, 'audit_log', { action: 'person.view', entity_id: child })).toBe(0);
    expect((await browser.get(`/children/${child}/family-map`)).statusCode).toBe(200);
    const rows = await deps.db
      .selectFrom('audit_log')
      .select(['action', 'actor_user_id', 'detail'])
      .where('entity_id', '=', child)
      .execute();
    expect(rows).toEqual([
      { action: 'person.view', actor_user_id: worker.id, detail: { route: '/children/:id/family-map' } },
    ]);
  });

  it('is "Page not found" for a child outside the viewer’s scope, and shows nothing of the family', async () => {
    const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const elsewhere = await world.child({ teamId: world.teamB, given: 'Hidden', family: 'Faraway' });
    const relative = await person('Secret', 'Relative', { born: '1970-01-01' });
    await relate(elsewhere, relative, 'mother');
    const browser = await signedInAs(app, deps, worker.id);
    for (const url of [
      `/children/${elsewhere}/family-map`,
      '/children/00000000-0000-0000-0000-000000000000/family-map',
      '/children/not-an-id/family-map',
    ]) {
      const response = await browser.get(url);
      expectGovukErrorPage(response, 404, 'Page not found');
      expect(response.body).not.toMatch(/Hidden|Faraway|Secret|app-genogram|app-ecomap/);
    }
    expect(await count(handle, 'audit_log', { action: 'person.view', entity_id: elsewhere })).toBe(0);
    expect(await count(handle, 'audit_log', { action: 'access.denied', entity_id: elsewhere })).toBe(1);
  });

  it('shows only the name of a restricted relative to staff not named on the restriction', async () => {
    const manager = await world.user({ roles: ['team_manager'], teamIds: [world.teamA] });
    const named = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const other = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const child = await world.child({ teamId: world.teamA, given: 'Sam', family: 'Restricted' });
    const father = await person('Hugo', 'Guarded', { sex: 'M', born: '1979-08-17', died: '2025-02-14' });
    await relate(child, father, 'father', { pr: true });
    await livesAt(child, '2 Safe Street', 'AL2 2BB');
    await livesAt(father, '2 safe street', 'al22bb');
    const restriction = await deps.db
      .insertInto('person_restrictions')
      .values({
        person_id: father,
        category: 'domestic_abuse_risk',
        reason: 'Test',
        approved_by: manager.id,
        review_on: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await deps.db
      .insertInto('person_restriction_users')
      .values({ restriction_id: restriction.id, user_id: named.id })
      .execute();

    const hidden = await (await signedInAs(app, deps, other.id)).get(`/children/${child}/family-map`);
    expect(hidden.statusCode).toBe(200);
    const fatherRow = tableRows(hidden.body).find((row) => row[0] === 'Hugo Guarded');
    expect(fatherRow).toEqual([
      'Hugo Guarded',
      'Father',
      'Not shown: restricted record',
      'Yes',
      'No',
      'Not shown',
    ]);
    // No dates anywhere on the page (table or picture), no sex symbol, no shared household.
    expect(hidden.body).not.toMatch(/1979|2025|17 August|14 February/);
    const node =
      new RegExp(`data-person-id="${father}">([\\s\\S]*?)</g>`).exec(svgs(hidden.body)[0] ?? '')?.[1] ?? '';
    expect(node).toContain('Hugo Guarded');
    expect(node).toContain('Restricted record');
    expect(node).toContain('<polygon');
    expect(node).not.toMatch(/<rect|<path/);
    expect(hidden.body).not.toContain('app-genogram__household');
    // The dates, sex and address never leave the database for this viewer.
    const viewer = await loadActor(deps.db, other.id);
    if (!viewer) throw new Error('no actor');
    const record = await viewPerson(deps, viewer, child, { requestId: 'test', route: 'test' });
    const data = await readFamilyMap(deps, viewer, record);
    expect(data.people.find((p) => p.id === father)).toEqual({
      id: father,
      givenName: 'Hugo',
      familyName: 'Guarded',
      sex: null,
      dateOfBirth: null,
      dateOfDeath: null,
      restricted: true,
    });
    expect(data.households).toEqual([]);

    // Named on the restriction: everything.
    const shown = await (await signedInAs(app, deps, named.id)).get(`/children/${child}/family-map`);
    expect(tableRows(shown.body).find((row) => row[0] === 'Hugo Guarded')).toEqual([
      'Hugo Guarded',
      'Father',
      'Born 17 August 1979, died 14 February 2025',
      'Yes',
      'No',
      'Household 1 (the child’s home)',
    ]);

    // Once the restriction ends, everyone sees the full record again.
    await deps.db
      .updateTable('person_restrictions')
      .set({ ended_at: clock.now() })
      .where('id', '=', restriction.id)
      .execute();
    const lifted = await (await signedInAs(app, deps, other.id)).get(`/children/${child}/family-map`);
    expect(lifted.body).toContain('Born 17 August 1979');
  });

  it('shows a child with no family recorded, and says so', async () => {
    const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const child = await world.child({ teamId: world.teamA, given: 'Lone', family: 'Child' });
    const response = await (await signedInAs(app, deps, worker.id)).get(`/children/${child}/family-map`);
    expect(response.statusCode).toBe(200);
    expect(tableRows(response.body)).toEqual([
      ['Lone Child', 'The child', 'Born 1 June 2015', 'Not applicable', 'Not applicable', 'None recorded'],
    ]);
    expect(response.body).toContain('No one has been recorded as part of the child’s family network.');
    expect(response.body).toContain('No professionals involved have been recorded.');
    expect(svgs(response.body)).toHaveLength(2);
  });
});
