import { join } from 'node:path';
import { Dataset } from '../dataset.js';
import { checkIndex } from '../errors.js';
import type { Image } from '../image.js';
import { checkDirectory, DataFormatError, findFile } from '../formats/files.js';
import { expectIdx, readIdxFile } from '../formats/idx.js';
import { visionSample, type VisionDatasetOptions } from './common.js';

/** Options of `MNIST`/`FashionMNIST`: the split (`train`) and the sample and label transforms. */
export interface MNISTOptions<X = unknown, Y = unknown> extends VisionDatasetOptions<X, Y> {
  /** The training split (train-*) or the test split (t10k-*). Default true. */
  train?: boolean;
}

/**
 * A dataset of MNIST-format IDX files in a directory: `train-images-idx3-ubyte` and
 * `train-labels-idx1-ubyte` (or `t10k-*`), raw or `.gz`, directly in `root` or in
 * `root/<Name>/raw` (torchvision's layout). Pixels stay uint8 in memory.
 */
export class IdxImageDataset<X = unknown, Y = unknown> extends Dataset<[X, Y]> {
  /** uint8 pixels, N x H x W. */
  readonly data: Uint8Array;
  readonly targets: Uint8Array;
  readonly height: number;
  readonly width: number;
  readonly train: boolean;
  readonly imagesFile: string;
  readonly labelsFile: string;

  constructor(
    name: string,
    readonly root: string,
    readonly classes: readonly string[],
    readonly options: MNISTOptions<X, Y> = {},
  ) {
    super();
    checkDirectory(root, name);
    this.train = options.train ?? true;
    const prefix = this.train ? 'train' : 't10k';
    const dirs = [root, join(root, name, 'raw'), join(root, name)];
    this.imagesFile = findFile(dirs, [`${prefix}-images-idx3-ubyte`, `${prefix}-images.idx3-ubyte`], `${name} ${prefix} images file`);
    this.labelsFile = findFile(dirs, [`${prefix}-labels-idx1-ubyte`, `${prefix}-labels.idx1-ubyte`], `${name} ${prefix} labels file`);
    const images = readIdxFile(this.imagesFile);
    expectIdx(images, this.imagesFile, 'uint8', 3, 'an images file');
    const labels = readIdxFile(this.labelsFile);
    expectIdx(labels, this.labelsFile, 'uint8', 1, 'a labels file');
    const [n, h, w] = images.shape as [number, number, number];
    if (labels.shape[0] !== n) {
      throw new DataFormatError(this.labelsFile, `holds ${labels.shape[0]} labels, but ${this.imagesFile} holds ${n} images: expected the same count`);
    }
    const targets = labels.data as Uint8Array;
    for (let i = 0; i < n; i++) {
      if (targets[i]! >= classes.length) {
        throw new DataFormatError(this.labelsFile, `label ${targets[i]} of sample ${i} at offset ${8 + i} is out of range: expected 0..${classes.length - 1}`);
      }
    }
    this.data = images.data as Uint8Array;
    this.targets = targets;
    this.height = h;
    this.width = w;
  }

  get length(): number {
    return this.targets.length;
  }

  /** The raw uint8 image (a view, not a copy) and label of sample i. */
  raw(index: number): { image: Image; label: number } {
    checkIndex(index, this.length, 'MNIST');
    const px = this.height * this.width;
    return { image: { data: this.data.subarray(index * px, (index + 1) * px), height: this.height, width: this.width, channels: 1 }, label: this.targets[index]! };
  }

  get(index: number): [X, Y] {
    const { image, label } = this.raw(index);
    return visionSample(image, label, this.options);
  }
}

/** MNIST's class names, as torchvision names them. */
export const MNIST_CLASSES = ['0 - zero', '1 - one', '2 - two', '3 - three', '4 - four', '5 - five', '6 - six', '7 - seven', '8 - eight', '9 - nine'] as const;
/** Fashion-MNIST's class names, as torchvision names them. */
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

/** MNIST handwritten digits from IDX files in `root` (no download: bring the files). */
export class MNIST<X = unknown, Y = unknown> extends IdxImageDataset<X, Y> {
  constructor(root: string, options: MNISTOptions<X, Y> = {}) {
    super('MNIST', root, MNIST_CLASSES, options);
  }
}

/**
 * Fashion-MNIST from IDX files in `root`. On Debian, `apt install dataset-fashion-mnist` puts them
 * in /usr/share/datasets/fashion-mnist.
 */
export class FashionMNIST<X = unknown, Y = unknown> extends IdxImageDataset<X, Y> {
  constructor(root: string, options: MNISTOptions<X, Y> = {}) {
    super('FashionMNIST', root, FASHION_MNIST_CLASSES, options);
  }
}
