import { type DType, type Tensor, ones, zeros } from '@tsgrad/tensor';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { batchNorm, groupNorm, layerNorm } from '../functional/norm.js';
import { checkPositiveInt, shapeStr } from '../functional/util.js';
import { withoutGrad } from '../grad-mode.js';
import { ones_, zeros_ } from '../init.js';

/**
 * Options of the batch norms: `eps` (1e-5), `momentum` (0.1), `affine` (true), `trackRunningStats` (true), `dtype`.
 */
export interface BatchNormOptions {
  eps?: number;
  /** Running average factor (default 0.1); null for a cumulative average over all batches. */
  momentum?: number | null;
  /** Learnable per-channel weight and bias (default true). */
  affine?: boolean;
  /** Keep running statistics for eval mode (default true). */
  trackRunningStats?: boolean;
  dtype?: DType;
}

/**
 * Batch normalisation (torch.nn.BatchNorm*): batch statistics while training (updating
 * running_mean / running_var / num_batches_tracked buffers), running statistics in eval mode.
 */
abstract class BatchNormBase extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;

  constructor(readonly numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    checkPositiveInt(numFeatures, `${new.target.name}: numFeatures`);
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    const dtype = opts.dtype ?? 'float32';
    this.weight = this.affine ? new Parameter(ones([numFeatures], { dtype })) : null;
    this.bias = this.affine ? new Parameter(zeros([numFeatures], { dtype })) : null;
    this.registerBuffer('running_mean', this.trackRunningStats ? zeros([numFeatures], { dtype }) : null);
    this.registerBuffer('running_var', this.trackRunningStats ? ones([numFeatures], { dtype }) : null);
    // int64 in PyTorch; int32 here, written to safetensors as I64.
    this.registerBuffer('num_batches_tracked', this.trackRunningStats ? zeros([], { dtype: 'int32' }) : null);
  }

  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    zeros_(this.running_mean!);
    ones_(this.running_var!);
    withoutGrad(() => this.num_batches_tracked!.fill_(0));
  }

  resetParameters(): void {
    this.resetRunningStats();
    if (this.affine) {
      ones_(this.weight!);
      zeros_(this.bias!);
    }
  }

  protected abstract checkInput(x: Tensor): void;

  forward(x: Tensor): Tensor {
    this.checkInput(x);
    if (x.shape[1] !== this.numFeatures) throw new RangeError(`${this.constructor.name}: expected ${this.numFeatures} channels (dim 1), got input of shape ${shapeStr(x.shape)}`);
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats) {
      const nbt = this.num_batches_tracked!;
      withoutGrad(() => nbt.add_(1));
      factor = this.momentum === null ? 1 / nbt.item() : this.momentum;
    }
    const useBatchStats = this.training || this.running_mean === null;
    const track = !this.training || this.trackRunningStats;
    return batchNorm(x, track ? this.running_mean : null, track ? this.running_var : null, {
      weight: this.weight, bias: this.bias, training: useBatchStats, momentum: factor, eps: this.eps,
    });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/** BatchNorm over [N, C] or [N, C, L]. */
export class BatchNorm1d extends BatchNormBase {
  protected checkInput(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3) throw new RangeError(`BatchNorm1d: expected 2-D or 3-D input, got shape ${shapeStr(x.shape)}`);
  }
}

/** BatchNorm over [N, C, H, W]. */
export class BatchNorm2d extends BatchNormBase {
  protected checkInput(x: Tensor): void {
    if (x.ndim !== 4) throw new RangeError(`BatchNorm2d: expected 4-D input [N, C, H, W], got shape ${shapeStr(x.shape)}`);
  }
}

/** Options of `LayerNorm`: `eps` (1e-5), `elementwiseAffine` (true), `bias` (true), `dtype`. */
export interface LayerNormOptions {
  eps?: number;
  /** Learnable weight (and bias) of normalizedShape (default true). */
  elementwiseAffine?: boolean;
  bias?: boolean;
  dtype?: DType;
}

/** Normalises over the trailing normalizedShape dims (torch.nn.LayerNorm). */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  weight: Parameter | null;
  bias: Parameter | null;
  readonly eps: number;
  readonly elementwiseAffine: boolean;

  constructor(normalizedShape: number | readonly number[], opts: LayerNormOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape.slice();
    this.normalizedShape.forEach((d) => checkPositiveInt(d, 'LayerNorm: normalizedShape'));
    this.eps = opts.eps ?? 1e-5;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    const dtype = opts.dtype ?? 'float32';
    this.weight = this.elementwiseAffine ? new Parameter(ones(this.normalizedShape, { dtype })) : null;
    this.bias = this.elementwiseAffine && opts.bias !== false ? new Parameter(zeros(this.normalizedShape, { dtype })) : null;
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `[${this.normalizedShape.join(', ')}], eps=${this.eps}, elementwiseAffine=${this.elementwiseAffine}`;
  }
}

/** Normalises groups of channels (torch.nn.GroupNorm); per-channel affine weight and bias. */
export class GroupNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly eps: number;
  readonly affine: boolean;

  constructor(readonly numGroups: number, readonly numChannels: number, opts: { eps?: number; affine?: boolean; dtype?: DType } = {}) {
    super();
    checkPositiveInt(numGroups, 'GroupNorm: numGroups');
    checkPositiveInt(numChannels, 'GroupNorm: numChannels');
    if (numChannels % numGroups !== 0) throw new RangeError(`GroupNorm: numChannels (${numChannels}) must be divisible by numGroups (${numGroups})`);
    this.eps = opts.eps ?? 1e-5;
    this.affine = opts.affine ?? true;
    const dtype = opts.dtype ?? 'float32';
    this.weight = this.affine ? new Parameter(ones([numChannels], { dtype })) : null;
    this.bias = this.affine ? new Parameter(zeros([numChannels], { dtype })) : null;
  }

  forward(x: Tensor): Tensor {
    if (x.ndim < 2 || x.shape[1] !== this.numChannels) throw new RangeError(`GroupNorm: expected input [N, ${this.numChannels}, ...], got shape ${shapeStr(x.shape)}`);
    return groupNorm(x, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${this.eps}, affine=${this.affine}`;
  }
}

