import type { Tensor } from '@tsgrad/tensor';
import { Module } from '../module.js';
import * as A from '../functional/activation.js';

/** Activation modules: thin wrappers over the functions in F with PyTorch's defaults. */

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return A.relu(x);
  }
}

/** Activation: max(0, x) + negativeSlope * min(0, x) (torch.nn.LeakyReLU; default slope 0.01). */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }

  forward(x: Tensor): Tensor {
    return A.leakyRelu(x, this.negativeSlope);
  }

  override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

/** Activation: x for x > 0, alpha * (e^x - 1) otherwise (torch.nn.ELU). */
export class ELU extends Module {
  constructor(readonly alpha = 1) {
    super();
  }

  forward(x: Tensor): Tensor {
    return A.elu(x, this.alpha);
  }

  override extraRepr(): string {
    return `alpha=${this.alpha}`;
  }
}

/** Activation: x * Phi(x), exact or with the tanh approximation (torch.nn.GELU). */
export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
    if (approximate !== 'none' && approximate !== 'tanh') throw new RangeError(`GELU: approximate must be 'none' or 'tanh', got ${JSON.stringify(approximate)}`);
  }

  forward(x: Tensor): Tensor {
    return A.gelu(x, this.approximate);
  }

  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** Activation: x * sigmoid(x), also called swish (torch.nn.SiLU). */
export class SiLU extends Module {
  forward(x: Tensor): Tensor {
    return A.silu(x);
  }
}

/** Activation: 1 / (1 + e^-x) (torch.nn.Sigmoid). */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return A.sigmoid(x);
  }
}

/** Activation: tanh(x) (torch.nn.Tanh). */
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return A.tanh(x);
  }
}

/** Activation: log(1 + e^(beta x)) / beta, linear above `threshold` (torch.nn.Softplus). */
export class Softplus extends Module {
  constructor(readonly beta = 1, readonly threshold = 20) {
    super();
  }

  forward(x: Tensor): Tensor {
    return A.softplus(x, this.beta, this.threshold);
  }

  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

/** Activation: clamp(x, minVal, maxVal) (torch.nn.Hardtanh). */
export class Hardtanh extends Module {
  constructor(readonly minVal = -1, readonly maxVal = 1) {
    super();
  }

  forward(x: Tensor): Tensor {
    return A.hardtanh(x, this.minVal, this.maxVal);
  }

  override extraRepr(): string {
    return `minVal=${this.minVal}, maxVal=${this.maxVal}`;
  }
}

/**
 * Activation: Softmax along `dim` (torch.nn.Softmax).
 * @example
 * ```ts
 * const probs = new nn.Softmax(1).forward(logits); // rows sum to 1
 * ```
 */
export class Softmax extends Module {
  constructor(readonly dim: number) {
    super();
    if (!Number.isInteger(dim)) throw new TypeError(`Softmax: dim must be an integer, got ${String(dim)}`);
  }

  forward(x: Tensor): Tensor {
    return A.softmax(x, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** Activation: log(softmax(x)) along `dim` (torch.nn.LogSoftmax); pair with `NLLLoss`. */
export class LogSoftmax extends Module {
  constructor(readonly dim: number) {
    super();
    if (!Number.isInteger(dim)) throw new TypeError(`LogSoftmax: dim must be an integer, got ${String(dim)}`);
  }

  forward(x: Tensor): Tensor {
    return A.logSoftmax(x, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
