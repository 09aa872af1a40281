import { randomToken, sha256Hex } from '../../platform/auth/secrets.ts';
import type { Deps } from '../../platform/deps.ts';

/**
 * Portal sessions, kept apart from staff sessions (their own table and cookie): a staff token is
 * never found here, and a portal token is never found among staff sessions. Only the token's hash is
 * stored. The idle and absolute limits are the staff ones (HEARTH_SESSION_IDLE_MINUTES, ..._HOURS).
 */
export type FamilySession = {
  readonly idHash: string;
  readonly accountId: string;
  readonly csrfSecret: string;
};

const TOUCH_EVERY_MS = 60_000;

export async function createFamilySession(deps: Deps, accountId: string): Promise<string> {
  const token = randomToken();
  const now = deps.clock.now();
  await deps.db
    .insertInto('family_sessions')
    .values({
      id_hash: sha256Hex(token),
      account_id: accountId,
      csrf_secret: randomToken(),
      created_at: now,
      last_seen_at: now,
      expires_at: new Date(now.getTime() + deps.config.sessionAbsoluteHours * 3_600_000),
    })
    .execute();
  return token;
}

/** A live session for a cookie token; an expired one, or one for an account no longer active, is ended. */
export async function findFamilySession(
  deps: Deps,
  token: string | undefined,
): Promise<FamilySession | undefined> {
  if (!token || token.length > 100) return undefined;
  const idHash = sha256Hex(token);
  const row = await deps.db
    .selectFrom('family_sessions')
    .innerJoin('family_accounts', 'family_accounts.id', 'family_sessions.account_id')
    .select([
      'family_sessions.id_hash',
      'family_sessions.account_id',
      'family_sessions.csrf_secret',
      'family_sessions.last_seen_at',
      'family_sessions.expires_at',
      'family_accounts.status',
    ])
    .where('family_sessions.id_hash', '=', idHash)
    .executeTakeFirst();
  if (!row) return undefined;
  const now = deps.clock.now();
  const idleLimit = new Date(row.last_seen_at.getTime() + deps.config.sessionIdleMinutes * 60_000);
  if (row.status !== 'active' || row.expires_at <= now || idleLimit <= now) {
    await endFamilySession(deps, idHash);
    return undefined;
  }
  if (now.getTime() - row.last_seen_at.getTime() > TOUCH_EVERY_MS) {
    await deps.db
      .updateTable('family_sessions')
      .set({ last_seen_at: now })
      .where('id_hash', '=', idHash)
      .execute();
  }
  return { idHash: row.id_hash, accountId: row.account_id, csrfSecret: row.csrf_secret };
}

export async function endFamilySession(deps: Pick<Deps, 'db'>, idHash: string): Promise<void> {
  await deps.db.deleteFrom('family_sessions').where('id_hash', '=', idHash).execute();
}

export async function endFamilySessionsForAccount(deps: Pick<Deps, 'db'>, accountId: string): Promise<void> {
  await deps.db.deleteFrom('family_sessions').where('account_id', '=', accountId).execute();
}
