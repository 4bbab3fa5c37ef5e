// Max/avg pooling on the shapes of a CNN's pools: many small planes grouped into threaded tasks,
// and the 2x2 / stride 2 fast path on rows of several 16-window vectors; exact against TS.
import { describe, expect, it } from 'vitest';
// Imported by relative path in tests only: @tsgrad/native must not depend on @tsgrad/tensor.
import { jsBackend } from '../../tensor/src/backend/js/index.js';
import { createBackend } from '../src/index.js';
import type { Pool2dParams, View } from '../src/types.js';
import { cloneView, contiguousStrides, type FloatCtor, numel, outView, pick, randInt, randomView, rng, skipWithoutAddon } from './helpers.js';

const native = skipWithoutAddon ? (null as unknown as ReturnType<typeof createBackend>) : createBackend();
const dtypes: [string, FloatCtor][] = [['float32', Float32Array], ['float64', Float64Array]];
const pool2: Pool2dParams = { kernelSize: [2, 2], stride: [2, 2], padding: [0, 0] };

/** Equality (exact unless rtol is given), NaN equal to NaN, reporting the first differing element. */
function expectSame(actual: View['buffer'], expected: View['buffer'], label: string, rtol = 0): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)) || (rtol > 0 && Math.abs(a - e) <= 1e-7 + rtol * Math.abs(e))) continue;
    expect.fail(`${label} [${i}]: got ${a}, expected ${e}`);
  }
}

function outShapeOf(shape: readonly number[], p: Pool2dParams): number[] {
  const [N, C, H, W] = shape as [number, number, number, number];
  return [N, C, Math.floor((H + 2 * p.padding[0] - p.kernelSize[0]) / p.stride[0]) + 1, Math.floor((W + 2 * p.padding[1] - p.kernelSize[1]) / p.stride[1]) + 1];
}

describe.skipIf(skipWithoutAddon)('pooling over many small planes (tasks of several planes)', () => {
  // W4's two pools, plane counts that leave a short last task, and a 3x3 / stride 1 padded pool.
  const cases: [number[], Pool2dParams][] = [
    [[64, 32, 28, 28], pool2],
    [[64, 64, 14, 14], pool2],
    [[50, 41, 14, 14], pool2],
    [[33, 70, 9, 7], pool2],
    [[40, 60, 8, 8], { kernelSize: [3, 3], stride: [1, 1], padding: [1, 1], countIncludePad: false }],
  ];
  for (const [name, Ctor] of dtypes) {
    it(`${name}: max pooling and its gradient match TS exactly, average pooling to rounding`, () => {
      const r = rng(Ctor === Float32Array ? 71 : 72);
      for (const [shape, p] of cases) {
        const label = `[${shape}] k${p.kernelSize}`;
        const os = outShapeOf(shape, p);
        const x = randomView(r, Ctor, shape);
        for (let i = 0; i < x.buffer.length; i += 5) x.buffer[i] = 0.25; // ties: the first index wins
        const out = outView(r, Ctor, os), idx = outView(r, Int32Array, os);
        const outE = cloneView(out), idxE = cloneView(idx);
        jsBackend.maxPool2d(x, outE, idxE, p);
        native.maxPool2d(x, out, idx, p);
        expectSame(out.buffer, outE.buffer, `${label} max`);
        expectSame(idx.buffer, idxE.buffer, `${label} indices`);

        const gradOut = randomView(r, Ctor, os);
        gradOut.buffer[gradOut.offset] = -0; // 0 + -0 is +0 in the scatter
        const gin = outView(r, Ctor, shape), ginE = cloneView(gin);
        jsBackend.maxPool2dBackward(gradOut, idxE, ginE, p);
        native.maxPool2dBackward(gradOut, idx, gin, p);
        expectSame(gin.buffer, ginE.buffer, `${label} max backward`);

        const avg = outView(r, Ctor, os), avgE = cloneView(avg);
        jsBackend.avgPool2d(x, avgE, p);
        native.avgPool2d(x, avg, p);
        expectSame(avg.buffer, avgE.buffer, `${label} avg`, 1e-6);

        const gin2 = outView(r, Ctor, shape), gin2E = cloneView(gin2);
        jsBackend.avgPool2dBackward(gradOut, gin2E, p);
        native.avgPool2dBackward(gradOut, gin2, p);
        expectSame(gin2.buffer, gin2E.buffer, `${label} avg backward`, 1e-6);
      }
    });
  }

  it('a bad index in the middle of a task of several planes is refused, naming its position', () => {
    const shape = [64, 64, 14, 14], os = [64, 64, 7, 7];
    const gradOut = { buffer: new Float32Array(numel(os)).fill(1), shape: os, strides: contiguousStrides(os), offset: 0 };
    const indices = { buffer: new Int32Array(numel(os)), shape: os, strides: contiguousStrides(os), offset: 0 };
    const at = 49 * 1000 + 20; // plane 1000, inside a task
    indices.buffer[at] = 196;
    const gradIn = { buffer: new Float32Array(numel(shape)), shape, strides: contiguousStrides(shape), offset: 0 };
    expect(() => native.maxPool2dBackward(gradOut, indices, gradIn, pool2)).toThrow(
      new RangeError(`maxPool2dBackward: indices[${at}] = 196 is out of bounds for an input plane of 14 x 14 = 196 elements`));
  });
});

describe.skipIf(skipWithoutAddon)('the 2x2 / stride 2 max pool fast path on long rows', () => {
  for (const [name, Ctor] of dtypes) {
    it(`${name}: rows of 1-3 vectors of windows and a tail, NaN in any slot of a later vector, ties`, () => {
      const r = rng(Ctor === Float32Array ? 73 : 74);
      for (let t = 0; t < 40; t++) {
        const N = randInt(r, 1, 2), C = randInt(r, 1, 3), H = randInt(r, 2, 7), W = randInt(r, 30, 100);
        const shape = [N, C, H, W], os = outShapeOf(shape, pool2);
        const x = randomView(r, Ctor, shape);
        if (t % 4 === 0) for (let i = 0; i < x.buffer.length; i++) x.buffer[i] = pick(r, [0.5, -0.5, 0, -Infinity]);
        // One NaN in window column >= 16 (the second vector or later), at slot a, b, c or d.
        if (t % 2 === 1) {
          const ow = randInt(r, 16, os[3]! - 1), oh = randInt(r, 0, os[2]! - 1), slot = t % 8 >> 1;
          x.buffer[x.offset + (2 * oh + (slot >> 1)) * W + 2 * ow + (slot & 1)] = NaN;
        }
        const label = `case ${t} [${shape}]`;
        const out = outView(r, Ctor, os), idx = outView(r, Int32Array, os);
        const outE = cloneView(out), idxE = cloneView(idx);
        jsBackend.maxPool2d(x, outE, idxE, pool2);
        native.maxPool2d(x, out, idx, pool2);
        expectSame(out.buffer, outE.buffer, `${label} max`);
        expectSame(idx.buffer, idxE.buffer, `${label} indices`);
      }
    });
  }
});
