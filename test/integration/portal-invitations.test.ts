import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { loadFamilyActor } from '../../src/modules/portal/load-family-actor.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { count, signedInAs } from '../support/app-helpers.ts';
import { openTestDb } from '../support/db.ts';
import { familySignedIn, makeFamily } from '../support/portal-family.ts';
import { testApp } from '../support/web.ts';
import { makeWorld, testClock, testDeps } from '../support/world.ts';

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

async function setting(worker: { id: string }) {
  const family = await makeFamily(deps, world, { teamId: world.teamA, workerId: worker.id, invited: false });
  const browser = await signedInAs(app, deps, worker.id);
  const page = `/children/${family.childId}/family-portal`;
  return { family, browser, page };
}

describe('inviting a family to the portal (staff)', () => {
  it('invites a parent with parental responsibility; the account is invited until first sign-in, and audited', async () => {
    const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const { family, browser, page } = await setting(worker);
    const shown = await browser.get(page);
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain(`Alex ${family.familyName}`);
    expect(shown.body).toContain('Mother, with parental responsibility');
    expect(shown.body).toContain('Nobody has been invited yet');

    const invited = await browser.post(
      `${page}/invite`,
      { who: family.parentId, email: 'Alex.Parent@Example.com', mobile: '' },
      { tokenFrom: page },
    );
    expect(invited.statusCode).toBe(303);
    expect(invited.headers.location).toBe(`${page}?invited=1`);
    const account = await deps.db
      .selectFrom('family_accounts')
      .selectAll()
      .where('person_id', '=', family.parentId)
      .executeTakeFirstOrThrow();
    expect(account).toMatchObject({
      kind: 'parent',
      status: 'invited',
      email: 'alex.parent@example.com',
      invited_by: worker.id,
    });
    const audit = await deps.db
      .selectFrom('audit_log')
      .select(['actor_user_id', 'detail'])
      .where('action', '=', 'portal.access_granted')
      .where('entity_id', '=', account.id)
      .executeTakeFirstOrThrow();
    expect(audit.actor_user_id).toBe(worker.id);
    expect(audit.detail).toEqual({ childId: family.childId, kind: 'parent', newAccount: true });
    const after = await browser.get(page);
    expect(after.body).toContain('Invited – not signed in yet');
    expect(after.body).toContain('alex.parent@example.com');

    const twice = await browser.post(
      `${page}/invite`,
      { who: family.parentId, email: 'alex.parent@example.com', mobile: '' },
      { tokenFrom: page },
    );
    expect(twice.statusCode).toBe(400);
    expect(twice.body).toContain('This person can already see the child’s record');
  });

  it('invites the young person themself only with the worker’s judgement of their competence', async () => {
    const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const { family, browser, page } = await setting(worker);
    const shown = await browser.get(page);
    // Born 1 June 2015: 11 on 25 November 2026, under the guidance age.
    expect(shown.body).toContain('aged 11');
    expect(shown.body).toContain('Under 12: invite only if you judge they understand what they will see.');
    const missing = await browser.post(
      `${page}/invite`,
      { who: 'young-person', email: 'robin@example.com', mobile: '', competenceJudgement: '' },
      { tokenFrom: page },
    );
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('Explain why the young person can understand and use their record safely');
    expect(missing.body).toContain('value="robin@example.com"');
    const ok = await browser.post(
      `${page}/invite`,
      {
        who: 'young-person',
        email: '',
        mobile: '07700 900 456',
        competenceJudgement: 'Robin asked for this and understood the record when we read it together.',
      },
      { tokenFrom: page },
    );
    expect(ok.statusCode).toBe(303);
    const account = await deps.db
      .selectFrom('family_accounts')
      .selectAll()
      .where('person_id', '=', family.childId)
      .executeTakeFirstOrThrow();
    expect(account.kind).toBe('young_person');
    expect(account.mobile).toBe('+447700900456');
    expect(account.competence_judgement).toContain('understood the record');
  });

  it('refuses someone without parental responsibility, and bad contact details', async () => {
    const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const { family, browser, page } = await setting(worker);
    const uncle = await deps.db
      .insertInto('people')
      .values({
        organisation_id: world.organisationId,
        given_name: 'Uncle',
        family_name: family.familyName,
        is_child: false,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await deps.db
      .insertInto('relationships')
      .values({ person_id: family.childId, related_person_id: uncle.id, kind: 'aunt or uncle' })
      .execute();
    expect((await browser.get(page)).body).not.toContain(`Uncle ${family.familyName}`);
    const refused = await browser.post(
      `${page}/invite`,
      { who: uncle.id, email: 'uncle@example.com', mobile: '' },
      { tokenFrom: page },
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Select who to invite');
    const bad = await browser.post(
      `${page}/invite`,
      { who: family.parentId, email: 'not-an-email', mobile: '123' },
      { tokenFrom: page },
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Enter an email address in the correct format');
    expect(bad.body).toContain('Enter a mobile phone number');
    const none = await browser.post(
      `${page}/invite`,
      { who: family.parentId, email: '', mobile: '' },
      { tokenFrom: page },
    );
    expect(none.body).toContain('Enter an email address or a mobile phone number');
    expect(await count(handle, 'family_accounts', { person_id: uncle.id })).toBe(0);
    expect(await count(handle, 'family_accounts', { person_id: family.parentId })).toBe(0);
  });

  it('is not found for staff without write scope on the child, and nothing is written', async () => {
    const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const { family, page } = await setting(worker);
    // Same team, but a practitioner writes only to the children allocated to them.
    const colleague = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const other = await world.user({ roles: ['team_manager'], teamIds: [world.teamB] });
    for (const user of [colleague, other]) {
      const browser = await signedInAs(app, deps, user.id);
      expect((await browser.get(page)).statusCode).toBe(404);
      const token = await browser.get('/');
      const tried = await browser.post(
        `${page}/invite`,
        { who: family.parentId, email: 'x@example.com', mobile: '' },
        { tokenFrom: '/' },
      );
      expect(token.statusCode).toBe(200);
      expect(tried.statusCode).toBe(404);
    }
    expect(await count(handle, 'family_accounts', { person_id: family.parentId })).toBe(0);
    // A manager of the child's team may.
    const manager = await world.user({ roles: ['team_manager'], teamIds: [world.teamA] });
    expect((await (await signedInAs(app, deps, manager.id)).get(page)).statusCode).toBe(200);
  });

  it('limits an account to some sections with a reason, and withdraws it with a reason (signed out at once)', async () => {
    const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const family = await makeFamily(deps, world, { teamId: world.teamA, workerId: worker.id });
    const browser = await signedInAs(app, deps, worker.id);
    const page = `/children/${family.childId}/family-portal`;
    const parent = await familySignedIn(app, deps, family.accountId);
    expect((await parent.get(`/family/children/${family.childId}/who-has-looked`)).statusCode).toBe(200);

    const noReason = await browser.post(
      `${page}/${family.accountId}/limit`,
      { sections: ['plan', 'meetings'], reason: '' },
      { tokenFrom: page },
    );
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('Enter why access is limited');
    const limited = await browser.post(
      `${page}/${family.accountId}/limit`,
      { sections: ['plan', 'meetings'], reason: 'Court order about reports' },
      { tokenFrom: page },
    );
    expect(limited.statusCode).toBe(303);
    const actor = await loadFamilyActor(deps.db, family.accountId);
    expect(actor?.children).toEqual([{ childId: family.childId, sections: ['plan', 'meetings'] }]);
    // The limit applies at once: "who has looked" is now not found for this parent.
    expect((await parent.get(`/family/children/${family.childId}/who-has-looked`)).statusCode).toBe(404);
    expect((await browser.get(page)).body).toContain('Court order about reports');

    const noWithdrawReason = await browser.post(
      `${page}/${family.accountId}/withdraw`,
      { reason: ' ' },
      { tokenFrom: page },
    );
    expect(noWithdrawReason.statusCode).toBe(400);
    expect(noWithdrawReason.body).toContain('Enter why access is withdrawn');
    const withdrawn = await browser.post(
      `${page}/${family.accountId}/withdraw`,
      { reason: 'Child moved to another council' },
      { tokenFrom: page },
    );
    expect(withdrawn.statusCode).toBe(303);
    const account = await deps.db
      .selectFrom('family_accounts')
      .selectAll()
      .where('id', '=', family.accountId)
      .executeTakeFirstOrThrow();
    expect(account).toMatchObject({
      status: 'withdrawn',
      withdrawn_by: worker.id,
      withdrawn_reason: 'Child moved to another council',
    });
    expect(await count(handle, 'family_sessions', { account_id: family.accountId })).toBe(0);
    expect((await parent.get('/family')).headers.location).toBe('/family/sign-in');
    const after = await browser.get(page);
    expect(after.body).toContain('Access that has ended');
    expect(after.body).toContain('Child moved to another council');
    expect(
      await count(handle, 'audit_log', { action: 'portal.access_withdrawn', entity_id: family.accountId }),
    ).toBe(1);
    expect(
      await count(handle, 'audit_log', { action: 'portal.access_limited', entity_id: family.accountId }),
    ).toBe(1);

    // Another child's account cannot be changed through this child's page.
    const otherFamily = await makeFamily(deps, world, { teamId: world.teamA, workerId: worker.id });
    const cross = await browser.post(
      `${page}/${otherFamily.accountId}/withdraw`,
      { reason: 'x' },
      { tokenFrom: `/children/${otherFamily.childId}/family-portal` },
    );
    expect(cross.statusCode).toBe(404);
    expect((await loadFamilyActor(deps.db, otherFamily.accountId))?.children).toHaveLength(1);
  });

  it('links the child’s page to the family portal page', async () => {
    const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const { family, browser, page } = await setting(worker);
    expect((await browser.get(`/children/${family.childId}`)).body).toContain(`href="${page}"`);
  });
});
