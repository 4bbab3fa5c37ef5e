import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Conv2dParams, View } from '../backend.js';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight, convOutSize } from './conv.js';
import { fcOptions } from '../../test-utils/arbitraries.js';
import { lcg } from '../../test-utils/naive.js';

/**
 * The js convolution kernels on "same"-width, stride-1 geometries (the usual CNN layer), where
 * im2col/col2im clip every row to its in-bounds column span, against direct loops: every kW/pW/dW
 * with as many output as input columns, any kH/pH/dH (padding beyond the kernel included),
 * one-pixel-wide images, an offset input, and NaN/Infinity pixels, which must reach exactly the
 * outputs whose window covers them.
 */
const WIDTH_KEEPING: [number, number, number][] = [[1, 0, 1], [3, 1, 1], [5, 2, 1], [3, 2, 2], [2, 1, 2]]; // [kW, pW, dW]

const view = (buffer: Float64Array, shape: number[], offset = 0): View => {
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  return { buffer, shape, strides, offset };
};

describe('js conv2d: stride 1, output as wide as input', () => {
  it('forward, input gradient and weight gradient match direct loops', () => {
    fc.assert(fc.property(
      fc.record({
        N: fc.integer({ min: 1, max: 2 }), C: fc.integer({ min: 1, max: 3 }), O: fc.integer({ min: 1, max: 3 }),
        H: fc.integer({ min: 1, max: 6 }), W: fc.integer({ min: 1, max: 6 }), kH: fc.integer({ min: 1, max: 3 }),
        pH: fc.integer({ min: 0, max: 3 }), dH: fc.integer({ min: 1, max: 2 }), wide: fc.integer({ min: 0, max: WIDTH_KEEPING.length - 1 }),
        xOff: fc.integer({ min: 0, max: 2 }), special: fc.boolean(), seed: fc.integer(),
      }),
      (c) => {
        const [kW, pW, dW] = WIDTH_KEEPING[c.wide]!;
        const oH = convOutSize(c.H, c.kH, 1, c.pH, c.dH);
        const oW = convOutSize(c.W, kW, 1, pW, dW);
        if (oH <= 0) return;
        expect(oW).toBe(c.W);
        const p: Conv2dParams = { stride: [1, 1], padding: [c.pH, pW], dilation: [c.dH, dW], groups: 1 };
        const rnd = lcg(c.seed);
        const int = () => Math.floor(rnd() * 9) - 4; // small integers: every sum is exact
        const xs = new Float64Array(c.xOff + c.N * c.C * c.H * c.W).map(int);
        if (c.special) { xs[c.xOff + Math.floor(rnd() * (xs.length - c.xOff))] = NaN; xs[c.xOff + Math.floor(rnd() * (xs.length - c.xOff))] = Infinity; }
        const ws = new Float64Array(c.O * c.C * c.kH * kW).map(int);
        const gs = new Float64Array(c.N * c.O * oH * oW).map(int);
        const X = (n: number, ch: number, h: number, w: number) => (h < 0 || h >= c.H || w < 0 || w >= c.W ? 0 : xs[c.xOff + ((n * c.C + ch) * c.H + h) * c.W + w]!);
        const Wt = (o: number, ch: number, i: number, j: number) => ws[((o * c.C + ch) * c.kH + i) * kW + j]!;
        const G = (n: number, o: number, h: number, w: number) => gs[((n * c.O + o) * oH + h) * oW + w]!;

        const out = new Float64Array(c.N * c.O * oH * oW);
        conv2d(view(xs, [c.N, c.C, c.H, c.W], c.xOff), view(ws, [c.O, c.C, c.kH, kW]), null, view(out, [c.N, c.O, oH, oW]), p);
        const gIn = new Float64Array(c.N * c.C * c.H * c.W).fill(7);
        conv2dBackwardInput(view(gs, [c.N, c.O, oH, oW]), view(ws, [c.O, c.C, c.kH, kW]), view(gIn, [c.N, c.C, c.H, c.W]), p);
        const gW = new Float64Array(ws.length).fill(7);
        conv2dBackwardWeight(view(xs, [c.N, c.C, c.H, c.W], c.xOff), view(gs, [c.N, c.O, oH, oW]), view(gW, [c.O, c.C, c.kH, kW]), p);

        const outRef = new Float64Array(out.length), gInRef = new Float64Array(gIn.length), gWRef = new Float64Array(gW.length);
        for (let n = 0; n < c.N; n++) for (let o = 0; o < c.O; o++) for (let h = 0; h < oH; h++) for (let w = 0; w < oW; w++) {
          let s = 0;
          for (let ch = 0; ch < c.C; ch++) for (let i = 0; i < c.kH; i++) for (let j = 0; j < kW; j++) {
            const ih = h - c.pH + i * c.dH, iw = w - pW + j * dW;
            s += X(n, ch, ih, iw) * Wt(o, ch, i, j);
            if (ih >= 0 && ih < c.H && iw >= 0 && iw < c.W) {
              gInRef[((n * c.C + ch) * c.H + ih) * c.W + iw]! += G(n, o, h, w) * Wt(o, ch, i, j);
              gWRef[((o * c.C + ch) * c.kH + i) * kW + j]! += G(n, o, h, w) * X(n, ch, ih, iw);
            }
          }
          outRef[((n * c.O + o) * oH + h) * oW + w] = s;
        }
        expect(Array.from(out)).toEqual(Array.from(outRef));
        expect(Array.from(gIn)).toEqual(Array.from(gInRef));
        expect(Array.from(gW)).toEqual(Array.from(gWRef));
      },
    ), fcOptions(300));
  });
});
