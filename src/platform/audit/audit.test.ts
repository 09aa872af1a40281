import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../db/connect.ts';
import { openTestDb } from '../../../test/support/db.ts';
import { recordAudit, verifyAuditChain } from './audit.ts';

let handle: DbHandle;

beforeAll(async () => {
  handle = await openTestDb();
});
afterAll(async () => {
  await handle.close();
});

/** Runs SQL as a superuser would, bypassing the append-only triggers, as an attacker with DB access might. */
async function bypassTriggers(statement: string): Promise<void> {
  await handle.db.transaction().execute(async (trx) => {
    await sql`SET LOCAL session_replication_role = replica`.execute(trx);
    await sql.raw(statement).execute(trx);
  });
}

describe('the audit log', () => {
  it('chains every row to the one before', async () => {
    await recordAudit(handle.db, { actorUserId: null, action: 'test.one', entityType: 'test', entityId: '1', detail: { n: 1 } });
    await recordAudit(
      handle.db,
      { actorUserId: null, action: 'test.two', entityType: 'test', entityId: '2' },
      { actorUserId: null, action: 'test.three', entityType: 'test', entityId: '3' },
    );
    const rows = await handle.db.selectFrom('audit_log').select(['seq', 'prev_hash', 'row_hash']).orderBy('seq').execute();
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(rows[0]?.prev_hash).toBe('0'.repeat(64));
    expect(rows[1]?.prev_hash).toBe(rows[0]?.row_hash);
    expect(rows[2]?.prev_hash).toBe(rows[1]?.row_hash);
    const result = await verifyAuditChain(handle.db);
    expect(result).toMatchObject({ ok: true, rows: 3, head: rows[2]?.row_hash });
  });

  it('keeps one unbroken chain when many writers append at once', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        handle.db.transaction().execute((trx) => recordAudit(trx, { actorUserId: null, action: 'test.parallel', entityType: 'test', entityId: String(i) })),
      ),
    );
    expect(await verifyAuditChain(handle.db)).toMatchObject({ ok: true, rows: 23 });
  });

  it('refuses updates, deletes and truncation', async () => {
    await expect(sql`UPDATE audit_log SET action = 'x' WHERE seq = 1`.execute(handle.db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_log WHERE seq = 1`.execute(handle.db)).rejects.toThrow(/append-only/);
    await expect(sql`TRUNCATE audit_log`.execute(handle.db)).rejects.toThrow(/append-only/);
  });

  it('rolls back with the change it records', async () => {
    const before = await handle.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    await expect(
      handle.db.transaction().execute(async (trx) => {
        await recordAudit(trx, { actorUserId: null, action: 'test.rolled_back', entityType: 'test' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const after = await handle.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('detects a row edited behind the triggers', async () => {
    await bypassTriggers(`UPDATE audit_log SET entity_id = 'forged' WHERE seq = 2`);
    const result = await verifyAuditChain(handle.db);
    expect(result).toMatchObject({ ok: false, firstBrokenSeq: 2, problem: 'the row does not match its hash' });
  });

  it('detects an edited row whose hash was recomputed, at the next row', async () => {
    await bypassTriggers(
      `UPDATE audit_log a SET row_hash = encode(sha256(convert_to(audit_canonical(a), 'UTF8')), 'hex') WHERE seq = 2`,
    );
    const result = await verifyAuditChain(handle.db);
    expect(result).toMatchObject({ ok: false, firstBrokenSeq: 3, problem: 'the row does not point at the hash of the row before' });
  });

  it('detects a deleted row', async () => {
    await bypassTriggers(`DELETE FROM audit_log WHERE seq IN (2, 3)`);
    const result = await verifyAuditChain(handle.db);
    expect(result).toMatchObject({ ok: false, firstBrokenSeq: 4, problem: 'a row is missing before this one' });
  });
});
