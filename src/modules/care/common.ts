import type { Selectable, Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Deps } from '../../platform/deps.ts';
import { ConflictError, NotFoundError } from '../../platform/errors.ts';
import { can, type Actor } from '../access/actor.ts';
import { personInScopeFlag, personInScopeFor } from '../access/person-scope.ts';
import { restrictedFrom } from '../people/restrictions.ts';
import { ErrorList, parseDate, type DateParts } from '../people/person-form.ts';
import { normalisePostcode } from '../people/identifiers.ts';
import { UUID, londonDate, type Executor } from '../help/access.ts';
import { longDate } from '../help/dates.ts';
import { requireHelpChild, type HelpChild } from '../help/episode.service.ts';
import type { CarePeriodTable, HelpEpisodeTable, PlacementTable } from '../help/help.table.ts';
import type { CarePeriodCareColumns, PlacementCareColumns } from './care.table.ts';

/** Pieces shared by the care services: scope, the open period, validation and audit. */

export type Context = { readonly requestId?: string | null | undefined; readonly route?: string };

export type PeriodRow = Selectable<CarePeriodTable & CarePeriodCareColumns>;
export type PlacementRow = Selectable<PlacementTable & PlacementCareColumns>;
export type EpisodeRow = Selectable<HelpEpisodeTable>;

export type ChildRef = { readonly id: string; readonly name: string; readonly dateOfBirth: string | null };

export async function careChild(
  db: Executor,
  deps: Deps,
  actor: Actor,
  personId: string,
  action: 'read' | 'write',
): Promise<HelpChild> {
  return requireHelpChild(db, actor, deps.clock, personId, action);
}

export async function childRefOf(db: Executor, child: HelpChild): Promise<ChildRef> {
  const row = await db
    .selectFrom('people')
    .select('date_of_birth')
    .where('id', '=', child.id)
    .executeTakeFirstOrThrow();
  return { id: child.id, name: `${child.givenName} ${child.familyName}`, dateOfBirth: row.date_of_birth };
}

/** A child whose care the actor may read: who they are, and whether the actor may change their care. */
export type CareReader = { readonly child: HelpChild; readonly ref: ChildRef; readonly canWrite: boolean };

/**
 * careChild for reading and childRefOf in one query: the child if their help record is in the actor's
 * read scope and no restriction keeps the actor out (NotFoundError otherwise), with their date of
 * birth and whether the actor may also change their care (help 'write' in scope).
 */
export async function readableCareChild(
  db: Executor,
  deps: Deps,
  actor: Actor,
  personId: string,
): Promise<CareReader> {
  if (!UUID.test(personId)) throw new NotFoundError();
  const row = await db
    .selectFrom('people')
    .select((eb) => [
      'people.id',
      'people.given_name',
      'people.family_name',
      'people.date_of_birth',
      personInScopeFlag(actor, 'help', 'write', deps.clock)(eb).as('writable'),
    ])
    .where('people.id', '=', personId)
    .where('people.merged_into', 'is', null)
    .where(personInScopeFor(actor, 'help', 'read', deps.clock))
    .where((eb) => eb.not(restrictedFrom(actor, deps.clock)(eb)))
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  const child = { id: row.id, givenName: row.given_name, familyName: row.family_name };
  return {
    child,
    ref: { id: row.id, name: `${row.given_name} ${row.family_name}`, dateOfBirth: row.date_of_birth },
    // (The read scope's restriction check above also holds for writing.)
    canWrite: can(actor, 'help', 'write') && row.writable,
  };
}

/** The child's period of care that has not ended, if any (locked for the transaction when asked). */
export async function openPeriodOf(
  db: Executor,
  personId: string,
  lock = false,
): Promise<PeriodRow | undefined> {
  let query = db
    .selectFrom('care_periods')
    .selectAll()
    .where('person_id', '=', personId)
    .where('ended_on', 'is', null)
    .orderBy('started_on', 'desc');
  if (lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

/** The open period of care for a change: write scope, the period open, the version as the form had it. */
export async function writablePeriod(
  trx: Transaction<Database>,
  deps: Deps,
  actor: Actor,
  personId: string,
): Promise<{ child: HelpChild; period: PeriodRow }> {
  const child = await careChild(trx, deps, actor, personId, 'write');
  const period = await openPeriodOf(trx, child.id, true);
  if (!period) throw new ConflictError('The child is not in care now');
  return { child, period };
}

export async function currentPlacement(db: Executor, periodId: string): Promise<PlacementRow | undefined> {
  return db
    .selectFrom('placements')
    .selectAll()
    .where('care_period_id', '=', periodId)
    .where('ended_on', 'is', null)
    .orderBy('started_on', 'desc')
    .executeTakeFirst();
}

export async function currentLegalStatus(
  db: Executor,
  periodId: string,
): Promise<{ id: string; code: string; started_on: string } | undefined> {
  return db
    .selectFrom('legal_statuses')
    .select(['id', 'code', 'started_on'])
    .where('care_period_id', '=', periodId)
    .where('ended_on', 'is', null)
    .orderBy('started_on', 'desc')
    .executeTakeFirst();
}

/** Bumps the period's version if it still has the one the form was opened at; false if it moved on. */
export async function bumpPeriod(
  trx: Transaction<Database>,
  periodId: string,
  version: number,
  now: Date,
  changes: Partial<{ ended_on: string; reason_ceased: string; permanence_plan: string | null }> = {},
): Promise<boolean> {
  const updated = await trx
    .updateTable('care_periods')
    .set((eb) => ({ ...changes, updated_at: now, version: eb('version', '+', 1) }))
    .where('id', '=', periodId)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export function today(deps: Deps): string {
  return londonDate(deps.clock.now());
}

/** A required date, today or in the past. */
export function pastDate(
  errors: ErrorList,
  field: string,
  label: string,
  parts: DateParts,
  required: string,
  todayIso: string,
): string | undefined {
  const iso = parseDate(errors, field, label, parts, { required }) ?? undefined;
  if (iso && iso > todayIso)
    errors.addDate(field, `${label} must be today or in the past`, ['day', 'month', 'year']);
  return iso;
}

/** An optional date, today or in the past: null when left blank. */
export function optionalPastDate(
  errors: ErrorList,
  field: string,
  label: string,
  parts: DateParts,
  todayIso: string,
): string | null | undefined {
  const iso = parseDate(errors, field, label, parts);
  if (iso && iso > todayIso)
    errors.addDate(field, `${label} must be today or in the past`, ['day', 'month', 'year']);
  return iso;
}

export function notBefore(
  errors: ErrorList,
  field: string,
  label: string,
  iso: string | undefined,
  floor: string,
  why: string,
): void {
  if (iso && iso < floor)
    errors.addDate(field, `${label} must be on or after ${longDate(floor)}, ${why}`, [
      'day',
      'month',
      'year',
    ]);
}

export function optionalText(
  errors: ErrorList,
  field: string,
  label: string,
  value: string,
  max: number,
): string | null {
  const trimmed = value.trim();
  if (trimmed.length > max)
    errors.add(field, `${label} must be ${max.toLocaleString('en-GB')} characters or fewer`);
  return trimmed === '' ? null : trimmed;
}

export function requiredText(
  errors: ErrorList,
  field: string,
  label: string,
  value: string,
  max: number,
  missing: string,
): string {
  const trimmed = value.trim();
  if (trimmed === '') errors.add(field, missing);
  else if (trimmed.length > max)
    errors.add(field, `${label} must be ${max.toLocaleString('en-GB')} characters or fewer`);
  return trimmed;
}

export function code(list: Readonly<Record<string, string>>, value: string): string | null {
  return Object.hasOwn(list, value) ? value : null;
}

export function postcodeOrNull(
  errors: ErrorList,
  field: string,
  value: string,
  label: string,
): string | null {
  const trimmed = value.trim();
  if (trimmed === '') return null;
  const normal = normalisePostcode(trimmed);
  if (!normal) {
    errors.add(field, `Enter ${label} in the right format, for example SG1 1AB`);
    return null;
  }
  return normal;
}

/** "£180.50" or "180" → 18050 pence; blank → null. */
export function penceOrNull(errors: ErrorList, field: string, value: string): number | null {
  const trimmed = value.trim().replace(/^£/, '').replaceAll(',', '');
  if (trimmed === '') return null;
  if (!/^\d{1,6}(\.\d{1,2})?$/.test(trimmed)) {
    errors.add(field, 'Enter the weekly cost in pounds, for example 850 or 850.50');
    return null;
  }
  return Math.round(Number(trimmed) * 100);
}

export async function audit(
  trx: Executor,
  actor: Actor,
  action: string,
  entityId: string,
  detail: Record<string, unknown>,
  requestId: string | null | undefined,
): Promise<void> {
  await recordAudit(trx, {
    actorUserId: actor.userId,
    action,
    entityType: 'care_period',
    entityId,
    detail,
    requestId: requestId ?? null,
  });
}

export function carePath(personId: string): string {
  return `/children/${personId}/care`;
}
