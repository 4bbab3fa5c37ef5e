import { describe, expect, it } from 'vitest';
import { Generator } from '@tsgrad/tensor';
import { BatchSampler, RandomSampler, SequentialSampler, SubsetRandomSampler, WeightedRandomSampler } from './sampler.js';

const sorted = (xs: Iterable<number>) => [...xs].sort((a, b) => a - b);

describe('samplers', () => {
  it('SequentialSampler yields 0..n-1 each epoch', () => {
    const s = new SequentialSampler({ length: 5 });
    expect([...s]).toEqual([0, 1, 2, 3, 4]);
    expect([...s]).toEqual([0, 1, 2, 3, 4]);
    expect(s.length).toBe(5);
  });

  it('RandomSampler is a permutation, differs across epochs, and is reproducible from the seed', () => {
    const s1 = new RandomSampler(50, { generator: new Generator(7) });
    const s2 = new RandomSampler(50, { generator: new Generator(7) });
    const e1 = [...s1];
    const e2 = [...s1];
    expect(sorted(e1)).toEqual([...Array(50).keys()]);
    expect(e1).not.toEqual(e2);
    expect(e1).not.toEqual([...Array(50).keys()]);
    expect([...s2]).toEqual(e1);
    expect([...s2]).toEqual(e2);
    const s3 = new RandomSampler(50, { generator: new Generator(8) });
    expect([...s3]).not.toEqual(e1);
  });

  it('RandomSampler numSamples and replacement', () => {
    const g = new Generator(1);
    const long = [...new RandomSampler(4, { numSamples: 10, generator: g })];
    expect(long).toHaveLength(10);
    expect(sorted(long.slice(0, 4))).toEqual([0, 1, 2, 3]);
    expect(sorted(long.slice(4, 8))).toEqual([0, 1, 2, 3]);
    const rep = [...new RandomSampler(3, { replacement: true, numSamples: 3000, generator: g })];
    expect(rep).toHaveLength(3000);
    for (let v = 0; v < 3; v++) {
      const c = rep.filter((x) => x === v).length;
      expect(c).toBeGreaterThan(900);
      expect(c).toBeLessThan(1100);
    }
    expect(() => new RandomSampler(3, { numSamples: -1 })).toThrow(RangeError);
  });

  it('SubsetRandomSampler permutes exactly the given indices', () => {
    const s = new SubsetRandomSampler([10, 20, 30, 40], { generator: new Generator(3) });
    expect(sorted(s)).toEqual([10, 20, 30, 40]);
    expect(s.length).toBe(4);
    const orders = new Set<string>();
    for (let e = 0; e < 20; e++) orders.add([...s].join(','));
    expect(orders.size).toBeGreaterThan(5);
  });

  it('WeightedRandomSampler with replacement follows the weights and never picks zero weights', () => {
    const s = new WeightedRandomSampler([1, 0, 3, 6], 20000, { generator: new Generator(11) });
    const counts = [0, 0, 0, 0];
    for (const i of s) counts[i]!++;
    expect(counts[1]).toBe(0);
    expect(counts[0]! / 20000).toBeCloseTo(0.1, 1);
    expect(counts[2]! / 20000).toBeCloseTo(0.3, 1);
    expect(counts[3]! / 20000).toBeCloseTo(0.6, 1);
  });

  it('WeightedRandomSampler without replacement draws distinct indices, heavy ones first more often', () => {
    const s = new WeightedRandomSampler([1, 1, 1, 100], 3, { replacement: false, generator: new Generator(5) });
    let heavyFirst = 0;
    for (let e = 0; e < 200; e++) {
      const draw = [...s];
      expect(new Set(draw).size).toBe(3);
      if (draw[0] === 3) heavyFirst++;
    }
    expect(heavyFirst).toBeGreaterThan(180);
    expect(() => new WeightedRandomSampler([1, 0], 2, { replacement: false })).toThrow(/without replacement/);
    expect(() => new WeightedRandomSampler([1, -1], 2)).toThrow(/weights\[1\]/);
  });

  it('BatchSampler groups indices, keeping or dropping the short last batch', () => {
    const base = new SequentialSampler(7);
    expect([...new BatchSampler(base, 3)]).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect([...new BatchSampler(base, 3, true)]).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(new BatchSampler(base, 3).length).toBe(3);
    expect(new BatchSampler(base, 3, true).length).toBe(2);
    expect(() => new BatchSampler(base, 0)).toThrow(RangeError);
  });
});

describe('epochIndices and the batch fast path', () => {
  // Iterating a sampler and asking for its epoch's indices at once must give the same sequence
  // from the same generator state, and BatchSampler must cut the same batches either way.
  const makers: [string, (seed: number) => RandomSampler | SequentialSampler | SubsetRandomSampler][] = [
    ['SequentialSampler', () => new SequentialSampler(23)],
    ['RandomSampler', (seed) => new RandomSampler(23, { generator: new Generator(seed) })],
    ['RandomSampler, 2.5 permutations', (seed) => new RandomSampler(10, { numSamples: 25, generator: new Generator(seed) })],
    ['RandomSampler with replacement', (seed) => new RandomSampler(23, { replacement: true, numSamples: 31, generator: new Generator(seed) })],
    ['SubsetRandomSampler', (seed) => new SubsetRandomSampler([5, 9, 11, 2, 40, 7], { generator: new Generator(seed) })],
  ];
  for (const [name, make] of makers) {
    it(`${name}: epochIndices() is the iteration, epoch after epoch`, () => {
      const a = make(3), b = make(3);
      for (let epoch = 0; epoch < 3; epoch++) expect(Array.from(a.epochIndices())).toEqual([...b]);
    });

    it(`${name}: BatchSampler cuts the same batches as from plain iteration (with and without dropLast)`, () => {
      for (const dropLast of [false, true]) {
        const fast = new BatchSampler(make(5), 4, dropLast);
        const plainSampler = make(5);
        const plain = new BatchSampler({ [Symbol.iterator]: () => plainSampler[Symbol.iterator](), length: plainSampler.length }, 4, dropLast);
        for (let epoch = 0; epoch < 2; epoch++) expect([...fast]).toEqual([...plain]);
      }
    });
  }
});
