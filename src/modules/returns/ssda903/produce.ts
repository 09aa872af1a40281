/**
 * The SSDA903 return, produced from Hearth's practice records (field homes: ../field-homes.ts).
 *
 * The children of the year are those looked after at any point from 1 April to 31 March (a period of
 * care overlapping the year), and care leavers whose 17th to 21st birthday falls in the year (OC3).
 * Episodes are derived from the legal statuses and placements of each period of care by the care
 * module's own derivation (`derive903Episodes`), so the pages and the return can never disagree.
 *
 * Children are read in batches (keyset pagination on the person id, a fixed handful of queries per
 * batch). Dates are `dd/mm/YYYY`; anything dated after 31 March is left out (an episode ending after
 * the year is still open in the return).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../../db/database.ts';
import { addMonths, derive903Episodes, type Episode903 } from '../../care/rules.ts';
import { returnChildId, socialWorkerId } from '../identifiers.ts';
import { emptyTables, row, ssda903Tables, type Child903, type Ssda903Tables } from './model.ts';

export type Ssda903ProduceOptions = {
  /** The year by its end: 2026 is 1 April 2025 to 31 March 2026. */
  readonly year: number;
  readonly organisationId?: string | undefined;
  /** Children per batch (default 1,000). */
  readonly batchSize?: number | undefined;
};

/** `2026-03-31` → `31/03/2026`. */
export function ukDate(iso: string): string {
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
}

const LONDON = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
/** The date (in England) of a moment, ISO. */
function londonDay(at: Date): string {
  return LONDON.format(at);
}

function addYearsIso(iso: string, years: number): string {
  return addMonths(iso, years * 12);
}

/** Whether any care period covers `on`. */
function lookedAfterOn(
  periods: readonly { started_on: string; ended_on: string | null }[],
  on: string,
): boolean {
  return periods.some((p) => p.started_on <= on && (p.ended_on === null || p.ended_on > on));
}

/**
 * The SSDA903 knows five reasons for a missing UPN; the CIN census two more. For a UASC (UN6) or a
 * child not yet known to a school (UN7) the sources do not know the UPN (UN5). (UN4, newly arrived,
 * is not allowed for a child looked after more than a week: rule 210.)
 */
function upnUnknown903(reason: string | null): string | undefined {
  if (reason === 'UN6' || reason === 'UN7') return 'UN5';
  return reason ?? undefined;
}

const ADOPTED = new Set(['E11', 'E12']);
const SHORT_BREAKS = new Set(['V3', 'V4']);
const LEAVER_ELIGIBILITY = ['relevant', 'former_relevant'] as const;

/** The SSDA903 children of a year, one batch of the database at a time. */
export async function* ssda903Children(
  db: Kysely<Database>,
  options: Ssda903ProduceOptions,
): AsyncGenerator<Child903> {
  const start = `${options.year - 1}-04-01`;
  const end = `${options.year}-03-31`;
  const batchSize = options.batchSize ?? 1000;
  // Care leavers whose 17th to 21st birthday is in the year were born in these dates.
  const bornFrom = addYearsIso(start, -21);
  const bornTo = addYearsIso(end, -17);
  let after: string | undefined;
  for (;;) {
    let inCare = db
      .selectFrom('care_periods as c')
      .innerJoin('help_episodes as e', 'e.id', 'c.episode_id')
      .select('c.person_id as id')
      .where('c.started_on', '<=', end)
      .where((eb) => eb.or([eb('c.ended_on', 'is', null), eb('c.ended_on', '>=', start)]));
    let leavers = db
      .selectFrom('care_leavers as l')
      .innerJoin('people as lp', 'lp.id', 'l.person_id')
      .select('l.person_id as id')
      .where('l.eligibility', 'in', LEAVER_ELIGIBILITY)
      .where('lp.date_of_birth', '>=', bornFrom)
      .where('lp.date_of_birth', '<=', bornTo);
    if (options.organisationId !== undefined) {
      inCare = inCare.where('e.organisation_id', '=', options.organisationId);
      leavers = leavers.where('lp.organisation_id', '=', options.organisationId);
    }
    if (after !== undefined) {
      inCare = inCare.where('c.person_id', '>', after);
      leavers = leavers.where('l.person_id', '>', after);
    }
    const ids = (
      await db
        .selectFrom(inCare.union(leavers).as('u'))
        .innerJoin('people as p', 'p.id', 'u.id')
        .select('u.id')
        .where('p.merged_into', 'is', null)
        .orderBy('u.id')
        .limit(batchSize)
        .execute()
    ).map((r) => r.id);
    if (ids.length === 0) return;
    after = ids[ids.length - 1];
    yield* await ssda903Batch(db, ids, options.year, start, end);
    if (ids.length < batchSize) return;
  }
}

function groupBy<T, K>(rows: readonly T[], key: (row: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = map.get(k);
    if (list) list.push(r);
    else map.set(k, [r]);
  }
  return map;
}

async function ssda903Batch(
  db: Kysely<Database>,
  ids: readonly string[],
  year: number,
  start: string,
  end: string,
): Promise<Child903[]> {
  const [
    people,
    periods,
    statuses,
    placements,
    reviews,
    missing,
    checks,
    decisions,
    leavers,
    contacts,
    allocations,
    babies,
    liberty,
  ] = await Promise.all([
    db
      .selectFrom('people')
      .select([
        'id',
        'council_person_id',
        'sex',
        'date_of_birth',
        'ethnicity',
        'upn',
        'upn_unknown_reason',
        'uasc',
        'uasc_ceased_on',
        'date_of_death',
      ])
      .where('id', 'in', ids)
      .orderBy('id')
      .execute(),
    db
      .selectFrom('care_periods')
      .select([
        'id',
        'person_id',
        'started_on',
        'ended_on',
        'category_of_need',
        'reason_ceased',
        'home_postcode',
        'previous_permanence',
        'previous_permanence_la',
        'previous_permanence_on',
      ])
      .where('person_id', 'in', ids)
      .where('started_on', '<=', end)
      .orderBy('started_on')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('legal_statuses as s')
      .innerJoin('care_periods as c', 'c.id', 's.care_period_id')
      .select(['s.care_period_id', 's.code', 's.started_on', 's.ended_on'])
      .where('c.person_id', 'in', ids)
      .orderBy('s.started_on')
      .orderBy('s.id')
      .execute(),
    db
      .selectFrom('placements as pl')
      .innerJoin('care_periods as c', 'c.id', 'pl.care_period_id')
      .select([
        'pl.id',
        'pl.care_period_id',
        'pl.placement_type',
        'pl.provider',
        'pl.postcode',
        'pl.urn',
        'pl.started_on',
        'pl.ended_on',
        'pl.same_carer_as_previous',
        'pl.change_reason',
      ])
      .where('c.person_id', 'in', ids)
      .orderBy('pl.started_on')
      .orderBy('pl.created_at')
      .execute(),
    db
      .selectFrom('plan_reviews as r')
      .innerJoin('plans as p', 'p.id', 'r.plan_id')
      .select(['p.person_id', 'r.reviewed_on', 'r.participation'])
      .where('p.person_id', 'in', ids)
      .where('p.kind', '=', 'care')
      .where('r.reviewed_on', '>=', start)
      .where('r.reviewed_on', '<=', end)
      .orderBy('r.reviewed_on')
      .orderBy('r.id')
      .execute(),
    db
      .selectFrom('missing_episodes')
      .select(['person_id', 'kind', 'started_on', 'ended_on'])
      .where('person_id', 'in', ids)
      .where('started_on', '<=', end)
      .where((eb) => eb.or([eb('ended_on', 'is', null), eb('ended_on', '>=', start)]))
      .orderBy('started_on')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('health_checks')
      .select(['person_id', 'kind', 'on_date', 'sdq_score', 'sdq_reason'])
      .where('person_id', 'in', ids)
      .where('on_date', '>=', start)
      .where('on_date', '<=', end)
      .orderBy('on_date')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('permanence_decisions')
      .select([
        'person_id',
        'decision_on',
        'matched_on',
        'order_on',
        'ceased_on',
        'ceased_reason',
        'adopted_by_foster_carer',
        'number_of_adopters',
        'adopter_sex',
        'adopter_legal_status',
      ])
      .where('person_id', 'in', ids)
      .where('decision_on', '<=', end)
      .orderBy('decision_on')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('care_leavers')
      .select(['person_id', 'eligibility'])
      .where('person_id', 'in', ids)
      .execute(),
    db
      .selectFrom('care_leaver_contacts')
      .select(['person_id', 'contacted_on', 'in_touch', 'activity', 'accommodation'])
      .where('person_id', 'in', ids)
      .where('contacted_on', '<=', end)
      .orderBy('contacted_on')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('allocations')
      .select(['person_id', 'worker_user_id', 'started_at', 'ended_at', 'change_reason', 'practitioner_role'])
      .where('person_id', 'in', ids)
      .where('worker_user_id', 'is not', null)
      .where('is_lead', '=', true)
      .orderBy('started_at')
      .orderBy('id')
      .execute(),
    // "related_person is mother of person": the child's babies.
    db
      .selectFrom('relationships as r')
      .innerJoin('people as baby', 'baby.id', 'r.person_id')
      .select(['r.related_person_id as mother_id', 'baby.date_of_birth'])
      .where('r.related_person_id', 'in', ids)
      .where('r.kind', '=', 'mother')
      .where('baby.merged_into', 'is', null)
      .orderBy('baby.date_of_birth')
      .execute(),
    year >= 2027
      ? db
          .selectFrom('liberty_orders')
          .select(['person_id', 'started_on', 'ended_on'])
          .where('person_id', 'in', ids)
          .where('started_on', '<=', end)
          .where((eb) => eb.or([eb('ended_on', 'is', null), eb('ended_on', '>=', start)]))
          .orderBy('started_on')
          .orderBy('id')
          .execute()
      : Promise.resolve([]),
  ]);

  const periodsOf = groupBy(periods, (p) => p.person_id);
  const statusesOf = groupBy(statuses, (s) => s.care_period_id);
  const placementsOf = groupBy(placements, (p) => p.care_period_id);
  const reviewsOf = groupBy(reviews, (r) => r.person_id);
  const missingOf = groupBy(missing, (m) => m.person_id);
  const checksOf = groupBy(checks, (c) => c.person_id);
  const decisionsOf = groupBy(decisions, (d) => d.person_id);
  const leaverOf = new Map(leavers.map((l) => [l.person_id, l]));
  const contactsOf = groupBy(contacts, (c) => c.person_id);
  const allocationsOf = groupBy(allocations, (a) => a.person_id);
  const babiesOf = groupBy(babies, (b) => b.mother_id);
  const libertyOf = groupBy(liberty, (l) => l.person_id);
  const tableNames = new Set(ssda903Tables(`${year - 1}-${String(year % 100).padStart(2, '0')}`));

  const out: Child903[] = [];
  for (const person of people) {
    const id = returnChildId(person.id, person.council_person_id);
    const dob = person.date_of_birth ? ukDate(person.date_of_birth) : undefined;
    const tables = emptyTables();
    const add = (table: keyof Ssda903Tables, values: Record<string, string | undefined>): void => {
      tables[table].push(row({ CHILD: id, ...values }));
    };
    const ownPeriods = periodsOf.get(person.id) ?? [];

    // Episodes of every period of care that overlaps the year.
    type Placed = {
      episode: Episode903;
      period: (typeof ownPeriods)[number];
      urn: string | null;
      /** REASON_PLACE_CHANGE: why this episode's placement ended, when the next episode is a move. */
      placeChange: string | null;
    };
    const episodes: Placed[] = [];
    for (const period of ownPeriods) {
      if (period.ended_on !== null && period.ended_on < start) continue;
      const places = placementsOf.get(period.id) ?? [];
      const derived = derive903Episodes(
        { startedOn: period.started_on, endedOn: period.ended_on, reasonCeased: period.reason_ceased },
        (statusesOf.get(period.id) ?? []).map((s) => ({
          code: s.code,
          startedOn: s.started_on,
          endedOn: s.ended_on,
        })),
        places.map((p) => ({
          id: p.id,
          placementType: p.placement_type,
          provider: p.provider,
          postcode: p.postcode,
          startedOn: p.started_on,
          endedOn: p.ended_on,
          sameCarerAsPrevious: p.same_carer_as_previous,
          changeReason: p.change_reason,
        })),
      );
      derived.forEach((episode, index) => {
        if (episode.startedOn > end) return;
        if (episode.endedOn !== null && episode.endedOn < start) return;
        const urn = places.find((p) => p.id === episode.placementId)?.urn ?? null;
        const placeChange = derived[index + 1]?.placeChangeReason ?? null;
        episodes.push({ episode, period, urn, placeChange });
      });
    }
    const lookedAfterInYear = episodes.length > 0;
    // OC2: looked after continuously for at least 12 months at 31 March (short breaks aside): in
    // care from 1 April (or before) and not left before 31 March, as the validation rules read it.
    const current = ownPeriods.find((p) => p.ended_on === null || p.ended_on >= end);
    const shortBreaks = episodes.some((e) => SHORT_BREAKS.has(e.episode.legalStatus));
    const continuous = current !== undefined && current.started_on <= start && !shortBreaks;

    // OC3: a care leaver whose 17th to 21st birthday is in the year, not looked after on it.
    let oc3: Record<string, string | undefined> | undefined;
    const leaver = leaverOf.get(person.id);
    if (
      leaver &&
      person.date_of_birth &&
      (LEAVER_ELIGIBILITY as readonly string[]).includes(leaver.eligibility)
    ) {
      const birthday = [17, 18, 19, 20, 21]
        .map((age) => addYearsIso(person.date_of_birth ?? '', age))
        .find((d) => d >= start && d <= end);
      const last = ownPeriods[ownPeriods.length - 1];
      // A young person in the OC2 cohort (e.g. leaving care on 31 March, their 18th birthday) has
      // no care leaver information (rules 187 and 215).
      const excluded =
        continuous ||
        last === undefined ||
        last.reason_ceased === 'E2' ||
        last.reason_ceased === 'E3' ||
        (birthday !== undefined &&
          (lookedAfterOn(ownPeriods, birthday) || (last.ended_on ?? '9999') > birthday));
      if (birthday !== undefined && !excluded) {
        const around = (contactsOf.get(person.id) ?? []).filter(
          (c) => c.contacted_on >= addMonths(birthday, -3) && c.contacted_on <= addMonths(birthday, 1),
        );
        const contact = around[around.length - 1];
        // All three items are coded (rule 153): when the council is not in touch, activity and
        // accommodation not known are 0.
        const inTouch = contact?.in_touch ?? 'NO';
        const unknown = inTouch === 'YES' ? undefined : '0';
        oc3 = {
          IN_TOUCH: inTouch,
          ACTIV: contact?.activity ?? unknown,
          ACCOM: contact?.accommodation ?? unknown,
        };
      }
    }
    if (!lookedAfterInYear && !oc3) continue;

    // Header.
    const female = person.sex === 'F';
    const baby = (babiesOf.get(person.id) ?? []).find(
      (b) => b.date_of_birth !== null && b.date_of_birth <= end,
    );
    add('Header', {
      SEX: person.sex ?? undefined,
      DOB: dob,
      ETHNIC: person.ethnicity ?? undefined,
      UPN: person.upn ?? upnUnknown903(person.upn_unknown_reason),
      MOTHER: lookedAfterInYear && female ? (baby ? '1' : '0') : undefined,
      MC_DOB: lookedAfterInYear && female && baby?.date_of_birth ? ukDate(baby.date_of_birth) : undefined,
    });
    if (oc3) add('OC3', { DOB: dob, ...oc3 });
    if (!lookedAfterInYear) {
      out.push({ id, tables });
      continue;
    }

    for (const { episode, period, urn, placeChange } of episodes) {
      const ended = episode.endedOn !== null && episode.endedOn <= end ? episode.endedOn : null;
      add('Episodes', {
        DECOM: ukDate(episode.startedOn),
        RNE: episode.reasonNew,
        LS: episode.legalStatus,
        CIN: period.category_of_need,
        PLACE: episode.placementType,
        PLACE_PROVIDER: episode.provider ?? undefined,
        DEC: ended ? ukDate(ended) : undefined,
        REC: ended ? (episode.reasonEnded ?? undefined) : undefined,
        REASON_PLACE_CHANGE: ended ? (placeChange ?? undefined) : undefined,
        HOME_POST: period.home_postcode ?? undefined,
        PL_POST: episode.placementPostcode ?? undefined,
        URN: urn ?? undefined,
      });
    }

    for (const r of reviewsOf.get(person.id) ?? [])
      add('Reviews', { DOB: dob, REVIEW: ukDate(r.reviewed_on), REVIEW_CODE: r.participation ?? undefined });

    if (person.uasc || person.uasc_ceased_on !== null)
      add('UASC', {
        SEX: person.sex ?? undefined,
        DOB: dob,
        DUC: person.uasc_ceased_on ? ukDate(person.uasc_ceased_on) : undefined,
      });

    if (continuous) {
      const own = checksOf.get(person.id) ?? [];
      const has = (kind: string) => (own.some((c) => c.kind === kind) ? '1' : '0');
      const sdq = [...own].reverse().find((c) => c.kind === 'sdq');
      const age = (on: string) => {
        const born = person.date_of_birth ?? on;
        let years = Number(on.slice(0, 4)) - Number(born.slice(0, 4));
        if (on.slice(5) < born.slice(5)) years -= 1;
        return years;
      };
      // From the year the child turns 4 to the year they turn 17 (rules 188, 189, 197B).
      const sdqAge = age(end) >= 4 && age(start) < 17;
      // Development checks (HEALTH_CHECK) are for the under-fives; convictions from age 10.
      const underFive = age(end) < 5;
      const misuse = has('substance_misuse');
      add('OC2', {
        DOB: dob,
        SDQ_SCORE: sdqAge && sdq?.sdq_score != null ? String(sdq.sdq_score) : undefined,
        SDQ_REASON: sdqAge && sdq && sdq.sdq_score == null ? (sdq.sdq_reason ?? undefined) : undefined,
        CONVICTED: age(end) >= 10 ? has('conviction') : undefined,
        HEALTH_CHECK: underFive ? has('health_assessment') : undefined,
        IMMUNISATIONS: has('immunisations_up_to_date'),
        TEETH_CHECK: has('dental_check'),
        HEALTH_ASSESSMENT: has('health_assessment'),
        SUBSTANCE_MISUSE: misuse,
        INTERVENTION_RECEIVED: misuse === '1' ? has('substance_intervention_received') : undefined,
        INTERVENTION_OFFERED: misuse === '1' ? has('substance_intervention_offered') : undefined,
      });
    }

    // AD1: adopted in the year (an episode ended E11 or E12).
    const adoption = episodes.find(
      (e) =>
        e.episode.endedOn !== null && e.episode.endedOn <= end && ADOPTED.has(e.episode.reasonEnded ?? ''),
    );
    const ownDecisions = decisionsOf.get(person.id) ?? [];
    if (adoption) {
      const d = [...ownDecisions].reverse().find((x) => x.ceased_on === null || x.order_on !== null);
      if (d)
        add('AD1', {
          DOB: dob,
          DATE_INT: ukDate(d.decision_on),
          DATE_MATCH: d.matched_on ? ukDate(d.matched_on) : undefined,
          FOSTER_CARE: d.adopted_by_foster_carer === null ? undefined : d.adopted_by_foster_carer ? '1' : '0',
          NB_ADOPTR: d.number_of_adopters === null ? undefined : String(d.number_of_adopters),
          SEX_ADOPTR: d.adopter_sex ?? undefined,
          LS_ADOPTR: d.adopter_legal_status ?? undefined,
        });
    }

    // PlacedAdoption: decisions that the child should be placed for adoption in force in the year.
    for (const d of ownDecisions) {
      if (d.ceased_on !== null && d.ceased_on < start) continue;
      const ceased = d.ceased_on !== null && d.ceased_on <= end ? d.ceased_on : null;
      add('PlacedAdoption', {
        DOB: dob,
        DATE_PLACED: ukDate(d.decision_on),
        DATE_PLACED_CEASED: ceased ? ukDate(ceased) : undefined,
        REASON_PLACED_CEASED: ceased ? (d.ceased_reason ?? undefined) : undefined,
      });
    }

    // PrevPerm: for a period of care that started in the year.
    const started = ownPeriods.filter((p) => p.started_on >= start && p.started_on <= end);
    const latestStart = started[started.length - 1];
    if (latestStart?.previous_permanence)
      add('PrevPerm', {
        DOB: dob,
        PREV_PERM: latestStart.previous_permanence,
        LA_PERM: latestStart.previous_permanence_la ?? undefined,
        DATE_PERM: latestStart.previous_permanence_on
          ? ukDate(latestStart.previous_permanence_on)
          : undefined,
      });

    for (const m of missingOf.get(person.id) ?? [])
      add('Missing', {
        DOB: dob,
        MISSING: m.kind,
        MIS_START: ukDate(m.started_on),
        MIS_END: m.ended_on !== null && m.ended_on <= end ? ukDate(m.ended_on) : undefined,
      });

    // SWEpisodes: the lead social worker's allocations overlapping the year. SW_REASON is why the
    // social worker changed to this one, recorded on the allocation itself. An allocation that
    // began and ended on the same day (made and replaced at once) is not a social worker episode.
    for (const a of allocationsOf.get(person.id) ?? []) {
      if (a.practitioner_role !== null && a.practitioner_role !== 'social_worker') continue;
      const from = londonDay(a.started_at);
      const to = a.ended_at ? londonDay(a.ended_at) : null;
      if (from > end || (to !== null && to < start) || to === from) continue;
      const closed = to !== null && to <= end ? to : null;
      add('SWEpisodes', {
        DOB: dob,
        SW_ID: socialWorkerId(a.worker_user_id ?? ''),
        SW_DECOM: ukDate(from),
        SW_DEC: closed ? ukDate(closed) : undefined,
        SW_REASON: a.change_reason ?? undefined,
      });
    }

    if (tableNames.has('DoLo'))
      for (const l of libertyOf.get(person.id) ?? [])
        add('DoLo', {
          DOB: dob,
          DOLO_START: ukDate(l.started_on),
          DOLO_END: l.ended_on !== null && l.ended_on <= end ? ukDate(l.ended_on) : undefined,
        });

    out.push({ id, tables });
  }
  return out;
}
