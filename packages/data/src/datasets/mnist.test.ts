import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Tensor } from '@tsgrad/tensor';
import { encodeIdx } from '../formats/idx.js';
import { tempDir } from '../test-utils/tmp.js';
import { DataLoader } from '../loader/dataloader.js';
import * as T from '../transforms/index.js';
import type { Image } from '../image.js';
import { FashionMNIST, MNIST } from './mnist.js';

const root = tempDir('mnist');

/** n images of h x w where pixel p of image i is (i * 7 + p) % 256, labels i % 10. */
function writeSet(dir: string, prefix: string, n: number, opts: { gz?: boolean; h?: number; w?: number } = {}) {
  const h = opts.h ?? 4;
  const w = opts.w ?? 3;
  mkdirSync(dir, { recursive: true });
  const px = Uint8Array.from({ length: n * h * w }, (_, k) => (Math.floor(k / (h * w)) * 7 + (k % (h * w))) % 256);
  const imgs = encodeIdx('uint8', [n, h, w], px);
  const labels = encodeIdx('uint8', [n], Uint8Array.from({ length: n }, (_, i) => i % 10));
  const ext = opts.gz ? '.gz' : '';
  writeFileSync(join(dir, `${prefix}-images-idx3-ubyte${ext}`), opts.gz ? gzipSync(imgs) : imgs);
  writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte${ext}`), opts.gz ? gzipSync(labels) : labels);
}

describe('MNIST-family datasets from IDX files', () => {
  it('loads raw train files and gz test files; samples are float [1, H, W] and int32 labels', () => {
    const dir = join(root, 'ok');
    writeSet(dir, 'train', 12);
    writeSet(dir, 't10k', 5, { gz: true });
    const train = new MNIST(dir);
    const test = new MNIST(dir, { train: false });
    expect(train.length).toBe(12);
    expect(test.length).toBe(5);
    const [x, y] = train.get(3) as [Tensor, Tensor];
    expect(x.shape).toEqual([1, 4, 3]);
    expect(x.dtype).toBe('float32');
    expect(Array.from(x.toTypedArray())).toEqual(Array.from({ length: 12 }, (_, p) => Math.fround((21 + p) / 255)));
    expect(y.dtype).toBe('int32');
    expect(y.shape).toEqual([]);
    expect(y.item()).toBe(3);
    expect((test.get(4)[1] as Tensor).item()).toBe(4);
  });

  it('finds files in torchvision layout and passes raw Images to the transform', () => {
    writeSet(join(root, 'tv', 'FashionMNIST', 'raw'), 'train', 3);
    const ds = new FashionMNIST(join(root, 'tv'), { transform: (img: Image) => img, targetTransform: (l) => `class ${l}` });
    const [img, label] = ds.get(1);
    expect(img.height).toBe(4);
    expect(img.channels).toBe(1);
    expect([...img.data.subarray(0, 3)]).toEqual([7, 8, 9]);
    expect(label).toBe('class 1');
  });

  it('batches through a DataLoader with a transform pipeline', () => {
    const dir = join(root, 'ok');
    const ds = new MNIST(dir, { transform: T.Compose([T.ToTensor(), T.Normalize([0.5], [0.5])]) });
    const [xb, yb] = [...new DataLoader(ds, { batchSize: 5 })][0] as Tensor[];
    expect(xb!.shape).toEqual([5, 1, 4, 3]);
    expect(yb!.toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(xb!.toTypedArray()[0]).toBeCloseTo(-1);
  });

  it('clear errors: missing directory/file, count mismatch, wrong kind of file, bad label', () => {
    expect(() => new MNIST(join(root, 'absent'))).toThrow(/absent: MNIST: directory not found/);
    const dir = join(root, 'onlyimages');
    writeSet(dir, 'train', 4);
    expect(() => new MNIST(dir, { train: false })).toThrow(/MNIST t10k images file not found; looked for .*t10k-images-idx3-ubyte, .*t10k-images-idx3-ubyte\.gz/);

    const mism = join(root, 'mismatch');
    writeSet(mism, 'train', 4);
    writeFileSync(join(mism, 'train-labels-idx1-ubyte'), encodeIdx('uint8', [3], [0, 1, 2]));
    expect(() => new MNIST(mism)).toThrow(/train-labels-idx1-ubyte: holds 3 labels, but .*train-images-idx3-ubyte holds 4 images/);

    const swapped = join(root, 'swapped');
    writeSet(swapped, 'train', 4);
    writeFileSync(join(swapped, 'train-images-idx3-ubyte'), encodeIdx('uint8', [4], [0, 1, 2, 3]));
    expect(() => new MNIST(swapped)).toThrow(/train-images-idx3-ubyte: expected an images file \(uint8, 3-d, magic 0x00000803\), found uint8 with shape \[4\]/);

    const badLabel = join(root, 'badlabel');
    writeSet(badLabel, 'train', 4);
    writeFileSync(join(badLabel, 'train-labels-idx1-ubyte'), encodeIdx('uint8', [4], [0, 1, 12, 3]));
    expect(() => new MNIST(badLabel)).toThrow(/label 12 of sample 2 at offset 10 is out of range: expected 0\.\.9/);

    const truncated = join(root, 'truncated');
    writeSet(truncated, 'train', 4, { gz: true });
    const full = encodeIdx('uint8', [4, 4, 3], new Uint8Array(48));
    writeFileSync(join(truncated, 'train-images-idx3-ubyte.gz'), gzipSync(full.subarray(0, 40)));
    expect(() => new MNIST(truncated)).toThrow(/train-images-idx3-ubyte\.gz: truncated: the header declares uint8 \[4, 4, 3\] = 48 data bytes from offset 16/);
  });
});

const FASHION = '/usr/share/datasets/fashion-mnist';
const haveFashion = existsSync(FASHION);
if (!haveFashion) console.warn(`[tsgrad/data] skipping the real Fashion-MNIST test: ${FASHION} is absent (apt install dataset-fashion-mnist)`);

describe.skipIf(!haveFashion)(`FashionMNIST on the real files in ${FASHION}`, () => {
  it('train: 60,000 28x28 images, 6,000 per class, known first labels', () => {
    const ds = new FashionMNIST(FASHION);
    expect(ds.length).toBe(60000);
    expect([ds.height, ds.width]).toEqual([28, 28]);
    expect(ds.data.length).toBe(60000 * 784);
    const counts = new Array(10).fill(0);
    for (const l of ds.targets) counts[l]++;
    expect(counts).toEqual(new Array(10).fill(6000));
    expect([...ds.targets.subarray(0, 10)]).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    expect(ds.classes[ds.targets[0]!]).toBe('Ankle boot');
    // Pixel sum of the first image, computed independently with Python's gzip module.
    expect(ds.raw(0).image.data.reduce((a, b) => a + b, 0)).toBe(76247);
    const [x] = ds.get(0) as [Tensor, Tensor];
    expect(x.shape).toEqual([1, 28, 28]);
  });

  it('test: 10,000 images, 1,000 per class, known first labels', () => {
    const ds = new FashionMNIST(FASHION, { train: false });
    expect(ds.length).toBe(10000);
    const counts = new Array(10).fill(0);
    for (const l of ds.targets) counts[l]++;
    expect(counts).toEqual(new Array(10).fill(1000));
    expect([...ds.targets.subarray(0, 10)]).toEqual([9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
  });
});
