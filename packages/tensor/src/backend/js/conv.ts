import type { TypedArray } from '../../dtype.js';
import type { Conv2dParams, View } from '../backend.js';
import { gemm } from './matmul.js';

/** Output spatial size of a convolution or pooling window, as PyTorch computes it. */
export function convOutSize(inSize: number, kernel: number, stride: number, pad: number, dilation: number): number {
  return Math.floor((inSize + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1;
}

interface Geometry {
  N: number; C: number; H: number; W: number; O: number; kH: number; kW: number; oH: number; oW: number;
  Cg: number; Og: number; groups: number; sH: number; sW: number; pH: number; pW: number; dH: number; dW: number;
}

function geometry(xShape: readonly number[], wShape: readonly number[], outShape: readonly number[], p: Conv2dParams): Geometry {
  const [N, C, H, W] = xShape as [number, number, number, number];
  const [O, Cg, kH, kW] = wShape as [number, number, number, number];
  const [, , oH, oW] = outShape as [number, number, number, number];
  return {
    N, C, H, W, O, kH, kW, oH, oW, Cg, Og: O / p.groups, groups: p.groups,
    sH: p.stride[0], sW: p.stride[1], pH: p.padding[0], pW: p.padding[1], dH: p.dilation[0], dW: p.dilation[1],
  };
}

/**
 * The output columns ow whose input column ow*sW - pW + kj*dW lies inside [0, W): [start, end).
 * Computing the range once per kernel column lets im2col/col2im run branch-free inner loops (a
 * bounds test per element cost more than the copy itself).
 */
function validColumns(kj: number, g: Geometry): [number, number] {
  const shift = kj * g.dW - g.pW; // iw = ow*sW + shift
  const start = shift >= 0 ? 0 : Math.ceil(-shift / g.sW);
  const end = Math.min(g.oW, Math.floor((g.W - 1 - shift) / g.sW) + 1);
  return [Math.min(start, g.oW), Math.max(end, Math.min(start, g.oW))];
}

/** Unfolds one image's channels [c0, c0 + Cg) into col [Cg*kH*kW, oH*oW] (zeros where padded). */
function im2col(x: TypedArray, xOff: number, g: Geometry, c0: number, col: Float64Array | Float32Array): void {
  const { H, W, kH, kW, oH, oW, sH, sW, pH, dH, Cg } = g;
  const P = oH * oW;
  let row = 0;
  for (let c = 0; c < Cg; c++) {
    const plane = xOff + (c0 + c) * H * W;
    for (let ki = 0; ki < kH; ki++) {
      for (let kj = 0; kj < kW; kj++, row++) {
        const [start, end] = validColumns(kj, g);
        const shift = kj * g.dW - g.pW;
        const dst = row * P;
        for (let oh = 0; oh < oH; oh++) {
          const ih = oh * sH - pH + ki * dH;
          const d = dst + oh * oW;
          if (ih < 0 || ih >= H) {
            col.fill(0, d, d + oW);
            continue;
          }
          for (let ow = 0; ow < start; ow++) col[d + ow] = 0;
          const src = plane + ih * W + shift;
          if (sW === 1) for (let ow = start; ow < end; ow++) col[d + ow] = x[src + ow]!;
          else for (let ow = start; ow < end; ow++) col[d + ow] = x[src + ow * sW]!;
          for (let ow = end; ow < oW; ow++) col[d + ow] = 0;
        }
      }
    }
  }
}

/** Folds col [Cg*kH*kW, oH*oW] back into gradIn, adding overlapping contributions. */
function col2im(col: Float64Array | Float32Array, gx: TypedArray, xOff: number, g: Geometry, c0: number): void {
  const { H, W, kH, kW, oH, oW, sH, sW, pH, dH, Cg } = g;
  const P = oH * oW;
  let row = 0;
  for (let c = 0; c < Cg; c++) {
    const plane = xOff + (c0 + c) * H * W;
    for (let ki = 0; ki < kH; ki++) {
      for (let kj = 0; kj < kW; kj++, row++) {
        const [start, end] = validColumns(kj, g);
        const shift = kj * g.dW - g.pW;
        const srcRow = row * P;
        for (let oh = 0; oh < oH; oh++) {
          const ih = oh * sH - pH + ki * dH;
          if (ih < 0 || ih >= H) continue;
          const dst = plane + ih * W + shift;
          const s = srcRow + oh * oW;
          if (sW === 1) for (let ow = start; ow < end; ow++) gx[dst + ow]! += col[s + ow]!;
          else for (let ow = start; ow < end; ow++) gx[dst + ow * sW]! += col[s + ow]!;
        }
      }
    }
  }
}

function colBuffer(like: TypedArray, n: number): Float64Array | Float32Array {
  return like instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
}

export function conv2d(x: View, w: View, bias: View | null, out: View, p: Conv2dParams): void {
  const g = geometry(x.shape, w.shape, out.shape, p);
  const P = g.oH * g.oW;
  const CKK = g.Cg * g.kH * g.kW;
  const col = colBuffer(out.buffer, CKK * P);
  for (let n = 0; n < g.N; n++) {
    for (let gi = 0; gi < g.groups; gi++) {
      im2col(x.buffer, x.offset + n * g.C * g.H * g.W, g, gi * g.Cg, col);
      const outOff = out.offset + (n * g.O + gi * g.Og) * P;
      // out_g [Og, P] = W_g [Og, CKK] · col [CKK, P]
      gemm(g.Og, P, CKK, w.buffer, w.offset + gi * g.Og * CKK, CKK, 1, col, 0, P, 1, out.buffer, outOff);
      if (bias !== null) {
        for (let o = 0; o < g.Og; o++) {
          const b = bias.buffer[bias.offset + (gi * g.Og + o) * bias.strides[0]!]!;
          const base = outOff + o * P;
          for (let i = 0; i < P; i++) out.buffer[base + i]! += b;
        }
      }
    }
  }
}

export function conv2dBackwardInput(gradOut: View, w: View, gradIn: View, p: Conv2dParams): void {
  const g = geometry(gradIn.shape, w.shape, gradOut.shape, p);
  const P = g.oH * g.oW;
  const CKK = g.Cg * g.kH * g.kW;
  const col = colBuffer(gradIn.buffer, CKK * P);
  gradIn.buffer.fill(0, gradIn.offset, gradIn.offset + g.N * g.C * g.H * g.W);
  for (let n = 0; n < g.N; n++) {
    for (let gi = 0; gi < g.groups; gi++) {
      // col [CKK, P] = W_g^T [CKK, Og] · gradOut_g [Og, P]
      gemm(CKK, P, g.Og, w.buffer, w.offset + gi * g.Og * CKK, 1, CKK, gradOut.buffer, gradOut.offset + (n * g.O + gi * g.Og) * P, P, 1, col, 0);
      col2im(col, gradIn.buffer, gradIn.offset + n * g.C * g.H * g.W, g, gi * g.Cg);
    }
  }
}

export function conv2dBackwardWeight(x: View, gradOut: View, gradW: View, p: Conv2dParams): void {
  const g = geometry(x.shape, gradW.shape, gradOut.shape, p);
  const P = g.oH * g.oW;
  const CKK = g.Cg * g.kH * g.kW;
  const col = colBuffer(gradW.buffer, CKK * P);
  gradW.buffer.fill(0, gradW.offset, gradW.offset + g.O * CKK);
  for (let n = 0; n < g.N; n++) {
    for (let gi = 0; gi < g.groups; gi++) {
      im2col(x.buffer, x.offset + n * g.C * g.H * g.W, g, gi * g.Cg, col);
      // gradW_g [Og, CKK] += gradOut_g [Og, P] · col^T [P, CKK]
      gemm(g.Og, CKK, P, gradOut.buffer, gradOut.offset + (n * g.O + gi * g.Og) * P, P, 1, col, 0, 1, P, gradW.buffer, gradW.offset + gi * g.Og * CKK, true);
    }
  }
}
