import { recordView } from '../../platform/audit/audit.ts';
import type { Deps } from '../../platform/deps.ts';
import type { FamilyActor } from './family-actor.ts';

/**
 * A family member looked at part of a child's record in the portal: one audit row, committed before
 * anything is shown (recordView), with no staff actor and the family account's id in the detail
 * (never a name or other personal data). Every portal page about a child calls this.
 */
export async function auditFamilyView(
  deps: Pick<Deps, 'db'>,
  actor: FamilyActor,
  input: { childId: string; route: string; section: string; requestId?: string | null | undefined },
): Promise<void> {
  await recordView(deps.db, {
    actorUserId: null,
    action: 'portal.view',
    entityType: 'person',
    entityId: input.childId,
    detail: { familyAccountId: actor.accountId, route: input.route, section: input.section },
    requestId: input.requestId ?? null,
  });
}
