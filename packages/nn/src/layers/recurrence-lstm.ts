import { type Backend, type Tensor, type View } from '@tsgrad/tensor';
import { StateRows, StepBuffer, matrixOf, stepOf, transposedOf } from './recurrence-views.js';

/**
 * LSTM over a whole sequence with backend kernels: per step one [B, H] x [H, 4H] matmul and ten
 * elementwise kernel calls over views of buffers allocated once; the backward precomputes every
 * factor that does not depend on the incoming gradient for all steps at once, leaving per step one
 * matmul and six elementwise calls.
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
  const ig = new StepBuffer(1, B, H, dtype).step(0);
  const whhT = transposedOf(whh);
  k.copy(matrixOf(h0), h.step(rows.initial));
  k.copy(matrixOf(c0), c.step(rows.initial));
  for (let s = 0; s < T; s++) {
    const t = rows.timeOf(s);
    k.matmul(h.step(rows.prev(t)), whhT, gh);
    const pre = act.step(t);
    k.binary('add', stepOf(proj, t), gh, pre);
    const i = act.step(t, 0, H), f = act.step(t, H, H), g = act.step(t, 2 * H, H), o = act.step(t, 3 * H, H);
    k.unary('sigmoid', act.step(t, 0, 2 * H), act.step(t, 0, 2 * H));
    k.unary('tanh', g, g);
    k.unary('sigmoid', o, o);
    const ct = c.step(rows.cur(t));
    k.binary('mul', f, c.step(rows.prev(t)), ct);
    k.binary('mul', i, g, ig);
    k.binary('add', ct, ig, ct);
    k.unary('tanh', ct, tc.step(t));
    k.binary('mul', o, tc.step(t), h.step(rows.cur(t)));
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
  // Factors of d pre that do not depend on the gradient, for all steps at once:
  // m_i = g i(1-i), m_f = c_{t-1} f(1-f), m_g = i (1-g^2), m_o = tanh(c_t) o(1-o); dtc = o (1 - tanh(c_t)^2).
  const m = new StepBuffer(T, B, G, dtype);
  const actAll = act.rows(0, T), mAll = m.rows(0, T);
  k.binary('mul', actAll, actAll, mAll);
  k.binary('sub', act.rows(0, T, 0, 2 * H), m.rows(0, T, 0, 2 * H), m.rows(0, T, 0, 2 * H));
  k.binary('sub', act.rows(0, T, 3 * H, H), m.rows(0, T, 3 * H, H), m.rows(0, T, 3 * H, H));
  k.binaryScalar('sub', m.rows(0, T, 2 * H, H), 1, m.rows(0, T, 2 * H, H), true);
  k.binary('mul', m.rows(0, T, 0, H), act.rows(0, T, 2 * H, H), m.rows(0, T, 0, H));
  k.binary('mul', m.rows(0, T, H, H), c.rows(rows.prevStart, T), m.rows(0, T, H, H));
  k.binary('mul', m.rows(0, T, 2 * H, H), act.rows(0, T, 0, H), m.rows(0, T, 2 * H, H));
  k.binary('mul', m.rows(0, T, 3 * H, H), tc.rows(0, T), m.rows(0, T, 3 * H, H));
  const dtc = new StepBuffer(T, B, H, dtype);
  const dtcAll = dtc.rows(0, T), tcAll = tc.rows(0, T);
  k.binary('mul', tcAll, tcAll, dtcAll);
  k.binaryScalar('sub', dtcAll, 1, dtcAll, true);
  k.binary('mul', dtcAll, act.rows(0, T, 3 * H, H), dtcAll);

  const dPre = new StepBuffer(T, B, G, dtype);
  const dh = new StepBuffer(1, B, H, dtype).step(0);
  const tmp = new StepBuffer(1, B, H, dtype).step(0);
  const dhRecBuf = new StepBuffer(1, B, H, dtype);
  const dhRec = dhRecBuf.step(0);
  const dcBuf = new StepBuffer(1, B, H, dtype);
  const dc = dcBuf.step(0);
  k.fill(dhRec, 0);
  k.copy(matrixOf(gC), dc);
  // dc broadcast over the i, f, g slots: one call for their three products.
  const dc3: View = { buffer: dc.buffer, shape: [B, 3, H], strides: [H, 0, 1], offset: 0 };
  for (let q = T - 1; q >= 0; q--) {
    const t = rows.timeOf(q);
    k.binary('add', stepOf(gH, t), dhRec, dh);
    k.binary('mul', dh, dtc.step(t), tmp);
    k.binary('add', dc, tmp, dc);
    const ifg: View = { buffer: dPre.tensor.buffer, shape: [B, 3, H], strides: [G, H, 1], offset: t * B * G };
    k.binary('mul', dc3, { ...ifg, buffer: m.tensor.buffer }, ifg); // m has dPre's layout
    k.binary('mul', dh, m.step(t, 3 * H, H), dPre.step(t, 3 * H, H));
    if (q > 0 || needC0) k.binary('mul', dc, act.step(t, H, H), dc);
    if (q > 0 || needH0) k.matmul(dPre.step(t), matrixOf(whh), dhRec);
  }
  return { dPre, dh0: needH0 ? dhRecBuf.tensor.select(0, 0) : null, dc0: needC0 ? dcBuf.tensor.select(0, 0) : null };
}
