import type { BinaryOp, UnaryOp, View } from '../backend/backend.js';
import { scratch } from './step-views.js';

/**
 * The LSTM step as the unfused sequence of elementwise kernel calls that nn's recurrence ran before
 * `lstmCell` / `lstmCellBackward` existed: the reference the fused kernels must match bit for bit
 * on the same backend (the js tests here, the native ones in packages/native/test).
 */

/** The elementwise kernels the unfused step calls (a backend, or native's with its thresholds at zero). */
export interface StepKernels {
  unary(op: UnaryOp, x: View, out: View): unknown;
  binary(op: BinaryOp, a: View, b: View, out: View): unknown;
  binaryScalar(op: BinaryOp, a: View, scalar: number, out: View, reverse: boolean): unknown;
}

/** Columns [from, from + width) of a 2-D view. */
export function colsOf(v: View, from: number, width: number): View {
  return { buffer: v.buffer, shape: [v.shape[0]!, width], strides: v.strides, offset: v.offset + from * v.strides[1]! };
}

/** The forward step: ten kernel calls (the loop body of the former lstmForward). */
export function unfusedLstmCell(k: StepKernels, proj: View, gh: View, act: View, cPrev: View, c: View, tc: View, h: View): void {
  const [B, G] = act.shape as [number, number];
  const H = G / 4;
  const ig = scratch(act.buffer, B, H);
  const i = colsOf(act, 0, H), f = colsOf(act, H, H), g = colsOf(act, 2 * H, H), o = colsOf(act, 3 * H, H);
  k.binary('add', proj, gh, act);
  k.unary('sigmoid', colsOf(act, 0, 2 * H), colsOf(act, 0, 2 * H));
  k.unary('tanh', g, g);
  k.unary('sigmoid', o, o);
  k.binary('mul', f, cPrev, c);
  k.binary('mul', i, g, ig);
  k.binary('add', c, ig, c);
  k.unary('tanh', c, tc);
  k.binary('mul', o, tc, h);
}

/**
 * The backward step: the former lstmBackward's whole-sequence factors m and dtc computed for this
 * one step, then its six per-step calls (the dc·m product of the i, f, g slots as three calls).
 */
export function unfusedLstmCellBackward(k: StepKernels, gradH: View, gradHRec: View, act: View, cPrev: View, tc: View, dc: View, dPre: View): void {
  const [B, G] = act.shape as [number, number];
  const H = G / 4;
  const m = scratch(act.buffer, B, G);
  const gate = (v: View, q: number) => colsOf(v, q * H, H);
  k.binary('mul', act, act, m);
  k.binary('sub', colsOf(act, 0, 2 * H), colsOf(m, 0, 2 * H), colsOf(m, 0, 2 * H));
  k.binary('sub', gate(act, 3), gate(m, 3), gate(m, 3));
  k.binaryScalar('sub', gate(m, 2), 1, gate(m, 2), true);
  k.binary('mul', gate(m, 0), gate(act, 2), gate(m, 0));
  k.binary('mul', gate(m, 1), cPrev, gate(m, 1));
  k.binary('mul', gate(m, 2), gate(act, 0), gate(m, 2));
  k.binary('mul', gate(m, 3), tc, gate(m, 3));
  const dtc = scratch(act.buffer, B, H);
  k.binary('mul', tc, tc, dtc);
  k.binaryScalar('sub', dtc, 1, dtc, true);
  k.binary('mul', dtc, gate(act, 3), dtc);

  const dh = scratch(act.buffer, B, H), tmp = scratch(act.buffer, B, H);
  k.binary('add', gradH, gradHRec, dh);
  k.binary('mul', dh, dtc, tmp);
  k.binary('add', dc, tmp, dc);
  for (let q = 0; q < 3; q++) k.binary('mul', dc, gate(m, q), gate(dPre, q));
  k.binary('mul', dh, gate(m, 3), gate(dPre, 3));
  k.binary('mul', dc, gate(act, 1), dc);
}
