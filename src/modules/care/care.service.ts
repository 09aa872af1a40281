import { sql, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { Deps } from '../../platform/deps.ts';
import {
  ConflictError,
  NotFoundError,
  VersionConflictError,
  differingFields,
} from '../../platform/errors.ts';
import type { Actor } from '../access/actor.ts';
import { ErrorList } from '../people/person-form.ts';
import { auditChildView, requireHelpPermission, type Executor } from '../help/access.ts';
import { addAutomaticEntry } from '../help/chronology.ts';
import {
  CARE_LEAVER_ELIGIBILITY,
  CARE_NEEDS,
  EPISODE_END_REASONS,
  LEGAL_STATUSES,
  NEW_EPISODE_REASONS,
  PERMANENCE_PLANS,
  PLACEMENT_CHANGE_REASONS,
  PLACEMENT_PROVIDERS,
  PLACEMENT_TYPES,
  closureReasonForCareEnd,
} from '../help/codes.ts';
import { longDate } from '../help/dates.ts';
import {
  STATUS_LABELS,
  currentEpisode,
  leadAllocation,
  moveEpisode,
  openEpisodeOf,
} from '../help/episodes.ts';
import type { EpisodeStatus, LegalStatusTable } from '../help/help.table.ts';
import { completeTasksFor, openTask } from '../help/tasks.ts';
import {
  audit,
  bumpPeriod,
  careChild,
  carePath,
  childRefOf,
  code,
  currentLegalStatus,
  currentPlacement,
  isUuid,
  notBefore,
  openPeriodOf,
  optionalText,
  pastDate,
  penceOrNull,
  postcodeOrNull,
  requiredText,
  today,
  readableCareChild,
  writablePeriod,
  type CareReader,
  type ChildRef,
  type Context,
  type PeriodRow,
  type PlacementRow,
} from './common.ts';
import { familyViewOfPlacement, type FamilyPlacementView } from './family-view.ts';
import { wellbeingOf, type WellbeingRecord } from './records.service.ts';
import {
  MOVE_LABELS,
  NEXT_AFTER_CARE,
  SIBLINGS,
  TEXT_MAX,
  type EndCareValues,
  type LegalStatusValues,
  type MoveValues,
  type PlacementValues,
  type StartCareValues,
} from './form.ts';
import {
  carerKind,
  derive903Episodes,
  distanceKm,
  legalStatusLabel,
  placementTypeLabel,
  pounds,
  providerLabel,
  reviewTimetable,
  type ReviewSlot,
} from './rules.ts';

/**
 * Periods of care: a child coming into care (the one episode of help moves to looked after), changes
 * of legal status, placement moves and the end of the period (returning home, leaving care, or
 * another reason). The SSDA903 episodes are derived from these records, never typed.
 */

const SOURCE = 'care_period';

/** Statuses from which a child may come into care (a care leaver may come back into care). */
const INTO_CARE_FROM: ReadonlySet<EpisodeStatus> = new Set<EpisodeStatus>([
  'assessment',
  'child_in_need',
  'child_protection',
  'care_leaver',
]);

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

export type PlacementView = {
  readonly id: string;
  readonly placementType: string;
  readonly placementTypeLabel: string;
  readonly carerType: string;
  readonly provider: string | null;
  readonly providerLabel: string;
  readonly providerName: string | null;
  readonly carerName: string | null;
  readonly address: string | null;
  readonly postcode: string | null;
  readonly urn: string | null;
  readonly addressHidden: boolean;
  readonly weeklyCost: string;
  readonly withSiblings: string;
  readonly startedOn: string;
  readonly endedOn: string | null;
  readonly changeReason: string | null;
  readonly changeReasonLabel: string;
  readonly changeNote: string | null;
  readonly distanceKm: number | null;
};

export type EpisodeView = {
  readonly startedOn: string;
  readonly endedOn: string | null;
  readonly reasonNew: string;
  readonly reasonNewLabel: string;
  readonly legalStatus: string;
  readonly legalStatusLabel: string;
  readonly placementType: string;
  readonly placementTypeLabel: string;
  readonly provider: string | null;
  readonly placementPostcode: string | null;
  readonly distanceKm: number | null;
  readonly reasonEnded: string | null;
  readonly reasonEndedLabel: string;
  readonly placeChangeReason: string | null;
};

export type ReviewView = {
  readonly id: string;
  readonly sequence: number;
  readonly dueOn: string;
  readonly reviewedOn: string;
  readonly late: boolean;
  readonly participation: string | null;
  readonly familyView: string;
  readonly childView: string | null;
  readonly progressSummary: string | null;
  readonly returnHomeConsidered: boolean;
  readonly returnHomeSteps: string | null;
  readonly returnHomeFamilyView: string | null;
};

export type PeriodView = {
  readonly id: string;
  readonly version: number;
  readonly startedOn: string;
  readonly endedOn: string | null;
  readonly reasonCeased: string | null;
  readonly reasonCeasedLabel: string;
  readonly categoryOfNeed: string;
  readonly categoryOfNeedLabel: string;
  readonly homePostcode: string | null;
  readonly permanencePlan: string | null;
  readonly permanencePlanLabel: string;
  readonly carePlanId: string | null;
  readonly legalStatus: { readonly code: string; readonly label: string; readonly since: string } | null;
  readonly legalStatuses: readonly {
    code: string;
    label: string;
    startedOn: string;
    endedOn: string | null;
  }[];
  readonly placement: PlacementView | null;
  readonly placements: readonly PlacementView[];
  readonly episodes: readonly EpisodeView[];
  readonly reviews: readonly ReviewView[];
  readonly nextReview: ReviewSlot | null;
  readonly nextReviewOverdue: boolean;
};

async function gridReferences(
  db: Executor,
  postcodes: readonly (string | null)[],
): Promise<Map<string, { easting: number; northing: number }>> {
  const wanted = [...new Set(postcodes.filter((p): p is string => p !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await db
    .selectFrom('postcodes')
    .select(['postcode', 'easting', 'northing'])
    .where('postcode', 'in', wanted)
    .execute();
  const found = new Map<string, { easting: number; northing: number }>();
  for (const r of rows)
    if (r.easting !== null && r.northing !== null)
      found.set(r.postcode, { easting: r.easting, northing: r.northing });
  return found;
}

function placementView(row: PlacementRow, distance: number | null): PlacementView {
  return {
    id: row.id,
    placementType: row.placement_type,
    placementTypeLabel: placementTypeLabel(row.placement_type),
    carerType: carerKind(row.placement_type, row.provider),
    provider: row.provider,
    providerLabel: providerLabel(row.provider),
    providerName: row.provider_name,
    carerName: row.carer_name,
    address: row.address,
    postcode: row.postcode,
    urn: row.urn,
    addressHidden: row.address_hidden_from_family,
    weeklyCost: pounds(row.weekly_cost_pence),
    withSiblings: row.with_siblings ? (SIBLINGS[row.with_siblings] ?? '') : '',
    startedOn: row.started_on,
    endedOn: row.ended_on,
    changeReason: row.change_reason,
    changeReasonLabel: row.change_reason
      ? (PLACEMENT_CHANGE_REASONS[row.change_reason] ?? row.change_reason)
      : '',
    changeNote: row.change_note,
    distanceKm: distance,
  };
}

/** A period of care with everything the pages show: legal statuses, placements, 903 episodes, reviews. */
export async function periodView(db: Executor, period: PeriodRow, todayIso: string): Promise<PeriodView> {
  const [view] = await periodViews(db, [period], todayIso);
  if (!view) throw new Error('periodViews returned no view');
  return view;
}

/** Rows grouped by their period, keeping the order they were read in. */
function byPeriod<T extends { care_period_id: string }>(rows: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(row.care_period_id);
    if (group) group.push(row);
    else groups.set(row.care_period_id, [row]);
  }
  return groups;
}

function reviewsOfPeriods(db: Executor, ids: readonly string[]) {
  return db
    .selectFrom('care_reviews')
    .innerJoin('plan_reviews', 'plan_reviews.id', 'care_reviews.plan_review_id')
    .select([
      'care_reviews.care_period_id',
      'plan_reviews.id',
      'care_reviews.sequence',
      'care_reviews.due_on',
      'plan_reviews.reviewed_on',
      'plan_reviews.participation',
      'plan_reviews.family_view',
      'plan_reviews.child_view',
      'plan_reviews.progress_summary',
      'care_reviews.return_home_considered',
      'care_reviews.return_home_steps',
      'care_reviews.return_home_family_view',
    ])
    .where('care_reviews.care_period_id', 'in', ids)
    .orderBy('care_reviews.sequence')
    .execute();
}

type ReviewRow = Awaited<ReturnType<typeof reviewsOfPeriods>>[number];

/** periodView for several periods of one child, in the same four queries however many there are. */
export async function periodViews(
  db: Executor,
  periods: readonly PeriodRow[],
  todayIso: string,
): Promise<PeriodView[]> {
  if (periods.length === 0) return [];
  const ids = periods.map((p) => p.id);
  const [allStatuses, allPlacements, allReviews] = await Promise.all([
    db
      .selectFrom('legal_statuses')
      .selectAll()
      .where('care_period_id', 'in', ids)
      .orderBy('started_on')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('placements')
      .selectAll()
      .where('care_period_id', 'in', ids)
      .orderBy('started_on')
      .orderBy('created_at')
      .execute(),
    reviewsOfPeriods(db, ids),
  ]);
  const grid = await gridReferences(db, [
    ...periods.map((p) => p.home_postcode),
    ...allPlacements.map((p) => p.postcode),
  ]);
  const statusesOf = byPeriod(allStatuses);
  const placementsOf = byPeriod(allPlacements);
  const reviewsOf = byPeriod(allReviews);
  return periods.map((period) =>
    buildPeriodView(
      period,
      statusesOf.get(period.id) ?? [],
      placementsOf.get(period.id) ?? [],
      reviewsOf.get(period.id) ?? [],
      grid,
      todayIso,
    ),
  );
}

function buildPeriodView(
  period: PeriodRow,
  statuses: readonly Selectable<LegalStatusTable>[],
  placements: readonly PlacementRow[],
  reviews: readonly ReviewRow[],
  grid: Map<string, { easting: number; northing: number }>,
  todayIso: string,
): PeriodView {
  const home = period.home_postcode ? grid.get(period.home_postcode) : undefined;
  const distanceTo = (postcode: string | null): number | null => {
    const there = postcode ? grid.get(postcode) : undefined;
    return home && there ? distanceKm(home, there) : null;
  };
  const placementViews = placements.map((p) => placementView(p, distanceTo(p.postcode)));
  const episodes = derive903Episodes(
    { startedOn: period.started_on, endedOn: period.ended_on, reasonCeased: period.reason_ceased },
    statuses.map((s) => ({ code: s.code, startedOn: s.started_on, endedOn: s.ended_on })),
    placements.map((p) => ({
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
  const timetable = reviewTimetable(
    period.started_on,
    reviews.map((r) => r.reviewed_on),
    period.ended_on !== null,
  );
  const current = statuses.find((s) => s.ended_on === null) ?? null;
  const placement = placementViews.find((p) => p.endedOn === null) ?? null;
  return {
    id: period.id,
    version: period.version,
    startedOn: period.started_on,
    endedOn: period.ended_on,
    reasonCeased: period.reason_ceased,
    reasonCeasedLabel: period.reason_ceased ? (EPISODE_END_REASONS[period.reason_ceased] ?? '') : '',
    categoryOfNeed: period.category_of_need,
    categoryOfNeedLabel: CARE_NEEDS[period.category_of_need] ?? period.category_of_need,
    homePostcode: period.home_postcode,
    permanencePlan: period.permanence_plan,
    permanencePlanLabel: period.permanence_plan ? (PERMANENCE_PLANS[period.permanence_plan] ?? '') : '',
    carePlanId: period.care_plan_id,
    legalStatus: current
      ? { code: current.code, label: legalStatusLabel(current.code), since: current.started_on }
      : null,
    legalStatuses: statuses.map((s) => ({
      code: s.code,
      label: legalStatusLabel(s.code),
      startedOn: s.started_on,
      endedOn: s.ended_on,
    })),
    placement,
    placements: placementViews,
    episodes: episodes.map((e) => ({
      ...e,
      reasonNewLabel: NEW_EPISODE_REASONS[e.reasonNew] ?? e.reasonNew,
      legalStatusLabel: legalStatusLabel(e.legalStatus),
      placementTypeLabel: placementTypeLabel(e.placementType),
      distanceKm: distanceTo(e.placementPostcode),
      reasonEndedLabel: e.reasonEnded ? (EPISODE_END_REASONS[e.reasonEnded] ?? e.reasonEnded) : '',
    })),
    reviews: reviews.map((r, index) => ({
      id: r.id,
      sequence: r.sequence,
      dueOn: r.due_on,
      reviewedOn: r.reviewed_on,
      late: timetable.held[index]?.late ?? r.reviewed_on > r.due_on,
      participation: r.participation,
      familyView: r.family_view,
      childView: r.child_view,
      progressSummary: r.progress_summary,
      returnHomeConsidered: r.return_home_considered,
      returnHomeSteps: r.return_home_steps,
      returnHomeFamilyView: r.return_home_family_view,
    })),
    nextReview: timetable.next,
    nextReviewOverdue: timetable.next !== null && timetable.next.dueOn < todayIso,
  };
}

export type CareOverview = {
  readonly child: ChildRef;
  readonly episode: {
    readonly id: string;
    readonly status: EpisodeStatus;
    readonly statusLabel: string;
  } | null;
  readonly canWrite: boolean;
  /** Why the child cannot come into care from here (null when they can). */
  readonly startBlockedBecause: string | null;
  readonly current: PeriodView | null;
  readonly past: readonly PeriodView[];
};

function startBlocked(episodeStatus: EpisodeStatus | null, inCare: boolean): string | null {
  if (inCare) return 'The child is in care now.';
  if (episodeStatus === null)
    return 'The child has no open episode of help. Help starts with a request at the front door.';
  if (!INTO_CARE_FROM.has(episodeStatus))
    return `The child’s help is ${STATUS_LABELS[episodeStatus].toLowerCase()}: step it up to children’s social care first.`;
  return null;
}

/** The child's periods of care, the current one first (audited as a view of the child). */
export async function careOverview(
  deps: Deps,
  actor: Actor,
  input: { personId: string } & Context,
): Promise<CareOverview> {
  requireHelpPermission(actor, 'read');
  const reader = await readableCareChild(deps.db, deps, actor, input.personId);
  return overviewOf(deps, actor, reader, input);
}

/**
 * The care page: the periods of care (audited once as a view of the child) and the rest of the
 * child's record in care, for one check of the actor's scope.
 */
export async function carePage(
  deps: Deps,
  actor: Actor,
  input: { personId: string } & Context,
): Promise<{ overview: CareOverview; record: WellbeingRecord }> {
  requireHelpPermission(actor, 'read');
  const reader = await readableCareChild(deps.db, deps, actor, input.personId);
  const overview = await overviewOf(deps, actor, reader, input);
  return { overview, record: await wellbeingOf(deps.db, reader) };
}

async function overviewOf(
  deps: Deps,
  actor: Actor,
  reader: CareReader,
  input: Context,
): Promise<CareOverview> {
  const { child } = reader;
  const todayIso = today(deps);
  const [episode, views] = await Promise.all([
    currentEpisode(deps.db, child.id),
    deps.db
      .selectFrom('care_periods')
      .selectAll()
      .where('person_id', '=', child.id)
      .orderBy('started_on', 'desc')
      .orderBy('created_at', 'desc')
      .execute()
      .then((periods) => periodViews(deps.db, periods, todayIso)),
  ]);
  await auditChildView(deps.db, actor, {
    personId: child.id,
    requestId: input.requestId,
    route: input.route ?? '/children/:id/care',
    purpose: 'care',
  });
  const current = views.find((v) => v.endedOn === null) ?? null;
  return {
    child: reader.ref,
    episode: episode
      ? { id: episode.id, status: episode.status, statusLabel: STATUS_LABELS[episode.status] }
      : null,
    canWrite: reader.canWrite,
    startBlockedBecause: startBlocked(episode?.status ?? null, current !== null),
    current,
    past: views.filter((v) => v.endedOn !== null),
  };
}

/** What a form about the child's care needs: the child, the open period (if any), the home postcode. */
export type CareFormContext = {
  readonly child: ChildRef;
  readonly period: PeriodView | null;
  readonly episodeStatusLabel: string | null;
  readonly startBlockedBecause: string | null;
  /** The child's current address's postcode (not a hidden one), to suggest as the home postcode. */
  readonly homePostcode: string;
};

export async function careFormContext(
  deps: Deps,
  actor: Actor,
  input: { personId: string; purpose: string } & Context,
): Promise<CareFormContext> {
  requireHelpPermission(actor, 'write');
  const child = await careChild(deps.db, deps, actor, input.personId, 'write');
  const todayIso = today(deps);
  const [episode, periodAndView, address, childRef] = await Promise.all([
    currentEpisode(deps.db, child.id),
    openPeriodOf(deps.db, child.id).then(async (period) => ({
      period,
      view: period ? await periodView(deps.db, period, todayIso) : null,
    })),
    deps.db
      .selectFrom('person_addresses')
      .select('postcode')
      .where('person_id', '=', child.id)
      .where('hidden_from_family', '=', false)
      .where('started_on', '<=', todayIso)
      .where((eb) => eb.or([eb('ended_on', 'is', null), eb('ended_on', '>=', todayIso)]))
      .orderBy('started_on', 'desc')
      .executeTakeFirst(),
    childRefOf(deps.db, child),
  ]);
  await auditChildView(deps.db, actor, {
    personId: child.id,
    requestId: input.requestId,
    route: input.route ?? '/children/:id/care',
    purpose: input.purpose,
  });
  return {
    child: childRef,
    period: periodAndView.view,
    episodeStatusLabel: episode ? STATUS_LABELS[episode.status] : null,
    startBlockedBecause: startBlocked(episode?.status ?? null, periodAndView.period !== undefined),
    homePostcode: address?.postcode ?? '',
  };
}

// ---------------------------------------------------------------------------------------------
// Placements: checks shared by coming into care and moving
// ---------------------------------------------------------------------------------------------

type CheckedPlacement = {
  placement_type: string;
  provider: string | null;
  provider_name: string | null;
  carer_name: string | null;
  address: string | null;
  postcode: string | null;
  urn: string | null;
  weekly_cost_pence: number | null;
  with_siblings: 'all' | 'some' | 'none' | 'not_applicable' | null;
  address_hidden_from_family: boolean;
};

function checkPlacement(errors: ErrorList, v: PlacementValues): CheckedPlacement {
  const type = code(PLACEMENT_TYPES, v.placementType);
  if (!type) errors.add('placementType', 'Select where the child is living');
  const provider = code(PLACEMENT_PROVIDERS, v.provider);
  if (!provider) errors.add('provider', 'Select who provides the placement');
  const siblings = code(SIBLINGS, v.withSiblings) as CheckedPlacement['with_siblings'];
  if (!siblings) errors.add('withSiblings', 'Select whether the child lives with their brothers and sisters');
  if (v.addressHidden !== 'yes' && v.addressHidden !== 'no')
    errors.add('addressHidden', 'Select whether the address is kept from the birth family');
  const urn = optionalText(errors, 'urn', 'The Ofsted number', v.urn, 20);
  if (urn && !/^(SC|EY)?\d{6,7}$/i.test(urn))
    errors.add('urn', 'Enter the Ofsted unique reference number, for example SC123456');
  return {
    placement_type: type ?? '',
    provider,
    provider_name: optionalText(errors, 'providerName', 'The provider’s name', v.providerName, 200),
    carer_name: optionalText(errors, 'carerName', 'The carers’ names', v.carerName, 200),
    address: optionalText(errors, 'address', 'The address', v.address, 500),
    postcode: postcodeOrNull(errors, 'postcode', v.postcode, 'the placement’s postcode'),
    urn: urn ? urn.toUpperCase() : null,
    weekly_cost_pence: penceOrNull(errors, 'weeklyCost', v.weeklyCost),
    with_siblings: siblings,
    // Anything but an explicit "no" keeps the address from the family.
    address_hidden_from_family: v.addressHidden !== 'no',
  };
}

/** The family's words for where the child lives now: built from the family view, never the row. */
function livingWithWords(view: FamilyPlacementView): string {
  return `${view.carerType.charAt(0).toLowerCase()}${view.carerType.slice(1)}`;
}

async function endActiveStatutoryPlans(
  trx: Transaction<Database>,
  episodeId: string,
  on: string,
  now: Date,
  reason: string,
): Promise<void> {
  await trx
    .updateTable('plans')
    .set((eb) => ({
      status: 'ended',
      ended_on: sql<string>`greatest(${on}::date, started_on)`,
      end_reason: reason,
      next_review_on: null,
      updated_at: now,
      version: eb('version', '+', 1),
    }))
    .where('episode_id', '=', episodeId)
    .where('status', '=', 'active')
    .where('kind', 'in', ['child_in_need', 'child_protection', 'family_help'])
    .execute();
}

async function openReviewTask(
  trx: Transaction<Database>,
  actor: Actor,
  input: { personId: string; episodeId: string; carePlanId: string; dueOn: string; sequence: number },
): Promise<void> {
  const lead = await leadAllocation(trx, input.personId);
  await openTask(trx, {
    organisationId: actor.organisationId,
    personId: input.personId,
    episodeId: input.episodeId,
    kind: 'plan_review_due',
    title:
      input.sequence === 1
        ? 'Hold the first looked-after review'
        : `Hold looked-after review ${input.sequence}`,
    dueOn: input.dueOn,
    assignedUserId: lead?.workerUserId ?? null,
    assignedTeamId: lead?.teamId ?? null,
    sourceType: 'plan',
    sourceId: input.carePlanId,
  });
}

// ---------------------------------------------------------------------------------------------
// Coming into care
// ---------------------------------------------------------------------------------------------

/**
 * The child comes into care: a period of care with its legal status, category of need and first
 * placement, and a care plan whose first review is due within 20 working days (a task is opened).
 * The child's one episode of help moves to looked after; child in need and child protection plans end.
 */
export async function startCare(
  deps: Deps,
  actor: Actor,
  input: { personId: string; values: StartCareValues } & Context,
): Promise<{ periodId: string; placementId: string }> {
  requireHelpPermission(actor, 'write');
  const v = input.values;
  const todayIso = today(deps);
  const errors = new ErrorList();
  const startedOn = pastDate(
    errors,
    'startedOn',
    'The date',
    v.startedOn,
    'Enter the date the child came into care',
    todayIso,
  );
  const legal = code(LEGAL_STATUSES, v.legalStatus);
  if (!legal) errors.add('legalStatus', 'Select the legal status');
  const need = code(CARE_NEEDS, v.categoryOfNeed);
  if (!need) errors.add('categoryOfNeed', 'Select the main reason the child needs care');
  const homePostcode = postcodeOrNull(errors, 'homePostcode', v.homePostcode, 'the home postcode');
  const reason = requiredText(
    errors,
    'reason',
    'Why',
    v.reason,
    TEXT_MAX,
    'Enter why the child is coming into care, in plain words',
  );
  const placement = checkPlacement(errors, v);
  return deps.db.transaction().execute(async (trx) => {
    const child = await careChild(trx, deps, actor, input.personId, 'write');
    const episode = await openEpisodeOf(trx, child.id);
    const blocked = startBlocked(
      episode?.status ?? null,
      (await openPeriodOf(trx, child.id, true)) !== undefined,
    );
    if (blocked || !episode) throw new ConflictError(blocked ?? 'The child has no open episode of help');
    notBefore(
      errors,
      'startedOn',
      'The date',
      startedOn,
      episode.status_since,
      `when the child’s help became ${STATUS_LABELS[episode.status].toLowerCase()}`,
    );
    errors.throwIfAny();
    const on = startedOn as string;
    const now = deps.clock.now();
    const timetable = reviewTimetable(on, [], false);
    const firstDue = timetable.next?.dueOn ?? on;
    await endActiveStatutoryPlans(trx, episode.id, on, now, 'The child came into care.');
    await moveEpisode(trx, {
      episode,
      to: 'looked_after',
      on,
      reason: `Came into care (${legalStatusLabel(legal as string).toLowerCase()}). ${reason}`,
      actorUserId: actor.userId,
      at: now,
    });
    const referral = await trx
      .selectFrom('cin_referrals')
      .select('id')
      .where('episode_id', '=', episode.id)
      .where('closed_on', 'is', null)
      .executeTakeFirst();
    const plan = await trx
      .insertInto('plans')
      .values({
        episode_id: episode.id,
        person_id: child.id,
        cin_referral_id: referral?.id ?? null,
        kind: 'care',
        status: 'active',
        started_on: on,
        next_review_on: firstDue,
        created_by: actor.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const period = await trx
      .insertInto('care_periods')
      .values({
        episode_id: episode.id,
        person_id: child.id,
        started_on: on,
        category_of_need: need as string,
        home_postcode: homePostcode,
        care_plan_id: plan.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('legal_statuses')
      .values({ care_period_id: period.id, code: legal as string, started_on: on })
      .execute();
    const placed = await trx
      .insertInto('placements')
      .values({ ...placement, care_period_id: period.id, started_on: on, recorded_by: actor.userId })
      .returning('id')
      .executeTakeFirstOrThrow();
    await openReviewTask(trx, actor, {
      personId: child.id,
      episodeId: episode.id,
      carePlanId: plan.id,
      dueOn: firstDue,
      sequence: 1,
    });
    const family = familyViewOfPlacement({ ...placement, started_on: on, ended_on: null });
    await addAutomaticEntry(trx, {
      personId: child.id,
      episodeId: episode.id,
      occurredOn: on,
      event: 'care.started',
      summary: `You came into care (${legalStatusLabel(legal as string).toLowerCase()}) and went to live with ${livingWithWords(family)}. Your first review is by ${longDate(firstDue)}.`,
      sourceType: SOURCE,
      sourceId: period.id,
      actorUserId: actor.userId,
    });
    await audit(
      trx,
      actor,
      'care.start',
      period.id,
      {
        personId: child.id,
        legalStatus: legal,
        placementType: placement.placement_type,
        placementId: placed.id,
      },
      input.requestId,
    );
    return { periodId: period.id, placementId: placed.id };
  });
}

function conflictOf(
  period: { legalStatus: string; placementType: string; startedOn: string },
  yours: { legalStatus?: string; placementType?: string; startedOn?: string },
  back: string,
): VersionConflictError {
  return new VersionConflictError(differingFields(MOVE_LABELS, period, yours), back);
}

async function periodSnapshot(
  trx: Executor,
  periodId: string,
): Promise<{ legalStatus: string; placementType: string; startedOn: string }> {
  const status = await currentLegalStatus(trx, periodId);
  const placement = await currentPlacement(trx, periodId);
  return {
    legalStatus: status ? legalStatusLabel(status.code) : '',
    placementType: placement ? placementTypeLabel(placement.placement_type) : '',
    startedOn: placement ? longDate(placement.started_on) : '',
  };
}

// ---------------------------------------------------------------------------------------------
// Legal status
// ---------------------------------------------------------------------------------------------

/** A new legal status from a date (for example section 20 → interim care order → care order). */
export async function changeLegalStatus(
  deps: Deps,
  actor: Actor,
  input: { personId: string; version: number; values: LegalStatusValues } & Context,
): Promise<void> {
  requireHelpPermission(actor, 'write');
  const todayIso = today(deps);
  const errors = new ErrorList();
  const changedOn = pastDate(
    errors,
    'changedOn',
    'The date',
    input.values.changedOn,
    'Enter the date the legal status changed',
    todayIso,
  );
  const legal = code(LEGAL_STATUSES, input.values.legalStatus);
  if (!legal) errors.add('legalStatus', 'Select the new legal status');
  await deps.db.transaction().execute(async (trx) => {
    const { child, period } = await writablePeriod(trx, deps, actor, input.personId);
    const back = `${carePath(child.id)}/legal-status`;
    if (period.version !== input.version)
      throw conflictOf(
        await periodSnapshot(trx, period.id),
        { legalStatus: legal ? legalStatusLabel(legal) : '' },
        back,
      );
    const current = await currentLegalStatus(trx, period.id);
    if (current && legal === current.code)
      errors.add('legalStatus', 'Select a legal status different from the current one');
    if (current)
      notBefore(
        errors,
        'changedOn',
        'The date',
        changedOn,
        current.started_on,
        'when the current legal status started',
      );
    errors.throwIfAny();
    const on = changedOn as string;
    const now = deps.clock.now();
    if (!(await bumpPeriod(trx, period.id, input.version, now)))
      throw conflictOf(
        await periodSnapshot(trx, period.id),
        { legalStatus: legalStatusLabel(legal as string) },
        back,
      );
    if (current)
      await trx.updateTable('legal_statuses').set({ ended_on: on }).where('id', '=', current.id).execute();
    await trx
      .insertInto('legal_statuses')
      .values({ care_period_id: period.id, code: legal as string, started_on: on })
      .execute();
    await addAutomaticEntry(trx, {
      personId: child.id,
      episodeId: period.episode_id,
      occurredOn: on,
      event: 'care.legal_status',
      summary: `The legal reason you are in care changed: ${legalStatusLabel(legal as string).toLowerCase()}.`,
      sourceType: SOURCE,
      sourceId: period.id,
      actorUserId: actor.userId,
    });
    await audit(
      trx,
      actor,
      'care.legal_status',
      period.id,
      { personId: child.id, from: current?.code ?? null, to: legal },
      input.requestId,
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Placement moves
// ---------------------------------------------------------------------------------------------

/** The child moves to a new placement (or the same carers under a new arrangement), with the reason. */
export async function movePlacement(
  deps: Deps,
  actor: Actor,
  input: { personId: string; version: number; values: MoveValues } & Context,
): Promise<{ placementId: string }> {
  requireHelpPermission(actor, 'write');
  const v = input.values;
  const todayIso = today(deps);
  const errors = new ErrorList();
  const movedOn = pastDate(
    errors,
    'movedOn',
    'The date',
    v.movedOn,
    'Enter the date the child moved',
    todayIso,
  );
  const reason = code(PLACEMENT_CHANGE_REASONS, v.changeReason);
  if (!reason) errors.add('changeReason', 'Select why the child moved');
  const note = requiredText(
    errors,
    'changeNote',
    'What happened',
    v.changeNote,
    TEXT_MAX,
    'Enter what happened and what the child and family said about the move',
  );
  if (v.sameCarer !== 'yes' && v.sameCarer !== 'no')
    errors.add('sameCarer', 'Select whether the child is still with the same carers');
  const placement = checkPlacement(errors, v);
  return deps.db.transaction().execute(async (trx) => {
    const { child, period } = await writablePeriod(trx, deps, actor, input.personId);
    const back = `${carePath(child.id)}/placements/new`;
    const yours = {
      placementType: placement.placement_type ? placementTypeLabel(placement.placement_type) : '',
      startedOn: movedOn ? longDate(movedOn) : '',
    };
    if (period.version !== input.version) throw conflictOf(await periodSnapshot(trx, period.id), yours, back);
    const current = await currentPlacement(trx, period.id);
    if (current)
      notBefore(
        errors,
        'movedOn',
        'The date',
        movedOn,
        current.started_on,
        'when the current placement started',
      );
    errors.throwIfAny();
    const on = movedOn as string;
    const now = deps.clock.now();
    if (!(await bumpPeriod(trx, period.id, input.version, now)))
      throw conflictOf(await periodSnapshot(trx, period.id), yours, back);
    if (current)
      await trx
        .updateTable('placements')
        .set({ ended_on: on, change_reason: reason, change_note: note })
        .where('id', '=', current.id)
        .execute();
    const placed = await trx
      .insertInto('placements')
      .values({
        ...placement,
        care_period_id: period.id,
        started_on: on,
        same_carer_as_previous: v.sameCarer === 'yes',
        recorded_by: actor.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const family = familyViewOfPlacement({ ...placement, started_on: on, ended_on: null });
    await addAutomaticEntry(trx, {
      personId: child.id,
      episodeId: period.episode_id,
      occurredOn: on,
      event: 'care.placement_moved',
      summary:
        v.sameCarer === 'yes'
          ? `You stayed with the same carers under a new arrangement: ${livingWithWords(family)}.`
          : `You moved to live with ${livingWithWords(family)}.`,
      sourceType: SOURCE,
      sourceId: period.id,
      actorUserId: actor.userId,
    });
    await audit(
      trx,
      actor,
      'care.placement_move',
      period.id,
      {
        personId: child.id,
        fromPlacementId: current?.id ?? null,
        placementId: placed.id,
        reason,
        placementType: placement.placement_type,
      },
      input.requestId,
    );
    return { placementId: placed.id };
  });
}

// ---------------------------------------------------------------------------------------------
// The end of a period of care
// ---------------------------------------------------------------------------------------------

/**
 * The period of care ends with its SSDA903 reason (for example E13 or E4A: home to the family). The
 * child's help moves on in the same episode: child in need, family help, care leaver (with their
 * eligibility and a draft pathway plan) or closed (the CIN census reason follows from the care one).
 */
export async function endCare(
  deps: Deps,
  actor: Actor,
  input: { personId: string; version: number; values: EndCareValues } & Context,
): Promise<{ next: EpisodeStatus; pathwayPlanId: string | null }> {
  requireHelpPermission(actor, 'write');
  const v = input.values;
  const todayIso = today(deps);
  const errors = new ErrorList();
  const endedOn = pastDate(
    errors,
    'endedOn',
    'The date',
    v.endedOn,
    'Enter the date the child stopped being looked after',
    todayIso,
  );
  const rec = code(EPISODE_END_REASONS, v.reasonCeased);
  if (!rec || rec === 'X1') errors.add('reasonCeased', 'Select why the child stopped being looked after');
  const next = code(NEXT_AFTER_CARE, v.next) as Exclude<EpisodeStatus, 'looked_after'> | null;
  if (!next) errors.add('next', 'Select what happens to the child’s help next');
  const eligibility = next === 'care_leaver' ? code(CARE_LEAVER_ELIGIBILITY, v.eligibility) : null;
  if (next === 'care_leaver' && !eligibility)
    errors.add('eligibility', 'Select the young person’s care leaver status');
  const note = requiredText(
    errors,
    'note',
    'What happens next',
    v.note,
    TEXT_MAX,
    'Enter what happens next, in plain words',
  );
  return deps.db.transaction().execute(async (trx) => {
    const { child, period } = await writablePeriod(trx, deps, actor, input.personId);
    const back = `${carePath(child.id)}/end`;
    if (period.version !== input.version) throw conflictOf(await periodSnapshot(trx, period.id), {}, back);
    const episode = await openEpisodeOf(trx, child.id);
    if (episode?.id !== period.episode_id) throw new ConflictError('The child’s help has ended');
    const placement = await currentPlacement(trx, period.id);
    const status = await currentLegalStatus(trx, period.id);
    const floor =
      [period.started_on, placement?.started_on ?? '', status?.started_on ?? ''].sort().at(-1) ??
      period.started_on;
    notBefore(errors, 'endedOn', 'The date', endedOn, floor, 'the last change to the child’s care');
    errors.throwIfAny();
    const on = endedOn as string;
    const now = deps.clock.now();
    if (
      !(await bumpPeriod(trx, period.id, input.version, now, { ended_on: on, reason_ceased: rec as string }))
    )
      throw conflictOf(await periodSnapshot(trx, period.id), {}, back);
    if (placement)
      await trx.updateTable('placements').set({ ended_on: on }).where('id', '=', placement.id).execute();
    if (status)
      await trx.updateTable('legal_statuses').set({ ended_on: on }).where('id', '=', status.id).execute();
    if (period.care_plan_id) {
      await trx
        .updateTable('plans')
        .set((eb) => ({
          status: 'ended',
          ended_on: sql<string>`greatest(${on}::date, started_on)`,
          end_reason: `The child stopped being looked after: ${(EPISODE_END_REASONS[rec as string] ?? '').toLowerCase()}.`,
          next_review_on: null,
          updated_at: now,
          version: eb('version', '+', 1),
        }))
        .where('id', '=', period.care_plan_id)
        .where('status', '=', 'active')
        .execute();
      await completeTasksFor(trx, {
        sourceType: 'plan',
        sourceId: period.care_plan_id,
        kind: 'plan_review_due',
        byUserId: actor.userId,
        at: now,
      });
    }
    const to = next as Exclude<EpisodeStatus, 'looked_after'>;
    await moveEpisode(trx, {
      episode,
      to,
      on,
      reason: `Stopped being looked after (${rec as string}). ${note}`,
      actorUserId: actor.userId,
      ...(to === 'closed'
        ? { closureReason: closureReasonForCareEnd(rec as string), closureNote: note }
        : {}),
      at: now,
    });
    let pathwayPlanId: string | null = null;
    if (to === 'care_leaver') {
      await trx
        .insertInto('care_leavers')
        .values({ person_id: child.id, episode_id: episode.id, eligibility: eligibility as 'relevant' })
        .onConflict((oc) =>
          oc.column('person_id').doUpdateSet((eb) => ({
            episode_id: episode.id,
            eligibility: eligibility as 'relevant',
            updated_at: now,
            version: eb('care_leavers.version', '+', 1),
          })),
        )
        .execute();
      const plan = await trx
        .insertInto('plans')
        .values({
          episode_id: episode.id,
          person_id: child.id,
          kind: 'pathway',
          status: 'draft',
          created_by: actor.userId,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      pathwayPlanId = plan.id;
    }
    await addAutomaticEntry(trx, {
      personId: child.id,
      episodeId: episode.id,
      occurredOn: on,
      event: 'care.ended',
      summary: `You stopped being looked after: ${(EPISODE_END_REASONS[rec as string] ?? '').toLowerCase()}. ${note}`,
      sourceType: SOURCE,
      sourceId: period.id,
      actorUserId: actor.userId,
    });
    await audit(
      trx,
      actor,
      'care.end',
      period.id,
      { personId: child.id, reasonCeased: rec, next: to },
      input.requestId,
    );
    return { next: to, pathwayPlanId };
  });
}

// ---------------------------------------------------------------------------------------------
// Letters to the family
// ---------------------------------------------------------------------------------------------

export type PlacementMoveLetter = {
  readonly child: ChildRef;
  readonly childGivenName: string;
  readonly parents: readonly string[];
  readonly writtenOn: string;
  readonly worker: string | null;
  readonly team: string | null;
  readonly council: string;
  /** Where the child lives now and where they lived before, as the family may see them. */
  readonly now: FamilyPlacementView;
  readonly before: FamilyPlacementView | null;
  readonly reasonWords: string | null;
};

/**
 * A letter to the child's parents about a placement move. Built only from familyViewOfPlacement: the
 * address, postcode and carers' name of a hidden placement never reach it. Reading it is audited.
 */
export async function placementMoveLetter(
  deps: Deps,
  actor: Actor,
  input: { personId: string; placementId: string } & Context,
): Promise<PlacementMoveLetter> {
  requireHelpPermission(actor, 'read');
  if (!isUuid(input.placementId)) throw new NotFoundError();
  const child = await careChild(deps.db, deps, actor, input.personId, 'read');
  const placement = await deps.db
    .selectFrom('placements')
    .innerJoin('care_periods', 'care_periods.id', 'placements.care_period_id')
    .selectAll('placements')
    .where('placements.id', '=', input.placementId)
    .where('care_periods.person_id', '=', child.id)
    .executeTakeFirst();
  if (!placement) throw new NotFoundError();
  const [before, parents, lead, council, childRef] = await Promise.all([
    deps.db
      .selectFrom('placements')
      .selectAll()
      .where('care_period_id', '=', placement.care_period_id)
      .where('started_on', '<', placement.started_on)
      .orderBy('started_on', 'desc')
      .executeTakeFirst(),
    deps.db
      .selectFrom('relationships')
      .innerJoin('people', 'people.id', 'relationships.related_person_id')
      .select(['people.given_name', 'people.family_name'])
      .where('relationships.person_id', '=', child.id)
      .where((eb) =>
        eb.or([
          eb('relationships.kind', 'in', ['mother', 'father']),
          eb('relationships.parental_responsibility', '=', true),
        ]),
      )
      .where('relationships.ended_on', 'is', null)
      .where('people.merged_into', 'is', null)
      .orderBy('people.family_name')
      .orderBy('people.given_name')
      .execute(),
    deps.db
      .selectFrom('allocations')
      .innerJoin('teams', 'teams.id', 'allocations.team_id')
      .leftJoin('users', 'users.id', 'allocations.worker_user_id')
      .select(['users.display_name', 'teams.name'])
      .where('allocations.person_id', '=', child.id)
      .where('allocations.ended_at', 'is', null)
      .orderBy('allocations.is_lead', 'desc')
      .executeTakeFirst(),
    deps.db
      .selectFrom('organisations')
      .select('name')
      .where('id', '=', actor.organisationId)
      .executeTakeFirstOrThrow(),
    childRefOf(deps.db, child),
  ]);
  await auditChildView(deps.db, actor, {
    personId: child.id,
    requestId: input.requestId,
    route: input.route ?? '/children/:id/care/letters/placement-move/:placementId',
    purpose: 'care.letter',
  });
  const reason = before?.change_reason ? (PLACEMENT_CHANGE_REASONS[before.change_reason] ?? null) : null;
  return {
    child: childRef,
    childGivenName: child.givenName,
    parents: parents.map((p) => `${p.given_name} ${p.family_name}`),
    writtenOn: today(deps),
    worker: lead?.display_name ?? null,
    team: lead?.name ?? null,
    council: council.name,
    now: familyViewOfPlacement(placement),
    before: before ? familyViewOfPlacement(before) : null,
    reasonWords: reason,
  };
}
