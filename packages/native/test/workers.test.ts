// The addon is context-aware: it loads and computes in several worker threads at once.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { skipWithoutAddon } from './helpers.js';
import { addonPath, rawAddon } from '../src/index.js';

// Plain JS in the worker: require the .node file directly and check results against a naive product.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const addon = require(workerData.path);
let r = workerData.seed >>> 0;
const rand = () => ((r = (Math.imul(r, 1664525) + 1013904223) >>> 0) / 4294967296) - 0.5;
let maxErr = 0;
for (let iter = 0; iter < workerData.iters; iter++) {
  const n = 16 + (iter % 5) * 40;
  const a = new Float64Array(n * n).map(rand), b = new Float64Array(n * n).map(rand), c = new Float64Array(n * n);
  const meta = new Float64Array([2, n, n, n, n, 1, 0, n, 1, 0, n, 1, 0]);
  addon.matmul(a, b, c, meta);
  for (let i = 0; i < n; i += 7) for (let j = 0; j < n; j += 5) {
    let s = 0;
    for (let k = 0; k < n; k++) s += a[i * n + k] * b[k * n + j];
    maxErr = Math.max(maxErr, Math.abs(s - c[i * n + j]));
  }
  // conv2d with a 1x1 all-ones kernel sums the channels; 8 images so the per-image schedule uses the shared pool.
  const cx = new Float64Array(8 * 4 * 9 * 9).map(rand), cw = new Float64Array(6 * 4).fill(1), cout = new Float64Array(8 * 6 * 81);
  addon.conv2d(cx, cw, null, cout, new Float64Array([8, 4, 9, 9, 6, 4, 1, 1, 9, 9, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0]));
  for (let n = 0; n < 8; n++) for (let o = 0; o < 6; o++) for (let p = 0; p < 81; p++) {
    let s = 0;
    for (let c = 0; c < 4; c++) s += cx[(n * 4 + c) * 81 + p];
    maxErr = Math.max(maxErr, Math.abs(s - cout[(n * 6 + o) * 81 + p]));
  }
  const x = new Float32Array(2 * 3 * 10 * 10).map(rand), out = new Float32Array(2 * 3 * 5 * 5), idx = new Int32Array(2 * 3 * 5 * 5);
  addon.maxPool2d(x, out, idx, new Float64Array([2, 3, 10, 10, 5, 5, 2, 2, 2, 2, 0, 0, 0, 0, 0]));
  for (let i = 0; i < out.length; i++) if (out[i] !== x[Math.floor(i / 25) * 100 + idx[i]]) maxErr = Infinity;
}
parentPort.postMessage({ maxErr, info: addon.info() });
`;

function runWorker(seed: number): Promise<{ maxErr: number; info: { blas: string } }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(workerSource, { eval: true, workerData: { path: addonPath(), seed, iters: 40 } });
    w.once('message', resolve);
    w.once('error', reject);
    w.once('exit', (code) => { if (code !== 0) reject(new Error(`worker exited with ${code}`)); });
  });
}

describe.skipIf(skipWithoutAddon)('worker threads', () => {
  it('loads and runs kernels in two workers at once (and in the main thread)', async () => {
    const running = Promise.all([runWorker(1), runWorker(2)]);
    const main = rawAddon();
    const a = new Float32Array(300 * 300).fill(1), c = new Float32Array(300 * 300);
    main.matmul(a, a, c, new Float64Array([2, 300, 300, 300, 300, 1, 0, 300, 1, 0, 300, 1, 0]));
    expect(c.every((v) => v === 300)).toBe(true);
    const results = await running;
    for (const r of results) {
      expect(r.maxErr).toBeLessThan(1e-9);
      expect(typeof r.info.blas).toBe('string');
    }
    // A third load after the workers exited, to check instance teardown left the module usable.
    const again = await runWorker(3);
    expect(again.maxErr).toBeLessThan(1e-9);
  });
});
