import { describe, expect, it } from 'vitest';
import { Tensor, tensor, zeros } from '@tsgrad/tensor';
import { noGrad } from '@tsgrad/autograd';
import { Adam, Adagrad, LBFGS, NAdam, RMSprop, SGD } from './index.js';
import { makeParams, setGrads, trajectory } from './test-utils/problem.js';

const leaf = (v: number[]) => Tensor.fromBuffer(Float64Array.from(v), [v.length]).requiresGrad_();

describe('bad input gives clear errors', () => {
  it('rejects non-tensors, non-leaves, non-float params and empty lists', () => {
    const p = leaf([1, 2]);
    expect(() => new SGD([p, 3 as unknown as Tensor], { lr: 0.1 })).toThrow(TypeError);
    expect(() => new SGD([p, 3 as unknown as Tensor], { lr: 0.1 })).toThrow(/params\[1\] must be a Tensor/);
    const nonLeaf = p.mul(2);
    expect(nonLeaf.gradFn).not.toBeNull();
    expect(() => new Adam([nonLeaf])).toThrow(/params\[0\] is not a leaf tensor/);
    expect(() => new SGD([tensor([1, 2])])).toThrow(/dtype int32/);
    expect(() => new SGD([])).toThrow(RangeError);
    expect(() => new SGD([])).toThrow(/empty parameter list/);
    expect(() => new SGD([{ params: [] }])).toThrow(/empty parameter list/);
    expect(() => new SGD(p as unknown as Tensor[])).toThrow(/iterable/);
    expect(() => new SGD(null as unknown as Tensor[])).toThrow(TypeError);
  });

  it('rejects a parameter in two groups (or twice in one)', () => {
    const a = leaf([1]), b = leaf([2]);
    expect(() => new SGD([{ params: [a, b] }, { params: [b] }])).toThrow(/already in param group 0/);
    expect(() => new SGD([a, a])).toThrow(/appears twice/);
    const opt = new SGD([a]);
    expect(() => opt.addParamGroup({ params: [a] })).toThrow(RangeError);
  });

  it('rejects bad hyper-parameters, naming them', () => {
    const p = () => [leaf([1])];
    expect(() => new SGD(p(), { lr: -0.1 })).toThrow(RangeError);
    expect(() => new SGD(p(), { lr: -0.1 })).toThrow(/lr must be a finite number >= 0, got -0.1/);
    expect(() => new SGD([{ params: p(), lr: -1 }])).toThrow(/param group 0: lr/);
    expect(() => new SGD(p(), { lr: 'a' as unknown as number })).toThrow(TypeError);
    expect(() => new SGD(p(), { nesterov: true })).toThrow(/nesterov momentum requires momentum > 0/);
    expect(() => new Adam(p(), { betas: [0.9, 1] })).toThrow(/betas\[1\] must be in \[0, 1\)/);
    expect(() => new Adam(p(), { betas: 0.9 as unknown as [number, number] })).toThrow(TypeError);
    expect(() => new RMSprop(p(), { momentum: -1 })).toThrow(/momentum/);
    expect(() => new Adam(p(), { amsgrad: 1 as unknown as boolean })).toThrow(/amsgrad must be a boolean/);
    expect(() => new LBFGS(p(), { lineSearchFn: 'armijo' as 'strong_wolfe' })).toThrow(/lineSearchFn/);
    expect(() => new LBFGS([{ params: p() }, { params: p() }])).toThrow(/per-parameter options/);
  });

  it('rejects a gradient shaped unlike its parameter', () => {
    const p = leaf([1, 2]);
    p.grad = zeros(3, { dtype: 'float64' });
    expect(() => new SGD([p]).step()).toThrow(/gradient of shape \[3\] does not match its parameter of shape \[2\]/);
  });
});

describe('parameter groups', () => {
  it('each group uses its own hyper-parameters; missing ones take the defaults', () => {
    const a = leaf([1, 1]), b = leaf([1, 1]);
    const opt = new SGD([{ params: [a], lr: 0.5 }, { params: [b] }], { lr: 0.1, momentum: 0.3 });
    expect(opt.paramGroups[0]!.momentum).toBe(0.3);
    a.grad = tensor([1, 2], { dtype: 'float64' });
    b.grad = tensor([1, 2], { dtype: 'float64' });
    opt.step();
    expect(Array.from(a.toTypedArray())).toEqual([1 - 0.5, 1 - 1]);
    expect(Array.from(b.toTypedArray())).toEqual([1 - 0.1, 1 - 0.2]);
  });

  it('addParamGroup adds a group that is stepped from then on', () => {
    const a = leaf([1]), b = leaf([1]);
    const opt = new Adam([a], { lr: 0.1 });
    opt.addParamGroup({ params: [b], lr: 0.2 });
    expect(opt.paramGroups).toHaveLength(2);
    expect(opt.paramGroups[1]!.betas).toEqual([0.9, 0.999]);
    expect(opt.paramGroups[1]!.betas).not.toBe(opt.defaults.betas);
    a.grad = tensor([1], { dtype: 'float64' });
    b.grad = tensor([1], { dtype: 'float64' });
    opt.step();
    // Adam's first step moves each element by lr·sign(g) (up to eps).
    expect(a.item()).toBeCloseTo(0.9, 6);
    expect(b.item()).toBeCloseTo(0.8, 6);
  });

  it('accepts any iterable of tensors (a generator, like model.parameters())', () => {
    function* params() { yield leaf([1]); yield leaf([2]); }
    expect(new SGD(params(), { lr: 0.1 }).paramGroups[0]!.params).toHaveLength(2);
  });
});

describe('zeroGrad and step', () => {
  it('zeroGrad sets grads to null by default, or zeroes them in place', () => {
    const p = leaf([1, 2]);
    const opt = new SGD([p]);
    p.grad = tensor([3, 4], { dtype: 'float64' });
    opt.zeroGrad();
    expect(p.grad).toBeNull();
    const g = tensor([3, 4], { dtype: 'float64' });
    p.grad = g;
    opt.zeroGrad({ setToNone: false });
    expect(p.grad).toBe(g);
    expect(Array.from(g.toTypedArray())).toEqual([0, 0]);
    // A gradient that is itself in a graph (createGraph) is detached before being zeroed.
    const q = leaf([1, 2]);
    q.square().sum().backward(undefined, { createGraph: true });
    expect(q.grad!.requiresGrad).toBe(true);
    const qg = q.grad!;
    new SGD([q]).zeroGrad({ setToNone: false });
    expect(q.grad).toBe(qg);
    expect(qg.requiresGrad).toBe(false);
    expect(Array.from(qg.toTypedArray())).toEqual([0, 0]);
  });

  it('skips parameters without a gradient (no state is created for them)', () => {
    const a = leaf([1]), b = leaf([1]);
    const opt = new Adam([a, b]);
    a.grad = tensor([1], { dtype: 'float64' });
    opt.step();
    expect(b.item()).toBe(1);
    expect(opt.state.has(b)).toBe(false);
    expect(opt.state.has(a)).toBe(true);
  });

  it('bumps the version counter once per update and records no autograd history', () => {
    const p = leaf([1, 2]);
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
    for (let i = 0; i < 3; i++) {
      const loss = p.square().sum();
      loss.backward();
      const v = p.version;
      opt.step();
      expect(p.version).toBe(v + 1);
      expect(p.gradFn).toBeNull();
      expect(p.requiresGrad).toBe(true);
      opt.zeroGrad();
    }
    expect((opt.state.get(p)!.momentumBuffer as Tensor).requiresGrad).toBe(false);
  });

  it('runs the closure with grad mode on (even inside noGrad) and returns its loss', () => {
    const p = leaf([3]);
    const opt = new SGD([p], { lr: 0.25 });
    const loss = noGrad(() => opt.step(() => { opt.zeroGrad(); const l = p.square().sum(); l.backward(); return l; }));
    expect((loss as Tensor).item()).toBe(9);
    expect(p.item()).toBe(3 - 0.25 * 6);
  });

  it('updates non-contiguous parameters (and gradients) exactly like contiguous ones', () => {
    for (const make of [(ps: Tensor[]) => new SGD(ps, { lr: 0.1, momentum: 0.9 }), (ps: Tensor[]) => new NAdam(ps, { lr: 0.1 }), (ps: Tensor[]) => new Adagrad(ps)]) {
      const contiguous = makeParams('float64');
      // The same values, each a transposed (or strided) view of a leaf's storage.
      const strided = contiguous.map((p) => {
        if (p.ndim === 2) {
          const t = Tensor.fromBuffer(new Float64Array(6), [3, 2]).transpose(0, 1);
          t.storage.data.set(Array.from(p.toTypedArray()).map((_, k) => p.toTypedArray()[(k % 2) * 3 + Math.floor(k / 2)]!));
          return t.requiresGrad_();
        }
        const wide = Tensor.fromBuffer(new Float64Array(8), [8]);
        const v = wide.slice(0, 0, 8, 2);
        Array.from(p.toTypedArray()).forEach((x, k) => { wide.storage.data[2 * k] = x; });
        return v.requiresGrad_();
      });
      expect(strided[0]!.isContiguous()).toBe(false);
      expect(strided[1]!.isContiguous()).toBe(false);
      expect(Array.from(strided[0]!.toTypedArray())).toEqual(Array.from(contiguous[0]!.toTypedArray()));
      const optA = make(contiguous), optB = make(strided);
      const ta = trajectory(contiguous, () => optA.step(), 4);
      const tb: number[][][] = [];
      for (let s = 0; s < 4; s++) {
        setGrads(strided);
        strided[0]!.grad = strided[0]!.grad!.transpose(0, 1).contiguous().transpose(0, 1);
        optB.step();
        tb.push(strided.map((p) => Array.from(p.toTypedArray())));
      }
      expect(tb).toEqual(ta);
    }
  });
});
