// The native whole-sequence RNN kernels agree with a naive float64 recurrence and with the TS
// kernels (float32 within rounding of a different product order; float64 to ~1e-12), over row
// splits across threads, both directions and nonlinearities; decline what they do not take; and
// the raw entry points name what is wrong before touching memory.
import { describe, expect, it } from 'vitest';
// Imported by relative path in tests only: @tsgrad/native must not depend on @tsgrad/tensor.
import { jsBackend } from '../../tensor/src/backend/js/index.js';
import { maxAbsDiff, naiveRnnBackward, naiveRnnForward, snapshot, valuesOf } from '../../tensor/src/test-utils/rnn-sequence-reference.js';
import { createBackend, rawAddon } from '../src/index.js';
import type { View } from '../src/types.js';
import { type FloatCtor, randInt, rng, skipWithoutAddon } from './helpers.js';
import { contiguousView, paddedSteps, recurrentWeight } from '../../tensor/src/test-utils/sequence-views.js';

const contiguous = (r: () => number, C: FloatCtor, shape: number[]): View => contiguousView(r, C, shape, 1, 1);
const padded = paddedSteps;
const whhOf = (r: () => number, C: FloatCtor, H: number): View => recurrentWeight(r, C, H, H, 0.5);

const native = skipWithoutAddon ? (null as unknown as ReturnType<typeof createBackend>) : createBackend();

const cloneView = (v: View): View => ({ ...v, buffer: snapshot(v.buffer) });

// Small random shapes (one thread, tile edges: B not a multiple of 4, H not of 16 or 64), then
// ones large enough for the row split over the pool (T·B·H·H >= 2^20).
function* sizes(r: () => number): Generator<[number, number, number]> {
  for (let n = 0; n < 40; n++) yield [randInt(r, 1, 6), randInt(r, 1, 11), randInt(r, 1, 70)];
  yield* [[28, 64, 128], [5, 37, 100], [3, 130, 65], [2, 9, 300]] as [number, number, number][];
}

describe.skipIf(skipWithoutAddon)('native rnnSequence / rnnSequenceBackward', () => {
  for (const [name, C, tol] of [['float32', Float32Array, 3e-5], ['float64', Float64Array, 1e-11]] as const) {
    it(`${name}: agrees with a naive recurrence and with the TS kernels`, () => {
      const r = rng(name === 'float32' ? 71 : 72);
      for (const [T, B, H] of sizes(r)) {
        const relu = r() < 0.5, reverse = r() < 0.5;
        const label = `${name} T=${T} B=${B} H=${H} relu=${relu} reverse=${reverse}`;
        const proj = padded(r, C, T, B, H, 2), whh = whhOf(r, C, H), h = contiguous(r, C, [T + 1, B, H]);
        const hTs = cloneView(h), hBefore = cloneView(h);
        expect(native.rnnSequence(proj, whh, h, relu, reverse), label).toBeUndefined(); // taken, not declined
        jsBackend.rnnSequence(proj, whh, hTs, relu, reverse);
        expect(maxAbsDiff(valuesOf(h), naiveRnnForward(proj, whh, hBefore, relu, reverse)), label).toBeLessThanOrEqual(tol);
        expect(maxAbsDiff(valuesOf(h), valuesOf(hTs)), label).toBeLessThanOrEqual(tol);
        // Nothing outside the view moved (the guard elements around it).
        expect(h.buffer[0], label).toBe(hBefore.buffer[0]);
        expect(h.buffer.at(-1), label).toBe(hBefore.buffer.at(-1));

        const gradH = padded(r, C, T, B, H, 1), dPre = contiguous(r, C, [T, B, H]), dh0 = r() < 0.7 ? contiguous(r, C, [B, H]) : null;
        const dPreTs = cloneView(dPre), dh0Ts = dh0 && cloneView(dh0);
        expect(native.rnnSequenceBackward(gradH, h, whh, dPre, dh0, relu, reverse), label).toBeUndefined();
        jsBackend.rnnSequenceBackward(gradH, h, whh, dPreTs, dh0Ts, relu, reverse);
        const want = naiveRnnBackward(gradH, h, whh, relu, reverse);
        expect(maxAbsDiff(valuesOf(dPre), want.dPre), `${label} dPre`).toBeLessThanOrEqual(tol);
        expect(maxAbsDiff(valuesOf(dPre), valuesOf(dPreTs)), `${label} dPre vs TS`).toBeLessThanOrEqual(tol);
        if (dh0 !== null) {
          expect(maxAbsDiff(valuesOf(dh0), want.dh0), `${label} dh0`).toBeLessThanOrEqual(tol);
          expect(dh0.buffer[0], label).toBe(dh0Ts!.buffer[0]); // the guard before the view
        }
      }
    });
  }

  it('gives h0 a zero gradient when there is no step, and does nothing for an empty batch', () => {
    const r = rng(5);
    const dh0 = contiguous(r, Float32Array, [2, 3]);
    expect(native.rnnSequenceBackward(contiguous(r, Float32Array, [0, 2, 3]), contiguous(r, Float32Array, [1, 2, 3]), contiguous(r, Float32Array, [3, 3]),
      contiguous(r, Float32Array, [0, 2, 3]), dh0, false, false)).toBeUndefined();
    expect(valuesOf(dh0)).toEqual([0, 0, 0, 0, 0, 0]);
    const h = contiguous(r, Float32Array, [3, 0, 4]);
    expect(native.rnnSequence(contiguous(r, Float32Array, [2, 0, 4]), contiguous(r, Float32Array, [4, 4]), h, true, false)).toBeUndefined();
  });

  it('declines what the addon does not take, leaving it to the TS kernel', () => {
    const r = rng(6);
    const ok = () => [contiguous(r, Float32Array, [3, 4, 8]), contiguous(r, Float32Array, [8, 8]), contiguous(r, Float32Array, [4, 4, 8])] as const;
    const [proj, whh, h] = ok();
    expect(native.rnnSequence(proj, whh, h, false, false)).toBeUndefined();
    expect(native.rnnSequence(proj, whh, { ...h, strides: [64, 16, 2], buffer: new Float32Array(256) }, false, false)).toBe(false); // h not contiguous
    expect(native.rnnSequence({ ...proj, strides: [32, 8, 0] }, whh, h, false, false)).toBe(false); // expanded columns
    expect(native.rnnSequence(proj, contiguous(r, Float64Array, [8, 8]), h, false, false)).toBe(false); // mixed dtypes
    expect(native.rnnSequence(proj, whh, { ...proj, shape: [4, 4, 8] }, false, false)).toBe(false); // h is proj's memory
    expect(native.rnnSequence(proj, whh, h, false, 1 as unknown as boolean)).toBe(false);
    const gradH = contiguous(r, Float32Array, [3, 4, 8]);
    expect(native.rnnSequenceBackward(gradH, h, whh, gradH, null, false, false)).toBe(false); // dPre is gradH
    expect(native.rnnSequenceBackward(gradH, h, whh, contiguous(r, Float32Array, [3, 4, 8]), { ...h, shape: [4, 8], strides: [8, 1] }, false, false)).toBe(false); // dh0 inside h
  });

  it('the raw entry points name what is wrong', () => {
    const addon = rawAddon();
    const T = 2, B = 2, H = 3;
    const f32 = (n: number) => new Float32Array(n);
    // [T, B, H, reverse, proj step stride, row stride, offset, whh row stride, column stride, offset, h offset]
    const fwdMeta = (...over: [number, number][]) => {
      const m = new Float64Array([T, B, H, 0, B * H, H, 0, H, 1, 0, 0]);
      for (const [i, v] of over) m[i] = v;
      return m;
    };
    const run = (proj = f32(T * B * H), whh = f32(H * H), h = f32((T + 1) * B * H), meta = fwdMeta()) => () => addon.rnnSequence(proj, whh, h, meta, false);
    expect(run()).not.toThrow();
    const untyped = addon.rnnSequence as unknown as (...a: unknown[]) => void;
    expect(() => untyped(f32(12), f32(9), f32(18), fwdMeta())).toThrow(/rnnSequence expects 5 arguments \(proj, whh, h, meta, relu\), got 4/);
    expect(() => untyped(f32(12), f32(9), f32(18), fwdMeta(), 0)).toThrow(/rnnSequence: relu must be a boolean/);
    expect(() => untyped(f32(12), new Float64Array(9), f32(18), fwdMeta(), false)).toThrow(/whh is float64 \(Float64Array\) but proj is float32/);
    expect(run(f32(T * B * H), f32(H * H), f32((T + 1) * B * H - 1))).toThrow(/h: .*17 .*buffer has 17 elements|h: .*buffer has 17 elements/);
    expect(run(f32(T * B * H - 1))).toThrow(RangeError);
    expect(run(undefined, undefined, undefined, fwdMeta([3, 2]))).toThrow(/reverse/);
    expect(run(undefined, undefined, undefined, new Float64Array([T, B, H, 0, 6, 3, 0, 3, 1, 0]))).toThrow(/meta is too short \(missing h offset\)/);
    const shared = f32((T + 1) * B * H);
    expect(run(shared, undefined, shared)).toThrow(/rnnSequence: h and proj overlap: rnnSequence writes h/);
    // [T, B, H, reverse, gradH step stride, row stride, offset, whh strides, offset, h offset, dPre offset, needH0, dh0 offset]
    const bwdMeta = (needH0: number) => new Float64Array([T, B, H, 0, B * H, H, 0, H, 1, 0, 0, 0, needH0, 0]);
    const h = f32((T + 1) * B * H);
    const bwd = (dPre: Float32Array, dh0: Float32Array, needH0: number) => () => addon.rnnSequenceBackward(f32(T * B * H), h, f32(H * H), dPre, dh0, bwdMeta(needH0), true);
    expect(bwd(f32(T * B * H), f32(B * H), 1)).not.toThrow();
    expect(bwd(f32(T * B * H), f32(0), 0)).not.toThrow(); // dh0 not wanted: its buffer is not read
    expect(bwd(f32(T * B * H), f32(B * H - 1), 1)).toThrow(/dh0/);
    expect(bwd(h.subarray(0, T * B * H), f32(B * H), 1)).toThrow(/rnnSequenceBackward: dPre and h overlap/);
    const dPre = f32(T * B * H);
    expect(bwd(dPre, dPre.subarray(0, B * H), 1)).toThrow(/dh0 and dPre overlap/);
    const untypedBackward = addon.rnnSequenceBackward as unknown as (...a: unknown[]) => void;
    expect(() => untypedBackward(f32(12), h, f32(9), f32(12), f32(6), bwdMeta(1))).toThrow(/rnnSequenceBackward expects 7 arguments/);
  });
});
