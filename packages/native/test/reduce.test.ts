// Large reductions split over the pool along a kept dim give the bits of one thread.
import { afterAll, describe, expect, it } from 'vitest';
import { elementwiseKernels } from '../src/elementwise.js';
import { backendInfo, rawAddon, setNumThreads } from '../src/index.js';
import type { View } from '../src/types.js';
import { contiguousStrides, outView, rng, skipWithoutAddon } from './helpers.js';

const native = skipWithoutAddon ? (null as unknown as ReturnType<typeof elementwiseKernels>) : elementwiseKernels(rawAddon(), { cheap: 0, transcendental: 0, reduce: 0 });
const threads = skipWithoutAddon ? 1 : Number(backendInfo()['threads']);

describe.skipIf(skipWithoutAddon)('threaded reductions', () => {
  afterAll(() => setNumThreads(threads));

  // NCHW bias gradients (W4's [64, 32, 28, 28] over [0, 2, 3]), a kept dim in the middle, a
  // kept dim of odd size, and a permuted (non-contiguous) input.
  const cases: [number[], number[], boolean][] = [
    [[64, 32, 28, 28], [0, 2, 3], false],
    [[64, 64, 14, 14], [0, 2, 3], false],
    [[7, 5, 3000], [0, 2], false],
    [[3, 1000, 50], [2], false],
    [[40, 30, 100], [0, 2], true],
  ];
  for (const [name, Ctor] of [['float32', Float32Array], ['float64', Float64Array]] as const) {
    it(`${name}: sum, max and min are bit-identical on 1 thread and on several`, () => {
      const r = rng(81);
      for (const [shape, dims, permuted] of cases) {
        const n = shape.reduce((a, b) => a * b, 1);
        const buffer = new Ctor(n);
        for (let i = 0; i < n; i++) buffer[i] = (r() * 2 - 1) * (i % 17 === 0 ? 1e6 : 1);
        let x: View = { buffer, shape, strides: contiguousStrides(shape), offset: 0 };
        if (permuted) x = { ...x, shape: [shape[1]!, shape[0]!, shape[2]!], strides: [x.strides[1]!, x.strides[0]!, x.strides[2]!] };
        const outShape = x.shape.map((s, d) => (dims.includes(d) ? 1 : s));
        for (const op of ['sum', 'max', 'min'] as const) {
          const results: View['buffer'][] = [];
          for (const t of [1, Math.max(2, threads)]) {
            setNumThreads(t);
            const out = outView(r, Ctor, outShape);
            native.reduce(op, x, dims, out);
            results.push(out.buffer.slice(out.offset));
          }
          expect([...results[1]!], `${op} over [${dims}] of [${x.shape}]`).toEqual([...results[0]!]);
        }
      }
    });
  }
});
