// The bundled-GEMM build (CMake option TSGRAD_NO_BLAS=ON, as on a machine without any BLAS),
// built into its own directory and checked against the TS backend.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { jsBackend } from '../../tensor/src/backend/js/index.js';
import { makeBackend } from '../src/backend.js';
import type { RawAddon } from '../src/types.js';
import { cloneView, expectBuffersClose, outView, randomView, rng, skipWithoutAddon } from './helpers.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build-noblas');

describe.skipIf(skipWithoutAddon)('TSGRAD_NO_BLAS build', () => {
  it('builds, reports the bundled GEMM, and agrees with the TS backend', () => {
    const b = spawnSync(process.execPath, [join(root, 'scripts', 'install.mjs'), '--no-blas', '--strict', '--out', out], {
      encoding: 'utf8',
      env: { ...process.env, TSGRAD_NATIVE_QUIET: '1' },
    });
    expect(b.status, `${b.stdout}\n${b.stderr}`).toBe(0);
    const addon = createRequire(import.meta.url)(join(out, 'Release', 'tsgrad_native.node')) as RawAddon;
    const backend = makeBackend(addon);
    expect(backend.info()).toMatchObject({ blas: 'bundled' });

    const r = rng(41);
    for (const Ctor of [Float32Array, Float64Array]) {
      for (const [M, K, N] of [[1, 1, 1], [70, 300, 33], [257, 129, 200]] as const) {
        const a = randomView(r, Ctor, [2, M, K]);
        const bt = randomView(r, Ctor, [N, K]); // b = bt^T, broadcast over the batch
        const bv = { ...bt, shape: [2, K, N], strides: [0, 1, K] };
        const o = outView(r, Ctor, [2, M, N]), e = cloneView(o);
        jsBackend.matmul(a, bv, e);
        backend.matmul(a, bv, o);
        expectBuffersClose(o.buffer, e.buffer, 1e-4, 1e-4, `${Ctor.name} ${M}x${K}x${N}`);
      }
      const p = { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 } as const;
      const x = randomView(r, Ctor, [4, 16, 14, 14]), w = randomView(r, Ctor, [32, 16, 3, 3]);
      const o = outView(r, Ctor, [4, 32, 14, 14]), e = cloneView(o);
      jsBackend.conv2d(x, w, null, e, p);
      backend.conv2d(x, w, null, o, p);
      expectBuffersClose(o.buffer, e.buffer, 1e-4, 1e-3, `${Ctor.name} conv2d`);
    }
  }, 300_000);
});
