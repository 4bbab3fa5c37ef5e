import { describe, expect, it } from 'vitest';
import { Tensor, getBackend, ones, recordOp, tensor, zeros } from '@tsgrad/tensor';
import { grad, gradcheck, gradgradcheck, noGrad, registerGradient } from './index.js';
import { rand } from './test-utils/random.js';

const f64 = (v: number[] | number[][], requiresGrad = true) => tensor(v, { dtype: 'float64', requiresGrad });

describe(`engine (${getBackend().name} backend)`, () => {
  it('requiresGrad at creation and with requiresGrad_(); leaves, gradFn names', () => {
    const a = f64([1, 2]);
    const b = tensor([3, 4], { dtype: 'float64' }).requiresGrad_();
    const c = tensor([5, 6], { dtype: 'float64' });
    expect([a.requiresGrad, b.requiresGrad, c.requiresGrad]).toEqual([true, true, false]);
    const y = a.mul(b).add(c);
    expect(a.isLeaf && b.isLeaf && c.isLeaf).toBe(true);
    expect(y.isLeaf).toBe(false);
    expect(y.requiresGrad).toBe(true);
    expect(y.gradFn!.name).toBe('AddBackward');
    expect(a.matmul(b).gradFn!.name).toBe('MatmulBackward');
    expect(a.logSoftmax(0).gradFn!.name).toBe('LogSoftmaxBackward');
    expect(c.mul(2).requiresGrad).toBe(false);
    expect(c.mul(2).gradFn).toBeNull();
  });

  it('nodes expose the graph: nextFunctions down to AccumulateGrad of each leaf', () => {
    const a = f64([1, 2]);
    const b = f64([3, 4], false);
    const y = a.mul(b).exp();
    const exp = y.gradFn as unknown as { nextFunctions: { name: string; nextFunctions?: unknown[]; variable?: unknown }[] };
    expect(exp.nextFunctions.map((n) => n.name)).toEqual(['MulBackward']);
    const mul = exp.nextFunctions[0]! as unknown as { nextFunctions: ({ name: string; variable: unknown } | null)[] };
    expect(mul.nextFunctions[0]!.name).toBe('AccumulateGrad');
    expect(mul.nextFunctions[0]!.variable).toBe(a);
    expect(mul.nextFunctions[1]).toBeNull();
  });

  it('leaf gradients accumulate across backward calls; non-leaves need retainGrad()', () => {
    const x = f64([1, 2, 3]);
    const h = x.mul(x);
    h.retainGrad();
    const loss = h.sum();
    loss.backward(undefined, { retainGraph: true });
    expect(x.grad!.toArray()).toEqual([2, 4, 6]);
    expect(h.grad!.toArray()).toEqual([1, 1, 1]);
    loss.backward();
    expect(x.grad!.toArray()).toEqual([4, 8, 12]);
    expect(h.grad!.toArray()).toEqual([2, 2, 2]);
    const other = x.exp().sum();
    other.backward();
    expect((x.grad!.toArray() as number[])[0]).toBeCloseTo(4 + Math.E, 12);
    const notRetained = x.mul(3);
    notRetained.sum().backward();
    expect(notRetained.grad).toBeNull();
  });

  it('a gradient used by two leaves is not shared between their .grad tensors', () => {
    const a = f64([1, 2]);
    const b = f64([3, 4]);
    a.add(b).sum().backward();
    a.grad!.mul_(10);
    expect(b.grad!.toArray()).toEqual([1, 1]);
  });

  it('a scalar output needs no gradient; a non-scalar one does', () => {
    const x = f64([1, 2]);
    const y = x.mul(2);
    expect(() => y.backward()).toThrow(/implicitly created only for scalar outputs.*shape \[2\]/);
    y.backward(tensor([1, 10], { dtype: 'float64' }));
    expect(x.grad!.toArray()).toEqual([2, 20]);
    expect(() => x.mul(2).backward(ones(3, { dtype: 'float64' }))).toThrow(/gradient has shape \[3\] but the output has shape \[2\]/);
    expect(() => tensor([1, 2], { dtype: 'float64' }).sum().backward()).toThrow(/does not require grad/);
  });

  it('a second backward through a freed graph is an error unless retainGraph was set', () => {
    const x = f64([1, 2]);
    const y = x.exp().sum();
    y.backward();
    expect(() => y.backward()).toThrow(/backward through the graph a second time.*retainGraph: true/);
    const z = x.tanh().sum();
    z.backward(undefined, { retainGraph: true });
    z.backward();
    expect(() => z.backward()).toThrow(/second time/);
  });

  it('grad() up to a tensor whose history was freed still works (the freed part is not needed)', () => {
    const x = f64([1, 2]);
    const h = x.exp();
    h.sum().backward(); // frees ExpBackward
    const y = h.mul(3).sum();
    const [gh] = grad(y, h);
    expect(gh!.toArray()).toEqual([3, 3]);
    expect(() => h.mul(3).sum().backward()).toThrow(/ExpBackward were freed/);
    expect(() => grad(h.mul(3).sum(), x)).toThrow(/ExpBackward were freed/);
  });

  it('a node keeps only what its formula reads (add keeps shapes, mul keeps its inputs)', () => {
    const x = f64([1, 2]);
    const h = x.exp();
    const added = h.add(1).gradFn as unknown as { inputs: unknown[]; meta: { shape: number[] }[] };
    expect(added.inputs.length).toBe(0);
    expect(added.meta.map((m) => m.shape)).toEqual([[2], []]);
    const multiplied = h.mul(h).gradFn as unknown as { inputs: unknown[] };
    expect(multiplied.inputs).toEqual([h, h]);
  });

  it('backward releases saved tensors and edges (the graph can be collected)', () => {
    const x = f64([1, 2]);
    const h = x.exp();
    const y = h.mul(h).sum();
    const node = h.gradFn as unknown as { inputs: unknown[]; output: unknown; next: unknown[] };
    expect(node.output).toBe(h);
    y.backward();
    expect(node.inputs.length).toBe(0);
    expect(node.output).toBeNull();
    expect(node.next.length).toBe(0);
  });

  it('noGrad / enableGrad / setGradEnabled and isGradEnabled (sync)', async () => {
    const { enableGrad, isGradEnabled, setGradEnabled } = await import('./index.js');
    const x = f64([1, 2]);
    expect(isGradEnabled()).toBe(true);
    const y = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      const inner = enableGrad(() => x.mul(2));
      expect(inner.requiresGrad).toBe(true);
      return x.mul(2);
    });
    expect(y.requiresGrad).toBe(false);
    expect(isGradEnabled()).toBe(true);
    expect(() => noGrad(() => { throw new Error('boom'); })).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
    setGradEnabled(false);
    try {
      expect(x.exp().requiresGrad).toBe(false);
    } finally {
      setGradEnabled(true);
    }
    expect(x.exp().requiresGrad).toBe(true);
  });

  it('async noGrad keeps its mode across awaits and does not leak into concurrent code', async () => {
    const { enableGrad, isGradEnabled } = await import('./index.js');
    const x = f64([1, 2]);
    const tick = () => new Promise<void>((r) => setTimeout(r, 5));
    const seen: boolean[] = [];
    const inScope = noGrad(async () => {
      await tick();
      seen.push(isGradEnabled());
      const r = x.mul(2);
      await tick();
      const nested = await enableGrad(async () => { await tick(); return x.mul(3); });
      seen.push(isGradEnabled());
      return [r, nested] as const;
    });
    // Runs while the scope above is suspended: grad mode is on here.
    await new Promise<void>((r) => setTimeout(r, 1));
    const outside = x.mul(4);
    expect(outside.requiresGrad).toBe(true);
    const [r, nested] = await inScope;
    expect(seen).toEqual([false, false]);
    expect(r.requiresGrad).toBe(false);
    expect(nested.requiresGrad).toBe(true);
    expect(isGradEnabled()).toBe(true);
    expect(x.mul(5).requiresGrad).toBe(true);
    await expect(noGrad(async () => { await tick(); throw new Error('async boom'); })).rejects.toThrow('async boom');
    expect(isGradEnabled()).toBe(true);
  });

  it('interleaved async scopes with different modes each keep their own; the flag stays a data field', async () => {
    const { enableGrad, isGradEnabled } = await import('./index.js');
    const { gradState } = await import('@tsgrad/tensor');
    const x = f64([1]);
    const tick = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
    const log: string[] = [];
    const worker = (name: string, scope: typeof noGrad, steps: number[]) => scope(async () => {
      for (const ms of steps) {
        await tick(ms);
        log.push(`${name}:${isGradEnabled()}:${x.mul(2).requiresGrad}`);
        // A sync scope nested inside an async one restores the async scope's mode.
        noGrad(() => x.mul(2));
        await Promise.resolve();
        log.push(`${name}:${isGradEnabled()}`);
      }
    });
    const top = (async () => {
      for (let i = 0; i < 4; i++) { await tick(3); log.push(`top:${isGradEnabled()}`); }
    })();
    await Promise.all([worker('off', noGrad, [2, 4, 1, 5]), worker('on', enableGrad, [3, 1, 4, 2]), top]);
    for (const entry of log) {
      if (entry.startsWith('off')) expect(entry).toMatch(/^off:false(:false)?$/);
      else expect(entry).toMatch(/^(on|top):true(:true)?$/);
    }
    expect(log.length).toBe(20);
    const desc = Object.getOwnPropertyDescriptor(gradState, 'enabled')!;
    expect(desc.writable).toBe(true);
    expect(desc.get).toBeUndefined();
    expect(isGradEnabled()).toBe(true);
  });

  it('setGradEnabled inside an async scope changes that scope only', async () => {
    const { enableGrad, isGradEnabled, setGradEnabled } = await import('./index.js');
    const tick = () => new Promise<void>((r) => setTimeout(r, 2));
    const seen: boolean[] = [];
    const on = noGrad(async () => {
      await tick();
      setGradEnabled(true);
      await tick();
      seen.push(isGradEnabled());
    });
    const off = enableGrad(async () => {
      await tick();
      setGradEnabled(false);
      await tick();
      seen.push(isGradEnabled());
    });
    await new Promise<void>((r) => setTimeout(r, 3));
    const top = isGradEnabled();
    await Promise.all([on, off]);
    expect(seen).toEqual([true, false]);
    expect(top).toBe(true);
    seen.length = 0;
    const scope2 = noGrad(async () => { await tick(); seen.push(isGradEnabled()); });
    await scope2;
    expect(seen).toEqual([false]);
    expect(isGradEnabled()).toBe(true);
  });

  it('detach() and detach_()', () => {
    const x = f64([1, 2]);
    const y = x.mul(3);
    const d = y.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.gradFn).toBeNull();
    expect(d.storage).toBe(y.storage);
    const z = d.mul(x).sum();
    z.backward();
    expect(x.grad!.toArray()).toEqual([3, 6]); // no path through y
    const w = x.exp();
    w.detach_();
    expect(w.isLeaf).toBe(true);
    expect(w.requiresGrad).toBe(false);
  });

  it('hooks read and replace gradients, on leaves and non-leaves; the remover works', () => {
    const x = f64([1, 2]);
    const h = x.mul(x);
    const seenAtH: number[][] = [];
    h.registerHook((g) => { seenAtH.push(g.toArray() as number[]); });
    const remove = x.registerHook((g) => g.mul(10));
    h.sum().backward(undefined, { retainGraph: true });
    expect(seenAtH).toEqual([[1, 1]]);
    expect(x.grad!.toArray()).toEqual([20, 40]);
    remove();
    x.grad = null;
    const removeH = h.registerHook((g) => g.mul(0.5));
    h.sum().backward();
    expect(x.grad!.toArray()).toEqual([1, 2]);
    removeH();
    expect(() => tensor([1]).registerHook(() => undefined)).toThrow(/does not require grad/);
    x.registerHook((g) => g.sum());
    expect(() => x.mul(2).sum().backward()).toThrow(/hook returned a gradient of shape \[\], expected \[2\]/);
  });

  it('retainGrad on a leaf is a no-op, on a tensor outside the graph an error; backward works inside noGrad and from a leaf', () => {
    const x = f64([1, 2]);
    x.retainGrad();
    expect(() => tensor([1, 2]).retainGrad()).toThrow(/does not require grad/);
    const y = x.mul(x).sum();
    noGrad(() => y.backward());
    expect(x.grad!.toArray()).toEqual([2, 4]);
    const s = f64([3]);
    s.backward();
    expect(s.grad!.toArray()).toEqual([1]);
    const [gh] = (() => {
      const h = x.exp();
      h.registerHook((g) => g.mul(2));
      return grad(h.sum(), h);
    })();
    expect(gh!.toArray()).toEqual([2, 2]);
  });

  it('a leaf used twice gets the summed gradient, its hook runs once on the sum', () => {
    const x = f64([2]);
    const calls: number[] = [];
    x.registerHook((g) => { calls.push(g.item()); });
    x.mul(3).add(x.mul(x)).sum().backward();
    expect(calls).toEqual([3 + 4]);
    expect(x.grad!.item()).toBe(7);
  });

  it('grad() returns gradients without touching .grad', () => {
    const x = f64([1, 2]);
    const y = f64([3, 4]);
    const unused = f64([0]);
    const out = x.mul(y).sum();
    const [gx, gy, gu] = grad(out, [x, y, unused], { allowUnused: true, retainGraph: true });
    expect(gx!.toArray()).toEqual([3, 4]);
    expect(gy!.toArray()).toEqual([1, 2]);
    expect(gu).toBeNull();
    expect(x.grad).toBeNull();
    expect(() => grad(out, [unused])).toThrow(/inputs\[0\] appears not to have been used.*allowUnused/);
    const h = x.exp();
    const [gh] = grad(h.sum(), h);
    expect(gh!.toArray()).toEqual([1, 1]);
    const [gv] = grad(x.mul(2), x, { gradOutputs: tensor([1, 5], { dtype: 'float64' }) });
    expect(gv!.toArray()).toEqual([2, 10]);
    expect(() => grad(x.mul(2), x)).toThrow(/implicitly created only for scalar outputs/);
    expect(() => grad(out, tensor([1]))).toThrow(/does not require grad/);
  });

  it('grad() with a non-leaf input only runs the part of the graph it needs', () => {
    const x = f64([1, 2]);
    const h = x.tanh();
    const y = h.mul(2).sum();
    const hook: number[] = [];
    x.registerHook(() => { hook.push(1); });
    const [gh] = grad(y, h);
    expect(gh!.toArray()).toEqual([2, 2]);
    expect(hook).toEqual([]); // TanhBackward never ran
  });

  it('in-place modification of a tensor saved for backward raises a clear error', () => {
    const x = f64([1, 2]);
    const y = x.exp();
    y.add_(1);
    expect(() => y.sum().backward()).toThrow(
      /modified by an inplace operation: its output of ExpBackward \(float64 \[2\]\) is at version 1; expected version 0/,
    );
    const a = x.mul(2);
    const b = a.mul(a);
    a.mul_(3);
    expect(() => b.sum().backward()).toThrow(/input 0 of MulBackward \(float64 \[2\]\) is at version 1; expected version 0/);
    // A tensor no formula saved may be modified in place; the gradient follows the in-place op.
    const c = x.add(1);
    c.mul_(2);
    expect(c.gradFn!.name).toBe('MulBackward');
    c.sum().backward();
    expect(x.grad!.toArray()).toEqual([2, 2]);
    expect(() => x.mul_(2)).toThrow(/leaf tensor that requires grad/);
  });

  it('writing a tensor that requires grad into a view in place is refused (the base would lose the gradient)', () => {
    const h = f64([1, 2]);
    const buf = zeros([3, 2], { dtype: 'float64' });
    expect(() => buf.select(0, 1).copy_(h)).toThrow(/in-place operation on a view that makes it require grad/);
    expect(() => buf.narrow(0, 0, 1).add_(h)).toThrow(/in-place operation on a view/);
    expect(buf.toArray()).toEqual([[0, 0], [0, 0], [0, 0]]);
    // Without autograd involvement the view write goes through as usual.
    buf.select(0, 1).copy_(h.detach());
    expect(buf.toArray()).toEqual([[0, 0], [1, 2], [0, 0]]);
  });

  it('an op without a registered gradient raises an error naming it', () => {
    const x = f64([1]);
    const out = zeros(1, { dtype: 'float64' });
    expect(() => recordOp('frobnicate', [x], out)).toThrow(/op 'frobnicate' has no registered gradient formula/);
    expect(() => noGrad(() => recordOp('frobnicate', [x], out))).not.toThrow();
  });

  it('gradgradcheck catches a formula whose first derivative is right but second is not', () => {
    // square with a formula that detaches its saved input: correct values, no second-order graph.
    registerGradient('testSquareDetached', {
      name: 'TestSquareDetachedBackward', saveInputs: true, saveOutput: false,
      backward: (g, { inputs: [x] }) => [g.mul(x!.detach()).mul(2)],
    });
    const sq = (x: Tensor) => {
      const out = noGrad(() => x.mul(x));
      recordOp('testSquareDetached', [x], out);
      return out;
    };
    const x = rand([3]);
    expect(gradcheck(sq, [x])).toBe(true);
    expect(() => gradgradcheck(sq, [x])).toThrow(/Jacobian mismatch.*analytical 0 vs numerical/);
  });

  it('a 100,000-op chain (a long recurrence) back-propagates without overflowing the stack', () => {
    const n = 100_000;
    const w = tensor(1.00001, { dtype: 'float64', requiresGrad: true });
    const x = tensor(0.5, { dtype: 'float64', requiresGrad: true });
    let h: Tensor = x;
    for (let i = 0; i < n; i++) h = h.mul(w);
    h.backward();
    const wv = 1.00001;
    // h = x·w^n: dh/dx = w^n, dh/dw = n·x·w^(n-1)
    expect(x.grad!.item()).toBeCloseTo(wv ** n, 8);
    expect(w.grad!.item() / (n * 0.5 * wv ** (n - 1))).toBeCloseTo(1, 10);
  });
});

describe(`higher-order gradients (${getBackend().name} backend)`, () => {
  it('d²/dx² x³ = 6x by backward twice', () => {
    const x = f64([-1.5, 0.5, 2]);
    const y = x.pow(3).sum();
    const [g] = grad(y, x, { createGraph: true });
    expect(g!.requiresGrad).toBe(true);
    expect(g!.toArray()).toEqual([6.75, 0.75, 12]);
    g!.sum().backward();
    expect(x.grad!.toArray()).toEqual([-9, 3, 12]);
  });

  it('backward(createGraph) leaves a differentiable .grad', () => {
    const x = f64([0.3, -0.7]);
    x.mul(x).mul(x).sum().backward(undefined, { createGraph: true });
    const g = x.grad!;
    expect(g.requiresGrad).toBe(true);
    const [gg] = grad(g.sum(), x);
    expect((gg!.toArray() as number[])[0]).toBeCloseTo(6 * 0.3, 12);
    expect((gg!.toArray() as number[])[1]).toBeCloseTo(-6 * 0.7, 12);
  });

  it("tanh'' = -2 tanh (1 - tanh²) and sigmoid'' = s (1 - s)(1 - 2s)", () => {
    const xs = [-2, -0.3, 0, 0.8, 1.7];
    const x = f64(xs);
    const [g1] = grad(x.tanh().sum(), x, { createGraph: true });
    const [g2] = grad(g1!.sum(), x);
    xs.forEach((v, i) => {
      const t = Math.tanh(v);
      expect((g1!.toArray() as number[])[i]).toBeCloseTo(1 - t * t, 12);
      expect((g2!.toArray() as number[])[i]).toBeCloseTo(-2 * t * (1 - t * t), 12);
    });
    const [s1] = grad(x.sigmoid().sum(), x, { createGraph: true });
    const [s2] = grad(s1!.sum(), x);
    xs.forEach((v, i) => {
      const s = 1 / (1 + Math.exp(-v));
      expect((s1!.toArray() as number[])[i]).toBeCloseTo(s * (1 - s), 12);
      expect((s2!.toArray() as number[])[i]).toBeCloseTo(s * (1 - s) * (1 - 2 * s), 12);
    });
  });

  it('relu has zero second derivative; third derivative of exp is exp', () => {
    const x = f64([-1, 0.5, 2]);
    const [g] = grad(x.relu().mul(x).sum(), x, { createGraph: true }); // d(x·relu(x)) = 2 relu(x)
    const [gg] = grad(g!.sum(), x);
    expect(gg!.toArray()).toEqual([0, 2, 2]);
    let d = x.exp().sum();
    for (let k = 0; k < 3; k++) d = grad(d, x, { createGraph: true })[0]!.sum();
    expect(d.item()).toBeCloseTo(Math.exp(-1) + Math.exp(0.5) + Math.exp(2), 12);
  });

  it('gradient penalty: d/dW ‖∂D/∂x‖² matches finite differences', () => {
    const x = rand([4, 3]);
    const penalty = (w1: Tensor, w2: Tensor) => {
      const xi = x.detach().requiresGrad_();
      const d = xi.matmul(w1).tanh().matmul(w2).sigmoid().sum();
      const [gx] = grad(d, xi, { createGraph: true });
      return gx!.square().sum(1).sqrt().sub(1).square().mean();
    };
    const w1 = rand([3, 5]);
    const w2 = rand([5, 1]);
    expect(gradcheck(penalty, [w1, w2])).toBe(true);
    // And the same through backward(): gradients land in .grad.
    penalty(w1, w2).backward();
    expect(w1.grad!.shape).toEqual([3, 5]);
    expect(w2.grad!.shape).toEqual([5, 1]);
  });

  it('double backward through softmax, logSoftmax, reductions and matmul', () => {
    expect(gradgradcheck((a, b) => a.matmul(b).logSoftmax(1).mul(a.sum(1, true)), [rand([2, 3]), rand([3, 4])])).toBe(true);
    expect(gradgradcheck((a) => a.softmax(0).amax(0).mul(a.mean()), [rand([3, 2])])).toBe(true);
  });
});
