/**
 * Confidence intervals for the insight pages (95% unless asked otherwise):
 * - a rate per 10,000 children from a count of children: the exact (Garwood) Poisson interval for
 *   the count, divided by the population (Byar's approximation is given too, for very large counts
 *   and for comparison with published tables);
 * - a proportion: the Wilson score interval;
 * - a ratio of two rates (e.g. decile 1 ÷ decile 10): the log method, SE(log RR) = √(1/a + 1/b);
 * - a gradient across the ten deprivation deciles: a Poisson log-linear fit of the rate on the
 *   decile, its per-decile factor, and the fitted decile 1 ÷ decile 10 ratio (factor⁹).
 * Pure functions: no database, no formatting.
 */

/** The standard normal quantile for a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

export type Interval = { readonly lower: number; readonly upper: number };
export type Estimate = Interval & { readonly value: number };

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9): about 15 significant figures. */
export function lnGamma(x: number): number {
  const c = [
    0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406,
    12.507343278686905, -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  const y = x - 1;
  let sum = c[0] ?? 0;
  for (let i = 1; i < 9; i += 1) sum += (c[i] ?? 0) / (y + i);
  const t = y + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** The regularised lower incomplete gamma function P(a, x) (series below a + 1, continued fraction above). */
export function gammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  const front = Math.exp(-x + a * Math.log(x) - lnGamma(a));
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10_000; n += 1) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return Math.min(1, sum * front);
  }
  // Lentz's method for the continued fraction of Q(a, x).
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i += 1) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.max(0, 1 - front * h);
}

/** The x with P(shape, x) = p: the quantile of a gamma distribution with scale 1 (bisection). */
export function gammaQuantile(p: number, shape: number): number {
  if (!(p > 0)) return 0;
  if (p >= 1) return Infinity;
  let lo = 0;
  let hi = Math.max(1, shape);
  while (gammaP(shape, hi) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i += 1) {
    const mid = (lo + hi) / 2;
    if (gammaP(shape, mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

function tails(level: number): number {
  if (!(level > 0 && level < 1)) throw new RangeError('the confidence level must be between 0 and 1');
  return (1 - level) / 2;
}

/** The exact (Garwood) interval for a Poisson count: χ² quantiles, written as gamma quantiles. */
export function poissonExact(count: number, level = 0.95): Interval {
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError('a count must be a whole number, 0 or more');
  const alpha = tails(level);
  return {
    lower: count === 0 ? 0 : gammaQuantile(alpha, count),
    upper: gammaQuantile(1 - alpha, count + 1),
  };
}

/** Byar's approximation to the exact Poisson interval (good to a few parts in a thousand from about 10). */
export function poissonByar(count: number, z = Z95): Interval {
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError('a count must be a whole number, 0 or more');
  const lower = count === 0 ? 0 : count * Math.pow(1 - 1 / (9 * count) - z / (3 * Math.sqrt(count)), 3);
  const next = count + 1;
  const upper = next * Math.pow(1 - 1 / (9 * next) + z / (3 * Math.sqrt(next)), 3);
  return { lower: Math.max(0, lower), upper };
}

/**
 * A rate per `per` (default 10,000) of a population, with the exact Poisson interval for the count.
 * Undefined when the population is not positive (no rate can be given).
 */
export function rate(count: number, population: number, per = 10_000, level = 0.95): Estimate | undefined {
  if (!(population > 0)) return undefined;
  const ci = poissonExact(count, level);
  const scale = per / population;
  return { value: count * scale, lower: ci.lower * scale, upper: ci.upper * scale };
}

/** The Wilson score interval for a proportion (as a fraction of 1). Undefined when n is 0. */
export function wilson(successes: number, n: number, z = Z95): Estimate | undefined {
  if (n <= 0) return undefined;
  if (successes < 0 || successes > n) throw new RangeError('successes must be between 0 and n');
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { value: p, lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

/**
 * The ratio of two rates (a events in population na ÷ b events in population nb), with the log
 * method interval: exp(ln RR ± z √(1/a + 1/b)). Undefined when either count or population is 0.
 */
export function rateRatio(a: number, na: number, b: number, nb: number, z = Z95): Estimate | undefined {
  if (a <= 0 || b <= 0 || !(na > 0) || !(nb > 0)) return undefined;
  const value = a / na / (b / nb);
  const se = Math.sqrt(1 / a + 1 / b);
  return { value, lower: value * Math.exp(-z * se), upper: value * Math.exp(z * se) };
}

export type DecileCount = { readonly decile: number; readonly events: number; readonly population: number };

export type Gradient = {
  /** How many times the rate rises with each step towards the most deprived decile. */
  readonly step: Estimate;
  /** The fitted decile 1 ÷ decile 10 ratio: step⁹. */
  readonly ratio: Estimate;
};

/**
 * The deprivation gradient by Poisson regression, log(events) = a + b·(10 − decile) + log(population),
 * fitted by iteratively reweighted least squares. It uses every decile, so it holds where decile 1
 * or decile 10 has few children. Undefined with fewer than 3 deciles that have children, no events,
 * or a fit that does not converge.
 */
export function decileGradient(rows: readonly DecileCount[], z = Z95): Gradient | undefined {
  const usable = rows.filter((r) => r.population > 0);
  const events = usable.reduce((s, r) => s + r.events, 0);
  if (usable.length < 3 || events === 0) return undefined;
  if (new Set(usable.map((r) => r.decile)).size < 2) return undefined;
  let a = Math.log(events / usable.reduce((s, r) => s + r.population, 0));
  let b = 0;
  let i00 = 0;
  let i01 = 0;
  let i11 = 0;
  let converged = false;
  for (let iteration = 0; iteration < 100; iteration += 1) {
    let g0 = 0;
    let g1 = 0;
    i00 = 0;
    i01 = 0;
    i11 = 0;
    for (const r of usable) {
      const x = 10 - r.decile;
      const mu = r.population * Math.exp(a + b * x);
      g0 += r.events - mu;
      g1 += (r.events - mu) * x;
      i00 += mu;
      i01 += mu * x;
      i11 += mu * x * x;
    }
    const det = i00 * i11 - i01 * i01;
    if (!(det > 0)) return undefined;
    const da = (i11 * g0 - i01 * g1) / det;
    const db = (-i01 * g0 + i00 * g1) / det;
    a += da;
    b += db;
    if (!Number.isFinite(a) || !Number.isFinite(b) || Math.abs(b) > 50) return undefined;
    if (Math.abs(da) + Math.abs(db) < 1e-12) {
      converged = true;
      break;
    }
  }
  if (!converged) return undefined;
  const det = i00 * i11 - i01 * i01;
  const se = Math.sqrt(i00 / det);
  return {
    step: { value: Math.exp(b), lower: Math.exp(b - z * se), upper: Math.exp(b + z * se) },
    ratio: { value: Math.exp(9 * b), lower: Math.exp(9 * (b - z * se)), upper: Math.exp(9 * (b + z * se)) },
  };
}

/** A quantile of sorted numbers by linear interpolation (PostgreSQL's percentile_cont). */
export function quantile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const at = (sorted.length - 1) * q;
  const below = Math.floor(at);
  const low = sorted[below] ?? 0;
  const high = sorted[Math.min(sorted.length - 1, below + 1)] ?? low;
  return low + (high - low) * (at - below);
}
