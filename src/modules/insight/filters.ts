/**
 * The filters on every insight page: read from the page's GET form (never trusted, never a 500),
 * and turned into SQL conditions on the base view `insight_children` (alias `c` by default) and on
 * the date of the event a measure counts.
 *
 * Definitions (docs/insight/README.md repeats them):
 * - Period: the event's date falls between `from` and `to`, both included. A timestamp is read as a
 *   date in England (Europe/London). The default is the last 12 months up to and including today.
 * - Age band: the child's age in whole years on the date of the event (on `to` for a measure with
 *   no event date, such as "open now").
 * - Team and locality: the team of the child's latest allocation, and that team's locality.
 * - Disability: "yes" when any disability is recorded; "no" otherwise (recorded as none, or nothing
 *   recorded), as the CIN census counts it.
 * - Deprivation decile: the IMD 2025 decile of the neighbourhood of the child's latest address.
 */
import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import { z } from 'zod';
import type { FieldError } from '../../platform/errors.ts';
import {
  AGE_BANDS,
  ETHNIC_GROUPS,
  type AgeBand,
  type EthnicGroup,
  type InsightContext,
  type InsightFilters,
} from './types.ts';

export type FilterKey = keyof InsightFilters;

/** Every filter, in the order the form shows them. */
export const FILTER_KEYS: readonly FilterKey[] = [
  'from',
  'to',
  'localityId',
  'teamId',
  'ageBand',
  'sex',
  'ethnicGroup',
  'disability',
  'decile',
];

export const SEXES = ['M', 'F', 'U'] as const;
export const SEX_LABELS: Readonly<Record<(typeof SEXES)[number], string>> = {
  M: 'Male',
  F: 'Female',
  U: 'Not known',
};

/** What the form shows back: every field as typed (dates as day, month and year). */
export type FilterValues = Readonly<Record<string, string>>;

export type ParsedFilters =
  | { readonly ok: true; readonly filters: InsightFilters; readonly values: FilterValues }
  | { readonly ok: false; readonly errors: readonly FieldError[]; readonly values: FilterValues };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EARLIEST_YEAR = 1990;
const LATEST_YEAR = 2100;

/** The same day `months` months earlier or later (the last day of the month when it has fewer days). */
export function addMonths(iso: string, months: number): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, last));
  return first.toISOString().slice(0, 10);
}

export function addDays(iso: string, days: number): string {
  const at = new Date(`${iso}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

/** The last 12 months up to and including today: 16 March 2024 to 15 March 2025 for 15 March 2025. */
export function defaultFilters(today: string): InsightFilters {
  return { from: addDays(addMonths(today, -12), 1), to: today };
}

function isRealDate(iso: string): boolean {
  if (!ISO_DATE.test(iso)) return false;
  const at = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === iso;
}

function text(query: unknown, name: string, max = 60): string {
  if (typeof query !== 'object' || query === null) return '';
  const value: unknown = Reflect.get(query, name);
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first.trim().slice(0, max) : '';
}

const LABELS = { from: 'Date from', to: 'Date to' } as const;

/**
 * A date from the form: day, month and year boxes (`from-day`, `from-month`, `from-year`), or one
 * ISO value (`from=2024-04-01`, as the download links carry it). Blank = the default.
 */
function readDate(
  query: unknown,
  name: 'from' | 'to',
  fallback: string,
  values: Record<string, string>,
  errors: FieldError[],
): string {
  const day = text(query, `${name}-day`, 10);
  const month = text(query, `${name}-month`, 10);
  const year = text(query, `${name}-year`, 10);
  const iso = text(query, name, 20);
  const label = LABELS[name];
  if (day === '' && month === '' && year === '') {
    if (iso === '') return setParts(values, name, fallback);
    if (!isRealDate(iso)) {
      values[`${name}Day`] = '';
      values[`${name}Month`] = '';
      values[`${name}Year`] = '';
      errors.push({ field: name, message: `${label} must be a real date` });
      return fallback;
    }
    return setParts(values, name, iso);
  }
  values[`${name}Day`] = day;
  values[`${name}Month`] = month;
  values[`${name}Year`] = year;
  const missing = [day === '' ? 'day' : '', month === '' ? 'month' : '', year === '' ? 'year' : ''].filter(
    Boolean,
  );
  if (missing.length > 0) {
    errors.push({
      field: `${name}-${missing[0] ?? 'day'}`,
      message: `${label} must include a ${missing.join(' and ')}`,
    });
    return fallback;
  }
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) {
    errors.push({ field: name, message: `${label} must be a real date` });
    return fallback;
  }
  const candidate = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  if (!isRealDate(candidate)) {
    errors.push({ field: name, message: `${label} must be a real date` });
    return fallback;
  }
  const y = Number(year);
  if (y < EARLIEST_YEAR || y > LATEST_YEAR) {
    errors.push({ field: name, message: `${label} must be between ${EARLIEST_YEAR} and ${LATEST_YEAR}` });
    return fallback;
  }
  return candidate;
}

function setParts(values: Record<string, string>, name: string, iso: string): string {
  const [y = '', m = '', d = ''] = iso.split('-');
  values[`${name}Day`] = String(Number(d));
  values[`${name}Month`] = String(Number(m));
  values[`${name}Year`] = y;
  return iso;
}

/** The choices that are not dates, checked with zod: blank means "all". */
const choiceSchema = z.object({
  localityId: z
    .string()
    .regex(UUID, 'Choose a locality from the list')
    .optional()
    .transform((v) => v?.toLowerCase()),
  teamId: z
    .string()
    .regex(UUID, 'Choose a team from the list')
    .optional()
    .transform((v) => v?.toLowerCase()),
  ageBand: z
    .enum(AGE_BANDS as [AgeBand, ...AgeBand[]], { error: 'Choose an age band from the list' })
    .optional(),
  sex: z.enum(SEXES, { error: 'Choose a sex from the list' }).optional(),
  ethnicGroup: z
    .enum(ETHNIC_GROUPS as [EthnicGroup, ...EthnicGroup[]], { error: 'Choose an ethnic group from the list' })
    .optional(),
  disability: z
    .enum(['yes', 'no'], { error: 'Choose whether the child is disabled from the list' })
    .optional(),
  decile: z
    .string()
    .regex(/^(10|[1-9])$/, 'Deprivation decile must be a whole number from 1 to 10')
    .optional()
    .transform((v) => (v === undefined ? undefined : Number(v))),
});

/**
 * Reads the filters from a GET query. Only the filters the view honours are read (the others are
 * not on its form and are ignored). Errors come back with every value as typed, to show again.
 */
export function parseFilters(
  query: unknown,
  options: { readonly today: string; readonly honoured?: readonly FilterKey[] | undefined },
): ParsedFilters {
  const honoured = new Set(options.honoured ?? FILTER_KEYS);
  const values: Record<string, string> = {};
  const errors: FieldError[] = [];
  const defaults = defaultFilters(options.today);
  const from = readDate(query, 'from', defaults.from, values, errors);
  const to = readDate(query, 'to', defaults.to, values, errors);
  if (errors.length === 0 && from > to) {
    errors.push({ field: 'to', message: 'Date to must be the same as or after date from' });
  }

  const raw: Record<string, string | undefined> = {};
  for (const key of [
    'localityId',
    'teamId',
    'ageBand',
    'sex',
    'ethnicGroup',
    'disability',
    'decile',
  ] as const) {
    if (!honoured.has(key)) continue;
    const value = text(query, key);
    values[key] = value;
    raw[key] = value === '' ? undefined : value;
  }
  const parsed = choiceSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      errors.push({ field: String(issue.path[0] ?? 'filters'), message: issue.message });
    }
  }
  if (errors.length > 0 || !parsed.success) return { ok: false, errors, values };

  const choices = parsed.data;
  const filters: InsightFilters = {
    from,
    to,
    ...(choices.localityId === undefined ? {} : { localityId: choices.localityId }),
    ...(choices.teamId === undefined ? {} : { teamId: choices.teamId }),
    ...(choices.ageBand === undefined ? {} : { ageBand: choices.ageBand }),
    ...(choices.sex === undefined ? {} : { sex: choices.sex }),
    ...(choices.ethnicGroup === undefined ? {} : { ethnicGroup: choices.ethnicGroup }),
    ...(choices.disability === undefined ? {} : { disability: choices.disability }),
    ...(choices.decile === undefined ? {} : { decile: choices.decile }),
  };
  return { ok: true, filters, values };
}

/** The filters as a query string (ISO dates), for links that must carry them: CSV and PNG downloads. */
export function filtersQuery(filters: InsightFilters): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filters[key];
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  return params.toString();
}

/** The date of the event a measure counts: a column (e.g. `e.started_on`) and whether it is a timestamp. */
export type EventDate = {
  /** A column reference such as `r.received_at` (alias.column, letters, digits and underscores). */
  readonly column: string;
  /** A `timestamptz` column, read as the date in England. */
  readonly timestamp?: boolean | undefined;
};

const REFERENCE = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/i;

function ref(column: string): RawBuilder<unknown> {
  if (!REFERENCE.test(column)) throw new Error(`not a column reference: ${column}`);
  return sql.ref(column);
}

function asEvent(event: EventDate | string): EventDate {
  return typeof event === 'string' ? { column: event } : event;
}

/** The event's date (a timestamp as the date in England). */
export function eventDateSql(event: EventDate | string): RawBuilder<string> {
  const e = asEvent(event);
  return e.timestamp
    ? sql<string>`(${ref(e.column)} AT TIME ZONE 'Europe/London')::date`
    : sql<string>`${ref(e.column)}::date`;
}

/**
 * The event falls in the period, both ends included. Written so an index on the column can be used
 * (the column is compared, not transformed).
 */
export function inPeriod(
  filters: Pick<InsightFilters, 'from' | 'to'>,
  event: EventDate | string,
): RawBuilder<SqlBool> {
  const e = asEvent(event);
  const column = ref(e.column);
  const nextDay = addDays(filters.to, 1);
  if (e.timestamp) {
    return sql<SqlBool>`(${column} >= (${filters.from}::date::timestamp AT TIME ZONE 'Europe/London') AND ${column} < (${nextDay}::date::timestamp AT TIME ZONE 'Europe/London'))`;
  }
  return sql<SqlBool>`(${column} >= ${filters.from}::date AND ${column} < ${nextDay}::date)`;
}

/** Lowest and highest whole-year age of each band (18+ has no top). */
const BAND_AGES: Readonly<Record<AgeBand, readonly [number, number | undefined]>> = {
  '0-4': [0, 4],
  '5-9': [5, 9],
  '10-15': [10, 15],
  '16-17': [16, 17],
  '18+': [18, undefined],
};

/**
 * The child (date of birth `dob`) was in the age band on the date `at`: born on or before `at`
 * less the band's lowest age, and after `at` less one more than its highest age.
 */
export function ageBandCondition(
  band: AgeBand,
  dob: Expression<unknown>,
  at: Expression<unknown>,
): RawBuilder<SqlBool> {
  const [low, high] = BAND_AGES[band];
  const lowest = sql<SqlBool>`${dob} <= (${at} - make_interval(years => ${low}))::date`;
  if (high === undefined) return sql<SqlBool>`(${lowest})`;
  return sql<SqlBool>`(${lowest} AND ${dob} > (${at} - make_interval(years => ${high + 1}))::date)`;
}

/** The age band on the date `at`, for breakdowns (null when the date of birth is unknown or after `at`). */
export function ageBandSql(dob: Expression<unknown>, at: Expression<unknown>): RawBuilder<AgeBand | null> {
  const years = sql`date_part('year', age(${at}::date, ${dob}::date))`;
  return sql<AgeBand | null>`CASE
    WHEN ${dob} IS NULL OR ${dob} > ${at}::date THEN NULL
    WHEN ${years} < 5 THEN '0-4'
    WHEN ${years} < 10 THEN '5-9'
    WHEN ${years} < 16 THEN '10-15'
    WHEN ${years} < 18 THEN '16-17'
    ELSE '18+' END`;
}

export type ApplyOptions = {
  /** The alias of `insight_children` in the query (default `c`). */
  readonly child?: string | undefined;
  /** The event the measure counts: limits it to the period, and the age band is the age on its date. */
  readonly event?: EventDate | string | undefined;
  /** Leave out the period condition (e.g. for a measure of children open on `to`). Default false. */
  readonly noPeriod?: boolean | undefined;
  /** Leave out the organisation condition (when the query limits it elsewhere). Default false. */
  readonly noOrganisation?: boolean | undefined;
};

/**
 * Every filter as one SQL condition, for `WHERE ${applyFilters(ctx, { event: 'r.received_on' })}`
 * in a `sql` template or `.where(applyFilters(...))` in a Kysely query:
 * the child belongs to the organisation, matches the chosen locality, team, sex, ethnic group,
 * disability and deprivation decile, the event falls in the period, and the child was in the
 * chosen age band on the event's date (on `to` when there is no event).
 */
export function applyFilters(
  ctx: Pick<InsightContext, 'filters' | 'organisationId'>,
  options: ApplyOptions = {},
): RawBuilder<SqlBool> {
  const { filters } = ctx;
  const c = options.child ?? 'c';
  const col = (name: string) => ref(`${c}.${name}`);
  const parts: RawBuilder<SqlBool>[] = [];
  if (!options.noOrganisation)
    parts.push(sql<SqlBool>`${col('organisation_id')} = ${ctx.organisationId}::uuid`);
  if (filters.localityId !== undefined)
    parts.push(sql<SqlBool>`${col('locality_id')} = ${filters.localityId}::uuid`);
  if (filters.teamId !== undefined) parts.push(sql<SqlBool>`${col('team_id')} = ${filters.teamId}::uuid`);
  if (filters.sex !== undefined) parts.push(sql<SqlBool>`${col('sex')} = ${filters.sex}`);
  if (filters.ethnicGroup !== undefined)
    parts.push(sql<SqlBool>`${col('ethnic_group')} = ${filters.ethnicGroup}`);
  if (filters.disability === 'yes') parts.push(sql<SqlBool>`${col('disabled')} IS TRUE`);
  if (filters.disability === 'no') parts.push(sql<SqlBool>`${col('disabled')} IS NOT TRUE`);
  if (filters.decile !== undefined) parts.push(sql<SqlBool>`${col('imd_decile')} = ${filters.decile}`);
  if (options.event !== undefined && !options.noPeriod) parts.push(inPeriod(filters, options.event));
  if (filters.ageBand !== undefined) {
    const at = options.event === undefined ? sql`${filters.to}::date` : eventDateSql(options.event);
    parts.push(ageBandCondition(filters.ageBand, col('date_of_birth'), at));
  }
  if (parts.length === 0) return sql<SqlBool>`true`;
  return sql<SqlBool>`(${sql.join(parts, sql` AND `)})`;
}

/** The filters in words, for the page and the CSV's heading lines (names of teams/localities given). */
export function describeFilters(
  filters: InsightFilters,
  names: {
    readonly teams?: ReadonlyMap<string, string>;
    readonly localities?: ReadonlyMap<string, string>;
  } = {},
): string[] {
  const lines = [`From ${filters.from} to ${filters.to}`];
  if (filters.localityId !== undefined) {
    lines.push(`Locality: ${names.localities?.get(filters.localityId) ?? 'not known'}`);
  }
  if (filters.teamId !== undefined) lines.push(`Team: ${names.teams?.get(filters.teamId) ?? 'not known'}`);
  if (filters.ageBand !== undefined) lines.push(`Age: ${filters.ageBand}`);
  if (filters.sex !== undefined) lines.push(`Sex: ${SEX_LABELS[filters.sex]}`);
  if (filters.ethnicGroup !== undefined) lines.push(`Ethnic group: ${filters.ethnicGroup}`);
  if (filters.disability !== undefined)
    lines.push(`Disabled: ${filters.disability === 'yes' ? 'Yes' : 'No'}`);
  if (filters.decile !== undefined) lines.push(`Deprivation decile: ${String(filters.decile)}`);
  return lines;
}
