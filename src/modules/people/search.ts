import {
  expressionBuilder,
  sql,
  type Expression,
  type ExpressionBuilder,
  type RawBuilder,
  type SqlBool,
} from 'kysely';
import type { Database } from '../../db/database.ts';
import { recordView } from '../../platform/audit/audit.ts';
import type { Deps } from '../../platform/deps.ts';
import { ForbiddenError, InvalidInputError, type FieldError } from '../../platform/errors.ts';
import { can, type Actor } from '../access/actor.ts';
import { personInScope } from '../access/person-scope.ts';
import { normaliseNhsNumber, normalisePostcode, normaliseUpn } from './identifiers.ts';
import { givenNameVariants } from './nicknames.ts';
import { restrictedFrom } from './restrictions.ts';

/**
 * Finding people: by name (typos, nicknames, sound-alikes and previous names), date of birth (exact
 * or approximate), identifier (NHS number, UPN, council person ID) and postcode (current or past).
 *
 * Every field given must match. Results are limited to the searcher's record scope in SQL; merged
 * records never appear; a record restricted from the searcher appears by its current name only, and
 * only when the name typed matches that current name (never by a previous name, a date of birth, an
 * identifier or a postcode, so the search cannot be used to link a restricted person to any of them).
 * Each search writes one audit row with the fields used and the number of results, never the terms.
 */

export type SearchInput = {
  readonly name?: string;
  readonly dateOfBirth?: { readonly day?: string; readonly month?: string; readonly year?: string };
  readonly identifier?: string;
  readonly postcode?: string;
  readonly requestId?: string | null;
};

export type SearchField = 'name' | 'dateOfBirth' | 'identifier' | 'postcode';

/** How well the name matched, best first. */
export type NameMatch = 'exact' | 'nickname' | 'sounds-like' | 'similar';

export type FullResult = {
  readonly restricted: false;
  readonly id: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly preferredName: string | null;
  readonly dateOfBirth: string | null;
  /** The first half of the current address's postcode ("AL1"), never the whole postcode. */
  readonly postcodeArea: string | null;
  readonly teamName: string | null;
  /** Undefined when the search had no name. */
  readonly nameMatch: NameMatch | undefined;
  /** Found by a previous name, alias or name at birth rather than the current name. */
  readonly matchedPreviousName: boolean;
};

/** A record restricted from the searcher: the current name and nothing else (not even its id). */
export type RestrictedResult = {
  readonly restricted: true;
  readonly givenName: string;
  readonly familyName: string;
};

export type SearchResult = FullResult | RestrictedResult;

export type SearchOutcome = {
  readonly results: readonly SearchResult[];
  /** More people matched than are shown: the searcher should add details. */
  readonly more: boolean;
  readonly fieldsUsed: readonly SearchField[];
};

export const SEARCH_LIMIT = 50;

/**
 * How similar, by trigrams, a typed name must be to a stored one to count. A single word is compared
 * with the best-matching stretch of the stored name (pg_trgm word similarity, `<%`), so "Kayley"
 * finds "Kayleigh Brown"; a full name is compared whole (similarity, `%`), since against a stretch
 * "Oliver Smtih" would match every Oliver. Lower finds more typos but adds noise and slows the
 * search; the phonetic and edit-distance routes catch the short-name typos trigrams miss. Both are
 * set for the search's own transaction only. See bench/search.ts.
 */
export const WORD_SIMILARITY_THRESHOLD = 0.4;
export const SIMILARITY_THRESHOLD = 0.6;

const NAME_MAX = 100;
const IDENTIFIER_MAX = 50;
const POSTCODE_MAX = 10;

// ---------------------------------------------------------------------------------------------
// Parsing what was typed (pure functions)
// ---------------------------------------------------------------------------------------------

export type NameQuery = {
  /** Lower case, single spaces: what is compared with `search_name`. */
  readonly text: string;
  readonly words: readonly string[];
  /** One word: compared with given, preferred and family names alike. */
  readonly single: boolean;
  /** First word (given name) and last word (family name) when there are two or more. */
  readonly given: string;
  readonly family: string;
  /** Every word but the last ("mary ann" in "Mary Ann Smith"). */
  readonly givenAll: string;
  /** The given name was typed as an initial ("J Smith"). */
  readonly initial: boolean;
};

const NAME_PATTERN = /^[\p{L}\p{M}' -]+$/u;

export function parseName(raw: string): NameQuery | FieldError | undefined {
  const text = raw.normalize('NFC').replace(/[‘’`]/g, "'").replace(/\s+/g, ' ').trim().toLowerCase();
  if (text === '') return undefined;
  if (text.length > NAME_MAX)
    return { field: 'name', message: `Name must be ${NAME_MAX} characters or fewer` };
  if (!NAME_PATTERN.test(text)) {
    return {
      field: 'name',
      message: 'Name must only include letters a to z, hyphens, spaces and apostrophes',
    };
  }
  const words = text
    .split(' ')
    .map((w) => w.replace(/^['-]+|['-]+$/g, ''))
    .filter((w) => w.length > 0);
  const first = words[0];
  const last = words.at(-1);
  if (first === undefined || last === undefined) {
    return {
      field: 'name',
      message: 'Name must only include letters a to z, hyphens, spaces and apostrophes',
    };
  }
  const single = words.length === 1;
  return {
    text: words.join(' '),
    words,
    single,
    given: first,
    family: last,
    givenAll: words.slice(0, -1).join(' ') || first,
    initial: !single && Array.from(first).length === 1,
  };
}

/** An inclusive range of ISO dates. */
export type DateRange = { readonly from: string; readonly to: string };

/** A date of birth to look for: an exact date or period, and the near misses also accepted. */
export type DateOfBirthQuery = { readonly exact: DateRange; readonly near: readonly DateRange[] };

function iso(year: number, month: number, day: number): string | undefined {
  if (month < 1 || month > 12 || day < 1) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return undefined;
  return date.toISOString().slice(0, 10);
}

function lastDayOfMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function single(date: string): DateRange {
  return { from: date, to: date };
}

/**
 * A date of birth from the GOV.UK date input. A full date also finds the same day and month a year
 * either side, and the day and month swapped (4/11 for 11/4) in that year or a year either side; a
 * month and year finds that month, and the same month a year either side; a year alone finds that
 * year, and a year either side. Exact matches rank first.
 */
export function parseDateOfBirth(
  parts: { readonly day?: string; readonly month?: string; readonly year?: string },
  today: Date,
): DateOfBirthQuery | FieldError | undefined {
  const day = (parts.day ?? '').trim();
  const month = (parts.month ?? '').trim();
  const year = (parts.year ?? '').trim();
  if (day === '' && month === '' && year === '') return undefined;
  if (year === '') return { field: 'dateOfBirth-year', message: 'Date of birth must include a year' };
  if (day !== '' && month === '')
    return { field: 'dateOfBirth-month', message: 'Date of birth must include a month' };
  if (!/^\d{1,2}$/.test(day || '1') || !/^\d{1,2}$/.test(month || '1') || !/^\d+$/.test(year)) {
    return { field: 'dateOfBirth', message: 'Date of birth must be a real date' };
  }
  if (!/^\d{4}$/.test(year)) return { field: 'dateOfBirth-year', message: 'Year must include 4 numbers' };
  const y = Number(year);
  const m = month === '' ? undefined : Number(month);
  const d = day === '' ? undefined : Number(day);
  const thisYear = today.getUTCFullYear();
  if (y < 1900) return { field: 'dateOfBirth-year', message: 'Date of birth must be after 1900' };

  if (m === undefined) {
    if (y > thisYear) return { field: 'dateOfBirth', message: 'Date of birth must be in the past' };
    const yearRange = (n: number): DateRange => ({ from: `${n}-01-01`, to: `${n}-12-31` });
    return { exact: yearRange(y), near: [yearRange(y - 1), yearRange(y + 1)] };
  }
  if (m < 1 || m > 12) return { field: 'dateOfBirth-month', message: 'Date of birth must be a real date' };
  if (d === undefined) {
    const monthRange = (n: number): DateRange => ({
      from: `${n}-${String(m).padStart(2, '0')}-01`,
      to: `${n}-${String(m).padStart(2, '0')}-${String(lastDayOfMonth(n, m))}`,
    });
    if (y > thisYear || (y === thisYear && m > today.getUTCMonth() + 1)) {
      return { field: 'dateOfBirth', message: 'Date of birth must be in the past' };
    }
    return { exact: monthRange(y), near: [monthRange(y - 1), monthRange(y + 1)] };
  }
  const exact = iso(y, m, d);
  if (exact === undefined) return { field: 'dateOfBirth', message: 'Date of birth must be a real date' };
  if (exact > today.toISOString().slice(0, 10))
    return { field: 'dateOfBirth', message: 'Date of birth must be in the past' };
  const near = new Set<string>();
  for (const candidate of [
    iso(y - 1, m, d),
    iso(y + 1, m, d),
    ...(d !== m ? [iso(y, d, m), iso(y - 1, d, m), iso(y + 1, d, m)] : []),
  ]) {
    if (candidate !== undefined && candidate !== exact) near.add(candidate);
  }
  return { exact: single(exact), near: [...near].sort().map(single) };
}

/** The forms an identifier may take: any of them matching is a hit. */
export type IdentifierQuery = {
  readonly nhsNumber: string | undefined;
  readonly upn: string | undefined;
  readonly councilIds: readonly string[];
};

export function parseIdentifier(raw: string): IdentifierQuery | FieldError | undefined {
  const value = raw.trim();
  if (value === '') return undefined;
  if (value.length > IDENTIFIER_MAX) {
    return { field: 'identifier', message: `Identifier must be ${IDENTIFIER_MAX} characters or fewer` };
  }
  const digits = normaliseNhsNumber(value);
  const upn = normaliseUpn(value);
  return {
    nhsNumber: /^\d{10}$/.test(digits) ? digits : undefined,
    upn: /^[A-Z]\d{11}[0-9A-Z]$/.test(upn) ? upn : undefined,
    councilIds: [...new Set([value, value.replace(/\s+/g, '')])],
  };
}

export type PostcodeQuery = { readonly canonical: string; readonly compact: string };

export function parsePostcode(raw: string): PostcodeQuery | FieldError | undefined {
  const value = raw.trim();
  if (value === '') return undefined;
  const canonical = value.length > POSTCODE_MAX ? undefined : normalisePostcode(value);
  if (canonical === undefined) return { field: 'postcode', message: 'Enter a real postcode, like AA1 1AA' };
  return { canonical, compact: canonical.replace(' ', '') };
}

type ParsedSearch = {
  readonly name: NameQuery | undefined;
  readonly dateOfBirth: DateOfBirthQuery | undefined;
  readonly identifier: IdentifierQuery | undefined;
  readonly postcode: PostcodeQuery | undefined;
};

function isFieldError(value: unknown): value is FieldError {
  return typeof value === 'object' && value !== null && 'field' in value && 'message' in value;
}

/** Checks what was typed; throws InvalidInputError with GOV.UK messages when it cannot be searched. */
export function parseSearch(input: SearchInput, today: Date): ParsedSearch {
  const name = parseName(input.name ?? '');
  const dateOfBirth = parseDateOfBirth(input.dateOfBirth ?? {}, today);
  const identifier = parseIdentifier(input.identifier ?? '');
  const postcode = parsePostcode(input.postcode ?? '');
  const errors = [name, dateOfBirth, identifier, postcode].filter(isFieldError);
  if (errors.length > 0) throw new InvalidInputError(errors);
  if (!name && !dateOfBirth && !identifier && !postcode) {
    throw new InvalidInputError([
      { field: 'name', message: 'Enter a name, date of birth, identifier or postcode to search for' },
    ]);
  }
  return {
    name: name as NameQuery | undefined,
    dateOfBirth: dateOfBirth as DateOfBirthQuery | undefined,
    identifier: identifier as IdentifierQuery | undefined,
    postcode: postcode as PostcodeQuery | undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// The query
// ---------------------------------------------------------------------------------------------

/** Searching needs permission to read people at some scope; the results are then scoped in SQL. */
export function assertMaySearch(actor: Actor): void {
  if (!can(actor, 'person', 'read')) throw new ForbiddenError();
}

type Executor = Deps['db'];

type NameKeys = {
  /** The typed given name (or single word) with its nickname variants. */
  readonly givenVariants: readonly string[];
  /** Double-metaphone keys of those variants. */
  readonly givenKeys: readonly string[];
  /** Double-metaphone key of the family name (or single word). */
  readonly familyKeys: readonly string[];
  /**
   * Two words: the family names in use (current or previous, from `search_names`) that begin with
   * the letter typed and are within `editsAllowed` typing errors of the family name typed; the same
   * for given names. A short list, so that "a sound-alike given name with a family name a typo or two
   * away" is an exact index lookup on each name rather than every person with the initial checked.
   */
  readonly familyNear: readonly string[];
  readonly givenNear: readonly string[];
};

/** Phonetic keys computed by the database, so they are the very function the trigger used. */
async function nameKeys(db: Executor, name: NameQuery): Promise<NameKeys> {
  const givenVariants = name.initial ? [name.given] : givenNameVariants(name.given);
  const words = [...new Set([...givenVariants, name.family])];
  const rows = await sql<{ word: string; key: string | null }>`
    SELECT v.word, dmetaphone(v.word) AS key
    FROM (VALUES ${sql.join(words.map((w) => sql`(${w}::text)`))}) AS v(word)`.execute(db);
  const keyOf = new Map(rows.rows.map((r) => [r.word, r.key ?? '']));
  const keys = (list: readonly string[]) => [
    ...new Set(list.map((w) => keyOf.get(w) ?? '').filter((k) => k !== '')),
  ];
  const near = name.single || name.initial ? [] : await namesNear(db, name);
  return {
    givenVariants,
    givenKeys: name.initial ? [] : keys(givenVariants),
    familyKeys: keys([name.family]),
    familyNear: near.filter((n) => n.part === 'family').map((n) => n.name),
    givenNear: near.filter((n) => n.part === 'given').map((n) => n.name),
  };
}

/**
 * The names in use a typo or two from each name typed, with the same first letter (the test the
 * edit-distance routes of `nameConditions` apply to each person, applied once to each distinct name).
 */
async function namesNear(db: Executor, name: NameQuery): Promise<{ name: string; part: string }[]> {
  const routes = [
    { part: 'family', word: name.family, edits: editsAllowed(name.family) },
    { part: 'given', word: name.given, edits: editsAllowed(name.given) },
  ].filter((r) => r.edits > 0);
  if (routes.length === 0) return [];
  const result = await sql<{ name: string; part: string }>`
    SELECT s.name, s.part FROM search_names s
    JOIN (VALUES ${sql.join(routes.map((r) => sql`(${r.part}::text, ${r.word}::text, ${initialOf(r.word)}::text, ${r.edits}::int)`))})
      AS t(part, word, initial, edits)
      ON s.part = t.part AND left(s.name, 1) = t.initial
    WHERE levenshtein_less_equal(s.name, t.word, t.edits) <= t.edits
    ORDER BY s.part, s.name`.execute(db);
  return result.rows;
}

/** `expr IN (values)`, or false for an empty list. */
function inList(expr: RawBuilder<unknown>, values: readonly string[]): RawBuilder<SqlBool> {
  if (values.length === 0) return sql<SqlBool>`false`;
  return sql<SqlBool>`${expr} IN (${sql.join(values)})`;
}

/** How many typing errors (insertions, deletions, substitutions) a word may carry and still match. */
function editsAllowed(word: string): number {
  const length = Array.from(word).length;
  if (length <= 2) return 0;
  // Levenshtein counts two swapped letters ("Smiht") as two edits.
  return length <= 4 ? 1 : 2;
}

function initialOf(word: string): string {
  return Array.from(word)[0] ?? '';
}

/** The columns a name row offers, whether from `people` or `person_names`. */
type NameColumns = {
  readonly given: RawBuilder<unknown>;
  /** People's preferred name; previous names have none. */
  readonly preferred: RawBuilder<unknown>;
  readonly family: RawBuilder<unknown>;
  readonly givenKey: RawBuilder<unknown>;
  readonly familyKey: RawBuilder<unknown>;
  /** `lower(left(…, 1))`, exactly as indexed (migration 0003). */
  readonly givenInitial: RawBuilder<unknown>;
  readonly searchName: RawBuilder<unknown>;
};

/**
 * The ways a name row can match, each backed by an index on its own (the caller ORs them, which
 * PostgreSQL answers with a BitmapOr: a union of the rows each index finds):
 * sound-alike keys for both names; the whole name similar by trigrams (for two or more words, with
 * the first and the last word each like a word of the stored name); a sound-alike given name with
 * a family name a typo or two away, and the other way round (the first letter of the mistyped name
 * taken as right; the names a typo away are found first in `search_names`, see `namesNear`).
 */
function nameConditions(name: NameQuery, keys: NameKeys, c: NameColumns): RawBuilder<SqlBool>[] {
  if (name.single) {
    return [
      inList(c.givenKey, keys.givenKeys),
      inList(c.familyKey, keys.familyKeys),
      sql<SqlBool>`${name.text} <% ${c.searchName}`,
    ];
  }
  const whole = sql<SqlBool>`${name.text} % ${c.searchName}`;
  if (name.initial) {
    return [
      sql<SqlBool>`${inList(c.familyKey, keys.familyKeys)} AND ${c.givenInitial} = ${name.given}`,
      whole,
    ];
  }
  const conditions = [
    sql<SqlBool>`${inList(c.familyKey, keys.familyKeys)} AND ${inList(c.givenKey, keys.givenKeys)}`,
    // The whole name similar, and each of the names typed like one of the stored ones. The trigram
    // index answers all three at once; the whole-name test alone would make it hand over every
    // Brown for "Bill Brown" (each shares enough trigrams to pass the index), only for nearly all
    // to fail the check on the row itself (bench/search.ts: about 10,000 rows read for none kept).
    sql<SqlBool>`${whole} AND ${name.given} <% ${c.searchName} AND ${name.family} <% ${c.searchName}`,
  ];
  // A sound-alike given name with a family name a typo or two away (same first letter), and the other
  // way round: the names a typo away come from `search_names` (keys.familyNear, keys.givenNear), so
  // each route is an exact lookup of (name, key) pairs (migration 0028), not every person with the
  // key and the initial read to be checked one by one.
  if (editsAllowed(name.family) > 0) {
    conditions.push(
      sql<SqlBool>`${inList(sql`lower(${c.family})`, keys.familyNear)} AND ${inList(c.givenKey, keys.givenKeys)}`,
    );
  }
  if (editsAllowed(name.given) > 0) {
    conditions.push(
      sql<SqlBool>`${inList(sql`lower(${c.given})`, keys.givenNear)} AND ${inList(c.familyKey, keys.familyKeys)}`,
    );
  }
  return conditions;
}

/** 4 exact, 3 nickname, 2 sounds like, 1 similar spelling. */
function tierSql(name: NameQuery, keys: NameKeys, c: NameColumns): RawBuilder<number> {
  const given = sql`lower(${c.given})`;
  const preferred = sql`lower(${c.preferred})`;
  const family = sql`lower(${c.family})`;
  if (name.single) {
    const w = name.text;
    return sql<number>`CASE
      WHEN ${given} = ${w} OR ${preferred} = ${w} OR ${family} = ${w} THEN 4
      WHEN ${inList(given, keys.givenVariants)} OR ${inList(preferred, keys.givenVariants)} THEN 3
      WHEN ${inList(c.givenKey, keys.givenKeys)} OR ${inList(c.familyKey, keys.familyKeys)} THEN 2
      ELSE 1 END`;
  }
  if (name.initial) {
    return sql<number>`CASE
      WHEN ${c.givenInitial} = ${name.given} AND ${family} = ${name.family} THEN 4
      WHEN ${c.givenInitial} = ${name.given} AND ${inList(c.familyKey, keys.familyKeys)} THEN 2
      ELSE 1 END`;
  }
  return sql<number>`CASE
    WHEN (${given} IN (${name.given}, ${name.givenAll}) OR ${preferred} = ${name.given}) AND ${family} = ${name.family} THEN 4
    WHEN (${inList(given, keys.givenVariants)} OR ${inList(preferred, keys.givenVariants)}) AND ${family} = ${name.family} THEN 3
    WHEN ${inList(c.givenKey, keys.givenKeys)} AND ${inList(c.familyKey, keys.familyKeys)} THEN 2
    ELSE 1 END`;
}

const CURRENT_NAME: NameColumns = {
  given: sql.ref('people.given_name'),
  preferred: sql.ref('people.preferred_name'),
  family: sql.ref('people.family_name'),
  givenKey: sql.ref('people.given_name_key'),
  familyKey: sql.ref('people.family_name_key'),
  givenInitial: sql`lower(left(people.given_name, 1))`,
  searchName: sql.ref('people.search_name'),
};

const PREVIOUS_NAME: NameColumns = {
  given: sql.ref('pn.given_name'),
  preferred: sql`NULL::text`,
  family: sql.ref('pn.family_name'),
  givenKey: sql`dmetaphone(pn.given_name)`,
  familyKey: sql`dmetaphone(pn.family_name)`,
  givenInitial: sql`lower(left(pn.given_name, 1))`,
  searchName: sql.ref('pn.search_name'),
};

type PeopleEb = ExpressionBuilder<Database, 'people'>;

function dobCondition(eb: PeopleEb, dob: DateOfBirthQuery): Expression<SqlBool> {
  return eb.or([dob.exact, ...dob.near].map((r) => eb.between('people.date_of_birth', r.from, r.to)));
}

/** 1 for the exact date (or period) typed, 0 for a near miss. */
function dobExact(eb: PeopleEb, dob: DateOfBirthQuery): RawBuilder<number> {
  return sql<number>`CASE WHEN ${eb.between('people.date_of_birth', dob.exact.from, dob.exact.to)} THEN 1 ELSE 0 END`;
}

function identifierCondition(eb: PeopleEb, identifier: IdentifierQuery): Expression<SqlBool> {
  const routes: Expression<SqlBool>[] = [eb('people.council_person_id', 'in', [...identifier.councilIds])];
  if (identifier.nhsNumber) routes.push(eb('people.nhs_number', '=', identifier.nhsNumber));
  if (identifier.upn) routes.push(eb('people.upn', '=', identifier.upn));
  return eb.or(routes);
}

function postcodeCondition(eb: PeopleEb, postcode: PostcodeQuery): Expression<SqlBool> {
  return eb.exists(
    eb
      .selectFrom('person_addresses as a')
      .select(sql.lit(1).as('one'))
      .whereRef('a.person_id', '=', 'people.id')
      .where('a.postcode', 'in', [postcode.canonical, postcode.compact]),
  );
}

const TIER_MATCH: Record<number, NameMatch> = { 4: 'exact', 3: 'nickname', 2: 'sounds-like', 1: 'similar' };

function postcodeArea(postcode: string | null): string | null {
  if (postcode === null) return null;
  const canonical = normalisePostcode(postcode);
  return canonical ? (canonical.split(' ')[0] ?? null) : null;
}

type Row = {
  id: string;
  given_name: string;
  family_name: string;
  preferred_name: string | null;
  date_of_birth: string | null;
  restricted: boolean;
  current_tier: number | null;
  previous_tier: number | null;
};

/**
 * The best matches by name, within scope, restricted records judged on their current name alone.
 *
 * One pass over `people` whose condition ORs the index-backed ways a name can match (so PostgreSQL
 * reads each candidate once, through a BitmapOr of the trigram and phonetic-key indexes), UNION ALL
 * the same over previous names; the record scope and the other criteria are evaluated on those
 * candidates only, and whether each is restricted from the searcher is looked up in the (small) set
 * of restricted records rather than tested row by row.
 */
async function searchByName(
  trx: Executor,
  actor: Actor,
  deps: Deps,
  parsed: ParsedSearch & { name: NameQuery },
): Promise<Row[]> {
  const { name, dateOfBirth } = parsed;
  const keys = await nameKeys(trx, name);
  const eb = expressionBuilder<Database, 'people'>();
  const inScope = personInScope(actor, 'read', deps.clock)(eb);
  const others = otherCriteria(parsed).map((criterion) => criterion(eb));
  const matchesOther = others.length > 0 ? eb.and(others) : sql<SqlBool>`true`;
  const dobRank = dateOfBirth ? dobExact(eb, dateOfBirth) : sql<number>`0`;
  const anyOf = (conditions: RawBuilder<SqlBool>[]) =>
    sql.join(
      conditions.map((c) => sql`(${c})`),
      sql` OR `,
    );
  const columns = sql`people.id, people.given_name, people.family_name, people.preferred_name, people.date_of_birth,
    ${matchesOther} AS matches_other, ${dobRank} AS dob_rank`;
  const result = await sql<Row>`
    WITH restricted_ids AS MATERIALIZED (
      SELECT people.id FROM people
      WHERE people.id IN (SELECT r.person_id FROM person_restrictions r WHERE r.ended_at IS NULL)
        AND ${restrictedFrom(actor, deps.clock)(eb)}
    ),
    matches AS (
      SELECT ${columns},
        ${tierSql(name, keys, CURRENT_NAME)} AS current_tier, NULL::int AS previous_tier,
        similarity(people.search_name, ${name.text}) AS current_similarity, NULL::real AS previous_similarity
      FROM people
      WHERE people.merged_into IS NULL AND ${inScope} AND (${anyOf(nameConditions(name, keys, CURRENT_NAME))})
      UNION ALL
      SELECT ${columns},
        NULL::int, ${tierSql(name, keys, PREVIOUS_NAME)}, NULL::real, similarity(pn.search_name, ${name.text})
      FROM person_names pn JOIN people ON people.id = pn.person_id
      WHERE people.merged_into IS NULL AND ${inScope} AND (${anyOf(nameConditions(name, keys, PREVIOUS_NAME))})
    ),
    hits AS (
      SELECT m.id, m.given_name, m.family_name, m.preferred_name, m.date_of_birth, m.matches_other, m.dob_rank,
        max(m.current_tier) AS current_tier, max(m.previous_tier) AS previous_tier,
        max(m.current_similarity) AS current_similarity,
        greatest(max(m.current_similarity), max(m.previous_similarity)) AS similarity
      FROM matches m
      GROUP BY m.id, m.given_name, m.family_name, m.preferred_name, m.date_of_birth, m.matches_other, m.dob_rank
    )
    SELECT h.id, h.given_name, h.family_name, h.preferred_name, h.date_of_birth,
      (x.id IS NOT NULL) AS restricted, h.current_tier, h.previous_tier
    FROM hits h LEFT JOIN restricted_ids x ON x.id = h.id
    -- Restricted from the searcher: found by the current name alone, nothing else consulted.
    WHERE (x.id IS NOT NULL AND h.current_tier IS NOT NULL) OR (x.id IS NULL AND h.matches_other)
    ORDER BY
      CASE WHEN x.id IS NOT NULL THEN h.current_tier ELSE greatest(h.current_tier, h.previous_tier) END DESC,
      CASE WHEN x.id IS NOT NULL THEN 0 ELSE h.dob_rank END DESC,
      CASE WHEN x.id IS NOT NULL THEN h.current_similarity ELSE h.similarity END DESC,
      h.family_name, h.given_name, h.id
    LIMIT ${SEARCH_LIMIT + 1}`.execute(trx);
  return result.rows;
}

/**
 * One word and nothing else (the commonest search, and the one that can match tens of thousands of
 * people: "Smiht" is like every Smith). Rather than compare the word with every person's name, look
 * it up in `search_names`, the distinct names in use (migration 0006), to learn which names it could
 * mean and how well (the same routes and tiers as `nameConditions` and `tierSql`: the very name, a
 * nickname, a sound-alike key, or a similar spelling by trigrams), then read people by each of those
 * exact names through btree indexes already in result order, at most SEARCH_LIMIT + 1 per name.
 *
 * Results come in tier order; within a tier, people found by their current name before those found
 * by a previous one, then by how close the name found is to the word typed (trigram similarity of
 * the two names; a family name before a given or preferred name as close), then by family name,
 * given name and id. (Two-word searches order within a tier by the similarity of the whole name
 * instead, which needs every candidate scored.)
 * The first SEARCH_LIMIT + 1 of that order are always among the rows read: each person's place is
 * set by their best-matching name, and each list is read in that order as far as it can matter.
 */
async function searchBySingleWord(trx: Executor, actor: Actor, deps: Deps, name: NameQuery): Promise<Row[]> {
  const keys = await nameKeys(trx, name);
  const eb = expressionBuilder<Database, 'people'>();
  const inScope = personInScope(actor, 'read', deps.clock)(eb);
  const w = name.text;
  const limit = SEARCH_LIMIT + 1;
  const stored = sql.ref('s.name');
  const key = sql.ref('s.name_key');
  const columns = sql`people.id, people.given_name, people.family_name, people.preferred_name, people.date_of_birth`;
  /** The people currently called `wd.name` as the given part of their name, best first. */
  const current = (column: 'given_name' | 'preferred_name' | 'family_name', part: string) => sql`
    SELECT p.*, wd.rank + 2 AS rank, true AS current FROM words wd CROSS JOIN LATERAL (
      SELECT ${columns} FROM people
      WHERE lower(${sql.ref(`people.${column}`)}) = wd.name AND people.merged_into IS NULL
        ${column === 'preferred_name' ? sql`AND people.preferred_name IS NOT NULL` : sql``} AND ${inScope}
      ORDER BY people.family_name, people.given_name, people.id
      LIMIT ${limit}) p
    WHERE wd.part = ${part}`;
  /** People once called `wd.name`; never someone restricted from the searcher. */
  const previous = (column: 'given_name' | 'family_name', part: string) => sql`
    SELECT p.*, wd.rank, false AS current FROM words wd CROSS JOIN LATERAL (
      SELECT DISTINCT ${columns} FROM person_names pn JOIN people ON people.id = pn.person_id
      WHERE lower(${sql.ref(`pn.${column}`)}) = wd.name AND people.merged_into IS NULL AND ${inScope}
        AND people.id NOT IN (SELECT x.id FROM restricted_ids x)
      ORDER BY people.family_name, people.given_name, people.id
      LIMIT ${limit}) p
    WHERE wd.part = ${part}`;
  const result = await sql<Row>`
    WITH restricted_ids AS MATERIALIZED (
      SELECT people.id FROM people
      WHERE people.id IN (SELECT r.person_id FROM person_restrictions r WHERE r.ended_at IS NULL)
        AND ${restrictedFrom(actor, deps.clock)(eb)}
    ),
    tiers AS (
      SELECT s.name, s.part,
        CASE
          WHEN ${stored} = ${w} THEN 4
          WHEN s.part <> 'family' AND ${inList(stored, keys.givenVariants)} THEN 3
          WHEN s.part = 'given' AND ${inList(key, keys.givenKeys)} THEN 2
          WHEN s.part = 'family' AND ${inList(key, keys.familyKeys)} THEN 2
          ELSE 1 END AS tier,
        similarity(s.name, ${w}) AS closeness
      FROM search_names s
      WHERE ${w} <% s.name
        OR (s.part = 'given' AND ${inList(key, keys.givenKeys)})
        OR (s.part = 'family' AND ${inList(key, keys.familyKeys)})
    ),
    -- One number to order by: the tier first; within it a current name (+2) before a previous one,
    -- then the closeness (0 to 1) of the name found, and a family name before a given name equally
    -- close (the same name used as both, "Harrison").
    words AS MATERIALIZED (
      SELECT t.name, t.part,
        t.tier * 4 + t.closeness * 0.99 + CASE WHEN t.part = 'family' THEN 0.01 ELSE 0 END AS rank
      FROM tiers t
    ),
    entries AS (
      ${current('given_name', 'given')}
      UNION ALL ${current('preferred_name', 'preferred')}
      UNION ALL ${current('family_name', 'family')}
      UNION ALL ${previous('given_name', 'given')}
      UNION ALL ${previous('family_name', 'family')}
    ),
    hits AS (
      SELECT e.id, e.given_name, e.family_name, e.preferred_name, e.date_of_birth, max(e.rank) AS rank,
        max(floor(e.rank / 4)) FILTER (WHERE e.current)::int AS current_tier,
        max(floor(e.rank / 4)) FILTER (WHERE NOT e.current)::int AS previous_tier
      FROM entries e
      GROUP BY e.id, e.given_name, e.family_name, e.preferred_name, e.date_of_birth
    )
    SELECT h.id, h.given_name, h.family_name, h.preferred_name, h.date_of_birth,
      (x.id IS NOT NULL) AS restricted, h.current_tier, h.previous_tier
    FROM hits h LEFT JOIN restricted_ids x ON x.id = h.id
    ORDER BY h.rank DESC, h.family_name, h.given_name, h.id
    LIMIT ${limit}`.execute(trx);
  return result.rows;
}

/** Every criterion other than the name: applied only to records the searcher may see in full. */
function otherCriteria(parsed: ParsedSearch): ((eb: PeopleEb) => Expression<SqlBool>)[] {
  const { dateOfBirth, identifier, postcode } = parsed;
  return [
    ...(dateOfBirth ? [(eb: PeopleEb) => dobCondition(eb, dateOfBirth)] : []),
    ...(identifier ? [(eb: PeopleEb) => identifierCondition(eb, identifier)] : []),
    ...(postcode ? [(eb: PeopleEb) => postcodeCondition(eb, postcode)] : []),
  ];
}

/** Without a name: records the searcher may see in full that match every criterion. */
async function searchWithoutName(
  trx: Executor,
  actor: Actor,
  deps: Deps,
  parsed: ParsedSearch,
): Promise<Row[]> {
  const restricted = restrictedFrom(actor, deps.clock);
  const others = otherCriteria(parsed);
  const { dateOfBirth } = parsed;
  return trx
    .selectFrom('people')
    .select([
      'people.id',
      'people.given_name',
      'people.family_name',
      'people.preferred_name',
      'people.date_of_birth',
      sql<boolean>`false`.as('restricted'),
      sql<number | null>`NULL::int`.as('current_tier'),
      sql<number | null>`NULL::int`.as('previous_tier'),
    ])
    .where('people.merged_into', 'is', null)
    .where(personInScope(actor, 'read', deps.clock))
    .where((eb) => eb.and([eb.not(restricted(eb)), ...others.map((o) => o(eb))]))
    .$if(dateOfBirth !== undefined, (qb) =>
      qb.orderBy((eb) => (dateOfBirth ? dobExact(eb, dateOfBirth) : sql`1`), 'desc'),
    )
    .orderBy('people.family_name')
    .orderBy('people.given_name')
    .orderBy('people.id')
    .limit(SEARCH_LIMIT + 1)
    .execute();
}

/** Team and postcode for the few people shown in full (not worth computing for every candidate). */
async function detailsFor(
  trx: Executor,
  ids: readonly string[],
): Promise<Map<string, { teamName: string | null; postcode: string | null }>> {
  if (ids.length === 0) return new Map();
  const rows = await trx
    .selectFrom('people')
    .select((eb) => [
      'people.id',
      eb
        .selectFrom('allocations as al')
        .innerJoin('teams as t', 't.id', 'al.team_id')
        .select(sql<string>`string_agg(DISTINCT t.name, ', ' ORDER BY t.name)`.as('names'))
        .whereRef('al.person_id', '=', 'people.id')
        .where('al.ended_at', 'is', null)
        .as('team_name'),
      eb
        .selectFrom('person_addresses as ad')
        .select('ad.postcode')
        .whereRef('ad.person_id', '=', 'people.id')
        .where('ad.ended_on', 'is', null)
        .orderBy('ad.started_on', 'desc')
        .limit(1)
        .as('postcode'),
    ])
    .where('people.id', 'in', [...ids])
    .execute();
  return new Map(rows.map((r) => [r.id, { teamName: r.team_name, postcode: r.postcode }]));
}

/**
 * Searches the people this actor may see. Throws InvalidInputError for input that cannot be searched
 * (including nothing at all) and ForbiddenError for staff with no access to people's records.
 */
export async function searchPeople(deps: Deps, actor: Actor, input: SearchInput): Promise<SearchOutcome> {
  assertMaySearch(actor);
  const parsed = parseSearch(input, deps.clock.now());
  const fieldsUsed: SearchField[] = [];
  if (parsed.name) fieldsUsed.push('name');
  if (parsed.dateOfBirth) fieldsUsed.push('dateOfBirth');
  if (parsed.identifier) fieldsUsed.push('identifier');
  if (parsed.postcode) fieldsUsed.push('postcode');

  // The trigram thresholds are set for this read's transaction alone.
  const found = await deps.db.transaction().execute(async (trx) => {
    await sql`SELECT set_config('pg_trgm.word_similarity_threshold', ${String(WORD_SIMILARITY_THRESHOLD)}, true),
      set_config('pg_trgm.similarity_threshold', ${String(SIMILARITY_THRESHOLD)}, true)`.execute(trx);
    const { name } = parsed;
    const rows = !name
      ? await searchWithoutName(trx, actor, deps, parsed)
      : name.single && otherCriteria(parsed).length === 0
        ? await searchBySingleWord(trx, actor, deps, name)
        : await searchByName(trx, actor, deps, { ...parsed, name });
    const shown = rows.slice(0, SEARCH_LIMIT);
    const details = await detailsFor(
      trx,
      shown.filter((r) => !r.restricted).map((r) => r.id),
    );
    const results = shown.map((row): SearchResult => {
      if (row.restricted) return { restricted: true, givenName: row.given_name, familyName: row.family_name };
      const best = Math.max(row.current_tier ?? 0, row.previous_tier ?? 0);
      const detail = details.get(row.id);
      return {
        restricted: false,
        id: row.id,
        givenName: row.given_name,
        familyName: row.family_name,
        preferredName: row.preferred_name,
        dateOfBirth: row.date_of_birth,
        postcodeArea: postcodeArea(detail?.postcode ?? null),
        teamName: detail?.teamName ?? null,
        nameMatch: name ? TIER_MATCH[best] : undefined,
        matchedPreviousName: name !== undefined && (row.current_tier ?? 0) < (row.previous_tier ?? 0),
      };
    });
    return { results, more: rows.length > SEARCH_LIMIT, fieldsUsed };
  });
  // The search is audited (committed with other views, see recordView) before any result is shown.
  await recordView(deps.db, {
    actorUserId: actor.userId,
    action: 'person.search',
    entityType: 'person',
    entityId: null,
    // What was searched by and how many were found; never the terms themselves.
    detail: { fields: fieldsUsed, results: found.results.length, more: found.more },
    requestId: input.requestId ?? null,
  });
  return found;
}
