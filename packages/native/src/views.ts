import type { TypedArray, View } from './types.js';

/** Shape, dtype and memory checks the kernel wrappers make before calling the addon (backend.ts, recurrent.ts). */

/** The typed arrays of float tensors. */
export type FloatArray = Float32Array | Float64Array;

/** Whether b is a Float32Array or Float64Array. */
export function isFloat(b: TypedArray): b is FloatArray {
  return b instanceof Float32Array || b instanceof Float64Array;
}

/** Same float dtype for every operand, or null (the kernel then declines and TS runs it). */
export function sameFloat(...views: (View | null)[]): boolean {
  const first = views[0]!.buffer;
  if (!isFloat(first)) return false;
  for (const v of views) if (v !== null && v.buffer.constructor !== first.constructor) return false;
  return true;
}

/** Whether v is row-major contiguous (size-1 dimensions take any stride). */
export function isContiguous(v: View): boolean {
  let expected = 1;
  for (let d = v.shape.length - 1; d >= 0; d--) {
    const n = v.shape[d]!;
    if (n !== 1 && v.strides[d] !== expected) return false;
    expected *= n;
  }
  return true;
}

/** Whether v is [dims...] and contiguous (row-major, unit strides). */
export function isContiguousOf(v: View, dims: readonly number[]): boolean {
  if (v.shape.length !== dims.length) return false;
  let stride = 1;
  for (let d = dims.length - 1; d >= 0; d--) {
    if (v.shape[d] !== dims[d]) return false;
    if (dims[d]! > 1 && v.strides[d] !== stride) return false;
    stride *= dims[d]!;
  }
  return true;
}

/** Whether the bytes two views can reach intersect (their bounding byte ranges, conservatively). */
export function mayOverlap(a: View, b: View): boolean {
  if (a.buffer.buffer !== b.buffer.buffer) return false;
  const range = (v: View): [number, number] => {
    const size = v.buffer.BYTES_PER_ELEMENT;
    let lo = v.offset, hi = v.offset;
    for (let d = 0; d < v.shape.length; d++) {
      if (v.shape[d] === 0) return [0, 0];
      const span = (v.shape[d]! - 1) * v.strides[d]!;
      if (span < 0) lo += span;
      else hi += span;
    }
    return [v.buffer.byteOffset + lo * size, v.buffer.byteOffset + (hi + 1) * size];
  };
  const [alo, ahi] = range(a), [blo, bhi] = range(b);
  return alo < bhi && blo < ahi;
}
