import { describe, expect, it } from 'vitest';
import { Tensor, type DType } from '@tsgrad/tensor';
import '@tsgrad/autograd';
import { Adadelta, Adagrad, Adam, Adamax, AdamW, CosineAnnealingLR, LBFGS, NAdam, OneCycleLR, RAdam, RMSprop, SGD, type Optimizer } from './index.js';

/** Gradients come from real backward() through @tsgrad/autograd. */
const fromRows = (rows: number[][], dtype: DType): Tensor => {
  const flat = rows.flat();
  return Tensor.fromBuffer(dtype === 'float64' ? Float64Array.from(flat) : Float32Array.from(flat), [rows.length, rows[0]!.length]);
};
const leaf = (shape: number[], dtype: DType): Tensor => Tensor.empty(shape, dtype).requiresGrad_();

/** Solves M·x = v by Gaussian elimination with partial pivoting (float64). */
function solve(M: number[][], v: number[]): number[] {
  const n = v.length;
  const a = M.map((r, i) => [...r, v[i]!]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[piv]![c]!)) piv = r;
    [a[c], a[piv]] = [a[piv]!, a[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k <= n; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = a[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= a[r]![k]! * x[k]!;
    x[r] = s / a[r]![r]!;
  }
  return x;
}

// f(x) = ½xᵀAx − bᵀx, minimised at A⁻¹b.
const A = [[4, 1, 0, 0.5], [1, 3, 0.2, 0], [0, 0.2, 2, 0.3], [0.5, 0, 0.3, 1]];
const b = [1, -2, 0.5, 1.5];
const xStar = solve(A, b);

type Make = (params: Tensor[]) => Optimizer<any>;
const QUADRATIC: [string, Make, number][] = [
  ['SGD', (p) => new SGD(p, { lr: 0.1 }), 400],
  ['SGD momentum', (p) => new SGD(p, { lr: 0.05, momentum: 0.9 }), 300],
  ['SGD nesterov', (p) => new SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true }), 300],
  ['Adam', (p) => new Adam(p, { lr: 0.05 }), 800],
  ['Adam amsgrad', (p) => new Adam(p, { lr: 0.05, amsgrad: true }), 800],
  ['AdamW (no decay)', (p) => new AdamW(p, { lr: 0.05, weightDecay: 0 }), 800],
  ['RMSprop centered momentum', (p) => new RMSprop(p, { lr: 0.003, centered: true, momentum: 0.9 }), 800],
  ['Adagrad', (p) => new Adagrad(p, { lr: 0.5 }), 800],
  ['Adadelta', (p) => new Adadelta(p, { lr: 0.2, eps: 1e-3 }), 2000],
  ['Adamax', (p) => new Adamax(p, { lr: 0.05 }), 800],
  ['NAdam', (p) => new NAdam(p, { lr: 0.05 }), 800],
  ['RAdam', (p) => new RAdam(p, { lr: 0.05 }), 800],
];

describe('convergence on a quadratic (float64, gradients by backward())', () => {
  it.each(QUADRATIC)('%s reaches A⁻¹b', (_name, make, steps) => {
    const Am = fromRows(A, 'float64');
    const bm = fromRows(b.map((v) => [v]), 'float64');
    const x = leaf([4, 1], 'float64');
    const opt = make([x]);
    for (let s = 0; s < steps; s++) {
      opt.zeroGrad();
      const loss = x.t().matmul(Am.matmul(x)).mul(0.5).sub(bm.t().matmul(x)).sum();
      loss.backward();
      opt.step();
    }
    Array.from(x.toTypedArray()).forEach((v, i) => expect(Math.abs(v - xStar[i]!)).toBeLessThan(2e-3));
  });
});

// A small linear regression: y = X·w* + b* (noise-free), model ŷ = X·w + b, MSE loss.
const N = 32;
const X = Array.from({ length: N }, (_, i) => [Math.sin(i * 0.7), Math.cos(i * 1.3), ((i % 7) - 3) / 3]);
const W_TRUE = [0.5, -1, 2];
const B_TRUE = 0.3;
const Y = X.map((r) => [r.reduce((s, v, j) => s + v * W_TRUE[j]!, 0) + B_TRUE]);

function trainRegression(make: Make, steps: number, after?: (opt: Optimizer<any>) => { step(): void }, dtype: DType = 'float32'): { w: number[]; b: number; loss: number } {
  const Xt = fromRows(X, dtype);
  const Yt = fromRows(Y, dtype);
  const w = leaf([3, 1], dtype);
  const bias = leaf([1], dtype);
  const opt = make([w, bias]);
  const sched = after?.(opt);
  let last = Infinity;
  const closure = () => {
    opt.zeroGrad();
    const loss = Xt.matmul(w).add(bias).sub(Yt).square().mean();
    loss.backward();
    return loss;
  };
  for (let s = 0; s < steps; s++) {
    last = (opt.step(closure) as Tensor).item();
    sched?.step();
  }
  return { w: Array.from(w.toTypedArray()), b: bias.item(), loss: last };
}

const REGRESSION: [string, Make, number, DType?][] = [
  ['SGD momentum', (p) => new SGD(p, { lr: 0.1, momentum: 0.9 }), 300],
  ['Adam', (p) => new Adam(p, { lr: 0.05 }), 600],
  ['AdamW', (p) => new AdamW(p, { lr: 0.05, weightDecay: 1e-4 }), 600],
  ['RMSprop', (p) => new RMSprop(p, { lr: 0.01 }), 600],
  ['Adagrad', (p) => new Adagrad(p, { lr: 0.5 }), 600],
  // Near the optimum Adadelta's step tends to lr·g, so lr must be below 2/λmax of the Hessian
  // (with lr 1 it settles around 1e-8 and then oscillates).
  ['Adadelta', (p) => new Adadelta(p, { lr: 0.5, eps: 1e-3 }), 1500],
  ['Adamax', (p) => new Adamax(p, { lr: 0.05 }), 600],
  ['NAdam', (p) => new NAdam(p, { lr: 0.05 }), 600],
  ['RAdam', (p) => new RAdam(p, { lr: 0.05 }), 600],
  ['LBFGS strong Wolfe', (p) => new LBFGS(p, { lineSearchFn: 'strong_wolfe' }), 3],
  ['LBFGS default', (p) => new LBFGS(p, { lr: 0.5 }), 10],
];

describe('convergence on a small regression (float32, closures with backward())', () => {
  it.each(REGRESSION)('%s recovers the weights', (_name, make, steps, dtype) => {
    const { w, b, loss } = trainRegression(make, steps, undefined, dtype);
    expect(loss).toBeLessThan(1e-4);
    w.forEach((v, i) => expect(Math.abs(v - W_TRUE[i]!)).toBeLessThan(1e-2));
    expect(Math.abs(b - B_TRUE)).toBeLessThan(1e-2);
  });

  it('SGD with OneCycleLR, and Adam with CosineAnnealingLR', () => {
    const one = trainRegression((p) => new SGD(p, { lr: 0.1, momentum: 0.9 }), 200, (o) => new OneCycleLR(o, { maxLr: 0.2, totalSteps: 200 }));
    expect(one.loss).toBeLessThan(1e-4);
    const cos = trainRegression((p) => new Adam(p, { lr: 0.05 }), 600, (o) => new CosineAnnealingLR(o, { tMax: 600 }));
    expect(cos.loss).toBeLessThan(1e-4);
  });
});
