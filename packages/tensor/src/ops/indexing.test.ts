import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  type GradEngine, Tensor, copy_, fill_, gather, getBackend, indexAdd, indexSelect, maskedFill, nonzero, oneHot, scatter,
  scatterAdd, setGradEngine, tensor, zeros, arange,
} from '../index.js';

/** Every coordinate of `shape` in row-major order. */
function coords(shape: readonly number[]): number[][] {
  let out: number[][] = [[]];
  for (const n of shape) out = out.flatMap((c) => Array.from({ length: n }, (_, i) => [...c, i]));
  return out;
}
function flatIndex(shape: readonly number[], c: readonly number[]): number {
  let f = 0;
  for (let d = 0; d < shape.length; d++) f = f * shape[d]! + c[d]!;
  return f;
}
function filled(shape: number[], values: number[], dtype: 'float64' | 'int32' = 'float64'): Tensor {
  const t = Tensor.empty(shape, dtype);
  t.buffer.set(values);
  return t;
}
/** The same values as `t` in a column-major layout (a non-contiguous view when ndim >= 2). */
function columnMajor(t: Tensor): Tensor {
  const rev = t.shape.map((_, i) => t.ndim - 1 - i);
  return t.permute(rev).contiguous().permute(rev);
}

/** x shape, dim, and an index shape that fits gather/scatter's rules, with index values in [-size, size). */
const gatherCase = fc
  .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 })
  .chain((xShape) =>
    fc.integer({ min: 0, max: xShape.length - 1 }).chain((dim) =>
      fc
        .tuple(...xShape.map((s, d) => (d === dim ? fc.integer({ min: 0, max: 5 }) : fc.integer({ min: 1, max: s }))))
        .chain((iShape) => {
          const n = iShape.reduce((a, b) => a * b, 1);
          const size = xShape[dim]!;
          return fc.record({
            xShape: fc.constant(xShape),
            dim: fc.constant(dim),
            iShape: fc.constant(iShape as number[]),
            idx: fc.array(fc.integer({ min: -size, max: size - 1 }), { minLength: n, maxLength: n }),
            xs: fc.array(fc.integer({ min: -50, max: 50 }), { minLength: xShape.reduce((a, b) => a * b, 1), maxLength: xShape.reduce((a, b) => a * b, 1) }),
            src: fc.array(fc.integer({ min: -50, max: 50 }), { minLength: n, maxLength: n }),
          });
        }),
    ),
  );

describe(`indexing (${getBackend().name} backend)`, () => {
  it('gather matches a naive loop (property)', () => {
    fc.assert(
      fc.property(gatherCase, fc.boolean(), ({ xShape, dim, iShape, idx, xs }, strided) => {
        const layout = strided ? columnMajor : (t: Tensor) => t;
        const x = layout(filled(xShape, xs));
        const out = gather(x, dim, layout(filled(iShape, idx, 'int32')));
        const expected = coords(iShape).map((c) => {
          const k = idx[flatIndex(iShape, c)]!;
          const src = c.slice();
          src[dim] = k < 0 ? k + xShape[dim]! : k;
          return xs[flatIndex(xShape, src)]!;
        });
        expect(out.shape).toEqual(iShape);
        expect(Array.from(out.toTypedArray())).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  it('scatter and scatterAdd match naive loops (property)', () => {
    fc.assert(
      fc.property(gatherCase, fc.boolean(), ({ xShape, dim, iShape, idx, xs, src }, strided) => {
        const layout = strided ? columnMajor : (t: Tensor) => t;
        const self = layout(filled(xShape, xs));
        const s = layout(filled(iShape, src));
        const index = layout(filled(iShape, idx, 'int32'));
        const written = xs.slice();
        const added = xs.slice();
        for (const c of coords(iShape)) {
          const k = idx[flatIndex(iShape, c)]!;
          const dst = c.slice();
          dst[dim] = k < 0 ? k + xShape[dim]! : k;
          written[flatIndex(xShape, dst)] = src[flatIndex(iShape, c)]!;
          added[flatIndex(xShape, dst)]! += src[flatIndex(iShape, c)]!;
        }
        expect(Array.from(scatter(self, dim, index, s).toTypedArray())).toEqual(written);
        expect(Array.from(scatterAdd(self, dim, index, s).toTypedArray())).toEqual(added);
        expect(Array.from(self.toTypedArray())).toEqual(xs); // out of place
      }),
      { numRuns: 150 },
    );
  });

  it('gather and scatter on hand-worked examples (torch docs)', () => {
    const t = tensor([[1, 2], [3, 4]]);
    expect(gather(t, 1, tensor([[0, 0], [1, 0]])).toArray()).toEqual([[1, 1], [4, 3]]);
    const src = arange(1, 11).reshape(2, 5);
    const index = tensor([[0, 1, 2, 0]]);
    expect(zeros(3, 5, { dtype: 'int32' }).scatter(0, index, src).toArray()).toEqual([
      [1, 0, 0, 4, 0],
      [0, 2, 0, 0, 0],
      [0, 0, 3, 0, 0],
    ]);
    expect(zeros(3, 5).scatter(1, tensor([[0], [2]]), 1.5).toArray()).toEqual([[1.5, 0, 0, 0, 0], [0, 0, 1.5, 0, 0], [0, 0, 0, 0, 0]]);
    // Duplicates accumulate in scatterAdd.
    expect(zeros(4).scatterAdd(0, tensor([1, 1, 3, 1]), tensor([1, 2, 3, 4], { dtype: 'float32' })).toArray()).toEqual([0, 7, 0, 3]);
  });

  it('scatter_ writes through a transposed view into its base', () => {
    const base = zeros(3, 2);
    const v = base.T; // [2, 3]
    v.scatter_(1, tensor([[2], [0]]), tensor([[5], [7]], { dtype: 'float32' }));
    expect(base.toArray()).toEqual([[0, 7], [0, 0], [5, 0]]); // v[0][2] is base[2][0], v[1][0] is base[0][1]
    const before = base.version;
    base.scatterAdd_(0, tensor([[0, 0]]), tensor([[1, 1]], { dtype: 'float32' }));
    expect(base.toArray()).toEqual([[1, 8], [0, 0], [5, 0]]);
    expect(base.version).toBeGreaterThan(before);
  });

  it('indexSelect and indexAdd match naive loops, with negative indices', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }).chain((shape) =>
          fc.record({
            shape: fc.constant(shape),
            dim: fc.integer({ min: 0, max: shape.length - 1 }),
            seed: fc.integer({ min: 0, max: 1000 }),
            len: fc.integer({ min: 0, max: 5 }),
          }),
        ),
        ({ shape, dim, seed, len }) => {
          const size = shape[dim]!;
          const idx = Array.from({ length: len }, (_, i) => ((seed * 7 + i * 13) % (2 * size)) - size);
          const xs = coords(shape).map((_, i) => (i * 37 + seed) % 23);
          const x = filled(shape, xs);
          const index = filled([len], idx, 'int32');
          const outShape = shape.slice();
          outShape[dim] = len;
          const sel = indexSelect(x, dim, index);
          expect(sel.shape).toEqual(outShape);
          const expectedSel = coords(outShape).map((c) => {
            const s = c.slice();
            const k = idx[c[dim]!]!;
            s[dim] = k < 0 ? k + size : k;
            return xs[flatIndex(shape, s)]!;
          });
          expect(Array.from(sel.toTypedArray())).toEqual(expectedSel);
          const srcVals = coords(outShape).map((_, i) => i + 1);
          const added = indexAdd(x, dim, index, filled(outShape, srcVals), 2);
          const expectedAdd = xs.slice();
          coords(outShape).forEach((c, i) => {
            const d = c.slice();
            const k = idx[c[dim]!]!;
            d[dim] = k < 0 ? k + size : k;
            expectedAdd[flatIndex(shape, d)]! += 2 * srcVals[i]!;
          });
          expect(Array.from(added.toTypedArray())).toEqual(expectedAdd);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('in-place writers refuse expanded views and read a src aliasing self before writing', () => {
    const e = zeros(1, 3).expand(2, 3);
    expect(() => e.copy_(tensor([1, 2, 3]))).toThrow(/copy_: more than one element of the written-to tensor refers to a single memory location \(shape \[2, 3\], strides \[0, 1\]/);
    expect(() => e.maskedFill_(tensor([true, false, true]), 1)).toThrow(RangeError);
    expect(() => e.scatter_(1, tensor([[0]]), 1)).toThrow(RangeError);
    const x = tensor([[1, 2], [3, 4]]);
    // x.scatter_(1, [[1, 0], [1, 0]], x) swaps each row's entries only if x is read before it is written.
    x.scatter_(1, tensor([[1, 0], [1, 0]]), x);
    expect(x.toArray()).toEqual([[2, 1], [4, 3]]);
    const y = tensor([[1, 2], [3, 4]]);
    y.indexAdd_(0, tensor([1, 0]), y);
    expect(y.toArray()).toEqual([[4, 6], [4, 6]]);
  });

  it('indexAdd_ accumulates duplicate indices in place', () => {
    const x = zeros(3, 2);
    x.indexAdd_(0, tensor([2, 0, 2]), tensor([[1, 1], [2, 2], [3, 3]], { dtype: 'float32' }));
    expect(x.toArray()).toEqual([[2, 2], [0, 0], [4, 4]]);
  });

  it('rejects bad indices, dtypes and shapes with clear errors', () => {
    const x = zeros(2, 3);
    expect(() => gather(x, 1, tensor([[0, 3]]))).toThrow(new RangeError('gather: index 3 is out of bounds for dimension 1 with size 3'));
    expect(() => gather(x, 1, tensor([[0, -4]]))).toThrow(/index -4 is out of bounds for dimension 1 with size 3/);
    expect(() => gather(x, 1, tensor([[0.0, 1.5]]))).toThrow(TypeError);
    expect(() => gather(x, 1, tensor([[0.0, 1.5]]))).toThrow(/index must be an int32 tensor, got float32/);
    expect(() => gather(x, 1, tensor([0, 1]))).toThrow(/index \[2\] must have as many dims as input \[2, 3\]/);
    expect(() => gather(x, 1, tensor([[0], [0], [0]]))).toThrow(/index \[3, 1\] is larger than input \[2, 3\] at dimension 0/);
    expect(() => scatter(x, 0, tensor([[0, 1]]), tensor([[1, 2]]))).toThrow(/src dtype int32 must match self dtype float32/);
    expect(() => scatter(x, 0, tensor([[0, 1, 1]]), zeros(1, 2))).toThrow(/index \[1, 3\] is larger than src \[1, 2\] at dimension 1/);
    expect(() => scatter(x, 0, tensor([[2]]), zeros(1, 1))).toThrow(/scatter: index 2 is out of bounds for dimension 0 with size 2/);
    expect(() => indexSelect(x, 0, tensor([[0]]))).toThrow(/index must be 1-D, got shape \[1, 1\]/);
    expect(() => indexSelect(x, 2, tensor([0]))).toThrow(RangeError);
    expect(() => indexAdd(x, 0, tensor([0]), zeros(2, 3))).toThrow(/src \[2, 3\] must have shape \[1, 3\]/);
    expect(() => maskedFill(x, tensor([1, 0, 1]), 0)).toThrow(/mask must be a bool tensor, got int32/);
    expect(() => maskedFill(x, tensor([[true], [false], [true]]), 0)).toThrow(RangeError);
    expect(() => oneHot(tensor([0, 3]), 3)).toThrow(/class value 3 is out of range for numClasses 3/);
    expect(() => oneHot(tensor([0.5]))).toThrow(TypeError);
    expect(() => copy_(x, zeros(3, 3))).toThrow(/src \[3, 3\] cannot be broadcast to self \[2, 3\]/);
  });

  it('maskedFill broadcasts the mask; maskedFill_ on a transposed view writes through to the base', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float32' });
    expect(maskedFill(x, tensor([true, false, true]), -1).toArray()).toEqual([[-1, 2, -1], [-1, 5, -1]]);
    expect(x.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    const v = x.T; // [3, 2]
    v.maskedFill_(tensor([[true, false], [false, false], [false, true]]), 0);
    expect(x.toArray()).toEqual([[0, 2, 3], [4, 5, 0]]);
    expect(tensor([1, 2, 3]).maskedFill(tensor([false, true, false]), 9.7).toArray()).toEqual([1, 9, 3]); // cast to int32
  });

  it('oneHot gives int32 rows and infers the number of classes', () => {
    const h = oneHot(tensor([[0, 2], [1, 0]]));
    expect(h.dtype).toBe('int32');
    expect(h.toArray()).toEqual([[[1, 0, 0], [0, 0, 1]], [[0, 1, 0], [1, 0, 0]]]);
    expect(oneHot(tensor([1]), 4).toArray()).toEqual([[0, 1, 0, 0]]);
  });

  it('nonzero lists coordinates in row-major order', () => {
    expect(nonzero(tensor([[0, 1.5], [2, 0]])).toArray()).toEqual([[0, 1], [1, 0]]);
    expect(tensor([[1, 0], [0, 1]]).T.nonzero().toArray()).toEqual([[0, 0], [1, 1]]);
    expect(nonzero(zeros(2, 2)).shape).toEqual([0, 2]);
  });

  it('fill_, zero_ and copy_ write through views; copy_ broadcasts and casts', () => {
    const base = zeros(2, 3);
    fill_(base.select(1, 1), 4);
    expect(base.toArray()).toEqual([[0, 4, 0], [0, 4, 0]]);
    base.T.slice(0, 2).fill_(true);
    expect(base.toArray()).toEqual([[0, 4, 1], [0, 4, 1]]);
    base.narrow(0, 0, 1).zero_();
    expect(base.toArray()).toEqual([[0, 0, 0], [0, 4, 1]]);
    base.T.copy_(tensor([7.9, -1.2]));
    expect(base.toArray()).toEqual([[7.9, 7.9, 7.9], [-1.2, -1.2, -1.2]].map((r) => r.map(Math.fround)));
    const ints = zeros(2, 2, { dtype: 'int32' });
    ints.copy_(tensor([[1.9, -2.7], [3.2, 0]]));
    expect(ints.toArray()).toEqual([[1, -2], [3, 0]]);
    // Copying a tensor onto its own transpose reads all values before writing.
    const sq = tensor([[1, 2], [3, 4]]);
    sq.copy_(sq.T);
    expect(sq.toArray()).toEqual([[1, 3], [2, 4]]);
  });
});

describe('indexing ops and autograd recording', () => {
  const log: { op: string; inputs: readonly Tensor[]; attrs: unknown }[] = [];
  const engine: GradEngine = {
    record(op, inputs, output, attrs) {
      log.push({ op, inputs, attrs });
      output.requiresGrad = true;
      output.gradFn = { name: `${op}Backward` };
    },
    backward() {},
    retainGrad() {},
    registerHook: () => () => {},
  };
  afterEach(() => { setGradEngine(null); log.length = 0; });

  it('records gather, scatter, scatterAdd, indexSelect, indexAdd and maskedFill with their attrs', () => {
    setGradEngine(engine);
    const x = tensor([[1, 2], [3, 4]], { dtype: 'float64' }).requiresGrad_();
    const src = tensor([[5, 6]], { dtype: 'float64' }).requiresGrad_();
    gather(x, 1, tensor([[-1], [0]]));
    scatter(x, 0, tensor([[1, 0]]), src);
    scatterAdd(x, 0, tensor([[1, 0]]), src);
    indexSelect(x, 0, tensor([1]));
    indexAdd(x, 0, tensor([1]), src);
    const mask = tensor([true, false]);
    maskedFill(x, mask, 0);
    expect(log.map((e) => e.op)).toEqual(['gather', 'scatter', 'scatterAdd', 'indexSelect', 'indexAdd', 'maskedFill']);
    const g = log[0]!.attrs as { dim: number; index: Tensor };
    expect(g.dim).toBe(1);
    expect(g.index.toArray()).toEqual([[1], [0]]); // normalised
    expect(log[1]!.inputs).toEqual([x, src]);
    expect((log[5]!.attrs as { mask: Tensor }).mask).toBe(mask);
    // Editing an index afterwards must not change what autograd saved.
    const gi = tensor([[1], [0]]);
    gather(x, 1, gi);
    gi.fill_(0);
    expect((log[6]!.attrs as { index: Tensor }).index.toArray()).toEqual([[1], [0]]);
  });

  it('records a src larger than index as its index-shaped corner (a narrow of src)', () => {
    setGradEngine(engine);
    const src = arange(1, 11).reshape(2, 5).double().requiresGrad_();
    const out = zeros(3, 5, { dtype: 'float64' }).scatter(0, tensor([[0, 1, 2, 0]]), src);
    expect(out.toArray()).toEqual([[1, 0, 0, 4, 0], [0, 2, 0, 0, 0], [0, 0, 3, 0, 0]]);
    const rec = log.find((e) => e.op === 'scatter')!;
    expect(rec.inputs[1]!.shape).toEqual([1, 4]);
    expect(rec.inputs[1]!.toArray()).toEqual([[1, 2, 3, 4]]);
    expect(log.filter((e) => e.op === 'slice').length).toBe(2);
  });

  it('does not record when no input requires grad', () => {
    setGradEngine(engine);
    gather(tensor([[1.0, 2.0]]), 1, tensor([[0]]));
    expect(log).toEqual([]);
  });

  it('an in-place op on a non-leaf computes out of place and adopts the new node; a leaf is refused', () => {
    setGradEngine(engine);
    const leaf = tensor([1, 2, 3], { dtype: 'float64' }).requiresGrad_();
    expect(() => leaf.maskedFill_(tensor([true, false, false]), 0)).toThrow(/leaf tensor that requires grad/);
    const y = leaf.mul(2);
    y.maskedFill_(tensor([true, false, false]), 0);
    expect(y.toArray()).toEqual([0, 4, 6]);
    expect(y.gradFn?.name).toBe('maskedFillBackward');
    const z = leaf.mul(1);
    z.fill_(5);
    expect(z.toArray()).toEqual([5, 5, 5]);
    expect(z.gradFn?.name).toBe('maskedFillBackward');
  });
});
