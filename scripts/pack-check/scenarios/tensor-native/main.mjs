// Scenario 2 (ESM): with @tsgrad/native installed, TSGRAD_BACKEND picks the backend.
import assert from 'node:assert/strict';
import { manualSeed, randn, backendInfo, matmul } from '@tsgrad/tensor';

const want = process.env.TSGRAD_BACKEND;
const info = backendInfo();
assert.equal(info.name, want, `TSGRAD_BACKEND=${want} but backend is ${info.name} (${JSON.stringify(info)})`);
if (want === 'js') assert.equal(info.nativeAvailable, true, `native should still be available: ${info.nativeError}`);
manualSeed(0);
const a = randn(64, 32, { dtype: 'float64' });
const b = randn(32, 16, { dtype: 'float64' });
const c = matmul(a, b);
// Reference: a naive triple loop over the same numbers.
const A = a.toArray(), B = b.toArray(), C = c.toArray();
for (let i = 0; i < 64; i++) for (let j = 0; j < 16; j++) {
  let s = 0;
  for (let k = 0; k < 32; k++) s += A[i][k] * B[k][j];
  assert.ok(Math.abs(s - C[i][j]) < 1e-9, `matmul mismatch at ${i},${j}`);
}
console.log(`ok: tensor + native on ${info.name}`);
