import { describe, expect, it } from 'vitest';
import { avgPool2d, conv2d, getBackend, maxPool2d, setBackend, tensor, useBackend } from '@tsgrad/tensor';
import { grad, gradcheck, gradgradcheck } from '../index.js';
import { rand, randT } from '../test-utils/random.js';

describe(`nn gradients (${getBackend().name} backend)`, () => {
  it('conv2d: input, weight and bias', () => {
    expect(gradcheck((x, w, b) => conv2d(x, w, b), [rand([1, 2, 4, 4]), rand([3, 2, 2, 2]), rand([3])])).toBe(true);
  });

  it('conv2d hands its gradients to the leaves whole: adopted as .grad, not copied', () => {
    const x = rand([2, 2, 4, 4]);
    const w = rand([3, 2, 3, 3]);
    const b = rand([3]);
    const y = conv2d(x, w, b, { padding: 1 });
    const g = y.detach().mul(0).add(1); // a contiguous upstream gradient: nothing else to copy
    // Count the copy kernel's calls during the backward (a partial backend that counts and declines).
    const name = getBackend().name as 'js' | 'native';
    let copies = 0;
    useBackend({ name: 'counting', copy: () => { copies++; return false; } } as never);
    try {
      y.backward(g);
    } finally {
      setBackend(name);
    }
    expect(copies).toBe(0);
    for (const t of [x, w, b]) expect(t.grad!.buffer.length).toBe(t.numel());
    const first = [x, w, b].map((t) => Array.from(t.grad!.buffer));
    const held = [x.grad, w.grad, b.grad];
    conv2d(x, w, b, { padding: 1 }).backward(g);
    [x, w, b].forEach((t, i) => {
      expect(t.grad).toBe(held[i]); // accumulated in place
      expect(Array.from(t.grad!.buffer)).toEqual(first[i]!.map((v) => v + v));
    });
  });

  it('non-contiguous (transposed) inputs and weights', () => {
    expect(gradcheck((x, w) => conv2d(x, w, null, { padding: 1 }), [randT([1, 2, 3, 4]), randT([2, 2, 2, 3])])).toBe(true);
    expect(gradcheck((x) => maxPool2d(x, 2), [randT([1, 1, 4, 4])])).toBe(true);
    expect(gradcheck((x) => avgPool2d(x, 2, { stride: 1 }), [randT([1, 2, 3, 3])])).toBe(true);
  });

  it('conv2d with stride, padding, dilation and groups', () => {
    expect(gradcheck((x, w) => conv2d(x, w, null, { stride: 2, padding: 1 }), [rand([2, 1, 4, 3]), rand([2, 1, 3, 2])])).toBe(true);
    expect(gradcheck((x, w) => conv2d(x, w, null, { dilation: 2, groups: 2 }), [rand([1, 4, 5, 5]), rand([2, 2, 2, 2])])).toBe(true);
  });

  it("conv2d with padding 'same' and an even kernel, and an unbatched input", () => {
    expect(gradcheck((x, w) => conv2d(x, w, null, { padding: 'same' }), [rand([1, 1, 3, 3]), rand([1, 1, 2, 2])])).toBe(true);
    expect(gradcheck((x, w) => conv2d(x, w), [rand([2, 3, 3]), rand([1, 2, 2, 2])])).toBe(true);
  });

  it('conv2d hand-derived: the weight gradient of a 1x1 output is the input window', () => {
    const x = tensor([[[[1, 2], [3, 4]]]], { dtype: 'float64' });
    const w = tensor([[[[0.5, -1], [2, 0]]]], { dtype: 'float64', requiresGrad: true });
    conv2d(x, w).sum().backward();
    expect(w.grad!.toArray()).toEqual([[[[1, 2], [3, 4]]]]);
  });

  it('conv2d double backward (gradient penalty through a convolution)', () => {
    expect(gradgradcheck((x, w) => conv2d(x, w, null, { padding: 1 }).tanh(), [rand([1, 1, 3, 3]), rand([2, 1, 2, 2])])).toBe(true);
    const input = rand([1, 1, 3, 3], -1, 1, false);
    const penalty = (w: ReturnType<typeof rand>) => {
      const x = input.detach().requiresGrad_();
      const [gx] = grad(conv2d(x, w).square().sum(), x, { createGraph: true });
      return gx!.square().sum();
    };
    const w = rand([1, 1, 2, 2]);
    expect(gradcheck(penalty, [w])).toBe(true);
  });

  it('maxPool2d routes the gradient to each window maximum (overlapping windows accumulate)', () => {
    expect(gradcheck((x) => maxPool2d(x, 2), [rand([1, 2, 4, 4])])).toBe(true);
    expect(gradcheck((x) => maxPool2d(x, 3, { stride: 1, padding: 1 }), [rand([2, 1, 3, 4])])).toBe(true);
    const x = tensor([[[[1, 5, 2], [0, 3, 4], [9, 1, 0]]]], { dtype: 'float64', requiresGrad: true });
    maxPool2d(x, 2, { stride: 1 }).sum().backward();
    expect(x.grad!.toArray()).toEqual([[[[0, 2, 0], [0, 0, 1], [1, 0, 0]]]]);
    expect(gradgradcheck((t) => maxPool2d(t.square(), 2), [rand([1, 1, 4, 4])])).toBe(true);
  });

  it('avgPool2d, with and without counting the padding', () => {
    expect(gradcheck((x) => avgPool2d(x, 2), [rand([1, 2, 4, 4])])).toBe(true);
    expect(gradcheck((x) => avgPool2d(x, 3, { stride: 2, padding: 1 }), [rand([1, 1, 5, 4])])).toBe(true);
    expect(gradcheck((x) => avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }), [rand([1, 1, 5, 4])])).toBe(true);
    expect(gradgradcheck((x) => avgPool2d(x.square(), 2, { padding: 1, countIncludePad: false }), [rand([1, 1, 3, 3])])).toBe(true);
  });
});
