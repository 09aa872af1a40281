import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import { PORTAL_SECTIONS, type FamilyActor, type PortalSection } from './family-actor.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/** The sections a row allows: NULL is every section; unknown words are dropped. */
export function sectionsOf(stored: readonly string[] | null): PortalSection[] {
  if (stored === null) return [...PORTAL_SECTIONS];
  return PORTAL_SECTIONS.filter((s) => stored.includes(s));
}

/**
 * Builds the family actor for an active account, read afresh on every portal request so that a
 * withdrawal or a limit applies at once. A child is left out while their access has ended, while
 * their record is restricted (person_restrictions) or merged away. A supporter sees a child only
 * while the account that nominated them is active and still sees that child, and then only the
 * sections both allow.
 */
export async function loadFamilyActor(db: Executor, accountId: string): Promise<FamilyActor | undefined> {
  const account = await db
    .selectFrom('family_accounts')
    .innerJoin('people', 'people.id', 'family_accounts.person_id')
    .leftJoin('family_accounts as nominator', 'nominator.id', 'family_accounts.nominated_by_account_id')
    .select([
      'family_accounts.id',
      'family_accounts.organisation_id',
      'family_accounts.person_id',
      'family_accounts.kind',
      'family_accounts.nominated_by_account_id',
      'nominator.status as nominator_status',
      'people.given_name',
      'people.preferred_name',
      'people.family_name',
    ])
    .where('family_accounts.id', '=', accountId)
    .where('family_accounts.status', '=', 'active')
    .executeTakeFirst();
  if (!account) return undefined;
  const who = {
    accountId: account.id,
    organisationId: account.organisation_id,
    personId: account.person_id,
    kind: account.kind,
    displayName: `${account.preferred_name ?? account.given_name} ${account.family_name}`,
  };
  const supporter = account.kind === 'supporter';
  if (supporter && account.nominator_status !== 'active') return { ...who, children: [] };

  const rows = await db
    .selectFrom('family_account_children as fac')
    .innerJoin('people as child', 'child.id', 'fac.child_id')
    .select(['fac.child_id', 'fac.sections'])
    .where('fac.account_id', '=', accountId)
    .where('fac.ended_at', 'is', null)
    .where('child.organisation_id', '=', account.organisation_id)
    .where('child.merged_into', 'is', null)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('person_restrictions as r')
            .select(sql.lit(1).as('one'))
            .whereRef('r.person_id', '=', 'fac.child_id')
            .where('r.ended_at', 'is', null),
        ),
      ),
    )
    .orderBy('child.date_of_birth')
    .orderBy('child.given_name')
    .execute();

  let nominatorSections = new Map<string, PortalSection[]>();
  if (supporter && account.nominated_by_account_id) {
    const parentRows = await db
      .selectFrom('family_account_children')
      .select(['child_id', 'sections'])
      .where('account_id', '=', account.nominated_by_account_id)
      .where('ended_at', 'is', null)
      .execute();
    nominatorSections = new Map(parentRows.map((r) => [r.child_id, sectionsOf(r.sections)]));
  }
  const children = rows.flatMap((row) => {
    const own = sectionsOf(row.sections);
    if (!supporter) return [{ childId: row.child_id, sections: own }];
    const allowed = nominatorSections.get(row.child_id);
    if (!allowed) return [];
    return [{ childId: row.child_id, sections: own.filter((s) => allowed.includes(s)) }];
  });
  return { ...who, children };
}
