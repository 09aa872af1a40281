import { recordAudit } from '../../platform/audit/audit.ts';
import { hashPassword } from '../../platform/auth/passwords.ts';
import type { Deps } from '../../platform/deps.ts';

/** The demo password is published in the README: demo data is refused in production. */
export const DEMO_PASSWORD = 'hearth-demo-password';

/**
 * Fixed authenticator secrets for the demo accounts, so a newcomer can sign in with
 * `npm run hearth -- demo-code` instead of setting up an app. Never used outside demo data.
 */
export const DEMO_ACCOUNTS = [
  { email: 'practitioner@demo.hearth.invalid', name: 'Sam Okafor', roles: ['practitioner'], team: 'North family help team', totp: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' },
  { email: 'manager@demo.hearth.invalid', name: 'Priya Shah', roles: ['team_manager'], team: 'North family help team', totp: 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU' },
  { email: 'south.practitioner@demo.hearth.invalid', name: 'Alex Morgan', roles: ['practitioner'], team: 'South family help team', totp: 'MFRGGZDFMZTWQ2LKMFRGGZDFMZTWQ2LK' },
  { email: 'admin@demo.hearth.invalid', name: 'Jordan Reid', roles: ['administrator'], team: null, totp: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ' },
] as const;

const DEMO_CHILDREN = [
  { given: 'Amara', family: 'Bennett', dob: '2014-03-09', team: 'North family help team', worker: 'practitioner@demo.hearth.invalid' },
  { given: 'Leo', family: 'Bennett', dob: '2017-07-21', team: 'North family help team', worker: 'practitioner@demo.hearth.invalid' },
  { given: 'Maisie', family: 'Clarke', dob: '2011-11-02', team: 'North family help team', worker: null },
  { given: 'Tyler', family: 'Dawson', dob: '2009-05-30', team: 'South family help team', worker: 'south.practitioner@demo.hearth.invalid' },
  { given: 'Zara', family: 'Hussain', dob: '2019-01-15', team: 'South family help team', worker: 'south.practitioner@demo.hearth.invalid' },
] as const;

/** Creates the demo council, teams, accounts and a few synthetic children, once. */
export async function seedDemo(deps: Deps): Promise<{ created: boolean }> {
  const existing = await deps.db.selectFrom('organisations').select('id').where('name', '=', 'Demo Borough Council').executeTakeFirst();
  if (existing) return { created: false };
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await deps.db.transaction().execute(async (trx) => {
    const org = await trx
      .insertInto('organisations')
      .values({ name: 'Demo Borough Council', kind: 'local_authority', la_code: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const teams = new Map<string, string>();
    for (const [locality, team] of [
      ['North', 'North family help team'],
      ['South', 'South family help team'],
    ] as const) {
      const loc = await trx.insertInto('localities').values({ organisation_id: org.id, name: locality }).returning('id').executeTakeFirstOrThrow();
      const row = await trx.insertInto('teams').values({ organisation_id: org.id, locality_id: loc.id, name: team }).returning('id').executeTakeFirstOrThrow();
      teams.set(team, row.id);
    }
    const users = new Map<string, string>();
    for (const account of DEMO_ACCOUNTS) {
      const user = await trx
        .insertInto('users')
        .values({
          organisation_id: org.id,
          email: account.email,
          display_name: account.name,
          password_hash: passwordHash,
          totp_secret: deps.secrets.seal(account.totp),
          totp_enrolled_at: deps.clock.now(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      users.set(account.email, user.id);
      await trx.insertInto('user_roles').values(account.roles.map((role_id) => ({ user_id: user.id, role_id }))).execute();
      const teamId = account.team ? teams.get(account.team) : undefined;
      if (teamId) await trx.insertInto('team_memberships').values({ user_id: user.id, team_id: teamId }).execute();
    }
    for (const child of DEMO_CHILDREN) {
      const person = await trx
        .insertInto('people')
        .values({ organisation_id: org.id, given_name: child.given, family_name: child.family, date_of_birth: child.dob })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('allocations')
        .values({
          person_id: person.id,
          team_id: teams.get(child.team) ?? '',
          worker_user_id: child.worker ? (users.get(child.worker) ?? null) : null,
        })
        .execute();
    }
    await recordAudit(trx, { actorUserId: null, action: 'demo.seeded', entityType: 'organisation', entityId: org.id });
  });
  return { created: true };
}
