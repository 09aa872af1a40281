import { londonDate } from '../../../platform/clock.ts';
import { addWorkingDays } from '../../../platform/working-days.ts';
import { leadAllocation } from '../../help/episodes.ts';
import type { Executor } from './common.ts';

/**
 * Work the family's portal gives the child's worker: a correction to answer, a message to reply to.
 * The task goes to the allocated lead practitioner, or to their team while there is none.
 */

export const PORTAL_TASKS = {
  family_correction: { title: 'Answer a correction from the family', workingDays: 10 },
  family_message: { title: 'Reply to a message from the family', workingDays: 2 },
} as const;
export type PortalTaskKind = keyof typeof PORTAL_TASKS;

/** Opens the task unless one is already open for the same source. Returns the worker, if any. */
export async function openPortalTask(
  db: Executor,
  input: {
    organisationId: string;
    childId: string;
    kind: PortalTaskKind;
    sourceType: string;
    sourceId: string;
    at: Date;
  },
): Promise<void> {
  const open = await db
    .selectFrom('tasks')
    .select('id')
    .where('source_type', '=', input.sourceType)
    .where('source_id', '=', input.sourceId)
    .where('kind', '=', input.kind)
    .where('completed_at', 'is', null)
    .executeTakeFirst();
  if (open) return;
  const allocation = await leadAllocation(db, input.childId);
  const episode = await db
    .selectFrom('help_episodes')
    .select('id')
    .where('person_id', '=', input.childId)
    .where('closed_on', 'is', null)
    .executeTakeFirst();
  const spec = PORTAL_TASKS[input.kind];
  await db
    .insertInto('tasks')
    .values({
      organisation_id: input.organisationId,
      person_id: input.childId,
      episode_id: episode?.id ?? null,
      kind: input.kind,
      title: spec.title,
      due_on: addWorkingDays(londonDate(input.at), spec.workingDays),
      assigned_user_id: allocation?.workerUserId ?? null,
      assigned_team_id: allocation?.teamId ?? null,
      source_type: input.sourceType,
      source_id: input.sourceId,
    })
    .execute();
}

/** Completes the open portal tasks of a source. */
export async function completePortalTasks(
  db: Executor,
  input: { sourceType: string; sourceId: string; byUserId: string; at: Date },
): Promise<void> {
  await db
    .updateTable('tasks')
    .set({ completed_at: input.at, completed_by: input.byUserId })
    .where('source_type', '=', input.sourceType)
    .where('source_id', '=', input.sourceId)
    .where('completed_at', 'is', null)
    .execute();
}
