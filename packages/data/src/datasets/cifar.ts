import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor } from '@tsgrad/tensor';
import { Dataset } from '../dataset.js';
import { checkIndex } from '../errors.js';
import { bytesToUnit, type Image } from '../image.js';
import { checkDirectory, findFile } from '../formats/files.js';
import { readCifarBatch } from '../formats/cifar.js';
import { labelTensor, type VisionDatasetOptions } from './common.js';

/** Options of `CIFAR10`: the split (`train`) and the sample and label transforms. */
export interface CIFAR10Options<X = unknown, Y = unknown> extends VisionDatasetOptions<X, Y> {
  /** data_batch_1..5.bin (true, default) or test_batch.bin. */
  train?: boolean;
}

/** CIFAR-10's class names, as torchvision names them. */
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;

/**
 * CIFAR-10 from the binary version's batch files, in `root` or `root/cifar-10-batches-bin`
 * (raw or .gz). Pixels stay uint8 in memory (CHW per image); samples are
 * [float32 [3, 32, 32] in 0..1, int32 label] by default, or the transform of an HWC Image.
 */
export class CIFAR10<X = unknown, Y = unknown> extends Dataset<[X, Y]> {
  readonly data: Uint8Array;
  readonly targets: Uint8Array;
  readonly classes: readonly string[];
  readonly files: string[];
  readonly train: boolean;

  constructor(
    readonly root: string,
    readonly options: CIFAR10Options<X, Y> = {},
  ) {
    super();
    checkDirectory(root, 'CIFAR10');
    this.train = options.train ?? true;
    const dirs = [root, join(root, 'cifar-10-batches-bin')];
    const names = this.train ? [1, 2, 3, 4, 5].map((k) => `data_batch_${k}.bin`) : ['test_batch.bin'];
    this.files = names.map((n) => findFile(dirs, [n], `CIFAR10 batch ${n}`));
    const batches = this.files.map((f) => readCifarBatch(f));
    const total = batches.reduce((a, b) => a + b.count, 0);
    this.data = new Uint8Array(total * 3072);
    this.targets = new Uint8Array(total);
    let at = 0;
    for (const b of batches) {
      this.data.set(b.images, at * 3072);
      this.targets.set(b.labels, at);
      at += b.count;
    }
    const meta = dirs.map((d) => join(d, 'batches.meta.txt')).find((p) => existsSync(p));
    const names10 = meta ? readFileSync(meta, 'utf8').split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== '') : [];
    this.classes = names10.length === 10 ? names10 : [...CIFAR10_CLASSES];
  }

  get length(): number {
    return this.targets.length;
  }

  /** Sample i as an HWC uint8 Image (converted from the stored CHW planes) and its label. */
  raw(index: number): { image: Image; label: number } {
    checkIndex(index, this.length, 'CIFAR10');
    const src = this.data.subarray(index * 3072, (index + 1) * 3072);
    const hwc = new Uint8Array(3072);
    for (let p = 0; p < 1024; p++) {
      hwc[p * 3] = src[p]!;
      hwc[p * 3 + 1] = src[1024 + p]!;
      hwc[p * 3 + 2] = src[2048 + p]!;
    }
    return { image: { data: hwc, height: 32, width: 32, channels: 3 }, label: this.targets[index]! };
  }

  get(index: number): [X, Y] {
    checkIndex(index, this.length, 'CIFAR10');
    const label = this.targets[index]!;
    const y = this.options.targetTransform ? this.options.targetTransform(label) : (labelTensor(label) as Y);
    if (this.options.transform) return [this.options.transform(this.raw(index).image), y];
    // Default ToTensor straight from the stored CHW planes.
    const out = new Float32Array(3072);
    const base = index * 3072;
    bytesToUnit(this.data, base, out, 0, 3072);
    return [Tensor.fromBuffer(out, [3, 32, 32], 'float32') as X, y];
  }
}
