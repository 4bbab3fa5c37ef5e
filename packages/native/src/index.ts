/**
 * @tsgrad/native: the C++ backend for @tsgrad/tensor (BLAS matmul, im2col+GEMM convolution,
 * pooling). @tsgrad/tensor's registry calls `createBackend()`; kernels return `false` to decline a
 * call (int32 inputs, non-contiguous conv operands...), which then runs in TS.
 */
import { loadAddon } from './addon.js';
import { makeBackend } from './backend.js';
import type { NativeBackend, RawAddon } from './types.js';

export type { AdamParams, Conv2dParams, NativeBackend, Pool2dParams, RawAddon, SgdMomentumParams, TypedArray, View } from './types.js';
export { addonPath } from './addon.js';

/** The native backend (throws a clear Error when the addon is missing or fails to load). */
export function createBackend(): NativeBackend {
  return makeBackend(loadAddon());
}

/** The raw addon entry points (tests, benchmarks). */
export function rawAddon(): RawAddon {
  return loadAddon();
}

/** BLAS library, version and thread count. */
export function backendInfo(): Record<string, unknown> {
  return createBackend().info();
}

/** Sets the threads used by BLAS and by our own parallel loops (process-wide; like TSGRAD_NUM_THREADS). */
export function setNumThreads(n: number): void {
  loadAddon().setNumThreads(n);
}
