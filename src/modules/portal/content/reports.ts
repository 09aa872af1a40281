import { sql } from 'kysely';
import { recordAudit } from '../../../platform/audit/audit.ts';
import type { Deps } from '../../../platform/deps.ts';
import { InvalidInputError, NotFoundError } from '../../../platform/errors.ts';
import type { Actor } from '../../access/actor.ts';
import { auditChildView, childInHelpScope, requireHelpPermission } from '../../help/access.ts';
import type { PortalSection } from '../family-actor.ts';
import type { FamilyActor } from '../family-actor.ts';
import {
  AUTHOR_KINDS,
  UUID,
  auditFamilyView,
  familyChild,
  asDate,
  type Executor,
  type FamilyChild,
  type PortalContext,
} from './common.ts';

/**
 * Reports shared with the family before a meeting. A worker shares a document of the child's record
 * with one or more family accounts (for a conference, when there is one); the parent reads or
 * downloads it in the portal, and the first and latest opening are recorded: the read receipt the
 * worker sees.
 */

export type FamilyReport = {
  readonly id: string;
  readonly title: string;
  readonly sizeKb: number;
  readonly sharedAt: Date;
  readonly meetingOn: string | null;
  readonly read: boolean;
};

export type FamilyReportsPage = { readonly child: FamilyChild; readonly reports: readonly FamilyReport[] };

/** Reports shared with this account about this child (section 'reports'). Audited as a family view. */
export async function familyReports(
  deps: Deps,
  actor: FamilyActor,
  input: { childId: string } & PortalContext,
): Promise<FamilyReportsPage> {
  const child = await familyChild(deps.db, actor, input.childId, 'reports');
  const rows = await deps.db
    .selectFrom('family_document_shares as s')
    .innerJoin('documents as d', 'd.id', 's.document_id')
    .leftJoin('conferences as c', 'c.id', 's.conference_id')
    .select(['s.id', 'd.title', 'd.size_bytes', 's.shared_at', 's.first_read_at', 'c.held_on'])
    .where('s.account_id', '=', actor.accountId)
    .where('s.child_id', '=', child.id)
    .where('d.person_id', '=', child.id)
    .where('s.withdrawn_at', 'is', null)
    .orderBy('s.shared_at', 'desc')
    .execute();
  await auditFamilyView(deps.db, actor, {
    childId: child.id,
    purpose: 'reports',
    requestId: input.requestId,
    route: input.route ?? '/family/children/:childId/reports',
  });
  return {
    child,
    reports: rows.map((r) => ({
      id: r.id,
      title: r.title,
      sizeKb: Math.max(1, Math.ceil(r.size_bytes / 1024)),
      sharedAt: asDate(r.shared_at),
      meetingOn: r.held_on,
      read: r.first_read_at !== null,
    })),
  };
}

export type FamilyReportFile = {
  readonly filename: string;
  readonly contentType: string;
  readonly content: Uint8Array;
};

/** Opens a shared report: records the read receipt and the view in one transaction, then returns the file. */
export async function openFamilyReport(
  deps: Deps,
  actor: FamilyActor,
  input: { childId: string; shareId: string } & PortalContext,
): Promise<FamilyReportFile> {
  const child = await familyChild(deps.db, actor, input.childId, 'reports');
  if (!UUID.test(input.shareId)) throw new NotFoundError();
  return deps.db.transaction().execute(async (trx) => {
    const now = deps.clock.now();
    const share = await trx
      .updateTable('family_document_shares')
      .set({
        first_read_at: sql<Date>`coalesce(first_read_at, ${now})`,
        last_read_at: now,
        times_read: sql<number>`times_read + 1`,
      })
      .where('id', '=', input.shareId)
      .where('account_id', '=', actor.accountId)
      .where('child_id', '=', child.id)
      .where('withdrawn_at', 'is', null)
      .returning(['document_id'])
      .executeTakeFirst();
    if (!share) throw new NotFoundError();
    const document = await trx
      .selectFrom('documents')
      .select(['filename', 'content_type', 'content'])
      .where('id', '=', share.document_id)
      .where('person_id', '=', child.id)
      .executeTakeFirst();
    if (!document) throw new NotFoundError();
    await recordAudit(trx, {
      actorUserId: null,
      action: 'portal.report.read',
      entityType: 'family_document_share',
      entityId: input.shareId,
      detail: {
        familyAccountId: actor.accountId,
        childId: child.id,
        ...(input.route ? { route: input.route } : {}),
      },
      requestId: input.requestId ?? null,
    });
    return { filename: document.filename, contentType: document.content_type, content: document.content };
  });
}

// ---------------------------------------------------------------------------------------------
// Staff
// ---------------------------------------------------------------------------------------------

export type PortalAccountRef = {
  readonly id: string;
  readonly name: string;
  readonly kindLabel: string;
  readonly sections: readonly PortalSection[] | null;
};

/** The family accounts that see this child now (any section), with the sections each may see. */
export async function childPortalAccounts(db: Executor, childId: string): Promise<PortalAccountRef[]> {
  const rows = await db
    .selectFrom('family_account_children as fac')
    .innerJoin('family_accounts as fa', 'fa.id', 'fac.account_id')
    .innerJoin('people', 'people.id', 'fa.person_id')
    .select(['fa.id', 'fa.kind', 'fac.sections', 'people.given_name', 'people.family_name'])
    .where('fac.child_id', '=', childId)
    .where('fac.ended_at', 'is', null)
    .where('fa.status', '<>', 'withdrawn')
    .orderBy('people.family_name')
    .orderBy('people.given_name')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: `${r.given_name} ${r.family_name}`,
    kindLabel: AUTHOR_KINDS[r.kind],
    sections: (r.sections as PortalSection[] | null) ?? null,
  }));
}

export function accountSees(account: PortalAccountRef, section: PortalSection): boolean {
  return account.sections === null || account.sections.includes(section);
}

export type StaffShare = {
  readonly id: string;
  readonly accountName: string;
  readonly sharedAt: Date;
  readonly sharedBy: string | null;
  readonly meetingOn: string | null;
  readonly firstReadAt: Date | null;
  readonly lastReadAt: Date | null;
  readonly timesRead: number;
  readonly withdrawn: boolean;
};

export type StaffDocumentShares = {
  readonly documentId: string;
  readonly title: string;
  readonly uploadedAt: Date;
  readonly shares: readonly StaffShare[];
};

/** Each of the child's documents with who in the family it is shared with and their read receipts. */
export async function documentSharesFor(db: Executor, childId: string): Promise<StaffDocumentShares[]> {
  const [documents, shares] = await Promise.all([
    db
      .selectFrom('documents')
      .select(['id', 'title', 'uploaded_at'])
      .where('person_id', '=', childId)
      .orderBy('uploaded_at', 'desc')
      .execute(),
    db
      .selectFrom('family_document_shares as s')
      .innerJoin('family_accounts as fa', 'fa.id', 's.account_id')
      .innerJoin('people', 'people.id', 'fa.person_id')
      .leftJoin('users', 'users.id', 's.shared_by')
      .leftJoin('conferences as c', 'c.id', 's.conference_id')
      .select([
        's.id',
        's.document_id',
        's.shared_at',
        's.first_read_at',
        's.last_read_at',
        's.times_read',
        's.withdrawn_at',
        'people.given_name',
        'people.family_name',
        'users.display_name',
        'c.held_on',
      ])
      .where('s.child_id', '=', childId)
      .orderBy('s.shared_at')
      .execute(),
  ]);
  return documents.map((d) => ({
    documentId: d.id,
    title: d.title,
    uploadedAt: asDate(d.uploaded_at),
    shares: shares
      .filter((s) => s.document_id === d.id)
      .map((s) => ({
        id: s.id,
        accountName: `${s.given_name} ${s.family_name}`,
        sharedAt: asDate(s.shared_at),
        sharedBy: s.display_name,
        meetingOn: s.held_on,
        firstReadAt: s.first_read_at ? asDate(s.first_read_at) : null,
        lastReadAt: s.last_read_at ? asDate(s.last_read_at) : null,
        timesRead: s.times_read,
        withdrawn: s.withdrawn_at !== null,
      })),
  }));
}

/**
 * A worker shares one of the child's documents with family accounts that may see reports (optionally
 * for a conference of the child). Sharing again with an account whose share was withdrawn renews it.
 */
export async function shareDocument(
  deps: Deps,
  actor: Actor,
  input: {
    childId: string;
    documentId: string;
    accountIds: readonly string[];
    conferenceId: string;
  } & PortalContext,
): Promise<number> {
  requireHelpPermission(actor, 'write');
  return deps.db.transaction().execute(async (trx) => {
    const child = await childInHelpScope(trx, actor, deps.clock, input.childId, 'write');
    const errors: { field: string; message: string }[] = [];
    const document = UUID.test(input.documentId)
      ? await trx
          .selectFrom('documents')
          .select('id')
          .where('id', '=', input.documentId)
          .where('person_id', '=', child.id)
          .executeTakeFirst()
      : undefined;
    if (!document) throw new NotFoundError();
    let conferenceId: string | null = null;
    if (input.conferenceId !== '') {
      const conference = UUID.test(input.conferenceId)
        ? await trx
            .selectFrom('conferences')
            .select('id')
            .where('id', '=', input.conferenceId)
            .where('person_id', '=', child.id)
            .executeTakeFirst()
        : undefined;
      if (!conference) errors.push({ field: 'conferenceId', message: 'Choose a conference of this child' });
      else conferenceId = conference.id;
    }
    const accounts = (await childPortalAccounts(trx, child.id)).filter((a) => accountSees(a, 'reports'));
    const chosen = accounts.filter((a) => input.accountIds.includes(a.id));
    if (chosen.length === 0 || chosen.length !== new Set(input.accountIds).size)
      errors.push({ field: 'accountIds', message: 'Choose who in the family to share it with' });
    if (errors.length > 0) throw new InvalidInputError(errors);
    const now = deps.clock.now();
    for (const account of chosen) {
      await trx
        .insertInto('family_document_shares')
        .values({
          document_id: document.id,
          child_id: child.id,
          account_id: account.id,
          conference_id: conferenceId,
          shared_by: actor.userId,
          shared_at: now,
        })
        .onConflict((oc) =>
          oc.columns(['document_id', 'account_id']).doUpdateSet({
            conference_id: conferenceId,
            shared_by: actor.userId,
            shared_at: now,
            withdrawn_at: null,
            withdrawn_by: null,
          }),
        )
        .execute();
    }
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'portal.report.share',
      entityType: 'document',
      entityId: document.id,
      detail: { childId: child.id, familyAccountIds: chosen.map((a) => a.id), conferenceId },
      requestId: input.requestId ?? null,
    });
    return chosen.length;
  });
}

/** A worker stops sharing a document with one account (the read receipt is kept). */
export async function withdrawShare(
  deps: Deps,
  actor: Actor,
  input: { childId: string; shareId: string } & PortalContext,
): Promise<void> {
  requireHelpPermission(actor, 'write');
  await deps.db.transaction().execute(async (trx) => {
    const child = await childInHelpScope(trx, actor, deps.clock, input.childId, 'write');
    if (!UUID.test(input.shareId)) throw new NotFoundError();
    const row = await trx
      .updateTable('family_document_shares')
      .set({ withdrawn_at: deps.clock.now(), withdrawn_by: actor.userId })
      .where('id', '=', input.shareId)
      .where('child_id', '=', child.id)
      .where('withdrawn_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!row) throw new NotFoundError();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'portal.report.withdraw',
      entityType: 'family_document_share',
      entityId: row.id,
      detail: { childId: child.id },
      requestId: input.requestId ?? null,
    });
  });
}

/** Staff reading the read receipts is a view of the child. */
export async function auditStaffPortalView(
  db: Executor,
  actor: Actor,
  input: { childId: string; purpose: string } & PortalContext,
): Promise<void> {
  await auditChildView(db, actor, {
    personId: input.childId,
    route: input.route ?? '/children/:id/family-portal/contributions',
    purpose: input.purpose,
    requestId: input.requestId,
  });
}
