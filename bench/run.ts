/**
 * `npm run bench`: load-tests a bare Fastify 5 route (the baseline) and three Hearth routes in one
 * run, and writes the medians and their ratios to the baseline into BENCHMARKS.md.
 *
 * Both servers run as child processes on 127.0.0.1 (ports 3400–3499); autocannon runs here. Every
 * target is warmed up, then measured for several interleaved rounds; any non-2xx response, socket
 * error or request slower than 30 s fails the run, because a benchmark of error pages is worthless.
 *
 * Settings (environment):
 *   BENCH_SECONDS          seconds measured per target per round   (default 10)
 *   BENCH_WARMUP_SECONDS   seconds of warm-up per target, once     (default 5)
 *   BENCH_ROUNDS           interleaved rounds; medians are taken   (default 3)
 *   BENCH_CONNECTIONS      concurrent connections                  (default 50)
 *   BENCH_NODE_ENV         NODE_ENV for Hearth: test | development (default test; see BENCHMARKS.md)
 *   BENCH_WRITE            0 to print only, leaving BENCHMARKS.md  (default 1)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import {
  ROOT,
  describeCommit,
  log,
  measure,
  resultsTable,
  writeSection,
  type Summary,
  type Target,
} from './load.ts';
import { freePorts, startServer, type Server } from './processes.ts';
import { signInDemoPractitioner } from './sign-in.ts';

const BENCHMARKS_FILE = join(ROOT, 'BENCHMARKS.md');
const START = '<!-- bench:results:start (written by `npm run bench`; edits here are overwritten) -->';
const END = '<!-- bench:results:end -->';

function intSetting(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max} (got ${raw})`);
  }
  return value;
}

const settings = {
  seconds: intSetting('BENCH_SECONDS', 10, 1, 300),
  warmupSeconds: intSetting('BENCH_WARMUP_SECONDS', 5, 0, 300),
  rounds: intSetting('BENCH_ROUNDS', 3, 1, 20),
  connections: intSetting('BENCH_CONNECTIONS', 50, 1, 1000),
  nodeEnv: process.env['BENCH_NODE_ENV'] ?? 'test',
  write: process.env['BENCH_WRITE'] !== '0',
};
if (settings.nodeEnv !== 'test' && settings.nodeEnv !== 'development') {
  throw new Error('BENCH_NODE_ENV must be test or development (production refuses demo data)');
}

function resultsSection(
  summaries: readonly Summary[],
  context: { date: Date; commit: string; loadBefore: number[]; loadAfter: number[] },
): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  return [
    START,
    '## Latest results',
    '',
    `Taken ${context.date.toISOString().replace('T', ' ').slice(0, 16)} UTC · Node ${process.version} · ${os.availableParallelism()} CPUs (${cpu}) · ` +
      `commit ${context.commit} · ${settings.connections} connections · ${settings.rounds} interleaved round${settings.rounds === 1 ? '' : 's'} × ${settings.seconds} s per target ` +
      `after ${settings.warmupSeconds} s warm-up each · Hearth on PGlite with the demo data, NODE_ENV=${settings.nodeEnv}, LOG_LEVEL=warn · ` +
      `load average ${load(context.loadBefore)} before, ${load(context.loadAfter)} after.`,
    '',
    'Medians over the rounds. "× bare" is the ratio to the bare Fastify route measured in the same run ' +
      '(for requests/s, the fraction of the bare rate; for latency, how many times longer).',
    '',
    resultsTable(summaries),
    END,
  ].join('\n');
}

const HOW_SECTION = `## How these are taken

- \`npm run bench\` (bench/run.ts) starts two child processes on 127.0.0.1 (ports 3400–3499): a bare
  Fastify 5 app with one route returning a short string (bench/bare-server.ts, the baseline), and
  Hearth itself (\`node src/main.ts\`) on a fresh temporary PGlite folder with the demo data,
  \`LOG_LEVEL=warn\` and \`NODE_ENV=test\` (templates compiled once and cached, as in production;
  \`development\` recompiles every template on every request, and \`production\` refuses demo data).
- It signs the demo practitioner in as a browser would (GET /sign-in for the pre-session cookie and
  CSRF token, POST the password, POST the TOTP code from the demo secret) and sends the session
  cookie on every request to \`/\` and \`/children/:id\` (the first demo child on the home page; each
  view writes an audit row in the same transaction, so the audit cost is included).
- autocannon runs in the bench process with a fixed number of connections. Each target gets one
  warm-up, then the targets are measured in interleaved rounds (order rotated each round) and the
  medians are reported, with each target's ratio to the bare route from the same run: the machines
  are shared and noisy, so absolute figures mean little on their own.
- Latency percentiles are computed from every 2xx response's exact time (autocannon's own histogram
  rounds to whole milliseconds). Any non-2xx response, socket error or request slower than 30 s
  fails the run, so the figures are never those of error pages.
- Settings: \`BENCH_SECONDS\` (10), \`BENCH_WARMUP_SECONDS\` (5), \`BENCH_ROUNDS\` (3),
  \`BENCH_CONNECTIONS\` (50), \`BENCH_NODE_ENV\` (test), \`BENCH_WRITE=0\` to leave this file alone.
`;

function writeBenchmarks(section: string): void {
  writeSection(BENCHMARKS_FILE, START, END, section, `# Benchmarks\n\n${section}\n\n${HOW_SECTION}`);
}

async function main(): Promise<void> {
  const loadBefore = os.loadavg();
  if ((loadBefore[0] ?? 0) > os.availableParallelism()) {
    log(
      `warning: load average ${(loadBefore[0] ?? 0).toFixed(2)} on ${os.availableParallelism()} CPUs; other work will skew these figures`,
    );
  }
  const servers: Server[] = [];
  const dataRoot = mkdtempSync(join(os.tmpdir(), 'hearth-bench-'));
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    log('interrupted: stopping the servers');
    void Promise.all(servers.map((s) => s.stop())).finally(() => {
      rmSync(dataRoot, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const [barePort, hearthPort] = await freePorts(2);
    if (barePort === undefined || hearthPort === undefined) throw new Error('no free ports');
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('HEARTH_') && k !== 'DATABASE_URL'),
    );

    log(`starting the bare Fastify server on 127.0.0.1:${barePort} and Hearth on 127.0.0.1:${hearthPort}`);
    const started = Date.now();
    const settled = await Promise.allSettled([
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
          NODE_ENV: settings.nodeEnv,
          PORT: String(hearthPort),
          HOST: '127.0.0.1',
          HEARTH_DATA_DIR: join(dataRoot, 'data'),
          HEARTH_DEMO_DATA: 'true',
          HEARTH_REFERENCE_AUTHORITIES: 'E10000015',
          LOG_LEVEL: 'warn',
        },
        port: hearthPort,
        readyPath: '/health',
        readyTimeoutMs: 120_000,
      }),
    ]);
    for (const s of settled) if (s.status === 'fulfilled') servers.push(s.value);
    for (const s of settled) if (s.status === 'rejected') throw s.reason;
    const [bare, hearth] = servers;
    if (!bare || !hearth) throw new Error('the servers did not start');
    log(`servers ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const session = await signInDemoPractitioner(hearth.base);
    const childId = session.childIds[0] ?? '';
    log(
      `signed in as the demo practitioner; ${session.childIds.length} children on the home page, using ${childId}`,
    );
    const cookie = { cookie: session.cookieHeader };
    const targets: Target[] = [
      { key: 'bare', label: 'Bare Fastify route (baseline)', url: `${bare.base}/`, headers: {} },
      { key: 'health', label: 'GET /health', url: `${hearth.base}/health`, headers: {} },
      { key: 'home', label: 'GET / (signed in)', url: `${hearth.base}/`, headers: cookie },
      {
        key: 'child',
        label: 'GET /children/:id (signed in, audited)',
        url: `${hearth.base}/children/${childId}`,
        headers: cookie,
      },
    ];

    const summaries = await measure(targets, settings, () => interrupted);
    if (interrupted) return;
    const section = resultsSection(summaries, {
      date: new Date(),
      commit: describeCommit(),
      loadBefore,
      loadAfter: os.loadavg(),
    });
    console.log(`\n${section.split('\n').slice(1, -1).join('\n')}\n`);
    if (settings.write) {
      writeBenchmarks(section);
      log(`wrote ${BENCHMARKS_FILE}`);
    }
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    log('stopping the servers');
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dataRoot, { recursive: true, force: true });
    log('stopped');
  }
}

try {
  await main();
} catch (error) {
  const cause =
    error instanceof Error && error.cause !== undefined
      ? ` (${error.cause instanceof Error ? error.cause.message : inspect(error.cause)})`
      : '';
  console.error(`\n[bench] FAILED: ${error instanceof Error ? error.message : String(error)}${cause}`);
  process.exitCode = 1;
}
