/** Part C adoption rules: AD1 adopter details, decisions to place for adoption (PlacedAdoption). */
import { ukDay } from '../../../validation/dates.ts';
import type { Finding } from '../../../validation/rule.ts';
import type { Child903, Row, Ssda903Context } from '../../model.ts';
import type { Ssda903Rule } from '../index.ts';
import { addRow, adopters, adoptedThisYear, ep, inYear, lastYear } from './fixtures.ts';
import {
  ADOPTED,
  at,
  episodesOf,
  latestPlacedAdoption,
  PLACED_FOR_ADOPTION,
  placedAdoptionRows,
  val,
} from './helpers.ts';

const COUPLES = new Set(['MM', 'FF', 'MF']);
const SAME_SEX_COUPLES = new Set(['MM', 'FF']);
const SINGLES = new Set(['M1', 'F1']);
const ADOPTION_FIELDS = [
  'DATE_INT',
  'DATE_MATCH',
  'FOSTER_CARE',
  'NB_ADOPTR',
  'SEX_ADOPTR',
  'LS_ADOPTR',
] as const;

/** An AD1 rule over one row: `bad` says whether the row breaks it. */
function ad1Rule(
  code: string,
  fields: readonly string[],
  bad: (r: Row) => boolean,
  fail: Record<string, string | undefined>[],
  pass: Record<string, string | undefined>[],
): Ssda903Rule {
  return {
    code,
    check: (child) => child.tables.AD1.flatMap((r) => (bad(r) ? [at('AD1', fields, r)] : [])),
    fixtures: {
      fail: fail.map((v) => (c: Child903, ctx: Ssda903Context) => void adopters(c, ctx, v)),
      pass: pass.map((v) => (c: Child903, ctx: Ssda903Context) => void adopters(c, ctx, v)),
    },
  };
}

const sex = (r: Row): string => val(r, 'SEX_ADOPTR') ?? '';
const ls = (r: Row): string | undefined => val(r, 'LS_ADOPTR');

const rule511 = ad1Rule(
  '511',
  ['NB_ADOPTR', 'SEX_ADOPTR'],
  (r) => val(r, 'NB_ADOPTR') === '2' && val(r, 'SEX_ADOPTR') !== undefined && !COUPLES.has(sex(r)),
  [{ NB_ADOPTR: '2', SEX_ADOPTR: 'F1' }],
  [
    { NB_ADOPTR: '2', SEX_ADOPTR: 'FF' },
    { NB_ADOPTR: '1', SEX_ADOPTR: 'F1', LS_ADOPTR: 'L0' },
  ],
);

const rule514 = ad1Rule(
  '514',
  ['LS_ADOPTR', 'NB_ADOPTR', 'SEX_ADOPTR'],
  (r) => ls(r) === 'L0' && (val(r, 'NB_ADOPTR') === '2' || COUPLES.has(sex(r))),
  [{ LS_ADOPTR: 'L0' }, { LS_ADOPTR: 'L0', NB_ADOPTR: '1', SEX_ADOPTR: 'MF' }],
  [{ LS_ADOPTR: 'L0', NB_ADOPTR: '1', SEX_ADOPTR: 'M1' }],
);

const rule517 = ad1Rule(
  '517',
  ['LS_ADOPTR', 'SEX_ADOPTR'],
  (r) => ls(r) === 'L3' && sex(r) !== 'MF',
  [{ LS_ADOPTR: 'L3', SEX_ADOPTR: 'FF' }],
  [{ LS_ADOPTR: 'L3', SEX_ADOPTR: 'MF' }],
);

const rule518 = ad1Rule(
  '518',
  ['LS_ADOPTR', 'SEX_ADOPTR'],
  (r) => ls(r) === 'L4' && !SAME_SEX_COUPLES.has(sex(r)),
  [{ LS_ADOPTR: 'L4', SEX_ADOPTR: 'MF' }],
  [{ LS_ADOPTR: 'L4', SEX_ADOPTR: 'MM' }],
);

const rule519 = ad1Rule(
  '519',
  ['LS_ADOPTR', 'SEX_ADOPTR'],
  (r) => ls(r) === 'L2' && SINGLES.has(sex(r)),
  [{ LS_ADOPTR: 'L2', SEX_ADOPTR: 'F1' }],
  [{ LS_ADOPTR: 'L2', SEX_ADOPTR: 'FF' }],
);

const rule520 = ad1Rule(
  '520',
  ['LS_ADOPTR', 'SEX_ADOPTR'],
  (r) => ls(r) === 'L11' && SAME_SEX_COUPLES.has(sex(r)),
  [{ LS_ADOPTR: 'L11', SEX_ADOPTR: 'MM' }],
  [{ LS_ADOPTR: 'L11', SEX_ADOPTR: 'MF' }],
);

const rule524 = ad1Rule(
  '524',
  ['LS_ADOPTR', 'SEX_ADOPTR'],
  (r) => ls(r) === 'L12' && !SAME_SEX_COUPLES.has(sex(r)),
  [{ LS_ADOPTR: 'L12', SEX_ADOPTR: 'MF' }],
  [{ LS_ADOPTR: 'L12', SEX_ADOPTR: 'FF' }],
);

const rule521: Ssda903Rule = {
  code: '521',
  check: (child) => {
    const out: Finding[] = [];
    for (const a of child.tables.AD1) {
      const int = ukDay(val(a, 'DATE_INT'));
      if (int === null) continue;
      for (const e of episodesOf(child.tables)) {
        if (PLACED_FOR_ADOPTION.has(val(e.row, 'PLACE') ?? '') && e.decom !== null && int > e.decom) {
          out.push(at('Episodes', ['PLACE', 'DECOM'], e.row), at('AD1', ['DATE_INT'], a));
        }
      }
    }
    return out;
  },
  fixtures: {
    fail: [(c, ctx) => void adopters(c, ctx, { DATE_INT: inYear(ctx, '11/05') })],
    pass: [(c, ctx) => void adopters(c, ctx, { DATE_INT: inYear(ctx, '10/05') })],
  },
};

const rule522: Ssda903Rule = {
  code: '522',
  check: (child) =>
    child.tables.PlacedAdoption.flatMap((r) => {
      const placed = ukDay(val(r, 'DATE_PLACED'));
      const ceased = ukDay(val(r, 'DATE_PLACED_CEASED'));
      return placed !== null && ceased !== null && placed > ceased
        ? [at('PlacedAdoption', ['DATE_PLACED', 'DATE_PLACED_CEASED'], r)]
        : [];
    }),
  fixtures: {
    fail: [
      (c, ctx) =>
        void addRow(c, 'PlacedAdoption', {
          DATE_PLACED: inYear(ctx, '01/06'),
          DATE_PLACED_CEASED: inYear(ctx, '31/05'),
          REASON_PLACED_CEASED: 'RD1',
        }),
    ],
    pass: [
      (c, ctx) =>
        void addRow(c, 'PlacedAdoption', {
          DATE_PLACED: inYear(ctx, '01/06'),
          DATE_PLACED_CEASED: inYear(ctx, '01/06'),
          REASON_PLACED_CEASED: 'RD1',
        }),
    ],
  },
};

/** The current decision (latest DATE_PLACED) must be dated as the AD1 best-interests decision. */
const rule523: Ssda903Rule = {
  code: '523',
  check: (child) => {
    const placed = latestPlacedAdoption(child.tables);
    const placedDay = placed ? ukDay(val(placed, 'DATE_PLACED')) : null;
    if (!placed || placedDay === null) return [];
    return child.tables.AD1.flatMap((a) => {
      const int = ukDay(val(a, 'DATE_INT'));
      return int !== null && int !== placedDay
        ? [at('AD1', ['DATE_INT'], a), at('PlacedAdoption', ['DATE_PLACED'], placed)]
        : [];
    });
  },
  fixtures: {
    fail: [(c, ctx) => void adopters(c, ctx, { DATE_INT: inYear(ctx, '02/05') })],
    pass: [
      (c, ctx) => void adoptedThisYear(c, ctx),
      (c, ctx) => {
        // an earlier decision, reversed, does not count
        adoptedThisYear(c, ctx);
        addRow(c, 'PlacedAdoption', {
          DATE_PLACED: inYear(ctx, '01/04'),
          DATE_PLACED_CEASED: inYear(ctx, '20/04'),
          REASON_PLACED_CEASED: 'RD4',
        });
      },
    ],
  },
};

/** The current decision was reversed, yet adoption details are given. */
const rule525: Ssda903Rule = {
  code: '525',
  check: (child) => {
    const placed = latestPlacedAdoption(child.tables);
    if (!placed || val(placed, 'DATE_PLACED_CEASED') === undefined) return [];
    return child.tables.AD1.flatMap((a) =>
      ADOPTION_FIELDS.some((f) => val(a, f) !== undefined)
        ? [at('PlacedAdoption', ['DATE_PLACED_CEASED'], placed), at('AD1', ADOPTION_FIELDS, a)]
        : [],
    );
  },
  fixtures: {
    fail: [
      (c, ctx) => {
        const { placed } = adoptedThisYear(c, ctx);
        placed.values.DATE_PLACED_CEASED = inYear(ctx, '01/11');
        placed.values.REASON_PLACED_CEASED = 'RD1';
      },
    ],
    pass: [(c, ctx) => void adoptedThisYear(c, ctx)],
  },
};

function decisionDates(child: Child903): number[] {
  return child.tables.PlacedAdoption.flatMap((r) => {
    const d = ukDay(val(r, 'DATE_PLACED'));
    return d === null ? [] : [d];
  });
}

const rule551: Ssda903Rule = {
  code: '551',
  check: (child) => {
    if (decisionDates(child).length > 0) return [];
    return child.tables.Episodes.flatMap((r) =>
      PLACED_FOR_ADOPTION.has(val(r, 'PLACE') ?? '') ? [at('Episodes', ['PLACE'], r)] : [],
    );
  },
  fixtures: {
    fail: [
      (c, ctx) => {
        const { placed } = adoptedThisYear(c, ctx);
        delete placed.values.DATE_PLACED;
      },
    ],
    pass: [(c, ctx) => void adoptedThisYear(c, ctx)],
  },
};

const rule552: Ssda903Rule = {
  code: '552',
  check: (child) => {
    const dates = decisionDates(child);
    if (dates.length === 0) return [];
    const earliest = Math.min(...dates);
    return episodesOf(child.tables).flatMap((e) =>
      PLACED_FOR_ADOPTION.has(val(e.row, 'PLACE') ?? '') && e.decom !== null && earliest > e.decom
        ? [at('Episodes', ['PLACE', 'DECOM'], e.row)]
        : [],
    );
  },
  fixtures: {
    fail: [
      (c, ctx) => {
        const { placed } = adoptedThisYear(c, ctx);
        placed.values.DATE_PLACED = inYear(ctx, '11/05');
      },
    ],
    pass: [
      (c, ctx) => {
        const { placed } = adoptedThisYear(c, ctx);
        placed.values.DATE_PLACED = inYear(ctx, '10/05');
      },
    ],
  },
};

const rule553: Ssda903Rule = {
  code: '553',
  check: (child) => {
    if (decisionDates(child).length > 0) return [];
    return child.tables.Episodes.flatMap((r) => (val(r, 'LS') === 'E1' ? [at('Episodes', ['LS'], r)] : []));
  },
  fixtures: {
    fail: [(c) => void (ep(c).values.LS = 'E1')],
    pass: [(c, ctx) => void adoptedThisYear(c, ctx)],
  },
};

const rule554: Ssda903Rule = {
  code: '554',
  check: (child) => {
    const dates = decisionDates(child);
    const firstE1 = episodesOf(child.tables).find((e) => val(e.row, 'LS') === 'E1' && e.decom !== null);
    if (dates.length === 0 || !firstE1 || firstE1.decom === null) return [];
    return Math.min(...dates) > firstE1.decom ? [at('Episodes', ['LS', 'DECOM'], firstE1.row)] : [];
  },
  fixtures: {
    fail: [
      (c, ctx) => {
        const { placed } = adoptedThisYear(c, ctx);
        placed.values.DATE_PLACED = inYear(ctx, '12/05');
      },
    ],
    pass: [
      (c, ctx) => {
        const { placed } = adoptedThisYear(c, ctx);
        placed.values.DATE_PLACED = inYear(ctx, '10/05');
      },
    ],
  },
};

/** Left care other than by adoption (X1 is not leaving care). */
function leftNotAdopted(r: Row): boolean {
  const rec = val(r, 'REC');
  return rec !== undefined && rec !== 'X1' && !ADOPTED.has(rec);
}

const rule557: Ssda903Rule = {
  code: '557',
  check: (child) => {
    const eps = child.tables.Episodes.filter(
      (r) => (PLACED_FOR_ADOPTION.has(val(r, 'PLACE') ?? '') || val(r, 'LS') === 'E1') && leftNotAdopted(r),
    );
    if (eps.length === 0) return [];
    const latest = latestPlacedAdoption(child.tables);
    if (
      latest &&
      val(latest, 'DATE_PLACED_CEASED') !== undefined &&
      val(latest, 'REASON_PLACED_CEASED') !== undefined
    ) {
      return [];
    }
    const out: Finding[] = eps.map((r) => at('Episodes', ['PLACE', 'LS', 'REC'], r));
    if (latest) out.push(at('PlacedAdoption', ['DATE_PLACED_CEASED', 'REASON_PLACED_CEASED'], latest));
    return out;
  },
  fixtures: {
    fail: [
      (c, ctx) => {
        adoptedThisYear(c, ctx);
        ep(c).values.REC = 'E4A';
        c.tables.AD1 = [];
      },
    ],
    pass: [
      (c, ctx) => {
        const { placed } = adoptedThisYear(c, ctx);
        ep(c).values.REC = 'E4A';
        c.tables.AD1 = [];
        placed.values.DATE_PLACED_CEASED = inYear(ctx, '01/12');
        placed.values.REASON_PLACED_CEASED = 'RD1';
      },
      (c, ctx) => void adoptedThisYear(c, ctx),
    ],
  },
};

const rule558: Ssda903Rule = {
  code: '558',
  check: (child) => {
    const adopted = child.tables.Episodes.filter((r) => ADOPTED.has(val(r, 'REC') ?? ''));
    const latest = latestPlacedAdoption(child.tables);
    if (adopted.length === 0 || !latest || val(latest, 'DATE_PLACED_CEASED') === undefined) return [];
    return [
      ...adopted.map((r) => at('Episodes', ['REC'], r)),
      at('PlacedAdoption', ['DATE_PLACED_CEASED'], latest),
    ];
  },
  fixtures: {
    fail: [
      (c, ctx) => {
        const { placed } = adoptedThisYear(c, ctx);
        placed.values.DATE_PLACED_CEASED = inYear(ctx, '01/12');
      },
    ],
    pass: [(c, ctx) => void adoptedThisYear(c, ctx)],
  },
};

function previousDecisions(child: Child903): Row[] {
  return child.previous?.PlacedAdoption ?? [];
}

const rule559: Ssda903Rule = {
  code: '559',
  check: (child, ctx) => {
    if (!ctx.hasPrevious) return [];
    if (previousDecisions(child).some((r) => val(r, 'DATE_PLACED') !== undefined)) return [];
    return child.tables.PlacedAdoption.flatMap((r) => {
      const d = ukDay(val(r, 'DATE_PLACED'));
      return d !== null && d < ctx.periodStart ? [at('PlacedAdoption', ['DATE_PLACED'], r)] : [];
    });
  },
  fixtures: {
    fail: [
      (c, ctx) => {
        addRow(c, 'PlacedAdoption', { DATE_PLACED: inYear(ctx, '31/03') });
        lastYear(c, ctx, () => undefined);
      },
    ],
    pass: [
      (c, ctx) => {
        addRow(c, 'PlacedAdoption', { DATE_PLACED: inYear(ctx, '01/04') });
        lastYear(c, ctx, () => undefined);
      },
      (c, ctx) => {
        addRow(c, 'PlacedAdoption', { DATE_PLACED: inYear(ctx, '31/03') });
        lastYear(c, ctx, (prev) =>
          prev.PlacedAdoption.push({ row: 1, values: { DATE_PLACED: inYear(ctx, '31/03') } }),
        );
      },
    ],
  },
};

/** Last year's decision was still open, so this year must carry the same date. */
const rule560: Ssda903Rule = {
  code: '560',
  check: (child, ctx) => {
    if (!ctx.hasPrevious || child.tables.PlacedAdoption.length === 0) return [];
    const open = previousDecisions(child).filter(
      (r) => val(r, 'DATE_PLACED') !== undefined && val(r, 'DATE_PLACED_CEASED') === undefined,
    );
    const now = new Set(child.tables.PlacedAdoption.map((r) => ukDay(val(r, 'DATE_PLACED'))));
    if (open.every((r) => now.has(ukDay(val(r, 'DATE_PLACED'))))) return [];
    return child.tables.PlacedAdoption.map((r) => at('PlacedAdoption', ['DATE_PLACED'], r));
  },
  fixtures: {
    fail: [
      (c, ctx) => {
        addRow(c, 'PlacedAdoption', { DATE_PLACED: inYear(ctx, '01/05') });
        lastYear(c, ctx, (prev) =>
          prev.PlacedAdoption.push({ row: 1, values: { DATE_PLACED: inYear(ctx, '01/03') } }),
        );
      },
    ],
    pass: [
      (c, ctx) => {
        addRow(c, 'PlacedAdoption', { DATE_PLACED: inYear(ctx, '01/03') });
        lastYear(c, ctx, (prev) =>
          prev.PlacedAdoption.push({ row: 1, values: { DATE_PLACED: inYear(ctx, '01/03') } }),
        );
      },
    ],
  },
};

/** This year repeats a decision date that last year records as reversed. */
const rule561: Ssda903Rule = {
  code: '561',
  check: (child, ctx) => {
    if (!ctx.hasPrevious) return [];
    const reversed = new Set(
      previousDecisions(child)
        .filter(
          (r) => val(r, 'DATE_PLACED_CEASED') !== undefined || val(r, 'REASON_PLACED_CEASED') !== undefined,
        )
        .map((r) => ukDay(val(r, 'DATE_PLACED')))
        .filter((d) => d !== null),
    );
    return child.tables.PlacedAdoption.flatMap((r) => {
      const d = ukDay(val(r, 'DATE_PLACED'));
      return d !== null && reversed.has(d) ? [at('PlacedAdoption', ['DATE_PLACED'], r)] : [];
    });
  },
  fixtures: {
    fail: [
      (c, ctx) => {
        addRow(c, 'PlacedAdoption', { DATE_PLACED: inYear(ctx, '01/03') });
        lastYear(c, ctx, (prev) =>
          prev.PlacedAdoption.push({
            row: 1,
            values: {
              DATE_PLACED: inYear(ctx, '01/03'),
              DATE_PLACED_CEASED: inYear(ctx, '20/03'),
              REASON_PLACED_CEASED: 'RD1',
            },
          }),
        );
      },
    ],
    pass: [
      (c, ctx) => {
        addRow(c, 'PlacedAdoption', { DATE_PLACED: inYear(ctx, '01/06') });
        lastYear(c, ctx, (prev) =>
          prev.PlacedAdoption.push({
            row: 1,
            values: {
              DATE_PLACED: inYear(ctx, '01/03'),
              DATE_PLACED_CEASED: inYear(ctx, '20/03'),
              REASON_PLACED_CEASED: 'RD1',
            },
          }),
        );
      },
    ],
  },
};

const rule563: Ssda903Rule = {
  code: '563',
  check: (child) =>
    child.tables.PlacedAdoption.flatMap((r) =>
      val(r, 'DATE_PLACED') === undefined &&
      (val(r, 'DATE_PLACED_CEASED') !== undefined || val(r, 'REASON_PLACED_CEASED') !== undefined)
        ? [at('PlacedAdoption', ['DATE_PLACED', 'DATE_PLACED_CEASED'], r)]
        : [],
    ),
  fixtures: {
    fail: [
      (c, ctx) =>
        void addRow(c, 'PlacedAdoption', {
          DATE_PLACED_CEASED: inYear(ctx, '01/06'),
          REASON_PLACED_CEASED: 'RD1',
        }),
    ],
    pass: [
      (c, ctx) =>
        void addRow(c, 'PlacedAdoption', {
          DATE_PLACED: inYear(ctx, '01/05'),
          DATE_PLACED_CEASED: inYear(ctx, '01/06'),
          REASON_PLACED_CEASED: 'RD1',
        }),
    ],
  },
};

const rule579: Ssda903Rule = {
  code: '579',
  check: (child) => {
    const rows = placedAdoptionRows(child.tables).filter((p) => p.placed !== null);
    const out: Finding[] = [];
    for (let i = 1; i < rows.length; i++) {
      const prev = rows[i - 1];
      const cur = rows[i];
      if (!prev || !cur || cur.placed === null) continue;
      const prevCeased = ukDay(val(prev.row, 'DATE_PLACED_CEASED'));
      if (
        val(prev.row, 'DATE_PLACED_CEASED') === undefined ||
        (prevCeased !== null && cur.placed < prevCeased)
      ) {
        out.push(at('PlacedAdoption', ['DATE_PLACED', 'DATE_PLACED_CEASED'], cur.row));
      }
    }
    return out;
  },
  fixtures: {
    fail: [
      (c, ctx) => {
        addRow(c, 'PlacedAdoption', { DATE_PLACED: inYear(ctx, '01/05') });
        addRow(c, 'PlacedAdoption', { DATE_PLACED: inYear(ctx, '01/09') });
      },
      (c, ctx) => {
        addRow(c, 'PlacedAdoption', {
          DATE_PLACED: inYear(ctx, '01/05'),
          DATE_PLACED_CEASED: inYear(ctx, '01/10'),
          REASON_PLACED_CEASED: 'RD1',
        });
        addRow(c, 'PlacedAdoption', { DATE_PLACED: inYear(ctx, '30/09') });
      },
    ],
    pass: [
      (c, ctx) => {
        addRow(c, 'PlacedAdoption', {
          DATE_PLACED: inYear(ctx, '01/05'),
          DATE_PLACED_CEASED: inYear(ctx, '01/10'),
          REASON_PLACED_CEASED: 'RD1',
        });
        addRow(c, 'PlacedAdoption', { DATE_PLACED: inYear(ctx, '01/10') });
      },
    ],
  },
};

const rule582: Ssda903Rule = {
  code: '582',
  check: (child) => {
    const matches = new Set(
      child.tables.AD1.map((a) => ukDay(val(a, 'DATE_MATCH'))).filter((d) => d !== null),
    );
    return episodesOf(child.tables).flatMap((e) =>
      ADOPTED.has(val(e.row, 'REC') ?? '') && e.dec !== null && matches.has(e.dec)
        ? [at('Episodes', ['DEC', 'REC'], e.row)]
        : [],
    );
  },
  fixtures: {
    fail: [(c, ctx) => void adopters(c, ctx, { DATE_MATCH: inYear(ctx, '01/12') })],
    pass: [(c, ctx) => void adopters(c, ctx, { DATE_MATCH: inYear(ctx, '30/11') })],
  },
};

const rule583: Ssda903Rule = {
  code: '583',
  check: (child) => {
    const rows = placedAdoptionRows(child.tables);
    return rows
      .slice(0, -1)
      .filter((p) => val(p.row, 'DATE_PLACED_CEASED') === undefined)
      .map((p) => at('PlacedAdoption', ['DATE_PLACED', 'DATE_PLACED_CEASED'], p.row));
  },
  fixtures: {
    fail: [
      (c, ctx) => {
        addRow(c, 'PlacedAdoption', { DATE_PLACED: inYear(ctx, '01/05') });
        addRow(c, 'PlacedAdoption', { DATE_PLACED: inYear(ctx, '01/09') });
      },
    ],
    pass: [
      (c, ctx) => {
        addRow(c, 'PlacedAdoption', {
          DATE_PLACED: inYear(ctx, '01/05'),
          DATE_PLACED_CEASED: inYear(ctx, '01/06'),
          REASON_PLACED_CEASED: 'RD1',
        });
        addRow(c, 'PlacedAdoption', { DATE_PLACED: inYear(ctx, '01/09') });
      },
    ],
  },
};

/**
 * Last year's decision was reversed, so a decision this year must be a new (later) one. A date
 * equal to the reversed one is rule 561's; a later date passes.
 */
const rule584: Ssda903Rule = {
  code: '584',
  check: (child, ctx) => {
    if (!ctx.hasPrevious) return [];
    const reversed = previousDecisions(child)
      .filter(
        (r) => val(r, 'DATE_PLACED_CEASED') !== undefined || val(r, 'REASON_PLACED_CEASED') !== undefined,
      )
      .map((r) => ukDay(val(r, 'DATE_PLACED')))
      .filter((d) => d !== null);
    if (reversed.length === 0) return [];
    const last = Math.max(...reversed);
    return child.tables.PlacedAdoption.flatMap((r) => {
      const d = ukDay(val(r, 'DATE_PLACED'));
      return d === null || d < last ? [at('PlacedAdoption', ['DATE_PLACED'], r)] : [];
    });
  },
  fixtures: {
    fail: [
      (c, ctx) => {
        addRow(c, 'PlacedAdoption', { DATE_PLACED: inYear(ctx, '28/02') });
        lastYear(c, ctx, (prev) =>
          prev.PlacedAdoption.push({
            row: 1,
            values: {
              DATE_PLACED: inYear(ctx, '01/03'),
              DATE_PLACED_CEASED: inYear(ctx, '20/03'),
              REASON_PLACED_CEASED: 'RD1',
            },
          }),
        );
      },
    ],
    pass: [
      (c, ctx) => {
        addRow(c, 'PlacedAdoption', { DATE_PLACED: inYear(ctx, '01/06') });
        lastYear(c, ctx, (prev) =>
          prev.PlacedAdoption.push({
            row: 1,
            values: {
              DATE_PLACED: inYear(ctx, '01/03'),
              DATE_PLACED_CEASED: inYear(ctx, '20/03'),
              REASON_PLACED_CEASED: 'RD1',
            },
          }),
        );
      },
    ],
  },
};

/** Episodes ending in adoption during the collection year. */
function adoptedInYear(child: Child903, ctx: Ssda903Context): Row[] {
  return episodesOf(child.tables)
    .filter(
      (e) =>
        ADOPTED.has(val(e.row, 'REC') ?? '') &&
        e.dec !== null &&
        e.dec >= ctx.periodStart &&
        e.dec <= ctx.periodEnd,
    )
    .map((e) => e.row);
}

const rule601: Ssda903Rule = {
  code: '601',
  check: (child, ctx) => {
    const eps = adoptedInYear(child, ctx);
    if (eps.length === 0) return [];
    const ad1 = child.tables.AD1;
    const incomplete = ad1.filter((a) => ADOPTION_FIELDS.some((f) => val(a, f) === undefined));
    if (ad1.length > 0 && incomplete.length === 0) return [];
    return [
      ...eps.map((r) => at('Episodes', ['REC'], r)),
      ...incomplete.map((a) => at('AD1', ADOPTION_FIELDS, a)),
    ];
  },
  fixtures: {
    fail: [
      (c, ctx) => void adopters(c, ctx, { FOSTER_CARE: undefined }),
      (c, ctx) => {
        adoptedThisYear(c, ctx);
        c.tables.AD1 = [];
      },
    ],
    pass: [(c, ctx) => void adoptedThisYear(c, ctx)],
  },
};

const rule602: Ssda903Rule = {
  code: '602',
  check: (child, ctx) => {
    if (adoptedInYear(child, ctx).length > 0) return [];
    return child.tables.AD1.flatMap((a) =>
      ADOPTION_FIELDS.some((f) => val(a, f) !== undefined) ? [at('AD1', ADOPTION_FIELDS, a)] : [],
    );
  },
  fixtures: {
    fail: [
      (c, ctx) => {
        adoptedThisYear(c, ctx);
        delete ep(c).values.DEC;
        delete ep(c).values.REC;
      },
    ],
    pass: [(c, ctx) => void adoptedThisYear(c, ctx)],
  },
};

export const ADOPTION_RULES: readonly Ssda903Rule[] = [
  rule511,
  rule514,
  rule517,
  rule518,
  rule519,
  rule520,
  rule521,
  rule522,
  rule523,
  rule524,
  rule525,
  rule551,
  rule552,
  rule553,
  rule554,
  rule557,
  rule558,
  rule559,
  rule560,
  rule561,
  rule563,
  rule579,
  rule582,
  rule583,
  rule584,
  rule601,
  rule602,
];
