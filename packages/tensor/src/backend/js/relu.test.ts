import { describe, expect, it } from 'vitest';
import type { View } from '../backend.js';
import { unary } from './elementwise.js';

/** The js relu kernel (branch-free: x·[x > 0] + 0) against the definition, on every special value. */
const SPECIALS = [NaN, -0, 0, -Infinity, Infinity, -1, 2.5, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 1e-40, -3.4e38];

function reference(x: number): number {
  if (x !== x) return NaN;
  return x > 0 ? x : 0;
}

const view = (buffer: View['buffer'], shape: number[], strides: number[], offset = 0): View => ({ buffer, shape, strides, offset });

describe('js relu', () => {
  for (const Ctor of [Float64Array, Float32Array]) {
    it(`${Ctor.name}: NaN stays NaN, -0 and negatives (and -Infinity) give +0, positives pass through`, () => {
      const x = Ctor.from(SPECIALS);
      const out = new Ctor(x.length);
      unary('relu', view(x, [x.length], [1]), view(out, [x.length], [1]));
      for (let i = 0; i < x.length; i++) expect(Object.is(out[i], reference(x[i]!))).toBe(true);
    });
  }

  it('int32, including the extremes', () => {
    const x = Int32Array.from([-2147483648, -1, 0, 1, 2147483647]);
    const out = new Int32Array(5);
    unary('relu', view(x, [5], [1]), view(out, [5], [1]));
    expect(Array.from(out)).toEqual([0, 0, 0, 1, 2147483647]);
  });

  it('strided input at an offset (the non-contiguous loop)', () => {
    // x is a transposed 3x4 window starting at element 2 of a longer buffer.
    const base = Float64Array.from({ length: 14 }, (_, i) => (i % 3 === 0 ? -i : i) * (i % 5 === 0 ? -1 : 1));
    base[7] = NaN;
    const out = new Float64Array(12);
    unary('relu', view(base, [4, 3], [1, 4], 2), view(out, [4, 3], [3, 1]));
    for (let r = 0; r < 4; r++) {
      for (let c = 0; c < 3; c++) expect(Object.is(out[r * 3 + c], reference(base[2 + r + 4 * c]!))).toBe(true);
    }
  });
});
