// conv2d's weight gradient sums over the batch on several threads; the per-image schedules split
// the images into fixed runs summed in a fixed order, so the same call gives the same bits every
// time (before, per-thread copies filled by whichever thread took each image were summed in a
// timing-dependent order, and W4's weights differed from run to run).
import { describe, expect, it } from 'vitest';
import { createBackend } from '../src/index.js';
import type { Conv2dParams } from '../src/types.js';
import { outView, randomView, rng, skipWithoutAddon } from './helpers.js';

const native = skipWithoutAddon ? (null as unknown as ReturnType<typeof createBackend>) : createBackend();
const conv = (groups = 1): Conv2dParams => ({ stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups });

describe.skipIf(skipWithoutAddon)('conv2dBackwardWeight is reproducible', () => {
  // W4's two convs and W2b (several images per task), a grouped conv (one (image, group) per item).
  const cases: [number[], number, Conv2dParams][] = [
    [[64, 1, 28, 28], 32, conv()],
    [[64, 32, 14, 14], 64, conv()],
    [[24, 8, 12, 12], 16, conv(4)],
  ];
  for (const [xs, O, p] of cases) {
    it(`[${xs}] -> ${O}, groups ${p.groups}: the same bits on every call`, () => {
      const r = rng(91);
      const [N, C, H, W] = xs as [number, number, number, number];
      const x = randomView(r, Float32Array, xs), gradOut = randomView(r, Float32Array, [N, O, H, W]);
      const ws = [O, C / p.groups, 3, 3];
      const first = outView(r, Float32Array, ws);
      native.conv2dBackwardWeight(x, gradOut, first, p);
      for (let rep = 0; rep < 12; rep++) {
        const again = outView(r, Float32Array, ws);
        native.conv2dBackwardWeight(x, gradOut, again, p);
        const a = first.buffer.subarray(first.offset), b = again.buffer.subarray(again.offset);
        for (let i = 0; i < ws.reduce((m, d) => m * d, 1); i++) {
          if (!Object.is(a[i], b[i])) expect.fail(`call ${rep + 2}: element ${i} is ${b[i]}, the first call gave ${a[i]}`);
        }
      }
    });
  }
});
