import { type Generator, Tensor, bernoulli } from '@tsgrad/tensor';
import { assertFloat, assertTensor, checkProbability } from './util.js';

/** Options of `dropout`: the `generator` that draws the mask. */
export interface DropoutOptions {
  generator?: Generator;
}

/** A mask of 0 and 1 / (1 - p) (keep probability 1 - p) in `shape` and like's dtype. */
function scaledMask(shape: readonly number[], like: Tensor, p: number, opts: DropoutOptions): Tensor {
  const keep = 1 - p;
  const draws = bernoulli(Tensor.empty(shape, like.dtype), keep, opts.generator === undefined ? {} : { generator: opts.generator });
  return draws.div(keep);
}

/**
 * Zeroes each element with probability p and scales the rest by 1 / (1 - p) while `training`;
 * the identity otherwise (torch.nn.functional.dropout).
 */
export function dropout(x: Tensor, p = 0.5, training = true, opts: DropoutOptions = {}): Tensor {
  assertTensor(x, 'dropout: input');
  checkProbability(p, 'dropout: p');
  if (!training || p === 0) return x;
  assertFloat(x, 'dropout: input');
  if (p === 1) return x.mul(0);
  return x.mul(scaledMask(x.shape, x, p, opts));
}

/**
 * Zeroes whole channels (the [H, W] planes of [N, C, H, W] or [C, H, W] input) with probability p
 * (torch.nn.functional.dropout2d).
 */
export function dropout2d(x: Tensor, p = 0.5, training = true, opts: DropoutOptions = {}): Tensor {
  assertTensor(x, 'dropout2d: input');
  checkProbability(p, 'dropout2d: p');
  if (x.ndim !== 3 && x.ndim !== 4) throw new RangeError(`dropout2d: expected a 3-D [C, H, W] or 4-D [N, C, H, W] input, got shape [${x.shape.join(', ')}]`);
  if (!training || p === 0) return x;
  assertFloat(x, 'dropout2d: input');
  if (p === 1) return x.mul(0);
  const maskShape = x.shape.map((d, i) => (i < x.ndim - 2 ? d : 1));
  return x.mul(scaledMask(maskShape, x, p, opts));
}
