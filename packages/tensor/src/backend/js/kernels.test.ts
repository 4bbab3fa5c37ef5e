import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Tensor, getBackend } from '../../index.js';
import { collapseDims, compileLoop } from './strided-loop.js';
import { roundHalfEven } from './elementwise.js';
import { buildStrided, fcOptions, layoutArb, shapeArb } from '../../test-utils/arbitraries.js';
import { forEachIndex, lcg, ravel, readElements, size } from '../../test-utils/naive.js';

const backend = getBackend();

describe('strided loops', () => {
  it('collapseDims merges dims contiguous in every operand and drops size-1 dims', () => {
    expect(collapseDims([2, 3, 4], [[12, 4, 1], [12, 4, 1]])).toEqual({ shape: [24], strides: [[1], [1]] });
    // the second operand is transposed in its last two dims: only the first dim can stay apart
    expect(collapseDims([2, 3, 4], [[12, 4, 1], [12, 1, 3]])).toEqual({ shape: [2, 3, 4], strides: [[12, 4, 1], [12, 1, 3]] });
    // a broadcast (stride 0) leading dim merges with nothing that moves
    expect(collapseDims([5, 2, 3], [[6, 3, 1], [0, 3, 1]])).toEqual({ shape: [5, 6], strides: [[6, 1], [0, 1]] });
    expect(collapseDims([1, 1], [[1, 1]])).toEqual({ shape: [], strides: [[]] });
    expect(collapseDims([3, 1, 2], [[2, 99, 1]])).toEqual({ shape: [6], strides: [[1]] });
  });

  it('compiled loops visit every element of any layout exactly once', () => {
    const count = compileLoop(1, 'acc + 1', { accumulate: true });
    fc.assert(
      fc.property(shapeArb({ maxDims: 4 }).chain((s) => fc.tuple(fc.constant(s), layoutArb(s.length), fc.integer())), ([shape, recipe, seed]) => {
        const { t, basePositions } = buildStrided(shape, 'float64', recipe, seed, { allowExpand: false });
        // accumulate into the tensor's own storage: each visited position gets +1
        const buf = new Float64Array(t.storage.data.length);
        count({ buffer: buf, shape: t.shape, strides: t.strides, offset: t.offset }, [t]);
        const expected = new Float64Array(buf.length);
        for (const p of basePositions) expected[p]! += 1;
        expect(Array.from(buf)).toEqual(Array.from(expected));
      }),
      fcOptions(200),
    );
  });

  it('roundHalfEven', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 3.49, -3.51].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, 3, -4]);
  });
});

/** Random int32 indices in [-size, size) (negative indices count from the end). */
function randomIndex(shape: number[], size: number, seed: number): Tensor {
  const t = Tensor.empty(shape, 'int32');
  const rnd = lcg(seed);
  for (let i = 0; i < t.storage.data.length; i++) t.storage.data[i] = Math.floor(rnd() * 2 * size) - size;
  return t;
}

const wrap = (i: number, n: number) => (i < 0 ? i + n : i);

describe(`indexing kernels (${backend.name} backend)`, () => {
  const arb = shapeArb({ minDims: 1, maxDims: 3 }).chain((shape) =>
    fc.record({ shape: fc.constant(shape.map((d) => Math.max(d, 1))), recipe: layoutArb(shape.length), seed: fc.integer(), dim: fc.integer({ min: 0, max: shape.length - 1 }), len: fc.integer({ min: 0, max: 4 }) }));

  it('gather and scatter (write and accumulate) along a dim', () => {
    fc.assert(
      fc.property(arb, ({ shape, recipe, seed, dim, len }) => {
        const x = buildStrided(shape, 'float64', recipe, seed);
        const idxShape = shape.map((d, i) => (i === dim ? len : Math.max(1, d - (seed & 1))));
        const index = randomIndex(idxShape, shape[dim]!, seed + 1);
        const out = Tensor.empty(idxShape, 'float64');
        backend.gather(x.t, dim, index, out);
        const ref: number[] = [];
        forEachIndex(idxShape, (idx, flat) => {
          const src = idx.slice();
          src[dim] = wrap(index.storage.data[flat]!, shape[dim]!);
          ref.push(x.expected.data[ravel(src, shape)]!);
        });
        expect(readElements(out).data).toEqual(ref);

        for (const accumulate of [false, true]) {
          const dest = Tensor.empty(shape, 'float64');
          dest.storage.data.set(x.expected.data);
          const src = buildStrided(idxShape, 'float64', recipe, seed + 2);
          backend.scatter(dest, dim, index, src.t, accumulate);
          const want = x.expected.data.slice();
          forEachIndex(idxShape, (idx, flat) => {
            const d = idx.slice();
            d[dim] = wrap(index.storage.data[flat]!, shape[dim]!);
            const p = ravel(d, shape);
            want[p] = accumulate ? want[p]! + src.expected.data[flat]! : src.expected.data[flat]!;
          });
          // with duplicate indices and no accumulation the last write wins, in row-major order
          expect(Array.from(dest.storage.data)).toEqual(want);
        }
      }),
      fcOptions(200),
    );
  });

  it('indexSelect and indexAdd along a dim', () => {
    fc.assert(
      fc.property(arb, ({ shape, recipe, seed, dim, len }) => {
        const x = buildStrided(shape, 'float64', recipe, seed);
        const index = randomIndex([len], shape[dim]!, seed + 3);
        const outShape = shape.map((d, i) => (i === dim ? len : d));
        const out = Tensor.empty(outShape, 'float64');
        backend.indexSelect(x.t, dim, index, out);
        const ref: number[] = [];
        forEachIndex(outShape, (idx) => {
          const s = idx.slice();
          s[dim] = wrap(index.storage.data[idx[dim]!]!, shape[dim]!);
          ref.push(x.expected.data[ravel(s, shape)]!);
        });
        expect(readElements(out).data).toEqual(ref);

        const dest = Tensor.empty(shape, 'float64');
        dest.storage.data.set(x.expected.data);
        const src = buildStrided(outShape, 'float64', recipe, seed + 4);
        backend.indexAdd(dest, dim, index, src.t);
        const want = x.expected.data.slice();
        forEachIndex(outShape, (idx, flat) => {
          const d = idx.slice();
          d[dim] = wrap(index.storage.data[idx[dim]!]!, shape[dim]!);
          want[ravel(d, shape)]! += src.expected.data[flat]!;
        });
        expect(Array.from(dest.storage.data)).toEqual(want);
        expect(size(shape)).toBe(want.length);
      }),
      fcOptions(200),
    );
  });

  it('out-of-range indices are RangeErrors naming the index, dim and size', () => {
    const x = Tensor.fromBuffer(new Float64Array([1, 2, 3]), [3]);
    const bad = Tensor.fromBuffer(new Int32Array([3]), [1]);
    expect(() => backend.gather(x, 0, bad, Tensor.empty([1], 'float64'))).toThrow('gather: index 3 is out of bounds for dimension 0 with size 3');
    expect(() => backend.indexSelect(x, 0, Tensor.fromBuffer(new Int32Array([-4]), [1]), Tensor.empty([1], 'float64'))).toThrow('indexSelect: index -4 is out of bounds for dimension 0 with size 3');
  });
});
