import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Db, DbHandle } from '../../db/connect.ts';
import { normalisePostcode } from '../people/identifiers.ts';
import { readCsv, readCsvBatches } from './csv.ts';

/**
 * Reference geography: every 2021 neighbourhood (LSOA) in England with its deprivation, and every
 * English postcode with its neighbourhood. Loaded from the files in reference-data/ (shipped with
 * Hearth) or from a council's own ONS postcode lookup, set-based: COPY on PGlite; on PostgreSQL,
 * INSERT … SELECT over one large parameter per 100,000 rows. Each load checks every row, replaces a
 * whole dataset in one transaction (nothing changes if any row is bad), and is recorded in
 * reference_data_loads with the file's SHA-256, so loading the same file again is a no-op.
 */

/** The folder of shipped reference data, at the root of the repository. */
export const REFERENCE_DATA_DIR = fileURLToPath(new URL('../../../reference-data/', import.meta.url));
export const SHIPPED_FILES = {
  lsoa21: 'lsoa21_england.csv.gz',
  postcodes: 'postcodes_england.csv.gz',
} as const;
/** Recorded sources of shipped files start with this; a council's own file starts with "file:". */
const SHIPPED_PREFIX = 'reference-data/';

export type Dataset = 'lsoa21' | 'postcodes';

/** One problem in one row of a file: what an operator needs to find and fix it. */
export type RowProblem = {
  readonly file: string;
  readonly row: number;
  readonly field: string;
  readonly message: string;
};

/** At most this many problems are kept (all are counted): a wrong file can have millions. */
export const MAX_PROBLEMS_KEPT = 1000;

export class ReferenceDataError extends Error {
  readonly problems: readonly RowProblem[];
  readonly problemCount: number;
  constructor(file: string, problems: readonly RowProblem[], problemCount: number) {
    super(
      `${file} has ${problemCount.toLocaleString('en-GB')} bad ${problemCount === 1 ? 'row' : 'rows'}: nothing was loaded`,
    );
    this.name = 'ReferenceDataError';
    this.problems = problems;
    this.problemCount = problemCount;
  }
}

export type LoadEvent =
  | { readonly kind: 'start'; readonly dataset: Dataset; readonly file: string }
  | { readonly kind: 'progress'; readonly dataset: Dataset; readonly rows: number; readonly fraction: number }
  | { readonly kind: 'done'; readonly dataset: Dataset; readonly rows: number; readonly seconds: number };

export type DatasetOutcome = {
  /** loaded now; already current; or (postcodes) a council's own file kept in place of the shipped one. */
  readonly status: 'loaded' | 'current' | 'kept';
  readonly rows: number;
  readonly source: string;
  readonly seconds: number;
};

export type LoadOptions = {
  /** Only these authorities' neighbourhoods and postcodes (tests, small demonstrations). Default: all of England. */
  readonly laCodes?: readonly string[];
  /** Load even when current; for postcodes, also replace a council's own file with the shipped one. */
  readonly force?: boolean;
  /** Where the shipped files are (default: reference-data/ at the repository root). */
  readonly dir?: string;
  readonly onProgress?: (event: LoadEvent) => void;
};

export type PostcodeFileOutcome = DatasetOutcome & {
  /** Rows of other countries (Wales, Scotland, Northern Ireland, Crown dependencies): not loaded. */
  readonly outsideEngland: number;
  /** English rows that ONS gives no 2021 neighbourhood (empty or pseudo code): not loaded. */
  readonly withoutNeighbourhood: number;
};

// ---------------------------------------------------------------------------------------------
// Lookup

export type PostcodeGeography = {
  readonly postcode: string;
  readonly lsoa21Code: string;
  readonly lsoaName: string;
  readonly laCode: string;
  readonly laName: string;
  readonly imdDecile: number;
  readonly incomeDecile: number;
};

/** A postcode's neighbourhood, authority and deprivation; undefined for an invalid or unknown postcode. */
export async function lookupPostcode(db: Db, postcode: string): Promise<PostcodeGeography | undefined> {
  const normalised = normalisePostcode(postcode);
  if (!normalised) return undefined;
  const row = await db
    .selectFrom('postcodes')
    .innerJoin('lsoa21', 'lsoa21.code', 'postcodes.lsoa21_code')
    .select([
      'postcodes.postcode',
      'postcodes.lsoa21_code',
      'lsoa21.name',
      'lsoa21.la_code',
      'lsoa21.la_name',
      'lsoa21.imd_decile',
      'lsoa21.income_decile',
    ])
    .where('postcodes.postcode', '=', normalised)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    postcode: row.postcode,
    lsoa21Code: row.lsoa21_code,
    lsoaName: row.name,
    laCode: row.la_code,
    laName: row.la_name,
    imdDecile: row.imd_decile,
    incomeDecile: row.income_decile,
  };
}

// ---------------------------------------------------------------------------------------------
// Loading: engine-specific bulk writes behind one small interface

type LsoaRow = {
  code: string;
  name: string;
  la_code: string;
  la_name: string;
  ltla_code: string;
  ltla_name: string;
  imd_decile: number;
  imd_rank: number;
  imd_score: number;
  income_decile: number;
  children_0_17: number;
  eth_share_asian: number;
  eth_share_black: number;
  eth_share_mixed: number;
  eth_share_other: number;
  eth_share_white: number;
};

const LSOA_COLUMNS = [
  'code',
  'name',
  'la_code',
  'la_name',
  'ltla_code',
  'ltla_name',
  'imd_decile',
  'imd_rank',
  'imd_score',
  'income_decile',
  'children_0_17',
  'eth_share_asian',
  'eth_share_black',
  'eth_share_mixed',
  'eth_share_other',
  'eth_share_white',
] as const satisfies readonly (keyof LsoaRow)[];

type BulkTx = {
  run(statement: string): Promise<void>;
  recordedSource(dataset: Dataset): Promise<string | undefined>;
  record(dataset: Dataset, source: string, rows: number): Promise<void>;
  insertLsoas(rows: readonly LsoaRow[]): Promise<void>;
  /** Rows as "postcode,lsoa,easting,northing\n", easting and northing empty when unknown (NULL). */
  insertPostcodes(lines: string): Promise<void>;
};

/** Any stable number: serialises reference-data loads between processes sharing one database. */
const LOAD_LOCK = 'SELECT pg_advisory_xact_lock(4729301)';

function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  return /[",\r\n]/.test(value) || value === '' ? `"${value.replaceAll('"', '""')}"` : value;
}

async function inBulkTransaction<T>(handle: DbHandle, work: (tx: BulkTx) => Promise<T>): Promise<T> {
  const pglite = handle.kind === 'pglite' ? handle.pglite : undefined;
  if (pglite) {
    return pglite.transaction(async (tx) => {
      await tx.query(LOAD_LOCK);
      return work({
        async run(statement) {
          await tx.exec(statement);
        },
        async recordedSource(dataset) {
          const result = await tx.query<{ source: string }>(
            'SELECT source FROM reference_data_loads WHERE dataset = $1',
            [dataset],
          );
          return result.rows[0]?.source;
        },
        async record(dataset, source, rows) {
          await tx.query(
            `INSERT INTO reference_data_loads (dataset, source, rows, loaded_at) VALUES ($1, $2, $3, now())
             ON CONFLICT (dataset) DO UPDATE SET source = excluded.source, rows = excluded.rows, loaded_at = excluded.loaded_at`,
            [dataset, source, rows],
          );
        },
        async insertLsoas(rows) {
          const csv = rows
            .map((row) => LSOA_COLUMNS.map((column) => csvField(row[column])).join(','))
            .join('\n');
          await tx.query(`COPY lsoa21 (${LSOA_COLUMNS.join(', ')}) FROM '/dev/blob' WITH (FORMAT csv)`, [], {
            blob: new Blob([csv]),
          });
        },
        async insertPostcodes(lines) {
          await tx.query(
            `COPY postcodes (postcode, lsoa21_code, easting, northing) FROM '/dev/blob' WITH (FORMAT csv)`,
            [],
            {
              blob: new Blob([lines]),
            },
          );
        },
      });
    });
  }
  return handle.db.transaction().execute(async (trx) => {
    await sql.raw(LOAD_LOCK).execute(trx);
    return work({
      async run(statement) {
        await sql.raw(statement).execute(trx);
      },
      async recordedSource(dataset) {
        const row = await trx
          .selectFrom('reference_data_loads')
          .select('source')
          .where('dataset', '=', dataset)
          .executeTakeFirst();
        return row?.source;
      },
      async record(dataset, source, rows) {
        await trx
          .insertInto('reference_data_loads')
          .values({ dataset, source, rows })
          .onConflict((oc) => oc.column('dataset').doUpdateSet({ source, rows, loaded_at: sql<Date>`now()` }))
          .execute();
      },
      async insertLsoas(rows) {
        // One JSON parameter for all 33,755 rows: far faster than thousands of bound parameters.
        await sql`INSERT INTO lsoa21 SELECT * FROM json_populate_recordset(NULL::lsoa21, ${JSON.stringify(rows)}::json)`.execute(
          trx,
        );
      },
      async insertPostcodes(lines) {
        // One text parameter split on the server: four times faster than unnest() over four bound
        // arrays, whose escaping in the driver dominates. Postcodes and LSOA codes are validated, so
        // they hold no commas or line breaks.
        await sql`INSERT INTO postcodes (postcode, lsoa21_code, easting, northing)
          SELECT split_part(line, ',', 1), split_part(line, ',', 2),
                 nullif(split_part(line, ',', 3), '')::integer, nullif(split_part(line, ',', 4), '')::integer
          FROM unnest(string_to_array(rtrim(${lines}, E'\\n'), E'\\n')) AS line`.execute(trx);
      },
    });
  });
}

/** Thrown inside a load transaction to roll it back when the file turns out to have bad rows. */
class BadRows extends Error {}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** What was last loaded into a dataset (its source names the file and its SHA-256), if anything. */
export async function recordedLoad(
  db: Db,
  dataset: Dataset,
): Promise<{ source: string; rows: number } | undefined> {
  return db
    .selectFrom('reference_data_loads')
    .select(['source', 'rows'])
    .where('dataset', '=', dataset)
    .executeTakeFirst();
}

function problemList(file: string) {
  const kept: RowProblem[] = [];
  let count = 0;
  return {
    add(row: number, field: string, message: string) {
      count += 1;
      if (kept.length < MAX_PROBLEMS_KEPT) kept.push({ file, row, field, message });
    },
    get count() {
      return count;
    },
    error() {
      return new ReferenceDataError(file, kept, count);
    },
  };
}
type Problems = ReturnType<typeof problemList>;

/** The index of the first header among the accepted names (case-insensitive), or -1. */
function columnIndex(header: readonly string[], names: readonly string[]): number {
  const lower = header.map((name) => name.trim().toLowerCase());
  for (const name of names) {
    const index = lower.indexOf(name);
    if (index !== -1) return index;
  }
  return -1;
}

const NUMBER = /^\d+(\.\d+)?([eE][+-]?\d+)?$/;

/** A whole number written plainly or in scientific notation ("4e+05"), within [min, max]. */
function wholeNumber(value: string, min: number, max: number): number | undefined {
  const text = value.trim();
  if (!NUMBER.test(text)) return undefined;
  const number = Number(text);
  return Number.isInteger(number) && number >= min && number <= max ? number : undefined;
}

const LSOA_CODE = /^E01\d{6}$/;
const AREA_CODE = /^E\d{8}$/;

// ---------------------------------------------------------------------------------------------
// Neighbourhoods (LSOA 2021)

const LSOA_FILE_COLUMNS = {
  code: ['lsoa21_code', 'lsoa21cd'],
  name: ['lsoa21_name', 'lsoa21nm'],
  la_code: ['la_code'],
  la_name: ['la_name'],
  ltla_code: ['ltla24_code', 'ltla_code'],
  ltla_name: ['ltla24_name', 'ltla_name'],
  imd_decile: ['imd2025_decile', 'imd_decile'],
  imd_rank: ['imd2025_rank', 'imd_rank'],
  imd_score: ['imd2025_score', 'imd_score'],
  income_decile: ['imd2025_income_decile', 'income_decile'],
  children_0_17: ['children_0_17_mid2020', 'children_0_17'],
  eth_share_asian: ['eth_share_asian'],
  eth_share_black: ['eth_share_black'],
  eth_share_mixed: ['eth_share_mixed'],
  eth_share_other: ['eth_share_other'],
  eth_share_white: ['eth_share_white'],
} as const satisfies Record<keyof LsoaRow, readonly string[]>;

async function readLsoaFile(path: string, laCodes: ReadonlySet<string> | undefined): Promise<LsoaRow[]> {
  const file = basename(path);
  const problems = problemList(file);
  const rows: LsoaRow[] = [];
  const seen = new Set<string>();
  let at: Record<keyof LsoaRow, number> | undefined;
  let width = 0;
  for await (const record of readCsv(path)) {
    if ('problem' in record) {
      problems.add(record.row, '(row)', record.problem);
      continue;
    }
    const { row, fields } = record;
    if (!at) {
      width = fields.length;
      const found = {} as Record<keyof LsoaRow, number>;
      for (const [column, names] of Object.entries(LSOA_FILE_COLUMNS) as [
        keyof LsoaRow,
        readonly string[],
      ][]) {
        found[column] = columnIndex(fields, names);
        if (found[column] === -1)
          problems.add(
            row,
            names[0] ?? column,
            `the column is missing (the header needs ${names.join(' or ')})`,
          );
      }
      if (problems.count > 0) throw problems.error();
      at = found;
      continue;
    }
    if (fields.length !== width) {
      problems.add(row, '(row)', `has ${fields.length} fields where the header has ${width}`);
      continue;
    }
    const columns = at;
    const value = (column: keyof LsoaRow) => (fields[columns[column]] ?? '').trim();
    if (laCodes && !laCodes.has(value('la_code'))) continue;
    const text = (column: keyof LsoaRow, pattern?: RegExp): string => {
      const v = value(column);
      if (v === '' || (pattern && !pattern.test(v)))
        problems.add(row, LSOA_FILE_COLUMNS[column][0], v === '' ? 'is empty' : `“${v}” is not a valid code`);
      return v;
    };
    const whole = (column: keyof LsoaRow, min: number, max: number): number => {
      const n = wholeNumber(value(column), min, max);
      if (n === undefined)
        problems.add(
          row,
          LSOA_FILE_COLUMNS[column][0],
          `“${value(column)}” is not a whole number from ${min} to ${max}`,
        );
      return n ?? 0;
    };
    const share = (column: keyof LsoaRow): number => {
      const v = value(column);
      const n = NUMBER.test(v) ? Number(v) : Number.NaN;
      if (!(n >= 0 && n <= 1))
        problems.add(row, LSOA_FILE_COLUMNS[column][0], `“${v}” is not a share from 0 to 1`);
      return n;
    };
    const code = text('code', LSOA_CODE);
    if (seen.has(code)) problems.add(row, LSOA_FILE_COLUMNS.code[0], `${code} appears more than once`);
    seen.add(code);
    const score = Number(value('imd_score'));
    if (!NUMBER.test(value('imd_score')))
      problems.add(row, LSOA_FILE_COLUMNS.imd_score[0], `“${value('imd_score')}” is not a number`);
    rows.push({
      code,
      name: text('name'),
      la_code: text('la_code', AREA_CODE),
      la_name: text('la_name'),
      ltla_code: text('ltla_code', AREA_CODE),
      ltla_name: text('ltla_name'),
      imd_decile: whole('imd_decile', 1, 10),
      imd_rank: whole('imd_rank', 1, 1_000_000),
      imd_score: score,
      income_decile: whole('income_decile', 1, 10),
      children_0_17: whole('children_0_17', 0, 1_000_000),
      eth_share_asian: share('eth_share_asian'),
      eth_share_black: share('eth_share_black'),
      eth_share_mixed: share('eth_share_mixed'),
      eth_share_other: share('eth_share_other'),
      eth_share_white: share('eth_share_white'),
    });
  }
  if (!at) problems.add(1, '(header)', 'the file is empty');
  if (problems.count > 0) throw problems.error();
  return rows;
}

function subsetSuffix(laCodes: readonly string[] | undefined): string {
  return laCodes ? ` authorities ${[...laCodes].sort().join(' ')}` : '';
}

/** Loads the shipped neighbourhoods (all of England, or only some authorities'), unless already current. */
export async function loadLsoas(handle: DbHandle, options: LoadOptions = {}): Promise<DatasetOutcome> {
  const path = join(options.dir ?? REFERENCE_DATA_DIR, SHIPPED_FILES.lsoa21);
  const source = `${SHIPPED_PREFIX}${SHIPPED_FILES.lsoa21} sha256:${await sha256(path)}${subsetSuffix(options.laCodes)}`;
  const current = await recordedLoad(handle.db, 'lsoa21');
  if (!options.force && current?.source === source)
    return { status: 'current', rows: current.rows, source, seconds: 0 };
  const started = performance.now();
  options.onProgress?.({ kind: 'start', dataset: 'lsoa21', file: SHIPPED_FILES.lsoa21 });
  const rows = await readLsoaFile(path, options.laCodes ? new Set(options.laCodes) : undefined);
  if (rows.length === 0)
    throw new Error(
      `No neighbourhoods in ${SHIPPED_FILES.lsoa21} for the authorities ${options.laCodes?.join(', ') ?? ''}`,
    );
  const loaded = await inBulkTransaction(handle, async (tx) => {
    if (!options.force && (await tx.recordedSource('lsoa21')) === source) return false; // another process loaded it meanwhile
    await tx.run('TRUNCATE lsoa21');
    await tx.insertLsoas(rows);
    await tx.record('lsoa21', source, rows.length);
    await tx.run('ANALYZE lsoa21');
    return true;
  });
  const seconds = (performance.now() - started) / 1000;
  options.onProgress?.({ kind: 'done', dataset: 'lsoa21', rows: rows.length, seconds });
  return { status: loaded ? 'loaded' : 'current', rows: rows.length, source, seconds };
}

// ---------------------------------------------------------------------------------------------
// Postcodes

const POSTCODE_FILE_COLUMNS = {
  postcode: ['pcds', 'postcode', 'pcd', 'pcd2'],
  lsoa: ['lsoa21cd', 'lsoa21', 'lsoa21_code'],
  easting: ['oseast1m', 'easting'],
  northing: ['osnrth1m', 'northing'],
} as const;
/** The country column of an NSPL or ONSPD file, when it has one; England is E92000001. */
const COUNTRY_COLUMNS = ['ctry25cd', 'ctry24cd', 'ctry', 'ctry_code'];
const ENGLAND = 'E92000001';
/** ONS pseudo codes ("E99999999", "W99999999", …) mean "no area". */
const PSEUDO_CODE = /^[A-Z]99999999$/;
const BATCH_ROWS = 100_000;
const BRITISH_NATIONAL_GRID = { easting: 700_000, northing: 1_300_000 } as const;
const GRID_AXES = ['easting', 'northing'] as const;

/** A postcode already in canonical form needs no normalising (the common case, checked first for speed). */
const CANONICAL_POSTCODE = /^[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}$/;

/** A grid reference in metres: null when empty (no grid reference), undefined when not a valid one. */
function gridReference(value: string, axis: 'easting' | 'northing'): number | null | undefined {
  if (/^\d{1,7}$/.test(value)) {
    const metres = Number(value);
    return metres <= BRITISH_NATIONAL_GRID[axis] ? metres : undefined;
  }
  const text = value.trim();
  return text === '' ? null : wholeNumber(text, 0, BRITISH_NATIONAL_GRID[axis]);
}

/** "AL1 1AA" as a number ("AL11AA" in base 36, under 2^37): unique, as a postcode starts with a letter. */
function postcodeKey(normalised: string): number {
  return Number.parseInt(normalised.replace(' ', ''), 36);
}

/**
 * The set of postcodes seen in a file, to find duplicates: open addressing over a typed array, so
 * that 2.3 million entries cost 64 MB and no garbage-collector work (a Set of them costs seconds).
 */
class PostcodeKeySet {
  #slots = new Float64Array(1 << 16);
  #size = 0;

  /** Adds the key; false if it was already there. Keys are never 0. */
  add(key: number): boolean {
    if (this.#size * 2 >= this.#slots.length) this.#grow();
    const slots = this.#slots;
    const mask = slots.length - 1;
    let i = Math.imul((key % 0x100000000) ^ Math.floor(key / 0x100000000), 0x9e3779b1) & mask;
    for (;;) {
      const slot = slots[i];
      if (slot === 0) {
        slots[i] = key;
        this.#size += 1;
        return true;
      }
      if (slot === key) return false;
      i = (i + 1) & mask;
    }
  }

  #grow(): void {
    const old = this.#slots;
    this.#slots = new Float64Array(old.length * 2);
    this.#size = 0;
    for (const key of old) if (key !== 0) this.add(key);
  }
}

type PostcodeLoad = {
  readonly path: string;
  readonly source: string;
  /** Every neighbourhood a postcode may point to: its lsoa21 code must be one of these. */
  readonly known: ReadonlySet<string>;
  /** When loading a subset: rows in other neighbourhoods are passed over silently. */
  readonly subset: boolean;
  readonly onProgress: ((event: LoadEvent) => void) | undefined;
};

/**
 * Replaces every postcode with the file's, in one transaction: reads and checks each row, writes in
 * large batches, and rolls everything back if any row is bad (all bad rows are reported).
 */
async function replacePostcodes(
  handle: DbHandle,
  load: PostcodeLoad,
): Promise<Omit<PostcodeFileOutcome, 'status'>> {
  const file = basename(load.path);
  const problems: Problems = problemList(file);
  const started = performance.now();
  const counts = { loaded: 0, outsideEngland: 0, withoutNeighbourhood: 0 };
  load.onProgress?.({ kind: 'start', dataset: 'postcodes', file });
  try {
    await inBulkTransaction(handle, async (tx) => {
      await tx.run('TRUNCATE postcodes');
      // Building the indexes once at the end is faster than maintaining them row by row, and writes
      // far less WAL. They are put back exactly as migration 0002 made them, in this transaction.
      await tx.run('DROP INDEX postcodes_lsoa');
      await tx.run('ALTER TABLE postcodes DROP CONSTRAINT postcodes_pkey');
      const seen = new PostcodeKeySet();
      let batch = '';
      let batchRows = 0;
      let fraction = 0;
      const flush = async () => {
        if (batchRows === 0) return;
        if (problems.count === 0) await tx.insertPostcodes(batch);
        batch = '';
        batchRows = 0;
        load.onProgress?.({ kind: 'progress', dataset: 'postcodes', rows: counts.loaded, fraction });
      };
      let at:
        { postcode: number; lsoa: number; easting: number; northing: number; country: number } | undefined;
      let header: string[] = [];
      let names = { postcode: '', lsoa: '', easting: '', northing: '' };
      const progress = (read: number, total: number) => (fraction = total ? read / total : 1);
      // A subset's rows must name one of its neighbourhoods: lines that name none are not parsed.
      const mightBeInSubset = (line: string) => {
        for (let i = line.indexOf('E01'); i !== -1; i = line.indexOf('E01', i + 3)) {
          if (load.known.has(line.slice(i, i + 9))) return true;
        }
        return false;
      };
      for await (const records of readCsvBatches(
        load.path,
        progress,
        load.subset ? mightBeInSubset : undefined,
      )) {
        for (const record of records) {
          if ('problem' in record) {
            problems.add(record.row, '(row)', record.problem);
            continue;
          }
          const { row, fields } = record;
          if (!at) {
            header = fields;
            const found = {
              postcode: columnIndex(fields, POSTCODE_FILE_COLUMNS.postcode),
              lsoa: columnIndex(fields, POSTCODE_FILE_COLUMNS.lsoa),
              easting: columnIndex(fields, POSTCODE_FILE_COLUMNS.easting),
              northing: columnIndex(fields, POSTCODE_FILE_COLUMNS.northing),
              country: columnIndex(fields, COUNTRY_COLUMNS),
            };
            for (const key of ['postcode', 'lsoa', 'easting', 'northing'] as const) {
              const accepted = POSTCODE_FILE_COLUMNS[key];
              if (found[key] === -1)
                problems.add(
                  row,
                  accepted[0],
                  `the column is missing (the header needs ${accepted.join(' or ')})`,
                );
            }
            if (problems.count > 0) throw new BadRows();
            at = found;
            names = {
              postcode: fields[found.postcode]?.trim() ?? 'postcode',
              lsoa: fields[found.lsoa]?.trim() ?? 'lsoa21cd',
              easting: fields[found.easting]?.trim() ?? 'easting',
              northing: fields[found.northing]?.trim() ?? 'northing',
            };
            continue;
          }
          if (fields.length !== header.length) {
            problems.add(row, '(row)', `has ${fields.length} fields where the header has ${header.length}`);
            continue;
          }
          const lsoa = (fields[at.lsoa] ?? '').trim();
          if (load.subset && !load.known.has(lsoa)) continue;
          if (at.country !== -1 && fields[at.country]?.trim() !== ENGLAND) {
            counts.outsideEngland += 1;
            continue;
          }
          if (lsoa === '' || PSEUDO_CODE.test(lsoa)) {
            counts.withoutNeighbourhood += 1;
            continue;
          }
          if (!lsoa.startsWith('E') && /^[A-Z0-9]{9}$/.test(lsoa)) {
            counts.outsideEngland += 1;
            continue;
          }
          let ok = true;
          if (!load.known.has(lsoa)) {
            problems.add(
              row,
              names.lsoa,
              LSOA_CODE.test(lsoa)
                ? `${lsoa} is not a 2021 neighbourhood (LSOA) in England`
                : `“${lsoa}” is not an LSOA code`,
            );
            ok = false;
          }
          const rawPostcode = fields[at.postcode] ?? '';
          const postcode = CANONICAL_POSTCODE.test(rawPostcode)
            ? rawPostcode
            : normalisePostcode(rawPostcode);
          if (!postcode) {
            problems.add(
              row,
              names.postcode,
              rawPostcode.trim() === '' ? 'is empty' : `“${rawPostcode}” is not a valid postcode`,
            );
            ok = false;
          } else {
            if (!seen.add(postcodeKey(postcode))) {
              problems.add(row, names.postcode, `${postcode} appears on an earlier row too`);
              ok = false;
            }
          }
          const easting = gridReference(fields[at.easting] ?? '', 'easting');
          const northing = gridReference(fields[at.northing] ?? '', 'northing');
          for (const axis of GRID_AXES) {
            if ((axis === 'easting' ? easting : northing) !== undefined) continue;
            const raw = (fields[at[axis]] ?? '').trim();
            const most = BRITISH_NATIONAL_GRID[axis].toLocaleString('en-GB');
            problems.add(row, names[axis], `“${raw}” is not a whole number of metres from 0 to ${most}`);
            ok = false;
          }
          if (!ok || !postcode || easting === undefined || northing === undefined || problems.count > 0)
            continue;
          batch += `${postcode},${lsoa},${easting ?? ''},${northing ?? ''}\n`;
          batchRows += 1;
          counts.loaded += 1;
          if (batchRows >= BATCH_ROWS) await flush();
        }
      }
      if (!at) problems.add(1, '(header)', 'the file is empty');
      // Replacing every postcode with none is never what an operator means.
      else if (counts.loaded === 0 && problems.count === 0)
        problems.add(1, '(file)', 'has no postcodes in England');
      await flush();
      if (problems.count > 0) throw new BadRows();
      await tx.run('ALTER TABLE postcodes ADD CONSTRAINT postcodes_pkey PRIMARY KEY (postcode)');
      await tx.run('CREATE INDEX postcodes_lsoa ON postcodes (lsoa21_code)');
      await tx.record('postcodes', load.source, counts.loaded);
      await tx.run('ANALYZE postcodes');
    });
  } catch (error) {
    if (error instanceof BadRows) throw problems.error();
    throw error;
  }
  const seconds = (performance.now() - started) / 1000;
  load.onProgress?.({ kind: 'done', dataset: 'postcodes', rows: counts.loaded, seconds });
  return {
    rows: counts.loaded,
    source: load.source,
    seconds,
    outsideEngland: counts.outsideEngland,
    withoutNeighbourhood: counts.withoutNeighbourhood,
  };
}

async function knownLsoas(db: Db): Promise<Set<string>> {
  const rows = await db.selectFrom('lsoa21').select('code').execute();
  return new Set(rows.map((row) => row.code));
}

/**
 * Loads the shipped postcodes unless already current. A council's own postcode file, loaded with
 * `hearth load-postcodes`, is kept (status "kept") unless `force` is set.
 */
export async function loadShippedPostcodes(
  handle: DbHandle,
  options: LoadOptions = {},
): Promise<DatasetOutcome> {
  const path = join(options.dir ?? REFERENCE_DATA_DIR, SHIPPED_FILES.postcodes);
  const source = `${SHIPPED_PREFIX}${SHIPPED_FILES.postcodes} sha256:${await sha256(path)}${subsetSuffix(options.laCodes)}`;
  const current = await recordedLoad(handle.db, 'postcodes');
  if (current && !options.force) {
    if (current.source === source) return { status: 'current', rows: current.rows, source, seconds: 0 };
    if (!current.source.startsWith(SHIPPED_PREFIX))
      return { status: 'kept', rows: current.rows, source: current.source, seconds: 0 };
  }
  const outcome = await replacePostcodes(handle, {
    path,
    source,
    known: await knownLsoas(handle.db),
    subset: options.laCodes !== undefined,
    onProgress: options.onProgress,
  });
  return { status: 'loaded', rows: outcome.rows, source, seconds: outcome.seconds };
}

/**
 * The reference geography a fresh Hearth needs: every neighbourhood, then every postcode (or only
 * those of some authorities). Idempotent: what is current is left alone. Takes the DbHandle, not
 * the service deps, because on PGlite the postcodes go in by COPY through the embedded engine.
 */
export async function loadReferenceGeography(
  handle: DbHandle,
  options: LoadOptions = {},
): Promise<{ lsoa21: DatasetOutcome; postcodes: DatasetOutcome }> {
  const lsoa21 = await loadLsoas(handle, options);
  const postcodes = await loadShippedPostcodes(handle, options);
  return { lsoa21, postcodes };
}

/**
 * Loads a council's own ONS postcode lookup (NSPL or ONSPD: columns pcds, lsoa21cd, oseast1m,
 * osnrth1m; or the shipped format) in place of the current postcodes. English postcodes only.
 * Throws ReferenceDataError, having loaded nothing, if any row is bad. Loading the same file again
 * does nothing unless `force` is set.
 */
export async function loadPostcodeFile(
  handle: DbHandle,
  path: string,
  options: Pick<LoadOptions, 'force' | 'onProgress'> = {},
): Promise<PostcodeFileOutcome> {
  const source = `file:${basename(path)} sha256:${await sha256(path)}`;
  const current = await recordedLoad(handle.db, 'postcodes');
  if (!options.force && current?.source === source) {
    return {
      status: 'current',
      rows: current.rows,
      source,
      seconds: 0,
      outsideEngland: 0,
      withoutNeighbourhood: 0,
    };
  }
  const known = await knownLsoas(handle.db);
  if (known.size === 0)
    throw new Error('The neighbourhoods (LSOAs) must be loaded first: run `npx hearth load-geography`');
  const outcome = await replacePostcodes(handle, {
    path,
    source,
    known,
    subset: false,
    onProgress: options.onProgress,
  });
  return { status: 'loaded', ...outcome };
}
