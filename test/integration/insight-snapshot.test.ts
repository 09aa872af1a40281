import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  failInterruptedRefreshes,
  refreshInsightSnapshots,
  SNAPSHOT_VIEWS,
  snapshotState,
  type InsightSource,
} from '../../src/modules/insight/snapshot.ts';
import type { Figure, InsightFilters } from '../../src/modules/insight/types.ts';
import { ESCALATOR } from '../../src/modules/insight/views/escalator.ts';
import { INSIGHT_VIEWS } from '../../src/modules/insight/views.ts';
import { generateAuthority } from '../../src/modules/synthetic/authority.ts';
import { openTestDb, type TestDb } from '../support/db.ts';
import { loadTestGeography } from '../support/geography.ts';

/**
 * Insight snapshots (ADR 11): a refresh fills the set of materialised views the pages are not
 * reading; from a snapshot every view gives exactly the figures of the plain views it copies, for the
 * page as first opened and with the filters that need each child's attributes; a change to the
 * records shows once the next refresh has filled the other set, not before; a refresh cut off by a
 * stopped server is marked failed.
 */
vi.setConfig({ testTimeout: 600_000 });

const TODAY = '2026-03-31';
const FILTER_SETS: readonly InsightFilters[] = [
  { from: '2025-04-01', to: TODAY },
  { from: '2023-04-01', to: TODAY, sex: 'F', ageBand: '10-15' },
  { from: '2021-04-01', to: TODAY, ethnicGroup: 'White', disability: 'no', decile: 3 },
];

let handle: TestDb;
let organisationId: string;

async function figuresOf(
  view: (typeof INSIGHT_VIEWS)[number],
  filters: InsightFilters,
  source: InsightSource,
): Promise<Figure[]> {
  return view.figures({ db: handle.db, organisationId, filters, today: TODAY, source });
}

beforeAll(async () => {
  handle = await openTestDb();
  await loadTestGeography(handle, ['E06000017']);
  await generateAuthority(handle.db, {
    authority: 'E06000017',
    scale: 0.3,
    seed: 'snapshots',
    pglite: handle.pglite,
  });
  const org = await sql<{ id: string }>`SELECT id FROM organisations WHERE la_code = 'E06000017'`.execute(
    handle.db,
  );
  organisationId = org.rows[0]?.id ?? '';
}, 600_000);
afterAll(async () => handle.close());

describe('insight snapshots', () => {
  it('before any refresh there is no snapshot: the pages read the plain views', async () => {
    const state = await snapshotState(handle.db);
    expect(state.current).toBeUndefined();
    expect(state.refreshing).toBe(false);
  });

  it('a refresh fills set a; every view then gives exactly the plain views’ figures from it', async () => {
    const result = await refreshInsightSnapshots(handle.db, { trigger: 'test' });
    if (result.status !== 'refreshed') throw new Error('refresh was busy');
    expect(result.set).toBe('snapshot_a');
    expect(Object.keys(result.timings)).toEqual([...SNAPSHOT_VIEWS]);
    const state = await snapshotState(handle.db);
    expect(state.current?.set).toBe('snapshot_a');
    expect(state.refreshing).toBe(false);

    let nonEmpty = 0;
    for (const view of INSIGHT_VIEWS)
      for (const filters of FILTER_SETS) {
        const live = await figuresOf(view, filters, 'live');
        const snapshot = await figuresOf(view, filters, 'snapshot_a');
        expect(snapshot, `${view.slug} ${JSON.stringify(filters)}`).toEqual(live);
        if (
          live.some((f) => f.rows.some((r) => Object.values(r).some((v) => typeof v === 'number' && v > 0)))
        )
          nonEmpty += 1;
      }
    // The comparison is of real figures, not of empty tables.
    expect(nonEmpty).toBeGreaterThanOrEqual(INSIGHT_VIEWS.length * 2);
  });

  it('a change to the records shows after the next refresh (into set b), and not before', async () => {
    const filters: InsightFilters = { from: '2025-04-01', to: TODAY, sex: 'M' };
    const before = await figuresOf(ESCALATOR, filters, 'live');
    // Five boys with a section 47 enquiry in the period are recorded as girls.
    const changed = await sql`
      UPDATE people SET sex = 'F' WHERE id IN (
        SELECT s.person_id FROM section47_enquiries s JOIN people p ON p.id = s.person_id
        WHERE p.sex = 'M' AND p.organisation_id = ${organisationId}::uuid AND s.started_on >= '2025-04-01'
        ORDER BY s.person_id LIMIT 5)`.execute(handle.db);
    expect(Number(changed.numAffectedRows)).toBe(5);
    const after = await figuresOf(ESCALATOR, filters, 'live');
    expect(after).not.toEqual(before);
    // The pages still read set a: the figures as they were.
    expect(await figuresOf(ESCALATOR, filters, 'snapshot_a')).toEqual(before);

    const result = await refreshInsightSnapshots(handle.db, { trigger: 'test' });
    if (result.status !== 'refreshed') throw new Error('refresh was busy');
    expect(result.set).toBe('snapshot_b');
    expect((await snapshotState(handle.db)).current?.set).toBe('snapshot_b');
    expect(await figuresOf(ESCALATOR, filters, 'snapshot_b')).toEqual(after);
    // The next refresh fills set a again.
    const third = await refreshInsightSnapshots(handle.db, { trigger: 'test' });
    expect(third.status === 'refreshed' ? third.set : 'busy').toBe('snapshot_a');
    expect(await figuresOf(ESCALATOR, filters, 'snapshot_a')).toEqual(after);
  });

  it('a refresh cut off by a stopped server is marked failed, and the last finished set stays in use', async () => {
    await sql`INSERT INTO insight_snapshot_refreshes (trigger, snapshot_set) VALUES ('schedule', 'snapshot_b')`.execute(
      handle.db,
    );
    const running = await snapshotState(handle.db);
    expect(running.refreshing).toBe(true);
    expect(running.current?.set).toBe('snapshot_a');
    expect(await failInterruptedRefreshes(handle.db)).toBe(1);
    const after = await snapshotState(handle.db);
    expect(after.refreshing).toBe(false);
    expect(after.current?.set).toBe('snapshot_a');
    const failed = await sql<{ failure: string }>`
      SELECT failure FROM insight_snapshot_refreshes WHERE failed_at IS NOT NULL`.execute(handle.db);
    expect(failed.rows.map((r) => r.failure)).toEqual([
      'interrupted: the server stopped while it was running',
    ]);
  });
});
