/**
 * `hearth validate cin FILE.xml --year 2026 [--csv OUT.csv]` and
 * `hearth validate ssda903 DIR --year 2026 [--previous DIR] [--csv OUT.csv]`: check a return
 * against the DfE rules without a database. Prints the issues as a table; exit code 0 when there
 * is no ERROR (queries allowed), 1 when there is at least one, 2 when the input cannot be read or
 * the command is wrong (the reason on stderr), 3 when validation itself failed.
 */
import { parseArgs } from 'node:util';
import { ReturnFileError } from './errors.ts';
import { CIN_YEARS, SSDA903_YEARS } from './reference/rule-files.ts';
import { IssueCsvWriter, formatReport } from './report.ts';
import type { ValidationReport } from './validate.ts';

export const VALIDATE_HELP = `  validate cin FILE.xml --year YYYY [--csv OUT.csv] [--limit N]
  validate ssda903 DIR --year YYYY [--previous DIR] [--la CODE] [--no-postcodes] [--csv OUT.csv] [--limit N]
                                  Check a CIN census XML file, or a directory of SSDA903 CSV files
                                  (Header.csv, Episodes.csv, ...), against the DfE rules of the year
                                  ending 31 March YYYY. --previous: last year's SSDA903 files, for the
                                  rules that compare years. --la: the council's LA code (E10000015),
                                  for the placement location (IN/OUT). The distance and LA of each
                                  placement are worked out from the shipped postcode file;
                                  --no-postcodes: do not (those rules then check the postcodes only).
                                  --csv: write every issue to a CSV file.
                                  --limit: issues listed on screen (default 200). No database needed.
                                  Exit code 0: no errors (queries allowed); 1: errors; 2: unreadable
                                  input or wrong arguments; 3: validation failed`;

const USAGE = `Usage: npx hearth validate cin FILE.xml --year YYYY [--csv OUT.csv] [--limit N]
       npx hearth validate ssda903 DIR --year YYYY [--previous DIR] [--la CODE] [--no-postcodes]
                                   [--csv OUT.csv] [--limit N]`;

function usage(message: string): number {
  console.error(`${message}\n\n${USAGE}`);
  return 2;
}

/** Collection years `2025-26` → end years `2026`. */
function endYears(years: readonly string[]): number[] {
  return years.map((y) => Number(y.slice(0, 4)) + 1);
}

export async function validateCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        year: { type: 'string' },
        previous: { type: 'string' },
        csv: { type: 'string' },
        limit: { type: 'string' },
        la: { type: 'string' },
        'no-postcodes': { type: 'boolean' },
      },
    });
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [kind, input, ...extra] = positionals;
  if (kind !== 'cin' && kind !== 'ssda903')
    return usage('Say which return: validate cin … or validate ssda903 …');
  if (input === undefined)
    return usage(kind === 'cin' ? 'Give the census XML file.' : 'Give the directory of CSV files.');
  if (extra.length > 0) return usage(`Unexpected argument: ${extra.join(' ')}`);
  const supported = endYears(kind === 'cin' ? CIN_YEARS : SSDA903_YEARS);
  const year = Number(values.year);
  if (values.year === undefined || !Number.isInteger(year) || !supported.includes(year)) {
    return usage(
      `--year must be the year the return ends (31 March), one of ${supported.join(', ')}` +
        (values.year === undefined ? '.' : `, not "${values.year}".`),
    );
  }
  if (kind === 'cin' && values.previous !== undefined) return usage('--previous is only for ssda903.');
  if (kind === 'cin' && (values.la !== undefined || values['no-postcodes'] === true))
    return usage('--la and --no-postcodes are only for ssda903.');
  if (values.la !== undefined && !/^E\d{8}$/.test(values.la))
    return usage(`--la must be a local authority code such as E10000015, not "${values.la}".`);
  const limit = values.limit === undefined ? 200 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 0) return usage('--limit must be a whole number.');

  let csv: IssueCsvWriter | undefined;
  try {
    csv = values.csv === undefined ? undefined : new IssueCsvWriter(values.csv);
  } catch {
    console.error(`Cannot write the CSV file ${values.csv ?? ''}.`);
    return 2;
  }
  const progress = process.stderr.isTTY
    ? (n: number): void => {
        process.stderr.write(`\rChecked ${String(n)} children…`);
      }
    : undefined;
  let report: ValidationReport;
  try {
    // Loaded here so that other commands do not load every rule.
    const { validateCin, validateSsda903 } = await import('./validate.ts');
    report =
      kind === 'cin'
        ? await validateCin(input, year, progress, csv?.add)
        : await validateSsda903(input, year, values.previous, progress, csv?.add, {
            la: values.la,
            ...(values['no-postcodes'] === true ? { postcodes: false } : {}),
          });
  } catch (error) {
    if (progress) process.stderr.write('\n');
    if (error instanceof ReturnFileError) {
      console.error(`Cannot read the return: ${error.message}`);
      return 2;
    }
    console.error(`Validation failed: ${error instanceof Error ? error.message : String(error)}`);
    return 3;
  } finally {
    csv?.close();
  }
  if (progress) process.stderr.write('\n');
  process.stdout.write(formatReport(report, { width: process.stdout.columns, limit }));
  if (csv && values.csv !== undefined) {
    console.log(`All ${String(csv.count)} issues written to ${values.csv}.`);
  }
  return report.errors > 0 ? 1 : 0;
}
