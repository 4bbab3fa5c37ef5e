import type { BinaryOp, UnaryOp } from '../backend/backend.js';
import { kernels } from '../backend/registry.js';
import { type DType, castScalar, isFloating, promoteTypes, promoteWithScalar } from '../dtype.js';
import { broadcastShapes, sameShape, shapeToString } from '../layout.js';
import { recordOp, wouldRecord } from '../grad-hooks.js';
import { Tensor } from '../tensor.js';
import {
  adoptResult, assertNoInternalOverlap, assertTensor, broadcastView, checkInplace, readableWhileWriting, scalarTensor,
} from './util.js';

/**
 * Elementwise ops with NumPy broadcasting: arithmetic, comparisons, logical ops, unary math,
 * `where` and `clamp`, each as a free function and a Tensor method, with in-place variants.
 * Gradients for these live in @tsgrad/autograd's grads/elementwise.ts under the same op names.
 */
export type Operand = Tensor | number | boolean;

// Comparisons as a switch rather than a Set lookup: `a.add(b)` inlines binaryOp with a constant op
// name, and TurboFan folds a switch on a constant away (it cannot fold Set#has).
function isComparison(op: BinaryOp): boolean {
  switch (op) {
    case 'eq': case 'ne': case 'lt': case 'le': case 'gt': case 'ge': case 'logicalAnd': case 'logicalOr': case 'logicalXor': return true;
    default: return false;
  }
}

/** Ops autograd differentiates; comparisons and logical ops produce bools and are never recorded. */
const DIFFERENTIABLE_BINARY = new Set<BinaryOp>(['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'atan2', 'remainder']);

/** Result dtype of a binary op after promotion (comparisons give bool, true division gives float). */
function binaryResultType(op: BinaryOp, computeType: DType): DType {
  if (isComparison(op)) return 'bool';
  if ((op === 'div' || op === 'atan2') && !isFloating(computeType)) return 'float32';
  return computeType;
}

/** Bool arithmetic means logic, as in PyTorch (True + True is True); bool subtraction is an error. */
function boolArith(op: BinaryOp, computeType: DType): BinaryOp {
  if (computeType !== 'bool') return op;
  if (op === 'add' || op === 'maximum') return 'logicalOr';
  if (op === 'mul' || op === 'minimum') return 'logicalAnd';
  if (op === 'sub') throw new TypeError('subtraction of bool tensors is not supported; use logicalXor() or logicalNot()');
  if (op === 'pow' || op === 'remainder') throw new TypeError(`${op} is not supported for bool tensors; convert with .int() or .float() first`);
  return op;
}

function assertScalar(x: unknown, what: string): asserts x is number | boolean {
  if (typeof x !== 'number' && typeof x !== 'boolean') {
    throw new TypeError(`${what} must be a Tensor, a number or a boolean, got ${x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x}`);
  }
}

/**
 * The operand as the kernel should read it for a `compute`-typed op. Only int32 → float32 loses
 * information (integers above 2^24 round), so only then is it cast first, as PyTorch casts every
 * operand to the common dtype: `int32(16777217) == float32(16777216)` is then true in both.
 */
function asCompute(t: Tensor, compute: DType): Tensor {
  if (compute !== 'float32' || t.dtype !== 'int32') return t;
  const c = Tensor.empty(t.shape, 'float32');
  kernels.current.copy(t, c);
  return c;
}

/** Integer powers with a negative integer exponent have no integer result (PyTorch refuses too). */
function checkIntPow(op: BinaryOp, compute: DType, exponent: number | boolean): void {
  if (op === 'pow' && compute === 'int32' && typeof exponent === 'number' && exponent < 0) {
    throw new RangeError(`pow: integers to negative integer powers are not allowed (exponent ${exponent}); convert the base with .float()`);
  }
}

/**
 * Runs a binary kernel with broadcasting and dtype promotion, and records it for autograd (the building block of `add`, `mul`, ...).
 */
export function binaryOp(op: BinaryOp, a: Operand, b: Operand): Tensor {
  if (!(a instanceof Tensor)) {
    assertScalar(a, `${op}: input`);
    assertTensor(b, `${op}: when input is a scalar, other`);
    return scalarFirst(op, a, b);
  }
  if (!(b instanceof Tensor)) {
    assertScalar(b, `${op}: other`);
    const compute = promoteWithScalar(a.dtype, b);
    checkIntPow(op, compute, b);
    const kop = boolArith(op, compute);
    const out = Tensor.forOverwrite(a.shape, binaryResultType(op, compute));
    // The scalar takes the computation's dtype first (float32(0.1), as PyTorch does), so
    // tensor([0.1]).eq(0.1) is true.
    kernels.current.binaryScalar(kop, asCompute(a, compute), castScalar(b, compute), out, false);
    if (DIFFERENTIABLE_BINARY.has(op) && wouldRecord(a)) recordOp(op, [a, scalarTensor(b, compute)], out);
    return out;
  }
  const shape = sameShape(a.shape, b.shape) ? a.shape : broadcastShapes(a.shape, b.shape);
  const compute = promoteTypes(a.dtype, b.dtype);
  const kop = boolArith(op, compute);
  const out = Tensor.forOverwrite(shape, binaryResultType(op, compute));
  kernels.current.binary(kop, broadcastView(asCompute(a, compute), shape), broadcastView(asCompute(b, compute), shape), out);
  // recordOp records nothing unless an input requires grad: test that first, it is the cheaper check.
  if ((a.requiresGrad || b.requiresGrad) && DIFFERENTIABLE_BINARY.has(op)) recordOp(op, [a, b], out);
  return out;
}

function scalarFirst(op: BinaryOp, s: number | boolean, b: Tensor): Tensor {
  const compute = promoteWithScalar(b.dtype, s);
  const kop = boolArith(op, compute);
  const out = Tensor.forOverwrite(b.shape, binaryResultType(op, compute));
  kernels.current.binaryScalar(kop, asCompute(b, compute), castScalar(s, compute), out, true);
  if (DIFFERENTIABLE_BINARY.has(op) && wouldRecord(b)) recordOp(op, [scalarTensor(s, compute), b], out);
  return out;
}

/** Writes `op(self, other)` into `self` (any view); the result type must fit self's dtype. */
export function binaryInplace(op: BinaryOp, self: Tensor, other: Operand): Tensor {
  assertTensor(self, `${op}_: self`);
  if (!(other instanceof Tensor)) assertScalar(other, `${op}_: other`);
  const compute = other instanceof Tensor ? promoteTypes(self.dtype, other.dtype) : promoteWithScalar(self.dtype, other);
  const resultType = binaryResultType(op, compute);
  if (resultType !== self.dtype && !(isFloating(self.dtype) && isFloating(resultType)) && !(self.dtype !== 'bool' && resultType === 'bool')) {
    throw new TypeError(`${op}_: result type ${resultType} can't be cast to the tensor's dtype ${self.dtype}`);
  }
  if (other instanceof Tensor) {
    const shape = broadcastShapes(self.shape, other.shape);
    if (!sameShape(shape, self.shape)) {
      throw new RangeError(`${op}_: output with shape ${shapeToString(self.shape)} doesn't match the broadcast shape ${shapeToString(shape)} (other has shape ${shapeToString(other.shape)})`);
    }
  } else checkIntPow(op, compute, other);
  assertNoInternalOverlap(self, `${op}_`);
  if (checkInplace(self, `${op}_`) && (self.requiresGrad || (other instanceof Tensor && other.requiresGrad))) {
    return adoptResult(self, binaryOp(op, self.clone(), other), kernels.current.copy);
  }
  const kop = boolArith(op, compute);
  if (other instanceof Tensor) {
    const src = asCompute(readableWhileWriting(self, other), compute);
    kernels.current.binary(kop, self, broadcastView(src, self.shape), self);
  } else kernels.current.binaryScalar(kop, self, castScalar(other, compute), self, false);
  self.bumpVersion();
  return self;
}

/** Float-valued unary ops promote integer inputs to float32, as PyTorch does. */
const KEEPS_INT = new Set<UnaryOp>(['neg', 'abs', 'sign', 'square', 'relu', 'floor', 'ceil', 'round', 'identity']);
const NON_DIFFERENTIABLE_UNARY = new Set<UnaryOp>(['logicalNot', 'floor', 'ceil', 'round', 'sign']);

function unaryResultType(op: UnaryOp, dtype: DType): DType {
  if (op === 'logicalNot') return 'bool';
  if (isFloating(dtype)) return dtype;
  if (KEEPS_INT.has(op)) return dtype === 'bool' && op !== 'identity' ? 'int32' : dtype;
  return 'float32';
}

/**
 * Runs a unary kernel into a new tensor and records it for autograd (the building block of `exp`, `relu`, ...).
 */
export function unaryOp(op: UnaryOp, x: Tensor): Tensor {
  assertTensor(x, op);
  if (op === 'neg' && x.dtype === 'bool') {
    throw new TypeError('neg: negation of a bool tensor is not supported; use logicalNot() to invert a mask');
  }
  const out = Tensor.forOverwrite(x.shape, unaryResultType(op, x.dtype));
  kernels.current.unary(op, x, out);
  if (!NON_DIFFERENTIABLE_UNARY.has(op)) recordOp(op, [x], out);
  return out;
}

/** Runs a unary kernel in place on `self` (the building block of `exp_`, `relu_`, ...). */
export function unaryInplace(op: UnaryOp, self: Tensor): Tensor {
  assertTensor(self, `${op}_`);
  const rt = unaryResultType(op, self.dtype);
  if (rt !== self.dtype) throw new TypeError(`${op}_: result type ${rt} can't be cast to the tensor's dtype ${self.dtype}`);
  assertNoInternalOverlap(self, `${op}_`);
  if (checkInplace(self, `${op}_`) && self.requiresGrad) return adoptResult(self, unaryOp(op, self.clone()), kernels.current.copy);
  kernels.current.unary(op, self, self);
  self.bumpVersion();
  return self;
}

// ---- free functions -------------------------------------------------------------------------

/** `alpha * b` for add/sub's `alpha` (a plain product when b is a scalar). */
function scaled(b: Operand, alpha: number): Operand {
  if (typeof alpha !== 'number') throw new TypeError(`alpha must be a number, got ${typeof alpha}`);
  if (alpha === 1) return b;
  return b instanceof Tensor ? mul(b, alpha) : +b * alpha;
}

/** a + alpha * b, broadcasting (torch.add). */
export function add(a: Operand, b: Operand, alpha = 1): Tensor {
  return binaryOp('add', a, scaled(b, alpha));
}
/** a - alpha * b (torch.sub). */
export function sub(a: Operand, b: Operand, alpha = 1): Tensor {
  return binaryOp('sub', a, scaled(b, alpha));
}
/**
 * Elementwise product with broadcasting (torch.mul).
 * @example
 * ```ts
 * mul(tensor([1, 2, 3]), 2).toArray(); // [2, 4, 6]
 * ```
 */
export const mul = (a: Operand, b: Operand): Tensor => binaryOp('mul', a, b);
/** True division: integer inputs give float32 (torch.div). */
export const div = (a: Operand, b: Operand): Tensor => binaryOp('div', a, b);
/** Elementwise power `a ** b` with broadcasting (torch.pow). */
export const pow = (a: Operand, b: Operand): Tensor => binaryOp('pow', a, b);
/** Elementwise maximum of two tensors (torch.maximum); NaN propagates. */
export const maximum = (a: Tensor, b: Operand): Tensor => binaryOp('maximum', a, b);
/** Elementwise minimum of two tensors (torch.minimum); NaN propagates. */
export const minimum = (a: Tensor, b: Operand): Tensor => binaryOp('minimum', a, b);
/** Python-style modulo: the result has the divisor's sign (torch.remainder). */
export const remainder = (a: Operand, b: Operand): Tensor => binaryOp('remainder', a, b);
/** Elementwise arctangent of a / b, using the signs of both for the quadrant (torch.atan2). */
export const atan2 = (a: Tensor, b: Operand): Tensor => binaryOp('atan2', a, b);
/**
 * Elementwise `a == b`, a bool tensor (torch.eq).
 * @example
 * ```ts
 * logits.argmax(1).eq(labels).sum().item(); // number of correct predictions
 * ```
 */
export const eq = (a: Tensor, b: Operand): Tensor => binaryOp('eq', a, b);
/** Elementwise `a != b`, a bool tensor (torch.ne). */
export const ne = (a: Tensor, b: Operand): Tensor => binaryOp('ne', a, b);
/** Elementwise `a < b`, a bool tensor (torch.lt). */
export const lt = (a: Tensor, b: Operand): Tensor => binaryOp('lt', a, b);
/** Elementwise `a <= b`, a bool tensor (torch.le). */
export const le = (a: Tensor, b: Operand): Tensor => binaryOp('le', a, b);
/** Elementwise `a > b`, a bool tensor (torch.gt). */
export const gt = (a: Tensor, b: Operand): Tensor => binaryOp('gt', a, b);
/** Elementwise `a >= b`, a bool tensor (torch.ge). */
export const ge = (a: Tensor, b: Operand): Tensor => binaryOp('ge', a, b);
/** Elementwise logical and (nonzero is true), a bool tensor. */
export const logicalAnd = (a: Tensor, b: Operand): Tensor => binaryOp('logicalAnd', a, b);
/** Elementwise logical or (nonzero is true), a bool tensor. */
export const logicalOr = (a: Tensor, b: Operand): Tensor => binaryOp('logicalOr', a, b);
/** Elementwise logical exclusive or (nonzero is true), a bool tensor. */
export const logicalXor = (a: Tensor, b: Operand): Tensor => binaryOp('logicalXor', a, b);

/** Elementwise -x (torch.neg). */
export const neg = (x: Tensor): Tensor => unaryOp('neg', x);
/** Elementwise |x| (torch.abs). */
export const abs = (x: Tensor): Tensor => unaryOp('abs', x);
/** Elementwise the sign of x: -1, 0 or 1 (torch.sign). */
export const sign = (x: Tensor): Tensor => unaryOp('sign', x);
/** Elementwise e^x (torch.exp). */
export const exp = (x: Tensor): Tensor => unaryOp('exp', x);
/** Elementwise the natural logarithm (torch.log). */
export const log = (x: Tensor): Tensor => unaryOp('log', x);
/** Elementwise log(1 + x), accurate for small x (torch.log1p). */
export const log1p = (x: Tensor): Tensor => unaryOp('log1p', x);
/** Elementwise e^x - 1, accurate for small x (torch.expm1). */
export const expm1 = (x: Tensor): Tensor => unaryOp('expm1', x);
/** Elementwise the square root (torch.sqrt). */
export const sqrt = (x: Tensor): Tensor => unaryOp('sqrt', x);
/** Elementwise 1 / sqrt(x) (torch.rsqrt). */
export const rsqrt = (x: Tensor): Tensor => unaryOp('rsqrt', x);
/** Elementwise x * x (torch.square). */
export const square = (x: Tensor): Tensor => unaryOp('square', x);
/** Elementwise 1 / x (torch.reciprocal). */
export const reciprocal = (x: Tensor): Tensor => unaryOp('reciprocal', x);
/** Elementwise the sine (torch.sin). */
export const sin = (x: Tensor): Tensor => unaryOp('sin', x);
/** Elementwise the cosine (torch.cos). */
export const cos = (x: Tensor): Tensor => unaryOp('cos', x);
/** Elementwise the hyperbolic tangent (torch.tanh). */
export const tanh = (x: Tensor): Tensor => unaryOp('tanh', x);
/** Elementwise the logistic function 1 / (1 + e^-x) (torch.sigmoid). */
export const sigmoid = (x: Tensor): Tensor => unaryOp('sigmoid', x);
/** Elementwise max(x, 0) (torch.relu). */
export const relu = (x: Tensor): Tensor => unaryOp('relu', x);

/**
 * relu's gradient from its output `y`: `grad` where y > 0, else 0 (PyTorch's threshold_backward
 * at 0), in one kernel pass. grad and y share a shape and a float dtype. Recorded for autograd, so
 * a double backward through relu works (its gradient in grad is reluBackward again; y gets none).
 */
export function reluBackward(grad: Tensor, y: Tensor): Tensor {
  assertTensor(grad, 'reluBackward: grad');
  assertTensor(y, 'reluBackward: y');
  if (!sameShape(grad.shape, y.shape)) {
    throw new RangeError(`reluBackward: grad has shape ${shapeToString(grad.shape)} but y has shape ${shapeToString(y.shape)}`);
  }
  if (grad.dtype !== y.dtype || !isFloating(grad.dtype)) {
    throw new TypeError(`reluBackward: grad and y must share a float dtype, got ${grad.dtype} and ${y.dtype}`);
  }
  const out = Tensor.forOverwrite(grad.shape, grad.dtype);
  kernels.current.reluBackward(grad, y, out);
  if (grad.requiresGrad || y.requiresGrad) recordOp('reluBackward', [grad, y], out);
  return out;
}
/** GELU with the exact erf form (torch's default `approximate='none'`). */
export const gelu = (x: Tensor): Tensor => unaryOp('gelu', x);
/** Elementwise the error function (torch.erf). */
export const erf = (x: Tensor): Tensor => unaryOp('erf', x);
/** Elementwise rounds down (torch.floor). */
export const floor = (x: Tensor): Tensor => unaryOp('floor', x);
/** Elementwise rounds up (torch.ceil). */
export const ceil = (x: Tensor): Tensor => unaryOp('ceil', x);
/** Rounds half to even, as torch.round. */
export const round = (x: Tensor): Tensor => unaryOp('round', x);
/** Elementwise logical not (zero is false), a bool tensor (torch.logical_not). */
export const logicalNot = (x: Tensor): Tensor => unaryOp('logicalNot', x);

/** Elementwise `cond ? a : b` with broadcasting across all three (torch.where). */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  assertTensor(cond, 'where: condition');
  if (cond.dtype !== 'bool') throw new TypeError(`where: condition must be a bool tensor, got ${cond.dtype}`);
  if (!(a instanceof Tensor)) assertScalar(a, 'where: input');
  if (!(b instanceof Tensor)) assertScalar(b, 'where: other');
  const dtype = a instanceof Tensor
    ? (b instanceof Tensor ? promoteTypes(a.dtype, b.dtype) : promoteWithScalar(a.dtype, b))
    : b instanceof Tensor ? promoteWithScalar(b.dtype, a) : scalarsType(a, b);
  const at = a instanceof Tensor ? a : scalarTensor(a, dtype);
  const bt = b instanceof Tensor ? b : scalarTensor(b, dtype);
  const shape = broadcastShapes(broadcastShapes(cond.shape, at.shape), bt.shape);
  const out = Tensor.forOverwrite(shape, dtype);
  kernels.current.where(broadcastView(cond, shape), broadcastView(at, shape), broadcastView(bt, shape), out);
  recordOp('where', [at, bt], out, { cond });
  return out;
}

/** The dtype of `where(cond, a, b)` when both values are JS scalars. */
function scalarsType(a: number | boolean, b: number | boolean): DType {
  if (typeof a === 'boolean' && typeof b === 'boolean') return 'bool';
  const isInt = (v: number | boolean) => typeof v === 'boolean' || Number.isInteger(v);
  return isInt(a) && isInt(b) ? 'int32' : 'float32';
}

/** Checks clamp's bounds; returns them with omitted ones as ±Infinity and the result dtype. */
function clampArgs(x: Tensor, min: number | null | undefined, max: number | null | undefined, op: string): { lo: number; hi: number; dtype: DType } {
  assertTensor(x, op);
  const given = (v: unknown) => v !== undefined && v !== null;
  if (!given(min) && !given(max)) throw new TypeError(`${op}: at least one of min or max must be given`);
  for (const [name, v] of [['min', min], ['max', max]] as const) {
    if (given(v) && (typeof v !== 'number' || Number.isNaN(v))) throw new TypeError(`${op}: ${name} must be a number, got ${typeof v === 'number' ? v : typeof v}`);
  }
  if (x.dtype === 'bool') throw new TypeError(`${op}: not supported for bool tensors`);
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  const intBound = (v: number) => Number.isInteger(v) || !Number.isFinite(v);
  const dtype = isFloating(x.dtype) || (intBound(lo) && intBound(hi)) ? x.dtype : 'float32';
  // The bounds take the result dtype, as PyTorch casts scalars (float32(0.1) for a float32 tensor).
  return { lo: Number.isFinite(lo) ? castScalar(lo, dtype) : lo, hi: Number.isFinite(hi) ? castScalar(hi, dtype) : hi, dtype };
}

/** Clamps into [min, max]; either bound may be omitted (null/undefined). With min > max every element becomes max (as torch.clamp). */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  const { lo, hi, dtype } = clampArgs(x, min, max, 'clamp');
  const out = Tensor.forOverwrite(x.shape, dtype);
  kernels.current.clamp(x, lo, hi, out);
  recordOp('clamp', [x], out, { min: lo, max: hi });
  return out;
}

/** In-place `clamp`: limits `x` to [min, max] (either bound may be null). */
export function clamp_(x: Tensor, min?: number | null, max?: number | null): Tensor {
  const { lo, hi, dtype } = clampArgs(x, min, max, 'clamp_');
  if (dtype !== x.dtype) throw new TypeError(`clamp_: result type ${dtype} can't be cast to the tensor's dtype ${x.dtype} (a fractional bound on an integer tensor)`);
  assertNoInternalOverlap(x, 'clamp_');
  if (checkInplace(x, 'clamp_') && x.requiresGrad) return adoptResult(x, clamp(x.clone(), lo, hi), kernels.current.copy);
  kernels.current.clamp(x, lo, hi, x);
  x.bumpVersion();
  return x;
}

// ---- Tensor methods -------------------------------------------------------------------------

type Bin = (other: Operand) => Tensor;
type BinInplace = (other: Operand) => Tensor;
type Un = () => Tensor;

declare module '../tensor.js' {
  interface Tensor {
    add(other: Operand, alpha?: number): Tensor;
    sub(other: Operand, alpha?: number): Tensor;
    mul: Bin; div: Bin; pow: Bin; maximum: Bin; minimum: Bin; remainder: Bin; atan2: Bin;
    eq: Bin; ne: Bin; lt: Bin; le: Bin; gt: Bin; ge: Bin; logicalAnd: Bin; logicalOr: Bin; logicalXor: Bin;
    add_(other: Operand, alpha?: number): Tensor;
    sub_(other: Operand, alpha?: number): Tensor;
    mul_: BinInplace; div_: BinInplace; pow_: BinInplace; maximum_: BinInplace; minimum_: BinInplace; remainder_: BinInplace;
    neg: Un; abs: Un; sign: Un; exp: Un; log: Un; log1p: Un; expm1: Un; sqrt: Un; rsqrt: Un; square: Un; reciprocal: Un;
    sin: Un; cos: Un; tanh: Un; sigmoid: Un; relu: Un; gelu: Un; erf: Un; floor: Un; ceil: Un; round: Un; logicalNot: Un;
    neg_: Un; abs_: Un; exp_: Un; log_: Un; sqrt_: Un; square_: Un; reciprocal_: Un; sin_: Un; cos_: Un; tanh_: Un;
    sigmoid_: Un; relu_: Un; floor_: Un; ceil_: Un; round_: Un;
    where(cond: Tensor, other: Operand): Tensor;
    clamp(min?: number | null, max?: number | null): Tensor;
    clamp_(min?: number | null, max?: number | null): Tensor;
  }
}

const P = Tensor.prototype;
P.add = function (o, alpha = 1) { return add(this, o, alpha); };
P.sub = function (o, alpha = 1) { return sub(this, o, alpha); };
P.add_ = function (o, alpha = 1) { return binaryInplace('add', this, scaled(o, alpha)); };
P.sub_ = function (o, alpha = 1) { return binaryInplace('sub', this, scaled(o, alpha)); };
for (const op of ['mul', 'div', 'pow', 'maximum', 'minimum', 'remainder', 'atan2', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr', 'logicalXor'] as const) {
  (P as unknown as Record<string, Bin>)[op] = function (this: Tensor, o: Operand) { return binaryOp(op, this, o); };
}
for (const op of ['mul', 'div', 'pow', 'maximum', 'minimum', 'remainder'] as const) {
  (P as unknown as Record<string, BinInplace>)[`${op}_`] = function (this: Tensor, o: Operand) { return binaryInplace(op, this, o); };
}
for (const op of ['neg', 'abs', 'sign', 'exp', 'log', 'log1p', 'expm1', 'sqrt', 'rsqrt', 'square', 'reciprocal', 'sin', 'cos', 'tanh', 'sigmoid', 'relu', 'gelu', 'erf', 'floor', 'ceil', 'round', 'logicalNot'] as const) {
  (P as unknown as Record<string, Un>)[op] = function (this: Tensor) { return unaryOp(op, this); };
}
for (const op of ['neg', 'abs', 'exp', 'log', 'sqrt', 'square', 'reciprocal', 'sin', 'cos', 'tanh', 'sigmoid', 'relu', 'floor', 'ceil', 'round'] as const) {
  (P as unknown as Record<string, Un>)[`${op}_`] = function (this: Tensor) { return unaryInplace(op, this); };
}
P.where = function (cond, other) { return where(cond, this, other); };
P.clamp = function (min, max) { return clamp(this, min, max); };
P.clamp_ = function (min, max) { return clamp_(this, min, max); };
