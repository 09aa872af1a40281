import { recordAudit } from '../../platform/audit/audit.ts';
import type { Deps } from '../../platform/deps.ts';
import { InvalidInputError, NotFoundError, type FieldError } from '../../platform/errors.ts';
import type { FamilyActor, PortalSection } from './family-actor.ts';
import { sectionsOf } from './load-family-actor.ts';
import { endFamilySessionsForAccount } from './sessions.ts';
import { normaliseContact } from './sign-in.ts';

/**
 * "My supporter": a parent (or young person) names a supporter, such as a parent advocate, who signs
 * in with their own code and sees only the sections the parent chooses (and never more than the parent
 * sees: see loadFamilyActor). The parent can end it at any time. A supporter cannot name a supporter.
 */
export type Supporter = {
  readonly accountId: string;
  readonly name: string;
  readonly email: string | null;
  readonly status: 'invited' | 'active';
  readonly children: readonly { readonly childId: string; readonly sections: readonly PortalSection[] }[];
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function mayNominate(actor: FamilyActor): boolean {
  return actor.kind === 'parent' || actor.kind === 'young_person';
}

export async function listSupporters(deps: Pick<Deps, 'db'>, actor: FamilyActor): Promise<Supporter[]> {
  if (!mayNominate(actor)) return [];
  const rows = await deps.db
    .selectFrom('family_accounts as a')
    .innerJoin('people as p', 'p.id', 'a.person_id')
    .leftJoin('family_account_children as fac', (join) =>
      join.onRef('fac.account_id', '=', 'a.id').on('fac.ended_at', 'is', null),
    )
    .select(['a.id', 'a.email', 'a.status', 'p.given_name', 'p.family_name', 'fac.child_id', 'fac.sections'])
    .where('a.nominated_by_account_id', '=', actor.accountId)
    .where('a.status', '<>', 'withdrawn')
    .orderBy('a.invited_at')
    .execute();
  const mine = new Set(actor.children.map((c) => c.childId));
  const byAccount = new Map<string, Supporter & { children: Supporter['children'][number][] }>();
  for (const row of rows) {
    let supporter = byAccount.get(row.id);
    if (!supporter) {
      supporter = {
        accountId: row.id,
        name: `${row.given_name} ${row.family_name}`,
        email: row.email,
        status: row.status === 'active' ? 'active' : 'invited',
        children: [],
      };
      byAccount.set(row.id, supporter);
    }
    if (row.child_id && mine.has(row.child_id)) {
      supporter.children.push({ childId: row.child_id, sections: sectionsOf(row.sections ?? null) });
    }
  }
  return [...byAccount.values()];
}

export type NominateInput = {
  readonly givenName: string;
  readonly familyName: string;
  readonly email: string;
  readonly childIds: readonly string[];
  readonly sections: readonly string[];
  readonly requestId: string;
};

/** Names a supporter: a person record (an adult known to the family) and an invited portal account. */
export async function nominateSupporter(
  deps: Deps,
  actor: FamilyActor,
  input: NominateInput,
): Promise<{ accountId: string; email: string }> {
  if (!mayNominate(actor)) throw new NotFoundError();
  const errors: FieldError[] = [];
  const givenName = input.givenName.trim().slice(0, 100);
  const familyName = input.familyName.trim().slice(0, 100);
  if (!givenName) errors.push({ field: 'givenName', message: 'Enter your supporter’s first name' });
  if (!familyName) errors.push({ field: 'familyName', message: 'Enter your supporter’s last name' });
  const contact = normaliseContact(input.email);
  if (contact?.kind !== 'email') {
    errors.push({ field: 'email', message: 'Enter an email address, like name@example.com' });
  }
  const children = actor.children.filter((c) => input.childIds.includes(c.childId));
  if (children.length === 0) errors.push({ field: 'children', message: 'Select at least one child' });
  const wanted = input.sections.filter((s): s is PortalSection =>
    children.some((c) => c.sections.includes(s as PortalSection)),
  );
  if (wanted.length === 0) errors.push({ field: 'sections', message: 'Select what your supporter can see' });
  if (errors.length > 0 || contact?.kind !== 'email') throw new InvalidInputError(errors);
  const email = contact.value;
  return deps.db.transaction().execute(async (trx) => {
    const clash = await trx
      .selectFrom('family_accounts')
      .select('id')
      .where('organisation_id', '=', actor.organisationId)
      .where((eb) => eb(eb.fn('lower', ['email']), '=', email))
      .where('status', '<>', 'withdrawn')
      .executeTakeFirst();
    if (clash) {
      throw new InvalidInputError([
        {
          field: 'email',
          message: 'This email address is already used for the portal. Enter a different one',
        },
      ]);
    }
    const person = await trx
      .insertInto('people')
      .values({
        organisation_id: actor.organisationId,
        given_name: givenName,
        family_name: familyName,
        is_child: false,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const account = await trx
      .insertInto('family_accounts')
      .values({
        organisation_id: actor.organisationId,
        person_id: person.id,
        kind: 'supporter',
        email,
        nominated_by_account_id: actor.accountId,
        invited_at: deps.clock.now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('family_account_children')
      .values(
        children.map((c) => ({
          account_id: account.id,
          child_id: c.childId,
          sections: wanted.filter((s) => c.sections.includes(s)),
          limited_reason: 'Chosen by the person who named this supporter',
          granted_at: deps.clock.now(),
        })),
      )
      .execute();
    await recordAudit(
      trx,
      {
        actorUserId: null,
        action: 'person.created',
        entityType: 'person',
        entityId: person.id,
        detail: { how: 'portal_supporter', isChild: false, familyAccountId: actor.accountId },
        requestId: input.requestId,
      },
      {
        actorUserId: null,
        action: 'portal.supporter_named',
        entityType: 'family_account',
        entityId: account.id,
        detail: {
          familyAccountId: actor.accountId,
          childIds: children.map((c) => c.childId),
          sections: wanted,
        },
        requestId: input.requestId,
      },
    );
    return { accountId: account.id, email };
  });
}

/** Ends a supporter's access (theirs to end: only supporters this account named). */
export async function endSupporter(
  deps: Deps,
  actor: FamilyActor,
  input: { supporterId: string; requestId: string },
): Promise<void> {
  if (!mayNominate(actor) || !UUID.test(input.supporterId)) throw new NotFoundError();
  await deps.db.transaction().execute(async (trx) => {
    const now = deps.clock.now();
    const ended = await trx
      .updateTable('family_accounts')
      .set((eb) => ({
        status: 'withdrawn',
        withdrawn_at: now,
        withdrawn_reason: 'Ended by the person who named this supporter',
        updated_at: now,
        version: eb('version', '+', 1),
      }))
      .where('id', '=', input.supporterId)
      .where('nominated_by_account_id', '=', actor.accountId)
      .where('status', '<>', 'withdrawn')
      .returning('id')
      .executeTakeFirst();
    if (!ended) throw new NotFoundError();
    await trx
      .updateTable('family_account_children')
      .set({ ended_at: now, ended_reason: 'Ended by the person who named this supporter' })
      .where('account_id', '=', ended.id)
      .where('ended_at', 'is', null)
      .execute();
    await endFamilySessionsForAccount({ db: trx }, ended.id);
    await recordAudit(trx, {
      actorUserId: null,
      action: 'portal.supporter_ended',
      entityType: 'family_account',
      entityId: ended.id,
      detail: { familyAccountId: actor.accountId },
      requestId: input.requestId,
    });
  });
}
