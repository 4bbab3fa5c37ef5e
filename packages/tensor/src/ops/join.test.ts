import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { type GradEngine, Tensor, arange, cat, chunk, flip, getBackend, repeat, setGradEngine, split, stack, tensor, tile, unbind, zeros } from '../index.js';

function coords(shape: readonly number[]): number[][] {
  let out: number[][] = [[]];
  for (const n of shape) out = out.flatMap((c) => Array.from({ length: n }, (_, i) => [...c, i]));
  return out;
}
function at(t: Tensor, c: readonly number[]): number {
  let off = t.offset;
  c.forEach((i, d) => { off += i * t.strides[d]!; });
  return t.buffer[off]!;
}
/** A tensor of `shape` with distinct values tagged by `tag` (so pieces can be told apart). */
function tagged(shape: number[], tag: number): Tensor {
  const t = Tensor.empty(shape, 'float64');
  for (let i = 0; i < t.numel(); i++) t.buffer[i] = tag * 1000 + i;
  return t;
}

describe(`join and split (${getBackend().name} backend)`, () => {
  it('cat matches a naive concatenation (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }).chain((shape) =>
          fc.record({
            shape: fc.constant(shape),
            dim: fc.integer({ min: 0, max: shape.length - 1 }),
            sizes: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }),
            transposeFirst: fc.boolean(),
          }),
        ),
        ({ shape, dim, sizes, transposeFirst }) => {
          const parts = sizes.map((s, k) => {
            const sh = shape.slice();
            sh[dim] = s;
            let t = tagged(sh, k + 1);
            // A non-contiguous input: the transpose of a contiguous copy of the transpose.
            if (transposeFirst && sh.length >= 2) t = t.T.contiguous().T;
            return t;
          });
          const out = cat(parts, dim);
          const expectedShape = shape.slice();
          expectedShape[dim] = sizes.reduce((a, b) => a + b, 0);
          expect(out.shape).toEqual(expectedShape);
          for (const c of coords(expectedShape)) {
            let i = c[dim]!;
            let k = 0;
            while (i >= sizes[k]!) { i -= sizes[k]!; k++; }
            const inner = c.slice();
            inner[dim] = i;
            expect(at(out, c)).toBe(at(parts[k]!, inner));
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('stack adds a new dim at any position (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.nat(),
        (shape, n, dimSeed) => {
          const dim = dimSeed % (shape.length + 1);
          const parts = Array.from({ length: n }, (_, k) => tagged(shape, k));
          const out = stack(parts, dim);
          const expectedShape = [...shape.slice(0, dim), n, ...shape.slice(dim)];
          expect(out.shape).toEqual(expectedShape);
          for (const c of coords(expectedShape)) {
            const k = c[dim]!;
            expect(at(out, c)).toBe(at(parts[k]!, [...c.slice(0, dim), ...c.slice(dim + 1)]));
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('split and chunk give views that cover the tensor in order (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), (n, size, chunks) => {
        const x = arange(n * 2).reshape(n, 2);
        const pieces = split(x, size, 0);
        const lens = pieces.map((p) => p.shape[0]!);
        if (n === 0) expect(lens).toEqual([0]);
        else {
          expect(lens.reduce((a, b) => a + b, 0)).toBe(n);
          expect(lens.slice(0, -1).every((l) => l === size)).toBe(true);
          expect(lens.at(-1)!).toBeLessThanOrEqual(size);
        }
        expect(pieces.every((p) => p.storage === x.storage)).toBe(true);
        expect(cat(pieces, 0).toArray()).toEqual(x.toArray());
        const cs = chunk(x, chunks, 0);
        expect(cs.length).toBeLessThanOrEqual(chunks);
        if (n > 0) expect(cs[0]!.shape[0]).toBe(Math.ceil(n / chunks));
        expect(cat(cs, 0).toArray()).toEqual(x.toArray());
      }),
      { numRuns: 100 },
    );
  });

  it('split by section sizes, on a negative dim', () => {
    const x = arange(12).reshape(2, 6);
    const [a, b, c] = split(x, [1, 0, 5], -1);
    expect(a!.toArray()).toEqual([[0], [6]]);
    expect(b!.shape).toEqual([2, 0]);
    expect(c!.toArray()).toEqual([[1, 2, 3, 4, 5], [7, 8, 9, 10, 11]]);
    // Views: writing into a piece writes into x.
    a!.fill_(-1);
    expect(x.toArray()).toEqual([[-1, 1, 2, 3, 4, 5], [-1, 7, 8, 9, 10, 11]]);
    expect(chunk(arange(5), 3).map((t) => t.toArray())).toEqual([[0, 1], [2, 3], [4]]);
    expect(x.chunk(4, 1).map((t) => t.shape)).toEqual([[2, 2], [2, 2], [2, 2]]);
  });

  it('cat promotes dtypes and skips legacy empty 1-D tensors', () => {
    const out = cat([tensor([1, 2]), tensor([0.5], { dtype: 'float64' }), tensor([true])]);
    expect(out.dtype).toBe('float64');
    expect(out.toArray()).toEqual([1, 2, 0.5, 1]);
    expect(cat([zeros(0), tensor([[1, 2]]), zeros(0)], 0).toArray()).toEqual([[1, 2]]);
  });

  it('errors name the mismatching shapes', () => {
    expect(() => cat([zeros(2, 3), zeros(2, 3), zeros(4, 4)], 1)).toThrow(
      new RangeError('cat: sizes of tensors must match except in dimension 1: tensor 0 has shape [2, 3] but tensor 2 has shape [4, 4] (mismatch in dimension 0)'),
    );
    expect(() => cat([zeros(2, 3), zeros(2)], 0)).toThrow(/tensor 0 has shape \[2, 3\] but tensor 1 has shape \[2\]/);
    expect(() => cat([])).toThrow(RangeError);
    expect(() => cat([zeros(2)], 1)).toThrow(RangeError);
    expect(() => stack([zeros(2, 3), zeros(3, 2)])).toThrow(new RangeError('stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [3, 2] at entry 1'));
    expect(() => split(zeros(5), [2, 2])).toThrow(/section sizes \[2, 2\] add up to 4, but dimension 0 of shape \[5\] has size 5/);
    expect(() => split(zeros(5), 0)).toThrow(RangeError);
    expect(() => chunk(zeros(5), 0)).toThrow(/chunks must be a positive integer, got 0/);
    expect(() => repeat(zeros(2, 2), [2])).toThrow(/number of repeat dims \(1\) can not be smaller than the number of dims/);
  });

  it('unbind and flip', () => {
    const x = arange(6).reshape(2, 3);
    expect(unbind(x, 1).map((t) => t.toArray())).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(flip(x, 1).toArray()).toEqual([[2, 1, 0], [5, 4, 3]]);
    expect(flip(x, [0, 1]).toArray()).toEqual([[5, 4, 3], [2, 1, 0]]);
    expect(x.T.flip(0).toArray()).toEqual([[2, 5], [1, 4], [0, 3]]);
    const f = flip(x, []);
    expect(f.toArray()).toEqual(x.toArray());
    expect(f.storage).not.toBe(x.storage);
  });

  it('repeat and flip match naive index maps (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 0, maxLength: 2 }),
        fc.nat(),
        (shape, extra, dimSeed) => {
          const x = tagged(shape, 1);
          const reps = [...extra, ...shape.map((_, i) => ((dimSeed >> i) % 3) + 1)];
          const r = repeat(x, reps);
          const lead = reps.length - shape.length;
          const outShape = reps.map((n, i) => n * (i < lead ? 1 : shape[i - lead]!));
          expect(r.shape).toEqual(outShape);
          for (const c of coords(outShape)) expect(at(r, c)).toBe(at(x, c.slice(lead).map((v, i) => v % shape[i]!)));
          const dims = shape.map((_, i) => i).filter((i) => (dimSeed >> (i + 4)) & 1);
          const f = flip(x, dims);
          for (const c of coords(shape)) expect(at(f, c)).toBe(at(x, c.map((v, i) => (dims.includes(i) ? shape[i]! - 1 - v : v))));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('repeat and tile match torch examples', () => {
    const x = tensor([1, 2, 3]);
    expect(repeat(x, [4, 2]).toArray()).toEqual([[1, 2, 3, 1, 2, 3], [1, 2, 3, 1, 2, 3], [1, 2, 3, 1, 2, 3], [1, 2, 3, 1, 2, 3]]);
    expect(x.repeat(4, 2, 1).shape).toEqual([4, 2, 3]);
    expect(tile(tensor([[1, 2], [3, 4]]), [2]).toArray()).toEqual([[1, 2, 1, 2], [3, 4, 3, 4]]);
    expect(tile(tensor([[1, 2], [3, 4]]).T, [2, 1]).toArray()).toEqual([[1, 3], [2, 4], [1, 3], [2, 4]]);
    const same = x.repeat([1]);
    expect(same.toArray()).toEqual([1, 2, 3]);
    expect(same.storage).not.toBe(x.storage);
    expect(repeat(x, [0, 1]).shape).toEqual([0, 3]);
  });
});

describe('cat under autograd', () => {
  afterEach(() => setGradEngine(null));
  it("records 'cat' with { dim, sizes } and stack through cat", () => {
    const log: { op: string; attrs: unknown; n: number }[] = [];
    const engine: GradEngine = {
      record(op, inputs, output, attrs) { log.push({ op, attrs, n: inputs.length }); output.requiresGrad = true; },
      backward() {}, retainGrad() {}, registerHook: () => () => {},
    };
    setGradEngine(engine);
    const a = zeros(2, 3, { dtype: 'float64' }).requiresGrad_();
    const b = zeros(2, 1, { dtype: 'float64' });
    cat([a, b], -1);
    expect(log).toEqual([{ op: 'cat', attrs: { dim: 1, sizes: [3, 1] }, n: 2 }]);
    log.length = 0;
    stack([a, a], 1);
    expect(log.map((e) => e.op)).toEqual(['reshape', 'reshape', 'cat']);
    expect(log[2]!.attrs).toEqual({ dim: 1, sizes: [1, 1] });
  });
});
