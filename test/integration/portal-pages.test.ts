import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { loadFamilyActor } from '../../src/modules/portal/load-family-actor.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { govukDateTime } from '../../src/web/views.ts';
import { count, signedInAs } from '../support/app-helpers.ts';
import { openTestDb } from '../support/db.ts';
import { familySignedIn, makeFamily } from '../support/portal-family.ts';
import { Browser, testApp } from '../support/web.ts';
import { makeWorld, testClock, testConfig, testDeps } from '../support/world.ts';

let handle: DbHandle;
let app: FastifyInstance;
let deps: Deps;
let world: Awaited<ReturnType<typeof makeWorld>>;

beforeAll(async () => {
  handle = await openTestDb();
  deps = testDeps(handle, { clock: testClock(new Date('2026-11-25T10:00:00Z')) });
  world = await makeWorld(deps);
  app = await testApp(deps);
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

describe('the portal home page', () => {
  it('lists the children the account sees, with links to the sections whose pages exist', async () => {
    const family = await makeFamily(deps, world, { teamId: world.teamA });
    const second = await world.child({ teamId: world.teamA, given: 'Sky', family: family.familyName });
    await deps.db
      .insertInto('family_account_children')
      .values({ account_id: family.accountId, child_id: second, sections: ['plan'], limited_reason: 'Test' })
      .execute();
    const parent = await familySignedIn(app, deps, family.accountId);
    const home = await parent.get('/family');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain(`Robin ${family.familyName}`);
    expect(home.body).toContain(`Sky ${family.familyName}`);
    expect(home.body).toContain(`href="/family/children/${family.childId}/who-has-looked"`);
    expect(home.body).not.toContain(`href="/family/children/${second}/who-has-looked"`);
    expect(home.body).toContain('My supporter');
  });

  it('sends someone who is not signed in to the sign-in page', async () => {
    const response = await new Browser(app).get('/family');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/family/sign-in');
  });
});

describe('who has looked at my record', () => {
  it('lists staff views of the child by role and team, never names, and audits the family’s view', async () => {
    const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const family = await makeFamily(deps, world, { teamId: world.teamA, workerId: worker.id });
    const staff = await signedInAs(app, deps, worker.id);
    expect((await staff.get(`/children/${family.childId}`)).statusCode).toBe(200);
    const parent = await familySignedIn(app, deps, family.accountId);
    const page = await parent.get(`/family/children/${family.childId}/who-has-looked`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Practitioner');
    expect(page.body).toContain('Team A');
    const viewed = await deps.db
      .selectFrom('audit_log')
      .select('occurred_at')
      .where('action', '=', 'person.view')
      .where('entity_id', '=', family.childId)
      .executeTakeFirstOrThrow();
    expect(page.body).toContain(govukDateTime(viewed.occurred_at));
    const staffName = (
      await deps.db
        .selectFrom('users')
        .select('display_name')
        .where('id', '=', worker.id)
        .executeTakeFirstOrThrow()
    ).display_name;
    expect(page.body).not.toContain(staffName);
    const audit = await deps.db
      .selectFrom('audit_log')
      .select(['actor_user_id', 'entity_type', 'entity_id', 'detail'])
      .where('action', '=', 'portal.view')
      .where('entity_id', '=', family.childId)
      .executeTakeFirstOrThrow();
    expect(audit.actor_user_id).toBeNull();
    expect(audit.entity_type).toBe('person');
    expect(audit.detail).toEqual({
      familyAccountId: family.accountId,
      route: '/family/children/:childId/who-has-looked',
      section: 'seen',
    });
    // The family's own view is not listed as a staff view.
    const again = await parent.get(`/family/children/${family.childId}/who-has-looked`);
    expect((again.body.match(/<tr class="govuk-table__row">/g) ?? []).length).toBe(
      page.body.match(/<tr class="govuk-table__row">/g)?.length,
    );
  });

  it('shows staff names only where the council chooses to', async () => {
    const named = await testApp({ ...deps, config: testConfig({ HEARTH_PORTAL_SHOW_STAFF_NAMES: 'true' }) });
    const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const family = await makeFamily(deps, world, { teamId: world.teamA, workerId: worker.id });
    await (await signedInAs(named, deps, worker.id)).get(`/children/${family.childId}`);
    const staffName = (
      await deps.db
        .selectFrom('users')
        .select('display_name')
        .where('id', '=', worker.id)
        .executeTakeFirstOrThrow()
    ).display_name;
    const page = await (
      await familySignedIn(named, deps, family.accountId)
    ).get(`/family/children/${family.childId}/who-has-looked`);
    expect(page.body).toContain(staffName);
    await named.close();
  });

  it('is not found for another family’s child, or when the section is not allowed', async () => {
    const mine = await makeFamily(deps, world, { teamId: world.teamA });
    const theirs = await makeFamily(deps, world, { teamId: world.teamB });
    const limited = await makeFamily(deps, world, { teamId: world.teamA, sections: ['plan'] });
    const parent = await familySignedIn(app, deps, mine.accountId);
    const before = await count(handle, 'audit_log', { action: 'portal.view' });
    expect((await parent.get(`/family/children/${theirs.childId}/who-has-looked`)).statusCode).toBe(404);
    expect((await parent.get('/family/children/not-a-uuid/who-has-looked')).statusCode).toBe(404);
    const other = await familySignedIn(app, deps, limited.accountId);
    expect((await other.get(`/family/children/${limited.childId}/who-has-looked`)).statusCode).toBe(404);
    expect(await count(handle, 'audit_log', { action: 'portal.view' })).toBe(before);
  });

  it('hides a child whose record is restricted', async () => {
    const family = await makeFamily(deps, world, { teamId: world.teamA });
    await deps.db
      .insertInto('person_restrictions')
      .values({ person_id: family.childId, category: 'adoption', reason: 'Adopted' })
      .execute();
    const parent = await familySignedIn(app, deps, family.accountId);
    const home = await parent.get('/family');
    expect(home.body).not.toContain(`Robin ${family.familyName}`);
    expect((await parent.get(`/family/children/${family.childId}/who-has-looked`)).statusCode).toBe(404);
  });
});

describe('help and advice', () => {
  it('is open to everyone, with advice lines, advocacy and how to complain', async () => {
    const page = await new Browser(app).get('/family/help');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Family Rights Group');
    expect(page.body).toContain('advocate');
    expect(page.body).toContain('id="complain"');
    expect(page.body).toContain('Ombudsman');
    // National services and their public numbers and websites (checked December 2026).
    const services: [string, string, string][] = [
      ['Family Rights Group', '0808 801 0366', 'https://frg.org.uk'],
      ['NSPCC', '0808 800 5000', 'https://www.nspcc.org.uk'],
      ['Citizens Advice', '0800 144 8848', 'https://www.citizensadvice.org.uk'],
      ['Shelter', '0808 800 4444', 'https://england.shelter.org.uk'],
      ['Childline', '0800 1111', 'https://www.childline.org.uk'],
      ['Coram Voice', '0808 800 5792', 'https://coramvoice.org.uk'],
      ['Local Government and Social Care Ombudsman', '0300 061 0614', 'https://www.lgo.org.uk'],
    ];
    for (const [name, phone, website] of services) {
      expect(page.body, name).toContain(name);
      expect(page.body, name).toContain(phone);
      expect(page.body, name).toContain(`href="${website}"`);
    }
    // No other phone numbers than these, 999 and the council's own out-of-hours line.
    const numbers = new Set(page.body.match(/\b0[38]\d{2} \d{3} ?\d{4}\b|\b0800 1111\b/g) ?? []);
    expect([...numbers].sort()).toEqual(services.map(([, phone]) => phone).sort());
  });
});

describe('my supporter', () => {
  it('a parent names a supporter who sees only the sections chosen, and can stop it', async () => {
    const family = await makeFamily(deps, world, { teamId: world.teamA });
    const parent = await familySignedIn(app, deps, family.accountId);
    const missing = await parent.post(
      '/family/supporter',
      { givenName: '', familyName: 'Advocate', email: 'bad' },
      { tokenFrom: '/family/supporter' },
    );
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('Enter your supporter’s first name');
    expect(missing.body).toContain('Select at least one child');
    const named = await parent.post(
      '/family/supporter',
      {
        givenName: 'Pat',
        familyName: 'Advocate',
        email: 'pat.advocate@example.org',
        children: [family.childId],
        sections: ['plan', 'seen'],
      },
      { tokenFrom: '/family/supporter' },
    );
    expect(named.statusCode).toBe(303);
    const supporter = await deps.db
      .selectFrom('family_accounts')
      .selectAll()
      .where('nominated_by_account_id', '=', family.accountId)
      .executeTakeFirstOrThrow();
    expect(supporter).toMatchObject({
      kind: 'supporter',
      status: 'invited',
      email: 'pat.advocate@example.org',
    });
    await deps.db
      .updateTable('family_accounts')
      .set({ status: 'active' })
      .where('id', '=', supporter.id)
      .execute();
    expect((await loadFamilyActor(deps.db, supporter.id))?.children).toEqual([
      { childId: family.childId, sections: ['plan', 'seen'] },
    ]);
    const page = await parent.get('/family/supporter');
    expect(page.body).toContain('Pat Advocate');
    expect(page.body).toContain('The plan, Who has looked at the record');

    // A supporter sees no more than the parent: a limit on the parent limits the supporter.
    await deps.db
      .updateTable('family_account_children')
      .set({ sections: ['plan'], limited_reason: 'Test' })
      .where('account_id', '=', family.accountId)
      .execute();
    expect((await loadFamilyActor(deps.db, supporter.id))?.children).toEqual([
      { childId: family.childId, sections: ['plan'] },
    ]);
    const supporterBrowser = await familySignedIn(app, deps, supporter.id);
    expect((await supporterBrowser.get('/family/supporter')).statusCode).toBe(404);
    expect((await supporterBrowser.get('/family')).body).not.toContain('My supporter');

    // Another family cannot end it; the parent can.
    const stranger = await makeFamily(deps, world, { teamId: world.teamA });
    const strangerBrowser = await familySignedIn(app, deps, stranger.accountId);
    expect(
      (await strangerBrowser.post(`/family/supporter/${supporter.id}/end`, {}, { tokenFrom: '/family' }))
        .statusCode,
    ).toBe(404);
    const ended = await parent.post(
      `/family/supporter/${supporter.id}/end`,
      {},
      { tokenFrom: '/family/supporter' },
    );
    expect(ended.statusCode).toBe(303);
    expect((await supporterBrowser.get('/family')).headers.location).toBe('/family/sign-in');
    expect(await loadFamilyActor(deps.db, supporter.id)).toBeUndefined();
  });
});
