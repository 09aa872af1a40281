import { randomInt, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Deps } from '../../platform/deps.ts';
import type { Message, Notifier } from '../../platform/notify/index.ts';
import { createFamilySession } from './sessions.ts';

/**
 * Signing in to the family portal with a one-time code sent to the email address or mobile number a
 * worker recorded. The answer to "send me a code" is the same whether or not an account matches; a
 * code lasts 10 minutes, allows 5 attempts, and only its HMAC (keyed by the service secret) is kept.
 * An account gets at most 5 codes in 15 minutes. Nothing personal is written to the log or the audit
 * detail: account ids only.
 */
export const CODE_MINUTES = 10;
export const CODE_ATTEMPTS = 5;
const CODES_PER_WINDOW = 5;
const WINDOW_MS = 15 * 60_000;

export type Contact = { readonly kind: 'email' | 'sms'; readonly value: string };

/** An email address (lower case) or a mobile number (+44… for UK numbers), or undefined if neither. */
export function normaliseContact(input: string): Contact | undefined {
  const trimmed = input.trim();
  if (trimmed.includes('@')) {
    const email = trimmed.toLowerCase();
    return email.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)
      ? { kind: 'email', value: email }
      : undefined;
  }
  let digits = trimmed.replace(/[\s().-]/g, '');
  if (digits.startsWith('00')) digits = `+${digits.slice(2)}`;
  if (/^07\d{9}$/.test(digits)) digits = `+44${digits.slice(1)}`;
  if (/^447\d{9}$/.test(digits)) digits = `+${digits}`;
  return /^\+\d{8,15}$/.test(digits) ? { kind: 'sms', value: digits } : undefined;
}

function codeHash(deps: Deps, codeId: string, code: string): string {
  return deps.secrets.sign(`family-code:${codeId}:${code}`);
}

export type CodeRequest = {
  /** The code's id for the pending-sign-in cookie, or null when no code was sent. */
  readonly codeId: string | null;
  /** Resolves when the message has gone (or failed): callers need not wait for it. */
  readonly delivery: Promise<void>;
};

/** Sends a new code if an invited or active account has this contact; otherwise does nothing visible. */
export async function requestSignInCode(
  deps: Deps,
  notifier: Notifier,
  input: { contact: Contact; requestId: string },
): Promise<CodeRequest> {
  const { contact } = input;
  const column = contact.kind === 'email' ? sql<string>`lower(email)` : sql<string>`mobile`;
  const account = await deps.db
    .selectFrom('family_accounts')
    .select(['id'])
    .where(column, '=', contact.value)
    .where('status', 'in', ['invited', 'active'])
    .orderBy('invited_at', 'desc')
    .executeTakeFirst();
  const none: CodeRequest = { codeId: null, delivery: Promise.resolve() };
  if (!account || (contact.kind === 'sms' && !notifier.canText)) {
    await recordAudit(deps.db, {
      actorUserId: null,
      action: 'portal.code_not_sent',
      entityType: 'family_account',
      entityId: account?.id ?? null,
      detail: { reason: account ? 'no_text_sender' : 'no_account' },
      requestId: input.requestId,
    });
    return none;
  }
  const now = deps.clock.now();
  const recent = await deps.db
    .selectFrom('family_sign_in_codes')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('account_id', '=', account.id)
    .where('created_at', '>', new Date(now.getTime() - WINDOW_MS))
    .executeTakeFirstOrThrow();
  if (recent.n >= CODES_PER_WINDOW) {
    await recordAudit(deps.db, {
      actorUserId: null,
      action: 'portal.code_throttled',
      entityType: 'family_account',
      entityId: account.id,
      requestId: input.requestId,
    });
    return none;
  }
  const codeId = randomUUID();
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  await deps.db.transaction().execute(async (trx) => {
    // Only the newest code works.
    await trx
      .updateTable('family_sign_in_codes')
      .set({ expires_at: now })
      .where('account_id', '=', account.id)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .execute();
    await trx
      .insertInto('family_sign_in_codes')
      .values({
        id: codeId,
        account_id: account.id,
        code_hash: codeHash(deps, codeId, code),
        channel: contact.kind,
        created_at: now,
        expires_at: new Date(now.getTime() + CODE_MINUTES * 60_000),
      })
      .execute();
    await recordAudit(trx, {
      actorUserId: null,
      action: 'portal.code_sent',
      entityType: 'family_account',
      entityId: account.id,
      detail: { channel: contact.kind },
      requestId: input.requestId,
    });
  });
  return { codeId, delivery: notifier.send(codeMessage(contact, code)) };
}

/** The message with the code: short, plain, and no name or other personal detail. */
export function codeMessage(contact: Contact, code: string): Message {
  const body =
    contact.kind === 'email'
      ? [
          `Your code to sign in to the family portal is ${code}`,
          '',
          `The code lasts ${String(CODE_MINUTES)} minutes. Do not share it with anyone.`,
          '',
          'If you did not ask for a code, you can ignore this email.',
        ].join('\n')
      : `${code} is your family portal code. It lasts ${String(CODE_MINUTES)} minutes. Do not share it.`;
  return { to: contact.value, kind: contact.kind, subject: 'Your sign-in code', body };
}

export type CodeCheck =
  | { readonly kind: 'signed-in'; readonly token: string; readonly accountId: string }
  | { readonly kind: 'wrong' }
  /** Expired, used, too many attempts, or the account is no longer invited or active. */
  | { readonly kind: 'expired' };

/**
 * Checks a code. A right code ends the code, makes an invited account active (first sign-in) and
 * starts a portal session; a wrong one counts an attempt.
 */
export async function checkSignInCode(
  deps: Deps,
  input: { codeId: string | null; code: string; requestId: string },
): Promise<CodeCheck> {
  const { codeId } = input;
  if (codeId === null || !/^\d{6}$/.test(input.code)) return { kind: 'wrong' };
  const now = deps.clock.now();
  const row = await deps.db
    .selectFrom('family_sign_in_codes as c')
    .innerJoin('family_accounts as a', 'a.id', 'c.account_id')
    .select(['c.id', 'c.account_id', 'c.code_hash', 'c.expires_at', 'c.attempts', 'c.used_at', 'a.status'])
    .where('c.id', '=', codeId)
    .executeTakeFirst();
  if (!row) return { kind: 'wrong' };
  if (
    row.used_at !== null ||
    row.expires_at <= now ||
    row.attempts >= CODE_ATTEMPTS ||
    row.status === 'withdrawn'
  ) {
    return { kind: 'expired' };
  }
  if (!deps.secrets.verify(`family-code:${row.id}:${input.code}`, row.code_hash)) {
    const updated = await deps.db
      .updateTable('family_sign_in_codes')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('id', '=', row.id)
      .returning('attempts')
      .executeTakeFirstOrThrow();
    await recordAudit(deps.db, {
      actorUserId: null,
      action: 'portal.code_wrong',
      entityType: 'family_account',
      entityId: row.account_id,
      requestId: input.requestId,
    });
    return updated.attempts >= CODE_ATTEMPTS ? { kind: 'expired' } : { kind: 'wrong' };
  }
  const token = await deps.db.transaction().execute(async (trx) => {
    const used = await trx
      .updateTable('family_sign_in_codes')
      .set({ used_at: now })
      .where('id', '=', row.id)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (Number(used.numUpdatedRows) !== 1) return undefined;
    const account = await trx
      .updateTable('family_accounts')
      .set((eb) => ({
        status: 'active',
        first_signed_in_at: eb.fn.coalesce('first_signed_in_at', eb.val(now)),
        updated_at: now,
        version: eb('version', '+', 1),
      }))
      .where('id', '=', row.account_id)
      .where('status', 'in', ['invited', 'active'])
      .returning(['id'])
      .executeTakeFirst();
    if (!account) return undefined;
    const fresh = await createFamilySession({ ...deps, db: trx }, row.account_id);
    await recordAudit(trx, {
      actorUserId: null,
      action: row.status === 'invited' ? 'portal.first_signed_in' : 'portal.signed_in',
      entityType: 'family_account',
      entityId: row.account_id,
      requestId: input.requestId,
    });
    return fresh;
  });
  if (token === undefined) return { kind: 'expired' };
  return { kind: 'signed-in', token, accountId: row.account_id };
}
