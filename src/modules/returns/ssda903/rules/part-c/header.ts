/** Part C Header rules: motherhood (MOTHER, MC_DOB), and previous permanence (PrevPerm). */
import { ageOn, dayOf, ukDay } from '../../../validation/dates.ts';
import type { ChildRule, Finding } from '../../../validation/rule.ts';
import type { Child903, Row, Ssda903Context } from '../../model.ts';
import type { Ssda903Rule } from '../index.ts';
import { addRow, ep, firstOf, head, inYear, lastYear } from './fixtures.ts';
import { at, episodesOf, firstEpisode, headerOf, leavesCare, val } from './helpers.ts';

/** Female: `F` from 2024-25, `2` before. */
function female(h: Row): boolean {
  const sex = val(h, 'SEX');
  return sex === 'F' || sex === '2';
}

function headerRule(
  code: string,
  fields: readonly string[],
  bad: (h: Row, child: Child903, ctx: Ssda903Context) => boolean,
  fail: ChildRule<Child903, Ssda903Context>['fixtures']['fail'],
  pass: ChildRule<Child903, Ssda903Context>['fixtures']['pass'],
): ChildRule<Child903, Ssda903Context> {
  return {
    code,
    check: (child, ctx) => {
      const h = headerOf(child);
      return h && bad(h, child, ctx) ? [at('Header', fields, h)] : [];
    },
    fixtures: { fail, pass },
  };
}

/** Ceased to be looked after in the year (not from short breaks). */
function ceasedInYear(child: Child903, ctx: Ssda903Context): boolean {
  return episodesOf(child.tables).some((e) => {
    const ls = val(e.row, 'LS');
    return (
      leavesCare(e) &&
      ls !== 'V3' &&
      ls !== 'V4' &&
      e.dec !== null &&
      e.dec >= ctx.periodStart &&
      e.dec <= ctx.periodEnd
    );
  });
}

const rule607 = headerRule(
  '607',
  ['MOTHER'],
  (h, child, ctx) => female(h) && val(h, 'MOTHER') === undefined && ceasedInYear(child, ctx),
  [
    (c, ctx) => {
      delete head(c).values.MOTHER;
      ep(c).values.DEC = inYear(ctx, '31/03', true);
      ep(c).values.REC = 'E4A';
    },
  ],
  [
    (c, ctx) => {
      head(c).values.MOTHER = '0';
      ep(c).values.DEC = inYear(ctx, '31/03', true);
      ep(c).values.REC = 'E4A';
    },
    (c) => {
      delete head(c).values.MOTHER;
    },
  ],
);

const rule611 = headerRule(
  '611',
  ['MOTHER', 'MC_DOB'],
  (h) => val(h, 'MOTHER') === '1' && val(h, 'MC_DOB') === undefined,
  [(c) => void (head(c).values.MOTHER = '1')],
  [
    (c, ctx) => {
      head(c).values.MOTHER = '1';
      head(c).values.MC_DOB = inYear(ctx, '01/09');
    },
  ],
);

const rule612 = headerRule(
  '612',
  ['SEX', 'MOTHER', 'MC_DOB'],
  (h) => female(h) && val(h, 'MOTHER') !== '1' && val(h, 'MC_DOB') !== undefined,
  [(c, ctx) => void (head(c).values.MC_DOB = inYear(ctx, '01/09'))],
  [
    (c, ctx) => {
      head(c).values.MOTHER = '1';
      head(c).values.MC_DOB = inYear(ctx, '01/09');
    },
  ],
);

const rule620 = headerRule(
  '620',
  ['DOB', 'MOTHER'],
  (h, _c, ctx) => {
    const dob = ukDay(val(h, 'DOB'));
    return val(h, 'MOTHER') === '1' && dob !== null && ageOn(dob, ctx.periodStart) < 11;
  },
  [
    (c, ctx) => {
      head(c).values.DOB = `02/04/${String(Number(inYear(ctx, '01/04').slice(6)) - 11)}`;
      head(c).values.MOTHER = '1';
      head(c).values.MC_DOB = inYear(ctx, '01/09');
    },
  ],
  [
    (c, ctx) => {
      head(c).values.DOB = `01/04/${String(Number(inYear(ctx, '01/04').slice(6)) - 11)}`;
      head(c).values.MOTHER = '1';
      head(c).values.MC_DOB = inYear(ctx, '01/09');
    },
  ],
);

const rule621 = headerRule(
  '621',
  ['DOB', 'MC_DOB'],
  (h) => {
    const dob = ukDay(val(h, 'DOB'));
    const mc = ukDay(val(h, 'MC_DOB'));
    return val(h, 'MOTHER') !== undefined && dob !== null && mc !== null && mc < dob;
  },
  [
    (c) => {
      head(c).values.MOTHER = '1';
      head(c).values.MC_DOB = '14/07/2012';
      head(c).values.DOB = '15/07/2012';
    },
  ],
  [
    (c, ctx) => {
      head(c).values.MOTHER = '1';
      head(c).values.MC_DOB = inYear(ctx, '01/09');
    },
  ],
);

const rule624 = headerRule(
  '624',
  ['MC_DOB'],
  (h, child, ctx) => {
    const before = child.previous?.Header[0];
    const was = before ? val(before, 'MC_DOB') : undefined;
    return ctx.hasPrevious && was !== undefined && ukDay(was) !== ukDay(val(h, 'MC_DOB'));
  },
  [
    (c, ctx) => {
      head(c).values.MOTHER = '1';
      head(c).values.MC_DOB = inYear(ctx, '02/03');
      lastYear(c, ctx, (prev) => (firstOf(prev.Header).values.MC_DOB = inYear(ctx, '01/03')));
    },
  ],
  [
    (c, ctx) => {
      head(c).values.MOTHER = '1';
      head(c).values.MC_DOB = inYear(ctx, '01/03');
      lastYear(c, ctx, (prev) => (firstOf(prev.Header).values.MC_DOB = inYear(ctx, '01/03')));
    },
  ],
);

const rule625: Ssda903Rule = {
  code: '625',
  check: (child, ctx) => {
    const h = headerOf(child);
    const mc = h ? ukDay(val(h, 'MC_DOB')) : null;
    if (!h || mc === null) return [];
    const eps = episodesOf(child.tables);
    const last = eps[eps.length - 1];
    const out: Finding[] = [];
    if (last && leavesCare(last) && last.dec !== null && mc > last.dec) {
      out.push(at('Header', ['MC_DOB'], h), at('Episodes', ['DEC'], last.row));
    } else if (mc > ctx.periodEnd) {
      out.push(at('Header', ['MC_DOB'], h));
    }
    return out;
  },
  fixtures: {
    fail: [
      (c, ctx) => {
        head(c).values.MOTHER = '1';
        head(c).values.MC_DOB = inYear(ctx, '01/04', true);
      },
      (c, ctx) => {
        head(c).values.MOTHER = '1';
        head(c).values.MC_DOB = inYear(ctx, '02/09');
        ep(c).values.DEC = inYear(ctx, '01/09');
        ep(c).values.REC = 'E4A';
      },
    ],
    pass: [
      (c, ctx) => {
        head(c).values.MOTHER = '1';
        head(c).values.MC_DOB = inYear(ctx, '31/03', true);
      },
      (c, ctx) => {
        head(c).values.MOTHER = '1';
        head(c).values.MC_DOB = inYear(ctx, '01/09');
        ep(c).values.DEC = inYear(ctx, '01/09');
        ep(c).values.REC = 'E4A';
      },
    ],
  },
};

const rule626 = headerRule(
  '626',
  ['MOTHER', 'MC_DOB'],
  (h, child, ctx) => {
    const before = child.previous?.Header[0];
    const mc = ukDay(val(h, 'MC_DOB'));
    return (
      ctx.hasPrevious &&
      before !== undefined &&
      val(before, 'MOTHER') === '0' &&
      val(h, 'MOTHER') === '1' &&
      mc !== null &&
      mc < ctx.periodStart
    );
  },
  [
    (c, ctx) => {
      head(c).values.MOTHER = '1';
      head(c).values.MC_DOB = inYear(ctx, '31/03');
      lastYear(c, ctx, (prev) => (firstOf(prev.Header).values.MOTHER = '0'));
    },
  ],
  [
    (c, ctx) => {
      head(c).values.MOTHER = '1';
      head(c).values.MC_DOB = inYear(ctx, '01/04');
      lastYear(c, ctx, (prev) => (firstOf(prev.Header).values.MOTHER = '0'));
    },
  ],
);

const rule628 = headerRule(
  '628',
  ['MOTHER'],
  (h, child) =>
    val(h, 'MOTHER') !== undefined &&
    child.tables.Episodes.length === 0 &&
    child.tables.OC3.some((r) => ['IN_TOUCH', 'ACTIV', 'ACCOM'].some((f) => val(r, f) !== undefined)),
  [
    (c) => {
      c.tables.Episodes = [];
      addRow(c, 'OC3', { IN_TOUCH: 'YES', ACTIV: 'F2', ACCOM: 'U1' });
    },
  ],
  [
    (c) => {
      c.tables.Episodes = [];
      delete head(c).values.MOTHER;
      addRow(c, 'OC3', { IN_TOUCH: 'YES', ACTIV: 'F2', ACCOM: 'U1' });
    },
  ],
);

// ---- previous permanence -------------------------------------------------------------------

const PREV_PERM = new Set(['P1', 'P2', 'P3', 'P4', 'Z1']);
/** England's local authority codes (DfE numbering), and the codes for outside England. */
const LA_PERM = new Set(
  (
    '800,889,822,301,304,303,330,825,837,302,846,370,350,890,867,380,305,801,351,873,823,895,896,' +
    '381,909,202,908,331,306,841,830,831,878,371,835,332,840,307,308,811,881,845,390,916,203,876,' +
    '850,311,204,884,312,205,313,805,919,310,309,420,921,206,207,886,810,382,314,340,888,208,856,' +
    '383,855,209,925,341,201,821,352,806,887,826,315,929,812,391,926,892,813,802,928,891,392,316,' +
    '815,353,931,879,836,851,874,807,354,317,870,318,372,857,333,935,343,803,373,342,893,356,355,' +
    '871,394,334,933,882,936,861,852,319,860,808,393,866,210,357,894,883,880,358,211,937,869,320,' +
    '359,865,384,335,336,212,868,872,885,344,877,213,938,816,999,WAL,SCO,NUK,NIR'
  ).split(','),
);
const PERM_FIELDS = ['PREV_PERM', 'LA_PERM', 'DATE_PERM'] as const;

const rule630: Ssda903Rule = {
  code: '630',
  check: (child, ctx) => {
    const starts = episodesOf(child.tables).filter(
      (e) => val(e.row, 'RNE') === 'S' && e.decom !== null && e.decom >= ctx.periodStart,
    );
    if (starts.length === 0) return [];
    const perm = child.tables.PrevPerm;
    const given =
      perm.length > 0 &&
      perm.every((r) => {
        const p = val(r, 'PREV_PERM');
        return (
          p !== undefined &&
          (p === 'Z1' || (val(r, 'LA_PERM') !== undefined && val(r, 'DATE_PERM') !== undefined))
        );
      });
    return given ? [] : starts.map((e) => at('Episodes', ['RNE'], e.row));
  },
  fixtures: {
    fail: [
      (c) => void (c.tables.PrevPerm = []),
      (c) => void (firstOf(c.tables.PrevPerm).values.PREV_PERM = 'P2'),
    ],
    pass: [
      (c) => {
        const p = firstOf(c.tables.PrevPerm).values;
        p.PREV_PERM = 'P2';
        p.LA_PERM = '873';
        p.DATE_PERM = 'ZZ/06/2019';
      },
      (c, ctx) => {
        // looked after from before the year: not asked
        c.tables.PrevPerm = [];
        ep(c).values.DECOM = inYear(ctx, '31/03');
      },
    ],
  },
};

function permRule(
  code: string,
  fields: readonly string[],
  bad: (r: Row, child: Child903, ctx: Ssda903Context) => boolean,
  fail: (p: Record<string, string | undefined>, c: Child903, ctx: Ssda903Context) => void,
  pass: (p: Record<string, string | undefined>, c: Child903, ctx: Ssda903Context) => void,
): ChildRule<Child903, Ssda903Context> {
  return {
    code,
    check: (child, ctx) =>
      child.tables.PrevPerm.flatMap((r) => (bad(r, child, ctx) ? [at('PrevPerm', fields, r)] : [])),
    fixtures: {
      fail: [(c, ctx) => fail(firstOf(c.tables.PrevPerm).values, c, ctx)],
      pass: [(c, ctx) => pass(firstOf(c.tables.PrevPerm).values, c, ctx)],
    },
  };
}

const rule631 = permRule(
  '631',
  ['PREV_PERM'],
  (r) => val(r, 'PREV_PERM') !== undefined && !PREV_PERM.has(val(r, 'PREV_PERM') ?? ''),
  (p) => void (p.PREV_PERM = 'P5'),
  (p) => {
    p.PREV_PERM = 'P4';
    p.LA_PERM = 'WAL';
    p.DATE_PERM = '01/02/2020';
  },
);

/**
 * DATE_PERM as written: `dd/mm/yyyy`, where an unknown day or month may be `ZZ` (taken as the
 * last possible, so the comparison cannot be a false alarm) and an unknown year `ZZZZ`.
 * Returns null for a valid date with an unknown year, undefined when not a valid value.
 */
function permDate(value: string): number | null | undefined {
  const m = /^(\d{2}|ZZ)\/(\d{2}|ZZ)\/(\d{4}|ZZZZ)$/.exec(value.trim().toUpperCase());
  if (!m) return undefined;
  const [, d = '', mo = '', y = ''] = m;
  if (y === 'ZZZZ') {
    if (mo !== 'ZZ' && (Number(mo) < 1 || Number(mo) > 12)) return undefined;
    return null;
  }
  const year = Number(y);
  const month = mo === 'ZZ' ? 12 : Number(mo);
  if (month < 1 || month > 12) return undefined;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const day = d === 'ZZ' ? last : Number(d);
  if (day < 1 || day > last) return undefined;
  return dayOf(year, month, day);
}

const rule632: Ssda903Rule = {
  code: '632',
  check: (child) => {
    const first = firstEpisode(child.tables);
    return child.tables.PrevPerm.flatMap((r): Finding[] => {
      const raw = val(r, 'DATE_PERM');
      if (raw === undefined) return [];
      const d = permDate(raw);
      const bad = d === undefined || (d !== null && first?.decom != null && d >= first.decom);
      return bad ? [at('PrevPerm', ['DATE_PERM'], r)] : [];
    });
  },
  fixtures: {
    fail: [
      (c) => {
        const p = firstOf(c.tables.PrevPerm).values;
        p.PREV_PERM = 'P1';
        p.LA_PERM = '873';
        p.DATE_PERM = '31/02/2019';
      },
      (c) => {
        const p = firstOf(c.tables.PrevPerm).values;
        p.PREV_PERM = 'P1';
        p.LA_PERM = '873';
        p.DATE_PERM = ep(c).values.DECOM;
      },
      (c, ctx) => {
        // an unknown day is read as the month's last, which is not before the start
        const p = firstOf(c.tables.PrevPerm).values;
        p.PREV_PERM = 'P1';
        p.LA_PERM = '873';
        p.DATE_PERM = inYear(ctx, 'ZZ/05');
      },
    ],
    pass: [
      (c, ctx) => {
        const p = firstOf(c.tables.PrevPerm).values;
        p.PREV_PERM = 'P1';
        p.LA_PERM = '873';
        p.DATE_PERM = inYear(ctx, '09/05');
      },
      (c) => {
        const p = firstOf(c.tables.PrevPerm).values;
        p.PREV_PERM = 'P1';
        p.LA_PERM = '873';
        p.DATE_PERM = 'ZZ/ZZ/ZZZZ';
      },
    ],
  },
};

const rule633 = permRule(
  '633',
  ['LA_PERM'],
  (r) => val(r, 'LA_PERM') !== undefined && !LA_PERM.has(val(r, 'LA_PERM')?.trim().toUpperCase() ?? ''),
  (p) => {
    p.PREV_PERM = 'P2';
    p.LA_PERM = '458';
    p.DATE_PERM = '01/02/2020';
  },
  (p) => {
    p.PREV_PERM = 'P2';
    p.LA_PERM = 'SCO';
    p.DATE_PERM = '01/02/2020';
  },
);

/** Previous permanence is asked only of children starting care from 1 April 2016. */
const PREV_PERM_FROM = dayOf(2016, 4, 1);

const rule634: Ssda903Rule = {
  code: '634',
  check: (child) => {
    const rows = child.tables.PrevPerm.filter((r) => PERM_FIELDS.some((f) => val(r, f) !== undefined));
    if (rows.length === 0) return [];
    const eps = episodesOf(child.tables).filter((e) => e.decom !== null);
    if (eps.length === 0 || eps.some((e) => e.decom !== null && e.decom >= PREV_PERM_FROM)) return [];
    return rows.map((r) => at('PrevPerm', PERM_FIELDS, r));
  },
  fixtures: {
    fail: [(c) => void (ep(c).values.DECOM = '31/03/2016')],
    pass: [(c) => void (ep(c).values.DECOM = '01/04/2016')],
  },
};

const rule635 = permRule(
  '635',
  ['PREV_PERM', 'LA_PERM', 'DATE_PERM'],
  (r) =>
    val(r, 'PREV_PERM') === 'Z1' && (val(r, 'LA_PERM') !== undefined || val(r, 'DATE_PERM') !== undefined),
  (p) => void (p.LA_PERM = '873'),
  (p) => {
    p.PREV_PERM = 'P3';
    p.LA_PERM = '873';
    p.DATE_PERM = '01/02/2020';
  },
);

export const HEADER_RULES: readonly Ssda903Rule[] = [
  rule607,
  rule611,
  rule612,
  rule620,
  rule621,
  rule624,
  rule625,
  rule626,
  rule628,
  rule630,
  rule631,
  rule632,
  rule633,
  rule634,
  rule635,
];
