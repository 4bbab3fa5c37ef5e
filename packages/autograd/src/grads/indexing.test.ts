import { describe, expect, it } from 'vitest';
import { gather, getBackend, indexAdd, indexSelect, maskedFill, scatter, scatterAdd, tensor } from '@tsgrad/tensor';
import { gradcheck, gradgradcheck } from '../index.js';
import { rand, randT } from '../test-utils/random.js';

const i32 = (v: number[] | number[][]) => tensor(v, { dtype: 'int32' });

describe(`indexing gradients (${getBackend().name} backend)`, () => {
  it('gather, with repeated and negative indices', () => {
    const index = i32([[0, 2, 2], [1, -1, 0]]);
    expect(gradcheck((x) => gather(x, 1, index), [rand([2, 4])])).toBe(true);
    expect(gradcheck((x) => gather(x, 0, i32([[1, 0], [1, 1]])), [randT([2, 3])])).toBe(true);
    const x = tensor([[1, 2, 3]], { dtype: 'float64', requiresGrad: true });
    gather(x, 1, i32([[2, 2, 0]])).sum().backward();
    expect(x.grad!.toArray()).toEqual([[1, 0, 2]]);
    expect(gradgradcheck((t) => gather(t.square(), 1, index), [rand([2, 4])])).toBe(true);
  });

  it('scatter: overwritten positions of self get no gradient; src gets the gradient where it landed', () => {
    const index = i32([[0, 3], [2, 1]]);
    expect(gradcheck((s, src) => scatter(s, 1, index, src), [rand([2, 4]), rand([2, 2])])).toBe(true);
    expect(gradcheck((s) => scatter(s, 1, index, 5), [rand([2, 4])])).toBe(true);
    expect(gradcheck((s, src) => scatter(s, 1, index, src), [randT([2, 4]), randT([2, 2])])).toBe(true);
    const self = rand([2, 4]);
    scatter(self, 1, index, 0).sum().backward();
    expect(self.grad!.toArray()).toEqual([[0, 1, 1, 0], [1, 0, 0, 1]]);
  });

  it('scatterAdd, with duplicate indices', () => {
    const index = i32([[0, 0, 3], [2, 1, 2]]);
    expect(gradcheck((s, src) => scatterAdd(s, 1, index, src), [rand([2, 4]), rand([2, 3])])).toBe(true);
    expect(gradcheck((s, src) => scatterAdd(s, 1, index, src), [randT([2, 4]), randT([2, 3])])).toBe(true);
    expect(gradgradcheck((s, src) => scatterAdd(s.square(), 1, index, src.square()), [rand([2, 4]), rand([2, 3])])).toBe(true);
  });

  it('indexSelect and indexAdd (with alpha)', () => {
    const index = i32([2, 0, 2]);
    expect(gradcheck((x) => indexSelect(x, 0, index), [rand([3, 2])])).toBe(true);
    expect(gradcheck((x) => indexSelect(x, 1, index), [randT([2, 3])])).toBe(true);
    expect(gradcheck((s, src) => indexAdd(s, 1, index, src, 0.5), [rand([2, 3]), rand([2, 3])])).toBe(true);
    expect(gradgradcheck((x) => indexSelect(x.exp(), 0, index), [rand([3, 2])])).toBe(true);
    const x = rand([3]);
    indexSelect(x, 0, index).sum().backward();
    expect(x.grad!.toArray()).toEqual([1, 0, 2]);
  });

  it('maskedFill (mask broadcast)', () => {
    const mask = tensor([true, false, true]);
    expect(gradcheck((x) => maskedFill(x, mask, -1), [rand([2, 3])])).toBe(true);
    expect(gradcheck((x) => maskedFill(x, mask, -1), [randT([2, 3])])).toBe(true);
    const x = rand([2, 3]);
    maskedFill(x, mask, 0).sum().backward();
    expect(x.grad!.toArray()).toEqual([[0, 1, 0], [0, 1, 0]]);
  });
});
