import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { type GradEngine, Tensor, argsort, getBackend, setGradEngine, sort, tensor, topk } from '../index.js';

/** The line of `t` (contiguous) along `dim` through flat position (outer, inner). */
function lines(t: Tensor, dim: number): { values: number[]; at: (j: number) => number }[] {
  const shape = t.shape;
  const n = shape[dim]!;
  let inner = 1;
  for (let k = dim + 1; k < shape.length; k++) inner *= shape[k]!;
  const outer = n === 0 ? 0 : t.numel() / (n * inner);
  const data = Array.from(t.toTypedArray());
  const out: { values: number[]; at: (j: number) => number }[] = [];
  for (let o = 0; o < outer; o++) {
    for (let r = 0; r < inner; r++) {
      const base = o * n * inner + r;
      const values = Array.from({ length: n }, (_, j) => data[base + j * inner]!);
      out.push({ values, at: (j) => base + j * inner });
    }
  }
  return out;
}

/** Naive stable sort of one line: insertion sort of (value, index) pairs, NaN largest. */
function naiveOrder(values: number[], descending: boolean): number[] {
  const key = (v: number) => (Number.isNaN(v) ? Infinity : v);
  const rank = (v: number) => (Number.isNaN(v) ? 1 : 0);
  const before = (a: number, b: number): boolean => {
    const va = values[a]!, vb = values[b]!;
    if (key(va) !== key(vb)) return descending ? key(va) > key(vb) : key(va) < key(vb);
    if (rank(va) !== rank(vb)) return descending ? rank(va) > rank(vb) : rank(va) < rank(vb);
    return false; // equal: keep original order
  };
  const order: number[] = [];
  for (let i = 0; i < values.length; i++) {
    let p = order.length;
    while (p > 0 && before(i, order[p - 1]!)) p--;
    order.splice(p, 0, i);
  }
  return order;
}

describe(`sort and topk (${getBackend().name} backend)`, () => {
  it('sort is a stable sort along any dim, NaN last ascending and first descending (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }).chain((shape) =>
          fc.record({
            shape: fc.constant(shape),
            dim: fc.integer({ min: -shape.length, max: shape.length - 1 }),
            descending: fc.boolean(),
            vals: fc.array(fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constant(Number.NaN)), {
              minLength: shape.reduce((a, b) => a * b, 1),
              maxLength: shape.reduce((a, b) => a * b, 1),
            }),
          }),
        ),
        ({ shape, dim, descending, vals }) => {
          const x = Tensor.empty(shape, 'float64');
          x.buffer.set(vals);
          const { values, indices } = sort(x, dim, descending);
          const d = dim < 0 ? dim + shape.length : dim;
          const vb = values.toTypedArray();
          const ib = indices.toTypedArray();
          expect(indices.dtype).toBe('int32');
          for (const line of lines(x, d)) {
            const order = naiveOrder(line.values, descending);
            order.forEach((src, j) => {
              expect(ib[line.at(j)]).toBe(src);
              expect(Object.is(vb[line.at(j)], line.values[src]) || (Number.isNaN(vb[line.at(j)]!) && Number.isNaN(line.values[src]!))).toBe(true);
            });
          }
          expect(argsort(x, dim, descending).toArray()).toEqual(indices.toArray());
        },
      ),
      { numRuns: 150 },
    );
  });

  it('long lines with many ties and NaNs sort stably (exercises the merge passes)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof({ weight: 8, arbitrary: fc.integer({ min: -5, max: 5 }) }, { weight: 1, arbitrary: fc.constant(Number.NaN) }), { minLength: 20, maxLength: 400 }),
        fc.boolean(),
        (vals, descending) => {
          const x = tensor(vals, { dtype: 'float64' });
          const order = naiveOrder(vals, descending);
          expect(argsort(x, 0, descending).toArray()).toEqual(order);
          // The same values as two rows of a 2-D tensor sorted along dim 0 (strided lines).
          const two = tensor([vals, vals.map((v) => -v)], { dtype: 'float64' }).T; // [n, 2]
          const idx = sort(two, 0, descending).indices.toArray() as number[][];
          expect(idx.map((r) => r[0])).toEqual(order);
          expect(idx.map((r) => r[1])).toEqual(naiveOrder(vals.map((v) => -v), descending));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('sorts a hand-worked example, including through a transposed view', () => {
    const x = tensor([[3, 1, 2], [0, 5, 5]], { dtype: 'float32' });
    expect(sort(x).values.toArray()).toEqual([[1, 2, 3], [0, 5, 5]]);
    expect(sort(x).indices.toArray()).toEqual([[1, 2, 0], [0, 1, 2]]);
    expect(sort(x, 1, true).indices.toArray()).toEqual([[0, 2, 1], [1, 2, 0]]); // ties keep order when descending too
    expect(x.T.sort(0).values.toArray()).toEqual([[1, 0], [2, 5], [3, 5]]);
    expect(sort(x, 0).values.toArray()).toEqual([[0, 1, 2], [3, 5, 5]]);
  });

  it('topk returns the k largest or smallest, sorted, with their indices (property vs sort)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -100, max: 100 }), { minLength: 1, maxLength: 12 }), fc.nat(), fc.boolean(), (vals, kSeed, largest) => {
        const x = tensor(vals, { dtype: 'float64' });
        const k = kSeed % (vals.length + 1);
        const { values, indices } = topk(x, k, 0, largest);
        const order = naiveOrder(vals, largest).slice(0, k);
        expect(indices.toArray()).toEqual(order);
        expect(values.toArray()).toEqual(order.map((i) => vals[i]));
      }),
      { numRuns: 150 },
    );
  });

  it('topk along a middle dim, with the options form', () => {
    const x = tensor([[[1, 9], [4, 2], [7, 5]]], { dtype: 'float32' }); // [1, 3, 2]
    const r = x.topk(2, { dim: 1 });
    expect(r.values.toArray()).toEqual([[[7, 9], [4, 5]]]);
    expect(r.indices.toArray()).toEqual([[[2, 0], [1, 2]]]);
    const s = x.topk(1, { dim: 1, largest: false });
    expect(s.values.toArray()).toEqual([[[1, 2]]]);
  });

  it('rejects a k out of range and a bad dim', () => {
    const x = tensor([1, 2, 3]);
    expect(() => topk(x, 4)).toThrow(new RangeError('topk: k (4) is out of range for dimension 0 of size 3 (shape [3])'));
    expect(() => topk(x, -1)).toThrow(RangeError);
    expect(() => sort(x, 1)).toThrow(RangeError);
  });

  it('sorts int32 and 0-d tensors', () => {
    expect(sort(tensor([3, -1, 2]), 0, true).values.toArray()).toEqual([3, 2, -1]);
    const s = sort(tensor(5));
    expect(s.values.toArray()).toBe(5);
    expect(s.indices.toArray()).toBe(0);
  });
});

describe('sort under autograd', () => {
  afterEach(() => setGradEngine(null));
  it("records the values as 'gather' with the sorting indices", () => {
    const log: { op: string; attrs: { dim: number; index: Tensor } }[] = [];
    const engine: GradEngine = {
      record(op, _inputs, output, attrs) { log.push({ op, attrs: attrs as { dim: number; index: Tensor } }); output.requiresGrad = true; },
      backward() {}, retainGrad() {}, registerHook: () => () => {},
    };
    setGradEngine(engine);
    const x = tensor([[2, 1, 3]], { dtype: 'float64' }).requiresGrad_();
    const { indices } = topk(x, 2, -1);
    expect(log.length).toBe(1);
    expect(log[0]!.op).toBe('gather');
    expect(log[0]!.attrs.dim).toBe(1);
    expect(log[0]!.attrs.index.toArray()).toEqual(indices.toArray());
    expect(indices.requiresGrad).toBe(false);
  });
});
