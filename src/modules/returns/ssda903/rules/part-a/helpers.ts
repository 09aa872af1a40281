/**
 * Helpers shared by the part A SSDA903 rules (101-234): findings on rows, the code sets the rules
 * check (from ../../../reference/ssda903-codes.tsv, latest year in force), a child's dates, UASC
 * status, "looked after continuously for 12 months" at 31 March, and small fixture builders.
 */
import { addYears, dayToUk, ukDay } from '../../../validation/dates.ts';
import type { Finding } from '../../../validation/rule.ts';
import {
  emptyTables,
  row,
  type Child903,
  type Row,
  type Ssda903Context,
  type Ssda903Table,
  type Ssda903Tables,
} from '../../model.ts';

// ---- code sets ----------------------------------------------------------------------------------

export const SEX_CODES = new Set(['M', 'F', 'U']);
export const ETHNIC_CODES = new Set(
  'WBRI,WIRI,WOTH,WIRT,WROM,MWBC,MWBA,MWAS,MOTH,AIND,APKN,ABAN,AOTH,BCRB,BAFR,BOTH,CHNE,OOTH,REFU,NOBT'.split(
    ',',
  ),
);
export const REASON_PLACED_CEASED = new Set(['RD1', 'RD2', 'RD3', 'RD4']);
export const IN_TOUCH_CODES = new Set(['YES', 'NO', 'DIED', 'REFU', 'NREQ', 'RHOM']);
export const ACTIV_CODES = new Set('F1,P1,F2,P2,F4,P4,F5,P5,G4,G5,G6,0'.split(','));
export const ACCOM_CODES = new Set(
  'B1,B2,C1,C2,D1,D2,E1,E2,G1,G2,H1,H2,K1,K2,R1,R2,S2,T1,T2,U1,U2,V1,V2,W1,W2,X2,Y1,Y2,Z1,Z2,0'.split(','),
);
export const RNE_CODES = new Set(['S', 'P', 'L', 'T', 'U', 'B']);
export const LS_CODES = new Set('C1,C2,D1,E1,V2,V3,V4,J1,J2,J3,L1,L2,L3'.split(','));
export const CIN_CODES = new Set('N1,N2,N3,N4,N5,N6,N7,N8'.split(','));
/** PLACE from 2025-26: H5, P2 and Z1 gone; Z1 split into Z11-Z14. */
export const PLACE_CODES = new Set(
  'A3,A4,A5,A6,K1,K2,K3,P1,P3,R1,R2,R3,R5,S1,T0,T1,T2,T3,T4,U1,U2,U3,U4,U5,U6,Z11,Z12,Z13,Z14'.split(','),
);
export const REC_CODES = new Set(
  'E11,E12,E2,E3,E4A,E4B,E13,E41,E45,E46,E47,E48,E5,E6,E7,E8,E9,E14,E15,E16,E17,X1'.split(','),
);
export const REVIEW_CODES = new Set('PN0,PN1,PN2,PN3,PN4,PN5,PN6,PN7'.split(','));
export const NB_ADOPTR_CODES = new Set(['1', '2']);
export const SEX_ADOPTR_CODES = new Set(['M1', 'F1', 'MM', 'FF', 'MF']);
export const LS_ADOPTR_CODES = new Set(['L0', 'L11', 'L12', 'L2', 'L3', 'L4']);
export const PROVIDER_CODES = new Set(['PR0', 'PR1', 'PR2', 'PR3', 'PR4', 'PR5']);
/** Placements that have no provider (rule 178, 2025-26). */
export const PLACE_WITHOUT_PROVIDER = new Set('T0,T1,T2,T3,Z11,Z12,Z13,Z14'.split(','));
/** Placements whose provider information is not required (rule 213, 2025-26: T4 as well). */
export const PLACE_PROVIDER_NOT_REQUIRED = new Set('T0,T1,T2,T3,T4,Z11,Z12,Z13,Z14'.split(','));
export const SDQ_REASONS = new Set(['SDQ1', 'SDQ2', 'SDQ3', 'SDQ4', 'SDQ5']);
export const ZERO_ONE = new Set(['0', '1']);
export const TEMPORARY_PLACEMENTS = new Set(['T0', 'T1', 'T2', 'T3', 'T4']);
export const SHORT_BREAKS = new Set(['V3', 'V4']);
/** Placement types needing no Ofsted URN (rules 218 and 222, 2025-26). */
export const PLACE_WITHOUT_URN = new Set('P1,P3,R1,R2,R5,T0,T1,T2,T3,T4,Z11,Z12,Z13,Z14'.split(','));
/** Placement types whose postcode must match the provider's (rule 221). */
export const PLACE_POSTCODE_MATCHED = new Set(['K1', 'K2', 'K3', 'R3', 'S1']);
export const NO_URN = 'XXXXXXX';
export const UPN_UNKNOWN = new Set(['UN1', 'UN2', 'UN3', 'UN4', 'UN5']);

/** The fields of OC2 about children looked after for 12 months (all but the SDQ). */
export const OC2_ITEMS = [
  'CONVICTED',
  'HEALTH_CHECK',
  'IMMUNISATIONS',
  'TEETH_CHECK',
  'HEALTH_ASSESSMENT',
  'SUBSTANCE_MISUSE',
  'INTERVENTION_RECEIVED',
  'INTERVENTION_OFFERED',
] as const;
export const AD1_ITEMS = [
  'DATE_INT',
  'DATE_MATCH',
  'FOSTER_CARE',
  'NB_ADOPTR',
  'SEX_ADOPTR',
  'LS_ADOPTR',
] as const;
export const OC3_ITEMS = ['IN_TOUCH', 'ACTIV', 'ACCOM'] as const;

// ---- rows and findings --------------------------------------------------------------------------

/** A cell's value (blank cells are absent). */
export function val(r: Row, field: string): string | undefined {
  return r.values[field];
}

export function present(r: Row, field: string): boolean {
  return r.values[field] !== undefined;
}

/** The rows of one table where `bad` holds, each as a finding on `fields`. */
export function flag(
  table: Ssda903Table,
  fields: readonly string[],
  rows: readonly Row[],
  bad: (r: Row) => boolean,
): Finding[] {
  const out: Finding[] = [];
  for (const r of rows) if (bad(r)) out.push({ table, fields, row: r.row });
  return out;
}

export function at(table: Ssda903Table, fields: readonly string[], r: Row): Finding {
  return { table, fields, row: r.row };
}

/** A present value that is not a real dd/mm/YYYY date. */
export function badDate(r: Row, field: string): boolean {
  return present(r, field) && ukDay(val(r, field)) === null;
}

/** A present value outside `codes`. */
export function badCode(r: Row, field: string, codes: ReadonlySet<string>): boolean {
  const v = val(r, field);
  return v !== undefined && !codes.has(v);
}

/** A value that is blank or outside `codes`. */
export function missingOrBadCode(r: Row, field: string, codes: ReadonlySet<string>): boolean {
  return !codes.has(val(r, field) ?? '');
}

// ---- dates of a child ---------------------------------------------------------------------------

/** The child's date of birth from Header, else from the row given. */
export function dobOf(child: Child903, r?: Row): number | null {
  const h = child.tables.Header[0];
  return ukDay(h ? val(h, 'DOB') : undefined) ?? (r ? ukDay(val(r, 'DOB')) : null);
}

/** Episode with parsed dates. */
export type Ep = { readonly row: Row; readonly decom: number | null; readonly dec: number | null };

/** Episodes with parsed dates, in start-date order (no valid start: last, in file order). */
export function episodes(tables: Ssda903Tables): Ep[] {
  return tables.Episodes.map((r) => ({
    row: r,
    decom: ukDay(val(r, 'DECOM')),
    dec: ukDay(val(r, 'DEC')),
  })).sort((a, b) => {
    if (a.decom === null) return b.decom === null ? 0 : 1;
    if (b.decom === null) return -1;
    return a.decom - b.decom;
  });
}

/** Start and end of last year's collection period. */
export function previousPeriod(ctx: Ssda903Context): { start: number; end: number } {
  return { start: addYears(ctx.periodStart, -1), end: addYears(ctx.periodEnd, -1) };
}

/**
 * Looked after continuously for the 12 months to 31 March: in care at some time in the year, and
 * no episode in the year starts a period of care (RNE S after 1 April), ends one (a reason other
 * than X1 before 31 March) or is a short break (V3/V4).
 */
export function continuouslyLookedAfter(child: Child903, ctx: Ssda903Context): boolean {
  let inYear = false;
  let broken = false;
  for (const e of episodes(child.tables)) {
    const during =
      e.decom !== null && e.decom <= ctx.periodEnd && (e.dec === null || e.dec >= ctx.periodStart);
    if (during) inYear = true;
    const enters =
      val(e.row, 'RNE') === 'S' && e.decom !== null && e.decom > ctx.periodStart && e.decom <= ctx.periodEnd;
    const leaves =
      val(e.row, 'REC') !== 'X1' && e.dec !== null && e.dec >= ctx.periodStart && e.dec < ctx.periodEnd;
    const shortBreak = during && SHORT_BREAKS.has(val(e.row, 'LS') ?? '');
    if (enters || leaves || shortBreak) broken = true;
  }
  return inYear && !broken;
}

// ---- UASC ---------------------------------------------------------------------------------------

/**
 * The UASC row that identifies the child as an unaccompanied asylum-seeking child: a UASC file row
 * carrying the child's details (SEX). A row with no details does not identify the child.
 */
export function uascRow(tables: Ssda903Tables | undefined): Row | undefined {
  return tables?.UASC.find((r) => present(r, 'SEX'));
}

/** The date UASC status ceased, from any UASC row of the year. */
export function uascCeased(tables: Ssda903Tables | undefined): { row: Row; day: number | null } | undefined {
  const r = tables?.UASC.find((u) => present(u, 'DUC'));
  return r ? { row: r, day: ukDay(val(r, 'DUC')) } : undefined;
}

// ---- postcodes ----------------------------------------------------------------------------------

const POSTCODE = /^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$/;

export function isPostcode(value: string | undefined): boolean {
  return value !== undefined && POSTCODE.test(value.trim().toUpperCase());
}

export function postcodeKey(value: string): string {
  return value.replace(/\s+/g, '').toUpperCase();
}

// ---- fixture builders ---------------------------------------------------------------------------

/** `dd/mm/YYYY` for a day and month inside the collection year of `ctx` (April-March). */
export function inYear(ctx: Ssda903Context, day: number, month: number): string {
  const startYear = Number(ctx.year.slice(0, 4));
  const y = month >= 4 ? startYear : startYear + 1;
  return `${String(day).padStart(2, '0')}/${String(month).padStart(2, '0')}/${y}`;
}

/** A day number as `dd/mm/YYYY`, shifted by `days`. */
export function ukPlus(day: number, days: number): string {
  return dayToUk(day + days);
}

export function headerOf(c: Child903): Row {
  const h = c.tables.Header[0];
  if (!h) throw new Error('baseline child has no Header row');
  return h;
}

export function episodeOf(c: Child903, i = 0): Row {
  const e = c.tables.Episodes[i];
  if (!e) throw new Error(`baseline child has no episode ${i}`);
  return e;
}

/** Add a row to a table of the child (row number: next in the table). */
export function addRow(c: Child903, table: Ssda903Table, values: Record<string, string | undefined>): Row {
  const r = row({ CHILD: c.id, ...values }, c.tables[table].length + 1);
  c.tables[table].push(r);
  return r;
}

/** Last year's return for the child: a copy of this year's Header; other tables empty. */
export function givePrevious(c: Child903, ctx: Ssda903Context): Ssda903Tables {
  const prev = emptyTables();
  prev.Header.push(row({ ...headerOf(c).values }, 1));
  ctx.hasPrevious = true;
  c.previous = prev;
  return prev;
}

/**
 * Make the baseline child looked after continuously for 12 months at 31 March: the episode starts
 * well before the year (on a date two years back) and stays open.
 */
export function makeLongTerm(c: Child903, ctx: Ssda903Context): void {
  episodeOf(c).values.DECOM = dayToUk(addYears(ctx.periodStart, -2));
}

/** An OC2 row with every 12-month item answered "no" (and an SDQ score). */
export function addOc2(c: Child903, extra: Record<string, string | undefined> = {}): Row {
  return addRow(c, 'OC2', {
    DOB: val(headerOf(c), 'DOB'),
    SDQ_SCORE: '12',
    CONVICTED: '0',
    HEALTH_CHECK: '1',
    IMMUNISATIONS: '1',
    TEETH_CHECK: '1',
    HEALTH_ASSESSMENT: '1',
    SUBSTANCE_MISUSE: '0',
    ...extra,
  });
}

/** Set the child's date of birth so they turn `age` on 15 July of the collection year; returns that birthday. */
export function turnsInYear(c: Child903, ctx: Ssda903Context, age: number): string {
  const birthday = inYear(ctx, 15, 7);
  headerOf(c).values.DOB = birthday.replace(/\d{4}$/, (y) => String(Number(y) - age));
  return birthday;
}
