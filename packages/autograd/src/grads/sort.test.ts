import { describe, expect, it } from 'vitest';
import { getBackend, sort, tensor, topk } from '@tsgrad/tensor';
import { gradcheck, gradgradcheck } from '../index.js';
import { rand, randT } from '../test-utils/random.js';

// sort/topk take their values with a recorded gather, so the gather formula routes their gradients.
describe(`sort gradients (${getBackend().name} backend)`, () => {
  it('sort values, both directions, along each dim', () => {
    expect(gradcheck((x) => sort(x, 1).values, [rand([3, 4])])).toBe(true);
    expect(gradcheck((x) => sort(x, 0, true).values, [randT([3, 2])])).toBe(true);
    const x = tensor([3, 1, 2], { dtype: 'float64', requiresGrad: true });
    sort(x).values.mul(tensor([1, 10, 100], { dtype: 'float64' })).sum().backward();
    expect(x.grad!.toArray()).toEqual([100, 1, 10]);
  });

  it('topk values', () => {
    expect(gradcheck((x) => topk(x, 2, 1).values, [rand([2, 5])])).toBe(true);
    expect(gradcheck((x) => topk(x, 1, { dim: 0, largest: false }).values, [rand([4, 3])])).toBe(true);
    expect(gradgradcheck((x) => topk(x.square(), 2).values, [rand([5])])).toBe(true);
  });
});
