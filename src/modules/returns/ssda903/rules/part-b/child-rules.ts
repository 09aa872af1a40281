/**
 * Part B rules about the child as a whole: date of birth, UASC, adoption dates, care leavers
 * (OC3), the mother field, reviews' participation codes and the UPN.
 */
import { ageOn, ukDay } from '../../../validation/dates.ts';
import type { Finding } from '../../../validation/rule.ts';
import type { Child903, Row } from '../../model.ts';
import type { Ssda903Rule } from '../index.ts';
import {
  addEpisode,
  addRow,
  age,
  at,
  birthday,
  datedEpisodes,
  dobOf,
  episodes,
  isShortBreak,
  rowDob,
  setCells,
  type Ep,
} from './helpers.ts';

const header = (c: Child903): Row | undefined => c.tables.Header[0];

const rule301: Ssda903Rule = {
  code: '301',
  check: (child, ctx) => {
    const h = header(child);
    const dob = dobOf(child);
    return h && dob !== null && dob > ctx.periodEnd ? [at('Header', ['DOB'], h)] : [];
  },
  fixtures: {
    fail: [(c) => setCells(header(c), { DOB: '01/04/2026' })],
    pass: [(c) => setCells(header(c), { DOB: '31/03/2026' })],
  },
};

const rule302: Ssda903Rule = {
  code: '302',
  check: (child) => {
    const first = datedEpisodes(child.tables)[0];
    const dob = dobOf(child);
    return first?.decom != null && dob !== null && first.decom < dob
      ? [at('Episodes', ['DECOM'], first.row)]
      : [];
  },
  fixtures: {
    fail: [(c) => setCells(header(c), { DOB: '11/05/2025' })],
    pass: [(c) => setCells(header(c), { DOB: '10/05/2025' })],
  },
};

/**
 * The UASC flag is carried by the Header of the XML return; the CSV files have no UASC column, so
 * the rule can only check when a Header UASC value is present.
 */
const rule303: Ssda903Rule = {
  code: '303',
  check: (child) => {
    const flag = header(child)?.values.UASC;
    if (flag === undefined || flag === '1') return [];
    return child.tables.UASC.filter((u) => u.values.DUC !== undefined).map((u) => at('UASC', ['DUC'], u));
  },
  fixtures: {
    fail: [
      (c) => {
        setCells(header(c), { UASC: '0' });
        addRow(c, 'UASC', { SEX: 'F', DOB: '15/07/2012', DUC: '01/03/2026' });
      },
    ],
    pass: [
      (c) => {
        setCells(header(c), { UASC: '1' });
        addRow(c, 'UASC', { SEX: 'F', DOB: '15/07/2012', DUC: '01/03/2026' });
      },
    ],
  },
};

const rule304: Ssda903Rule = {
  code: '304',
  check: (child) =>
    child.tables.UASC.flatMap((u) => {
      const duc = ukDay(u.values.DUC);
      const eighteen = birthday(rowDob(child, u), 18);
      return duc !== null && eighteen !== null && duc > eighteen ? [at('UASC', ['DUC'], u)] : [];
    }),
  fixtures: {
    fail: [(c) => addRow(c, 'UASC', { SEX: 'F', DOB: '15/07/2007', DUC: '16/07/2025' })],
    pass: [(c) => addRow(c, 'UASC', { SEX: 'F', DOB: '15/07/2007', DUC: '15/07/2025' })],
  },
};

/** An adopted child: placed for adoption (A5) on 1 September 2025, adopted 1 March 2026. */
function adopted(c: Child903, ad1: Record<string, string>): void {
  setCells(c.tables.Episodes[0], { DEC: '01/09/2025', REC: 'X1' });
  addEpisode(c, {
    DECOM: '01/09/2025',
    RNE: 'T',
    LS: 'E1',
    CIN: 'N1',
    PLACE: 'A5',
    PLACE_PROVIDER: 'PR1',
    DEC: '01/03/2026',
    REC: 'E11',
    HOME_POST: 'AL1 3JY',
    PL_POST: 'AL3 5PQ',
  });
  addRow(c, 'AD1', { DOB: '15/07/2012', NB_ADOPTR: '1', SEX_ADOPTR: 'F1', LS_ADOPTR: 'L0', ...ad1 });
}

const ADOPTED = new Set(['E11', 'E12']);

const rule331: Ssda903Rule = {
  code: '331',
  check: (child) => {
    const out: Finding[] = [];
    for (const a of child.tables.AD1) {
      const match = ukDay(a.values.DATE_MATCH);
      if (match === null) continue;
      for (const e of episodes(child.tables)) {
        const rec = e.row.values.REC;
        if (rec !== undefined && ADOPTED.has(rec) && e.decom !== null && match > e.decom) {
          out.push(at('AD1', ['DATE_MATCH'], a), at('Episodes', ['DECOM', 'REC'], e.row));
        }
      }
    }
    return out;
  },
  fixtures: {
    fail: [(c) => adopted(c, { DATE_INT: '01/06/2025', DATE_MATCH: '02/09/2025' })],
    pass: [(c) => adopted(c, { DATE_INT: '01/06/2025', DATE_MATCH: '01/09/2025' })],
  },
};

const rule333: Ssda903Rule = {
  code: '333',
  check: (child) =>
    child.tables.AD1.flatMap((a) => {
      const match = ukDay(a.values.DATE_MATCH);
      if (match === null) return [];
      const decided = ukDay(a.values.DATE_INT);
      return decided === null || decided > match ? [at('AD1', ['DATE_INT'], a)] : [];
    }),
  fixtures: {
    fail: [
      (c) => adopted(c, { DATE_INT: '02/08/2025', DATE_MATCH: '01/08/2025' }),
      (c) => adopted(c, { DATE_MATCH: '01/08/2025' }),
    ],
    pass: [(c) => adopted(c, { DATE_INT: '01/08/2025', DATE_MATCH: '01/08/2025' })],
  },
};

const rule334: Ssda903Rule = {
  code: '334',
  check: (child) => {
    let start: Ep | undefined;
    for (const e of datedEpisodes(child.tables)) if (e.row.values.RNE === 'S') start = e;
    if (start?.decom == null) return [];
    const from = start.decom;
    return child.tables.AD1.flatMap((a) => {
      const decided = ukDay(a.values.DATE_INT);
      return decided !== null && decided < from
        ? [at('AD1', ['DATE_INT'], a), at('Episodes', ['DECOM', 'RNE'], start.row)]
        : [];
    });
  },
  fixtures: {
    fail: [(c) => adopted(c, { DATE_INT: '09/05/2025', DATE_MATCH: '01/08/2025' })],
    pass: [(c) => adopted(c, { DATE_INT: '10/05/2025', DATE_MATCH: '01/08/2025' })],
  },
};

const WITH_CURRENT_CARER = new Set(['A2', 'A3', 'A5']);
const NOT_WITH_CURRENT_CARER = new Set(['A1', 'A4', 'A6']);
const ADOPTION_ENDS = new Set(['E1', 'E11', 'E12']);

const rule335: Ssda903Rule = {
  code: '335',
  check: (child) => {
    const out: Finding[] = [];
    for (const a of child.tables.AD1) {
      const foster = a.values.FOSTER_CARE;
      if (foster !== '0' && foster !== '1') continue;
      for (const e of child.tables.Episodes) {
        const place = e.values.PLACE ?? '';
        const rec = e.values.REC;
        if (rec === undefined || !ADOPTION_ENDS.has(rec)) continue;
        const contradicts =
          (foster === '0' && WITH_CURRENT_CARER.has(place)) ||
          (foster === '1' && NOT_WITH_CURRENT_CARER.has(place));
        if (contradicts) out.push(at('Episodes', ['PLACE'], e), at('AD1', ['FOSTER_CARE'], a));
      }
    }
    return out;
  },
  fixtures: {
    fail: [
      (c) => adopted(c, { DATE_INT: '01/06/2025', DATE_MATCH: '01/08/2025', FOSTER_CARE: '0' }),
      (c) => {
        adopted(c, { DATE_INT: '01/06/2025', DATE_MATCH: '01/08/2025', FOSTER_CARE: '1' });
        setCells(c.tables.Episodes[1], { PLACE: 'A6' });
      },
    ],
    pass: [(c) => adopted(c, { DATE_INT: '01/06/2025', DATE_MATCH: '01/08/2025', FOSTER_CARE: '1' })],
  },
};

const FOSTER_OR_ADOPTION = new Set(['A3', 'A4', 'A5', 'A6', 'U1', 'U2', 'U3', 'U4', 'U5', 'U6']);
/** Placed for adoption with the current foster carer (consent, placement order). */
const PLACED_WITH_FOSTER_CARER = new Set(['A3', 'A5']);

const rule336: Ssda903Rule = {
  code: '336',
  check: (child) => {
    const eps = datedEpisodes(child.tables);
    const out: Finding[] = [];
    for (let i = 1; i < eps.length; i++) {
      const e = eps[i];
      const prev = eps[i - 1];
      if (!e || !prev) continue;
      if (!PLACED_WITH_FOSTER_CARER.has(e.row.values.PLACE ?? '')) continue;
      if (!FOSTER_OR_ADOPTION.has(prev.row.values.PLACE ?? '')) out.push(at('Episodes', ['PLACE'], e.row));
    }
    return out;
  },
  fixtures: {
    fail: [
      (c) => {
        adopted(c, { DATE_INT: '01/06/2025', DATE_MATCH: '01/08/2025' });
        setCells(c.tables.Episodes[0], { PLACE: 'K2', PLACE_PROVIDER: 'PR4' });
      },
    ],
    pass: [(c) => adopted(c, { DATE_INT: '01/06/2025', DATE_MATCH: '01/08/2025' })],
  },
};

function careLeaver(c: Child903, oc3: Record<string, string>, dob = '15/07/2006'): Row {
  setCells(header(c), { DOB: dob });
  return addRow(c, 'OC3', { DOB: dob, ...oc3 });
}

const rule344: Ssda903Rule = {
  code: '344',
  check: (child) =>
    child.tables.OC3.flatMap((o) => {
      const touch = o.values.IN_TOUCH;
      if (touch !== 'DIED' && touch !== 'RHOM') return [];
      return o.values.ACTIV !== '0' || o.values.ACCOM !== '0'
        ? [at('OC3', ['IN_TOUCH', 'ACTIV', 'ACCOM'], o)]
        : [];
    }),
  fixtures: {
    fail: [
      (c) => careLeaver(c, { IN_TOUCH: 'RHOM', ACTIV: 'F2', ACCOM: '0' }),
      (c) => careLeaver(c, { IN_TOUCH: 'DIED', ACTIV: '0', ACCOM: 'B1' }),
    ],
    pass: [(c) => careLeaver(c, { IN_TOUCH: 'DIED', ACTIV: '0', ACCOM: '0' })],
  },
};

const rule345: Ssda903Rule = {
  code: '345',
  check: (child) =>
    child.tables.OC3.flatMap((o) =>
      o.values.IN_TOUCH === 'YES' && (o.values.ACTIV === '0' || o.values.ACCOM === '0')
        ? [at('OC3', ['IN_TOUCH', 'ACTIV', 'ACCOM'], o)]
        : [],
    ),
  fixtures: {
    fail: [(c) => careLeaver(c, { IN_TOUCH: 'YES', ACTIV: 'F2', ACCOM: '0' })],
    pass: [(c) => careLeaver(c, { IN_TOUCH: 'YES', ACTIV: 'F2', ACCOM: 'Z1' })],
  },
};

/** Foyer accommodation codes are T1 (suitable) and T2 (unsuitable). */
const rule347: Ssda903Rule = {
  code: '347',
  check: (child, ctx) =>
    child.tables.OC3.flatMap((o) => {
      if (!(o.values.ACCOM ?? '').startsWith('T')) return [];
      const years = age(rowDob(child, o), ctx.periodStart);
      return years !== null && years < 18 ? [at('OC3', ['ACCOM', 'DOB'], o)] : [];
    }),
  fixtures: {
    fail: [(c) => careLeaver(c, { IN_TOUCH: 'YES', ACTIV: 'F2', ACCOM: 'T1' }, '02/04/2007')],
    pass: [(c) => careLeaver(c, { IN_TOUCH: 'YES', ACTIV: 'F2', ACCOM: 'T1' }, '01/04/2007')],
  },
};

const rule348: Ssda903Rule = {
  code: '348',
  check: (child, ctx) => {
    if (!ctx.hasPrevious || !child.previous) return [];
    if (!child.previous.OC3.some((o) => o.values.IN_TOUCH === 'DIED')) return [];
    return child.tables.OC3.filter((o) => o.values.IN_TOUCH !== 'DIED').map((o) =>
      at('OC3', ['IN_TOUCH'], o),
    );
  },
  fixtures: {
    fail: [
      (c, ctx) => {
        ctx.hasPrevious = true;
        careLeaver(c, { IN_TOUCH: 'YES', ACTIV: 'F2', ACCOM: 'Z1' });
        c.previous = structuredClone(c.tables);
        setCells(c.previous.OC3[0], { IN_TOUCH: 'DIED', ACTIV: '0', ACCOM: '0' });
      },
    ],
    pass: [
      (c, ctx) => {
        ctx.hasPrevious = true;
        careLeaver(c, { IN_TOUCH: 'YES', ACTIV: 'F2', ACCOM: 'Z1' });
        c.previous = structuredClone(c.tables);
        setCells(c.previous.OC3[0], { IN_TOUCH: 'NO', ACTIV: '0', ACCOM: '0' });
      },
    ],
  },
};

const rule351: Ssda903Rule = {
  code: '351',
  check: (child, ctx) => {
    const h = header(child);
    const limit = birthday(dobOf(child), 25);
    return h && limit !== null && ctx.periodStart > limit ? [at('Header', ['DOB'], h)] : [];
  },
  fixtures: {
    fail: [(c) => setCells(header(c), { DOB: '31/03/2000' })],
    pass: [(c) => setCells(header(c), { DOB: '01/04/2000' })],
  },
};

const rule391: Ssda903Rule = {
  code: '391',
  check: (child, ctx) =>
    child.tables.OC3.flatMap((o) => {
      const v = o.values;
      if (v.IN_TOUCH === undefined && v.ACTIV === undefined && v.ACCOM === undefined) return [];
      const dob = rowDob(child, o);
      const atEnd = age(dob, ctx.periodEnd);
      const atStart = age(dob, ctx.periodStart);
      return (atEnd !== null && atEnd < 17) || (atStart !== null && atStart >= 22)
        ? [at('OC3', ['DOB', 'IN_TOUCH', 'ACTIV', 'ACCOM'], o)]
        : [];
    }),
  fixtures: {
    fail: [
      (c) => careLeaver(c, { IN_TOUCH: 'YES', ACTIV: 'F2', ACCOM: 'Z1' }, '01/04/2009'),
      (c) => careLeaver(c, { IN_TOUCH: 'YES', ACTIV: 'F2', ACCOM: 'Z1' }, '01/04/2003'),
    ],
    pass: [
      (c) => careLeaver(c, { IN_TOUCH: 'YES', ACTIV: 'F2', ACCOM: 'Z1' }, '31/03/2009'),
      (c) => careLeaver(c, { IN_TOUCH: 'YES', ACTIV: 'F2', ACCOM: 'Z1' }, '02/04/2003'),
    ],
  },
};

const FEMALE = new Set(['F', '2']);

const rule393: Ssda903Rule = {
  code: '393',
  check: (child) => {
    const h = header(child);
    if (!h || !FEMALE.has(h.values.SEX ?? '') || h.values.MOTHER !== undefined) return [];
    return child.tables.Episodes.some((e) => e.values.LS !== undefined && !isShortBreak(e))
      ? [at('Header', ['MOTHER'], h)]
      : [];
  },
  fixtures: {
    fail: [(c) => setCells(header(c), { MOTHER: undefined })],
    pass: [
      (c) => setCells(header(c), { MOTHER: '1', MC_DOB: '01/02/2026' }),
      (c) => {
        setCells(header(c), { MOTHER: undefined });
        setCells(c.tables.Episodes[0], { LS: 'V3', RNE: 'S', DEC: '12/05/2025', REC: 'E4A' });
      },
    ],
  },
};

const rule399: Ssda903Rule = {
  code: '399',
  check: (child) => {
    const eps = child.tables.Episodes;
    if (eps.length === 0 || !eps.every(isShortBreak)) return [];
    const out: Finding[] = [];
    const h = header(child);
    if (h?.values.MOTHER !== undefined) out.push(at('Header', ['MOTHER'], h));
    for (const r of child.tables.Reviews) {
      if (r.values.REVIEW !== undefined || r.values.REVIEW_CODE !== undefined) {
        out.push(at('Reviews', ['REVIEW', 'REVIEW_CODE'], r));
      }
    }
    if (out.length > 0) for (const e of eps) out.push(at('Episodes', ['LS'], e));
    return out;
  },
  fixtures: {
    fail: [(c) => setCells(c.tables.Episodes[0], { LS: 'V3', DEC: '12/05/2025', REC: 'E4A' })],
    pass: [
      (c) => {
        setCells(c.tables.Episodes[0], { LS: 'V3', DEC: '12/05/2025', REC: 'E4A' });
        setCells(header(c), { MOTHER: undefined });
        c.tables.Reviews.length = 0;
      },
      (c) => {
        setCells(c.tables.Episodes[0], { DEC: '12/05/2025', REC: 'X1' });
        addEpisode(c, {
          DECOM: '12/05/2025',
          RNE: 'L',
          LS: 'V3',
          PLACE: 'U4',
          DEC: '13/05/2025',
          REC: 'E4A',
        });
      },
    ],
  },
};

const PARTICIPATES = new Set(['PN1', 'PN2', 'PN3', 'PN4', 'PN5', 'PN6', 'PN7']);

/** Age at the review, from the review row's DOB (the Header's when the same or blank). */
function reviewAge(child: Child903, r: Row): number | null {
  const own = r.values.DOB;
  const dob = own === undefined || own === header(child)?.values.DOB ? dobOf(child) : rowDob(child, r);
  return age(dob, ukDay(r.values.REVIEW));
}

const rule440: Ssda903Rule = {
  code: '440',
  check: (child) =>
    child.tables.Reviews.flatMap((r) => {
      if (r.values.REVIEW_CODE !== 'PN0') return [];
      const years = reviewAge(child, r);
      return years !== null && years >= 4 ? [at('Reviews', ['DOB', 'REVIEW', 'REVIEW_CODE'], r)] : [];
    }),
  fixtures: {
    fail: [
      (c) => {
        setCells(header(c), { DOB: '06/06/2021' });
        setCells(c.tables.Reviews[0], { DOB: '06/06/2021', REVIEW_CODE: 'PN0' });
      },
    ],
    pass: [
      (c) => {
        setCells(header(c), { DOB: '07/06/2021' });
        setCells(c.tables.Reviews[0], { DOB: '07/06/2021', REVIEW_CODE: 'PN0' });
      },
    ],
  },
};

const rule441: Ssda903Rule = {
  code: '441',
  check: (child, ctx) => {
    // most children looked after are 4 or over all year: nothing to parse for them
    const dob = dobOf(child);
    const born = header(child)?.values.DOB;
    const fourAtStart = dob !== null && ageOn(dob, ctx.periodStart) >= 4;
    if (
      fourAtStart &&
      child.tables.Reviews.every((r) => r.values.DOB === undefined || r.values.DOB === born)
    ) {
      return [];
    }
    return child.tables.Reviews.flatMap((r) => {
      if (!PARTICIPATES.has(r.values.REVIEW_CODE ?? '')) return [];
      const years = reviewAge(child, r);
      return years !== null && years < 4 ? [at('Reviews', ['DOB', 'REVIEW', 'REVIEW_CODE'], r)] : [];
    });
  },
  fixtures: {
    fail: [
      // the review row's own DOB says under 4, though the Header's does not
      (c) => {
        setCells(c.tables.Reviews[0], { DOB: '07/06/2021' });
      },

      (c) => {
        setCells(header(c), { DOB: '07/06/2021' });
        setCells(c.tables.Reviews[0], { DOB: '07/06/2021' });
      },
    ],
    pass: [
      (c) => {
        setCells(header(c), { DOB: '06/06/2021' });
        setCells(c.tables.Reviews[0], { DOB: '06/06/2021' });
      },
    ],
  },
};

const rule442: Ssda903Rule = {
  code: '442',
  check: (child) => {
    const h = header(child);
    if (!h || h.values.UPN !== undefined) return [];
    return child.tables.Episodes.some((e) => !isShortBreak(e)) ? [at('Header', ['UPN'], h)] : [];
  },
  fixtures: {
    fail: [(c) => setCells(header(c), { UPN: undefined })],
    pass: [
      (c) => setCells(header(c), { UPN: 'UN1' }),
      (c) => {
        setCells(header(c), { UPN: undefined });
        setCells(c.tables.Episodes[0], { LS: 'V4' });
      },
    ],
  },
};

const UPN_UNKNOWN = new Set(['UN1', 'UN2', 'UN3', 'UN4', 'UN5']);

/** Return level: a UPN (other than the UN1–UN5 "unknown" codes) used by more than one child. */
const rule444: Ssda903Rule = {
  code: '444',
  scope: 'return',
  start: () => {
    const seen = new Map<string, { child: string; row: number }[]>();
    return {
      add: (child) => {
        const h = header(child);
        const upn = h?.values.UPN?.trim();
        if (!h || upn === undefined || UPN_UNKNOWN.has(upn)) return;
        const list = seen.get(upn);
        const entry = { child: child.id, row: h.row };
        if (list) list.push(entry);
        else seen.set(upn, [entry]);
      },
      finish: () => {
        const out: Finding[] = [];
        for (const list of seen.values()) {
          if (list.length < 2) continue;
          for (const e of list) out.push({ table: 'Header', fields: ['UPN'], row: e.row, child: e.child });
        }
        return out;
      },
    };
  },
  fixtures: {
    fail: [
      [
        () => undefined,
        (c) => {
          c.id = 'C1002';
        },
      ],
    ],
    pass: [
      [
        () => undefined,
        (c) => {
          c.id = 'C1002';
          setCells(header(c), { UPN: 'E938611200102' });
        },
      ],
      [
        (c) => {
          setCells(header(c), { UPN: 'UN2' });
        },
        (c) => {
          c.id = 'C1002';
          setCells(header(c), { UPN: 'UN2' });
        },
      ],
    ],
  },
};

export const CHILD_RULES: readonly Ssda903Rule[] = [
  rule301,
  rule302,
  rule303,
  rule304,
  rule331,
  rule333,
  rule334,
  rule335,
  rule336,
  rule344,
  rule345,
  rule347,
  rule348,
  rule351,
  rule391,
  rule393,
  rule399,
  rule440,
  rule441,
  rule442,
  rule444,
];
