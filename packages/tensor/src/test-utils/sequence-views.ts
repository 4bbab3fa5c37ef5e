import type { View } from '../backend/backend.js';

/**
 * Random operands of the whole-sequence recurrent kernels' tests (js: backend/js/{rnn,lstm}-sequence.test.ts;
 * native: packages/native/test/{rnn,lstm}-sequence.test.ts).
 */

export type FloatCtor = Float32ArrayConstructor | Float64ArrayConstructor;

const randInt = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

/** A contiguous view at `offset` of a buffer with two guard elements after it; values scale·[-1, 1). */
export function contiguousView(r: () => number, C: FloatCtor, shape: number[], scale = 1, offset = 2): View {
  const n = shape.reduce((a, b) => a * b, 1);
  const buffer = new C(offset + n + 2);
  for (let i = 0; i < buffer.length; i++) buffer[i] = (r() * 2 - 1) * scale;
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  return { buffer, shape, strides, offset };
}

/** [T, B, W] over its own buffer, rows and steps padded apart, at a random offset (unit column stride, as native takes); values scale·[-1, 1). */
export function paddedSteps(r: () => number, C: FloatCtor, T: number, B: number, W: number, scale: number): View {
  const rs = W + randInt(r, 0, 2), ss = B * rs + randInt(r, 0, 3), offset = randInt(r, 0, 4);
  const buffer = new C(offset + T * ss + 3);
  for (let i = 0; i < buffer.length; i++) buffer[i] = (r() * 2 - 1) * scale;
  return { buffer, shape: [T, B, W], strides: [ss, rs, 1], offset };
}

/**
 * A recurrent weight [G, H] with entries in ±scale/√H (scale < 1 keeps the recurrence contractive,
 * so float32 errors do not grow over the steps): contiguous, or half the time the transposed view
 * of an [H, G] matrix.
 */
export function recurrentWeight(r: () => number, C: FloatCtor, G: number, H: number, scale: number): View {
  const w = contiguousView(r, C, [G, H], scale / Math.sqrt(H), 1);
  return r() < 0.5 ? w : { ...w, strides: [1, G] };
}
