import type { Tensor } from '@tsgrad/tensor';
import { Module } from '../module.js';
import { dropout, dropout2d } from '../functional/dropout.js';
import { checkProbability } from '../functional/util.js';

/** Zeroes elements with probability p while training (scaling the rest by 1/(1-p)); identity in eval mode. */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    checkProbability(p, 'Dropout: p');
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}

/** Zeroes whole channels with probability p while training; identity in eval mode. */
export class Dropout2d extends Module {
  constructor(readonly p = 0.5) {
    super();
    checkProbability(p, 'Dropout2d: p');
  }

  forward(x: Tensor): Tensor {
    return dropout2d(x, this.p, this.training);
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
