/**
 * @tsgrad/tensor: n-d tensors with strided views, broadcasting, PyTorch-style ops and a
 * pluggable backend (pure TypeScript by default, native C++ with @tsgrad/native).
 */
import './ops/elementwise.js';
import './ops/views.js';
import './ops/reduce.js';
import './ops/linalg.js';
import './ops/inspect.js';

export { Tensor } from './tensor.js';
export { Storage } from './storage.js';
export type { DType, TypedArray } from './dtype.js';
export { promoteTypes, isFloating } from './dtype.js';
export { broadcastShapes } from './layout.js';
export type { Backend, PartialBackend, BackendInfo, View, UnaryOp, BinaryOp, ReduceOp, Conv2dParams, Pool2dParams, SgdMomentumParams, AdamParams } from './backend/backend.js';
export { jsBackend } from './backend/js/index.js';
export { setBackend, getBackend, backendInfo, useBackend, completeBackend, type BackendName } from './backend/registry.js';
export { type GradEngine, type GradFn, type BackwardOptions, setGradEngine, gradState, isGradEnabled, recordOp, wouldRecord } from './grad-hooks.js';
export * from './creation.js';
export * from './ops/elementwise.js';
export * from './ops/views.js';
export * from './ops/reduce.js';
export * from './ops/linalg.js';
export * from './ops/inspect.js';
export * from './ops/compare.js';
import './ops/indexing.js';
import './ops/join.js';
import './ops/sort.js';
import './random.js';
import './format.js';
export * from './ops/indexing.js';
export * from './ops/join.js';
export * from './ops/sort.js';
export * from './ops/nn.js';
export * from './random.js';
export { formatTensor, setPrintOptions, getPrintOptions, type PrintOptions } from './format.js';
export * from './ops/fused.js';
