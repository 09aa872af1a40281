/**
 * A small, fast, seeded pseudo-random number generator (sfc32, Chris Doty-Humphrey's "small fast
 * counting" generator) and the draws the synthetic authority needs.
 *
 * Every stream is derived from a text key (the seed, the authority, the household number…) through
 * cyrb128, so each household's people and history depend only on its own key: the data are the same
 * whatever the batch size or the order the households are written in. Identifiers (UUIDs) come from
 * the same streams, so the same seed gives byte-identical rows.
 */

/** cyrb128: four 32-bit words from a string (public domain, bryc). */
function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i += 1) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex32(value: number): string {
  return (
    (HEX[(value >>> 24) & 255] ?? '') +
    (HEX[(value >>> 16) & 255] ?? '') +
    (HEX[(value >>> 8) & 255] ?? '') +
    (HEX[value & 255] ?? '')
  );
}

export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(key: string) {
    [this.#a, this.#b, this.#c, this.#d] = cyrb128(key);
    for (let i = 0; i < 12; i += 1) this.u32(); // mix the state before first use
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  u32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** Uniform on [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** A whole number from 0 to n - 1. */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A whole number from min to max inclusive. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  uniform(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** Index drawn with the given (unnormalised, non-negative) weights. */
  weightedIndex(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.next() * total;
    for (let i = 0; i < weights.length; i += 1) {
      x -= weights[i] ?? 0;
      if (x < 0) return i;
    }
    return weights.length - 1;
  }

  /** A key of a table of weights. */
  weighted<K extends string>(table: Readonly<Record<K, number>>): K {
    const keys = Object.keys(table) as K[];
    return keys[this.weightedIndex(keys.map((k) => table[k]))] as K;
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Gamma with the given shape and mean (Marsaglia–Tsang; shape < 1 by boosting). */
  gamma(shape: number, mean: number): number {
    if (shape < 1) {
      const boosted = this.gamma(shape + 1, 1) * Math.pow(1 - this.next(), 1 / shape);
      return (boosted * mean) / shape;
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = 1 - this.next();
      if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
        return (d * v * mean) / shape;
      }
    }
  }

  /** Log-normal with the given median and spread (sigma of the log). */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Poisson with a small mean (Knuth). */
  poisson(mean: number): number {
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k += 1;
      p *= this.next();
    }
    return k;
  }

  /** A version 4 UUID drawn from this stream. */
  uuid(): string {
    const a = hex32(this.u32());
    const b = hex32(this.u32());
    const c = hex32(this.u32());
    const d = hex32(this.u32());
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${((Number.parseInt(c.charAt(0), 16) & 3) | 8).toString(16)}${c.slice(1, 4)}-${c.slice(4)}${d}`;
  }
}

/** A stream for a key made of parts: rng('42', 'E08000025', 'household', 17). */
export function rng(...parts: readonly (string | number)[]): Rng {
  return new Rng(parts.join('\u001f'));
}
