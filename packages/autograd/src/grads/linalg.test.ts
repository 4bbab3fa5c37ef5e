import { describe, expect, it } from 'vitest';
import { bmm, dot, getBackend, matmul, mm, outer, tensor } from '@tsgrad/tensor';
import { gradcheck, gradgradcheck } from '../index.js';
import { rand, randT } from '../test-utils/random.js';

describe(`matmul gradients (${getBackend().name} backend)`, () => {
  const cases: [string, number[], number[]][] = [
    ['matrix x matrix', [3, 4], [4, 2]],
    ['vector x vector (dot)', [4], [4]],
    ['vector x matrix', [3], [3, 2]],
    ['matrix x vector', [2, 3], [3]],
    ['vector x batched matrix', [3], [2, 3, 2]],
    ['batched matrix x vector', [2, 2, 3], [3]],
    ['batched x batched', [2, 3, 4], [2, 4, 2]],
    ['broadcast batch (a batched, b a matrix)', [2, 3, 4], [4, 2]],
    ['broadcast batch dims of size 1 on both sides', [2, 1, 2, 3], [3, 3, 2]],
  ];
  for (const [name, sa, sb] of cases) {
    it(`${name}: ${JSON.stringify(sa)} @ ${JSON.stringify(sb)}`, () => {
      expect(gradcheck(matmul, [rand(sa), rand(sb)])).toBe(true);
    });
  }

  it('non-contiguous (transposed) operands', () => {
    expect(gradcheck(matmul, [randT([3, 4]), randT([4, 2])])).toBe(true);
    expect(gradcheck((a, b) => matmul(a, b.mT), [rand([2, 3, 4]), rand([2, 5, 4])])).toBe(true);
  });

  it('mm, bmm, dot, outer', () => {
    expect(gradcheck(mm, [rand([2, 3]), rand([3, 2])])).toBe(true);
    expect(gradcheck(bmm, [rand([2, 2, 3]), rand([2, 3, 2])])).toBe(true);
    expect(gradcheck(dot, [rand([5]), rand([5])])).toBe(true);
    expect(gradcheck(outer, [rand([3]), rand([2])])).toBe(true);
  });

  it('only the operand that requires grad gets one', () => {
    const a = rand([2, 3]);
    const b = rand([3, 2], -1, 1, false);
    matmul(a, b).sum().backward();
    expect(b.grad).toBeNull();
    expect(gradcheck((x) => matmul(x, b), [a])).toBe(true);
  });

  it('hand-derived: d sum(A B) / dA = 1 Bᵀ', () => {
    const a = tensor([[1, 2], [3, 4]], { dtype: 'float64', requiresGrad: true });
    const b = tensor([[5, 6], [7, 8]], { dtype: 'float64', requiresGrad: true });
    const y = a.matmul(b);
    expect(y.gradFn!.name).toBe('MatmulBackward');
    y.sum().backward();
    expect(a.grad!.toArray()).toEqual([[11, 15], [11, 15]]);
    expect(b.grad!.toArray()).toEqual([[4, 4], [6, 6]]);
  });

  it('double backward of matmul', () => {
    expect(gradgradcheck((a, b) => matmul(a, b).tanh(), [rand([2, 3]), rand([3, 2])])).toBe(true);
    expect(gradgradcheck(matmul, [rand([3]), rand([2, 3, 2])])).toBe(true);
  });
});
