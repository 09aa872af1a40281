import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { loadActor } from '../../src/modules/access/access.repository.ts';
import { uploadDocument } from '../../src/modules/help/documents.ts';
import { openOrContinueEpisode } from '../../src/modules/help/episodes.ts';
import type { EpisodeStatus } from '../../src/modules/help/help.table.ts';
import { londonInstant, parseTime } from '../../src/modules/help/notes.ts';
import { parsePounds } from '../../src/modules/help/practical-help.ts';
import { openTask } from '../../src/modules/help/tasks.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { expectGovukErrorPage, signedInAs, snapshot } from '../support/app-helpers.ts';
import { openTestDb } from '../support/db.ts';
import { csrfFrom, testApp, type Browser } from '../support/web.ts';
import { makeWorld, testClock, testDeps, type TestClock, type TestUser } from '../support/world.ts';

let handle: DbHandle;
let deps: Deps;
let clock: TestClock;
let world: Awaited<ReturnType<typeof makeWorld>>;
let app: FastifyInstance;
let worker: TestUser;
let manager: TestUser;

// Thursday 17 December 2026, 3pm in London: Christmas Day (Fri 25), the substitute Boxing Day
// (Mon 28) and New Year's Day (Fri 1 January 2027) are the next three bank holidays.
const NOW = new Date('2026-12-17T15:00:00Z');

beforeAll(async () => {
  handle = await openTestDb();
  clock = testClock(NOW);
  deps = testDeps(handle, { clock });
  world = await makeWorld(deps);
  app = await testApp(deps);
  worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
  manager = await world.user({ roles: ['team_manager'], teamIds: [world.teamA] });
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

/** A child in team A (lead practitioner: the worker) with an open episode in `status`. */
async function childInHelp(status: Exclude<EpisodeStatus, 'closed'>, given = 'Robin'): Promise<string> {
  const childId = await world.child({ teamId: world.teamA, workerId: worker.id, given });
  await deps.db.transaction().execute((trx) =>
    openOrContinueEpisode(trx, {
      organisationId: world.organisationId,
      personId: childId,
      status,
      on: '2026-11-02',
      reason: 'Request for help decided',
      actorUserId: manager.id,
      ...(status === 'family_help' ? {} : { referral: { source: '3A', primaryNeed: 'N1' } }),
    }),
  );
  return childId;
}

async function episodeOf(childId: string) {
  return deps.db
    .selectFrom('help_episodes')
    .selectAll()
    .where('person_id', '=', childId)
    .where('closed_on', 'is', null)
    .executeTakeFirstOrThrow();
}

async function tokenOf(browser: Browser): Promise<string> {
  return csrfFrom((await browser.get('/')).body);
}

const VISIT = {
  'visitedOn-day': '17',
  'visitedOn-month': '12',
  'visitedOn-year': '2026',
  kind: 'home',
  statutory: 'yes',
  childSeen: 'yes',
  childSeenAlone: 'yes',
  bedroomSeen: 'yes',
  childsWords: 'I like my new bed. Mum made pancakes.',
  whatHappened: 'Saw Robin at home after school; we talked in the garden.',
};

async function countAudit(action: string, entityId: string, actorUserId?: string): Promise<number> {
  let query = deps.db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('action', '=', action)
    .where('entity_id', '=', entityId);
  if (actorUserId) query = query.where('actor_user_id', '=', actorUserId);
  return (await query.executeTakeFirstOrThrow()).n;
}

describe('visits', () => {
  it('records a visit: the visit due is done and the next is due in working days, across the bank holidays', async () => {
    const childId = await childInHelp('child_protection');
    const episode = await episodeOf(childId);
    const earlier = await openTask(deps.db, {
      organisationId: world.organisationId,
      personId: childId,
      episodeId: episode.id,
      kind: 'visit_due',
      title: 'Visit due',
      dueOn: '2026-12-18',
      assignedUserId: worker.id,
      assignedTeamId: world.teamA,
      sourceType: 'help_episode',
      sourceId: episode.id,
    });
    const browser = await signedInAs(app, deps, worker.id);
    const form = await browser.get(`/children/${childId}/visits/new`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('name="_csrf"');
    expect(form.body).toContain('10 working days after this visit');

    const saved = await browser.post(`/children/${childId}/visits`, VISIT, { csrf: await tokenOf(browser) });
    expect(saved.statusCode, saved.body.slice(0, 500)).toBe(303);
    expect(saved.headers.location).toBe(`/children/${childId}/visits`);

    const visit = await deps.db
      .selectFrom('visits')
      .selectAll()
      .where('person_id', '=', childId)
      .executeTakeFirstOrThrow();
    // 10 working days after Thu 17 Dec 2026: 18, 21, 22, 23, 24 Dec, (25 and 28 Dec are bank
    // holidays) 29, 30, 31 Dec, (1 Jan is a bank holiday) 4 and 5 Jan 2027.
    expect(visit).toMatchObject({
      visited_on: '2026-12-17',
      kind: 'home',
      statutory: true,
      child_seen: true,
      child_seen_alone: true,
      bedroom_seen: true,
      childs_words: VISIT.childsWords,
      next_visit_due_on: '2027-01-05',
      recorded_by: worker.id,
      episode_id: episode.id,
    });

    const done = await deps.db
      .selectFrom('tasks')
      .selectAll()
      .where('id', '=', earlier)
      .executeTakeFirstOrThrow();
    expect(done.completed_at).not.toBeNull();
    expect(done.completed_by).toBe(worker.id);
    const open = await deps.db
      .selectFrom('tasks')
      .selectAll()
      .where('episode_id', '=', episode.id)
      .where('kind', '=', 'visit_due')
      .where('completed_at', 'is', null)
      .execute();
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({
      due_on: '2027-01-05',
      assigned_user_id: worker.id,
      assigned_team_id: world.teamA,
      source_type: 'visit',
      source_id: visit.id,
      person_id: childId,
    });

    const entry = await deps.db
      .selectFrom('chronology_entries')
      .selectAll()
      .where('source_type', '=', 'visit')
      .where('source_id', '=', visit.id)
      .executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ kind: 'automatic', event: 'visit.recorded', occurred_on: '2026-12-17' });
    expect(entry.summary).toMatch(/^You were seen at home/);
    expect(await countAudit('visit.record', visit.id, worker.id)).toBe(1);

    const list = await browser.get(`/children/${childId}/visits`);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Next visit due: <strong>5 January 2027</strong>');
    expect(list.body).toContain('I like my new bed. Mum made pancakes.');
  });

  it('uses the child in need interval (20 working days) and a date the practitioner gives', async () => {
    const childId = await childInHelp('child_in_need');
    const browser = await signedInAs(app, deps, worker.id);
    const token = await tokenOf(browser);
    const first = await browser.post(
      `/children/${childId}/visits`,
      { ...VISIT, 'visitedOn-day': '1', childSeen: 'no', childSeenAlone: '', bedroomSeen: '' },
      { csrf: token },
    );
    expect(first.statusCode).toBe(303);
    // 20 working days after Tue 1 Dec 2026, with 25 and 28 Dec off: Thu 31 Dec 2026.
    const rows = async () =>
      deps.db
        .selectFrom('visits')
        .select(['visited_on', 'next_visit_due_on', 'child_seen', 'child_seen_alone', 'id'])
        .where('person_id', '=', childId)
        .orderBy('visited_on')
        .execute();
    expect((await rows())[0]).toMatchObject({
      next_visit_due_on: '2026-12-31',
      child_seen: false,
      child_seen_alone: false,
    });
    const notSeen = await deps.db
      .selectFrom('chronology_entries')
      .select('summary')
      .where('source_id', '=', (await rows())[0]?.id ?? '')
      .executeTakeFirstOrThrow();
    expect(notSeen.summary).toMatch(/^Visit: child not seen/);

    const second = await browser.post(
      `/children/${childId}/visits`,
      { ...VISIT, 'nextVisitDue-day': '8', 'nextVisitDue-month': '1', 'nextVisitDue-year': '2027' },
      { csrf: token },
    );
    expect(second.statusCode).toBe(303);
    const tasks = await deps.db
      .selectFrom('tasks')
      .select(['due_on', 'completed_at'])
      .where('person_id', '=', childId)
      .where('kind', '=', 'visit_due')
      .orderBy('created_at')
      .execute();
    expect(tasks.filter((t) => t.completed_at === null).map((t) => t.due_on)).toEqual(['2027-01-08']);
  });

  it('refuses "seen alone" when the child was not seen, with the field error, keeping what was typed', async () => {
    const childId = await childInHelp('child_in_need');
    const browser = await signedInAs(app, deps, worker.id);
    const response = await browser.post(
      `/children/${childId}/visits`,
      { ...VISIT, childSeen: 'no', childSeenAlone: 'yes', 'visitedOn-day': '18' },
      { csrf: await tokenOf(browser) },
    );
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('There is a problem');
    expect(response.body).toContain('href="#childSeenAlone"');
    expect(response.body).toContain('The child can only have been seen alone if they were seen');
    expect(response.body).toMatch(/id="childSeenAlone-error"/);
    // The date in the future is refused too, and linked to its first part.
    expect(response.body).toContain('href="#visitedOn-day"');
    expect(response.body).toContain('Date of the visit must be today or in the past');
    // What was typed is kept.
    expect(response.body).toContain(VISIT.whatHappened);
    expect(response.body).toContain(VISIT.childsWords);
    const visits = await deps.db.selectFrom('visits').select('id').where('person_id', '=', childId).execute();
    expect(visits).toHaveLength(0);
    // The database refuses it too.
    const episode = await episodeOf(childId);
    await expect(
      deps.db
        .insertInto('visits')
        .values({
          episode_id: episode.id,
          person_id: childId,
          visited_on: '2026-12-01',
          kind: 'home',
          child_seen: false,
          child_seen_alone: true,
          what_happened: 'x',
        })
        .execute(),
    ).rejects.toThrow();
  });

  it('corrects a visit with optimistic concurrency: the second saver sees both versions', async () => {
    const childId = await childInHelp('child_in_need');
    const browser = await signedInAs(app, deps, worker.id);
    const token = await tokenOf(browser);
    expect((await browser.post(`/children/${childId}/visits`, VISIT, { csrf: token })).statusCode).toBe(303);
    const visit = await deps.db
      .selectFrom('visits')
      .selectAll()
      .where('person_id', '=', childId)
      .executeTakeFirstOrThrow();
    const edit = await browser.get(`/children/${childId}/visits/${visit.id}/edit`);
    expect(edit.statusCode).toBe(200);
    expect(edit.body).toContain('name="version" value="1"');
    const form = { ...VISIT, version: '1' };
    const first = await browser.post(
      `/children/${childId}/visits/${visit.id}/edit`,
      {
        ...form,
        whatHappened: 'Corrected by the first saver',
        'nextVisitDue-day': '12',
        'nextVisitDue-month': '1',
        'nextVisitDue-year': '2027',
      },
      { csrf: token },
    );
    expect(first.statusCode).toBe(303);
    const task = await deps.db
      .selectFrom('tasks')
      .select('due_on')
      .where('source_id', '=', visit.id)
      .where('completed_at', 'is', null)
      .executeTakeFirstOrThrow();
    expect(task.due_on).toBe('2027-01-12');
    const second = await browser.post(
      `/children/${childId}/visits/${visit.id}/edit`,
      { ...form, whatHappened: 'Corrected by the second saver' },
      { csrf: token },
    );
    expect(second.statusCode).toBe(409);
    expect(second.body).toContain('Corrected by the first saver');
    expect(second.body).toContain('Corrected by the second saver');
    const after = await deps.db
      .selectFrom('visits')
      .selectAll()
      .where('id', '=', visit.id)
      .executeTakeFirstOrThrow();
    expect(after.what_happened).toBe('Corrected by the first saver');
    expect(after.version).toBe(2);
  });

  it('says so, and saves nothing, when the child has no open episode of help', async () => {
    const childId = await world.child({ teamId: world.teamA, workerId: worker.id });
    const browser = await signedInAs(app, deps, worker.id);
    const page = await browser.get(`/children/${childId}/visits/new`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('There is no open help for this child');
    const posted = await browser.post(`/children/${childId}/visits`, VISIT, { csrf: await tokenOf(browser) });
    expect(posted.statusCode).toBe(409);
    expect(posted.body).toContain('There is no open help for this child');
    expect(
      await deps.db.selectFrom('visits').select('id').where('person_id', '=', childId).execute(),
    ).toHaveLength(0);
  });
});

const NOTE = {
  kind: 'phone_call',
  'occurredOn-day': '16',
  'occurredOn-month': '12',
  'occurredOn-year': '2026',
  occurredTime: '2:30pm',
  title: 'Call with the school nurse',
  body: 'The nurse says Robin has been eating breakfast at school club every day.',
};

describe('notes', () => {
  it('writes a note at a London time, and only managers may write management oversight', async () => {
    const childId = await childInHelp('family_help');
    const browser = await signedInAs(app, deps, worker.id);
    const token = await tokenOf(browser);
    const form = await browser.get(`/children/${childId}/notes/new`);
    expect(form.statusCode).toBe(200);
    expect(form.body).not.toContain('value="management_oversight"');
    expect((await browser.post(`/children/${childId}/notes`, NOTE, { csrf: token })).statusCode).toBe(303);
    const note = await deps.db
      .selectFrom('practice_notes')
      .selectAll()
      .where('person_id', '=', childId)
      .executeTakeFirstOrThrow();
    expect(new Date(note.occurred_at).toISOString()).toBe('2026-12-16T14:30:00.000Z');
    expect(note.version).toBe(1);
    // Not in the chronology unless chosen.
    expect(
      await deps.db.selectFrom('chronology_entries').select('id').where('source_id', '=', note.id).execute(),
    ).toHaveLength(0);

    const refused = await browser.post(
      `/children/${childId}/notes`,
      { ...NOTE, kind: 'management_oversight', title: 'Oversight by a practitioner' },
      { csrf: token },
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('href="#kind"');
    expect(refused.body).toContain('Only a manager can record management oversight');

    const boss = await signedInAs(app, deps, manager.id);
    expect((await boss.get(`/children/${childId}/notes/new`)).body).toContain('value="management_oversight"');
    const oversight = await boss.post(
      `/children/${childId}/notes`,
      { ...NOTE, kind: 'management_oversight', title: 'Supervision: plan is working' },
      { csrf: await tokenOf(boss) },
    );
    expect(oversight.statusCode).toBe(303);
    const saved = await deps.db
      .selectFrom('practice_notes')
      .select(['id', 'kind'])
      .where('person_id', '=', childId)
      .where('kind', '=', 'management_oversight')
      .executeTakeFirstOrThrow();
    // A practitioner may read it but not change it.
    const list = await browser.get(`/children/${childId}/notes`);
    expect(list.body).toContain('Supervision: plan is working');
    expect(list.body).not.toContain(`/notes/${saved.id}/edit`);
    expect((await browser.get(`/children/${childId}/notes/${saved.id}/edit`)).statusCode).toBe(403);
  });

  it('shows the conflict page with both versions when two people change the same note', async () => {
    const childId = await childInHelp('child_in_need');
    const first = await signedInAs(app, deps, worker.id);
    const second = await signedInAs(app, deps, manager.id);
    expect(
      (await first.post(`/children/${childId}/notes`, NOTE, { csrf: await tokenOf(first) })).statusCode,
    ).toBe(303);
    const note = await deps.db
      .selectFrom('practice_notes')
      .selectAll()
      .where('person_id', '=', childId)
      .executeTakeFirstOrThrow();
    const editUrl = `/children/${childId}/notes/${note.id}/edit`;
    const formA = await first.get(editUrl);
    const formB = await second.get(editUrl);
    for (const page of [formA, formB]) {
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('name="version" value="1"');
      expect(page.body).toContain('value="14:30"');
    }
    const savedA = await first.post(
      editUrl,
      { ...NOTE, version: '1', title: 'Call with the school nurse (first)' },
      { csrf: csrfFrom(formA.body) },
    );
    expect(savedA.statusCode).toBe(303);
    const savedB = await second.post(
      editUrl,
      { ...NOTE, version: '1', title: 'Call with the school nurse (second)', body: 'A different account' },
      { csrf: csrfFrom(formB.body) },
    );
    expectGovukErrorPage(savedB, 409, 'Someone else changed this record');
    expect(savedB.body).toContain('data-testid="conflict-versions"');
    expect(savedB.body).toContain('Call with the school nurse (first)');
    expect(savedB.body).toContain('Call with the school nurse (second)');
    expect(savedB.body).toContain('A different account');
    expect(savedB.body).toContain(`href="${editUrl}"`);
    const after = await deps.db
      .selectFrom('practice_notes')
      .selectAll()
      .where('id', '=', note.id)
      .executeTakeFirstOrThrow();
    expect(after.title).toBe('Call with the school nurse (first)');
    expect(after.body).toBe(NOTE.body);
    expect(after.version).toBe(2);
  });

  it('reads the times people type, in London time', () => {
    expect(parseTime('14:30')).toEqual({ hour: 14, minute: 30 });
    expect(parseTime('2:30pm')).toEqual({ hour: 14, minute: 30 });
    expect(parseTime('12am')).toEqual({ hour: 0, minute: 0 });
    expect(parseTime('12.05pm')).toEqual({ hour: 12, minute: 5 });
    expect(parseTime('midday')).toEqual({ hour: 12, minute: 0 });
    for (const bad of ['25:00', '13pm', '2:75', 'soon', '14']) expect(parseTime(bad)).toBeUndefined();
    expect(londonInstant('2026-07-01', 9, 0).toISOString()).toBe('2026-07-01T08:00:00.000Z');
    expect(londonInstant('2026-12-01', 9, 0).toISOString()).toBe('2026-12-01T09:00:00.000Z');
  });
});

describe('the chronology', () => {
  it('shows automatic and practitioners’ entries newest first, filters by kind, and audits each view', async () => {
    const childId = await childInHelp('child_in_need', 'Sky');
    const browser = await signedInAs(app, deps, worker.id);
    const token = await tokenOf(browser);
    expect(
      (
        await browser.post(
          `/children/${childId}/visits`,
          { ...VISIT, 'visitedOn-day': '10' },
          { csrf: token },
        )
      ).statusCode,
    ).toBe(303);
    const curated = await browser.post(
      `/children/${childId}/chronology`,
      {
        'occurredOn-day': '1',
        'occurredOn-month': '12',
        'occurredOn-year': '2026',
        summary: 'Sky started at Oak Lane School.',
      },
      { csrf: token },
    );
    expect(curated.statusCode).toBe(303);
    expect(curated.headers.location).toBe(`/children/${childId}/chronology`);
    expect(
      (
        await browser.post(
          `/children/${childId}/notes`,
          { ...NOTE, 'occurredOn-day': '5', title: 'Grandmother moved in', addToChronology: 'yes' },
          { csrf: token },
        )
      ).statusCode,
    ).toBe(303);
    expect(
      (
        await browser.post(
          `/children/${childId}/notes`,
          { ...NOTE, title: 'A routine call' },
          { csrf: token },
        )
      ).statusCode,
    ).toBe(303);

    const before = await countAudit('person.view', childId, worker.id);
    const page = await browser.get(`/children/${childId}/chronology`);
    expect(page.statusCode).toBe(200);
    expect(await countAudit('person.view', childId, worker.id)).toBe(before + 1);
    const audit = await deps.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'person.view')
      .where('entity_id', '=', childId)
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(audit.detail)).toContain('chronology');

    const order = [
      'You were seen at home', // 10 December (automatic)
      'Phone call: Grandmother moved in', // 5 December (a note added to the chronology)
      'Sky started at Oak Lane School.', // 1 December (added by a practitioner)
      'Help started: child in need', // 2 November (automatic)
    ].map((text) => page.body.indexOf(text));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(page.body).not.toContain('A routine call');
    expect(page.body).toContain('Added by a practitioner');

    const curatedOnly = await browser.get(`/children/${childId}/chronology?show=curated`);
    expect(curatedOnly.body).toContain('Sky started at Oak Lane School.');
    expect(curatedOnly.body).toContain('Grandmother moved in');
    expect(curatedOnly.body).not.toContain('You were seen at home');
    expect(curatedOnly.body).toMatch(/value="curated" checked/);
    const automaticOnly = await browser.get(`/children/${childId}/chronology?show=automatic`);
    expect(automaticOnly.body).toContain('You were seen at home');
    expect(automaticOnly.body).not.toContain('Sky started at Oak Lane School.');
    expect(await countAudit('person.view', childId, worker.id)).toBe(before + 3);
  });

  it('re-shows the add form with errors and what was typed', async () => {
    const childId = await childInHelp('family_help');
    const browser = await signedInAs(app, deps, worker.id);
    const response = await browser.post(
      `/children/${childId}/chronology`,
      { 'occurredOn-day': '1', 'occurredOn-month': '', 'occurredOn-year': '2026', summary: 'Kept words' },
      { csrf: await tokenOf(browser) },
    );
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('href="#occurredOn-month"');
    expect(response.body).toContain('Date must include a month');
    expect(response.body).toContain('Kept words');
    const future = await browser.post(
      `/children/${childId}/chronology`,
      { 'occurredOn-day': '1', 'occurredOn-month': '1', 'occurredOn-year': '2027', summary: '' },
      { csrf: await tokenOf(browser) },
    );
    expect(future.statusCode).toBe(400);
    expect(future.body).toContain('href="#summary"');
  });
});

describe('practical help', () => {
  it('reads money as people type it', () => {
    expect(parsePounds('£30.50')).toBe(3050);
    expect(parsePounds('30.5')).toBe(3050);
    expect(parsePounds(' £ 1,250 ')).toBe(125000);
    expect(parsePounds('.99')).toBe(99);
    expect(parsePounds('12')).toBe(1200);
    for (const bad of ['', '£', '30.505', '-5', 'thirty', '1,25', '£30.50p', '3e2']) {
      expect(parsePounds(bad), bad).toBeUndefined();
    }
  });

  it('records help in pence and shows totals per kind', async () => {
    const childId = await childInHelp('family_help');
    const browser = await signedInAs(app, deps, worker.id);
    const token = await tokenOf(browser);
    const date = { 'givenOn-day': '14', 'givenOn-month': '12', 'givenOn-year': '2026' };
    for (const [kind, amount, description] of [
      ['food', '£30.50', 'Supermarket vouchers'],
      ['food', '12', 'Food bank parcel delivered'],
      ['fuel', '40.00', 'Prepayment meter top-up'],
      ['debt_advice', '', 'Referral to the money advice service'],
    ] as const) {
      const response = await browser.post(
        `/children/${childId}/practical-help`,
        { ...date, kind, amount, description },
        { csrf: token },
      );
      expect(response.statusCode, response.body.slice(0, 300)).toBe(303);
    }
    const rows = await deps.db
      .selectFrom('practical_help')
      .select(['kind', 'amount_pence'])
      .where('person_id', '=', childId)
      .orderBy('created_at')
      .execute();
    expect(rows.map((r) => r.amount_pence).sort()).toEqual([1200, 3050, 4000, null].sort());

    const page = await browser.get(`/children/${childId}/practical-help`);
    expect(page.statusCode).toBe(200);
    const totals = /data-testid="practical-help-totals"[\s\S]*?<\/table>/.exec(page.body)?.[0] ?? '';
    const squash = totals.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(squash).toContain('Food or food vouchers 2 £42.50');
    expect(squash).toContain('Fuel (gas, electricity, heating) 1 £40.00');
    expect(squash).toContain('Debt advice 1 £0.00');
    expect(squash).toContain('Total 4 £82.50');

    const chronology = await deps.db
      .selectFrom('chronology_entries')
      .select('summary')
      .where('person_id', '=', childId)
      .where('event', '=', 'practical_help.given')
      .execute();
    expect(chronology.map((c) => c.summary)).toContain(
      'Practical help: food or food vouchers, £30.50. Supermarket vouchers',
    );
    const recorded = await deps.db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('action', '=', 'practical_help.record')
      .where('actor_user_id', '=', worker.id)
      .executeTakeFirstOrThrow();
    expect(recorded.n).toBe(4);

    const bad = await browser.post(
      `/children/${childId}/practical-help`,
      { ...date, kind: 'cash', amount: '£30.505', description: 'Emergency grant' },
      { csrf: token },
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('href="#amount"');
    expect(bad.body).toContain('Enter the amount in pounds and pence, like £30.50');
    expect(bad.body).toContain('value="£30.505"');
    expect(bad.body).toContain('Emergency grant');
  });
});

describe('record scope', () => {
  it('gives a worker in another team "not found" on every page and form, including the document download', async () => {
    const childId = await childInHelp('child_in_need', 'Alex');
    const browser = await signedInAs(app, deps, worker.id);
    const token = await tokenOf(browser);
    expect((await browser.post(`/children/${childId}/visits`, VISIT, { csrf: token })).statusCode).toBe(303);
    expect((await browser.post(`/children/${childId}/notes`, NOTE, { csrf: token })).statusCode).toBe(303);
    const visit = await deps.db
      .selectFrom('visits')
      .select('id')
      .where('person_id', '=', childId)
      .executeTakeFirstOrThrow();
    const note = await deps.db
      .selectFrom('practice_notes')
      .select('id')
      .where('person_id', '=', childId)
      .executeTakeFirstOrThrow();
    const actor = await loadActor(deps.db, worker.id);
    if (!actor) throw new Error('no actor');
    const docId = await uploadDocument(deps, actor, {
      personId: childId,
      title: 'School report',
      file: { filename: 'report.txt', bytes: new TextEncoder().encode('Doing well in maths.') },
    });

    const outsider = await world.user({ roles: ['practitioner'], teamIds: [world.teamB] });
    const other = await signedInAs(app, deps, outsider.id);
    const otherToken = await tokenOf(other);
    const base = `/children/${childId}`;
    const before = await snapshot(handle);
    for (const url of [
      `${base}/visits`,
      `${base}/visits/new`,
      `${base}/visits/${visit.id}/edit`,
      `${base}/notes`,
      `${base}/notes/new`,
      `${base}/notes/${note.id}/edit`,
      `${base}/chronology`,
      `${base}/chronology?show=curated`,
      `${base}/documents`,
      `${base}/documents/${docId}`,
      `${base}/practical-help`,
    ]) {
      expectGovukErrorPage(await other.get(url), 404, 'Page not found');
    }
    const posts: [string, Record<string, string>][] = [
      [`${base}/visits`, VISIT],
      [`${base}/visits/${visit.id}/edit`, { ...VISIT, version: '1' }],
      [`${base}/notes`, NOTE],
      [`${base}/notes/${note.id}/edit`, { ...NOTE, version: '1' }],
      [
        `${base}/chronology`,
        { 'occurredOn-day': '1', 'occurredOn-month': '12', 'occurredOn-year': '2026', summary: 'x' },
      ],
      [
        `${base}/practical-help`,
        {
          'givenOn-day': '1',
          'givenOn-month': '12',
          'givenOn-year': '2026',
          kind: 'food',
          amount: '5',
          description: 'x',
        },
      ],
      [`${base}/documents`, { title: 'x' }],
    ];
    for (const [url, form] of posts) {
      expectGovukErrorPage(await other.post(url, form, { csrf: otherToken }), 404, 'Page not found');
    }
    const after = await snapshot(handle);
    for (const table of Object.keys(before)) {
      if (table === 'sessions' || table === 'audit_log') continue;
      expect(after[table], table).toBe(before[table]);
    }
    expect(await countAudit('person.view', childId, outsider.id)).toBe(0);
    expect(await countAudit('document.download', docId, outsider.id)).toBe(0);

    // The worker in the child's team can download it.
    const download = await browser.get(`${base}/documents/${docId}`);
    expect(download.statusCode).toBe(200);
    expect(download.body).toBe('Doing well in maths.');
  });
});
