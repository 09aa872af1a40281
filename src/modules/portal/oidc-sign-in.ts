import { sql } from 'kysely';
import { recordAudit } from '../../platform/audit/audit.ts';
import { describe, verifyOidcCallback } from '../../platform/auth/oidc.ts';
import type { Oidc } from '../../platform/config.ts';
import type { Deps } from '../../platform/deps.ts';
import { createFamilySession } from './sessions.ts';

/**
 * Families signing in with GOV.UK One Login or a council's own provider, beside the one-time code.
 * The provider only proves who someone is: the portal account must already exist, made by a worker's
 * invitation. It is found by its stored, issuer-qualified subject; if no account has it, once by the
 * provider's verified email among invited or active accounts not yet linked, and the subject is then
 * stored (the link is audited). A withdrawn account never signs in. Nothing personal goes to the log
 * or the audit detail: account ids only.
 */
export type FamilyOidcResult =
  | { readonly kind: 'signed-in'; readonly token: string; readonly accountId: string }
  /** The provider vouched for someone with no invitation (unknown, withdrawn, or email not verified). */
  | { readonly kind: 'no-invitation' }
  /** The flow itself failed: no or expired flow cookie, wrong state, an error from the provider, a bad token. */
  | { readonly kind: 'failed'; readonly reason: string };

type Found = { readonly id: string; readonly status: string; readonly oidc_subject: string | null };

export async function completeFamilyOidcSignIn(
  deps: Deps,
  oidc: Oidc,
  input: { readonly query: string; readonly cookie: string | undefined; readonly requestId: string },
): Promise<FamilyOidcResult> {
  const identity = await verifyOidcCallback(deps, oidc, input);
  if ('failed' in identity) return { kind: 'failed', reason: identity.failed };

  const columns = ['id', 'status', 'oidc_subject'] as const;
  const bySubject: Found | undefined = await deps.db
    .selectFrom('family_accounts')
    .select(columns)
    .where('oidc_subject', '=', identity.subject)
    .executeTakeFirst();
  let account = bySubject?.status === 'withdrawn' ? undefined : bySubject;
  // Not linked yet, or linked to an account since withdrawn: a worker may have invited them afresh.
  if (!account) {
    let email: string | undefined;
    try {
      email = await identity.email();
    } catch (error) {
      return { kind: 'failed', reason: `userinfo: ${describe(error)}` };
    }
    if (email !== undefined) {
      account = await deps.db
        .selectFrom('family_accounts')
        .select(columns)
        .where(sql<string>`lower(email)`, '=', email)
        .where('status', 'in', ['invited', 'active'])
        .where('oidc_subject', 'is', null)
        .orderBy('invited_at', 'desc')
        .executeTakeFirst();
    }
  }
  if (!account) {
    await recordAudit(deps.db, {
      actorUserId: null,
      action: 'portal.sign_in_oidc_refused',
      entityType: 'family_account',
      entityId: bySubject?.id ?? null,
      detail: { reason: bySubject ? 'withdrawn' : 'no_invitation' },
      requestId: input.requestId,
    });
    return { kind: 'no-invitation' };
  }

  const found = account;
  let token: string | undefined;
  try {
    token = await linkAndStart(deps, {
      found,
      bySubject,
      subject: identity.subject,
      requestId: input.requestId,
    });
  } catch (error) {
    // Another sign-in linked the same subject at the same moment (the column is unique).
    if ((error as { code?: unknown }).code === '23505') return { kind: 'no-invitation' };
    throw error;
  }
  // Withdrawn or linked to another sign-in between the look-up and the update.
  if (token === undefined) return { kind: 'no-invitation' };
  return { kind: 'signed-in', token, accountId: found.id };
}

/** Stores the subject if the account has none yet, makes an invited account active, and starts a portal session. */
async function linkAndStart(
  deps: Deps,
  input: { found: Found; bySubject: Found | undefined; subject: string; requestId: string },
): Promise<string | undefined> {
  const { found, bySubject } = input;
  const linking = found.oidc_subject === null;
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    if (linking && bySubject) {
      // The subject moves from the withdrawn account to the new invitation (one account per subject).
      await trx
        .updateTable('family_accounts')
        .set({ oidc_subject: null, updated_at: now })
        .where('id', '=', bySubject.id)
        .where('status', '=', 'withdrawn')
        .execute();
    }
    const updated = await trx
      .updateTable('family_accounts')
      .set((eb) => ({
        status: 'active',
        oidc_subject: input.subject,
        first_signed_in_at: eb.fn.coalesce('first_signed_in_at', eb.val(now)),
        updated_at: now,
        version: eb('version', '+', 1),
      }))
      .where('id', '=', found.id)
      .where('status', 'in', ['invited', 'active'])
      // Linking only ever fills an empty subject; an account already linked keeps its own.
      .where((eb) => (linking ? eb('oidc_subject', 'is', null) : eb('oidc_subject', '=', input.subject)))
      .returning(['id'])
      .executeTakeFirst();
    if (!updated) return undefined;
    if (linking) {
      await recordAudit(trx, {
        actorUserId: null,
        action: 'portal.oidc_linked',
        entityType: 'family_account',
        entityId: found.id,
        detail: bySubject ? { movedFrom: bySubject.id } : {},
        requestId: input.requestId,
      });
    }
    const fresh = await createFamilySession({ ...deps, db: trx }, found.id);
    await recordAudit(trx, {
      actorUserId: null,
      action: found.status === 'invited' ? 'portal.first_signed_in' : 'portal.signed_in',
      entityType: 'family_account',
      entityId: found.id,
      detail: { method: 'oidc', linked: linking },
      requestId: input.requestId,
    });
    return fresh;
  });
}
