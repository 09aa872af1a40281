/**
 * Insight view 2: the escalator. How many children move from a request for help to a referral, an
 * assessment, a section 47 enquiry, an initial child protection conference, a child protection plan
 * and care; what became of the section 47 enquiries (how many ended without a plan); second and
 * later plans; and how many families are investigated for each plan made.
 *
 * The measures are the SQL views of migration 0014_insight_front_door.sql (insight_escalator_events,
 * insight_section47_results, insight_cp_plans, insight_child_family); definitions in
 * docs/insight/escalator.md. Counts only: the framework suppresses small numbers.
 */
import { sql } from 'kysely';
import { applyFilters, inPeriod } from '../filters.ts';
import type { Figure, InsightContext, InsightView } from '../types.ts';
import { isSnapshot, relation } from '../snapshot.ts';
import { childrenSource } from './children.ts';

export const STAGES: readonly { readonly key: string; readonly label: string }[] = [
  { key: 'request', label: 'Requests for help' },
  { key: 'referral', label: 'Referrals' },
  { key: 'assessment', label: 'Child and family assessments' },
  { key: 'section47', label: 'Section 47 enquiries' },
  { key: 'initial_conference', label: 'Initial child protection conferences' },
  { key: 'cp_plan', label: 'Child protection plans' },
  { key: 'care', label: 'Starting to be looked after' },
];

export const SECTION47_RESULTS: readonly { readonly key: string; readonly label: string }[] = [
  { key: 'plan', label: 'Led to a child protection plan' },
  { key: 'no_further_action', label: 'Ended without a plan: no further action' },
  { key: 'child_in_need', label: 'Ended without a plan: help continued as a child in need or family help' },
  { key: 'conference_no_plan', label: 'Ended without a plan: an initial conference made no plan' },
  { key: 'other', label: 'Ended without a plan: another or no outcome recorded' },
  { key: 'open', label: 'Not yet ended' },
];

type Tally = { figure: string; k1: string | null; events: number; children: number; families: number };

const percent = (part: number, whole: number): number | null => (whole > 0 ? (100 * part) / whole : null);
const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

/**
 * Every count the view needs, in one statement. The events of the period are found first, then the
 * children they are about are read from `insight_children` once each (not once per event: the base
 * view looks up each child's latest address and allocation; see childrenSource), and the filters
 * applied to the pair.
 */
async function tallies(ctx: InsightContext): Promise<Tally[]> {
  const { filters } = ctx;
  const events = applyFilters(ctx, { event: 'e.event_on', noPeriod: true });
  const enquiries = applyFilters(ctx, { event: 's.started_on', noPeriod: true });
  const plans = applyFilters(ctx, { event: 'p.started_on', noPeriod: true });
  // The children of the period's events. From a snapshot, read from its index again rather than from
  // the CTE: PostgreSQL then knows how many there are and hashes them, rather than probing the
  // children one by one (tens of thousands over three years).
  const eventPeople = isSnapshot(ctx.source)
    ? sql`SELECT e2.person_id FROM ${relation(ctx.source, 'insight_escalator_events')} e2
        WHERE ${inPeriod(filters, 'e2.event_on')}`
    : sql`SELECT person_id FROM e`;
  const result = await sql<Tally>`
    WITH e AS MATERIALIZED (
      SELECT e.stage, e.person_id, e.event_on FROM ${relation(ctx.source, 'insight_escalator_events')} e
      WHERE ${inPeriod(filters, 'e.event_on')}
    ), s AS MATERIALIZED (
      SELECT s.person_id, s.started_on, s.result FROM ${relation(ctx.source, 'insight_section47_results')} s
      WHERE ${inPeriod(filters, 's.started_on')}
    ), p AS MATERIALIZED (
      SELECT p.person_id, p.started_on, p.plan_number FROM ${relation(ctx.source, 'insight_cp_plans')} p
      WHERE ${inPeriod(filters, 'p.started_on')}
    ), c AS MATERIALIZED (
      SELECT c.* FROM (${childrenSource(filters, ctx.source)}) c
      WHERE c.organisation_id = ${ctx.organisationId}::uuid AND c.person_id IN (${eventPeople})
    ), sc AS MATERIALIZED (
      SELECT s.person_id, s.result FROM s JOIN c ON c.person_id = s.person_id WHERE ${enquiries}
    ), pc AS MATERIALIZED (
      SELECT p.person_id, p.plan_number FROM p JOIN c ON c.person_id = p.person_id WHERE ${plans}
    ), fs AS MATERIALIZED (
      -- Each family looked up for the enquiries and plans only (not for every child of the period).
      SELECT sc.person_id, sc.result, f.family_id
      FROM sc JOIN ${relation(ctx.source, 'insight_child_family')} f ON f.person_id = sc.person_id
    ), fp AS MATERIALIZED (
      SELECT pc.person_id, pc.plan_number, f.family_id
      FROM pc JOIN ${relation(ctx.source, 'insight_child_family')} f ON f.person_id = pc.person_id
    ), per_child AS (
      -- Events per stage and child first (hashed), so children are counted without sorting every event.
      SELECT e.stage, e.person_id, count(*)::int AS n
      FROM e JOIN c ON c.person_id = e.person_id
      WHERE ${events}
      GROUP BY e.stage, e.person_id
    )
    SELECT 'stage' AS figure, stage AS k1, sum(n)::int AS events, count(*)::int AS children, 0 AS families
      FROM per_child
      GROUP BY stage
    UNION ALL
    SELECT 'section47', result, count(*)::int, count(DISTINCT person_id)::int, count(DISTINCT family_id)::int
      FROM fs GROUP BY result
    UNION ALL
    SELECT 'investigated', NULL, count(*)::int, count(DISTINCT person_id)::int, count(DISTINCT family_id)::int
      FROM fs
    UNION ALL
    SELECT 'plan', CASE WHEN plan_number >= 3 THEN '3+' ELSE plan_number::text END, count(*)::int,
      count(DISTINCT person_id)::int, count(DISTINCT family_id)::int
      FROM fp GROUP BY 2
    UNION ALL
    SELECT 'planned', NULL, count(*)::int, count(DISTINCT person_id)::int, count(DISTINCT family_id)::int
      FROM fp`.execute(ctx.db);
  return result.rows;
}

function find(rows: readonly Tally[], figure: string, k1: string | null = null): Tally {
  return (
    rows.find((t) => t.figure === figure && t.k1 === k1) ?? {
      figure,
      k1,
      events: 0,
      children: 0,
      families: 0,
    }
  );
}

function flowFigure(rows: readonly Tally[]): Figure {
  return {
    id: 'escalator',
    title: 'The escalator: from a request for help to care',
    description:
      'How many requests, referrals, assessments, section 47 enquiries, initial conferences, child protection plans and starts in care there were in the period, and how many children they were about.',
    columns: [
      { key: 'stage', label: 'Stage', kind: 'text' },
      { key: 'events', label: 'Number in the period', kind: 'count' },
      { key: 'children', label: 'Children', kind: 'count' },
    ],
    rows: STAGES.map((stage) => {
      const t = find(rows, 'stage', stage.key);
      return { stage: stage.label, events: t.events, children: t.children };
    }),
    chart: { kind: 'flow', stage: 'stage', value: 'events' },
    notes: [
      'Each stage counts the events that happened in the period (a request received, a referral made, an assessment, enquiry or plan started, a conference held, a period of care started), whenever the stage before them happened.',
      'Children are counted once at each stage however many times they reached it.',
    ],
  };
}

function conversionFigure(rows: readonly Tally[]): Figure {
  const pairs = STAGES.slice(1).map((to, i) => {
    const from = STAGES[i] ?? to;
    return { from, to };
  });
  return {
    id: 'conversion',
    title: 'From one stage to the next',
    description:
      'Each stage of the escalator as a percentage of the stage before it, for events in the same period.',
    columns: [
      { key: 'step', label: 'Step', kind: 'text' },
      { key: 'before', label: 'Stage before', kind: 'count' },
      { key: 'after', label: 'Next stage', kind: 'count' },
      {
        key: 'rate',
        label: 'Next stage as a percentage of the stage before',
        kind: 'percent',
        from: ['before', 'after'],
      },
    ],
    rows: pairs.map(({ from, to }) => {
      const before = find(rows, 'stage', from.key).events;
      const after = find(rows, 'stage', to.key).events;
      return {
        step: `${from.label} to ${to.label.toLowerCase()}`,
        before,
        after,
        rate: percent(after, before),
      };
    }),
    chart: { kind: 'bar', x: 'step', y: ['rate'], horizontal: true },
    notes: [
      'The two counts are of events in the same period, not of the same children followed through: a percentage compares the flow into each stage, as the national statistics do (England 2024-25: initial conferences were 31% of section 47 enquiries, and plans 86% of initial conferences).',
    ],
  };
}

function section47Figure(rows: readonly Tally[]): Figure {
  const total = find(rows, 'investigated').events;
  return {
    id: 'section47-results',
    title: 'What became of section 47 enquiries',
    description:
      'The section 47 enquiries started in the period: how many led to a child protection plan, how many ended without one and why, and how many have not yet ended.',
    columns: [
      { key: 'result', label: 'Result', kind: 'text' },
      { key: 'enquiries', label: 'Enquiries', kind: 'count' },
      { key: 'share', label: 'Share of enquiries (%)', kind: 'percent', from: ['enquiries'] },
    ],
    rows: SECTION47_RESULTS.map((r) => {
      const n = find(rows, 'section47', r.key).events;
      return { result: r.label, enquiries: n, share: percent(n, total) };
    }),
    chart: { kind: 'bar', x: 'result', y: ['enquiries'], horizontal: true },
    notes: [
      'An enquiry led to a plan when a child protection plan for the child started within 90 days of the enquiry starting, or an initial conference linked to it made a plan.',
      'An enquiry ended without a plan when it was completed and no such plan followed; its reason is the outcome recorded on the enquiry.',
    ],
  };
}

function secondPlansFigure(rows: readonly Tally[]): Figure {
  const total = find(rows, 'planned').events;
  const bands = [
    { key: '1', label: 'A first plan' },
    { key: '2', label: 'A second plan' },
    { key: '3+', label: 'A third or later plan' },
  ];
  return {
    id: 'second-plans',
    title: 'Second and later child protection plans',
    description:
      'The child protection plans started in the period: how many were the child’s first plan, second plan, or third or later plan.',
    columns: [
      { key: 'plan', label: 'Plan', kind: 'text' },
      { key: 'plans', label: 'Plans started', kind: 'count' },
      { key: 'share', label: 'Share of plans started (%)', kind: 'percent', from: ['plans'] },
    ],
    rows: bands.map((b) => {
      const n = find(rows, 'plan', b.key).events;
      return { plan: b.label, plans: n, share: percent(n, total) };
    }),
    chart: { kind: 'bar', x: 'plan', y: ['plans'] },
    notes: [
      'A plan’s number counts every earlier child protection plan for the same child recorded in Hearth, however long ago (England 2024-25: 24.5% of plans started were a second or later plan).',
    ],
  };
}

function perPlanFigure(rows: readonly Tally[]): Figure {
  const investigated = find(rows, 'investigated');
  const planned = find(rows, 'planned');
  const line = (measure: string, a: number, b: number) => ({
    measure,
    investigated: a,
    planned: b,
    per_plan: ratio(a, b),
  });
  return {
    id: 'investigated-per-plan',
    title: 'Investigated for each plan made',
    description:
      'Section 47 enquiries started in the period for each child protection plan started, and the same counted in children and in families.',
    columns: [
      { key: 'measure', label: 'Counted in', kind: 'text' },
      { key: 'investigated', label: 'Investigated (section 47 enquiry)', kind: 'count' },
      { key: 'planned', label: 'With a child protection plan started', kind: 'count' },
      {
        key: 'per_plan',
        label: 'Investigated for each plan',
        kind: 'rate',
        from: ['investigated', 'planned'],
      },
    ],
    rows: [
      line('Enquiries and plans', investigated.events, planned.events),
      line('Children', investigated.children, planned.children),
      line('Families', investigated.families, planned.families),
    ],
    chart: { kind: 'bar', x: 'measure', y: ['per_plan'] },
    notes: [
      'England 2024-25: 230,590 section 47 enquiries and 61,840 child protection plans started, about 3.7 enquiries for each plan.',
      'Families: children who share a recorded mother, or are recorded as siblings or half-siblings, are one family (Hearth has no household record); a child with none of these recorded is a family of one.',
    ],
  };
}

function childrenPerFamilyFigure(rows: readonly Tally[]): Figure {
  const investigated = find(rows, 'investigated');
  const planned = find(rows, 'planned');
  return {
    id: 'children-per-family',
    title: 'Children for each family',
    description:
      'How many children each family investigated had a section 47 enquiry, and how many each family with a plan had plans for, in the period.',
    columns: [
      { key: 'group', label: 'Families', kind: 'text' },
      { key: 'children', label: 'Children', kind: 'count' },
      { key: 'families', label: 'Families', kind: 'count' },
      { key: 'per_family', label: 'Children for each family', kind: 'mean', from: ['children', 'families'] },
    ],
    rows: [
      {
        group: 'Investigated (section 47 enquiry)',
        children: investigated.children,
        families: investigated.families,
        per_family: ratio(investigated.children, investigated.families),
      },
      {
        group: 'With a child protection plan started',
        children: planned.children,
        families: planned.families,
        per_family: ratio(planned.children, planned.families),
      },
    ],
    notes: ['Families as in the figure before.'],
  };
}

export const ESCALATOR: InsightView = {
  slug: 'escalator',
  title: 'The escalator',
  question:
    'How many children climb each step from a request for help to a child protection plan or care, how many section 47 enquiries end without a plan, how many plans are second or later plans, and how many families are investigated for each plan made?',
  doc: 'escalator',
  filters: ['from', 'to', 'localityId', 'teamId', 'ageBand', 'sex', 'ethnicGroup', 'disability', 'decile'],
  figures: async (ctx) => {
    const rows = await tallies(ctx);
    return [
      flowFigure(rows),
      conversionFigure(rows),
      section47Figure(rows),
      secondPlansFigure(rows),
      perPlanFigure(rows),
      childrenPerFamilyFigure(rows),
    ];
  },
};
