import { sql } from 'kysely';
import { HELP_CATEGORIES } from '../help/practical-help.ts';
import { applyFilters, inPeriod } from '../insight/filters.ts';
import { quantile } from '../insight/stats.ts';
import type { Column, Figure, InsightContext, InsightView, Row } from '../insight/types.ts';

/**
 * Two reports in the insight framework (so small numbers are suppressed, charts drawn on the server
 * beside their tables, and CSV and PNG downloads audited, exactly as insight does):
 *
 * 1. Family network meetings: of the meetings offered in the period (by the date of the offer), how
 *    many the family accepted and declined, how many were held, and how many ended in a plan the
 *    local authority agreed, by month, by quarter and by team, with the rate held per offered.
 * 2. Practical and financial help: the requests and help recorded in the period (by the date asked
 *    for, or given when there was no request), by locality and by the deprivation decile of the
 *    child's neighbourhood (latest address → LSOA 2021 → IMD 2025 decile): counts, the amount paid or
 *    given, refusals, the median days from request to payment, and welfare-rights referrals with
 *    the income gained a year.
 *
 * Locality, team and decile are the child's, as insight reads them (`insight_children`: the team of
 * the latest allocation and its locality; the latest address's neighbourhood).
 */

const NOT_KNOWN = 'Not known';

// Family network meetings -----------------------------------------------------------------------------

type MeetingFact = {
  offered_on: string;
  response: 'accepted' | 'declined' | null;
  held: boolean;
  agreed: boolean;
  team: string | null;
};

async function meetingFacts(ctx: InsightContext): Promise<MeetingFact[]> {
  const offered = 'm.offered_on';
  const result = await sql<MeetingFact>`
    SELECT m.offered_on::text AS offered_on, m.response, (m.held_on IS NOT NULL) AS held,
      (m.plan_agreed IS TRUE) AS agreed, t.name AS team
    FROM family_network_meetings m
    JOIN help_episodes e ON e.id = m.episode_id
    JOIN insight_children c ON c.person_id = e.person_id
    LEFT JOIN teams t ON t.id = c.team_id
    WHERE ${inPeriod(ctx.filters, offered)} AND ${applyFilters(ctx, { event: offered, noPeriod: true })}`.execute(
    ctx.db,
  );
  return result.rows;
}

export type MeetingCounts = {
  offered: number;
  accepted: number;
  declined: number;
  held: number;
  agreed: number;
};

export function countMeetings(facts: readonly MeetingFact[]): MeetingCounts {
  return {
    offered: facts.length,
    accepted: facts.filter((f) => f.response === 'accepted').length,
    declined: facts.filter((f) => f.response === 'declined').length,
    held: facts.filter((f) => f.held).length,
    agreed: facts.filter((f) => f.agreed).length,
  };
}

const MEETING_COLUMNS = (label: string): Column[] => [
  { key: 'label', label, kind: 'text' },
  { key: 'offered', label: 'Offered', kind: 'count' },
  { key: 'accepted', label: 'Accepted', kind: 'count' },
  { key: 'declined', label: 'Declined', kind: 'count' },
  { key: 'held', label: 'Held', kind: 'count' },
  { key: 'agreed', label: 'Plans agreed', kind: 'count' },
  { key: 'rate', label: 'Held per 100 offered', kind: 'percent', from: ['offered', 'held'] },
];

function meetingRow(label: string, c: MeetingCounts): Row {
  return { label, ...c, rate: c.offered > 0 ? (100 * c.held) / c.offered : null };
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** 'YYYY-MM' → "December 2026". */
export function monthLabel(key: string): string {
  return `${MONTHS[Number(key.slice(5, 7)) - 1] ?? ''} ${key.slice(0, 4)}`;
}

/** The quarter of the financial year (April to March) an ISO date falls in: "2026-27 Q3". */
export function financialQuarter(iso: string): string {
  const year = Number(iso.slice(0, 4));
  const month = Number(iso.slice(5, 7));
  const start = month >= 4 ? year : year - 1;
  const quarter = Math.floor(((month + 8) % 12) / 3) + 1;
  return `${String(start)}-${String((start + 1) % 100).padStart(2, '0')} Q${String(quarter)}`;
}

/** Every key from the period's first to its last (months or quarters), so empty ones show as 0. */
function periodKeys(from: string, to: string, key: (iso: string) => string): string[] {
  const keys: string[] = [];
  let year = Number(from.slice(0, 4));
  let month = Number(from.slice(5, 7));
  const last = to.slice(0, 7);
  for (;;) {
    const ym = `${String(year)}-${String(month).padStart(2, '0')}`;
    if (ym > last) break;
    const k = key(`${ym}-01`);
    if (!keys.includes(k)) keys.push(k);
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  return keys;
}

function byKey<T>(facts: readonly T[], keys: readonly string[], keyOf: (f: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>(keys.map((k) => [k, []]));
  for (const fact of facts) {
    const k = keyOf(fact);
    const group = groups.get(k);
    if (group) group.push(fact);
    else groups.set(k, [fact]);
  }
  return groups;
}

const MEETING_NOTES = [
  'Meetings are counted by the date they were offered; accepted, declined, held and plans agreed are what has happened to those offers since.',
  'Held per 100 offered: the meetings held for every 100 offered in the same period.',
  'Team: the team of the child’s latest allocation.',
];

export async function familyNetworkFigures(ctx: InsightContext): Promise<Figure[]> {
  const facts = await meetingFacts(ctx);
  const { from, to } = ctx.filters;
  const months = byKey(
    facts,
    periodKeys(from, to, (iso) => iso.slice(0, 7)),
    (f) => f.offered_on.slice(0, 7),
  );
  const quarters = byKey(facts, periodKeys(from, to, financialQuarter), (f) =>
    financialQuarter(f.offered_on),
  );
  const teams = [...byKey(facts, [], (f) => f.team ?? NOT_KNOWN)].sort(([a], [b]) =>
    a === NOT_KNOWN ? 1 : b === NOT_KNOWN ? -1 : a.localeCompare(b),
  );
  const total = meetingRow('Total', countMeetings(facts));
  return [
    {
      id: 'by-month',
      title: 'Family network meetings by month',
      description: 'Family network meetings offered and held each month, by the month they were offered.',
      columns: MEETING_COLUMNS('Month offered'),
      rows: [...[...months].map(([k, group]) => meetingRow(monthLabel(k), countMeetings(group))), total],
      chart: { kind: 'bar', x: 'label', y: ['offered', 'held'] },
      notes: MEETING_NOTES,
    },
    {
      id: 'by-quarter',
      title: 'Family network meetings by quarter',
      description: 'Family network meetings offered and held in each quarter of the financial year.',
      columns: MEETING_COLUMNS('Quarter offered'),
      rows: [...[...quarters].map(([k, group]) => meetingRow(k, countMeetings(group))), total],
      chart: { kind: 'bar', x: 'label', y: ['offered', 'held'] },
      notes: MEETING_NOTES,
    },
    {
      id: 'by-team',
      title: 'Family network meetings by team',
      description: 'Family network meetings offered, held and ending in an agreed plan, by the child’s team.',
      columns: MEETING_COLUMNS('Team'),
      rows: [...teams.map(([k, group]) => meetingRow(k, countMeetings(group))), total],
      chart: { kind: 'bar', x: 'label', y: ['offered', 'held', 'agreed'], horizontal: true },
      notes: MEETING_NOTES,
    },
  ];
}

export const FAMILY_NETWORK_REPORT: InsightView = {
  slug: 'family-network-meetings',
  title: 'Family network meetings',
  question:
    'How many families are offered a family network meeting, how many meet, and how many plans are agreed?',
  doc: 'family-network',
  filters: ['from', 'to', 'localityId', 'teamId'],
  figures: familyNetworkFigures,
};

// Practical and financial help ------------------------------------------------------------------------

type HelpFact = {
  locality: string | null;
  decile: number | null;
  status: 'requested' | 'granted' | 'refused' | 'given';
  category: 'section17' | 'in_kind' | 'welfare_rights';
  amount_pence: number | null;
  days: number | null;
  income_pence: number | null;
};

async function helpFacts(ctx: InsightContext): Promise<HelpFact[]> {
  const result = await sql<HelpFact>`
    WITH h AS (
      SELECT h.*, coalesce(h.requested_on, h.given_on) AS on_date FROM practical_help h
    )
    SELECT l.name AS locality, c.imd_decile AS decile, h.status, h.category, h.amount_pence,
      CASE WHEN h.category <> 'welfare_rights' AND h.status = 'given' AND h.requested_on IS NOT NULL
        THEN (h.given_on - h.requested_on) END AS days,
      CASE WHEN h.category = 'welfare_rights' THEN h.income_gained_pence END AS income_pence
    FROM h
    JOIN insight_children c ON c.person_id = h.person_id
    LEFT JOIN localities l ON l.id = c.locality_id
    WHERE ${inPeriod(ctx.filters, 'h.on_date')} AND ${applyFilters(ctx, { event: 'h.on_date', noPeriod: true })}`.execute(
    ctx.db,
  );
  return result.rows;
}

export type HelpCounts = {
  requests: number;
  refused: number;
  given: number;
  amount: number | null;
  medianDays: number | null;
  referrals: number;
  income: number | null;
};

/** The help's figures: the amount given and the income gained in pounds (the framework writes £). */
export function countHelp(facts: readonly HelpFact[]): HelpCounts {
  const notReferrals = facts.filter((f) => f.category !== 'welfare_rights');
  const given = notReferrals.filter((f) => f.status === 'given');
  const referrals = facts.filter((f) => f.category === 'welfare_rights');
  const days = given
    .map((f) => f.days)
    .filter((d): d is number => d !== null)
    .sort((a, b) => a - b);
  return {
    requests: notReferrals.length,
    refused: notReferrals.filter((f) => f.status === 'refused').length,
    given: given.length,
    amount: given.reduce((sum, f) => sum + (f.amount_pence ?? 0), 0) / 100,
    medianDays: quantile(days, 0.5) ?? null,
    referrals: referrals.length,
    income: referrals.reduce((sum, f) => sum + (f.income_pence ?? 0), 0) / 100,
  };
}

const HELP_COLUMNS = (label: string): Column[] => [
  { key: 'label', label, kind: 'text' },
  { key: 'requests', label: 'Payments and help in kind', kind: 'count' },
  { key: 'refused', label: 'Refused', kind: 'count' },
  { key: 'given', label: 'Paid or given', kind: 'count' },
  { key: 'amount', label: 'Amount paid or given', kind: 'money', from: ['given'] },
  { key: 'medianDays', label: 'Median days from request to payment', kind: 'days', from: ['given'] },
  { key: 'referrals', label: 'Welfare-rights referrals', kind: 'count' },
  { key: 'income', label: 'Income gained a year', kind: 'money', from: ['referrals'] },
];

function helpRow(label: string, c: HelpCounts): Row {
  return { label, ...c };
}

const HELP_NOTES = [
  `Counted by the date the help was asked for (or given, for help recorded as given straight away). ${HELP_CATEGORIES.section17}s and ${HELP_CATEGORIES.in_kind.toLowerCase()} are counted together; welfare-rights referrals apart.`,
  'Median days from request to payment: over the help paid or given that was recorded as a request first.',
  'Locality: of the team of the child’s latest allocation. Deprivation decile: of the child’s latest address (Index of Multiple Deprivation 2025; 1 is the most deprived 10% of neighbourhoods in England).',
];

export async function practicalHelpFigures(ctx: InsightContext): Promise<Figure[]> {
  const facts = await helpFacts(ctx);
  const localities = [...byKey(facts, [], (f) => f.locality ?? NOT_KNOWN)].sort(([a], [b]) =>
    a === NOT_KNOWN ? 1 : b === NOT_KNOWN ? -1 : a.localeCompare(b),
  );
  const decileKeys = [...Array.from({ length: 10 }, (_, i) => String(i + 1)), NOT_KNOWN];
  const deciles = byKey(facts, decileKeys, (f) => (f.decile === null ? NOT_KNOWN : String(f.decile)));
  const total = helpRow('Total', countHelp(facts));
  const decileLabel = (k: string) =>
    k === '1' ? '1 (most deprived)' : k === '10' ? '10 (least deprived)' : k;
  return [
    {
      id: 'by-locality',
      title: 'Practical and financial help by locality',
      description:
        'Section 17 payments and help in kind asked for, refused and paid, and welfare-rights referrals, by locality.',
      columns: HELP_COLUMNS('Locality'),
      rows: [...localities.map(([k, group]) => helpRow(k, countHelp(group))), total],
      chart: { kind: 'bar', x: 'label', y: ['requests', 'given', 'referrals'], horizontal: true },
      notes: HELP_NOTES,
    },
    {
      id: 'by-decile',
      title: 'Practical and financial help by deprivation decile',
      description:
        'Section 17 payments and help in kind asked for, refused and paid, and welfare-rights referrals, by the deprivation decile of the child’s neighbourhood.',
      columns: HELP_COLUMNS('Deprivation decile'),
      rows: [...[...deciles].map(([k, group]) => helpRow(decileLabel(k), countHelp(group))), total],
      chart: { kind: 'bar', x: 'label', y: ['requests', 'referrals'] },
      notes: HELP_NOTES,
    },
  ];
}

export const PRACTICAL_HELP_REPORT: InsightView = {
  slug: 'practical-help',
  title: 'Practical and financial help',
  question:
    'Where do section 17 payments, help in kind and welfare-rights advice go, how quickly are they paid, and what do they gain for families?',
  doc: 'family-network',
  filters: ['from', 'to', 'localityId', 'teamId', 'decile'],
  figures: practicalHelpFigures,
};

export const FAMILY_REPORTS: readonly InsightView[] = [FAMILY_NETWORK_REPORT, PRACTICAL_HELP_REPORT];
