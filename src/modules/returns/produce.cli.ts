/**
 * `npx hearth returns cin --year 2026 --out FILE.xml`, `npx hearth returns ssda903 --year 2026
 * --out DIR` and `npx hearth returns annex-a --year 2026 --out FILE.xlsx`: the statutory returns
 * (and Ofsted's Annex A lists) produced from the records. Progress (children written so far)
 * goes to stderr, the summary to stdout; bad input gives a clear message and exit code 2, checked
 * before anything is read or written.
 */
import { createWriteStream, writeFileSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import type { Kysely } from 'kysely';
import type { DbHandle } from '../../db/connect.ts';
import type { Database } from '../../db/database.ts';
import { annexAWorkbook } from './annex-a/produce.ts';
import { cinChildren, cinHeader } from './cin/produce.ts';
import { writeCin } from './cin/write.ts';
import { ssda903Children } from './ssda903/produce.ts';
import type { Child903 } from './ssda903/model.ts';
import { write903 } from './ssda903/write.ts';
import { dayOf, dayToUk } from './validation/dates.ts';

export type Output = { write(text: string): unknown };
export type Io = { readonly out: Output; readonly err: Output };
export type Open = <T>(work: (handle: DbHandle) => Promise<T>) => Promise<T>;

export const RETURNS_PRODUCE_HELP = `  returns cin --year YYYY --out FILE.xml [--lea NNN] [--organisation ID] [--serial 001]
                                  Produce the CIN census for the year ending 31 March YYYY
  returns ssda903 --year YYYY --out DIR [--organisation ID]
                                  Produce the SSDA903 files (one CSV per table) for the year
  returns annex-a --year YYYY --out FILE.xlsx [--organisation ID]
                                  Produce Ofsted's Annex A lists as at 31 March YYYY (or today, if sooner)`;

class UsageError extends Error {}

function parse(args: readonly string[]) {
  const { values } = parseArgs({
    args: [...args],
    options: {
      year: { type: 'string' },
      out: { type: 'string' },
      lea: { type: 'string' },
      organisation: { type: 'string' },
      serial: { type: 'string' },
    },
  });
  const year = Number(values.year);
  if (values.year === undefined || !Number.isInteger(year) || year < 2000 || year > 2100)
    throw new UsageError('--year must be the year the return ends in, e.g. --year 2026');
  if (!values.out) throw new UsageError('--out is required');
  if (values.lea !== undefined && !/^\d{3}$/.test(values.lea))
    throw new UsageError('--lea must be the three-digit DfE LA number, e.g. --lea 826');
  if (values.serial !== undefined && !/^\d{3,}$/.test(values.serial))
    throw new UsageError('--serial must be three or more digits, e.g. --serial 001');
  return { year, out: values.out, lea: values.lea, organisation: values.organisation, serial: values.serial };
}

/** The one council in the database when none is named (a database may hold several). */
async function organisationOf(db: Kysely<Database>, given: string | undefined): Promise<string | undefined> {
  if (given !== undefined) {
    const found = await db
      .selectFrom('organisations')
      .select('id')
      .where((eb) => eb.or([eb('name', '=', given), eb('la_code', '=', given)]))
      .executeTakeFirst();
    if (found) return found.id;
    if (/^[0-9a-f-]{36}$/i.test(given)) return given;
    throw new UsageError(`No council called or coded “${given}”`);
  }
  const councils = await db
    .selectFrom('organisations')
    .select('id')
    .where('kind', '=', 'local_authority')
    .limit(2)
    .execute();
  return councils.length === 1 ? councils[0]?.id : undefined;
}

/** Counts children as they pass, printing a line every `every` children. */
async function* counted<T>(items: AsyncIterable<T>, err: Output, every = 1000): AsyncGenerator<T> {
  let n = 0;
  for await (const item of items) {
    n += 1;
    if (n % every === 0) err.write(`${n.toLocaleString('en-GB')} children written\n`);
    yield item;
  }
}

export async function returnsProduceCommand(
  args: readonly string[],
  open: Open,
  io: Io = { out: process.stdout, err: process.stderr },
  now: () => Date = () => new Date(),
): Promise<number> {
  const [which, ...rest] = args;
  try {
    if (which !== 'cin' && which !== 'ssda903' && which !== 'annex-a')
      throw new UsageError(`Which return? Use one of:\n${RETURNS_PRODUCE_HELP}`);
    const options = parse(rest);
    return await open(async ({ db }) => {
      const organisationId = await organisationOf(db, options.organisation);
      const started = performance.now();
      if (which === 'annex-a') {
        if (organisationId === undefined)
          throw new UsageError('Which council? Give --organisation (its name, ONS code or id).');
        const today = now();
        const asAt = Math.min(
          dayOf(options.year, 3, 31),
          dayOf(today.getUTCFullYear(), today.getUTCMonth() + 1, today.getUTCDate()),
        );
        const workbook = await annexAWorkbook(db, { organisationId, asAt });
        writeFileSync(options.out, workbook.bytes);
        io.out.write(
          `Ofsted Annex A as at ${dayToUk(asAt)}: lists 1-11 with ${workbook.rowsPerList.join(', ')} rows ` +
            `written to ${options.out} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
        );
        return 0;
      }
      if (which === 'cin') {
        const header = await cinHeader(db, {
          censusYear: options.year,
          organisationId,
          lea: options.lea,
          serialNo: options.serial,
          now: now(),
        });
        if (header.LEA === undefined)
          io.err.write('No DfE LA number is recorded for the council: give it with --lea NNN.\n');
        const stream = createWriteStream(options.out, { encoding: 'utf8' });
        const children = await writeCin(
          header,
          counted(cinChildren(db, { censusYear: options.year, organisationId }), io.err),
          stream,
        );
        stream.end();
        await finished(stream);
        io.out.write(
          `CIN census ${String(options.year)}: ${children.toLocaleString('en-GB')} children written to ${options.out} ` +
            `in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
        );
        return 0;
      }
      let children = 0;
      async function* tally(items: AsyncIterable<Child903>): AsyncGenerator<Child903> {
        for await (const c of items) {
          children += 1;
          yield c;
        }
      }
      const rows = await write903(
        options.out,
        tally(counted(ssda903Children(db, { year: options.year, organisationId }), io.err)),
        options.year,
      );
      const files = Object.entries(rows)
        .map(([table, n]) => `  ${`${table}.csv`.padEnd(20)} ${String(n).padStart(8)} rows`)
        .join('\n');
      io.out.write(
        `SSDA903 ${String(options.year - 1)}-${String(options.year % 100).padStart(2, '0')}: ` +
          `${children.toLocaleString('en-GB')} children written to ${options.out} ` +
          `in ${((performance.now() - started) / 1000).toFixed(1)} s\n${files}\n`,
      );
      return 0;
    });
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error)) {
      io.err.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
