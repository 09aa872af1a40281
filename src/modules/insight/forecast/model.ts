/**
 * A Markov stock-and-flow model of children in care, in daily steps (the method of the open-source
 * children's services demand model, github.com/SocialFinanceDigitalLabs/cs-demand-model; this is
 * Hearth's own implementation).
 *
 * States: in care, by age band and placement group (AGE_STATES × GROUPS). Not being in care is the
 * outside of the model: children enter from it at a daily rate by state, and leave to it.
 * From each state, on each day, a child may move placement group, move up an age band (a birthday
 * at 5, 10 or 16) or leave care (including at 18); the daily probability of each is the number of
 * such transitions seen in the reference window divided by the days children spent in the state.
 * Entries are the number seen in the window divided by its length in days.
 *
 * The projection starts from the children in care on the forecast's start date and steps day by
 * day: x(t+1) = x(t)·P + e. Uncertainty comes from resampling CHILDREN with replacement (each child
 * brings all of their days, transitions and entries) and re-estimating the rates; the starting
 * stock is held at what was recorded. The random numbers come from a fixed seed, so the same data
 * always give the same bands.
 */

export const AGE_STATES = ['0-4', '5-9', '10-15', '16-17'] as const;
export type AgeState = (typeof AGE_STATES)[number];
export const GROUPS = ['fostering', 'residential', 'supported', 'parents', 'adoption', 'other'] as const;
export type PlacementGroup = (typeof GROUPS)[number];

export const BANDS = AGE_STATES.length;
export const G = GROUPS.length;
/** Number of in-care states. */
export const S = BANDS * G;

export const state = (band: number, group: number): number => band * G + group;
export const bandOf = (s: number): number => Math.floor(s / G);
export const groupOf = (s: number): number => s % G;

/** The layout of a vector of counts: days in each state, entries to, exits from, transitions between. */
export const SLOT = {
  days: (s: number): number => s,
  entry: (s: number): number => S + s,
  exit: (s: number): number => 2 * S + s,
  move: (from: number, to: number): number => 3 * S + from * S + to,
} as const;
export const SLOTS = 3 * S + S * S;

/** Each child's counts as a sparse list (slot, value), children stored one after another. */
export type ChildCounts = {
  readonly children: number;
  /** children + 1 offsets into slots/values. */
  readonly offsets: Int32Array;
  readonly slots: Int32Array;
  readonly values: Float64Array;
};

/** Builds ChildCounts from (child index, slot, value) triples, in any order. */
export function childCounts(triples: readonly (readonly [number, number, number])[]): ChildCounts {
  const sorted = [...triples].sort((a, b) => a[0] - b[0]);
  const children = sorted.length === 0 ? 0 : (sorted[sorted.length - 1]?.[0] ?? -1) + 1;
  const offsets = new Int32Array(children + 1);
  for (const [child] of sorted) offsets[child + 1] = (offsets[child + 1] ?? 0) + 1;
  for (let i = 0; i < children; i += 1) offsets[i + 1] = (offsets[i + 1] ?? 0) + (offsets[i] ?? 0);
  const slots = new Int32Array(sorted.length);
  const values = new Float64Array(sorted.length);
  sorted.forEach(([, slot, value], i) => {
    slots[i] = slot;
    values[i] = value;
  });
  return { children, offsets, slots, values };
}

/** The sum of every child's counts (each child `weights[i]` times; once each by default). */
export function totals(counts: ChildCounts, weights?: Uint16Array): Float64Array {
  const out = new Float64Array(SLOTS);
  for (let c = 0; c < counts.children; c += 1) {
    const w = weights === undefined ? 1 : (weights[c] ?? 0);
    if (w === 0) continue;
    const end = counts.offsets[c + 1] ?? 0;
    for (let k = counts.offsets[c] ?? 0; k < end; k += 1) {
      const slot = counts.slots[k] ?? 0;
      out[slot] = (out[slot] ?? 0) + w * (counts.values[k] ?? 0);
    }
  }
  return out;
}

/** Daily rates: P (S×S, including staying), exit probability and entries per day for each state. */
export type Rates = {
  readonly stay: Float64Array;
  /** Off-diagonal daily transition probabilities, row-major S×S (the diagonal is 0: see stay). */
  readonly move: Float64Array;
  readonly exit: Float64Array;
  readonly entry: Float64Array;
};

/**
 * Rates from summed counts over a window of `windowDays` days. A state in which no days were seen
 * takes `fallback`'s rates for that state (or no change at all when there is none).
 */
export function estimate(sum: Float64Array, windowDays: number, fallback?: Rates): Rates {
  const stay = new Float64Array(S);
  const move = new Float64Array(S * S);
  const exit = new Float64Array(S);
  const entry = new Float64Array(S);
  for (let i = 0; i < S; i += 1) {
    entry[i] = (sum[SLOT.entry(i)] ?? 0) / windowDays;
    const days = sum[SLOT.days(i)] ?? 0;
    if (days <= 0) {
      if (fallback === undefined) {
        stay[i] = 1;
      } else {
        stay[i] = fallback.stay[i] ?? 1;
        exit[i] = fallback.exit[i] ?? 0;
        for (let j = 0; j < S; j += 1) move[i * S + j] = fallback.move[i * S + j] ?? 0;
      }
      continue;
    }
    let leaving = (sum[SLOT.exit(i)] ?? 0) / days;
    const out: number[] = [];
    for (let j = 0; j < S; j += 1) {
      const p = j === i ? 0 : (sum[SLOT.move(i, j)] ?? 0) / days;
      out.push(p);
      leaving += p;
    }
    // Never more than certain to leave (only possible with a handful of days in the state).
    const scale = leaving > 1 ? 1 / leaving : 1;
    exit[i] = ((sum[SLOT.exit(i)] ?? 0) / days) * scale;
    out.forEach((p, j) => {
      move[i * S + j] = p * scale;
    });
    stay[i] = 1 - Math.min(leaving, 1);
  }
  return { stay, move, exit, entry };
}

export type Projection = {
  /** Children in care on the last day of each month, by state: months × S. */
  readonly stock: Float64Array;
  /** Days in care during each month, by state: months × S. */
  readonly days: Float64Array;
  readonly months: number;
};

/**
 * Steps the stock day by day from `start` (the children in care on day 0), recording month ends.
 * `monthEnds` are day numbers (1 = the day after the start date), increasing.
 */
export function project(rates: Rates, start: Float64Array, monthEnds: readonly number[]): Projection {
  const months = monthEnds.length;
  const stock = new Float64Array(months * S);
  const days = new Float64Array(months * S);
  // Sparse rows: only the transitions that happen.
  const rowStart = new Int32Array(S + 1);
  const targets: number[] = [];
  const probs: number[] = [];
  for (let i = 0; i < S; i += 1) {
    for (let j = 0; j < S; j += 1) {
      const p = rates.move[i * S + j] ?? 0;
      if (p > 0) {
        targets.push(j);
        probs.push(p);
      }
    }
    rowStart[i + 1] = targets.length;
  }
  const to = Int32Array.from(targets);
  const pr = Float64Array.from(probs);
  let x = Float64Array.from(start);
  let next = new Float64Array(S);
  let month = 0;
  const last = monthEnds[months - 1] ?? 0;
  for (let day = 1; day <= last; day += 1) {
    for (let j = 0; j < S; j += 1) next[j] = rates.entry[j] ?? 0;
    for (let i = 0; i < S; i += 1) {
      const xi = x[i] ?? 0;
      if (xi === 0) continue;
      next[i] = (next[i] ?? 0) + xi * (rates.stay[i] ?? 1);
      const end = rowStart[i + 1] ?? 0;
      for (let k = rowStart[i] ?? 0; k < end; k += 1) {
        const j = to[k] ?? 0;
        next[j] = (next[j] ?? 0) + xi * (pr[k] ?? 0);
      }
    }
    [x, next] = [next, x];
    const base = month * S;
    for (let s = 0; s < S; s += 1) days[base + s] = (days[base + s] ?? 0) + (x[s] ?? 0);
    if (day === monthEnds[month]) {
      for (let s = 0; s < S; s += 1) stock[base + s] = x[s] ?? 0;
      month += 1;
    }
  }
  return { stock, days, months };
}

/** A small, fast, seeded generator (mulberry32): the same seed gives the same numbers everywhere. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type BootstrapOptions = {
  readonly resamples: number;
  readonly seed: number;
};

/**
 * Resamples children with replacement `resamples` times, re-estimates the rates and projects each
 * time. Calls `each` with every resample's projection (to keep only what is needed).
 */
export function bootstrap(
  counts: ChildCounts,
  windowDays: number,
  start: Float64Array,
  monthEnds: readonly number[],
  central: Rates,
  options: BootstrapOptions,
  each: (projection: Projection, resample: number) => void,
): void {
  const random = seededRandom(options.seed);
  const weights = new Uint16Array(counts.children);
  for (let r = 0; r < options.resamples; r += 1) {
    weights.fill(0);
    for (let k = 0; k < counts.children; k += 1) {
      const c = Math.floor(random() * counts.children);
      weights[c] = (weights[c] ?? 0) + 1;
    }
    const rates = estimate(totals(counts, weights), windowDays, central);
    each(project(rates, start, monthEnds), r);
  }
}
