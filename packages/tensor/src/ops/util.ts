import type { View } from '../backend/backend.js';
import { kernels } from '../backend/registry.js';
import { type DType, castScalar } from '../dtype.js';
import { broadcastStrides, sameShape, shapeToString } from '../layout.js';
import { Tensor } from '../tensor.js';
import { gradState } from '../grad-hooks.js';

/** A view of `t` read with `shape` (broadcast through zero strides). */
export function broadcastView(t: Tensor, shape: readonly number[]): View {
  if (sameShape(t.shape, shape)) return t;
  return { buffer: t.storage.data, shape, strides: broadcastStrides(t.shape, t.strides, shape), offset: t.offset };
}

/** A 0-d tensor holding `v`. */
export function scalarTensor(v: number | boolean, dtype: DType): Tensor {
  const t = Tensor.empty([], dtype);
  t.storage.data[0] = castScalar(v, dtype);
  return t;
}

export function assertTensor(x: unknown, what: string): asserts x is Tensor {
  if (!(x instanceof Tensor)) {
    throw new TypeError(`${what} must be a Tensor, got ${x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x}`);
  }
}

export function assertSameShape(a: Tensor, b: Tensor, op: string): void {
  if (!sameShape(a.shape, b.shape)) {
    throw new RangeError(`${op}: shapes ${shapeToString(a.shape)} and ${shapeToString(b.shape)} must match`);
  }
}

/**
 * Refuses to write in place into a view where several elements share one memory location (an
 * expanded view, stride 0): the result would depend on the write order. PyTorch refuses too.
 */
export function assertNoInternalOverlap(self: Tensor, op: string): void {
  if (self.numel() === 0) return;
  for (let d = 0; d < self.shape.length; d++) {
    if (self.strides[d] === 0 && self.shape[d]! > 1) {
      throw new RangeError(
        `${op}: more than one element of the written-to tensor refers to a single memory location ` +
          `(shape ${shapeToString(self.shape)}, strides ${shapeToString(self.strides)}, e.g. an expanded view); clone() it first`,
      );
    }
  }
}

/**
 * An operand safe to read while `self` is written: a different view of the same storage (say,
 * `x.add_(x.T)` or `x.add_(x[0])`) would be read after some of its elements were overwritten, so
 * it is copied first. The identical view is safe (each element is read before it is written).
 */
export function readableWhileWriting(self: Tensor, other: Tensor): Tensor {
  if (other.storage !== self.storage) return other;
  if (other.offset === self.offset && sameShape(other.shape, self.shape) && sameShape(other.strides, self.strides)) return other;
  const copy = Tensor.empty(other.shape, other.dtype);
  kernels.current.copy(other, copy);
  return copy;
}

export function assertFloat(t: Tensor, op: string): void {
  if (t.dtype !== 'float32' && t.dtype !== 'float64') throw new TypeError(`${op} expects a floating point tensor, got ${t.dtype}`);
}

/**
 * Guards an in-place op when autograd would record it: a leaf that requires grad, or a view of a
 * tensor in the graph, cannot be modified in place (the gradient would be silently wrong).
 */
export function checkInplace(self: Tensor, op: string): boolean {
  if (gradState.engine === null || !gradState.enabled) return false;
  if (self.requiresGrad && self.gradFn === null) {
    throw new Error(`${op}: a leaf tensor that requires grad is being used in an in-place operation; wrap it in noGrad() or use the out-of-place op`);
  }
  if (self.base !== null && (self.base.requiresGrad || self.requiresGrad)) {
    throw new Error(`${op}: in-place operation on a view of a tensor that requires grad is not supported; clone() the view first`);
  }
  return true;
}

/**
 * Rebases `self` onto the history of `result` after an in-place op was computed out of place
 * (because autograd needed it): values are copied in and `self` takes `result`'s graph node.
 */
export function adoptResult(self: Tensor, result: Tensor, copyKernel: (src: View, out: View) => void): Tensor {
  if (self.base !== null && result.requiresGrad) {
    // The view would take the new history but its base would not: the gradient through the base
    // would be silently lost (PyTorch rebases the base's history; tsgrad refuses instead).
    throw new Error(
      'an in-place operation on a view that makes it require grad is not supported (the tensor it is a view of would not ' +
        'receive the gradient); build the result out of place instead (cat/stack, scatter, where, or clone() the base first)',
    );
  }
  copyKernel(result, self);
  self.bumpVersion();
  if (result.requiresGrad) {
    self.requiresGrad = true;
    self.gradFn = result.gradFn;
    self.autogradMeta = result.autogradMeta;
  }
  return self;
}
