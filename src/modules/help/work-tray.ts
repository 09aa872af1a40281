import { sql } from 'kysely';
import type { Deps } from '../../platform/deps.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../../platform/errors.ts';
import { workingDaysBetween } from '../../platform/working-days.ts';
import { scopeFor, type Actor } from '../access/actor.ts';
import { personInScopeFor } from '../access/person-scope.ts';
import { restrictedFrom } from '../people/restrictions.ts';
import { UUID, londonDate, requireHelpPermission, type Executor } from './access.ts';
import type { TaskKind } from './tasks.ts';
import { PORTAL_TASKS } from '../portal/content/tasks.ts';

/**
 * Work trays: a practitioner's open tasks (theirs, and their team's not yet given to anyone) and a
 * manager's view of a team (every open task of the team's children and members, with overdue counts
 * per worker). Overdue means the due date is before today in England; due dates were set in working
 * days (England and Wales bank holidays) when the tasks were opened.
 */

export const TASK_KIND_LABELS: Readonly<Record<TaskKind, string>> = {
  decide_request: 'Decide a request for help',
  complete_assessment: 'Complete an assessment',
  authorise_assessment: 'Authorise an assessment',
  visit_due: 'Visit',
  plan_review_due: 'Review a plan',
  allocate_worker: 'Choose a lead practitioner',
  other: 'Other',
};

export type TrayTask = {
  readonly id: string;
  readonly kind: string;
  readonly kindLabel: string;
  readonly title: string;
  readonly dueOn: string;
  readonly overdue: boolean;
  readonly dueToday: boolean;
  /** Working days past the due date (0 when not overdue, or overdue only by a weekend or holiday). */
  readonly workingDaysLate: number;
  /** Working days until the due date (0 when due today or overdue). */
  readonly workingDaysLeft: number;
  /** The child, when their record is within the actor's scope (otherwise the name is not shown). */
  readonly child: { readonly id: string; readonly name: string } | null;
  /** Where the work is done. */
  readonly href: string | null;
  readonly assignedUserId: string | null;
  readonly assignedTo: string | null;
  readonly teamName: string | null;
  /** Only 'other' tasks are marked done by hand; the rest complete when the work is recorded. */
  readonly canMarkDone: boolean;
};

type TaskRow = {
  id: string;
  kind: string;
  title: string;
  due_on: string;
  person_id: string | null;
  source_type: string | null;
  source_id: string | null;
  assigned_user_id: string | null;
  assignee: string | null;
  team_name: string | null;
  /** The child's name, when the actor may see the child (null otherwise, or without a child). */
  child_name: string | null;
};

function isTaskKind(kind: string): kind is TaskKind {
  return Object.hasOwn(TASK_KIND_LABELS, kind);
}

/** Where a task's work is done: the page that records it (which completes the task). */
function workHref(row: TaskRow, childVisible: boolean): string | null {
  if (row.kind === 'decide_request' && row.source_type === 'help_request' && row.source_id)
    return `/front-door/requests/${row.source_id}`;
  if (!row.person_id || !childVisible) return null;
  const base = `/children/${row.person_id}`;
  switch (row.kind) {
    case 'visit_due':
      return `${base}/visits/new`;
    case 'plan_review_due':
      return `${base}/plans`;
    case 'complete_assessment':
    case 'authorise_assessment':
      return `${base}/assessments`;
    case 'allocate_worker':
      return `/children/${row.person_id}/allocation`;
    // Work from the family portal: a correction to answer, a message to reply to.
    case 'family_correction':
      return `${base}/family-portal/contributions#correction-${row.source_id ?? ''}`;
    case 'family_message':
      return row.source_id
        ? `${base}/family-portal/messages/${row.source_id}`
        : `${base}/family-portal/messages`;
    default:
      return `${base}/help`;
  }
}

function toTrayTasks(deps: Deps, rows: readonly TaskRow[]): TrayTask[] {
  const today = londonDate(deps.clock.now());
  return rows.map((r) => {
    const name = r.child_name ?? undefined;
    const overdue = r.due_on < today;
    return {
      id: r.id,
      kind: r.kind,
      kindLabel: isTaskKind(r.kind)
        ? TASK_KIND_LABELS[r.kind]
        : r.kind in PORTAL_TASKS
          ? PORTAL_TASKS[r.kind as keyof typeof PORTAL_TASKS].title
          : r.kind,
      title: r.title,
      dueOn: r.due_on,
      overdue,
      dueToday: r.due_on === today,
      workingDaysLate: overdue ? workingDaysBetween(r.due_on, today) : 0,
      workingDaysLeft: overdue ? 0 : workingDaysBetween(today, r.due_on),
      child: r.person_id && name !== undefined ? { id: r.person_id, name } : null,
      href: workHref(r, name !== undefined),
      assignedUserId: r.assigned_user_id,
      assignedTo: r.assignee,
      teamName: r.team_name,
      canMarkDone: r.kind === 'other',
    };
  });
}

/**
 * The council's open tasks, soonest due first, each with the name of its child when the actor may
 * read the child's help record and no restriction hides them (null otherwise), checked in the same
 * query.
 */
function openTasks(db: Executor, deps: Deps, actor: Actor) {
  return db
    .selectFrom('tasks')
    .leftJoin('users', 'users.id', 'tasks.assigned_user_id')
    .leftJoin('teams', 'teams.id', 'tasks.assigned_team_id')
    .select((eb) => [
      'tasks.id',
      'tasks.kind',
      'tasks.title',
      'tasks.due_on',
      'tasks.person_id',
      'tasks.source_type',
      'tasks.source_id',
      'tasks.assigned_user_id',
      'users.display_name as assignee',
      'teams.name as team_name',
      eb
        .selectFrom('people')
        .select(sql<string>`people.given_name || ' ' || people.family_name`.as('name'))
        .whereRef('people.id', '=', 'tasks.person_id')
        .where('people.merged_into', 'is', null)
        .where(personInScopeFor(actor, 'help', 'read', deps.clock))
        .where((inner) => inner.not(restrictedFrom(actor, deps.clock)(inner)))
        .as('child_name'),
    ])
    .where('tasks.organisation_id', '=', actor.organisationId)
    .where('tasks.completed_at', 'is', null)
    .orderBy('tasks.due_on')
    .orderBy('tasks.created_at')
    .orderBy('tasks.id');
}

export type MyTray = {
  readonly today: string;
  readonly tasks: readonly TrayTask[];
  readonly overdue: number;
  /** Whether the actor may open the team view. */
  readonly canSeeTeams: boolean;
};

/**
 * The actor's work tray: tasks assigned to them, and tasks of their teams assigned to nobody yet,
 * soonest due first, overdue flagged. Filtered in SQL.
 */
export async function myWorkTray(deps: Deps, actor: Actor): Promise<MyTray> {
  requireHelpPermission(actor, 'read');
  const rows = await openTasks(deps.db, deps, actor)
    .where((eb) => {
      const mine = eb('tasks.assigned_user_id', '=', actor.userId);
      if (actor.teamIds.length === 0) return mine;
      return eb.or([
        mine,
        eb.and([
          eb('tasks.assigned_user_id', 'is', null),
          eb('tasks.assigned_team_id', 'in', [...actor.teamIds]),
        ]),
      ]);
    })
    .execute();
  const tasks = toTrayTasks(deps, rows);
  return {
    today: londonDate(deps.clock.now()),
    tasks,
    overdue: tasks.filter((t) => t.overdue).length,
    canSeeTeams: (await teamsToOversee(deps, actor)).length > 0,
  };
}

/**
 * The teams whose work tray the actor may see: their own teams when they allocate work (team
 * managers), and every team of the localities or council their help reading scope covers.
 */
export async function teamsToOversee(deps: Deps, actor: Actor): Promise<{ id: string; name: string }[]> {
  const allocate = scopeFor(actor, 'help', 'allocate');
  const read = scopeFor(actor, 'help', 'read');
  const scopes = [allocate, read];
  const all = scopes.includes('authority');
  const localities = scopes.includes('locality') ? [...actor.localityIds] : [];
  const own = allocate !== undefined ? [...actor.teamIds] : [];
  if (!all && localities.length === 0 && own.length === 0) return [];
  return deps.db
    .selectFrom('teams')
    .select(['teams.id', 'teams.name'])
    .where('teams.organisation_id', '=', actor.organisationId)
    .where((eb) => {
      if (all) return eb.val(true);
      const routes = [];
      if (localities.length > 0) routes.push(eb('teams.locality_id', 'in', localities));
      if (own.length > 0) routes.push(eb('teams.id', 'in', own));
      return eb.or(routes);
    })
    .orderBy('teams.name')
    .execute();
}

export type TeamTray = {
  readonly today: string;
  readonly team: { readonly id: string; readonly name: string };
  readonly teams: readonly { id: string; name: string }[];
  readonly tasks: readonly TrayTask[];
  readonly byWorker: readonly {
    readonly userId: string | null;
    readonly name: string;
    readonly open: number;
    readonly overdue: number;
  }[];
  readonly overdue: number;
};

/**
 * A team's work tray for its manager: every open task of the children allocated to the team, of its
 * members, or given to the team, with open and overdue counts per worker. A team the actor may not
 * oversee is not found.
 */
export async function teamWorkTray(
  deps: Deps,
  actor: Actor,
  input: { teamId?: string | undefined },
): Promise<TeamTray> {
  const teams = await teamsToOversee(deps, actor);
  if (teams.length === 0) throw new ForbiddenError();
  const wanted = input.teamId;
  const team = wanted ? teams.find((t) => t.id === wanted) : teams[0];
  if (!team) throw new NotFoundError();
  const members = await deps.db
    .selectFrom('team_memberships')
    .innerJoin('users', 'users.id', 'team_memberships.user_id')
    .select(['users.id', 'users.display_name'])
    .where('team_memberships.team_id', '=', team.id)
    .where('users.disabled_at', 'is', null)
    .orderBy('users.display_name')
    .execute();
  const memberIds = members.map((m) => m.id);
  const rows = await openTasks(deps.db, deps, actor)
    .where((eb) =>
      eb.or([
        eb('tasks.assigned_team_id', '=', team.id),
        ...(memberIds.length > 0 ? [eb('tasks.assigned_user_id', 'in', memberIds)] : []),
        eb(
          'tasks.person_id',
          'in',
          eb
            .selectFrom('allocations')
            .select('allocations.person_id')
            .where('allocations.team_id', '=', team.id)
            .where('allocations.ended_at', 'is', null),
        ),
      ]),
    )
    .execute();
  const tasks = toTrayTasks(deps, rows);
  const byWorker: { userId: string | null; name: string; open: number; overdue: number }[] = members.map(
    (m) => {
      const theirs = tasks.filter((t) => t.assignedUserId === m.id);
      return {
        userId: m.id,
        name: m.display_name,
        open: theirs.length,
        overdue: theirs.filter((t) => t.overdue).length,
      };
    },
  );
  const unassigned = tasks.filter((t) => t.assignedUserId === null);
  const elsewhere = tasks.filter((t) => t.assignedUserId !== null && !memberIds.includes(t.assignedUserId));
  if (unassigned.length > 0)
    byWorker.push({
      userId: null,
      name: 'Not given to anyone yet',
      open: unassigned.length,
      overdue: unassigned.filter((t) => t.overdue).length,
    });
  if (elsewhere.length > 0)
    byWorker.push({
      userId: null,
      name: 'Staff outside the team',
      open: elsewhere.length,
      overdue: elsewhere.filter((t) => t.overdue).length,
    });
  return {
    today: londonDate(deps.clock.now()),
    team,
    teams,
    tasks,
    byWorker,
    overdue: tasks.filter((t) => t.overdue).length,
  };
}

/**
 * Marks an 'other' task done. The task must be the actor's or their team's not yet given to anyone
 * (as in their work tray), or, for a manager who allocates work, any of their team's or a team
 * member's; anything else is not found. The other kinds complete themselves
 * when the work they ask for is recorded (a visit, a review, an assessment).
 */
export async function completeTask(
  deps: Deps,
  actor: Actor,
  input: { taskId: string; requestId?: string | null },
): Promise<void> {
  requireHelpPermission(actor, 'write');
  if (!UUID.test(input.taskId)) throw new NotFoundError();
  const manages = scopeFor(actor, 'help', 'allocate') !== undefined && actor.teamIds.length > 0;
  await deps.db.transaction().execute(async (trx) => {
    const task = await trx
      .selectFrom('tasks')
      .select(['id', 'kind', 'person_id', 'completed_at'])
      .where('id', '=', input.taskId)
      .where('organisation_id', '=', actor.organisationId)
      .where((eb) => {
        const routes = [eb('tasks.assigned_user_id', '=', actor.userId)];
        if (actor.teamIds.length > 0) {
          // The team's tasks that no one has been given yet (a manager: all the team's tasks).
          const team = eb('tasks.assigned_team_id', 'in', [...actor.teamIds]);
          routes.push(manages ? team : eb.and([team, eb('tasks.assigned_user_id', 'is', null)]));
        }
        if (manages) {
          routes.push(
            eb(
              'tasks.assigned_user_id',
              'in',
              eb
                .selectFrom('team_memberships')
                .select('team_memberships.user_id')
                .where('team_memberships.team_id', 'in', [...actor.teamIds]),
            ),
          );
        }
        return eb.or(routes);
      })
      .forUpdate()
      .executeTakeFirst();
    if (!task) throw new NotFoundError();
    if (task.completed_at !== null) return;
    if (task.kind !== 'other') {
      throw new InvalidInputError([
        { field: 'task', message: 'This task is completed when the work it asks for is recorded' },
      ]);
    }
    await trx
      .updateTable('tasks')
      .set({ completed_at: deps.clock.now(), completed_by: actor.userId })
      .where('id', '=', task.id)
      .where('completed_at', 'is', null)
      .execute();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'task.completed',
      entityType: 'task',
      entityId: task.id,
      detail: { kind: task.kind, personId: task.person_id },
      requestId: input.requestId ?? null,
    });
  });
}
