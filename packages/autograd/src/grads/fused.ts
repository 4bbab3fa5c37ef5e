import { type Tensor, Tensor as TensorClass, isGradEnabled, matmul, mul, softmax, sub, sum } from '@tsgrad/tensor';
import { markFresh } from '../fresh.js';
import { def, sumTo } from './util.js';

/**
 * Gradients of tensor's fused ops (ops/fused.ts). Written with tensor ops, so they are recorded
 * under createGraph (double backward); logSoftmaxNll also has a one-pass loop for the usual case
 * (first-order backward), which computes the same values.
 */

// out = input + mat1·mat2: d input = g summed to its shape, d mat1 = g·mat2ᵀ, d mat2 = mat1ᵀ·g
// (transposes are strided views the matmul kernel reads directly).
def('addmm', { saveInputs: true }, (g, { inputs: [input, mat1, mat2] }, needs) => {
  let gi: Tensor | null = null;
  if (needs[0]) {
    const s = input!.shape;
    gi = s.length === 1 && s[0] === g.shape[1] ? markFresh(sum(g, 0)) : sumTo(g, s);
  }
  return [
    gi,
    needs[1] ? markFresh(matmul(g, mat2!.mT)) : null,
    needs[2] ? markFresh(matmul(mat1!.mT, g)) : null,
  ];
});

// out = x·Wᵀ + b: d x = g·W, d W = gᵀ·x (contiguous, handed to the leaf whole), d b = Σ_rows g.
def('linear', { saveInputs: true }, (g, { inputs: [x, w] }, needs) => [
  needs[0] ? markFresh(matmul(g, w!)) : null,
  needs[1] ? markFresh(matmul(g.mT, x!)) : null,
  needs[2] ? markFresh(sum(g, 0)) : null,
]);

/** rowMax / rowSum: each row's max and sum of exp(x - max), as the forward pass computed them. */
interface NllAttrs { labels: Int32Array; ignoreIndex: number; reduction: 'mean' | 'sum' | 'none'; count: number; rowMax: Float64Array; rowSum: Float64Array }

// loss_n = lse(x_n) - x_n[t_n]: d x_n = (softmax(x_n) - onehot(t_n)) · scale_n, scale_n = g (sum),
// g / count (mean) or g_n (none), and 0 for ignored samples.
def('logSoftmaxNll', { saveInputs: true }, (g, { inputs: [x], attrs }) => {
  const { labels, ignoreIndex, reduction, count, rowMax, rowSum } = attrs as NllAttrs;
  const input = x!;
  const [n, c] = input.shape as [number, number];
  if (isGradEnabled() && (g.requiresGrad || input.requiresGrad)) {
    // createGraph: the same formula as recorded ops, so it can be differentiated again.
    const onehot = TensorClass.empty([n, c], input.dtype);
    const valid = TensorClass.empty([n, 1], input.dtype);
    for (let r = 0; r < n; r++) {
      const k = labels[r]!;
      if (k === ignoreIndex) continue;
      onehot.storage.data[r * c + k] = 1;
      valid.storage.data[r] = reduction === 'mean' ? 1 / count : 1;
    }
    const scale = reduction === 'none' ? mul(g.reshape(n, 1), valid) : mul(g, valid);
    return [mul(sub(softmax(input, 1), onehot), scale)];
  }
  const out = TensorClass.empty([n, c], input.dtype);
  const o = out.storage.data;
  const xs = input.storage.data;
  const xo = input.offset;
  const [sr, sc] = input.strides as [number, number];
  const gs = g.storage.data;
  const gScalar = reduction === 'none' ? 0 : gs[g.offset]!;
  for (let r = 0; r < n; r++) {
    const k = labels[r]!;
    if (k === ignoreIndex) continue;
    const scale = reduction === 'none' ? gs[g.offset + r * g.strides[0]!]! : reduction === 'mean' ? gScalar * (1 / count) : gScalar;
    const row = xo + r * sr;
    const m = rowMax[r]!;
    const inv = 1 / rowSum[r]!;
    const base = r * c;
    for (let j = 0; j < c; j++) o[base + j] = (Math.exp(xs[row + j * sc]! - m) * inv - (j === k ? 1 : 0)) * scale;
  }
  return [markFresh(out)];
});
