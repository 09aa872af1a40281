/**
 * Helpers shared by the part B SSDA903 rules (301–460): a child's episodes in date order with their
 * dates parsed once, the child's date of birth, UASC status, postcode shape and the derived
 * placement fields, plus small builders used by the rules' fixtures.
 */
import { addYears, ageOn, ukDay } from '../../../validation/dates.ts';
import type { Finding } from '../../../validation/rule.ts';
import {
  row,
  type Child903,
  type Row,
  type Ssda903Context,
  type Ssda903Table,
  type Ssda903Tables,
} from '../../model.ts';
import { outsideEngland } from '../../postcodes.ts';

export type Ep = {
  readonly row: Row;
  /** The row's cells when parsed (to tell a changed row). */
  readonly values: Row['values'];
  readonly decom: number | null;
  readonly dec: number | null;
};

/** One finding on one row. */
export function at(table: Ssda903Table, fields: readonly string[], r: Row): Finding {
  return { table, fields, row: r.row };
}

/**
 * The rules of a run see one child at a time and each asks for the same parsed dates, so the
 * last child's parse is kept (one entry: no memory grows with the return). A kept parse is used
 * only while the same rows with the same cells are asked about: the rules only read rows, and a
 * fixture that changes a row replaces its `values` (see `setCells`).
 */
type Parsed = { rows: readonly Row[]; eps: Ep[]; dated: Ep[] };
let lastEpisodes: Parsed | undefined;
let lastDob: { values: Row['values']; day: number | null } | undefined;

function sorted(tables: Ssda903Tables): Parsed {
  const rows = tables.Episodes;
  const kept = lastEpisodes;
  if (
    kept?.rows === rows &&
    kept.eps.length === rows.length &&
    kept.eps.every((e) => e.values === e.row.values)
  ) {
    return kept;
  }
  const eps = rows.map((r) => ({
    row: r,
    values: r.values,
    decom: ukDay(r.values.DECOM),
    dec: ukDay(r.values.DEC),
  }));
  eps.sort((a, b) => {
    if (a.decom === null) return b.decom === null ? 0 : 1;
    if (b.decom === null) return -1;
    return a.decom - b.decom;
  });
  lastEpisodes = { rows, eps, dated: eps.filter((e) => e.decom !== null) };
  return lastEpisodes;
}

/**
 * The episodes with parsed dates, ordered by start date (ties keep file order; episodes with no
 * valid start date last).
 */
export function episodes(tables: Ssda903Tables): readonly Ep[] {
  return sorted(tables).eps;
}

/** Episodes with a valid start date, in date order. */
export function datedEpisodes(tables: Ssda903Tables): readonly Ep[] {
  return sorted(tables).dated;
}

/** The row's DOB, parsed once per row. */
function dobCell(r: Row | undefined): number | null {
  if (!r) return null;
  if (lastDob?.values === r.values) return lastDob.day;
  const day = ukDay(r.values.DOB);
  lastDob = { values: r.values, day };
  return day;
}

/** The child's date of birth from the Header. */
export function dobOf(child: Child903): number | null {
  return dobCell(child.tables.Header[0]);
}

/** A row's own DOB, falling back to the Header's. */
export function rowDob(child: Child903, r: Row): number | null {
  return dobCell(r) ?? dobOf(child);
}

/** Age in whole years on `day`, or null when either date is unknown. */
export function age(dob: number | null, day: number | null): number | null {
  return dob === null || day === null ? null : ageOn(dob, day);
}

/** The day of the `years`th birthday, or null. */
export function birthday(dob: number | null, years: number): number | null {
  return dob === null ? null : addYears(dob, years);
}

export const TEMPORARY = new Set(['T0', 'T1', 'T2', 'T3', 'T4']);
export const SHORT_BREAKS = new Set(['V3', 'V4']);

export function isShortBreak(r: Row): boolean {
  const ls = r.values.LS;
  return ls !== undefined && SHORT_BREAKS.has(ls);
}

/** Any UASC row with a value besides the child's id, or a Header UASC flag of 1. */
function uascIn(tables: Ssda903Tables): boolean {
  if (tables.Header.some((h) => h.values.UASC === '1')) return true;
  return tables.UASC.some((u) => Object.keys(u.values).some((k) => k !== 'CHILD'));
}

/** UASC this year, or last year when last year's return was given (formerly UASC). */
export function isUascOrFormer(child: Child903): boolean {
  return uascIn(child.tables) || (child.previous !== undefined && uascIn(child.previous));
}

/** A full UK postcode (outward code, optional space, inward code), as the ONS directory holds them. */
const POSTCODE = /^(GIR *0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? *\d[ABD-HJLNP-UW-Z]{2})$/i;

export function isPostcode(value: string): boolean {
  return POSTCODE.test(value.trim());
}

/** Upper case with single spaces removed, so `al1 3jy` and `AL13JY` compare equal. */
export function normalisePostcode(value: string): string {
  return value.replace(/\s+/g, '').toUpperCase();
}

/**
 * The placement distance (miles) when the row carries the derived `PL_DISTANCE` field (the DfE
 * derives it, and the LA of placement `PL_LA` and location `PL_LOCATION`, from the postcodes; a
 * loader with postcode data may add them to the row). Null when absent or not a number.
 */
export function distance(r: Row): number | null {
  const d = r.values.PL_DISTANCE;
  if (d === undefined) return null;
  const n = Number(d);
  return Number.isFinite(n) ? n : null;
}

/**
 * A distance is recorded, or the DfE would derive one. When the run derived the placement fields
 * (`ctx.derived`), a blank PL_DISTANCE means it could not be worked out — unless a postcode lies
 * outside England, beyond Hearth's postcode directory but not the DfE's. Without derived fields,
 * a distance counts as known when both postcodes are given.
 */
export function distanceKnown(r: Row, ctx: Ssda903Context): boolean {
  const v = r.values;
  if (v.PL_DISTANCE !== undefined) return true;
  if (v.HOME_POST === undefined || v.PL_POST === undefined) return false;
  return !ctx.derived || outsideEngland(v.HOME_POST) !== undefined || outsideEngland(v.PL_POST) !== undefined;
}

// --- fixture builders -------------------------------------------------------------------------

/** Append an episode for the child (row numbers follow the file order). */
export function addEpisode(c: Child903, values: Record<string, string | undefined>): Row {
  const r = row({ CHILD: c.id, ...values }, c.tables.Episodes.length + 1);
  c.tables.Episodes.push(r);
  return r;
}

/** Set (or, with undefined, clear) cells of a row. */
export function setCells(r: Row | undefined, values: Record<string, string | undefined>): void {
  if (!r) throw new Error('fixture row missing');
  const next = { ...r.values, ...values };
  r.values = Object.fromEntries(Object.entries(next).filter(([, v]) => v !== undefined));
}

/** Add a row to any table for the child. */
export function addRow(c: Child903, table: Ssda903Table, values: Record<string, string | undefined>): Row {
  const r = row({ CHILD: c.id, ...values }, c.tables[table].length + 1);
  c.tables[table].push(r);
  return r;
}
