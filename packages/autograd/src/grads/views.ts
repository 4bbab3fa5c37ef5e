import type { Tensor } from '@tsgrad/tensor';
import { def, embed, sumTo } from './util.js';

/**
 * Gradients of the view ops in tensor's ops/views.ts (plus clone and cast). A view that picks part
 * of its input (slice, select, diagonal) sends its gradient into zeros of the input's shape through
 * the same view; that scatter is itself recorded ('sliceBackward' ...) so double backward works.
 */

def('reshape', {}, (g, { meta: [x] }) => [g.reshape(x!.shape)]);

def('transpose', {}, (g, { attrs }) => {
  const { dim0, dim1 } = attrs as { dim0: number; dim1: number };
  return [g.transpose(dim0, dim1)];
});

def('permute', {}, (g, { attrs }) => {
  const dims = (attrs as { dims: number[] }).dims;
  const inverse = new Array<number>(dims.length);
  dims.forEach((d, i) => { inverse[d] = i; });
  return [g.permute(inverse)];
});

def('expand', {}, (g, { meta: [x] }) => [sumTo(g, x!.shape)]);

interface SliceAttrs { dim: number; start: number; step: number; length: number }
const sliceView = (t: Tensor, a: SliceAttrs) => t.slice(a.dim, a.start, a.start + (a.length - 1) * a.step + 1, a.step);
def('slice', {}, (g, { meta: [x], attrs }) => {
  const { dim, start, step } = attrs as { dim: number; start: number; step: number };
  const a: SliceAttrs = { dim, start, step, length: g.shape[dim]! };
  if (a.length === 0) return [embed(g, x!.shape, (z) => z.slice(dim, 0, 0), 'sliceBackward', a)];
  return [embed(g, x!.shape, (z) => sliceView(z, a), 'sliceBackward', a)];
});
def('sliceBackward', {}, (g, { attrs }) => {
  const a = attrs as SliceAttrs;
  return [a.length === 0 ? g.slice(a.dim, 0, 0) : sliceView(g, a)];
});

def('select', {}, (g, { meta: [x], attrs }) => {
  const { dim, index } = attrs as { dim: number; index: number };
  return [embed(g, x!.shape, (z) => z.select(dim, index), 'selectBackward', attrs)];
});
def('selectBackward', {}, (g, { attrs }) => {
  const { dim, index } = attrs as { dim: number; index: number };
  return [g.select(dim, index)];
});

def('diagonal', {}, (g, { meta: [x], attrs }) => {
  const { offset, dim1, dim2 } = attrs as { offset: number; dim1: number; dim2: number };
  return [embed(g, x!.shape, (z) => z.diagonal(offset, dim1, dim2), 'diagonalBackward', attrs)];
});
def('diagonalBackward', {}, (g, { attrs }) => {
  const { offset, dim1, dim2 } = attrs as { offset: number; dim1: number; dim2: number };
  return [g.diagonal(offset, dim1, dim2)];
});

def('clone', {}, (g) => [g]);
// A float dtype change: the gradient is cast back to the input's dtype.
def('cast', {}, (g, { meta: [x] }) => [g.to(x!.dtype)]);
