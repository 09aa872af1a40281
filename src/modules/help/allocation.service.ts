import type { Deps } from '../../platform/deps.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import { VersionConflictError, differingFields } from '../../platform/errors.ts';
import { addWorkingDays } from '../../platform/working-days.ts';
import type { Actor } from '../access/actor.ts';
import { personInScopeFor } from '../access/person-scope.ts';
import { ErrorList } from '../people/person-form.ts';
import { UUID, auditChildView, londonDate, requireHelpPermission, type Executor } from './access.ts';
import { addAutomaticEntry } from './chronology.ts';
import {
  PRACTITIONER_ROLES,
  allocationHistoryOf,
  currentAllocationOf,
  requireHelpChild,
  type AllocationLine,
  type HelpChild,
} from './episode.service.ts';
import { CHANGE_REASONS } from './codes.ts';
import { allocate, workersInLast12Months } from './episodes.ts';
import { TIMESCALES, openTask } from './tasks.ts';

/**
 * Allocation: the child's team and lead practitioner (a social worker or a family help worker), with
 * every change of worker recorded with its SSDA903 reason and a note, and a warning, before the
 * change is confirmed, of how many workers the child has had in the last 12 months.
 */

export { CHANGE_REASONS, PRACTITIONER_ROLES };

export type Role = 'social_worker' | 'family_help_worker' | 'personal_adviser' | 'other';

export type CurrentAllocation = {
  readonly id: string;
  readonly teamId: string;
  readonly teamName: string;
  readonly workerId: string | null;
  readonly workerName: string | null;
  readonly role: Role | null;
  readonly since: Date;
};

export type AllocationPage = {
  readonly child: HelpChild;
  readonly current: CurrentAllocation | null;
  readonly teams: readonly { id: string; name: string; locality: string | null }[];
  readonly workersInLast12Months: number;
  readonly history: readonly AllocationLine[];
};

export type TeamMember = { readonly id: string; readonly name: string };

export type AllocationFormValues = {
  /** The allocation the form was opened against ('' when the child had none): the concurrency check. */
  readonly currentAllocationId: string;
  readonly teamId: string;
  /** A member of the team, or 'none' (the team's manager will choose). */
  readonly workerId: string;
  readonly role: string;
  readonly changeReason: string;
  readonly changeNote: string;
};

export type AllocationResult =
  | {
      readonly outcome: 'confirm';
      readonly childName: string;
      readonly currentWorkerName: string;
      readonly newWorkerName: string | null;
      readonly teamName: string;
      readonly workersInLast12Months: number;
    }
  | { readonly outcome: 'allocated'; readonly allocationId: string; readonly stillInScope: boolean };

async function loadCurrent(db: Executor, personId: string): Promise<CurrentAllocation | null> {
  const row = await currentAllocationOf(db, personId);
  if (!row) return null;
  return {
    id: row.id,
    teamId: row.team_id,
    teamName: row.team_name,
    workerId: row.worker_user_id,
    workerName: row.worker_name,
    role: row.practitioner_role,
    since: row.started_at,
  };
}

async function councilTeams(db: Executor, organisationId: string) {
  const rows = await db
    .selectFrom('teams')
    .leftJoin('localities', 'localities.id', 'teams.locality_id')
    .select(['teams.id', 'teams.name', 'localities.name as locality'])
    .where('teams.organisation_id', '=', organisationId)
    .orderBy('teams.name')
    .execute();
  return rows.map((t) => ({ id: t.id, name: t.name, locality: t.locality }));
}

/**
 * The allocation page: the current team and lead practitioner, the teams of the council, the
 * history with reasons. Needs help 'allocate' with the child in scope; loading it is a view.
 */
export async function allocationPage(
  deps: Deps,
  actor: Actor,
  input: { personId: string; requestId?: string | null; audit?: boolean },
): Promise<AllocationPage> {
  const child = await requireHelpChild(deps.db, actor, deps.clock, input.personId, 'allocate');
  const [current, teams, workers, history] = await Promise.all([
    loadCurrent(deps.db, child.id),
    councilTeams(deps.db, actor.organisationId),
    workersInLast12Months(deps.db, child.id, deps.clock.now()),
    allocationHistoryOf(deps.db, child.id),
  ]);
  if (input.audit !== false) {
    await auditChildView(deps.db, actor, {
      personId: child.id,
      route: '/children/:id/allocation',
      purpose: 'allocation',
      requestId: input.requestId ?? null,
    });
  }
  return { child, current, teams, workersInLast12Months: workers, history };
}

/** The active members of a team of the actor's council, for choosing a lead practitioner. */
export async function teamMembers(deps: Deps, actor: Actor, teamId: string): Promise<TeamMember[]> {
  requireHelpPermission(actor, 'allocate');
  if (!UUID.test(teamId)) return [];
  const rows = await deps.db
    .selectFrom('team_memberships')
    .innerJoin('users', 'users.id', 'team_memberships.user_id')
    .innerJoin('teams', 'teams.id', 'team_memberships.team_id')
    .select(['users.id', 'users.display_name'])
    .where('team_memberships.team_id', '=', teamId)
    .where('teams.organisation_id', '=', actor.organisationId)
    .where('users.disabled_at', 'is', null)
    .orderBy('users.display_name')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.display_name }));
}

/** Whether a team belongs to the actor's council (the only teams a child can be allocated to). */
export async function teamOfCouncil(
  deps: Deps,
  actor: Actor,
  teamId: string,
): Promise<{ id: string; name: string } | undefined> {
  requireHelpPermission(actor, 'allocate');
  if (!UUID.test(teamId)) return undefined;
  return deps.db
    .selectFrom('teams')
    .select(['id', 'name'])
    .where('id', '=', teamId)
    .where('organisation_id', '=', actor.organisationId)
    .executeTakeFirst();
}

const CONFLICT_LABELS = { team: 'Team', worker: 'Lead practitioner' } as const;

/**
 * Allocates the child to a team and lead practitioner (help 'allocate' with the child in scope; the
 * team in the same council; the worker a member of that team). Replacing a worker needs a reason
 * (SSDA903 SW_REASON) and a note, and is confirmed only after the warning of how many workers the
 * child has had in the last 12 months: without `confirmed` the result is 'confirm' and nothing is
 * written. The change completes 'allocate_worker' tasks, hands the old worker's open tasks for the
 * child to the new one, and writes a chronology entry and an audit row in the same transaction.
 */
export async function allocateChild(
  deps: Deps,
  actor: Actor,
  input: { personId: string; values: AllocationFormValues; confirmed: boolean; requestId?: string | null },
): Promise<AllocationResult> {
  const { values } = input;
  const now = deps.clock.now();
  const today = londonDate(now);
  return deps.db.transaction().execute(async (trx) => {
    const child = await requireHelpChild(trx, actor, deps.clock, input.personId, 'allocate');
    // Serialise allocations of one child: the row lock makes the concurrency check below exact.
    await trx.selectFrom('people').select('id').where('id', '=', child.id).forUpdate().execute();
    const current = await loadCurrent(trx, child.id);
    const errors = new ErrorList();
    const team = UUID.test(values.teamId)
      ? await trx
          .selectFrom('teams')
          .select(['id', 'name'])
          .where('id', '=', values.teamId)
          .where('organisation_id', '=', actor.organisationId)
          .executeTakeFirst()
      : undefined;
    if (!team) errors.add('teamId', 'Choose a team');
    const worker =
      team && UUID.test(values.workerId)
        ? await trx
            .selectFrom('team_memberships')
            .innerJoin('users', 'users.id', 'team_memberships.user_id')
            .select(['users.id', 'users.display_name'])
            .where('team_memberships.team_id', '=', team.id)
            .where('team_memberships.user_id', '=', values.workerId)
            .where('users.disabled_at', 'is', null)
            .executeTakeFirst()
        : undefined;

    // Someone else changed the allocation since this form was opened.
    if ((current?.id ?? '') !== values.currentAllocationId) {
      const yours = {
        team: team?.name ?? '',
        worker: worker?.display_name ?? (values.workerId === 'none' ? 'No one yet' : ''),
      };
      const saved = { team: current?.teamName ?? '', worker: current?.workerName ?? 'No one yet' };
      const fields = differingFields(CONFLICT_LABELS, saved, yours);
      throw new VersionConflictError(
        fields.length > 0
          ? fields
          : [{ label: 'Lead practitioner', saved: saved.worker, yours: yours.worker }],
        `/children/${child.id}/allocation`,
      );
    }

    if (team && !worker && values.workerId !== 'none') {
      errors.add('workerId', `Choose the lead practitioner from ${team.name}, or ‘No one yet’`);
    }
    const role = worker && Object.hasOwn(PRACTITIONER_ROLES, values.role) ? (values.role as Role) : null;
    if (worker && !role) errors.add('role', 'Choose the lead practitioner’s role');
    const newWorkerId = worker?.id ?? null;
    const replacing = current?.workerId != null && current.workerId !== newWorkerId;
    // A reason is needed when a worker is replaced, and kept (if given) for any other change.
    const knownReason = Object.hasOwn(CHANGE_REASONS, values.changeReason) ? values.changeReason : null;
    if (replacing && !knownReason) errors.add('changeReason', 'Choose why the lead practitioner is changing');
    const changeReason = current ? knownReason : null;
    const note = values.changeNote.trim();
    if (replacing && note === '')
      errors.add('changeNote', 'Explain the change of worker, as you would to the child');
    else if (note.length > 2000) errors.add('changeNote', 'The note must be 2000 characters or fewer');
    const changeNote = note === '' ? null : note;
    if (
      team &&
      current &&
      current.teamId === team.id &&
      current.workerId === newWorkerId &&
      (newWorkerId === null || current.role === role)
    ) {
      errors.add('workerId', 'This is the current allocation: choose a different lead practitioner or team');
    }
    errors.throwIfAny();
    if (!team) throw new Error('unreachable: validated above');

    if (replacing && !input.confirmed) {
      return {
        outcome: 'confirm',
        childName: `${child.givenName} ${child.familyName}`,
        currentWorkerName: current.workerName ?? '',
        newWorkerName: worker?.display_name ?? null,
        teamName: team.name,
        workersInLast12Months: await workersInLast12Months(trx, child.id, now),
      };
    }

    const episode = await trx
      .selectFrom('help_episodes')
      .select('id')
      .where('person_id', '=', child.id)
      .where('closed_on', 'is', null)
      .executeTakeFirst();
    const allocationId = await allocate(trx, {
      personId: child.id,
      episodeId: episode?.id ?? null,
      teamId: team.id,
      workerUserId: newWorkerId,
      role,
      changeReason,
      changeNote,
      byUserId: actor.userId,
      at: now,
    });

    if (newWorkerId) {
      // The child has a worker now: nothing is waiting for one.
      await trx
        .updateTable('tasks')
        .set({ completed_at: now, completed_by: actor.userId })
        .where('person_id', '=', child.id)
        .where('kind', '=', 'allocate_worker')
        .where('completed_at', 'is', null)
        .execute();
    } else {
      const waiting = await trx
        .selectFrom('tasks')
        .select('id')
        .where('person_id', '=', child.id)
        .where('kind', '=', 'allocate_worker')
        .where('completed_at', 'is', null)
        .executeTakeFirst();
      if (waiting) {
        await trx
          .updateTable('tasks')
          .set({ assigned_team_id: team.id, assigned_user_id: null })
          .where('id', '=', waiting.id)
          .execute();
      } else {
        await openTask(trx, {
          organisationId: actor.organisationId,
          personId: child.id,
          episodeId: episode?.id ?? null,
          kind: 'allocate_worker',
          title: 'Choose a lead practitioner',
          dueOn: addWorkingDays(today, TIMESCALES.allocateWorkerWorkingDays),
          assignedUserId: null,
          assignedTeamId: team.id,
          sourceType: 'allocation',
          sourceId: allocationId,
        });
      }
    }
    // The previous worker's open work for this child goes with the child.
    if (current?.workerId && current.workerId !== newWorkerId) {
      await trx
        .updateTable('tasks')
        .set({ assigned_user_id: newWorkerId, assigned_team_id: team.id })
        .where('person_id', '=', child.id)
        .where('assigned_user_id', '=', current.workerId)
        .where('kind', 'in', ['visit_due', 'plan_review_due', 'complete_assessment', 'other'])
        .where('completed_at', 'is', null)
        .execute();
    }

    const roleWords = role ? (PRACTITIONER_ROLES[role] ?? '').toLowerCase() : '';
    const summary = worker
      ? `${current?.workerId ? 'Your new worker is' : 'Your worker is'} ${worker.display_name}${roleWords ? ` (${roleWords})` : ''}, in ${team.name}.`
      : `Your help is now with ${team.name}. They will choose your new worker soon.`;
    await addAutomaticEntry(trx, {
      personId: child.id,
      episodeId: episode?.id ?? null,
      occurredOn: today,
      event: 'allocation.changed',
      summary,
      sourceType: 'allocation',
      sourceId: allocationId,
      actorUserId: actor.userId,
    });
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'help.allocated',
      entityType: 'person',
      entityId: child.id,
      detail: {
        allocationId,
        previousAllocationId: current?.id ?? null,
        teamId: team.id,
        workerUserId: newWorkerId,
        changeReason,
      },
      requestId: input.requestId ?? null,
    });
    const still = await trx
      .selectFrom('people')
      .select('id')
      .where('id', '=', child.id)
      .where(personInScopeFor(actor, 'help', 'read', deps.clock))
      .executeTakeFirst();
    return { outcome: 'allocated', allocationId, stillInScope: still !== undefined };
  });
}
