/**
 * `npm run bench:help`: the child's record page and the worker's work tray under load, with a large
 * authority's data, as a ratio to a bare Fastify route measured in the same run.
 *
 * 1. A fresh database: a new database on the PostgreSQL server named by BENCH_DATABASE_URL (dropped
 *    afterwards), or a temporary PGlite folder when it is not set. Migrated with the real migrations.
 * 2. The authority's reference geography, then the synthetic authority generator
 *    (`generateAuthority`: households, ten years of help through the one-episode model).
 * 3. The worker with the most children in open help gets a known password and authenticator secret;
 *    their child with the longest chronology is the page measured.
 * 4. The bare Fastify server and Hearth (`node src/main.ts`, no demo data) start as child processes;
 *    the worker signs in as a browser would; autocannon measures the bare route, GET /children/:id
 *    (audited: each view writes an audit row) and GET /work-tray, in interleaved rounds.
 *
 * Settings (environment):
 *   BENCH_DATABASE_URL    PostgreSQL server (a database is created and dropped); PGlite when unset
 *   BENCH_LA              authority code or name          (default E08000025, Birmingham)
 *   BENCH_SCALE           fraction of its real children   (default 1 on PostgreSQL, 0.02 on PGlite)
 *   BENCH_YEARS           years of history                (default 10)
 *   BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_ROUNDS, BENCH_CONNECTIONS  as in bench/run.ts
 *   BENCH_KEEP_DATABASE   1 to keep the PostgreSQL database (its name is printed)
 *   BENCH_REUSE_DATABASE  the name of a database kept by an earlier run: measured again without
 *                         generating (it is kept afterwards); BENCH_GENERATED_NOTE says how it was made
 *   BENCH_WRITE           0 to print only, leaving BENCHMARKS.md
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { connect, type DbHandle } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { loadReferenceGeography } from '../src/modules/geography/geography.service.ts';
import { findAuthority, generateAuthority } from '../src/modules/synthetic/authority.ts';
import { makeSecrets } from '../src/platform/auth/secrets.ts';
import { hashPassword } from '../src/platform/auth/passwords.ts';
import {
  ROOT,
  describeCommit,
  fmtInt,
  log,
  measure,
  processCpuSeconds,
  resultsTable,
  writeSection,
  type Target,
} from './load.ts';
import { freePorts, startServer, type Server } from './processes.ts';
import { signIn } from './sign-in.ts';

function intSetting(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(`${name} must be a whole number from ${min} to ${max} (got ${raw})`);
  return value;
}

const databaseUrl = process.env['BENCH_DATABASE_URL'] ?? '';
const reuse = process.env['BENCH_REUSE_DATABASE'] ?? '';
if (reuse && (!databaseUrl || !/^hearth_bench_help_[0-9a-f]{8}$/.test(reuse)))
  throw new Error('BENCH_REUSE_DATABASE needs BENCH_DATABASE_URL and a name printed by an earlier run');
const engine = databaseUrl ? 'postgres' : 'pglite';
const authority = findAuthority(process.env['BENCH_LA'] ?? 'E08000025');
if (!authority) throw new Error(`BENCH_LA: unknown authority ${process.env['BENCH_LA'] ?? ''}`);
const scale = Number(process.env['BENCH_SCALE'] ?? (engine === 'postgres' ? '1' : '0.02'));
if (!Number.isFinite(scale) || scale <= 0) throw new Error('BENCH_SCALE must be a number above 0');
const settings = {
  seconds: intSetting('BENCH_SECONDS', 10, 1, 300),
  warmupSeconds: intSetting('BENCH_WARMUP_SECONDS', 5, 0, 300),
  rounds: intSetting('BENCH_ROUNDS', 3, 1, 20),
  connections: intSetting('BENCH_CONNECTIONS', 50, 1, 1000),
  years: intSetting('BENCH_YEARS', 10, 1, 30),
  write: process.env['BENCH_WRITE'] !== '0',
};
const SECRET = `bench-${randomBytes(16).toString('hex')}`;
const PASSWORD = 'bench-help-pages-password';
const TOTP = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const START = '<!-- bench:help:start (written by `npm run bench:help`; edits here are overwritten) -->';
const END = '<!-- bench:help:end -->';

type Prepared = {
  /** Environment for Hearth to reach this database. */
  env: Record<string, string>;
  cleanUp: () => Promise<void>;
  email: string;
  name: string;
  childId: string;
  children: number;
  rows: number;
  seedSeconds: number;
  openChildren: number;
  trayTasks: number;
  chronology: number;
  /** A looked-after child and their worker (the care page), when there is one. */
  care: { childId: string; worker: { email: string; name: string } } | undefined;
  /** A conference of a child on a protection plan and the child's worker, when there is one. */
  conference: { childId: string; id: string; worker: { email: string; name: string } } | undefined;
};

type Generated = { organisationId: string; children: number; rows: number; seconds: number };

/** Migrates, loads the authority's geography and generates it. */
async function generate(handle: DbHandle): Promise<Generated> {
  log(`${engine}: migrating, loading the geography of ${authority?.name ?? ''}`);
  await migrate(handle);
  await loadReferenceGeography(handle, { laCodes: [authority?.code ?? ''] });
  log(`generating ${authority?.name ?? ''} at scale ${scale}, ${settings.years} years`);
  let lastShown = 0;
  const summary = await generateAuthority(
    handle.db,
    { authority: authority?.code ?? '', scale, years: settings.years, seed: '42' },
    (event) => {
      if (event.kind === 'progress' && Date.now() - lastShown > 15_000) {
        lastShown = Date.now();
        log(
          `  ${Math.round(event.fraction * 100)} %: ${fmtInt(event.childrenWritten)} children, ${fmtInt(event.rows)} rows`,
        );
      }
    },
  );
  log(
    `generated ${fmtInt(summary.children)} children, ${fmtInt(summary.rows)} rows in ${summary.seconds.toFixed(0)} s`,
  );

  return summary;
}

/** A database kept by an earlier run (BENCH_REUSE_DATABASE): its authority, counted again. */
async function reused(handle: DbHandle): Promise<Generated> {
  await migrate(handle);
  const run = await sql<{ organisation_id: string; children: string; rows: string }>`
    SELECT r.organisation_id,
      (SELECT count(*) FROM people p WHERE p.organisation_id = r.organisation_id AND p.is_child)::text AS children,
      (SELECT sum(n_live_tup) FROM pg_stat_user_tables)::text AS rows
    FROM synthetic_runs r ORDER BY r.run_number DESC LIMIT 1`.execute(handle.db);
  const row = run.rows[0];
  if (!row) throw new Error(`BENCH_REUSE_DATABASE: ${reuse} holds no generated authority`);
  log(`reusing ${reuse}: ${fmtInt(Number(row.children))} children`);
  return {
    organisationId: row.organisation_id,
    children: Number(row.children),
    rows: Number(row.rows),
    seconds: 0,
  };
}

async function prepare(): Promise<Prepared> {
  let handle: DbHandle;
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  if (engine === 'pglite') {
    const dir = mkdtempSync(join(os.tmpdir(), 'hearth-bench-help-'));
    handle = await connect({ kind: 'pglite', dataDir: join(dir, 'data') });
    env = { HEARTH_DATA_DIR: join(dir, 'data') };
    drop = () => Promise.resolve(rmSync(dir, { recursive: true, force: true }));
  } else {
    const name = reuse || `hearth_bench_help_${randomBytes(4).toString('hex')}`;
    if (!reuse) {
      const admin = new pg.Client({ connectionString: databaseUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
    }
    const url = new URL(databaseUrl);
    url.pathname = `/${name}`;
    handle = await connect({ kind: 'postgres', url: url.toString() });
    env = { DATABASE_URL: url.toString() };
    drop = async () => {
      if (reuse || process.env['BENCH_KEEP_DATABASE'] === '1') return log(`kept the database ${name}`);
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    };
  }
  try {
    const summary = reuse ? await reused(handle) : await generate(handle);

    // The worker with the most children in open help, and their child with the longest chronology.
    const worker = await sql<{ id: string; email: string; display_name: string; children: string }>`
      SELECT u.id, u.email, u.display_name, count(*)::text AS children
      FROM allocations a JOIN users u ON u.id = a.worker_user_id
      JOIN help_episodes e ON e.person_id = a.person_id AND e.closed_on IS NULL
      WHERE a.ended_at IS NULL AND u.organisation_id = ${summary.organisationId}
      GROUP BY u.id ORDER BY count(*) DESC, u.id LIMIT 1`.execute(handle.db);
    const chosen = worker.rows[0];
    if (!chosen) throw new Error('the generated authority has no worker with children in open help');
    const child = await sql<{ id: string; entries: string }>`
      SELECT a.person_id AS id, (SELECT count(*) FROM chronology_entries c WHERE c.person_id = a.person_id)::text AS entries
      FROM allocations a JOIN help_episodes e ON e.person_id = a.person_id AND e.closed_on IS NULL
      WHERE a.ended_at IS NULL AND a.worker_user_id = ${chosen.id}
      ORDER BY 2 DESC, 1 LIMIT 1`.execute(handle.db);
    // The looked-after child with most placements and the latest conference of a child on a protection
    // plan, each opened by their own allocated worker (a practitioner's scope is their team).
    const care = await sql<{ id: string; worker: string; email: string; display_name: string }>`
      SELECT a.person_id AS id, u.id AS worker, u.email, u.display_name FROM allocations a
      JOIN users u ON u.id = a.worker_user_id
      JOIN help_episodes e ON e.person_id = a.person_id AND e.closed_on IS NULL AND e.status = 'looked_after'
      WHERE a.ended_at IS NULL AND u.organisation_id = ${summary.organisationId}
      ORDER BY (SELECT count(*) FROM placements p JOIN care_periods c ON c.id = p.care_period_id
        WHERE c.person_id = a.person_id) DESC, 1 LIMIT 1`.execute(handle.db);
    const conference = await sql<{
      person_id: string;
      id: string;
      worker: string;
      email: string;
      display_name: string;
    }>`
      SELECT c.person_id, c.id, u.id AS worker, u.email, u.display_name FROM conferences c
      JOIN help_episodes e ON e.id = c.episode_id AND e.closed_on IS NULL AND e.status = 'child_protection'
      JOIN allocations a ON a.person_id = c.person_id AND a.ended_at IS NULL
      JOIN users u ON u.id = a.worker_user_id
      WHERE u.organisation_id = ${summary.organisationId}
      ORDER BY c.held_on DESC, c.id LIMIT 1`.execute(handle.db);
    const tray = await sql<{ n: string }>`
      SELECT count(*)::text AS n FROM tasks WHERE completed_at IS NULL AND assigned_user_id = ${chosen.id}`.execute(
      handle.db,
    );
    const secrets = makeSecrets(SECRET);
    await handle.db
      .updateTable('users')
      .set({
        password_hash: await hashPassword(PASSWORD),
        totp_secret: secrets.seal(TOTP),
        totp_enrolled_at: new Date(),
        disabled_at: null,
      })
      .where('id', 'in', [
        chosen.id,
        ...care.rows.map((r) => r.worker),
        ...conference.rows.map((r) => r.worker),
      ])
      .execute();
    const careRow = care.rows[0];
    const conferenceRow = conference.rows[0];
    return {
      env,
      cleanUp: drop,
      email: chosen.email,
      name: chosen.display_name,
      childId: child.rows[0]?.id ?? '',
      children: summary.children,
      rows: summary.rows,
      seedSeconds: summary.seconds,
      openChildren: Number(chosen.children),
      trayTasks: Number(tray.rows[0]?.n ?? 0),
      chronology: Number(child.rows[0]?.entries ?? 0),
      care: careRow
        ? { childId: careRow.id, worker: { email: careRow.email, name: careRow.display_name } }
        : undefined,
      conference: conferenceRow
        ? {
            childId: conferenceRow.person_id,
            id: conferenceRow.id,
            worker: { email: conferenceRow.email, name: conferenceRow.display_name },
          }
        : undefined,
    };
  } catch (error) {
    await handle.close();
    await drop();
    throw error;
  } finally {
    // PGlite must never be opened by two processes: close before Hearth starts.
    await handle.close().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const loadBefore = os.loadavg();
  const prepared = await prepare();
  const servers: Server[] = [];
  try {
    const [barePort, hearthPort] = await freePorts(2);
    if (barePort === undefined || hearthPort === undefined) throw new Error('no free ports');
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('HEARTH_') && k !== 'DATABASE_URL'),
    );
    const started = await Promise.allSettled([
      startServer({
        name: 'bare Fastify',
        script: 'bench/bare-server.ts',
        cwd: ROOT,
        env: { ...inherited, PORT: String(barePort) },
        port: barePort,
        readyPath: '/',
        readyTimeoutMs: 30_000,
      }),
      startServer({
        name: 'Hearth',
        script: 'src/main.ts',
        cwd: ROOT,
        env: {
          ...inherited,
          ...prepared.env,
          NODE_ENV: 'test',
          PORT: String(hearthPort),
          HOST: '127.0.0.1',
          HEARTH_SECRET: SECRET,
          HEARTH_DEMO_DATA: 'false',
          HEARTH_REFERENCE_AUTHORITIES: authority?.code ?? '',
          LOG_LEVEL: 'warn',
        },
        port: hearthPort,
        readyPath: '/health',
        readyTimeoutMs: 180_000,
      }),
    ]);
    for (const s of started) if (s.status === 'fulfilled') servers.push(s.value);
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    const [bare, hearth] = servers;
    if (!bare || !hearth) throw new Error('the servers did not start');
    const session = await signIn(hearth.base, {
      email: prepared.email,
      name: prepared.name,
      password: PASSWORD,
      totp: TOTP,
    });
    log(
      `signed in as a worker with ${prepared.openChildren} children in open help and ${prepared.trayTasks} open tasks; child page has ${prepared.chronology} chronology entries`,
    );
    const cookie = { cookie: session.cookieHeader };
    // CPU per request: the server's process, and PostgreSQL's when it runs on this machine.
    const localDatabase =
      engine === 'postgres' && ['127.0.0.1', 'localhost', '::1'].includes(new URL(databaseUrl).hostname);
    const bareCpu = () => processCpuSeconds((pid) => pid === bare.child.pid);
    const hearthCpu = () =>
      processCpuSeconds(
        (pid, command) => pid === hearth.child.pid || (localDatabase && command === 'postgres'),
      );
    const targets: Target[] = [
      {
        key: 'bare',
        label: 'Bare Fastify route (baseline)',
        url: `${bare.base}/`,
        headers: {},
        cpuSeconds: bareCpu,
      },
      {
        key: 'child',
        label: "GET /children/:id (the child's record, audited)",
        url: `${hearth.base}/children/${prepared.childId}`,
        headers: cookie,
        cpuSeconds: hearthCpu,
      },
      {
        key: 'tray',
        label: 'GET /work-tray',
        url: `${hearth.base}/work-tray`,
        headers: cookie,
        cpuSeconds: hearthCpu,
      },
    ];
    const cookieOf = async (worker: { email: string; name: string }) => ({
      cookie: (await signIn(hearth.base, { ...worker, password: PASSWORD, totp: TOTP })).cookieHeader,
    });
    if (prepared.care)
      targets.push({
        key: 'care',
        label: 'GET /children/:id/care (a looked-after child, audited)',
        url: `${hearth.base}/children/${prepared.care.childId}/care`,
        headers: await cookieOf(prepared.care.worker),
        cpuSeconds: hearthCpu,
      });
    if (prepared.conference)
      targets.push({
        key: 'conf',
        label: 'GET /children/:id/protection/conferences/:id (audited)',
        url: `${hearth.base}/children/${prepared.conference.childId}/protection/conferences/${prepared.conference.id}`,
        headers: await cookieOf(prepared.conference.worker),
        cpuSeconds: hearthCpu,
      });
    if (!prepared.care || !prepared.conference)
      log('no looked-after child or no conference: those pages are not measured');
    const summaries = await measure(targets, settings);
    const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
    const section = [
      START,
      "## The child's record, the work tray, and the care and conference pages, with a large authority",
      '',
      `Taken ${new Date().toISOString().replace('T', ' ').slice(0, 16)} UTC · Node ${process.version} · ${os.availableParallelism()} CPUs (${cpu}) · ` +
        `${Math.round(os.totalmem() / 2 ** 30)} GB RAM · commit ${describeCommit()} · ${engine === 'postgres' ? 'PostgreSQL' : 'PGlite'} · ` +
        `${authority?.name ?? ''} at scale ${scale}: ${fmtInt(prepared.children)} children, ${settings.years} years, ${fmtInt(prepared.rows)} rows ${reuse ? `(a database generated by an earlier run, ${process.env['BENCH_GENERATED_NOTE'] ?? 'reused'})` : `generated in ${prepared.seedSeconds.toFixed(0)} s`} · ` +
        `${settings.connections} connections · ${settings.rounds} rounds × ${settings.seconds} s after ${settings.warmupSeconds} s warm-up · ` +
        `load average ${loadBefore.map((x) => x.toFixed(2)).join(' ')} before, ${os
          .loadavg()
          .map((x) => x.toFixed(2))
          .join(' ')} after.`,
      '',
      `The worker measured has ${prepared.openChildren} children in open help and ${prepared.trayTasks} open tasks; the child's page shows a chronology of ${prepared.chronology} entries. ` +
        'The care page is the looked-after child with most placements, the conference page the latest conference of a child on a protection plan, each opened by the child’s own worker. ' +
        "Target: each page at least 1/10 of the bare route's requests/s, p99 under 100 ms. " +
        'CPU ms/request is the CPU the server process and (on this machine) PostgreSQL used per request, a figure other load on a shared machine barely moves. ' +
        'Command: `BENCH_DATABASE_URL=postgres://… npm run bench:help` (see bench/help-pages.ts).',
      '',
      resultsTable(summaries),
      END,
    ].join('\n');
    console.log(`\n${section}\n`);
    if (settings.write)
      writeSection(join(ROOT, 'BENCHMARKS.md'), START, END, section, `# Benchmarks\n\n${section}\n`);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await prepared.cleanUp();
  }
}

try {
  await main();
} catch (error) {
  console.error(`\n[bench] FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
