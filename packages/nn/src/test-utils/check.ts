import { type Tensor, randn, manualSeed } from '@tsgrad/tensor';
import { gradcheck } from '@tsgrad/autograd';
import type { Module } from '../module.js';

/** A float64 tensor of standard normal values that requires grad. */
export function leaf(...shape: number[]): Tensor {
  return randn(shape, { dtype: 'float64' }).requiresGrad_(true);
}

/**
 * gradcheck of a module in float64 with respect to its inputs and all its parameters (the
 * parameters are perturbed in place by the finite differences, which the module reads).
 */
export function gradcheckModule(model: Module, inputs: Tensor[], fn: (...xs: Tensor[]) => Tensor | readonly Tensor[] = (...xs) => model.call(...xs) as Tensor): boolean {
  model.to('float64');
  const params = model.parameters();
  return gradcheck((...all: Tensor[]) => fn(...all.slice(0, inputs.length)), [...inputs, ...params], { atol: 1e-6, rtol: 1e-4 });
}

export function seeded(seed: number): void {
  manualSeed(seed);
}
