/**
 * Episode and missing-episode checks of the 1000 series (1004–1006, 1008, 1009, 1015) and the two
 * "episodes needed" warnings (EPI, NoE). Fixtures run on the 2025-26 baseline.
 */
import { row, type Child903, type OfstedProvider, type Ssda903Context } from '../../model.ts';
import type { Ssda903Rule } from '../index.ts';
import { cell, day, finding, invalidDate, SHORT_BREAKS, values } from './helpers.ts';

/** Fixtures: a context that knows one Ofsted provider, a children's home of this council. */
function withProviders(ctx: Ssda903Context, la = 'E10000015'): void {
  ctx.la = 'E10000015';
  ctx.providers = new Map<string, OfstedProvider>([
    ['SC999999', { placeCodes: ['K2'], providerCodes: ['PR1'], la }],
  ]);
}

function addMissing(c: Child903, cells: Record<string, string | undefined>): void {
  c.tables.Missing.push(
    row(
      { CHILD: c.id, DOB: c.tables.Header[0]?.values.DOB, MISSING: 'M', ...cells },
      c.tables.Missing.length + 1,
    ),
  );
}

const rule1004: Ssda903Rule = {
  code: '1004',
  check: (child) =>
    child.tables.Missing.filter((r) => day(r, 'MIS_START') === null).map((r) =>
      finding('Missing', ['MIS_START'], r),
    ),
  fixtures: {
    fail: [
      (c) => addMissing(c, { MIS_START: '10/24/2025' }),
      (c) => addMissing(c, { MIS_END: '02/06/2025' }),
    ],
    pass: [(c) => addMissing(c, { MIS_START: '01/06/2025', MIS_END: '02/06/2025' })],
  },
};

const rule1005: Ssda903Rule = {
  code: '1005',
  check: (child) =>
    child.tables.Missing.filter((r) => invalidDate(r, 'MIS_END')).map((r) =>
      finding('Missing', ['MIS_END'], r),
    ),
  fixtures: {
    fail: [(c) => addMissing(c, { MIS_START: '01/06/2025', MIS_END: '02/06/25' })],
    pass: [
      (c) => addMissing(c, { MIS_START: '01/06/2025', MIS_END: '02/06/2025' }),
      (c) => addMissing(c, { MIS_START: '01/06/2025' }),
    ],
  },
};

const MISSING_TYPES: ReadonlySet<string> = new Set(['M', 'A']);

const rule1006: Ssda903Rule = {
  code: '1006',
  check: (child) =>
    child.tables.Missing.filter((r) => {
      const v = cell(r, 'MISSING');
      return v !== undefined && !MISSING_TYPES.has(v);
    }).map((r) => finding('Missing', ['MISSING'], r)),
  fixtures: {
    fail: [(c) => addMissing(c, { MISSING: 'm', MIS_START: '01/06/2025' })],
    pass: [(c) => addMissing(c, { MISSING: 'A', MIS_START: '01/06/2025' })],
  },
};

/** `XXXXXXX` (no URN), `SC` and six digits, or a six- or seven-digit number. */
const URN_FORM = /^(XXXXXXX|SC\d{6}|\d{6,7})$/;

/**
 * Ofsted URN: checked against Ofsted's provider register when the context carries it; otherwise
 * only its form can be checked.
 */
const rule1008: Ssda903Rule = {
  code: '1008',
  check: (child, ctx) => {
    const register = ctx.providers;
    return child.tables.Episodes.filter((e) => {
      const urn = cell(e, 'URN');
      if (urn === undefined || urn === 'XXXXXXX') return false;
      return register ? !register.has(urn) : !URN_FORM.test(urn);
    }).map((e) => finding('Episodes', ['URN'], e));
  },
  fixtures: {
    fail: [
      (c) => (values(c.tables.Episodes).URN = 'XXXXXX'),
      (c) => (values(c.tables.Episodes).URN = '5b67891'),
      (c, ctx) => {
        withProviders(ctx);
        values(c.tables.Episodes).URN = 'SC123456';
      },
    ],
    pass: [
      (c) => (values(c.tables.Episodes).URN = 'SC123456'),
      (c) => (values(c.tables.Episodes).URN = '1234567'),
      (c, ctx) => {
        withProviders(ctx);
        values(c.tables.Episodes).URN = 'SC999999';
      },
    ],
  },
};

const PLACE_CHANGE_REASONS: ReadonlySet<string> = new Set([
  'CARPL',
  'CLOSE',
  'ALLEG',
  'STAND',
  'APPRR',
  'CREQB',
  'CREQO',
  'CHILD',
  'LAREQ',
  'PLACE',
  'CUSTOD',
  'OTHER',
]);

const rule1009: Ssda903Rule = {
  code: '1009',
  check: (child) =>
    child.tables.Episodes.filter((e) => {
      const v = cell(e, 'REASON_PLACE_CHANGE');
      return v !== undefined && !PLACE_CHANGE_REASONS.has(v);
    }).map((e) => finding('Episodes', ['REASON_PLACE_CHANGE'], e)),
  fixtures: {
    fail: [(c) => (values(c.tables.Episodes).REASON_PLACE_CHANGE = 'CARER')],
    pass: [(c) => (values(c.tables.Episodes).REASON_PLACE_CHANGE = 'CREQB')],
  },
};

/** Foster and adoption placements and supported accommodation may be out of area though own provision. */
const OWN_PROVISION_ANYWHERE: ReadonlySet<string> = new Set([
  'A3',
  'A4',
  'A5',
  'A6',
  'U1',
  'U2',
  'U3',
  'U4',
  'U5',
  'U6',
  'K3',
]);

/**
 * Own provision (PR1) outside the local authority. The placement's authority is not in the return
 * (it would come from the placement postcode): it is taken from the Ofsted provider the URN names,
 * so the rule runs only when the context carries the provider list and the council's LA code, and
 * only for placements whose provider's authority is known.
 */
const rule1015: Ssda903Rule = {
  code: '1015',
  check: (child, ctx) => {
    const { providers, la } = ctx;
    if (!providers || la === undefined) return [];
    return child.tables.Episodes.filter((e) => {
      const place = cell(e, 'PLACE');
      const ls = cell(e, 'LS');
      if (cell(e, 'PLACE_PROVIDER') !== 'PR1' || place === undefined || ls === undefined) return false;
      if (OWN_PROVISION_ANYWHERE.has(place) || SHORT_BREAKS.has(ls)) return false;
      const placedIn = providers.get(cell(e, 'URN') ?? '')?.la;
      return placedIn !== undefined && placedIn !== la;
    }).map((e) => finding('Episodes', ['PLACE_PROVIDER', 'URN'], e));
  },
  fixtures: {
    fail: [
      (c, ctx) => {
        withProviders(ctx, 'E06000055');
        Object.assign(values(c.tables.Episodes), { PLACE: 'K2', URN: 'SC999999' });
      },
    ],
    pass: [
      (c, ctx) => {
        withProviders(ctx);
        Object.assign(values(c.tables.Episodes), { PLACE: 'K2', URN: 'SC999999' });
      },
      (c, ctx) => {
        withProviders(ctx, 'E06000055');
        Object.assign(values(c.tables.Episodes), { PLACE: 'K3', URN: 'SC999999' });
      },
      (c, ctx) => {
        withProviders(ctx, 'E06000055');
        Object.assign(values(c.tables.Episodes), {
          PLACE: 'K2',
          PLACE_PROVIDER: 'PR4',
          URN: 'SC999999',
        });
      },
    ],
  },
};

/** A child in the Header with neither episodes nor care leaver information. */
const ruleEPI: Ssda903Rule = {
  code: 'EPI',
  check: (child) =>
    child.tables.Episodes.length === 0 && child.tables.OC3.length === 0
      ? child.tables.Header.map((r) => finding('Header', ['CHILD'], r))
      : [],
  fixtures: {
    fail: [(c) => (c.tables.Episodes = [])],
    pass: [
      (c) => {
        c.tables.Episodes = [];
        c.tables.OC3.push(
          row({ CHILD: c.id, DOB: '01/05/2007', IN_TOUCH: 'YES', ACTIV: 'F2', ACCOM: 'U1' }, 1),
        );
      },
    ],
  },
};

/** Looked after since before this year, but absent from last year's episodes. */
const ruleNoE: Ssda903Rule = {
  code: 'NoE',
  check: (child, ctx) => {
    if (!ctx.hasPrevious || (child.previous?.Episodes.length ?? 0) > 0) return [];
    return child.tables.Episodes.filter((e) => {
      const start = day(e, 'DECOM');
      return start !== null && start < ctx.periodStart;
    }).map((e) => finding('Episodes', ['DECOM'], e));
  },
  fixtures: {
    fail: [
      (c, ctx) => {
        ctx.hasPrevious = true;
        values(c.tables.Episodes).DECOM = '31/03/2025';
      },
    ],
    pass: [
      (c, ctx) => {
        ctx.hasPrevious = true;
        values(c.tables.Episodes).DECOM = '01/04/2025';
      },
      (c, ctx) => {
        ctx.hasPrevious = true;
        c.previous = structuredClone(c.tables);
        values(c.tables.Episodes).DECOM = '31/03/2025';
      },
    ],
  },
};

export const EPISODE_RULES: readonly Ssda903Rule[] = [
  rule1004,
  rule1005,
  rule1006,
  rule1008,
  rule1009,
  rule1015,
  ruleEPI,
  ruleNoE,
];
