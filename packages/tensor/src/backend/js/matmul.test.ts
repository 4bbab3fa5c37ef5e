import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gemm } from './matmul.js';
import { fcOptions } from '../../test-utils/arbitraries.js';
import { lcg } from '../../test-utils/naive.js';

/**
 * The pure-TS GEMM called directly (whatever the current backend: conv2d uses it too), against a
 * triple loop: strided/transposed operands at offsets, a C with a row stride wider than N,
 * accumulate, and sizes around every tile and block edge (MR = 4, NR = 2, KC = 256, MC = 64, NC = 512).
 */
type Arr = Float64Array | Float32Array | Int32Array;
type Ctor = new (n: number) => Arr;

interface Case {
  M: number; N: number; K: number; transA: boolean; transB: boolean; aOff: number; bOff: number; cOff: number;
  ldcExtra: number; accumulate: boolean; seed: number;
}

function run(c: Case, ctor: Ctor, values: (rnd: () => number) => number) {
  const rnd = lcg(c.seed);
  const { M, N, K } = c;
  const A = new ctor(c.aOff + M * K), B = new ctor(c.bOff + K * N);
  for (let i = 0; i < A.length; i++) A[i] = values(rnd);
  for (let i = 0; i < B.length; i++) B[i] = values(rnd);
  // A logical [M, K]: row-major, or stored as its transpose [K, M].
  const [ars, acs] = c.transA ? [1, M] : [K, 1];
  const [brs, bcs] = c.transB ? [1, K] : [N, 1];
  const ldc = N + c.ldcExtra;
  const C = new ctor(c.cOff + M * ldc);
  for (let i = 0; i < C.length; i++) C[i] = values(rnd);
  const before = C.slice();
  gemm(M, N, K, A, c.aOff, ars, acs, B, c.bOff, brs, bcs, C, c.cOff, c.accumulate, ldc);
  const expected = new ctor(C.length);
  expected.set(before);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += A[c.aOff + i * ars + k * acs]! * B[c.bOff + k * brs + j * bcs]!;
      const p = c.cOff + i * ldc + j;
      expected[p] = c.accumulate ? before[p]! + s : s;
    }
  }
  return { actual: C, expected };
}

function expectClose(actual: Arr, expected: Arr, rtol: number): void {
  for (let i = 0; i < expected.length; i++) {
    const x = actual[i]!, y = expected[i]!;
    if (x === y || (x !== x && y !== y)) continue;
    if (Math.abs(x - y) <= rtol * (1 + Math.abs(y))) continue;
    expect.fail(`element ${i}: actual ${x}, expected ${y}`);
  }
}

const caseArb = (maxDim: number) => fc.record({
  M: fc.integer({ min: 0, max: maxDim }), N: fc.integer({ min: 0, max: maxDim }), K: fc.integer({ min: 0, max: maxDim }),
  transA: fc.boolean(), transB: fc.boolean(),
  aOff: fc.integer({ min: 0, max: 3 }), bOff: fc.integer({ min: 0, max: 3 }), cOff: fc.integer({ min: 0, max: 3 }),
  ldcExtra: fc.integer({ min: 0, max: 2 }), accumulate: fc.boolean(), seed: fc.integer(),
});

// Small integers: float64 sums are exact, so any tile or packing slip shows as a wrong value.
const smallInts = (rnd: () => number) => Math.floor(rnd() * 7) - 3;

describe('js gemm against a triple loop', () => {
  it('random small shapes, layouts, offsets, row strides, accumulate (float64, exact)', () => {
    fc.assert(fc.property(caseArb(11), (c) => {
      const { actual, expected } = run(c, Float64Array, smallInts);
      expect(Array.from(actual)).toEqual(Array.from(expected));
    }), fcOptions(300));
  });

  it('int32 and float32 outputs', () => {
    fc.assert(fc.property(caseArb(9), (c) => {
      const i32 = run(c, Int32Array, smallInts);
      expect(Array.from(i32.actual)).toEqual(Array.from(i32.expected));
      const f32 = run(c, Float32Array, (rnd) => rnd() - 0.5);
      expectClose(f32.actual, f32.expected, 1e-5);
    }), fcOptions(100));
  });

  it('sizes across every tile and block edge', () => {
    const sizes: [number, number, number][] = [
      [4, 2, 256], [5, 3, 257], [63, 511, 1], [64, 512, 9], [65, 7, 513], [3, 1025, 7], [129, 2, 300], [1, 1, 600], [9, 513, 3], [7, 1023, 2],
    ];
    let seed = 1;
    for (const [M, N, K] of sizes) {
      for (const transA of [false, true]) {
        for (const accumulate of [false, true]) {
          const c: Case = { M, N, K, transA, transB: !transA, aOff: 1, bOff: 2, cOff: 3, ldcExtra: 1, accumulate, seed: seed++ };
          const { actual, expected } = run(c, Float64Array, smallInts);
          expect(Array.from(actual)).toEqual(Array.from(expected));
        }
      }
    }
  });

  it('NaN and Infinity propagate to exactly the outputs they touch; K = 0 writes zeros', () => {
    const M = 6, N = 5, K = 4;
    const A = new Float64Array(M * K).fill(1), B = new Float64Array(K * N).fill(1);
    A[2 * K + 1] = NaN; // row 2
    B[3 * N + 4] = Infinity; // column 4
    const C = new Float64Array(M * N);
    gemm(M, N, K, A, 0, K, 1, B, 0, N, 1, C, 0);
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        const v = C[i * N + j]!;
        if (i === 2) expect(v).toBeNaN();
        else if (j === 4) expect(v).toBe(Infinity);
        else expect(v).toBe(4);
      }
    }
    const Z = new Float64Array(8).fill(7);
    gemm(2, 3, 0, A, 0, 0, 1, B, 0, 3, 1, Z, 1, false, 4);
    expect(Array.from(Z)).toEqual([7, 0, 0, 0, 7, 0, 0, 0]);
    gemm(2, 3, 0, A, 0, 0, 1, B, 0, 3, 1, Z, 1, true, 4);
    expect(Array.from(Z)).toEqual([7, 0, 0, 0, 7, 0, 0, 0]);
  });
});
