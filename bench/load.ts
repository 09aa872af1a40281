/** Load-testing pieces shared by the HTTP benchmarks (bench/run.ts, bench/help-pages.ts). */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon, { type Result } from 'autocannon';
import { LatencyRecorder, median } from './stats.ts';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));

export type Target = {
  readonly key: string;
  readonly label: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  /**
   * Cumulative CPU seconds of the processes that serve this target (the server and, when on this
   * machine, PostgreSQL), for the CPU each request costs: a figure that other load on a shared
   * machine barely changes, unlike requests per second.
   */
  readonly cpuSeconds?: () => ReadonlyMap<number, number>;
};

export type Run = {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly requests: number;
  readonly failed: number;
  readonly bytesPerResponse: number;
  /** CPU milliseconds per request (Target.cpuSeconds), when measured. */
  cpuMsPerRequest?: number;
};

export class LoadFailure extends Error {}

/**
 * A request slower than this counts as failed. Generous on purpose: under 50 connections PGlite's
 * queue gives second-long tails that are real results (they show in p99), while a hang or deadlock
 * still fails the run.
 */
const REQUEST_TIMEOUT_SECONDS = 30;

const startedAt = Date.now();
export const log = (message: string) =>
  console.error(`[bench ${((Date.now() - startedAt) / 1000).toFixed(1).padStart(5)} s] ${message}`);

/** One autocannon run. Throws LoadFailure if any response was not 2xx, or any request errored. */
export async function load(
  target: Target,
  seconds: number,
  connections: number,
  warmUp = false,
): Promise<Run> {
  const latencies = new LatencyRecorder();
  const result = await new Promise<Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url,
        headers: target.headers,
        connections,
        duration: seconds,
        timeout: REQUEST_TIMEOUT_SECONDS,
        title: target.key,
      },
      (error, res) => (error ? reject(error) : resolve(res)),
    );
    // autocannon's own histogram keeps whole milliseconds; the response event has the exact time.
    instance.on('response', (_client, statusCode, _bytes, ms) => {
      if (statusCode >= 200 && statusCode < 300) latencies.record(ms);
    });
  });
  const failed = result.non2xx + result.errors + result.timeouts + result.mismatches;
  if (failed === 0 && !warmUp && result['2xx'] === 0) {
    throw new LoadFailure(
      `${target.label} (${target.url}): no response completed in ${seconds} s; raise BENCH_SECONDS`,
    );
  }
  if (failed > 0) {
    const codes = Object.entries(result.statusCodeStats)
      .map(([code, { count }]) => `${code}×${count}`)
      .join(', ');
    throw new LoadFailure(
      `${target.label} (${target.url}): ${failed} failed of ${result.requests.total} ` +
        `(non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}; status codes: ${codes || 'none'})`,
    );
  }
  const { p50, p99 } = latencies.summary();
  return {
    rps: result.requests.average,
    p50,
    p99,
    requests: result.requests.total,
    failed,
    bytesPerResponse: result.throughput.total / Math.max(1, result.requests.total),
  };
}

/** One request before any load, so a broken target fails fast and clearly. */
export async function preflight(target: Target): Promise<void> {
  let response: Response;
  try {
    response = await fetch(target.url, {
      headers: target.headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new LoadFailure(`${target.label} (${target.url}) did not answer one request within 30 s`, {
      cause: error,
    });
  }
  const body = await response.text();
  if (response.status < 200 || response.status >= 300) {
    throw new LoadFailure(
      `${target.label} (${target.url}) answered ${response.status} before the load: ${body.slice(0, 300)}`,
    );
  }
}

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

export function describeCommit(): string {
  const commit = git(['rev-parse', '--short', 'HEAD']) ?? 'unknown';
  const dirty = (git(['status', '--porcelain']) ?? '') !== '';
  return dirty ? `${commit} (plus uncommitted changes)` : commit;
}

export const fmtInt = (n: number) => Math.round(n).toLocaleString('en-GB');
export const fmtMs = (n: number) => (n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0));
export const fmtRatio = (n: number) => (n < 0.1 ? n.toFixed(3) : n < 10 ? n.toFixed(2) : n.toFixed(1));

export type Summary = { target: Target; runs: Run[]; rps: number; p50: number; p99: number };

export function resultsTable(summaries: readonly Summary[]): string {
  const bare = summaries[0];
  if (!bare) return '';
  const cpu = summaries.some((s) => s.runs.some((r) => r.cpuMsPerRequest !== undefined));
  const rows = [
    `| Target | Requests/s | × bare | p50 ms | × bare | p99 ms | × bare | Requests (failed) | Bytes/response | Req/s per round |${cpu ? ' CPU ms/request | × bare |' : ''}`,
    `|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|${cpu ? '--:|--:|' : ''}`,
  ];
  const cpuOf = (s: Summary) =>
    median(s.runs.flatMap((r) => (r.cpuMsPerRequest === undefined ? [] : [r.cpuMsPerRequest])));
  for (const s of summaries) {
    const total = s.runs.reduce((sum, r) => sum + r.requests, 0);
    const failed = s.runs.reduce((sum, r) => sum + r.failed, 0);
    const bytes = median(s.runs.map((r) => r.bytesPerResponse));
    rows.push(
      `| ${s.target.label} | ${fmtInt(s.rps)} | ${fmtRatio(s.rps / bare.rps)} | ${fmtMs(s.p50)} | ${fmtRatio(s.p50 / bare.p50)} | ` +
        `${fmtMs(s.p99)} | ${fmtRatio(s.p99 / bare.p99)} | ${fmtInt(total)} (${failed}) | ${fmtInt(bytes)} | ${s.runs.map((r) => fmtInt(r.rps)).join(' / ')} |` +
        (cpu ? ` ${cpuOf(s).toFixed(3)} | ${fmtRatio(cpuOf(s) / cpuOf(bare))} |` : ''),
    );
  }
  return rows.join('\n');
}

/**
 * CPU seconds used between two samples: each process's growth, counting a process that started in
 * between from zero and leaving out one that ended (its last seconds are lost, never negative).
 */
function cpuDelta(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): number {
  let seconds = 0;
  for (const [pid, now] of after) seconds += Math.max(0, now - (before.get(pid) ?? 0));
  return seconds;
}

/** Cumulative CPU seconds (user + system) of each process on this machine that `include` picks. */
export function processCpuSeconds(include: (pid: number, command: string) => boolean): Map<number, number> {
  const seconds = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // the process ended
    }
    const close = stat.lastIndexOf(')');
    const command = stat.slice(stat.indexOf('(') + 1, close);
    if (!include(Number(entry), command)) continue;
    const fields = stat.slice(close + 2).split(' ');
    // utime and stime (fields 14 and 15 of stat), in ticks of USER_HZ (100 on Linux).
    seconds.set(Number(entry), (Number(fields[11]) + Number(fields[12])) / 100);
  }
  return seconds;
}

/**
 * Measures every target: a warm-up each, then interleaved rounds (order rotated each round), and
 * the medians. Any failed request fails the whole run (LoadFailure).
 */
export async function measure(
  targets: readonly Target[],
  settings: { seconds: number; warmupSeconds: number; rounds: number; connections: number },
  isInterrupted: () => boolean = () => false,
): Promise<Summary[]> {
  for (const target of targets) await preflight(target);
  log('every target answers 2xx');
  if (settings.warmupSeconds > 0) {
    for (const target of targets) {
      log(`warm-up ${target.key} (${settings.warmupSeconds} s)`);
      await load(target, settings.warmupSeconds, settings.connections, true);
    }
  }
  const runs = new Map<string, Run[]>(targets.map((t) => [t.key, []]));
  for (let round = 0; round < settings.rounds; round += 1) {
    const order = targets
      .map((_, i) => targets[(i + round) % targets.length])
      .filter((t): t is Target => t !== undefined);
    for (const target of order) {
      if (isInterrupted()) return [];
      const cpuBefore = target.cpuSeconds?.();
      const run = await load(target, settings.seconds, settings.connections);
      const cpuAfter = target.cpuSeconds?.();
      if (cpuBefore !== undefined && cpuAfter !== undefined && run.requests > 0)
        run.cpuMsPerRequest = (cpuDelta(cpuBefore, cpuAfter) * 1000) / run.requests;
      runs.get(target.key)?.push(run);
      log(
        `round ${round + 1}/${settings.rounds} ${target.key.padEnd(6)} ${fmtInt(run.rps).padStart(7)} req/s  p50 ${fmtMs(run.p50)} ms  p99 ${fmtMs(run.p99)} ms` +
          (run.cpuMsPerRequest === undefined ? '' : `  CPU ${run.cpuMsPerRequest.toFixed(2)} ms/request`),
      );
    }
  }
  // The session must still be good after the load (an expired one would have shown as 303s).
  for (const target of targets) await preflight(target);
  return targets.map((target) => {
    const r = runs.get(target.key) ?? [];
    return {
      target,
      runs: r,
      rps: median(r.map((x) => x.rps)),
      p50: median(r.map((x) => x.p50)),
      p99: median(r.map((x) => x.p99)),
    };
  });
}

/** Replaces the text between two marker lines in a file (or appends the section when absent). */
export function writeSection(
  file: string,
  start: string,
  end: string,
  section: string,
  fallback: string,
): void {
  if (existsSync(file)) {
    const current = readFileSync(file, 'utf8');
    const from = current.indexOf(start);
    const to = current.indexOf(end);
    if (from !== -1 && to > from) {
      writeFileSync(file, current.slice(0, from) + section + current.slice(to + end.length));
      return;
    }
    writeFileSync(file, `${current.trimEnd()}\n\n${section}\n`);
    return;
  }
  writeFileSync(file, fallback);
}
