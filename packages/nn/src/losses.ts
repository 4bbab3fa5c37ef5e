import type { Tensor } from '@tsgrad/tensor';
import { Module } from './module.js';
import * as L from './functional/loss.js';
import { type Reduction, checkReduction } from './functional/util.js';

/**
 * Loss modules (torch.nn.*Loss): options fixed at construction, `forward(input, target)`.
 * Class weights and posWeight are registered as buffers, as PyTorch does, so they follow `to()`.
 */
abstract class Loss extends Module {
  readonly reduction: Reduction;

  constructor(reduction: Reduction = 'mean') {
    super();
    this.reduction = checkReduction(reduction, this.constructor.name);
  }

  abstract override forward(input: Tensor, target: Tensor): Tensor;

  override extraRepr(): string {
    return this.reduction === 'mean' ? '' : `reduction='${this.reduction}'`;
  }
}

/**
 * Mean squared error (torch.nn.MSELoss).
 * @example
 * ```ts
 * const loss = new nn.MSELoss().forward(model.forward(x), y);
 * ```
 */
export class MSELoss extends Loss {
  constructor(opts: { reduction?: Reduction } = {}) {
    super(opts.reduction);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return L.mseLoss(input, target, { reduction: this.reduction });
  }
}

/** Mean absolute error (torch.nn.L1Loss). */
export class L1Loss extends Loss {
  constructor(opts: { reduction?: Reduction } = {}) {
    super(opts.reduction);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return L.l1Loss(input, target, { reduction: this.reduction });
  }
}

/** Smooth L1 loss: quadratic below `beta`, linear above (torch.nn.SmoothL1Loss). */
export class SmoothL1Loss extends Loss {
  readonly beta: number;

  constructor(opts: { reduction?: Reduction; beta?: number } = {}) {
    super(opts.reduction);
    this.beta = opts.beta ?? 1;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return L.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/** Huber loss: quadratic below `delta`, linear above (torch.nn.HuberLoss). */
export class HuberLoss extends Loss {
  readonly delta: number;

  constructor(opts: { reduction?: Reduction; delta?: number } = {}) {
    super(opts.reduction);
    this.delta = opts.delta ?? 1;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return L.huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/** Negative log-likelihood of int32 class targets given log-probabilities (torch.nn.NLLLoss). */
export class NLLLoss extends Loss {
  declare readonly weight: Tensor | null;
  readonly ignoreIndex: number;

  constructor(opts: { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction } = {}) {
    super(opts.reduction);
    this.registerBuffer('weight', opts.weight ?? null);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return L.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/**
 * Cross-entropy of logits against int32 class indices or class probabilities, with `weight`, `ignoreIndex` and `labelSmoothing` (torch.nn.CrossEntropyLoss).
 * @example
 * ```ts
 * const lossFn = new nn.CrossEntropyLoss();
 * const loss = lossFn.forward(model.forward(x), labels); // labels: int32 [batch]
 * ```
 */
export class CrossEntropyLoss extends Loss {
  declare readonly weight: Tensor | null;
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;

  constructor(opts: { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction; labelSmoothing?: number } = {}) {
    super(opts.reduction);
    this.registerBuffer('weight', opts.weight ?? null);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.labelSmoothing = opts.labelSmoothing ?? 0;
    if (!(this.labelSmoothing >= 0 && this.labelSmoothing <= 1)) throw new RangeError(`CrossEntropyLoss: labelSmoothing must be in [0, 1], got ${this.labelSmoothing}`);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return L.crossEntropy(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing });
  }
}

/** Binary cross-entropy of probabilities (torch.nn.BCELoss). */
export class BCELoss extends Loss {
  declare readonly weight: Tensor | null;

  constructor(opts: { weight?: Tensor | null; reduction?: Reduction } = {}) {
    super(opts.reduction);
    this.registerBuffer('weight', opts.weight ?? null);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return L.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/** Binary cross-entropy of logits, computed stably, with `posWeight` (torch.nn.BCEWithLogitsLoss). */
export class BCEWithLogitsLoss extends Loss {
  declare readonly weight: Tensor | null;
  declare readonly pos_weight: Tensor | null;

  constructor(opts: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction } = {}) {
    super(opts.reduction);
    this.registerBuffer('weight', opts.weight ?? null);
    this.registerBuffer('pos_weight', opts.posWeight ?? null);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return L.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.pos_weight, reduction: this.reduction });
  }
}

/** Kullback-Leibler divergence; the input is log-probabilities (torch.nn.KLDivLoss). */
export class KLDivLoss extends Module {
  readonly reduction: Reduction | 'batchmean';
  readonly logTarget: boolean;

  constructor(opts: { reduction?: Reduction | 'batchmean'; logTarget?: boolean } = {}) {
    super();
    const r = opts.reduction ?? 'mean';
    this.reduction = r === 'batchmean' ? r : checkReduction(r, 'KLDivLoss');
    this.logTarget = opts.logTarget ?? false;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return L.klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }

  override extraRepr(): string {
    return `reduction='${this.reduction}', logTarget=${this.logTarget}`;
  }
}
