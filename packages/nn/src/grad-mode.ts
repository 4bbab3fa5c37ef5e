import { noGrad } from '@tsgrad/autograd';

/**
 * Runs `fn` with gradient recording off (autograd's noGrad). Used for in-place writes to
 * parameters (initialisation, loading a state dict, running statistics), which autograd would
 * otherwise refuse on leaves that require grad.
 */
export function withoutGrad<T>(fn: () => T): T {
  return noGrad(fn);
}
