/**
 * Helpers shared by the part C SSDA903 rules: a child's episodes in date order, the open episode
 * of last year's return, and "looked after continuously for 12 months" at 31 March.
 */
import { ukDay } from '../../../validation/dates.ts';
import type { Finding } from '../../../validation/rule.ts';
import type { Child903, Row, Ssda903Context, Ssda903Table, Ssda903Tables } from '../../model.ts';

export type Ep = { readonly row: Row; readonly decom: number | null; readonly dec: number | null };

/** A cell's value (blank cells are absent). */
export function val(r: Row, field: string): string | undefined {
  return r.values[field];
}

/** One finding on one row. */
export function at(table: Ssda903Table, fields: readonly string[], r: Row): Finding {
  return { table, fields, row: r.row };
}

type CachedEp = Ep & { readonly rawDecom: string | undefined; readonly rawDec: string | undefined };

/**
 * Parsed, sorted episodes per Episodes array: most rules need them, so each child's are parsed once.
 * An entry is used only while its rows and their dates are unchanged.
 */
const parsed = new WeakMap<readonly Row[], readonly CachedEp[]>();

function fresh(rows: readonly Row[], eps: readonly CachedEp[]): boolean {
  if (eps.length !== rows.length) return false;
  for (const e of eps) {
    if (e.row.values.DECOM !== e.rawDecom || e.row.values.DEC !== e.rawDec) return false;
  }
  return true;
}

/**
 * Episodes with parsed dates, ordered by start date (episodes with no valid start last, in file
 * order). The array is shared: do not change it.
 */
export function episodesOf(tables: Ssda903Tables): readonly Ep[] {
  const rows = tables.Episodes;
  const cached = parsed.get(rows);
  if (cached && fresh(rows, cached)) return cached;
  const eps = rows.map((r) => ({
    row: r,
    rawDecom: r.values.DECOM,
    rawDec: r.values.DEC,
    decom: ukDay(r.values.DECOM),
    dec: ukDay(r.values.DEC),
  }));
  eps.sort((a, b) => {
    if (a.decom === null) return b.decom === null ? 0 : 1;
    if (b.decom === null) return -1;
    return a.decom - b.decom;
  });
  parsed.set(rows, eps);
  return eps;
}

/** The episode with the earliest valid start date. */
export function firstEpisode(tables: Ssda903Tables): Ep | undefined {
  const eps = episodesOf(tables);
  const first = eps[0];
  return first && first.decom !== null ? first : undefined;
}

/** The episode with the latest valid start date. */
export function latestEpisode(tables: Ssda903Tables): Ep | undefined {
  let best: Ep | undefined;
  for (const e of episodesOf(tables)) {
    if (e.decom !== null && (best === undefined || (best.decom ?? 0) <= e.decom)) best = e;
  }
  return best;
}

/**
 * Last year's latest episode when it was still open (no end date) — the episode this year's
 * first episode must continue. Undefined when last year's return was not given, the child was not
 * in it, or its latest episode had ended.
 */
export function openPreviousEpisode(child: Child903, ctx: Ssda903Context): Ep | undefined {
  if (!ctx.hasPrevious || !child.previous) return undefined;
  const last = latestEpisode(child.previous);
  return last && val(last.row, 'DEC') === undefined ? last : undefined;
}

/** Ends care (a non-X1 reason episode ceased with an end date). */
export function leavesCare(e: Ep): boolean {
  const rec = val(e.row, 'REC');
  return e.dec !== null && rec !== undefined && rec !== 'X1';
}

/** Open or ending on/after `from`, and started on/before `to`. */
export function activeBetween(e: Ep, from: number, to: number): boolean {
  return e.decom !== null && e.decom <= to && (e.dec === null || e.dec >= from);
}

/**
 * Looked after continuously for the 12 months to 31 March: one definition for every part, from the
 * DfE validation rules (see part-a).
 */
export { continuouslyLookedAfter } from '../part-a/helpers.ts';

/** The child's Header row (there is one per child). */
export function headerOf(child: Child903): Row | undefined {
  return child.tables.Header[0];
}

/** The child's date of birth from the Header, as a day number. */
export function dobOf(child: Child903): number | null {
  const h = headerOf(child);
  return h ? ukDay(h.values.DOB) : null;
}

/** Postcode without spaces, upper case; undefined when blank. */
export function postcode(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const p = value.replace(/\s+/g, '').toUpperCase();
  return p === '' ? undefined : p;
}

/** Adoption reasons episode ceased. */
export const ADOPTED = new Set(['E11', 'E12']);
/** Placed-for-adoption placements. */
export const PLACED_FOR_ADOPTION = new Set(['A3', 'A4', 'A5', 'A6']);

export type PeriodOfCare = { readonly start: number; readonly end: number | null };

/**
 * Periods of care: runs of episodes where each starts on (or before) the day the last one ended.
 * `end` is null while the last episode is open.
 */
export function periodsOfCare(tables: Ssda903Tables): PeriodOfCare[] {
  const out: { start: number; end: number | null }[] = [];
  for (const e of episodesOf(tables)) {
    if (e.decom === null) continue;
    const cur = out[out.length - 1];
    if (cur?.end === null || (cur && cur.end !== null && e.decom <= cur.end)) {
      if (cur.end !== null) cur.end = e.dec === null ? null : Math.max(cur.end, e.dec);
    } else {
      out.push({ start: e.decom, end: e.dec });
    }
  }
  return out;
}

/** PlacedAdoption rows ordered by DATE_PLACED (rows with no valid date first, in file order). */
export function placedAdoptionRows(tables: Ssda903Tables): { row: Row; placed: number | null }[] {
  return tables.PlacedAdoption.map((r) => ({ row: r, placed: ukDay(r.values.DATE_PLACED) })).sort(
    (a, b) => (a.placed ?? -Infinity) - (b.placed ?? -Infinity),
  );
}

/** The decision with the latest DATE_PLACED (the one current at the end of the year). */
export function latestPlacedAdoption(tables: Ssda903Tables): Row | undefined {
  const rows = placedAdoptionRows(tables);
  return rows[rows.length - 1]?.row;
}
