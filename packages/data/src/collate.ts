import { Tensor, type DType, type TypedArray } from '@tsgrad/tensor';

/**
 * The default collate function (as torch's default_collate): turns a list of samples into a batch.
 *
 * - Tensors of equal shape and dtype stack along a new first dim: [B, ...shape].
 * - Numbers become a 1-D tensor: int32 when all are integers, float32 otherwise; booleans bool.
 * - Typed arrays of equal length become a [B, length] tensor: Float32Array float32, Float64Array
 *   float64, the integer arrays (Int8/16/32, Uint8/8Clamped/16) int32. Uint8Array is treated as
 *   integer data, not bool.
 * - Arrays (tuples) and plain objects are collated element-wise / key-wise, recursively.
 * - Strings (and other values) are kept as a plain array.
 */
export function defaultCollate(samples: readonly unknown[]): any {
  if (samples.length === 0) throw new RangeError('collate: cannot collate an empty batch');
  return collateAt(samples, '');
}

/** Turns a list of samples into a batch (see `defaultCollate`). */
export type CollateFn<S = any, B = any> = (samples: S[]) => B;

function where(path: string): string {
  return path === '' ? '' : ` at ${path}`;
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof Tensor) return 'Tensor';
  if (ArrayBuffer.isView(v)) return (v as object).constructor.name;
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function collateAt(samples: readonly unknown[], path: string): any {
  const first = samples[0];
  const k = kind(first);
  for (let i = 1; i < samples.length; i++) {
    const ki = kind(samples[i]);
    if (ki !== k) throw new TypeError(`collate: sample ${i}${where(path)} is a ${ki}, but sample 0 is a ${k}`);
  }
  if (first instanceof Tensor) return stackTensors(samples as Tensor[], path);
  if (typeof first === 'number') return collateNumbers(samples as number[]);
  if (typeof first === 'boolean') {
    const buf = Uint8Array.from(samples as boolean[], (b) => (b ? 1 : 0));
    return Tensor.fromBuffer(buf, [buf.length], 'bool');
  }
  if (ArrayBuffer.isView(first)) return stackTypedArrays(samples as ArrayBufferView[], path);
  if (Array.isArray(first)) {
    const n = first.length;
    samples.forEach((s, i) => {
      if ((s as unknown[]).length !== n) throw new RangeError(`collate: sample ${i}${where(path)} has ${(s as unknown[]).length} elements, but sample 0 has ${n}`);
    });
    return Array.from({ length: n }, (_, j) => collateAt(samples.map((s) => (s as unknown[])[j]), `${path}[${j}]`));
  }
  if (typeof first === 'object' && first !== null && (Object.getPrototypeOf(first) === Object.prototype || Object.getPrototypeOf(first) === null)) {
    const keys = Object.keys(first);
    const out: Record<string, unknown> = {};
    samples.forEach((s, i) => {
      const ks = Object.keys(s as object);
      if (ks.length !== keys.length || ks.some((key) => !(key in (first as object)))) {
        throw new TypeError(`collate: sample ${i}${where(path)} has keys {${ks.join(', ')}}, but sample 0 has {${keys.join(', ')}}`);
      }
    });
    for (const key of keys) out[key] = collateAt(samples.map((s) => (s as Record<string, unknown>)[key]), `${path}.${key}`);
    return out;
  }
  return samples.slice();
}

function collateNumbers(xs: number[]): Tensor {
  const ints = xs.every((x) => Number.isInteger(x) && x >= -2147483648 && x <= 2147483647);
  const buf = ints ? Int32Array.from(xs) : Float32Array.from(xs);
  return Tensor.fromBuffer(buf, [xs.length], ints ? 'int32' : 'float32');
}

function stackTensors(ts: Tensor[], path: string): Tensor {
  const t0 = ts[0]!;
  const per = t0.numel();
  ts.forEach((t, i) => {
    if (t.dtype !== t0.dtype) throw new TypeError(`collate: sample ${i}${where(path)} has dtype ${t.dtype}, but sample 0 has ${t0.dtype}`);
    if (t.shape.length !== t0.shape.length || t.shape.some((d, j) => d !== t0.shape[j])) {
      throw new RangeError(`collate: cannot stack shape [${t.shape.join(', ')}] (sample ${i}${where(path)}) with shape [${t0.shape.join(', ')}] (sample 0)`);
    }
  });
  const out = Tensor.empty([ts.length, ...t0.shape], t0.dtype);
  const dst = out.buffer;
  ts.forEach((t, i) => {
    const src = t.isContiguous() ? t.buffer.subarray(t.offset, t.offset + per) : t.contiguous().buffer.subarray(0, per);
    dst.set(src, i * per);
  });
  return out;
}

function dtypeForArray(a: ArrayBufferView): DType | null {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array || a instanceof Int16Array || a instanceof Int8Array) return 'int32';
  if (a instanceof Uint8Array || a instanceof Uint8ClampedArray || a instanceof Uint16Array) return 'int32';
  return null;
}

function stackTypedArrays(arrays: ArrayBufferView[], path: string): Tensor {
  const a0 = arrays[0] as unknown as ArrayLike<number>;
  const dtype = dtypeForArray(arrays[0]!);
  if (dtype === null) throw new TypeError(`collate: cannot collate ${arrays[0]!.constructor.name}${where(path)} (supported: Float32Array, Float64Array and 8/16/32-bit integer arrays)`);
  const n = a0.length;
  arrays.forEach((a, i) => {
    const len = (a as unknown as ArrayLike<number>).length;
    if (len !== n) throw new RangeError(`collate: sample ${i}${where(path)} has length ${len}, but sample 0 has ${n}`);
  });
  const out = Tensor.empty([arrays.length, n], dtype);
  const dst = out.buffer as TypedArray;
  arrays.forEach((a, i) => dst.set(a as unknown as ArrayLike<number>, i * n));
  return out;
}
