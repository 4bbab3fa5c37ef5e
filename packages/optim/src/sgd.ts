import { type Tensor, getBackend } from '@tsgrad/tensor';
import { ElementwiseOptimizer, type FloatBuffer, type ParamGroup, type ParamState, type ParamsInput, flatView, zerosLikeParam } from './optimizer.js';
import { checkBool, checkNonNegative } from './validate.js';

/**
 * Hyperparameters of `SGD` (camelCase versions of torch.optim.SGD's); omitted ones take `SGD_DEFAULTS`.
 * @example
 * ```ts
 * new SGD(model.parameters(), { lr: 0.1, momentum: 0.9, weightDecay: 5e-4 });
 * ```
 */
export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

/** torch.optim.SGD's defaults. */
export const SGD_DEFAULTS: SGDOptions = { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false };

/**
 * One SGD update over contiguous elements (torch.optim.SGD):
 *   g = ±grad + weightDecay·p
 *   b = g on the first step, else momentum·b + (1 − dampening)·g
 *   g = nesterov ? g + momentum·b : b
 *   p −= lr·g
 * `momentumBuffer` is null when momentum is 0; `first` says the buffer has not been initialised.
 */
export function sgdUpdate(
  param: FloatBuffer, po: number, grad: FloatBuffer, go: number, n: number,
  momentumBuffer: FloatBuffer | null, first: boolean, h: SGDOptions,
): void {
  const { lr, momentum, dampening, weightDecay, nesterov } = h;
  const sign = h.maximize ? -1 : 1;
  const keep = 1 - dampening;
  // Fast paths for the common settings (no weight decay, not maximizing): one tight loop each,
  // no per-element branches. Same arithmetic as the general loop below.
  if (weightDecay === 0 && sign === 1 && !nesterov) {
    if (momentumBuffer === null) {
      for (let i = 0; i < n; i++) param[po + i] = param[po + i]! - lr * grad[go + i]!;
      return;
    }
    if (!first) {
      sgdMomentumLoop(param, po, grad, go, n, momentumBuffer, momentum, keep, lr);
      return;
    }
  }
  for (let i = 0; i < n; i++) {
    const p = param[po + i]!;
    let d = sign * grad[go + i]! + weightDecay * p;
    if (momentumBuffer !== null) {
      const b = first ? d : momentum * momentumBuffer[i]! + keep * d;
      momentumBuffer[i] = b;
      // Read back so float32 buffers round exactly as a stored buffer would.
      d = nesterov ? d + momentum * momentumBuffer[i]! : momentumBuffer[i]!;
    }
    param[po + i] = p - lr * d;
  }
}

/**
 * b = momentum·b + keep·g; p −= lr·b (b as stored): the hot loop of SGD training, run by the
 * backend's fused `sgdMomentum` kernel (native: vectorised C++; js: an unrolled loop), which gives
 * the same bits as the general loop above.
 */
function sgdMomentumLoop(param: FloatBuffer, po: number, grad: FloatBuffer, go: number, n: number, buf: FloatBuffer, momentum: number, keep: number, lr: number): void {
  getBackend().sgdMomentum(flatView(param, po, n), flatView(grad, go, n), flatView(buf, 0, n), { momentum, keep, lr });
}

/** Stochastic gradient descent with optional momentum, Nesterov momentum and weight decay. */
export class SGD extends ElementwiseOptimizer<SGDOptions> {
  constructor(params: ParamsInput<SGDOptions>, options: Partial<SGDOptions> = {}) {
    super(params, { ...SGD_DEFAULTS, ...options });
  }

  protected validateHyper(h: SGDOptions, where: string): void {
    checkNonNegative(h.lr, `${where}: lr`);
    checkNonNegative(h.momentum, `${where}: momentum`);
    checkNonNegative(h.dampening, `${where}: dampening`);
    checkNonNegative(h.weightDecay, `${where}: weightDecay`);
    checkBool(h.nesterov, `${where}: nesterov`);
    checkBool(h.maximize, `${where}: maximize`);
    if (h.nesterov && (h.momentum <= 0 || h.dampening !== 0)) {
      throw new RangeError(`${where}: nesterov momentum requires momentum > 0 and dampening = 0 (got momentum ${h.momentum}, dampening ${h.dampening})`);
    }
  }

  protected initState(): ParamState {
    return { momentumBuffer: null };
  }

  protected updateParam(group: ParamGroup<SGDOptions>, state: ParamState, p: Tensor, param: FloatBuffer, po: number, grad: FloatBuffer, go: number, n: number): void {
    let first = false;
    if (group.momentum !== 0 && state.momentumBuffer === null) {
      // The buffer is allocated once, on the parameter's first step with momentum.
      state.momentumBuffer = zerosLikeParam(p);
      first = true;
    }
    const b = group.momentum !== 0 ? (state.momentumBuffer as Tensor).storage.data : null;
    sgdUpdate(param, po, grad, go, n, b, first, group);
  }
}
