/**
 * Ofsted Annex A (the ILACS list-based data) from the practice record: lists 1 to 11 as at a date,
 * covering the previous 6 months (referrals counted over 12 months). Each list is one SQL query
 * over the record tables, returning one row per child (per referral, assessment, enquiry…), with
 * the columns in the order of Ofsted's template (statutory-returns.md §5).
 *
 * Where Hearth does not hold a column (the last IRO contact, suitability of a care leaver's
 * accommodation, adopters' journeys: list 11) the cell is blank and docs/returns/annex-a.md says so.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../../db/database.ts';
import { returnChildId } from '../identifiers.ts';
import { addYears, ageOn, dayToIso, dayToUk, isoDay } from '../validation/dates.ts';

export type AnnexAWindow = {
  readonly organisationId: string;
  /** The day the lists are as at. */
  readonly asAt: number;
};

export type AnnexAList = {
  readonly number: number;
  readonly sheet: string;
  readonly columns: readonly string[];
  readonly rows: (db: Kysely<Database>, window: AnnexAWindow) => Promise<string[][]>;
};

const CHILD_COLUMNS = ['Child Unique ID', 'Gender', 'Ethnicity', 'Date of Birth', 'Age of Child (Years)'];
const DISABILITY = 'Does the Child have a Disability';
const TEAM_WORKER = ['Allocated Team', 'Allocated Worker'];

const GENDER: Readonly<Record<string, string>> = { M: 'a) Male', F: 'b) Female', U: 'c) Not stated/recorded' };

const ETHNICITY: Readonly<Record<string, string>> = {
  WBRI: 'a) WBRI', WIRI: 'b) WIRI', WOTH: 'c) WOTH', WIRT: 'd) WIRT', WROM: 'e) WROM',
  MWBC: 'f) MWBC', MWBA: 'g) MWBA', MWAS: 'h) MWAS', MOTH: 'i) MOTH', AIND: 'j) AIND',
  APKN: 'k) APKN', ABAN: 'l) ABAN', AOTH: 'm) AOTH', BCRB: 'n) BCRB', BAFR: 'o) BAFR',
  BOTH: 'p) BOTH', CHNE: 'q) CHNE', OOTH: 'r) OOTH', REFU: 's) REFU', NOBT: 's) NOBT',
};

const PERMANENCE: Readonly<Record<string, string>> = {
  return_to_family: 'a) Return to family',
  adoption: 'b) Adoption',
  sgo_cao: 'c) SGO/CAO',
  supported_living: 'd) Supported living in the community',
  long_term_residential: 'e) Long-term residential placement',
  long_term_fostering: 'f) Long-term fostering',
  other: 'g) Other',
};

type Person = {
  person_id: string;
  council_person_id: string | null;
  sex: string | null;
  ethnicity: string | null;
  date_of_birth: string | null;
  disabilities: string[] | null;
};

type Allocated = { team: string | null; worker: string | null };

function date(value: string | Date | null | undefined): string {
  if (value === null || value === undefined) return '';
  const iso = value instanceof Date ? value.toISOString().slice(0, 10) : value.slice(0, 10);
  const day = isoDay(iso);
  return day === null ? '' : dayToUk(day);
}

function yesNo(value: boolean | null | undefined, unknown = ''): string {
  if (value === null || value === undefined) return unknown;
  return value ? 'Yes' : 'No';
}

function childCells(p: Person, asAt: number): string[] {
  const born = isoDay(p.date_of_birth ?? undefined);
  return [
    returnChildId(p.person_id, p.council_person_id),
    GENDER[p.sex ?? ''] ?? 'c) Not stated/recorded',
    ETHNICITY[p.ethnicity ?? ''] ?? 's) NOBT',
    born === null ? '' : dayToUk(born),
    born === null ? '' : String(Math.max(0, ageOn(born, asAt))),
  ];
}

function disability(p: Person): string {
  const codes = p.disabilities ?? [];
  if (codes.length === 0) return 'Unknown';
  return codes.some((c) => c !== 'NONE') ? 'Yes' : 'No';
}

const PERSON_COLUMNS = sql`p.id AS person_id, p.council_person_id, p.sex, p.ethnicity,
  p.date_of_birth::text AS date_of_birth, p.disabilities`;

/** The child's allocated team and worker on a day (the lead allocation first). */
function allocatedOn(on: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`LEFT JOIN LATERAL (
    SELECT t.name AS team, u.display_name AS worker
    FROM allocations alloc
    JOIN teams t ON t.id = alloc.team_id
    LEFT JOIN users u ON u.id = alloc.worker_user_id
    WHERE alloc.person_id = p.id AND alloc.started_at::date <= ${on}
      AND (alloc.ended_at IS NULL OR alloc.ended_at::date >= ${on})
    ORDER BY alloc.is_lead DESC, alloc.started_at DESC
    LIMIT 1) al ON true`;
}

async function query<T>(db: Kysely<Database>, q: RawBuilder<T>): Promise<T[]> {
  return (await q.execute(db)).rows;
}

function bounds(window: AnnexAWindow): { asAt: string; from: string; year: string } {
  return {
    asAt: dayToIso(window.asAt),
    // 6 months back (the day after the same date 6 months earlier).
    from: dayToIso(sixMonthsBefore(window.asAt) + 1),
    year: dayToIso(addYears(window.asAt, -1) + 1),
  };
}

function sixMonthsBefore(day: number): number {
  const d = new Date(day * 86_400_000);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() - 6;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Math.round(Date.UTC(y, m, Math.min(d.getUTCDate(), last)) / 86_400_000);
}

export const ANNEX_A_LISTS: readonly AnnexAList[] = [
  {
    number: 1,
    sheet: 'List 1 Contacts',
    columns: [...CHILD_COLUMNS, 'Date of Contact', 'Contact Source'],
    rows: async (db, w) => {
      const b = bounds(w);
      const rows = await query(
        db,
        sql<Person & { received: Date; source: string | null }>`
          SELECT ${PERSON_COLUMNS}, r.received_at AS received, r.referral_source AS source
          FROM help_requests r JOIN people p ON p.id = r.person_id
          WHERE r.organisation_id = ${w.organisationId} AND r.received_at IS NOT NULL
            AND r.received_at::date BETWEEN ${b.from} AND ${b.asAt}
          ORDER BY r.received_at, p.id`,
      );
      return rows.map((r) => [...childCells(r, w.asAt), date(r.received), r.source ?? '']);
    },
  },
  {
    number: 2,
    sheet: 'List 2 Early Help',
    columns: [
      ...CHILD_COLUMNS,
      'Assessment start date',
      'Assessment completion date',
      'Organisation completing assessment',
    ],
    rows: async (db, w) => {
      const b = bounds(w);
      const rows = await query(
        db,
        sql<Person & { started_on: string; completed_on: string | null; organisation: string | null }>`
          SELECT ${PERSON_COLUMNS}, a.started_on::text AS started_on, a.completed_on::text AS completed_on,
            coalesce(a.organisation_name, o.name) AS organisation
          FROM assessments a JOIN people p ON p.id = a.person_id
          JOIN organisations o ON o.id = p.organisation_id
          WHERE p.organisation_id = ${w.organisationId} AND a.kind = 'family_help'
            AND a.started_on <= ${b.asAt} AND (a.completed_on IS NULL OR a.completed_on >= ${b.from})
          ORDER BY a.started_on, p.id`,
      );
      return rows.map((r) => [
        ...childCells(r, w.asAt),
        date(r.started_on),
        date(r.completed_on),
        r.organisation ?? '',
      ]);
    },
  },
  {
    number: 3,
    sheet: 'List 3 Referrals',
    columns: [
      ...CHILD_COLUMNS,
      'Date of referral',
      'Referral Source',
      'Referral NFA?',
      'Number of Referrals in Last 12 Months',
      ...TEAM_WORKER,
    ],
    rows: async (db, w) => {
      const b = bounds(w);
      const rows = await query(
        db,
        sql<Person & Allocated & { referral_date: string; source: string; nfa: boolean; in_year: number }>`
          SELECT ${PERSON_COLUMNS}, r.referral_date::text AS referral_date, r.referral_source AS source,
            r.referral_nfa AS nfa,
            (SELECT count(*)::int FROM cin_referrals r2 JOIN help_episodes e2 ON e2.id = r2.episode_id
              WHERE e2.person_id = p.id AND r2.referral_date BETWEEN ${b.year} AND ${b.asAt}) AS in_year,
            al.team, al.worker
          FROM cin_referrals r JOIN help_episodes e ON e.id = r.episode_id JOIN people p ON p.id = e.person_id
          ${allocatedOn(sql`r.referral_date`)}
          WHERE e.organisation_id = ${w.organisationId} AND r.referral_date BETWEEN ${b.year} AND ${b.asAt}
          ORDER BY r.referral_date, p.id`,
      );
      return rows.map((r) => [
        ...childCells(r, w.asAt),
        date(r.referral_date),
        r.source,
        r.nfa ? 'Yes' : 'No',
        String(r.in_year),
        r.team ?? '',
        r.worker ?? '',
      ]);
    },
  },
  {
    number: 4,
    sheet: 'List 4 Assessments',
    columns: [
      ...CHILD_COLUMNS,
      DISABILITY,
      'Continuous Assessment Start Date',
      'Child Seen During Continuous Assessment',
      'Continuous Assessment Date of Authorisation',
      "Was the child assessed as requiring LA children's social care support?",
      ...TEAM_WORKER,
    ],
    rows: async (db, w) => {
      const b = bounds(w);
      const rows = await query(
        db,
        sql<
          Person &
            Allocated & {
              started_on: string;
              child_seen: boolean | null;
              authorised_on: string | null;
              outcome: string | null;
            }
        >`
          SELECT ${PERSON_COLUMNS}, a.started_on::text AS started_on, a.child_seen,
            a.authorised_on::text AS authorised_on, a.outcome, al.team, al.worker
          FROM assessments a JOIN people p ON p.id = a.person_id
          ${allocatedOn(sql`least(coalesce(a.authorised_on, ${b.asAt}::date), ${b.asAt}::date)`)}
          WHERE p.organisation_id = ${w.organisationId} AND a.kind = 'child_and_family'
            AND a.started_on <= ${b.asAt} AND (a.authorised_on IS NULL OR a.authorised_on >= ${b.from})
          ORDER BY a.started_on, p.id`,
      );
      return rows.map((r) => [
        ...childCells(r, w.asAt),
        disability(r),
        date(r.started_on),
        yesNo(r.child_seen, 'Unknown'),
        date(r.authorised_on),
        r.outcome === null
          ? 'Unknown'
          : r.outcome === 'no_further_action' || r.outcome === 'other_service' || r.outcome === 'family_help'
            ? 'No'
            : 'Yes',
        r.team ?? '',
        r.worker ?? '',
      ]);
    },
  },
  {
    number: 5,
    sheet: 'List 5 Section 47',
    columns: [
      ...CHILD_COLUMNS,
      DISABILITY,
      'Strategy discussion initiating Section 47 Enquiry Start Date',
      'Was an Initial Child Protection Conference deemed unnecessary?',
      'Date of Initial Child Protection Conference',
      'Did the Initial Child Protection Conference Result in a Child Protection Plan',
      'Number of Section 47 Enquiries in the last 12 months',
      'Number of Initial Child Protection Conferences in last 12 months',
      ...TEAM_WORKER,
    ],
    rows: async (db, w) => {
      const b = bounds(w);
      const rows = await query(
        db,
        sql<
          Person &
            Allocated & {
              strategy_on: string;
              not_required: boolean | null;
              icpc_on: string | null;
              plan: boolean | null;
              s47s: number;
              icpcs: number;
            }
        >`
          SELECT ${PERSON_COLUMNS}, coalesce(sd.held_on, s.started_on)::text AS strategy_on,
            s.icpc_not_required AS not_required, c.held_on::text AS icpc_on, c.outcome_plan AS plan,
            (SELECT count(*)::int FROM section47_enquiries s2 WHERE s2.person_id = p.id
              AND s2.started_on BETWEEN ${b.year} AND ${b.asAt}) AS s47s,
            (SELECT count(*)::int FROM conferences c2 WHERE c2.person_id = p.id AND c2.kind = 'initial'
              AND c2.held_on BETWEEN ${b.year} AND ${b.asAt}) AS icpcs,
            al.team, al.worker
          FROM section47_enquiries s JOIN people p ON p.id = s.person_id
          LEFT JOIN strategy_discussions sd ON sd.id = s.strategy_discussion_id
          LEFT JOIN LATERAL (SELECT held_on, outcome_plan FROM conferences c
            WHERE c.section47_id = s.id AND c.kind = 'initial' ORDER BY held_on LIMIT 1) c ON true
          ${allocatedOn(sql`s.started_on`)}
          WHERE p.organisation_id = ${w.organisationId} AND s.started_on BETWEEN ${b.from} AND ${b.asAt}
          ORDER BY s.started_on, p.id`,
      );
      return rows.map((r) => [
        ...childCells(r, w.asAt),
        disability(r),
        date(r.strategy_on),
        yesNo(r.not_required),
        date(r.icpc_on),
        r.icpc_on === null ? '' : yesNo(r.plan),
        String(r.s47s),
        String(r.icpcs),
        r.team ?? '',
        r.worker ?? '',
      ]);
    },
  },
  {
    number: 6,
    sheet: 'List 6 Children in Need',
    columns: [
      ...CHILD_COLUMNS,
      DISABILITY,
      'CIN Start Date',
      'Primary Need Code',
      'Date Child Was Last Seen',
      'CIN Closure Date',
      'Reason for Closure',
      'Case Status',
      ...TEAM_WORKER,
    ],
    rows: async (db, w) => {
      const b = bounds(w);
      const rows = await query(
        db,
        sql<
          Person &
            Allocated & {
              referral_date: string;
              need: string;
              seen: string | null;
              closed_on: string | null;
              reason: string | null;
              in_care: boolean;
              on_cp: boolean;
              on_cin: boolean;
              assessing: boolean;
            }
        >`
          SELECT ${PERSON_COLUMNS}, r.referral_date::text AS referral_date, r.primary_need AS need,
            (SELECT max(v.visited_on)::text FROM visits v WHERE v.person_id = p.id AND v.child_seen
              AND v.visited_on <= ${b.asAt}) AS seen,
            r.closed_on::text AS closed_on, r.closure_reason AS reason,
            EXISTS (SELECT 1 FROM care_periods cp WHERE cp.person_id = p.id AND cp.started_on <= ${b.asAt}
              AND (cp.ended_on IS NULL OR cp.ended_on > ${b.asAt})) AS in_care,
            EXISTS (SELECT 1 FROM plans pl WHERE pl.person_id = p.id AND pl.kind = 'child_protection'
              AND pl.started_on <= ${b.asAt} AND (pl.ended_on IS NULL OR pl.ended_on > ${b.asAt})) AS on_cp,
            EXISTS (SELECT 1 FROM plans pl WHERE pl.person_id = p.id AND pl.kind = 'child_in_need'
              AND pl.started_on <= ${b.asAt} AND (pl.ended_on IS NULL OR pl.ended_on > ${b.asAt})) AS on_cin,
            EXISTS (SELECT 1 FROM assessments a WHERE a.person_id = p.id AND a.kind = 'child_and_family'
              AND a.started_on <= ${b.asAt} AND (a.authorised_on IS NULL OR a.authorised_on > ${b.asAt})) AS assessing,
            al.team, al.worker
          FROM cin_referrals r JOIN help_episodes e ON e.id = r.episode_id JOIN people p ON p.id = e.person_id
          ${allocatedOn(sql`least(coalesce(r.closed_on, ${b.asAt}::date), ${b.asAt}::date)`)}
          WHERE e.organisation_id = ${w.organisationId} AND NOT r.referral_nfa
            AND r.referral_date <= ${b.asAt} AND (r.closed_on IS NULL OR r.closed_on >= ${b.from})
            AND NOT EXISTS (SELECT 1 FROM care_leavers cl WHERE cl.person_id = p.id)
          ORDER BY r.referral_date, p.id`,
      );
      return rows.map((r) => {
        const open = r.closed_on === null || r.closed_on > bounds(w).asAt;
        const status = !open
          ? 'e) Closed episode'
          : r.in_care
            ? 'a) Looked after child'
            : r.on_cp
              ? 'b) Child Protection plan'
              : r.on_cin
                ? 'c) Child in need plan'
                : r.assessing
                  ? 'd) Open assessment'
                  : 'c) Child in need plan';
        return [
          ...childCells(r, w.asAt),
          disability(r),
          date(r.referral_date),
          r.need,
          date(r.seen),
          date(r.closed_on),
          r.reason ?? '',
          status,
          r.team ?? '',
          r.worker ?? '',
        ];
      });
    },
  },
  {
    number: 7,
    sheet: 'List 7 Child Protection',
    columns: [
      ...CHILD_COLUMNS,
      DISABILITY,
      'Child Protection Plan Start Date',
      'Initial Category of Abuse',
      'Latest Category of Abuse',
      'Date of the Last Statutory Visit',
      'Was the Child Seen Alone?',
      'Date of latest review conference',
      'Child Protection Plan End Date',
      'Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)',
      'Number of Previous Child Protection Plans',
      ...TEAM_WORKER,
    ],
    rows: async (db, w) => {
      const b = bounds(w);
      const rows = await query(
        db,
        sql<
          Person &
            Allocated & {
              started_on: string;
              initial_category: string | null;
              latest_category: string | null;
              visited_on: string | null;
              seen_alone: boolean | null;
              reviewed_on: string | null;
              ended_on: string | null;
              emergency: boolean;
              previous: number;
            }
        >`
          SELECT ${PERSON_COLUMNS}, pl.started_on::text AS started_on, pl.initial_category, pl.latest_category,
            v.visited_on::text AS visited_on, v.child_seen_alone AS seen_alone,
            (SELECT max(c.held_on)::text FROM conferences c WHERE c.plan_id = pl.id AND c.kind = 'review'
              AND c.held_on <= ${b.asAt}) AS reviewed_on,
            pl.ended_on::text AS ended_on,
            EXISTS (SELECT 1 FROM legal_statuses ls JOIN care_periods cp ON cp.id = ls.care_period_id
              WHERE cp.person_id = p.id AND ls.code IN ('L1', 'L2') AND ls.started_on <= ${b.asAt}
              AND (ls.ended_on IS NULL OR ls.ended_on >= ${b.from})) AS emergency,
            (SELECT count(*)::int FROM plans p2 WHERE p2.person_id = p.id AND p2.kind = 'child_protection'
              AND p2.started_on < pl.started_on) AS previous,
            al.team, al.worker
          FROM plans pl JOIN people p ON p.id = pl.person_id
          LEFT JOIN LATERAL (SELECT visited_on, child_seen_alone FROM visits v WHERE v.person_id = p.id
            AND v.statutory AND v.visited_on BETWEEN pl.started_on AND ${b.asAt}
            ORDER BY visited_on DESC LIMIT 1) v ON true
          ${allocatedOn(sql`least(coalesce(pl.ended_on, ${b.asAt}::date), ${b.asAt}::date)`)}
          WHERE p.organisation_id = ${w.organisationId} AND pl.kind = 'child_protection'
            AND pl.started_on <= ${b.asAt} AND (pl.ended_on IS NULL OR pl.ended_on >= ${b.from})
          ORDER BY pl.started_on, p.id`,
      );
      return rows.map((r) => [
        ...childCells(r, w.asAt),
        disability(r),
        date(r.started_on),
        r.initial_category ?? '',
        r.latest_category ?? r.initial_category ?? '',
        date(r.visited_on),
        r.visited_on === null ? '' : yesNo(r.seen_alone, 'Unknown'),
        date(r.reviewed_on),
        date(r.ended_on),
        r.emergency ? 'Yes' : 'No',
        String(r.previous),
        r.team ?? '',
        r.worker ?? '',
      ]);
    },
  },
  {
    number: 8,
    sheet: 'List 8 Children in Care',
    columns: [
      ...CHILD_COLUMNS,
      DISABILITY,
      'UASC in last 12 months',
      'Date Started to be Looked After',
      "Child's Category of Need",
      'Second or subsequent period of care in last 12 months',
      'Start date of current legal status',
      "Child's Legal Status",
      'Date of Latest Statutory Review',
      'Date of Last Social Work Visit',
      'Permanence plan',
      'Date of Last IRO Visit/Contact',
      'Date of Last Health Assessment',
      'Date of Last Dental Check',
      'Number of Placements in Last 12 months',
      'Date Ceased to be Looked After',
      'Reason Ceased to be Looked After',
      'Start Date of Most Recent Placement',
      'Placement Type',
      'Placement Provider',
      'Placement postcode',
      'URN of Placement',
      'Placement Location',
      'LA of Placement',
      "Number of 'Missing' episodes in last 12 months",
      "Number of 'Absent' episodes in last 12 months",
      'Child offered return interview after last missing episode',
      'Child accepted return interview after last missing episode',
      ...TEAM_WORKER,
    ],
    rows: async (db, w) => {
      const b = bounds(w);
      const rows = await query(
        db,
        sql<
          Person &
            Allocated & {
              uasc: boolean;
              started_on: string;
              need: string;
              earlier_period: boolean;
              ls_code: string | null;
              ls_on: string | null;
              reviewed_on: string | null;
              visited_on: string | null;
              permanence: string | null;
              health_on: string | null;
              dental_on: string | null;
              placements: number;
              ended_on: string | null;
              reason: string | null;
              pl_on: string | null;
              pl_type: string | null;
              provider: string | null;
              postcode: string | null;
              urn: string | null;
              placed_la: string | null;
              home_la: string | null;
              missing: number;
              absent: number;
              offered: boolean | null;
              accepted: boolean | null;
            }
        >`
          SELECT ${PERSON_COLUMNS}, p.uasc, cp.started_on::text AS started_on, cp.category_of_need AS need,
            EXISTS (SELECT 1 FROM care_periods c2 WHERE c2.person_id = p.id AND c2.id <> cp.id
              AND c2.started_on < cp.started_on AND c2.ended_on >= ${b.year}) AS earlier_period,
            ls.code AS ls_code, ls.started_on::text AS ls_on,
            (SELECT max(pr.reviewed_on)::text FROM care_reviews cr JOIN plan_reviews pr ON pr.id = cr.plan_review_id
              WHERE cr.care_period_id = cp.id AND pr.reviewed_on <= ${b.asAt}) AS reviewed_on,
            (SELECT max(v.visited_on)::text FROM visits v WHERE v.person_id = p.id AND v.statutory
              AND v.visited_on BETWEEN cp.started_on AND ${b.asAt}) AS visited_on,
            cp.permanence_plan AS permanence,
            (SELECT max(h.on_date)::text FROM health_checks h WHERE h.person_id = p.id
              AND h.kind = 'health_assessment' AND h.on_date <= ${b.asAt}) AS health_on,
            (SELECT max(h.on_date)::text FROM health_checks h WHERE h.person_id = p.id
              AND h.kind = 'dental_check' AND h.on_date <= ${b.asAt}) AS dental_on,
            (SELECT count(*)::int FROM placements x JOIN care_periods c3 ON c3.id = x.care_period_id
              WHERE c3.person_id = p.id AND x.started_on <= ${b.asAt}
              AND (x.ended_on IS NULL OR x.ended_on >= ${b.year})) AS placements,
            cp.ended_on::text AS ended_on, cp.reason_ceased AS reason,
            pl.started_on::text AS pl_on, pl.placement_type AS pl_type, pl.provider, pl.postcode, pl.urn,
            (SELECT l.la_code FROM postcodes pc JOIN lsoa21 l ON l.code = pc.lsoa21_code
              WHERE pc.postcode = pl.postcode) AS placed_la,
            o.la_code AS home_la,
            (SELECT count(*)::int FROM missing_episodes m WHERE m.person_id = p.id AND m.kind = 'M'
              AND m.started_on BETWEEN ${b.year} AND ${b.asAt}) AS missing,
            (SELECT count(*)::int FROM missing_episodes m WHERE m.person_id = p.id AND m.kind = 'A'
              AND m.started_on BETWEEN ${b.year} AND ${b.asAt}) AS absent,
            lm.return_interview_offered AS offered, lm.return_interview_accepted AS accepted,
            al.team, al.worker
          FROM care_periods cp JOIN people p ON p.id = cp.person_id
          JOIN organisations o ON o.id = p.organisation_id
          LEFT JOIN LATERAL (SELECT code, started_on FROM legal_statuses l WHERE l.care_period_id = cp.id
            AND l.started_on <= ${b.asAt} ORDER BY l.started_on DESC LIMIT 1) ls ON true
          LEFT JOIN LATERAL (SELECT * FROM placements x WHERE x.care_period_id = cp.id
            AND x.started_on <= ${b.asAt} ORDER BY x.started_on DESC LIMIT 1) pl ON true
          LEFT JOIN LATERAL (SELECT return_interview_offered, return_interview_accepted FROM missing_episodes m
            WHERE m.person_id = p.id AND m.kind = 'M' AND m.started_on <= ${b.asAt}
            ORDER BY m.started_on DESC LIMIT 1) lm ON true
          ${allocatedOn(sql`least(coalesce(cp.ended_on, ${b.asAt}::date), ${b.asAt}::date)`)}
          WHERE p.organisation_id = ${w.organisationId}
            AND cp.started_on <= ${b.asAt} AND (cp.ended_on IS NULL OR cp.ended_on >= ${b.from})
            AND NOT (coalesce(ls.code, '') IN ('V3', 'V4'))
          ORDER BY cp.started_on, p.id`,
      );
      return rows.map((r) => {
        const location =
          r.placed_la === null || r.home_la === null ? '' : r.placed_la === r.home_la ? 'In' : 'Out';
        return [
          ...childCells(r, w.asAt),
          disability(r),
          r.uasc ? 'Yes' : 'No',
          date(r.started_on),
          r.need,
          r.earlier_period ? 'Yes' : 'No',
          date(r.ls_on),
          r.ls_code ?? '',
          date(r.reviewed_on),
          date(r.visited_on),
          PERMANENCE[r.permanence ?? ''] ?? '',
          '',
          date(r.health_on),
          date(r.dental_on),
          String(r.placements),
          date(r.ended_on),
          r.reason ?? '',
          date(r.pl_on),
          r.pl_type ?? '',
          r.provider ?? '',
          r.postcode ?? '',
          r.urn ?? '',
          location,
          r.placed_la ?? '',
          String(r.missing),
          String(r.absent),
          yesNo(r.offered),
          yesNo(r.accepted),
          r.team ?? '',
          r.worker ?? '',
        ];
      });
    },
  },
  {
    number: 9,
    sheet: 'List 9 Care Leavers',
    columns: [
      ...CHILD_COLUMNS,
      DISABILITY,
      'UASC or former UASC',
      ...TEAM_WORKER,
      'Allocated Personal Advisor',
      'Eligibility Category',
      'Latest Pathway Plan Review Date',
      'LA in Touch',
      'Latest Date of Contact',
      'Type of Accommodation',
      'Suitability of Accommodation',
      'Activity Status',
    ],
    rows: async (db, w) => {
      const b = bounds(w);
      const rows = await query(
        db,
        sql<
          Person &
            Allocated & {
              uasc: boolean;
              adviser: string | null;
              eligibility: string;
              reviewed_on: string | null;
              in_touch: string | null;
              contacted_on: string | null;
              accommodation: string | null;
              activity: string | null;
            }
        >`
          SELECT ${PERSON_COLUMNS}, p.uasc, pa.display_name AS adviser, cl.eligibility,
            cl.pathway_plan_reviewed_on::text AS reviewed_on, c.in_touch, c.contacted_on::text AS contacted_on,
            c.accommodation, c.activity, al.team, al.worker
          FROM care_leavers cl JOIN people p ON p.id = cl.person_id
          LEFT JOIN users pa ON pa.id = cl.personal_adviser_user_id
          LEFT JOIN LATERAL (SELECT * FROM care_leaver_contacts c WHERE c.person_id = p.id
            AND c.contacted_on <= ${b.asAt} ORDER BY c.contacted_on DESC LIMIT 1) c ON true
          ${allocatedOn(sql`${b.asAt}::date`)}
          WHERE p.organisation_id = ${w.organisationId}
          ORDER BY p.id`,
      );
      const labels: Record<string, string> = {
        relevant: 'Relevant',
        former_relevant: 'Former relevant',
        qualifying: 'Qualifying',
        eligible: 'Eligible',
      };
      return rows.map((r) => [
        ...childCells(r, w.asAt),
        disability(r),
        r.uasc ? 'Yes' : 'No',
        r.team ?? '',
        r.worker ?? '',
        r.adviser ?? '',
        labels[r.eligibility] ?? r.eligibility,
        date(r.reviewed_on),
        r.in_touch ?? '',
        date(r.contacted_on),
        r.accommodation ?? '',
        '',
        r.activity ?? '',
      ]);
    },
  },
  {
    number: 10,
    sheet: 'List 10 Adoption',
    columns: [
      ...CHILD_COLUMNS,
      DISABILITY,
      'Family identifier',
      'Date the Child Entered Care',
      'Date of decision that child should be placed for adoption',
      'Date of Placement Order',
      'Date of Matching',
      'Date Placed for Adoption',
      'Date of Adoption Order',
      'Date of decision that child should no longer be placed for adoption',
      'Reason why the child should no longer be placed for adoption',
      'Date the child was placed in a fostering for adoption or concurrent planning placement',
    ],
    rows: async (db, w) => {
      const b = bounds(w);
      const rows = await query(
        db,
        sql<
          Person & {
            entered: string | null;
            decision_on: string;
            order_on: string | null;
            matched_on: string | null;
            placed_on: string | null;
            adopted_on: string | null;
            ceased_on: string | null;
            ceased_reason: string | null;
            ffa_on: string | null;
          }
        >`
          SELECT ${PERSON_COLUMNS},
            (SELECT min(cp.started_on)::text FROM care_periods cp WHERE cp.person_id = p.id
              AND cp.started_on <= d.decision_on) AS entered,
            d.decision_on::text AS decision_on, d.placement_order_on::text AS order_on,
            d.matched_on::text AS matched_on, d.placed_on::text AS placed_on, d.order_on::text AS adopted_on,
            d.ceased_on::text AS ceased_on, d.ceased_reason, d.ffa_placed_on::text AS ffa_on
          FROM permanence_decisions d JOIN people p ON p.id = d.person_id
          WHERE p.organisation_id = ${w.organisationId} AND d.decision_on <= ${b.asAt}
            AND (d.order_on IS NULL OR d.order_on >= ${b.from})
            AND (d.ceased_on IS NULL OR d.ceased_on >= ${b.from})
          ORDER BY d.decision_on, p.id`,
      );
      return rows.map((r) => [
        ...childCells(r, w.asAt),
        disability(r),
        '',
        date(r.entered),
        date(r.decision_on),
        date(r.order_on),
        date(r.matched_on),
        date(r.placed_on),
        date(r.adopted_on),
        date(r.ceased_on),
        r.ceased_reason ?? '',
        date(r.ffa_on),
      ]);
    },
  },
  {
    number: 11,
    sheet: 'List 11 Adopters',
    columns: [
      'Individual adopter identifier',
      'Family identifier',
      'Gender',
      'Ethnicity',
      'Disability',
      'Is the (prospective) adopter fostering for adoption?',
      'Date enquiry received',
      'Date Stage 1 started',
      'Date Stage 1 ended',
      'Date Stage 2 started',
      'Date Stage 2 ended',
      'Date application submitted',
      'Date application approved',
      'Date adopter matched with child(ren)',
      'Date child/children placed with adopter(s)',
      'No. of children placed',
      'Date of Adoption Order',
      'Date of leaving adoption process',
      'Reason for leaving adoption process',
    ],
    // Prospective adopters' journeys are recorded by the regional adoption agency, not in Hearth.
    rows: () => Promise.resolve([]),
  },
];
