import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { connect } from '../../src/db/connect.ts';
import { createServerDatabase } from '../support/db.ts';

/**
 * The `hearth` command line, run as a newcomer would run it, against a PGlite folder or (when
 * HEARTH_TEST_DATABASE_URL is set) a PostgreSQL database.
 */
// Each command starts its own database engine (PGlite takes seconds to boot), so allow minutes.
vi.setConfig({ testTimeout: 300_000 });

const serverUrl = process.env['HEARTH_TEST_DATABASE_URL'];
const temp = mkdtempSync(join(tmpdir(), 'hearth-cli-'));
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
  rmSync(temp, { recursive: true, force: true });
});

type Target = { env: Record<string, string>; database: { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string } };

async function newTarget(name: string): Promise<Target> {
  if (serverUrl) {
    const db = await createServerDatabase(serverUrl);
    cleanups.push(() => db.drop());
    return { env: { DATABASE_URL: db.url }, database: { kind: 'postgres', url: db.url } };
  }
  const dataDir = join(temp, name);
  return { env: { HEARTH_DATA_DIR: dataDir }, database: { kind: 'pglite', dataDir } };
}

function hearth(target: Target, ...args: string[]) {
  const result = spawnSync(process.execPath, ['bin/hearth.js', ...args], {
    env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'development', ...target.env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

async function tamper(target: Target, statement: string): Promise<void> {
  const handle = await connect(target.database);
  try {
    await handle.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL session_replication_role = replica`.execute(trx);
      await sql.raw(statement).execute(trx);
    });
  } finally {
    await handle.close();
  }
}

describe('npx hearth', () => {
  it('migrates, creates a user, verifies the audit chain and reports tampering', async () => {
    const target = await newTarget('main');
    expect(hearth(target, 'migrate').out).toContain('Applied: 0001_foundation');
    expect(hearth(target, 'migrate').out).toContain('up to date');
    const created = hearth(target, 'create-user', '--organisation', 'Test Council', '--email', 'new.worker@example.gov.uk', '--name', 'New Worker', '--role', 'practitioner', '--password', 'a long enough password');
    expect(created.code).toBe(0);
    expect(created.out).toContain('Created new.worker@example.gov.uk');
    const duplicate = hearth(target, 'create-user', '--email', 'NEW.worker@example.gov.uk', '--name', 'Again');
    expect(duplicate.code).toBe(1);
    expect(duplicate.out).toContain('already exists');

    const good = hearth(target, 'verify-audit');
    expect(good.code).toBe(0);
    expect(good.out).toMatch(/Audit log intact: 1 entries/);

    await tamper(target, `UPDATE audit_log SET detail = '{"roles":["administrator"]}' WHERE seq = 1`);
    const bad = hearth(target, 'verify-audit');
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('TAMPERED: entry 1');
  });

  it('backs up and restores the database', async () => {
    const source = await newTarget('source');
    hearth(source, 'migrate');
    expect(hearth(source, 'create-user', '--organisation', 'Backup Council', '--email', 'kept@example.gov.uk', '--name', 'Kept').code).toBe(0);
    const out = join(temp, serverUrl ? 'backup.sql' : 'backup');
    const backup = hearth(source, 'backup', '--out', out);
    expect(backup.code, backup.out).toBe(0);
    const restoredTarget = await newTarget('restored');
    const restore = hearth(restoredTarget, 'restore', '--from', out);
    expect(restore.code, restore.out).toBe(0);
    expect(hearth(restoredTarget, 'verify-audit').out).toMatch(/Audit log intact: 1 entries/);
    const handle = await connect(restoredTarget.database);
    try {
      const user = await handle.db.selectFrom('users').select('email').executeTakeFirst();
      expect(user?.email).toBe('kept@example.gov.uk');
    } finally {
      await handle.close();
    }
  });

  // The lock is PGlite's alone: a PostgreSQL server manages its own concurrency.
  // Defined only for PGlite runs, so PostgreSQL runs count no skipped test.
  const pgliteOnly = serverUrl ? () => undefined : it;
  pgliteOnly('refuses to open a PGlite folder another process is using', async () => {
    const target = await newTarget('locked');
    hearth(target, 'migrate');
    const handle = await connect(target.database);
    try {
      const second = hearth(target, 'verify-audit');
      expect(second.code).toBe(1);
      expect(second.out).toContain('in use by another Hearth process');
    } finally {
      await handle.close();
    }
    expect(hearth(target, 'verify-audit').code).toBe(0);
  });

  it('prints every configuration problem and stops', () => {
    const result = hearth({ env: { NODE_ENV: 'production', PORT: 'eighty' }, database: { kind: 'pglite', dataDir: '' } }, 'migrate');
    expect(result.code).toBe(1);
    expect(result.out).toContain('PORT');
    expect(result.out).toContain('DATABASE_URL');
    expect(result.out).toContain('HEARTH_SECRET');
  });
});
