/**
 * Naive element-by-element reference implementations for the property tests.
 *
 * Everything here is deliberately simple and independent of the library's layout code and
 * kernels: arrays are plain row-major `number[]` with a shape, every op walks multi-indices one
 * element at a time, and tensors are read by evaluating `offset + Σ i_d·stride_d` directly.
 * (Not part of the build: tsconfig excludes src/**\/test-utils/**.)
 */
import type { DType } from '../dtype.js';
import type { Tensor } from '../tensor.js';

/** A dense row-major array of logical values (bools as 0/1). */
export interface Naive {
  shape: number[];
  data: number[];
}

/** A tiny seeded generator (Numerical Recipes LCG) so tests need no random module. Returns [0, 1). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

export function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Calls `fn` with every multi-index of `shape` in row-major order (once with [] for a 0-d shape). */
export function forEachIndex(shape: readonly number[], fn: (idx: number[], flat: number) => void): void {
  const n = size(shape);
  const idx = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < n; flat++) {
    fn(idx.slice(), flat);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
}

export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d]! + idx[d]!;
  return flat;
}

export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return idx;
}

/** Reads a tensor's logical elements straight from its storage through shape/strides/offset. */
export function readElements(t: Tensor): Naive {
  const data: number[] = [];
  const buf = t.storage.data;
  forEachIndex(t.shape, (idx) => {
    let p = t.offset;
    for (let d = 0; d < idx.length; d++) p += idx[d]! * t.strides[d]!;
    data.push(buf[p]!);
  });
  return { shape: t.shape.slice(), data };
}

/** Nested arrays (as `toArray()` returns them), booleans for bool. */
export function toNested(a: Naive, dtype: DType = 'float64'): unknown {
  const conv = (v: number) => (dtype === 'bool' ? v !== 0 : v);
  if (a.shape.length === 0) return conv(a.data[0]!);
  let pos = 0;
  const build = (d: number): unknown[] => {
    const out: unknown[] = [];
    for (let i = 0; i < a.shape[d]!; i++) out.push(d === a.shape.length - 1 ? conv(a.data[pos++]!) : build(d + 1));
    return out;
  };
  return build(0);
}

/** Value a JS number becomes when stored as `dtype` (written without typed arrays). */
export function castTo(dtype: DType, x: number): number {
  switch (dtype) {
    case 'bool': return x !== 0 ? 1 : 0; // NaN is nonzero: true
    case 'int32': {
      if (!Number.isFinite(x)) return 0;
      const t = Math.trunc(x);
      // Modular wrap into [-2^31, 2^31), as a typed-array store does.
      const m = ((t % 4294967296) + 4294967296) % 4294967296;
      return m >= 2147483648 ? m - 4294967296 : m;
    }
    case 'float32': return Math.fround(x);
    case 'float64': return x;
  }
}

/** PyTorch's promotion lattice for our four dtypes, written as an explicit table. */
const PROMOTE: Record<DType, Record<DType, DType>> = {
  bool: { bool: 'bool', int32: 'int32', float32: 'float32', float64: 'float64' },
  int32: { bool: 'int32', int32: 'int32', float32: 'float32', float64: 'float64' },
  float32: { bool: 'float32', int32: 'float32', float32: 'float32', float64: 'float64' },
  float64: { bool: 'float64', int32: 'float64', float32: 'float64', float64: 'float64' },
};
export function promote(a: DType, b: DType): DType {
  return PROMOTE[a][b];
}

/** Independent NumPy broadcasting (returns null when incompatible). */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Element of `a` read at `idx` of a (broadcast) output shape. */
export function getBroadcast(a: Naive, idx: readonly number[]): number {
  const lead = idx.length - a.shape.length;
  let flat = 0;
  for (let d = 0; d < a.shape.length; d++) flat = flat * a.shape[d]! + (a.shape[d] === 1 ? 0 : idx[d + lead]!);
  return a.data[flat]!;
}

export function naiveMap(a: Naive, f: (x: number) => number): Naive {
  return { shape: a.shape.slice(), data: a.data.map(f) };
}

export function naiveZip(arrays: readonly Naive[], f: (...xs: number[]) => number): Naive {
  let shape: number[] = [];
  for (const a of arrays) {
    const s = broadcastShape(shape, a.shape);
    if (s === null) throw new Error('naiveZip: shapes do not broadcast');
    shape = s;
  }
  const data: number[] = [];
  forEachIndex(shape, (idx) => data.push(f(...arrays.map((a) => getBroadcast(a, idx)))));
  return { shape, data };
}

/** Folds `a` over `dims` (sorted or not) with `f`, starting each output from `init`. */
export function naiveReduce(a: Naive, dims: readonly number[], keepdim: boolean, init: number, f: (acc: number, x: number) => number): Naive {
  const keptShape = a.shape.map((s, d) => (dims.includes(d) ? 1 : s));
  const acc = new Array<number>(size(keptShape)).fill(init);
  forEachIndex(a.shape, (idx, flat) => {
    const o = ravel(idx.map((i, d) => (dims.includes(d) ? 0 : i)), keptShape);
    acc[o] = f(acc[o]!, a.data[flat]!);
  });
  return { shape: keepdim ? keptShape : a.shape.filter((_, d) => !dims.includes(d)), data: acc };
}

/** Applies `f` to each line of `a` along `dim` (a list of values in, a list of the same length out). */
export function naiveAlongDim(a: Naive, dim: number, f: (line: number[]) => number[]): Naive {
  const out = new Array<number>(a.data.length).fill(0);
  const outerShape = a.shape.map((s, d) => (d === dim ? 1 : s));
  forEachIndex(outerShape, (base) => {
    const line: number[] = [];
    const pos: number[] = [];
    for (let i = 0; i < a.shape[dim]!; i++) {
      const idx = base.slice();
      idx[dim] = i;
      const p = ravel(idx, a.shape);
      pos.push(p);
      line.push(a.data[p]!);
    }
    const res = f(line);
    pos.forEach((p, i) => { out[p] = res[i]!; });
  });
  return { shape: a.shape.slice(), data: out };
}

/** torch.matmul semantics with plain triple loops (exact double accumulation in k order). */
export function naiveMatmul(a: Naive, b: Naive): Naive {
  const A = a.shape.length === 1 ? { shape: [1, a.shape[0]!], data: a.data } : a;
  const B = b.shape.length === 1 ? { shape: [b.shape[0]!, 1], data: b.data } : b;
  const M = A.shape[A.shape.length - 2]!, K = A.shape[A.shape.length - 1]!;
  const N = B.shape[B.shape.length - 1]!;
  if (B.shape[B.shape.length - 2] !== K) throw new Error('naiveMatmul: inner dims differ');
  const batch = broadcastShape(A.shape.slice(0, -2), B.shape.slice(0, -2));
  if (batch === null) throw new Error('naiveMatmul: batch dims do not broadcast');
  const data: number[] = [];
  const aBatch = { shape: A.shape.slice(0, -2), data: [] as number[] };
  const bBatch = { shape: B.shape.slice(0, -2), data: [] as number[] };
  aBatch.data = Array.from({ length: size(aBatch.shape) }, (_, i) => i);
  bBatch.data = Array.from({ length: size(bBatch.shape) }, (_, i) => i);
  forEachIndex(batch, (bi) => {
    const ab = getBroadcast(aBatch, bi) * M * K;
    const bb = getBroadcast(bBatch, bi) * K * N;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += A.data[ab + i * K + k]! * B.data[bb + k * N + j]!;
        data.push(s);
      }
    }
  });
  const shape = [...batch, ...(a.shape.length === 1 ? [] : [M]), ...(b.shape.length === 1 ? [] : [N])];
  return { shape, data };
}

/** Equality of numbers where NaN equals NaN and 0 equals -0. */
export function sameValue(x: number, y: number): boolean {
  return x === y || (x !== x && y !== y);
}

/** Describes the first differing element (or null): used in property-test assertions. */
export function firstDifference(actual: Naive, expected: Naive, tol: { rtol?: number; atol?: number } = {}): string | null {
  if (actual.shape.length !== expected.shape.length || actual.shape.some((d, i) => d !== expected.shape[i])) {
    return `shape [${actual.shape.join(', ')}] != expected [${expected.shape.join(', ')}]`;
  }
  const rtol = tol.rtol ?? 0, atol = tol.atol ?? 0;
  for (let i = 0; i < expected.data.length; i++) {
    const x = actual.data[i]!, y = expected.data[i]!;
    if (sameValue(x, y)) continue;
    if (Number.isFinite(x) && Number.isFinite(y) && Math.abs(x - y) <= atol + rtol * Math.abs(y)) continue;
    return `element ${i} (index [${unravel(i, expected.shape).join(', ')}]): actual ${x}, expected ${y}`;
  }
  return null;
}
