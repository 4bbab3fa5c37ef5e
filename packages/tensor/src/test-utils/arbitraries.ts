/**
 * fast-check generators for the property tests: shapes (0-4 dims, including size-0 and size-1
 * dims), broadcast-compatible shape pairs, and strided tensors built as real views (a permuted,
 * stepped, offset or expanded window into a larger base) together with their expected logical
 * values, computed from the recipe without looking at strides.
 */
import fc from 'fast-check';
import type { DType } from '../dtype.js';
import { Tensor } from '../tensor.js';
import '../ops/views.js';
import { castTo, forEachIndex, lcg, type Naive, ravel, size } from './naive.js';

export const DTYPE_LIST: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];
export const dtypeArb = fc.constantFrom<DType>(...DTYPE_LIST);
export const floatDtypeArb = fc.constantFrom<DType>('float32', 'float64');

/** One dim size: mostly 2..maxSize, sometimes 1, rarely 0. */
export function dimArb(maxSize = 4): fc.Arbitrary<number> {
  return fc.oneof(
    { arbitrary: fc.constant(0), weight: 1 },
    { arbitrary: fc.constant(1), weight: 2 },
    { arbitrary: fc.integer({ min: 2, max: Math.max(2, maxSize) }), weight: 6 },
  );
}

export function shapeArb(opts: { minDims?: number; maxDims?: number; maxSize?: number } = {}): fc.Arbitrary<number[]> {
  return fc.array(dimArb(opts.maxSize ?? 4), { minLength: opts.minDims ?? 0, maxLength: opts.maxDims ?? 4 });
}

/**
 * Two shapes that broadcast to a common shape: each is a suffix of the full shape with some dims
 * replaced by 1.
 */
export function broadcastPairArb(opts: { maxDims?: number; maxSize?: number } = {}): fc.Arbitrary<[number[], number[]]> {
  return shapeArb({ maxDims: opts.maxDims ?? 4, maxSize: opts.maxSize ?? 4 }).chain((full) => {
    const operand = fc
      .record({ keep: fc.integer({ min: 0, max: full.length }), ones: fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length }) })
      .map(({ keep, ones }) => full.slice(full.length - keep).map((d, i) => (ones[i + full.length - keep] ? 1 : d)));
    // At least one operand keeps the full shape most of the time, so outputs are not all size 1.
    return fc.tuple(fc.oneof(fc.constant(full), operand), operand).chain(([a, b]) => fc.constantFrom<[number[], number[]]>([a, b], [b, a]));
  });
}

/** How one logical dim of a view is cut from its base. */
export interface DimRecipe {
  /** 0: the whole base dim; 1: a stepped slice with a start; 2: a size-1 base dim expanded (stride 0). */
  mode: number;
  start: number;
  step: number;
  extra: number;
}

export interface LayoutRecipe {
  permSeed: number;
  dims: DimRecipe[];
  /** Put the view at a nonzero offset by selecting index 1 of an extra leading base dim. */
  select: boolean;
}

export function layoutArb(ndim: number): fc.Arbitrary<LayoutRecipe> {
  return fc.record({
    permSeed: fc.nat(),
    dims: fc.array(
      fc.record({ mode: fc.integer({ min: 0, max: 2 }), start: fc.integer({ min: 0, max: 2 }), step: fc.integer({ min: 1, max: 3 }), extra: fc.integer({ min: 0, max: 2 }) }),
      { minLength: ndim, maxLength: ndim },
    ),
    select: fc.boolean(),
  });
}

/** A contiguous layout (for comparison runs). */
export function contiguousRecipe(ndim: number): LayoutRecipe {
  return { permSeed: 0, dims: Array.from({ length: ndim }, () => ({ mode: 0, start: 0, step: 1, extra: 0 })), select: false };
}

function permutation(n: number, seed: number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  if (seed === 0) return p;
  const rnd = lcg(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

export type ValueKind = 'grid' | 'real' | 'special' | 'positive' | 'small';

/** A value for `dtype`: 'grid' multiples of 1/8 in [-8, 8) (sums stay exact), 'real' arbitrary, 'special' adds NaN/±Inf/±0. */
export function randomValue(rnd: () => number, dtype: DType, kind: ValueKind = 'grid'): number {
  if (dtype === 'bool') return rnd() < 0.5 ? 0 : 1;
  if (dtype === 'int32') return kind === 'small' ? Math.floor(rnd() * 7) - 3 : Math.floor(rnd() * 41) - 20;
  switch (kind) {
    case 'real': return castTo(dtype, (rnd() - 0.5) * 8);
    case 'positive': return castTo(dtype, 0.05 + rnd() * 4);
    case 'small': return castTo(dtype, Math.floor(rnd() * 7 - 3) / 2);
    case 'special': {
      const r = rnd();
      if (r < 0.05) return NaN;
      if (r < 0.1) return Infinity;
      if (r < 0.15) return -Infinity;
      if (r < 0.2) return -0;
      return castTo(dtype, (rnd() - 0.5) * 8);
    }
    default: return Math.floor(rnd() * 128 - 64) / 8;
  }
}

export interface Built {
  t: Tensor;
  /** The logical values of `t`, derived from the recipe alone. */
  expected: Naive;
  /** The base tensor `t` is a view of. */
  base: Tensor;
  /** For each logical element of `t` (row-major), its flat position in `base`'s contiguous storage. */
  basePositions: number[];
}

/**
 * Builds a tensor of logical `shape` as a view through `recipe`: a contiguous base (in a permuted
 * dim order, with larger dims and maybe an extra leading dim) is sliced, permuted back and
 * expanded with the library's own view ops; the expected values come from the recipe.
 */
export function buildStrided(
  shape: readonly number[],
  dtype: DType,
  recipe: LayoutRecipe,
  seed: number,
  opts: { allowExpand?: boolean; kind?: ValueKind } = {},
): Built {
  const n = shape.length;
  const perm = permutation(n, recipe.permSeed);
  const dims = shape.map((s, d) => {
    const r = recipe.dims[d] ?? { mode: 0, start: 0, step: 1, extra: 0 };
    const mode = r.mode === 2 && !(opts.allowExpand ?? true) ? 1 : r.mode;
    if (mode === 0 || (mode === 2 && s === 0)) return { mode: 0, start: 0, step: 1, baseSize: s };
    if (mode === 2) return { mode, start: 0, step: 1, baseSize: 1 };
    const baseSize = (s === 0 ? r.start : r.start + (s - 1) * r.step + 1) + r.extra;
    return { mode, start: r.start, step: r.step, baseSize };
  });
  const lead = recipe.select ? [2] : [];
  const baseShape = [...lead, ...perm.map((d) => dims[d]!.baseSize)];
  const base = Tensor.empty(baseShape, dtype);
  const rnd = lcg(seed);
  const buf = base.storage.data;
  for (let i = 0; i < buf.length; i++) buf[i] = randomValue(rnd, dtype, opts.kind);

  let v: Tensor = base;
  if (recipe.select) v = v.select(0, 1);
  perm.forEach((d, j) => {
    const r = dims[d]!;
    if (r.mode === 1) v = v.slice(j, r.start, r.start + (shape[d] === 0 ? 0 : (shape[d]! - 1) * r.step + 1), r.step);
  });
  const inv = new Array<number>(n);
  perm.forEach((d, j) => { inv[d] = j; });
  if (n > 0) v = v.permute(inv);
  if (dims.some((r) => r.mode === 2)) v = v.expand(shape.slice());

  const data: number[] = [];
  const basePositions: number[] = [];
  forEachIndex(shape, (idx) => {
    const b = [...(recipe.select ? [1] : []), ...perm.map((d) => (dims[d]!.mode === 2 ? 0 : dims[d]!.start + idx[d]! * dims[d]!.step))];
    const p = ravel(b, baseShape);
    basePositions.push(p);
    data.push(buf[p]!);
  });
  return { t: v, expected: { shape: shape.slice(), data }, base, basePositions };
}

/** A contiguous tensor with random values (seeded) and its values. */
export function randomTensor(shape: readonly number[], dtype: DType, seed: number, kind: ValueKind = 'grid'): { t: Tensor; expected: Naive } {
  const t = Tensor.empty(shape, dtype);
  const rnd = lcg(seed);
  const buf = t.storage.data;
  for (let i = 0; i < size(shape); i++) buf[i] = randomValue(rnd, dtype, kind);
  return { t, expected: { shape: shape.slice(), data: Array.from(buf) } };
}

/** fast-check settings shared by the suites: deterministic per run when FC_SEED is set. */
export const fcOptions = (numRuns = 100): fc.Parameters<unknown> => {
  const seed = process.env['FC_SEED'];
  return seed === undefined ? { numRuns } : { numRuns, seed: Number(seed) };
};
