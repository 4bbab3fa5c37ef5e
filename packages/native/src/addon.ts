import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RawAddon } from './types.js';

/** The package root: this file lives in src/ (tests) or dist/ (published), one level down. */
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the compiled addon is looked for: TSGRAD_NATIVE_PATH, else build/Release in the package. */
export function addonPath(): string {
  const override = process.env['TSGRAD_NATIVE_PATH'];
  return override !== undefined && override !== '' ? resolve(override) : join(packageRoot, 'build', 'Release', 'tsgrad_native.node');
}

let cached: { path: string; addon: RawAddon } | null = null;

/**
 * OpenBLAS's worker threads busy-wait for the next call for 2^28 cycles (about 0.1 s) before they
 * sleep. Between two GEMMs a training step runs JS, V8's garbage-collector helpers and our own
 * pool, and on a small machine the spinning worker takes a core from them: the main thread then
 * waits on a helper that cannot run (measured on 2 cores: a 256x256 GEMM loop reached 105 GFLOPS
 * against numpy's 167 with the same OpenBLAS, and 164 with the wait cut to 2^16 cycles, ~25 µs).
 * OpenBLAS reads OPENBLAS_THREAD_TIMEOUT (log2 of the cycles) once, when the addon loads it, so
 * it is set here, before loading, unless the user chose a value.
 */
function quietBlasWorkers(): void {
  const v = process.env['OPENBLAS_THREAD_TIMEOUT'];
  if (v === undefined || v === '') process.env['OPENBLAS_THREAD_TIMEOUT'] = '16';
}

/** Loads the addon once per thread (each worker thread gets its own instance of the context-aware addon). */
export function loadAddon(): RawAddon {
  const path = addonPath();
  if (cached !== null && cached.path === path) return cached.addon;
  if (!existsSync(path)) {
    throw new Error(
      `@tsgrad/native: the compiled addon was not found at ${path}; build it with \`pnpm --filter @tsgrad/native rebuild\` ` +
        '(needs CMake and a C++17 compiler)',
    );
  }
  quietBlasWorkers();
  let addon: RawAddon;
  try {
    addon = createRequire(import.meta.url)(path) as RawAddon;
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new Error(`@tsgrad/native: cannot load the compiled addon at ${path}: ${why}`);
  }
  cached = { path, addon };
  return addon;
}
