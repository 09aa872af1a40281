/**
 * Reads an SSDA903 return: a directory of CSV files, one per table, grouped by child (`CHILD`).
 *
 * File names: a file is taken for a table when its name, ignoring case, is the table's name with
 * a `.csv` extension (`Header.csv`, `episodes.CSV`, `swepisodes.csv`), optionally followed by a
 * year suffix after `_`, `-` or a space made of digits and dashes (`Episodes_2026.csv`,
 * `header-2025-26.csv`). Two files for the same table are refused. Other files are ignored (CSV files
 * are named in the warnings). Header and Episodes are required; every other table is optional
 * (absent = no rows). DoLo is read only from 2026-27.
 *
 * Each file must be comma-separated UTF-8 text whose first row holds exactly the table's columns
 * (statutory-returns.md §2), in any order; a missing, unexpected or repeated column is refused,
 * naming the file and the columns. A row with the wrong number of cells is refused with its line.
 * Values are kept as the raw strings of the file; blank cells are absent. `row` is the data row's
 * number in its file, 1-based (the header row not counted).
 *
 * Memory: the whole return is grouped in memory, because one child's rows are spread over every
 * file in any order. That is small (10,000 children is a few MB of CSV), but to keep a wrong
 * directory (a data dump, an export of everything) from exhausting memory, the CSV files that would
 * be read — this year's and last year's together — may total at most `MAX_RETURN_BYTES` (256 MB:
 * some fifty times the largest council's return; in-memory rows take several times their CSV
 * size, so this keeps the process under a few GB).
 */
import { closeSync, createReadStream, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CsvError, parse } from 'csv-parse';
import { notTextReason, ReturnFileError } from '../errors.ts';
import {
  emptyTables,
  SSDA903_COLUMNS,
  ssda903Context,
  ssda903Tables,
  type Child903,
  type Row,
  type Ssda903Context,
  type Ssda903Table,
  type Ssda903Tables,
} from './model.ts';

export const MAX_RETURN_BYTES = 256 * 1024 * 1024;
/** Longest row accepted (a real row is under 200 bytes). */
const MAX_ROW_BYTES = 64 * 1024;
const REQUIRED: readonly Ssda903Table[] = ['Header', 'Episodes'];

export type Ssda903Files = Partial<Record<Ssda903Table, string>>;

export type Ssda903Return = {
  context: Ssda903Context;
  /** Every child, in the order first seen (Header first, then the other files in table order). */
  children: Child903[];
  /** The file read for each table (base names), this year's return. */
  files: Ssda903Files;
  /** The files read from last year's return, when it was given. */
  previousFiles?: Ssda903Files | undefined;
  warnings: string[];
};

const YEAR_SUFFIX = /^(.+?)(?:[_\- ][0-9][0-9-]*)?\.csv$/i;

/**
 * Which file in `dir` holds each table of the year. Throws when the directory cannot be read or a
 * table has two files.
 */
export function findSsda903Files(dir: string, year: string, warnings: string[] = []): Ssda903Files {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) {
      throw new ReturnFileError(
        dir,
        undefined,
        'this is not a directory: give the directory holding the CSV files',
      );
    }
    entries = readdirSync(dir);
  } catch (error) {
    if (error instanceof ReturnFileError) throw error;
    throw new ReturnFileError(dir, undefined, 'the directory cannot be read (does it exist?)');
  }
  const byName = new Map(ssda903Tables(year).map((t) => [t.toLowerCase(), t]));
  const all = new Map(Object.keys(SSDA903_COLUMNS).map((t) => [t.toLowerCase(), t]));
  const files: Ssda903Files = {};
  for (const entry of entries.sort()) {
    const match = YEAR_SUFFIX.exec(entry);
    if (!match) continue;
    const stem = (match[1] ?? '').toLowerCase();
    const table = byName.get(stem);
    if (!table) {
      const other = all.get(stem);
      warnings.push(
        other
          ? `${entry}: ignored (${year} has no ${other} table)`
          : `${entry}: ignored (not the name of an SSDA903 table)`,
      );
      continue;
    }
    const already = files[table];
    if (already !== undefined) {
      throw new ReturnFileError(
        dir,
        undefined,
        `two files hold the ${table} table: ${already} and ${entry}; keep one`,
      );
    }
    if (!statSync(join(dir, entry)).isFile()) continue;
    files[table] = entry;
  }
  for (const table of REQUIRED) {
    if (files[table] === undefined) {
      throw new ReturnFileError(
        dir,
        undefined,
        `there is no ${table} file (expected ${table}.csv); the Header and Episodes files are required`,
      );
    }
  }
  return files;
}

function sniff(path: string, file: string): void {
  const head = Buffer.alloc(4096);
  const fd = openSync(path, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (n === 0)
    throw new ReturnFileError(file, undefined, 'the file is empty: it needs at least its header row');
  const reason = notTextReason(head.subarray(0, n), 'a CSV file');
  if (reason) throw new ReturnFileError(file, undefined, reason);
}

function checkColumns(file: string, table: Ssda903Table, header: string[]): void {
  const expected: readonly string[] = SSDA903_COLUMNS[table];
  const names = header.map((h) => h.trim());
  if (names.length === 1) {
    const only = names[0] ?? '';
    const delimiter = [';', '\t', '|'].find((d) => only.includes(d));
    if (delimiter !== undefined) {
      const shown = delimiter === '\t' ? 'tabs' : `"${delimiter}"`;
      throw new ReturnFileError(
        file,
        1,
        `the columns are separated by ${shown}; SSDA903 files must be comma-separated (CSV)`,
      );
    }
  }
  const seen = new Set<string>();
  const repeated = names.filter((n) => (seen.has(n) ? true : (seen.add(n), false)));
  const missing = expected.filter((c) => !seen.has(c));
  const unexpected = names.filter((n) => !expected.includes(n));
  const problems: string[] = [];
  if (missing.length) problems.push(`missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  if (unexpected.length) {
    const shown = unexpected.map((u) => (u === '' ? '(blank)' : u));
    problems.push(`unexpected column${unexpected.length > 1 ? 's' : ''} ${shown.join(', ')}`);
  }
  if (repeated.length)
    problems.push(`repeated column${repeated.length > 1 ? 's' : ''} ${repeated.join(', ')}`);
  if (problems.length) {
    throw new ReturnFileError(
      file,
      1,
      `the header row does not match the ${table} table: ${problems.join('; ')}. Expected: ${expected.join(',')}`,
    );
  }
}

/** Read one table's file, calling `add` with each data row. */
async function readTable(
  dir: string,
  file: string,
  table: Ssda903Table,
  add: (row: Row) => void,
): Promise<void> {
  const path = join(dir, file);
  sniff(path, file);
  const parser = createReadStream(path).pipe(
    parse({ bom: true, max_record_size: MAX_ROW_BYTES, skip_empty_lines: true }),
  );
  let columns: string[] | undefined;
  let n = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (!columns) {
        checkColumns(file, table, record);
        columns = record.map((h) => h.trim());
        continue;
      }
      n += 1;
      const values: Record<string, string> = {};
      for (let i = 0; i < columns.length; i++) {
        const v = record[i];
        if (v !== undefined && v.trim() !== '') values[columns[i] ?? ''] = v;
      }
      add({ row: n, values });
    }
  } catch (error) {
    if (error instanceof ReturnFileError) throw error;
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      throw new ReturnFileError(file, line, csvProblem(error));
    }
    throw error;
  } finally {
    parser.destroy();
  }
  if (!columns)
    throw new ReturnFileError(file, undefined, 'the file is empty: it needs at least its header row');
}

function csvProblem(error: CsvError): string {
  switch (error.code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return 'this row has a different number of cells from the header row';
    case 'CSV_MAX_RECORD_SIZE':
      return `a row is longer than ${String(MAX_ROW_BYTES / 1024)} KB, which no SSDA903 row can be`;
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted cell is never closed (an unmatched ")';
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'INVALID_OPENING_QUOTE':
      return 'a cell has a misplaced quote (")';
    default:
      return `the file is not valid CSV: ${error.message}`;
  }
}

/** Read every table of one return into children grouped by CHILD. */
async function readReturn(
  dir: string,
  files: Ssda903Files,
  year: string,
): Promise<Map<string, Ssda903Tables>> {
  const byChild = new Map<string, Ssda903Tables>();
  for (const table of ssda903Tables(year)) {
    const file = files[table];
    if (file === undefined) continue;
    await readTable(dir, file, table, (r) => {
      const id = r.values['CHILD'] ?? '';
      let tables = byChild.get(id);
      if (!tables) {
        tables = emptyTables();
        byChild.set(id, tables);
      }
      tables[table].push(r);
    });
  }
  return byChild;
}

function totalBytes(dir: string, files: Ssda903Files): number {
  return Object.values(files).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
}

/**
 * Read the return for the year ending 31 March `endYear` from `dir`, with last year's return from
 * `previousDir` when given (its children's rows become each child's `previous`; a child who was not
 * in last year's return has none).
 */
export async function readSsda903(
  dir: string,
  endYear: number,
  previousDir?: string,
): Promise<Ssda903Return> {
  const context = ssda903Context(endYear, previousDir !== undefined);
  const warnings: string[] = [];
  const files = findSsda903Files(dir, context.year, warnings);
  const previousYear = ssda903Context(endYear - 1).year;
  const previousFiles =
    previousDir === undefined ? undefined : findSsda903Files(previousDir, previousYear, warnings);
  const bytes =
    totalBytes(dir, files) + (previousDir && previousFiles ? totalBytes(previousDir, previousFiles) : 0);
  if (bytes > MAX_RETURN_BYTES) {
    throw new ReturnFileError(
      dir,
      undefined,
      `the CSV files total ${String(Math.round(bytes / 1024 / 1024))} MB, more than the ${String(MAX_RETURN_BYTES / 1024 / 1024)} MB limit; an SSDA903 return is a few MB — is this the right directory?`,
    );
  }
  const current = await readReturn(dir, files, context.year);
  const previous =
    previousDir && previousFiles ? await readReturn(previousDir, previousFiles, previousYear) : undefined;
  const children: Child903[] = [];
  for (const [id, tables] of current) {
    const last = previous?.get(id);
    children.push(last ? { id, tables, previous: last } : { id, tables });
  }
  return { context, children, files, previousFiles, warnings };
}
