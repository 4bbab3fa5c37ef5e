import type { BinaryOp, UnaryOp, View } from '../backend.js';
import { compileLoop, type LoopKernel } from './strided-loop.js';
import { erf } from './erf.js';

/** Round half to even, as torch.round (C's nearbyint) does. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const helpers = { erf, roundHalfEven };

/** Elementwise formulas in terms of `x0` (and `x1`). Comparisons yield 1/0 for bool outputs. */
export const UNARY_EXPR: Record<UnaryOp, string> = {
  identity: 'x0',
  neg: '-x0',
  abs: 'Math.abs(x0)',
  sign: '(x0 > 0 ? 1 : x0 < 0 ? -1 : x0)',
  exp: 'Math.exp(x0)',
  log: 'Math.log(x0)',
  log1p: 'Math.log1p(x0)',
  expm1: 'Math.expm1(x0)',
  sqrt: 'Math.sqrt(x0)',
  rsqrt: '1 / Math.sqrt(x0)',
  square: 'x0 * x0',
  reciprocal: '1 / x0',
  sin: 'Math.sin(x0)',
  cos: 'Math.cos(x0)',
  tanh: 'Math.tanh(x0)',
  // Two branches so neither exp overflows.
  sigmoid: '(x0 >= 0 ? 1 / (1 + Math.exp(-x0)) : Math.exp(x0) / (1 + Math.exp(x0)))',
  // Branch-free (a select on random signs mispredicts half the time: 2x slower): x·[x > 0] keeps
  // NaN (NaN·0), and `+ 0` turns the -0 of a negative times 0 into 0. Only -Inf (-Inf·0 = NaN)
  // needs the branch, which is almost never taken and so predicted.
  relu: '(x0 === -Infinity ? 0 : x0 * ((x0 > 0) | 0) + 0)',
  // x·Φ(x); at -Infinity the limit 0 (the formula alone would give -inf·0 = NaN).
  gelu: '(x0 === -Infinity ? 0 : 0.5 * x0 * (1 + erf(x0 * 0.7071067811865476)))',
  erf: 'erf(x0)',
  floor: 'Math.floor(x0)',
  ceil: 'Math.ceil(x0)',
  round: 'roundHalfEven(x0)',
  logicalNot: '(x0 === 0 ? 1 : 0)',
};

export const BINARY_EXPR: Record<BinaryOp, string> = {
  add: 'x0 + x1',
  sub: 'x0 - x1',
  mul: 'x0 * x1',
  div: 'x0 / x1',
  pow: 'Math.pow(x0, x1)',
  // NaN propagates, as torch.maximum/minimum.
  maximum: '(x0 !== x0 || x0 > x1 ? x0 : x1)',
  minimum: '(x0 !== x0 || x0 < x1 ? x0 : x1)',
  // Python's modulo: the result takes the divisor's sign (torch.remainder).
  remainder: '((x0 % x1) !== 0 && ((x0 % x1) < 0) !== (x1 < 0) ? (x0 % x1) + x1 : (x0 % x1))',
  atan2: 'Math.atan2(x0, x1)',
  eq: '(x0 === x1 ? 1 : 0)',
  ne: '(x0 !== x1 ? 1 : 0)',
  lt: '(x0 < x1 ? 1 : 0)',
  le: '(x0 <= x1 ? 1 : 0)',
  gt: '(x0 > x1 ? 1 : 0)',
  ge: '(x0 >= x1 ? 1 : 0)',
  logicalAnd: '(x0 !== 0 && x1 !== 0 ? 1 : 0)',
  logicalOr: '(x0 !== 0 || x1 !== 0 ? 1 : 0)',
  logicalXor: '((x0 !== 0) !== (x1 !== 0) ? 1 : 0)',
};

function lazyTable<K extends string>(make: (k: K) => LoopKernel): (k: K) => LoopKernel {
  const cache = new Map<K, LoopKernel>();
  return (k) => {
    let fn = cache.get(k);
    if (fn === undefined) {
      fn = make(k);
      cache.set(k, fn);
    }
    return fn;
  };
}

const unaryKernel = lazyTable<UnaryOp>((op) => compileLoop(1, UNARY_EXPR[op], { helpers }));
const binaryKernel = lazyTable<BinaryOp>((op) => compileLoop(2, BINARY_EXPR[op], { helpers }));
const scalarKernel = lazyTable<BinaryOp>((op) => compileLoop(1, BINARY_EXPR[op].replaceAll('x1', 's'), { extra: ['s'], helpers }));
const rscalarKernel = lazyTable<BinaryOp>((op) =>
  compileLoop(1, BINARY_EXPR[op].replaceAll('x0', '\u0000').replaceAll('x1', 'x0').replaceAll('\u0000', 's'), { extra: ['s'], helpers }),
);
const whereKernel = compileLoop(3, '(x0 !== 0 ? x1 : x2)');
// min(max(x, lo), hi): NaN propagates, and with lo > hi everything becomes hi (as torch.clamp).
const clampKernel = compileLoop(1, 'Math.min(Math.max(x0, lo), hi)', { extra: ['lo', 'hi'] });
// int32 products wrap around in two's complement; a double product loses low bits beyond 2^53.
const imulKernel = compileLoop(2, 'Math.imul(x0, x1)');
const imulScalarKernel = compileLoop(1, 'Math.imul(x0, s)', { extra: ['s'] });
const isquareKernel = compileLoop(1, 'Math.imul(x0, x0)');
const copyKernel = compileLoop(1, 'x0');
const boolCopyKernel = compileLoop(1, '(x0 !== 0 ? 1 : 0)');
const fillKernel = compileLoop(0, 'v', { extra: ['v'] });

export function unary(op: UnaryOp, x: View, out: View): void {
  if (op === 'square' && out.buffer instanceof Int32Array) isquareKernel(out, [x]);
  else unaryKernel(op)(out, [x]);
}

export function binary(op: BinaryOp, a: View, b: View, out: View): void {
  if (op === 'mul' && out.buffer instanceof Int32Array) imulKernel(out, [a, b]);
  else binaryKernel(op)(out, [a, b]);
}

export function binaryScalar(op: BinaryOp, a: View, scalar: number, out: View, reverse: boolean): void {
  if (op === 'mul' && out.buffer instanceof Int32Array) imulScalarKernel(out, [a], scalar);
  else (reverse ? rscalarKernel : scalarKernel)(op)(out, [a], scalar);
}

const reluBackwardKernel = compileLoop(2, '(x1 > 0 ? x0 : 0)');

function isDense(v: View): boolean {
  let expected = 1;
  for (let d = v.shape.length - 1; d >= 0; d--) {
    const size = v.shape[d]!;
    if (size !== 1 && v.strides[d] !== expected) return false;
    expected *= size;
  }
  return true;
}

export function reluBackward(grad: View, y: View, out: View): void {
  // In place, the redo pass below would re-read overwritten inputs.
  if (!isDense(grad) || !isDense(y) || !isDense(out) || grad.buffer.buffer === out.buffer.buffer || y.buffer.buffer === out.buffer.buffer) {
    reluBackwardKernel(out, [grad, y]);
    return;
  }
  const rd = out.buffer, gd = grad.buffer, yd = y.buffer;
  const ro = out.offset, go = grad.offset, yo = y.offset;
  let n = 1;
  for (let d = 0; d < out.shape.length; d++) n *= out.shape[d]!;
  // Branch-free (the sign of y is random, so a branch mispredicts half the time): g·[y > 0] + 0
  // (the + 0 turns -0 into 0, as the select gives). A non-finite g gives NaN instead of 0 where
  // y <= 0 (Inf·0): \`bad\` catches that and the select loop redoes the pass.
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const gv = gd[go + i]!;
    rd[ro + i] = gv * (((yd[yo + i]! > 0) as unknown as number) | 0) + 0;
    bad += gv * 0;
  }
  if (bad !== 0) reluBackwardKernel(out, [grad, y]);
}

export function where(cond: View, a: View, b: View, out: View): void {
  whereKernel(out, [cond, a, b]);
}

export function clamp(x: View, lo: number, hi: number, out: View): void {
  clampKernel(out, [x], lo, hi);
}

export function copy(src: View, out: View): void {
  // A cast to bool is "nonzero", not truncation (0.5 -> true); other casts are what typed-array stores do.
  (out.buffer instanceof Uint8Array && !(src.buffer instanceof Uint8Array) ? boolCopyKernel : copyKernel)(out, [src]);
}

export function fill(out: View, value: number): void {
  fillKernel(out, [], value);
}
