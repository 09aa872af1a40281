import type { DbHandle } from '../../src/db/connect.ts';
import { hashPassword } from '../../src/platform/auth/passwords.ts';
import { makeSecrets } from '../../src/platform/auth/secrets.ts';
import { newTotpSecret } from '../../src/platform/auth/totp.ts';
import type { Clock } from '../../src/platform/clock.ts';
import { loadConfig, type Config } from '../../src/platform/config.ts';
import type { Deps } from '../../src/platform/deps.ts';

/** A clock tests can move. */
export type TestClock = Clock & { set(date: Date): void; advance(ms: number): void };

export function testClock(start = new Date()): TestClock {
  let current = new Date(start);
  return {
    now: () => new Date(current),
    set: (date) => {
      current = new Date(date);
    },
    advance: (ms) => {
      current = new Date(current.getTime() + ms);
    },
  };
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', HEARTH_DEMO_DATA: 'false', LOG_LEVEL: 'silent', ...overrides });
}

export function testDeps(handle: DbHandle, options: { clock?: Clock; config?: Config } = {}): Deps {
  const config = options.config ?? testConfig();
  return { db: handle.db, clock: options.clock ?? testClock(), config, secrets: makeSecrets(config.secret) };
}

/** Fast password hashing for fixtures: computed once per process. */
let fixtureHash: Promise<string> | undefined;
export const FIXTURE_PASSWORD = 'correct horse battery staple';

export type TestUser = { id: string; email: string; password: string; totpSecret: string };

/** Inserts real rows: a council with two localities, a team in each, and helpers to add staff and children. */
export async function makeWorld(deps: Deps) {
  const org = await deps.db
    .insertInto('organisations')
    .values({ name: `Test Council ${Math.random().toString(36).slice(2, 8)}`, kind: 'local_authority', la_code: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const north = await deps.db.insertInto('localities').values({ organisation_id: org.id, name: 'North' }).returning('id').executeTakeFirstOrThrow();
  const south = await deps.db.insertInto('localities').values({ organisation_id: org.id, name: 'South' }).returning('id').executeTakeFirstOrThrow();
  const teamA = await deps.db
    .insertInto('teams')
    .values({ organisation_id: org.id, locality_id: north.id, name: 'Team A' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const teamB = await deps.db
    .insertInto('teams')
    .values({ organisation_id: org.id, locality_id: south.id, name: 'Team B' })
    .returning('id')
    .executeTakeFirstOrThrow();
  let counter = 0;

  async function user(options: { roles: string[]; teamIds?: string[]; enrolled?: boolean; password?: string | null }): Promise<TestUser> {
    counter += 1;
    fixtureHash ??= hashPassword(FIXTURE_PASSWORD);
    const password = options.password === undefined ? FIXTURE_PASSWORD : options.password;
    const totpSecret = newTotpSecret();
    const email = `staff${counter}.${org.id.slice(0, 8)}@example.gov.uk`;
    const row = await deps.db
      .insertInto('users')
      .values({
        organisation_id: org.id,
        email,
        display_name: `Staff Member ${counter}`,
        password_hash: password === FIXTURE_PASSWORD ? await fixtureHash : password ? await hashPassword(password) : null,
        totp_secret: options.enrolled === false ? null : deps.secrets.seal(totpSecret),
        totp_enrolled_at: options.enrolled === false ? null : deps.clock.now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (options.roles.length) {
      await deps.db.insertInto('user_roles').values(options.roles.map((role_id) => ({ user_id: row.id, role_id }))).execute();
    }
    for (const team_id of options.teamIds ?? []) {
      await deps.db.insertInto('team_memberships').values({ user_id: row.id, team_id }).execute();
    }
    return { id: row.id, email, password: password ?? '', totpSecret };
  }

  async function child(options: { teamId: string; workerId?: string; given?: string; family?: string }): Promise<string> {
    const person = await deps.db
      .insertInto('people')
      .values({
        organisation_id: org.id,
        given_name: options.given ?? 'Robin',
        family_name: options.family ?? 'Testchild',
        date_of_birth: '2015-06-01',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await deps.db
      .insertInto('allocations')
      .values({ person_id: person.id, team_id: options.teamId, worker_user_id: options.workerId ?? null })
      .execute();
    return person.id;
  }

  return { organisationId: org.id, localityIds: { north: north.id, south: south.id }, teamA: teamA.id, teamB: teamB.id, user, child };
}
