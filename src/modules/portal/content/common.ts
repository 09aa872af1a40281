import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../../db/database.ts';
import { recordAudit, recordView } from '../../../platform/audit/audit.ts';
import type { Deps } from '../../../platform/deps.ts';
import { NotFoundError } from '../../../platform/errors.ts';
import { protectedTermsFor } from '../records-requests/content.ts';
import type { ProtectedTerm } from '../records-requests/render.ts';
import { familyCanSee, type FamilyActor, type PortalSection } from '../family-actor.ts';

/**
 * What every portal content service shares: finding the child for a family account (or "not found"),
 * auditing the family's views, and keeping anything hidden from the family out of free text.
 */

export type Executor = Kysely<Database> | Transaction<Database>;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The child as the family sees them: the name they use and their family name. */
export type FamilyChild = { readonly id: string; readonly name: string };

/** Request details passed through to the audit log. */
export type PortalContext = { readonly requestId?: string | null | undefined; readonly route?: string };

/**
 * The child, when this family account may see this section of their record; otherwise NotFoundError.
 * Checked twice: against the signed-in account (sections) and in the database (the link is live, the
 * child belongs to the account's council, is not merged away, and has no restriction on their record,
 * as the portal's sign-in also requires).
 */
export async function familyChild(
  db: Executor,
  actor: FamilyActor,
  childId: string,
  section: PortalSection,
): Promise<FamilyChild> {
  if (!UUID.test(childId) || !familyCanSee(actor, childId, section)) throw new NotFoundError();
  const row = await db
    .selectFrom('people')
    .innerJoin('family_account_children as fac', 'fac.child_id', 'people.id')
    .innerJoin('family_accounts as fa', 'fa.id', 'fac.account_id')
    .select(['people.id', 'people.given_name', 'people.preferred_name', 'people.family_name'])
    .where('people.id', '=', childId)
    .where('people.organisation_id', '=', actor.organisationId)
    .where('people.merged_into', 'is', null)
    .where('fac.account_id', '=', actor.accountId)
    .where('fac.ended_at', 'is', null)
    .where('fa.status', '<>', 'withdrawn')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('person_restrictions as r')
            .select(sql.lit(1).as('one'))
            .whereRef('r.person_id', '=', 'people.id')
            .where('r.ended_at', 'is', null),
        ),
      ),
    )
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  return { id: row.id, name: `${row.preferred_name ?? row.given_name} ${row.family_name}` };
}

/**
 * A family account looked at part of a child's record: one audit row with no staff actor, naming the
 * family account (ids and routes only, never personal data).
 */
export async function auditFamilyView(
  db: Executor,
  actor: FamilyActor,
  input: { childId: string; purpose: string } & PortalContext,
): Promise<void> {
  await recordView(db, {
    actorUserId: null,
    action: 'portal.view',
    entityType: 'person',
    entityId: input.childId,
    detail: {
      familyAccountId: actor.accountId,
      purpose: input.purpose,
      ...(input.route ? { route: input.route } : {}),
    },
    requestId: input.requestId ?? null,
  });
}

/** A change made by a family account, audited in the change's transaction. */
export async function auditFamilyChange(
  db: Executor,
  actor: FamilyActor,
  input: { action: string; entityType: string; entityId: string; childId: string } & PortalContext,
): Promise<void> {
  await recordAudit(db, {
    actorUserId: null,
    action: input.action,
    entityType: input.entityType,
    entityId: input.entityId,
    detail: {
      familyAccountId: actor.accountId,
      childId: input.childId,
      ...(input.route ? { route: input.route } : {}),
    },
    requestId: input.requestId ?? null,
  });
}

/**
 * What must never reach this child's family, as patterns: the same list a records bundle is checked
 * against (`protectedTermsFor`: every address hidden from the family, the child's and their
 * relatives', what the family view of each placement withholds, the carers of a hidden placement,
 * restricted people connected with the child). Used to withhold them from free text written by staff.
 */
export function hiddenFromFamily(db: Executor, childId: string): Promise<ProtectedTerm[]> {
  return protectedTermsFor(db, childId);
}

export const WITHHELD = '[withheld]';

/** Free text with every protected term replaced by "[withheld]". */
export function withhold(text: string, hidden: readonly ProtectedTerm[]): string;
export function withhold(text: string | null, hidden: readonly ProtectedTerm[]): string | null;
export function withhold(text: string | null, hidden: readonly ProtectedTerm[]): string | null {
  if (text === null) return null;
  let result = text;
  for (const term of hidden) result = result.replace(term.pattern, WITHHELD);
  return result;
}

/** The family account's own label for a kind of account, for staff pages. */
export const AUTHOR_KINDS = {
  parent: 'Parent',
  young_person: 'Young person',
  supporter: 'Supporter',
} as const;

/** The name of a family account's person, as staff see it. */
export async function familyAccountNames(
  db: Executor,
  accountIds: readonly string[],
): Promise<Map<string, string>> {
  if (accountIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('family_accounts')
    .innerJoin('people', 'people.id', 'family_accounts.person_id')
    .select(['family_accounts.id', 'people.given_name', 'people.family_name'])
    .where('family_accounts.id', 'in', [...new Set(accountIds)])
    .execute();
  return new Map(rows.map((r) => [r.id, `${r.given_name} ${r.family_name}`]));
}

/** Limits a family's text: trimmed, line endings made plain, nothing past the limit. */
export function plainText(value: string, max: number): string {
  return value.replace(/\r\n?/g, '\n').trim().slice(0, max);
}

/** A timestamp as a Date (PGlite and pg both give Dates; strings are accepted for safety). */
export function asDate(at: Date | string): Date {
  return at instanceof Date ? at : new Date(at);
}

export type { Deps };
