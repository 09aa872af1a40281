/**
 * SSDA903 part A: episodes of care: dates and codes (141-149), placement postcodes (164, 169,
 * 179), provider and Ofsted URN (178, 213, 214, 218-229), adoption from care before (199),
 * placements with foster carers for adoption (217), and reasons for placement change (225, 226,
 * 233, 234).
 *
 * The postcode rules (164, 169, 179) check the fields the DfE derives from the postcodes (distance,
 * LA and location of the placement) when the run derived them (`ctx.derived`, ssda903/postcodes.ts);
 * without them they can only check that the postcodes look like real UK postcodes. The URN rules
 * (219, 221, 224, 227-229) check against Ofsted's provider list when the run is given it
 * (`ctx.providers`) and are skipped otherwise.
 */
import { addYears, dayToUk, ukDay } from '../../../validation/dates.ts';
import type { Finding } from '../../../validation/rule.ts';
import {
  emptyTables,
  type Child903,
  type OfstedProvider,
  type Row,
  type Ssda903Context,
} from '../../model.ts';
import { outsideEngland } from '../../postcodes.ts';
import type { Ssda903Rule } from '../index.ts';
import {
  addRow,
  at,
  badCode,
  badDate,
  CIN_CODES,
  episodeOf,
  episodes,
  flag,
  headerOf,
  inYear,
  isPostcode,
  LS_CODES,
  NO_URN,
  PLACE_CODES,
  PLACE_POSTCODE_MATCHED,
  PLACE_PROVIDER_NOT_REQUIRED,
  PLACE_WITHOUT_PROVIDER,
  PLACE_WITHOUT_URN,
  postcodeKey,
  present,
  PROVIDER_CODES,
  REC_CODES,
  RNE_CODES,
  SHORT_BREAKS,
  TEMPORARY_PLACEMENTS,
  uascRow,
  ukPlus,
  val,
} from './helpers.ts';

/** Close the baseline episode on `dec` with X1 and open a second one the same day. */
function secondEpisode(
  c: Child903,
  ctx: Ssda903Context,
  dec: string,
  next: Record<string, string | undefined>,
): Row {
  const first = episodeOf(c);
  first.values.DEC = dec;
  first.values.REC = 'X1';
  return addRow(c, 'Episodes', {
    ...first.values,
    DECOM: dec,
    DEC: undefined,
    REC: undefined,
    RNE: 'P',
    ...next,
  });
}

const rule141: Ssda903Rule = {
  code: '141',
  check: (c) => flag('Episodes', ['DECOM'], c.tables.Episodes, (r) => ukDay(val(r, 'DECOM')) === null),
  fixtures: {
    fail: [(c) => void (episodeOf(c).values.DECOM = '10/5/2025'), (c) => delete episodeOf(c).values.DECOM],
    pass: [(c, x) => void (episodeOf(c).values.DECOM = inYear(x, 1, 4))],
  },
};

/** Every episode but the latest has ended: an end date and a reason. */
function check142(c: Child903): Finding[] {
  const eps = episodes(c.tables).filter((e) => e.decom !== null);
  return eps
    .slice(0, -1)
    .filter((e) => !present(e.row, 'DEC') || !present(e.row, 'REC'))
    .map((e) => at('Episodes', ['DEC', 'REC'], e.row));
}

const rule142: Ssda903Rule = {
  code: '142',
  check: check142,
  fixtures: {
    fail: [
      (c, x) => {
        secondEpisode(c, x, inYear(x, 1, 9), { PLACE: 'U6' });
        delete episodeOf(c).values.REC;
      },
      (c, x) => {
        secondEpisode(c, x, inYear(x, 1, 9), { PLACE: 'U6' });
        delete episodeOf(c).values.DEC;
      },
    ],
    pass: [(c, x) => void secondEpisode(c, x, inYear(x, 1, 9), { PLACE: 'U6' })],
  },
};

/** A code outside its list (a blank is left to the rules on missing items, as the DfE checks do). */
function codeRule(
  code: string,
  field: string,
  codes: ReadonlySet<string>,
  bad: string,
  good: string,
): Ssda903Rule {
  return {
    code,
    check: (c) => flag('Episodes', [field], c.tables.Episodes, (r) => badCode(r, field, codes)),
    fixtures: {
      fail: [
        (c) => void (episodeOf(c).values[field] = bad),
        (c) => void (episodeOf(c).values[field] = good.toLowerCase()),
      ],
      pass: [(c) => void (episodeOf(c).values[field] = good)],
    },
  };
}

const rule143 = codeRule('143', 'RNE', RNE_CODES, 'X', 'S');
const rule144 = codeRule('144', 'LS', LS_CODES, 'C3', 'E1');
const rule145 = codeRule('145', 'CIN', CIN_CODES, 'N0', 'N8');
/** Placement types from 2025-26: Z1 and H5 are no longer valid. */
const rule146 = codeRule('146', 'PLACE', PLACE_CODES, 'Z1', 'U6');

const rule147: Ssda903Rule = {
  code: '147',
  check: (c) => flag('Episodes', ['DEC'], c.tables.Episodes, (r) => badDate(r, 'DEC')),
  fixtures: {
    fail: [
      (c) => {
        episodeOf(c).values.DEC = '30/02/2026';
        episodeOf(c).values.REC = 'E4A';
      },
    ],
    pass: [
      (c, x) => {
        episodeOf(c).values.DEC = inYear(x, 28, 2);
        episodeOf(c).values.REC = 'E4A';
      },
    ],
  },
};

const rule148: Ssda903Rule = {
  code: '148',
  check: (c) =>
    flag('Episodes', ['DEC', 'REC'], c.tables.Episodes, (r) => present(r, 'DEC') !== present(r, 'REC')),
  fixtures: {
    fail: [
      (c, x) => void (episodeOf(c).values.DEC = inYear(x, 28, 2)),
      (c) => void (episodeOf(c).values.REC = 'E4A'),
    ],
    pass: [
      (c, x) => {
        episodeOf(c).values.DEC = inYear(x, 28, 2);
        episodeOf(c).values.REC = 'E4A';
      },
    ],
  },
};

const rule149: Ssda903Rule = {
  code: '149',
  check: (c) => flag('Episodes', ['REC'], c.tables.Episodes, (r) => badCode(r, 'REC', REC_CODES)),
  fixtures: {
    fail: [
      (c, x) => {
        episodeOf(c).values.DEC = inYear(x, 28, 2);
        episodeOf(c).values.REC = 'E4';
      },
    ],
    pass: [
      (c, x) => {
        episodeOf(c).values.DEC = inYear(x, 28, 2);
        episodeOf(c).values.REC = 'E17';
      },
    ],
  },
};

/** A derived distance is a number of miles from 0.0 to 999.9. */
function validDistance(value: string): boolean {
  const miles = Number(value);
  return /^\d+(\.\d+)?$/.test(value.trim()) && miles >= 0 && miles <= 999.9;
}

/**
 * The placement distance is worked out from the home and placement postcodes (not for children who
 * are or were UASC this year or last, nor for short breaks): both must be real UK postcodes. When
 * the run derived the distance, it must also be in range, and be there when both postcodes are
 * given (blank = a postcode not in the directory), unless a postcode lies outside England, beyond
 * Hearth's directory.
 */
function check164(c: Child903, ctx: Ssda903Context): Finding[] {
  if (uascRow(c.tables) || (ctx.hasPrevious && uascRow(c.previous))) return [];
  const out: Finding[] = [];
  for (const r of c.tables.Episodes) {
    if (SHORT_BREAKS.has(val(r, 'LS') ?? '')) continue;
    const bad: string[] = (['HOME_POST', 'PL_POST'] as const).filter(
      (f) => present(r, f) && !isPostcode(val(r, f)),
    );
    const distance = val(r, 'PL_DISTANCE');
    if (distance !== undefined) {
      if (!validDistance(distance)) bad.push('PL_DISTANCE');
    } else if (ctx.derived === true && bad.length === 0 && present(r, 'HOME_POST') && present(r, 'PL_POST')) {
      const beyond = outsideEngland(val(r, 'HOME_POST')) ?? outsideEngland(val(r, 'PL_POST'));
      if (beyond === undefined) bad.push('HOME_POST', 'PL_POST', 'PL_DISTANCE');
    }
    if (bad.length > 0) out.push(at('Episodes', bad, r));
  }
  return out;
}

/** Fixture: the run derived the placement fields, and these are the baseline episode's. */
function derivedAs(values: Record<string, string>): (c: Child903, ctx: Ssda903Context) => void {
  return (c, ctx) => {
    ctx.derived = true;
    Object.assign(episodeOf(c).values, values);
  };
}

const rule164: Ssda903Rule = {
  code: '164',
  check: check164,
  fixtures: {
    fail: [
      (c) => void (episodeOf(c).values.HOME_POST = 'AL1'),
      (c) => void (episodeOf(c).values.PL_POST = 'NOWHERE'),
      // derived: both postcodes look right but one is not in the directory, so no distance
      derivedAs({ PL_LA: 'E10000015', PL_LOCATION: 'IN' }),
      derivedAs({ PL_DISTANCE: '1000.0', PL_LA: 'E10000015', PL_LOCATION: 'IN' }),
    ],
    pass: [
      (c) => void (episodeOf(c).values.HOME_POST = 'SW1A 1AA'),
      derivedAs({ PL_DISTANCE: '2.6', PL_LA: 'E10000015', PL_LOCATION: 'IN' }),
      derivedAs({ PL_DISTANCE: '999.9', PL_LA: 'E10000015', PL_LOCATION: 'IN' }),
      // the placement is in Wales: no distance from Hearth's English directory, but not the child's fault
      derivedAs({ PL_POST: 'CF10 1EP', PL_LA: 'WAL', PL_LOCATION: 'OUT' }),
      (c) => {
        episodeOf(c).values.HOME_POST = 'ABROAD';
        addRow(c, 'UASC', { SEX: 'F', DOB: val(headerOf(c), 'DOB') });
      },
    ],
  },
};

/** The placement's authority and location come from its postcode: required except for short breaks. */
function placePostcodeMissing(r: Row): boolean {
  return !SHORT_BREAKS.has(val(r, 'LS') ?? '') && !isPostcode(val(r, 'PL_POST'));
}

/** A derived PL_LA: an English authority's code, or the country of a placement outside England. */
const PL_LA = /^(E\d{8}|SCO|WAL|NIR)$/;

/**
 * The LA of placement must be valid and present (except for short breaks). Derived from the
 * placement postcode: when the run derived it, blank means the postcode is not in the directory;
 * otherwise only the postcode itself can be checked.
 */
function check169(c: Child903, ctx: Ssda903Context): Finding[] {
  return c.tables.Episodes.flatMap((r) => {
    if (SHORT_BREAKS.has(val(r, 'LS') ?? '')) return [];
    const la = val(r, 'PL_LA');
    if (la !== undefined) return PL_LA.test(la) ? [] : [at('Episodes', ['PL_LA'], r)];
    if (ctx.derived === true) return [at('Episodes', ['PL_LA', 'PL_POST'], r)];
    return placePostcodeMissing(r) ? [at('Episodes', ['PL_POST'], r)] : [];
  });
}

const rule169: Ssda903Rule = {
  code: '169',
  check: check169,
  fixtures: {
    fail: [
      (c) => delete episodeOf(c).values.PL_POST,
      (c) => void (episodeOf(c).values.PL_POST = 'AL3'),
      // derived, but the placement postcode is not in the directory
      derivedAs({ PL_DISTANCE: '0.0' }),
    ],
    pass: [
      (c) => void (episodeOf(c).values.PL_POST = 'ch5 3ab'),
      (c) => {
        delete episodeOf(c).values.PL_POST;
        episodeOf(c).values.LS = 'V3';
      },
      derivedAs({ PL_DISTANCE: '2.6', PL_LA: 'E10000015', PL_LOCATION: 'IN' }),
      derivedAs({ PL_POST: 'CF10 1EP', PL_LA: 'WAL', PL_LOCATION: 'OUT' }),
      (c, ctx) => {
        ctx.derived = true;
        delete episodeOf(c).values.PL_POST;
        episodeOf(c).values.LS = 'V4';
      },
    ],
  },
};

/**
 * The placement location must be IN or OUT (except for short breaks). Derived from the LA of
 * placement and the council's own code: when the run derived it for a known council, blank means it
 * could not be; otherwise only the placement postcode can be checked.
 */
function check179(c: Child903, ctx: Ssda903Context): Finding[] {
  return c.tables.Episodes.flatMap((r) => {
    if (SHORT_BREAKS.has(val(r, 'LS') ?? '')) return [];
    const where = val(r, 'PL_LOCATION');
    if (where !== undefined)
      return where === 'IN' || where === 'OUT' ? [] : [at('Episodes', ['PL_LOCATION'], r)];
    if (ctx.derived === true && ctx.la !== undefined) return [at('Episodes', ['PL_LOCATION', 'PL_POST'], r)];
    return placePostcodeMissing(r) ? [at('Episodes', ['PL_POST'], r)] : [];
  });
}

const rule179: Ssda903Rule = {
  code: '179',
  check: check179,
  fixtures: {
    fail: [
      (c) => delete episodeOf(c).values.PL_POST,
      (c, ctx) => {
        derivedAs({ PL_DISTANCE: '2.6' })(c, ctx);
        ctx.la = 'E10000015';
      },
      derivedAs({ PL_LOCATION: 'ELSEWHERE' }),
    ],
    pass: [
      (c) => {
        delete episodeOf(c).values.PL_POST;
        episodeOf(c).values.LS = 'V4';
      },
      (c, ctx) => {
        derivedAs({ PL_DISTANCE: '2.6', PL_LA: 'E10000015', PL_LOCATION: 'IN' })(c, ctx);
        ctx.la = 'E10000015';
      },
      derivedAs({ PL_DISTANCE: '31.2', PL_LA: 'E06000055', PL_LOCATION: 'OUT' }),
    ],
  },
};

const rule178: Ssda903Rule = {
  code: '178',
  check: (c) =>
    flag('Episodes', ['PLACE_PROVIDER'], c.tables.Episodes, (r) => {
      const provider = val(r, 'PLACE_PROVIDER');
      if (provider === undefined) return false;
      return !PROVIDER_CODES.has(provider) || PLACE_WITHOUT_PROVIDER.has(val(r, 'PLACE') ?? '');
    }),
  fixtures: {
    fail: [
      (c) => void (episodeOf(c).values.PLACE_PROVIDER = 'PR6'),
      (c) => void (episodeOf(c).values.PLACE = 'Z12'),
    ],
    pass: [
      (c) => void (episodeOf(c).values.PLACE_PROVIDER = 'PR5'),
      (c) => {
        episodeOf(c).values.PLACE = 'T1';
        delete episodeOf(c).values.PLACE_PROVIDER;
      },
    ],
  },
};

/** Episodes this year and last, in start order, with whether each is this year's. */
function allEpisodes(c: Child903, ctx: Ssda903Context): { row: Row; decom: number; current: boolean }[] {
  const out: { row: Row; decom: number; current: boolean }[] = [];
  if (ctx.hasPrevious && c.previous) {
    for (const e of episodes(c.previous))
      if (e.decom !== null) out.push({ row: e.row, decom: e.decom, current: false });
  }
  for (const e of episodes(c.tables))
    if (e.decom !== null) out.push({ row: e.row, decom: e.decom, current: true });
  return out.sort((a, b) => a.decom - b.decom);
}

const ADOPTED = new Set(['E11', 'E12']);

/** After an episode ending in adoption (E11/E12), no later episode: the child was adopted from care before. */
function check199(c: Child903, ctx: Ssda903Context): Finding[] {
  let adoptions = 0;
  const out: Finding[] = [];
  for (const e of allEpisodes(c, ctx)) {
    const adoptedHere = ADOPTED.has(val(e.row, 'REC') ?? '');
    if (adoptedHere) adoptions += 1;
    const afterAdoption = adoptions > (adoptedHere ? 1 : 0);
    if (afterAdoption && e.current) out.push(at('Episodes', ['CHILD'], e.row));
  }
  return out;
}

const rule199: Ssda903Rule = {
  code: '199',
  check: check199,
  fixtures: {
    fail: [
      (c, x) => {
        const prev = emptyTables();
        c.previous = prev;
        x.hasPrevious = true;
        prev.Episodes.push({
          row: 1,
          values: {
            CHILD: c.id,
            DECOM: ukPlus(x.periodStart, -300),
            DEC: ukPlus(x.periodStart, -30),
            REC: 'E11',
            RNE: 'S',
          },
        });
      },
      (c, x) => {
        const e = episodeOf(c);
        e.values.DEC = inYear(x, 1, 8);
        e.values.REC = 'E12';
        addRow(c, 'Episodes', {
          ...e.values,
          DECOM: inYear(x, 1, 2),
          DEC: undefined,
          REC: undefined,
          RNE: 'S',
        });
      },
    ],
    pass: [
      (c, x) => {
        episodeOf(c).values.DEC = inYear(x, 1, 8);
        episodeOf(c).values.REC = 'E11';
      },
    ],
  },
};

const rule213: Ssda903Rule = {
  code: '213',
  check: (c) =>
    flag(
      'Episodes',
      ['PLACE_PROVIDER'],
      c.tables.Episodes,
      (r) => PLACE_PROVIDER_NOT_REQUIRED.has(val(r, 'PLACE') ?? '') && present(r, 'PLACE_PROVIDER'),
    ),
  fixtures: {
    fail: [(c) => void (episodeOf(c).values.PLACE = 'T4'), (c) => void (episodeOf(c).values.PLACE = 'Z11')],
    pass: [
      (c) => {
        episodeOf(c).values.PLACE = 'T4';
        delete episodeOf(c).values.PLACE_PROVIDER;
      },
    ],
  },
};

const rule214: Ssda903Rule = {
  code: '214',
  check: (c) =>
    flag(
      'Episodes',
      ['PL_POST', 'URN'],
      c.tables.Episodes,
      (r) => SHORT_BREAKS.has(val(r, 'LS') ?? '') && (present(r, 'PL_POST') || present(r, 'URN')),
    ),
  fixtures: {
    fail: [(c) => void (episodeOf(c).values.LS = 'V3')],
    pass: [
      (c) => {
        episodeOf(c).values.LS = 'V4';
        delete episodeOf(c).values.PL_POST;
        delete episodeOf(c).values.URN;
      },
    ],
  },
};

const FOSTER_FOR_ADOPTION = new Set(['A3', 'A5']);
const RNE_FOR_A3_A5 = new Set(['S', 'T', 'U']);
const RULE_217_FROM = ukDay('01/04/2015') ?? 0;

const rule217: Ssda903Rule = {
  code: '217',
  check: (c) =>
    flag('Episodes', ['PLACE', 'DECOM', 'RNE'], c.tables.Episodes, (r) => {
      const decom = ukDay(val(r, 'DECOM'));
      return (
        FOSTER_FOR_ADOPTION.has(val(r, 'PLACE') ?? '') &&
        decom !== null &&
        decom >= RULE_217_FROM &&
        !RNE_FOR_A3_A5.has(val(r, 'RNE') ?? '')
      );
    }),
  fixtures: {
    fail: [(c, x) => void secondEpisode(c, x, inYear(x, 1, 9), { PLACE: 'A3', LS: 'E1', RNE: 'P' })],
    pass: [
      (c, x) => void secondEpisode(c, x, inYear(x, 1, 9), { PLACE: 'A5', LS: 'E1', RNE: 'T' }),
      (c, x) => void secondEpisode(c, x, inYear(x, 1, 9), { PLACE: 'A4', LS: 'E1', RNE: 'P' }),
    ],
  },
};

/**
 * Placements other than with parents, in health or custody settings, temporary or "other" need an
 * Ofsted URN (XXXXXXX when the provider has none), for episodes open in the year. Short breaks
 * record no placement location (rule 214), so are not asked for one.
 */
const rule218: Ssda903Rule = {
  code: '218',
  check: (c, ctx) =>
    flag('Episodes', ['URN'], c.tables.Episodes, (r) => {
      if (PLACE_WITHOUT_URN.has(val(r, 'PLACE') ?? '') || SHORT_BREAKS.has(val(r, 'LS') ?? '')) return false;
      const dec = ukDay(val(r, 'DEC'));
      return (dec === null || dec >= ctx.periodStart) && !present(r, 'URN');
    }),
  fixtures: {
    fail: [(c) => delete episodeOf(c).values.URN],
    pass: [
      (c) => {
        delete episodeOf(c).values.URN;
        episodeOf(c).values.PLACE = 'P1';
        episodeOf(c).values.PLACE_PROVIDER = 'PR0';
      },
      (c, x) => {
        delete episodeOf(c).values.URN;
        episodeOf(c).values.DECOM = ukPlus(x.periodStart, -60);
        episodeOf(c).values.DEC = ukPlus(x.periodStart, -1);
        episodeOf(c).values.REC = 'E4A';
      },
    ],
  },
};

const rule222: Ssda903Rule = {
  code: '222',
  check: (c) =>
    flag('Episodes', ['URN'], c.tables.Episodes, (r) => {
      const urn = val(r, 'URN');
      return PLACE_WITHOUT_URN.has(val(r, 'PLACE') ?? '') && urn !== undefined && urn !== NO_URN;
    }),
  fixtures: {
    fail: [
      (c) => {
        episodeOf(c).values.PLACE = 'R1';
        episodeOf(c).values.URN = 'SC123456';
      },
    ],
    pass: [
      (c) => void (episodeOf(c).values.PLACE = 'R1'),
      (c) => {
        episodeOf(c).values.PLACE = 'K2';
        episodeOf(c).values.URN = 'SC123456';
      },
    ],
  },
};

// ---- Ofsted URN rules ---------------------------------------------------------------------------

/** Episodes with a real URN, and the provider Ofsted lists for it (undefined: not on the list). */
function urnEpisodes(c: Child903, ctx: Ssda903Context): { row: Row; provider: OfstedProvider | undefined }[] {
  const providers = ctx.providers;
  if (!providers) return [];
  const out: { row: Row; provider: OfstedProvider | undefined }[] = [];
  for (const r of c.tables.Episodes) {
    const urn = val(r, 'URN');
    if (urn === undefined || urn === NO_URN) continue;
    out.push({ row: r, provider: providers.get(urn.trim()) });
  }
  return out;
}

const URN = 'SC123456';

/** Place the baseline child in a children's home with URN SC123456 that Ofsted lists as `provider`. */
function inHome(c: Child903, ctx: Ssda903Context, provider: Partial<OfstedProvider> = {}): void {
  const e = episodeOf(c);
  e.values.PLACE = 'K2';
  e.values.PLACE_PROVIDER = 'PR4';
  e.values.URN = URN;
  ctx.providers = new Map([
    [URN, { placeCodes: ['K2'], providerCodes: ['PR4'], postcode: 'AL35PQ', la: 'E10000015', ...provider }],
  ]);
  ctx.la = 'E10000015';
}

const rule219: Ssda903Rule = {
  code: '219',
  check: (c, ctx) =>
    urnEpisodes(c, ctx)
      .filter(({ row: r, provider }) => !provider || !provider.placeCodes.includes(val(r, 'PLACE') ?? ''))
      .map(({ row: r }) => at('Episodes', ['URN', 'PLACE'], r)),
  fixtures: {
    fail: [
      (c, x) => inHome(c, x, { placeCodes: ['K1'] }),
      (c, x) => {
        inHome(c, x);
        episodeOf(c).values.URN = 'SC999999';
      },
    ],
    pass: [(c, x) => inHome(c, x), (c) => void (episodeOf(c).values.URN = 'SC123456')],
  },
};

const rule221: Ssda903Rule = {
  code: '221',
  check: (c, ctx) =>
    urnEpisodes(c, ctx)
      .filter(({ row: r, provider }) => {
        const post = val(r, 'PL_POST');
        if (post === undefined || SHORT_BREAKS.has(val(r, 'LS') ?? '')) return false;
        if (!PLACE_POSTCODE_MATCHED.has(val(r, 'PLACE') ?? '')) return false;
        return provider?.postcode === undefined || postcodeKey(provider.postcode) !== postcodeKey(post);
      })
      .map(({ row: r }) => at('Episodes', ['PL_POST'], r)),
  fixtures: {
    fail: [(c, x) => inHome(c, x, { postcode: 'AL35PX' })],
    pass: [
      (c, x) => inHome(c, x),
      (c, x) => {
        inHome(c, x, { postcode: 'AL35PX', placeCodes: ['R1'] });
        episodeOf(c).values.PLACE = 'R1';
      },
    ],
  },
};

const rule224: Ssda903Rule = {
  code: '224',
  check: (c, ctx) =>
    urnEpisodes(c, ctx)
      .filter(
        ({ row: r, provider }) =>
          !provider || !provider.providerCodes.includes(val(r, 'PLACE_PROVIDER') ?? ''),
      )
      .map(({ row: r }) => at('Episodes', ['PLACE_PROVIDER'], r)),
  fixtures: {
    fail: [(c, x) => inHome(c, x, { providerCodes: ['PR1', 'PR2'] })],
    pass: [(c, x) => inHome(c, x, { providerCodes: ['PR4', 'PR5'] })],
  },
};

const rule227: Ssda903Rule = {
  code: '227',
  check: (c, ctx) =>
    urnEpisodes(c, ctx)
      .filter(({ row: r, provider }) => {
        const end = provider?.registrationEnd;
        const decom = ukDay(val(r, 'DECOM'));
        return end !== undefined && decom !== null && decom >= end;
      })
      .map(({ row: r }) => at('Episodes', ['URN', 'DECOM'], r)),
  fixtures: {
    fail: [(c, x) => inHome(c, x, { registrationEnd: ukDay(val(episodeOf(c), 'DECOM')) ?? 0 })],
    pass: [(c, x) => inHome(c, x, { registrationEnd: (ukDay(val(episodeOf(c), 'DECOM')) ?? 0) + 1 })],
  },
};

/** The provider's registration covers the episode to its end (or to 31 March when still open). */
const rule228: Ssda903Rule = {
  code: '228',
  check: (c, ctx) =>
    urnEpisodes(c, ctx)
      .filter(({ row: r, provider }) => {
        const end = provider?.registrationEnd;
        if (end === undefined) return false;
        return (ukDay(val(r, 'DEC')) ?? ctx.periodEnd) > end;
      })
      .map(({ row: r }) => at('Episodes', ['URN', 'DEC'], r)),
  fixtures: {
    fail: [(c, x) => inHome(c, x, { registrationEnd: x.periodEnd - 1 })],
    pass: [
      (c, x) => inHome(c, x, { registrationEnd: x.periodEnd }),
      (c, x) => {
        inHome(c, x, { registrationEnd: x.periodEnd - 10 });
        episodeOf(c).values.DEC = dayToUk(x.periodEnd - 10);
        episodeOf(c).values.REC = 'E4A';
      },
    ],
  },
};

const PLACE_229_EXEMPT = new Set('K3,P1,P3,R1,R2,R5,T0,T1,T2,T3,T4,Z11,Z12,Z13,Z14'.split(','));

/** Own provision (PR1) is in the council's own area; another council's provision (PR2) is not. */
const rule229: Ssda903Rule = {
  code: '229',
  check: (c, ctx) => {
    const la = ctx.la;
    if (la === undefined) return [];
    return urnEpisodes(c, ctx)
      .filter(({ row: r, provider }) => {
        if (!provider?.la || PLACE_229_EXEMPT.has(val(r, 'PLACE') ?? '')) return false;
        const pp = val(r, 'PLACE_PROVIDER');
        return (pp === 'PR1' && provider.la !== la) || (pp === 'PR2' && provider.la === la);
      })
      .map(({ row: r }) => at('Episodes', ['URN', 'PLACE_PROVIDER'], r));
  },
  fixtures: {
    fail: [
      (c, x) => {
        inHome(c, x, { providerCodes: ['PR1'], la: 'E10000016' });
        episodeOf(c).values.PLACE_PROVIDER = 'PR1';
      },
      (c, x) => {
        inHome(c, x, { providerCodes: ['PR2'] });
        episodeOf(c).values.PLACE_PROVIDER = 'PR2';
      },
    ],
    pass: [
      (c, x) => {
        inHome(c, x, { providerCodes: ['PR1'] });
        episodeOf(c).values.PLACE_PROVIDER = 'PR1';
      },
      (c, x) => {
        inHome(c, x, { providerCodes: ['PR2'], la: 'E10000016' });
        episodeOf(c).values.PLACE_PROVIDER = 'PR2';
      },
    ],
  },
};

// ---- reasons for placement change ---------------------------------------------------------------

/**
 * An episode ending (X1) in a move to a new placement (next RNE P, B, T or U), neither placement
 * temporary, records why the placement changed.
 */
function check225(c: Child903): Finding[] {
  const eps = episodes(c.tables).filter((e) => e.decom !== null);
  const out: Finding[] = [];
  for (let i = 0; i + 1 < eps.length; i++) {
    const cur = eps[i];
    const next = eps[i + 1];
    if (!cur || !next) continue;
    if (
      val(cur.row, 'REC') === 'X1' &&
      !present(cur.row, 'REASON_PLACE_CHANGE') &&
      !TEMPORARY_PLACEMENTS.has(val(cur.row, 'PLACE') ?? '') &&
      PLACEMENT_MOVES.has(val(next.row, 'RNE') ?? '') &&
      !TEMPORARY_PLACEMENTS.has(val(next.row, 'PLACE') ?? '')
    ) {
      out.push(at('Episodes', ['REASON_PLACE_CHANGE'], cur.row));
    }
  }
  return out;
}

const PLACEMENT_MOVES = new Set(['P', 'B', 'T', 'U']);

const rule225: Ssda903Rule = {
  code: '225',
  check: check225,
  fixtures: {
    fail: [(c, x) => void secondEpisode(c, x, inYear(x, 1, 9), { PLACE: 'U6' })],
    pass: [
      (c, x) => {
        secondEpisode(c, x, inYear(x, 1, 9), { PLACE: 'U6' });
        episodeOf(c).values.REASON_PLACE_CHANGE = 'CARPL';
      },
      (c, x) => void secondEpisode(c, x, inYear(x, 1, 9), { PLACE: 'T2', PLACE_PROVIDER: undefined }),
      (c, x) => void secondEpisode(c, x, inYear(x, 1, 9), { RNE: 'L', LS: 'C2' }),
    ],
  },
};

/** A temporary placement, and the episode before it, record no reason for a placement change. */
function check226(c: Child903): Finding[] {
  const eps = episodes(c.tables);
  const out: Finding[] = [];
  eps.forEach((e, i) => {
    if (!TEMPORARY_PLACEMENTS.has(val(e.row, 'PLACE') ?? '')) return;
    const before = i > 0 ? eps[i - 1] : undefined;
    if (present(e.row, 'REASON_PLACE_CHANGE') || (before && present(before.row, 'REASON_PLACE_CHANGE'))) {
      out.push(at('Episodes', ['REASON_PLACE_CHANGE', 'PLACE'], e.row));
    }
  });
  return out;
}

const rule226: Ssda903Rule = {
  code: '226',
  check: check226,
  fixtures: {
    fail: [
      (c, x) => {
        secondEpisode(c, x, inYear(x, 1, 9), { PLACE: 'T2', PLACE_PROVIDER: undefined });
        episodeOf(c).values.REASON_PLACE_CHANGE = 'CARPL';
      },
    ],
    pass: [(c, x) => void secondEpisode(c, x, inYear(x, 1, 9), { PLACE: 'T2', PLACE_PROVIDER: undefined })],
  },
};

const rule233: Ssda903Rule = {
  code: '233',
  check: (c) =>
    flag(
      'Episodes',
      ['REASON_PLACE_CHANGE', 'DEC'],
      c.tables.Episodes,
      (r) => !present(r, 'DEC') && present(r, 'REASON_PLACE_CHANGE'),
    ),
  fixtures: {
    fail: [(c) => void (episodeOf(c).values.REASON_PLACE_CHANGE = 'CHILD')],
    pass: [
      (c, x) => {
        secondEpisode(c, x, inYear(x, 1, 9), { PLACE: 'U6' });
        episodeOf(c).values.REASON_PLACE_CHANGE = 'CHILD';
      },
    ],
  },
};

/** Custody (CUSTOD) as the reason a placement changed, for a child under 10 on the day it changed. */
function check234(c: Child903): Finding[] {
  const h = c.tables.Header[0];
  const dob = ukDay(h ? val(h, 'DOB') : undefined);
  if (dob === null) return [];
  const tenth = addYears(dob, 10);
  return flag('Episodes', ['REASON_PLACE_CHANGE'], c.tables.Episodes, (r) => {
    if (val(r, 'REASON_PLACE_CHANGE') !== 'CUSTOD') return false;
    const changed = ukDay(val(r, 'DEC')) ?? ukDay(val(r, 'DECOM'));
    return changed !== null && changed < tenth;
  });
}

const rule234: Ssda903Rule = {
  code: '234',
  check: check234,
  fixtures: {
    fail: [
      (c, x) => {
        headerOf(c).values.DOB = dayToUk(addYears(ukDay(inYear(x, 1, 9)) ?? 0, -10) + 1);
        secondEpisode(c, x, inYear(x, 1, 9), { PLACE: 'K1' });
        episodeOf(c).values.REASON_PLACE_CHANGE = 'CUSTOD';
      },
    ],
    pass: [
      (c, x) => {
        headerOf(c).values.DOB = dayToUk(addYears(ukDay(inYear(x, 1, 9)) ?? 0, -10));
        secondEpisode(c, x, inYear(x, 1, 9), { PLACE: 'K1' });
        episodeOf(c).values.REASON_PLACE_CHANGE = 'CUSTOD';
      },
    ],
  },
};

export const EPISODE_RULES: readonly Ssda903Rule[] = [
  rule141,
  rule142,
  rule143,
  rule144,
  rule145,
  rule146,
  rule147,
  rule148,
  rule149,
  rule164,
  rule169,
  rule178,
  rule179,
  rule199,
  rule213,
  rule214,
  rule217,
  rule218,
  rule219,
  rule221,
  rule222,
  rule224,
  rule225,
  rule226,
  rule227,
  rule228,
  rule229,
  rule233,
  rule234,
];
