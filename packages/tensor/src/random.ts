import { kernels } from './backend/registry.js';
import { type DType, assertDType, isFloating } from './dtype.js';
import { assertValidShape, shapeToString } from './layout.js';
import { Tensor } from './tensor.js';
import { type ShapeArg, shapeArgs } from './ops/views.js';
import { adoptResult, assertTensor, checkInplace } from './ops/util.js';
import { toTypedArray } from './ops/inspect.js';
import { where } from './ops/elementwise.js';
import { assertWritable } from './ops/indexing.js';

/**
 * Random numbers from a seedable, counter-based generator: Philox4x32-10 (Salmon et al., "Parallel
 * Random Numbers: As Easy as 1, 2, 3", SC 2011), written with 32-bit integer arithmetic only, so
 * a seed gives the same numbers on every platform and backend (sampling runs here in TS, never in
 * a kernel). The numbers differ from PyTorch's (its CPU generator is a Mersenne Twister), but are
 * reproducible: `manualSeed(s)` then the same calls give the same tensors.
 *
 * Stream layout: the 64-bit seed is the Philox key; a 128-bit counter starts at 0 and each block
 * yields four uint32 words, consumed in order. Derived values:
 * - float64 uniform in [0, 1): 53 bits from two words, (a >>> 5) * 2^26 + (b >>> 6), times 2^-53;
 * - float32 uniform in [0, 1): the top 24 bits of one word, times 2^-24;
 * - normal: Box-Muller in float64 on two uniforms, both outputs used, then cast;
 * - integers in [0, n): rejection sampling on uint32 words (no modulo bias).
 * Math.log/cos/sin are those of V8 (fdlibm ports), identical on every platform Node runs on.
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two uint32 (the low half is Math.imul). */
function mulhi(a: number, b: number): number {
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const lh = al * bh, hl = ah * bl;
  const mid = ((al * bl) >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (ah * bh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
}

/**
 * One Philox4x32-10 block: encrypts the 128-bit counter `ctr` (4 uint32) under the 64-bit key
 * `key` (2 uint32), writing four uint32 words to `out`. Exported for known-answer tests.
 */
export function philox4x32(ctr: ArrayLike<number>, key: ArrayLike<number>, out: Uint32Array = new Uint32Array(4), rounds = 10): Uint32Array {
  let c0 = ctr[0]! >>> 0, c1 = ctr[1]! >>> 0, c2 = ctr[2]! >>> 0, c3 = ctr[3]! >>> 0;
  let k0 = key[0]! >>> 0, k1 = key[1]! >>> 0;
  for (let r = 0; r < rounds; r++) {
    if (r > 0) { k0 = (k0 + W0) >>> 0; k1 = (k1 + W1) >>> 0; }
    const hi0 = mulhi(M0, c0), lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi(M1, c2), lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
  }
  out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
  return out;
}

/** A seed: a non-negative integer below 2^64 (a safe-integer number or a bigint). */
export type Seed = number | bigint;

function seedToKey(seed: Seed): [number, number] {
  let s: bigint;
  if (typeof seed === 'bigint') s = seed;
  else if (typeof seed === 'number' && Number.isSafeInteger(seed)) s = BigInt(seed);
  else throw new TypeError(`seed must be a non-negative safe integer or a bigint, got ${String(seed)}`);
  if (s < 0n || s >= 1n << 64n) throw new RangeError(`seed must be in [0, 2^64), got ${s}`);
  return [Number(s & 0xffffffffn), Number(s >> 32n)];
}

/** A generator's full state, to save and restore a stream position (`getState`/`setState`). */
export interface GeneratorState {
  readonly seed: bigint;
  readonly counter: readonly [number, number, number, number];
  /** Words of the current block already consumed (0..4). */
  readonly used: number;
  /** The second Box-Muller output waiting to be used, or null. */
  readonly spareNormal: number | null;
}

/** PyTorch's default CPU seed, used until `manualSeed` or `seed()` changes it. */
export const DEFAULT_SEED = 67280421310721;

/** A seedable stream of random numbers (Philox4x32-10); pass one as `{ generator }` to any sampler. */
export class Generator {
  // A Uint32Array, not [lo, hi]: an array literal's elements kind depends on the values (small
  // integers or doubles from 2^31 up), and a fresh generator whose key array differed in kind
  // (DataLoader's per-epoch child generators, seeded at random) deoptimised philox4x32 and the
  // shuffle around it at every other epoch.
  private readonly key = new Uint32Array(2);
  private seedValue = 0n;
  private readonly counter = new Uint32Array(4);
  private readonly block = new Uint32Array(4);
  private used = 4;
  private spare: number | null = null;

  constructor(seed: Seed = DEFAULT_SEED) {
    this.manualSeed(seed);
  }

  /** Restarts the stream from `seed`. */
  manualSeed(seed: Seed): this {
    const [lo, hi] = seedToKey(seed);
    this.key[0] = lo;
    this.key[1] = hi;
    this.seedValue = BigInt(seed);
    this.counter.fill(0);
    this.used = 4;
    this.spare = null;
    return this;
  }

  /** Seeds from a non-deterministic source and returns the seed (torch.Generator.seed). */
  seed(): bigint {
    const words = new Uint32Array(2);
    globalThis.crypto.getRandomValues(words);
    const s = (BigInt(words[1]!) << 32n) | BigInt(words[0]!);
    this.manualSeed(s);
    return s;
  }

  /** The seed the stream started from. */
  initialSeed(): bigint {
    return this.seedValue;
  }

  getState(): GeneratorState {
    const c = this.counter;
    return { seed: this.seedValue, counter: [c[0]!, c[1]!, c[2]!, c[3]!], used: this.used, spareNormal: this.spare };
  }

  setState(state: GeneratorState): this {
    this.manualSeed(state.seed);
    if (state.used < 0 || state.used > 4 || state.counter.length !== 4) throw new RangeError('setState: malformed generator state');
    this.counter.set(state.counter);
    this.used = state.used;
    if (this.used < 4) {
      // The current block is the one before the saved counter: regenerate it.
      const prev = this.decrementedCounter();
      philox4x32(prev, this.key, this.block);
    }
    this.spare = state.spareNormal;
    return this;
  }

  private decrementedCounter(): Uint32Array {
    const c = this.counter.slice();
    for (let i = 0; i < 4; i++) {
      if (c[i] !== 0) { c[i] = c[i]! - 1; break; }
      c[i] = 0xffffffff;
    }
    return c;
  }

  /** The next uint32 of the stream. */
  nextUint32(): number {
    if (this.used === 4) {
      philox4x32(this.counter, this.key, this.block);
      // 128-bit increment, little-endian words.
      for (let i = 0; i < 4; i++) {
        this.counter[i] = this.counter[i]! + 1;
        if (this.counter[i] !== 0) break;
      }
      this.used = 0;
    }
    return this.block[this.used++]!;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  nextFloat64(): number {
    const a = this.nextUint32() >>> 5, b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) * (1 / 9007199254740992);
  }

  /** Uniform in [0, 1) with 24 random bits (exactly representable in float32). */
  nextFloat32(): number {
    return (this.nextUint32() >>> 8) * (1 / 16777216);
  }

  /** Uniform integer in [0, n) for 1 <= n <= 2^32, without modulo bias. */
  nextBelow(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 4294967296) throw new RangeError(`nextBelow: range size must be an integer in [1, 2^32], got ${n}`);
    // Accept words below the largest multiple of n that fits in 2^32.
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const u = this.nextUint32();
      if (u < limit) return u % n;
    }
  }

  /** Standard normal (Box-Muller in float64; the second value of each pair is kept for the next call). */
  nextNormal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const u1 = 1 - this.nextFloat64(); // (0, 1]: log never sees 0
    const u2 = this.nextFloat64();
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }
}

/** The generator samplers use when none is passed. */
export const defaultGenerator = new Generator();

/** Seeds the default generator (torch.manual_seed); returns it. */
export function manualSeed(seed: Seed): Generator {
  return defaultGenerator.manualSeed(seed);
}

/** Seeds the default generator non-deterministically and returns the seed (torch.seed). */
export function seed(): bigint {
  return defaultGenerator.seed();
}

/** The default generator's seed (torch.initial_seed). */
export function initialSeed(): bigint {
  return defaultGenerator.initialSeed();
}

/**
 * Options of the random creation functions: a tensor's options plus an explicit `generator` (default: the global one, seeded by `manualSeed`).
 */
export interface RandomOptions {
  dtype?: DType;
  requiresGrad?: boolean;
  generator?: Generator;
}

/** An explicit `Generator` to draw from (default: the global one, seeded by `manualSeed`). */
export interface GeneratorOption {
  generator?: Generator;
}

function gen(opts: GeneratorOption | undefined): Generator {
  const g = opts?.generator ?? defaultGenerator;
  if (!(g instanceof Generator)) throw new TypeError('generator must be a Generator');
  return g;
}

function splitArgs(args: readonly (ShapeArg | RandomOptions)[]): [number[], RandomOptions | undefined] {
  const last = args[args.length - 1];
  if (last !== undefined && typeof last === 'object' && !Array.isArray(last)) {
    return [shapeArgs(args.slice(0, -1) as ShapeArg[]), last as RandomOptions];
  }
  return [shapeArgs(args as ShapeArg[]), undefined];
}

function floatDType(opts: RandomOptions | undefined, op: string): DType {
  const dtype = opts?.dtype === undefined ? 'float32' : assertDType(opts.dtype);
  if (!isFloating(dtype)) throw new TypeError(`${op}: dtype must be float32 or float64, got ${dtype}`);
  return dtype;
}

function finish(t: Tensor, opts: RandomOptions | undefined): Tensor {
  if (opts?.requiresGrad) t.requiresGrad_(true);
  return t;
}

function fillUniform(buf: Float32Array | Float64Array, g: Generator): void {
  if (buf instanceof Float32Array) for (let i = 0; i < buf.length; i++) buf[i] = g.nextFloat32();
  else for (let i = 0; i < buf.length; i++) buf[i] = g.nextFloat64();
}

function fillNormal(buf: Float32Array | Float64Array, g: Generator, mean: number, std: number): void {
  for (let i = 0; i < buf.length; i++) buf[i] = mean + std * g.nextNormal();
}

/** Uniform samples in [0, 1): `rand(2, 3)`, `rand([2, 3], { dtype, generator })`. */
export function rand(...args: (ShapeArg | RandomOptions)[]): Tensor {
  const [shape, opts] = splitArgs(args);
  assertValidShape(shape);
  const t = Tensor.empty(shape, floatDType(opts, 'rand'));
  fillUniform(t.buffer as Float32Array | Float64Array, gen(opts));
  return finish(t, opts);
}

/** Standard normal samples: `randn(2, 3)`, `randn([2, 3], { dtype, generator })`. */
export function randn(...args: (ShapeArg | RandomOptions)[]): Tensor {
  const [shape, opts] = splitArgs(args);
  assertValidShape(shape);
  const t = Tensor.empty(shape, floatDType(opts, 'randn'));
  fillNormal(t.buffer as Float32Array | Float64Array, gen(opts), 0, 1);
  return finish(t, opts);
}

/** Uniform [0, 1) samples with the shape and dtype of `t` (torch.rand_like). */
export function randLike(t: Tensor, opts?: RandomOptions): Tensor {
  assertTensor(t, 'randLike');
  return rand(t.shape, { dtype: isFloating(t.dtype) ? t.dtype : 'float32', ...opts });
}

/** Standard normal samples with the shape and dtype of `t` (torch.randn_like). */
export function randnLike(t: Tensor, opts?: RandomOptions): Tensor {
  assertTensor(t, 'randnLike');
  return randn(t.shape, { dtype: isFloating(t.dtype) ? t.dtype : 'float32', ...opts });
}

function checkIntBound(v: number, what: string): void {
  if (!Number.isInteger(v) || v < -2147483648 || v > 2147483648) throw new RangeError(`randint: ${what} must be an integer in the int32 range, got ${v}`);
}

/**
 * Integers uniform in [low, high) as int32 (torch returns int64): `randint(high, shape)` or
 * `randint(low, high, shape, { generator })`.
 */
export function randint(high: number, shape: readonly number[], opts?: RandomOptions): Tensor;
export function randint(low: number, high: number, shape: readonly number[], opts?: RandomOptions): Tensor;
export function randint(a: number, b: number | readonly number[], c?: readonly number[] | RandomOptions, d?: RandomOptions): Tensor {
  let low: number, high: number, shape: readonly number[], opts: RandomOptions | undefined;
  if (Array.isArray(b)) { low = 0; high = a; shape = b; opts = c as RandomOptions | undefined; }
  else { low = a; high = b as number; shape = c as readonly number[]; opts = d; }
  if (!Array.isArray(shape)) throw new TypeError('randint: shape must be an array of numbers');
  assertValidShape(shape);
  checkIntBound(low, 'low');
  checkIntBound(high, 'high');
  if (high <= low) throw new RangeError(`randint: high (${high}) must be greater than low (${low})`);
  const dtype = opts?.dtype === undefined ? 'int32' : assertDType(opts.dtype);
  if (dtype === 'bool') throw new TypeError('randint: dtype bool is not supported');
  const t = Tensor.empty(shape, dtype);
  const g = gen(opts);
  const buf = t.buffer;
  const n = high - low;
  for (let i = 0; i < buf.length; i++) buf[i] = low + g.nextBelow(n);
  return finish(t, opts);
}

/** A random permutation of 0..n-1 (int32 unless dtype is given), by Fisher-Yates. */
export function randperm(n: number, opts?: RandomOptions): Tensor {
  if (!Number.isInteger(n) || n < 0 || n > 2147483647) throw new RangeError(`randperm: n must be a non-negative int32, got ${n}`);
  const dtype = opts?.dtype === undefined ? 'int32' : assertDType(opts.dtype);
  if (dtype === 'bool') throw new TypeError('randperm: dtype bool is not supported');
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const g = gen(opts);
  for (let i = n - 1; i > 0; i--) {
    const j = g.nextBelow(i + 1);
    const tmp = perm[i]!; perm[i] = perm[j]!; perm[j] = tmp;
  }
  const t = dtype === 'int32' ? Tensor.fromBuffer(perm, [n], 'int32') : Tensor.fromBuffer(perm, [n], 'int32').to(dtype);
  return finish(t, opts);
}

function checkProbability(p: number, op: string): void {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`${op}: probability p must be in [0, 1], got ${p}`);
}

/** Probabilities of `p` as float64 values, each checked in [0, 1]. */
function probabilities(p: Tensor, op: string): Float64Array {
  if (!isFloating(p.dtype)) throw new TypeError(`${op}: probabilities must be a float tensor, got ${p.dtype}`);
  const vals = Float64Array.from(toTypedArray(p));
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i]!;
    if (!(v >= 0 && v <= 1)) throw new RangeError(`${op}: probability ${v} at flat index ${i} is outside [0, 1]`);
  }
  return vals;
}

/**
 * 0/1 samples: `bernoulli(probs)` draws each element with its own probability (torch.bernoulli);
 * `bernoulli(input, p)` draws with one probability p in input's shape. Same dtype as the input.
 */
export function bernoulli(input: Tensor, p?: number | GeneratorOption, opts?: GeneratorOption): Tensor {
  assertTensor(input, 'bernoulli');
  const prob = typeof p === 'number' ? p : undefined;
  const o = typeof p === 'object' ? p : opts;
  const g = gen(o);
  const dtype = isFloating(input.dtype) ? input.dtype : 'float32';
  const out = Tensor.empty(input.shape, prob === undefined ? dtype : input.dtype);
  const ob = out.buffer;
  if (prob !== undefined) {
    checkProbability(prob, 'bernoulli');
    for (let i = 0; i < ob.length; i++) ob[i] = g.nextFloat64() < prob ? 1 : 0;
  } else {
    const probs = probabilities(input, 'bernoulli');
    for (let i = 0; i < ob.length; i++) ob[i] = g.nextFloat64() < probs[i]! ? 1 : 0;
  }
  return out;
}

/** Writes `values` (a contiguous tensor of self's shape) into self, any view, under autograd's rules. */
function overwrite(self: Tensor, values: Tensor, op: string): Tensor {
  assertWritable(self, op);
  if (checkInplace(self, op) && self.requiresGrad) {
    // The new values do not depend on the old ones: where() with an all-true condition records that.
    const all = Tensor.empty([], 'bool');
    all.buffer[0] = 1;
    return adoptResult(self, where(all, values, self.clone()), kernels.current.copy);
  }
  kernels.current.copy(values, self);
  self.bumpVersion();
  return self;
}

function floatSelf(self: Tensor, op: string): void {
  assertTensor(self, op);
  if (!isFloating(self.dtype)) throw new TypeError(`${op}: expected a float32 or float64 tensor, got ${self.dtype}`);
}

/** Fills self (any view) with samples uniform in [from, to). */
export function uniform_(self: Tensor, from = 0, to = 1, opts?: GeneratorOption): Tensor {
  floatSelf(self, 'uniform_');
  if (!(from <= to) || !Number.isFinite(from) || !Number.isFinite(to)) throw new RangeError(`uniform_: expects from <= to, both finite; got from=${from}, to=${to}`);
  const g = gen(opts);
  const values = Tensor.empty(self.shape, 'float64');
  const vb = values.buffer;
  const width = to - from;
  if (self.dtype === 'float32') for (let i = 0; i < vb.length; i++) vb[i] = from + width * g.nextFloat32();
  else for (let i = 0; i < vb.length; i++) vb[i] = from + width * g.nextFloat64();
  return overwrite(self, values, 'uniform_');
}

/** Fills self (any view) with normal samples of the given mean and standard deviation. */
export function normal_(self: Tensor, mean = 0, std = 1, opts?: GeneratorOption): Tensor {
  floatSelf(self, 'normal_');
  if (!(std >= 0) || !Number.isFinite(std)) throw new RangeError(`normal_: std must be finite and >= 0, got ${std}`);
  const values = Tensor.empty(self.shape, 'float64');
  fillNormal(values.buffer as Float64Array, gen(opts), mean, std);
  return overwrite(self, values, 'normal_');
}

/** Fills self with 0/1 draws of probability p (a number, or a float tensor broadcast to self's shape). */
export function bernoulli_(self: Tensor, p: number | Tensor = 0.5, opts?: GeneratorOption): Tensor {
  assertTensor(self, 'bernoulli_');
  const g = gen(opts);
  const values = Tensor.empty(self.shape, 'float64');
  const vb = values.buffer;
  if (p instanceof Tensor) {
    const probs = probabilities(p.expand(self.shape), 'bernoulli_');
    for (let i = 0; i < vb.length; i++) vb[i] = g.nextFloat64() < probs[i]! ? 1 : 0;
  } else {
    checkProbability(p, 'bernoulli_');
    for (let i = 0; i < vb.length; i++) vb[i] = g.nextFloat64() < p ? 1 : 0;
  }
  return overwrite(self, values, 'bernoulli_');
}

/** Fills self with exponential samples of rate lambd (inverse transform: -log(1 - u) / lambd). */
export function exponential_(self: Tensor, lambd = 1, opts?: GeneratorOption): Tensor {
  floatSelf(self, 'exponential_');
  if (!(lambd > 0) || !Number.isFinite(lambd)) throw new RangeError(`exponential_: lambd must be finite and > 0, got ${lambd}`);
  const g = gen(opts);
  const values = Tensor.empty(self.shape, 'float64');
  const vb = values.buffer;
  for (let i = 0; i < vb.length; i++) vb[i] = -Math.log(1 - g.nextFloat64()) / lambd;
  return overwrite(self, values, 'exponential_');
}

/** Options of `multinomial`: `replacement` (default false) and the generator. */
export interface MultinomialOptions extends GeneratorOption {
  /** Draw with replacement (default false: each category at most once per row). */
  replacement?: boolean;
}

/**
 * Category indices drawn from non-negative weights (1-D [K] or 2-D [N, K]; each row need not sum
 * to 1): int32 [numSamples] or [N, numSamples] (torch.multinomial).
 */
export function multinomial(weights: Tensor, numSamples: number, opts: MultinomialOptions = {}): Tensor {
  assertTensor(weights, 'multinomial');
  if (weights.ndim !== 1 && weights.ndim !== 2) throw new RangeError(`multinomial: weights must be 1-D or 2-D, got shape ${shapeToString(weights.shape)}`);
  if (!isFloating(weights.dtype)) throw new TypeError(`multinomial: weights must be a float tensor, got ${weights.dtype}`);
  const replacement = opts.replacement ?? false;
  const K = weights.shape[weights.ndim - 1]!;
  const rows = weights.ndim === 2 ? weights.shape[0]! : 1;
  if (!Number.isInteger(numSamples) || numSamples < 1) throw new RangeError(`multinomial: numSamples must be a positive integer, got ${numSamples}`);
  if (!replacement && numSamples > K) throw new RangeError(`multinomial: cannot draw ${numSamples} samples without replacement from ${K} categories`);
  const w = Float64Array.from(toTypedArray(weights));
  const g = gen(opts);
  const out = Tensor.empty(weights.ndim === 2 ? [rows, numSamples] : [numSamples], 'int32');
  const ob = out.buffer;
  for (let r = 0; r < rows; r++) {
    const row = w.subarray(r * K, (r + 1) * K);
    let total = 0, positive = 0;
    for (let k = 0; k < K; k++) {
      const v = row[k]!;
      if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`multinomial: weight ${v} in row ${r}, category ${k} is negative, infinite or NaN`);
      total += v;
      if (v > 0) positive++;
    }
    if (total <= 0) throw new RangeError(`multinomial: row ${r} has no positive weight`);
    if (!replacement && numSamples > positive) {
      throw new RangeError(`multinomial: cannot draw ${numSamples} samples without replacement from row ${r}, which has ${positive} categories of positive weight`);
    }
    for (let s = 0; s < numSamples; s++) {
      const u = g.nextFloat64() * total;
      let acc = 0;
      let chosen = -1;
      for (let k = 0; k < K; k++) {
        if (row[k]! <= 0) continue;
        chosen = k; // the last positive category absorbs rounding at the top of the range
        acc += row[k]!;
        if (u < acc) break;
      }
      ob[r * numSamples + s] = chosen;
      if (!replacement) { total -= row[chosen]!; row[chosen] = 0; }
    }
  }
  return out;
}

declare module './tensor.js' {
  interface Tensor {
    uniform_(from?: number, to?: number, opts?: GeneratorOption): Tensor;
    normal_(mean?: number, std?: number, opts?: GeneratorOption): Tensor;
    bernoulli_(p?: number | Tensor, opts?: GeneratorOption): Tensor;
    exponential_(lambd?: number, opts?: GeneratorOption): Tensor;
    bernoulli(p?: number | GeneratorOption, opts?: GeneratorOption): Tensor;
    multinomial(numSamples: number, opts?: MultinomialOptions): Tensor;
  }
}

const P = Tensor.prototype;
P.uniform_ = function (f, t, o) { return uniform_(this, f, t, o); };
P.normal_ = function (m, s, o) { return normal_(this, m, s, o); };
P.bernoulli_ = function (p, o) { return bernoulli_(this, p, o); };
P.exponential_ = function (l, o) { return exponential_(this, l, o); };
P.bernoulli = function (p, o) { return bernoulli(this, p, o); };
P.multinomial = function (n, o) { return multinomial(this, n, o); };
