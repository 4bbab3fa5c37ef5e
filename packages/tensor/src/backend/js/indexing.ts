import type { View } from '../backend.js';
import { forEachLine } from './strided-loop.js';

/** Negative indices count from the end, as in PyTorch's indexSelect/gather; the error names the index as given. */
function resolve(i: number, size: number, dim: number, op: string): number {
  const r = i < 0 ? i + size : i;
  if (r < 0 || r >= size) throw new RangeError(`${op}: index ${i} is out of bounds for dimension ${dim} with size ${size}`);
  return r;
}

export function gather(x: View, dim: number, index: View, out: View): void {
  const len = index.shape[dim]!;
  const size = x.shape[dim]!;
  const sx = x.strides[dim]!, si = index.strides[dim]!, so = out.strides[dim]!;
  const xb = x.buffer, ib = index.buffer, ob = out.buffer;
  // x is walked with index's shape: dims other than `dim` use x's strides (index may be smaller than x there).
  forEachLine(index.shape, [x.strides, index.strides, out.strides], [x.offset, index.offset, out.offset], dim, (b) => {
    for (let j = 0; j < len; j++) {
      const k = resolve(ib[b[1]! + j * si]!, size, dim, 'gather');
      ob[b[2]! + j * so] = xb[b[0]! + k * sx]!;
    }
  });
}

export function scatter(out: View, dim: number, index: View, src: View, accumulate: boolean): void {
  const len = index.shape[dim]!;
  const size = out.shape[dim]!;
  const so = out.strides[dim]!, si = index.strides[dim]!, ss = src.strides[dim]!;
  const ob = out.buffer, ib = index.buffer, sb = src.buffer;
  forEachLine(index.shape, [out.strides, index.strides, src.strides], [out.offset, index.offset, src.offset], dim, (b) => {
    for (let j = 0; j < len; j++) {
      const k = resolve(ib[b[1]! + j * si]!, size, dim, 'scatter');
      const p = b[0]! + k * so;
      const v = sb[b[2]! + j * ss]!;
      ob[p] = accumulate ? ob[p]! + v : v;
    }
  });
}

/** Copies (`add` false) or adds the slices of `src` along `dim` to the slices of `out` named by `index`. */
function sliceLoop(a: View, dim: number, index: View, b: View, aIsSelected: boolean, add: boolean, op: string): void {
  const n = index.shape[0]!;
  const size = (aIsSelected ? a : b).shape[dim]!;
  const ib = index.buffer;
  const sel = aIsSelected ? a : b;
  const other = aIsSelected ? b : a;
  const ab = a.buffer, bb = b.buffer;
  // Walk every element of the `other` view (whose dim has length n), mapping position j to index[j] in `sel`.
  const selStrides = sel.strides.slice();
  const ks = new Int32Array(n);
  for (let j = 0; j < n; j++) ks[j] = resolve(ib[index.offset + j * index.strides[0]!]!, size, dim, op);
  const sd = sel.strides[dim]!, od = other.strides[dim]!;
  selStrides[dim] = 0;
  forEachLine(other.shape, [selStrides, other.strides], [sel.offset, other.offset], dim, (base) => {
    for (let j = 0; j < n; j++) {
      const ps = base[0]! + ks[j]! * sd;
      const po = base[1]! + j * od;
      if (aIsSelected) {
        // a = out (selected by index), b = src
        ab[ps] = add ? ab[ps]! + bb[po]! : bb[po]!;
      } else {
        // a = out (dense), b = x (selected by index)
        ab[po] = bb[ps]!;
      }
    }
  });
}

export function indexSelect(x: View, dim: number, index: View, out: View): void {
  sliceLoop(out, dim, index, x, false, false, 'indexSelect');
}

export function indexAdd(out: View, dim: number, index: View, src: View): void {
  sliceLoop(out, dim, index, src, true, true, 'indexAdd');
}
