import {
  type IntPair, type MaxPool2dResult, Tensor,
  conv2d as conv2dOp, conv2dBackwardInput, maxPool2d as maxPool2dOp, avgPool2d as avgPool2dOp,
} from '@tsgrad/tensor';
import { assertFloat, assertTensor, shapeStr } from './util.js';

/**
 * Convolutions and pooling (torch.nn.functional). conv2d and the pools are tensor's kernels;
 * conv1d runs them over a height-1 image, convTranspose2d is conv2d's input gradient (the two are
 * adjoint), and adaptiveAvgPool2d is two small averaging matmuls.
 */
export type { IntPair };

/**
 * Options of `conv2d`: `stride`, `padding` (a number, [h, w], 'valid' or 'same'), `dilation`, `groups`.
 */
export interface ConvOptions {
  stride?: IntPair;
  /** Zero padding on both sides, or 'valid' (none) / 'same' (output size = input size, stride 1). */
  padding?: IntPair | 'valid' | 'same';
  dilation?: IntPair;
  groups?: number;
}

/** Input [N, C, H, W] (or [C, H, W]), weight [O, C/groups, kH, kW], bias [O]. */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, opts: ConvOptions = {}): Tensor {
  return conv2dOp(x, weight, bias, opts);
}

/** Options of `conv1d`: `stride`, `padding`, `dilation`, `groups`. */
export interface Conv1dOptions {
  stride?: number;
  padding?: number | 'valid' | 'same';
  dilation?: number;
  groups?: number;
}

const single = (v: unknown, what: string, op: string): number => {
  if (Array.isArray(v)) {
    if (v.length !== 1) throw new RangeError(`${op}: ${what} must be a number or a 1-element array, got ${JSON.stringify(v)}`);
    return v[0] as number;
  }
  return v as number;
};

/** Input [N, C, L] (or [C, L]), weight [O, C/groups, k], bias [O]. */
export function conv1d(x: Tensor, weight: Tensor, bias: Tensor | null = null, opts: Conv1dOptions = {}): Tensor {
  assertTensor(x, 'conv1d: input');
  assertTensor(weight, 'conv1d: weight');
  if (x.ndim !== 2 && x.ndim !== 3) throw new RangeError(`conv1d: expected a 2-D (C, L) or 3-D (N, C, L) input, got shape ${shapeStr(x.shape)}`);
  if (weight.ndim !== 3) throw new RangeError(`conv1d: weight must be 3-D (out_channels, in_channels/groups, k), got shape ${shapeStr(weight.shape)}`);
  const pad = opts.padding ?? 0;
  const padding: IntPair | 'valid' | 'same' = typeof pad === 'string' ? pad : [0, single(pad, 'padding', 'conv1d')];
  const y = conv2dOp(x.unsqueeze(-2), weight.unsqueeze(2), bias, {
    stride: [1, single(opts.stride ?? 1, 'stride', 'conv1d')],
    padding,
    dilation: [1, single(opts.dilation ?? 1, 'dilation', 'conv1d')],
    groups: opts.groups ?? 1,
  });
  return y.squeeze(-2);
}

/** Options of `convTranspose2d`: `stride`, `padding`, `outputPadding`, `groups`, `dilation`. */
export interface ConvTransposeOptions {
  stride?: IntPair;
  padding?: IntPair;
  /** Extra size added to one side of the output (to pick among the sizes a strided conv maps to the same size). */
  outputPadding?: IntPair;
  groups?: number;
  dilation?: IntPair;
}

const pair = (v: IntPair | undefined, fallback: number): [number, number] =>
  v === undefined ? [fallback, fallback] : typeof v === 'number' ? [v, v] : [v[0], v[1]];

/**
 * Transposed convolution (torch.nn.functional.conv_transpose2d): input [N, Cin, H, W] (or 3-D),
 * weight [Cin, Cout/groups, kH, kW]; output size (H - 1) s - 2 p + d (k - 1) + outputPadding + 1.
 */
export function convTranspose2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, opts: ConvTransposeOptions = {}): Tensor {
  assertTensor(x, 'convTranspose2d: input');
  assertTensor(weight, 'convTranspose2d: weight');
  assertFloat(x, 'convTranspose2d: input');
  if (x.ndim !== 3 && x.ndim !== 4) throw new RangeError(`convTranspose2d: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape ${shapeStr(x.shape)}`);
  if (weight.ndim !== 4) throw new RangeError(`convTranspose2d: weight must be 4-D (in_channels, out_channels/groups, kH, kW), got shape ${shapeStr(weight.shape)}`);
  const x4 = x.ndim === 3 ? x.unsqueeze(0) : x;
  const groups = opts.groups ?? 1;
  const [N, Cin, H, W] = x4.shape as [number, number, number, number];
  const [wIn, coutG, kH, kW] = weight.shape as [number, number, number, number];
  if (wIn !== Cin) throw new RangeError(`convTranspose2d: input ${shapeStr(x.shape)} has ${Cin} channels but weight ${shapeStr(weight.shape)} expects ${wIn}`);
  const stride = pair(opts.stride, 1);
  const padding = pair(opts.padding, 0);
  const dilation = pair(opts.dilation, 1);
  const outPad = pair(opts.outputPadding, 0);
  for (let i = 0; i < 2; i++) {
    if (!(outPad[i]! < stride[i]! || outPad[i]! < dilation[i]!) || outPad[i]! < 0) {
      throw new RangeError(`convTranspose2d: outputPadding ${shapeStr(outPad)} must be smaller than either stride ${shapeStr(stride)} or dilation ${shapeStr(dilation)}`);
    }
  }
  const oH = (H - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kH - 1) + outPad[0] + 1;
  const oW = (W - 1) * stride[1] - 2 * padding[1] + dilation[1] * (kW - 1) + outPad[1] + 1;
  if (oH < 1 || oW < 1) throw new RangeError(`convTranspose2d: output size ${oH} x ${oW} is too small (input ${shapeStr(x.shape)}, weight ${shapeStr(weight.shape)})`);
  const Cout = coutG * groups;
  let y = conv2dBackwardInput(x4, weight, [N, Cout, oH, oW], { stride, padding, dilation, groups });
  if (bias !== null) {
    assertTensor(bias, 'convTranspose2d: bias');
    if (bias.ndim !== 1 || bias.shape[0] !== Cout) throw new RangeError(`convTranspose2d: bias must have shape [${Cout}], got ${shapeStr(bias.shape)}`);
    y = y.add(bias.reshape(1, Cout, 1, 1));
  }
  return x.ndim === 3 ? y.squeeze(0) : y;
}

/** Options of `maxPool2d`: `stride` (default the kernel size) and `padding`. */
export interface MaxPool2dOptions {
  /** Defaults to kernelSize. */
  stride?: IntPair | null;
  padding?: IntPair;
}

/** 2-d max pooling over an [N, C, H, W] (or [C, H, W]) input (torch.nn.functional.max_pool2d). */
export function maxPool2d(x: Tensor, kernelSize: IntPair, opts: MaxPool2dOptions = {}): Tensor {
  return maxPool2dOp(x, kernelSize, { ...opts, returnIndices: false });
}

/** Max pooling that also returns the int32 indices of the maxima within each H*W plane. */
export function maxPool2dWithIndices(x: Tensor, kernelSize: IntPair, opts: MaxPool2dOptions = {}): MaxPool2dResult {
  return maxPool2dOp(x, kernelSize, { ...opts, returnIndices: true });
}

/** Options of `avgPool2d`: those of max pooling plus `countIncludePad`. */
export interface AvgPool2dOptions extends MaxPool2dOptions {
  /** Whether zero padding counts in the divisor (default true). */
  countIncludePad?: boolean;
}

/** 2-d average pooling over an [N, C, H, W] (or [C, H, W]) input (torch.nn.functional.avg_pool2d). */
export function avgPool2d(x: Tensor, kernelSize: IntPair, opts: AvgPool2dOptions = {}): Tensor {
  return avgPool2dOp(x, kernelSize, opts);
}

/** 1-D max pooling over [N, C, L] or [C, L]. */
export function maxPool1d(x: Tensor, kernelSize: number, opts: { stride?: number | null; padding?: number } = {}): Tensor {
  assertTensor(x, 'maxPool1d: input');
  if (x.ndim !== 2 && x.ndim !== 3) throw new RangeError(`maxPool1d: expected a 2-D (C, L) or 3-D (N, C, L) input, got shape ${shapeStr(x.shape)}`);
  return maxPool2dOp(x.unsqueeze(-2), [1, kernelSize], { stride: [1, opts.stride ?? kernelSize], padding: [0, opts.padding ?? 0] }).squeeze(-2);
}

/** 1-D average pooling over [N, C, L] or [C, L]. */
export function avgPool1d(x: Tensor, kernelSize: number, opts: { stride?: number | null; padding?: number; countIncludePad?: boolean } = {}): Tensor {
  assertTensor(x, 'avgPool1d: input');
  if (x.ndim !== 2 && x.ndim !== 3) throw new RangeError(`avgPool1d: expected a 2-D (C, L) or 3-D (N, C, L) input, got shape ${shapeStr(x.shape)}`);
  return avgPool2dOp(x.unsqueeze(-2), [1, kernelSize], { stride: [1, opts.stride ?? kernelSize], padding: [0, opts.padding ?? 0], countIncludePad: opts.countIncludePad ?? true }).squeeze(-2);
}

/**
 * [outSize, inSize] matrix averaging the adaptive windows: row i covers
 * [floor(i * in / out), ceil((i + 1) * in / out)), as PyTorch's adaptive pooling does.
 */
function adaptiveMatrix(inSize: number, outSize: number, dtype: Tensor['dtype']): Tensor {
  const m = Tensor.empty([outSize, inSize], dtype);
  const b = m.buffer;
  for (let i = 0; i < outSize; i++) {
    const start = Math.floor((i * inSize) / outSize);
    const end = Math.ceil(((i + 1) * inSize) / outSize);
    for (let j = start; j < end; j++) b[i * inSize + j] = 1 / (end - start);
  }
  return m;
}

/** Average pooling to a fixed output size [oH, oW] (null keeps that input dim). */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | readonly [number | null, number | null]): Tensor {
  assertTensor(x, 'adaptiveAvgPool2d: input');
  assertFloat(x, 'adaptiveAvgPool2d: input');
  if (x.ndim !== 3 && x.ndim !== 4) throw new RangeError(`adaptiveAvgPool2d: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape ${shapeStr(x.shape)}`);
  const H = x.shape[x.ndim - 2]!;
  const W = x.shape[x.ndim - 1]!;
  const [oh, ow] = typeof outputSize === 'number' ? [outputSize, outputSize] : outputSize;
  const oH = oh ?? H;
  const oW = ow ?? W;
  for (const s of [oH, oW]) if (!Number.isInteger(s) || s < 1) throw new RangeError(`adaptiveAvgPool2d: output size must contain positive integers, got ${JSON.stringify(outputSize)}`);
  // out = Ph · x · Pw^T over the last two dims.
  const ph = adaptiveMatrix(H, oH, x.dtype);
  const pw = adaptiveMatrix(W, oW, x.dtype);
  return ph.matmul(x).matmul(pw.t());
}
