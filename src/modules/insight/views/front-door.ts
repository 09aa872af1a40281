/**
 * Insight view 1: who comes to the front door. Requests for help by who asked and the CIN census
 * source, repeat requests for the same child within 12 months, the decisions made and the help
 * offered when statutory work was declined, the working days to a decision, and the trend by month.
 *
 * The measures are the SQL view `insight_front_door_requests` (migration 0014_insight_front_door.sql);
 * definitions in docs/insight/front-door.md. Counts only: the framework suppresses small numbers.
 */
import { sql } from 'kysely';
import { REFERRAL_SOURCE_LIST } from '../../help/codes.ts';
import { DECISIONS, REQUESTER_KINDS } from '../../help/front-door-form.ts';
import { applyFilters, inPeriod } from '../filters.ts';
import type { Figure, InsightContext, InsightView, Row } from '../types.ts';
import { isSnapshot, relation } from '../snapshot.ts';
import { childrenSource } from './children.ts';

/** Free-text help recorded for fewer requests than this is pooled, so no single description is shown. */
export const FREE_TEXT_MINIMUM = 5;

/** Working days from receiving a request to deciding it, in bands (0 = decided the day it came in). */
export const DECISION_BANDS: readonly { readonly key: string; readonly label: string }[] = [
  { key: '0', label: 'The same day' },
  { key: '1', label: '1 working day' },
  { key: '2', label: '2 working days' },
  { key: '3-5', label: '3 to 5 working days' },
  { key: '6-10', label: '6 to 10 working days' },
  { key: '11+', label: 'More than 10 working days' },
];

const DECISION_ORDER = [
  'information_advice',
  'community_service',
  'family_help',
  'assessment',
  'strategy_discussion',
] as const;

/** Decisions that decline statutory work (an assessment or a strategy discussion). */
const NOT_STATUTORY = new Set<string>(['information_advice', 'community_service', 'family_help']);

const SHORT_REQUESTER: Readonly<Record<string, string>> = {
  professional: 'A professional',
  parent: 'A parent or carer',
  young_person: 'The child or young person',
  relative: 'A relative or family friend',
  neighbour: 'A neighbour or someone else who knows the family',
  anonymous: 'Someone who did not give their name',
  other: 'Someone else',
};

type Tally = { figure: string; k1: string | null; k2: string | null; k3: string | null; n: number };

const percent = (part: number, whole: number): number | null => (whole > 0 ? (100 * part) / whole : null);

/** Every month from the month of `from` to the month of `to`, as 'YYYY-MM'. */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  let year = Number(from.slice(0, 4));
  let month = Number(from.slice(5, 7));
  const last = to.slice(0, 7);
  for (;;) {
    const key = `${String(year)}-${String(month).padStart(2, '0')}`;
    if (key > last) break;
    months.push(key);
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  return months;
}

/** Every count the view needs, in one pass over the filtered requests. */
async function tallies(ctx: InsightContext): Promise<Tally[]> {
  const received = { column: 'r.received_at', timestamp: true } as const;
  const where = applyFilters(ctx, { event: received, noPeriod: true, noOrganisation: true });
  // The requests of the period first, then their children read from `insight_children` once each.
  // From a snapshot, the children of the period's requests are found from its index again rather than
  // from the CTE, so that PostgreSQL knows how many there are and hashes them (see the escalator).
  const requestPeople = isSnapshot(ctx.source)
    ? sql`SELECT r2.person_id FROM ${relation(ctx.source, 'insight_front_door_requests')} r2
        WHERE r2.organisation_id = ${ctx.organisationId}::uuid AND ${inPeriod(ctx.filters, { column: 'r2.received_at', timestamp: true })}`
    : sql`SELECT person_id FROM r`;
  const result = await sql<Tally>`
    WITH r AS MATERIALIZED (
      SELECT r.* FROM ${relation(ctx.source, 'insight_front_door_requests')} r
      WHERE r.organisation_id = ${ctx.organisationId}::uuid AND ${inPeriod(ctx.filters, received)}
    ), c AS MATERIALIZED (
      SELECT c.* FROM (${childrenSource(ctx.filters, ctx.source)}) c WHERE c.person_id IN (${requestPeople})
    ), f AS MATERIALIZED (
      SELECT r.requester_kind, r.referral_source, r.status, r.decision, r.decision_service,
        r.decision_help_offered_instead, r.working_days_to_decision, r.repeat_within_12_months,
        to_char(r.received_on, 'YYYY-MM') AS month
      FROM r LEFT JOIN c ON c.person_id = r.person_id
      WHERE ${where}
    )
    SELECT 'requester' AS figure, requester_kind AS k1, NULL AS k2, NULL AS k3, count(*)::int AS n
      FROM f GROUP BY requester_kind
    UNION ALL
    SELECT 'source', referral_source, NULL, NULL, count(*)::int FROM f GROUP BY referral_source
    UNION ALL
    SELECT 'decision', coalesce(decision, status), NULL, NULL, count(*)::int FROM f GROUP BY coalesce(decision, status)
    UNION ALL
    SELECT 'instead', decision, nullif(btrim(decision_service), ''), nullif(btrim(decision_help_offered_instead), ''),
      count(*)::int
      FROM f WHERE decision IN ('information_advice', 'community_service', 'family_help')
      GROUP BY 2, 3, 4
    UNION ALL
    SELECT 'time',
      CASE WHEN working_days_to_decision <= 2 THEN working_days_to_decision::text
        WHEN working_days_to_decision <= 5 THEN '3-5'
        WHEN working_days_to_decision <= 10 THEN '6-10'
        ELSE '11+' END,
      NULL, NULL, count(*)::int
      FROM f WHERE decision IS NOT NULL GROUP BY 2
    UNION ALL
    SELECT 'repeat', repeat_within_12_months::text, NULL, NULL, count(*)::int FROM f GROUP BY 2
    UNION ALL
    SELECT 'month', month, repeat_within_12_months::text, decision IN ('assessment', 'strategy_discussion')::text,
      count(*)::int
      FROM f GROUP BY 2, 3, 4`.execute(ctx.db);
  return result.rows;
}

function sum(rows: readonly Tally[], figure: string, match: (t: Tally) => boolean = () => true): number {
  return rows.reduce((s, t) => (t.figure === figure && match(t) ? s + t.n : s), 0);
}

function requesterFigure(rows: readonly Tally[]): Figure {
  const total = sum(rows, 'requester');
  const keys = [...Object.keys(REQUESTER_KINDS), null];
  return {
    id: 'requests-by-requester',
    title: 'Requests for help by who asked',
    description: 'The number of requests for help received in the period, by who asked for the help.',
    columns: [
      { key: 'requester', label: 'Who asked', kind: 'text' },
      { key: 'requests', label: 'Requests', kind: 'count' },
      { key: 'share', label: 'Share of requests (%)', kind: 'percent', from: ['requests'] },
    ],
    rows: keys.map((key) => {
      const n = sum(rows, 'requester', (t) => t.k1 === key);
      return {
        requester: key === null ? 'Not recorded' : (SHORT_REQUESTER[key] ?? key),
        requests: n,
        share: percent(n, total),
      };
    }),
    chart: { kind: 'bar', x: 'requester', y: ['requests'], horizontal: true },
    notes: ['Requests received in the period, drafts left out.'],
  };
}

function sourceFigure(rows: readonly Tally[]): Figure {
  const total = sum(rows, 'source');
  const codes: (readonly [string | null, string])[] = [...REFERRAL_SOURCE_LIST, [null, 'Not recorded']];
  return {
    id: 'requests-by-source',
    title: 'Requests for help by source',
    description:
      'The number of requests for help received in the period, by where they came from (the CIN census referral source).',
    columns: [
      { key: 'code', label: 'Code', kind: 'text' },
      { key: 'source', label: 'Source', kind: 'text' },
      { key: 'requests', label: 'Requests', kind: 'count' },
      { key: 'share', label: 'Share of requests (%)', kind: 'percent', from: ['requests'] },
    ],
    rows: codes.map(([code, label]) => {
      const n = sum(rows, 'source', (t) => t.k1 === code);
      return { code: code ?? '', source: label, requests: n, share: percent(n, total) };
    }),
    chart: { kind: 'bar', x: 'source', y: ['requests'], horizontal: true },
    notes: ['Sources are the CIN census referral source codes recorded on the request.'],
  };
}

const DECISION_ROW_LABELS: Readonly<Record<string, string>> = {
  ...DECISIONS,
  awaiting_decision: 'Awaiting a decision',
  withdrawn: 'Withdrawn before a decision',
};

function decisionFigure(rows: readonly Tally[]): Figure {
  const total = sum(rows, 'decision');
  const keys = [...DECISION_ORDER, 'awaiting_decision', 'withdrawn'];
  return {
    id: 'decisions',
    title: 'Decisions on requests for help',
    description:
      'What was decided on the requests for help received in the period, including those still awaiting a decision.',
    columns: [
      { key: 'decision', label: 'Decision', kind: 'text' },
      { key: 'requests', label: 'Requests', kind: 'count' },
      { key: 'share', label: 'Share of requests (%)', kind: 'percent', from: ['requests'] },
    ],
    rows: keys.map((key) => {
      const n = sum(rows, 'decision', (t) => t.k1 === key);
      return { decision: DECISION_ROW_LABELS[key] ?? key, requests: n, share: percent(n, total) };
    }),
    chart: { kind: 'bar', x: 'decision', y: ['requests'], horizontal: true },
    notes: [
      'A child and family assessment or a strategy discussion is statutory work; the other decisions decline it and offer help instead.',
    ],
  };
}

/**
 * The help offered when statutory work was declined. Descriptions are free text: one recorded for
 * fewer than FREE_TEXT_MINIMUM requests is pooled with the others like it, so that no description
 * written about one family is shown.
 */
function insteadFigure(rows: readonly Tally[]): Figure {
  const pooled = new Map<string, { decision: string; service: string; help: string; n: number }>();
  const add = (decision: string, service: string, help: string, n: number) => {
    const key = JSON.stringify([decision, service, help]);
    const row = pooled.get(key) ?? { decision, service, help, n: 0 };
    row.n += n;
    pooled.set(key, row);
  };
  const OTHER = `Other (each described for fewer than ${String(FREE_TEXT_MINIMUM)} requests)`;
  for (const t of rows) {
    if (t.figure !== 'instead' || t.k1 === null || !NOT_STATUTORY.has(t.k1)) continue;
    const decision = DECISIONS[t.k1 as keyof typeof DECISIONS];
    if (t.n < FREE_TEXT_MINIMUM) {
      add(decision, t.k2 === null ? 'Not recorded' : OTHER, t.k3 === null ? 'Not recorded' : OTHER, t.n);
      continue;
    }
    add(decision, t.k2 ?? 'Not recorded', t.k3 ?? 'Not recorded', t.n);
  }
  const order = (d: string) => DECISION_ORDER.findIndex((k) => DECISIONS[k] === d);
  const sorted = [...pooled.values()].sort(
    (a, b) =>
      order(a.decision) - order(b.decision) ||
      Number(a.service === OTHER) - Number(b.service === OTHER) ||
      Number(a.help === OTHER) - Number(b.help === OTHER) ||
      b.n - a.n ||
      a.service.localeCompare(b.service) ||
      a.help.localeCompare(b.help),
  );
  return {
    id: 'help-offered-instead',
    title: 'Help offered when statutory work was declined',
    description:
      'For requests decided as information and advice, a community service or family help: the service named and the help offered instead.',
    columns: [
      { key: 'decision', label: 'Decision', kind: 'text' },
      { key: 'service', label: 'Service', kind: 'text' },
      { key: 'help', label: 'Help offered instead', kind: 'text' },
      { key: 'requests', label: 'Requests', kind: 'count' },
    ],
    rows: sorted.map((r) => ({ decision: r.decision, service: r.service, help: r.help, requests: r.n })),
    notes: [
      `Services and help are recorded in the practitioner's words; a description recorded for fewer than ${String(FREE_TEXT_MINIMUM)} requests is counted under "Other", so that nothing written about one family is shown.`,
    ],
  };
}

function timeFigure(rows: readonly Tally[]): Figure {
  const total = sum(rows, 'time');
  return {
    id: 'time-to-decision',
    title: 'Working days from request to decision',
    description:
      'How many working days after the request came in it was decided, for the requests received in the period and decided.',
    columns: [
      { key: 'band', label: 'Time to decision', kind: 'text' },
      { key: 'requests', label: 'Requests decided', kind: 'count' },
      { key: 'share', label: 'Share of decided requests (%)', kind: 'percent', from: ['requests'] },
    ],
    rows: DECISION_BANDS.map((band) => {
      const n = sum(rows, 'time', (t) => t.k1 === band.key);
      return { band: band.label, requests: n, share: percent(n, total) };
    }),
    chart: { kind: 'bar', x: 'band', y: ['requests'] },
    notes: [
      'Working days are Monday to Friday except bank holidays in England and Wales, counted after the day the request was received up to and including the day it was decided: a request decided the next working day took 1.',
      'Dates are the dates in England of receiving and deciding.',
    ],
  };
}

function repeatFigure(rows: readonly Tally[]): Figure {
  const total = sum(rows, 'repeat');
  const repeat = sum(rows, 'repeat', (t) => t.k1 === 'true');
  return {
    id: 'repeat-requests',
    title: 'Repeat requests within 12 months',
    description:
      'Requests for help about a child who had another request in the 12 months before, beside requests that were the first in 12 months.',
    columns: [
      { key: 'kind', label: 'Request', kind: 'text' },
      { key: 'requests', label: 'Requests', kind: 'count' },
      { key: 'share', label: 'Share of requests (%)', kind: 'percent', from: ['requests'] },
    ],
    rows: [
      {
        kind: 'The first for the child in 12 months',
        requests: total - repeat,
        share: percent(total - repeat, total),
      },
      { kind: 'A repeat within 12 months', requests: repeat, share: percent(repeat, total) },
    ],
    chart: { kind: 'bar', x: 'kind', y: ['requests'], horizontal: true },
    notes: [
      'A request is a repeat when the same child had another request for help received in the 12 months before it (whatever its decision), including any before the period.',
    ],
  };
}

function trendFigure(rows: readonly Tally[], from: string, to: string): Figure {
  const monthRows: Row[] = monthsBetween(from, to).map((month) => {
    const inMonth = (t: Tally) => t.k1 === month;
    return {
      month,
      requests: sum(rows, 'month', inMonth),
      repeats: sum(rows, 'month', (t) => inMonth(t) && t.k2 === 'true'),
      statutory: sum(rows, 'month', (t) => inMonth(t) && t.k3 === 'true'),
    };
  });
  return {
    id: 'requests-by-month',
    title: 'Requests for help by month',
    description:
      'Requests for help received each month of the period, the repeat requests among them, and those decided as statutory work.',
    columns: [
      { key: 'month', label: 'Month', kind: 'text' },
      { key: 'requests', label: 'Requests', kind: 'count' },
      { key: 'repeats', label: 'Repeat requests within 12 months', kind: 'count' },
      { key: 'statutory', label: 'Decided as an assessment or strategy discussion', kind: 'count' },
    ],
    rows: monthRows,
    chart: { kind: 'line', x: 'month', y: ['requests', 'repeats', 'statutory'] },
    notes: ['The first and last months are part months when the period starts or ends inside them.'],
  };
}

export const FRONT_DOOR: InsightView = {
  slug: 'front-door',
  title: 'Who comes to the front door',
  question:
    'Who asks for help for children, how often the same children come back, what is decided, what help is offered when statutory work is not, and how quickly?',
  doc: 'front-door',
  filters: ['from', 'to', 'localityId', 'teamId', 'ageBand', 'sex', 'ethnicGroup', 'disability', 'decile'],
  figures: async (ctx) => {
    const rows = await tallies(ctx);
    return [
      sourceFigure(rows),
      requesterFigure(rows),
      decisionFigure(rows),
      insteadFigure(rows),
      timeFigure(rows),
      repeatFigure(rows),
      trendFigure(rows, ctx.filters.from, ctx.filters.to),
    ];
  },
};
