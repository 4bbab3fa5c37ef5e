import { type Tensor, expm1, gelu as geluExact, log1p, exp, sigmoid as sigmoidOp, tanh as tanhOp, relu as reluOp, where } from '@tsgrad/tensor';
import { assertFloat, assertTensor } from './util.js';

/**
 * Activation functions (torch.nn.functional). Each is a composition of recorded tensor ops, so
 * autograd differentiates it. Branches are written with `where`, and the argument of an
 * overflowing function (exp) is masked in the branch that is not taken, so its gradient is 0 and
 * never 0 * Infinity = NaN.
 */

export function relu(x: Tensor): Tensor {
  assertTensor(x, 'relu: input');
  return reluOp(x);
}

/** max(0, x) + negativeSlope * min(0, x). */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  assertTensor(x, 'leakyRelu: input');
  return where(x.gt(0), x, x.mul(negativeSlope));
}

/** x for x > 0, alpha * (exp(x) - 1) otherwise. */
export function elu(x: Tensor, alpha = 1): Tensor {
  assertTensor(x, 'elu: input');
  const pos = x.gt(0);
  return where(pos, x, expm1(where(pos, 0, x)).mul(alpha));
}

/** GELU: exact (x * Phi(x), the default) or the tanh approximation. */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  assertTensor(x, 'gelu: input');
  assertFloat(x, 'gelu: input');
  if (approximate === 'none') return geluExact(x);
  if (approximate !== 'tanh') throw new RangeError(`gelu: approximate must be 'none' or 'tanh', got ${JSON.stringify(approximate)}`);
  const inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
  return x.mul(0.5).mul(tanhOp(inner).add(1));
}

/** x * sigmoid(x) (also called swish). */
export function silu(x: Tensor): Tensor {
  assertTensor(x, 'silu: input');
  return x.mul(sigmoidOp(x));
}

/** 1 / (1 + e^-x) (torch.sigmoid). */
export function sigmoid(x: Tensor): Tensor {
  assertTensor(x, 'sigmoid: input');
  return sigmoidOp(x);
}

/** The hyperbolic tangent (torch.tanh). */
export function tanh(x: Tensor): Tensor {
  assertTensor(x, 'tanh: input');
  return tanhOp(x);
}

/**
 * log(1 + exp(beta * x)) / beta, reverting to x where beta * x > threshold (torch's defaults:
 * beta 1, threshold 20). Stable for large |x|.
 */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  assertTensor(x, 'softplus: input');
  assertFloat(x, 'softplus: input');
  const z = beta === 1 ? x : x.mul(beta);
  const pos = z.gt(0);
  const zp = where(pos, z, 0);
  const zn = where(pos, 0, z);
  // z > 0: z + log(1 + e^-z); z <= 0: log(1 + e^z). Neither exponent is positive.
  let sp = where(pos, zp.add(log1p(exp(zp.neg()))), log1p(exp(zn)));
  if (beta !== 1) sp = sp.div(beta);
  return where(z.gt(threshold), x, sp);
}

/** log(sigmoid(x)) = -softplus(-x), stable for large |x|. */
export function logSigmoid(x: Tensor): Tensor {
  return softplus(x.neg(), 1, Infinity).neg();
}

/** Clamps into [minVal, maxVal] (default [-1, 1]). */
export function hardtanh(x: Tensor, minVal = -1, maxVal = 1): Tensor {
  assertTensor(x, 'hardtanh: input');
  if (!(minVal <= maxVal)) throw new RangeError(`hardtanh: minVal (${minVal}) must not exceed maxVal (${maxVal})`);
  return x.clamp(minVal, maxVal);
}

/** min(max(x, 0), 6) (torch.nn.functional.relu6). */
export function relu6(x: Tensor): Tensor {
  return hardtanh(x, 0, 6);
}

/** Softmax along `dim` (PyTorch requires the dim; so does tsgrad). */
export function softmax(x: Tensor, dim: number): Tensor {
  assertTensor(x, 'softmax: input');
  checkDim(dim, 'softmax');
  return x.softmax(dim);
}

/** log(softmax(x)) along `dim`, computed stably (torch.nn.functional.log_softmax). */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  assertTensor(x, 'logSoftmax: input');
  checkDim(dim, 'logSoftmax');
  return x.logSoftmax(dim);
}

function checkDim(dim: unknown, op: string): void {
  if (typeof dim !== 'number' || !Number.isInteger(dim)) throw new TypeError(`${op}: dim must be an integer, got ${String(dim)}`);
}
