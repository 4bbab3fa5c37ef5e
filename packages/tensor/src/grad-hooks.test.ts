import { afterEach, describe, expect, it } from 'vitest';
import { type GradEngine, Tensor, gradState, setGradEngine, tensor, zeros } from './index.js';

/**
 * The seam autograd plugs into: which op names and attributes the core ops record, and when.
 * A fake engine stands in for @tsgrad/autograd (the op names are its formula keys).
 */
interface Recorded { op: string; inputs: readonly Tensor[]; output: Tensor; attrs: unknown }
let log: Recorded[] = [];
const fake: GradEngine = {
  record(op, inputs, output, attrs) { log.push({ op, inputs, output, attrs }); },
  backward() { throw new Error('not used'); },
  retainGrad() {},
  registerHook() { return () => {}; },
};

afterEach(() => {
  setGradEngine(null);
  gradState.enabled = true;
  log = [];
});

describe('grad hooks', () => {
  it('without an engine nothing is recorded and autograd methods say what to install', () => {
    const x = tensor([1.5, 2.5], { requiresGrad: true });
    x.mul(2).sum();
    expect(log).toEqual([]);
    expect(() => x.sum().backward()).toThrow(/backward\(\) needs @tsgrad\/autograd/);
    expect(() => x.retainGrad()).toThrow(/retainGrad\(\) needs @tsgrad\/autograd/);
  });

  it('records each op under its name, with its inputs and attributes, only when an input requires grad', () => {
    setGradEngine(fake);
    const x = tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float64', requiresGrad: true });
    const c = tensor([1, 1, 1], { dtype: 'float64' });
    c.mul(c); // no input requires grad: nothing recorded
    expect(log).toEqual([]);
    const y = x.add(c);
    expect(log.map((r) => r.op)).toEqual(['add']);
    expect(log[0]!.inputs).toEqual([x, c]);
    expect(log[0]!.output).toBe(y);
    log = [];
    x.transpose(0, 1);
    x.permute(1, 0);
    x.sum(1, true);
    x.slice(1, 1, 3, 2);
    x.select(0, -1);
    x.view(3, 2);
    x.matmul(x.T);
    x.amax(0);
    x.max(1);
    x.softmax(-1);
    x.clamp(2, 4);
    expect(log.map((r) => [r.op, r.attrs])).toEqual([
      ['transpose', { dim0: 0, dim1: 1 }],
      ['permute', { dims: [1, 0] }],
      ['sum', { dims: [1], keepdim: true }],
      ['slice', { dim: 1, start: 1, step: 2 }],
      ['select', { dim: 0, index: 1 }],
      ['reshape', undefined],
      ['permute', { dims: [1, 0] }],
      ['matmul', undefined],
      ['amax', { dims: [0], keepdim: false }],
      ['maxDim', expect.objectContaining({ dim: 1, keepdim: false })],
      ['softmax', { dim: 1 }],
      ['clamp', { min: 2, max: 4 }],
    ]);
  });

  it('a scalar operand is recorded as a 0-d tensor of the computation dtype', () => {
    setGradEngine(fake);
    const x = tensor([1.5], { requiresGrad: true });
    x.mul(0.1);
    expect(log[0]!.op).toBe('mul');
    const s = log[0]!.inputs[1]!;
    expect(s.shape).toEqual([]);
    expect(s.dtype).toBe('float32');
    expect(s.item()).toBe(Math.fround(0.1));
  });

  it('records nothing in no-grad mode, and never for comparisons or non-differentiable ops', () => {
    setGradEngine(fake);
    const x = tensor([1.5, -2], { requiresGrad: true });
    gradState.enabled = false;
    x.exp();
    gradState.enabled = true;
    x.gt(0);
    x.floor();
    x.sign();
    expect(log).toEqual([]);
  });

  it('refuses in-place ops on leaves that require grad and on views of them', () => {
    setGradEngine(fake);
    const x = zeros(3, { requiresGrad: true });
    expect(() => x.add_(1)).toThrow(/a leaf tensor that requires grad is being used in an in-place operation/);
    expect(() => x.select(0, 0).mul_(2)).toThrow(/in-place operation on a view of a tensor that requires grad/);
    gradState.enabled = false;
    expect(x.add_(1).toArray()).toEqual([1, 1, 1]); // allowed under no-grad, as torch.no_grad()
  });
});
