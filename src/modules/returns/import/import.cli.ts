/**
 * `npx hearth import cin FILE.xml [FILE.xml…] [--dry-run]` and
 * `npx hearth import ssda903 --year 2026 DIR [--year 2025 DIR…] [--dry-run]`: past returns loaded
 * into Hearth's tables (see import.ts). Prints the report — rows created, updated and unchanged per
 * file and table, then every problem by file, row and field — and exits 1 when there is a problem
 * (nothing is written), 2 on bad usage.
 */
import type { Kysely } from 'kysely';
import type { DbHandle } from '../../../db/connect.ts';
import type { Database } from '../../../db/database.ts';
import { planImport, runImport, type ImportRequest } from './import.ts';
import type { ImportReport } from './model.ts';

export type Output = { write(text: string): unknown };
export type Io = { readonly out: Output; readonly err: Output };
export type Open = <T>(work: (handle: DbHandle) => Promise<T>) => Promise<T>;

export const IMPORT_HELP = `  import cin FILE.xml [FILE.xml ...] [--dry-run] [--organisation O]
                                  Load past CIN census files into the record (all or nothing)
  import ssda903 --year YYYY DIR [--year YYYY DIR ...] [--dry-run] [--organisation O]
                                  Load past SSDA903 returns (a directory of CSV files per year)`;

class UsageError extends Error {}

type Parsed = {
  dryRun: boolean;
  organisation: string | undefined;
  cin: string[];
  ssda903: { dir: string; year: number }[];
};

function parse(which: string | undefined, args: readonly string[]): Parsed {
  if (which !== 'cin' && which !== 'ssda903')
    throw new UsageError(`Which return? Use one of:\n${IMPORT_HELP}`);
  const parsed: Parsed = { dryRun: false, organisation: undefined, cin: [], ssda903: [] };
  let year: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--dry-run') parsed.dryRun = true;
    else if (arg === '--organisation') {
      parsed.organisation = args[++i];
      if (parsed.organisation === undefined)
        throw new UsageError('--organisation needs a name, LA code or id');
    } else if (arg === '--year') {
      const value = args[++i];
      year = Number(value);
      if (value === undefined || !Number.isInteger(year) || year < 2000 || year > 2100)
        throw new UsageError('--year must be the year the return ends in, e.g. --year 2026');
      if (which === 'cin') throw new UsageError('a CIN census file names its own year: give the files only');
    } else if (arg.startsWith('--')) throw new UsageError(`Unknown option ${arg}`);
    else if (which === 'cin') parsed.cin.push(arg);
    else {
      if (year === undefined) throw new UsageError(`give the year before each directory: --year 2026 ${arg}`);
      parsed.ssda903.push({ dir: arg, year });
      year = undefined;
    }
  }
  if (parsed.cin.length === 0 && parsed.ssda903.length === 0)
    throw new UsageError(which === 'cin' ? 'give at least one CIN census file' : 'give --year YYYY DIR');
  return parsed;
}

async function organisationOf(db: Kysely<Database>, given: string | undefined): Promise<string> {
  let query = db.selectFrom('organisations').select('id').where('kind', '=', 'local_authority');
  if (given !== undefined)
    query = /^[0-9a-f-]{36}$/i.test(given)
      ? query.where('id', '=', given)
      : query.where((eb) => eb.or([eb('name', '=', given), eb('la_code', '=', given)]));
  const found = await query.limit(2).execute();
  if (found.length === 1 && found[0]) return found[0].id;
  if (given !== undefined) throw new UsageError(`No council called or coded “${given}”`);
  throw new UsageError(
    found.length === 0 ? 'No council exists yet' : 'There are several councils: name one with --organisation',
  );
}

const pad = (n: number) => String(n).padStart(8);

/** The report as text: counts per file and table, skipped rows, then every problem. */
export function formatReport(report: ImportReport, dryRun: boolean): string {
  const lines: string[] = [];
  const verb = dryRun || !report.applied ? 'would be' : 'were';
  for (const f of report.files) {
    lines.push(
      `${f.file} (${f.kind === 'cin' ? 'CIN census' : 'SSDA903'} ${String(f.year)}): ${String(f.children)} children`,
    );
    lines.push(
      `  ${'table'.padEnd(24)} ${'created'.padStart(8)} ${'updated'.padStart(8)} ${'unchanged'.padStart(9)}`,
    );
    for (const [table, c] of Object.entries(f.tables).sort(([a], [b]) => a.localeCompare(b)))
      lines.push(
        `  ${table.padEnd(24)} ${pad(c.created)} ${pad(c.updated)} ${String(c.unchanged).padStart(9)}`,
      );
    for (const [what, n] of Object.entries(f.skipped))
      lines.push(
        `  not imported: ${String(n)} ${what} row${n === 1 ? '' : 's'} (see docs/returns/import.md)`,
      );
  }
  for (const w of report.warnings) lines.push(`warning: ${w}`);
  if (report.problems.length > 0) {
    lines.push(
      `${String(report.problems.length)} problem${report.problems.length === 1 ? '' : 's'}: nothing was written.`,
    );
    for (const p of report.problems)
      lines.push(
        `  ${p.file}${p.row === undefined ? '' : ` row ${String(p.row)}`}${p.child ? ` child ${p.child}` : ''}: ${p.field} ${p.message}`,
      );
  } else {
    lines.push(dryRun ? `Dry run: these rows ${verb} written; nothing was.` : 'Imported.');
  }
  return lines.join('\n') + '\n';
}

export async function importCommand(
  args: readonly string[],
  open: Open,
  io: Io = { out: process.stdout, err: process.stderr },
): Promise<number> {
  const [which, ...rest] = args;
  try {
    const parsed = parse(which, rest);
    return await open(async ({ db }) => {
      const request: ImportRequest = {
        organisationId: await organisationOf(db, parsed.organisation),
        cin: parsed.cin,
        ssda903: parsed.ssda903,
        actorUserId: null,
      };
      const report = parsed.dryRun ? await planImport(db, request) : await runImport(db, request);
      io.out.write(formatReport(report, parsed.dryRun));
      return report.problems.length > 0 ? 1 : 0;
    });
  } catch (error) {
    if (error instanceof UsageError) {
      io.err.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
