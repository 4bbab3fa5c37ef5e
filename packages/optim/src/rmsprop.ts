import type { Tensor } from '@tsgrad/tensor';
import { ElementwiseOptimizer, type FloatBuffer, type ParamGroup, type ParamState, type ParamsInput, buf, zerosLikeParam } from './optimizer.js';
import { checkBool, checkNonNegative } from './validate.js';

/**
 * Hyperparameters of `RMSprop` (camelCase versions of torch.optim.RMSprop's); omitted ones take `RMSPROP_DEFAULTS`.
 */
export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

/** torch.optim.RMSprop's defaults. */
export const RMSPROP_DEFAULTS: RMSpropOptions = { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false };

/**
 * One RMSprop update (torch.optim.RMSprop):
 *   g = ±grad + wd·p;   v = α·v + (1 − α)·g²
 *   centered: ḡ = α·ḡ + (1 − α)·g,  a = √(v − ḡ²) + eps   else a = √v + eps
 *   momentum > 0: b = μ·b + g/a, p −= lr·b      else p −= lr·g/a
 */
export function rmspropUpdate(
  param: FloatBuffer, po: number, grad: FloatBuffer, go: number, n: number,
  squareAvg: FloatBuffer, gradAvg: FloatBuffer | null, momentumBuffer: FloatBuffer | null, h: RMSpropOptions,
): void {
  const { lr, alpha, eps, weightDecay, momentum } = h;
  const sign = h.maximize ? -1 : 1;
  for (let i = 0; i < n; i++) {
    const p = param[po + i]!;
    const g = sign * grad[go + i]! + weightDecay * p;
    squareAvg[i] = alpha * squareAvg[i]! + (1 - alpha) * g * g;
    let avg: number;
    if (gradAvg !== null) {
      gradAvg[i] = alpha * gradAvg[i]! + (1 - alpha) * g;
      const ga = gradAvg[i]!;
      avg = Math.sqrt(squareAvg[i]! - ga * ga) + eps;
    } else {
      avg = Math.sqrt(squareAvg[i]!) + eps;
    }
    if (momentumBuffer !== null) {
      momentumBuffer[i] = momentum * momentumBuffer[i]! + g / avg;
      param[po + i] = p - lr * momentumBuffer[i]!;
    } else {
      param[po + i] = p - lr * g / avg;
    }
  }
}

/** RMSprop (Hinton), optionally centered and with momentum. */
export class RMSprop extends ElementwiseOptimizer<RMSpropOptions> {
  constructor(params: ParamsInput<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super(params, { ...RMSPROP_DEFAULTS, ...options });
  }

  protected validateHyper(h: RMSpropOptions, where: string): void {
    checkNonNegative(h.lr, `${where}: lr`);
    checkNonNegative(h.alpha, `${where}: alpha`);
    checkNonNegative(h.eps, `${where}: eps`);
    checkNonNegative(h.weightDecay, `${where}: weightDecay`);
    checkNonNegative(h.momentum, `${where}: momentum`);
    checkBool(h.centered, `${where}: centered`);
    checkBool(h.maximize, `${where}: maximize`);
  }

  protected initState(p: Tensor, group: ParamGroup<RMSpropOptions>): ParamState {
    const st: ParamState = { step: 0, squareAvg: zerosLikeParam(p) };
    if (group.momentum > 0) st.momentumBuffer = zerosLikeParam(p);
    if (group.centered) st.gradAvg = zerosLikeParam(p);
    return st;
  }

  protected updateParam(group: ParamGroup<RMSpropOptions>, state: ParamState, p: Tensor, param: FloatBuffer, po: number, grad: FloatBuffer, go: number, n: number): void {
    state.step = (state.step as number) + 1;
    if (group.momentum > 0 && state.momentumBuffer === undefined) state.momentumBuffer = zerosLikeParam(p);
    if (group.centered && state.gradAvg === undefined) state.gradAvg = zerosLikeParam(p);
    rmspropUpdate(param, po, grad, go, n, buf(state, 'squareAvg'), group.centered ? buf(state, 'gradAvg') : null,
      group.momentum > 0 ? buf(state, 'momentumBuffer') : null, group);
  }
}
