import type { View } from '../backend/backend.js';
import { curRow, elementOf, prevRow } from './rnn-sequence-reference.js';

/**
 * A naive float64 reference for the whole-sequence LSTM kernels (`lstmSequence`,
 * `lstmSequenceBackward`), written from their definition with plain loops over views read through
 * their strides (gate order i, f, g, o): the js tests (backend/js/lstm-sequence.test.ts) and the
 * native ones (packages/native/test/lstm-sequence.test.ts) compare the kernels with it.
 */

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export interface NaiveLstmStates {
  /** Activated gates [T, B, 4H]. */
  act: Float64Array;
  /** Cell and hidden states [T + 1, B, H] (rows as the kernels'). */
  c: Float64Array;
  h: Float64Array;
  /** tanh(c_t) [T, B, H]. */
  tc: Float64Array;
}

/**
 * The recurrence from proj [T, B, 4H], whh [4H, H] and the initial rows of the [T + 1, B, H] state
 * views hStates and cStates (row 0, or T when reversed): gates = proj[t] + h[prev(t)]·whhᵀ,
 * c[cur] = f·c[prev] + i·g, h[cur] = o·tanh(c[cur]).
 */
export function naiveLstmForward(proj: View, whh: View, hStates: View, cStates: View, reverse: boolean): NaiveLstmStates {
  const [T, B, G] = proj.shape as [number, number, number];
  const H = G / 4;
  const act = new Float64Array(T * B * G), tc = new Float64Array(T * B * H);
  const c = new Float64Array((T + 1) * B * H), h = new Float64Array((T + 1) * B * H);
  const init = reverse ? T : 0;
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < H; j++) {
      h[(init * B + b) * H + j] = elementOf(hStates, init, b, j);
      c[(init * B + b) * H + j] = elementOf(cStates, init, b, j);
    }
  }
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const prev = prevRow(t, reverse), cur = curRow(t, reverse);
    for (let b = 0; b < B; b++) {
      const a = (t * B + b) * G;
      for (let n = 0; n < G; n++) {
        let acc = elementOf(proj, t, b, n);
        for (let k = 0; k < H; k++) acc += h[(prev * B + b) * H + k]! * elementOf(whh, n, k);
        act[a + n] = n >= 2 * H && n < 3 * H ? Math.tanh(acc) : sigmoid(acc);
      }
      for (let j = 0; j < H; j++) {
        const i = act[a + j]!, f = act[a + H + j]!, g = act[a + 2 * H + j]!, o = act[a + 3 * H + j]!;
        const ct = f * c[(prev * B + b) * H + j]! + i * g;
        c[(cur * B + b) * H + j] = ct;
        tc[(t * B + b) * H + j] = Math.tanh(ct);
        h[(cur * B + b) * H + j] = o * Math.tanh(ct);
      }
    }
  }
  return { act, c, h, tc };
}

/**
 * dPre [T, B, 4H], dc (c0's gradient) and dh0 [B, H] of the recurrence whose saved gates, cell
 * states and tanh(c) are act, c and tc, from the outputs' gradient gradH and the final c's dcIn:
 * backwards through the steps, dh = gradH[t] + dhRec, dc += dh·o·(1 - tc²), the gate gradients,
 * dc ·= f, and dhRec = dPre[t]·whh, dhRec starting at zero; dh0 is the last dhRec.
 */
export function naiveLstmBackward(gradH: View, act: View, c: View, tc: View, whh: View, dcIn: View, reverse: boolean): { dPre: Float64Array; dc: Float64Array; dh0: Float64Array } {
  const [T, B, H] = gradH.shape as [number, number, number];
  const G = 4 * H;
  const dPre = new Float64Array(T * B * G);
  const dc = new Float64Array(B * H);
  for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) dc[b * H + j] = elementOf(dcIn, b, j);
  let dhRec = new Float64Array(B * H);
  for (let q = T - 1; q >= 0; q--) {
    const t = reverse ? T - 1 - q : q;
    const prev = prevRow(t, reverse);
    for (let b = 0; b < B; b++) {
      const p = (t * B + b) * G;
      for (let j = 0; j < H; j++) {
        const i = elementOf(act, t, b, j), f = elementOf(act, t, b, H + j), g = elementOf(act, t, b, 2 * H + j), o = elementOf(act, t, b, 3 * H + j);
        const th = elementOf(tc, t, b, j), cPrev = elementOf(c, prev, b, j);
        const dh = elementOf(gradH, t, b, j) + dhRec[b * H + j]!;
        const d = dc[b * H + j]! + dh * (1 - th * th) * o;
        dPre[p + j] = d * (i - i * i) * g;
        dPre[p + H + j] = d * (f - f * f) * cPrev;
        dPre[p + 2 * H + j] = d * (1 - g * g) * i;
        dPre[p + 3 * H + j] = dh * (o - o * o) * th;
        dc[b * H + j] = d * f;
      }
    }
    const next = new Float64Array(B * H);
    for (let b = 0; b < B; b++) {
      for (let n = 0; n < H; n++) {
        let acc = 0;
        for (let k = 0; k < G; k++) acc += dPre[(t * B + b) * G + k]! * elementOf(whh, k, n);
        next[b * H + n] = acc;
      }
    }
    dhRec = next;
  }
  return { dPre, dc, dh0: dhRec };
}
