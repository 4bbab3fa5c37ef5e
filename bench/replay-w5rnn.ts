/**
 * Repeats one PyTorch W5 RNN training run in tsgrad with PyTorch's initial weights and batch
 * order, to tell a real difference in the math (RNN, Linear, cross-entropy, Adam, data) from seed
 * variance: with both taken from PyTorch the two runs should track each other step by step.
 *
 *   TSGRAD_NUM_THREADS=1 node --conditions=source --import tsx replay-w5rnn.ts [seed] [epochs]
 *
 * Prints PyTorch's and tsgrad's loss every 25 steps and both test accuracies. float32 rounding
 * differs between the two, so the losses drift apart as training amplifies it (measured: at most
 * 4e-5 relative in epoch 1, up to 3e-2 by the end of epoch 3, accuracies within 0.2 points); a
 * real difference shows in epoch 1 already (Adam with eps 1e-6 or beta2 0.99: 9e-2 to 1.3e-1).
 * Exits 1 when a loss in epoch 1 differs by more than 1e-3 relative.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { Tensor } from '@tsgrad/tensor';
import * as nn from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';
import { mnistDigits } from '@tsgrad/data';
import { noGrad } from '@tsgrad/autograd';
import { SeqModel } from './models.js';

interface Trace { init: Record<string, number[]>; perms: number[][]; losses: number[]; testAccuracy: number }

const here = dirname(fileURLToPath(import.meta.url));
const seed = Number(process.argv[2] ?? 0);
const epochs = Number(process.argv[3] ?? 3);
const digits = join(dirname(createRequire(join(here, '../packages/data/package.json')).resolve('mnist/package.json')), 'src/digits');
const py = spawnSync('/usr/bin/python3', [join(here, 'torch_worker.py'), 'w5rnntrace', JSON.stringify({ digits, seed, epochs, threads: 1 })], { encoding: 'utf8', maxBuffer: 64 << 20 });
if (py.status !== 0) throw new Error(`torch_worker.py w5rnntrace failed: ${py.stderr}`);
const trace = JSON.parse(py.stdout) as Trace;

const model = new SeqModel('rnn');
const init: Record<string, Tensor> = {};
for (const [name, p] of Object.entries(model.stateDict())) init[name] = Tensor.fromBuffer(Float32Array.from(trace.init[name]!), p.shape, 'float32');
model.loadStateDict(init);
const train = mnistDigits({ split: 'train' });
const test = mnistDigits({ split: 'test' });
const opt = new Adam(model.parameters(), { lr: 1e-3 });
const lossFn = new nn.CrossEntropyLoss();
let step = 0;
let maxRel = 0;
let maxRelEpoch1 = 0;
console.log('step  PyTorch loss  tsgrad loss');
for (const perm of trace.perms) {
  for (let i = 0; i < perm.length; i += 64, step++) {
    const [x, y] = train.getBatch(perm.slice(i, i + 64));
    opt.zeroGrad();
    const loss = lossFn.forward(model.forward(x), y);
    loss.backward();
    opt.step();
    const ours = loss.item() as number;
    const theirs = trace.losses[step]!;
    maxRel = Math.max(maxRel, Math.abs(ours - theirs) / theirs);
    if (step < trace.perms[0]!.length / 64) maxRelEpoch1 = maxRel;
    if (step % 25 === 0 || step === trace.losses.length - 1) console.log(`${String(step).padStart(4)}  ${theirs.toFixed(6).padStart(12)}  ${ours.toFixed(6).padStart(11)}`);
  }
}
model.eval();
const [xt, yt] = test.getBatch(Array.from({ length: test.length }, (_, i) => i));
const acc = noGrad(() => (model.forward(xt).argmax(1).eq(yt).sum().item() as number) / test.length);
console.log(`seed ${seed}: test accuracy PyTorch ${(100 * trace.testAccuracy).toFixed(2)}%, tsgrad ${(100 * acc).toFixed(2)}%; largest relative loss difference ${maxRelEpoch1.toExponential(2)} in epoch 1, ${maxRel.toExponential(2)} in all`);
if (maxRelEpoch1 > 1e-3) process.exitCode = 1;
