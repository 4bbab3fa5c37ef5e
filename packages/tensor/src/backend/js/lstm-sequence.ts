import type { View } from '../backend.js';
import { fill } from './elementwise.js';
import { lstmCell, lstmCellBackward } from './lstm.js';
import { matmul } from './matmul.js';
import { scratch, stepView, transposed } from './rnn-sequence.js';
import { checkStepDType } from './step-rows.js';

/**
 * The whole-sequence LSTM kernels (`Backend.lstmSequence` and `Backend.lstmSequenceBackward`) in
 * TS: per step the matmul and fused step kernels of this backend, over views of the caller's
 * buffers and one scratch ([B, 4H] forward, [B, H] backward), so they give exactly the bits of
 * those calls in sequence.
 */

type Expected = [name: string, v: View, shape: readonly number[]];

/**
 * Checks the views of one call against the shapes the [T, B, W] steps view implies (W = 4H for
 * proj, H for gradH), one float dtype and a boolean `reverse`, and returns T, B and H. Throws a
 * RangeError or TypeError naming what is wrong.
 */
function checkLstmSequence(kernel: string, stepsName: string, steps: View, wide: boolean, views: (H: number, T: number, B: number) => Expected[], reverse: unknown): { T: number; B: number; H: number } {
  const [T, B, W] = steps.shape as [number, number, number];
  if (steps.shape.length !== 3 || (wide && W % 4 !== 0)) {
    throw new RangeError(`${kernel}: ${stepsName} must be 3-D [T, B, ${wide ? '4H' : 'H'}], got [${steps.shape.join(', ')}]`);
  }
  const H = wide ? W / 4 : W;
  const expect = views(H, T, B);
  for (const [name, v, shape] of expect) {
    if (v.shape.length !== shape.length || v.shape.some((d, i) => d !== shape[i])) {
      throw new RangeError(`${kernel}: ${name} must be [${shape.join(', ')}] (from ${stepsName} [${T}, ${B}, ${W}]), got [${v.shape.join(', ')}]`);
    }
  }
  for (const [name, v] of [[stepsName, steps], ...expect] as const) checkStepDType(kernel, name, v, stepsName, steps.buffer.constructor);
  if (typeof reverse !== 'boolean') throw new TypeError(`${kernel}: reverse must be a boolean, got ${typeof reverse}`);
  return { T, B, H };
}

export function lstmSequence(proj: View, whh: View, act: View, c: View, tc: View, h: View, reverse: boolean): void {
  const { T, B, H } = checkLstmSequence('lstmSequence', 'proj', proj, true, (H, T, B) => [
    ['whh', whh, [4 * H, H]], ['act', act, [T, B, 4 * H]], ['c', c, [T + 1, B, H]], ['tc', tc, [T, B, H]], ['h', h, [T + 1, B, H]],
  ], reverse);
  const gh = scratch(proj, B, 4 * H);
  const whhT = transposed(whh);
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const prev = reverse ? t + 1 : t, cur = reverse ? t : t + 1;
    matmul(stepView(h, prev), whhT, gh);
    lstmCell(stepView(proj, t), gh, stepView(act, t), stepView(c, prev), stepView(c, cur), stepView(tc, t), stepView(h, cur));
  }
}

export function lstmSequenceBackward(gradH: View, saved: { act: View; c: View; tc: View }, whh: View, dc: View, dPre: View, dh0: View | null, reverse: boolean): void {
  const { act, c, tc } = saved;
  const { T, B, H } = checkLstmSequence('lstmSequenceBackward', 'gradH', gradH, false, (H, T, B) => {
    const views: Expected[] = [['act', act, [T, B, 4 * H]], ['c', c, [T + 1, B, H]], ['tc', tc, [T, B, H]], ['whh', whh, [4 * H, H]], ['dc', dc, [B, H]], ['dPre', dPre, [T, B, 4 * H]]];
    if (dh0 !== null) views.push(['dh0', dh0, [B, H]]);
    return views;
  }, reverse);
  const dhRec = scratch(gradH, B, H);
  fill(dhRec, 0);
  if (T === 0 && dh0 !== null) fill(dh0, 0);
  for (let q = T - 1; q >= 0; q--) {
    const t = reverse ? T - 1 - q : q;
    const d = stepView(dPre, t);
    // dc goes in as the gradient of c_t and comes out as that of c_{t-1}.
    lstmCellBackward(stepView(gradH, t), dhRec, stepView(act, t), stepView(c, reverse ? t + 1 : t), stepView(tc, t), dc, d);
    // The gradient of h_{t-1}: the next step's recurrent input, or h0's after the first step.
    if (q > 0) matmul(d, whh, dhRec);
    else if (dh0 !== null) matmul(d, whh, dh0);
  }
}
