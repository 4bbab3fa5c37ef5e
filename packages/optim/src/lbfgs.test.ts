import { describe, expect, it } from 'vitest';
import { Tensor } from '@tsgrad/tensor';
import { LBFGS, cubicInterpolate, strongWolfe } from './index.js';

/** f(x) = ½xᵀAx − bᵀx with an ill-conditioned SPD A (5×5). */
const A = [
  [10, 1, 0, 0.5, 0],
  [1, 5, 0.3, 0, 0],
  [0, 0.3, 2, 0.2, 0.1],
  [0.5, 0, 0.2, 1, 0],
  [0, 0, 0.1, 0, 0.3],
];
const B = [1, -2, 0.5, 3, -1];
const quadGrad = (x: number[]): number[] => A.map((row, i) => row.reduce((s, a, j) => s + a * x[j]!, 0) - B[i]!);
const quadLoss = (x: number[]): number => 0.5 * x.reduce((s, xi, i) => s + xi * A[i]!.reduce((t, a, j) => t + a * x[j]!, 0), 0) - B.reduce((s, b, i) => s + b * x[i]!, 0);
const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);

/** The closure: sets p.grad analytically and returns the loss. Counts its calls. */
function closureFor(p: Tensor, f: (x: number[]) => number, g: (x: number[]) => number[], counter = { calls: 0 }) {
  return () => {
    counter.calls++;
    const x = Array.from(p.toTypedArray());
    p.grad = Tensor.fromBuffer(Float64Array.from(g(x)), p.shape);
    return f(x);
  };
}

/**
 * Textbook L-BFGS (Nocedal & Wright, algorithm 7.4 two-loop recursion) with torch's fixed-step rule
 * (no line search): step t = min(1, 1/‖g‖₁)·lr on the first iteration, lr after; a curvature pair is
 * kept only when yᵀs > 1e-10; H₀ = (yᵀs)/(yᵀy) of the newest pair.
 */
function lbfgsReference(x0: number[], iters: number, lr: number, m: number): number[][] {
  let x = x0.slice();
  let g = quadGrad(x);
  const S: number[][] = [], Y: number[][] = [];
  let gamma = 1, d: number[] = [], t = 0, gPrev: number[] = [];
  const out: number[][] = [];
  for (let k = 1; k <= iters; k++) {
    if (k > 1) {
      const y = g.map((v, i) => v - gPrev[i]!), s = d.map((v) => v * t);
      const ys = dot(y, s);
      if (ys > 1e-10) {
        if (S.length === m) { S.shift(); Y.shift(); }
        S.push(s); Y.push(y);
        gamma = ys / dot(y, y);
      }
    }
    // r = H·g by the two-loop recursion; d = −r.
    const q = g.slice();
    const alpha: number[] = [];
    for (let i = S.length - 1; i >= 0; i--) {
      alpha[i] = dot(S[i]!, q) / dot(Y[i]!, S[i]!);
      for (let j = 0; j < q.length; j++) q[j] -= alpha[i]! * Y[i]![j]!;
    }
    const r = q.map((v) => v * (k === 1 ? 1 : gamma));
    for (let i = 0; i < S.length; i++) {
      const beta = dot(Y[i]!, r) / dot(Y[i]!, S[i]!);
      for (let j = 0; j < r.length; j++) r[j] += (alpha[i]! - beta) * S[i]![j]!;
    }
    d = r.map((v) => -v);
    t = k === 1 ? Math.min(1, 1 / g.reduce((s, v) => s + Math.abs(v), 0)) * lr : lr;
    gPrev = g;
    x = x.map((v, i) => v + t * d[i]!);
    g = quadGrad(x);
    out.push(x);
  }
  return out;
}

describe('LBFGS without line search (torch default)', () => {
  it('matches the textbook two-loop recursion iterate by iterate (history 3, so pairs are dropped)', () => {
    const x0 = [1, 1, 1, 1, 1];
    const ref = lbfgsReference(x0, 12, 0.5, 3);
    const p = Tensor.fromBuffer(Float64Array.from(x0), [5]).requiresGrad_();
    const opt = new LBFGS([p], { lr: 0.5, maxIter: 1, historySize: 3 });
    for (let k = 0; k < 12; k++) {
      opt.step(closureFor(p, quadLoss, quadGrad));
      Array.from(p.toTypedArray()).forEach((v, i) => expect(v).toBeCloseTo(ref[k]![i]!, 10));
    }
    expect(opt.state.get(p)!.nIter).toBe(12);
    expect((opt.state.get(p)!.oldDirs as Tensor[]).length).toBe(3);
  });

  it('counts evaluations as torch (maxEval = ⌊5·maxIter/4⌋); on a 1-D quadratic the second iteration is exact', () => {
    const p = Tensor.fromBuffer(new Float64Array([4]), [1]).requiresGrad_();
    const counter = { calls: 0 };
    // maxIter 2 gives maxEval 2: the evaluation after the first iteration uses the budget up.
    const opt2 = new LBFGS([p], { maxIter: 2 });
    expect(opt2.step(closureFor(p, (x) => 1.5 * x[0]! ** 2, (x) => [3 * x[0]!], counter))).toBe(24);
    expect(counter.calls).toBe(2);
    expect(opt2.state.get(p)).toMatchObject({ funcEvals: 2, nIter: 1 });
    // First step t = min(1, 1/|g|₁) = 1/12: x = 4 − 12/12 = 3.
    expect(p.item()).toBe(3);
    // maxIter 3 (maxEval 3): the second iteration's secant step lands on the minimum.
    p.storage.data[0] = 4;
    counter.calls = 0;
    const opt3 = new LBFGS([p], { maxIter: 3 });
    opt3.step(closureFor(p, (x) => 1.5 * x[0]! ** 2, (x) => [3 * x[0]!], counter));
    expect(counter.calls).toBe(3);
    expect(opt3.state.get(p)).toMatchObject({ funcEvals: 3, nIter: 2 });
    expect(Math.abs(p.item())).toBeLessThan(1e-12);
  });

  it('one step with the defaults (maxIter 20) nearly solves the 5-D quadratic; tighter tolerances go further', () => {
    const maxGrad = (p: Tensor) => Math.max(...quadGrad(Array.from(p.toTypedArray())).map(Math.abs));
    const p = Tensor.fromBuffer(new Float64Array(5).fill(1), [5]).requiresGrad_();
    const counter = { calls: 0 };
    new LBFGS([p]).step(closureFor(p, quadLoss, quadGrad, counter));
    // torch's default toleranceChange (1e-9 on the loss change and on gᵀd) stops it here.
    expect(maxGrad(p)).toBeLessThan(1e-4);
    expect(counter.calls).toBeLessThanOrEqual(25);
    const q = Tensor.fromBuffer(new Float64Array(5).fill(1), [5]).requiresGrad_();
    const tight = new LBFGS([q], { toleranceChange: 1e-30, toleranceGrad: 1e-12, maxIter: 100 });
    tight.step(closureFor(q, quadLoss, quadGrad));
    expect(maxGrad(q)).toBeLessThan(1e-10);
    // Converged: a further step evaluates once, sees the small gradient and returns.
    counter.calls = 0;
    tight.step(closureFor(q, quadLoss, quadGrad, counter));
    expect(counter.calls).toBe(1);
  });

  it('handles float32 parameters in several tensors', () => {
    const a = Tensor.fromBuffer(new Float32Array([1, 1, 1]), [3]).requiresGrad_();
    const b = Tensor.fromBuffer(new Float32Array([1, 1]), [2]).requiresGrad_();
    const opt = new LBFGS([a, b], { maxIter: 50 });
    const closure = () => {
      const x = [...a.toTypedArray(), ...b.toTypedArray()];
      const g = quadGrad(x);
      a.grad = Tensor.fromBuffer(Float32Array.from(g.slice(0, 3)), [3]);
      b.grad = Tensor.fromBuffer(Float32Array.from(g.slice(3)), [2]);
      return quadLoss(x);
    };
    for (let i = 0; i < 3; i++) opt.step(closure);
    expect(Math.max(...quadGrad([...a.toTypedArray(), ...b.toTypedArray()]).map(Math.abs))).toBeLessThan(1e-4);
  });

  it('requires a closure', () => {
    const opt = new LBFGS([Tensor.fromBuffer(new Float64Array([1]), [1]).requiresGrad_()]);
    expect(() => opt.step()).toThrow(TypeError);
  });
});

describe('LBFGS with strong-Wolfe line search', () => {
  const rosen = (x: number[]) => (1 - x[0]!) ** 2 + 100 * (x[1]! - x[0]! ** 2) ** 2;
  const rosenGrad = (x: number[]) => [-2 * (1 - x[0]!) - 400 * x[0]! * (x[1]! - x[0]! ** 2), 200 * (x[1]! - x[0]! ** 2)];

  it('minimises the Rosenbrock function', () => {
    const p = Tensor.fromBuffer(new Float64Array([-1.5, 2]), [2]).requiresGrad_();
    const opt = new LBFGS([p], { lineSearchFn: 'strong_wolfe', maxIter: 100 });
    for (let i = 0; i < 5; i++) opt.step(closureFor(p, rosen, rosenGrad));
    expect(p.toTypedArray()[0]).toBeCloseTo(1, 5);
    expect(p.toTypedArray()[1]).toBeCloseTo(1, 5);
  });

  it('returns a step satisfying the strong Wolfe conditions', () => {
    // φ(t) = f(x + t·d) along the steepest-descent direction of Rosenbrock at (−1.2, 1).
    const x = new Float64Array([-1.2, 1]);
    const g0 = rosenGrad(Array.from(x));
    const d = new Float64Array(g0.map((v) => -v));
    const gtd = dot(g0, Array.from(d));
    let evals = 0;
    const obj = (xx: Float64Array, t: number, dd: Float64Array): [number, Float64Array] => {
      evals++;
      const y = Array.from(xx, (v, i) => v + t * dd[i]!);
      return [rosen(y), Float64Array.from(rosenGrad(y))];
    };
    const [fNew, gNew, t, n] = strongWolfe(obj, x, 1, d, rosen(Array.from(x)), Float64Array.from(g0), gtd);
    expect(n).toBe(evals);
    const xt = Array.from(x, (v, i) => v + t * d[i]!);
    expect(fNew).toBeCloseTo(rosen(xt), 12);
    expect(Array.from(gNew)).toEqual(rosenGrad(xt));
    expect(fNew).toBeLessThanOrEqual(rosen(Array.from(x)) + 1e-4 * t * gtd); // sufficient decrease
    expect(Math.abs(dot(Array.from(gNew), Array.from(d)))).toBeLessThanOrEqual(-0.9 * gtd); // curvature
  });

  it('cubicInterpolate finds the exact minimiser of a cubic, and bisects without a real minimum', () => {
    // f(x) = x³ − 3x: minimum at 1; f(0) = 0, f'(0) = −3, f(2) = 2, f'(2) = 9.
    expect(cubicInterpolate(0, 0, -3, 2, 2, 9)).toBeCloseTo(1, 14);
    expect(cubicInterpolate(2, 2, 9, 0, 0, -3)).toBeCloseTo(1, 14);
    expect(cubicInterpolate(0, 0, -3, 2, 2, 9, [1.5, 3])).toBe(1.5);
    // d1 = 0 and d2² = −g1·g2 < 0: the cubic model has no minimum, so the midpoint is taken.
    expect(cubicInterpolate(0, 0, 2, 1, 4 / 3, 2)).toBe(0.5);
  });
});
