/**
 * What each kind of return run does (see runs.service.ts for how a run is kept and shown): make
 * the CIN census, SSDA903 or Annex A from the records — checking every child against the year's
 * rules as it goes, so the return arrives already validated — or check files made elsewhere.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { ZipArchive } from 'archiver';
import type { Actor } from '../access/actor.ts';
import type { Db } from '../../db/connect.ts';
import type { Deps } from '../../platform/deps.ts';
import { annexAWorkbook } from './annex-a/produce.ts';
import { cinCollectionYear, cinContext, type CinChild } from './cin/model.ts';
import { cinChildren, cinHeader } from './cin/produce.ts';
import { cinRuleSet } from './cin/rules/index.ts';
import { writeCin } from './cin/write.ts';
import { ReturnFileError } from './errors.ts';
import { CIN_YEARS, SSDA903_YEARS } from './reference/rule-files.ts';
import type { ReturnRunKind } from './returns.table.ts';
import { RunInputError, type RunProgress, type RunResult, type RunWork } from './runs.service.ts';
import { ssda903CollectionYear, ssda903Context, type Child903 } from './ssda903/model.ts';
import { databaseLookup, enrich903, returnPostcodes } from './ssda903/postcodes.ts';
import { ssda903Children } from './ssda903/produce.ts';
import { ssda903RuleSet } from './ssda903/rules/index.ts';
import { write903 } from './ssda903/write.ts';
import { issuesCsv } from './report.ts';
import { validateCin, validateSsda903 } from './validate.ts';
import { dayOf } from './validation/dates.ts';
import type { Issue } from './validation/rule.ts';

/** Issues kept per run for the page (all are counted). */
const MAX_KEPT_ISSUES = 100_000;

/** Years a return can be made for: from 2020 to the year ending next March. */
export function PRODUCE_YEARS(now: Date): number[] {
  const last = now.getUTCFullYear() + (now.getUTCMonth() >= 3 ? 1 : 0);
  const years: number[] = [];
  for (let y = last; y >= 2020; y -= 1) years.push(y);
  return years;
}

/** Years whose DfE rules Hearth holds (CIN census 2025–2027 by year end; SSDA903 2026–2027). */
export const CHECK_YEARS: readonly number[] = [
  ...new Set([...CIN_YEARS, ...SSDA903_YEARS].map((y) => Number(y.slice(0, 4)) + 1)),
].sort((a, b) => b - a);

class IssueCollector {
  readonly kept: Issue[] = [];
  errors = 0;
  queries = 0;
  add(issues: readonly Issue[]): void {
    for (const issue of issues) {
      if (issue.severity === 'error') this.errors += 1;
      else this.queries += 1;
      if (this.kept.length < MAX_KEPT_ISSUES) this.kept.push(issue);
    }
  }
}

/** Passes children through, checking each against the rules and counting progress. */
async function* checked<C>(
  children: AsyncIterable<C>,
  check: ((child: C) => Issue[]) | undefined,
  collector: IssueCollector,
  progress: RunProgress,
): AsyncGenerator<C> {
  let n = 0;
  for await (const child of children) {
    if (check) collector.add(check(child));
    n += 1;
    progress({ childrenDone: n });
    yield child;
  }
}

async function produceCin(deps: Deps, actor: Actor, year: number, progress: RunProgress): Promise<RunResult> {
  const header = await cinHeader(deps.db, {
    censusYear: year,
    organisationId: actor.organisationId,
    now: deps.clock.now(),
  });
  const collectionYear = cinCollectionYear(year);
  const rules = (CIN_YEARS as readonly string[]).includes(collectionYear) ? cinRuleSet(collectionYear) : undefined;
  const run = rules?.run(cinContext(year, header), (c: CinChild) => c.identifiers.LAchildID);
  const collector = new IssueCollector();
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  progress({ stage: 'Reading the records and writing the census' });
  await writeCin(
    header,
    checked(cinChildren(deps.db, { censusYear: year, organisationId: actor.organisationId }), run?.child, collector, progress),
    out,
  );
  out.end();
  if (run) collector.add(run.finish());
  return {
    output: Buffer.concat(chunks),
    outputName: `CIN_Census_${String(year)}.xml`,
    outputType: 'application/xml',
    issues: collector.kept,
    errors: collector.errors,
    queries: collector.queries,
  };
}

async function zipFolder(dir: string): Promise<Buffer> {
  const zip = new ZipArchive({ zlib: { level: 6 } });
  const chunks: Buffer[] = [];
  zip.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    zip.on('end', resolve);
    zip.on('error', reject);
  });
  for (const name of (await readdir(dir)).sort()) zip.file(join(dir, name), { name });
  await zip.finalize();
  await ended;
  return Buffer.concat(chunks);
}

/** The council's LA code (organisations.la_code), for the placement fields derived from postcodes. */
async function councilLa(db: Db, organisationId: string): Promise<string | undefined> {
  const org = await db
    .selectFrom('organisations')
    .select('la_code')
    .where('id', '=', organisationId)
    .executeTakeFirst();
  return org?.la_code ?? undefined;
}

async function* each<C>(items: readonly C[]): AsyncGenerator<C> {
  await Promise.resolve();
  yield* items;
}

async function produceSsda903(deps: Deps, actor: Actor, year: number, progress: RunProgress): Promise<RunResult> {
  const collectionYear = ssda903CollectionYear(year);
  const rules = (SSDA903_YEARS as readonly string[]).includes(collectionYear)
    ? ssda903RuleSet(collectionYear)
    : undefined;
  // The return is small (read.ts holds a whole one too): gather it, so that the placement fields
  // derived from postcodes can be worked out with one query before the children are checked.
  progress({ stage: 'Reading the records' });
  const children: Child903[] = [];
  for await (const child of ssda903Children(deps.db, { year, organisationId: actor.organisationId })) {
    children.push(child);
  }
  const la = await councilLa(deps.db, actor.organisationId);
  const lookup = await databaseLookup(deps.db, returnPostcodes(children));
  if (lookup) for (const child of children) enrich903(child, lookup, la);
  const run = rules?.run(
    { ...ssda903Context(year, false), la, derived: lookup !== undefined },
    (c: Child903) => c.id,
  );
  const collector = new IssueCollector();
  const dir = await mkdtemp(join(tmpdir(), 'hearth-903-'));
  try {
    progress({ stage: 'Checking the records and writing the files' });
    await write903(dir, checked(each(children), run?.child, collector, progress), year);
    if (run) collector.add(run.finish());
    progress({ stage: 'Packing the files' });
    return {
      output: await zipFolder(dir),
      outputName: `SSDA903_${collectionYear}.zip`,
      outputType: 'application/zip',
      issues: collector.kept,
      errors: collector.errors,
      queries: collector.queries,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Annex A as at 31 March of `year`, or today when that is still to come. */
async function produceAnnexA(deps: Deps, actor: Actor, year: number, progress: RunProgress): Promise<RunResult> {
  const now = deps.clock.now();
  const today = dayOf(now.getUTCFullYear(), now.getUTCMonth() + 1, now.getUTCDate());
  const asAt = Math.min(dayOf(year, 3, 31), today);
  progress({ stage: 'Making the lists' });
  const result = await annexAWorkbook(deps.db, { organisationId: actor.organisationId, asAt }, (list) => {
    progress({ stage: `List ${String(list)} of 11 done` });
  });
  progress({ childrenDone: result.rowsPerList.slice(0, 10).reduce((a, b) => a + b, 0) });
  return {
    output: result.bytes,
    outputName: `Annex_A_${String(year)}.xlsx`,
    outputType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  };
}

export function produceWork(deps: Deps, actor: Actor, kind: ReturnRunKind, year: number): RunWork {
  return async (progress) => {
    switch (kind) {
      case 'produce_cin':
        return produceCin(deps, actor, year, progress);
      case 'produce_ssda903':
        return produceSsda903(deps, actor, year, progress);
      case 'produce_annex_a':
        return produceAnnexA(deps, actor, year, progress);
      default:
        throw new RunInputError('That is not a return Hearth can make.');
    }
  };
}

/** Checks uploaded files: a CIN census file, or a folder of SSDA903 files (and last year's). */
export function checkWork(
  kind: ReturnRunKind,
  year: number,
  input: { current: string; previous?: string | undefined },
  /** The checking council: its LA code and the database's postcodes give the derived placement fields. */
  council?: { db: Db; organisationId: string },
): RunWork {
  return async (progress) => {
    try {
      progress({ stage: 'Checking the files' });
      const onProgress = (children: number) => {
        progress({ childrenDone: children });
      };
      const report =
        kind === 'validate_cin'
          ? await validateCin(input.current, year, onProgress)
          : await validateSsda903(
              input.current,
              year,
              input.previous,
              onProgress,
              undefined,
              council
                ? {
                    la: await councilLa(council.db, council.organisationId),
                    postcodes: (wanted) => databaseLookup(council.db, wanted),
                  }
                : {},
            );
      progress({ childrenDone: report.children });
      const csv = Buffer.from(issuesCsv(report.issues), 'utf8');
      return {
        output: csv,
        outputName: kind === 'validate_cin' ? `CIN_${String(year)}_problems.csv` : `SSDA903_${String(year)}_problems.csv`,
        outputType: 'text/csv; charset=utf-8',
        issues: report.issues.slice(0, MAX_KEPT_ISSUES),
        errors: report.errors,
        queries: report.queries,
      };
    } catch (error) {
      if (error instanceof ReturnFileError) throw new RunInputError(error.detail);
      if (error instanceof RangeError) throw new RunInputError(error.message);
      throw error;
    }
  };
}
