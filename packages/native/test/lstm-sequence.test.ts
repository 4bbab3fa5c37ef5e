// The native whole-sequence LSTM kernels agree with a naive float64 recurrence and with the TS
// kernels (float32 within rounding of a different product order; float64 to ~1e-12), over row
// splits across threads (B not a multiple of the 4-row tile) and both directions; decline what
// they do not take; and the raw entry points name what is wrong before touching memory.
import { describe, expect, it } from 'vitest';
// Imported by relative path in tests only: @tsgrad/native must not depend on @tsgrad/tensor.
import { jsBackend } from '../../tensor/src/backend/js/index.js';
import { naiveLstmBackward, naiveLstmForward } from '../../tensor/src/test-utils/lstm-sequence-reference.js';
import { maxAbsDiff, snapshot, valuesOf } from '../../tensor/src/test-utils/rnn-sequence-reference.js';
import { createBackend, rawAddon } from '../src/index.js';
import type { View } from '../src/types.js';
import { type FloatCtor, randInt, rng, skipWithoutAddon } from './helpers.js';
import { contiguousView, paddedSteps, recurrentWeight } from '../../tensor/src/test-utils/sequence-views.js';

const contiguous = (r: () => number, C: FloatCtor, shape: number[]): View => contiguousView(r, C, shape, 1, 1);
const padded = paddedSteps;
const whhOf = (r: () => number, C: FloatCtor, H: number): View => recurrentWeight(r, C, 4 * H, H, 1);

const native = skipWithoutAddon ? (null as unknown as ReturnType<typeof createBackend>) : createBackend();

const cloneView = (v: View): View => ({ ...v, buffer: snapshot(v.buffer) });
/** The forward's outputs for T, B, H (c and h with random initial rows). */
const statesOf = (r: () => number, C: FloatCtor, T: number, B: number, H: number) => ({
  act: contiguous(r, C, [T, B, 4 * H]), c: contiguous(r, C, [T + 1, B, H]), tc: contiguous(r, C, [T, B, H]), h: contiguous(r, C, [T + 1, B, H]),
});

// Small random shapes (one thread, tile edges: B not a multiple of 4, 4H not of 64), then ones
// large enough for the row split over the pool (T·B·4H·H >= 2^20), among them the bench's W5 step.
function* sizes(r: () => number): Generator<[number, number, number]> {
  for (let n = 0; n < 30; n++) yield [randInt(r, 1, 6), randInt(r, 1, 11), randInt(r, 1, 40)];
  yield* [[28, 64, 128], [5, 37, 100], [3, 130, 33], [2, 9, 150]] as [number, number, number][];
}

describe.skipIf(skipWithoutAddon)('native lstmSequence / lstmSequenceBackward', () => {
  for (const [name, C, tol] of [['float32', Float32Array, 3e-5], ['float64', Float64Array, 1e-11]] as const) {
    it(`${name}: agrees with a naive recurrence and with the TS kernels`, () => {
      const r = rng(name === 'float32' ? 81 : 82);
      for (const [T, B, H] of sizes(r)) {
        const reverse = r() < 0.5;
        const label = `${name} T=${T} B=${B} H=${H} reverse=${reverse}`;
        const proj = padded(r, C, T, B, 4 * H, 2), whh = whhOf(r, C, H);
        const s = statesOf(r, C, T, B, H);
        const ts = { act: cloneView(s.act), c: cloneView(s.c), tc: cloneView(s.tc), h: cloneView(s.h) };
        const want = naiveLstmForward(proj, whh, ts.h, ts.c, reverse);
        expect(native.lstmSequence(proj, whh, s.act, s.c, s.tc, s.h, reverse), label).toBeUndefined(); // taken, not declined
        jsBackend.lstmSequence(proj, whh, ts.act, ts.c, ts.tc, ts.h, reverse);
        for (const k of ['act', 'c', 'tc', 'h'] as const) {
          expect(maxAbsDiff(valuesOf(s[k]), want[k]), `${label} ${k}`).toBeLessThanOrEqual(tol);
          expect(maxAbsDiff(valuesOf(s[k]), valuesOf(ts[k])), `${label} ${k} vs TS`).toBeLessThanOrEqual(tol);
          // Nothing outside the view moved (the guard elements around it).
          expect(s[k].buffer[0], `${label} ${k}`).toBe(ts[k].buffer[0]);
          expect(s[k].buffer.at(-1), `${label} ${k}`).toBe(ts[k].buffer.at(-1));
        }

        const gradH = padded(r, C, T, B, H, 1), dc = contiguous(r, C, [B, H]), dPre = contiguous(r, C, [T, B, 4 * H]);
        const dh0 = r() < 0.7 ? contiguous(r, C, [B, H]) : null;
        const dcTs = cloneView(dc), dPreTs = cloneView(dPre), dh0Ts = dh0 && cloneView(dh0);
        const grads = naiveLstmBackward(gradH, s.act, s.c, s.tc, whh, dcTs, reverse);
        expect(native.lstmSequenceBackward(gradH, s, whh, dc, dPre, dh0, reverse), label).toBeUndefined();
        jsBackend.lstmSequenceBackward(gradH, s, whh, dcTs, dPreTs, dh0Ts, reverse);
        expect(maxAbsDiff(valuesOf(dPre), grads.dPre), `${label} dPre`).toBeLessThanOrEqual(tol);
        expect(maxAbsDiff(valuesOf(dPre), valuesOf(dPreTs)), `${label} dPre vs TS`).toBeLessThanOrEqual(tol);
        expect(maxAbsDiff(valuesOf(dc), grads.dc), `${label} dc`).toBeLessThanOrEqual(tol);
        expect(maxAbsDiff(valuesOf(dc), valuesOf(dcTs)), `${label} dc vs TS`).toBeLessThanOrEqual(tol);
        if (dh0 !== null) {
          expect(maxAbsDiff(valuesOf(dh0), grads.dh0), `${label} dh0`).toBeLessThanOrEqual(tol);
          expect(maxAbsDiff(valuesOf(dh0), valuesOf(dh0Ts!)), `${label} dh0 vs TS`).toBeLessThanOrEqual(tol);
          expect(dh0.buffer[0], label).toBe(dh0Ts!.buffer[0]); // the guard before the view
        }
        expect(dPre.buffer.at(-1), label).toBe(dPreTs.buffer.at(-1));
      }
    });
  }

  it('with no step gives h0 a zero gradient and c0 the final c\'s, and does nothing for an empty batch', () => {
    const r = rng(5);
    const v = (shape: number[]) => contiguous(r, Float32Array, shape);
    const dh0 = v([2, 3]), dc = v([2, 3]);
    const dcBefore = valuesOf(dc);
    expect(native.lstmSequenceBackward(v([0, 2, 3]), { act: v([0, 2, 12]), c: v([1, 2, 3]), tc: v([0, 2, 3]) }, v([12, 3]), dc, v([0, 2, 12]), dh0, false)).toBeUndefined();
    expect(valuesOf(dh0)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(valuesOf(dc)).toEqual(dcBefore);
    const s = statesOf(r, Float32Array, 2, 0, 4);
    expect(native.lstmSequence(v([2, 0, 16]), v([16, 4]), s.act, s.c, s.tc, s.h, true)).toBeUndefined();
  });

  it('declines what the addon does not take, leaving it to the TS kernel', () => {
    const r = rng(6);
    const v = (shape: number[], C: FloatCtor = Float32Array) => contiguous(r, C, shape);
    const proj = v([3, 4, 32]), whh = v([32, 8]);
    const s = statesOf(r, Float32Array, 3, 4, 8);
    const fwd = (o: Partial<typeof s> & { proj?: View; whh?: View; reverse?: unknown } = {}) => {
      const x = { ...s, proj, whh, reverse: false, ...o };
      return native.lstmSequence(x.proj, x.whh, x.act, x.c, x.tc, x.h, x.reverse as boolean);
    };
    expect(fwd()).toBeUndefined();
    expect(fwd({ h: { ...s.h, strides: [64, 16, 2], buffer: new Float32Array(256) } })).toBe(false); // h not contiguous
    expect(fwd({ act: { ...s.act, strides: [4 * 64, 64, 1], buffer: new Float32Array(1024) } })).toBe(false); // act's rows padded
    expect(fwd({ proj: { ...proj, strides: [128, 32, 0] } })).toBe(false); // expanded columns
    expect(fwd({ whh: v([8, 32]) })).toBe(false); // whh [H, 4H]: the TS kernel names it
    expect(fwd({ tc: v([3, 4, 8], Float64Array) })).toBe(false); // mixed dtypes
    expect(fwd({ h: { ...proj, shape: [4, 4, 8], strides: [32, 8, 1] } })).toBe(false); // h is proj's memory
    expect(fwd({ h: { ...s.c } })).toBe(false); // h and c share memory
    expect(fwd({ reverse: 1 })).toBe(false);
    const gradH = v([3, 4, 8]);
    const bwd = (dc: View, dPre: View, dh0: View | null) => native.lstmSequenceBackward(gradH, s, whh, dc, dPre, dh0, false);
    expect(bwd(v([4, 8]), v([3, 4, 32]), v([4, 8]))).toBeUndefined();
    expect(bwd(v([4, 8]), { ...s.act }, null)).toBe(false); // dPre is act
    expect(bwd({ ...gradH, shape: [4, 8], strides: [8, 1] }, v([3, 4, 32]), null)).toBe(false); // dc inside gradH
    expect(bwd(v([4, 8]), v([3, 4, 32]), { ...s.c, shape: [4, 8], strides: [8, 1] })).toBe(false); // dh0 inside c
    const dPre = v([3, 4, 32]);
    expect(bwd(v([4, 8]), dPre, { ...dPre, shape: [4, 8], strides: [8, 1] })).toBe(false); // dh0 inside dPre
    expect(bwd({ ...v([4, 16]), shape: [4, 8], strides: [16, 1] }, v([3, 4, 32]), null)).toBe(false); // dc not contiguous
  });

  it('the raw entry points name what is wrong', () => {
    const addon = rawAddon();
    const T = 2, B = 2, H = 3, G = 4 * H;
    const f32 = (n: number) => new Float32Array(n);
    // [T, B, H, reverse, proj step stride, row stride, offset, whh row stride, column stride, offset, act, c, tc, h offsets]
    const fwdMeta = (...over: [number, number][]) => {
      const m = new Float64Array([T, B, H, 0, B * G, G, 0, H, 1, 0, 0, 0, 0, 0]);
      for (const [i, v] of over) m[i] = v;
      return m;
    };
    const state = () => f32((T + 1) * B * H);
    const run = (o: { proj?: Float32Array; act?: Float32Array; c?: Float32Array; h?: Float32Array; meta?: Float64Array } = {}) => () =>
      addon.lstmSequence(o.proj ?? f32(T * B * G), f32(G * H), o.act ?? f32(T * B * G), o.c ?? state(), f32(T * B * H), o.h ?? state(), o.meta ?? fwdMeta());
    expect(run()).not.toThrow();
    const untyped = addon.lstmSequence as unknown as (...a: unknown[]) => void;
    expect(() => untyped(f32(48), f32(36), f32(48), state(), f32(12), state())).toThrow(/lstmSequence expects 7 arguments \(proj, whh, act, c, tc, h, meta\), got 6/);
    expect(() => untyped(f32(48), f32(36), new Float64Array(48), state(), f32(12), state(), fwdMeta())).toThrow(/act is float64 \(Float64Array\) but proj is float32/);
    expect(run({ h: f32((T + 1) * B * H - 1) })).toThrow(/h: .*buffer has 17 elements/);
    expect(run({ c: f32((T + 1) * B * H - 1) })).toThrow(/c: /);
    expect(run({ proj: f32(T * B * G - 1) })).toThrow(RangeError);
    expect(run({ meta: fwdMeta([3, 2]) })).toThrow(/reverse/);
    expect(run({ meta: fwdMeta().subarray(0, 13) })).toThrow(/meta is too short \(missing h offset\)/);
    const proj = f32(T * B * G);
    expect(run({ proj, act: proj })).toThrow(/lstmSequence: act and proj overlap: lstmSequence writes act/);
    const c = state();
    expect(run({ c, h: c })).toThrow(/lstmSequence: h and c overlap/);
    // [T, B, H, reverse, gradH strides and offset, whh strides and offset, act, c, tc, dc, dPre offsets, needH0, dh0 offset]
    const bwdMeta = (needH0: number) => new Float64Array([T, B, H, 0, B * H, H, 0, H, 1, 0, 0, 0, 0, 0, 0, needH0, 0]);
    const act = f32(T * B * G), cs = state(), gradH = f32(T * B * H);
    const bwd = (o: { dc?: Float32Array; dPre?: Float32Array; dh0?: Float32Array; needH0?: number }) => () =>
      addon.lstmSequenceBackward(gradH, act, cs, f32(T * B * H), f32(G * H), o.dc ?? f32(B * H), o.dPre ?? f32(T * B * G), o.dh0 ?? f32(B * H), bwdMeta(o.needH0 ?? 1));
    expect(bwd({})).not.toThrow();
    expect(bwd({ dh0: f32(0), needH0: 0 })).not.toThrow(); // dh0 not wanted: its buffer is not read
    expect(bwd({ dh0: f32(B * H - 1) })).toThrow(/dh0/);
    expect(bwd({ dc: f32(B * H - 1) })).toThrow(/dc/);
    expect(bwd({ dPre: act })).toThrow(/lstmSequenceBackward: dPre and act overlap/);
    expect(bwd({ dc: gradH.subarray(0, B * H) })).toThrow(/lstmSequenceBackward: dc and gradH overlap/);
    const dPre = f32(T * B * G);
    expect(bwd({ dPre, dh0: dPre.subarray(0, B * H) })).toThrow(/dh0 and dPre overlap/);
    const untypedBackward = addon.lstmSequenceBackward as unknown as (...a: unknown[]) => void;
    expect(() => untypedBackward(gradH, act, cs, f32(12), f32(36), f32(6), f32(48), f32(6))).toThrow(/lstmSequenceBackward expects 9 arguments/);
  });
});
