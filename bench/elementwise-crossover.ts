// Per-kernel A/B of the pure-TS and native elementwise kernels, interleaved in one process (the
// machine is shared: alternate the two, take medians). Run from bench/:
//   node --conditions=source --import tsx elementwise-crossover.ts [sizes...]
// Native runs with no size threshold here, so the small sizes show where a native call starts to
// pay (DEFAULT_THRESHOLDS in packages/native/src/elementwise.ts).
import { jsBackend } from '../packages/tensor/src/backend/js/index.js';
import { elementwiseKernels } from '../packages/native/src/elementwise.js';
import { rawAddon } from '../packages/native/src/index.js';
import type { View } from '../packages/native/src/types.js';

const native = elementwiseKernels(rawAddon(), { cheap: 0, transcendental: 0, reduce: 0 });
const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [64, 128, 256, 512, 1024, 2048, 8192, 102400, 1638400];

const view = (buffer: Float32Array, shape: number[]): View => {
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  return { buffer, shape, strides, offset: 0 };
};
const randomArray = (n: number) => Float32Array.from({ length: n }, () => Math.random() * 4 - 2);

type Case = (k: typeof jsBackend | typeof native) => unknown;

function cases(n: number): Record<string, Case> {
  const shape = n % 128 === 0 ? [n / 128, 128] : [n];
  const a = view(randomArray(n), shape), b = view(randomArray(n), shape), out = view(new Float32Array(n), shape);
  const bias = { ...view(randomArray(shape[shape.length - 1]!), [shape[shape.length - 1]!]) };
  const biasB: View = { buffer: bias.buffer, shape, strides: shape.map((_, d) => (d === shape.length - 1 ? 1 : 0)), offset: 0 };
  const rows = shape.length === 2 ? shape[0]! : 1;
  const colSum = view(new Float32Array(n / rows), shape.length === 2 ? [1, shape[1]!] : [1]);
  return {
    add: (k) => k.binary('add', a, b, out),
    'add bias (broadcast)': (k) => k.binary('add', a, biasB, out),
    'mul scalar': (k) => k.binaryScalar('mul', a, 0.5, out, false),
    relu: (k) => k.unary('relu', a, out),
    reluBackward: (k) => k.reluBackward(a, b, out),
    exp: (k) => k.unary('exp', a, out),
    tanh: (k) => k.unary('tanh', a, out),
    sigmoid: (k) => k.unary('sigmoid', a, out),
    'sum dim 0': (k) => k.reduce('sum', a, [0], colSum),
    copy: (k) => k.copy(a, out),
  };
}

function timePerCall(fn: () => unknown, reps: number): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < reps; i++) fn();
  return Number(process.hrtime.bigint() - t0) / 1e3 / reps;
}

const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1]!;

console.log('size'.padStart(8), 'kernel'.padEnd(22), 'js µs'.padStart(10), 'native µs'.padStart(10), 'native/js'.padStart(10));
for (const n of sizes) {
  for (const [name, run] of Object.entries(cases(n))) {
    const reps = Math.max(1, Math.min(20000, Math.round(2e6 / n)));
    const js: number[] = [], nat: number[] = [];
    for (let i = 0; i < 3; i++) { timePerCall(() => run(jsBackend), reps); timePerCall(() => run(native), reps); }
    for (let s = 0; s < 15; s++) {
      js.push(timePerCall(() => run(jsBackend), reps));
      nat.push(timePerCall(() => run(native), reps));
    }
    const j = median(js), v = median(nat);
    console.log(String(n).padStart(8), name.padEnd(22), j.toFixed(2).padStart(10), v.toFixed(2).padStart(10), (v / j).toFixed(3).padStart(10));
  }
}
