import type { FastifyInstance } from 'fastify';
import { createFamilySession } from '../../src/modules/portal/sessions.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { Browser } from './web.ts';
import type { makeWorld } from './world.ts';

type World = Awaited<ReturnType<typeof makeWorld>>;

let counter = 0;

/**
 * A child allocated to a team, a parent with parental responsibility, and (unless `invited: false`)
 * the parent's portal account, active, seeing the child. Real rows, as a worker's invitation makes.
 */
export async function makeFamily(
  deps: Deps,
  world: World,
  options: {
    teamId: string;
    workerId?: string;
    childGiven?: string;
    familyName?: string;
    parentGiven?: string;
    sections?: string[] | null;
    status?: 'invited' | 'active';
    invited?: boolean;
  },
) {
  counter += 1;
  const familyName = options.familyName ?? `Family${String(counter)}`;
  const childId = await world.child({
    teamId: options.teamId,
    ...(options.workerId ? { workerId: options.workerId } : {}),
    given: options.childGiven ?? 'Robin',
    family: familyName,
  });
  const parent = await deps.db
    .insertInto('people')
    .values({
      organisation_id: world.organisationId,
      given_name: options.parentGiven ?? 'Alex',
      family_name: familyName,
      is_child: false,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await deps.db
    .insertInto('relationships')
    .values({
      person_id: childId,
      related_person_id: parent.id,
      kind: 'mother',
      parental_responsibility: true,
    })
    .execute();
  const email = `parent${String(counter)}.${world.organisationId.slice(0, 8)}@example.com`;
  if (options.invited === false) return { childId, parentId: parent.id, accountId: '', email, familyName };
  const account = await deps.db
    .insertInto('family_accounts')
    .values({
      organisation_id: world.organisationId,
      person_id: parent.id,
      kind: 'parent',
      email,
      status: options.status ?? 'active',
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
      limited_reason: sections === null ? null : 'Limited for the test',
    })
    .execute();
  return { childId, parentId: parent.id, accountId: account.id, email, familyName };
}

/** A browser signed in to the portal as this account (a session made as the code step makes one). */
export async function familySignedIn(app: FastifyInstance, deps: Deps, accountId: string): Promise<Browser> {
  const browser = new Browser(app);
  browser.cookies.set('hearth-family', await createFamilySession(deps, accountId));
  return browser;
}
