import { recordAudit } from '../audit/audit.ts';
import type { Deps } from '../deps.ts';
import { verifyPassword } from './passwords.ts';
import { createSession, endSession, type Session } from './sessions.ts';
import { checkTotp, newTotpSecret } from './totp.ts';

const THROTTLE_WINDOW_MS = 15 * 60_000;

export type PasswordSignInResult =
  | { readonly kind: 'second-factor'; readonly token: string; readonly enrolled: boolean }
  | { readonly kind: 'refused' }
  | { readonly kind: 'throttled' };

function throttleKey(email: string): string {
  return `email:${email.trim().toLowerCase()}`;
}

async function isThrottled(deps: Deps, key: string): Promise<boolean> {
  const row = await deps.db.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst();
  if (!row) return false;
  const windowOpen = deps.clock.now().getTime() - row.window_started_at.getTime() < THROTTLE_WINDOW_MS;
  return windowOpen && row.failures >= deps.config.loginMaxFailures;
}

async function noteFailure(deps: Deps, key: string): Promise<void> {
  const now = deps.clock.now();
  const windowStart = new Date(now.getTime() - THROTTLE_WINDOW_MS);
  await deps.db
    .insertInto('login_throttle')
    .values({ key, window_started_at: now, failures: 1 })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => ({
        failures: eb
          .case()
          .when('login_throttle.window_started_at', '<', windowStart)
          .then(1)
          .else(eb('login_throttle.failures', '+', 1))
          .end(),
        window_started_at: eb
          .case()
          .when('login_throttle.window_started_at', '<', windowStart)
          .then(now)
          .else(eb.ref('login_throttle.window_started_at'))
          .end(),
      })),
    )
    .execute();
}

/**
 * First step of signing in. An unknown email, a wrong password, a disabled account and an account
 * without a password all get the same answer after the same work; repeated failures for one email
 * are throttled whether or not the account exists.
 */
export async function signInWithPassword(
  deps: Deps,
  input: { email: string; password: string; requestId: string },
): Promise<PasswordSignInResult> {
  const key = throttleKey(input.email);
  if (await isThrottled(deps, key)) {
    await verifyPassword(null, input.password);
    await recordAudit(deps.db, {
      actorUserId: null,
      action: 'auth.sign_in_throttled',
      entityType: 'user',
      requestId: input.requestId,
    });
    return { kind: 'throttled' };
  }
  const user = await deps.db
    .selectFrom('users')
    .select(['id', 'password_hash', 'disabled_at', 'totp_secret'])
    .where((eb) => eb(eb.fn('lower', ['email']), '=', input.email.trim().toLowerCase()))
    .executeTakeFirst();
  const passwordOk = await verifyPassword(user?.password_hash, input.password);
  if (!user || !passwordOk || user.disabled_at !== null) {
    await noteFailure(deps, key);
    await recordAudit(deps.db, {
      actorUserId: user?.id ?? null,
      action: 'auth.sign_in_failed',
      entityType: 'user',
      entityId: user?.id ?? null,
      requestId: input.requestId,
    });
    return { kind: 'refused' };
  }
  await deps.db.deleteFrom('login_throttle').where('key', '=', key).execute();
  const token = await createSession(deps, user.id, 'password');
  await recordAudit(deps.db, {
    actorUserId: user.id,
    action: 'auth.password_accepted',
    entityType: 'user',
    entityId: user.id,
    requestId: input.requestId,
  });
  return { kind: 'second-factor', token, enrolled: user.totp_secret !== null };
}

export type SecondFactorResult =
  | { readonly kind: 'signed-in'; readonly token: string }
  | { readonly kind: 'refused' }
  | { readonly kind: 'throttled' };

/**
 * Second step: a TOTP code, for an enrolled user against their secret, or for a new user against the
 * secret shown at enrolment. On success the half-session is ended and a new one issued (rotation).
 * A code is accepted once only: its time step must be later than the last one used.
 */
export async function completeSecondFactor(
  deps: Deps,
  session: Session,
  input: { code: string; requestId: string },
): Promise<SecondFactorResult> {
  const key = `totp:${session.userId}`;
  if (await isThrottled(deps, key)) {
    await endSession(deps, session.idHash);
    return { kind: 'throttled' };
  }
  const user = await deps.db
    .selectFrom('users')
    .select(['id', 'totp_secret', 'totp_last_step', 'disabled_at'])
    .where('id', '=', session.userId)
    .executeTakeFirst();
  const sealed = user?.totp_secret ?? session.pendingTotpSecret;
  const step = sealed && user ? await checkTotp(deps.secrets.open(sealed), input.code, deps.clock.now()) : undefined;
  if (!user || step === undefined || (user.totp_last_step !== null && step <= user.totp_last_step)) {
    await noteFailure(deps, key);
    await recordAudit(deps.db, {
      actorUserId: session.userId,
      action: 'auth.second_factor_failed',
      entityType: 'user',
      entityId: session.userId,
      requestId: input.requestId,
    });
    return { kind: 'refused' };
  }
  await deps.db.deleteFrom('login_throttle').where('key', '=', key).execute();
  const enrolling = user.totp_secret === null;
  const token = await deps.db.transaction().execute(async (trx) => {
    const txDeps = { ...deps, db: trx };
    await trx
      .updateTable('users')
      .set({
        totp_last_step: step,
        ...(enrolling ? { totp_secret: sealed, totp_enrolled_at: deps.clock.now() } : {}),
      })
      .where('id', '=', user.id)
      .execute();
    await endSession(txDeps, session.idHash);
    const fresh = await createSession(txDeps, user.id, 'full');
    await recordAudit(trx, {
      actorUserId: user.id,
      action: enrolling ? 'auth.second_factor_enrolled' : 'auth.signed_in',
      entityType: 'user',
      entityId: user.id,
      requestId: input.requestId,
    });
    return fresh;
  });
  return { kind: 'signed-in', token };
}

/** A fresh enrolment secret, sealed for storage on the half-session. */
export function newSealedTotpSecret(deps: Deps): { plain: string; sealed: string } {
  const plain = newTotpSecret();
  return { plain, sealed: deps.secrets.seal(plain) };
}
