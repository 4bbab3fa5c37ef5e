import { type Tensor, gather, indexAdd, indexSelect, scatter, scatterAdd, where, zeros } from '@tsgrad/tensor';
import { def } from './util.js';

/**
 * Gradients of tensor's ops/indexing.ts. Each is written with the op's adjoint (gather <->
 * scatterAdd, indexSelect <-> indexAdd), so double backward goes through the adjoint's formula.
 * `index` in attrs is the normalised int32 index tensor the op used.
 */
interface IndexAttrs { dim: number; index: Tensor }

const zerosOf = (shape: readonly number[], g: Tensor) => zeros(shape as number[], { dtype: g.dtype });

// out = x.gather(dim, index): dx = zeros.scatterAdd(dim, index, g)
def('gather', {}, (g, { meta: [x], attrs }) => {
  const { dim, index } = attrs as IndexAttrs;
  return [scatterAdd(zerosOf(x!.shape, g), dim, index, g)];
});

// out = self with src written at index: written positions of self get no gradient; src[i] gets
// the gradient of the position it was written to.
def('scatter', {}, (g, { attrs }, needs) => {
  const { dim, index } = attrs as IndexAttrs;
  return [needs[0] ? scatter(g, dim, index, 0) : null, needs[1] ? gather(g, dim, index) : null];
});

def('scatterAdd', {}, (g, { attrs }, needs) => {
  const { dim, index } = attrs as IndexAttrs;
  return [needs[0] ? g : null, needs[1] ? gather(g, dim, index) : null];
});

// out = x.indexSelect(dim, index): dx = zeros.indexAdd(dim, index, g)
def('indexSelect', {}, (g, { meta: [x], attrs }) => {
  const { dim, index } = attrs as IndexAttrs;
  if (x!.shape.length === 0) return [g.reshape([])];
  return [indexAdd(zerosOf(x!.shape, g), dim, index, g)];
});

def('indexAdd', {}, (g, { meta: [self, src], attrs }, needs) => {
  const { dim, index } = attrs as IndexAttrs;
  if (self!.shape.length === 0) return [needs[0] ? g : null, needs[1] ? g.mul(index.numel()).reshape(src!.shape) : null];
  return [needs[0] ? g : null, needs[1] ? indexSelect(g, dim, index) : null];
});

// out = mask ? value : x: the filled positions get no gradient.
def('maskedFill', {}, (g, { attrs }) => {
  const { mask } = attrs as { mask: Tensor };
  return [where(mask, 0, g)];
});
