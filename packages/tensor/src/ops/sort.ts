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

/** -1, 0, 1 comparing a and b ascending, NaN largest. */
function compareAsc(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  const an = a !== a, bn = b !== b;
  return an === bn ? 0 : an ? 1 : -1;
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
  const line = new Float64Array(n);
  const order = new Array<number>(n);
  const cmp = descending
    ? (i: number, j: number) => compareAsc(line[j]!, line[i]!) || i - j
    : (i: number, j: number) => compareAsc(line[i]!, line[j]!) || i - j;
  for (let o = 0; o < outer; o++) {
    for (let r = 0; r < inner; r++) {
      const base = o * n * inner + r;
      for (let j = 0; j < n; j++) { line[j] = flat[base + j * inner]!; order[j] = j; }
      order.sort(cmp);
      for (let j = 0; j < n; j++) ob[base + j * inner] = order[j]!;
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
