import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_SEED, type GradEngine, Generator, bernoulli, bernoulli_, defaultGenerator, exponential_, getBackend, initialSeed, manualSeed, multinomial,
  normal_, philox4x32, rand, randLike, randint, randn, randnLike, randperm, seed, setGradEngine, tensor, uniform_, zeros,
} from './index.js';

const hex = (a: Uint32Array | number[]) => Array.from(a, (v) => v.toString(16).padStart(8, '0')).join(' ');

function meanStd(v: ArrayLike<number>): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  const mean = s / v.length;
  let q = 0;
  for (let i = 0; i < v.length; i++) q += (v[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(q / (v.length - 1)) };
}

describe(`random (${getBackend().name} backend)`, () => {
  afterEach(() => manualSeed(DEFAULT_SEED));

  it('Philox4x32-10 reproduces the known-answer vectors of the Random123 reference (kat_vectors)', () => {
    expect(hex(philox4x32([0, 0, 0, 0], [0, 0]))).toBe('6627e8d5 e169c58d bc57ac4c 9b00dbd8');
    const f = 0xffffffff;
    expect(hex(philox4x32([f, f, f, f], [f, f]))).toBe('408f276d 41c83b0e a20bc7c6 6d5451fd');
    expect(hex(philox4x32([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0]))).toBe('d16cfe09 94fdcceb 5001e420 24126ea1');
  });

  it('a generator streams Philox blocks of the seed as key, counter 0, 1, 2, ... (little-endian words)', () => {
    const g = new Generator(0);
    const words = Array.from({ length: 8 }, () => g.nextUint32());
    expect(hex(words.slice(0, 4))).toBe('6627e8d5 e169c58d bc57ac4c 9b00dbd8');
    expect(words.slice(4)).toEqual(Array.from(philox4x32([1, 0, 0, 0], [0, 0])));
    // The 64-bit seed splits into key words (low, high).
    const h = new Generator(0x299f31d0a4093822n);
    expect(h.nextUint32()).toBe(philox4x32([0, 0, 0, 0], [0xa4093822, 0x299f31d0])[0]);
    // Uniforms from the first words: float32 takes 24 bits, float64 53 bits of two words.
    const x32 = rand([2], { generator: new Generator(0) }).toTypedArray();
    expect(x32[0]).toBe((0x6627e8d5 >>> 8) / 2 ** 24);
    expect(x32[1]).toBe((0xe169c58d >>> 8) / 2 ** 24);
    const x64 = rand([1], { dtype: 'float64', generator: new Generator(0) }).item();
    expect(x64).toBe(((0x6627e8d5 >>> 5) * 2 ** 26 + (0xe169c58d >>> 6)) / 2 ** 53);
  });

  it('the same seed gives the same numbers; manualSeed restarts the default generator', () => {
    manualSeed(42);
    const a = [rand(5).toArray(), randn(2, 3).toArray(), randint(0, 10, [4]).toArray(), randperm(6).toArray()];
    manualSeed(42);
    const b = [rand(5).toArray(), randn(2, 3).toArray(), randint(0, 10, [4]).toArray(), randperm(6).toArray()];
    expect(b).toEqual(a);
    manualSeed(43);
    expect(rand(5).toArray()).not.toEqual(a[0]);
    const g1 = new Generator(7), g2 = new Generator(7);
    expect(randn([3], { generator: g1 }).toArray()).toEqual(randn([3], { generator: g2 }).toArray());
    expect(initialSeed()).toBe(43n);
  });

  it('an explicit generator leaves the default stream untouched', () => {
    manualSeed(1);
    const expected = rand(4).toArray();
    manualSeed(1);
    rand(10, { generator: new Generator(99) });
    expect(rand(4).toArray()).toEqual(expected);
  });

  it('getState / setState resume a stream mid-block and mid-Box-Muller pair', () => {
    const g = new Generator(5);
    g.nextUint32();
    g.nextNormal();
    const state = g.getState();
    const next = [g.nextNormal(), g.nextUint32(), g.nextFloat64(), g.nextNormal()];
    const h = new Generator(123).setState(state);
    expect([h.nextNormal(), h.nextUint32(), h.nextFloat64(), h.nextNormal()]).toEqual(next);
  });

  it('seed() picks a fresh seed and reports it', () => {
    const s = seed();
    expect(typeof s).toBe('bigint');
    expect(initialSeed()).toBe(s);
    const x = rand(3).toArray();
    manualSeed(s);
    expect(rand(3).toArray()).toEqual(x);
  });

  it('rejects invalid seeds', () => {
    expect(() => manualSeed(-1)).toThrow(RangeError);
    expect(() => manualSeed(1.5)).toThrow(TypeError);
    expect(() => manualSeed(1n << 64n)).toThrow(/seed must be in \[0, 2\^64\)/);
    expect(() => new Generator(Number.NaN)).toThrow(TypeError);
  });

  it('rand is uniform on [0, 1) and randn is standard normal (100k samples)', () => {
    const g = new Generator(2024);
    const n = 100_000;
    const u = rand([n], { generator: g, dtype: 'float64' }).toTypedArray();
    let lo = Infinity, hi = -Infinity;
    for (const v of u) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    const us = meanStd(u);
    // Standard error of the mean is sqrt(1/12/n) ~ 0.0009; allow 5 of them.
    expect(Math.abs(us.mean - 0.5)).toBeLessThan(0.0046);
    expect(Math.abs(us.std - Math.sqrt(1 / 12))).toBeLessThan(0.003);
    const z = randn([n], { generator: g }).toTypedArray();
    const zs = meanStd(z);
    expect(Math.abs(zs.mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(zs.std - 1)).toBeLessThan(0.012);
    // Shape of the distribution: P(|z| < 1) = 0.6827, P(|z| < 2) = 0.9545.
    let in1 = 0, in2 = 0;
    for (const v of z) { if (Math.abs(v) < 1) in1++; if (Math.abs(v) < 2) in2++; }
    expect(Math.abs(in1 / n - 0.6827)).toBeLessThan(0.0075);
    expect(Math.abs(in2 / n - 0.9545)).toBeLessThan(0.0035);
  });

  it('randint covers [low, high) evenly; randperm is a permutation', () => {
    const g = new Generator(8);
    const r = randint(-3, 4, [70_000], { generator: g });
    expect(r.dtype).toBe('int32');
    const counts = new Map<number, number>();
    for (const v of r.toTypedArray()) counts.set(v, (counts.get(v) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    for (const c of counts.values()) expect(Math.abs(c - 10_000)).toBeLessThan(500); // sd ~ 93
    expect(randint(5, [2, 3], { generator: g }).shape).toEqual([2, 3]);
    for (const n of [0, 1, 2, 17, 1000]) {
      const p = randperm(n, { generator: g }).toArray() as number[];
      expect(p.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    }
    // Position 0 of randperm(3) takes each value about a third of the time.
    const first = [0, 0, 0];
    for (let i = 0; i < 3000; i++) first[randperm(3, { generator: g }).toTypedArray()[0]!]!++;
    for (const c of first) expect(Math.abs(c - 1000)).toBeLessThan(130);
    expect(() => randint(3, 3, [1])).toThrow(/high \(3\) must be greater than low \(3\)/);
    expect(() => randperm(-1)).toThrow(RangeError);
  });

  it('bernoulli and multinomial', () => {
    const g = new Generator(77);
    const p = tensor([0, 1, 0.25], { dtype: 'float64' }).expand(20_000, 3).contiguous();
    const b = bernoulli(p, { generator: g });
    expect(b.dtype).toBe('float64');
    const m = b.mean(0).toArray() as number[];
    expect(m[0]).toBe(0);
    expect(m[1]).toBe(1);
    expect(Math.abs(m[2]! - 0.25)).toBeLessThan(0.016);
    expect(bernoulli(zeros(4), 1, { generator: g }).toArray()).toEqual([1, 1, 1, 1]);
    expect(() => bernoulli(tensor([0.5, 1.5]))).toThrow(/probability 1.5 at flat index 1 is outside \[0, 1\]/);
    const draws = multinomial(tensor([0, 3, 1], { dtype: 'float64' }), 8000, { replacement: true, generator: g }).toTypedArray();
    const counts = [0, 0, 0];
    for (const d of draws) counts[d]!++;
    expect(counts[0]).toBe(0);
    expect(Math.abs(counts[1]! / 8000 - 0.75)).toBeLessThan(0.025);
    const rows = multinomial(tensor([[1, 1, 1, 0], [5, 0, 1, 1]], { dtype: 'float32' }), 3, { generator: g }).toArray() as number[][];
    expect(rows[0]!.slice().sort()).toEqual([0, 1, 2]);
    expect(rows[1]!.slice().sort()).toEqual([0, 2, 3]);
    expect(() => multinomial(tensor([1, 0], { dtype: 'float32' }), 2)).toThrow(/which has 1 categories of positive weight/);
    expect(() => multinomial(tensor([1, -1], { dtype: 'float32' }), 1)).toThrow(RangeError);
  });

  it('in-place samplers fill any view and write through to its base', () => {
    const g = new Generator(3);
    const base = zeros(4, 3, { dtype: 'float64' });
    uniform_(base.T.narrow(0, 1, 1), 5, 6, { generator: g }); // column 1 of base
    const vals = base.toArray() as number[][];
    for (const row of vals) {
      expect(row[0]).toBe(0);
      expect(row[2]).toBe(0);
      expect(row[1]).toBeGreaterThanOrEqual(5);
      expect(row[1]).toBeLessThan(6);
    }
    const big = zeros(50_000);
    normal_(big, 3, 2, { generator: g });
    const s = meanStd(big.toTypedArray());
    expect(Math.abs(s.mean - 3)).toBeLessThan(0.03);
    expect(Math.abs(s.std - 2)).toBeLessThan(0.03);
    exponential_(big, 4, { generator: g });
    const e = meanStd(big.toTypedArray());
    expect(Math.abs(e.mean - 0.25)).toBeLessThan(0.006);
    const mask = zeros(10_000, { dtype: 'int32' });
    bernoulli_(mask, 0.5, { generator: g });
    const ones = (mask.sum().item() as number);
    expect(Math.abs(ones - 5000)).toBeLessThan(250);
    expect(() => uniform_(zeros(2, { dtype: 'int32' }))).toThrow(/expected a float32 or float64 tensor, got int32/);
    expect(() => normal_(zeros(2), 0, -1)).toThrow(RangeError);
    // The same generator state gives the same fill whether the target is a view or not.
    const a = zeros(2, 3), b = zeros(3, 2);
    uniform_(a, 0, 1, { generator: new Generator(9) });
    uniform_(b.T, 0, 1, { generator: new Generator(9) });
    expect(b.T.toArray()).toEqual(a.toArray());
  });

  it('randLike / randnLike keep shape and float dtype', () => {
    const t = zeros(2, 5, { dtype: 'float64' });
    expect(randLike(t).dtype).toBe('float64');
    expect(randnLike(tensor([1, 2])).dtype).toBe('float32');
    expect(randnLike(t, { generator: new Generator(1) }).shape).toEqual([2, 5]);
    expect(defaultGenerator).toBeInstanceOf(Generator);
  });
});

describe('random in-place samplers under autograd', () => {
  afterEach(() => setGradEngine(null));
  it('refuse a leaf that requires grad and cut the history of a non-leaf', () => {
    const engine: GradEngine = {
      record(op, _i, output) { output.requiresGrad = true; output.gradFn = { name: `${op}Backward` }; },
      backward() {}, retainGrad() {}, registerHook: () => () => {},
    };
    setGradEngine(engine);
    const leaf = zeros(3, { dtype: 'float64' }).requiresGrad_();
    expect(() => uniform_(leaf)).toThrow(/leaf tensor that requires grad/);
    const y = leaf.mul(2);
    normal_(y, 0, 1, { generator: new Generator(1) });
    expect(y.gradFn?.name).toBe('whereBackward');
    expect(y.toArray()).toEqual(randn([3], { dtype: 'float64', generator: new Generator(1) }).toArray());
  });
});
