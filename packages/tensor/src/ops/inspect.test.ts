import { describe, expect, it } from 'vitest';
import { allclose, arange, assertClose, getBackend, item, tensor, toArray, toTypedArray, zeros } from '../index.js';

const backend = getBackend().name;

describe(`inspection (${backend} backend)`, () => {
  it('item() reads one-element tensors of any rank; bool gives booleans', () => {
    expect(tensor(3).item()).toBe(3);
    expect(tensor([[2.5]]).item()).toBe(2.5);
    expect(tensor([true]).item()).toBe(true);
    expect(item(tensor([false]))).toBe(false);
    expect(arange(10).slice(0, 7, 8).item()).toBe(7);
    expect(tensor([0.1]).item()).toBe(Math.fround(0.1));
    expect(() => zeros(2).item()).toThrow(RangeError);
    expect(() => zeros(2).item()).toThrow('item(): a Tensor with 2 elements (shape [2]) cannot be converted to a scalar');
    expect(() => zeros(0).item()).toThrow(/with 0 elements/);
  });

  it('toArray()/tolist() give nested arrays in logical order, also for views and empty dims', () => {
    const m = arange(6).view(2, 3);
    expect(m.toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(m.T.tolist()).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(toArray(tensor(4))).toBe(4);
    expect(tensor(true).toArray()).toBe(true);
    expect(zeros(2, 0).toArray()).toEqual([[], []]);
    expect(zeros(0, 2).toArray()).toEqual([]);
    expect(tensor([[true, false]]).toArray()).toEqual([[true, false]]);
    expect(m.expand(2, 2, 3).toArray()).toEqual([[[0, 1, 2], [3, 4, 5]], [[0, 1, 2], [3, 4, 5]]]);
  });

  it('toTypedArray() returns a row-major copy of the tensor\'s own type', () => {
    const m = arange(6, undefined, 1, { dtype: 'float64' }).view(2, 3);
    const flat = m.T.toTypedArray();
    expect(flat).toBeInstanceOf(Float64Array);
    expect(Array.from(flat)).toEqual([0, 3, 1, 4, 2, 5]);
    const own = m.toTypedArray();
    own[0] = 99;
    expect(m.toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(toTypedArray(m.select(0, 1))).toEqual(new Float64Array([3, 4, 5]));
    expect(tensor([true, false]).toTypedArray()).toEqual(new Uint8Array([1, 0]));
    expect(tensor([1, 2]).toTypedArray()).toBeInstanceOf(Int32Array);
    expect(tensor([1.5]).toTypedArray()).toBeInstanceOf(Float32Array);
    expect(zeros(0, 3).T.toTypedArray().length).toBe(0);
  });

  it('toTypedArray() owns its whole ArrayBuffer (safe to transfer), even for small tensors', () => {
    for (const t of [arange(6).view(2, 3), arange(6).view(2, 3).T, tensor([1.5, 2.5], { dtype: 'float64' }).slice(0, 0, 2, 2)]) {
      const a = t.toTypedArray();
      expect(a.byteOffset).toBe(0);
      expect(a.byteLength).toBe(a.buffer.byteLength);
    }
  });
});

describe(`allclose / assertClose (${backend} backend)`, () => {
  it('allclose uses |a - b| <= atol + rtol |b| and broadcasting', () => {
    const a = tensor([1, 2, 3], { dtype: 'float64' });
    expect(allclose(a, tensor([1, 2, 3 + 1e-9], { dtype: 'float64' }))).toBe(true);
    expect(allclose(a, tensor([1, 2, 3.1], { dtype: 'float64' }))).toBe(false);
    expect(allclose(a, tensor([1, 2, 3.1], { dtype: 'float64' }), { atol: 0.2 })).toBe(true);
    expect(allclose(a, tensor([1, 2, 3.1], { dtype: 'float64' }), { rtol: 0.05 })).toBe(true);
    expect(allclose(tensor([NaN]), tensor([NaN]))).toBe(false);
    expect(allclose(tensor([NaN]), tensor([NaN]), { equalNan: true })).toBe(true);
    expect(allclose(tensor([Infinity]), tensor([Infinity]))).toBe(true);
    expect(allclose(tensor([[1.5, 1.5]]), tensor([1.5]))).toBe(true);
  });

  it('assertClose names the mismatch count, the first index and both values', () => {
    const a = tensor([[1, 2], [3, 4]], { dtype: 'float64' });
    expect(() => assertClose(a, [[1, 2], [3, 4]])).not.toThrow();
    expect(() => assertClose(a, [[1, 2], [3.5, 4.5]])).toThrow('assertClose: 2 of 4 elements differ; first at [1, 0]: actual 3, expected 3.5');
    expect(() => assertClose(a, [1, 2, 3, 4])).toThrow('assertClose: shape mismatch: actual [2, 2], expected [4]');
    expect(() => assertClose(tensor([0.1]), 0.1)).toThrow(/shape mismatch: actual \[1\], expected \[\]/);
    expect(() => assertClose(tensor(0.1), 0.1)).not.toThrow();
    expect(() => assertClose(a, a.clone())).not.toThrow();
    expect(() => assertClose(tensor([1.0001]), [1], { rtol: 0, atol: 1e-3 })).not.toThrow();
  });
});
