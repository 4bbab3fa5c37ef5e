import { describe, expect, it } from 'vitest';
import { type Tensor, tensor, zeros, ones, randn, manualSeed, assertClose, toTypedArray } from '@tsgrad/tensor';
import { gradcheck, noGrad } from '@tsgrad/autograd';
import {
  Linear, Bilinear, Identity, Flatten, Unflatten, Conv1d, Conv2d, ConvTranspose2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d,
  Dropout, Dropout2d, ZeroPad2d, ConstantPad2d, BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm, Embedding, Parameter, F,
} from '../index.js';
import { gradcheckModule, leaf } from '../test-utils/check.js';

const set = (p: Parameter, values: number[] | number[][]) => noGrad(() => p.copy_(tensor(values as number[][], { dtype: p.dtype }).reshape(p.shape)));

/** Naive conv2d: loops straight from the definition (cross-correlation with zero padding). */
function naiveConv2d(x: Tensor, w: Tensor, b: Tensor | null, stride: [number, number], pad: [number, number], dil: [number, number], groups: number): number[][][][] {
  const [N, , H, W] = x.shape as [number, number, number, number];
  const [O, Cg, kH, kW] = w.shape as [number, number, number, number];
  const oH = Math.floor((H + 2 * pad[0] - dil[0] * (kH - 1) - 1) / stride[0]) + 1;
  const oW = Math.floor((W + 2 * pad[1] - dil[1] * (kW - 1) - 1) / stride[1]) + 1;
  const xa = x.toArray() as number[][][][];
  const wa = w.toArray() as number[][][][];
  const ba = b?.toArray() as number[] | undefined;
  const out: number[][][][] = [];
  for (let n = 0; n < N; n++) {
    out.push([]);
    for (let o = 0; o < O; o++) {
      const g = Math.floor(o / (O / groups));
      out[n]!.push([]);
      for (let i = 0; i < oH; i++) {
        out[n]![o]!.push([]);
        for (let j = 0; j < oW; j++) {
          let s = ba ? ba[o]! : 0;
          for (let c = 0; c < Cg; c++) for (let ki = 0; ki < kH; ki++) for (let kj = 0; kj < kW; kj++) {
            const r = i * stride[0] - pad[0] + ki * dil[0];
            const q = j * stride[1] - pad[1] + kj * dil[1];
            if (r >= 0 && r < H && q >= 0 && q < W) s += xa[n]![g * Cg + c]![r]![q]! * wa[o]![c]![ki]![kj]!;
          }
          out[n]![o]![i]!.push(s);
        }
      }
    }
  }
  return out;
}

/** Naive transposed conv: every input element scatters weight * value into the output. */
function naiveConvTranspose2d(x: Tensor, w: Tensor, b: Tensor | null, s: number, p: number, op: number, d: number, groups: number): number[][][][] {
  const [N, Cin, H, W] = x.shape as [number, number, number, number];
  const [, CoutG, kH, kW] = w.shape as [number, number, number, number];
  const Cout = CoutG * groups;
  const oH = (H - 1) * s - 2 * p + d * (kH - 1) + op + 1;
  const oW = (W - 1) * s - 2 * p + d * (kW - 1) + op + 1;
  const xa = x.toArray() as number[][][][];
  const wa = w.toArray() as number[][][][];
  const out = Array.from({ length: N }, () => Array.from({ length: Cout }, (_, c) => Array.from({ length: oH }, () => new Array<number>(oW).fill(b ? (b.toArray() as number[])[c]! : 0))));
  const cinG = Cin / groups;
  for (let n = 0; n < N; n++) for (let ci = 0; ci < Cin; ci++) {
    const g = Math.floor(ci / cinG);
    for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) for (let co = 0; co < CoutG; co++) for (let ki = 0; ki < kH; ki++) for (let kj = 0; kj < kW; kj++) {
      const r = i * s - p + ki * d;
      const q = j * s - p + kj * d;
      if (r >= 0 && r < oH && q >= 0 && q < oW) out[n]![g * CoutG + co]![r]![q]! += xa[n]![ci]![i]![j]! * wa[ci]![co]![ki]![kj]!;
    }
  }
  return out;
}

describe('Linear and friends', () => {
  it('computes x W^T + b (hand-derived)', () => {
    const lin = new Linear(2, 3);
    set(lin.weight, [[1, 2], [3, 4], [5, 6]]);
    set(lin.bias!, [1, 0, -1]);
    assertClose(lin.call(tensor([[1, 1], [2, -1]], { dtype: 'float32' })), [[4, 7, 10], [1, 2, 3]]);
    // Extra leading dims and 1-D input.
    expect(lin.call(zeros([4, 5, 2])).shape).toEqual([4, 5, 3]);
    assertClose(lin.call(tensor([1, 0], { dtype: 'float32' })), [2, 3, 4]);
    expect(() => lin.call(zeros([2, 3]))).toThrow(/input shape \[2, 3\] does not end in inFeatures=2/);
    expect(() => lin.call(zeros([2, 2], { dtype: 'float64' }))).toThrow(/input is float64 but weight is float32/);
  });

  it("uses PyTorch's default init bounds: U(-1/sqrt(in), 1/sqrt(in))", () => {
    manualSeed(0);
    const lin = new Linear(400, 300);
    const bound = 1 / Math.sqrt(400);
    const w = toTypedArray(lin.weight);
    let max = 0, sum = 0, sq = 0;
    for (const v of w) { max = Math.max(max, Math.abs(v)); sum += v; sq += v * v; }
    expect(max).toBeLessThanOrEqual(bound);
    expect(max).toBeGreaterThan(bound * 0.99);
    expect(Math.abs(sum / w.length)).toBeLessThan(bound * 0.01);
    expect(sq / w.length).toBeCloseTo((bound * bound) / 3, 5); // variance of U(-b, b)
    expect(Math.max(...toTypedArray(lin.bias!).map(Math.abs))).toBeLessThanOrEqual(bound);
    manualSeed(0);
    assertClose(new Linear(400, 300).weight, lin.weight, { atol: 0, rtol: 0 });
  });

  it('gradchecks Linear and Bilinear in float64', () => {
    manualSeed(1);
    expect(gradcheckModule(new Linear(3, 2), [leaf(4, 3)])).toBe(true);
    expect(gradcheckModule(new Linear(3, 2, { bias: false }), [leaf(2, 2, 3)])).toBe(true);
    const bil = new Bilinear(2, 3, 2);
    expect(gradcheckModule(bil, [leaf(4, 2), leaf(4, 3)])).toBe(true);
  });

  it('Bilinear matches its definition', () => {
    const bil = new Bilinear(2, 2, 1);
    set(bil.weight, [1, 2, 3, 4]);
    set(bil.bias!, [0.5]);
    // [1, 2] [[1, 2], [3, 4]] [1, -1]^T = [7, 10] . [1, -1] = -3
    assertClose(bil.call(tensor([[1, 2]], { dtype: 'float32' }), tensor([[1, -1]], { dtype: 'float32' })), [[-2.5]]);
  });

  it('gradchecks Flatten, Unflatten and the activation modules', () => {
    manualSeed(15);
    const x = leaf(2, 3, 2);
    for (const m of [new Flatten(), new Unflatten(2, [2, 1]), new Identity()]) expect(gradcheck((a) => m.call(a), [x])).toBe(true);
  });

  it('F.pad / ZeroPad2d / ConstantPad2d pad and crop the last dims; gradients reach the input', () => {
    const x = tensor([[[[1, 2], [3, 4]]]], { dtype: 'float64' });
    assertClose(new ZeroPad2d([1, 0, 0, 1]).call(x).reshape(3, 3), [[0, 1, 2], [0, 3, 4], [0, 0, 0]]);
    assertClose(new ConstantPad2d(1, -1).call(x).select(2, 0).reshape(4), [-1, -1, -1, -1]);
    assertClose(F.pad(x, [-1, 1]).reshape(2, 2), [[2, 0], [4, 0]]);
    expect(F.pad(zeros([2, 3]), [0, 0, 2, 1]).shape).toEqual([5, 3]);
    expect(() => F.pad(x, [1])).toThrow(/even number of integers/);
    expect(() => F.pad(zeros([2]), [-2, -1])).toThrow(/cropping 2 \+ 1 exceeds dimension 0 of size 2/);
    expect(gradcheck((a) => F.pad(a, [2, -1, 1, 0], 3), [leaf(1, 2, 3, 3)])).toBe(true);
  });

  it('Identity, Flatten, Unflatten', () => {
    const x = randn(2, 3, 4);
    expect(new Identity().call(x)).toBe(x);
    expect(new Flatten().call(x).shape).toEqual([2, 12]);
    expect(new Flatten(0, 1).call(x).shape).toEqual([6, 4]);
    expect(new Unflatten(1, [3, 1]).call(zeros([2, 3])).shape).toEqual([2, 3, 1]);
    expect(new Flatten().toString()).toBe('Flatten(startDim=1, endDim=-1)');
  });
});

describe('convolutions', () => {
  it('Conv1d (hand-derived) and its gradients', () => {
    const c = new Conv1d(1, 1, 3);
    set(c.weight, [1, 0, -1]);
    set(c.bias!, [0.5]);
    assertClose(c.call(tensor([[[1, 2, 4, 8]]], { dtype: 'float32' })), [[[-2.5, -5.5]]]);
    const same = new Conv1d(2, 4, 3, { padding: 'same', groups: 2, dilation: 2 });
    expect(same.call(zeros([3, 2, 7])).shape).toEqual([3, 4, 7]);
    expect(new Conv1d(2, 3, 3, { stride: 2, padding: 1 }).call(zeros([2, 9])).shape).toEqual([3, 5]);
    manualSeed(2);
    expect(gradcheckModule(new Conv1d(2, 2, 2, { stride: 2, padding: 1 }), [leaf(2, 2, 5)])).toBe(true);
  });

  it('Conv2d matches a naive loop implementation (stride, padding, dilation, groups)', () => {
    manualSeed(3);
    const cases: [number, number, [number, number], [number, number], [number, number], [number, number], number][] = [
      [2, 3, [3, 3], [1, 1], [1, 1], [1, 1], 1],
      [4, 6, [2, 3], [2, 1], [0, 2], [1, 2], 2],
      [3, 3, [3, 1], [1, 2], [2, 0], [2, 1], 3],
    ];
    for (const [cin, cout, k, s, p, d, g] of cases) {
      const conv = new Conv2d(cin, cout, k, { stride: s, padding: p, dilation: d, groups: g });
      const x = randn(2, cin, 7, 6);
      assertClose(conv.call(x), naiveConv2d(x, conv.weight, conv.bias, s, p, d, g) as unknown as number[][][], { atol: 1e-5 });
    }
    expect(new Conv2d(1, 2, 4, { padding: 'same' }).call(zeros([1, 1, 5, 6])).shape).toEqual([1, 2, 5, 6]);
    expect(() => new Conv2d(3, 4, 3, { groups: 2 })).toThrow(/inChannels \(3\) must be divisible by groups \(2\)/);
    expect(new Conv2d(1, 32, 3).toString()).toBe('Conv2d(1, 32, kernelSize=[3, 3], stride=[1, 1])');
  });

  it('ConvTranspose2d matches a naive scatter implementation and has the documented output size', () => {
    manualSeed(4);
    for (const [s, p, op, d, g] of [[1, 0, 0, 1, 1], [2, 1, 1, 1, 1], [3, 1, 2, 2, 2]] as const) {
      const ct = new ConvTranspose2d(4, 2, 3, { stride: s, padding: p, outputPadding: op, dilation: d, groups: g });
      const x = randn(2, 4, 3, 4);
      const y = ct.call(x);
      expect(y.shape).toEqual([2, 2, (3 - 1) * s - 2 * p + d * 2 + op + 1, (4 - 1) * s - 2 * p + d * 2 + op + 1]);
      assertClose(y, naiveConvTranspose2d(x, ct.weight, ct.bias, s, p, op, d, g) as unknown as number[][][], { atol: 1e-5 });
    }
    expect(() => new ConvTranspose2d(1, 1, 3, { stride: 2, outputPadding: 2 }).call(zeros([1, 1, 2, 2]))).toThrow(/outputPadding/);
  });

  it('gradchecks Conv2d and ConvTranspose2d', () => {
    manualSeed(5);
    expect(gradcheckModule(new Conv2d(2, 2, 2, { stride: [1, 2], padding: 1, groups: 2 }), [leaf(1, 2, 3, 4)])).toBe(true);
    expect(gradcheckModule(new ConvTranspose2d(2, 2, 2, { stride: 2, padding: 0 }), [leaf(1, 2, 2, 2)])).toBe(true);
  });
});

describe('pooling', () => {
  const grid = () => tensor([[[[1, 5, 2, 0], [3, 4, 8, 1], [0, 2, 9, 7], [6, 1, 3, 5]]]], { dtype: 'float32' });

  it('MaxPool2d / AvgPool2d (hand-derived)', () => {
    assertClose(new MaxPool2d(2).call(grid()).reshape(2, 2), [[5, 8], [6, 9]]);
    assertClose(new AvgPool2d(2).call(grid()).reshape(2, 2), [[13 / 4, 11 / 4], [9 / 4, 24 / 4]]);
    assertClose(new MaxPool2d(3, { stride: 1 }).call(grid()).reshape(2, 2), [[9, 9], [9, 9]]);
    // Zero padding counted in the divisor by default.
    assertClose(new AvgPool2d(2, { padding: 1 }).call(grid()).select(2, 0), [[[1 / 4, 7 / 4, 0 / 4]]]);
    assertClose(new AvgPool2d(2, { padding: 1, countIncludePad: false }).call(grid()).select(2, 0), [[[1, 3.5, 0]]]);
  });

  it('AdaptiveAvgPool2d averages PyTorch\'s windows', () => {
    const g = grid();
    expect(new AdaptiveAvgPool2d(1).call(g).shape).toEqual([1, 1, 1, 1]);
    assertClose(new AdaptiveAvgPool2d(1).call(g).reshape(1), [57 / 16]);
    // 4 -> 3 windows: [0,2), [1,3), [2,4)
    const out = new AdaptiveAvgPool2d([3, 4]).call(g);
    assertClose(out.select(3, 0).reshape(3), [(1 + 3) / 2, (3 + 0) / 2, (0 + 6) / 2]);
    expect(new AdaptiveAvgPool2d([null, 2]).call(zeros([2, 3, 5, 6])).shape).toEqual([2, 3, 5, 2]);
  });

  it('gradchecks the pools', () => {
    manualSeed(6);
    const xin = leaf(1, 2, 4, 5);
    expect(gradcheck((t) => F.maxPool2d(t, 2, { stride: 1 }), [xin])).toBe(true);
    expect(gradcheck((t) => F.avgPool2d(t, [2, 3], { padding: 1 }), [xin])).toBe(true);
    expect(gradcheck((t) => F.adaptiveAvgPool2d(t, [3, 2]), [xin])).toBe(true);
  });
});

describe('Dropout', () => {
  it('zeroes about p of the elements and scales the rest by 1/(1-p) in training; identity in eval', () => {
    manualSeed(7);
    const d = new Dropout(0.3);
    const x = ones([200, 100]);
    const y = toTypedArray(d.call(x));
    const zerosCount = y.filter((v) => v === 0).length;
    expect(Math.abs(zerosCount / y.length - 0.3)).toBeLessThan(0.02);
    expect(y.every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-6)).toBe(true);
    d.eval();
    expect(d.call(x)).toBe(x);
    expect(new Dropout(0).call(x)).toBe(x);
    expect(toTypedArray(new Dropout(1).call(x)).every((v) => v === 0)).toBe(true);
    expect(() => new Dropout(1.5)).toThrow(/probability in \[0, 1\]/);
  });

  it('Dropout2d zeroes whole channels', () => {
    manualSeed(8);
    const y = new Dropout2d(0.5).call(ones([4, 16, 3, 3]));
    const planes = y.reshape(64, 9).toArray() as number[][];
    for (const plane of planes) expect(new Set(plane).size).toBe(1);
    const dropped = planes.filter((p) => p[0] === 0).length;
    expect(dropped).toBeGreaterThan(10);
    expect(dropped).toBeLessThan(54);
    const d = new Dropout2d(0.5).eval();
    const x = ones([1, 2, 2, 2]);
    expect(d.call(x)).toBe(x);
  });

  it('passes gradients through the kept elements only', () => {
    manualSeed(9);
    const x = ones([50], { dtype: 'float64' }).requiresGrad_(true);
    const y = F.dropout(x, 0.5, true);
    y.sum().backward();
    assertClose(x.grad!, y.detach());
  });
});

describe('normalisation', () => {
  it('BatchNorm1d: batch statistics and running-stat updates in training, running stats in eval', () => {
    const bn = new BatchNorm1d(2);
    const x = tensor([[1, 10], [3, 20], [5, 60]], { dtype: 'float32' });
    const y = bn.call(x);
    // Channel 0: mean 3, biased var 8/3.
    assertClose(y.select(1, 0), [-2, 0, 2].map((v) => v / Math.sqrt(8 / 3 + 1e-5)), { atol: 1e-5 });
    const mean = y.mean(0);
    assertClose(mean, [0, 0], { atol: 1e-5 });
    // running = 0.9 * init + 0.1 * batch (unbiased variance: 4 and 700).
    assertClose(bn.running_mean!, [0.3, 3]);
    assertClose(bn.running_var!, [0.9 + 0.4, 0.9 + 70], { atol: 1e-4 });
    expect(bn.num_batches_tracked!.item()).toBe(1);
    bn.eval();
    const z = bn.call(tensor([[1.3, 3]], { dtype: 'float32' }));
    assertClose(z, [[1 / Math.sqrt(1.3 + 1e-5), 0]], { atol: 1e-5 });
    expect(bn.num_batches_tracked!.item()).toBe(1);
    expect(() => new BatchNorm1d(2).call(zeros([1, 2]))).toThrow(/more than 1 value per channel/);
  });

  it('momentum null is a cumulative average; affine weight/bias apply; trackRunningStats false uses batch stats', () => {
    const bn = new BatchNorm1d(1, { momentum: null });
    bn.call(tensor([[1], [3]], { dtype: 'float32' }));
    bn.call(tensor([[5], [7]], { dtype: 'float32' }));
    assertClose(bn.running_mean!, [4]);
    assertClose(bn.running_var!, [2]);
    const nt = new BatchNorm1d(1, { trackRunningStats: false, affine: false });
    expect(nt.stateDict()).toEqual({});
    nt.eval();
    assertClose(nt.call(tensor([[1], [3]], { dtype: 'float32' })), [[-1], [1]], { atol: 1e-4 });
  });

  it('BatchNorm2d normalises per channel over N, H, W; gradchecks in training mode', () => {
    manualSeed(10);
    const bn = new BatchNorm2d(3);
    const y = bn.call(randn(4, 3, 2, 5).mul(3).add(2));
    assertClose(y.mean([0, 2, 3]), [0, 0, 0], { atol: 1e-5 });
    assertClose(y.var([0, 2, 3], { correction: 0 }), [1, 1, 1], { atol: 1e-3 });
    expect(Object.keys(bn.stateDict())).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    const g = new BatchNorm2d(2);
    expect(gradcheckModule(g, [leaf(2, 2, 2, 2)])).toBe(true);
    g.eval();
    expect(gradcheckModule(g, [leaf(2, 2, 2, 2)])).toBe(true);
  });

  it('LayerNorm (hand-derived) and GroupNorm (vs LayerNorm) with gradchecks', () => {
    const ln = new LayerNorm(3);
    const v = 2 / 3;
    assertClose(ln.call(tensor([[1, 2, 3]], { dtype: 'float32' })), [[-1 / Math.sqrt(v + 1e-5), 0, 1 / Math.sqrt(v + 1e-5)]], { atol: 1e-5 });
    manualSeed(11);
    const x = randn(2, 4, 3);
    assertClose(new GroupNorm(1, 4, { affine: false }).call(x), F.layerNorm(x, [4, 3]), { atol: 1e-5 });
    assertClose(new GroupNorm(4, 4, { affine: false }).call(x), F.layerNorm(x, 3), { atol: 1e-5 });
    expect(() => new GroupNorm(3, 4)).toThrow(/divisible by numGroups/);
    expect(gradcheckModule(new LayerNorm([2, 3]), [leaf(2, 2, 3)])).toBe(true);
    expect(gradcheckModule(new GroupNorm(2, 4), [leaf(2, 4, 3)])).toBe(true);
  });
});

describe('Embedding', () => {
  it('looks up rows; paddingIdx row starts at zero and gets no gradient', () => {
    manualSeed(12);
    const e = new Embedding(5, 3, { paddingIdx: 1 });
    assertClose(e.weight.select(0, 1), [0, 0, 0]);
    const idx = tensor([[0, 1], [4, 1]]);
    const out = e.call(idx);
    expect(out.shape).toEqual([2, 2, 3]);
    assertClose(out.select(0, 1).select(0, 0), e.weight.select(0, 4));
    out.sum().backward();
    assertClose(e.weight.grad!, [[1, 1, 1], [0, 0, 0], [0, 0, 0], [0, 0, 0], [1, 1, 1]]);
    expect(() => e.call(tensor([5]))).toThrow(/index 5 is out of range for 5 embeddings/);
    expect(() => e.call(tensor([1.5]))).toThrow(/indices must be int32/);
    const pre = Embedding.fromPretrained(tensor([[1, 2], [3, 4]], { dtype: 'float32' }));
    expect(pre.weight.requiresGrad).toBe(false);
    assertClose(pre.call(tensor([1])), [[3, 4]]);
  });

  it('gradchecks the weight (repeated indices accumulate)', () => {
    manualSeed(14);
    const e = new Embedding(4, 2); // (paddingIdx deliberately has zero gradient, so gradcheck runs without it)
    expect(gradcheckModule(e, [], () => e.call(tensor([[0, 2, 0], [3, 1, 2]])).mul(e.call(tensor([[1, 1, 1], [0, 0, 3]])).tanh()))).toBe(true);
  });

  it('initialises N(0, 1)', () => {
    manualSeed(13);
    const w = Array.from(toTypedArray(new Embedding(1000, 50).weight));
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    const v = w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(v - 1)).toBeLessThan(0.02);
  });
});
