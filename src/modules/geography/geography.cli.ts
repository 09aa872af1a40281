import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { DbHandle } from '../../db/connect.ts';
import {
  loadLsoas,
  loadPostcodeFile,
  loadReferenceGeography,
  recordedLoad,
  ReferenceDataError,
  type Dataset,
  type DatasetOutcome,
  type LoadEvent,
  type RowProblem,
} from './geography.service.ts';

/** The `hearth load-geography` and `hearth load-postcodes` commands, and the progress shown by `npm start`. */

const NOUN: Record<Dataset, string> = { lsoa21: 'neighbourhoods (LSOA 2021)', postcodes: 'postcodes' };
const ONE: Record<Dataset, string> = { lsoa21: 'neighbourhood (LSOA 2021)', postcodes: 'postcode' };

const counted = (dataset: Dataset, rows: number) =>
  `${rows.toLocaleString('en-GB')} ${(rows === 1 ? ONE : NOUN)[dataset]}`;

/** Where to print: a terminal gets one progress line updated in place, a log a line every 25%. */
export type Output = { write(text: string): unknown; readonly isTTY?: boolean };
export type Io = { readonly out: Output; readonly err: Output };

const processIo: Io = { out: process.stdout, err: process.stderr };

export function progressPrinter(out: Output): (event: LoadEvent) => void {
  let lastQuarter = 0;
  return (event) => {
    const count = (rows: number) => counted(event.dataset, rows);
    switch (event.kind) {
      case 'start':
        lastQuarter = 0;
        out.write(`Loading ${NOUN[event.dataset]} from ${event.file}${out.isTTY ? '' : '\n'}`);
        break;
      case 'progress': {
        const percent = Math.min(100, Math.floor(event.fraction * 100));
        if (out.isTTY) {
          out.write(`\r\x1b[K  ${String(percent).padStart(3)}%  ${count(event.rows)}`);
        } else if (Math.floor(percent / 25) > lastQuarter) {
          lastQuarter = Math.floor(percent / 25);
          out.write(`  ${percent}%  ${count(event.rows)}\n`);
        }
        break;
      }
      case 'done':
        out.write(
          `${out.isTTY ? '\r\x1b[K' : ''}  Loaded ${count(event.rows)} in ${event.seconds.toFixed(1)} s\n`,
        );
        break;
    }
  };
}

/** "NSPL.csv, row 17, pcds: “ZZ9” is not a valid postcode" */
export function describeProblem(problem: RowProblem): string {
  return `${problem.file}, row ${problem.row}, ${problem.field}: ${problem.message}`;
}

function describeOutcome(dataset: Dataset, outcome: DatasetOutcome): string | undefined {
  const rows = counted(dataset, outcome.rows);
  if (outcome.status === 'current')
    return `${rows}: already loaded from ${outcome.source.split(' ')[0] ?? ''}`;
  if (outcome.status === 'kept')
    return `${rows} from ${outcome.source.split(' ')[0] ?? ''} kept (add --force to replace them with the shipped ones)`;
  return undefined;
}

export async function loadGeographyCommand(
  handle: DbHandle,
  args: string[],
  io: Io = processIo,
): Promise<number> {
  const { values } = parseArgs({ args, options: { force: { type: 'boolean' } } });
  const result = await loadReferenceGeography(handle, {
    force: values.force ?? false,
    onProgress: progressPrinter(io.out),
  });
  for (const dataset of ['lsoa21', 'postcodes'] as const) {
    const line = describeOutcome(dataset, result[dataset]);
    if (line) io.out.write(`${line}\n`);
  }
  return 0;
}

export async function loadPostcodesCommand(
  handle: DbHandle,
  args: string[],
  io: Io = processIo,
): Promise<number> {
  const { values } = parseArgs({ args, options: { file: { type: 'string' }, force: { type: 'boolean' } } });
  if (!values.file || !existsSync(values.file)) {
    io.err.write(
      'load-postcodes needs --file PATH of an ONS postcode lookup: an NSPL or ONSPD .csv (or .csv.gz) file\n',
    );
    return 1;
  }
  const onProgress = progressPrinter(io.out);
  // Postcodes are checked against the neighbourhoods, so those must be there first.
  if (!(await recordedLoad(handle.db, 'lsoa21'))) await loadLsoas(handle, { onProgress });
  try {
    const outcome = await loadPostcodeFile(handle, values.file, { force: values.force ?? false, onProgress });
    if (outcome.status === 'current') {
      io.out.write(`${describeOutcome('postcodes', outcome) ?? ''} (add --force to load it again)\n`);
      return 0;
    }
    const skipped = [
      outcome.outsideEngland ? `${outcome.outsideEngland.toLocaleString('en-GB')} outside England` : '',
      outcome.withoutNeighbourhood
        ? `${outcome.withoutNeighbourhood.toLocaleString('en-GB')} with no 2021 neighbourhood`
        : '',
    ].filter(Boolean);
    if (skipped.length) io.out.write(`Not loaded: ${skipped.join(', ')}.\n`);
    io.out.write(
      'Start-up keeps these postcodes; `npx hearth load-geography --force` goes back to the shipped ones.\n',
    );
    return 0;
  } catch (error) {
    if (!(error instanceof ReferenceDataError)) throw error;
    if (io.out.isTTY) io.out.write('\n'); // end the progress line
    for (const problem of error.problems) io.err.write(`${describeProblem(problem)}\n`);
    const more = error.problemCount - error.problems.length;
    if (more > 0) io.err.write(`… and ${more.toLocaleString('en-GB')} more bad rows not listed\n`);
    io.err.write(`${error.message}. Fix the rows listed and run the command again.\n`);
    return 1;
  }
}
