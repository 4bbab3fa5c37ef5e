import { enableGrad, noGrad } from '@tsgrad/autograd';

/**
 * Grad-mode scopes for the optimizers, from @tsgrad/autograd (which also installs the engine, so
 * closures can call `loss.backward()`): updates run with recording off, closures with it on.
 */
export function withoutGrad<T>(fn: () => T): T {
  return noGrad(fn);
}

export function withGrad<T>(fn: () => T): T {
  return enableGrad(fn);
}
