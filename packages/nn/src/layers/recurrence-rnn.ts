import { type Backend, type Tensor } from '@tsgrad/tensor';
import { StateRows, StepBuffer, matrixOf, stepOf, transposedOf } from './recurrence-views.js';

/**
 * Elman RNN (tanh or relu) over a whole sequence with backend kernels: per step one
 * [B, H] x [H, H] matmul and one fused elementwise call (`rnnCell`: the add and the activation);
 * the backward is per step one `rnnCellBackward` call (the gradient sum times the activation's
 * derivative, derived from the saved h as it goes) and one matmul, with no whole-sequence
 * derivative buffer.
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
  const gh = new StepBuffer(1, B, H, proj.dtype).step(0);
  const whhT = transposedOf(whh);
  k.copy(matrixOf(h0), h.step(rows.initial));
  for (let s = 0; s < T; s++) {
    const t = rows.timeOf(s);
    k.matmul(h.step(rows.prev(t)), whhT, gh);
    k.rnnCell(stepOf(proj, t), gh, h.step(rows.cur(t)), relu);
  }
  return { rows, h };
}

/** gH [T, B, H]: gradient of the outputs. Returns d pre [T, B, H] and, when asked for, d h0. */
export function rnnBackward(k: Backend, relu: boolean, s: RnnSaved, gH: Tensor, whh: Tensor, needH0: boolean): { dPre: StepBuffer; dh0: Tensor | null } {
  const { rows, h } = s;
  const { T } = rows;
  const { B, W: H } = h;
  const dtype = h.tensor.dtype;
  // Native's fused kernel takes unit column strides only (others run in TS, every step); an
  // incoming gradient may be expanded (stride 0), so it is made contiguous once here.
  const gHSteps = gH.strides[2] === 1 ? gH : gH.contiguous();
  const dPre = new StepBuffer(T, B, H, dtype);
  const dhRecBuf = new StepBuffer(1, B, H, dtype);
  const dhRec = dhRecBuf.step(0);
  k.fill(dhRec, 0);
  for (let q = T - 1; q >= 0; q--) {
    const t = rows.timeOf(q);
    const d = dPre.step(t);
    k.rnnCellBackward(stepOf(gHSteps, t), dhRec, h.step(rows.cur(t)), d, relu);
    if (q > 0 || needH0) k.matmul(d, matrixOf(whh), dhRec);
  }
  return { dPre, dh0: needH0 ? dhRecBuf.tensor.select(0, 0) : null };
}
