/**
 * tsgrad side of `pnpm bench`: runs one workload on the backend named by TSGRAD_BACKEND and prints
 * its figures as JSON on stdout. Mirrors bench/torch_worker.py workload by workload.
 */
import { backendInfo, getBackend, randn, manualSeed } from '@tsgrad/tensor';
import { perCall, scale, summarize, timeitWarm } from './stats.js';
import { workloadsNeedingModels } from './models.js';

type Options = Record<string, unknown>;

/** W1's warm-up per size (see timeitWarm); torch_worker.py uses the same. */
const WARM_SECONDS = 0.3;

function w1(opts: Options) {
  const out: Record<string, unknown> = {};
  for (const n of opts['sizes'] as number[]) {
    const a = randn([n, n]);
    const b = randn([n, n]);
    const reps = Math.max(3, Math.min(50, Math.floor(2e9 / (2 * n ** 3) / (getBackend().name === 'js' ? 20 : 1))));
    out[String(n)] = { tsgrad: summarize(timeitWarm(() => a.matmul(b), reps, WARM_SECONDS)) };
    if (n >= 256 && n <= 512) {
      // The same product into one output buffer reused every call (numpy: matmul(a, b, out=c)):
      // the kernel's own speed, without the cold, GC-recycled output each call of a.matmul(b) gets.
      const k = getBackend();
      const view = (buffer: Float32Array) => ({ buffer, shape: [n, n], strides: [n, 1], offset: 0 });
      const av = view(a.toTypedArray() as Float32Array), bv = view(b.toTypedArray() as Float32Array), cv = view(new Float32Array(n * n));
      out[`${n} reused output`] = { tsgrad: summarize(timeitWarm(() => k.matmul(av, bv, cv), reps, WARM_SECONDS)) };
    }
  }
  return out;
}

function w6add() {
  const a = randn([10, 10]);
  const b = randn([10, 10]);
  return { addUs: scale(perCall(() => a.add(b), 20000), 1e6) };
}

async function main(): Promise<void> {
  const [name, json] = process.argv.slice(2);
  const opts = (json ? JSON.parse(json) : {}) as Options;
  manualSeed((opts['seed'] as number | undefined) ?? 0);
  let result: unknown;
  if (name === 'info') result = backendInfo();
  else if (name === 'w1') result = w1(opts);
  else if (name === 'w6add') result = w6add();
  else result = await workloadsNeedingModels(name!, opts);
  process.stdout.write(JSON.stringify(result) + '\n');
}

await main();
