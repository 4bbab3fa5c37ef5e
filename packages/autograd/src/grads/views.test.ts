import { describe, expect, it } from 'vitest';
import { getBackend, tensor } from '@tsgrad/tensor';
import { gradcheck, gradgradcheck } from '../index.js';
import { rand, randT } from '../test-utils/random.js';

describe(`view gradients (${getBackend().name} backend)`, () => {
  it('reshape / view / flatten / squeeze / unsqueeze', () => {
    expect(gradcheck((x) => x.reshape(4, 3).mul(x.reshape(4, 3)), [rand([2, 6])])).toBe(true);
    expect(gradcheck((x) => x.reshape(-1), [randT([3, 4])])).toBe(true); // needs a copy: not viewable
    expect(gradcheck((x) => x.flatten().unsqueeze(0).squeeze(), [rand([2, 1, 3])])).toBe(true);
    expect(gradcheck((x) => x.view(3, 2).unflatten(0, [3, 1]), [rand([6])])).toBe(true);
  });

  it('transpose / permute / T / mT', () => {
    const v = rand([4, 3, 2], -1, 1, false);
    expect(gradcheck((x) => x.transpose(0, 2).mul(v), [rand([2, 3, 4])])).toBe(true);
    const w = rand([3, 4, 2], -1, 1, false);
    expect(gradcheck((x) => x.permute(1, 2, 0).mul(w), [rand([2, 3, 4])])).toBe(true);
    expect(gradcheck((x) => x.T.exp(), [randT([3, 2])])).toBe(true);
    expect(gradcheck((x) => x.mT.sin(), [rand([2, 3, 2])])).toBe(true);
  });

  it('expand / expandAs / broadcastTo sum the gradient back', () => {
    const w = rand([4, 2, 3], -1, 1, false);
    expect(gradcheck((x) => x.expand(4, 2, 3).mul(w), [rand([2, 1])])).toBe(true);
    const x = tensor([[1], [2]], { dtype: 'float64', requiresGrad: true });
    x.expand(2, 5).sum().backward();
    expect(x.grad!.toArray()).toEqual([[5], [5]]);
  });

  it('slice / narrow with steps, and double backward through them', () => {
    const w = rand([2, 2], -1, 1, false);
    expect(gradcheck((x) => x.slice(1, 1, 5, 2).mul(w), [rand([2, 6])])).toBe(true);
    expect(gradcheck((x) => x.narrow(0, 1, 2).square(), [randT([4, 3])])).toBe(true);
    expect(gradcheck((x) => x.slice(0, -2).exp(), [rand([5])])).toBe(true);
    expect(gradgradcheck((x) => x.slice(1, 0, 6, 3).square(), [rand([2, 6])])).toBe(true);
    const x = tensor([1, 2, 3, 4, 5], { dtype: 'float64', requiresGrad: true });
    x.slice(0, 1, 5, 2).sum().backward();
    expect(x.grad!.toArray()).toEqual([0, 1, 0, 1, 0]);
  });

  it('an empty slice has a zero gradient', () => {
    const x = rand([3]);
    x.slice(0, 2, 2).sum().add(x.sum()).backward();
    expect(x.grad!.toArray()).toEqual([1, 1, 1]);
  });

  it('select and diagonal (all offsets), with double backward', () => {
    expect(gradcheck((x) => x.select(1, -1).exp(), [rand([3, 4])])).toBe(true);
    expect(gradgradcheck((x) => x.select(0, 1).square(), [rand([3, 2])])).toBe(true);
    for (const offset of [-2, -1, 0, 1, 3]) {
      expect(gradcheck((x) => x.diagonal(offset).square(), [rand([4, 5])])).toBe(true);
    }
    expect(gradcheck((x) => x.diagonal(0, 0, 2).exp(), [randT([3, 2, 3])])).toBe(true);
    expect(gradgradcheck((x) => x.diagonal(1).square(), [rand([3, 3])])).toBe(true);
    const x = rand([3, 3]);
    x.diagonal().sum().backward();
    expect(x.grad!.toArray()).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  });

  it('clone and contiguous pass the gradient through', () => {
    expect(gradcheck((x) => x.clone().mul(x), [rand([3])])).toBe(true);
    expect(gradcheck((x) => x.contiguous().exp(), [randT([2, 3])])).toBe(true);
  });

  it('cast: the gradient is cast back to the input dtype', () => {
    const x = tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const y = x.double();
    expect(y.gradFn!.name).toBe('CastBackward');
    y.mul(y).sum().backward();
    expect(x.grad!.dtype).toBe('float32');
    expect(x.grad!.toArray()).toEqual([2, 4]);
    expect(gradcheck((t) => t.float().double().square(), [rand([3])], { atol: 1e-3, rtol: 1e-2, eps: 1e-3 })).toBe(true);
  });
});
