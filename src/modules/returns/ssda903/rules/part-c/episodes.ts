/** Part C episode rules: order and continuity of episodes, last year's open episode, providers. */
import { ukDay } from '../../../validation/dates.ts';
import type { ChildRule, Finding } from '../../../validation/rule.ts';
import type { Child903, Ssda903Context } from '../../model.ts';
import type { Ssda903Rule } from '../index.ts';
import { addEpisode, continuing, ep, firstOf, inYear, lastYear } from './fixtures.ts';
import {
  at,
  episodesOf,
  firstEpisode,
  latestEpisode,
  openPreviousEpisode,
  postcode,
  val,
} from './helpers.ts';

function overlappingEpisodes(child: Child903): Finding[] {
  const eps = episodesOf(child.tables);
  const out: Finding[] = [];
  for (let i = 1; i < eps.length; i++) {
    const prev = eps[i - 1];
    const cur = eps[i];
    if (!prev || !cur || cur.decom === null || prev.dec === null) continue;
    if (cur.decom < prev.dec) out.push(at('Episodes', ['DECOM', 'DEC'], cur.row));
  }
  return out;
}

const rule501: Ssda903Rule = {
  code: '501',
  check: overlappingEpisodes,
  fixtures: {
    fail: [
      (c, ctx) => {
        ep(c).values.DEC = inYear(ctx, '01/08');
        ep(c).values.REC = 'X1';
        addEpisode(c, {
          DECOM: inYear(ctx, '31/07'),
          RNE: 'P',
          LS: 'C1',
          CIN: 'N1',
          PLACE: 'U6',
          PLACE_PROVIDER: 'PR1',
        });
      },
    ],
    pass: [
      (c, ctx) => {
        ep(c).values.DEC = inYear(ctx, '01/08');
        ep(c).values.REC = 'X1';
        addEpisode(c, {
          DECOM: inYear(ctx, '01/08'),
          RNE: 'P',
          LS: 'C1',
          CIN: 'N1',
          PLACE: 'U6',
          PLACE_PROVIDER: 'PR1',
        });
      },
    ],
  },
};

function firstEpisodeStartsLastYearsOpenEpisode(child: Child903, ctx: Ssda903Context): Finding[] {
  if (!ctx.hasPrevious || !child.previous) return [];
  const first = firstEpisode(child.tables);
  if (!first) return [];
  return child.previous.Episodes.some(
    (r) => val(r, 'DEC') === undefined && ukDay(val(r, 'DECOM')) !== first.decom,
  )
    ? [at('Episodes', ['DECOM'], first.row)]
    : [];
}

const rule502: Ssda903Rule = {
  code: '502',
  check: firstEpisodeStartsLastYearsOpenEpisode,
  fixtures: {
    fail: [
      (c, ctx) => {
        const prev = continuing(c, ctx);
        firstOf(prev.Episodes).values.DECOM = inYear(ctx, '02/02');
      },
    ],
    pass: [
      (c, ctx) => {
        continuing(c, ctx);
      },
      (c, ctx) => {
        const prev = continuing(c, ctx);
        // last year's episode ended, so this year's first episode need not match it
        firstOf(prev.Episodes).values.DECOM = inYear(ctx, '02/02');
        firstOf(prev.Episodes).values.DEC = inYear(ctx, '10/03');
        firstOf(prev.Episodes).values.REC = 'E4A';
      },
    ],
  },
};

/**
 * 503A–F: a field of this year's first episode must equal that of last year's latest episode when
 * that episode was still open. Blank equals blank.
 */
function sameAsOpenEpisode(
  code: string,
  field: string,
  changed: string,
  allowed: (prev: string | undefined, cur: string | undefined) => boolean = () => false,
): ChildRule<Child903, Ssda903Context> {
  return {
    code,
    check: (child, ctx) => {
      const open = openPreviousEpisode(child, ctx);
      const first = firstEpisode(child.tables);
      if (!open || !first) return [];
      const prev = val(open.row, field);
      const cur = val(first.row, field);
      return prev === cur || allowed(prev, cur) ? [] : [at('Episodes', [field], first.row)];
    },
    fixtures: {
      fail: [
        (c, ctx) => {
          const prev = continuing(c, ctx);
          firstOf(prev.Episodes).values[field] = changed;
        },
      ],
      pass: [
        (c, ctx) => {
          continuing(c, ctx);
        },
        (c, ctx) => {
          const prev = continuing(c, ctx);
          firstOf(prev.Episodes).values[field] = changed;
          firstOf(prev.Episodes).values.DEC = inYear(ctx, '10/03');
          firstOf(prev.Episodes).values.REC = 'X1';
        },
      ],
    },
  };
}

/** 2025-26 replaced Z1 by Z11–Z14 and dropped H5 (semi-independent, now K3 supported accommodation). */
function placeRecoded(prev: string | undefined, cur: string | undefined): boolean {
  return (prev === 'Z1' && cur !== undefined && /^Z1[1-4]$/.test(cur)) || (prev === 'H5' && cur === 'K3');
}

const rule503D: Ssda903Rule = {
  ...sameAsOpenEpisode('503D', 'PLACE', 'U6', placeRecoded),
  fixtures: {
    fail: [
      (c, ctx) => {
        const prev = continuing(c, ctx);
        firstOf(prev.Episodes).values.PLACE = 'U6';
      },
    ],
    pass: [
      (c, ctx) => {
        continuing(c, ctx);
      },
      (c, ctx) => {
        const prev = continuing(c, ctx);
        firstOf(prev.Episodes).values.PLACE = 'Z1';
        ep(c).values.PLACE = 'Z12';
        delete ep(c).values.PLACE_PROVIDER;
        delete firstOf(prev.Episodes).values.PLACE_PROVIDER;
      },
    ],
  },
};

/**
 * 503G/H/J compare fields the DfE derives from postcodes: the distance from home to placement, the
 * LA and the in/out-of-area location of the placement. When the run derived them (`ctx.derived`,
 * ssda903/postcodes.ts, which derives last year's too), they are compared as the DfE does: the
 * distances must be within 0.2 miles (a blank one is not compared), the LA and location must be
 * equal (blank equals blank). Without them only the postcodes can be compared: 503G is raised when
 * either postcode differs; 503H and 503J when the placement postcode is given on one side only (two
 * different postcodes may lie in the same LA, which cannot be told without a postcode directory).
 */
function derivedFixture(
  field: string,
  before: string,
  now: string,
): (c: Child903, ctx: Ssda903Context) => void {
  return (c, ctx) => {
    ctx.derived = true;
    firstOf(continuing(c, ctx).Episodes).values[field] = before;
    ep(c).values[field] = now;
  };
}

const rule503G: Ssda903Rule = {
  code: '503G',
  check: (child, ctx) => {
    const open = openPreviousEpisode(child, ctx);
    const first = firstEpisode(child.tables);
    if (!open || !first) return [];
    if (ctx.derived === true) {
      const before = Number(val(open.row, 'PL_DISTANCE') ?? Number.NaN);
      const now = Number(val(first.row, 'PL_DISTANCE') ?? Number.NaN);
      // NaN (blank or not a number) compares false: not a contradiction
      return Math.abs(now - before) >= 0.2 - 1e-9 ? [at('Episodes', ['PL_DISTANCE'], first.row)] : [];
    }
    const same =
      postcode(val(open.row, 'HOME_POST')) === postcode(val(first.row, 'HOME_POST')) &&
      postcode(val(open.row, 'PL_POST')) === postcode(val(first.row, 'PL_POST'));
    return same ? [] : [at('Episodes', ['HOME_POST', 'PL_POST'], first.row)];
  },
  fixtures: {
    fail: [
      (c, ctx) => {
        firstOf(continuing(c, ctx).Episodes).values.PL_POST = 'LU1 1AA';
      },
      (c, ctx) => {
        firstOf(continuing(c, ctx).Episodes).values.HOME_POST = 'LU1 1AA';
      },
      derivedFixture('PL_DISTANCE', '2.6', '2.8'),
      derivedFixture('PL_DISTANCE', '31.0', '2.6'),
    ],
    pass: [
      (c, ctx) => {
        // spacing and case are not differences
        firstOf(continuing(c, ctx).Episodes).values.PL_POST = 'al35pq';
      },
      derivedFixture('PL_DISTANCE', '2.6', '2.7'),
      // derived: the same distance from a different home postcode is no contradiction
      (c, ctx) => {
        derivedFixture('PL_DISTANCE', '2.6', '2.6')(c, ctx);
        ep(c).values.HOME_POST = 'AL1 3JZ';
      },
    ],
  },
};

function placementFieldUnchanged(
  code: string,
  field: 'PL_LA' | 'PL_LOCATION',
  before: string,
  now: string,
): Ssda903Rule {
  return {
    code,
    check: (child, ctx) => {
      const open = openPreviousEpisode(child, ctx);
      const first = firstEpisode(child.tables);
      if (!open || !first) return [];
      if (ctx.derived === true) {
        return val(open.row, field) === val(first.row, field) ? [] : [at('Episodes', [field], first.row)];
      }
      const had = postcode(val(open.row, 'PL_POST')) !== undefined;
      const has = postcode(val(first.row, 'PL_POST')) !== undefined;
      return had === has ? [] : [at('Episodes', ['PL_POST'], first.row)];
    },
    fixtures: {
      fail: [
        (c, ctx) => {
          continuing(c, ctx);
          delete ep(c).values.PL_POST;
        },
        derivedFixture(field, before, now),
        (c, ctx) => {
          // derived: last year's placement was found, this year's postcode is not in the directory
          derivedFixture(field, before, now)(c, ctx);
          Reflect.deleteProperty(ep(c).values, field);
        },
      ],
      pass: [
        (c, ctx) => {
          continuing(c, ctx);
        },
        derivedFixture(field, before, before),
        (c, ctx) => {
          // derived: a different placement postcode in the same LA and location
          derivedFixture(field, before, before)(c, ctx);
          ep(c).values.PL_POST = 'AL3 5PR';
        },
      ],
    },
  };
}

function cinChangedWithinPeriod(child: Child903): Finding[] {
  const eps = episodesOf(child.tables);
  const out: Finding[] = [];
  for (let i = 1; i < eps.length; i++) {
    const prev = eps[i - 1];
    const cur = eps[i];
    if (!prev || !cur || cur.decom === null) continue;
    if (val(prev.row, 'REC') !== 'X1' || prev.dec !== cur.decom) continue;
    if (val(prev.row, 'CIN') !== val(cur.row, 'CIN')) out.push(at('Episodes', ['CIN'], cur.row));
  }
  return out;
}

const rule504: Ssda903Rule = {
  code: '504',
  check: cinChangedWithinPeriod,
  fixtures: {
    fail: [
      (c, ctx) => {
        ep(c).values.DEC = inYear(ctx, '01/08');
        ep(c).values.REC = 'X1';
        addEpisode(c, {
          DECOM: inYear(ctx, '01/08'),
          RNE: 'P',
          LS: 'C1',
          CIN: 'N2',
          PLACE: 'U6',
          PLACE_PROVIDER: 'PR1',
        });
      },
    ],
    pass: [
      (c, ctx) => {
        ep(c).values.DEC = inYear(ctx, '01/08');
        ep(c).values.REC = 'X1';
        addEpisode(c, {
          DECOM: inYear(ctx, '01/08'),
          RNE: 'P',
          LS: 'C1',
          CIN: 'N1',
          PLACE: 'U6',
          PLACE_PROVIDER: 'PR1',
        });
      },
      (c, ctx) => {
        // a new period of care may have a new category of need
        ep(c).values.DEC = inYear(ctx, '01/08');
        ep(c).values.REC = 'E4A';
        addEpisode(c, {
          DECOM: inYear(ctx, '01/10'),
          RNE: 'S',
          LS: 'C1',
          CIN: 'N2',
          PLACE: 'U6',
          PLACE_PROVIDER: 'PR1',
        });
      },
    ],
  },
};

const FORMER_FOSTER_CARER_SGO = new Set(['E45', 'E46']);
const FOSTER_PLACEMENTS = new Set(['U1', 'U2', 'U3', 'U4', 'U5', 'U6']);

const rule516: Ssda903Rule = {
  code: '516',
  check: (child) =>
    child.tables.Episodes.flatMap((r) => {
      const rec = val(r, 'REC');
      return rec !== undefined &&
        FORMER_FOSTER_CARER_SGO.has(rec) &&
        !FOSTER_PLACEMENTS.has(val(r, 'PLACE') ?? '')
        ? [at('Episodes', ['REC', 'PLACE'], r)]
        : [];
    }),
  fixtures: {
    fail: [
      (c, ctx) => {
        ep(c).values.PLACE = 'K2';
        ep(c).values.DEC = inYear(ctx, '01/12');
        ep(c).values.REC = 'E45';
      },
    ],
    pass: [
      (c, ctx) => {
        ep(c).values.DEC = inYear(ctx, '01/12');
        ep(c).values.REC = 'E46';
      },
    ],
  },
};

/** Placements with no provider (temporary and "other" placements). */
const NO_PROVIDER_PLACES = new Set(['T0', 'T1', 'T2', 'T3', 'T4', 'Z11', 'Z12', 'Z13', 'Z14']);

const rule526: Ssda903Rule = {
  code: '526',
  check: (child) =>
    child.tables.Episodes.flatMap((r) => {
      const place = val(r, 'PLACE');
      return place !== undefined && !NO_PROVIDER_PLACES.has(place) && val(r, 'PLACE_PROVIDER') === undefined
        ? [at('Episodes', ['PLACE', 'PLACE_PROVIDER'], r)]
        : [];
    }),
  fixtures: {
    fail: [
      (c) => {
        delete ep(c).values.PLACE_PROVIDER;
      },
    ],
    pass: [
      (c) => {
        ep(c).values.PLACE = 'T1';
        delete ep(c).values.PLACE_PROVIDER;
      },
    ],
  },
};

function providerExcludes(
  code: string,
  provider: string,
  places: readonly string[],
  okPlace: string,
): Ssda903Rule {
  const bad = new Set(places);
  const badPlace = places[0] ?? '';
  return {
    code,
    check: (child) =>
      child.tables.Episodes.flatMap((r) =>
        val(r, 'PLACE_PROVIDER') === provider && bad.has(val(r, 'PLACE') ?? '')
          ? [at('Episodes', ['PLACE', 'PLACE_PROVIDER'], r)]
          : [],
      ),
    fixtures: {
      fail: [
        (c) => {
          ep(c).values.PLACE_PROVIDER = provider;
          ep(c).values.PLACE = badPlace;
        },
      ],
      pass: [
        (c) => {
          ep(c).values.PLACE_PROVIDER = provider;
          ep(c).values.PLACE = okPlace;
        },
      ],
    },
  };
}

const rule550: Ssda903Rule = {
  code: '550',
  check: (child) =>
    child.tables.Episodes.flatMap((r) =>
      val(r, 'PLACE_PROVIDER') === 'PR0' && val(r, 'PLACE') !== 'P1'
        ? [at('Episodes', ['PLACE', 'PLACE_PROVIDER'], r)]
        : [],
    ),
  fixtures: {
    fail: [(c) => void (ep(c).values.PLACE_PROVIDER = 'PR0')],
    pass: [
      (c) => {
        ep(c).values.PLACE_PROVIDER = 'PR0';
        ep(c).values.PLACE = 'P1';
      },
    ],
  },
};

/** The first episode that began before this year must be last year's latest episode. */
function missingContinuousEpisode(child: Child903, ctx: Ssda903Context): Finding[] {
  if (!ctx.hasPrevious) return [];
  const first = firstEpisode(child.tables);
  if (!first || first.decom === null || first.decom >= ctx.periodStart) return [];
  const last = child.previous ? latestEpisode(child.previous) : undefined;
  return last?.decom === first.decom ? [] : [at('Episodes', ['DECOM'], first.row)];
}

const rule562: Ssda903Rule = {
  code: '562',
  check: missingContinuousEpisode,
  fixtures: {
    fail: [
      (c, ctx) => {
        const prev = continuing(c, ctx);
        firstOf(prev.Episodes).values.DECOM = inYear(ctx, '03/02');
      },
      (c, ctx) => {
        ep(c).values.DECOM = inYear(ctx, '01/02');
        lastYear(c, ctx, () => undefined);
      },
    ],
    pass: [
      (c, ctx) => {
        continuing(c, ctx);
      },
      (c, ctx) => {
        // started this year: nothing to find last year
        lastYear(c, ctx, () => undefined);
      },
    ],
  },
};

export const EPISODE_RULES: readonly Ssda903Rule[] = [
  rule501,
  rule502,
  sameAsOpenEpisode('503A', 'RNE', 'P'),
  sameAsOpenEpisode('503B', 'LS', 'C2'),
  sameAsOpenEpisode('503C', 'CIN', 'N2'),
  rule503D,
  sameAsOpenEpisode('503E', 'PLACE_PROVIDER', 'PR4'),
  sameAsOpenEpisode('503F', 'URN', 'SC123456'),
  rule503G,
  placementFieldUnchanged('503H', 'PL_LA', 'E10000015', 'E06000055'),
  placementFieldUnchanged('503J', 'PL_LOCATION', 'IN', 'OUT'),
  rule504,
  rule516,
  rule526,
  providerExcludes('527', 'PR1', ['P1', 'R2', 'R5'], 'U4'),
  providerExcludes('528', 'PR2', ['P1', 'R2', 'R5'], 'U4'),
  providerExcludes(
    '529',
    'PR3',
    ['P1', 'A3', 'A4', 'A5', 'A6', 'K1', 'K2', 'U1', 'U2', 'U3', 'U4', 'U5', 'U6'],
    'R2',
  ),
  providerExcludes('530', 'PR4', ['P1'], 'U4'),
  providerExcludes('531', 'PR5', ['P1'], 'K2'),
  rule550,
  rule562,
];
