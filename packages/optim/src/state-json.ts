import { Tensor, type DType } from '@tsgrad/tensor';

/**
 * Optimizer state dicts hold tensors (moments, momentum buffers). `stateDictToJSON` turns each
 * into this plain object so the whole dict survives `JSON.stringify`/`JSON.parse`; load functions
 * accept either form. Non-finite elements are written as strings, which JSON can hold.
 */
export interface TensorJSON {
  __tensor__: true;
  dtype: DType;
  shape: number[];
  data: (number | string)[];
}

export function isTensorJSON(v: unknown): v is TensorJSON {
  return typeof v === 'object' && v !== null && (v as { __tensor__?: unknown }).__tensor__ === true;
}

/** A tensor as plain JSON (dtype, shape, data), for optimizer state dicts. */
export function tensorToJSON(t: Tensor): TensorJSON {
  const flat = t.toTypedArray();
  const data = new Array<number | string>(flat.length);
  for (let i = 0; i < flat.length; i++) {
    const x = flat[i]!;
    data[i] = Number.isFinite(x) ? x : String(x);
  }
  return { __tensor__: true, dtype: t.dtype, shape: t.shape.slice(), data };
}

/** The inverse of `tensorToJSON`. */
export function tensorFromJSON(j: TensorJSON): Tensor {
  const t = Tensor.empty(j.shape, j.dtype);
  const buf = t.storage.data;
  if (j.data.length !== buf.length) {
    throw new RangeError(`serialized tensor of shape [${j.shape.join(', ')}] has ${j.data.length} values, expected ${buf.length}`);
  }
  for (let i = 0; i < buf.length; i++) buf[i] = Number(j.data[i]);
  return t;
}

/** Deep-copies a plain value, replacing every Tensor by `mapTensor(t)` (arrays and objects recursed). */
export function mapTensors(v: unknown, mapTensor: (t: Tensor) => unknown): unknown {
  if (v instanceof Tensor) return mapTensor(v);
  if (Array.isArray(v)) return v.map((x) => mapTensors(x, mapTensor));
  if (typeof v === 'object' && v !== null && !isTensorJSON(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = mapTensors(x, mapTensor);
    return out;
  }
  if (isTensorJSON(v)) return { ...v, shape: v.shape.slice(), data: v.data.slice() };
  return v;
}

/** A copy of a state dict (optimizer or scheduler) with every tensor as a `TensorJSON`. */
export function stateDictToJSON<T>(stateDict: T): unknown {
  return mapTensors(stateDict, tensorToJSON);
}
