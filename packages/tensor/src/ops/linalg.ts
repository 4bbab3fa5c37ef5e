import { kernels } from '../backend/registry.js';
import { broadcastShapes, broadcastStrides, shapeToString } from '../layout.js';
import { recordOp } from '../grad-hooks.js';
import { Tensor } from '../tensor.js';
import type { View } from '../backend/backend.js';
import { assertTensor } from './util.js';

/**
 * Matrix products with torch.matmul's semantics: 1-D operands are promoted to matrices and the
 * added dim removed afterwards; batch dims broadcast. Transposed operands reach the kernel as
 * strides, so `a.matmul(b.mT)` copies nothing.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  assertTensor(a, 'matmul: input');
  assertTensor(b, 'matmul: other');
  if (a.ndim === 0 || b.ndim === 0) {
    throw new RangeError(`matmul: both arguments need at least 1 dimension, got shapes ${shapeToString(a.shape)} and ${shapeToString(b.shape)}`);
  }
  if (a.dtype !== b.dtype) throw new TypeError(`matmul: expected both tensors to have the same dtype, got ${a.dtype} and ${b.dtype}`);
  if (a.dtype === 'bool') throw new TypeError('matmul: bool tensors are not supported; convert with .int() or .float()');
  const dtype = a.dtype;
  // Treat 1-D operands as [1, K] and [K, 1] matrices, as torch does.
  const a2 = a.ndim === 1 ? { shape: [1, a.shape[0]!], strides: [0, a.strides[0]!] } : a;
  const b2 = b.ndim === 1 ? { shape: [b.shape[0]!, 1], strides: [b.strides[0]!, 0] } : b;
  const M = a2.shape[a2.shape.length - 2]!;
  const K = a2.shape[a2.shape.length - 1]!;
  const K2 = b2.shape[b2.shape.length - 2]!;
  const N = b2.shape[b2.shape.length - 1]!;
  if (K !== K2) {
    throw new RangeError(`matmul: shapes ${shapeToString(a.shape)} and ${shapeToString(b.shape)} cannot be multiplied (${M}x${K} and ${K2}x${N})`);
  }
  const batch = broadcastShapes(a2.shape.slice(0, -2), b2.shape.slice(0, -2));
  const outShape = [...batch, M, N];
  // The kernel writes every element of a K > 0 product; a K = 0 product is all zeros.
  const out = K > 0 ? Tensor.forOverwrite(outShape, dtype) : Tensor.empty(outShape, dtype);
  const av: View = { buffer: a.buffer, offset: a.offset, shape: [...batch, M, K], strides: broadcastStrides(a2.shape, a2.strides, [...batch, M, K]) };
  const bv: View = { buffer: b.buffer, offset: b.offset, shape: [...batch, K, N], strides: broadcastStrides(b2.shape, b2.strides, [...batch, K, N]) };
  kernels.current.matmul(av, bv, out);
  let result = out;
  if (a.ndim === 1 || b.ndim === 1) {
    const finalShape = [...batch, ...(a.ndim === 1 ? [] : [M]), ...(b.ndim === 1 ? [] : [N])];
    result = Tensor.fromBuffer(out.storage.data, finalShape, dtype);
  }
  recordOp('matmul', [a, b], result);
  return result;
}

function expectDims(t: Tensor, n: number, op: string, what: string): void {
  if (t.ndim !== n) throw new RangeError(`${op}: ${what} must be ${n}-D, got shape ${shapeToString(t.shape)}`);
}

/** 2-D matrix product (no broadcasting), torch.mm. */
export function mm(a: Tensor, b: Tensor): Tensor {
  expectDims(a, 2, 'mm', 'input');
  expectDims(b, 2, 'mm', 'mat2');
  return matmul(a, b);
}

/** Batched product of [B, M, K] and [B, K, N] (no broadcasting), torch.bmm. */
export function bmm(a: Tensor, b: Tensor): Tensor {
  expectDims(a, 3, 'bmm', 'input');
  expectDims(b, 3, 'bmm', 'mat2');
  if (a.shape[0] !== b.shape[0]) throw new RangeError(`bmm: batch sizes differ: shapes ${shapeToString(a.shape)} and ${shapeToString(b.shape)}`);
  return matmul(a, b);
}

/** Inner product of two 1-D tensors. */
export function dot(a: Tensor, b: Tensor): Tensor {
  expectDims(a, 1, 'dot', 'input');
  expectDims(b, 1, 'dot', 'other');
  if (a.shape[0] !== b.shape[0]) throw new RangeError(`dot: inconsistent sizes ${a.shape[0]} and ${b.shape[0]}`);
  return matmul(a, b);
}

/** Outer product of two 1-D tensors: [n] × [m] -> [n, m]. */
export function outer(a: Tensor, b: Tensor): Tensor {
  expectDims(a, 1, 'outer', 'input');
  expectDims(b, 1, 'outer', 'vec2');
  return a.unsqueeze(1).mul(b.unsqueeze(0));
}

declare module '../tensor.js' {
  interface Tensor {
    matmul(other: Tensor): Tensor;
    mm(other: Tensor): Tensor;
    bmm(other: Tensor): Tensor;
    dot(other: Tensor): Tensor;
    outer(other: Tensor): Tensor;
  }
}
const P = Tensor.prototype;
P.matmul = function (o) { return matmul(this, o); };
P.mm = function (o) { return mm(this, o); };
P.bmm = function (o) { return bmm(this, o); };
P.dot = function (o) { return dot(this, o); };
P.outer = function (o) { return outer(this, o); };
