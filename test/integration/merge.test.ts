import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { loadActor } from '../../src/modules/access/access.repository.ts';
import type { Actor } from '../../src/modules/access/actor.ts';
import { markNotDuplicates } from '../../src/modules/people/duplicates.ts';
import {
  LEFT_WITH_MERGED_RECORD,
  MergeBlockedError,
  UndoBlockedError,
  mergePeople,
  personReferences,
  resolveMerged,
  undoMerge,
  type Moved,
  type PersonReference,
} from '../../src/modules/people/merge.ts';
import { nhsCheckDigit } from '../../src/modules/people/identifiers.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { ConflictError } from '../../src/platform/errors.ts';
import { expectGovukErrorPage, signedInAs, snapshot } from '../support/app-helpers.ts';
import { openTestDb, rawSql } from '../support/db.ts';
import { fillHelpRecords } from '../support/help-records.ts';
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

async function actorFor(roles: string[], teamIds: string[] = []): Promise<Actor> {
  const user = await world.user({ roles, teamIds });
  const actor = await loadActor(deps.db, user.id);
  if (!actor) throw new Error('no actor');
  return actor;
}

/** A fresh NHS number each call (test range 999…, valid check digit): the unique index allows one live record per number. */
let nhsCounter = 0;
function nhs(): string {
  for (;;) {
    nhsCounter += 1;
    const nine = `999${String(nhsCounter).padStart(6, '0')}`;
    const check = nhsCheckDigit(nine);
    if (check !== undefined) return `${nine}${check}`;
  }
}

async function person(values: {
  given?: string;
  family?: string;
  dob?: string | null;
  nhs?: string | null;
  teamId?: string;
  id?: string;
  organisationId?: string;
}): Promise<string> {
  const row = await deps.db
    .insertInto('people')
    .values({
      ...(values.id ? { id: values.id } : {}),
      organisation_id: values.organisationId ?? world.organisationId,
      given_name: values.given ?? 'Alexandra',
      family_name: values.family ?? 'Oduya',
      date_of_birth: values.dob === undefined ? '2013-05-05' : values.dob,
      nhs_number: values.nhs ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (values.teamId)
    await deps.db
      .insertInto('allocations')
      .values({ person_id: row.id, team_id: values.teamId, worker_user_id: null })
      .execute();
  return row.id;
}

async function version(id: string): Promise<number> {
  const row = await deps.db
    .selectFrom('people')
    .select('version')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return row.version;
}

async function merge(actor: Actor, keepId: string, mergeId: string): Promise<string> {
  const result = await mergePeople(deps, actor, {
    keepId,
    mergeId,
    expectedVersions: { keep: await version(keepId), merge: await version(mergeId) },
    requestId: 'test',
  });
  return result.mergeId;
}

async function restrict(
  personId: string,
  category: 'high_profile' | 'adoption' | 'staff',
  listed: string[],
): Promise<void> {
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

/** Everything except the two tables a merge and its undo are meant to leave a trace in. */
async function state(): Promise<Record<string, string>> {
  const all = await snapshot(handle);
  delete all['audit_log'];
  delete all['person_merges'];
  return all;
}

function expectSameState(before: Record<string, string>, after: Record<string, string>): void {
  expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
  for (const table of Object.keys(before)) expect(after[table], `table ${table} differs`).toBe(before[table]);
}

function isLeftAlone(reference: PersonReference): boolean {
  return LEFT_WITH_MERGED_RECORD.some(
    (e) => e.table === reference.table && (e.column === undefined || e.column === reference.column),
  );
}

/** The keys (as merge.ts records them) of rows whose column points at the person. */
async function keysPointingAt(reference: PersonReference, personId: string): Promise<string[]> {
  const columns = sql.join(
    reference.primaryKey.map((c, i) => sql`${sql.ref(c)}::text AS ${sql.id(`k${i}`)}`),
  );
  const rows = await sql<Record<string, string>>`
    SELECT ${columns} FROM ${sql.id(reference.table)} WHERE ${sql.ref(reference.column)} = ${personId}`.execute(
    deps.db,
  );
  return rows.rows
    .map((row) =>
      reference.primaryKey.length === 1
        ? String(row['k0'])
        : JSON.stringify(reference.primaryKey.map((_, i) => String(row[`k${i}`]))),
    )
    .sort();
}

/** A key from keysPointingAt as it reads once the row is moved to `keepId`. */
function keyAfterMove(reference: PersonReference, key: string, keepId: string): string {
  const at = reference.primaryKey.indexOf(reference.column);
  if (at < 0) return key;
  if (reference.primaryKey.length === 1) return keepId;
  const values = JSON.parse(key) as string[];
  values[at] = keepId;
  return JSON.stringify(values);
}

async function movedOf(mergeId: string): Promise<Moved> {
  const row = await deps.db
    .selectFrom('person_merges')
    .select('moved')
    .where('id', '=', mergeId)
    .executeTakeFirstOrThrow();
  return (typeof row.moved === 'string' ? JSON.parse(row.moved) : row.moved) as Moved;
}

describe('a merge, over every table that references a person', () => {
  it('moves every row pointing at the merged record, records exactly what moved, and undo leaves the database exactly as before', async () => {
    const NHS_1 = nhs();
    const admin = await actorFor(['administrator']);
    const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const keep = await person({ given: 'Alexandra', family: 'Oduya', teamId: world.teamA });
    const merged = await person({ given: 'Alex', family: 'Oduya', teamId: world.teamA, nhs: NHS_1 });
    const sibling = await person({ given: 'Sibling', family: 'Oduya', dob: '2016-01-01' });
    // Lowest and highest possible ids, so decisions name the merged record in both columns.
    const lowest = await person({
      id: '00000000-0000-4000-8000-000000000001',
      given: 'Lowest',
      family: 'Id',
      dob: '2001-01-01',
    });
    const highest = await person({
      id: 'ffffffff-ffff-4fff-bfff-fffffffffffe',
      given: 'Highest',
      family: 'Id',
      dob: '2001-01-01',
    });

    // Rows the later fillers point at: the help record's episode, and the family's portal accounts.
    let helpEpisode = '';
    let youngPersonAccount = '';
    let parentAccount = '';
    const helpRecord = async () => {
      const plan = await deps.db
        .selectFrom('plans')
        .select('id')
        .where('episode_id', '=', helpEpisode)
        .where('kind', '=', 'child_protection')
        .executeTakeFirstOrThrow();
      const goal = await deps.db
        .selectFrom('plan_goals')
        .select('id')
        .where('plan_id', '=', plan.id)
        .executeTakeFirstOrThrow();
      const document = await deps.db
        .selectFrom('documents')
        .select('id')
        .where('episode_id', '=', helpEpisode)
        .executeTakeFirstOrThrow();
      const conference = await deps.db
        .selectFrom('conferences')
        .select('id')
        .where('episode_id', '=', helpEpisode)
        .executeTakeFirstOrThrow();
      return { planId: plan.id, goalId: goal.id, documentId: document.id, conferenceId: conference.id };
    };

    /**
     * How to put a row pointing at the merged record into each table. A table added later that this
     * list does not know fails the test below, by name: add a filler for it here.
     */
    const fillers: Record<string, () => Promise<void>> = {
      // An earlier merge into the merged record (people.merged_into, person_merges.kept_person_id), and
      // an earlier merge of it into another record, since undone (person_merges.merged_person_id).
      people: async () => {
        const older = await person({ given: 'Alex', family: 'Oduya' });
        await deps.db
          .insertInto('person_addresses')
          .values({ person_id: older, line1: '1 Old Road', postcode: 'AL1 1AA', started_on: '2015-01-01' })
          .execute();
        await merge(admin, merged, older);
        const elsewhere = await person({ given: 'Alexandria', family: 'Oduya' });
        const mergeId = await merge(admin, elsewhere, merged);
        await undoMerge(deps, admin, mergeId, 'test');
      },
      person_merges: async () => undefined, // filled with people, above
      allocations: async () => {
        await deps.db
          .insertInto('allocations')
          .values({
            person_id: merged,
            team_id: world.teamA,
            worker_user_id: worker.id,
            started_at: '2024-01-01T00:00:00Z',
            ended_at: '2025-01-01T00:00:00Z',
          })
          .execute();
      },
      break_glass_grants: async () => {
        await deps.db
          .insertInto('break_glass_grants')
          .values({
            user_id: worker.id,
            person_id: merged,
            reason_code: 'other',
            reason: 'A reason long enough',
            granted_at: clock.now(),
            expires_at: clock.now(),
          })
          .execute();
      },
      person_names: async () => {
        await deps.db
          .insertInto('person_names')
          .values({
            person_id: merged,
            kind: 'birth',
            given_name: 'Alexandra',
            family_name: 'Mensah',
            used_until: '2014-01-01',
          })
          .execute();
      },
      person_addresses: async () => {
        await deps.db
          .insertInto('person_addresses')
          .values({ person_id: merged, line1: '2 New Street', postcode: 'AL1 2BB', started_on: '2020-01-01' })
          .execute();
      },
      relationships: async () => {
        await deps.db
          .insertInto('relationships')
          .values([
            {
              person_id: merged,
              related_person_id: sibling,
              kind: 'sibling',
              network_note: null,
              started_on: null,
              ended_on: null,
            },
            {
              person_id: sibling,
              related_person_id: merged,
              kind: 'sibling',
              network_note: null,
              started_on: null,
              ended_on: null,
            },
          ])
          .execute();
      },
      professionals_involved: async () => {
        await deps.db
          .insertInto('professionals_involved')
          .values({
            person_id: merged,
            role: 'GP',
            name: 'Dr Test',
            organisation: null,
            phone: null,
            email: null,
            started_on: null,
            ended_on: null,
          })
          .execute();
      },
      person_restrictions: async () => {
        await restrict(keep, 'high_profile', [admin.userId]);
        await restrict(merged, 'high_profile', [admin.userId]);
      },
      // Every table of the help record, in one go (an episode of help with one row of each kind).
      help_episodes: async () => {
        helpEpisode = await fillHelpRecords(deps.db, {
          organisationId: world.organisationId,
          personId: merged,
          teamId: world.teamA,
          userId: admin.userId,
          carerPersonId: merged,
        });
      },
      help_requests: async () => undefined, // filled with help_episodes, above
      assessments: async () => undefined, // filled with help_episodes, above
      plans: async () => undefined, // filled with help_episodes, above
      visits: async () => undefined, // filled with help_episodes, above
      practice_notes: async () => undefined, // filled with help_episodes, above
      chronology_entries: async () => undefined, // filled with help_episodes, above
      documents: async () => undefined, // filled with help_episodes, above
      tasks: async () => undefined, // filled with help_episodes, above
      practical_help: async () => undefined, // filled with help_episodes, above
      strategy_discussions: async () => undefined, // filled with help_episodes, above
      section47_enquiries: async () => undefined, // filled with help_episodes, above
      conferences: async () => undefined, // filled with help_episodes, above
      pre_proceedings: async () => undefined, // filled with help_episodes, above
      care_periods: async () => undefined, // filled with help_episodes, above
      placements: async () => undefined, // filled with help_episodes, above
      missing_episodes: async () => undefined, // filled with help_episodes, above
      health_checks: async () => undefined, // filled with help_episodes, above
      permanence_decisions: async () => undefined, // filled with help_episodes, above
      care_leavers: async () => undefined, // filled with help_episodes, above
      personal_education_plans: async () => undefined, // filled with help_episodes, above
      care_leaver_contacts: async () => undefined, // filled with help_episodes, above
      liberty_orders: async () => undefined, // filled with help_episodes, above
      // A problem found when checking a return, linked to the child's record.
      return_run_issues: async () => {
        const run = await deps.db
          .insertInto('return_runs')
          .values({
            organisation_id: admin.organisationId,
            kind: 'validate_cin',
            year: 2026,
            started_by: admin.userId,
            status: 'done',
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await deps.db
          .insertInto('return_run_issues')
          .values({
            run_id: run.id,
            position: 0,
            rule: '4220',
            severity: 'error',
            child: 'C1',
            person_id: merged,
            return_table: 'ChildCharacteristics',
            fields: 'Ethnicity',
            file: 'census.xml',
            row_number: 3,
            description: 'Ethnicity is missing or invalid',
          })
          .execute();
      },
      person_not_duplicates: async () => {
        await deps.db
          .insertInto('person_not_duplicates')
          .values([
            { person_a: lowest, person_b: merged, decided_by: admin.userId, decided_at: clock.now() },
            { person_a: merged, person_b: highest, decided_by: admin.userId, decided_at: clock.now() },
          ])
          .execute();
      },
      // The family portal: the young person's own account (it follows their record), and their
      // mother's account, which sees some sections of the young person's record.
      family_accounts: async () => {
        const young = await deps.db
          .insertInto('family_accounts')
          .values({
            organisation_id: world.organisationId,
            person_id: merged,
            kind: 'young_person',
            email: 'alex.portal@example.com',
            invited_by: admin.userId,
            competence_judgement: 'Understands what the record holds and how to keep it private',
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        youngPersonAccount = young.id;
        const mother = await person({ given: 'Grace', family: 'Oduya', dob: '1985-02-03' });
        const parent = await deps.db
          .insertInto('family_accounts')
          .values({
            organisation_id: world.organisationId,
            person_id: mother,
            kind: 'parent',
            mobile: '07700900982',
            invited_by: admin.userId,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        parentAccount = parent.id;
      },
      family_account_children: async () => {
        await deps.db
          .insertInto('family_account_children')
          .values([
            { account_id: youngPersonAccount, child_id: merged, granted_by: admin.userId },
            {
              account_id: parentAccount,
              child_id: merged,
              sections: ['plan', 'meetings'],
              limited_reason: 'Alex asked that their messages and views stay private',
              granted_by: admin.userId,
            },
          ])
          .execute();
      },
      family_contributions: async () => {
        const { planId } = await helpRecord();
        await deps.db
          .insertInto('family_contributions')
          .values({
            organisation_id: world.organisationId,
            child_id: merged,
            account_id: parentAccount,
            author_kind: 'parent',
            about_type: 'plan',
            about_id: planId,
            body: 'The plan helps. Breakfast club has made mornings easier.',
          })
          .execute();
      },
      family_corrections: async () => {
        const { planId } = await helpRecord();
        await deps.db
          .insertInto('family_corrections')
          .values({
            organisation_id: world.organisationId,
            child_id: merged,
            account_id: youngPersonAccount,
            about_type: 'plan',
            about_id: planId,
            what_is_wrong: 'Goes to school by bus',
            comment: 'I walk to school with my friend.',
          })
          .execute();
      },
      family_document_shares: async () => {
        const { documentId, conferenceId } = await helpRecord();
        await deps.db
          .insertInto('family_document_shares')
          .values({
            document_id: documentId,
            child_id: merged,
            account_id: parentAccount,
            conference_id: conferenceId,
            shared_by: worker.id,
            first_read_at: clock.now(),
            last_read_at: clock.now(),
            times_read: 1,
          })
          .execute();
      },
      family_message_threads: async () => {
        const thread = await deps.db
          .insertInto('family_message_threads')
          .values({
            organisation_id: world.organisationId,
            child_id: merged,
            account_id: youngPersonAccount,
            subject: 'Next visit',
            started_by: 'family',
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await deps.db
          .insertInto('family_messages')
          .values({
            thread_id: thread.id,
            from_account_id: youngPersonAccount,
            body: 'Can we meet after school?',
          })
          .execute();
      },
      records_requests: async () => {
        await deps.db
          .insertInto('records_requests')
          .values({
            organisation_id: world.organisationId,
            child_id: merged,
            family_account_id: youngPersonAccount,
            channel: 'portal',
            what_wanted: 'Everything written about me since 2019',
            received_on: '2026-11-20',
            due_on: '2026-12-20',
          })
          .execute();
      },
      // The young person's own consent to share information about them (so it names them twice).
      consents: async () => {
        await deps.db
          .insertInto('consents')
          .values({
            organisation_id: world.organisationId,
            child_id: merged,
            given_by_person_id: merged,
            given_by_role: 'young_person',
            purpose: 'Support at school',
            valid_from: '2026-09-01',
            how_given: 'written',
            recorded_by: worker.id,
            recorded_at: clock.now(),
          })
          .execute();
      },
      information_sharing_decisions: async () => {
        const consent = await deps.db
          .selectFrom('consents')
          .select('id')
          .where('child_id', '=', merged)
          .executeTakeFirstOrThrow();
        await deps.db
          .insertInto('information_sharing_decisions')
          .values({
            organisation_id: world.organisationId,
            child_id: merged,
            decision: 'share',
            recipient_name: 'Designated safeguarding lead at school',
            what: 'The plan’s goals for school',
            why: 'So school can help with breakfast club',
            lawful_basis: 'consent',
            consent_id: consent.id,
            decided_by: worker.id,
            decided_on: '2026-09-02',
            recorded_at: clock.now(),
          })
          .execute();
      },
      team_around_family_members: async () => {
        await deps.db
          .insertInto('team_around_family_members')
          .values({
            child_id: merged,
            episode_id: helpEpisode,
            user_id: worker.id,
            organisation_id: world.organisationId,
            team_role: 'Lead practitioner',
            is_lead: true,
            from_on: '2019-01-03',
            added_by: admin.userId,
            added_at: clock.now(),
          })
          .execute();
      },
      service_referrals: async () => {
        const { planId, goalId } = await helpRecord();
        const organization = await deps.db
          .insertInto('directory_organizations')
          .values({ id: crypto.randomUUID(), name: 'Riverside Family Hub', description: 'A family hub' })
          .returning('id')
          .executeTakeFirstOrThrow();
        const service = await deps.db
          .insertInto('directory_services')
          .values({
            id: crypto.randomUUID(),
            organization_id: organization.id,
            name: 'Breakfast club',
            description: 'Breakfast before school',
            status: 'active',
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await deps.db
          .insertInto('service_referrals')
          .values({
            organisation_id: world.organisationId,
            person_id: merged,
            plan_id: planId,
            plan_goal_id: goalId,
            service_id: service.id,
            reason: 'Meals every day',
            consent_given: true,
            consent_given_by: 'Grace Oduya (mother)',
            consent_given_on: '2026-09-01',
            referred_on: '2026-09-02',
            referred_by: worker.id,
          })
          .execute();
      },
    };

    const references = await personReferences(deps.db);
    const tables = [...new Set(references.map((r) => r.table))];
    const unknown = tables.filter((t) => !(t in fillers));
    expect(
      unknown,
      `merge.test.ts does not know how to put a row pointing at a person into: ${unknown.join(', ')}. Add a filler for each, so the merge of that table is tested.`,
    ).toEqual([]);
    for (const table of Object.keys(fillers)) await fillers[table]?.();

    for (const reference of references) {
      const keys = await keysPointingAt(reference, merged);
      expect(
        keys.length,
        `no row in ${reference.table}.${reference.column} points at the merged record: fix its filler`,
      ).toBeGreaterThan(0);
    }
    const movable = references.filter((r) => !isLeftAlone(r));
    // Each row's key as it will be once moved: a key holding the person column (family_account_children's
    // (account_id, child_id)) names the kept record, as merge.ts records it.
    const expected: Record<string, Record<string, string[]>> = {};
    for (const reference of movable)
      (expected[reference.table] ??= {})[reference.column] = (await keysPointingAt(reference, merged))
        .map((key) => keyAfterMove(reference, key, keep))
        .sort();
    const leftBefore = new Map<string, string[]>();
    for (const reference of references.filter(isLeftAlone))
      leftBefore.set(`${reference.table}.${reference.column}`, await keysPointingAt(reference, merged));

    const before = await state();
    clock.advance(60_000);
    const mergeId = await merge(admin, keep, merged);

    // Every movable row now points at the kept record, and the record of the merge names exactly those rows.
    const moved = await movedOf(mergeId);
    for (const reference of movable) {
      const keys = expected[reference.table]?.[reference.column] ?? [];
      expect(
        await keysPointingAt(reference, merged),
        `${reference.table}.${reference.column} still points at the merged record`,
      ).toEqual([]);
      const now = await keysPointingAt(reference, keep);
      for (const key of keys)
        expect(now, `${reference.table}.${reference.column} row ${key} did not move`).toContain(key);
      expect(
        [...(moved[reference.table]?.[reference.column] ?? [])].sort(),
        `moved record for ${reference.table}.${reference.column}`,
      ).toEqual(keys);
    }
    const rowEntries = Object.keys(moved).filter((k) => !/^[+=~]/.test(k));
    expect(rowEntries.sort()).toEqual(Object.keys(expected).sort());
    // What stays with the merged record stays.
    for (const reference of references.filter(isLeftAlone)) {
      const key = `${reference.table}.${reference.column}`;
      const now = await keysPointingAt(reference, merged);
      expect(now, key).toEqual(expect.arrayContaining(leftBefore.get(key) ?? []));
    }

    // The merged record points at the kept one and keeps its identifiers; the kept one gained what it lacked.
    const people = await deps.db
      .selectFrom('people')
      .select(['id', 'merged_into', 'nhs_number', 'version'])
      .where('id', 'in', [keep, merged])
      .execute();
    expect(people.find((p) => p.id === merged)).toMatchObject({ merged_into: keep, nhs_number: NHS_1 });
    expect(people.find((p) => p.id === keep)).toMatchObject({ merged_into: null, nhs_number: NHS_1 });
    expect(moved['=people']).toEqual({ copied: ['nhs_number'] });
    const alias = await deps.db
      .selectFrom('person_names')
      .selectAll()
      .where('id', 'in', moved['+person_names']?.['key'] ?? ['none'])
      .execute();
    expect(alias).toMatchObject([
      { person_id: keep, kind: 'alias', given_name: 'Alex', family_name: 'Oduya' },
    ]);
    const carried = await deps.db
      .selectFrom('person_not_duplicates')
      .select(['person_a', 'person_b'])
      .where((eb) => eb.or([eb('person_a', '=', keep), eb('person_b', '=', keep)]))
      .execute();
    expect(carried.map((d) => [d.person_a, d.person_b].sort().join(' ')).sort()).toEqual(
      [[keep, highest].sort().join(' '), [keep, lowest].sort().join(' ')].sort(),
    );
    expect(await resolveMerged(deps.db, merged)).toBe(keep);
    const audit = await deps.db
      .selectFrom('audit_log')
      .select(['action', 'entity_id', 'detail'])
      .where('action', '=', 'person.merged')
      .where('entity_id', '=', keep)
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]?.detail).toMatchObject({ mergeId, mergedPersonId: merged });

    clock.advance(60_000);
    await undoMerge(deps, admin, mergeId, 'test-undo');
    expectSameState(before, await state());
    const record = await deps.db
      .selectFrom('person_merges')
      .select(['undone_by', 'undone_at'])
      .where('id', '=', mergeId)
      .executeTakeFirstOrThrow();
    expect(record.undone_by).toBe(admin.userId);
    expect(record.undone_at).not.toBeNull();
    expect(await resolveMerged(deps.db, merged)).toBeUndefined();
    const undoAudit = await deps.db
      .selectFrom('audit_log')
      .select('entity_id')
      .where('action', '=', 'person.merge_undone')
      .where('request_id', '=', 'test-undo')
      .execute();
    expect(undoAudit.map((a) => a.entity_id).sort()).toEqual([keep, merged].sort());
  });

  it('handles a table added later with a composite primary key, and refuses one with no primary key, by name', async () => {
    const admin = await actorFor(['administrator']);
    await rawSql(
      handle,
      `CREATE TABLE merge_test_tags (person_id uuid NOT NULL REFERENCES people(id), tag text NOT NULL, PRIMARY KEY (person_id, tag))`,
    );
    try {
      const keep = await person({});
      const merged = await person({});
      await rawSql(
        handle,
        `INSERT INTO merge_test_tags VALUES ('${merged}', 'young carer'), ('${merged}', 'school nurse'), ('${keep}', 'kept')`,
      );
      const before = await state();
      const mergeId = await merge(admin, keep, merged);
      const moved = await movedOf(mergeId);
      expect([...(moved['merge_test_tags']?.['person_id'] ?? [])].sort()).toEqual([
        JSON.stringify([keep, 'school nurse']),
        JSON.stringify([keep, 'young carer']),
      ]);
      const tags = await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM merge_test_tags WHERE person_id = ${keep}`.execute(deps.db);
      expect(tags.rows[0]?.n).toBe(3);
      await undoMerge(deps, admin, mergeId);
      expectSameState(before, await state());

      // Both records have the same entry: the merge cannot combine them, and says so.
      const clashKeep = await person({});
      const clashMerge = await person({});
      await rawSql(
        handle,
        `INSERT INTO merge_test_tags VALUES ('${clashKeep}', 'same'), ('${clashMerge}', 'same')`,
      );
      const clashBefore = await state();
      const refused = await merge(admin, clashKeep, clashMerge).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(MergeBlockedError);
      expect((refused as MergeBlockedError).reasons[0]?.reason).toContain('merge_test_tags');
      expectSameState(clashBefore, await state());
    } finally {
      await rawSql(handle, 'DROP TABLE merge_test_tags');
    }

    await rawSql(
      handle,
      `CREATE TABLE merge_test_unkeyed (person_id uuid NOT NULL REFERENCES people(id), note text)`,
    );
    try {
      const keep = await person({});
      const merged = await person({});
      const refused = await merge(admin, keep, merged).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(MergeBlockedError);
      expect((refused as MergeBlockedError).reasons).toEqual([
        {
          rule: 'schema',
          reason: expect.stringContaining('table "merge_test_unkeyed" has no primary key') as string,
        },
      ]);
      expect(await resolveMerged(deps.db, merged)).toBeUndefined();
    } finally {
      await rawSql(handle, 'DROP TABLE merge_test_unkeyed');
    }
  });
});

describe('merges that are not safe', () => {
  /** Runs the merge expecting refusal by the named rule, and checks nothing changed. */
  async function expectBlocked(
    actor: Actor,
    keepId: string,
    mergeId: string,
    rule: string,
    reason: RegExp,
  ): Promise<void> {
    const before = await state();
    const error = await merge(actor, keepId, mergeId).catch((e: unknown) => e);
    expect(error, rule).toBeInstanceOf(MergeBlockedError);
    const found = (error as MergeBlockedError).reasons.find((r) => r.rule === rule);
    expect(found, `${rule} in ${JSON.stringify((error as MergeBlockedError).reasons)}`).toBeDefined();
    expect(found?.reason).toMatch(reason);
    expectSameState(before, await state());
  }

  it('are refused, each with its reason', async () => {
    const NHS_1 = nhs();
    const NHS_2 = nhs();
    const admin = await actorFor(['administrator']);
    const manager = await actorFor(['team_manager'], [world.teamA]);
    const twoTeams = await actorFor(['team_manager'], [world.teamA, world.teamB]);

    const one = await person({ teamId: world.teamA });
    await expectBlocked(admin, one, one, 'different-records', /cannot be merged with itself/);

    const a = await person({ teamId: world.teamA });
    const b = await person({ teamId: world.teamA });
    const c = await person({ teamId: world.teamA });
    await merge(admin, a, b);
    await expectBlocked(admin, c, b, 'not-already-merged', /already been merged/);
    await expectBlocked(admin, b, c, 'not-already-merged', /already been merged/);

    await expectBlocked(
      manager,
      await person({ teamId: world.teamA }),
      await person({ teamId: world.teamB }),
      'in-your-area',
      /team you do not manage/,
    );

    const r1 = await person({ teamId: world.teamA });
    const r2 = await person({ teamId: world.teamA });
    await restrict(r1, 'staff', []);
    await restrict(r2, 'staff', []);
    await expectBlocked(manager, r1, r2, 'restricted-from-you', /restricted/);

    await expectBlocked(
      admin,
      await person({ nhs: NHS_1 }),
      await person({ nhs: NHS_2 }),
      'nhs-number',
      /different NHS numbers/,
    );
    await expectBlocked(
      admin,
      await person({ dob: '2013-05-05' }),
      await person({ dob: '2013-05-06' }),
      'date-of-birth',
      /different dates of birth/,
    );

    const onlyOne = await person({});
    await restrict(onlyOne, 'high_profile', [admin.userId]);
    await expectBlocked(
      admin,
      onlyOne,
      await person({}),
      'restrictions',
      /One record is restricted and the other is not/,
    );
    const adoption = await person({});
    const highProfile = await person({});
    await restrict(adoption, 'adoption', [admin.userId]);
    await restrict(highProfile, 'high_profile', [admin.userId]);
    await expectBlocked(admin, adoption, highProfile, 'restrictions', /different reasons/);

    const inA = await person({ teamId: world.teamA });
    const inB = await person({ teamId: world.teamB });
    await expectBlocked(twoTeams, inA, inB, 'allocated-teams', /different teams/);

    const decidedA = await person({});
    const decidedB = await person({});
    await markNotDuplicates(deps, admin, { personA: decidedA, personB: decidedB });
    await expectBlocked(
      admin,
      decidedA,
      decidedB,
      'not-marked-different',
      /recorded that these records are different people/,
    );

    const parent = await person({});
    const child = await person({});
    await deps.db
      .insertInto('relationships')
      .values({
        person_id: child,
        related_person_id: parent,
        kind: 'mother',
        network_note: null,
        started_on: null,
        ended_on: null,
      })
      .execute();
    await expectBlocked(
      admin,
      parent,
      child,
      'not-linked',
      /linked to each other \(Relationships and family network\)/,
    );

    // Stale versions: someone changed a record after the page was drawn.
    const stale = await person({});
    const fresh = await person({});
    await deps.db
      .updateTable('people')
      .set((eb) => ({ version: eb('version', '+', 1) }))
      .where('id', '=', stale)
      .execute();
    await expect(
      mergePeople(deps, admin, { keepId: fresh, mergeId: stale, expectedVersions: { keep: 1, merge: 1 } }),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('lets someone with authority-wide scope merge records allocated to different teams, and the kept record then has both allocations', async () => {
    const admin = await actorFor(['administrator']);
    const inA = await person({ teamId: world.teamA });
    const inB = await person({ teamId: world.teamB });
    await merge(admin, inA, inB);
    const teams = await deps.db
      .selectFrom('allocations')
      .select('team_id')
      .where('person_id', '=', inA)
      .where('ended_at', 'is', null)
      .execute();
    expect(teams.map((t) => t.team_id).sort()).toEqual([world.teamA, world.teamB].sort());
  });

  /** An episode of help for the person: open unless a closing date is given. Returns its id. */
  async function episodeFor(personId: string, startedOn: string, closedOn: string | null = null) {
    const row = await deps.db
      .insertInto('help_episodes')
      .values({
        organisation_id: world.organisationId,
        person_id: personId,
        started_on: startedOn,
        status: closedOn ? 'closed' : 'child_protection',
        status_since: closedOn ?? startedOn,
        closed_on: closedOn,
        closure_reason: closedOn ? 'RC7' : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async function protectionPlan(
    personId: string,
    episodeId: string,
    startedOn: string,
    endedOn: string | null,
  ) {
    await deps.db
      .insertInto('plans')
      .values({
        episode_id: episodeId,
        person_id: personId,
        kind: 'child_protection',
        status: endedOn ? 'ended' : 'active',
        started_on: startedOn,
        ended_on: endedOn,
        initial_category: 'NEG',
      })
      .execute();
  }

  it('are refused when both records have open help, and allowed once one is closed', async () => {
    const admin = await actorFor(['administrator']);
    const keep = await person({});
    const other = await person({});
    await episodeFor(keep, '2026-01-05');
    const openOnOther = await episodeFor(other, '2026-02-02');
    await expectBlocked(
      admin,
      keep,
      other,
      'one-open-help',
      /Both records have open help\. Close one episode first/,
    );
    // Only one open: the rule passes (the closed episode moves to the kept record).
    await deps.db
      .updateTable('help_episodes')
      .set({ status: 'closed', closed_on: '2026-03-02', closure_reason: 'RC7' })
      .where('id', '=', openOnOther)
      .execute();
    await merge(admin, keep, other);
    const episodes = await deps.db
      .selectFrom('help_episodes')
      .select('closed_on')
      .where('person_id', '=', keep)
      .orderBy('started_on')
      .execute();
    expect(episodes).toEqual([{ closed_on: null }, { closed_on: '2026-03-02' }]);
  });

  it('are refused when the records have child protection plans at the same time, but not plans one after the other', async () => {
    const admin = await actorFor(['administrator']);
    // Overlapping: one plan still in force, the other started while it was.
    const keep = await person({});
    const other = await person({});
    await protectionPlan(keep, await episodeFor(keep, '2025-01-06'), '2025-02-03', null);
    await protectionPlan(
      other,
      await episodeFor(other, '2025-05-01', '2025-12-01'),
      '2025-06-02',
      '2025-11-03',
    );
    await expectBlocked(
      admin,
      keep,
      other,
      'child-protection-plans',
      /child protection plan covering the same dates/,
    );
    await expectBlocked(
      admin,
      other,
      keep,
      'child-protection-plans',
      /child protection plan covering the same dates/,
    );

    // One ends the day the next starts: never two plans in force on the same day, so it merges.
    const first = await person({});
    const second = await person({});
    await protectionPlan(
      first,
      await episodeFor(first, '2024-01-08', '2024-09-02'),
      '2024-02-05',
      '2024-09-02',
    );
    await protectionPlan(
      second,
      await episodeFor(second, '2024-09-02', '2025-03-03'),
      '2024-09-02',
      '2025-03-03',
    );
    await merge(admin, first, second);
    const plans = await deps.db
      .selectFrom('plans')
      .select('started_on')
      .where('person_id', '=', first)
      .where('kind', '=', 'child_protection')
      .orderBy('started_on')
      .execute();
    expect(plans).toEqual([{ started_on: '2024-02-05' }, { started_on: '2024-09-02' }]);
  });
});

describe('a family’s portal access across a merge', () => {
  async function portalAccount(personId: string, kind: 'parent' | 'young_person', email: string) {
    const row = await deps.db
      .insertInto('family_accounts')
      .values({
        organisation_id: world.organisationId,
        person_id: personId,
        kind,
        email,
        competence_judgement:
          kind === 'young_person' ? 'Understands their record and keeps it private' : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async function grants(accountId: string) {
    return deps.db
      .selectFrom('family_account_children')
      .select(['child_id', 'sections', 'ended_at'])
      .where('account_id', '=', accountId)
      .orderBy('child_id')
      .execute();
  }

  it('follows a parent’s kept record, and undo gives it back', async () => {
    const admin = await actorFor(['administrator']);
    const child = await person({ given: 'Mia', family: 'Achebe', dob: '2015-04-04' });
    const keepParent = await person({ given: 'Ngozi', family: 'Achebe', dob: '1988-08-08' });
    const mergedParent = await person({ given: 'Ngozy', family: 'Achebe', dob: '1988-08-08' });
    const account = await portalAccount(mergedParent, 'parent', 'ngozi.achebe@example.com');
    await deps.db
      .insertInto('family_account_children')
      .values({ account_id: account, child_id: child, granted_by: admin.userId })
      .execute();
    const before = await state();

    const mergeId = await merge(admin, keepParent, mergedParent);
    const moved = await deps.db
      .selectFrom('family_accounts')
      .select('person_id')
      .where('id', '=', account)
      .executeTakeFirstOrThrow();
    expect(moved.person_id).toBe(keepParent);
    expect(await grants(account)).toEqual([{ child_id: child, sections: null, ended_at: null }]);

    await undoMerge(deps, admin, mergeId);
    expectSameState(before, await state());
  });

  it('is refused while one account can see both of a child’s records; once the merged one’s access is withdrawn, the kept one’s carries on', async () => {
    const admin = await actorFor(['administrator']);
    const keep = await person({ given: 'Tomasz', family: 'Nowak', dob: '2014-06-06' });
    const merged = await person({ given: 'Tomek', family: 'Nowak', dob: '2014-06-06' });
    const mother = await person({ given: 'Ewa', family: 'Nowak', dob: '1986-01-01' });
    const father = await person({ given: 'Piotr', family: 'Nowak', dob: '1985-01-01' });
    const both = await portalAccount(mother, 'parent', 'ewa.nowak@example.com');
    const onlyMerged = await portalAccount(father, 'parent', 'piotr.nowak@example.com');
    await deps.db
      .insertInto('family_account_children')
      .values([
        { account_id: both, child_id: keep, granted_by: admin.userId },
        {
          account_id: both,
          child_id: merged,
          sections: ['plan'],
          limited_reason: 'Only the plan for now',
          granted_by: admin.userId,
        },
        {
          account_id: onlyMerged,
          child_id: merged,
          sections: ['plan', 'meetings'],
          limited_reason: 'Lives apart; sees the plan and meetings',
          granted_by: admin.userId,
        },
      ])
      .execute();

    const refused = await merge(admin, keep, merged).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MergeBlockedError);
    expect((refused as MergeBlockedError).reasons).toEqual([
      {
        rule: 'portal-access',
        reason: expect.stringMatching(
          /family portal account has been given access to both records/,
        ) as string,
      },
    ]);

    // Access to the merged record withdrawn (as the Family portal page does): the merge goes through.
    await deps.db
      .updateTable('family_account_children')
      .set({ ended_at: clock.now(), ended_reason: 'Duplicate record' })
      .where('account_id', '=', both)
      .where('child_id', '=', merged)
      .execute();
    const before = await state();
    const mergeId = await merge(admin, keep, merged);
    // The kept record's grant is as it was; the ended one stays with the merged record.
    expect(await grants(both)).toEqual(
      [
        { child_id: keep, sections: null, ended_at: null },
        { child_id: merged, sections: ['plan'], ended_at: expect.any(Date) as Date },
      ].sort((a, b) => a.child_id.localeCompare(b.child_id)),
    );
    // An account that saw only the merged record now sees the kept one, with the same limits.
    expect(await grants(onlyMerged)).toEqual([
      { child_id: keep, sections: ['plan', 'meetings'], ended_at: null },
    ]);
    expect((await movedOf(mergeId))['family_account_children']).toEqual({
      child_id: [JSON.stringify([onlyMerged, keep])],
    });

    await undoMerge(deps, admin, mergeId);
    expectSameState(before, await state());
  });
});

describe('undoing a merge', () => {
  it('is refused, changing nothing, when rows it moved have since been removed or re-pointed, or a copied identifier changed', async () => {
    const NHS_1 = nhs();
    const NHS_2 = nhs();
    const admin = await actorFor(['administrator']);
    const keep = await person({});
    const merged = await person({ nhs: NHS_1 });
    const address = await deps.db
      .insertInto('person_addresses')
      .values({ person_id: merged, line1: '3 Moved Lane', postcode: 'AL1 3CC', started_on: '2020-01-01' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const mergeId = await merge(admin, keep, merged);

    // Someone corrects the kept record's NHS number (an edit moves its version on).
    await deps.db
      .updateTable('people')
      .set((eb) => ({ nhs_number: NHS_2, version: eb('version', '+', 1) }))
      .where('id', '=', keep)
      .execute();
    let before = await state();
    let refused = await undoMerge(deps, admin, mergeId).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UndoBlockedError);
    expect((refused as UndoBlockedError).reasons.join(' ')).toMatch(
      /nhs number has been changed since the merge/,
    );
    expectSameState(before, await state());
    await deps.db
      .updateTable('people')
      .set((eb) => ({ nhs_number: NHS_1, version: eb('version', '+', 1) }))
      .where('id', '=', keep)
      .execute();

    const other = await person({});
    await deps.db
      .updateTable('person_addresses')
      .set({ person_id: other })
      .where('id', '=', address.id)
      .execute();
    before = await state();
    refused = await undoMerge(deps, admin, mergeId).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UndoBlockedError);
    expect((refused as UndoBlockedError).reasons).toEqual([
      '1 of the 1 entries moved in “Addresses” have been removed or moved to another record since the merge.',
    ]);
    expectSameState(before, await state());

    // Put back, the undo goes through: the kept record was edited since, so its version moves on rather than back.
    await deps.db
      .updateTable('person_addresses')
      .set({ person_id: keep })
      .where('id', '=', address.id)
      .execute();
    const keptVersion = await version(keep);
    await undoMerge(deps, admin, mergeId);
    const after = await deps.db
      .selectFrom('people')
      .select(['id', 'merged_into', 'nhs_number', 'version'])
      .where('id', 'in', [keep, merged])
      .execute();
    expect(after.find((p) => p.id === keep)).toMatchObject({ nhs_number: null, version: keptVersion + 1 });
    expect(after.find((p) => p.id === merged)).toMatchObject({ merged_into: null, nhs_number: NHS_1 });
    const back = await deps.db
      .selectFrom('person_addresses')
      .select('person_id')
      .where('id', '=', address.id)
      .executeTakeFirstOrThrow();
    expect(back.person_id).toBe(merged);

    const again = await undoMerge(deps, admin, mergeId).catch((e: unknown) => e);
    expect((again as UndoBlockedError).reasons).toContain('This merge has already been undone.');
  });

  it('is refused while the kept record has itself been merged into another, until that merge is undone', async () => {
    const admin = await actorFor(['administrator']);
    const first = await person({});
    const second = await person({});
    const third = await person({});
    const inner = await merge(admin, second, first);
    const outer = await merge(admin, third, second);
    expect(await resolveMerged(deps.db, first)).toBe(third);
    const refused = await undoMerge(deps, admin, inner).catch((e: unknown) => e);
    expect((refused as UndoBlockedError).reasons.join(' ')).toMatch(/kept record has since been merged/);
    await undoMerge(deps, admin, outer);
    await undoMerge(deps, admin, inner);
    expect(await resolveMerged(deps.db, first)).toBeUndefined();
  });
});

describe('the pages', () => {
  it('are not for practitioners: the report, the merge page and merging itself are refused', async () => {
    const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const browser = await signedInAs(app, deps, worker.id);
    const a = await person({ teamId: world.teamA });
    const b = await person({ teamId: world.teamA });
    expectGovukErrorPage(await browser.get('/duplicates'), 403);
    expectGovukErrorPage(await browser.get(`/duplicates/${a}/${b}`), 403);
    const post = await browser.post(
      `/duplicates/${a}/${b}`,
      { keepVersion: '1', mergeVersion: '1' },
      { tokenFrom: '/' },
    );
    expectGovukErrorPage(post, 403);
    expect(await resolveMerged(deps.db, b)).toBeUndefined();
    expect((await browser.get('/')).body).not.toContain('href="/duplicates"');
  });

  it('take a manager from the report to a side-by-side comparison, a merge, its history and an undo', async () => {
    const NHS_1 = nhs();
    // A council of its own, so the report holds only this pair.
    const council = await makeWorld(deps);
    const user = await council.user({ roles: ['team_manager'], teamIds: [council.teamA] });
    const browser = await signedInAs(app, deps, user.id);
    const keep = await person({
      given: 'Jon',
      family: 'Smyth',
      dob: '2012-03-04',
      teamId: council.teamA,
      organisationId: council.organisationId,
    });
    const merged = await person({
      given: 'John',
      family: 'Smith',
      dob: '2012-03-04',
      nhs: NHS_1,
      organisationId: council.organisationId,
    });
    // Names are shown as text, never as markup.
    await person({
      given: '<i>Johnny</i>',
      family: 'Smith',
      dob: '2012-03-04',
      organisationId: council.organisationId,
    });
    const before = await state();

    const empty = await browser.get('/duplicates');
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain('Nobody has checked for duplicate records yet');
    expect(empty.body).toContain('href="/duplicates"');
    const scanned = await browser.post('/duplicates/scan', {}, { tokenFrom: '/duplicates' });
    expect(scanned.statusCode).toBe(303);
    const report = await browser.get('/duplicates');
    expect(report.body).toMatch(new RegExp(`href="/duplicates/(${keep}/${merged}|${merged}/${keep})"`));
    expect(report.body).toContain('Same date of birth');
    expect(report.body).toContain('&lt;i&gt;Johnny&lt;/i&gt;');
    expect(report.body).not.toContain('<i>Johnny</i>');

    const compare = await browser.get(`/duplicates/${keep}/${merged}`);
    expect(compare.statusCode).toBe(200);
    expect(compare.body).toContain('Record to keep');
    expect(compare.body).toContain('John Smith');
    expect(compare.body).toContain(NHS_1);
    expect(compare.body).toContain('govuk-summary-list');
    expect(compare.body).not.toContain('Stops the merge');
    expect(compare.body).toContain('name="keepVersion" value="1"');
    const views = await deps.db
      .selectFrom('audit_log')
      .select('entity_id')
      .where('action', '=', 'person.view')
      .where('actor_user_id', '=', user.id)
      .execute();
    expect(views.map((v) => v.entity_id).sort()).toEqual([keep, merged].sort());

    const done = await browser.post(
      `/duplicates/${keep}/${merged}`,
      { keepVersion: '1', mergeVersion: '1' },
      { tokenFrom: `/duplicates/${keep}/${merged}` },
    );
    expect(done.statusCode).toBe(303);
    const location = done.headers.location ?? '';
    expect(location).toMatch(new RegExp(`^/children/${keep}/merges\\?merged=[0-9a-f-]{36}$`));
    expect(await resolveMerged(deps.db, merged)).toBe(keep);
    const confirmation = await browser.get(location);
    expect(confirmation.statusCode).toBe(200);
    expect(confirmation.body).toContain('Records merged');
    expect(confirmation.body).toContain('Undo this merge');
    expect(confirmation.body).toContain('John Smith’s record merged into this one');
    const mergeId = location.split('merged=')[1] ?? '';

    const undone = await browser.post(
      `/children/${keep}/merges/${mergeId}/undo`,
      {},
      { tokenFrom: location },
    );
    expect(undone.statusCode).toBe(303);
    expect(undone.headers.location).toBe(`/children/${keep}/merges?undone=${mergeId}`);
    expect((await browser.get(undone.headers.location ?? '')).body).toContain('Merge undone');
    const after = await state();
    // The scan and the decision tables aside, everything is as it was.
    for (const table of Object.keys(before)) {
      if (table === 'duplicate_pairs' || table === 'duplicate_scans' || table === 'sessions') continue;
      expect(after[table], table).toBe(before[table]);
    }

    // The report links to the kept record's merge history.
    expect((await browser.get('/duplicates')).body).toContain(`href="/children/${keep}/merges"`);
  });

  it('show why a merge is refused, and refuse it if posted anyway', async () => {
    const NHS_1 = nhs();
    const NHS_2 = nhs();
    const user = await world.user({ roles: ['team_manager'], teamIds: [world.teamA] });
    const browser = await signedInAs(app, deps, user.id);
    const keep = await person({ teamId: world.teamA, nhs: NHS_1 });
    const merged = await person({ teamId: world.teamA, nhs: NHS_2 });
    const page = await browser.get(`/duplicates/${keep}/${merged}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Stops the merge');
    expect(page.body).toContain('The records have different NHS numbers');
    expect(page.body).not.toContain('>\n  Merge records');
    const posted = await browser.post(
      `/duplicates/${keep}/${merged}`,
      { keepVersion: '1', mergeVersion: '1' },
      { tokenFrom: `/duplicates/${keep}/${merged}` },
    );
    expect(posted.statusCode).toBe(409);
    expect(posted.body).toContain('govuk-error-summary');
    expect(posted.body).toMatch(/<a href="#checks">The records have different NHS numbers/);
    expect(await resolveMerged(deps.db, merged)).toBeUndefined();

    // A stale page: someone changed a record meanwhile.
    const a = await person({ teamId: world.teamA });
    const b = await person({ teamId: world.teamA });
    const stale = await browser.post(
      `/duplicates/${a}/${b}`,
      { keepVersion: '1', mergeVersion: '0' },
      { tokenFrom: `/duplicates/${a}/${b}` },
    );
    expectGovukErrorPage(stale, 409, 'Someone else changed this record');
    expect(await resolveMerged(deps.db, b)).toBeUndefined();

    // Marking a pair as different people from the merge page.
    const marked = await browser.post(
      `/duplicates/${a}/${b}/not-duplicates`,
      {},
      { tokenFrom: `/duplicates/${a}/${b}` },
    );
    expect(marked.statusCode).toBe(303);
    expect((await browser.get(`/duplicates/${a}/${b}`)).body).toContain(
      'recorded that these records are different people',
    );
  });

  it('show another team’s record by name only, and not at all outside the council', async () => {
    const NHS_1 = nhs();
    const NHS_2 = nhs();
    const user = await world.user({ roles: ['team_manager'], teamIds: [world.teamA] });
    const browser = await signedInAs(app, deps, user.id);
    const mine = await person({ teamId: world.teamA, nhs: NHS_1 });
    const theirs = await person({ given: 'Other', family: 'Teamchild', teamId: world.teamB, nhs: NHS_2 });
    const page = await browser.get(`/duplicates/${mine}/${theirs}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Other Teamchild');
    expect(page.body).not.toContain(NHS_2);
    expect(page.body).toContain('You cannot see the rest of this record');
    expectGovukErrorPage(await browser.get(`/duplicates/${mine}/00000000-0000-4000-8000-00000000abcd`), 404);
    expectGovukErrorPage(await browser.get(`/children/${theirs}/merges`), 404);
    expect((await browser.get(`/children/${mine}/merges`)).statusCode).toBe(200);
    // Restricted without naming this manager: the history is not theirs to see either.
    await restrict(mine, 'staff', []);
    expectGovukErrorPage(await browser.get(`/children/${mine}/merges`), 404);
  });
});

describe('a merged record’s old address', () => {
  it('leads (303) to the kept record’s page with a banner, when the kept record is in scope; else 404', async () => {
    const manager = await actorFor(['team_manager'], [world.teamA]);
    const keep = await person({
      given: 'Kept',
      family: 'Redirectchild',
      dob: '2014-01-02',
      teamId: world.teamA,
    });
    const merged = await person({ given: 'Kept', family: 'Redirectchilde', dob: '2014-01-02' });
    const mergeId = await merge(manager, keep, merged);

    const practitioner = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const browser = await signedInAs(app, deps, practitioner.id);
    const page = await browser.get(`/children/${merged}`);
    expect(page.statusCode).toBe(303);
    // Ids only in the address: no names.
    expect(page.headers.location).toBe(`/children/${keep}?merged=${merged}`);
    const kept = await browser.get(page.headers.location ?? '');
    expect(kept.statusCode).toBe(200);
    expect(kept.body).toContain('govuk-notification-banner');
    expect(kept.body).toContain('The record you opened was merged into this one.');
    expect(kept.body).toContain('Kept Redirectchild’s record');
    // The kept record's page is viewed once (audited); the redirect itself is not a view.
    const views = await deps.db
      .selectFrom('audit_log')
      .select('entity_id')
      .where('action', '=', 'person.view')
      .where('actor_user_id', '=', practitioner.id)
      .execute();
    expect(views.map((v) => v.entity_id)).toEqual([keep]);

    // The adult address and the simple sub-pages redirect too, to the same page of the kept record.
    expect((await browser.get(`/people/${merged}`)).headers.location).toBe(
      `/children/${keep}?merged=${merged}`,
    );
    expect((await browser.get(`/children/${merged}/who-has-looked`)).headers.location).toBe(
      `/children/${keep}/who-has-looked`,
    );
    expect((await browser.get(`/people/${merged}/edit`)).headers.location).toBe(`/people/${keep}/edit`);
    expect((await browser.get(`/people/${merged}/addresses/new`)).headers.location).toBe(
      `/people/${keep}/addresses/new`,
    );
    // A banner only for a record that really was merged into this one.
    const other = await person({ teamId: world.teamA });
    expect((await browser.get(`/children/${keep}?merged=${other}`)).body).not.toContain(
      'govuk-notification-banner',
    );
    expect((await browser.get(`/children/${keep}?merged=nonsense`)).body).not.toContain(
      'govuk-notification-banner',
    );

    // Someone who may see every record in the council (the merged one too) is also sent on.
    const leader = await world.user({ roles: ['senior_leader'] });
    const leaderBrowser = await signedInAs(app, deps, leader.id);
    expect((await leaderBrowser.get(`/children/${merged}`)).headers.location).toBe(
      `/children/${keep}?merged=${merged}`,
    );

    // Outside scope: "not found", as for any record, and the refusal is audited.
    const elsewhere = await world.user({ roles: ['practitioner'], teamIds: [world.teamB] });
    const elsewhereBrowser = await signedInAs(app, deps, elsewhere.id);
    for (const url of [`/children/${merged}`, `/people/${merged}`, `/people/${merged}/edit`]) {
      const refused = await elsewhereBrowser.get(url);
      expectGovukErrorPage(refused, 404);
      expect(refused.body).not.toContain(keep);
    }
    const denied = await deps.db
      .selectFrom('audit_log')
      .select('entity_id')
      .where('action', '=', 'access.denied')
      .where('actor_user_id', '=', elsewhere.id)
      .execute();
    expect(denied.map((d) => d.entity_id)).toEqual([merged, merged, merged]);
    // Another council: not found.
    const council = await makeWorld(deps);
    const stranger = await council.user({ roles: ['senior_leader'] });
    expectGovukErrorPage(await (await signedInAs(app, deps, stranger.id)).get(`/children/${merged}`), 404);

    // Once the merge is undone the old address is the record's own again.
    await undoMerge(deps, manager, mergeId, 'test');
    const own = await leaderBrowser.get(`/children/${merged}`);
    expect(own.statusCode).toBe(200);
    expect(own.body).not.toContain('govuk-notification-banner');
  });
});
