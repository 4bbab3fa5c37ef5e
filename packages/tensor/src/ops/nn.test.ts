import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  type GradEngine, Generator, Tensor, assertClose, avgPool2d, avgPool2dBackward, conv2d, conv2dBackwardInput, conv2dBackwardWeight,
  getBackend, maxPool2d, maxPool2dBackward, randn, setGradEngine, tensor, zeros, ones, arange,
} from '../index.js';

type Dtype = 'float32' | 'float64';

function rnd(shape: number[], g: Generator, dtype: Dtype = 'float64'): Tensor {
  return randn(shape, { dtype, generator: g });
}

interface ConvCase {
  N: number; C: number; H: number; W: number; O: number; kH: number; kW: number; groups: number;
  sH: number; sW: number; pH: number; pW: number; dH: number; dW: number;
}

/** Direct convolution: the seven nested loops of the definition (plus one for groups). */
function naiveConv(x: Float64Array, w: Float64Array, b: Float64Array | null, c: ConvCase, oH: number, oW: number): Float64Array {
  const { N, C, H, W, O, kH, kW, groups, sH, sW, pH, pW, dH, dW } = c;
  const Cg = C / groups, Og = O / groups;
  const out = new Float64Array(N * O * oH * oW);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let oh = 0; oh < oH; oh++)
        for (let ow = 0; ow < oW; ow++) {
          let s = b === null ? 0 : b[o]!;
          const g = Math.floor(o / Og);
          for (let ci = 0; ci < Cg; ci++)
            for (let ki = 0; ki < kH; ki++)
              for (let kj = 0; kj < kW; kj++) {
                const ih = oh * sH - pH + ki * dH, iw = ow * sW - pW + kj * dW;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                s += x[((n * C + g * Cg + ci) * H + ih) * W + iw]! * w[((o * Cg + ci) * kH + ki) * kW + kj]!;
              }
          out[((n * O + o) * oH + oh) * oW + ow] = s;
        }
  return out;
}

function naiveConvGrads(x: Float64Array, w: Float64Array, go: Float64Array, c: ConvCase, oH: number, oW: number): { gx: Float64Array; gw: Float64Array } {
  const { N, C, H, W, O, kH, kW, groups, sH, sW, pH, pW, dH, dW } = c;
  const Cg = C / groups, Og = O / groups;
  const gx = new Float64Array(x.length), gw = new Float64Array(w.length);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let oh = 0; oh < oH; oh++)
        for (let ow = 0; ow < oW; ow++) {
          const g = go[((n * O + o) * oH + oh) * oW + ow]!;
          const grp = Math.floor(o / Og);
          for (let ci = 0; ci < Cg; ci++)
            for (let ki = 0; ki < kH; ki++)
              for (let kj = 0; kj < kW; kj++) {
                const ih = oh * sH - pH + ki * dH, iw = ow * sW - pW + kj * dW;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                const xi = ((n * C + grp * Cg + ci) * H + ih) * W + iw, wi = ((o * Cg + ci) * kH + ki) * kW + kj;
                gx[xi]! += g * w[wi]!;
                gw[wi]! += g * x[xi]!;
              }
        }
  return { gx, gw };
}

const convCase = fc
  .record({
    N: fc.integer({ min: 1, max: 2 }), groups: fc.integer({ min: 1, max: 3 }), cg: fc.integer({ min: 1, max: 2 }), og: fc.integer({ min: 1, max: 2 }),
    kH: fc.integer({ min: 1, max: 3 }), kW: fc.integer({ min: 1, max: 3 }), sH: fc.integer({ min: 1, max: 3 }), sW: fc.integer({ min: 1, max: 2 }),
    pH: fc.integer({ min: 0, max: 2 }), pW: fc.integer({ min: 0, max: 2 }), dH: fc.integer({ min: 1, max: 2 }), dW: fc.integer({ min: 1, max: 3 }),
    extraH: fc.integer({ min: 0, max: 4 }), extraW: fc.integer({ min: 0, max: 4 }), seed: fc.integer({ min: 0, max: 1e6 }), bias: fc.boolean(),
  })
  .map((r) => {
    // Choose H, W so that the dilated kernel fits the padded input.
    const H = Math.max(1, r.dH * (r.kH - 1) + 1 - 2 * r.pH) + r.extraH;
    const W = Math.max(1, r.dW * (r.kW - 1) + 1 - 2 * r.pW) + r.extraW;
    return { ...r, C: r.cg * r.groups, O: r.og * r.groups, H, W };
  });

describe(`conv2d (${getBackend().name} backend)`, () => {
  it('matches a direct convolution, with its input and weight gradients (property, float64)', () => {
    fc.assert(
      fc.property(convCase, (c) => {
        const g = new Generator(c.seed);
        const x = rnd([c.N, c.C, c.H, c.W], g);
        const w = rnd([c.O, c.C / c.groups, c.kH, c.kW], g);
        const b = c.bias ? rnd([c.O], g) : null;
        const params = { stride: [c.sH, c.sW] as [number, number], padding: [c.pH, c.pW] as [number, number], dilation: [c.dH, c.dW] as [number, number], groups: c.groups };
        const out = conv2d(x, w, b, params);
        const oH = Math.floor((c.H + 2 * c.pH - c.dH * (c.kH - 1) - 1) / c.sH) + 1;
        const oW = Math.floor((c.W + 2 * c.pW - c.dW * (c.kW - 1) - 1) / c.sW) + 1;
        expect(out.shape).toEqual([c.N, c.O, oH, oW]);
        const xs = x.toTypedArray() as Float64Array, ws = w.toTypedArray() as Float64Array;
        assertClose(out, Tensor.fromBuffer(naiveConv(xs, ws, b === null ? null : (b.toTypedArray() as Float64Array), c, oH, oW), out.shape), { rtol: 1e-10, atol: 1e-10 });
        const go = rnd(out.shape, g);
        const ref = naiveConvGrads(xs, ws, go.toTypedArray() as Float64Array, c, oH, oW);
        assertClose(conv2dBackwardInput(go, w, x.shape, params), Tensor.fromBuffer(ref.gx, x.shape), { rtol: 1e-10, atol: 1e-10 });
        assertClose(conv2dBackwardWeight(x, go, w.shape, params), Tensor.fromBuffer(ref.gw, w.shape), { rtol: 1e-10, atol: 1e-10 });
      }),
      { numRuns: 60 },
    );
  });

  it('computes a hand-worked example in float32', () => {
    const x = arange(16).reshape(1, 1, 4, 4).float();
    const w = tensor([[[[1, 0], [0, -1]]]], { dtype: 'float32' });
    // out[i][j] = x[i][j] - x[i+1][j+1] = -5 everywhere, plus bias 1, with stride 2.
    expect(conv2d(x, w, tensor([1], { dtype: 'float32' }), { stride: 2 }).toArray()).toEqual([[[[-4, -4], [-4, -4]]]]);
  });

  it("accepts unbatched input and padding 'valid' / 'same' (odd and even kernels)", () => {
    const g = new Generator(3);
    const x = rnd([2, 5, 6], g);
    const w = rnd([3, 2, 3, 3], g);
    const batched = conv2d(x.unsqueeze(0), w, null, { padding: 1 });
    const un = conv2d(x, w, null, { padding: 'same' });
    expect(un.shape).toEqual([3, 5, 6]);
    assertClose(un, batched.squeeze(0), { rtol: 1e-12, atol: 1e-12 });
    expect(conv2d(x, w, null, { padding: 'valid' }).shape).toEqual([3, 3, 4]);
    // An even kernel: torch pads 0 before and 1 after; compare with explicit zero padding.
    const w2 = rnd([1, 2, 2, 4], g);
    const same = conv2d(x, w2, null, { padding: 'same', dilation: [1, 1] });
    expect(same.shape).toEqual([1, 5, 6]);
    const padded = zeros(2, 6, 9, { dtype: 'float64' });
    padded.narrow(1, 0, 5).narrow(2, 1, 6).copy_(x); // top 0 / bottom 1, left 1 / right 2
    assertClose(same, conv2d(padded, w2), { rtol: 1e-12, atol: 1e-12 });
  });

  it('non-contiguous operands give the same results as contiguous copies', () => {
    const g = new Generator(21);
    const xt = rnd([5, 6, 3, 2], g).permute(3, 2, 1, 0); // [2, 3, 6, 5], strided
    const wt = rnd([3, 3, 4, 2], g).transpose(0, 3); // [2, 3, 4, 3]
    const b = rnd([2], g).flip(0);
    const p = { stride: 2, padding: [1, 0] as [number, number] };
    assertClose(conv2d(xt, wt, b, p), conv2d(xt.contiguous(), wt.contiguous(), b, p), { rtol: 1e-12, atol: 1e-12 });
    assertClose(maxPool2d(xt, 2, { stride: 1 }), maxPool2d(xt.contiguous(), 2, { stride: 1 }));
    assertClose(avgPool2d(xt, [3, 2], { padding: [1, 1] }), avgPool2d(xt.contiguous(), [3, 2], { padding: [1, 1] }), { rtol: 1e-12, atol: 1e-12 });
  });

  it('backward functions are the adjoints of conv2d (<conv(x,w), g> = <x, dX(g)> = <w, dW(g)>)', () => {
    const g = new Generator(11);
    const p = { stride: [2, 1] as [number, number], padding: [1, 2] as [number, number], dilation: [2, 1] as [number, number], groups: 2 };
    const x = rnd([2, 4, 7, 6], g), w = rnd([6, 2, 3, 2], g);
    const y = conv2d(x, w, null, p);
    const go = rnd(y.shape, g);
    const lhs = y.mul(go).sum().item();
    expect(x.mul(conv2dBackwardInput(go, w, x.shape, p)).sum().item()).toBeCloseTo(lhs, 9);
    expect(w.mul(conv2dBackwardWeight(x, go, w.shape, p)).sum().item()).toBeCloseTo(lhs, 9);
  });

  it('rejects bad shapes, dtypes and params with clear errors', () => {
    const x = zeros(1, 4, 5, 5);
    expect(() => conv2d(x, zeros(2, 3, 3, 3))).toThrow(/input \[1, 4, 5, 5\] has 4 channels but weight \[2, 3, 3, 3\] with groups=1 expects 3/);
    expect(() => conv2d(x, zeros(3, 2, 3, 3), null, { groups: 2 })).toThrow(/weight \[3, 2, 3, 3\] has 3 output channels, not divisible by groups=2/);
    expect(() => conv2d(x, zeros(2, 4, 7, 3))).toThrow(/padded input \(5 x 5.*smaller than the dilated kernel \(7 x 3/);
    expect(() => conv2d(x, zeros(2, 4, 3, 3), null, { dilation: 3 })).toThrow(/smaller than the dilated kernel \(7 x 7/);
    expect(() => conv2d(x, zeros(2, 4, 3, 3), zeros(3))).toThrow(/bias must have shape \[2\]/);
    expect(() => conv2d(x, zeros(2, 4, 3, 3, { dtype: 'float64' }))).toThrow(TypeError);
    expect(() => conv2d(zeros(1, 4, 5, 5, { dtype: 'int32' }), zeros(2, 4, 3, 3, { dtype: 'int32' }))).toThrow(/input must be float32 or float64, got int32/);
    expect(() => conv2d(zeros(4, 5), zeros(2, 4, 3, 3))).toThrow(/expected a 3-D \(C, H, W\) or 4-D \(N, C, H, W\) input, got shape \[4, 5\]/);
    expect(() => conv2d(x, zeros(2, 4, 3, 3), null, { stride: 0 })).toThrow(/stride must contain integers >= 1/);
    expect(() => conv2d(x, zeros(2, 4, 3, 3), null, { padding: 'same', stride: 2 })).toThrow(/padding='same' is not supported for strided convolutions/);
    expect(() => conv2dBackwardInput(zeros(1, 2, 4, 4), zeros(2, 4, 3, 3), [1, 4, 5, 5])).toThrow(/gradOut \[1, 2, 4, 4\] does not match the output shape \[1, 2, 3, 3\]/);
  });
});

/** Naive pooling: for each window, the max (first occurrence) and its flat index, or the mean. */
function naivePool(x: Float64Array, N: number, C: number, H: number, W: number, k: [number, number], s: [number, number], p: [number, number], includePad: boolean) {
  const oH = Math.floor((H + 2 * p[0] - k[0]) / s[0]) + 1, oW = Math.floor((W + 2 * p[1] - k[1]) / s[1]) + 1;
  const max = new Float64Array(N * C * oH * oW), idx = new Int32Array(max.length), avg = new Float64Array(max.length);
  for (let pl = 0; pl < N * C; pl++)
    for (let oh = 0; oh < oH; oh++)
      for (let ow = 0; ow < oW; ow++) {
        let best = -Infinity, bi = -1, sum = 0, count = 0, padCount = 0;
        for (let i = 0; i < k[0]; i++)
          for (let j = 0; j < k[1]; j++) {
            const h = oh * s[0] - p[0] + i, w = ow * s[1] - p[1] + j;
            if (h < H + p[0] && w < W + p[1]) padCount++;
            if (h < 0 || h >= H || w < 0 || w >= W) continue;
            const v = x[pl * H * W + h * W + w]!;
            if (v > best) { best = v; bi = h * W + w; }
            sum += v; count++;
          }
        const o = (pl * oH + oh) * oW + ow;
        max[o] = best; idx[o] = bi; avg[o] = sum / (includePad ? padCount : count);
      }
  return { max, idx, avg, oH, oW };
}

const poolCase = fc
  .record({
    N: fc.integer({ min: 1, max: 2 }), C: fc.integer({ min: 1, max: 3 }), kH: fc.integer({ min: 1, max: 4 }), kW: fc.integer({ min: 1, max: 3 }),
    sH: fc.integer({ min: 1, max: 3 }), sW: fc.integer({ min: 1, max: 3 }), padSeed: fc.nat(), extraH: fc.integer({ min: 0, max: 5 }),
    extraW: fc.integer({ min: 0, max: 5 }), seed: fc.integer({ min: 0, max: 1e6 }), includePad: fc.boolean(),
  })
  .map((r) => {
    const pH = r.padSeed % (Math.floor(r.kH / 2) + 1), pW = (r.padSeed >> 3) % (Math.floor(r.kW / 2) + 1);
    return { ...r, pH, pW, H: Math.max(1, r.kH - 2 * pH) + r.extraH, W: Math.max(1, r.kW - 2 * pW) + r.extraW };
  });

describe(`pooling (${getBackend().name} backend)`, () => {
  it('maxPool2d / avgPool2d and their gradients match naive loops (property)', () => {
    fc.assert(
      fc.property(poolCase, (c) => {
        const g = new Generator(c.seed);
        const x = rnd([c.N, c.C, c.H, c.W], g);
        const k: [number, number] = [c.kH, c.kW], s: [number, number] = [c.sH, c.sW], p: [number, number] = [c.pH, c.pW];
        const ref = naivePool(x.toTypedArray() as Float64Array, c.N, c.C, c.H, c.W, k, s, p, c.includePad);
        const shape = [c.N, c.C, ref.oH, ref.oW];
        const { output, indices } = maxPool2d(x, k, { stride: s, padding: p, returnIndices: true });
        expect(output.shape).toEqual(shape);
        expect(Array.from(output.toTypedArray())).toEqual(Array.from(ref.max));
        expect(Array.from(indices.toTypedArray())).toEqual(Array.from(ref.idx));
        const avg = avgPool2d(x, k, { stride: s, padding: p, countIncludePad: c.includePad });
        assertClose(avg, Tensor.fromBuffer(ref.avg, shape), { rtol: 1e-12, atol: 1e-12 });
        // Gradients: max routes each gradient to its argmax; avg is the adjoint of the forward.
        const go = rnd(shape, g);
        const gmax = maxPool2dBackward(go, indices, x.shape, { kernelSize: k, stride: s, padding: p });
        const expected = new Float64Array(x.numel());
        const gb = go.toTypedArray();
        for (let i = 0; i < gb.length; i++) {
          const plane = Math.floor(i / (ref.oH * ref.oW));
          expected[plane * c.H * c.W + ref.idx[i]!]! += gb[i]!;
        }
        assertClose(gmax, Tensor.fromBuffer(expected, x.shape), { rtol: 1e-12, atol: 1e-12 });
        const gavg = avgPool2dBackward(go, x.shape, { kernelSize: k, stride: s, padding: p, countIncludePad: c.includePad });
        expect(x.mul(gavg).sum().item()).toBeCloseTo(avg.mul(go).sum().item(), 9);
      }),
      { numRuns: 80 },
    );
  });

  it('hand-worked pooling with stride defaulting to the kernel size, unbatched', () => {
    const x = tensor([[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]], { dtype: 'float32' });
    expect(maxPool2d(x, 2).toArray()).toEqual([[[6, 8], [14, 16]]]);
    expect(avgPool2d(x, 2).toArray()).toEqual([[[3.5, 5.5], [11.5, 13.5]]]);
    const r = maxPool2d(x, [2, 4], { returnIndices: true });
    expect(r.indices.toArray()).toEqual([[[7], [15]]]);
    // Padding 1 with a 2x2 kernel: corner windows see one element (count_include_pad divides by 4).
    expect(avgPool2d(ones(1, 2, 2), 2, { stride: 1, padding: 1 }).toArray()).toEqual([[[0.25, 0.5, 0.25], [0.5, 1, 0.5], [0.25, 0.5, 0.25]]]);
    expect(avgPool2d(ones(1, 2, 2), 2, { stride: 1, padding: 1, countIncludePad: false }).toArray()).toEqual([[[1, 1, 1], [1, 1, 1], [1, 1, 1]]]);
    expect(maxPool2d(tensor([[[1, 7], [3, 2]]]), 2).toArray()).toEqual([[[7]]]); // int32 input
    // Ties pick the first position of the window in row-major order, as torch does.
    expect(maxPool2d(ones(1, 3, 3), 2, { stride: 1, returnIndices: true }).indices.toArray()).toEqual([[[0, 1], [3, 4]]]);
    expect(maxPool2d(ones(1, 2, 2), 2, { stride: 1, padding: 1, returnIndices: true }).indices.toArray()).toEqual([[[0, 0, 1], [0, 0, 1], [2, 2, 3]]]);
  });

  it('rejects bad pooling arguments', () => {
    const x = zeros(1, 1, 4, 4);
    expect(() => maxPool2d(x, 2, { padding: 2 })).toThrow(/padding \[2, 2\] should be at most half of the kernel size \[2, 2\]/);
    expect(() => maxPool2d(x, 5)).toThrow(/padded input \(4 x 4.*smaller than the kernel \[5, 5\]/);
    expect(() => avgPool2d(zeros(1, 1, 4, 4, { dtype: 'int32' }), 2)).toThrow(TypeError);
    expect(() => maxPool2d(zeros(4, 4), 2)).toThrow(/expected a 3-D \(C, H, W\) or 4-D/);
    expect(() => maxPool2d(x, 0)).toThrow(/kernelSize must contain integers >= 1/);
    expect(() => maxPool2dBackward(zeros(1, 1, 2, 2), zeros(1, 1, 2, 2, { dtype: 'int32' }).add(99), [1, 1, 4, 4], { kernelSize: 2 })).toThrow(
      /maxPool2dBackward: indices\[0\] = 99 is out of bounds for an input plane of 4 x 4 = 16 elements/,
    );
  });
});

describe('network ops under autograd', () => {
  afterEach(() => setGradEngine(null));
  it('records conv2d, maxPool2d and avgPool2d with their attrs', () => {
    const log: { op: string; n: number; attrs: Record<string, unknown> }[] = [];
    const engine: GradEngine = {
      record(op, inputs, output, attrs) { log.push({ op, n: inputs.length, attrs: attrs as Record<string, unknown> }); output.requiresGrad = true; },
      backward() {}, retainGrad() {}, registerHook: () => () => {},
    };
    setGradEngine(engine);
    const x = zeros(1, 2, 4, 4, { dtype: 'float64' }).requiresGrad_();
    conv2d(x, zeros(2, 2, 3, 3, { dtype: 'float64' }), zeros(2, { dtype: 'float64' }), { padding: 1 });
    maxPool2d(x, 2);
    avgPool2d(x, 2, { countIncludePad: false });
    expect(log.map((e) => [e.op, e.n])).toEqual([['conv2d', 3], ['maxPool2d', 1], ['avgPool2d', 1]]);
    expect(log[0]!.attrs).toEqual({ params: { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 }, hasBias: true });
    expect((log[1]!.attrs['indices'] as Tensor).shape).toEqual([1, 2, 2, 2]);
    expect(log[1]!.attrs['inputShape']).toEqual([1, 2, 4, 4]);
    expect(log[2]!.attrs['params']).toEqual({ kernelSize: [2, 2], stride: [2, 2], padding: [0, 0], countIncludePad: false });
  });
});
