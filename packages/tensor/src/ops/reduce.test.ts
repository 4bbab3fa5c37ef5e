import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DType } from '../dtype.js';
import {
  Tensor, all, amax, amin, any, argmax, argmin, arange, cumsum, getBackend, logSoftmax, logsumexp, max, mean, min, norm, prod,
  softmax, std, sum, tensor, variance, zeros,
} from '../index.js';
import { castTo, firstDifference, type Naive, naiveAlongDim, naiveReduce, readElements } from '../test-utils/naive.js';
import { buildStrided, dtypeArb, fcOptions, floatDtypeArb, layoutArb, shapeArb, type ValueKind } from '../test-utils/arbitraries.js';

const backend = getBackend().name;

function expectNaive(actual: Tensor, expected: Naive, tol: { rtol?: number; atol?: number } = {}, where = ''): void {
  const diff = firstDifference(readElements(actual), expected, tol);
  if (diff !== null) expect.fail(`${where}: ${diff}`);
}

const tolOf = (d: DType) => (d === 'float32' ? { rtol: 1e-5, atol: 1e-6 } : { rtol: 1e-12, atol: 1e-12 });

describe(`reductions: values (${backend} backend)`, () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float32' });

  it('sum over everything, one dim, several dims, with keepdim and negative dims', () => {
    expect(x.sum().item()).toBe(21);
    expect(x.sum().shape).toEqual([]);
    expect(x.sum(0).toArray()).toEqual([5, 7, 9]);
    expect(x.sum(-1).toArray()).toEqual([6, 15]);
    expect(x.sum(1, true).toArray()).toEqual([[6], [15]]);
    expect(x.sum([0, 1]).item()).toBe(21);
    expect(x.sum([-1, 0], true).shape).toEqual([1, 1]);
    expect(sum(tensor([true, true, false])).item()).toBe(2);
    expect(sum(tensor([true, true, false])).dtype).toBe('int32');
    expect(tensor([1, 2]).sum().dtype).toBe('int32');
    expect(zeros(0, 3).sum(0).toArray()).toEqual([0, 0, 0]);
    expect(zeros(2, 0).sum(1).toArray()).toEqual([0, 0]);
    expect(tensor(4.5).sum().item()).toBe(4.5);
  });

  it('float32 sums are accumulated in double and rounded once', () => {
    const n = 1 << 20;
    const ones = Tensor.empty([n], 'float32');
    ones.fill_(0.1);
    // A naive float32 loop would drift far from n * float32(0.1).
    expect(ones.sum().item()).toBe(Math.fround(n * Math.fround(0.1)));
    expect(tensor([1e8, 1, -1e8]).sum().item()).toBe(1);
  });

  it('prod, mean, amax, amin', () => {
    expect(x.prod().item()).toBe(720);
    expect(x.prod(1).toArray()).toEqual([6, 120]);
    expect(x.prod(0, true).toArray()).toEqual([[4, 10, 18]]);
    expect(zeros(0).prod().item()).toBe(1);
    expect(tensor([65536, 65536]).prod().item()).toBe(0); // int32 wraps around
    expect(tensor([-3, 5, 7]).prod().item()).toBe(-105);
    expect(x.mean().item()).toBe(3.5);
    expect(x.mean(0).toArray()).toEqual([2.5, 3.5, 4.5]);
    expect(x.mean([0, 1], true).toArray()).toEqual([[3.5]]);
    expect(zeros(0).mean().item()).toBeNaN();
    expect(x.amax().item()).toBe(6);
    expect(x.amax(0).toArray()).toEqual([4, 5, 6]);
    expect(x.amin(-1, true).toArray()).toEqual([[1], [4]]);
    expect(amax(tensor([1, NaN, 3])).item()).toBeNaN();
    expect(amin(tensor([[1, 2], [NaN, 0]]), 1).toArray()).toEqual([1, NaN]);
    expect(tensor([true, false]).amax().item()).toBe(true);
    expect(amax(zeros(0, 3), 1).shape).toEqual([0]);
  });

  it('max(dim)/min(dim) return values and first-occurrence int32 indices', () => {
    const t = tensor([[3, 7, 7], [9, 1, 9], [2, 2, 2]]);
    const r = max(t, 1);
    expect(r.values.toArray()).toEqual([7, 9, 2]);
    expect(r.indices.toArray()).toEqual([1, 0, 0]);
    expect(r.indices.dtype).toBe('int32');
    const k = t.min(0, true);
    expect(k.values.toArray()).toEqual([[2, 1, 2]]);
    expect(k.indices.toArray()).toEqual([[2, 1, 2]]);
    expect(t.max().item()).toBe(9);
    expect(t.min().item()).toBe(1);
    // the identity of max/min must survive int32 and bool accumulators (±Infinity would become 0)
    expect(tensor([-5, -3]).max().item()).toBe(-3);
    expect(tensor([[5, 3], [7, 9]]).amin(1).toArray()).toEqual([3, 7]);
    expect(tensor([true, true]).amin().item()).toBe(true);
    expect(tensor([2147483647, -2147483648]).amax().item()).toBe(2147483647);
    expect(max(tensor([1, NaN, 5, NaN]), 0).indices.item()).toBe(1);
    expect(min(tensor([[5], [NaN]]), 0).values.toArray()).toEqual([NaN]);
    const s = max(tensor(4), 0);
    expect(s.values.item()).toBe(4);
    expect(s.indices.item()).toBe(0);
    expect(max(t.T, -1).indices.toArray()).toEqual([1, 0, 1]);
  });

  it('argmax/argmin over the flattened tensor or a dim', () => {
    const t = tensor([[3, 7, 7], [9, 1, 9]]);
    expect(argmax(t).item()).toBe(3);
    expect(argmin(t).item()).toBe(4);
    expect(t.argmax(1).toArray()).toEqual([1, 0]);
    expect(t.argmin(0, true).toArray()).toEqual([[0, 1, 0]]);
    expect(argmax(t.T).item()).toBe(1);
    expect(argmax(tensor(2.5)).item()).toBe(0);
  });

  it('var and std with Bessel correction by default', () => {
    const v = tensor([1, 2, 3, 4], { dtype: 'float64' });
    expect(v.var().item()).toBeCloseTo(5 / 3, 14);
    expect(variance(v, undefined, { correction: 0 }).item()).toBeCloseTo(1.25, 14);
    expect(v.std().item()).toBeCloseTo(Math.sqrt(5 / 3), 14);
    expect(std(x, 1).toArray()).toEqual([1, 1]);
    expect(x.var(0, { keepdim: true }).toArray()).toEqual([[4.5, 4.5, 4.5]]);
    expect(tensor([5.5]).var().item()).toBeNaN();
    expect(tensor([5.5]).var(undefined, { correction: 0 }).item()).toBe(0);
  });

  it('logsumexp is stable for large values and handles -inf', () => {
    const big = tensor([1000, 1000], { dtype: 'float64' });
    expect(big.logsumexp(0).item()).toBeCloseTo(1000 + Math.log(2), 12);
    expect(logsumexp(tensor([-1000, -1000], { dtype: 'float64' }), 0).item()).toBeCloseTo(-1000 + Math.log(2), 12);
    const l = logsumexp(tensor([[0, 0], [1, 2]], { dtype: 'float64' }), 1).toArray() as number[];
    expect(l[0]).toBeCloseTo(Math.log(2), 15);
    expect(l[1]).toBeCloseTo(Math.log(Math.E + Math.E ** 2), 14);
    expect(logsumexp(tensor([-Infinity, -Infinity]), 0).item()).toBe(-Infinity);
    expect(logsumexp(tensor([Infinity, 1]), 0).item()).toBe(Infinity);
    expect(logsumexp(zeros(1, 2), [0, 1], true).toArray()).toEqual([[Math.fround(Math.log(2))]]);
    expect(logsumexp(zeros(2, 0), 1).toArray()).toEqual([-Infinity, -Infinity]);
  });

  it('norm for p = 2, 1, inf, -inf, 0 and fractional p', () => {
    const v = tensor([3, -4, 0], { dtype: 'float64' });
    expect(v.norm().item()).toBe(5);
    expect(norm(v, 1).item()).toBe(7);
    expect(norm(v, Infinity).item()).toBe(4);
    expect(norm(v, -Infinity).item()).toBe(0);
    expect(norm(v, 0).item()).toBe(2);
    expect(norm(v, 3).item()).toBeCloseTo(Math.cbrt(27 + 64), 13);
    const m = tensor([[3, 4], [6, 8]], { dtype: 'float32' });
    expect(norm(m, 2, 1).toArray()).toEqual([5, 10]);
    expect(norm(m, 2, 0, true).shape).toEqual([1, 2]);
    expect(() => norm(m, NaN)).toThrow(/norm: p must be a number/);
  });

  it('all/any', () => {
    const b = tensor([[true, false], [true, true]]);
    expect(all(b).item()).toBe(false);
    expect(any(b).item()).toBe(true);
    expect(b.all(1).toArray()).toEqual([false, true]);
    expect(b.any(0, true).toArray()).toEqual([[true, true]]);
    expect(all(tensor([1, 2, 0.5])).item()).toBe(true);
    expect(any(tensor([0, 0])).item()).toBe(false);
    expect(all(zeros(0)).item()).toBe(true);
    expect(any(zeros(0)).item()).toBe(false);
    expect(all(tensor([NaN])).item()).toBe(true);
  });

  it('cumsum along a dim', () => {
    expect(cumsum(x, 1).toArray()).toEqual([[1, 3, 6], [4, 9, 15]]);
    expect(x.cumsum(0).toArray()).toEqual([[1, 2, 3], [5, 7, 9]]);
    expect(x.cumsum(-1).toArray()).toEqual([[1, 3, 6], [4, 9, 15]]);
    expect(tensor([true, true, false]).cumsum(0).toArray()).toEqual([1, 2, 2]);
    expect(tensor([true]).cumsum(0).dtype).toBe('int32');
    expect(tensor(3.5).cumsum(0).item()).toBe(3.5);
    expect(x.T.cumsum(1).toArray()).toEqual([[1, 5], [2, 7], [3, 9]]);
  });

  it('softmax and logSoftmax are numerically stable', () => {
    const s = softmax(tensor([[1000, 1000], [0, Math.log(3)]], { dtype: 'float64' }), 1).toArray() as number[][];
    expect(s[0]).toEqual([0.5, 0.5]);
    expect(s[1]![0]).toBeCloseTo(0.25, 15);
    expect(s[1]![1]).toBeCloseTo(0.75, 15);
    const l = logSoftmax(tensor([-1000, 0], { dtype: 'float64' }), 0).toArray() as number[];
    expect(l[0]).toBeCloseTo(-1000, 10);
    expect(l[1]).toBe(0);
    expect(softmax(tensor([-Infinity, 0]), 0).toArray()).toEqual([0, 1]);
    expect(softmax(tensor([-Infinity, -Infinity]), 0).toArray()).toEqual([NaN, NaN]);
    expect(softmax(tensor([NaN, 1]), 0).toArray()).toEqual([NaN, NaN]);
    expect(softmax(tensor(3.5), 0).item()).toBe(1);
    expect(logSoftmax(tensor(3.5), 0).item()).toBe(0);
    expect(tensor([[1, 2], [3, 4]], { dtype: 'float32' }).softmax(0).toArray()).toEqual([
      [Math.fround(1 / (1 + Math.E ** 2)), Math.fround(1 / (1 + Math.E ** 2))],
      [Math.fround(1 / (1 + Math.E ** -2)), Math.fround(1 / (1 + Math.E ** -2))],
    ]);
  });
});

describe(`reductions: errors (${backend} backend)`, () => {
  it('bad dims name the dim and the rank', () => {
    expect(() => zeros(2, 3).sum(2)).toThrow(RangeError);
    expect(() => zeros(2, 3).sum(2)).toThrow('dim 2 is out of range for a tensor with 2 dimensions (expected in [-2, 1])');
    expect(() => zeros(2, 3).sum([0, -2])).toThrow(/appears multiple times/);
    expect(() => zeros(2, 3).softmax(-3)).toThrow(/dim -3 is out of range/);
    expect(() => zeros(2, 3).max(1.5)).toThrow(TypeError);
  });

  it('max/min of nothing have no identity', () => {
    expect(() => zeros(0).max()).toThrow(RangeError);
    expect(() => zeros(0).max()).toThrow('max(): cannot reduce over dimension 0 of size 0 (shape [0]): the operation has no identity');
    expect(() => zeros(2, 0).amin(1)).toThrow(/dimension 1 of size 0 \(shape \[2, 0\]\)/);
    expect(() => zeros(2, 0).max(1)).toThrow('max(dim=1): cannot reduce over a dimension of size 0 (shape [2, 0])');
    expect(() => argmax(zeros(0))).toThrow(RangeError);
  });

  it('float-only reductions refuse integer tensors, naming the dtype', () => {
    expect(() => tensor([1, 2]).mean()).toThrow(TypeError);
    expect(() => tensor([1, 2]).mean()).toThrow('mean expects a floating point tensor, got int32');
    expect(() => tensor([1, 2]).var()).toThrow(/var expects a floating point tensor/);
    expect(() => tensor([1, 2]).softmax(0)).toThrow(/softmax expects a floating point tensor, got int32/);
    expect(() => tensor([true]).logSoftmax(0)).toThrow(/got bool/);
    expect(() => tensor([1]).norm()).toThrow(TypeError);
    expect(() => sum([1, 2] as never)).toThrow(/sum must be a Tensor, got an array/);
  });
});

// ---- property tests --------------------------------------------------------------------------

const dimsArb = (ndim: number) => fc.subarray(Array.from({ length: ndim }, (_, i) => i)).chain((ds) =>
  fc.tuple(fc.constant(ds), fc.array(fc.boolean(), { minLength: ds.length, maxLength: ds.length })).map(([d, neg]) => d.map((v, i) => (neg[i] ? v - ndim : v))));

const normDims = (dims: readonly number[], ndim: number) => dims.map((d) => (d < 0 ? d + ndim : d));

describe(`reductions: property tests against a naive reference (${backend} backend)`, () => {
  const caseArb = (kinds: ValueKind[], dtypes = dtypeArb) => shapeArb().chain((shape) =>
    fc.record({
      shape: fc.constant(shape), dtype: dtypes, recipe: layoutArb(shape.length), seed: fc.integer(),
      dims: dimsArb(shape.length), keepdim: fc.boolean(), kind: fc.constantFrom(...kinds),
      all: fc.boolean(),
    }));

  it('sum, prod, amax, amin, all, any over random dims of random strided views', () => {
    fc.assert(
      fc.property(caseArb(['grid', 'small', 'special']), fc.constantFrom('sum', 'prod', 'amax', 'amin', 'all', 'any'), (c, op) => {
        const { t, expected } = buildStrided(c.shape, c.dtype, c.recipe, c.seed, { kind: op === 'prod' ? 'small' : c.kind });
        const dims = normDims(c.dims, c.shape.length);
        const useAll = c.all || op === 'prod' || op === 'all' || op === 'any';
        // prod/all/any take one dim (or none); the others a list
        const oneDim = c.dims.length > 0 ? c.dims[0]! : undefined;
        const rdims = useAll ? (oneDim === undefined ? c.shape.map((_, i) => i) : [normDims([oneDim], c.shape.length)[0]!]) : dims;
        const where = `${op} ${c.dtype}[${c.shape}] dims ${JSON.stringify(useAll ? oneDim : c.dims)} keepdim ${c.keepdim}`;
        const emptyReduce = rdims.some((d) => c.shape[d] === 0);
        let out: Tensor;
        const arg = useAll ? oneDim : c.dims;
        const keep = useAll && oneDim === undefined ? false : c.keepdim;
        const call = () => {
          switch (op) {
            case 'sum': return sum(t, arg, keep);
            case 'prod': return prod(t, oneDim, keep);
            case 'amax': return amax(t, arg, keep);
            case 'amin': return amin(t, arg, keep);
            case 'all': return all(t, oneDim, keep);
            default: return any(t, oneDim, keep);
          }
        };
        if ((op === 'amax' || op === 'amin') && emptyReduce) { expect(call).toThrow(RangeError); return; }
        out = call();
        const intLike = c.dtype === 'int32' || c.dtype === 'bool';
        const outType: DType = op === 'all' || op === 'any' ? 'bool' : (op === 'sum' || op === 'prod') && intLike ? 'int32' : c.dtype;
        expect(out.dtype, where).toBe(outType);
        let ref: Naive;
        switch (op) {
          case 'sum': ref = naiveReduce(expected, rdims, keep, 0, (a, x) => a + x); break;
          case 'prod': ref = naiveReduce(expected, rdims, keep, 1, (a, x) => (outType === 'int32' ? Math.imul(a, x) : a * x)); break;
          case 'amax': ref = naiveReduce(expected, rdims, keep, -Infinity, (a, x) => (Number.isNaN(a) || Number.isNaN(x) ? NaN : Math.max(a, x))); break;
          case 'amin': ref = naiveReduce(expected, rdims, keep, Infinity, (a, x) => (Number.isNaN(a) || Number.isNaN(x) ? NaN : Math.min(a, x))); break;
          case 'all': ref = naiveReduce(expected, rdims, keep, 1, (a, x) => (a !== 0 && x !== 0 ? 1 : 0)); break;
          default: ref = naiveReduce(expected, rdims, keep, 0, (a, x) => (a !== 0 || x !== 0 ? 1 : 0));
        }
        ref = { shape: ref.shape, data: ref.data.map((v) => castTo(outType, v)) };
        // grid values make sums exact; products of halves are exact too except in float32 overflow
        expectNaive(out, ref, op === 'prod' ? { rtol: 1e-6 } : {}, where);
      }),
      fcOptions(500),
    );
  });

  it('mean, var, std, logsumexp and norm over random dims', () => {
    fc.assert(
      fc.property(caseArb(['grid', 'real'], floatDtypeArb), fc.constantFrom('mean', 'var', 'std', 'logsumexp', 'norm2', 'norm1', 'norm3'), fc.integer({ min: 0, max: 2 }), (c, op, correction) => {
        const { t, expected } = buildStrided(c.shape, c.dtype, c.recipe, c.seed, { kind: c.kind });
        const dims = c.all ? c.shape.map((_, i) => i) : normDims(c.dims, c.shape.length);
        const arg = c.all ? undefined : c.dims;
        const keep = c.keepdim;
        const count = dims.reduce((n, d) => n * c.shape[d]!, 1);
        const sumOf = (f: (x: number) => number, src: Naive = expected) => naiveReduce({ shape: src.shape, data: src.data.map(f) }, dims, keep, 0, (a, x) => a + x);
        let out: Tensor;
        let ref: Naive;
        switch (op) {
          case 'mean': {
            out = mean(t, arg, keep);
            ref = sumOf((x) => x);
            ref.data = ref.data.map((s) => s / count);
            break;
          }
          case 'var': case 'std': {
            out = op === 'var' ? variance(t, arg, { correction, keepdim: keep }) : std(t, arg, { correction, keepdim: keep });
            const means = naiveReduce(expected, dims, true, 0, (a, x) => a + x);
            // second pass: squared deviations from each slot's mean
            const dev: number[] = [];
            expected.data.forEach((x, flat) => {
              let r = flat, o = 0, mul = 1;
              for (let d = c.shape.length - 1; d >= 0; d--) {
                const i = r % c.shape[d]!; r = Math.floor(r / c.shape[d]!);
                if (!dims.includes(d)) { o += i * mul; mul *= c.shape[d]!; }
              }
              const m = means.data[o]! / count;
              dev.push((x - m) ** 2);
            });
            ref = sumOf((x) => x, { shape: c.shape, data: dev });
            ref.data = ref.data.map((s) => s / Math.max(count - correction, 0)).map((v) => (op === 'std' ? Math.sqrt(v) : v));
            break;
          }
          case 'logsumexp': {
            out = logsumexp(t, c.all ? c.shape.map((_, i) => i) : c.dims, keep);
            ref = sumOf(Math.exp);
            ref.data = ref.data.map(Math.log);
            break;
          }
          default: {
            const p = op === 'norm1' ? 1 : op === 'norm2' ? 2 : 3;
            out = norm(t, p, arg, keep);
            ref = sumOf((x) => Math.abs(x) ** p);
            ref.data = ref.data.map((s) => s ** (1 / p));
          }
        }
        expect(out.dtype).toBe(c.dtype);
        const where = `${op} ${c.dtype}[${c.shape}] dims ${JSON.stringify(arg)} keepdim ${keep}`;
        expectNaive(out, { shape: ref.shape, data: ref.data.map((v) => castTo(c.dtype, v)) }, tolOf(c.dtype), where);
      }),
      fcOptions(400),
    );
  });

  it('max/min(dim), argmax/argmin and cumsum along one dim', () => {
    const arb = shapeArb({ minDims: 1 }).chain((shape) =>
      fc.record({ shape: fc.constant(shape), dtype: dtypeArb, recipe: layoutArb(shape.length), seed: fc.integer(), dim: fc.integer({ min: -shape.length, max: shape.length - 1 }), keepdim: fc.boolean(), kind: fc.constantFrom<ValueKind>('small', 'special') }));
    fc.assert(
      fc.property(arb, ({ shape, dtype, recipe, seed, dim, keepdim, kind }) => {
        const { t, expected } = buildStrided(shape, dtype, recipe, seed, { kind });
        const d = dim < 0 ? dim + shape.length : dim;
        const where = `${dtype}[${shape}] dim ${dim}`;
        const cs = cumsum(t, dim);
        const csType: DType = dtype === 'float32' || dtype === 'float64' ? dtype : 'int32';
        expect(cs.dtype).toBe(csType);
        expectNaive(cs, naiveAlongDim(expected, d, (line) => { let s = 0; return line.map((v) => castTo(csType, (s += v))); }), {}, `cumsum ${where}`);
        if (shape[d] === 0) { expect(() => max(t, dim)).toThrow(RangeError); return; }
        for (const op of ['max', 'min'] as const) {
          const r = op === 'max' ? max(t, dim, keepdim) : min(t, dim, keepdim);
          // first occurrence of the extreme; NaN counts as the extreme
          const pick = (line: number[]) => {
            let bi = 0;
            for (let i = 0; i < line.length; i++) {
              if (Number.isNaN(line[i]!)) { bi = i; break; }
              if (op === 'max' ? line[i]! > line[bi]! : line[i]! < line[bi]!) bi = i;
            }
            return bi;
          };
          const keptShape = shape.map((s, i) => (i === d ? 1 : s));
          const values: number[] = [];
          const indices: number[] = [];
          naiveAlongDim(expected, d, (line) => { const bi = pick(line); values.push(line[bi]!); indices.push(bi); return line; });
          // naiveAlongDim visits lines in row-major order of the kept shape
          const finalShape = keepdim ? keptShape : shape.filter((_, i) => i !== d);
          expectNaive(r.values, { shape: finalShape, data: values }, {}, `${op}(dim) values ${where}`);
          expectNaive(r.indices, { shape: finalShape, data: indices }, {}, `${op}(dim) indices ${where}`);
          expect(r.indices.dtype).toBe('int32');
          const am = op === 'max' ? argmax(t, dim, keepdim) : argmin(t, dim, keepdim);
          expectNaive(am, { shape: finalShape, data: indices }, {}, `arg${op} ${where}`);
        }
      }),
      fcOptions(400),
    );
  });

  it('softmax and logSoftmax along a dim match exp(x)/sum(exp(x))', () => {
    const arb = shapeArb({ minDims: 1 }).chain((shape) =>
      fc.record({ shape: fc.constant(shape), dtype: floatDtypeArb, recipe: layoutArb(shape.length), seed: fc.integer(), dim: fc.integer({ min: -shape.length, max: shape.length - 1 }), shift: fc.constantFrom(0, 500, -500) }));
    fc.assert(
      fc.property(arb, ({ shape, dtype, recipe, seed, dim, shift }) => {
        const { t, expected } = buildStrided(shape, dtype, recipe, seed, { kind: 'real' });
        const shifted = t.add(shift);
        const d = dim < 0 ? dim + shape.length : dim;
        const base = expected.data.map((v) => castTo(dtype, v + shift));
        const src = { shape, data: base };
        // The reference subtracts the true max: exp(x - m) never overflows, the same math as the kernel's
        // but written independently per line.
        const sm = naiveAlongDim(src, d, (line) => {
          const m = Math.max(...line);
          const e = line.map((v) => Math.exp(v - m));
          const s = e.reduce((a, b) => a + b, 0);
          return e.map((v) => castTo(dtype, v / s));
        });
        const lsm = naiveAlongDim(src, d, (line) => {
          const m = Math.max(...line);
          const s = line.reduce((a, v) => a + Math.exp(v - m), 0);
          return line.map((v) => castTo(dtype, v - m - Math.log(s)));
        });
        expectNaive(softmax(shifted, dim), sm, tolOf(dtype), `softmax ${dtype}[${shape}] dim ${dim}`);
        expectNaive(logSoftmax(shifted, dim), lsm, dtype === 'float32' ? { rtol: 1e-6, atol: 1e-4 } : { rtol: 1e-12, atol: 1e-10 }, `logSoftmax ${dtype}[${shape}] dim ${dim}`);
        // rows of softmax sum to one
        if (shape[d]! > 0) {
          const sums = readElements(sum(softmax(shifted, dim), dim));
          for (const s of sums.data) expect(Math.abs(s - 1)).toBeLessThan(dtype === 'float32' ? 1e-5 : 1e-12);
        }
      }),
      fcOptions(300),
    );
  });

  it('reductions never write into their input', () => {
    const x = arange(24, undefined, 1, { dtype: 'float32' }).view(2, 3, 4).transpose(0, 2);
    const before = Array.from(x.storage.data);
    x.sum(1); x.amax([0, 2]); x.softmax(0); x.cumsum(2); x.max(1); x.logsumexp(1); x.var(0); x.norm();
    expect(Array.from(x.storage.data)).toEqual(before);
  });
});
