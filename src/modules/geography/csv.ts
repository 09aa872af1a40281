import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/**
 * A streaming reader for the CSV files of reference data: plain or gzipped (detected by the file's
 * first bytes), RFC 4180 quoting (commas, doubled quotes and line breaks inside quotes), CRLF or LF.
 * Files of millions of rows are read line by line, never held in memory whole.
 */

/** One record: `row` is its line number in the file, the header being row 1. */
export type CsvRecord =
  { readonly row: number; readonly fields: string[] } | { readonly row: number; readonly problem: string };

function isGzip(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const magic = Buffer.alloc(2);
    return readSync(fd, magic, 0, 2, 0) === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** The fields of one record, or undefined while a quoted field is still open (it continues on the next line). */
export function parseCsvLine(line: string): string[] | undefined {
  if (!line.includes('"')) return line.split(',');
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < line.length) {
    const char = line.charAt(i);
    if (quoted) {
      if (char === '"') {
        if (line[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',') {
      fields.push(field);
      field = '';
    } else {
      field += char;
    }
    i += 1;
  }
  if (quoted) return undefined;
  fields.push(field);
  return fields;
}

/** A stray quote must not swallow the rest of a file: no real record of reference data spans this many lines. */
const MAX_LINES_PER_RECORD = 20;

export type CsvProgress = (bytesRead: number, totalBytes: number) => void;

/**
 * Yields the file's records in batches, one batch for each chunk read (about a megabyte), header
 * included (row 1). Batches keep the cost per row low: millions of rows, one await per chunk.
 */
export async function* readCsvBatches(
  path: string,
  onBytes?: CsvProgress,
  /** Rows whose raw line fails this cheap test are passed over unparsed (the header never is). */
  keep?: (line: string) => boolean,
): AsyncGenerator<CsvRecord[]> {
  const totalBytes = statSync(path).size;
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  const source: Readable = isGzip(path) ? file.pipe(createGunzip({ chunkSize: 1 << 20 })) : file;
  file.on('error', (error) => source.destroy(error));
  source.setEncoding('utf8');
  let lineNumber = 0;
  let pending = '';
  let pendingRow = 0;
  let rest = '';
  const take = (raw: string, out: CsvRecord[]) => {
    lineNumber += 1;
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (lineNumber === 1 && line.startsWith('\uFEFF')) line = line.slice(1);
    if (pending) {
      pending += `\n${line}`;
    } else {
      if (line === '' || (keep && lineNumber > 1 && !keep(line))) return;
      pending = line;
      pendingRow = lineNumber;
    }
    const fields = parseCsvLine(pending);
    if (fields === undefined) {
      if (lineNumber - pendingRow < MAX_LINES_PER_RECORD) return;
      out.push({ row: pendingRow, problem: 'a quoted field is never closed' });
    } else {
      out.push({ row: pendingRow, fields });
    }
    pending = '';
  };
  try {
    for await (const chunk of source as AsyncIterable<string>) {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      const out: CsvRecord[] = [];
      for (const line of lines) take(line, out);
      onBytes?.(file.bytesRead, totalBytes);
      if (out.length > 0) yield out;
    }
    const out: CsvRecord[] = [];
    if (rest) take(rest, out);
    if (pending) out.push({ row: pendingRow, problem: 'a quoted field is never closed' });
    if (out.length > 0) yield out;
  } finally {
    source.destroy();
    file.destroy();
  }
}

/** Yields every record of the file, header included (row 1), with its line number. */
export async function* readCsv(path: string, onBytes?: CsvProgress): AsyncGenerator<CsvRecord> {
  for await (const batch of readCsvBatches(path, onBytes)) yield* batch;
}
