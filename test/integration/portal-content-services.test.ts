import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { loadActor } from '../../src/modules/access/access.repository.ts';
import type { Actor } from '../../src/modules/access/actor.ts';
import { openOrContinueEpisode } from '../../src/modules/help/episodes.ts';
import { myWorkTray } from '../../src/modules/help/work-tray.ts';
import {
  PORTAL_SECTIONS,
  type FamilyActor,
  type PortalSection,
} from '../../src/modules/portal/family-actor.ts';
import { withhold, WITHHELD } from '../../src/modules/portal/content/common.ts';
import { postcodePattern, termPattern } from '../../src/modules/portal/records-requests/render.ts';
import { familyMeetings } from '../../src/modules/portal/content/meetings.ts';
import {
  familyReply,
  familyThread,
  familyThreads,
  staffReply,
  staffThread,
  staffThreads,
  startFamilyThread,
} from '../../src/modules/portal/content/messages.ts';
import { familyPlans } from '../../src/modules/portal/content/plan.ts';
import {
  familyReports,
  openFamilyReport,
  shareDocument,
  withdrawShare,
} from '../../src/modules/portal/content/reports.ts';
import { staffPortalPage } from '../../src/modules/portal/content/staff.ts';
import {
  addFamilyView,
  answerCorrection,
  editFamilyView,
  familyViewsAbout,
  familyViewsPage,
  raiseCorrection,
} from '../../src/modules/portal/content/views.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { InvalidInputError, NotFoundError, VersionConflictError } from '../../src/platform/errors.ts';
import { openTestDb } from '../support/db.ts';
import { makeWorld, testClock, testDeps, type TestClock, type TestUser } from '../support/world.ts';

/**
 * The portal's content services against a real (PGlite) database: each feature, and the walls around
 * it (sections, other families, hidden addresses, staff scope).
 */

let handle: DbHandle;
let deps: Deps;
let clock: TestClock;
let world: Awaited<ReturnType<typeof makeWorld>>;
let worker: TestUser;
let workerActor: Actor;
let outsiderActor: Actor;

const HIDDEN_ADDRESS = '17 Secret Lane';
const HIDDEN_POSTCODE = 'ZZ9 9ZZ';
const HIDDEN_CARER = 'Hidewell Foster Family';

type Family = Awaited<ReturnType<typeof makeFamily>>;
let family: Family;
let other: Family;

async function makeFamily(given: string, options: { sections?: PortalSection[] } = {}) {
  const childId = await world.child({ teamId: world.teamA, workerId: worker.id, given, family: 'Portal' });
  const episode = await deps.db.transaction().execute((trx) =>
    openOrContinueEpisode(trx, {
      organisationId: world.organisationId,
      personId: childId,
      status: 'child_protection',
      on: '2026-10-01',
      reason: 'Conference decision',
      actorUserId: worker.id,
      referral: { source: '2A', primaryNeed: 'N1' },
    }),
  );
  const plan = await deps.db
    .insertInto('plans')
    .values({
      episode_id: episode.episodeId,
      person_id: childId,
      kind: 'child_protection',
      status: 'active',
      started_on: '2026-10-15',
      next_review_on: '2027-01-15',
      initial_category: 'NEG',
      latest_category: 'NEG',
      family_words: `We want ${given} to be safe at home`,
      child_words: `${given} wants to see Nan more`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await deps.db
    .insertInto('plan_goals')
    .values([
      { plan_id: plan.id, position: 1, goal: 'Go to school every day', who: 'Mum', progress: 'in_progress' },
      // A worker slipped the placement's address into a goal: it must be withheld from the family.
      { plan_id: plan.id, position: 2, goal: `Family time at ${HIDDEN_ADDRESS}, zz99zz`, who: HIDDEN_CARER },
    ])
    .execute();
  const review = await deps.db
    .insertInto('plan_reviews')
    .values({
      plan_id: plan.id,
      reviewed_on: '2026-11-15',
      family_view: 'Things are getting better',
      child_view: 'I like my school',
      decision: 'continue',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const assessment = await deps.db
    .insertInto('assessments')
    .values({
      episode_id: episode.episodeId,
      person_id: childId,
      kind: 'child_and_family',
      status: 'authorised',
      started_on: '2026-09-01',
      due_on: '2026-11-01',
      completed_on: '2026-10-01',
      authorised_on: '2026-10-02',
      authorised_by: worker.id,
      professional_analysis: 'Professional analysis text',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const conference = await deps.db
    .insertInto('conferences')
    .values({
      episode_id: episode.episodeId,
      person_id: childId,
      plan_id: plan.id,
      kind: 'review',
      held_on: '2027-01-15',
      status: 'planned',
      report_shared_on: '2026-12-01',
      report_shared_how: 'email',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await deps.db
    .insertInto('core_group_meetings')
    .values({
      plan_id: plan.id,
      episode_id: episode.episodeId,
      held_on: '2026-11-20',
      family_view: 'Fine',
      next_meeting_on: '2026-12-18',
    })
    .execute();
  const period = await deps.db
    .insertInto('care_periods')
    .values({
      episode_id: episode.episodeId,
      person_id: childId,
      started_on: '2026-10-01',
      category_of_need: 'N1',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await deps.db
    .insertInto('placements')
    .values({
      care_period_id: period.id,
      placement_type: 'U1',
      provider: 'PR1',
      postcode: HIDDEN_POSTCODE,
      address: HIDDEN_ADDRESS,
      carer_name: HIDDEN_CARER,
      address_hidden_from_family: true,
      started_on: '2026-10-01',
    })
    .execute();
  const document = await deps.db
    .insertInto('documents')
    .values({
      person_id: childId,
      episode_id: episode.episodeId,
      title: 'Report for the review conference',
      filename: 'conference-report.txt',
      content_type: 'text/plain',
      size_bytes: 26,
      sha256: '0'.repeat(64),
      content: new TextEncoder().encode('The conference report text'),
      uploaded_by: worker.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const parentPerson = await deps.db
    .insertInto('people')
    .values({ organisation_id: world.organisationId, given_name: 'Pat', family_name: `${given}-Parent` })
    .returning('id')
    .executeTakeFirstOrThrow();
  const account = await deps.db
    .insertInto('family_accounts')
    .values({
      organisation_id: world.organisationId,
      person_id: parentPerson.id,
      kind: 'parent',
      email: `${given.toLowerCase()}.parent@example.org`,
      status: 'active',
      invited_by: worker.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const sections = options.sections ?? null;
  await deps.db
    .insertInto('family_account_children')
    .values({
      account_id: account.id,
      child_id: childId,
      sections,
      limited_reason: sections ? 'Agreed with the family' : null,
      granted_by: worker.id,
    })
    .execute();
  const actor: FamilyActor = {
    accountId: account.id,
    organisationId: world.organisationId,
    personId: parentPerson.id,
    kind: 'parent',
    displayName: 'Pat',
    children: [{ childId, sections: sections ?? [...PORTAL_SECTIONS] }],
  };
  return {
    childId,
    planId: plan.id,
    reviewId: review.id,
    assessmentId: assessment.id,
    conferenceId: conference.id,
    documentId: document.id,
    accountId: account.id,
    actor,
  };
}

beforeAll(async () => {
  handle = await openTestDb();
  clock = testClock(new Date('2026-12-07T10:00:00Z'));
  deps = testDeps(handle, { clock });
  world = await makeWorld(deps);
  worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
  const outsider = await world.user({ roles: ['practitioner'], teamIds: [world.teamB] });
  const loaded = await loadActor(deps.db, worker.id);
  const loadedOutsider = await loadActor(deps.db, outsider.id);
  if (!loaded || !loadedOutsider) throw new Error('No actor');
  workerActor = loaded;
  outsiderActor = loadedOutsider;
  family = await makeFamily('Alex');
  other = await makeFamily('Blake');
});
afterAll(async () => {
  await handle.close();
});

async function portalAudits(accountId: string): Promise<{ action: string; entity_id: string | null }[]> {
  const rows = await deps.db
    .selectFrom('audit_log')
    .select(['action', 'entity_id', 'actor_user_id', 'detail'])
    .where('action', 'like', 'portal.%')
    .execute();
  return rows.filter((r) => {
    const detail = (typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail) as {
      familyAccountId?: string;
    };
    return r.actor_user_id === null && detail.familyAccountId === accountId;
  });
}

describe('withholding hidden words', () => {
  it('replaces a hidden phrase in any case and spacing', () => {
    const terms = [termPattern('17 Secret Lane'), postcodePattern('ZZ9 9ZZ')].map((pattern) => ({
      pattern: pattern ?? /(?!)/,
      reason: 'serious_harm' as const,
    }));
    expect(withhold('At 17 secret  lane, ZZ99ZZ.', terms)).toBe(`At ${WITHHELD}, ${WITHHELD}.`);
    expect(withhold(null, terms)).toBeNull();
  });
});

describe('the plan', () => {
  it('shows the goals, the family’s words, reviews and next review, with the hidden placement withheld', async () => {
    const page = await familyPlans(deps, family.actor, { childId: family.childId });
    expect(page.plans).toHaveLength(1);
    const plan = page.plans[0];
    expect(plan?.title).toBe('Child protection plan');
    expect(plan?.nextReviewOn).toBe('2027-01-15');
    expect(plan?.familyWords).toBe('We want Alex to be safe at home');
    // A parent does not see the child's own words; the young person would.
    expect(plan?.childWords).toBeNull();
    expect(plan?.goals.map((g) => [g.goal, g.who, g.progress])).toEqual([
      ['Go to school every day', 'Mum', 'Under way'],
      [`Family time at ${WITHHELD}, ${WITHHELD}`, WITHHELD, null],
    ]);
    expect(plan?.reviews.map((r) => [r.reviewedOn, r.decision, r.familyView, r.childView])).toEqual([
      ['2026-11-15', 'Carry on with the plan', 'Things are getting better', null],
    ]);
    const text = JSON.stringify(page);
    for (const secret of [HIDDEN_ADDRESS, HIDDEN_POSTCODE, 'ZZ99ZZ', 'zz99zz', HIDDEN_CARER, 'NEG'])
      expect(text).not.toContain(secret);
    expect(await portalAudits(family.accountId)).toContainEqual(
      expect.objectContaining({ action: 'portal.view', entity_id: family.childId }),
    );
  });

  it('shows the young person their own words', async () => {
    const page = await familyPlans(
      deps,
      { ...family.actor, kind: 'young_person' },
      { childId: family.childId },
    );
    expect(page.plans[0]?.childWords).toBe('Alex wants to see Nan more');
    expect(page.plans[0]?.reviews[0]?.childView).toBe('I like my school');
  });

  it('is not found for another family’s child, a bad id, or without the section', async () => {
    await expect(familyPlans(deps, family.actor, { childId: other.childId })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(familyPlans(deps, family.actor, { childId: 'nope' })).rejects.toBeInstanceOf(NotFoundError);
    const limited = await makeFamily('Casey', { sections: ['messages'] });
    await expect(familyPlans(deps, limited.actor, { childId: limited.childId })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    // A forged actor naming a child the account is not linked to in the database is still refused.
    const forged: FamilyActor = {
      ...family.actor,
      children: [{ childId: other.childId, sections: [...PORTAL_SECTIONS] }],
    };
    await expect(familyPlans(deps, forged, { childId: other.childId })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('is not found once the link is ended', async () => {
    const ended = await makeFamily('Drew');
    await deps.db
      .updateTable('family_account_children')
      .set({ ended_at: new Date(), ended_reason: 'Withdrawn by the worker' })
      .where('account_id', '=', ended.accountId)
      .execute();
    await expect(familyPlans(deps, ended.actor, { childId: ended.childId })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});

describe('meetings', () => {
  it('lists upcoming meetings with dates, kinds and whether the report is shared', async () => {
    const page = await familyMeetings(deps, family.actor, { childId: family.childId });
    expect(page.meetings.map((m) => [m.kind, m.on])).toEqual([
      ['core_group', '2026-12-18'],
      ['review_conference', '2027-01-15'],
    ]);
    expect(page.meetings[1]?.reportShared).toEqual({ sharedOn: '2026-12-01', inPortal: false });
    await expect(familyMeetings(deps, family.actor, { childId: other.childId })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});

describe('reports shared before a meeting', () => {
  let shareId: string;

  it('a worker shares a report; the parent sees it and opening it records a read receipt', async () => {
    expect(
      await shareDocument(deps, workerActor, {
        childId: family.childId,
        documentId: family.documentId,
        accountIds: [family.accountId],
        conferenceId: family.conferenceId,
      }),
    ).toBe(1);
    const page = await familyReports(deps, family.actor, { childId: family.childId });
    expect(page.reports).toHaveLength(1);
    expect(page.reports[0]).toMatchObject({
      title: 'Report for the review conference',
      read: false,
      meetingOn: '2027-01-15',
    });
    shareId = page.reports[0]?.id ?? '';
    const meetings = await familyMeetings(deps, family.actor, { childId: family.childId });
    expect(
      meetings.meetings.find((m) => m.conferenceId === family.conferenceId)?.reportShared?.inPortal,
    ).toBe(true);

    clock.advance(60_000);
    const file = await openFamilyReport(deps, family.actor, { childId: family.childId, shareId });
    expect(new TextDecoder().decode(file.content)).toBe('The conference report text');
    const staff = await staffPortalPage(deps, workerActor, { childId: family.childId });
    const receipt = staff.documents.find((d) => d.documentId === family.documentId)?.shares[0];
    expect(receipt?.firstReadAt).toEqual(clock.now());
    expect(receipt?.timesRead).toBe(1);
    expect(await portalAudits(family.accountId)).toContainEqual(
      expect.objectContaining({ action: 'portal.report.read', entity_id: shareId }),
    );
  });

  it('another family cannot open it, and a withdrawn share is gone', async () => {
    await expect(
      openFamilyReport(deps, other.actor, { childId: other.childId, shareId }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      openFamilyReport(deps, other.actor, { childId: family.childId, shareId }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await withdrawShare(deps, workerActor, { childId: family.childId, shareId });
    await expect(
      openFamilyReport(deps, family.actor, { childId: family.childId, shareId }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect((await familyReports(deps, family.actor, { childId: family.childId })).reports).toHaveLength(0);
  });

  it('refuses sharing with another family’s account, another child’s document, or out of scope', async () => {
    await expect(
      shareDocument(deps, workerActor, {
        childId: family.childId,
        documentId: family.documentId,
        accountIds: [other.accountId],
        conferenceId: '',
      }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    await expect(
      shareDocument(deps, workerActor, {
        childId: family.childId,
        documentId: other.documentId,
        accountIds: [family.accountId],
        conferenceId: '',
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      shareDocument(deps, outsiderActor, {
        childId: family.childId,
        documentId: family.documentId,
        accountIds: [family.accountId],
        conferenceId: '',
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('the family’s own view', () => {
  let viewId: string;

  it('lists what the family can give a view on, and stores their view beside the professional text', async () => {
    const page = await familyViewsPage(deps, family.actor, { childId: family.childId });
    expect(page.items.map((i) => i.type).sort()).toEqual(['assessment', 'conference', 'plan', 'plan_review']);
    viewId = await addFamilyView(deps, family.actor, {
      childId: family.childId,
      aboutType: 'plan',
      aboutId: family.planId,
      body: '  We agree with most of the plan.\r\nBut not the school part.  ',
    });
    const plan = await deps.db
      .selectFrom('plans')
      .select('family_words')
      .where('id', '=', family.planId)
      .executeTakeFirstOrThrow();
    expect(plan.family_words).toBe('We want Alex to be safe at home');
    const staffViews = await familyViewsAbout(deps.db, { type: 'plan', id: family.planId });
    expect(staffViews).toEqual([
      expect.objectContaining({
        authorName: 'Pat Alex-Parent',
        authorKind: 'Parent',
        body: 'We agree with most of the plan.\nBut not the school part.',
        edited: false,
      }),
    ]);
    await addFamilyView(deps, family.actor, {
      childId: family.childId,
      aboutType: 'conference',
      aboutId: family.conferenceId,
      body: 'Please listen to us at the conference.',
    });
    expect((await familyViewsAbout(deps.db, { type: 'conference', id: family.conferenceId }))[0]?.body).toBe(
      'Please listen to us at the conference.',
    );
  });

  it('only the account that wrote a view sees it in the portal', async () => {
    const page = await familyViewsPage(deps, family.actor, { childId: family.childId });
    expect(page.items.find((i) => i.type === 'plan')?.views.map((v) => v.id)).toEqual([viewId]);
    const otherParent = await deps.db
      .insertInto('people')
      .values({ organisation_id: world.organisationId, given_name: 'Sam', family_name: 'Other-Parent' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const account = await deps.db
      .insertInto('family_accounts')
      .values({
        organisation_id: world.organisationId,
        person_id: otherParent.id,
        kind: 'parent',
        email: 'sam@example.org',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await deps.db
      .insertInto('family_account_children')
      .values({ account_id: account.id, child_id: family.childId })
      .execute();
    const second: FamilyActor = {
      ...family.actor,
      accountId: account.id,
      personId: otherParent.id,
      children: [{ childId: family.childId, sections: [...PORTAL_SECTIONS] }],
    };
    const secondPage = await familyViewsPage(deps, second, { childId: family.childId });
    expect(secondPage.items.flatMap((i) => i.views)).toEqual([]);
    await expect(
      editFamilyView(deps, second, {
        childId: family.childId,
        aboutType: 'plan',
        aboutId: family.planId,
        viewId,
        body: 'Changed',
        version: 1,
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('edits with optimistic locking', async () => {
    await editFamilyView(deps, family.actor, {
      childId: family.childId,
      aboutType: 'plan',
      aboutId: family.planId,
      viewId,
      body: 'We agree now.',
      version: 1,
    });
    await expect(
      editFamilyView(deps, family.actor, {
        childId: family.childId,
        aboutType: 'plan',
        aboutId: family.planId,
        viewId,
        body: 'Stale edit',
        version: 1,
      }),
    ).rejects.toBeInstanceOf(VersionConflictError);
    // The view belongs to the plan: naming another item is "not found".
    await expect(
      editFamilyView(deps, family.actor, {
        childId: family.childId,
        aboutType: 'assessment',
        aboutId: family.assessmentId,
        viewId,
        body: 'Moved',
        version: 2,
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    const row = await deps.db
      .selectFrom('family_contributions')
      .selectAll()
      .where('id', '=', viewId)
      .executeTakeFirstOrThrow();
    expect([row.body, row.version]).toEqual(['We agree now.', 2]);
  });

  it('refuses a view on another family’s plan, an empty view, or without the section', async () => {
    await expect(
      addFamilyView(deps, family.actor, {
        childId: family.childId,
        aboutType: 'plan',
        aboutId: other.planId,
        body: 'x',
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      addFamilyView(deps, family.actor, {
        childId: family.childId,
        aboutType: 'plan',
        aboutId: family.planId,
        body: '  ',
      }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    await expect(
      addFamilyView(deps, family.actor, {
        childId: family.childId,
        aboutType: 'visit',
        aboutId: family.planId,
        body: 'x',
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    const limited = await makeFamily('Eden', { sections: ['plan'] });
    await expect(
      addFamilyView(deps, limited.actor, {
        childId: limited.childId,
        aboutType: 'plan',
        aboutId: limited.planId,
        body: 'x',
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
  it('keeps the family’s words once the plan has ended, under what they told us before', async () => {
    const ending = await makeFamily('Finley');
    await addFamilyView(deps, ending.actor, {
      childId: ending.childId,
      aboutType: 'plan',
      aboutId: ending.planId,
      body: 'Our view before the plan ended.',
    });
    await deps.db
      .updateTable('plans')
      .set({ status: 'ended', ended_on: '2026-12-01' })
      .where('id', '=', ending.planId)
      .execute();
    const page = await familyViewsPage(deps, ending.actor, { childId: ending.childId });
    expect(page.items.some((i) => i.type === 'plan')).toBe(false);
    expect(page.earlier).toEqual([
      expect.objectContaining({
        aboutLabel: 'Plans that have ended',
        views: [expect.objectContaining({ body: 'Our view before the plan ended.' })],
      }),
    ]);
    await expect(
      addFamilyView(deps, ending.actor, {
        childId: ending.childId,
        aboutType: 'plan',
        aboutId: ending.planId,
        body: 'x',
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('corrections', () => {
  let correctionId: string;

  it('the family flags an error; the worker gets a task; the answer is shown to the family', async () => {
    correctionId = await raiseCorrection(deps, family.actor, {
      childId: family.childId,
      aboutType: 'assessment',
      aboutId: family.assessmentId,
      whatIsWrong: 'It says I missed three meetings',
      comment: 'I missed one meeting, and I rang to say so.',
    });
    const tray = await myWorkTray(deps, workerActor);
    const task = tray.tasks.find((t) => t.kind === 'family_correction' && t.child?.id === family.childId);
    expect(task?.title).toBe('Answer a correction from the family');
    expect(task?.href).toBe(
      `/children/${family.childId}/family-portal/contributions#correction-${correctionId}`,
    );

    await expect(
      answerCorrection(deps, workerActor, {
        childId: family.childId,
        correctionId,
        outcome: 'not_agreed',
        answer: '',
        version: 1,
      }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    await expect(
      answerCorrection(deps, outsiderActor, {
        childId: family.childId,
        correctionId,
        outcome: 'agreed',
        answer: 'Corrected',
        version: 1,
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await answerCorrection(deps, workerActor, {
      childId: family.childId,
      correctionId,
      outcome: 'agreed',
      answer: 'You are right. I have changed the assessment to say one meeting.',
      version: 1,
    });
    await expect(
      answerCorrection(deps, workerActor, {
        childId: family.childId,
        correctionId,
        outcome: 'not_agreed',
        answer: 'No',
        version: 1,
      }),
    ).rejects.toBeInstanceOf(VersionConflictError);
    const after = await myWorkTray(deps, workerActor);
    expect(
      after.tasks.find((t) => t.kind === 'family_correction' && t.child?.id === family.childId),
    ).toBeUndefined();
    const page = await familyViewsPage(deps, family.actor, { childId: family.childId });
    const correction = page.items.find((i) => i.type === 'assessment')?.corrections[0];
    expect(correction).toMatchObject({
      status: 'agreed',
      statusLabel: 'Agreed and corrected',
      answer: 'You are right. I have changed the assessment to say one meeting.',
    });
  });

  it('another family cannot see or raise corrections about this child', async () => {
    await expect(
      raiseCorrection(deps, other.actor, {
        childId: family.childId,
        aboutType: 'assessment',
        aboutId: family.assessmentId,
        whatIsWrong: '',
        comment: 'x',
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    const page = await familyViewsPage(deps, other.actor, { childId: other.childId });
    expect(page.items.flatMap((i) => i.corrections)).toEqual([]);
  });
});

describe('messages', () => {
  let threadId: string;

  it('the family writes; the worker gets a task, reads and replies; the family sees the reply', async () => {
    const start = await familyThreads(deps, family.actor, { childId: family.childId });
    expect(start.worker).toMatch(/^Staff Member/);
    threadId = await startFamilyThread(deps, family.actor, {
      childId: family.childId,
      subject: 'Contact on Saturday',
      body: 'Can we move contact to Sunday?',
    });
    const tray = await myWorkTray(deps, workerActor);
    expect(tray.tasks.some((t) => t.kind === 'family_message' && t.child?.id === family.childId)).toBe(true);

    const staffList = await staffThreads(deps, workerActor, { childId: family.childId });
    expect(staffList.threads).toEqual([
      expect.objectContaining({
        id: threadId,
        subject: 'Contact on Saturday',
        unread: 1,
        accountName: 'Pat Alex-Parent',
      }),
    ]);
    const opened = await staffThread(deps, workerActor, { childId: family.childId, threadId });
    expect(opened.messages.map((m) => [m.fromFamily, m.body])).toEqual([
      [true, 'Can we move contact to Sunday?'],
    ]);
    clock.advance(60_000);
    await staffReply(deps, workerActor, { childId: family.childId, threadId, body: 'Yes, Sunday is fine.' });
    expect(
      (await myWorkTray(deps, workerActor)).tasks.some(
        (t) => t.kind === 'family_message' && t.child?.id === family.childId,
      ),
    ).toBe(false);

    const familyList = await familyThreads(deps, family.actor, { childId: family.childId });
    expect(familyList.threads[0]?.unread).toBe(1);
    const thread = await familyThread(deps, family.actor, { childId: family.childId, threadId });
    expect(thread.messages.map((m) => [m.fromFamily, m.body, m.readAt !== null])).toEqual([
      [true, 'Can we move contact to Sunday?', true],
      [false, 'Yes, Sunday is fine.', false],
    ]);
    expect((await familyThreads(deps, family.actor, { childId: family.childId })).threads[0]?.unread).toBe(0);
    clock.advance(60_000);
    await familyReply(deps, family.actor, { childId: family.childId, threadId, body: 'Thank you.' });
    expect(
      (await myWorkTray(deps, workerActor)).tasks.some(
        (t) => t.kind === 'family_message' && t.child?.id === family.childId,
      ),
    ).toBe(true);
  });

  it('another family, another child and staff out of scope get not found', async () => {
    await expect(
      familyThread(deps, other.actor, { childId: other.childId, threadId }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      familyThread(deps, other.actor, { childId: family.childId, threadId }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      familyReply(deps, other.actor, { childId: other.childId, threadId, body: 'Hello' }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(staffThread(deps, workerActor, { childId: other.childId, threadId })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(staffThreads(deps, outsiderActor, { childId: family.childId })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('refuses an empty message', async () => {
    await expect(
      startFamilyThread(deps, family.actor, { childId: family.childId, subject: '', body: '' }),
    ).rejects.toBeInstanceOf(InvalidInputError);
  });
});

describe('audit', () => {
  it('every family change is audited with the family account, no staff actor and no personal data', async () => {
    const actions = (await portalAudits(family.accountId)).map((a) => a.action);
    for (const action of [
      'portal.view',
      'portal.report.read',
      'portal.view.add',
      'portal.view.edit',
      'portal.correction.raise',
      'portal.message.start',
      'portal.message.reply',
    ])
      expect(actions).toContain(action);
    const details = await deps.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', 'like', 'portal.%')
      .execute();
    const text = JSON.stringify(details);
    for (const words of ['Sunday', 'rang to say', 'Contact on', 'Pat', 'Alex'])
      expect(text).not.toContain(words);
  });
});
