import { describe, expect, it } from 'vitest';
import { cat, chunk, flip, getBackend, repeat, split, stack, tensor, tile, unbind } from '@tsgrad/tensor';
import { gradcheck, gradgradcheck } from '../index.js';
import { rand, randT } from '../test-utils/random.js';

describe(`join gradients (${getBackend().name} backend)`, () => {
  it('cat along each dim, with non-contiguous parts', () => {
    expect(gradcheck((a, b, c) => cat([a, b, c], 0), [rand([1, 3]), randT([2, 3]), rand([3, 3])])).toBe(true);
    expect(gradcheck((a, b) => cat([a, b], 1).square(), [rand([2, 2]), rand([2, 1])])).toBe(true);
    expect(gradgradcheck((a, b) => cat([a.square(), b], -1), [rand([2, 2]), rand([2, 3])])).toBe(true);
  });

  it('cat: only inputs that require grad get gradients; mixed dtypes are cast back', () => {
    const a = tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const b = tensor([3], { dtype: 'float64' });
    const c = tensor([4, 5], { dtype: 'float64', requiresGrad: true });
    cat([a, b, c]).mul(tensor([1, 2, 3, 4, 5], { dtype: 'float64' })).sum().backward();
    expect(a.grad!.dtype).toBe('float32');
    expect(a.grad!.toArray()).toEqual([1, 2]);
    expect(b.grad).toBeNull();
    expect(c.grad!.toArray()).toEqual([4, 5]);
  });

  it('stack, split, chunk, unbind, flip, repeat, tile (composites of recorded ops)', () => {
    expect(gradcheck((a, b) => stack([a, b], 1), [rand([2, 3]), rand([2, 3])])).toBe(true);
    expect(gradcheck((x) => { const [p, q] = split(x, [1, 2], 1); return p!.mul(q!.sum(1, true)); }, [rand([2, 3])])).toBe(true);
    expect(gradcheck((x) => chunk(x, 2, 0)[1]!.exp(), [rand([4, 2])])).toBe(true);
    expect(gradcheck((x) => unbind(x, 1)[2]!, [randT([2, 3])])).toBe(true);
    const weights = rand([2, 3], -1, 1, false);
    expect(gradcheck((x) => flip(x, [0, 1]).mul(weights), [rand([2, 3])])).toBe(true);
    expect(gradcheck((x) => repeat(x, [2, 1, 3]), [rand([2, 2])])).toBe(true);
    expect(gradcheck((x) => tile(x, [2]), [rand([3])])).toBe(true);
  });
});
