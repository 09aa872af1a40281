/**
 * The children a view's events are about, as a row source with the columns `applyFilters` reads
 * (alias `c`). The base view `insight_children` looks up each child's latest address and allocation;
 * when no filter needs them (no locality, team, sex, ethnic group, disability or decile chosen: the
 * page as first opened) the same children are read straight from `people` instead, which is much
 * cheaper on a large authority. Both give the same children: people of the council who are
 * children, merged records left out (as migration 0013_insight_base.sql defines them).
 */
import { sql, type RawBuilder } from 'kysely';
import { isSnapshot, relation, type InsightSource } from '../snapshot.ts';
import type { InsightFilters } from '../types.ts';

const NEEDS_BASE_VIEW: readonly (keyof InsightFilters)[] = [
  'localityId',
  'teamId',
  'sex',
  'ethnicGroup',
  'disability',
  'decile',
];

/** Whether any chosen filter needs the base view's attributes (not only date of birth and council). */
export function needsBaseView(filters: InsightFilters): boolean {
  return NEEDS_BASE_VIEW.some((key) => filters[key] !== undefined);
}

/**
 * `SELECT … FROM …` giving person_id, organisation_id and date_of_birth (and more when filtered). From
 * a snapshot (ADR 11) the base view's rows are stored, so they are always read from it.
 */
export function childrenSource(filters: InsightFilters, source?: InsightSource): RawBuilder<unknown> {
  if (isSnapshot(source) || needsBaseView(filters))
    return sql`SELECT c.* FROM ${relation(source, 'insight_children')} c`;
  return sql`SELECT p.id AS person_id, p.organisation_id, p.date_of_birth FROM people p
    WHERE p.merged_into IS NULL AND p.is_child`;
}

/**
 * The children among `personIds` (a subquery giving one column of person ids, e.g. the people of
 * the period's events), as `childrenSource` gives them: so a figure reads only the children its
 * events are about, never every child of the council. Put it in a `MATERIALIZED` CTE, so each
 * child's latest address and allocation (when a filter needs them) are looked up once.
 * `baseView: true` reads the base view whatever the filters (for a figure that breaks down by one of
 * its attributes, such as the ethnic group).
 */
export function childrenAmong(
  filters: InsightFilters,
  personIds: RawBuilder<unknown>,
  options: { readonly baseView?: boolean; readonly source?: InsightSource | undefined } = {},
): RawBuilder<unknown> {
  if (isSnapshot(options.source) || options.baseView === true || needsBaseView(filters))
    return sql`SELECT c.* FROM ${relation(options.source, 'insight_children')} c WHERE c.person_id IN (${personIds})`;
  return sql`SELECT p.id AS person_id, p.organisation_id, p.date_of_birth FROM people p
    WHERE p.merged_into IS NULL AND p.is_child AND p.id IN (${personIds})`;
}
