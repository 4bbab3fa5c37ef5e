// Drives the raw addon entry points with random and hostile arguments. Run as a child process by
// fuzz.test.ts, so a crash shows up as a signal instead of taking the test runner down.
// Every call must either succeed or throw a TypeError/RangeError; anything else is a failure.
import { createRequire } from 'node:module';

const addon = createRequire(import.meta.url)(process.argv[2]);
const iterations = Number(process.argv[3] ?? 20000);
let seed = Number(process.argv[4] ?? 1) >>> 0;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

const hostileNumbers = [0, 1, 2, 3, -1, -2, 0.5, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 31 - 1, 2 ** 32, 2 ** 53, 2 ** 60, -(2 ** 53), 1e300, 7, 16, 17, 64];
const smallNumbers = [0, 1, 1, 2, 2, 3, 4, 5];

function detached(Ctor) {
  const a = new Ctor(16);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}

// Most calls share one float dtype across operands (so validation gets past the dtype checks).
let callDtype = Float32Array;
function randomArray(preferred) {
  const r = rand();
  if (r < 0.05) return detached(pick([Float32Array, Float64Array, Int32Array]));
  if (r < 0.1) return pick([null, undefined, 3, 'x', {}, [1, 2, 3], new Uint8Array(8), new Int16Array(4), new ArrayBuffer(16), new DataView(new ArrayBuffer(8)), Symbol('s'), () => 0, 10n]);
  if (r < 0.15) return new (pick([Float32Array, Float64Array]))(new SharedArrayBuffer(64 * 8), pick([0, 8, 16]), pick([0, 1, 8, 40]));
  const Ctor = preferred ?? (rand() < 0.75 ? callDtype : pick([Float32Array, Float64Array, Int32Array]));
  const n = pick([0, 1, 2, 4, 9, 16, 27, 64, 100, 300]);
  const a = new Ctor(n);
  for (let i = 0; i < n; i++) a[i] = Ctor === Int32Array ? Math.floor(rand() * 40) - 5 : rand() * 2 - 1;
  if (rand() < 0.1 && n > 0) a[0] = NaN;
  if (rand() < 0.1 && n > 1) return a.subarray(1); // non-zero byteOffset
  return a;
}

function randomMeta(len) {
  if (rand() < 0.05) return pick([null, [1, 2], new Float32Array(len), new Int32Array(len), 'meta', detached(Float64Array)]);
  const m = new Float64Array(rand() < 0.1 ? Math.floor(rand() * 40) : len);
  const hostile = rand() < 0.3;
  for (let i = 0; i < m.length; i++) m[i] = hostile && rand() < 0.3 ? pick(hostileNumbers) : pick(smallNumbers);
  return m;
}

// Plausible-but-mutated metadata, so the fuzzer often gets past the first checks.
const entries = {
  matmul: () => {
    const nd = pick([2, 2, 3, 4]);
    const meta = [nd];
    for (let d = 0; d < nd; d++) meta.push(pick(smallNumbers));
    meta.push(pick(smallNumbers));
    for (let v = 0; v < 3; v++) { for (let d = 0; d < nd; d++) meta.push(pick([0, 1, 2, 3, 4, -1, 5])); meta.push(pick([0, 0, 1, 3])); }
    return [randomArray(), randomArray(), randomArray(), mutate(meta)];
  },
  gemmDebug: () => [randomArray(), randomArray(), randomArray(), mutate([pick(smallNumbers), pick(smallNumbers), pick(smallNumbers), pick([1, 2, 3, -1, 0]), pick([1, 2, 0]), 0, pick([1, 2, 3]), pick([1, 2]), 0, pick([0, 1])])],
  conv2d: () => [randomArray(), randomArray(), rand() < 0.5 ? null : randomArray(), randomArray(), mutate(convMeta(22))],
  conv2dBackwardInput: () => [randomArray(), randomArray(), randomArray(), mutate(convMeta(20))],
  conv2dBackwardWeight: () => [randomArray(), randomArray(), randomArray(), mutate(convMeta(20))],
  maxPool2d: () => [randomArray(), randomArray(), randomArray(rand() < 0.8 ? Int32Array : undefined), mutate(poolMeta(15, false))],
  maxPool2dBackward: () => [randomArray(), randomArray(rand() < 0.8 ? Int32Array : undefined), randomArray(), mutate(poolMeta(15, false))],
  avgPool2d: () => [randomArray(), randomArray(), mutate(poolMeta(15, true))],
  avgPool2dBackward: () => [randomArray(), randomArray(), mutate(poolMeta(15, true))],
  unary: () => [pick([0, 3, 8, 12, 14, 15, 16, -1, 1.5, NaN, 'x']), randomArray(), randomArray(), mutate(ewMeta(2))],
  binary: () => [pick([0, 2, 4, 5, 6, -1]), randomArray(), randomArray(), randomArray(), mutate(ewMeta(3))],
  binaryScalar: () => [pick([0, 1, 3, 6]), randomArray(), randomArray(), mutate(ewMeta(2)), pick([0.5, NaN, -Infinity, 'x', undefined]), pick([true, false, 1, undefined])],
  clamp: () => [randomArray(), randomArray(), mutate(ewMeta(2)), pick([-1, NaN, -Infinity, 'x']), pick([1, NaN, Infinity, undefined])],
  where: () => [rand() < 0.5 ? new Uint8Array(pick([0, 4, 27, 64])) : randomArray(), randomArray(), randomArray(), randomArray(), mutate(ewMeta(4))],
  reluBackward: () => [randomArray(), randomArray(), randomArray(), mutate(ewMeta(3))],
  fill: () => [randomArray(), mutate(ewMeta(1)), pick([0, 1.5, NaN, 'x', undefined])],
  copy: () => [randomArray(), randomArray(), mutate(ewMeta(2))],
  reduce: () => {
    const m = ewMeta(1);
    const nd = m[0];
    m.push(pick([0, 0, 3]));
    const dims = Array.from({ length: nd }, (_, d) => d).filter(() => rand() < 0.5);
    m.push(dims.length, ...dims);
    return [pick([0, 1, 2, 3, -1]), randomArray(), randomArray(), mutate(m)];
  },
  softmax: () => {
    const m = ewMeta(2);
    m.push(pick([0, 1, 2, 5, -1]));
    return [randomArray(), randomArray(), mutate(m), pick([true, false, 0])];
  },
  sgdMomentum: () => [randomArray(), randomArray(), randomArray(), mutate([pick(smallNumbers), pick([0, 0, 1]), pick([0, 0, 2]), pick([0, 1])]), pick([0.9, NaN, 'x']), pick([1, 0.5, undefined]), pick([0.01, Infinity, 'lr'])],
  adam: () => [randomArray(), randomArray(), randomArray(), randomArray(), mutate([pick(smallNumbers), 0, pick([0, 1]), 0, pick([0, 2])]),
    ...Array.from({ length: 7 }, () => pick([0.9, 0.999, 0.1, 1e-8, NaN, 'x', undefined]))],
  setNumThreads: () => [pick([1, 2, 0, -1, NaN, 1.5, 'x', 2 ** 40, undefined])],
  info: () => [],
};

/** [nd, shape..., then strides... and offset for each of nops views]: plausible elementwise metadata. */
function ewMeta(nops) {
  const nd = pick([0, 1, 2, 3]);
  const m = [nd];
  for (let d = 0; d < nd; d++) m.push(pick([0, 1, 2, 3, 4, 5]));
  for (let v = 0; v < nops; v++) {
    for (let d = 0; d < nd; d++) m.push(pick([0, 1, 2, 3, 4, -1, 5, 12]));
    m.push(pick([0, 0, 1, 3, 10]));
  }
  return m;
}

function convMeta(len) {
  const N = pick([0, 1, 2]), C = pick([1, 2]), H = pick([1, 3, 4]), W = pick([1, 3, 4]), O = pick([1, 2]);
  const k = pick([1, 2, 3]), s = pick([1, 2]), p = pick([0, 1]);
  const oH = Math.floor((H + 2 * p - (k - 1) - 1) / s) + 1, oW = Math.floor((W + 2 * p - (k - 1) - 1) / s) + 1;
  const m = [N, C, H, W, O, C, k, k, oH, oW, s, s, p, p, 1, 1, 1, 0, 0, 0];
  if (len === 22) m.push(1, 0);
  return m;
}

function poolMeta(len, avg) {
  const N = pick([0, 1, 2]), C = pick([1, 2]), H = pick([2, 4, 5]), W = pick([2, 4, 5]), k = pick([1, 2]), s = pick([1, 2]);
  const oH = Math.floor((H - k) / s) + 1, oW = Math.floor((W - k) / s) + 1;
  const m = [N, C, H, W, oH, oW, k, k, s, s, 0, 0];
  if (avg) m.push(pick([0, 1]));
  m.push(0, 0, 0);
  return m.slice(0, len);
}

function mutate(values) {
  if (rand() < 0.1) return randomMeta(values.length);
  const m = Float64Array.from(values);
  const edits = rand() < 0.3 ? 0 : 1 + Math.floor(rand() * 3);
  for (let e = 0; e < edits; e++) m[Math.floor(rand() * m.length)] = pick(hostileNumbers);
  if (rand() < 0.05) return m.subarray(0, Math.floor(rand() * m.length));
  return m;
}

const stats = { calls: 0, ok: 0, typeErrors: 0, rangeErrors: 0 };
const names = Object.keys(entries);
for (let i = 0; i < iterations; i++) {
  const name = pick(names);
  callDtype = rand() < 0.5 ? Float32Array : Float64Array;
  let args = entries[name]();
  if (rand() < 0.03) args = args.slice(0, Math.floor(rand() * args.length));
  if (rand() < 0.03) args = [...args, randomArray()];
  stats.calls++;
  try {
    addon[name](...args);
    stats.ok++;
  } catch (e) {
    if (e instanceof TypeError) stats.typeErrors++;
    else if (e instanceof RangeError) stats.rangeErrors++;
    else {
      console.error(`unexpected ${e?.constructor?.name}: ${e?.message} from ${name}`);
      process.exit(2);
    }
    if (typeof e.message !== 'string' || e.message.length < 5) {
      console.error(`unhelpful message from ${name}: ${e.message}`);
      process.exit(3);
    }
  }
}
addon.setNumThreads(2);
console.log(JSON.stringify(stats));
