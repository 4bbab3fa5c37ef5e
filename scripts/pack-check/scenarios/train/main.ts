// Scenario 3 (TypeScript): the same training loop, type-checked against the published .d.ts files.
import { manualSeed, randn, type Tensor } from '@tsgrad/tensor';
import * as nn from '@tsgrad/nn';
import { SGD, lrScheduler } from '@tsgrad/optim';
import { DataLoader, TensorDataset } from '@tsgrad/data';

manualSeed(1);
const x: Tensor = randn(256, 3);
const w: Tensor = randn(3, 1);
const y: Tensor = x.matmul(w).add(0.5);
const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 32, shuffle: true });
const model: nn.Linear = new nn.Linear(3, 1);
const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
const sched = new lrScheduler.StepLR(opt, { stepSize: 10, gamma: 0.5 });
const lossFn = new nn.MSELoss();
let last = Infinity;
async function main(): Promise<void> {
  for (let epoch = 0; epoch < 20; epoch++) {
    for await (const batch of loader) {
      const [xb, yb] = batch as [Tensor, Tensor];
      opt.zeroGrad();
      const loss: Tensor = lossFn.forward(model.forward(xb), yb);
      loss.backward();
      opt.step();
      last = loss.item() as number;
    }
    sched.step();
  }
  if (!(last < 1e-3)) throw new Error(`regression did not converge: loss ${last}`);
  console.log(`ok: trained (ts), final loss ${last.toExponential(2)}`);
}
await main();
