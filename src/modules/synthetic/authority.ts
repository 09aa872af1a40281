import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type {
  AuthorityContext,
  Neighbourhood,
  Postcode,
  Rates,
  Staff,
  Team,
  TeamFunction,
} from './context.ts';
import { addYears, dayOf, DAYS_PER_YEAR, isoDay, isoTime, type Day } from './days.ts';
import { deleteAuthorityData } from './delete.ts';
import { generateHousehold, generateUasc, nhsAllocator, RISK_BY_DECILE } from './life.ts';
import { NAME_POOLS } from './names.ts';
import { P } from './params.ts';
import { rng, type Rng } from './prng.ts';
import {
  AUTHORITIES,
  BROAD_ETHNICITIES,
  CHILD_ETHNICITY_WEIGHT,
  ENGLAND_DECILE_CHILDREN,
  ENGLAND_RESIDENT_ETHNICITY,
  type BroadEthnicity,
} from './reference.ts';
import {
  batchRows,
  emptyBatch,
  insertRows,
  planWriter,
  SHARED_COUNTER_TABLES,
  TABLES,
  writeBatch,
  writeBatchCopy,
  type Batch,
  type Row,
} from './writer.ts';

/**
 * Generates a synthetic children's services authority into the database: its localities, teams and
 * staff, then households neighbourhood by neighbourhood, written in batches (one transaction each).
 * Everything is drawn from seeded streams keyed by the seed, the authority and the household
 * number, so the same options give byte-identical rows whatever the batch size.
 */

export type SeedMode = 'new' | 'append' | 'replace';
export type Variation = 'national' | 'authority';

export type GenerateOptions = {
  /** Authority code (E06…, E08…, E09…, E10…) or name, as in the shipped neighbourhoods. */
  readonly authority: string;
  readonly seed?: string | number;
  /** Fraction (or multiple) of the real child population. Default 1. */
  readonly scale?: number;
  /** Years of history ending on the reference date. Default 10. */
  readonly years?: number;
  /** ISO date the history runs up to. Default 2026-03-31 (never "today", so runs are reproducible). */
  readonly referenceDate?: string;
  /** new: refuse if the authority already has people; append: add more; replace: delete and regenerate. */
  readonly mode?: SeedMode;
  /**
   * national (default): every authority at the national rates, so each one alone matches the
   * calibration targets; authority: each authority's level follows its deprivation (the inverse
   * intervention law), for all-England runs.
   */
  readonly variation?: Variation;
  /** Approximate rows per write transaction. */
  readonly batchRows?: number;
  /** Batches written at once (separate transactions): 2 suits PostgreSQL on two cores; PGlite has one connection. */
  readonly writers?: number;
  /**
   * Check every foreign key row by row even where the role could skip the checks (slower; the
   * data are the same either way, which the integration test proves).
   */
  readonly checkEveryRow?: boolean;
  /** PGlite only: the embedded engine behind `db`, to write batches with COPY (much faster there). */
  readonly pglite?: PGlite | undefined;
  /** Shared bitmap of NHS test numbers in use (all-England runs pass one across authorities). */
  readonly nhsUsed?: Uint8Array;
  /**
   * Generate into this existing organisation (the demo council) instead of the authority's own
   * organisation found or created by its code. The authority still gives the neighbourhoods.
   */
  readonly organisationId?: string;
  /**
   * Locality names, north to south: the neighbourhoods are split into this many bands by northing
   * with about the same number of children each, instead of districts or compass areas.
   */
  readonly localities?: readonly string[];
  /** Email domain of the generated staff accounts. Default: <authority code>.synthetic.hearth.invalid. */
  readonly staffEmailDomain?: string;
};

export type GenerateProgress =
  | {
      readonly kind: 'start';
      readonly laCode: string;
      readonly laName: string;
      readonly plannedChildren: number;
    }
  | {
      readonly kind: 'progress';
      readonly laCode: string;
      readonly fraction: number;
      readonly childrenWritten: number;
      readonly rows: number;
    }
  | { readonly kind: 'done'; readonly summary: GenerateSummary };

export type GenerateSummary = {
  readonly laCode: string;
  readonly laName: string;
  readonly organisationId: string;
  readonly runNumber: number;
  readonly households: number;
  /** Children written (aged 0-17 on the reference date, or older with help in the window). */
  readonly children: number;
  readonly childrenUnder18: number;
  readonly people: number;
  readonly rows: number;
  readonly rowsByTable: Readonly<Record<string, number>>;
  readonly staff: number;
  /** Generating and writing (the deletion of a replaced run aside). */
  readonly seconds: number;
  /** Deleting the authority's earlier rows (--replace). */
  readonly replacedSeconds: number;
};

/** Bad input or a refused precondition: the command exits 2 and nothing was changed. */
export class SeedInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeedInputError';
  }
}

export const DEFAULT_REFERENCE_DATE = '2026-03-31';
export const DEFAULT_SEED = '42';

export type ResolvedOptions = {
  readonly laCode: string;
  readonly laName: string;
  readonly ordinal: number;
  readonly seed: string;
  readonly scale: number;
  readonly years: number;
  readonly reference: Day;
  readonly mode: SeedMode;
  readonly variation: Variation;
  readonly batchRows: number;
  readonly writers: number;
};

/** Finds an authority by code or (case-insensitive) name among the 153. */
export function findAuthority(text: string): { code: string; name: string; ordinal: number } | undefined {
  const wanted = text.trim().toLowerCase();
  const index = AUTHORITIES.findIndex(
    ([code, name]) => code.toLowerCase() === wanted || name.toLowerCase() === wanted,
  );
  const found = AUTHORITIES[index];
  return found ? { code: found[0], name: found[1], ordinal: index } : undefined;
}

/** Checks the options without touching the database; throws SeedInputError with a clear message. */
export function resolveOptions(options: GenerateOptions): ResolvedOptions {
  const authority = findAuthority(options.authority);
  if (!authority) {
    throw new SeedInputError(
      `Unknown authority “${options.authority}”: give one of the 153 children’s services authority codes (such as E08000025) or names (such as Birmingham).`,
    );
  }
  const scale = options.scale ?? 1;
  if (!Number.isFinite(scale) || scale <= 0)
    throw new SeedInputError(`The scale must be a number greater than 0 (got ${String(options.scale)}).`);
  if (scale > 20) throw new SeedInputError(`The scale must be 20 or less (got ${String(scale)}).`);
  const years = options.years ?? 10;
  if (!Number.isInteger(years) || years < 1 || years > 30)
    throw new SeedInputError(
      `The years of history must be a whole number from 1 to 30 (got ${String(options.years)}).`,
    );
  let reference: Day;
  try {
    reference = dayOf(options.referenceDate ?? DEFAULT_REFERENCE_DATE);
  } catch {
    throw new SeedInputError(
      `The reference date must be a real date written YYYY-MM-DD (got ${String(options.referenceDate)}).`,
    );
  }
  const seed = String(options.seed ?? DEFAULT_SEED);
  if (seed === '') throw new SeedInputError('The seed must not be empty.');
  return {
    laCode: authority.code,
    laName: authority.name,
    ordinal: authority.ordinal,
    seed,
    scale,
    years,
    reference,
    mode: options.mode ?? 'new',
    variation: options.variation ?? 'national',
    batchRows: options.batchRows ?? 60_000,
    writers: Math.max(1, Math.min(8, Math.floor(options.writers ?? 1))),
  };
}

type RunRow = { organisation_id: string; run_number: number; household_offset: number; households: number };

/**
 * Checks the database preconditions: the neighbourhoods are loaded, and (unless appending or
 * replacing) the authority has no people yet. Throws SeedInputError; changes nothing.
 */
export async function checkPreconditions(
  db: Db,
  o: ResolvedOptions,
  into?: string,
): Promise<{ organisationId: string | null; people: number }> {
  const hoods = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM lsoa21 WHERE la_code = ${o.laCode}`.execute(db);
  if ((hoods.rows[0]?.n ?? 0) === 0) {
    throw new SeedInputError(
      `The neighbourhoods of ${o.laName} (${o.laCode}) are not loaded: run \`npx hearth load-geography\` first.`,
    );
  }
  const org = into
    ? await db.selectFrom('organisations').select('id').where('id', '=', into).executeTakeFirst()
    : await db
        .selectFrom('organisations')
        .select('id')
        .where('la_code', '=', o.laCode)
        .orderBy('created_at')
        .orderBy('id')
        .executeTakeFirst();
  if (into && !org) throw new SeedInputError(`No organisation has the id ${into}. Nothing was changed.`);
  if (!org) return { organisationId: null, people: 0 };
  const people = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM people WHERE organisation_id = ${org.id}`.execute(db);
  const count = people.rows[0]?.n ?? 0;
  if (count > 0 && o.mode === 'new') {
    throw new SeedInputError(
      `${o.laName} (${o.laCode}) already has ${count.toLocaleString('en-GB')} people in this database. ` +
        'Add --append to add more, or --replace to delete them and generate again. Nothing was changed.',
    );
  }
  return { organisationId: org.id, people: count };
}

// ---------------------------------------------------------------------------------------------

type LoadedGeography = {
  neighbourhoods: Neighbourhood[];
  inside: Postcode[];
  outsideNear: Postcode[];
  outsideFar: Postcode[];
};

async function loadGeography(db: Db, o: ResolvedOptions, r: Rng): Promise<LoadedGeography> {
  const lsoaRows = await sql<{
    code: string;
    ltla_name: string;
    imd_decile: number;
    children_0_17: number;
    eth_share_asian: number;
    eth_share_black: number;
    eth_share_mixed: number;
    eth_share_other: number;
    eth_share_white: number;
  }>`SELECT code, ltla_name, imd_decile, children_0_17, eth_share_asian, eth_share_black, eth_share_mixed,
       eth_share_other, eth_share_white FROM lsoa21 WHERE la_code = ${o.laCode} ORDER BY code`.execute(db);
  const postcodeRows = await sql<Postcode & { lsoa21_code: string }>`
    SELECT p.postcode, p.lsoa21_code AS lsoa, p.easting, p.northing
    FROM postcodes p JOIN lsoa21 l ON l.code = p.lsoa21_code
    WHERE l.la_code = ${o.laCode} ORDER BY p.postcode`.execute(db);
  const byLsoa = new Map<string, Postcode[]>();
  for (const row of postcodeRows.rows) {
    const postcode: Postcode = {
      postcode: row.postcode,
      lsoa: row.lsoa,
      easting: row.easting,
      northing: row.northing,
    };
    let list = byLsoa.get(postcode.lsoa);
    if (!list) byLsoa.set(postcode.lsoa, (list = []));
    list.push(postcode);
  }
  const all: Postcode[] = postcodeRows.rows.map((row) => ({
    postcode: row.postcode,
    lsoa: row.lsoa,
    easting: row.easting,
    northing: row.northing,
  }));
  if (all.length === 0)
    throw new SeedInputError(
      `No postcodes are loaded for ${o.laName}: run \`npx hearth load-geography\` first.`,
    );
  const neighbourhoods: Neighbourhood[] = lsoaRows.rows.map((row) => {
    const postcodes = byLsoa.get(row.code) ?? [];
    const located = postcodes.filter((p) => p.easting !== null && p.northing !== null);
    const easting = located.length ? located.reduce((s, p) => s + (p.easting ?? 0), 0) / located.length : 0;
    const northing = located.length ? located.reduce((s, p) => s + (p.northing ?? 0), 0) / located.length : 0;
    const shares: Record<BroadEthnicity, number> = {
      white: row.eth_share_white,
      mixed: row.eth_share_mixed,
      asian: row.eth_share_asian,
      black: row.eth_share_black,
      other: row.eth_share_other,
    };
    const weighted = BROAD_ETHNICITIES.map((g) => Math.max(0, shares[g]) * CHILD_ETHNICITY_WEIGHT[g]);
    const total = weighted.reduce((s, w) => s + w, 0) || 1;
    return {
      code: row.code,
      decile: row.imd_decile,
      children: row.children_0_17,
      ltlaName: row.ltla_name,
      childEthnicity: weighted.map((w) => w / total),
      postcodes,
      easting,
      northing,
      locality: 0,
    };
  });
  // Inside the authority: a sample of its postcodes. Outside: a deterministic sample of postcodes
  // within 150 km, for placements out of area (none when only this authority's postcodes are loaded).
  const inside = sample(
    r,
    all.filter((p) => p.easting !== null),
    4000,
  );
  const centre = centroid(neighbourhoods);
  const outsideRows = await sql<Postcode>`
    SELECT p.postcode, p.lsoa21_code AS lsoa, p.easting, p.northing
    FROM postcodes p JOIN lsoa21 l ON l.code = p.lsoa21_code
    WHERE l.la_code <> ${o.laCode}
      AND p.easting BETWEEN ${Math.round(centre.easting - 150_000)} AND ${Math.round(centre.easting + 150_000)}
      AND p.northing BETWEEN ${Math.round(centre.northing - 150_000)} AND ${Math.round(centre.northing + 150_000)}
      AND abs(hashtext(p.postcode)) % 40 = 0
    ORDER BY p.postcode`.execute(db);
  // Near: within about 25 km of the authority's edge (its furthest neighbourhood from the centre).
  const km = (e: number, n: number) => Math.hypot(e - centre.easting, n - centre.northing) / 1000;
  const radius = Math.max(
    0,
    ...neighbourhoods.filter((h) => h.easting || h.northing).map((h) => km(h.easting, h.northing)),
  );
  const near = outsideRows.rows.filter(
    (p) => p.easting !== null && p.northing !== null && km(p.easting, p.northing) <= radius + 25,
  );
  const far = outsideRows.rows.filter(
    (p) => p.easting !== null && p.northing !== null && km(p.easting, p.northing) > radius + 25,
  );
  return { neighbourhoods, inside, outsideNear: sample(r, near, 3000), outsideFar: sample(r, far, 3000) };
}

function sample<T>(r: Rng, items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  const copy = [...items];
  for (let i = 0; i < n; i += 1) {
    const j = i + r.int(copy.length - i);
    const a = copy[i] as T;
    copy[i] = copy[j] as T;
    copy[j] = a;
  }
  return copy.slice(0, n);
}

function centroid(hoods: readonly Neighbourhood[]): { easting: number; northing: number } {
  let e = 0;
  let n = 0;
  let w = 0;
  for (const hood of hoods) {
    if (hood.easting === 0 && hood.northing === 0) continue;
    const weight = Math.max(1, hood.children);
    e += hood.easting * weight;
    n += hood.northing * weight;
    w += weight;
  }
  return w ? { easting: e / w, northing: n / w } : { easting: 0, northing: 0 };
}

/** Localities by name, north to south: bands of neighbourhoods by northing with about equal children. */
function assignBands(hoods: Neighbourhood[], names: readonly string[]): string[] {
  const total = hoods.reduce((s, h) => s + h.children, 0);
  const sorted = [...hoods].sort((a, b) => b.northing - a.northing || a.code.localeCompare(b.code));
  let acc = 0;
  for (const hood of sorted) {
    hood.locality = Math.min(names.length - 1, Math.floor((acc / Math.max(1, total)) * names.length));
    acc += hood.children;
  }
  return [...names];
}

const COMPASS = ['East', 'North East', 'North', 'North West', 'West', 'South West', 'South', 'South East'];

/** Localities: districts for counties (up to six), otherwise compass areas around the centre. */
function assignLocalities(hoods: Neighbourhood[]): string[] {
  const realChildren = hoods.reduce((s, h) => s + h.children, 0);
  const districts = [...new Set(hoods.map((h) => h.ltlaName))].sort();
  if (districts.length >= 3 && districts.length <= 6) {
    for (const hood of hoods) hood.locality = districts.indexOf(hood.ltlaName);
    return districts;
  }
  const k =
    districts.length > 6
      ? 6
      : realChildren >= 60_000
        ? 4
        : realChildren >= 25_000
          ? 3
          : realChildren >= 8_000
            ? 2
            : 1;
  if (k === 1) {
    for (const hood of hoods) hood.locality = 0;
    return ['Central'];
  }
  const centre = centroid(hoods);
  const angle = (h: Neighbourhood) => Math.atan2(h.northing - centre.northing, h.easting - centre.easting);
  const sorted = [...hoods].sort((a, b) => angle(a) - angle(b) || a.code.localeCompare(b.code));
  const names: string[] = [];
  let acc = 0;
  const groups: Neighbourhood[][] = Array.from({ length: k }, () => []);
  for (const hood of sorted) {
    const group = Math.min(k - 1, Math.floor((acc / Math.max(1, realChildren)) * k));
    groups[group]?.push(hood);
    acc += hood.children;
  }
  groups.forEach((group, i) => {
    const c = centroid(group);
    const a = Math.atan2(c.northing - centre.northing, c.easting - centre.easting);
    let name = COMPASS[((Math.round(a / (Math.PI / 4)) % 8) + 8) % 8] ?? 'Central';
    if (names.includes(name)) name = `${name} ${i + 1}`;
    names.push(name);
    for (const hood of group) hood.locality = i;
  });
  return names;
}

// ---------------------------------------------------------------------------------------------
// Rates: normalised so the authority's averages match the national figures.

function lnGamma(x: number): number {
  const g = 7;
  const c = [
    0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.61500616643718,
    12.507343278686905, -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const y = x - 1;
  let a = c[0] ?? 0;
  const t = y + g + 0.5;
  for (let i = 1; i < g + 2; i += 1) a += (c[i] ?? 0) / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/** E[Z^s] for Z ~ gamma(shape k, mean 1). */
function frailtyMoment(k: number, s: number): number {
  return Math.exp(lnGamma(k + s) - lnGamma(k) - s * Math.log(k));
}

const ETHNICITY_RISK: Record<BroadEthnicity, number> = {
  white: 1,
  mixed: 1.55,
  asian: 0.2,
  black: 0.85,
  other: 0.8,
};

/** E[G^s] over a child population: G = deprivation risk × ethnicity risk. */
function populationMoment(
  hoods: readonly { decile: number; weight: number; ethnicity: readonly number[] }[],
  s: number,
): number {
  let sum = 0;
  let total = 0;
  for (const hood of hoods) {
    const dep = Math.pow(RISK_BY_DECILE[hood.decile - 1] ?? 1, s);
    hood.ethnicity.forEach((share, i) => {
      const group = BROAD_ETHNICITIES[i] ?? 'white';
      sum += hood.weight * share * dep * Math.pow(ETHNICITY_RISK[group], s);
    });
    total += hood.weight;
  }
  return total ? sum / total : 1;
}

function englandPopulation(): { decile: number; weight: number; ethnicity: readonly number[] }[] {
  const weighted = BROAD_ETHNICITIES.map((g) => ENGLAND_RESIDENT_ETHNICITY[g] * CHILD_ETHNICITY_WEIGHT[g]);
  const total = weighted.reduce((s, w) => s + w, 0);
  const ethnicity = weighted.map((w) => w / total);
  return ENGLAND_DECILE_CHILDREN.map((weight, i) => ({ decile: i + 1, weight, ethnicity }));
}

export function ratesFor(hoods: readonly Neighbourhood[], variation: Variation): Rates {
  const a = P.contactRiskPower;
  const b = P.severityPower;
  const k = P.frailtyShape;
  const local = hoods.map((h) => ({ decile: h.decile, weight: h.children, ethnicity: h.childEthnicity }));
  const england = englandPopulation();
  const population = variation === 'national' ? local : england;
  const contactNorm = populationMoment(population, a) * frailtyMoment(k, a);
  const severityNorm = (populationMoment(population, a + b) * frailtyMoment(k, a + b)) / contactNorm;
  let contactRate: number = P.contactRate;
  if (variation === 'authority') {
    // The inverse intervention law: authorities that are less deprived overall intervene more at
    // the same level of neighbourhood deprivation.
    const deprivation = populationMoment(local, 1) / populationMoment(england, 1);
    contactRate *= Math.pow(deprivation, -0.45);
  }
  return {
    contactRate,
    contactRiskPower: a,
    contactNorm,
    severityNorm,
    severityPower: b,
    uascRate: P.uascRate,
  };
}

// ---------------------------------------------------------------------------------------------
// Staff

type StaffRows = {
  localities: Row[];
  teams: Row[];
  users: Row[];
  user_roles: Row[];
  team_memberships: Row[];
};

/** Open children per 10,000 by team function, and caseloads per worker: sizes the teams. */
const OPEN_PER_10K: Record<Exclude<TeamFunction, 'front_door'>, number> = {
  family_help: 110,
  assessment: 65,
  cin_cp: 200,
  children_in_care: 67,
  leaving_care: 30,
};
const CASELOAD: Record<TeamFunction, number> = {
  front_door: 700,
  family_help: 14,
  assessment: 12,
  cin_cp: 16,
  children_in_care: 15,
  leaving_care: 22,
};
const TEAM_LABEL: Record<TeamFunction, string> = {
  front_door: 'front door team',
  family_help: 'family help team',
  assessment: 'assessment team',
  cin_cp: 'child in need and protection team',
  children_in_care: 'children in care team',
  leaving_care: 'leaving care team',
};

/**
 * The teams whose practitioners are case-holding social workers (children are allocated to them as
 * social workers): the ones some of whom are agency staff. Front door workers hold no children here;
 * family help workers and leaving care personal advisers are not social workers.
 */
const AGENCY_TEAMS: ReadonlySet<TeamFunction> = new Set(['assessment', 'cin_cp', 'children_in_care']);

/**
 * Marks `share` of the case-holding social workers as agency staff: a whole number of them (rounded
 * up or down at random, so that many authorities together keep the share), chosen at random from
 * every team alike. The generator has no notion of some teams losing staff faster than others, so
 * no team is favoured. Draws only from its own stream, so the other staff rows are unchanged.
 */
function markAgencyWorkers(r: Rng, socialWorkers: readonly Row[], share: number): void {
  const pool = [...socialWorkers];
  const wanted = Math.min(pool.length, stochasticRound(r, share * pool.length));
  // The first `wanted` places of a partial Fisher-Yates shuffle.
  for (let i = 0; i < wanted; i += 1) {
    const j = i + r.int(pool.length - i);
    const chosen = pool[j];
    const displaced = pool[i];
    if (!chosen || !displaced) break;
    pool[j] = displaced;
    pool[i] = chosen;
    chosen['employment'] = 'agency';
  }
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '');
}

function buildStaff(
  r: Rng,
  o: ResolvedOptions,
  organisationId: string,
  localityNames: readonly string[],
  childrenByLocality: readonly number[],
  emailDomain?: string,
): { staff: Staff; rows: StaffRows } {
  const rows: StaffRows = { localities: [], teams: [], users: [], user_roles: [], team_memberships: [] };
  const created = isoTime(addYears(o.reference, -o.years), 540);
  const domain = emailDomain ?? `${o.laCode.toLowerCase()}.synthetic.hearth.invalid`;
  let userNumber = 0;
  const newUser = (role: string): string => {
    const pool =
      NAME_POOLS[
        r.chance(0.75)
          ? 'british'
          : r.pick([
              'south_asian_indian',
              'south_asian_muslim',
              'african',
              'caribbean',
              'eastern_european',
            ] as const)
      ];
    const female = r.chance(0.8);
    const given = r.pick(female ? pool.female : pool.male);
    const family = r.pick(pool.family);
    userNumber += 1;
    const id = r.uuid();
    rows.users.push({
      id,
      organisation_id: organisationId,
      email: `${slug(given)}.${slug(family)}.${userNumber}@${domain}`,
      display_name: `${given} ${family}`,
      created_at: created,
      updated_at: created,
      employment: 'permanent',
    });
    rows.user_roles.push({ user_id: id, role_id: role });
    return id;
  };
  const socialWorkers: Row[] = [];
  const localities = localityNames.map((name) => {
    const id = r.uuid();
    rows.localities.push({ id, organisation_id: organisationId, name });
    return { id, name };
  });
  const totalChildren = childrenByLocality.reduce((s, c) => s + c, 0);
  const makeTeams = (fn: TeamFunction, locality: number | null, children: number, prefix: string): Team[] => {
    const open = fn === 'front_door' ? (children * 1300) / 10_000 : (children * OPEN_PER_10K[fn]) / 10_000;
    const workers = Math.max(2, Math.ceil(open / CASELOAD[fn]));
    const count = Math.max(1, Math.ceil(workers / 8));
    const teams: Team[] = [];
    for (let i = 0; i < count; i += 1) {
      const id = r.uuid();
      const name = `${prefix}${TEAM_LABEL[fn]}${count > 1 ? ` ${i + 1}` : ''}`;
      rows.teams.push({
        id,
        organisation_id: organisationId,
        locality_id: locality === null ? null : (localities[locality]?.id ?? null),
        name: name.charAt(0).toUpperCase() + name.slice(1),
      });
      const managerId = newUser('team_manager');
      rows.team_memberships.push({ user_id: managerId, team_id: id });
      const workerIds: string[] = [];
      const size = Math.max(2, Math.round(workers / count));
      for (let w = 0; w < size; w += 1) {
        const worker = newUser('practitioner');
        const row = rows.users.at(-1);
        if (AGENCY_TEAMS.has(fn) && row) socialWorkers.push(row);
        rows.team_memberships.push({ user_id: worker, team_id: id });
        workerIds.push(worker);
      }
      teams.push({ id, name, fn, locality, managerId, workerIds });
    }
    return teams;
  };
  const byLocality: Record<'family_help' | 'assessment' | 'cin_cp', Team[][]> = {
    family_help: [],
    assessment: [],
    cin_cp: [],
  };
  localityNames.forEach((name, i) => {
    const children = childrenByLocality[i] ?? 0;
    const teamsHere: Team[] = [];
    for (const fn of ['family_help', 'assessment', 'cin_cp'] as const) {
      const teams = makeTeams(fn, i, children, `${name} `);
      byLocality[fn].push(teams);
      teamsHere.push(...teams);
    }
    const serviceManager = newUser('service_manager');
    for (const team of teamsHere) rows.team_memberships.push({ user_id: serviceManager, team_id: team.id });
  });
  const frontDoor = makeTeams('front_door', null, totalChildren, '');
  const childrenInCare = makeTeams('children_in_care', null, totalChildren, '');
  const leavingCare = makeTeams('leaving_care', null, totalChildren, '');
  const headOfService = newUser('service_manager');
  for (const team of [...frontDoor, ...childrenInCare, ...leavingCare])
    rows.team_memberships.push({ user_id: headOfService, team_id: team.id });
  newUser('senior_leader');
  markAgencyWorkers(rng(o.seed, o.laCode, 'staff', 'employment'), socialWorkers, P.agencyShare);
  return { staff: { localities, byLocality, frontDoor, childrenInCare, leavingCare }, rows };
}

/** The staff made by an earlier run, with localities in the order this run numbers them (by name). */
async function loadStaff(
  db: Db,
  organisationId: string,
  wanted: readonly string[],
): Promise<Staff | undefined> {
  const teams = await sql<{
    id: string;
    name: string;
    locality_id: string | null;
    locality_name: string | null;
  }>`
    SELECT t.id, t.name, t.locality_id, l.name AS locality_name FROM teams t LEFT JOIN localities l ON l.id = t.locality_id
    WHERE t.organisation_id = ${organisationId} ORDER BY t.name`.execute(db);
  if (teams.rows.length === 0) return undefined;
  const members = await sql<{ team_id: string; user_id: string; role_id: string; email: string }>`
    SELECT m.team_id, m.user_id, ur.role_id, u.email FROM team_memberships m JOIN users u ON u.id = m.user_id
    JOIN user_roles ur ON ur.user_id = u.id
    WHERE u.organisation_id = ${organisationId} ORDER BY u.email`.execute(db);
  const found = new Set(teams.rows.flatMap((t) => (t.locality_name ? [t.locality_name] : [])));
  const localityNames = [
    ...wanted.filter((name) => found.has(name)),
    ...[...found].filter((name) => !wanted.includes(name)).sort(),
  ];
  const localityIds = new Map(
    teams.rows.flatMap((t) =>
      t.locality_id && t.locality_name ? [[t.locality_name, t.locality_id] as const] : [],
    ),
  );
  const byLocality: Record<'family_help' | 'assessment' | 'cin_cp', Team[][]> = {
    family_help: localityNames.map(() => []),
    assessment: localityNames.map(() => []),
    cin_cp: localityNames.map(() => []),
  };
  const frontDoor: Team[] = [];
  const childrenInCare: Team[] = [];
  const leavingCare: Team[] = [];
  for (const t of teams.rows) {
    const fn = (Object.keys(TEAM_LABEL) as TeamFunction[]).find((f) =>
      t.name.toLowerCase().includes(TEAM_LABEL[f]),
    );
    if (!fn) continue;
    const here = members.rows.filter((m) => m.team_id === t.id);
    const managerId = here.find((m) => m.role_id === 'team_manager')?.user_id;
    const workerIds = here.filter((m) => m.role_id === 'practitioner').map((m) => m.user_id);
    if (!managerId || workerIds.length === 0) continue;
    const locality = t.locality_name ? localityNames.indexOf(t.locality_name) : null;
    const team: Team = { id: t.id, name: t.name, fn, locality, managerId, workerIds };
    if (fn === 'front_door') frontDoor.push(team);
    else if (fn === 'children_in_care') childrenInCare.push(team);
    else if (fn === 'leaving_care') leavingCare.push(team);
    else if (locality !== null) byLocality[fn][locality]?.push(team);
  }
  if (frontDoor.length === 0 || childrenInCare.length === 0 || leavingCare.length === 0) return undefined;
  if (localityNames.length === 0 || byLocality.family_help.some((l) => l.length === 0)) return undefined;
  return {
    localities: localityNames.map((name) => ({ id: localityIds.get(name) ?? '', name })),
    byLocality,
    frontDoor,
    childrenInCare,
    leavingCare,
  };
}

// ---------------------------------------------------------------------------------------------
// The run

function stochasticRound(r: Rng, x: number): number {
  const whole = Math.floor(x);
  return whole + (r.next() < x - whole ? 1 : 0);
}

export async function usedNhsNumbers(db: Db): Promise<Uint8Array> {
  const used = new Uint8Array(1_000_000);
  const rows = await sql<{
    n: string;
  }>`SELECT substr(nhs_number, 4, 6) AS n FROM people WHERE nhs_number LIKE '999%'`.execute(db);
  for (const row of rows.rows) used[Number(row.n)] = 1;
  return used;
}

const STAFF_TABLES = ['localities', 'teams', 'users', 'user_roles', 'team_memberships'] as const;
const STAFF_COLUMNS: Record<(typeof STAFF_TABLES)[number], readonly string[]> = {
  localities: ['id', 'organisation_id', 'name'],
  teams: ['id', 'organisation_id', 'locality_id', 'name'],
  users: ['id', 'organisation_id', 'email', 'display_name', 'created_at', 'updated_at', 'employment'],
  user_roles: ['user_id', 'role_id'],
  team_memberships: ['user_id', 'team_id'],
};

/**
 * Generates one authority. Validates first (SeedInputError, nothing changed), then writes the
 * organisation and staff, then the households in batches of about `batchRows` rows, each batch in
 * its own transaction, and records the run in synthetic_runs.
 */
export async function generateAuthority(
  db: Db,
  options: GenerateOptions,
  onProgress: (event: GenerateProgress) => void = () => undefined,
): Promise<GenerateSummary> {
  const o = resolveOptions(options);
  if (
    options.localities &&
    (options.localities.length === 0 || new Set(options.localities).size !== options.localities.length)
  )
    throw new SeedInputError('The locality names must be one or more different names.');
  const pre = await checkPreconditions(db, o, options.organisationId);
  const started = performance.now();
  const authorityRng = rng(o.seed, o.laCode, 'authority');
  const geography = await loadGeography(db, o, authorityRng);
  const localityNames = options.localities
    ? assignBands(geography.neighbourhoods, options.localities)
    : assignLocalities(geography.neighbourhoods);
  const windowStart = addYears(o.reference, -o.years);

  let replacedSeconds = 0;
  if (pre.organisationId && o.mode === 'replace') {
    const deleting = performance.now();
    await deleteAuthorityData(db, pre.organisationId);
    replacedSeconds = (performance.now() - deleting) / 1000;
  }
  let organisationId = pre.organisationId;
  let runNumber = 1;
  let householdOffset = 0;
  if (organisationId) {
    const runs =
      await sql<RunRow>`SELECT organisation_id, run_number, household_offset, households FROM synthetic_runs
      WHERE organisation_id = ${organisationId} ORDER BY run_number`.execute(db);
    for (const run of runs.rows) {
      runNumber = Math.max(runNumber, run.run_number + 1);
      householdOffset = Math.max(householdOffset, run.household_offset + run.households);
    }
  }
  const runKey = `${o.seed}:${runNumber}`;
  // Organisation, localities, teams and staff: reused when appending, otherwise created.
  let staff =
    organisationId && o.mode === 'append' ? await loadStaff(db, organisationId, localityNames) : undefined;
  let staffCount = 0;
  const childrenByLocality = localityNames.map(
    (_, i) =>
      geography.neighbourhoods.filter((h) => h.locality === i).reduce((s, h) => s + h.children, 0) * o.scale,
  );
  const thresholds = [12, 6, 2].map((back, i) => ({
    id: rng(o.seed, o.laCode, 'threshold', i).uuid(),
    publishedOn: addYears(o.reference, -back),
    version: `${i + 1}.0`,
  }));
  const runId = rng(o.seed, o.laCode, 'run', runNumber).uuid();
  await db.transaction().execute(async (trx) => {
    if (!organisationId) {
      organisationId = rng(o.seed, o.laCode, 'organisation').uuid();
      await insertRows(
        trx,
        'organisations',
        ['id', 'name', 'kind', 'la_code', 'created_at'],
        [
          {
            id: organisationId,
            name: `${o.laName} (synthetic)`,
            kind: 'local_authority',
            la_code: o.laCode,
            created_at: isoTime(windowStart, 540),
          },
        ],
      );
    }
    if (!staff) {
      const built = buildStaff(
        rng(o.seed, o.laCode, 'staff'),
        o,
        organisationId,
        localityNames,
        childrenByLocality,
        options.staffEmailDomain,
      );
      staff = built.staff;
      for (const table of STAFF_TABLES) await insertRows(trx, table, STAFF_COLUMNS[table], built.rows[table]);
      staffCount = built.rows.users.length;
    }
    const existing = await sql<{
      id: string;
    }>`SELECT id FROM threshold_guidance_versions WHERE organisation_id = ${organisationId}`.execute(trx);
    if (existing.rows.length === 0) {
      await insertRows(
        trx,
        'threshold_guidance_versions',
        ['id', 'organisation_id', 'version', 'title', 'published_on', 'url'],
        thresholds.map((t) => ({
          id: t.id,
          organisation_id: organisationId,
          version: t.version,
          title: `${o.laName} continuum of need, version ${t.version}`,
          published_on: isoDay(t.publishedOn),
          url: null,
        })),
      );
    }
    await sql`INSERT INTO synthetic_runs (id, organisation_id, la_code, run_number, seed, scale, years, reference_date, variation, household_offset, status)
      VALUES (${runId}, ${organisationId}, ${o.laCode}, ${runNumber}, ${o.seed}, ${o.scale}, ${o.years}, ${isoDay(o.reference)}, ${o.variation}, ${householdOffset}, 'running')`.execute(
      trx,
    );
  });
  const thresholdRows = await sql<{
    id: string;
    published_on: string;
  }>`SELECT id, published_on FROM threshold_guidance_versions
    WHERE organisation_id = ${organisationId} ORDER BY published_on, id`.execute(db);
  if (!staff || !organisationId) throw new Error('staff were not created');

  const ctx: AuthorityContext = {
    seed: o.seed,
    laCode: o.laCode,
    laName: o.laName,
    organisationId,
    runKey,
    reference: o.reference,
    windowStart,
    neighbourhoods: geography.neighbourhoods,
    insidePostcodes: geography.inside,
    outsideNear: geography.outsideNear,
    outsideFar: geography.outsideFar,
    staff,
    thresholds: thresholdRows.rows.map((t) => ({ id: t.id, publishedOn: dayOf(t.published_on) })),
    rates: ratesFor(geography.neighbourhoods, o.variation),
    ethnicityRisk: ETHNICITY_RISK,
    nhs: nhsAllocator(options.nhsUsed ?? (await usedNhsNumbers(db))),
    ordinal: o.ordinal,
    householdOffset,
  };

  // Plan the households: each neighbourhood's cohort of children born in the window's 18 + years.
  const cohortFactor = (18 + o.years) / 18;
  const plan = geography.neighbourhoods.map((hood) =>
    stochasticRound(authorityRng, hood.children * o.scale * cohortFactor),
  );
  const plannedChildren = plan.reduce((s, n) => s + n, 0);
  onProgress({ kind: 'start', laCode: o.laCode, laName: o.laName, plannedChildren });

  const writerPlan = await planWriter(db, TABLES, options.checkEveryRow ?? false);
  const totals: Record<string, number> = {};
  let batch = emptyBatch();
  const inFlight = new Set<Promise<void>>();
  let peopleTurn: Promise<void> = Promise.resolve();
  let failure: unknown;
  const flush = async () => {
    while (inFlight.size >= o.writers) await Promise.race(inFlight);
    if (failure !== undefined)
      throw failure instanceof Error ? failure : new Error('writing a batch failed', { cause: failure });
    const toWrite = batch;
    batch = emptyBatch();
    for (const table of TABLES) totals[table] = (totals[table] ?? 0) + toWrite[table].length;
    rows += batchRows(toWrite);
    const pglite = options.pglite;
    let written: Promise<void>;
    if (pglite) written = writeBatchCopy(pglite, toWrite, writerPlan);
    else if (o.writers === 1)
      written = db.transaction().execute((trx) => writeBatch(trx, toWrite, writerPlan));
    else {
      // People (whose triggers keep shared name counts) one batch at a time, then the rest concurrently.
      const people = peopleTurn.then(() =>
        db.transaction().execute((trx) => writeBatch(trx, toWrite, writerPlan, SHARED_COUNTER_TABLES)),
      );
      peopleTurn = people.catch(() => undefined);
      const rest = TABLES.filter((table) => !SHARED_COUNTER_TABLES.includes(table));
      written = people.then(() =>
        db.transaction().execute((trx) => writeBatch(trx, toWrite, writerPlan, rest)),
      );
    }
    const write: Promise<void> = written
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => inFlight.delete(write));
    inFlight.add(write);
  };
  const drain = async () => {
    await Promise.all(inFlight);
    if (failure !== undefined)
      throw failure instanceof Error ? failure : new Error('writing a batch failed', { cause: failure });
  };
  let households = 0;
  let childrenSeen = 0;
  let childrenWritten = 0;
  let people = 0;
  let rows = 0;
  const report = (done = false) =>
    onProgress({
      kind: 'progress',
      laCode: o.laCode,
      fraction: done || !plannedChildren ? 1 : Math.min(0.99, childrenSeen / plannedChildren),
      childrenWritten,
      rows,
    });

  for (const [i, hood] of geography.neighbourhoods.entries()) {
    let remaining = plan[i] ?? 0;
    while (remaining > 0) {
      const index = households;
      const r = rng(runKey, o.laCode, 'household', householdOffset + index);
      const wanted = 1 + r.weightedIndex([42, 36, 15, 7]);
      const result = generateHousehold(ctx, r, index, hood, Math.min(wanted, remaining), batch);
      remaining -= Math.min(wanted, remaining);
      households += 1;
      childrenSeen += result.children;
      childrenWritten += result.childrenWritten;
      people += result.people;
      if (households % 64 === 0) {
        await yieldToEventLoop();
        if (batchRows(batch) >= o.batchRows) await flush();
        report();
      }
    }
  }
  // Unaccompanied asylum-seeking children arrive through the window (and a few years before it).
  const populationChildren = plannedChildren / cohortFactor;
  const uascSpan = o.years + 4;
  const uascCount = stochasticRound(authorityRng, ctx.rates.uascRate * populationChildren * uascSpan);
  for (let i = 0; i < uascCount; i += 1) {
    const r = rng(runKey, o.laCode, 'uasc', i);
    const arrival = Math.floor(o.reference - r.next() * uascSpan * DAYS_PER_YEAR);
    if (generateUasc(ctx, r, householdOffset + households + i, arrival, batch)) {
      childrenWritten += 1;
      people += 1;
    }
    if (i % 64 === 0) await yieldToEventLoop();
  }
  await flush();
  await drain();
  report(true);
  const under18 = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM people WHERE organisation_id = ${organisationId}
    AND is_child AND date_of_birth > ${isoDay(addYears(o.reference, -18))} AND date_of_birth <= ${isoDay(o.reference)}`.execute(
    db,
  );
  await sql`UPDATE synthetic_runs SET households = ${households + uascCount}, children = ${childrenWritten}, people = ${people},
    rows = ${rows}, status = 'complete', finished_at = now() WHERE id = ${runId}`.execute(db);
  // Statistics for the planner: without them, queries over the new rows plan as if the tables were empty.
  await sql`ANALYZE`.execute(db);
  const summary: GenerateSummary = {
    laCode: o.laCode,
    laName: o.laName,
    organisationId,
    runNumber,
    households,
    children: childrenWritten,
    childrenUnder18: under18.rows[0]?.n ?? 0,
    people,
    rows,
    rowsByTable: totals,
    staff: staffCount,
    seconds: (performance.now() - started) / 1000 - replacedSeconds,
    replacedSeconds,
  };
  onProgress({ kind: 'done', summary });
  return summary;
}

/** Every authority in England, one after another, in bounded memory (each authority's rows are streamed in batches). */
export async function generateEngland(
  db: Db,
  options: Omit<GenerateOptions, 'authority' | 'nhsUsed'>,
  onProgress: (event: GenerateProgress) => void = () => undefined,
  only?: readonly string[],
): Promise<GenerateSummary[]> {
  const codes = only ?? AUTHORITIES.map(([code]) => code);
  for (const code of codes) resolveOptions({ ...options, authority: code });
  const nhsUsed = await usedNhsNumbers(db);
  const summaries: GenerateSummary[] = [];
  for (const code of codes) {
    summaries.push(
      await generateAuthority(
        db,
        { variation: 'authority', ...options, authority: code, nhsUsed },
        onProgress,
      ),
    );
  }
  return summaries;
}

export { type Batch };
