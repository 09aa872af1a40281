import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { loadActor } from '../../src/modules/access/access.repository.ts';
import type { Actor } from '../../src/modules/access/actor.ts';
import { DEMO_ACCOUNTS, DEMO_POPULATION, seedDemo } from '../../src/modules/demo/demo-seed.ts';
import { myWorkTray, teamWorkTray } from '../../src/modules/help/work-tray.ts';
import { listPeopleInScope } from '../../src/modules/people/people.service.ts';
import { verifyAuditChain } from '../../src/platform/audit/audit.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { openTestDb } from '../support/db.ts';
import { loadTestGeography } from '../support/geography.ts';
import { testClock, testDeps } from '../support/world.ts';

/**
 * The demo as `npm start` seeds it on an empty database: the demo council filled with a generated
 * population (DEMO_POPULATION, the generator writing into the council), the hand-made families and
 * their help beside it, and a demo sign-in for every role. Run once; the second call creates nothing.
 */

let handle: DbHandle;
let deps: Deps;
let organisationId: string;
let generatedChildren: number;
// Thursday 12 March 2026, midday in London.
const NOW = new Date('2026-03-12T12:00:00Z');
const HAND_MADE = ['Amara Bennett', 'Leo Bennett', 'Maisie Clarke', 'Tyler Dawson', 'Zara Hussain'];

async function actor(email: string): Promise<Actor> {
  const user = await deps.db
    .selectFrom('users')
    .select('id')
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  const loaded = await loadActor(deps.db, user.id);
  if (!loaded) throw new Error(`no actor ${email}`);
  return loaded;
}

async function count(query: ReturnType<typeof sql<{ n: number }>>): Promise<number> {
  return (await query.execute(deps.db)).rows[0]?.n ?? 0;
}

async function childrenSeenBy(email: string): Promise<string[]> {
  const people = await listPeopleInScope(deps, await actor(email), 100_000, { who: 'children' });
  return people.map((p) => `${p.givenName} ${p.familyName}`);
}

beforeAll(async () => {
  handle = await openTestDb();
  await loadTestGeography(handle);
  deps = testDeps(handle, { clock: testClock(NOW) });
  const seeded = await seedDemo(deps, { population: DEMO_POPULATION, pglite: handle.pglite });
  expect(seeded.created).toBe(true);
  generatedChildren = seeded.population?.children ?? 0;
  organisationId = (
    await deps.db
      .selectFrom('organisations')
      .select('id')
      .where('name', '=', 'Demo Borough Council')
      .executeTakeFirstOrThrow()
  ).id;
}, 300_000);

afterAll(async () => {
  await handle.close();
});

describe('the demo council on first start', () => {
  it('holds a generated population with ten years of help, open help and open tasks', async () => {
    expect(generatedChildren).toBeGreaterThan(3000);
    const children = await count(
      sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM people WHERE organisation_id = ${organisationId} AND is_child`,
    );
    expect(children).toBeGreaterThan(generatedChildren);
    const openEpisodes = await count(
      sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM help_episodes WHERE organisation_id = ${organisationId} AND closed_on IS NULL`,
    );
    expect(openEpisodes).toBeGreaterThan(50);
    // Ten years of history ending on the day of the first start (the clock's day, not a fixed date).
    const started = await sql<{ year: number; n: number }>`
      SELECT extract(year FROM started_on)::int AS year, count(*)::int AS n FROM help_episodes
      WHERE organisation_id = ${organisationId} GROUP BY 1 ORDER BY 1`.execute(deps.db);
    const byYear = new Map(started.rows.map((r) => [r.year, r.n]));
    for (let year = 2016; year <= 2026; year += 1) expect(byYear.get(year), String(year)).toBeGreaterThan(0);
    expect(Math.max(...byYear.keys())).toBe(2026);
    const latest = await sql<{ last: string }>`
      SELECT max(started_on)::text AS last FROM help_episodes WHERE organisation_id = ${organisationId}`.execute(
      deps.db,
    );
    const last = latest.rows[0]?.last ?? '';
    expect(last >= '2026-02-12' && last <= '2026-03-12', last).toBe(true);
    // Everything generated is the demo council's: no second organisation was made for it.
    // (The partner agencies of the demo's partner accounts are organisations too, not councils.)
    const organisations = await deps.db.selectFrom('organisations').select(['name', 'kind']).execute();
    expect(organisations.filter((o) => o.kind === 'local_authority').map((o) => o.name)).toEqual([
      'Demo Borough Council',
    ]);
    expect(
      organisations
        .filter((o) => o.kind !== 'local_authority')
        .map((o) => o.name)
        .sort(),
    ).toEqual(['Demo Constabulary', 'Shephall Green Primary School']);
    expect(await verifyAuditChain(deps.db)).toMatchObject({ ok: true });
  });

  it('has the North and South localities, each team once, the hand-made teams among the generated', async () => {
    const localities = await deps.db
      .selectFrom('localities')
      .select('name')
      .where('organisation_id', '=', organisationId)
      .orderBy('name')
      .execute();
    expect(localities.map((l) => l.name)).toEqual(['North', 'South']);
    const teams = await deps.db
      .selectFrom('teams')
      .leftJoin('localities', 'localities.id', 'teams.locality_id')
      .select(['teams.name', 'localities.name as locality'])
      .where('teams.organisation_id', '=', organisationId)
      .execute();
    expect(teams).toContainEqual({ name: 'North family help team', locality: 'North' });
    expect(teams).toContainEqual({ name: 'South family help team', locality: 'South' });
    expect(teams.length).toBeGreaterThan(4);
  });

  it('gives every role a demo sign-in with the demo password and an authenticator secret', async () => {
    const roles = new Set(DEMO_ACCOUNTS.flatMap((a) => a.roles));
    expect([...roles].sort()).toEqual([
      'administrator',
      'multi_agency_practitioner',
      'partner_practitioner',
      'performance_analyst',
      'practitioner',
      'senior_leader',
      'service_manager',
      'team_manager',
    ]);
    for (const account of DEMO_ACCOUNTS) {
      const user = await deps.db
        .selectFrom('users')
        .select(['id', 'organisation_id', 'display_name', 'password_hash', 'totp_secret', 'totp_enrolled_at'])
        .where('email', '=', account.email)
        .executeTakeFirstOrThrow();
      // Partner practitioners belong to their own organisation (a school, the police).
      if ('organisation' in account) expect(user.organisation_id, account.email).not.toBe(organisationId);
      else expect(user.organisation_id, account.email).toBe(organisationId);
      expect(user.display_name).toBe(account.name);
      expect(user.password_hash).not.toBeNull();
      expect(user.totp_secret).not.toBeNull();
      expect(deps.secrets.open(user.totp_secret ?? '')).toBe(account.totp);
      const roleRows = await deps.db
        .selectFrom('user_roles')
        .select('role_id')
        .where('user_id', '=', user.id)
        .execute();
      expect(roleRows.map((r) => r.role_id)).toEqual([...account.roles]);
      const teams = await deps.db
        .selectFrom('team_memberships')
        .innerJoin('teams', 'teams.id', 'team_memberships.team_id')
        .select('teams.name')
        .where('team_memberships.user_id', '=', user.id)
        .execute();
      expect(teams.map((t) => t.name)).toEqual(account.team ? [account.team] : []);
    }
  });

  it('gives the demo practitioner and manager generated children and work beside the hand-made families', async () => {
    const sam = await actor('practitioner@demo.hearth.invalid');
    const samChildren = await childrenSeenBy('practitioner@demo.hearth.invalid');
    expect(samChildren).toEqual(expect.arrayContaining(['Amara Bennett', 'Leo Bennett', 'Maisie Clarke']));
    expect(samChildren.length).toBeGreaterThan(20);
    expect(samChildren).not.toContain('Tyler Dawson');

    const tray = await myWorkTray(deps, sam);
    const handMade = tray.tasks.filter((t) => t.child && HAND_MADE.includes(t.child.name));
    const generated = tray.tasks.filter((t) => t.child && !HAND_MADE.includes(t.child.name));
    expect(handMade.length).toBeGreaterThan(0);
    expect(generated.length).toBeGreaterThan(0);
    expect(generated.some((t) => t.assignedUserId === sam.userId)).toBe(true);
    // The generated allocations to the adopted member of staff are now the demo practitioner's.
    const allocated = await count(
      sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM allocations WHERE worker_user_id = ${sam.userId} AND ended_at IS NULL`,
    );
    expect(allocated).toBeGreaterThan(3);

    const priya = await actor('manager@demo.hearth.invalid');
    const team = await teamWorkTray(deps, priya, {});
    expect(team.team.name).toBe('North family help team');
    expect(team.tasks.length).toBeGreaterThan(tray.tasks.length);
    expect(team.byWorker.length).toBeGreaterThan(2);
  });

  it('engages some of its generated social workers through agencies, but none of the named demo accounts', async () => {
    const staff = await sql<{ email: string; employment: string; social_worker: boolean }>`
      SELECT u.email, u.employment, EXISTS (SELECT 1 FROM allocations a
        WHERE a.worker_user_id = u.id AND a.practitioner_role = 'social_worker') AS social_worker
      FROM users u WHERE u.organisation_id = ${organisationId}`.execute(deps.db);
    const socialWorkers = staff.rows.filter((u) => u.social_worker);
    const agency = staff.rows.filter((u) => u.employment === 'agency');
    // About one in six (DfE children's social work workforce, September 2024: 16.2%), all social workers.
    expect(agency.length).toBeGreaterThan(0);
    expect(agency.every((u) => u.social_worker)).toBe(true);
    expect(Math.abs((100 * agency.length) / socialWorkers.length - 16.2)).toBeLessThanOrEqual(
      100 / socialWorkers.length,
    );
    const named = new Set<string>(DEMO_ACCOUNTS.map((a) => a.email));
    const namedRows = staff.rows.filter((u) => named.has(u.email));
    expect(namedRows.length).toBeGreaterThan(0);
    expect(namedRows.filter((u) => u.employment !== 'permanent')).toEqual([]);
  });

  it('lets the service manager see the North locality and the senior leader the whole council', async () => {
    const north = await childrenSeenBy('service.manager@demo.hearth.invalid');
    const sam = await childrenSeenBy('practitioner@demo.hearth.invalid');
    expect(north).toContain('Amara Bennett');
    expect(north).not.toContain('Tyler Dawson');
    expect(north.length).toBeGreaterThan(sam.length);
    const everyone = await childrenSeenBy('senior.leader@demo.hearth.invalid');
    expect(everyone).toEqual(expect.arrayContaining(HAND_MADE));
    expect(everyone.length).toBeGreaterThan(north.length);
    const south = await childrenSeenBy('south.practitioner@demo.hearth.invalid');
    expect(south).toEqual(expect.arrayContaining(['Tyler Dawson', 'Zara Hussain']));
  });

  it('seeds only once: a second start creates nothing', async () => {
    const totals = async () =>
      (
        await sql<{ people: number; users: number; episodes: number; tasks: number; audit: number }>`
        SELECT (SELECT count(*)::int FROM people) AS people, (SELECT count(*)::int FROM users) AS users,
          (SELECT count(*)::int FROM help_episodes) AS episodes, (SELECT count(*)::int FROM tasks) AS tasks,
          (SELECT count(*)::int FROM audit_log) AS audit`.execute(deps.db)
      ).rows[0];
    const before = await totals();
    expect(await seedDemo(deps, { population: DEMO_POPULATION, pglite: handle.pglite })).toEqual({
      created: false,
    });
    expect(await totals()).toEqual(before);
  });
});
