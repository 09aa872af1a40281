import { describe, expect, it } from 'vitest';
import {
  S,
  SLOT,
  SLOTS,
  bootstrap,
  childCounts,
  estimate,
  project,
  seededRandom,
  state,
  totals,
  type Projection,
} from './model.ts';

const FOSTER_10 = state(2, 0); // aged 10-15 in foster care
const RESI_10 = state(2, 1); // aged 10-15 in a children's home

function counts(entries: Record<number, number>): Float64Array {
  const sum = new Float64Array(SLOTS);
  for (const [slot, value] of Object.entries(entries)) sum[Number(slot)] = value;
  return sum;
}

const sumOf = (p: Projection, month: number): number => {
  let total = 0;
  for (let s = 0; s < S; s += 1) total += p.stock[month * S + s] ?? 0;
  return total;
};

describe('estimate', () => {
  it('divides transitions by days in the state and entries by the window', () => {
    const rates = estimate(
      counts({
        [SLOT.days(FOSTER_10)]: 10_000,
        [SLOT.exit(FOSTER_10)]: 50,
        [SLOT.move(FOSTER_10, RESI_10)]: 20,
        [SLOT.entry(FOSTER_10)]: 100,
      }),
      1000,
    );
    expect(rates.exit[FOSTER_10]).toBeCloseTo(0.005, 12);
    expect(rates.move[FOSTER_10 * S + RESI_10]).toBeCloseTo(0.002, 12);
    expect(rates.stay[FOSTER_10]).toBeCloseTo(0.993, 12);
    expect(rates.entry[FOSTER_10]).toBeCloseTo(0.1, 12);
    // A state nobody was in keeps its children (no fallback given).
    expect(rates.stay[RESI_10]).toBe(1);
    expect(rates.exit[RESI_10]).toBe(0);
  });

  it('takes the fallback rates for a state with no days', () => {
    const fallback = estimate(counts({ [SLOT.days(RESI_10)]: 100, [SLOT.exit(RESI_10)]: 5 }), 100);
    const rates = estimate(counts({ [SLOT.entry(RESI_10)]: 3 }), 100, fallback);
    expect(rates.exit[RESI_10]).toBeCloseTo(0.05, 12);
    expect(rates.entry[RESI_10]).toBeCloseTo(0.03, 12);
  });

  it('never makes leaving more than certain', () => {
    const rates = estimate(
      counts({ [SLOT.days(RESI_10)]: 2, [SLOT.exit(RESI_10)]: 3, [SLOT.move(RESI_10, FOSTER_10)]: 1 }),
      10,
    );
    expect(rates.stay[RESI_10]).toBe(0);
    expect((rates.exit[RESI_10] ?? 0) + (rates.move[RESI_10 * S + FOSTER_10] ?? 0)).toBeCloseTo(1, 12);
  });
});

describe('project', () => {
  it('follows the exact solution of one state with constant entries and a fixed chance of leaving', () => {
    // x(t+1) = x(t)(1 - p) + λ  →  x(t) = λ/p + (x0 - λ/p)(1 - p)^t, steady state λ/p = 20.
    const p = 0.01;
    const lambda = 0.2;
    const rates = estimate(
      counts({ [SLOT.days(FOSTER_10)]: 1000, [SLOT.exit(FOSTER_10)]: 10, [SLOT.entry(FOSTER_10)]: 200 }),
      1000,
    );
    const start = new Float64Array(S);
    start[FOSTER_10] = 5;
    const monthEnds = [30, 365, 730];
    const result = project(rates, start, monthEnds);
    monthEnds.forEach((t, m) => {
      expect(result.stock[m * S + FOSTER_10]).toBeCloseTo(lambda / p + (5 - lambda / p) * (1 - p) ** t, 9);
    });
    // Days in the first month: the sum of the daily stocks.
    let days = 0;
    for (let t = 1; t <= 30; t += 1) days += lambda / p + (5 - lambda / p) * (1 - p) ** t;
    expect(result.days[FOSTER_10]).toBeCloseTo(days, 9);
  });

  it('reaches the steady state of two states with moves between them', () => {
    // Entries λ to foster care; from foster care a = 0.004 move to residential, e1 = 0.006 leave;
    // from residential b = 0.01 move back, e2 = 0.02 leave. Steady state solves
    //   F = λ + F(1 - a - e1) + R b,   R = R(1 - b - e2) + F a.
    const lambda = 0.3;
    const [a, e1, b, e2] = [0.004, 0.006, 0.01, 0.02];
    const rates = estimate(
      counts({
        [SLOT.entry(FOSTER_10)]: lambda * 1000,
        [SLOT.days(FOSTER_10)]: 100_000,
        [SLOT.move(FOSTER_10, RESI_10)]: a * 100_000,
        [SLOT.exit(FOSTER_10)]: e1 * 100_000,
        [SLOT.days(RESI_10)]: 10_000,
        [SLOT.move(RESI_10, FOSTER_10)]: b * 10_000,
        [SLOT.exit(RESI_10)]: e2 * 10_000,
      }),
      1000,
    );
    const rOverF = a / (b + e2);
    const f = lambda / (a + e1 - rOverF * b);
    const r = rOverF * f;
    const result = project(rates, new Float64Array(S), [3650]);
    expect(result.stock[FOSTER_10]).toBeCloseTo(f, 3);
    expect(result.stock[RESI_10]).toBeCloseTo(r, 3);
  });
});

describe('children and the bootstrap', () => {
  const triples: [number, number, number][] = [
    [0, SLOT.days(FOSTER_10), 300],
    [0, SLOT.exit(FOSTER_10), 1],
    [1, SLOT.days(FOSTER_10), 500],
    [1, SLOT.entry(FOSTER_10), 1],
    [2, SLOT.days(RESI_10), 200],
    [2, SLOT.move(RESI_10, FOSTER_10), 1],
    [2, SLOT.entry(RESI_10), 1],
  ];

  it('sums each child once, or as many times as it is drawn', () => {
    const c = childCounts(triples);
    expect(c.children).toBe(3);
    const all = totals(c);
    expect(all[SLOT.days(FOSTER_10)]).toBe(800);
    expect(all[SLOT.entry(RESI_10)]).toBe(1);
    const weighted = totals(c, Uint16Array.from([2, 0, 1]));
    expect(weighted[SLOT.days(FOSTER_10)]).toBe(600);
    expect(weighted[SLOT.exit(FOSTER_10)]).toBe(2);
    expect(weighted[SLOT.move(RESI_10, FOSTER_10)]).toBe(1);
  });

  it('gives the same resamples for the same seed and different ones for another', () => {
    const c = childCounts(triples);
    const central = estimate(totals(c), 1000);
    const start = new Float64Array(S);
    start[FOSTER_10] = 2;
    const run = (seed: number): number[] => {
      const out: number[] = [];
      bootstrap(c, 1000, start, [30, 60], central, { resamples: 20, seed }, (p) => out.push(sumOf(p, 1)));
      return out;
    };
    const first = run(7);
    expect(first).toHaveLength(20);
    expect(run(7)).toEqual(first);
    expect(run(8)).not.toEqual(first);
    expect(new Set(first.map((v) => v.toFixed(6))).size).toBeGreaterThan(1);
  });

  it('draws uniformly from a seeded generator', () => {
    const random = seededRandom(42);
    const draws = Array.from({ length: 10_000 }, () => random());
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    const mean = draws.reduce((s, v) => s + v, 0) / draws.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    expect(seededRandom(42)()).toBe(draws[0]);
  });
});
