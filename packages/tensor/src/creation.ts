import { kernels } from './backend/registry.js';
import { type DType, type TypedArray, assertDType, castScalar, dtypeOfBuffer } from './dtype.js';
import { assertValidShape, numel, shapeToString } from './layout.js';
import { Tensor } from './tensor.js';
import { shapeArgs, type ShapeArg } from './ops/views.js';

/** Options of the creation functions: `dtype` and `requiresGrad`. */
export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

/** Nested arrays of numbers or booleans, as accepted by `tensor()`. */
export type NestedArray = number | boolean | readonly NestedArray[];

function finish(t: Tensor, opts: TensorOptions | undefined): Tensor {
  if (opts?.requiresGrad) t.requiresGrad_(true);
  return t;
}

function inferNested(data: NestedArray): { shape: number[]; flat: (number | boolean)[] } {
  const shape: number[] = [];
  let probe: NestedArray = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0] as NestedArray;
    if (probe === undefined) break;
  }
  const flat: (number | boolean)[] = [];
  const walk = (v: NestedArray, depth: number, path: number[]) => {
    if (depth === shape.length) {
      if (Array.isArray(v)) throw new RangeError(`tensor(): ragged nested array at index [${path.join(', ')}]: expected a number, found an array`);
      if (typeof v !== 'number' && typeof v !== 'boolean') {
        throw new TypeError(`tensor(): element at [${path.join(', ')}] must be a number or boolean, got ${v === null ? 'null' : typeof v}`);
      }
      flat.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new RangeError(
        `tensor(): ragged nested array at index [${path.join(', ')}]: expected ${shape[depth]} elements, found ${Array.isArray(v) ? v.length : 'a scalar'}`,
      );
    }
    for (let i = 0; i < v.length; i++) walk(v[i] as NestedArray, depth + 1, [...path, i]);
  };
  walk(data, 0, []);
  return { shape, flat };
}

function isInt32(v: number): boolean {
  return Number.isInteger(v) && v >= -2147483648 && v <= 2147483647;
}

/**
 * Creates a tensor from nested arrays, a typed array, or a number (as torch.tensor). Without
 * `dtype`: booleans give bool, all-integer numbers give int32 (torch would give int64), any
 * fraction gives float32, and a typed array keeps its own type. Integers outside the int32 range
 * (there is no int64) give float32 rather than wrapping around. Data is always copied.
 */
export function tensor(data: NestedArray | TypedArray, opts?: TensorOptions): Tensor {
  if (opts?.dtype !== undefined) assertDType(opts.dtype);
  if (ArrayBuffer.isView(data)) {
    const src = data as TypedArray;
    const dtype = opts?.dtype ?? dtypeOfBuffer(src);
    const t = Tensor.empty([src.length], dtype);
    kernels.current.copy(Tensor.fromBuffer(src, [src.length]), t);
    return finish(t, opts);
  }
  const { shape, flat } = inferNested(data);
  let dtype = opts?.dtype;
  if (dtype === undefined) {
    if (flat.length > 0 && flat.every((v) => typeof v === 'boolean')) dtype = 'bool';
    else if (flat.length > 0 && flat.every((v) => typeof v === 'boolean' || isInt32(v))) dtype = 'int32';
    else dtype = 'float32';
  }
  const t = Tensor.empty(shape, dtype);
  const buf = t.storage.data;
  for (let i = 0; i < flat.length; i++) buf[i] = castScalar(flat[i]!, dtype);
  return finish(t, opts);
}

/** A tensor over `buffer` without copying (writes through); `shape` defaults to 1-D. */
export function fromTypedArray(buffer: TypedArray, shape: readonly number[] = [buffer.length]): Tensor {
  assertValidShape(shape);
  if (numel(shape) !== buffer.length) {
    throw new RangeError(`fromTypedArray: shape ${shapeToString(shape)} needs ${numel(shape)} elements, the buffer has ${buffer.length}`);
  }
  return Tensor.fromBuffer(buffer, shape);
}

function make(shape: number[], opts: TensorOptions | undefined, fillValue: number | null): Tensor {
  assertValidShape(shape);
  const dtype = opts?.dtype === undefined ? 'float32' : assertDType(opts.dtype);
  // A non-zero fill writes every element, so its buffer need not be zeroed first (a 3.2 MB
  // onesLike: one pass instead of two).
  const filled = fillValue !== null && fillValue !== 0;
  const out = filled ? Tensor.forOverwrite(shape, dtype) : Tensor.empty(shape, dtype);
  if (filled) out.storage.data.fill(castScalar(fillValue, dtype));
  return finish(out, opts);
}

/** Parses `(2, 3)`, `([2, 3])` or `([2, 3], opts)` / `(2, 3, opts)`. */
function splitShapeAndOptions(args: readonly (ShapeArg | TensorOptions)[]): [number[], TensorOptions | undefined] {
  const last = args[args.length - 1];
  if (last !== undefined && typeof last === 'object' && !Array.isArray(last)) {
    return [shapeArgs(args.slice(0, -1) as ShapeArg[]), last as TensorOptions];
  }
  return [shapeArgs(args as ShapeArg[]), undefined];
}

/**
 * A tensor of zeros; the shape as separate sizes or one array, options last (default dtype float32).
 * @example
 * ```ts
 * zeros(2, 3);                      // float32 [2, 3]
 * zeros([2, 3], { dtype: 'int32' });
 * ```
 */
export function zeros(...args: (ShapeArg | TensorOptions)[]): Tensor {
  const [shape, opts] = splitShapeAndOptions(args);
  return make(shape, opts, 0);
}
/**
 * A tensor of ones; the shape as separate sizes or one array, options last (default dtype float32).
 * @example
 * ```ts
 * ones(4).sum().item(); // 4
 * ```
 */
export function ones(...args: (ShapeArg | TensorOptions)[]): Tensor {
  const [shape, opts] = splitShapeAndOptions(args);
  return make(shape, opts, 1);
}
/** Uninitialised in PyTorch; here zero-filled (typed arrays always are). */
export function empty(...args: (ShapeArg | TensorOptions)[]): Tensor {
  const [shape, opts] = splitShapeAndOptions(args);
  return make(shape, opts, 0);
}
/** A tensor filled with `value`; the dtype follows the value (bool, int32 or float32) unless given. */
export function full(shape: readonly number[], value: number | boolean, opts?: TensorOptions): Tensor {
  if (!Array.isArray(shape)) throw new TypeError(`full: shape must be an array of sizes, got ${typeof shape}`);
  if (typeof value !== 'number' && typeof value !== 'boolean') throw new TypeError(`full: fill value must be a number or boolean, got ${typeof value}`);
  const dtype = opts?.dtype ?? (typeof value === 'boolean' ? 'bool' : Number.isInteger(value) ? 'int32' : 'float32');
  return make(shape.slice(), { ...opts, dtype }, +value);
}

/** Zeros with the shape and dtype of `t` (options may override the dtype). */
export function zerosLike(t: Tensor, opts?: TensorOptions): Tensor {
  return make(t.shape.slice(), { dtype: t.dtype, ...opts }, 0);
}
/** Ones with the shape and dtype of `t` (options may override the dtype). */
export function onesLike(t: Tensor, opts?: TensorOptions): Tensor {
  return make(t.shape.slice(), { dtype: t.dtype, ...opts }, 1);
}
/** A tensor with the shape and dtype of `t`; zero-filled, like `empty`. */
export function emptyLike(t: Tensor, opts?: TensorOptions): Tensor {
  return make(t.shape.slice(), { dtype: t.dtype, ...opts }, 0);
}
/** A tensor with the shape and dtype of `t` filled with `value`. */
export function fullLike(t: Tensor, value: number | boolean, opts?: TensorOptions): Tensor {
  return make(t.shape.slice(), { dtype: t.dtype, ...opts }, +value);
}

/**
 * Values from `start` to `end` (exclusive) by `step`: `arange(5)`, `arange(1, 5)`, `arange(0, 1, 0.25)`.
 * int32 when every argument is an integer, float32 otherwise.
 */
export function arange(start: number, end?: number, step = 1, opts?: TensorOptions): Tensor {
  if (end === undefined) { end = start; start = 0; }
  if (opts?.dtype !== undefined) assertDType(opts.dtype, 'arange: dtype');
  for (const [name, v] of [['start', start], ['end', end], ['step', step]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`arange: ${name} must be a finite number, got ${v}`);
  }
  if (step === 0) throw new RangeError('arange: step must be nonzero');
  if ((end - start) / step < 0) throw new RangeError(`arange: upper bound ${end} and lower bound ${start} are inconsistent with step sign ${step}`);
  const n = Math.ceil((end - start) / step);
  const dtype = opts?.dtype ?? ([start, end, step].every(Number.isInteger) ? 'int32' : 'float32');
  const t = Tensor.empty([n], dtype);
  const buf = t.storage.data;
  for (let i = 0; i < n; i++) buf[i] = start + i * step;
  return finish(t, opts);
}

/** `steps` evenly spaced values from start to end inclusive (float32 unless given). */
export function linspace(start: number, end: number, steps: number, opts?: TensorOptions): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`linspace: steps must be a non-negative integer, got ${steps}`);
  const t = Tensor.empty([steps], opts?.dtype === undefined ? 'float32' : assertDType(opts.dtype, 'linspace: dtype'));
  const buf = t.storage.data;
  if (steps === 1) buf[0] = start;
  else if (steps > 1) {
    const delta = (end - start) / (steps - 1);
    // Fill symmetrically from both ends, as PyTorch does, so the end point is exact.
    const half = Math.floor(steps / 2);
    for (let i = 0; i < steps; i++) buf[i] = i < half ? start + i * delta : end - (steps - 1 - i) * delta;
  }
  return finish(t, opts);
}

/** The n×m identity (m defaults to n): `eye(3)`, `eye(2, 3)`, `eye(3, { dtype })`, `eye(2, 3, { dtype })`. */
export function eye(n: number, m?: number | TensorOptions, opts?: TensorOptions): Tensor {
  if (typeof m === 'object' && m !== null) { opts = m; m = undefined; }
  const cols = m ?? n;
  for (const [name, v] of [['n', n], ['m', cols]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`eye: ${name} must be a non-negative integer, got ${v}`);
  }
  const t = make([n, cols], opts, 0);
  const buf = t.storage.data;
  for (let i = 0; i < Math.min(n, cols); i++) buf[i * cols + i] = 1;
  return t;
}
