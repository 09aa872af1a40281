import type { Deps } from '../deps.ts';
import { randomToken, sha256Hex } from './secrets.ts';

export type SessionStage = 'password' | 'full';

export type Session = {
  readonly idHash: string;
  readonly userId: string;
  readonly stage: SessionStage;
  readonly csrfSecret: string;
  readonly pendingTotpSecret: string | null;
};

/** How long a half-finished sign-in (password done, code not yet) may wait. */
const PASSWORD_STAGE_MINUTES = 10;
/** last_seen_at is written at most this often, so reading pages does not write on every request. */
const TOUCH_EVERY_MS = 60_000;

/** Starts a session and returns the token for the cookie; only its hash is stored. */
export async function createSession(deps: Deps, userId: string, stage: SessionStage): Promise<string> {
  const token = randomToken();
  const now = deps.clock.now();
  const lifetimeMs =
    stage === 'full' ? deps.config.sessionAbsoluteHours * 3_600_000 : PASSWORD_STAGE_MINUTES * 60_000;
  await deps.db
    .insertInto('sessions')
    .values({
      id_hash: sha256Hex(token),
      user_id: userId,
      stage,
      csrf_secret: randomToken(),
      pending_totp_secret: null,
      created_at: now,
      last_seen_at: now,
      expires_at: new Date(now.getTime() + lifetimeMs),
    })
    .execute();
  return token;
}

/** Finds a live session for a cookie token, ending it if it has passed its idle or absolute limit. */
export async function findSession(deps: Deps, token: string | undefined): Promise<Session | undefined> {
  if (!token || token.length > 100) return undefined;
  const idHash = sha256Hex(token);
  const row = await deps.db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.id_hash',
      'sessions.user_id',
      'sessions.stage',
      'sessions.csrf_secret',
      'sessions.pending_totp_secret',
      'sessions.last_seen_at',
      'sessions.expires_at',
      'users.disabled_at',
    ])
    .where('sessions.id_hash', '=', idHash)
    .executeTakeFirst();
  if (!row) return undefined;
  const now = deps.clock.now();
  const idleLimit = new Date(row.last_seen_at.getTime() + deps.config.sessionIdleMinutes * 60_000);
  if (row.disabled_at !== null || row.expires_at <= now || idleLimit <= now) {
    await deps.db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
    return undefined;
  }
  if (now.getTime() - row.last_seen_at.getTime() > TOUCH_EVERY_MS) {
    await deps.db.updateTable('sessions').set({ last_seen_at: now }).where('id_hash', '=', idHash).execute();
  }
  return {
    idHash: row.id_hash,
    userId: row.user_id,
    stage: row.stage,
    csrfSecret: row.csrf_secret,
    pendingTotpSecret: row.pending_totp_secret,
  };
}

export async function endSession(deps: Deps, idHash: string): Promise<void> {
  await deps.db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

export async function endSessionsForUser(deps: Deps, userId: string): Promise<void> {
  await deps.db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}

export async function setPendingTotpSecret(deps: Deps, idHash: string, sealedSecret: string): Promise<void> {
  await deps.db.updateTable('sessions').set({ pending_totp_secret: sealedSecret }).where('id_hash', '=', idHash).execute();
}
