import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { loadActor } from '../../src/modules/access/access.repository.ts';
import type { Actor } from '../../src/modules/access/actor.ts';
import type { FamilyActor } from '../../src/modules/portal/family-actor.ts';
import { PORTAL_SECTIONS } from '../../src/modules/portal/family-actor.ts';
import { daysLeft, recordsRequestDueOn } from '../../src/modules/portal/records-requests/deadline.ts';
import {
  addRedaction,
  approveBundle,
  askForRecords,
  assembleBundle,
  familyBundleDownload,
  familyRecordsRequest,
  familyRecordsRequests,
  listRecordsRequests,
  logRecordsRequest,
  returnBundle,
  submitBundle,
  viewRecordsRequest,
} from '../../src/modules/portal/records-requests/service.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../../src/platform/errors.ts';
import { openTestDb } from '../support/db.ts';
import { makeWorld, testClock, testDeps, type TestClock } from '../support/world.ts';

let handle: DbHandle;
let deps: Deps;
let clock: TestClock;
let world: Awaited<ReturnType<typeof makeWorld>>;

// What must never reach the family, planted in the record.
const HIDDEN_ADDRESS = '14 Larkspur Gardens';
const HIDDEN_POSTCODE = 'LS9 7QT';
const HIDDEN_CARER = 'Marigold Featherstone';
const MOTHER_REFUGE = '3 Quayside Mews';
const RESTRICTED_NAME = 'Dorian Blackwood';
const SECRET_PASSAGE = 'her neighbour Mrs Pennyworth rang the police';

beforeAll(async () => {
  handle = await openTestDb();
  clock = testClock(new Date('2026-03-10T10:00:00Z'));
  deps = testDeps(handle, { clock });
  world = await makeWorld(deps);
});
afterAll(async () => {
  await handle.close();
});

async function actor(userId: string): Promise<Actor> {
  const loaded = await loadActor(deps.db, userId);
  if (!loaded) throw new Error('no actor');
  return loaded;
}

async function person(given: string, family: string): Promise<string> {
  const row = await deps.db
    .insertInto('people')
    .values({
      organisation_id: world.organisationId,
      given_name: given,
      family_name: family,
      date_of_birth: '1990-01-01',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A parent's portal account that sees the child's records, as portal-core would load it. */
async function familyAccount(personId: string, childId: string, email: string): Promise<FamilyActor> {
  const account = await deps.db
    .insertInto('family_accounts')
    .values({
      organisation_id: world.organisationId,
      person_id: personId,
      kind: 'parent',
      email,
      status: 'active',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await deps.db
    .insertInto('family_account_children')
    .values({ account_id: account.id, child_id: childId })
    .execute();
  return {
    accountId: account.id,
    organisationId: world.organisationId,
    personId,
    kind: 'parent',
    displayName: 'A parent',
    children: [{ childId, sections: [...PORTAL_SECTIONS] }],
  };
}

/** A child's record with family-facing content, and what must never be shown planted through it. */
async function childWithRecord(workerId: string) {
  const child = await world.child({ teamId: world.teamA, workerId, given: 'Ellis', family: 'Hartley' });
  const mother = await person('Jo', 'Hartley');
  const restricted = await person('Dorian', 'Blackwood');
  await deps.db
    .insertInto('relationships')
    .values([
      { person_id: child, related_person_id: mother, kind: 'mother', parental_responsibility: true },
      { person_id: child, related_person_id: restricted, kind: 'uncle' },
    ])
    .execute();
  await deps.db
    .insertInto('person_addresses')
    .values({
      person_id: mother,
      line1: MOTHER_REFUGE,
      postcode: 'LS2 8AB',
      started_on: '2025-01-01',
      hidden_from_family: true,
    })
    .execute();
  await deps.db
    .insertInto('person_restrictions')
    .values({ person_id: restricted, category: 'domestic_abuse_risk', reason: 'Risk to the family' })
    .execute();
  const episode = await deps.db
    .insertInto('help_episodes')
    .values({
      organisation_id: world.organisationId,
      person_id: child,
      started_on: '2025-06-01',
      status: 'looked_after',
      status_since: '2025-09-01',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const plan = await deps.db
    .insertInto('plans')
    .values({
      episode_id: episode.id,
      person_id: child,
      kind: 'child_in_need',
      status: 'active',
      started_on: '2025-07-01',
      family_words: 'We want Ellis to be happy at school. We met near Larkspur Gardens.',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await deps.db
    .insertInto('plan_goals')
    .values({
      plan_id: plan.id,
      position: 1,
      goal: 'Ellis goes to school every day',
      who: 'Jo and the school',
      progress: 'in_progress',
    })
    .execute();
  await deps.db
    .insertInto('plans')
    .values({
      episode_id: episode.id,
      person_id: child,
      kind: 'family_help',
      status: 'draft',
      family_words: 'Draft words never shared',
    })
    .execute();
  await deps.db
    .insertInto('assessments')
    .values({
      episode_id: episode.id,
      person_id: child,
      kind: 'child_and_family',
      status: 'authorised',
      started_on: '2025-06-02',
      due_on: '2025-08-01',
      completed_on: '2025-07-20',
      authorised_on: '2025-07-21',
      authorised_by: workerId,
      family_account: `Jo told us things were hard after ${RESTRICTED_NAME} moved in.`,
      child_views: 'Ellis said school is fine.',
      professional_analysis: 'Staff analysis not for the bundle',
      outcome: 'child_in_need_plan',
    })
    .execute();
  const visit = await deps.db
    .insertInto('visits')
    .values({
      episode_id: episode.id,
      person_id: child,
      visited_on: '2025-10-05',
      kind: 'placement',
      child_seen: true,
      what_happened: `Visited Ellis at ${HIDDEN_ADDRESS}, ${HIDDEN_POSTCODE.toLowerCase().replace(' ', '')}. Carer ${HIDDEN_CARER} was there. Ellis told me ${SECRET_PASSAGE} last week.`,
      childs_words: `I like living with ${HIDDEN_CARER}.`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await deps.db
    .insertInto('practice_notes')
    .values({
      episode_id: episode.id,
      person_id: child,
      occurred_at: '2025-10-06T10:00:00Z',
      kind: 'management_oversight',
      title: 'Oversight',
      body: 'x',
    })
    .returning('id')
    .executeTakeFirstOrThrow()
    .then((note) =>
      deps.db
        .insertInto('chronology_entries')
        .values({
          person_id: child,
          occurred_on: '2025-10-06',
          kind: 'curated',
          event: 'note.added',
          summary: 'Manager oversight: staff only',
          source_type: 'practice_note',
          source_id: note.id,
        })
        .execute(),
    );
  await deps.db
    .insertInto('chronology_entries')
    .values({
      person_id: child,
      episode_id: episode.id,
      occurred_on: '2025-09-01',
      kind: 'automatic',
      event: 'care.started',
      summary: 'You came into care and went to live with foster carers.',
    })
    .execute();
  const period = await deps.db
    .insertInto('care_periods')
    .values({ episode_id: episode.id, person_id: child, started_on: '2025-09-01', category_of_need: 'N1' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await deps.db
    .insertInto('placements')
    .values({
      care_period_id: period.id,
      placement_type: 'U1',
      provider: 'PR1',
      started_on: '2025-09-01',
      address: HIDDEN_ADDRESS,
      postcode: HIDDEN_POSTCODE,
      carer_name: HIDDEN_CARER,
    })
    .execute();
  return { child, mother, visitId: visit.id };
}

describe('the deadline', () => {
  it('is the same day next month, or the last day of next month when that day does not exist', () => {
    expect(recordsRequestDueOn('2026-01-31')).toBe('2026-02-28');
    expect(recordsRequestDueOn('2028-01-31')).toBe('2028-02-29');
    expect(recordsRequestDueOn('2028-01-29')).toBe('2028-02-29');
    expect(recordsRequestDueOn('2026-01-15')).toBe('2026-02-15');
    expect(recordsRequestDueOn('2026-03-31')).toBe('2026-04-30');
    expect(recordsRequestDueOn('2026-12-31')).toBe('2027-01-31');
    expect(recordsRequestDueOn('2026-12-05')).toBe('2027-01-05');
    expect(() => recordsRequestDueOn('31/01/2026')).toThrow(RangeError);
  });

  it('counts days left, negative when overdue', () => {
    expect(daysLeft('2026-02-20', '2026-02-28')).toBe(8);
    expect(daysLeft('2026-03-02', '2026-02-28')).toBe(-2);
    // Across the clocks going forward (29 March 2026).
    expect(daysLeft('2026-03-28', '2026-03-30')).toBe(2);
  });
});

describe('asking for records and releasing them', () => {
  it('runs from the portal request to the family reading the bundle, with reasons and nothing hidden', async () => {
    const worker = await actor((await world.user({ roles: ['practitioner'], teamIds: [world.teamA] })).id);
    const manager = await actor((await world.user({ roles: ['team_manager'], teamIds: [world.teamA] })).id);
    const { child, mother, visitId } = await childWithRecord(worker.userId);
    const parent = await familyAccount(mother, child, 'jo.hartley@example.com');

    clock.set(new Date('2026-01-31T11:00:00Z'));
    const id = await askForRecords(deps, parent, {
      childId: child,
      whatWanted: 'Everything about Ellis',
      dateFrom: '',
      dateTo: '',
    });
    const [mine] = await familyRecordsRequests(deps, parent);
    expect(mine).toMatchObject({ id, dueOn: '2026-02-28', receivedOn: '2026-01-31', released: false });

    clock.set(new Date('2026-02-10T09:00:00Z'));
    const listed = (await listRecordsRequests(deps, worker)).find((r) => r.id === id);
    expect(listed).toMatchObject({ daysLeft: 18, overdue: false, status: 'received' });

    const count = await assembleBundle(deps, worker, id);
    // Plan, assessment, visit and one chronology entry: no draft plan, no oversight note.
    expect(count).toBe(4);
    const view = await viewRecordsRequest(deps, worker, id, { route: '/records-requests/:id' });
    const bodies = view.items.map((i) => i.body).join('\n');
    expect(bodies).not.toContain('Draft words never shared');
    expect(bodies).not.toContain('Manager oversight');
    expect(bodies).not.toContain('Staff analysis not for the bundle');
    // The preview already hides the planted address, carer and restricted person.
    for (const secret of [HIDDEN_ADDRESS, HIDDEN_CARER, RESTRICTED_NAME])
      expect(view.previewHtml).not.toContain(secret);

    const visitItem = view.items.find((i) => i.sourceType === 'visit');
    expect(visitItem?.body).toContain(SECRET_PASSAGE);
    await expect(
      addRedaction(deps, worker, id, {
        itemId: visitItem?.id ?? '',
        scope: 'passage',
        passage: 'words not in the entry',
        reason: 'third_party',
        reasonText: '',
      }),
    ).rejects.toThrow(InvalidInputError);
    await expect(
      addRedaction(deps, worker, id, {
        itemId: visitItem?.id ?? '',
        scope: 'passage',
        passage: SECRET_PASSAGE,
        reason: 'other',
        reasonText: '',
      }),
    ).rejects.toThrow(InvalidInputError);
    await addRedaction(deps, worker, id, {
      itemId: visitItem?.id ?? '',
      scope: 'passage',
      passage: SECRET_PASSAGE,
      reason: 'third_party',
      reasonText: '',
    });
    const chronologyItem = view.items.find((i) => i.sourceType === 'chronology');
    await addRedaction(deps, worker, id, {
      itemId: chronologyItem?.id ?? '',
      scope: 'item',
      passage: '',
      reason: 'other',
      reasonText: 'Part of a court case still going on',
    });

    // Not yet released: the family sees where it has got to, and no bundle.
    const before = await familyRecordsRequest(deps, parent, id, { route: 't' });
    expect(before.bundleHtml).toBeNull();
    await expect(familyBundleDownload(deps, parent, id, 'html', { route: 't' })).rejects.toThrow(
      NotFoundError,
    );

    await submitBundle(deps, worker, id);
    // The preparer cannot approve their own bundle, even holding the permission.
    const preparerManager = await actor(
      (await world.user({ roles: ['team_manager'], teamIds: [world.teamA] })).id,
    );
    const other = await logRecordsRequest(deps, preparerManager, {
      childId: child,
      channel: 'letter',
      requesterDescription: 'Mother, by letter',
      whatWanted: `School reports, to be posted to ${MOTHER_REFUGE}`,
      receivedOn: '2026-02-09',
      dateFrom: '',
      dateTo: '',
      familyAccountId: parent.accountId,
    });
    // Typed by staff, shown to the family: the hidden address is masked there too.
    const otherView = await familyRecordsRequest(deps, parent, other, { route: 't' });
    expect(otherView.whatWanted).toContain('School reports');
    expect(otherView.whatWanted).not.toContain(MOTHER_REFUGE);
    expect(JSON.stringify(await familyRecordsRequests(deps, parent))).not.toContain(MOTHER_REFUGE);
    await assembleBundle(deps, preparerManager, other);
    await submitBundle(deps, preparerManager, other);
    await expect(approveBundle(deps, preparerManager, other)).rejects.toThrow(ForbiddenError);
    // A practitioner does not hold the approval permission at all.
    await expect(approveBundle(deps, worker, id)).rejects.toThrow(ForbiddenError);
    expect((await viewRecordsRequest(deps, preparerManager, other, { route: 't' })).canApprove).toBe(false);
    expect((await viewRecordsRequest(deps, manager, id, { route: 't' })).canApprove).toBe(true);

    await approveBundle(deps, manager, id);
    const released = await deps.db
      .selectFrom('records_requests')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(released).toMatchObject({
      status: 'released',
      approved_by: manager.userId,
      submitted_by: worker.userId,
    });

    const page = await familyRecordsRequest(deps, parent, id, { route: 't' });
    const download = await familyBundleDownload(deps, parent, id, 'html', { route: 't' });
    const text = await familyBundleDownload(deps, parent, id, 'text', { route: 't' });
    for (const body of [page.bundleHtml ?? '', download.body, text.body]) {
      expect(body).toContain('Ellis goes to school every day');
      expect(body).not.toContain(SECRET_PASSAGE);
      expect(body).not.toContain('Pennyworth');
      expect(body).toContain('Information about someone else');
      expect(body).toContain('Part of a court case still going on');
      expect(body).not.toContain('You came into care');
      for (const secret of [
        HIDDEN_ADDRESS,
        'Larkspur',
        HIDDEN_CARER,
        'Featherstone',
        RESTRICTED_NAME,
        MOTHER_REFUGE,
      ]) {
        expect(body).not.toContain(secret);
      }
      expect(body.toUpperCase().replace(/\s/g, '')).not.toContain('LS97QT');
    }
    expect(download.contentType).toMatch(/^text\/html/);

    // Frozen: a later change to the record does not alter what was released.
    await deps.db
      .updateTable('visits')
      .set({ what_happened: 'Rewritten later' })
      .where('id', '=', visitId)
      .execute();
    expect((await familyRecordsRequest(deps, parent, id, { route: 't' })).bundleHtml).toBe(page.bundleHtml);

    // Reading and downloading are audited against the account, with no staff user.
    const audit = await deps.db
      .selectFrom('audit_log')
      .select(['action', 'actor_user_id', 'detail'])
      .where('entity_id', '=', child)
      .where('action', 'in', ['portal.view', 'portal.records_request.download'])
      .execute();
    expect(audit.filter((a) => a.action === 'portal.view').length).toBeGreaterThanOrEqual(2);
    const downloads = audit.filter((a) => a.action === 'portal.records_request.download');
    expect(downloads).toHaveLength(2);
    expect(
      downloads.every((a) => a.actor_user_id === null && a.detail['familyAccountId'] === parent.accountId),
    ).toBe(true);

    // Released requests leave the open list.
    expect((await listRecordsRequests(deps, worker)).some((r) => r.id === id)).toBe(false);
  });

  it('lets the checker send a bundle back, and refuses changes once sent for checking', async () => {
    const worker = await actor((await world.user({ roles: ['practitioner'], teamIds: [world.teamA] })).id);
    const manager = await actor((await world.user({ roles: ['team_manager'], teamIds: [world.teamA] })).id);
    const child = await world.child({ teamId: world.teamA, workerId: worker.userId });
    clock.set(new Date('2026-03-10T10:00:00Z'));
    const id = await logRecordsRequest(deps, worker, {
      childId: child,
      channel: 'phone',
      requesterDescription: 'Young person, by phone',
      whatWanted: 'My care records',
      receivedOn: '2026-01-31',
      dateFrom: '',
      dateTo: '',
      familyAccountId: '',
    });
    const listed = (await listRecordsRequests(deps, manager)).find((r) => r.id === id);
    expect(listed).toMatchObject({ dueOn: '2026-02-28', overdue: true, daysLeft: -10 });
    await assembleBundle(deps, worker, id);
    await submitBundle(deps, worker, id);
    await expect(assembleBundle(deps, worker, id)).rejects.toThrow(InvalidInputError);
    await returnBundle(deps, manager, id, { note: 'Check the dates' });
    expect((await viewRecordsRequest(deps, worker, id, { route: 't' })).returnedNote).toBe('Check the dates');
    await submitBundle(deps, worker, id);
    await approveBundle(deps, manager, id);
    await expect(approveBundle(deps, manager, id)).rejects.toThrow(InvalidInputError);
  });

  it('validates what staff log', async () => {
    const worker = await actor((await world.user({ roles: ['practitioner'], teamIds: [world.teamA] })).id);
    const child = await world.child({ teamId: world.teamA });
    const error = await logRecordsRequest(deps, worker, {
      childId: child,
      channel: 'pigeon',
      requesterDescription: '',
      whatWanted: '',
      receivedOn: '2099-01-01',
      dateFrom: '2025-05-01',
      dateTo: '2025-04-01',
      familyAccountId: '00000000-0000-0000-0000-000000000000',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).errors.map((e) => e.field).sort()).toEqual(
      ['channel', 'dateTo', 'familyAccountId', 'receivedOn', 'requesterDescription', 'whatWanted'].sort(),
    );
  });
});

describe('keeping families and teams apart', () => {
  it('gives another family, and staff outside the child’s team, "not found"', async () => {
    const worker = await actor((await world.user({ roles: ['practitioner'], teamIds: [world.teamA] })).id);
    const manager = await actor((await world.user({ roles: ['team_manager'], teamIds: [world.teamA] })).id);
    const elsewhere = await actor((await world.user({ roles: ['team_manager'], teamIds: [world.teamB] })).id);
    const { child, mother } = await childWithRecord(worker.userId);
    const parent = await familyAccount(mother, child, 'one@example.com');
    const otherChild = await world.child({ teamId: world.teamA, given: 'Sam', family: 'Other' });
    const otherParent = await familyAccount(await person('Pat', 'Other'), otherChild, 'two@example.com');
    // A second parent of the same child does not see this parent's request either.
    const father = await familyAccount(await person('Lee', 'Hartley'), child, 'three@example.com');

    const id = await askForRecords(deps, parent, {
      childId: child,
      whatWanted: 'Everything',
      dateFrom: '',
      dateTo: '',
    });
    await assembleBundle(deps, worker, id);
    await submitBundle(deps, worker, id);
    await approveBundle(deps, manager, id);

    for (const family of [otherParent, father]) {
      await expect(familyRecordsRequest(deps, family, id, { route: 't' })).rejects.toThrow(NotFoundError);
      await expect(familyBundleDownload(deps, family, id, 'html', { route: 't' })).rejects.toThrow(
        NotFoundError,
      );
      expect((await familyRecordsRequests(deps, family)).map((r) => r.id)).not.toContain(id);
    }
    await expect(
      askForRecords(deps, otherParent, { childId: child, whatWanted: 'x', dateFrom: '', dateTo: '' }),
    ).rejects.toThrow(NotFoundError);
    // Access to the records section withdrawn: the request disappears.
    const limited: FamilyActor = { ...parent, children: [{ childId: child, sections: ['plan'] }] };
    await expect(familyRecordsRequest(deps, limited, id, { route: 't' })).rejects.toThrow(NotFoundError);

    await expect(viewRecordsRequest(deps, elsewhere, id, { route: 't' })).rejects.toThrow(NotFoundError);
    expect(
      (await listRecordsRequests(deps, elsewhere, { includeReleased: true })).map((r) => r.id),
    ).not.toContain(id);
    await expect(viewRecordsRequest(deps, worker, 'not-a-uuid', { route: 't' })).rejects.toThrow(
      NotFoundError,
    );
  });
});
