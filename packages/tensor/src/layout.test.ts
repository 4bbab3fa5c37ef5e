import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertValidShape, broadcastShapes, broadcastStrides, contiguousStrides, inferShape, isContiguousLayout,
  normalizeDim, normalizeDims, numel, sameShape, shapeToString, viewStrides,
} from './layout.js';
import { broadcastShape, forEachIndex, ravel, size, unravel } from './test-utils/naive.js';
import { fcOptions, shapeArb } from './test-utils/arbitraries.js';

describe('layout: sizes and strides', () => {
  it('numel multiplies dims (1 for a scalar, 0 with any size-0 dim)', () => {
    expect(numel([])).toBe(1);
    expect(numel([2, 3, 4])).toBe(24);
    expect(numel([2, 0, 4])).toBe(0);
  });

  it('contiguousStrides are row-major', () => {
    expect(contiguousStrides([])).toEqual([]);
    expect(contiguousStrides([5])).toEqual([1]);
    expect(contiguousStrides([2, 3, 4])).toEqual([12, 4, 1]);
    expect(contiguousStrides([2, 0, 3])).toEqual([0, 3, 1]);
  });

  it('isContiguousLayout accepts row-major layouts and ignores strides of size-1 dims', () => {
    expect(isContiguousLayout([2, 3], [3, 1])).toBe(true);
    expect(isContiguousLayout([2, 3], [1, 2])).toBe(false);
    expect(isContiguousLayout([2, 1, 3], [3, 99, 1])).toBe(true);
    expect(isContiguousLayout([3], [2])).toBe(false);
    expect(isContiguousLayout([], [])).toBe(true);
    expect(isContiguousLayout([4, 1], [1, 1])).toBe(true);
    // an expanded dim (stride 0) is not contiguous
    expect(isContiguousLayout([2, 3], [0, 1])).toBe(false);
  });

  it('an empty layout is contiguous whatever its strides', () => {
    expect(isContiguousLayout([2, 0], [5, 1])).toBe(true);
    expect(isContiguousLayout([0, 3], [1, 7])).toBe(true);
  });

  it('shapeToString and sameShape', () => {
    expect(shapeToString([2, 3])).toBe('[2, 3]');
    expect(shapeToString([])).toBe('[]');
    expect(sameShape([2, 3], [2, 3])).toBe(true);
    expect(sameShape([2, 3], [3, 2])).toBe(false);
    expect(sameShape([2], [2, 1])).toBe(false);
  });
});

describe('layout: dims', () => {
  it('normalizeDim resolves negative dims as PyTorch does', () => {
    expect(normalizeDim(-1, 3)).toBe(2);
    expect(normalizeDim(-3, 3)).toBe(0);
    expect(normalizeDim(2, 3)).toBe(2);
    // a 0-d tensor accepts 0 and -1
    expect(normalizeDim(0, 0)).toBe(0);
    expect(normalizeDim(-1, 0)).toBe(0);
  });

  it('normalizeDim names the dim, the range and the rank when out of range', () => {
    expect(() => normalizeDim(3, 3)).toThrow(RangeError);
    expect(() => normalizeDim(3, 3)).toThrow('dim 3 is out of range for a tensor with 3 dimensions (expected in [-3, 2])');
    expect(() => normalizeDim(-4, 3)).toThrow(/dim -4 is out of range/);
    expect(() => normalizeDim(1, 0)).toThrow(/expected in \[-1, 0\]/);
    expect(() => normalizeDim(1.5, 3)).toThrow(TypeError);
    expect(() => normalizeDim(1.5, 3)).toThrow(/dim must be an integer, got 1.5/);
    expect(() => normalizeDim(NaN, 3)).toThrow(TypeError);
  });

  it('normalizeDims sorts, accepts one dim or a list, and rejects duplicates', () => {
    expect(normalizeDims(undefined, 3)).toEqual([0, 1, 2]);
    expect(normalizeDims(-1, 3)).toEqual([2]);
    expect(normalizeDims([2, 0], 3)).toEqual([0, 2]);
    expect(normalizeDims([], 3)).toEqual([]);
    expect(() => normalizeDims([1, -2], 3)).toThrow(RangeError);
    expect(() => normalizeDims([1, -2], 3)).toThrow(/appears multiple times/);
    expect(() => normalizeDims([5], 3)).toThrow(/dim 5 is out of range/);
  });
});

describe('layout: broadcasting', () => {
  it('broadcasts as NumPy does', () => {
    expect(broadcastShapes([2, 3], [3])).toEqual([2, 3]);
    expect(broadcastShapes([2, 1], [1, 3])).toEqual([2, 3]);
    expect(broadcastShapes([], [4, 5])).toEqual([4, 5]);
    expect(broadcastShapes([5, 1, 4], [3, 1])).toEqual([5, 3, 4]);
    expect(broadcastShapes([0], [1])).toEqual([0]);
    expect(broadcastShapes([1], [0])).toEqual([0]);
    expect(broadcastShapes([2, 0], [2, 1])).toEqual([2, 0]);
  });

  it('names both shapes and the dimension when shapes are incompatible', () => {
    expect(() => broadcastShapes([2, 3], [4])).toThrow(RangeError);
    expect(() => broadcastShapes([2, 3], [4])).toThrow('shapes [2, 3] and [4] cannot be broadcast together (dimension 1: 3 vs 4)');
    expect(() => broadcastShapes([0], [2])).toThrow(/\[0\] and \[2\]/);
  });

  it('agrees with an independent implementation on random shapes', () => {
    fc.assert(
      fc.property(shapeArb({ maxSize: 3 }), shapeArb({ maxSize: 3 }), (a, b) => {
        const expected = broadcastShape(a, b);
        if (expected === null) expect(() => broadcastShapes(a, b)).toThrow(RangeError);
        else {
          expect(broadcastShapes(a, b)).toEqual(expected);
          expect(broadcastShapes(b, a)).toEqual(expected);
        }
      }),
      fcOptions(300),
    );
  });

  it('broadcastStrides gives stride 0 to new and size-1 dims', () => {
    expect(broadcastStrides([3], [1], [2, 3])).toEqual([0, 1]);
    expect(broadcastStrides([2, 1], [1, 1], [2, 5])).toEqual([1, 0]);
    expect(broadcastStrides([1, 1], [7, 7], [1, 1])).toEqual([0, 0]);
    expect(() => broadcastStrides([2, 3], [3, 1], [3])).toThrow(/cannot broadcast shape \[2, 3\] to \[3\]/);
    expect(() => broadcastStrides([2], [1], [3])).toThrow(RangeError);
  });
});

describe('layout: reshaping', () => {
  it('inferShape fills one -1 and checks the element count', () => {
    expect(inferShape([-1, 4], 12, [3, 4])).toEqual([3, 4]);
    expect(inferShape([2, -1, 2], 12, [12])).toEqual([2, 3, 2]);
    expect(inferShape([0, 3], 0, [0])).toEqual([0, 3]);
    expect(inferShape([], 1, [1])).toEqual([]);
  });

  it('inferShape errors name the requested shape, the size and the input shape', () => {
    expect(() => inferShape([5], 6, [2, 3])).toThrow('shape [5] is invalid for input of size 6 (shape [2, 3])');
    expect(() => inferShape([-1, -1], 6, [6])).toThrow(/only one dimension can be inferred/);
    expect(() => inferShape([-1, 4], 6, [6])).toThrow(RangeError);
    expect(() => inferShape([-2, 3], 6, [6])).toThrow(/invalid shape dimension -2/);
    expect(() => inferShape([1.5, 4], 6, [6])).toThrow(RangeError);
    // with a zero-size dim, -1 is ambiguous (PyTorch refuses too)
    expect(() => inferShape([0, -1], 0, [0])).toThrow('cannot reshape a tensor of 0 elements (shape [0]) into shape [0, -1]: the -1 dimension could be any size');
  });

  it('assertValidShape refuses negative and fractional sizes', () => {
    expect(() => assertValidShape([2, -1])).toThrow('shape [2, -1] must contain non-negative integers');
    expect(() => assertValidShape([2.5])).toThrow(RangeError);
    expect(() => assertValidShape([0, 3])).not.toThrow();
  });

  it('viewStrides on hand-made cases', () => {
    expect(viewStrides([2, 3], [3, 1], [6])).toEqual([1]);
    expect(viewStrides([2, 3], [3, 1], [3, 2])).toEqual([2, 1]);
    // transposed [3, 2] (strides [1, 3]) cannot be flattened, but its dims can be split
    expect(viewStrides([3, 2], [1, 3], [6])).toBeNull();
    expect(viewStrides([4, 2], [1, 4], [2, 2, 2])).toEqual([2, 1, 4]);
    // a stepped slice of every other row: rows cannot merge, columns can split
    expect(viewStrides([2, 4], [8, 1], [2, 2, 2])).toEqual([8, 2, 1]);
    expect(viewStrides([2, 4], [8, 1], [8])).toBeNull();
    // size-1 dims may be added or removed anywhere
    expect(viewStrides([3, 1, 2], [2, 99, 1], [3, 2])).toEqual([2, 1]);
    expect(viewStrides([3, 2], [1, 3], [3, 1, 2])).toEqual([1, 6, 3]);
    // expanded dims stay stride 0
    expect(viewStrides([2, 3], [0, 1], [2, 3, 1])).toEqual([0, 1, 1]);
  });

  /** Storage position of each element of a layout, in row-major element order. */
  function positions(shape: readonly number[], strides: readonly number[]): number[] {
    const out: number[] = [];
    forEachIndex(shape, (idx) => out.push(idx.reduce((p, i, d) => p + i * strides[d]!, 0)));
    return out;
  }

  it('viewStrides, when it succeeds, addresses the same elements in the same row-major order', () => {
    const arb = shapeArb({ maxDims: 4, maxSize: 4 }).chain((shape) =>
      fc.record({
        shape: fc.constant(shape),
        order: fc.shuffledSubarray(shape.map((_, i) => i), { minLength: shape.length, maxLength: shape.length }),
        steps: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: shape.length, maxLength: shape.length }),
        split: fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 4 }),
      }),
    );
    fc.assert(
      fc.property(arb, ({ shape, order, steps, split }) => {
        // A layout for `shape`: dims stored in `order` (outermost first), each with a step.
        const strides = new Array<number>(shape.length);
        let s = 1;
        for (let j = order.length - 1; j >= 0; j--) {
          const d = order[j]!;
          strides[d] = s * steps[d]!;
          s *= Math.max(shape[d]!, 1) * steps[d]!;
        }
        const n = size(shape);
        // New shape: a random factorisation of n (when possible), else the flattened shape.
        const newShape: number[] = [];
        let rest = n;
        for (const f of split) if (rest % f === 0 && f > 1) { newShape.push(f); rest /= f; }
        newShape.push(rest);
        const ns = viewStrides(shape, strides, newShape);
        const contiguous = isContiguousLayout(shape, strides);
        if (contiguous) expect(ns).not.toBeNull();
        if (ns !== null) {
          const expected = positions(shape, strides);
          const actual = positions(newShape, ns);
          if (n > 0) expect(actual).toEqual(expected);
        }
      }),
      fcOptions(300),
    );
  });

  it('ravel/unravel helpers invert each other (sanity of the reference)', () => {
    forEachIndex([2, 3, 4], (idx, flat) => {
      expect(ravel(idx, [2, 3, 4])).toBe(flat);
      expect(unravel(flat, [2, 3, 4])).toEqual(idx);
    });
  });
});
