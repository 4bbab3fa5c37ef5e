import { Tensor, gather, indexSelect, log, exp, where, toTypedArray, logSoftmaxNll } from '@tsgrad/tensor';
import { softplus } from './activation.js';
import { type Reduction, assertFloat, assertTensor, checkReduction, reduce, sameShape, shapeStr } from './util.js';

/**
 * Loss functions (torch.nn.functional), written with recorded tensor ops so autograd
 * differentiates them. Input and target must have the same shape where PyTorch would compare
 * them elementwise (PyTorch only warns on a broadcast, which is nearly always a bug).
 */

function checkPair(input: Tensor, target: Tensor, op: string): void {
  assertTensor(input, `${op}: input`);
  assertTensor(target, `${op}: target`);
  assertFloat(input, `${op}: input`);
  if (!sameShape(input.shape, target.shape)) {
    throw new RangeError(`${op}: target shape ${shapeStr(target.shape)} must match input shape ${shapeStr(input.shape)}`);
  }
}

/** How a loss reduces over elements: 'mean' (default), 'sum' or 'none'. */
export interface ReductionOptions {
  reduction?: Reduction;
}

/** Mean squared error. */
export function mseLoss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  checkPair(input, target, 'mseLoss');
  const d = input.sub(target);
  return reduce(d.mul(d), checkReduction(opts.reduction ?? 'mean', 'mseLoss'));
}

/** Mean absolute error. */
export function l1Loss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  checkPair(input, target, 'l1Loss');
  return reduce(input.sub(target).abs(), checkReduction(opts.reduction ?? 'mean', 'l1Loss'));
}

/** 0.5 d^2 / beta where |d| < beta, |d| - 0.5 beta elsewhere (beta 0 is L1). */
export function smoothL1Loss(input: Tensor, target: Tensor, opts: ReductionOptions & { beta?: number } = {}): Tensor {
  checkPair(input, target, 'smoothL1Loss');
  const beta = opts.beta ?? 1;
  if (!(beta >= 0)) throw new RangeError(`smoothL1Loss: beta must be non-negative, got ${beta}`);
  const reduction = checkReduction(opts.reduction ?? 'mean', 'smoothL1Loss');
  const d = input.sub(target);
  const ad = d.abs();
  if (beta === 0) return reduce(ad, reduction);
  return reduce(where(ad.lt(beta), d.mul(d).mul(0.5 / beta), ad.sub(0.5 * beta)), reduction);
}

/** 0.5 d^2 where |d| <= delta, delta (|d| - 0.5 delta) elsewhere. */
export function huberLoss(input: Tensor, target: Tensor, opts: ReductionOptions & { delta?: number } = {}): Tensor {
  checkPair(input, target, 'huberLoss');
  const delta = opts.delta ?? 1;
  if (!(delta > 0)) throw new RangeError(`huberLoss: delta must be positive, got ${delta}`);
  const d = input.sub(target);
  const ad = d.abs();
  return reduce(where(ad.le(delta), d.mul(d).mul(0.5), ad.sub(0.5 * delta).mul(delta)), checkReduction(opts.reduction ?? 'mean', 'huberLoss'));
}

/** Options of `nllLoss`: class `weight`, `ignoreIndex` (-100) and the reduction. */
export interface NllOptions extends ReductionOptions {
  /** A rescaling weight per class, shape [C]. */
  weight?: Tensor | null;
  /** Target value whose samples contribute nothing (default -100). */
  ignoreIndex?: number;
}

interface ClassTargets {
  classDim: number;
  /** Targets with ignored entries replaced by class 0 (so they index safely). */
  safe: Tensor;
  /** 1 where the sample counts, 0 where it is ignored, in the input's dtype; shaped like target. */
  valid: Tensor;
}

/** Checks class-index targets against input [C] / [N, C, d1, ...] and builds the index and mask. */
function classTargets(input: Tensor, target: Tensor, ignoreIndex: number, op: string): ClassTargets {
  assertTensor(input, `${op}: input`);
  assertTensor(target, `${op}: target`);
  assertFloat(input, `${op}: input`);
  if (target.dtype !== 'int32') {
    throw new TypeError(`${op}: class-index targets must be int32, got ${target.dtype}${target.dtype.startsWith('float') ? ' (float targets are class probabilities and must have the input\'s shape)' : ''}`);
  }
  if (input.ndim === 0) throw new RangeError(`${op}: input must have a class dimension, got a 0-d tensor`);
  const classDim = input.ndim === 1 ? 0 : 1;
  const expected = input.ndim === 1 ? [] : [input.shape[0]!, ...input.shape.slice(2)];
  if (!sameShape(target.shape, expected)) {
    throw new RangeError(`${op}: expected target of shape ${shapeStr(expected)} for input of shape ${shapeStr(input.shape)}, got ${shapeStr(target.shape)}`);
  }
  const C = input.shape[classDim]!;
  const t = toTypedArray(target) as Int32Array;
  const safe = new Int32Array(t.length);
  const valid = Tensor.empty(target.shape, input.dtype);
  const vb = valid.buffer;
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!;
    if (c === ignoreIndex) continue;
    if (c < 0 || c >= C) throw new RangeError(`${op}: target ${c} is out of bounds for ${C} classes (expected 0..${C - 1}${ignoreIndex < 0 || ignoreIndex >= C ? ` or ignoreIndex ${ignoreIndex}` : ''})`);
    safe[i] = c;
    vb[i] = 1;
  }
  return { classDim, safe: Tensor.fromBuffer(safe, target.shape, 'int32'), valid };
}

function checkWeight(weight: Tensor | null | undefined, C: number, input: Tensor, op: string): Tensor | null {
  if (weight === undefined || weight === null) return null;
  assertTensor(weight, `${op}: weight`);
  if (weight.ndim !== 1 || weight.shape[0] !== C) throw new RangeError(`${op}: weight must have shape [${C}] (one per class), got ${shapeStr(weight.shape)}`);
  return weight.dtype === input.dtype ? weight : weight.to(input.dtype);
}

/** Per-sample class weights (0 for ignored samples), shaped like the target. */
function sampleWeights(ct: ClassTargets, weight: Tensor | null): Tensor {
  if (weight === null) return ct.valid;
  return indexSelect(weight, 0, ct.safe.reshape(-1)).reshape(ct.safe.shape).mul(ct.valid);
}

/**
 * Negative log likelihood of log-probabilities `input` ([C], [N, C] or [N, C, d1, ...]) at int32
 * class `target`; 'mean' divides by the total weight of the counted samples, as PyTorch does.
 */
export function nllLoss(input: Tensor, target: Tensor, opts: NllOptions = {}): Tensor {
  const reduction = checkReduction(opts.reduction ?? 'mean', 'nllLoss');
  const ct = classTargets(input, target, opts.ignoreIndex ?? -100, 'nllLoss');
  const weight = checkWeight(opts.weight, input.shape[ct.classDim]!, input, 'nllLoss');
  const picked = gather(input, ct.classDim, ct.safe.unsqueeze(ct.classDim)).squeeze(ct.classDim);
  const w = sampleWeights(ct, weight);
  const loss = picked.mul(w).neg();
  if (reduction === 'none') return loss;
  if (reduction === 'sum') return loss.sum();
  return loss.sum().div(w.sum());
}

/** Options of `crossEntropy`: those of `nllLoss` plus `labelSmoothing`. */
export interface CrossEntropyOptions extends NllOptions {
  /** Mixes the target with the uniform distribution: (1 - s) * target + s / C (default 0). */
  labelSmoothing?: number;
}

/**
 * Cross entropy of unnormalised `input` logits ([C], [N, C] or [N, C, d1, ...]) against int32
 * class indices (shape without the class dim) or class probabilities (the input's shape), with
 * log-softmax computed stably (torch.nn.functional.cross_entropy).
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  assertTensor(input, 'crossEntropy: input');
  assertTensor(target, 'crossEntropy: target');
  assertFloat(input, 'crossEntropy: input');
  const reduction = checkReduction(opts.reduction ?? 'mean', 'crossEntropy');
  const eps = opts.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new RangeError(`crossEntropy: labelSmoothing must be in [0, 1], got ${eps}`);
  if (input.ndim === 0) throw new RangeError('crossEntropy: input must have a class dimension, got a 0-d tensor');
  const classDim = input.ndim === 1 ? 0 : 1;
  const C = input.shape[classDim]!;
  const weight = checkWeight(opts.weight, C, input, 'crossEntropy');
  if (weight === null && eps === 0 && input.ndim === 2 && target.dtype !== 'float32' && target.dtype !== 'float64') {
    // The usual case: one fused op (log-softmax and the pick in one pass, one graph node).
    classTargets(input, target, opts.ignoreIndex ?? -100, 'nllLoss'); // the checks and messages of nllLoss below
    return logSoftmaxNll(input, target, { ignoreIndex: opts.ignoreIndex ?? -100, reduction });
  }
  const logp = input.logSoftmax(classDim);
  const wShape = input.shape.map((_, i) => (i === classDim ? C : 1));

  if (target.dtype === 'float32' || target.dtype === 'float64') {
    if (!sameShape(target.shape, input.shape)) {
      throw new RangeError(`crossEntropy: probability targets must have the input's shape ${shapeStr(input.shape)}, got ${shapeStr(target.shape)}`);
    }
    let t = target.dtype === input.dtype ? target : target.to(input.dtype);
    if (eps > 0) t = t.mul(1 - eps).add(eps / C);
    let prod = logp.mul(t);
    if (weight !== null) prod = prod.mul(weight.reshape(wShape));
    const loss = prod.sum(classDim).neg();
    if (reduction === 'none') return loss;
    if (reduction === 'sum') return loss.sum();
    return loss.sum().div(input.numel() / C);
  }

  const nll = nllLoss(logp, target, { weight, ignoreIndex: opts.ignoreIndex ?? -100, reduction });
  if (eps === 0) return nll;
  // Smoothing term: -sum_c w_c logp_c per sample, zero for ignored samples (as PyTorch).
  const ct = classTargets(input, target, opts.ignoreIndex ?? -100, 'crossEntropy');
  const weighted = weight === null ? logp : logp.mul(weight.reshape(wShape));
  const smooth = weighted.sum(classDim).neg().mul(ct.valid);
  let smoothRed: Tensor;
  if (reduction === 'none') smoothRed = smooth;
  else if (reduction === 'sum') smoothRed = smooth.sum();
  else smoothRed = smooth.sum().div(sampleWeights(ct, weight).sum());
  return nll.mul(1 - eps).add(smoothRed.mul(eps / C));
}

/** Options of `binaryCrossEntropy`: per-element `weight` and the reduction. */
export interface BceOptions extends ReductionOptions {
  /** A rescaling weight broadcast to the input's shape. */
  weight?: Tensor | null;
}

function applyWeight(loss: Tensor, weight: Tensor | null | undefined, op: string): Tensor {
  if (weight === undefined || weight === null) return loss;
  assertTensor(weight, `${op}: weight`);
  return loss.mul(weight);
}

/** Binary cross entropy of probabilities in [0, 1]; logs are clamped at -100 as in PyTorch. */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts: BceOptions = {}): Tensor {
  checkPair(input, target, 'binaryCrossEntropy');
  const reduction = checkReduction(opts.reduction ?? 'mean', 'binaryCrossEntropy');
  const xs = toTypedArray(input);
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i]!;
    if (!(v >= 0 && v <= 1)) throw new RangeError(`binaryCrossEntropy: all elements of input should be between 0 and 1, found ${v}`);
  }
  const t = target.dtype === input.dtype ? target : target.to(input.dtype);
  const logX = log(input).clamp(-100);
  const log1mX = log(input.neg().add(1)).clamp(-100);
  const loss = t.mul(logX).add(t.neg().add(1).mul(log1mX)).neg();
  return reduce(applyWeight(loss, opts.weight, 'binaryCrossEntropy'), reduction);
}

/** Options of `binaryCrossEntropyWithLogits`: those of BCE plus `posWeight`. */
export interface BceWithLogitsOptions extends BceOptions {
  /** Weight of positive examples, broadcast along the last (class) dim. */
  posWeight?: Tensor | null;
}

/**
 * Sigmoid + binary cross entropy in one stable expression:
 * (1 - y) x + (1 + (posWeight - 1) y) softplus(-x).
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, opts: BceWithLogitsOptions = {}): Tensor {
  checkPair(input, target, 'binaryCrossEntropyWithLogits');
  const reduction = checkReduction(opts.reduction ?? 'mean', 'binaryCrossEntropyWithLogits');
  const t = target.dtype === input.dtype ? target : target.to(input.dtype);
  const sp = softplus(input.neg(), 1, Infinity);
  let logWeight: Tensor | number = 1;
  if (opts.posWeight !== undefined && opts.posWeight !== null) {
    assertTensor(opts.posWeight, 'binaryCrossEntropyWithLogits: posWeight');
    logWeight = opts.posWeight.sub(1).mul(t).add(1);
  }
  const loss = t.neg().add(1).mul(input).add(typeof logWeight === 'number' ? sp : sp.mul(logWeight));
  return reduce(applyWeight(loss, opts.weight, 'binaryCrossEntropyWithLogits'), reduction);
}

/** Options of `klDiv`: the reduction ('batchmean' gives the mathematical KL) and `logTarget`. */
export interface KlDivOptions {
  /** 'batchmean' divides the sum by the batch size (the mathematically correct KL). Default 'mean'. */
  reduction?: Reduction | 'batchmean';
  /** The target is given as log-probabilities. */
  logTarget?: boolean;
}

/** KL divergence with `input` as log-probabilities: sum target * (log target - input). */
export function klDiv(input: Tensor, target: Tensor, opts: KlDivOptions = {}): Tensor {
  checkPair(input, target, 'klDiv');
  const r = opts.reduction ?? 'mean';
  if (r !== 'batchmean') checkReduction(r, 'klDiv');
  let loss: Tensor;
  if (opts.logTarget) loss = exp(target).mul(target.sub(input));
  else {
    // target * log(target) is 0 where target is 0 (xlogy), never 0 * -Infinity.
    const pos = target.gt(0);
    const xlogx = where(pos, target.mul(log(where(pos, target, 1))), 0);
    loss = xlogx.sub(target.mul(input));
  }
  if (r === 'batchmean') return input.ndim === 0 ? loss.sum() : loss.sum().div(input.shape[0]!);
  return reduce(loss, r);
}
