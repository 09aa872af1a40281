/**
 * A return file that cannot be read at all (not XML, not a CIN census, wrong year, a missing or
 * malformed CSV file, too large): validation cannot start, so the command stops with this message.
 * Problems in the data itself are never errors of this kind; they are rule findings.
 */
export class ReturnFileError extends Error {
  override readonly name = 'ReturnFileError';

  /** The file (or directory) the problem is in, as the user named it. */
  readonly file: string;
  /** The 1-based line of the problem, when there is one. */
  readonly line: number | undefined;
  /** What is wrong, in plain English, without the file name. */
  readonly detail: string;

  constructor(file: string, line: number | undefined, detail: string) {
    super(`${file}${line === undefined ? '' : ` (line ${String(line)})`}: ${detail}`);
    this.file = file;
    this.line = line;
    this.detail = detail;
  }
}

/** File signatures of common non-text formats, to say what a wrongly named file actually is. */
const SIGNATURES: readonly [number[], string][] = [
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
  [[0xff, 0xd8, 0xff], 'a JPEG image'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document'],
  [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive or an Excel/Word file'],
  [[0x1f, 0x8b], 'a gzip-compressed file'],
  [[0xd0, 0xcf, 0x11, 0xe0], 'an old-style Excel/Word file'],
  [[0xff, 0xfe], 'UTF-16 text (save it as UTF-8)'],
  [[0xfe, 0xff], 'UTF-16 text (save it as UTF-8)'],
];

/**
 * Why the first bytes of a file show it is not UTF-8 text, or undefined when they look like text.
 * `expected` names what the file should have been (`an XML file`, `a CSV file`).
 */
export function notTextReason(head: Uint8Array, expected: string): string | undefined {
  for (const [signature, kind] of SIGNATURES) {
    if (signature.every((b, i) => head[i] === b)) return `this is not ${expected}: it looks like ${kind}`;
  }
  if (head.includes(0)) return `this is not ${expected}: it holds binary data`;
  // Cut a possibly split multi-byte character at the end before checking the encoding.
  let end = head.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const byte = head[end - back] ?? 0;
    if ((byte & 0xc0) === 0xc0) {
      end -= back;
      break;
    }
    if ((byte & 0x80) === 0) break;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end));
  } catch {
    return `this is not ${expected}: it is not UTF-8 text`;
  }
  return undefined;
}
