import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { loadActor } from '../../src/modules/access/access.repository.ts';
import type { Actor } from '../../src/modules/access/actor.ts';
import { seedDemo } from '../../src/modules/demo/demo-seed.ts';
import { partnerChildPage, partnerChildren } from '../../src/modules/partners/partner-view.ts';
import { informationSharingPage } from '../../src/modules/partners/sharing.ts';
import { verifyAuditChain } from '../../src/platform/audit/audit.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { openTestDb } from '../support/db.ts';
import { testClock, testDeps } from '../support/world.ts';

/** The demo's partner accounts: a school's safeguarding lead in Amara's team, a police officer in a multi-agency team. */

let handle: DbHandle;
let deps: Deps;

beforeAll(async () => {
  handle = await openTestDb();
  deps = testDeps(handle, { clock: testClock(new Date('2026-03-12T12:00:00Z')) });
  expect(await seedDemo(deps)).toEqual({ created: true });
});
afterAll(async () => {
  await handle.close();
});

async function actor(email: string): Promise<Actor> {
  const user = await deps.db
    .selectFrom('users')
    .select('id')
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  const loaded = await loadActor(deps.db, user.id);
  if (!loaded) throw new Error('no actor');
  return loaded;
}

describe('the demo partners', () => {
  it('lets the school’s DSL see Amara only, with the shared plan and her own action on it', async () => {
    const dsl = await actor('dsl@demo.hearth.invalid');
    const org = await deps.db
      .selectFrom('organisations')
      .select('kind')
      .where('id', '=', dsl.organisationId)
      .executeTakeFirstOrThrow();
    expect(org.kind).toBe('school');
    const children = await partnerChildren(deps, dsl);
    expect(children.map((c) => c.name)).toEqual(['Amara Bennett']);
    const page = await partnerChildPage(deps, dsl, { childId: children[0]?.id ?? '' });
    expect(page.plan?.actions.map((a) => a.addedByOrganisation)).toContain('Shephall Green Primary School');
    expect(page.members.map((m) => m.name)).toEqual(expect.arrayContaining(['Hannah Price', 'Sam Okafor']));
  });

  it('lets the police officer of the multi-agency team see Tyler only', async () => {
    const officer = await actor('police@demo.hearth.invalid');
    expect((await partnerChildren(deps, officer)).map((c) => c.name)).toEqual(['Tyler Dawson']);
  });

  it('records Amara’s decisions to share and not to share, and the consent behind them', async () => {
    const sam = await actor('practitioner@demo.hearth.invalid');
    const amara = await deps.db
      .selectFrom('people')
      .select('id')
      .where('given_name', '=', 'Amara')
      .executeTakeFirstOrThrow();
    const page = await informationSharingPage(deps, sam, { childId: amara.id });
    expect(page.decisions.map((d) => d.decision).sort()).toEqual(['not_share', 'share']);
    expect(page.consents.map((c) => c.state)).toEqual(['live']);
    expect(await verifyAuditChain(deps.db)).toMatchObject({ ok: true });
  });
});
