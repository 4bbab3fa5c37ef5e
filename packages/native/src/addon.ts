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
