import { normalizeDim, shapeToString } from '../layout.js';
import { Tensor } from '../tensor.js';
import { assertTensor } from './util.js';
import { toTypedArray } from './inspect.js';
import { gather } from './indexing.js';
import { contiguous, narrow } from './views.js';

/**
 * Sorting: sort, argsort, topk, each along one dim.
 *
 * The permutation is computed here in TS (a stable index sort per line; no backend kernel), and
 * the values are then taken with `gather(x, dim, indices)`, which records the op
 *
 *   'gather'   [x]   { dim, index }
 *
 * so autograd routes gradients through sort/topk with gather's formula (a scatter-add of the
 * gradient back to the chosen positions). Indices are int32 and never recorded.
 *
 * Order: NaN counts as larger than every number (last when ascending, first when descending), as
 * in torch. Equal values keep their original order (stable) in both directions.
 */
export interface SortResult {
  values: Tensor;
  indices: Tensor;
}

/** Whether key a sorts strictly before key b: ascending, NaN last (or first when `nanFirst`). */
function before(a: number, b: number, nanFirst: boolean): boolean {
  if (a < b) return true;
  if (a >= b) return false;
  const an = a !== a, bn = b !== b; // here at least one is NaN
  return an !== bn && (nanFirst ? an : bn);
}

const RUN = 24;

/**
 * Stable argsort of `keys` into `order` (a bottom-up merge sort over insertion-sorted runs; much
 * faster than Array.prototype.sort with a comparator). Only a strictly smaller right element
 * overtakes a left one, so equal keys keep their original order.
 */
function stableArgsort(keys: Float64Array, n: number, nanFirst: boolean, order: Int32Array, tmp: Int32Array): Int32Array {
  for (let i = 0; i < n; i++) order[i] = i;
  for (let lo = 0; lo < n; lo += RUN) {
    const hi = Math.min(lo + RUN, n);
    for (let i = lo + 1; i < hi; i++) {
      const v = order[i]!, kv = keys[v]!;
      let j = i - 1;
      while (j >= lo && before(kv, keys[order[j]!]!, nanFirst)) { order[j + 1] = order[j]!; j--; }
      order[j + 1] = v;
    }
  }
  let src = order, dst = tmp;
  for (let width = RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n), hi = Math.min(lo + 2 * width, n);
      let i = lo, j = mid, k = lo;
      while (i < mid && j < hi) dst[k++] = before(keys[src[j]!]!, keys[src[i]!]!, nanFirst) ? src[j++]! : src[i++]!;
      while (i < mid) dst[k++] = src[i++]!;
      while (j < hi) dst[k++] = src[j++]!;
    }
    const t = src; src = dst; dst = t;
  }
  return src;
}

/** int32 indices that sort x along dim (contiguous, x's shape). */
function sortIndices(x: Tensor, d: number, descending: boolean): Tensor {
  const shape = x.shape;
  const n = shape[d]!;
  const flat = toTypedArray(x);
  const out = Tensor.empty(shape, 'int32');
  const ob = out.buffer;
  let inner = 1;
  for (let k = d + 1; k < shape.length; k++) inner *= shape[k]!;
  const outer = n === 0 ? 0 : flat.length / (n * inner);
  // Descending order is ascending order of the negated keys, with NaN (still NaN) first.
  const sign = descending ? -1 : 1;
  const keys = new Float64Array(n);
  const order = new Int32Array(n), tmp = new Int32Array(n);
  for (let o = 0; o < outer; o++) {
    for (let r = 0; r < inner; r++) {
      const base = o * n * inner + r;
      for (let j = 0; j < n; j++) keys[j] = sign * flat[base + j * inner]!;
      const sorted = stableArgsort(keys, n, descending, order, tmp);
      for (let j = 0; j < n; j++) ob[base + j * inner] = sorted[j]!;
    }
  }
  return out;
}

function resolveDim(x: Tensor, dim: number): number {
  return normalizeDim(dim, x.ndim);
}

/** Values sorted along dim (ascending unless `descending`) and the int32 indices that sort them (stable). */
export function sort(x: Tensor, dim = -1, descending = false): SortResult {
  assertTensor(x, 'sort');
  if (x.ndim === 0) {
    const indices = Tensor.empty([], 'int32');
    return { values: gather(x, 0, indices), indices };
  }
  const d = resolveDim(x, dim);
  const indices = sortIndices(x, d, descending);
  return { values: gather(x, d, indices), indices };
}

/** The int32 indices that sort x along dim (stable). */
export function argsort(x: Tensor, dim = -1, descending = false): Tensor {
  assertTensor(x, 'argsort');
  if (x.ndim === 0) return Tensor.empty([], 'int32');
  return sortIndices(x, resolveDim(x, dim), descending);
}

/** Options of `topk`: `dim` (default last), `largest` (default true) and `sorted` (default true). */
export interface TopkOptions {
  /** Along this dim (default -1). */
  dim?: number;
  /** The k largest (default) or the k smallest. */
  largest?: boolean;
  /** Accepted for torch compatibility: results are always sorted (largest first when `largest`). */
  sorted?: boolean;
}

/**
 * The k largest (or smallest) elements along dim and their int32 indices (torch.topk). Accepts
 * `topk(x, k, { dim, largest, sorted })` or torch's positional `topk(x, k, dim, largest, sorted)`.
 */
export function topk(x: Tensor, k: number, dimOrOpts: number | TopkOptions = {}, largestArg?: boolean, sortedArg?: boolean): SortResult {
  assertTensor(x, 'topk');
  const opts: TopkOptions = typeof dimOrOpts === 'number' ? { dim: dimOrOpts, largest: largestArg, sorted: sortedArg } : dimOrOpts;
  const largest = opts.largest ?? true;
  if (x.ndim === 0) {
    if (k !== 0 && k !== 1) throw new RangeError(`topk: k (${k}) is out of range for a 0-d tensor (expected 0 or 1)`);
    return sort(x);
  }
  const d = resolveDim(x, opts.dim ?? -1);
  const size = x.shape[d]!;
  if (!Number.isInteger(k) || k < 0 || k > size) {
    throw new RangeError(`topk: k (${k}) is out of range for dimension ${d} of size ${size} (shape ${shapeToString(x.shape)})`);
  }
  const indices = contiguous(narrow(sortIndices(x, d, largest), d, 0, k));
  return { values: gather(x, d, indices), indices };
}

declare module '../tensor.js' {
  interface Tensor {
    sort(dim?: number, descending?: boolean): SortResult;
    argsort(dim?: number, descending?: boolean): Tensor;
    topk(k: number, dimOrOpts?: number | TopkOptions, largest?: boolean, sorted?: boolean): SortResult;
  }
}

const P = Tensor.prototype;
P.sort = function (d, desc) { return sort(this, d, desc); };
P.argsort = function (d, desc) { return argsort(this, d, desc); };
P.topk = function (k, o, l, s) { return topk(this, k, o, l, s); };
