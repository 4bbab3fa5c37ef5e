import { Tensor, stack } from '@tsgrad/tensor';
import { withoutGrad } from '../grad-mode.js';

function gradsOf(parameters: Iterable<Tensor> | Tensor, op: string): Tensor[] {
  const list = parameters instanceof Tensor ? [parameters] : [...parameters];
  list.forEach((p, i) => { if (!(p instanceof Tensor)) throw new TypeError(`${op}: parameters[${i}] is not a Tensor`); });
  return list.filter((p) => p.grad !== null).map((p) => p.grad!);
}

/**
 * Scales all gradients together so their combined `normType`-norm is at most `maxNorm`
 * (torch.nn.utils.clip_grad_norm_). Returns the total norm before clipping, as a 0-d tensor.
 */
export function clipGradNorm_(parameters: Iterable<Tensor> | Tensor, maxNorm: number, normType = 2, opts: { errorIfNonfinite?: boolean } = {}): Tensor {
  if (!(maxNorm >= 0)) throw new RangeError(`clipGradNorm_: maxNorm must be non-negative, got ${maxNorm}`);
  if (!(normType > 0)) throw new RangeError(`clipGradNorm_: normType must be positive (or Infinity), got ${normType}`);
  const grads = gradsOf(parameters, 'clipGradNorm_');
  return withoutGrad(() => {
    if (grads.length === 0) return Tensor.empty([], 'float32');
    const norms = grads.map((g) => (normType === Infinity ? g.abs().amax() : g.norm(normType)).to('float64'));
    const total = normType === Infinity ? stack(norms).amax() : stack(norms).norm(normType);
    const t = total.item();
    if (opts.errorIfNonfinite && !Number.isFinite(t)) {
      throw new Error(`clipGradNorm_: the total norm of order ${normType} of the gradients is non-finite (${t}), so it cannot be clipped`);
    }
    const coef = maxNorm / (t + 1e-6);
    if (coef < 1) for (const g of grads) g.mul_(coef);
    return total.to(grads[0]!.dtype);
  });
}

/** Clamps every gradient element into [-clipValue, clipValue] (torch.nn.utils.clip_grad_value_). */
export function clipGradValue_(parameters: Iterable<Tensor> | Tensor, clipValue: number): void {
  if (!(clipValue >= 0)) throw new RangeError(`clipGradValue_: clipValue must be non-negative, got ${clipValue}`);
  const grads = gradsOf(parameters, 'clipGradValue_');
  withoutGrad(() => { for (const g of grads) g.clamp_(-clipValue, clipValue); });
}
