/**
 * Where W3's early epochs go: trains the W3 MLP on the benchmark digits for some epochs (as
 * `pnpm bench` does, fresh batches from the DataLoader) and prints, per epoch, the training time
 * split into time inside backend kernels and the rest (op layer, autograd, optimizer JS, GC).
 * Batches are drawn before each epoch's clock starts, so loading is not in the figures.
 *
 *   TSGRAD_BACKEND=native node --single-threaded-gc --conditions=source --import tsx profile-warmup.ts [epochs]
 *
 * Add --trace-opt to see V8's optimizing compiler at work: its `completed compiling ... took a, b,
 * c ms` lines give each compile's time on a background thread (b), which on two cores is taken
 * from our pool's worker. Compare with TSGRAD_NUM_THREADS=1, or with --single-threaded (compiles
 * on the main thread: the kernels speed up, the rest slows down by the compile time).
 */
import type { Tensor } from '@tsgrad/tensor';
import { installKernelTimer } from './kernel-timer.js';

const { stats } = installKernelTimer(false);
const { manualSeed } = await import('@tsgrad/tensor');
const nn = await import('@tsgrad/nn');
const { SGD } = await import('@tsgrad/optim');
const { DataLoader, mnistDigits } = await import('@tsgrad/data');
const { mlp } = await import('./models.js');

manualSeed(0);
const epochs = Number(process.argv[2] ?? 10);
const model = mlp();
const opt = new SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
const loader = new DataLoader(mnistDigits({ split: 'train', flatten: true }), { batchSize: 64, shuffle: true });
const lossFn = new nn.CrossEntropyLoss();
const kernelMs = () => [...stats.values()].reduce((s, v) => s + v.ms, 0);
for (let e = 0; e < epochs; e++) {
  const batches = [...loader] as [Tensor, Tensor][];
  const k0 = kernelMs();
  const t0 = performance.now();
  for (const [x, y] of batches) {
    opt.zeroGrad();
    lossFn.forward(model.forward(x), y).backward();
    opt.step();
  }
  const total = performance.now() - t0, kernels = kernelMs() - k0;
  console.log(`epoch ${e + 1}: ${total.toFixed(1)} ms = kernels ${kernels.toFixed(1)} + rest ${(total - kernels).toFixed(1)} (${batches.length} steps)`);
}
