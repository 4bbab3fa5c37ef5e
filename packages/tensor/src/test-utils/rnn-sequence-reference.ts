import type { View } from '../backend/backend.js';
import type { TypedArray } from '../dtype.js';

/**
 * A naive float64 reference for the whole-sequence RNN kernels (`rnnSequence`,
 * `rnnSequenceBackward`), written from their definition with plain loops over views read through
 * their strides: the js tests (backend/js/rnn-sequence.test.ts) and the native ones
 * (packages/native/test/rnn-sequence.test.ts) compare the kernels with it.
 */

/** Element `idx` of a view of any rank. */
export function elementOf(v: View, ...idx: number[]): number {
  let o = v.offset;
  for (let d = 0; d < idx.length; d++) o += idx[d]! * v.strides[d]!;
  return v.buffer[o]!;
}

/** Row of the state buffer written by step t, and the row it reads (see StateRows in nn). */
export const curRow = (t: number, reverse: boolean): number => (reverse ? t : t + 1);
export const prevRow = (t: number, reverse: boolean): number => (reverse ? t + 1 : t);

/**
 * The states [T + 1, B, H] (contiguous, float64) of the recurrence from proj [T, B, H], whh [H, H]
 * and h's initial row (row 0, or T when reversed): h[cur(t)] = act(proj[t] + h[prev(t)]·whhᵀ).
 */
export function naiveRnnForward(proj: View, whh: View, h: View, relu: boolean, reverse: boolean): Float64Array {
  const [T, B, H] = proj.shape as [number, number, number];
  const out = new Float64Array((T + 1) * B * H);
  const init = reverse ? T : 0;
  for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) out[(init * B + b) * H + j] = elementOf(h, init, b, j);
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const prev = prevRow(t, reverse), cur = curRow(t, reverse);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        let acc = elementOf(proj, t, b, j);
        for (let k = 0; k < H; k++) acc += out[(prev * B + b) * H + k]! * elementOf(whh, j, k);
        out[(cur * B + b) * H + j] = relu ? (acc > 0 ? acc : 0) : Math.tanh(acc);
      }
    }
  }
  return out;
}

/**
 * dPre [T, B, H] and dh0 [B, H] (float64) of the recurrence whose states are `h`, from the
 * outputs' gradient gradH: backwards through the steps, dPre[t] = (gradH[t] + dhRec)·act'(h[cur(t)])
 * and dhRec = dPre[t]·whh, dhRec starting at zero; dh0 is the last dhRec.
 */
export function naiveRnnBackward(gradH: View, h: View, whh: View, relu: boolean, reverse: boolean): { dPre: Float64Array; dh0: Float64Array } {
  const [T, B, H] = gradH.shape as [number, number, number];
  const dPre = new Float64Array(T * B * H);
  let dhRec = new Float64Array(B * H);
  for (let q = T - 1; q >= 0; q--) {
    const t = reverse ? T - 1 - q : q;
    const cur = curRow(t, reverse);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        const y = elementOf(h, cur, b, j);
        const deriv = relu ? (y > 0 ? 1 : 0) : 1 - y * y;
        dPre[(t * B + b) * H + j] = (elementOf(gradH, t, b, j) + dhRec[b * H + j]!) * deriv;
      }
    }
    const next = new Float64Array(B * H);
    for (let b = 0; b < B; b++) {
      for (let n = 0; n < H; n++) {
        let acc = 0;
        for (let k = 0; k < H; k++) acc += dPre[(t * B + b) * H + k]! * elementOf(whh, k, n);
        next[b * H + n] = acc;
      }
    }
    dhRec = next;
  }
  return { dPre, dh0: dhRec };
}

/** The elements of a view in row-major order (any rank, any strides). */
export function valuesOf(v: View): number[] {
  const out: number[] = [];
  const idx = new Array<number>(v.shape.length).fill(0);
  const total = v.shape.reduce((a, b) => a * b, 1);
  for (let n = 0; n < total; n++) {
    out.push(elementOf(v, ...idx));
    for (let d = idx.length - 1; d >= 0; d--) {
      if (++idx[d]! < v.shape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** The largest |a - b| over two equally long lists (Infinity when a NaN appears on one side only). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, y = b[i]!;
    if (Number.isNaN(x) !== Number.isNaN(y)) return Infinity;
    if (!Number.isNaN(x)) m = Math.max(m, Math.abs(x - y));
  }
  return m;
}

/** A copy of `buffer` (so a test can check a kernel left everything outside its outputs alone). */
export const snapshot = (buffer: TypedArray): TypedArray => buffer.slice() as TypedArray;
