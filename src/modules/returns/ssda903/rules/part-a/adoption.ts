/**
 * SSDA903 part A: adoption (AD1) and decisions that a child should be placed for adoption
 * (PlacedAdoption): rules 112-120, 134, 151, 175-177, 184.
 */
import { ukDay } from '../../../validation/dates.ts';
import type { Finding } from '../../../validation/rule.ts';
import type { Child903, Row, Ssda903Context } from '../../model.ts';
import type { Ssda903Rule } from '../index.ts';
import {
  AD1_ITEMS,
  addRow,
  at,
  badCode,
  badDate,
  dobOf,
  episodeOf,
  episodes,
  flag,
  headerOf,
  inYear,
  LS_ADOPTR_CODES,
  NB_ADOPTR_CODES,
  OC3_ITEMS,
  present,
  REASON_PLACED_CEASED,
  SEX_ADOPTR_CODES,
  SHORT_BREAKS,
  ukPlus,
  val,
  ZERO_ONE,
} from './helpers.ts';

/** A complete AD1 row for the child, with `extra` overriding (undefined clears a field). */
function ad1(c: Child903, ctx: Ssda903Context, extra: Record<string, string | undefined> = {}): Row {
  return addRow(c, 'AD1', {
    DOB: val(headerOf(c), 'DOB'),
    DATE_INT: inYear(ctx, 1, 6),
    DATE_MATCH: inYear(ctx, 1, 9),
    FOSTER_CARE: '0',
    NB_ADOPTR: '2',
    SEX_ADOPTR: 'MF',
    LS_ADOPTR: 'L11',
    ...extra,
  });
}

function placed(c: Child903, values: Record<string, string | undefined>): Row {
  return addRow(c, 'PlacedAdoption', { DOB: val(headerOf(c), 'DOB'), ...values });
}

const rule112: Ssda903Rule = {
  code: '112',
  check: (c) => flag('AD1', ['DATE_INT'], c.tables.AD1, (r) => badDate(r, 'DATE_INT')),
  fixtures: {
    fail: [(c, x) => void ad1(c, x, { DATE_INT: '32/05/2025' })],
    pass: [(c, x) => void ad1(c, x)],
  },
};

const rule113: Ssda903Rule = {
  code: '113',
  check: (c) => flag('AD1', ['DATE_MATCH'], c.tables.AD1, (r) => badDate(r, 'DATE_MATCH')),
  fixtures: {
    fail: [(c, x) => void ad1(c, x, { DATE_MATCH: '2025/09/01' })],
    pass: [(c, x) => void ad1(c, x)],
  },
};

const rule114: Ssda903Rule = {
  code: '114',
  check: (c) => flag('AD1', ['FOSTER_CARE'], c.tables.AD1, (r) => badCode(r, 'FOSTER_CARE', ZERO_ONE)),
  fixtures: {
    fail: [(c, x) => void ad1(c, x, { FOSTER_CARE: '2' })],
    pass: [(c, x) => void ad1(c, x, { FOSTER_CARE: '1' })],
  },
};

const rule115: Ssda903Rule = {
  code: '115',
  check: (c) =>
    flag('PlacedAdoption', ['DATE_PLACED'], c.tables.PlacedAdoption, (r) => badDate(r, 'DATE_PLACED')),
  fixtures: {
    fail: [(c) => void placed(c, { DATE_PLACED: '31/06/2025' })],
    pass: [(c, x) => void placed(c, { DATE_PLACED: inYear(x, 30, 6) })],
  },
};

const rule116: Ssda903Rule = {
  code: '116',
  check: (c) =>
    flag('PlacedAdoption', ['DATE_PLACED_CEASED'], c.tables.PlacedAdoption, (r) =>
      badDate(r, 'DATE_PLACED_CEASED'),
    ),
  fixtures: {
    fail: [
      (c, x) =>
        void placed(c, {
          DATE_PLACED: inYear(x, 30, 6),
          DATE_PLACED_CEASED: 'soon',
          REASON_PLACED_CEASED: 'RD1',
        }),
    ],
    pass: [
      (c, x) =>
        void placed(c, {
          DATE_PLACED: inYear(x, 30, 6),
          DATE_PLACED_CEASED: inYear(x, 1, 9),
          REASON_PLACED_CEASED: 'RD1',
        }),
    ],
  },
};

/**
 * Decisions (to place for adoption, or to stop) fall no later than 31 March, nor after the end of
 * the child's latest period of care when it has ended.
 */
function check117(c: Child903, ctx: Ssda903Context): Finding[] {
  const ended = episodes(c.tables).filter((e) => val(e.row, 'REC') !== 'X1' && e.decom !== null);
  const latest = ended[ended.length - 1];
  const limit = latest && latest.dec !== null ? Math.min(latest.dec, ctx.periodEnd) : ctx.periodEnd;
  const out: Finding[] = [];
  for (const r of c.tables.PlacedAdoption) {
    const late = (['DATE_PLACED', 'DATE_PLACED_CEASED'] as const).filter((f) => {
      const d = ukDay(val(r, f));
      return d !== null && d > limit;
    });
    if (late.length > 0) out.push(at('PlacedAdoption', late, r));
  }
  return out;
}

const rule117: Ssda903Rule = {
  code: '117',
  check: check117,
  fixtures: {
    fail: [
      (c, x) => void placed(c, { DATE_PLACED: ukPlus(x.periodEnd, 1) }),
      (c, x) => {
        episodeOf(c).values.DEC = inYear(x, 1, 10);
        episodeOf(c).values.REC = 'E13';
        placed(c, {
          DATE_PLACED: inYear(x, 30, 9),
          DATE_PLACED_CEASED: inYear(x, 2, 10),
          REASON_PLACED_CEASED: 'RD4',
        });
      },
    ],
    pass: [
      (c, x) => void placed(c, { DATE_PLACED: ukPlus(x.periodEnd, 0) }),
      (c, x) => {
        episodeOf(c).values.DEC = inYear(x, 1, 10);
        episodeOf(c).values.REC = 'E13';
        placed(c, {
          DATE_PLACED: inYear(x, 30, 9),
          DATE_PLACED_CEASED: inYear(x, 1, 10),
          REASON_PLACED_CEASED: 'RD4',
        });
      },
    ],
  },
};

/** A decision to stop planning adoption falls in the year, and not before care (other than short breaks) began. */
function check118(c: Child903, ctx: Ssda903Context): Finding[] {
  const first = episodes(c.tables).find((e) => e.decom !== null && !SHORT_BREAKS.has(val(e.row, 'LS') ?? ''));
  const limit = Math.max(ctx.periodStart, first?.decom ?? ctx.periodStart);
  return flag('PlacedAdoption', ['DATE_PLACED_CEASED'], c.tables.PlacedAdoption, (r) => {
    const d = ukDay(val(r, 'DATE_PLACED_CEASED'));
    return d !== null && d < limit;
  });
}

const rule118: Ssda903Rule = {
  code: '118',
  check: check118,
  fixtures: {
    fail: [
      (c, x) =>
        void placed(c, {
          DATE_PLACED: ukPlus(x.periodStart, -30),
          DATE_PLACED_CEASED: ukPlus(x.periodStart, -1),
          REASON_PLACED_CEASED: 'RD1',
        }),
      (c, x) =>
        void placed(c, {
          DATE_PLACED: inYear(x, 1, 4),
          DATE_PLACED_CEASED: inYear(x, 9, 5),
          REASON_PLACED_CEASED: 'RD1',
        }),
    ],
    pass: [
      (c, x) =>
        void placed(c, {
          DATE_PLACED: inYear(x, 1, 4),
          DATE_PLACED_CEASED: inYear(x, 10, 5),
          REASON_PLACED_CEASED: 'RD1',
        }),
    ],
  },
};

const rule119: Ssda903Rule = {
  code: '119',
  check: (c) =>
    flag(
      'PlacedAdoption',
      ['DATE_PLACED_CEASED', 'REASON_PLACED_CEASED'],
      c.tables.PlacedAdoption,
      (r) => present(r, 'DATE_PLACED_CEASED') !== present(r, 'REASON_PLACED_CEASED'),
    ),
  fixtures: {
    fail: [
      (c, x) => void placed(c, { DATE_PLACED: inYear(x, 30, 6), DATE_PLACED_CEASED: inYear(x, 1, 9) }),
      (c, x) => void placed(c, { DATE_PLACED: inYear(x, 30, 6), REASON_PLACED_CEASED: 'RD3' }),
    ],
    pass: [
      (c, x) => void placed(c, { DATE_PLACED: inYear(x, 30, 6) }),
      (c, x) =>
        void placed(c, {
          DATE_PLACED: inYear(x, 30, 6),
          DATE_PLACED_CEASED: inYear(x, 1, 9),
          REASON_PLACED_CEASED: 'RD3',
        }),
    ],
  },
};

const rule120: Ssda903Rule = {
  code: '120',
  check: (c) =>
    flag('PlacedAdoption', ['REASON_PLACED_CEASED'], c.tables.PlacedAdoption, (r) =>
      badCode(r, 'REASON_PLACED_CEASED', REASON_PLACED_CEASED),
    ),
  fixtures: {
    fail: [
      (c, x) =>
        void placed(c, {
          DATE_PLACED: inYear(x, 30, 6),
          DATE_PLACED_CEASED: inYear(x, 1, 9),
          REASON_PLACED_CEASED: 'RD5',
        }),
    ],
    pass: [
      (c, x) =>
        void placed(c, {
          DATE_PLACED: inYear(x, 30, 6),
          DATE_PLACED_CEASED: inYear(x, 1, 9),
          REASON_PLACED_CEASED: 'RD4',
        }),
    ],
  },
};

/** A care leaver (OC3 answered) has no adoption data. */
function check134(c: Child903): Finding[] {
  const leaver = c.tables.OC3.some((r) => OC3_ITEMS.some((f) => present(r, f)));
  if (!leaver) return [];
  return flag('AD1', AD1_ITEMS, c.tables.AD1, (r) => AD1_ITEMS.some((f) => present(r, f)));
}

const rule134: Ssda903Rule = {
  code: '134',
  check: check134,
  fixtures: {
    fail: [
      (c, x) => {
        ad1(c, x);
        addRow(c, 'OC3', { DOB: val(headerOf(c), 'DOB'), IN_TOUCH: 'YES', ACTIV: 'F2', ACCOM: 'B1' });
      },
    ],
    pass: [
      (c, x) => void ad1(c, x),
      (c) =>
        void addRow(c, 'OC3', { DOB: val(headerOf(c), 'DOB'), IN_TOUCH: 'YES', ACTIV: 'F2', ACCOM: 'B1' }),
    ],
  },
};

const rule151: Ssda903Rule = {
  code: '151',
  check: (c) =>
    flag('AD1', AD1_ITEMS, c.tables.AD1, (r) => {
      const n = AD1_ITEMS.filter((f) => present(r, f)).length;
      return n > 0 && n < AD1_ITEMS.length;
    }),
  fixtures: {
    fail: [
      (c, x) => void ad1(c, x, { LS_ADOPTR: undefined }),
      (c, x) => void ad1(c, x, { DATE_MATCH: undefined }),
    ],
    pass: [(c, x) => void ad1(c, x)],
  },
};

const rule175: Ssda903Rule = {
  code: '175',
  check: (c) => flag('AD1', ['NB_ADOPTR'], c.tables.AD1, (r) => badCode(r, 'NB_ADOPTR', NB_ADOPTR_CODES)),
  fixtures: {
    fail: [(c, x) => void ad1(c, x, { NB_ADOPTR: '3' })],
    pass: [(c, x) => void ad1(c, x, { NB_ADOPTR: '1', SEX_ADOPTR: 'F1', LS_ADOPTR: 'L0' })],
  },
};

const rule176: Ssda903Rule = {
  code: '176',
  check: (c) => flag('AD1', ['SEX_ADOPTR'], c.tables.AD1, (r) => badCode(r, 'SEX_ADOPTR', SEX_ADOPTR_CODES)),
  fixtures: {
    fail: [(c, x) => void ad1(c, x, { SEX_ADOPTR: 'M2' })],
    pass: [(c, x) => void ad1(c, x, { SEX_ADOPTR: 'FF' })],
  },
};

const rule177: Ssda903Rule = {
  code: '177',
  check: (c) => flag('AD1', ['LS_ADOPTR'], c.tables.AD1, (r) => badCode(r, 'LS_ADOPTR', LS_ADOPTR_CODES)),
  fixtures: {
    fail: [(c, x) => void ad1(c, x, { LS_ADOPTR: 'L1' })],
    pass: [(c, x) => void ad1(c, x, { LS_ADOPTR: 'L4' })],
  },
};

function check184(c: Child903): Finding[] {
  return flag('PlacedAdoption', ['DATE_PLACED', 'DOB'], c.tables.PlacedAdoption, (r) => {
    const dob = dobOf(c, r);
    const d = ukDay(val(r, 'DATE_PLACED'));
    return dob !== null && d !== null && d < dob;
  });
}

const rule184: Ssda903Rule = {
  code: '184',
  check: check184,
  fixtures: {
    fail: [
      (c) => {
        const dob = ukDay(val(headerOf(c), 'DOB')) ?? 0;
        placed(c, { DATE_PLACED: ukPlus(dob, -1) });
      },
    ],
    pass: [
      (c) => {
        const dob = ukDay(val(headerOf(c), 'DOB')) ?? 0;
        placed(c, { DATE_PLACED: ukPlus(dob, 0) });
      },
    ],
  },
};

export const ADOPTION_RULES: readonly Ssda903Rule[] = [
  rule112,
  rule113,
  rule114,
  rule115,
  rule116,
  rule117,
  rule118,
  rule119,
  rule120,
  rule134,
  rule151,
  rule175,
  rule176,
  rule177,
  rule184,
];
