import { Tensor } from '@tsgrad/tensor';

/** Deterministic float64 test inputs (a tiny LCG, so failures reproduce). */
let state = 0x2545f491;
export function reseed(seed: number): void {
  state = seed >>> 0;
}
function next(): number {
  state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
  return state / 2 ** 32;
}

/** A float64 leaf requiring grad with values uniform in [lo, hi). */
export function rand(shape: number[], lo = -1, hi = 1, requiresGrad = true): Tensor {
  const t = Tensor.empty(shape, 'float64');
  const d = t.storage.data;
  for (let i = 0; i < d.length; i++) d[i] = lo + (hi - lo) * next();
  if (requiresGrad) t.requiresGrad_();
  return t;
}

/** Like rand, but a non-contiguous leaf: the transpose of a [..., b, a] tensor (shape needs >= 2 dims). */
export function randT(shape: number[], lo = -1, hi = 1): Tensor {
  const n = shape.length;
  const swapped = shape.slice();
  [swapped[n - 2], swapped[n - 1]] = [swapped[n - 1]!, swapped[n - 2]!];
  const t = rand(swapped, lo, hi, false).transpose(n - 2, n - 1);
  if (t.isContiguous() && shape[n - 1]! > 1 && shape[n - 2]! > 1) throw new Error('randT: expected a non-contiguous tensor');
  return t.requiresGrad_();
}

/** Values bounded away from zero: |v| in [lo, hi) with random sign. */
export function randAway(shape: number[], lo = 0.5, hi = 1.5): Tensor {
  const t = rand(shape, lo, hi, false);
  const d = t.storage.data;
  for (let i = 0; i < d.length; i++) if (next() < 0.5) d[i] = -d[i]!;
  return t.requiresGrad_();
}
