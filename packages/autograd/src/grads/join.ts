import { def } from './util.js';

/**
 * Gradients of tensor's ops/join.ts. Only cat is recorded (stack, split, chunk, flip, repeat ...
 * are built from recorded ops): each input gets its own stretch of the gradient along `dim`.
 */
def('cat', {}, (g, { attrs }, needs) => {
  const { dim, sizes } = attrs as { dim: number; sizes: number[] };
  let start = 0;
  return sizes.map((size, i) => {
    const part = needs[i] ? g.narrow(dim, start, size) : null;
    start += size;
    return part;
  });
});
