import { type Tensor, cat, full } from '@tsgrad/tensor';
import { assertTensor, shapeStr } from './util.js';

/**
 * Constant padding of the last dims (torch.nn.functional.pad, mode 'constant'): `pad` lists
 * (before, after) pairs starting from the last dim, e.g. [left, right, top, bottom]. Negative
 * amounts crop. Built from cat and narrow, so gradients flow to the input.
 */
export function pad(x: Tensor, padding: readonly number[], value = 0): Tensor {
  assertTensor(x, 'pad: input');
  if (!Array.isArray(padding) || padding.length % 2 !== 0 || padding.length / 2 > x.ndim || padding.some((p) => !Number.isInteger(p))) {
    throw new RangeError(`pad: padding must be an even number of integers (2 per dim, at most ${2 * x.ndim} for shape ${shapeStr(x.shape)}), got ${JSON.stringify(padding)}`);
  }
  let y = x;
  for (let i = 0; i < padding.length / 2; i++) {
    const dim = x.ndim - 1 - i;
    const before = padding[2 * i]!;
    const after = padding[2 * i + 1]!;
    const size = y.shape[dim]!;
    if (size + Math.min(before, 0) + Math.min(after, 0) < 0) {
      throw new RangeError(`pad: cropping ${-Math.min(before, 0)} + ${-Math.min(after, 0)} exceeds dimension ${dim} of size ${size}`);
    }
    // Crops first, then constant blocks on either side.
    if (before < 0 || after < 0) y = y.narrow(dim, Math.max(-before, 0), size + Math.min(before, 0) + Math.min(after, 0));
    const block = (n: number) => full(y.shape.map((d, k) => (k === dim ? n : d)), value, { dtype: y.dtype });
    const parts = [...(before > 0 ? [block(before)] : []), y, ...(after > 0 ? [block(after)] : [])];
    if (parts.length > 1) y = cat(parts, dim);
  }
  return y;
}
