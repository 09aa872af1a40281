/**
 * The council's own figures from the record at a date, defined as the published ones are (migration
 * 0017: insight_open_spells), for the measures the record can give: children in need, child
 * protection plans and children looked after, open at the end of the day, per 10,000 children aged
 * 0 to 17 living in the council's neighbourhoods (insight_council_neighbourhoods).
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../../db/database.ts';
import type { MeasureKey } from './measures.ts';

export type LiveKind = 'cin' | 'cp_plan' | 'looked_after';

export const LIVE_MEASURES: readonly { readonly kind: LiveKind; readonly measure: MeasureKey }[] = [
  { kind: 'cin', measure: 'cin_rate' },
  { kind: 'cp_plan', measure: 'cp_rate' },
  { kind: 'looked_after', measure: 'cla_rate' },
];

export type LiveFigures = {
  /** The council's ONS code (null when it has none). */
  readonly laCode: string | null;
  /** Children aged 0-17 in the council's neighbourhoods (0 when none are loaded). */
  readonly population: number;
  readonly counts: Readonly<Record<LiveKind, number>>;
};

/** Children with a spell of each kind open at the end of `day`. */
export async function liveFigures(
  db: Kysely<Database>,
  organisationId: string,
  day: string,
): Promise<LiveFigures> {
  const [code, population, counts] = await Promise.all([
    sql<{ la_code: string | null }>`
      SELECT la_code FROM insight_council_codes WHERE organisation_id = ${organisationId}::uuid`.execute(db),
    sql<{ children: string | number | null }>`
      SELECT sum(children) AS children FROM insight_council_neighbourhoods
      WHERE organisation_id = ${organisationId}::uuid`.execute(db),
    sql<{ kind: LiveKind; n: string | number }>`
      SELECT kind, count(DISTINCT person_id) AS n FROM insight_open_spells
      WHERE organisation_id = ${organisationId}::uuid
        AND started_on <= ${day}::date AND (ended_on IS NULL OR ended_on > ${day}::date)
      GROUP BY kind`.execute(db),
  ]);
  const byKind = new Map(counts.rows.map((r) => [r.kind, Number(r.n)]));
  return {
    laCode: code.rows[0]?.la_code ?? null,
    population: Math.round(Number(population.rows[0]?.children ?? 0)),
    counts: {
      cin: byKind.get('cin') ?? 0,
      cp_plan: byKind.get('cp_plan') ?? 0,
      looked_after: byKind.get('looked_after') ?? 0,
    },
  };
}
