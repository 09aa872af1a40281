import { upnCheckLetter } from '../people/identifiers.ts';
import { DFE_LA_NUMBERS } from '../geography/la-numbers.ts';
import type { AuthorityContext, Neighbourhood, Postcode, Team, TeamFunction } from './context.ts';
import { reviewDueOn } from '../care/rules.ts';
import { addMonths, reportDueBy } from '../protection/codes.ts';
import {
  addYears,
  ageOn,
  birthday,
  dayOf,
  DAYS_PER_YEAR,
  isoDay,
  isoTime,
  plusWorkingDays,
  type Day,
} from './days.ts';
import { NAME_POOLS, poolForEthnicity, streetAddress, type NamePool } from './names.ts';
import { P } from './params.ts';
import { rng, type Rng } from './prng.ts';
import {
  BROAD_ETHNICITIES,
  CPP_CATEGORIES,
  ETHNICITY_CODES,
  FACTOR_COUNTS_2025,
  FACTOR_EPISODES_2025,
  PRIMARY_NEEDS,
  REFERRAL_SOURCES,
  UASC_ETHNICITY,
} from './reference.ts';
import * as T from './text.ts';
import { emptyBatch, type Batch, type Row, type TableName } from './writer.ts';

/**
 * One household's people and the whole history of help for each of its children, simulated day by
 * day from birth to the reference date: requests for help, front-door decisions, family help,
 * referrals and assessments, child in need and child protection plans, section 47 enquiries and
 * conferences, periods of care with legal statuses and placements, leaving care. Each child's help
 * is one continuous episode from the first request to closure, moving between statuses.
 *
 * Rows are written only for the window [reference − years, reference]: an episode is kept if it was
 * open at any time in the window (with its whole history); children aged 0-17 on the reference date
 * are always kept, older ones only if they had help in the window.
 */

type Status =
  'family_help' | 'assessment' | 'child_in_need' | 'child_protection' | 'looked_after' | 'care_leaver';

const STATUS_LABEL: Record<Status | 'closed', string> = {
  family_help: 'Family help',
  assessment: 'Assessment',
  child_in_need: 'Child in need',
  child_protection: 'Child protection',
  looked_after: 'Looked after',
  care_leaver: 'Care leaver',
  closed: 'Closed',
};

const STATUTORY = new Set<Status>([
  'assessment',
  'child_in_need',
  'child_protection',
  'looked_after',
  'care_leaver',
]);

const FUNCTION_OF: Record<Status, TeamFunction> = {
  family_help: 'family_help',
  assessment: 'assessment',
  child_in_need: 'cin_cp',
  child_protection: 'cin_cp',
  looked_after: 'children_in_care',
  care_leaver: 'leaving_care',
};

const ROLE_OF: Record<TeamFunction, string> = {
  front_door: 'social_worker',
  family_help: 'family_help_worker',
  assessment: 'social_worker',
  cin_cp: 'social_worker',
  children_in_care: 'social_worker',
  leaving_care: 'personal_adviser',
};

const WORKER_CHANGE_REASONS: Readonly<Record<string, number>> = {
  LEFTRL: 42,
  MANAGE: 18,
  ABSENC: 10,
  ORGRST: 10,
  CHCHAN: 6,
  FCONTA: 5,
  PCCHAN: 4,
  OTHERS: 5,
};
const WORKER_CHANGE_NOTES: Readonly<Record<string, string>> = {
  LEFTRL: 'The previous worker left the team.',
  MANAGE: 'Manager’s decision to balance caseloads.',
  ABSENC: 'The previous worker is on long-term leave.',
  ORGRST: 'Teams were reorganised.',
  CHCHAN: 'The child’s circumstances changed.',
  FCONTA: 'The family asked for a new worker.',
  PCCHAN: 'The child moved placement.',
  OTHERS: 'Other reason.',
  TSPROC: 'Transferred to the next team as part of the usual process.',
};

/** Factor probabilities per assessment with factors (national 2024-25 mix). */
const FACTORS: readonly (readonly [string, number])[] = Object.entries(FACTOR_COUNTS_2025).map(
  ([code, count]) => [code, count / FACTOR_EPISODES_2025] as const,
);

const band = (age: number): number => (age < 1 ? 0 : age < 5 ? 1 : age < 10 ? 2 : age < 16 ? 3 : 4);

function clamp(value: number, max: number): number {
  return value > max ? max : value;
}

// ---------------------------------------------------------------------------------------------
// Identifiers

/** The check digit of 999 followed by six digits (index 0-999999), or -1 when none makes a valid number. */
function testRangeCheckDigit(index: number): number {
  let sum = 9 * 10 + 9 * 9 + 9 * 8;
  let rest = index;
  for (let weight = 2; weight <= 7; weight += 1) {
    sum += (rest % 10) * weight;
    rest = Math.floor(rest / 10);
  }
  const check = 11 - (sum % 11);
  return check === 10 ? -1 : check === 11 ? 0 : check;
}

/** An NHS number from the test range 999 000 000x – 999 999 999x, never issued to a real person. */
export function nhsFromIndex(index: number): string | null {
  const check = testRangeCheckDigit(index);
  return check < 0 ? null : `999${String(index).padStart(6, '0')}${check}`;
}

/** Allocates unused test-range NHS numbers from a bitmap, probing from a pseudo-random start. */
export function nhsAllocator(used: Uint8Array): AuthorityContext['nhs'] {
  let free = 0;
  for (let i = 0; i < 1_000_000; i += 1) if (used[i] === 0 && testRangeCheckDigit(i) >= 0) free += 1;
  return {
    used,
    take(start) {
      if (free < 1000) return null; // keep a little headroom for people added by hand
      for (let step = 0; step < 1_000_000; step += 1) {
        const i = (start + step) % 1_000_000;
        if (used[i] !== 0) continue;
        used[i] = 1;
        const number = nhsFromIndex(i);
        if (number === null) continue;
        free -= 1;
        return number;
      }
      return null;
    },
  };
}

/**
 * A Unique Pupil Number with a valid check letter: the authority's real DfE number (so returns pass
 * rule 1530), then an establishment number starting 00, which no school has (schools' DfE numbers
 * run from 1000), so a generated UPN can never be a real pupil's; then the child's serial.
 */
export function syntheticUpn(laNumber: string, serial: number): string {
  const rest = `${laNumber}00${String(serial % 10_000_000).padStart(7, '0')}`;
  return `${upnCheckLetter(rest) ?? 'A'}${rest}`;
}

// ---------------------------------------------------------------------------------------------
// People

/** A plan for adoption: decided, placement order, placed, adopted (days). */
type Adoption = {
  decision: Day;
  order: Day;
  placed: Day;
  adopted: Day;
  /** Placed with (and adopted by) their current foster carers; set when the placement is made. */
  byFosterCarers?: boolean;
};

/** The adopters (SSDA903 AD1): how many, their sexes and their legal status. */
function adopters(
  r: Rng,
  byFosterCarers: boolean | undefined,
): Record<
  'adopted_by_foster_carer' | 'number_of_adopters' | 'adopter_sex' | 'adopter_legal_status',
  unknown
> {
  const couple = r.chance(0.8);
  const sex = couple ? (r.chance(0.9) ? 'MF' : r.chance(0.5) ? 'MM' : 'FF') : r.chance(0.85) ? 'F1' : 'M1';
  // L0 single; L11 and L3 married and unmarried different-sex couples; L12 and L4 married and
  // unmarried same-sex couples; L2 civil partners.
  const legal = !couple
    ? 'L0'
    : sex === 'MF'
      ? r.chance(0.75)
        ? 'L11'
        : 'L3'
      : r.pick(['L12', 'L12', 'L2', 'L4']);
  return {
    adopted_by_foster_carer: byFosterCarers ?? false,
    number_of_adopters: couple ? 2 : 1,
    adopter_sex: sex,
    adopter_legal_status: legal,
  };
}

/**
 * The Ofsted URN of a placement (SSDA903 URN): a children's home, secure home, supported
 * accommodation, school or family centre has its own (SC and six digits); carers who are not
 * Ofsted-registered settings are XXXXXXX; the other types have none.
 */
function placementUrn(r: Rng, type: string): string | null {
  if (['K1', 'K2', 'K3', 'R3', 'S1'].includes(type)) return `SC${String(100000 + r.int(900000))}`;
  if (/^[AU]\d$/.test(type)) return 'XXXXXXX';
  return null;
}

/** Whether a person has a disability recorded (NONE records that they have none). */
function disabled(m: { readonly disabilities: readonly string[] }): boolean {
  return m.disabilities.some((d) => d !== 'NONE');
}

type Member = {
  readonly id: string;
  readonly role: 'child' | 'mother' | 'father' | 'grandparent' | 'aunt_uncle' | 'friend';
  readonly given: string;
  readonly family: string;
  readonly dob: Day;
  readonly sex: 'M' | 'F' | 'U';
  readonly ethnicity: string | null;
  readonly pool: NamePool;
  readonly language: string;
  readonly religion: string | null;
  readonly disabilities: string[];
  /** For children: which father (0 = first, 1 = second, -1 none). */
  fatherIndex: number;
  visible: boolean;
  involved: boolean;
  uasc: boolean;
};

const LANGUAGES: Record<NamePool, readonly (readonly [string, number])[]> = {
  british: [['English', 1]],
  caribbean: [['English', 1]],
  eastern_european: [
    ['Polish', 0.55],
    ['Romanian', 0.3],
    ['Lithuanian', 0.15],
  ],
  south_asian_indian: [
    ['Punjabi', 0.45],
    ['Gujarati', 0.3],
    ['English', 0.25],
  ],
  south_asian_muslim: [
    ['Urdu', 0.45],
    ['Bengali', 0.3],
    ['English', 0.25],
  ],
  african: [
    ['English', 0.45],
    ['Somali', 0.2],
    ['Tigrinya', 0.1],
    ['Yoruba', 0.15],
    ['Arabic', 0.1],
  ],
  chinese: [
    ['Cantonese', 0.5],
    ['Mandarin', 0.5],
  ],
  middle_eastern: [
    ['Arabic', 0.35],
    ['Kurdish', 0.25],
    ['Farsi', 0.2],
    ['Pashto', 0.2],
  ],
};

const RELIGIONS: Record<NamePool, readonly (readonly [string | null, number])[]> = {
  british: [
    ['No religion', 0.5],
    ['Christian', 0.42],
    [null, 0.08],
  ],
  caribbean: [
    ['Christian', 0.7],
    ['No religion', 0.25],
    [null, 0.05],
  ],
  eastern_european: [
    ['Christian', 0.85],
    ['No religion', 0.15],
  ],
  south_asian_indian: [
    ['Sikh', 0.45],
    ['Hindu', 0.45],
    ['No religion', 0.1],
  ],
  south_asian_muslim: [['Muslim', 1]],
  african: [
    ['Christian', 0.65],
    ['Muslim', 0.35],
  ],
  chinese: [
    ['No religion', 0.7],
    ['Buddhist', 0.2],
    ['Christian', 0.1],
  ],
  middle_eastern: [
    ['Muslim', 0.9],
    ['No religion', 0.1],
  ],
};

function fromList<T>(r: Rng, list: readonly (readonly [T, number])[]): T {
  const i = r.weightedIndex(list.map((entry) => entry[1]));
  const entry = list[i] ?? list[0];
  if (!entry) throw new Error('empty list');
  return entry[0];
}

const CHILD_DISABILITIES = ['AUT', 'LD', 'COMM', 'BEH', 'MOB', 'HEAR', 'VIS', 'PC', 'CON', 'DDA'];

function makeMember(
  r: Rng,
  input: {
    role: Member['role'];
    pool: NamePool;
    family?: string;
    dob: Day;
    sex: 'M' | 'F' | 'U';
    ethnicity: string | null;
    bornHere: boolean;
  },
): Member {
  const names = NAME_POOLS[input.pool];
  const given = r.pick(
    input.sex === 'M'
      ? names.male
      : input.sex === 'F'
        ? names.female
        : r.chance(0.5)
          ? names.male
          : names.female,
  );
  const isChild = input.role === 'child';
  let language = fromList(r, LANGUAGES[input.pool]);
  if (isChild && input.bornHere && language !== 'English' && r.chance(0.65)) language = 'English';
  return {
    id: r.uuid(),
    role: input.role,
    given,
    family: input.family ?? r.pick(names.family),
    dob: input.dob,
    sex: input.sex,
    ethnicity: input.ethnicity,
    pool: input.pool,
    language,
    religion: fromList(r, RELIGIONS[input.pool]),
    // Children's records say 'no disability' (NONE) explicitly; adults' are left unrecorded.
    disabilities: isChild ? (r.chance(0.035) ? [r.pick(CHILD_DISABILITIES)] : ['NONE']) : [],
    fatherIndex: -1,
    visible: false,
    involved: false,
    uasc: false,
  };
}

// ---------------------------------------------------------------------------------------------
// The household

export type HouseholdResult = {
  readonly children: number;
  readonly childrenWritten: number;
  readonly people: number;
};

type Household = {
  readonly ctx: AuthorityContext;
  readonly r: Rng;
  readonly hood: Neighbourhood;
  readonly address: { line1: string; postcode: Postcode; town: string };
  readonly index: number;
  readonly members: Member[];
  readonly risk: number;
  readonly mother: Member;
  readonly fathers: (Member | null)[];
  readonly kin: Member[];
};

function pickPostcode(r: Rng, hood: Neighbourhood, ctx: AuthorityContext): Postcode {
  if (hood.postcodes.length > 0) return r.pick(hood.postcodes);
  return r.pick(ctx.insidePostcodes);
}

/** Risk by IMD decile of the home: a factor of about 1.305 per decile, so decile 1 is 11 times decile 10. */
export const RISK_BY_DECILE: readonly number[] = Array.from({ length: 10 }, (_, i) =>
  Math.pow(11, (9 - i) / 9),
);

/**
 * Generates one household of `plannedChildren` children in a neighbourhood, simulates each child's
 * life, and appends the rows to write to `out`.
 */
export function generateHousehold(
  ctx: AuthorityContext,
  r: Rng,
  index: number,
  hood: Neighbourhood,
  plannedChildren: number,
  out: Batch,
): HouseholdResult {
  const R = ctx.reference;
  const span = (18 + (R - ctx.windowStart) / DAYS_PER_YEAR) * DAYS_PER_YEAR;
  // Ethnicity of the household.
  const broad = BROAD_ETHNICITIES[r.weightedIndex(hood.childEthnicity)] ?? 'white';
  const childCode = r.weighted(ETHNICITY_CODES[broad]);
  let motherCode = childCode;
  let fatherCode = childCode;
  if (broad === 'mixed') {
    motherCode = r.chance(0.7) ? 'WBRI' : childCode === 'MWAS' ? 'APKN' : 'BCRB';
    fatherCode =
      childCode === 'MWBC' ? 'BCRB' : childCode === 'MWBA' ? 'BAFR' : childCode === 'MWAS' ? 'APKN' : 'OOTH';
    if (motherCode !== 'WBRI') fatherCode = 'WBRI';
  }
  const poolDraw = r.next();
  const childPool = poolForEthnicity(childCode, poolDraw);
  const motherPool = poolForEthnicity(motherCode, poolDraw);
  const fatherPool = poolForEthnicity(fatherCode, poolDraw);
  const familyName = r.pick(NAME_POOLS[fatherPool].family);

  // Children's dates of birth: the eldest uniformly over the window's cohorts, the rest spaced after.
  const eldest = Math.floor(R - r.next() * span);
  const dobs: Day[] = [eldest];
  for (let i = 1; i < plannedChildren; i += 1) {
    const previous = dobs[i - 1] ?? eldest;
    const next = Math.floor(previous + (1.1 + r.gamma(1.6, 1.6)) * DAYS_PER_YEAR);
    if (next > R) break;
    dobs.push(next);
  }
  const deprived = hood.decile <= 3;
  const motherAge = 17 + r.gamma(3, deprived ? 8.5 : 11);
  const motherDob = Math.floor(eldest - motherAge * DAYS_PER_YEAR);
  const mother = makeMember(r, {
    role: 'mother',
    pool: motherPool,
    ...(r.chance(0.7) ? { family: familyName } : {}),
    dob: motherDob,
    sex: 'F',
    ethnicity: motherCode,
    bornHere: false,
  });
  const fathers: (Member | null)[] = [];
  const firstFather = r.chance(deprived ? 0.72 : 0.82)
    ? makeMember(r, {
        role: 'father',
        pool: fatherPool,
        family: familyName,
        dob: Math.floor(motherDob - r.uniform(-2, 8) * DAYS_PER_YEAR),
        sex: 'M',
        ethnicity: fatherCode,
        bornHere: false,
      })
    : null;
  fathers.push(firstFather);
  let split = dobs.length;
  if (dobs.length >= 2 && r.chance(deprived ? 0.24 : 0.14)) {
    split = 1 + r.int(dobs.length - 1);
    fathers.push(
      r.chance(0.75)
        ? makeMember(r, {
            role: 'father',
            pool: r.chance(0.8) ? fatherPool : 'british',
            dob: Math.floor(motherDob - r.uniform(-3, 9) * DAYS_PER_YEAR),
            sex: 'M',
            ethnicity: r.chance(0.8) ? fatherCode : 'WBRI',
            bornHere: false,
          })
        : null,
    );
  }
  const children: Member[] = dobs.map((dob, i) => {
    const secondFather = i >= split ? fathers[1] : null;
    const family = secondFather ? secondFather.family : firstFather ? familyName : mother.family;
    const u = r.next();
    const child = makeMember(r, {
      role: 'child',
      pool: childPool,
      family,
      dob,
      sex: u < 0.001 ? 'U' : u < 0.513 ? 'M' : 'F',
      ethnicity: r.chance(0.006) ? 'NOBT' : r.chance(0.003) ? 'REFU' : childCode,
      bornHere: true,
    });
    child.fatherIndex = i >= split ? (secondFather ? 1 : -1) : firstFather ? 0 : -1;
    return child;
  });
  // Wider family, drawn now (placements with kin need them) but written only if the family had help.
  const kin: Member[] = [];
  if (r.chance(0.75)) {
    kin.push(
      makeMember(r, {
        role: 'grandparent',
        pool: motherPool,
        family: mother.family,
        dob: Math.floor(motherDob - (20 + r.gamma(4, 6)) * DAYS_PER_YEAR),
        sex: 'F',
        ethnicity: motherCode,
        bornHere: false,
      }),
    );
  }
  if (firstFather && r.chance(0.3)) {
    kin.push(
      makeMember(r, {
        role: 'grandparent',
        pool: fatherPool,
        family: familyName,
        dob: Math.floor(firstFather.dob - (20 + r.gamma(4, 6)) * DAYS_PER_YEAR),
        sex: r.chance(0.6) ? 'F' : 'M',
        ethnicity: fatherCode,
        bornHere: false,
      }),
    );
  }
  if (r.chance(0.5)) {
    kin.push(
      makeMember(r, {
        role: 'aunt_uncle',
        pool: motherPool,
        family: r.chance(0.5) ? mother.family : r.pick(NAME_POOLS[motherPool].family),
        dob: Math.floor(motherDob + r.uniform(-8, 8) * DAYS_PER_YEAR),
        sex: r.chance(0.6) ? 'F' : 'M',
        ethnicity: motherCode,
        bornHere: false,
      }),
    );
  }
  if (r.chance(0.25)) {
    kin.push(
      makeMember(r, {
        role: 'friend',
        pool: motherPool,
        dob: Math.floor(motherDob + r.uniform(-6, 6) * DAYS_PER_YEAR),
        sex: r.chance(0.8) ? 'F' : 'M',
        ethnicity: motherCode,
        bornHere: false,
      }),
    );
  }

  const broadIndex = BROAD_ETHNICITIES.indexOf(broad);
  const ethnicRisk = ctx.ethnicityRisk[BROAD_ETHNICITIES[broadIndex] ?? 'white'];
  const frailty = r.gamma(P.frailtyShape, 1);
  const household: Household = {
    ctx,
    r,
    hood,
    index,
    address: {
      line1: streetAddress(() => r.next()),
      postcode: pickPostcode(r, hood, ctx),
      town: hood.ltlaName,
    },
    members: [...children, mother, ...fathers.filter((f): f is Member => f !== null), ...kin],
    risk: (RISK_BY_DECILE[hood.decile - 1] ?? 1) * ethnicRisk * frailty,
    mother,
    fathers,
    kin,
  };

  const local = emptyBatch();
  let childrenWritten = 0;
  children.forEach((child, childIndex) => {
    const life = new Life(household, child, childIndex, local);
    life.run();
    const age = ageOn(child.dob, R);
    if (life.keptAnything) child.involved = true;
    if ((age >= 0 && age < 18) || child.involved) child.visible = true;
  });
  if (!children.some((c) => c.visible)) return { children: children.length, childrenWritten: 0, people: 0 };
  const involved = children.some((c) => c.involved);
  mother.visible = true;
  for (const father of fathers) if (father) father.visible = true;
  if (involved) for (const k of kin) k.visible = true;
  writePeople(household, children, out);
  for (const child of children) if (child.visible) childrenWritten += 1;
  // Episodes and requests go after the people they are about.
  for (const table of Object.keys(local) as TableName[]) {
    if (table === 'people' || table === 'person_addresses' || table === 'relationships') continue;
    for (const row of local[table]) out[table].push(row);
  }
  return {
    children: children.length,
    childrenWritten,
    people: household.members.filter((m) => m.visible).length,
  };
}

function writePeople(h: Household, children: readonly Member[], out: Batch): void {
  const { ctx, r } = h;
  const R = ctx.reference;
  const created = isoTime(ctx.windowStart, 540);
  const moveIn = Math.max(birthday(h.mother.dob, 18), (children[0]?.dob ?? R) - r.int(700));
  children.forEach((child, i) => {
    if (!child.visible) return;
    const age = ageOn(child.dob, R);
    const serial = (ctx.householdOffset + h.index) * 5 + i;
    const upn = age >= 4 ? syntheticUpn(DFE_LA_NUMBERS[ctx.laCode] ?? '999', serial) : null;
    out.people.push(
      personRow(ctx, child, created, {
        nhs_number: child.involved ? ctx.nhs.take(h.r.u32() % 1_000_000) : null,
        upn,
        upn_unknown_reason: upn ? null : 'UN1',
      }),
    );
  });
  for (const m of h.members) {
    if (m.visible && m.role !== 'child')
      out.people.push(personRow(ctx, m, created, { nhs_number: null, upn: null, upn_unknown_reason: null }));
  }
  // Addresses: the household's home; wider family elsewhere in the authority.
  for (const m of h.members) {
    if (!m.visible) continue;
    const atHome = m.role === 'child' || m.role === 'mother' || m.role === 'father';
    const hood = atHome ? h.hood : r.pick(ctx.neighbourhoods);
    const postcode = atHome ? h.address.postcode : pickPostcode(r, hood, ctx);
    const since = atHome ? Math.max(moveIn, m.dob) : R - r.between(365, 9000);
    out.person_addresses.push({
      id: r.uuid(),
      person_id: m.id,
      line1: atHome ? h.address.line1 : streetAddress(() => r.next()),
      town: atHome ? h.address.town : hood.ltlaName,
      postcode: postcode.postcode,
      lsoa21_code: postcode.lsoa,
      started_on: isoDay(Math.min(since, R)),
      ended_on: null,
      hidden_from_family: false,
      created_at: created,
    });
  }
  // Relationships: "related person is <kind> of person".
  const rel = (person: Member, related: Member, kind: string, pr: boolean, network: boolean, since: Day) => {
    if (!person.visible || !related.visible) return;
    out.relationships.push({
      id: r.uuid(),
      person_id: person.id,
      related_person_id: related.id,
      kind,
      parental_responsibility: pr,
      in_family_network: network,
      network_note: null,
      started_on: isoDay(since),
      ended_on: null,
      created_at: created,
    });
  };
  for (const [i, child] of children.entries()) {
    rel(child, h.mother, 'mother', true, true, child.dob);
    const father = child.fatherIndex >= 0 ? h.fathers[child.fatherIndex] : null;
    if (father) rel(child, father, 'father', r.chance(0.9), true, child.dob);
    const other = h.fathers[child.fatherIndex === 0 ? 1 : 0];
    if (other && child.fatherIndex === 0 && other.visible && r.chance(0.6))
      rel(child, other, 'step-parent', false, false, child.dob);
    for (let j = 0; j < i; j += 1) {
      const older = children[j];
      if (!older) continue;
      rel(
        child,
        older,
        child.fatherIndex === older.fatherIndex && child.fatherIndex >= 0 ? 'sibling' : 'half-sibling',
        false,
        true,
        child.dob,
      );
    }
    for (const k of h.kin) {
      const kind =
        k.role === 'grandparent'
          ? 'grandparent'
          : k.role === 'aunt_uncle'
            ? 'aunt or uncle'
            : 'friend of the family';
      rel(child, k, kind, false, true, child.dob);
    }
  }
  // A mother who took her partner's family name keeps her name at birth on record (searchable).
  const firstFather = h.fathers[0];
  if (firstFather && h.mother.family === firstFather.family && h.mother.pool !== 'south_asian_muslim') {
    out.person_names.push({
      id: r.uuid(),
      person_id: h.mother.id,
      kind: 'birth',
      given_name: h.mother.given,
      family_name: r.pick(NAME_POOLS[h.mother.pool].family),
      used_until: isoDay(Math.min(R, (children[0]?.dob ?? R) - r.int(1500))),
      created_at: created,
    });
  }
  const [first, second] = h.fathers;
  if (first) rel(h.mother, first, 'partner', false, false, (children[0]?.dob ?? R) - 365);
  else if (second)
    rel(h.mother, second, 'partner', false, false, (children[children.length - 1]?.dob ?? R) - 365);
}

function personRow(
  ctx: AuthorityContext,
  m: Member,
  created: string,
  ids: { nhs_number: string | null; upn: string | null; upn_unknown_reason: string | null },
): Row {
  const isChild = m.role === 'child';
  return {
    id: m.id,
    organisation_id: ctx.organisationId,
    given_name: m.given,
    family_name: m.family,
    date_of_birth: isoDay(m.dob),
    sex: m.sex,
    ethnicity: m.ethnicity,
    first_language: m.language,
    interpreter_needed: !isChild && m.language !== 'English' && m.id.charCodeAt(0) % 3 === 0,
    religion: m.religion,
    disabilities: m.disabilities,
    uasc: m.uasc,
    uasc_ceased_on: m.uasc && ageOn(m.dob, ctx.reference) >= 18 ? isoDay(birthday(m.dob, 18)) : null,
    nhs_number: ids.nhs_number,
    upn: ids.upn,
    upn_unknown_reason: ids.upn_unknown_reason,
    council_person_id: null,
    is_child: isChild,
    created_at: created,
    updated_at: created,
  };
}

/** An unaccompanied asylum-seeking child arriving in the authority on `arrival`, aged 14-17. */
export function generateUasc(
  ctx: AuthorityContext,
  r: Rng,
  index: number,
  arrival: Day,
  out: Batch,
): boolean {
  const ageYears = fromList(r, [
    [14, 0.05],
    [15, 0.15],
    [16, 0.4],
    [17, 0.4],
  ] as const);
  const dob = Math.floor(arrival - (ageYears + r.next()) * DAYS_PER_YEAR);
  const ethnicity = r.weighted(UASC_ETHNICITY);
  const pool = poolForEthnicity(ethnicity, r.next());
  const child = makeMember(r, {
    role: 'child',
    pool,
    dob,
    sex: r.chance(0.92) ? 'M' : 'F',
    ethnicity,
    bornHere: false,
  });
  child.uasc = true;
  const hood = r.pick(ctx.neighbourhoods);
  const household: Household = {
    ctx,
    r,
    hood,
    index,
    address: {
      line1: streetAddress(() => r.next()),
      postcode: pickPostcode(r, hood, ctx),
      town: hood.ltlaName,
    },
    members: [child],
    risk: 1,
    mother: child,
    fathers: [],
    kin: [],
  };
  const local = emptyBatch();
  const life = new Life(household, child, 0, local);
  life.runUasc(arrival);
  if (!life.keptAnything) return false;
  child.visible = true;
  child.involved = true;
  const created = isoTime(ctx.windowStart, 540);
  local.people.push(
    personRow(ctx, child, created, {
      nhs_number: ctx.nhs.take(r.u32() % 1_000_000),
      upn: null,
      upn_unknown_reason: 'UN6',
    }),
  );
  for (const table of Object.keys(local) as TableName[]) for (const row of local[table]) out[table].push(row);
  return true;
}

// ---------------------------------------------------------------------------------------------
// An episode of help, buffered until we know whether it touches the window

type Allocation = { row: Row; fn: TeamFunction; team: Team; worker: string; nextChange: Day };

class Episode {
  readonly id: string;
  readonly startedOn: Day;
  status: Status;
  statusSince: Day;
  closedOn: Day | null = null;
  readonly rows = emptyBatch();
  readonly row: Row;
  cin: Row | null = null;
  lastCinClosedOn: Day | null = null;
  alloc: Allocation | null = null;
  /** Status changes so far: orders changes made on the same day. */
  changes = 0;

  constructor(id: string, row: Row, startedOn: Day, status: Status) {
    this.id = id;
    this.row = row;
    this.startedOn = startedOn;
    this.status = status;
    this.statusSince = startedOn;
  }
}

type Referral = { source: string; need: string; requestId: string | null };

/** One child's life: requests for help and everything that follows, until the reference date. */
class Life {
  readonly h: Household;
  readonly ctx: AuthorityContext;
  readonly r: Rng;
  /**
   * The child's own stream for the detail of records (who said what, who came, costs, reviews'
   * words): drawn apart from `r`, so adding detail never changes the history `r` drives.
   */
  readonly d: Rng;
  readonly child: Member;
  readonly out: Batch;
  readonly R: Day;
  readonly eighteen: Day;
  readonly severity: number;
  readonly contactMultiplier: number;
  keptAnything = false;
  lastEnded = -1e9;
  cpPlans = 0;
  /** Whether the child has had a lead worker before (a new episode's first worker is then a change). */
  hadWorker = false;
  /** Adopted: the child has a new family, and any later help is under a new record. */
  adopted = false;
  ep: Episode | null = null;
  childIndex: number;

  constructor(h: Household, child: Member, childIndex: number, out: Batch) {
    this.h = h;
    this.ctx = h.ctx;
    this.r = h.r;
    this.d = rng(h.ctx.runKey, h.ctx.laCode, 'detail', child.id);
    this.child = child;
    this.childIndex = childIndex;
    this.out = out;
    this.R = h.ctx.reference;
    this.eighteen = birthday(child.dob, 18);
    const rates = h.ctx.rates;
    this.contactMultiplier = Math.pow(h.risk, rates.contactRiskPower) / rates.contactNorm;
    this.severity = Math.pow(h.risk, rates.severityPower) / rates.severityNorm;
  }

  age(day: Day): number {
    return ageOn(this.child.dob, day);
  }

  careFactor(day: Day): number {
    return P.careByAge[band(this.age(day))] ?? 1;
  }

  // ------------------------------------------------------------------------------- main loops

  run(): void {
    const stop = Math.min(this.R, this.eighteen);
    let t = this.child.dob;
    // Thinning: candidate times at the highest possible rate, accepted in proportion to the rate then.
    const peak =
      this.ctx.rates.contactRate * this.contactMultiplier * 1.9 * (1 + P.recencyBoost) * P.previousPlanBoost;
    if (peak <= 0) return;
    for (;;) {
      t += Math.max(1, Math.round(this.r.exponential(DAYS_PER_YEAR / peak)));
      if (t > stop) return;
      const rate = this.contactRateAt(t);
      if (this.r.next() * peak > rate) continue;
      const ended = this.request(t);
      if (ended === null) continue;
      if (ended >= this.R || this.adopted) return;
      this.lastEnded = ended;
      t = ended;
    }
  }

  contactRateAt(t: Day): number {
    const ageFactor = P.contactByAge[band(this.age(t))] ?? 1;
    const recency = 1 + P.recencyBoost * Math.exp(-(t - this.lastEnded) / P.recencyDays);
    const history = this.cpPlans > 0 ? P.previousPlanBoost : 1;
    return this.ctx.rates.contactRate * this.contactMultiplier * ageFactor * recency * history;
  }

  runUasc(arrival: Day): void {
    if (arrival > this.R) return;
    const ep = this.openFrontDoor(
      arrival,
      'assessment',
      { source: this.r.chance(0.6) ? '6' : '5C', need: 'N8' },
      'assessment',
      'An unaccompanied child seeking asylum: referral to children’s social care.',
    );
    const start = plusWorkingDays(arrival, this.r.int(2));
    this.assessmentRow(ep, start, 'looked_after', true, plusWorkingDays(start, 10 + this.r.int(25)));
    this.care(ep, arrival + this.r.int(2), 'uasc');
  }

  // ------------------------------------------------------------------------------- front door

  /** A request for help at day t; returns the day the help it led to ended (null: no episode). */
  request(t: Day): Day | null {
    const s = this.severity;
    const u = this.r.next();
    const recent = t - this.lastEnded < P.recentDays;
    const strategy = clamp(P.decideStrategy * s * (this.cpPlans > 0 ? P.previousPlanBoost : 1), 0.5);
    const assessment = P.decideAssessment * (recent ? P.recentReferral : 1);
    let decision:
      'strategy_discussion' | 'assessment' | 'family_help' | 'community_service' | 'information_advice';
    if (u < strategy) decision = 'strategy_discussion';
    else if (u < strategy + assessment) decision = 'assessment';
    else if (u < strategy + assessment + P.decideFamilyHelp) decision = 'family_help';
    else if (u < strategy + assessment + P.decideFamilyHelp + P.decideCommunity)
      decision = 'community_service';
    else decision = 'information_advice';
    const source = this.r.weighted(REFERRAL_SOURCES);
    const need = disabled(this.child) && this.r.chance(0.5) ? 'N2' : this.r.weighted(PRIMARY_NEEDS);
    if (decision === 'information_advice' || decision === 'community_service') {
      this.frontDoor(t, decision, { source, need }, null);
      return null;
    }
    if (decision === 'family_help') {
      const ep = this.openFrontDoor(
        t,
        decision,
        { source, need },
        'family_help',
        'Request for help: family help agreed with the family.',
      );
      return this.familyHelp(ep, t);
    }
    const ep = this.openFrontDoor(
      t,
      decision,
      { source, need },
      'assessment',
      decision === 'assessment'
        ? 'Referral: a child and family assessment is needed.'
        : 'Referral: a strategy discussion is needed because of a risk of significant harm.',
    );
    return this.referral(ep, t, decision === 'strategy_discussion');
  }

  /** Writes the request (received on t, decided soon after) into the episode or, with no episode, standalone. */
  frontDoor(
    t: Day,
    decision: string,
    ref: { source: string; need: string },
    ep: Episode | null = null,
  ): string {
    const { r, ctx } = this;
    const team = r.pick(ctx.staff.frontDoor);
    const recorder = r.pick(team.workerIds);
    const receivedMinute = 480 + r.int(600);
    const lag = r.next();
    const decidedDay = lag < 0.62 ? t : lag < 0.88 ? plusWorkingDays(t, 1) : plusWorkingDays(t, 2 + r.int(4));
    const threshold = this.thresholdAt(t);
    const id = r.uuid();
    const professional = !['1A', '1B', '1C', '1D', '9', '10'].includes(ref.source);
    const requesterKind = professional
      ? 'professional'
      : ref.source === '1A'
        ? r.chance(0.5)
          ? 'parent'
          : 'relative'
        : ref.source === '1C'
          ? this.age(t) >= 11
            ? 'young_person'
            : 'parent'
          : ref.source === '9'
            ? 'anonymous'
            : ref.source === '1B'
              ? 'neighbour'
              : 'other';
    const statutoryDeclined = decision !== 'assessment' && decision !== 'strategy_discussion';
    const row: Row = {
      id,
      organisation_id: ctx.organisationId,
      person_id: this.child.id,
      episode_id: ep?.id ?? null,
      status: 'decided',
      received_at: isoTime(t, receivedMinute),
      requester_kind: requesterKind,
      requester_name:
        requesterKind === 'anonymous'
          ? null
          : `${r.pick(['Ms', 'Mr', 'Mrs', 'Dr', 'PC'])} ${r.pick(NAME_POOLS.british.family)}`,
      requester_role: professional ? requesterRole(ref.source) : null,
      requester_organisation: professional ? requesterOrganisation(ref.source, this.h.address.town) : null,
      referral_source: ref.source,
      worry: r.pick(T.WORRIES[ref.need] ?? T.WORRIES['N1'] ?? []),
      family_view: r.pick(T.FAMILY_VIEWS),
      already_tried: r.pick(T.ALREADY_TRIED),
      will_keep_doing: r.pick(T.WILL_KEEP_DOING),
      family_knows: decision !== 'strategy_discussion' || r.chance(0.4),
      family_consents: decision === 'strategy_discussion' ? null : r.chance(0.85),
      primary_need: ref.need,
      decision,
      decision_service: decision === 'community_service' ? r.pick(T.COMMUNITY_SERVICES) : null,
      decision_reason: r.pick(T.DECISION_REASONS[decision] ?? ['Decision recorded.']),
      decision_threshold_id: threshold,
      decision_help_offered_instead: statutoryDeclined ? r.pick(T.HELP_INSTEAD) : null,
      decided_by: team.managerId,
      decided_at: isoTime(decidedDay, 540 + r.int(480)),
      feedback_to_requester: r.pick(T.FEEDBACK),
      feedback_given_at: isoTime(plusWorkingDays(decidedDay, r.int(3)), 600 + r.int(360)),
      team_id: team.id,
      created_by: recorder,
      created_at: isoTime(t, receivedMinute),
      updated_at: isoTime(decidedDay, 540),
    };
    if (ep) ep.rows.help_requests.push(row);
    else if (t >= ctx.windowStart) {
      this.out.help_requests.push(row);
      this.keptAnything = true;
    }
    return id;
  }

  thresholdAt(t: Day): string {
    let chosen = this.ctx.thresholds[0]?.id ?? '';
    for (const threshold of this.ctx.thresholds) if (threshold.publishedOn <= t) chosen = threshold.id;
    return chosen;
  }

  openFrontDoor(
    t: Day,
    decision: string,
    ref: { source: string; need: string },
    status: Status,
    reason: string,
  ): Episode {
    const ep = this.newEpisode(t, status);
    const requestId = this.frontDoor(t, decision, ref, ep);
    this.startStatus(ep, null, status, t, reason, STATUTORY.has(status) ? { ...ref, requestId } : undefined);
    return ep;
  }

  newEpisode(t: Day, status: Status): Episode {
    const id = this.r.uuid();
    const row: Row = {
      id,
      organisation_id: this.ctx.organisationId,
      person_id: this.child.id,
      started_on: isoDay(t),
      status,
      status_since: isoDay(t),
      closed_on: null,
      closure_reason: null,
      closure_note: null,
      created_by: null,
      created_at: isoTime(t, 600),
      updated_at: isoTime(t, 600),
    };
    const ep = new Episode(id, row, t, status);
    this.ep = ep;
    return ep;
  }

  // ------------------------------------------------------------------------------- statuses

  /** Records a status (new or changed): status change, chronology, CIN referral, allocation. */
  startStatus(
    ep: Episode,
    from: Status | null,
    to: Status,
    t: Day,
    reason: string,
    referral?: Referral,
  ): void {
    const worker = this.allocate(ep, FUNCTION_OF[to], t);
    if (from === null) {
      ep.row['created_by'] = worker;
    }
    if (STATUTORY.has(to) && !ep.cin) {
      const ref = referral ?? { source: '5D', need: this.r.weighted(PRIMARY_NEEDS), requestId: null };
      ep.cin = {
        id: this.r.uuid(),
        episode_id: ep.id,
        request_id: ref.requestId,
        referral_date: isoDay(t),
        referral_source: ref.source,
        primary_need: ref.need,
        referral_nfa: false,
        closed_on: null,
        closure_reason: null,
        created_at: isoTime(t, 600),
      };
      ep.rows.cin_referrals.push(ep.cin);
    } else if (!STATUTORY.has(to) && ep.cin) {
      this.closeCin(ep, t, from === 'assessment' ? 'RC9' : 'RC7');
    }
    ep.rows.episode_status_changes.push({
      id: this.r.uuid(),
      episode_id: ep.id,
      from_status: from,
      to_status: to,
      changed_on: isoDay(t),
      reason,
      changed_by: worker,
      created_at: isoTime(t, 600 + ep.changes++),
    });
    this.chronology(
      ep,
      t,
      from === null ? 'episode.opened' : 'status.changed',
      from === null
        ? `Help started: ${STATUS_LABEL[to].toLowerCase()}. ${reason}`
        : `${STATUS_LABEL[from]} → ${STATUS_LABEL[to]}. ${reason}`,
      worker,
    );
    ep.status = to;
    ep.statusSince = t;
    ep.row['status'] = to;
    ep.row['status_since'] = isoDay(t);
    ep.row['updated_at'] = isoTime(t, 660);
  }

  move(ep: Episode, to: Status, t: Day, reason: string, referral?: Referral): void {
    if (ep.status === to) return;
    this.startStatus(ep, ep.status, to, t, reason, referral);
  }

  closeCin(ep: Episode, t: Day, reason: string): void {
    if (!ep.cin) return;
    // An assessment of the referral ends by the time the referral closes (CIN census rule 8565).
    const day = isoDay(t);
    // An assessment still in progress is finished and authorised then too (rule 8867).
    for (const assessment of ep.rows.assessments) {
      if (assessment['cin_referral_id'] !== ep.cin['id']) continue;
      const authorised = assessment['authorised_on'];
      if (typeof authorised === 'string' && authorised <= day) continue;
      const by = (assessment['authorised_by'] as string | null | undefined) ?? this.authoriser(ep);
      if (by === null) continue;
      const finished = String(assessment['started_on']) > day ? String(assessment['started_on']) : day;
      assessment['authorised_on'] = finished;
      assessment['authorised_by'] = by;
      assessment['status'] = 'authorised';
      assessment['outcome'] ??= 'no_further_action';
      if (typeof assessment['completed_on'] !== 'string' || assessment['completed_on'] > finished)
        assessment['completed_on'] = finished;
    }
    ep.cin['closed_on'] = isoDay(t);
    ep.cin['closure_reason'] = reason;
    ep.cin = null;
    ep.lastCinClosedOn = t;
  }

  /** Who authorises an assessment: the team's manager, or (a team without one) the allocated worker. */
  authoriser(ep: Episode): string | null {
    return ep.alloc?.team.managerId ?? ep.alloc?.worker ?? null;
  }

  /** Closes the episode on t with a CIN census closure reason, and keeps it if it reached the window. */
  close(ep: Episode, t: Day, closureReason: string, reason: string): Day {
    this.advanceWorkers(ep, t);
    // Nothing is left in progress in a closed episode: assessments are finished, work trays cleared.
    for (const assessment of ep.rows.assessments) {
      if (assessment['status'] !== 'in_progress') continue;
      // An assessment begun on the day help ends (or, by rounding, after it) finishes that day too.
      const started = String(assessment['started_on']);
      const finished = isoDay(t) < started ? started : isoDay(t);
      const manager = this.authoriser(ep);
      assessment['status'] = manager ? 'authorised' : 'submitted';
      assessment['completed_on'] = finished;
      assessment['authorised_on'] = manager ? finished : null;
      assessment['authorised_by'] = manager;
      assessment['outcome'] ??= 'no_further_action';
      assessment['updated_at'] = isoTime(t, 600);
    }
    for (const task of ep.rows.tasks) {
      if (task['completed_at'] !== null && task['completed_at'] !== undefined) continue;
      task['completed_at'] = isoTime(t, 1000);
      task['completed_by'] = ep.alloc?.worker ?? null;
    }
    if (ep.cin) this.closeCin(ep, t, closureReason);
    if (ep.alloc) ep.alloc.row['ended_at'] = isoTime(t, 1020);
    const by = ep.alloc?.worker ?? null;
    ep.rows.episode_status_changes.push({
      id: this.r.uuid(),
      episode_id: ep.id,
      from_status: ep.status,
      to_status: 'closed',
      changed_on: isoDay(t),
      reason,
      changed_by: by,
      created_at: isoTime(t, 1000 + ep.changes++),
    });
    this.chronology(ep, t, 'episode.closed', `Help ended. ${reason}`, by);
    ep.closedOn = t;
    ep.row['status'] = 'closed';
    ep.row['status_since'] = isoDay(t);
    ep.row['closed_on'] = isoDay(t);
    ep.row['closure_reason'] = closureReason;
    ep.row['updated_at'] = isoTime(t, 1000);
    this.keep(ep);
    return t;
  }

  /** The reference date has come with the episode still open: keep it, open, with work in the trays. */
  leaveOpen(ep: Episode): Day {
    this.advanceWorkers(ep, this.R);
    if (ep.alloc) {
      const fn = ep.alloc.fn;
      const team = ep.alloc.team;
      // The family are known to the same team while their child's help is open.
      if (fn !== 'leaving_care') this.allocateParents(ep, team);
      ep.rows.tasks.push({
        id: this.r.uuid(),
        organisation_id: this.ctx.organisationId,
        person_id: this.child.id,
        episode_id: ep.id,
        kind: 'visit_due',
        title: ep.status === 'care_leaver' ? 'Keep in touch with the young person' : 'Visit the child',
        due_on: isoDay(plusWorkingDays(this.R, 1 + this.r.int(20))),
        assigned_user_id: ep.alloc.worker,
        assigned_team_id: team.id,
        source_type: 'help_episode',
        source_id: ep.id,
        completed_at: null,
        completed_by: null,
        created_at: isoTime(this.R - 10, 600),
      });
    }
    this.keep(ep);
    return this.R + 1;
  }

  allocateParents(ep: Episode, team: Team): void {
    for (const member of [this.h.mother, ...this.h.fathers]) {
      if (!member || member === this.child) continue;
      ep.rows.allocations.push({
        id: this.r.uuid(),
        person_id: member.id,
        team_id: team.id,
        worker_user_id: ep.alloc?.worker ?? null,
        started_at: isoTime(ep.startedOn, 600),
        ended_at: null,
        episode_id: ep.id,
        is_lead: false,
        practitioner_role: null,
        change_reason: null,
        change_note: null,
        allocated_by: team.managerId,
      });
    }
  }

  keep(ep: Episode): void {
    const touchesWindow = ep.closedOn === null || ep.closedOn >= this.ctx.windowStart;
    this.ep = null;
    if (!touchesWindow) return;
    this.keptAnything = true;
    this.out.help_episodes.push(ep.row);
    for (const table of Object.keys(ep.rows) as TableName[])
      for (const row of ep.rows[table]) this.out[table].push(row);
  }

  chronology(ep: Episode, t: Day, event: string, summary: string, by: string | null): void {
    ep.rows.chronology_entries.push({
      id: this.r.uuid(),
      person_id: this.child.id,
      episode_id: ep.id,
      occurred_on: isoDay(t),
      kind: 'automatic',
      event,
      summary,
      source_type: 'help_episode',
      source_id: ep.id,
      added_by: by,
      created_at: isoTime(t, 1020),
    });
  }

  // ------------------------------------------------------------------------------- allocation

  teamFor(fn: TeamFunction): Team {
    const staff = this.ctx.staff;
    const locality = this.h.hood.locality;
    switch (fn) {
      case 'front_door':
        return this.r.pick(staff.frontDoor);
      case 'children_in_care':
        return this.r.pick(staff.childrenInCare);
      case 'leaving_care':
        return this.r.pick(staff.leavingCare);
      default: {
        const teams = staff.byLocality[fn][locality] ?? staff.byLocality[fn][0] ?? [];
        return this.r.pick(teams);
      }
    }
  }

  /** Allocates the child to a team of this function from day t (a transfer if the function changes); returns the worker. */
  allocate(ep: Episode, fn: TeamFunction, t: Day): string {
    this.advanceWorkers(ep, t);
    if (ep.alloc && ep.alloc.fn === fn) return ep.alloc.worker;
    const team = this.teamFor(fn);
    this.startAllocation(ep, fn, team, t, ep.alloc ? 'TSPROC' : null);
    return ep.alloc?.worker ?? team.managerId;
  }

  startAllocation(ep: Episode, fn: TeamFunction, team: Team, t: Day, reason: string | null): void {
    if (ep.alloc) ep.alloc.row['ended_at'] = isoTime(t, 540);
    const worker = this.r.pick(team.workerIds);
    // Help starting again after an earlier episode: the child's circumstances changed (SW_REASON).
    const why = reason ?? (this.hadWorker ? 'CHCHAN' : null);
    this.hadWorker = true;
    const row: Row = {
      id: this.r.uuid(),
      person_id: this.child.id,
      team_id: team.id,
      worker_user_id: worker,
      started_at: isoTime(t, 570),
      ended_at: null,
      episode_id: ep.id,
      is_lead: true,
      practitioner_role: ROLE_OF[fn],
      change_reason: why,
      change_note: why ? (WORKER_CHANGE_NOTES[why] ?? null) : null,
      allocated_by: team.managerId,
    };
    ep.rows.allocations.push(row);
    ep.alloc = {
      row,
      fn,
      team,
      worker,
      nextChange: t + Math.max(30, Math.round(this.r.exponential(P.workerChangeDays))),
    };
  }

  /** Worker changes within the team up to day t. */
  advanceWorkers(ep: Episode, t: Day): void {
    while (ep.alloc && ep.alloc.nextChange < t && ep.alloc.nextChange <= this.R) {
      const { fn, team, nextChange } = ep.alloc;
      this.startAllocation(ep, fn, team, nextChange, this.r.weighted(WORKER_CHANGE_REASONS));
    }
  }

  // ------------------------------------------------------------------------------- family help

  familyHelp(ep: Episode, t: Day): Day {
    const r = this.r;
    const duration = Math.max(30, Math.round(r.gamma(2, P.familyHelpDurationMean)));
    const planStart = t + 3 + r.int(12);
    let end = t + duration;
    const stepUp = r.chance(clamp(P.familyHelpStepUp * this.severity, 0.6));
    const stepUpDay = t + Math.round(duration * r.uniform(0.15, 0.9));
    if (stepUp) end = stepUpDay;
    if (this.eighteen < end) end = this.eighteen;
    // A family help assessment, with the family, authorised by the manager.
    const assessStart = t + 1 + r.int(7);
    const assessDone = plusWorkingDays(assessStart, 8 + r.int(20));
    if (assessStart <= this.R) this.familyHelpAssessment(ep, assessStart, assessDone);
    const plan =
      planStart <= this.R && planStart < end ? this.plan(ep, 'family_help', planStart, null) : null;
    if (end > this.R) {
      if (plan) this.reviews(ep, plan, planStart, this.R, 91, 'continue');
      return this.leaveOpen(ep);
    }
    if (plan)
      this.endPlan(
        ep,
        plan,
        planStart,
        end,
        stepUp ? 'step_up' : 'end_plan',
        stepUp ? 'Stepped up to children’s social care.' : 'The family’s goals were met.',
      );
    if (stepUp && end === stepUpDay) {
      this.move(
        ep,
        'assessment',
        end,
        'Stepped up from family help: a child and family assessment is needed.',
        {
          source: '5D',
          need: r.weighted(PRIMARY_NEEDS),
          requestId: null,
        },
      );
      return this.referral(ep, end, r.chance(0.1 * this.severity));
    }
    return this.close(
      ep,
      end,
      'RC7',
      end === this.eighteen ? 'Turned 18.' : 'Family help ended: the family’s goals were met.',
    );
  }

  familyHelpAssessment(ep: Episode, start: Day, done: Day): void {
    const r = this.r;
    const completed = done <= this.R;
    const team = ep.alloc?.team;
    ep.rows.assessments.push({
      id: r.uuid(),
      episode_id: ep.id,
      person_id: this.child.id,
      cin_referral_id: null,
      kind: 'family_help',
      status: completed ? 'authorised' : 'in_progress',
      started_on: isoDay(start),
      due_on: isoDay(plusWorkingDays(start, 30)),
      completed_on: completed ? isoDay(done) : null,
      authorised_on: completed ? isoDay(done) : null,
      authorised_by: completed ? (team?.managerId ?? null) : null,
      child_seen: true,
      family_account: r.pick(T.FAMILY_ACCOUNTS),
      child_views: r.pick(T.CHILD_WORDS),
      professional_analysis: r.pick(T.ANALYSES),
      outcome: completed ? 'family_help' : null,
      created_by: ep.alloc?.worker ?? null,
      created_at: isoTime(start, 600),
      updated_at: isoTime(Math.min(done, this.R), 600),
    });
  }

  // ------------------------------------------------------------------------------- referral and assessment

  /** A referral to children's social care on t (the episode is in assessment). Returns when the help ended. */
  referral(ep: Episode, t: Day, viaStrategy: boolean): Day {
    const r = this.r;
    const s = this.severity;
    if (!viaStrategy && r.chance(P.referralNfa)) {
      if (ep.cin) ep.cin['referral_nfa'] = true;
      this.closeCin(ep, t, 'RC8');
      return this.close(ep, t, 'RC8', 'No further action after the referral was considered.');
    }
    const assessStart = plusWorkingDays(t, r.int(3));
    const duration = assessmentWorkingDays(r);
    const authorised = plusWorkingDays(assessStart, duration);
    const history = this.cpPlans > 0 ? P.previousPlanBoost : 1;
    const s47 = viaStrategy
      ? r.chance(P.strategyToS47)
      : r.chance(clamp(P.s47DuringAssessment * s * history, 0.85));
    if (!viaStrategy && !s47 && r.chance(clamp(P.careAtReferral * s * this.careFactor(t), 0.6))) {
      const day = t + r.int(3);
      this.assessmentRow(ep, assessStart, 'looked_after', authorised <= this.R, authorised);
      return this.care(ep, day, 'referral');
    }
    if (viaStrategy || s47) {
      const held = t + (viaStrategy ? r.int(2) : Math.min(duration, 2 + r.int(20)));
      if (held > this.R) {
        this.assessmentRow(ep, assessStart, 'strategy_discussion', false, authorised);
        return this.leaveOpen(ep);
      }
      const outcome = this.section47(ep, held, s47);
      const assessmentOutcome =
        outcome.next === 'cp'
          ? 'strategy_discussion'
          : outcome.next === 'cin'
            ? 'child_in_need_plan'
            : outcome.next === 'care'
              ? 'looked_after'
              : 'no_further_action';
      const assessEnd = Math.max(authorised, outcome.day);
      this.assessmentRow(ep, assessStart, assessmentOutcome, assessEnd <= this.R, assessEnd);
      if (outcome.day > this.R) return this.leaveOpen(ep);
      switch (outcome.next) {
        case 'cp':
          return this.childProtection(ep, outcome.day, outcome.conferenceId);
        case 'cin':
          return this.childInNeed(
            ep,
            outcome.day,
            'Section 47 enquiry complete: help from a child in need plan.',
          );
        case 'care':
          return this.care(ep, outcome.day, 'referral');
        default:
          return this.notInNeed(ep, Math.max(authorised, outcome.day), true);
      }
    }
    if (authorised > this.R) {
      this.assessmentRow(ep, assessStart, null, false, authorised);
      return this.leaveOpen(ep);
    }
    if (r.chance(clamp(P.careAfterAssessment * s * this.careFactor(authorised), 0.6))) {
      this.assessmentRow(ep, assessStart, 'looked_after', true, authorised);
      return this.care(ep, authorised, 'assessment');
    }
    if (r.chance(P.notInNeed)) {
      const toFamilyHelp = r.chance(P.notInNeedToFamilyHelp);
      this.assessmentRow(
        ep,
        assessStart,
        toFamilyHelp ? 'family_help' : 'no_further_action',
        true,
        authorised,
      );
      return this.notInNeed(ep, authorised, false, toFamilyHelp);
    }
    this.assessmentRow(ep, assessStart, 'child_in_need_plan', true, authorised);
    return this.childInNeed(ep, authorised, 'Assessment complete: help from a child in need plan.');
  }

  /** Assessed and not in need: closed (RC8) or stepped down to family help (RC9). */
  notInNeed(
    ep: Episode,
    t: Day,
    afterS47: boolean,
    toFamilyHelp = this.r.chance(P.notInNeedToFamilyHelp),
  ): Day {
    if (t > this.R) return this.leaveOpen(ep);
    // RC8 and RC9 mean "closed after assessment": after a section 47 enquiry the census reason is RC7.
    if (afterS47) this.closeCin(ep, t, 'RC7');
    if (toFamilyHelp && t < this.eighteen) {
      this.move(
        ep,
        'family_help',
        t,
        afterS47
          ? 'Section 47 enquiry complete: family help offered.'
          : 'Assessment complete: family help offered.',
      );
      return this.familyHelpContinuation(ep, t);
    }
    this.closeCin(ep, t, 'RC8');
    return this.close(
      ep,
      t,
      'RC8',
      afterS47
        ? 'Section 47 enquiry complete: no further action.'
        : 'Assessment complete: no further action.',
    );
  }

  familyHelpContinuation(ep: Episode, t: Day): Day {
    const end = Math.min(
      t + Math.max(30, Math.round(this.r.gamma(2, P.familyHelpDurationMean * 0.8))),
      this.eighteen,
    );
    const planStart = t + 5 + this.r.int(10);
    const plan =
      planStart <= this.R && planStart < end ? this.plan(ep, 'family_help', planStart, null) : null;
    if (end > this.R) {
      if (plan) this.reviews(ep, plan, planStart, this.R, 91, 'continue');
      return this.leaveOpen(ep);
    }
    if (plan) this.endPlan(ep, plan, planStart, end, 'end_plan', 'The family’s goals were met.');
    return this.close(ep, end, 'RC7', 'Family help ended: the family’s goals were met.');
  }

  assessmentRow(
    ep: Episode,
    start: Day,
    outcome: string | null,
    completed: boolean,
    authorisedOn?: Day,
  ): void {
    const r = this.r;
    if (start > this.R) return;
    const id = r.uuid();
    const done = completed && authorisedOn !== undefined && authorisedOn <= this.R ? authorisedOn : null;
    const completedOn = done === null ? null : r.chance(0.7) ? done : Math.max(start, done - r.int(3));
    ep.rows.assessments.push({
      id,
      episode_id: ep.id,
      person_id: this.child.id,
      cin_referral_id: ep.cin?.['id'] ?? null,
      kind: 'child_and_family',
      status: done === null ? 'in_progress' : 'authorised',
      started_on: isoDay(start),
      due_on: isoDay(plusWorkingDays(start, 45)),
      completed_on: completedOn === null ? null : isoDay(completedOn),
      authorised_on: done === null ? null : isoDay(done),
      authorised_by: done === null ? null : (ep.alloc?.team.managerId ?? null),
      child_seen: r.chance(0.96),
      family_account: r.pick(T.FAMILY_ACCOUNTS),
      child_views: this.age(start) >= 4 ? r.pick(T.CHILD_WORDS) : null,
      professional_analysis: r.pick(T.ANALYSES),
      outcome: done === null ? null : outcome,
      created_by: ep.alloc?.worker ?? null,
      created_at: isoTime(start, 600),
      updated_at: isoTime(done ?? start, 600),
    });
    if (done !== null) {
      let any = false;
      for (const [code, p] of FACTORS) {
        if (code === '9A' ? this.child.uasc : r.next() < p) {
          ep.rows.assessment_factors.push({ assessment_id: id, factor: code });
          any = true;
        }
      }
      if (!any) ep.rows.assessment_factors.push({ assessment_id: id, factor: this.child.uasc ? '9A' : '20' });
      if (r.chance(0.45)) {
        for (const area of ['income', 'debt', 'housing', 'food', 'fuel', 'digital'] as const) {
          const need = r.chance(area === 'income' ? 0.5 : area === 'digital' ? 0.15 : 0.3);
          ep.rows.assessment_circumstances.push({
            assessment_id: id,
            area,
            need_identified: need,
            detail: need ? circumstanceDetail(area) : null,
          });
        }
      }
    } else if (!completed && start <= this.R && authorisedOn !== undefined) {
      ep.rows.tasks.push({
        id: r.uuid(),
        organisation_id: this.ctx.organisationId,
        person_id: this.child.id,
        episode_id: ep.id,
        kind: 'complete_assessment',
        title: 'Complete the child and family assessment',
        due_on: isoDay(plusWorkingDays(start, 45)),
        assigned_user_id: ep.alloc?.worker ?? null,
        assigned_team_id: ep.alloc?.team.id ?? null,
        source_type: 'assessment',
        source_id: id,
        completed_at: null,
        completed_by: null,
        created_at: isoTime(start, 600),
      });
    }
  }

  // ------------------------------------------------------------------------------- protection

  /**
   * A strategy discussion on t and, if it decides so, a section 47 enquiry and perhaps an initial
   * child protection conference. Returns what happens next and when.
   */
  section47(
    ep: Episode,
    t: Day,
    enquiry: boolean,
  ): { next: 'cp' | 'cin' | 'nfa' | 'care'; day: Day; s47Id: string | null; conferenceId: string | null } {
    const r = this.r;
    const by = ep.alloc?.worker ?? null;
    const strategyId = r.uuid();
    const agencies = r.pick(T.STRATEGY_AGENCIES);
    ep.rows.strategy_discussions.push({
      id: strategyId,
      episode_id: ep.id,
      person_id: this.child.id,
      held_on: isoDay(t),
      agencies,
      decision: enquiry ? 'section47' : 'no_section47',
      reason: enquiry
        ? 'There is reasonable cause to suspect the child is suffering, or likely to suffer, significant harm.'
        : 'The threshold for a section 47 enquiry is not met; the assessment continues.',
      recorded_by: by,
      created_at: isoTime(t, 720),
    });
    this.contributions(ep, strategyId, agencies, t);
    this.chronology(
      ep,
      t,
      'strategy.held',
      enquiry
        ? 'A strategy discussion decided to start a section 47 enquiry.'
        : 'A strategy discussion was held.',
      by,
    );
    if (!enquiry) {
      return {
        next: r.chance(0.5) ? 'cin' : 'nfa',
        day: plusWorkingDays(t, 10 + r.int(25)),
        s47Id: null,
        conferenceId: null,
      };
    }
    const s47Id = r.uuid();
    const icpcTarget = plusWorkingDays(t, 15);
    const icpc = r.chance(P.icpcPerS47);
    const completed = plusWorkingDays(t, 5 + r.int(10));
    const u = r.next();
    const icpcDay = plusWorkingDays(t, u < 0.5 ? 5 + r.int(10) : u < 0.814 ? 14 + r.int(2) : 16 + r.int(20));
    const done = Math.min(completed, icpc ? icpcDay : completed);
    const s47Row: Row = {
      id: s47Id,
      episode_id: ep.id,
      person_id: this.child.id,
      cin_referral_id: ep.cin?.['id'] ?? null,
      strategy_discussion_id: strategyId,
      started_on: isoDay(t),
      completed_on: done <= this.R ? isoDay(done) : null,
      icpc_target_on: isoDay(icpcTarget),
      icpc_not_required: done <= this.R ? !icpc : null,
      outcome: done <= this.R ? (icpc ? 'initial_conference' : null) : null,
      created_at: isoTime(t, 720),
      updated_at: isoTime(Math.min(done, this.R), 720),
    };
    ep.rows.section47_enquiries.push(s47Row);
    if (done <= this.R) {
      s47Row['findings'] = this.d.pick(T.S47_FINDINGS);
      s47Row['outcome_recorded_by'] = by;
    }
    if (!icpc) {
      const nfa = r.chance(P.s47NoIcpcNfa);
      if (done <= this.R) {
        s47Row['outcome'] = nfa ? 'no_further_action' : 'continue_child_in_need';
        s47Row['continue_with'] = nfa ? null : 'child_in_need';
      }
      return { next: nfa ? 'nfa' : 'cin', day: done, s47Id, conferenceId: null };
    }
    if (icpcDay > this.R) return { next: 'cp', day: icpcDay, s47Id, conferenceId: null };
    const plan = r.chance(P.cppPerIcpc);
    const conferenceId = r.uuid();
    const initial: Row = {
      id: conferenceId,
      episode_id: ep.id,
      person_id: this.child.id,
      section47_id: s47Id,
      plan_id: null,
      kind: 'initial',
      held_on: isoDay(icpcDay),
      quorate: true,
      outcome_plan: plan,
      category: null,
      family_view: r.pick(T.REVIEW_FAMILY_VIEWS),
      participation: this.participation(icpcDay),
      created_at: isoTime(icpcDay, 780),
    };
    ep.rows.conferences.push(initial);
    this.conferenceDetail(ep, initial, icpcDay, plan ? 'plan' : 'no_plan');
    // A family group conference or family network meeting is offered at (almost) every initial conference.
    if (this.d.chance(0.85)) this.familyMeeting(ep, icpcDay, conferenceId);
    this.chronology(
      ep,
      icpcDay,
      'conference.initial',
      plan
        ? 'An initial child protection conference agreed a child protection plan.'
        : 'An initial child protection conference was held: no plan needed.',
      by,
    );
    return { next: plan ? 'cp' : 'cin', day: icpcDay, s47Id, conferenceId: plan ? conferenceId : null };
  }

  childProtection(ep: Episode, t: Day, conferenceId: string | null): Day {
    const r = this.r;
    if (t >= this.eighteen) return this.close(ep, t, 'RC7', 'Turned 18.');
    this.move(
      ep,
      'child_protection',
      t,
      'An initial child protection conference agreed a child protection plan.',
    );
    const category = r.weighted(CPP_CATEGORIES);
    const plan = this.plan(ep, 'child_protection', t, category);
    this.cpPlans += 1;
    if (conferenceId) {
      const conference = ep.rows.conferences.find((row) => row['id'] === conferenceId);
      if (conference) {
        conference['plan_id'] = plan['id'];
        conference['category'] = category;
      }
    }
    let end = t + Math.max(14, Math.round(cpDuration(r) * P.cpDurationScale));
    if (end > this.eighteen) end = this.eighteen;
    // Review conferences: three months after the initial conference, then every six months.
    for (let day = t + 91; day < end && day <= this.R; day += 182) {
      const review: Row = {
        id: r.uuid(),
        episode_id: ep.id,
        person_id: this.child.id,
        section47_id: null,
        plan_id: plan['id'],
        kind: 'review',
        held_on: isoDay(day),
        quorate: true,
        outcome_plan: true,
        category: plan['latest_category'],
        family_view: r.pick(T.REVIEW_FAMILY_VIEWS),
        participation: this.participation(day),
        created_at: isoTime(day, 780),
      };
      ep.rows.conferences.push(review);
      this.conferenceDetail(ep, review, day, 'continue');
    }
    this.coreGroups(ep, plan, t, end);
    if (r.chance(0.08)) plan['latest_category'] = r.weighted(CPP_CATEGORIES);
    if (end > this.R) {
      plan['next_review_on'] = isoDay(this.R + 1 + r.int(150));
      return this.leaveOpen(ep);
    }
    const u = r.next();
    const toCare = u < clamp(P.cpToCare * this.careFactor(end), 0.9);
    this.endPlan(
      ep,
      plan,
      t,
      end,
      toCare ? 'step_up' : 'end_plan',
      toCare ? 'The child became looked after.' : 'The child is no longer at risk of significant harm.',
      false,
    );
    if (end >= this.eighteen) return this.close(ep, end, 'RC7', 'Turned 18.');
    if (toCare) return this.care(ep, end, 'cp');
    if (r.chance(P.cpToCin))
      return this.childInNeed(
        ep,
        end,
        'The child protection plan ended: help continues with a child in need plan.',
      );
    return this.close(ep, end, 'RC7', 'The child protection plan ended: no further help needed.');
  }

  childInNeed(ep: Episode, t: Day, reason: string): Day {
    const r = this.r;
    if (t >= this.eighteen) return this.close(ep, t, 'RC7', 'Turned 18.');
    this.move(ep, 'child_in_need', t, reason);
    const plan = this.plan(ep, 'child_in_need', t, null);
    let end = t + Math.max(28, Math.round(r.gamma(1.6, P.cinDurationMean)));
    const history = this.cpPlans > 0 ? P.previousPlanBoost : 1;
    const s47At = t + Math.round(r.exponential(DAYS_PER_YEAR / (P.cinS47Hazard * this.severity * history)));
    const careAt =
      t + Math.round(r.exponential(DAYS_PER_YEAR / (P.cinCareHazard * this.severity * this.careFactor(t))));
    let next: 'end' | 's47' | 'care' = 'end';
    if (s47At < end) {
      end = s47At;
      next = 's47';
    }
    if (careAt < end) {
      end = careAt;
      next = 'care';
    }
    if (end >= this.eighteen) {
      end = this.eighteen;
      next = 'end';
    }
    if (r.chance(P.cinReassessment)) {
      // An updated child and family assessment while the plan runs.
      const start = t + 60 + r.int(140);
      const stop = Math.min(end, this.R);
      if (start < stop) {
        const done = Math.min(plusWorkingDays(start, assessmentWorkingDays(r)), stop);
        this.assessmentRow(ep, start, 'child_in_need_plan', done <= this.R, done);
      }
    }
    if (end > this.R) {
      this.reviews(ep, plan, t, this.R, 91, 'continue');
      plan['next_review_on'] = isoDay(this.R + 1 + r.int(90));
      return this.leaveOpen(ep);
    }
    if (next === 's47') {
      const outcome = this.section47(ep, end, r.chance(0.9));
      if (outcome.day > this.R) {
        this.reviews(ep, plan, t, this.R, 91, 'continue');
        return this.leaveOpen(ep);
      }
      if (outcome.next === 'cp') {
        this.endPlan(ep, plan, t, outcome.day, 'step_up', 'A child protection plan replaced this plan.');
        return this.childProtection(ep, outcome.day, outcome.conferenceId);
      }
      // No conference: the child in need plan carries on for a while.
      const rest = outcome.day + Math.max(28, Math.round(r.gamma(1.6, P.cinDurationMean * 0.6)));
      const restEnd = Math.min(rest, this.eighteen);
      if (restEnd > this.R) {
        this.reviews(ep, plan, t, this.R, 91, 'continue');
        return this.leaveOpen(ep);
      }
      this.endPlan(ep, plan, t, restEnd, 'end_plan', 'The plan’s goals were met.');
      return this.endOfHelp(ep, restEnd);
    }
    if (next === 'care') {
      this.endPlan(ep, plan, t, end, 'step_up', 'The child became looked after.');
      return this.care(ep, end, 'cin');
    }
    this.endPlan(ep, plan, t, end, 'end_plan', 'The plan’s goals were met.');
    return this.endOfHelp(ep, end);
  }

  /** A child in need plan has ended: step down to family help, or close. */
  endOfHelp(ep: Episode, t: Day): Day {
    if (t >= this.eighteen) return this.close(ep, t, disabled(this.child) ? 'RC6' : 'RC7', 'Turned 18.');
    if (this.r.chance(P.cinEndToFamilyHelp)) {
      this.move(ep, 'family_help', t, 'Child in need plan ended: family help continues.');
      return this.familyHelpContinuation(ep, t);
    }
    return this.close(ep, t, 'RC7', 'Child in need plan ended: no further help needed.');
  }

  // ------------------------------------------------------------------------------- plans

  plan(ep: Episode, kind: string, t: Day, category: string | null): Row {
    const r = this.r;
    const id = r.uuid();
    const interval =
      kind === 'child_protection' ? 182 : kind === 'care' ? 182 : kind === 'pathway' ? 182 : 91;
    const row: Row = {
      id,
      episode_id: ep.id,
      person_id: this.child.id,
      cin_referral_id: kind === 'family_help' ? null : (ep.cin?.['id'] ?? null),
      kind,
      status: 'active',
      started_on: isoDay(t),
      ended_on: null,
      end_reason: null,
      review_interval_days: interval,
      next_review_on: null,
      family_words: r.pick(T.REVIEW_FAMILY_VIEWS),
      child_words: this.age(t) >= 4 ? r.pick(T.CHILD_WORDS) : null,
      initial_category: category,
      latest_category: category,
      created_by: ep.alloc?.worker ?? null,
      created_at: isoTime(t, 840),
      updated_at: isoTime(t, 840),
    };
    ep.rows.plans.push(row);
    const goals = 2 + r.int(2);
    for (let position = 1; position <= goals; position += 1) {
      const [goal, who] = r.pick(T.GOALS);
      ep.rows.plan_goals.push({
        id: r.uuid(),
        plan_id: id,
        position,
        goal,
        who,
        by_when: isoDay(t + 60 + r.int(120)),
        progress: 'in_progress',
        created_at: isoTime(t, 840),
        updated_at: isoTime(t, 840),
      });
    }
    if (kind === 'child_protection')
      this.chronology(ep, t, 'plan.started', 'A child protection plan started.', ep.alloc?.worker ?? null);
    return row;
  }

  /** Reviews of a plan from its start to `until` (not a CP plan: those are reviewed at conferences). */
  reviews(
    ep: Episode,
    plan: Row,
    start: Day,
    until: Day,
    interval: number,
    last: 'continue' | 'end_plan' | 'step_up' | 'step_down',
  ): void {
    if (plan['kind'] === 'child_protection') return;
    const r = this.r;
    const days: Day[] = [];
    for (let day = start + interval; day < until && day <= this.R; day += interval) days.push(day);
    if (last !== 'continue' && until <= this.R) days.push(until);
    days.forEach((d, i) => {
      const final = i === days.length - 1 && last !== 'continue';
      ep.rows.plan_reviews.push({
        id: r.uuid(),
        plan_id: plan['id'],
        reviewed_on: isoDay(d),
        family_view: r.pick(T.REVIEW_FAMILY_VIEWS),
        child_view: this.age(d) >= 4 ? r.pick(T.REVIEW_CHILD_VIEWS) : null,
        progress_summary: r.pick(T.PROGRESS),
        decision: final ? last : 'continue',
        next_review_on: final ? null : isoDay(d + interval),
        participation: null,
        recorded_by: ep.alloc?.worker ?? null,
        created_at: isoTime(d, 900),
      });
    });
    if (last === 'continue') plan['next_review_on'] = isoDay((days[days.length - 1] ?? start) + interval);
  }

  endPlan(
    ep: Episode,
    plan: Row,
    start: Day,
    end: Day,
    last: 'end_plan' | 'step_up' | 'step_down',
    reason: string,
    reviews = true,
  ): void {
    if (reviews) this.reviews(ep, plan, start, end, Number(plan['review_interval_days'] ?? 91), last);
    plan['status'] = 'ended';
    plan['ended_on'] = isoDay(end);
    plan['end_reason'] = reason;
    plan['next_review_on'] = null;
    plan['updated_at'] = isoTime(end, 900);
  }

  participation(day: Day): string {
    if (this.age(day) < 4) return 'PN0';
    return this.r.weighted({ PN1: 48, PN2: 8, PN3: 6, PN4: 5, PN5: 11, PN6: 14, PN7: 8 });
  }

  // ------------------------------------------------------------------------------- care

  /**
   * A period of care from day t: legal statuses, placements, reviews, missing episodes, and what
   * follows it (home, adoption, special guardianship, leaving care at 18).
   */
  care(ep: Episode, t: Day, how: 'referral' | 'assessment' | 'cin' | 'cp' | 'uasc'): Day {
    const r = this.r;
    const R = this.R;
    if (t > R) return this.leaveOpen(ep);
    if (t >= this.eighteen) return this.close(ep, t, 'RC7', 'Turned 18.');
    const age = this.age(t);
    const route = how === 'uasc' ? 'uasc' : careRoute(r, age);
    this.move(
      ep,
      'looked_after',
      t,
      how === 'uasc' ? 'Accommodated: an unaccompanied child seeking asylum.' : 'Became looked after.',
    );
    // Legal statuses and the day care ends, by route.
    const legal: [string, Day][] = [];
    let end: Day;
    let ceased: string;
    let adoption: Adoption | null = null;
    // Police protection or an emergency protection order first, for some children.
    const emergency = route !== 'remand' && route !== 'uasc' ? r.next() : 1;
    let main: Day = t;
    if (emergency < (how === 'referral' ? 0.35 : 0.08)) {
      legal.push(['L1', t]);
      main = t + 1 + r.int(3);
    } else if (emergency < (how === 'referral' ? 0.39 : 0.095)) {
      legal.push(['L2', t]);
      main = t + 3 + r.int(6);
    }
    switch (route) {
      case 'uasc': {
        legal.push(['V2', main]);
        if (r.chance(0.1)) {
          end = t + 20 + r.int(200);
          ceased = r.chance(0.6) ? 'E15' : 'E8';
        } else {
          end = this.eighteen;
          ceased = 'E18';
        }
        break;
      }
      case 'remand': {
        legal.push(['J1', main]);
        end = t + 14 + r.int(110);
        ceased = 'E14';
        break;
      }
      case 'adoption': {
        const order = main + 200 + r.int(220);
        legal.push(['C1', main]);
        if (r.chance(0.12)) {
          // The adoption plan changed: a care order and long-term fostering instead.
          legal.push(['C2', order]);
          end = this.eighteen;
          ceased = 'E18';
        } else {
          legal.push(['E1', order]);
          const placed = order + 60 + r.int(200);
          const adopted = placed + 120 + r.int(200);
          adoption = { decision: order - 60 - r.int(60), order, placed, adopted };
          end = adopted;
          ceased = r.chance(0.7) ? 'E11' : 'E12';
        }
        break;
      }
      case 'sgo': {
        legal.push([r.chance(0.85) ? 'C1' : 'V2', main]);
        end = main + 180 + r.int(360);
        ceased = r.weighted({ E45: 35, E47: 45, E46: 10, E48: 10 });
        break;
      }
      case 'rehab': {
        const order = r.chance(age >= 12 ? 0.2 : 0.35);
        legal.push([order ? 'C1' : 'V2', main]);
        end = main + Math.max(5, Math.round(r.logNormal(order ? 300 : 130, 1.0)));
        ceased = r.weighted({ E4A: 72, E4B: 8, E13: 12, E41: 8 });
        if (order && end - main > 330) legal.push(['C2', main + 240 + r.int(90)]);
        break;
      }
      default: {
        const orderShare = age < 10 ? 0.6 : age < 16 ? 0.4 : 0.1;
        if (r.chance(orderShare)) {
          legal.push(['C1', main]);
          legal.push(['C2', main + 180 + r.int(240)]);
        } else {
          legal.push(['V2', main]);
          if (age < 16 && r.chance(0.9)) {
            const ico = main + 30 + r.int(170);
            legal.push(['C1', ico]);
            legal.push(['C2', ico + 180 + r.int(240)]);
          }
        }
        end = this.eighteen;
        ceased = 'E18';
        // Some long-term arrangements end early.
        const early = t + Math.round(r.exponential(DAYS_PER_YEAR / 0.03));
        if (early < end) {
          end = early;
          ceased = r.weighted({ E4B: 40, E13: 30, E8: 20, E41: 10 });
        }
      }
    }
    if (end >= this.eighteen) {
      end = this.eighteen;
      ceased = 'E18';
    }
    const period = this.carePeriod(ep, t, end, ceased, how, route);
    const periodId = String(period['id']);
    // Before an application to court for a care order, the family are offered a family network meeting.
    if ((how === 'cp' || how === 'cin') && legal[0]?.[0] === 'C1' && this.d.chance(0.8))
      this.familyMeeting(ep, Math.max(ep.startedOn, t - 30 - this.d.int(60)), null);
    // Legal statuses in order, each ending when the next starts.
    const statuses = legal.filter(([, from]) => from <= R && from < Math.max(end, t + 1));
    statuses.forEach(([code, from], i) => {
      const next = statuses[i + 1];
      const to = next ? next[1] : end <= R ? end : null;
      ep.rows.legal_statuses.push({
        id: r.uuid(),
        care_period_id: periodId,
        code,
        started_on: isoDay(from),
        ended_on: to === null ? null : isoDay(to),
      });
    });
    this.placements(ep, periodId, t, end, age, route, adoption, legal);
    // Care plan and its statutory reviews.
    const plan = this.plan(ep, 'care', t, null);
    period['care_plan_id'] = plan['id'];
    this.careReviews(ep, plan, t, end, periodId, route);
    this.educationPlans(ep, periodId, t, Math.min(end, R));
    if (end <= R) {
      plan['status'] = 'ended';
      plan['ended_on'] = isoDay(end);
      plan['end_reason'] = 'The period of care ended.';
    } else {
      plan['next_review_on'] = isoDay(R + 1 + r.int(180));
    }
    this.missing(ep, periodId, t, Math.min(end, R));
    this.healthChecks(ep, t, Math.min(end, R));
    if (adoption) {
      ep.rows.permanence_decisions.push({
        id: r.uuid(),
        person_id: this.child.id,
        care_period_id: periodId,
        // The decision is made while the child is looked after.
        decision_on: isoDay(Math.min(Math.max(adoption.decision, t), R)),
        placement_order_on: adoption.order <= R ? isoDay(adoption.order) : null,
        matched_on: adoption.placed - 14 <= R ? isoDay(adoption.placed - 14) : null,
        placed_on: adoption.placed <= R ? isoDay(adoption.placed) : null,
        order_on: adoption.adopted <= R ? isoDay(adoption.adopted) : null,
        ...adopters(this.d, adoption.byFosterCarers),
        created_at: isoTime(Math.min(adoption.decision, R), 600),
      });
    }
    if (end > R) return this.leaveOpen(ep);
    // What follows care.
    if (ceased === 'E18') return this.leavingCare(ep, end, t);
    if (ceased === 'E11' || ceased === 'E12') {
      this.adopted = true;
      return this.close(ep, end, 'RC1', 'Adopted.');
    }
    if (ceased === 'E4A' || ceased === 'E4B' || ceased === 'E13' || ceased === 'E14') {
      if (r.chance(0.6))
        return this.childInNeed(ep, end, 'Returned home: help continues with a child in need plan.');
      return this.close(ep, end, 'RC7', 'Returned home; no further help needed.');
    }
    if (ceased === 'E41') return this.close(ep, end, 'RC3', 'A child arrangements order was made.');
    if (['E45', 'E46', 'E47', 'E48'].includes(ceased))
      return this.close(ep, end, 'RC4', 'A special guardianship order was made.');
    return this.close(ep, end, 'RC7', 'The period of care ended.');
  }

  carePeriod(ep: Episode, t: Day, end: Day, ceased: string, how: string, route: string): Row {
    const R = this.R;
    const need =
      how === 'uasc' ? 'N8' : this.r.weighted({ N1: 67, N5: 12, N4: 8, N8: 5, N2: 3, N3: 3, N6: 2 });
    const row: Row = {
      id: this.r.uuid(),
      episode_id: ep.id,
      person_id: this.child.id,
      started_on: isoDay(t),
      ended_on: end <= R ? isoDay(end) : null,
      category_of_need: need,
      reason_ceased: end <= R ? (ceased === 'E18' ? this.leavingReason() : ceased) : null,
      home_postcode: this.child.uasc ? null : this.h.address.postcode.postcode,
      // SSDA903 PrevPerm: generated children were never in a permanent arrangement before care.
      previous_permanence: 'Z1',
      permanence_plan:
        route === 'adoption'
          ? 'adoption'
          : route === 'sgo'
            ? 'sgo_cao'
            : route === 'rehab'
              ? 'return_to_family'
              : route === 'uasc'
                ? 'supported_living'
                : 'long_term_fostering',
      created_at: isoTime(t, 900),
      updated_at: isoTime(Math.min(end, R), 900),
    };
    ep.rows.care_periods.push(row);
    return row;
  }

  leavingReason(): string {
    return this.r.weighted({ E17: 30, E5: 40, E6: 5, E8: 25 });
  }

  placements(
    ep: Episode,
    periodId: string,
    t: Day,
    end: Day,
    age: number,
    route: string,
    adoption: Adoption | null,
    legal: readonly [string, Day][],
  ): void {
    const r = this.r;
    const R = this.R;
    const stop = Math.min(end, R + 1);
    // Fixed changes: placed for adoption; home to parents on a care order near the end; supported accommodation at 16.
    const fixed: [Day, string][] = [];
    if (adoption && adoption.placed < end) {
      // A5: placed with their current foster carers (who then adopt); A6: with new adopters.
      adoption.byFosterCarers = r.chance(0.15);
      fixed.push([adoption.placed, adoption.byFosterCarers ? 'A5' : 'A6']);
    }
    // Placed with parents only on a care order (SSDA903 378: never while accommodated under section 20),
    // and only when no section 20 status follows while they are home.
    const onOrderFrom = (day: Day): boolean => {
      const status = legal.filter(([, from]) => from <= day).at(-1)?.[0];
      return (
        (status === 'C1' || status === 'C2') && !legal.some(([code, from]) => code === 'V2' && from > day)
      );
    };
    if (route === 'rehab' && r.chance(0.8)) {
      const home = t + Math.round((end - t) * r.uniform(0.3, 0.7));
      if (onOrderFrom(home)) fixed.push([home, 'P1']);
    }
    if (route === 'longterm' && r.chance(0.2)) {
      const from = t + Math.round((end - t) * r.uniform(0.3, 0.8));
      if (from < end - 60 && onOrderFrom(from)) fixed.push([from, 'P1']);
    }
    const sixteen = birthday(this.child.dob, 16);
    if ((route === 'longterm' || route === 'uasc') && sixteen > t && sixteen < end && r.chance(0.25))
      fixed.push([sixteen + r.int(200), 'K3']);
    fixed.sort((a, b) => a[0] - b[0]);
    let type =
      route === 'remand'
        ? r.weighted({ K1: 35, U6: 30, K2: 35 })
        : firstPlacement(r, age, route, this.child.uasc);
    let from = t;
    let segment = 0;
    while (from < stop) {
      const inCare = from - t;
      const rate = inCare < 60 ? P.moveHazard[0] : inCare < 365 ? P.moveHazard[1] : P.moveHazard[2];
      let to = from + Math.max(1, Math.round(r.exponential(DAYS_PER_YEAR / rate)));
      let nextType: string | null = null;
      const upcoming = fixed[0];
      if (upcoming && upcoming[0] <= to && upcoming[0] > from) {
        to = upcoming[0];
        nextType = upcoming[1];
        fixed.shift();
        // Adopted by their foster carers only from a foster placement; otherwise by new adopters.
        if (nextType === 'A5' && adoption && !/^U[1-6]$/.test(type)) {
          nextType = 'A6';
          adoption.byFosterCarers = false;
        }
      } else if (upcoming && upcoming[0] <= from) {
        fixed.shift();
        continue;
      }
      if (to >= end) to = end;
      const moved = to < end;
      const lockedIn = type === 'P1' || type.startsWith('A');
      if (lockedIn && moved && nextType === null) {
        // Placed with parents or for adoption: stays until care ends.
        to = end;
      }
      this.placementRow(
        ep,
        periodId,
        type,
        from,
        to <= R ? to : null,
        to < end ? (nextType === 'A5' ? 'OTHER' : this.moveReason()) : null,
        segment,
      );
      if (to >= end || to > R) break;
      type = nextType ?? nextPlacement(r, this.age(to), type, route);
      from = to;
      segment += 1;
    }
  }

  moveReason(): string {
    return this.r.weighted({
      CARPL: 40,
      OTHER: 29,
      CREQB: 9.5,
      CREQO: 8.5,
      CHILD: 4,
      LAREQ: 3,
      CLOSE: 1.5,
      STAND: 1.5,
      ALLEG: 1,
      APPRR: 1,
    });
  }

  placementRow(
    ep: Episode,
    periodId: string,
    type: string,
    from: Day,
    to: Day | null,
    reason: string | null,
    segment: number,
  ): void {
    const r = this.r;
    const provider = placementProvider(r, type);
    const home = this.h.address.postcode;
    const postcode = type === 'P1' && !this.child.uasc ? home : this.placementPostcode(type, provider);
    const kinship = type === 'U1' || type === 'U2' || type === 'U3';
    const carer = kinship
      ? this.h.kin.find((k) => k.role === 'grandparent' || k.role === 'aunt_uncle')
      : undefined;
    // Placed for adoption with their current foster carers: the same carers and home (SSDA903 RNE U).
    const previous = type === 'A5' ? ep.rows.placements.at(-1) : undefined;
    const row: Row = {
      id: r.uuid(),
      care_period_id: periodId,
      placement_type: type,
      provider,
      provider_name: providerName(r, provider, type, this.ctx.laName),
      carer_person_id: carer?.id ?? null,
      postcode: postcode.postcode,
      urn: placementUrn(this.d, type),
      address_hidden_from_family: type !== 'P1' && !kinship,
      started_on: isoDay(from),
      ended_on: to === null ? null : isoDay(to),
      change_reason: reason,
      same_carer_as_previous: false,
      created_at: isoTime(from, 960 + segment),
    };
    if (previous) {
      row['same_carer_as_previous'] = true;
      row['postcode'] = previous['postcode'];
      row['carer_person_id'] = previous['carer_person_id'];
    }
    this.placementDetail(ep, row, type, provider, from, carer);
    ep.rows.placements.push(row);
  }

  /** A postcode for a placement: inside or outside the authority, near or more than 20 miles from home. */
  placementPostcode(type: string, provider: string | null): Postcode {
    const r = this.r;
    const weights = placementLocation(type, provider);
    const want = r.weightedIndex(weights); // 0 inside near, 1 inside far, 2 outside near, 3 outside far
    const home = this.h.address.postcode;
    const far = want === 1 || want === 3;
    const { insidePostcodes, outsideNear, outsideFar } = this.ctx;
    const outside =
      want === 2
        ? outsideNear.length
          ? outsideNear
          : outsideFar
        : outsideFar.length
          ? outsideFar
          : outsideNear;
    const pool = want < 2 || outside.length === 0 ? insidePostcodes : outside;
    let best = r.pick(pool);
    if (home.easting === null || home.northing === null) return best;
    let bestScore = Infinity;
    for (let attempt = 0; attempt < 24; attempt += 1) {
      const candidate = r.pick(pool);
      if (candidate.easting === null || candidate.northing === null) continue;
      const km = Math.hypot(candidate.easting - home.easting, candidate.northing - home.northing) / 1000;
      const ok = far ? km > 32.2 : km <= 32.2;
      if (ok) return candidate;
      const score = far ? 32.2 - km : km - 32.2;
      if (score < bestScore) {
        bestScore = score;
        best = candidate;
      }
    }
    return best;
  }

  careReviews(ep: Episode, plan: Row, t: Day, end: Day, periodId: string, route: Route): void {
    const r = this.r;
    const d = this.d;
    let day = plusWorkingDays(t, 20);
    let gap = 91;
    let sequence = 1;
    let previous: string | null = null;
    // How likely going home is considered at each review, by the route through care.
    const homeLikely =
      route === 'rehab'
        ? 0.85
        : route === 'remand'
          ? 0.6
          : route === 'uasc'
            ? 0
            : route === 'sgo'
              ? 0.1
              : 0.06;
    while (day < end && day <= this.R) {
      const id = r.uuid();
      const considered = d.chance(homeLikely);
      ep.rows.care_reviews.push({
        plan_review_id: id,
        care_period_id: periodId,
        sequence,
        due_on: reviewDueOn(isoDay(t), sequence, previous),
        return_home_considered: considered,
        return_home_steps: d.pick(T.RETURN_HOME_STEPS[considered ? 'considered' : 'not_considered']),
        return_home_family_view: this.child.uasc ? null : d.pick(T.RETURN_HOME_FAMILY_VIEWS),
        created_at: isoTime(day, 900),
      });
      previous = isoDay(day);
      sequence += 1;
      ep.rows.plan_reviews.push({
        id,
        plan_id: plan['id'],
        reviewed_on: isoDay(day),
        family_view: r.pick(T.REVIEW_FAMILY_VIEWS),
        child_view: this.age(day) >= 4 ? r.pick(T.REVIEW_CHILD_VIEWS) : null,
        progress_summary: r.pick(T.PROGRESS),
        decision: 'continue',
        next_review_on: isoDay(day + gap),
        participation: this.participation(day),
        recorded_by: ep.alloc?.worker ?? null,
        created_at: isoTime(day, 900),
      });
      day += gap;
      gap = 182;
    }
  }

  missing(ep: Episode, periodId: string, from: Day, to: Day): void {
    const r = this.r;
    const spells: Row[] = [];
    for (let year = from; year < to; year += 365) {
      if (this.age(year) < 11) continue;
      if (!r.chance(clamp(0.1 * Math.min(this.severity, 3) * (this.age(year) >= 13 ? 1.3 : 0.8), 0.6)))
        continue;
      const count = 1 + r.poisson(3);
      for (let i = 0; i < count; i += 1) {
        const start = year + r.int(365);
        if (start >= to) continue;
        const away = r.chance(0.2);
        const ended = start + r.int(away ? 2 : 4);
        spells.push({
          id: r.uuid(),
          person_id: this.child.id,
          care_period_id: periodId,
          kind: away ? 'A' : 'M',
          started_on: isoDay(start),
          ended_on: ended <= this.R ? isoDay(ended) : null,
          return_interview_offered: away ? null : r.chance(0.9),
          return_interview_accepted: away ? null : r.chance(0.55),
          created_at: isoTime(start, 1200),
        });
      }
    }
    // One spell at a time: a child cannot go missing again before they are back (SSDA903 574).
    spells.sort((a, b) => String(a['started_on']).localeCompare(String(b['started_on'])));
    let back: string | null = '';
    for (const spell of spells) {
      if (back === null || String(spell['started_on']) < back) continue;
      ep.rows.missing_episodes.push(spell);
      back = spell['ended_on'] as string | null;
    }
  }

  // ------------------------------------------------------------------------------- detail (0008, 0009)
  // Everything below draws only from `this.d`, the child's detail stream.

  /**
   * Health while in care (SSDA903 OC2): in each year to 31 March that the child is looked after
   * throughout, a health assessment, a dental check (from age 2), immunisations kept up to date,
   * and from 4 to 16 a Strengths and Difficulties Questionnaire (a score, or the reason there is
   * none). Rates near the national figures (about 90%, 80%, 85%; SDQ for about 80%).
   */
  healthChecks(ep: Episode, from: Day, to: Day): void {
    const d = this.d;
    const push = (kind: string, on: Day, sdq: { score: number | null; reason: string | null } | null) => {
      ep.rows.health_checks.push({
        id: d.uuid(),
        person_id: this.child.id,
        kind,
        on_date: isoDay(on),
        sdq_score: sdq?.score ?? null,
        sdq_reason: sdq?.reason ?? null,
        created_at: isoTime(on, 840),
      });
    };
    // Each year that ends on 31 March: the child in care for the whole of it.
    for (let end = dayOf(`${isoDay(from).slice(0, 4)}-03-31`); end <= to; end = addYears(end, 1)) {
      const start = addYears(end, -1) + 1;
      if (start < from) continue;
      const on = () => start + d.int(end - start + 1);
      if (d.chance(0.9)) push('health_assessment', on(), null);
      if (this.age(end) >= 2 && d.chance(0.8)) push('dental_check', on(), null);
      if (d.chance(0.85)) push('immunisations_up_to_date', on(), null);
      // The SDQ from the year the child turns 4 to the year they turn 17.
      if (this.age(end) >= 4 && this.age(start) < 17) {
        const scored = d.chance(0.8);
        push('sdq', on(), {
          score: scored ? Math.min(40, Math.max(0, Math.round(14 + 6 * d.normal()))) : null,
          reason: scored ? null : d.pick(['SDQ2', 'SDQ3', 'SDQ4', 'SDQ5']),
        });
      }
    }
  }

  /** A fictional professional's or carer's name. */
  someone(pool: NamePool = 'british'): string {
    const d = this.d;
    const names = NAME_POOLS[pool];
    return `${d.pick(d.chance(0.5) ? names.female : names.male)} ${d.pick(names.family)}`;
  }

  /** What each agency said at a strategy discussion, in the order they spoke. */
  contributions(ep: Episode, strategyId: string, agencies: readonly string[], t: Day): void {
    const d = this.d;
    agencies.forEach((name, i) => {
      const agency =
        name === 'police'
          ? 'police'
          : name === 'health'
            ? 'health'
            : name === 'education'
              ? 'education'
              : 'childrens_social_care';
      const voice = T.STRATEGY_VOICES[agency];
      ep.rows.strategy_discussion_contributions.push({
        id: d.uuid(),
        strategy_discussion_id: strategyId,
        position: i + 1,
        agency,
        organisation:
          agency === 'education'
            ? `${this.h.address.town} school`
            : agency === 'childrens_social_care'
              ? `${this.ctx.laName} children’s social care`
              : voice.organisation,
        person_name: this.someone(),
        person_role: voice.role,
        said: d.pick(voice.said),
        created_at: isoTime(t, 720),
      });
    });
  }

  /**
   * What 0008 records about a held conference: the report shared with the parents (mostly at least
   * three working days before, some late, a few not at all), an advocate offered and taken up, the
   * child's view, the reasons, the next review, and who was invited and came.
   */
  conferenceDetail(ep: Episode, row: Row, day: Day, decision: 'plan' | 'no_plan' | 'continue'): void {
    const d = this.d;
    const due = dayOf(reportDueBy(isoDay(day)));
    const u = d.next();
    const shared = u < 0.8 ? due - d.int(5) : u < 0.96 ? Math.min(day, due + 1 + d.int(3)) : null;
    row['report_shared_on'] = shared === null ? null : isoDay(shared);
    row['report_shared_how'] =
      shared === null ? null : d.weighted({ in_person: 45, email: 28, post: 10, phone: 14, other: 3 });
    row['report_shared_note'] = shared !== null && d.chance(0.15) ? d.pick(T.REPORT_SHARED_NOTES) : null;
    const offered = d.chance(0.85);
    const takenUp = offered ? d.chance(0.4) : null;
    row['advocate_offered'] = offered;
    row['advocate_taken_up'] = takenUp;
    row['advocate_note'] =
      offered && d.chance(0.3) ? d.pick(T.ADVOCATE_NOTES[takenUp ? 'taken_up' : 'declined']) : null;
    row['child_view'] =
      this.age(day) >= 4 && row['participation'] !== 'PN0' && d.chance(0.8)
        ? d.pick(T.REVIEW_CHILD_VIEWS)
        : null;
    row['decision_reason'] = d.pick(T.CONFERENCE_REASONS[decision]);
    row['next_review_on'] =
      decision === 'no_plan' ? null : addMonths(isoDay(day), decision === 'plan' ? 3 : 6);
    const language = this.h.mother.language;
    row['others_attending'] =
      language !== 'English' && d.chance(0.6)
        ? `An interpreter (${language})`
        : d.chance(0.05)
          ? 'A student social worker'
          : null;
    row['recorded_by'] = ep.alloc?.worker ?? null;
    this.participants(ep, { conference_id: String(row['id']), core_group_id: null }, day, takenUp === true);
  }

  /**
   * Who was invited to a conference (and whether they came), or who came to a core group: the
   * parents, the young person from 12, an advocate, and the professionals around the child.
   */
  participants(
    ep: Episode,
    meeting: { conference_id: string | null; core_group_id: string | null },
    day: Day,
    advocate: boolean,
  ): void {
    const d = this.d;
    const age = this.age(day);
    const core = meeting.core_group_id !== null;
    const invited: [name: string, role: string, kind: string, comes: number][] = [];
    const { mother, fathers } = this.h;
    if (mother !== this.child) invited.push([`${mother.given} ${mother.family}`, 'Mum', 'parent', 0.88]);
    const father = this.child.fatherIndex >= 0 ? fathers[this.child.fatherIndex] : null;
    if (father) invited.push([`${father.given} ${father.family}`, 'Dad', 'parent', 0.55]);
    if (age >= 12)
      invited.push([`${this.child.given} ${this.child.family}`, 'The young person', 'child', 0.45]);
    if (advocate) invited.push([this.someone(), 'Parents’ advocate', 'supporter', 0.95]);
    invited.push([this.someone(), 'Social worker', 'professional', 1]);
    if (!core && d.chance(0.7)) invited.push([this.someone(), 'Police officer', 'professional', 0.8]);
    invited.push([this.someone(), age < 5 ? 'Health visitor' : 'School nurse', 'professional', 0.8]);
    if (age >= 4)
      invited.push([this.someone(), age < 11 ? 'Class teacher' : 'Head of year', 'professional', 0.85]);
    let position = 0;
    for (const [name, role, kind, comes] of invited) {
      const attended = d.chance(comes);
      // A core group records only who came.
      if (core && !attended) continue;
      position += 1;
      ep.rows.meeting_participants.push({
        id: d.uuid(),
        ...meeting,
        position,
        name,
        role,
        kind,
        invited: true,
        attended,
        created_at: isoTime(day, core ? 1000 : 780),
      });
    }
  }

  /** Core group meetings of a child protection plan: the first within 10 working days, then every six weeks or so. */
  coreGroups(ep: Episode, plan: Row, start: Day, end: Day): void {
    const d = this.d;
    let day = plusWorkingDays(start, 5 + d.int(6));
    while (day < end && day <= this.R) {
      const next = day + 42 + d.between(-7, 7);
      const id = d.uuid();
      ep.rows.core_group_meetings.push({
        id,
        plan_id: plan['id'],
        episode_id: ep.id,
        held_on: isoDay(day),
        family_view: d.pick(T.REVIEW_FAMILY_VIEWS),
        progress: d.pick(T.CORE_GROUP_PROGRESS),
        next_meeting_on: next < end ? isoDay(next) : null,
        others_attending: null,
        recorded_by: ep.alloc?.worker ?? null,
        created_at: isoTime(day, 1000),
      });
      this.participants(ep, { conference_id: null, core_group_id: id }, day, false);
      day = next;
    }
  }

  /** A family group conference or family network meeting offered on `offered`: accepted or declined, perhaps held. */
  familyMeeting(ep: Episode, offered: Day, conferenceId: string | null): void {
    const d = this.d;
    if (offered > this.R) return;
    const answered = offered + 3 + d.int(14);
    let response: 'accepted' | 'declined' | null = null;
    let held: Day | null = null;
    if (answered <= this.R && d.chance(0.92)) {
      response = d.chance(0.6) ? 'accepted' : 'declined';
      const on = offered + 21 + d.int(42);
      if (response === 'accepted' && on <= this.R && d.chance(0.85)) held = on;
    }
    const changed = held ?? (response ? answered : offered);
    ep.rows.family_network_meetings.push({
      id: d.uuid(),
      episode_id: ep.id,
      conference_id: conferenceId,
      offered_on: isoDay(offered),
      response,
      declined_reason: response === 'declined' ? d.pick(T.FAMILY_MEETING_DECLINED) : null,
      held_on: held === null ? null : isoDay(held),
      family_plan: held === null ? null : d.pick(T.FAMILY_PLANS),
      recorded_by: ep.alloc?.worker ?? null,
      created_at: isoTime(offered, 800),
      updated_at: isoTime(changed, 800),
    });
  }

  /** Personal education plans, once a term, for a child of school age in care from `from` to `to`. */
  educationPlans(ep: Episode, periodId: string, from: Day, to: Day): void {
    const d = this.d;
    const first = Number(isoDay(from).slice(0, 4)) - 1;
    const last = Number(isoDay(to).slice(0, 4));
    for (let year = first; year <= last; year += 1) {
      for (const term of [
        `${String(year)}-09-08`,
        `${String(year + 1)}-01-08`,
        `${String(year + 1)}-04-20`,
      ]) {
        const day = dayOf(term) + d.int(50);
        if (day < from + 10 || day >= to || day > this.R || this.age(day) < 4) continue;
        ep.rows.personal_education_plans.push({
          id: d.uuid(),
          person_id: this.child.id,
          care_period_id: periodId,
          held_on: isoDay(day),
          note: d.chance(0.75) ? d.pick(T.PEP_NOTES) : null,
          recorded_by: ep.alloc?.worker ?? null,
          created_at: isoTime(day, 960),
        });
      }
    }
  }

  /**
   * A placement's address (kept from the birth family when hidden), carer's name, weekly cost
   * (rising about 5% a year to today's prices), brothers and sisters placed together, and why the
   * child moved on.
   */
  placementDetail(
    ep: Episode,
    row: Row,
    type: string,
    provider: string | null,
    from: Day,
    carer?: Member,
  ): void {
    const d = this.d;
    const kinship = type === 'U1' || type === 'U2' || type === 'U3';
    row['address'] =
      row['address_hidden_from_family'] === true || kinship ? streetAddress(() => d.next()) : null;
    const pool: NamePool = d.chance(0.7) ? 'british' : this.child.pool;
    const couple = () => {
      const names = NAME_POOLS[pool];
      return d.chance(0.7)
        ? `${d.pick(names.female)} and ${d.pick(d.chance(0.85) ? names.male : names.female)} ${d.pick(names.family)}`
        : `${d.pick(d.chance(0.8) ? names.female : names.male)} ${d.pick(names.family)}`;
    };
    row['carer_name'] = kinship
      ? carer
        ? `${carer.given} ${carer.family}`
        : `${d.pick(NAME_POOLS[this.child.pool].female)} ${this.h.mother.family}`
      : type === 'P1'
        ? this.child.uasc
          ? null
          : `${this.h.mother.given} ${this.h.mother.family}`
        : /^U[4-6]$/.test(type) || type.startsWith('A')
          ? couple()
          : type === 'K2' || type === 'R1' || type === 'R3' || type === 'S1'
            ? d.pick(T.CHILDRENS_HOMES)
            : null;
    const base = weeklyCostPounds(type, provider);
    row['weekly_cost_pence'] =
      base === null
        ? null
        : Math.round(base * d.uniform(0.85, 1.15) * Math.pow(1.05, (from - this.R) / DAYS_PER_YEAR)) * 100;
    const brothersAndSisters = this.h.members.filter((m) => m.role === 'child').length > 1;
    row['with_siblings'] =
      !brothersAndSisters || this.child.uasc
        ? 'not_applicable'
        : d.weighted(
            type.startsWith('K') || type.startsWith('R') || type === 'S1'
              ? { all: 5, some: 5, none: 60, not_applicable: 30 }
              : { all: 35, some: 15, none: 30, not_applicable: 20 },
          );
    const reason = row['change_reason'];
    row['change_note'] = typeof reason === 'string' ? (T.PLACEMENT_CHANGE_NOTES[reason] ?? null) : null;
    row['recorded_by'] = ep.alloc?.worker ?? null;
  }

  // ------------------------------------------------------------------------------- leaving care

  leavingCare(ep: Episode, eighteen: Day, careStart: Day): Day {
    const r = this.r;
    const R = this.R;
    const fourteen = birthday(this.child.dob, 14);
    const weeksAfter14 = (eighteen - Math.max(careStart, fourteen)) / 7;
    if (weeksAfter14 < 13) return this.close(ep, eighteen, 'RC7', 'Turned 18.');
    this.move(ep, 'care_leaver', eighteen, 'Turned 18: now a care leaver, with a personal adviser.');
    const closeAt = birthday(this.child.dob, r.chance(0.7) ? 21 : 25) - r.int(60);
    const pathwayStart = Math.max(birthday(this.child.dob, 16), careStart + 91);
    const pathway = this.plan(ep, 'pathway', Math.min(pathwayStart, eighteen), null);
    // Staying put: some young people in foster care at 18 stay on with their foster carers.
    const lastPlacement = ep.rows.placements.at(-1)?.['placement_type'];
    const lastType = typeof lastPlacement === 'string' ? lastPlacement : '';
    let stayFrom: Day | null = null;
    let stayUntil: Day | null = null;
    if (/^U[1-6]$/.test(lastType) && this.d.chance(0.55)) {
      stayFrom = eighteen;
      const until = Math.min(eighteen + this.d.between(120, 1000), birthday(this.child.dob, 21) - 1, closeAt);
      stayUntil = until <= R ? Math.max(until, eighteen) : null;
    }
    ep.rows.care_leavers.push({
      id: r.uuid(),
      person_id: this.child.id,
      episode_id: ep.id,
      eligibility: 'former_relevant',
      personal_adviser_user_id: ep.alloc?.worker ?? null,
      pathway_plan_reviewed_on: isoDay(Math.min(R, closeAt, eighteen + 182 * (1 + r.int(4)))),
      staying_put_from: stayFrom === null ? null : isoDay(stayFrom),
      staying_put_until: stayUntil === null ? null : isoDay(stayUntil),
      created_at: isoTime(eighteen, 600),
      updated_at: isoTime(Math.min(R, closeAt), 600),
    });
    for (let years = 18; years <= 21; years += 1) {
      const day = birthday(this.child.dob, years) + r.between(-30, 30);
      if (day > R || day > closeAt) break;
      const inTouch = r.weighted({ YES: 88, NO: 5, REFU: 3, NREQ: 4 });
      ep.rows.care_leaver_contacts.push({
        id: r.uuid(),
        person_id: this.child.id,
        contacted_on: isoDay(day),
        in_touch: inTouch,
        activity:
          inTouch === 'YES'
            ? r.weighted({ F2: 25, P2: 5, F1: 7, F5: 15, P5: 8, F4: 4, G5: 25, G6: 6, G4: 5 })
            : null,
        accommodation:
          inTouch === 'YES'
            ? r.weighted({
                U1: 20,
                Z1: 18,
                D1: 15,
                B1: 14,
                E1: 8,
                K1: 5,
                // A Foyer only from 18 at the start of the year (SSDA903 347): not at the 18th birthday's contact.
                T1: years > 18 ? 5 : 0,
                U2: 3,
                V2: 3,
                W2: 2,
                R2: 2,
                X2: 2,
                C1: 3,
              })
            : null,
        created_at: isoTime(day, 600),
      });
    }
    if (closeAt > R) {
      pathway['next_review_on'] = isoDay(R + 1 + r.int(180));
      return this.leaveOpen(ep);
    }
    this.endPlan(
      ep,
      pathway,
      pathwayStart,
      closeAt,
      'end_plan',
      'Support from the leaving care service ended.',
      false,
    );
    return this.close(ep, closeAt, 'RC7', 'Leaving care support ended.');
  }
}

// ---------------------------------------------------------------------------------------------
// Distributions

/** Working days from the start of an assessment to its authorisation: p25 17, median 33, p75 43, 86% within 45. */
function assessmentWorkingDays(r: Rng): number {
  const u = r.next();
  if (u < 0.25) return 4 + r.int(14);
  if (u < 0.5) return 17 + r.int(16);
  if (u < 0.75) return 33 + r.int(11);
  if (u < 0.857) return 43 + r.int(3);
  return 46 + r.int(30);
}

/** Days a child protection plan lasts, from the published mix of plans ending by duration. */
function cpDuration(r: Rng): number {
  const u = r.next();
  if (u < 0.159) return 14 + r.int(77);
  if (u < 0.269) return 91 + r.int(91);
  if (u < 0.704) return 182 + r.int(183);
  if (u < 0.956) return 365 + r.int(365);
  return 730 + r.int(400);
}

type Route = 'adoption' | 'sgo' | 'rehab' | 'longterm' | 'remand' | 'uasc';

function careRoute(r: Rng, age: number): Route {
  if (age < 1) return r.weighted({ adoption: 36, sgo: 24, rehab: 28, longterm: 12 });
  if (age < 5) return r.weighted({ adoption: 18, sgo: 22, rehab: 42, longterm: 18 });
  if (age < 10) return r.weighted({ sgo: 12, rehab: 45, longterm: 43 });
  if (age < 16) return r.weighted({ rehab: 45, longterm: 55 });
  return r.weighted({ rehab: 32, longterm: 58, remand: 10 });
}

function firstPlacement(r: Rng, age: number, route: string, uasc: boolean): string {
  if (uasc) return age >= 16 ? r.weighted({ K3: 65, U6: 30, K2: 5 }) : r.weighted({ U6: 85, K2: 15 });
  if (route === 'sgo') return r.weighted({ U3: 70, U1: 10, U6: 20 });
  if (route === 'adoption') return r.weighted({ U5: 20, U6: 75, R3: 5 });
  if (age < 1) return r.weighted({ U6: 70, U3: 18, R3: 7, U5: 5 });
  if (age < 10) return r.weighted({ U6: 62, U3: 20, U4: 8, K2: 2, Z11: 3, R1: 1 });
  if (age < 16) return r.weighted({ U6: 55, U3: 12, U4: 6, K2: 20, K1: 2, R1: 2, S1: 1, Z11: 2 });
  return r.weighted({ U6: 35, U3: 8, K3: 30, K2: 20, K1: 2, Z11: 5 });
}

function nextPlacement(r: Rng, age: number, previous: string, route: string): string {
  if (route === 'uasc')
    return age >= 16 ? r.weighted({ K3: 75, U6: 20, K2: 5 }) : r.weighted({ U6: 80, K2: 20 });
  if (age < 5) return r.weighted({ U6: 70, U4: 20, U3: 10 });
  if (age < 10) return r.weighted({ U4: 45, U6: 35, U1: 5, U3: 5, K2: 6, R1: 2, Z11: 2 });
  if (age < 16)
    return r.weighted({
      U4: 28,
      U6: 32,
      U1: 4,
      K2: previous === 'K2' ? 30 : 24,
      K1: 2,
      S1: 2,
      R1: 2,
      Z11: 2,
    });
  return r.weighted({ U4: 24, U6: 23, K3: 30, K2: 17, K1: 1, Z11: 5 });
}

/** The weekly cost of a placement at today's prices, in pounds (none for adoption and other types). */
function weeklyCostPounds(type: string, provider: string | null): number | null {
  if (type === 'P1') return 0;
  if (type === 'U1' || type === 'U2' || type === 'U3') return 250;
  if (type === 'U4' || type === 'U5' || type === 'U6') return provider === 'PR1' ? 450 : 900;
  if (type === 'K2') return provider === 'PR1' ? 4200 : provider === 'PR5' ? 5000 : 5500;
  if (type === 'K1') return 8000;
  if (type === 'K3') return provider === 'PR1' ? 700 : 1300;
  if (type === 'R1') return 4500;
  if (type === 'R3') return 3500;
  if (type === 'S1') return 4800;
  return null;
}

/** Provider (SSDA903 PLACE_PROVIDER) for a placement type. */
function placementProvider(r: Rng, type: string): string | null {
  if (type === 'P1') return 'PR0';
  if (type === 'U1' || type === 'U2' || type === 'U3') return 'PR1';
  if (type === 'U4' || type === 'U5' || type === 'U6') return r.weighted({ PR1: 44, PR4: 48, PR5: 8 });
  if (type === 'K2') return r.weighted({ PR4: 80, PR1: 15, PR5: 5 });
  if (type === 'K1') return r.weighted({ PR1: 30, PR2: 60, PR4: 10 });
  if (type === 'K3') return r.weighted({ PR4: 68, PR5: 20, PR1: 12 });
  if (type.startsWith('A')) return r.weighted({ PR1: 75, PR5: 25 });
  if (type === 'R1' || type === 'S1') return 'PR4';
  if (type === 'R3') return r.weighted({ PR4: 50, PR5: 50 });
  if (type.startsWith('Z') || type.startsWith('T')) return null;
  return 'PR4';
}

function providerName(r: Rng, provider: string | null, type: string, laName: string): string | null {
  switch (provider) {
    case 'PR1':
      return type.startsWith('K')
        ? `${laName} children’s homes`
        : type.startsWith('A')
          ? `${laName} adoption service`
          : `${laName} fostering service`;
    case 'PR2':
      return 'Another council’s secure children’s home';
    case 'PR3':
      return 'Youth custody service';
    case 'PR4':
      return r.pick(T.PRIVATE_PROVIDERS);
    case 'PR5':
      return r.pick(T.VOLUNTARY_PROVIDERS);
    default:
      return null;
  }
}

/** Weights for [inside & near, inside & far, outside & near, outside & far] by placement type. */
function placementLocation(type: string, provider: string | null): readonly number[] {
  if (type === 'U1' || type === 'U2' || type === 'U3') return [60, 3, 30, 7];
  if (type.startsWith('U')) return provider === 'PR1' ? [70, 5, 19, 6] : [33, 6, 33, 28];
  if (type === 'K2') return provider === 'PR1' ? [85, 5, 7, 3] : [20, 6, 28, 46];
  if (type === 'K1') return [10, 5, 15, 70];
  if (type === 'K3') return [48, 4, 30, 18];
  if (type.startsWith('A')) return [38, 4, 36, 22];
  return [35, 5, 30, 30];
}

function requesterRole(source: string): string {
  switch (source) {
    case '6':
      return 'Police officer';
    case '2A':
      return 'Designated safeguarding lead';
    case '2B':
      return 'Education welfare officer';
    case '3A':
      return 'GP';
    case '3B':
      return 'Health visitor';
    case '3C':
      return 'School nurse';
    case '3E':
      return 'Emergency department nurse';
    case '4':
      return 'Housing officer';
    case '5D':
      return 'Family help worker';
    case '7':
      return 'Probation officer';
    default:
      return 'Practitioner';
  }
}

function requesterOrganisation(source: string, town: string): string {
  switch (source) {
    case '6':
      return 'Police';
    case '2A':
    case '2B':
      return `${town} school`;
    case '3A':
      return `${town} medical practice`;
    case '3B':
    case '3C':
    case '3D':
      return 'Community health services';
    case '3E':
    case '3F':
      return 'Hospital trust';
    case '4':
      return 'Housing services';
    case '7':
      return 'Probation service';
    default:
      return `${town} services`;
  }
}

function circumstanceDetail(area: string): string {
  switch (area) {
    case 'income':
      return 'Universal Credit only; the family often run out of money before payday.';
    case 'debt':
      return 'Rent and council tax arrears.';
    case 'housing':
      return 'Overcrowded, with damp in the children’s bedroom.';
    case 'food':
      return 'Relying on the food bank most weeks.';
    case 'fuel':
      return 'Prepayment meter often runs out.';
    default:
      return 'No internet at home for school work.';
  }
}
