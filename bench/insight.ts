/**
 * `npm run bench:insight`: how long each insight view takes on a large generated authority on
 * PostgreSQL, as a ratio to a baseline query measured in the same run.
 *
 * 1. A generated authority (bench/authority-db.ts: Birmingham at scale 1 by default, about 336,000
 *    children with ten years of history; BENCH_REUSE_DATABASE reuses one kept by an earlier run).
 * 2. For two periods ending on the date the generated history runs up to (the default filters, the
 *    last 12 months; and three years), every view in INSIGHT_VIEWS: `figures(ctx)` through the real
 *    connection (pool of 10, prepared statements, as Hearth runs), then what the framework does with
 *    the figures for the page: suppression (`suppressFigure`) and each chart drawn as SVG
 *    (`chartSvg`); and, separately, each chart as PNG (`chartPng`, the download).
 * 3. The baseline, `SELECT count(*) FROM people WHERE organisation_id = $1`, is measured in every round
 *    beside the views, so each view's time is also a ratio to it (the machine is shared and noisy).
 *    One warm-up of everything, then BENCH_ROUNDS rounds, the order of the views rotated each round;
 *    medians are reported, and the first (cold) run apart.
 * 4. With BENCH_EXPLAIN=1, nothing is timed: each view is run once (last 12 months) through a
 *    connection that logs every query, and its queries slower than 100 ms are printed (to stderr)
 *    with `EXPLAIN (ANALYZE, BUFFERS)`, to find why a view is slow.
 *
 * Settings (environment): those of bench/authority-db.ts, and
 *   BENCH_ROUNDS    measured rounds after the warm-up   (default 5)
 *   BENCH_VIEWS     comma-separated view slugs to measure (default: all)
 *   BENCH_EXPLAIN   1 to explain each view's slow queries instead of timing (to stderr);
 *                   BENCH_SOURCE=snapshot explains them on the latest snapshot set, BENCH_PERIOD=3y
 *                   over the last 3 years
 *   BENCH_WRITE     0 to print only, leaving BENCHMARKS.md alone
 *   BENCH_FIGURES   a file to write every view's figures to (JSON, from the warm-up run), and a
 *                   digest of each is logged: to check that a change to the SQL leaves the results alone
 *                   (diff the files of two runs). With BENCH_FIGURES_ONLY=1, only that (no rounds).
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from '../src/db/database.ts';
import { chartPng, chartSvg } from '../src/modules/insight/charts.ts';
import { addDays, addMonths, defaultFilters } from '../src/modules/insight/filters.ts';
import {
  refreshInsightSnapshots,
  snapshotState,
  type InsightSource,
} from '../src/modules/insight/snapshot.ts';
import { suppressFigure } from '../src/modules/insight/suppress.ts';
import type { Figure, InsightFilters, InsightView } from '../src/modules/insight/types.ts';
import { INSIGHT_VIEWS } from '../src/modules/insight/views.ts';
import { loadAverage, openBenchAuthority, type BenchAuthority } from './authority-db.ts';
import { ROOT, describeCommit, fmtInt, fmtMs, fmtRatio, log, writeSection } from './load.ts';
import { median } from './stats.ts';

const TARGET_MS = 1000;
const START = '<!-- bench:insight:start (written by `npm run bench:insight`; edits here are overwritten) -->';
const END = '<!-- bench:insight:end -->';

const rounds = Number(process.env['BENCH_ROUNDS'] ?? '5');
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) throw new Error('BENCH_ROUNDS must be 1 to 50');
const only = (process.env['BENCH_VIEWS'] ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter((s) => s !== '');
const views = INSIGHT_VIEWS.filter((v) => only.length === 0 || only.includes(v.slug));
if (views.length === 0) throw new Error(`BENCH_VIEWS: no such view (${only.join(', ')})`);

type Period = { readonly key: string; readonly label: string; readonly filters: InsightFilters };

const figuresFile = process.env['BENCH_FIGURES'] ?? '';
const figuresOnly = process.env['BENCH_FIGURES_ONLY'] === '1';

type Sample = {
  /** `figures(ctx)`: the view's queries and its own arithmetic. */
  figures: number;
  /** suppressFigure over every figure. */
  suppress: number;
  /** chartSvg over every figure (what the page draws). */
  svg: number;
  /** chartPng over every figure (the downloads, one after another). */
  png: number;
  figureCount: number;
  rowCount: number;
  /** The figures as the view gave them (for BENCH_FIGURES). */
  result: Figure[];
};

const now = () => performance.now();

async function runView(
  db: Kysely<Database>,
  auth: BenchAuthority,
  view: InsightView,
  period: Period,
  source: InsightSource,
  png = true,
): Promise<Sample> {
  const t0 = now();
  const figures: Figure[] = await view.figures({
    db,
    organisationId: auth.organisationId,
    filters: period.filters,
    today: auth.referenceDate,
    source,
  });
  const t1 = now();
  const suppressed = figures.map(suppressFigure);
  const t2 = now();
  for (const figure of suppressed) await chartSvg(figure, { idPrefix: figure.id });
  const t3 = now();
  if (png) for (const figure of suppressed) await chartPng(figure, figure.id);
  const t4 = now();
  return {
    figures: t1 - t0,
    suppress: t2 - t1,
    svg: t3 - t2,
    png: t4 - t3,
    figureCount: figures.length,
    rowCount: figures.reduce((n, f) => n + f.rows.length, 0),
    result: figures,
  };
}

async function baseline(db: Kysely<Database>, organisationId: string): Promise<number> {
  const t0 = now();
  await sql`SELECT count(*) FROM people WHERE organisation_id = ${organisationId}`.execute(db);
  return now() - t0;
}

/** BENCH_EXPLAIN: the plain views, or with BENCH_SOURCE=snapshot the latest finished snapshot set. */
let explainSource: InsightSource = 'live';

type Captured = { sql: string; parameters: readonly unknown[]; ms: number };

/** Runs one view through a connection that logs every query, and explains the slowest. */
async function explainView(auth: BenchAuthority, view: InsightView, period: Period): Promise<void> {
  const pool = new pg.Pool({ connectionString: auth.url, max: 10 });
  const captured: Captured[] = [];
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    log(event) {
      if (event.level === 'query')
        captured.push({
          sql: event.query.sql,
          parameters: event.query.parameters,
          ms: event.queryDurationMillis,
        });
    },
  });
  try {
    await view.figures({
      db,
      organisationId: auth.organisationId,
      filters: period.filters,
      today: auth.referenceDate,
      source: explainSource,
    });
    captured.sort((a, b) => b.ms - a.ms);
    log(
      `${view.slug} (${period.label}): ${String(captured.length)} queries, slowest ${captured
        .slice(0, 5)
        .map((c) => fmtMs(c.ms))
        .join(', ')} ms`,
    );
    for (const c of captured.filter((q) => q.ms >= 100)) {
      const plan = await pool.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, BUFFERS) ${c.sql}`,
        c.parameters as unknown[],
      );
      console.error(
        `\n--- ${view.slug}, ${fmtMs(c.ms)} ms ---\n${c.sql}\n-- parameters: ${JSON.stringify(c.parameters)}`,
      );
      console.error(plan.rows.map((r) => r['QUERY PLAN']).join('\n'));
    }
  } finally {
    await db.destroy();
  }
}

type Result = { view: InsightView; period: Period; source: Source; first: Sample; samples: Sample[] };
type Source = 'live' | 'snapshot';
const SOURCES: readonly Source[] = ['live', 'snapshot'];
let snapshotSet: InsightSource = 'live';
const sourceOf = (source: Source): InsightSource => (source === 'live' ? 'live' : snapshotSet);
const digestOf = (figures: readonly Figure[]) =>
  createHash('sha256').update(JSON.stringify(figures)).digest('hex');

const med = (samples: readonly Sample[], pick: (s: Sample) => number) => median(samples.map(pick));

async function main(): Promise<void> {
  const loadBefore = os.loadavg();
  const auth = await openBenchAuthority();
  try {
    const db = auth.handle.db;
    const twelve = defaultFilters(auth.referenceDate);
    const periods: Period[] = [
      { key: '12m', label: 'last 12 months', filters: twelve },
      {
        key: '3y',
        label: 'last 3 years',
        filters: { from: addDays(addMonths(auth.referenceDate, -36), 1), to: auth.referenceDate },
      },
    ];
    if (process.env['BENCH_EXPLAIN'] === '1') {
      if (process.env['BENCH_SOURCE'] === 'snapshot') {
        const state = await snapshotState(db);
        if (!state.current) throw new Error('BENCH_SOURCE=snapshot: no snapshot yet (run the bench once)');
        explainSource = state.current.set;
      }
      for (const view of views)
        await explainView(
          auth,
          view,
          periods.find((p) => p.key === process.env['BENCH_PERIOD']) ??
            periods[0] ?? { key: '12m', label: '', filters: twelve },
        );
      return;
    }
    // The snapshots (ADR 11): both sets filled, one after the other, as the server refreshes them
    // (timed per snapshot); the views then read the second.
    const refreshes: { label: string; ms: number; timings: Readonly<Record<string, number>> }[] = [];
    for (const label of ['first', 'second']) {
      const refreshed = await refreshInsightSnapshots(db, { trigger: 'command' });
      if (refreshed.status !== 'refreshed')
        throw new Error('another refresh of the insight snapshots is running');
      refreshes.push({
        label: `${label} (into ${refreshed.set})`,
        ms: refreshed.milliseconds,
        timings: refreshed.timings,
      });
      log(`refresh ${label} (${refreshed.set}): ${fmtMs(refreshed.milliseconds)} ms`);
      snapshotSet = refreshed.set;
    }
    const results = new Map<string, Result>();
    const baselines: number[] = [];
    const firstBaseline = await baseline(db, auth.organisationId);
    log(`baseline (first): ${fmtMs(firstBaseline)} ms`);
    // Warm-up: every view once in each period (kept as the first, cold, run).
    const different: string[] = [];
    for (const period of periods)
      for (const view of views)
        for (const source of SOURCES) {
          const first = await runView(db, auth, view, period, sourceOf(source), !figuresOnly);
          results.set(`${view.slug}/${period.key}/${source}`, { view, period, source, first, samples: [] });
          log(
            `warm-up ${view.slug} (${period.label}, ${source}): figures ${fmtMs(first.figures)} ms, svg ${fmtMs(first.svg)} ms`,
          );
        }
    // The snapshot must give exactly the figures the plain views give.
    for (const period of periods)
      for (const view of views) {
        const live = results.get(`${view.slug}/${period.key}/live`);
        const snap = results.get(`${view.slug}/${period.key}/snapshot`);
        if (live && snap && digestOf(live.first.result) !== digestOf(snap.first.result))
          different.push(`${view.slug} (${period.label})`);
      }
    if (different.length > 0) log(`SNAPSHOT FIGURES DIFFER from the plain views: ${different.join(', ')}`);
    if (figuresFile !== '') {
      const all: Record<string, Figure[]> = {};
      for (const [key, r] of results) {
        if (r.source !== 'live') continue;
        all[key] = r.first.result;
        const digest = digestOf(r.first.result);
        log(`figures ${key}: sha256 ${digest.slice(0, 16)}`);
      }
      writeFileSync(figuresFile, `${JSON.stringify(all, null, 1)}\n`);
      log(`figures written to ${figuresFile}`);
      if (figuresOnly) return;
    }
    for (let round = 0; round < rounds; round += 1) {
      const order = views.map((_, i) => views[(i + round) % views.length]).filter((v) => v !== undefined);
      baselines.push(await baseline(db, auth.organisationId));
      for (const period of periods)
        for (const view of order)
          for (const source of round % 2 === 0 ? SOURCES : [...SOURCES].reverse()) {
            const sample = await runView(db, auth, view, period, sourceOf(source));
            results.get(`${view.slug}/${period.key}/${source}`)?.samples.push(sample);
          }
      baselines.push(await baseline(db, auth.organisationId));
      log(`round ${String(round + 1)} of ${String(rounds)} done (load ${loadAverage(os.loadavg())})`);
    }
    const base = median(baselines);
    const loadAfter = os.loadavg();

    const slow: Result[] = [];
    const lines: string[] = [];
    for (const period of periods) {
      lines.push(
        '',
        `**${period.label[0]?.toUpperCase() ?? ''}${period.label.slice(1)}** (${period.filters.from} to ${period.filters.to}, no other filter):`,
        '',
        '| View | Figures | Rows | Plain views: queries ms | page total ms | × baseline | Snapshot: queries ms | first run ms | page total ms | × baseline | Plain ÷ snapshot | Under 1 s (snapshot) | Same figures | PNG, every chart ms |',
        '| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | :-: | :-: | --: |',
      );
      for (const view of views) {
        const live = results.get(`${view.slug}/${period.key}/live`);
        const r = results.get(`${view.slug}/${period.key}/snapshot`);
        if (!r || !live) continue;
        const liveFigures = med(live.samples, (s) => s.figures);
        const liveTotal = med(live.samples, (s) => s.figures + s.suppress + s.svg);
        const figures = med(r.samples, (s) => s.figures);
        const total = med(r.samples, (s) => s.figures + s.suppress + s.svg);
        if (total >= TARGET_MS) slow.push(r);
        const same = digestOf(live.first.result) === digestOf(r.first.result);
        lines.push(
          `| ${view.title} (\`${view.slug}\`) | ${String(r.first.figureCount)} | ${fmtInt(r.first.rowCount)} | ${fmtMs(liveFigures)} | ${fmtMs(liveTotal)} | ${fmtRatio(liveTotal / base)} | ${fmtMs(figures)} | ${fmtMs(r.first.figures)} | ${fmtMs(total)} | ${fmtRatio(total / base)} | ${fmtRatio(liveTotal / total)} | ${total < TARGET_MS ? 'yes' : '**no**'} | ${same ? 'yes' : '**no**'} | ${fmtMs(med(r.samples, (s) => s.png))} |`,
        );
      }
    }
    const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
    const section = [
      START,
      '## Insight views on a large authority (`npm run bench:insight`)',
      '',
      `Taken ${new Date().toISOString().replace('T', ' ').slice(0, 16)} UTC · Node ${process.version} · ${String(os.availableParallelism())} CPUs (${cpu}) · ` +
        `${String(Math.round(os.totalmem() / 2 ** 30))} GB RAM · commit ${describeCommit()} · PostgreSQL on the same machine · ` +
        `${auth.authorityName} at scale ${String(auth.scale)}: ${fmtInt(auth.children)} children (${fmtInt(auth.people)} people), ${String(auth.years)} years of history to ${auth.referenceDate}, ${fmtInt(auth.rows)} rows, ${auth.provenance} · ` +
        `1 warm-up then ${String(rounds)} rounds, views in rotated order · load average ${loadAverage(loadBefore)} before, ${loadAverage(loadAfter)} after.`,
      '',
      `Baseline: \`SELECT count(*) FROM people WHERE organisation_id = $1\` (${fmtInt(auth.people)} people), median **${fmtMs(base)} ms** over ${String(baselines.length)} runs spread through the rounds (first run ${fmtMs(firstBaseline)} ms). ` +
        '"Queries" is `figures(ctx)` (every query of the view and its own arithmetic, through the real connection: a pool of 10 with prepared statements); ' +
        '"page total" adds what the framework does for the page: suppression and every chart drawn as SVG. PNG (each chart as a download) is apart. ' +
        "Today is the generated history's last day, so the default filters (the last 12 months) are full of data. Medians; target: each view's page total under 1 s.",
      '',
      'Refreshing the snapshots (`refreshInsightSnapshots`, what the server does every HEARTH_INSIGHT_REFRESH_MINUTES and `npx hearth insight refresh` does), each snapshot then `ANALYZE`, ms:',
      '',
      `| Refresh | Total | ${Object.keys(refreshes[0]?.timings ?? {})
        .map((v) => `\`${v.replace(/^insight_/, '')}\``)
        .join(' | ')} |`,
      `| --- | --: | ${Object.keys(refreshes[0]?.timings ?? {})
        .map(() => '--:')
        .join(' | ')} |`,
      ...refreshes.map(
        (r) =>
          `| ${r.label} | ${fmtMs(r.ms)} | ${Object.values(r.timings)
            .map((ms) => fmtMs(ms))
            .join(' | ')} |`,
      ),
      '',
      'Each view measured both ways in the same rounds: from the plain SQL views (the measures as defined, worked out on each request) and from the snapshots. "Same figures": the snapshot gave exactly the figures of the plain views (compared as JSON).',
      ...lines,
      '',
      slow.length === 0
        ? 'Every view met the 1 s target in both periods (from the snapshot).'
        : `Missed the 1 s target (from the snapshot): ${slow.map((r) => `${r.view.slug} (${r.period.label})`).join(', ')}.`,
      ...(different.length > 0
        ? ['', `**The snapshot's figures differed from the plain views' for: ${different.join(', ')}.**`]
        : []),
      END,
    ].join('\n');
    console.log(`\n${section}\n`);
    if (process.env['BENCH_WRITE'] !== '0')
      writeSection(join(ROOT, 'BENCHMARKS.md'), START, END, section, `# Benchmarks\n\n${section}\n`);
  } finally {
    await auth.close();
  }
}

try {
  await main();
} catch (error) {
  console.error(
    `\n[bench] FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exitCode = 1;
}
