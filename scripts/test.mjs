#!/usr/bin/env node
// Runs the whole test suite once per backend (js always; native when it loads, or always when
// TSGRAD_REQUIRE_NATIVE=1, as CI sets), then prints one closing line: "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const extra = process.argv.slice(2);
const requireNative = process.env.TSGRAD_REQUIRE_NATIVE === '1';

function nativeLoads() {
  try {
    const req = createRequire(join(process.cwd(), 'packages/tensor/package.json'));
    req('@tsgrad/native').createBackend();
    return true;
  } catch (e) {
    return e instanceof Error ? e.message.split('\n')[0] : String(e);
  }
}

const backends = ['js'];
const native = nativeLoads();
if (native === true || requireNative) backends.push('native');
else console.warn(`[tsgrad] native backend not available (${native}); testing the js backend only`);

const dir = mkdtempSync(join(tmpdir(), 'tsgrad-test-'));
let passed = 0, failed = 0, skipped = 0, status = 0;
for (const backend of backends) {
  console.log(`\n=== TSGRAD_BACKEND=${backend} ===`);
  const out = join(dir, `${backend}.json`);
  const r = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...extra], {
    stdio: 'inherit',
    env: { ...process.env, TSGRAD_BACKEND: backend },
  });
  if (r.status !== 0) status = r.status ?? 1;
  try {
    const j = JSON.parse(readFileSync(out, 'utf8'));
    passed += j.numPassedTests; failed += j.numFailedTests; skipped += j.numPendingTests + (j.numTodoTests ?? 0);
  } catch {
    failed += 1;
    status = status || 1;
  }
}
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(status);
