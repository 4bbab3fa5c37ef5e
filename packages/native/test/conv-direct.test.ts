// The direct float32 conv kernels (csrc/conv_direct.cc: unit stride and dilation, one group, on
// AVX-512 builds) against the TS backend, on shapes at the edges of their register blocks: output
// widths around the 16-lane vector, heights around the 3-row block, output-channel counts around
// the 8-channel block and the 16-channel vector, kernels other than 3x3, and padding past k - 1
// (where the input gradient leaves the direct kernel for im2col). A lane, row or channel dropped
// or written twice is off by O(1); a write outside the output hits its NaN guards.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rawAddon } from '../src/index.js';
import type { Conv2dParams } from '../src/types.js';
import { convCase, type ConvGeometry } from './conv-case.js';
import { rng, skipWithoutAddon } from './helpers.js';

const conv = (pH: number, pW = pH): Conv2dParams => ({ stride: [1, 1], padding: [pH, pW], dilation: [1, 1], groups: 1 });
const g = (N: number, C: number, H: number, W: number, O: number, k: [number, number], p: Conv2dParams): ConvGeometry => ({ N, C, H, W, O, k, p });

describe.skipIf(skipWithoutAddon)('direct conv kernels', () => {
  it('are compiled into an AVX-512 build made for this machine', () => {
    const cpuHasAvx512 = (() => {
      try {
        return /\bavx512f\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
      } catch {
        return false;
      }
    })();
    const i = rawAddon().info();
    if (cpuHasAvx512 && i.arch?.includes('native')) expect(i.directConv).toBe(true);
    else expect(typeof i.directConv).toBe('boolean');
  });

  const cases: [string, ConvGeometry][] = [
    ['W2b-like, fewer images than two per thread', g(3, 32, 14, 14, 64, [3, 3], conv(1))],
    ['W4 first conv: one input channel', g(5, 1, 28, 28, 32, [3, 3], conv(1))],
    ['width 16: one full vector', g(2, 5, 6, 16, 8, [3, 3], conv(1))],
    ['width 17: a vector and one lane', g(2, 5, 5, 17, 9, [3, 3], conv(1))],
    ['width 33, 17 channels', g(3, 4, 4, 33, 17, [3, 3], conv(1))],
    ['width 1', g(2, 6, 7, 1, 16, [3, 3], conv(1))],
    ['heights 1, 2, 4 and 5 around the 3-row block', g(2, 3, 1, 9, 24, [3, 3], conv(1))],
    ['height 2', g(2, 3, 2, 9, 40, [3, 3], conv(1))],
    ['height 4', g(2, 3, 4, 9, 13, [3, 3], conv(1))],
    ['height 5', g(2, 3, 5, 9, 16, [3, 3], conv(1))],
    ['1x1, no padding', g(4, 20, 5, 7, 24, [1, 1], conv(0))],
    ['1x1 padded by 1: the input gradient takes im2col', g(2, 8, 4, 4, 8, [1, 1], conv(1))],
    ['5x5 padded by 2', g(2, 6, 9, 11, 16, [5, 5], conv(2))],
    ['5x5 unpadded: outputs smaller than inputs', g(2, 6, 9, 11, 16, [5, 5], conv(0))],
    ['2x3 kernel, padding [0, 1]', g(3, 7, 6, 20, 12, [2, 3], conv(0, 1))],
    ['3x1 kernel, padding [1, 0]', g(2, 9, 8, 5, 16, [3, 1], conv(1, 0))],
    ['kernel wider than the image', g(2, 4, 3, 3, 16, [5, 5], conv(2))],
    ['output channels under a block (im2col forward), input channels over one', g(2, 16, 6, 6, 4, [3, 3], conv(1))],
    ['many images', g(9, 8, 6, 6, 16, [3, 3], conv(1))],
    ['a weight block past 128 KiB: im2col', g(2, 512, 3, 3, 8, [3, 3], conv(1))],
  ];
  it('forward, input and weight gradients match TS to rounding', () => {
    const r = rng(73);
    for (const [label, geometry] of cases) {
      convCase(r, Float32Array, geometry, true, label);
      convCase(r, Float32Array, geometry, false, `${label}, no bias`);
    }
  });
});
