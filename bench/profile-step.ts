/**
 * Where one training step's time goes, kernel by kernel, in steady state: builds a W3-W5 model
 * (or W2b's conv), warms it up, then times every backend kernel call over many steps and prints
 * µs per step for each kernel (matmuls split by operand shapes and strides) against the whole
 * step. The time outside kernels is the op layer, autograd, the optimizer's JS and data.
 *
 *   TSGRAD_BACKEND=native node --single-threaded-gc --conditions=source --import tsx profile-step.ts lstm [steps]
 *
 * Models: mlp (W3), cnn (W4), rnn / lstm (W5), w2b (conv forward+backward). Unlike
 * profile-kernels.ts (one whole workload, first steps included) this skips the JIT warm-up.
 */
import { installKernelTimer } from './kernel-timer.js';

const { stats, timer } = installKernelTimer(true);
timer.on = false;

const { randn, randint, onesLike, conv2d } = await import('@tsgrad/tensor');
const nn = await import('@tsgrad/nn');
const { SGD, Adam } = await import('@tsgrad/optim');
const { mlp, cnn, SeqModel } = await import('./models.js');

const which = process.argv[2] ?? 'mlp';
const steps = Number(process.argv[3] ?? (which === 'mlp' ? 2000 : which === 'w2b' ? 100 : 60));
let step: () => void;
if (which === 'w2b') {
  const x = randn([64, 32, 14, 14]).requiresGrad_();
  const w = randn([64, 32, 3, 3]).requiresGrad_();
  step = () => {
    const y = conv2d(x, w, null, { padding: 1 });
    y.backward(onesLike(y));
    x.grad = null;
    w.grad = null;
  };
} else {
  const model = which === 'mlp' ? mlp() : which === 'cnn' ? cnn() : new SeqModel(which === 'lstm' ? 'lstm' : 'rnn');
  const opt = which === 'mlp' ? new SGD(model.parameters(), { lr: 0.01, momentum: 0.9 }) : new Adam(model.parameters(), { lr: 1e-3 });
  const x = which === 'cnn' ? randn([64, 1, 28, 28]) : randn([64, 784]);
  const y = randint(0, 10, [64]);
  const lossFn = new nn.CrossEntropyLoss();
  step = () => {
    opt.zeroGrad();
    lossFn.forward(model.forward(x), y).backward();
    opt.step();
  };
}
const warm = performance.now();
while (performance.now() - warm < 3000) step();
timer.on = true;
const t0 = performance.now();
for (let i = 0; i < steps; i++) step();
const total = ((performance.now() - t0) / steps) * 1000;
let inKernels = 0;
for (const [k, s] of [...stats].sort((a, b) => b[1].ms - a[1].ms)) {
  inKernels += s.ms;
  console.log(k.slice(0, 90).padEnd(90), ((s.ms / steps) * 1000).toFixed(1).padStart(8), 'us/step', (s.n / steps).toFixed(1).padStart(6), 'calls', ((s.ms / s.n) * 1000).toFixed(1).padStart(8), 'us/call');
}
console.log(`${which}: ${total.toFixed(0)} us per step, ${((inKernels / steps) * 1000).toFixed(0)} in kernels`);
