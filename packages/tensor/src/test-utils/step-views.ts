import { expect } from 'vitest';
import type { View } from '../backend/backend.js';
import type { TypedArray } from '../dtype.js';

/**
 * View helpers shared by the fused recurrent step kernels' tests (js: backend/js/{lstm,rnn}.test.ts;
 * native: packages/native/test/{lstm,rnn}.test.ts) and by their unfused references.
 */

/** Row t of a contiguous [rows, B, W] buffer as a [B, W] view. */
export const stepOf = (buffer: TypedArray, t: number, B: number, W: number): View => ({ buffer, shape: [B, W], strides: [W, 1], offset: t * B * W });

/** A contiguous [rows, cols] scratch view of the given array type. */
export function scratch(like: TypedArray, rows: number, cols: number): View {
  const Ctor = like.constructor as new (n: number) => TypedArray;
  return { buffer: new Ctor(rows * cols), shape: [rows, cols], strides: [cols, 1], offset: 0 };
}

/** Copies every distinct buffer of `views` once, keeping views that shared a buffer sharing the copy. */
export function cloneAll(views: View[]): View[] {
  const copies = new Map<TypedArray, TypedArray>();
  return views.map((v) => {
    let b = copies.get(v.buffer);
    if (b === undefined) copies.set(v.buffer, (b = v.buffer.slice() as TypedArray));
    return { ...v, buffer: b };
  });
}

/** Fails unless `actual` holds exactly the bits of `expected` (so -0 differs from 0, and NaN equals NaN). */
export function expectSameBits(actual: TypedArray, expected: TypedArray, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) expect.fail(`${label}[${i}]: got ${actual[i]}, expected ${expected[i]}`);
  }
}
