import { defaultCollate, type CollateFn } from '../collate.js';
import { isMapDataset, isPromise, type MapDataset } from '../dataset.js';
import { DatasetError } from '../errors.js';
import { defaultGenerator, drawSeed, type RandomSource } from '../random.js';
import { BatchSampler, RandomSampler, SequentialSampler } from '../sampler.js';
import { WorkerPool } from './pool.js';
import { specifierOf, type WorkerDatasetSpec } from './worker-spec.js';

/**
 * Options of `DataLoader` (camelCase versions of torch's): `batchSize` (1; null for no batching), `shuffle`, `sampler`/`batchSampler`, `dropLast`, `collateFn`, `numWorkers` (worker threads, with `workerDataset`), `prefetchFactor`, `persistentWorkers`, `generator`.
 * @example
 * ```ts
 * new DataLoader(dataset, { batchSize: 64, shuffle: true, dropLast: true });
 * ```
 */
export interface DataLoaderOptions<S, B> {
  /** Samples per batch; default 1. */
  batchSize?: number;
  /** Reshuffle every epoch (a RandomSampler over `generator`). Default false. */
  shuffle?: boolean;
  /** Indices to load, in order (excludes `shuffle`). */
  sampler?: Iterable<number> & { readonly length?: number };
  /** Lists of indices, one per batch (excludes batchSize, shuffle, sampler, dropLast). */
  batchSampler?: Iterable<number[]> & { readonly length?: number };
  /** Drop the last batch if it is short. Default false. */
  dropLast?: boolean;
  /** Turns a list of samples into a batch; default `defaultCollate` (stacks into tensors). */
  collateFn?: CollateFn<S, B>;
  /** Random source for shuffling and worker seeds; default the package's default generator. */
  generator?: RandomSource;
  /** Worker threads that load samples in parallel; 0 (default) loads on the main thread. Needs `workerDataset`. */
  numWorkers?: number;
  /** How each worker builds its copy of the dataset (module + export), since datasets cannot be sent to threads. */
  workerDataset?: WorkerDatasetSpec;
  /** Batches kept in flight per worker (or in total with no workers) during async iteration. Default 2. */
  prefetchFactor?: number;
  /** Keep worker threads alive between epochs (call `close()` when done). Default false. */
  persistentWorkers?: boolean;
}

type AnyIterable<S> = Iterable<S> | AsyncIterable<S>;

/**
 * A map-style dataset that can also fetch a whole batch at once (as torch's `__getitems__`):
 * `getBatch(indices)` must return exactly what `defaultCollate(indices.map((i) => get(i)))` would.
 * DataLoader uses it when no `collateFn` is given (and without worker threads).
 */
export interface BatchDataset<B> {
  getBatch(indices: readonly number[]): B;
}

/**
 * Batches a dataset (as torch.utils.data.DataLoader). Iterate with `for await` (prefetching,
 * optional worker threads); a map-style dataset with synchronous `get` also supports plain `for`.
 * `length` is the number of batches per epoch.
 */
export class DataLoader<S = any, B = any> implements AsyncIterable<B>, Iterable<B> {
  readonly dataset: MapDataset<S> | AnyIterable<S>;
  readonly batchSize: number | null;
  readonly dropLast: boolean;
  readonly numWorkers: number;
  readonly prefetchFactor: number;
  readonly collateFn: CollateFn<S, B>;
  readonly batchSampler: (Iterable<number[]> & { readonly length?: number }) | null;
  readonly generator: RandomSource | undefined;
  private readonly customCollate: boolean;
  private readonly workerSpec: WorkerDatasetSpec | undefined;
  private readonly persistentWorkers: boolean;
  private pool: WorkerPool | null = null;

  constructor(dataset: MapDataset<S> | AnyIterable<S>, options: DataLoaderOptions<S, B> = {}) {
    this.dataset = dataset;
    this.dropLast = options.dropLast ?? false;
    this.numWorkers = options.numWorkers ?? 0;
    this.prefetchFactor = options.prefetchFactor ?? 2;
    this.customCollate = options.collateFn !== undefined;
    this.collateFn = options.collateFn ?? (defaultCollate as CollateFn<S, B>);
    this.generator = options.generator;
    this.workerSpec = options.workerDataset;
    this.persistentWorkers = options.persistentWorkers ?? false;

    if (!Number.isInteger(this.numWorkers) || this.numWorkers < 0) throw new RangeError(`DataLoader: numWorkers must be a non-negative integer, got ${this.numWorkers}`);
    if (!Number.isInteger(this.prefetchFactor) || this.prefetchFactor < 1) throw new RangeError(`DataLoader: prefetchFactor must be a positive integer, got ${this.prefetchFactor}`);

    const map = isMapDataset(dataset);
    if (!map && !(Symbol.asyncIterator in Object(dataset)) && !(Symbol.iterator in Object(dataset))) {
      throw new TypeError('DataLoader: dataset must be map-style (length and get) or a sync/async iterable');
    }
    if (this.numWorkers > 0) {
      if (!map) throw new TypeError('DataLoader: numWorkers > 0 needs a map-style dataset (iterable datasets are loaded on the main thread)');
      if (this.workerSpec === undefined) {
        throw new TypeError('DataLoader: numWorkers > 0 needs workerDataset: { module, export, args } so each worker thread can build its own copy of the dataset');
      }
      specifierOf(this.workerSpec.module); // validates the module reference now rather than in the workers
    }

    if (options.batchSampler !== undefined) {
      if (options.batchSize !== undefined || options.shuffle || options.sampler !== undefined || options.dropLast) {
        throw new TypeError('DataLoader: batchSampler is mutually exclusive with batchSize, shuffle, sampler and dropLast');
      }
      if (!map) throw new TypeError('DataLoader: batchSampler needs a map-style dataset');
      this.batchSampler = options.batchSampler;
      this.batchSize = null;
      return;
    }
    this.batchSize = options.batchSize ?? 1;
    if (!Number.isInteger(this.batchSize) || this.batchSize <= 0) throw new RangeError(`DataLoader: batchSize must be a positive integer, got ${options.batchSize}`);
    if (options.sampler !== undefined && options.shuffle) throw new TypeError('DataLoader: sampler is mutually exclusive with shuffle');
    if (!map) {
      if (options.shuffle || options.sampler !== undefined) throw new TypeError('DataLoader: shuffle and sampler need a map-style dataset; an iterable dataset yields samples in its own order');
      this.batchSampler = null;
      return;
    }
    const sampler: Iterable<number> & { readonly length?: number } =
      options.sampler ?? (options.shuffle ? new RandomSampler(dataset, this.generator ? { generator: this.generator } : {}) : new SequentialSampler(dataset));
    this.batchSampler = new BatchSampler(sampler, this.batchSize, this.dropLast);
  }

  /** Batches per epoch. */
  get length(): number {
    if (this.batchSampler !== null) {
      const n = this.batchSampler.length;
      if (n === undefined) throw new TypeError('DataLoader: the batch sampler has no length');
      return n;
    }
    const n = (this.dataset as { length?: unknown }).length;
    if (typeof n !== 'number') throw new TypeError('DataLoader: the iterable dataset has no length, so the number of batches is unknown');
    return this.dropLast ? Math.floor(n / this.batchSize!) : Math.ceil(n / this.batchSize!);
  }

  /** Synchronous iteration: map-style datasets whose `get` returns samples (not promises), without workers. */
  *[Symbol.iterator](): Iterator<B> {
    if (this.numWorkers > 0) throw new TypeError('DataLoader: worker threads need async iteration; use for await');
    if (this.batchSampler === null) {
      const ds = this.dataset as AnyIterable<S>;
      if (!(Symbol.iterator in Object(ds))) throw new TypeError('DataLoader: this dataset is asynchronous; iterate with for await');
      let batch: S[] = [];
      let position = 0;
      const it = (ds as Iterable<S>)[Symbol.iterator]();
      for (;;) {
        let r: IteratorResult<S>;
        try {
          r = it.next();
        } catch (e) {
          throw new DatasetError(position, e, `iterable dataset failed at sample ${position}`);
        }
        if (r.done) break;
        position++;
        batch.push(r.value);
        if (batch.length === this.batchSize) {
          yield this.collateFn(batch);
          batch = [];
        }
      }
      if (batch.length > 0 && !this.dropLast) yield this.collateFn(batch);
      return;
    }
    const ds = this.dataset as MapDataset<S>;
    const batched = this.batchedGet(ds);
    for (const indices of this.batchSampler) {
      if (batched !== null) {
        yield batched(indices);
        continue;
      }
      const samples = indices.map((i) => {
        const v = getSample(ds, i);
        if (isPromise(v)) {
          v.catch(() => {});
          throw new TypeError(`DataLoader: dataset.get(${i}) returned a promise; iterate with for await`);
        }
        return v;
      });
      yield this.collateFn(samples);
    }
  }

  /** Asynchronous iteration with `prefetchFactor` batches in flight (per worker when numWorkers > 0). */
  async *[Symbol.asyncIterator](): AsyncIterator<B> {
    if (this.batchSampler === null) {
      yield* readAhead(this.iterableBatches(), this.prefetchFactor);
      return;
    }
    const ds = this.dataset as MapDataset<S>;
    let load: (k: number, indices: number[]) => Promise<B>;
    let pool: WorkerPool | null = null;
    if (this.numWorkers > 0) {
      pool = this.startPool(ds.length);
      const p = pool;
      const n = ds.length;
      const checked = (k: number, idx: number[]) => {
        for (const i of idx) {
          if (!Number.isInteger(i) || i < 0 || i >= n) throw new DatasetError(i, new RangeError(`index ${i} is out of range for a dataset of length ${n}`), `sampler produced index ${i}`);
        }
        return p.run(k, idx);
      };
      load = this.customCollate ? async (k, idx) => this.collateFn((await checked(k, idx)) as S[]) : async (k, idx) => (await checked(k, idx)) as B;
    } else {
      load = (_k, idx) => this.loadBatch(ds, idx);
    }
    const maxInFlight = this.prefetchFactor * Math.max(1, this.numWorkers);
    const batches = this.batchSampler[Symbol.iterator]();
    const inFlight: Promise<B>[] = [];
    let k = 0;
    let exhausted = false;
    const fill = () => {
      while (!exhausted && inFlight.length < maxInFlight) {
        const r = batches.next();
        if (r.done) {
          exhausted = true;
          break;
        }
        const p = load(k++, r.value);
        p.catch(() => {}); // observed when awaited below; avoids unhandled-rejection noise for batches never reached
        inFlight.push(p);
      }
    };
    try {
      fill();
      while (inFlight.length > 0) {
        const batch = await inFlight.shift()!;
        fill();
        yield batch;
      }
    } finally {
      if (pool !== null) {
        if (this.persistentWorkers) pool.setIdle(true);
        else await pool.close();
      }
    }
  }

  /** Stops persistent worker threads. */
  async close(): Promise<void> {
    const p = this.pool;
    this.pool = null;
    if (p) await p.close();
  }

  private startPool(length: number): WorkerPool {
    const gen = this.generator ?? defaultGenerator();
    const base = drawSeed(gen);
    const seeds = Array.from({ length: this.numWorkers }, (_, i) => (base + i) >>> 0);
    if (this.persistentWorkers && this.pool !== null) {
      this.pool.reseed(seeds);
      this.pool.setIdle(false);
      return this.pool;
    }
    const pool = new WorkerPool(this.workerSpec!, this.numWorkers, seeds, !this.customCollate, length);
    if (this.persistentWorkers) this.pool = pool;
    return pool;
  }

  /**
   * With the default collate and a dataset that has `getBatch` (see `BatchDataset`), a whole batch
   * is fetched in one call (collated straight into one typed array) instead of sample by sample.
   */
  private batchedGet(ds: MapDataset<S>): ((indices: number[]) => B) | null {
    if (this.customCollate) return null;
    const getBatch = (ds as Partial<BatchDataset<B>>).getBatch;
    if (typeof getBatch !== 'function') return null;
    return (indices) => {
      const n = ds.length;
      for (let k = 0; k < indices.length; k++) {
        const i = indices[k]!;
        if (!Number.isInteger(i) || i < 0 || i >= n) {
          throw new DatasetError(i, new RangeError(`index ${i} is out of range for a dataset of length ${n}`), `sampler produced index ${i}`);
        }
      }
      try {
        return getBatch.call(ds, indices);
      } catch (e) {
        throw new DatasetError(indices[0]!, e, `dataset.getBatch failed for the batch starting at index ${indices[0]}`);
      }
    };
  }

  private async loadBatch(ds: MapDataset<S>, indices: number[]): Promise<B> {
    // Start on a fresh macrotask so prefetching a synchronous dataset interleaves with the consumer.
    await new Promise((r) => setImmediate(r));
    const batched = this.batchedGet(ds);
    if (batched !== null) return batched(indices);
    const samples = await Promise.all(indices.map((i) => getSample(ds, i)));
    return this.collateFn(samples);
  }

  private async *iterableBatches(): AsyncGenerator<B> {
    const ds = this.dataset as AnyIterable<S>;
    const it = Symbol.asyncIterator in Object(ds) ? (ds as AsyncIterable<S>)[Symbol.asyncIterator]() : (ds as Iterable<S>)[Symbol.iterator]();
    let batch: S[] = [];
    let position = 0;
    try {
      for (;;) {
        let r: IteratorResult<S>;
        try {
          r = await it.next();
        } catch (e) {
          throw new DatasetError(position, e, `iterable dataset failed at sample ${position}`);
        }
        if (r.done) break;
        position++;
        batch.push(r.value);
        if (batch.length === this.batchSize) {
          yield this.collateFn(batch);
          batch = [];
        }
      }
    } finally {
      await it.return?.();
    }
    if (batch.length > 0 && !this.dropLast) yield this.collateFn(batch);
  }
}

/** Fetches one sample, wrapping any failure (thrown or rejected) in a DatasetError naming the index. */
function getSample<S>(ds: MapDataset<S>, i: number): S | Promise<S> {
  if (!Number.isInteger(i) || i < 0 || i >= ds.length) {
    throw new DatasetError(i, new RangeError(`index ${i} is out of range for a dataset of length ${ds.length}`), `sampler produced index ${i}`);
  }
  let v: S | Promise<S>;
  try {
    v = ds.get(i);
  } catch (e) {
    throw new DatasetError(i, e);
  }
  if (isPromise(v)) {
    return (v as Promise<S>).catch((e) => {
      throw new DatasetError(i, e);
    });
  }
  return v;
}

/** Runs up to `n` items ahead of the consumer of an async iterator. */
async function* readAhead<T>(source: AsyncIterator<T>, n: number): AsyncGenerator<T> {
  const queue: Promise<IteratorResult<T>>[] = [];
  let done = false;
  const pump = () => {
    while (!done && queue.length < n) {
      const p = source.next();
      p.catch(() => {});
      queue.push(p);
      // An async generator serialises next() calls, so queued requests resolve in order.
      p.then((r) => {
        if (r.done) done = true;
      }, () => {
        done = true;
      });
      if (queue.length >= n) break;
    }
  };
  try {
    pump();
    while (queue.length > 0) {
      const r = await queue.shift()!;
      if (r.done) return;
      pump();
      yield r.value;
    }
  } finally {
    await source.return?.(undefined);
  }
}
