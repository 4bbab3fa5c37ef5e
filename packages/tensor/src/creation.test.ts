import { describe, expect, it } from 'vitest';
import {
  Tensor, arange, empty, emptyLike, eye, fromTypedArray, full, fullLike, getBackend, linspace, ones, onesLike, tensor, zeros, zerosLike,
} from './index.js';

const backend = getBackend().name;

describe(`creation: tensor() (${backend} backend)`, () => {
  it('infers int32 when every value is an integer, float32 otherwise, bool for booleans', () => {
    expect(tensor([0, 2, 1]).dtype).toBe('int32');
    expect(tensor([0, 2.5, 1]).dtype).toBe('float32');
    expect(tensor([[1, 2], [3, 4]]).dtype).toBe('int32');
    expect(tensor([true, false]).dtype).toBe('bool');
    expect(tensor([true, 2]).dtype).toBe('int32');
    expect(tensor([NaN]).dtype).toBe('float32');
    expect(tensor([Infinity, 1]).dtype).toBe('float32');
    expect(tensor([]).dtype).toBe('float32');
    expect(tensor(3).dtype).toBe('int32');
    expect(tensor(0.5).dtype).toBe('float32');
    expect(tensor(true).dtype).toBe('bool');
  });

  it('gives float32 rather than wrapping for integers beyond int32', () => {
    const t = tensor([1, 3e9]);
    expect(t.dtype).toBe('float32');
    expect(t.toArray()).toEqual([1, 3e9]);
    expect(tensor([2147483647, -2147483648]).dtype).toBe('int32');
    expect(tensor([2147483647, -2147483648]).toArray()).toEqual([2147483647, -2147483648]);
  });

  it('infers the shape of nested arrays, including size-0 dims and scalars', () => {
    expect(tensor([[1, 2, 3], [4, 5, 6]]).shape).toEqual([2, 3]);
    expect(tensor([[[1]], [[2]]]).shape).toEqual([2, 1, 1]);
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([[], []]).shape).toEqual([2, 0]);
    expect(tensor(7).shape).toEqual([]);
    expect(tensor(7).item()).toBe(7);
  });

  it('stores float32 values rounded to float32', () => {
    expect(tensor([0.1]).item()).toBe(Math.fround(0.1));
    expect(tensor([0.1], { dtype: 'float64' }).item()).toBe(0.1);
    expect(tensor([1 / 3, 16777217.0 + 0.5]).toArray()).toEqual([Math.fround(1 / 3), Math.fround(16777217.5)]);
  });

  it('casts to an explicit dtype (int32 truncates toward zero, bool is nonzero)', () => {
    expect(tensor([1.7, -1.7, 2.5], { dtype: 'int32' }).toArray()).toEqual([1, -1, 2]);
    expect(tensor([0, 0.5, -2], { dtype: 'bool' }).toArray()).toEqual([false, true, true]);
    expect(tensor([true, false], { dtype: 'float64' }).toArray()).toEqual([1, 0]);
    expect(tensor([1, 2], { dtype: 'float64' }).dtype).toBe('float64');
  });

  it('copies typed arrays, keeping their type unless a dtype is given', () => {
    const src = new Float64Array([1.5, 2.5]);
    const t = tensor(src);
    expect(t.dtype).toBe('float64');
    src[0] = 99;
    expect(t.toArray()).toEqual([1.5, 2.5]);
    expect(tensor(new Int32Array([1, -2])).dtype).toBe('int32');
    expect(tensor(new Uint8Array([0, 3])).dtype).toBe('bool');
    expect(tensor(new Float64Array([0.1]), { dtype: 'float32' }).item()).toBe(Math.fround(0.1));
    expect(tensor(new Float32Array([2.9, -2.9]), { dtype: 'int32' }).toArray()).toEqual([2, -2]);
    expect(tensor(new Float32Array([0, 0.25]), { dtype: 'bool' }).toArray()).toEqual([false, true]);
  });

  it('rejects ragged arrays, naming where they are ragged', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(RangeError);
    expect(() => tensor([[1, 2], [3]])).toThrow('tensor(): ragged nested array at index [1]: expected 2 elements, found 1');
    expect(() => tensor([[1, 2], 3] as never)).toThrow(/index \[1\]: expected 2 elements, found a scalar/);
    expect(() => tensor([1, [2]] as never)).toThrow(/index \[1\]: expected a number, found an array/);
  });

  it('rejects elements that are not numbers or booleans, and bad dtypes', () => {
    expect(() => tensor([1, 'a'] as never)).toThrow(TypeError);
    expect(() => tensor([1, 'a'] as never)).toThrow('tensor(): element at [1] must be a number or boolean, got string');
    expect(() => tensor([[1, null]] as never)).toThrow(/element at \[0, 1\] .* got null/);
    expect(() => tensor([1], { dtype: 'int64' as never })).toThrow(TypeError);
    expect(() => tensor([1], { dtype: 'int64' as never })).toThrow(/dtype must be one of float32, float64, int32, bool; got "int64"/);
    expect(() => tensor(new Int16Array(2) as never)).toThrow(/Int16Array/);
  });

  it('requiresGrad is only allowed for floating point tensors', () => {
    expect(tensor([1.5], { requiresGrad: true }).requiresGrad).toBe(true);
    expect(() => tensor([1, 2], { requiresGrad: true })).toThrow(TypeError);
    expect(() => tensor([1, 2], { requiresGrad: true })).toThrow(/only floating point tensors can require gradients; this tensor is int32/);
  });
});

describe(`creation: fromTypedArray (${backend} backend)`, () => {
  it('shares memory with the buffer', () => {
    const buf = new Float32Array([1, 2, 3, 4, 5, 6]);
    const t = fromTypedArray(buf, [2, 3]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    buf[4] = 50;
    expect(t.toArray()).toEqual([[1, 2, 3], [4, 50, 6]]);
    t.select(0, 0).mul_(10);
    expect(Array.from(buf)).toEqual([10, 20, 30, 4, 50, 6]);
    expect(fromTypedArray(new Int32Array(3)).shape).toEqual([3]);
  });

  it('names the shape and buffer length when they disagree', () => {
    expect(() => fromTypedArray(new Float32Array(5), [2, 3])).toThrow(RangeError);
    expect(() => fromTypedArray(new Float32Array(5), [2, 3])).toThrow('fromTypedArray: shape [2, 3] needs 6 elements, the buffer has 5');
    expect(() => fromTypedArray(new Float32Array(0), [-1])).toThrow(/shape \[-1\] must contain non-negative integers/);
  });
});

describe(`creation: filled tensors (${backend} backend)`, () => {
  it('zeros, ones and empty accept sizes as arguments or as one array, with options last', () => {
    expect(zeros(2, 3).toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(zeros([2, 3]).shape).toEqual([2, 3]);
    expect(zeros(2, 3).dtype).toBe('float32');
    expect(ones([2], { dtype: 'int32' }).toArray()).toEqual([1, 1]);
    expect(ones(2, 2, { dtype: 'bool' }).toArray()).toEqual([[true, true], [true, true]]);
    expect(ones().shape).toEqual([]);
    expect(ones().item()).toBe(1);
    expect(zeros(0, 4).numel()).toBe(0);
    const e = empty(3, { dtype: 'float64' });
    expect(e.shape).toEqual([3]);
    expect(e.dtype).toBe('float64');
  });

  it('name bad sizes and dtypes', () => {
    expect(() => zeros(2, -1)).toThrow(RangeError);
    expect(() => zeros(2, -1)).toThrow('shape [2, -1] must contain non-negative integers');
    expect(() => ones(1.5)).toThrow(RangeError);
    expect(() => zeros([2], { dtype: 'float16' as never })).toThrow(TypeError);
    expect(() => zeros([2], [3] as never)).toThrow(TypeError);
  });

  it('full infers the dtype from the value unless given', () => {
    expect(full([2], 7).toArray()).toEqual([7, 7]);
    expect(full([2], 7).dtype).toBe('int32');
    expect(full([2], 0.1).dtype).toBe('float32');
    expect(full([2], 0.1).toArray()).toEqual([Math.fround(0.1), Math.fround(0.1)]);
    expect(full([1, 2], true).toArray()).toEqual([[true, true]]);
    expect(full([2], 2.7, { dtype: 'int32' }).toArray()).toEqual([2, 2]);
    expect(full([2], NaN).toArray()).toEqual([NaN, NaN]);
    expect(full([], -1.5).item()).toBe(-1.5);
    expect(() => full(3 as never, 1)).toThrow(TypeError);
    expect(() => full([2], '1' as never)).toThrow(/fill value must be a number or boolean/);
  });

  it('*Like copies shape and dtype, overridable by options', () => {
    const t = tensor([[1, 2, 3]], { dtype: 'float64' }).T;
    expect(zerosLike(t).shape).toEqual([3, 1]);
    expect(zerosLike(t).dtype).toBe('float64');
    expect(onesLike(t).toArray()).toEqual([[1], [1], [1]]);
    expect(onesLike(t, { dtype: 'int32' }).dtype).toBe('int32');
    expect(emptyLike(t).shape).toEqual([3, 1]);
    expect(fullLike(t, 2.5).toArray()).toEqual([[2.5], [2.5], [2.5]]);
    expect(fullLike(tensor([1, 2]), 2.5).toArray()).toEqual([2, 2]);
    expect(fullLike(t, 1, { dtype: 'bool' }).dtype).toBe('bool');
    // results own their storage
    expect(zerosLike(t).storage).not.toBe(t.storage);
  });
});

describe(`creation: ranges (${backend} backend)`, () => {
  it('arange follows Python range semantics', () => {
    expect(arange(5).toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(arange(5).dtype).toBe('int32');
    expect(arange(2, 5).toArray()).toEqual([2, 3, 4]);
    expect(arange(5, 1, -2).toArray()).toEqual([5, 3]);
    expect(arange(0).shape).toEqual([0]);
    expect(arange(3, 3).shape).toEqual([0]);
    const f = arange(0, 1, 0.25);
    expect(f.dtype).toBe('float32');
    expect(f.toArray()).toEqual([0, 0.25, 0.5, 0.75]);
    expect(arange(0, 1, 0.1).shape).toEqual([10]);
    expect((arange(0, 1, 0.1).toArray() as number[])[3]).toBe(Math.fround(0.30000000000000004));
    expect(arange(1, 2.5).toArray()).toEqual([1, 2]);
    expect(arange(0, 3, 1, { dtype: 'float64' }).dtype).toBe('float64');
  });

  it('arange names bad arguments', () => {
    expect(() => arange(0, 5, 0)).toThrow(RangeError);
    expect(() => arange(0, 5, 0)).toThrow('arange: step must be nonzero');
    expect(() => arange(5, 0)).toThrow('arange: upper bound 0 and lower bound 5 are inconsistent with step sign 1');
    expect(() => arange(Infinity)).toThrow('arange: end must be a finite number, got Infinity');
    expect(() => arange(0, 5, NaN)).toThrow(/step must be a finite number/);
    expect(() => arange(3, undefined, 1, { dtype: 'x' as never })).toThrow(TypeError);
  });

  it('linspace includes both ends and fills symmetrically', () => {
    expect(linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(linspace(0, 1, 5).dtype).toBe('float32');
    expect(linspace(-1, 1, 3, { dtype: 'float64' }).toArray()).toEqual([-1, 0, 1]);
    expect(linspace(2, 3, 1).toArray()).toEqual([2]);
    expect(linspace(2, 3, 0).shape).toEqual([0]);
    const l = linspace(0, 1, 7, { dtype: 'float64' }).toArray() as number[];
    expect(l[6]).toBe(1);
    expect(l[0]).toBe(0);
    for (let i = 0; i < 7; i++) expect(l[i]).toBeCloseTo(i / 6, 15);
    expect(linspace(10, 0, 3).toArray()).toEqual([10, 5, 0]);
    expect(() => linspace(0, 1, -1)).toThrow('linspace: steps must be a non-negative integer, got -1');
    expect(() => linspace(0, 1, 2.5)).toThrow(RangeError);
  });

  it('eye makes identities, square or rectangular', () => {
    expect(eye(2).toArray()).toEqual([[1, 0], [0, 1]]);
    expect(eye(2).dtype).toBe('float32');
    expect(eye(2, 3).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(eye(3, 2).toArray()).toEqual([[1, 0], [0, 1], [0, 0]]);
    expect(eye(2, { dtype: 'int32' }).toArray()).toEqual([[1, 0], [0, 1]]);
    expect(eye(2, { dtype: 'int32' }).dtype).toBe('int32');
    expect(eye(1, 2, { dtype: 'bool' }).toArray()).toEqual([[true, false]]);
    expect(eye(0).shape).toEqual([0, 0]);
    expect(() => eye(-1)).toThrow('eye: n must be a non-negative integer, got -1');
    expect(() => eye(2, 1.5)).toThrow(/eye: m must be a non-negative integer, got 1.5/);
  });
});

describe('Tensor basics', () => {
  it('exposes shape, ndim, numel and size(dim) with negative dims', () => {
    const t = zeros(2, 3, 4);
    expect(t.ndim).toBe(3);
    expect(t.dim()).toBe(3);
    expect(t.numel()).toBe(24);
    expect(t.size()).toEqual([2, 3, 4]);
    expect(t.size(-1)).toBe(4);
    expect(t.size(0)).toBe(2);
    expect(() => t.size(3)).toThrow(/dim 3 is out of range for a tensor with 3 dimensions/);
    // size() returns a copy
    t.size().push(9);
    expect(t.shape).toEqual([2, 3, 4]);
  });

  it('fromBuffer refuses a buffer that is too small', () => {
    expect(() => Tensor.fromBuffer(new Float32Array(3), [2, 2])).toThrow('buffer of 3 elements is too small for shape [2, 2] (4 elements)');
  });

  it('detach shares storage and drops requiresGrad', () => {
    const t = tensor([1.5, 2.5], { requiresGrad: true });
    const d = t.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.storage).toBe(t.storage);
  });

  it('counts in-place writes in the storage version', () => {
    const t = zeros(3);
    const v0 = t.version;
    t.add_(1);
    t.select(0, 1).mul_(2);
    expect(t.version).toBe(v0 + 2);
  });
});
