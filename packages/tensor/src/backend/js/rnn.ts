import type { View } from '../backend.js';
import { type Rows, checkStepDType, rowsOf } from './step-rows.js';

/**
 * The fused Elman RNN step kernels (`Backend.rnnCell` and `Backend.rnnCellBackward`): one pass
 * over a step's [B, H] elements instead of two elementwise kernel calls each way (plus the
 * backward's whole-sequence derivative buffer).
 *
 * They promise the bits of those unfused calls (rnn-reference.ts in test-utils), so every
 * operation is rounded where the unfused sequence stored its result: by storing it too (the
 * forward's sum goes through h), or, for values kept in locals, in float32 through Math.fround (the
 * exact double sum or product of two float32 values rounds to the float32 a Float32Array store
 * would give); in float64 a double is already the stored value. Hence two copies of the backward
 * loop, as in lstm.ts. rnn.test.ts checks both against the unfused kernel sequence bit for bit.
 */

/**
 * Checks the views of one call: 2-D [B, H] like the first, one float dtype, and a boolean relu.
 * Throws a RangeError or TypeError naming what is wrong, since nothing above the kernel checks it.
 */
function checkViews(kernel: string, names: readonly string[], views: readonly View[], relu: unknown): { B: number; H: number } {
  const first = views[0]!;
  if (first.shape.length !== 2) throw new RangeError(`${kernel}: ${names[0]} must be 2-D [B, H], got [${first.shape.join(', ')}]`);
  const [B, H] = first.shape as [number, number];
  const Ctor = first.buffer.constructor;
  for (let k = 0; k < views.length; k++) {
    const v = views[k]!;
    if (v.shape.length !== 2 || v.shape[0] !== B || v.shape[1] !== H) {
      throw new RangeError(`${kernel}: ${names[k]} must be [${B}, ${H}] (the shape of ${names[0]}), got [${v.shape.join(', ')}]`);
    }
    checkStepDType(kernel, names[k]!, v, names[0]!, Ctor);
  }
  if (typeof relu !== 'boolean') throw new TypeError(`${kernel}: relu must be a boolean, got ${typeof relu}`);
  return { B, H };
}

const CELL_NAMES = ['proj', 'gh', 'h'] as const;

export function rnnCell(proj: View, gh: View, h: View, relu: boolean): void {
  const { B, H } = checkViews('rnnCell', CELL_NAMES, [proj, gh, h], relu);
  const P = rowsOf(proj), Q = rowsOf(gh), O = rowsOf(h);
  const pa = P.a, qa = Q.a, ha = O.a, pcs = P.cs, qcs = Q.cs, hcs = O.cs;
  for (let b = 0; b < B; b++) {
    const p = P.o + b * P.rs, q = Q.o + b * Q.rs, o = O.o + b * O.rs;
    // The sum is stored first (the store rounds it to h's dtype), then activated in place.
    for (let j = 0; j < H; j++) ha[o + j * hcs] = pa[p + j * pcs]! + qa[q + j * qcs]!;
    if (relu) {
      // UNARY_EXPR.relu's values (elementwise.ts): NaN passes, -0, -Infinity and negatives give +0.
      for (let j = 0; j < H; j++) {
        const x = ha[o + j * hcs]!;
        ha[o + j * hcs] = x > 0 || x !== x ? x : 0;
      }
    } else {
      for (let j = 0; j < H; j++) ha[o + j * hcs] = Math.tanh(ha[o + j * hcs]!);
    }
  }
}

const BACKWARD_NAMES = ['gradH', 'gradHRec', 'h', 'dPre'] as const;

export function rnnCellBackward(gradH: View, gradHRec: View, h: View, dPre: View, relu: boolean): void {
  const { B, H } = checkViews('rnnCellBackward', BACKWARD_NAMES, [gradH, gradHRec, h, dPre], relu);
  const GH = rowsOf(gradH), GR = rowsOf(gradHRec), O = rowsOf(h), D = rowsOf(dPre);
  const row = relu ? backwardRowRelu : h.buffer instanceof Float32Array ? backwardRowTanhF32 : backwardRowTanhExact;
  for (let b = 0; b < B; b++) row(H, b, GH, GR, O, D);
}

/**
 * Row b for relu, either dtype: dh = gradH + gradHRec rounded by Math.fround in float32, then
 * dh·1 or dh·0 (exact, so the store's rounding is the mul kernel's).
 */
function backwardRowRelu(H: number, b: number, GH: Rows, GR: Rows, O: Rows, D: Rows): void {
  const gha = GH.a, gra = GR.a, ha = O.a, da = D.a;
  const ghcs = GH.cs, grcs = GR.cs, hcs = O.cs, dcs = D.cs;
  const gh = GH.o + b * GH.rs, gr = GR.o + b * GR.rs, h = O.o + b * O.rs, d = D.o + b * D.rs;
  const round = da instanceof Float32Array ? Math.fround : (x: number) => x;
  for (let j = 0; j < H; j++) {
    const dh = round(gha[gh + j * ghcs]! + gra[gr + j * grcs]!);
    da[d + j * dcs] = dh * (ha[h + j * hcs]! > 0 ? 1 : 0);
  }
}

/** Row b for tanh in float32, rounded as the unfused kernels store: dh = gradH + gradHRec, dPre = dh·(1 - h·h). */
function backwardRowTanhF32(H: number, b: number, GH: Rows, GR: Rows, O: Rows, D: Rows): void {
  const f32 = Math.fround;
  const gha = GH.a, gra = GR.a, ha = O.a, da = D.a;
  const ghcs = GH.cs, grcs = GR.cs, hcs = O.cs, dcs = D.cs;
  const gh = GH.o + b * GH.rs, gr = GR.o + b * GR.rs, h = O.o + b * O.rs, d = D.o + b * D.rs;
  for (let j = 0; j < H; j++) {
    const dh = f32(gha[gh + j * ghcs]! + gra[gr + j * grcs]!);
    const y = ha[h + j * hcs]!;
    da[d + j * dcs] = dh * f32(1 - f32(y * y));
  }
}

/** Row b for tanh in float64. */
function backwardRowTanhExact(H: number, b: number, GH: Rows, GR: Rows, O: Rows, D: Rows): void {
  const gha = GH.a, gra = GR.a, ha = O.a, da = D.a;
  const ghcs = GH.cs, grcs = GR.cs, hcs = O.cs, dcs = D.cs;
  const gh = GH.o + b * GH.rs, gr = GR.o + b * GR.rs, h = O.o + b * O.rs, d = D.o + b * D.rs;
  for (let j = 0; j < H; j++) {
    const dh = gha[gh + j * ghcs]! + gra[gr + j * grcs]!;
    const y = ha[h + j * hcs]!;
    da[d + j * dcs] = dh * (1 - y * y);
  }
}
