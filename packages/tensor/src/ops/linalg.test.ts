import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DType } from '../dtype.js';
import { Tensor, arange, bmm, dot, getBackend, matmul, mm, outer, tensor, zeros } from '../index.js';
import { castTo, firstDifference, type Naive, naiveMatmul, readElements } from '../test-utils/naive.js';
import { broadcastPairArb, buildStrided, fcOptions, layoutArb, randomTensor } from '../test-utils/arbitraries.js';

const backend = getBackend().name;

function expectNaive(actual: Tensor, expected: Naive, tol: { rtol?: number; atol?: number } = {}, where = ''): void {
  const diff = firstDifference(readElements(actual), expected, tol);
  if (diff !== null) expect.fail(`${where}: ${diff}`);
}

const cast = (d: DType, n: Naive): Naive => ({ shape: n.shape, data: n.data.map((v) => castTo(d, v)) });

describe(`linalg: values (${backend} backend)`, () => {
  const a = tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float32' });
  const b = tensor([[7, 8], [9, 10], [11, 12]], { dtype: 'float32' });

  it('2-D matmul, mm, and transposed operands through strides', () => {
    expect(matmul(a, b).toArray()).toEqual([[58, 64], [139, 154]]);
    expect(a.mm(b).toArray()).toEqual([[58, 64], [139, 154]]);
    expect(a.matmul(a.T).toArray()).toEqual([[14, 32], [32, 77]]);
    expect(a.T.matmul(a).toArray()).toEqual([[17, 22, 27], [22, 29, 36], [27, 36, 45]]);
    expect(b.T.matmul(a.T).toArray()).toEqual([[58, 139], [64, 154]]);
    expect(a.matmul(b).dtype).toBe('float32');
  });

  it('1-D operands are promoted and the added dim removed, as torch.matmul', () => {
    const v = tensor([1, 0, -1], { dtype: 'float32' });
    expect(matmul(a, v).toArray()).toEqual([-2, -2]);
    expect(matmul(a, v).shape).toEqual([2]);
    expect(matmul(tensor([1, 1], { dtype: 'float32' }), a).toArray()).toEqual([5, 7, 9]);
    expect(matmul(v, v).shape).toEqual([]);
    expect(matmul(v, v).item()).toBe(2);
    expect(dot(v, tensor([3, 4, 5], { dtype: 'float32' })).item()).toBe(-2);
    const batch = arange(12, undefined, 1, { dtype: 'float32' }).view(2, 2, 3);
    expect(matmul(batch, v).toArray()).toEqual([[-2, -2], [-2, -2]]);
    expect(matmul(tensor([1, 2], { dtype: 'float32' }), batch).toArray()).toEqual([[6, 9, 12], [24, 27, 30]]);
  });

  it('batched products broadcast batch dims', () => {
    const x = arange(12, undefined, 1, { dtype: 'float64' }).view(2, 2, 3);
    const w = tensor([[1, 0], [0, 1], [1, 1]], { dtype: 'float64' });
    expect(matmul(x, w).toArray()).toEqual([[[2, 3], [8, 9]], [[14, 15], [20, 21]]]);
    expect(matmul(x, w.expand(2, 3, 2)).toArray()).toEqual(matmul(x, w).toArray());
    expect(bmm(x, w.expand(2, 3, 2)).shape).toEqual([2, 2, 2]);
    const y = zeros(3, 1, 4, 5, { dtype: 'float64' });
    expect(matmul(y, zeros(2, 5, 6, { dtype: 'float64' })).shape).toEqual([3, 2, 4, 6]);
  });

  it('empty dims: K = 0 gives zeros, M or N = 0 gives empty results', () => {
    expect(matmul(zeros(2, 0), zeros(0, 3)).toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(matmul(zeros(0, 4), zeros(4, 3)).shape).toEqual([0, 3]);
    expect(matmul(zeros(2, 4), zeros(4, 0)).shape).toEqual([2, 0]);
    expect(matmul(zeros(0), zeros(0)).item()).toBe(0);
    expect(matmul(zeros(0, 2, 3), zeros(3, 1)).shape).toEqual([0, 2, 1]);
  });

  it('integer matmul stays int32', () => {
    const r = matmul(tensor([[1, 2], [3, 4]]), tensor([[5, 6], [7, 8]]));
    expect(r.dtype).toBe('int32');
    expect(r.toArray()).toEqual([[19, 22], [43, 50]]);
  });

  it('outer product', () => {
    expect(outer(tensor([1, 2]), tensor([3, 4, 5])).toArray()).toEqual([[3, 4, 5], [6, 8, 10]]);
    expect(tensor([1.5]).outer(tensor([2, 4])).toArray()).toEqual([[3, 6]]);
  });

  it('float32 products are float32-rounded', () => {
    const x = tensor([[0.1, 0.2]]);
    const y = tensor([[0.3], [0.4]]);
    const f = Math.fround;
    const exact = f(0.1) * f(0.3) + f(0.2) * f(0.4);
    expect(x.matmul(y).item()).toBe(f(exact));
  });

  it('does not write into its inputs', () => {
    const x = arange(6, undefined, 1, { dtype: 'float32' }).view(2, 3);
    const before = Array.from(x.storage.data);
    x.matmul(x.T);
    x.T.matmul(x);
    expect(Array.from(x.storage.data)).toEqual(before);
  });
});

describe(`linalg: errors (${backend} backend)`, () => {
  it('names both shapes when the inner dims differ', () => {
    expect(() => matmul(zeros(2, 3), zeros(4, 5))).toThrow(RangeError);
    expect(() => matmul(zeros(2, 3), zeros(4, 5))).toThrow('matmul: shapes [2, 3] and [4, 5] cannot be multiplied (2x3 and 4x5)');
    expect(() => matmul(zeros(3), zeros(4))).toThrow(/shapes \[3\] and \[4\]/);
    expect(() => matmul(zeros(2, 2, 3), zeros(3, 3, 1))).toThrow(/shapes \[2\] and \[3\] cannot be broadcast together/);
  });

  it('refuses 0-d operands, mixed dtypes and bool', () => {
    expect(() => matmul(tensor(2.5), zeros(2))).toThrow('matmul: both arguments need at least 1 dimension, got shapes [] and [2]');
    expect(() => matmul(zeros(2, 2), zeros(2, 2, { dtype: 'float64' }))).toThrow(TypeError);
    expect(() => matmul(zeros(2, 2), zeros(2, 2, { dtype: 'float64' }))).toThrow('matmul: expected both tensors to have the same dtype, got float32 and float64');
    expect(() => matmul(zeros(2, 2, { dtype: 'bool' }), zeros(2, 2, { dtype: 'bool' }))).toThrow(/bool tensors are not supported/);
    expect(() => matmul([[1]] as never, zeros(1, 1))).toThrow(/matmul: input must be a Tensor/);
  });

  it('mm, bmm, dot and outer check their ranks', () => {
    expect(() => mm(zeros(2, 2, 2), zeros(2, 2))).toThrow('mm: input must be 2-D, got shape [2, 2, 2]');
    expect(() => mm(zeros(2, 2), zeros(2))).toThrow('mm: mat2 must be 2-D, got shape [2]');
    expect(() => bmm(zeros(2, 2), zeros(2, 2, 2))).toThrow(/bmm: input must be 3-D/);
    expect(() => bmm(zeros(2, 2, 3), zeros(3, 3, 2))).toThrow('bmm: batch sizes differ: shapes [2, 2, 3] and [3, 3, 2]');
    expect(() => dot(zeros(2), zeros(3))).toThrow('dot: inconsistent sizes 2 and 3');
    expect(() => dot(zeros(2, 1), zeros(2))).toThrow(/dot: input must be 1-D/);
    expect(() => outer(zeros(2, 1), zeros(2))).toThrow(/outer: input must be 1-D/);
  });
});

describe(`linalg: property tests against a naive triple loop (${backend} backend)`, () => {
  it('random shapes, strided/transposed/expanded operands, broadcast batch dims, 1-D operands', () => {
    const arb = broadcastPairArb({ maxDims: 2, maxSize: 3 }).chain(([ba, bb]) =>
      fc.record({
        ba: fc.constant(ba), bb: fc.constant(bb),
        M: fc.integer({ min: 0, max: 7 }), K: fc.integer({ min: 0, max: 9 }), N: fc.integer({ min: 0, max: 7 }),
        vecA: fc.boolean(), vecB: fc.boolean(),
        dtype: fc.constantFrom<DType>('float32', 'float64', 'int32'),
        ra: layoutArb(ba.length + 2), rb: layoutArb(bb.length + 2), seed: fc.integer(),
      }),
    );
    fc.assert(
      fc.property(arb, ({ ba, bb, M, K, N, vecA, vecB, dtype, ra, rb, seed }) => {
        const sa = vecA ? [K] : [...ba, M, K];
        const sb = vecB ? [K] : [...bb, K, N];
        const a = buildStrided(sa, dtype, ra, seed, { kind: 'grid' });
        const b = buildStrided(sb, dtype, rb, seed + 1, { kind: 'grid' });
        const out = matmul(a.t, b.t);
        const ref = cast(dtype, naiveMatmul(a.expected, b.expected));
        expect(out.dtype).toBe(dtype);
        expect(out.shape).toEqual(ref.shape);
        // grid values (multiples of 1/8) make every partial sum exact, so the comparison is exact
        expectNaive(out, ref, {}, `[${sa}] @ [${sb}] ${dtype}`);
      }),
      fcOptions(400),
    );
  });

  it('sizes that cross every blocking boundary of the kernel (70x300x9, N > 512, ragged tiles)', () => {
    const cases: [number, number, number][] = [[70, 300, 9], [5, 257, 530], [65, 3, 7], [1, 600, 1], [130, 513, 6], [3, 1, 517]];
    for (const [M, K, N] of cases) {
      for (const transpose of [false, true]) {
        const a0 = randomTensor(transpose ? [K, M] : [M, K], 'float64', M * 7 + K, 'grid');
        const b0 = randomTensor(transpose ? [N, K] : [K, N], 'float64', N * 13 + K, 'grid');
        const a = transpose ? a0.t.T : a0.t;
        const b = transpose ? b0.t.T : b0.t;
        const ref = naiveMatmul(readElements(a), readElements(b));
        expectNaive(matmul(a, b), ref, {}, `${M}x${K}x${N}${transpose ? ' transposed' : ''}`);
      }
    }
  });

  it('float32 with real-valued data stays within float32 rounding of the exact product', () => {
    for (const [M, K, N] of [[70, 300, 9], [8, 520, 4]] as const) {
      const a = randomTensor([M, K], 'float32', 1, 'real');
      const b = randomTensor([K, N], 'float32', 2, 'real');
      const exact = naiveMatmul(a.expected, b.expected);
      const got = readElements(matmul(a.t, b.t));
      // error bound: a few float32 ulps of the sum of |a||b|
      const absA = { shape: a.expected.shape, data: a.expected.data.map(Math.abs) };
      const absB = { shape: b.expected.shape, data: b.expected.data.map(Math.abs) };
      const scale = naiveMatmul(absA, absB);
      got.data.forEach((v, i) => {
        expect(Math.abs(v - exact.data[i]!)).toBeLessThanOrEqual(4 * 2 ** -24 * scale.data[i]! + 1e-30);
        expect(v).toBe(Math.fround(v));
      });
    }
  });

  it('bmm and dot agree with the triple loop on strided batches', () => {
    const x = randomTensor([4, 3, 5], 'float64', 3).t.transpose(1, 2); // [4, 5, 3], strided
    const y = randomTensor([3, 4, 2], 'float64', 4).t.permute(1, 0, 2); // [4, 3, 2], strided
    expectNaive(bmm(x, y), naiveMatmul(readElements(x), readElements(y)), {}, 'bmm');
    const u = randomTensor([10], 'float64', 5).t.slice(0, 0, 10, 2);
    const v = randomTensor([5, 2], 'float64', 6).t.select(1, 1);
    expectNaive(dot(u, v), naiveMatmul(readElements(u), readElements(v)), {}, 'dot');
  });
});
