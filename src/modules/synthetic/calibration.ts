import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { workingDaysBetween } from '../../platform/working-days.ts';
import { addYears, dayOf, isoDay } from './days.ts';
import {
  BROAD_ETHNICITIES,
  broadEthnicity,
  CHILD_ETHNICITY_WEIGHT,
  ENGLAND_RESIDENT_ETHNICITY,
  type BroadEthnicity,
} from './reference.ts';

/**
 * The calibration targets of the calibration reference (section 5), computed from whatever is in
 * the database: one authority (by code) or every authority together. Each check gives the target,
 * the value found, the tolerance and PASS or FAIL (or N/A when it cannot be assessed).
 *
 * The stated tolerances are for an authority of 60,000-80,000 children. A smaller authority has
 * more sampling noise, so a tolerance is never narrower than three standard errors of the figure
 * (a Poisson count for rates, a binomial share for percentages, with the variance doubled for
 * shares of repeated events, which cluster in the same families): the output says when it was widened.
 */

export type Check = {
  readonly number: number;
  readonly name: string;
  readonly target: number;
  readonly value: number | null;
  /** Allowed difference, in the unit of the value (a percentage of the target for relative tolerances). */
  readonly tolerance: number;
  readonly unit: 'per 10,000' | '%' | 'working days' | 'ratio' | 'x per decile' | '';
  readonly relative: boolean;
  readonly result: 'PASS' | 'FAIL' | 'N/A';
  readonly note?: string;
};

export type CalibrationReport = {
  readonly scope: string;
  readonly referenceDate: string;
  readonly authorities: number;
  readonly children: number;
  readonly checks: readonly Check[];
  readonly failed: number;
  readonly passed: number;
  readonly notAssessed: number;
};

type Scope = { orgIds: string[]; laCodes: Map<string, string>; label: string };

async function scopeFor(db: Db, laCode: string | undefined): Promise<Scope> {
  const rows = await sql<{ id: string; la_code: string; name: string }>`
    SELECT o.id, o.la_code, o.name FROM organisations o
    WHERE o.kind = 'local_authority' AND o.la_code IS NOT NULL
      ${laCode ? sql`AND o.la_code = ${laCode}` : sql``}
    ORDER BY o.la_code`.execute(db);
  return {
    orgIds: rows.rows.map((r) => r.id),
    laCodes: new Map(rows.rows.map((r) => [r.id, r.la_code])),
    label: laCode ? `${rows.rows[0]?.name ?? laCode} (${laCode})` : `${rows.rows.length} authorities`,
  };
}

const pct = (part: number, whole: number): number | null => (whole > 0 ? (100 * part) / whole : null);

/** A rate per 10,000 with a relative tolerance, widened to 3 Poisson standard errors of the expected count. */
function rateCheck(
  number: number,
  name: string,
  count: number,
  children: number,
  target: number,
  tolerancePct: number,
): Check {
  const value = children > 0 ? (10_000 * count) / children : null;
  const expected = (target * children) / 10_000;
  const noise = expected > 0 ? 300 / Math.sqrt(expected) : Infinity;
  const tolerance = Math.max(tolerancePct, noise);
  const pass = value !== null && Math.abs(value - target) <= (tolerance / 100) * target;
  return {
    number,
    name,
    target,
    value,
    tolerance,
    unit: 'per 10,000',
    relative: true,
    result: value === null || expected < 3 ? 'N/A' : pass ? 'PASS' : 'FAIL',
    ...(tolerance > tolerancePct
      ? { note: `tolerance widened from ±${tolerancePct}% for ${Math.round(expected)} expected` }
      : {}),
  };
}

/** A percentage with a tolerance in points, widened to 3 binomial standard errors. */
function shareCheck(
  number: number,
  name: string,
  part: number,
  whole: number,
  target: number,
  tolerancePp: number,
  /** Variance inflation for shares of repeated events, which cluster in the same children and families. */
  designEffect = 1,
): Check {
  const value = pct(part, whole);
  const p = target / 100;
  const noise = whole > 0 ? 300 * Math.sqrt((designEffect * p * (1 - p)) / whole) : Infinity;
  const tolerance = Math.max(tolerancePp, noise);
  const pass = value !== null && Math.abs(value - target) <= tolerance;
  return {
    number,
    name,
    target,
    value,
    tolerance,
    unit: '%',
    relative: false,
    result: value === null || whole < 5 ? 'N/A' : pass ? 'PASS' : 'FAIL',
    ...(tolerance > tolerancePp
      ? { note: `tolerance widened from ±${tolerancePp} points for ${whole} counted` }
      : {}),
  };
}

/** Target of check 30: agency share of child and family social workers, England, September 2024. */
export const AGENCY_SHARE_TARGET = 16.2;

/**
 * Check 30: the agency share of the social workers children were allocated to. The generator marks
 * a whole number of them as agency (not each at random), so the tolerance is widened only for the
 * rounding of that number (one worker either way), never for sampling noise.
 */
function agencyCheck(agency: number, workers: number): Check {
  const value = pct(agency, workers);
  const base = 3;
  const rounding = workers > 0 ? 100 / workers : Infinity;
  const tolerance = Math.max(base, rounding);
  const pass = value !== null && Math.abs(value - AGENCY_SHARE_TARGET) <= tolerance;
  return {
    number: 30,
    name: 'Agency staff: % of the social workers children were allocated to',
    target: AGENCY_SHARE_TARGET,
    value,
    tolerance,
    unit: '%',
    relative: false,
    result: workers < 10 ? 'N/A' : pass ? 'PASS' : 'FAIL',
    note:
      workers < 10
        ? `only ${workers} social workers`
        : `DfE workforce, September 2024${tolerance > base ? `; tolerance widened from ±${base} points for ${workers} social workers` : ''}`,
  };
}

function notAssessed(number: number, name: string, target: number, unit: Check['unit'], note: string): Check {
  return { number, name, target, value: null, tolerance: 0, unit, relative: false, result: 'N/A', note };
}

type ChildGroup = {
  decile: number | null;
  eth: string | null;
  sex: string | null;
  uasc: boolean;
  age: number;
  cla: boolean;
  cp: boolean;
  cin: boolean;
  n: number;
};

/** Poisson regression of log(rate) on decile: the per-decile factor and its standard error (of the log). */
function gradient(
  rows: readonly { decile: number; events: number; children: number }[],
): { step: number; seLog: number } | undefined {
  const usable = rows.filter((r) => r.children > 0);
  if (usable.length < 4) return undefined;
  // IRLS for log(mu) = a + b * (10 - decile) + log(children).
  let a = Math.log(
    Math.max(1e-9, usable.reduce((s, r) => s + r.events, 0) / usable.reduce((s, r) => s + r.children, 0)),
  );
  let b = 0.2;
  let info = [0, 0, 0];
  for (let iteration = 0; iteration < 50; iteration += 1) {
    let g0 = 0;
    let g1 = 0;
    info = [0, 0, 0];
    for (const r of usable) {
      const x = 10 - r.decile;
      const mu = r.children * Math.exp(a + b * x);
      g0 += r.events - mu;
      g1 += (r.events - mu) * x;
      info = [(info[0] ?? 0) + mu, (info[1] ?? 0) + mu * x, (info[2] ?? 0) + mu * x * x];
    }
    const [i00 = 0, i01 = 0, i11 = 0] = info;
    const det = i00 * i11 - i01 * i01;
    if (det <= 0) return undefined;
    const da = (i11 * g0 - i01 * g1) / det;
    const db = (-i01 * g0 + i00 * g1) / det;
    a += da;
    b += db;
    if (Math.abs(da) + Math.abs(db) < 1e-10) break;
  }
  const [i00 = 0, i01 = 0, i11 = 0] = info;
  const det = i00 * i11 - i01 * i01;
  return { step: Math.exp(b), seLog: Math.sqrt(i00 / det) };
}

function gradientChecks(
  number: number,
  label: string,
  byDecile: readonly { decile: number; events: number; children: number }[],
): Check[] {
  const fit = gradient(byDecile);
  const rate = (d: number) => {
    const row = byDecile.find((r) => r.decile === d);
    return row && row.children > 0 ? (10_000 * row.events) / row.children : null;
  };
  if (!fit || byDecile.reduce((s, r) => s + r.events, 0) < 20) {
    return [
      notAssessed(
        number,
        `${label}: decile 1 ÷ decile 10`,
        11,
        'ratio',
        'too few children in care, or too few deciles, to fit a gradient',
      ),
    ];
  }
  const ratio = Math.pow(fit.step, 9);
  const noise = Math.exp(3 * fit.seLog);
  const ratioPass = ratio >= 8 / Math.pow(noise, 9) && ratio <= 14 * Math.pow(noise, 9);
  const stepPass = fit.step >= 1.25 / noise && fit.step <= 1.4 * noise;
  // Monotonic: pairs of deciles, each no lower than the next less deprived pair beyond noise.
  const pairs = [1, 3, 5, 7, 9].map((d) => {
    const rows = byDecile.filter((r) => r.decile === d || r.decile === d + 1);
    const events = rows.reduce((s, r) => s + r.events, 0);
    const children = rows.reduce((s, r) => s + r.children, 0);
    return { events, children, rate: children > 0 ? events / children : null };
  });
  let monotonic = true;
  for (let i = 0; i + 1 < pairs.length; i += 1) {
    const here = pairs[i];
    const next = pairs[i + 1];
    if (!here || !next || here.rate === null || next.rate === null) continue;
    const se = Math.sqrt(
      Math.max(1, here.events) / here.children ** 2 + Math.max(1, next.events) / next.children ** 2,
    );
    if (here.rate < next.rate - 3 * se) monotonic = false;
  }
  const d1 = rate(1);
  const d10 = rate(10);
  const observed =
    d1 !== null && d10 !== null
      ? ` (observed rates: decile 1 ${d1.toFixed(0)}, decile 10 ${d10.toFixed(0)} per 10,000)`
      : '';
  return [
    {
      number,
      name: `${label}: decile 1 ÷ decile 10 (fitted)`,
      target: 11,
      value: ratio,
      tolerance: 3,
      unit: 'ratio',
      relative: false,
      result: ratioPass && monotonic ? 'PASS' : 'FAIL',
      note: `range 8 to 14, allowing 3 standard errors of the fit; ${monotonic ? 'falls steadily' : 'NOT monotonic'} across pairs of deciles${observed}`,
    },
    {
      number,
      name: `${label}: factor per decile (fitted)`,
      target: 1.31,
      value: fit.step,
      tolerance: 0.075,
      unit: 'x per decile',
      relative: false,
      result: stepPass ? 'PASS' : 'FAIL',
      note: 'range 1.25 to 1.40, allowing 3 standard errors of the fit',
    },
  ];
}

/** National CLA ethnicity shares (2025, %) and children's ethnicity mix: how much more often each group is looked after. */
const CLA_ETHNICITY: Record<BroadEthnicity, number> = { white: 71, mixed: 11, black: 8, asian: 5, other: 4 };

function nationalRelativeRates(): Record<BroadEthnicity, number> {
  const weighted = BROAD_ETHNICITIES.map((g) => ENGLAND_RESIDENT_ETHNICITY[g] * CHILD_ETHNICITY_WEIGHT[g]);
  const total = weighted.reduce((s, w) => s + w, 0);
  const result = {} as Record<BroadEthnicity, number>;
  BROAD_ETHNICITIES.forEach((g, i) => (result[g] = CLA_ETHNICITY[g] / 99 / ((weighted[i] ?? 0) / total)));
  return result;
}

const FOSTER = ['U1', 'U2', 'U3', 'U4', 'U5', 'U6'];
const HOMES = ['K1', 'K2'];
const ADOPTION = ['A3', 'A4', 'A5', 'A6'];

export async function runCalibration(
  db: Db,
  options: { laCode?: string; referenceDate?: string } = {},
): Promise<CalibrationReport> {
  const scope = await scopeFor(db, options.laCode);
  let referenceIso = options.referenceDate;
  if (!referenceIso) {
    const run = await sql<{ reference_date: string }>`SELECT reference_date FROM synthetic_runs
      ${options.laCode ? sql`WHERE la_code = ${options.laCode}` : sql``} ORDER BY reference_date DESC LIMIT 1`.execute(
      db,
    );
    referenceIso = run.rows[0]?.reference_date ?? '2026-03-31';
  }
  const R = dayOf(referenceIso);
  const yearStart = isoDay(addYears(R, -1) + 1);
  const ref = isoDay(R);
  const born = isoDay(addYears(R, -18));
  const orgs: RawBuilder<unknown> = scope.orgIds.length
    ? sql`(${sql.join(scope.orgIds.map((id) => sql`${id}::uuid`))})`
    : sql`(NULL::uuid)`;

  // Children aged 0-17 on the reference date, grouped by what the checks need.
  const groups = (
    await sql<ChildGroup>`
    SELECT decile, eth, sex, uasc, age, cla, cp, cin, count(*)::int AS n FROM (
      SELECT
        (SELECT l.imd_decile FROM person_addresses a JOIN lsoa21 l ON l.code = a.lsoa21_code
          WHERE a.person_id = p.id AND a.started_on <= ${ref}::date AND (a.ended_on IS NULL OR a.ended_on >= ${ref}::date)
            AND NOT a.hidden_from_family ORDER BY a.started_on DESC, a.id LIMIT 1) AS decile,
        p.ethnicity AS eth, p.sex, p.uasc,
        date_part('year', age(${ref}::date, p.date_of_birth))::int AS age,
        EXISTS (SELECT 1 FROM care_periods c WHERE c.person_id = p.id AND c.started_on <= ${ref}::date
          AND (c.ended_on IS NULL OR c.ended_on > ${ref}::date)) AS cla,
        EXISTS (SELECT 1 FROM plans pl WHERE pl.person_id = p.id AND pl.kind = 'child_protection' AND pl.status <> 'draft'
          AND pl.started_on <= ${ref}::date AND (pl.ended_on IS NULL OR pl.ended_on > ${ref}::date)) AS cp,
        EXISTS (SELECT 1 FROM cin_referrals r JOIN help_episodes e ON e.id = r.episode_id WHERE e.person_id = p.id
          AND r.referral_date <= ${ref}::date AND (r.closed_on IS NULL OR r.closed_on > ${ref}::date)) AS cin
      FROM people p
      WHERE p.organisation_id IN ${orgs} AND p.merged_into IS NULL AND p.is_child
        AND p.date_of_birth > ${born}::date AND p.date_of_birth <= ${ref}::date
        AND (p.date_of_death IS NULL OR p.date_of_death > ${ref}::date)
    ) x GROUP BY decile, eth, sex, uasc, age, cla, cp, cin`.execute(db)
  ).rows;
  const sum = (filter: (g: ChildGroup) => boolean) => groups.reduce((s, g) => (filter(g) ? s + g.n : s), 0);
  const N = sum(() => true);
  const cla = sum((g) => g.cla);
  const checks: Check[] = [];

  // 1-3: referrals.
  const referrals = (
    await sql<{ total: number; rereferrals: number; nfa: number; not_in_need: number }>`
    SELECT count(*)::int AS total,
      count(*) FILTER (WHERE EXISTS (SELECT 1 FROM cin_referrals r2 JOIN help_episodes e2 ON e2.id = r2.episode_id
        WHERE e2.person_id = e.person_id AND r2.id <> r.id AND r2.referral_date <= r.referral_date
          AND r2.referral_date > (r.referral_date - interval '12 months')::date
          AND (r2.referral_date < r.referral_date OR r2.id < r.id)))::int AS rereferrals,
      count(*) FILTER (WHERE r.referral_nfa)::int AS nfa,
      count(*) FILTER (WHERE NOT r.referral_nfa AND r.closure_reason IN ('RC8', 'RC9'))::int AS not_in_need
    FROM cin_referrals r JOIN help_episodes e ON e.id = r.episode_id
    WHERE e.organisation_id IN ${orgs} AND r.referral_date BETWEEN ${yearStart}::date AND ${ref}::date`.execute(
      db,
    )
  ).rows[0] ?? { total: 0, rereferrals: 0, nfa: 0, not_in_need: 0 };
  checks.push(rateCheck(1, 'Referrals per 10,000 children', referrals.total, N, 519, 10));
  checks.push(
    shareCheck(
      2,
      'Re-referrals within 12 months (% of referrals)',
      referrals.rereferrals,
      referrals.total,
      22.6,
      3,
      2,
    ),
  );
  checks.push(
    shareCheck(3, 'Referrals closed with no further action (%)', referrals.nfa, referrals.total, 6.5, 3),
  );
  checks.push(
    shareCheck(
      3,
      'Referrals assessed and found not in need (%)',
      referrals.not_in_need,
      referrals.total,
      30.8,
      5,
    ),
  );

  // 4-5: assessments completed in the year, their duration and factors.
  const assessments = (
    await sql<{ id: string; started_on: string; authorised_on: string; factors: string[] | null }>`
    SELECT a.id, a.started_on, a.authorised_on,
      (SELECT array_agg(f.factor) FROM assessment_factors f WHERE f.assessment_id = a.id) AS factors
    FROM assessments a JOIN help_episodes e ON e.id = a.episode_id
    WHERE e.organisation_id IN ${orgs} AND a.kind = 'child_and_family' AND a.status = 'authorised'
      AND a.authorised_on BETWEEN ${yearStart}::date AND ${ref}::date`.execute(db)
  ).rows;
  checks.push(rateCheck(4, 'Assessments completed per 10,000 children', assessments.length, N, 533, 10));
  const durations = assessments
    .map((a) => workingDaysBetween(a.started_on, a.authorised_on))
    .sort((x, y) => x - y);
  const median = durations.length
    ? (durations[Math.floor((durations.length - 1) / 2)] ?? 0) +
      (durations[Math.ceil((durations.length - 1) / 2)] ?? 0)
    : null;
  const medianValue = median === null ? null : median / 2;
  const medianNoise = durations.length ? (3 * 1.2533 * 15) / Math.sqrt(durations.length) : Infinity;
  const medianTolerance = Math.max(5, medianNoise);
  checks.push({
    number: 4,
    name: 'Median assessment duration (working days)',
    target: 33,
    value: medianValue,
    tolerance: medianTolerance,
    unit: 'working days',
    relative: false,
    result: medianValue === null ? 'N/A' : Math.abs(medianValue - 33) <= medianTolerance ? 'PASS' : 'FAIL',
  });
  const withFactors = assessments.filter((a) => (a.factors ?? []).some((f) => f !== '21'));
  const factorShare = (code: string) => withFactors.filter((a) => (a.factors ?? []).includes(code)).length;
  for (const [code, label, target] of [
    ['4B', 'parent’s mental health', 33.5],
    ['3B', 'domestic abuse (parent)', 31.7],
    ['17A', 'emotional abuse', 19.0],
    ['16A', 'neglect', 17.6],
    ['4A', 'child’s mental health', 17.6],
  ] as const) {
    checks.push(
      shareCheck(
        5,
        `Assessments with factor ${code} ${label} (%)`,
        factorShare(code),
        withFactors.length,
        target,
        4,
      ),
    );
  }

  // 6: children in need at 31 March.
  checks.push(
    rateCheck(
      6,
      'Children in need on the reference date per 10,000',
      sum((g) => g.cin),
      N,
      330,
      10,
    ),
  );

  // 7-12: protection.
  const protection = (
    await sql<{
      s47: number;
      icpc: number;
      cpp: number;
      second: number;
      neg: number;
      emo: number;
      phy: number;
      sab: number;
      mul: number;
    }>`
    SELECT
      (SELECT count(*)::int FROM section47_enquiries s JOIN help_episodes e ON e.id = s.episode_id
        WHERE e.organisation_id IN ${orgs} AND s.started_on BETWEEN ${yearStart}::date AND ${ref}::date) AS s47,
      (SELECT count(*)::int FROM conferences c JOIN help_episodes e ON e.id = c.episode_id
        WHERE e.organisation_id IN ${orgs} AND c.kind = 'initial' AND c.held_on BETWEEN ${yearStart}::date AND ${ref}::date) AS icpc,
      count(*)::int AS cpp,
      count(*) FILTER (WHERE EXISTS (SELECT 1 FROM plans p2 WHERE p2.person_id = p.person_id AND p2.kind = 'child_protection'
        AND p2.status <> 'draft' AND p2.id <> p.id AND p2.started_on <= p.started_on))::int AS second,
      count(*) FILTER (WHERE p.initial_category = 'NEG')::int AS neg,
      count(*) FILTER (WHERE p.initial_category = 'EMO')::int AS emo,
      count(*) FILTER (WHERE p.initial_category = 'PHY')::int AS phy,
      count(*) FILTER (WHERE p.initial_category = 'SAB')::int AS sab,
      count(*) FILTER (WHERE p.initial_category = 'MUL')::int AS mul
    FROM plans p JOIN help_episodes e ON e.id = p.episode_id
    WHERE e.organisation_id IN ${orgs} AND p.kind = 'child_protection' AND p.status <> 'draft'
      AND p.started_on BETWEEN ${yearStart}::date AND ${ref}::date`.execute(db)
  ).rows[0] ?? { s47: 0, icpc: 0, cpp: 0, second: 0, neg: 0, emo: 0, phy: 0, sab: 0, mul: 0 };
  checks.push(rateCheck(7, 'Section 47 enquiries per 10,000', protection.s47, N, 189, 12));
  checks.push(rateCheck(8, 'Initial child protection conferences per 10,000', protection.icpc, N, 59, 12));
  checks.push(
    shareCheck(8, 'Initial conferences ÷ section 47 enquiries (%)', protection.icpc, protection.s47, 31, 5),
  );
  checks.push(rateCheck(9, 'Child protection plans starting per 10,000', protection.cpp, N, 50.8, 12));
  checks.push(
    shareCheck(
      9,
      'Plans starting ÷ initial conferences (%)',
      Math.min(protection.cpp, protection.icpc),
      protection.icpc,
      86,
      5,
    ),
  );
  checks.push(
    rateCheck(
      10,
      'Child protection plans on the reference date per 10,000',
      sum((g) => g.cp),
      N,
      40.6,
      12,
    ),
  );
  checks.push(
    shareCheck(
      11,
      'Plans that are a second or later plan (%)',
      protection.second,
      protection.cpp,
      24.5,
      4,
      2,
    ),
  );
  for (const [key, label, target, tol] of [
    ['neg', 'neglect', 50, 5],
    ['emo', 'emotional abuse', 36, 5],
    ['phy', 'physical abuse', 7, 2],
    ['sab', 'sexual abuse', 3.5, 2],
    ['mul', 'multiple', 3, 2],
  ] as const) {
    checks.push(
      shareCheck(
        12,
        `Plans starting by initial category: ${label} (%)`,
        protection[key],
        protection.cpp,
        target,
        tol,
      ),
    );
  }

  // 13-18: children looked after.
  checks.push(rateCheck(13, 'Children looked after on the reference date per 10,000', cla, N, 67, 10));
  const starts = (
    await sql<{ age: number; uasc: boolean; first_legal: string | null; started: boolean; ceased: boolean }>`
    SELECT date_part('year', age(c.started_on, p.date_of_birth))::int AS age, p.uasc,
      (SELECT l.code FROM legal_statuses l WHERE l.care_period_id = c.id ORDER BY l.started_on, l.id LIMIT 1) AS first_legal,
      c.started_on BETWEEN ${yearStart}::date AND ${ref}::date AS started,
      coalesce(c.ended_on BETWEEN ${yearStart}::date AND ${ref}::date, false) AS ceased
    FROM care_periods c JOIN help_episodes e ON e.id = c.episode_id JOIN people p ON p.id = c.person_id
    WHERE e.organisation_id IN ${orgs}
      AND (c.started_on BETWEEN ${yearStart}::date AND ${ref}::date OR c.ended_on BETWEEN ${yearStart}::date AND ${ref}::date)`.execute(
      db,
    )
  ).rows;
  const started = starts.filter((s) => s.started);
  checks.push(rateCheck(14, 'Children starting to be looked after per 10,000', started.length, N, 26.5, 12));
  checks.push(
    rateCheck(
      14,
      'Children ceasing to be looked after per 10,000',
      starts.filter((s) => s.ceased).length,
      N,
      28.3,
      12,
    ),
  );
  checks.push(
    shareCheck(
      15,
      'Age at starting: under 1 (%)',
      started.filter((s) => s.age < 1).length,
      started.length,
      16,
      4,
    ),
  );
  checks.push(
    shareCheck(
      15,
      'Age at starting: 10-15 (%)',
      started.filter((s) => s.age >= 10 && s.age < 16).length,
      started.length,
      27,
      4,
    ),
  );
  checks.push(
    shareCheck(
      15,
      'Age at starting: 16 and over (%)',
      started.filter((s) => s.age >= 16).length,
      started.length,
      28,
      4,
    ),
  );
  checks.push(
    shareCheck(
      16,
      'Looked after by age: under 5 (%)',
      sum((g) => g.cla && g.age < 5),
      cla,
      16,
      4,
    ),
  );
  checks.push(
    shareCheck(
      16,
      'Looked after by age: 10-15 (%)',
      sum((g) => g.cla && g.age >= 10 && g.age < 16),
      cla,
      38,
      4,
    ),
  );
  checks.push(
    shareCheck(
      16,
      'Looked after by age: 16 and over (%)',
      sum((g) => g.cla && g.age >= 16),
      cla,
      27,
      4,
    ),
  );

  const current = (
    await sql<{
      legal: string | null;
      type: string | null;
      provider: string | null;
      inside: boolean | null;
      km: number | null;
      periods_start: string;
      placement_start: string | null;
      placements_in_year: number;
      age: number;
      la_code: string;
    }>`
    SELECT
      (SELECT l.code FROM legal_statuses l WHERE l.care_period_id = c.id AND l.started_on <= ${ref}::date
        AND (l.ended_on IS NULL OR l.ended_on > ${ref}::date) ORDER BY l.started_on DESC, l.id LIMIT 1) AS legal,
      pl.placement_type AS type, pl.provider, pl.started_on AS placement_start, c.started_on AS periods_start,
      (SELECT ll.la_code = o.la_code FROM postcodes pp JOIN lsoa21 ll ON ll.code = pp.lsoa21_code WHERE pp.postcode = pl.postcode) AS inside,
      (SELECT sqrt(power(pp.easting - hp.easting, 2) + power(pp.northing - hp.northing, 2)) / 1000.0
        FROM postcodes pp, postcodes hp WHERE pp.postcode = pl.postcode AND hp.postcode = c.home_postcode) AS km,
      (SELECT count(*)::int FROM placements x JOIN care_periods cx ON cx.id = x.care_period_id WHERE cx.person_id = c.person_id
        AND x.started_on <= ${ref}::date AND (x.ended_on IS NULL OR x.ended_on >= ${yearStart}::date)) AS placements_in_year,
      date_part('year', age(${ref}::date, p.date_of_birth))::int AS age, o.la_code
    FROM care_periods c
    JOIN help_episodes e ON e.id = c.episode_id
    JOIN organisations o ON o.id = e.organisation_id
    JOIN people p ON p.id = c.person_id
    LEFT JOIN LATERAL (SELECT * FROM placements x WHERE x.care_period_id = c.id AND x.started_on <= ${ref}::date
      AND (x.ended_on IS NULL OR x.ended_on > ${ref}::date) ORDER BY x.started_on DESC, x.id LIMIT 1) pl ON true
    WHERE e.organisation_id IN ${orgs} AND c.started_on <= ${ref}::date AND (c.ended_on IS NULL OR c.ended_on > ${ref}::date)
      AND p.date_of_birth > ${born}::date`.execute(db)
  ).rows;
  const n = current.length;
  const legalShare = (codes: readonly string[]) =>
    current.filter((c) => c.legal !== null && codes.includes(c.legal)).length;
  checks.push(
    shareCheck(17, 'Legal status on the reference date: care order (%)', legalShare(['C2']), n, 59, 4),
  );
  checks.push(
    shareCheck(
      17,
      'Legal status on the reference date: interim care order (%)',
      legalShare(['C1']),
      n,
      16,
      4,
    ),
  );
  checks.push(
    shareCheck(
      17,
      'Legal status on the reference date: placement order (%)',
      legalShare(['E1', 'D1']),
      n,
      6,
      4,
    ),
  );
  checks.push(
    shareCheck(
      17,
      'Legal status on the reference date: section 20 (%)',
      legalShare(['V2', 'V3', 'V4']),
      n,
      19,
      4,
    ),
  );
  const firstLegal = (codes: readonly string[]) =>
    started.filter((s) => s.first_legal !== null && codes.includes(s.first_legal)).length;
  checks.push(
    shareCheck(18, 'Legal status at starting: section 20 (%)', firstLegal(['V2']), started.length, 57, 5),
  );
  checks.push(
    shareCheck(
      18,
      'Legal status at starting: interim care order (%)',
      firstLegal(['C1']),
      started.length,
      31,
      5,
    ),
  );
  checks.push(
    shareCheck(
      18,
      'Legal status at starting: police protection (%)',
      firstLegal(['L1']),
      started.length,
      9,
      5,
    ),
  );

  const typeShare = (test: (type: string) => boolean) =>
    current.filter((c) => c.type !== null && test(c.type)).length;
  checks.push(
    shareCheck(
      19,
      'Placement: foster care (%)',
      typeShare((t) => FOSTER.includes(t)),
      n,
      67,
      3,
    ),
  );
  checks.push(
    shareCheck(
      19,
      'Placement: children’s homes and secure (%)',
      typeShare((t) => HOMES.includes(t)),
      n,
      12,
      3,
    ),
  );
  checks.push(
    shareCheck(
      19,
      'Placement: supported accommodation (%)',
      typeShare((t) => t === 'K3'),
      n,
      9,
      3,
    ),
  );
  checks.push(
    shareCheck(
      19,
      'Placement: with parents (%)',
      typeShare((t) => t === 'P1'),
      n,
      6,
      3,
    ),
  );
  checks.push(
    shareCheck(
      19,
      'Placement: placed for adoption (%)',
      typeShare((t) => ADOPTION.includes(t)),
      n,
      2,
      3,
    ),
  );
  const providerShare = (code: string) => current.filter((c) => c.provider === code).length;
  checks.push(shareCheck(20, 'Provider: own authority (%)', providerShare('PR1'), n, 43, 5));
  checks.push(shareCheck(20, 'Provider: private (%)', providerShare('PR4'), n, 40, 5));
  checks.push(shareCheck(20, 'Provider: voluntary (%)', providerShare('PR5'), n, 7, 5));
  const located = current.filter((c) => c.inside !== null && c.km !== null);
  checks.push(
    shareCheck(
      21,
      'Placed outside the authority (%)',
      located.filter((c) => c.inside === false).length,
      located.length,
      44,
      8,
    ),
  );
  checks.push(
    shareCheck(
      21,
      'Placed more than 20 miles from home (%)',
      located.filter((c) => (c.km ?? 0) > 32.19).length,
      located.length,
      22,
      5,
    ),
  );
  checks.push(
    shareCheck(
      21,
      'Placed outside and more than 20 miles away (%)',
      located.filter((c) => c.inside === false && (c.km ?? 0) > 32.19).length,
      located.length,
      18,
      5,
    ),
  );
  checks.push(
    shareCheck(
      22,
      'Three or more placements in the year (%)',
      current.filter((c) => c.placements_in_year >= 3).length,
      n,
      10,
      2,
    ),
  );
  const refDay = R;
  const longStay = current.filter((c) => c.age < 16 && dayOf(c.periods_start) <= refDay - 913);
  checks.push(
    shareCheck(
      22,
      'Long-term stability: under 16, looked after 2½ years, same placement 2 years (%)',
      longStay.filter((c) => c.placement_start !== null && dayOf(c.placement_start) <= refDay - 730).length,
      longStay.length,
      69,
      5,
    ),
  );

  // 23-24: who is looked after.
  checks.push(
    shareCheck(
      23,
      'Looked after: boys (%)',
      sum((g) => g.cla && g.sex === 'M'),
      cla,
      56,
      3,
    ),
  );
  const relative = nationalRelativeRates();
  const population = BROAD_ETHNICITIES.map((g) => sum((x) => broadEthnicity(x.eth) === g && !x.uasc));
  const expectedWeights = BROAD_ETHNICITIES.map((g, i) => (population[i] ?? 0) * relative[g]);
  const expectedTotal = expectedWeights.reduce((s, w) => s + w, 0);
  const claKnown = sum((g) => g.cla && broadEthnicity(g.eth) !== undefined);
  BROAD_ETHNICITIES.forEach((g, i) => {
    const expected = expectedTotal > 0 ? (100 * (expectedWeights[i] ?? 0)) / expectedTotal : 0;
    const check = shareCheck(
      23,
      `Looked after: ${g} (% of those recorded; expected for this population mix)`,
      sum((x) => x.cla && broadEthnicity(x.eth) === g),
      claKnown,
      Math.round(expected * 10) / 10,
      3,
    );
    checks.push(check);
  });
  checks.push(
    shareCheck(
      24,
      'Unaccompanied asylum-seeking children: % of looked after',
      sum((g) => g.cla && g.uasc),
      cla,
      8,
      3,
    ),
  );
  checks.push(
    shareCheck(
      24,
      'Unaccompanied asylum-seeking children: % of starts',
      started.filter((s) => s.uasc).length,
      started.length,
      22,
      5,
    ),
  );

  // 25-26: deprivation gradient (children with a home neighbourhood; UASC have none).
  const byDecile = (event: (g: ChildGroup) => boolean) =>
    Array.from({ length: 10 }, (_, i) => ({
      decile: i + 1,
      events: sum((g) => g.decile === i + 1 && event(g)),
      children: sum((g) => g.decile === i + 1),
    }));
  checks.push(
    ...gradientChecks(
      25,
      'Looked after by deprivation',
      byDecile((g) => g.cla),
    ),
  );
  checks.push(
    ...gradientChecks(
      26,
      'Protection plan or looked after by deprivation',
      byDecile((g) => g.cla || g.cp),
    ),
  );

  // 27: ethnicity, unadjusted, and within the most deprived 40%.
  const ethnicRate = (group: BroadEthnicity, filter: (g: ChildGroup) => boolean = () => true) => {
    const children = sum((g) => broadEthnicity(g.eth) === group && filter(g));
    const events = sum((g) => broadEthnicity(g.eth) === group && g.cla && filter(g));
    return { children, events, rate: children > 0 ? (10_000 * events) / children : null };
  };
  const asian = ethnicRate('asian');
  const white = ethnicRate('white');
  const black = ethnicRate('black');
  const se = (x: { events: number; children: number }) =>
    x.children > 0 ? (10_000 * Math.sqrt(Math.max(1, x.events))) / x.children : Infinity;
  const ordered = (low: typeof asian, high: typeof asian) =>
    low.rate !== null && high.rate !== null && low.rate <= high.rate + 3 * Math.hypot(se(low), se(high));
  const assessable = [asian, white, black].every((x) => x.children * 0.0022 >= 5);
  checks.push({
    number: 27,
    name: 'Looked after per 10,000 by ethnicity: Asian < White < Black',
    target: 0,
    value: null,
    tolerance: 0,
    unit: '',
    relative: false,
    result: !assessable ? 'N/A' : ordered(asian, white) && ordered(white, black) ? 'PASS' : 'FAIL',
    note: `Asian ${asian.rate?.toFixed(0) ?? '–'}, White ${white.rate?.toFixed(0) ?? '–'}, Black ${black.rate?.toFixed(0) ?? '–'} (England: 22, 64, 87)${assessable ? '' : '; too few Asian or Black children to assess'}`,
  });
  const deprived = (g: ChildGroup) => g.decile !== null && g.decile <= 4;
  const whiteDeprived = ethnicRate('white', deprived);
  const blackDeprived = ethnicRate('black', deprived);
  const assessableDeprived = blackDeprived.children * 0.008 >= 5 && whiteDeprived.children * 0.008 >= 5;
  checks.push({
    number: 27,
    name: 'Within the most deprived 40% of neighbourhoods: White > Black',
    target: 0,
    value: null,
    tolerance: 0,
    unit: '',
    relative: false,
    result: !assessableDeprived ? 'N/A' : ordered(blackDeprived, whiteDeprived) ? 'PASS' : 'FAIL',
    note: `White ${whiteDeprived.rate?.toFixed(0) ?? '–'}, Black ${blackDeprived.rate?.toFixed(0) ?? '–'} per 10,000 (England: 120 and 91)${assessableDeprived ? '' : '; too few children to assess'}`,
  });

  // 28: the inverse intervention law needs many authorities.
  if (scope.orgIds.length >= 6) checks.push(await inverseIntervention(db, orgs, ref, born));
  else
    checks.push(
      notAssessed(
        28,
        'Inverse intervention law (same-decile rates, least ÷ most deprived third of authorities)',
        1.75,
        'ratio',
        'needs at least 6 authorities',
      ),
    );
  checks.push(
    notAssessed(29, 'Weekly placement costs', 2100, '', 'the placement record holds no weekly cost'),
  );

  // 30: agency social workers (not in calibration reference section 5): DfE children's social work
  // workforce, 30 September 2024, agency rate 16.2% of child and family social workers (FTE); see
  // practice.md section 6 and P.agencyShare. Counted over the workers children were allocated to as
  // social workers. The generator marks a whole number of them, so the only noise is the rounding.
  const workforce = (
    await sql<{ workers: number; agency: number }>`
    SELECT count(*)::int AS workers, count(*) FILTER (WHERE u.employment = 'agency')::int AS agency
    FROM users u
    WHERE u.organisation_id IN ${orgs} AND EXISTS (SELECT 1 FROM allocations a
      WHERE a.worker_user_id = u.id AND a.practitioner_role = 'social_worker')`.execute(db)
  ).rows[0] ?? { workers: 0, agency: 0 };
  checks.push(agencyCheck(workforce.agency, workforce.workers));

  return {
    scope: scope.label,
    referenceDate: ref,
    authorities: scope.orgIds.length,
    children: N,
    checks,
    failed: checks.filter((c) => c.result === 'FAIL').length,
    passed: checks.filter((c) => c.result === 'PASS').length,
    notAssessed: checks.filter((c) => c.result === 'N/A').length,
  };
}

async function inverseIntervention(
  db: Db,
  orgs: RawBuilder<unknown>,
  ref: string,
  born: string,
): Promise<Check> {
  const rows = (
    await sql<{ org: string; decile: number; children: number; events: number }>`
    SELECT p.organisation_id AS org, l.imd_decile AS decile, count(*)::int AS children,
      count(*) FILTER (WHERE EXISTS (SELECT 1 FROM care_periods c WHERE c.person_id = p.id AND c.started_on <= ${ref}::date
        AND (c.ended_on IS NULL OR c.ended_on > ${ref}::date))
        OR EXISTS (SELECT 1 FROM plans pl WHERE pl.person_id = p.id AND pl.kind = 'child_protection' AND pl.status <> 'draft'
        AND pl.started_on <= ${ref}::date AND (pl.ended_on IS NULL OR pl.ended_on > ${ref}::date)))::int AS events
    FROM people p JOIN person_addresses a ON a.person_id = p.id AND a.ended_on IS NULL AND NOT a.hidden_from_family
    JOIN lsoa21 l ON l.code = a.lsoa21_code
    WHERE p.organisation_id IN ${orgs} AND p.is_child AND p.merged_into IS NULL
      AND p.date_of_birth > ${born}::date AND p.date_of_birth <= ${ref}::date
    GROUP BY p.organisation_id, l.imd_decile`.execute(db)
  ).rows;
  const byOrg = new Map<string, { deprived: number; children: number }>();
  for (const row of rows) {
    const entry = byOrg.get(row.org) ?? { deprived: 0, children: 0 };
    entry.children += row.children;
    if (row.decile <= 3) entry.deprived += row.children;
    byOrg.set(row.org, entry);
  }
  const ranked = [...byOrg.entries()]
    .sort((a, b) => a[1].deprived / a[1].children - b[1].deprived / b[1].children)
    .map(([org]) => org);
  const third = Math.floor(ranked.length / 3);
  const least = new Set(ranked.slice(0, third));
  const most = new Set(ranked.slice(ranked.length - third));
  let weighted = 0;
  let weights = 0;
  for (let decile = 1; decile <= 10; decile += 1) {
    const pick = (set: Set<string>) => rows.filter((r) => r.decile === decile && set.has(r.org));
    const l = pick(least);
    const m = pick(most);
    const lc = l.reduce((s, r) => s + r.children, 0);
    const mc = m.reduce((s, r) => s + r.children, 0);
    const le = l.reduce((s, r) => s + r.events, 0);
    const me = m.reduce((s, r) => s + r.events, 0);
    if (lc === 0 || mc === 0 || le === 0 || me === 0) continue;
    const w = Math.min(le, me);
    weighted += w * Math.log(le / lc / (me / mc));
    weights += w;
  }
  if (weights === 0)
    return notAssessed(
      28,
      'Inverse intervention law',
      1.75,
      'ratio',
      'too few children in protection or care',
    );
  const ratio = Math.exp(weighted / weights);
  return {
    number: 28,
    name: 'Inverse intervention law: same-decile CP+CLA rate, least ÷ most deprived third of authorities',
    target: 1.75,
    value: ratio,
    tolerance: 0.45,
    unit: 'ratio',
    relative: false,
    result: ratio >= 1.3 && ratio <= 2.2 ? 'PASS' : 'FAIL',
    note: 'range 1.3 to 2.2',
  };
}

/** The report as text: one line per check, then a summary. */
export function formatReport(report: CalibrationReport): string {
  const lines: string[] = [];
  lines.push(
    `Calibration of ${report.scope} on ${report.referenceDate}: ${report.children.toLocaleString('en-GB')} children aged 0-17`,
  );
  lines.push('Targets: national figures for England, 2024-25 (calibration reference, section 5).');
  lines.push('');
  const format = (value: number | null, unit: Check['unit']) =>
    value === null
      ? '–'
      : unit === '%'
        ? `${value.toFixed(1)}%`
        : unit === 'ratio' || unit === 'x per decile'
          ? value.toFixed(2)
          : value.toFixed(1);
  for (const check of report.checks) {
    const tolerance =
      check.result === 'N/A' || check.unit === ''
        ? ''
        : check.relative
          ? `±${check.tolerance.toFixed(0)}%`
          : check.unit === '%'
            ? `±${check.tolerance.toFixed(1)} pts`
            : `±${check.tolerance.toFixed(2)}`;
    const target = check.unit === '' ? '' : `target ${format(check.target, check.unit)}`;
    lines.push(
      `${check.result.padEnd(4)} #${String(check.number).padStart(2)} ${check.name}: ${format(check.value, check.unit)}${target ? ` (${[target, tolerance].filter(Boolean).join(' ')})` : ''}${check.note ? `; ${check.note}` : ''}`,
    );
  }
  lines.push('');
  lines.push(`${report.passed} passed, ${report.failed} failed, ${report.notAssessed} not assessed.`);
  return lines.join('\n');
}
