// Shared test helpers: a seeded PRNG, views over random data, and closeness checks.
import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import type { TypedArray, View } from '../src/types.js';

export type FloatCtor = Float32ArrayConstructor | Float64ArrayConstructor;

/** mulberry32: small, fast, reproducible. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
export const randInt = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d]!;
  }
  return s;
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A contiguous view of random values in [-1, 1) at a random offset. */
export function randomView(r: () => number, Ctor: FloatCtor, shape: readonly number[], maxOffset = 3): View {
  const offset = randInt(r, 0, maxOffset);
  const buffer = new Ctor(offset + numel(shape) + randInt(r, 0, 2));
  for (let i = 0; i < buffer.length; i++) buffer[i] = r() * 2 - 1;
  return { buffer, shape: [...shape], strides: contiguousStrides(shape), offset };
}

/** A zero-filled contiguous output view at a random offset, with NaN guards around it. */
export function outView(r: () => number, Ctor: FloatCtor | Int32ArrayConstructor, shape: readonly number[]): View {
  const offset = randInt(r, 0, 3);
  const buffer = new Ctor(offset + numel(shape) + 2);
  buffer.fill(Ctor === Int32Array ? -7 : NaN);
  return { buffer, shape: [...shape], strides: contiguousStrides(shape), offset };
}

export function cloneView(v: View): View {
  return { ...v, buffer: v.buffer.slice() as TypedArray };
}

/** Elementwise closeness over the whole buffers (so writes outside the view are caught too). */
export function expectBuffersClose(actual: TypedArray, expected: TypedArray, rtol: number, atol: number, label = ''): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (Number.isNaN(e)) {
      if (!Number.isNaN(a)) expect.fail(`${label} [${i}]: expected NaN, got ${a}`);
      continue;
    }
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) expect.fail(`${label} [${i}]: got ${a}, expected ${e}`);
  }
}

/**
 * Whether the compiled addon is missing and may be: tests that need it are skipped then (a machine
 * without a C++ toolchain, where the install warned and tensor uses its TS backend). CI sets
 * TSGRAD_REQUIRE_NATIVE=1, which turns a missing addon into failures instead.
 */
export const skipWithoutAddon: boolean = (() => {
  if (process.env['TSGRAD_REQUIRE_NATIVE'] === '1') return false;
  const path = process.env['TSGRAD_NATIVE_PATH'] || new URL('../build/Release/tsgrad_native.node', import.meta.url).pathname;
  return !existsSync(path);
})();
