import type { Deps } from '../../src/platform/deps.ts';
import { FIXTURE_PASSWORD, type TestUser, makeWorld } from '../support/world.ts';
import { hashPassword } from '../../src/platform/auth/passwords.ts';
import { newTotpSecret } from '../../src/platform/auth/totp.ts';

/** Real rows for partner suites: partner organisations and their staff, episodes, plans and enquiries. */
export async function makePartnerWorld(deps: Deps) {
  const world = await makeWorld(deps);
  const suffix = Math.random().toString(36).slice(2, 8);
  const school = await organisation(deps, `Oakfield Primary ${suffix}`, 'school');
  const police = await organisation(deps, `Constabulary ${suffix}`, 'police');
  const health = await organisation(deps, `Community Health ${suffix}`, 'health');
  const hash = await hashPassword(FIXTURE_PASSWORD);
  let counter = 0;

  async function partner(options: {
    organisationId: string;
    roles?: string[];
    teamIds?: { teamId: string; agency: 'police' | 'health' | 'education' | 'childrens_social_care' }[];
    name?: string;
  }): Promise<TestUser> {
    counter += 1;
    const email = `partner${counter}.${suffix}@partner.example.org`;
    const totpSecret = newTotpSecret();
    const row = await deps.db
      .insertInto('users')
      .values({
        organisation_id: options.organisationId,
        email,
        display_name: options.name ?? `Partner Practitioner ${counter}`,
        password_hash: hash,
        totp_secret: deps.secrets.seal(totpSecret),
        totp_enrolled_at: deps.clock.now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await deps.db
      .insertInto('user_roles')
      .values((options.roles ?? ['partner_practitioner']).map((role_id) => ({ user_id: row.id, role_id })))
      .execute();
    for (const t of options.teamIds ?? [])
      await deps.db
        .insertInto('team_memberships')
        .values({ user_id: row.id, team_id: t.teamId, agency: t.agency })
        .execute();
    return { id: row.id, email, password: FIXTURE_PASSWORD, totpSecret };
  }

  async function multiAgencyTeam(name: string): Promise<string> {
    const team = await deps.db
      .insertInto('teams')
      .values({
        organisation_id: world.organisationId,
        locality_id: world.localityIds.north,
        name,
        multi_agency: true,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return team.id;
  }

  /** An open episode with an active plan (one goal), a section 47 enquiry and a planned conference. */
  async function helpFor(
    childId: string,
    userId: string,
    status: 'family_help' | 'child_protection' = 'family_help',
  ) {
    const episode = await deps.db
      .insertInto('help_episodes')
      .values({
        organisation_id: world.organisationId,
        person_id: childId,
        started_on: '2026-09-01',
        status,
        status_since: '2026-09-01',
        created_by: userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const plan = await deps.db
      .insertInto('plans')
      .values({
        episode_id: episode.id,
        person_id: childId,
        kind: status === 'child_protection' ? 'child_protection' : 'family_help',
        status: 'active',
        started_on: '2026-09-15',
        next_review_on: '2026-12-15',
        family_words: 'We want mornings to be calmer',
        initial_category: status === 'child_protection' ? 'NEG' : null,
        latest_category: status === 'child_protection' ? 'NEG' : null,
        created_by: userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await deps.db
      .insertInto('plan_goals')
      .values({
        plan_id: plan.id,
        position: 1,
        goal: 'Get to school on time',
        who: 'Mum – alarm and breakfast',
        progress: 'in_progress',
      })
      .execute();
    const enquiry = await deps.db
      .insertInto('section47_enquiries')
      .values({ episode_id: episode.id, person_id: childId, started_on: '2026-11-20' })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { episodeId: episode.id, planId: plan.id, section47Id: enquiry.id };
  }

  return { ...world, school, police, health, partner, multiAgencyTeam, helpFor };
}

async function organisation(deps: Deps, name: string, kind: 'school' | 'police' | 'health'): Promise<string> {
  const row = await deps.db
    .insertInto('organisations')
    .values({ name, kind, la_code: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
