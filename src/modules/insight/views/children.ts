/**
 * The children a view's events are about, as a row source with the columns `applyFilters` reads
 * (alias `c`). The base view `insight_children` looks up each child's latest address and allocation;
 * when no filter needs them (no locality, team, sex, ethnic group, disability or decile chosen: the
 * page as first opened) the same children are read straight from `people` instead, which is much
 * cheaper on a large authority. Both give the same children: people of the council who are
 * children, merged records left out (as migration 0013_insight_base.sql defines them).
 */
import { sql, type RawBuilder } from 'kysely';
import type { InsightFilters } from '../types.ts';

const NEEDS_BASE_VIEW: readonly (keyof InsightFilters)[] = [
  'localityId',
  'teamId',
  'sex',
  'ethnicGroup',
  'disability',
  'decile',
];

/** `SELECT … FROM …` giving person_id, organisation_id and date_of_birth (and more when filtered). */
export function childrenSource(filters: InsightFilters): RawBuilder<unknown> {
  if (NEEDS_BASE_VIEW.some((key) => filters[key] !== undefined))
    return sql`SELECT c.* FROM insight_children c`;
  return sql`SELECT p.id AS person_id, p.organisation_id, p.date_of_birth FROM people p
    WHERE p.merged_into IS NULL AND p.is_child`;
}
