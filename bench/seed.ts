/**
 * `npm run bench:seed`: how fast the synthetic authority generator (src/modules/synthetic) makes
 * children with their full history, on PGlite and (when BENCH_DATABASE_URL is set) PostgreSQL,
 * and how much memory it needs. Each case runs in its own child process, so its peak resident
 * memory (maxRSS) is its own; a PGlite case includes the embedded database's memory.
 *
 * Cases:
 *   PGlite      a medium authority (BENCH_SEED_LA, default Milton Keynes, about 70,000 children)
 *               in memory, its neighbourhoods and postcodes (and its neighbours') loaded first
 *   PostgreSQL  the same authority, then (BENCH_SEED_LARGE=1) Birmingham, about 290,000 children,
 *               into a new database with all of England's geography (created and dropped)
 *   England     (BENCH_SEED_ENGLAND=N) the first N authorities of --all-england on PostgreSQL,
 *               streamed one after another in one process, to show memory stays bounded
 *
 * Settings (environment):
 *   BENCH_DATABASE_URL  a PostgreSQL server (its default database; a database is created and dropped)
 *   BENCH_SEED_LA       medium authority code (default E06000042)
 *   BENCH_SEED_SCALE    scale for every case (default 1)
 *   BENCH_SEED_YEARS    years of history (default 10)
 *   BENCH_SEED_LARGE    1 to add Birmingham on PostgreSQL
 *   BENCH_SEED_ENGLAND  number of authorities for the streaming case (default 0: not run)
 *   BENCH_SEED_ENGINES  pglite, postgres or both (default: pglite, plus postgres when a URL is set)
 *   BENCH_WRITE         0 to print only, leaving BENCHMARKS.md alone
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { connect, MEMORY } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { loadReferenceGeography } from '../src/modules/geography/geography.service.ts';
import {
  generateAuthority,
  generateEngland,
  type GenerateProgress,
  type GenerateSummary,
} from '../src/modules/synthetic/authority.ts';
import { AUTHORITIES } from '../src/modules/synthetic/reference.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BENCHMARKS_FILE = join(ROOT, 'BENCHMARKS.md');
const START = '<!-- bench:seed:start (written by `npm run bench:seed`; edits here are overwritten) -->';
const END = '<!-- bench:seed:end -->';

/** Neighbours loaded with the medium authority on PGlite, so some placements are out of area. */
const NEIGHBOURS: Record<string, readonly string[]> = {
  E06000042: ['E06000055', 'E06000056', 'E06000060', 'E06000062'],
};

type CaseResult = {
  readonly label: string;
  readonly engine: 'PGlite' | 'PostgreSQL';
  readonly children: number;
  readonly childrenUnder18: number;
  readonly people: number;
  readonly rows: number;
  readonly seconds: number;
  readonly maxRssMb: number;
  readonly authorities: number;
  /** Streaming case: peak RSS (MB) after the first authority and after the last. */
  readonly rssAfterFirst?: number;
};

type ChildRequest =
  | { kind: 'pglite'; laCode: string; scale: number; years: number }
  | { kind: 'postgres'; url: string; laCode: string; scale: number; years: number; writers: number }
  | { kind: 'england'; url: string; count: number; scale: number; years: number; writers: number };

function setting(name: string, fallback: string): string {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
}

async function runChild(request: ChildRequest): Promise<CaseResult> {
  const progress: (event: GenerateProgress) => void = () => undefined;
  if (request.kind === 'pglite') {
    const handle = await connect({ kind: 'pglite', dataDir: MEMORY });
    try {
      await migrate(handle);
      await loadReferenceGeography(handle, {
        laCodes: [request.laCode, ...(NEIGHBOURS[request.laCode] ?? [])],
      });
      const summary = await generateAuthority(
        handle.db,
        { authority: request.laCode, scale: request.scale, years: request.years, pglite: handle.pglite },
        progress,
      );
      return result(summary, 'PGlite', [summary]);
    } finally {
      await handle.close();
    }
  }
  const handle = await connect({ kind: 'postgres', url: request.url });
  try {
    if (request.kind === 'postgres') {
      const summary = await generateAuthority(
        handle.db,
        { authority: request.laCode, scale: request.scale, years: request.years, writers: request.writers },
        progress,
      );
      return result(summary, 'PostgreSQL', [summary]);
    }
    const codes = AUTHORITIES.slice(0, request.count).map(([code]) => code);
    const started = performance.now();
    const rss: number[] = [];
    const track = (event: Parameters<typeof progress>[0]) => {
      if (event.kind === 'done') rss.push(process.resourceUsage().maxRSS / 1024);
    };
    const summaries = await generateEngland(
      handle.db,
      { scale: request.scale, years: request.years, writers: request.writers },
      track,
      codes,
    );
    const total = summaries.reduce(
      (acc, s) => ({
        ...acc,
        children: acc.children + s.children,
        childrenUnder18: acc.childrenUnder18 + s.childrenUnder18,
        people: acc.people + s.people,
        rows: acc.rows + s.rows,
      }),
      { children: 0, childrenUnder18: 0, people: 0, rows: 0 },
    );
    return {
      label: `first ${codes.length} authorities of --all-england`,
      engine: 'PostgreSQL',
      ...total,
      seconds: (performance.now() - started) / 1000,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      authorities: codes.length,
      rssAfterFirst: rss[0] ?? 0,
    };
  } finally {
    await handle.close();
  }
}

function result(
  summary: GenerateSummary,
  engine: CaseResult['engine'],
  all: readonly GenerateSummary[],
): CaseResult {
  return {
    label: `${summary.laName} (${summary.laCode})`,
    engine,
    children: summary.children,
    childrenUnder18: summary.childrenUnder18,
    people: summary.people,
    rows: summary.rows,
    seconds: summary.seconds,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    authorities: all.length,
  };
}

function spawnCase(request: ChildRequest): CaseResult {
  const child = spawnSync(
    process.execPath,
    [fileURLToPath(import.meta.url), '--child', JSON.stringify(request)],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 24,
    },
  );
  if (child.status !== 0) throw new Error(`benchmark case failed: ${JSON.stringify(request)}`);
  const line = child.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as CaseResult;
}

async function withServerDatabase<T>(serverUrl: string, work: (url: string) => Promise<T>): Promise<T> {
  const name = `hearth_bench_seed_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  try {
    return await work(url.toString());
  } finally {
    const cleanup = new pg.Client({ connectionString: serverUrl });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await cleanup.end();
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-GB');

function machine(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  let commit = 'unknown commit';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  return `${os.availableParallelism()} CPUs (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GB RAM, Node ${process.version}, commit ${commit}`;
}

function writeSection(section: string): void {
  const text = existsSync(BENCHMARKS_FILE) ? readFileSync(BENCHMARKS_FILE, 'utf8') : '# Benchmarks\n';
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  const next =
    start !== -1 && end > start
      ? `${text.slice(0, start)}${section}${text.slice(end + END.length)}`
      : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(BENCHMARKS_FILE, next);
}

async function main(): Promise<void> {
  const childIndex = process.argv.indexOf('--child');
  if (childIndex !== -1) {
    const request = JSON.parse(process.argv[childIndex + 1] ?? '{}') as ChildRequest;
    console.log(JSON.stringify(await runChild(request)));
    return;
  }
  const laCode = setting('BENCH_SEED_LA', 'E06000042');
  const scale = Number(setting('BENCH_SEED_SCALE', '1'));
  const years = Number(setting('BENCH_SEED_YEARS', '10'));
  const url = process.env['BENCH_DATABASE_URL'] ?? '';
  const engines = setting('BENCH_SEED_ENGINES', url ? 'both' : 'pglite');
  const england = Number(setting('BENCH_SEED_ENGLAND', '0'));
  const load = os.loadavg();
  const results: CaseResult[] = [];
  const log = (r: CaseResult) =>
    console.error(
      `${r.engine} ${r.label}: ${fmt(r.children)} children in ${r.seconds.toFixed(1)} s = ${fmt(r.children / r.seconds)}/s, ${fmt(r.rows)} rows, peak RSS ${fmt(r.maxRssMb)} MB`,
    );
  if (engines === 'pglite' || engines === 'both') {
    console.error(`PGlite: ${laCode} at scale ${scale}…`);
    const r = spawnCase({ kind: 'pglite', laCode, scale, years });
    log(r);
    results.push(r);
  }
  if (url && (engines === 'postgres' || engines === 'both')) {
    await withServerDatabase(url, async (databaseUrl) => {
      const handle = await connect({ kind: 'postgres', url: databaseUrl });
      try {
        await migrate(handle);
        console.error('PostgreSQL: loading all of England’s neighbourhoods and postcodes (not timed)…');
        await loadReferenceGeography(handle);
      } finally {
        await handle.close();
      }
      const cases: ChildRequest[] = [
        { kind: 'postgres', url: databaseUrl, laCode, scale, years, writers: 2 },
      ];
      if (process.env['BENCH_SEED_LARGE'] === '1')
        cases.push({ kind: 'postgres', url: databaseUrl, laCode: 'E08000025', scale, years, writers: 2 });
      if (england > 0)
        cases.push({ kind: 'england', url: databaseUrl, count: england, scale, years, writers: 2 });
      for (const request of cases) {
        console.error(
          `PostgreSQL: ${request.kind === 'england' ? `${request.count} authorities` : request.laCode} at scale ${scale}…`,
        );
        const r = spawnCase(request);
        log(r);
        results.push(r);
      }
    });
  }
  const after = os.loadavg();
  const rows = results.map(
    (r) =>
      `| ${r.engine} | ${r.label}${r.rssAfterFirst ? ` (peak RSS ${fmt(r.rssAfterFirst)} MB after the first)` : ''} | ${fmt(r.children)} (${fmt(r.childrenUnder18)} aged 0-17) | ${fmt(r.people)} | ${fmt(r.rows)} | ${r.seconds.toFixed(0)} s | **${fmt(r.children / r.seconds)}** | ${fmt(r.maxRssMb)} MB |`,
  );
  const section = [
    START,
    '',
    '## Synthetic authority generator (`npm run bench:seed`)',
    '',
    `Taken ${new Date().toISOString().replace('T', ' ').slice(0, 16)} UTC · ${machine()} · scale ${scale}, ${years} years of history · load average ${load.map((l) => l.toFixed(2)).join(' ')} before, ${after.map((l) => l.toFixed(2)).join(' ')} after.`,
    '',
    '"Children" are children with their full history: every child aged 0-17 on the reference date and every older one who had help in the window, each with a household (parents, siblings, wider family), an address, identifiers and ten years of requests, assessments, plans, protection and care. Time is the whole generation: staff, households, history and writing, set-based (multi-row INSERT … SELECT FROM json_to_recordset, two writers at once on PostgreSQL). Peak RSS is the generating process (for PGlite, including the embedded database).',
    '',
    '| Engine | Authority | Children | People | Rows | Time | Children/s | Peak RSS |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    END,
  ].join('\n');
  console.log(section);
  if (process.env['BENCH_WRITE'] !== '0') writeSection(section);
}

await main();
