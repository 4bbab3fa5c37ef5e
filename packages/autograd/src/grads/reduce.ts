import {
  type Tensor, arange, cumsum, div, eq, exp, mul, prod, sub, sum, where,
} from '@tsgrad/tensor';
import type { InputMeta } from '../node.js';
import { def, keepDims } from './util.js';

/** Gradients of the reductions and scans in tensor's ops/reduce.ts. */

interface DimsAttrs { dims: number[]; keepdim: boolean }

def('sum', {}, (g, { meta: [x], attrs }) => {
  const { dims, keepdim } = attrs as DimsAttrs;
  return [keepDims(g, dims, keepdim, x!.shape).expand(x!.shape)];
});

/** prod over `dims` (one dim, or all of them) with keepdim, as tensor's prod allows. */
function prodKeep(t: Tensor, dims: readonly number[]): Tensor {
  if (dims.length === 1 && t.ndim > 1) return prod(t, dims[0], true);
  return prod(t).reshape(t.shape.map(() => 1));
}

def('prod', { saveInputs: true, saveOutput: true }, (g, { inputs: [x], output, attrs }) => {
  const { dims, keepdim } = attrs as DimsAttrs;
  const xs = x!;
  const gk = keepDims(g, dims, keepdim, xs.shape);
  const outK = keepDims(output!, dims, keepdim, xs.shape);
  // Without zeros d prod / d x_i = prod / x_i. With one zero in a slice only that element gets a
  // gradient (the product of the others); with two or more, none does. Zeros are replaced by 1
  // before dividing so that no branch of `where` produces inf/NaN (it would leak into double backward).
  const isZero = eq(xs, 0);
  const zerosInSlice = sum(isZero.to(xs.dtype), dims, true);
  const safe = where(isZero, 1, xs);
  const othersIfOneZero = prodKeep(safe, dims);
  const local = where(
    eq(zerosInSlice, 0),
    div(outK, safe),
    where(logicalAndEq(isZero, zerosInSlice, 1), othersIfOneZero, 0),
  );
  return [mul(gk.expand(xs.shape), local)];
});

function logicalAndEq(mask: Tensor, counts: Tensor, n: number): Tensor {
  return mask.logicalAnd(eq(counts, n));
}

/** amax/amin: the gradient is shared evenly among the elements equal to the extreme (torch). */
function extremeGrad(g: Tensor, x: Tensor, out: Tensor, attrs: DimsAttrs): Tensor {
  const { dims, keepdim } = attrs;
  const hit = eq(x, keepDims(out, dims, keepdim, x.shape)).to(x.dtype);
  const count = sum(hit, dims, true);
  return mul(div(keepDims(g, dims, keepdim, x.shape), count), hit);
}
def('amax', { saveInputs: true, saveOutput: true }, (g, { inputs: [x], output, attrs }) => [extremeGrad(g, x!, output!, attrs as DimsAttrs)]);
def('amin', { saveInputs: true, saveOutput: true }, (g, { inputs: [x], output, attrs }) => [extremeGrad(g, x!, output!, attrs as DimsAttrs)]);

/** max/min along a dim: the gradient goes to the selected element (the returned index). */
function routeToIndex(g: Tensor, x: InputMeta, attrs: { dim: number; keepdim: boolean; indices: Tensor }): Tensor {
  const { dim, keepdim, indices } = attrs;
  if (x.shape.length === 0) return g;
  const gk = keepDims(g, [dim], keepdim, x.shape);
  const ik = keepDims(indices, [dim], keepdim, x.shape);
  const positions = arange(x.shape[dim]!).reshape(x.shape.map((s, i) => (i === dim ? s : 1)));
  return where(eq(positions, ik), gk, 0);
}
def('maxDim', {}, (g, { meta: [x], attrs }) => [routeToIndex(g, x!, attrs)]);
def('minDim', {}, (g, { meta: [x], attrs }) => [routeToIndex(g, x!, attrs)]);

// Reverse cumulative sum: out_j = Σ_{i<=j} x_i, so dx_i = Σ_{j>=i} g_j = total - cumsum(g)_i + g_i.
def('cumsum', {}, (g, { meta: [x], attrs }) => {
  const { dim } = attrs as { dim: number };
  if (x!.shape.length === 0) return [g];
  return [g.add(sum(g, dim, true)).sub(cumsum(g, dim))];
});

// y = softmax(x): dx = y·(g - Σ g·y)
def('softmax', { saveOutput: true }, (g, { output: y, attrs }) => {
  const { dim } = attrs as { dim: number };
  if (y!.ndim === 0) return [mul(g, 0)];
  return [mul(y!, sub(g, sum(mul(g, y!), dim, true)))];
});

// y = logSoftmax(x): dx = g - softmax(x)·Σ g, with softmax(x) = exp(y)
def('logSoftmax', { saveOutput: true }, (g, { output: y, attrs }) => {
  const { dim } = attrs as { dim: number };
  if (y!.ndim === 0) return [mul(g, 0)];
  return [sub(g, mul(exp(y!), sum(g, dim, true)))];
});
