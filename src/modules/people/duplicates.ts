import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Deps } from '../../platform/deps.ts';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../../platform/errors.ts';
import { can, type Actor } from '../access/actor.ts';
import { personInScope } from '../access/person-scope.ts';
import { mergeScopeSql, requireMergePermission } from './merge.ts';
import { restrictedFromViewer } from './restrictions.ts';

/**
 * Finding records that are probably the same person: one at a time while a record is being added
 * (`findLikelyDuplicates`), and across the whole organisation for managers (`scanForDuplicates`,
 * `duplicateReport`).
 *
 * A pair is a likely duplicate when the records have
 *   - the same NHS number; or
 *   - the same date of birth and family names that sound the same (double metaphone) or similar
 *     names (trigram similarity ≥ 0.3); or
 *   - given and family names that both sound the same, and the same year of birth.
 * Merged records are never offered, nor pairs someone has marked as different people.
 */

type Executor = Kysely<Database> | Transaction<Database>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type DuplicateReason =
  | 'nhs_number'
  | 'date_of_birth'
  | 'family_name_sound'
  | 'given_name_sound'
  | 'similar_name'
  | 'birth_year'
  | 'other_name';

export const DUPLICATE_REASON_LABELS: Readonly<Record<DuplicateReason, string>> = {
  nhs_number: 'Same NHS number',
  date_of_birth: 'Same date of birth',
  family_name_sound: 'Family name sounds the same',
  given_name_sound: 'Given name sounds the same',
  similar_name: 'Similar name',
  birth_year: 'Born in the same year',
  other_name: 'A previous name or alias is similar',
};

/** Trigram similarity (0–1) at or above which two names count as similar: pg_trgm's own default. */
export const SIMILAR_NAME = 0.3;

/** Points for each reason; a similar name scores up to its weight, in proportion to the similarity. */
const WEIGHTS = {
  nhs_number: 100,
  date_of_birth: 40,
  family_name_sound: 20,
  given_name_sound: 15,
  similar_name: 30,
  birth_year: 10,
  other_name: 15,
} as const;

export type DuplicateSearch = {
  readonly givenName: string;
  readonly familyName: string;
  /** ISO date (YYYY-MM-DD); anything else counts as not known. */
  readonly dateOfBirth?: string | null | undefined;
  /** Ten digits; spaces and dashes are ignored; anything else counts as not known. */
  readonly nhsNumber?: string | null | undefined;
};

export type DuplicateCandidate = {
  readonly id: string;
  readonly givenName: string;
  readonly familyName: string;
  /** Null when not known, and always null for a record restricted from the actor. */
  readonly dateOfBirth: string | null;
  /** Whether the actor may open the record (in their scope and not restricted from them). */
  readonly canOpen: boolean;
  /** An active restriction does not name the actor: they get the name only. */
  readonly restricted: boolean;
  readonly score: number;
  /** Why it was offered; empty for a restricted record. */
  readonly reasons: readonly DuplicateReason[];
};

function isoDate(value: string | null | undefined): string | null {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value ? value : null;
}

function nhsDigits(value: string | null | undefined): string | null {
  const digits = (value ?? '').replace(/[\s-]/g, '');
  return /^\d{10}$/.test(digits) ? digits : null;
}

function requireAnyPersonPermission(actor: Actor): void {
  if (!can(actor, 'person', 'read') && !can(actor, 'person', 'create') && !can(actor, 'person', 'merge')) {
    throw new ForbiddenError();
  }
}

/**
 * Records in the actor's organisation that may be the person described — across every team, since a
 * duplicate check must see past the actor's own caseload — best first, at most 20. Only the id, name,
 * date of birth and whether the actor can open each record are returned; a record restricted from
 * the actor is returned by name only. Merged records are never returned. The check is audited
 * (counts only).
 */
export async function findLikelyDuplicates(
  deps: Deps,
  actor: Actor,
  input: DuplicateSearch,
  options: { readonly requestId?: string } = {},
): Promise<DuplicateCandidate[]> {
  requireAnyPersonPermission(actor);
  const given = input.givenName.trim().slice(0, 200);
  const family = input.familyName.trim().slice(0, 200);
  const dob = isoDate(input.dateOfBirth);
  const nhs = nhsDigits(input.nhsNumber);
  if ((given === '' || family === '') && nhs === null) return [];
  const org = actor.organisationId;
  const live = (alias: string) =>
    sql`${sql.ref(`${alias}.organisation_id`)} = ${org} AND ${sql.ref(`${alias}.merged_into`)} IS NULL`;
  const found = await sql<{
    id: string;
    given_name: string;
    family_name: string;
    date_of_birth: string | null;
    same_nhs: boolean;
    same_dob: boolean;
    family_sound: boolean;
    given_sound: boolean;
    similarity: number;
    same_year: boolean;
    other_name: boolean;
  }>`
    WITH input AS (
      SELECT NULLIF(dmetaphone(${given}), '') AS gk, NULLIF(dmetaphone(${family}), '') AS fk,
        lower(${given} || ' ' || ${family}) AS name, ${dob}::date AS dob, ${nhs}::text AS nhs
    ),
    hits AS (
      SELECT p.id FROM people p, input i WHERE i.nhs IS NOT NULL AND p.nhs_number = i.nhs AND ${live('p')}
      UNION
      SELECT p.id FROM people p, input i
        WHERE p.date_of_birth = i.dob AND (p.family_name_key = i.fk OR similarity(p.search_name, i.name) >= ${SIMILAR_NAME}) AND ${live('p')}
      UNION
      SELECT p.id FROM people p, input i
        WHERE p.family_name_key = i.fk AND p.given_name_key = i.gk
          AND p.date_of_birth >= date_trunc('year', i.dob)::date AND p.date_of_birth < (date_trunc('year', i.dob) + interval '1 year')::date
          AND ${live('p')}
      UNION
      SELECT p.id FROM person_names n JOIN people p ON p.id = n.person_id, input i
        WHERE p.date_of_birth = i.dob AND ${live('p')}
          AND (NULLIF(dmetaphone(n.family_name), '') = i.fk OR similarity(n.search_name, i.name) >= ${SIMILAR_NAME})
    )
    SELECT p.id::text AS id, p.given_name, p.family_name, p.date_of_birth,
      coalesce(p.nhs_number = i.nhs, false) AS same_nhs,
      coalesce(p.date_of_birth = i.dob, false) AS same_dob,
      coalesce(p.family_name_key = i.fk, false) AS family_sound,
      coalesce(p.given_name_key = i.gk, false) AS given_sound,
      similarity(p.search_name, i.name)::float8 AS similarity,
      coalesce(date_part('year', p.date_of_birth) = date_part('year', i.dob), false) AS same_year,
      EXISTS (SELECT 1 FROM person_names n WHERE n.person_id = p.id
        AND (NULLIF(dmetaphone(n.family_name), '') = i.fk OR similarity(n.search_name, i.name) >= ${SIMILAR_NAME})) AS other_name
    FROM hits h JOIN people p ON p.id = h.id CROSS JOIN input i`.execute(deps.db);

  const ids = found.rows.map((r) => r.id);
  const access =
    ids.length === 0
      ? []
      : await deps.db
          .selectFrom('people')
          .select((eb) => [
            'people.id',
            eb
              .case()
              .when(personInScope(actor, 'read', deps.clock)(eb))
              .then(true)
              .else(false)
              .end()
              .as('in_scope'),
            eb.case().when(restrictedFromViewer(actor)(eb)).then(true).else(false).end().as('restricted'),
          ])
          .where('people.id', 'in', ids)
          .execute();
  const accessOf = new Map(access.map((a) => [a.id, a]));

  const candidates = found.rows.map((row): DuplicateCandidate => {
    const reasons: DuplicateReason[] = [];
    if (row.same_nhs) reasons.push('nhs_number');
    if (row.same_dob) reasons.push('date_of_birth');
    if (row.family_sound) reasons.push('family_name_sound');
    if (row.given_sound) reasons.push('given_name_sound');
    if (row.similarity >= SIMILAR_NAME) reasons.push('similar_name');
    if (row.same_year && !row.same_dob) reasons.push('birth_year');
    if (row.other_name) reasons.push('other_name');
    const score =
      reasons.reduce((total, reason) => total + (reason === 'similar_name' ? 0 : WEIGHTS[reason]), 0) +
      Math.round(WEIGHTS.similar_name * Math.min(1, row.similarity));
    const flags = accessOf.get(row.id);
    const restricted = Boolean(flags?.restricted);
    return {
      id: row.id,
      givenName: row.given_name,
      familyName: row.family_name,
      dateOfBirth: restricted ? null : row.date_of_birth,
      canOpen: Boolean(flags?.in_scope) && !restricted,
      restricted,
      score,
      reasons: restricted ? [] : reasons,
    };
  });
  candidates.sort(
    (a, b) =>
      b.score - a.score ||
      a.familyName.localeCompare(b.familyName) ||
      a.givenName.localeCompare(b.givenName) ||
      a.id.localeCompare(b.id),
  );
  const result = candidates.slice(0, 20);
  await recordAudit(deps.db, {
    actorUserId: actor.userId,
    action: 'person.duplicate_check',
    entityType: 'person',
    entityId: null,
    detail: { candidates: result.length, restricted: result.filter((c) => c.restricted).length },
    requestId: options.requestId ?? null,
  });
  return result;
}

// ---------------------------------------------------------------------------------------------------
// The organisation-wide scan

// Over two rows of people aliased a and b.
const SAME_NHS = sql`a.nhs_number = b.nhs_number`;
const SAME_DOB = sql`a.date_of_birth = b.date_of_birth`;
const FAMILY_SOUND = sql`NULLIF(a.family_name_key, '') = NULLIF(b.family_name_key, '')`;
const GIVEN_SOUND = sql`NULLIF(a.given_name_key, '') = NULLIF(b.given_name_key, '')`;
const SIMILARITY = sql`similarity(a.search_name, b.search_name)`;
const SIMILAR = sql`${SIMILARITY} >= ${sql.lit(SIMILAR_NAME)}`;
const BIRTH_YEAR_ONLY = sql`a.date_of_birth <> b.date_of_birth AND date_part('year', a.date_of_birth) = date_part('year', b.date_of_birth)`;

const REASONS_SQL = sql`array_remove(ARRAY[
    CASE WHEN ${SAME_NHS} THEN 'nhs_number' END,
    CASE WHEN ${SAME_DOB} THEN 'date_of_birth' END,
    CASE WHEN ${FAMILY_SOUND} THEN 'family_name_sound' END,
    CASE WHEN ${GIVEN_SOUND} THEN 'given_name_sound' END,
    CASE WHEN ${SIMILAR} THEN 'similar_name' END,
    CASE WHEN ${BIRTH_YEAR_ONLY} THEN 'birth_year' END
  ], NULL)`;

const SCORE_SQL = sql`(
    CASE WHEN ${SAME_NHS} THEN ${sql.lit(WEIGHTS.nhs_number)} ELSE 0 END
    + CASE WHEN ${SAME_DOB} THEN ${sql.lit(WEIGHTS.date_of_birth)} ELSE 0 END
    + CASE WHEN ${FAMILY_SOUND} THEN ${sql.lit(WEIGHTS.family_name_sound)} ELSE 0 END
    + CASE WHEN ${GIVEN_SOUND} THEN ${sql.lit(WEIGHTS.given_name_sound)} ELSE 0 END
    + round(${sql.lit(WEIGHTS.similar_name)} * ${SIMILARITY})::int
    + CASE WHEN ${BIRTH_YEAR_ONLY} THEN ${sql.lit(WEIGHTS.birth_year)} ELSE 0 END
  )`;

/**
 * Replaces the organisation's stored pairs with a fresh scan, as one set-based statement: five
 * self-joins of people on equality keys only (NHS number; date of birth with the family-name sound;
 * date of birth with the first two letters of the given name, then trigram similarity; the same with
 * the family name; both name sounds with the year of birth), so PostgreSQL hash-joins each branch
 * and the cost grows with the number of records, not its square. Trigram similarity, the costly
 * part, is computed only within a block of the same birthday and the same first two letters of
 * either name ("blocking", as record-linkage tools do): a similar pair is missed only when both its
 * names differ in their first two letters and their family names also sound different. Each branch
 * scores its own pairs, so UNION removes pairs found twice and nothing is joined back afterwards.
 * Returns the number of pairs stored. Call inside a transaction (see scanForDuplicates).
 */
export async function runDuplicateScan(db: Executor, organisationId: string): Promise<number> {
  await sql`DELETE FROM duplicate_pairs WHERE organisation_id = ${organisationId}`.execute(db);
  // Fresh statistics: after a bulk load (a generated authority, an import) the planner would otherwise
  // think people small and compare every pair (18,000 people: 128 s without, 0.13 s with).
  await sql`ANALYZE people`.execute(db);
  // A batch job: room to hash in memory rather than spill to disk (this transaction only).
  await sql`SET LOCAL work_mem = '256MB'`.execute(db);
  // Hash joins: the planner cannot estimate the expression keys and would sort a million rows twice per branch.
  await sql`SET LOCAL enable_mergejoin = off`.execute(db);
  await sql`SET LOCAL jit = off`.execute(db);
  const branch = (on: RawBuilder<unknown>, where: RawBuilder<unknown> = sql`true`) => sql`
    SELECT a.id AS a, b.id AS b, ${SCORE_SQL} AS score, ${REASONS_SQL} AS reasons
    FROM people a JOIN people b ON ${on} AND a.id < b.id
    WHERE a.organisation_id = ${organisationId} AND b.organisation_id = ${organisationId}
      AND a.merged_into IS NULL AND b.merged_into IS NULL
      AND (a.nhs_number IS NULL OR b.nhs_number IS NULL OR ${SAME_NHS}) AND ${where}`;
  // Found into a temporary table first: PostgreSQL plans a CREATE TABLE … AS in parallel, an INSERT … SELECT never.
  await sql`DROP TABLE IF EXISTS pg_temp.duplicate_scan_found`.execute(db);
  await sql`
    CREATE TEMPORARY TABLE duplicate_scan_found AS
      ${branch(SAME_NHS)}
      UNION
      ${branch(sql`${SAME_DOB} AND ${FAMILY_SOUND}`)}
      UNION
      ${branch(sql`${SAME_DOB} AND left(lower(a.given_name), 2) = left(lower(b.given_name), 2)`, SIMILAR)}
      UNION
      ${branch(sql`${SAME_DOB} AND left(lower(a.family_name), 2) = left(lower(b.family_name), 2)`, SIMILAR)}
      UNION
      ${branch(sql`${GIVEN_SOUND} AND ${FAMILY_SOUND} AND date_part('year', a.date_of_birth) = date_part('year', b.date_of_birth)`)}`.execute(
    db,
  );
  const result = await sql`
    INSERT INTO duplicate_pairs (organisation_id, person_a, person_b, score, reasons)
    SELECT ${organisationId}, p.a, p.b, p.score, p.reasons FROM duplicate_scan_found p
    WHERE NOT EXISTS (SELECT 1 FROM person_not_duplicates n WHERE n.person_a = p.a AND n.person_b = p.b)`.execute(
    db,
  );
  await sql`DROP TABLE duplicate_scan_found`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** Runs the scan for the actor's organisation (one scan at a time per organisation) and records it. */
export async function scanForDuplicates(
  deps: Deps,
  actor: Actor,
  requestId?: string,
): Promise<{ pairs: number; durationMs: number }> {
  requireMergePermission(actor);
  const started = performance.now();
  return deps.db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`duplicate-scan:${actor.organisationId}`}))`.execute(
      trx,
    );
    const pairs = await runDuplicateScan(trx, actor.organisationId);
    const durationMs = Math.round(performance.now() - started);
    await sql`
      INSERT INTO duplicate_scans (organisation_id, scanned_at, scanned_by, pairs, duration_ms)
      VALUES (${actor.organisationId}, ${deps.clock.now()}, ${actor.userId}, ${pairs}, ${durationMs})
      ON CONFLICT (organisation_id) DO UPDATE SET scanned_at = EXCLUDED.scanned_at, scanned_by = EXCLUDED.scanned_by,
        pairs = EXCLUDED.pairs, duration_ms = EXCLUDED.duration_ms`.execute(trx);
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'person.duplicate_scan',
      entityType: 'organisation',
      entityId: actor.organisationId,
      detail: { pairs, durationMs },
      requestId: requestId ?? null,
    });
    return { pairs, durationMs };
  });
}

// ---------------------------------------------------------------------------------------------------
// The report

export type ReportPerson = {
  readonly id: string;
  readonly givenName: string;
  readonly familyName: string;
  /** Null when not known or restricted from the actor. */
  readonly dateOfBirth: string | null;
  readonly restricted: boolean;
  readonly createdAt: Date;
};

export type DuplicatePair = {
  /** The older record, offered as the one to keep. */
  readonly first: ReportPerson;
  readonly second: ReportPerson;
  readonly score: number;
  readonly reasons: readonly { code: string; label: string }[];
};

export type RecentMerge = {
  readonly id: string;
  readonly keptPersonId: string;
  readonly keptName: string;
  readonly mergedName: string;
  readonly mergedBy: string;
  readonly mergedAt: Date;
  readonly undoneAt: Date | null;
};

export type DuplicateReport = {
  readonly scannedAt: Date | null;
  readonly scannedBy: string | null;
  /** How many pairs the last check found (some may since have been merged or marked different). */
  readonly pairsFound: number | null;
  /** This page of pairs still to check, best first. */
  readonly pairs: readonly DuplicatePair[];
  readonly page: number;
  readonly hasNext: boolean;
  readonly recentMerges: readonly RecentMerge[];
};

export const REPORT_PAGE_SIZE = 50;

/**
 * The stored pairs from the last scan, best first, leaving out merged records and pairs marked as
 * different people. With authority scope every pair in the organisation; otherwise pairs where at
 * least one record is in the actor's area. Names and dates of birth only (restricted: name only).
 * Pages are read by walking the score index, never counted, so a page opens quickly however many
 * pairs a large authority has.
 */
export async function duplicateReport(
  deps: Deps,
  actor: Actor,
  options: { page?: number } = {},
): Promise<DuplicateReport> {
  requireMergePermission(actor);
  const org = actor.organisationId;
  const scope = mergeScopeSql(actor, deps.clock);
  const restricted = (alias: string) => sql`EXISTS (SELECT 1 FROM person_restrictions r
      WHERE r.person_id = ${sql.ref(`${alias}.id`)} AND r.ended_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM person_restriction_users u WHERE u.restriction_id = r.id AND u.user_id = ${actor.userId}))`;
  const where = sql`d.organisation_id = ${org} AND a.merged_into IS NULL AND b.merged_into IS NULL
      AND NOT EXISTS (SELECT 1 FROM person_not_duplicates n WHERE n.person_a = d.person_a AND n.person_b = d.person_b)
      AND EXISTS (SELECT 1 FROM people WHERE people.id IN (d.person_a, d.person_b) AND ${scope})`;
  const from = sql`duplicate_pairs d JOIN people a ON a.id = d.person_a JOIN people b ON b.id = d.person_b`;

  const scan = await sql<{ scanned_at: Date; scanned_by: string | null; pairs: number }>`
    SELECT s.scanned_at, u.display_name AS scanned_by, s.pairs FROM duplicate_scans s LEFT JOIN users u ON u.id = s.scanned_by
    WHERE s.organisation_id = ${org}`.execute(deps.db);
  const page = Math.min(Math.max(1, Math.floor(options.page ?? 1)), 10_000);
  const rows = await sql<{
    person_a: string;
    person_b: string;
    score: number;
    reasons: string[];
    a_given: string;
    a_family: string;
    a_dob: string | null;
    a_created: Date;
    a_restricted: boolean;
    b_given: string;
    b_family: string;
    b_dob: string | null;
    b_created: Date;
    b_restricted: boolean;
  }>`
    SELECT d.person_a::text AS person_a, d.person_b::text AS person_b, d.score, d.reasons,
      a.given_name AS a_given, a.family_name AS a_family, a.date_of_birth AS a_dob, a.created_at AS a_created, ${restricted('a')} AS a_restricted,
      b.given_name AS b_given, b.family_name AS b_family, b.date_of_birth AS b_dob, b.created_at AS b_created, ${restricted('b')} AS b_restricted
    FROM ${from} WHERE ${where}
    ORDER BY d.score DESC, d.person_a, d.person_b
    LIMIT ${REPORT_PAGE_SIZE + 1} OFFSET ${(page - 1) * REPORT_PAGE_SIZE}`.execute(deps.db);

  const pairs = rows.rows.slice(0, REPORT_PAGE_SIZE).map((r): DuplicatePair => {
    const a: ReportPerson = {
      id: r.person_a,
      givenName: r.a_given,
      familyName: r.a_family,
      dateOfBirth: r.a_restricted ? null : r.a_dob,
      restricted: r.a_restricted,
      createdAt: new Date(r.a_created),
    };
    const b: ReportPerson = {
      id: r.person_b,
      givenName: r.b_given,
      familyName: r.b_family,
      dateOfBirth: r.b_restricted ? null : r.b_dob,
      restricted: r.b_restricted,
      createdAt: new Date(r.b_created),
    };
    const [first, second] = b.createdAt < a.createdAt ? [b, a] : [a, b];
    const visible = r.a_restricted || r.b_restricted ? [] : parseTextArray(r.reasons);
    return {
      first,
      second,
      score: r.score,
      reasons: visible.map((code) => ({
        code,
        label: DUPLICATE_REASON_LABELS[code as DuplicateReason] ?? code,
      })),
    };
  });

  const merges = await sql<{
    id: string;
    kept_person_id: string;
    kept_given: string;
    kept_family: string;
    merged_given: string;
    merged_family: string;
    merged_by: string;
    merged_at: Date;
    undone_at: Date | null;
  }>`
    SELECT m.id::text AS id, m.kept_person_id::text AS kept_person_id, k.given_name AS kept_given, k.family_name AS kept_family,
      g.given_name AS merged_given, g.family_name AS merged_family, u.display_name AS merged_by, m.merged_at, m.undone_at
    FROM person_merges m
    JOIN people k ON k.id = m.kept_person_id
    JOIN people g ON g.id = m.merged_person_id
    JOIN users u ON u.id = m.merged_by
    WHERE k.organisation_id = ${org} AND EXISTS (SELECT 1 FROM people WHERE people.id = m.kept_person_id AND ${scope})
    ORDER BY m.merged_at DESC, m.id LIMIT 20`.execute(deps.db);

  const scanRow = scan.rows[0];
  return {
    scannedAt: scanRow ? new Date(scanRow.scanned_at) : null,
    scannedBy: scanRow?.scanned_by ?? null,
    pairsFound: scanRow ? scanRow.pairs : null,
    pairs,
    page,
    hasNext: rows.rows.length > REPORT_PAGE_SIZE,
    recentMerges: merges.rows.map((m) => ({
      id: m.id,
      keptPersonId: m.kept_person_id,
      keptName: `${m.kept_given} ${m.kept_family}`,
      mergedName: `${m.merged_given} ${m.merged_family}`,
      mergedBy: m.merged_by,
      mergedAt: new Date(m.merged_at),
      undoneAt: m.undone_at ? new Date(m.undone_at) : null,
    })),
  };
}

/** node-postgres parses text[]; PGlite may too, or hand back the literal `{a,b}`. */
function parseTextArray(value: string[] | string): string[] {
  if (Array.isArray(value)) return value;
  return value
    .replace(/^\{|\}$/g, '')
    .split(',')
    .filter((v) => v.length > 0);
}

/**
 * Records that two people are different, so the report stops offering the pair (and a merge of the
 * two is refused). Both must be live records of the organisation, at least one in the actor's area.
 */
export async function markNotDuplicates(
  deps: Deps,
  actor: Actor,
  input: { readonly personA: string; readonly personB: string; readonly requestId?: string },
): Promise<void> {
  requireMergePermission(actor);
  if (!UUID.test(input.personA) || !UUID.test(input.personB)) throw new NotFoundError();
  if (input.personA === input.personB) {
    throw new InvalidInputError([{ field: 'person', message: 'Choose two different records' }]);
  }
  const [a, b] =
    input.personA < input.personB ? [input.personA, input.personB] : [input.personB, input.personA];
  await deps.db.transaction().execute(async (trx) => {
    const scope = mergeScopeSql(actor, deps.clock);
    const people = await sql<{ id: string; in_scope: boolean }>`
      SELECT people.id::text AS id, ${scope} AS in_scope FROM people
      WHERE people.id IN (${a}, ${b}) AND people.organisation_id = ${actor.organisationId} AND people.merged_into IS NULL`.execute(
      trx,
    );
    if (people.rows.length !== 2 || !people.rows.some((p) => p.in_scope)) throw new NotFoundError();
    await trx
      .insertInto('person_not_duplicates')
      .values({ person_a: a, person_b: b, decided_by: actor.userId, decided_at: deps.clock.now() })
      .onConflict((oc) => oc.columns(['person_a', 'person_b']).doNothing())
      .execute();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'person.not_duplicates',
      entityType: 'person',
      entityId: a,
      detail: { personA: a, personB: b },
      requestId: input.requestId ?? null,
    });
  });
}
