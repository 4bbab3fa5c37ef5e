import { elementwiseKernels } from './elementwise.js';
import { recurrentKernels } from './recurrent.js';
import { type FloatArray, isContiguous, sameFloat } from './views.js';
import type { Conv2dParams, NativeBackend, Pool2dParams, RawAddon, View } from './types.js';

const MAX_DIMS = 16;

// Metadata arrays are reused call after call (kernels run synchronously, one thread per module instance).
const matmulMeta: Float64Array[] = [];
const convMeta = new Float64Array(22);
const convGradMeta = new Float64Array(20);
const maxPoolMeta = new Float64Array(15);
const avgPoolMeta = new Float64Array(15);

function putConvGeometry(m: Float64Array, xShape: readonly number[], wShape: readonly number[], oShape: readonly number[], p: Conv2dParams): void {
  m[0] = xShape[0]!; m[1] = xShape[1]!; m[2] = xShape[2]!; m[3] = xShape[3]!;
  m[4] = wShape[0]!; m[5] = wShape[1]!; m[6] = wShape[2]!; m[7] = wShape[3]!;
  m[8] = oShape[2]!; m[9] = oShape[3]!;
  m[10] = p.stride[0]; m[11] = p.stride[1]; m[12] = p.padding[0]; m[13] = p.padding[1];
  m[14] = p.dilation[0]; m[15] = p.dilation[1]; m[16] = p.groups;
}

function putPoolGeometry(m: Float64Array, xShape: readonly number[], oShape: readonly number[], p: Pool2dParams): number {
  m[0] = xShape[0]!; m[1] = xShape[1]!; m[2] = xShape[2]!; m[3] = xShape[3]!;
  m[4] = oShape[2]!; m[5] = oShape[3]!;
  m[6] = p.kernelSize[0]; m[7] = p.kernelSize[1]; m[8] = p.stride[0]; m[9] = p.stride[1];
  m[10] = p.padding[0]; m[11] = p.padding[1];
  return 12;
}

const is4d = (...vs: View[]): boolean => vs.every((v) => v.shape.length === 4 && isContiguous(v));

// Below this many parameters the TS loop wins: a native call costs about as much as 200 updates.
const MIN_FUSED_UPDATE = 256;
const sgdMeta = new Float64Array(4);
const adamMeta = new Float64Array(5);

/**
 * Whether views can run the fused optimizer updates: one float dtype, 1-D stride-1, equal
 * lengths, and no two sharing bytes (the vectorised loop assumes distinct memory; the addon checks
 * again and throws, so an overlap declines here instead, to the sequential TS loop).
 */
function fusedUpdateOperands(meta: Float64Array, views: View[]): boolean {
  const n = views[0]!.shape[0]!;
  if (n < MIN_FUSED_UPDATE || !sameFloat(...views)) return false;
  for (let k = 0; k < views.length; k++) {
    const v = views[k]!;
    if (v.shape.length !== 1 || v.shape[0] !== n || v.strides[0] !== 1) return false;
    for (let j = 0; j < k; j++) {
      const u = views[j]!;
      if (u.buffer.buffer !== v.buffer.buffer) continue;
      const size = v.buffer.BYTES_PER_ELEMENT;
      const [u0, v0] = [u.buffer.byteOffset + u.offset * size, v.buffer.byteOffset + v.offset * size];
      if (u0 < v0 + n * size && v0 < u0 + n * size) return false;
    }
    meta[k + 1] = v.offset;
  }
  meta[0] = n;
  return true;
}

/** Wraps the raw addon in the Backend kernel signatures, declining what it does not handle. */
export function makeBackend(addon: RawAddon): NativeBackend {
  return {
    name: 'native',
    info: () => ({ ...addon.info() }),
    ...elementwiseKernels(addon),
    ...recurrentKernels(addon),

    matmul(a, b, out) {
      const nd = out.shape.length;
      if (nd < 2 || nd > MAX_DIMS || a.shape.length !== nd || b.shape.length !== nd || !sameFloat(out, a, b)) return false;
      const len = 1 + nd + 1 + 3 * (nd + 1);
      const m = (matmulMeta[nd] ??= new Float64Array(len));
      let k = 0;
      m[k++] = nd;
      for (let d = 0; d < nd; d++) m[k++] = out.shape[d]!;
      m[k++] = a.shape[nd - 1]!;
      for (const v of [a, b, out]) {
        for (let d = 0; d < nd; d++) m[k++] = v.strides[d]!;
        m[k++] = v.offset;
      }
      addon.matmul(a.buffer as FloatArray, b.buffer as FloatArray, out.buffer as FloatArray, m);
    },

    conv2d(x, w, bias, out, p) {
      if (!is4d(x, w, out) || !sameFloat(out, x, w, bias) || (bias !== null && bias.shape.length !== 1)) return false;
      const m = convMeta;
      putConvGeometry(m, x.shape, w.shape, out.shape, p);
      m[17] = x.offset; m[18] = w.offset; m[19] = out.offset;
      m[20] = bias === null ? 0 : bias.strides[0]!;
      m[21] = bias === null ? 0 : bias.offset;
      addon.conv2d(x.buffer as FloatArray, w.buffer as FloatArray, bias === null ? null : (bias.buffer as FloatArray), out.buffer as FloatArray, m);
    },

    conv2dBackwardInput(gradOut, w, gradIn, p) {
      if (!is4d(gradOut, w, gradIn) || !sameFloat(gradIn, gradOut, w)) return false;
      const m = convGradMeta;
      putConvGeometry(m, gradIn.shape, w.shape, gradOut.shape, p);
      m[17] = gradOut.offset; m[18] = w.offset; m[19] = gradIn.offset;
      addon.conv2dBackwardInput(gradOut.buffer as FloatArray, w.buffer as FloatArray, gradIn.buffer as FloatArray, m);
    },

    conv2dBackwardWeight(x, gradOut, gradW, p) {
      if (!is4d(x, gradOut, gradW) || !sameFloat(gradW, x, gradOut)) return false;
      const m = convGradMeta;
      putConvGeometry(m, x.shape, gradW.shape, gradOut.shape, p);
      m[17] = x.offset; m[18] = gradOut.offset; m[19] = gradW.offset;
      addon.conv2dBackwardWeight(x.buffer as FloatArray, gradOut.buffer as FloatArray, gradW.buffer as FloatArray, m);
    },

    maxPool2d(x, out, indices, p) {
      if (!is4d(x, out, indices) || !sameFloat(out, x) || !(indices.buffer instanceof Int32Array)) return false;
      const m = maxPoolMeta;
      const k = putPoolGeometry(m, x.shape, out.shape, p);
      m[k] = x.offset; m[k + 1] = out.offset; m[k + 2] = indices.offset;
      addon.maxPool2d(x.buffer as FloatArray, out.buffer as FloatArray, indices.buffer, m);
    },

    maxPool2dBackward(gradOut, indices, gradIn, p) {
      if (!is4d(gradOut, indices, gradIn) || !sameFloat(gradIn, gradOut) || !(indices.buffer instanceof Int32Array)) return false;
      const m = maxPoolMeta;
      const k = putPoolGeometry(m, gradIn.shape, gradOut.shape, p);
      m[k] = gradOut.offset; m[k + 1] = indices.offset; m[k + 2] = gradIn.offset;
      addon.maxPool2dBackward(gradOut.buffer as FloatArray, indices.buffer, gradIn.buffer as FloatArray, m);
    },

    avgPool2d(x, out, p) {
      if (!is4d(x, out) || !sameFloat(out, x)) return false;
      const m = avgPoolMeta;
      const k = putPoolGeometry(m, x.shape, out.shape, p);
      m[k] = (p.countIncludePad ?? true) ? 1 : 0; m[k + 1] = x.offset; m[k + 2] = out.offset;
      addon.avgPool2d(x.buffer as FloatArray, out.buffer as FloatArray, m);
    },

    sgdMomentum(param, grad, buf, h) {
      if (!fusedUpdateOperands(sgdMeta, [param, grad, buf])) return false;
      addon.sgdMomentum(param.buffer as FloatArray, grad.buffer as FloatArray, buf.buffer as FloatArray, sgdMeta, h.momentum, h.keep, h.lr);
    },

    adam(param, grad, expAvg, expAvgSq, h) {
      if (!fusedUpdateOperands(adamMeta, [param, grad, expAvg, expAvgSq])) return false;
      addon.adam(param.buffer as FloatArray, grad.buffer as FloatArray, expAvg.buffer as FloatArray, expAvgSq.buffer as FloatArray, adamMeta,
        h.beta1, h.beta2, h.oneMinusBeta1, h.oneMinusBeta2, h.stepSize, h.bc2Sqrt, h.eps);
    },

    avgPool2dBackward(gradOut, gradIn, p) {
      if (!is4d(gradOut, gradIn) || !sameFloat(gradIn, gradOut)) return false;
      const m = avgPoolMeta;
      const k = putPoolGeometry(m, gradIn.shape, gradOut.shape, p);
      m[k] = (p.countIncludePad ?? true) ? 1 : 0; m[k + 1] = gradOut.offset; m[k + 2] = gradIn.offset;
      addon.avgPool2dBackward(gradOut.buffer as FloatArray, gradIn.buffer as FloatArray, m);
    },
  };
}
