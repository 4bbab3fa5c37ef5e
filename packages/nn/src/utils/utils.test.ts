import { describe, expect, it } from 'vitest';
import { tensor, assertClose } from '@tsgrad/tensor';
import { utils, Linear, Parameter } from '../index.js';

const withGrad = (values: number[]) => {
  const p = new Parameter(tensor(values.map(() => 0), { dtype: 'float64' }));
  p.grad = tensor(values, { dtype: 'float64' });
  return p;
};

describe('clipGradNorm_ / clipGradValue_', () => {
  it('scales all gradients together by maxNorm / totalNorm and returns the total norm', () => {
    const a = withGrad([3, 0]);
    const b = withGrad([0, 4]);
    const total = utils.clipGradNorm_([a, b], 1);
    assertClose(total, 5);
    assertClose(a.grad!, [0.6, 0], { atol: 1e-6 });
    assertClose(b.grad!, [0, 0.8], { atol: 1e-6 });
    // Below the limit: unchanged.
    const c = withGrad([0.1, 0.2]);
    utils.clipGradNorm_(c, 10);
    assertClose(c.grad!, [0.1, 0.2]);
  });

  it('supports the infinity and 1 norms and skips parameters without grad', () => {
    const a = withGrad([-6, 2]);
    const none = new Parameter(tensor([1], { dtype: 'float64' }));
    assertClose(utils.clipGradNorm_([a, none], 3, Infinity), 6);
    assertClose(a.grad!, [-3, 1], { atol: 1e-6 });
    const b = withGrad([1, -3]);
    assertClose(utils.clipGradNorm_([b], 2, 1), 4);
    assertClose(b.grad!, [0.5, -1.5], { atol: 1e-6 });
    const n = withGrad([NaN, 1]);
    expect(() => utils.clipGradNorm_([n], 1, 2, { errorIfNonfinite: true })).toThrow(/non-finite/);
  });

  it('clamps values', () => {
    const a = withGrad([-5, 0.5, 9]);
    utils.clipGradValue_([a], 1);
    assertClose(a.grad!, [-1, 0.5, 1]);
  });

  it('works on real gradients from backward', () => {
    const lin = new Linear(3, 2);
    lin.call(tensor([[100, 100, 100]], { dtype: 'float32' })).sum().backward();
    const total = utils.clipGradNorm_(lin.parameters(), 0.5).item();
    expect(total).toBeGreaterThan(0.5);
    const after = Math.sqrt(lin.parameters().reduce((s, p) => s + p.grad!.square().sum().item(), 0));
    expect(after).toBeCloseTo(0.5, 4);
  });

  it('parametersToVector / vectorToParameters round-trip', () => {
    const lin = new Linear(2, 2);
    const v = utils.parametersToVector(lin.parameters());
    expect(v.shape).toEqual([6]);
    utils.vectorToParameters(v.mul(2), lin.parameters());
    assertClose(utils.parametersToVector(lin.parameters()), v.mul(2));
  });
});
