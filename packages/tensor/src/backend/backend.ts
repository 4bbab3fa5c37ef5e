import type { TypedArray } from '../dtype.js';

/**
 * The backend contract: a small set of kernels over strided views.
 *
 * Every kernel reads inputs as `View`s (any strides, any offset, stride 0 for broadcast dims) and
 * writes into an `out` view the caller has allocated (contiguous unless a kernel says otherwise).
 * Kernels never allocate tensors and never see autograd: the tensor layer computes output shapes,
 * checks arguments and promotes dtypes before calling them, so a kernel can trust shapes agree.
 *
 * The pure-TS backend (`jsBackend`) implements every kernel. Another backend (the native addon)
 * implements any subset; missing kernels fall back to the pure-TS one, kernel by kernel.
 */
export interface View {
  readonly buffer: TypedArray;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

/** Names of the elementwise unary kernels. */
export type UnaryOp =
  | 'neg' | 'abs' | 'sign' | 'exp' | 'log' | 'log1p' | 'expm1' | 'sqrt' | 'rsqrt' | 'square' | 'reciprocal'
  | 'sin' | 'cos' | 'tanh' | 'sigmoid' | 'relu' | 'gelu' | 'erf' | 'floor' | 'ceil' | 'round' | 'logicalNot'
  | 'identity';

/** Names of the elementwise binary kernels (arithmetic, comparisons, logical). */
export type BinaryOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum' | 'remainder' | 'atan2'
  | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'logicalAnd' | 'logicalOr' | 'logicalXor';

/** Names of the reduction kernels. */
export type ReduceOp = 'sum' | 'prod' | 'max' | 'min' | 'all' | 'any';

/** Stride, padding, dilation and groups of a 2-d convolution kernel call. */
export interface Conv2dParams {
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly groups: number;
}

/** Kernel size, stride, padding (and, for average pooling, whether padding counts) of a 2-d pooling kernel call. */
export interface Pool2dParams {
  readonly kernelSize: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  /** avgPool2d only: whether zero padding counts in the divisor (PyTorch's `count_include_pad`). */
  readonly countIncludePad?: boolean;
}

/**
 * One fused SGD-with-momentum update (`sgdMomentum`): the momentum, the factor `1 - dampening`
 * on the gradient, and the learning rate.
 */
export interface SgdMomentumParams {
  readonly momentum: number;
  readonly keep: number;
  readonly lr: number;
}

/**
 * One fused Adam update without weight decay or AMSGrad (`adam`): the betas, `1 - beta` of each,
 * `stepSize = lr / (1 - beta1^step)`, `bc2Sqrt = sqrt(1 - beta2^step)` and eps.
 */
export interface AdamParams {
  readonly beta1: number;
  readonly beta2: number;
  readonly oneMinusBeta1: number;
  readonly oneMinusBeta2: number;
  readonly stepSize: number;
  readonly bc2Sqrt: number;
  readonly eps: number;
}

/**
 * The kernel contract every backend implements (the pure-TS `jsBackend` implements all of it). Kernels write into outputs the op layer allocated and never see autograd; see `PartialBackend` and `useBackend` to plug in your own.
 */
export interface Backend {
  readonly name: string;

  /** out[i] = cast(src[i]) elementwise; shapes equal; dtypes may differ (casts like PyTorch's `.to`). */
  copy(src: View, out: View): void;
  /** Fills every element of a (possibly strided) view. */
  fill(out: View, value: number): void;
  /** out = op(x); `x` already has `out`'s shape (broadcast by strides). */
  unary(op: UnaryOp, x: View, out: View): void;
  /** out = op(a, b); `a` and `b` already have `out`'s shape (broadcast by strides). */
  binary(op: BinaryOp, a: View, b: View, out: View): void;
  /** out = op(a, scalar) (or op(scalar, a) when `reverse`): the scalar fast path for every binary op. */
  binaryScalar(op: BinaryOp, a: View, scalar: number, out: View, reverse: boolean): void;
  /**
   * relu's gradient (PyTorch's threshold_backward at 0): out = y > 0 ? grad : 0, where y is relu's
   * output; a NaN or infinite grad where y <= 0 still gives 0. All three share out's shape.
   */
  reluBackward(grad: View, y: View, out: View): void;
  /** out = cond ? a : b, all three broadcast to out's shape. */
  where(cond: View, a: View, b: View, out: View): void;
  /** out = min(max(x, lo), hi), bounds may be -Infinity / Infinity. */
  clamp(x: View, lo: number, hi: number, out: View): void;
  /**
   * Reduces `x` over `dims` (sorted, distinct). `out` is contiguous with x's shape where reduced dims have size 1.
   */
  reduce(op: ReduceOp, x: View, dims: readonly number[], out: View): void;
  /** Max or min along one dim: values and int32 indices (first occurrence), both shaped like x with `dim` size 1. */
  argReduce(op: 'max' | 'min', x: View, dim: number, values: View, indices: View): void;
  /** Inclusive cumulative sum along `dim`; out contiguous, same shape. */
  cumsum(x: View, dim: number, out: View): void;
  /** Softmax (or log-softmax) along `dim`, numerically stable; out contiguous, same shape. */
  softmax(x: View, dim: number, out: View, log: boolean): void;

  /**
   * Batched matrix product: a [...B, M, K] · b [...B, K, N] -> out [...B, M, N] (contiguous).
   * Batch dims of a and b are already broadcast to out's (stride 0 where broadcast). The last two
   * strides of a or b may describe a transposed matrix; a backend may use that instead of copying.
   */
  matmul(a: View, b: View, out: View): void;

  /** x [N, C, H, W] contiguous, w [O, C/groups, kH, kW] contiguous, bias [O] or null; out [N, O, oH, oW] contiguous. */
  conv2d(x: View, w: View, bias: View | null, out: View, p: Conv2dParams): void;
  /** gradIn [N, C, H, W] (overwritten) from gradOut [N, O, oH, oW] and w. */
  conv2dBackwardInput(gradOut: View, w: View, gradIn: View, p: Conv2dParams): void;
  /** gradW [O, C/groups, kH, kW] (overwritten) from x and gradOut. */
  conv2dBackwardWeight(x: View, gradOut: View, gradW: View, p: Conv2dParams): void;
  /** out [N, C, oH, oW] and int32 indices into each H*W plane (as PyTorch returns them). */
  maxPool2d(x: View, out: View, indices: View, p: Pool2dParams): void;
  /** gradIn (overwritten, zeros then scatter-added) from gradOut and the indices of maxPool2d. */
  maxPool2dBackward(gradOut: View, indices: View, gradIn: View, p: Pool2dParams): void;
  avgPool2d(x: View, out: View, p: Pool2dParams): void;
  avgPool2dBackward(gradOut: View, gradIn: View, p: Pool2dParams): void;

  /** out[...i, j, k...] = x[...i, index[...i, j, k...], k...] along `dim` (torch.gather); index int32 shaped like out. */
  gather(x: View, dim: number, index: View, out: View): void;
  /**
   * out (already holding a copy of the base tensor) gets `src` scattered along `dim` at `index`:
   * written (`accumulate` false) or added (`accumulate` true). index and src share a shape.
   */
  scatter(out: View, dim: number, index: View, src: View, accumulate: boolean): void;
  /** out = x.indexSelect(dim, index): index is a 1-D int32 view; out contiguous. */
  indexSelect(x: View, dim: number, index: View, out: View): void;
  /** out (holding a copy of the base) gets src added at index along dim (torch.index_add_). */
  indexAdd(out: View, dim: number, index: View, src: View): void;

  /**
   * SGD with momentum, in place (the optimizer's hot loop; torch's fused SGD): for every i,
   * `buf[i] = momentum·buf[i] + keep·grad[i]`, then `param[i] -= lr·buf[i]` with buf's value as
   * stored. Each expression is evaluated in float64 (no fused multiply-add) and rounded once when
   * stored, so every backend gives the same bits. param, grad and buf are contiguous 1-D views of
   * one length and one float dtype.
   */
  sgdMomentum(param: View, grad: View, buf: View, h: SgdMomentumParams): void;
  /**
   * Adam without weight decay or AMSGrad, in place: for every i, with g = grad[i],
   * `m = β1·m + (1−β1)·g`, `v = β2·v + (1−β2)·g·g` (each stored, so rounded to the dtype), then
   * `param[i] -= stepSize·m / (sqrt(v) / bc2Sqrt + eps)`; evaluated in float64 as `sgdMomentum`
   * is, so every backend gives the same bits. All four are contiguous 1-D views of one length
   * and one float dtype.
   */
  adam(param: View, grad: View, expAvg: View, expAvgSq: View, h: AdamParams): void;

  /**
   * One LSTM time step's elementwise work (gate order i, f, g, o, as PyTorch). Every view is 2-D
   * [B, n] (n = 4H for proj, gh and act, H for the others) of one float dtype, with any strides
   * (act is one step of a [T, B, 4H] buffer; native takes unit column strides and leaves other
   * calls to the pure-TS kernel). With a = proj + gh:
   * `act = [sigmoid(a_i), sigmoid(a_f), tanh(a_g), sigmoid(a_o)]`,
   * `c = f·cPrev + i·g`, `tc = tanh(c)`, `h = o·tc`. Each operation is rounded to the dtype in
   * that order, as the same sequence of `binary`/`unary` calls would round it, so a backend gives
   * the bits of its own unfused kernels. act, c, tc and h are written and must not overlap each
   * other or the inputs.
   */
  lstmCell(proj: View, gh: View, act: View, cPrev: View, c: View, tc: View, h: View): void;
  /**
   * The elementwise part of one LSTM step's backward, the gradient of `lstmCell` (views as there;
   * act, cPrev and tc are that step's saved gates, previous cell state and tanh(c)). With
   * `dh = gradH + gradHRec` (the gradient of h_t from the output and from step t+1):
   * `dc += dh·o·(1 - tc²)`, then `dPre = [dc·g·i(1-i), dc·cPrev·f(1-f), dc·i·(1-g²),
   * dh·tc·o(1-o)]` and finally `dc ·= f` (dc [B, H] is updated in place: the gradient of c_t in,
   * of c_{t-1} out). Each factor is rounded as the unfused sequence rounds it:
   * `((i - i·i)·g)`, `((f - f·f)·cPrev)`, `((1 - g·g)·i)`, `((o - o·o)·tc)`, `((1 - tc·tc)·o)`.
   * dc and dPre must not overlap each other or the inputs.
   */
  lstmCellBackward(gradH: View, gradHRec: View, act: View, cPrev: View, tc: View, dc: View, dPre: View): void;

  /**
   * One Elman RNN time step's elementwise work: `h = tanh(proj + gh)`, or `relu(proj + gh)` when
   * `relu` is true. proj, gh and h are 2-D [B, H] views of one float dtype with any strides
   * (native takes unit column strides and leaves other calls to the pure-TS kernel). The sum is
   * rounded to the dtype before the activation, as `binary('add')` then `unary('tanh' | 'relu')`
   * round it, so a backend gives the bits of its own unfused kernels; relu is the unary kernel's
   * (relu(NaN) = NaN, relu(-0) = +0). h is written and must not overlap proj or gh.
   */
  rnnCell(proj: View, gh: View, h: View, relu: boolean): void;
  /**
   * The elementwise part of one RNN step's backward, the gradient of `rnnCell` (h is that step's
   * saved output): with `dh = gradH + gradHRec` (the gradient of h_t from the output and from
   * step t+1), `dPre = dh·(1 - h·h)` for tanh and `dPre = dh·(h > 0 ? 1 : 0)` for relu (so a NaN
   * h gives dh·0, and an infinite or NaN dh there gives NaN, as `binaryScalar('gt')` then
   * `binary('mul')` do). Each operation is rounded to the dtype as the unfused sequence
   * (`add`; `mul`, `binaryScalar('sub', 1, reverse)` or `binaryScalar('gt', 0)`; `mul`) rounds
   * it. All four views are [B, H] of one float dtype; dPre must not overlap the inputs.
   */
  rnnCellBackward(gradH: View, gradHRec: View, h: View, dPre: View, relu: boolean): void;

  /**
   * A whole Elman RNN recurrence (one layer, one direction): for each step t in processing order
   * (0 .. T-1, or T-1 .. 0 when `reverse`), `h[cur(t)] = act(proj[t] + h[prev(t)]·whhᵀ)` with act
   * tanh, or relu when `relu`, each step as `matmul` then `rnnCell` compute it. proj is [T, B, H],
   * whh [H, H] and h the [T + 1, B, H] states: in time order the initial state is row 0 (the caller
   * fills it) and step t writes row t + 1 (prev(t) = t); reversed, the initial state is row T and
   * step t writes row t (prev(t) = t + 1). Any strides; one float dtype; h must not overlap proj or
   * whh. The elementwise half rounds as rnnCell does; the product may round as a different GEMM
   * than `matmul` (native packs whh once and keeps each batch row's recurrence on one thread).
   */
  rnnSequence(proj: View, whh: View, h: View, relu: boolean, reverse: boolean): void;
  /**
   * The backward of `rnnSequence` (h its states, whh and relu/reverse as there), step by step as
   * `rnnCellBackward` then `matmul` compute it: from the last processed step to the first,
   * `dPre[t] = rnnCellBackward(gradH[t], dhRec, h[cur(t)])` and `dhRec = dPre[t]·whh` (dhRec
   * starts at zero). gradH and dPre are [T, B, H]; dh0 [B, H], when not null, receives the final
   * dhRec (the gradient of the initial state). dPre and dh0 must not overlap the inputs or each other.
   */
  rnnSequenceBackward(gradH: View, h: View, whh: View, dPre: View, dh0: View | null, relu: boolean, reverse: boolean): void;

  /**
   * A whole LSTM recurrence (one layer, one direction): for each step t in processing order
   * (0 .. T-1, or T-1 .. 0 when `reverse`), `gh = h[prev(t)]·whhᵀ` then
   * `lstmCell(proj[t], gh, act[t], c[prev(t)], c[cur(t)], tc[t], h[cur(t)])`, each step as `matmul`
   * then `lstmCell` compute it. proj and act are [T, B, 4H] (gate order i, f, g, o), whh [4H, H], tc
   * [T, B, H], and c and h the [T + 1, B, H] states with rnnSequence's rows: in time order the
   * initial states are row 0 (the caller fills them) and step t writes row t + 1; reversed, the
   * initial states are row T and step t writes row t. Any strides; one float dtype; act, c, tc and
   * h must not overlap proj, whh or each other. The elementwise half rounds as lstmCell does; the
   * product may round as a different GEMM than `matmul` (native packs whh once and keeps each batch
   * row's recurrence on one thread).
   */
  lstmSequence(proj: View, whh: View, act: View, c: View, tc: View, h: View, reverse: boolean): void;
  /**
   * The backward of `lstmSequence` (`saved` its act, c and tc; whh and reverse as there), step by
   * step as `lstmCellBackward` then `matmul` compute it: from the last processed step to the first,
   * `lstmCellBackward(gradH[t], dhRec, act[t], c[prev(t)], tc[t], dc, dPre[t])` and
   * `dhRec = dPre[t]·whh` (dhRec starts at zero). gradH is [T, B, H] and dPre [T, B, 4H]; dc [B, H]
   * is updated in place, the gradient of the final c in and of c0 out; dh0 [B, H], when not null,
   * receives the final dhRec (the gradient of h0). The saved views are one object because a kernel
   * takes at most seven arguments (registry.ts). dc, dPre and dh0 must not overlap the inputs or
   * each other.
   */
  lstmSequenceBackward(gradH: View, saved: { act: View; c: View; tc: View }, whh: View, dc: View, dPre: View, dh0: View | null, reverse: boolean): void;
}

/** A backend that implements some kernels; the registry completes it with the pure-TS ones. */
export type PartialBackend = Partial<Backend> & { readonly name: string };

/** Extra facts a backend reports through `backendInfo()` (BLAS name, version, threads ...). */
export interface BackendInfo {
  readonly name: string;
  readonly [key: string]: unknown;
}
