// The native fused RNN step kernels give the bits of the native unfused elementwise kernels they
// replace, agree with the TS kernels (bit for bit for relu and the backward, which have no
// transcendental function), decline what they do not take, and name what is wrong with a bad raw call.
import { describe, expect, it } from 'vitest';
// Imported by relative path in tests only: @tsgrad/native must not depend on @tsgrad/tensor.
import { jsBackend } from '../../tensor/src/backend/js/index.js';
import { unfusedRnnCell, unfusedRnnCellBackward } from '../../tensor/src/test-utils/rnn-reference.js';
import { createBackend, rawAddon } from '../src/index.js';
import { cloneAll, stepOf } from '../../tensor/src/test-utils/step-views.js';
import type { TypedArray, View } from '../src/types.js';
import { type FloatCtor, pick, randInt, rng, skipWithoutAddon } from './helpers.js';
import { expectViewsClose, expectViewsSameBits, unfusedNativeKernels } from './step-helpers.js';

const native = skipWithoutAddon ? (null as unknown as ReturnType<typeof createBackend>) : createBackend();
const dtypes: [string, FloatCtor][] = [['float32', Float32Array], ['float64', Float64Array]];
const nonlinearities: [string, boolean][] = [['tanh', false], ['relu', true]];

const unfusedNative = unfusedNativeKernels(['gt']);

const SPECIALS = [0, -0, NaN, Infinity, -Infinity, 40, -40, 1e-30, -1e-30, 1e10, -1e10, 0.5, -0.5, 1, -1];
function filled(r: () => number, C: FloatCtor, n: number): TypedArray {
  const a = new C(n);
  for (let i = 0; i < n; i++) a[i] = r() < 0.04 ? pick(r, SPECIALS) : (r() * 2 - 1) * 4;
  return a;
}
/** A [B, H] view with padded rows at a random offset of its own buffer (random guard values around it). */
function rowsView(r: () => number, C: FloatCtor, B: number, H: number): View {
  const rs = H + randInt(r, 0, 3), offset = randInt(r, 0, 5);
  return { buffer: filled(r, C, offset + (B - 1) * rs + H + 2), shape: [B, H], strides: [rs, 1], offset };
}

/** Forward operands: proj a step of a [3, B, H] buffer, gh padded rows, h a step of a [4, B, H] state buffer. */
function cellCase(r: () => number, C: FloatCtor, B: number, H: number): View[] {
  return [stepOf(filled(r, C, 3 * B * H), randInt(r, 0, 2), B, H), rowsView(r, C, B, H), stepOf(filled(r, C, 4 * B * H), randInt(r, 0, 3), B, H)];
}
/** Backward operands: dPre a step of a [2, B, H] buffer, the rest padded rows. */
function backwardCase(r: () => number, C: FloatCtor, B: number, H: number): View[] {
  return [rowsView(r, C, B, H), rowsView(r, C, B, H), rowsView(r, C, B, H), stepOf(filled(r, C, 2 * B * H), randInt(r, 0, 1), B, H)];
}
type Cell = { rnnCell(proj: View, gh: View, h: View, relu: boolean): unknown };
type Backward = { rnnCellBackward(gradH: View, gradHRec: View, h: View, dPre: View, relu: boolean): unknown };
const cell = (k: Cell, v: View[], relu: boolean) => k.rnnCell(v[0]!, v[1]!, v[2]!, relu);
const cellBackward = (k: Backward, v: View[], relu: boolean) => k.rnnCellBackward(v[0]!, v[1]!, v[2]!, v[3]!, relu);


// Random small steps (one thread), then the bench's RNN step [64, 128] and larger ones, which are
// split by rows over the pool, and a single wide row.
function* sizes(r: () => number): Generator<[number, number]> {
  for (let n = 0; n < 120; n++) {
    const B = randInt(r, 1, 12);
    yield [B, Math.max(randInt(r, 1, 60), Math.ceil(256 / B))];
  }
  yield* [[64, 128], [512, 256], [3, 4000], [1, 300], [257, 333]] as [number, number][];
}

describe.skipIf(skipWithoutAddon)('native rnnCell / rnnCellBackward', () => {
  for (const [name, C] of dtypes) {
    for (const [act, relu] of nonlinearities) {
      it(`${name} ${act}: the forward step gives the native unfused kernels' bits, and is close to the TS kernel`, () => {
        const r = rng((name === 'float32' ? 31 : 32) + (relu ? 100 : 0));
        for (const [B, H] of sizes(r)) {
          const fused = cellCase(r, C, B, H);
          const unfused = cloneAll(fused), ts = cloneAll(fused);
          expect(cell(native, fused, relu)).toBeUndefined();
          unfusedRnnCell(unfusedNative, unfused[0]!, unfused[1]!, unfused[2]!, relu);
          expectViewsSameBits(fused, unfused, `B=${B} H=${H}`);
          cell(jsBackend, ts, relu);
          // relu has no rounding of its own; float32 tanh is vmath.h's polynomial (a few ulp), float64 libm's.
          if (relu) expectViewsSameBits(fused, ts, `B=${B} H=${H} against TS`);
          else if (C === Float32Array) expectViewsClose(fused, ts, 1e-5, 1e-6, `B=${B} H=${H} against TS`);
          else expectViewsClose(fused, ts, 1e-13, 1e-15, `B=${B} H=${H} against TS`);
        }
      });

      it(`${name} ${act}: the backward step gives the native unfused kernels' bits and the TS kernel's`, () => {
        const r = rng((name === 'float32' ? 41 : 42) + (relu ? 100 : 0));
        for (const [B, H] of sizes(r)) {
          const fused = backwardCase(r, C, B, H);
          const unfused = cloneAll(fused), ts = cloneAll(fused);
          expect(cellBackward(native, fused, relu)).toBeUndefined();
          unfusedRnnCellBackward(unfusedNative, unfused[0]!, unfused[1]!, unfused[2]!, unfused[3]!, relu);
          cellBackward(jsBackend, ts, relu);
          expectViewsSameBits(fused, unfused, `B=${B} H=${H}`);
          expectViewsSameBits(fused, ts, `B=${B} H=${H} against TS`);
        }
      });
    }
  }

  it('declines what it does not take, so the TS kernel runs it', () => {
    const r = rng(5);
    const ok = () => cellCase(r, Float32Array, 4, 64);
    expect(cell(native, ok(), false)).toBeUndefined();
    expect(cell(native, ok(), true)).toBeUndefined();
    expect(cell(native, cellCase(r, Float32Array, 2, 16), false)).toBe(false); // B·H = 32: too small to pay for a call
    expect(cell(native, cellCase(r, Float32Array, 2, 100), true)).toBe(false); // relu: cheap, 200 < 256
    expect(cell(native, cellCase(r, Float32Array, 2, 100), false)).toBeUndefined();
    const mixed = ok();
    mixed[1] = rowsView(r, Float64Array, 4, 64);
    expect(cell(native, mixed, false)).toBe(false);
    const ints = ok();
    ints[0] = { ...ints[0]!, buffer: new Int32Array(ints[0]!.buffer.length) };
    expect(cell(native, ints, false)).toBe(false);
    const colStrided = ok();
    colStrided[1] = { buffer: new Float32Array(4 * 128), shape: [4, 64], strides: [128, 2], offset: 0 };
    expect(cell(native, colStrided, false)).toBe(false);
    const wrongShape = ok();
    wrongShape[2] = rowsView(r, Float32Array, 4, 63);
    expect(cell(native, wrongShape, false)).toBe(false);
    const repeatingRows = ok();
    repeatingRows[2] = { buffer: new Float32Array(4 * 64), shape: [4, 64], strides: [32, 1], offset: 0 };
    expect(cell(native, repeatingRows, false)).toBe(false);
    // h written over gh's memory (a subarray of the same buffer): declined.
    const aliased = ok();
    aliased[2] = { ...aliased[1]!, buffer: aliased[1]!.buffer.subarray(1) };
    expect(cell(native, aliased, false)).toBe(false);
    expect(cell(native, ok(), 1 as unknown as boolean)).toBe(false);
    const bwd = backwardCase(r, Float64Array, 4, 64);
    expect(cellBackward(native, bwd, false)).toBeUndefined();
    expect(cellBackward(native, [bwd[0]!, bwd[1]!, bwd[2]!, bwd[0]!], false)).toBe(false); // dPre is gradH
  });

  it('the raw entry points name what is wrong', () => {
    const addon = rawAddon();
    const B = 2, H = 3;
    const f32 = (n: number) => new Float32Array(n);
    const meta = (...m: number[]) => new Float64Array(m);
    const cellMeta = () => meta(B, H, H, 0, H, 0, H, 0);
    const args = (): [Float32Array, Float32Array, Float32Array] => [f32(B * H), f32(B * H), f32(B * H)];
    expect(() => addon.rnnCell(...args(), cellMeta(), false)).not.toThrow();
    expect(() => addon.rnnCell(...args(), cellMeta(), true)).not.toThrow();
    const untyped = addon.rnnCell as unknown as (...a: unknown[]) => void;
    expect(() => untyped(...args(), cellMeta())).toThrow(/rnnCell expects 5 arguments \(three views and meta, then relu\), got 4/);
    expect(() => untyped(...args(), cellMeta(), 1)).toThrow(/rnnCell: relu must be a boolean/);
    expect(() => untyped(f32(B * H), new Float64Array(B * H), f32(B * H), cellMeta(), false)).toThrow(TypeError);
    expect(() => untyped(f32(B * H), new Float64Array(B * H), f32(B * H), cellMeta(), false)).toThrow(/gh is float64 \(Float64Array\) but proj is float32/);
    expect(() => untyped(new Int32Array(B * H), f32(B * H), f32(B * H), cellMeta(), false)).toThrow(/proj must be a Float32Array or Float64Array/);
    expect(() => addon.rnnCell(f32(B * H), f32(B * H), f32(B * H - 1), cellMeta(), false)).toThrow(RangeError);
    expect(() => addon.rnnCell(f32(B * H), f32(B * H), f32(B * H - 1), cellMeta(), false)).toThrow(/h: strides and offset reach element 5 but the buffer has 5 elements/);
    expect(() => addon.rnnCell(...args(), meta(B, H, H, 0), false)).toThrow(/meta is too short \(missing row stride\)/);
    expect(() => addon.rnnCell(...args(), meta(...cellMeta(), 0), false)).toThrow(/meta has 1 unexpected trailing values/);
    expect(() => addon.rnnCell(...args(), meta(B, H, H, 0, H, 0, 2, 0), false)).toThrow(/h has 6 elements but spans only 5: it overlaps itself/);
    const shared = args();
    shared[2] = shared[0]; // h is proj
    expect(() => addon.rnnCell(...shared, cellMeta(), false)).toThrow(/h and proj overlap: rnnCell writes h, which must not share memory with another view/);
    const backwardMeta = meta(B, H, H, 0, H, 0, H, 0, H, 0);
    const h = f32(B * H + 4);
    const backward = (dPre: Float32Array) => () => addon.rnnCellBackward(f32(B * H), f32(B * H), h, dPre, backwardMeta, true);
    expect(backward(f32(B * H))).not.toThrow();
    expect(backward(h.subarray(2))).toThrow(/dPre and h overlap: rnnCellBackward writes dPre/);
    const untypedBackward = addon.rnnCellBackward as unknown as (...a: unknown[]) => void;
    expect(() => untypedBackward(f32(B * H), f32(B * H), h, f32(B * H), backwardMeta)).toThrow(/rnnCellBackward expects 6 arguments \(four views and meta, then relu\), got 5/);
    // An empty step writes nothing and is fine.
    expect(() => addon.rnnCell(...args(), meta(0, H, H, 0, H, 0, H, 0), false)).not.toThrow();
  });
});
