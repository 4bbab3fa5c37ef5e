// The native elementwise, reduction and softmax kernels agree with the pure-TS reference backend
// on random strided, broadcast and offset layouts, special values, and wide ranges of arguments.
import { describe, expect, it } from 'vitest';
// Imported by relative path in tests only: @tsgrad/native must not depend on @tsgrad/tensor.
import { jsBackend } from '../../tensor/src/backend/js/index.js';
import { elementwiseKernels, MIN_NATIVE_ELEMENTS } from '../src/elementwise.js';
import { rawAddon } from '../src/index.js';
import type { View } from '../src/types.js';
import { cloneView, contiguousStrides, type FloatCtor, numel, outView, pick, randInt, rng, skipWithoutAddon } from './helpers.js';

// Every size runs natively here (the backend itself declines small tensors).
const native = skipWithoutAddon ? (null as unknown as ReturnType<typeof elementwiseKernels>) : elementwiseKernels(rawAddon(), { cheap: 0, transcendental: 0, reduce: 0 });
const dtypes: [string, FloatCtor][] = [['float32', Float32Array], ['float64', Float64Array]];
/** Whole-buffer closeness where equal infinities (and NaN against NaN) count as equal. */
function expectBuffersClose(actual: View['buffer'], expected: View['buffer'], rtol: number, atol: number, label: string): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (a === e || (Number.isNaN(a) && Number.isNaN(e))) continue;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) expect.fail(`${label} [${i}]: got ${a}, expected ${e}`);
  }
}

const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1e-40, -1e-40, 3e38, -3e38, 1e-300, 88.8, -88.8, 100, -104, 0.5, -0.5, 2.5, -2.5];

function fillRandom(r: () => number, buf: Float32Array | Float64Array, specials: boolean, scale = 4): void {
  for (let i = 0; i < buf.length; i++) buf[i] = specials && r() < 0.15 ? pick(r, SPECIALS) : (r() * 2 - 1) * scale;
}

/**
 * A view of `shape` in a random layout: dims permuted in memory, some stepped by 2, a random
 * offset, and (for inputs) some dims broadcast with stride 0.
 */
function layoutView(r: () => number, Ctor: FloatCtor, shape: readonly number[], opts: { broadcast?: boolean; specials?: boolean } = {}): View {
  const nd = shape.length;
  const order = Array.from({ length: nd }, (_, d) => d).sort(() => r() - 0.5);
  const strides = new Array<number>(nd).fill(0);
  let acc = 1;
  for (let k = nd - 1; k >= 0; k--) {
    const d = order[k]!;
    if (opts.broadcast && r() < 0.25) { strides[d] = 0; continue; }
    const step = r() < 0.2 ? 2 : 1;
    strides[d] = acc * step;
    acc *= Math.max(1, shape[d]!) * step;
  }
  const offset = randInt(r, 0, 3);
  const buffer = new Ctor(offset + acc + 2);
  fillRandom(r, buffer, opts.specials ?? true);
  return { buffer, shape: [...shape], strides, offset };
}

const randomShape = (r: () => number): number[] => Array.from({ length: randInt(r, 0, 4) }, () => pick(r, [0, 1, 1, 2, 3, 5, 7]));

/** Runs `run` on a clone of `out` under each backend and compares the whole buffers. */
function agree(out: View, run: (k: typeof native | typeof jsBackend, o: View) => unknown, tol: { rtol: number; atol: number }, label: string): void {
  const expected = cloneView(out);
  run(jsBackend, expected);
  expect(run(native, out), label).toBeUndefined();
  expectBuffersClose(out.buffer, expected.buffer, tol.rtol, tol.atol, label);
}

const EXACT = { rtol: 0, atol: 0 };
const transcendental = (Ctor: FloatCtor) => (Ctor === Float32Array ? { rtol: 4e-7, atol: 1e-44 } : { rtol: 4e-16, atol: 0 });
const UNARY = ['identity', 'neg', 'abs', 'sign', 'square', 'reciprocal', 'sqrt', 'rsqrt', 'relu', 'floor', 'ceil', 'round', 'exp', 'log', 'tanh', 'sigmoid'] as const;
const TRANSCENDENTAL = new Set(['exp', 'log', 'tanh', 'sigmoid']);
const BINARY = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum'] as const;

describe.skipIf(skipWithoutAddon)('native elementwise kernels agree with the TS backend', () => {
  for (const [name, Ctor] of dtypes) {
    it(`${name}: unary ops on random layouts with NaN, ±Inf, ±0, subnormals and extremes`, () => {
      const r = rng(Ctor === Float32Array ? 11 : 12);
      for (let t = 0; t < 400; t++) {
        const op = UNARY[t % UNARY.length]!;
        const shape = randomShape(r);
        const x = layoutView(r, Ctor, shape, { broadcast: true });
        const out = t % 3 === 0 ? layoutView(r, Ctor, shape) : outView(r, Ctor, shape);
        const tol = TRANSCENDENTAL.has(op) ? transcendental(Ctor) : EXACT;
        agree(out, (k, o) => k.unary(op, x, o), tol, `${op} case ${t} [${shape}]`);
      }
    });

    it(`${name}: unary ops in place (out is x) and on overlapping views`, () => {
      const r = rng(13);
      for (const op of UNARY) {
        const x = layoutView(r, Ctor, [4, 5]);
        const expected = cloneView(x);
        jsBackend.unary(op, expected, expected);
        native.unary(op, x, x);
        const tol = TRANSCENDENTAL.has(op) ? transcendental(Ctor) : EXACT;
        expectBuffersClose(x.buffer, expected.buffer, tol.rtol, tol.atol, `${op}_`);
        // x shifted by one element against out in the same buffer: read from a copy.
        const buffer = new Ctor(30);
        fillRandom(r, buffer, true);
        const xs: View = { buffer, shape: [20], strides: [1], offset: 1 };
        const os: View = { buffer, shape: [20], strides: [1], offset: 0 };
        const eb = buffer.slice();
        jsBackend.unary(op, { ...xs, buffer: buffer.slice() }, { ...os, buffer: eb });
        native.unary(op, xs, os);
        expectBuffersClose(buffer, eb, tol.rtol, tol.atol, `${op} overlapping`);
      }
    });

    it(`${name}: binary ops with broadcasting, strides, offsets and in-place outputs`, () => {
      const r = rng(Ctor === Float32Array ? 21 : 22);
      for (let t = 0; t < 400; t++) {
        const op = BINARY[t % BINARY.length]!;
        const shape = randomShape(r);
        const a = layoutView(r, Ctor, shape, { broadcast: true });
        const b = layoutView(r, Ctor, shape, { broadcast: true });
        if (t % 7 === 0) {
          // In place: out is a (same layout), as binaryInplace calls it.
          const inPlace = layoutView(r, Ctor, shape);
          const e = cloneView(inPlace);
          jsBackend.binary(op, e, b, e);
          native.binary(op, inPlace, b, inPlace);
          expectBuffersClose(inPlace.buffer, e.buffer, 0, 0, `${op}_ case ${t}`);
          continue;
        }
        const out = t % 3 === 0 ? layoutView(r, Ctor, shape) : outView(r, Ctor, shape);
        agree(out, (k, o) => k.binary(op, a, b, o), EXACT, `${op} case ${t} [${shape}]`);
      }
    });

    it(`${name}: binaryScalar (both orders, scalars not representable in float32), clamp, fill, copy`, () => {
      const r = rng(31);
      const scalars = [0.1, -3, 0, -0, NaN, Infinity, 1e-40, 7.000000001];
      for (let t = 0; t < 300; t++) {
        const shape = randomShape(r);
        const a = layoutView(r, Ctor, shape, { broadcast: true });
        const out = t % 3 === 0 ? layoutView(r, Ctor, shape) : outView(r, Ctor, shape);
        const op = BINARY[t % BINARY.length]!;
        const s = pick(r, scalars);
        const reverse = r() < 0.5;
        agree(out, (k, o) => k.binaryScalar(op, a, s, o, reverse), EXACT, `${op} scalar ${s} reverse=${reverse} case ${t}`);
        const lo = pick(r, [-Infinity, -0.5, 0, -0, 1, NaN]);
        const hi = pick(r, [Infinity, 0.5, 0, -0, -1, NaN]);
        agree(cloneView(out), (k, o) => k.clamp(a, lo, hi, o), EXACT, `clamp(${lo}, ${hi}) case ${t}`);
        const strided = layoutView(r, Ctor, shape);
        agree(strided, (k, o) => k.fill(o, s), EXACT, `fill ${s} case ${t}`);
        agree(cloneView(out), (k, o) => k.copy(a, o), EXACT, `copy case ${t}`);
      }
    });

    it(`${name}: where with bool and float conditions, reluBackward`, () => {
      const r = rng(41);
      for (let t = 0; t < 200; t++) {
        const shape = randomShape(r);
        const n = numel(shape);
        const boolCond = r() < 0.5;
        const c = layoutView(r, Ctor, shape, { broadcast: true });
        const cond: View = boolCond ? { ...c, buffer: Uint8Array.from(c.buffer, (v) => (v > 0 ? 1 : 0)) } : c;
        const a = layoutView(r, Ctor, shape, { broadcast: true });
        const b = layoutView(r, Ctor, shape, { broadcast: true });
        const out = t % 3 === 0 ? layoutView(r, Ctor, shape) : outView(r, Ctor, shape);
        agree(out, (k, o) => k.where(cond, a, b, o), EXACT, `where case ${t} n=${n}`);
        agree(cloneView(out), (k, o) => k.reluBackward(a, b, o), EXACT, `reluBackward case ${t}`);
      }
    });

    it(`${name}: sum, max and min over random dims (incl. NCHW bias grads over [0, 2, 3] and dim 0)`, () => {
      const r = rng(51);
      const cases: [number[], number[]][] = [[[4, 3, 5, 5], [0, 2, 3]], [[64, 10], [0]], [[3, 70], [1]], [[2, 3], []], [[0, 3], [0]], [[], []]];
      for (let t = 0; t < 300; t++) {
        const [shape, dims] = t < cases.length
          ? cases[t]!
          : (() => { const s = randomShape(r); return [s, s.map((_, d) => d).filter(() => r() < 0.5)] as [number[], number[]]; })();
        const x = layoutView(r, Ctor, shape, { specials: t % 4 === 0 });
        const outShape = shape.map((n, d) => (dims.includes(d) ? 1 : n));
        for (const op of ['sum', 'max', 'min'] as const) {
          if (op !== 'sum' && numel(shape) === 0) continue;
          const out = outView(r, Ctor, outShape);
          const k = shape.reduce((p, n, d) => (dims.includes(d) ? p * n : p), 1);
          const tol = op === 'sum' ? { rtol: Ctor === Float32Array ? 1e-6 : 1e-13, atol: 1e-6 * k } : EXACT;
          agree(out, (kk, o) => kk.reduce(op, x, dims, o), tol, `${op} over [${dims}] of [${shape}] case ${t}`);
        }
      }
    });

    it(`${name}: softmax and log-softmax along every dim, with -Inf lines and NaN`, () => {
      const r = rng(61);
      for (let t = 0; t < 200; t++) {
        const shape = randomShape(r).map((n) => n || 1);
        if (shape.length === 0) shape.push(3);
        const dim = randInt(r, 0, shape.length - 1);
        const x = layoutView(r, Ctor, shape, { specials: t % 3 === 0 });
        if (t % 10 === 1) x.buffer.fill(-Infinity);
        const log = r() < 0.5;
        const out = outView(r, Ctor, shape);
        const tol = Ctor === Float32Array ? { rtol: 2e-6, atol: 1e-7 } : { rtol: 1e-14, atol: 1e-15 };
        agree(out, (k, o) => k.softmax(x, dim, o, log), tol, `${log ? 'log' : ''}softmax dim ${dim} of [${shape}] case ${t}`);
      }
    });
  }
});

/** ulp distance between two float32 values (both finite or equal specials). */
function ulpsF32(a: number, b: number): number {
  if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) return 0;
  const i = new Int32Array(new Float32Array([a, b]).buffer);
  const ord = (v: number) => (v < 0 ? -2147483648 - v : v);
  return Math.abs(ord(i[0]!) - ord(i[1]!));
}

describe.skipIf(skipWithoutAddon)('float32 exp, log, tanh and sigmoid stay within a few ulp of the float64 result', () => {
  const ranges: Record<string, () => Float32Array> = {
    exp: () => Float32Array.from({ length: 200001 }, (_, i) => -110 + (200 * i) / 200000),
    log: () => Float32Array.from({ length: 200001 }, (_, i) => 2 ** (-149 + (277 * i) / 200000)),
    tanh: () => Float32Array.from({ length: 200001 }, (_, i) => -12 + (24 * i) / 200000),
    sigmoid: () => Float32Array.from({ length: 200001 }, (_, i) => -120 + (240 * i) / 200000),
  };
  for (const op of ['exp', 'log', 'tanh', 'sigmoid'] as const) {
    it(`${op}: max error over a wide range, specials exact`, () => {
      const xs = ranges[op]!();
      const specials = Float32Array.from([NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 1e-30, -1e-30, 88.72283, 88.72284, -103.97, -103.98, 3.4e38, -3.4e38]);
      for (const x of [xs, specials]) {
        const shape = [x.length];
        const got = new Float32Array(x.length);
        const want = new Float32Array(x.length);
        native.unary(op, { buffer: x, shape, strides: [1], offset: 0 }, { buffer: got, shape, strides: [1], offset: 0 });
        jsBackend.unary(op, { buffer: x, shape, strides: [1], offset: 0 }, { buffer: want, shape, strides: [1], offset: 0 });
        let worst = 0, at = 0;
        for (let i = 0; i < x.length; i++) {
          const u = ulpsF32(got[i]!, want[i]!);
          if (u > worst) { worst = u; at = i; }
        }
        const limit = x === specials ? 1 : 3;
        expect(worst, `${op}(${x[at]}) = ${got[at]}, float64 gives ${want[at]}`).toBeLessThanOrEqual(limit);
      }
    });
  }
});

describe.skipIf(skipWithoutAddon)('large transcendental ops split over threads', () => {
  it('tanh/sigmoid on 420K elements (chunks start mid-line) match the TS kernel, strided, broadcast and in place', () => {
    const r = rng(71);
    for (const [Ctor, op] of [[Float32Array, 'tanh'], [Float64Array, 'sigmoid'], [Float32Array, 'exp']] as const) {
      const shape = [700, 601];
      // Transposed input (stride 1 on dim 0), a broadcast row, and an in-place contiguous run.
      const base = new Ctor(700 * 601 + 5);
      fillRandom(r, base, true);
      const inputs: View[] = [
        { buffer: base, shape, strides: [1, 700], offset: 3 },
        { buffer: base, shape, strides: [0, 1], offset: 1 },
      ];
      for (const x of inputs) {
        const out = outView(r, Ctor, shape);
        agree(out, (k, o) => k.unary(op, x, o), transcendental(Ctor), `${op} ${x.strides}`);
      }
      const inPlace: View = { buffer: base.slice(), shape, strides: [601, 1], offset: 2 };
      const expected = cloneView(inPlace);
      jsBackend.unary(op, expected, expected);
      native.unary(op, inPlace, inPlace);
      const tol = transcendental(Ctor);
      expectBuffersClose(inPlace.buffer, expected.buffer, tol.rtol, tol.atol, `${op}_ in place`);
    }
  });
});

describe.skipIf(skipWithoutAddon)('native elementwise argument checks', () => {
  const addon = skipWithoutAddon ? null! : rawAddon();
  it('rejects bad metadata, out-of-bounds views, mixed dtypes and unknown op codes with clear errors', () => {
    const x = new Float32Array(6), out = new Float32Array(6);
    const meta = (...v: number[]) => Float64Array.from(v);
    expect(() => addon.unary(0, x, out, meta(1, 6, 1, 0, 1, 1))).toThrow(RangeError); // x reaches element 6
    expect(() => addon.unary(0, x, out, meta(1, 6, 1, 0))).toThrow(/too short/);
    expect(() => addon.unary(0, x, out, meta(1, 6, 1, 0, 1, 0, 9))).toThrow(/trailing/);
    expect(() => addon.unary(99, x, out, meta(1, 6, 1, 0, 1, 0))).toThrow(/op code/);
    expect(() => addon.unary(0, new Float64Array(6), out, meta(1, 6, 1, 0, 1, 0))).toThrow(TypeError);
    expect(() => addon.binary(0, x, new Int32Array(6) as unknown as Float32Array, out, meta(1, 6, 1, 0, 1, 0, 1, 0))).toThrow(TypeError);
    expect(() => addon.reduce(0, x, out, meta(2, 2, 3, 3, 1, 0, 0, 1, 5))).toThrow(/reduced dim/);
    expect(() => addon.softmax(x, out, meta(1, 6, 1, 0, 1, 0, 1), false)).toThrow(/dim/);
    expect(() => addon.fill(out, meta(1, 6, -1, 0), 1)).toThrow(/before the buffer start/);
    // An output (or reduced input) that repeats elements: refused, which also bounds every loop by a buffer length.
    expect(() => addon.unary(0, x, out, meta(1, 2 ** 40, 0, 0, 0, 0))).toThrow(/overlaps itself/);
    expect(() => addon.reduce(0, x, out, meta(1, 2 ** 40, 0, 0, 0, 1, 0))).toThrow(/overlaps itself/);
    expect(() => addon.softmax(x, out, meta(1, 6, 1, 0, 0, 0, 0), false)).toThrow(/overlaps itself/);
  });

  it('the backend declines small tensors, int32 and mixed dtypes (so TS runs them)', () => {
    const kernels = elementwiseKernels(addon);
    const small: View = { buffer: new Float32Array(10), shape: [10], strides: [1], offset: 0 };
    expect(kernels.unary('neg', small, small)).toBe(false);
    expect(kernels.unary('exp', small, small)).toBe(false);
    const mid: View = { buffer: new Float32Array(100), shape: [100], strides: [1], offset: 0 };
    expect(kernels.unary('tanh', mid, mid)).toBeUndefined(); // transcendental ops go native from 64 elements
    expect(kernels.unary('neg', mid, mid)).toBe(false);
    const n = MIN_NATIVE_ELEMENTS;
    const big: View = { buffer: new Float32Array(n), shape: [n], strides: contiguousStrides([n]), offset: 0 };
    const ints: View = { buffer: new Int32Array(n), shape: [n], strides: [1], offset: 0 };
    const f64: View = { buffer: new Float64Array(n), shape: [n], strides: [1], offset: 0 };
    expect(kernels.unary('exp', big, big)).toBeUndefined();
    expect(kernels.unary('exp', ints, ints)).toBe(false);
    expect(kernels.binary('add', big, f64, big)).toBe(false);
    expect(kernels.binary('pow', big, big, big)).toBe(false);
    expect(kernels.unary('gelu', big, big)).toBe(false);
    const expanded: View = { buffer: new Float32Array(1), shape: [n], strides: [0], offset: 0 };
    expect(kernels.reduce('sum', expanded, [0], { buffer: new Float32Array(1), shape: [1], strides: [1], offset: 0 })).toBe(false);
    expect(kernels.fill(expanded, 1)).toBe(false);
    expect(kernels.unary('neg', expanded, big)).toBeUndefined(); // a broadcast input is fine
  });
});
