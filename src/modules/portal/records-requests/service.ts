import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../../db/database.ts';
import { recordAudit, recordView } from '../../../platform/audit/audit.ts';
import { londonDate } from '../../../platform/clock.ts';
import type { Deps } from '../../../platform/deps.ts';
import {
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  type FieldError,
} from '../../../platform/errors.ts';
import { can, type Actor } from '../../access/actor.ts';
import { personInScopeFor } from '../../access/person-scope.ts';
import { restrictedFrom } from '../../people/restrictions.ts';
import { familyCanSee, type FamilyActor } from '../family-actor.ts';
import { auditFamilyView } from '../portal-audit.ts';
import type {
  RecordsRequestChannel,
  RecordsRequestStatus,
  RedactionReason,
} from '../records-requests.table.ts';
import { candidateItems, protectedTermsFor } from './content.ts';
import { daysLeft, recordsRequestDueOn } from './deadline.ts';
import {
  applyRedactions,
  bundleDocument,
  bundleHtml,
  bundleText,
  containsProtected,
  isRedactionReason,
  maskProtected,
  passagePattern,
  reasonWords,
  type BundleItem,
  type BundleRedaction,
  type ProtectedTerm,
  type RenderedItem,
} from './render.ts';

type Executor = Kysely<Database> | Transaction<Database>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export const RECORDS_REQUEST_STATUSES: Readonly<Record<RecordsRequestStatus, string>> = {
  received: 'Received',
  preparing: 'Being prepared',
  awaiting_approval: 'Waiting for a second check',
  released: 'Sent',
};

/** What the family reads about where their request has got to. */
export const FAMILY_STATUS_WORDS: Readonly<Record<RecordsRequestStatus, string>> = {
  received: 'We have your request',
  preparing: 'We are getting your records ready',
  awaiting_approval: 'We are checking your records',
  released: 'Your records are ready',
};

export const RECORDS_REQUEST_CHANNELS: Readonly<Record<RecordsRequestChannel, string>> = {
  portal: 'Family portal',
  letter: 'Letter',
  phone: 'Phone',
  email: 'Email',
  in_person: 'In person',
};

function isChannel(value: string): value is RecordsRequestChannel {
  return Object.hasOwn(RECORDS_REQUEST_CHANNELS, value);
}

function isValidIsoDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const date = new Date(`${value}T12:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

// Staff ---------------------------------------------------------------------------------------------

type StaffAction = 'prepare' | 'approve';

function requirePermission(actor: Actor, action: StaffAction): void {
  if (!can(actor, 'records_request', action)) throw new ForbiddenError();
}

/** The child, if this member of staff may handle requests for their records; otherwise not found. */
async function childInScope(db: Executor, deps: Deps, actor: Actor, childId: string, action: StaffAction) {
  if (!UUID.test(childId)) throw new NotFoundError();
  const row = await db
    .selectFrom('people')
    .select(['people.id', 'people.given_name', 'people.family_name', 'people.preferred_name'])
    .where('people.id', '=', childId)
    .where('people.merged_into', 'is', null)
    .where(personInScopeFor(actor, 'records_request', action, deps.clock))
    .where((eb) => eb.not(restrictedFrom(actor, deps.clock)(eb)))
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  return row;
}

/** The request, if its child is in this member of staff's scope; otherwise not found. */
/**
 * The request, if this member of staff may act on it (else "not found"). With `lock`, the request's row
 * is locked for the rest of the transaction before it is read, so its status cannot change under a
 * step that checks it (two people releasing the same bundle at once, say).
 */
async function requestInScope(
  db: Executor,
  deps: Deps,
  actor: Actor,
  id: string,
  action: StaffAction,
  lock = false,
) {
  if (!UUID.test(id)) throw new NotFoundError();
  const row = await db
    .selectFrom('records_requests')
    .innerJoin('people', 'people.id', 'records_requests.child_id')
    .selectAll('records_requests')
    .select(['people.given_name', 'people.family_name', 'people.preferred_name'])
    .where('records_requests.id', '=', id)
    .where('records_requests.organisation_id', '=', actor.organisationId)
    .where(personInScopeFor(actor, 'records_request', action, deps.clock))
    .where((eb) => eb.not(restrictedFrom(actor, deps.clock)(eb)))
    .$if(lock, (qb) => qb.forUpdate('records_requests'))
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  return row;
}

export type FamilyAccountChoice = { readonly id: string; readonly name: string; readonly kind: string };

/** The portal accounts that can see this child's records section: who a logged request may be sent to. */
export async function accountsForChild(
  deps: Deps,
  actor: Actor,
  childId: string,
): Promise<FamilyAccountChoice[]> {
  requirePermission(actor, 'prepare');
  const child = await childInScope(deps.db, deps, actor, childId, 'prepare');
  const rows = await deps.db
    .selectFrom('family_account_children')
    .innerJoin('family_accounts', 'family_accounts.id', 'family_account_children.account_id')
    .innerJoin('people', 'people.id', 'family_accounts.person_id')
    .select([
      'family_accounts.id',
      'family_accounts.kind',
      'people.given_name',
      'people.family_name',
      'family_account_children.sections',
    ])
    .where('family_account_children.child_id', '=', child.id)
    .where('family_account_children.ended_at', 'is', null)
    .where('family_accounts.status', '<>', 'withdrawn')
    .orderBy('people.family_name')
    .execute();
  return rows
    .filter((r) => r.sections === null || r.sections.includes('records'))
    .map((r) => ({ id: r.id, name: `${r.given_name} ${r.family_name}`, kind: r.kind }));
}

export type LogRequestInput = {
  readonly childId: string;
  readonly channel: string;
  readonly requesterDescription: string;
  readonly whatWanted: string;
  readonly receivedOn: string;
  readonly dateFrom: string;
  readonly dateTo: string;
  readonly familyAccountId: string;
  readonly requestId?: string | null;
};

function checkRange(errors: FieldError[], dateFrom: string, dateTo: string): void {
  if (dateFrom && !isValidIsoDate(dateFrom)) errors.push({ field: 'dateFrom', message: 'Enter a real date' });
  if (dateTo && !isValidIsoDate(dateTo)) errors.push({ field: 'dateTo', message: 'Enter a real date' });
  if (dateFrom && dateTo && isValidIsoDate(dateFrom) && isValidIsoDate(dateTo) && dateFrom > dateTo) {
    errors.push({ field: 'dateTo', message: 'The end date must be the same as or after the start date' });
  }
}

/** Staff log a request that came by letter, phone, email or in person. */
export async function logRecordsRequest(deps: Deps, actor: Actor, input: LogRequestInput): Promise<string> {
  requirePermission(actor, 'prepare');
  const child = await childInScope(deps.db, deps, actor, input.childId, 'prepare');
  const today = londonDate(deps.clock.now());
  const errors: FieldError[] = [];
  if (!isChannel(input.channel) || input.channel === 'portal') {
    errors.push({ field: 'channel', message: 'Select how the request came' });
  }
  if (!input.requesterDescription.trim())
    errors.push({ field: 'requesterDescription', message: 'Enter who asked' });
  if (!input.whatWanted.trim()) errors.push({ field: 'whatWanted', message: 'Enter what they asked for' });
  if (!isValidIsoDate(input.receivedOn))
    errors.push({ field: 'receivedOn', message: 'Enter the date the request came' });
  else if (input.receivedOn > today)
    errors.push({ field: 'receivedOn', message: 'The date the request came must be today or in the past' });
  checkRange(errors, input.dateFrom, input.dateTo);
  let accountId: string | null = null;
  if (input.familyAccountId) {
    const allowed = await accountsForChild(deps, actor, child.id);
    if (!allowed.some((a) => a.id === input.familyAccountId)) {
      errors.push({
        field: 'familyAccountId',
        message: 'Select a portal account that can see this child’s records',
      });
    } else accountId = input.familyAccountId;
  }
  if (errors.length > 0) throw new InvalidInputError(errors);
  return deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('records_requests')
      .values({
        organisation_id: actor.organisationId,
        child_id: child.id,
        family_account_id: accountId,
        requester_description: input.requesterDescription.trim(),
        channel: input.channel as RecordsRequestChannel,
        what_wanted: input.whatWanted.trim(),
        date_from: input.dateFrom || null,
        date_to: input.dateTo || null,
        received_on: input.receivedOn,
        due_on: recordsRequestDueOn(input.receivedOn),
        logged_by: actor.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'records_request.log',
      entityType: 'records_request',
      entityId: row.id,
      detail: { personId: child.id, channel: input.channel },
      requestId: input.requestId ?? null,
    });
    return row.id;
  });
}

export type RecordsRequestSummary = {
  readonly id: string;
  readonly childId: string;
  readonly childName: string;
  readonly channel: string;
  readonly status: RecordsRequestStatus;
  readonly statusText: string;
  readonly receivedOn: string;
  readonly dueOn: string;
  readonly daysLeft: number;
  readonly overdue: boolean;
  readonly releasedOn: string | null;
};

/** The requests this member of staff may handle: open ones first, soonest due first. */
export async function listRecordsRequests(
  deps: Deps,
  actor: Actor,
  options: { includeReleased?: boolean } = {},
): Promise<RecordsRequestSummary[]> {
  requirePermission(actor, 'prepare');
  let query = deps.db
    .selectFrom('records_requests')
    .innerJoin('people', 'people.id', 'records_requests.child_id')
    .select([
      'records_requests.id',
      'records_requests.child_id',
      'records_requests.channel',
      'records_requests.status',
      'records_requests.received_on',
      'records_requests.due_on',
      'records_requests.released_at',
      'people.given_name',
      'people.family_name',
    ])
    .where('records_requests.organisation_id', '=', actor.organisationId)
    .where(personInScopeFor(actor, 'records_request', 'prepare', deps.clock))
    .where((eb) => eb.not(restrictedFrom(actor, deps.clock)(eb)));
  if (!options.includeReleased) query = query.where('records_requests.status', '<>', 'released');
  const rows = await query
    .orderBy(sql`records_requests.status = 'released'`)
    .orderBy('records_requests.due_on')
    .orderBy('records_requests.id')
    .limit(500)
    .execute();
  const today = londonDate(deps.clock.now());
  return rows.map((r) => {
    const releasedOn = r.released_at ? londonDate(r.released_at) : null;
    const left = daysLeft(releasedOn ?? today, r.due_on);
    return {
      id: r.id,
      childId: r.child_id,
      childName: `${r.given_name} ${r.family_name}`,
      channel: RECORDS_REQUEST_CHANNELS[r.channel],
      status: r.status,
      statusText: RECORDS_REQUEST_STATUSES[r.status],
      receivedOn: r.received_on,
      dueOn: r.due_on,
      daysLeft: left,
      overdue: left < 0,
      releasedOn,
    };
  });
}

export type StaffItemView = {
  readonly id: string;
  readonly sourceType: string;
  readonly occurredOn: string | null;
  readonly heading: string;
  readonly body: string;
  readonly redactions: readonly {
    readonly id: string;
    readonly scope: 'item' | 'passage';
    readonly passage: string | null;
    readonly reason: RedactionReason;
    readonly reasonWords: string;
  }[];
};

export type StaffRequestView = {
  readonly id: string;
  readonly childId: string;
  readonly childName: string;
  readonly requesterDescription: string | null;
  readonly familyAccountId: string | null;
  readonly channel: string;
  readonly whatWanted: string;
  readonly dateFrom: string | null;
  readonly dateTo: string | null;
  readonly receivedOn: string;
  readonly dueOn: string;
  readonly daysLeft: number;
  readonly overdue: boolean;
  readonly status: RecordsRequestStatus;
  readonly statusText: string;
  readonly preparedBy: string | null;
  readonly submittedBy: string | null;
  readonly approvedBy: string | null;
  readonly returnedNote: string | null;
  readonly releasedAt: Date | null;
  readonly items: readonly StaffItemView[];
  /** The bundle as the family will read it (for released requests: exactly what was released). */
  readonly previewHtml: string;
  /** Whether this member of staff may approve it (holds the permission and did not prepare it). */
  readonly canApprove: boolean;
  readonly canPrepare: boolean;
};

async function itemsAndRedactions(db: Executor, requestId: string) {
  const [items, redactions] = await Promise.all([
    db
      .selectFrom('records_request_items')
      .select(['id', 'source_type', 'occurred_on', 'heading', 'body', 'position'])
      .where('request_id', '=', requestId)
      .orderBy('position')
      .execute(),
    db
      .selectFrom('records_request_redactions')
      .select(['id', 'item_id', 'scope', 'passage', 'reason', 'reason_text', 'created_by'])
      .where('request_id', '=', requestId)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
  ]);
  const bundleItems: BundleItem[] = items.map((i) => ({
    id: i.id,
    sourceType: i.source_type,
    occurredOn: i.occurred_on,
    heading: i.heading,
    body: i.body,
  }));
  const bundleRedactions: BundleRedaction[] = redactions.map((r) => ({
    itemId: r.item_id,
    scope: r.scope,
    passage: r.passage,
    reason: r.reason,
    reasonText: r.reason_text,
  }));
  return { items, redactions, bundleItems, bundleRedactions };
}

type RequestRow = Awaited<ReturnType<typeof requestInScope>>;

async function render(db: Executor, request: RequestRow, releasedOn: string) {
  const { bundleItems, bundleRedactions } = await itemsAndRedactions(db, request.id);
  const terms = await protectedTermsFor(db, request.child_id);
  const rendered: RenderedItem[] = applyRedactions(bundleItems, bundleRedactions, terms);
  const header = {
    childName: `${request.preferred_name ?? request.given_name} ${request.family_name}`,
    whatWanted: maskProtected(request.what_wanted, terms),
    receivedOn: request.received_on,
    releasedOn,
    dateFrom: request.date_from,
    dateTo: request.date_to,
  };
  const html = bundleHtml(header, rendered);
  const text = bundleText(header, rendered);
  // The last check: nothing that must be kept from the family survives the rendering.
  if (containsProtected(text, terms) || containsProtected(html, terms)) {
    throw new Error('A protected term survived redaction');
  }
  return { html, text };
}

function participants(request: RequestRow, redactionAuthors: readonly (string | null)[]): Set<string> {
  const ids = [request.prepared_by, request.submitted_by, ...redactionAuthors].filter(
    (x): x is string => x !== null,
  );
  return new Set(ids);
}

/** One request, its items and redactions, and the bundle as the family would read it. A view of the child. */
export async function viewRecordsRequest(
  deps: Deps,
  actor: Actor,
  id: string,
  audit: { requestId?: string | null; route: string },
): Promise<StaffRequestView> {
  requirePermission(actor, 'prepare');
  const request = await requestInScope(deps.db, deps, actor, id, 'prepare');
  const { items, redactions } = await itemsAndRedactions(deps.db, request.id);
  await recordView(deps.db, {
    actorUserId: actor.userId,
    action: 'person.view',
    entityType: 'person',
    entityId: request.child_id,
    detail: { route: audit.route, purpose: 'records_request', recordsRequestId: request.id },
    requestId: audit.requestId ?? null,
  });
  const names = await deps.db
    .selectFrom('users')
    .select(['id', 'display_name'])
    .where(
      'id',
      'in',
      [request.prepared_by, request.submitted_by, request.approved_by]
        .filter((x): x is string => x !== null)
        .concat(['00000000-0000-0000-0000-000000000000']),
    )
    .execute();
  const nameOf = (userId: string | null): string | null =>
    names.find((n) => n.id === userId)?.display_name ?? null;
  const today = londonDate(deps.clock.now());
  const releasedOn = request.released_at ? londonDate(request.released_at) : null;
  const left = daysLeft(releasedOn ?? today, request.due_on);
  const previewHtml =
    request.status === 'released' && request.released_html !== null
      ? request.released_html
      : (await render(deps.db, request, today)).html;
  const involved = participants(
    request,
    redactions.map((r) => r.created_by),
  );
  return {
    id: request.id,
    childId: request.child_id,
    childName: `${request.given_name} ${request.family_name}`,
    requesterDescription: request.requester_description,
    familyAccountId: request.family_account_id,
    channel: RECORDS_REQUEST_CHANNELS[request.channel],
    whatWanted: request.what_wanted,
    dateFrom: request.date_from,
    dateTo: request.date_to,
    receivedOn: request.received_on,
    dueOn: request.due_on,
    daysLeft: left,
    overdue: left < 0,
    status: request.status,
    statusText: RECORDS_REQUEST_STATUSES[request.status],
    preparedBy: nameOf(request.prepared_by),
    submittedBy: nameOf(request.submitted_by),
    approvedBy: nameOf(request.approved_by),
    returnedNote: request.returned_note,
    releasedAt: request.released_at,
    items: items.map((item) => ({
      id: item.id,
      sourceType: item.source_type,
      occurredOn: item.occurred_on,
      heading: item.heading,
      body: item.body,
      redactions: redactions
        .filter((r) => r.item_id === item.id)
        .map((r) => ({
          id: r.id,
          scope: r.scope,
          passage: r.passage,
          reason: r.reason,
          reasonWords: reasonWords(r.reason, r.reason_text),
        })),
    })),
    previewHtml,
    canApprove:
      request.status === 'awaiting_approval' &&
      can(actor, 'records_request', 'approve') &&
      !involved.has(actor.userId),
    canPrepare: request.status === 'received' || request.status === 'preparing',
  };
}

async function staffAudit(
  trx: Transaction<Database>,
  actor: Actor,
  action: string,
  request: RequestRow,
  requestId: string | null | undefined,
  detail: Record<string, unknown> = {},
): Promise<void> {
  await recordAudit(trx, {
    actorUserId: actor.userId,
    action,
    entityType: 'records_request',
    entityId: request.id,
    detail: { personId: request.child_id, ...detail },
    requestId: requestId ?? null,
  });
}

/**
 * Copies the candidate content from the child's record into the request (replacing any earlier copy
 * and its redactions: only while the bundle is being prepared).
 */
export async function assembleBundle(
  deps: Deps,
  actor: Actor,
  id: string,
  requestId?: string | null,
): Promise<number> {
  requirePermission(actor, 'prepare');
  return deps.db.transaction().execute(async (trx) => {
    const request = await requestInScope(trx, deps, actor, id, 'prepare', true);
    if (request.status !== 'received' && request.status !== 'preparing') {
      throw new InvalidInputError([
        { field: 'status', message: 'This bundle has been sent for checking and cannot be changed' },
      ]);
    }
    const items = await candidateItems(trx, {
      childId: request.child_id,
      dateFrom: request.date_from,
      dateTo: request.date_to,
    });
    await trx.deleteFrom('records_request_redactions').where('request_id', '=', request.id).execute();
    await trx.deleteFrom('records_request_items').where('request_id', '=', request.id).execute();
    if (items.length > 0) {
      await trx
        .insertInto('records_request_items')
        .values(
          items.map((item, position) => ({
            request_id: request.id,
            position,
            source_type: item.sourceType,
            source_id: item.sourceId,
            occurred_on: item.occurredOn,
            heading: item.heading,
            body: item.body,
          })),
        )
        .execute();
    }
    await trx
      .updateTable('records_requests')
      .set((eb) => ({
        status: 'preparing',
        prepared_by: actor.userId,
        assembled_at: deps.clock.now(),
        updated_at: deps.clock.now(),
        version: eb('version', '+', 1),
      }))
      .where('id', '=', request.id)
      .execute();
    await staffAudit(trx, actor, 'records_request.assemble', request, requestId, { items: items.length });
    return items.length;
  });
}

export type RedactionInput = {
  readonly itemId: string;
  readonly scope: string;
  readonly passage: string;
  readonly reason: string;
  readonly reasonText: string;
  readonly requestId?: string | null;
};

/** Marks a whole item, or a passage of it, to be removed, with the reason the reader will see. */
export async function addRedaction(
  deps: Deps,
  actor: Actor,
  id: string,
  input: RedactionInput,
): Promise<string> {
  requirePermission(actor, 'prepare');
  return deps.db.transaction().execute(async (trx) => {
    const request = await requestInScope(trx, deps, actor, id, 'prepare', true);
    if (request.status !== 'preparing') {
      throw new InvalidInputError([
        { field: 'status', message: 'Redactions can only be changed while the bundle is being prepared' },
      ]);
    }
    const item = UUID.test(input.itemId)
      ? await trx
          .selectFrom('records_request_items')
          .select(['id', 'body'])
          .where('id', '=', input.itemId)
          .where('request_id', '=', request.id)
          .executeTakeFirst()
      : undefined;
    if (!item) throw new NotFoundError();
    const errors: FieldError[] = [];
    const scope = input.scope === 'item' ? 'item' : input.scope === 'passage' ? 'passage' : null;
    if (scope === null)
      errors.push({ field: 'scope', message: 'Select whether to remove the whole entry or some words' });
    const passage = input.passage.trim();
    if (scope === 'passage') {
      if (!passage) errors.push({ field: 'passage', message: 'Enter the words to remove' });
      else if (!passagePattern(passage).test(item.body)) {
        errors.push({ field: 'passage', message: 'Enter words exactly as they appear in this entry' });
      }
    }
    if (!isRedactionReason(input.reason)) errors.push({ field: 'reason', message: 'Select the reason' });
    else if (input.reason === 'other' && !input.reasonText.trim()) {
      errors.push({ field: 'reasonText', message: 'Enter the reason the reader will see' });
    }
    if (errors.length > 0 || scope === null || !isRedactionReason(input.reason))
      throw new InvalidInputError(errors);
    const row = await trx
      .insertInto('records_request_redactions')
      .values({
        request_id: request.id,
        item_id: item.id,
        scope,
        passage: scope === 'passage' ? passage : null,
        reason: input.reason,
        reason_text: input.reason === 'other' ? input.reasonText.trim() : null,
        created_by: actor.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await staffAudit(trx, actor, 'records_request.redact', request, input.requestId, {
      itemId: item.id,
      scope,
      reason: input.reason,
    });
    return row.id;
  });
}

export async function removeRedaction(
  deps: Deps,
  actor: Actor,
  id: string,
  redactionId: string,
  requestId?: string | null,
): Promise<void> {
  requirePermission(actor, 'prepare');
  await deps.db.transaction().execute(async (trx) => {
    const request = await requestInScope(trx, deps, actor, id, 'prepare', true);
    if (request.status !== 'preparing') {
      throw new InvalidInputError([
        { field: 'status', message: 'Redactions can only be changed while the bundle is being prepared' },
      ]);
    }
    if (!UUID.test(redactionId)) throw new NotFoundError();
    const deleted = await trx
      .deleteFrom('records_request_redactions')
      .where('id', '=', redactionId)
      .where('request_id', '=', request.id)
      .executeTakeFirst();
    if (deleted.numDeletedRows === 0n) throw new NotFoundError();
    await staffAudit(trx, actor, 'records_request.unredact', request, requestId, { redactionId });
  });
}

/** The preparer sends the bundle for the second check. */
export async function submitBundle(
  deps: Deps,
  actor: Actor,
  id: string,
  requestId?: string | null,
): Promise<void> {
  requirePermission(actor, 'prepare');
  await deps.db.transaction().execute(async (trx) => {
    const request = await requestInScope(trx, deps, actor, id, 'prepare', true);
    if (request.status !== 'preparing') {
      throw new InvalidInputError([
        { field: 'status', message: 'Put the bundle together before sending it for checking' },
      ]);
    }
    await trx
      .updateTable('records_requests')
      .set((eb) => ({
        status: 'awaiting_approval',
        submitted_by: actor.userId,
        submitted_at: deps.clock.now(),
        returned_note: null,
        updated_at: deps.clock.now(),
        version: eb('version', '+', 1),
      }))
      .where('id', '=', request.id)
      .where('status', '=', 'preparing')
      .execute();
    await staffAudit(trx, actor, 'records_request.submit', request, requestId);
  });
}

async function approverCheck(trx: Transaction<Database>, actor: Actor, request: RequestRow): Promise<void> {
  if (request.status !== 'awaiting_approval') {
    throw new InvalidInputError([
      { field: 'status', message: 'This bundle is not waiting for a second check' },
    ]);
  }
  const authors = await trx
    .selectFrom('records_request_redactions')
    .select('created_by')
    .where('request_id', '=', request.id)
    .execute();
  if (
    participants(
      request,
      authors.map((a) => a.created_by),
    ).has(actor.userId)
  ) {
    throw new ForbiddenError(
      'A different member of staff from the one who prepared the bundle must check and release it',
    );
  }
}

/** The second person sends the bundle back to the preparer, saying why. */
export async function returnBundle(
  deps: Deps,
  actor: Actor,
  id: string,
  input: { note: string; requestId?: string | null },
): Promise<void> {
  requirePermission(actor, 'approve');
  await deps.db.transaction().execute(async (trx) => {
    const request = await requestInScope(trx, deps, actor, id, 'approve', true);
    await approverCheck(trx, actor, request);
    if (!input.note.trim())
      throw new InvalidInputError([{ field: 'note', message: 'Enter what needs to change' }]);
    await trx
      .updateTable('records_requests')
      .set((eb) => ({
        status: 'preparing',
        returned_note: input.note.trim(),
        updated_at: deps.clock.now(),
        version: eb('version', '+', 1),
      }))
      .where('id', '=', request.id)
      .execute();
    await staffAudit(trx, actor, 'records_request.return', request, input.requestId);
  });
}

/**
 * The second person approves: the bundle is rendered once more, checked, and frozen as released.
 * The same person cannot prepare (or submit, or redact) and approve.
 */
export async function approveBundle(
  deps: Deps,
  actor: Actor,
  id: string,
  requestId?: string | null,
): Promise<void> {
  requirePermission(actor, 'approve');
  await deps.db.transaction().execute(async (trx) => {
    const request = await requestInScope(trx, deps, actor, id, 'approve', true);
    await approverCheck(trx, actor, request);
    const now = deps.clock.now();
    const { html, text } = await render(trx, request, londonDate(now));
    await trx
      .updateTable('records_requests')
      .set((eb) => ({
        status: 'released',
        approved_by: actor.userId,
        released_at: now,
        released_html: html,
        released_text: text,
        updated_at: now,
        version: eb('version', '+', 1),
      }))
      .where('id', '=', request.id)
      .where('status', '=', 'awaiting_approval')
      .execute();
    await staffAudit(trx, actor, 'records_request.release', request, requestId);
  });
}

// Family --------------------------------------------------------------------------------------------

export type FamilyRequestSummary = {
  readonly id: string;
  readonly childId: string;
  readonly childName: string;
  readonly whatWanted: string;
  readonly receivedOn: string;
  readonly dueOn: string;
  readonly status: RecordsRequestStatus;
  readonly statusWords: string;
  readonly released: boolean;
};

export type AskInput = {
  readonly childId: string;
  readonly whatWanted: string;
  readonly dateFrom: string;
  readonly dateTo: string;
};

/** A parent or young person asks for records in the portal. */
export async function askForRecords(
  deps: Deps,
  family: FamilyActor,
  input: AskInput & { requestId?: string | null },
): Promise<string> {
  if (!UUID.test(input.childId) || !familyCanSee(family, input.childId, 'records')) throw new NotFoundError();
  const errors: FieldError[] = [];
  if (!input.whatWanted.trim()) errors.push({ field: 'whatWanted', message: 'Tell us what you want to see' });
  if (input.whatWanted.length > 5000)
    errors.push({ field: 'whatWanted', message: 'Use 5,000 characters or fewer' });
  checkRange(errors, input.dateFrom, input.dateTo);
  if (errors.length > 0) throw new InvalidInputError(errors);
  const receivedOn = londonDate(deps.clock.now());
  return deps.db.transaction().execute(async (trx) => {
    const child = await trx
      .selectFrom('people')
      .select('id')
      .where('id', '=', input.childId)
      .where('organisation_id', '=', family.organisationId)
      .where('merged_into', 'is', null)
      .executeTakeFirst();
    if (!child) throw new NotFoundError();
    const row = await trx
      .insertInto('records_requests')
      .values({
        organisation_id: family.organisationId,
        child_id: child.id,
        family_account_id: family.accountId,
        channel: 'portal',
        what_wanted: input.whatWanted.trim(),
        date_from: input.dateFrom || null,
        date_to: input.dateTo || null,
        received_on: receivedOn,
        due_on: recordsRequestDueOn(receivedOn),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorUserId: null,
      action: 'records_request.ask',
      entityType: 'records_request',
      entityId: row.id,
      detail: { familyAccountId: family.accountId, personId: child.id },
      requestId: input.requestId ?? null,
    });
    return row.id;
  });
}

function familyQuery(deps: Deps, family: FamilyActor) {
  const childIds = family.children.filter((c) => c.sections.includes('records')).map((c) => c.childId);
  return deps.db
    .selectFrom('records_requests')
    .innerJoin('people', 'people.id', 'records_requests.child_id')
    .where('records_requests.organisation_id', '=', family.organisationId)
    .where('records_requests.family_account_id', '=', family.accountId)
    .where(
      'records_requests.child_id',
      'in',
      childIds.length > 0 ? childIds : ['00000000-0000-0000-0000-000000000000'],
    );
}

/** The account's own requests, for the children whose records section it may see. */
export async function familyRecordsRequests(
  deps: Deps,
  family: FamilyActor,
): Promise<FamilyRequestSummary[]> {
  const rows = await familyQuery(deps, family)
    .select([
      'records_requests.id',
      'records_requests.child_id',
      'records_requests.what_wanted',
      'records_requests.received_on',
      'records_requests.due_on',
      'records_requests.status',
      'people.given_name',
      'people.preferred_name',
      'people.family_name',
    ])
    .orderBy('records_requests.received_on', 'desc')
    .orderBy('records_requests.id')
    .execute();
  // What was asked for may have been typed by staff: protected terms are masked here too.
  const terms = new Map<string, ProtectedTerm[]>();
  for (const childId of new Set(rows.map((r) => r.child_id)))
    terms.set(childId, await protectedTermsFor(deps.db, childId));
  return rows.map((r) => ({
    id: r.id,
    childId: r.child_id,
    childName: `${r.preferred_name ?? r.given_name} ${r.family_name}`,
    whatWanted: maskProtected(r.what_wanted, terms.get(r.child_id) ?? []),
    receivedOn: r.received_on,
    dueOn: r.due_on,
    status: r.status,
    statusWords: FAMILY_STATUS_WORDS[r.status],
    released: r.status === 'released',
  }));
}

export type FamilyRequestView = FamilyRequestSummary & {
  /** The frozen bundle, only once released. */
  readonly bundleHtml: string | null;
};

async function familyRow(deps: Deps, family: FamilyActor, id: string) {
  if (!UUID.test(id)) throw new NotFoundError();
  const row = await familyQuery(deps, family)
    .select([
      'records_requests.id',
      'records_requests.child_id',
      'records_requests.what_wanted',
      'records_requests.received_on',
      'records_requests.due_on',
      'records_requests.status',
      'records_requests.released_html',
      'records_requests.released_text',
      'people.given_name',
      'people.preferred_name',
      'people.family_name',
    ])
    .where('records_requests.id', '=', id)
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  return row;
}

export type FamilyAuditInput = { readonly route: string; readonly requestId?: string | null };

/** One of the account's requests: where it has got to, and the bundle once released. Audited. */
export async function familyRecordsRequest(
  deps: Deps,
  family: FamilyActor,
  id: string,
  audit: FamilyAuditInput,
): Promise<FamilyRequestView> {
  const row = await familyRow(deps, family, id);
  const released = row.status === 'released';
  if (released) {
    await auditFamilyView(deps, family, {
      childId: row.child_id,
      route: audit.route,
      section: 'records',
      requestId: audit.requestId,
    });
  }
  return {
    id: row.id,
    childId: row.child_id,
    childName: `${row.preferred_name ?? row.given_name} ${row.family_name}`,
    whatWanted: maskProtected(row.what_wanted, await protectedTermsFor(deps.db, row.child_id)),
    receivedOn: row.received_on,
    dueOn: row.due_on,
    status: row.status,
    statusWords: FAMILY_STATUS_WORDS[row.status],
    released,
    bundleHtml: released ? row.released_html : null,
  };
}

/** The released bundle as a file to keep: a standalone HTML document or plain text. Audited. */
export async function familyBundleDownload(
  deps: Deps,
  family: FamilyActor,
  id: string,
  format: 'html' | 'text',
  audit: FamilyAuditInput,
): Promise<{ filename: string; contentType: string; body: string }> {
  const row = await familyRow(deps, family, id);
  if (row.status !== 'released' || row.released_html === null || row.released_text === null)
    throw new NotFoundError();
  // Downloading is a view of the record that leaves with the family: its own action, committed first.
  await recordView(deps.db, {
    actorUserId: null,
    action: 'portal.records_request.download',
    entityType: 'person',
    entityId: row.child_id,
    detail: {
      familyAccountId: family.accountId,
      recordsRequestId: row.id,
      route: audit.route,
      format,
      section: 'records',
    },
    requestId: audit.requestId ?? null,
  });
  const stamp = row.received_on;
  if (format === 'text') {
    return {
      filename: `records-${stamp}.txt`,
      contentType: 'text/plain; charset=utf-8',
      body: row.released_text,
    };
  }
  return {
    filename: `records-${stamp}.html`,
    contentType: 'text/html; charset=utf-8',
    body: bundleDocument('Your records', row.released_html),
  };
}

/** Children in this member of staff's scope whose name matches: to choose whose records were asked for. */
export async function childrenForNewRequest(
  deps: Deps,
  actor: Actor,
  name: string,
): Promise<{ id: string; name: string; dateOfBirth: string | null }[]> {
  requirePermission(actor, 'prepare');
  const words = name.trim().toLowerCase().split(/\s+/).filter(Boolean).slice(0, 4);
  if (words.length === 0) return [];
  let query = deps.db
    .selectFrom('people')
    .select(['people.id', 'people.given_name', 'people.family_name', 'people.date_of_birth'])
    .where('people.organisation_id', '=', actor.organisationId)
    .where('people.merged_into', 'is', null)
    .where(personInScopeFor(actor, 'records_request', 'prepare', deps.clock))
    .where((eb) => eb.not(restrictedFrom(actor, deps.clock)(eb)));
  for (const word of words) {
    const like = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) =>
      eb.or([
        eb(eb.fn('lower', ['people.given_name']), 'like', like),
        eb(eb.fn('lower', ['people.family_name']), 'like', like),
        eb(eb.fn('lower', ['people.preferred_name']), 'like', like),
      ]),
    );
  }
  const rows = await query
    .orderBy('people.family_name')
    .orderBy('people.given_name')
    .orderBy('people.id')
    .limit(25)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: `${r.given_name} ${r.family_name}`,
    dateOfBirth: r.date_of_birth,
  }));
}

/** The child whose records were asked for, if in this member of staff's scope; otherwise not found. */
export async function childForNewRequest(
  deps: Deps,
  actor: Actor,
  childId: string,
): Promise<{ id: string; name: string }> {
  requirePermission(actor, 'prepare');
  const child = await childInScope(deps.db, deps, actor, childId, 'prepare');
  return { id: child.id, name: `${child.given_name} ${child.family_name}` };
}
