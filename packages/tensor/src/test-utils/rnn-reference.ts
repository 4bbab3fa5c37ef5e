import type { View } from '../backend/backend.js';
import { scratch } from './step-views.js';
import type { StepKernels } from './lstm-reference.js';

/**
 * The RNN step as the unfused sequence of elementwise kernel calls that nn's recurrence ran before
 * `rnnCell` / `rnnCellBackward` existed: the reference the fused kernels must match bit for bit
 * on the same backend (the js tests here, the native ones in packages/native/test).
 */

/** The forward step: add, then tanh or relu in place (the loop body of the former rnnForward). */
export function unfusedRnnCell(k: StepKernels, proj: View, gh: View, h: View, relu: boolean): void {
  k.binary('add', proj, gh, h);
  k.unary(relu ? 'relu' : 'tanh', h, h);
}

/**
 * The backward step: the former rnnBackward's whole-sequence derivative (1 - h² or h > 0)
 * computed for this one step, then its two per-step calls.
 */
export function unfusedRnnCellBackward(k: StepKernels, gradH: View, gradHRec: View, h: View, dPre: View, relu: boolean): void {
  const [B, H] = h.shape as [number, number];
  const deriv = scratch(h.buffer, B, H);
  if (relu) k.binaryScalar('gt', h, 0, deriv, false);
  else {
    k.binary('mul', h, h, deriv);
    k.binaryScalar('sub', deriv, 1, deriv, true);
  }
  k.binary('add', gradH, gradHRec, dPre);
  k.binary('mul', dPre, deriv, dPre);
}
