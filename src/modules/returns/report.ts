/**
 * Validation reports for people: a terminal table (issues, then counts per rule, then totals), and
 * a CSV file of every issue (written as issues are found, so its size never limits memory).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import type { Issue } from './validation/rule.ts';
import type { ValidationReport } from './validate.ts';

export const CSV_COLUMNS = [
  'file',
  'child',
  'table',
  'fields',
  'row',
  'rule',
  'severity',
  'description',
] as const;

function csvRecord(issue: Issue): string[] {
  return [
    issue.file ?? '',
    issue.child ?? '',
    issue.table,
    issue.fields.join(' '),
    issue.row === undefined || issue.row === 0 ? '' : String(issue.row),
    issue.rule,
    issue.severity === 'error' ? 'ERROR' : 'QUERY',
    issue.description,
  ];
}

/** A CSV file of issues, written as they come: `add` each, then `close`. */
export class IssueCsvWriter {
  private readonly fd: number;
  private buffer: string;
  count = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
    this.buffer = stringify([[...CSV_COLUMNS]]);
  }

  add = (issue: Issue): void => {
    this.buffer += stringify([csvRecord(issue)]);
    this.count += 1;
    if (this.buffer.length >= 64 * 1024) this.flush();
  };

  private flush(): void {
    if (this.buffer !== '') writeSync(this.fd, this.buffer);
    this.buffer = '';
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** Every issue of `issues` as CSV text (with its header row). */
export function issuesCsv(issues: readonly Issue[]): string {
  return stringify([[...CSV_COLUMNS], ...issues.map(csvRecord)]);
}

function fit(text: string, width: number): string {
  if (width <= 0) return '';
  const flat = text.replace(/\s+/g, ' ');
  if (flat.length <= width) return flat.padEnd(width);
  return width === 1 ? '…' : `${flat.slice(0, width - 1)}…`;
}

type Column = { title: string; width: number; value: (issue: Issue) => string };

export type TableOptions = {
  /** Terminal width (default 120). */
  width?: number | undefined;
  /** Most issues to list one by one (default 200); the counts per rule cover all of them. */
  limit?: number | undefined;
};

/** The report as text for a terminal: the issues, the counts per rule and the totals. */
export function formatReport(report: ValidationReport, options: TableOptions = {}): string {
  const width = Math.max(options.width ?? 120, 60);
  const limit = options.limit ?? 200;
  const out: string[] = [];
  const what = report.return === 'cin' ? 'CIN census' : 'SSDA903 return';
  out.push(`${what} ${report.year}: ${report.source}`);
  out.push(`${String(report.children)} children checked against ${String(report.rules)} rules.`);
  for (const warning of report.warnings) out.push(`Note: ${warning}`);
  out.push('');

  if (report.issueCount > 0) {
    const fixed: Column[] = [
      { title: 'Rule', width: 7, value: (i) => i.rule },
      { title: 'Severity', width: 8, value: (i) => (i.severity === 'error' ? 'ERROR' : 'QUERY') },
      { title: 'Child', width: 12, value: (i) => i.child ?? '' },
      { title: 'Table', width: 20, value: (i) => i.table },
      { title: 'Field', width: 18, value: (i) => i.fields.join(' ') },
      { title: 'Row', width: 6, value: (i) => (i.row ? String(i.row) : '') },
    ];
    const used = fixed.reduce((sum, c) => sum + c.width + 1, 0);
    const columns: Column[] = [
      ...fixed,
      { title: 'Description', width: Math.max(width - used, 10), value: (i) => i.description },
    ];
    const line = (cells: string[]): string => cells.join(' ').trimEnd();
    out.push(line(columns.map((c) => fit(c.title, c.width))));
    out.push(line(columns.map((c) => '-'.repeat(c.width))));
    for (const issue of report.issues.slice(0, limit)) {
      out.push(line(columns.map((c) => fit(c.value(issue), c.width))));
    }
    const unlisted = report.issueCount - Math.min(limit, report.issues.length);
    if (unlisted > 0) out.push(`… and ${String(unlisted)} more (write them all with --csv FILE).`);
    out.push('');

    out.push('Issues by rule:');
    const descriptions = new Map<string, Issue>();
    for (const issue of report.issues) if (!descriptions.has(issue.rule)) descriptions.set(issue.rule, issue);
    for (const [rule, count] of Object.entries(report.byRule)) {
      const sample = descriptions.get(rule);
      const severity = sample ? (sample.severity === 'error' ? 'ERROR' : 'QUERY') : '';
      const head = `  ${rule.padEnd(7)} ${severity.padEnd(6)} ${String(count).padStart(7)}  `;
      out.push(`${head}${fit(sample?.description ?? '', width - head.length).trimEnd()}`);
    }
    out.push('');
  }
  const count = (n: number, one: string, many: string): string => `${String(n)} ${n === 1 ? one : many}`;
  out.push(
    report.issueCount === 0
      ? 'No issues found.'
      : `${count(report.errors, 'error', 'errors')}, ${count(report.queries, 'query', 'queries')} (${count(report.issueCount, 'issue', 'issues')} in total).`,
  );
  return out.join('\n') + '\n';
}
