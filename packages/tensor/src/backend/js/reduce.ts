import type { ReduceOp, View } from '../backend.js';
import { compileLoop, forEachLine } from './strided-loop.js';

const INIT: Record<ReduceOp, number> = { sum: 0, prod: 1, max: -Infinity, min: Infinity, all: 1, any: 0 };

/** The identity of `op` as the accumulator's type can hold it (±Infinity would become 0 in an int32 or bool buffer). */
function initValue(op: ReduceOp, acc: View['buffer']): number {
  if (acc instanceof Int32Array) {
    if (op === 'max') return -2147483648;
    if (op === 'min') return 2147483647;
  } else if (acc instanceof Uint8Array) {
    if (op === 'max') return 0;
    if (op === 'min') return 1;
  }
  return INIT[op];
}

const ACC_EXPR: Record<ReduceOp, string> = {
  sum: 'acc + x0',
  prod: 'acc * x0',
  // NaN wins, as in torch.max.
  max: '(x0 > acc || x0 !== x0 ? x0 : acc)',
  min: '(x0 < acc || x0 !== x0 ? x0 : acc)',
  all: '(x0 !== 0 ? acc : 0)',
  any: '(x0 !== 0 ? 1 : acc)',
};

const accKernels = new Map<ReduceOp, ReturnType<typeof compileLoop>>();
// An int32 product wraps around like int32 multiplication (a double product loses low bits past 2^53).
const intProdKernel = compileLoop(1, 'Math.imul(acc, x0)', { accumulate: true });
function accKernel(op: ReduceOp) {
  let k = accKernels.get(op);
  if (k === undefined) {
    k = compileLoop(1, ACC_EXPR[op], { accumulate: true, partialSums: op === 'sum' });
    accKernels.set(op, k);
  }
  return k;
}

/**
 * Reduction by accumulation: walk x in its own memory order and fold each element into the output
 * slot it maps to (zero output stride on reduced dims). Cache-friendly whichever dims are reduced.
 * Sums and products accumulate in float64 even for float32 tensors, for accuracy.
 */
export function reduce(op: ReduceOp, x: View, dims: readonly number[], out: View): void {
  const nd = x.shape.length;
  const outStrides = new Array<number>(nd);
  let s = 1;
  for (let d = nd - 1; d >= 0; d--) {
    outStrides[d] = dims.includes(d) ? 0 : s;
    if (!dims.includes(d)) s *= x.shape[d]!;
  }
  const n = s;
  const intProd = op === 'prod' && out.buffer instanceof Int32Array;
  const wide = (op === 'sum' || op === 'prod') && !(out.buffer instanceof Float64Array) && !intProd;
  const acc = wide ? new Float64Array(n) : out.buffer;
  const accOffset = wide ? 0 : out.offset;
  acc.fill(initValue(op, acc), accOffset, accOffset + n);
  (intProd ? intProdKernel : accKernel(op))({ buffer: acc, shape: x.shape, strides: outStrides, offset: accOffset }, [x]);
  if (wide) {
    const o = out.buffer;
    for (let i = 0; i < n; i++) o[out.offset + i] = acc[i]!;
  }
}

/** First index of the max (or min) along `dim`; NaN counts as the extreme, as in torch.argmax. */
export function argReduce(op: 'max' | 'min', x: View, dim: number, values: View, indices: View): void {
  const len = x.shape[dim]!;
  const sx = x.strides[dim]!;
  const xb = x.buffer;
  const vb = values.buffer;
  const ib = indices.buffer;
  const isMax = op === 'max';
  forEachLine(x.shape, [x.strides, values.strides, indices.strides], [x.offset, values.offset, indices.offset], dim, (b) => {
    let best = xb[b[0]!]!;
    let bi = 0;
    if (best === best) {
      for (let i = 1, p = b[0]! + sx; i < len; i++, p += sx) {
        const v = xb[p]!;
        if (v !== v) { best = v; bi = i; break; }
        if (isMax ? v > best : v < best) { best = v; bi = i; }
      }
    }
    vb[b[1]!] = best;
    ib[b[2]!] = bi;
  });
}

export function cumsum(x: View, dim: number, out: View): void {
  const len = x.shape[dim]!;
  const sx = x.strides[dim]!;
  const so = out.strides[dim]!;
  const xb = x.buffer;
  const ob = out.buffer;
  forEachLine(x.shape, [x.strides, out.strides], [x.offset, out.offset], dim, (b) => {
    let acc = 0;
    for (let i = 0, p = b[0]!, q = b[1]!; i < len; i++, p += sx, q += so) {
      acc += xb[p]!;
      ob[q] = acc;
    }
  });
}

/** Softmax / log-softmax along `dim` with the max subtracted first, so exp never overflows. */
export function softmax(x: View, dim: number, out: View, log: boolean): void {
  const len = x.shape[dim]!;
  const sx = x.strides[dim]!;
  const so = out.strides[dim]!;
  const xb = x.buffer;
  const ob = out.buffer;
  forEachLine(x.shape, [x.strides, out.strides], [x.offset, out.offset], dim, (b) => {
    let m = -Infinity;
    for (let i = 0, p = b[0]!; i < len; i++, p += sx) { const v = xb[p]!; if (v > m || v !== v) m = v; }
    if (m === -Infinity) m = 0; // an all -inf line: exp(-inf - 0) = 0, giving NaN from 0/0 as torch does
    let sum = 0;
    for (let i = 0, p = b[0]!; i < len; i++, p += sx) sum += Math.exp(xb[p]! - m);
    if (log) {
      const lse = m + Math.log(sum);
      for (let i = 0, p = b[0]!, q = b[1]!; i < len; i++, p += sx, q += so) ob[q] = xb[p]! - lse;
    } else {
      const inv = 1 / sum;
      for (let i = 0, p = b[0]!, q = b[1]!; i < len; i++, p += sx, q += so) ob[q] = Math.exp(xb[p]! - m) * inv;
    }
  });
}
