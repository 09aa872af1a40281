import { recordAudit } from '../../platform/audit/audit.ts';
import type { Deps } from '../../platform/deps.ts';
import type { DemoHelpIds } from './demo-help.ts';

/**
 * The demo's family portal account: Jade Bennett, mother of Amara and Leo, invited by Sam Okafor and
 * able to see both children's records. Sign in at /family/sign-in with this address; in development
 * the code is written to HEARTH_DATA_DIR/outbox (NOTIFY_SENDER=outbox).
 */
export const DEMO_PARENT_EMAIL = 'jade.bennett@demo.hearth.invalid';

export async function seedDemoPortal(deps: Deps, ids: DemoHelpIds): Promise<void> {
  const jade = ids.people.get('jade');
  const children = ['amara', 'leo'].flatMap((key) => {
    const id = ids.people.get(key);
    return id ? [id] : [];
  });
  const sam = ids.users.get('practitioner@demo.hearth.invalid') ?? null;
  if (!jade || children.length === 0) return;
  await deps.db.transaction().execute(async (trx) => {
    const account = await trx
      .insertInto('family_accounts')
      .values({
        organisation_id: ids.organisationId,
        person_id: jade,
        kind: 'parent',
        email: DEMO_PARENT_EMAIL,
        invited_by: sam,
        invited_at: deps.clock.now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('family_account_children')
      .values(children.map((child) => ({ account_id: account.id, child_id: child, granted_by: sam })))
      .execute();
    await recordAudit(
      trx,
      ...children.map((child) => ({
        actorUserId: sam,
        action: 'portal.access_granted',
        entityType: 'family_account',
        entityId: account.id,
        detail: { childId: child, kind: 'parent', newAccount: true, demo: true },
      })),
    );
  });
}
