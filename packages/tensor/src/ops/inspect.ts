import { kernels } from '../backend/registry.js';
import type { DType, TypedArray } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { shapeToString } from '../layout.js';

/** Reading values out of tensors: `item()`, `toArray()`, `toTypedArray()`. */
export type NestedNumbers = number | boolean | NestedNumbers[];

/**
 * The elements in row-major order as a new typed array of the tensor's own type. It owns its
 * ArrayBuffer (never a slice of the small-buffer pool), so the caller may transfer it to a worker.
 */
export function toTypedArray(t: Tensor): TypedArray {
  const n = t.numel();
  if (t.isContiguous()) return t.storage.data.slice(t.offset, t.offset + n);
  const out = ownedBuffer(t.dtype, n);
  kernels.current.copy(t, { buffer: out, shape: t.shape, strides: rowMajor(t.shape), offset: 0 });
  return out;
}

function ownedBuffer(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case 'float32': return new Float32Array(n);
    case 'float64': return new Float64Array(n);
    case 'int32': return new Int32Array(n);
    case 'bool': return new Uint8Array(n);
  }
}

function rowMajor(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]!; }
  return s;
}

/** The value of a one-element tensor as a JS number (boolean for bool tensors). */
export function item(t: Tensor): number | boolean {
  if (t.numel() !== 1) throw new RangeError(`item(): a Tensor with ${t.numel()} elements (shape ${shapeToString(t.shape)}) cannot be converted to a scalar`);
  const v = t.storage.data[t.offset]!;
  return t.dtype === 'bool' ? v !== 0 : v;
}

/** Nested JS arrays of the values (booleans for bool tensors), like torch's `tolist()`. */
export function toArray(t: Tensor): NestedNumbers {
  const flat = toTypedArray(t);
  const isBool = t.dtype === 'bool';
  if (t.ndim === 0) return isBool ? flat[0] !== 0 : flat[0]!;
  let pos = 0;
  const build = (d: number): NestedNumbers[] => {
    const n = t.shape[d]!;
    const out: NestedNumbers[] = new Array(n);
    if (d === t.ndim - 1) {
      for (let i = 0; i < n; i++) { const v = flat[pos++]!; out[i] = isBool ? v !== 0 : v; }
    } else for (let i = 0; i < n; i++) out[i] = build(d + 1);
    return out;
  };
  return build(0);
}

declare module '../tensor.js' {
  interface Tensor {
    item(): number;
    toArray(): NestedNumbers;
    tolist(): NestedNumbers;
    toTypedArray(): TypedArray;
  }
}
const P = Tensor.prototype;
P.item = function () { return item(this) as number; };
P.toArray = function () { return toArray(this); };
P.tolist = function () { return toArray(this); };
P.toTypedArray = function () { return toTypedArray(this); };
