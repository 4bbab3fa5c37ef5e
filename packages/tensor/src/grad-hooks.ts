import type { Tensor } from './tensor.js';

/**
 * The seam where @tsgrad/autograd plugs into tensor's op dispatch.
 *
 * Every differentiable op calls `recordOp` after computing its result. Without an engine installed
 * (only @tsgrad/tensor loaded), or in a `noGrad` scope, or when no input requires grad, that is one
 * cheap check and nothing is recorded. Autograd installs an engine that builds the graph node for
 * the op from its name, inputs, output and attributes; gradient formulas live in @tsgrad/autograd.
 */
export interface GradFn {
  /** A readable node name such as `MatmulBackward`. */
  readonly name: string;
}

/** Options of `Tensor.backward()`: `retainGraph` and `createGraph` (as in torch). */
export interface BackwardOptions {
  retainGraph?: boolean;
  createGraph?: boolean;
}

/**
 * What `@tsgrad/autograd` plugs into tensor with `setGradEngine`: recording ops, `backward`, `retainGrad` and hooks. Users do not implement it.
 */
export interface GradEngine {
  /** Builds a graph node for `op` (name of the op, e.g. 'add'), linking `output` to `inputs`. */
  record(op: string, inputs: readonly Tensor[], output: Tensor, attrs: unknown): void;
  backward(root: Tensor, gradient: Tensor | undefined, options: BackwardOptions): void;
  retainGrad(t: Tensor): void;
  registerHook(t: Tensor, hook: (grad: Tensor) => Tensor | void): () => void;
}

/**
 * Process-wide grad mode and the installed engine (read by every op; change it with `noGrad`/`enableGrad` from `@tsgrad/autograd`).
 */
export const gradState: { enabled: boolean; engine: GradEngine | null } = { enabled: true, engine: null };

/** Installs the autograd engine (called by @tsgrad/autograd on import). */
export function setGradEngine(engine: GradEngine | null): void {
  gradState.engine = engine;
}

/** Whether ops are currently recorded for autograd (false inside `noGrad`). */
export function isGradEnabled(): boolean {
  return gradState.enabled;
}

/** Records `op` when grad mode is on and any input requires grad. Called by ops after computing `output`. */
export function recordOp(op: string, inputs: readonly Tensor[], output: Tensor, attrs?: unknown): void {
  const engine = gradState.engine;
  if (engine === null || !gradState.enabled) return;
  for (let i = 0; i < inputs.length; i++) {
    if (inputs[i]!.requiresGrad) {
      engine.record(op, inputs, output, attrs);
      return;
    }
  }
}

/** True when an op on these inputs would be recorded (used to pick differentiable compositions). */
export function wouldRecord(...inputs: readonly Tensor[]): boolean {
  if (gradState.engine === null || !gradState.enabled) return false;
  for (const t of inputs) if (t.requiresGrad) return true;
  return false;
}

export function requireEngine(what: string): GradEngine {
  const engine = gradState.engine;
  if (engine === null) {
    throw new Error(`${what} needs @tsgrad/autograd: install it and import '@tsgrad/autograd' (it is imported by @tsgrad/nn and @tsgrad/optim)`);
  }
  return engine;
}
