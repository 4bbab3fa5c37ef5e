import type { NativeBackend, RawAddon, TypedArray, View } from './types.js';

type FloatArray = Float32Array | Float64Array;
const MAX_DIMS = 16;

/**
 * Below these sizes a call stays in TS: one N-API call with its argument checks costs about
 * 0.5-1 µs, which the TS loop beats on small tensors for cheap ops (add: crossover near 256-512
 * elements) but not for exp/tanh/sigmoid/log (native wins from 64). Measured with
 * bench/elementwise-crossover.ts. Deciding is a shape product, nothing allocated.
 */
export interface NativeThresholds {
  /** add, mul, relu, copy, fill, clamp, where, reluBackward ... */
  readonly cheap: number;
  /** exp, log, tanh, sigmoid, softmax */
  readonly transcendental: number;
  /** sum, max, min */
  readonly reduce: number;
}
export const DEFAULT_THRESHOLDS: NativeThresholds = { cheap: 512, transcendental: 64, reduce: 256 };
/** The smallest tensor a cheap elementwise op sends to native. */
export const MIN_NATIVE_ELEMENTS = DEFAULT_THRESHOLDS.cheap;
/** Unary codes from here on (exp, log, tanh, sigmoid) are the transcendental ones. */
const FIRST_TRANSCENDENTAL = 12;

// Op codes, in csrc/elementwise_ops.h's order. Ops not listed run in TS.
const UNARY_CODES: Readonly<Record<string, number>> = {
  identity: 0, neg: 1, abs: 2, sign: 3, square: 4, reciprocal: 5, sqrt: 6, rsqrt: 7, relu: 8, floor: 9, ceil: 10,
  round: 11, exp: 12, log: 13, tanh: 14, sigmoid: 15,
};
const BINARY_CODES: Readonly<Record<string, number>> = { add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5 };
const REDUCE_CODES: Readonly<Record<string, number>> = { sum: 0, max: 1, min: 2 };

function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (let d = 0; d < shape.length; d++) n *= shape[d]!;
  return n;
}


/**
 * Whether a view has no more elements than the memory it spans: the addon refuses views that
 * repeat elements (outputs, reduced inputs), so those stay in TS. Broadcast inputs may repeat.
 */
function notRepeating(v: View, n: number): boolean {
  if (n === 0) return true;
  let span = 1;
  for (let d = 0; d < v.shape.length; d++) span += (v.shape[d]! - 1) * Math.abs(v.strides[d]!);
  return n <= span;
}

const sameType = (a: TypedArray, b: TypedArray): boolean => a.constructor === b.constructor;

// Metadata arrays, reused (kernels run synchronously); the addon checks the exact length, so one per (operands, rank).
const metas: Float64Array[][] = [[], [], [], [], []];
function metaFor(nops: number, nd: number, extra = 0): Float64Array {
  const row = metas[nops]!;
  const key = nd * 32 + extra;
  return (row[key] ??= new Float64Array(1 + nd + nops * (nd + 1) + extra));
}

/** Writes [nd, shape..., (strides..., offset) of v0, v1, ...] and returns the next free slot. */
function putViews(m: Float64Array, shape: readonly number[], v0: View, v1?: View, v2?: View, v3?: View): number {
  const nd = shape.length;
  let k = 0;
  m[k++] = nd;
  for (let d = 0; d < nd; d++) m[k++] = shape[d]!;
  k = putStrides(m, k, v0);
  if (v1 !== undefined) k = putStrides(m, k, v1);
  if (v2 !== undefined) k = putStrides(m, k, v2);
  if (v3 !== undefined) k = putStrides(m, k, v3);
  return k;
}

function putStrides(m: Float64Array, k: number, v: View): number {
  const s = v.strides;
  for (let d = 0; d < s.length; d++) m[k++] = s[d]!;
  m[k++] = v.offset;
  return k;
}

/**
 * The elementwise, reduction and softmax kernels of the native backend. Calls on tensors smaller
 * than the thresholds decline (tests pass zeros to run every size natively).
 */
export function elementwiseKernels(addon: RawAddon, min: NativeThresholds = DEFAULT_THRESHOLDS): Pick<
  NativeBackend,
  'unary' | 'binary' | 'binaryScalar' | 'where' | 'clamp' | 'reluBackward' | 'fill' | 'copy' | 'reduce' | 'softmax'
> {
  /** A float view of at most MAX_DIMS dims, at least `minElements` elements, none repeated. */
  // The size test first: it is what declines the many tiny tensors (W6 adds [10, 10]) cheapest.
  const worthIt = (out: View, minElements = min.cheap): boolean => {
    const n = numelOf(out.shape);
    if (n < minElements) return false;
    const b = out.buffer;
    return (b instanceof Float32Array || b instanceof Float64Array) && out.shape.length <= MAX_DIMS && notRepeating(out, n);
  };
  return {
    unary(op, x, out) {
      if (numelOf(out.shape) < Math.min(min.cheap, min.transcendental)) return false;
      const code = UNARY_CODES[op];
      if (code === undefined || !worthIt(out, code >= FIRST_TRANSCENDENTAL ? min.transcendental : min.cheap) || !sameType(x.buffer, out.buffer)) return false;
      const m = metaFor(2, out.shape.length);
      putViews(m, out.shape, out, x);
      addon.unary(code, x.buffer as FloatArray, out.buffer as FloatArray, m);
    },

    binary(op, a, b, out) {
      if (!worthIt(out)) return false;
      const code = BINARY_CODES[op];
      if (code === undefined || !sameType(a.buffer, out.buffer) || !sameType(b.buffer, out.buffer)) return false;
      const m = metaFor(3, out.shape.length);
      putViews(m, out.shape, out, a, b);
      addon.binary(code, a.buffer as FloatArray, b.buffer as FloatArray, out.buffer as FloatArray, m);
    },

    binaryScalar(op, a, scalar, out, reverse) {
      if (!worthIt(out)) return false;
      const code = BINARY_CODES[op];
      if (code === undefined || !sameType(a.buffer, out.buffer)) return false;
      const m = metaFor(2, out.shape.length);
      putViews(m, out.shape, out, a);
      addon.binaryScalar(code, a.buffer as FloatArray, out.buffer as FloatArray, m, scalar, reverse);
    },

    where(cond, a, b, out) {
      const c = cond.buffer;
      if (!worthIt(out) || !sameType(a.buffer, out.buffer) || !sameType(b.buffer, out.buffer)) return false;
      if (!(c instanceof Uint8Array) && !sameType(c, out.buffer)) return false;
      const m = metaFor(4, out.shape.length);
      putViews(m, out.shape, out, cond, a, b);
      addon.where(c as FloatArray | Uint8Array, a.buffer as FloatArray, b.buffer as FloatArray, out.buffer as FloatArray, m);
    },

    clamp(x, lo, hi, out) {
      if (!worthIt(out) || !sameType(x.buffer, out.buffer)) return false;
      const m = metaFor(2, out.shape.length);
      putViews(m, out.shape, out, x);
      addon.clamp(x.buffer as FloatArray, out.buffer as FloatArray, m, lo, hi);
    },

    reluBackward(grad, y, out) {
      if (!worthIt(out) || !sameType(grad.buffer, out.buffer) || !sameType(y.buffer, out.buffer)) return false;
      const m = metaFor(3, out.shape.length);
      putViews(m, out.shape, out, grad, y);
      addon.reluBackward(grad.buffer as FloatArray, y.buffer as FloatArray, out.buffer as FloatArray, m);
    },

    fill(out, value) {
      if (!worthIt(out)) return false;
      const m = metaFor(1, out.shape.length);
      putViews(m, out.shape, out);
      addon.fill(out.buffer as FloatArray, m, value);
    },

    copy(src, out) {
      if (!worthIt(out) || !sameType(src.buffer, out.buffer)) return false;
      const m = metaFor(2, out.shape.length);
      putViews(m, out.shape, out, src);
      addon.copy(src.buffer as FloatArray, out.buffer as FloatArray, m);
    },

    reduce(op, x, dims, out) {
      const code = REDUCE_CODES[op];
      if (code === undefined || !worthIt(x, min.reduce) || !sameType(x.buffer, out.buffer)) return false;
      const nd = x.shape.length;
      const m = metaFor(1, nd, 2 + dims.length);
      let k = putViews(m, x.shape, x);
      m[k++] = out.offset;
      m[k++] = dims.length;
      for (let i = 0; i < dims.length; i++) m[k++] = dims[i]!;
      addon.reduce(code, x.buffer as FloatArray, out.buffer as FloatArray, m);
    },

    softmax(x, dim, out, log) {
      if (!worthIt(out, min.transcendental) || !worthIt(x, min.transcendental) || out.shape.length === 0 || !sameType(x.buffer, out.buffer)) return false;
      const m = metaFor(2, out.shape.length, 1);
      const k = putViews(m, out.shape, x, out);
      m[k] = dim;
      addon.softmax(x.buffer as FloatArray, out.buffer as FloatArray, m, log);
    },
  };
}
