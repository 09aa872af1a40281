/**
 * Part B rules on single episodes: dates, ages for legal statuses and placements, durations of
 * short legal statuses, short breaks and temporary placements, and reasons an episode ceased.
 */
import { dayOf } from '../../../validation/dates.ts';
import type { Finding } from '../../../validation/rule.ts';
import type { Child903, Ssda903Context } from '../../model.ts';
import type { Ssda903Rule } from '../index.ts';
import {
  addEpisode,
  age,
  at,
  birthday,
  datedEpisodes,
  dobOf,
  episodes,
  setCells,
  TEMPORARY,
  type Ep,
} from './helpers.ts';

type Mutate = (c: Child903, ctx: Ssda903Context) => void;

/** Set cells of the baseline's only episode. */
const ep0 =
  (values: Record<string, string | undefined>): Mutate =>
  (c) => {
    setCells(c.tables.Episodes[0], values);
  };

/** Set the child's date of birth (Header and the rows that repeat it). */
function setDob(c: Child903, dob: string): void {
  setCells(c.tables.Header[0], { DOB: dob });
  for (const r of [...c.tables.Reviews, ...c.tables.SWEpisodes]) setCells(r, { DOB: dob });
}

/** Set the date of birth and cells of the only episode. */
const withDob =
  (dob: string, values: Record<string, string | undefined>): Mutate =>
  (c) => {
    setDob(c, dob);
    setCells(c.tables.Episodes[0], values);
  };

/** Episodes (any) whose condition holds, as findings on the given fields. */
function eachEpisode(child: Child903, fields: readonly string[], test: (e: Ep) => boolean): Finding[] {
  const out: Finding[] = [];
  for (const e of episodes(child.tables)) if (test(e)) out.push(at('Episodes', fields, e.row));
  return out;
}

const rule352: Ssda903Rule = {
  code: '352',
  check: (child) => {
    if (!child.tables.Episodes.some((r) => r.values.RNE === 'S')) return [];
    const eighteen = birthday(dobOf(child), 18);
    if (eighteen === null) return [];
    return eachEpisode(
      child,
      ['DECOM', 'RNE'],
      (e) => e.row.values.RNE === 'S' && e.decom !== null && e.decom >= eighteen,
    );
  },
  fixtures: {
    fail: [(c) => setDob(c, '10/05/2007')],
    pass: [(c) => setDob(c, '11/05/2007')],
  },
};

const EARLIEST_START = dayOf(1991, 10, 14);

const rule353: Ssda903Rule = {
  code: '353',
  check: (child) => eachEpisode(child, ['DECOM'], (e) => e.decom !== null && e.decom < EARLIEST_START),
  fixtures: {
    fail: [ep0({ DECOM: '13/10/1991' })],
    pass: [ep0({ DECOM: '14/10/1991' })],
  },
};

const rule354: Ssda903Rule = {
  code: '354',
  check: (child, ctx) => eachEpisode(child, ['DECOM'], (e) => e.decom !== null && e.decom > ctx.periodEnd),
  fixtures: {
    fail: [ep0({ DECOM: '01/04/2026' })],
    pass: [ep0({ DECOM: '31/03/2026' })],
  },
};

const rule355: Ssda903Rule = {
  code: '355',
  check: (child) => eachEpisode(child, ['DECOM', 'DEC'], (e) => e.decom !== null && e.decom === e.dec),
  fixtures: {
    fail: [ep0({ DEC: '10/05/2025', REC: 'E4A' })],
    pass: [ep0({ DEC: '11/05/2025', REC: 'E4A' })],
  },
};

const rule356: Ssda903Rule = {
  code: '356',
  check: (child) =>
    eachEpisode(child, ['DECOM', 'DEC'], (e) => e.decom !== null && e.dec !== null && e.dec < e.decom),
  fixtures: {
    fail: [ep0({ DEC: '09/05/2025', REC: 'E4A' })],
    pass: [ep0({ DEC: '10/05/2025', REC: 'E4A' })],
  },
};

const rule357: Ssda903Rule = {
  code: '357',
  check: (child, ctx) => {
    const first = datedEpisodes(child.tables)[0];
    if (first?.decom == null || first.decom < ctx.periodStart) return [];
    return first.row.values.RNE === 'S' ? [] : [at('Episodes', ['RNE'], first.row)];
  },
  fixtures: {
    fail: [ep0({ RNE: 'P' })],
    pass: [ep0({ RNE: 'P', DECOM: '31/03/2025' })],
  },
};

/** Episodes with one of `codes` in `field` that start before the child's `years`th birthday. */
function tooYoung(field: 'LS' | 'PLACE', codes: ReadonlySet<string>, years: number) {
  return (child: Child903): Finding[] => {
    if (!child.tables.Episodes.some((r) => codes.has(r.values[field] ?? ''))) return [];
    const limit = birthday(dobOf(child), years);
    if (limit === null) return [];
    return eachEpisode(
      child,
      ['DECOM', field],
      (e) => codes.has(e.row.values[field] ?? '') && e.decom !== null && e.decom < limit,
    );
  };
}

const rule358: Ssda903Rule = {
  code: '358',
  check: tooYoung('LS', new Set(['J1', 'J2', 'J3']), 10),
  fixtures: {
    fail: [withDob('11/05/2015', { LS: 'J2' })],
    pass: [withDob('10/05/2015', { LS: 'J2' })],
  },
};

const rule359: Ssda903Rule = {
  code: '359',
  check: (child, ctx) => {
    const eighteen = birthday(dobOf(child), 18);
    if (eighteen === null || eighteen >= ctx.periodEnd) return [];
    return eachEpisode(
      child,
      ['DEC', 'LS', 'PLACE'],
      (e) => e.row.values.DEC === undefined && !(e.row.values.LS === 'V2' && e.row.values.PLACE === 'K2'),
    );
  },
  fixtures: {
    fail: [(c) => setDob(c, '30/03/2008')],
    pass: [
      (c) => setDob(c, '31/03/2008'),
      (c) => {
        setDob(c, '30/03/2008');
        setCells(c.tables.Episodes[0], { LS: 'V2', PLACE: 'K2', PLACE_PROVIDER: 'PR1' });
      },
    ],
  },
};

/**
 * Runs of consecutive episodes under legal status `ls` (each starting the day the previous
 * ended) lasting more than `maxDays` in all; an open episode runs to the end of the year.
 */
function statusLongerThan(ls: string, maxDays: number) {
  return (child: Child903, ctx: Ssda903Context): Finding[] => {
    const out: Finding[] = [];
    let run: Ep[] = [];
    let start = 0;
    let end = 0;
    const close = (): void => {
      if (run.length > 0 && end - start > maxDays) {
        for (const e of run) out.push(at('Episodes', ['DECOM', 'LS', 'DEC'], e.row));
      }
      run = [];
    };
    for (const e of datedEpisodes(child.tables)) {
      if (e.row.values.LS !== ls || e.decom === null) {
        close();
        continue;
      }
      const last = run[run.length - 1];
      if (!last || last.dec !== e.decom) {
        close();
        start = e.decom;
      }
      run.push(e);
      end = e.dec ?? ctx.periodEnd;
    }
    close();
    return out;
  };
}

function shortStatus(ls: string, ok: string, tooLong: string): { fail: Mutate[]; pass: Mutate[] } {
  return {
    fail: [
      ep0({ LS: ls, DEC: tooLong, REC: 'X1' }),
      // two chained episodes together too long
      (c) => {
        setCells(c.tables.Episodes[0], { LS: ls, DEC: '11/05/2025', REC: 'X1' });
        addEpisode(c, { DECOM: '11/05/2025', RNE: 'P', LS: ls, PLACE: 'U6', DEC: tooLong, REC: 'E4A' });
      },
    ],
    pass: [ep0({ LS: ls, DEC: ok, REC: 'X1' })],
  };
}

const rule361: Ssda903Rule = {
  code: '361',
  check: statusLongerThan('L1', 3),
  fixtures: shortStatus('L1', '13/05/2025', '14/05/2025'),
};

const rule362: Ssda903Rule = {
  code: '362',
  check: statusLongerThan('L2', 21),
  fixtures: shortStatus('L2', '31/05/2025', '01/06/2025'),
};

const rule363: Ssda903Rule = {
  code: '363',
  check: statusLongerThan('L3', 7),
  fixtures: shortStatus('L3', '17/05/2025', '18/05/2025'),
};

/** PACE (J2) accommodation: taken as at most 21 days in a run, as the Data to Insight validator does. */
const rule364: Ssda903Rule = {
  code: '364',
  check: statusLongerThan('J2', 21),
  fixtures: shortStatus('J2', '31/05/2025', '01/06/2025'),
};

const rule365: Ssda903Rule = {
  code: '365',
  check: (child, ctx) =>
    eachEpisode(
      child,
      ['LS', 'DECOM', 'DEC'],
      (e) => e.row.values.LS === 'V3' && e.decom !== null && (e.dec ?? ctx.periodEnd) - e.decom > 17,
    ),
  fixtures: {
    fail: [ep0({ LS: 'V3', DEC: '28/05/2025', REC: 'E4A' }), ep0({ LS: 'V3' })],
    pass: [ep0({ LS: 'V3', DEC: '27/05/2025', REC: 'E4A' })],
  },
};

const rule366: Ssda903Rule = {
  code: '366',
  check: (child) => eachEpisode(child, ['RNE'], (e) => e.row.values.LS === 'V3' && e.row.values.RNE !== 'S'),
  fixtures: {
    fail: [ep0({ LS: 'V3', RNE: 'P' })],
    pass: [ep0({ LS: 'V3', RNE: 'S' })],
  },
};

const rule367: Ssda903Rule = {
  code: '367',
  check: (child, ctx) => {
    let total = 0;
    const counted: Ep[] = [];
    for (const e of datedEpisodes(child.tables)) {
      if (e.row.values.LS !== 'V3' || e.decom === null) continue;
      const from = Math.max(e.decom, ctx.periodStart);
      const to = Math.min(e.dec ?? ctx.periodEnd, ctx.periodEnd);
      if (to > from) {
        total += to - from;
        counted.push(e);
      }
    }
    return total > 75 ? counted.map((e) => at('Episodes', ['LS', 'DECOM', 'DEC'], e.row)) : [];
  },
  fixtures: {
    fail: [(c) => shortBreaks(c, 6)],
    pass: [(c) => shortBreaks(c, 5)],
  },
};

/** `count` short breaks of 15 days each, one a month from May 2025 (75 days in five). */
function shortBreaks(c: Child903, count: number): void {
  c.tables.Episodes.length = 0;
  for (let i = 0; i < count; i++) {
    const month = String(5 + i).padStart(2, '0');
    const start = `01/${month}/2025`;
    const end = `16/${month}/2025`;
    addEpisode(c, {
      DECOM: start,
      RNE: 'S',
      LS: 'V3',
      PLACE: 'U6',
      PLACE_PROVIDER: 'PR1',
      DEC: end,
      REC: 'E4A',
    });
  }
}

const rule371: Ssda903Rule = {
  code: '371',
  check: tooYoung('PLACE', new Set(['K3']), 16),
  fixtures: {
    fail: [withDob('11/05/2009', { PLACE: 'K3' })],
    pass: [withDob('10/05/2009', { PLACE: 'K3' })],
  },
};

const rule372: Ssda903Rule = {
  code: '372',
  check: tooYoung('PLACE', new Set(['R5']), 10),
  fixtures: {
    fail: [withDob('11/05/2015', { PLACE: 'R5' })],
    pass: [withDob('10/05/2015', { PLACE: 'R5' })],
  },
};

const rule373: Ssda903Rule = {
  code: '373',
  check: tooYoung('PLACE', new Set(['S1']), 4),
  fixtures: {
    fail: [withDob('11/05/2021', { PLACE: 'S1' })],
    pass: [withDob('10/05/2021', { PLACE: 'S1' })],
  },
};

const rule374: Ssda903Rule = {
  code: '374',
  check: tooYoung('PLACE', new Set(['P3']), 14),
  fixtures: {
    fail: [withDob('11/05/2011', { PLACE: 'P3' })],
    pass: [withDob('10/05/2011', { PLACE: 'P3' })],
  },
};

/** Temporary placement `place` lasting more than `maxDays` (an open one runs at least to year end). */
function temporaryLongerThan(place: string, maxDays: number) {
  return (child: Child903, ctx: Ssda903Context): Finding[] =>
    eachEpisode(
      child,
      ['DECOM', 'DEC', 'PLACE'],
      (e) => e.row.values.PLACE === place && e.decom !== null && (e.dec ?? ctx.periodEnd) - e.decom > maxDays,
    );
}

/** A temporary placement `place` from 10 May 2025 ending on `end`, back to the foster carer after. */
function temporary(place: string, end: string): (c: Child903) => void {
  return (c) => {
    setCells(c.tables.Episodes[0], { DEC: '10/05/2025', REC: 'X1', DECOM: '01/05/2025' });
    addEpisode(c, { DECOM: '10/05/2025', RNE: 'P', LS: 'C1', CIN: 'N1', PLACE: place, DEC: end, REC: 'X1' });
    addEpisode(c, {
      DECOM: end,
      RNE: 'P',
      LS: 'C1',
      CIN: 'N1',
      PLACE: 'U4',
      PLACE_PROVIDER: 'PR1',
      HOME_POST: 'AL1 3JY',
      PL_POST: 'AL3 5PQ',
    });
  };
}

const rule375: Ssda903Rule = {
  code: '375',
  check: temporaryLongerThan('T1', 42),
  fixtures: {
    fail: [temporary('T1', '22/06/2025')],
    pass: [temporary('T1', '21/06/2025')],
  },
};

const rule376: Ssda903Rule = {
  code: '376',
  check: temporaryLongerThan('T3', 21),
  fixtures: {
    fail: [temporary('T3', '01/06/2025')],
    pass: [temporary('T3', '31/05/2025')],
  },
};

const rule377: Ssda903Rule = {
  code: '377',
  check: (child) => {
    const t3 = datedEpisodes(child.tables).filter((e) => e.row.values.PLACE === 'T3');
    const flagged = new Set<Ep>();
    for (let i = 0; i + 2 < t3.length; i++) {
      const a = t3[i];
      const c = t3[i + 2];
      const yearOn = a?.decom == null ? null : birthday(a.decom, 1);
      if (a && c?.decom != null && yearOn !== null && c.decom < yearOn) {
        for (const e of t3.slice(i, i + 3)) flagged.add(e);
      }
    }
    return [...flagged].map((e) => at('Episodes', ['PLACE'], e.row));
  },
  fixtures: {
    fail: [(c) => carerHolidays(c, ['01/06/2025', '01/09/2025', '01/12/2025'])],
    pass: [(c) => carerHolidays(c, ['01/06/2025', '01/09/2025'])],
  },
};

/** Week-long T3 placements starting on the given days, back with the foster carer between. */
function carerHolidays(c: Child903, starts: readonly string[]): void {
  setCells(c.tables.Episodes[0], { DEC: starts[0], REC: 'X1' });
  for (const start of starts) {
    const [d, m, y] = start.split('/') as [string, string, string];
    const back = `${String(Number(d) + 7).padStart(2, '0')}/${m}/${y}`;
    const next = starts[starts.indexOf(start) + 1];
    addEpisode(c, { DECOM: start, RNE: 'P', LS: 'C1', PLACE: 'T3', DEC: back, REC: 'X1' });
    addEpisode(c, {
      DECOM: back,
      RNE: 'P',
      LS: 'C1',
      PLACE: 'U4',
      PLACE_PROVIDER: 'PR1',
      ...(next ? { DEC: next, REC: 'X1' } : {}),
    });
  }
}

const rule378: Ssda903Rule = {
  code: '378',
  check: (child) =>
    eachEpisode(child, ['PLACE', 'LS'], (e) => e.row.values.PLACE === 'P1' && e.row.values.LS === 'V2'),
  fixtures: {
    fail: [ep0({ PLACE: 'P1', LS: 'V2', PLACE_PROVIDER: 'PR0' })],
    pass: [ep0({ PLACE: 'P1', LS: 'C2', PLACE_PROVIDER: 'PR0' })],
  },
};

const rule379: Ssda903Rule = {
  code: '379',
  check: temporaryLongerThan('T4', 7),
  fixtures: {
    fail: [temporary('T4', '18/05/2025')],
    pass: [temporary('T4', '17/05/2025')],
  },
};

/** A temporary placement must follow a change of placement (P) or provider (B), never start care. */
const rule380: Ssda903Rule = {
  code: '380',
  check: (child) =>
    eachEpisode(
      child,
      ['PLACE', 'RNE'],
      (e) => TEMPORARY.has(e.row.values.PLACE ?? '') && e.row.values.RNE !== 'P' && e.row.values.RNE !== 'B',
    ),
  fixtures: {
    fail: [ep0({ PLACE: 'T4' })],
    pass: [temporary('T4', '15/05/2025')],
  },
};

const rule381: Ssda903Rule = {
  code: '381',
  check: (child) =>
    eachEpisode(child, ['PLACE', 'REC'], (e) => {
      const rec = e.row.values.REC;
      return TEMPORARY.has(e.row.values.PLACE ?? '') && rec !== undefined && rec !== 'X1';
    }),
  fixtures: {
    fail: [
      (c) => {
        setCells(c.tables.Episodes[0], { DEC: '10/05/2025', REC: 'X1', DECOM: '01/05/2025' });
        addEpisode(c, {
          DECOM: '10/05/2025',
          RNE: 'P',
          LS: 'C1',
          PLACE: 'T1',
          DEC: '12/05/2025',
          REC: 'E4A',
        });
      },
    ],
    pass: [temporary('T1', '12/05/2025')],
  },
};

const rule382: Ssda903Rule = {
  code: '382',
  check: (child) =>
    eachEpisode(child, ['LS', 'PLACE'], (e) => {
      const ls = e.row.values.LS;
      return (ls === 'V3' || ls === 'V4') && TEMPORARY.has(e.row.values.PLACE ?? '');
    }),
  fixtures: {
    fail: [ep0({ LS: 'V4', PLACE: 'T2' })],
    pass: [ep0({ LS: 'V4', PLACE: 'U6' })],
  },
};

/** After a temporary placement the child returns (RNE P) to the placement held before it. */
const rule383: Ssda903Rule = {
  code: '383',
  check: (child) => {
    const eps = datedEpisodes(child.tables);
    const out: Finding[] = [];
    for (let i = 2; i < eps.length; i++) {
      const e = eps[i];
      const temp = eps[i - 1];
      const before = eps[i - 2];
      if (!e || !temp || !before || !TEMPORARY.has(temp.row.values.PLACE ?? '')) continue;
      const v = e.row.values;
      const b = before.row.values;
      if (v.RNE !== 'P' || v.PLACE !== b.PLACE || v.PL_POST !== b.PL_POST) {
        out.push(at('Episodes', ['PLACE', 'RNE', 'PL_POST'], e.row));
      }
    }
    return out;
  },
  fixtures: {
    fail: [
      (c) => {
        temporary('T1', '12/05/2025')(c);
        setCells(c.tables.Episodes[2], { PL_POST: 'AL4 0AA' });
      },
      (c) => {
        temporary('T1', '12/05/2025')(c);
        setCells(c.tables.Episodes[2], { RNE: 'B' });
      },
    ],
    pass: [temporary('T1', '12/05/2025')],
  },
};

const rule384: Ssda903Rule = {
  code: '384',
  check: (child) =>
    eachEpisode(child, ['PLACE', 'LS'], (e) => {
      const ls = e.row.values.LS;
      const place = e.row.values.PLACE;
      return (ls === 'V3' || ls === 'V4') && (place === 'U1' || place === 'U4');
    }),
  fixtures: {
    fail: [ep0({ LS: 'V4' })],
    pass: [ep0({ LS: 'V4', PLACE: 'U6' })],
  },
};

const rule385: Ssda903Rule = {
  code: '385',
  check: (child, ctx) => eachEpisode(child, ['DEC'], (e) => e.dec !== null && e.dec > ctx.periodEnd),
  fixtures: {
    fail: [ep0({ DEC: '01/04/2026', REC: 'E4A' })],
    pass: [ep0({ DEC: '31/03/2026', REC: 'E4A' })],
  },
};

/** Episodes ending for one of `recs` when the child's age on the end date fails `bad`. */
function endedAtAge(recs: ReadonlySet<string>, bad: (years: number) => boolean) {
  return (child: Child903): Finding[] => {
    if (!child.tables.Episodes.some((r) => recs.has(r.values.REC ?? ''))) return [];
    const dob = dobOf(child);
    return eachEpisode(child, ['REC', 'DEC'], (e) => {
      if (!recs.has(e.row.values.REC ?? '')) return false;
      const years = age(dob, e.dec);
      return years !== null && bad(years);
    });
  };
}

const rule386: Ssda903Rule = {
  code: '386',
  check: endedAtAge(new Set(['E11', 'E12']), (y) => y >= 18),
  fixtures: {
    fail: [withDob('01/03/2008', { DEC: '01/03/2026', REC: 'E11' })],
    pass: [withDob('02/03/2008', { DEC: '01/03/2026', REC: 'E11' })],
  },
};

const rule387: Ssda903Rule = {
  code: '387',
  check: endedAtAge(new Set(['E5', 'E6']), (y) => y < 14),
  fixtures: {
    fail: [withDob('02/03/2012', { DEC: '01/03/2026', REC: 'E5' })],
    pass: [withDob('01/03/2012', { DEC: '01/03/2026', REC: 'E5' })],
  },
};

const rule389: Ssda903Rule = {
  code: '389',
  check: endedAtAge(new Set(['E7']), (y) => y < 16),
  fixtures: {
    fail: [withDob('02/03/2010', { DEC: '01/03/2026', REC: 'E7' })],
    pass: [withDob('01/03/2010', { DEC: '01/03/2026', REC: 'E7' })],
  },
};

const rule407: Ssda903Rule = {
  code: '407',
  check: endedAtAge(new Set(['E45', 'E46', 'E47', 'E48']), (y) => y >= 18),
  fixtures: {
    fail: [withDob('01/03/2008', { DEC: '01/03/2026', REC: 'E45' })],
    pass: [withDob('02/03/2008', { DEC: '01/03/2026', REC: 'E45' })],
  },
};

const rule460: Ssda903Rule = {
  code: '460',
  check: endedAtAge(new Set(['E17']), (y) => y < 18),
  fixtures: {
    fail: [withDob('02/03/2008', { DEC: '01/03/2026', REC: 'E17' })],
    pass: [withDob('01/03/2008', { DEC: '01/03/2026', REC: 'E17' })],
  },
};

/**
 * X1 ("episode ends, new one starts") needs the next episode to start that day; any other reason
 * must not be followed by an episode starting that day; the last episode cannot end with X1.
 */
const rule388: Ssda903Rule = {
  code: '388',
  check: (child) => {
    const eps = datedEpisodes(child.tables);
    const out: Finding[] = [];
    eps.forEach((e, i) => {
      const rec = e.row.values.REC;
      if (e.dec === null || rec === undefined) return;
      const next = eps[i + 1];
      const wrong = next ? (rec === 'X1' ? next.decom !== e.dec : next.decom === e.dec) : rec === 'X1';
      if (wrong) out.push(at('Episodes', ['REC'], e.row));
    });
    return out;
  },
  fixtures: {
    fail: [
      ep0({ DEC: '01/03/2026', REC: 'X1' }),
      (c) => {
        setCells(c.tables.Episodes[0], { DEC: '01/03/2026', REC: 'X1' });
        addEpisode(c, { DECOM: '02/03/2026', RNE: 'P', LS: 'C1', PLACE: 'U6', PLACE_PROVIDER: 'PR1' });
      },
      (c) => {
        setCells(c.tables.Episodes[0], { DEC: '01/03/2026', REC: 'E4A' });
        addEpisode(c, { DECOM: '01/03/2026', RNE: 'P', LS: 'C1', PLACE: 'U6', PLACE_PROVIDER: 'PR1' });
      },
    ],
    pass: [
      (c) => {
        setCells(c.tables.Episodes[0], { DEC: '01/03/2026', REC: 'X1' });
        addEpisode(c, { DECOM: '01/03/2026', RNE: 'P', LS: 'C1', PLACE: 'U6', PLACE_PROVIDER: 'PR1' });
      },
      ep0({ DEC: '01/03/2026', REC: 'E4A' }),
    ],
  },
};

const PLACED_FOR_ADOPTION = new Set(['A3', 'A4', 'A5', 'A6']);

const rule390: Ssda903Rule = {
  code: '390',
  check: (child) =>
    eachEpisode(child, ['PLACE', 'REC'], (e) => {
      const rec = e.row.values.REC;
      return (rec === 'E11' || rec === 'E12') && !PLACED_FOR_ADOPTION.has(e.row.values.PLACE ?? '');
    }),
  fixtures: {
    fail: [ep0({ DEC: '01/03/2026', REC: 'E12' })],
    pass: [ep0({ DEC: '01/03/2026', REC: 'E12', PLACE: 'A4', LS: 'E1' })],
  },
};

const rule408: Ssda903Rule = {
  code: '408',
  check: (child) =>
    eachEpisode(child, ['PLACE', 'LS'], (e) => {
      const place = e.row.values.PLACE;
      return (place === 'A5' || place === 'A6') && e.row.values.LS !== 'E1';
    }),
  fixtures: {
    fail: [ep0({ PLACE: 'A6' })],
    pass: [ep0({ PLACE: 'A6', LS: 'E1' })],
  },
};

const rule426: Ssda903Rule = {
  code: '426',
  check: (child) => {
    const eps = child.tables.Episodes;
    const v3 = eps.some((e) => e.values.LS === 'V3');
    const v4 = eps.some((e) => e.values.LS === 'V4');
    if (!v3 || !v4) return [];
    return eps
      .filter((e) => e.values.LS === 'V3' || e.values.LS === 'V4')
      .map((e) => at('Episodes', ['LS'], e));
  },
  fixtures: {
    fail: [
      (c) => {
        setCells(c.tables.Episodes[0], { LS: 'V3', PLACE: 'U6', DEC: '12/05/2025', REC: 'E4A' });
        addEpisode(c, {
          DECOM: '01/06/2025',
          RNE: 'S',
          LS: 'V4',
          PLACE: 'U6',
          DEC: '03/06/2025',
          REC: 'E4A',
        });
      },
    ],
    pass: [
      (c) => {
        setCells(c.tables.Episodes[0], { LS: 'V3', PLACE: 'U6', DEC: '12/05/2025', REC: 'E4A' });
        addEpisode(c, {
          DECOM: '01/06/2025',
          RNE: 'S',
          LS: 'V3',
          PLACE: 'U6',
          DEC: '03/06/2025',
          REC: 'E4A',
        });
      },
    ],
  },
};

const E1_INTRODUCED = dayOf(2005, 12, 1);

const rule446: Ssda903Rule = {
  code: '446',
  check: (child) =>
    eachEpisode(
      child,
      ['LS', 'DECOM'],
      (e) => e.row.values.LS === 'E1' && e.decom !== null && e.decom < E1_INTRODUCED,
    ),
  fixtures: {
    fail: [ep0({ LS: 'E1', DECOM: '30/11/2005' })],
    pass: [ep0({ LS: 'E1', DECOM: '01/12/2005' })],
  },
};

export const EPISODE_RULES: readonly Ssda903Rule[] = [
  rule352,
  rule353,
  rule354,
  rule355,
  rule356,
  rule357,
  rule358,
  rule359,
  rule361,
  rule362,
  rule363,
  rule364,
  rule365,
  rule366,
  rule367,
  rule371,
  rule372,
  rule373,
  rule374,
  rule375,
  rule376,
  rule377,
  rule378,
  rule379,
  rule380,
  rule381,
  rule382,
  rule383,
  rule384,
  rule385,
  rule386,
  rule387,
  rule388,
  rule389,
  rule390,
  rule407,
  rule408,
  rule426,
  rule446,
  rule460,
];
