import type { Tensor } from '@tsgrad/tensor';
import { ElementwiseOptimizer, type FloatBuffer, type ParamGroup, type ParamState, type ParamsInput, buf, zerosLikeParam } from './optimizer.js';
import { checkBetas, checkBool, checkNonNegative } from './validate.js';

/**
 * Hyperparameters of `NAdam` (camelCase versions of torch.optim.NAdam's); omitted ones take `NADAM_DEFAULTS`.
 */
export interface NAdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  momentumDecay: number;
  decoupledWeightDecay: boolean;
  maximize: boolean;
}

/** torch.optim.NAdam's defaults. */
export const NADAM_DEFAULTS: NAdamOptions = { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3, decoupledWeightDecay: false, maximize: false };

/** NAdam's momentum schedule μₜ = β1·(1 − ½·0.96^(t·ψ)). */
export function nadamMu(beta1: number, step: number, momentumDecay: number): number {
  return beta1 * (1 - 0.5 * 0.96 ** (step * momentumDecay));
}

/**
 * One NAdam update (torch.optim.NAdam, step `t` already incremented; `muProduct` = ∏ₖ≤ₜ μₖ):
 *   decoupled: p ·= 1 − lr·wd   else g = ±grad + wd·p
 *   m = β1·m + (1 − β1)·g;   v = β2·v + (1 − β2)·g²;   d = √(v/(1 − β2ᵗ)) + eps
 *   p −= lr·(1 − μₜ)/(1 − ∏μ)·g/d + lr·μₜ₊₁/(1 − ∏μ·μₜ₊₁)·m/d
 */
export function nadamUpdate(
  param: FloatBuffer, po: number, grad: FloatBuffer, go: number, n: number,
  expAvg: FloatBuffer, expAvgSq: FloatBuffer, step: number, muProduct: number, h: NAdamOptions,
): void {
  const { lr, eps, weightDecay, momentumDecay } = h;
  const [beta1, beta2] = h.betas;
  const sign = h.maximize ? -1 : 1;
  const decay = h.decoupledWeightDecay ? 1 - lr * weightDecay : 1;
  const l2 = h.decoupledWeightDecay ? 0 : weightDecay;
  const bc2 = 1 - beta2 ** step;
  const mu = nadamMu(beta1, step, momentumDecay);
  const muNext = nadamMu(beta1, step + 1, momentumDecay);
  const gradCoef = (lr * (1 - mu)) / (1 - muProduct);
  const avgCoef = (lr * muNext) / (1 - muProduct * muNext);
  for (let i = 0; i < n; i++) {
    const p = param[po + i]! * decay;
    const g = sign * grad[go + i]! + l2 * p;
    expAvg[i] = beta1 * expAvg[i]! + (1 - beta1) * g;
    expAvgSq[i] = beta2 * expAvgSq[i]! + (1 - beta2) * g * g;
    const denom = Math.sqrt(expAvgSq[i]! / bc2) + eps;
    param[po + i] = p - (gradCoef * g) / denom - (avgCoef * expAvg[i]!) / denom;
  }
}

/** NAdam (Dozat): Adam with Nesterov momentum and a momentum-decay schedule. */
export class NAdam extends ElementwiseOptimizer<NAdamOptions> {
  constructor(params: ParamsInput<NAdamOptions>, options: Partial<NAdamOptions> = {}) {
    super(params, { ...NADAM_DEFAULTS, ...options });
  }

  protected validateHyper(h: NAdamOptions, where: string): void {
    checkNonNegative(h.lr, `${where}: lr`);
    checkBetas(h.betas, `${where}: betas`);
    checkNonNegative(h.eps, `${where}: eps`);
    checkNonNegative(h.weightDecay, `${where}: weightDecay`);
    checkNonNegative(h.momentumDecay, `${where}: momentumDecay`);
    checkBool(h.decoupledWeightDecay, `${where}: decoupledWeightDecay`);
    checkBool(h.maximize, `${where}: maximize`);
  }

  protected initState(p: Tensor): ParamState {
    return { step: 0, muProduct: 1, expAvg: zerosLikeParam(p), expAvgSq: zerosLikeParam(p) };
  }

  protected updateParam(group: ParamGroup<NAdamOptions>, state: ParamState, _p: Tensor, param: FloatBuffer, po: number, grad: FloatBuffer, go: number, n: number): void {
    const step = (state.step as number) + 1;
    const muProduct = (state.muProduct as number) * nadamMu(group.betas[0], step, group.momentumDecay);
    state.step = step;
    state.muProduct = muProduct;
    nadamUpdate(param, po, grad, go, n, buf(state, 'expAvg'), buf(state, 'expAvgSq'), step, muProduct, group);
  }
}
