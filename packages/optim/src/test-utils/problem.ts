import { Tensor, tensor, type DType } from '@tsgrad/tensor';

/**
 * A small deterministic problem for optimizer trajectory tests: two parameters (shapes [2, 3] and
 * [4]) and the gradient of f(x) = Σ aᵢxᵢ²/2 + bᵢxᵢ + 0.3·sin(xᵢ), i.e. gᵢ = aᵢxᵢ + bᵢ + 0.3·cos(xᵢ),
 * computed analytically from the current parameter values (so no autograd is needed).
 */
export const SHAPES = [[2, 3], [4]] as const;

export function coef(i: number): [number, number] {
  return [0.5 + (i % 5) * 0.3, (((i * 7) % 11) - 5) / 5];
}

export function initialValues(): number[][] {
  let k = 0;
  return SHAPES.map((s) => Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => { const v = Math.sin(1.3 * k + 0.2) * 1.5; k++; return v; }));
}

export function gradOf(x: readonly number[], base: number): number[] {
  return x.map((v, j) => { const [a, b] = coef(base + j); return a * v + b + 0.3 * Math.cos(v); });
}

export function makeParams(dtype: DType = 'float64', values = initialValues()): Tensor[] {
  return values.map((v, i) => Tensor.fromBuffer(dtype === 'float64' ? Float64Array.from(v) : Float32Array.from(v), SHAPES[i]!).requiresGrad_());
}

/** Sets each parameter's .grad to the analytic gradient at its current value. */
export function setGrads(params: Tensor[]): void {
  let base = 0;
  for (const p of params) {
    const x = Array.from(p.toTypedArray());
    p.grad = tensor(gradOf(x, base), { dtype: p.dtype }).reshape(p.shape);
    base += x.length;
  }
}

export function values(params: Tensor[]): number[][] {
  return params.map((p) => Array.from(p.toTypedArray()));
}

/** Runs `steps` optimizer steps with analytic gradients; returns parameter values after each step. */
export function trajectory(params: Tensor[], step: () => void, steps: number): number[][][] {
  const out: number[][][] = [];
  for (let s = 0; s < steps; s++) {
    setGrads(params);
    step();
    out.push(values(params));
  }
  return out;
}

/**
 * The reference trajectory: `update(x, g, state, t)` applies one documented update to one
 * parameter's flat values `x` (float64 numbers) in place; `state` persists per parameter.
 */
export function referenceTrajectory(
  update: (x: number[], g: number[], state: Record<string, number[] | number>, t: number) => void,
  steps: number,
): number[][][] {
  const xs = initialValues();
  const states = xs.map(() => ({} as Record<string, number[] | number>));
  const out: number[][][] = [];
  for (let t = 1; t <= steps; t++) {
    let base = 0;
    xs.forEach((x, i) => {
      const g = gradOf(x, base);
      base += x.length;
      update(x, g, states[i]!, t);
    });
    out.push(xs.map((x) => x.slice()));
  }
  return out;
}

export function expectTrajectoriesClose(actual: number[][][], expected: number[][][], rtol: number, atol: number): void {
  if (actual.length !== expected.length) throw new Error(`trajectory lengths differ: ${actual.length} vs ${expected.length}`);
  actual.forEach((stepVals, s) => stepVals.forEach((vals, p) => vals.forEach((v, i) => {
    const e = expected[s]![p]![i]!;
    if (!(Math.abs(v - e) <= atol + rtol * Math.abs(e))) {
      throw new Error(`step ${s + 1}, param ${p}, element ${i}: got ${v}, expected ${e} (diff ${Math.abs(v - e)})`);
    }
  })));
}
