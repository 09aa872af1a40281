/**
 * The SSDA903 return as read from (or written to) its CSV files, grouped by child: every row of
 * every file for one CHILD, and (when given) the same child's rows in last year's return. Values are
 * the raw strings of the file; a blank cell is absent from `values`. Dates are `dd/mm/YYYY`.
 *
 * Files and columns: ../shared/reference/statutory-returns.md §2.
 */
import { dayOf } from '../validation/dates.ts';

export const SSDA903_COLUMNS = {
  Header: ['CHILD', 'SEX', 'DOB', 'ETHNIC', 'UPN', 'MOTHER', 'MC_DOB'],
  Episodes: [
    'CHILD',
    'DECOM',
    'RNE',
    'LS',
    'CIN',
    'PLACE',
    'PLACE_PROVIDER',
    'DEC',
    'REC',
    'REASON_PLACE_CHANGE',
    'HOME_POST',
    'PL_POST',
    'URN',
  ],
  Reviews: ['CHILD', 'DOB', 'REVIEW', 'REVIEW_CODE'],
  UASC: ['CHILD', 'SEX', 'DOB', 'DUC'],
  OC2: [
    'CHILD',
    'DOB',
    'SDQ_SCORE',
    'SDQ_REASON',
    'CONVICTED',
    'HEALTH_CHECK',
    'IMMUNISATIONS',
    'TEETH_CHECK',
    'HEALTH_ASSESSMENT',
    'SUBSTANCE_MISUSE',
    'INTERVENTION_RECEIVED',
    'INTERVENTION_OFFERED',
  ],
  OC3: ['CHILD', 'DOB', 'IN_TOUCH', 'ACTIV', 'ACCOM'],
  AD1: ['CHILD', 'DOB', 'DATE_INT', 'DATE_MATCH', 'FOSTER_CARE', 'NB_ADOPTR', 'SEX_ADOPTR', 'LS_ADOPTR'],
  PlacedAdoption: ['CHILD', 'DOB', 'DATE_PLACED', 'DATE_PLACED_CEASED', 'REASON_PLACED_CEASED'],
  PrevPerm: ['CHILD', 'DOB', 'PREV_PERM', 'LA_PERM', 'DATE_PERM'],
  Missing: ['CHILD', 'DOB', 'MISSING', 'MIS_START', 'MIS_END'],
  SWEpisodes: ['CHILD', 'DOB', 'SW_ID', 'SW_DECOM', 'SW_DEC', 'SW_REASON'],
  DoLo: ['CHILD', 'DOB', 'DOLO_START', 'DOLO_END'],
} as const;

export type Ssda903Table = keyof typeof SSDA903_COLUMNS;
export const SSDA903_TABLES = Object.keys(SSDA903_COLUMNS) as Ssda903Table[];

/** The tables each collection year has (DoLo from 2026-27). */
export function ssda903Tables(year: string): Ssda903Table[] {
  return year >= '2026-27' ? SSDA903_TABLES : SSDA903_TABLES.filter((t) => t !== 'DoLo');
}

export type Row = {
  /** The data row in its file, 1-based (the header line is not counted). 0 when built in memory. */
  row: number;
  /** Non-blank cells only, by column name. */
  values: Record<string, string | undefined>;
};

export type Ssda903Tables = Record<Ssda903Table, Row[]>;

export type Child903 = {
  /** The CHILD value shared by every row. */
  id: string;
  tables: Ssda903Tables;
  /** This child's rows in last year's return, when last year's files were given (`--previous`). */
  previous?: Ssda903Tables | undefined;
};

export type Ssda903Context = {
  /** `2025-26` or `2026-27`. */
  year: string;
  /** 1 April and 31 March of the collection year, as day numbers. */
  periodStart: number;
  periodEnd: number;
  /** Whether last year's return was given: rules that need it are skipped when it was not. */
  hasPrevious: boolean;
  /** Ofsted's social care providers by URN, when given: the URN rules (219-229) are skipped without them. */
  providers?: ReadonlyMap<string, OfstedProvider> | undefined;
  /** The returning council's LA code, in the scheme of `OfstedProvider.la` (rule 229). */
  la?: string | undefined;
  /**
   * The episodes carry PL_DISTANCE, PL_LA and PL_LOCATION worked out from a postcode directory
   * (ssda903/postcodes.ts), so a blank one could not be derived. Without it the rules on those
   * fields fall back to what the postcodes alone show.
   */
  derived?: boolean | undefined;
};

/** One Ofsted-registered provider, as the URN rules need it. */
export type OfstedProvider = {
  /** Placement types (PLACE codes) the provider's registration fits. */
  placeCodes: readonly string[];
  /** Placement provider codes (PR0-PR5) that fit the provider's ownership. */
  providerCodes: readonly string[];
  /** Postcode, upper case without spaces. */
  postcode?: string | undefined;
  /** Code of the local authority the provider is in. */
  la?: string | undefined;
  /** The day its registration ended, when it has. */
  registrationEnd?: number | undefined;
};

export function emptyTables(): Ssda903Tables {
  return Object.fromEntries(SSDA903_TABLES.map((t) => [t, [] as Row[]])) as unknown as Ssda903Tables;
}

/** `2026` (the year ending 31 March 2026) → `2025-26`. */
export function ssda903CollectionYear(endYear: number): string {
  return `${endYear - 1}-${String(endYear % 100).padStart(2, '0')}`;
}

export function ssda903Context(endYear: number, hasPrevious = false): Ssda903Context {
  return {
    year: ssda903CollectionYear(endYear),
    periodStart: dayOf(endYear - 1, 4, 1),
    periodEnd: dayOf(endYear, 3, 31),
    hasPrevious,
  };
}

export function row(values: Record<string, string | undefined>, rowNumber = 0): Row {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v.trim() !== '') clean[k] = v;
  return { row: rowNumber, values: clean };
}

/**
 * A child who passes every SSDA903 rule for the year ending 31 March `endYear` (dates below for
 * 2026): born July 2012, started to be looked after on 10 May 2025 under an interim care order with an in-house
 * foster carer (still there on 31 March 2026), reviewed within 20 working days and again within 3
 * months, with a social worker throughout the year. Rule fixtures mutate a fresh copy.
 */
export function baseline903Child(endYear = 2026): Child903 {
  const id = 'C1001';
  const y = endYear - 1;
  const dob = `15/07/${y - 13}`;
  const tables = emptyTables();
  tables.Header.push(
    row({ CHILD: id, SEX: 'F', DOB: dob, ETHNIC: 'WBRI', UPN: 'E938611200101', MOTHER: '0' }, 1),
  );
  tables.Episodes.push(
    row(
      {
        CHILD: id,
        DECOM: `10/05/${y}`,
        RNE: 'S',
        LS: 'C1',
        CIN: 'N1',
        PLACE: 'U4',
        PLACE_PROVIDER: 'PR1',
        HOME_POST: 'AL1 3JY',
        PL_POST: 'AL3 5PQ',
        URN: 'XXXXXXX',
      },
      1,
    ),
  );
  tables.Reviews.push(
    row({ CHILD: id, DOB: dob, REVIEW: `06/06/${y}`, REVIEW_CODE: 'PN1' }, 1),
    row({ CHILD: id, DOB: dob, REVIEW: `03/09/${y}`, REVIEW_CODE: 'PN1' }, 2),
    row({ CHILD: id, DOB: dob, REVIEW: `02/03/${endYear}`, REVIEW_CODE: 'PN1' }, 3),
  );
  // Started to be looked after this year, so previous permanence is returned (rule 630): none.
  tables.PrevPerm.push(row({ CHILD: id, DOB: dob, PREV_PERM: 'Z1' }, 1));
  tables.SWEpisodes.push(row({ CHILD: id, DOB: dob, SW_ID: 'SW1234567', SW_DECOM: `01/04/${y}` }, 1));
  return { id, tables };
}
