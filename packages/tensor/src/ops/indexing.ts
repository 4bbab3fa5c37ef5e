import { kernels } from '../backend/registry.js';
import { type DType, castScalar, isFloating } from '../dtype.js';
import { normalizeDim, sameShape, shapeToString } from '../layout.js';
import { recordOp } from '../grad-hooks.js';
import { Tensor } from '../tensor.js';
import { adoptResult, assertTensor, broadcastView, checkInplace, scalarTensor } from './util.js';
import { toTypedArray } from './inspect.js';
import { narrow } from './views.js';

/**
 * Indexing ops: gather/scatter along a dim, indexSelect/indexAdd of whole slices, maskedFill,
 * oneHot, nonzero, and the in-place writers fill_, zero_ and copy_.
 *
 * Index tensors are int32 (tsgrad has no int64). Negative indices count from the end; an index
 * outside [-size, size) is a RangeError naming the index, the dim and its size. Kernels always
 * receive non-negative, in-range indices (normalised here), so every backend agrees.
 *
 * Ops recorded for autograd (`recordOp(name, inputs, output, attrs)`):
 *
 *   name          inputs         attrs                      meaning
 *   'gather'      [x]            { dim, index }             out = x.gather(dim, index)
 *   'scatter'     [self, src]    { dim, index }             out = self with src written at index (last write wins)
 *   'scatterAdd'  [self, src]    { dim, index }             out = self with src added at index
 *                                                           (for both, the recorded src has index's shape: a larger
 *                                                           src is narrowed to its leading index-shaped corner first)
 *   'indexSelect' [x]            { dim, index }             out = x.indexSelect(dim, index) (index 1-D)
 *   'indexAdd'    [self, src]    { dim, index }             out = self with src slices added at index (alpha folded into src)
 *   'maskedFill'  [x]            { mask }                   out = mask ? value : x (mask bool, broadcast to x's shape)
 *
 * `index` in attrs is the normalised (non-negative) int32 tensor. scatter with a scalar value
 * records 'scatter' with a constant src. fill_/copy_ under autograd are expressed with recorded
 * ops (maskedFill, cast/expand/clone), so they need no formulas of their own.
 */

/**
 * The values of an int32 index tensor, checked against [-size, size) and made non-negative, as a
 * new contiguous tensor: what autograd saves cannot change if the caller later edits `index`.
 */
function checkedIndex(index: Tensor, size: number, dim: number, op: string): Tensor {
  if (index.dtype !== 'int32') throw new TypeError(`${op}: index must be an int32 tensor, got ${index.dtype}`);
  let flat = toTypedArray(index) as Int32Array;
  if (flat.buffer === index.buffer.buffer) flat = flat.slice(); // never normalise the caller's memory
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i]!;
    if (v < -size || v >= size) {
      throw new RangeError(`${op}: index ${v} is out of bounds for dimension ${dim} with size ${size}`);
    }
    if (v < 0) flat[i] = v + size;
  }
  return Tensor.fromBuffer(flat, index.shape, 'int32');
}

function sameNdim(x: Tensor, index: Tensor, op: string, what: string): void {
  if (x.ndim !== index.ndim) {
    throw new RangeError(`${op}: index ${shapeToString(index.shape)} must have as many dims as ${what} ${shapeToString(x.shape)}`);
  }
}

/**
 * Refuses an in-place write into a view where several elements share one memory location (an
 * expanded view, stride 0): the result would depend on the write order (PyTorch refuses too).
 */
export function assertWritable(self: Tensor, op: string): void {
  if (self.numel() <= 1) return;
  for (let d = 0; d < self.ndim; d++) {
    if (self.strides[d] === 0 && self.shape[d]! > 1) {
      throw new RangeError(
        `${op}: more than one element of the written-to tensor refers to a single memory location (shape ${shapeToString(self.shape)}, strides ${shapeToString(self.strides)}, e.g. an expanded view); clone() it first`,
      );
    }
  }
}

/** `src` itself, or a copy when it shares memory with `self` (it would be read after being overwritten). */
function readable(self: Tensor, src: Tensor): Tensor {
  return src.storage === self.storage ? src.clone() : src;
}

/**
 * The leading `shape` box of src (torch lets scatter's src be larger than index and reads only
 * that corner), as recorded narrow() views so the src recorded for autograd has index's shape.
 */
function srcBox(src: Tensor, shape: readonly number[]): Tensor {
  let t = src;
  for (let d = 0; d < shape.length; d++) if (t.shape[d] !== shape[d]) t = narrow(t, d, 0, shape[d]!);
  return t;
}

// ---- gather / scatter -------------------------------------------------------------------------

/** out[i][j][k] = x[i][index[i][j][k]][k] for dim 1 (torch.gather); out has index's shape. */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  assertTensor(x, 'gather: input');
  assertTensor(index, 'gather: index');
  const d = normalizeDim(dim, x.ndim);
  sameNdim(x, index, 'gather', 'input');
  for (let i = 0; i < x.ndim; i++) {
    if (i !== d && index.shape[i]! > x.shape[i]!) {
      throw new RangeError(`gather: index ${shapeToString(index.shape)} is larger than input ${shapeToString(x.shape)} at dimension ${i} (only dim ${d} may be larger)`);
    }
  }
  const out = Tensor.empty(index.shape, x.dtype);
  if (x.ndim === 0) {
    const idx = checkedIndex(index, 1, 0, 'gather');
    kernels.current.copy(x, out);
    recordOp('gather', [x], out, { dim: d, index: idx });
    return out;
  }
  const idx = checkedIndex(index, x.shape[d]!, d, 'gather');
  if (out.numel() > 0) kernels.current.gather(x, d, idx, out);
  recordOp('gather', [x], out, { dim: d, index: idx });
  return out;
}

function checkScatter(self: Tensor, d: number, index: Tensor, src: Tensor, op: string): void {
  sameNdim(self, index, op, 'self');
  if (src.ndim !== index.ndim) {
    throw new RangeError(`${op}: index ${shapeToString(index.shape)} must have as many dims as src ${shapeToString(src.shape)}`);
  }
  for (let i = 0; i < index.ndim; i++) {
    if (index.shape[i]! > src.shape[i]!) {
      throw new RangeError(`${op}: index ${shapeToString(index.shape)} is larger than src ${shapeToString(src.shape)} at dimension ${i}`);
    }
    if (i !== d && index.shape[i]! > self.shape[i]!) {
      throw new RangeError(`${op}: index ${shapeToString(index.shape)} is larger than self ${shapeToString(self.shape)} at dimension ${i} (only dim ${d} may be larger)`);
    }
  }
  if (src.dtype !== self.dtype) throw new TypeError(`${op}: src dtype ${src.dtype} must match self dtype ${self.dtype}`);
}

/** A constant src for scatter(value): `value` broadcast to index's shape. */
function valueSrc(value: number | boolean, index: Tensor, dtype: DType): Tensor {
  const s = scalarTensor(value, dtype);
  return s.makeView(index.shape.slice(), index.shape.map(() => 0), 0);
}

function scatterInto(out: Tensor, d: number, index: Tensor, src: Tensor, accumulate: boolean, op: string): Tensor {
  if (out.ndim === 0) {
    const idx = checkedIndex(index, 1, 0, op);
    if (index.numel() > 0) {
      const v = src.buffer[src.offset]!;
      out.buffer[out.offset] = accumulate ? out.buffer[out.offset]! + v : v;
    }
    return idx;
  }
  const idx = checkedIndex(index, out.shape[d]!, d, op);
  if (index.numel() > 0) kernels.current.scatter(out, d, idx, srcBox(src, index.shape), accumulate);
  return idx;
}

function scatterImpl(self: Tensor, dim: number, index: Tensor, src: Tensor | number | boolean, accumulate: boolean, op: 'scatter' | 'scatterAdd'): Tensor {
  assertTensor(self, `${op}: self`);
  assertTensor(index, `${op}: index`);
  const d = normalizeDim(dim, self.ndim);
  const srcFull = src instanceof Tensor ? src : valueSrc(src, index, self.dtype);
  checkScatter(self, d, index, srcFull, op);
  const srcT = srcBox(srcFull, index.shape);
  const out = Tensor.empty(self.shape, self.dtype);
  kernels.current.copy(self, out);
  const idx = scatterInto(out, d, index, srcT, accumulate, op);
  recordOp(op, [self, srcT], out, { dim: d, index: idx });
  return out;
}

function scatterInplace(self: Tensor, dim: number, index: Tensor, src: Tensor | number | boolean, accumulate: boolean, op: 'scatter' | 'scatterAdd'): Tensor {
  assertTensor(self, `${op}_: self`);
  assertTensor(index, `${op}_: index`);
  const d = normalizeDim(dim, self.ndim);
  const srcT = src instanceof Tensor ? src : valueSrc(src, index, self.dtype);
  checkScatter(self, d, index, srcT, `${op}_`);
  assertWritable(self, `${op}_`);
  if (checkInplace(self, `${op}_`) && (self.requiresGrad || srcT.requiresGrad)) {
    return adoptResult(self, scatterImpl(self.clone(), d, index, srcT, accumulate, op), kernels.current.copy);
  }
  scatterInto(self, d, index, readable(self, srcT), accumulate, `${op}_`);
  self.bumpVersion();
  return self;
}

/** Out-of-place torch.scatter: a copy of self with src (or a scalar value) written at index along dim. */
export function scatter(self: Tensor, dim: number, index: Tensor, src: Tensor | number | boolean): Tensor {
  return scatterImpl(self, dim, index, src, false, 'scatter');
}
/**
 * In place: writes `src` (a tensor or a scalar) into `self` at `index` along `dim` (torch.Tensor.scatter_).
 */
export function scatter_(self: Tensor, dim: number, index: Tensor, src: Tensor | number | boolean): Tensor {
  return scatterInplace(self, dim, index, src, false, 'scatter');
}
/** Out-of-place torch.scatter_add: a copy of self with src added at index along dim (duplicates accumulate). */
export function scatterAdd(self: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  assertTensor(src, 'scatterAdd: src');
  return scatterImpl(self, dim, index, src, true, 'scatterAdd');
}
/**
 * In place: adds `src` into `self` at `index` along `dim`, summing duplicates (torch.Tensor.scatter_add_).
 */
export function scatterAdd_(self: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  assertTensor(src, 'scatterAdd_: src');
  return scatterInplace(self, dim, index, src, true, 'scatterAdd');
}

// ---- indexSelect / indexAdd -------------------------------------------------------------------

function vectorIndex(index: Tensor, op: string): Tensor {
  assertTensor(index, `${op}: index`);
  if (index.ndim > 1) throw new RangeError(`${op}: index must be 1-D, got shape ${shapeToString(index.shape)}`);
  return index.ndim === 0 ? index.makeView([1], [1], index.offset) : index;
}

/** The slices of x along dim named by a 1-D int32 index, in its order (torch.index_select). */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  assertTensor(x, 'indexSelect: input');
  const ix = vectorIndex(index, 'indexSelect');
  if (x.ndim === 0) {
    const idx = checkedIndex(ix, 1, 0, 'indexSelect');
    const out = Tensor.empty([], x.dtype);
    kernels.current.copy(x, out);
    recordOp('indexSelect', [x], out, { dim: 0, index: idx });
    return out;
  }
  const d = normalizeDim(dim, x.ndim);
  const idx = checkedIndex(ix, x.shape[d]!, d, 'indexSelect');
  const shape = x.shape.slice();
  shape[d] = idx.shape[0]!;
  const out = Tensor.empty(shape, x.dtype);
  if (out.numel() > 0) kernels.current.indexSelect(x, d, idx, out);
  recordOp('indexSelect', [x], out, { dim: d, index: idx });
  return out;
}

function checkIndexAdd(self: Tensor, d: number, idx: Tensor, src: Tensor, op: string): void {
  const expected = self.shape.slice();
  if (self.ndim > 0) expected[d] = idx.shape[0]!;
  const srcShape = src.ndim === 0 && self.ndim === 0 ? [] : src.shape;
  if (!sameShape(srcShape, expected)) {
    throw new RangeError(`${op}: src ${shapeToString(src.shape)} must have shape ${shapeToString(expected)} (self ${shapeToString(self.shape)} with dim ${d} replaced by the index length ${idx.shape[0]})`);
  }
  if (src.dtype !== self.dtype) throw new TypeError(`${op}: src dtype ${src.dtype} must match self dtype ${self.dtype}`);
}

function indexAddInto(out: Tensor, d: number, index: Tensor, src: Tensor, op: string): Tensor {
  if (out.ndim === 0) {
    // A 0-d self has one slot: each index entry (all 0 after checking) adds the 0-d src once.
    const idx = checkedIndex(index, 1, 0, op);
    out.buffer[out.offset]! += idx.numel() * src.buffer[src.offset]!;
    return idx;
  }
  const idx = checkedIndex(index, out.shape[d]!, d, op);
  if (src.numel() > 0) kernels.current.indexAdd(out, d, idx, src);
  return idx;
}

function scaled(src: Tensor, alpha: number): Tensor {
  return alpha === 1 ? src : src.mul(alpha);
}

/** A copy of self with alpha * src[j] added to the slice index[j] along dim (torch.index_add). */
export function indexAdd(self: Tensor, dim: number, index: Tensor, src: Tensor, alpha = 1): Tensor {
  assertTensor(self, 'indexAdd: self');
  assertTensor(src, 'indexAdd: src');
  const ix = vectorIndex(index, 'indexAdd');
  const d = normalizeDim(dim, self.ndim);
  checkIndexAdd(self, d, ix, src, 'indexAdd');
  const s = scaled(src, alpha);
  const out = Tensor.empty(self.shape, self.dtype);
  kernels.current.copy(self, out);
  const idx = indexAddInto(out, d, ix, s, 'indexAdd');
  recordOp('indexAdd', [self, s], out, { dim: d, index: idx });
  return out;
}

/**
 * In place: adds `alpha * src` into the slices of `self` picked by `index` along `dim` (torch.Tensor.index_add_).
 */
export function indexAdd_(self: Tensor, dim: number, index: Tensor, src: Tensor, alpha = 1): Tensor {
  assertTensor(self, 'indexAdd_: self');
  assertTensor(src, 'indexAdd_: src');
  const ix = vectorIndex(index, 'indexAdd_');
  const d = normalizeDim(dim, self.ndim);
  checkIndexAdd(self, d, ix, src, 'indexAdd_');
  assertWritable(self, 'indexAdd_');
  if (checkInplace(self, 'indexAdd_') && (self.requiresGrad || src.requiresGrad)) {
    return adoptResult(self, indexAdd(self.clone(), d, ix, src, alpha), kernels.current.copy);
  }
  indexAddInto(self, d, ix, readable(self, scaled(src, alpha)), 'indexAdd_');
  self.bumpVersion();
  return self;
}

// ---- maskedFill -------------------------------------------------------------------------------

/** Whether `from` broadcasts to exactly `to` (NumPy rules, without growing `to`). */
function broadcastsTo(from: readonly number[], to: readonly number[]): boolean {
  if (from.length > to.length) return false;
  const lead = to.length - from.length;
  return from.every((s, i) => s === 1 || s === to[i + lead]);
}

function checkMask(x: Tensor, mask: Tensor, op: string): void {
  assertTensor(mask, `${op}: mask`);
  if (mask.dtype !== 'bool') throw new TypeError(`${op}: mask must be a bool tensor, got ${mask.dtype}`);
  if (!broadcastsTo(mask.shape, x.shape)) {
    throw new RangeError(`${op}: mask ${shapeToString(mask.shape)} must broadcast to the shape of self ${shapeToString(x.shape)}`);
  }
}

function fillValue(value: number | boolean | Tensor, op: string): number | boolean {
  if (value instanceof Tensor) {
    if (value.numel() !== 1 || value.ndim > 1) throw new RangeError(`${op}: value must be a number or a 0-d tensor, got a tensor of shape ${shapeToString(value.shape)}`);
    const v = value.buffer[value.offset]!;
    return value.dtype === 'bool' ? v !== 0 : v;
  }
  if (typeof value !== 'number' && typeof value !== 'boolean') throw new TypeError(`${op}: value must be a number or boolean, got ${typeof value}`);
  return value;
}

/** mask ? value : x, with mask (bool) broadcast to x's shape (torch.masked_fill). */
export function maskedFill(x: Tensor, mask: Tensor, value: number | boolean | Tensor): Tensor {
  assertTensor(x, 'maskedFill: input');
  checkMask(x, mask, 'maskedFill');
  const v = fillValue(value, 'maskedFill');
  const out = Tensor.empty(x.shape, x.dtype);
  kernels.current.where(broadcastView(mask, x.shape), broadcastView(scalarTensor(v, x.dtype), x.shape), x, out);
  recordOp('maskedFill', [x], out, { mask });
  return out;
}

/**
 * In place: sets the elements of `x` where `mask` (broadcast) is true to `value` (torch.Tensor.masked_fill_).
 */
export function maskedFill_(x: Tensor, mask: Tensor, value: number | boolean | Tensor): Tensor {
  assertTensor(x, 'maskedFill_: self');
  checkMask(x, mask, 'maskedFill_');
  const v = fillValue(value, 'maskedFill_');
  assertWritable(x, 'maskedFill_');
  if (checkInplace(x, 'maskedFill_') && x.requiresGrad) return adoptResult(x, maskedFill(x.clone(), mask, v), kernels.current.copy);
  kernels.current.where(broadcastView(mask, x.shape), broadcastView(scalarTensor(v, x.dtype), x.shape), x, x);
  x.bumpVersion();
  return x;
}

// ---- oneHot / nonzero -------------------------------------------------------------------------

/**
 * One-hot encoding of int32 class labels: shape [...labels.shape, numClasses], dtype int32
 * (torch returns int64, which tsgrad does not have). numClasses -1 means max(labels) + 1.
 */
export function oneHot(labels: Tensor, numClasses = -1): Tensor {
  assertTensor(labels, 'oneHot: labels');
  if (labels.dtype !== 'int32') throw new TypeError(`oneHot: labels must be an int32 tensor, got ${labels.dtype}`);
  const flat = toTypedArray(labels) as Int32Array;
  let n = numClasses;
  if (n === -1) {
    if (flat.length === 0) throw new RangeError('oneHot: cannot infer numClasses from an empty tensor; pass numClasses');
    n = 0;
    for (let i = 0; i < flat.length; i++) n = Math.max(n, flat[i]! + 1);
  } else if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`oneHot: numClasses must be a positive integer or -1, got ${numClasses}`);
  }
  const out = Tensor.empty([...labels.shape, n], 'int32');
  const ob = out.buffer;
  for (let i = 0; i < flat.length; i++) {
    const c = flat[i]!;
    if (c < 0 || c >= n) throw new RangeError(`oneHot: class value ${c} is out of range for numClasses ${n} (expected in [0, ${n - 1}])`);
    ob[i * n + c] = 1;
  }
  return out;
}

/** Indices of the nonzero elements as an int32 tensor [count, ndim], in row-major order (torch.nonzero). */
export function nonzero(x: Tensor): Tensor {
  assertTensor(x, 'nonzero');
  const flat = toTypedArray(x);
  const nd = x.ndim;
  let count = 0;
  for (let i = 0; i < flat.length; i++) if (flat[i] !== 0) count++;
  const out = Tensor.empty([count, nd], 'int32');
  const ob = out.buffer;
  let row = 0;
  for (let i = 0; i < flat.length; i++) {
    if (flat[i] === 0) continue;
    let r = i;
    for (let d = nd - 1; d >= 0; d--) {
      const s = x.shape[d]!;
      ob[row * nd + d] = r % s;
      r = Math.floor(r / s);
    }
    row++;
  }
  return out;
}

// ---- fill_ / zero_ / copy_ --------------------------------------------------------------------

/** Fills every element of self (any view, written through to its base) with value. */
export function fill_(self: Tensor, value: number | boolean | Tensor): Tensor {
  assertTensor(self, 'fill_: self');
  const v = fillValue(value, 'fill_');
  if (checkInplace(self, 'fill_') && self.requiresGrad) {
    // The result no longer depends on self's old values: maskedFill with an all-true mask records that.
    const all = scalarTensor(true, 'bool');
    return adoptResult(self, maskedFill(self.clone(), all, v), kernels.current.copy);
  }
  kernels.current.fill(self, castScalar(v, self.dtype));
  self.bumpVersion();
  return self;
}

/** In place: fills `self` with zeros (torch.Tensor.zero_). */
export function zero_(self: Tensor): Tensor {
  return fill_(self, 0);
}

/**
 * Copies src into self (any view, written through): src broadcasts to self's shape and is cast
 * to self's dtype (torch.Tensor.copy_). Under autograd the gradient flows to src.
 */
export function copy_(self: Tensor, src: Tensor): Tensor {
  assertTensor(self, 'copy_: self');
  assertTensor(src, 'copy_: src');
  if (!broadcastsTo(src.shape, self.shape)) {
    throw new RangeError(`copy_: src ${shapeToString(src.shape)} cannot be broadcast to self ${shapeToString(self.shape)}`);
  }
  assertWritable(self, 'copy_');
  if (checkInplace(self, 'copy_') && (self.requiresGrad || src.requiresGrad)) {
    if (!isFloating(self.dtype)) throw new TypeError(`copy_: cannot copy a tensor that requires grad into a ${self.dtype} tensor`);
    const result = src.to(self.dtype).expand(self.shape).clone();
    return adoptResult(self, result, kernels.current.copy);
  }
  // A src sharing memory with self (e.g. its transpose) must be read before any write.
  kernels.current.copy(broadcastView(readable(self, src), self.shape), self);
  self.bumpVersion();
  return self;
}

// ---- Tensor methods -------------------------------------------------------------------------

declare module '../tensor.js' {
  interface Tensor {
    gather(dim: number, index: Tensor): Tensor;
    scatter(dim: number, index: Tensor, src: Tensor | number | boolean): Tensor;
    scatter_(dim: number, index: Tensor, src: Tensor | number | boolean): Tensor;
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    scatterAdd_(dim: number, index: Tensor, src: Tensor): Tensor;
    indexSelect(dim: number, index: Tensor): Tensor;
    indexAdd(dim: number, index: Tensor, src: Tensor, alpha?: number): Tensor;
    indexAdd_(dim: number, index: Tensor, src: Tensor, alpha?: number): Tensor;
    maskedFill(mask: Tensor, value: number | boolean | Tensor): Tensor;
    maskedFill_(mask: Tensor, value: number | boolean | Tensor): Tensor;
    nonzero(): Tensor;
    fill_(value: number | boolean | Tensor): Tensor;
    zero_(): Tensor;
    copy_(src: Tensor): Tensor;
  }
}

const P = Tensor.prototype;
P.gather = function (d, i) { return gather(this, d, i); };
P.scatter = function (d, i, s) { return scatter(this, d, i, s); };
P.scatter_ = function (d, i, s) { return scatter_(this, d, i, s); };
P.scatterAdd = function (d, i, s) { return scatterAdd(this, d, i, s); };
P.scatterAdd_ = function (d, i, s) { return scatterAdd_(this, d, i, s); };
P.indexSelect = function (d, i) { return indexSelect(this, d, i); };
P.indexAdd = function (d, i, s, a) { return indexAdd(this, d, i, s, a); };
P.indexAdd_ = function (d, i, s, a) { return indexAdd_(this, d, i, s, a); };
P.maskedFill = function (m, v) { return maskedFill(this, m, v); };
P.maskedFill_ = function (m, v) { return maskedFill_(this, m, v); };
P.nonzero = function () { return nonzero(this); };
P.fill_ = function (v) { return fill_(this, v); };
P.zero_ = function () { return zero_(this); };
P.copy_ = function (s) { return copy_(this, s); };
