import type { TypedArray } from '../../dtype.js';
import type { View } from '../backend.js';

/**
 * Pure-TS GEMM: C = A·B with A and B read through arbitrary strides (so transposed operands need
 * no copy), packed into float64 panels (mr×kc and kc×nr strips, as in GotoBLAS/BLIS), and
 * multiplied by a 4×2 register-blocked micro-kernel. C is row-major with any row stride.
 *
 * Why 4×2, split in halves, and one pack array per strip row/column (measured on V8 11 / Node 20,
 * Zen 3; x64 has 16 float registers and V8 emits no FMA):
 * - TurboFan computes all of a step's products before any of its adds, so products and
 *   accumulators are live together and spill. A never-taken loop exit between rows 1 and 2
 *   splits each step in two halves that TurboFan schedules one after the other; with 8
 *   accumulators, 2 B values, 2 A values and 4 products per half, nothing spills. That runs
 *   1.4-1.5× faster than the 4×4 tile without the split (4×3 split: 1.15-1.25×; 4×4, 6×2, 8×2
 *   split and 3×3, 5×2 were slower than 4×2; k-unrolling and pairwise sums too).
 * - Every typed-array load carries a bounds check. Loads from arrays of equal length at the same
 *   index share one check, so strip row r of A lives in packA[r] and strip column c of B in
 *   packB[c], all read at one index per k step: two checks per step instead of seven.
 * - The packs are module-level `const`s of a fixed size: the micro-kernel compiles measurably
 *   better reading a `const` binding than a `let` that could be reassigned. Float32 packs were no
 *   faster.
 */
const MR = 4;
const NR = 2;
const KC = 256;
const MC = 64; // a multiple of MR
const NC = 512; // a multiple of NR

const PACK_A_LEN = (MC / MR) * KC;
const PACK_B_LEN = (NC / NR) * KC;
const packA0 = new Float64Array(PACK_A_LEN);
const packA1 = new Float64Array(PACK_A_LEN);
const packA2 = new Float64Array(PACK_A_LEN);
const packA3 = new Float64Array(PACK_A_LEN);
const packB0 = new Float64Array(PACK_B_LEN);
const packB1 = new Float64Array(PACK_B_LEN);
const edgeTile = new Float64Array(MR * NR);

/** Packs A[i0:i0+mc, k0:k0+kc] into MR-row strips (strip s, row r, step k at packA{r}[s*kc + k]), zero-padding the last strip. */
function packABlock(A: TypedArray, aOff: number, ars: number, acs: number, i0: number, mc: number, k0: number, kc: number): void {
  const d0 = packA0, d1 = packA1, d2 = packA2, d3 = packA3;
  let p = 0;
  for (let i = 0; i < mc; i += MR) {
    const rows = Math.min(MR, mc - i);
    let src = aOff + k0 * acs + (i0 + i) * ars;
    if (rows === MR) {
      for (let k = 0; k < kc; k++, p++, src += acs) {
        d0[p] = A[src]!; d1[p] = A[src + ars]!; d2[p] = A[src + 2 * ars]!; d3[p] = A[src + 3 * ars]!;
      }
    } else {
      for (let k = 0; k < kc; k++, p++, src += acs) {
        d0[p] = A[src]!;
        d1[p] = rows > 1 ? A[src + ars]! : 0;
        d2[p] = rows > 2 ? A[src + 2 * ars]! : 0;
        d3[p] = 0;
      }
    }
  }
}

/** Packs B[k0:k0+kc, j0:j0+nc] into NR-column strips (strip s, column c, step k at packB{c}[s*kc + k]), zero-padding the last strip. */
function packBBlock(B: TypedArray, bOff: number, brs: number, bcs: number, k0: number, kc: number, j0: number, nc: number): void {
  const d0 = packB0, d1 = packB1;
  let p = 0;
  for (let j = 0; j < nc; j += NR) {
    const cols = Math.min(NR, nc - j);
    let src = bOff + k0 * brs + (j0 + j) * bcs;
    if (cols === NR) {
      for (let k = 0; k < kc; k++, p++, src += brs) {
        d0[p] = B[src]!; d1[p] = B[src + bcs]!;
      }
    } else {
      for (let k = 0; k < kc; k++, p++, src += brs) {
        d0[p] = B[src]!;
        d1[p] = 0;
      }
    }
  }
}

/** C[rows×cols tile at cOff] (=|+=) A strip at pa · B strip at pb, over kc steps. */
function microKernel(kc: number, pa: number, pb: number, C: TypedArray, cOff: number, ldc: number, rows: number, cols: number, first: boolean): void {
  const A0 = packA0, A1 = packA1, A2 = packA2, A3 = packA3;
  const B0 = packB0, B1 = packB1;
  let c00 = 0, c01 = 0;
  let c10 = 0, c11 = 0;
  let c20 = 0, c21 = 0;
  let c30 = 0, c31 = 0;
  // `(x + 1) | 0`: int32 adds with no overflow check (pack offsets are far below 2^31).
  const paEnd = (pa + kc) | 0;
  while (pa < paEnd) {
    const b0 = B0[pb]!, b1 = B1[pb]!;
    const a0 = A0[pa]!, a1 = A1[pa]!;
    c00 += a0 * b0; c01 += a0 * b1;
    c10 += a1 * b0; c11 += a1 * b1;
    // Never taken (pa >= 0). A loop exit here makes rows 0-1's new sums live out of this point, so
    // TurboFan must finish them before rows 2-3 start instead of computing all 8 products first:
    // then nothing spills (see the file comment).
    if (pa === -1) break;
    const a2 = A2[pa]!, a3 = A3[pa]!;
    c20 += a2 * b0; c21 += a2 * b1;
    c30 += a3 * b0; c31 += a3 * b1;
    pa = (pa + 1) | 0;
    pb = (pb + 1) | 0;
  }
  if (rows === MR && cols === NR) {
    let p = cOff;
    if (first) {
      C[p] = c00; C[p + 1] = c01; p += ldc;
      C[p] = c10; C[p + 1] = c11; p += ldc;
      C[p] = c20; C[p + 1] = c21; p += ldc;
      C[p] = c30; C[p + 1] = c31;
    } else {
      C[p] += c00; C[p + 1] += c01; p += ldc;
      C[p] += c10; C[p + 1] += c11; p += ldc;
      C[p] += c20; C[p + 1] += c21; p += ldc;
      C[p] += c30; C[p + 1] += c31;
    }
    return;
  }
  // A ragged edge tile: spill the accumulators to a scratch buffer (no allocation per call).
  const tile = edgeTile;
  tile[0] = c00; tile[1] = c01;
  tile[2] = c10; tile[3] = c11;
  tile[4] = c20; tile[5] = c21;
  tile[6] = c30; tile[7] = c31;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const p = cOff + r * ldc + c;
      C[p] = first ? tile[r * NR + c]! : C[p]! + tile[r * NR + c]!;
    }
  }
}

/** Splits `total` into equal blocks of at most `max` (a multiple of `unit`), so no block is a thin remainder. */
function blockSize(total: number, max: number, unit: number): number {
  const blocks = Math.ceil(total / max);
  return Math.min(max, Math.ceil(Math.ceil(total / blocks) / unit) * unit);
}

/**
 * One matrix product C[M,N] = A[M,K]·B[K,N]. `ars`/`acs` are A's row and column strides (in
 * elements), likewise B's; C's rows are `ldc` apart (default N, contiguous). With `accumulate`,
 * C += A·B.
 */
export function gemm(
  M: number, N: number, K: number,
  A: TypedArray, aOff: number, ars: number, acs: number,
  B: TypedArray, bOff: number, brs: number, bcs: number,
  C: TypedArray, cOff: number,
  accumulate = false,
  ldc = N,
): void {
  if (M === 0 || N === 0) return;
  if (K === 0) {
    if (accumulate) return;
    for (let i = 0; i < M; i++) C.fill(0, cOff + i * ldc, cOff + i * ldc + N);
    return;
  }
  // Equal blocks: K = 288 runs as 2×144 rather than 256 + a 32-step remainder (short k loops
  // spend their time loading and storing C).
  const ncMax = blockSize(N, NC, NR);
  const kcMax = blockSize(K, KC, 1);
  const mcMax = blockSize(M, MC, MR);
  for (let j0 = 0; j0 < N; j0 += ncMax) {
    const nc = Math.min(ncMax, N - j0);
    for (let k0 = 0; k0 < K; k0 += kcMax) {
      const kc = Math.min(kcMax, K - k0);
      const first = k0 === 0 && !accumulate;
      packBBlock(B, bOff, brs, bcs, k0, kc, j0, nc);
      for (let i0 = 0; i0 < M; i0 += mcMax) {
        const mc = Math.min(mcMax, M - i0);
        packABlock(A, aOff, ars, acs, i0, mc, k0, kc);
        for (let i = 0; i < mc; i += MR) {
          const rows = Math.min(MR, mc - i);
          const pa = (i / MR) * kc;
          const cRow = cOff + (i0 + i) * ldc + j0;
          for (let j = 0, pb = 0; j < nc; j += NR, pb += kc) {
            microKernel(kc, pa, pb, C, cRow + j, ldc, rows, Math.min(NR, nc - j), first);
          }
        }
      }
    }
  }
}

/** Batched matmul over out's leading dims; a's and b's batch strides may be 0 (broadcast). */
export function matmul(a: View, b: View, out: View): void {
  const nd = out.shape.length;
  const M = out.shape[nd - 2]!;
  const N = out.shape[nd - 1]!;
  const K = a.shape[nd - 1]!;
  let batch = 1;
  for (let d = 0; d < nd - 2; d++) batch *= out.shape[d]!;
  const idx = new Array<number>(Math.max(nd - 2, 0)).fill(0);
  let ao = a.offset;
  let bo = b.offset;
  for (let q = 0; q < batch; q++) {
    gemm(M, N, K, a.buffer, ao, a.strides[nd - 2]!, a.strides[nd - 1]!, b.buffer, bo, b.strides[nd - 2]!, b.strides[nd - 1]!, out.buffer, out.offset + q * M * N);
    for (let d = nd - 3; d >= 0; d--) {
      ao += a.strides[d]!;
      bo += b.strides[d]!;
      if (++idx[d]! < out.shape[d]!) break;
      idx[d] = 0;
      ao -= a.strides[d]! * out.shape[d]!;
      bo -= b.strides[d]! * out.shape[d]!;
    }
  }
}

/**
 * Runs every path of the kernel once, on tiny float32 operands, when the module loads. Without
 * this, V8 can optimize the kernel (on-stack, mid-call) before a ragged edge tile or a `+=` store
 * has ever run; reaching that path then bails out of the optimized code, and the cached on-stack
 * code is re-entered and bails out again, thousands of times in one n = 512 product (measured:
 * a 2-5× slower first calls under tsx). With feedback for every path the bail-outs never happen.
 */
function warmUp(): void {
  const a = new Float32Array(5 * 2).fill(1);
  const c = new Float32Array(5 * 5);
  // Repeated: V8 records type feedback only once a function has run a few times.
  for (let i = 0; i < 16; i++) {
    gemm(5, 5, 2, a, 0, 2, 1, a, 0, 5, 1, c, 0, false); // full 4×2 tiles and ragged ones
    gemm(5, 5, 2, a, 0, 2, 1, a, 0, 5, 1, c, 0, true); // the same, accumulating
  }
}
warmUp();
