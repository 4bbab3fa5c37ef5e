import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { View } from '../backend.js';
import { maxPool2d } from './pool.js';
import { fcOptions } from '../../test-utils/arbitraries.js';
import { lcg } from '../../test-utils/naive.js';

/**
 * The js 2×2 / stride 2 / unpadded max-pooling fast path against a window scan written from the
 * definition (first maximum in row-major order; the first NaN wins), on values full of ties, NaN,
 * ±Infinity and -0, odd plane sizes (the last row/column is dropped) and a nonzero offset.
 */
const POOL = { kernelSize: [2, 2], stride: [2, 2], padding: [0, 0] } as const;
const VALUES = [0, -0, 1, -1, 2, NaN, Infinity, -Infinity];

function reference(x: ArrayLike<number>, off: number, planes: number, H: number, W: number) {
  const oH = Math.floor(H / 2), oW = Math.floor(W / 2);
  const values: number[] = [], indices: number[] = [];
  for (let pl = 0; pl < planes; pl++) {
    for (let i = 0; i < oH; i++) {
      for (let j = 0; j < oW; j++) {
        let best = 0, bi = -1;
        for (const [dh, dw] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) {
          const k = (2 * i + dh) * W + 2 * j + dw;
          const v = x[off + pl * H * W + k]!;
          if (bi < 0 || (best === best && (v > best || v !== v))) { best = v; bi = k; }
        }
        values.push(best);
        indices.push(bi);
      }
    }
  }
  return { values, indices };
}

describe('js maxPool2d 2×2 stride-2 fast path', () => {
  for (const Ctor of [Float64Array, Float32Array]) {
    it(`${Ctor.name}: values and first-occurrence indices match the window scan`, () => {
      fc.assert(fc.property(
        fc.record({ planes: fc.integer({ min: 1, max: 3 }), H: fc.integer({ min: 2, max: 7 }), W: fc.integer({ min: 2, max: 7 }), off: fc.integer({ min: 0, max: 3 }), seed: fc.integer() }),
        ({ planes, H, W, off, seed }) => {
          const rnd = lcg(seed);
          const x = new Ctor(off + planes * H * W);
          for (let i = 0; i < x.length; i++) x[i] = VALUES[Math.floor(rnd() * VALUES.length)]!;
          const oH = Math.floor(H / 2), oW = Math.floor(W / 2);
          const shape = [1, planes, oH, oW];
          const strides = [planes * oH * oW, oH * oW, oW, 1];
          const out: View = { buffer: new Ctor(planes * oH * oW), shape, strides, offset: 0 };
          const idx: View = { buffer: new Int32Array(planes * oH * oW), shape, strides, offset: 0 };
          maxPool2d({ buffer: x, shape: [1, planes, H, W], strides: [planes * H * W, H * W, W, 1], offset: off }, out, idx, POOL);
          const ref = reference(x, off, planes, H, W);
          expect(Array.from(idx.buffer)).toEqual(ref.indices);
          for (let i = 0; i < ref.values.length; i++) expect(Object.is(out.buffer[i], ref.values[i])).toBe(true);
        },
      ), fcOptions(300));
    });
  }
});
