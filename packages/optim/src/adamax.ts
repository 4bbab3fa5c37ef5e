import type { Tensor } from '@tsgrad/tensor';
import { ElementwiseOptimizer, type FloatBuffer, type ParamGroup, type ParamState, type ParamsInput, buf, zerosLikeParam } from './optimizer.js';
import { checkBetas, checkBool, checkNonNegative } from './validate.js';

/**
 * Hyperparameters of `Adamax` (camelCase versions of torch.optim.Adamax's); omitted ones take `ADAMAX_DEFAULTS`.
 */
export interface AdamaxOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

/** torch.optim.Adamax's defaults. */
export const ADAMAX_DEFAULTS: AdamaxOptions = { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false };

/**
 * One Adamax update (torch.optim.Adamax, step `t` already incremented):
 *   g = ±grad + wd·p;   m = β1·m + (1 − β1)·g;   u = max(β2·u, |g| + eps)
 *   p −= lr/(1 − β1ᵗ) · m/u
 */
export function adamaxUpdate(
  param: FloatBuffer, po: number, grad: FloatBuffer, go: number, n: number,
  expAvg: FloatBuffer, expInf: FloatBuffer, step: number, h: AdamaxOptions,
): void {
  const { eps, weightDecay } = h;
  const [beta1, beta2] = h.betas;
  const sign = h.maximize ? -1 : 1;
  const clr = h.lr / (1 - beta1 ** step);
  for (let i = 0; i < n; i++) {
    const p = param[po + i]!;
    const g = sign * grad[go + i]! + weightDecay * p;
    expAvg[i] = beta1 * expAvg[i]! + (1 - beta1) * g;
    expInf[i] = Math.max(beta2 * expInf[i]!, Math.abs(g) + eps);
    param[po + i] = p - clr * expAvg[i]! / expInf[i]!;
  }
}

/** Adamax (Kingma & Ba): Adam with the infinity norm. */
export class Adamax extends ElementwiseOptimizer<AdamaxOptions> {
  constructor(params: ParamsInput<AdamaxOptions>, options: Partial<AdamaxOptions> = {}) {
    super(params, { ...ADAMAX_DEFAULTS, ...options });
  }

  protected validateHyper(h: AdamaxOptions, where: string): void {
    checkNonNegative(h.lr, `${where}: lr`);
    checkBetas(h.betas, `${where}: betas`);
    checkNonNegative(h.eps, `${where}: eps`);
    checkNonNegative(h.weightDecay, `${where}: weightDecay`);
    checkBool(h.maximize, `${where}: maximize`);
  }

  protected initState(p: Tensor): ParamState {
    return { step: 0, expAvg: zerosLikeParam(p), expInf: zerosLikeParam(p) };
  }

  protected updateParam(group: ParamGroup<AdamaxOptions>, state: ParamState, _p: Tensor, param: FloatBuffer, po: number, grad: FloatBuffer, go: number, n: number): void {
    const step = (state.step as number) + 1;
    state.step = step;
    adamaxUpdate(param, po, grad, go, n, buf(state, 'expAvg'), buf(state, 'expInf'), step, group);
  }
}
