import { Buffer } from 'node:buffer';
/**
 * Element types. tsgrad has no int64: indices and class labels are int32 (see README, "Differences from PyTorch").
 * `bool` is stored one byte per element in a Uint8Array holding 0 or 1.
 */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

/**
 * The typed arrays that back tensors: Float32Array (float32), Float64Array (float64), Int32Array (int32), Uint8Array (bool).
 */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];

const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };

/**
 * Small buffers are carved out of shared 16 KiB slabs, as Node's Buffer pool does: a typed array
 * of its own costs an off-heap allocation and a GC finaliser each time, which dominates ops on
 * small tensors (a [10, 10] add). A slab is zero-filled when made and never handed out twice, so
 * buffers start zeroed; it is freed when the last tensor carved from it is collected.
 */
const SLAB_BYTES = 16384;
const POOLED_MAX_BYTES = 1024;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabUsed = 0;

/** Allocates a zero-filled buffer of `n` elements for `dtype`. */
export function allocBuffer(dtype: DType, n: number): TypedArray {
  const bytes = n * BYTES[dtype];
  if (bytes > 0 && bytes <= POOLED_MAX_BYTES) {
    if (slabUsed + bytes > SLAB_BYTES) {
      slab = new ArrayBuffer(SLAB_BYTES);
      slabUsed = 0;
    }
    const at = slabUsed;
    slabUsed += (bytes + 7) & ~7; // keep every buffer 8-byte aligned for Float64Array
    switch (dtype) {
      case 'float32': return new Float32Array(slab, at, n);
      case 'float64': return new Float64Array(slab, at, n);
      case 'int32': return new Int32Array(slab, at, n);
      case 'bool': return new Uint8Array(slab, at, n);
    }
  }
  switch (dtype) {
    case 'float32': return new Float32Array(n);
    case 'float64': return new Float64Array(n);
    case 'int32': return new Int32Array(n);
    case 'bool': return new Uint8Array(n);
  }
}

/**
 * Above this size a kernel output is allocated without zero-filling: the memset costs about as
 * much as the kernel that then overwrites it (400 µs for a 6.4 MB conv activation, where relu
 * itself takes 200 µs). Below it, allocation is cheap either way and buffers come from the slabs.
 */
const UNINIT_MIN_BYTES = 65536;
const poisonUninit = typeof process !== 'undefined' && process.env['TSGRAD_DEBUG_UNINIT'] === '1';

/**
 * A buffer of `n` elements whose contents are arbitrary: only for outputs a kernel overwrites
 * element by element (op results, never user-visible `empty()`, which stays zeroed). Memory
 * comes from Buffer.allocUnsafeSlow (an ArrayBuffer of its own, malloc instead of calloc). With
 * TSGRAD_DEBUG_UNINIT=1, as the test suite runs, every such buffer is filled with 0xFF bytes (NaN,
 * -1, or 255 for bool), so a kernel that skips an element fails the tests instead of reading stale memory.
 */
export function allocUninit(dtype: DType, n: number): TypedArray {
  const bytes = n * BYTES[dtype];
  if (bytes < UNINIT_MIN_BYTES) {
    const b = allocBuffer(dtype, n);
    if (poisonUninit) new Uint8Array(b.buffer, b.byteOffset, b.byteLength).fill(0xff);
    return b;
  }
  const raw = Buffer.allocUnsafeSlow(bytes);
  if (poisonUninit) raw.fill(0xff);
  switch (dtype) {
    case 'float32': return new Float32Array(raw.buffer, raw.byteOffset, n);
    case 'float64': return new Float64Array(raw.buffer, raw.byteOffset, n);
    case 'int32': return new Int32Array(raw.buffer, raw.byteOffset, n);
    case 'bool': return new Uint8Array(raw.buffer, raw.byteOffset, n);
  }
}

/** The dtype whose storage class matches `buffer`. */
export function dtypeOfBuffer(buffer: TypedArray): DType {
  if (buffer instanceof Float32Array) return 'float32';
  if (buffer instanceof Float64Array) return 'float64';
  if (buffer instanceof Int32Array) return 'int32';
  if (buffer instanceof Uint8Array) return 'bool';
  throw new TypeError(`unsupported typed array ${(buffer as object).constructor?.name ?? typeof buffer}`);
}

/** True for 'float32' and 'float64'. */
export function isFloating(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

export function assertDType(dtype: unknown, what = 'dtype'): DType {
  if (dtype === 'float32' || dtype === 'float64' || dtype === 'int32' || dtype === 'bool') return dtype;
  throw new TypeError(`${what} must be one of ${DTYPES.join(', ')}; got ${JSON.stringify(dtype)}`);
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/**
 * PyTorch's type promotion for two tensor operands: bool < int32 < float32 < float64.
 * (Zero-dim tensors are treated as ordinary operands; PyTorch's "dimension category" rule
 * only matters within the same category, which our four dtypes make rare.)
 */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * Promotion of a tensor with a JS number, as PyTorch does with a Python scalar: the scalar only
 * changes the category (an integer tensor with a fractional scalar becomes float32).
 */
export function promoteWithScalar(t: DType, s: number | boolean): DType {
  if (typeof s === 'boolean') return t;
  if (t === 'bool') return Number.isInteger(s) ? 'int32' : 'float32';
  if (t === 'int32') return Number.isInteger(s) ? 'int32' : 'float32';
  return t;
}

/** Converts a JS value to what a buffer of `dtype` stores (int32 truncates toward zero, as a cast does). */
export function castScalar(v: number | boolean, dtype: DType): number {
  const x = typeof v === 'boolean' ? (v ? 1 : 0) : v;
  switch (dtype) {
    case 'bool': return x !== 0 ? 1 : 0;
    case 'int32': return x | 0;
    case 'float32': return Math.fround(x);
    default: return x;
  }
}
