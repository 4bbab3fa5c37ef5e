import { Tensor } from '@tsgrad/tensor';

/** How a loss combines its per-element values (PyTorch's `reduction`). */
export type Reduction = 'mean' | 'sum' | 'none';

export function assertTensor(x: unknown, what: string): asserts x is Tensor {
  if (!(x instanceof Tensor)) {
    throw new TypeError(`${what} must be a Tensor, got ${x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x}`);
  }
}

export function assertFloat(x: Tensor, what: string): void {
  if (x.dtype !== 'float32' && x.dtype !== 'float64') throw new TypeError(`${what} must be a floating point tensor, got ${x.dtype}`);
}

export const shapeStr = (s: readonly number[]): string => `[${s.join(', ')}]`;

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function checkReduction(r: unknown, op: string): Reduction {
  if (r === 'mean' || r === 'sum' || r === 'none') return r;
  throw new RangeError(`${op}: reduction must be 'mean', 'sum' or 'none', got ${JSON.stringify(r)}`);
}

export function reduce(loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'none') return loss;
  return reduction === 'sum' ? loss.sum() : loss.mean();
}

export function checkProbability(p: number, what: string): void {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`${what} must be a probability in [0, 1], got ${p}`);
}

export function checkPositiveInt(n: unknown, what: string): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new RangeError(`${what} must be a positive integer, got ${String(n)}`);
  return n;
}
