// Scenario 1 (ESM): @tsgrad/tensor installed alone does arithmetic on the pure-TS backend.
import assert from 'node:assert/strict';
import { tensor, arange, backendInfo, matmul } from '@tsgrad/tensor';

const a = tensor([[1, 2], [3, 4]], { dtype: 'float32' });
const b = a.add(a).mul(2).sub(1); // 4a - 1
assert.deepEqual(b.toArray(), [[3, 7], [11, 15]]);
assert.deepEqual(matmul(a, a).toArray(), [[7, 10], [15, 22]]);
assert.equal(arange(0, 5).sum().item(), 10);
const info = backendInfo();
assert.equal(info.name, 'js');
console.log(`ok: tensor on ${info.name}`);
