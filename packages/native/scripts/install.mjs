#!/usr/bin/env node
// Builds the addon with cmake-js (offline: Node-API headers come from the node-api-headers
// package). Never fails the install: without a compiler, CMake or make it prints one warning
// line and @tsgrad/tensor keeps using its pure-TS backend.
//
//   node scripts/install.mjs            build (configure once, then incremental)
//   node scripts/install.mjs --rebuild  clean build
//   --strict                            exit 1 on failure (CI, development)
//   --no-blas                           build with the bundled GEMM only (-DTSGRAD_NO_BLAS=ON)
//   --out DIR                           build directory (default: build)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const strict = args.includes('--strict') || process.env.TSGRAD_NATIVE_STRICT === '1';
const outIdx = args.indexOf('--out');
const out = outIdx >= 0 && args[outIdx + 1] ? resolve(args[outIdx + 1]) : join(root, 'build');
const logFile = join(out, 'build.log');

function fail(reason) {
  const line = `[@tsgrad/native] warning: native addon not built (${reason}); @tsgrad/tensor will use its pure-TS backend. Log: ${logFile}`;
  console.warn(line);
  process.exit(strict ? 1 : 0);
}

if (process.env.TSGRAD_SKIP_NATIVE_BUILD === '1') {
  console.warn('[@tsgrad/native] TSGRAD_SKIP_NATIVE_BUILD=1: native addon not built; the pure-TS backend will be used');
  process.exit(0);
}

// In the workspace, dist/ (what require('@tsgrad/native') resolves to) may not be built yet:
// compile it so @tsgrad/tensor can load the backend right after install. Published packages ship dist/.
if (!existsSync(join(root, 'dist', 'index.js')) && existsSync(join(root, 'src', 'index.ts'))) {
  try {
    const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
    const t = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { cwd: root, encoding: 'utf8' });
    if (t.status !== 0) console.warn(`[@tsgrad/native] warning: could not compile dist/ (${(t.stdout || t.stderr || '').split('\n')[0]}); run \`pnpm build\``);
  } catch {
    console.warn('[@tsgrad/native] warning: TypeScript not found, dist/ not compiled; run `pnpm build`');
  }
}

let cmakeJs;
try {
  cmakeJs = createRequire(join(root, 'package.json')).resolve('cmake-js/bin/cmake-js');
} catch {
  fail('cmake-js is not installed');
}

const cmakeArgs = [cmakeJs, args.includes('--rebuild') ? 'rebuild' : 'compile', '--directory', root, '--out', out];
if (args.includes('--no-blas')) cmakeArgs.push('--CDTSGRAD_NO_BLAS=ON');
if (process.env.TSGRAD_NATIVE_ARCH === '0') cmakeArgs.push('--CDTSGRAD_NATIVE_ARCH=OFF');

mkdirSync(out, { recursive: true });
const r = spawnSync(process.execPath, cmakeArgs, {
  cwd: root,
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
  env: { ...process.env, npm_config_loglevel: process.env.npm_config_loglevel ?? 'warn' },
});
writeFileSync(logFile, `${r.stdout ?? ''}\n${r.stderr ?? ''}\n${r.error ? String(r.error) : ''}`);
if (r.error) fail(r.error.message);
if (r.status !== 0) {
  const text = `${r.stdout}\n${r.stderr}`;
  // cmake-js reports the cause on an "ERROR OMG ..." line (no compiler, no CMake, ...).
  const omg = /ERROR OMG (.+)/.exec(text);
  const reason = omg ? omg[1].trim().split(/(?<=\.) /)[0] : `cmake-js exited with status ${r.status}`;
  fail(reason);
}
// Load what we built: proves it links and reports which BLAS it found.
const addonFile = join(out, 'Release', 'tsgrad_native.node');
let summary;
try {
  const info = createRequire(import.meta.url)(addonFile).info();
  summary = `${info.blas}${info.blasVersion ? ` (${info.blasVersion})` : ''}, ${info.threads} threads`;
} catch (e) {
  fail(`the built addon does not load: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
}
if (!process.env.TSGRAD_NATIVE_QUIET) console.log(`[@tsgrad/native] built ${addonFile}: ${summary}`);
