/**
 * Measures what recording costs: `a.add(b)` on two [10, 10] float32 tensors with and without
 * requiresGrad (the difference is the engine's record()), record() alone, and a backward pass
 * through a 100,000-op chain. Times are CPU time of this process (medians of 7 rounds).
 * Run: npx tsx --conditions=source packages/autograd/bench/record-overhead.ts
 * (not a test: timings depend on the machine).
 */
import { Tensor, getBackend, tensor } from '@tsgrad/tensor';
import { engine } from '@tsgrad/autograd';

function make(requiresGrad: boolean): Tensor {
  const data = new Float32Array(100).map((_, i) => Math.sin(i));
  return tensor(data, { dtype: 'float32' }).reshape(10, 10).detach().requiresGrad_(requiresGrad);
}

function timePerCall(label: string, fn: () => unknown, iterations = 200_000, rounds = 7): number {
  for (let i = 0; i < iterations; i++) fn(); // warm up (JIT)
  const samples: number[] = [];
  // CPU time of this process (not wall time): on a shared machine waiting for a core is not cost.
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < iterations; i++) fn();
    const c = process.cpuUsage(c0);
    samples.push(((c.user + c.system) * 1000) / iterations);
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
console.log(`difference (record overhead) for add: ${((recorded - plain) / 1000).toFixed(3)} µs; mul (vs plain add): ${((mulRec - plain) / 1000).toFixed(3)} µs`);

// The engine's record() alone, on preallocated tensors (what autograd adds to any op).
const out = Tensor.empty([10, 10], 'float32');
const inputs = [a1, b1];
timePerCall("engine.record('add') alone", () => engine.record('add', inputs, out, undefined), 1_000_000);
timePerCall("engine.record('mul') alone (saves inputs)", () => engine.record('mul', inputs, out, undefined), 1_000_000);

// Backward through a 100,000-op chain of scalar multiplications.
const w = tensor(1.00001, { dtype: 'float64', requiresGrad: true });
let h: Tensor = tensor(0.5, { dtype: 'float64', requiresGrad: true });
const n = 100_000;
let c0 = process.cpuUsage();
for (let i = 0; i < n; i++) h = h.mul(w);
let c = process.cpuUsage(c0);
const fwd = (c.user + c.system) / 1000;
c0 = process.cpuUsage();
h.backward();
c = process.cpuUsage(c0);
const bwd = (c.user + c.system) / 1000;
console.log(`100,000-op chain: forward+record ${fwd.toFixed(0)} ms, backward ${bwd.toFixed(0)} ms (${((bwd * 1000) / n).toFixed(2)} µs/node)`);
