import { type Backend, Tensor } from '@tsgrad/tensor';
import { StateRows, StepBuffer, matrixOf } from './recurrence-views.js';

/**
 * Elman RNN (tanh or relu) over a whole sequence: one backend call each way for all T steps
 * (`rnnSequence`, `rnnSequenceBackward`: per step the [B, H] x [H, H] recurrent product and the
 * fused add-and-activation, or its backward), so a backend can keep the recurrent weight packed
 * and each batch row's recurrence on one thread for the whole sequence.
 */
export interface RnnSaved {
  rows: StateRows;
  /** States [T + 1, B, H] (see StateRows). */
  h: StepBuffer;
}

/** proj [T, B, H] = x W_ih^T + b_ih + b_hh; h0 [B, H]; whh [H, H]; all one float dtype. */
export function rnnForward(k: Backend, relu: boolean, proj: Tensor, h0: Tensor, whh: Tensor, reverse: boolean): RnnSaved {
  const [T, B, H] = proj.shape as [number, number, number];
  const rows = new StateRows(T, reverse);
  const h = new StepBuffer(T + 1, B, H, proj.dtype);
  k.copy(matrixOf(h0), h.step(rows.initial));
  k.rnnSequence(proj, whh, h.tensor, relu, reverse);
  return { rows, h };
}

/** gH [T, B, H]: gradient of the outputs. Returns d pre [T, B, H] and, when asked for, d h0. */
export function rnnBackward(k: Backend, relu: boolean, s: RnnSaved, gH: Tensor, whh: Tensor, needH0: boolean): { dPre: StepBuffer; dh0: Tensor | null } {
  const { rows, h } = s;
  const { B, W: H } = h;
  const dtype = h.tensor.dtype;
  // Native's kernel takes unit column strides only (others run in TS); an incoming gradient may
  // be expanded (stride 0), so it is made contiguous once here.
  const gHSteps = gH.strides[2] === 1 ? gH : gH.contiguous();
  const dPre = new StepBuffer(rows.T, B, H, dtype);
  const dh0 = needH0 ? Tensor.empty([B, H], dtype) : null;
  k.rnnSequenceBackward(gHSteps, h.tensor, whh, dPre.tensor, dh0, relu, rows.reverse);
  return { dPre, dh0 };
}
