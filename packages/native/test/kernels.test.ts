// Every native kernel agrees with the pure-TS reference backend on random shapes and layouts.
import { describe, expect, it } from 'vitest';
// Imported by relative path in tests only: @tsgrad/native must not depend on @tsgrad/tensor.
import { jsBackend } from '../../tensor/src/backend/js/index.js';
import { createBackend } from '../src/index.js';
import type { Conv2dParams, Pool2dParams, View } from '../src/types.js';
import { convCase } from './conv-case.js';
import { cloneView, contiguousStrides, expectBuffersClose, type FloatCtor, numel, outView, pick, randInt, randomView, rng, skipWithoutAddon } from './helpers.js';

const native = skipWithoutAddon ? (null as unknown as ReturnType<typeof createBackend>) : createBackend();
const dtypes: [string, FloatCtor][] = [['float32', Float32Array], ['float64', Float64Array]];
const tol = (Ctor: FloatCtor, k: number) => (Ctor === Float32Array ? { rtol: 1e-4, atol: 2e-5 * Math.max(1, k) } : { rtol: 1e-10, atol: 1e-12 * Math.max(1, k) });

type Layout = 'contiguous' | 'transposed' | 'strided' | 'reversed-batch';

/** A [...batch, R, C] operand in the given layout; batch dims listed in `bcast` get stride 0. */
function matrixView(r: () => number, Ctor: FloatCtor, batch: number[], R: number, C: number, layout: Layout, bcast: boolean[]): View {
  const shape = [...batch, R, C];
  const offset = randInt(r, 0, 4);
  let rs: number, cs: number, plane: number;
  if (layout === 'transposed') { rs = 1; cs = R; plane = R * C; }
  else if (layout === 'strided') { cs = 2; rs = 2 * C + 1; plane = rs * R; }
  else { rs = C; cs = 1; plane = R * C; }
  const strides = new Array<number>(shape.length);
  strides[batch.length] = rs;
  strides[batch.length + 1] = cs;
  let acc = Math.max(plane, 1);
  for (let d = batch.length - 1; d >= 0; d--) {
    strides[d] = bcast[d] ? 0 : acc;
    if (!bcast[d]) acc *= batch[d]!;
  }
  const buffer = new Ctor(offset + acc + 3);
  for (let i = 0; i < buffer.length; i++) buffer[i] = r() * 2 - 1;
  return { buffer, shape, strides, offset };
}

describe.skipIf(skipWithoutAddon)('matmul agrees with the TS backend', () => {
  for (const [name, Ctor] of dtypes) {
    it(`${name}: random shapes, transposes, strides, broadcast batches`, () => {
      const r = rng(Ctor === Float32Array ? 1 : 2);
      const sizes = [0, 1, 2, 3, 5, 8, 17, 33, 70];
      for (let t = 0; t < 250; t++) {
        const nb = randInt(r, 0, 2);
        const batch = Array.from({ length: nb }, () => pick(r, [0, 1, 1, 2, 3]));
        if (t % 25 === 0) batch.fill(1);
        const M = pick(r, sizes), N = pick(r, sizes), K = pick(r, sizes);
        const la = pick(r, ['contiguous', 'transposed', 'strided'] as Layout[]);
        const lb = pick(r, ['contiguous', 'transposed', 'strided'] as Layout[]);
        const a = matrixView(r, Ctor, batch, M, K, la, batch.map(() => r() < 0.3));
        const b = matrixView(r, Ctor, batch, K, N, lb, batch.map(() => r() < 0.3));
        const out = outView(r, Ctor, [...batch, M, N]);
        const expected = cloneView(out);
        jsBackend.matmul(a, b, expected);
        expect(native.matmul(a, b, out)).toBeUndefined();
        const { rtol, atol } = tol(Ctor, K);
        expectBuffersClose(out.buffer, expected.buffer, rtol, atol, `case ${t} [${batch}] ${M}x${K}(${la}) · ${K}x${N}(${lb})`);
      }
    });

    // [64, 512, 64], [200, 90, 150], [33, 257, 300] and [300, 129, 257] lie between 2^21 and 2^28
    // multiply-adds, where the product is cut into per-thread slices (by columns, rows, columns,
    // rows; uneven last slices); [700, 640, 600] is past 2^28, on BLAS's own threads.
    it(`${name}: large products (BLAS path, sliced over our threads or BLAS-threaded) and a 1-element product`, () => {
      const r = rng(3);
      for (const [M, N, K] of [[1, 1, 1], [300, 129, 257], [64, 512, 64], [200, 90, 150], [33, 257, 300], [1, 700, 300], [513, 1, 40], [700, 640, 600]] as const) {
        for (const la of ['contiguous', 'transposed', 'strided'] as Layout[]) for (const lb of ['contiguous', 'transposed'] as Layout[]) {
          const a = matrixView(r, Ctor, [], M, K, la, []);
          const b = matrixView(r, Ctor, [], K, N, lb, []);
          const out = outView(r, Ctor, [M, N]);
          const expected = cloneView(out);
          jsBackend.matmul(a, b, expected);
          native.matmul(a, b, out);
          const { rtol, atol } = tol(Ctor, K);
          expectBuffersClose(out.buffer, expected.buffer, rtol, atol, `${M}x${K}x${N} ${la} ${lb}`);
        }
      }
    });
  }

  it('declines int32 and mixed dtypes so the TS kernel runs them', () => {
    const a = { buffer: new Int32Array(4), shape: [2, 2], strides: [2, 1], offset: 0 };
    expect(native.matmul(a, a, { ...a, buffer: new Int32Array(4) })).toBe(false);
    const f = { buffer: new Float32Array(4), shape: [2, 2], strides: [2, 1], offset: 0 };
    const d = { buffer: new Float64Array(4), shape: [2, 2], strides: [2, 1], offset: 0 };
    expect(native.matmul(f, d, { ...d, buffer: new Float64Array(4) })).toBe(false);
  });

  it('computes from the original inputs when out overlaps an input', () => {
    const buf = new Float64Array([1, 2, 3, 4, 0, 1, 1, 0]);
    const a = { buffer: buf, shape: [2, 2], strides: [2, 1], offset: 0 };
    const b = { buffer: buf, shape: [2, 2], strides: [2, 1], offset: 4 };
    native.matmul(a, b, a); // out aliases a: [[1,2],[3,4]]·[[0,1],[1,0]]
    expect([...buf.subarray(0, 4)]).toEqual([2, 1, 4, 3]);
  });
});

describe.skipIf(skipWithoutAddon)('conv2d and its gradients agree with the TS backend', () => {
  for (const [name, Ctor] of dtypes) {
    it(`${name}: random geometry (stride, padding, dilation, groups)`, () => {
      const r = rng(Ctor === Float32Array ? 10 : 11);
      for (let t = 0; t < 60; t++) {
        const groups = pick(r, [1, 1, 2, 3]);
        const C = groups * randInt(r, 1, 3), O = groups * randInt(r, 1, 3);
        const k: [number, number] = [randInt(r, 1, 3), randInt(r, 1, 3)];
        const p: Conv2dParams = {
          stride: [randInt(r, 1, 2), randInt(r, 1, 3)],
          padding: [randInt(r, 0, 2), randInt(r, 0, 1)],
          dilation: [randInt(r, 1, 2), randInt(r, 1, 2)],
          groups,
        };
        const H = randInt(r, 1, 9) + (k[0] - 1) * p.dilation[0], W = randInt(r, 1, 9) + (k[1] - 1) * p.dilation[1];
        convCase(r, Ctor, { N: pick(r, [0, 1, 2, 3]), C, H, W, O, k, p }, r() < 0.5, `case ${t}`);
      }
    });

    it(`${name}: "same"-width unit-stride convs (the shifted-plane im2col), kernels wider than the image`, () => {
      const r = rng(Ctor === Float32Array ? 14 : 15);
      for (let t = 0; t < 40; t++) {
        const kW = pick(r, [1, 3, 5, 7]), kH = randInt(r, 1, 5);
        // 2 * padW = kW - 1 keeps the output as wide as the input; padH is free.
        const p: Conv2dParams = { stride: [1, 1], padding: [randInt(r, 0, 3), (kW - 1) / 2], dilation: [1, 1], groups: pick(r, [1, 1, 2]) };
        const C = p.groups * randInt(r, 1, 3), O = p.groups * randInt(r, 1, 3);
        const H = Math.max(1, kH - 2 * p.padding[0]) + randInt(r, 0, 6), W = randInt(r, 1, 9);
        convCase(r, Ctor, { N: pick(r, [0, 1, 2, 3]), C, H, W, O, k: [kH, kW], p }, r() < 0.5, `case ${t} k=[${kH}, ${kW}] pad=${p.padding} [${H}, ${W}]`);
      }
    });

    it(`${name}: the batched-GEMM schedule (large per-image GEMMs, uneven image chunks, groups)`, () => {
      const r = rng(12);
      const same = (groups: number): Conv2dParams => ({ stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups });
      convCase(r, Ctor, { N: 25, C: 10, H: 14, W: 14, O: 16, k: [3, 3], p: same(1) }, true, 'chunks');
      convCase(r, Ctor, { N: 3, C: 32, H: 14, W: 14, O: 64, k: [3, 3], p: same(2) }, false, 'groups=2');
      convCase(r, Ctor, { N: 1, C: 16, H: 30, W: 30, O: 32, k: [3, 3], p: same(1) }, true, 'one image');
    });
  }

  it('per-image single-threaded BLAS GEMMs (W2b-sized) match, and BLAS gets its thread count back', () => {
    const r = rng(16);
    const before = native.info()['threads'];
    const same: Conv2dParams = { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 };
    convCase(r, Float32Array, { N: 6, C: 32, H: 14, W: 14, O: 64, k: [3, 3], p: same }, true, 'W2b-like');
    // 19 images: with 2 threads, tasks of four images side by side (the last one three).
    convCase(r, Float32Array, { N: 19, C: 32, H: 14, W: 14, O: 64, k: [3, 3], p: same }, true, 'W2b-like, several images per task');
    convCase(r, Float32Array, { N: 9, C: 64, H: 7, W: 9, O: 48, k: [3, 3], p: { ...same, groups: 2 } }, true, 'groups, one image per task');
    convCase(r, Float64Array, { N: 5, C: 8, H: 10, W: 12, O: 40, k: [2, 3], p: { ...same, padding: [0, 1] } }, false, 'float64');
    expect(native.info()['threads']).toBe(before);
  });

  it('1x1 images, 0 images and 0 output channels', () => {
    const r = rng(13);
    const p: Conv2dParams = { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 };
    convCase(r, Float32Array, { N: 1, C: 1, H: 1, W: 1, O: 1, k: [1, 1], p }, true, '1x1');
    convCase(r, Float32Array, { N: 0, C: 2, H: 3, W: 3, O: 2, k: [2, 2], p }, true, 'N=0');
    convCase(r, Float64Array, { N: 2, C: 2, H: 3, W: 3, O: 0, k: [2, 2], p }, false, 'O=0');
  });

  it('declines non-contiguous operands', () => {
    const x = { buffer: new Float32Array(16), shape: [1, 1, 4, 4], strides: [16, 16, 1, 4], offset: 0 };
    const w = { buffer: new Float32Array(1), shape: [1, 1, 1, 1], strides: [1, 1, 1, 1], offset: 0 };
    const out = { buffer: new Float32Array(16), shape: [1, 1, 4, 4], strides: [16, 16, 4, 1], offset: 0 };
    expect(native.conv2d(x, w, null, out, { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 })).toBe(false);
  });
});

describe.skipIf(skipWithoutAddon)('pooling agrees with the TS backend', () => {
  for (const [name, Ctor] of dtypes) {
    it(`${name}: max and average pooling, forward and backward`, () => {
      const r = rng(Ctor === Float32Array ? 20 : 21);
      for (let t = 0; t < 80; t++) {
        const kernelSize: [number, number] = [randInt(r, 1, 3), randInt(r, 1, 3)];
        const p: Pool2dParams = {
          kernelSize,
          stride: [randInt(r, 1, 3), randInt(r, 1, 2)],
          padding: [randInt(r, 0, Math.floor(kernelSize[0] / 2)), randInt(r, 0, Math.floor(kernelSize[1] / 2))],
          countIncludePad: r() < 0.5,
        };
        const N = pick(r, [0, 1, 2]), C = randInt(r, 1, 3);
        const H = randInt(r, kernelSize[0], 9), W = randInt(r, kernelSize[1], 9);
        const oH = Math.floor((H + 2 * p.padding[0] - kernelSize[0]) / p.stride[0]) + 1;
        const oW = Math.floor((W + 2 * p.padding[1] - kernelSize[1]) / p.stride[1]) + 1;
        const x = randomView(r, Ctor, [N, C, H, W]);
        if (t % 7 === 0 && x.buffer.length > 0) x.buffer[x.offset] = NaN;
        if (t % 5 === 0) for (let i = 0; i < x.buffer.length; i += 3) x.buffer[i] = 0.25; // ties: first index wins
        const label = `case ${t}`;

        const out = outView(r, Ctor, [N, C, oH, oW]), idx = outView(r, Int32Array, [N, C, oH, oW]);
        const outE = cloneView(out), idxE = cloneView(idx);
        jsBackend.maxPool2d(x, outE, idxE, p);
        expect(native.maxPool2d(x, out, idx, p)).toBeUndefined();
        expectBuffersClose(out.buffer, outE.buffer, 0, 0, `${label} max`);
        expect([...idx.buffer], `${label} indices`).toEqual([...idxE.buffer]);

        const gradOut = randomView(r, Ctor, [N, C, oH, oW]);
        const gin = outView(r, Ctor, [N, C, H, W]), ginE = cloneView(gin);
        jsBackend.maxPool2dBackward(gradOut, idxE, ginE, p);
        expect(native.maxPool2dBackward(gradOut, idx, gin, p)).toBeUndefined();
        expectBuffersClose(gin.buffer, ginE.buffer, 1e-6, 1e-7, `${label} max backward`);

        const avg = outView(r, Ctor, [N, C, oH, oW]), avgE = cloneView(avg);
        jsBackend.avgPool2d(x, avgE, p);
        expect(native.avgPool2d(x, avg, p)).toBeUndefined();
        expectBuffersClose(avg.buffer, avgE.buffer, 1e-6, 1e-7, `${label} avg`);

        const gin2 = outView(r, Ctor, [N, C, H, W]), gin2E = cloneView(gin2);
        jsBackend.avgPool2dBackward(gradOut, gin2E, p);
        expect(native.avgPool2dBackward(gradOut, gin2, p)).toBeUndefined();
        expectBuffersClose(gin2.buffer, gin2E.buffer, 1e-6, 1e-7, `${label} avg backward`);
      }
    });
  }

  for (const [name, Ctor] of dtypes) {
    it(`${name}: the 2x2 / stride 2 max pool fast path (odd sizes, NaN in every window slot, ties, -inf)`, () => {
      const r = rng(Ctor === Float32Array ? 23 : 24);
      const p: Pool2dParams = { kernelSize: [2, 2], stride: [2, 2], padding: [0, 0] };
      for (let t = 0; t < 40; t++) {
        const N = pick(r, [0, 1, 3]), C = randInt(r, 1, 3), H = randInt(r, 2, 11), W = randInt(r, 2, 37);
        const oH = Math.floor(H / 2), oW = Math.floor(W / 2);
        const x = randomView(r, Ctor, [N, C, H, W]);
        const values = [NaN, -Infinity, Infinity, 0.5, -0.5, 0];
        for (let i = 0; i < x.buffer.length; i++) {
          // Some cases draw from a few values only, so windows hold ties, infinities and NaN anywhere.
          if (t % 3 === 0 || (t % 3 === 1 && r() < 0.05)) x.buffer[i] = pick(r, values);
        }
        const label = `case ${t} [${N}, ${C}, ${H}, ${W}]`;
        const out = outView(r, Ctor, [N, C, oH, oW]), idx = outView(r, Int32Array, [N, C, oH, oW]);
        const outE = cloneView(out), idxE = cloneView(idx);
        jsBackend.maxPool2d(x, outE, idxE, p);
        expect(native.maxPool2d(x, out, idx, p)).toBeUndefined();
        expect([...out.buffer], `${label} max`).toEqual([...outE.buffer]); // exact; NaN equals NaN here
        expect([...idx.buffer], `${label} indices`).toEqual([...idxE.buffer]);
      }
    });
  }

  it('a threaded max pool backward refuses an out-of-plane index in a late plane, naming its position', () => {
    const p: Pool2dParams = { kernelSize: [2, 2], stride: [2, 2], padding: [0, 0] };
    const shape = [8, 16, 32, 32], outShape = [8, 16, 16, 16];
    const gradOut = { buffer: new Float32Array(numel(outShape)).fill(1), shape: outShape, strides: contiguousStrides(outShape), offset: 0 };
    const indices = { buffer: new Int32Array(numel(outShape)), shape: outShape, strides: contiguousStrides(outShape), offset: 0 };
    const at = numel(outShape) - 300; // plane 126 of 128
    indices.buffer[at] = 1024;
    const gradIn = { buffer: new Float32Array(numel(shape)), shape, strides: contiguousStrides(shape), offset: 0 };
    expect(() => native.maxPool2dBackward(gradOut, indices, gradIn, p)).toThrow(
      new RangeError(`maxPool2dBackward: indices[${at}] = 1024 is out of bounds for an input plane of 32 x 32 = 1024 elements`));
    indices.buffer[at] = -1;
    expect(() => native.maxPool2dBackward(gradOut, indices, gradIn, p)).toThrow(/indices\[\d+\] = -1 is out of bounds/);
  });

  it('a large pooling run (threaded planes: 4M+ input elements) matches', () => {
    const r = rng(22);
    const p: Pool2dParams = { kernelSize: [2, 2], stride: [2, 2], padding: [0, 0] };
    const x = randomView(r, Float32Array, [80, 52, 32, 32]);
    const out = outView(r, Float32Array, [80, 52, 16, 16]), idx = outView(r, Int32Array, [80, 52, 16, 16]);
    const outE = cloneView(out), idxE = cloneView(idx);
    jsBackend.maxPool2d(x, outE, idxE, p);
    native.maxPool2d(x, out, idx, p);
    expect(numel(x.shape)).toBeGreaterThanOrEqual(1 << 22);
    for (let i = 0; i < idx.buffer.length; i++) {
      if (out.buffer[i] !== outE.buffer[i] && !(Number.isNaN(out.buffer[i]) && Number.isNaN(outE.buffer[i]))) expect.fail(`max [${i}]: ${out.buffer[i]} vs ${outE.buffer[i]}`);
      if (idx.buffer[i] !== idxE.buffer[i]) expect.fail(`indices [${i}]: ${idx.buffer[i]} vs ${idxE.buffer[i]}`);
    }
  });
});

describe.skipIf(skipWithoutAddon)('backend info', () => {
  it('reports BLAS, version and threads', () => {
    const info = native.info();
    expect(typeof info['blas']).toBe('string');
    expect(typeof info['blasVersion']).toBe('string');
    expect(info['threads']).toBeGreaterThanOrEqual(1);
    if (info['blas'] === 'OpenBLAS') expect(info['blasVersion']).toMatch(/OpenBLAS \d+\.\d+/);
  });
});
