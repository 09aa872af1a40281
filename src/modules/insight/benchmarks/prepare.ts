/**
 * Copies the DfE published tables that benchmarking needs into reference-data/dfe/ as .csv.gz,
 * keeping only the columns and rows the measures read (England and each local authority; regions are
 * left out). Run once when the DfE publishes a new year:
 *
 *   node src/modules/insight/benchmarks/prepare.ts ../shared/data/dfe
 *
 * The source files are the DfE's Explore Education Statistics releases as copied in
 * github.com/dfe-analytical-services/CSC_outcomes_and_enablers (data-raw/), Open Government Licence v3.0.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { BENCHMARK_DIR, SOURCE_FILES, type SourceFile } from './sources.ts';

type Record_ = Record<string, string>;

function readSource(dir: string, name: string): Record_[] {
  const text = readFileSync(join(dir, name), 'utf8').replace(/^\uFEFF/, '');
  return parse<Record_>(text, { columns: true, skip_empty_lines: true, relax_column_count: true });
}

/** Writes one trimmed copy; returns the number of rows kept. */
export function prepareFile(dir: string, source: SourceFile, outDir: string = BENCHMARK_DIR): number {
  const rows = readSource(dir, source.source);
  const kept = rows.filter(
    (row) =>
      (source.levels === 'none' ||
        row['geographic_level'] === 'National' ||
        row['geographic_level'] === 'Local authority') &&
      Object.entries(source.where ?? {}).every(([column, allowed]) => allowed.includes(row[column] ?? '')),
  );
  const out = stringify(
    kept.map((row) => source.columns.map((column) => row[column] ?? '')),
    { header: true, columns: [...source.columns] },
  );
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, source.file), gzipSync(out, { level: 9 }));
  return kept.length;
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '\0')) {
  const dir = process.argv[2] ?? '../shared/data/dfe';
  for (const source of SOURCE_FILES) {
    const count = prepareFile(dir, source);
    process.stdout.write(`${source.file}: ${String(count)} rows\n`);
  }
}
