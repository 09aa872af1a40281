/**
 * Part B rules on postcodes and the derived placement fields (distance, LA and location of the
 * placement), and on how each episode follows the one before it (reason for new episode, reason
 * ceased), within the year and across last year's return.
 *
 * The DfE derives `PL_DISTANCE`, `PL_LA` and `PL_LOCATION` from the home and placement postcodes;
 * the CSV files carry only the postcodes. Rules on those fields read them from the episode row
 * when the run derived them (ssda903/postcodes.ts, `ctx.derived`), and are silent otherwise (392a
 * and 406 then treat a distance as recorded when both postcodes are given, since the DfE derives it
 * from them).
 */
import { emptyTables, row, type Child903, type Row, type Ssda903Context } from '../../model.ts';
import type { Ssda903Rule } from '../index.ts';
import {
  addEpisode,
  addRow,
  at,
  datedEpisodes,
  distance,
  distanceKnown,
  episodes,
  isPostcode,
  isShortBreak,
  isUascOrFormer,
  normalisePostcode,
  setCells,
  type Ep,
} from './helpers.ts';

type Mutate = (c: Child903, ctx: Ssda903Context) => void;

const ep0 =
  (values: Record<string, string | undefined>): Mutate =>
  (c) => {
    setCells(c.tables.Episodes[0], values);
  };

function uasc(c: Child903): void {
  addRow(c, 'UASC', { SEX: 'F', DOB: '15/07/2012', DUC: '15/07/2030' });
}

/** Fixture: the run derived the placement fields, and these are the first episode's. */
const derived =
  (values: Record<string, string | undefined>): Mutate =>
  (c, ctx) => {
    ctx.derived = true;
    setCells(c.tables.Episodes[0], values);
  };

const rule392a: Ssda903Rule = {
  code: '392a',
  check: (child, ctx) => {
    if (isUascOrFormer(child)) return [];
    return child.tables.Episodes.filter((e) => !isShortBreak(e) && !distanceKnown(e, ctx)).map((e) =>
      at('Episodes', ['PL_DISTANCE', 'HOME_POST', 'PL_POST'], e),
    );
  },
  fixtures: {
    fail: [
      ep0({ HOME_POST: undefined }),
      // both postcodes given, but one is not in the directory: no distance could be derived
      derived({ PL_LA: 'E10000015', PL_LOCATION: 'IN' }),
    ],
    pass: [
      ep0({ HOME_POST: undefined, PL_DISTANCE: '4.2' }),
      derived({ PL_DISTANCE: '2.6', PL_LA: 'E10000015', PL_LOCATION: 'IN' }),
      // a home in Wales: beyond Hearth's directory, but the DfE works the distance out
      derived({ HOME_POST: 'CF10 1EP', PL_LA: 'E10000015', PL_LOCATION: 'IN' }),
      (c) => {
        setCells(c.tables.Episodes[0], { HOME_POST: undefined });
        uasc(c);
      },
    ],
  },
};

const rule392b: Ssda903Rule = {
  code: '392b',
  check: (child) => {
    if (isUascOrFormer(child)) return [];
    return child.tables.Episodes.filter(
      (e) => !isShortBreak(e) && (e.values.HOME_POST === undefined || e.values.PL_POST === undefined),
    ).map((e) => at('Episodes', ['HOME_POST', 'PL_POST'], e));
  },
  fixtures: {
    fail: [ep0({ PL_POST: undefined })],
    pass: [
      ep0({ LS: 'V3', PL_POST: undefined, HOME_POST: undefined }),
      (c) => {
        // formerly UASC: in last year's UASC file
        setCells(c.tables.Episodes[0], { PL_POST: undefined });
        c.previous = emptyTables();
        c.previous.UASC.push(row({ CHILD: c.id, SEX: 'F', DOB: '15/07/2012', DUC: '01/01/2025' }, 1));
      },
    ],
  },
};

const rule392c: Ssda903Rule = {
  code: '392c',
  check: (child) =>
    child.tables.Episodes.flatMap((e) => {
      const home = e.values.HOME_POST;
      const placed = e.values.PL_POST;
      const bad = (home !== undefined && !isPostcode(home)) || (placed !== undefined && !isPostcode(placed));
      return bad ? [at('Episodes', ['HOME_POST', 'PL_POST'], e)] : [];
    }),
  fixtures: {
    fail: [ep0({ HOME_POST: 'AL1' }), ep0({ PL_POST: 'not known' })],
    pass: [ep0({ HOME_POST: 'al13jy' }), ep0({ PL_POST: undefined })],
  },
};

const rule392d: Ssda903Rule = {
  code: '392d',
  check: (child) =>
    child.tables.Episodes.flatMap((e) => {
      const home = e.values.HOME_POST;
      const placed = e.values.PL_POST;
      if (home === undefined || placed === undefined || e.values.PLACE === 'P1') return [];
      return normalisePostcode(home) === normalisePostcode(placed)
        ? [at('Episodes', ['HOME_POST', 'PL_POST', 'PLACE'], e)]
        : [];
    }),
  fixtures: {
    fail: [ep0({ PL_POST: 'al1 3jy' })],
    pass: [ep0({ PL_POST: 'AL1 3JY', PLACE: 'P1', PLACE_PROVIDER: 'PR0' })],
  },
};

const rule398: Ssda903Rule = {
  code: '398',
  check: (child) =>
    child.tables.Episodes.filter(
      (e) =>
        isShortBreak(e) &&
        (e.values.PL_DISTANCE !== undefined ||
          e.values.HOME_POST !== undefined ||
          e.values.PL_POST !== undefined),
    ).map((e) => at('Episodes', ['LS', 'HOME_POST', 'PL_POST'], e)),
  fixtures: {
    fail: [ep0({ LS: 'V3' }), ep0({ LS: 'V4', HOME_POST: undefined })],
    pass: [ep0({ LS: 'V4', HOME_POST: undefined, PL_POST: undefined })],
  },
};

const rule406: Ssda903Rule = {
  code: '406',
  check: (child, ctx) => {
    if (!isUascOrFormer(child)) return [];
    return child.tables.Episodes.filter((e) => distanceKnown(e, ctx)).map((e) =>
      at('Episodes', ['PL_DISTANCE'], e),
    );
  },
  fixtures: {
    fail: [
      uasc,
      (c, ctx) => {
        uasc(c);
        derived({ PL_DISTANCE: '2.6', PL_LA: 'E10000015' })(c, ctx);
      },
      (c) => {
        uasc(c);
        setCells(c.tables.Episodes[0], { HOME_POST: undefined, PL_DISTANCE: '12.5' });
      },
    ],
    pass: [
      (c) => {
        uasc(c);
        setCells(c.tables.Episodes[0], { HOME_POST: undefined });
      },
      (c, ctx) => {
        // derived, but a postcode was not in the directory: no distance
        uasc(c);
        derived({ PL_LA: 'E10000015' })(c, ctx);
      },
    ],
  },
};

/** Needs the returning council's own code (`ctx.la`) and the derived PL_LOCATION and PL_LA. */
const rule411: Ssda903Rule = {
  code: '411',
  check: (child, ctx) => {
    const own = ctx.la;
    if (own === undefined) return [];
    return child.tables.Episodes.filter((e) => {
      const where = e.values.PL_LOCATION;
      const la = e.values.PL_LA;
      return la !== undefined && ((where === 'IN' && la !== own) || (where === 'OUT' && la === own));
    }).map((e) => at('Episodes', ['PL_LOCATION', 'PL_LA'], e));
  },
  fixtures: {
    fail: [
      (c, ctx) => {
        ctx.la = 'E10000015';
        setCells(c.tables.Episodes[0], { PL_LOCATION: 'IN', PL_LA: 'E09000003' });
      },
      (c, ctx) => {
        ctx.la = 'E10000015';
        setCells(c.tables.Episodes[0], { PL_LOCATION: 'OUT', PL_LA: 'E10000015' });
      },
    ],
    pass: [
      (c, ctx) => {
        ctx.la = 'E10000015';
        setCells(c.tables.Episodes[0], { PL_LOCATION: 'IN', PL_LA: 'E10000015' });
      },
      (c, ctx) => {
        ctx.la = 'E10000015';
        setCells(c.tables.Episodes[0], { PL_LOCATION: 'OUT', PL_LA: 'E09000003' });
      },
    ],
  },
};

const rule420: Ssda903Rule = {
  code: '420',
  check: (child) =>
    child.tables.Episodes.filter((e) => isShortBreak(e) && e.values.PL_LA !== undefined).map((e) =>
      at('Episodes', ['PL_LA', 'LS'], e),
    ),
  fixtures: {
    fail: [ep0({ LS: 'V3', PL_LA: 'E10000015' })],
    pass: [ep0({ LS: 'V3' }), ep0({ PL_LA: 'E10000015' })],
  },
};

/** Each dated episode with the one before it (same child, in date order). */
function pairs(child: Child903): { e: Ep; prev: Ep }[] {
  const eps = datedEpisodes(child.tables);
  const out: { e: Ep; prev: Ep }[] = [];
  for (let i = 1; i < eps.length; i++) {
    const e = eps[i];
    const prev = eps[i - 1];
    if (e && prev) out.push({ e, prev });
  }
  return out;
}

/** A second episode from 1 October 2025 after the first ends (reason `rec`) that day. */
function second(rec: string, values: Record<string, string | undefined>, endFirst = '01/10/2025'): Mutate {
  return (c) => {
    setCells(c.tables.Episodes[0], { DEC: endFirst, REC: rec });
    const first = c.tables.Episodes[0]?.values ?? {};
    addEpisode(c, {
      ...first,
      DEC: undefined,
      REC: undefined,
      REASON_PLACE_CHANGE: undefined,
      DECOM: '01/10/2025',
      ...values,
    });
  };
}

const rule431: Ssda903Rule = {
  code: '431',
  check: (child) =>
    pairs(child)
      .filter(
        ({ e, prev }) =>
          e.row.values.RNE === 'S' && prev.dec !== null && e.decom !== null && e.decom <= prev.dec,
      )
      .map(({ e }) => at('Episodes', ['RNE', 'DECOM'], e.row)),
  fixtures: {
    fail: [second('E4A', { RNE: 'S' })],
    pass: [second('E4A', { RNE: 'S', DECOM: '02/10/2025' })],
  },
};

const CEASED_CARE = new Set([
  'E2',
  'E3',
  'E4A',
  'E4B',
  'E5',
  'E6',
  'E7',
  'E8',
  'E9',
  'E11',
  'E12',
  'E13',
  'E14',
  'E15',
  'E16',
  'E17',
  'E41',
  'E45',
  'E46',
  'E47',
  'E48',
]);

const rule432: Ssda903Rule = {
  code: '432',
  check: (child) =>
    pairs(child)
      .filter(({ e, prev }) => CEASED_CARE.has(prev.row.values.REC ?? '') && e.row.values.RNE !== 'S')
      .map(({ e }) => at('Episodes', ['RNE'], e.row)),
  fixtures: {
    fail: [second('E4A', { RNE: 'P', DECOM: '02/10/2025', PLACE: 'U6' })],
    pass: [second('E4A', { RNE: 'S', DECOM: '02/10/2025' })],
  },
};

const CONTINUES = new Set(['P', 'L', 'T', 'U', 'B']);

const rule433: Ssda903Rule = {
  code: '433',
  check: (child) =>
    pairs(child)
      .filter(
        ({ e, prev }) => CONTINUES.has(e.row.values.RNE ?? '') && (prev.dec === null || prev.dec !== e.decom),
      )
      .map(({ e }) => at('Episodes', ['RNE', 'DECOM'], e.row)),
  fixtures: {
    fail: [second('X1', { RNE: 'P', PLACE: 'U6' }, '30/09/2025')],
    pass: [second('X1', { RNE: 'P', PLACE: 'U6' })],
  },
};

const PLACEMENT_FIELDS = ['PLACE', 'PL_POST', 'URN', 'PLACE_PROVIDER'] as const;

function placementChanged(a: Row, b: Row): boolean {
  return PLACEMENT_FIELDS.some((f) => (a.values[f] ?? '') !== (b.values[f] ?? ''));
}

const CHANGE_FIELDS = ['RNE', 'LS', 'PLACE', 'PL_POST', 'URN', 'PLACE_PROVIDER'];

const rule434: Ssda903Rule = {
  code: '434',
  check: (child) =>
    pairs(child)
      .filter(
        ({ e, prev }) =>
          e.row.values.RNE === 'L' &&
          (e.row.values.LS === prev.row.values.LS || placementChanged(e.row, prev.row)),
      )
      .map(({ e }) => at('Episodes', CHANGE_FIELDS, e.row)),
  fixtures: {
    fail: [second('X1', { RNE: 'L', LS: 'C1' }), second('X1', { RNE: 'L', LS: 'C2', URN: 'SC000001' })],
    pass: [second('X1', { RNE: 'L', LS: 'C2' })],
  },
};

const rule435: Ssda903Rule = {
  code: '435',
  check: (child) =>
    pairs(child)
      .filter(
        ({ e, prev }) =>
          e.row.values.RNE === 'P' &&
          (e.row.values.LS !== prev.row.values.LS || !placementChanged(e.row, prev.row)),
      )
      .map(({ e }) => at('Episodes', CHANGE_FIELDS, e.row)),
  fixtures: {
    fail: [second('X1', { RNE: 'P' }), second('X1', { RNE: 'P', LS: 'C2', PL_POST: 'AL4 0AA' })],
    pass: [second('X1', { RNE: 'P', PL_POST: 'AL4 0AA' })],
  },
};

const rule436: Ssda903Rule = {
  code: '436',
  check: (child) =>
    pairs(child)
      .filter(
        ({ e, prev }) =>
          e.row.values.RNE === 'T' &&
          (e.row.values.LS === prev.row.values.LS || !placementChanged(e.row, prev.row)),
      )
      .map(({ e }) => at('Episodes', CHANGE_FIELDS, e.row)),
  fixtures: {
    fail: [second('X1', { RNE: 'T', PL_POST: 'AL4 0AA' }), second('X1', { RNE: 'T', LS: 'C2' })],
    pass: [second('X1', { RNE: 'T', LS: 'C2', PL_POST: 'AL4 0AA' })],
  },
};

const rule437: Ssda903Rule = {
  code: '437',
  check: (child) => {
    const eps = datedEpisodes(child.tables);
    return eps
      .filter((e, i) => {
        const rec = e.row.values.REC;
        return (rec === 'E2' || rec === 'E15') && i < eps.length - 1;
      })
      .map((e) => at('Episodes', ['REC'], e.row));
  },
  fixtures: {
    fail: [second('E15', { RNE: 'S', DECOM: '02/10/2025' })],
    pass: [ep0({ DEC: '01/10/2025', REC: 'E15' })],
  },
};

/**
 * This year's first episode against last year's last one, when that one was still open at
 * 31 March and the reason for new episode is unchanged (the same episode carried over).
 */
function carriedOver(child: Child903, ctx: Ssda903Context): { first: Ep; last: Ep } | undefined {
  if (!ctx.hasPrevious || !child.previous) return undefined;
  const first = datedEpisodes(child.tables)[0];
  const lastYear = datedEpisodes(child.previous);
  const last = lastYear[lastYear.length - 1];
  if (!first || !last || last.row.values.DEC !== undefined) return undefined;
  return first.row.values.RNE === last.row.values.RNE ? { first, last } : undefined;
}

/** The baseline's episode as last year's open episode, carried into this year. */
function fromLastYear(
  prev: Record<string, string | undefined>,
  now: Record<string, string | undefined>,
): Mutate {
  return (c, ctx) => {
    ctx.hasPrevious = true;
    setCells(c.tables.Episodes[0], { DECOM: '10/05/2024', ...now });
    c.previous = structuredClone(c.tables);
    setCells(c.previous.Episodes[0], prev);
  };
}

const rule452: Ssda903Rule = {
  code: '452',
  check: (child, ctx) => {
    const pair = carriedOver(child, ctx);
    if (!pair) return [];
    return (pair.first.row.values.PL_LA ?? '') !== (pair.last.row.values.PL_LA ?? '')
      ? [at('Episodes', ['PL_LA'], pair.first.row)]
      : [];
  },
  fixtures: {
    fail: [fromLastYear({ PL_LA: 'E10000015' }, { PL_LA: 'E09000003' })],
    pass: [fromLastYear({ PL_LA: 'E10000015' }, { PL_LA: 'E10000015' })],
  },
};

const rule453: Ssda903Rule = {
  code: '453',
  check: (child, ctx) => {
    const pair = carriedOver(child, ctx);
    if (!pair) return [];
    const now = distance(pair.first.row);
    const before = distance(pair.last.row);
    // within a hair of 0.2 counts: distances of one decimal differ by float noise (2.8 - 2.6 < 0.2)
    return now !== null && before !== null && Math.abs(now - before) >= 0.2 - 1e-9
      ? [at('Episodes', ['PL_DISTANCE'], pair.first.row)]
      : [];
  },
  fixtures: {
    fail: [fromLastYear({ PL_DISTANCE: '4.0' }, { PL_DISTANCE: '4.2' })],
    pass: [fromLastYear({ PL_DISTANCE: '4.0' }, { PL_DISTANCE: '4.1' })],
  },
};

/** 999.9 is the DfE's marker for a distance that could not be worked out. */
const rule454: Ssda903Rule = {
  code: '454',
  check: (child) =>
    episodes(child.tables)
      .filter((e) => {
        const d = distance(e.row);
        return d !== null && d > 350 && d !== 999.9;
      })
      .map((e) => at('Episodes', ['PL_DISTANCE'], e.row)),
  fixtures: {
    fail: [ep0({ PL_DISTANCE: '350.1' })],
    pass: [ep0({ PL_DISTANCE: '350' }), ep0({ PL_DISTANCE: '999.9' })],
  },
};

export const SEQUENCE_RULES: readonly Ssda903Rule[] = [
  rule392a,
  rule392b,
  rule392c,
  rule392d,
  rule398,
  rule406,
  rule411,
  rule420,
  rule431,
  rule432,
  rule433,
  rule434,
  rule435,
  rule436,
  rule437,
  rule452,
  rule453,
  rule454,
];
