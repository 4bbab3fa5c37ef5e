/**
 * Where a workload's time goes, kernel by kernel: wraps every kernel of the current backend with a
 * timer, runs one W2-W6 workload, and prints the kernels by total time (calls, µs per call, output
 * elements per call). The time not in kernels is the op layer, autograd, optimizers and data.
 *
 *   TSGRAD_BACKEND=native node --conditions=source --import tsx profile-kernels.ts w4 '{"epochs":1}'
 */
import { installKernelTimer } from './kernel-timer.js';
const { stats } = installKernelTimer(false);
const { workloadsNeedingModels } = await import('./models.js');
const name = process.argv[2]!;
const t0 = performance.now();
const res = await workloadsNeedingModels(name, JSON.parse(process.argv[3] ?? '{}'));
const total = performance.now() - t0;
console.log(JSON.stringify(res).slice(0, 200));
let kt = 0;
for (const [k, s] of [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 30)) { kt += s.ms; console.log(k.padEnd(28), s.ms.toFixed(0).padStart(7), 'ms', String(s.n).padStart(7), 'calls', (s.ms / s.n * 1000).toFixed(1).padStart(9), 'us/call', (s.el / s.n).toFixed(0).padStart(9), 'el/call'); }
console.log('total', total.toFixed(0), 'kernels', [...stats.values()].reduce((a, s) => a + s.ms, 0).toFixed(0));
