/** Part C Missing rules: periods missing or away from placement without authorisation. */
import { addYears, ukDay } from '../../../validation/dates.ts';
import type { ChildRule, Finding } from '../../../validation/rule.ts';
import type { Child903, Row, Ssda903Context } from '../../model.ts';
import type { Ssda903Rule } from '../index.ts';
import { addRow, ep, head, inYear, lastYear } from './fixtures.ts';
import { at, dobOf, episodesOf, leavesCare, periodsOfCare, val } from './helpers.ts';

type Mis = { readonly row: Row; readonly start: number | null; readonly end: number | null };

function missingOf(rows: readonly Row[]): Mis[] {
  return rows.map((r) => ({ row: r, start: ukDay(val(r, 'MIS_START')), end: ukDay(val(r, 'MIS_END')) }));
}

function missingRule(
  code: string,
  fields: readonly string[],
  bad: (m: Mis, child: Child903, ctx: Ssda903Context) => boolean,
  fixtures: ChildRule<Child903, Ssda903Context>['fixtures'],
): ChildRule<Child903, Ssda903Context> {
  return {
    code,
    check: (child, ctx) =>
      missingOf(child.tables.Missing).flatMap((m): Finding[] =>
        bad(m, child, ctx) ? [at('Missing', fields, m.row)] : [],
      ),
    fixtures,
  };
}

/** A missing period on 1–3 June (the baseline episode began on 10 May). */
function missing(c: Child903, ctx: Ssda903Context, values: Record<string, string | undefined> = {}): Row {
  return addRow(c, 'Missing', {
    DOB: head(c).values.DOB,
    MISSING: 'M',
    MIS_START: inYear(ctx, '01/06'),
    MIS_END: inYear(ctx, '03/06'),
    ...values,
  });
}

const rule564 = missingRule(
  '564',
  ['MISSING', 'MIS_START'],
  (m) => val(m.row, 'MISSING') !== undefined && val(m.row, 'MIS_START') === undefined,
  {
    fail: [(c, ctx) => void missing(c, ctx, { MIS_START: undefined })],
    pass: [(c, ctx) => void missing(c, ctx)],
  },
);

const rule565 = missingRule(
  '565',
  ['MISSING', 'MIS_START'],
  (m) => val(m.row, 'MIS_START') !== undefined && val(m.row, 'MISSING') === undefined,
  {
    fail: [(c, ctx) => void missing(c, ctx, { MISSING: undefined })],
    pass: [(c, ctx) => void missing(c, ctx, { MISSING: 'A' })],
  },
);

const rule566 = missingRule(
  '566',
  ['MISSING', 'MIS_END'],
  (m) => val(m.row, 'MIS_END') !== undefined && val(m.row, 'MISSING') === undefined,
  {
    fail: [(c, ctx) => void missing(c, ctx, { MISSING: undefined, MIS_START: undefined })],
    pass: [(c, ctx) => void missing(c, ctx)],
  },
);

const rule567 = missingRule(
  '567',
  ['MIS_START', 'MIS_END'],
  (m) => m.start !== null && m.end !== null && m.end < m.start,
  {
    fail: [(c, ctx) => void missing(c, ctx, { MIS_END: inYear(ctx, '31/05') })],
    pass: [(c, ctx) => void missing(c, ctx, { MIS_END: inYear(ctx, '01/06') })],
  },
);

const rule570 = missingRule(
  '570',
  ['MIS_START'],
  (m, _c, ctx) => m.start !== null && m.start > ctx.periodEnd,
  {
    fail: [(c, ctx) => void missing(c, ctx, { MIS_START: inYear(ctx, '01/04', true), MIS_END: undefined })],
    pass: [(c, ctx) => void missing(c, ctx, { MIS_START: inYear(ctx, '31/03', true), MIS_END: undefined })],
  },
);

const rule571 = missingRule(
  '571',
  ['MIS_END'],
  (m, _c, ctx) => m.end !== null && (m.end < ctx.periodStart || m.end > ctx.periodEnd),
  {
    fail: [
      (c, ctx) =>
        void missing(c, ctx, { MIS_START: inYear(ctx, '30/03', true), MIS_END: inYear(ctx, '01/04', true) }),
      (c, ctx) => void missing(c, ctx, { MIS_START: inYear(ctx, '30/03'), MIS_END: inYear(ctx, '31/03') }),
    ],
    pass: [
      (c, ctx) =>
        void missing(c, ctx, { MIS_START: inYear(ctx, '30/03', true), MIS_END: inYear(ctx, '31/03', true) }),
      (c, ctx) => void missing(c, ctx, { MIS_START: inYear(ctx, '30/03'), MIS_END: inYear(ctx, '01/04') }),
    ],
  },
);

const rule574: Ssda903Rule = {
  code: '574',
  check: (child) => {
    const rows = missingOf(child.tables.Missing)
      .filter((m) => m.start !== null)
      .sort((a, b) => (a.start ?? 0) - (b.start ?? 0));
    const out: Finding[] = [];
    for (let i = 1; i < rows.length; i++) {
      const prev = rows[i - 1];
      const cur = rows[i];
      if (!prev || !cur || cur.start === null) continue;
      const open = val(prev.row, 'MIS_END') === undefined;
      if (open || (prev.end !== null && cur.start < prev.end)) {
        out.push(at('Missing', ['MIS_START', 'MIS_END'], cur.row));
      }
    }
    return out;
  },
  fixtures: {
    fail: [
      (c, ctx) => {
        missing(c, ctx, { MIS_END: undefined });
        missing(c, ctx, { MIS_START: inYear(ctx, '10/06'), MIS_END: inYear(ctx, '11/06') });
      },
      (c, ctx) => {
        missing(c, ctx);
        missing(c, ctx, { MIS_START: inYear(ctx, '02/06'), MIS_END: inYear(ctx, '11/06') });
      },
    ],
    pass: [
      (c, ctx) => {
        missing(c, ctx);
        missing(c, ctx, { MIS_START: inYear(ctx, '03/06'), MIS_END: inYear(ctx, '11/06') });
      },
    ],
  },
};

/** An open missing period that began in a placement that has since ended. */
const rule575 = missingRule(
  '575',
  ['MIS_END'],
  (m, child) =>
    m.start !== null &&
    val(m.row, 'MIS_END') === undefined &&
    episodesOf(child.tables).some(
      (e) => e.decom !== null && e.dec !== null && m.start !== null && e.decom <= m.start && m.start <= e.dec,
    ),
  {
    fail: [
      (c, ctx) => {
        ep(c).values.DEC = inYear(ctx, '05/06');
        ep(c).values.REC = 'E8';
        missing(c, ctx, { MIS_END: undefined });
      },
    ],
    pass: [
      (c, ctx) => void missing(c, ctx, { MIS_END: undefined }),
      (c, ctx) => {
        ep(c).values.DEC = inYear(ctx, '05/06');
        ep(c).values.REC = 'E8';
        missing(c, ctx);
      },
    ],
  },
);

/** Last year ended with the child still missing: this year must start with that same period. */
const rule576: Ssda903Rule = {
  code: '576',
  check: (child, ctx) => {
    if (!ctx.hasPrevious || !child.previous || child.tables.Episodes.length === 0) return [];
    const open = missingOf(child.previous.Missing).filter(
      (m) => m.start !== null && val(m.row, 'MIS_END') === undefined,
    );
    if (open.length === 0) return [];
    const now = missingOf(child.tables.Missing);
    const starts = now.map((m) => m.start).filter((s) => s !== null);
    const earliest = starts.length > 0 ? Math.min(...starts) : null;
    if (open.some((m) => m.start === earliest)) return [];
    const first = now.find((m) => m.start === earliest) ?? now[0];
    return [first ? at('Missing', ['MIS_START'], first.row) : { table: 'Missing', fields: ['MIS_START'] }];
  },
  fixtures: {
    fail: [
      (c, ctx) => {
        ep(c).values.DECOM = inYear(ctx, '01/02');
        missing(c, ctx, { MIS_START: inYear(ctx, '02/04'), MIS_END: inYear(ctx, '03/04') });
        lastYear(c, ctx, (prev) =>
          prev.Missing.push({ row: 1, values: { MISSING: 'M', MIS_START: inYear(ctx, '30/03') } }),
        );
      },
      (c, ctx) => {
        ep(c).values.DECOM = inYear(ctx, '01/02');
        lastYear(c, ctx, (prev) =>
          prev.Missing.push({ row: 1, values: { MISSING: 'M', MIS_START: inYear(ctx, '30/03') } }),
        );
      },
    ],
    pass: [
      (c, ctx) => {
        ep(c).values.DECOM = inYear(ctx, '01/02');
        missing(c, ctx, { MIS_START: inYear(ctx, '30/03'), MIS_END: inYear(ctx, '03/04') });
        lastYear(c, ctx, (prev) =>
          prev.Missing.push({ row: 1, values: { MISSING: 'M', MIS_START: inYear(ctx, '30/03') } }),
        );
      },
    ],
  },
};

/** The child's last episode ended care (not X1). */
function ceasedLookedAfter(child: Child903): boolean {
  const eps = episodesOf(child.tables);
  const last = eps[eps.length - 1];
  return last !== undefined && leavesCare(last);
}

const rule577 = missingRule(
  '577',
  ['MIS_END'],
  (m, child) => val(m.row, 'MIS_END') === undefined && ceasedLookedAfter(child),
  {
    fail: [
      (c, ctx) => {
        ep(c).values.DEC = inYear(ctx, '01/07');
        ep(c).values.REC = 'E4A';
        missing(c, ctx, { MIS_END: undefined });
      },
    ],
    pass: [
      (c, ctx) => {
        ep(c).values.DEC = inYear(ctx, '01/07');
        ep(c).values.REC = 'E4A';
        missing(c, ctx);
      },
      (c, ctx) => void missing(c, ctx, { MIS_END: undefined }),
    ],
  },
);

/** Within some period of care (from its start to its end, inclusive). */
function inCare(child: Child903, day: number): boolean {
  return periodsOfCare(child.tables).some((p) => p.start <= day && (p.end === null || day <= p.end));
}

const rule578 = missingRule(
  '578',
  ['MIS_START'],
  (m, child) => {
    if (m.start === null || inCare(child, m.start)) return false;
    const start = m.start;
    return periodsOfCare(child.tables).some((p) => p.end !== null && p.end < start);
  },
  {
    fail: [
      (c, ctx) => {
        ep(c).values.DEC = inYear(ctx, '31/05');
        ep(c).values.REC = 'E4A';
        missing(c, ctx);
      },
    ],
    pass: [
      (c, ctx) => {
        ep(c).values.DEC = inYear(ctx, '01/06');
        ep(c).values.REC = 'E4A';
        missing(c, ctx);
      },
    ],
  },
);

const rule581 = missingRule(
  '581',
  ['MIS_START'],
  (m, child) => {
    const first = periodsOfCare(child.tables)[0];
    return m.start !== null && first !== undefined && m.start < first.start;
  },
  {
    fail: [
      (c, ctx) => void missing(c, ctx, { MIS_START: inYear(ctx, '09/05'), MIS_END: inYear(ctx, '11/05') }),
    ],
    pass: [
      (c, ctx) => void missing(c, ctx, { MIS_START: inYear(ctx, '10/05'), MIS_END: inYear(ctx, '11/05') }),
    ],
  },
);

/** Missing on their 18th birthday, the day care ended: the reason must be E8. */
const rule580: Ssda903Rule = {
  code: '580',
  check: (child) => {
    const dob = dobOf(child);
    if (dob === null) return [];
    const eighteen = addYears(dob, 18);
    if (!missingOf(child.tables.Missing).some((m) => m.end === eighteen)) return [];
    return episodesOf(child.tables).flatMap((e) =>
      e.dec === eighteen &&
      val(e.row, 'REC') !== undefined &&
      val(e.row, 'REC') !== 'E8' &&
      val(e.row, 'REC') !== 'X1'
        ? [at('Episodes', ['REC'], e.row)]
        : [],
    );
  },
  fixtures: {
    fail: [
      (c, ctx) => {
        head(c).values.DOB = `01/06/${String(Number(inYear(ctx, '01/06').slice(6)) - 18)}`;
        ep(c).values.DEC = inYear(ctx, '01/06');
        ep(c).values.REC = 'E17';
        missing(c, ctx, { MIS_START: inYear(ctx, '30/05'), MIS_END: inYear(ctx, '01/06') });
      },
    ],
    pass: [
      (c, ctx) => {
        head(c).values.DOB = `01/06/${String(Number(inYear(ctx, '01/06').slice(6)) - 18)}`;
        ep(c).values.DEC = inYear(ctx, '01/06');
        ep(c).values.REC = 'E8';
        missing(c, ctx, { MIS_START: inYear(ctx, '30/05'), MIS_END: inYear(ctx, '01/06') });
      },
    ],
  },
};

const rule586 = missingRule(
  '586',
  ['MIS_START', 'MIS_END'],
  (m, child) => {
    const dob = ukDay(val(m.row, 'DOB')) ?? dobOf(child);
    return dob !== null && ((m.start !== null && m.start < dob) || (m.end !== null && m.end < dob));
  },
  {
    fail: [
      (c, ctx) => {
        head(c).values.DOB = inYear(ctx, '02/06');
        missing(c, ctx, { DOB: inYear(ctx, '02/06') });
      },
    ],
    pass: [
      (c, ctx) => {
        head(c).values.DOB = inYear(ctx, '01/06');
        missing(c, ctx, { DOB: inYear(ctx, '01/06') });
      },
    ],
  },
);

export const MISSING_RULES: readonly Ssda903Rule[] = [
  rule564,
  rule565,
  rule566,
  rule567,
  rule570,
  rule571,
  rule574,
  rule575,
  rule576,
  rule577,
  rule578,
  rule580,
  rule581,
  rule586,
];
