import { recordAudit } from '../../../platform/audit/audit.ts';
import type { Config } from '../../../platform/config.ts';
import type { Deps } from '../../../platform/deps.ts';
import { InvalidInputError, NotFoundError, type FieldError } from '../../../platform/errors.ts';
import type { Actor } from '../../access/actor.ts';
import { auditChildView, childInHelpScope, requireHelpPermission } from '../../help/access.ts';
import type { FamilyActor } from '../family-actor.ts';
import {
  UUID,
  auditFamilyChange,
  auditFamilyView,
  familyAccountNames,
  familyChild,
  asDate,
  plainText,
  type Executor,
  type FamilyChild,
  type PortalContext,
} from './common.ts';
import { accountSees, childPortalAccounts } from './reports.ts';
import { completePortalTasks, openPortalTask } from './tasks.ts';

/**
 * Messages between a family account and the child's worker: threads of plain text. Each thread
 * belongs to one family account (another family member never sees it). A message from the family
 * gives the allocated worker (or their team) a task to reply; opening the thread on the staff side
 * marks the family's messages read, and replying completes the task. Not for emergencies: the pages
 * say who to call out of hours.
 */

export const SUBJECT_MAX = 200;
export const MESSAGE_MAX = 5_000;

/** Who to call when it cannot wait, from the council's settings (HEARTH_PORTAL_OUT_OF_HOURS_PHONE). */
export function outOfHoursText(config: Config): string {
  const phone = config.portal.outOfHoursPhone;
  return phone
    ? `At night and at weekends, call the emergency duty team on ${phone}.`
    : 'At night and at weekends, call your council’s emergency duty team.';
}

export type ThreadSummary = {
  readonly id: string;
  readonly subject: string;
  readonly lastMessageAt: Date;
  readonly unread: number;
};

export type ThreadMessage = {
  readonly id: string;
  readonly fromFamily: boolean;
  readonly from: string;
  readonly body: string;
  readonly sentAt: Date;
  readonly readAt: Date | null;
};

export type FamilyMessagesPage = {
  readonly child: FamilyChild;
  readonly threads: readonly ThreadSummary[];
  readonly worker: string | null;
};

/** The worker the family writes to: the lead practitioner's name, or none when unallocated. */
async function workerName(db: Executor, childId: string): Promise<string | null> {
  const row = await db
    .selectFrom('allocations')
    .innerJoin('users', 'users.id', 'allocations.worker_user_id')
    .select(['users.display_name'])
    .where('allocations.person_id', '=', childId)
    .where('allocations.ended_at', 'is', null)
    .orderBy('allocations.is_lead', 'desc')
    .orderBy('allocations.started_at', 'desc')
    .executeTakeFirst();
  return row?.display_name ?? null;
}

function readBody(subject: string | null, body: string): { subject: string | null; body: string } {
  const errors: FieldError[] = [];
  let cleanSubject: string | null = null;
  if (subject !== null) {
    cleanSubject = plainText(subject, SUBJECT_MAX + 1).replace(/\s+/g, ' ');
    if (cleanSubject === '') errors.push({ field: 'subject', message: 'Say what your message is about' });
    else if (cleanSubject.length > SUBJECT_MAX)
      errors.push({ field: 'subject', message: `Use ${String(SUBJECT_MAX)} characters or fewer` });
  }
  const cleanBody = plainText(body, MESSAGE_MAX + 1);
  if (cleanBody === '') errors.push({ field: 'body', message: 'Write your message' });
  else if (cleanBody.length > MESSAGE_MAX)
    errors.push({ field: 'body', message: `Use ${String(MESSAGE_MAX)} characters or fewer` });
  if (errors.length > 0) throw new InvalidInputError(errors);
  return { subject: cleanSubject, body: cleanBody };
}

/** This account's threads about this child, latest first (section 'messages'). Audited. */
export async function familyThreads(
  deps: Deps,
  actor: FamilyActor,
  input: { childId: string } & PortalContext,
): Promise<FamilyMessagesPage> {
  const child = await familyChild(deps.db, actor, input.childId, 'messages');
  const [threads, worker] = await Promise.all([
    deps.db
      .selectFrom('family_message_threads as t')
      .select((eb) => [
        't.id',
        't.subject',
        't.last_message_at',
        eb
          .selectFrom('family_messages as m')
          .select(eb.fn.countAll<string | number>().as('n'))
          .whereRef('m.thread_id', '=', 't.id')
          .where('m.from_user_id', 'is not', null)
          .where('m.read_at', 'is', null)
          .as('unread'),
      ])
      .where('t.account_id', '=', actor.accountId)
      .where('t.child_id', '=', child.id)
      .orderBy('t.last_message_at', 'desc')
      .execute(),
    workerName(deps.db, child.id),
  ]);
  await auditFamilyView(deps.db, actor, {
    childId: child.id,
    purpose: 'messages',
    requestId: input.requestId,
    route: input.route ?? '/family/children/:childId/messages',
  });
  return {
    child,
    worker,
    threads: threads.map((t) => ({
      id: t.id,
      subject: t.subject,
      lastMessageAt: asDate(t.last_message_at),
      unread: Number(t.unread ?? 0),
    })),
  };
}

async function messagesOf(db: Executor, threadId: string, familyName: string): Promise<ThreadMessage[]> {
  const rows = await db
    .selectFrom('family_messages as m')
    .leftJoin('users', 'users.id', 'm.from_user_id')
    .select(['m.id', 'm.from_account_id', 'm.body', 'm.sent_at', 'm.read_at', 'users.display_name'])
    .where('m.thread_id', '=', threadId)
    .orderBy('m.sent_at')
    .orderBy('m.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    fromFamily: r.from_account_id !== null,
    from: r.from_account_id !== null ? familyName : (r.display_name ?? 'Your worker'),
    body: r.body,
    sentAt: asDate(r.sent_at),
    readAt: r.read_at ? asDate(r.read_at) : null,
  }));
}

/** One of this account's threads: opening it marks the worker's messages read. */
export async function familyThread(
  deps: Deps,
  actor: FamilyActor,
  input: { childId: string; threadId: string } & PortalContext,
): Promise<{ child: FamilyChild; thread: { id: string; subject: string }; messages: ThreadMessage[] }> {
  const child = await familyChild(deps.db, actor, input.childId, 'messages');
  if (!UUID.test(input.threadId)) throw new NotFoundError();
  return deps.db.transaction().execute(async (trx) => {
    const thread = await trx
      .selectFrom('family_message_threads')
      .select(['id', 'subject'])
      .where('id', '=', input.threadId)
      .where('account_id', '=', actor.accountId)
      .where('child_id', '=', child.id)
      .executeTakeFirst();
    if (!thread) throw new NotFoundError();
    const messages = await messagesOf(trx, thread.id, 'You');
    await trx
      .updateTable('family_messages')
      .set({ read_at: deps.clock.now() })
      .where('thread_id', '=', thread.id)
      .where('from_user_id', 'is not', null)
      .where('read_at', 'is', null)
      .execute();
    await auditFamilyView(trx, actor, {
      childId: child.id,
      purpose: 'messages',
      requestId: input.requestId,
      route: input.route ?? '/family/children/:childId/messages/:threadId',
    });
    return { child, thread, messages };
  });
}

/** The family starts a thread. Returns its id. */
export async function startFamilyThread(
  deps: Deps,
  actor: FamilyActor,
  input: { childId: string; subject: string; body: string } & PortalContext,
): Promise<string> {
  return deps.db.transaction().execute(async (trx) => {
    const child = await familyChild(trx, actor, input.childId, 'messages');
    const clean = readBody(input.subject, input.body);
    const now = deps.clock.now();
    const thread = await trx
      .insertInto('family_message_threads')
      .values({
        organisation_id: actor.organisationId,
        child_id: child.id,
        account_id: actor.accountId,
        subject: clean.subject ?? '',
        started_by: 'family',
        last_message_at: now,
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('family_messages')
      .values({ thread_id: thread.id, from_account_id: actor.accountId, body: clean.body, sent_at: now })
      .execute();
    await openPortalTask(trx, {
      organisationId: actor.organisationId,
      childId: child.id,
      kind: 'family_message',
      sourceType: 'family_message_thread',
      sourceId: thread.id,
      at: now,
    });
    await auditFamilyChange(trx, actor, {
      action: 'portal.message.start',
      entityType: 'family_message_thread',
      entityId: thread.id,
      childId: child.id,
      requestId: input.requestId,
      route: input.route ?? '/family/children/:childId/messages',
    });
    return thread.id;
  });
}

/** A reply in a thread, from the family or from staff: the message, and the thread's latest time. */
async function reply(
  trx: Executor,
  threadId: string,
  from: { from_account_id: string } | { from_user_id: string },
  body: string,
  now: Date,
): Promise<void> {
  await trx
    .insertInto('family_messages')
    .values({ thread_id: threadId, ...from, body, sent_at: now })
    .execute();
  await trx
    .updateTable('family_message_threads')
    .set({ last_message_at: now })
    .where('id', '=', threadId)
    .execute();
}

/** The family replies in one of their threads. */
export async function familyReply(
  deps: Deps,
  actor: FamilyActor,
  input: { childId: string; threadId: string; body: string } & PortalContext,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const child = await familyChild(trx, actor, input.childId, 'messages');
    if (!UUID.test(input.threadId)) throw new NotFoundError();
    const thread = await trx
      .selectFrom('family_message_threads')
      .select('id')
      .where('id', '=', input.threadId)
      .where('account_id', '=', actor.accountId)
      .where('child_id', '=', child.id)
      .forUpdate()
      .executeTakeFirst();
    if (!thread) throw new NotFoundError();
    const now = deps.clock.now();
    await reply(trx, thread.id, { from_account_id: actor.accountId }, readBody(null, input.body).body, now);
    await openPortalTask(trx, {
      organisationId: actor.organisationId,
      childId: child.id,
      kind: 'family_message',
      sourceType: 'family_message_thread',
      sourceId: thread.id,
      at: now,
    });
    await auditFamilyChange(trx, actor, {
      action: 'portal.message.reply',
      entityType: 'family_message_thread',
      entityId: thread.id,
      childId: child.id,
      requestId: input.requestId,
      route: input.route ?? '/family/children/:childId/messages/:threadId',
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Staff
// ---------------------------------------------------------------------------------------------

export type StaffThreadSummary = ThreadSummary & { readonly accountName: string };

export type StaffMessagesPage = {
  readonly child: { id: string; name: string };
  readonly threads: readonly StaffThreadSummary[];
  readonly accounts: readonly { id: string; name: string; kindLabel: string }[];
  readonly canWrite: boolean;
};

async function staffChild(
  deps: Deps,
  actor: Actor,
  childId: string,
  action: 'read' | 'write',
  db: Executor = deps.db,
) {
  requireHelpPermission(actor, action);
  const child = await childInHelpScope(db, actor, deps.clock, childId, action);
  return { id: child.id, name: `${child.given_name} ${child.family_name}` };
}

async function mayWrite(deps: Deps, actor: Actor, childId: string): Promise<boolean> {
  try {
    await staffChild(deps, actor, childId, 'write');
    return true;
  } catch (error) {
    if (error instanceof NotFoundError || (error as { code?: string }).code === 'forbidden') return false;
    throw error;
  }
}

/** Staff: the family's message threads about a child, with unread counts. Audited as a view. */
export async function staffThreads(
  deps: Deps,
  actor: Actor,
  input: { childId: string } & PortalContext,
): Promise<StaffMessagesPage> {
  const child = await staffChild(deps, actor, input.childId, 'read');
  const [threads, accounts, canWrite] = await Promise.all([
    deps.db
      .selectFrom('family_message_threads as t')
      .select((eb) => [
        't.id',
        't.account_id',
        't.subject',
        't.last_message_at',
        eb
          .selectFrom('family_messages as m')
          .select(eb.fn.countAll<string | number>().as('n'))
          .whereRef('m.thread_id', '=', 't.id')
          .where('m.from_account_id', 'is not', null)
          .where('m.read_at', 'is', null)
          .as('unread'),
      ])
      .where('t.child_id', '=', child.id)
      .orderBy('t.last_message_at', 'desc')
      .execute(),
    childPortalAccounts(deps.db, child.id),
    mayWrite(deps, actor, child.id),
  ]);
  const names = await familyAccountNames(
    deps.db,
    threads.map((t) => t.account_id),
  );
  await recordStaffView(deps, actor, child.id, input, 'family_messages');
  return {
    child,
    canWrite,
    accounts: accounts.filter((a) => accountSees(a, 'messages')),
    threads: threads.map((t) => ({
      id: t.id,
      subject: t.subject,
      accountName: names.get(t.account_id) ?? 'A family member',
      lastMessageAt: asDate(t.last_message_at),
      unread: Number(t.unread ?? 0),
    })),
  };
}

async function recordStaffView(
  deps: Deps,
  actor: Actor,
  childId: string,
  input: PortalContext,
  purpose: string,
  db: Executor = deps.db,
): Promise<void> {
  await auditChildView(db, actor, {
    personId: childId,
    route: input.route ?? '/children/:id/family-portal/messages',
    purpose,
    requestId: input.requestId,
  });
}

/** Staff: one thread. Opening it marks the family's messages read (the family sees "read"). */
export async function staffThread(
  deps: Deps,
  actor: Actor,
  input: { childId: string; threadId: string } & PortalContext,
): Promise<{
  child: { id: string; name: string };
  thread: { id: string; subject: string; accountName: string };
  messages: ThreadMessage[];
  canWrite: boolean;
}> {
  const child = await staffChild(deps, actor, input.childId, 'read');
  if (!UUID.test(input.threadId)) throw new NotFoundError();
  const canWrite = await mayWrite(deps, actor, child.id);
  return deps.db.transaction().execute(async (trx) => {
    const thread = await trx
      .selectFrom('family_message_threads')
      .select(['id', 'subject', 'account_id'])
      .where('id', '=', input.threadId)
      .where('child_id', '=', child.id)
      .executeTakeFirst();
    if (!thread) throw new NotFoundError();
    const name =
      (await familyAccountNames(trx, [thread.account_id])).get(thread.account_id) ?? 'A family member';
    const messages = await messagesOf(trx, thread.id, name);
    await trx
      .updateTable('family_messages')
      .set({ read_at: deps.clock.now() })
      .where('thread_id', '=', thread.id)
      .where('from_account_id', 'is not', null)
      .where('read_at', 'is', null)
      .execute();
    await recordStaffView(deps, actor, child.id, input, 'family_messages', trx);
    return {
      child,
      thread: { id: thread.id, subject: thread.subject, accountName: name },
      messages,
      canWrite,
    };
  });
}

/** Staff reply in a thread: completes the task to reply. */
export async function staffReply(
  deps: Deps,
  actor: Actor,
  input: { childId: string; threadId: string; body: string } & PortalContext,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const child = await staffChild(deps, actor, input.childId, 'write', trx);
    if (!UUID.test(input.threadId)) throw new NotFoundError();
    const thread = await trx
      .selectFrom('family_message_threads')
      .select('id')
      .where('id', '=', input.threadId)
      .where('child_id', '=', child.id)
      .forUpdate()
      .executeTakeFirst();
    if (!thread) throw new NotFoundError();
    const now = deps.clock.now();
    await reply(trx, thread.id, { from_user_id: actor.userId }, readBody(null, input.body).body, now);
    await completePortalTasks(trx, {
      sourceType: 'family_message_thread',
      sourceId: thread.id,
      byUserId: actor.userId,
      at: now,
    });
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'portal.message.staff_reply',
      entityType: 'family_message_thread',
      entityId: thread.id,
      detail: { childId: child.id },
      requestId: input.requestId ?? null,
    });
  });
}

/** Staff start a thread with one family account that may see messages. Returns its id. */
export async function staffStartThread(
  deps: Deps,
  actor: Actor,
  input: { childId: string; accountId: string; subject: string; body: string } & PortalContext,
): Promise<string> {
  return deps.db.transaction().execute(async (trx) => {
    const child = await staffChild(deps, actor, input.childId, 'write', trx);
    const accounts = (await childPortalAccounts(trx, child.id)).filter((a) => accountSees(a, 'messages'));
    const account = accounts.find((a) => a.id === input.accountId);
    const errors: FieldError[] = [];
    if (!account) errors.push({ field: 'accountId', message: 'Choose who in the family to write to' });
    let clean: { subject: string | null; body: string } = { subject: null, body: '' };
    try {
      clean = readBody(input.subject, input.body);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      errors.push(...error.errors);
    }
    if (errors.length > 0 || !account) throw new InvalidInputError(errors);
    const now = deps.clock.now();
    const thread = await trx
      .insertInto('family_message_threads')
      .values({
        organisation_id: actor.organisationId,
        child_id: child.id,
        account_id: account.id,
        subject: clean.subject ?? '',
        started_by: 'staff',
        last_message_at: now,
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('family_messages')
      .values({ thread_id: thread.id, from_user_id: actor.userId, body: clean.body, sent_at: now })
      .execute();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'portal.message.staff_start',
      entityType: 'family_message_thread',
      entityId: thread.id,
      detail: { childId: child.id, familyAccountId: account.id },
      requestId: input.requestId ?? null,
    });
    return thread.id;
  });
}
