import type { Selectable } from 'kysely';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Actor } from '../access/actor.ts';
import type { Executor } from './access.ts';
import type { HelpEpisodeTable } from './help.table.ts';

/** Pieces shared by the assessment and plan services. */

export type ChildRef = { readonly id: string; readonly name: string };

export function childRef(row: { id: string; given_name: string; family_name: string }): ChildRef {
  return { id: row.id, name: `${row.given_name} ${row.family_name}` };
}

/** The child's lead allocation now: the team and, if named, the lead practitioner. */
export async function leadOf(
  db: Executor,
  personId: string,
): Promise<{ teamId: string; workerUserId: string | null } | undefined> {
  const row = await db
    .selectFrom('allocations')
    .select(['team_id', 'worker_user_id'])
    .where('person_id', '=', personId)
    .where('ended_at', 'is', null)
    .orderBy('is_lead', 'desc')
    .orderBy('started_at', 'desc')
    .executeTakeFirst();
  return row ? { teamId: row.team_id, workerUserId: row.worker_user_id } : undefined;
}

/** The child's open episode of help, if there is one. */
export async function openEpisode(
  db: Executor,
  personId: string,
): Promise<Selectable<HelpEpisodeTable> | undefined> {
  return db
    .selectFrom('help_episodes')
    .selectAll()
    .where('person_id', '=', personId)
    .where('closed_on', 'is', null)
    .executeTakeFirst();
}

/** Reading a child's assessments or plans is a view of the child's record. */
export async function auditChildView(
  db: Executor,
  actor: Actor,
  personId: string,
  context: { requestId?: string | null | undefined; route: string; purpose: string },
): Promise<void> {
  await recordAudit(db, {
    actorUserId: actor.userId,
    action: 'person.view',
    entityType: 'person',
    entityId: personId,
    detail: { route: context.route, purpose: context.purpose },
    requestId: context.requestId ?? null,
  });
}

/** The latest of two ISO dates. */
export function laterOf(a: string, b: string): string {
  return a > b ? a : b;
}

/** The ISO date `days` calendar days after another. */
export function addCalendarDays(iso: string, days: number): string {
  const date = new Date(`${iso}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}
