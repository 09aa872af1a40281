import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsvLine, readCsv, type CsvRecord } from './csv.ts';

const temp = mkdtempSync(join(tmpdir(), 'hearth-csv-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

async function records(name: string, content: string | Buffer): Promise<CsvRecord[]> {
  const path = join(temp, name);
  writeFileSync(path, content);
  const all: CsvRecord[] = [];
  for await (const record of readCsv(path)) all.push(record);
  return all;
}

describe('CSV reading for reference data', () => {
  it('splits fields, honouring quotes, commas and doubled quotes inside them', () => {
    expect(parseCsvLine('AL1 1AA,E01023743,514600,206900')).toEqual([
      'AL1 1AA',
      'E01023743',
      '514600',
      '206900',
    ]);
    expect(parseCsvLine('"E01012756","Kingston upon Hull, City of",5,""')).toEqual([
      'E01012756',
      'Kingston upon Hull, City of',
      '5',
      '',
    ]);
    expect(parseCsvLine('"say ""hello""",x')).toEqual(['say "hello"', 'x']);
    expect(parseCsvLine('"still open,x')).toBeUndefined();
  });

  it('numbers rows as lines of the file, header first, through a byte-order mark, CRLF and quoted line breaks', async () => {
    const text = '\uFEFFa,b\r\n1,"two\r\nlines"\r\n\r\n3,4\r\n';
    expect(await records('plain.csv', text)).toEqual([
      { row: 1, fields: ['a', 'b'] },
      { row: 2, fields: ['1', 'two\nlines'] },
      { row: 5, fields: ['3', '4'] },
    ]);
  });

  it('reads gzipped files, recognised by their content whatever their name', async () => {
    expect(await records('data.csv', gzipSync('a,b\n1,2\n'))).toEqual([
      { row: 1, fields: ['a', 'b'] },
      { row: 2, fields: ['1', '2'] },
    ]);
  });

  it('reports a quote that is never closed instead of swallowing the rest of the file', async () => {
    const lines = ['a,b', '"1,2', ...Array.from({ length: 30 }, (_, i) => `${i},x`)];
    const all = await records('stray.csv', lines.join('\n'));
    expect(all[1]).toEqual({ row: 2, problem: 'a quoted field is never closed' });
    expect(all.at(-1)).toEqual({ row: 32, fields: ['29', 'x'] });
  });
});
