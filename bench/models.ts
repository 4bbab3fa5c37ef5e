/** W2-W6: the workloads that need autograd, nn, optim and data (see ../shared/anchors/README.md). */
import { type Tensor, conv2d, randn, onesLike, randint, manualSeed } from '@tsgrad/tensor';
import * as nn from '@tsgrad/nn';
import { SGD, Adam, type Optimizer } from '@tsgrad/optim';
import { DataLoader, mnistDigits } from '@tsgrad/data';
import { noGrad } from '@tsgrad/autograd';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { perCall, rssMB, scale, summarize, timeit } from './stats.js';

type Options = Record<string, unknown>;

function convCase(shape: number[], outCh: number, reps: number) {
  const x = randn(shape).requiresGrad_();
  const w = randn([outCh, shape[1]!, 3, 3]).requiresGrad_();
  const fwd = summarize(timeit(() => noGrad(() => conv2d(x, w, null, { padding: 1 })), reps, 3));
  const fb = () => {
    const y = conv2d(x, w, null, { padding: 1 });
    y.backward(onesLike(y));
    x.grad = null;
    w.grad = null;
  };
  return { fwd, fwdbwd: summarize(timeit(fb, reps, 3)) };
}

function w2(opts: Options) {
  const reps = opts['reps'] as number;
  return { a: convCase([64, 1, 28, 28], 32, reps), b: convCase([64, 32, 14, 14], 64, reps) };
}

export function mlp(): nn.Sequential {
  return new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 64), new nn.ReLU(), new nn.Linear(64, 10));
}

export function cnn(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 32, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(32, 64, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(3136, 128), new nn.ReLU(), new nn.Dropout(0.3), new nn.Linear(128, 10),
  );
}

export class SeqModel extends nn.Module {
  readonly rnn: nn.RNN | nn.LSTM;
  readonly fc = new nn.Linear(128, 10);
  constructor(cell: 'rnn' | 'lstm') {
    super();
    this.rnn = cell === 'lstm' ? new nn.LSTM(28, 128, { batchFirst: true }) : new nn.RNN(28, 128, { batchFirst: true });
  }
  override forward(x: Tensor): Tensor {
    const [out] = this.rnn.forward(x.view(-1, 28, 28)) as [Tensor, unknown];
    return this.fc.forward(out.select(1, -1));
  }
}

/**
 * Milliseconds of GC pauses (Node's 'gc' performance entries: scavenges, mark-compacts and the
 * incremental-marking pauses V8 reports) inside each [start, end) window of performance.now().
 * Entries arrive after the synchronous training loop yields, so the collector waits for them.
 */
function gcPauses() {
  const entries: { start: number; duration: number }[] = [];
  const observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) entries.push({ start: e.startTime, duration: e.duration }); });
  observer.observe({ entryTypes: ['gc'] });
  return async (windows: [number, number][]): Promise<number[]> => {
    // Node queues the entries from its GC callbacks and hands them to observers on a later turn
    // of the event loop (one setImmediate is not enough); wait for them.
    await new Promise((resolve) => setTimeout(resolve, 20));
    observer.disconnect();
    return windows.map(([a, b]) => entries.filter((g) => g.start >= a && g.start < b).reduce((sum, g) => sum + g.duration, 0));
  };
}

async function train(model: nn.Sequential | SeqModel, opt: Optimizer, epochs: number, flatten: boolean) {
  const train = mnistDigits({ split: 'train', flatten });
  const test = mnistDigits({ split: 'test', flatten });
  const loader = new DataLoader(train, { batchSize: 64, shuffle: true });
  const lossFn = new nn.CrossEntropyLoss();
  const epochSeconds: number[] = [];
  const rssAfterEpochMB: number[] = [];
  const collectGc = gcPauses();
  const windows: [number, number][] = [];
  for (let e = 0; e < epochs; e++) {
    model.train();
    const w0 = performance.now();
    const t0 = process.hrtime.bigint();
    for (const [x, y] of loader) {
      opt.zeroGrad();
      const loss = lossFn.forward(model.forward(x as Tensor), y as Tensor);
      loss.backward();
      opt.step();
    }
    epochSeconds.push(Number(process.hrtime.bigint() - t0) / 1e9);
    windows.push([w0, performance.now()]);
    rssAfterEpochMB.push(rssMB());
  }
  const gcMsPerEpoch = await collectGc(windows);
  model.eval();
  const testLoader = new DataLoader(test, { batchSize: 500 });
  let correct = 0;
  noGrad(() => {
    for (const [x, y] of testLoader) correct += (model.forward(x as Tensor).argmax(1).eq(y as Tensor).sum().item() as number);
  });
  return { epochSeconds, gcMsPerEpoch, testAccuracy: correct / test.length, rssAfterEpochMB, peakRssMB: process.resourceUsage().maxRSS / 1024 };
}

/**
 * Runs `run` once per seed `seed`, `seed`+1, ... (`opts.seeds` of them, default 1) and reports the
 * mean test accuracy with its range. W5's accuracy after 3 epochs swings by several points from
 * seed to seed on both sides (with identical initial weights and batch order tsgrad and PyTorch
 * reach the same accuracy), so one seed cannot compare them. Timing and memory are the first run's,
 * as in a single-seed run.
 */
async function overSeeds(opts: Options, run: () => ReturnType<typeof train>) {
  const n = (opts['seeds'] as number | undefined) ?? 1;
  if (n <= 1) return run();
  const base = (opts['seed'] as number | undefined) ?? 0;
  const seeds = Array.from({ length: n }, (_, i) => base + i);
  const runs: Awaited<ReturnType<typeof train>>[] = [];
  for (const s of seeds) { manualSeed(s); runs.push(await run()); }
  const accs = runs.map((r) => r.testAccuracy);
  return {
    ...runs[0]!, testAccuracy: accs.reduce((a, b) => a + b, 0) / n,
    testAccuracyMin: Math.min(...accs), testAccuracyMax: Math.max(...accs), testAccuracies: accs, seeds,
  };
}

function w6() {
  const a = randn([10, 10]);
  const b = randn([10, 10]);
  const ag = randn([10, 10]).requiresGrad_();
  const bg = randn([10, 10]).requiresGrad_();
  const m = mlp();
  const x1 = randn([1, 784]);
  const mt = mlp();
  const opt = new SGD(mt.parameters(), { lr: 0.01, momentum: 0.9 });
  const xb = randn([64, 784]);
  const yb = randint(0, 10, [64]);
  const lossFn = new nn.CrossEntropyLoss();
  const step = () => {
    opt.zeroGrad();
    lossFn.forward(mt.forward(xb), yb).backward();
    opt.step();
  };
  return {
    addUs: scale(perCall(() => a.add(b), 20000), 1e6),
    addGradUs: scale(perCall(() => ag.add(bg), 20000), 1e6),
    mlpForwardUs: scale(perCall(() => m.forward(x1), 2000), 1e6),
    trainStepMs: scale(perCall(step, 100), 1e3),
  };
}

export async function workloadsNeedingModels(name: string, opts: Options): Promise<unknown> {
  switch (name) {
    case 'w2': return w2(opts);
    case 'w3': { const m = mlp(); return train(m, new SGD(m.parameters(), { lr: 0.01, momentum: 0.9 }), (opts['epochs'] as number) ?? 5, true); }
    case 'w4': { const m = cnn(); return train(m, new Adam(m.parameters(), { lr: 1e-3 }), (opts['epochs'] as number) ?? 2, false); }
    case 'w5rnn': case 'w5lstm': {
      const cell = name === 'w5lstm' ? 'lstm' : 'rnn';
      const epochs = (opts['epochs'] as number) ?? (cell === 'rnn' ? 3 : 1);
      return overSeeds(opts, () => {
        const m = new SeqModel(cell);
        return train(m, new Adam(m.parameters(), { lr: 1e-3 }), epochs, false);
      });
    }
    case 'w6': return w6();
    default: throw new Error(`unknown workload ${name}`);
  }
}
