import { Generator, defaultGenerator as tensorDefaultGenerator } from '@tsgrad/tensor';

/**
 * Randomness in @tsgrad/data comes from @tsgrad/tensor's seedable `Generator`: every sampler,
 * `randomSplit` and random transform takes an optional `generator`, and without one uses the
 * tensor default generator, so `manualSeed(n)` makes shuffling and augmentation reproducible.
 */

/** What data needs from a generator: uniform floats (and, when available, unbiased integers). */
export interface RandomSource {
  /** Uniform in [0, 1). */
  nextFloat64(): number;
  /** Uniform integer in [0, n). */
  nextBelow?(n: number): number;
}

/** The generator used when none is passed: @tsgrad/tensor's default (seeded by `manualSeed`). */
export function defaultGenerator(): Generator {
  return tensorDefaultGenerator;
}

/** An integer uniformly distributed in [0, n). */
export function randint(gen: RandomSource, n: number): number {
  return gen.nextBelow ? gen.nextBelow(n) : Math.min(n - 1, Math.floor(gen.nextFloat64() * n));
}

/** A uniform float in [lo, hi). */
export function uniform(gen: RandomSource, lo: number, hi: number): number {
  return lo + (hi - lo) * gen.nextFloat64();
}

/** A 32-bit seed drawn from `gen`, to start a child stream (one per epoch or per worker). */
export function drawSeed(gen: RandomSource): number {
  return randint(gen, 2 ** 32);
}

/** A fresh generator seeded from `gen`: an epoch's shuffle does not depend on how much the epoch consumes. */
export function childGenerator(gen: RandomSource): Generator {
  return new Generator(drawSeed(gen));
}

/** A random permutation of 0..n-1 (Fisher-Yates) as an Int32Array. */
export function shuffledIndices(n: number, gen: RandomSource = defaultGenerator()): Int32Array {
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
