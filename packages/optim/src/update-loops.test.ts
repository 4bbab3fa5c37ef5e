import { describe, expect, it } from 'vitest';
import { adamUpdate, ADAM_DEFAULTS, sgdUpdate, SGD_DEFAULTS } from './index.js';

/**
 * The specialised update loops (offset-0 views, Math.fround for float32 buffers, SGD unrolled by
 * eight) against the straightforward loops they replace, which store each buffer value and read it
 * back: results must be bit-identical, for both dtypes, with offsets, and for lengths below, at and
 * past a multiple of eight (the unrolled body and the remainder loop).
 */
type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

function filled(C: Ctor, n: number, seed: number): Float32Array | Float64Array {
  const a = new C(n);
  for (let i = 0; i < n; i++) a[i] = Math.sin(seed * 7.3 + i * 1.7) * (1 + (i % 5));
  return a;
}

const CASES = [
  ['float32', Float32Array],
  ['float64', Float64Array],
] as const;

describe.each(CASES)('%s update loops match the plain loops bit for bit', (_name, C) => {
  for (const n of [0, 1, 3, 4, 7, 8, 9, 17, 1001]) {
    it(`SGD momentum, n = ${n}, with and without offsets`, () => {
      for (const [po, go] of [[0, 0], [3, 5]] as const) {
        const param = filled(C, po + n + 2, 1);
        const grad = filled(C, go + n + 1, 2);
        const buf = filled(C, n, 3);
        const [p2, b2] = [param.slice(), buf.slice()];
        const h = { ...SGD_DEFAULTS, lr: 0.01, momentum: 0.9, dampening: 0.25 };
        sgdUpdate(param, po, grad, go, n, buf, false, h);
        for (let i = 0; i < n; i++) {
          b2[i] = 0.9 * b2[i]! + 0.75 * grad[go + i]!;
          p2[po + i] = p2[po + i]! - 0.01 * b2[i]!;
        }
        expect(Array.from(param)).toEqual(Array.from(p2));
        expect(Array.from(buf)).toEqual(Array.from(b2));
      }
    });

    it(`Adam without weight decay or AMSGrad, n = ${n}, with and without offsets`, () => {
      for (const [po, go] of [[0, 0], [2, 6]] as const) {
        const param = filled(C, po + n + 1, 4);
        const grad = filled(C, go + n + 3, 5);
        const m = filled(C, n, 6);
        const v = filled(C, n, 7).map(Math.abs);
        const [p2, m2, v2] = [param.slice(), m.slice(), v.slice()];
        const step = 3;
        adamUpdate(param, po, grad, go, n, m, v, null, step, { ...ADAM_DEFAULTS, lr: 0.05 });
        const [b1, b2] = ADAM_DEFAULTS.betas;
        const stepSize = 0.05 / (1 - b1 ** step);
        const bc2Sqrt = Math.sqrt(1 - b2 ** step);
        for (let i = 0; i < n; i++) {
          const g = grad[go + i]!;
          m2[i] = b1 * m2[i]! + (1 - b1) * g;
          v2[i] = b2 * v2[i]! + (1 - b2) * g * g;
          p2[po + i] = p2[po + i]! - stepSize * m2[i]! / (Math.sqrt(v2[i]!) / bc2Sqrt + ADAM_DEFAULTS.eps);
        }
        expect(Array.from(param)).toEqual(Array.from(p2));
        expect(Array.from(m)).toEqual(Array.from(m2));
        expect(Array.from(v)).toEqual(Array.from(v2));
      }
    });
  }
});
