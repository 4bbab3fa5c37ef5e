import { type DType, type Tensor, empty } from '@tsgrad/tensor';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { conv1d, conv2d, convTranspose2d } from '../functional/conv.js';
import { checkPositiveInt } from '../functional/util.js';
import { calculateFanInAndFanOut, defaultBiasInit_, defaultWeightInit_ } from '../init.js';

type Pair = number | readonly [number, number];

const toPair = (v: Pair, what: string, op: string, min: number): [number, number] => {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!(typeof v === 'number' || (Array.isArray(v) && v.length === 2)) || p.some((x) => !Number.isInteger(x) || x < min)) {
    throw new RangeError(`${op}: ${what} must be an integer >= ${min} or a pair of them, got ${JSON.stringify(v)}`);
  }
  return p;
};

const fmt = (p: readonly number[]) => `[${p.join(', ')}]`;

/**
 * Options of `Conv2d`: `stride`, `padding`, `dilation` (a number or [h, w]), `groups`, `bias`, `dtype`.
 */
export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair | 'valid' | 'same';
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
  dtype?: DType;
}

function checkGroups(inC: number, outC: number, groups: number, op: string): void {
  checkPositiveInt(groups, `${op}: groups`);
  if (inC % groups !== 0) throw new RangeError(`${op}: inChannels (${inC}) must be divisible by groups (${groups})`);
  if (outC % groups !== 0) throw new RangeError(`${op}: outChannels (${outC}) must be divisible by groups (${groups})`);
}

function initConv(weight: Parameter, bias: Parameter | null): void {
  defaultWeightInit_(weight);
  if (bias !== null) defaultBiasInit_(bias, calculateFanInAndFanOut(weight)[0]);
}

/** 2-D convolution over [N, C, H, W] (torch.nn.Conv2d): weight [out, in/groups, kH, kW], bias [out]. */
export class Conv2d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number] | 'valid' | 'same';
  readonly dilation: [number, number];
  readonly groups: number;

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Pair, opts: Conv2dOptions = {}) {
    super();
    checkPositiveInt(inChannels, 'Conv2d: inChannels');
    checkPositiveInt(outChannels, 'Conv2d: outChannels');
    this.kernelSize = toPair(kernelSize, 'kernelSize', 'Conv2d', 1);
    this.stride = toPair(opts.stride ?? 1, 'stride', 'Conv2d', 1);
    const pad = opts.padding ?? 0;
    this.padding = pad === 'same' || pad === 'valid' ? pad : toPair(pad, 'padding', 'Conv2d', 0);
    if (this.padding === 'same' && (this.stride[0] !== 1 || this.stride[1] !== 1)) throw new RangeError("Conv2d: padding='same' is not supported for strided convolutions");
    this.dilation = toPair(opts.dilation ?? 1, 'dilation', 'Conv2d', 1);
    this.groups = opts.groups ?? 1;
    checkGroups(inChannels, outChannels, this.groups, 'Conv2d');
    const dtype = opts.dtype ?? 'float32';
    this.weight = new Parameter(empty([outChannels, inChannels / this.groups, ...this.kernelSize], { dtype }));
    this.bias = opts.bias === false ? null : new Parameter(empty([outChannels], { dtype }));
    this.resetParameters();
  }

  resetParameters(): void {
    initConv(this.weight, this.bias);
  }

  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernelSize=${fmt(this.kernelSize)}, stride=${fmt(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding='${this.padding}'`;
    else if (this.padding[0] !== 0 || this.padding[1] !== 0) s += `, padding=${fmt(this.padding)}`;
    if (this.dilation[0] !== 1 || this.dilation[1] !== 1) s += `, dilation=${fmt(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=false';
    return s;
  }
}

/** Options of `Conv1d`: `stride`, `padding`, `dilation`, `groups`, `bias`, `dtype`. */
export interface Conv1dOptions {
  stride?: number;
  padding?: number | 'valid' | 'same';
  dilation?: number;
  groups?: number;
  bias?: boolean;
  dtype?: DType;
}

/** 1-D convolution over [N, C, L] (torch.nn.Conv1d): weight [out, in/groups, k], bias [out]. */
export class Conv1d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly stride: number;
  readonly padding: number | 'valid' | 'same';
  readonly dilation: number;
  readonly groups: number;

  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernelSize: number, opts: Conv1dOptions = {}) {
    super();
    checkPositiveInt(inChannels, 'Conv1d: inChannels');
    checkPositiveInt(outChannels, 'Conv1d: outChannels');
    checkPositiveInt(kernelSize, 'Conv1d: kernelSize');
    this.stride = checkPositiveInt(opts.stride ?? 1, 'Conv1d: stride');
    const pad = opts.padding ?? 0;
    if (typeof pad === 'number' && (!Number.isInteger(pad) || pad < 0)) throw new RangeError(`Conv1d: padding must be a non-negative integer, 'valid' or 'same', got ${pad}`);
    this.padding = pad;
    this.dilation = checkPositiveInt(opts.dilation ?? 1, 'Conv1d: dilation');
    this.groups = opts.groups ?? 1;
    checkGroups(inChannels, outChannels, this.groups, 'Conv1d');
    const dtype = opts.dtype ?? 'float32';
    this.weight = new Parameter(empty([outChannels, inChannels / this.groups, kernelSize], { dtype }));
    this.bias = opts.bias === false ? null : new Parameter(empty([outChannels], { dtype }));
    this.resetParameters();
  }

  resetParameters(): void {
    initConv(this.weight, this.bias);
  }

  forward(x: Tensor): Tensor {
    return conv1d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernelSize=${this.kernelSize}, stride=${this.stride}`;
    if (this.padding !== 0) s += `, padding=${typeof this.padding === 'string' ? `'${this.padding}'` : this.padding}`;
    if (this.dilation !== 1) s += `, dilation=${this.dilation}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=false';
    return s;
  }
}

/**
 * Options of `ConvTranspose2d`: `stride`, `padding`, `outputPadding`, `dilation`, `groups`, `bias`, `dtype`.
 */
export interface ConvTranspose2dOptions {
  stride?: Pair;
  padding?: Pair;
  outputPadding?: Pair;
  groups?: number;
  bias?: boolean;
  dilation?: Pair;
  dtype?: DType;
}

/** Transposed 2-D convolution (torch.nn.ConvTranspose2d): weight [in, out/groups, kH, kW]. */
export class ConvTranspose2d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly outputPadding: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Pair, opts: ConvTranspose2dOptions = {}) {
    super();
    checkPositiveInt(inChannels, 'ConvTranspose2d: inChannels');
    checkPositiveInt(outChannels, 'ConvTranspose2d: outChannels');
    this.kernelSize = toPair(kernelSize, 'kernelSize', 'ConvTranspose2d', 1);
    this.stride = toPair(opts.stride ?? 1, 'stride', 'ConvTranspose2d', 1);
    this.padding = toPair(opts.padding ?? 0, 'padding', 'ConvTranspose2d', 0);
    this.outputPadding = toPair(opts.outputPadding ?? 0, 'outputPadding', 'ConvTranspose2d', 0);
    this.dilation = toPair(opts.dilation ?? 1, 'dilation', 'ConvTranspose2d', 1);
    this.groups = opts.groups ?? 1;
    checkGroups(inChannels, outChannels, this.groups, 'ConvTranspose2d');
    const dtype = opts.dtype ?? 'float32';
    this.weight = new Parameter(empty([inChannels, outChannels / this.groups, ...this.kernelSize], { dtype }));
    this.bias = opts.bias === false ? null : new Parameter(empty([outChannels], { dtype }));
    this.resetParameters();
  }

  resetParameters(): void {
    initConv(this.weight, this.bias);
  }

  forward(x: Tensor): Tensor {
    return convTranspose2d(x, this.weight, this.bias, {
      stride: this.stride, padding: this.padding, outputPadding: this.outputPadding, groups: this.groups, dilation: this.dilation,
    });
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernelSize=${fmt(this.kernelSize)}, stride=${fmt(this.stride)}`;
    if (this.padding[0] !== 0 || this.padding[1] !== 0) s += `, padding=${fmt(this.padding)}`;
    if (this.outputPadding[0] !== 0 || this.outputPadding[1] !== 0) s += `, outputPadding=${fmt(this.outputPadding)}`;
    if (this.dilation[0] !== 1 || this.dilation[1] !== 1) s += `, dilation=${fmt(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=false';
    return s;
  }
}
