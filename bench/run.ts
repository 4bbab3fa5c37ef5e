/**
 * `pnpm bench`: runs the workloads W1-W6 (../shared/anchors/README.md) on each available tsgrad
 * backend and, when `/usr/bin/python3 -c 'import torch'` works, the same workloads in PyTorch in
 * the same run, alternating sides, each workload in a fresh child process. Writes
 * bench/results/<date>.json and .md with medians, spreads and ratios tsgrad/PyTorch.
 *
 * Flags: --quick (fewer sizes/epochs), --only w1,w3, --backends native,js, --no-torch, --threads N, --rounds N,
 *        --node-flags '...' (the native worker's Node flags; default --single-threaded-gc, '' for none)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { renderMarkdown } from './report.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const value = (name: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };

const quick = flag('quick');
const threads = Number(value('threads') ?? 2);
const rounds = Number(value('rounds') ?? 1);
// Node flags of the native backend's worker. With BLAS and our pool on every core, V8's parallel
// and concurrent GC threads take a core from them in the middle of a kernel: on 2 cores a W4 step
// took 35 ms with V8's defaults and 25 ms with --single-threaded-gc (docs/backends.md recommends
// the flag to users for the same reason). The js backend computes on one thread, so its GC helpers
// use an idle core: it keeps the defaults. Recorded in the report.
const nodeFlags: Record<string, string[]> = {
  native: (value('node-flags') ?? '--single-threaded-gc').split(' ').filter(Boolean),
  js: [],
};
const only = value('only')?.split(',');
const python = '/usr/bin/python3';
const digitsDir = join(dirname(createRequire(join(here, '../packages/data/package.json')).resolve('mnist/package.json')), 'src/digits');

const env = {
  ...process.env,
  TSGRAD_NUM_THREADS: String(threads),
  OMP_NUM_THREADS: String(threads),
  OPENBLAS_NUM_THREADS: String(threads),
  MKL_NUM_THREADS: String(threads),
};

function torchAvailable(): boolean {
  if (flag('no-torch')) return false;
  return spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

function runJson(cmd: string, argv: string[], extraEnv: Record<string, string> = {}): unknown {
  const r = spawnSync(cmd, argv, { env: { ...env, ...extraEnv }, encoding: 'utf8', maxBuffer: 64 << 20, cwd: here });
  if (r.status !== 0) return { error: (r.stderr || r.stdout || `exit ${r.status}`).trim().split('\n').slice(-3).join(' | ') };
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!);
}

const tsgrad = (backend: string, workload: string, opts: object) =>
  runJson(process.execPath, [...(nodeFlags[backend] ?? []), '--conditions=source', '--import', 'tsx', join(here, 'worker.ts'), workload, JSON.stringify(opts)], { TSGRAD_BACKEND: backend });
const torch = (workload: string, opts: object) => runJson(python, [join(here, 'torch_worker.py'), workload, JSON.stringify({ ...opts, threads })]);

function backendsAvailable(): string[] {
  const wanted = value('backends')?.split(',') ?? ['native', 'js'];
  return wanted.filter((b) => {
    const info = tsgrad(b, 'info', {}) as { name?: string; error?: string };
    if (info.error) console.warn(`[bench] backend ${b} unavailable: ${info.error}`);
    return !info.error && info.name === b;
  });
}

interface Workload { id: string; opts: (backend: string | null) => object }
const sizes = quick ? [64, 256, 512] : [64, 128, 256, 512, 1024, 2048];
const workloads: Workload[] = [
  // The pure-TS GEMM at n=2048 takes minutes per repetition: it stops at 1024.
  { id: 'w1', opts: (b) => ({ sizes: b === 'js' ? sizes.filter((n) => n <= 1024) : sizes }) },
  { id: 'w2', opts: () => ({ reps: quick ? 5 : 20 }) },
  { id: 'w3', opts: () => ({ digits: digitsDir, epochs: quick ? 2 : 5 }) },
  { id: 'w4', opts: () => ({ digits: digitsDir, epochs: quick ? 1 : 2 }) },
  // W5 RNN accuracy varies by several points from seed to seed: report the mean over 5 seeds.
  { id: 'w5rnn', opts: () => ({ digits: digitsDir, cell: 'rnn', epochs: quick ? 1 : 3, seeds: quick ? 1 : 5 }) },
  { id: 'w5lstm', opts: () => ({ digits: digitsDir, cell: 'lstm', epochs: 1 }) },
  { id: 'w6', opts: () => ({}) },
];

function machine() {
  let torchInfo: unknown = null;
  if (hasTorch) torchInfo = torch('info', {});
  let gitRev = 'unknown';
  try { gitRev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: here, encoding: 'utf8' }).trim(); } catch { /* not a checkout */ }
  return {
    date: new Date().toISOString(), cpu: cpus()[0]?.model, cores: cpus().length, memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version, threads, gitRev, torch: torchInfo, nodeFlags,
    // 1/5/15-minute load averages at the end of the run: on a shared machine, a load above the core
    // count slows both sides (OpenMP-threaded PyTorch far more than single-threaded JS), so ratios drift.
    loadAvg: loadavg().map((v) => Math.round(v * 10) / 10),
    tsgrad: Object.fromEntries(backends.map((b) => [b, tsgrad(b, 'info', {})])),
  };
}

const hasTorch = torchAvailable();
const backends = backendsAvailable();
console.log(`[bench] backends: ${backends.join(', ') || 'none'}; PyTorch: ${hasTorch ? 'yes' : 'no'}; threads: ${threads}`);
const results: Record<string, Record<string, unknown[]>> = {};
for (const w of workloads) {
  if (only && !only.includes(w.id) && !only.includes(w.id.slice(0, 2))) continue;
  results[w.id] = {};
  for (let r = 0; r < rounds; r++) {
    // Alternate sides within each round so drift on a noisy machine hits both alike.
    const sides = [...backends.map((b) => ['tsgrad-' + b, () => tsgrad(b, w.id, w.opts(b))] as const), ...(hasTorch ? [['pytorch', () => torch(w.id, w.opts(null))] as const] : [])];
    const order = r % 2 === 0 ? sides : [...sides].reverse();
    for (const [side, run] of order) {
      process.stdout.write(`[bench] ${w.id} ${side} (round ${r + 1}/${rounds}) ... `);
      const t0 = Date.now();
      const res = run();
      console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s${(res as { error?: string }).error ? ' ERROR ' + (res as { error: string }).error : ''}`);
      (results[w.id]![side] ??= []).push(res);
    }
  }
}

const report = { machine: machine(), results };
const outDir = join(here, 'results');
mkdirSync(outDir, { recursive: true });
const stamp = new Date().toISOString().replace(/[:]/g, '-').replace(/\..*/, '');
for (const [file, text] of [[`${stamp}.json`, JSON.stringify(report, null, 2)], [`${stamp}.md`, renderMarkdown(report)]] as const) {
  const tmp = join(outDir, `.${file}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, join(outDir, file));
}
console.log(renderMarkdown(report));
console.log(`[bench] wrote bench/results/${stamp}.json and .md`);
