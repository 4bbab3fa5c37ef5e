import { describe, expect, it } from 'vitest';
import { Generator, Tensor } from '@tsgrad/tensor';
import { DatasetError } from '../errors.js';
import { makeNoisy, makeSquares } from '../test-utils/worker-fixture.js';
import { mnistDigits } from '../datasets/mnist-digits.js';
import { DataLoader } from './dataloader.js';

const fixture = new URL('../test-utils/worker-fixture.ts', import.meta.url);

type Batch = { x: Tensor; y: Tensor; worker: Tensor };

async function collect<B>(dl: AsyncIterable<B>): Promise<B[]> {
  const out: B[] = [];
  for await (const b of dl) out.push(b);
  return out;
}

// Each worker thread loads TypeScript through tsx, which is slow on a busy machine: generous timeouts.
describe('DataLoader worker threads', { timeout: 240_000 }, () => {
  it('loads batches in workers, in order, as real Tensors, identical to the main-thread result', async () => {
    const n = 23;
    const main = [...new DataLoader(makeSquares(n), { batchSize: 4 })] as Batch[];
    const dl = new DataLoader(makeSquares(n), { batchSize: 4, numWorkers: 2, workerDataset: { module: fixture, export: 'makeSquares', args: [n] } });
    const got = await collect<Batch>(dl);
    expect(got).toHaveLength(6);
    got.forEach((b, k) => {
      expect(b.x).toBeInstanceOf(Tensor);
      expect(b.x.dtype).toBe('float32');
      expect(b.x.shape).toEqual(k < 5 ? [4, 2] : [3, 2]);
      expect(b.x.toArray()).toEqual(main[k]!.x.toArray());
      expect(b.y.dtype).toBe('int32');
      expect(b.y.toArray()).toEqual(main[k]!.y.toArray());
      // Round-robin: batch k comes from worker k mod 2.
      expect(new Set(b.worker.toArray() as number[])).toEqual(new Set([k % 2]));
    });
    expect(main[0]!.worker.toArray()).toEqual([-1, -1, -1, -1]);
  });

  it('shuffles reproducibly with workers and applies a custom collateFn on the main thread', async () => {
    const spec = { module: fixture, export: 'SquaresDataset', args: [30] };
    const run = () =>
      collect(new DataLoader(makeSquares(30), { batchSize: 8, shuffle: true, generator: new Generator(9), numWorkers: 2, workerDataset: spec, collateFn: (s: { y: number }[]) => s.map((v) => v.y) }));
    const a = await run();
    expect(a.map((b) => b.length)).toEqual([8, 8, 8, 6]);
    expect(await run()).toEqual(a);
  });

  it('seeds each worker deterministically, so random per-sample work is reproducible', async () => {
    const spec = { module: fixture, export: 'makeNoisy', args: [12] };
    const dl = new DataLoader(makeNoisy(12), { batchSize: 3, numWorkers: 2, persistentWorkers: true, generator: new Generator(1), workerDataset: spec });
    const epoch1 = (await collect(dl)).map((b) => b.noise.toArray());
    const epoch2 = (await collect(dl)).map((b) => b.noise.toArray());
    await dl.close();
    const again = new DataLoader(makeNoisy(12), { batchSize: 3, numWorkers: 2, generator: new Generator(1), workerDataset: spec });
    expect((await collect(again)).map((b) => b.noise.toArray())).toEqual(epoch1);
    // A new epoch reseeds the workers from the loader's generator.
    expect(epoch2).not.toEqual(epoch1);
    // Workers have different streams: batch 0 (worker 0) and batch 1 (worker 1) differ.
    expect(epoch1[0]).not.toEqual(epoch1[1]);
  });

  it('a sample error in a worker reaches the caller with its index', async () => {
    const dl = new DataLoader(makeSquares(20, 13), { batchSize: 4, numWorkers: 2, workerDataset: { module: fixture, export: 'makeSquares', args: [20, 13] } });
    const seen: number[] = [];
    let caught: unknown;
    try {
      for await (const b of dl) seen.push(...(b.y.toArray() as number[]));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DatasetError);
    expect((caught as DatasetError).index).toBe(13);
    expect((caught as Error).message).toMatch(/dataset\.get\(13\) failed in DataLoader worker 1: RangeError: bad sample 13/);
    expect(seen).toHaveLength(12);
  });

  it('reports a worker dataset that cannot be built, or disagrees in length', async () => {
    await expect(collect(new DataLoader(makeSquares(4), { numWorkers: 1, workerDataset: { module: fixture, export: 'makeBroken' } }))).rejects.toThrow(/worker 0 failed to start: cannot build this dataset/);
    await expect(collect(new DataLoader(makeSquares(4), { numWorkers: 1, workerDataset: { module: fixture, export: 'nope' } }))).rejects.toThrow(/no export named 'nope'/);
    await expect(collect(new DataLoader(makeSquares(4), { numWorkers: 1, workerDataset: { module: fixture, export: 'makeSquares', args: [5] } }))).rejects.toThrow(/5 samples but the main-thread dataset has 4/);
  });

  it('builds a package export in the worker: the mnist digits through @tsgrad/data', async () => {
    const main = mnistDigits({ split: 'test', flatten: true });
    const dl = new DataLoader(main, { batchSize: 500, numWorkers: 1, workerDataset: { module: '@tsgrad/data', export: 'mnistDigits', args: [{ split: 'test', flatten: true }] } });
    const batches = await collect<Tensor[]>(dl);
    expect(batches.map((b) => b[0]!.shape)).toEqual([[500, 784], [500, 784], [500, 784], [500, 784]]);
    const [x0, y0] = [...new DataLoader(main, { batchSize: 500 })][0] as Tensor[];
    expect(batches[0]![0]!.toTypedArray()).toEqual(x0!.toTypedArray());
    expect(batches[0]![1]!.toArray()).toEqual(y0!.toArray());
    expect(() => new DataLoader(main, { numWorkers: 1, workerDataset: { module: './x.js' } })).toThrow(/is relative; pass new URL/);
  });

  it('a worker that dies mid-epoch fails the iteration instead of hanging', async () => {
    const spec = { module: fixture, export: 'makeExiting', args: [40] };
    const seen: number[] = [];
    await expect(async () => {
      for await (const b of new DataLoader(makeSquares(40), { batchSize: 2, numWorkers: 1, workerDataset: spec, collateFn: (s: number[]) => s })) seen.push(...b);
    }).rejects.toThrow(/DataLoader worker 0 exited unexpectedly with code 3/);
    expect(seen).toEqual([0, 1, 2, 3]);
  });

  it('persistent workers survive across epochs until close()', async () => {
    const dl = new DataLoader(makeSquares(10), { batchSize: 5, numWorkers: 2, persistentWorkers: true, workerDataset: { module: fixture, export: 'makeSquares', args: [10] } });
    const e1 = (await collect<Batch>(dl)).map((b) => b.y.toArray());
    const e2 = (await collect<Batch>(dl)).map((b) => b.y.toArray());
    expect(e1).toEqual([[0, 1, 2, 0, 1], [2, 0, 1, 2, 0]]);
    expect(e2).toEqual(e1);
    await dl.close();
  });
});
