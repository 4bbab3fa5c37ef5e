import { type DType, type TypedArray, allocBuffer, allocUninit, dtypeOfBuffer } from './dtype.js';
import { contiguousStrides, isContiguousLayout, normalizeDim, numel, shapeToString } from './layout.js';
import { Storage } from './storage.js';
import { type BackwardOptions, type GradFn, gradState, requireEngine } from './grad-hooks.js';
import type { View } from './backend/backend.js';

/**
 * An n-dimensional array: a strided view (`shape`, `strides`, `offset`) over a JS-owned typed array.
 *
 * Ops are added to the prototype by the modules in `ops/` (each op beside its free function), so
 * this file holds only what every op needs: layout, storage, and the autograd fields that
 * @tsgrad/autograd fills in. Memory is garbage collected like any JS object: no dispose().
 */
export class Tensor implements View {
  /** Whether operations on this tensor are recorded for backward. Set with `requiresGrad_()` or at creation. */
  requiresGrad = false;
  /** Accumulated gradient (leaves, and non-leaves after `retainGrad()`). */
  grad: Tensor | null = null;
  /** The graph node that produced this tensor, or null for a leaf. */
  gradFn: GradFn | null = null;
  /** Engine-private per-tensor data (hooks, retain flag); owned by @tsgrad/autograd. */
  autogradMeta: unknown = undefined;
  /** The tensor this one is a view of, or null when it owns its storage. */
  base: Tensor | null = null;

  constructor(
    readonly storage: Storage,
    readonly shape: number[],
    readonly strides: number[],
    readonly offset: number,
    readonly dtype: DType,
  ) {}

  /** A new contiguous tensor over `buffer` (not copied). */
  static fromBuffer(buffer: TypedArray, shape: readonly number[], dtype: DType = dtypeOfBuffer(buffer)): Tensor {
    const n = numel(shape);
    if (buffer.length < n) {
      throw new RangeError(`buffer of ${buffer.length} elements is too small for shape ${shapeToString(shape)} (${n} elements)`);
    }
    return new Tensor(new Storage(buffer), shape.slice(), contiguousStrides(shape), 0, dtype);
  }

  /** An uninitialised (zero-filled) contiguous tensor. */
  static empty(shape: readonly number[], dtype: DType): Tensor {
    return new Tensor(new Storage(allocBuffer(dtype, numel(shape))), shape.slice(), contiguousStrides(shape), 0, dtype);
  }

  /**
   * A contiguous tensor with arbitrary contents, for an op's output that its kernel overwrites
   * element by element (see `allocUninit`); internal to the ops, users get zeroed `empty()`.
   * @internal
   */
  static forOverwrite(shape: readonly number[], dtype: DType): Tensor {
    return new Tensor(new Storage(allocUninit(dtype, numel(shape))), shape.slice(), contiguousStrides(shape), 0, dtype);
  }

  /** The typed array behind this tensor (shared with its views). Part of the backend `View` contract. */
  get buffer(): TypedArray {
    return this.storage.data;
  }

  /** A view of this tensor's storage with another layout; records `base` so in-place checks can find it. */
  makeView(shape: number[], strides: number[], offset: number): Tensor {
    const v = new Tensor(this.storage, shape, strides, offset, this.dtype);
    v.base = this.base ?? this;
    return v;
  }

  get ndim(): number {
    return this.shape.length;
  }

  dim(): number {
    return this.shape.length;
  }

  numel(): number {
    return numel(this.shape);
  }

  /** `size()` is the shape; `size(d)` one dim (negative counts from the end). */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return this.shape.slice();
    return this.shape[normalizeDim(dim, this.shape.length)]!;
  }

  isContiguous(): boolean {
    return isContiguousLayout(this.shape, this.strides);
  }

  /** Number of in-place modifications of this tensor's storage (PyTorch's `_version`). */
  get version(): number {
    return this.storage.version;
  }

  /** Marks an in-place write to the storage (bumps the version counter autograd checks). */
  bumpVersion(): void {
    this.storage.version++;
  }

  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** Sets `requiresGrad` in place; only on leaves (a non-leaf's flag comes from its graph). */
  requiresGrad_(flag = true): this {
    if (this.gradFn !== null && !flag) {
      throw new Error('requiresGrad_(false) is only allowed on leaf tensors; use detach() for a tensor outside the graph');
    }
    if (flag && this.dtype !== 'float32' && this.dtype !== 'float64') {
      throw new TypeError(`only floating point tensors can require gradients; this tensor is ${this.dtype}`);
    }
    this.requiresGrad = flag;
    return this;
  }

  /** Back-propagates from this tensor; a scalar needs no `gradient`. Needs @tsgrad/autograd. */
  backward(gradient?: Tensor, options: BackwardOptions = {}): void {
    requireEngine('backward()').backward(this, gradient, options);
  }

  /** Keeps `.grad` on this non-leaf tensor after backward. */
  retainGrad(): this {
    requireEngine('retainGrad()').retainGrad(this);
    return this;
  }

  /** Registers `hook(grad)`, called with this tensor's gradient during backward; it may return a replacement. Returns a remover. */
  registerHook(hook: (grad: Tensor) => Tensor | void): () => void {
    return requireEngine('registerHook()').registerHook(this, hook);
  }

  /** A tensor sharing this one's storage, outside the autograd graph. */
  detach(): Tensor {
    const t = new Tensor(this.storage, this.shape, this.strides, this.offset, this.dtype);
    t.base = this.base;
    return t;
  }

  /** Detaches this tensor from the graph in place: it becomes a leaf that does not require grad. */
  detach_(): this {
    this.gradFn = null;
    this.requiresGrad = false;
    return this;
  }

  /** Whether grad mode would record ops on this tensor right now. */
  get recordsGrad(): boolean {
    return this.requiresGrad && gradState.enabled && gradState.engine !== null;
  }
}
