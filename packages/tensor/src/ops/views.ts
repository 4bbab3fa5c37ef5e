import { kernels } from '../backend/registry.js';
import { type DType, assertDType } from '../dtype.js';
import {
  broadcastStrides, inferShape, normalizeDim, numel, sameShape, shapeToString, viewStrides,
} from '../layout.js';
import { recordOp } from '../grad-hooks.js';
import { Tensor } from '../tensor.js';

/**
 * Views share storage with their input and never copy: writes through a view reach the base.
 * Each records its own op so autograd can route gradients back (grads/views.ts in autograd).
 */
export type ShapeArg = readonly number[] | number;

/** Accepts `f(2, 3)` and `f([2, 3])`, as PyTorch does. */
export function shapeArgs(args: readonly ShapeArg[]): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return (args[0] as number[]).slice();
  return args.map((a) => {
    if (typeof a !== 'number') throw new TypeError('shape must be given as numbers or as one array of numbers');
    return a;
  });
}

/**
 * A view with a new shape over the same storage (no copy); one size may be -1. Throws when the strides do not allow a view (use `reshape`).
 * @example
 * ```ts
 * arange(6).view(2, 3).shape; // [2, 3]
 * ```
 */
export function view(x: Tensor, ...shape: ShapeArg[]): Tensor {
  const target = inferShape(shapeArgs(shape), x.numel(), x.shape);
  const strides = viewStrides(x.shape, x.strides, target);
  if (strides === null) {
    throw new RangeError(
      `view size ${shapeToString(target)} is not compatible with input tensor's size ${shapeToString(x.shape)} and stride ${shapeToString(x.strides)}: use reshape() instead`,
    );
  }
  const out = x.makeView(target, strides, x.offset);
  recordOp('reshape', [x], out);
  return out;
}

/** A view when the layout allows it, otherwise a contiguous copy. */
export function reshape(x: Tensor, ...shape: ShapeArg[]): Tensor {
  const target = inferShape(shapeArgs(shape), x.numel(), x.shape);
  const strides = viewStrides(x.shape, x.strides, target);
  if (strides !== null) {
    const out = x.makeView(target, strides, x.offset);
    recordOp('reshape', [x], out);
    return out;
  }
  return view(contiguous(x), target);
}

/** A view with dims `dim0` and `dim1` swapped (torch.transpose). */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const nd = x.ndim;
  const a = normalizeDim(dim0, nd);
  const b = normalizeDim(dim1, nd);
  if (nd === 0) return x;
  const shape = x.shape.slice();
  const strides = x.strides.slice();
  [shape[a], shape[b]] = [shape[b]!, shape[a]!];
  [strides[a], strides[b]] = [strides[b]!, strides[a]!];
  const out = x.makeView(shape, strides, x.offset);
  recordOp('transpose', [x], out, { dim0: a, dim1: b });
  return out;
}

/**
 * A view with the dims reordered (torch.permute).
 * @example
 * ```ts
 * zeros(2, 3, 4).permute(2, 0, 1).shape; // [4, 2, 3]
 * ```
 */
export function permute(x: Tensor, ...dims: ShapeArg[]): Tensor {
  const d = shapeArgs(dims).map((v) => normalizeDim(v, x.ndim));
  if (d.length !== x.ndim || new Set(d).size !== d.length) {
    throw new RangeError(`permute: dims ${shapeToString(d)} must be a permutation of the ${x.ndim} dims of a tensor of shape ${shapeToString(x.shape)}`);
  }
  const out = x.makeView(d.map((i) => x.shape[i]!), d.map((i) => x.strides[i]!), x.offset);
  recordOp('permute', [x], out, { dims: d });
  return out;
}

/** A view with a size-1 dim inserted at `dim` (torch.unsqueeze). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, x.ndim + 1);
  const shape = x.shape.slice();
  const strides = x.strides.slice();
  shape.splice(d, 0, 1);
  strides.splice(d, 0, d < x.ndim ? x.strides[d]! * x.shape[d]! : 1);
  const out = x.makeView(shape, strides, x.offset);
  recordOp('reshape', [x], out);
  return out;
}

/** Removes size-1 dims (all of them, or the given ones when they have size 1). */
export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  const drop = new Set<number>();
  if (dim === undefined) x.shape.forEach((s, i) => { if (s === 1) drop.add(i); });
  else for (const d of typeof dim === 'number' ? [dim] : dim) { const n = normalizeDim(d, x.ndim); if (x.shape[n] === 1) drop.add(n); }
  const out = x.makeView(x.shape.filter((_, i) => !drop.has(i)), x.strides.filter((_, i) => !drop.has(i)), x.offset);
  recordOp('reshape', [x], out);
  return out;
}

/** Broadcasts to `shape` without copying; -1 keeps a dim (torch.expand). */
export function expand(x: Tensor, ...shape: ShapeArg[]): Tensor {
  const target = shapeArgs(shape);
  const lead = target.length - x.ndim;
  if (lead < 0) throw new RangeError(`expand: the number of sizes (${target.length}) must be at least the tensor's dims (${x.ndim}), shape ${shapeToString(x.shape)}`);
  const resolved = target.map((s, i) => (s === -1 && i >= lead ? x.shape[i - lead]! : s));
  resolved.forEach((s, i) => {
    if (!Number.isInteger(s) || s < 0) {
      throw new RangeError(`expand: invalid size ${target[i]} at dimension ${i} of ${shapeToString(target)}` +
        (target[i] === -1 ? ' (-1 keeps an existing dim and is not allowed in new leading dims)' : ''));
    }
  });
  for (let i = 0; i < x.ndim; i++) {
    const d = x.shape[i]!;
    if (d !== 1 && d !== resolved[i + lead]) {
      throw new RangeError(`expand: the expanded size ${resolved[i + lead]} must match the existing size ${d} at dimension ${i + lead} (shape ${shapeToString(x.shape)} to ${shapeToString(target)})`);
    }
  }
  if (sameShape(resolved, x.shape)) return x;
  const out = x.makeView(resolved, broadcastStrides(x.shape, x.strides, resolved), x.offset);
  recordOp('expand', [x], out);
  return out;
}

/** A view broadcast to `shape` (zero strides, no copy) (torch.broadcast_to). */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  const compatible = shape.length >= x.ndim && x.shape.every((d, i) => d === 1 || d === shape[i + shape.length - x.ndim] || shape[i + shape.length - x.ndim] === -1);
  if (!compatible) throw new RangeError(`broadcastTo: shape ${shapeToString(x.shape)} cannot be broadcast to ${shapeToString(shape)}`);
  return expand(x, shape);
}

/** The slice start:end:step along `dim` (negative and out-of-range bounds clamp as Python slices do). */
export function slice(x: Tensor, dim: number, start = 0, end?: number, step = 1): Tensor {
  const d = normalizeDim(dim, x.ndim);
  if (!Number.isInteger(step) || step <= 0) throw new RangeError(`slice: step must be a positive integer, got ${step}`);
  if (!Number.isInteger(start)) throw new TypeError(`slice: start must be an integer, got ${start}`);
  if (end !== undefined && !Number.isInteger(end)) throw new TypeError(`slice: end must be an integer, got ${end}`);
  const size = x.shape[d]!;
  const clampIndex = (i: number) => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
  const s = clampIndex(start);
  const e = Math.max(clampIndex(end ?? size), s);
  const shape = x.shape.slice();
  const strides = x.strides.slice();
  shape[d] = Math.ceil((e - s) / step);
  strides[d] = x.strides[d]! * step;
  const out = x.makeView(shape, strides, x.offset + s * x.strides[d]!);
  recordOp('slice', [x], out, { dim: d, start: s, step });
  return out;
}

/** A view of `length` elements of `dim` starting at `start` (torch.narrow). */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normalizeDim(dim, x.ndim);
  if (!Number.isInteger(start) || !Number.isInteger(length)) throw new TypeError(`narrow: start and length must be integers, got ${start} and ${length}`);
  const size = x.shape[d]!;
  const s = start < 0 ? start + size : start;
  if (s < 0 || length < 0 || s + length > size) {
    throw new RangeError(`narrow: start ${start} and length ${length} exceed dimension ${d} of size ${size}`);
  }
  return slice(x, d, s, s + length);
}

/** Indexes one position of `dim`, removing the dim (x[..., index, ...]). */
export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normalizeDim(dim, x.ndim);
  const size = x.shape[d]!;
  const i = index < 0 ? index + size : index;
  if (!Number.isInteger(index) || i < 0 || i >= size) throw new RangeError(`select: index ${index} is out of range for dimension ${d} with size ${size}`);
  const shape = x.shape.slice();
  const strides = x.strides.slice();
  shape.splice(d, 1);
  strides.splice(d, 1);
  const out = x.makeView(shape, strides, x.offset + i * x.strides[d]!);
  recordOp('select', [x], out, { dim: d, index: i });
  return out;
}

/** Flattens dims `startDim`..`endDim` into one (a view when possible) (torch.flatten). */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim(startDim, x.ndim);
  const e = normalizeDim(endDim, x.ndim);
  if (s > e) throw new RangeError(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
  const shape = [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

/** Splits dim `dim` into `sizes` (torch.unflatten). */
export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  const d = normalizeDim(dim, x.ndim);
  const inner = inferShape(sizes, x.shape[d]!, [x.shape[d]!]);
  return view(x, [...x.shape.slice(0, d), ...inner, ...x.shape.slice(d + 1)]);
}

/** The diagonal of the (dim1, dim2) planes, as a view; `offset` > 0 is above the main diagonal. */
export function diagonal(x: Tensor, offset = 0, dim1 = 0, dim2 = 1): Tensor {
  const a = normalizeDim(dim1, x.ndim);
  const b = normalizeDim(dim2, x.ndim);
  if (a === b) throw new RangeError(`diagonal: dim1 and dim2 must differ, both are ${a}`);
  if (!Number.isInteger(offset)) throw new TypeError(`diagonal: offset must be an integer, got ${offset}`);
  const len = Math.max(0, offset >= 0 ? Math.min(x.shape[a]!, x.shape[b]! - offset) : Math.min(x.shape[a]! + offset, x.shape[b]!));
  let start = x.offset;
  if (len > 0) start += offset >= 0 ? offset * x.strides[b]! : -offset * x.strides[a]!;
  const shape: number[] = [];
  const strides: number[] = [];
  for (let i = 0; i < x.ndim; i++) if (i !== a && i !== b) { shape.push(x.shape[i]!); strides.push(x.strides[i]!); }
  shape.push(len);
  strides.push(x.strides[a]! + x.strides[b]!);
  const out = x.makeView(shape, strides, start);
  recordOp('diagonal', [x], out, { offset, dim1: a, dim2: b });
  return out;
}

/** A contiguous tensor with the same values: `x` itself when already contiguous. */
export function contiguous(x: Tensor): Tensor {
  if (x.isContiguous()) return x;
  return clone(x);
}

/** A copy with its own (contiguous) storage, recorded so gradients flow through it. */
export function clone(x: Tensor): Tensor {
  const out = Tensor.empty(x.shape, x.dtype);
  kernels.current.copy(x, out);
  recordOp('clone', [x], out);
  return out;
}

/** Casts to `dtype` (a copy; `x` itself when it already has that dtype). */
export function to(x: Tensor, dtype: DType): Tensor {
  assertDType(dtype);
  if (dtype === x.dtype) return x;
  const out = Tensor.empty(x.shape, dtype);
  kernels.current.copy(x, out);
  if (dtype === 'float32' || dtype === 'float64') recordOp('cast', [x], out);
  return out;
}

declare module '../tensor.js' {
  interface Tensor {
    view(...shape: ShapeArg[]): Tensor;
    reshape(...shape: ShapeArg[]): Tensor;
    viewAs(other: Tensor): Tensor;
    reshapeAs(other: Tensor): Tensor;
    transpose(dim0: number, dim1: number): Tensor;
    permute(...dims: ShapeArg[]): Tensor;
    /** Reverses all dims (for 2-D: the transpose). */
    readonly T: Tensor;
    /** Transposes the last two dims (batched matrix transpose). */
    readonly mT: Tensor;
    t(): Tensor;
    unsqueeze(dim: number): Tensor;
    squeeze(dim?: number | readonly number[]): Tensor;
    expand(...shape: ShapeArg[]): Tensor;
    expandAs(other: Tensor): Tensor;
    broadcastTo(shape: readonly number[]): Tensor;
    slice(dim: number, start?: number, end?: number, step?: number): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    select(dim: number, index: number): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    unflatten(dim: number, sizes: readonly number[]): Tensor;
    diagonal(offset?: number, dim1?: number, dim2?: number): Tensor;
    contiguous(): Tensor;
    clone(): Tensor;
    to(dtype: DType): Tensor;
    float(): Tensor;
    double(): Tensor;
    int(): Tensor;
    bool(): Tensor;
  }
}

const P = Tensor.prototype;
P.view = function (...s) { return view(this, ...s); };
P.reshape = function (...s) { return reshape(this, ...s); };
P.viewAs = function (o) { return view(this, o.shape); };
P.reshapeAs = function (o) { return reshape(this, o.shape); };
P.transpose = function (a, b) { return transpose(this, a, b); };
P.permute = function (...d) { return permute(this, ...d); };
Object.defineProperty(P, 'T', { get(this: Tensor) { return permute(this, this.shape.map((_, i) => this.ndim - 1 - i)); } });
Object.defineProperty(P, 'mT', {
  get(this: Tensor) {
    if (this.ndim < 2) throw new RangeError(`mT needs at least 2 dims, got shape ${shapeToString(this.shape)}`);
    return transpose(this, -2, -1);
  },
});
P.t = function () {
  if (this.ndim > 2) throw new RangeError(`t() expects a tensor with <= 2 dims, got shape ${shapeToString(this.shape)}; use transpose() or mT`);
  return this.ndim < 2 ? this : transpose(this, 0, 1);
};
P.unsqueeze = function (d) { return unsqueeze(this, d); };
P.squeeze = function (d) { return squeeze(this, d); };
P.expand = function (...s) { return expand(this, ...s); };
P.expandAs = function (o) { return expand(this, o.shape); };
P.broadcastTo = function (s) { return broadcastTo(this, s); };
P.slice = function (d, s, e, st) { return slice(this, d, s, e, st); };
P.narrow = function (d, s, l) { return narrow(this, d, s, l); };
P.select = function (d, i) { return select(this, d, i); };
P.flatten = function (s, e) { return flatten(this, s, e); };
P.unflatten = function (d, s) { return unflatten(this, d, s); };
P.diagonal = function (o, a, b) { return diagonal(this, o, a, b); };
P.contiguous = function () { return contiguous(this); };
P.clone = function () { return clone(this); };
P.to = function (d) { return to(this, d); };
P.float = function () { return to(this, 'float32'); };
P.double = function () { return to(this, 'float64'); };
P.int = function () { return to(this, 'int32'); };
P.bool = function () { return to(this, 'bool'); };
