import type { Tensor } from '@tsgrad/tensor';
import { ElementwiseOptimizer, type FloatBuffer, type ParamGroup, type ParamState, type ParamsInput, buf, zerosLikeParam } from './optimizer.js';
import { checkBool, checkInRange, checkNonNegative } from './validate.js';

/**
 * Hyperparameters of `Adadelta` (camelCase versions of torch.optim.Adadelta's); omitted ones take `ADADELTA_DEFAULTS`.
 */
export interface AdadeltaOptions {
  lr: number;
  rho: number;
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

/** torch.optim.Adadelta's defaults. */
export const ADADELTA_DEFAULTS: AdadeltaOptions = { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false };

/**
 * One Adadelta update (torch.optim.Adadelta):
 *   g = ±grad + wd·p;   v = ρ·v + (1 − ρ)·g²;   Δ = √(u + eps) / √(v + eps) · g
 *   u = ρ·u + (1 − ρ)·Δ²;   p −= lr·Δ
 */
export function adadeltaUpdate(
  param: FloatBuffer, po: number, grad: FloatBuffer, go: number, n: number,
  squareAvg: FloatBuffer, accDelta: FloatBuffer, h: AdadeltaOptions,
): void {
  const { lr, rho, eps, weightDecay } = h;
  const sign = h.maximize ? -1 : 1;
  for (let i = 0; i < n; i++) {
    const p = param[po + i]!;
    const g = sign * grad[go + i]! + weightDecay * p;
    squareAvg[i] = rho * squareAvg[i]! + (1 - rho) * g * g;
    const delta = (Math.sqrt(accDelta[i]! + eps) / Math.sqrt(squareAvg[i]! + eps)) * g;
    accDelta[i] = rho * accDelta[i]! + (1 - rho) * delta * delta;
    param[po + i] = p - lr * delta;
  }
}

/** Adadelta (Zeiler): learning rates from running averages of squared gradients and updates. */
export class Adadelta extends ElementwiseOptimizer<AdadeltaOptions> {
  constructor(params: ParamsInput<AdadeltaOptions>, options: Partial<AdadeltaOptions> = {}) {
    super(params, { ...ADADELTA_DEFAULTS, ...options });
  }

  protected validateHyper(h: AdadeltaOptions, where: string): void {
    checkNonNegative(h.lr, `${where}: lr`);
    checkInRange(h.rho, `${where}: rho`, 0, 1, true);
    checkNonNegative(h.eps, `${where}: eps`);
    checkNonNegative(h.weightDecay, `${where}: weightDecay`);
    checkBool(h.maximize, `${where}: maximize`);
  }

  protected initState(p: Tensor): ParamState {
    return { step: 0, squareAvg: zerosLikeParam(p), accDelta: zerosLikeParam(p) };
  }

  protected updateParam(group: ParamGroup<AdadeltaOptions>, state: ParamState, _p: Tensor, param: FloatBuffer, po: number, grad: FloatBuffer, go: number, n: number): void {
    state.step = (state.step as number) + 1;
    adadeltaUpdate(param, po, grad, go, n, buf(state, 'squareAvg'), buf(state, 'accDelta'), group);
  }
}
