import { describe, expect, it } from 'vitest';
import { arange, Generator, tensor } from '@tsgrad/tensor';
import { ConcatDataset, Dataset, Subset, TensorDataset, randomSplit } from './dataset.js';

class Range extends Dataset<number> {
  constructor(readonly length: number, readonly base = 0) {
    super();
  }
  get(i: number) {
    return this.base + i;
  }
}

describe('datasets', () => {
  it('TensorDataset slices every tensor along dim 0', () => {
    const x = arange(12).reshape(4, 3);
    const y = tensor([5, 6, 7, 8]);
    const ds = new TensorDataset(x, y);
    expect(ds.length).toBe(4);
    const [xi, yi] = ds.get(2);
    expect(xi!.toArray()).toEqual([6, 7, 8]);
    expect(yi!.item()).toBe(7);
    expect(yi!.shape).toEqual([]);
    expect(() => ds.get(4)).toThrow(/out of range/);
    expect(() => new TensorDataset(x, tensor([1, 2]))).toThrow(/size mismatch.*\[4, 3\].*\[2\]/);
  });

  it('ConcatDataset maps indices across datasets', () => {
    const ds = new ConcatDataset([new Range(3, 100), new Range(0), new Range(2, 200)]);
    expect(ds.length).toBe(5);
    expect([...ds]).toEqual([100, 101, 102, 200, 201]);
    expect(() => ds.get(5)).toThrow(RangeError);
  });

  it('Subset picks indices in order and validates them', () => {
    const s = new Subset(new Range(10), [9, 0, 4]);
    expect([...s]).toEqual([9, 0, 4]);
    expect(() => new Subset(new Range(3), [3])).toThrow(/indices\[0\] = 3/);
  });

  it('randomSplit partitions the dataset reproducibly, by counts or fractions', () => {
    const ds = new Range(10);
    const [a, b] = randomSplit(ds, [7, 3], new Generator(42));
    expect(a!.length).toBe(7);
    expect(b!.length).toBe(3);
    expect([...a!, ...b!].sort((p, q) => p - q)).toEqual([...Array(10).keys()]);
    const [a2] = randomSplit(ds, [7, 3], new Generator(42));
    expect([...a2!]).toEqual([...a!]);
    const parts = randomSplit(new Range(11), [0.5, 0.3, 0.2], new Generator(1));
    expect(parts.map((p) => p.length)).toEqual([6, 3, 2]);
    expect(() => randomSplit(ds, [5, 4])).toThrow(/sum of lengths/);
  });
});
