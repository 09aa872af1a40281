import type { Deps } from '../../platform/deps.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Actor } from '../access/actor.ts';
import { auditChildView, childInHelpScope, londonDate, type Executor } from './access.ts';
import { InvalidInputError, type FieldError } from '../../platform/errors.ts';

/**
 * The chronology: significant events are written automatically, in the same transaction, by the
 * service that records them (a request received, a decision, a status change, an assessment
 * authorised, a plan started, a visit); practitioners add entries of their own ("curated").
 */
export type AutomaticEntry = {
  readonly personId: string;
  readonly episodeId: string | null;
  readonly occurredOn: string;
  /** Stable event name, dotted: request.received, request.decided, status.changed, visit.recorded … */
  readonly event: string;
  /** Plain English, written to the child ("You were seen at home"), no more than a sentence or two. */
  readonly summary: string;
  readonly sourceType: string;
  readonly sourceId: string;
  readonly actorUserId: string | null;
};

export async function addAutomaticEntry(db: Executor, entry: AutomaticEntry): Promise<void> {
  await db
    .insertInto('chronology_entries')
    .values({
      person_id: entry.personId,
      episode_id: entry.episodeId,
      occurred_on: entry.occurredOn,
      kind: 'automatic',
      event: entry.event,
      summary: entry.summary,
      source_type: entry.sourceType,
      source_id: entry.sourceId,
      added_by: entry.actorUserId,
    })
    .execute();
}

/**
 * A practitioner's choice to put something they recorded (a note) into the chronology, in the
 * caller's transaction: a curated entry that points back at its source.
 */
export async function addCuratedEntryFrom(db: Executor, entry: AutomaticEntry): Promise<string> {
  const row = await db
    .insertInto('chronology_entries')
    .values({
      person_id: entry.personId,
      episode_id: entry.episodeId,
      occurred_on: entry.occurredOn,
      kind: 'curated',
      event: entry.event,
      summary: entry.summary,
      source_type: entry.sourceType,
      source_id: entry.sourceId,
      added_by: entry.actorUserId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Keeps the chronology entries written from a record in step when the record is corrected. */
export async function updateEntriesFrom(
  db: Executor,
  source: { sourceType: string; sourceId: string },
  change: { occurredOn: string; summary: string },
): Promise<void> {
  await db
    .updateTable('chronology_entries')
    .set({ occurred_on: change.occurredOn, summary: change.summary })
    .where('source_type', '=', source.sourceType)
    .where('source_id', '=', source.sourceId)
    .execute();
}

export type ChronologyItem = {
  readonly id: string;
  readonly occurredOn: string;
  readonly kind: 'automatic' | 'curated';
  readonly event: string;
  readonly summary: string;
  readonly sourceType: string | null;
  readonly sourceId: string | null;
  readonly addedBy: string | null;
};

/** Which entries to show: all, only those written automatically, or only those practitioners added. */
export type ChronologyFilter = 'all' | 'automatic' | 'curated';

/**
 * The child's chronology, newest first, optionally only one kind of entry. Viewing it is a view of
 * the child's record (audited).
 */
export async function chronologyFor(
  deps: Deps,
  actor: Actor,
  input: { personId: string; requestId?: string | null; route?: string; kind?: ChronologyFilter },
): Promise<{ child: { id: string; given_name: string; family_name: string }; items: ChronologyItem[] }> {
  const child = await childInHelpScope(deps.db, actor, deps.clock, input.personId, 'read');
  let query = deps.db
    .selectFrom('chronology_entries')
    .leftJoin('users', 'users.id', 'chronology_entries.added_by')
    .select([
      'chronology_entries.id',
      'chronology_entries.occurred_on',
      'chronology_entries.kind',
      'chronology_entries.event',
      'chronology_entries.summary',
      'chronology_entries.source_type',
      'chronology_entries.source_id',
      'users.display_name',
    ])
    .where('chronology_entries.person_id', '=', child.id);
  if (input.kind === 'automatic' || input.kind === 'curated') {
    query = query.where('chronology_entries.kind', '=', input.kind);
  }
  const rows = await query
    .orderBy('chronology_entries.occurred_on', 'desc')
    .orderBy('chronology_entries.created_at', 'desc')
    .orderBy('chronology_entries.id', 'desc')
    .execute();
  await auditChildView(deps.db, actor, {
    personId: child.id,
    route: input.route ?? 'chronology',
    purpose: 'chronology',
    requestId: input.requestId ?? null,
  });
  return {
    child,
    items: rows.map((r) => ({
      id: r.id,
      occurredOn: r.occurred_on,
      kind: r.kind,
      event: r.event,
      summary: r.summary,
      sourceType: r.source_type,
      sourceId: r.source_id,
      addedBy: r.display_name,
    })),
  };
}

/** A practitioner's own chronology entry. */
export async function addCuratedEntry(
  deps: Deps,
  actor: Actor,
  input: { personId: string; occurredOn: string; summary: string; requestId?: string | null },
): Promise<string> {
  const errors: FieldError[] = [];
  const summary = input.summary.trim();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.occurredOn) || Number.isNaN(Date.parse(input.occurredOn))) {
    errors.push({ field: 'occurredOn', message: 'Enter the date it happened, for example 27 3 2025' });
  } else if (input.occurredOn > londonDate(deps.clock.now())) {
    errors.push({ field: 'occurredOn', message: 'The date it happened must be today or in the past' });
  }
  if (summary === '') errors.push({ field: 'summary', message: 'Enter what happened' });
  else if (summary.length > 2000)
    errors.push({ field: 'summary', message: 'What happened must be 2000 characters or fewer' });
  if (errors.length > 0) throw new InvalidInputError(errors);
  return deps.db.transaction().execute(async (trx) => {
    const child = await childInHelpScope(trx, actor, deps.clock, input.personId, 'write');
    const episode = await trx
      .selectFrom('help_episodes')
      .select('id')
      .where('person_id', '=', child.id)
      .where('closed_on', 'is', null)
      .executeTakeFirst();
    const row = await trx
      .insertInto('chronology_entries')
      .values({
        person_id: child.id,
        episode_id: episode?.id ?? null,
        occurred_on: input.occurredOn,
        kind: 'curated',
        event: 'chronology.added',
        summary,
        added_by: actor.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'chronology.add',
      entityType: 'person',
      entityId: child.id,
      detail: { entryId: row.id },
      requestId: input.requestId ?? null,
    });
    return row.id;
  });
}
