import { describe, expect, it } from 'vitest';
import type { View } from '../backend.js';
import type { TypedArray } from '../../dtype.js';
import { jsBackend } from './index.js';
import { lcg } from '../../test-utils/naive.js';
import { cloneAll, expectSameBits, stepOf } from '../../test-utils/step-views.js';
import { unfusedLstmCell, unfusedLstmCellBackward } from '../../test-utils/lstm-reference.js';

type FloatCtor = Float32ArrayConstructor | Float64ArrayConstructor;
const dtypes: [string, FloatCtor][] = [['float32', Float32Array], ['float64', Float64Array]];

// Now and then a value that exercises the special cases: signed zeros, NaN, infinities, saturating
// pre-activations, tiny and huge magnitudes.
const SPECIALS = [0, -0, NaN, Infinity, -Infinity, 40, -40, 1e-30, -1e-30, 1e10, -1e10];
function value(r: () => number): number {
  return r() < 0.03 ? SPECIALS[Math.floor(r() * SPECIALS.length)]! : (r() * 2 - 1) * 4;
}
function filled(C: FloatCtor, n: number, r: () => number): TypedArray {
  const a = new C(n);
  for (let i = 0; i < n; i++) a[i] = value(r);
  return a;
}
const randInt = (r: () => number, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

/**
 * A [B, W] view at a random offset of its own buffer, rows padded apart, random values around it
 * (so a write outside the view changes a guard element and shows in the comparison). Inputs may
 * also get a column stride of 2, which the js kernels take.
 */
function rowsView(r: () => number, C: FloatCtor, B: number, W: number, input: boolean): View {
  const cs = input && r() < 0.3 ? 2 : 1;
  const rs = W * cs + randInt(r, 0, 3);
  const offset = randInt(r, 0, 5);
  const buffer = filled(C, offset + Math.max(0, B - 1) * rs + Math.max(0, W - 1) * cs + 1 + 2, r);
  return { buffer, shape: [B, W], strides: [rs, cs], offset };
}
/** The operands of one forward step: act one step of a [T, B, 4H] buffer, cPrev and c adjacent rows of one state buffer. */
function cellCase(r: () => number, C: FloatCtor, B: number, H: number): View[] {
  const T = 3, t = randInt(r, 0, T - 1);
  const states = filled(C, (T + 1) * B * H, r);
  return [
    rowsView(r, C, B, 4 * H, true), rowsView(r, C, B, 4 * H, true), stepOf(filled(C, T * B * 4 * H, r), t, B, 4 * H),
    stepOf(states, t, B, H), stepOf(states, t + 1, B, H), rowsView(r, C, B, H, false), rowsView(r, C, B, H, false),
  ];
}

/** The operands of one backward step: act and dPre steps of [T, B, 4H] buffers, the rest padded rows. */
function backwardCase(r: () => number, C: FloatCtor, B: number, H: number): View[] {
  const T = 2, t = randInt(r, 0, T - 1);
  return [
    rowsView(r, C, B, H, true), rowsView(r, C, B, H, true), stepOf(filled(C, T * B * 4 * H, r), t, B, 4 * H),
    rowsView(r, C, B, H, true), rowsView(r, C, B, H, true), rowsView(r, C, B, H, false), stepOf(filled(C, T * B * 4 * H, r), t, B, 4 * H),
  ];
}

describe('js lstmCell / lstmCellBackward against the unfused kernel sequence', () => {
  for (const [name, C] of dtypes) {
    it(`${name}: the forward step gives the unfused bits (random sizes, padded rows, strided inputs, special values)`, () => {
      const r = lcg(name === 'float32' ? 11 : 12);
      for (let n = 0; n < 200; n++) {
        const B = randInt(r, 1, 9), H = randInt(r, 1, 40);
        const fused = cellCase(r, C, B, H);
        const unfused = cloneAll(fused);
        const [p, g, a, cp, c, tc, h] = fused as [View, View, View, View, View, View, View];
        jsBackend.lstmCell(p, g, a, cp, c, tc, h);
        const [p2, g2, a2, cp2, c2, tc2, h2] = unfused as [View, View, View, View, View, View, View];
        unfusedLstmCell(jsBackend, p2, g2, a2, cp2, c2, tc2, h2);
        fused.forEach((v, k) => expectSameBits(v.buffer, unfused[k]!.buffer, `case ${n} B=${B} H=${H} operand ${k}`));
      }
    });

    it(`${name}: the backward step gives the unfused bits, and dc carries from step to step`, () => {
      const r = lcg(name === 'float32' ? 21 : 22);
      for (let n = 0; n < 200; n++) {
        const B = randInt(r, 1, 9), H = randInt(r, 1, 40);
        const fused = backwardCase(r, C, B, H);
        const unfused = cloneAll(fused);
        for (let step = 0; step < 2; step++) {
          const [gh, gr, a, cp, tc, dc, d] = fused as [View, View, View, View, View, View, View];
          jsBackend.lstmCellBackward(gh, gr, a, cp, tc, dc, d);
          const [gh2, gr2, a2, cp2, tc2, dc2, d2] = unfused as [View, View, View, View, View, View, View];
          unfusedLstmCellBackward(jsBackend, gh2, gr2, a2, cp2, tc2, dc2, d2);
        }
        fused.forEach((v, k) => expectSameBits(v.buffer, unfused[k]!.buffer, `case ${n} B=${B} H=${H} operand ${k}`));
      }
    });
  }
});

describe('js lstmCell / lstmCellBackward: values', () => {
  const v = (values: number[], B: number): View => ({ buffer: Float64Array.from(values), shape: [B, values.length / B], strides: [values.length / B, 1], offset: 0 });

  it('gate order i, f, g, o: zero pre-activations give gates 1/2, 1/2, 0, 1/2', () => {
    const act = v(new Array(4).fill(NaN), 1), c = v([NaN], 1), tc = v([NaN], 1), h = v([NaN], 1);
    jsBackend.lstmCell(v([0, 0.5, -1, 0], 1), v([0, -0.5, 1, 0], 1), act, v([3], 1), c, tc, h);
    expect(Array.from(act.buffer)).toEqual([0.5, 0.5, 0, 0.5]);
    expect(c.buffer[0]).toBe(1.5); // f·cPrev + i·g
    expect(tc.buffer[0]).toBe(Math.tanh(1.5));
    expect(h.buffer[0]).toBe(0.5 * Math.tanh(1.5));
  });

  it('the backward is the gradient of the forward (central differences, float64)', () => {
    const r = lcg(5);
    const B = 2, H = 3;
    const rand = (n: number) => Array.from({ length: n }, () => r() * 2 - 1);
    const proj = rand(B * 4 * H), gh = rand(B * 4 * H), cPrev = rand(B * H), wh = rand(B * H), wc = rand(B * H);
    // loss = Σ wh·h + Σ wc·c, so dL/dh = wh and dL/dc (from later steps) = wc.
    const loss = (p: number[], cp: number[]): number => {
      const act = v(new Array(B * 4 * H).fill(0), B), c = v(new Array(B * H).fill(0), B), tc = v(new Array(B * H).fill(0), B), h = v(new Array(B * H).fill(0), B);
      jsBackend.lstmCell(v(p, B), v(gh, B), act, v(cp, B), c, tc, h);
      let s = 0;
      for (let k = 0; k < B * H; k++) s += wh[k]! * h.buffer[k]! + wc[k]! * c.buffer[k]!;
      return s;
    };
    const act = v(new Array(B * 4 * H).fill(0), B), c = v(new Array(B * H).fill(0), B), tc = v(new Array(B * H).fill(0), B), h = v(new Array(B * H).fill(0), B);
    jsBackend.lstmCell(v(proj, B), v(gh, B), act, v(cPrev, B), c, tc, h);
    const dc = v(wc, B), dPre = v(new Array(B * 4 * H).fill(NaN), B);
    jsBackend.lstmCellBackward(v(wh, B), v(new Array(B * H).fill(0), B), act, v(cPrev, B), tc, dc, dPre);
    const eps = 1e-6;
    const bump = (xs: number[], k: number, d: number) => xs.map((x, j) => (j === k ? x + d : x));
    proj.forEach((_, k) => expect(dPre.buffer[k]).toBeCloseTo((loss(bump(proj, k, eps), cPrev) - loss(bump(proj, k, -eps), cPrev)) / (2 * eps), 8));
    cPrev.forEach((_, k) => expect(dc.buffer[k]).toBeCloseTo((loss(proj, bump(cPrev, k, eps)) - loss(proj, bump(cPrev, k, -eps))) / (2 * eps), 8));
  });
});

describe('js lstmCell / lstmCellBackward: argument checks', () => {
  const view = (C: FloatCtor | Int32ArrayConstructor, B: number, W: number): View => ({ buffer: new C(B * W), shape: [B, W], strides: [W, 1], offset: 0 });
  const cellArgs = (C: FloatCtor, B: number, H: number) => [view(C, B, 4 * H), view(C, B, 4 * H), view(C, B, 4 * H), view(C, B, H), view(C, B, H), view(C, B, H), view(C, B, H)];
  const call = (args: View[]) => () => jsBackend.lstmCell(args[0]!, args[1]!, args[2]!, args[3]!, args[4]!, args[5]!, args[6]!);

  it('a wrong shape is a RangeError naming the view and the shape it must have', () => {
    const args = cellArgs(Float32Array, 2, 3);
    expect(call(args)).not.toThrow();
    args[4] = view(Float32Array, 2, 4);
    expect(call(args)).toThrow(RangeError);
    expect(call(args)).toThrow('lstmCell: c must be [2, 3] ([B, H] with act [2, 12]), got [2, 4]');
    const odd = cellArgs(Float32Array, 2, 3);
    odd[2] = view(Float32Array, 2, 10);
    expect(call(odd)).toThrow('lstmCell: act must be [B, 4H], got [2, 10]');
    const bwd = cellArgs(Float64Array, 3, 2);
    expect(() => jsBackend.lstmCellBackward(bwd[3]!, bwd[4]!, bwd[0]!, bwd[5]!, bwd[6]!, bwd[3]!, view(Float64Array, 2, 8))).toThrow(
      'lstmCellBackward: dPre must be [3, 8] ([B, 4H] with act [3, 8]), got [2, 8]',
    );
  });

  it('mixed or integer dtypes are a TypeError naming the view', () => {
    const mixed = cellArgs(Float32Array, 2, 3);
    mixed[6] = view(Float64Array, 2, 3);
    expect(call(mixed)).toThrow(TypeError);
    expect(call(mixed)).toThrow('lstmCell: h is Float64Array but act is Float32Array: every view must share one dtype');
    const ints = cellArgs(Float32Array, 2, 3);
    ints[0] = view(Int32Array, 2, 12);
    expect(call(ints)).toThrow('lstmCell: proj must be a float32 or float64 view, got Int32Array');
  });
});
