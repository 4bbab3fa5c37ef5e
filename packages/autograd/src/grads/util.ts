import { type Tensor, getBackend, recordOp, sum, zeros } from '@tsgrad/tensor';
import { registerGradient } from '../engine.js';
import type { BackwardContext } from '../node.js';

/** Shorthand for registering a formula: `def('mul', { saveInputs: true }, (g, ctx) => [...])`. */
export function def(
  op: string,
  saves: { saveInputs?: boolean; saveOutput?: boolean },
  backward: (grad: Tensor, ctx: BackwardContext, needs: readonly boolean[]) => readonly (Tensor | null)[],
): void {
  registerGradient(op, {
    name: `${op[0]!.toUpperCase()}${op.slice(1)}Backward`,
    saveInputs: saves.saveInputs ?? false,
    saveOutput: saves.saveOutput ?? false,
    backward,
  });
}

/**
 * Sums a gradient of a broadcast result back to the shape of the input that was broadcast: over
 * the leading dims it gained and over the dims where the input had size 1.
 */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  const gs = g.shape;
  if (gs.length === shape.length && gs.every((d, i) => d === shape[i])) return g;
  const lead = gs.length - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < gs.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && gs[i] !== 1)) dims.push(i);
  }
  const r = dims.length > 0 ? sum(g, dims, true) : g;
  return r.reshape(shape as number[]);
}

/** `g` with the reduced `dims` put back as size-1 dims (undoes keepdim=false). */
export function keepDims(g: Tensor, dims: readonly number[], keepdim: boolean, inputShape: readonly number[]): Tensor {
  if (keepdim) return g;
  return g.reshape(inputShape.map((d, i) => (dims.includes(i) ? 1 : d)));
}

/**
 * The gradient of a view op that picks part of its input (slice, select, diagonal): zeros of the
 * input's shape with `g` written into the view `pick(zeros)`. Recorded as its own op (`backwardOp`)
 * whose gradient is the same view again, so double backward works.
 */
export function embed(g: Tensor, inputShape: readonly number[], pick: (t: Tensor) => Tensor, backwardOp: string, attrs: unknown): Tensor {
  const out = zeros(inputShape as number[], { dtype: g.dtype });
  getBackend().copy(g, pick(out));
  recordOp(backwardOp, [g], out, attrs);
  return out;
}
