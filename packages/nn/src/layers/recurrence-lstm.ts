import { type Backend, Tensor } from '@tsgrad/tensor';
import { StateRows, StepBuffer, matrixOf } from './recurrence-views.js';

/**
 * LSTM over a whole sequence: one backend call each way for all T steps (`lstmSequence`,
 * `lstmSequenceBackward`: per step the [B, H] x [H, 4H] recurrent product and the fused gate and
 * state work of `lstmCell`, or their backward), so a backend can keep the recurrent weight packed
 * and each batch row's recurrence on one thread for the whole sequence.
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
  k.copy(matrixOf(h0), h.step(rows.initial));
  k.copy(matrixOf(c0), c.step(rows.initial));
  k.lstmSequence(proj, whh, act.tensor, c.tensor, tc.tensor, h.tensor, reverse);
  return { rows, act, h, c, tc };
}

export interface LstmGrads {
  /** d proj [T, B, 4H] (the pre-activation gradients; also what W_hh's gradient is built from). */
  dPre: StepBuffer;
  dh0: Tensor | null;
  dc0: Tensor | null;
}

/**
 * gH [T, B, H]: gradient of the outputs h_t; gC [B, H]: of the final cell state. The gradient of
 * h0 is only computed when asked for (the last step's product is skipped otherwise).
 */
export function lstmBackward(k: Backend, s: LstmSaved, gH: Tensor, gC: Tensor, whh: Tensor, needH0: boolean, needC0: boolean): LstmGrads {
  const { rows, act, c, tc } = s;
  const { T } = rows;
  const B = act.B, G = act.W, H = G / 4;
  const dtype = act.tensor.dtype;
  // Native's kernel takes unit column strides only (others run in TS); an incoming gradient may
  // be expanded (stride 0), so it is made contiguous once here.
  const gHSteps = gH.strides[2] === 1 ? gH : gH.contiguous();
  const dPre = new StepBuffer(T, B, G, dtype);
  const dh0 = needH0 ? Tensor.empty([B, H], dtype) : null;
  const dcBuf = new StepBuffer(1, B, H, dtype);
  k.copy(matrixOf(gC), dcBuf.step(0));
  k.lstmSequenceBackward(gHSteps, { act: act.tensor, c: c.tensor, tc: tc.tensor }, whh, dcBuf.step(0), dPre.tensor, dh0, rows.reverse);
  return { dPre, dh0, dc0: needC0 ? dcBuf.tensor.select(0, 0) : null };
}
