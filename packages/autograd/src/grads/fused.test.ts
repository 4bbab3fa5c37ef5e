import { describe, expect, it } from 'vitest';
import { Tensor, addmm, fusedLinear, getBackend, logSoftmaxNll, matmul, relu, reluBackward, tensor } from '@tsgrad/tensor';
import { gradcheck, gradgradcheck } from '../index.js';
import { rand, randT } from '../test-utils/random.js';

describe(`fused op gradients (${getBackend().name} backend)`, () => {
  it('addmm: bias [N], full [M, N] and broadcast [1, N] inputs; transposed operands', () => {
    expect(gradcheck(addmm, [rand([4]), rand([3, 5]), rand([5, 4])])).toBe(true);
    expect(gradcheck(addmm, [rand([3, 4]), rand([3, 5]), rand([5, 4])])).toBe(true);
    expect(gradcheck(addmm, [rand([1, 4]), rand([3, 5]), rand([5, 4])])).toBe(true);
    expect(gradcheck(addmm, [rand([1]), rand([1, 5]), rand([5, 4])])).toBe(true);
    expect(gradcheck((b, x, w) => addmm(b, x, w.t()), [rand([4]), randT([3, 5]), rand([4, 5])])).toBe(true);
    expect(gradgradcheck((b, x, w) => addmm(b, x, w.t()), [rand([4]), rand([3, 5]), rand([4, 5])])).toBe(true);
  });

  it('fusedLinear: with and without bias, transposed input, double backward', () => {
    expect(gradcheck(fusedLinear, [rand([3, 5]), rand([4, 5]), rand([4])])).toBe(true);
    expect(gradcheck((x, w) => fusedLinear(x, w), [rand([3, 5]), rand([4, 5])])).toBe(true);
    expect(gradcheck(fusedLinear, [randT([3, 5]), randT([4, 5]), rand([4])])).toBe(true);
    expect(gradcheck(fusedLinear, [rand([1, 5]), rand([4, 5]), rand([4])])).toBe(true);
    expect(gradgradcheck(fusedLinear, [rand([3, 5]), rand([4, 5]), rand([4])])).toBe(true);
    const x = rand([3, 5], -1, 1, false);
    const w = rand([4, 5]);
    const b = rand([4]);
    expect(Array.from(fusedLinear(x, w, b).buffer)).toEqual(Array.from(matmul(x, w.t()).add(b).buffer));
    fusedLinear(x, w, b).sum().backward();
    expect(w.grad!.isContiguous()).toBe(true);
  });

  it('addmm equals matmul + add, and the bias gradient is its own tensor', () => {
    const b = rand([4]);
    const x = rand([3, 5]);
    const w = rand([4, 5]);
    const y = addmm(b, x, w.t());
    const ref = matmul(x, w.t()).add(b);
    expect(Array.from(y.buffer)).toEqual(Array.from(ref.buffer));
    y.sum().backward();
    const gb = b.grad!;
    const gw = w.grad!;
    addmm(b, x, w.t()).sum().backward();
    // Accumulated in place into the adopted gradients: values doubled, the first results intact.
    expect(b.grad).toBe(gb);
    expect(Array.from(b.grad!.buffer)).toEqual([6, 6, 6, 6]);
    expect(w.grad).toBe(gw);
  });

  it('a gradient passed through to two leaves is not shared between them', () => {
    const a = rand([3, 5]);
    const c = rand([3, 5]);
    const w = rand([4, 5]);
    const b = rand([4]);
    addmm(b, a.add(c), w.t()).sum().backward();
    expect(a.grad).not.toBe(c.grad);
    a.grad!.add_(1);
    expect(Array.from(c.grad!.buffer)).not.toEqual(Array.from(a.grad!.buffer));
  });

  const targets = tensor([2, 0, 3, 1, 2], { dtype: 'int32' });
  for (const reduction of ['mean', 'sum', 'none'] as const) {
    it(`logSoftmaxNll (${reduction}), with an ignored sample; double backward`, () => {
      const t = tensor([2, -100, 3, 1, 2], { dtype: 'int32' });
      expect(gradcheck((x) => logSoftmaxNll(x, targets, { reduction }), [rand([5, 4], -3, 3)])).toBe(true);
      expect(gradcheck((x) => logSoftmaxNll(x, t, { reduction }), [rand([5, 4], -3, 3)])).toBe(true);
      expect(gradcheck((x) => logSoftmaxNll(x, t, { reduction }), [randT([5, 4], -3, 3)])).toBe(true);
      expect(gradgradcheck((x) => logSoftmaxNll(x, t, { reduction }), [rand([5, 4], -3, 3)])).toBe(true);
    });
  }

  it('logSoftmaxNll matches log_softmax + pick', () => {
    const x = rand([5, 4], -3, 3, false);
    const logp = x.logSoftmax(1);
    const per = logSoftmaxNll(x, targets, { reduction: 'none' });
    [2, 0, 3, 1, 2].forEach((k, r) => expect(per.buffer[r]).toBeCloseTo(-logp.buffer[r * 4 + k]!, 12));
    expect(() => logSoftmaxNll(x, tensor([0, 0, 0, 0, 4], { dtype: 'int32' }))).toThrow(RangeError);
  });

  it('relu backward (one-pass path) equals the masked gradient', () => {
    const x = Tensor.fromBuffer(Float64Array.of(-1, 0, 2, -0.5, 3, 0.25), [2, 3]).requiresGrad_();
    const g = Tensor.fromBuffer(Float64Array.of(1, 2, 3, 4, 5, 6), [2, 3]);
    relu(x).backward(g);
    expect(Array.from(x.grad!.buffer)).toEqual([0, 0, 3, 0, 5, 6]);
    expect(gradgradcheck(relu, [rand([3, 4])])).toBe(true);
  });
});

describe('reluBackward, the op recorded by relu\'s gradient', () => {
  it('is linear in grad with no gradient in y, so double backward through relu works', () => {
    const y = relu(rand([3, 4], -1, 1, false));
    expect(gradcheck((g) => reluBackward(g, y), [rand([3, 4])])).toBe(true);
    expect(gradgradcheck((x) => relu(x).mul(x), [rand([3, 4])])).toBe(true);
    expect(gradgradcheck((x) => relu(x).square(), [rand([40, 30])])).toBe(true);
  });

  it('a large relu (native path under the native backend) passes only where the output is positive', () => {
    const n = 4096;
    const xs = Float32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? -1 : i % 3 === 1 ? 2 : -0));
    const gs = Float32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? Infinity : i % 5 === 1 ? NaN : i));
    const x = Tensor.fromBuffer(xs, [64, 64]).requiresGrad_();
    relu(x).backward(Tensor.fromBuffer(gs, [64, 64]));
    const g = x.grad!.buffer;
    for (let i = 0; i < n; i++) {
      if (xs[i]! > 0) expect(Object.is(g[i], gs[i]) || (Number.isNaN(g[i]) && Number.isNaN(gs[i]))).toBe(true);
      else expect(g[i]).toBe(0);
    }
  });
});

describe('relu backward with non-finite gradients', () => {
  it('passes Inf/NaN only where the output is positive, and gives +0 elsewhere', () => {
    const x = Tensor.fromBuffer(Float32Array.of(-1, 2, -3, 4), [4]).requiresGrad_();
    relu(x).backward(Tensor.fromBuffer(Float32Array.of(Infinity, NaN, -2, -Infinity), [4]));
    const g = Array.from(x.grad!.buffer);
    expect(g[0]).toBe(0);
    expect(g[1]).toBeNaN();
    expect(Object.is(g[2], 0)).toBe(true);
    expect(g[3]).toBe(-Infinity);
  });
});
