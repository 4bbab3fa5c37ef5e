import { describe, expect, it } from 'vitest';
import {
  amax, amin, cumsum, getBackend, logSoftmax, logsumexp, max, mean, min, norm, prod, softmax, std, sum, tensor, variance,
} from '@tsgrad/tensor';
import { gradcheck, gradgradcheck } from '../index.js';
import { rand, randAway, randT } from '../test-utils/random.js';

describe(`reduction gradients (${getBackend().name} backend)`, () => {
  it('sum over all, one, several dims, with and without keepdim', () => {
    expect(gradcheck((x) => sum(x), [randT([3, 4])])).toBe(true);
    expect(gradcheck((x) => sum(x, 1), [rand([2, 3, 4])])).toBe(true);
    expect(gradcheck((x) => sum(x, [0, 2], true), [rand([2, 3, 4])])).toBe(true);
    expect(gradcheck((x) => sum(x, -1).square(), [randT([2, 3])])).toBe(true);
    expect(gradgradcheck((x) => sum(x.square(), 0), [rand([3, 2])])).toBe(true);
  });

  it('prod, including slices with one and with two zeros', () => {
    expect(gradcheck((x) => prod(x), [randAway([2, 3])])).toBe(true);
    expect(gradcheck((x) => prod(x, 1), [randAway([3, 4])])).toBe(true);
    expect(gradcheck((x) => prod(x, 0, true), [randT([3, 2])])).toBe(true);
    const x = tensor([[2, 0, 3], [0, 0, 5], [1, 2, 4]], { dtype: 'float64', requiresGrad: true });
    prod(x, 1).sum().backward();
    expect(x.grad!.toArray()).toEqual([[0, 6, 0], [0, 0, 0], [8, 4, 2]]);
    expect(gradcheck((t) => prod(t, 1), [tensor([[2, 0, 3], [1, 2, 4]], { dtype: 'float64', requiresGrad: true })])).toBe(true);
    expect(gradgradcheck((t) => prod(t, 1), [randAway([2, 3])])).toBe(true);
  });

  it('mean, var, std, logsumexp, norm (composites of recorded ops)', () => {
    expect(gradcheck((x) => mean(x, 0), [randT([3, 4])])).toBe(true);
    expect(gradcheck((x) => variance(x, 1), [rand([2, 5])])).toBe(true);
    expect(gradcheck((x) => std(x, undefined, { correction: 0 }), [rand([6])])).toBe(true);
    expect(gradcheck((x) => logsumexp(x, 1), [rand([3, 4], -3, 3)])).toBe(true);
    expect(gradcheck((x) => norm(x), [rand([3, 3])])).toBe(true);
    expect(gradcheck((x) => norm(x, 3, 1), [randAway([2, 3])])).toBe(true);
    expect(gradcheck((x) => norm(x, 1, 0), [randAway([2, 3])])).toBe(true);
  });

  it('amax / amin share the gradient evenly among ties', () => {
    const x = tensor([[1, 3, 3], [2, 0, -1]], { dtype: 'float64', requiresGrad: true });
    amax(x, 1).sum().backward();
    expect(x.grad!.toArray()).toEqual([[0, 0.5, 0.5], [1, 0, 0]]);
    const y = tensor([4, 1, 1, 1], { dtype: 'float64', requiresGrad: true });
    amin(y).backward();
    expect(y.grad!.toArray()).toEqual([0, 1 / 3, 1 / 3, 1 / 3]);
    expect(gradcheck((t) => amax(t, [0, 2], true), [rand([2, 3, 2])])).toBe(true);
    expect(gradcheck((t) => amin(t), [randT([3, 3])])).toBe(true);
    expect(gradcheck((t) => t.max(), [rand([4])])).toBe(true);
  });

  it('max / min along a dim route the gradient to the returned index', () => {
    const x = tensor([[1, 5, 5], [7, 0, 2]], { dtype: 'float64', requiresGrad: true });
    const { values, indices } = max(x, 1);
    expect(values.gradFn!.name).toBe('MaxDimBackward');
    expect(indices.requiresGrad).toBe(false);
    values.mul(tensor([10, 100], { dtype: 'float64' })).sum().backward();
    // The first maximal element gets the whole gradient (the one argReduce returned).
    expect(x.grad!.toArray()).toEqual([[0, 10, 0], [100, 0, 0]]);
    expect(gradcheck((t) => max(t, 0).values, [rand([3, 4])])).toBe(true);
    expect(gradcheck((t) => min(t, -1, true).values, [randT([3, 4])])).toBe(true);
    expect(gradgradcheck((t) => max(t.square(), 1).values, [rand([2, 3])])).toBe(true);
  });

  it('cumsum along each dim', () => {
    expect(gradcheck((x) => cumsum(x, 0), [rand([4, 3])])).toBe(true);
    expect(gradcheck((x) => cumsum(x, -1).square(), [randT([3, 4])])).toBe(true);
    const x = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    cumsum(x, 0).backward(tensor([1, 10, 100], { dtype: 'float64' }));
    expect(x.grad!.toArray()).toEqual([111, 110, 100]);
  });

  it('softmax / logSoftmax, first and second order', () => {
    const w = rand([3, 4], -1, 1, false);
    expect(gradcheck((x) => softmax(x, 1), [rand([3, 4], -2, 2)])).toBe(true);
    expect(gradcheck((x) => softmax(x, 0).mul(w), [randT([3, 4], -2, 2)])).toBe(true);
    expect(gradcheck((x) => logSoftmax(x, -1), [rand([2, 5], -2, 2)])).toBe(true);
    expect(gradcheck((x) => logSoftmax(x, 0), [randT([3, 4], -2, 2)])).toBe(true);
    expect(gradgradcheck((x) => softmax(x, 1), [rand([2, 3], -2, 2)])).toBe(true);
    expect(gradgradcheck((x) => logSoftmax(x, 1), [rand([2, 3], -2, 2)])).toBe(true);
  });
});
