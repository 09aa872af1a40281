/**
 * Insight view 5: continuity. How many workers each child had in the period, how often children were
 * handed from one team to another (and why lead workers changed), and how many children were helped
 * by agency rather than permanent workers.
 *
 * The measures are the SQL views `insight_allocations` and `insight_lead_changes` (migration
 * 0016_insight_care_market.sql); definitions in docs/insight/continuity.md. Counts only: the
 * framework suppresses small numbers.
 */
import { sql } from 'kysely';
import { CHANGE_REASONS } from '../../help/codes.ts';
import { addDays, applyFilters, inPeriod } from '../filters.ts';
import type { Figure, InsightContext, InsightView, Row } from '../types.ts';
import { isSnapshot, relation } from '../snapshot.ts';
import { childrenAmong } from './children.ts';

/** Bands of the number of different workers a child had: 0 = allocated to a team with no named worker. */
export const WORKER_BANDS: readonly { readonly key: string; readonly label: string }[] = [
  { key: '0', label: 'No named worker' },
  { key: '1', label: '1 worker' },
  { key: '2', label: '2 workers' },
  { key: '3', label: '3 workers' },
  { key: '4+', label: '4 or more workers' },
];

export const HANDOFF_BANDS: readonly { readonly key: string; readonly label: string }[] = [
  { key: '0', label: 'No hand-off' },
  { key: '1', label: '1 hand-off' },
  { key: '2', label: '2 hand-offs' },
  { key: '3+', label: '3 or more hand-offs' },
];

type Tally = { figure: string; k1: string | null; k2: string | null; n: number };

const percent = (part: number, whole: number): number | null => (whole > 0 ? (100 * part) / whole : null);

function sum(rows: readonly Tally[], figure: string, match: (t: Tally) => boolean = () => true): number {
  return rows.reduce((s, t) => (t.figure === figure && match(t) ? s + t.n : s), 0);
}

/** Every count the view needs, from allocations in the period and lead changes in the period. */
async function tallies(ctx: InsightContext): Promise<Tally[]> {
  const { from, to } = ctx.filters;
  const nextDay = addDays(to, 1);
  // Children allocated in the period: the age band is the age on the period's last day.
  const childWhere = applyFilters(ctx, { child: 'c' });
  const changeWhere = applyFilters(ctx, {
    child: 'c',
    event: { column: 'h.changed_at', timestamp: true },
  });
  const periodChange = inPeriod(ctx.filters, { column: 'h.changed_at', timestamp: true });
  // The allocations and lead changes of the period first, then the children they are about, read
  // once each (not every child of the council: see childrenAmong).
  // From a snapshot, the children of the period's allocations and changes are found from the snapshot
  // again rather than from the CTEs, so that PostgreSQL knows how many there are and hashes them.
  const periodPeople = isSnapshot(ctx.source)
    ? sql`SELECT a2.person_id FROM ${relation(ctx.source, 'insight_allocations')} a2
        WHERE a2.started_at < (${nextDay}::date::timestamp AT TIME ZONE 'Europe/London')
          AND (a2.ended_at IS NULL OR a2.ended_at >= (${from}::date::timestamp AT TIME ZONE 'Europe/London'))
        UNION ALL SELECT h2.person_id FROM ${relation(ctx.source, 'insight_lead_changes')} h2
        WHERE ${inPeriod(ctx.filters, { column: 'h2.changed_at', timestamp: true })}`
    : sql`SELECT person_id FROM al UNION ALL SELECT person_id FROM ch`;
  const result = await sql<Tally>`
    WITH al AS MATERIALIZED (
      SELECT a.allocation_id, a.person_id, a.team_id, a.worker_user_id, a.is_lead, a.employment,
        a.started_at, a.ended_at
      FROM ${relation(ctx.source, 'insight_allocations')} a
      WHERE a.started_at < (${nextDay}::date::timestamp AT TIME ZONE 'Europe/London')
        AND (a.ended_at IS NULL OR a.ended_at >= (${from}::date::timestamp AT TIME ZONE 'Europe/London'))
    ),
    ch AS MATERIALIZED (
      SELECT h.person_id, h.from_team_id, h.to_team_id, h.team_changed, h.worker_changed, h.change_reason,
        h.changed_at
      FROM ${relation(ctx.source, 'insight_lead_changes')} h
      WHERE ${periodChange}
    ),
    c AS MATERIALIZED (
      ${childrenAmong(ctx.filters, periodPeople, { source: ctx.source })}
    ),
    alloc AS MATERIALIZED (
      SELECT a.person_id, a.worker_user_id, a.is_lead, a.employment
      FROM al a
      JOIN c ON c.person_id = a.person_id
      WHERE ${childWhere}
    ),
    per_worker AS (
      -- Each child's workers first (hashed), then counted: distinct workers without sorting every allocation.
      SELECT person_id, worker_user_id, bool_or(is_lead) AS lead, bool_or(employment = 'agency') AS agency
      FROM alloc GROUP BY person_id, worker_user_id
    ),
    per_child AS (
      SELECT person_id,
        count(worker_user_id)::int AS workers,
        count(worker_user_id) FILTER (WHERE lead)::int AS lead_workers,
        bool_or(agency) AS had_agency
      FROM per_worker GROUP BY person_id
    ),
    changes AS MATERIALIZED (
      SELECT h.person_id, h.from_team_id, h.to_team_id, h.team_changed, h.worker_changed, h.change_reason
      FROM ch h
      JOIN c ON c.person_id = h.person_id
      WHERE ${changeWhere}
    ),
    handoffs AS (
      SELECT person_id, count(*)::int AS n FROM changes WHERE team_changed GROUP BY person_id
    ),
    snapshot AS (
      SELECT DISTINCT ON (a.person_id) a.person_id, a.team_id, a.worker_user_id, a.employment
      FROM al a
      JOIN c ON c.person_id = a.person_id
      WHERE a.is_lead
        AND (a.ended_at IS NULL OR a.ended_at >= (${nextDay}::date::timestamp AT TIME ZONE 'Europe/London'))
        AND ${childWhere}
      ORDER BY a.person_id, a.started_at DESC, a.allocation_id DESC
    )
    SELECT 'workers' AS figure, least(workers, 4)::text AS k1, NULL AS k2, count(*)::int AS n
      FROM per_child GROUP BY 2
    UNION ALL
    SELECT 'lead_workers', least(lead_workers, 4)::text, NULL, count(*)::int FROM per_child GROUP BY 2
    UNION ALL
    SELECT 'agency',
      CASE WHEN had_agency THEN 'agency' WHEN workers > 0 THEN 'permanent' ELSE 'none' END, NULL, count(*)::int
      FROM per_child GROUP BY 2
    UNION ALL
    SELECT 'handoffs_per_child', least(coalesce(h.n, 0), 3)::text, NULL, count(*)::int
      FROM per_child p LEFT JOIN handoffs h ON h.person_id = p.person_id GROUP BY 2
    UNION ALL
    SELECT 'handoff', from_team_id::text, to_team_id::text, count(*)::int FROM changes WHERE team_changed GROUP BY 2, 3
    UNION ALL
    SELECT 'change_reason', change_reason, NULL, count(*)::int FROM changes WHERE worker_changed GROUP BY 2
    UNION ALL
    SELECT 'snapshot', team_id::text,
      CASE WHEN worker_user_id IS NULL THEN 'none' ELSE employment END, count(*)::int
      FROM snapshot GROUP BY 2, 3`.execute(ctx.db);
  return result.rows;
}

async function teamNames(ctx: InsightContext): Promise<Map<string, string>> {
  const rows = await ctx.db
    .selectFrom('teams')
    .select(['id', 'name'])
    .where('organisation_id', '=', ctx.organisationId)
    .orderBy('name')
    .execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

function workersFigure(rows: readonly Tally[]): Figure {
  const total = sum(rows, 'workers');
  const bandRows: Row[] = WORKER_BANDS.map((band) => {
    const key = band.key === '4+' ? '4' : band.key;
    const children = sum(rows, 'workers', (t) => t.k1 === key);
    return {
      workers: band.label,
      children,
      share: percent(children, total),
      leadChildren: sum(rows, 'lead_workers', (t) => t.k1 === key),
    };
  });
  return {
    id: 'workers-per-child',
    title: 'Workers per child',
    description:
      'Children allocated to a team at any time in the period, by how many different named workers they had: every worker, and lead workers only.',
    columns: [
      { key: 'workers', label: 'Different workers in the period', kind: 'text' },
      { key: 'children', label: 'Children (every worker)', kind: 'count' },
      { key: 'share', label: 'Share of children (%)', kind: 'percent', from: ['children'] },
      { key: 'leadChildren', label: 'Children (lead workers only)', kind: 'count' },
    ],
    rows: [
      ...bandRows,
      { workers: 'Total', children: total, share: total > 0 ? 100 : null, leadChildren: total },
    ],
    chart: { kind: 'bar', x: 'workers', y: ['children', 'leadChildren'] },
    notes: [
      'A child counts once, with every named worker allocated to them at any time in the period (lead and supporting workers; lead workers only in the last column).',
      'The age band is the child’s age on the last day of the period; the team and locality are those of the child’s latest allocation.',
    ],
  };
}

function handoffsPerChildFigure(rows: readonly Tally[]): Figure {
  const total = sum(rows, 'handoffs_per_child');
  return {
    id: 'hand-offs-per-child',
    title: 'Hand-offs between teams per child',
    description:
      'Children allocated to a team at any time in the period, by how many times their lead allocation moved from one team to another in the period.',
    columns: [
      { key: 'handoffs', label: 'Hand-offs in the period', kind: 'text' },
      { key: 'children', label: 'Children', kind: 'count' },
      { key: 'share', label: 'Share of children (%)', kind: 'percent', from: ['children'] },
    ],
    rows: [
      ...HANDOFF_BANDS.map((band) => {
        const key = band.key === '3+' ? '3' : band.key;
        const children = sum(rows, 'handoffs_per_child', (t) => t.k1 === key);
        return { handoffs: band.label, children, share: percent(children, total) };
      }),
      { handoffs: 'Total', children: total, share: total > 0 ? 100 : null },
    ],
    chart: { kind: 'bar', x: 'handoffs', y: ['children'] },
    notes: [
      'A hand-off is a new lead allocation, started in the period, in a different team from the child’s lead allocation before it.',
    ],
  };
}

function handoffsFigure(rows: readonly Tally[], teams: ReadonlyMap<string, string>): Figure {
  const pairs = rows
    .filter((t) => t.figure === 'handoff')
    .map((t) => ({
      from: teams.get(t.k1 ?? '') ?? 'Another team',
      to: teams.get(t.k2 ?? '') ?? 'Another team',
      n: t.n,
    }));
  // Teams of another council (never expected) are pooled under one name.
  const merged = new Map<string, { from: string; to: string; n: number }>();
  for (const p of pairs) {
    const key = `${p.from}\u0000${p.to}`;
    const found = merged.get(key);
    if (found) found.n += p.n;
    else merged.set(key, { ...p });
  }
  const sorted = [...merged.values()].sort(
    (a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to),
  );
  return {
    id: 'hand-offs-between-teams',
    title: 'Hand-offs between teams',
    description:
      'Hand-offs of a child’s lead allocation from one team to another in the period, by the team it left and the team it went to.',
    columns: [
      { key: 'fromTeam', label: 'From team', kind: 'text' },
      { key: 'toTeam', label: 'To team', kind: 'text' },
      { key: 'handoffs', label: 'Hand-offs', kind: 'count' },
    ],
    rows: sorted.map((p) => ({ fromTeam: p.from, toTeam: p.to, handoffs: p.n })),
    chart: { kind: 'grid', x: 'fromTeam', y: 'toTeam', value: 'handoffs' },
    notes: ['Only pairs of teams with at least one hand-off are listed.'],
  };
}

function changeReasonFigure(rows: readonly Tally[]): Figure {
  const total = sum(rows, 'change_reason');
  const keys: (string | null)[] = [...Object.keys(CHANGE_REASONS), null];
  return {
    id: 'worker-changes-by-reason',
    title: 'Changes of lead worker by reason',
    description: 'Changes of a child’s lead worker in the period, by the reason recorded for the change.',
    columns: [
      { key: 'reason', label: 'Reason', kind: 'text' },
      { key: 'changes', label: 'Changes of lead worker', kind: 'count' },
      { key: 'share', label: 'Share of changes (%)', kind: 'percent', from: ['changes'] },
    ],
    rows: [
      ...keys.map((key) => {
        const n = sum(rows, 'change_reason', (t) => t.k1 === key);
        return {
          reason: key === null ? 'Not recorded' : (CHANGE_REASONS[key] ?? key),
          changes: n,
          share: percent(n, total),
        };
      }),
      { reason: 'Total', changes: total, share: total > 0 ? 100 : null },
    ],
    chart: { kind: 'bar', x: 'reason', y: ['changes'], horizontal: true },
    notes: [
      'A change of lead worker is a new lead allocation, started in the period, with a different named worker (or none) from the lead allocation before it. The reason is the SSDA903 and CIN census reason for the change.',
    ],
  };
}

function agencyFigure(rows: readonly Tally[]): Figure {
  const total = sum(rows, 'agency');
  const line = (label: string, key: string): Row => {
    const n = sum(rows, 'agency', (t) => t.k1 === key);
    return { workers: label, children: n, share: percent(n, total) };
  };
  return {
    id: 'agency-workers-in-period',
    title: 'Children with an agency worker in the period',
    description:
      'Children allocated to a team at any time in the period: those who had at least one agency worker, those whose workers were all permanent staff, and those with no named worker.',
    columns: [
      { key: 'workers', label: 'Workers', kind: 'text' },
      { key: 'children', label: 'Children', kind: 'count' },
      { key: 'share', label: 'Share of children (%)', kind: 'percent', from: ['children'] },
    ],
    rows: [
      line('At least one agency worker', 'agency'),
      line('Permanent workers only', 'permanent'),
      line('No named worker', 'none'),
      { workers: 'Total', children: total, share: total > 0 ? 100 : null },
    ],
    chart: { kind: 'bar', x: 'workers', y: ['children'] },
    notes: [
      'Agency or permanent is recorded on each member of staff’s account (“employment”); staff are permanent unless recorded as agency.',
    ],
  };
}

function snapshotFigure(rows: readonly Tally[], teams: ReadonlyMap<string, string>, to: string): Figure {
  const teamIds = [...new Set(rows.filter((t) => t.figure === 'snapshot').map((t) => t.k1 ?? ''))];
  const named = teamIds
    .map((id) => ({ id, name: teams.get(id) ?? 'Another team' }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const cell = (team: string | undefined, kind: string): number =>
    sum(rows, 'snapshot', (t) => (team === undefined || t.k1 === team) && t.k2 === kind);
  const line = (label: string, team: string | undefined): Row => {
    const permanent = cell(team, 'permanent');
    const agency = cell(team, 'agency');
    const none = cell(team, 'none');
    return {
      team: label,
      permanent,
      agency,
      none,
      total: permanent + agency + none,
      agencyShare: percent(agency, permanent + agency),
    };
  };
  return {
    id: 'lead-worker-employment-by-team',
    title: `Children’s lead workers on ${to}: agency or permanent, by team`,
    description: `Children with a lead allocation open at the end of ${to}, by team and whether their lead worker is agency or permanent staff.`,
    columns: [
      { key: 'team', label: 'Team', kind: 'text' },
      { key: 'permanent', label: 'Permanent lead worker', kind: 'count' },
      { key: 'agency', label: 'Agency lead worker', kind: 'count' },
      { key: 'none', label: 'No named worker', kind: 'count' },
      { key: 'total', label: 'Children', kind: 'count', total: true },
      {
        key: 'agencyShare',
        label: 'Agency share of children with a named worker (%)',
        kind: 'percent',
        from: ['permanent', 'agency'],
      },
    ],
    rows: [...named.map((t) => line(t.name, t.id)), line('Total', undefined)],
    chart: { kind: 'stacked', x: 'team', y: ['permanent', 'agency', 'none'], horizontal: true },
    notes: [
      'The team is the team of the child’s lead allocation open at the end of the last day of the period.',
    ],
  };
}

export const CONTINUITY: InsightView = {
  slug: 'continuity',
  title: 'Continuity',
  question:
    'Do children keep the same worker and team, or are they passed from one to another, and how many are helped by agency workers?',
  doc: 'continuity',
  filters: ['from', 'to', 'localityId', 'teamId', 'ageBand', 'sex', 'ethnicGroup', 'disability', 'decile'],
  figures: async (ctx) => {
    const [rows, teams] = await Promise.all([tallies(ctx), teamNames(ctx)]);
    return [
      workersFigure(rows),
      handoffsPerChildFigure(rows),
      handoffsFigure(rows, teams),
      changeReasonFigure(rows),
      agencyFigure(rows),
      snapshotFigure(rows, teams, ctx.filters.to),
    ];
  },
};
