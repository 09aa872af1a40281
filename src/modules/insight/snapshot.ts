/**
 * Insight snapshots (ADR 11; migration 0029_insight_snapshots.sql): each SQL view the insight pages
 * read is also kept as a materialised view with the same columns, in two sets
 * (`<view>_snapshot_a`, `<view>_snapshot_b`). A refresh fills the set the pages are not reading and
 * records that it finished; the pages read the set of the latest finished refresh (and say when it
 * was taken), before any refresh the plain views. The measures stay defined once, in the plain views.
 *
 * A refresh runs in one transaction holding an advisory lock, so two servers (or a server and
 * `npx hearth insight refresh`) never refresh at once: the second is told another is running. Pages
 * never wait for a refresh: it locks only the set nobody is reading.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../db/database.ts';

/** The plain views that have a snapshot, in the order a refresh fills them. */
export const SNAPSHOT_VIEWS = [
  'insight_children',
  'insight_front_door_requests',
  'insight_escalator_events',
  'insight_section47_results',
  'insight_cp_plans',
  'insight_child_family',
  'insight_stage_events',
  'insight_neighbourhood_localities',
  'insight_allocations',
  'insight_lead_changes',
] as const;

export type SnapshotView = (typeof SNAPSHOT_VIEWS)[number];

export type SnapshotSet = 'snapshot_a' | 'snapshot_b';

/** Where a page's figures come from: the plain views (live) or one set of snapshots. */
export type InsightSource = 'live' | SnapshotSet;

export const isSnapshot = (source: InsightSource | undefined): source is SnapshotSet =>
  source === 'snapshot_a' || source === 'snapshot_b';

/** The relation to read for `view`: the plain view, or its snapshot in the set. */
export function relation(source: InsightSource | undefined, view: SnapshotView): RawBuilder<unknown> {
  return sql.raw(isSnapshot(source) ? `${view}_${source}` : view);
}

export type RefreshTrigger = 'schedule' | 'command' | 'analyst' | 'start' | 'test';

export type RefreshResult =
  | {
      readonly status: 'refreshed';
      readonly id: number;
      readonly milliseconds: number;
      /** Each snapshot's refresh (and ANALYZE), ms, in the order done. */
      readonly timings: Readonly<Record<SnapshotView, number>>;
      /** The set it filled (the pages read it from now on). */
      readonly set: SnapshotSet;
    }
  | { readonly status: 'busy' };

/** Any number for the advisory lock, as long as nothing else uses it ("insight" in ASCII, roughly). */
const REFRESH_LOCK = 0x696e7369;

/**
 * Fills every snapshot again from the plain views. Returns `busy` straight away when another refresh
 * holds the lock. A failure is recorded (with its message: SQL errors carry no personal data) and
 * thrown; the previous snapshot stays in use.
 */
export async function refreshInsightSnapshots(
  db: Kysely<Database>,
  options: {
    readonly trigger: RefreshTrigger;
    readonly onProgress?: (view: SnapshotView, ms: number) => void;
  },
): Promise<RefreshResult> {
  const started = performance.now();
  // The set to fill: the one the pages are not reading (the latest finished refresh's other set).
  const current = await latestFinished(db);
  const set: SnapshotSet = current?.set === 'snapshot_a' ? 'snapshot_b' : 'snapshot_a';
  const row = await sql<{ id: string }>`
    INSERT INTO insight_snapshot_refreshes (trigger, snapshot_set) VALUES (${options.trigger}, ${set})
    RETURNING id`.execute(db);
  const id = Number(row.rows[0]?.id);
  try {
    const outcome = await db.transaction().execute(async (trx) => {
      const lock = await sql<{
        ok: boolean;
      }>`SELECT pg_try_advisory_xact_lock(${REFRESH_LOCK}) AS ok`.execute(trx);
      if (lock.rows[0]?.ok !== true) return undefined;
      // Another refresh may have finished between the choice above and the lock: choose again.
      const now = await latestFinished(trx);
      if ((now?.set ?? 'snapshot_b') === set) return undefined;
      const timings: Partial<Record<SnapshotView, number>> = {};
      for (const view of SNAPSHOT_VIEWS) {
        const at = performance.now();
        const name = sql.raw(`${view}_${set}`);
        await sql`REFRESH MATERIALIZED VIEW ${name}`.execute(trx);
        await sql`ANALYZE ${name}`.execute(trx);
        const ms = performance.now() - at;
        timings[view] = Math.round(ms);
        options.onProgress?.(view, ms);
      }
      // Finished in the same transaction as the refresh: the pages switch to this set when both commit.
      await sql`UPDATE insight_snapshot_refreshes
        SET finished_at = clock_timestamp(), timings = ${JSON.stringify(timings)}::jsonb
        WHERE id = ${id}`.execute(trx);
      return { timings: timings as Record<SnapshotView, number> };
    });
    if (outcome === undefined) {
      await sql`DELETE FROM insight_snapshot_refreshes WHERE id = ${id}`.execute(db);
      return { status: 'busy' };
    }
    return {
      status: 'refreshed',
      id,
      milliseconds: performance.now() - started,
      timings: outcome.timings,
      set,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message.slice(0, 500) : 'unknown error';
    await sql`UPDATE insight_snapshot_refreshes SET failed_at = now(), failure = ${message} WHERE id = ${id}`.execute(
      db,
    );
    throw error;
  }
}

/**
 * Refreshes that were running when their process stopped will never finish: marked failed, so the
 * pages stop saying "being worked out". Only when no refresh holds the lock (another server's running
 * refresh is left alone).
 */
export async function failInterruptedRefreshes(db: Kysely<Database>): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const lock = await sql<{ ok: boolean }>`SELECT pg_try_advisory_xact_lock(${REFRESH_LOCK}) AS ok`.execute(
      trx,
    );
    if (lock.rows[0]?.ok !== true) return 0;
    const result = await sql`UPDATE insight_snapshot_refreshes
      SET failed_at = now(), failure = 'interrupted: the server stopped while it was running'
      WHERE finished_at IS NULL AND failed_at IS NULL`.execute(trx);
    return Number(result.numAffectedRows ?? 0);
  });
}

async function latestFinished(
  db: Kysely<Database>,
): Promise<{ readonly set: SnapshotSet; readonly takenAt: Date } | undefined> {
  const result = await sql<{ snapshot_set: SnapshotSet; finished_at: Date }>`
    SELECT snapshot_set, finished_at FROM insight_snapshot_refreshes
    WHERE finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT 1`.execute(db);
  const row = result.rows[0];
  return row ? { set: row.snapshot_set, takenAt: row.finished_at } : undefined;
}

export type SnapshotState = {
  /** The set of the latest finished refresh (the pages read it), and when it was taken. */
  readonly current: { readonly set: SnapshotSet; readonly takenAt: Date } | undefined;
  /** A refresh is running now (started and not finished or failed, within the last 6 hours). */
  readonly refreshing: boolean;
};

/** The latest finished refresh, and whether another is running now. */
export async function snapshotState(db: Kysely<Database>): Promise<SnapshotState> {
  const [current, running] = await Promise.all([
    latestFinished(db),
    sql<{ refreshing: boolean }>`
      SELECT EXISTS (
        SELECT 1 FROM insight_snapshot_refreshes r
        WHERE r.finished_at IS NULL AND r.failed_at IS NULL AND r.started_at > now() - interval '6 hours'
      ) AS refreshing`.execute(db),
  ]);
  return { current, refreshing: running.rows[0]?.refreshing === true };
}

/**
 * Refreshes every `minutes` in this process (timers unref'd, so they never keep it alive), and once
 * soon after start when the latest snapshot is older than that (or there is none). A busy or failed
 * refresh is reported to `log` and tried again at the next tick. Returns a function that stops it.
 */
export function scheduleInsightRefresh(
  db: Kysely<Database>,
  options: {
    readonly minutes: number;
    readonly log: (event: {
      readonly outcome: string;
      readonly milliseconds?: number;
      readonly error?: string;
    }) => void;
    readonly firstDelayMs?: number;
  },
): () => void {
  let running = false;
  let stopped = false;
  const tick = async (trigger: RefreshTrigger) => {
    if (running || stopped) return;
    running = true;
    try {
      const result = await refreshInsightSnapshots(db, { trigger });
      options.log(
        result.status === 'busy'
          ? { outcome: 'busy' }
          : { outcome: 'refreshed', milliseconds: Math.round(result.milliseconds) },
      );
    } catch (error) {
      if (!stopped)
        options.log({ outcome: 'failed', error: error instanceof Error ? error.message : 'unknown' });
    } finally {
      running = false;
    }
  };
  const period = options.minutes * 60_000;
  const first = setTimeout(() => {
    void snapshotState(db)
      .then((state) => {
        if (state.current === undefined || Date.now() - state.current.takenAt.getTime() >= period)
          return tick('start');
        return undefined;
      })
      .catch(() => undefined);
  }, options.firstDelayMs ?? 5_000);
  first.unref();
  const timer = setInterval(() => void tick('schedule'), period);
  timer.unref();
  return () => {
    stopped = true;
    clearTimeout(first);
    clearInterval(timer);
  };
}
