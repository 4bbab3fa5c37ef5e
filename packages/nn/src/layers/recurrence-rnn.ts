import { type Backend, type Tensor } from '@tsgrad/tensor';
import { StateRows, StepBuffer, matrixOf, stepOf, transposedOf } from './recurrence-views.js';

/**
 * Elman RNN (tanh or relu) over a whole sequence with backend kernels: per step one
 * [B, H] x [H, H] matmul and two elementwise calls; backward per step one matmul and two calls,
 * the activation's derivative computed for all steps at once.
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
    const ht = h.step(rows.cur(t));
    k.binary('add', stepOf(proj, t), gh, ht);
    k.unary(relu ? 'relu' : 'tanh', ht, ht);
  }
  return { rows, h };
}

/** gH [T, B, H]: gradient of the outputs. Returns d pre [T, B, H] and, when asked for, d h0. */
export function rnnBackward(k: Backend, relu: boolean, s: RnnSaved, gH: Tensor, whh: Tensor, needH0: boolean): { dPre: StepBuffer; dh0: Tensor | null } {
  const { rows, h } = s;
  const { T } = rows;
  const { B, W: H } = h;
  const dtype = h.tensor.dtype;
  // The activation's derivative for all steps: 1 - h^2 (tanh) or h > 0 (relu).
  const deriv = new StepBuffer(T, B, H, dtype);
  const hs = h.rows(rows.curStart, T), dAll = deriv.rows(0, T);
  if (relu) k.binaryScalar('gt', hs, 0, dAll, false);
  else {
    k.binary('mul', hs, hs, dAll);
    k.binaryScalar('sub', dAll, 1, dAll, true);
  }
  const dPre = new StepBuffer(T, B, H, dtype);
  const dhRecBuf = new StepBuffer(1, B, H, dtype);
  const dhRec = dhRecBuf.step(0);
  k.fill(dhRec, 0);
  for (let q = T - 1; q >= 0; q--) {
    const t = rows.timeOf(q);
    const d = dPre.step(t);
    k.binary('add', stepOf(gH, t), dhRec, d);
    k.binary('mul', d, deriv.step(t), d);
    if (q > 0 || needH0) k.matmul(d, matrixOf(whh), dhRec);
  }
  return { dPre, dh0: needH0 ? dhRecBuf.tensor.select(0, 0) : null };
}
