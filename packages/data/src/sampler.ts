import { checkIndex } from './errors.js';
import { childGenerator, defaultGenerator, randint, shuffledIndices, type RandomSource } from './random.js';

/**
 * Samplers yield dataset indices (as torch.utils.data.Sampler). Each is an iterable that can be
 * iterated again for the next epoch, with a `length`.
 */
export interface Sampler extends Iterable<number> {
  readonly length: number;
  /**
   * Optional: one epoch's indices at once, exactly the sequence one iteration would yield (and
   * drawing the same random numbers). `BatchSampler` uses it to cut batches without a generator
   * step per index, which cost a DataLoader 30-100 µs per batch of 64 (most of it while V8 was
   * still interpreting the generators, through the first epochs of a training run).
   */
  epochIndices?(): Int32Array;
}

/** Something with a length: a dataset, or a plain count. */
type Sized = { readonly length: number } | number;
const sizeOf = (d: Sized): number => (typeof d === 'number' ? d : d.length);

/** 0, 1, ..., n-1. */
export class SequentialSampler implements Sampler {
  private readonly n: number;
  constructor(dataSource: Sized) {
    this.n = sizeOf(dataSource);
  }
  get length(): number {
    return this.n;
  }
  *[Symbol.iterator](): Iterator<number> {
    for (let i = 0; i < this.n; i++) yield i;
  }
  epochIndices(): Int32Array {
    const p = new Int32Array(this.n);
    for (let i = 0; i < this.n; i++) p[i] = i;
    return p;
  }
}

/** Options of `RandomSampler`: `replacement`, `numSamples` and the `generator`. */
export interface RandomSamplerOptions {
  /** Draw with replacement (then `numSamples` may exceed the dataset length). Default false. */
  replacement?: boolean;
  /** How many indices per epoch; default the dataset length. */
  numSamples?: number;
  /** Random source; default the package's default generator. A new permutation is drawn every epoch. */
  generator?: RandomSource;
}

/**
 * Random order over a dataset. Each epoch seeds a fresh stream from `generator`, so the sequence
 * of epochs is reproducible from the generator's seed.
 */
export class RandomSampler implements Sampler {
  private readonly n: number;
  readonly replacement: boolean;
  readonly numSamples: number;
  private readonly generator: RandomSource | undefined;

  constructor(dataSource: Sized, options: RandomSamplerOptions = {}) {
    this.n = sizeOf(dataSource);
    this.replacement = options.replacement ?? false;
    this.numSamples = options.numSamples ?? this.n;
    this.generator = options.generator;
    if (!Number.isInteger(this.numSamples) || this.numSamples < 0) {
      throw new RangeError(`RandomSampler: numSamples must be a non-negative integer, got ${this.numSamples}`);
    }
    if (this.n === 0 && this.numSamples > 0) throw new RangeError('RandomSampler: cannot sample from an empty dataset');
  }

  get length(): number {
    return this.numSamples;
  }

  *[Symbol.iterator](): Iterator<number> {
    yield* this.epochIndices();
  }

  epochIndices(): Int32Array {
    const gen = childGenerator(this.generator ?? defaultGenerator());
    const out = new Int32Array(this.numSamples);
    if (this.replacement) {
      for (let k = 0; k < this.numSamples; k++) out[k] = randint(gen, this.n);
      return out;
    }
    // Without replacement: whole permutations, then a prefix of one more (torch does the same).
    for (let at = 0; at < this.numSamples; at += this.n) {
      const p = shuffledIndices(this.n, gen);
      out.set(p.subarray(0, Math.min(this.n, this.numSamples - at)), at);
    }
    return out;
  }
}

/** A random permutation of the given indices every epoch. */
export class SubsetRandomSampler implements Sampler {
  readonly indices: Int32Array;
  private readonly generator: RandomSource | undefined;
  constructor(indices: ArrayLike<number>, options: { generator?: RandomSource } = {}) {
    this.indices = Int32Array.from(indices);
    this.indices.forEach((v, k) => {
      if (!Number.isInteger(indices[k]) || v < 0) throw new RangeError(`SubsetRandomSampler: indices[${k}] = ${indices[k]} is not a non-negative integer`);
    });
    this.generator = options.generator;
  }
  get length(): number {
    return this.indices.length;
  }
  *[Symbol.iterator](): Iterator<number> {
    yield* this.epochIndices();
  }
  epochIndices(): Int32Array {
    const gen = childGenerator(this.generator ?? defaultGenerator());
    const p = shuffledIndices(this.indices.length, gen);
    for (let k = 0; k < p.length; k++) p[k] = this.indices[p[k]!]!;
    return p;
  }
}

/**
 * Index i drawn with probability weights[i] / sum(weights) (weights need not sum to 1).
 * Without replacement, each draw removes the index (successive sampling, as torch.multinomial).
 */
export class WeightedRandomSampler implements Sampler {
  readonly weights: Float64Array;
  readonly numSamples: number;
  readonly replacement: boolean;
  private readonly generator: RandomSource | undefined;

  constructor(weights: ArrayLike<number>, numSamples: number, options: { replacement?: boolean; generator?: RandomSource } = {}) {
    this.weights = Float64Array.from(weights);
    this.numSamples = numSamples;
    this.replacement = options.replacement ?? true;
    this.generator = options.generator;
    if (!Number.isInteger(numSamples) || numSamples < 0) throw new RangeError(`WeightedRandomSampler: numSamples must be a non-negative integer, got ${numSamples}`);
    let positive = 0;
    this.weights.forEach((w, i) => {
      if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`WeightedRandomSampler: weights[${i}] = ${w}; weights must be finite and non-negative`);
      if (w > 0) positive++;
    });
    if (numSamples > 0 && positive === 0) throw new RangeError('WeightedRandomSampler: all weights are zero');
    if (!this.replacement && numSamples > positive) {
      throw new RangeError(`WeightedRandomSampler: cannot draw ${numSamples} samples without replacement from ${positive} indices with nonzero weight`);
    }
  }

  get length(): number {
    return this.numSamples;
  }

  *[Symbol.iterator](): Iterator<number> {
    const gen = childGenerator(this.generator ?? defaultGenerator());
    const w = this.weights;
    if (this.replacement) {
      const cdf = new Float64Array(w.length);
      let acc = 0;
      for (let i = 0; i < w.length; i++) cdf[i] = acc += w[i]!;
      for (let k = 0; k < this.numSamples; k++) {
        const u = gen.nextFloat64() * acc;
        // First index whose cumulative weight exceeds u (zero-weight indices are never chosen).
        let lo = 0;
        let hi = w.length - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cdf[mid]! > u) hi = mid;
          else lo = mid + 1;
        }
        yield lo;
      }
      return;
    }
    // Efraimidis–Spirakis: the k largest keys log(u)/w_i are a weighted sample without replacement.
    const keys: { i: number; key: number }[] = [];
    for (let i = 0; i < w.length; i++) {
      if (w[i]! > 0) keys.push({ i, key: Math.log(1 - gen.nextFloat64()) / w[i]! });
    }
    keys.sort((a, b) => b.key - a.key);
    for (let k = 0; k < this.numSamples; k++) yield keys[k]!.i;
  }
}

/** Groups the indices of `sampler` into lists of `batchSize` (the last one shorter unless `dropLast`). */
export class BatchSampler implements Iterable<number[]> {
  constructor(
    readonly sampler: Iterable<number> & { readonly length?: number },
    readonly batchSize: number,
    readonly dropLast = false,
  ) {
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new RangeError(`BatchSampler: batchSize must be a positive integer, got ${batchSize}`);
  }

  get length(): number {
    const n = this.sampler.length;
    if (n === undefined) throw new TypeError('BatchSampler: the sampler has no length');
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<number[]> {
    const all = (this.sampler as Partial<Sampler>).epochIndices?.();
    if (all !== undefined) {
      for (let at = 0; at < all.length; at += this.batchSize) {
        const end = Math.min(all.length, at + this.batchSize);
        if (end - at < this.batchSize && this.dropLast) return;
        yield Array.from(all.subarray(at, end));
      }
      return;
    }
    let batch: number[] = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }
}

/** Checks a sampled index against the dataset (a sampler built for another dataset is a common slip). */
export function checkSampledIndex(index: number, length: number): void {
  checkIndex(index, length, 'sampler');
}
