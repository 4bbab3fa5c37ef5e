// The bundled GEMM (used when no BLAS is found) through its debug entry point, against a naive
// float64 reference, across the edges of its register and cache blocks.
import { describe, expect, it } from 'vitest';
import { rawAddon } from '../src/index.js';
import { type FloatCtor, pick, randInt, rng, skipWithoutAddon } from './helpers.js';

const addon = skipWithoutAddon ? (null as unknown as ReturnType<typeof rawAddon>) : rawAddon();

function check(Ctor: FloatCtor, M: number, N: number, K: number, transA: boolean, transB: boolean, strideStep: number, accumulate: boolean, r: () => number): void {
  // A is M x K read through (ars, acs); `strideStep` spreads the inner dim to make it non-contiguous.
  const [ars, acs] = transA ? [strideStep, M * strideStep] : [K * strideStep, strideStep];
  const [brs, bcs] = transB ? [strideStep, K * strideStep] : [N * strideStep, strideStep];
  const a = new Ctor(Math.max(1, M * K * strideStep) + 1), b = new Ctor(Math.max(1, K * N * strideStep) + 1);
  for (let i = 0; i < a.length; i++) a[i] = r() * 2 - 1;
  for (let i = 0; i < b.length; i++) b[i] = r() * 2 - 1;
  const c = new Ctor(M * N);
  for (let i = 0; i < c.length; i++) c[i] = r();
  const expected = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = accumulate ? c[i * N + j]! : 0;
      for (let k = 0; k < K; k++) s += a[i * ars + k * acs]! * b[k * brs + j * bcs]!;
      expected[i * N + j] = s;
    }
  }
  addon.gemmDebug(a, b, c, new Float64Array([M, N, K, ars, acs, 0, brs, bcs, 0, accumulate ? 1 : 0]));
  const tol = Ctor === Float32Array ? 1e-5 * Math.max(1, Math.sqrt(K)) * 4 : 1e-12 * Math.max(1, K);
  for (let i = 0; i < M * N; i++) {
    if (!(Math.abs(c[i]! - expected[i]!) <= tol * (1 + Math.abs(expected[i]!))))
      expect.fail(`${Ctor.name} ${M}x${K}x${N} tA=${transA} tB=${transB} step=${strideStep} acc=${accumulate} [${i}]: ${c[i]} vs ${expected[i]}`);
  }
}

describe.skipIf(skipWithoutAddon)('bundled GEMM', () => {
  for (const Ctor of [Float32Array, Float64Array]) {
    it(`${Ctor.name}: block edges, transposes, strides, accumulate`, () => {
      const r = rng(Ctor === Float32Array ? 31 : 32);
      const edges = [0, 1, 2, 5, 6, 7, 8, 9, 15, 16, 17, 31, 97, 121, 255, 257];
      for (let t = 0; t < 120; t++) {
        const M = pick(r, edges), N = pick(r, edges), K = pick(r, edges);
        check(Ctor, M, N, K, r() < 0.5, r() < 0.5, pick(r, [1, 1, 2]), r() < 0.3, r);
      }
    });

    it(`${Ctor.name}: sizes spanning several cache blocks (threaded)`, () => {
      const r = rng(33);
      check(Ctor, 40, 3100, 300, false, false, 1, false, r); // N spans two NC blocks (float)
      check(Ctor, 130, 70, 600, true, true, 1, true, r);
      check(Ctor, 1, randInt(r, 500, 600), 513, false, true, 1, false, r);
      // Depth blocking splits K evenly: one block up to KC, then equal blocks (321 -> 2, 961 -> 4).
      for (const K of [288, 320, 321, 961]) check(Ctor, 50, 37, K, K % 2 === 1, false, 1, K === 321, r);
    });
  }
});
