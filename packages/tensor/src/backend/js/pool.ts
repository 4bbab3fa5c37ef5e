import type { Pool2dParams, View } from '../backend.js';

/** Max pooling over each [H, W] plane; indices are flat positions within the input plane (as PyTorch's). */
export function maxPool2d(x: View, out: View, indices: View, p: Pool2dParams): void {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [, , oH, oW] = out.shape as [number, number, number, number];
  const [kH, kW] = p.kernelSize;
  const [sH, sW] = p.stride;
  const [pH, pW] = p.padding;
  const xb = x.buffer, ob = out.buffer, ib = indices.buffer;
  for (let plane = 0; plane < N * C; plane++) {
    const xo = x.offset + plane * H * W;
    const oo = out.offset + plane * oH * oW;
    const io = indices.offset + plane * oH * oW;
    for (let oh = 0; oh < oH; oh++) {
      const h0 = oh * sH - pH;
      const hs = Math.max(h0, 0), he = Math.min(h0 + kH, H);
      for (let ow = 0; ow < oW; ow++) {
        const w0 = ow * sW - pW;
        const ws = Math.max(w0, 0), we = Math.min(w0 + kW, W);
        let best = -Infinity;
        let bi = hs * W + ws;
        for (let h = hs; h < he; h++) {
          for (let w = ws; w < we; w++) {
            const v = xb[xo + h * W + w]!;
            if (v > best || v !== v) { best = v; bi = h * W + w; if (v !== v) { h = he; break; } }
          }
        }
        ob[oo + oh * oW + ow] = best;
        ib[io + oh * oW + ow] = bi;
      }
    }
  }
}

export function maxPool2dBackward(gradOut: View, indices: View, gradIn: View, _p: Pool2dParams): void {
  const [N, C, H, W] = gradIn.shape as [number, number, number, number];
  const [, , oH, oW] = gradOut.shape as [number, number, number, number];
  const gb = gradIn.buffer, ob = gradOut.buffer, ib = indices.buffer;
  gb.fill(0, gradIn.offset, gradIn.offset + N * C * H * W);
  for (let plane = 0; plane < N * C; plane++) {
    const go = gradIn.offset + plane * H * W;
    const oo = gradOut.offset + plane * oH * oW;
    const io = indices.offset + plane * oH * oW;
    for (let i = 0; i < oH * oW; i++) gb[go + ib[io + i]!]! += ob[oo + i]!;
  }
}

function divisor(h0: number, w0: number, H: number, W: number, p: Pool2dParams): number {
  const [kH, kW] = p.kernelSize;
  const [pH, pW] = p.padding;
  if (p.countIncludePad ?? true) {
    const he = Math.min(h0 + kH, H + pH), we = Math.min(w0 + kW, W + pW);
    return (he - h0) * (we - w0);
  }
  const hs = Math.max(h0, 0), ws = Math.max(w0, 0);
  return (Math.min(h0 + kH, H) - hs) * (Math.min(w0 + kW, W) - ws);
}

export function avgPool2d(x: View, out: View, p: Pool2dParams): void {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [, , oH, oW] = out.shape as [number, number, number, number];
  const [kH, kW] = p.kernelSize;
  const [sH, sW] = p.stride;
  const [pH, pW] = p.padding;
  const xb = x.buffer, ob = out.buffer;
  for (let plane = 0; plane < N * C; plane++) {
    const xo = x.offset + plane * H * W;
    const oo = out.offset + plane * oH * oW;
    for (let oh = 0; oh < oH; oh++) {
      const h0 = oh * sH - pH;
      const hs = Math.max(h0, 0), he = Math.min(h0 + kH, H);
      for (let ow = 0; ow < oW; ow++) {
        const w0 = ow * sW - pW;
        const ws = Math.max(w0, 0), we = Math.min(w0 + kW, W);
        let s = 0;
        for (let h = hs; h < he; h++) for (let w = ws; w < we; w++) s += xb[xo + h * W + w]!;
        ob[oo + oh * oW + ow] = s / divisor(h0, w0, H, W, p);
      }
    }
  }
}

export function avgPool2dBackward(gradOut: View, gradIn: View, p: Pool2dParams): void {
  const [N, C, H, W] = gradIn.shape as [number, number, number, number];
  const [, , oH, oW] = gradOut.shape as [number, number, number, number];
  const [kH, kW] = p.kernelSize;
  const [sH, sW] = p.stride;
  const [pH, pW] = p.padding;
  const gb = gradIn.buffer, ob = gradOut.buffer;
  gb.fill(0, gradIn.offset, gradIn.offset + N * C * H * W);
  for (let plane = 0; plane < N * C; plane++) {
    const go = gradIn.offset + plane * H * W;
    const oo = gradOut.offset + plane * oH * oW;
    for (let oh = 0; oh < oH; oh++) {
      const h0 = oh * sH - pH;
      const hs = Math.max(h0, 0), he = Math.min(h0 + kH, H);
      for (let ow = 0; ow < oW; ow++) {
        const w0 = ow * sW - pW;
        const ws = Math.max(w0, 0), we = Math.min(w0 + kW, W);
        const g = ob[oo + oh * oW + ow]! / divisor(h0, w0, H, W, p);
        for (let h = hs; h < he; h++) for (let w = ws; w < we; w++) gb[go + h * W + w]! += g;
      }
    }
  }
}
