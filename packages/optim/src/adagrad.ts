import type { Tensor } from '@tsgrad/tensor';
import { ElementwiseOptimizer, type FloatBuffer, type ParamGroup, type ParamState, type ParamsInput, buf, zerosLikeParam } from './optimizer.js';
import { checkBool, checkNonNegative } from './validate.js';

/**
 * Hyperparameters of `Adagrad` (camelCase versions of torch.optim.Adagrad's); omitted ones take `ADAGRAD_DEFAULTS`.
 */
export interface AdagradOptions {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

/** torch.optim.Adagrad's defaults. */
export const ADAGRAD_DEFAULTS: AdagradOptions = { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false };

/**
 * One Adagrad update (torch.optim.Adagrad, step `t` already incremented):
 *   g = ±grad + wd·p;   clr = lr / (1 + (t − 1)·lrDecay);   s += g²;   p −= clr·g / (√s + eps)
 */
export function adagradUpdate(
  param: FloatBuffer, po: number, grad: FloatBuffer, go: number, n: number,
  stateSum: FloatBuffer, step: number, h: AdagradOptions,
): void {
  const { eps, weightDecay } = h;
  const clr = h.lr / (1 + (step - 1) * h.lrDecay);
  const sign = h.maximize ? -1 : 1;
  for (let i = 0; i < n; i++) {
    const p = param[po + i]!;
    const g = sign * grad[go + i]! + weightDecay * p;
    stateSum[i] = stateSum[i]! + g * g;
    param[po + i] = p - clr * g / (Math.sqrt(stateSum[i]!) + eps);
  }
}

/** Adagrad (Duchi et al.): per-coordinate learning rates from the sum of squared gradients. */
export class Adagrad extends ElementwiseOptimizer<AdagradOptions> {
  constructor(params: ParamsInput<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    super(params, { ...ADAGRAD_DEFAULTS, ...options });
    // As torch, the accumulators exist from construction (they start at initialAccumulatorValue).
    for (const group of this.paramGroups) for (const p of group.params) this.stateOf(p, group);
  }

  protected validateHyper(h: AdagradOptions, where: string): void {
    checkNonNegative(h.lr, `${where}: lr`);
    checkNonNegative(h.lrDecay, `${where}: lrDecay`);
    checkNonNegative(h.weightDecay, `${where}: weightDecay`);
    checkNonNegative(h.initialAccumulatorValue, `${where}: initialAccumulatorValue`);
    checkNonNegative(h.eps, `${where}: eps`);
    checkBool(h.maximize, `${where}: maximize`);
  }

  protected initState(p: Tensor, group: ParamGroup<AdagradOptions>): ParamState {
    const sum = zerosLikeParam(p);
    sum.storage.data.fill(group.initialAccumulatorValue);
    return { step: 0, sum };
  }

  protected updateParam(group: ParamGroup<AdagradOptions>, state: ParamState, _p: Tensor, param: FloatBuffer, po: number, grad: FloatBuffer, go: number, n: number): void {
    const step = (state.step as number) + 1;
    state.step = step;
    adagradUpdate(param, po, grad, go, n, buf(state, 'sum'), step, group);
  }
}
