import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { type Tensor, tensor, zeros, randn, manualSeed, assertClose, toTypedArray } from '@tsgrad/tensor';
import { gradcheck } from '@tsgrad/autograd';
import {
  F, ReLU, LeakyReLU, ELU, GELU, SiLU, Sigmoid, Tanh, Softmax, LogSoftmax,
  MSELoss, L1Loss, SmoothL1Loss, HuberLoss, CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss, KLDivLoss,
} from '../index.js';
import { leaf } from '../test-utils/check.js';

const f64 = (v: number[] | number[][]) => tensor(v as number[][], { dtype: 'float64' });
const erf = (x: number): number => {
  // Abramowitz-Stegun 7.1.26 is too coarse; integrate the series instead (|x| small here).
  let sum = 0, term = x;
  for (let n = 0; n < 60; n++) { sum += term / (2 * n + 1); term *= (-x * x) / (n + 1); }
  return (2 / Math.sqrt(Math.PI)) * sum;
};

describe('activations (hand-derived)', () => {
  const xs = [-3, -1, -0.5, 0, 0.5, 2];
  const x = f64(xs);
  it('match their definitions elementwise', () => {
    assertClose(new ReLU().call(x), xs.map((v) => Math.max(0, v)));
    assertClose(new LeakyReLU(0.1).call(x), xs.map((v) => (v > 0 ? v : 0.1 * v)));
    assertClose(new ELU(0.5).call(x), xs.map((v) => (v > 0 ? v : 0.5 * Math.expm1(v))));
    assertClose(new GELU().call(x), xs.map((v) => 0.5 * v * (1 + erf(v / Math.SQRT2))), { atol: 1e-12 });
    assertClose(new GELU('tanh').call(x), xs.map((v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))));
    assertClose(new SiLU().call(x), xs.map((v) => v / (1 + Math.exp(-v))));
    assertClose(new Sigmoid().call(x), xs.map((v) => 1 / (1 + Math.exp(-v))));
    assertClose(new Tanh().call(x), xs.map(Math.tanh));
    assertClose(F.softplus(x), xs.map((v) => Math.log1p(Math.exp(v))));
    assertClose(F.hardtanh(x), xs.map((v) => Math.min(1, Math.max(-1, v))));
    const z = xs.map(Math.exp).reduce((a, b) => a + b);
    assertClose(new Softmax(0).call(x), xs.map((v) => Math.exp(v) / z));
    assertClose(new LogSoftmax(-1).call(x), xs.map((v) => v - Math.log(z)));
  });

  it('stay finite with finite gradients at extreme inputs', () => {
    const big = f64([-1000, -50, 0, 50, 1000]).requiresGrad_(true);
    for (const fn of [(t: Tensor) => F.softplus(t), (t: Tensor) => F.elu(t), (t: Tensor) => F.logSigmoid(t), (t: Tensor) => F.silu(t)]) {
      big.grad = null;
      const y = fn(big);
      expect(toTypedArray(y).every(Number.isFinite)).toBe(true);
      y.sum().backward();
      expect(toTypedArray(big.grad!).every(Number.isFinite)).toBe(true);
    }
    // softplus' gradient is sigmoid, also at the branch point 0.
    big.grad = null;
    F.softplus(big).sum().backward();
    assertClose(big.grad!, [0, 1 / (1 + Math.exp(50)), 0.5, 1 / (1 + Math.exp(-50)), 1]);
  });

  it('gradcheck', () => {
    manualSeed(1);
    const t = leaf(3, 4);
    for (const fn of [
      (a: Tensor) => F.leakyRelu(a, 0.2), (a: Tensor) => F.elu(a, 1.3), (a: Tensor) => F.gelu(a), (a: Tensor) => F.gelu(a, 'tanh'),
      (a: Tensor) => F.silu(a), (a: Tensor) => F.softplus(a, 2, 1), (a: Tensor) => F.logSigmoid(a), (a: Tensor) => F.softmax(a, 1),
      (a: Tensor) => F.logSoftmax(a, 0), (a: Tensor) => F.normalize(a),
    ]) expect(gradcheck(fn, [t])).toBe(true);
  });
});

describe('losses (hand-derived)', () => {
  it('cross entropy of uniform logits is log(C); ignoreIndex and class weights', () => {
    assertClose(new CrossEntropyLoss().call(zeros([2, 4], { dtype: 'float64' }), tensor([1, 3])), Math.log(4));
    const logits = f64([[2, 0], [0, 1], [5, 5]]);
    const lse = (a: number, b: number) => Math.log(Math.exp(a) + Math.exp(b));
    const l0 = lse(2, 0) - 2, l1 = lse(0, 1) - 1;
    assertClose(F.crossEntropy(logits, tensor([0, 1, -100])), (l0 + l1) / 2);
    assertClose(F.crossEntropy(logits, tensor([0, 1, -100]), { reduction: 'none' }), [l0, l1, 0]);
    // Weighted mean divides by the sum of the counted samples' weights.
    const w = f64([3, 1]);
    assertClose(F.crossEntropy(logits, tensor([0, 1, 0]), { weight: w }), (3 * l0 + 1 * l1 + 3 * (lse(5, 5) - 5)) / 7);
    // All samples ignored: 0/0, as PyTorch.
    expect(Number.isNaN(F.crossEntropy(logits, tensor([-100, -100, -100])).item())).toBe(true);
    // A single unbatched sample.
    assertClose(F.crossEntropy(f64([2, 0]), tensor(0)), l0);
  });

  it('label smoothing mixes the target with the uniform distribution', () => {
    manualSeed(2);
    const logits = randn([4, 5], { dtype: 'float64' });
    const target = tensor([0, 4, 2, 2]);
    const eps = 0.25;
    const dense = F.oneHot(target, 5).double().mul(1 - eps).add(eps / 5);
    assertClose(F.crossEntropy(logits, target, { labelSmoothing: eps }), F.crossEntropy(logits, dense), { atol: 1e-12 });
  });

  it('NLL, regression and binary losses', () => {
    const logp = f64([[-0.1, -2.4], [-1.5, -0.3]]);
    assertClose(new NLLLoss().call(logp, tensor([1, 0])), (2.4 + 1.5) / 2);
    assertClose(new NLLLoss({ reduction: 'sum', ignoreIndex: 0 }).call(logp, tensor([1, 0])), 2.4);
    const a = f64([1, 2, 3]), b = f64([1.5, 0, 3]);
    assertClose(new MSELoss().call(a, b), (0.25 + 4) / 3);
    assertClose(new L1Loss({ reduction: 'sum' }).call(a, b), 2.5);
    assertClose(new SmoothL1Loss().call(a, b), (0.5 * 0.25 + 1.5) / 3);
    assertClose(new HuberLoss({ delta: 0.5 }).call(a, b), (0.5 * 0.25 + 0.5 * (2 - 0.25)) / 3);
    assertClose(new BCELoss().call(f64([0.8, 0.1]), f64([1, 0])), -(Math.log(0.8) + Math.log(0.9)) / 2);
    assertClose(new BCELoss().call(f64([0, 1]), f64([1, 0])), 100); // logs clamped at -100
    assertClose(new BCEWithLogitsLoss().call(f64([0]), f64([1])), Math.log(2));
    assertClose(new BCEWithLogitsLoss({ posWeight: f64([3]) }).call(f64([0]), f64([1])), 3 * Math.log(2));
    assertClose(new KLDivLoss({ reduction: 'sum' }).call(f64([Math.log(0.5), Math.log(0.5)]), f64([1, 0])), Math.log(2));
  });

  it('BCEWithLogits: gradient sigmoid(x) - y, also at x = 0, and equal to BCE(sigmoid) where both are stable', () => {
    const x = f64([0, 2, -3]).requiresGrad_(true);
    const y = f64([1, 0, 1]);
    F.binaryCrossEntropyWithLogits(x, y, { reduction: 'sum' }).backward();
    assertClose(x.grad!, [0.5 - 1, 1 / (1 + Math.exp(-2)), 1 / (1 + Math.exp(3)) - 1], { atol: 1e-12 });
    fc.assert(fc.property(fc.array(fc.double({ min: -8, max: 8, noNaN: true }), { minLength: 1, maxLength: 6 }), fc.boolean(), (vals, pos) => {
      const xs = f64(vals);
      const t = f64(vals.map((_, i) => ((i % 2 === 0) === pos ? 1 : 0)));
      assertClose(F.binaryCrossEntropyWithLogits(xs, t), F.binaryCrossEntropy(xs.sigmoid(), t), { atol: 1e-9, rtol: 1e-7 });
    }), { numRuns: 50 });
  });

  it('cross entropy is stable for huge logits', () => {
    const y = F.crossEntropy(f64([[1000, 0], [-1000, 1000]]), tensor([0, 0]), { reduction: 'none' });
    assertClose(y, [0, 2000]);
  });

  it('gradcheck every loss', () => {
    manualSeed(3);
    const logits = leaf(4, 3);
    const target = tensor([2, 0, -100, 1]);
    const w = f64([0.5, 2, 1]);
    expect(gradcheck((a) => F.crossEntropy(a, target), [logits])).toBe(true);
    expect(gradcheck((a) => F.crossEntropy(a, target, { weight: w, labelSmoothing: 0.2, reduction: 'none' }), [logits])).toBe(true);
    expect(gradcheck((a) => F.crossEntropy(a, tensor([2, 0, 1, 1]), { weight: w, labelSmoothing: 0.1 }), [logits])).toBe(true);
    expect(gradcheck((a, p) => F.crossEntropy(a, p.softmax(1)), [logits, leaf(4, 3)])).toBe(true);
    expect(gradcheck((a) => F.crossEntropy(a, tensor([[0, 2], [1, 1]])), [leaf(2, 3, 2)])).toBe(true);
    const pred = leaf(3, 2);
    const tgt = leaf(3, 2);
    expect(gradcheck((a, b) => F.mseLoss(a, b), [pred, tgt])).toBe(true);
    expect(gradcheck((a, b) => F.l1Loss(a, b), [pred, tgt])).toBe(true);
    expect(gradcheck((a, b) => F.smoothL1Loss(a, b, { beta: 0.7 }), [pred, tgt])).toBe(true);
    expect(gradcheck((a, b) => F.huberLoss(a, b, { delta: 0.6, reduction: 'sum' }), [pred, tgt])).toBe(true);
    const bin = f64([[1, 0], [0, 1], [1, 1]]);
    expect(gradcheck((a) => F.binaryCrossEntropy(a.sigmoid(), bin, { weight: f64([1, 2]) }), [pred])).toBe(true);
    expect(gradcheck((a, pw) => F.binaryCrossEntropyWithLogits(a, bin, { posWeight: pw }), [pred, f64([1.5, 0.5]).requiresGrad_(true)])).toBe(true);
    expect(gradcheck((a, b) => F.klDiv(a.logSoftmax(1), b.softmax(1), { reduction: 'batchmean' }), [pred, tgt])).toBe(true);
    expect(gradcheck((a, b) => F.klDiv(a.logSoftmax(1), b.logSoftmax(1), { logTarget: true }), [pred, tgt])).toBe(true);
  });

  it('gives clear errors', () => {
    const logits = zeros([2, 3]);
    expect(() => F.crossEntropy(logits, tensor([0, 3]))).toThrow(/target 3 is out of bounds for 3 classes/);
    expect(() => F.crossEntropy(logits, tensor([0, 1, 2]))).toThrow(/expected target of shape \[2\] for input of shape \[2, 3\], got \[3\]/);
    expect(() => F.crossEntropy(logits, zeros([2]))).toThrow(/probability targets must have the input's shape/);
    expect(() => F.crossEntropy(logits, tensor([0, 1]), { weight: zeros([2]) })).toThrow(/weight must have shape \[3\]/);
    expect(() => F.mseLoss(zeros([2, 1]), zeros([2]))).toThrow(/target shape \[2\] must match input shape \[2, 1\]/);
    expect(() => F.binaryCrossEntropy(tensor([1.5]), tensor([1]))).toThrow(/between 0 and 1/);
    expect(() => new MSELoss({ reduction: 'avg' as never })).toThrow(/reduction must be 'mean', 'sum' or 'none'/);
  });
});

describe('activation modules gradcheck in float64', () => {
  it('each module', () => {
    manualSeed(20);
    const x = leaf(2, 5);
    for (const m of [new ReLU(), new LeakyReLU(0.3), new ELU(), new GELU(), new GELU('tanh'), new SiLU(), new Sigmoid(), new Tanh(), new Softmax(1), new LogSoftmax(0)]) {
      expect(gradcheck((a) => m.call(a), [x]), m.toString()).toBe(true);
    }
  });
});

describe('property tests against naive JS references', () => {
  it('crossEntropy(reduction none) = logsumexp - picked logit, with class weights', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 5 }), fc.integer({ min: 0, max: 1000 }),
      (N, C, seed) => {
        manualSeed(seed);
        const logits = randn([N, C], { dtype: 'float64' }).mul(4);
        const rows = logits.toArray() as number[][];
        const labels = rows.map((_, i) => (seed + i) % C);
        const w = Array.from({ length: C }, (_, c) => 0.5 + c);
        const got = F.crossEntropy(logits, tensor(labels), { reduction: 'none', weight: f64(w) });
        const want = rows.map((r, i) => {
          const m = Math.max(...r);
          const lse = m + Math.log(r.reduce((s, v) => s + Math.exp(v - m), 0));
          return w[labels[i]!]! * (lse - r[labels[i]!]!);
        });
        assertClose(got, want, { atol: 1e-12, rtol: 1e-10 });
      },
    ), { numRuns: 40 });
  });

  it('layerNorm over the last dim = (x - mean) / sqrt(var + eps)', () => {
    fc.assert(fc.property(fc.array(fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 4 }), (rows) => {
      const got = F.layerNorm(f64(rows), 3);
      const want = rows.map((r) => {
        const m = r.reduce((a, b) => a + b, 0) / r.length;
        const v = r.reduce((a, b) => a + (b - m) ** 2, 0) / r.length;
        return r.map((x) => (x - m) / Math.sqrt(v + 1e-5));
      });
      assertClose(got, want, { atol: 1e-9, rtol: 1e-9 });
    }), { numRuns: 60 });
  });
});
