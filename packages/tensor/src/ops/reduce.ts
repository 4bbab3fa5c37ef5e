import type { ReduceOp } from '../backend/backend.js';
import { kernels } from '../backend/registry.js';
import { type DType, isFloating } from '../dtype.js';
import { normalizeDim, normalizeDims, shapeToString } from '../layout.js';
import { recordOp } from '../grad-hooks.js';
import { Tensor } from '../tensor.js';
import { assertFloat, assertTensor } from './util.js';
import { div, exp, log, mul, sqrt, sub, abs, pow } from './elementwise.js';

/**
 * Reductions over all elements or over one or more dims, with `keepdim` as in PyTorch.
 * Composite reductions (mean, var, std, logsumexp, norm) are written with recorded ops, so
 * autograd differentiates them without formulas of their own.
 */
export type Dims = number | readonly number[];

function reducedShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (dims.includes(i)) { if (keepdim) out.push(1); } else out.push(shape[i]!);
  }
  return out;
}

function reduceRaw(op: ReduceOp, x: Tensor, dim: Dims | undefined, keepdim: boolean, dtype: DType): Tensor {
  assertTensor(x, op);
  const dims = normalizeDims(dim, x.ndim);
  const kept = Tensor.empty(reducedShape(x.shape, dims, true), dtype);
  // max/min have no identity: reducing over a size-0 dim is an error, but other dims may be empty.
  const emptyReduced = dims.find((d) => x.shape[d] === 0);
  if ((op === 'max' || op === 'min') && emptyReduced !== undefined) {
    throw new RangeError(`${op}(): cannot reduce over dimension ${emptyReduced} of size 0 (shape ${shapeToString(x.shape)}): the operation has no identity`);
  }
  kernels.current.reduce(op, x, dims, kept);
  return keepdim ? kept : Tensor.fromBuffer(kept.storage.data, reducedShape(x.shape, dims, false), dtype);
}

/** Sum; bool and int32 sum to int32 (torch: int64). */
export function sum(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  assertTensor(x, 'sum');
  const out = reduceRaw('sum', x, dim, keepdim, isFloating(x.dtype) ? x.dtype : 'int32');
  recordOp('sum', [x], out, { dims: normalizeDims(dim, x.ndim), keepdim });
  return out;
}

/** Product of all elements, or along `dim` (torch.prod). */
export function prod(x: Tensor, dim?: number, keepdim = false): Tensor {
  assertTensor(x, 'prod');
  const out = reduceRaw('prod', x, dim, keepdim, isFloating(x.dtype) ? x.dtype : 'int32');
  recordOp('prod', [x], out, { dims: normalizeDims(dim, x.ndim), keepdim });
  return out;
}

/**
 * Mean of all elements, or over `dim` (one or several dims) (torch.mean); integer inputs give float32.
 * @example
 * ```ts
 * tensor([[1, 2], [3, 4]], { dtype: 'float32' }).mean(0).toArray(); // [2, 3]
 * ```
 */
export function mean(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  assertTensor(x, 'mean');
  assertFloat(x, 'mean');
  const dims = normalizeDims(dim, x.ndim);
  let count = 1;
  for (const d of dims) count *= x.shape[d]!;
  return div(sum(x, dims, keepdim), count);
}

/** Largest values over dims (no indices), torch.amax; the gradient is shared evenly among ties. */
export function amax(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  const out = reduceRaw('max', x, dim, keepdim, x.dtype);
  recordOp('amax', [x], out, { dims: normalizeDims(dim, x.ndim), keepdim });
  return out;
}

/** Minimum over `dim` (one or several dims), values only (torch.amin). */
export function amin(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  const out = reduceRaw('min', x, dim, keepdim, x.dtype);
  recordOp('amin', [x], out, { dims: normalizeDims(dim, x.ndim), keepdim });
  return out;
}

/** What `max(dim)`/`min(dim)` return: the values and their int32 indices along the dim. */
export interface ValuesIndices {
  values: Tensor;
  indices: Tensor;
}

function argReduce(op: 'max' | 'min', x: Tensor, dim: number, keepdim: boolean): ValuesIndices {
  const d = normalizeDim(dim, x.ndim);
  if (x.ndim > 0 && x.shape[d] === 0) throw new RangeError(`${op}(dim=${dim}): cannot reduce over a dimension of size 0 (shape ${shapeToString(x.shape)})`);
  const keptShape = x.shape.map((s, i) => (i === d ? 1 : s));
  const values = Tensor.empty(keptShape, x.dtype);
  const indices = Tensor.empty(keptShape, 'int32');
  if (x.ndim === 0) {
    kernels.current.copy(x, values);
  } else kernels.current.argReduce(op, x, d, values, indices);
  const finalShape = keepdim || x.ndim === 0 ? keptShape : x.shape.filter((_, i) => i !== d);
  const v = keepdim ? values : Tensor.fromBuffer(values.storage.data, finalShape, x.dtype);
  const ix = keepdim ? indices : Tensor.fromBuffer(indices.storage.data, finalShape);
  recordOp(op === 'max' ? 'maxDim' : 'minDim', [x], v, { dim: d, keepdim, indices: ix });
  return { values: v, indices: ix };
}

/** `max(x)`: the largest element; `max(x, dim)`: `{ values, indices }` along dim (torch's named tuple). */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function max(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  return dim === undefined ? amax(x) : argReduce('max', x, dim, keepdim);
}

/**
 * Minimum of all elements; with `dim`, `{ values, indices }` along it; with a tensor, the elementwise minimum (torch.min).
 */
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function min(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  return dim === undefined ? amin(x) : argReduce('min', x, dim, keepdim);
}

/** Index of the largest value (over the flattened tensor when dim is omitted), int32. */
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor {
  if (dim === undefined) return argReduce('max', x.reshape(-1), 0, false).indices;
  return argReduce('max', x, dim, keepdim).indices;
}

/** Index of the minimum, over all elements (flattened) or along `dim` (torch.argmin), as int32. */
export function argmin(x: Tensor, dim?: number, keepdim = false): Tensor {
  if (dim === undefined) return argReduce('min', x.reshape(-1), 0, false).indices;
  return argReduce('min', x, dim, keepdim).indices;
}

/** Options of `var`/`std`: `correction` (1 by default, 0 for the population variance) and `keepdim`. */
export interface VarOptions {
  /** Bessel's correction: 1 (default) divides by N-1, 0 by N (torch's `correction`). */
  correction?: number;
  keepdim?: boolean;
}

/**
 * Variance over `dim` (all elements when omitted), with Bessel's correction unless `{ correction: 0 }` (torch.var; `Tensor.var` calls this).
 */
export function variance(x: Tensor, dim?: Dims, opts: VarOptions = {}): Tensor {
  assertFloat(x, 'var');
  const dims = normalizeDims(dim, x.ndim);
  let n = 1;
  for (const d of dims) n *= x.shape[d]!;
  const centered = sub(x, mean(x, dims, true));
  return div(sum(mul(centered, centered), dims, opts.keepdim ?? false), Math.max(n - (opts.correction ?? 1), 0));
}

/** Standard deviation over `dim`, with Bessel's correction unless `{ correction: 0 }` (torch.std). */
export function std(x: Tensor, dim?: Dims, opts: VarOptions = {}): Tensor {
  return sqrt(variance(x, dim, opts));
}

/** log(sum(exp(x))) computed stably by subtracting the max first. */
export function logsumexp(x: Tensor, dim: Dims, keepdim = false): Tensor {
  assertFloat(x, 'logsumexp');
  const dims = normalizeDims(dim, x.ndim);
  // Over a size-0 dim the sum of exponentials is empty: log(0) = -inf, and there is no max to subtract.
  if (dims.some((d) => x.shape[d] === 0)) return log(sum(exp(x), dims, keepdim));
  const m = amax(x, dims, true).detach();
  // An all -inf slice would give -inf - -inf = NaN; shifting by 0 there keeps the answer -inf.
  const shift = m.clone();
  const sb = shift.storage.data;
  for (let i = 0; i < sb.length; i++) if (!Number.isFinite(sb[i]!)) sb[i] = 0;
  const s = log(sum(exp(sub(x, shift)), dims, true));
  const out = s.add(shift);
  return keepdim ? out : out.squeeze(dims);
}

/** p-norm over all elements or dims (p = 2 by default; Infinity for the max-abs norm). */
export function norm(x: Tensor, p = 2, dim?: Dims, keepdim = false): Tensor {
  assertFloat(x, 'norm');
  if (typeof p !== 'number' || Number.isNaN(p)) throw new TypeError(`norm: p must be a number, got ${p}`);
  if (p === Infinity) return amax(abs(x), dim, keepdim);
  if (p === -Infinity) return amin(abs(x), dim, keepdim);
  // The "0-norm" counts nonzero elements, as torch.linalg.vector_norm does.
  if (p === 0) return sum(x.ne(0), dim, keepdim).to(x.dtype);
  if (p === 2) return sqrt(sum(mul(x, x), dim, keepdim));
  if (p === 1) return sum(abs(x), dim, keepdim);
  return pow(sum(pow(abs(x), p), dim, keepdim), 1 / p);
}

/** Whether every element (or every element along `dim`) is nonzero, as bool (torch.all). */
export function all(x: Tensor, dim?: number, keepdim = false): Tensor {
  return reduceRaw('all', x, dim, keepdim, 'bool');
}

/** Whether any element (or any element along `dim`) is nonzero, as bool (torch.any). */
export function any(x: Tensor, dim?: number, keepdim = false): Tensor {
  return reduceRaw('any', x, dim, keepdim, 'bool');
}

/** Cumulative sum along `dim` (torch.cumsum). */
export function cumsum(x: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, x.ndim);
  const out = Tensor.empty(x.shape, isFloating(x.dtype) ? x.dtype : 'int32');
  if (x.ndim === 0) kernels.current.copy(x, out);
  else kernels.current.cumsum(x, d, out);
  recordOp('cumsum', [x], out, { dim: d });
  return out;
}

/**
 * Softmax along `dim`, computed stably (torch.softmax).
 * @example
 * ```ts
 * softmax(tensor([[1, 2, 3]], { dtype: 'float32' }), 1).sum(1).item(); // 1
 * ```
 */
export function softmax(x: Tensor, dim: number): Tensor {
  assertFloat(x, 'softmax');
  const d = normalizeDim(dim, x.ndim);
  const out = Tensor.empty(x.shape, x.dtype);
  if (x.ndim === 0) out.storage.data[0] = 1;
  else kernels.current.softmax(x, d, out, false);
  recordOp('softmax', [x], out, { dim: d });
  return out;
}

/** log(softmax(x)) along `dim`, computed stably (torch.log_softmax). */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  assertFloat(x, 'logSoftmax');
  const d = normalizeDim(dim, x.ndim);
  const out = Tensor.empty(x.shape, x.dtype);
  if (x.ndim === 0) out.storage.data[0] = 0;
  else kernels.current.softmax(x, d, out, true);
  recordOp('logSoftmax', [x], out, { dim: d });
  return out;
}

declare module '../tensor.js' {
  interface Tensor {
    sum(dim?: Dims, keepdim?: boolean): Tensor;
    prod(dim?: number, keepdim?: boolean): Tensor;
    mean(dim?: Dims, keepdim?: boolean): Tensor;
    amax(dim?: Dims, keepdim?: boolean): Tensor;
    amin(dim?: Dims, keepdim?: boolean): Tensor;
    max(): Tensor;
    max(dim: number, keepdim?: boolean): ValuesIndices;
    min(): Tensor;
    min(dim: number, keepdim?: boolean): ValuesIndices;
    argmax(dim?: number, keepdim?: boolean): Tensor;
    argmin(dim?: number, keepdim?: boolean): Tensor;
    var(dim?: Dims, opts?: VarOptions): Tensor;
    std(dim?: Dims, opts?: VarOptions): Tensor;
    logsumexp(dim: Dims, keepdim?: boolean): Tensor;
    norm(p?: number, dim?: Dims, keepdim?: boolean): Tensor;
    all(dim?: number, keepdim?: boolean): Tensor;
    any(dim?: number, keepdim?: boolean): Tensor;
    cumsum(dim: number): Tensor;
    softmax(dim: number): Tensor;
    logSoftmax(dim: number): Tensor;
  }
}

const P = Tensor.prototype;
P.sum = function (d, k) { return sum(this, d, k); };
P.prod = function (d, k) { return prod(this, d, k); };
P.mean = function (d, k) { return mean(this, d, k); };
P.amax = function (d, k) { return amax(this, d, k); };
P.amin = function (d, k) { return amin(this, d, k); };
P.max = function (this: Tensor, d?: number, k?: boolean) { return d === undefined ? amax(this) : max(this, d, k); } as Tensor['max'];
P.min = function (this: Tensor, d?: number, k?: boolean) { return d === undefined ? amin(this) : min(this, d, k); } as Tensor['min'];
P.argmax = function (d, k) { return argmax(this, d, k); };
P.argmin = function (d, k) { return argmin(this, d, k); };
P.var = function (d, o) { return variance(this, d, o); };
P.std = function (d, o) { return std(this, d, o); };
P.logsumexp = function (d, k) { return logsumexp(this, d, k); };
P.norm = function (p, d, k) { return norm(this, p, d, k); };
P.all = function (d, k) { return all(this, d, k); };
P.any = function (d, k) { return any(this, d, k); };
P.cumsum = function (d) { return cumsum(this, d); };
P.softmax = function (d) { return softmax(this, d); };
P.logSoftmax = function (d) { return logSoftmax(this, d); };
