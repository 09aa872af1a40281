/**
 * Past returns loaded into Hearth's own tables: the report of an import (dry run or real), and the
 * checks every value of a return passes before anything is written.
 *
 * Code sets are those of the tables' CHECK constraints (src/db/migrations/0002, 0004): a value the
 * record cannot hold is a problem of the file, reported by file, row (CSV data row, or XML line) and
 * field, never a failed insert.
 */
import { isoDay, ukDay, dayToIso } from '../validation/dates.ts';

export type ImportProblem = {
  /** The file (base name for CSV files, the path as given for XML). */
  readonly file: string;
  /** The CSV data row (1-based, header not counted) or the XML line; undefined for the file as a whole. */
  readonly row: number | undefined;
  /** The child's id in the return, when known. */
  readonly child: string | undefined;
  readonly field: string;
  readonly message: string;
};

export type TableCounts = { created: number; updated: number; unchanged: number };

export type FileReport = {
  readonly file: string;
  readonly kind: 'cin' | 'ssda903';
  /** The year by its end (2026 = 1 April 2025 to 31 March 2026). */
  readonly year: number;
  children: number;
  /** Rows created, updated and left unchanged, by table. */
  readonly tables: Record<string, TableCounts>;
  /** Rows of the return that have no home in Hearth and were not imported, by return table. */
  readonly skipped: Record<string, number>;
};

export type ImportReport = {
  readonly files: FileReport[];
  readonly problems: ImportProblem[];
  /** Warnings of the readers (skipped elements, ignored files). */
  readonly warnings: string[];
  /** Whether the import was written (false for a dry run, or when there were problems). */
  applied: boolean;
};

export function totals(report: ImportReport): Record<string, TableCounts> {
  const out: Record<string, TableCounts> = {};
  for (const f of report.files) {
    for (const [table, c] of Object.entries(f.tables)) {
      const t = (out[table] ??= { created: 0, updated: 0, unchanged: 0 });
      t.created += c.created;
      t.updated += c.updated;
      t.unchanged += c.unchanged;
    }
  }
  return out;
}

// -------------------------------------------------------------------------------------------------
// Code sets (the CHECK constraints of the tables they go into)

const set = (codes: string): ReadonlySet<string> => new Set(codes.split(' '));

export const CODES = {
  ethnicity: set(
    'WBRI WIRI WIRT WOTH WROM MWBC MWBA MWAS MOTH AIND APKN ABAN AOTH BCRB BAFR BOTH CHNE OOTH REFU NOBT',
  ),
  upnUnknown: set('UN1 UN2 UN3 UN4 UN5 UN6 UN7'),
  upnUnknown903: set('UN1 UN2 UN3 UN4 UN5'),
  disability: set('NONE MOB HAND PC INC COMM LD HEAR VIS BEH CON AUT DDA'),
  referralSource: set('1A 1B 1C 1D 2A 2B 3A 3B 3C 3D 3E 3F 4 5A 5B 5C 5D 6 7 8 9 10'),
  primaryNeed: set('N0 N1 N2 N3 N4 N5 N6 N7 N8 N9'),
  closure: set('RC1 RC2 RC3 RC4 RC5 RC6 RC7 RC8 RC9'),
  factor: set(
    '1A 1B 1C 2A 2B 2C 3A 3B 3C 4A 4B 4C 5A 5B 5C 6A 6B 6C 7A 8B 8C 8D 8E 8F 9A 10A 11A 12A 13A 14A 15A 16A ' +
      '17A 18A 18B 18C 19A 19B 19C 20 21 22A 23A 24A',
  ),
  abuse: set('NEG PHY SAB EMO MUL'),
  categoryOfNeed: set('N1 N2 N3 N4 N5 N6 N7 N8'),
  legalStatus: set('C1 C2 D1 E1 V2 V3 V4 L1 L2 L3 J1 J2 J3'),
  placement: set(
    'A3 A4 A5 A6 K1 K2 K3 P1 P3 R1 R2 R3 R5 S1 T0 T1 T2 T3 T4 U1 U2 U3 U4 U5 U6 Z11 Z12 Z13 Z14',
  ),
  provider: set('PR0 PR1 PR2 PR3 PR4 PR5'),
  reasonNew: set('S L P T U B'),
  reasonEnded: set('X1 E11 E12 E2 E3 E4A E4B E13 E41 E45 E46 E47 E48 E5 E6 E7 E8 E9 E14 E15 E16 E17'),
  placeChange: set('CARPL CLOSE ALLEG STAND APPRR CREQB CREQO CHILD LAREQ PLACE CUSTOD OTHER'),
  participation: set('PN0 PN1 PN2 PN3 PN4 PN5 PN6 PN7'),
  sdqReason: set('SDQ1 SDQ2 SDQ3 SDQ4 SDQ5'),
  inTouch: set('YES NO DIED REFU NREQ RHOM'),
  activity: set('F1 P1 F2 P2 F4 P4 F5 P5 G4 G5 G6 0'),
  adopterSex: set('M1 F1 MM FF MF'),
  adopterLegalStatus: set('L0 L11 L12 L2 L3 L4'),
  placedCeased: set('RD1 RD2 RD3 RD4'),
  previousPermanence: set('P1 P2 P3 P4 Z1'),
  missing: set('M A'),
} as const;

const ACCOMMODATION = /^([BCDEGHKRTUVWYZ][12]|S2|X2|0)$/;
export const RETURN_CHILD_ID = /^[A-Za-z0-9]{1,20}$/;
const UPN = /^[A-Z][0-9]{11}[0-9A-Z]$/;

/**
 * Reads the values of one row (a CSV row or an XML element), recording a problem for each value the
 * record cannot hold. Each reader returns undefined for a blank or bad value.
 */
export class Fields {
  readonly problems: ImportProblem[];
  readonly file: string;
  readonly row: number | undefined;
  readonly child: string | undefined;
  private readonly values: Record<string, string | undefined>;

  constructor(
    problems: ImportProblem[],
    file: string,
    row: number | undefined,
    child: string | undefined,
    values: Record<string, string | undefined>,
  ) {
    this.problems = problems;
    this.file = file;
    this.row = row;
    this.child = child;
    this.values = values;
  }

  problem(field: string, message: string): void {
    this.problems.push({ file: this.file, row: this.row, child: this.child, field, message });
  }

  raw(field: string): string | undefined {
    const v = this.values[field]?.trim();
    return v === undefined || v === '' ? undefined : v;
  }

  required<T>(field: string, value: T | undefined): T | undefined {
    if (value === undefined && this.raw(field) === undefined) this.problem(field, 'is missing');
    return value;
  }

  /** A CIN census date (`YYYY-MM-DD`) or an SSDA903 date (`dd/mm/YYYY`), as ISO. */
  date(field: string, style: 'iso' | 'uk'): string | undefined {
    const v = this.raw(field);
    if (v === undefined) return undefined;
    const day = style === 'iso' ? isoDay(v) : ukDay(v);
    if (day === null) {
      this.problem(field, `“${v}” is not a real date (${style === 'iso' ? 'YYYY-MM-DD' : 'dd/mm/YYYY'})`);
      return undefined;
    }
    return dayToIso(day);
  }

  code(field: string, codes: ReadonlySet<string>): string | undefined {
    const v = this.raw(field);
    if (v === undefined) return undefined;
    if (!codes.has(v)) {
      this.problem(field, `“${v}” is not a known code`);
      return undefined;
    }
    return v;
  }

  accommodation(field: string): string | undefined {
    const v = this.raw(field);
    if (v === undefined) return undefined;
    if (!ACCOMMODATION.test(v)) {
      this.problem(field, `“${v}” is not a known code`);
      return undefined;
    }
    return v;
  }

  /** `true`/`false` (CIN) or `1`/`0` (SSDA903). */
  bool(field: string): boolean | undefined {
    const v = this.raw(field)?.toLowerCase();
    if (v === undefined) return undefined;
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    this.problem(field, `“${v}” is not true or false`);
    return undefined;
  }

  integer(field: string, min: number, max: number): number | undefined {
    const v = this.raw(field);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max) {
      this.problem(field, `“${v}” is not a whole number from ${String(min)} to ${String(max)}`);
      return undefined;
    }
    return n;
  }

  upn(field: string): string | undefined {
    const v = this.raw(field);
    if (v === undefined) return undefined;
    if (!UPN.test(v)) {
      this.problem(field, `“${v}” is not a UPN (a capital letter, 11 digits and a digit or capital)`);
      return undefined;
    }
    return v;
  }

  /** The return's child id: 1 to 20 letters and digits. */
  childId(field: string): string | undefined {
    const v = this.raw(field);
    if (v === undefined) {
      this.problem(field, 'is missing');
      return undefined;
    }
    if (!RETURN_CHILD_ID.test(v)) {
      this.problem(
        field,
        v.length > 20
          ? `is ${String(v.length)} characters long; a child id is at most 20 letters and digits`
          : 'must be letters and digits only',
      );
      return undefined;
    }
    return v;
  }

  /** Fails (with a problem) when `later` is before `earlier`. */
  order(
    earlierField: string,
    earlier: string | undefined,
    laterField: string,
    later: string | undefined,
  ): boolean {
    if (earlier !== undefined && later !== undefined && later < earlier) {
      this.problem(laterField, `${later} is before ${earlierField} ${earlier}`);
      return false;
    }
    return true;
  }
}
