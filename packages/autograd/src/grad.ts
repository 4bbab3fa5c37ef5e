import { Tensor } from '@tsgrad/tensor';
import { nodeOf, rootGradient, runBackward } from './engine.js';

/**
 * Options of `grad()`: `gradOutputs`, `retainGraph`, `createGraph` (for higher-order gradients) and `allowUnused`, as in torch.autograd.grad.
 */
export interface GradOptions {
  /** dL/d(output) for each output; may be omitted (or null) for one-element outputs. */
  gradOutputs?: Tensor | readonly (Tensor | null | undefined)[] | null;
  /** Keep the graph for another backward (default: createGraph). */
  retainGraph?: boolean;
  /** Record the gradient computation itself, for higher-order derivatives (default false). */
  createGraph?: boolean;
  /** Return null for an input the outputs do not depend on instead of throwing (default false). */
  allowUnused?: boolean;
}

function asList(x: Tensor | readonly Tensor[], what: string): readonly Tensor[] {
  const list = x instanceof Tensor ? [x] : x;
  if (!Array.isArray(list)) throw new TypeError(`grad(): ${what} must be a Tensor or an array of Tensors`);
  list.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`grad(): ${what}[${i}] is not a Tensor`);
  });
  return list;
}

/**
 * The gradients of `outputs` with respect to `inputs` (torch.autograd.grad), returned in the
 * order of `inputs`; `.grad` fields are not touched. With `createGraph` the returned gradients
 * are themselves differentiable.
 */
export function grad(outputs: Tensor | readonly Tensor[], inputs: Tensor | readonly Tensor[], options: GradOptions = {}): (Tensor | null)[] {
  const outs = asList(outputs, 'outputs');
  const ins = asList(inputs, 'inputs');
  if (outs.length === 0) throw new RangeError('grad(): outputs is empty');
  const gradOutputs = options.gradOutputs instanceof Tensor ? [options.gradOutputs] : (options.gradOutputs ?? []);
  if (gradOutputs.length !== 0 && gradOutputs.length !== outs.length) {
    throw new RangeError(`grad(): got ${gradOutputs.length} gradOutputs for ${outs.length} outputs`);
  }
  const createGraph = options.createGraph ?? false;
  const retainGraph = options.retainGraph ?? createGraph;
  ins.forEach((t, i) => {
    if (!t.requiresGrad) throw new Error(`grad(): inputs[${i}] (${t.dtype} [${t.shape.join(', ')}]) does not require grad`);
  });
  const roots = outs.map((o, i) => rootGradient(o, gradOutputs[i], `grad(): outputs[${i}]`));
  const capture = ins.map(nodeOf);
  const { grads, freedError } = runBackward(outs, roots, { retainGraph, createGraph, capture });
  return grads.map((g, i) => {
    if (g === null && !options.allowUnused) {
      if (freedError !== null) throw freedError;
      throw new Error(`grad(): inputs[${i}] appears not to have been used in the graph of the outputs; pass allowUnused: true to get null for it`);
    }
    return g;
  });
}
