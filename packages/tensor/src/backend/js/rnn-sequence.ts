import type { View } from '../backend.js';
import { fill } from './elementwise.js';
import { matmul } from './matmul.js';
import { rnnCell, rnnCellBackward } from './rnn.js';
import { checkStepDType } from './step-rows.js';

/**
 * The whole-sequence Elman RNN kernels (`Backend.rnnSequence` and `Backend.rnnSequenceBackward`)
 * in TS: per step the matmul and fused step kernels of this backend, over views of the caller's
 * buffers and one [B, H] scratch, so they give exactly the bits of those calls in sequence.
 */

/** Step t of a [T, B, W] view as a [B, W] view (shared with lstm-sequence.ts). */
export function stepView(x: View, t: number): View {
  return { buffer: x.buffer, shape: [x.shape[1]!, x.shape[2]!], strides: [x.strides[1]!, x.strides[2]!], offset: x.offset + t * x.strides[0]! };
}

/** A [B, H] scratch of `like`'s dtype. */
export function scratch(like: View, B: number, H: number): View {
  const buffer = like.buffer instanceof Float64Array ? new Float64Array(B * H) : new Float32Array(B * H);
  return { buffer, shape: [B, H], strides: [H, 1], offset: 0 };
}

export function transposed(w: View): View {
  return { buffer: w.buffer, shape: [w.shape[1]!, w.shape[0]!], strides: [w.strides[1]!, w.strides[0]!], offset: w.offset };
}

/**
 * Checks the views of one call (shapes from the [T, B, H] steps view, one float dtype) and returns
 * T, B and H. Throws a RangeError or TypeError naming what is wrong.
 */
function checkSequence(kernel: string, stepsName: string, steps: View, whh: View, h: View, others: readonly [string, View, readonly number[]][]): { T: number; B: number; H: number } {
  if (steps.shape.length !== 3) throw new RangeError(`${kernel}: ${stepsName} must be 3-D [T, B, H], got [${steps.shape.join(', ')}]`);
  const [T, B, H] = steps.shape as [number, number, number];
  const expect: [string, View, readonly number[]][] = [['whh', whh, [H, H]], ['h', h, [T + 1, B, H]], ...others];
  for (const [name, v, shape] of expect) {
    if (v.shape.length !== shape.length || v.shape.some((d, i) => d !== shape[i])) {
      throw new RangeError(`${kernel}: ${name} must be [${shape.join(', ')}] (from ${stepsName} [${T}, ${B}, ${H}]), got [${v.shape.join(', ')}]`);
    }
  }
  for (const [name, v] of [[stepsName, steps], ...expect] as const) checkStepDType(kernel, name, v, stepsName, steps.buffer.constructor);
  return { T, B, H };
}

function checkFlags(kernel: string, relu: unknown, reverse: unknown): void {
  if (typeof relu !== 'boolean') throw new TypeError(`${kernel}: relu must be a boolean, got ${typeof relu}`);
  if (typeof reverse !== 'boolean') throw new TypeError(`${kernel}: reverse must be a boolean, got ${typeof reverse}`);
}

export function rnnSequence(proj: View, whh: View, h: View, relu: boolean, reverse: boolean): void {
  const { T, B, H } = checkSequence('rnnSequence', 'proj', proj, whh, h, []);
  checkFlags('rnnSequence', relu, reverse);
  const gh = scratch(proj, B, H);
  const whhT = transposed(whh);
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    matmul(stepView(h, reverse ? t + 1 : t), whhT, gh);
    rnnCell(stepView(proj, t), gh, stepView(h, reverse ? t : t + 1), relu);
  }
}

export function rnnSequenceBackward(gradH: View, h: View, whh: View, dPre: View, dh0: View | null, relu: boolean, reverse: boolean): void {
  const [T, B, H] = gradH.shape as [number, number, number];
  const others: [string, View, readonly number[]][] = [['dPre', dPre, [T, B, H]]];
  if (dh0 !== null) others.push(['dh0', dh0, [B, H]]);
  checkSequence('rnnSequenceBackward', 'gradH', gradH, whh, h, others);
  checkFlags('rnnSequenceBackward', relu, reverse);
  const dhRec = scratch(gradH, B, H);
  fill(dhRec, 0);
  if (T === 0 && dh0 !== null) fill(dh0, 0);
  for (let q = T - 1; q >= 0; q--) {
    const t = reverse ? T - 1 - q : q;
    const d = stepView(dPre, t);
    rnnCellBackward(stepView(gradH, t), dhRec, stepView(h, reverse ? t : t + 1), d, relu);
    // The gradient of h_{t-1}: the next step's recurrent input, or h0's after the first step.
    if (q > 0) matmul(d, whh, dhRec);
    else if (dh0 !== null) matmul(d, whh, dh0);
  }
}
