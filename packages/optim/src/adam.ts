import { type Tensor, getBackend } from '@tsgrad/tensor';
import { ElementwiseOptimizer, type FloatBuffer, type ParamGroup, type ParamState, type ParamsInput, buf, flatView, zerosLikeParam } from './optimizer.js';
import { checkBetas, checkBool, checkNonNegative } from './validate.js';

/**
 * Hyperparameters of `Adam` (camelCase versions of torch.optim.Adam's); omitted ones take `ADAM_DEFAULTS`.
 * @example
 * ```ts
 * new Adam(model.parameters(), { lr: 1e-3, betas: [0.9, 0.999] });
 * ```
 */
export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
  /** Weight decay applied to the parameter directly (AdamW) instead of added to the gradient. */
  decoupledWeightDecay: boolean;
}

/** torch.optim.Adam's defaults. */
export const ADAM_DEFAULTS: AdamOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, decoupledWeightDecay: false };

/**
 * One Adam/AdamW update (torch.optim.Adam, step `t` already incremented):
 *   decoupled: p ·= 1 − lr·wd      else: g = ±grad + wd·p
 *   m = β1·m + (1 − β1)·g;   v = β2·v + (1 − β2)·g²;   amsgrad: v̂max = max(v̂max, v)
 *   p −= lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + eps)
 */
export function adamUpdate(
  param: FloatBuffer, po: number, grad: FloatBuffer, go: number, n: number,
  expAvg: FloatBuffer, expAvgSq: FloatBuffer, maxExpAvgSq: FloatBuffer | null, step: number, h: AdamOptions,
): void {
  const { lr, eps, weightDecay } = h;
  const [beta1, beta2] = h.betas;
  const sign = h.maximize ? -1 : 1;
  const decay = h.decoupledWeightDecay ? 1 - lr * weightDecay : 1;
  const l2 = h.decoupledWeightDecay ? 0 : weightDecay;
  const stepSize = lr / (1 - beta1 ** step);
  const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
  if (decay === 1 && l2 === 0 && sign === 1 && maxExpAvgSq === null) {
    adamPlainLoop(param, po, grad, go, n, expAvg, expAvgSq, beta1, beta2, 1 - beta1, 1 - beta2, stepSize, bc2Sqrt, eps);
    return;
  }
  for (let i = 0; i < n; i++) {
    const p = param[po + i]! * decay;
    const g = sign * grad[go + i]! + l2 * p;
    expAvg[i] = beta1 * expAvg[i]! + (1 - beta1) * g;
    expAvgSq[i] = beta2 * expAvgSq[i]! + (1 - beta2) * g * g;
    let v = expAvgSq[i]!;
    if (maxExpAvgSq !== null) {
      if (v > maxExpAvgSq[i]! || Number.isNaN(v)) maxExpAvgSq[i] = v;
      v = maxExpAvgSq[i]!;
    }
    param[po + i] = p - stepSize * expAvg[i]! / (Math.sqrt(v) / bc2Sqrt + eps);
  }
}

/** Adam's common case (no weight decay, no AMSGrad), run by the backend's fused `adam` kernel: the same bits as the general loop above. */
function adamPlainLoop(
  param: FloatBuffer, po: number, grad: FloatBuffer, go: number, n: number, expAvg: FloatBuffer, expAvgSq: FloatBuffer,
  beta1: number, beta2: number, oneMinusBeta1: number, oneMinusBeta2: number, stepSize: number, bc2Sqrt: number, eps: number,
): void {
  getBackend().adam(flatView(param, po, n), flatView(grad, go, n), flatView(expAvg, 0, n), flatView(expAvgSq, 0, n),
    { beta1, beta2, oneMinusBeta1, oneMinusBeta2, stepSize, bc2Sqrt, eps });
}

/** Adam (Kingma & Ba), with optional AMSGrad and L2 weight decay. */
export class Adam extends ElementwiseOptimizer<AdamOptions> {
  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, { ...ADAM_DEFAULTS, ...options });
  }

  protected validateHyper(h: AdamOptions, where: string): void {
    checkNonNegative(h.lr, `${where}: lr`);
    checkBetas(h.betas, `${where}: betas`);
    checkNonNegative(h.eps, `${where}: eps`);
    checkNonNegative(h.weightDecay, `${where}: weightDecay`);
    checkBool(h.amsgrad, `${where}: amsgrad`);
    checkBool(h.maximize, `${where}: maximize`);
    checkBool(h.decoupledWeightDecay, `${where}: decoupledWeightDecay`);
  }

  protected initState(p: Tensor, group: ParamGroup<AdamOptions>): ParamState {
    const st: ParamState = { step: 0, expAvg: zerosLikeParam(p), expAvgSq: zerosLikeParam(p) };
    if (group.amsgrad) st.maxExpAvgSq = zerosLikeParam(p);
    return st;
  }

  protected updateParam(group: ParamGroup<AdamOptions>, state: ParamState, p: Tensor, param: FloatBuffer, po: number, grad: FloatBuffer, go: number, n: number): void {
    const step = (state.step as number) + 1;
    state.step = step;
    if (group.amsgrad && state.maxExpAvgSq === undefined) state.maxExpAvgSq = zerosLikeParam(p);
    adamUpdate(param, po, grad, go, n, buf(state, 'expAvg'), buf(state, 'expAvgSq'), group.amsgrad ? buf(state, 'maxExpAvgSq') : null, step, group);
  }
}

/** torch.optim.AdamW's defaults (weight decay 1e-2, decoupled). */
export const ADAMW_DEFAULTS: AdamOptions = { ...ADAM_DEFAULTS, weightDecay: 1e-2, decoupledWeightDecay: true };

/** AdamW (Loshchilov & Hutter): Adam with decoupled weight decay, default 0.01. */
export class AdamW extends Adam {
  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, { ...ADAMW_DEFAULTS, ...options });
  }
}
