import type { Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import { recordAudit, recordView } from '../../platform/audit/audit.ts';
import { londonDate } from '../../platform/clock.ts';
import type { Deps } from '../../platform/deps.ts';
import { InvalidInputError, NotFoundError, type FieldError } from '../../platform/errors.ts';
import type { Actor } from '../access/actor.ts';
import { personInScope } from '../access/person-scope.ts';
import { RELATIONSHIP_KINDS, type RelationshipKind } from '../people/relationships.ts';
import { restrictedFrom } from '../people/restrictions.ts';
import { PORTAL_SECTIONS, type PortalSection } from './family-actor.ts';
import { sectionsOf } from './load-family-actor.ts';
import type { FamilyAccountKind, FamilyAccountStatus } from './portal.table.ts';
import { endFamilySessionsForAccount } from './sessions.ts';
import { normaliseContact } from './sign-in.ts';

/**
 * The staff side of the family portal, on the child's record: invite a parent with parental
 * responsibility or the young person themself, see who has access, limit it to some sections (with
 * a reason) or withdraw it (with a reason). Every action needs write scope on the child's record
 * (person write scope) and is audited in the same transaction; outside scope the child is "not found".
 */

/** The youngest age at which inviting a young person is usually considered (guidance, not a rule). */
export const YOUNG_PERSON_GUIDANCE_AGE = 12;

export const SECTION_LABELS: Readonly<Record<PortalSection, string>> = {
  plan: 'The plan',
  meetings: 'Meetings',
  reports: 'Reports shared before meetings',
  views: 'Their own views and corrections',
  messages: 'Messages with the worker',
  records: 'Asking for records',
  seen: 'Who has looked at the record',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Executor = Deps['db'] | Transaction<Database>;

type ChildRow = { id: string; name: string; dateOfBirth: string | null; age: number | null };

function ageOn(dateOfBirth: string | null, today: string): number | null {
  if (!dateOfBirth) return null;
  const [by, bm, bd] = dateOfBirth.split('-').map(Number);
  const [ty, tm, td] = today.split('-').map(Number);
  if (by === undefined || bm === undefined || bd === undefined) return null;
  if (ty === undefined || tm === undefined || td === undefined) return null;
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}

/** The child, if the actor may change their record; otherwise "not found". */
async function childInWriteScope(db: Executor, deps: Deps, actor: Actor, childId: string): Promise<ChildRow> {
  if (!UUID.test(childId)) throw new NotFoundError();
  const row = await db
    .selectFrom('people')
    .select(['id', 'given_name', 'family_name', 'date_of_birth'])
    .where('id', '=', childId)
    .where('is_child', '=', true)
    .where('merged_into', 'is', null)
    .where(personInScope(actor, 'write', deps.clock))
    .where((eb) => eb.not(restrictedFrom(actor, deps.clock)(eb)))
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  return {
    id: row.id,
    name: `${row.given_name} ${row.family_name}`,
    dateOfBirth: row.date_of_birth,
    age: ageOn(row.date_of_birth, londonDate(deps.clock.now())),
  };
}

export type InviteCandidate = {
  readonly personId: string;
  readonly name: string;
  readonly relationship: string;
};

export type PortalAccess = {
  readonly accountId: string;
  readonly name: string;
  readonly kind: FamilyAccountKind;
  readonly status: FamilyAccountStatus;
  readonly email: string | null;
  readonly mobile: string | null;
  /** Null: every section. */
  readonly sections: readonly PortalSection[] | null;
  readonly limitedReason: string | null;
  readonly grantedAt: Date;
  readonly endedAt: Date | null;
  readonly endedReason: string | null;
  readonly nominatedBy: string | null;
  readonly firstSignedInAt: Date | null;
};

export type FamilyPortalPage = {
  readonly child: ChildRow;
  readonly candidates: readonly InviteCandidate[];
  readonly accounts: readonly PortalAccess[];
  readonly guidanceAge: number;
};

/** The child's "Family portal" page: who could be invited, and every account that has had access. */
export async function familyPortalPage(
  deps: Deps,
  actor: Actor,
  childId: string,
  context: { route: string; requestId: string },
): Promise<FamilyPortalPage> {
  const child = await childInWriteScope(deps.db, deps, actor, childId);
  await recordView(deps.db, {
    actorUserId: actor.userId,
    action: 'person.view',
    entityType: 'person',
    entityId: child.id,
    detail: { route: context.route, purpose: 'family_portal' },
    requestId: context.requestId,
  });
  const related = await deps.db
    .selectFrom('relationships')
    .innerJoin('people', 'people.id', 'relationships.related_person_id')
    .select(['people.id', 'people.given_name', 'people.family_name', 'relationships.kind'])
    .where('relationships.person_id', '=', child.id)
    .where('relationships.parental_responsibility', '=', true)
    .where('relationships.ended_on', 'is', null)
    .where('people.merged_into', 'is', null)
    .where((eb) => eb.not(restrictedFrom(actor, deps.clock)(eb)))
    .orderBy('people.family_name')
    .orderBy('people.given_name')
    .execute();
  const candidates = related.map((r) => ({
    personId: r.id,
    name: `${r.given_name} ${r.family_name}`,
    relationship:
      r.kind in RELATIONSHIP_KINDS ? RELATIONSHIP_KINDS[r.kind as RelationshipKind].label : 'Other',
  }));
  const rows = await deps.db
    .selectFrom('family_account_children as fac')
    .innerJoin('family_accounts as a', 'a.id', 'fac.account_id')
    .innerJoin('people as p', 'p.id', 'a.person_id')
    .leftJoin('family_accounts as n', 'n.id', 'a.nominated_by_account_id')
    .leftJoin('people as np', 'np.id', 'n.person_id')
    .select([
      'a.id',
      'a.kind',
      'a.status',
      'a.email',
      'a.mobile',
      'a.first_signed_in_at',
      'p.given_name',
      'p.family_name',
      'np.given_name as nominator_given',
      'np.family_name as nominator_family',
      'fac.sections',
      'fac.limited_reason',
      'fac.granted_at',
      'fac.ended_at',
      'fac.ended_reason',
    ])
    .where('fac.child_id', '=', child.id)
    .where('a.organisation_id', '=', actor.organisationId)
    .orderBy('fac.ended_at', (ob) => ob.desc().nullsFirst())
    .orderBy('fac.granted_at')
    .execute();
  const accounts = rows.map((r) => ({
    accountId: r.id,
    name: `${r.given_name} ${r.family_name}`,
    kind: r.kind,
    status: r.status,
    email: r.email,
    mobile: r.mobile,
    sections: r.sections === null ? null : sectionsOf(r.sections),
    limitedReason: r.limited_reason,
    grantedAt: r.granted_at,
    endedAt: r.ended_at,
    endedReason: r.ended_reason,
    nominatedBy: r.nominator_given ? `${r.nominator_given} ${r.nominator_family ?? ''}`.trim() : null,
    firstSignedInAt: r.first_signed_in_at,
  }));
  return { child, candidates, accounts, guidanceAge: YOUNG_PERSON_GUIDANCE_AGE };
}

export type InviteInput = {
  readonly childId: string;
  /** A related person's id, or 'young-person' for the child themself. */
  readonly who: string;
  readonly email: string;
  readonly mobile: string;
  readonly competenceJudgement: string;
  readonly requestId: string;
};

/**
 * Invites someone to see the child's record in the portal. A person who already has a live account
 * (for another child) gets this child added to it. The account is 'invited' until its first sign-in.
 * Returns the account id and where to send the invitation.
 */
export async function inviteToPortal(
  deps: Deps,
  actor: Actor,
  input: InviteInput,
): Promise<{ accountId: string; email: string | null; mobile: string | null }> {
  return deps.db.transaction().execute(async (trx) => {
    const child = await childInWriteScope(trx, deps, actor, input.childId);
    const errors: FieldError[] = [];
    const youngPerson = input.who === 'young-person';
    let personId: string | undefined;
    if (youngPerson) {
      personId = child.id;
      if (input.competenceJudgement.trim().length < 10) {
        errors.push({
          field: 'competenceJudgement',
          message: 'Explain why the young person can understand and use their record safely',
        });
      }
    } else if (UUID.test(input.who)) {
      const related = await trx
        .selectFrom('relationships')
        .select('related_person_id')
        .where('person_id', '=', child.id)
        .where('related_person_id', '=', input.who)
        .where('parental_responsibility', '=', true)
        .where('ended_on', 'is', null)
        .executeTakeFirst();
      personId = related?.related_person_id;
    }
    if (!personId) errors.push({ field: 'who', message: 'Select who to invite' });
    const emailText = input.email.trim();
    const mobileText = input.mobile.trim();
    const email = emailText ? normaliseContact(emailText) : undefined;
    const mobile = mobileText ? normaliseContact(mobileText) : undefined;
    if (emailText && email?.kind !== 'email') {
      errors.push({
        field: 'email',
        message: 'Enter an email address in the correct format, like name@example.com',
      });
    }
    if (mobileText && mobile?.kind !== 'sms') {
      errors.push({ field: 'mobile', message: 'Enter a mobile phone number, like 07700 900 982' });
    }
    if (!emailText && !mobileText) {
      errors.push({ field: 'email', message: 'Enter an email address or a mobile phone number' });
    }
    if (errors.length > 0 || !personId) throw new InvalidInputError(errors);
    const emailValue = email?.kind === 'email' ? email.value : null;
    const mobileValue = mobile?.kind === 'sms' ? mobile.value : null;
    const kind: FamilyAccountKind = youngPerson ? 'young_person' : 'parent';

    if (emailValue) {
      const clash = await trx
        .selectFrom('family_accounts')
        .select('id')
        .where('organisation_id', '=', actor.organisationId)
        .where((eb) => eb(eb.fn('lower', ['email']), '=', emailValue))
        .where('status', '<>', 'withdrawn')
        .where('person_id', '<>', personId)
        .executeTakeFirst();
      if (clash) {
        throw new InvalidInputError([
          {
            field: 'email',
            message: 'Someone else’s portal account uses this email address. Enter a different one',
          },
        ]);
      }
    }
    const now = deps.clock.now();
    const existing = await trx
      .selectFrom('family_accounts')
      .select(['id', 'email', 'mobile'])
      .where('organisation_id', '=', actor.organisationId)
      .where('person_id', '=', personId)
      .where('kind', '=', kind)
      .where('status', '<>', 'withdrawn')
      .executeTakeFirst();
    let accountId: string;
    if (existing) {
      accountId = existing.id;
      await trx
        .updateTable('family_accounts')
        .set((eb) => ({
          // What the worker gives replaces what was held; what they leave blank is kept.
          email: emailValue ?? existing.email,
          mobile: mobileValue ?? existing.mobile,
          ...(youngPerson ? { competence_judgement: input.competenceJudgement.trim() } : {}),
          updated_at: now,
          version: eb('version', '+', 1),
        }))
        .where('id', '=', accountId)
        .execute();
    } else {
      const created = await trx
        .insertInto('family_accounts')
        .values({
          organisation_id: actor.organisationId,
          person_id: personId,
          kind,
          email: emailValue,
          mobile: mobileValue,
          invited_by: actor.userId,
          invited_at: now,
          competence_judgement: youngPerson ? input.competenceJudgement.trim() : null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      accountId = created.id;
    }
    const live = await trx
      .selectFrom('family_account_children')
      .select('account_id')
      .where('account_id', '=', accountId)
      .where('child_id', '=', child.id)
      .where('ended_at', 'is', null)
      .executeTakeFirst();
    if (live) {
      throw new InvalidInputError([
        { field: 'who', message: 'This person can already see the child’s record' },
      ]);
    }
    await trx
      .insertInto('family_account_children')
      .values({ account_id: accountId, child_id: child.id, granted_by: actor.userId, granted_at: now })
      .onConflict((oc) =>
        oc.columns(['account_id', 'child_id']).doUpdateSet({
          sections: null,
          limited_reason: null,
          granted_by: actor.userId,
          granted_at: now,
          ended_at: null,
          ended_reason: null,
        }),
      )
      .execute();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'portal.access_granted',
      entityType: 'family_account',
      entityId: accountId,
      detail: { childId: child.id, kind, newAccount: !existing },
      requestId: input.requestId,
    });
    return { accountId, email: emailValue, mobile: mobileValue };
  });
}

async function liveAccess(trx: Transaction<Database>, accountId: string, childId: string) {
  if (!UUID.test(accountId)) throw new NotFoundError();
  const row = await trx
    .selectFrom('family_account_children')
    .select(['account_id'])
    .where('account_id', '=', accountId)
    .where('child_id', '=', childId)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
}

/** Limits an account to some sections of the child's record (a reason is required), or opens them all. */
export async function limitPortalAccess(
  deps: Deps,
  actor: Actor,
  input: {
    childId: string;
    accountId: string;
    sections: readonly string[];
    reason: string;
    requestId: string;
  },
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const child = await childInWriteScope(trx, deps, actor, input.childId);
    await liveAccess(trx, input.accountId, child.id);
    const chosen = PORTAL_SECTIONS.filter((s) => input.sections.includes(s));
    const all = chosen.length === PORTAL_SECTIONS.length;
    const reason = input.reason.trim();
    if (!all && !reason) {
      throw new InvalidInputError([{ field: 'reason', message: 'Enter why access is limited' }]);
    }
    await trx
      .updateTable('family_account_children')
      .set({ sections: all ? null : chosen, limited_reason: all ? null : reason })
      .where('account_id', '=', input.accountId)
      .where('child_id', '=', child.id)
      .execute();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'portal.access_limited',
      entityType: 'family_account',
      entityId: input.accountId,
      detail: { childId: child.id, sections: all ? 'all' : chosen },
      requestId: input.requestId,
    });
  });
}

/**
 * Withdraws an account's access to the child's record (a reason is required). An account left with
 * no child is withdrawn altogether and signed out at once.
 */
export async function withdrawPortalAccess(
  deps: Deps,
  actor: Actor,
  input: { childId: string; accountId: string; reason: string; requestId: string },
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const child = await childInWriteScope(trx, deps, actor, input.childId);
    await liveAccess(trx, input.accountId, child.id);
    const reason = input.reason.trim();
    if (!reason)
      throw new InvalidInputError([{ field: 'withdrawReason', message: 'Enter why access is withdrawn' }]);
    const now = deps.clock.now();
    await trx
      .updateTable('family_account_children')
      .set({ ended_at: now, ended_reason: reason })
      .where('account_id', '=', input.accountId)
      .where('child_id', '=', child.id)
      .execute();
    const remaining = await trx
      .selectFrom('family_account_children')
      .select('child_id')
      .where('account_id', '=', input.accountId)
      .where('ended_at', 'is', null)
      .executeTakeFirst();
    if (!remaining) {
      await trx
        .updateTable('family_accounts')
        .set((eb) => ({
          status: 'withdrawn',
          withdrawn_at: now,
          withdrawn_by: actor.userId,
          withdrawn_reason: reason,
          updated_at: now,
          version: eb('version', '+', 1),
        }))
        .where('id', '=', input.accountId)
        .execute();
      await endFamilySessionsForAccount({ db: trx }, input.accountId);
    }
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'portal.access_withdrawn',
      entityType: 'family_account',
      entityId: input.accountId,
      detail: { childId: child.id, accountWithdrawn: !remaining },
      requestId: input.requestId,
    });
  });
}
