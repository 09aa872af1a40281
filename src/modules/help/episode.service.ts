import { sql, type ExpressionBuilder, type Selectable } from 'kysely';
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres';
import type { Database } from '../../db/database.ts';
import type { Deps } from '../../platform/deps.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import { NotFoundError, VersionConflictError, differingFields } from '../../platform/errors.ts';
import type { Actor } from '../access/actor.ts';
import { personInScopeFlag, personInScopeFor } from '../access/person-scope.ts';
import { ErrorList, parseDate, type DateParts } from '../people/person-form.ts';
import { restrictedFrom } from '../people/restrictions.ts';
import { UUID, auditChildView, londonDate, type Executor, type HelpAction } from './access.ts';
import { STATUS_LABELS, STATUTORY_STATUSES, currentEpisode, moveEpisode, openEpisodeOf } from './episodes.ts';
import { longDate } from './dates.ts';
import { CHANGE_REASONS, CLOSURE_REASONS, PRIMARY_NEEDS, REFERRAL_SOURCES } from './codes.ts';
import type { EpisodeStatus, HelpEpisodeTable } from './help.table.ts';
import { PLAN_KINDS } from './plan-codes.ts';

// The code lists live in codes.ts; the episode pages import them from here too.
export {
  CHANGE_REASONS,
  CLOSURE_REASONS,
  PRIMARY_NEEDS,
  REFERRAL_SOURCES,
  REFERRAL_SOURCE_LIST,
} from './codes.ts';

/**
 * The child's episode of help as one page: where it stands, who leads it, how it got here, and the
 * two changes made from that page: a step up or down (a change of status in the same episode) and
 * closing it with a CIN census reason. Allocation lives in allocation.service.ts.
 */

export type OpenStatus = Exclude<EpisodeStatus, 'closed'>;

/** Closure reasons that need an assessment in the episode (CIN census query 8825Q). */
const AFTER_ASSESSMENT = new Set(['RC8', 'RC9']);

const OPEN_STATUSES: readonly OpenStatus[] = [
  'family_help',
  'assessment',
  'child_in_need',
  'child_protection',
  'looked_after',
  'care_leaver',
];

/**
 * Where an episode may move from `from`: any other open status, except that only a looked-after
 * child becomes a care leaver, and a care leaver can only return to care (otherwise the help closes).
 */
export function allowedMoves(from: EpisodeStatus): OpenStatus[] {
  if (from === 'closed') return [];
  if (from === 'care_leaver') return ['looked_after'];
  return OPEN_STATUSES.filter((s) => s !== from && (s !== 'care_leaver' || from === 'looked_after'));
}

export function statusLabel(status: EpisodeStatus): string {
  return STATUS_LABELS[status];
}

function label(list: Readonly<Record<string, string>>, code: string | null | undefined): string | null {
  if (code === null || code === undefined) return null;
  return list[code] ?? code;
}

// ---------------------------------------------------------------------------------------------
// Record scope
// ---------------------------------------------------------------------------------------------

export type HelpChild = { readonly id: string; readonly givenName: string; readonly familyName: string };

/**
 * The child, if the actor may do `action` on their help record and no restriction keeps them out;
 * undefined otherwise. Scope is checked in SQL (an active allocation in the actor's scope).
 */
export async function findHelpChild(
  db: Executor,
  actor: Actor,
  clock: Clock,
  personId: string,
  action: HelpAction,
): Promise<HelpChild | undefined> {
  if (!UUID.test(personId)) return undefined;
  const row = await db
    .selectFrom('people')
    .select(['people.id', 'people.given_name', 'people.family_name'])
    .where('people.id', '=', personId)
    .where('people.merged_into', 'is', null)
    .where(personInScopeFor(actor, 'help', action, clock))
    .where((eb) => eb.not(restrictedFrom(actor, clock)(eb)))
    .executeTakeFirst();
  return row ? { id: row.id, givenName: row.given_name, familyName: row.family_name } : undefined;
}

type HelpRights = { readonly canWrite: boolean; readonly canAllocate: boolean };

/**
 * findHelpChild for reading, with the actor's rights to change and allocate the child's help in the
 * same query (the summary's "Change" and "Allocate" links).
 */
async function findHelpChildWithRights(
  db: Executor,
  actor: Actor,
  clock: Clock,
  personId: string,
): Promise<{ child: HelpChild; rights: HelpRights } | undefined> {
  if (!UUID.test(personId)) return undefined;
  const row = await db
    .selectFrom('people')
    .select((eb) => [
      'people.id',
      'people.given_name',
      'people.family_name',
      personInScopeFlag(actor, 'help', 'write', clock)(eb).as('can_write'),
      personInScopeFlag(actor, 'help', 'allocate', clock)(eb).as('can_allocate'),
    ])
    .where('people.id', '=', personId)
    .where('people.merged_into', 'is', null)
    .where(personInScopeFor(actor, 'help', 'read', clock))
    .where((eb) => eb.not(restrictedFrom(actor, clock)(eb)))
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    child: { id: row.id, givenName: row.given_name, familyName: row.family_name },
    rights: { canWrite: row.can_write, canAllocate: row.can_allocate },
  };
}

/** As findHelpChild, but a child outside scope is NotFoundError (404). */
export async function requireHelpChild(
  db: Executor,
  actor: Actor,
  clock: Clock,
  personId: string,
  action: HelpAction,
): Promise<HelpChild> {
  const child = await findHelpChild(db, actor, clock, personId, action);
  if (!child) throw new NotFoundError();
  return child;
}

// ---------------------------------------------------------------------------------------------
// The summary
// ---------------------------------------------------------------------------------------------

export type EpisodeView = {
  readonly id: string;
  readonly status: EpisodeStatus;
  readonly statusLabel: string;
  readonly statusSince: string;
  readonly startedOn: string;
  readonly closedOn: string | null;
  readonly closureReason: string | null;
  readonly closureReasonLabel: string | null;
  readonly closureNote: string | null;
  readonly version: number;
  readonly open: boolean;
};

export type HelpSummary = {
  readonly child: HelpChild;
  readonly today: string;
  /** The open episode, or the most recent closed one when none is open. */
  readonly episode: EpisodeView | null;
  readonly referral: {
    readonly referralDate: string;
    readonly source: string | null;
    readonly primaryNeed: string | null;
  } | null;
  readonly allocation: {
    readonly teamId: string;
    readonly teamName: string;
    readonly workerId: string | null;
    readonly workerName: string | null;
    readonly role: string | null;
    readonly since: Date;
  } | null;
  readonly workersInLast12Months: number;
  readonly recentWorkers: readonly string[];
  readonly statusHistory: readonly {
    readonly from: string | null;
    readonly to: string;
    readonly on: string;
    readonly reason: string;
    readonly by: string | null;
  }[];
  readonly plans: readonly {
    readonly id: string;
    readonly kind: string;
    readonly status: string;
    readonly startedOn: string | null;
    readonly nextReviewOn: string | null;
    readonly reviewOverdue: boolean;
  }[];
  readonly tasks: readonly TaskLine[];
  readonly latestVisitOn: string | null;
  readonly practicalHelpCount: number;
  readonly earlierEpisodes: readonly {
    readonly id: string;
    readonly startedOn: string;
    readonly closedOn: string | null;
    readonly closureReason: string | null;
  }[];
  readonly allocationHistory: readonly AllocationLine[];
  readonly canWrite: boolean;
  readonly canAllocate: boolean;
};

export type TaskLine = {
  readonly id: string;
  readonly kind: string;
  readonly title: string;
  readonly dueOn: string;
  readonly overdue: boolean;
  readonly assignedTo: string | null;
  readonly teamName: string | null;
};

export type AllocationLine = {
  readonly id: string;
  readonly teamName: string;
  readonly workerName: string | null;
  readonly role: string | null;
  readonly changeReason: string | null;
  readonly changeReasonLabel: string | null;
  readonly changeNote: string | null;
  readonly startedAt: Date;
  readonly endedAt: Date | null;
  readonly allocatedBy: string | null;
};

export const PRACTITIONER_ROLES: Readonly<Record<string, string>> = {
  social_worker: 'Social worker',
  family_help_worker: 'Family help worker',
  personal_adviser: 'Personal adviser',
  other: 'Other practitioner',
};

function toEpisodeView(
  row: Pick<
    Selectable<HelpEpisodeTable>,
    | 'id'
    | 'status'
    | 'status_since'
    | 'started_on'
    | 'closed_on'
    | 'closure_reason'
    | 'closure_note'
    | 'version'
  >,
): EpisodeView {
  return {
    id: row.id,
    status: row.status,
    statusLabel: STATUS_LABELS[row.status],
    statusSince: row.status_since,
    startedOn: row.started_on,
    closedOn: row.closed_on,
    closureReason: row.closure_reason,
    closureReasonLabel: label(CLOSURE_REASONS, row.closure_reason),
    closureNote: row.closure_note,
    version: row.version,
    open: row.closed_on === null,
  };
}

/** The allocation history of a child, newest first, with every reason in words. */
export async function allocationHistoryOf(db: Executor, personId: string): Promise<AllocationLine[]> {
  const rows = await db
    .selectFrom('allocations')
    .innerJoin('teams', 'teams.id', 'allocations.team_id')
    .leftJoin('users as worker', 'worker.id', 'allocations.worker_user_id')
    .leftJoin('users as by', 'by.id', 'allocations.allocated_by')
    .select([
      'allocations.id',
      'teams.name as team_name',
      'worker.display_name as worker_name',
      'allocations.practitioner_role',
      'allocations.change_reason',
      'allocations.change_note',
      'allocations.started_at',
      'allocations.ended_at',
      'by.display_name as by_name',
    ])
    .where('allocations.person_id', '=', personId)
    .orderBy('allocations.started_at', 'desc')
    .orderBy('allocations.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    teamName: r.team_name,
    workerName: r.worker_name,
    role: label(PRACTITIONER_ROLES, r.practitioner_role),
    changeReason: r.change_reason,
    changeReasonLabel: label(CHANGE_REASONS, r.change_reason),
    changeNote: r.change_note,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    allocatedBy: r.by_name,
  }));
}

/** The child's active lead allocation (the newest, should there be more than one). */
export async function currentAllocationOf(db: Executor, personId: string) {
  return db
    .selectFrom('allocations')
    .innerJoin('teams', 'teams.id', 'allocations.team_id')
    .leftJoin('users as worker', 'worker.id', 'allocations.worker_user_id')
    .select([
      'allocations.id',
      'allocations.team_id',
      'teams.name as team_name',
      'allocations.worker_user_id',
      'worker.display_name as worker_name',
      'allocations.practitioner_role',
      'allocations.started_at',
    ])
    .where('allocations.person_id', '=', personId)
    .where('allocations.ended_at', 'is', null)
    .orderBy('allocations.is_lead', 'desc')
    .orderBy('allocations.started_at', 'desc')
    .orderBy('allocations.id')
    .executeTakeFirst();
}

async function loadSummary(
  db: Executor,
  clock: Clock,
  child: HelpChild,
  rights: HelpRights,
): Promise<HelpSummary> {
  const now = clock.now();
  const today = londonDate(now);
  const yearAgo = new Date(now);
  yearAgo.setUTCFullYear(yearAgo.getUTCFullYear() - 1);
  // Everything but the allocations in one query, each part as JSON (dates stay ISO strings, as the
  // drivers give them). The current episode is the open one, else the latest.
  const [summary, allocation, allocations] = await Promise.all([
    db
      .selectNoFrom((eb) => {
        const currentEpisodeId = eb
          .selectFrom('help_episodes as current')
          .select('current.id')
          .where('current.person_id', '=', child.id)
          .orderBy(sql`current.closed_on IS NULL`, 'desc')
          .orderBy('current.started_on', 'desc')
          .orderBy('current.created_at', 'desc')
          .limit(1);
        return [
          jsonArrayFrom(
            eb
              .selectFrom('help_episodes')
              .select([
                'id',
                'status',
                'status_since',
                'started_on',
                'closed_on',
                'closure_reason',
                'closure_note',
                'version',
              ])
              .where('person_id', '=', child.id)
              .orderBy(sql`closed_on IS NULL`, 'desc')
              .orderBy('started_on', 'desc')
              .orderBy('created_at', 'desc'),
          ).as('episodes'),
          // The open referral of the current episode, while that episode is open.
          jsonObjectFrom(
            eb
              .selectFrom('cin_referrals')
              .innerJoin('help_episodes', 'help_episodes.id', 'cin_referrals.episode_id')
              .select([
                'cin_referrals.referral_date',
                'cin_referrals.referral_source',
                'cin_referrals.primary_need',
              ])
              .where('cin_referrals.episode_id', '=', currentEpisodeId)
              .where('help_episodes.closed_on', 'is', null)
              .where('cin_referrals.closed_on', 'is', null)
              .limit(1),
          ).as('referral'),
          // The workers allocated in the last 12 months: how many, and their names.
          jsonObjectFrom(
            eb
              .selectFrom('allocations')
              .innerJoin('users', 'users.id', 'allocations.worker_user_id')
              .select([
                sql<number>`count(DISTINCT allocations.worker_user_id)::int`.as('n'),
                sql<
                  string[]
                >`coalesce(json_agg(DISTINCT users.display_name ORDER BY users.display_name), '[]')`.as(
                  'names',
                ),
              ])
              .where('allocations.person_id', '=', child.id)
              .where('allocations.started_at', '<=', now)
              .where((inner) =>
                inner.or([
                  inner('allocations.ended_at', 'is', null),
                  inner('allocations.ended_at', '>', yearAgo),
                ]),
              ),
          ).as('workers'),
          jsonArrayFrom(
            eb
              .selectFrom('episode_status_changes')
              .leftJoin('users', 'users.id', 'episode_status_changes.changed_by')
              .select([
                'episode_status_changes.from_status',
                'episode_status_changes.to_status',
                'episode_status_changes.changed_on',
                'episode_status_changes.reason',
                'users.display_name',
              ])
              .where('episode_status_changes.episode_id', '=', currentEpisodeId)
              .orderBy('episode_status_changes.changed_on', 'desc')
              .orderBy('episode_status_changes.created_at', 'desc'),
          ).as('history'),
          jsonArrayFrom(
            eb
              .selectFrom('plans')
              .select(['id', 'kind', 'status', 'started_on', 'next_review_on'])
              .where('episode_id', '=', currentEpisodeId)
              .where('status', 'in', ['draft', 'active'])
              .orderBy('started_on', 'desc'),
          ).as('plans'),
          jsonArrayFrom(openTasksOf(eb, child.id)).as('tasks'),
          eb
            .selectFrom('visits')
            .select((inner) => inner.fn.max('visited_on').as('latest'))
            .where('person_id', '=', child.id)
            .as('latest_visit'),
          eb
            .selectFrom('practical_help')
            .select(sql<number>`count(*)::int`.as('n'))
            .where('episode_id', '=', currentEpisodeId)
            .as('practical'),
        ];
      })
      .executeTakeFirstOrThrow(),
    currentAllocationOf(db, child.id),
    allocationHistoryOf(db, child.id),
  ]);
  const { episodes, referral, history, plans } = summary;
  const workers = summary.workers ?? { n: 0, names: [] };
  const current = episodes[0];
  const episode = current ? toEpisodeView(current) : null;
  const tasks = summary.tasks.map((t) => toTaskLine(t, today));
  const counts = { latest_visit: summary.latest_visit, practical: summary.practical };

  return {
    child,
    today,
    episode,
    referral: referral
      ? {
          referralDate: referral.referral_date,
          source: label(REFERRAL_SOURCES, referral.referral_source),
          primaryNeed: label(PRIMARY_NEEDS, referral.primary_need),
        }
      : null,
    allocation: allocation
      ? {
          teamId: allocation.team_id,
          teamName: allocation.team_name,
          workerId: allocation.worker_user_id,
          workerName: allocation.worker_name,
          role: label(PRACTITIONER_ROLES, allocation.practitioner_role),
          since: allocation.started_at,
        }
      : null,
    workersInLast12Months: workers.n,
    recentWorkers: workers.names,
    statusHistory: history.map((h) => ({
      from: h.from_status ? STATUS_LABELS[h.from_status] : null,
      to: STATUS_LABELS[h.to_status],
      on: h.changed_on,
      reason: h.reason,
      by: h.display_name,
    })),
    plans: plans.map((p) => ({
      id: p.id,
      kind: PLAN_KINDS[p.kind],
      status: p.status === 'draft' ? 'Draft' : 'Active',
      startedOn: p.started_on,
      nextReviewOn: p.next_review_on,
      reviewOverdue: p.status === 'active' && p.next_review_on !== null && p.next_review_on < today,
    })),
    tasks,
    latestVisitOn: counts.latest_visit ?? null,
    practicalHelpCount: counts.practical ?? 0,
    earlierEpisodes: episodes
      .filter((e) => e.id !== current?.id)
      .map((e) => ({
        id: e.id,
        startedOn: e.started_on,
        closedOn: e.closed_on,
        closureReason: label(CLOSURE_REASONS, e.closure_reason),
      })),
    allocationHistory: allocations,
    canWrite: episode?.open === true && rights.canWrite,
    canAllocate: rights.canAllocate,
  };
}

/** The child's open tasks, soonest due first (a query, for use on its own or inside another). */
function openTasksOf(db: Executor | ExpressionBuilder<Database, never>, personId: string) {
  return db
    .selectFrom('tasks')
    .leftJoin('users', 'users.id', 'tasks.assigned_user_id')
    .leftJoin('teams', 'teams.id', 'tasks.assigned_team_id')
    .select([
      'tasks.id',
      'tasks.kind',
      'tasks.title',
      'tasks.due_on',
      'users.display_name',
      'teams.name as team_name',
    ])
    .where('tasks.person_id', '=', personId)
    .where('tasks.completed_at', 'is', null)
    .orderBy('tasks.due_on')
    .orderBy('tasks.created_at');
}

function toTaskLine(
  t: {
    id: string;
    kind: string;
    title: string;
    due_on: string;
    display_name: string | null;
    team_name: string | null;
  },
  today: string,
): TaskLine {
  return {
    id: t.id,
    kind: t.kind,
    title: t.title,
    dueOn: t.due_on,
    overdue: t.due_on < today,
    assignedTo: t.display_name,
    teamName: t.team_name,
  };
}

/**
 * The child's help, for the episode page: viewing it is a view of the child's record (audited, and
 * committed before it is shown: see recordView). A child outside scope is not found.
 */
export async function helpSummary(
  deps: Deps,
  actor: Actor,
  input: { personId: string; requestId?: string | null; route?: string },
): Promise<HelpSummary> {
  const found = await findHelpChildWithRights(deps.db, actor, deps.clock, input.personId);
  if (!found) throw new NotFoundError();
  const { child } = found;
  const summary = await loadSummary(deps.db, deps.clock, child, found.rights);
  await auditChildView(deps.db, actor, {
    personId: child.id,
    requestId: input.requestId,
    route: input.route ?? '/children/:id/help',
    purpose: 'help',
  });
  return summary;
}

/**
 * The same summary for the "Help" section of the child's page. That page is one view of the child,
 * audited once by viewPerson (people.service.ts), so this read writes no audit row of its own; it is
 * undefined when the child's help record is outside the actor's scope or restricted from them.
 */
export async function helpSectionForChildPage(
  deps: Deps,
  actor: Actor,
  personId: string,
): Promise<HelpSummary | undefined> {
  const found = await findHelpChildWithRights(deps.db, actor, deps.clock, personId);
  if (!found) return undefined;
  return loadSummary(deps.db, deps.clock, found.child, found.rights);
}

// ---------------------------------------------------------------------------------------------
// Step up and step down
// ---------------------------------------------------------------------------------------------

export type StepFormValues = {
  readonly episodeId: string;
  readonly version: string;
  readonly to: string;
  readonly changedOn: DateParts;
  readonly reason: string;
  readonly referralSource: string;
  readonly primaryNeed: string;
};

export type StepForm = {
  readonly child: HelpChild;
  /** Null when the child has no open help (there is nothing to step up or down). */
  readonly episode: EpisodeView | null;
  readonly moves: readonly { value: OpenStatus; text: string }[];
  /** Stepping into children's social care from here starts a CIN referral (source and need asked). */
  readonly referralNeeded: boolean;
  /** The CIN census closure reason a step down to family help records. */
  readonly stepDownReason: { code: string; label: string } | null;
};

async function hasOpenReferral(db: Executor, episodeId: string): Promise<boolean> {
  const row = await db
    .selectFrom('cin_referrals')
    .select('id')
    .where('episode_id', '=', episodeId)
    .where('closed_on', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

async function buildStepForm(db: Executor, child: HelpChild): Promise<StepForm> {
  const row = await currentEpisode(db, child.id);
  if (!row) return { child, episode: null, moves: [], referralNeeded: false, stepDownReason: null };
  const open = await hasOpenReferral(db, row.id);
  const stepDown = open ? (row.status === 'assessment' ? 'RC9' : 'RC7') : null;
  return {
    child,
    episode: toEpisodeView(row),
    moves: allowedMoves(row.status).map((value) => ({ value, text: STATUS_LABELS[value] })),
    referralNeeded: !open,
    stepDownReason: stepDown ? { code: stepDown, label: CLOSURE_REASONS[stepDown] ?? stepDown } : null,
  };
}

/**
 * The step up or down form for the child's open episode (help 'write' in scope). Loading it is a
 * view of the child; `audit: false` when it is shown again after a mistake in the same request flow.
 */
export async function stepForm(
  deps: Deps,
  actor: Actor,
  input: { personId: string; requestId?: string | null; audit?: boolean },
): Promise<StepForm> {
  const child = await requireHelpChild(deps.db, actor, deps.clock, input.personId, 'write');
  const form = await buildStepForm(deps.db, child);
  if (input.audit !== false) {
    await auditChildView(deps.db, actor, {
      personId: child.id,
      requestId: input.requestId,
      route: '/children/:id/help/step',
      purpose: 'help.step',
    });
  }
  return form;
}

const CONFLICT_LABELS = { status: 'Status', since: 'Since', reason: 'Reason' } as const;

/** Throws the conflict page's error when the episode moved on since the form was opened. */
async function ensureUnchanged(
  db: Executor,
  personId: string,
  posted: { episodeId: string; version: string },
  open: Selectable<HelpEpisodeTable> | undefined,
  yours: { status: string; since: string; reason: string },
): Promise<Selectable<HelpEpisodeTable>> {
  if (open && open.id === posted.episodeId && String(open.version) === posted.version) return open;
  // Someone else stepped, closed or reopened the help: show what they saved beside what you typed.
  const saved =
    open ??
    (UUID.test(posted.episodeId)
      ? await db
          .selectFrom('help_episodes')
          .selectAll()
          .where('id', '=', posted.episodeId)
          .where('person_id', '=', personId)
          .executeTakeFirst()
      : undefined);
  const lastChange = saved
    ? await db
        .selectFrom('episode_status_changes')
        .select('reason')
        .where('episode_id', '=', saved.id)
        .orderBy('changed_on', 'desc')
        .orderBy('created_at', 'desc')
        .executeTakeFirst()
    : undefined;
  const savedValues = saved
    ? { status: STATUS_LABELS[saved.status], since: saved.status_since, reason: lastChange?.reason ?? '' }
    : { status: 'No open help', since: '', reason: '' };
  const fields = differingFields(CONFLICT_LABELS, savedValues, yours);
  throw new VersionConflictError(
    fields.length > 0 ? fields : [{ label: 'Status', saved: savedValues.status, yours: yours.status }],
    `/children/${personId}/help`,
  );
}

function checkDate(
  errors: ErrorList,
  field: string,
  labelText: string,
  parts: DateParts,
  today: string,
  notBefore: string | null,
  missing: string,
): string | undefined {
  const iso = parseDate(errors, field, labelText, parts, { required: missing });
  if (!iso) return undefined;
  if (iso > today) {
    errors.addDate(field, `${labelText} must be today or in the past`, ['day', 'month', 'year']);
    return undefined;
  }
  if (notBefore && iso < notBefore) {
    errors.addDate(
      field,
      `${labelText} must be on or after ${longDate(notBefore)}, when the current status began`,
      ['day', 'month', 'year'],
    );
    return undefined;
  }
  return iso;
}

function reasonText(
  errors: ErrorList,
  field: string,
  value: string,
  missing: string,
  labelText: string,
): string {
  const text = value.trim();
  if (text === '') errors.add(field, missing);
  else if (text.length > 2000) errors.add(field, `${labelText} must be 2000 characters or fewer`);
  return text;
}

/**
 * Steps the child's help up or down: a change of status in the same episode (help 'write' in
 * scope). Stepping into children's social care from family help starts a CIN referral, which needs
 * the referral source and primary need; stepping down to family help closes it (RC9 straight after
 * an assessment, otherwise RC7). The status change, chronology entry and audit row are written in
 * one transaction; a form opened before someone else's change gets the conflict page.
 */
export async function changeStatus(
  deps: Deps,
  actor: Actor,
  input: { personId: string; values: StepFormValues; requestId?: string | null },
): Promise<{ episodeId: string; from: EpisodeStatus; to: OpenStatus }> {
  const { values } = input;
  const today = londonDate(deps.clock.now());
  return deps.db.transaction().execute(async (trx) => {
    const child = await requireHelpChild(trx, actor, deps.clock, input.personId, 'write');
    const errors = new ErrorList();
    const open = await openEpisodeOf(trx, child.id);
    const toLabel = (OPEN_STATUSES as readonly string[]).includes(values.to)
      ? STATUS_LABELS[values.to as OpenStatus]
      : '(blank)';
    const typedDate = [values.changedOn.day, values.changedOn.month, values.changedOn.year].join(' ').trim();
    const episode = await ensureUnchanged(trx, child.id, values, open, {
      status: toLabel,
      since: typedDate,
      reason: values.reason.trim(),
    });

    const moves = allowedMoves(episode.status);
    const to = moves.find((m) => m === values.to);
    if (!to) errors.add('to', 'Choose what the help is changing to');
    const on = checkDate(
      errors,
      'changedOn',
      'The date of the change',
      values.changedOn,
      today,
      episode.status_since,
      'Enter the date of the change',
    );
    const reason = reasonText(
      errors,
      'reason',
      values.reason,
      'Explain why the help is changing, in words the family would understand',
      'The reason',
    );
    const referralOpen = await hasOpenReferral(trx, episode.id);
    let referral: { source: string; primaryNeed: string } | undefined;
    if (to && STATUTORY_STATUSES.has(to) && !referralOpen) {
      if (!Object.hasOwn(REFERRAL_SOURCES, values.referralSource))
        errors.add('referralSource', 'Choose who the referral came from');
      if (!Object.hasOwn(PRIMARY_NEEDS, values.primaryNeed))
        errors.add('primaryNeed', 'Choose the child’s main need');
      referral = { source: values.referralSource, primaryNeed: values.primaryNeed };
    }
    errors.throwIfAny();
    if (!to || !on) throw new Error('unreachable: validated above');

    const moved = await moveEpisode(trx, {
      episode,
      to,
      on,
      reason,
      actorUserId: actor.userId,
      ...(referral ? { referral } : {}),
      at: deps.clock.now(),
    });
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'help.status_changed',
      entityType: 'help_episode',
      entityId: episode.id,
      detail: {
        personId: child.id,
        from: episode.status,
        to,
        on,
        cinReferralId: moved.cinReferralId,
        ...(referral ? { referralSource: referral.source, primaryNeed: referral.primaryNeed } : {}),
      },
      requestId: input.requestId ?? null,
    });
    return { episodeId: episode.id, from: episode.status, to };
  });
}

// ---------------------------------------------------------------------------------------------
// Closing
// ---------------------------------------------------------------------------------------------

export type CloseFormValues = {
  readonly episodeId: string;
  readonly version: string;
  readonly closureReason: string;
  readonly note: string;
  readonly closedOn: DateParts;
};

export type CloseForm = {
  readonly child: HelpChild;
  /** Null when the child has no open help (there is nothing to close). */
  readonly episode: EpisodeView | null;
  readonly reasons: readonly { value: string; text: string }[];
  readonly openTasks: number;
  readonly activePlans: number;
};

async function buildCloseForm(db: Executor, child: HelpChild): Promise<CloseForm> {
  const row = await currentEpisode(db, child.id);
  if (!row) return { child, episode: null, reasons: [], openTasks: 0, activePlans: 0 };
  const [tasks, plans] = await Promise.all([
    db
      .selectFrom('tasks')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('episode_id', '=', row.id)
      .where('completed_at', 'is', null)
      .executeTakeFirst(),
    db
      .selectFrom('plans')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('episode_id', '=', row.id)
      .where('status', '=', 'active')
      .executeTakeFirst(),
  ]);
  return {
    child,
    episode: toEpisodeView(row),
    reasons: Object.entries(CLOSURE_REASONS).map(([value, text]) => ({ value, text: `${text} (${value})` })),
    openTasks: Number(tasks?.n ?? 0),
    activePlans: Number(plans?.n ?? 0),
  };
}

/** The form to close the child's open episode (help 'write' in scope); loading it is a view. */
export async function closeForm(
  deps: Deps,
  actor: Actor,
  input: { personId: string; requestId?: string | null; audit?: boolean },
): Promise<CloseForm> {
  const child = await requireHelpChild(deps.db, actor, deps.clock, input.personId, 'write');
  const form = await buildCloseForm(deps.db, child);
  if (input.audit !== false) {
    await auditChildView(deps.db, actor, {
      personId: child.id,
      requestId: input.requestId,
      route: '/children/:id/help/close',
      purpose: 'help.close',
    });
  }
  return form;
}

/**
 * Closes the child's episode with a CIN census reason (RC1–RC9), a note and a date: the status
 * becomes 'closed', the CIN referral (if open) closes with the same reason, tasks waiting on the
 * episode are completed and active plans end (moveEpisode); chronology and audit in the same
 * transaction. RC8 and RC9 ("closed after assessment") need an assessment in the episode.
 */
export async function closeEpisode(
  deps: Deps,
  actor: Actor,
  input: { personId: string; values: CloseFormValues; requestId?: string | null },
): Promise<{ episodeId: string }> {
  const { values } = input;
  const today = londonDate(deps.clock.now());
  return deps.db.transaction().execute(async (trx) => {
    const child = await requireHelpChild(trx, actor, deps.clock, input.personId, 'write');
    const open = await openEpisodeOf(trx, child.id);
    const typedDate = [values.closedOn.day, values.closedOn.month, values.closedOn.year].join(' ').trim();
    const episode = await ensureUnchanged(trx, child.id, values, open, {
      status: STATUS_LABELS.closed,
      since: typedDate,
      reason: values.note.trim(),
    });
    const errors = new ErrorList();
    const code = Object.hasOwn(CLOSURE_REASONS, values.closureReason) ? values.closureReason : undefined;
    if (!code) errors.add('closureReason', 'Choose why the help is ending');
    const on = checkDate(
      errors,
      'closedOn',
      'The date the help ended',
      values.closedOn,
      today,
      episode.status_since,
      'Enter the date the help ended',
    );
    const note = reasonText(
      errors,
      'note',
      values.note,
      'Write a note about why the help is ending and what happens next',
      'The note',
    );
    if (code && AFTER_ASSESSMENT.has(code)) {
      const assessed = await trx
        .selectFrom('assessments')
        .select('id')
        .where('episode_id', '=', episode.id)
        .executeTakeFirst();
      if (!assessed)
        errors.add(
          'closureReason',
          'Choose another reason: ‘closed after assessment’ needs an assessment in this help',
        );
    }
    errors.throwIfAny();
    if (!code || !on) throw new Error('unreachable: validated above');

    await moveEpisode(trx, {
      episode,
      to: 'closed',
      on,
      reason: note,
      actorUserId: actor.userId,
      closureReason: code,
      closureNote: note,
      at: deps.clock.now(),
    });
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'help.closed',
      entityType: 'help_episode',
      entityId: episode.id,
      detail: { personId: child.id, from: episode.status, closureReason: code, on },
      requestId: input.requestId ?? null,
    });
    return { episodeId: episode.id };
  });
}

/** Re-exported for the pages: the labels of every status. */
export { STATUS_LABELS };
