// The native fused LSTM step kernels give the bits of the native unfused elementwise kernels they
// replace, agree with the TS kernels (bit for bit backward, which has no transcendental function),
// decline what they do not take, and name what is wrong with a bad raw call.
import { describe, expect, it } from 'vitest';
// Imported by relative path in tests only: @tsgrad/native must not depend on @tsgrad/tensor.
import { jsBackend } from '../../tensor/src/backend/js/index.js';
import { unfusedLstmCell, unfusedLstmCellBackward } from '../../tensor/src/test-utils/lstm-reference.js';
import { createBackend, rawAddon } from '../src/index.js';
import { cloneAll, stepOf } from '../../tensor/src/test-utils/step-views.js';
import type { TypedArray, View } from '../src/types.js';
import { type FloatCtor, pick, randInt, rng, skipWithoutAddon } from './helpers.js';
import { expectViewsClose, expectViewsSameBits, unfusedNativeKernels } from './step-helpers.js';

const native = skipWithoutAddon ? (null as unknown as ReturnType<typeof createBackend>) : createBackend();
const dtypes: [string, FloatCtor][] = [['float32', Float32Array], ['float64', Float64Array]];

const unfusedNative = unfusedNativeKernels();

const SPECIALS = [0, -0, NaN, Infinity, -Infinity, 40, -40, 1e-30, -1e-30, 1e10, -1e10, 0.5, -0.5];
function filled(r: () => number, C: FloatCtor, n: number): TypedArray {
  const a = new C(n);
  for (let i = 0; i < n; i++) a[i] = r() < 0.03 ? pick(r, SPECIALS) : (r() * 2 - 1) * 4;
  return a;
}
/** A [B, W] view with padded rows at a random offset of its own buffer (random guard values around it). */
function rowsView(r: () => number, C: FloatCtor, B: number, W: number): View {
  const rs = W + randInt(r, 0, 3), offset = randInt(r, 0, 5);
  return { buffer: filled(r, C, offset + (B - 1) * rs + W + 2), shape: [B, W], strides: [rs, 1], offset };
}

/** Forward operands: act a step of a [3, B, 4H] buffer; cPrev and c adjacent rows of one state buffer. */
function cellCase(r: () => number, C: FloatCtor, B: number, H: number): View[] {
  const t = randInt(r, 0, 2);
  const states = filled(r, C, 4 * B * H);
  return [rowsView(r, C, B, 4 * H), rowsView(r, C, B, 4 * H), stepOf(filled(r, C, 3 * B * 4 * H), t, B, 4 * H),
    stepOf(states, t, B, H), stepOf(states, t + 1, B, H), rowsView(r, C, B, H), rowsView(r, C, B, H)];
}
/** Backward operands: act and dPre steps of [2, B, 4H] buffers, the rest padded rows. */
function backwardCase(r: () => number, C: FloatCtor, B: number, H: number): View[] {
  const t = randInt(r, 0, 1);
  return [rowsView(r, C, B, H), rowsView(r, C, B, H), stepOf(filled(r, C, 2 * B * 4 * H), t, B, 4 * H),
    rowsView(r, C, B, H), rowsView(r, C, B, H), rowsView(r, C, B, H), stepOf(filled(r, C, 2 * B * 4 * H), t, B, 4 * H)];
}
type Seven = [View, View, View, View, View, View, View];
const cell = (k: { lstmCell(...v: Seven): unknown }, v: View[]) => k.lstmCell(...(v as Seven));
const cellBackward = (k: { lstmCellBackward(...v: Seven): unknown }, v: View[]) => k.lstmCellBackward(...(v as Seven));


// Random small steps (one thread), then the bench's LSTM step [64, 128] and larger ones, which are
// split by rows over the pool, and a single wide row.
function* sizes(r: () => number): Generator<[number, number]> {
  for (let n = 0; n < 120; n++) {
    const B = randInt(r, 1, 9);
    yield [B, Math.max(randInt(r, 1, 40), Math.ceil(16 / B))];
  }
  yield* [[64, 128], [512, 64], [3, 1000], [1, 16], [257, 33]] as [number, number][];
}

describe.skipIf(skipWithoutAddon)('native lstmCell / lstmCellBackward', () => {
  for (const [name, C] of dtypes) {
    it(`${name}: the forward step gives the native unfused kernels' bits, and is close to the TS kernel`, () => {
      const r = rng(name === 'float32' ? 31 : 32);
      for (const [B, H] of sizes(r)) {
        const fused = cellCase(r, C, B, H);
        const unfused = cloneAll(fused), ts = cloneAll(fused);
        expect(cell(native, fused)).toBeUndefined();
        unfusedLstmCell(unfusedNative, ...(unfused as Seven));
        expectViewsSameBits(fused, unfused, `B=${B} H=${H}`);
        cell(jsBackend, ts);
        // float32 sigmoid/tanh are vmath.h's polynomials (a few ulp), float64 libm's.
        if (C === Float32Array) expectViewsClose(fused, ts, 1e-5, 1e-6, `B=${B} H=${H} against TS`);
        else expectViewsClose(fused, ts, 1e-13, 1e-15, `B=${B} H=${H} against TS`);
      }
    });

    it(`${name}: the backward step gives the native unfused kernels' bits and the TS kernel's, with dc carried`, () => {
      const r = rng(name === 'float32' ? 41 : 42);
      for (const [B, H] of sizes(r)) {
        const fused = backwardCase(r, C, B, H);
        const unfused = cloneAll(fused), ts = cloneAll(fused);
        for (let step = 0; step < 2; step++) {
          expect(cellBackward(native, fused)).toBeUndefined();
          unfusedLstmCellBackward(unfusedNative, ...(unfused as Seven));
          cellBackward(jsBackend, ts);
        }
        expectViewsSameBits(fused, unfused, `B=${B} H=${H}`);
        expectViewsSameBits(fused, ts, `B=${B} H=${H} against TS`);
      }
    });
  }

  it('declines what it does not take, so the TS kernel runs it', () => {
    const r = rng(5);
    const ok = () => cellCase(r, Float32Array, 4, 8);
    expect(cell(native, ok())).toBeUndefined();
    expect(cell(native, cellCase(r, Float32Array, 1, 8))).toBe(false); // B·4H = 32: too small to pay for a call
    const mixed = ok();
    mixed[5] = rowsView(r, Float64Array, 4, 8);
    expect(cell(native, mixed)).toBe(false);
    const ints = ok();
    ints[0] = { ...ints[0]!, buffer: new Int32Array(ints[0]!.buffer.length) };
    expect(cell(native, ints)).toBe(false);
    const colStrided = ok();
    colStrided[1] = { buffer: new Float32Array(64 * 2), shape: [4, 32], strides: [64, 2], offset: 0 };
    expect(cell(native, colStrided)).toBe(false);
    const wrongShape = ok();
    wrongShape[6] = rowsView(r, Float32Array, 4, 7);
    expect(cell(native, wrongShape)).toBe(false);
    const repeatingRows = ok();
    repeatingRows[6] = { buffer: new Float32Array(40), shape: [4, 8], strides: [4, 1], offset: 0 };
    expect(cell(native, repeatingRows)).toBe(false);
    // h written over cPrev's memory (a subarray of the same buffer): declined; disjoint rows of one buffer are fine (c and cPrev above).
    const aliased = ok();
    aliased[6] = { ...aliased[3]!, buffer: aliased[3]!.buffer.subarray(1), offset: aliased[3]!.offset };
    expect(cell(native, aliased)).toBe(false);
    const bwd = backwardCase(r, Float64Array, 4, 8);
    expect(cellBackward(native, bwd)).toBeUndefined();
    expect(cellBackward(native, [bwd[0]!, bwd[1]!, bwd[2]!, bwd[3]!, bwd[4]!, bwd[0]!, bwd[6]!])).toBe(false); // dc is gradH
  });

  it('the raw entry points name what is wrong', () => {
    const addon = rawAddon();
    const B = 2, H = 3;
    const f32 = (n: number) => new Float32Array(n);
    const meta = (...m: number[]) => new Float64Array(m);
    const contiguousMeta = () => meta(B, H, 4 * H, 0, 4 * H, 0, 4 * H, 0, H, 0, H, 0, H, 0, H, 0);
    const args = (): [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array] =>
      [f32(B * 4 * H), f32(B * 4 * H), f32(B * 4 * H), f32(B * H), f32(B * H), f32(B * H), f32(B * H)];
    expect(() => addon.lstmCell(...args(), contiguousMeta())).not.toThrow();
    const untyped = addon.lstmCell as unknown as (...a: unknown[]) => void;
    expect(() => untyped(...args())).toThrow(/lstmCell expects 8 arguments \(seven views and meta\), got 7/);
    const mixed = args() as Float32Array[] as (Float32Array | Float64Array)[];
    mixed[1] = new Float64Array(B * 4 * H);
    expect(() => untyped(...mixed, contiguousMeta())).toThrow(TypeError);
    expect(() => untyped(...mixed, contiguousMeta())).toThrow(/gh is float64 \(Float64Array\) but proj is float32/);
    expect(() => untyped(new Int32Array(B * 4 * H), ...args().slice(1), contiguousMeta())).toThrow(/proj must be a Float32Array or Float64Array/);
    const short = args();
    short[4] = f32(B * H - 1);
    expect(() => addon.lstmCell(...short, contiguousMeta())).toThrow(RangeError);
    expect(() => addon.lstmCell(...short, contiguousMeta())).toThrow(/c: strides and offset reach element 5 but the buffer has 5 elements/);
    expect(() => addon.lstmCell(...args(), meta(B, H, 12, 0))).toThrow(/meta is too short \(missing row stride\)/);
    expect(() => addon.lstmCell(...args(), meta(...contiguousMeta(), 0))).toThrow(/meta has 1 unexpected trailing values/);
    expect(() => addon.lstmCell(...args(), meta(-1, ...contiguousMeta().slice(1)))).toThrow(/B must be in \[0, /);
    const m = contiguousMeta();
    m[2 + 2 * 2] = 5; // act's rows 5 apart but 12 wide
    expect(() => addon.lstmCell(...args(), m)).toThrow(/act has 24 elements but spans only 17: it overlaps itself/);
    const shared = args();
    shared[5] = shared[4]; // tc is c
    expect(() => addon.lstmCell(...shared, contiguousMeta())).toThrow(/c and tc overlap: lstmCell writes c, which must not share memory with another view/);
    const backwardMeta = meta(B, H, H, 0, H, 0, 4 * H, 0, H, 0, H, 0, H, 0, 4 * H, 0);
    const act = f32(B * 4 * H + 4);
    const backward = (dPre: Float32Array) => () => addon.lstmCellBackward(f32(B * H), f32(B * H), act, f32(B * H), f32(B * H), f32(B * H), dPre, backwardMeta);
    expect(backward(f32(B * 4 * H))).not.toThrow();
    expect(backward(act.subarray(2))).toThrow(/dPre and act overlap: lstmCellBackward writes dPre/);
    // An empty step writes nothing and is fine.
    expect(() => addon.lstmCell(...args(), meta(0, H, ...contiguousMeta().slice(2)))).not.toThrow();
  });
});
