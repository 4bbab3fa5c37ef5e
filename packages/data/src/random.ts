/**
 * Seedable random numbers for shuffling, splitting and random transforms.
 *
 * Everything in @tsgrad/data that draws random numbers takes an optional `generator` (anything
 * with `random(): number` in [0, 1)); without one it uses the package's default generator, so
 * `seedData(n)` makes shuffling and augmentation reproducible.
 */

/** The only thing samplers and transforms need from a generator. */
export interface RandomSource {
  /** A float uniformly distributed in [0, 1). */
  random(): number;
}

/** splitmix32: spreads a 32-bit seed over the state words so nearby seeds give unrelated streams. */
function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * A small, fast, seedable PRNG (xoshiro128**). `random()` has 32 bits of resolution, which is
 * plenty for shuffles and augmentation parameters.
 */
export class DataGenerator implements RandomSource {
  private s = new Uint32Array(4);
  private seedValue = 0;

  constructor(seed?: number) {
    this.manualSeed(seed ?? ((Math.random() * 2 ** 32) >>> 0));
  }

  /** Resets the stream to the one `seed` defines (any finite number; only its low 32 bits are used after mixing in the high ones). */
  manualSeed(seed: number): this {
    if (!Number.isFinite(seed)) throw new TypeError(`manualSeed: seed must be a finite number, got ${seed}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 2 ** 32) >>> 0;
    this.seedValue = seed;
    const mix = splitmix32(lo ^ Math.imul(hi, 0x27d4eb2d));
    for (let i = 0; i < 4; i++) this.s[i] = mix();
    if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0) this.s[0] = 1;
    return this;
  }

  /** The seed given to the constructor or the last `manualSeed`. */
  initialSeed(): number {
    return this.seedValue;
  }

  /** The next raw 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2] ^= s[0]!;
    s[3] ^= s[1]!;
    s[1] ^= s[2]!;
    s[0] ^= s[3]!;
    s[2] ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  random(): number {
    return this.nextUint32() / 2 ** 32;
  }

  /** The state, to save and restore a stream position. */
  getState(): Uint32Array {
    return this.s.slice();
  }

  setState(state: Uint32Array): this {
    if (state.length !== 4) throw new RangeError(`setState: expected 4 state words, got ${state.length}`);
    this.s.set(state);
    return this;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

let defaultGen = new DataGenerator();

/** The generator used when none is passed. */
export function defaultGenerator(): DataGenerator {
  return defaultGen;
}

/** Seeds the default data generator (shuffling, randomSplit, random transforms). Returns it. */
export function seedData(seed: number): DataGenerator {
  defaultGen = new DataGenerator(seed);
  return defaultGen;
}

/** An integer uniformly distributed in [0, n). */
export function randint(gen: RandomSource, n: number): number {
  return Math.floor(gen.random() * n);
}

/** A uniform float in [lo, hi). */
export function uniform(gen: RandomSource, lo: number, hi: number): number {
  return lo + (hi - lo) * gen.random();
}

/** A 32-bit seed drawn from `gen`, to start a child stream (one per epoch or per worker). */
export function drawSeed(gen: RandomSource): number {
  return Math.floor(gen.random() * 2 ** 32) >>> 0;
}

/** A random permutation of 0..n-1 (Fisher-Yates). */
export function randperm(n: number, gen: RandomSource = defaultGenerator()): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = randint(gen, i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}
