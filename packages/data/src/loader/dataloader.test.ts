import { describe, expect, it } from 'vitest';
import { arange, Generator, manualSeed, Tensor } from '@tsgrad/tensor';
import { Dataset, IterableDataset, TensorDataset } from '../dataset.js';
import { DatasetError } from '../errors.js';
import { BatchSampler, SequentialSampler, SubsetRandomSampler } from '../sampler.js';
import { DataLoader } from './dataloader.js';

function squares(n: number) {
  const x = arange(n).reshape(n, 1).to('float32');
  const y = arange(n);
  return new TensorDataset(x, y);
}

const labelsOf = (batches: Tensor[][]) => batches.map(([, y]) => y!.toArray() as number[]);

/** A dataset whose get() is asynchronous and records when each fetch starts. */
class SlowDataset extends Dataset<number> {
  started: number[] = [];
  constructor(readonly length: number, readonly delayMs = 5, readonly failAt = -1) {
    super();
  }
  async get(i: number): Promise<number> {
    this.started.push(i);
    await new Promise((r) => setTimeout(r, this.delayMs));
    if (i === this.failAt) throw new Error(`disk read failed for ${i}`);
    return i;
  }
}

describe('DataLoader (main thread)', () => {
  it('batches in order with a short last batch; length counts batches', async () => {
    const dl = new DataLoader(squares(10), { batchSize: 4 });
    expect(dl.length).toBe(3);
    const batches = [...dl] as Tensor[][];
    expect(labelsOf(batches)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(batches[0]![0]!.shape).toEqual([4, 1]);
    expect(batches[0]![0]!.dtype).toBe('float32');
    expect(batches[0]![1]!.dtype).toBe('int32');
    const asyncBatches: Tensor[][] = [];
    for await (const b of dl) asyncBatches.push(b);
    expect(labelsOf(asyncBatches)).toEqual(labelsOf(batches));
  });

  it('dropLast drops the short batch', () => {
    const dl = new DataLoader(squares(10), { batchSize: 4, dropLast: true });
    expect(dl.length).toBe(2);
    expect(labelsOf([...dl])).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
  });

  it('shuffle covers every sample once, changes per epoch, and is reproducible from the seed', () => {
    const run = (seed: number) => {
      const dl = new DataLoader(squares(20), { batchSize: 6, shuffle: true, generator: new Generator(seed) });
      return [labelsOf([...dl]).flat(), labelsOf([...dl]).flat()];
    };
    const [e1, e2] = run(123);
    expect([...e1!].sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    expect(e1).not.toEqual(e2);
    expect(run(123)).toEqual([e1, e2]);
    expect(run(124)[0]).not.toEqual(e1);
    // Without an explicit generator, manualSeed (tensor default generator) controls shuffling.
    manualSeed(5);
    const a = labelsOf([...new DataLoader(squares(20), { batchSize: 20, shuffle: true })]);
    manualSeed(5);
    const b = labelsOf([...new DataLoader(squares(20), { batchSize: 20, shuffle: true })]);
    expect(a).toEqual(b);
  });

  it('accepts a sampler or a batchSampler', () => {
    const dl = new DataLoader(squares(10), { batchSize: 2, sampler: new SubsetRandomSampler([1, 3, 5], { generator: new Generator(0) }) });
    expect(dl.length).toBe(2);
    expect(labelsOf([...dl]).flat().sort()).toEqual([1, 3, 5]);
    const bs = new DataLoader(squares(10), { batchSampler: [[9, 0], [4]] });
    expect(labelsOf([...bs])).toEqual([[9, 0], [4]]);
    const bs2 = new DataLoader(squares(5), { batchSampler: new BatchSampler(new SequentialSampler(5), 2, true) });
    expect(bs2.length).toBe(2);
    expect(() => new DataLoader(squares(5), { batchSampler: [[0]], batchSize: 2 })).toThrow(/mutually exclusive/);
    expect(() => new DataLoader(squares(5), { sampler: [0], shuffle: true })).toThrow(/mutually exclusive/);
  });

  it('uses a custom collateFn', () => {
    const dl = new DataLoader(squares(5), { batchSize: 2, collateFn: (s: Tensor[][]) => s.map(([, y]) => y!.item()) });
    expect([...dl]).toEqual([[0, 1], [2, 3], [4]]);
  });

  it('async datasets: for await works, plain for refuses with a clear message', async () => {
    const ds = new SlowDataset(5, 1);
    const out: number[][] = [];
    for await (const b of new DataLoader(ds, { batchSize: 2 })) out.push(b.toArray());
    expect(out).toEqual([[0, 1], [2, 3], [4]]);
    expect(() => [...new DataLoader(new SlowDataset(2, 1), { batchSize: 2 })]).toThrow(/returned a promise; iterate with for await/);
  });

  it('prefetch keeps prefetchFactor batches in flight while the consumer works', async () => {
    const ds = new SlowDataset(40, 2);
    const dl = new DataLoader(ds, { batchSize: 4, prefetchFactor: 3 });
    const it = dl[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.value.toArray()).toEqual([0, 1, 2, 3]);
    // Batch 0 was consumed; batches 1..3 are in flight: 4 batches * 4 samples started, no more.
    await new Promise((r) => setTimeout(r, 20));
    expect(ds.started.length).toBe(16);
    await it.return!();
  });

  it('errors reach the caller with the failing index (sync, async, and thrown)', async () => {
    class Bad extends Dataset<number> {
      readonly length = 6;
      get(i: number) {
        if (i === 4) throw new TypeError('corrupt record');
        return i;
      }
    }
    let caught: unknown;
    try {
      for (const _ of new DataLoader(new Bad(), { batchSize: 2 })) void _;
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DatasetError);
    expect((caught as DatasetError).index).toBe(4);
    expect((caught as Error).message).toMatch(/dataset\.get\(4\) failed: TypeError: corrupt record/);
    expect((caught as Error).cause).toBeInstanceOf(TypeError);

    const received: number[][] = [];
    await expect(async () => {
      for await (const b of new DataLoader(new SlowDataset(10, 1, 7), { batchSize: 3 })) received.push(b.toArray());
    }).rejects.toMatchObject({ index: 7, message: expect.stringMatching(/dataset\.get\(7\) failed: disk read failed for 7/) });
    expect(received).toEqual([[0, 1, 2], [3, 4, 5]]);
  });

  it('iterable datasets: sync and async sources, dropLast, length, errors with position', async () => {
    const gen = function* () {
      for (let i = 0; i < 7; i++) yield { v: i };
    };
    const sync = new DataLoader(gen(), { batchSize: 3 });
    expect([...sync].map((b) => b.v.toArray())).toEqual([[0, 1, 2], [3, 4, 5], [6]]);

    const ds = IterableDataset.from(async function* () {
      for (let i = 0; i < 7; i++) {
        await new Promise((r) => setTimeout(r, 1));
        yield i;
      }
    }, 7);
    const dl = new DataLoader(ds, { batchSize: 3, dropLast: true });
    expect(dl.length).toBe(2);
    const out: number[][] = [];
    for await (const b of dl) out.push(b.toArray());
    expect(out).toEqual([[0, 1, 2], [3, 4, 5]]);
    // Re-iterable: the factory is called again for the second epoch.
    const again: number[][] = [];
    for await (const b of dl) again.push(b.toArray());
    expect(again).toEqual(out);
    expect(() => [...dl]).toThrow(/asynchronous/);
    expect(() => new DataLoader(ds, { shuffle: true })).toThrow(/map-style/);
    expect(() => new DataLoader(IterableDataset.from([1])).length).toThrow(/no length/);

    const failing = IterableDataset.from(async function* () {
      yield 1;
      yield 2;
      throw new Error('stream broke');
    });
    await expect(async () => {
      for await (const _ of new DataLoader(failing, { batchSize: 1 })) void _;
    }).rejects.toMatchObject({ index: 2, message: expect.stringMatching(/sample 2: stream broke/) });
  });

  it('validates its options', () => {
    expect(() => new DataLoader(squares(3), { batchSize: 0 })).toThrow(RangeError);
    expect(() => new DataLoader(squares(3), { numWorkers: 2 })).toThrow(/workerDataset/);
    expect(() => new DataLoader(42 as never)).toThrow(/map-style/);
  });
});
