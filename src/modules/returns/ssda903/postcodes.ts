/**
 * The SSDA903 placement fields the DfE derives from postcodes, which the CSV files do not carry:
 *
 * - `PL_DISTANCE`: the straight-line distance in miles from HOME_POST to PL_POST, one decimal
 *   (grid metres / 1000 / 1.6093, as the DfE's guidance gives it);
 * - `PL_LA`: the (upper-tier) local authority the placement postcode is in, or `SCO`, `WAL`, `NIR`
 *   for a placement in Scotland, Wales or Northern Ireland;
 * - `PL_LOCATION`: `IN` when PL_LA is the returning council, `OUT` otherwise.
 *
 * `enrich903` adds them to every episode row (this year's and last year's) where they can be
 * worked out, and leaves them absent where they cannot (a blank or unknown postcode, no grid
 * reference, or — for PL_LOCATION — no council code). The rules on these fields (164, 169, 179,
 * 392a, 406, 411, 420, 452-454, 503G/H/J) use them when `ctx.derived` is set, and fall back to what
 * the postcodes alone can show when it is not (a run without postcode data).
 *
 * A lookup holds only the postcodes of one return: collect them with `returnPostcodes`, then build
 * the lookup from the database (`postcodes` joined to `lsoa21`, one query) or, without a database,
 * from the shipped reference files (streamed; only the wanted postcodes are kept, so memory is
 * bounded by the return, not the 2.3 million rows of the file: a few seconds on a busy machine).
 *
 * Hearth's postcode directory is England's only. A postcode in an area wholly or partly outside
 * England that the directory does not hold is taken to be in that country (`outsideEngland`):
 * placements there get PL_LA `SCO`/`WAL`/`NIR` and PL_LOCATION `OUT`, as the DfE marks them, but
 * no distance can be worked out, so the distance rules do not count its absence against the child.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Db } from '../../../db/connect.ts';
import { distanceMetres } from '../../care/rules.ts';
import { readCsvBatches } from '../../geography/csv.ts';
import { REFERENCE_DATA_DIR, SHIPPED_FILES } from '../../geography/geography.service.ts';
import type { Child903, Row, Ssda903Tables } from './model.ts';

/** Where a postcode is: its children's services authority and, when known, its grid reference. */
export type PostcodePlace = {
  readonly la: string;
  readonly easting: number | null;
  readonly northing: number | null;
};

/** Postcode (normalised: upper case, one space before the inward code) → its place. A Map is one. */
export type PostcodeLookup = { get(postcode: string): PostcodePlace | undefined };

export const DERIVED_FIELDS = ['PL_DISTANCE', 'PL_LA', 'PL_LOCATION'] as const;

const POSTCODE_SHAPE = /^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$/;

/** `al13jy`, ` AL1  3JY ` → `AL1 3JY`; undefined when blank or not shaped like a postcode. */
export function normalisePostcode(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const compact = value.replace(/\s+/g, '').toUpperCase();
  if (!POSTCODE_SHAPE.test(compact)) return undefined;
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
}

/** The postcode area: the leading letters (`AL`, `B`). */
function areaOf(normalised: string): string {
  return /^[A-Z]+/.exec(normalised)?.[0] ?? '';
}

const SCOTLAND = [
  'AB',
  'DD',
  'EH',
  'FK',
  'G',
  'HS',
  'IV',
  'KA',
  'KW',
  'KY',
  'ML',
  'PA',
  'PH',
  'ZE',
  'DG',
  'TD',
];
const WALES = ['CF', 'SA', 'LL', 'LD', 'NP', 'CH', 'SY', 'HR'];
const COUNTRY_OF_AREA = new Map<string, string>([
  ...SCOTLAND.map((a): [string, string] => [a, 'SCO']),
  ...WALES.map((a): [string, string] => [a, 'WAL']),
  ['BT', 'NIR'],
]);

/**
 * `SCO`, `WAL` or `NIR` for a postcode in an area that lies wholly or partly in Scotland, Wales or
 * Northern Ireland (DG and TD straddle the Scottish border; CH, HR, LD, LL, NP and SY the Welsh
 * one); undefined for an English-only area. Only meaningful for a postcode the English directory
 * does not hold.
 */
export function outsideEngland(postcode: string | undefined): string | undefined {
  const normalised = normalisePostcode(postcode);
  return normalised === undefined ? undefined : COUNTRY_OF_AREA.get(areaOf(normalised));
}

/** Miles between two grid references, to one decimal place, as the DfE works out PL_DISTANCE. */
export function milesBetween(
  home: { easting: number; northing: number },
  placement: { easting: number; northing: number },
): number {
  return Math.round((distanceMetres(home, placement) / 1000 / 1.6093) * 10) / 10;
}

function gridOf(place: PostcodePlace | undefined): { easting: number; northing: number } | undefined {
  return place && place.easting !== null && place.northing !== null
    ? { easting: place.easting, northing: place.northing }
    : undefined;
}

function enrichRow(r: Row, lookup: PostcodeLookup, councilLa: string | undefined): void {
  const v = r.values;
  delete v.PL_DISTANCE;
  delete v.PL_LA;
  delete v.PL_LOCATION;
  const homePost = normalisePostcode(v.HOME_POST);
  const placePost = normalisePostcode(v.PL_POST);
  const home = homePost === undefined ? undefined : lookup.get(homePost);
  const placed = placePost === undefined ? undefined : lookup.get(placePost);
  const la = placed?.la ?? (placePost === undefined ? undefined : outsideEngland(placePost));
  if (la !== undefined) {
    v.PL_LA = la;
    if (councilLa !== undefined) v.PL_LOCATION = la === councilLa ? 'IN' : 'OUT';
    else if (placed === undefined) v.PL_LOCATION = 'OUT';
  }
  const from = gridOf(home);
  const to = gridOf(placed);
  if (from && to) v.PL_DISTANCE = milesBetween(from, to).toFixed(1);
}

function enrichTables(tables: Ssda903Tables | undefined, lookup: PostcodeLookup, councilLa?: string): void {
  for (const r of tables?.Episodes ?? []) enrichRow(r, lookup, councilLa);
}

/**
 * Adds PL_DISTANCE, PL_LA and PL_LOCATION to each of the child's episode rows (and last year's)
 * where they can be worked out; removes any the rows held before. `councilLa` is the returning
 * council's code (e.g. `E10000015`): without it PL_LOCATION is only set for placements outside England.
 */
export function enrich903(child: Child903, lookup: PostcodeLookup, councilLa: string | undefined): void {
  enrichTables(child.tables, lookup, councilLa);
  enrichTables(child.previous, lookup, councilLa);
}

/** Every normalised home and placement postcode of the children's episodes, this year's and last. */
export function returnPostcodes(children: Iterable<Child903>): Set<string> {
  const out = new Set<string>();
  const add = (tables: Ssda903Tables | undefined): void => {
    for (const r of tables?.Episodes ?? []) {
      for (const value of [r.values.HOME_POST, r.values.PL_POST]) {
        const p = normalisePostcode(value);
        if (p !== undefined) out.add(p);
      }
    }
  };
  for (const c of children) {
    add(c.tables);
    add(c.previous);
  }
  return out;
}

/** The wanted postcodes' places from the database (`postcodes` ⋈ `lsoa21`), in one query. */
export async function lookupFromDatabase(
  db: Db,
  postcodes: Iterable<string>,
): Promise<Map<string, PostcodePlace>> {
  const wanted = [...new Set(postcodes)];
  const found = new Map<string, PostcodePlace>();
  if (wanted.length === 0) return found;
  const rows = await db
    .selectFrom('postcodes')
    .innerJoin('lsoa21', 'lsoa21.code', 'postcodes.lsoa21_code')
    .select(['postcodes.postcode', 'postcodes.easting', 'postcodes.northing', 'lsoa21.la_code'])
    .where(sql<boolean>`postcodes.postcode = ANY(${wanted}::text[])`)
    .execute();
  for (const r of rows) found.set(r.postcode, { la: r.la_code, easting: r.easting, northing: r.northing });
  return found;
}

/**
 * A lookup from the database for the wanted postcodes, or undefined when no postcode directory is
 * loaded (an empty `postcodes` table): then nothing can be derived, and the rules must not treat
 * every placement field as missing.
 */
export async function databaseLookup(
  db: Db,
  postcodes: Iterable<string>,
): Promise<PostcodeLookup | undefined> {
  const any = await db.selectFrom('postcodes').select('postcode').limit(1).executeTakeFirst();
  return any === undefined ? undefined : lookupFromDatabase(db, postcodes);
}

export type ReferenceFiles = { readonly postcodes: string; readonly lsoa21: string };

/** The shipped reference files (reference-data/). */
export const SHIPPED_REFERENCE: ReferenceFiles = {
  postcodes: join(REFERENCE_DATA_DIR, SHIPPED_FILES.postcodes),
  lsoa21: join(REFERENCE_DATA_DIR, SHIPPED_FILES.lsoa21),
};

export function referenceFilesPresent(files: ReferenceFiles = SHIPPED_REFERENCE): boolean {
  return existsSync(files.postcodes) && existsSync(files.lsoa21);
}

/** A grid reference cell: whole metres, or scientific notation (`4e+05`); null when blank or not a number. */
function metres(cell: string | undefined): number | null {
  if (cell === undefined || cell.trim() === '') return null;
  const n = Number(cell);
  return Number.isFinite(n) ? Math.round(n) : null;
}

/**
 * The wanted postcodes' places from the reference files (`postcode,lsoa21_code,easting,northing`
 * and the LSOA file with `la_code`), without a database: the postcode file is streamed and only the
 * wanted rows are parsed, then the (small) LSOA file gives each wanted neighbourhood's authority.
 * The postcode file writes seven-character postcodes without their space (`AL100AA`), so rows are
 * matched on the postcode without spaces.
 */
export async function lookupFromReferenceFiles(
  postcodes: Iterable<string>,
  files: ReferenceFiles = SHIPPED_REFERENCE,
): Promise<Map<string, PostcodePlace>> {
  const byCompact = new Map<string, string>();
  for (const p of postcodes) byCompact.set(p.replace(/\s+/g, ''), p);
  const found = new Map<string, PostcodePlace>();
  if (byCompact.size === 0) return found;
  // A cheap first test on the raw line: its postcode area is one of the wanted ones.
  const areas = new Set([...byCompact.values()].map(areaOf));
  const keep = (line: string): boolean => {
    const second = line.charCodeAt(1);
    const area = second >= 65 && second <= 90 ? line.slice(0, 2) : line.slice(0, 1);
    if (!areas.has(area)) return false;
    const comma = line.indexOf(',');
    // Seven-character postcodes pad a short outward code with two spaces (`B5  4NG`).
    return byCompact.has(line.slice(0, comma).replaceAll(' ', ''));
  };
  const located: { postcode: string; lsoa: string; easting: number | null; northing: number | null }[] = [];
  for await (const batch of readCsvBatches(files.postcodes, undefined, keep)) {
    for (const record of batch) {
      if (record.row === 1 || !('fields' in record)) continue;
      const [raw = '', lsoa = '', easting, northing] = record.fields;
      const postcode = byCompact.get(raw.replace(/\s+/g, '').toUpperCase());
      if (postcode !== undefined)
        located.push({ postcode, lsoa, easting: metres(easting), northing: metres(northing) });
    }
  }
  if (located.length === 0) return found;
  const lsoas = new Set(located.map((l) => l.lsoa));
  const laOf = new Map<string, string>();
  let lsoaColumn = 0;
  let laColumn = 2;
  for await (const batch of readCsvBatches(files.lsoa21)) {
    for (const record of batch) {
      if (!('fields' in record)) continue;
      if (record.row === 1) {
        lsoaColumn = Math.max(0, record.fields.indexOf('lsoa21_code'));
        laColumn = Math.max(0, record.fields.indexOf('la_code'));
        continue;
      }
      const lsoa = record.fields[lsoaColumn];
      const la = record.fields[laColumn];
      if (lsoa !== undefined && la !== undefined && lsoas.has(lsoa)) laOf.set(lsoa, la);
    }
  }
  for (const l of located) {
    const la = laOf.get(l.lsoa);
    if (la !== undefined) found.set(l.postcode, { la, easting: l.easting, northing: l.northing });
  }
  return found;
}
