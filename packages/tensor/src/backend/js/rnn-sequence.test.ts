import { describe, expect, it } from 'vitest';
import type { View } from '../backend.js';
import type { TypedArray } from '../../dtype.js';
import { jsBackend } from './index.js';
import { lcg } from '../../test-utils/naive.js';
import { maxAbsDiff, naiveRnnBackward, naiveRnnForward, snapshot, valuesOf } from '../../test-utils/rnn-sequence-reference.js';
import { type FloatCtor, contiguousView, paddedSteps, recurrentWeight } from '../../test-utils/sequence-views.js';

const dtypes: [string, FloatCtor, number][] = [['float32', Float32Array, 2e-5], ['float64', Float64Array, 1e-12]];
const randInt = (r: () => number, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const contiguous = (C: FloatCtor, shape: number[], r: () => number): View => contiguousView(r, C, shape);

/** Fails unless `after` equals `before` outside the elements `written` (flat buffer indices). */
function expectUntouchedOutside(before: TypedArray, after: TypedArray, written: Set<number>, label: string): void {
  for (let i = 0; i < before.length; i++) {
    if (!written.has(i) && !Object.is(before[i], after[i])) expect.fail(`${label}: element ${i} outside the outputs changed`);
  }
}
function indicesOf(v: View, rows: number[]): Set<number> {
  const s = new Set<number>();
  const [, B, H] = v.shape as [number, number, number];
  for (const row of rows) for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) s.add(v.offset + row * v.strides[0]! + b * v.strides[1]! + j * v.strides[2]!);
  return s;
}

describe('js rnnSequence / rnnSequenceBackward against a naive float64 recurrence', () => {
  for (const [name, C, tol] of dtypes) {
    it(`${name}: random shapes, strides, directions and nonlinearities`, () => {
      const r = lcg(name === 'float32' ? 7 : 8);
      for (let n = 0; n < 60; n++) {
        const T = randInt(r, 0, 5), B = randInt(r, 1, 6), H = randInt(r, 1, 9);
        const relu = r() < 0.5, reverse = r() < 0.5;
        const proj = paddedSteps(r, C, T, B, H, 2), whh = recurrentWeight(r, C, H, H, 0.5), h = contiguous(C, [T + 1, B, H], r);
        const hBefore = snapshot(h.buffer);
        jsBackend.rnnSequence(proj, whh, h, relu, reverse);
        const label = `${name} T=${T} B=${B} H=${H} relu=${relu} reverse=${reverse}`;
        expect(maxAbsDiff(valuesOf(h), naiveRnnForward(proj, whh, { ...h, buffer: hBefore }, relu, reverse)), label).toBeLessThanOrEqual(tol);
        const stateRows = Array.from({ length: T }, (_, t) => (reverse ? t : t + 1));
        expectUntouchedOutside(hBefore, h.buffer, indicesOf(h, stateRows), label);

        const gradH = paddedSteps(r, C, T, B, H, 1), dPre = contiguous(C, [T, B, H], r);
        const dh0 = r() < 0.7 ? contiguous(C, [B, H], r) : null;
        const dPreBefore = snapshot(dPre.buffer);
        jsBackend.rnnSequenceBackward(gradH, h, whh, dPre, dh0, relu, reverse);
        const want = naiveRnnBackward(gradH, h, whh, relu, reverse);
        expect(maxAbsDiff(valuesOf(dPre), want.dPre), `${label} dPre`).toBeLessThanOrEqual(tol);
        if (dh0 !== null) expect(maxAbsDiff(valuesOf(dh0), want.dh0), `${label} dh0`).toBeLessThanOrEqual(tol);
        expectUntouchedOutside(dPreBefore, dPre.buffer, indicesOf(dPre, Array.from({ length: T }, (_, t) => t)), `${label} dPre`);
      }
    });
  }

  it('gives h0 a zero gradient when there is no step', () => {
    const r = lcg(3);
    const dh0 = contiguous(Float32Array, [2, 3], r);
    const empty = (shape: number[]): View => contiguous(Float32Array, shape, r);
    jsBackend.rnnSequenceBackward(empty([0, 2, 3]), empty([1, 2, 3]), empty([3, 3]), empty([0, 2, 3]), dh0, false, false);
    expect(valuesOf(dh0)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('names a wrong shape, dtype or flag', () => {
    const r = lcg(4);
    const v = (shape: number[], C: FloatCtor = Float32Array) => contiguous(C, shape, r);
    expect(() => jsBackend.rnnSequence(v([2, 3]), v([4, 4]), v([3, 3, 4]), false, false)).toThrow(/rnnSequence: proj must be 3-D \[T, B, H\], got \[2, 3\]/);
    expect(() => jsBackend.rnnSequence(v([2, 3, 4]), v([4, 5]), v([3, 3, 4]), false, false)).toThrow(/rnnSequence: whh must be \[4, 4\] \(from proj \[2, 3, 4\]\), got \[4, 5\]/);
    expect(() => jsBackend.rnnSequence(v([2, 3, 4]), v([4, 4]), v([2, 3, 4]), false, false)).toThrow(/h must be \[3, 3, 4\]/);
    expect(() => jsBackend.rnnSequence(v([2, 3, 4]), v([4, 4], Float64Array), v([3, 3, 4]), false, false)).toThrow(/whh is Float64Array but proj is Float32Array/);
    expect(() => jsBackend.rnnSequence(v([2, 3, 4]), v([4, 4]), v([3, 3, 4]), 1 as unknown as boolean, false)).toThrow(/relu must be a boolean/);
    expect(() => jsBackend.rnnSequenceBackward(v([2, 3, 4]), v([3, 3, 4]), v([4, 4]), v([2, 3, 4]), v([3, 3]), false, false)).toThrow(/dh0 must be \[3, 4\]/);
    expect(() => jsBackend.rnnSequenceBackward(v([2, 3, 4]), v([3, 3, 4]), v([4, 4]), v([2, 3, 4]), null, false, 'yes' as unknown as boolean)).toThrow(/reverse must be a boolean/);
  });
});
