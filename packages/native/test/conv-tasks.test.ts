// conv2d's loops over many small items (images x channels of the batched schedule, (image, group)
// pairs of a depthwise conv) run several consecutive items per threaded task: shapes whose item
// counts leave a short last task, against the TS backend. The sums differ from TS's only by
// rounding (BLAS orders them differently); a skipped, repeated or misplaced item is off by O(1),
// and a skipped zero-fill leaves outView's NaNs.
import { describe, it } from 'vitest';
// Imported by relative path in tests only: @tsgrad/native must not depend on @tsgrad/tensor.
import { jsBackend } from '../../tensor/src/backend/js/index.js';
import { createBackend } from '../src/index.js';
import type { Conv2dParams } from '../src/types.js';
import { cloneView, expectBuffersClose, type FloatCtor, outView, randomView, rng, skipWithoutAddon } from './helpers.js';

const native = skipWithoutAddon ? (null as unknown as ReturnType<typeof createBackend>) : createBackend();
const dtypes: [string, FloatCtor][] = [['float32', Float32Array], ['float64', Float64Array]];
const conv = (padding: number, groups = 1): Conv2dParams => ({ stride: [1, 1], padding: [padding, padding], dilation: [1, 1], groups });

describe.skipIf(skipWithoutAddon)('conv2d over many small items (tasks of several items)', () => {
  // [N, C, H, W], out channels, params. The first two take the batched schedule (fewer images
  // than 2 per thread with a large product; an unfolded image over 1 MiB, in chunks of 3, 3 and 2
  // images): 123 channel unfolds in tasks of 9, 111 and 72 output planes in tasks of 81 and 20.
  // The third is depthwise: 512 (image, group) items in tasks of 29.
  const cases: [number[], number, Conv2dParams][] = [
    [[3, 41, 20, 20], 37, conv(1)],
    [[8, 16, 40, 40], 24, conv(1)],
    [[16, 32, 10, 10], 32, conv(1, 32)],
  ];
  for (const [name, Ctor] of dtypes) {
    it(`${name}: forward, input and weight gradients match TS to rounding`, () => {
      const r = rng(Ctor === Float32Array ? 81 : 82);
      const rtol = Ctor === Float32Array ? 1e-4 : 1e-10, atol = Ctor === Float32Array ? 1e-3 : 1e-10;
      for (const [xs, O, p] of cases) {
        const [N, C, H, W] = xs as [number, number, number, number];
        const label = `[${xs}] -> ${O} groups ${p.groups}`;
        const ws = [O, C / p.groups, 3, 3], os = [N, O, H, W];
        const x = randomView(r, Ctor, xs), w = randomView(r, Ctor, ws), gradOut = randomView(r, Ctor, os);
        const bias = randomView(r, Ctor, [O]);

        const out = outView(r, Ctor, os), outE = cloneView(out);
        jsBackend.conv2d(x, w, bias, outE, p);
        native.conv2d(x, w, bias, out, p);
        expectBuffersClose(out.buffer, outE.buffer, rtol, atol, `${label} forward`);

        const gin = outView(r, Ctor, xs), ginE = cloneView(gin);
        jsBackend.conv2dBackwardInput(gradOut, w, ginE, p);
        native.conv2dBackwardInput(gradOut, w, gin, p);
        expectBuffersClose(gin.buffer, ginE.buffer, rtol, atol, `${label} input gradient`);

        const gw = outView(r, Ctor, ws), gwE = cloneView(gw);
        jsBackend.conv2dBackwardWeight(x, gradOut, gwE, p);
        native.conv2dBackwardWeight(x, gradOut, gw, p);
        expectBuffersClose(gw.buffer, gwE.buffer, rtol, atol, `${label} weight gradient`);
      }
    });
  }
});
