import type { Conv2dParams, Pool2dParams } from '../backend/backend.js';
import { kernels } from '../backend/registry.js';
import { isFloating } from '../dtype.js';
import { shapeToString } from '../layout.js';
import { recordOp } from '../grad-hooks.js';
import { Tensor } from '../tensor.js';
import { assertTensor } from './util.js';
import { contiguous, squeeze, unsqueeze } from './views.js';
import { cat } from './join.js';

/**
 * Network ops with torch.nn.functional's signatures, backed by the backend's kernels: conv2d and
 * its two gradients, max/avg pooling and their gradients. Inputs are NCHW, or CHW (unbatched; a
 * batch dim is added and removed around the op, as torch does). Kernels get contiguous inputs.
 *
 * Ops recorded for autograd (params are the normalised `Conv2dParams` / `Pool2dParams`):
 *
 *   name                     inputs             attrs
 *   'conv2d'                 [x, w] or [x, w, bias]  { params, hasBias }
 *   'conv2dBackwardInput'    [gradOut, w]       { params, inputShape }     = conv2dBackwardInput(gradOut, w, inputShape, params)
 *   'conv2dBackwardWeight'   [x, gradOut]       { params, weightShape }    = conv2dBackwardWeight(x, gradOut, weightShape, params)
 *   'maxPool2d'              [x]                { indices, params, inputShape }   indices: int32 [N, C, oH, oW], flat within each H*W plane
 *   'maxPool2dBackward'      [gradOut]          { indices, params, inputShape }   = maxPool2dBackward(gradOut, indices, inputShape, params)
 *   'avgPool2d'              [x]                { params, inputShape }
 *   'avgPool2dBackward'      [gradOut]          { params, inputShape }            = avgPool2dBackward(gradOut, inputShape, params)
 *
 * All shapes in attrs are 4-D (N, C, H, W): a 3-D input is unsqueezed (a recorded view) first.
 * padding 'same' with an even dilated kernel pads one extra zero row/column at the bottom/right
 * (as torch does) by concatenating zeros (a recorded 'cat'), so the kernel padding stays symmetric.
 */
export type IntPair = number | readonly [number, number];

/** Options of `conv2d`: `stride`, `padding`, `dilation` (a number or [h, w]) and `groups`. */
export interface Conv2dOptions {
  stride?: IntPair;
  /** Zero padding on both sides; 'valid' is 0, 'same' keeps the input size (stride 1 only). */
  padding?: IntPair | 'valid' | 'same';
  dilation?: IntPair;
  groups?: number;
}

/** Numeric conv params, as the backward functions take them (a normalised `Conv2dParams` fits). */
export interface Conv2dNumericOptions {
  stride?: IntPair;
  padding?: IntPair;
  dilation?: IntPair;
  groups?: number;
}

function pair(v: IntPair | undefined, fallback: number, what: string, op: string, min: number): [number, number] {
  const p: [number, number] = v === undefined ? [fallback, fallback] : typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!Array.isArray(v) && typeof v !== 'number' && v !== undefined) throw new TypeError(`${op}: ${what} must be a number or a pair of numbers`);
  if (Array.isArray(v) && v.length !== 2) throw new RangeError(`${op}: ${what} must be a number or a pair of numbers, got ${JSON.stringify(v)}`);
  for (const x of p) {
    if (!Number.isInteger(x) || x < min) throw new RangeError(`${op}: ${what} must contain integers >= ${min}, got ${JSON.stringify(v)}`);
  }
  return p;
}

function convParams(o: Conv2dNumericOptions, op: string): Conv2dParams {
  const groups = o.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new RangeError(`${op}: groups must be a positive integer, got ${groups}`);
  return {
    stride: pair(o.stride, 1, 'stride', op, 1),
    padding: pair(o.padding, 0, 'padding', op, 0),
    dilation: pair(o.dilation, 1, 'dilation', op, 1),
    groups,
  };
}

function outSize(inSize: number, kernel: number, stride: number, pad: number, dilation: number): number {
  return Math.floor((inSize + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1;
}

function floatPair(a: Tensor, b: Tensor, op: string, an: string, bn: string): void {
  if (!isFloating(a.dtype)) throw new TypeError(`${op}: ${an} must be float32 or float64, got ${a.dtype}`);
  if (a.dtype !== b.dtype) throw new TypeError(`${op}: ${an} (${a.dtype}) and ${bn} (${b.dtype}) must have the same dtype`);
}

/** Checks x [N, C, H, W] against w [O, C/groups, kH, kW] and returns the output shape. */
function convOutShape(xShape: readonly number[], wShape: readonly number[], p: Conv2dParams, op: string): number[] {
  const [N, C, H, W] = xShape as [number, number, number, number];
  const [O, Cg, kH, kW] = wShape as [number, number, number, number];
  if (Cg * p.groups !== C) {
    throw new RangeError(`${op}: input ${shapeToString(xShape)} has ${C} channels but weight ${shapeToString(wShape)} with groups=${p.groups} expects ${Cg * p.groups} (weight.shape[1] * groups)`);
  }
  if (O % p.groups !== 0) throw new RangeError(`${op}: weight ${shapeToString(wShape)} has ${O} output channels, not divisible by groups=${p.groups}`);
  const oH = outSize(H, kH, p.stride[0], p.padding[0], p.dilation[0]);
  const oW = outSize(W, kW, p.stride[1], p.padding[1], p.dilation[1]);
  if (oH < 1 || oW < 1) {
    throw new RangeError(
      `${op}: the padded input (${H + 2 * p.padding[0]} x ${W + 2 * p.padding[1]}, from input ${shapeToString(xShape)} with padding ${shapeToString(p.padding)}) is smaller than the dilated kernel (${p.dilation[0] * (kH - 1) + 1} x ${p.dilation[1] * (kW - 1) + 1}, from weight ${shapeToString(wShape)})`,
    );
  }
  return [N, O, oH, oW];
}

/** Adds a batch dim to a CHW input; returns the 4-D tensor and whether it was added. */
function batched(x: Tensor, op: string, what = 'input'): [Tensor, boolean] {
  if (x.ndim === 3) return [unsqueeze(x, 0), true];
  if (x.ndim !== 4) throw new RangeError(`${op}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) ${what}, got shape ${shapeToString(x.shape)}`);
  return [x, false];
}

/** Zero-pads the bottom row and right column by (extraH, extraW), as recorded cats. */
function padEnd(x: Tensor, extraH: number, extraW: number): Tensor {
  let t = x;
  if (extraH > 0) t = cat([t, Tensor.empty([t.shape[0]!, t.shape[1]!, extraH, t.shape[3]!], t.dtype)], 2);
  if (extraW > 0) t = cat([t, Tensor.empty([t.shape[0]!, t.shape[1]!, t.shape[2]!, extraW], t.dtype)], 3);
  return t;
}

/**
 * 2-D convolution (cross-correlation, as torch.nn.functional.conv2d): input [N, C, H, W] or
 * [C, H, W], weight [O, C/groups, kH, kW], bias [O].
 */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  assertTensor(input, 'conv2d: input');
  assertTensor(weight, 'conv2d: weight');
  const [x4, unbatched] = batched(input, 'conv2d');
  if (weight.ndim !== 4) throw new RangeError(`conv2d: weight must be 4-D (out_channels, in_channels/groups, kH, kW), got shape ${shapeToString(weight.shape)}`);
  floatPair(input, weight, 'conv2d', 'input', 'weight');
  const b = bias ?? null;
  if (b !== null) {
    assertTensor(b, 'conv2d: bias');
    if (b.ndim !== 1 || b.shape[0] !== weight.shape[0]) {
      throw new RangeError(`conv2d: bias must have shape [${weight.shape[0]}] (weight ${shapeToString(weight.shape)}), got ${shapeToString(b.shape)}`);
    }
    if (b.dtype !== weight.dtype) throw new TypeError(`conv2d: bias (${b.dtype}) and weight (${weight.dtype}) must have the same dtype`);
  }
  let x = x4;
  let p: Conv2dParams;
  const pad = opts.padding;
  if (pad === 'same' || pad === 'valid') {
    const base = convParams({ ...opts, padding: 0 }, 'conv2d');
    if (pad === 'valid') p = base;
    else {
      if (base.stride[0] !== 1 || base.stride[1] !== 1) {
        throw new RangeError(`conv2d: padding='same' is not supported for strided convolutions (stride ${shapeToString(base.stride)})`);
      }
      const totalH = base.dilation[0] * (weight.shape[2]! - 1);
      const totalW = base.dilation[1] * (weight.shape[3]! - 1);
      x = padEnd(x, totalH % 2, totalW % 2);
      p = { ...base, padding: [Math.floor(totalH / 2), Math.floor(totalW / 2)] };
    }
  } else {
    if (typeof pad === 'string') throw new RangeError(`conv2d: padding must be a number, a pair, 'valid' or 'same', got ${JSON.stringify(pad)}`);
    p = convParams(opts as Conv2dNumericOptions, 'conv2d');
  }
  const outShape = convOutShape(x.shape, weight.shape, p, 'conv2d');
  const xc = contiguous(x);
  const wc = contiguous(weight);
  const bc = b === null ? null : contiguous(b);
  // Every output element is written unless the kernel window is empty (a C = 0 input: all bias).
  const out = wc.numel() > 0 ? Tensor.forOverwrite(outShape, input.dtype) : Tensor.empty(outShape, input.dtype);
  if (out.numel() > 0) kernels.current.conv2d(xc, wc, bc, out, p);
  recordOp('conv2d', bc === null ? [xc, wc] : [xc, wc, bc], out, { params: p, hasBias: bc !== null });
  return unbatched ? squeeze(out, 0) : out;
}

function assertShape4(shape: readonly number[], what: string, op: string): void {
  if (!Array.isArray(shape) || shape.length !== 4 || shape.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new RangeError(`${op}: ${what} must be 4 non-negative integers, got ${JSON.stringify(shape)}`);
  }
}

function assertGradOutShape(gradOut: Tensor, expected: readonly number[], op: string, from: string): void {
  if (gradOut.ndim !== 4 || gradOut.shape.some((s, i) => s !== expected[i])) {
    throw new RangeError(`${op}: gradOut ${shapeToString(gradOut.shape)} does not match the output shape ${shapeToString(expected)} implied by ${from}`);
  }
}

/** Gradient of conv2d with respect to its input [N, C, H, W], from gradOut [N, O, oH, oW] and the weight. */
export function conv2dBackwardInput(gradOut: Tensor, weight: Tensor, inputShape: readonly number[], params: Conv2dNumericOptions = {}): Tensor {
  const op = 'conv2dBackwardInput';
  assertTensor(gradOut, `${op}: gradOut`);
  assertTensor(weight, `${op}: weight`);
  assertShape4(inputShape, 'inputShape', op);
  if (weight.ndim !== 4) throw new RangeError(`${op}: weight must be 4-D, got shape ${shapeToString(weight.shape)}`);
  floatPair(gradOut, weight, op, 'gradOut', 'weight');
  const p = convParams(params, op);
  assertGradOutShape(gradOut, convOutShape(inputShape, weight.shape, p, op), op, `input ${shapeToString(inputShape)} and weight ${shapeToString(weight.shape)}`);
  const g = contiguous(gradOut);
  const w = contiguous(weight);
  const out = Tensor.forOverwrite(inputShape, gradOut.dtype);
  if (out.numel() > 0) kernels.current.conv2dBackwardInput(g, w, out, p);
  recordOp(op, [g, w], out, { params: p, inputShape: inputShape.slice() });
  return out;
}

/** Gradient of conv2d with respect to its weight [O, C/groups, kH, kW], from the input and gradOut. */
export function conv2dBackwardWeight(input: Tensor, gradOut: Tensor, weightShape: readonly number[], params: Conv2dNumericOptions = {}): Tensor {
  const op = 'conv2dBackwardWeight';
  assertTensor(input, `${op}: input`);
  assertTensor(gradOut, `${op}: gradOut`);
  assertShape4(weightShape, 'weightShape', op);
  if (input.ndim !== 4) throw new RangeError(`${op}: input must be 4-D, got shape ${shapeToString(input.shape)}`);
  floatPair(input, gradOut, op, 'input', 'gradOut');
  const p = convParams(params, op);
  assertGradOutShape(gradOut, convOutShape(input.shape, weightShape, p, op), op, `input ${shapeToString(input.shape)} and weight ${shapeToString(weightShape)}`);
  const x = contiguous(input);
  const g = contiguous(gradOut);
  const out = Tensor.forOverwrite(weightShape, input.dtype);
  if (out.numel() > 0) kernels.current.conv2dBackwardWeight(x, g, out, p);
  recordOp(op, [x, g], out, { params: p, weightShape: weightShape.slice() });
  return out;
}

// ---- pooling ----------------------------------------------------------------------------------

/** Options of `maxPool2d`: `stride` (default the kernel size), `padding` and `returnIndices`. */
export interface MaxPool2dOptions {
  /** Defaults to kernelSize. */
  stride?: IntPair | null;
  padding?: IntPair;
  /** Also return the int32 indices of the maxima (flat positions within each H*W input plane). */
  returnIndices?: boolean;
}

/** Options of `avgPool2d`: `stride` (default the kernel size), `padding` and `countIncludePad`. */
export interface AvgPool2dOptions {
  stride?: IntPair | null;
  padding?: IntPair;
  /** Whether zero padding counts in the divisor (default true, as torch). */
  countIncludePad?: boolean;
}

/** Pool params as the backward functions take them (a normalised `Pool2dParams` fits). */
export interface Pool2dNumericOptions {
  kernelSize: IntPair;
  stride?: IntPair | null;
  padding?: IntPair;
  countIncludePad?: boolean;
}

/**
 * What `maxPool2d(x, k, { returnIndices: true })` returns: the pooled `output` and the int32 flat `indices` of the maxima within each input plane.
 */
export interface MaxPool2dResult {
  output: Tensor;
  indices: Tensor;
}

function poolParams(kernelSize: IntPair, o: Omit<Pool2dNumericOptions, 'kernelSize'>, op: string): Pool2dParams {
  const k = pair(kernelSize, 1, 'kernelSize', op, 1);
  const stride = o.stride === undefined || o.stride === null ? k : pair(o.stride, 1, 'stride', op, 1);
  const padding = pair(o.padding, 0, 'padding', op, 0);
  if (padding[0] > k[0] / 2 || padding[1] > k[1] / 2) {
    throw new RangeError(`${op}: padding ${shapeToString(padding)} should be at most half of the kernel size ${shapeToString(k)}`);
  }
  return { kernelSize: k, stride, padding, ...(o.countIncludePad === undefined ? {} : { countIncludePad: o.countIncludePad }) };
}

function poolOutShape(xShape: readonly number[], p: Pool2dParams, op: string): number[] {
  const [N, C, H, W] = xShape as [number, number, number, number];
  const oH = outSize(H, p.kernelSize[0], p.stride[0], p.padding[0], 1);
  const oW = outSize(W, p.kernelSize[1], p.stride[1], p.padding[1], 1);
  if (oH < 1 || oW < 1) {
    throw new RangeError(`${op}: the padded input (${H + 2 * p.padding[0]} x ${W + 2 * p.padding[1]}, from input ${shapeToString(xShape)}) is smaller than the kernel ${shapeToString(p.kernelSize)}`);
  }
  return [N, C, oH, oW];
}

/** Max pooling over kH x kW windows (torch.nn.functional.max_pool2d); padding acts as -Infinity. */
export function maxPool2d(input: Tensor, kernelSize: IntPair, opts: MaxPool2dOptions & { returnIndices: true }): MaxPool2dResult;
export function maxPool2d(input: Tensor, kernelSize: IntPair, opts?: MaxPool2dOptions & { returnIndices?: false }): Tensor;
export function maxPool2d(input: Tensor, kernelSize: IntPair, opts?: MaxPool2dOptions): Tensor | MaxPool2dResult;
export function maxPool2d(input: Tensor, kernelSize: IntPair, opts: MaxPool2dOptions = {}): Tensor | MaxPool2dResult {
  assertTensor(input, 'maxPool2d: input');
  if (input.dtype === 'bool') throw new TypeError('maxPool2d: bool input is not supported; convert with .float() or .int()');
  const [x4, unbatched] = batched(input, 'maxPool2d');
  const p = poolParams(kernelSize, { stride: opts.stride, padding: opts.padding }, 'maxPool2d');
  const outShape = poolOutShape(x4.shape, p, 'maxPool2d');
  const x = contiguous(x4);
  const out = Tensor.forOverwrite(outShape, input.dtype);
  const indices = Tensor.forOverwrite(outShape, 'int32');
  if (out.numel() > 0) kernels.current.maxPool2d(x, out, indices, p);
  recordOp('maxPool2d', [x], out, { indices, params: p, inputShape: x.shape.slice() });
  const output = unbatched ? squeeze(out, 0) : out;
  if (!opts.returnIndices) return output;
  return { output, indices: unbatched ? squeeze(indices, 0) : indices };
}

/** Gradient of maxPool2d: gradOut routed to the input positions in `indices` (accumulating overlaps). */
export function maxPool2dBackward(gradOut: Tensor, indices: Tensor, inputShape: readonly number[], params: Pool2dNumericOptions): Tensor {
  const op = 'maxPool2dBackward';
  assertTensor(gradOut, `${op}: gradOut`);
  assertTensor(indices, `${op}: indices`);
  assertShape4(inputShape, 'inputShape', op);
  if (!isFloating(gradOut.dtype)) throw new TypeError(`${op}: gradOut must be float32 or float64, got ${gradOut.dtype}`);
  if (indices.dtype !== 'int32') throw new TypeError(`${op}: indices must be int32, got ${indices.dtype}`);
  const p = poolParams(params.kernelSize, params, op);
  const expected = poolOutShape(inputShape, p, op);
  assertGradOutShape(gradOut, expected, op, `inputShape ${shapeToString(inputShape)}`);
  if (indices.ndim !== 4 || indices.shape.some((s, i) => s !== expected[i])) {
    throw new RangeError(`${op}: indices ${shapeToString(indices.shape)} must have gradOut's shape ${shapeToString(gradOut.shape)}`);
  }
  const g = contiguous(gradOut);
  const ix = contiguous(indices);
  // Each kernel checks that every index lies inside its plane before scattering (here it would be
  // a second pass over the indices: 1.4 ms of a 30 ms W4 step).
  const out = Tensor.forOverwrite(inputShape, gradOut.dtype);
  if (out.numel() > 0) kernels.current.maxPool2dBackward(g, ix, out, p);
  recordOp(op, [g], out, { indices: ix, params: p, inputShape: inputShape.slice() });
  return out;
}

/** Average pooling over kH x kW windows (torch.nn.functional.avg_pool2d). */
export function avgPool2d(input: Tensor, kernelSize: IntPair, opts: AvgPool2dOptions = {}): Tensor {
  assertTensor(input, 'avgPool2d: input');
  if (!isFloating(input.dtype)) throw new TypeError(`avgPool2d: input must be float32 or float64, got ${input.dtype}`);
  const [x4, unbatched] = batched(input, 'avgPool2d');
  const p = poolParams(kernelSize, { stride: opts.stride, padding: opts.padding, countIncludePad: opts.countIncludePad ?? true }, 'avgPool2d');
  const outShape = poolOutShape(x4.shape, p, 'avgPool2d');
  const x = contiguous(x4);
  const out = Tensor.forOverwrite(outShape, input.dtype);
  if (out.numel() > 0) kernels.current.avgPool2d(x, out, p);
  recordOp('avgPool2d', [x], out, { params: p, inputShape: x.shape.slice() });
  return unbatched ? squeeze(out, 0) : out;
}

/** Gradient of avgPool2d: each gradOut element spread evenly over its window. */
export function avgPool2dBackward(gradOut: Tensor, inputShape: readonly number[], params: Pool2dNumericOptions): Tensor {
  const op = 'avgPool2dBackward';
  assertTensor(gradOut, `${op}: gradOut`);
  assertShape4(inputShape, 'inputShape', op);
  if (!isFloating(gradOut.dtype)) throw new TypeError(`${op}: gradOut must be float32 or float64, got ${gradOut.dtype}`);
  const p = poolParams(params.kernelSize, { ...params, countIncludePad: params.countIncludePad ?? true }, op);
  assertGradOutShape(gradOut, poolOutShape(inputShape, p, op), op, `inputShape ${shapeToString(inputShape)}`);
  const g = contiguous(gradOut);
  const out = Tensor.forOverwrite(inputShape, gradOut.dtype);
  if (out.numel() > 0) kernels.current.avgPool2dBackward(g, out, p);
  recordOp(op, [g], out, { params: p, inputShape: inputShape.slice() });
  return out;
}
