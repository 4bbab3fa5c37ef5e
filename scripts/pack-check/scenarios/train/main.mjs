// Scenario 3 (ESM): nn + optim + data train a small classifier to high accuracy.
import assert from 'node:assert/strict';
import { manualSeed, randn, tensor } from '@tsgrad/tensor';
import * as nn from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';
import { DataLoader, TensorDataset } from '@tsgrad/data';

manualSeed(0);
// Three Gaussian blobs in 2-d.
const n = 300;
const centers = [[2, 0], [-1, 1.7], [-1, -1.7]];
const xs = randn(n, 2).mul(0.5).toArray();
const labels = [];
for (let i = 0; i < n; i++) { const c = i % 3; labels.push(c); xs[i][0] += centers[c][0]; xs[i][1] += centers[c][1]; }
const ds = new TensorDataset(tensor(xs, { dtype: 'float32' }), tensor(labels));
const loader = new DataLoader(ds, { batchSize: 32, shuffle: true });

const model = new nn.Sequential(new nn.Linear(2, 16), new nn.ReLU(), new nn.Linear(16, 3));
const opt = new Adam(model.parameters(), { lr: 0.05 });
let first = Infinity, last = Infinity;
for (let epoch = 0; epoch < 15; epoch++) {
  let sum = 0, batches = 0;
  for await (const [x, y] of loader) {
    opt.zeroGrad();
    const loss = nn.F.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    sum += loss.item(); batches++;
  }
  if (epoch === 0) first = sum / batches;
  last = sum / batches;
}
const pred = model.forward(ds.tensors[0]).argmax(1).toArray();
const acc = pred.filter((p, i) => p === labels[i]).length / n;
assert.ok(last < first / 2, `loss did not fall: ${first} -> ${last}`);
assert.ok(acc > 0.9, `accuracy ${acc}`);
console.log(`ok: trained, loss ${first.toFixed(3)} -> ${last.toFixed(3)}, accuracy ${(acc * 100).toFixed(0)}%`);
