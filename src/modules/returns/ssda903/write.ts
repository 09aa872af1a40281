/**
 * Writes an SSDA903 return as a directory of CSV files from a stream of children: the inverse of
 * `read.ts`. One file per table of the collection year (`Header.csv`, `Episodes.csv`, …, `DoLo.csv`
 * from 2026-27), each with the exact header row of `SSDA903_COLUMNS`, even when it has no rows.
 * Values are written as given (dates stay `dd/mm/YYYY` as the caller wrote them; blank cells are
 * empty); cells holding a comma, quote or line break are quoted. Rows of a table the year does not
 * have (DoLo before 2026-27) and values of columns the table does not have are not written.
 *
 * Children may come from an array or an async generator; each file's back-pressure is respected,
 * so memory stays at one child whatever the size of the return.
 */
import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { join } from 'node:path';
import {
  SSDA903_COLUMNS,
  ssda903CollectionYear,
  ssda903Tables,
  type Child903,
  type Row,
  type Ssda903Table,
  type Ssda903Tables,
} from './model.ts';

const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: string | undefined): string {
  if (value === undefined) return '';
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function csvLine(columns: readonly string[], row: Row): string {
  return columns.map((c) => csvCell(row.values[c])).join(',') + '\n';
}

const FLUSH_AT = 64 * 1024;

type Output = {
  table: Ssda903Table;
  columns: readonly string[];
  stream: WriteStream;
  buffer: string;
  rows: number;
};

async function flush(out: Output): Promise<void> {
  if (out.buffer === '') return;
  const text = out.buffer;
  out.buffer = '';
  if (!out.stream.write(text)) await once(out.stream, 'drain');
}

/** The collection year (`2025-26`) from an end year (2026) or a collection year. */
function collectionYear(year: number | string): string {
  return typeof year === 'number' ? ssda903CollectionYear(year) : year;
}

/**
 * Write every table of the year into `dir` (created if missing; existing files of the same names
 * are replaced). `children` yields either `Child903` values (their `tables` are written — to write
 * last year's return, map each child to its `previous`) or bare `Ssda903Tables`. `year` is the end
 * year (2026) or the collection year (`2025-26`). Returns the number of rows written per file.
 */
export async function write903(
  dir: string,
  children: Iterable<Child903 | Ssda903Tables> | AsyncIterable<Child903 | Ssda903Tables>,
  year: number | string,
): Promise<Partial<Record<Ssda903Table, number>>> {
  mkdirSync(dir, { recursive: true });
  const outputs: Output[] = ssda903Tables(collectionYear(year)).map((table) => {
    const columns = SSDA903_COLUMNS[table];
    return {
      table,
      columns,
      stream: createWriteStream(join(dir, `${table}.csv`), { encoding: 'utf8' }),
      buffer: columns.join(',') + '\n',
      rows: 0,
    };
  });
  try {
    for await (const item of children) {
      const tables: Ssda903Tables = 'tables' in item ? item.tables : item;
      for (const out of outputs) {
        const rows = tables[out.table] as Row[] | undefined;
        if (!rows) continue;
        for (const r of rows) out.buffer += csvLine(out.columns, r);
        out.rows += rows.length;
        if (out.buffer.length >= FLUSH_AT) await flush(out);
      }
    }
    for (const out of outputs) await flush(out);
  } finally {
    for (const out of outputs) out.stream.end();
    await Promise.all(outputs.map((out) => finished(out.stream)));
  }
  return Object.fromEntries(outputs.map((o) => [o.table, o.rows]));
}
