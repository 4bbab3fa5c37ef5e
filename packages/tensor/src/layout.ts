/**
 * Shapes, strides and broadcasting: every index computation of the library lives here.
 * A tensor is a view `{shape, strides, offset}` over a flat buffer; element (i0, i1, ...) is at
 * `offset + i0*strides[0] + i1*strides[1] + ...`. Strides are in elements, never bytes.
 */

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/** True when the view covers its elements in row-major order with no gaps (size-1 dims may have any stride). */
export function isContiguousLayout(shape: readonly number[], strides: readonly number[]): boolean {
  // An empty tensor has no elements to be out of order, whatever its strides (as in PyTorch).
  if (numel(shape) === 0) return true;
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    if (d === 1) continue;
    if (strides[i] !== expected) return false;
    expected *= d;
  }
  return true;
}

export function shapeToString(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Resolves a possibly negative dim against `ndim`, as PyTorch does; `ndim` 0 accepts -1 and 0. */
export function normalizeDim(dim: number, ndim: number, what = 'dim'): number {
  if (!Number.isInteger(dim)) throw new TypeError(`${what} must be an integer, got ${dim}`);
  const n = Math.max(ndim, 1);
  if (dim < -n || dim >= n) {
    throw new RangeError(`${what} ${dim} is out of range for a tensor with ${ndim} dimension${ndim === 1 ? '' : 's'} (expected in [${-n}, ${n - 1}])`);
  }
  return dim < 0 ? dim + n : dim;
}

/** Normalizes and de-duplicates a list of dims; `undefined` means all dims. Returned sorted ascending. */
export function normalizeDims(dims: number | readonly number[] | undefined, ndim: number): number[] {
  if (dims === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dims === 'number' ? [dims] : dims;
  const out = list.map((d) => normalizeDim(d, ndim));
  const set = new Set(out);
  if (set.size !== out.length) throw new RangeError(`dim ${JSON.stringify(list)} appears multiple times in the list of dims`);
  return out.sort((a, b) => a - b);
}

/** NumPy broadcasting of two shapes; throws naming both shapes when they are incompatible. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)]!;
    const db = i < n - b.length ? 1 : b[i - (n - b.length)]!;
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else {
      throw new RangeError(
        `shapes ${shapeToString(a)} and ${shapeToString(b)} cannot be broadcast together (dimension ${i}: ${da} vs ${db})`,
      );
    }
  }
  return out;
}

/**
 * Strides that read a `shape`/`strides` view as if it had been expanded to `target`:
 * new leading dims and size-1 dims get stride 0.
 */
export function broadcastStrides(shape: readonly number[], strides: readonly number[], target: readonly number[]): number[] {
  const n = target.length;
  const lead = n - shape.length;
  if (lead < 0) throw new RangeError(`cannot broadcast shape ${shapeToString(shape)} to ${shapeToString(target)}`);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    if (i < lead) { out[i] = 0; continue; }
    const d = shape[i - lead]!;
    if (d === target[i]) out[i] = d === 1 ? 0 : strides[i - lead]!;
    else if (d === 1) out[i] = 0;
    else throw new RangeError(`cannot broadcast shape ${shapeToString(shape)} to ${shapeToString(target)}`);
  }
  return out;
}

export function assertValidShape(shape: readonly number[], what = 'shape'): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`${what} ${shapeToString(shape)} must contain non-negative integers`);
  }
}

/**
 * Shape for `view`/`reshape` with at most one -1, checked against the element count.
 */
export function inferShape(shape: readonly number[], n: number, from: readonly number[]): number[] {
  let infer = -1;
  let known = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (d === -1) {
      if (infer !== -1) throw new RangeError(`only one dimension can be inferred (-1) in shape ${shapeToString(shape)}`);
      infer = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new RangeError(`invalid shape dimension ${d} in ${shapeToString(shape)}`);
    } else known *= d;
  }
  const out = shape.slice();
  if (infer !== -1) {
    if (known === 0) {
      throw new RangeError(
        `cannot reshape a tensor of ${n} elements (shape ${shapeToString(from)}) into shape ${shapeToString(shape)}: the -1 dimension could be any size`,
      );
    }
    if (n % known !== 0) {
      throw new RangeError(`shape ${shapeToString(shape)} is invalid for input of size ${n} (shape ${shapeToString(from)})`);
    }
    out[infer] = n / known;
  } else if (known !== n) {
    throw new RangeError(`shape ${shapeToString(shape)} is invalid for input of size ${n} (shape ${shapeToString(from)})`);
  }
  return out;
}

/**
 * Strides for viewing `(shape, strides)` as `newShape` without copying, or null when the memory
 * layout does not allow it (PyTorch's `computeStride`: dims may be merged only where contiguous).
 */
export function viewStrides(shape: readonly number[], strides: readonly number[], newShape: readonly number[]): number[] | null {
  const n = numel(shape);
  if (n === 0 || shape.length === 0) return contiguousStrides(newShape);
  const newStrides = new Array<number>(newShape.length).fill(0);
  let viewD = newShape.length - 1;
  let chunkBase = strides[strides.length - 1]!;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d]!;
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = strides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return null;
  return newStrides;
}
