import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';

export type AuditEntry = {
  readonly actorUserId: string | null;
  /** What happened, dotted: `person.view`, `user.create`, `session.sign_in`, `access.denied`. */
  readonly action: string;
  readonly entityType: string;
  readonly entityId?: string | null;
  /** Never personal data about children or families: ids, routes, reasons, counts. */
  readonly detail?: Record<string, unknown>;
  readonly requestId?: string | null;
};

type Executor = Kysely<Database> | Transaction<Database>;

/**
 * Appends entries to the hash-chained audit log. Call it with the same transaction as the change it
 * records, so a change never lands without its audit row (and vice versa).
 */
export async function recordAudit(db: Executor, ...entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db
    .insertInto('audit_log')
    .values(
      entries.map((entry) => ({
        actor_user_id: entry.actorUserId,
        action: entry.action,
        entity_type: entry.entityType,
        entity_id: entry.entityId ?? null,
        detail: JSON.stringify(entry.detail ?? {}),
        request_id: entry.requestId ?? null,
      })),
    )
    .execute();
}

export type AuditVerification =
  | { readonly ok: true; readonly rows: number; readonly head: string | null }
  | { readonly ok: false; readonly rows: number; readonly firstBrokenSeq: number; readonly problem: string };

/**
 * Walks the whole chain: each row's hash must match its contents, each row must point at the hash of
 * the row before, and sequence numbers must have no gaps (a deleted row is a gap).
 */
export async function verifyAuditChain(db: Executor): Promise<AuditVerification> {
  const result = await sql<{
    seq: number;
    row_hash: string;
    prev_hash: string;
    expected_hash: string;
    previous_row_hash: string | null;
    previous_seq: number | null;
  }>`
    SELECT a.seq, a.row_hash, a.prev_hash,
      encode(sha256(convert_to(audit_canonical(a), 'UTF8')), 'hex') AS expected_hash,
      lag(a.row_hash) OVER (ORDER BY a.seq) AS previous_row_hash,
      lag(a.seq) OVER (ORDER BY a.seq) AS previous_seq
    FROM audit_log a ORDER BY a.seq`.execute(db);
  let head: string | null = null;
  for (const row of result.rows) {
    const seq = row.seq;
    const expectedPrevSeq = seq === 1 ? null : seq - 1;
    const previousSeq = row.previous_seq;
    if (previousSeq !== expectedPrevSeq) {
      return {
        ok: false,
        rows: result.rows.length,
        firstBrokenSeq: seq,
        problem: 'a row is missing before this one',
      };
    }
    if (row.expected_hash !== row.row_hash) {
      return {
        ok: false,
        rows: result.rows.length,
        firstBrokenSeq: seq,
        problem: 'the row does not match its hash',
      };
    }
    const expectedPrev = row.previous_row_hash ?? '0'.repeat(64);
    if (row.prev_hash !== expectedPrev) {
      return {
        ok: false,
        rows: result.rows.length,
        firstBrokenSeq: seq,
        problem: 'the row does not point at the hash of the row before',
      };
    }
    head = row.row_hash;
  }
  return { ok: true, rows: result.rows.length, head };
}

type Pending = { entry: AuditEntry; resolve: () => void; reject: (error: unknown) => void };

/**
 * Views, committed together. Every audit row takes the chain's lock until its transaction commits, so
 * a view written inside the read's transaction holds that lock across a round trip to Node: under load
 * the views queue behind one another. Views are instead appended by one statement per batch (its own
 * transaction, so the lock is held only while PostgreSQL inserts and commits); a view that arrives while
 * a batch is being written joins the next. The caller awaits the commit of its batch before it shows
 * anything, so a record is never shown without its audit row.
 */
class ViewWriter {
  private pending: Pending[] = [];
  private writing = false;
  private readonly db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.db = db;
  }

  add(entry: AuditEntry): Promise<void> {
    const written = new Promise<void>((resolve, reject) => this.pending.push({ entry, resolve, reject }));
    if (!this.writing) void this.drain();
    return written;
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, 500);
      try {
        await recordAudit(this.db, ...batch.map((p) => p.entry));
        for (const p of batch) p.resolve();
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    this.writing = false;
  }
}

const viewWriters = new WeakMap<Kysely<Database>, ViewWriter>();

/**
 * Records a view (reading a record changes nothing, so its audit row need not share a transaction):
 * resolves once the row is committed. Inside a transaction the row is written in that transaction.
 */
export async function recordView(db: Executor, entry: AuditEntry): Promise<void> {
  if (db.isTransaction) return recordAudit(db, entry);
  let writer = viewWriters.get(db);
  if (!writer) {
    writer = new ViewWriter(db);
    viewWriters.set(db, writer);
  }
  return writer.add(entry);
}
