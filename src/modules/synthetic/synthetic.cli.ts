import { parseArgs } from 'node:util';
import type { DbHandle } from '../../db/connect.ts';
import { progressPrinter } from '../geography/geography.cli.ts';
import { loadReferenceGeography, recordedLoad } from '../geography/geography.service.ts';
import {
  checkPreconditions,
  findAuthority,
  generateAuthority,
  generateEngland,
  resolveOptions,
  SeedInputError,
  type GenerateOptions,
  type GenerateProgress,
  type GenerateSummary,
  type SeedMode,
} from './authority.ts';
import { formatReport, runCalibration } from './calibration.ts';
import { AUTHORITIES } from './reference.ts';

/**
 * `npx hearth seed` and `npx hearth calibration`. Bad input gives a clear message and exit code 2,
 * checked before anything is written; progress goes to stderr (one bar, redrawn, on a terminal;
 * a line every 10% otherwise) and the summary to stdout.
 */

export type Output = { write(text: string): unknown; readonly isTTY?: boolean };
export type Io = { readonly out: Output; readonly err: Output };
export type Open = <T>(work: (handle: DbHandle) => Promise<T>) => Promise<T>;

const processIo: Io = { out: process.stdout, err: process.stderr };

export const SEED_HELP = `  seed --la CODE|NAME [--years 10] [--seed 42] [--scale 1] [--reference-date 2026-03-31]
       [--append | --replace] [--variation national|authority] [--batch-rows N]
  seed --all-england [same options] [--only CODE,CODE…]
                                  Generate a synthetic authority (or all 153) with ten years of history
  calibration [--la CODE|NAME] [--reference-date YYYY-MM-DD]
                                  Compare the data with the national calibration targets; exit 1 on a miss`;

/** Lets "--scale -1" reach the scale check instead of failing as an ambiguous option. */
function joinNegativeNumbers(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    const next = args[i + 1];
    if (arg.startsWith('--') && !arg.includes('=') && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i += 1;
    } else {
      out.push(arg);
    }
  }
  return out;
}

function number(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed))
    throw new SeedInputError(`--${name} must be a number (got “${value}”).`);
  return parsed;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-GB');

function duration(seconds: number): string {
  if (seconds < 90) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 90
    ? `${minutes} min ${Math.round(seconds % 60)} s`
    : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Progress on stderr: a redrawn bar on a terminal, a line every 10% otherwise. */
export function seedProgress(err: Output): (event: GenerateProgress) => void {
  let started = performance.now();
  let lastTenth = -1;
  let lastDraw = 0;
  let name = '';
  return (event) => {
    if (event.kind === 'start') {
      started = performance.now();
      lastTenth = -1;
      name = `${event.laName} (${event.laCode})`;
      err.write(
        `Generating ${name}: about ${fmt(event.plannedChildren)} children over the window${err.isTTY ? '\n' : '\n'}`,
      );
      return;
    }
    if (event.kind === 'progress') {
      const percent = Math.floor(event.fraction * 100);
      const elapsed = (performance.now() - started) / 1000;
      const eta = event.fraction > 0.02 ? (elapsed / event.fraction) * (1 - event.fraction) : undefined;
      const text = `${String(percent).padStart(3)}%  ${fmt(event.childrenWritten)} children  ${fmt(event.rows)} rows  ${duration(elapsed)}${eta !== undefined ? `  about ${duration(eta)} left` : ''}`;
      if (err.isTTY) {
        const now = performance.now();
        if (now - lastDraw < 100 && event.fraction < 1) return;
        lastDraw = now;
        const width = 30;
        const filled = Math.round(event.fraction * width);
        err.write(`\r\x1b[K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`);
      } else if (Math.floor(percent / 10) > lastTenth) {
        lastTenth = Math.floor(percent / 10);
        err.write(`  ${text}\n`);
      }
      return;
    }
    if (err.isTTY) err.write('\n');
  };
}

export function describeSummary(summary: GenerateSummary): string {
  const s = summary;
  const rate = s.seconds > 0 ? s.children / s.seconds : 0;
  const top = Object.entries(s.rowsByTable)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([table, n]) => `${table} ${fmt(n)}`)
    .join(', ');
  return [
    `${s.laName} (${s.laCode}), run ${s.runNumber}: ${fmt(s.children)} children with their history (${fmt(s.childrenUnder18)} aged 0-17 on the reference date), ${fmt(s.people)} people in ${fmt(s.households)} households.`,
    `${fmt(s.rows)} rows in ${duration(s.seconds)} (${fmt(rate)} children a second)${s.replacedSeconds ? `, after deleting the earlier rows in ${duration(s.replacedSeconds)}` : ''}${s.staff ? `; ${fmt(s.staff)} staff accounts (no passwords: sign-in is set up separately)` : ''}.`,
    `Rows: ${top}.`,
  ].join('\n');
}

export async function seedCommand(args: readonly string[], open: Open, io: Io = processIo): Promise<number> {
  let options: GenerateOptions;
  let allEngland = false;
  let only: string[] | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: joinNegativeNumbers(args),
      allowPositionals: true,
      options: {
        la: { type: 'string' },
        years: { type: 'string' },
        seed: { type: 'string' },
        scale: { type: 'string' },
        'reference-date': { type: 'string' },
        'all-england': { type: 'boolean' },
        only: { type: 'string' },
        append: { type: 'boolean' },
        replace: { type: 'boolean' },
        variation: { type: 'string' },
        'batch-rows': { type: 'string' },
      },
    });
    if (positionals.length) throw new SeedInputError(`Unexpected argument “${positionals[0] ?? ''}”.`);
    allEngland = values['all-england'] ?? false;
    if (allEngland === (values.la !== undefined))
      throw new SeedInputError('Give either --la CODE (or name) or --all-england.');
    if (values.append && values.replace) throw new SeedInputError('Give --append or --replace, not both.');
    const mode: SeedMode = values.append ? 'append' : values.replace ? 'replace' : 'new';
    if (
      values.variation !== undefined &&
      values.variation !== 'national' &&
      values.variation !== 'authority'
    ) {
      throw new SeedInputError('--variation must be national or authority.');
    }
    const years = number(values.years, 'years');
    const scale = number(values.scale, 'scale');
    const batchRows = number(values['batch-rows'], 'batch-rows');
    options = {
      authority: values.la ?? AUTHORITIES[0]?.[0] ?? '',
      ...(values.seed !== undefined ? { seed: values.seed } : {}),
      ...(scale !== undefined ? { scale } : {}),
      ...(years !== undefined ? { years } : {}),
      ...(values['reference-date'] !== undefined ? { referenceDate: values['reference-date'] } : {}),
      ...(values.variation !== undefined ? { variation: values.variation } : {}),
      ...(batchRows !== undefined ? { batchRows } : {}),
      mode,
    };
    if (values.only !== undefined) {
      if (!allEngland) throw new SeedInputError('--only goes with --all-england.');
      only = values.only.split(',').map((code) => {
        const found = findAuthority(code);
        if (!found) throw new SeedInputError(`Unknown authority “${code}” in --only.`);
        return found.code;
      });
    }
    resolveOptions(options);
  } catch (error) {
    io.err.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  return open(async (handle) => {
    // PostgreSQL runs on its own cores: two batches written at once keep it busy while the next is made.
    // PGlite is fastest fed with COPY.
    if (options.writers === undefined) options = { ...options, writers: handle.kind === 'postgres' ? 2 : 1 };
    if (handle.pglite) options = { ...options, pglite: handle.pglite };
    try {
      if (!(await recordedLoad(handle.db, 'lsoa21')) || !(await recordedLoad(handle.db, 'postcodes'))) {
        io.err.write('Loading the reference geography first (once only).\n');
        await loadReferenceGeography(handle, { onProgress: progressPrinter(io.err) });
      }
      const progress = seedProgress(io.err);
      if (allEngland) {
        const codes = only ?? AUTHORITIES.map(([code]) => code);
        for (const code of codes)
          await checkPreconditions(handle.db, resolveOptions({ ...options, authority: code }));
        const started = performance.now();
        const summaries = await generateEngland(
          handle.db,
          options,
          (event) => {
            progress(event);
            if (event.kind === 'done') io.out.write(`${describeSummary(event.summary)}\n`);
          },
          codes,
        );
        const children = summaries.reduce((s, x) => s + x.children, 0);
        const rows = summaries.reduce((s, x) => s + x.rows, 0);
        const seconds = (performance.now() - started) / 1000;
        io.out.write(
          `\nAll ${summaries.length} authorities: ${fmt(children)} children, ${fmt(rows)} rows in ${duration(seconds)} (${fmt(children / seconds)} children a second).\n`,
        );
        return 0;
      }
      const summary = await generateAuthority(handle.db, options, progress);
      io.out.write(`${describeSummary(summary)}\n`);
      io.out.write(
        'Check it against the national figures with: npx hearth calibration --la ' + summary.laCode + '\n',
      );
      return 0;
    } catch (error) {
      if (error instanceof SeedInputError) {
        io.err.write(`${error.message}\n`);
        return 2;
      }
      throw error;
    }
  });
}

export async function calibrationCommand(
  args: readonly string[],
  open: Open,
  io: Io = processIo,
): Promise<number> {
  let laCode: string | undefined;
  let referenceDate: string | undefined;
  try {
    const { values } = parseArgs({
      args: [...args],
      options: { la: { type: 'string' }, 'reference-date': { type: 'string' } },
    });
    if (values.la !== undefined) {
      const found = findAuthority(values.la);
      if (!found) throw new SeedInputError(`Unknown authority “${values.la}”.`);
      laCode = found.code;
    }
    if (values['reference-date'] !== undefined) {
      resolveOptions({ authority: AUTHORITIES[0]?.[0] ?? '', referenceDate: values['reference-date'] });
      referenceDate = values['reference-date'];
    }
  } catch (error) {
    io.err.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  return open(async (handle) => {
    const report = await runCalibration(handle.db, {
      ...(laCode ? { laCode } : {}),
      ...(referenceDate ? { referenceDate } : {}),
    });
    if (report.authorities === 0 || report.children === 0) {
      io.err.write(
        `No generated children${laCode ? ` for ${laCode}` : ''} in this database: run \`npx hearth seed\` first.\n`,
      );
      return 2;
    }
    io.out.write(`${formatReport(report)}\n`);
    return report.failed > 0 ? 1 : 0;
  });
}
