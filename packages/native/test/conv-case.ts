// One conv2d case against the TS backend: forward, input gradient and weight gradient, on random
// operands at random offsets, with NaN guards around the outputs (kernels.test.ts, conv-direct.test.ts).
import { expect } from 'vitest';
// Imported by relative path in tests only: @tsgrad/native must not depend on @tsgrad/tensor.
import { jsBackend } from '../../tensor/src/backend/js/index.js';
import { createBackend } from '../src/index.js';
import type { Conv2dParams } from '../src/types.js';
import { cloneView, expectBuffersClose, type FloatCtor, outView, randomView, skipWithoutAddon } from './helpers.js';

const native = skipWithoutAddon ? (null as unknown as ReturnType<typeof createBackend>) : createBackend();
/** Sums of k products: float32 differs from TS's order of summation by rounding, growing with k. */
const tol = (Ctor: FloatCtor, k: number) => (Ctor === Float32Array ? { rtol: 1e-4, atol: 2e-5 * Math.max(1, k) } : { rtol: 1e-10, atol: 1e-12 * Math.max(1, k) });

export interface ConvGeometry { N: number; C: number; H: number; W: number; O: number; k: [number, number]; p: Conv2dParams }

export function convCase(r: () => number, Ctor: FloatCtor, g: ConvGeometry, bias: boolean, label: string): void {
  const { N, C, H, W, O, k, p } = g;
  const oH = Math.floor((H + 2 * p.padding[0] - p.dilation[0] * (k[0] - 1) - 1) / p.stride[0]) + 1;
  const oW = Math.floor((W + 2 * p.padding[1] - p.dilation[1] * (k[1] - 1) - 1) / p.stride[1]) + 1;
  const x = randomView(r, Ctor, [N, C, H, W]);
  const w = randomView(r, Ctor, [O, C / p.groups, k[0], k[1]]);
  const bv = bias ? { ...randomView(r, Ctor, [O * 2]), shape: [O], strides: [2] } : null;
  const out = outView(r, Ctor, [N, O, oH, oW]);
  const exp = cloneView(out);
  jsBackend.conv2d(x, w, bv, exp, p);
  expect(native.conv2d(x, w, bv, out, p)).toBeUndefined();
  const K = (C / p.groups) * k[0] * k[1];
  const t = tol(Ctor, K);
  expectBuffersClose(out.buffer, exp.buffer, t.rtol, t.atol, `${label} forward`);

  const gradOut = randomView(r, Ctor, [N, O, oH, oW]);
  const gin = outView(r, Ctor, [N, C, H, W]);
  const ginExp = cloneView(gin);
  jsBackend.conv2dBackwardInput(gradOut, w, ginExp, p);
  expect(native.conv2dBackwardInput(gradOut, w, gin, p)).toBeUndefined();
  const t2 = tol(Ctor, (O / p.groups) * k[0] * k[1]);
  expectBuffersClose(gin.buffer, ginExp.buffer, t2.rtol, t2.atol, `${label} backward input`);

  const gw = outView(r, Ctor, [O, C / p.groups, k[0], k[1]]);
  const gwExp = cloneView(gw);
  jsBackend.conv2dBackwardWeight(x, gradOut, gwExp, p);
  expect(native.conv2dBackwardWeight(x, gradOut, gw, p)).toBeUndefined();
  const t3 = tol(Ctor, N * oH * oW);
  expectBuffersClose(gw.buffer, gwExp.buffer, t3.rtol, t3.atol, `${label} backward weight`);
}
