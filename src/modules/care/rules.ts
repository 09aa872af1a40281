import { addWorkingDays } from '../../platform/working-days.ts';
import { LEGAL_STATUSES, PLACEMENT_PROVIDERS, PLACEMENT_TYPES } from '../help/codes.ts';

/**
 * The rules of a period of care, as pure functions: the SSDA903 episodes derived from legal statuses
 * and placements (reason for new episode, reason episode ended), the distance from home, the
 * looked-after review timetable and SDQ bands. No database, no HTTP.
 */

// ---------------------------------------------------------------------------------------------
// SSDA903 episodes

export type LegalStatusSpan = {
  readonly code: string;
  readonly startedOn: string;
  readonly endedOn: string | null;
};

export type PlacementSpan = {
  readonly id: string;
  readonly placementType: string;
  readonly provider: string | null;
  readonly postcode: string | null;
  readonly startedOn: string;
  readonly endedOn: string | null;
  /** Same carer, different arrangement: a change of placement status only (RNE U or B). */
  readonly sameCarerAsPrevious: boolean;
  readonly changeReason: string | null;
};

export type PeriodSpan = {
  readonly startedOn: string;
  readonly endedOn: string | null;
  /** SSDA903 REC for the end of the period. */
  readonly reasonCeased: string | null;
};

export type Episode903 = {
  /** DECOM. */
  readonly startedOn: string;
  /** DEC: the next episode's start, or the end of the period; null while it lasts. */
  readonly endedOn: string | null;
  /** RNE: S, L, P, T, B or U. */
  readonly reasonNew: string;
  /** LS. */
  readonly legalStatus: string;
  /** PLACE, PLACE_PROVIDER and PL_POST, from the placement in force. */
  readonly placementType: string;
  readonly provider: string | null;
  readonly placementPostcode: string | null;
  readonly placementId: string;
  /** REC: X1 when another episode follows, the period's reason at its end; null while it lasts. */
  readonly reasonEnded: string | null;
  /** REASON_PLACE_CHANGE: why the child left the previous placement, when this episode began with a move. */
  readonly placeChangeReason: string | null;
};

function latestOnOrBefore<T extends { startedOn: string }>(items: readonly T[], on: string): T | undefined {
  let found: T | undefined;
  for (const item of items) if (item.startedOn <= on) found = item;
  return found;
}

/**
 * The SSDA903 episodes of one period of care. A new episode starts whenever the legal status or the
 * placement changes; its RNE says which changed: L (legal status only), P (placement and carer), T
 * (both), U (placement status only, same carer), B (legal status and placement status, same carer);
 * the first is S. Each episode ends the day the next starts (REC X1), the last when the period ends
 * (REC the period's reason ceased). Legal statuses and placements are taken in start order; each is
 * in force from its start until the next one starts.
 */
export function derive903Episodes(
  period: PeriodSpan,
  legalStatuses: readonly LegalStatusSpan[],
  placements: readonly PlacementSpan[],
): Episode903[] {
  const statuses = [...legalStatuses].sort((a, b) => a.startedOn.localeCompare(b.startedOn));
  const places = [...placements].sort((a, b) => a.startedOn.localeCompare(b.startedOn));
  const inPeriod = (d: string) => d >= period.startedOn && (period.endedOn === null || d < period.endedOn);
  const starts = [
    ...new Set([period.startedOn, ...statuses.map((s) => s.startedOn), ...places.map((p) => p.startedOn)]),
  ]
    .filter(inPeriod)
    .sort();
  const episodes: Episode903[] = [];
  let previous: { status: LegalStatusSpan; placement: PlacementSpan } | undefined;
  for (const on of starts) {
    const status = latestOnOrBefore(statuses, on) ?? statuses[0];
    const placement = latestOnOrBefore(places, on) ?? places[0];
    if (!status || !placement) continue;
    let reasonNew = 'S';
    if (previous) {
      const legalChanged = previous.status !== status && previous.status.code !== status.code;
      const placementChanged = previous.placement !== placement;
      if (!legalChanged && !placementChanged) continue;
      if (placementChanged && placement.sameCarerAsPrevious) reasonNew = legalChanged ? 'B' : 'U';
      else if (placementChanged) reasonNew = legalChanged ? 'T' : 'P';
      else reasonNew = 'L';
    }
    episodes.push({
      startedOn: on,
      endedOn: null,
      reasonNew,
      legalStatus: status.code,
      placementType: placement.placementType,
      provider: placement.provider,
      placementPostcode: placement.postcode,
      placementId: placement.id,
      reasonEnded: null,
      // The reason is recorded on the placement that ended (SSDA903 REASON_PLACE_CHANGE).
      placeChangeReason:
        previous && previous.placement !== placement ? previous.placement.changeReason : null,
    });
    previous = { status, placement };
  }
  return episodes.map((episode, index) => {
    const next = episodes[index + 1];
    if (next) return { ...episode, endedOn: next.startedOn, reasonEnded: 'X1' };
    return { ...episode, endedOn: period.endedOn, reasonEnded: period.endedOn ? period.reasonCeased : null };
  });
}

// ---------------------------------------------------------------------------------------------
// Distance from home

export type GridReference = { readonly easting: number; readonly northing: number };

/** Straight-line distance in metres between two OS grid references (SSDA903 PL_DISTANCE uses it too). */
export function distanceMetres(home: GridReference, placement: GridReference): number {
  return Math.hypot(home.easting - placement.easting, home.northing - placement.northing);
}

/** Straight-line distance in kilometres between two OS grid references, to one decimal place. */
export function distanceKm(home: GridReference, placement: GridReference): number {
  return Math.round(distanceMetres(home, placement) / 100) / 10;
}

// ---------------------------------------------------------------------------------------------
// Looked-after reviews: within 20 working days, then 3 months after the first, then every 6 months

export const REVIEW_TIMESCALES = {
  firstWithinWorkingDays: 20,
  secondAfterMonths: 3,
  thenEveryMonths: 6,
} as const;

/** The ISO date `months` calendar months after another; the 31st becomes the month's last day. */
export function addMonths(iso: string, months: number): string {
  const [y = 0, m = 1, d = 1] = iso.split('-').map(Number);
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const day = Math.min(d, last);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * When review number `sequence` of a period is due: the first within 20 working days of the child
 * coming into care (England and Wales bank holidays), the second 3 months after the first was held,
 * each later one 6 months after the one before. `previousHeldOn` is the date the review before was
 * held (ignored for the first).
 */
export function reviewDueOn(
  periodStartedOn: string,
  sequence: number,
  previousHeldOn: string | null,
): string {
  if (sequence <= 1 || previousHeldOn === null)
    return addWorkingDays(periodStartedOn, REVIEW_TIMESCALES.firstWithinWorkingDays);
  return addMonths(
    previousHeldOn,
    sequence === 2 ? REVIEW_TIMESCALES.secondAfterMonths : REVIEW_TIMESCALES.thenEveryMonths,
  );
}

export type ReviewSlot = {
  readonly sequence: number;
  readonly dueOn: string;
  readonly heldOn: string | null;
  readonly late: boolean;
};

/**
 * The period's reviews so far and the next one due: held reviews (in order) with the date each was
 * due and whether it was late, then the next due (unless the period has ended).
 */
export function reviewTimetable(
  periodStartedOn: string,
  heldOn: readonly string[],
  periodEnded: boolean,
): { held: ReviewSlot[]; next: ReviewSlot | null } {
  const held: ReviewSlot[] = [];
  let previous: string | null = null;
  [...heldOn].sort().forEach((on, index) => {
    const dueOn = reviewDueOn(periodStartedOn, index + 1, previous);
    held.push({ sequence: index + 1, dueOn, heldOn: on, late: on > dueOn });
    previous = on;
  });
  if (periodEnded) return { held, next: null };
  const sequence = held.length + 1;
  return {
    held,
    next: { sequence, dueOn: reviewDueOn(periodStartedOn, sequence, previous), heldOn: null, late: false },
  };
}

// ---------------------------------------------------------------------------------------------
// SDQ

export type SdqBand = 'normal' | 'borderline' | 'concern';

export const SDQ_BAND_LABELS: Readonly<Record<SdqBand, string>> = {
  normal: 'Normal (0 to 13)',
  borderline: 'Borderline (14 to 16)',
  concern: 'A cause for concern (17 to 40)',
};

/** The band of a total difficulties score (0–40): normal 0–13, borderline 14–16, concern 17–40. */
export function sdqBand(score: number): SdqBand {
  if (!Number.isInteger(score) || score < 0 || score > 40) throw new RangeError('An SDQ score is 0 to 40');
  if (score <= 13) return 'normal';
  if (score <= 16) return 'borderline';
  return 'concern';
}

// ---------------------------------------------------------------------------------------------
// Words

/** The kind of carer, in plain English, from the SSDA903 placement type and provider. */
export function carerKind(placementType: string, provider: string | null): string {
  if (['U1', 'U2', 'U3'].includes(placementType)) return 'Family or friends (kinship carers)';
  if (['U4', 'U5', 'U6'].includes(placementType)) {
    if (provider === 'PR1') return 'Foster carers from the council';
    if (provider === 'PR2') return 'Foster carers from another council';
    if (provider === 'PR4' || provider === 'PR5') return 'Foster carers from a fostering agency';
    return 'Foster carers';
  }
  if (['K2', 'R1'].includes(placementType)) {
    if (provider === 'PR1') return 'A children’s home run by the council';
    if (provider === 'PR4') return 'A children’s home run by a private company';
    if (provider === 'PR5') return 'A children’s home run by a charity';
    if (provider === 'PR2') return 'A children’s home run by another council';
    return 'A children’s home';
  }
  if (placementType === 'K1') return 'A secure children’s home';
  if (['Z12', 'Z13', 'Z14'].includes(placementType)) return 'Supported accommodation';
  if (placementType === 'P3') return 'Living independently';
  if (placementType === 'P1') return 'Parents';
  if (['A3', 'A4', 'A5', 'A6'].includes(placementType)) return 'Adopters';
  return PLACEMENT_TYPES[placementType] ?? placementType;
}

export function legalStatusLabel(code: string): string {
  return LEGAL_STATUSES[code] ?? code;
}

export function placementTypeLabel(code: string): string {
  return PLACEMENT_TYPES[code] ?? code;
}

export function providerLabel(code: string | null): string {
  return code ? (PLACEMENT_PROVIDERS[code] ?? code) : '';
}

/** "£1,234.50" from pence. */
export function pounds(pence: number | null): string {
  if (pence === null) return '';
  return new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP' }).format(pence / 100);
}
