import type { Tensor } from '@tsgrad/tensor';
import { ElementwiseOptimizer, type FloatBuffer, type ParamGroup, type ParamState, type ParamsInput, buf, zerosLikeParam } from './optimizer.js';
import { checkBetas, checkBool, checkNonNegative } from './validate.js';

/**
 * Hyperparameters of `RAdam` (camelCase versions of torch.optim.RAdam's); omitted ones take `RADAM_DEFAULTS`.
 */
export interface RAdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  decoupledWeightDecay: boolean;
  maximize: boolean;
}

/** torch.optim.RAdam's defaults. */
export const RADAM_DEFAULTS: RAdamOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, decoupledWeightDecay: false, maximize: false };

/**
 * One RAdam update (torch.optim.RAdam, step `t` already incremented):
 *   decoupled: p ·= 1 − lr·wd   else g = ±grad + wd·p
 *   m = β1·m + (1 − β1)·g;   v = β2·v + (1 − β2)·g²;   m̂ = m/(1 − β1ᵗ)
 *   ρ∞ = 2/(1 − β2) − 1;   ρₜ = ρ∞ − 2t·β2ᵗ/(1 − β2ᵗ)
 *   ρₜ > 5: r = √((ρₜ−4)(ρₜ−2)ρ∞ / ((ρ∞−4)(ρ∞−2)ρₜ)),  p −= lr·m̂·r·√(1 − β2ᵗ)/(√v + eps)
 *   else:   p −= lr·m̂
 */
export function radamUpdate(
  param: FloatBuffer, po: number, grad: FloatBuffer, go: number, n: number,
  expAvg: FloatBuffer, expAvgSq: FloatBuffer, step: number, h: RAdamOptions,
): void {
  const { lr, eps, weightDecay } = h;
  const [beta1, beta2] = h.betas;
  const sign = h.maximize ? -1 : 1;
  const decay = h.decoupledWeightDecay ? 1 - lr * weightDecay : 1;
  const l2 = h.decoupledWeightDecay ? 0 : weightDecay;
  const bc1 = 1 - beta1 ** step;
  const bc2 = 1 - beta2 ** step;
  const rhoInf = 2 / (1 - beta2) - 1;
  const rhoT = rhoInf - (2 * step * beta2 ** step) / bc2;
  const rectified = rhoT > 5;
  const rect = rectified ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
  const bc2Sqrt = Math.sqrt(bc2);
  for (let i = 0; i < n; i++) {
    const p = param[po + i]! * decay;
    const g = sign * grad[go + i]! + l2 * p;
    expAvg[i] = beta1 * expAvg[i]! + (1 - beta1) * g;
    expAvgSq[i] = beta2 * expAvgSq[i]! + (1 - beta2) * g * g;
    const mHat = expAvg[i]! / bc1;
    param[po + i] = rectified ? p - (mHat * lr * rect * bc2Sqrt) / (Math.sqrt(expAvgSq[i]!) + eps) : p - mHat * lr;
  }
}

/** RAdam (Liu et al.): Adam with the variance of the adaptive learning rate rectified. */
export class RAdam extends ElementwiseOptimizer<RAdamOptions> {
  constructor(params: ParamsInput<RAdamOptions>, options: Partial<RAdamOptions> = {}) {
    super(params, { ...RADAM_DEFAULTS, ...options });
  }

  protected validateHyper(h: RAdamOptions, where: string): void {
    checkNonNegative(h.lr, `${where}: lr`);
    checkBetas(h.betas, `${where}: betas`);
    checkNonNegative(h.eps, `${where}: eps`);
    checkNonNegative(h.weightDecay, `${where}: weightDecay`);
    checkBool(h.decoupledWeightDecay, `${where}: decoupledWeightDecay`);
    checkBool(h.maximize, `${where}: maximize`);
  }

  protected initState(p: Tensor): ParamState {
    return { step: 0, expAvg: zerosLikeParam(p), expAvgSq: zerosLikeParam(p) };
  }

  protected updateParam(group: ParamGroup<RAdamOptions>, state: ParamState, _p: Tensor, param: FloatBuffer, po: number, grad: FloatBuffer, go: number, n: number): void {
    const step = (state.step as number) + 1;
    state.step = step;
    radamUpdate(param, po, grad, go, n, buf(state, 'expAvg'), buf(state, 'expAvgSq'), step, group);
  }
}
