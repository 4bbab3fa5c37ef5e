import { type Tensor, empty } from '@tsgrad/tensor';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { linear, bilinear } from '../functional/linear.js';
import { pad } from '../functional/pad.js';
import { checkPositiveInt } from '../functional/util.js';
import { defaultBiasInit_, defaultWeightInit_, uniform_ } from '../init.js';
import type { DType } from '@tsgrad/tensor';

/**
 * Options of the layer constructors: the parameters' `dtype`.
 */
export interface LayerOptions {
  /** Parameter dtype (default float32). */
  dtype?: DType;
}

/** Returns its input unchanged (torch.nn.Identity). */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

/**
 * y = x W^T + b, weight [outFeatures, inFeatures], bias [outFeatures] (torch.nn.Linear), initialised
 * as PyTorch does: W ~ kaiming_uniform(a = sqrt(5)), i.e. U(-1/sqrt(in), 1/sqrt(in)), and b the same.
 */
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: LayerOptions & { bias?: boolean } = {}) {
    super();
    checkPositiveInt(inFeatures, 'Linear: inFeatures');
    checkPositiveInt(outFeatures, 'Linear: outFeatures');
    const dtype = opts.dtype ?? 'float32';
    this.weight = new Parameter(empty([outFeatures, inFeatures], { dtype }));
    this.bias = opts.bias === false ? null : new Parameter(empty([outFeatures], { dtype }));
    this.resetParameters();
  }

  resetParameters(): void {
    defaultWeightInit_(this.weight);
    if (this.bias !== null) defaultBiasInit_(this.bias, this.inFeatures);
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/** y = x1^T W x2 + b, weight [out, in1, in2] (torch.nn.Bilinear); U(-1/sqrt(in1), 1/sqrt(in1)) init. */
export class Bilinear extends Module {
  weight: Parameter;
  bias: Parameter | null;

  constructor(readonly in1Features: number, readonly in2Features: number, readonly outFeatures: number, opts: LayerOptions & { bias?: boolean } = {}) {
    super();
    checkPositiveInt(in1Features, 'Bilinear: in1Features');
    checkPositiveInt(in2Features, 'Bilinear: in2Features');
    checkPositiveInt(outFeatures, 'Bilinear: outFeatures');
    const dtype = opts.dtype ?? 'float32';
    this.weight = new Parameter(empty([outFeatures, in1Features, in2Features], { dtype }));
    this.bias = opts.bias === false ? null : new Parameter(empty([outFeatures], { dtype }));
    this.resetParameters();
  }

  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.in1Features);
    uniform_(this.weight, -bound, bound);
    if (this.bias !== null) uniform_(this.bias, -bound, bound);
  }

  forward(x1: Tensor, x2: Tensor): Tensor {
    return bilinear(x1, x2, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in1Features=${this.in1Features}, in2Features=${this.in2Features}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/** Flattens dims startDim..endDim into one (torch.nn.Flatten; defaults keep the batch dim). */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }

  forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}

/** Expands dim `dim` into `unflattenedSize` (torch.nn.Unflatten). */
export class Unflatten extends Module {
  readonly unflattenedSize: number[];

  constructor(readonly dim: number, unflattenedSize: readonly number[]) {
    super();
    if (!Array.isArray(unflattenedSize) || unflattenedSize.length === 0) throw new TypeError('Unflatten: unflattenedSize must be a non-empty array of sizes');
    this.unflattenedSize = unflattenedSize.slice();
  }

  forward(x: Tensor): Tensor {
    return x.unflatten(this.dim, this.unflattenedSize);
  }

  override extraRepr(): string {
    return `dim=${this.dim}, unflattenedSize=[${this.unflattenedSize.join(', ')}]`;
  }
}

/** Pads the last two dims with a constant (torch.nn.ConstantPad2d); padding [left, right, top, bottom] or one number. */
export class ConstantPad2d extends Module {
  readonly padding: [number, number, number, number];

  constructor(padding: number | readonly [number, number, number, number], readonly value: number) {
    super();
    this.padding = typeof padding === 'number' ? [padding, padding, padding, padding] : [padding[0], padding[1], padding[2], padding[3]];
  }

  forward(x: Tensor): Tensor {
    return pad(x, this.padding, this.value);
  }

  override extraRepr(): string {
    return `padding=[${this.padding.join(', ')}], value=${this.value}`;
  }
}

/** Zero padding of the last two dims (torch.nn.ZeroPad2d). */
export class ZeroPad2d extends ConstantPad2d {
  constructor(padding: number | readonly [number, number, number, number]) {
    super(padding, 0);
  }

  override extraRepr(): string {
    return `padding=[${this.padding.join(', ')}]`;
  }
}
