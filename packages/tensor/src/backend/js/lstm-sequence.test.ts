import { describe, expect, it } from 'vitest';
import type { View } from '../backend.js';
import type { TypedArray } from '../../dtype.js';
import { jsBackend } from './index.js';
import { lcg } from '../../test-utils/naive.js';
import { naiveLstmBackward, naiveLstmForward } from '../../test-utils/lstm-sequence-reference.js';
import { maxAbsDiff, snapshot, valuesOf } from '../../test-utils/rnn-sequence-reference.js';
import { type FloatCtor, contiguousView, paddedSteps, recurrentWeight } from '../../test-utils/sequence-views.js';

const dtypes: [string, FloatCtor, number][] = [['float32', Float32Array, 2e-5], ['float64', Float64Array, 1e-12]];
const randInt = (r: () => number, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const contiguous = (C: FloatCtor, shape: number[], r: () => number): View => contiguousView(r, C, shape);

/** Fails unless `after` equals `before` outside flat indices [from, to). */
function expectUntouchedOutside(before: TypedArray, after: TypedArray, from: number, to: number, label: string): void {
  for (let i = 0; i < before.length; i++) {
    if ((i < from || i >= to) && !Object.is(before[i], after[i])) expect.fail(`${label}: element ${i} outside the output changed`);
  }
}
/** Flat index range of rows [first, first + n) of a contiguous view (rows along dim 0). */
function rowRange(v: View, first: number, n: number): [number, number] {
  const row = v.shape.slice(1).reduce((a, b) => a * b, 1);
  return [v.offset + first * row, v.offset + (first + n) * row];
}

describe('js lstmSequence / lstmSequenceBackward against a naive float64 recurrence', () => {
  for (const [name, C, tol] of dtypes) {
    it(`${name}: random shapes, strides and directions`, () => {
      const r = lcg(name === 'float32' ? 17 : 18);
      for (let n = 0; n < 50; n++) {
        const T = randInt(r, 0, 5), B = randInt(r, 1, 6), H = randInt(r, 1, 7);
        const reverse = r() < 0.5;
        const label = `${name} T=${T} B=${B} H=${H} reverse=${reverse}`;
        const proj = paddedSteps(r, C, T, B, 4 * H, 2), whh = recurrentWeight(r, C, 4 * H, H, 1);
        const act = contiguous(C, [T, B, 4 * H], r), c = contiguous(C, [T + 1, B, H], r), tc = contiguous(C, [T, B, H], r), h = contiguous(C, [T + 1, B, H], r);
        const before = [act, c, tc, h].map((v) => snapshot(v.buffer));
        jsBackend.lstmSequence(proj, whh, act, c, tc, h, reverse);
        const want = naiveLstmForward(proj, whh, { ...h, buffer: before[3]! }, { ...c, buffer: before[1]! }, reverse);
        expect(maxAbsDiff(valuesOf(act), want.act), `${label} act`).toBeLessThanOrEqual(tol);
        expect(maxAbsDiff(valuesOf(c), want.c), `${label} c`).toBeLessThanOrEqual(tol);
        expect(maxAbsDiff(valuesOf(tc), want.tc), `${label} tc`).toBeLessThanOrEqual(tol);
        expect(maxAbsDiff(valuesOf(h), want.h), `${label} h`).toBeLessThanOrEqual(tol);
        // Only the outputs' rows were written: every step's act and tc, every state row but the initial.
        const written = reverse ? 0 : 1;
        expectUntouchedOutside(before[0]!, act.buffer, ...rowRange(act, 0, T), `${label} act`);
        expectUntouchedOutside(before[1]!, c.buffer, ...rowRange(c, written, T), `${label} c`);
        expectUntouchedOutside(before[2]!, tc.buffer, ...rowRange(tc, 0, T), `${label} tc`);
        expectUntouchedOutside(before[3]!, h.buffer, ...rowRange(h, written, T), `${label} h`);

        const gradH = paddedSteps(r, C, T, B, H, 1), dc = contiguous(C, [B, H], r), dPre = contiguous(C, [T, B, 4 * H], r);
        const dh0 = r() < 0.7 ? contiguous(C, [B, H], r) : null;
        const dcBefore = { ...dc, buffer: snapshot(dc.buffer) }, dPreBefore = snapshot(dPre.buffer);
        jsBackend.lstmSequenceBackward(gradH, { act, c, tc }, whh, dc, dPre, dh0, reverse);
        const grads = naiveLstmBackward(gradH, act, c, tc, whh, dcBefore, reverse);
        expect(maxAbsDiff(valuesOf(dPre), grads.dPre), `${label} dPre`).toBeLessThanOrEqual(tol);
        expect(maxAbsDiff(valuesOf(dc), grads.dc), `${label} dc`).toBeLessThanOrEqual(tol);
        if (dh0 !== null) expect(maxAbsDiff(valuesOf(dh0), grads.dh0), `${label} dh0`).toBeLessThanOrEqual(tol);
        expectUntouchedOutside(dPreBefore, dPre.buffer, ...rowRange(dPre, 0, T), `${label} dPre`);
        expectUntouchedOutside(dcBefore.buffer, dc.buffer, dc.offset, dc.offset + B * H, `${label} dc`);
      }
    });
  }

  it('with no step: h0 gets a zero gradient and c0 the final c\'s', () => {
    const r = lcg(3);
    const v = (shape: number[]) => contiguous(Float32Array, shape, r);
    const dh0 = v([2, 3]), dc = v([2, 3]);
    const dcBefore = valuesOf(dc);
    jsBackend.lstmSequenceBackward(v([0, 2, 3]), { act: v([0, 2, 12]), c: v([1, 2, 3]), tc: v([0, 2, 3]) }, v([12, 3]), dc, v([0, 2, 12]), dh0, false);
    expect(valuesOf(dh0)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(valuesOf(dc)).toEqual(dcBefore);
  });

  it('names a wrong shape, dtype or flag', () => {
    const r = lcg(4);
    const v = (shape: number[], C: FloatCtor = Float32Array) => contiguous(C, shape, r);
    const fwd = (proj: View, whh: View, act: View, c: View, tc: View, h: View, reverse: unknown = false) => () =>
      jsBackend.lstmSequence(proj, whh, act, c, tc, h, reverse as boolean);
    expect(fwd(v([2, 8]), v([8, 2]), v([2, 3, 8]), v([3, 3, 2]), v([2, 3, 2]), v([3, 3, 2]))).toThrow(/lstmSequence: proj must be 3-D \[T, B, 4H\], got \[2, 8\]/);
    expect(fwd(v([2, 3, 6]), v([6, 2]), v([2, 3, 6]), v([3, 3, 2]), v([2, 3, 2]), v([3, 3, 2]))).toThrow(/proj must be 3-D \[T, B, 4H\], got \[2, 3, 6\]/);
    expect(fwd(v([2, 3, 8]), v([2, 8]), v([2, 3, 8]), v([3, 3, 2]), v([2, 3, 2]), v([3, 3, 2]))).toThrow(/lstmSequence: whh must be \[8, 2\] \(from proj \[2, 3, 8\]\), got \[2, 8\]/);
    expect(fwd(v([2, 3, 8]), v([8, 2]), v([2, 3, 8]), v([2, 3, 2]), v([2, 3, 2]), v([3, 3, 2]))).toThrow(/c must be \[3, 3, 2\]/);
    expect(fwd(v([2, 3, 8]), v([8, 2]), v([2, 3, 8]), v([3, 3, 2]), v([2, 3, 2]), v([3, 3, 3]))).toThrow(/h must be \[3, 3, 2\]/);
    expect(fwd(v([2, 3, 8]), v([8, 2]), v([2, 3, 8], Float64Array), v([3, 3, 2]), v([2, 3, 2]), v([3, 3, 2]))).toThrow(/act is Float64Array but proj is Float32Array/);
    expect(fwd(v([2, 3, 8]), v([8, 2]), v([2, 3, 8]), v([3, 3, 2]), v([2, 3, 2]), v([3, 3, 2]), 1)).toThrow(/lstmSequence: reverse must be a boolean/);
    const saved = { act: v([2, 3, 8]), c: v([3, 3, 2]), tc: v([2, 3, 2]) };
    const bwd = (dc: View, dPre: View, dh0: View | null, reverse: unknown = false) => () =>
      jsBackend.lstmSequenceBackward(v([2, 3, 2]), saved, v([8, 2]), dc, dPre, dh0, reverse as boolean);
    expect(bwd(v([3, 2]), v([2, 3, 8]), v([3, 3]))).toThrow(/lstmSequenceBackward: dh0 must be \[3, 2\]/);
    expect(bwd(v([3, 2]), v([2, 3, 2]), null)).toThrow(/dPre must be \[2, 3, 8\]/);
    expect(bwd(v([2, 3]), v([2, 3, 8]), null)).toThrow(/dc must be \[3, 2\]/);
    expect(bwd(v([3, 2], Float64Array), v([2, 3, 8]), null)).toThrow(/dc is Float64Array but gradH is Float32Array/);
    expect(bwd(v([3, 2]), v([2, 3, 8]), null, 'yes')).toThrow(/reverse must be a boolean/);
  });
});
