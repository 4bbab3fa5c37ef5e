// Measures the native backend: W1 GEMM GFLOPS (against OpenBLAS called directly from C, when a C
// compiler and OpenBLAS are present) and W2 conv2d forward / forward+backward times.
// Run: pnpm --filter @tsgrad/native bench   (TSGRAD_NUM_THREADS=1 for one thread)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// The pure-TS backend, by relative path (dev-only: native must not depend on tensor), for speedups.
import { jsBackend } from '../../tensor/src/backend/js/index.js';
import { createBackend } from '../src/index.js';
import type { Conv2dParams, Pool2dParams, View } from '../src/types.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const backend = createBackend();
const info = backend.info();
console.log(`native backend: ${JSON.stringify(info)}`);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** CPU milliseconds (all threads) per call: less sensitive than wall time to other load on the machine. */
function cpuMs(fn: () => void, reps: number): number {
  const c0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / reps;
}

/** Median seconds of fn over `reps` runs after warm-up. */
function time(fn: () => void, reps: number, warmup = 3): number {
  for (let i = 0; i < warmup; i++) fn();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    t.push(Number(process.hrtime.bigint() - t0) * 1e-9);
  }
  return median(t);
}

function view(shape: number[], Ctor: Float32ArrayConstructor | Float64ArrayConstructor = Float32Array): View {
  const n = shape.reduce((a, b) => a * b, 1);
  const buffer = new Ctor(n);
  for (let i = 0; i < n; i++) buffer[i] = Math.random() - 0.5;
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  return { buffer, shape, strides, offset: 0 };
}

function directOpenBlas(n: number, reps: number): number | null {
  if (info['blas'] !== 'OpenBLAS') return null;
  const exe = join(root, 'build', 'openblas_direct');
  try {
    if (!existsSync(exe)) {
      mkdirSync(dirname(exe), { recursive: true });
      execFileSync('cc', ['-O2', '-o', exe, join(root, 'bench', 'openblas_direct.c'), '-lopenblas'], { stdio: 'ignore' });
    }
    const threads = String(info['threads']);
    const out = execFileSync(exe, [String(n), String(reps)], { env: { ...process.env, OPENBLAS_NUM_THREADS: threads }, encoding: 'utf8' });
    return Number(out.trim());
  } catch {
    return null;
  }
}

console.log('\nW1 GEMM float32, C = A·B (n x n); best of 3 interleaved rounds of medians');
for (const n of [64, 128, 256, 512, 1024, 2048]) {
  const a = view([n, n]), b = view([n, n]), c = view([n, n]);
  const reps = n >= 1024 ? 10 : 30;
  let t = Infinity, direct: number | null = null;
  for (let round = 0; round < 3; round++) {
    t = Math.min(t, time(() => backend.matmul(a, b, c), reps));
    const d = directOpenBlas(n, reps);
    if (d !== null) direct = Math.min(direct ?? Infinity, d);
  }
  const gf = (2 * n ** 3) / t / 1e9;
  const cmp = direct === null ? '' : `   OpenBLAS direct ${((2 * n ** 3) / direct / 1e9).toFixed(1)} GFLOPS, native/direct ${(direct / t * 100).toFixed(1)}%`;
  console.log(`  n=${String(n).padEnd(5)} ${(t * 1e3).toFixed(3).padStart(9)} ms  ${gf.toFixed(1).padStart(6)} GFLOPS${cmp}`);
}

console.log('\nW1 GEMM float32 with transposed operands (BLAS flags, no copies), n=512');
{
  const n = 512;
  const a = view([n, n]), b = view([n, n]), c = view([n, n]);
  const aT = { ...a, strides: [1, n] }, bT = { ...b, strides: [1, n] };
  for (const [label, x, y] of [['A^T·B', aT, b], ['A·B^T', a, bT]] as const) {
    const t = time(() => backend.matmul(x, y, c), 20);
    console.log(`  ${label}: ${(t * 1e3).toFixed(3)} ms  ${((2 * n ** 3) / t / 1e9).toFixed(1)} GFLOPS`);
  }
}

console.log('\nW2 conv2d (NCHW, float32, 3x3, padding 1)');
const p: Conv2dParams = { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 };
for (const [label, N, C, H, O] of [['W2a [64,1,28,28] -> 32', 64, 1, 28, 32], ['W2b [64,32,14,14] -> 64', 64, 32, 14, 64]] as const) {
  const x = view([N, C, H, H]), w = view([O, C, 3, 3]), bias = view([O]);
  const out = view([N, O, H, H]), gOut = view([N, O, H, H]), gIn = view([N, C, H, H]), gW = view([O, C, 3, 3]);
  const best = (fn: () => void) => Math.min(time(fn, 20), time(fn, 20), time(fn, 20));
  const fwd = best(() => backend.conv2d(x, w, bias, out, p));
  const bwdIn = best(() => backend.conv2dBackwardInput(gOut, w, gIn, p));
  const bwdW = best(() => backend.conv2dBackwardWeight(x, gOut, gW, p));
  const all = best(() => {
    backend.conv2d(x, w, bias, out, p);
    backend.conv2dBackwardInput(gOut, w, gIn, p);
    backend.conv2dBackwardWeight(x, gOut, gW, p);
  });
  const allCpu = cpuMs(() => {
    backend.conv2d(x, w, bias, out, p);
    backend.conv2dBackwardInput(gOut, w, gIn, p);
    backend.conv2dBackwardWeight(x, gOut, gW, p);
  }, 20);
  const jsAll = time(() => {
    jsBackend.conv2d(x, w, bias, out, p);
    jsBackend.conv2dBackwardInput(gOut, w, gIn, p);
    jsBackend.conv2dBackwardWeight(x, gOut, gW, p);
  }, 3, 1);
  const flops = 2 * N * O * H * H * C * 9;
  console.log(
    `  ${label}: fwd ${(fwd * 1e3).toFixed(3)} ms (${(flops / fwd / 1e9).toFixed(0)} GFLOPS), ` +
      `bwd input ${(bwdIn * 1e3).toFixed(3)} ms, bwd weight ${(bwdW * 1e3).toFixed(3)} ms, fwd+bwd ${(all * 1e3).toFixed(3)} ms ` +
      `(${allCpu.toFixed(3)} CPU ms; pure TS ${(jsAll * 1e3).toFixed(1)} ms)`,
  );
}

console.log('\nPooling float32 (W4 shapes), native vs pure TS');
{
  const pp: Pool2dParams = { kernelSize: [2, 2], stride: [2, 2], padding: [0, 0] };
  const x = view([64, 32, 28, 28]), out = view([64, 32, 14, 14]), gOut = view([64, 32, 14, 14]), gIn = view([64, 32, 28, 28]);
  const idx: View = { ...out, buffer: new Int32Array(64 * 32 * 196) };
  for (const [name, b] of [['native', backend], ['ts', jsBackend]] as const) {
    const mp = time(() => b.maxPool2d(x, out, idx, pp), 20);
    const mpb = time(() => b.maxPool2dBackward(gOut, idx, gIn, pp), 20);
    const ap = time(() => b.avgPool2d(x, out, pp), 20);
    const apb = time(() => b.avgPool2dBackward(gOut, gIn, pp), 20);
    console.log(`  ${name.padEnd(6)} maxPool2d ${(mp * 1e3).toFixed(3)} ms, backward ${(mpb * 1e3).toFixed(3)} ms; avgPool2d ${(ap * 1e3).toFixed(3)} ms, backward ${(apb * 1e3).toFixed(3)} ms`);
  }
}
