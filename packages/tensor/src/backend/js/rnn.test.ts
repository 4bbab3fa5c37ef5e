import { describe, expect, it } from 'vitest';
import type { View } from '../backend.js';
import type { TypedArray } from '../../dtype.js';
import { jsBackend } from './index.js';
import { lcg } from '../../test-utils/naive.js';
import { cloneAll, expectSameBits, stepOf } from '../../test-utils/step-views.js';
import { unfusedRnnCell, unfusedRnnCellBackward } from '../../test-utils/rnn-reference.js';

type FloatCtor = Float32ArrayConstructor | Float64ArrayConstructor;
const dtypes: [string, FloatCtor][] = [['float32', Float32Array], ['float64', Float64Array]];
const nonlinearities: [string, boolean][] = [['tanh', false], ['relu', true]];

// Now and then a value that exercises the special cases: signed zeros, NaN, infinities, saturating
// pre-activations, tiny and huge magnitudes.
const SPECIALS = [0, -0, NaN, Infinity, -Infinity, 40, -40, 1e-30, -1e-30, 1e10, -1e10, 1, -1];
function value(r: () => number): number {
  return r() < 0.05 ? SPECIALS[Math.floor(r() * SPECIALS.length)]! : (r() * 2 - 1) * 4;
}
function filled(C: FloatCtor, n: number, r: () => number): TypedArray {
  const a = new C(n);
  for (let i = 0; i < n; i++) a[i] = value(r);
  return a;
}
const randInt = (r: () => number, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

/**
 * A [B, H] view at a random offset of its own buffer, rows padded apart, random values around it
 * (so a write outside the view changes a guard element and shows in the comparison). Inputs may
 * also get a column stride of 2 or 0 (an expanded gradient), which the js kernels take.
 */
function rowsView(r: () => number, C: FloatCtor, B: number, H: number, input: boolean): View {
  const u = r();
  const cs = input && u < 0.2 ? 2 : input && u < 0.3 ? 0 : 1;
  const rs = H * cs + randInt(r, 0, 3) + (cs === 0 ? 1 : 0);
  const offset = randInt(r, 0, 5);
  const buffer = filled(C, offset + Math.max(0, B - 1) * rs + Math.max(0, H - 1) * cs + 1 + 2, r);
  return { buffer, shape: [B, H], strides: [rs, cs], offset };
}
/** Forward operands: proj a step of a [T, B, H] buffer, gh padded rows, h a step of the state buffer. */
function cellCase(r: () => number, C: FloatCtor, B: number, H: number): View[] {
  const T = 3;
  return [stepOf(filled(C, T * B * H, r), randInt(r, 0, T - 1), B, H), rowsView(r, C, B, H, true), stepOf(filled(C, (T + 1) * B * H, r), randInt(r, 0, T), B, H)];
}
/** Backward operands: gradH possibly strided, gradHRec and h padded rows, dPre a step of a [T, B, H] buffer. */
function backwardCase(r: () => number, C: FloatCtor, B: number, H: number): View[] {
  const T = 2;
  return [rowsView(r, C, B, H, true), rowsView(r, C, B, H, true), rowsView(r, C, B, H, true), stepOf(filled(C, T * B * H, r), randInt(r, 0, T - 1), B, H)];
}

describe('js rnnCell / rnnCellBackward against the unfused kernel sequence', () => {
  for (const [name, C] of dtypes) {
    for (const [act, relu] of nonlinearities) {
      it(`${name} ${act}: the forward step gives the unfused bits (random sizes, padded rows, strided inputs, special values)`, () => {
        const r = lcg((name === 'float32' ? 11 : 12) + (relu ? 100 : 0));
        for (let n = 0; n < 200; n++) {
          const B = randInt(r, 1, 9), H = randInt(r, 1, 40);
          const fused = cellCase(r, C, B, H);
          const unfused = cloneAll(fused);
          jsBackend.rnnCell(fused[0]!, fused[1]!, fused[2]!, relu);
          unfusedRnnCell(jsBackend, unfused[0]!, unfused[1]!, unfused[2]!, relu);
          fused.forEach((v, k) => expectSameBits(v.buffer, unfused[k]!.buffer, `case ${n} B=${B} H=${H} operand ${k}`));
        }
      });

      it(`${name} ${act}: the backward step gives the unfused bits (strided and expanded gradients, special values)`, () => {
        const r = lcg((name === 'float32' ? 21 : 22) + (relu ? 100 : 0));
        for (let n = 0; n < 200; n++) {
          const B = randInt(r, 1, 9), H = randInt(r, 1, 40);
          const fused = backwardCase(r, C, B, H);
          const unfused = cloneAll(fused);
          jsBackend.rnnCellBackward(fused[0]!, fused[1]!, fused[2]!, fused[3]!, relu);
          unfusedRnnCellBackward(jsBackend, unfused[0]!, unfused[1]!, unfused[2]!, unfused[3]!, relu);
          fused.forEach((v, k) => expectSameBits(v.buffer, unfused[k]!.buffer, `case ${n} B=${B} H=${H} operand ${k}`));
        }
      });
    }
  }
});

describe('js rnnCell / rnnCellBackward: values', () => {
  const v = (values: number[], B = 1): View => ({ buffer: Float64Array.from(values), shape: [B, values.length / B], strides: [values.length / B, 1], offset: 0 });

  it('tanh and relu of proj + gh, relu passing NaN and giving +0 for -0 and -Infinity', () => {
    const h = v([NaN, NaN, NaN, NaN, NaN, NaN]);
    jsBackend.rnnCell(v([0.5, -1, NaN, -0, -Infinity, 2]), v([0.25, 0.5, 1, 0, 1, Infinity]), h, true);
    expect(Array.from(h.buffer)).toEqual([0.75, 0, NaN, 0, 0, Infinity]);
    expect(Object.is(h.buffer[3], 0)).toBe(true);
    jsBackend.rnnCell(v([0.5, -1, NaN, -0, -Infinity, 2]), v([0.25, 0.5, 1, 0, 1, Infinity]), h, false);
    expect(Array.from(h.buffer)).toEqual([Math.tanh(0.75), Math.tanh(-0.5), NaN, 0, -1, 1]);
  });

  it('backward: dh·(1 - h²) for tanh, dh·(h > 0) for relu (NaN h gives dh·0)', () => {
    const d = v([NaN, NaN, NaN, NaN]);
    jsBackend.rnnCellBackward(v([1, 2, 3, Infinity]), v([1, -1, 0, 0]), v([0.5, -0.5, NaN, NaN]), d, false);
    expect(Array.from(d.buffer)).toEqual([1.5, 0.75, NaN, NaN]);
    jsBackend.rnnCellBackward(v([1, 2, -3, Infinity]), v([1, -1, 0, 0]), v([0.5, -0.5, NaN, NaN]), d, true);
    expect(Array.from(d.buffer)).toEqual([2, 0, -0, NaN]);
    expect(Object.is(d.buffer[2], -0)).toBe(true);
  });

  it('the backward is the gradient of the forward (central differences, float64)', () => {
    const r = lcg(5);
    const B = 2, H = 3;
    const rand = (n: number) => Array.from({ length: n }, () => r() * 2 - 1);
    for (const relu of [false, true]) {
      const proj = rand(B * H), gh = rand(B * H), w = rand(B * H);
      const loss = (p: number[]): number => {
        const h = v(new Array(B * H).fill(0), B);
        jsBackend.rnnCell(v(p, B), v(gh, B), h, relu);
        return h.buffer.reduce((s, x, k) => s + w[k]! * x, 0);
      };
      const h = v(new Array(B * H).fill(0), B);
      jsBackend.rnnCell(v(proj, B), v(gh, B), h, relu);
      const dPre = v(new Array(B * H).fill(NaN), B);
      jsBackend.rnnCellBackward(v(w, B), v(new Array(B * H).fill(0), B), h, dPre, relu);
      const eps = 1e-6;
      const bump = (xs: number[], k: number, d: number) => xs.map((x, j) => (j === k ? x + d : x));
      proj.forEach((_, k) => expect(dPre.buffer[k]).toBeCloseTo((loss(bump(proj, k, eps)) - loss(bump(proj, k, -eps))) / (2 * eps), 8));
    }
  });
});

describe('js rnnCell / rnnCellBackward: argument checks', () => {
  const view = (C: FloatCtor | Int32ArrayConstructor, B: number, H: number): View => ({ buffer: new C(B * H), shape: [B, H], strides: [H, 1], offset: 0 });
  const args = (C: FloatCtor, B: number, H: number) => [view(C, B, H), view(C, B, H), view(C, B, H), view(C, B, H)];

  it('a wrong shape is a RangeError naming the view and the shape it must have', () => {
    const a = args(Float32Array, 2, 3);
    expect(() => jsBackend.rnnCell(a[0]!, a[1]!, a[2]!, false)).not.toThrow();
    expect(() => jsBackend.rnnCell(a[0]!, a[1]!, view(Float32Array, 2, 4), false)).toThrow(RangeError);
    expect(() => jsBackend.rnnCell(a[0]!, a[1]!, view(Float32Array, 2, 4), false)).toThrow('rnnCell: h must be [2, 3] (the shape of proj), got [2, 4]');
    const flat: View = { buffer: new Float32Array(6), shape: [6], strides: [1], offset: 0 };
    expect(() => jsBackend.rnnCell(flat, a[1]!, a[2]!, true)).toThrow('rnnCell: proj must be 2-D [B, H], got [6]');
    expect(() => jsBackend.rnnCellBackward(a[0]!, a[1]!, a[2]!, view(Float32Array, 3, 3), true)).toThrow(
      'rnnCellBackward: dPre must be [2, 3] (the shape of gradH), got [3, 3]',
    );
  });

  it('mixed or integer dtypes and a non-boolean relu are TypeErrors naming what is wrong', () => {
    const a = args(Float32Array, 2, 3);
    expect(() => jsBackend.rnnCellBackward(a[0]!, a[1]!, view(Float64Array, 2, 3), a[3]!, false)).toThrow(TypeError);
    expect(() => jsBackend.rnnCellBackward(a[0]!, a[1]!, view(Float64Array, 2, 3), a[3]!, false)).toThrow(
      'rnnCellBackward: h is Float64Array but gradH is Float32Array: every view must share one dtype',
    );
    expect(() => jsBackend.rnnCell(view(Int32Array, 2, 3), a[1]!, a[2]!, false)).toThrow('rnnCell: proj must be a float32 or float64 view, got Int32Array');
    expect(() => jsBackend.rnnCell(a[0]!, a[1]!, a[2]!, 'relu' as unknown as boolean)).toThrow('rnnCell: relu must be a boolean, got string');
  });
});
