// The native fused optimizer updates give the pure-TS kernels' bits (both compute in float64 and
// round once per store), on the serial and the threaded path, and validate every argument.
import { describe, expect, it } from 'vitest';
// Imported by relative path in tests only: @tsgrad/native must not depend on @tsgrad/tensor.
import { jsBackend } from '../../tensor/src/backend/js/index.js';
import { createBackend, rawAddon } from '../src/index.js';
import type { View } from '../src/types.js';
import { type FloatCtor, rng, skipWithoutAddon } from './helpers.js';

const dtypes: [string, FloatCtor][] = [['float32', Float32Array], ['float64', Float64Array]];

/** A 1-D view of n values at `offset` in a buffer with guard elements after it. */
function vec(r: () => number, C: FloatCtor, n: number, offset: number, positive = false): View {
  const buffer = new C(offset + n + 3);
  for (let i = 0; i < buffer.length; i++) buffer[i] = positive ? r() * 0.01 : (r() * 2 - 1) * 3;
  return { buffer, shape: [n], strides: [1], offset };
}
const clone = (v: View): View => ({ ...v, buffer: v.buffer.slice() });
/** Every element identical (NaN matching NaN), reporting the first difference. */
function expectSameBits(actual: View, expected: View, label: string): void {
  const a = actual.buffer, e = expected.buffer;
  expect(a.length, label).toBe(e.length);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], e[i])) expect.fail(`${label}[${i}]: got ${a[i]}, expected ${e[i]}`);
  }
}
const sgdH = { momentum: 0.9, keep: 0.75, lr: 0.01 };
const adamH = (step: number) => ({
  beta1: 0.9, beta2: 0.999, oneMinusBeta1: 1 - 0.9, oneMinusBeta2: 1 - 0.999,
  stepSize: 1e-3 / (1 - 0.9 ** step), bc2Sqrt: Math.sqrt(1 - 0.999 ** step), eps: 1e-8,
});

describe.skipIf(skipWithoutAddon)('fused optimizer updates', () => {
  const native = skipWithoutAddon ? (null as unknown as ReturnType<typeof createBackend>) : createBackend();

  // 300, 1001 and 70001 run on one thread; 1100003 is split over the pool in 16k chunks
  // (the last one partial), starting at odd offsets.
  for (const [name, C] of dtypes) {
    for (const n of [300, 1001, 70001, 1100003]) {
      it(`SGD momentum, ${name}, n = ${n}: same bits as the TS kernel`, () => {
        const r = rng(n);
        const [p, g, b] = [vec(r, C, n, 3), vec(r, C, n, 1), vec(r, C, n, 0)];
        const [p2, g2, b2] = [clone(p), clone(g), clone(b)];
        for (let step = 0; step < 3; step++) {
          expect(native.sgdMomentum(p, g, b, sgdH)).toBeUndefined();
          jsBackend.sgdMomentum(p2, g2, b2, sgdH);
        }
        expectSameBits(p, p2, 'param');
        expectSameBits(b, b2, 'buf');
        expectSameBits(g, g2, 'grad');
      });

      it(`Adam, ${name}, n = ${n}: same bits as the TS kernel`, () => {
        const r = rng(n + 1);
        const [p, g, m, v] = [vec(r, C, n, 2), vec(r, C, n, 5), vec(r, C, n, 0), vec(r, C, n, 1, true)];
        const [p2, g2, m2, v2] = [clone(p), clone(g), clone(m), clone(v)];
        for (let step = 1; step <= 3; step++) {
          expect(native.adam(p, g, m, v, adamH(step))).toBeUndefined();
          jsBackend.adam(p2, g2, m2, v2, adamH(step));
        }
        expectSameBits(p, p2, 'param');
        expectSameBits(m, m2, 'expAvg');
        expectSameBits(v, v2, 'expAvgSq');
      });
    }
  }

  it('declines what the vectorised loop cannot take: small, mixed dtypes, strided, overlapping', () => {
    const r = rng(7);
    const n = 1000;
    expect(native.sgdMomentum(vec(r, Float32Array, 10, 0), vec(r, Float32Array, 10, 0), vec(r, Float32Array, 10, 0), sgdH)).toBe(false);
    expect(native.sgdMomentum(vec(r, Float32Array, n, 0), vec(r, Float64Array, n, 0), vec(r, Float32Array, n, 0), sgdH)).toBe(false);
    const strided = { ...vec(r, Float32Array, 2 * n, 0), shape: [n], strides: [2] };
    expect(native.sgdMomentum(strided, vec(r, Float32Array, n, 0), vec(r, Float32Array, n, 0), sgdH)).toBe(false);
    const shared = new Float32Array(3 * n);
    const at = (offset: number): View => ({ buffer: shared, shape: [n], strides: [1], offset });
    expect(native.sgdMomentum(at(0), at(n - 1), at(2 * n), sgdH)).toBe(false);
    // Disjoint parts of one buffer are fine.
    expect(native.sgdMomentum(at(0), at(n), at(2 * n), sgdH)).toBeUndefined();
    const sub = (offset: number): View => ({ buffer: shared.subarray(offset), shape: [n], strides: [1], offset: 0 });
    expect(native.adam(sub(0), sub(n), sub(2 * n - 5), vec(r, Float32Array, n, 0), adamH(1))).toBe(false);
  });

  it('the raw entry points name what is wrong', () => {
    const addon = rawAddon();
    const f32 = (n: number) => new Float32Array(n);
    const meta = (...m: number[]) => new Float64Array(m);
    expect(() => addon.sgdMomentum(f32(8), new Float64Array(8), f32(8), meta(8, 0, 0, 0), 0.9, 1, 0.1)).toThrow(/grad is float64.*param is float32/);
    expect(() => addon.sgdMomentum(f32(8), f32(8), f32(7), meta(8, 0, 0, 0), 0.9, 1, 0.1)).toThrow(RangeError);
    expect(() => addon.sgdMomentum(f32(8), f32(8), f32(8), meta(8, 0, 0, 0), 0.9, 1, 'x' as never)).toThrow(/lr must be a number/);
    expect(() => addon.sgdMomentum(f32(8), f32(8), f32(8), meta(8, 0, 0), 0.9, 1, 0.1)).toThrow(/meta is too short/);
    const shared = f32(16);
    expect(() => addon.sgdMomentum(shared, shared.subarray(4), f32(8), meta(8, 0, 0, 0), 0.9, 1, 0.1)).toThrow(/param and grad overlap/);
    expect(() => addon.adam(f32(4), f32(4), f32(4), f32(4), meta(4, 0, 0, 0, 1), 0.9, 0.999, 0.1, 0.001, 1, 1, 1e-8)).toThrow(/expAvgSq/);
    const untyped = addon.adam as unknown as (...args: unknown[]) => void;
    expect(() => untyped(f32(4), f32(4), f32(4), f32(4), meta(4, 0, 0, 0, 0), 0.9, 0.999, 0.1, 0.001, 1, 1)).toThrow(/adam expects 12 arguments/);
  });
});
