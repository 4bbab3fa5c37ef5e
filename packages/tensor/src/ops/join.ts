import type { View } from '../backend/backend.js';
import { kernels } from '../backend/registry.js';
import { promoteTypes } from '../dtype.js';
import { normalizeDim, shapeToString } from '../layout.js';
import { recordOp } from '../grad-hooks.js';
import { Tensor } from '../tensor.js';
import { assertTensor } from './util.js';
import { expand, narrow, reshape, select, unsqueeze } from './views.js';
import { indexSelect } from './indexing.js';

/**
 * Joining and splitting: cat, stack, split, chunk, unbind, flip, repeat, tile.
 *
 * Ops recorded for autograd:
 *
 *   name    inputs            attrs              meaning
 *   'cat'   [t0, t1, ...]     { dim, sizes }     out = t0, t1, ... laid end to end along dim;
 *                                                sizes[i] = ti.shape[dim] (gradient: narrow slices)
 *
 * Everything else is built from recorded ops: stack is unsqueeze + cat; split/chunk/unbind return
 * narrow()/select() views; flip is indexSelect per dim; repeat/tile are unsqueeze + expand +
 * reshape (a recorded clone). Inputs of cat with different dtypes are promoted (as torch.cat).
 */

function assertTensorList(tensors: readonly Tensor[], op: string): void {
  if (!Array.isArray(tensors)) throw new TypeError(`${op}: expected an array of tensors, got ${typeof tensors}`);
  if (tensors.length === 0) throw new RangeError(`${op}: expected a non-empty array of tensors`);
  tensors.forEach((t, i) => assertTensor(t, `${op}: tensors[${i}]`));
}

/** Concatenates tensors along an existing dim; shapes must agree except along `dim` (torch.cat). */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  assertTensorList(tensors, 'cat');
  // Like torch, 1-D empty tensors ([0]) are skipped whatever the other tensors' rank.
  const parts = tensors.filter((t) => !(t.ndim === 1 && t.shape[0] === 0));
  let dtype = tensors[0]!.dtype;
  for (const t of tensors) dtype = promoteTypes(dtype, t.dtype);
  if (parts.length === 0) return Tensor.empty([0], dtype);
  const ref = parts[0]!;
  if (ref.ndim === 0) throw new RangeError('cat: zero-dimensional tensor (at position 0) cannot be concatenated; use stack() or unsqueeze first');
  const d = normalizeDim(dim, ref.ndim);
  const refIdx = tensors.indexOf(ref);
  for (let i = 0; i < tensors.length; i++) {
    const t = tensors[i]!;
    if (t.ndim === 1 && t.shape[0] === 0) continue;
    if (t.ndim !== ref.ndim) {
      throw new RangeError(`cat: tensors must have the same number of dimensions: tensor ${refIdx} has shape ${shapeToString(ref.shape)} but tensor ${i} has shape ${shapeToString(t.shape)}`);
    }
    for (let k = 0; k < ref.ndim; k++) {
      if (k !== d && t.shape[k] !== ref.shape[k]) {
        throw new RangeError(
          `cat: sizes of tensors must match except in dimension ${d}: tensor ${refIdx} has shape ${shapeToString(ref.shape)} but tensor ${i} has shape ${shapeToString(t.shape)} (mismatch in dimension ${k})`,
        );
      }
    }
  }
  const sizes = parts.map((t) => t.shape[d]!);
  const shape = ref.shape.slice();
  shape[d] = sizes.reduce((a, b) => a + b, 0);
  const out = Tensor.empty(shape, dtype);
  let start = 0;
  for (const t of parts) {
    const slot: View = { buffer: out.buffer, shape: t.shape, strides: out.strides, offset: start * out.strides[d]! };
    if (t.numel() > 0) kernels.current.copy(t, slot);
    start += t.shape[d]!;
  }
  recordOp('cat', parts, out, { dim: d, sizes });
  return out;
}

/** Stacks equally shaped tensors along a new dim (torch.stack). */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  assertTensorList(tensors, 'stack');
  const ref = tensors[0]!;
  for (let i = 1; i < tensors.length; i++) {
    const t = tensors[i]!;
    if (t.ndim !== ref.ndim || t.shape.some((s, k) => s !== ref.shape[k])) {
      throw new RangeError(`stack expects each tensor to be equal size, but got ${shapeToString(ref.shape)} at entry 0 and ${shapeToString(t.shape)} at entry ${i}`);
    }
  }
  const d = normalizeDim(dim, ref.ndim + 1);
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}

/**
 * Splits into views along dim: chunks of `splitSize` (the last may be smaller), or pieces of the
 * given `sections` sizes, which must add up to the dim's size (torch.split).
 */
export function split(x: Tensor, splitSizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  assertTensor(x, 'split');
  if (x.ndim === 0) throw new RangeError('split: cannot split a 0-d tensor');
  const d = normalizeDim(dim, x.ndim);
  const size = x.shape[d]!;
  if (typeof splitSizeOrSections === 'number') {
    const s = splitSizeOrSections;
    if (!Number.isInteger(s) || s < 0 || (s === 0 && size !== 0)) {
      throw new RangeError(`split: splitSize must be a positive integer, got ${s} (dimension ${d} has size ${size})`);
    }
    if (size === 0) return [narrow(x, d, 0, 0)];
    const out: Tensor[] = [];
    for (let start = 0; start < size; start += s) out.push(narrow(x, d, start, Math.min(s, size - start)));
    return out;
  }
  if (!Array.isArray(splitSizeOrSections)) throw new TypeError('split: expected a split size (number) or an array of section sizes');
  const sections = splitSizeOrSections;
  let total = 0;
  for (const s of sections) {
    if (!Number.isInteger(s) || s < 0) throw new RangeError(`split: section sizes must be non-negative integers, got ${shapeToString(sections)}`);
    total += s;
  }
  if (total !== size) {
    throw new RangeError(`split: section sizes ${shapeToString(sections)} add up to ${total}, but dimension ${d} of shape ${shapeToString(x.shape)} has size ${size}`);
  }
  const out: Tensor[] = [];
  let start = 0;
  for (const s of sections) { out.push(narrow(x, d, start, s)); start += s; }
  return out;
}

/** Splits into at most `chunks` views of size ceil(size / chunks) along dim (torch.chunk). */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  assertTensor(x, 'chunk');
  if (!Number.isInteger(chunks) || chunks < 1) throw new RangeError(`chunk: chunks must be a positive integer, got ${chunks}`);
  if (x.ndim === 0) throw new RangeError('chunk: cannot chunk a 0-d tensor');
  const d = normalizeDim(dim, x.ndim);
  const size = x.shape[d]!;
  return split(x, size === 0 ? 0 : Math.ceil(size / chunks), d);
}

/** The views x.select(dim, i) for every i (torch.unbind). */
export function unbind(x: Tensor, dim = 0): Tensor[] {
  assertTensor(x, 'unbind');
  const d = normalizeDim(dim, x.ndim);
  return Array.from({ length: x.shape[d]! }, (_, i) => select(x, d, i));
}

/** Reverses the order of elements along the given dims (a copy, as torch.flip). */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  assertTensor(x, 'flip');
  const list = (typeof dims === 'number' ? [dims] : dims).map((d) => normalizeDim(d, x.ndim));
  if (new Set(list).size !== list.length) throw new RangeError(`flip: dims ${shapeToString(list)} contain a repeated dim`);
  let out = x;
  for (const d of list) {
    if (x.ndim === 0) break;
    const n = x.shape[d]!;
    const rev = Tensor.empty([n], 'int32');
    for (let i = 0; i < n; i++) rev.buffer[i] = n - 1 - i;
    out = indexSelect(out, d, rev);
  }
  return out === x ? x.clone() : out;
}

/** Repeats the whole tensor `sizes[i]` times along each dim; extra leading sizes add dims (torch.Tensor.repeat). */
export function repeat(x: Tensor, sizes: readonly number[]): Tensor {
  assertTensor(x, 'repeat');
  if (sizes.length < x.ndim) {
    throw new RangeError(`repeat: the number of repeat dims (${sizes.length}) can not be smaller than the number of dims of the tensor (shape ${shapeToString(x.shape)})`);
  }
  for (const r of sizes) if (!Number.isInteger(r) || r < 0) throw new RangeError(`repeat: repeats must be non-negative integers, got ${shapeToString(sizes)}`);
  let t = x;
  for (let i = x.ndim; i < sizes.length; i++) t = unsqueeze(t, 0);
  // [d0, d1, ...] -> [1, d0, 1, d1, ...] -> expand to [r0, d0, r1, d1, ...] -> [r0*d0, r1*d1, ...]
  const inner = t.shape.slice();
  for (let i = inner.length - 1; i >= 0; i--) t = unsqueeze(t, i);
  const expanded = inner.flatMap((s, i) => [sizes[i]!, s]);
  const result = reshape(expand(t, expanded), inner.map((s, i) => s * sizes[i]!));
  // reshape of the expanded view always copies unless every repeat is 1; repeat returns a new tensor either way.
  return result.storage === x.storage ? result.clone() : result;
}

/** Like repeat, but fewer dims than the tensor has are padded with leading 1s (torch.tile). */
export function tile(x: Tensor, dims: readonly number[]): Tensor {
  assertTensor(x, 'tile');
  const full = dims.length < x.ndim ? [...new Array<number>(x.ndim - dims.length).fill(1), ...dims] : dims;
  return repeat(x, full);
}

declare module '../tensor.js' {
  interface Tensor {
    split(splitSizeOrSections: number | readonly number[], dim?: number): Tensor[];
    chunk(chunks: number, dim?: number): Tensor[];
    unbind(dim?: number): Tensor[];
    flip(dims: number | readonly number[]): Tensor;
    repeat(...sizes: (number | readonly number[])[]): Tensor;
    tile(dims: readonly number[]): Tensor;
  }
}

const P = Tensor.prototype;
P.split = function (s, d) { return split(this, s, d); };
P.chunk = function (c, d) { return chunk(this, c, d); };
P.unbind = function (d) { return unbind(this, d); };
P.flip = function (d) { return flip(this, d); };
P.repeat = function (...s) {
  const sizes = s.length === 1 && Array.isArray(s[0]) ? (s[0] as number[]) : (s as number[]);
  return repeat(this, sizes);
};
P.tile = function (d) { return tile(this, d); };
