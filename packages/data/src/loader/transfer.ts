import { Tensor, type DType, type TypedArray } from '@tsgrad/tensor';

/**
 * Moving samples and batches between threads. Tensors cannot cross a worker boundary as objects
 * (their class and storage would be lost), so they travel as {dtype, shape, typed array} records
 * whose buffers are transferred, not copied, and are rebuilt into Tensors on the other side.
 */
const TAG = '__tsgradTensor';

interface EncodedTensor {
  [TAG]: true;
  dtype: DType;
  shape: number[];
  data: TypedArray;
}

/**
 * Encodes `value` for postMessage; returns it with the list of buffers to transfer. With `owned`
 * (the value was freshly built, e.g. by collate) whole buffers are transferred as they are;
 * otherwise every buffer is copied first, since a dataset may return memory it keeps using, and
 * transferring would detach it.
 */
export function encodeForTransfer(value: unknown, owned = false): { value: unknown; transfer: ArrayBuffer[] } {
  const transfer = new Set<ArrayBuffer>();
  const own = (a: ArrayBufferView): ArrayBufferView => {
    // Transfer a buffer only when the view spans all of it and nothing else claimed it; otherwise
    // send a compact copy (transferring would detach memory the sender still uses elsewhere).
    const buf = a.buffer;
    if (owned && buf instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === buf.byteLength && !transfer.has(buf)) {
      transfer.add(buf);
      return a;
    }
    const copy = (a as TypedArray).slice();
    transfer.add(copy.buffer as ArrayBuffer);
    return copy;
  };
  const walk = (v: unknown): unknown => {
    if (v instanceof Tensor) {
      const n = v.numel();
      const data = v.isContiguous() && v.offset === 0 && v.buffer.length === n ? v.buffer : v.toTypedArray();
      const enc: EncodedTensor = { [TAG]: true, dtype: v.dtype, shape: v.shape.slice(), data: own(data) as TypedArray };
      return enc;
    }
    if (ArrayBuffer.isView(v)) return own(v);
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  const encoded = walk(value);
  return { value: encoded, transfer: [...transfer] };
}

/** Rebuilds the Tensors in a value produced by `encodeForTransfer`. */
export function decodeTransferred(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeTransferred);
  if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value)) {
    const rec = value as Record<string, unknown>;
    if (rec[TAG] === true) {
      const e = rec as unknown as EncodedTensor;
      return Tensor.fromBuffer(e.data, e.shape, e.dtype);
    }
    if (Object.getPrototypeOf(value) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(rec)) out[k] = decodeTransferred(x);
      return out;
    }
  }
  return value;
}

/** An error as plain data (Error objects lose their class and extra fields across threads). */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
}

export function serializeError(e: unknown): SerializedError {
  if (e instanceof Error) return { name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) };
  return { name: 'Error', message: String(e) };
}

export function deserializeError(s: SerializedError): Error {
  const ctor = s.name === 'TypeError' ? TypeError : s.name === 'RangeError' ? RangeError : Error;
  const e = new ctor(s.message);
  if (e.name !== s.name) e.name = s.name;
  if (s.stack) e.stack = s.stack;
  return e;
}
