import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { View } from '../backend.js';
import { reduce } from './reduce.js';
import { fcOptions } from '../../test-utils/arbitraries.js';
import { lcg } from '../../test-utils/naive.js';

/**
 * The js sum reduction, whose lines with a zero output stride run as four partial sums, against a
 * plain loop: the bias-gradient shapes (dims [0, 2, 3] of NCHW, dim 0 of [N, F]), every line length
 * remainder mod 4, strided (transposed) inputs at an offset, and NaN/±Infinity.
 */
function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  for (let d = shape.length - 1, acc = 1; d >= 0; d--) { s[d] = acc; acc *= shape[d]!; }
  return s;
}

function naiveSum(x: View, dims: readonly number[]): number[] {
  const { shape } = x;
  const kept = shape.map((d, i) => (dims.includes(i) ? 1 : d));
  const outStrides = contiguousStrides(kept);
  const out = new Array<number>(kept.reduce((a, b) => a * b, 1)).fill(0);
  const idx = new Array<number>(shape.length).fill(0);
  const total = shape.reduce((a, b) => a * b, 1);
  for (let q = 0; q < total; q++) {
    let src = x.offset, dst = 0;
    for (let d = 0; d < shape.length; d++) { src += idx[d]! * x.strides[d]!; if (!dims.includes(d)) dst += idx[d]! * outStrides[d]!; }
    out[dst]! += x.buffer[src]!;
    for (let d = shape.length - 1; d >= 0; d--) { if (++idx[d]! < shape[d]!) break; idx[d] = 0; }
  }
  return out;
}

function run(shape: number[], dims: number[], x: View, Out: Float32ArrayConstructor | Float64ArrayConstructor) {
  const kept = shape.map((d, i) => (dims.includes(i) ? 1 : d));
  const n = kept.reduce((a, b) => a * b, 1);
  const out: View = { buffer: new Out(n), shape: kept, strides: contiguousStrides(kept), offset: 0 };
  reduce('sum', x, dims, out);
  return Array.from(out.buffer);
}

describe('js sum reduction over outer and inner dims', () => {
  it('NCHW over [0, 2, 3] and [N, F] over [0], contiguous or transposed, exact on integers', () => {
    fc.assert(fc.property(
      fc.record({
        shape: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 2, maxLength: 4 }), transpose: fc.boolean(),
        offset: fc.integer({ min: 0, max: 3 }), seed: fc.integer(), f32: fc.boolean(),
      }),
      ({ shape, transpose, offset, seed, f32 }) => {
        const nd = shape.length;
        const dims = nd === 4 ? [0, 2, 3] : nd === 3 ? [0, 2] : [0];
        const size = shape.reduce((a, b) => a * b, 1);
        const rnd = lcg(seed);
        const buffer = new (f32 ? Float32Array : Float64Array)(offset + size);
        for (let i = 0; i < buffer.length; i++) buffer[i] = Math.floor(rnd() * 21) - 10;
        // Transposed: the buffer holds the tensor with its last two dims swapped.
        const strides = contiguousStrides(transpose ? [...shape.slice(0, nd - 2), shape[nd - 1]!, shape[nd - 2]!] : shape);
        if (transpose) [strides[nd - 2], strides[nd - 1]] = [strides[nd - 1]!, strides[nd - 2]!];
        const x: View = { buffer, shape, strides, offset };
        expect(run(shape, dims, x, f32 ? Float32Array : Float64Array)).toEqual(naiveSum(x, dims));
      },
    ), fcOptions(300));
  });

  it('NaN and infinities reach their own output only', () => {
    const shape = [2, 3, 3, 3];
    const buffer = new Float64Array(54).fill(1);
    buffer[9 + 4] = NaN; // channel 1 of image 0
    buffer[27 + 18 + 8] = Infinity; // channel 2 of image 1
    buffer[2] = -Infinity; // channel 0 of image 0
    buffer[27 + 5] = Infinity; // channel 0 of image 1: -Inf + Inf
    const out = run(shape, [0, 2, 3], { buffer, shape, strides: contiguousStrides(shape), offset: 0 }, Float64Array);
    expect(out[0]).toBeNaN();
    expect(out[1]).toBeNaN();
    expect(out[2]).toBe(Infinity);
    const finite = new Float64Array(54).fill(0.5);
    expect(run(shape, [0, 2, 3], { buffer: finite, shape, strides: contiguousStrides(shape), offset: 0 }, Float64Array)).toEqual([9, 9, 9]);
  });
});
