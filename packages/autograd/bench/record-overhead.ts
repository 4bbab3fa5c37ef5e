/**
 * Measures what recording costs: `a.add(b)` on two [10, 10] float32 tensors with and without
 * requiresGrad (the difference is the engine's record()), plus a backward pass through a chain.
 * Run: npx tsx --conditions=source packages/autograd/bench/record-overhead.ts
 * (not a test: timings depend on the machine).
 */
import { getBackend, randn, tensor, type Tensor } from '@tsgrad/tensor';
import '@tsgrad/autograd';

function make(requiresGrad: boolean): Tensor {
  const data = new Float32Array(100).map((_, i) => Math.sin(i));
  return tensor(data, { dtype: 'float32' }).reshape(10, 10).detach().requiresGrad_(requiresGrad);
}

function timePerCall(label: string, fn: () => unknown, iterations = 200_000, rounds = 7): number {
  for (let i = 0; i < iterations; i++) fn(); // warm up (JIT)
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    samples.push(Number(process.hrtime.bigint() - t0) / iterations);
  }
  samples.sort((x, y) => x - y);
  const median = samples[Math.floor(samples.length / 2)]!;
  console.log(`${label.padEnd(48)} median ${(median / 1000).toFixed(3)} µs  (min ${(samples[0]! / 1000).toFixed(3)})`);
  return median;
}

console.log(`backend: ${getBackend().name}, node ${process.version}`);
const a0 = make(false), b0 = make(false);
const a1 = make(true), b1 = make(true);
const plain = timePerCall('a.add(b), no grad', () => a0.add(b0));
const recorded = timePerCall('a.add(b), requiresGrad (records AddBackward)', () => a1.add(b1));
const mulRec = timePerCall('a.mul(b), requiresGrad (saves both inputs)', () => a1.mul(b1));
console.log(`record() overhead for add: ${((recorded - plain) / 1000).toFixed(3)} µs; for mul (vs plain add): ${((mulRec - plain) / 1000).toFixed(3)} µs`);

// Backward through a 100,000-op chain of scalar multiplications.
void randn;
const w = tensor(1.00001, { dtype: 'float64', requiresGrad: true });
let h: Tensor = tensor(0.5, { dtype: 'float64', requiresGrad: true });
const n = 100_000;
let t0 = process.hrtime.bigint();
for (let i = 0; i < n; i++) h = h.mul(w);
const fwd = Number(process.hrtime.bigint() - t0) / 1e6;
t0 = process.hrtime.bigint();
h.backward();
const bwd = Number(process.hrtime.bigint() - t0) / 1e6;
console.log(`100,000-op chain: forward+record ${fwd.toFixed(0)} ms, backward ${bwd.toFixed(0)} ms (${((bwd * 1000) / n).toFixed(2)} µs/node)`);
