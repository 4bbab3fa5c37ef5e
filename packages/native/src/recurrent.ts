import { type FloatArray, isContiguousOf, mayOverlap, sameFloat } from './views.js';
import type { NativeBackend, RawAddon, View } from './types.js';

/**
 * The recurrent layers' kernels: one LSTM or RNN time step's elementwise work (lstmCell, rnnCell
 * and their backward) and whole Elman RNN / LSTM sequences (rnnSequence, lstmSequence and their
 * backward), each declining (returning false) what the addon does not take, so TS runs it.
 */

// The LSTM step kernels: meta = [B, H, then the row stride and offset of each of the seven views].
const lstmMeta = new Float64Array(2 + 2 * 7);
// The step is mostly sigmoid and tanh, whose native crossover is 64 elements (elementwise.ts);
// below that many gate elements (B·4H) the TS loop wins.
const MIN_LSTM_GATES = 64;
const CELL_WIDE = [true, true, true, false, false, false, false];
const CELL_OUTPUTS = [false, false, true, false, true, true, true];
const BACKWARD_WIDE = [false, false, true, false, false, false, true];
const BACKWARD_OUTPUTS = [false, false, false, false, false, true, true];
// Byte ranges of the views of the current step-kernel call, reused (at most seven views).
const stepLo = new Float64Array(7);
const stepHi = new Float64Array(7);

/**
 * Whether 2-D step views can run a native LSTM/RNN step kernel, writing `meta` = [B, H, then each
 * view's row stride and offset] if so: view k is [B, G] where `wide` says so and [B, H]
 * otherwise, every view one float dtype with unit column stride, and each view marked in
 * `outputs` has disjoint rows and no byte shared with another view (the addon checks all of this
 * again and throws). Anything else declines to the TS kernel, which takes any strides and names
 * a wrong shape or dtype.
 */
function stepOperands(meta: Float64Array, views: readonly View[], B: number, H: number, G: number, wide: readonly boolean[], outputs: readonly boolean[]): boolean {
  if (!sameFloat(...views)) return false;
  for (let k = 0; k < views.length; k++) {
    const v = views[k]!;
    const W = wide[k] ? G : H;
    const rs = v.strides[0]!;
    if (v.shape.length !== 2 || v.shape[0] !== B || v.shape[1] !== W || (W > 1 && v.strides[1] !== 1)) return false;
    if (outputs[k] && B > 1 && Math.abs(rs) < W) return false;
    const size = v.buffer.BYTES_PER_ELEMENT;
    const start = v.buffer.byteOffset + v.offset * size;
    stepLo[k] = start + Math.min(0, (B - 1) * rs) * size;
    stepHi[k] = start + (Math.max(0, (B - 1) * rs) + W) * size;
    meta[2 + 2 * k] = rs;
    meta[3 + 2 * k] = v.offset;
  }
  for (let k = 0; k < views.length; k++) {
    if (!outputs[k]) continue;
    for (let j = 0; j < views.length; j++) {
      if (j !== k && views[j]!.buffer.buffer === views[k]!.buffer.buffer && stepLo[j]! < stepHi[k]! && stepLo[k]! < stepHi[j]!) return false;
    }
  }
  meta[0] = B;
  meta[1] = H;
  return true;
}

/**
 * Whether seven views can run a native LSTM step kernel (see stepOperands): act (the third)
 * [B, 4H] with B·4H >= MIN_LSTM_GATES, every view [B, 4H] where `wide` says so and [B, H] otherwise.
 */
function lstmOperands(views: readonly View[], wide: readonly boolean[], outputs: readonly boolean[]): boolean {
  const act = views[2]!;
  if (act.shape.length !== 2) return false;
  const B = act.shape[0]!, G = act.shape[1]!;
  if (G % 4 !== 0 || B * G < MIN_LSTM_GATES) return false;
  return stepOperands(lstmMeta, views, B, G / 4, G, wide, outputs);
}

// The RNN step kernels: meta = [B, H, then the row stride and offset of each view].
const rnnCellMeta = new Float64Array(2 + 2 * 3);
const rnnBackwardMeta = new Float64Array(2 + 2 * 4);
// Below this many elements (B·H) the TS loop wins: 64 for the tanh step, as the unary tanh
// kernel's crossover (elementwise.ts); the relu step and the backward are a few cheap operations
// per element, whose crossover is a few hundred.
const MIN_RNN_TANH = 64;
const MIN_RNN_CHEAP = 256;
const NOT_WIDE = [false, false, false, false];
const RNN_CELL_OUTPUTS = [false, false, true];
const RNN_BACKWARD_OUTPUTS = [false, false, false, true];

/**
 * Whether [B, H] views (the shape of the first) can run a native RNN step kernel with B·H >= `min`,
 * the last being the one written (see stepOperands).
 */
function rnnOperands(meta: Float64Array, views: readonly View[], outputs: readonly boolean[], min: number): boolean {
  const first = views[0]!;
  if (first.shape.length !== 2) return false;
  const B = first.shape[0]!, H = first.shape[1]!;
  if (B * H < min) return false;
  return stepOperands(meta, views, B, H, H, NOT_WIDE, outputs);
}

// The whole-sequence RNN kernels: meta as types.ts documents.
const rnnSequenceMeta = new Float64Array(11);
const rnnSequenceBackwardMeta = new Float64Array(14);

/**
 * Fills meta[0..10) with T, B, H, reverse, the [T, B, H] steps view's step stride, row stride and
 * offset, and whh's strides and offset, when the operands suit the addon: one float dtype, steps
 * with unit column stride, whh [H, H], h a contiguous [T + 1, B, H] sharing no memory with the
 * inputs. Anything else declines to the TS kernel, which takes any strides and names a wrong
 * shape or dtype.
 */
function sequenceOperands(meta: Float64Array, steps: View, whh: View, h: View, reverse: unknown): boolean {
  if (typeof reverse !== 'boolean' || !sameFloat(steps, whh, h) || steps.shape.length !== 3) return false;
  const [T, B, H] = steps.shape as [number, number, number];
  if (H > 1 && steps.strides[2] !== 1) return false;
  if (whh.shape.length !== 2 || whh.shape[0] !== H || whh.shape[1] !== H || !isContiguousOf(h, [T + 1, B, H])) return false;
  if (mayOverlap(h, steps) || mayOverlap(h, whh)) return false;
  meta[0] = T; meta[1] = B; meta[2] = H; meta[3] = reverse ? 1 : 0;
  meta[4] = steps.strides[0]!; meta[5] = steps.strides[1]!; meta[6] = steps.offset;
  meta[7] = whh.strides[0]!; meta[8] = whh.strides[1]!; meta[9] = whh.offset;
  meta[10] = h.offset;
  return true;
}

// The whole-sequence LSTM kernels: meta as types.ts documents.
const lstmSequenceMeta = new Float64Array(14);
const lstmSequenceBackwardMeta = new Float64Array(17);

/** Whether no view in `written` may share memory with one in `inputs` or with another written one. */
function apart(written: readonly View[], inputs: readonly View[]): boolean {
  for (let k = 0; k < written.length; k++) {
    if (inputs.some((v) => mayOverlap(written[k]!, v)) || written.slice(0, k).some((v) => mayOverlap(written[k]!, v))) return false;
  }
  return true;
}

/**
 * Fills meta[0..13) with T, B, H, reverse, the steps view's step stride, row stride and offset
 * (proj [T, B, 4H] when `wide`, else gradH [T, B, H]), whh's strides and offset, and the offsets of
 * act, c and tc, when they suit the addon: one float dtype, steps with unit column stride, whh
 * [4H, H], act [T, B, 4H], c [T + 1, B, H] and tc [T, B, H] contiguous. Anything else declines to
 * the TS kernel, which takes any strides and names a wrong shape or dtype.
 */
function lstmSequenceOperands(meta: Float64Array, steps: View, wide: boolean, whh: View, act: View, c: View, tc: View, reverse: unknown): boolean {
  if (typeof reverse !== 'boolean' || !sameFloat(steps, whh, act, c, tc) || steps.shape.length !== 3) return false;
  const [T, B, W] = steps.shape as [number, number, number];
  if ((wide && W % 4 !== 0) || (W > 1 && steps.strides[2] !== 1)) return false;
  const H = wide ? W / 4 : W;
  if (whh.shape.length !== 2 || whh.shape[0] !== 4 * H || whh.shape[1] !== H) return false;
  if (!isContiguousOf(act, [T, B, 4 * H]) || !isContiguousOf(c, [T + 1, B, H]) || !isContiguousOf(tc, [T, B, H])) return false;
  meta[0] = T; meta[1] = B; meta[2] = H; meta[3] = reverse ? 1 : 0;
  meta[4] = steps.strides[0]!; meta[5] = steps.strides[1]!; meta[6] = steps.offset;
  meta[7] = whh.strides[0]!; meta[8] = whh.strides[1]!; meta[9] = whh.offset;
  meta[10] = act.offset; meta[11] = c.offset; meta[12] = tc.offset;
  return true;
}

type RecurrentKernel = 'lstmCell' | 'lstmCellBackward' | 'rnnCell' | 'rnnCellBackward' | 'rnnSequence' | 'rnnSequenceBackward' | 'lstmSequence' | 'lstmSequenceBackward';

/** The recurrent kernels over the raw addon. */
export function recurrentKernels(addon: RawAddon): Pick<NativeBackend, RecurrentKernel> {
  return {
    lstmCell(proj, gh, act, cPrev, c, tc, h) {
      if (!lstmOperands([proj, gh, act, cPrev, c, tc, h], CELL_WIDE, CELL_OUTPUTS)) return false;
      addon.lstmCell(proj.buffer as FloatArray, gh.buffer as FloatArray, act.buffer as FloatArray, cPrev.buffer as FloatArray,
        c.buffer as FloatArray, tc.buffer as FloatArray, h.buffer as FloatArray, lstmMeta);
    },

    lstmCellBackward(gradH, gradHRec, act, cPrev, tc, dc, dPre) {
      if (!lstmOperands([gradH, gradHRec, act, cPrev, tc, dc, dPre], BACKWARD_WIDE, BACKWARD_OUTPUTS)) return false;
      addon.lstmCellBackward(gradH.buffer as FloatArray, gradHRec.buffer as FloatArray, act.buffer as FloatArray, cPrev.buffer as FloatArray,
        tc.buffer as FloatArray, dc.buffer as FloatArray, dPre.buffer as FloatArray, lstmMeta);
    },

    rnnCell(proj, gh, h, relu) {
      if (typeof relu !== 'boolean' || !rnnOperands(rnnCellMeta, [proj, gh, h], RNN_CELL_OUTPUTS, relu ? MIN_RNN_CHEAP : MIN_RNN_TANH)) return false;
      addon.rnnCell(proj.buffer as FloatArray, gh.buffer as FloatArray, h.buffer as FloatArray, rnnCellMeta, relu);
    },

    rnnCellBackward(gradH, gradHRec, h, dPre, relu) {
      if (typeof relu !== 'boolean' || !rnnOperands(rnnBackwardMeta, [gradH, gradHRec, h, dPre], RNN_BACKWARD_OUTPUTS, MIN_RNN_CHEAP)) return false;
      addon.rnnCellBackward(gradH.buffer as FloatArray, gradHRec.buffer as FloatArray, h.buffer as FloatArray, dPre.buffer as FloatArray, rnnBackwardMeta, relu);
    },

    rnnSequence(proj, whh, h, relu, reverse) {
      if (typeof relu !== 'boolean' || !sequenceOperands(rnnSequenceMeta, proj, whh, h, reverse)) return false;
      addon.rnnSequence(proj.buffer as FloatArray, whh.buffer as FloatArray, h.buffer as FloatArray, rnnSequenceMeta, relu);
    },

    rnnSequenceBackward(gradH, h, whh, dPre, dh0, relu, reverse) {
      const m = rnnSequenceBackwardMeta;
      if (typeof relu !== 'boolean' || !sequenceOperands(m, gradH, whh, h, reverse)) return false;
      const [T, B, H] = gradH.shape as [number, number, number];
      if (!sameFloat(gradH, dPre, dh0) || !isContiguousOf(dPre, [T, B, H]) || (dh0 !== null && !isContiguousOf(dh0, [B, H]))) return false;
      for (const out of dh0 === null ? [dPre] : [dPre, dh0]) {
        if (mayOverlap(out, gradH) || mayOverlap(out, h) || mayOverlap(out, whh)) return false;
      }
      if (dh0 !== null && mayOverlap(dh0, dPre)) return false;
      m[11] = dPre.offset;
      m[12] = dh0 === null ? 0 : 1;
      m[13] = dh0 === null ? 0 : dh0.offset;
      addon.rnnSequenceBackward(gradH.buffer as FloatArray, h.buffer as FloatArray, whh.buffer as FloatArray, dPre.buffer as FloatArray, (dh0 ?? dPre).buffer as FloatArray, m, relu);
    },

    lstmSequence(proj, whh, act, c, tc, h, reverse) {
      const m = lstmSequenceMeta;
      if (!lstmSequenceOperands(m, proj, true, whh, act, c, tc, reverse)) return false;
      const [T, B] = proj.shape as [number, number, number];
      if (!sameFloat(proj, h) || !isContiguousOf(h, [T + 1, B, m[2]!]) || !apart([act, c, tc, h], [proj, whh])) return false;
      m[13] = h.offset;
      addon.lstmSequence(proj.buffer as FloatArray, whh.buffer as FloatArray, act.buffer as FloatArray, c.buffer as FloatArray, tc.buffer as FloatArray, h.buffer as FloatArray, m);
    },

    lstmSequenceBackward(gradH, saved, whh, dc, dPre, dh0, reverse) {
      const m = lstmSequenceBackwardMeta;
      const { act, c, tc } = saved;
      if (!lstmSequenceOperands(m, gradH, false, whh, act, c, tc, reverse)) return false;
      const [T, B, H] = gradH.shape as [number, number, number];
      if (!sameFloat(gradH, dc, dPre, dh0) || !isContiguousOf(dc, [B, H]) || !isContiguousOf(dPre, [T, B, 4 * H])) return false;
      if ((dh0 !== null && !isContiguousOf(dh0, [B, H])) || !apart(dh0 === null ? [dc, dPre] : [dc, dPre, dh0], [gradH, act, c, tc, whh])) return false;
      m[13] = dc.offset;
      m[14] = dPre.offset;
      m[15] = dh0 === null ? 0 : 1;
      m[16] = dh0 === null ? 0 : dh0.offset;
      addon.lstmSequenceBackward(gradH.buffer as FloatArray, act.buffer as FloatArray, c.buffer as FloatArray, tc.buffer as FloatArray, whh.buffer as FloatArray,
        dc.buffer as FloatArray, dPre.buffer as FloatArray, (dh0 ?? dPre).buffer as FloatArray, m);
    },
  };
}
