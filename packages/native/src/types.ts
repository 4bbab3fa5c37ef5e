/**
 * The few backend types native implements, declared structurally: @tsgrad/native must not depend
 * on @tsgrad/tensor (tensor lists native as an optional dependency). They mirror
 * packages/tensor/src/backend/backend.ts; the tests check the two stay assignable.
 */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** A strided view over a typed array, as the kernels take it: buffer, shape, strides, offset. */
export interface View {
  readonly buffer: TypedArray;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

/** Stride, padding, dilation and groups of a conv2d kernel call. */
export interface Conv2dParams {
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly groups: number;
}

/** Kernel size, stride, padding (and, for average pooling, whether padding counts) of a pooling kernel call. */
export interface Pool2dParams {
  readonly kernelSize: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly countIncludePad?: boolean;
}

/** Momentum, `1 - dampening` and learning rate of one fused SGD update. */
export interface SgdMomentumParams {
  readonly momentum: number;
  readonly keep: number;
  readonly lr: number;
}

/** Betas, `1 - beta`s, bias-corrected step size, `sqrt(1 - beta2^step)` and eps of one fused Adam update. */
export interface AdamParams {
  readonly beta1: number;
  readonly beta2: number;
  readonly oneMinusBeta1: number;
  readonly oneMinusBeta2: number;
  readonly stepSize: number;
  readonly bc2Sqrt: number;
  readonly eps: number;
}

/** A kernel returns `false` to decline a call (the registry then runs the pure-TS kernel). */
export interface NativeBackend {
  readonly name: 'native';
  info(): Record<string, unknown>;
  matmul(a: View, b: View, out: View): void | false;
  conv2d(x: View, w: View, bias: View | null, out: View, p: Conv2dParams): void | false;
  conv2dBackwardInput(gradOut: View, w: View, gradIn: View, p: Conv2dParams): void | false;
  conv2dBackwardWeight(x: View, gradOut: View, gradW: View, p: Conv2dParams): void | false;
  maxPool2d(x: View, out: View, indices: View, p: Pool2dParams): void | false;
  maxPool2dBackward(gradOut: View, indices: View, gradIn: View, p: Pool2dParams): void | false;
  avgPool2d(x: View, out: View, p: Pool2dParams): void | false;
  avgPool2dBackward(gradOut: View, gradIn: View, p: Pool2dParams): void | false;
  unary(op: string, x: View, out: View): void | false;
  binary(op: string, a: View, b: View, out: View): void | false;
  binaryScalar(op: string, a: View, scalar: number, out: View, reverse: boolean): void | false;
  where(cond: View, a: View, b: View, out: View): void | false;
  clamp(x: View, lo: number, hi: number, out: View): void | false;
  reluBackward(grad: View, y: View, out: View): void | false;
  fill(out: View, value: number): void | false;
  copy(src: View, out: View): void | false;
  reduce(op: string, x: View, dims: readonly number[], out: View): void | false;
  softmax(x: View, dim: number, out: View, log: boolean): void | false;
  sgdMomentum(param: View, grad: View, buf: View, h: SgdMomentumParams): void | false;
  adam(param: View, grad: View, expAvg: View, expAvgSq: View, h: AdamParams): void | false;
  lstmCell(proj: View, gh: View, act: View, cPrev: View, c: View, tc: View, h: View): void | false;
  lstmCellBackward(gradH: View, gradHRec: View, act: View, cPrev: View, tc: View, dc: View, dPre: View): void | false;
  rnnCell(proj: View, gh: View, h: View, relu: boolean): void | false;
  rnnCellBackward(gradH: View, gradHRec: View, h: View, dPre: View, relu: boolean): void | false;
  rnnSequence(proj: View, whh: View, h: View, relu: boolean, reverse: boolean): void | false;
  rnnSequenceBackward(gradH: View, h: View, whh: View, dPre: View, dh0: View | null, relu: boolean, reverse: boolean): void | false;
  lstmSequence(proj: View, whh: View, act: View, c: View, tc: View, h: View, reverse: boolean): void | false;
  lstmSequenceBackward(gradH: View, saved: { act: View; c: View; tc: View }, whh: View, dc: View, dPre: View, dh0: View | null, reverse: boolean): void | false;
}

type FloatArray = Float32Array | Float64Array;

/** The raw addon: typed arrays plus a Float64Array of integer metadata (see csrc/ for each layout). */
export interface RawAddon {
  info(): { blas: string; blasVersion: string; threads: number; poolThreads: number; spinMicros: number; cpus: number; mallocTuned: boolean; directConv: boolean; arch?: string };
  setNumThreads(n: number): void;
  matmul(a: FloatArray, b: FloatArray, out: FloatArray, meta: Float64Array): void;
  gemmDebug(a: FloatArray, b: FloatArray, c: FloatArray, meta: Float64Array): void;
  conv2d(x: FloatArray, w: FloatArray, bias: FloatArray | null, out: FloatArray, meta: Float64Array): void;
  conv2dBackwardInput(gradOut: FloatArray, w: FloatArray, gradIn: FloatArray, meta: Float64Array): void;
  conv2dBackwardWeight(x: FloatArray, gradOut: FloatArray, gradW: FloatArray, meta: Float64Array): void;
  maxPool2d(x: FloatArray, out: FloatArray, indices: Int32Array, meta: Float64Array): void;
  maxPool2dBackward(gradOut: FloatArray, indices: Int32Array, gradIn: FloatArray, meta: Float64Array): void;
  avgPool2d(x: FloatArray, out: FloatArray, meta: Float64Array): void;
  avgPool2dBackward(gradOut: FloatArray, gradIn: FloatArray, meta: Float64Array): void;
  // Elementwise kernels: meta = [nd, shape..., then strides... and offset of out, then of each input].
  unary(op: number, x: FloatArray, out: FloatArray, meta: Float64Array): void;
  binary(op: number, a: FloatArray, b: FloatArray, out: FloatArray, meta: Float64Array): void;
  binaryScalar(op: number, a: FloatArray, out: FloatArray, meta: Float64Array, scalar: number, reverse: boolean): void;
  clamp(x: FloatArray, out: FloatArray, meta: Float64Array, lo: number, hi: number): void;
  where(cond: FloatArray | Uint8Array, a: FloatArray, b: FloatArray, out: FloatArray, meta: Float64Array): void;
  reluBackward(grad: FloatArray, y: FloatArray, out: FloatArray, meta: Float64Array): void;
  fill(out: FloatArray, meta: Float64Array, value: number): void;
  copy(src: FloatArray, out: FloatArray, meta: Float64Array): void;
  /** meta = [nd, x shape..., x strides..., x offset, out offset, number of dims, dims...]; op 0 sum, 1 max, 2 min. */
  reduce(op: number, x: FloatArray, out: FloatArray, meta: Float64Array): void;
  /** meta = [nd, shape..., x strides..., x offset, out strides..., out offset, dim]. */
  softmax(x: FloatArray, out: FloatArray, meta: Float64Array, log: boolean): void;
  /** meta = [n, param offset, grad offset, buf offset]. */
  sgdMomentum(param: FloatArray, grad: FloatArray, buf: FloatArray, meta: Float64Array, momentum: number, keep: number, lr: number): void;
  /** meta = [n, param offset, grad offset, expAvg offset, expAvgSq offset]. */
  adam(
    param: FloatArray, grad: FloatArray, expAvg: FloatArray, expAvgSq: FloatArray, meta: Float64Array,
    beta1: number, beta2: number, oneMinusBeta1: number, oneMinusBeta2: number, stepSize: number, bc2Sqrt: number, eps: number,
  ): void;
  /** meta = [B, H, then the row stride and offset of each view in argument order]; column strides are 1. */
  lstmCell(proj: FloatArray, gh: FloatArray, act: FloatArray, cPrev: FloatArray, c: FloatArray, tc: FloatArray, h: FloatArray, meta: Float64Array): void;
  /** meta as lstmCell's. */
  lstmCellBackward(
    gradH: FloatArray, gradHRec: FloatArray, act: FloatArray, cPrev: FloatArray, tc: FloatArray, dc: FloatArray, dPre: FloatArray, meta: Float64Array,
  ): void;
  /** meta = [B, H, then the row stride and offset of each view in argument order]; column strides are 1. */
  rnnCell(proj: FloatArray, gh: FloatArray, h: FloatArray, meta: Float64Array, relu: boolean): void;
  /** meta as rnnCell's. */
  rnnCellBackward(gradH: FloatArray, gradHRec: FloatArray, h: FloatArray, dPre: FloatArray, meta: Float64Array, relu: boolean): void;
  /**
   * meta = [T, B, H, reverse, proj (step stride, row stride, offset), whh (row stride, column
   * stride, offset), h offset]; proj's column stride is 1 and h is a contiguous [T + 1, B, H].
   */
  rnnSequence(proj: FloatArray, whh: FloatArray, h: FloatArray, meta: Float64Array, relu: boolean): void;
  /**
   * meta = [T, B, H, reverse, gradH (step stride, row stride, offset), whh (row stride, column
   * stride, offset), h offset, dPre offset, needH0, dh0 offset]; dPre [T, B, H] and dh0 [B, H] contiguous.
   */
  rnnSequenceBackward(gradH: FloatArray, h: FloatArray, whh: FloatArray, dPre: FloatArray, dh0: FloatArray, meta: Float64Array, relu: boolean): void;
  /**
   * meta = [T, B, H, reverse, proj (step stride, row stride, offset), whh (row stride, column
   * stride, offset), act offset, c offset, tc offset, h offset]; proj [T, B, 4H] has column stride 1,
   * whh is [4H, H], act [T, B, 4H], c and h [T + 1, B, H] and tc [T, B, H] are contiguous.
   */
  lstmSequence(proj: FloatArray, whh: FloatArray, act: FloatArray, c: FloatArray, tc: FloatArray, h: FloatArray, meta: Float64Array): void;
  /**
   * meta = [T, B, H, reverse, gradH (step stride, row stride, offset), whh (row stride, column
   * stride, offset), act offset, c offset, tc offset, dc offset, dPre offset, needH0, dh0 offset];
   * dc [B, H], dPre [T, B, 4H] and dh0 [B, H] contiguous.
   */
  lstmSequenceBackward(gradH: FloatArray, act: FloatArray, c: FloatArray, tc: FloatArray, whh: FloatArray, dc: FloatArray, dPre: FloatArray, dh0: FloatArray,
    meta: Float64Array): void;
}
