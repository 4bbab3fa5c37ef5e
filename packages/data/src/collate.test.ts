import { describe, expect, it } from 'vitest';
import { arange, tensor, Tensor } from '@tsgrad/tensor';
import { defaultCollate } from './collate.js';

describe('defaultCollate', () => {
  it('stacks tensors along a new first dim, including non-contiguous views', () => {
    const a = arange(6).reshape(2, 3);
    const b = arange(6, 12).reshape(3, 2).transpose(0, 1); // non-contiguous [2, 3]
    const out = defaultCollate([a, b]) as Tensor;
    expect(out.shape).toEqual([2, 2, 3]);
    expect(out.dtype).toBe('int32');
    expect(out.toArray()).toEqual([
      [[0, 1, 2], [3, 4, 5]],
      [[6, 8, 10], [7, 9, 11]],
    ]);
  });

  it('numbers become int32 or float32, booleans bool', () => {
    const i = defaultCollate([1, 2, 3]) as Tensor;
    expect(i.dtype).toBe('int32');
    expect(i.toArray()).toEqual([1, 2, 3]);
    const f = defaultCollate([1, 2.5]) as Tensor;
    expect(f.dtype).toBe('float32');
    expect(f.toArray()).toEqual([1, 2.5]);
    const b = defaultCollate([true, false]) as Tensor;
    expect(b.dtype).toBe('bool');
    expect(b.toArray()).toEqual([true, false]);
  });

  it('typed arrays stack into [B, n] of the matching dtype', () => {
    const f = defaultCollate([Float32Array.of(1, 2), Float32Array.of(3, 4)]) as Tensor;
    expect(f.dtype).toBe('float32');
    expect(f.shape).toEqual([2, 2]);
    expect(f.toArray()).toEqual([[1, 2], [3, 4]]);
    const u = defaultCollate([Uint8Array.of(255, 0), Uint8Array.of(7, 8)]) as Tensor;
    expect(u.dtype).toBe('int32');
    expect(u.toArray()).toEqual([[255, 0], [7, 8]]);
    expect(() => defaultCollate([Float32Array.of(1), Float32Array.of(1, 2)])).toThrow(/sample 1 has length 2, but sample 0 has 1/);
  });

  it('collates nested arrays and objects recursively; strings stay lists', () => {
    const samples = [
      { img: tensor([1, 2]), meta: { label: 3, name: 'a' }, pair: [0.5, Int32Array.of(1, 2)] },
      { img: tensor([3, 4]), meta: { label: 4, name: 'b' }, pair: [1.5, Int32Array.of(3, 4)] },
    ];
    const out = defaultCollate(samples);
    expect(out.img.toArray()).toEqual([[1, 2], [3, 4]]);
    expect(out.meta.label.dtype).toBe('int32');
    expect(out.meta.label.toArray()).toEqual([3, 4]);
    expect(out.meta.name).toEqual(['a', 'b']);
    expect(out.pair[0].toArray()).toEqual([0.5, 1.5]);
    expect(out.pair[1].toArray()).toEqual([[1, 2], [3, 4]]);
  });

  it('names the sample and path of a mismatch', () => {
    expect(() => defaultCollate([{ x: tensor([1, 2]) }, { x: tensor([1, 2, 3]) }])).toThrow(/shape \[3\] \(sample 1 at \.x\) with shape \[2\]/);
    expect(() => defaultCollate([[1, 2], [1]])).toThrow(/sample 1 has 1 elements/);
    expect(() => defaultCollate([{ a: 1 }, { b: 1 }])).toThrow(/keys/);
    expect(() => defaultCollate([tensor([1]), 1])).toThrow(/sample 1 is a number, but sample 0 is a Tensor/);
    expect(() => defaultCollate([tensor([1]), tensor([1.5])])).toThrow(/dtype float32/);
    expect(() => defaultCollate([])).toThrow(/empty batch/);
  });
});
