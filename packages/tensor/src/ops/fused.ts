import { kernels } from '../backend/registry.js';
import { recordOp } from '../grad-hooks.js';
import { shapeToString } from '../layout.js';
import { Tensor } from '../tensor.js';
import { assertTensor, broadcastView } from './util.js';

/**
 * Fused ops for the training hot path: one kernel pass and one recorded graph node where the
 * composition would take several (their gradients are in @tsgrad/autograd's grads/fused.ts).
 */

function assertFloatTensor(t: Tensor, op: string, what: string): void {
  if (t.dtype !== 'float32' && t.dtype !== 'float64') throw new TypeError(`${op}: ${what} must be float32 or float64, got ${t.dtype}`);
}

/**
 * input + mat1 · mat2 (torch.addmm with beta = alpha = 1): mat1 [M, K], mat2 [K, N], `input`
 * broadcastable to [M, N] (typically a bias [N]). A transposed mat2 (`w.t()`) reaches the matmul
 * kernel as strides, so `addmm(b, x, w.t())` is nn.Linear's forward without copies.
 */
export function addmm(input: Tensor, mat1: Tensor, mat2: Tensor): Tensor {
  assertTensor(input, 'addmm: input');
  assertTensor(mat1, 'addmm: mat1');
  assertTensor(mat2, 'addmm: mat2');
  if (mat1.ndim !== 2 || mat2.ndim !== 2) {
    throw new RangeError(`addmm: mat1 and mat2 must be 2-D, got shapes ${shapeToString(mat1.shape)} and ${shapeToString(mat2.shape)}`);
  }
  const [M, K] = mat1.shape as [number, number];
  const [K2, N] = mat2.shape as [number, number];
  if (K !== K2) throw new RangeError(`addmm: shapes ${shapeToString(mat1.shape)} and ${shapeToString(mat2.shape)} cannot be multiplied (${M}x${K} and ${K2}x${N})`);
  if (mat1.dtype !== mat2.dtype || input.dtype !== mat1.dtype) {
    throw new TypeError(`addmm: expected input, mat1 and mat2 to have the same dtype, got ${input.dtype}, ${mat1.dtype} and ${mat2.dtype}`);
  }
  assertFloatTensor(mat1, 'addmm', 'mat1');
  const ind = input.shape;
  if (ind.length > 2 || (ind.length >= 1 && ind[ind.length - 1] !== 1 && ind[ind.length - 1] !== N) || (ind.length === 2 && ind[0] !== 1 && ind[0] !== M)) {
    throw new RangeError(`addmm: input of shape ${shapeToString(ind)} does not broadcast to the product's shape [${M}, ${N}]`);
  }
  const out = K > 0 ? Tensor.forOverwrite([M, N], mat1.dtype) : Tensor.empty([M, N], mat1.dtype);
  kernels.current.matmul(mat1, mat2, out);
  kernels.current.binary('add', out, broadcastView(input, [M, N]), out);
  recordOp('addmm', [input, mat1, mat2], out);
  return out;
}

/**
 * input · weightᵀ + bias (torch.nn.functional.linear for a 2-D input) as one op: input [M, K],
 * weight [N, K], bias [N] or null. The transposed weight reaches the matmul kernel as strides, and
 * the graph node takes the weight itself (its gradient, gᵀ·input, comes out contiguous).
 */
export function fusedLinear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  assertTensor(input, 'fusedLinear: input');
  assertTensor(weight, 'fusedLinear: weight');
  if (input.ndim !== 2 || weight.ndim !== 2 || input.shape[1] !== weight.shape[1]) {
    throw new RangeError(`fusedLinear: expected input [M, K] and weight [N, K], got ${shapeToString(input.shape)} and ${shapeToString(weight.shape)}`);
  }
  if (input.dtype !== weight.dtype) throw new TypeError(`fusedLinear: input is ${input.dtype} but weight is ${weight.dtype}`);
  assertFloatTensor(input, 'fusedLinear', 'input');
  const [M, K] = input.shape as [number, number];
  const N = weight.shape[0]!;
  if (bias !== null) {
    assertTensor(bias, 'fusedLinear: bias');
    if (bias.ndim !== 1 || bias.shape[0] !== N) throw new RangeError(`fusedLinear: bias must have shape [${N}], got ${shapeToString(bias.shape)}`);
    if (bias.dtype !== input.dtype) throw new TypeError(`fusedLinear: bias is ${bias.dtype} but input is ${input.dtype}`);
  }
  const out = K > 0 ? Tensor.forOverwrite([M, N], input.dtype) : Tensor.empty([M, N], input.dtype);
  const wT = { buffer: weight.storage.data, shape: [K, N], strides: [weight.strides[1]!, weight.strides[0]!], offset: weight.offset };
  kernels.current.matmul(input, wT, out);
  // The bias row broadcast over the batch by the backend's add (native: one vectorised pass; in
  // TS as fast as a hand loop): 40-75 µs of a 500 µs W3 step on native.
  if (bias !== null) kernels.current.binary('add', out, broadcastView(bias, [M, N]), out);
  recordOp('linear', bias === null ? [input, weight] : [input, weight, bias], out);
  return out;
}

/** Options of `logSoftmaxNll` (cross-entropy of logits and int32 class targets in one op): `ignoreIndex` and the reduction. */
export interface LogSoftmaxNllOptions {
  /** Targets equal to this contribute nothing (default -100). */
  ignoreIndex?: number;
  /** 'mean' (over the counted samples, default), 'sum' or 'none' (per sample, [N]). */
  reduction?: 'mean' | 'sum' | 'none';
}

/**
 * Cross entropy of logits `input` [N, C] at int32 class indices `target` [N] in one pass:
 * -log softmax(input)[n, target[n]], computed stably (max-shifted, in float64) and reduced like
 * nllLoss (mean over the samples whose target is not `ignoreIndex`). One graph node; its gradient
 * is softmax(input) - onehot(target), scaled.
 */
export function logSoftmaxNll(input: Tensor, target: Tensor, opts: LogSoftmaxNllOptions = {}): Tensor {
  assertTensor(input, 'logSoftmaxNll: input');
  assertTensor(target, 'logSoftmaxNll: target');
  assertFloatTensor(input, 'logSoftmaxNll', 'input');
  if (target.dtype !== 'int32') throw new TypeError(`logSoftmaxNll: target must be int32 class indices, got ${target.dtype}`);
  if (input.ndim !== 2 || target.ndim !== 1 || target.shape[0] !== input.shape[0]) {
    throw new RangeError(`logSoftmaxNll: expected input [N, C] and target [N], got ${shapeToString(input.shape)} and ${shapeToString(target.shape)}`);
  }
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const reduction = opts.reduction ?? 'mean';
  const [n, c] = input.shape as [number, number];
  const x = input.storage.data;
  const xo = input.offset;
  const [sr, sc] = input.strides as [number, number];
  const t = target.storage.data;
  const to = target.offset;
  const ts = target.strides[0]!;
  const labels = new Int32Array(n);
  // Each row's max and sum of exp(x - max), kept for the backward pass (its softmax is then one
  // exp per element instead of three passes over the row).
  const rowMax = new Float64Array(n);
  const rowSum = new Float64Array(n);
  const perSample = reduction === 'none' ? Tensor.empty([n], input.dtype) : null;
  let total = 0;
  let count = 0;
  for (let r = 0; r < n; r++) {
    const k = t[to + r * ts]!;
    labels[r] = k;
    if (k === ignoreIndex) continue;
    if (k < 0 || k >= c) throw new RangeError(`logSoftmaxNll: target ${k} is out of bounds for ${c} classes`);
    const row = xo + r * sr;
    let m = -Infinity;
    for (let j = 0; j < c; j++) { const v = x[row + j * sc]!; if (v > m) m = v; }
    let s = 0;
    for (let j = 0; j < c; j++) s += Math.exp(x[row + j * sc]! - m);
    rowMax[r] = m;
    rowSum[r] = s;
    const loss = m + Math.log(s) - x[row + k * sc]!;
    if (perSample !== null) perSample.storage.data[r] = loss;
    total += loss;
    count++;
  }
  let out: Tensor;
  if (perSample !== null) out = perSample;
  else {
    out = Tensor.empty([], input.dtype);
    out.storage.data[0] = reduction === 'sum' ? total : total / count;
  }
  recordOp('logSoftmaxNll', [input], out, { labels, ignoreIndex, reduction, count, rowMax, rowSum });
  return out;
}
