// The thread pool under contention: with busy threads competing for every core, pool workers are
// often descheduled when a region is published and wake after the caller has taken every task
// itself (csrc/threadpool.cc: such a worker must skip the region, not run a task twice or touch a
// finished one). SGD momentum updates are not idempotent (a chunk applied twice or skipped changes
// the bits) and split into 16k-element tasks; sliced GEMMs give two tasks to two threads. Each
// runs hundreds of times against the TS kernels while the spinners run, checked as each call
// returns. A race cannot be forced every time: a caller that stopped waiting for its workers
// failed this file in about half the runs.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Imported by relative path in tests only: @tsgrad/native must not depend on @tsgrad/tensor.
import { jsBackend } from '../../tensor/src/backend/js/index.js';
import { createBackend } from '../src/index.js';
import type { View } from '../src/types.js';
import { expectBuffersClose, rng, skipWithoutAddon } from './helpers.js';

const native = skipWithoutAddon ? (null as unknown as ReturnType<typeof createBackend>) : createBackend();

describe.skipIf(skipWithoutAddon)('thread pool under contention', () => {
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const spinners: Worker[] = [];
  beforeAll(() => {
    // One busy thread per core: the pool's workers now share their cores and lose them mid-wait.
    for (let i = 0; i < Math.max(2, availableParallelism()); i++) {
      spinners.push(new Worker('const { workerData } = require("node:worker_threads"); while (Atomics.load(workerData, 0) === 0) {}', { eval: true, workerData: stop }));
    }
  });
  afterAll(async () => {
    Atomics.store(stop, 0, 1);
    await Promise.all(spinners.map((w) => new Promise((resolve) => w.once('exit', resolve))));
  });

  it('SGD momentum over 13 tasks per call: the TS kernel\'s bits when each call returns', () => {
    const r = rng(5);
    const n = 200_003;
    const make = () => Float32Array.from({ length: n }, () => r() * 2 - 1);
    const view = (buffer: Float32Array): View => ({ buffer, shape: [n], strides: [1], offset: 0 });
    const p = make(), g = make(), b = make();
    const pe = p.slice(), be = b.slice();
    const h = { momentum: 0.9, keep: 1, lr: 0.01 };
    for (let call = 0; call < 200; call++) {
      jsBackend.sgdMomentum(view(pe), view(g), view(be), h);
      native.sgdMomentum(view(p), view(g), view(b), h);
      // Checked at once: a task still running after the call returned would show here.
      for (let i = 0; i < n; i++) {
        if (!Object.is(p[i], pe[i]) || !Object.is(b[i], be[i])) expect.fail(`call ${call}, element ${i}: param ${p[i]} / buffer ${b[i]}, TS gives ${pe[i]} / ${be[i]}`);
      }
    }
  });

  it('sliced GEMMs (two tasks per call) agree with TS on every call', () => {
    const r = rng(6);
    const [M, K, N] = [128, 64, 784];
    const a: View = { buffer: Float32Array.from({ length: M * K }, () => r() - 0.5), shape: [M, K], strides: [K, 1], offset: 0 };
    const bv: View = { buffer: Float32Array.from({ length: K * N }, () => r() - 0.5), shape: [K, N], strides: [N, 1], offset: 0 };
    const expected: View = { buffer: new Float32Array(M * N), shape: [M, N], strides: [N, 1], offset: 0 };
    jsBackend.matmul(a, bv, expected);
    for (let call = 0; call < 800; call++) {
      const out: View = { buffer: new Float32Array(M * N).fill(NaN), shape: [M, N], strides: [N, 1], offset: 0 };
      native.matmul(a, bv, out);
      expectBuffersClose(out.buffer, expected.buffer, 1e-4, 1e-4, `call ${call}`);
    }
  });
});
