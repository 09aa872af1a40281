import type { Deps } from '../../../platform/deps.ts';
import { NotFoundError } from '../../../platform/errors.ts';
import { can, type Actor } from '../../access/actor.ts';
import { childInHelpScope, requireHelpPermission } from '../../help/access.ts';
import { CONFERENCE_KINDS } from '../../protection/codes.ts';
import type { PortalContext } from './common.ts';
import {
  auditStaffPortalView,
  childPortalAccounts,
  documentSharesFor,
  type PortalAccountRef,
  type StaffDocumentShares,
} from './reports.ts';
import { allFamilyViewsFor, correctionsFor, type StaffCorrection, type StaffFamilyView } from './views.ts';

/**
 * The staff side of the family portal for one child: who in the family uses it, the views they have
 * given, the corrections waiting for an answer (and those answered), and the documents shared with
 * them with read receipts. Scoped like every help record page: a child outside scope is not found.
 */

export type StaffPortalPage = {
  readonly child: { readonly id: string; readonly name: string };
  readonly accounts: readonly PortalAccountRef[];
  readonly views: readonly (StaffFamilyView & { aboutLabel: string })[];
  readonly corrections: readonly StaffCorrection[];
  readonly openCorrections: number;
  readonly documents: readonly StaffDocumentShares[];
  readonly conferences: readonly { id: string; label: string }[];
  readonly canWrite: boolean;
};

export async function staffPortalPage(
  deps: Deps,
  actor: Actor,
  input: { childId: string } & PortalContext,
): Promise<StaffPortalPage> {
  requireHelpPermission(actor, 'read');
  const row = await childInHelpScope(deps.db, actor, deps.clock, input.childId, 'read');
  let canWrite = can(actor, 'help', 'write');
  if (canWrite) {
    try {
      await childInHelpScope(deps.db, actor, deps.clock, row.id, 'write');
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      canWrite = false;
    }
  }
  const [accounts, views, corrections, documents, conferences] = await Promise.all([
    childPortalAccounts(deps.db, row.id),
    allFamilyViewsFor(deps.db, row.id),
    correctionsFor(deps.db, row.id),
    documentSharesFor(deps.db, row.id),
    deps.db
      .selectFrom('conferences')
      .select(['id', 'kind', 'held_on'])
      .where('person_id', '=', row.id)
      .orderBy('held_on', 'desc')
      .execute(),
  ]);
  await auditStaffPortalView(deps.db, actor, {
    childId: row.id,
    purpose: 'family_portal',
    requestId: input.requestId,
    route: input.route ?? '/children/:id/family-portal/contributions',
  });
  return {
    child: { id: row.id, name: `${row.given_name} ${row.family_name}` },
    accounts,
    views,
    corrections,
    openCorrections: corrections.filter((c) => c.status === 'open').length,
    documents,
    conferences: conferences.map((c) => ({ id: c.id, label: `${CONFERENCE_KINDS[c.kind]}, ${c.held_on}` })),
    canWrite,
  };
}
