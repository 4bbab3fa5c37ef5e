import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Conv2dParams, Pool2dParams } from '../backend.js';
import { Tensor, getBackend } from '../../index.js';
import { convOutSize } from './conv.js';
import { fcOptions, randomTensor } from '../../test-utils/arbitraries.js';
import { firstDifference, type Naive, readElements } from '../../test-utils/naive.js';

/**
 * The convolution and pooling kernels, called through the current backend, against direct
 * loops written from the definitions.
 */
const backend = getBackend();

function expectNaive(actual: Tensor, expected: Naive, tol: { rtol?: number; atol?: number }, where: string): void {
  const diff = firstDifference(readElements(actual), expected, tol);
  if (diff !== null) expect.fail(`${where}: ${diff}`);
}

interface ConvCase {
  N: number; Cg: number; Og: number; groups: number; H: number; W: number; kH: number; kW: number;
  sH: number; sW: number; pH: number; pW: number; dH: number; dW: number; bias: boolean; seed: number;
}

const convCaseArb = fc.record({
  N: fc.integer({ min: 1, max: 2 }), Cg: fc.integer({ min: 1, max: 3 }), Og: fc.integer({ min: 1, max: 3 }), groups: fc.integer({ min: 1, max: 2 }),
  H: fc.integer({ min: 1, max: 7 }), W: fc.integer({ min: 1, max: 7 }), kH: fc.integer({ min: 1, max: 3 }), kW: fc.integer({ min: 1, max: 3 }),
  sH: fc.integer({ min: 1, max: 3 }), sW: fc.integer({ min: 1, max: 2 }), pH: fc.integer({ min: 0, max: 2 }), pW: fc.integer({ min: 0, max: 1 }),
  dH: fc.integer({ min: 1, max: 2 }), dW: fc.integer({ min: 1, max: 2 }), bias: fc.boolean(), seed: fc.integer(),
});

/** x[n, c, h, w] with zero padding outside the image. */
function at(x: Naive, n: number, c: number, h: number, w: number): number {
  const [, C, H, W] = x.shape as [number, number, number, number];
  if (h < 0 || h >= H || w < 0 || w >= W) return 0;
  return x.data[((n * C + c) * H + h) * W + w]!;
}

function setup(c: ConvCase) {
  const C = c.Cg * c.groups, O = c.Og * c.groups;
  const oH = convOutSize(c.H, c.kH, c.sH, c.pH, c.dH);
  const oW = convOutSize(c.W, c.kW, c.sW, c.pW, c.dW);
  const p: Conv2dParams = { stride: [c.sH, c.sW], padding: [c.pH, c.pW], dilation: [c.dH, c.dW], groups: c.groups };
  return { C, O, oH, oW, p };
}

describe(`conv2d kernels (${backend.name} backend)`, () => {
  it('convOutSize follows PyTorch', () => {
    expect(convOutSize(5, 3, 1, 0, 1)).toBe(3);
    expect(convOutSize(5, 3, 2, 1, 1)).toBe(3);
    expect(convOutSize(7, 3, 1, 0, 2)).toBe(3);
    expect(convOutSize(4, 2, 3, 0, 1)).toBe(1);
  });

  it('forward, input gradient and weight gradient match direct loops', () => {
    fc.assert(
      fc.property(convCaseArb, (c) => {
        const { C, O, oH, oW, p } = setup(c);
        if (oH <= 0 || oW <= 0) return;
        const x = randomTensor([c.N, C, c.H, c.W], 'float64', c.seed, 'real');
        const w = randomTensor([O, c.Cg, c.kH, c.kW], 'float64', c.seed + 1, 'real');
        const b = randomTensor([O], 'float64', c.seed + 2, 'real');
        const out = Tensor.empty([c.N, O, oH, oW], 'float64');
        backend.conv2d(x.t, w.t, c.bias ? b.t : null, out, p);
        // forward: out[n,o,i,j] = b[o] + Σ x[n, g·Cg + ci, i·s - p + ki·d, j·s - p + kj·d] · w[o, ci, ki, kj]
        const ref: number[] = [];
        for (let n = 0; n < c.N; n++) for (let o = 0; o < O; o++) for (let i = 0; i < oH; i++) for (let j = 0; j < oW; j++) {
          const g = Math.floor(o / c.Og);
          let s = c.bias ? b.expected.data[o]! : 0;
          for (let ci = 0; ci < c.Cg; ci++) for (let ki = 0; ki < c.kH; ki++) for (let kj = 0; kj < c.kW; kj++) {
            s += at(x.expected, n, g * c.Cg + ci, i * c.sH - c.pH + ki * c.dH, j * c.sW - c.pW + kj * c.dW) * w.expected.data[((o * c.Cg + ci) * c.kH + ki) * c.kW + kj]!;
          }
          ref.push(s);
        }
        expectNaive(out, { shape: [c.N, O, oH, oW], data: ref }, { rtol: 1e-12, atol: 1e-12 }, `conv2d ${JSON.stringify(c)}`);

        // backward: the gradients of L = Σ out·G with respect to x and w
        const G = randomTensor([c.N, O, oH, oW], 'float64', c.seed + 3, 'real');
        const gx = Tensor.empty([c.N, C, c.H, c.W], 'float64');
        gx.storage.data.fill(123); // must be overwritten
        backend.conv2dBackwardInput(G.t, w.t, gx, p);
        const gw = Tensor.empty([O, c.Cg, c.kH, c.kW], 'float64');
        gw.storage.data.fill(-7);
        backend.conv2dBackwardWeight(x.t, G.t, gw, p);
        const gxRef = new Array<number>(c.N * C * c.H * c.W).fill(0);
        const gwRef = new Array<number>(O * c.Cg * c.kH * c.kW).fill(0);
        for (let n = 0; n < c.N; n++) for (let o = 0; o < O; o++) for (let i = 0; i < oH; i++) for (let j = 0; j < oW; j++) {
          const g = Math.floor(o / c.Og);
          const go = G.expected.data[((n * O + o) * oH + i) * oW + j]!;
          for (let ci = 0; ci < c.Cg; ci++) for (let ki = 0; ki < c.kH; ki++) for (let kj = 0; kj < c.kW; kj++) {
            const h = i * c.sH - c.pH + ki * c.dH, ww = j * c.sW - c.pW + kj * c.dW;
            if (h < 0 || h >= c.H || ww < 0 || ww >= c.W) continue;
            const xi = ((n * C + g * c.Cg + ci) * c.H + h) * c.W + ww;
            const wi = ((o * c.Cg + ci) * c.kH + ki) * c.kW + kj;
            gxRef[xi]! += go * w.expected.data[wi]!;
            gwRef[wi]! += go * x.expected.data[xi]!;
          }
        }
        expectNaive(gx, { shape: gx.shape, data: gxRef }, { rtol: 1e-11, atol: 1e-11 }, `conv2dBackwardInput ${JSON.stringify(c)}`);
        expectNaive(gw, { shape: gw.shape, data: gwRef }, { rtol: 1e-11, atol: 1e-11 }, `conv2dBackwardWeight ${JSON.stringify(c)}`);
      }),
      fcOptions(150),
    );
  });

  it('float32 convolution rounds to float32', () => {
    const x = randomTensor([1, 2, 5, 5], 'float32', 9, 'real');
    const w = randomTensor([3, 2, 3, 3], 'float32', 10, 'real');
    const out = Tensor.empty([1, 3, 3, 3], 'float32');
    backend.conv2d(x.t, w.t, null, out, { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 });
    const x64 = Tensor.fromBuffer(Float64Array.from(x.expected.data), x.t.shape);
    const w64 = Tensor.fromBuffer(Float64Array.from(w.expected.data), w.t.shape);
    const out64 = Tensor.empty([1, 3, 3, 3], 'float64');
    backend.conv2d(x64, w64, null, out64, { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 });
    expectNaive(out, { shape: out.shape, data: Array.from(out64.storage.data) }, { rtol: 1e-5, atol: 1e-5 }, 'float32 conv');
    for (const v of out.storage.data) expect(v).toBe(Math.fround(v));
  });
});

const poolCaseArb = fc.record({
  N: fc.integer({ min: 1, max: 2 }), C: fc.integer({ min: 1, max: 2 }), H: fc.integer({ min: 1, max: 7 }), W: fc.integer({ min: 1, max: 7 }),
  kH: fc.integer({ min: 1, max: 3 }), kW: fc.integer({ min: 1, max: 3 }), sH: fc.integer({ min: 1, max: 3 }), sW: fc.integer({ min: 1, max: 3 }),
  pH: fc.integer({ min: 0, max: 1 }), pW: fc.integer({ min: 0, max: 1 }), countIncludePad: fc.boolean(), seed: fc.integer(),
});

describe(`pooling kernels (${backend.name} backend)`, () => {
  it('maxPool2d/avgPool2d and their backward passes match direct loops', () => {
    fc.assert(
      fc.property(poolCaseArb, (c) => {
        // PyTorch requires padding <= kernel/2
        if (2 * c.pH > c.kH || 2 * c.pW > c.kW) return;
        const oH = convOutSize(c.H, c.kH, c.sH, c.pH, 1);
        const oW = convOutSize(c.W, c.kW, c.sW, c.pW, 1);
        if (oH <= 0 || oW <= 0) return;
        const p: Pool2dParams = { kernelSize: [c.kH, c.kW], stride: [c.sH, c.sW], padding: [c.pH, c.pW], countIncludePad: c.countIncludePad };
        const x = randomTensor([c.N, c.C, c.H, c.W], 'float64', c.seed, 'small'); // small values: ties exercise first-index choice
        const out = Tensor.empty([c.N, c.C, oH, oW], 'float64');
        const idx = Tensor.empty([c.N, c.C, oH, oW], 'int32');
        backend.maxPool2d(x.t, out, idx, p);
        const avg = Tensor.empty([c.N, c.C, oH, oW], 'float64');
        backend.avgPool2d(x.t, avg, p);
        const maxRef: number[] = [], idxRef: number[] = [], avgRef: number[] = [];
        for (let pl = 0; pl < c.N * c.C; pl++) for (let i = 0; i < oH; i++) for (let j = 0; j < oW; j++) {
          let best = -Infinity, bi = -1, s = 0, cnt = 0, cntPad = 0;
          for (let ki = 0; ki < c.kH; ki++) for (let kj = 0; kj < c.kW; kj++) {
            const h = i * c.sH - c.pH + ki, w = j * c.sW - c.pW + kj;
            if (h < c.H + c.pH && w < c.W + c.pW) cntPad++;
            if (h < 0 || h >= c.H || w < 0 || w >= c.W) continue;
            const v = x.expected.data[pl * c.H * c.W + h * c.W + w]!;
            cnt++;
            s += v;
            if (v > best || bi < 0) { best = v; bi = h * c.W + w; }
          }
          maxRef.push(best); idxRef.push(bi); avgRef.push(s / (c.countIncludePad ? cntPad : cnt));
        }
        const where = JSON.stringify(c);
        expectNaive(out, { shape: out.shape, data: maxRef }, {}, `maxPool2d ${where}`);
        expectNaive(idx, { shape: idx.shape, data: idxRef }, {}, `maxPool2d indices ${where}`);
        expectNaive(avg, { shape: avg.shape, data: avgRef }, { rtol: 1e-14, atol: 1e-14 }, `avgPool2d ${where}`);

        const G = randomTensor([c.N, c.C, oH, oW], 'float64', c.seed + 1, 'real');
        const gMax = Tensor.empty(x.t.shape, 'float64');
        gMax.storage.data.fill(5);
        backend.maxPool2dBackward(G.t, idx, gMax, p);
        const gAvg = Tensor.empty(x.t.shape, 'float64');
        gAvg.storage.data.fill(5);
        backend.avgPool2dBackward(G.t, gAvg, p);
        const gMaxRef = new Array<number>(x.expected.data.length).fill(0);
        const gAvgRef = new Array<number>(x.expected.data.length).fill(0);
        let q = 0;
        for (let pl = 0; pl < c.N * c.C; pl++) for (let i = 0; i < oH; i++) for (let j = 0; j < oW; j++, q++) {
          const g = G.expected.data[q]!;
          gMaxRef[pl * c.H * c.W + idxRef[q]!]! += g;
          let cnt = 0, cntPad = 0;
          const cells: number[] = [];
          for (let ki = 0; ki < c.kH; ki++) for (let kj = 0; kj < c.kW; kj++) {
            const h = i * c.sH - c.pH + ki, w = j * c.sW - c.pW + kj;
            if (h < c.H + c.pH && w < c.W + c.pW) cntPad++;
            if (h < 0 || h >= c.H || w < 0 || w >= c.W) continue;
            cnt++;
            cells.push(pl * c.H * c.W + h * c.W + w);
          }
          for (const cell of cells) gAvgRef[cell]! += g / (c.countIncludePad ? cntPad : cnt);
        }
        expectNaive(gMax, { shape: gMax.shape, data: gMaxRef }, { rtol: 1e-14, atol: 1e-14 }, `maxPool2dBackward ${where}`);
        expectNaive(gAvg, { shape: gAvg.shape, data: gAvgRef }, { rtol: 1e-13, atol: 1e-13 }, `avgPool2dBackward ${where}`);
      }),
      fcOptions(200),
    );
  });

  it('maxPool2d propagates NaN and pads with -inf', () => {
    const x = Tensor.fromBuffer(new Float64Array([1, NaN, 3, 4]), [1, 1, 2, 2]);
    const out = Tensor.empty([1, 1, 1, 1], 'float64');
    const idx = Tensor.empty([1, 1, 1, 1], 'int32');
    backend.maxPool2d(x, out, idx, { kernelSize: [2, 2], stride: [2, 2], padding: [0, 0] });
    expect(out.item()).toBeNaN();
    expect(idx.item()).toBe(1);
    const neg = Tensor.fromBuffer(new Float64Array([-5, -6, -7, -8]), [1, 1, 2, 2]);
    const o2 = Tensor.empty([1, 1, 3, 3], 'float64');
    const i2 = Tensor.empty([1, 1, 3, 3], 'int32');
    backend.maxPool2d(neg, o2, i2, { kernelSize: [2, 2], stride: [1, 1], padding: [1, 1] });
    expect(o2.toArray()).toEqual([[[[-5, -5, -6], [-5, -5, -6], [-7, -7, -8]]]]);
    expect(i2.toArray()).toEqual([[[[0, 0, 1], [0, 0, 1], [2, 2, 3]]]]);
  });
});
