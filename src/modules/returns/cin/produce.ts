/**
 * The CIN census, produced from Hearth's practice records (field homes: ../field-homes.ts).
 *
 * Every child with a CIN episode (a `cin_referrals` row: one spell of children's social care inside
 * the child's episode of help) open at any point in the census year — referred on or before the
 * reference date and not closed before 1 April — including referrals that led to no further action.
 * Family help is not a CIN episode: it never has a `cin_referrals` row (see help/episodes.ts), so
 * family help alone never puts a child in the census.
 *
 * Children are read in batches (keyset pagination on the person id, a fixed handful of queries per
 * batch), so memory stays at one batch whatever the size of the authority. Values are written as the
 * census wants them: ISO dates, `true`/`false`; anything dated after the reference date is left out
 * (a referral closed after 31 March is still open at the census).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../../db/database.ts';
import { chunks, dfeLaNumber, returnChildId } from '../identifiers.ts';
import type {
  CinAssessment,
  CinChild,
  CinDetails,
  CinHeader,
  CinPlanDates,
  CinProtectionPlan,
  CinSection47,
} from './model.ts';

export type CinProduceOptions = {
  /** The census year by its end: 2026 is 1 April 2025 to 31 March 2026. */
  readonly censusYear: number;
  /** Only this council's children (default: every child in the database). */
  readonly organisationId?: string | undefined;
  /** Children per batch (default 1,000). */
  readonly batchSize?: number | undefined;
};

export function cinPeriod(censusYear: number): { start: string; end: string } {
  return { start: `${censusYear - 1}-04-01`, end: `${censusYear}-03-31` };
}

/**
 * The census Header. LEA is the organisation's DfE LA number when `organisations.la_code` holds one
 * (three digits) or when given; Hearth's councils usually carry the ONS code there, so the caller
 * passes `lea` (the CLI's `--lea`). DateTime is the moment of production (local time, no zone).
 */
export async function cinHeader(
  db: Kysely<Database>,
  options: {
    censusYear: number;
    organisationId?: string | undefined;
    lea?: string | undefined;
    serialNo?: string | undefined;
    release?: string | undefined;
    now: Date;
  },
): Promise<CinHeader> {
  let lea = options.lea;
  if (lea === undefined && options.organisationId !== undefined) {
    const org = await db
      .selectFrom('organisations')
      .select('la_code')
      .where('id', '=', options.organisationId)
      .executeTakeFirst();
    lea = dfeLaNumber(org?.la_code);
  }
  return {
    Collection: 'CIN',
    Year: String(options.censusYear),
    ReferenceDate: cinPeriod(options.censusYear).end,
    SourceLevel: 'L',
    LEA: lea,
    SoftwareCode: 'Hearth',
    Release: options.release ?? '1',
    SerialNo: options.serialNo ?? '001',
    DateTime: localDateTime(options.now),
  };
}

function localDateTime(now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${String(now.getFullYear())}-${p(now.getMonth() + 1)}-${p(now.getDate())}` +
    `T${p(now.getHours())}:${p(now.getMinutes())}:${p(now.getSeconds())}`
  );
}

const bool = (value: boolean | null): string | undefined => (value === null ? undefined : String(value));
/** A date, or nothing when it is blank or after the reference date. */
const upTo = (date: string | null, end: string): string | undefined =>
  date !== null && date <= end ? date : undefined;

type ReferralRow = {
  id: string;
  episode_id: string;
  person_id: string;
  referral_date: string;
  referral_source: string;
  primary_need: string;
  referral_nfa: boolean;
  closed_on: string | null;
  closure_reason: string | null;
};

/** The referral an item belongs to: its own link when it has one, else the one open on its date. */
function owner(
  referrals: readonly ReferralRow[],
  item: { cin_referral_id: string | null; episode_id: string },
  on: string,
): ReferralRow | undefined {
  if (item.cin_referral_id !== null) return referrals.find((r) => r.id === item.cin_referral_id);
  return referrals.find(
    (r) =>
      r.episode_id === item.episode_id &&
      r.referral_date <= on &&
      (r.closed_on === null || r.closed_on >= on),
  );
}

/** The CIN census children of a year, one batch of the database at a time. */
export async function* cinChildren(
  db: Kysely<Database>,
  options: CinProduceOptions,
): AsyncGenerator<CinChild> {
  const { start, end } = cinPeriod(options.censusYear);
  const batchSize = options.batchSize ?? 1000;
  // The census children are found once (one pass over the referrals open in the year), then read
  // in batches of ids: finding each batch afresh walked the episodes from the start every time.
  let query = db
    .selectFrom('cin_referrals as r')
    .innerJoin('help_episodes as e', 'e.id', 'r.episode_id')
    .innerJoin('people as p', 'p.id', 'e.person_id')
    .select('p.id')
    .distinct()
    .where('r.referral_date', '<=', end)
    .where((eb) => eb.or([eb('r.closed_on', 'is', null), eb('r.closed_on', '>=', start)]))
    .where('p.merged_into', 'is', null);
  if (options.organisationId !== undefined)
    query = query.where('e.organisation_id', '=', options.organisationId);
  const all = (await query.orderBy('p.id').execute()).map((r) => r.id);
  for (let from = 0; from < all.length; from += batchSize) {
    yield* await cinBatch(db, all.slice(from, from + batchSize), start, end, options.organisationId);
  }
}

async function cinBatch(
  db: Kysely<Database>,
  ids: readonly string[],
  start: string,
  end: string,
  organisationId: string | undefined,
): Promise<CinChild[]> {
  let referralQuery = db
    .selectFrom('cin_referrals as r')
    .innerJoin('help_episodes as e', 'e.id', 'r.episode_id')
    .select([
      'r.id',
      'r.episode_id',
      'e.person_id',
      'r.referral_date',
      'r.referral_source',
      'r.primary_need',
      'r.referral_nfa',
      'r.closed_on',
      'r.closure_reason',
    ])
    .where('e.person_id', 'in', ids)
    .where('r.referral_date', '<=', end)
    .where((eb) => eb.or([eb('r.closed_on', 'is', null), eb('r.closed_on', '>=', start)]));
  if (organisationId !== undefined)
    referralQuery = referralQuery.where('e.organisation_id', '=', organisationId);
  const [people, referrals, assessments, plans, enquiries, conferences] = await Promise.all([
    db
      .selectFrom('people')
      .select([
        'id',
        'council_person_id',
        'upn',
        'upn_unknown_reason',
        'date_of_birth',
        'expected_date_of_birth',
        'sex',
        'date_of_death',
        'ethnicity',
        'disabilities',
      ])
      .where('id', 'in', ids)
      .orderBy('id')
      .execute(),
    referralQuery.orderBy('r.referral_date').orderBy('r.id').execute(),
    db
      .selectFrom('assessments')
      .select([
        'id',
        'person_id',
        'episode_id',
        'cin_referral_id',
        'started_on',
        'internal_review_on',
        'authorised_on',
      ])
      .where('person_id', 'in', ids)
      .where('kind', '=', 'child_and_family')
      .where('started_on', '<=', end)
      .where((eb) => eb.or([eb('authorised_on', 'is', null), eb('authorised_on', '>=', start)]))
      .orderBy('started_on')
      .orderBy('id')
      .execute(),
    // Every child protection plan the child ever had (for NumberOfPreviousCPP), and child in need plans.
    db
      .selectFrom('plans')
      .select([
        'id',
        'person_id',
        'episode_id',
        'cin_referral_id',
        'kind',
        'started_on',
        'ended_on',
        'initial_category',
        'latest_category',
      ])
      .where('person_id', 'in', ids)
      .where('kind', 'in', ['child_in_need', 'child_protection'])
      .where('status', '<>', 'draft')
      .where('started_on', 'is not', null)
      .orderBy('started_on')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('section47_enquiries')
      .select([
        'id',
        'person_id',
        'episode_id',
        'cin_referral_id',
        'started_on',
        'completed_on',
        'icpc_target_on',
        'icpc_not_required',
      ])
      .where('person_id', 'in', ids)
      .where('started_on', '<=', end)
      .orderBy('started_on')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('conferences')
      .select(['id', 'person_id', 'episode_id', 'section47_id', 'plan_id', 'kind', 'held_on'])
      .where('person_id', 'in', ids)
      .where('status', '=', 'held')
      .where('kind', 'in', ['initial', 'review'])
      .where('held_on', '<=', end)
      .orderBy('held_on')
      .orderBy('id')
      .execute(),
  ]);
  const authorisedIds = assessments.filter((a) => upTo(a.authorised_on, end)).map((a) => a.id);
  const factors = new Map<string, string[]>();
  for (const part of chunks(authorisedIds, 5000)) {
    const rows = await db
      .selectFrom('assessment_factors')
      .select(['assessment_id', 'factor'])
      .where('assessment_id', 'in', part)
      .orderBy('assessment_id')
      .orderBy('factor')
      .execute();
    for (const row of rows) {
      const list = factors.get(row.assessment_id) ?? [];
      list.push(row.factor);
      factors.set(row.assessment_id, list);
    }
  }

  const byPerson = <T extends { person_id: string }>(rows: readonly T[]): Map<string, T[]> => {
    const map = new Map<string, T[]>();
    for (const row of rows) {
      const list = map.get(row.person_id) ?? [];
      list.push(row);
      map.set(row.person_id, list);
    }
    return map;
  };
  const referralsOf = byPerson(referrals);
  const assessmentsOf = byPerson(assessments);
  const plansOf = byPerson(plans);
  const enquiriesOf = byPerson(enquiries);
  const conferencesOf = byPerson(conferences);

  return people.flatMap((person): CinChild[] => {
    const own = referralsOf.get(person.id) ?? [];
    if (own.length === 0) return [];
    const details = new Map<string, CinDetails>();
    for (const r of own) {
      const closed = upTo(r.closed_on, end);
      details.set(r.id, {
        line: 0,
        CINreferralDate: r.referral_date,
        ReferralSource: r.referral_source,
        PrimaryNeedCode: r.primary_need,
        CINclosureDate: closed,
        ReasonForClosure: closed ? (r.closure_reason ?? undefined) : undefined,
        ReferralNFA: String(r.referral_nfa),
        assessments: [],
        cinPlanDates: [],
        section47: [],
        childProtectionPlans: [],
      });
    }
    const detailsOf = (item: { cin_referral_id: string | null; episode_id: string }, on: string) => {
      const referral = owner(own, item, on);
      return referral ? details.get(referral.id) : undefined;
    };

    for (const a of assessmentsOf.get(person.id) ?? []) {
      const d = detailsOf(a, a.started_on);
      if (!d) continue;
      const authorised = upTo(a.authorised_on, end);
      const assessment: CinAssessment = {
        line: 0,
        AssessmentActualStartDate: a.started_on,
        AssessmentInternalReviewDate: upTo(a.internal_review_on, end),
        AssessmentAuthorisationDate: authorised,
        factors: authorised ? (factors.get(a.id) ?? []) : [],
      };
      d.assessments.push(assessment);
    }

    const everyProtectionPlan = (plansOf.get(person.id) ?? []).filter((p) => p.kind === 'child_protection');
    for (const p of plansOf.get(person.id) ?? []) {
      const started = p.started_on ?? '';
      if (started > end || (p.ended_on !== null && p.ended_on < start)) continue;
      const d = detailsOf(p, started);
      if (!d) continue;
      const ended = upTo(p.ended_on, end);
      if (p.kind === 'child_in_need') {
        const plan: CinPlanDates = { line: 0, CINPlanStartDate: started, CINPlanEndDate: ended };
        d.cinPlanDates.push(plan);
        continue;
      }
      const reviews = (conferencesOf.get(person.id) ?? [])
        .filter(
          (c) =>
            c.kind === 'review' &&
            c.plan_id === p.id &&
            c.held_on >= start &&
            c.held_on > started &&
            (ended === undefined || c.held_on <= ended),
        )
        .map((c) => ({ line: 0, CPPreviewDate: c.held_on }));
      const plan: CinProtectionPlan = {
        line: 0,
        CPPstartDate: started,
        CPPendDate: ended,
        InitialCategoryOfAbuse: p.initial_category ?? undefined,
        LatestCategoryOfAbuse: p.latest_category ?? p.initial_category ?? undefined,
        NumberOfPreviousCPP: String(everyProtectionPlan.filter((o) => (o.started_on ?? '') < started).length),
        reviews,
      };
      d.childProtectionPlans.push(plan);
    }

    const initials = (conferencesOf.get(person.id) ?? []).filter((c) => c.kind === 'initial');
    const usedConferences = new Set<string>();
    for (const s of enquiriesOf.get(person.id) ?? []) {
      const conference = initials.find((c) => c.section47_id === s.id);
      const icpc = conference?.held_on;
      // An enquiry ends at its initial conference, or when completed without one.
      const endedOn = icpc ?? s.completed_on;
      if (endedOn !== null && endedOn < start) continue;
      const d = detailsOf(s, s.started_on);
      if (!d) continue;
      if (conference) usedConferences.add(conference.id);
      const enquiry: CinSection47 = {
        line: 0,
        S47ActualStartDate: s.started_on,
        InitialCPCtarget: s.icpc_target_on ?? undefined,
        DateOfInitialCPC: icpc,
        ICPCnotRequired: bool(
          s.icpc_not_required ?? (icpc !== undefined ? false : upTo(s.completed_on, end) ? true : null),
        ),
      };
      d.section47.push(enquiry);
    }
    // An initial conference with no enquiry in the return is recorded on the CIN episode itself.
    for (const c of initials) {
      if (usedConferences.has(c.id) || c.held_on < start) continue;
      if (
        c.section47_id !== null &&
        enquiries.some((s) => s.id === c.section47_id && s.person_id === person.id)
      )
        continue;
      const d = detailsOf({ cin_referral_id: null, episode_id: c.episode_id }, c.held_on);
      if (d && d.DateOfInitialCPC === undefined) d.DateOfInitialCPC = c.held_on;
    }

    const unborn = person.date_of_birth === null && person.expected_date_of_birth !== null;
    return [
      {
        line: 0,
        identifiers: {
          line: 0,
          LAchildID: returnChildId(person.id, person.council_person_id),
          UPN: person.upn ?? undefined,
          UPNunknown: person.upn === null ? (person.upn_unknown_reason ?? undefined) : undefined,
          PersonBirthDate: person.date_of_birth ?? undefined,
          ExpectedPersonBirthDate:
            person.date_of_birth === null ? (person.expected_date_of_birth ?? undefined) : undefined,
          Sex: person.sex ?? (unborn ? 'U' : undefined),
          PersonDeathDate: upTo(person.date_of_death, end),
        },
        characteristics: {
          line: 0,
          Ethnicity: person.ethnicity ?? undefined,
          disabilities: [...person.disabilities],
        },
        cinDetails: [...details.values()],
      },
    ];
  });
}
