import { describe, expect, it } from 'vitest';
import {
  decileGradient,
  gammaP,
  lnGamma,
  poissonByar,
  poissonExact,
  quantile,
  rate,
  rateRatio,
  wilson,
} from './stats.ts';

/**
 * Known values: the exact Poisson limits are the published tables (e.g. the Public Health England
 * "exact Poisson" limits, and Garwood 1936: 0 → 0–3.689, 1 → 0.0253–5.572, 10 → 4.795–18.39);
 * Wilson's interval for 3 of 10 is 0.1078–0.6032 (Newcombe 1998, table I, method 3).
 */
describe('insight statistics', () => {
  it('computes ln Γ and the regularised incomplete gamma function', () => {
    expect(lnGamma(1)).toBeCloseTo(0, 12);
    expect(lnGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    // P(1, x) = 1 − e^(−x); P(3, 2) = 1 − e^(−2)(1 + 2 + 2) (both sides of the series/fraction switch).
    expect(gammaP(1, 0.5)).toBeCloseTo(1 - Math.exp(-0.5), 12);
    expect(gammaP(1, 4)).toBeCloseTo(1 - Math.exp(-4), 12);
    expect(gammaP(3, 2)).toBeCloseTo(1 - Math.exp(-2) * 5, 12);
    expect(gammaP(3, 9)).toBeCloseTo(1 - Math.exp(-9) * (1 + 9 + 40.5), 12);
  });

  it('gives the exact (Garwood) Poisson interval of the published tables', () => {
    const table: [number, number, number][] = [
      [0, 0, 3.6889],
      [1, 0.0253, 5.5716],
      [2, 0.2422, 7.2247],
      [5, 1.6235, 11.6683],
      [10, 4.7954, 18.3904],
      [100, 81.364, 121.6268],
    ];
    for (const [count, lower, upper] of table) {
      const ci = poissonExact(count);
      expect(ci.lower, `lower limit for ${count}`).toBeCloseTo(lower, 3);
      expect(ci.upper, `upper limit for ${count}`).toBeCloseTo(upper, 3);
    }
    // A 90% interval is narrower.
    const ninety = poissonExact(10, 0.9);
    expect(ninety.lower).toBeCloseTo(5.4254, 3);
    expect(ninety.upper).toBeCloseTo(16.9622, 3);
    expect(() => poissonExact(-1)).toThrow(RangeError);
    expect(() => poissonExact(2.5)).toThrow(RangeError);
  });

  it("gives Byar's approximation, close to the exact interval for larger counts", () => {
    // Byar for 10: 10(1 − 1/90 − 1.96/(3√10))³ and 11(1 − 1/99 + 1.96/(3√11))³.
    const byar = poissonByar(10);
    expect(byar.lower).toBeCloseTo(4.7874, 3);
    expect(byar.upper).toBeCloseTo(18.3915, 3);
    for (const count of [50, 400, 5000]) {
      const exact = poissonExact(count);
      const approx = poissonByar(count);
      expect(Math.abs(approx.lower - exact.lower) / exact.lower).toBeLessThan(0.001);
      expect(Math.abs(approx.upper - exact.upper) / exact.upper).toBeLessThan(0.001);
    }
  });

  it('turns a count into a rate per 10,000 with its interval', () => {
    // 10 children of 4,000: 25 per 10,000, 95% CI 4.7954 ÷ 0.4 to 18.3904 ÷ 0.4.
    const r = rate(10, 4000);
    expect(r?.value).toBe(25);
    expect(r?.lower).toBeCloseTo(11.9885, 3);
    expect(r?.upper).toBeCloseTo(45.976, 3);
    expect(rate(0, 2000)?.upper).toBeCloseTo(18.4444, 3);
    expect(rate(3, 0)).toBeUndefined();
    expect(rate(3, 1000, 100)?.value).toBeCloseTo(0.3, 12);
  });

  it("gives Wilson's interval for a proportion", () => {
    const w = wilson(3, 10);
    expect(w?.value).toBe(0.3);
    expect(w?.lower).toBeCloseTo(0.1078, 4);
    expect(w?.upper).toBeCloseTo(0.6032, 4);
    // 0 of 20: the lower limit is 0 and the upper z²/(n + z²).
    const none = wilson(0, 20);
    expect(none?.lower).toBe(0);
    expect(none?.upper).toBeCloseTo(1.959963984540054 ** 2 / (20 + 1.959963984540054 ** 2), 10);
    expect(wilson(20, 20)?.upper).toBe(1);
    expect(wilson(0, 0)).toBeUndefined();
    expect(() => wilson(5, 4)).toThrow(RangeError);
  });

  it('gives the ratio of two rates with the log-method interval', () => {
    // 20 in 1,000 against 10 in 1,000: RR 2, SE(ln RR) = √(1/20 + 1/10) = 0.3873.
    const rr = rateRatio(20, 1000, 10, 1000);
    expect(rr?.value).toBe(2);
    expect(rr?.lower).toBeCloseTo(2 * Math.exp(-1.959963984540054 * Math.sqrt(0.15)), 10);
    expect(rr?.lower).toBeCloseTo(0.9362, 4);
    expect(rr?.upper).toBeCloseTo(4.2727, 4);
    // Different populations: (30/2,000) ÷ (5/5,000) = 15.
    expect(rateRatio(30, 2000, 5, 5000)?.value).toBeCloseTo(15, 10);
    expect(rateRatio(0, 1000, 5, 1000)).toBeUndefined();
    expect(rateRatio(5, 1000, 0, 1000)).toBeUndefined();
  });

  it('fits the deprivation gradient across deciles', () => {
    // Rates that rise exactly 11^(1/9) per decile: the fit finds the factor and the ratio 11.
    const exact = Array.from({ length: 10 }, (_, i) => ({
      decile: i + 1,
      population: 1_000_000,
      events: 1000 * Math.pow(11, (9 - i) / 9),
    }));
    const fit = decileGradient(exact);
    expect(fit?.ratio.value).toBeCloseTo(11, 8);
    expect(fit?.step.value).toBeCloseTo(Math.pow(11, 1 / 9), 10);
    expect(fit?.ratio.lower).toBeLessThan(11);
    expect(fit?.ratio.upper).toBeGreaterThan(11);

    // Decile 1 and decile 10 (and a third decile with almost no children): the fit is close to the
    // plain ratio (40/1,000) ÷ (10/1,000) = 4, with about the log-method interval 2.0 to 8.0.
    const two = decileGradient([
      { decile: 1, population: 1000, events: 40 },
      { decile: 10, population: 1000, events: 10 },
      { decile: 5, population: 0, events: 0 },
    ]);
    expect(two).toBeUndefined(); // fewer than 3 deciles with children
    const three = decileGradient([
      { decile: 1, population: 1000, events: 40 },
      { decile: 10, population: 1000, events: 10 },
      { decile: 5, population: 1, events: 0 },
    ]);
    expect(three?.ratio.value).toBeCloseTo(4, 2);
    expect(three?.ratio.lower).toBeCloseTo(2, 1);
    expect(three?.ratio.upper).toBeCloseTo(8, 1);
    expect(decileGradient([{ decile: 1, population: 100, events: 0 }])).toBeUndefined();
    expect(
      decileGradient([
        { decile: 1, population: 100, events: 0 },
        { decile: 2, population: 100, events: 0 },
        { decile: 3, population: 100, events: 0 },
      ]),
    ).toBeUndefined();
  });

  it('interpolates quantiles as percentile_cont does', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10], 0.25)).toBe(10);
    expect(quantile([0, 10, 20, 30, 40], 0.25)).toBe(10);
    expect(quantile([], 0.5)).toBeUndefined();
  });
});
