import { Tensor } from '@tsgrad/tensor';
import { checkIndex } from './errors.js';
import { defaultGenerator, shuffledIndices, type RandomSource } from './random.js';

/**
 * A map-style dataset: `length` samples, each fetched by `get(i)` (synchronously, or as a
 * promise for datasets that read lazily). Anything with this shape works with DataLoader.
 */
export interface MapDataset<T> {
  readonly length: number;
  get(index: number): T | Promise<T>;
}

/** A map-style dataset whose `get` is synchronous: usable with a plain `for` over a DataLoader. */
export interface SyncDataset<T> extends MapDataset<T> {
  get(index: number): T;
}

/** Base class for map-style datasets (as torch.utils.data.Dataset): subclass and implement `length` and `get`. */
export abstract class Dataset<T> implements MapDataset<T> {
  abstract readonly length: number;
  abstract get(index: number): T | Promise<T>;

  /** Iterates the samples in order (synchronous datasets only). */
  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.length; i++) {
      const v = this.get(i);
      if (isPromise(v)) throw new TypeError(`dataset.get(${i}) returned a promise; iterate this dataset with for await`);
      yield v;
    }
  }
}

/**
 * An iterable-style dataset (as torch.utils.data.IterableDataset): a stream of samples from a
 * sync or async iterator. Subclass and implement one of the iterator methods, or wrap any
 * iterable with `IterableDataset.from`.
 */
export abstract class IterableDataset<T> {
  /** Optional number of samples, when known; lets a DataLoader report its length. */
  declare readonly length?: number;

  abstract [Symbol.asyncIterator](): AsyncIterator<T>;

  /** Wraps a sync or async iterable (or a function returning one, re-called each epoch). */
  static from<T>(source: Iterable<T> | AsyncIterable<T> | (() => Iterable<T> | AsyncIterable<T>), length?: number): IterableDataset<T> {
    return new IterableFrom(source, length);
  }
}

class IterableFrom<T> extends IterableDataset<T> {
  declare readonly length?: number;
  constructor(
    private readonly source: Iterable<T> | AsyncIterable<T> | (() => Iterable<T> | AsyncIterable<T>),
    length?: number,
  ) {
    super();
    if (length !== undefined) Object.defineProperty(this, 'length', { value: length, enumerable: true });
  }
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    const it = typeof this.source === 'function' ? this.source() : this.source;
    yield* it as AsyncIterable<T>;
  }
}

export function isPromise(v: unknown): v is Promise<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** Whether `d` is map-style (has a numeric length and a `get` method). */
export function isMapDataset(d: unknown): d is MapDataset<unknown> {
  return typeof d === 'object' && d !== null && typeof (d as MapDataset<unknown>).get === 'function' && typeof (d as MapDataset<unknown>).length === 'number';
}

/** Samples are the i-th slice of each tensor along dim 0 (as torch TensorDataset). */
export class TensorDataset extends Dataset<Tensor[]> {
  readonly tensors: Tensor[];
  readonly length: number;

  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.length === 0) throw new TypeError('TensorDataset needs at least one tensor');
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new TypeError(`TensorDataset: argument ${i} is not a Tensor`);
      if (t.ndim === 0) throw new RangeError(`TensorDataset: tensor ${i} is a scalar; every tensor needs a first (sample) dimension`);
    });
    const n = tensors[0]!.shape[0]!;
    tensors.forEach((t, i) => {
      if (t.shape[0] !== n) {
        throw new RangeError(`TensorDataset: size mismatch between tensors: tensor 0 has ${n} samples (shape [${tensors[0]!.shape.join(', ')}]), tensor ${i} has ${t.shape[0]} (shape [${t.shape.join(', ')}])`);
      }
    });
    this.tensors = tensors;
    this.length = n;
  }

  get(index: number): Tensor[] {
    checkIndex(index, this.length, 'TensorDataset');
    return this.tensors.map((t) => t.select(0, index));
  }
}

/** Several map-style datasets end to end (as torch ConcatDataset). */
export class ConcatDataset<T> extends Dataset<T> {
  readonly datasets: MapDataset<T>[];
  /** cumulativeSizes[k] = total length of datasets 0..k. */
  readonly cumulativeSizes: number[];

  constructor(datasets: Iterable<MapDataset<T>>) {
    super();
    this.datasets = [...datasets];
    if (this.datasets.length === 0) throw new TypeError('ConcatDataset needs at least one dataset');
    let total = 0;
    this.cumulativeSizes = this.datasets.map((d, i) => {
      if (!isMapDataset(d)) throw new TypeError(`ConcatDataset: dataset ${i} is not map-style (needs length and get)`);
      total += d.length;
      return total;
    });
  }

  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1]!;
  }

  get(index: number): T | Promise<T> {
    checkIndex(index, this.length, 'ConcatDataset');
    // Binary search for the first dataset whose cumulative size exceeds index.
    let lo = 0;
    let hi = this.cumulativeSizes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulativeSizes[mid]! > index) hi = mid;
      else lo = mid + 1;
    }
    const start = lo === 0 ? 0 : this.cumulativeSizes[lo - 1]!;
    return this.datasets[lo]!.get(index - start);
  }
}

/** The samples of `dataset` at `indices`, in that order (as torch Subset). */
export class Subset<T> extends Dataset<T> {
  readonly indices: Int32Array;

  constructor(
    readonly dataset: MapDataset<T>,
    indices: ArrayLike<number>,
  ) {
    super();
    this.indices = Int32Array.from(indices as ArrayLike<number>);
    for (let k = 0; k < this.indices.length; k++) {
      const i = indices[k]!;
      if (!Number.isInteger(i) || i < 0 || i >= dataset.length) {
        throw new RangeError(`Subset: indices[${k}] = ${i} is out of range for a dataset of length ${dataset.length}`);
      }
    }
  }

  get length(): number {
    return this.indices.length;
  }

  get(index: number): T | Promise<T> {
    checkIndex(index, this.indices.length, 'Subset');
    return this.dataset.get(this.indices[index]!);
  }
}

/**
 * Splits `dataset` into non-overlapping random subsets of the given lengths (as torch
 * random_split). Lengths are counts summing to the dataset length, or fractions summing to 1
 * (remainders are handed out one by one, round-robin, as torch does).
 */
export function randomSplit<T>(dataset: MapDataset<T>, lengths: readonly number[], generator: RandomSource = defaultGenerator()): Subset<T>[] {
  const n = dataset.length;
  let counts: number[];
  const sum = lengths.reduce((a, b) => a + b, 0);
  if (lengths.some((l) => !(l >= 0))) throw new RangeError(`randomSplit: lengths must be non-negative, got [${lengths.join(', ')}]`);
  if (Math.abs(sum - 1) < 1e-9 && sum !== n) {
    counts = lengths.map((f) => Math.floor(n * f));
    let rem = n - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; rem > 0; i = (i + 1) % counts.length, rem--) counts[i]!++;
  } else {
    if (!lengths.every(Number.isInteger)) throw new RangeError(`randomSplit: lengths must be integers summing to ${n} or fractions summing to 1, got [${lengths.join(', ')}]`);
    counts = lengths.slice();
  }
  const total = counts.reduce((a, b) => a + b, 0);
  if (total !== n) throw new RangeError(`randomSplit: sum of lengths [${counts.join(', ')}] is ${total}, but the dataset has ${n} samples`);
  const perm = shuffledIndices(n, generator);
  const out: Subset<T>[] = [];
  let offset = 0;
  for (const c of counts) {
    out.push(new Subset(dataset, perm.subarray(offset, offset + c)));
    offset += c;
  }
  return out;
}
