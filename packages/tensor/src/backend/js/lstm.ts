import type { View } from '../backend.js';
import { UNARY_EXPR } from './elementwise.js';
import { type Rows, checkStepDType, rowsOf } from './step-rows.js';

/**
 * The fused LSTM step kernels (`Backend.lstmCell` and `Backend.lstmCellBackward`): one pass over
 * a step's [B, H] elements instead of ten (forward) or six (backward) elementwise kernel calls
 * plus the backward's whole-sequence factor buffers.
 *
 * They promise the bits of those unfused calls, so every operation is rounded where the unfused
 * sequence stored its result: either by storing it too (the gate pass), or, for values kept in
 * locals, in float32 through Math.fround (a JS double holding the exact sum or product of two
 * float32 values rounds to the same float32 as storing it in a Float32Array would); in float64 a
 * double is already the stored value. Hence two copies of those loops, as in optim.ts: a rounding
 * callback would be a megamorphic call per operation. lstm.test.ts checks both against the
 * unfused kernel sequence bit for bit.
 */

/** The unary sigmoid kernel's own formula (UNARY_EXPR in elementwise.ts), so the fused kernel gives its bits. */
const sigmoid = new Function('x0', `return ${UNARY_EXPR.sigmoid};`) as (x: number) => number;

/**
 * Checks the views of one call: 2-D, B rows, `4H` or `H` columns as `wide` says, one float dtype.
 * Throws a RangeError or TypeError naming the view, since nothing above the kernel checks them.
 */
function checkViews(kernel: string, names: readonly string[], views: readonly View[], wide: readonly boolean[], ref: number): { B: number; H: number } {
  const [B, G] = views[ref]!.shape as [number, number];
  const Ctor = views[ref]!.buffer.constructor;
  if (views[ref]!.shape.length !== 2 || G % 4 !== 0) {
    throw new RangeError(`${kernel}: ${names[ref]} must be [B, 4H], got [${views[ref]!.shape.join(', ')}]`);
  }
  const H = G / 4;
  for (let k = 0; k < views.length; k++) {
    const v = views[k]!;
    const W = wide[k] ? G : H;
    if (v.shape.length !== 2 || v.shape[0] !== B || v.shape[1] !== W) {
      throw new RangeError(`${kernel}: ${names[k]} must be [${B}, ${W}] (${wide[k] ? '[B, 4H]' : '[B, H]'} with ${names[ref]} [${B}, ${G}]), got [${v.shape.join(', ')}]`);
    }
    checkStepDType(kernel, names[k]!, v, names[ref]!, Ctor);
  }
  return { B, H };
}

const CELL_NAMES = ['proj', 'gh', 'act', 'cPrev', 'c', 'tc', 'h'] as const;
const CELL_WIDE = [true, true, true, false, false, false, false] as const;

export function lstmCell(proj: View, gh: View, act: View, cPrev: View, c: View, tc: View, h: View): void {
  const { B, H } = checkViews('lstmCell', CELL_NAMES, [proj, gh, act, cPrev, c, tc, h], CELL_WIDE, 2);
  const [P, Q, A, CP, C, TC, Hh] = [proj, gh, act, cPrev, c, tc, h].map(rowsOf) as [Rows, Rows, Rows, Rows, Rows, Rows, Rows];
  const stateRow = act.buffer instanceof Float32Array ? stateRowF32 : stateRowExact;
  for (let b = 0; b < B; b++) {
    gatesRow(H, b, P, Q, A);
    stateRow(H, b, A, CP, C, TC, Hh);
  }
}

/**
 * Row b of act, as the unfused calls compute it: proj + gh stored into act (the store rounds to
 * act's dtype), then sigmoid over the i and f slots, tanh over g, sigmoid over o, in place. On a
 * [64, 512] step these separate passes measured 10% faster than one doing each add and its
 * activation together, and 20% faster than one pass over the hidden units computing all four gates.
 */
function gatesRow(H: number, b: number, P: Rows, Q: Rows, A: Rows): void {
  const pa = P.a, qa = Q.a, aa = A.a, pcs = P.cs, qcs = Q.cs, acs = A.cs;
  const p = P.o + b * P.rs, q = Q.o + b * Q.rs, a = A.o + b * A.rs;
  for (let j = 0; j < 4 * H; j++) aa[a + j * acs] = pa[p + j * pcs]! + qa[q + j * qcs]!;
  for (let j = 0; j < 2 * H; j++) aa[a + j * acs] = sigmoid(aa[a + j * acs]!);
  for (let j = 2 * H; j < 3 * H; j++) aa[a + j * acs] = Math.tanh(aa[a + j * acs]!);
  for (let j = 3 * H; j < 4 * H; j++) aa[a + j * acs] = sigmoid(aa[a + j * acs]!);
}

/** Row b of c, tc and h from the gates in float32: every operation rounded as the unfused kernels store it. */
function stateRowF32(H: number, b: number, A: Rows, CP: Rows, C: Rows, TC: Rows, Hh: Rows): void {
  const f32 = Math.fround;
  const aa = A.a, cpa = CP.a, ca = C.a, ta = TC.a, ha = Hh.a;
  const acs = A.cs, cpcs = CP.cs, ccs = C.cs, tcs = TC.cs, hcs = Hh.cs;
  const a = A.o + b * A.rs, cp = CP.o + b * CP.rs, c = C.o + b * C.rs, t = TC.o + b * TC.rs, h = Hh.o + b * Hh.rs;
  for (let j = 0; j < H; j++) {
    const i = aa[a + j * acs]!, f = aa[a + (H + j) * acs]!, g = aa[a + (2 * H + j) * acs]!, o = aa[a + (3 * H + j) * acs]!;
    const ct = f32(f32(f * cpa[cp + j * cpcs]!) + f32(i * g));
    const tct = f32(Math.tanh(ct));
    ca[c + j * ccs] = ct;
    ta[t + j * tcs] = tct;
    ha[h + j * hcs] = o * tct;
  }
}

/** Row b of c, tc and h in float64 (each double is already the stored value). */
function stateRowExact(H: number, b: number, A: Rows, CP: Rows, C: Rows, TC: Rows, Hh: Rows): void {
  const aa = A.a, cpa = CP.a, ca = C.a, ta = TC.a, ha = Hh.a;
  const acs = A.cs, cpcs = CP.cs, ccs = C.cs, tcs = TC.cs, hcs = Hh.cs;
  const a = A.o + b * A.rs, cp = CP.o + b * CP.rs, c = C.o + b * C.rs, t = TC.o + b * TC.rs, h = Hh.o + b * Hh.rs;
  for (let j = 0; j < H; j++) {
    const i = aa[a + j * acs]!, f = aa[a + (H + j) * acs]!, g = aa[a + (2 * H + j) * acs]!, o = aa[a + (3 * H + j) * acs]!;
    const ct = f * cpa[cp + j * cpcs]! + i * g;
    const tct = Math.tanh(ct);
    ca[c + j * ccs] = ct;
    ta[t + j * tcs] = tct;
    ha[h + j * hcs] = o * tct;
  }
}

const BACKWARD_NAMES = ['gradH', 'gradHRec', 'act', 'cPrev', 'tc', 'dc', 'dPre'] as const;
const BACKWARD_WIDE = [false, false, true, false, false, false, true] as const;

export function lstmCellBackward(gradH: View, gradHRec: View, act: View, cPrev: View, tc: View, dc: View, dPre: View): void {
  const { B, H } = checkViews('lstmCellBackward', BACKWARD_NAMES, [gradH, gradHRec, act, cPrev, tc, dc, dPre], BACKWARD_WIDE, 2);
  const [GH, GR, A, CP, TC, DC, D] = [gradH, gradHRec, act, cPrev, tc, dc, dPre].map(rowsOf) as [Rows, Rows, Rows, Rows, Rows, Rows, Rows];
  const row = act.buffer instanceof Float32Array ? backwardRowF32 : backwardRowExact;
  for (let b = 0; b < B; b++) row(H, b, GH, GR, A, CP, TC, DC, D);
}

/**
 * Row b of lstmCellBackward in float32, in the unfused order: dh = gradH + gradHRec,
 * dc += dh·((1 - tc·tc)·o), the four gate gradients, then dc ·= f.
 */
function backwardRowF32(H: number, b: number, GH: Rows, GR: Rows, A: Rows, CP: Rows, TC: Rows, DC: Rows, D: Rows): void {
  const f32 = Math.fround;
  const gha = GH.a, gra = GR.a, aa = A.a, cpa = CP.a, ta = TC.a, dca = DC.a, da = D.a;
  const ghcs = GH.cs, grcs = GR.cs, acs = A.cs, cpcs = CP.cs, tcs = TC.cs, dccs = DC.cs, dcs = D.cs;
  const gh = GH.o + b * GH.rs, gr = GR.o + b * GR.rs, a = A.o + b * A.rs;
  const cp = CP.o + b * CP.rs, t = TC.o + b * TC.rs, dcr = DC.o + b * DC.rs, d = D.o + b * D.rs;
  for (let j = 0; j < H; j++) {
    const i = aa[a + j * acs]!, f = aa[a + (H + j) * acs]!, g = aa[a + (2 * H + j) * acs]!, o = aa[a + (3 * H + j) * acs]!;
    const tct = ta[t + j * tcs]!;
    const dh = f32(gha[gh + j * ghcs]! + gra[gr + j * grcs]!);
    const dtc = f32(f32(1 - f32(tct * tct)) * o);
    const dc = f32(dca[dcr + j * dccs]! + f32(dh * dtc));
    da[d + j * dcs] = dc * f32(f32(i - f32(i * i)) * g);
    da[d + (H + j) * dcs] = dc * f32(f32(f - f32(f * f)) * cpa[cp + j * cpcs]!);
    da[d + (2 * H + j) * dcs] = dc * f32(f32(1 - f32(g * g)) * i);
    da[d + (3 * H + j) * dcs] = dh * f32(f32(o - f32(o * o)) * tct);
    dca[dcr + j * dccs] = dc * f;
  }
}

/** Row b of lstmCellBackward in float64. */
function backwardRowExact(H: number, b: number, GH: Rows, GR: Rows, A: Rows, CP: Rows, TC: Rows, DC: Rows, D: Rows): void {
  const gha = GH.a, gra = GR.a, aa = A.a, cpa = CP.a, ta = TC.a, dca = DC.a, da = D.a;
  const ghcs = GH.cs, grcs = GR.cs, acs = A.cs, cpcs = CP.cs, tcs = TC.cs, dccs = DC.cs, dcs = D.cs;
  const gh = GH.o + b * GH.rs, gr = GR.o + b * GR.rs, a = A.o + b * A.rs;
  const cp = CP.o + b * CP.rs, t = TC.o + b * TC.rs, dcr = DC.o + b * DC.rs, d = D.o + b * D.rs;
  for (let j = 0; j < H; j++) {
    const i = aa[a + j * acs]!, f = aa[a + (H + j) * acs]!, g = aa[a + (2 * H + j) * acs]!, o = aa[a + (3 * H + j) * acs]!;
    const tct = ta[t + j * tcs]!;
    const dh = gha[gh + j * ghcs]! + gra[gr + j * grcs]!;
    const dtc = (1 - tct * tct) * o;
    const dc = dca[dcr + j * dccs]! + dh * dtc;
    da[d + j * dcs] = dc * ((i - i * i) * g);
    da[d + (H + j) * dcs] = dc * ((f - f * f) * cpa[cp + j * cpcs]!);
    da[d + (2 * H + j) * dcs] = dc * ((1 - g * g) * i);
    da[d + (3 * H + j) * dcs] = dh * ((o - o * o) * tct);
    dca[dcr + j * dccs] = dc * f;
  }
}
