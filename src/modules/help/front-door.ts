import {
  sql,
  type Expression,
  type ExpressionBuilder,
  type Selectable,
  type SqlBool,
  type Transaction,
} from 'kysely';
import type { Database } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Deps } from '../../platform/deps.ts';
import {
  ForbiddenError,
  NotFoundError,
  VersionConflictError,
  differingFields,
} from '../../platform/errors.ts';
import { addWorkingDays, workingDaysBetween } from '../../platform/working-days.ts';
import { can, scopeFor, type Actor } from '../access/actor.ts';
import { DUPLICATE_REASON_LABELS, findLikelyDuplicates } from '../people/duplicates.ts';
import { FormInputError, sortErrors } from '../people/person-form.ts';
import { asFlag, canCreatePeople, insertPerson, minimalAdult } from '../people/person-write.ts';
import { restrictedFromViewer } from '../people/restrictions.ts';
import { UUID, auditChildView, londonDate, requireHelpPermission, type Executor } from './access.ts';
import { addAutomaticEntry } from './chronology.ts';
import { longDate } from './dates.ts';
import { STATUS_LABELS, allocate, currentEpisode, openOrContinueEpisode } from './episodes.ts';
import {
  DECISIONS,
  DECISIONS_WITH_EPISODE,
  DECISION_LABELS,
  REQUESTER_IN_A_SENTENCE,
  REQUESTER_KINDS,
  REQUEST_FIELD_ORDER,
  REQUEST_LABELS,
  REQUEST_STATUSES,
  checkDecisionForm,
  checkRequestForm,
  formFromRequest,
  primaryNeedLabel,
  referralSourceLabel,
  type DecisionFormValues,
  type NewChild,
  type RequestDetails,
  type RequestFormValues,
} from './front-door-form.ts';
import type { FrontDoorDecision, HelpRequestStatus, HelpRequestTable, RequesterKind } from './help.table.ts';
import { TIMESCALES, completeTasksFor, openTask } from './tasks.ts';

/**
 * The front door: requests for help from anyone, and the decisions on them.
 *
 * - A request is a help_requests row from its first draft (status 'draft', seen only by the person
 *   writing it) to its decision. Sending it needs every answer; it then goes to the front door team,
 *   which for now is the sender's first team (one place to change when councils name a front door
 *   team of their own).
 * - Sending allocates the child to the front door team when no team has them (record scope needs an
 *   allocation), opens a "decide" task due in TIMESCALES.requestDecisionWorkingDays working days,
 *   writes the chronology and the audit log.
 * - A decision (help 'decide', the request's team in scope) records who, when, why, the threshold
 *   guidance applied and, when help from the council's teams is declined, what was offered instead.
 *   Family help, an assessment or a strategy discussion open or continue the child's one episode of
 *   help and allocate it to the team chosen; information and advice or a community service do not.
 * - Who may see a request: its author, and (once sent) staff whose help 'read' or 'decide' scope
 *   covers the request's team. Anything else is "not found".
 */

type RequestRow = Selectable<HelpRequestTable>;

export type RequestChild = {
  readonly id: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly dateOfBirth: string | null;
};

/** The team that receives requests sent by this member of staff: their first team, for now. */
export function frontDoorTeam(actor: Actor): string | undefined {
  return actor.teamIds[0];
}

// ---------------------------------------------------------------------------------------------
// Scope
// ---------------------------------------------------------------------------------------------

/**
 * SQL: the request is one this actor may see ('read': their own, drafts included, and sent requests
 * of teams in their help read scope) or decide ('decide': sent requests of teams in their decide
 * scope).
 */
function requestInScope(
  actor: Actor,
  action: 'read' | 'decide',
): (eb: ExpressionBuilder<Database, 'help_requests'>) => Expression<SqlBool> {
  const scopes = action === 'read' ? ['read', 'decide'] : ['decide'];
  return (eb) => {
    const teamRoutes: Expression<SqlBool>[] = [];
    for (const scopeAction of scopes) {
      const scope = scopeFor(actor, 'help', scopeAction);
      if (scope === 'authority') teamRoutes.push(sql<SqlBool>`true`);
      if (scope === 'locality' && actor.localityIds.length > 0) {
        teamRoutes.push(
          eb(
            'help_requests.team_id',
            'in',
            eb.selectFrom('teams').select('teams.id').where('teams.locality_id', 'in', actor.localityIds),
          ),
        );
      }
      if (scope === 'team' && actor.teamIds.length > 0) {
        teamRoutes.push(eb('help_requests.team_id', 'in', actor.teamIds));
      }
    }
    const routes: Expression<SqlBool>[] = [];
    if (action === 'read') routes.push(eb('help_requests.created_by', '=', actor.userId));
    if (teamRoutes.length > 0)
      routes.push(eb.and([eb('help_requests.status', '<>', 'draft'), eb.or(teamRoutes)]));
    if (routes.length === 0) return sql<SqlBool>`false`;
    return eb.and([eb('help_requests.organisation_id', '=', actor.organisationId), eb.or(routes)]);
  };
}

async function loadRequest(
  db: Executor,
  actor: Actor,
  id: string,
  action: 'read' | 'decide',
  options: { lock?: boolean } = {},
): Promise<RequestRow> {
  if (!UUID.test(id)) throw new NotFoundError();
  let query = db
    .selectFrom('help_requests')
    .selectAll()
    .where('help_requests.id', '=', id)
    .where(requestInScope(actor, action));
  if (options.lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw new NotFoundError();
  return row;
}

/** A child of the council a request may be about: not merged away, not restricted from the actor. */
async function childForRequest(db: Executor, actor: Actor, personId: string): Promise<RequestChild> {
  if (!UUID.test(personId)) throw new NotFoundError();
  const row = await db
    .selectFrom('people')
    .select(['people.id', 'people.given_name', 'people.family_name', 'people.date_of_birth'])
    .where('people.id', '=', personId)
    .where('people.organisation_id', '=', actor.organisationId)
    .where('people.merged_into', 'is', null)
    .where('people.is_child', '=', true)
    .where((eb) => eb.not(restrictedFromViewer(actor)(eb)))
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  return {
    id: row.id,
    givenName: row.given_name,
    familyName: row.family_name,
    dateOfBirth: row.date_of_birth,
  };
}

// ---------------------------------------------------------------------------------------------
// Making a request
// ---------------------------------------------------------------------------------------------

/** A new request's form: for a child already chosen (arriving from their page), or blank. */
export async function startRequest(
  deps: Deps,
  actor: Actor,
  input: { childId: string | null; requestId: string; route: string },
): Promise<{ child: RequestChild | null; canAddChild: boolean }> {
  requireHelpPermission(actor, 'request');
  if (!input.childId) return { child: null, canAddChild: canCreatePeople(actor) };
  const childId = input.childId;
  const child = await childForRequest(deps.db, actor, childId);
  await auditChildView(deps.db, actor, {
    personId: child.id,
    route: input.route,
    purpose: 'front_door',
    requestId: input.requestId,
  });
  return { child, canAddChild: canCreatePeople(actor) };
}

export type RequestDuplicate = {
  readonly id: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly dateOfBirth: string | null;
  /** A child the request may be attached to; others (restricted records) are shown by name only. */
  readonly selectable: boolean;
  readonly reasons: readonly string[];
};

export type SaveRequestResult =
  | { readonly outcome: 'saved'; readonly id: string; readonly status: 'draft' | 'awaiting_decision' }
  | {
      readonly outcome: 'duplicates';
      readonly candidates: readonly RequestDuplicate[];
      readonly canAddChild: boolean;
    };

/**
 * Saves a request as a draft, or sends it. `id` is the draft being continued (null for a new one);
 * `duplicateChoice` answers "is this one of these children?" ('' not asked yet, 'new', or a
 * child's id). A new child's record is made only after the likely duplicates have been offered.
 */
export async function saveRequest(
  deps: Deps,
  actor: Actor,
  input: {
    id: string | null;
    version: number | null;
    values: RequestFormValues;
    intent: 'draft' | 'send';
    duplicateChoice: string;
    requestId: string;
  },
): Promise<SaveRequestResult> {
  requireHelpPermission(actor, 'request');
  const now = deps.clock.now();
  const today = londonDate(now);
  const send = input.intent === 'send';
  const teamId = frontDoorTeam(actor);
  if (send && teamId === undefined)
    throw new ForbiddenError('You need to be in a team to send a request for help');
  if (input.id !== null) {
    const existing = await loadRequest(deps.db, actor, input.id, 'read');
    if (existing.status !== 'draft' || existing.created_by !== actor.userId) throw new NotFoundError();
  }

  let values = input.values;
  let child: RequestChild | null = null;
  if (values.childId !== '') {
    child = await childForRequest(deps.db, actor, values.childId);
  } else if (input.duplicateChoice !== '' && input.duplicateChoice !== 'new') {
    child = await childForRequest(deps.db, actor, input.duplicateChoice);
    values = { ...values, childId: child.id };
  }

  const { details, newChild, errors } = checkRequestForm(values, input.intent, today);
  if (!errors.empty) throw sortErrors(errors, REQUEST_FIELD_ORDER);

  // A new child: first the children already known who may be them, then (if none is) a new record.
  if (newChild && input.duplicateChoice === '') {
    const candidates = await childDuplicates(deps, actor, newChild, input.requestId);
    if (candidates.length > 0)
      return { outcome: 'duplicates', candidates, canAddChild: canCreatePeople(actor) };
  }
  if (newChild && !canCreatePeople(actor)) {
    throw new FormInputError([
      {
        field: 'childGivenName',
        message:
          'You cannot add a new child’s record: ask a colleague who can, or start from the child’s page',
      },
    ]);
  }

  return deps.db.transaction().execute(async (trx) => {
    let id = input.id;
    if (id !== null) {
      const saved = await loadRequest(trx, actor, id, 'read', { lock: true });
      if (saved.status !== 'draft' || saved.created_by !== actor.userId) throw new NotFoundError();
      if (saved.version !== input.version) {
        throw new VersionConflictError(
          differingFields(REQUEST_LABELS, formFromRequest(saved), values),
          `/front-door/requests/${id}`,
        );
      }
    }
    let personId = child?.id ?? null;
    if (newChild) {
      personId = await insertPerson(
        trx,
        deps,
        actor,
        { ...minimalAdult(newChild.givenName, newChild.familyName, newChild.dateOfBirth), is_child: true },
        input.requestId,
        'form',
      );
    }
    const sent =
      send && teamId !== undefined
        ? { status: 'awaiting_decision' as const, received_at: now, team_id: teamId }
        : {};
    if (id === null) {
      const row = await trx
        .insertInto('help_requests')
        .values({
          organisation_id: actor.organisationId,
          person_id: personId,
          ...details,
          ...sent,
          created_by: actor.userId,
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      id = row.id;
    } else {
      await trx
        .updateTable('help_requests')
        .set((eb) => ({
          person_id: personId,
          ...details,
          ...sent,
          updated_at: now,
          version: eb('version', '+', 1),
        }))
        .where('id', '=', id)
        .execute();
    }
    if (send && teamId !== undefined && personId !== null) {
      await receiveRequest(trx, actor, {
        id,
        personId,
        teamId,
        details,
        now,
        requestId: input.requestId,
      });
      return { outcome: 'saved' as const, id, status: 'awaiting_decision' as const };
    }
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'help_request.draft_saved',
      entityType: 'help_request',
      entityId: id,
      detail: { personId, newChild: newChild !== null },
      requestId: input.requestId,
    });
    return { outcome: 'saved' as const, id, status: 'draft' as const };
  });
}

/** Likely duplicates of a new child: children only; restricted records by name only. */
async function childDuplicates(
  deps: Deps,
  actor: Actor,
  child: NewChild,
  requestId: string,
): Promise<RequestDuplicate[]> {
  const found = await findLikelyDuplicates(
    deps,
    actor,
    { givenName: child.givenName, familyName: child.familyName, dateOfBirth: child.dateOfBirth },
    { requestId },
  );
  if (found.length === 0) return [];
  const children = await deps.db
    .selectFrom('people')
    .select('id')
    .where(
      'id',
      'in',
      found.map((c) => c.id),
    )
    .where('is_child', '=', true)
    .execute();
  const isChild = new Set(children.map((c) => c.id));
  return found
    .filter((c) => isChild.has(c.id))
    .map((c) => ({
      id: c.id,
      givenName: c.givenName,
      familyName: c.familyName,
      dateOfBirth: c.dateOfBirth,
      selectable: !c.restricted,
      reasons: c.reasons.map((r) => DUPLICATE_REASON_LABELS[r]),
    }));
}

/** What happens when a request is sent: allocation to the front door, the task, chronology, audit. */
async function receiveRequest(
  trx: Transaction<Database>,
  actor: Actor,
  input: {
    id: string;
    personId: string;
    teamId: string;
    details: RequestDetails;
    now: Date;
    requestId: string;
  },
): Promise<void> {
  const { id, personId, teamId, now } = input;
  const today = londonDate(now);
  const open = await openEpisodeId(trx, personId);
  const active = await trx
    .selectFrom('allocations')
    .select('id')
    .where('person_id', '=', personId)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  // The front door team must be able to see the child: record scope follows allocation.
  if (!active) {
    await allocate(trx, {
      personId,
      episodeId: open,
      teamId,
      workerUserId: null,
      role: null,
      changeReason: null,
      changeNote: 'A request for help was sent to the front door',
      byUserId: actor.userId,
      at: now,
    });
  }
  await openTask(trx, {
    organisationId: actor.organisationId,
    personId,
    episodeId: open,
    kind: 'decide_request',
    title: 'Decide on a request for help',
    dueOn: addWorkingDays(today, TIMESCALES.requestDecisionWorkingDays),
    assignedUserId: null,
    assignedTeamId: teamId,
    sourceType: 'help_request',
    sourceId: id,
  });
  await addAutomaticEntry(trx, {
    personId,
    episodeId: open,
    occurredOn: today,
    event: 'request.received',
    summary: receivedSummary(input.details),
    sourceType: 'help_request',
    sourceId: id,
    actorUserId: actor.userId,
  });
  await recordAudit(trx, {
    actorUserId: actor.userId,
    action: 'help_request.sent',
    entityType: 'help_request',
    entityId: id,
    detail: {
      personId,
      teamId,
      referralSource: input.details.referral_source,
      primaryNeed: input.details.primary_need,
      allocatedToFrontDoor: !active,
    },
    requestId: input.requestId,
  });
}

function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

function receivedSummary(details: RequestDetails): string {
  const kind = details.requester_kind ?? 'other';
  const who =
    kind === 'professional' && details.requester_role && details.requester_organisation
      ? `${details.requester_role} at ${details.requester_organisation}`
      : REQUESTER_IN_A_SENTENCE[kind];
  const worry = details.worry ? ` The worry: ${shorten(details.worry, 200)}` : '';
  return `A request for help came from ${who}.${worry}`;
}

async function openEpisodeId(db: Executor, personId: string): Promise<string | null> {
  return (await currentEpisode(db, personId))?.id ?? null;
}

// ---------------------------------------------------------------------------------------------
// Reading a request
// ---------------------------------------------------------------------------------------------

export type RequestView = {
  readonly id: string;
  readonly status: HelpRequestStatus;
  readonly statusLabel: string;
  readonly version: number;
  readonly child: RequestChild | null;
  /**
   * The child's record is restricted and this actor is not named on the restriction: only the
   * child's name is given; the request's details, the child's help and the decision are not.
   */
  readonly childRestricted: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly receivedAt: Date | null;
  /** Working days since it was received, while it waits. */
  readonly workingDaysWaiting: number | null;
  readonly requester: {
    readonly kind: RequesterKind | null;
    readonly kindLabel: string;
    readonly name: string | null;
    readonly role: string | null;
    readonly organisation: string | null;
    readonly contact: string | null;
  };
  readonly referralSource: string;
  readonly worry: string | null;
  readonly familyView: string | null;
  readonly alreadyTried: string | null;
  readonly willKeepDoing: string | null;
  readonly familyKnows: boolean | null;
  readonly familyConsents: boolean | null;
  readonly primaryNeed: string;
  readonly teamName: string | null;
  readonly sentBy: string | null;
  readonly decision: {
    readonly code: FrontDoorDecision;
    readonly label: string;
    readonly service: string | null;
    readonly reason: string | null;
    readonly threshold: string | null;
    readonly helpOfferedInstead: string | null;
    readonly feedback: string | null;
    readonly feedbackGivenAt: Date | null;
    readonly decidedBy: string | null;
    readonly decidedAt: Date | null;
    readonly workingDaysToDecide: number | null;
    readonly episodeId: string | null;
  } | null;
  /** The child's open episode of help, if any: a decision continues it. */
  readonly openEpisode: { readonly status: string; readonly since: string } | null;
  /** The child's other requests received in the 12 months before this one (or before now, for a draft). */
  readonly earlierRequestsIn12Months: number;
};

export type RequestPage = {
  readonly request: RequestView;
  /** The form's answers, for a draft being continued. */
  readonly values: RequestFormValues;
  readonly canDecide: boolean;
};

/** A request, if this actor may see it: its author, or staff of the team it was sent to. Audited. */
export async function getRequest(
  deps: Deps,
  actor: Actor,
  id: string,
  context: { requestId: string; route: string },
): Promise<RequestPage> {
  const row = await loadRequest(deps.db, actor, id, 'read');
  const [request, inDecideScope] = await Promise.all([
    describeRequest(deps.db, deps, actor, row),
    row.status === 'awaiting_decision' && can(actor, 'help', 'decide')
      ? deps.db
          .selectFrom('help_requests')
          .select('id')
          .where('id', '=', row.id)
          .where(requestInScope(actor, 'decide'))
          .executeTakeFirst()
          .then((found) => found !== undefined)
      : false,
  ]);
  if (request.child) {
    await auditChildView(deps.db, actor, {
      personId: request.child.id,
      ...context,
      purpose: 'front_door',
      helpRequestId: row.id,
    });
  }
  return { request, values: formFromRequest(row), canDecide: !request.childRestricted && inDecideScope };
}

/**
 * The request as a page shows it. A child whose record is restricted from the actor (not named on
 * the restriction, whatever break-glass they hold) is shown by name only: nothing else the request
 * says about the child or their family, their help, or the decision's reasons.
 */
async function describeRequest(
  db: Executor,
  deps: Deps,
  actor: Actor,
  row: RequestRow,
): Promise<RequestView> {
  const child = row.person_id
    ? await db
        .selectFrom('people')
        .select(['id', 'given_name', 'family_name', 'date_of_birth'])
        .select((eb) => asFlag(eb, restrictedFromViewer(actor)(eb)).as('restricted'))
        .where('id', '=', row.person_id)
        .executeTakeFirst()
    : undefined;
  if (child?.restricted) return nameOnly(row, child);
  const team = row.team_id
    ? await db.selectFrom('teams').select('name').where('id', '=', row.team_id).executeTakeFirst()
    : undefined;
  const names = await userNames(db, [row.created_by, row.decided_by]);
  const threshold = row.decision_threshold_id
    ? await db
        .selectFrom('threshold_guidance_versions')
        .select(['title', 'version', 'published_on'])
        .where('id', '=', row.decision_threshold_id)
        .executeTakeFirst()
    : undefined;
  const episode = row.person_id
    ? await db
        .selectFrom('help_episodes')
        .select(['status', 'status_since'])
        .where('person_id', '=', row.person_id)
        .where('closed_on', 'is', null)
        .executeTakeFirst()
    : undefined;
  const at = row.received_at ?? deps.clock.now();
  const earlier = row.person_id ? await earlierRequests(db, row.person_id, row.id, at) : 0;
  const today = londonDate(deps.clock.now());
  return {
    id: row.id,
    status: row.status,
    statusLabel: REQUEST_STATUSES[row.status],
    version: row.version,
    child: child
      ? {
          id: child.id,
          givenName: child.given_name,
          familyName: child.family_name,
          dateOfBirth: child.date_of_birth,
        }
      : null,
    childRestricted: false,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    receivedAt: row.received_at,
    workingDaysWaiting:
      row.status === 'awaiting_decision' && row.received_at
        ? workingDaysBetween(londonDate(row.received_at), today)
        : null,
    requester: {
      kind: row.requester_kind,
      kindLabel: row.requester_kind ? REQUESTER_KINDS[row.requester_kind] : '',
      name: row.requester_name,
      role: row.requester_role,
      organisation: row.requester_organisation,
      contact: row.requester_contact,
    },
    referralSource: referralSourceLabel(row.referral_source),
    worry: row.worry,
    familyView: row.family_view,
    alreadyTried: row.already_tried,
    willKeepDoing: row.will_keep_doing,
    familyKnows: row.family_knows,
    familyConsents: row.family_consents,
    primaryNeed: primaryNeedLabel(row.primary_need),
    teamName: team?.name ?? null,
    sentBy: row.created_by ? (names.get(row.created_by) ?? null) : null,
    decision: row.decision
      ? {
          code: row.decision,
          label: DECISIONS[row.decision],
          service: row.decision_service,
          reason: row.decision_reason,
          threshold: threshold ? thresholdLabel(threshold) : null,
          helpOfferedInstead: row.decision_help_offered_instead,
          feedback: row.feedback_to_requester,
          feedbackGivenAt: row.feedback_given_at,
          decidedBy: row.decided_by ? (names.get(row.decided_by) ?? null) : null,
          decidedAt: row.decided_at,
          workingDaysToDecide:
            row.received_at && row.decided_at
              ? workingDaysBetween(londonDate(row.received_at), londonDate(row.decided_at))
              : null,
          episodeId: row.episode_id,
        }
      : null,
    openEpisode: episode ? { status: STATUS_LABELS[episode.status], since: episode.status_since } : null,
    earlierRequestsIn12Months: earlier,
  };
}

/** A request about a child restricted from the actor: the child's name and the request's status. */
function nameOnly(
  row: RequestRow,
  child: { id: string; given_name: string; family_name: string },
): RequestView {
  return {
    id: row.id,
    status: row.status,
    statusLabel: REQUEST_STATUSES[row.status],
    version: row.version,
    child: { id: child.id, givenName: child.given_name, familyName: child.family_name, dateOfBirth: null },
    childRestricted: true,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    receivedAt: row.received_at,
    workingDaysWaiting: null,
    requester: { kind: null, kindLabel: '', name: null, role: null, organisation: null, contact: null },
    referralSource: '',
    worry: null,
    familyView: null,
    alreadyTried: null,
    willKeepDoing: null,
    familyKnows: null,
    familyConsents: null,
    primaryNeed: '',
    teamName: null,
    sentBy: null,
    decision: null,
    openEpisode: null,
    earlierRequestsIn12Months: 0,
  };
}

/** Refuses (404) a decision on a request about a child restricted from the actor. */
async function requireUnrestrictedChild(db: Executor, actor: Actor, row: RequestRow): Promise<void> {
  if (!row.person_id) return;
  const restricted = await db
    .selectFrom('people')
    .select('id')
    .where('id', '=', row.person_id)
    .where((eb) => restrictedFromViewer(actor)(eb))
    .executeTakeFirst();
  if (restricted) throw new NotFoundError();
}

async function userNames(db: Executor, ids: readonly (string | null)[]): Promise<Map<string, string>> {
  const wanted = ids.filter((id): id is string => id !== null);
  if (wanted.length === 0) return new Map();
  const rows = await db
    .selectFrom('users')
    .select(['id', 'display_name'])
    .where('id', 'in', wanted)
    .execute();
  return new Map(rows.map((r) => [r.id, r.display_name]));
}

function thresholdLabel(row: { title: string; version: string; published_on: string }): string {
  return `${row.title} (version ${row.version}, published ${longDate(row.published_on)})`;
}

/** The child's other sent requests received in the 12 months before `at`. */
async function earlierRequests(db: Executor, personId: string, excludeId: string, at: Date): Promise<number> {
  const row = await db
    .selectFrom('help_requests')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('person_id', '=', personId)
    .where('id', '<>', excludeId)
    .where('status', 'in', ['awaiting_decision', 'decided'])
    .where('received_at', '<', at)
    .where(sql<SqlBool>`received_at >= ${at}::timestamptz - interval '12 months'`)
    .executeTakeFirstOrThrow();
  return row.n;
}

// ---------------------------------------------------------------------------------------------
// Deciding
// ---------------------------------------------------------------------------------------------

export type DecisionChoices = {
  readonly teams: readonly { readonly id: string; readonly name: string }[];
  readonly thresholds: readonly { readonly id: string; readonly label: string }[];
};

async function decisionChoices(db: Executor, actor: Actor): Promise<DecisionChoices> {
  const teams = await db
    .selectFrom('teams')
    .leftJoin('localities', 'localities.id', 'teams.locality_id')
    .select(['teams.id', 'teams.name', 'localities.name as locality'])
    .where('teams.organisation_id', '=', actor.organisationId)
    .orderBy('teams.name')
    .execute();
  const thresholds = await db
    .selectFrom('threshold_guidance_versions')
    .select(['id', 'title', 'version', 'published_on'])
    .where('organisation_id', '=', actor.organisationId)
    .orderBy('published_on', 'desc')
    .orderBy('version', 'desc')
    .execute();
  return {
    teams: teams.map((t) => ({ id: t.id, name: t.locality ? `${t.name} (${t.locality})` : t.name })),
    thresholds: thresholds.map((t) => ({ id: t.id, label: thresholdLabel(t) })),
  };
}

/** The decision form: the request (audited as a view of the child) and the choices. */
export async function getDecisionForm(
  deps: Deps,
  actor: Actor,
  id: string,
  context: { requestId: string; route: string },
): Promise<{ request: RequestView; choices: DecisionChoices }> {
  requireHelpPermission(actor, 'decide');
  const row = await loadRequest(deps.db, actor, id, 'decide');
  await requireUnrestrictedChild(deps.db, actor, row);
  const [request, choices] = await Promise.all([
    describeRequest(deps.db, deps, actor, row),
    decisionChoices(deps.db, actor),
  ]);
  if (request.child)
    await auditChildView(deps.db, actor, {
      personId: request.child.id,
      ...context,
      purpose: 'front_door',
      helpRequestId: row.id,
    });
  return { request, choices };
}

/**
 * Records the decision on a request, with its effects on the child's one episode of help, in one
 * transaction. The version the form was opened at must still be current: when two managers decide
 * at once, the second sees both decisions side by side and nothing is overwritten.
 */
export async function decideRequest(
  deps: Deps,
  actor: Actor,
  id: string,
  input: { values: DecisionFormValues; version: number; requestId: string },
): Promise<{ episodeId: string | null; decision: FrontDoorDecision }> {
  requireHelpPermission(actor, 'decide');
  const before = await loadRequest(deps.db, actor, id, 'decide');
  await requireUnrestrictedChild(deps.db, actor, before);
  const choices = await decisionChoices(deps.db, actor);
  const { checked, errors } = checkDecisionForm(input.values, {
    teams: choices.teams.map((t) => t.id),
    thresholds: choices.thresholds.map((t) => t.id),
    feedbackRequired: before.requester_kind !== 'anonymous',
  });
  if (!checked) throw sortErrors(errors, Object.keys(input.values));
  const now = deps.clock.now();
  const today = londonDate(now);

  return deps.db.transaction().execute(async (trx) => {
    const row = await loadRequest(trx, actor, id, 'decide', { lock: true });
    if (row.version !== input.version || row.status !== 'awaiting_decision') {
      const thresholdOf = (thresholdId: string | null) =>
        choices.thresholds.find((t) => t.id === thresholdId)?.label ?? null;
      throw new VersionConflictError(
        differingFields(
          DECISION_LABELS,
          {
            decision: row.decision ? DECISIONS[row.decision] : null,
            decisionService: row.decision_service,
            reason: row.decision_reason,
            threshold: thresholdOf(row.decision_threshold_id),
            helpOfferedInstead: row.decision_help_offered_instead,
            feedback: row.feedback_to_requester,
          },
          {
            decision: DECISIONS[checked.decision],
            decisionService: checked.service,
            reason: checked.reason,
            threshold: thresholdOf(checked.thresholdId),
            helpOfferedInstead: checked.helpOfferedInstead,
            feedback: checked.feedback,
          },
        ),
        `/front-door/requests/${id}`,
      );
    }
    const personId = row.person_id;
    if (personId === null || row.referral_source === null || row.primary_need === null) {
      throw new Error('a sent request has a child, a referral source and a primary need');
    }
    const label = DECISIONS[checked.decision];
    const why = `Request for help decided at the front door: ${label.toLowerCase()}.`;

    let episodeId: string | null = null;
    let assessmentId: string | null = null;
    // Close the decide task first: the tasks opened below have the same source.
    await completeTasksFor(trx, {
      sourceType: 'help_request',
      sourceId: row.id,
      kind: 'decide_request',
      byUserId: actor.userId,
      at: now,
    });

    if (DECISIONS_WITH_EPISODE.has(checked.decision) && checked.teamId !== null) {
      const teamId = checked.teamId;
      const status = checked.decision === 'family_help' ? 'family_help' : 'assessment';
      const opened = await openOrContinueEpisode(trx, {
        organisationId: row.organisation_id,
        personId,
        status,
        on: today,
        reason: why,
        actorUserId: actor.userId,
        ...(status === 'assessment'
          ? { referral: { source: row.referral_source, primaryNeed: row.primary_need, requestId: row.id } }
          : {}),
        at: now,
      });
      episodeId = opened.episodeId;
      await allocateToTeam(trx, {
        personId,
        episodeId,
        teamId,
        note: `Front door decision: ${label}`,
        actor,
        at: now,
      });
      if (checked.decision === 'family_help') {
        await openTask(trx, {
          organisationId: row.organisation_id,
          personId,
          episodeId,
          kind: 'allocate_worker',
          title: 'Allocate a family help worker',
          dueOn: addWorkingDays(today, TIMESCALES.allocateWorkerWorkingDays),
          assignedUserId: null,
          assignedTeamId: teamId,
          sourceType: 'help_request',
          sourceId: row.id,
        });
      } else if (checked.decision === 'assessment') {
        const dueOn = addWorkingDays(today, TIMESCALES.assessmentWorkingDays);
        const assessment = await trx
          .insertInto('assessments')
          .values({
            episode_id: episodeId,
            person_id: personId,
            cin_referral_id: opened.cinReferralId,
            kind: 'child_and_family',
            status: 'in_progress',
            started_on: today,
            due_on: dueOn,
            created_by: actor.userId,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        assessmentId = assessment.id;
        await openTask(trx, {
          organisationId: row.organisation_id,
          personId,
          episodeId,
          kind: 'complete_assessment',
          title: 'Complete the child and family assessment',
          dueOn,
          assignedUserId: null,
          assignedTeamId: teamId,
          sourceType: 'assessment',
          sourceId: assessment.id,
        });
      } else {
        await openTask(trx, {
          organisationId: row.organisation_id,
          personId,
          episodeId,
          kind: 'other',
          title: 'Hold a strategy discussion',
          dueOn: addWorkingDays(today, TIMESCALES.strategyDiscussionWorkingDays),
          assignedUserId: null,
          assignedTeamId: teamId,
          sourceType: 'help_request',
          sourceId: row.id,
        });
      }
    } else {
      await releaseFrontDoorAllocation(trx, { personId, frontDoorTeamId: row.team_id, at: now });
    }

    await trx
      .updateTable('help_requests')
      .set((eb) => ({
        status: 'decided',
        episode_id: episodeId,
        decision: checked.decision,
        decision_service: checked.service,
        decision_reason: checked.reason,
        decision_threshold_id: checked.thresholdId,
        decision_help_offered_instead: checked.helpOfferedInstead,
        decided_by: actor.userId,
        decided_at: now,
        feedback_to_requester: checked.feedback,
        feedback_given_at: checked.feedback === null ? null : now,
        updated_at: now,
        version: eb('version', '+', 1),
      }))
      .where('id', '=', row.id)
      .execute();

    const service = checked.service ? ` (${checked.service})` : '';
    await addAutomaticEntry(trx, {
      personId,
      episodeId: episodeId ?? (await openEpisodeId(trx, personId)),
      occurredOn: today,
      event: 'request.decided',
      summary: `Decision on the request for help: ${label.toLowerCase()}${service}. ${shorten(checked.reason, 300)}`,
      sourceType: 'help_request',
      sourceId: row.id,
      actorUserId: actor.userId,
    });
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'help_request.decided',
      entityType: 'help_request',
      entityId: row.id,
      detail: {
        personId,
        decision: checked.decision,
        episodeId,
        teamId: checked.teamId,
        thresholdId: checked.thresholdId,
        assessmentId,
        feedbackGiven: checked.feedback !== null,
      },
      requestId: input.requestId,
    });
    return { episodeId, decision: checked.decision };
  });
}

/** Allocates the child to the team chosen, unless that team already has them. */
async function allocateToTeam(
  trx: Transaction<Database>,
  input: { personId: string; episodeId: string; teamId: string; note: string; actor: Actor; at: Date },
): Promise<void> {
  const already = await trx
    .selectFrom('allocations')
    .select(['id', 'episode_id'])
    .where('person_id', '=', input.personId)
    .where('team_id', '=', input.teamId)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  if (already) {
    if (already.episode_id === null) {
      await trx
        .updateTable('allocations')
        .set({ episode_id: input.episodeId })
        .where('id', '=', already.id)
        .execute();
    }
    return;
  }
  await allocate(trx, {
    personId: input.personId,
    episodeId: input.episodeId,
    teamId: input.teamId,
    workerUserId: null,
    role: null,
    changeReason: null,
    changeNote: input.note,
    byUserId: input.actor.userId,
    at: input.at,
  });
}

/**
 * No help from the council's teams follows and the child has no open episode: the front door's own
 * allocation (the child's only one, to the front door team, for no episode) ends, so the child is no
 * longer on the team's list. Any other allocation is left alone.
 */
async function releaseFrontDoorAllocation(
  trx: Executor,
  input: { personId: string; frontDoorTeamId: string | null; at: Date },
): Promise<void> {
  if ((await openEpisodeId(trx, input.personId)) !== null || input.frontDoorTeamId === null) return;
  const active = await trx
    .selectFrom('allocations')
    .select(['id', 'team_id', 'episode_id'])
    .where('person_id', '=', input.personId)
    .where('ended_at', 'is', null)
    .execute();
  const frontDoorOnly =
    active.length > 0 && active.every((a) => a.team_id === input.frontDoorTeamId && a.episode_id === null);
  if (!frontDoorOnly) return;
  await trx
    .updateTable('allocations')
    .set({ ended_at: input.at })
    .where(
      'id',
      'in',
      active.map((a) => a.id),
    )
    .execute();
}

// ---------------------------------------------------------------------------------------------
// The dashboard
// ---------------------------------------------------------------------------------------------

export type FrontDoorDashboard = {
  readonly teams: readonly string[];
  readonly canRequest: boolean;
  /** Whether the figures of the actor's teams are shown (help read or decide). */
  readonly seesTeamRequests: boolean;
  readonly waiting: readonly {
    readonly id: string;
    readonly childName: string;
    readonly receivedAt: Date;
    readonly workingDaysWaiting: number;
    readonly overdue: boolean;
    readonly requester: string;
    readonly referralSource: string;
  }[];
  /** Waiting requests by working days waiting: 0, 1, 2, 3 or more. */
  readonly waitingByDays: readonly { readonly label: string; readonly count: number }[];
  readonly decisions: {
    readonly total: number;
    readonly withinTimescale: number;
    readonly percent: number | null;
  };
  readonly repeats: {
    readonly count: number;
    readonly children: readonly {
      readonly childName: string;
      readonly requestId: string;
      readonly receivedAt: Date;
      readonly earlierRequests: number;
    }[];
  };
  readonly drafts: readonly {
    readonly id: string;
    readonly childName: string | null;
    readonly updatedAt: Date;
  }[];
};

/** Days counted back for "recent" figures: decisions and repeat requests. */
export const DASHBOARD_DAYS = 28;

/**
 * The front door's figures for the actor's teams: requests waiting (oldest first), decisions in the
 * last 28 days made within the timescale (1 working day), children with a repeat request (another
 * request in the 12 months before one received in the last 28 days), and the actor's own drafts.
 */
export async function frontDoorDashboard(deps: Deps, actor: Actor): Promise<FrontDoorDashboard> {
  const canRequest = can(actor, 'help', 'request');
  const seesTeamRequests =
    actor.teamIds.length > 0 && (can(actor, 'help', 'read') || can(actor, 'help', 'decide'));
  if (!canRequest && !seesTeamRequests) throw new ForbiddenError();
  const now = deps.clock.now();
  const today = londonDate(now);
  const since = new Date(now.getTime() - DASHBOARD_DAYS * 24 * 60 * 60 * 1000);
  const db = deps.db;

  const drafts = canRequest
    ? await db
        .selectFrom('help_requests')
        .leftJoin('people', 'people.id', 'help_requests.person_id')
        .select(['help_requests.id', 'help_requests.updated_at', 'people.given_name', 'people.family_name'])
        .where('help_requests.organisation_id', '=', actor.organisationId)
        .where('help_requests.created_by', '=', actor.userId)
        .where('help_requests.status', '=', 'draft')
        .orderBy('help_requests.updated_at', 'desc')
        .execute()
    : [];
  const teams = seesTeamRequests
    ? await db.selectFrom('teams').select('name').where('id', 'in', actor.teamIds).orderBy('name').execute()
    : [];

  const empty = {
    teams: teams.map((t) => t.name),
    canRequest,
    seesTeamRequests,
    waiting: [],
    waitingByDays: [],
    decisions: { total: 0, withinTimescale: 0, percent: null },
    repeats: { count: 0, children: [] },
    drafts: drafts.map((d) => ({
      id: d.id,
      childName: d.given_name === null ? null : `${d.given_name} ${d.family_name ?? ''}`.trim(),
      updatedAt: d.updated_at,
    })),
  };
  if (!seesTeamRequests) return empty;

  const waitingRows = await db
    .selectFrom('help_requests')
    .innerJoin('people', 'people.id', 'help_requests.person_id')
    .select([
      'help_requests.id',
      'help_requests.received_at',
      'help_requests.requester_kind',
      'help_requests.requester_organisation',
      'help_requests.referral_source',
      'people.given_name',
      'people.family_name',
    ])
    .where('help_requests.organisation_id', '=', actor.organisationId)
    .where('help_requests.status', '=', 'awaiting_decision')
    .where('help_requests.team_id', 'in', actor.teamIds)
    .orderBy('help_requests.received_at')
    .orderBy('help_requests.id')
    .execute();
  const waiting = waitingRows.map((r) => {
    const receivedAt = r.received_at ?? now;
    const days = workingDaysBetween(londonDate(receivedAt), today);
    const kind = r.requester_kind ?? 'other';
    return {
      id: r.id,
      childName: `${r.given_name} ${r.family_name}`,
      receivedAt,
      workingDaysWaiting: days,
      overdue: days > TIMESCALES.requestDecisionWorkingDays,
      requester:
        kind === 'professional' && r.requester_organisation
          ? r.requester_organisation
          : capitalise(REQUESTER_IN_A_SENTENCE[kind]),
      referralSource: referralSourceLabel(r.referral_source),
    };
  });
  const buckets = [0, 0, 0, 0];
  for (const w of waiting)
    buckets[Math.min(w.workingDaysWaiting, 3)] = (buckets[Math.min(w.workingDaysWaiting, 3)] ?? 0) + 1;
  const waitingByDays = ['Today (0)', '1 working day', '2 working days', '3 or more'].map((label, i) => ({
    label,
    count: buckets[i] ?? 0,
  }));

  const decided = await db
    .selectFrom('help_requests')
    .select(['received_at', 'decided_at'])
    .where('organisation_id', '=', actor.organisationId)
    .where('status', '=', 'decided')
    .where('team_id', 'in', actor.teamIds)
    .where('decided_at', '>=', since)
    .where('decided_at', '<=', now)
    .execute();
  let within = 0;
  for (const d of decided) {
    if (!d.received_at || !d.decided_at) continue;
    const days = workingDaysBetween(londonDate(d.received_at), londonDate(d.decided_at));
    if (days <= TIMESCALES.requestDecisionWorkingDays) within += 1;
  }

  const recent = await db
    .selectFrom('help_requests as r')
    .innerJoin('people', 'people.id', 'r.person_id')
    .select([
      'r.id',
      'r.person_id',
      'r.received_at',
      'people.given_name',
      'people.family_name',
      (eb) =>
        eb
          .selectFrom('help_requests as p')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('p.person_id', '=', 'r.person_id')
          .whereRef('p.id', '<>', 'r.id')
          .where('p.status', 'in', ['awaiting_decision', 'decided'])
          .whereRef('p.received_at', '<', 'r.received_at')
          .where(sql<SqlBool>`p.received_at >= r.received_at - interval '12 months'`)
          .as('earlier'),
    ])
    .where('r.organisation_id', '=', actor.organisationId)
    .where('r.status', 'in', ['awaiting_decision', 'decided'])
    .where('r.team_id', 'in', actor.teamIds)
    .where('r.received_at', '>=', since)
    .where('r.received_at', '<=', now)
    .orderBy('r.received_at', 'desc')
    .orderBy('r.id')
    .execute();
  const repeatByChild = new Map<string, FrontDoorDashboard['repeats']['children'][number]>();
  for (const r of recent) {
    const earlier = r.earlier ?? 0;
    if (earlier < 1 || r.person_id === null || repeatByChild.has(r.person_id)) continue;
    repeatByChild.set(r.person_id, {
      childName: `${r.given_name} ${r.family_name}`,
      requestId: r.id,
      receivedAt: r.received_at ?? now,
      earlierRequests: earlier,
    });
  }

  return {
    ...empty,
    waiting,
    waitingByDays,
    decisions: {
      total: decided.length,
      withinTimescale: within,
      percent: decided.length === 0 ? null : Math.round((within / decided.length) * 100),
    },
    repeats: { count: repeatByChild.size, children: [...repeatByChild.values()] },
  };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
