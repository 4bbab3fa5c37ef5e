import { type Backend, type Tensor } from '@tsgrad/tensor';
import { StateRows, StepBuffer, matrixOf, stepOf, transposedOf } from './recurrence-views.js';

/**
 * LSTM over a whole sequence with backend kernels: per step one [B, H] x [H, 4H] matmul and one
 * fused elementwise call (`lstmCell`) over views of buffers allocated once; the backward is per
 * step one `lstmCellBackward` call (which derives the gate factors from the saved activations as
 * it goes) and one matmul. A call per step instead of ten (six backward) saves the per-call cost
 * and the passes over memory, and the backward needs no whole-sequence factor buffers.
 *
 * Gate order i, f, g, o (PyTorch's); `act` holds sigmoid(i), sigmoid(f), tanh(g), sigmoid(o).
 */
export interface LstmSaved {
  rows: StateRows;
  /** Activated gates [T, B, 4H]. */
  act: StepBuffer;
  /** h and c states [T + 1, B, H] (see StateRows). */
  h: StepBuffer;
  c: StepBuffer;
  /** tanh(c_t) [T, B, H]. */
  tc: StepBuffer;
}

/** proj [T, B, 4H] = x W_ih^T + b_ih + b_hh; h0, c0 [B, H]; whh [4H, H]; all one float dtype. */
export function lstmForward(k: Backend, proj: Tensor, h0: Tensor, c0: Tensor, whh: Tensor, reverse: boolean): LstmSaved {
  const [T, B, G] = proj.shape as [number, number, number];
  const H = G / 4;
  const dtype = proj.dtype;
  const rows = new StateRows(T, reverse);
  const act = new StepBuffer(T, B, G, dtype);
  const h = new StepBuffer(T + 1, B, H, dtype);
  const c = new StepBuffer(T + 1, B, H, dtype);
  const tc = new StepBuffer(T, B, H, dtype);
  const gh = new StepBuffer(1, B, G, dtype).step(0);
  const whhT = transposedOf(whh);
  k.copy(matrixOf(h0), h.step(rows.initial));
  k.copy(matrixOf(c0), c.step(rows.initial));
  for (let s = 0; s < T; s++) {
    const t = rows.timeOf(s);
    k.matmul(h.step(rows.prev(t)), whhT, gh);
    k.lstmCell(stepOf(proj, t), gh, act.step(t), c.step(rows.prev(t)), c.step(rows.cur(t)), tc.step(t), h.step(rows.cur(t)));
  }
  return { rows, act, h, c, tc };
}

export interface LstmGrads {
  /** d proj [T, B, 4H] (the pre-activation gradients; also what W_hh's gradient is built from). */
  dPre: StepBuffer;
  dh0: Tensor | null;
  dc0: Tensor | null;
}

/**
 * gH [T, B, H]: gradient of the outputs h_t; gC [B, H]: of the final cell state. The gradients of
 * h0 and c0 are only computed when asked for (the last step's matmul is skipped otherwise).
 */
export function lstmBackward(k: Backend, s: LstmSaved, gH: Tensor, gC: Tensor, whh: Tensor, needH0: boolean, needC0: boolean): LstmGrads {
  const { rows, act, c, tc } = s;
  const { T } = rows;
  const B = act.B, G = act.W, H = G / 4;
  const dtype = act.tensor.dtype;
  // Native's fused kernel takes unit column strides only (others run in TS, every step); an
  // incoming gradient may be expanded (stride 0), so it is made contiguous once here.
  const gHSteps = gH.strides[2] === 1 ? gH : gH.contiguous();
  const dPre = new StepBuffer(T, B, G, dtype);
  const dhRecBuf = new StepBuffer(1, B, H, dtype);
  const dhRec = dhRecBuf.step(0);
  const dcBuf = new StepBuffer(1, B, H, dtype);
  const dc = dcBuf.step(0);
  k.fill(dhRec, 0);
  k.copy(matrixOf(gC), dc);
  for (let q = T - 1; q >= 0; q--) {
    const t = rows.timeOf(q);
    // dc goes in as the gradient of c_t and comes out as that of c_{t-1}.
    k.lstmCellBackward(stepOf(gHSteps, t), dhRec, act.step(t), c.step(rows.prev(t)), tc.step(t), dc, dPre.step(t));
    if (q > 0 || needH0) k.matmul(dPre.step(t), matrixOf(whh), dhRec);
  }
  return { dPre, dh0: needH0 ? dhRecBuf.tensor.select(0, 0) : null, dc0: needC0 ? dcBuf.tensor.select(0, 0) : null };
}
