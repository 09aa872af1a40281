/**
 * Validates a CIN census XML file or an SSDA903 directory against the DfE rules of its year, child
 * by child: the CIN census is streamed (memory is one child), the 903 return is read whole (it is
 * small; see ssda903/read.ts). The report counts every issue, but keeps the details of only the
 * first `MAX_ISSUE_DETAILS`, so a badly broken return cannot exhaust memory.
 */
import { basename } from 'node:path';
import { isoDay, addYears } from './validation/dates.ts';
import type { Issue } from './validation/rule.ts';
import { openCin } from './cin/read.ts';
import { cinCollectionYear, cinContext, type CinContext } from './cin/model.ts';
import { cinRuleSet } from './cin/rules/index.ts';
import { ssda903CollectionYear } from './ssda903/model.ts';
import {
  enrich903,
  lookupFromReferenceFiles,
  referenceFilesPresent,
  returnPostcodes,
  type PostcodeLookup,
} from './ssda903/postcodes.ts';
import { readSsda903 } from './ssda903/read.ts';
import { ssda903RuleSet } from './ssda903/rules/index.ts';

export const MAX_ISSUE_DETAILS = 100_000;

export type ValidationReport = {
  return: 'cin' | 'ssda903';
  /** The collection year, e.g. `2025-26`. */
  year: string;
  /** The file or directory validated. */
  source: string;
  children: number;
  /** The first `MAX_ISSUE_DETAILS` issues, in the order found (child by child, then the return-level rules). */
  issues: Issue[];
  /** Every issue found, including those whose details were not kept. */
  issueCount: number;
  /** True when `issues` holds fewer than `issueCount`. */
  truncated: boolean;
  errors: number;
  queries: number;
  /** Issues per rule code. */
  byRule: Record<string, number>;
  /** The number of rules run. */
  rules: number;
  /** Notes from reading the input (skipped elements or files). */
  warnings: string[];
};

/** Called now and then with the number of children validated so far. */
export type Progress = (children: number) => void;
const PROGRESS_EVERY = 1_000;
/** Receives every issue as it is found (e.g. to write a CSV of all of them, however many). */
export type IssueSink = (issue: Issue) => void;

class Collector {
  readonly issues: Issue[] = [];
  readonly byRule = new Map<string, number>();
  count = 0;
  errors = 0;
  queries = 0;

  readonly sink: IssueSink | undefined;

  constructor(sink?: IssueSink) {
    this.sink = sink;
  }

  add(found: readonly Issue[], file: (issue: Issue) => string | undefined): void {
    for (const finding of found) {
      const issue: Issue = { ...finding, file: file(finding) };
      this.sink?.(issue);
      this.count += 1;
      if (issue.severity === 'error') this.errors += 1;
      else this.queries += 1;
      this.byRule.set(issue.rule, (this.byRule.get(issue.rule) ?? 0) + 1);
      if (this.issues.length < MAX_ISSUE_DETAILS) this.issues.push(issue);
    }
  }

  report(
    base: Pick<ValidationReport, 'return' | 'year' | 'source' | 'children' | 'rules' | 'warnings'>,
  ): ValidationReport {
    return {
      ...base,
      issues: this.issues,
      issueCount: this.count,
      truncated: this.issues.length < this.count,
      errors: this.errors,
      queries: this.queries,
      byRule: Object.fromEntries([...this.byRule].sort(([a], [b]) => a.localeCompare(b))),
    };
  }
}

/** The census context from the file's Header: its ReferenceDate when that is a real date. */
export function cinContextFromHeader(censusYear: number, header: CinContext['header']): CinContext {
  const ctx = cinContext(censusYear, header);
  const reference = isoDay(header.ReferenceDate);
  if (reference === null) return ctx;
  return { ...ctx, referenceDate: reference, periodStart: addYears(reference, -1) + 1 };
}

/** Validate the CIN census in `path` for the census year `censusYear` (2026 = 31 March 2026). */
export async function validateCin(
  path: string,
  censusYear: number,
  onProgress?: Progress,
  onIssue?: IssueSink,
): Promise<ValidationReport> {
  const file = basename(path);
  // The rules first: an unsupported year fails before the file is opened.
  const ruleSet = cinRuleSet(cinCollectionYear(censusYear));
  const opened = await openCin(path, { censusYear, file });
  const ctx = cinContextFromHeader(censusYear, opened.header);
  const run = ruleSet.run(ctx, (c) => c.identifiers.LAchildID);
  const collector = new Collector(onIssue);
  const inFile = (): string => file;
  let children = 0;
  for await (const child of opened.children) {
    collector.add(run.child(child), inFile);
    children += 1;
    if (onProgress && children % PROGRESS_EVERY === 0) onProgress(children);
  }
  collector.add(run.finish(), inFile);
  onProgress?.(children);
  return collector.report({
    return: 'cin',
    year: ctx.year,
    source: path,
    children,
    rules: ruleSet.childRules.length + ruleSet.returnRules.length,
    warnings: opened.warnings,
  });
}

/**
 * Where the placement fields derived from postcodes come from: the shipped reference files
 * (`'reference'`), a lookup already built, a function that builds one for the return's postcodes
 * (e.g. from the database; undefined when it has no postcode directory), or nowhere (`false`: the
 * rules on those fields then fall back to what the postcodes alone show).
 */
export type PostcodeSource =
  | 'reference'
  | PostcodeLookup
  | ((postcodes: ReadonlySet<string>) => Promise<PostcodeLookup | undefined>)
  | false;

export type Ssda903Options = {
  /** Default: the shipped reference files when they are present, otherwise none. */
  postcodes?: PostcodeSource | undefined;
  /** The returning council's LA code (`E10000015`): for PL_LOCATION and the rules that compare LAs. */
  la?: string | undefined;
};

/**
 * Validate the SSDA903 return in `dir` for the year ending 31 March `endYear`, with last year's
 * return in `previousDir` for the rules that compare years (skipped without it).
 */
export async function validateSsda903(
  dir: string,
  endYear: number,
  previousDir?: string,
  onProgress?: Progress,
  onIssue?: IssueSink,
  options: Ssda903Options = {},
): Promise<ValidationReport> {
  const ruleSet = ssda903RuleSet(ssda903CollectionYear(endYear));
  const read = await readSsda903(dir, endYear, previousDir);
  if (options.la !== undefined) read.context.la = options.la;
  const source = options.postcodes ?? (referenceFilesPresent() ? 'reference' : false);
  if (source !== false) {
    const wanted = returnPostcodes(read.children);
    const lookup =
      source === 'reference'
        ? await lookupFromReferenceFiles(wanted)
        : typeof source === 'function'
          ? await source(wanted)
          : source;
    if (lookup !== undefined) {
      for (const child of read.children) enrich903(child, lookup, read.context.la);
      read.context.derived = true;
    }
  }
  const run = ruleSet.run(read.context, (c) => c.id);
  const collector = new Collector(onIssue);
  const inFile = (issue: Issue): string | undefined =>
    (read.files as Partial<Record<string, string>>)[issue.table];
  let children = 0;
  for (const child of read.children) {
    collector.add(run.child(child), inFile);
    children += 1;
    if (onProgress && children % PROGRESS_EVERY === 0) onProgress(children);
  }
  collector.add(run.finish(), inFile);
  onProgress?.(children);
  return collector.report({
    return: 'ssda903',
    year: read.context.year,
    source: dir,
    children,
    rules: ruleSet.childRules.length + ruleSet.returnRules.length,
    warnings: read.warnings,
  });
}
