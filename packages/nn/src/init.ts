import { type Generator, Tensor, defaultGenerator, fill_, normal_ as normalOp, uniform_ as uniformOp } from '@tsgrad/tensor';
import { withoutGrad } from './grad-mode.js';

/**
 * Weight initialisation (torch.nn.init). Every function fills its tensor in place without
 * recording gradients (so parameters can be passed directly) and draws from tensor's seedable
 * generator: `manualSeed(s)` makes initialisation reproducible; `{ generator }` uses another one.
 */
export interface InitOptions {
  generator?: Generator;
}

/** The nonlinearities `calculateGain` knows (as in torch.nn.init). */
export type Nonlinearity =
  | 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

/**
 * Whether Kaiming initialisation preserves the variance of the forward ('fan_in') or backward ('fan_out') pass.
 */
export type FanMode = 'fan_in' | 'fan_out';

function assertFloatTensor(t: unknown, op: string): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`init.${op}: expected a Tensor`);
  if (t.dtype !== 'float32' && t.dtype !== 'float64') throw new TypeError(`init.${op}: expected a floating point tensor, got ${t.dtype}`);
}

const genOpt = (opts: InitOptions) => (opts.generator === undefined ? {} : { generator: opts.generator });

/** The recommended gain for a nonlinearity (torch.nn.init.calculate_gain). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv1d': case 'conv2d': case 'conv3d':
    case 'conv_transpose1d': case 'conv_transpose2d': case 'conv_transpose3d': case 'sigmoid':
      return 1;
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      if (typeof slope !== 'number' || !Number.isFinite(slope)) throw new TypeError(`calculateGain: negative slope ${String(param)} is not a valid number`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu': return 3 / 4;
    default:
      throw new RangeError(`calculateGain: unsupported nonlinearity ${JSON.stringify(nonlinearity)}`);
  }
}

/** [fanIn, fanOut] of a weight [out, in, ...kernel] (torch's _calculate_fan_in_and_fan_out). */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  if (t.ndim < 2) throw new RangeError(`init: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions (shape [${t.shape.join(', ')}])`);
  let receptive = 1;
  for (let i = 2; i < t.ndim; i++) receptive *= t.shape[i]!;
  return [t.shape[1]! * receptive, t.shape[0]! * receptive];
}

function fan(t: Tensor, mode: FanMode): number {
  if (mode !== 'fan_in' && mode !== 'fan_out') throw new RangeError(`init: mode must be 'fan_in' or 'fan_out', got ${JSON.stringify(mode)}`);
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return mode === 'fan_in' ? fanIn : fanOut;
}

/** Fills `t` in place with samples from U(a, b) (torch.nn.init.uniform_). */
export function uniform_(t: Tensor, a = 0, b = 1, opts: InitOptions = {}): Tensor {
  assertFloatTensor(t, 'uniform_');
  return withoutGrad(() => uniformOp(t, a, b, genOpt(opts)));
}

/** Fills `t` in place with samples from N(mean, std^2) (torch.nn.init.normal_). */
export function normal_(t: Tensor, mean = 0, std = 1, opts: InitOptions = {}): Tensor {
  assertFloatTensor(t, 'normal_');
  return withoutGrad(() => normalOp(t, mean, std, genOpt(opts)));
}

/**
 * Normal(mean, std) samples redrawn until they fall in [a, b] (torch.nn.init.trunc_normal_;
 * the defaults a = -2, b = 2 are absolute bounds, as in PyTorch).
 */
export function truncNormal_(t: Tensor, mean = 0, std = 1, a = -2, b = 2, opts: InitOptions = {}): Tensor {
  assertFloatTensor(t, 'truncNormal_');
  if (!(a < b)) throw new RangeError(`init.truncNormal_: a (${a}) must be less than b (${b})`);
  if (!(std > 0)) throw new RangeError(`init.truncNormal_: std must be positive, got ${std}`);
  const g = opts.generator ?? defaultGenerator;
  const values = Tensor.empty(t.shape, 'float64');
  const vb = values.buffer;
  for (let i = 0; i < vb.length; i++) {
    let v: number;
    let tries = 0;
    do {
      v = mean + std * g.nextNormal();
      if (++tries > 10000) throw new RangeError(`init.truncNormal_: [${a}, ${b}] is too far in the tail of Normal(${mean}, ${std})`);
    } while (v < a || v > b);
    vb[i] = v;
  }
  return copyInto(t, values);
}

/** Fills `t` in place with `value` (torch.nn.init.constant_). */
export function constant_(t: Tensor, value: number): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError('init.constant_: expected a Tensor');
  return withoutGrad(() => fill_(t, value));
}

/** Fills `t` in place with zeros (torch.nn.init.zeros_). */
export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

/** Fills `t` in place with ones (torch.nn.init.ones_). */
export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

/** Glorot uniform: U(-a, a), a = gain * sqrt(6 / (fanIn + fanOut)). */
export function xavierUniform_(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  assertFloatTensor(t, 'xavierUniform_');
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const a = Math.sqrt(3) * gain * Math.sqrt(2 / (fanIn + fanOut));
  return uniform_(t, -a, a, opts);
}

/** Glorot normal: N(0, gain^2 * 2 / (fanIn + fanOut)). */
export function xavierNormal_(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  assertFloatTensor(t, 'xavierNormal_');
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), opts);
}

/**
 * Options of the Kaiming initialisers: `a` (the negative slope for leaky_relu), `mode` ('fan_in' or 'fan_out'), `nonlinearity` and the generator.
 */
export interface KaimingOptions extends InitOptions {
  /** Negative slope of the rectifier after this layer (leaky_relu only); default 0. */
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, opts: KaimingOptions): number {
  const f = fan(t, opts.mode ?? 'fan_in');
  const gain = calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0);
  return f === 0 ? 0 : gain / Math.sqrt(f);
}

/** He uniform: U(-b, b), b = gain * sqrt(3 / fan) (torch.nn.init.kaiming_uniform_). */
export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  assertFloatTensor(t, 'kaimingUniform_');
  const bound = Math.sqrt(3) * kaimingStd(t, opts);
  return uniform_(t, -bound, bound, opts);
}

/** He normal: N(0, gain^2 / fan). */
export function kaimingNormal_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  assertFloatTensor(t, 'kaimingNormal_');
  return normal_(t, 0, kaimingStd(t, opts), opts);
}

function copyInto(t: Tensor, values: Tensor): Tensor {
  return withoutGrad(() => t.copy_(values));
}

/**
 * A (semi-)orthogonal matrix, scaled by `gain` (torch.nn.init.orthogonal_): the Q of the QR
 * decomposition of a normal matrix, with signs fixed by R's diagonal so Q is uniformly
 * distributed. Tensors with more than 2 dims are flattened to [shape[0], rest].
 */
export function orthogonal_(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  assertFloatTensor(t, 'orthogonal_');
  if (t.ndim < 2) throw new RangeError(`init.orthogonal_: only tensors with 2 or more dimensions are supported, got shape [${t.shape.join(', ')}]`);
  if (t.numel() === 0) return t;
  const rows = t.shape[0]!;
  const cols = t.numel() / rows;
  const flat = Tensor.empty([rows, cols], 'float64');
  normalOp(flat, 0, 1, genOpt(opts));
  const src = flat.buffer as Float64Array;
  // Work on the tall orientation m x n (m >= n): A = rows x cols, or its transpose.
  const transpose = rows < cols;
  const m = transpose ? cols : rows;
  const n = transpose ? rows : cols;
  const a = new Float64Array(m * n);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
    if (transpose) a[j * n + i] = src[i * cols + j]!; else a[i * n + j] = src[i * cols + j]!;
  }
  const q = householderQ(a, m, n);
  const out = Tensor.empty(t.shape, 'float64');
  const ob = out.buffer;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
    ob[i * cols + j] = gain * (transpose ? q[j * n + i]! : q[i * n + j]!);
  }
  return copyInto(t, out);
}

/**
 * Thin Q (m x n, m >= n) of A = QR by Householder reflections, with each column of Q multiplied
 * by sign(R_jj) (so R has a positive diagonal, making the decomposition unique).
 */
function householderQ(a: Float64Array, m: number, n: number): Float64Array {
  const r = a.slice();
  const vs: Float64Array[] = [];
  for (let k = 0; k < n; k++) {
    let norm = 0;
    for (let i = k; i < m; i++) norm += r[i * n + k]! ** 2;
    norm = Math.sqrt(norm);
    const v = new Float64Array(m);
    const alpha = r[k * n + k]! >= 0 ? -norm : norm;
    for (let i = k; i < m; i++) v[i] = r[i * n + k]!;
    v[k] = v[k]! - alpha;
    let vn = 0;
    for (let i = k; i < m; i++) vn += v[i]! ** 2;
    if (vn > 0) {
      for (let j = k; j < n; j++) {
        let s = 0;
        for (let i = k; i < m; i++) s += v[i]! * r[i * n + j]!;
        const f = (2 * s) / vn;
        for (let i = k; i < m; i++) r[i * n + j] = r[i * n + j]! - f * v[i]!;
      }
    }
    vs.push(v);
  }
  // Q = H_0 H_1 ... H_{n-1} applied to the first n columns of the identity.
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * n + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = vs[k]!;
    let vn = 0;
    for (let i = k; i < m; i++) vn += v[i]! ** 2;
    if (vn === 0) continue;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = k; i < m; i++) s += v[i]! * q[i * n + j]!;
      const f = (2 * s) / vn;
      for (let i = k; i < m; i++) q[i * n + j] = q[i * n + j]! - f * v[i]!;
    }
  }
  for (let j = 0; j < n; j++) {
    if (r[j * n + j]! < 0) for (let i = 0; i < m; i++) q[i * n + j] = -q[i * n + j]!;
  }
  return q;
}

/** PyTorch's default initialisation of Linear and Conv weights: kaiming_uniform_ with a = sqrt(5). */
export function defaultWeightInit_(weight: Tensor, opts: InitOptions = {}): Tensor {
  return kaimingUniform_(weight, { ...opts, a: Math.sqrt(5) });
}

/** PyTorch's default bias initialisation: U(-1/sqrt(fanIn), 1/sqrt(fanIn)) (0 when fanIn is 0). */
export function defaultBiasInit_(bias: Tensor, fanIn: number, opts: InitOptions = {}): Tensor {
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return uniform_(bias, -bound, bound, opts);
}
