import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { openOrContinueEpisode } from '../../src/modules/help/episodes.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { appWithRouteTable, expectGovukErrorPage } from '../support/app-helpers.ts';
import { openTestDb } from '../support/db.ts';
import { makeWorld, testClock, testDeps, type TestClock, type TestUser } from '../support/world.ts';
import { dateFields, staffPages, versionOf } from '../support/staff-pages.ts';

/**
 * Children in care through the pages (app.inject): coming into care under section 20, an interim
 * then a full care order, a placement move, reviews on their timescales, and returning home, all in
 * the child's one episode of help; the SSDA903 episodes derived from it; and the placement address
 * kept from the birth family in the letter, the people export and the family map.
 */

let handle: DbHandle;
let app: FastifyInstance;
let deps: Deps;
let clock: TestClock;
let world: Awaited<ReturnType<typeof makeWorld>>;
let worker: TestUser;
let colleague: TestUser;
let outsider: TestUser;

const HOME = { postcode: 'SG1 1AB', easting: 524372, northing: 224119 };
const FOSTER = { postcode: 'AL1 1AA', easting: 514600, northing: 206900 };
const KIN = { postcode: 'WD6 4AE', easting: 518656, northing: 198129 };

beforeAll(async () => {
  handle = await openTestDb();
  clock = testClock(new Date('2027-06-01T10:00:00Z'));
  deps = testDeps(handle, { clock });
  world = await makeWorld(deps);
  ({ app } = await appWithRouteTable(deps));
  worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
  colleague = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
  outsider = await world.user({ roles: ['practitioner'], teamIds: [world.teamB] });
  await deps.db
    .insertInto('postcodes')
    .values([HOME, FOSTER, KIN].map((p) => ({ ...p, lsoa21_code: 'E01000001' })))
    .onConflict((oc) => oc.column('postcode').doNothing())
    .execute();
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

const pages = staffPages(() => ({ app, deps }));

async function get(user: TestUser, url: string): Promise<LightMyRequestResponse> {
  return explained(await pages.get(user, url));
}

async function send(
  user: TestUser,
  url: string,
  form: Record<string, string>,
): Promise<LightMyRequestResponse> {
  return explained(await pages.send(user, url, form));
}

function explained(response: LightMyRequestResponse): LightMyRequestResponse {
  if (response.statusCode >= 500) throw new Error(`${response.statusCode} from the server`);
  return response;
}

function expectRedirect(response: LightMyRequestResponse, to: RegExp): void {
  expect(response.statusCode, response.body.slice(0, 600)).toBe(303);
  expect(response.headers.location).toMatch(to);
}

async function childInNeed(given: string): Promise<{ childId: string; episodeId: string }> {
  const childId = await world.child({ teamId: world.teamA, workerId: worker.id, given, family: 'Cared' });
  await deps.db
    .insertInto('person_addresses')
    .values({
      person_id: childId,
      line1: '1 Home Street',
      town: 'Stevenage',
      postcode: HOME.postcode,
      started_on: '2020-01-01',
    })
    .execute();
  const episode = await deps.db.transaction().execute((trx) =>
    openOrContinueEpisode(trx, {
      organisationId: world.organisationId,
      personId: childId,
      status: 'child_in_need',
      on: '2026-10-01',
      reason: 'Assessment found the children need help',
      actorUserId: worker.id,
      referral: { source: '2A', primaryNeed: 'N1' },
    }),
  );
  return { childId, episodeId: episode.episodeId };
}

const FOSTER_PLACEMENT = {
  placementType: 'U5',
  provider: 'PR1',
  providerName: '',
  carerName: 'Mr and Mrs Oakfoster',
  address: '12 Quiet Close, St Albans',
  postcode: 'al1 1aa',
  urn: '',
  weeklyCost: '450',
  withSiblings: 'not_applicable',
  addressHidden: 'yes',
};

const KIN_PLACEMENT = {
  placementType: 'U2',
  provider: 'PR1',
  providerName: '',
  carerName: 'Aunt Grace Hiddenly',
  address: '3 Secret Row, Borehamwood',
  postcode: KIN.postcode,
  urn: '',
  weeklyCost: '£310.50',
  withSiblings: 'all',
  addressHidden: 'yes',
};

describe('a child in care, with their family', () => {
  let childId: string;
  let episodeId: string;
  let kinPlacementId: string;

  it('refuses bad input with an error summary and keeps what was typed', async () => {
    ({ childId, episodeId } = await childInNeed('Ellie'));
    const page = await get(worker, `/children/${childId}/care`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Record coming into care');
    const form = await get(worker, `/children/${childId}/care/start`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('value="SG1 1AB"');
    const bad = await send(worker, `/children/${childId}/care/start`, {
      ...dateFields('startedOn', '2026-11-02'),
      legalStatus: '',
      categoryOfNeed: 'N1',
      homePostcode: 'NOT A POSTCODE',
      reason: 'Mum asked for help while she is in hospital.',
      ...FOSTER_PLACEMENT,
      weeklyCost: 'lots',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('govuk-error-summary');
    expect(bad.body).toContain('href="#legalStatus"');
    expect(bad.body).toContain('href="#homePostcode"');
    expect(bad.body).toContain('href="#weeklyCost"');
    expect(bad.body).toContain('value="NOT A POSTCODE"');
    expect(bad.body).toContain('Mum asked for help while she is in hospital.');
    expect(bad.body).toContain('Mr and Mrs Oakfoster');
    expect(
      await deps.db.selectFrom('care_periods').select('id').where('person_id', '=', childId).execute(),
    ).toEqual([]);
  });

  it('a child comes into care under section 20: the one episode moves to looked after, first review in 20 working days', async () => {
    const done = await send(worker, `/children/${childId}/care/start`, {
      ...dateFields('startedOn', '2026-11-02'),
      legalStatus: 'V2',
      categoryOfNeed: 'N1',
      homePostcode: 'SG1 1AB',
      reason: 'Mum asked for help while she is in hospital.',
      ...FOSTER_PLACEMENT,
    });
    expectRedirect(done, /\/care\?done=started$/);
    const episodes = await deps.db
      .selectFrom('help_episodes')
      .selectAll()
      .where('person_id', '=', childId)
      .execute();
    expect(episodes).toHaveLength(1);
    expect(episodes[0]).toMatchObject({ id: episodeId, status: 'looked_after', status_since: '2026-11-02' });
    const period = await deps.db
      .selectFrom('care_periods')
      .selectAll()
      .where('person_id', '=', childId)
      .executeTakeFirstOrThrow();
    expect(period).toMatchObject({
      started_on: '2026-11-02',
      category_of_need: 'N1',
      home_postcode: 'SG1 1AB',
      episode_id: episodeId,
    });
    const placement = await deps.db
      .selectFrom('placements')
      .selectAll()
      .where('care_period_id', '=', period.id)
      .executeTakeFirstOrThrow();
    expect(placement).toMatchObject({
      placement_type: 'U5',
      postcode: 'AL1 1AA',
      address_hidden_from_family: true,
      weekly_cost_pence: 45000,
      with_siblings: 'not_applicable',
    });
    const plan = await deps.db
      .selectFrom('plans')
      .selectAll()
      .where('id', '=', period.care_plan_id)
      .executeTakeFirstOrThrow();
    expect(plan).toMatchObject({ kind: 'care', status: 'active', next_review_on: '2026-11-30' });
    const tasks = await deps.db.selectFrom('tasks').selectAll().where('source_id', '=', plan.id).execute();
    expect(tasks.map((t) => [t.kind, t.due_on, t.completed_at])).toEqual([
      ['plan_review_due', '2026-11-30', null],
    ]);

    const page = await get(worker, `/children/${childId}/care`);
    expect(page.body).toContain('Looked after since 2 November 2026');
    expect(page.body).toContain('Review 1 by 30 November 2026');
    expect(page.body).toContain('19.8 km');
  });

  it('section 20 becomes an interim care order; the first review is recorded with the plan for returning home', async () => {
    const form = await get(worker, `/children/${childId}/care/legal-status`);
    const changed = await send(worker, `/children/${childId}/care/legal-status`, {
      ...dateFields('changedOn', '2026-11-20'),
      legalStatus: 'C1',
      version: versionOf(form.body),
    });
    expectRedirect(changed, /done=legal$/);

    const reviewForm = await get(worker, `/children/${childId}/care/reviews/new`);
    expect(reviewForm.body).toContain('This is review 1, due by 30 November 2026');
    const missing = await send(worker, `/children/${childId}/care/reviews/new`, {
      ...dateFields('reviewedOn', '2026-11-25'),
      participation: 'PN1',
      familyView: 'Mum wants Ellie home as soon as she is well.',
      childView: '',
      progressSummary: '',
      decision: 'continue',
      returnHomeConsidered: 'yes',
      returnHomeSteps: '',
      returnHomeFamilyView: '',
      version: versionOf(reviewForm.body),
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('href="#returnHomeSteps"');
    expect(missing.body).toContain('href="#returnHomeFamilyView"');
    expect(missing.body).toContain('Mum wants Ellie home as soon as she is well.');
    const saved = await send(worker, `/children/${childId}/care/reviews/new`, {
      ...dateFields('reviewedOn', '2026-11-25'),
      participation: 'PN1',
      familyView: 'Mum wants Ellie home as soon as she is well.',
      childView: 'I want to go home to Mum.',
      progressSummary: 'Settled with the foster carers.',
      decision: 'continue',
      returnHomeConsidered: 'yes',
      returnHomeSteps: 'Mum leaves hospital and the family have a support plan for mornings.',
      returnHomeFamilyView: 'Mum and Nan both want Ellie home before Easter.',
      version: versionOf(reviewForm.body),
    });
    expectRedirect(saved, /done=reviewed/);
    const review = await deps.db
      .selectFrom('care_reviews')
      .innerJoin('plan_reviews', 'plan_reviews.id', 'care_reviews.plan_review_id')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(review).toMatchObject({
      sequence: 1,
      due_on: '2026-11-30',
      participation: 'PN1',
      return_home_considered: true,
      next_review_on: '2027-02-25',
    });
    const open = await deps.db
      .selectFrom('tasks')
      .select(['due_on', 'title'])
      .where('person_id', '=', childId)
      .where('kind', '=', 'plan_review_due')
      .where('completed_at', 'is', null)
      .execute();
    expect(open).toEqual([{ due_on: '2027-02-25', title: 'Hold looked-after review 2' }]);
  });

  it('a placement move to kinship carers starts a new 903 episode (P) and the family letter never shows the hidden address', async () => {
    const form = await get(worker, `/children/${childId}/care/placements/new`);
    const moved = await send(worker, `/children/${childId}/care/placements/new`, {
      ...dateFields('movedOn', '2026-12-07'),
      changeReason: 'CARPL',
      changeNote: 'Ellie’s aunt was approved as a kinship carer. Mum agreed.',
      sameCarer: 'no',
      ...KIN_PLACEMENT,
      version: versionOf(form.body),
    });
    expectRedirect(moved, /done=moved&placement=[0-9a-f-]{36}$/);
    kinPlacementId = /placement=([0-9a-f-]{36})/.exec(moved.headers.location ?? '')?.[1] ?? '';
    const placements = await deps.db
      .selectFrom('placements')
      .select(['placement_type', 'started_on', 'ended_on', 'change_reason', 'weekly_cost_pence'])
      .orderBy('started_on')
      .execute();
    expect(placements).toEqual([
      {
        placement_type: 'U5',
        started_on: '2026-11-02',
        ended_on: '2026-12-07',
        change_reason: 'CARPL',
        weekly_cost_pence: 45000,
      },
      {
        placement_type: 'U2',
        started_on: '2026-12-07',
        ended_on: null,
        change_reason: null,
        weekly_cost_pence: 31050,
      },
    ]);

    const letter = await get(worker, `/children/${childId}/care/letters/placement-move/${kinPlacementId}`);
    expect(letter.statusCode).toBe(200);
    expect(letter.body).toContain('Ellie has moved to a new home');
    expect(letter.body).toContain('family or friends (kinship carers)');
    expect(letter.body).toContain('We are not able to share the address');
    for (const secret of ['Secret Row', 'WD6 4AE', 'WD6', 'Hiddenly', 'Quiet Close', 'AL1 1AA', 'Oakfoster'])
      expect(letter.body).not.toContain(secret);
  });

  it('a second worker saving over a change they have not seen gets the conflict page with both versions', async () => {
    const first = await get(worker, `/children/${childId}/care/legal-status`);
    const second = await get(colleague, `/children/${childId}/care/legal-status`);
    const saved = await send(worker, `/children/${childId}/care/legal-status`, {
      ...dateFields('changedOn', '2027-03-01'),
      legalStatus: 'C2',
      version: versionOf(first.body),
    });
    expectRedirect(saved, /done=legal$/);
    const clash = await send(colleague, `/children/${childId}/care/legal-status`, {
      ...dateFields('changedOn', '2027-03-02'),
      legalStatus: 'E1',
      version: versionOf(second.body),
    });
    expect(clash.statusCode).toBe(409);
    expect(clash.body).toContain('Someone else changed this record');
    expect(clash.body).toContain('Full care order');
    expect(clash.body).toContain('Placement order granted');
    const statuses = await deps.db
      .selectFrom('legal_statuses')
      .select('code')
      .orderBy('started_on')
      .execute();
    expect(statuses.map((s) => s.code)).toEqual(['V2', 'C1', 'C2']);
  });

  it('records an SDQ score, banded, and refuses one out of range', async () => {
    const bad = await send(worker, `/children/${childId}/care/health/new`, {
      kind: 'sdq',
      ...dateFields('onDate', '2027-01-15'),
      sdqScore: '41',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('href="#sdqScore"');
    expect(bad.body).toContain('value="41"');
    expectRedirect(
      await send(worker, `/children/${childId}/care/health/new`, {
        kind: 'sdq',
        ...dateFields('onDate', '2027-01-15'),
        sdqScore: '15',
      }),
      /done=health/,
    );
    const page = await get(worker, `/children/${childId}/care`);
    expect(page.body).toContain('15: Borderline (14 to 16)');
  });

  it('the people export and the family map never include a hidden placement address', async () => {
    // The child's address recorded at the kinship placement (without ticking "hidden"), and the aunt
    // who lives there, related to the child.
    await deps.db
      .updateTable('person_addresses')
      .set({ ended_on: '2026-12-07' })
      .where('person_id', '=', childId)
      .execute();
    await deps.db
      .insertInto('person_addresses')
      .values({
        person_id: childId,
        line1: '3 Secret Row',
        town: 'Borehamwood',
        postcode: KIN.postcode,
        started_on: '2026-12-07',
      })
      .execute();
    const aunt = await deps.db
      .insertInto('people')
      .values({
        organisation_id: world.organisationId,
        given_name: 'Grace',
        family_name: 'Hiddenly',
        date_of_birth: '1985-02-02',
        is_child: false,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await deps.db
      .insertInto('person_addresses')
      .values({
        person_id: aunt.id,
        line1: '3 Secret Row',
        town: 'Borehamwood',
        postcode: KIN.postcode,
        started_on: '2015-01-01',
      })
      .execute();
    await deps.db
      .insertInto('relationships')
      .values({
        person_id: childId,
        related_person_id: aunt.id,
        kind: 'aunt_or_uncle',
        in_family_network: true,
      })
      .execute();

    const csv = await get(worker, '/people/export.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain('"Ellie","Cared"');
    expect(csv.body).not.toContain('Secret Row');
    expect(csv.body).not.toContain('WD6 4AE');

    const map = await get(worker, `/children/${childId}/family-map`);
    expect(map.statusCode, map.body.slice(0, 300)).toBe(200);
    expect(map.body).toContain('Hiddenly');
    expect(map.body).not.toContain('Secret Row');
    expect(map.body).not.toContain('WD6 4AE');
    // Sharing the hidden address would put the child in a household with the aunt.
    expect(map.body).not.toContain('Household 1');
  });

  it('the child returns home: the period ends (E13), the episode carries on as child in need, the 903 shows every episode', async () => {
    const form = await get(worker, `/children/${childId}/care/end`);
    const ended = await send(worker, `/children/${childId}/care/end`, {
      ...dateFields('endedOn', '2027-05-10'),
      reasonCeased: 'E13',
      next: 'child_in_need',
      note: 'Ellie is home with Mum; family help with mornings carries on.',
      eligibility: '',
      version: versionOf(form.body),
    });
    expectRedirect(ended, /done=ended$/);
    const episode = await deps.db
      .selectFrom('help_episodes')
      .selectAll()
      .where('person_id', '=', childId)
      .execute();
    expect(episode).toHaveLength(1);
    expect(episode[0]).toMatchObject({ id: episodeId, status: 'child_in_need', status_since: '2027-05-10' });
    const period = await deps.db
      .selectFrom('care_periods')
      .selectAll()
      .where('person_id', '=', childId)
      .executeTakeFirstOrThrow();
    expect(period).toMatchObject({ ended_on: '2027-05-10', reason_ceased: 'E13' });
    const plan = await deps.db
      .selectFrom('plans')
      .selectAll()
      .where('id', '=', period.care_plan_id)
      .executeTakeFirstOrThrow();
    expect(plan).toMatchObject({ status: 'ended', ended_on: '2027-05-10' });
    const open = await deps.db
      .selectFrom('tasks')
      .select('id')
      .where('source_id', '=', plan.id)
      .where('completed_at', 'is', null)
      .execute();
    expect(open).toEqual([]);

    const page = await get(worker, `/children/${childId}/care`);
    const rows = [...page.body.matchAll(/<tr class="govuk-table__row">([\s\S]*?)<\/tr>/g)]
      .map((m) => [...(m[1] ?? '').matchAll(/<td[^>]*>\s*([\s\S]*?)\s*<\/td>/g)].map((c) => c[1]?.trim()))
      .filter((cells) => cells.length === 9);
    expect(rows).toEqual([
      ['2 November 2026', 'S', 'V2', 'U5', 'PR1', 'AL1 1AA', '19.8 km', '20 November 2026', 'X1'],
      ['20 November 2026', 'L', 'C1', 'U5', 'PR1', 'AL1 1AA', '19.8 km', '7 December 2026', 'X1'],
      ['7 December 2026', 'P', 'C1', 'U2', 'PR1', 'WD6 4AE', '26.6 km', '1 March 2027', 'X1'],
      ['1 March 2027', 'L', 'C2', 'U2', 'PR1', 'WD6 4AE', '26.6 km', '10 May 2027', 'E13'],
    ]);
  });

  it('writes the chronology and the audit trail, with no address in either', async () => {
    const chronology = await deps.db
      .selectFrom('chronology_entries')
      .select(['event', 'summary'])
      .where('person_id', '=', childId)
      .where('event', 'like', 'care.%')
      .orderBy('occurred_on')
      .orderBy('created_at')
      .execute();
    expect(chronology.map((c) => c.event)).toEqual([
      'care.started',
      'care.legal_status',
      'care.reviewed',
      'care.placement_moved',
      'care.health',
      'care.legal_status',
      'care.ended',
    ]);
    expect(chronology[3]?.summary).toBe('You moved to live with family or friends (kinship carers).');
    expect(JSON.stringify(chronology)).not.toMatch(/Secret|WD6|Hiddenly|Quiet Close|Oakfoster/);
    const audits = await deps.db
      .selectFrom('audit_log')
      .select(['action', 'detail'])
      .where('action', 'like', 'care.%')
      .orderBy('occurred_at')
      .execute();
    expect(audits.map((a) => a.action)).toEqual([
      'care.start',
      'care.legal_status',
      'care.review',
      'care.placement_move',
      'care.legal_status',
      'care.health',
      'care.end',
    ]);
    expect(JSON.stringify(audits)).not.toMatch(/Secret|WD6|Hiddenly|Ellie/);
    const views = await deps.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'person.view')
      .where('entity_id', '=', childId)
      .execute();
    expect(JSON.stringify(views)).toContain('care.letter');
  });

  it('a worker in another team cannot open the child’s care record, letter or forms (404)', async () => {
    expectGovukErrorPage(await get(outsider, `/children/${childId}/care`), 404);
    expectGovukErrorPage(
      await get(outsider, `/children/${childId}/care/letters/placement-move/${kinPlacementId}`),
      404,
    );
    expectGovukErrorPage(await get(outsider, `/children/${childId}/care/start`), 404);
    const post = await send(outsider, `/children/${childId}/care/start`, { legalStatus: 'V2' });
    expectGovukErrorPage(post, 404);
  });
});

describe('leaving care', () => {
  it('moves the episode to care leaver with a draft pathway plan; contacts at 17–21 and staying put are recorded', async () => {
    const { childId, episodeId } = await childInNeed('Jordan');
    expectRedirect(
      await send(worker, `/children/${childId}/care/start`, {
        ...dateFields('startedOn', '2026-11-02'),
        legalStatus: 'C2',
        categoryOfNeed: 'N1',
        homePostcode: '',
        reason: 'A care order was made.',
        ...FOSTER_PLACEMENT,
      }),
      /done=started/,
    );
    const form = await get(worker, `/children/${childId}/care/end`);
    const ended = await send(worker, `/children/${childId}/care/end`, {
      ...dateFields('endedOn', '2027-05-01'),
      reasonCeased: 'E17',
      next: 'care_leaver',
      eligibility: 'former_relevant',
      note: 'Jordan is 18 and staying with the carers.',
      version: versionOf(form.body),
    });
    expectRedirect(ended, /done=ended/);
    expect(
      await deps.db
        .selectFrom('help_episodes')
        .select(['id', 'status'])
        .where('person_id', '=', childId)
        .execute(),
    ).toEqual([{ id: episodeId, status: 'care_leaver' }]);
    expect(
      await deps.db
        .selectFrom('plans')
        .select(['kind', 'status'])
        .where('person_id', '=', childId)
        .where('kind', '=', 'pathway')
        .execute(),
    ).toEqual([{ kind: 'pathway', status: 'draft' }]);
    expectRedirect(
      await send(worker, `/children/${childId}/care/leaving-care/contacts/new`, {
        ...dateFields('contactedOn', '2027-05-20'),
        inTouch: 'YES',
        activity: 'F2',
        accommodation: 'Z',
        suitable: 'yes',
      }),
      /done=contact/,
    );
    const stay = await get(worker, `/children/${childId}/care/leaving-care/staying-put`);
    expectRedirect(
      await send(worker, `/children/${childId}/care/leaving-care/staying-put`, {
        ...dateFields('from', '2027-05-01'),
        'until-day': '',
        'until-month': '',
        'until-year': '',
        version: versionOf(stay.body),
      }),
      /done=stayingput/,
    );
    expect(
      await deps.db
        .selectFrom('care_leaver_contacts')
        .select(['in_touch', 'activity', 'accommodation'])
        .where('person_id', '=', childId)
        .execute(),
    ).toEqual([{ in_touch: 'YES', activity: 'F2', accommodation: 'Z1' }]);
    const page = await get(worker, `/children/${childId}/care`);
    expect(page.body).toContain('Former relevant');
    expect(page.body).toContain('With former foster carers (staying put) (suitable)');
    expect(page.body).toContain('1 May 2027 to now');
  });
});
