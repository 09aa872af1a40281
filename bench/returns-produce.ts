/**
 * `npm run bench:returns-produce`: how long making the CIN census and the SSDA903 from the records of
 * a large generated authority takes on PostgreSQL, stage by stage, and checking what was made.
 *
 * The authority comes from bench/authority-db.ts (Birmingham at scale 1 by default, about 336,000
 * children with ten years of history; BENCH_REUSE_DATABASE reuses a kept one). For the year ending on
 * 31 March of the history's last year (BENCH_RETURN_YEAR):
 *
 *   CIN census   read   every child of the census from the records (cin/produce.ts `cinChildren`)
 *                rules  the year's rules over those children, as a run checks them while it writes
 *                write  the XML (cin/write.ts) to a file
 *                run    the whole run as Hearth makes it from the returns page (works.ts
 *                       `produceWork('produce_cin')`: read, check and write streamed in one pass)
 *                validate  the file made, as `hearth validate` checks it (validate.ts `validateCin`)
 *                read back (baseline)  the reader alone over the file made: the floor validation
 *                       cannot go under; every other stage is also shown as a ratio to it
 *   SSDA903      read, postcodes (the placement fields derived from postcodes, one lookup query),
 *                rules, write (one CSV per table), run (`produceWork('produce_ssda903')`, with the
 *                zip), validate (with the database's postcodes and the council's LA, as a check run
 *                does), read back (baseline)
 *
 * Settings (environment): those of bench/authority-db.ts, and
 *   BENCH_RETURN_YEAR  the year the returns end in (default: the year of the history's last day)
 *   BENCH_WRITE        0 to print only, leaving BENCHMARKS.md alone
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Actor } from '../src/modules/access/actor.ts';
import { cinCollectionYear, cinContext, type CinChild } from '../src/modules/returns/cin/model.ts';
import { cinChildren, cinHeader } from '../src/modules/returns/cin/produce.ts';
import { openCin } from '../src/modules/returns/cin/read.ts';
import { cinRuleSet } from '../src/modules/returns/cin/rules/index.ts';
import { writeCin } from '../src/modules/returns/cin/write.ts';
import {
  ssda903CollectionYear,
  ssda903Context,
  type Child903,
} from '../src/modules/returns/ssda903/model.ts';
import { databaseLookup, enrich903, returnPostcodes } from '../src/modules/returns/ssda903/postcodes.ts';
import { ssda903Children } from '../src/modules/returns/ssda903/produce.ts';
import { readSsda903 } from '../src/modules/returns/ssda903/read.ts';
import { ssda903RuleSet } from '../src/modules/returns/ssda903/rules/index.ts';
import { write903 } from '../src/modules/returns/ssda903/write.ts';
import { validateCin, validateSsda903 } from '../src/modules/returns/validate.ts';
import type { Issue } from '../src/modules/returns/validation/rule.ts';
import { produceWork } from '../src/modules/returns/works.ts';
import { systemClock } from '../src/platform/clock.ts';
import { loadConfig } from '../src/platform/config.ts';
import type { Deps } from '../src/platform/deps.ts';
import { makeSecrets } from '../src/platform/auth/secrets.ts';
import { loadAverage, openBenchAuthority } from './authority-db.ts';
import { ROOT, describeCommit, fmtInt, fmtRatio, log, writeSection } from './load.ts';

const START =
  '<!-- bench:returns-produce:start (written by `npm run bench:returns-produce`; edits here are overwritten) -->';
const END = '<!-- bench:returns-produce:end -->';

type Stage = { name: string; seconds: number; children: number; note: string };

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await work();
  return [result, (performance.now() - start) / 1000];
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const peak = () => mb(process.resourceUsage().maxRSS * 1024);
const counted = (n: number, one: string, many: string) => `${fmtInt(n)} ${n === 1 ? one : many}`;
const issueCounts = (errors: number, queries: number) =>
  `${counted(errors, 'error', 'errors')}, ${counted(queries, 'query', 'queries')}`;
const tally = (issues: readonly Issue[]) => {
  let errors = 0;
  for (const i of issues) if (i.severity === 'error') errors += 1;
  return { errors, queries: issues.length - errors };
};

function table(stages: readonly Stage[]): string[] {
  const floor = stages.find((s) => s.name.startsWith('read back'))?.seconds ?? Number.NaN;
  return [
    '| Stage | Seconds | × read back | Children | Children/s | Notes |',
    '| --- | --: | --: | --: | --: | --- |',
    ...stages.map(
      (s) =>
        `| ${s.name} | ${s.seconds.toFixed(2)} | ${fmtRatio(s.seconds / floor)} | ${fmtInt(s.children)} | ${fmtInt(s.children / s.seconds)} | ${s.note} |`,
    ),
  ];
}

async function main(): Promise<void> {
  const loadBefore = os.loadavg();
  const auth = await openBenchAuthority();
  const dir = mkdtempSync(join(os.tmpdir(), 'hearth-bench-returns-produce-'));
  try {
    const db = auth.handle.db;
    const year = Number(process.env['BENCH_RETURN_YEAR'] ?? auth.referenceDate.slice(0, 4));
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: auth.url });
    const deps: Deps = { db, clock: systemClock, config, secrets: makeSecrets(config.secret) };
    const actor: Actor = {
      userId: randomUUID(),
      organisationId: auth.organisationId,
      displayName: 'Benchmark',
      teamIds: [],
      localityIds: [],
      roleIds: [],
      permissions: [],
    };
    const loads: string[] = [];
    const progressless = () => undefined;

    // CIN census.
    log(`CIN census ${String(year)}: reading the records`);
    const cin: Stage[] = [];
    const header = await cinHeader(db, {
      censusYear: year,
      organisationId: auth.organisationId,
      now: new Date(),
    });
    const [cinKids, readSeconds] = await timed(async () => {
      const all: CinChild[] = [];
      for await (const c of cinChildren(db, { censusYear: year, organisationId: auth.organisationId }))
        all.push(c);
      return all;
    });
    cin.push({
      name: 'read from the records',
      seconds: readSeconds,
      children: cinKids.length,
      note: `peak RSS ${peak()}`,
    });
    const [cinIssues, rulesSeconds] = await timed(() => {
      const ruleSet = cinRuleSet(cinCollectionYear(year));
      const run = ruleSet.run(cinContext(year, header), (c) => c.identifiers.LAchildID);
      const issues: Issue[] = [];
      for (const c of cinKids) issues.push(...run.child(c));
      issues.push(...run.finish());
      return Promise.resolve({ issues, rules: ruleSet.childRules.length + ruleSet.returnRules.length });
    });
    const cinTally = tally(cinIssues.issues);
    cin.push({
      name: 'rules (while making)',
      seconds: rulesSeconds,
      children: cinKids.length,
      note: `${String(cinIssues.rules)} rules; ${issueCounts(cinTally.errors, cinTally.queries)}`,
    });
    const xml = join(dir, 'cin.xml');
    const [, writeSeconds] = await timed(async () => {
      const out = createWriteStream(xml);
      await writeCin(header, cinKids, out);
      out.end();
      await finished(out);
    });
    cin.push({
      name: 'write the XML',
      seconds: writeSeconds,
      children: cinKids.length,
      note: mb(statSync(xml).size),
    });
    log('CIN census: the whole run as Hearth makes it');
    const [cinRun, cinRunSeconds] = await timed(() =>
      produceWork(deps, actor, 'produce_cin', year)(progressless),
    );
    cin.push({
      name: '**the run** (`produceWork`: read, check, write in one pass)',
      seconds: cinRunSeconds,
      children: cinKids.length,
      note: `${mb(cinRun.output.byteLength)}; ${issueCounts(cinRun.errors ?? 0, cinRun.queries ?? 0)}; peak RSS ${peak()}`,
    });
    log('CIN census: validating the file made');
    const [cinReport, validateSeconds] = await timed(() => validateCin(xml, year));
    cin.push({
      name: 'validate the file made (`validateCin`)',
      seconds: validateSeconds,
      children: cinReport.children,
      note: `${String(cinReport.rules)} rules; ${issueCounts(cinReport.errors, cinReport.queries)}`,
    });
    const [readBack, readBackSeconds] = await timed(async () => {
      const file = await openCin(xml, { censusYear: year });
      let n = 0;
      for await (const c of file.children) if (c.identifiers.LAchildID !== undefined) n += 1;
      return n;
    });
    cin.push({
      name: 'read back (reader only: baseline)',
      seconds: readBackSeconds,
      children: readBack,
      note: '',
    });
    loads.push(loadAverage(os.loadavg()));
    const cinByRule = Object.entries(cinReport.byRule)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([code, n]) => `${code} ${fmtInt(n)}`)
      .join(', ');

    // SSDA903.
    log(`SSDA903 ${String(year)}: reading the records`);
    const s903: Stage[] = [];
    const [kids903, read903Seconds] = await timed(async () => {
      const all: Child903[] = [];
      for await (const c of ssda903Children(db, { year, organisationId: auth.organisationId })) all.push(c);
      return all;
    });
    s903.push({
      name: 'read from the records',
      seconds: read903Seconds,
      children: kids903.length,
      note: `peak RSS ${peak()}`,
    });
    const [lookup, postcodeSeconds] = await timed(async () => {
      const found = await databaseLookup(db, returnPostcodes(kids903));
      if (found) for (const c of kids903) enrich903(c, found, auth.laCode);
      return found;
    });
    s903.push({
      name: 'postcodes (derived placement fields)',
      seconds: postcodeSeconds,
      children: kids903.length,
      note: lookup ? `${fmtInt(returnPostcodes(kids903).size)} postcodes looked up` : 'no postcode directory',
    });
    const [issues903, rules903Seconds] = await timed(() => {
      const ruleSet = ssda903RuleSet(ssda903CollectionYear(year));
      const run = ruleSet.run(
        { ...ssda903Context(year, false), la: auth.laCode, derived: lookup !== undefined },
        (c) => c.id,
      );
      const issues: Issue[] = [];
      for (const c of kids903) issues.push(...run.child(c));
      issues.push(...run.finish());
      return Promise.resolve({ issues, rules: ruleSet.childRules.length + ruleSet.returnRules.length });
    });
    const tally903 = tally(issues903.issues);
    s903.push({
      name: 'rules (while making)',
      seconds: rules903Seconds,
      children: kids903.length,
      note: `${String(issues903.rules)} rules; ${issueCounts(tally903.errors, tally903.queries)}`,
    });
    const csvDir = join(dir, 'ssda903');
    const [rows903, write903Seconds] = await timed(() => write903(csvDir, kids903, year));
    const csvBytes = readdirSync(csvDir).reduce((sum, f) => sum + statSync(join(csvDir, f)).size, 0);
    s903.push({
      name: 'write the CSV files',
      seconds: write903Seconds,
      children: kids903.length,
      note: `${mb(csvBytes)}; ${Object.entries(rows903)
        .map(([t, n]) => `${t} ${fmtInt(n)}`)
        .join(', ')}`,
    });
    log('SSDA903: the whole run as Hearth makes it');
    const [run903, run903Seconds] = await timed(() =>
      produceWork(deps, actor, 'produce_ssda903', year)(progressless),
    );
    s903.push({
      name: '**the run** (`produceWork`: read, postcodes, check, write, zip)',
      seconds: run903Seconds,
      children: kids903.length,
      note: `${mb(run903.output.byteLength)} zip; ${issueCounts(run903.errors ?? 0, run903.queries ?? 0)}; peak RSS ${peak()}`,
    });
    log('SSDA903: validating the files made');
    const [report903, validate903Seconds] = await timed(() =>
      validateSsda903(csvDir, year, undefined, undefined, undefined, {
        la: auth.laCode,
        postcodes: (wanted) => databaseLookup(db, wanted),
      }),
    );
    s903.push({
      name: 'validate the files made (`validateSsda903`)',
      seconds: validate903Seconds,
      children: report903.children,
      note: `${String(report903.rules)} rules; ${issueCounts(report903.errors, report903.queries)}`,
    });
    const [readBack903, readBack903Seconds] = await timed(() => readSsda903(csvDir, year));
    s903.push({
      name: 'read back (reader only: baseline)',
      seconds: readBack903Seconds,
      children: readBack903.children.length,
      note: '',
    });
    loads.push(loadAverage(os.loadavg()));
    const byRule903 = Object.entries(report903.byRule)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([code, n]) => `${code} ${fmtInt(n)}`)
      .join(', ');

    const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
    const section = [
      START,
      '## Returns made from a large authority (`npm run bench:returns-produce`)',
      '',
      `Taken ${new Date().toISOString().replace('T', ' ').slice(0, 16)} UTC · Node ${process.version} · ${String(os.availableParallelism())} CPUs (${cpu}) · ` +
        `commit ${describeCommit()} · PostgreSQL on the same machine · ${auth.authorityName} at scale ${String(auth.scale)}: ${fmtInt(auth.children)} children, ` +
        `${String(auth.years)} years of history to ${auth.referenceDate}, ${auth.provenance} · one run of each stage · load average ${loadAverage(loadBefore)} before, ` +
        `${loads[0] ?? ''} after the CIN census, ${loads[1] ?? ''} after the SSDA903.`,
      '',
      `**CIN census ${String(year)}** (year ending 31 March ${String(year)}): ${fmtInt(cinKids.length)} children in the census.`,
      '',
      ...table(cin),
      '',
      cinByRule
        ? `Issues found by validation, most frequent rules: ${cinByRule}.`
        : 'Validation found no issue.',
      '',
      `**SSDA903 ${ssda903CollectionYear(year)}**: ${fmtInt(kids903.length)} children (looked after in the year, and care leavers with a birthday of 17 to 21 in it).`,
      '',
      ...table(s903),
      '',
      byRule903
        ? `Issues found by validation, most frequent rules: ${byRule903}.`
        : 'Validation found no issue.',
      END,
    ].join('\n');
    console.log(`\n${section}\n`);
    if (process.env['BENCH_WRITE'] !== '0')
      writeSection(join(ROOT, 'BENCHMARKS.md'), START, END, section, `# Benchmarks\n\n${section}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
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
