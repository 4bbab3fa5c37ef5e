import { Tensor } from '../tensor.js';
import { broadcastShapes, shapeToString } from '../layout.js';
import { broadcastView } from './util.js';
import { jsBackend } from '../backend/js/index.js';

/** Tolerances for `allclose`/`assertClose`: |a - b| <= atol + rtol * |b|. */
export interface CloseOptions {
  rtol?: number;
  atol?: number;
  /** NaN compares equal to NaN (default false). */
  equalNan?: boolean;
}

function defaults(a: Tensor | number[], opts: CloseOptions): Required<CloseOptions> {
  const f64 = a instanceof Tensor && a.dtype === 'float64';
  return { rtol: opts.rtol ?? (f64 ? 1e-7 : 1.3e-6), atol: opts.atol ?? (f64 ? 1e-7 : 1e-5), equalNan: opts.equalNan ?? false };
}

interface Mismatch { index: number; actual: number; expected: number; count: number; total: number }

function compare(actual: Tensor, expected: Tensor, o: Required<CloseOptions>): Mismatch | null {
  const shape = broadcastShapes(actual.shape, expected.shape);
  const n = shape.reduce((x, y) => x * y, 1);
  const av = new Float64Array(n);
  const bv = new Float64Array(n);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((x, y) => x * y, 1));
  jsBackend.copy(broadcastView(actual, shape), { buffer: av, shape, strides, offset: 0 });
  jsBackend.copy(broadcastView(expected, shape), { buffer: bv, shape, strides, offset: 0 });
  let first: Mismatch | null = null;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const x = av[i]!, y = bv[i]!;
    const ok = x === y || (o.equalNan && x !== x && y !== y) || Math.abs(x - y) <= o.atol + o.rtol * Math.abs(y);
    if (!ok) {
      count++;
      if (first === null) first = { index: i, actual: x, expected: y, count: 0, total: n };
    }
  }
  if (first !== null) first.count = count;
  return first;
}

function asTensor(x: Tensor | number | number[] | number[][] | number[][][], like: Tensor): Tensor {
  if (x instanceof Tensor) return x;
  const flat = (Array.isArray(x) ? (x as unknown[]).flat(Infinity) : [x]) as number[];
  const shape: number[] = [];
  let p: unknown = x;
  while (Array.isArray(p)) { shape.push(p.length); p = p[0]; }
  const t = Tensor.empty(shape, like.dtype === 'bool' ? 'bool' : 'float64');
  t.storage.data.set(flat.map(Number));
  return t;
}

/** Whether all elements are close (torch.allclose); shapes must broadcast. */
export function allclose(actual: Tensor, expected: Tensor, opts: CloseOptions = {}): boolean {
  return compare(actual, expected, defaults(actual, opts)) === null;
}

/**
 * Throws a descriptive error when `actual` is not close to `expected` (torch.testing.assert_close):
 * the shapes, or the number of mismatches and the first mismatching index with both values.
 */
export function assertClose(actual: Tensor, expected: Tensor | number | number[] | number[][] | number[][][], opts: CloseOptions = {}): void {
  const exp = asTensor(expected, actual);
  if (actual.numel() !== exp.numel() || actual.ndim !== exp.ndim || actual.shape.some((d, i) => d !== exp.shape[i])) {
    throw new Error(`assertClose: shape mismatch: actual ${shapeToString(actual.shape)}, expected ${shapeToString(exp.shape)}`);
  }
  const m = compare(actual, exp, defaults(actual, opts));
  if (m !== null) {
    const idx: number[] = [];
    let r = m.index;
    for (let d = actual.ndim - 1; d >= 0; d--) { idx.unshift(r % actual.shape[d]!); r = Math.floor(r / actual.shape[d]!); }
    throw new Error(
      `assertClose: ${m.count} of ${m.total} elements differ; first at [${idx.join(', ')}]: actual ${m.actual}, expected ${m.expected}`,
    );
  }
}
