import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { loadActor } from '../../src/modules/access/access.repository.ts';
import type { Actor } from '../../src/modules/access/actor.ts';
import { partnerChildren } from '../../src/modules/partners/partner-view.ts';
import { recordConsent } from '../../src/modules/partners/consent.ts';
import { recordSharingDecision, type SharingValues } from '../../src/modules/partners/sharing.ts';
import { addMember } from '../../src/modules/partners/team-around-family.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { InvalidInputError } from '../../src/platform/errors.ts';
import { appWithRouteTable, count, expectGovukErrorPage, signedInAs } from '../support/app-helpers.ts';
import { openTestDb } from '../support/db.ts';
import { testClock, testDeps, type TestClock } from '../support/world.ts';
import { makePartnerWorld } from './partners-world.ts';

let handle: DbHandle;
let app: FastifyInstance;
let deps: Deps;
let clock: TestClock;
let world: Awaited<ReturnType<typeof makePartnerWorld>>;

beforeAll(async () => {
  handle = await openTestDb();
  clock = testClock(new Date('2026-11-25T10:00:00Z'));
  deps = testDeps(handle, { clock });
  world = await makePartnerWorld(deps);
  ({ app } = await appWithRouteTable(deps));
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

async function actor(userId: string): Promise<Actor> {
  const loaded = await loadActor(deps.db, userId);
  if (!loaded) throw new Error('no actor');
  return loaded;
}

const date = (iso: string) => {
  const [year = '', month = '', day = ''] = iso.split('-');
  return { day, month, year };
};

async function consentFor(practitionerId: string, childId: string, organisationIds: string[]) {
  return recordConsent(deps, await actor(practitionerId), {
    childId,
    values: {
      givenByPersonId: childId,
      givenByRole: 'young_person',
      purpose: 'Sharing the family help plan with school',
      organisationIds,
      otherRecipients: '',
      validFrom: date('2026-11-01'),
      validUntil: { day: '', month: '', year: '' },
      howGiven: 'written',
    },
  });
}

function share(overrides: Partial<SharingValues>): SharingValues {
  return {
    decision: 'share',
    recipientOrganisationId: world.school,
    recipientName: 'Designated safeguarding lead',
    what: 'The family help plan',
    why: 'The school has actions in it',
    lawfulBasis: 'consent',
    basisDetail: '',
    consentId: '',
    reasonNotShared: '',
    decidedOn: date('2026-11-25'),
    ...overrides,
  };
}

describe('a partner practitioner in the team around the family', () => {
  it('sees the child while the consent holds, adds to the shared plan, and loses the child when consent is withdrawn', async () => {
    const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const dsl = await world.partner({ organisationId: world.school, name: 'Dana Lead' });
    const child = await world.child({
      teamId: world.teamA,
      workerId: worker.id,
      given: 'Ivy',
      family: 'Shared',
    });
    const other = await world.child({ teamId: world.teamA, given: 'Otto', family: 'Notmine' });
    await world.helpFor(child, worker.id);
    const consentId = await consentFor(worker.id, child, [world.school]);
    let staff = await signedInAs(app, deps, worker.id);

    // The authority's worker adds the school's DSL on the basis of consent, as lead practitioner.
    const added = await staff.post(
      `/children/${child}/team-around-the-family`,
      {
        userId: dsl.id,
        teamRole: 'Designated safeguarding lead',
        isLead: 'yes',
        legalBasis: 'consent',
        consentId,
        basisNote: '',
        'fromOn-day': '20',
        'fromOn-month': '11',
        'fromOn-year': '2026',
      },
      { tokenFrom: `/children/${child}/team-around-the-family/add` },
    );
    expect(added.statusCode, added.body.slice(0, 500)).toBe(303);
    const team = await staff.get(`/children/${child}/team-around-the-family`);
    expect(team.body).toContain('Dana Lead – lead practitioner');

    let browser = await signedInAs(app, deps, dsl.id);
    const list = await browser.get('/partner/children');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Ivy Shared');
    expect(list.body).not.toContain('Otto');
    const page = await browser.get(`/partner/children/${child}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Get to school on time');
    expect(page.body).toContain('We want mornings to be calmer');
    const views = await deps.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'person.view')
      .where('actor_user_id', '=', dsl.id)
      .where('entity_id', '=', child)
      .execute();
    expect(views.map((v) => v.detail['basis'])).toEqual(['partner']);
    expectGovukErrorPage(await browser.get(`/partner/children/${other}`), 404);

    // The DSL adds an action and a progress update, attributed to them and the school.
    const action = await browser.post(
      `/shared-plan/${child}/actions`,
      { goal: 'Breakfast club every day', who: 'School – a place at breakfast club', progress: '' },
      { tokenFrom: `/shared-plan/${child}/actions/new` },
    );
    expect(action.statusCode, action.body.slice(0, 400)).toBe(303);
    const goal = await deps.db
      .selectFrom('plan_goals')
      .select(['id', 'added_by', 'added_by_organisation_id'])
      .where('goal', '=', 'Breakfast club every day')
      .executeTakeFirstOrThrow();
    expect(goal).toMatchObject({ added_by: dsl.id, added_by_organisation_id: world.school });
    const update = await browser.post(
      `/shared-plan/${child}/actions/${goal.id}/updates`,
      { note: 'Came four days out of five', progress: 'in_progress' },
      { tokenFrom: `/shared-plan/${child}/actions/${goal.id}/updates/new` },
    );
    expect(update.statusCode).toBe(303);
    const seenByStaff = (await staff.get(`/children/${child}/team-around-the-family`)).body;
    expect(seenByStaff).toContain('Breakfast club every day');
    expect(seenByStaff).toContain('Came four days out of five');
    expect(seenByStaff).toMatch(/Dana Lead, Oakfield Primary/);

    // Consent is withdrawn: from that day the DSL no longer sees the child, anywhere.
    clock.set(new Date('2026-11-26T10:00:00Z'));
    // (A day later: both sign in again.)
    staff = await signedInAs(app, deps, worker.id);
    browser = await signedInAs(app, deps, dsl.id);
    const withdrawn = await staff.post(
      `/children/${child}/information-sharing/consents/${consentId}/withdraw`,
      { 'withdrawnOn-day': '26', 'withdrawnOn-month': '11', 'withdrawnOn-year': '2026', note: 'Mum phoned' },
      { tokenFrom: `/children/${child}/information-sharing` },
    );
    expect(withdrawn.statusCode).toBe(303);
    expectGovukErrorPage(await browser.get(`/partner/children/${child}`), 404);
    expect((await browser.get('/partner/children')).body).not.toContain('Ivy Shared');
    const refused = await browser.post(
      `/shared-plan/${child}/actions`,
      { goal: 'After consent', who: 'School', progress: '' },
      { tokenFrom: '/partner/children' },
    );
    expect(refused.statusCode).toBe(404);
    expect(await count(handle, 'plan_goals', { goal: 'After consent' })).toBe(0);
    expect((await staff.get(`/children/${child}/team-around-the-family`)).body).toContain(
      'No – the consent it relies on is withdrawn',
    );

    // And no new share may rely on the withdrawn consent.
    await expect(
      recordSharingDecision(deps, await actor(worker.id), { childId: child, values: share({ consentId }) }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    const form = await staff.post(
      `/children/${child}/information-sharing/decisions`,
      {
        decision: 'share',
        recipientOrganisationId: world.school,
        recipientName: 'DSL',
        what: 'Attendance worries',
        why: 'Asked by school',
        lawfulBasis: 'consent',
        consentId,
        'decidedOn-day': '26',
        'decidedOn-month': '11',
        'decidedOn-year': '2026',
      },
      { tokenFrom: `/children/${child}/information-sharing` },
    );
    expect(form.statusCode).toBe(400);
    expect(form.body).toContain('govuk-error-summary');
    expect(form.body).toContain('The consent is not in force');
    expect(form.body).toContain('Attendance worries');
    expect(await count(handle, 'information_sharing_decisions', { child_id: child })).toBe(0);
  });

  it('reaches the child on a safeguarding duty without consent, and not once the membership ends or before it starts', async () => {
    const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const nurse = await world.partner({ organisationId: world.health });
    const child = await world.child({
      teamId: world.teamA,
      workerId: worker.id,
      given: 'Duty',
      family: 'Basis',
    });
    const a = await actor(worker.id);
    await expect(
      addMember(deps, a, {
        childId: child,
        values: {
          userId: nurse.id,
          teamRole: 'Health visitor',
          isLead: 'no',
          legalBasis: 'safeguarding_duty',
          consentId: '',
          basisNote: '',
          fromOn: date('2026-11-20'),
        },
      }),
    ).rejects.toMatchObject({ errors: [{ field: 'basisNote' }] });
    const memberId = await addMember(deps, a, {
      childId: child,
      values: {
        userId: nurse.id,
        teamRole: 'Health visitor',
        isLead: 'no',
        legalBasis: 'safeguarding_duty',
        consentId: '',
        basisNote: 'Children Act 1989 section 47',
        fromOn: date('2026-11-20'),
      },
    });
    const later = await world.child({
      teamId: world.teamA,
      workerId: worker.id,
      given: 'Later',
      family: 'Start',
    });
    await addMember(deps, a, {
      childId: later,
      values: {
        userId: nurse.id,
        teamRole: 'Health visitor',
        isLead: 'no',
        legalBasis: 'safeguarding_duty',
        consentId: '',
        basisNote: 'Children Act 1989 section 47',
        fromOn: date('2026-12-01'),
      },
    });
    const nurseActor = await actor(nurse.id);
    expect((await partnerChildren(deps, nurseActor)).map((c) => c.name)).toEqual(['Duty Basis']);
    const staff = await signedInAs(app, deps, worker.id);
    const ended = await staff.post(
      `/children/${child}/team-around-the-family/${memberId}/end`,
      { reason: 'Family moved GP practice' },
      { tokenFrom: `/children/${child}/team-around-the-family` },
    );
    expect(ended.statusCode).toBe(303);
    expect(await partnerChildren(deps, nurseActor)).toEqual([]);
  });

  it('refuses a consent-based membership when the consent does not cover the partner’s organisation', async () => {
    const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const nurse = await world.partner({ organisationId: world.health });
    const child = await world.child({ teamId: world.teamA, workerId: worker.id });
    const consentId = await consentFor(worker.id, child, [world.school]);
    await expect(
      addMember(deps, await actor(worker.id), {
        childId: child,
        values: {
          userId: nurse.id,
          teamRole: 'Health visitor',
          isLead: 'no',
          legalBasis: 'consent',
          consentId,
          basisNote: '',
          fromOn: date('2026-11-20'),
        },
      }),
    ).rejects.toMatchObject({ errors: [{ field: 'consentId' }] });
    expect(await count(handle, 'team_around_family_members', { child_id: child })).toBe(0);
  });
});

describe('information sharing decisions', () => {
  it('refuses a decision not to share without a reason, in the service and the form (keeping what was typed)', async () => {
    const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const child = await world.child({
      teamId: world.teamA,
      workerId: worker.id,
      given: 'Nora',
      family: 'Noshare',
    });
    await expect(
      recordSharingDecision(deps, await actor(worker.id), {
        childId: child,
        values: share({ decision: 'not_share', lawfulBasis: '', reasonNotShared: '   ' }),
      }),
    ).rejects.toMatchObject({ errors: [{ field: 'reasonNotShared' }] });

    const staff = await signedInAs(app, deps, worker.id);
    const response = await staff.post(
      `/children/${child}/information-sharing/decisions`,
      {
        decision: 'not_share',
        recipientOrganisationId: '',
        recipientName: 'A neighbour who phoned',
        what: 'Whether the family is known to us',
        why: 'Neighbour asked',
        reasonNotShared: '',
        'decidedOn-day': '24',
        'decidedOn-month': '11',
        'decidedOn-year': '2026',
      },
      { tokenFrom: `/children/${child}/information-sharing` },
    );
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('govuk-error-summary');
    expect(response.body).toContain('href="#reasonNotShared"');
    expect(response.body).toContain('Enter the reason for not sharing the information');
    expect(response.body).toContain('A neighbour who phoned');
    expect(response.body).toContain('Whether the family is known to us');
    expect(await count(handle, 'information_sharing_decisions', { child_id: child })).toBe(0);

    const ok = await staff.post(
      `/children/${child}/information-sharing/decisions`,
      {
        decision: 'not_share',
        recipientName: 'A neighbour who phoned',
        what: 'Whether the family is known to us',
        why: 'Neighbour asked',
        reasonNotShared: 'No lawful basis and no consent; the neighbour has no role',
        'decidedOn-day': '24',
        'decidedOn-month': '11',
        'decidedOn-year': '2026',
      },
      { tokenFrom: `/children/${child}/information-sharing` },
    );
    expect(ok.statusCode).toBe(303);
    const list = await staff.get(`/children/${child}/information-sharing`);
    expect(list.body).toContain('Not shared with A neighbour who phoned');
    expect(list.body).toContain('No lawful basis and no consent');
    expect(await count(handle, 'audit_log', { action: 'information_sharing.record' })).toBeGreaterThan(0);
  });

  it('records a share on a safeguarding duty, and another basis only with its text', async () => {
    const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const child = await world.child({ teamId: world.teamA, workerId: worker.id });
    const a = await actor(worker.id);
    await expect(
      recordSharingDecision(deps, a, { childId: child, values: share({ lawfulBasis: 'other' }) }),
    ).rejects.toMatchObject({ errors: [{ field: 'basisDetail' }] });
    const id = await recordSharingDecision(deps, a, {
      childId: child,
      values: share({
        recipientOrganisationId: world.police,
        lawfulBasis: 'safeguarding_duty',
        basisDetail: 'Children Act 1989 s47',
      }),
    });
    const row = await deps.db
      .selectFrom('information_sharing_decisions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      decision: 'share',
      lawful_basis: 'safeguarding_duty',
      decided_by: worker.id,
    });
  });

  it('is out of reach for a practitioner of another team', async () => {
    const outsider = await world.user({ roles: ['practitioner'], teamIds: [world.teamB] });
    const child = await world.child({ teamId: world.teamA });
    const browser = await signedInAs(app, deps, outsider.id);
    expectGovukErrorPage(await browser.get(`/children/${child}/information-sharing`), 404);
    expectGovukErrorPage(await browser.get(`/children/${child}/team-around-the-family`), 404);
  });
});

describe('a multi-agency child protection team', () => {
  it('lets its police member see the team’s children (and no others) and record the police part of a section 47 enquiry', async () => {
    const teamId = await world.multiAgencyTeam('Multi-agency child protection team');
    const social = await world.user({ roles: ['practitioner'], teamIds: [teamId] });
    const officer = await world.partner({
      organisationId: world.police,
      roles: ['multi_agency_practitioner'],
      teamIds: [{ teamId, agency: 'police' }],
      name: 'PC Morgan',
    });
    const child = await world.child({ teamId, workerId: social.id, given: 'Mara', family: 'Teamchild' });
    const elsewhere = await world.child({ teamId: world.teamA, given: 'Elsa', family: 'Elsewhere' });
    const { section47Id } = await world.helpFor(child, social.id, 'child_protection');

    const browser = await signedInAs(app, deps, officer.id);
    const list = await browser.get('/partner/children');
    expect(list.body).toContain('Mara Teamchild');
    expect(list.body).toContain('Multi-agency team: Multi-agency child protection team');
    expect(list.body).not.toContain('Elsa');
    expectGovukErrorPage(await browser.get(`/partner/children/${elsewhere}`), 404);
    const page = await browser.get(`/partner/children/${child}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Section 47 enquiries');

    const contribution = await browser.post(
      `/children/${child}/section-47/${section47Id}/agencies`,
      {
        'contributedOn-day': '24',
        'contributedOn-month': '11',
        'contributedOn-year': '2026',
        enquiriesMade: 'Police national computer and domestic abuse call-outs checked',
        findings: 'Two call-outs to the address in 2026',
      },
      { tokenFrom: `/children/${child}/section-47/${section47Id}/agencies` },
    );
    expect(contribution.statusCode, contribution.body.slice(0, 400)).toBe(303);
    const row = await deps.db
      .selectFrom('section47_agency_contributions')
      .selectAll()
      .where('section47_id', '=', section47Id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      agency: 'police',
      organisation_id: world.police,
      contributed_by: officer.id,
    });

    // The social worker in the team sees each agency's part beside their own.
    const staff = await signedInAs(app, deps, social.id);
    const agencies = await staff.get(`/children/${child}/section-47/${section47Id}/agencies`);
    expect(agencies.statusCode).toBe(200);
    expect(agencies.body).toContain('Police – Constabulary');
    expect(agencies.body).toContain('PC Morgan');

    // A school DSL (no multi-agency role) may not record section 47 work.
    const dsl = await world.partner({ organisationId: world.school });
    const dslBrowser = await signedInAs(app, deps, dsl.id);
    expect([403, 404]).toContain(
      (await dslBrowser.get(`/children/${child}/section-47/${section47Id}/agencies`)).statusCode,
    );

    // Leaving the team ends the officer's access.
    await deps.db.deleteFrom('team_memberships').where('user_id', '=', officer.id).execute();
    expectGovukErrorPage(await browser.get(`/partner/children/${child}`), 404);
  });
});
