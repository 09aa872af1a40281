import type { Day } from './days.ts';
import type { BroadEthnicity } from './reference.ts';

/**
 * What the generator knows about one authority while it generates it: its neighbourhoods and
 * postcodes, its teams and staff, and the rates it is calibrated to.
 */

export type Postcode = {
  readonly postcode: string;
  readonly lsoa: string;
  readonly easting: number | null;
  readonly northing: number | null;
};

export type Neighbourhood = {
  readonly code: string;
  readonly decile: number;
  readonly children: number;
  readonly ltlaName: string;
  /** Broad ethnicity shares of its children, in BROAD_ETHNICITIES order, summing to 1. */
  readonly childEthnicity: readonly number[];
  readonly postcodes: readonly Postcode[];
  readonly easting: number;
  readonly northing: number;
  locality: number;
};

export type TeamFunction =
  'front_door' | 'family_help' | 'assessment' | 'cin_cp' | 'children_in_care' | 'leaving_care';

export type Team = {
  readonly id: string;
  readonly name: string;
  readonly fn: TeamFunction;
  readonly locality: number | null;
  readonly managerId: string;
  readonly workerIds: readonly string[];
};

export type Staff = {
  readonly localities: readonly { readonly id: string; readonly name: string }[];
  /** Teams of each function: per locality for locality teams (index = locality), or one list for authority-wide teams. */
  readonly byLocality: Readonly<
    Record<'family_help' | 'assessment' | 'cin_cp', readonly (readonly Team[])[]>
  >;
  readonly frontDoor: readonly Team[];
  readonly childrenInCare: readonly Team[];
  readonly leavingCare: readonly Team[];
};

/** The rates a generated authority follows; per child-year unless said otherwise. All tunable in one place. */
export type Rates = {
  /** Requests for help (contacts) per child-year at average risk, before age and recency factors. */
  readonly contactRate: number;
  /** Exponent of the child's risk in the contact rate (deprivation gradient of requests). */
  readonly contactRiskPower: number;
  /** Divides risk^contactRiskPower so that the authority's average contact multiplier is 1. */
  readonly contactNorm: number;
  /** Divides risk^severityPower among referred children so that their mean severity is 1. */
  readonly severityNorm: number;
  readonly severityPower: number;
  /** Unaccompanied asylum-seeking children arriving per child-year. */
  readonly uascRate: number;
};

export type AuthorityContext = {
  readonly seed: string;
  readonly laCode: string;
  readonly laName: string;
  readonly organisationId: string;
  /** Distinguishes the households of one run from another's (appending). */
  readonly runKey: string;
  readonly reference: Day;
  readonly windowStart: Day;
  readonly neighbourhoods: readonly Neighbourhood[];
  readonly insidePostcodes: readonly Postcode[];
  /** Outside the authority: within about 25 km of its edge, and further away. */
  readonly outsideNear: readonly Postcode[];
  readonly outsideFar: readonly Postcode[];
  readonly staff: Staff;
  readonly thresholds: readonly { readonly id: string; readonly publishedOn: Day }[];
  readonly rates: Rates;
  /** Broad ethnicity risk multipliers (after deprivation). */
  readonly ethnicityRisk: Readonly<Record<BroadEthnicity, number>>;
  readonly nhs: NhsNumbers;
  /** The authority's position among the 153 (0-152), for unique UPNs. */
  readonly ordinal: number;
  /** Household numbers already used in this authority by earlier runs (appending). */
  readonly householdOffset: number;
};

/** The NHS test range (999 000 000x-999 999 999x) as a bitmap of used numbers: each is given once. */
export type NhsNumbers = { take(start: number): string | null; readonly used: Uint8Array };
