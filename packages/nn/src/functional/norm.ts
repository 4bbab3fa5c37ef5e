import { Tensor, indexSelect, where, toTypedArray } from '@tsgrad/tensor';
import { withoutGrad } from '../grad-mode.js';
import { assertFloat, assertTensor, shapeStr } from './util.js';

/** Normalisation layers and embedding lookup (torch.nn.functional). */

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Use batch statistics (and update the running ones) instead of the running statistics. */
  training?: boolean;
  /** Running average factor (default 0.1): running = (1 - momentum) running + momentum batch. */
  momentum?: number;
  eps?: number;
}

/** x [N, C, ...] reshaped for broadcasting a per-channel [C] vector. */
function channelShape(x: Tensor): number[] {
  return x.shape.map((d, i) => (i === 1 ? d : 1));
}

/**
 * Batch normalisation over [N, C] or [N, C, ...]: per channel, (x - mean) / sqrt(var + eps) * weight
 * + bias. In training the batch's mean and biased variance are used, and the running statistics
 * (when given) are updated in place with the unbiased variance, as PyTorch does.
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, opts: BatchNormOptions = {}): Tensor {
  assertTensor(x, 'batchNorm: input');
  assertFloat(x, 'batchNorm: input');
  if (x.ndim < 2) throw new RangeError(`batchNorm: expected an input of at least 2 dims [N, C, ...], got shape ${shapeStr(x.shape)}`);
  const C = x.shape[1]!;
  const training = opts.training ?? false;
  const eps = opts.eps ?? 1e-5;
  const momentum = opts.momentum ?? 0.1;
  for (const [t, what] of [[runningMean, 'runningMean'], [runningVar, 'runningVar'], [opts.weight ?? null, 'weight'], [opts.bias ?? null, 'bias']] as const) {
    if (t !== null && (t.ndim !== 1 || t.shape[0] !== C)) throw new RangeError(`batchNorm: ${what} must have shape [${C}] for input ${shapeStr(x.shape)}, got ${shapeStr(t.shape)}`);
  }
  const cs = channelShape(x);
  const dims = x.shape.map((_, i) => i).filter((i) => i !== 1);
  let mean: Tensor;
  let variance: Tensor;
  if (training) {
    const count = x.numel() / C;
    if (count <= 1) throw new RangeError(`batchNorm: expected more than 1 value per channel when training, got input of shape ${shapeStr(x.shape)}`);
    mean = x.mean(dims, true);
    const centered = x.sub(mean);
    variance = centered.mul(centered).mean(dims, true);
    if (runningMean !== null && runningVar !== null) {
      const m = mean.detach().reshape(C);
      const unbiased = variance.detach().reshape(C).mul(count / (count - 1));
      withoutGrad(() => {
        runningMean.mul_(1 - momentum).add_(m.to(runningMean.dtype).mul(momentum));
        runningVar.mul_(1 - momentum).add_(unbiased.to(runningVar.dtype).mul(momentum));
      });
    }
  } else {
    if (runningMean === null || runningVar === null) throw new RangeError('batchNorm: running statistics are required when training is false');
    mean = runningMean.reshape(cs);
    variance = runningVar.reshape(cs);
  }
  let y = x.sub(mean).mul(variance.add(eps).rsqrt());
  if (opts.weight) y = y.mul(opts.weight.reshape(cs));
  if (opts.bias) y = y.add(opts.bias.reshape(cs));
  return y;
}

/** Options of `layerNorm`: `weight`, `bias` and `eps`. */
export interface LayerNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  eps?: number;
}

/** Normalises over the trailing dims `normalizedShape` (torch.nn.functional.layer_norm). */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], opts: LayerNormOptions = {}): Tensor {
  assertTensor(x, 'layerNorm: input');
  assertFloat(x, 'layerNorm: input');
  const ns = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape.slice();
  const k = ns.length;
  if (k === 0 || k > x.ndim || ns.some((d, i) => d !== x.shape[x.ndim - k + i])) {
    throw new RangeError(`layerNorm: input shape ${shapeStr(x.shape)} does not end in normalizedShape ${shapeStr(ns)}`);
  }
  const dims = ns.map((_, i) => x.ndim - k + i);
  const mean = x.mean(dims, true);
  const centered = x.sub(mean);
  const variance = centered.mul(centered).mean(dims, true);
  let y = centered.mul(variance.add(opts.eps ?? 1e-5).rsqrt());
  if (opts.weight) y = y.mul(opts.weight);
  if (opts.bias) y = y.add(opts.bias);
  return y;
}

/** Normalises [N, C, ...] over groups of C / numGroups channels (torch.nn.functional.group_norm). */
export function groupNorm(x: Tensor, numGroups: number, opts: LayerNormOptions = {}): Tensor {
  assertTensor(x, 'groupNorm: input');
  assertFloat(x, 'groupNorm: input');
  if (x.ndim < 2) throw new RangeError(`groupNorm: expected an input of at least 2 dims [N, C, ...], got shape ${shapeStr(x.shape)}`);
  const [N, C] = x.shape as [number, number];
  if (!Number.isInteger(numGroups) || numGroups < 1 || C % numGroups !== 0) {
    throw new RangeError(`groupNorm: numGroups ${numGroups} must be a positive divisor of the ${C} channels of input ${shapeStr(x.shape)}`);
  }
  const g = x.reshape(N, numGroups, -1);
  const mean = g.mean(2, true);
  const centered = g.sub(mean);
  const variance = centered.mul(centered).mean(2, true);
  let y = centered.mul(variance.add(opts.eps ?? 1e-5).rsqrt()).reshape(x.shape);
  const cs = channelShape(x);
  if (opts.weight) y = y.mul(opts.weight.reshape(cs));
  if (opts.bias) y = y.add(opts.bias.reshape(cs));
  return y;
}

/** x / max(||x||_p, eps) along `dim` (torch.nn.functional.normalize). */
export function normalize(x: Tensor, p = 2, dim = 1, eps = 1e-12): Tensor {
  assertTensor(x, 'normalize: input');
  assertFloat(x, 'normalize: input');
  return x.div(x.norm(p, dim, true).clamp(eps));
}

/** Options of `embedding`: `paddingIdx` (its row gets no gradient). */
export interface EmbeddingOptions {
  /** Rows at this index get no gradient (PyTorch's padding_idx). */
  paddingIdx?: number | null;
}

/** Rows of `weight` [numEmbeddings, dim] at int32 `input` indices: output [...input.shape, dim]. */
export function embedding(input: Tensor, weight: Tensor, opts: EmbeddingOptions = {}): Tensor {
  assertTensor(input, 'embedding: input');
  assertTensor(weight, 'embedding: weight');
  if (input.dtype !== 'int32') throw new TypeError(`embedding: indices must be int32, got ${input.dtype}`);
  if (weight.ndim !== 2) throw new RangeError(`embedding: weight must be 2-D [numEmbeddings, embeddingDim], got shape ${shapeStr(weight.shape)}`);
  const V = weight.shape[0]!;
  const flatIdx = input.reshape(-1);
  const idx = toTypedArray(flatIdx);
  for (let i = 0; i < idx.length; i++) {
    const v = idx[i]!;
    if (v < 0 || v >= V) throw new RangeError(`embedding: index ${v} is out of range for ${V} embeddings (expected 0..${V - 1})`);
  }
  let rows = indexSelect(weight, 0, flatIdx);
  let pad = opts.paddingIdx ?? null;
  if (pad !== null) {
    if (pad < 0) pad += V;
    if (!Number.isInteger(pad) || pad < 0 || pad >= V) throw new RangeError(`embedding: paddingIdx ${opts.paddingIdx} is out of range for ${V} embeddings`);
    // Same values, but rows at paddingIdx come from the detached weight, so they get no gradient.
    const keep = flatIdx.ne(pad).unsqueeze(1);
    rows = where(keep, rows, indexSelect(weight.detach(), 0, flatIdx));
  }
  return rows.reshape([...input.shape, weight.shape[1]!]);
}
