import { type Backend, type Tensor } from '@tsgrad/tensor';
import { StateRows, StepBuffer, cols, matrixOf, stepOf, transposedOf, view2d } from './recurrence-views.js';

/**
 * GRU over a whole sequence with backend kernels (gate order r, z, n as PyTorch):
 *   r, z = sigmoid(gi_rz + gh_rz),  n = tanh(gi_n + r (W_hn h + b_hn)),  h' = n + z (h - n)
 * with gh = h W_hh^T + b_hh. Per step one [B, H] x [H, 3H] matmul and eight or nine elementwise
 * calls; the backward precomputes the gradient-independent factors for all steps at once.
 */
export interface GruSaved {
  rows: StateRows;
  /** sigmoid(r), sigmoid(z), n [T, B, 3H]. */
  act: StepBuffer;
  /** h W_hh^T + b_hh [T, B, 3H] (its n slot is needed by the backward). */
  gh: StepBuffer;
  /** States [T + 1, B, H] (see StateRows). */
  h: StepBuffer;
}

/** proj [T, B, 3H] = x W_ih^T + b_ih; h0 [B, H]; whh [3H, H]; bhh [3H] or null; all one float dtype. */
export function gruForward(k: Backend, proj: Tensor, h0: Tensor, whh: Tensor, bhh: Tensor | null, reverse: boolean): GruSaved {
  const [T, B, G] = proj.shape as [number, number, number];
  const H = G / 3;
  const dtype = proj.dtype;
  const rows = new StateRows(T, reverse);
  const act = new StepBuffer(T, B, G, dtype);
  const gh = new StepBuffer(T, B, G, dtype);
  const h = new StepBuffer(T + 1, B, H, dtype);
  const whhT = transposedOf(whh);
  const bias = bhh === null ? null : view2d(bhh.buffer, bhh.offset, B, G, 0, bhh.strides[0]!);
  k.copy(matrixOf(h0), h.step(rows.initial));
  for (let s = 0; s < T; s++) {
    const t = rows.timeOf(s);
    const ght = gh.step(t);
    const hPrev = h.step(rows.prev(t));
    k.matmul(hPrev, whhT, ght);
    if (bias !== null) k.binary('add', ght, bias, ght);
    const rz = act.step(t, 0, 2 * H), z = act.step(t, H, H), n = act.step(t, 2 * H, H);
    const gi = stepOf(proj, t);
    k.binary('add', cols(gi, 0, 2 * H), gh.step(t, 0, 2 * H), rz);
    k.unary('sigmoid', rz, rz);
    k.binary('mul', act.step(t, 0, H), gh.step(t, 2 * H, H), n);
    k.binary('add', cols(gi, 2 * H, H), n, n);
    k.unary('tanh', n, n);
    const ht = h.step(rows.cur(t));
    k.binary('sub', hPrev, n, ht);
    k.binary('mul', z, ht, ht);
    k.binary('add', n, ht, ht);
  }
  return { rows, act, gh, h };
}

export interface GruGrads {
  /** d proj [T, B, 3H]. */
  dPre: StepBuffer;
  /** d gh [T, B, 3H]: the gradient of h W_hh^T + b_hh (W_hh's and b_hh's gradients are built from it). */
  dGh: StepBuffer;
  dh0: Tensor | null;
}

/** gH [T, B, H]: gradient of the outputs. */
export function gruBackward(k: Backend, s: GruSaved, gH: Tensor, whh: Tensor, needH0: boolean): GruGrads {
  const { rows, act, gh, h } = s;
  const { T } = rows;
  const B = act.B, G = act.W, H = G / 3;
  const dtype = act.tensor.dtype;
  // Gradient-independent factors for all steps: p_r = gh_n r(1-r), p_z = (h_{t-1} - n) z(1-z),
  // p_n = (1 - z)(1 - n^2).
  const p = new StepBuffer(T, B, G, dtype);
  const tmp = new StepBuffer(T, B, H, dtype).rows(0, T);
  const all = (b: StepBuffer, from: number, width: number) => b.rows(0, T, from, width);
  k.binary('mul', act.rows(0, T), act.rows(0, T), p.rows(0, T));
  k.binary('sub', all(act, 0, 2 * H), all(p, 0, 2 * H), all(p, 0, 2 * H));
  k.binaryScalar('sub', all(p, 2 * H, H), 1, all(p, 2 * H, H), true);
  k.binaryScalar('sub', all(act, H, H), 1, tmp, true);
  k.binary('mul', all(p, 2 * H, H), tmp, all(p, 2 * H, H));
  k.binary('mul', all(p, 0, H), all(gh, 2 * H, H), all(p, 0, H));
  k.binary('sub', h.rows(rows.prevStart, T), all(act, 2 * H, H), tmp);
  k.binary('mul', all(p, H, H), tmp, all(p, H, H));

  const dPre = new StepBuffer(T, B, G, dtype);
  const dGh = new StepBuffer(T, B, G, dtype);
  const dh = new StepBuffer(1, B, H, dtype).step(0);
  const mm = new StepBuffer(1, B, H, dtype).step(0);
  const dhRecBuf = new StepBuffer(1, B, H, dtype);
  const dhRec = dhRecBuf.step(0);
  k.fill(dhRec, 0);
  for (let q = T - 1; q >= 0; q--) {
    const t = rows.timeOf(q);
    k.binary('add', stepOf(gH, t), dhRec, dh);
    const dPreN = dPre.step(t, 2 * H, H);
    k.binary('mul', dh, p.step(t, 2 * H, H), dPreN);
    k.binary('mul', dPreN, p.step(t, 0, H), dGh.step(t, 0, H));
    k.binary('mul', dh, p.step(t, H, H), dGh.step(t, H, H));
    k.binary('mul', dPreN, act.step(t, 0, H), dGh.step(t, 2 * H, H));
    if (q > 0 || needH0) {
      // d h_{t-1} = dh z + d gh W_hh
      k.matmul(dGh.step(t), matrixOf(whh), mm);
      k.binary('mul', dh, act.step(t, H, H), dhRec);
      k.binary('add', dhRec, mm, dhRec);
    }
  }
  // r and z enter gi and gh alike.
  k.copy(all(dGh, 0, 2 * H), all(dPre, 0, 2 * H));
  return { dPre, dGh, dh0: needH0 ? dhRecBuf.tensor.select(0, 0) : null };
}
